//! Building and updating the index from the catalog.
//!
//! Layout of the index folder: `CURRENT` names the generation being served (`gen-000003`), each
//! generation is a complete tantivy index with a `lanshelf.json` (format version). A rebuild
//! writes a new generation beside the old one and then replaces `CURRENT` atomically (write to a
//! temporary file, rename), so a server keeps answering from the old one until it switches. The
//! last import an index has seen is kept in the tantivy commit payload, so an update after an
//! import (or after a crash) indexes exactly the rows changed since.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use tantivy::indexer::NoMergePolicy;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::{doc, BitSet, DocId, Index, IndexWriter, Score, SegmentReader, TantivyDocument};

use super::forms::Group;
use super::normalize::{
    extension_code, isbn_terms, language_code, language_iso639_3, parse_issn, timestamp, year,
};
use super::schema::{marker, register_tokenizers, title_key, uid, Fields, Marker, FORMAT_VERSION};
use super::SearchError;
use crate::db::index_source::{IndexRow, IndexSource, Lookups};
use crate::text::strip_html;
use crate::Collection;

/// Settings of the index writer.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Total memory budget of the writer, in MiB.
    pub memory_mib: usize,
    /// Writer threads (0: one per core, at most 4).
    pub threads: usize,
    /// Where to report progress (the command line's bars).
    pub progress: crate::progress::Reporter,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            memory_mib: 256,
            threads: 0,
            progress: None,
        }
    }
}

/// What an index build or update did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IndexReport {
    /// Documents written.
    pub documents: u64,
    /// Seconds spent.
    pub seconds: f64,
    /// The generation served now.
    pub generation: String,
    /// The last import indexed.
    pub import_id: i64,
    /// Bytes of the index on disk.
    pub bytes: u64,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct GenerationMeta {
    format: u32,
    created: String,
}

/// The generation folder `CURRENT` names.
pub fn current_generation(root: &Path) -> Result<PathBuf, SearchError> {
    let name = std::fs::read_to_string(root.join("CURRENT"))
        .map_err(|_| SearchError::NoIndex(root.to_path_buf()))?;
    let name = name.trim();
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(SearchError::NoIndex(root.to_path_buf()));
    }
    Ok(root.join(name))
}

/// Opens the generation `CURRENT` names, checking its format version.
pub fn open_current(root: &Path) -> Result<(Index, PathBuf), SearchError> {
    open_generation(root, false)
}

/// Opens the generation `CURRENT` names for searching only: the folder may be read-only (see
/// `search::read_only`).
pub fn open_current_read_only(root: &Path) -> Result<(Index, PathBuf), SearchError> {
    open_generation(root, true)
}

fn open_generation(root: &Path, read_only: bool) -> Result<(Index, PathBuf), SearchError> {
    let dir = current_generation(root)?;
    let meta: GenerationMeta = std::fs::read(dir.join("lanshelf.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| SearchError::Incompatible {
            path: dir.clone(),
            found: 0,
        })?;
    if meta.format != FORMAT_VERSION {
        return Err(SearchError::Incompatible {
            path: dir,
            found: meta.format,
        });
    }
    let opened = if read_only {
        super::read_only::ReadOnlyDirectory::open(&dir)
            .map_err(tantivy::TantivyError::from)
            .and_then(Index::open)
    } else {
        Index::open_in_dir(&dir)
    };
    let mut index = opened.map_err(|e| SearchError::Open {
        path: dir.clone(),
        source: e,
    })?;
    // Segments are searched in parallel (a full build leaves one per writer thread).
    if index.searchable_segment_ids().map_or(0, |s| s.len()) > 1 {
        index.set_multithread_executor(cores())?;
    }
    register_tokenizers(&index);
    Ok((index, dir))
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Feeds the catalog rows of one collection (all, or those changed after `since`) to `sink`.
fn for_each_document(
    source: &IndexSource,
    fields: &Fields,
    lookups: &Lookups,
    collection: Collection,
    since: Option<i64>,
    mut sink: impl FnMut(u64, TantivyDocument) -> Result<(), SearchError>,
) -> Result<(), SearchError> {
    let mut idents = Vec::new();
    // The same few hundred spellings of languages, millions of times.
    let mut languages: HashMap<String, u64> = HashMap::new();
    source.for_each_row(collection, since, |r: &IndexRow| {
        let id = r.id;
        let mut title = strip_html(&r.title);
        if !r.volume.is_empty() {
            title.push(' ');
            title.push_str(&r.volume);
        }
        let mut series = r.series.clone();
        if !r.periodical.is_empty() {
            series.push(' ');
            series.push_str(&r.periodical);
        }
        let mut publisher = r.publisher.clone();
        let mut tags = String::with_capacity(r.tags.len() + r.edition.len() + 1);
        tags.push_str(&r.tags);
        tags.push(' ');
        tags.push_str(&r.edition);
        if let Some(t) = lookups.topics.get(r.topic.trim()) {
            tags.push(' ');
            tags.push_str(t);
        }
        idents.clear();
        let doi = &r.doi;
        // Papers' DOIs are found through the catalog's DOI index (see `SearchEngine::search`).
        if !doi.trim().is_empty() && collection != Collection::Scimag {
            idents.push(format!("doi:{}", doi.trim().to_lowercase()));
        }
        isbn_terms(&r.identifier, &mut idents);
        isbn_terms(&r.identifier_wodash, &mut idents);
        if let Some(issn) = parse_issn(&r.issn) {
            idents.push(format!("issn:{issn}"));
        }
        let mut journal = String::new();
        if collection == Collection::Scimag {
            journal.clone_from(&r.journal);
            let journal_id = &r.journal_id;
            if journal.trim().is_empty() && !journal_id.is_empty() {
                journal = lookups
                    .journals_by_journal_id
                    .get(journal_id)
                    .or_else(|| lookups.journals_by_id.get(journal_id))
                    .cloned()
                    .unwrap_or_default();
            }
            if let Some(issn) = parse_issn(&r.issne) {
                idents.push(format!("issn:{issn}"));
            }
            let pmid = &r.pubmed_id;
            if !pmid.trim().is_empty() {
                idents.push(format!("pmid:{}", pmid.trim()));
            }
            let prefix = doi.split('/').next().unwrap_or("").to_lowercase();
            if let Some(p) = lookups.publishers.get(&prefix) {
                publisher = p.clone();
            }
        }
        idents.sort();
        idents.dedup();
        let lang = match languages.get(&r.language) {
            Some(c) => *c,
            None => {
                let c = language_code(&r.language);
                if languages.len() < 100_000 {
                    languages.insert(r.language.clone(), c);
                }
                c
            }
        };
        let group = Group::of_language(language_iso639_3(lang));
        let ext = extension_code(&r.extension);
        let author = strip_html(&r.author);
        let mut d = doc!(
            fields.coll => collection.code(),
            fields.id => id,
            fields.lang => lang,
            fields.ext => ext,
            fields.year => year(&r.year),
            fields.size => r.filesize >> 10,
            fields.added => timestamp(r.time_added.as_deref()) / 86_400,
            fields.withdrawn => u64::from(!r.visible.trim().is_empty()),
            fields.superseded => u64::from(!r.generic.trim().is_empty()),
            fields.title_key => title_key(&title),
        );
        d.add_text(fields.title, &title);
        d.add_text(fields.author, &author);
        // The combined field, in word forms of the record's language group: the title twice
        // (its words weigh more), then every other field.
        let title_forms = group.value(&title);
        d.add_text(fields.text, &title_forms);
        d.add_text(fields.text, &title_forms);
        d.add_text(fields.text, group.value(&author));
        if !series.is_empty() {
            d.add_text(fields.series, &series);
            d.add_text(fields.text, group.value(&series));
        }
        if !publisher.is_empty() {
            d.add_text(fields.publisher, &publisher);
            d.add_text(fields.text, group.value(&publisher));
        }
        if !journal.is_empty() {
            d.add_text(fields.journal, &journal);
            d.add_text(fields.text, group.value(&journal));
        }
        if !tags.trim().is_empty() {
            d.add_text(fields.tags, &tags);
            d.add_text(fields.text, group.value(&tags));
        }
        d.add_pre_tokenized_text(
            fields.text,
            markers(&[
                Marker::Collection(collection.code()),
                Marker::Language(lang),
                Marker::Extension(ext),
            ]),
        );
        for i in &idents {
            d.add_text(fields.ident, i);
        }
        sink(id, d)
    })
}

/// Changed records replaced per batch by [`catch_up`].
const UPDATE_BATCH: usize = 20_000;

/// The documents of a set of records (by [`uid`]), found through the collection and id fast
/// fields: a query for deleting them.
#[derive(Debug, Clone)]
struct RecordsQuery(Arc<HashSet<u64>>);

impl Query for RecordsQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for RecordsQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let coll = reader.fast_fields().u64("coll")?.first_or_default_col(0);
        let id = reader.fast_fields().u64("id")?.first_or_default_col(0);
        let mut docs = BitSet::with_max_value(reader.max_doc());
        for doc in 0..reader.max_doc() {
            if self.0.contains(&uid(coll.get_val(doc), id.get_val(doc))) {
                docs.insert(doc);
            }
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(docs), boost)))
    }

    fn explain(&self, _: &SegmentReader, _: DocId) -> tantivy::Result<Explanation> {
        Ok(Explanation::new("a changed record", 1.0))
    }
}

/// The filter markers of a document, as one pre-tokenized value of the `text` field.
fn markers(values: &[Marker]) -> PreTokenizedString {
    let tokens = values
        .iter()
        .enumerate()
        .map(|(position, m)| Token {
            offset_from: 0,
            offset_to: 0,
            position,
            text: marker(*m),
            position_length: 1,
        })
        .collect();
    PreTokenizedString {
        text: String::new(),
        tokens,
    }
}

fn open_catalog(db: &Path) -> Result<IndexSource, SearchError> {
    IndexSource::open(db).map_err(|e| SearchError::Catalog(e.to_string()))
}

fn writer_threads(opts: &IndexOptions) -> usize {
    if opts.threads == 0 {
        cores().min(4)
    } else {
        opts.threads
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn writer(index: &Index, opts: &IndexOptions) -> Result<IndexWriter, SearchError> {
    let threads = writer_threads(opts);
    let budget = (opts.memory_mib << 20).max((threads * 20) << 20);
    index
        .writer_with_num_threads(threads, budget)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => SearchError::Busy,
            other => other.into(),
        })
}

/// The documents written, told to the reporter; the task ends when this is dropped.
struct Written(crate::progress::Reporter);

impl Written {
    fn start(reporter: &crate::progress::Reporter, task: &str, total: Option<u64>) -> Self {
        if let Some(r) = reporter {
            r.start(task, total, crate::progress::Unit::Items);
        }
        Written(reporter.clone())
    }

    fn set(&self, documents: u64, note: &str) {
        if let Some(r) = &self.0 {
            r.update(documents, note);
        }
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        if let Some(r) = &self.0 {
            r.finish();
        }
    }
}

/// How far the index is behind the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lag {
    /// The last import the index has seen (0: none).
    pub indexed: i64,
    /// The catalog's last import.
    pub catalog: i64,
    /// Records inserted or changed by the imports the index has not seen.
    pub records: u64,
}

impl Lag {
    /// Whether imports are missing from the index.
    pub fn is_behind(&self) -> bool {
        self.catalog > self.indexed
    }
}

/// The last import an index generation has seen (its commit payload; 0 when none).
pub fn indexed_import(index: &Index) -> i64 {
    index
        .load_metas()
        .ok()
        .and_then(|m| m.payload)
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(0)
}

/// How far the current index is behind the catalog: an index update may have been stopped
/// (a container stopped, a crash) after an import committed.
pub fn lag(db: &Path, root: &Path) -> Result<Lag, SearchError> {
    let (index, _) = open_current(root)?;
    let indexed = indexed_import(&index);
    let source = open_catalog(db)?;
    let catalog = source.last_import()?;
    let mut records = 0;
    if catalog > indexed {
        records = source.changed_since(indexed)?;
    }
    Ok(Lag {
        indexed,
        catalog,
        records,
    })
}

/// Builds a new generation from the whole catalog, makes it current, and removes the older
/// generations no reader holds (`generations`).
pub fn rebuild(db: &Path, root: &Path, opts: &IndexOptions) -> Result<IndexReport, SearchError> {
    let started = Instant::now();
    std::fs::create_dir_all(root).map_err(|e| SearchError::Io(root.to_path_buf(), e))?;
    let _updating = super::UpdateLock::acquire(root);
    let source = open_catalog(db)?;
    // One read transaction: a consistent snapshot even if an import commits meanwhile.
    source.begin()?;
    let import_id = source.last_import()?;
    let total = source.records()?;
    let lookups = source.lookups()?;
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let name = format!("gen-{stamp}");
    let dir = root.join(&name);
    std::fs::create_dir_all(&dir).map_err(|e| SearchError::Io(dir.clone(), e))?;
    let fields = Fields::new();
    // No field is stored, but the document store still keeps an offset per document: zstd in
    // large blocks packs those tighter than the default lz4 in 16 KiB blocks (61 → 31 MiB at
    // 16 M documents with zstd alone). Documents are never read back.
    let settings = tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(Default::default()),
        docstore_blocksize: 1 << 20,
        ..Default::default()
    };
    let index = Index::builder()
        .schema(fields.schema.clone())
        .settings(settings)
        .create_in_dir(&dir)?;
    register_tokenizers(&index);
    let mut writer = writer(&index, opts)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    let bar = Written::start(&opts.progress, "indexing", Some(total));
    let mut documents = 0u64;
    for collection in Collection::ALL {
        for_each_document(&source, &fields, &lookups, collection, None, |_, d| {
            writer.add_document(d)?;
            documents += 1;
            if documents.is_multiple_of(8192) {
                bar.set(documents, "documents");
            }
            Ok(())
        })?;
    }
    source.commit()?;
    bar.set(documents, "documents; merging the segments");
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&import_id.to_string());
    commit.commit()?;
    // One segment per writer thread: searches run their segments in parallel (see
    // `open_current`). The merges run one after the other: a merge maps its input segments (their
    // pages count in the process's resident memory) and allocates its own buffers, so merges side
    // by side held the whole index at once (at 10 M documents: +600 MB of mapped pages and
    // +140 MB of heap in the last 16 s of a 4-minute build). One at a time takes a little longer
    // and holds 1/threads of it.
    let parts = writer_threads(opts);
    let mut groups: Vec<(u32, Vec<tantivy::index::SegmentId>)> =
        vec![(0, Vec::new()); parts.max(1)];
    {
        // The segment metas must be dropped before the merges end: tantivy keeps the files of
        // every segment whose meta is still alive, and would leave the merged-away ones on disk.
        let mut metas = index.searchable_segment_metas()?;
        metas.sort_by_key(|m| std::cmp::Reverse(m.num_docs()));
        for m in metas {
            let g = groups.iter_mut().min_by_key(|g| g.0).expect("a group");
            g.0 += m.num_docs();
            g.1.push(m.id());
        }
    }
    for group in groups.into_iter().filter(|g| g.1.len() > 1) {
        writer.merge(&group.1).wait()?;
    }
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()?;
    drop(bar);
    let meta = GenerationMeta {
        format: FORMAT_VERSION,
        created: crate::clock::now_utc(),
    };
    std::fs::write(
        dir.join("lanshelf.json"),
        serde_json::to_vec(&meta).expect("json"),
    )
    .map_err(|e| SearchError::Io(dir.clone(), e))?;
    // Switch atomically, then drop the older generations no reader holds (a server still
    // serving the previous one removes it when it has switched: `generations`).
    let tmp = root.join("CURRENT.tmp");
    std::fs::write(&tmp, format!("{name}\n")).map_err(|e| SearchError::Io(tmp.clone(), e))?;
    std::fs::rename(&tmp, root.join("CURRENT"))
        .map_err(|e| SearchError::Io(root.to_path_buf(), e))?;
    super::generations::remove_unused(root);
    // Rows imported while the build read its snapshot.
    let caught_up = catch_up(db, root, opts)?;
    Ok(IndexReport {
        documents: documents + caught_up.documents,
        seconds: started.elapsed().as_secs_f64(),
        generation: name,
        import_id: caught_up.import_id.max(import_id),
        bytes: dir_size(&dir),
    })
}

/// Indexes the catalog rows changed by imports the current generation has not seen yet. Builds
/// the index from scratch when there is none.
pub fn catch_up(db: &Path, root: &Path, opts: &IndexOptions) -> Result<IndexReport, SearchError> {
    let started = Instant::now();
    let _updating = super::UpdateLock::acquire(root);
    let (index, dir) = match open_current(root) {
        Ok(found) => found,
        Err(SearchError::NoIndex(_)) => return rebuild(db, root, opts),
        Err(e) => return Err(e),
    };
    let seen = indexed_import(&index);
    let source = open_catalog(db)?;
    source.begin()?;
    let import_id = source.last_import()?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if import_id <= seen {
        return Ok(IndexReport {
            documents: 0,
            seconds: started.elapsed().as_secs_f64(),
            generation: name,
            import_id: seen,
            bytes: dir_size(&dir),
        });
    }
    let fields = Fields::new();
    let lookups = source.lookups()?;
    let mut writer = writer(
        &index,
        &IndexOptions {
            threads: 1,
            ..opts.clone()
        },
    )?;
    let total = if opts.progress.is_some() {
        Some(source.changed_since(seen)?)
    } else {
        None
    };
    let bar = Written::start(&opts.progress, "indexing", total);
    let mut documents = 0u64;
    // Changed records replace their documents a batch at a time: the old versions are deleted
    // (one pass over the collection and id columns per batch and segment: no per-record key is
    // indexed), then the new ones added, so the delete never reaches them.
    let mut batch: Vec<TantivyDocument> = Vec::new();
    let mut changed: HashSet<u64> = HashSet::new();
    let flush = |batch: &mut Vec<TantivyDocument>, changed: &mut HashSet<u64>| {
        if batch.is_empty() {
            return Ok::<_, SearchError>(());
        }
        writer.delete_query(Box::new(RecordsQuery(Arc::new(std::mem::take(changed)))))?;
        for d in batch.drain(..) {
            writer.add_document(d)?;
        }
        Ok(())
    };
    for collection in Collection::ALL {
        for_each_document(
            &source,
            &fields,
            &lookups,
            collection,
            Some(seen),
            |id, d| {
                changed.insert(uid(collection.code(), id));
                batch.push(d);
                documents += 1;
                if batch.len() >= UPDATE_BATCH {
                    flush(&mut batch, &mut changed)?;
                    bar.set(documents, "documents");
                }
                Ok(())
            },
        )?;
    }
    flush(&mut batch, &mut changed)?;
    bar.set(documents, "documents; committing");
    source.commit()?;
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&import_id.to_string());
    commit.commit()?;
    writer.wait_merging_threads()?;
    Ok(IndexReport {
        documents,
        seconds: started.elapsed().as_secs_f64(),
        generation: name,
        import_id,
        bytes: dir_size(&dir),
    })
}
