//! The static assets (CSS, htmx, the progressive-enhancement script, icons), embedded in the
//! binary with include_dir and served under `/static/` with a content hash as entity tag.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use include_dir::{include_dir, Dir};

use super::error::WebError;

static STATIC: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/static");

/// A short hash of all assets: pages link `/static/x?v=<version>` so browsers may cache them
/// for long and still see a new release at once.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hasher = Fnv::default();
    let mut files: Vec<&include_dir::File<'_>> = Vec::new();
    collect(&STATIC, &mut files);
    files.sort_by_key(|f| f.path());
    for f in files {
        hasher.write(f.path().to_string_lossy().as_bytes());
        hasher.write(f.contents());
    }
    format!("{:08x}", hasher.0 as u32)
});

/// Each asset's entity tag: a hash of its contents, computed once.
static ETAGS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let mut files: Vec<&include_dir::File<'_>> = Vec::new();
    collect(&STATIC, &mut files);
    files
        .into_iter()
        .map(|f| {
            let mut hasher = Fnv::default();
            hasher.write(f.contents());
            (
                f.path().to_string_lossy().into_owned(),
                format!("\"{:016x}\"", hasher.0),
            )
        })
        .collect()
});

fn collect<'a>(dir: &'a Dir<'a>, out: &mut Vec<&'a include_dir::File<'a>>) {
    for f in dir.files() {
        out.push(f);
    }
    for d in dir.dirs() {
        collect(d, out);
    }
}

/// FNV-1a, enough for cache-busting and entity tags.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The assets' version string.
pub fn version() -> &'static str {
    &VERSION
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// `GET /static/{*path}`: an embedded asset. Paths with `..`, backslashes or empty segments are
/// refused before the look-up.
pub async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Result<Response, WebError> {
    let unsafe_path = path.is_empty()
        || path.len() > 200
        || path.contains('\\')
        || path.contains('\0')
        || path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..");
    let file = (!unsafe_path).then(|| STATIC.get_file(&path)).flatten();
    let Some(file) = file else {
        return Err(WebError::not_found("There is no such file."));
    };
    let etag = ETAGS.get(path.as_str()).map_or("\"0\"", String::as_str);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    // Pages link assets with `?v=<version>`, so a day of caching never serves a stale release.
    let cache = "public, max-age=86400";
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&path)),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                header::ETAG,
                HeaderValue::from_str(etag).unwrap_or(HeaderValue::from_static("\"0\"")),
            ),
        ],
        file.contents(),
    )
        .into_response())
}

/// `GET /favicon.ico`: browsers ask for it by default; the icon is an SVG.
pub async fn favicon() -> Redirect {
    Redirect::permanent("/static/favicon.svg")
}
