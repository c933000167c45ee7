//! The background refreshes of [`AppState`]: the index generation, the catalog figures, the
//! torrent and repository scan, each on its own timer.

use std::time::Duration;

use super::app::AppState;

/// How often the index is checked for a new generation.
const INDEX_REFRESH: Duration = Duration::from_secs(2);
/// How often the last import is checked (the counts are made again only when it changed).
const STATS_REFRESH: Duration = Duration::from_secs(5);
/// How often the torrent folder and the repository folders are scanned again.
const COVERAGE_REFRESH: Duration = Duration::from_secs(120);

impl AppState {
    /// Starts the background refreshes: the index generation every 2 s, the catalog figures
    /// every 5 s (a count only after a new import), the torrent and repository scan every 2 min (and the bucket counts at once). They stop with the runtime.
    pub fn spawn_refreshers(&self) {
        let state = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(INDEX_REFRESH);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let engine = state.engine.clone();
                match tokio::task::spawn_blocking(move || engine.refresh()).await {
                    Ok(Ok(true)) => {
                        tracing::info!(generation = ?state.engine.generation(), "serving a new index generation");
                        state.refresh_stats().await;
                    }
                    Ok(Ok(false)) | Ok(Err(crate::search::SearchError::NoIndex(_))) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(error = %crate::chain::Chain(&e), "cannot switch to the new index generation")
                    }
                    Err(e) => {
                        tracing::warn!(error = %crate::chain::Chain(&e), "index refresh task failed")
                    }
                }
            }
        });
        let state = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(STATS_REFRESH);
            tick.tick().await;
            loop {
                tick.tick().await;
                state.refresh_stats().await;
            }
        });
        let state = self.clone();
        tokio::spawn(async move {
            // The first tick is at once: the bucket counts are made right after the start.
            let mut tick = tokio::time::interval(COVERAGE_REFRESH);
            loop {
                tick.tick().await;
                state.refresh_coverage().await;
            }
        });
    }
}
