//! [`AppState`]: what every handler shares (the catalog pool, the search engine, the
//! repository, the permits that bound expensive work) and the cached figures, with the
//! refreshes that keep them current.

use std::sync::{Arc, RwLock};
use std::time::Instant;

use sqlx::SqlitePool;

use super::config::Config;
use super::figures::{count_buckets, Buckets, Coverage, Stats};
use crate::activity::Activity;
use crate::db;
use crate::files::{Repository, TorrentShelf};
use crate::search::SearchEngine;
use crate::web::access::Policy;
use crate::web::error::WebError;

/// Everything handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The shared parts.
pub struct Inner {
    /// The catalog, read-only.
    pub pool: SqlitePool,
    /// The search engine.
    pub engine: Arc<SearchEngine>,
    /// The repository of files.
    pub repository: Repository,
    /// Searches running at once are capped (twice the cores): past that, requests queue here
    /// instead of crowding the blocking pool, which keeps latency steady under load.
    pub search_permits: tokio::sync::Semaphore,
    /// `json.php` answers computed at once: one, so that however many scripts page through the
    /// catalog, the other catalog connections stay free for the pages.
    pub jsonphp_permits: tokio::sync::Semaphore,
    /// Batch look-ups running at once (`web::handlers::lookup`): a few, so that large lists
    /// queue instead of crowding out the pages.
    pub lookup_permits: tokio::sync::Semaphore,
    /// The dumps folder watcher's activity, when there is one.
    pub activity: Option<Arc<Activity>>,
    base_path: String,
    forwarded_prefix: bool,
    /// The access rules every request goes through.
    pub access: Arc<Policy>,
    /// Parsed `.torrent` files, for the magnet links of result lists.
    pub torrent_cache: crate::files::TorrentCache,
    /// The home page's note, if any.
    pub notice: Option<String>,
    /// Where DOI links lead (the DOI is appended).
    pub doi_resolver: String,
    stats: RwLock<Arc<Stats>>,
    coverage: RwLock<Arc<Coverage>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Opens the catalog (read-only) and the index, and computes the first figures.
    pub async fn open(config: &Config) -> Result<AppState, WebError> {
        let pool =
            db::open_read_only_with(&config.db, config.connections.max(1), config.catalog_memory)
                .await?;
        let (index, catalog) = (config.index.clone(), config.db.clone());
        let engine =
            tokio::task::spawn_blocking(move || SearchEngine::open_with_catalog(&index, &catalog))
                .await??;
        let coverage = Coverage {
            shelf: TorrentShelf::new(config.torrents.clone()),
            ..Default::default()
        };
        let state = AppState(Arc::new(Inner {
            pool,
            engine: Arc::new(engine),
            repository: config.repository.clone(),
            search_permits: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()) * 2,
            ),
            jsonphp_permits: tokio::sync::Semaphore::new(1),
            lookup_permits: tokio::sync::Semaphore::new(
                crate::web::handlers::lookup::BATCH_AT_ONCE,
            ),
            activity: config.activity.clone(),
            base_path: config.base_path.clone(),
            forwarded_prefix: config.forwarded_prefix,
            access: config.access.clone(),
            torrent_cache: Default::default(),
            notice: config.notice.clone(),
            doi_resolver: config.doi_resolver.clone(),
            stats: RwLock::new(Arc::new(Stats::default())),
            coverage: RwLock::new(Arc::new(coverage)),
        }));
        state.refresh_stats().await;
        state.refresh_files().await;
        Ok(state)
    }

    /// The path the portal is served under: `""`, or `/lanshelf` (no trailing slash). HTML
    /// links get it from the `web::base` layer; links in other formats (JSON, XML) are written
    /// as `format!("{}/search", state.base_path())`.
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// Whether links follow each request's `X-Forwarded-Prefix` (`--forwarded-prefix`).
    pub fn forwarded_prefix(&self) -> bool {
        self.forwarded_prefix
    }

    /// Runs a search in the index on the blocking pool, within the search permits (so searches
    /// queue here under load instead of crowding the blocking pool).
    pub async fn search(
        &self,
        request: crate::search::SearchRequest,
    ) -> Result<crate::search::SearchResults, WebError> {
        let engine = self.engine.clone();
        let _permit = self.search_permits.acquire().await;
        Ok(tokio::task::spawn_blocking(move || engine.search(&request)).await??)
    }

    /// The cached catalog figures.
    pub fn stats(&self) -> Arc<Stats> {
        self.stats.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// The cached torrent and repository figures.
    pub fn coverage(&self) -> Arc<Coverage> {
        self.coverage.read().map(|c| c.clone()).unwrap_or_default()
    }

    /// Counts the catalog's records again.
    /// Only an import changes the catalog, and every import is logged in `imports`: the counts
    /// (a scan of each table) are made again only when the last import changed.
    pub async fn refresh_stats(&self) {
        let old = self.stats();
        let last_import = db::catalog::last_import_finished(&self.pool).await;
        let (catalog, ok) = match last_import {
            Ok(last) if old.catalog_ok && old.catalog.last_import == last => {
                (old.catalog.clone(), true)
            }
            Ok(_) => match db::stats(&self.pool).await {
                Ok(s) => (s, true),
                Err(e) => {
                    tracing::warn!(error = %crate::chain::Chain(&e), "cannot read the catalog figures");
                    (old.catalog.clone(), false)
                }
            },
            Err(e) => {
                tracing::warn!(error = %crate::chain::Chain(&e), "cannot read the catalog");
                (old.catalog.clone(), false)
            }
        };
        let engine = self.engine.clone();
        let (generation, documents, indexed) = tokio::task::spawn_blocking(move || {
            (
                engine.generation(),
                engine.documents(),
                engine.indexed_import(),
            )
        })
        .await
        .unwrap_or((None, 0, None));
        let catalog_import = db::catalog::last_import_id(&self.pool).await.ok();
        let imports_behind = match (catalog_import, indexed) {
            (Some(c), Some(i)) => (c - i).max(0),
            _ => 0,
        };
        let stats = Stats {
            catalog,
            catalog_ok: ok,
            generation,
            documents,
            imports_behind,
        };
        if let Ok(mut s) = self.stats.write() {
            *s = Arc::new(stats);
        }
    }

    /// Scans the torrent folder and the repository again, and counts records per bucket when the
    /// catalog changed since the last count.
    pub async fn refresh_coverage(&self) {
        self.refresh_coverage_with(true).await;
    }

    /// Scans the torrent folder and the repository again, keeping the bucket counts (which scan
    /// whole tables: the background refresh makes them).
    pub async fn refresh_files(&self) {
        self.refresh_coverage_with(false).await;
    }

    async fn refresh_coverage_with(&self, count: bool) {
        let old = self.coverage();
        let last_import = self.stats().catalog.last_import.clone();
        let buckets = if !count || (old.buckets.counted && old.buckets.stamp == last_import) {
            old.buckets.clone()
        } else {
            match count_buckets(&self.pool).await {
                Ok(counts) => Buckets {
                    stamp: last_import,
                    counts,
                    counted: true,
                },
                Err(e) => {
                    tracing::warn!(error = %crate::chain::Chain(&e), "cannot count records per bucket");
                    old.buckets.clone()
                }
            }
        };
        let shelf = old.shelf.clone();
        let repository = self.repository.clone();
        let scanned = tokio::task::spawn_blocking(move || {
            let shelf = shelf.rescan().unwrap_or_else(|e| {
                tracing::warn!(error = %crate::chain::Chain(&e), "cannot read the torrent folder");
                shelf
            });
            let listing = crate::web::available::list(&repository, &shelf);
            (shelf, listing.local(), listing)
        })
        .await;
        let Ok((shelf, local, listing)) = scanned else {
            return;
        };
        let available = match crate::web::available::records(&self.pool, &listing).await {
            Ok(set) if set.version() == old.available.version() => old.available.clone(),
            Ok(set) => Arc::new(set),
            Err(e) => {
                tracing::warn!(error = %crate::chain::Chain(&e), "cannot match the repository's files to records");
                old.available.clone()
            }
        };
        if let Ok(mut c) = self.coverage.write() {
            *c = Arc::new(Coverage {
                shelf,
                buckets,
                local,
                available,
                scanned: Some(Instant::now()),
            });
        }
    }
}
