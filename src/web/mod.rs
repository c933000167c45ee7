//! The web portal: server-rendered pages (askama) enhanced with htmx, downloads from the local
//! repository, identifier links, torrents, health. Owns the HTTP surface; reads the catalog
//! (read-only), the index (through the one `SearchEngine`) and the repository (through `files`),
//! and writes nothing.
//!
//! `app(state)` is the whole site as a `Router`, so tests drive it with `oneshot` exactly as the
//! server runs it; `serve` binds it to a listener (`server`: timeouts, connection cap) until SIGTERM or
//! Ctrl-C. `access` holds the optional access rules every request goes through.

pub mod access;
pub mod assets;
pub mod available;
pub mod base;
pub mod error;
pub mod handlers;
pub mod origin;
pub mod params;
pub mod privilege;
pub mod range;
pub mod render;
pub mod routes;
pub mod serve;
pub mod server;
pub mod service;
pub mod state;

pub use error::WebError;
pub use state::{AppState, Config};

use axum::Router;
use tokio::net::TcpListener;

/// The portal as a router: every route and layer, ready for `axum::serve` or `oneshot`.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}

/// Serves the portal on `listener` until SIGTERM or Ctrl-C, then lets requests in flight finish.
pub async fn serve(state: AppState, listener: TcpListener) -> std::io::Result<()> {
    serve_with(state, listener, &server::Limits::default()).await
}

/// Like [`serve`], with the connection limits given.
pub async fn serve_with(
    state: AppState,
    listener: TcpListener,
    limits: &server::Limits,
) -> std::io::Result<()> {
    state.spawn_refreshers();
    let app = app(state);
    server::serve_router(app, listener, limits, shutdown_signal()).await
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %crate::chain::Chain(&e), "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %crate::chain::Chain(&e), "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
