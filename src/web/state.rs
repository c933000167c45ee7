//! The portal's shared state: the read-only catalog pool, the one search engine of the program,
//! the repository and torrent folders, and cached figures (catalog counts, torrent coverage)
//! that background tasks refresh, so no page counts rows per request.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sqlx::SqlitePool;

use super::access::Policy;
use super::error::WebError;
use crate::activity::Activity;
use crate::db::{self, CatalogStats};
use crate::files::{Repository, TorrentShelf};
use crate::search::SearchEngine;
use crate::Collection;

/// How often the index is checked for a new generation.
const INDEX_REFRESH: Duration = Duration::from_secs(2);
/// How often the last import is checked (the counts are made again only when it changed).
const STATS_REFRESH: Duration = Duration::from_secs(5);
/// How often the torrent folder and the repository folders are scanned again.
const COVERAGE_REFRESH: Duration = Duration::from_secs(120);

pub use crate::setting::DOI_RESOLVER;

/// Where the portal finds its data.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SQLite catalog (opened read-only).
    pub db: PathBuf,
    /// The index folder.
    pub index: PathBuf,
    /// The local repository of files.
    pub repository: Repository,
    /// A folder of `.torrent` files.
    pub torrents: Option<PathBuf>,
    /// Catalog connections.
    pub connections: u32,
    /// Memory of each catalog connection (mmap, page cache).
    pub catalog_memory: crate::db::CatalogMemory,
    /// The path the portal is served under (`""` or `/lanshelf`; see `web::base`).
    pub base_path: String,
    /// What the dumps folder watcher does (`lanshelf start`), for the home page.
    pub activity: Option<Arc<Activity>>,
    /// Prefix links with the `X-Forwarded-Prefix` of each request (a proxy that strips it).
    pub forwarded_prefix: bool,
    /// Who may use the portal (open by default).
    pub access: Arc<Policy>,
    /// A note shown on the home page (the demo says which records are generated).
    pub notice: Option<String>,
    /// Where DOI links lead: a resolver's address, the DOI appended (`https://doi.org/`).
    pub doi_resolver: String,
}

impl Config {
    /// A configuration with the default pool size.
    pub fn new(
        db: &Path,
        index: &Path,
        repository: Option<&Path>,
        torrents: Option<&Path>,
    ) -> Self {
        Config {
            db: db.to_path_buf(),
            index: index.to_path_buf(),
            repository: Repository::new(repository),
            torrents: torrents.map(Path::to_path_buf),
            connections: 4,
            catalog_memory: Default::default(),
            base_path: String::new(),
            activity: None,
            forwarded_prefix: false,
            access: Arc::new(Policy::open()),
            notice: None,
            doi_resolver: DOI_RESOLVER.to_string(),
        }
    }
}

/// The catalog figures shown on the home page and `/healthz`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    /// Counts per collection and last import.
    pub catalog: CatalogStats,
    /// Whether the last refresh could read the catalog.
    pub catalog_ok: bool,
    /// The index generation served.
    pub generation: Option<String>,
    /// Documents in the index.
    pub documents: u64,
    /// Imports the served index has not seen (its update runs, or was interrupted).
    pub imports_behind: i64,
}

impl Stats {
    /// Records in a collection.
    pub fn records(&self, c: Collection) -> u64 {
        self.catalog.of(c).max(0) as u64
    }

    /// Records in the catalog.
    pub fn total(&self) -> u64 {
        Collection::ALL.iter().map(|c| self.records(*c)).sum()
    }
}

/// Records per bucket of 1000 ids, per collection (for the torrents page).
#[derive(Debug, Clone, Default)]
pub struct Buckets {
    /// The `last_import` these counts were made at.
    pub stamp: Option<String>,
    /// Bucket (id / 1000) → records, per collection code.
    pub counts: [BTreeMap<u64, u64>; Collection::COUNT],
    /// Whether the counts were made (they are made in the background after start).
    pub counted: bool,
}

impl Buckets {
    /// Records with ids in `first..=last`.
    pub fn records(&self, c: Collection, first: u64, last: u64) -> u64 {
        self.counts[c.code() as usize]
            .range(first / 1000..=last / 1000)
            .map(|(_, n)| n)
            .sum()
    }

    /// Buckets that hold records.
    pub fn buckets(&self, c: Collection) -> usize {
        self.counts[c.code() as usize].len()
    }
}

/// What the repository folders hold: per collection, the buckets (id / 1000) with a data
/// folder (sci-tech, fiction) or zip (papers), and the files in them.
#[derive(Debug, Clone, Default)]
pub struct LocalData {
    /// Bucket → files present, per collection code.
    pub buckets: [BTreeMap<u64, u64>; Collection::COUNT],
}

/// The figures of the torrents page.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// The `.torrent` files.
    pub shelf: TorrentShelf,
    /// Records per bucket.
    pub buckets: Buckets,
    /// Data present in the repository.
    pub local: LocalData,
    /// The records whose file is in the repository.
    pub available: Arc<crate::search::only::RecordSet>,
    /// When this was computed.
    pub scanned: Option<Instant>,
}

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
            let listing = super::available::list(&repository, &shelf);
            (shelf, scan_repository(&repository), listing)
        })
        .await;
        let Ok((shelf, local, listing)) = scanned else {
            return;
        };
        let available = match super::available::records(&self.pool, &listing).await {
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

async fn count_buckets(
    pool: &SqlitePool,
) -> Result<[BTreeMap<u64, u64>; Collection::COUNT], db::DbError> {
    let mut out: [BTreeMap<u64, u64>; Collection::COUNT] = Default::default();
    for c in Collection::ALL {
        let rows = db::catalog::records_per_thousand(pool, c).await?;
        out[c.code() as usize] = rows
            .into_iter()
            .map(|(b, n)| (b.max(0) as u64, n.max(0) as u64))
            .collect();
    }
    Ok(out)
}

fn numeric_dirs(dir: &Path) -> Vec<(u64, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let n =
                (!name.is_empty() && name.len() <= 12 && name.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| name.parse::<u64>().ok())
                    .flatten()?;
            Some((n, e.path()))
        })
        .collect()
}

/// Which buckets have data in the repository, and how many files each holds. Blocking.
fn scan_repository(repository: &Repository) -> LocalData {
    let mut local = LocalData::default();
    for c in Collection::by_md5() {
        let Some(root) = repository.root(c) else {
            continue;
        };
        for (bucket, path) in numeric_dirs(root) {
            let files = std::fs::read_dir(&path)
                .map(|d| {
                    d.flatten()
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                        .count() as u64
                })
                .unwrap_or(0);
            if bucket % 1000 == 0 && files > 0 {
                local.buckets[c.code() as usize].insert(bucket / 1000, files);
            }
        }
    }
    if let Some(root) = repository.root(Collection::Scimag) {
        for (_, path) in numeric_dirs(root) {
            let Ok(entries) = std::fs::read_dir(&path) else {
                continue;
            };
            for e in entries.flatten() {
                let Ok(name) = e.file_name().into_string() else {
                    continue;
                };
                let first = name
                    .strip_prefix(Collection::Scimag.zip_prefix().unwrap_or_default())
                    .and_then(|r| r.strip_suffix(".zip"))
                    .and_then(|r| r.split_once('-'))
                    .and_then(|(a, _)| a.parse::<u64>().ok());
                if let Some(first) = first {
                    local.buckets[Collection::Scimag.code() as usize].insert(first / 1000, 1);
                }
            }
        }
    }
    local
}
