//! `GET /json.php`: the original Library Genesis API for sci-tech records, so existing scripts
//! and Libgen Desktop's sync can point at a LAN mirror. Same parameters, same output (a JSON
//! array of objects with lower-case keys and string values, ordered by last modification then
//! id) and the same plain-text errors (`WHERE FIELDS?`, `WRONG FIELDS`, `WRONG IDS`,
//! `WHERE IDS?`, `WRONG TIMENEWER`, `WHERE TIMENEWER?`, `WRONG IDNEWER`) with status 400.
//!
//! Differences, all in the direction of safety: numbers in `limit1`/`limit2` are parsed, not
//! pasted into SQL; a page holds at most [`MAX_ROWS`] rows; `mode=last|modified` without valid
//! dates answers `WRONG TIMEFIRST` (400) where the original failed with `SQL ERROR` (500); an
//! offset past [`MAX_OFFSET`] answers `WRONG LIMIT1` (400: page through everything with
//! `mode=newer`, whose cost does not grow with depth); one answer is computed at a time, for at
//! most [`QUERY_TIMEOUT`], so scripts cannot take the connections the pages need.

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::db::libgen_json::{self, Selection};
use crate::search::normalize::parse_isbn;
use crate::search::SearchRequest;
use crate::web::error::WebError;
use crate::web::state::AppState;
use crate::Collection;

/// Rows per answer when `limit1`/`limit2` do not say.
pub const DEFAULT_ROWS: u64 = 1000;
/// The most rows one answer holds.
pub const MAX_ROWS: u64 = 5000;
/// The most ids one request may name.
const MAX_IDS: usize = 1000;
/// The most rows an answer may skip (`limit1`): SQLite reads every skipped row.
pub const MAX_OFFSET: u64 = 100_000;
/// How long an answer may wait for its turn, then take.
const QUERY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A plain-text error, as the original printed them.
fn fail(status: StatusCode, message: &'static str) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        message,
    )
        .into_response()
}

fn bad(message: &'static str) -> Response {
    fail(StatusCode::BAD_REQUEST, message)
}

/// `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    is_date_bytes(s.as_bytes())
}

/// `YYYY-MM-DD`, on bytes (no slicing of text: a byte index may fall inside a character).
fn is_date_bytes(b: &[u8]) -> bool {
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// `YYYY-MM-DD HH:MM:SS`.
fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && is_date_bytes(&b[..10])
        && b.iter().enumerate().skip(10).all(|(i, c)| match i {
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

/// A limit value: the original accepted anything holding a digit; here, a whole number.
fn limit(v: Option<&str>) -> Option<u64> {
    v.and_then(|v| v.trim().parse::<u64>().ok())
}

/// `GET /json.php`.
pub async fn json_php(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let params: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // As PHP's $_REQUEST: the last value of a repeated key wins.
    let get = |name: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };

    let (offset, count) = match (limit(get("limit1")), limit(get("limit2"))) {
        (first, Some(count)) => (first.unwrap_or(0), count),
        (Some(count), None) => (0, count),
        (None, None) => (0, DEFAULT_ROWS),
    };
    let count = count.min(MAX_ROWS);
    if offset > MAX_OFFSET {
        return bad("WRONG LIMIT1");
    }

    let mode = get("mode")
        .filter(|m| matches!(*m, "last" | "modified" | "newer"))
        .unwrap_or("");

    let fields: Vec<(&'static str, &'static str)> = match get("fields") {
        None => return bad("WHERE FIELDS?"),
        Some(f) => {
            let f = f.to_ascii_lowercase();
            if f.trim() == "*" {
                libgen_json::FIELDS.to_vec()
            } else {
                let mut out = Vec::new();
                for name in f.split(',') {
                    let name = name.trim();
                    match libgen_json::FIELDS.iter().find(|(n, _)| *n == name) {
                        Some(pair) => {
                            if !out.contains(pair) {
                                out.push(*pair)
                            }
                        }
                        None => return bad("WRONG FIELDS"),
                    }
                }
                out
            }
        }
    };

    let ids = get("ids");
    let selection = if let (Some(ids), "") = (ids, mode) {
        let ids = ids.trim();
        if !ids.is_empty() && ids.bytes().all(|b| b.is_ascii_digit() || b == b',') {
            let list: Vec<i64> = ids
                .split(',')
                .filter_map(|p| p.parse::<i64>().ok())
                .take(MAX_IDS)
                .collect();
            Selection::Ids(list)
        } else if ids.len() == 32 && ids.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Selection::Md5(ids.to_ascii_lowercase())
        } else {
            return bad("WRONG IDS");
        }
    } else if let Some(doi) = get("doi").filter(|d| !d.is_empty() && mode.is_empty()) {
        Selection::Doi(doi.trim().to_string())
    } else if let Some(isbn) = get("isbn").filter(|d| !d.is_empty() && mode.is_empty()) {
        match isbn_ids(&state, isbn).await {
            Ok(ids) => Selection::Ids(ids),
            Err(response) => return response,
        }
    } else if ids.is_none() && mode.is_empty() {
        return bad("WHERE IDS?");
    } else {
        match mode {
            "newer" => {
                let Some(time) = get("timenewer") else {
                    return bad("WHERE TIMENEWER?");
                };
                if !is_datetime(time) {
                    return bad("WRONG TIMENEWER");
                }
                let id = match get("idnewer") {
                    None => None,
                    Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
                        match v.parse::<i64>() {
                            Ok(n) => Some(n),
                            Err(_) => return bad("WRONG IDNEWER"),
                        }
                    }
                    Some(_) => return bad("WRONG IDNEWER"),
                };
                Selection::Newer(time.to_string(), id)
            }
            "last" | "modified" => {
                let first = get("timefirst").unwrap_or_default();
                let today = time::OffsetDateTime::now_utc().date().to_string();
                let last = match get("timelast") {
                    Some(l) if !l.is_empty() => l.to_string(),
                    _ => today,
                };
                if !is_date(first) || !is_date(&last) {
                    return bad("WRONG TIMEFIRST");
                }
                let (a, b) = (format!("{first} 00:00:00"), format!("{last} 23:59:59"));
                if mode == "last" {
                    Selection::Added(a, b)
                } else {
                    Selection::Modified(a, b)
                }
            }
            // `ids=` given with a mode: the original ignored the ids and failed on the SQL.
            _ => return bad("WHERE IDS?"),
        }
    };

    let answer = tokio::time::timeout(QUERY_TIMEOUT, async {
        let _turn = state.jsonphp_permits.acquire().await;
        libgen_json::rows(&state.pool, &fields, &selection, offset, count).await
    })
    .await;
    match answer {
        Ok(Ok(rows)) => axum::Json(rows).into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %crate::chain::Chain(&e), "json.php query failed");
            fail(StatusCode::INTERNAL_SERVER_ERROR, "SQL ERROR")
        }
        Err(_) => fail(StatusCode::SERVICE_UNAVAILABLE, "BUSY, TRY AGAIN"),
    }
}

/// The sci-tech ids with an ISBN, through the index (which knows every ISBN of a record, in
/// both forms).
async fn isbn_ids(state: &AppState, isbn: &str) -> Result<Vec<i64>, Response> {
    let Some((isbn13, _)) = parse_isbn(isbn) else {
        return Ok(Vec::new());
    };
    let mut req = SearchRequest::new(format!("isbn:{isbn13}"));
    req.facets = false;
    req.per_page = 100;
    req.filters.collection = Some(Collection::Libgen);
    req.filters.show_withdrawn = true;
    match state.search(req).await {
        Ok(found) => Ok(found.hits.iter().map(|h| h.id as i64).collect()),
        Err(e) => {
            tracing::error!(error = %crate::chain::Chain(&e), "json.php ISBN look-up failed");
            let status = match e {
                WebError::Search(_) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            Err(fail(status, "SQL ERROR"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_are_read_strictly() {
        assert!(is_date("2019-09-01"));
        assert!(!is_date("2019-9-01") && !is_date("2019-09-01 ") && !is_date("x"));
        assert!(is_datetime("2019-05-01 00:00:00"));
        assert!(!is_datetime("2019-05-01T00:00:00") && !is_datetime("2019-05-01"));
        assert_eq!(limit(Some("25")), Some(25));
        assert_eq!(limit(Some("1;DROP")), None);
    }
}
