//! `/healthz`: whether the catalog and the index answer, with the cached counts and the index
//! generation, and whether the index has seen the catalog's last import. 200 when both answer
//! and the index is up to date (or being brought up to date now, by this process or any other:
//! replicas behind a load balancer stay in while the importer works), 503 otherwise.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use serde_json::json;

use crate::web::state::AppState;

/// `GET /healthz`.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let (ok, body) = report(&state).await;
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

/// The health report: whether the portal is healthy, and its figures (`/healthz`'s body; the
/// status page shows it too).
pub async fn report(state: &AppState) -> (bool, serde_json::Value) {
    let last_import = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        crate::db::catalog::last_import_id(&state.pool),
    )
    .await
    .ok()
    .and_then(Result::ok);
    let catalog_ok = last_import.is_some();
    let engine = state.engine.clone();
    let (generation, documents, indexed, update_running) = tokio::task::spawn_blocking(move || {
        (
            engine.generation(),
            engine.documents(),
            engine.indexed_import(),
            engine.update_running(),
        )
    })
    .await
    .unwrap_or((None, 0, None, false));
    let index_ok = generation.is_some();
    // Imports the index has not seen: its update is running, or was interrupted.
    let behind = match (last_import, indexed) {
        (Some(catalog), Some(indexed)) => (catalog - indexed).max(0),
        _ => 0,
    };
    // This process's dumps folder watcher, or any process updating the index (another
    // container's importer, `lanshelf import`): see `search::UpdateLock`.
    let updating = update_running
        || state
            .activity
            .as_deref()
            .is_some_and(|a| a.current().is_some());
    let stats = state.stats();
    let status = if !(catalog_ok && index_ok) {
        "degraded"
    } else if behind == 0 {
        "ok"
    } else if updating {
        "updating"
    } else {
        "behind"
    };
    let ok = matches!(status, "ok" | "updating");
    let body = json!({
        "status": status,
        "catalog": {
            "ok": catalog_ok,
            "records": crate::Collection::ALL
                .iter()
                .map(|c| (c.slug().to_string(), json!(stats.catalog.of(*c))))
                .collect::<serde_json::Map<String, serde_json::Value>>(),
            "last_import": stats.catalog.last_import,
        },
        "index": {
            "ok": index_ok,
            "generation": generation,
            "documents": documents,
            "import": indexed,
            "imports_behind": behind,
        },
        "version": env!("CARGO_PKG_VERSION"),
    });
    (ok, body)
}
