//! `/healthz`: whether the catalog and the index answer, with the cached counts and the index
//! generation. 200 when both answer, 503 otherwise.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use serde_json::json;

use crate::web::state::AppState;

/// `GET /healthz`.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let catalog_ok = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&state.pool),
    )
    .await
    .is_ok_and(|r| r.is_ok());
    let engine = state.engine.clone();
    let (generation, documents) =
        tokio::task::spawn_blocking(move || (engine.generation(), engine.documents()))
            .await
            .unwrap_or((None, 0));
    let index_ok = generation.is_some();
    let stats = state.stats();
    let ok = catalog_ok && index_ok;
    let body = json!({
        "status": if ok { "ok" } else { "degraded" },
        "catalog": {
            "ok": catalog_ok,
            "records": {
                "libgen": stats.catalog.libgen,
                "fiction": stats.catalog.fiction,
                "scimag": stats.catalog.scimag,
            },
            "last_import": stats.catalog.last_import,
        },
        "index": {
            "ok": index_ok,
            "generation": generation,
            "documents": documents,
        },
        "version": env!("CARGO_PKG_VERSION"),
    });
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response()
}
