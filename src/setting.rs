//! Settings values parsed alike by the command line (clap's value parsers and defaults) and the
//! portal: the base path, networks of the access rules, the default DOI resolver. Pure; shared
//! vocabulary, so the command line need not reach into `web`.

use std::net::IpAddr;

use ipnet::IpNet;

/// The DOI resolver links lead to unless told otherwise.
pub const DOI_RESOLVER: &str = "https://doi.org/";

/// Why a base path was refused.
#[derive(Debug, thiserror::Error)]
pub enum BasePathError {
    /// It does not start with `/`.
    #[error("a base path starts with `/` (like `/lanshelf`)")]
    NotAbsolute,
    /// It holds a character a path segment should not.
    #[error("a base path holds only letters, digits and `-._~/` (got `{0}`)")]
    BadCharacter(char),
    /// It has an empty, `.` or `..` segment.
    #[error("a base path has no empty, `.` or `..` segments")]
    BadSegment,
}

/// A base path as the portal uses it: `""` (none) or `/a/b` without a trailing slash. `/` and
/// the empty text mean none; `lanshelf/` is refused (not absolute), `/lanshelf/` becomes
/// `/lanshelf`.
pub fn normalize_base_path(text: &str) -> Result<String, BasePathError> {
    let text = text.trim();
    if text.is_empty() || text == "/" {
        return Ok(String::new());
    }
    let Some(rest) = text.strip_prefix('/') else {
        return Err(BasePathError::NotAbsolute);
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if let Some(c) = rest
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._~/".contains(*c)))
    {
        return Err(BasePathError::BadCharacter(c));
    }
    if rest
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return Err(BasePathError::BadSegment);
    }
    Ok(format!("/{rest}"))
}

/// Parses a network (`192.168.0.0/16`, `fd00::/8`) or a single address (`10.0.0.7`).
pub fn parse_net(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    if let Ok(net) = s.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    s.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| format!("`{s}` is neither an address nor a network (like 192.168.1.0/24)"))
}
