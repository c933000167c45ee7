//! The libgen.li snapshot: the MyISAM table files of the live Library Genesis database
//! (`libgen_new`), as a published multi-volume RAR or an extracted folder, imported into the
//! catalog's seven collections. Files are records: each `files` row becomes a record of its
//! topic's collection under the id of that topic's numbering (for sci-tech, fiction and papers
//! the classic ids, so a file in the classic dumps and in the snapshot is one record, updated
//! with the snapshot's fields), described by its edition (`editions_to_files`), the edition's
//! details (`editions_add_descr`: language, ISBNs, ISSN, description), its series and its work.
//!
//! The reading runs on a thread of its own, in two passes over the source: first the small
//! linking tables (`editions_to_files`, `elem_descr`, `series`, `works_to_editions`) into a
//! staging database, then `editions` and `editions_add_descr` (only what a file links to) and
//! `files`, whose rows become batches for the importer's usual writer. A table whose decoded
//! rows differ from its `.MYI` count fails the import. The writer's one transaction keeps the
//! catalog as it was on any failure.

pub(in crate::import) mod map;
mod source;
mod stage;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;

pub use map::SPECS;
pub use source::Source;

use super::batch::{Batch, Message};
use crate::dump::InputError;
use crate::myisam::{MyisamError, ReaderOptions};
use map::{Field, FileRow, Parts, FILE_COLUMNS};
pub use stage::IdSet;
use stage::{Columns, Edition, Stage, EDITION_COLUMNS};

/// Rows per batch handed to the writer.
const BATCH_ROWS: usize = 4096;

/// Rows between two progress ticks sent to the writer while staging (no records yet).
const TICK_ROWS: u64 = 1 << 16;

/// Tells the writer, which draws the progress, that reading goes on (an empty batch).
fn tick(tx: &SyncSender<Message>, n: u64) {
    if n.is_multiple_of(TICK_ROWS) {
        let _ = tx.send(Message::Rows(Batch::default()));
    }
}

/// Files per chunk handed to a describer.
const CHUNK_FILES: usize = 1024;

/// Threads that look files' editions up at most (each with its own staging connection).
const MAX_DESCRIBERS: usize = 4;

/// A file as decoded, before its edition is looked up.
struct Decoded {
    /// Its byte offset in `files.MYD`.
    offset: u64,
    /// What its row says.
    file: FileRow,
    /// Why it cannot be a record, if it cannot.
    rejected: Option<String>,
}

/// A describer: takes chunks of decoded files, looks each one's edition, details, series and
/// work up in the staging database, and sends the records to the writer.
fn describe(
    stage_path: &Path,
    cache_mib: u32,
    work: &std::sync::Mutex<std::sync::mpsc::Receiver<Vec<Decoded>>>,
    tx: &SyncSender<Message>,
) -> Result<(), SnapshotError> {
    let stage = Stage::open_reader(stage_path, cache_mib)?;
    let mut batch = Batch::default();
    loop {
        let chunk = {
            let rx = work.lock().unwrap_or_else(|e| e.into_inner());
            match rx.recv() {
                Ok(chunk) => chunk,
                Err(_) => break,
            }
        };
        for Decoded {
            offset,
            file,
            rejected,
        } in chunk
        {
            let Some(collection) = file.topic else {
                let reason = rejected.unwrap_or_else(|| "a file of no known topic".into());
                batch.push_rejected(&SPECS[0], offset, reason);
                continue;
            };
            let edition = match stage.editions_of(file.f_id)?.first() {
                Some(&e_id) => stage.get_edition(e_id)?,
                None => None,
            };
            let details = match &edition {
                Some(e) => stage.details(e.e_id)?,
                None => Vec::new(),
            };
            let series = match &edition {
                Some(e) => match e.get("issue_s_id").parse::<i64>() {
                    Ok(s) if s > 0 => stage.series_title(s)?,
                    _ => None,
                },
                None => None,
            };
            let work = match &edition {
                Some(e) => stage.work_of(e.e_id)?,
                None => None,
            };
            let spec = map::spec_of(collection);
            match map::record(
                collection,
                &Parts {
                    file: &file,
                    edition: edition.as_ref(),
                    details: &details,
                    series: series.as_deref(),
                    work,
                },
            ) {
                Ok(values) => batch.push_fields(spec, offset, &values),
                Err(reason) => batch.push_rejected(spec, offset, reason),
            }
            if batch.rows.len() >= BATCH_ROWS {
                batch.offset = offset;
                if tx.send(Message::Rows(std::mem::take(&mut batch))).is_err() {
                    return Ok(());
                }
            }
        }
    }
    let _ = tx.send(Message::Rows(batch));
    Ok(())
}

/// The tables read: the linking ones (first pass), then the described ones.
const FIRST_PASS: &[&str] = &[
    "editions_to_files",
    "elem_descr",
    "series",
    "works_to_editions",
];
const SECOND_PASS: &[&str] = &["editions", "editions_add_descr", "files"];
/// Without these there is nothing to import.
const REQUIRED: &[&str] = &["files", "editions", "editions_to_files"];

/// What can go wrong reading a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The archive could not be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A table file is damaged, foreign, or not what its `.MYI` says.
    #[error(transparent)]
    Table(#[from] MyisamError),
    /// A file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The staging database failed (a full disk?).
    #[error("the staging database beside the catalog")]
    Stage(#[from] rusqlite::Error),
    /// A table the import needs is not there.
    #[error("the snapshot has no `{0}` table (.frm, .MYD and .MYI): it is incomplete")]
    Missing(&'static str),
}

impl SnapshotError {
    fn io(path: &Path, source: std::io::Error) -> SnapshotError {
        SnapshotError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What the reading thread found, besides the rows it sent.
#[derive(Debug, Default)]
pub struct Summary {
    /// Rows decoded per snapshot table.
    pub rows: BTreeMap<String, u64>,
    /// The files (`f_id`) the snapshot holds: the others were removed from it.
    pub seen: IdSet,
}

/// What checking a snapshot found: each table's live rows, as its `.MYI` counts them too.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Rows decoded per table.
    pub rows: BTreeMap<String, u64>,
    /// Bytes of the tables read.
    pub bytes: u64,
}

/// Decodes every table of a snapshot the import reads (nothing is written), checking each one's
/// rows against its `.MYI` count: is the download complete and sound?
pub fn check(source: &Source) -> Result<CheckReport, SnapshotError> {
    let names: Vec<&str> = FIRST_PASS.iter().chain(SECOND_PASS).copied().collect();
    let tables = source.tables(&names)?;
    for required in REQUIRED {
        if !tables.contains_key(*required) {
            return Err(SnapshotError::Missing(required));
        }
    }
    let mut report = CheckReport::default();
    source.rows(
        &tables,
        &names,
        &ReaderOptions::default(),
        |table, reader| {
            let mut n = 0;
            while reader.next_row()?.is_some() {
                n += 1;
            }
            report.rows.insert(table.name.clone(), n);
            report.bytes += reader.stats().bytes;
            Ok(())
        },
    )?;
    Ok(report)
}

/// Reads a snapshot, sending batches of records to the writer; stops early when it hangs up or
/// `stop` is raised.
pub(super) fn read(
    source: &Source,
    stage_path: &Path,
    cache_mib: u32,
    tx: &SyncSender<Message>,
    stop: &AtomicBool,
) -> Result<Summary, SnapshotError> {
    let names: Vec<&str> = FIRST_PASS.iter().chain(SECOND_PASS).copied().collect();
    let tables = source.tables(&names)?;
    for required in REQUIRED {
        if !tables.contains_key(*required) {
            return Err(SnapshotError::Missing(required));
        }
    }
    let temp = stage_path.parent().map(Path::to_path_buf);
    let options = ReaderOptions {
        temp_dir: temp,
        ..ReaderOptions::default()
    };
    let mut stage = Stage::create(stage_path, cache_mib)?;
    let mut summary = Summary::default();
    let mut names_of_keys: Vec<(u32, String)> = Vec::new();

    // First pass: which file belongs to which edition, names of the detail keys, series, works.
    source.rows(&tables, FIRST_PASS, &options, |table, reader| {
        let def = reader.table().clone();
        let started = std::time::Instant::now();
        let mut n = 0u64;
        match table.name.as_str() {
            "editions_to_files" => {
                let c = Columns::of(&def, &["f_id", "e_id"]);
                while let Some(row) = reader.next_row()? {
                    stage.link(c.int(&row, 0), c.int(&row, 1))?;
                    n += 1;
                    tick(tx, n);
                }
            }
            "elem_descr" => {
                let c = Columns::of(&def, &["key", "name_en"]);
                while let Some(row) = reader.next_row()? {
                    names_of_keys.push((c.int(&row, 0) as u32, c.text(&row, 1)));
                    n += 1;
                }
            }
            "series" => {
                let c = Columns::of(&def, &["s_id", "title"]);
                while let Some(row) = reader.next_row()? {
                    stage.series(c.int(&row, 0), &c.text(&row, 1))?;
                    n += 1;
                }
            }
            "works_to_editions" => {
                let c = Columns::of(&def, &["w_id", "e_id"]);
                while let Some(row) = reader.next_row()? {
                    let e_id = c.int(&row, 1);
                    if stage.linked.contains(e_id.max(0) as u64) {
                        stage.work(e_id, c.int(&row, 0))?;
                    }
                    n += 1;
                    tick(tx, n);
                }
            }
            _ => {}
        }
        tracing::info!(table = %table.name, rows = n, seconds = started.elapsed().as_secs_f64(), "snapshot table read");
        summary.rows.insert(table.name.clone(), n);
        Ok(())
    })?;
    stage.name_keys(&names_of_keys);
    stage.index_links()?;

    // Second pass: the editions files link to, their details, and the files themselves.
    let mut details_indexed = false;
    source.rows(&tables, SECOND_PASS, &options, |table, reader| {
        let def = reader.table().clone();
        let started = std::time::Instant::now();
        let mut n = 0u64;
        match table.name.as_str() {
            "editions" => {
                let mut names = vec!["e_id"];
                names.extend_from_slice(EDITION_COLUMNS);
                let c = Columns::of(&def, &names);
                while let Some(row) = reader.next_row()? {
                    n += 1;
                    tick(tx, n);
                    let e_id = c.int(&row, 0);
                    if !stage.linked.contains(e_id.max(0) as u64) {
                        continue;
                    }
                    let fields = (1..names.len()).map(|i| c.text(&row, i)).collect();
                    stage.edition(&Edition { e_id, fields })?;
                }
            }
            "editions_add_descr" => {
                let c = Columns::of(&def, &["e_id", "key", "value"]);
                while let Some(row) = reader.next_row()? {
                    n += 1;
                    tick(tx, n);
                    let e_id = c.int(&row, 0);
                    let key = c.int(&row, 1) as u32;
                    if stage.detail(key).is_none() || !stage.linked.contains(e_id.max(0) as u64) {
                        continue;
                    }
                    stage.detail_value(e_id, key, &c.text(&row, 2))?;
                }
            }
            "files" => {
                if !details_indexed {
                    stage.index_details()?;
                    details_indexed = true;
                }
                // Staging is complete: readers may share it now.
                stage.release()?;
                let mut names = vec!["f_id", "md5", "libgen_topic"];
                names.extend_from_slice(FILE_COLUMNS);
                let ids: Vec<&str> = crate::collection::INFO
                    .iter()
                    .map(|i| i.snapshot_id)
                    .collect();
                names.extend_from_slice(&ids);
                let c = Columns::of(&def, &names);
                let first_id = 3 + FILE_COLUMNS.len();
                // This thread decodes the rows; describers look each file's edition up (one
                // staging connection each) and hand records to the writer, in any order.
                let describers = std::env::var("LANSHELF_SNAPSHOT_THREADS")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
                    .clamp(1, MAX_DESCRIBERS);
                let cache = (cache_mib / describers as u32).max(8);
                let failed: std::sync::Mutex<Option<SnapshotError>> = std::sync::Mutex::new(None);
                let (work_tx, work_rx) =
                    std::sync::mpsc::sync_channel::<Vec<Decoded>>(describers * 2);
                let work_rx = std::sync::Mutex::new(work_rx);
                std::thread::scope(|scope| -> Result<(), SnapshotError> {
                    for _ in 0..describers {
                        let (work_rx, failed, tx) = (&work_rx, &failed, tx.clone());
                        scope.spawn(move || {
                            if let Err(e) = describe(stage_path, cache, work_rx, &tx) {
                                failed
                                    .lock()
                                    .unwrap_or_else(|e| e.into_inner())
                                    .get_or_insert(e);
                            }
                        });
                    }
                    let mut chunk = Vec::with_capacity(CHUNK_FILES);
                    while let Some(row) = reader.next_row()? {
                        n += 1;
                        if n.is_multiple_of(4096)
                            && (stop.load(Ordering::Relaxed)
                                || failed.lock().is_ok_and(|f| f.is_some()))
                        {
                            break;
                        }
                        let offset = row.offset();
                        let topic_letter = c.text(&row, 2);
                        let f_id = c.int(&row, 0);
                        let decoded = match map::topic(&topic_letter) {
                            None => Decoded {
                                offset,
                                file: FileRow {
                                    f_id,
                                    ..FileRow::default()
                                },
                                rejected: Some(format!(
                                    "file {f_id} has an unknown topic `{topic_letter}`"
                                )),
                            },
                            Some((collection, id_column)) => {
                                let id_at = first_id
                                    + ids.iter().position(|i| *i == id_column).unwrap_or(0);
                                summary.seen.insert(f_id.max(0) as u64);
                                Decoded {
                                    offset,
                                    file: FileRow {
                                        f_id,
                                        md5: c.text(&row, 1),
                                        topic: Some(collection),
                                        topic_id: c.int(&row, id_at),
                                        fields: FILE_COLUMNS
                                            .iter()
                                            .enumerate()
                                            .map(|(i, name)| (*name, c.text(&row, 3 + i)))
                                            .collect(),
                                    },
                                    rejected: None,
                                }
                            }
                        };
                        chunk.push(decoded);
                        if chunk.len() >= CHUNK_FILES
                            && work_tx
                                .send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_FILES)))
                                .is_err()
                        {
                            break;
                        }
                    }
                    if !chunk.is_empty() {
                        let _ = work_tx.send(chunk);
                    }
                    drop(work_tx);
                    Ok(())
                })?;
                if let Some(e) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
                    return Err(e);
                }
            }
            _ => {}
        }
        tracing::info!(table = %table.name, rows = n, seconds = started.elapsed().as_secs_f64(), "snapshot table read");
        summary.rows.insert(table.name.clone(), n);
        Ok(())
    })?;
    Ok(summary)
}

impl Batch {
    /// Adds a row of converted values, one per column of `spec`.
    pub(super) fn push_fields(
        &mut self,
        spec: &'static super::TableSpec,
        offset: u64,
        values: &[Field],
    ) {
        let first = self.values.len();
        for v in values {
            let v = match v {
                Field::Null => super::batch::Val::Null,
                Field::Int(n) => super::batch::Val::Int(*n),
                Field::Text(s) => {
                    let start = self.text.len() as u32;
                    self.text.push_str(s);
                    super::batch::Val::Text(start, self.text.len() as u32)
                }
            };
            self.values.push(v);
        }
        self.rows.push(super::batch::ReadyRow {
            spec,
            offset,
            first,
            rejected: None,
        });
    }

    /// Adds a row that cannot be imported, with the reason.
    pub(super) fn push_rejected(
        &mut self,
        spec: &'static super::TableSpec,
        offset: u64,
        reason: String,
    ) {
        self.rows.push(super::batch::ReadyRow {
            spec,
            offset,
            first: self.values.len(),
            rejected: Some(reason),
        });
    }
}
