//! The Zotero resolver. Zotero's "Find Available PDF" asks custom resolvers
//! (`extensions.zotero.findPDFs.resolvers`, documented at
//! <https://www.zotero.org/support/kb/custom_pdf_resolvers>) for a DOI: a `GET` of a URL holding
//! `{doi}`, whose JSON answer a JSPath `selector` turns into file URLs. `GET /api/zotero/{doi}`
//! answers `{"doi", "pdfs": [{"url", "page_url", …}]}` — the absolute download links of the
//! DOI's records whose file is in the repository and is a PDF or an EPUB (the types Zotero
//! keeps), papers straight out of their zip — for the selector `.pdfs.url`; `GET
//! /api/zotero` gives that setting for this portal, ready to paste. Reads only.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use super::api::ApiError;
use crate::lookup::{self, Format, Item, Parsed};
use crate::search::normalize::parse_doi;
use crate::search::Identifier;
use crate::web::origin::Origin;
use crate::web::state::AppState;

/// The JSPath selector of the resolver setting.
pub const SELECTOR: &str = ".pdfs.url";

/// File types Zotero keeps ("Find Available PDF" takes PDFs and EPUBs).
const TYPES: [&str; 2] = ["pdf", "epub"];

/// `GET /api/zotero`: the resolver setting for this portal (the value of
/// `extensions.zotero.findPDFs.resolvers`).
pub async fn setting(origin: Origin) -> Json<Value> {
    Json(json!([{
        "name": "Lanshelf",
        "method": "GET",
        "url": origin.url("/api/zotero/{doi}"),
        "mode": "json",
        "selector": SELECTOR,
        "automatic": true,
    }]))
}

/// `GET /api/zotero/{doi}`: the local files of a DOI's records. A DOI the catalog lacks, or
/// whose file is not here, answers an empty list (Zotero then asks its next resolver).
pub async fn resolve(
    State(state): State<AppState>,
    origin: Origin,
    Path(doi): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let doi = parse_doi(&doi)
        .or_else(|| parse_doi(&format!("doi:{doi}")))
        .ok_or_else(|| ApiError::bad_request("not a DOI (10.prefix/suffix)"))?;
    let parsed = Parsed {
        format: Format::List,
        items: vec![Item {
            position: 1,
            input: doi.clone(),
            title: String::new(),
            identifiers: vec![Identifier::Doi(doi.clone())],
            problem: None,
        }],
    };
    let found = lookup::resolve(
        &state.pool,
        state.engine.clone(),
        state.repository.clone(),
        state.coverage().shelf.clone(),
        parsed,
    )
    .await?;
    let records = found
        .rows
        .first()
        .map(|r| r.records.as_slice())
        .unwrap_or_default();
    let pdfs: Vec<Value> = records
        .iter()
        .filter(|r| TYPES.contains(&r.summary.extension.trim().to_ascii_lowercase().as_str()))
        .filter_map(|r| {
            let download = r.download_path()?;
            Some(json!({
                "url": origin.url(&download),
                "page_url": origin.url(&r.summary.url()),
                "collection": r.collection(),
                "id": r.summary.id,
                "title": r.summary.title,
                "extension": r.summary.extension.trim().to_ascii_lowercase(),
                "size": r.located.found.as_ref().map(|f| f.size()),
            }))
        })
        .collect();
    Ok(Json(json!({
        "doi": doi,
        "records": records.len(),
        "pdfs": pdfs,
    })))
}
