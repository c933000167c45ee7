//! Serving the portal under a base path (`--base-path /lanshelf`), for a reverse proxy that
//! forwards `https://example.org/lanshelf/...` without stripping the prefix.
//!
//! Handlers and templates keep writing site-relative links (`/search?q=…`, `/static/…`,
//! `/libgen/12`): the router is nested under the base path (`routes::router`), and one layer,
//! [`prefix_links`], puts the base in front of every site-relative link of what goes out:
//! link attributes of HTML pages and fragments (`href`, `src`, `action`, `hx-*`, `<meta
//! name="…_url" content>`) and the headers that carry a location (`Location`, `HX-Push-Url`…).
//! So a new page or route is served correctly under a base path without knowing about it.
//! What is not HTML (JSON, XML feeds) is left alone: code that writes links there reads
//! [`AppState::base_path`](super::AppState::base_path) and prefixes them itself.
//!
//! A proxy that strips the prefix instead and says so in `X-Forwarded-Prefix` is served with
//! `--forwarded-prefix`: routes stay at the root and [`forwarded_prefix_links`] prefixes the
//! links of each response with the header's value.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The largest HTML body rewritten (pages are tens of kB; larger ones pass unchanged).
const MAX_HTML_BYTES: usize = 8 << 20;

/// Attributes that hold a URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "hx-get",
    "hx-post",
    "hx-push-url",
    "hx-replace-url",
    "poster",
];

/// Headers that hold a location.
const LOCATION_HEADERS: &[&str] = &[
    "location",
    "content-location",
    "hx-push-url",
    "hx-replace-url",
    "hx-redirect",
    "hx-location",
];

pub use crate::setting::{normalize_base_path as normalize, BasePathError};

/// Whether a link is site-relative (`/x`, not `//host/x`), so it gets the base path.
fn site_relative(link: &[u8]) -> bool {
    link.first() == Some(&b'/') && link.get(1) != Some(&b'/')
}

/// Puts `base` in front of every site-relative URL attribute of an HTML text. Attribute values
/// the portal writes are double-quoted and text it prints is escaped (`"` as `&quot;`), so
/// `name="/` only occurs in a real attribute.
pub fn prefix_html(html: &str, base: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + 64 * base.len());
    let mut copied = 0;
    for eq in memchr::memmem::find_iter(bytes, b"=\"/") {
        let value = eq + 2;
        if !site_relative(&bytes[value..]) {
            continue;
        }
        let name_start = bytes[..eq]
            .iter()
            .rposition(|b| b.is_ascii_whitespace())
            .map_or(0, |i| i + 1);
        let name = &html[name_start..eq];
        let is_url = URL_ATTRIBUTES.iter().any(|a| a.eq_ignore_ascii_case(name))
            || (name.eq_ignore_ascii_case("content") && meta_names_url(&bytes[..name_start]));
        if !is_url {
            continue;
        }
        out.push_str(&html[copied..value]);
        out.push_str(base);
        copied = value;
    }
    out.push_str(&html[copied..]);
    out
}

/// Whether the tag that ends `before` is a `<meta name="…_url"` (its `content` is a URL).
fn meta_names_url(before: &[u8]) -> bool {
    let Some(open) = before.iter().rposition(|b| *b == b'<') else {
        return false;
    };
    let tag = &before[open..];
    tag.starts_with(b"<meta ") && memchr::memmem::find(tag, b"_url\"").is_some()
}

/// The value of a location header with the base path, if it is site-relative.
fn prefix_location(value: &HeaderValue, base: &str) -> Option<HeaderValue> {
    let bytes = value.as_bytes();
    if !site_relative(bytes) {
        return None;
    }
    let mut joined = Vec::with_capacity(base.len() + bytes.len());
    joined.extend_from_slice(base.as_bytes());
    joined.extend_from_slice(bytes);
    HeaderValue::from_bytes(&joined).ok()
}

/// The layer that puts the base path into every response's links (see the module docs).
pub async fn prefix_links(
    State(base): State<std::sync::Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    with_base(response, &base).await
}

/// The layer for a proxy that strips its path prefix and names it in `X-Forwarded-Prefix`
/// (`--forwarded-prefix`; Traefik's StripPrefix, nginx `proxy_pass …/;` with the header set):
/// routes stay at the root, links get the header's prefix. Without the header, nothing changes.
/// Only for a portal that the proxy alone can reach: the header is taken as it comes.
pub async fn forwarded_prefix_links(request: Request, next: Next) -> Response {
    let base = request
        .headers()
        .get(FORWARDED_PREFIX)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| normalize(v).ok())
        .unwrap_or_default();
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static(FORWARDED_PREFIX));
    if base.is_empty() {
        return response;
    }
    with_base(response, &base).await
}

/// The header a prefix-stripping proxy names the prefix in.
pub const FORWARDED_PREFIX: &str = "x-forwarded-prefix";

/// A response with `base` put into its location headers and, for HTML, its links.
async fn with_base(response: Response, base: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    for name in LOCATION_HEADERS {
        let name = HeaderName::from_static(name);
        if let Some(v) = parts
            .headers
            .get(&name)
            .and_then(|v| prefix_location(v, base))
        {
            parts.headers.insert(name, v);
        }
    }
    let is_html = parts
        .headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !is_html || parts.headers.contains_key(header::CONTENT_ENCODING) {
        return Response::from_parts(parts, body);
    }
    match to_bytes(body, MAX_HTML_BYTES).await {
        Ok(bytes) => {
            let body = match std::str::from_utf8(&bytes) {
                Ok(text) => Body::from(prefix_html(text, base)),
                Err(_) => Body::from(bytes),
            };
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, body)
        }
        Err(e) => {
            tracing::error!(error = %crate::chain::Chain(&e), "cannot read a page to put the base path in its links");
            super::error::error_page(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. The details are in the server log.",
                "",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths_are_normalised() {
        assert_eq!(normalize("").unwrap(), "");
        assert_eq!(normalize("/").unwrap(), "");
        assert_eq!(normalize("/lanshelf/").unwrap(), "/lanshelf");
        assert_eq!(normalize(" /a/b-c ").unwrap(), "/a/b-c");
        assert!(normalize("lanshelf").is_err());
        assert!(normalize("/a//b").is_err());
        assert!(normalize("/a/../b").is_err());
        assert!(normalize("/a b").is_err());
        assert!(normalize("/a\"b").is_err());
    }

    #[test]
    fn links_get_the_base() {
        let html = r##"<a href="/search?q=1">x</a> <img src="/static/a.svg"> <form action="/search" hx-get="/search">
<a href="//cdn.example/x">y</a> <a href="https://doi.org/1">z</a> <a href="#main">m</a>
<p title="/not-a-link">t</p> <code>href="/x"</code> <meta name="citation_pdf_url" content="/download/libgen/1">
<meta name="citation_title" content="/Slashes">"##;
        let out = prefix_html(html, "/lib");
        assert!(out.contains(r#"href="/lib/search?q=1""#), "{out}");
        assert!(out.contains(r#"src="/lib/static/a.svg""#));
        assert!(out.contains(r#"action="/lib/search" hx-get="/lib/search""#));
        assert!(out.contains(r#"href="//cdn.example/x""#));
        assert!(out.contains(r#"href="https://doi.org/1""#));
        assert!(out.contains(r##"href="#main""##));
        assert!(out.contains(r#"title="/not-a-link""#));
        assert!(out.contains(r#"content="/lib/download/libgen/1""#));
        assert!(out.contains(r#"content="/Slashes""#));
        assert_eq!(prefix_html("no links", "/lib"), "no links");
    }

    #[test]
    fn locations_get_the_base() {
        let v = HeaderValue::from_static("/md5/abc");
        assert_eq!(prefix_location(&v, "/lib").unwrap(), "/lib/md5/abc");
        assert!(prefix_location(&HeaderValue::from_static("https://x/y"), "/lib").is_none());
    }
}
