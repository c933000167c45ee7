//! Downloads (`/download/{collection}/{id}`): the record's file from the local repository, with
//! a readable file name (`Author - Title (Year).ext`) and Range support; papers straight out of
//! their stored zip. The path comes from the record, never from the URL. A file that is not
//! here gives a page that points to its torrent.

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use tokio_util::io::{ReaderStream, SyncIoBridge};

use super::location::{locate, Location};
use super::{parse_collection, parse_id};
use crate::db::records::Summary;
use crate::files::{self, Found};
use crate::web::error::WebError;
use crate::web::range::{self, Segment};
use crate::web::render::{self, authors, plain};
use crate::web::state::AppState;
use crate::Collection;

/// Characters kept in `filename*=` (RFC 8187 attr-char).
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The page for a file that is not in the local repository.
#[derive(Template)]
#[template(path = "pages/missing.html")]
pub struct MissingPage {
    /// The record's page.
    pub record_href: String,
    /// Its title.
    pub title: String,
    /// Where the file would be and which torrent has it.
    pub location: Location,
}

/// The content type of a file extension.
pub fn content_type(extension: &str) -> &'static str {
    match extension.trim().to_ascii_lowercase().as_str() {
        "pdf" => "application/pdf",
        "epub" => "application/epub+zip",
        "djvu" | "djv" => "image/vnd.djvu",
        "mobi" | "prc" => "application/x-mobipocket-ebook",
        "azw" | "azw3" | "kf8" => "application/vnd.amazon.ebook",
        "fb2" => "application/x-fictionbook+xml",
        "txt" => "text/plain; charset=utf-8",
        "rtf" => "application/rtf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "odt" => "application/vnd.oasis.opendocument.text",
        "chm" => "application/vnd.ms-htmlhelp",
        "htm" | "html" => "application/octet-stream",
        "zip" | "fb2.zip" => "application/zip",
        "rar" | "cbr" => "application/vnd.rar",
        "cbz" => "application/vnd.comicbook+zip",
        "7z" => "application/x-7z-compressed",
        "ps" => "application/postscript",
        "lit" => "application/x-ms-reader",
        "tif" | "tiff" => "image/tiff",
        "jpg" | "jpeg" => "image/jpeg",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

/// Invisible formatting characters: bidirectional overrides and isolates (which can make
/// `evil` U+202E `fdp.exe` read as `evilexe.pdf`), zero-width characters, the byte order mark.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

fn clean_part(text: &str, max_chars: usize) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => ' ',
            c if c.is_control() || is_invisible_format(c) => ' ',
            c => c,
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let mut out = String::new();
    for w in words {
        if out.chars().count() + w.chars().count() + 1 > max_chars {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// A human file name: `Author - Title (Year).ext`, without characters file systems refuse.
pub fn file_name(s: &Summary) -> String {
    let names = authors(&s.author);
    let author = match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        _ => format!("{} et al", names[0]),
    };
    let author = clean_part(&author, 60);
    let title = clean_part(&plain(&s.title), 120);
    let year = crate::search::normalize::year(&s.year);
    let mut name = match (author.is_empty(), title.is_empty()) {
        (false, false) => format!("{author} - {title}"),
        (true, false) => title,
        (false, true) => author,
        (true, true) => format!("{}-{}", s.collection().slug(), s.id),
    };
    if year > 0 {
        name.push_str(&format!(" ({year})"));
    }
    // No hidden files.
    let mut name = name.trim_start_matches(['.', ' ']).to_string();
    let ext = if s.collection() == Collection::Scimag {
        "pdf".to_string()
    } else {
        s.extension.trim().to_ascii_lowercase()
    };
    if !ext.is_empty()
        && ext.len() <= 16
        && ext.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
    {
        name.push('.');
        name.push_str(&ext);
    }
    name
}

/// `Content-Disposition` for a download: an ASCII fallback and the UTF-8 name.
pub fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR_CHAR)
    )
}

/// `GET /download/{collection}/{id}`.
pub async fn download(
    State(state): State<AppState>,
    Path((collection, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let (Some(collection), Some(id)) = (parse_collection(&collection), parse_id(&id)) else {
        return Err(WebError::not_found("There is no such record."));
    };
    let summary = crate::db::record::summary(&state.pool, collection, id)
        .await?
        .ok_or_else(|| WebError::not_found("There is no such record."))?;
    let (location, found) = locate(&state, &summary).await?;
    let Some(found) = found else {
        let mut response = render::html(&MissingPage {
            record_href: summary.url(),
            title: plain(&summary.title),
            location,
        });
        *response.status_mut() = StatusCode::NOT_FOUND;
        return Ok(response);
    };
    let name = file_name(&summary);
    let disposition = disposition(&name);
    let md5 = summary.md5.trim().to_ascii_lowercase();
    let tag = if crate::search::normalize::is_md5(&md5) {
        md5
    } else {
        format!("{}-{}", collection.slug(), id)
    };
    let etag = format!("\"{tag}-{}\"", found.size());
    let content_type = if collection == Collection::Scimag {
        "application/pdf"
    } else {
        content_type(&summary.extension)
    };
    match found {
        Found::Plain { path, size } => {
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
            range::serve(
                &headers,
                Segment {
                    path: &path,
                    offset: 0,
                    length: size,
                    content_type,
                    disposition: &disposition,
                    etag: &etag,
                    modified,
                },
            )
            .await
        }
        Found::Zipped(entry) if entry.stored => {
            let modified = std::fs::metadata(&entry.zip)
                .and_then(|m| m.modified())
                .ok();
            range::serve(
                &headers,
                Segment {
                    path: &entry.zip,
                    offset: entry.data_start,
                    length: entry.size,
                    content_type,
                    disposition: &disposition,
                    etag: &etag,
                    modified,
                },
            )
            .await
        }
        Found::Zipped(entry) => {
            // A compressed entry (a recompressed archive): stream it through the decompressor,
            // without Range support.
            let (reader, writer) = tokio::io::duplex(64 * 1024);
            let size = entry.size;
            tokio::task::spawn_blocking(move || {
                let mut out = SyncIoBridge::new(writer);
                if let Err(e) = files::extract_entry(&entry, &mut out) {
                    tracing::warn!(error = %crate::chain::Chain(&e), "extracting a zip entry failed");
                }
            });
            let mut response = Response::new(Body::from_stream(ReaderStream::new(reader)));
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            Ok(response)
        }
    }
}

/// Covers larger than this are not served.
const MAX_COVER_BYTES: u64 = 8 << 20;

/// `GET /covers/{collection}/{id}`: a book's cover from the local cover store, at the path its
/// catalog record names (never a path from the URL).
pub async fn cover(
    State(state): State<AppState>,
    Path((collection, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (Some(collection), Some(id)) = (parse_collection(&collection), parse_id(&id)) else {
        return Err(WebError::not_found("There is no such cover."));
    };
    let url = crate::db::record::coverurl(&state.pool, collection, id)
        .await?
        .unwrap_or_default();
    let Some((path, kind)) = state.repository.cover(collection, &url) else {
        return Err(WebError::not_found("This record has no cover here."));
    };
    let repository = state.repository.clone();
    let Some(path) = tokio::task::spawn_blocking(move || repository.resolve_cover(&path))
        .await
        .ok()
        .flatten()
    else {
        return Err(WebError::not_found("This record has no cover here."));
    };
    let bytes = match tokio::fs::metadata(&path).await {
        Ok(m) if m.is_file() && m.len() <= MAX_COVER_BYTES => tokio::fs::read(&path).await?,
        _ => return Err(WebError::not_found("This record has no cover here.")),
    };
    let mut response = Response::new(Body::from(bytes));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::records::CollectionName;

    #[test]
    fn human_file_names() {
        let s = Summary {
            collection: CollectionName(Some(Collection::Libgen)),
            id: 7,
            title: "Intro: to/Algorithms?".into(),
            author: "Thomas H. Cormen; Charles E. Leiserson".into(),
            year: "2009".into(),
            extension: "PDF".into(),
            ..Default::default()
        };
        assert_eq!(
            file_name(&s),
            "Thomas H. Cormen et al - Intro to Algorithms (2009).pdf"
        );
        // Bidirectional overrides and zero-width characters never reach a file name.
        let s = Summary {
            title: "evil\u{202E}fdp.exe\u{200B}\u{2066}x\u{FEFF}".into(),
            ..s
        };
        assert_eq!(
            file_name(&s),
            "Thomas H. Cormen et al - evil fdp.exe x (2009).pdf"
        );
        let d = disposition("Gödel - Über (1931).pdf");
        assert_eq!(d, "attachment; filename=\"G_del - _ber (1931).pdf\"; filename*=UTF-8''G%C3%B6del%20-%20%C3%9Cber%20%281931%29.pdf");
    }
}
