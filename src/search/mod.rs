//! Full-text search: the tantivy schema and analyzers, the index build and updates, query
//! parsing, and the engine the web pages, the APIs and the CLI call. Owns the `index` folder;
//! reads the catalog but never writes it.

pub mod analyzer;
mod facets;
mod fit;
pub mod forms;
mod fuzzy;
pub mod generations;
mod ident;
pub mod indexer;
mod lazy_union;
pub mod normalize;
pub mod only;
pub mod query;
mod read_only;
mod recent;
pub mod schema;
mod update_lock;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tantivy::collector::{Count, TopDocs};
use tantivy::{DocAddress, IndexReader, Order, ReloadPolicy, Searcher};

pub use facets::Facets;
pub use indexer::{catch_up, lag, rebuild, IndexOptions, IndexReport, Lag};
pub use normalize::Identifier;
pub use query::Filters;
pub use update_lock::{update_running, UpdateLock};

use crate::Collection;
use facets::FacetCollector;
use query::{Matching, Purpose};
use schema::Fields;

/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// There is no index yet.
    #[error("no search index in {0}: build it with `lanshelf index`")]
    NoIndex(PathBuf),
    /// The index was built by an incompatible version.
    #[error("the search index {path} has format {found}, this version needs {}: rebuild it with `lanshelf index`", schema::FORMAT_VERSION)]
    Incompatible {
        /// The generation folder.
        path: PathBuf,
        /// Its format version (0 if unreadable).
        found: u32,
    },
    /// Tantivy could not open the index.
    #[error("cannot open the search index {path} (rebuild it with `lanshelf index`)")]
    Open {
        /// The generation folder.
        path: PathBuf,
        /// The error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// Another process is writing the index.
    #[error("another process is writing the search index; try again when it has finished")]
    Busy,
    /// A tantivy error.
    #[error("search index")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The catalog could not be read.
    #[error("catalog: {0}")]
    Catalog(String),
    /// A file operation on the index folder failed.
    #[error("{0}")]
    Io(PathBuf, #[source] std::io::Error),
}

impl From<rusqlite::Error> for SearchError {
    fn from(e: rusqlite::Error) -> Self {
        SearchError::Catalog(e.to_string())
    }
}

/// Result orderings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest year first.
    YearDesc,
    /// Oldest year first.
    YearAsc,
    /// Largest file first.
    SizeDesc,
    /// Smallest file first.
    SizeAsc,
    /// Most recently added first.
    Added,
    /// By title, A to Z.
    Title,
}

impl std::str::FromStr for Sort {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "" | "relevance" => Sort::Relevance,
            "year" | "year_desc" => Sort::YearDesc,
            "year_asc" => Sort::YearAsc,
            "size" | "size_desc" => Sort::SizeDesc,
            "size_asc" => Sort::SizeAsc,
            "added" | "date" => Sort::Added,
            "title" => Sort::Title,
            _ => return Err(()),
        })
    }
}

/// A search as the pages and APIs ask for it.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// What the user typed.
    pub query: String,
    /// Filters from the form.
    pub filters: Filters,
    /// Ordering.
    pub sort: Sort,
    /// Page number, from 1.
    pub page: usize,
    /// Results per page.
    pub per_page: usize,
    /// Whether to count facets.
    pub facets: bool,
    /// Score every match instead of re-scoring the best candidates (slower; for comparisons).
    pub exhaustive: bool,
    /// The query is being typed (search as you type, suggestions): its last word, unless a
    /// space follows it, also matches the words it begins.
    pub typing: bool,
}

impl SearchRequest {
    /// A first page of 20 by relevance, with facets.
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            filters: Filters::default(),
            sort: Sort::Relevance,
            page: 1,
            per_page: 20,
            facets: true,
            exhaustive: false,
            typing: false,
        }
    }
}

/// One result: which record, and how well it matched.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Hit {
    /// Its collection.
    pub collection: Collection,
    /// Its id in the collection.
    pub id: u64,
    /// The relevance score (0 when sorted by a field).
    pub score: f32,
}

/// The answer to a search.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchResults {
    /// Matching records (with the filters), counted up to [`COUNT_LIMIT`].
    pub total: usize,
    /// Whether `total` is the exact count (false: there are more, `total` is a lower bound).
    pub total_exact: bool,
    /// This page.
    pub hits: Vec<Hit>,
    /// Counts per collection, language, extension and decade, each with every other active
    /// filter and without its own.
    pub facets: Option<Facets>,
    /// The typo-tolerant fallback was used: all the words together found nothing or almost
    /// nothing, so the rare ones were matched within an edit distance.
    pub fuzzy: bool,
    /// Only some of the words matched (neither all the words nor the typo-tolerant pass found
    /// anything more).
    pub partial: bool,
    /// A `lang:` value that names no language (nothing matched it), with the catalog's
    /// languages closest to it.
    pub unknown_language: Option<LanguageHint>,
    /// The query was an identifier.
    pub identifier: Option<Identifier>,
    /// Folded query words, for highlighting.
    pub highlight: Vec<String>,
    /// Time spent in the index.
    pub elapsed: Duration,
}

/// "No language 'klingonn'; did you mean …".
#[derive(Debug, Clone, serde::Serialize)]
pub struct LanguageHint {
    /// What the query named.
    pub value: String,
    /// Languages of the catalog whose names are closest (display names).
    pub suggestions: Vec<String>,
}

impl SearchResults {
    /// When counting stopped at [`COUNT_LIMIT`]: how many matches there are more than.
    pub fn more_than(&self) -> Option<usize> {
        (!self.total_exact).then(|| self.total.saturating_sub(1))
    }
}

/// Results deeper than this are not served (deep pages cost more than they are worth).
pub const MAX_OFFSET: usize = 10_000;

/// Matches are counted up to this many ("more than 10 000"): an exact count visits every match,
/// which at tens of millions of records costs more than finding the best ones. No page beyond it
/// is served anyway ([`MAX_OFFSET`]).
pub const COUNT_LIMIT: usize = MAX_OFFSET + 1;

/// The fewest candidates taken from each candidate query for a page of results (see
/// [`SearchEngine::run`]). More candidates, closer to the exhaustive ranking: at 16 M records
/// 200 gave two-word queries 86 % of the exhaustive page's summed scores, 500 gave 91 %, for
/// 2.6 → 4.0 ms at p50.
const MIN_CANDIDATES: usize = 500;

/// Phrases with a word in at most this many documents are checked in every one of them.
const RARE_PHRASE_WORD: u64 = 50_000;

/// "Almost nothing": when all the words together find fewer records than this (without the
/// form's filters), the typo-tolerant pass and then "some of the words" are tried.
const FEW_RESULTS: usize = 3;

/// A word in at most this many documents (or one in 100 000 of a larger catalog) is rare: the
/// typo-tolerant pass corrects it.
const RARE_WORD_DOCS: u64 = 3;

/// The most corrections a misspelt word stands for (the most frequent ones).
const CORRECTIONS: usize = 16;

/// The most word forms a beginning stands for (the most frequent ones that start with it).
const PREFIX_TERMS: usize = 24;

/// The most terms read from the dictionary of one segment to find a beginning's completions:
/// bounds the cost of a short beginning in a large vocabulary (see `docs/performance.md`).
const PREFIX_WALK: usize = 50_000;

/// Completions kept per (generation, beginning): typing repeats them.
const PREFIX_CACHE: usize = 4096;

/// The most title words that count as one query word for the title fit (its forms and, for a
/// beginning, the words it begins: the most frequent).
const TITLE_TERMS: usize = 16;

/// The most title words read per segment from a word's common beginning with one of its forms
/// to find its other forms there (they sort close to it: `algorithm`, `algorithmic`,
/// `algorithms`).
const TITLE_FORMS_WALK: usize = 256;

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
    fields: Fields,
    loaded: RwLock<Option<Arc<Loaded>>>,
    /// The catalog, read-only, for MD5 look-ups (MD5s are not in the index).
    catalog: Option<crate::db::blocking::Reader>,
    /// Facet counts of recent queries, by index generation and query.
    facet_cache: recent::Recent<FacetKey, Facets>,
    /// The fast-field columns read per hit, by segment.
    columns: ColumnCache,
    /// Completions of recent beginnings, by index generation and beginning.
    prefix_cache: recent::Recent<(u64, String), Terms>,
    /// The title words of recent query words, by index generation, word and whether it is a
    /// beginning.
    title_cache: recent::Recent<(u64, String, bool), Terms>,
    /// Older generations were left on disk by the last sweep (still read somewhere).
    sweep_pending: std::sync::atomic::AtomicBool,
}

/// Fast-field columns a search reads per document, opened once per segment: opening one
/// decodes its block index, which takes milliseconds at millions of documents (it was most of
/// a query's time at 16 M records when opened per hit).
#[derive(Clone)]
struct Columns {
    id: tantivy::columnar::Column<u64>,
    coll: tantivy::columnar::Column<u64>,
    superseded: Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    /// What the facet counts read.
    facets: FacetColumns,
}

/// The columns facet counts read per document (0 where a document has no value).
#[derive(Clone)]
struct FacetColumns {
    coll: Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    lang: Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    ext: Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    year: Arc<dyn tantivy::columnar::ColumnValues<u64>>,
}

impl Columns {
    fn is_superseded(&self, doc: tantivy::DocId) -> bool {
        self.superseded.get_val(doc) == 1
    }
}

/// Columns by segment (segments change only when the index does).
#[derive(Clone, Default)]
struct ColumnCache(
    Arc<std::sync::Mutex<std::collections::HashMap<tantivy::index::SegmentId, Columns>>>,
);

impl ColumnCache {
    fn get(&self, segment: &tantivy::SegmentReader) -> Result<Columns, SearchError> {
        let id = segment.segment_id();
        if let Some(c) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
            return Ok(c.clone());
        }
        let ff = segment.fast_fields();
        let coll = ff.u64("coll")?;
        let columns = Columns {
            id: ff.u64("id")?,
            superseded: ff.u64("superseded")?.first_or_default_col(0),
            facets: FacetColumns {
                coll: coll.clone().first_or_default_col(0),
                lang: ff.u64("lang")?.first_or_default_col(0),
                ext: ff.u64("ext")?.first_or_default_col(0),
                year: ff.u64("year")?.first_or_default_col(0),
            },
            coll,
        };
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(id, columns.clone());
        Ok(columns)
    }
}

/// Terms of the combined field with how many documents have each.
type Terms = Vec<(String, u64)>;

/// Index generation, query text, withdrawn shown, matching mode, typing, the form's filters,
/// the record set filtered to (its version).
type FacetKey = (
    u64,
    String,
    bool,
    u8,
    bool,
    facets::FacetFilters,
    Option<u64>,
);

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
    fn catalog_hits(
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

    /// Switches to the current generation if it changed. Returns whether it switched.
    pub fn refresh(&self) -> Result<bool, SearchError> {
        let current = indexer::current_generation(&self.root)?;
        if let Some(l) = self.loaded.read().expect("lock").as_ref() {
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
        let previous = self.loaded.write().expect("lock").replace(Arc::new(Loaded {
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
        self.loaded.read().expect("lock").as_ref().and_then(|l| {
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

    fn searcher(&self) -> Result<Searcher, SearchError> {
        let loaded = self.loaded.read().expect("lock").clone();
        match loaded {
            Some(l) => Ok(l.reader.searcher()),
            None => {
                self.refresh()?;
                let l = self
                    .loaded
                    .read()
                    .expect("lock")
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

    /// Runs a search. Blocking: call it from a blocking thread in async code.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        let mut parsed = query::parse_typed(&req.query, req.typing);
        let identifier = normalize::detect_identifier(&req.query);
        let md5 = parsed
            .identifiers
            .iter()
            .find_map(|t| t.strip_prefix("md5:"));
        let doi = parsed
            .identifiers
            .iter()
            .find_map(|t| t.strip_prefix("doi:"));
        // Identifiers unique to a record are looked up in the catalog's indexes.
        let looked_up = if let Some(md5) = md5 {
            Some(self.catalog_hits(
                &Collection::ALL,
                crate::db::blocking::By::Md5,
                md5,
                &req.filters,
            )?)
        } else if let Some(doi) = doi {
            // Papers by the catalog's DOI index (case-insensitive, as DOIs are), books by their
            // index terms (papers' DOIs are not index terms).
            let mut hits = self.catalog_hits(
                &[Collection::Scimag],
                crate::db::blocking::By::Doi,
                doi,
                &req.filters,
            )?;
            if req.filters.collection != Some(Collection::Scimag) {
                let searcher = self.searcher()?;
                let (_, _, books) = self.run(&searcher, &parsed, req, Matching::Exact, 0, 100)?;
                hits.extend(books);
            }
            Some(hits)
        } else {
            None
        };
        if let Some(hits) = looked_up {
            return Ok(SearchResults {
                total: hits.len(),
                total_exact: true,
                hits,
                facets: req.facets.then(Facets::default),
                fuzzy: false,
                partial: false,
                unknown_language: None,
                identifier,
                highlight: Vec::new(),
                elapsed: started.elapsed(),
            });
        }
        let searcher = self.searcher()?;
        self.expand(&searcher, &mut parsed)?;
        let per_page = req.per_page.clamp(1, 100);
        let offset = (req.page.max(1) - 1)
            .saturating_mul(per_page)
            .min(MAX_OFFSET);
        let mut outcome = self.run(&searcher, &parsed, req, Matching::Exact, offset, per_page)?;
        let matching = self.fallback(&searcher, &mut parsed, req, outcome.0)?;
        if matching != Matching::Exact {
            outcome = self.run(&searcher, &parsed, req, matching, offset, per_page)?;
        }
        let (total, total_exact, hits) = outcome;
        let facets = if req.facets {
            let filters = query::facet_filters(&parsed, &req.filters);
            // The form's filters, sort and page change nothing but the facets' filters: every
            // click on a filter or a page of the same query reuses them until the index changes.
            let key = (
                searcher.generation().generation_id(),
                req.query.clone(),
                req.filters.show_withdrawn,
                matching as u8,
                req.typing,
                filters,
                req.filters.only.as_ref().map(|set| set.version()),
            );
            let cached = self.facet_cache.get(&key);
            match cached {
                Some(f) => Some(f),
                None => {
                    let common = self.common_words(&searcher);
                    let q = query::build(
                        &self.fields,
                        &parsed,
                        &req.filters,
                        matching,
                        false,
                        Purpose::Match,
                        &common,
                    );
                    let f = searcher.search(&q, &FacetCollector(filters, self.columns.clone()))?;
                    self.facet_cache.insert(key, f.clone());
                    Some(f)
                }
            }
        } else {
            None
        };
        Ok(SearchResults {
            total,
            total_exact,
            hits,
            facets,
            fuzzy: matching == Matching::Fuzzy,
            partial: matching == Matching::Any,
            unknown_language: match parsed.unknown_lang {
                Some(value) => Some(self.language_hint(value)?),
                None => None,
            },
            identifier,
            highlight: parsed.highlight,
            elapsed: started.elapsed(),
        })
    }

    /// The catalog's languages closest to a `lang:` value that names none.
    fn language_hint(&self, value: String) -> Result<LanguageHint, SearchError> {
        // The catalog's own languages first, then any widely written one.
        let facets = self.catalog_facets()?;
        let mut suggestions: Vec<String> =
            normalize::closest_languages(&value, facets.language.iter().map(|(n, _)| n.as_str()))
                .into_iter()
                .map(str::to_string)
                .collect();
        if suggestions.is_empty() {
            suggestions = normalize::closest_languages(&value, normalize::major_languages())
                .into_iter()
                .map(str::to_string)
                .collect();
        }
        Ok(LanguageHint { value, suggestions })
    }

    /// How the words are matched: all of them exactly unless together they find nothing or
    /// almost nothing ([`FEW_RESULTS`]); then first the rare words corrected (typos), if that
    /// finds more, then, if all the words found nothing, any of the words. Decided without the form's filters, so that
    /// choosing a facet value keeps the matching its count was made with. The rare words'
    /// corrections are looked up here, only when they are tried (see [`Self::correct`]).
    fn fallback(
        &self,
        searcher: &Searcher,
        parsed: &mut query::ParsedQuery,
        req: &SearchRequest,
        found: usize,
    ) -> Result<Matching, SearchError> {
        if parsed.clauses.is_empty() || !parsed.identifiers.is_empty() {
            return Ok(Matching::Exact);
        }
        let common = self.common_words(searcher);
        let count = |parsed: &query::ParsedQuery, matching: Matching| {
            let q = query::build(
                &self.fields,
                parsed,
                &req.filters,
                matching,
                false,
                Purpose::Match,
                &common,
            );
            Ok::<_, SearchError>(count_up_to(searcher, &*q, FEW_RESULTS)?.0)
        };
        let exact = if req.filters.any() {
            count(parsed, Matching::Exact)?
        } else {
            found.min(FEW_RESULTS)
        };
        if exact >= FEW_RESULTS {
            return Ok(Matching::Exact);
        }
        self.correct(searcher, parsed)?;
        if parsed
            .clauses
            .iter()
            .any(|c| !c.corrections.is_empty() || !c.title_corrections.is_empty())
            && count(parsed, Matching::Fuzzy)? > exact
        {
            return Ok(Matching::Fuzzy);
        }
        // Some of the words only when all of them found nothing: one or two records with every
        // word are the answer, not a cue to show others.
        if parsed.clauses.len() > 1 && exact == 0 && count(parsed, Matching::Any)? > 0 {
            return Ok(Matching::Any);
        }
        Ok(Matching::Exact)
    }

    /// Looks up how many documents have each form of each word (dropping the forms none has),
    /// the completions of beginnings, and which words are rare (their corrections are looked up
    /// only when they are needed: [`Self::correct`]).
    fn expand(
        &self,
        searcher: &Searcher,
        parsed: &mut query::ParsedQuery,
    ) -> Result<(), SearchError> {
        let docs = searcher.num_docs();
        let rare = RARE_WORD_DOCS.max(docs / 100_000);
        let common = |word: &str| {
            docs >= 50_000
                && searcher
                    .doc_freq(&tantivy::Term::from_field_text(self.fields.title, word))
                    .is_ok_and(|n| n * 50 > docs)
        };
        let text = self.fields.text;
        for clause in parsed.clauses.iter_mut().chain(parsed.excluded.iter_mut()) {
            if !clause.is_word() {
                continue;
            }
            for (form, n) in clause.forms.iter_mut() {
                *n = searcher.doc_freq(&tantivy::Term::from_field_text(text, form))?;
            }
            if clause.forms.iter().any(|(_, n)| *n > 0) {
                clause.forms.retain(|(_, n)| *n > 0);
            } else {
                clause.forms.truncate(1);
            }
            clause.forms.sort_by_key(|f| std::cmp::Reverse(f.1));
            if clause.prefix && !common(&clause.tokens[0].1) {
                let mut completions = self.completions(searcher, &clause.tokens[0].1)?;
                completions.retain(|(t, _)| !clause.forms.iter().any(|(f, _)| f == t));
                clause.completions = completions;
            }
            let total: u64 = clause
                .forms
                .iter()
                .chain(&clause.completions)
                .map(|(_, n)| n)
                .sum();
            clause.title_terms = self.title_terms(searcher, clause)?;
            clause.stop = docs >= 50_000
                && searcher
                    .doc_freq(&tantivy::Term::from_field_text(
                        self.fields.title,
                        &clause.tokens[0].1,
                    ))
                    .is_ok_and(|n| n as f64 > docs as f64 * query::STOP_SHARE);
            // A beginning that completes to something is being typed, not misspelt.
            clause.rare = total <= rare && clause.completions.is_empty();
        }
        Ok(())
    }

    /// Looks up the corrections of the rare words ([`query::Clause::rare`]): the terms within an
    /// edit or two of them. Only for the typo-tolerant pass (words found in fewer than
    /// [`FEW_RESULTS`] records): walking the dictionaries costs a millisecond a word at 16 M
    /// records, more than the search of a rare word itself.
    fn correct(
        &self,
        searcher: &Searcher,
        parsed: &mut query::ParsedQuery,
    ) -> Result<(), SearchError> {
        let text = self.fields.text;
        for clause in parsed.clauses.iter_mut().filter(|c| c.rare) {
            let word = &clause.tokens[0].1;
            if word.chars().count() >= 4 && word.chars().all(char::is_alphabetic) {
                // Corrections of each form the word may have (a Spanish word is stemmed as
                // Spanish in a Spanish record): one edit, two from eight letters.
                let mut corrections: Vec<(String, u64)> = Vec::new();
                for stem in forms::query_stems(word) {
                    let letters = stem.chars().count() - forms::tag_len(&stem);
                    let distance = if letters >= 8 { 2 } else { 1 };
                    for (t, n) in fuzzy::corrections(searcher, text, &stem, distance, CORRECTIONS)?
                    {
                        if !corrections.iter().any(|(c, _)| *c == t)
                            && !clause.match_terms().any(|m| m == t)
                        {
                            corrections.push((t, n));
                        }
                    }
                }
                corrections.sort_by_key(|c| std::cmp::Reverse(c.1));
                corrections.truncate(CORRECTIONS);
                clause.corrections = corrections;
                let distance = if word.chars().count() >= 8 { 2 } else { 1 };
                clause.title_corrections =
                    fuzzy::corrections(searcher, self.fields.title, word, distance, CORRECTIONS)?;
            }
        }
        Ok(())
    }

    /// The [`PREFIX_TERMS`] most frequent forms in the combined field that start with `prefix`
    /// (reading at most [`PREFIX_WALK`] terms of each segment's dictionary), cached.
    fn completions(
        &self,
        searcher: &Searcher,
        prefix: &str,
    ) -> Result<Vec<(String, u64)>, SearchError> {
        let key = (searcher.generation().generation_id(), prefix.to_string());
        if let Some(c) = self.prefix_cache.get(&key) {
            return Ok(c);
        }
        let mut found: std::collections::HashMap<Vec<u8>, u64> = Default::default();
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(self.fields.text)?;
            // The beginning in each language group (`e:algo`, `d:algo`…).
            for start in forms::prefixes(prefix) {
                walk_beginning(&index, &start, PREFIX_WALK, |term, n| {
                    *found.entry(term.to_vec()).or_default() += u64::from(n);
                })?;
            }
        }
        let mut completions: Vec<(String, u64)> = found
            .into_iter()
            .filter_map(|(t, n)| String::from_utf8(t).ok().map(|t| (t, n)))
            .collect();
        completions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        completions.truncate(PREFIX_TERMS);
        self.prefix_cache.insert(key, completions.clone());
        Ok(completions)
    }

    /// The title words that count as a query word for the title fit: the word itself, the
    /// words of its forms (found beside the word in the title dictionary: from each common
    /// beginning of the word and a form, at most [`TITLE_FORMS_WALK`] words), and for a
    /// beginning the words it begins ([`PREFIX_WALK`] at most); the [`TITLE_TERMS`] most
    /// frequent, with how many titles have each, cached.
    fn title_terms(
        &self,
        searcher: &Searcher,
        clause: &query::Clause,
    ) -> Result<Terms, SearchError> {
        let word = clause.tokens[0].1.as_str();
        let key = (
            searcher.generation().generation_id(),
            word.to_string(),
            clause.prefix,
        );
        if let Some(t) = self.title_cache.get(&key) {
            return Ok(t);
        }
        let mut starts: Vec<(String, bool)> = Vec::new();
        if clause.prefix {
            starts.push((word.to_string(), true));
        }
        for (form, _) in &clause.forms {
            let body = &form[forms::tag_len(form)..];
            let common: String = word
                .chars()
                .zip(body.chars())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect();
            if common.chars().count() >= 3 && !starts.iter().any(|(s, _)| *s == common) {
                starts.push((common, false));
            }
        }
        let mut found: std::collections::HashMap<Vec<u8>, u64> = Default::default();
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(self.fields.title)?;
            let own = index
                .doc_freq(&tantivy::Term::from_field_text(self.fields.title, word))
                .map_err(|e| SearchError::Tantivy(e.into()))?;
            if own > 0 {
                *found.entry(word.as_bytes().to_vec()).or_default() += u64::from(own);
            }
            for (start, beginning) in &starts {
                let cap = if *beginning {
                    PREFIX_WALK
                } else {
                    TITLE_FORMS_WALK
                };
                walk_beginning(&index, start, cap, |term, n| {
                    if term == word.as_bytes() {
                        return;
                    }
                    let counts = *beginning
                        || std::str::from_utf8(term)
                            .is_ok_and(|t| clause.forms.iter().any(|(f, _)| forms::has_form(t, f)));
                    if counts {
                        *found.entry(term.to_vec()).or_default() += u64::from(n);
                    }
                })?;
            }
        }
        let mut terms: Vec<(String, u64)> = found
            .into_iter()
            .filter_map(|(t, n)| String::from_utf8(t).ok().map(|t| (t, n)))
            .collect();
        // The word itself first, then the most frequent.
        terms.sort_by(|a, b| {
            (b.0 == word)
                .cmp(&(a.0 == word))
                .then(b.1.cmp(&a.1))
                .then_with(|| a.0.cmp(&b.0))
        });
        terms.truncate(TITLE_TERMS);
        self.title_cache.insert(key, terms.clone());
        Ok(terms)
    }

    /// A predicate telling whether a one-word clause is very common in titles (in more than 2 %
    /// of the documents of a catalog of more than 50 000).
    fn common_words<'a>(&'a self, searcher: &'a Searcher) -> impl Fn(&query::Clause) -> bool + 'a {
        let docs = searcher.num_docs();
        move |clause: &query::Clause| {
            if docs < 50_000 || clause.tokens.len() != 1 {
                return false;
            }
            let term = tantivy::Term::from_field_text(self.fields.title, &clause.tokens[0].1);
            searcher.doc_freq(&term).is_ok_and(|n| n * 50 > docs)
        }
    }

    /// One search: the page of hits and the count of matches (exact below [`COUNT_LIMIT`]).
    ///
    /// By relevance, the page comes from a few hundred candidates: the best documents of a plain
    /// conjunction of terms (a word is one posting list of the combined field; see
    /// [`query::candidates`]), which tantivy finds with block-max WAND without visiting every
    /// match, re-scored with the full query (field weights, the phrase bonus, filters, withdrawn
    /// records, superseded versions below their better version). When too few candidates
    /// survive, or the query has no such shape, every match is scored. Other orders and queries
    /// without words take their page from the matching query, which never scores.
    fn run(
        &self,
        searcher: &Searcher,
        parsed: &query::ParsedQuery,
        req: &SearchRequest,
        matching: Matching,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, bool, Vec<Hit>), SearchError> {
        let common = self.common_words(searcher);
        let f = &self.fields;
        let matches = query::build(
            f,
            parsed,
            &req.filters,
            matching,
            true,
            Purpose::Match,
            &common,
        );
        let need = offset + limit;
        let addrs: Vec<(f32, DocAddress)> = match req.sort {
            Sort::Relevance if parsed.clauses.is_empty() && parsed.identifiers.is_empty() => {
                // No words: nothing to rank, so the first matches in index order, as ranking
                // equal scores gives.
                let (count, exact, docs) = first_matches(searcher, &*matches, offset, limit)?;
                return Ok((count, exact, self.hits(searcher, docs)?));
            }
            Sort::Relevance => {
                let rich = |purpose| {
                    query::build(f, parsed, &req.filters, matching, true, purpose, &common)
                };
                // A phrase whose rarest word is in few documents is cheaper to check in all of
                // them than to re-score candidates (a phrase's positions are read per candidate).
                let phrase = parsed.clauses.iter().any(|c| c.phrase);
                let rare_phrase = phrase
                    && parsed
                        .clauses
                        .iter()
                        .flat_map(|c| &c.tokens)
                        .map(|(_, t)| {
                            let term = tantivy::Term::from_field_text(f.title, t);
                            searcher.doc_freq(&term).unwrap_or(u64::MAX)
                        })
                        .min()
                        .is_some_and(|n| n <= RARE_PHRASE_WORD);
                let candidates = if req.exhaustive || rare_phrase {
                    query::Candidates::default()
                } else {
                    let mut c = query::candidates(f, parsed, &req.filters, matching, &common);
                    if matching == Matching::Any {
                        // The records with all the words, which rank first.
                        let all =
                            query::candidates(f, parsed, &req.filters, Matching::Exact, &common);
                        c.forms.extend(all.forms);
                        c.forms.extend(all.title);
                    }
                    c
                };
                let ranked = if candidates.forms.is_empty() {
                    None
                } else {
                    // A phrase's candidates are costly to check and often fail it: a few, and
                    // if too few pass, every match is scored.
                    let k = if phrase {
                        need * 2
                    } else {
                        (need * 2).max(MIN_CANDIDATES)
                    };
                    let mut top = Vec::new();
                    let mut short = true;
                    for parts in &candidates.forms {
                        let found = best_of(searcher, parts, k)?;
                        short &= found.len() < k;
                        top.extend(found);
                    }
                    let complete = candidates.complete && short;
                    if !complete {
                        if let Some(parts) = &candidates.title {
                            top.extend(best_of(searcher, parts, k)?);
                        }
                    }
                    let ranked = rescore(&self.columns, searcher, &*rich(Purpose::Rescore), top)?;
                    if complete {
                        // Every match was a candidate: the count is exact too.
                        let count = ranked.len();
                        let page = ranked.into_iter().skip(offset).take(limit).collect();
                        return Ok((count, true, self.hits(searcher, page)?));
                    }
                    (ranked.len() >= need).then_some(ranked)
                };
                match ranked {
                    Some(r) => r.into_iter().skip(offset).take(limit).collect(),
                    None => {
                        // Scoring every match visits them all: counting them costs nothing more.
                        let top = top_by_score(&self.columns, offset, limit);
                        let (count, ranked) =
                            searcher.search(&rich(Purpose::Rank), &(Count, top))?;
                        let page = ranked.into_iter().skip(offset).take(limit).collect();
                        let hits = self.hits(searcher, page)?;
                        return Ok((count.min(COUNT_LIMIT), count < COUNT_LIMIT, hits));
                    }
                }
            }
            Sort::YearDesc | Sort::YearAsc | Sort::SizeDesc | Sort::SizeAsc | Sort::Title => {
                let (field, order) = match req.sort {
                    Sort::YearDesc => ("year", Order::Desc),
                    Sort::YearAsc => ("year", Order::Asc),
                    Sort::SizeDesc => ("size", Order::Desc),
                    Sort::SizeAsc => ("size", Order::Asc),
                    _ => ("title_key", Order::Asc),
                };
                let top = TopDocs::with_limit(limit).and_offset(offset);
                let docs =
                    searcher.search(&matches, &top.order_by_fast_field::<u64>(field, order))?;
                docs.into_iter().map(|(_, a)| (0.0, a)).collect()
            }
            Sort::Added => {
                let top = TopDocs::with_limit(limit).and_offset(offset);
                let docs = searcher.search(
                    &matches,
                    &top.order_by_fast_field::<i64>("added", Order::Desc),
                )?;
                docs.into_iter().map(|(_, a)| (0.0, a)).collect()
            }
        };
        let (count, exact) = count_up_to(searcher, &*matches, COUNT_LIMIT)?;
        Ok((count, exact, self.hits(searcher, addrs)?))
    }

    /// Collection and id of each document.
    fn hits(
        &self,
        searcher: &Searcher,
        addrs: Vec<(f32, DocAddress)>,
    ) -> Result<Vec<Hit>, SearchError> {
        let mut hits = Vec::with_capacity(addrs.len());
        for (score, addr) in addrs {
            let columns = self
                .columns
                .get(searcher.segment_reader(addr.segment_ord))?;
            let id = columns.id.first(addr.doc_id).unwrap_or(0);
            let coll = columns.coll.first(addr.doc_id).unwrap_or(0);
            if let Some(collection) = Collection::from_code(coll) {
                hits.push(Hit {
                    collection,
                    id,
                    score,
                });
            }
        }
        Ok(hits)
    }
}

/// Visits the first `cap` terms of `index` that begin with `start` (in dictionary order), with
/// how many documents have each: bounds the cost of a short beginning in a large vocabulary.
fn walk_beginning(
    index: &tantivy::InvertedIndexReader,
    start: &str,
    cap: usize,
    mut visit: impl FnMut(&[u8], u32),
) -> Result<(), SearchError> {
    let mut stream = index
        .terms()
        .range()
        .ge(start.as_bytes())
        .into_stream()
        .map_err(|e| SearchError::Tantivy(e.into()))?;
    let mut walked = 0;
    while stream.advance() && walked < cap {
        let term = stream.key();
        if !term.starts_with(start.as_bytes()) {
            break;
        }
        walked += 1;
        visit(term, stream.value().doc_freq);
    }
    Ok(())
}

/// Documents with their scores.
type Scored = Vec<(f32, DocAddress)>;

/// Superseded versions rank just below their better version.
const SUPERSEDED_FACTOR: f32 = 0.8;

/// The top `offset + limit` of every match of `query`, scored, superseded versions lowered.
fn top_by_score(
    columns: &ColumnCache,
    offset: usize,
    limit: usize,
) -> impl tantivy::collector::Collector<Fruit = Vec<(f32, DocAddress)>> {
    let columns = columns.clone();
    TopDocs::with_limit(offset + limit).tweak_score(move |segment: &tantivy::SegmentReader| {
        let column = columns.get(segment).ok();
        move |doc: tantivy::DocId, score: tantivy::Score| match &column {
            Some(c) if c.is_superseded(doc) => score * SUPERSEDED_FACTOR,
            _ => score,
        }
    })
}

/// The `k` best documents of any of `parts` (see [`query::Parts`]): one part, its own top k;
/// several, searched one after the other in their order (the rarest first), each with the bar
/// the best so far set, so that block-max WAND skips what cannot enter the top k. A document
/// matching two parts is taken once, with the first part's score.
fn best_of(searcher: &Searcher, parts: &query::Parts, k: usize) -> Result<Scored, SearchError> {
    if let [query] = parts.as_slice() {
        return Ok(searcher.search(query, &TopDocs::with_limit(k).order_by_score())?);
    }
    /// Ordered as tantivy's top k orders: the higher score, then the lower address.
    #[derive(PartialEq)]
    struct Best(f32, DocAddress);
    impl Eq for Best {}
    impl PartialOrd for Best {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Best {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            self.0.total_cmp(&other.0).then(other.1.cmp(&self.1))
        }
    }
    // The k best so far, the least on top, and which documents they are.
    let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<Best>> =
        std::collections::BinaryHeap::with_capacity(k + 1);
    let mut taken: std::collections::HashSet<DocAddress> = Default::default();
    // What a document must score above to enter: the least of the k, once there are k.
    let bar = |heap: &std::collections::BinaryHeap<std::cmp::Reverse<Best>>| match heap.peek() {
        Some(least) if heap.len() >= k => least.0 .0,
        _ => f32::MIN,
    };
    let scoring = tantivy::query::EnableScoring::enabled_from_searcher(searcher);
    for part in parts {
        let weight = part.weight(scoring)?;
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let alive = segment.alive_bitset();
            let mut threshold = bar(&heap);
            weight.for_each_pruning(threshold, segment, &mut |doc, score| {
                let addr = DocAddress::new(ord as u32, doc);
                if score > threshold && alive.is_none_or(|a| a.is_alive(doc)) && taken.insert(addr)
                {
                    heap.push(std::cmp::Reverse(Best(score, addr)));
                    if heap.len() > k {
                        if let Some(std::cmp::Reverse(least)) = heap.pop() {
                            taken.remove(&least.1);
                        }
                    }
                    threshold = bar(&heap);
                }
                threshold
            })?;
        }
    }
    let mut best: Scored = heap.into_iter().map(|b| (b.0 .0, b.0 .1)).collect();
    best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(best)
}

/// Scores `candidates` with `query`, dropping those it does not match; best first.
fn rescore(
    columns: &ColumnCache,
    searcher: &Searcher,
    query: &dyn tantivy::query::Query,
    candidates: Vec<(f32, DocAddress)>,
) -> Result<Vec<(f32, DocAddress)>, SearchError> {
    let weight = query.weight(tantivy::query::EnableScoring::enabled_from_searcher(
        searcher,
    ))?;
    let mut docs: Vec<DocAddress> = candidates.into_iter().map(|(_, a)| a).collect();
    docs.sort_unstable();
    docs.dedup();
    let mut ranked = Vec::with_capacity(docs.len());
    for segment_docs in docs.chunk_by(|a, b| a.segment_ord == b.segment_ord) {
        let segment_ord = segment_docs[0].segment_ord;
        let segment = searcher.segment_reader(segment_ord);
        let columns = columns.get(segment)?;
        let mut scorer = weight.scorer(segment, 1.0)?;
        for addr in segment_docs {
            let doc = if scorer.doc() < addr.doc_id {
                scorer.seek(addr.doc_id)
            } else {
                scorer.doc()
            };
            if doc == addr.doc_id {
                let mut score = scorer.score();
                if columns.is_superseded(doc) {
                    score *= SUPERSEDED_FACTOR;
                }
                ranked.push((score, *addr));
            }
        }
    }
    // Best first; equal scores in index order, as tantivy's own top-k orders them.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(ranked)
}

/// Iterates the live documents `query` matches, in index order, until `visit` returns false.
fn each_match(
    searcher: &Searcher,
    query: &dyn tantivy::query::Query,
    mut visit: impl FnMut(DocAddress) -> bool,
) -> Result<(), SearchError> {
    let weight = query.weight(tantivy::query::EnableScoring::disabled_from_searcher(
        searcher,
    ))?;
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let mut scorer = weight.scorer(segment, 1.0)?;
        let alive = segment.alive_bitset();
        let mut doc = scorer.doc();
        while doc != tantivy::TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) && !visit(DocAddress::new(ord as u32, doc)) {
                return Ok(());
            }
            doc = scorer.advance();
        }
    }
    Ok(())
}

/// How many documents `query` matches, counting at most `limit`; whether the count is exact.
fn count_up_to(
    searcher: &Searcher,
    query: &dyn tantivy::query::Query,
    limit: usize,
) -> Result<(usize, bool), SearchError> {
    let mut count = 0;
    each_match(searcher, query, |_| {
        count += 1;
        count < limit
    })?;
    Ok((count, count < limit))
}

/// The matches `offset..offset + limit` in index order, and the count (up to [`COUNT_LIMIT`]).
fn first_matches(
    searcher: &Searcher,
    query: &dyn tantivy::query::Query,
    offset: usize,
    limit: usize,
) -> Result<(usize, bool, Scored), SearchError> {
    let mut count = 0;
    let mut page = Vec::with_capacity(limit);
    each_match(searcher, query, |addr| {
        if count >= offset && page.len() < limit {
            page.push((1.0, addr));
        }
        count += 1;
        // Counted far enough, and the page is full (the deepest page ends past the limit).
        count < COUNT_LIMIT.max(offset + limit)
    })?;
    Ok((count.min(COUNT_LIMIT), count < COUNT_LIMIT, page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, Term};

    /// The best of parts no document shares is the top k of their union, scores included, on a
    /// real index with two segments.
    #[test]
    fn best_of_disjoint_parts_is_the_top_of_their_union() {
        let dir = tempfile::tempdir().unwrap();
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_dir(dir.path(), schema.build()).unwrap();
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..6_000u32 {
            // A common form, two rare ones, never two in one document; lengths vary.
            let form = match i % 50 {
                0 => "f:scienc",
                1 => "d:scienc",
                _ => "e:scienc",
            };
            let filler = "filler ".repeat((i % 7) as usize);
            writer
                .add_document(doc!(text => format!("{form} {filler}")))
                .unwrap();
            if i == 3_000 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let term = |t: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(text, t),
                IndexRecordOption::WithFreqs,
            ))
        };
        let forms = ["f:scienc", "d:scienc", "e:scienc"];
        let union = BooleanQuery::new(forms.iter().map(|f| (Occur::Should, term(f))).collect());
        for k in [10, 150, 500] {
            let expected = searcher
                .search(&union, &TopDocs::with_limit(k).order_by_score())
                .unwrap();
            let parts: query::Parts = forms.iter().map(|f| term(f)).collect();
            let found = best_of(&searcher, &parts, k).unwrap();
            assert_eq!(found.len(), expected.len());
            for ((a, da), (b, db)) in found.iter().zip(&expected) {
                assert!((a - b).abs() < 1e-5, "{a} {b}");
                // Equal scores may be other documents of the same score.
                assert!(da == db || (a - b).abs() < 1e-6);
            }
        }
    }
}
