//! The engine's lifecycle: one index reader for the life of the program, switched to a new
//! generation when a rebuild replaces it; the older generations swept once no reader holds
//! them; the caches that live as long as the engine. The search itself is in `run`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use tantivy::{IndexReader, ReloadPolicy, Searcher};

use super::columns::ColumnCache;
use super::facets::{self, FacetCollector, Facets};
use super::schema::Fields;
use super::{generations, indexer, recent, update_lock, Filters, Hit, SearchError};
use crate::Collection;

struct Loaded {
    reader: IndexReader,
    generation: PathBuf,
    /// Keeps the generation on disk while this reader serves it (see `generations`).
    _hold: generations::GenerationHold,
}

/// The search engine: one index reader for the life of the program, switched to a new
/// generation when a rebuild replaces it.
pub struct SearchEngine {
    root: PathBuf,
    pub(super) fields: Fields,
    loaded: RwLock<Option<Arc<Loaded>>>,
    /// The catalog, read-only, for MD5 look-ups (MD5s are not in the index).
    pub(super) catalog: Option<crate::db::blocking::Reader>,
    /// Facet counts of recent queries, by index generation and query.
    pub(super) facet_cache: recent::Recent<FacetKey, Facets>,
    /// The fast-field columns read per hit, by segment.
    pub(super) columns: ColumnCache,
    /// Completions of recent beginnings, by index generation and beginning.
    pub(super) prefix_cache: recent::Recent<(u64, String), Terms>,
    /// The title words of recent query words, by index generation, word and whether it is a
    /// beginning.
    pub(super) title_cache: recent::Recent<(u64, String, bool), Terms>,
    /// Older generations were left on disk by the last sweep (still read somewhere).
    sweep_pending: std::sync::atomic::AtomicBool,
}

/// Terms of the combined field with how many documents have each.
pub(super) type Terms = Vec<(String, u64)>;

/// Index generation, query text, withdrawn shown, matching mode, typing, the form's filters,
/// the record set filtered to (its version).
pub(super) type FacetKey = (
    u64,
    String,
    bool,
    u8,
    bool,
    facets::FacetFilters,
    Option<u64>,
);

/// Completions kept per (generation, beginning), and title words per query word: typing
/// repeats them.
const PREFIX_CACHE: usize = 4096;

/// Queries whose facets are kept (the cache is emptied when full).
const FACET_CACHE: usize = 512;

impl SearchEngine {
    /// Opens the index under `root` (or waits for one: searches fail with `NoIndex` until then).
    pub fn open(root: &Path) -> Result<Self, SearchError> {
        let engine = SearchEngine {
            root: root.to_path_buf(),
            fields: Fields::new(),
            loaded: RwLock::new(None),
            catalog: None,
            facet_cache: recent::Recent::new(FACET_CACHE),
            columns: Default::default(),
            prefix_cache: recent::Recent::new(PREFIX_CACHE),
            title_cache: recent::Recent::new(PREFIX_CACHE),
            sweep_pending: Default::default(),
        };
        match engine.refresh() {
            Ok(_) | Err(SearchError::NoIndex(_)) => Ok(engine),
            Err(e) => Err(e),
        }
    }

    /// Opens the index and the catalog beside it (needed to find records by MD5).
    pub fn open_with_catalog(root: &Path, db: &Path) -> Result<Self, SearchError> {
        let mut engine = Self::open(root)?;
        engine.catalog = Some(crate::db::blocking::Reader::open(db)?);
        Ok(engine)
    }

    /// Records of `collections` whose `condition` (on `?1`) holds for `value`, from the catalog's
    /// indexes: MD5s, and papers' DOIs (unique per record: as index terms they would take a
    /// fifth of the index).
    pub(super) fn catalog_hits(
        &self,
        collections: &[Collection],
        by: crate::db::blocking::By,
        value: &str,
        filters: &Filters,
    ) -> Result<Vec<Hit>, SearchError> {
        let Some(catalog) = &self.catalog else {
            return Ok(Vec::new());
        };
        let conn = catalog.lock();
        let mut hits = Vec::new();
        for &collection in collections {
            if filters.collection.is_some_and(|c| c != collection) {
                continue;
            }
            for (id, visible) in crate::db::blocking::ids_by(&conn, collection, by, value)? {
                let shown = visible.trim().is_empty() || filters.show_withdrawn;
                let wanted = filters
                    .only
                    .as_ref()
                    .is_none_or(|set| set.contains(collection, id as u64));
                if shown && wanted {
                    hits.push(Hit {
                        collection,
                        id: id as u64,
                        score: 1.0,
                    });
                }
            }
        }
        Ok(hits)
    }

    /// The generation served. A poisoned lock is taken as it is: it guards only the swap of an
    /// `Arc`, which a panic cannot leave half done (the one policy for this lock).
    fn read_loaded(&self) -> RwLockReadGuard<'_, Option<Arc<Loaded>>> {
        self.loaded.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// [`Self::read_loaded`], to switch generations.
    fn write_loaded(&self) -> RwLockWriteGuard<'_, Option<Arc<Loaded>>> {
        self.loaded.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Switches to the current generation if it changed. Returns whether it switched.
    pub fn refresh(&self) -> Result<bool, SearchError> {
        let current = indexer::current_generation(&self.root)?;
        if let Some(l) = self.read_loaded().as_ref() {
            if l.generation == current {
                if self
                    .sweep_pending
                    .load(std::sync::atomic::Ordering::Relaxed)
                {
                    self.sweep();
                }
                return Ok(false);
            }
        }
        let (index, generation) = indexer::open_current_read_only(&self.root)?;
        let _hold = generations::GenerationHold::take(&generation);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        let previous = self.write_loaded().replace(Arc::new(Loaded {
            reader,
            generation,
            _hold,
        }));
        drop(previous);
        // The replaced generation goes once its last searcher ends (this call or a later
        // `sweep`); at start, whatever an earlier run left.
        self.sweep();
        Ok(true)
    }

    /// Removes the generations older than the served one that no process reads any more (see
    /// `generations`); `refresh` calls it after a switch and, while some are left, on each
    /// poll. Nothing to do (and no error) in a
    /// read-only folder.
    pub fn sweep(&self) {
        let left = generations::remove_unused(&self.root);
        self.sweep_pending
            .store(left > 0, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether a process is updating this index now (see [`UpdateLock`]).
    pub fn update_running(&self) -> bool {
        update_lock::update_running(&self.root)
    }

    /// The generation being served, if any.
    pub fn generation(&self) -> Option<String> {
        self.read_loaded().as_ref().and_then(|l| {
            l.generation
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
    }

    /// The last import the index being served has seen (0: none; `None`: no index).
    pub fn indexed_import(&self) -> Option<i64> {
        self.searcher()
            .ok()
            .map(|s| indexer::indexed_import(s.index()))
    }

    /// Documents in the index.
    pub fn documents(&self) -> u64 {
        self.searcher().map_or(0, |s| s.num_docs())
    }

    pub(super) fn searcher(&self) -> Result<Searcher, SearchError> {
        let loaded = self.read_loaded().clone();
        match loaded {
            Some(l) => Ok(l.reader.searcher()),
            None => {
                self.refresh()?;
                let l = self
                    .read_loaded()
                    .clone()
                    .ok_or(SearchError::NoIndex(self.root.clone()))?;
                Ok(l.reader.searcher())
            }
        }
    }

    /// Facet counts over the whole catalog (withdrawn records included), cached per index
    /// generation. Blocking.
    pub fn catalog_facets(&self) -> Result<Facets, SearchError> {
        let searcher = self.searcher()?;
        let key = (
            searcher.generation().generation_id(),
            "\u{0}all".to_string(),
            true,
            u8::MAX,
            false,
            facets::FacetFilters::default(),
            None,
        );
        if let Some(f) = self.facet_cache.get(&key) {
            return Ok(f);
        }
        let f = searcher.search(
            &tantivy::query::AllQuery,
            &FacetCollector(Default::default(), self.columns.clone()),
        )?;
        self.facet_cache.insert(key, f.clone());
        Ok(f)
    }
}
