//! The JSON API for scripts and reference managers: `/api/search`, `/api/records/{c}/{id}`,
//! `/api/lookup`, `/api/suggest` (OpenSearch suggestions) and the OpenAPI document that
//! describes them (`/api/openapi.json`). Parameters are read strictly (a bad value is a 400 with
//! a JSON message, unlike the forgiving HTML pages); errors are JSON objects
//! `{"error": {"status", "message"}}` with the matching HTTP status.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use super::location::locate;
use super::parse_id;
use crate::db::records::Summary;
use crate::search::normalize::{
    extension_code, is_md5, language_choice, parse_doi, parse_isbn, EXTENSIONS,
};
use crate::search::{Filters, SearchError, SearchRequest, SearchResults, Sort, MAX_OFFSET};
use crate::web::error::WebError;
use crate::web::origin::Origin;
use crate::web::service;
use crate::web::state::AppState;
use crate::Collection;

/// Results per page when none is asked for.
pub const DEFAULT_PER_PAGE: usize = 25;
/// The most results per page.
pub const MAX_PER_PAGE: usize = 100;
/// The longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 500;

/// The OpenAPI document (kept by hand beside this module; a test checks every route it names).
pub const OPENAPI: &str = include_str!("../openapi.json");

/// An API error: a status and a message, sent as JSON.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong, for the caller.
    pub message: String,
}

impl ApiError {
    /// A 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// A 404 with a message.
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        let status = e.status();
        let message = if status.is_server_error() {
            tracing::error!(error = %crate::chain::Chain(&e), "API request failed");
            match status {
                StatusCode::SERVICE_UNAVAILABLE => {
                    "the search index is not available yet; try again in a moment".to_string()
                }
                _ => "internal error; the details are in the server log".to_string(),
            }
        } else {
            e.to_string()
        };
        ApiError { status, message }
    }
}

macro_rules! into_api_error {
    ($($t:ty),*) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                ApiError::from(WebError::from(e))
            }
        }
    )*};
}
into_api_error!(
    crate::db::DbError,
    SearchError,
    tokio::task::JoinError,
    crate::lookup::LookupError
);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"status": self.status.as_u16(), "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

/// One search hit as the API returns it.
#[derive(Debug, Serialize)]
pub struct ApiHit {
    /// The collection's slug.
    pub collection: Collection,
    /// The record's id in its collection.
    pub id: i64,
    /// Lower-case MD5 of the file (may be empty).
    pub md5: String,
    /// Title.
    pub title: String,
    /// Authors as written in the catalog.
    pub author: String,
    /// Year as written.
    pub year: String,
    /// Language as written.
    pub language: String,
    /// File extension, lower case.
    pub extension: String,
    /// File size in bytes.
    pub filesize: i64,
    /// DOI (papers, some books).
    pub doi: String,
    /// Journal (papers).
    pub journal: String,
    /// Series (books).
    pub series: String,
    /// Publisher.
    pub publisher: String,
    /// Volume.
    pub volume: String,
    /// Issue.
    pub issue: String,
    /// Pages.
    pub pages: String,
    /// Whether the record is withdrawn (hidden from searches unless asked for).
    pub withdrawn: bool,
    /// The record page's path.
    pub url: String,
    /// The JSON record's path.
    pub api_url: String,
}

impl ApiHit {
    /// The hit of a record; its paths under the portal's prefix.
    pub fn new(s: &Summary, origin: &Origin) -> Self {
        let c = s.collection();
        ApiHit {
            collection: c,
            id: s.id,
            md5: s.md5.clone(),
            title: s.title.clone(),
            author: s.author.clone(),
            year: s.year.trim().to_string(),
            language: s.language.trim().to_string(),
            extension: s.extension.trim().to_ascii_lowercase(),
            filesize: s.filesize,
            doi: s.doi.clone(),
            journal: s.journal.clone(),
            series: s.series.clone(),
            publisher: s.publisher.clone(),
            volume: s.volume.clone(),
            issue: s.issue.clone(),
            pages: s.pages.clone(),
            withdrawn: !s.visible.trim().is_empty(),
            url: origin.path(&s.url()),
            api_url: origin.path(&format!("/api/records/{}/{}", c.slug(), s.id)),
        }
    }
}

/// The search parameters of the API and the feeds, read strictly.
#[derive(Debug, Clone)]
pub struct ApiQuery {
    /// The query text.
    pub q: String,
    /// The engine request.
    pub request: SearchRequest,
}

fn number(name: &str, value: &str) -> Result<u64, ApiError> {
    value
        .trim()
        .parse::<u64>()
        .map_err(|_| ApiError::bad_request(format!("`{name}` must be a whole number")))
}

fn year(name: &str, value: &str) -> Result<u64, ApiError> {
    let y = number(name, value)?;
    if (1000..=2100).contains(&y) {
        Ok(y)
    } else {
        Err(ApiError::bad_request(format!(
            "`{name}` must be a year between 1000 and 2100"
        )))
    }
}

impl ApiQuery {
    /// Reads `q, collection, lang, ext, year_min, year_max, sort, page, per_page, withdrawn`
    /// from a raw query string. Unknown keys are ignored; bad values are errors.
    pub fn parse(raw: Option<&str>, default_sort: Sort) -> Result<ApiQuery, ApiError> {
        let mut req = SearchRequest::new(String::new());
        req.sort = default_sort;
        req.per_page = DEFAULT_PER_PAGE;
        req.facets = false;
        let mut filters = Filters::default();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let v = value.trim();
            match key.as_ref() {
                "q" => {
                    if v.chars().count() > MAX_QUERY_CHARS {
                        return Err(ApiError::bad_request(format!(
                            "`q` is longer than {MAX_QUERY_CHARS} characters"
                        )));
                    }
                    req.query = v.to_string();
                }
                "collection" if !v.is_empty() => {
                    filters.collection = Some(v.parse().map_err(|_| {
                        ApiError::bad_request(format!(
                            "`collection` must be {}",
                            Collection::classic_slugs()
                        ))
                    })?);
                }
                "lang" if !v.is_empty() => {
                    // `Unknown` (no language) and `Other` (one written in no known way) are
                    // facet values too.
                    let code = language_choice(v).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "unknown language `{v}` (use a name or an ISO 639 code, `Unknown` or `Other`)"
                        ))
                    })?;
                    filters.lang = Some(code);
                }
                "typing" => {
                    req.typing = matches!(v, "1" | "true" | "yes" | "on");
                }
                "ext" if !v.is_empty() => {
                    let code = extension_code(v);
                    if code == 0 {
                        return Err(ApiError::bad_request(format!(
                            "unknown extension `{v}` (known: {})",
                            EXTENSIONS[1..].join(", ")
                        )));
                    }
                    filters.ext = Some(code);
                }
                "year_min" if !v.is_empty() => filters.year_min = Some(year("year_min", v)?),
                "year_max" if !v.is_empty() => filters.year_max = Some(year("year_max", v)?),
                "sort" if !v.is_empty() => {
                    req.sort = v.parse().map_err(|()| {
                        ApiError::bad_request(
                            "`sort` must be relevance, year_desc, year_asc, size_desc, size_asc, added or title",
                        )
                    })?;
                }
                "page" => {
                    let p = number("page", v)?;
                    if p == 0 {
                        return Err(ApiError::bad_request("`page` starts at 1"));
                    }
                    req.page = p.min(u32::MAX as u64) as usize;
                }
                "per_page" => {
                    let n = number("per_page", v)? as usize;
                    if !(1..=MAX_PER_PAGE).contains(&n) {
                        return Err(ApiError::bad_request(format!(
                            "`per_page` must be between 1 and {MAX_PER_PAGE}"
                        )));
                    }
                    req.per_page = n;
                }
                "withdrawn" => {
                    filters.show_withdrawn = matches!(v, "1" | "true" | "yes" | "on");
                }
                _ => {}
            }
        }
        if let (Some(a), Some(b)) = (filters.year_min, filters.year_max) {
            if a > b {
                return Err(ApiError::bad_request("`year_min` is after `year_max`"));
            }
        }
        if (req.page - 1).saturating_mul(req.per_page) >= MAX_OFFSET {
            return Err(ApiError::bad_request(format!(
                "results past the first {MAX_OFFSET} are not served; narrow the search"
            )));
        }
        req.filters = filters;
        Ok(ApiQuery {
            q: req.query.clone(),
            request: req,
        })
    }

    /// Whether there is anything to search for.
    pub fn is_search(&self) -> bool {
        let f = &self.request.filters;
        !self.q.is_empty()
            || f.collection.is_some()
            || f.lang.is_some()
            || f.ext.is_some()
            || f.year_min.is_some()
            || f.year_max.is_some()
    }
}

fn facets_json(found: &SearchResults) -> Value {
    let Some(f) = &found.facets else {
        return Value::Null;
    };
    let pairs = |items: Vec<(String, u64)>| -> Value {
        Value::Array(
            items
                .into_iter()
                .map(|(value, count)| json!({"value": value, "count": count}))
                .collect(),
        )
    };
    json!({
        "collection": pairs(f.collection.iter().map(|(c, n)| (c.slug().to_string(), *n)).collect()),
        "language": pairs(f.language.clone()),
        "extension": pairs(f.extension.clone()),
        "decade": pairs(f.decade.iter().map(|(d, n)| (d.to_string(), *n)).collect()),
    })
}

/// `GET /api/search`.
pub async fn search(
    State(state): State<AppState>,
    origin: Origin,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let mut query = ApiQuery::parse(raw.as_deref(), Sort::Relevance)?;
    if !query.is_search() {
        return Err(ApiError::bad_request(
            "give a query `q` or a filter (collection, lang, ext, year_min, year_max)",
        ));
    }
    query.request.facets = true;
    let (page, per_page) = (query.request.page, query.request.per_page);
    let (found, summaries) = service::search(&state, query.request).await?;
    let hits: Vec<ApiHit> = summaries.iter().map(|s| ApiHit::new(s, &origin)).collect();
    Ok(Json(json!({
        "query": query.q,
        "total": found.total,
        "total_exact": found.total_exact,
        "page": page,
        "per_page": per_page,
        "fuzzy": found.fuzzy,
        "partial": found.partial,
        "fallback": if found.fuzzy { "typos" } else if found.partial { "some_words" } else { "none" },
        "unknown_language": found.unknown_language,
        "took_ms": (found.elapsed.as_secs_f64() * 1e3 * 100.0).round() / 100.0,
        "hits": hits,
        "facets": facets_json(&found),
    })))
}

/// `GET /api/records/{collection}/{id}`: every catalog field, the description and where the
/// file is.
pub async fn record(
    State(state): State<AppState>,
    origin: Origin,
    Path((collection, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let collection = super::parse_collection(&collection).ok_or_else(|| {
        ApiError::not_found(format!(
            "unknown collection: use {}",
            Collection::classic_slugs()
        ))
    })?;
    let id = parse_id(&id).ok_or_else(|| ApiError::not_found("record ids are positive numbers"))?;
    let (Some(mut fields), Some(full), Some(summary)) = (
        crate::db::record::record_json(&state.pool, collection, id).await?,
        crate::db::record::full_record(&state.pool, collection, id).await?,
        crate::db::record::summary(&state.pool, collection, id).await?,
    ) else {
        return Err(ApiError::not_found(format!(
            "there is no {collection} record {id}"
        )));
    };
    let description = full
        .description
        .as_ref()
        .map(|d| d.get("descr").to_string());
    let toc = full
        .description
        .as_ref()
        .map(|d| d.get("toc").to_string())
        .filter(|t| !t.is_empty());
    let (loc, _) = locate(&state, &summary).await?;
    let location = if loc.unlocatable.is_some() {
        json!({
            "repository_path": null, "local": false, "download_url": null, "torrent": null,
            "torrent_path": null, "torrent_local": false, "torrent_url": null, "magnet": null,
            "zip": null, "zip_entry": null, "note": loc.unlocatable,
        })
    } else {
        let in_zip = collection.zip_prefix().is_some();
        json!({
            "repository_path": loc.repository_path,
            "local": loc.present,
            "download_url": loc.present.then(|| origin.path(&loc.download)),
            "torrent": loc.torrent,
            "torrent_path": loc.path_in_torrent,
            "torrent_local": loc.torrent_href.is_some(),
            "torrent_url": loc.torrent_href.as_deref().map(|h| origin.path(h)),
            "magnet": loc.magnet,
            "zip": in_zip.then_some(loc.zip.clone()),
            "zip_entry": in_zip.then_some(loc.entry.clone()),
            "note": loc.torrent_note,
        })
    };
    let related = |list: &[Summary]| -> Vec<Value> {
        list.iter()
            .map(|s| json!({"collection": s.collection(), "id": s.id, "title": s.title, "url": origin.path(&s.url())}))
            .collect()
    };
    fields.insert("collection".into(), json!(collection));
    fields.insert("url".into(), json!(origin.path(&summary.url())));
    fields.insert(
        "withdrawn".into(),
        json!(!summary.visible.trim().is_empty()),
    );
    if collection == Collection::Scimag {
        fields.insert("journal_name".into(), json!(summary.journal));
        fields.insert("publisher".into(), json!(full.publisher));
    }
    fields.insert("description".into(), json!(description));
    if collection == Collection::Libgen {
        fields.insert("toc".into(), json!(toc));
    }
    fields.insert("location".into(), location);
    fields.insert(
        "related".into(),
        json!({
            "better": related(&full.better),
            "superseded": related(&full.superseded),
            "same_file": related(&full.same_file),
        }),
    );
    Ok(Json(Value::Object(fields)))
}

/// `GET /api/lookup?md5=|doi=|isbn=`: the records with that identifier.
pub async fn lookup(
    State(state): State<AppState>,
    origin: Origin,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .filter(|(k, _)| matches!(k.as_ref(), "md5" | "doi" | "isbn"))
        .map(|(k, v)| (k.into_owned(), v.trim().to_string()))
        .collect();
    let [(key, value)] = params.as_slice() else {
        return Err(ApiError::bad_request(
            "give exactly one of `md5`, `doi` or `isbn`",
        ));
    };
    let (normalized, records) = match key.as_str() {
        "md5" => {
            let md5 = value.to_ascii_lowercase();
            if !is_md5(&md5) {
                return Err(ApiError::bad_request("`md5` must be 32 hexadecimal digits"));
            }
            let records = crate::db::record::by_md5(&state.pool, &md5).await?;
            (md5, records)
        }
        "doi" => {
            let doi = parse_doi(value)
                .or_else(|| parse_doi(&format!("doi:{value}")))
                .ok_or_else(|| ApiError::bad_request("`doi` is not a DOI (10.prefix/suffix)"))?;
            let records =
                service::identifier_records(&state, format!("doi:{doi}"), MAX_PER_PAGE).await?;
            (doi, records)
        }
        _ => {
            let (isbn13, _) = parse_isbn(value)
                .ok_or_else(|| ApiError::bad_request("`isbn` is not a valid ISBN-10 or ISBN-13"))?;
            let records =
                service::identifier_records(&state, format!("isbn:{isbn13}"), MAX_PER_PAGE).await?;
            (isbn13, records)
        }
    };
    let hits: Vec<ApiHit> = records.iter().map(|s| ApiHit::new(s, &origin)).collect();
    Ok(Json(json!({
        "key": key,
        "value": normalized,
        "total": hits.len(),
        "records": hits,
    })))
}

/// `GET /api/suggest?q=`: OpenSearch suggestions (`[query, [titles]]`), for the browser's
/// address bar. Short queries and failures give no suggestions rather than an error.
pub async fn suggest(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let q: String = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.trim_start().chars().take(MAX_QUERY_CHARS).collect())
        .unwrap_or_default();
    let mut titles: Vec<String> = Vec::new();
    if q.trim_end().chars().count() >= 3 {
        // The last word is being typed: it matches the words it begins.
        let mut req = SearchRequest::new(q.clone());
        req.facets = false;
        req.typing = true;
        req.per_page = 8;
        if let Ok((_, summaries)) = service::search(&state, req).await {
            for s in summaries {
                let t: String = s.title.split_whitespace().collect::<Vec<_>>().join(" ");
                let t: String = t.chars().take(120).collect();
                if !t.is_empty() && !titles.contains(&t) {
                    titles.push(t);
                }
            }
        }
    }
    let mut response = Json(json!([q, titles])).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-suggestions+json"),
    );
    response
}

/// `GET /api/openapi.json`: its server is the portal's prefix.
pub async fn openapi(origin: Origin) -> Response {
    let server = if origin.prefix.is_empty() {
        "/".to_string()
    } else {
        origin.prefix.clone()
    };
    let document = OPENAPI.replacen(
        r#""servers": [{ "url": "/" }]"#,
        &format!(r#""servers": [{{ "url": {} }}]"#, json!(server)),
        1,
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        document,
    )
        .into_response()
}

/// `GET /api/…` that no route matches: a JSON 404.
pub async fn not_found() -> ApiError {
    ApiError::not_found("no such API route; see /api/openapi.json")
}
