//! Identifier links: `/md5/{md5}`, `/doi/{doi}`, a DOI straight in the path
//! (`/10.1038/nature14539`, Sci-Hub style), `/isbn/{isbn}`, and the original site's URLs
//! (`/search.php`, `/book/index.php?md5=`). One match redirects to the record, several to a
//! result list, none to a 404 page that offers a search.

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use percent_encoding::percent_decode_str;

use crate::db::records::Summary;
use crate::search::normalize::{is_md5, parse_doi, parse_isbn};
use crate::search::Hit;
use crate::web::error::{error_page, WebError};
use crate::web::params::SearchParams;
use crate::web::service;
use crate::web::state::AppState;
use crate::Collection;

fn search_href(q: &str, withdrawn: bool) -> String {
    SearchParams {
        q: q.to_string(),
        page: 1,
        per_page: crate::web::params::DEFAULT_PER_PAGE,
        withdrawn,
        ..Default::default()
    }
    .href()
}

fn not_found(what: &str, query: &str) -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        &format!("No record has {what}."),
        query,
    )
}

fn redirect_for(hits: &[Hit], total: usize, query: &str, withdrawn: bool) -> Option<Response> {
    match (total, hits.first()) {
        (1, Some(hit)) => {
            Some(Redirect::to(&format!("/{}/{}", hit.collection.slug(), hit.id)).into_response())
        }
        (0, _) | (_, None) => None,
        _ => Some(Redirect::to(&search_href(query, withdrawn)).into_response()),
    }
}

/// `GET /md5/{md5}` (any case).
pub async fn md5(
    State(state): State<AppState>,
    Path(md5): Path<String>,
) -> Result<Response, WebError> {
    let md5 = md5.trim().to_ascii_lowercase();
    if !is_md5(&md5) {
        return Ok(error_page(
            StatusCode::NOT_FOUND,
            "That is not an MD5 (32 hexadecimal digits).",
            "",
        ));
    }
    let records: Vec<Summary> = crate::db::record::by_md5(&state.pool, &md5).await?;
    let shown: Vec<&Summary> = records
        .iter()
        .filter(|s| s.visible.trim().is_empty())
        .collect();
    let pick: Vec<&Summary> = if shown.is_empty() {
        records.iter().collect()
    } else {
        shown
    };
    Ok(match pick.as_slice() {
        [] => not_found(&format!("the MD5 {md5}"), &md5),
        [one] => Redirect::to(&one.url()).into_response(),
        _ => Redirect::to(&search_href(
            &format!("md5:{md5}"),
            pick.iter().any(|s| !s.visible.trim().is_empty()),
        ))
        .into_response(),
    })
}

/// Resolves a DOI to its record(s).
async fn resolve_doi(state: &AppState, raw: &str) -> Result<Response, WebError> {
    let decoded = percent_decode_str(raw.trim())
        .decode_utf8_lossy()
        .to_string();
    let Some(doi) = parse_doi(&decoded).or_else(|| parse_doi(&format!("doi:{decoded}"))) else {
        return Ok(error_page(
            StatusCode::NOT_FOUND,
            "That is not a DOI (they look like 10.1038/nature14539).",
            &decoded,
        ));
    };
    let query = format!("doi:{doi}");
    let (hits, total, withdrawn) = service::identifier_hits(state, query.clone(), 2).await?;
    Ok(redirect_for(&hits, total, &query, withdrawn)
        .unwrap_or_else(|| not_found(&format!("the DOI {doi}"), &doi)))
}

/// `GET /doi/{*doi}`.
pub async fn doi(State(state): State<AppState>, uri: Uri) -> Result<Response, WebError> {
    // The raw path (a DOI may hold `%2F`, `?`-free only): everything after `/doi/`.
    let raw = uri.path().strip_prefix("/doi/").unwrap_or_default();
    resolve_doi(&state, raw).await
}

/// `GET /isbn/{isbn}`: ISBN-10 or -13, with or without dashes.
pub async fn isbn(
    State(state): State<AppState>,
    Path(isbn): Path<String>,
) -> Result<Response, WebError> {
    let Some((isbn13, _)) = parse_isbn(&isbn) else {
        return Ok(error_page(
            StatusCode::NOT_FOUND,
            "That is not a valid ISBN (10 or 13 digits with a valid check digit).",
            "",
        ));
    };
    let query = format!("isbn:{isbn13}");
    let (hits, total, withdrawn) = service::identifier_hits(&state, query.clone(), 2).await?;
    Ok(redirect_for(&hits, total, &query, withdrawn)
        .unwrap_or_else(|| not_found(&format!("the ISBN {isbn13}"), &isbn13)))
}

/// Everything no route matched: a DOI straight in the path, or a 404 page.
pub async fn fallback(State(state): State<AppState>, uri: Uri) -> Result<Response, WebError> {
    let path = uri.path();
    if path.starts_with("/10.") && path.len() < 1000 {
        return resolve_doi(&state, &path[1..]).await;
    }
    Ok(error_page(
        StatusCode::NOT_FOUND,
        "There is no page at this address.",
        "",
    ))
}

/// `GET /search.php?req=…` (the original site's search): the same search here.
pub async fn legacy_search(RawQuery(query): RawQuery) -> Redirect {
    let mut params = SearchParams::parse(None);
    let mut column = String::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "req" => params.q = value.chars().take(500).collect(),
            "column" => column = value.to_string(),
            "res" => {
                params = SearchParams {
                    per_page: value.parse().unwrap_or(25),
                    ..params
                }
            }
            "page" => params.page = value.parse().unwrap_or(1),
            _ => {}
        }
    }
    if matches!(column.as_str(), "title" | "author" | "series" | "publisher")
        && !params.q.is_empty()
    {
        params.q = format!("{column}:\"{}\"", params.q.replace('"', ""));
    }
    if !crate::web::params::PER_PAGE.contains(&params.per_page) {
        params.per_page = crate::web::params::DEFAULT_PER_PAGE;
    }
    params.page = params.page.clamp(1, 10_000);
    params.collection = Some(Collection::Libgen);
    Redirect::to(&params.href())
}

/// `GET /book/index.php?md5=…` (the original site's record page).
pub async fn legacy_book(RawQuery(query): RawQuery) -> Response {
    let md5 = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "md5")
        .map(|(_, v)| v.trim().to_ascii_lowercase());
    match md5 {
        Some(m) if is_md5(&m) => Redirect::to(&format!("/md5/{m}")).into_response(),
        _ => error_page(StatusCode::NOT_FOUND, "That link names no MD5.", ""),
    }
}
