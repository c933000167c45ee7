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

mod map;
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
        let mut n = 0u64;
        match table.name.as_str() {
            "editions_to_files" => {
                let c = Columns::of(&def, &["f_id", "e_id"]);
                while let Some(row) = reader.next_row()? {
                    stage.link(c.int(&row, 0), c.int(&row, 1))?;
                    n += 1;
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
                }
            }
            _ => {}
        }
        summary.rows.insert(table.name.clone(), n);
        Ok(())
    })?;
    stage.name_keys(&names_of_keys);
    stage.index_links()?;

    // Second pass: the editions files link to, their details, and the files themselves.
    let mut batch = Batch::default();
    let mut details_indexed = false;
    source.rows(&tables, SECOND_PASS, &options, |table, reader| {
        let def = reader.table().clone();
        let mut n = 0u64;
        match table.name.as_str() {
            "editions" => {
                let mut names = vec!["e_id"];
                names.extend_from_slice(EDITION_COLUMNS);
                let c = Columns::of(&def, &names);
                while let Some(row) = reader.next_row()? {
                    n += 1;
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
                let mut names = vec!["f_id", "md5", "libgen_topic"];
                names.extend_from_slice(FILE_COLUMNS);
                let ids: Vec<&str> = crate::collection::INFO
                    .iter()
                    .map(|i| i.snapshot_id)
                    .collect();
                names.extend_from_slice(&ids);
                let c = Columns::of(&def, &names);
                let first_id = 3 + FILE_COLUMNS.len();
                while let Some(row) = reader.next_row()? {
                    n += 1;
                    if n.is_multiple_of(4096) && stop.load(Ordering::Relaxed) {
                        return Ok(());
                    }
                    let offset = row.offset();
                    let topic_letter = c.text(&row, 2);
                    let Some((collection, id_column)) = map::topic(&topic_letter) else {
                        batch.push_rejected(
                            &SPECS[0],
                            offset,
                            format!(
                                "file {} has an unknown topic `{topic_letter}`",
                                c.int(&row, 0)
                            ),
                        );
                        continue;
                    };
                    let id_at = first_id + ids.iter().position(|i| *i == id_column).unwrap_or(0);
                    let file = FileRow {
                        f_id: c.int(&row, 0),
                        md5: c.text(&row, 1),
                        topic_id: c.int(&row, id_at),
                        fields: FILE_COLUMNS
                            .iter()
                            .enumerate()
                            .map(|(i, name)| (*name, c.text(&row, 3 + i)))
                            .collect(),
                    };
                    summary.seen.insert(file.f_id.max(0) as u64);
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
            _ => {}
        }
        summary.rows.insert(table.name.clone(), n);
        Ok(())
    })?;
    let _ = tx.send(Message::Rows(batch));
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
