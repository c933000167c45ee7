//! Serving a byte range of a file (a whole file, or a stored entry inside a zip) with HTTP Range
//! support: one range per request (`bytes=a-b`, `bytes=a-`, `bytes=-n`), `If-Range` by entity tag
//! or date, 416 beyond the end. Several ranges at once are answered with the whole file, which
//! HTTP allows.

use std::io::SeekFrom;
use std::path::Path;
use std::time::SystemTime;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use super::error::WebError;

/// What is served: `length` bytes of `path` from `offset`.
#[derive(Debug, Clone)]
pub struct Segment<'a> {
    /// The file on disk.
    pub path: &'a Path,
    /// Where the served bytes start in it.
    pub offset: u64,
    /// How many bytes are served.
    pub length: u64,
    /// Content type.
    pub content_type: &'a str,
    /// `Content-Disposition` value.
    pub disposition: &'a str,
    /// Entity tag (quoted), stable for the same content.
    pub etag: &'a str,
    /// Last modification time, if known.
    pub modified: Option<SystemTime>,
}

/// A parsed `Range` header against a resource of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Requested {
    /// No (usable) range: the whole resource.
    Whole,
    /// One satisfiable range, inclusive.
    Part(u64, u64),
    /// A range that starts beyond the end.
    Unsatisfiable,
}

/// Reads a `Range` header value.
pub fn parse_range(value: &str, size: u64) -> Requested {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Requested::Whole;
    };
    if spec.contains(',') {
        return Requested::Whole;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Requested::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    let num = |s: &str| {
        (!s.is_empty() && s.len() <= 19 && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Requested::Whole,
        (true, false) => match num(b) {
            Some(0) => Requested::Unsatisfiable,
            Some(n) if size > 0 => Requested::Part(size.saturating_sub(n), size - 1),
            Some(_) => Requested::Unsatisfiable,
            None => Requested::Whole,
        },
        (false, _) => {
            let Some(start) = num(a) else {
                return Requested::Whole;
            };
            let end = if b.is_empty() { Some(u64::MAX) } else { num(b) };
            let Some(end) = end else {
                return Requested::Whole;
            };
            if end < start {
                return Requested::Whole;
            }
            if start >= size {
                return Requested::Unsatisfiable;
            }
            Requested::Part(start, end.min(size - 1))
        }
    }
}

/// Whether an `If-Range` precondition holds (then the range applies).
fn if_range_holds(headers: &HeaderMap, etag: &str, modified: Option<SystemTime>) -> bool {
    let Some(value) = headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let value = value.trim();
    if value.starts_with('"') || value.starts_with("W/") {
        return value == etag;
    }
    match (httpdate::parse_http_date(value), modified) {
        (Ok(date), Some(m)) => httpdate::fmt_http_date(m) == httpdate::fmt_http_date(date),
        _ => false,
    }
}

/// Streams the segment, honouring `Range`, `If-Range` and `If-None-Match`.
pub async fn serve(headers: &HeaderMap, segment: Segment<'_>) -> Result<Response, WebError> {
    let size = segment.length;
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == segment.etag || t.trim() == "*")
        })
    {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        set(&mut response, header::ETAG, segment.etag);
        return Ok(response);
    }
    let requested = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        Some(v) if if_range_holds(headers, segment.etag, segment.modified) => parse_range(v, size),
        _ => Requested::Whole,
    };
    let (status, start, length) = match requested {
        Requested::Whole => (StatusCode::OK, 0, size),
        Requested::Part(a, b) => (StatusCode::PARTIAL_CONTENT, a, b - a + 1),
        Requested::Unsatisfiable => return Err(WebError::RangeNotSatisfiable(size)),
    };
    let mut file = tokio::fs::File::open(segment.path).await?;
    file.seek(SeekFrom::Start(segment.offset + start)).await?;
    let body = Body::from_stream(ReaderStream::with_capacity(file.take(length), 64 * 1024));
    let mut response = Response::new(body);
    *response.status_mut() = status;
    set(&mut response, header::CONTENT_TYPE, segment.content_type);
    set(&mut response, header::CONTENT_LENGTH, &length.to_string());
    set(&mut response, header::ACCEPT_RANGES, "bytes");
    set(
        &mut response,
        header::CONTENT_DISPOSITION,
        segment.disposition,
    );
    set(&mut response, header::ETAG, segment.etag);
    set(
        &mut response,
        header::CACHE_CONTROL,
        "private, max-age=3600",
    );
    if let Some(m) = segment.modified {
        set(
            &mut response,
            header::LAST_MODIFIED,
            &httpdate::fmt_http_date(m),
        );
    }
    if status == StatusCode::PARTIAL_CONTENT {
        set(
            &mut response,
            header::CONTENT_RANGE,
            &format!("bytes {start}-{}/{size}", start + length - 1),
        );
    }
    Ok(response)
}

fn set(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Requested::Part(0, 9));
        assert_eq!(parse_range("bytes=90-", 100), Requested::Part(90, 99));
        assert_eq!(parse_range("bytes=-10", 100), Requested::Part(90, 99));
        assert_eq!(parse_range("bytes=-1000", 100), Requested::Part(0, 99));
        assert_eq!(parse_range("bytes=50-1000", 100), Requested::Part(50, 99));
        assert_eq!(parse_range("bytes=100-", 100), Requested::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), Requested::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Requested::Whole);
        assert_eq!(parse_range("bytes=9-1", 100), Requested::Whole);
        assert_eq!(parse_range("items=0-1", 100), Requested::Whole);
        assert_eq!(parse_range("bytes=x-y", 100), Requested::Whole);
        assert_eq!(
            parse_range("bytes=99999999999999999999999-", 100),
            Requested::Whole
        );
    }
}
