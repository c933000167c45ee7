//! Citation export: BibTeX and RIS files of a record (`/{collection}/{id}/bibtex`, `/ris`). What
//! a citation says is `crate::citation`'s.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::parse_id;
pub use crate::citation::Citation;
use crate::web::error::WebError;
use crate::web::state::AppState;
use crate::Collection;

async fn load(state: &AppState, collection: Collection, id: &str) -> Result<Citation, WebError> {
    let Some(id) = parse_id(id) else {
        return Err(WebError::not_found("There is no such record."));
    };
    let record = crate::db::record::cited_record(&state.pool, collection, id)
        .await?
        .ok_or_else(|| WebError::not_found("There is no such record."))?;
    Ok(Citation::of(&record))
}

fn attachment(content_type: &'static str, name: String, body: String) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /{collection}/{id}/bibtex`.
pub async fn bibtex(
    state: AppState,
    collection: Collection,
    id: String,
) -> Result<Response, WebError> {
    let c = load(&state, collection, &id).await?;
    Ok(attachment(
        "application/x-bibtex; charset=utf-8",
        format!("{}.bib", c.key),
        c.bibtex(),
    ))
}

/// `GET /{collection}/{id}/ris`.
pub async fn ris(
    state: AppState,
    collection: Collection,
    id: String,
) -> Result<Response, WebError> {
    let c = load(&state, collection, &id).await?;
    Ok(attachment(
        "application/x-research-info-systems; charset=utf-8",
        format!("{}.ris", c.key),
        c.ris(),
    ))
}
