//! The batch look-up: `/lookup` (paste or upload a reading list — identifiers one per line, or a
//! CSV, BibTeX or RIS export — and get one row per item, with CSV, BibTeX, RIS and magnet-list
//! exports), `/identify` (files dropped on the page are hashed in the browser, never uploaded,
//! and their MD5s looked up through the API), and `POST /api/lookup/batch` for programs.
//!
//! These are the only routes that take a request body: up to [`MAX_BATCH_BYTES`] (the limit
//! `web::routes` applies to them alone) and [`MAX_ITEMS`] items; at most [`BATCH_AT_ONCE`]
//! look-ups run at once (the others wait), so a few large lists cannot crowd out searches.

use askama::Template;
use axum::body::Body;
use axum::extract::{FromRequest, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::api::ApiError;
use crate::lookup::{self, export, Lookup, Parsed, Status, MAX_ITEMS};
use crate::web::error::WebError;
use crate::web::origin::Origin;
use crate::web::render::{self, human_size, plain};
use crate::web::state::AppState;

/// The largest request body the look-up routes take: a BibTeX or RIS export of 10 000 records
/// with abstracts fits.
pub const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;

/// Look-ups running at once.
pub const BATCH_AT_ONCE: usize = 2;

/// The paths that take a request body (and the larger limit), below the base path.
pub const BODY_ROUTES: [&str; 2] = ["/lookup", "/api/lookup/batch"];

/// What the list is to be turned into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Page,
    Json,
    Csv,
    Bibtex,
    Ris,
    Magnets,
}

impl Output {
    fn parse(text: &str, default: Output) -> Option<Output> {
        Some(match text.trim() {
            "" => default,
            "html" | "page" => Output::Page,
            "json" => Output::Json,
            "csv" => Output::Csv,
            "bibtex" | "bib" => Output::Bibtex,
            "ris" => Output::Ris,
            "magnets" | "magnet" => Output::Magnets,
            _ => return None,
        })
    }
}

/// One record as the table shows it.
pub struct RecordView {
    /// The record page.
    pub href: String,
    /// Collection label.
    pub collection: &'static str,
    /// Title (text).
    pub title: String,
    /// Authors.
    pub author: String,
    /// Year.
    pub year: String,
    /// Extension and size.
    pub file: String,
    /// Withdrawn.
    pub withdrawn: bool,
    /// The download link, when the file is here.
    pub download: Option<String>,
    /// The `.torrent` file and the path inside it.
    pub torrent: Option<(String, String)>,
    /// A magnet link for the file.
    pub magnet: Option<String>,
}

/// One row of the table.
pub struct RowView {
    /// Position in the list.
    pub position: usize,
    /// What the user gave.
    pub input: String,
    /// The title the export gave.
    pub title: String,
    /// `found`, `missing` or `malformed` (a CSS class).
    pub class: &'static str,
    /// Found, not found, no identifier.
    pub status: &'static str,
    /// The identifier used (`doi:10.…`).
    pub identifier: String,
    /// Why there is no identifier.
    pub problem: String,
    /// The record shown.
    pub record: Option<RecordView>,
    /// Other records with the identifier.
    pub more: usize,
}

/// The page: the form, and the table when a list was sent.
#[derive(Template)]
#[template(path = "pages/lookup.html")]
pub struct LookupPage {
    /// The list as sent (kept in the form and in the export buttons).
    pub text: String,
    /// Whether a list was sent.
    pub submitted: bool,
    /// How it was read.
    pub format: &'static str,
    /// The rows.
    pub rows: Vec<RowView>,
    /// Counts.
    pub found: usize,
    /// Not found.
    pub not_found: usize,
    /// Without an identifier.
    pub malformed: usize,
    /// With the file here.
    pub local: usize,
    /// Milliseconds taken.
    pub took: String,
    /// An error to show above the form.
    pub error: Option<String>,
    /// The most items (`10 000`).
    pub max_items: String,
    /// The export buttons: `format` value and label.
    pub exports: &'static [(&'static str, &'static str)],
}

/// The export buttons under the table.
const EXPORTS: &[(&str, &str)] = &[
    ("csv", "Table as CSV"),
    ("bibtex", "Found records as BibTeX"),
    ("ris", "Found records as RIS"),
    ("magnets", "Magnet links for the files not here"),
];

/// The identify page (the hashing is `static/identify.js`).
#[derive(Template)]
#[template(path = "pages/identify.html")]
pub struct IdentifyPage;

fn views(lookup: &Lookup) -> Vec<RowView> {
    lookup
        .rows
        .iter()
        .map(|row| {
            let record = row.best().map(|r| {
                let s = &r.summary;
                let ext = s.extension.trim().to_ascii_lowercase();
                RecordView {
                    href: s.url(),
                    collection: r.collection().label(),
                    title: plain(&s.title),
                    author: plain(&s.author),
                    year: s.year.trim().to_string(),
                    file: [ext, human_size(s.filesize)]
                        .into_iter()
                        .filter(|p| !p.is_empty())
                        .collect::<Vec<_>>()
                        .join(", "),
                    withdrawn: r.withdrawn(),
                    download: r.download_path(),
                    torrent: r.torrent().map(|(t, p)| (t.to_string(), p.to_string())),
                    magnet: r.magnet().map(str::to_string),
                }
            });
            RowView {
                position: row.item.position,
                input: row.item.input.clone(),
                title: row.item.title.clone(),
                class: match row.status {
                    Status::Found => "found",
                    Status::NotFound => "missing",
                    Status::Malformed => "malformed",
                },
                status: row.status.label(),
                identifier: row
                    .identifier
                    .as_ref()
                    .map(|i| i.term())
                    .unwrap_or_default(),
                problem: row.item.problem.clone().unwrap_or_default(),
                record,
                more: row.matches.saturating_sub(1),
            }
        })
        .collect()
}

fn empty_page(text: String, error: Option<String>) -> LookupPage {
    LookupPage {
        text,
        submitted: false,
        format: "",
        rows: Vec::new(),
        found: 0,
        not_found: 0,
        malformed: 0,
        local: 0,
        took: String::new(),
        error,
        max_items: render::count(MAX_ITEMS as u64),
        exports: EXPORTS,
    }
}

/// `GET /lookup`: the form.
pub async fn page() -> Response {
    render::html(&empty_page(String::new(), None))
}

/// `GET /identify`: the drop zone.
pub async fn identify_page() -> Response {
    render::html(&IdentifyPage)
}

/// Runs a look-up within the look-up permits.
async fn run(state: &AppState, parsed: Parsed) -> Result<Lookup, WebError> {
    let _permit = state.lookup_permits.acquire().await;
    let shelf = state.coverage().shelf.clone();
    Ok(lookup::resolve(
        &state.pool,
        state.engine.clone(),
        state.repository.clone(),
        shelf,
        parsed,
    )
    .await?)
}

fn attachment(content_type: &'static str, name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        body,
    )
        .into_response()
}

/// The exports every route offers.
async fn export(
    state: &AppState,
    lookup: &Lookup,
    output: Output,
    origin: &Origin,
) -> Result<Response, WebError> {
    let link = |p: &str| origin.url(p);
    Ok(match output {
        Output::Csv => attachment(
            "text/csv; charset=utf-8",
            "lookup.csv",
            export::csv(lookup, &link),
        ),
        Output::Bibtex => attachment(
            "application/x-bibtex; charset=utf-8",
            "lookup.bib",
            export::citations(&state.pool, lookup, false).await?,
        ),
        Output::Ris => attachment(
            "application/x-research-info-systems; charset=utf-8",
            "lookup.ris",
            export::citations(&state.pool, lookup, true).await?,
        ),
        Output::Magnets => {
            let shelf = state.coverage().shelf.clone();
            let lookup = lookup.clone();
            let text =
                tokio::task::spawn_blocking(move || export::magnet_list(&lookup, &shelf)).await?;
            attachment("text/plain; charset=utf-8", "magnets.txt", text)
        }
        Output::Json => Json(export::lookup_json(lookup, &|p| origin.path(p))).into_response(),
        Output::Page => unreachable!("pages are rendered by the page handler"),
    })
}

/// A form as sent: the pasted text, an uploaded file, the output wanted.
struct Form {
    text: String,
    output: String,
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// Reads `ids`, `file` and `format` from an urlencoded or multipart form (a file wins over
/// pasted text).
async fn read_form(state: &AppState, request: Request) -> Result<Form, WebError> {
    let too_large = || {
        WebError::PayloadTooLarge(format!(
            "The list is larger than {} MiB: split it.",
            MAX_BATCH_BYTES >> 20
        ))
    };
    let mut text = String::new();
    let mut file = String::new();
    let mut output = String::new();
    if is_multipart(request.headers()) {
        let mut multipart = axum::extract::Multipart::from_request(request, state)
            .await
            .map_err(|e| WebError::BadRequest(format!("The form could not be read: {e}")))?;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                Err(e) => {
                    return Err(WebError::BadRequest(format!(
                        "The form could not be read: {e}"
                    )))
                }
            };
            let name = field.name().unwrap_or_default().to_string();
            let bytes = match field.bytes().await {
                Ok(b) => b,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                Err(e) => {
                    return Err(WebError::BadRequest(format!(
                        "The form could not be read: {e}"
                    )))
                }
            };
            let value = String::from_utf8_lossy(&bytes).into_owned();
            match name.as_str() {
                "ids" => text = value,
                "file" => file = value,
                "format" => output = value,
                _ => {}
            }
        }
    } else {
        let bytes = axum::body::to_bytes(request.into_body(), MAX_BATCH_BYTES)
            .await
            .map_err(|_| too_large())?;
        for (k, v) in form_urlencoded::parse(&bytes) {
            match k.as_ref() {
                "ids" => text = v.into_owned(),
                "format" => output = v.into_owned(),
                _ => {}
            }
        }
    }
    if !file.trim().is_empty() {
        text = file;
    }
    Ok(Form { text, output })
}

/// `POST /lookup`: the table as a page, or one of its exports (`format`).
pub async fn submit(State(state): State<AppState>, origin: Origin, request: Request) -> Response {
    match submit_inner(&state, &origin, request).await {
        Ok(r) => r,
        Err(WebError::BadRequest(m)) | Err(WebError::PayloadTooLarge(m)) => {
            let mut response = render::html(&empty_page(String::new(), Some(m)));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
        Err(e) => e.into_response(),
    }
}

async fn submit_inner(
    state: &AppState,
    origin: &Origin,
    request: Request,
) -> Result<Response, WebError> {
    let form = read_form(state, request).await?;
    let output = Output::parse(&form.output, Output::Page)
        .ok_or_else(|| WebError::BadRequest("Unknown export format.".into()))?;
    if form.text.trim().is_empty() {
        return Ok(render::html(&empty_page(
            String::new(),
            Some("Paste identifiers or choose a file.".into()),
        )));
    }
    let parsed = match lookup::parse(&form.text) {
        Ok(p) => p,
        Err(e) => {
            let mut response = render::html(&empty_page(form.text, Some(e.to_string())));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(response);
        }
    };
    let result = run(state, parsed).await?;
    if output != Output::Page {
        return export(state, &result, output, origin).await;
    }
    let page = LookupPage {
        submitted: true,
        format: result.format.label(),
        found: result.found(),
        not_found: result.not_found(),
        malformed: result.malformed(),
        local: result.local(),
        took: format!("{:.0}", result.elapsed.as_secs_f64() * 1e3),
        rows: views(&result),
        text: form.text,
        error: None,
        max_items: render::count(MAX_ITEMS as u64),
        exports: EXPORTS,
    };
    Ok(render::html(&page))
}

/// `POST /api/lookup/batch`: a JSON body `{"identifiers": ["10.1038/…", "978…", …]}` (one item
/// each) or `{"text": "…"}` (a list or export, read as the page reads it), or the list itself
/// as a `text/*` body. `?format=csv|bibtex|ris|magnets` for the exports; JSON by default.
pub async fn batch(
    State(state): State<AppState>,
    origin: Origin,
    RawQuery(raw): RawQuery,
    request: Request<Body>,
) -> Result<Response, ApiError> {
    let mut output = Output::Json;
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k == "format" {
            output = Output::parse(&v, Output::Json)
                .filter(|o| *o != Output::Page)
                .ok_or_else(|| {
                    ApiError::bad_request("`format` must be json, csv, bibtex, ris or magnets")
                })?;
        }
    }
    let json_body = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let bytes = axum::body::to_bytes(request.into_body(), MAX_BATCH_BYTES)
        .await
        .map_err(|_| ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: format!("the body is larger than {} MiB", MAX_BATCH_BYTES >> 20),
        })?;
    let parsed = if json_body {
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
        if let Some(list) = value.get("identifiers").and_then(|v| v.as_array()) {
            if list.len() > MAX_ITEMS {
                return Err(ApiError::bad_request(format!(
                    "{} identifiers; at most {MAX_ITEMS} are looked up at once",
                    list.len()
                )));
            }
            // One item per string, whatever it holds.
            let mut items = Vec::with_capacity(list.len());
            for (i, v) in list.iter().enumerate() {
                let v = v.as_str().ok_or_else(|| {
                    ApiError::bad_request("`identifiers` must be an array of strings")
                })?;
                items.push(lookup::input::item_of(i + 1, v));
            }
            Parsed {
                format: lookup::Format::List,
                items,
            }
        } else if let Some(t) = value.get("text").and_then(|v| v.as_str()) {
            lookup::parse(t).map_err(|e| ApiError::bad_request(e.to_string()))?
        } else {
            return Err(ApiError::bad_request(
                "give `identifiers` (an array of strings) or `text` (a list or an export)",
            ));
        }
    } else {
        lookup::parse(&String::from_utf8_lossy(&bytes))
            .map_err(|e| ApiError::bad_request(e.to_string()))?
    };
    if parsed.items.is_empty() {
        return Err(ApiError::bad_request("the list is empty"));
    }
    let result = run(&state, parsed).await?;
    Ok(export(&state, &result, output, &origin).await?)
}
