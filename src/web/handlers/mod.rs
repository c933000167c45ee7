//! The request handlers, one module per page area, each with its template structs beside it.

pub mod about;
pub mod api;
pub mod citation;
pub mod download;
pub mod feeds;
pub mod health;
pub mod ident;
pub mod jsonphp;
pub mod location;
pub mod lookup;
pub mod opds;
pub mod record;
pub mod search;
pub mod torrents;
pub mod zotero;

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;

use crate::Collection;

/// Whether htmx asked for a fragment: `HX-Request` set, and not a history restore (which needs
/// the whole page).
pub fn is_fragment_request(headers: &HeaderMap) -> bool {
    let set = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "true")
    };
    set("hx-request") && !set("hx-history-restore-request")
}

/// Marks a response as depending on `HX-Request` (the same URL serves a page or a fragment).
pub fn with_vary(mut response: Response) -> Response {
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("HX-Request"));
    response
}

/// Reads a record id from a URL segment: a positive decimal number, else `None`.
pub fn parse_id(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok().filter(|n| *n > 0)
}

/// Reads a collection from a URL segment: only its slug.
pub fn parse_collection(text: &str) -> Option<Collection> {
    Collection::ALL.into_iter().find(|c| c.slug() == text)
}
