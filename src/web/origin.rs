//! The portal's public address as the client sees it, for the documents that write links
//! themselves (JSON, OpenSearch descriptions, Atom/RSS/OPDS feeds: HTML pages get their prefix
//! from `web::base`). Behind a reverse proxy the scheme and host come from `X-Forwarded-Proto`
//! and `X-Forwarded-Host`, otherwise from `Host`; the forwarded headers are read only from a
//! trusted proxy (`--trusted-proxies`, or loopback when none is named), and values that are not
//! a plain host name (with an optional port) are ignored, so a forged header cannot inject markup
//! or another scheme into a feed. Responses that depend on them say so in `Vary` (`web::routes`). The path prefix is the `--base-path`, or with `--forwarded-prefix` the request's
//! `X-Forwarded-Prefix`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;

use super::state::AppState;

/// Where the portal is: `scheme://host[:port]` and the path prefix (`""` or `/a/b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `scheme://host[:port]`, without a trailing slash.
    pub origin: String,
    /// The path prefix the portal is served under (`""` or `/lanshelf`).
    pub prefix: String,
}

impl Origin {
    /// An absolute URL for a path of the portal (`/opds` → `http://host/lanshelf/opds`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}{path}", self.origin, self.prefix)
    }

    /// A site-relative link for a path of the portal (`/libgen/7` → `/lanshelf/libgen/7`).
    pub fn path(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }

    /// Reads the origin from request headers, the forwarded ones included.
    pub fn from_headers(headers: &HeaderMap) -> Origin {
        Origin::read(headers, true)
    }

    /// Reads the origin from request headers; `X-Forwarded-*` only when `forwarded`.
    pub fn read(headers: &HeaderMap, forwarded: bool) -> Origin {
        let first = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let scheme = match first("x-forwarded-proto").filter(|_| forwarded).as_deref() {
            Some(p) if p.eq_ignore_ascii_case("https") => "https",
            _ => "http",
        };
        let host = first("x-forwarded-host")
            .filter(|h| forwarded && is_host(h))
            .or_else(|| first("host").filter(|h| is_host(h)))
            .unwrap_or_else(|| "localhost".to_string());
        Origin {
            origin: format!("{scheme}://{host}"),
            prefix: String::new(),
        }
    }
}

/// A host name or address with an optional port: letters, digits, `.-_:[]`, at most 255 bytes.
fn is_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']')
        })
}

impl FromRequestParts<AppState> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let trusted = state.access.trusts_forwarded_origin(peer);
        let mut origin = Origin::read(&parts.headers, trusted);
        origin.prefix = if !state.base_path().is_empty() {
            state.base_path().to_string()
        } else if state.forwarded_prefix() {
            parts
                .headers
                .get(super::base::FORWARDED_PREFIX)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| super::base::normalize(v).ok())
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok(origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn forwarded_headers_win_and_forgeries_are_ignored() {
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_static("nas.lan:8080"));
        assert_eq!(Origin::from_headers(&h).origin, "http://nas.lan:8080");
        h.insert("x-forwarded-proto", HeaderValue::from_static("https, http"));
        h.insert(
            "x-forwarded-host",
            HeaderValue::from_static("books.example.org"),
        );
        assert_eq!(Origin::from_headers(&h).origin, "https://books.example.org");
        h.insert("x-forwarded-host", HeaderValue::from_static("evil\"><x>"));
        h.insert("x-forwarded-proto", HeaderValue::from_static("javascript"));
        assert_eq!(Origin::from_headers(&h).origin, "http://nas.lan:8080");
        assert_eq!(
            Origin::from_headers(&HeaderMap::new()).origin,
            "http://localhost"
        );
    }
}
