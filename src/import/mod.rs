//! The importer: maps dump rows onto catalog rows and writes them, all files of one command in one
//! SQLite transaction, so that a failed or interrupted import leaves the catalog as it was and a
//! reader never sees half an import. Owns the bulk write path (rusqlite on the raw connection:
//! sqlx's worker thread costs too much per row); the schema itself belongs to `migrations/`.

mod batch;
pub mod snapshot;
mod spec;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, Statement};
use serde::Serialize;

use crate::clock::now_utc;
use crate::dump::{self, DumpError, InputError};
use crate::Collection;
use batch::{Batch, ReadyRow, Val};

pub use spec::TABLES;

/// How a dump column's text becomes a catalog value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, decoded lossily from UTF-8.
    Text,
    /// An integer (a bare number or a quoted one).
    Int,
    /// An MD5, lower-cased.
    Md5,
    /// A UTC time stamp; the zero date is NULL.
    Time,
    /// Like `Time`, and `updated`'s default `2000-01-01 05:00:00` is NULL too.
    Time2000,
}

/// One column of a dump table and its catalog column.
#[derive(Debug)]
pub struct ColumnSpec {
    /// The column name in the dump's `CREATE TABLE` (matched case-insensitively).
    pub dump: &'static str,
    /// The catalog column.
    pub column: &'static str,
    /// How the value is converted.
    pub kind: Kind,
}

/// One dump table the importer reads.
#[derive(Debug)]
pub struct TableSpec {
    /// The table's name in the dump.
    pub dump: &'static str,
    /// The catalog table.
    pub table: &'static str,
    /// The collection it belongs to.
    pub collection: Collection,
    /// The catalog column rows are upserted by.
    pub key: &'static str,
    /// Whether the table has an `import_id` column (rows the search index follows).
    pub tracked: bool,
    /// The columns.
    pub columns: &'static [ColumnSpec],
}

impl TableSpec {
    /// The spec for a dump table name, if the importer reads it.
    pub fn for_dump_table(name: &str) -> Option<&'static TableSpec> {
        TABLES.iter().find(|t| t.dump.eq_ignore_ascii_case(name))
    }
}

/// What can make an import fail. Every variant leaves the catalog unchanged.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be opened.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A libgen.li snapshot could not be read (its message names the table or member).
    #[error("{file}")]
    Snapshot {
        /// The snapshot (its folder or first volume).
        file: String,
        /// What went wrong.
        #[source]
        source: snapshot::SnapshotError,
    },
    /// The dump is truncated, foreign or malformed.
    #[error("{file}")]
    Dump {
        /// The file.
        file: String,
        /// What went wrong, with its byte offset.
        #[source]
        source: DumpError,
    },
    /// The file holds none of the tables of the three collections.
    #[error("{file}: no Library Genesis table found (expected `updated`, `fiction` or `scimag` data); nothing was imported")]
    NoTables {
        /// The file.
        file: String,
    },
    /// Too many rows of a table were rejected: the dump's layout changed, or it is damaged.
    #[error("{file}: {rejected} of {rows} rows of table `{table}` were rejected ({reason}); above {limit} %, a dump's layout has changed or it is damaged, so nothing was imported (allow more with --max-rejected)")]
    TooManyRejected {
        /// The file.
        file: String,
        /// The catalog table.
        table: String,
        /// Rows rejected.
        rejected: u64,
        /// Rows read.
        rows: u64,
        /// The first rejection, with its byte offset.
        reason: String,
        /// The limit, in percent.
        limit: f64,
    },
    /// The catalog could not be written (full disk, locked, corrupt).
    #[error("{file}: catalog write failed near byte {offset}")]
    Sqlite {
        /// The file being imported.
        file: String,
        /// Where in the dump.
        offset: u64,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The catalog could not be opened or committed.
    #[error("catalog {path}")]
    Catalog {
        /// The catalog file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// Ctrl-C or SIGTERM.
    #[error(
        "{file}: interrupted at byte {offset}; the catalog was left as it was before the import"
    )]
    Interrupted {
        /// The file.
        file: String,
        /// Where.
        offset: u64,
    },
}

/// Settings of an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// SQLite page cache for the import, in MiB.
    pub cache_mib: u32,
    /// Where to report progress (the command line's bars); without one, a log line every ten
    /// seconds.
    pub progress: crate::progress::Reporter,
    /// The catalog is a new file nobody else has open: write it without a journal (a failed
    /// import must then delete it; see `commands::import_into`).
    pub fresh: bool,
    /// Where to publish how far the import is (the portal's home page reads it).
    pub observer: Option<Arc<ImportProgress>>,
    /// The password of encrypted RAR archives.
    pub password: Option<Password>,
    /// The share of a table's rows that may be rejected, in percent, before the import fails
    /// (small tables, under [`SMALL_TABLE`] rows, fail only when most of their rows are).
    pub max_rejected: f64,
}

/// Below this many rows a table's rejections are judged by majority, not by percentage: a
/// sample with one odd row is not a changed layout.
pub const SMALL_TABLE: u64 = 100;

/// The first table of a file's report whose rejections pass the limit, if any.
fn too_many_rejected(report: &FileReport, limit: f64) -> Option<ImportError> {
    report.tables.iter().find_map(|(table, t)| {
        let limit = if t.rows < SMALL_TABLE {
            limit.max(50.0)
        } else {
            limit
        };
        let over = t.rejected as f64 * 100.0 > limit * t.rows as f64;
        over.then(|| ImportError::TooManyRejected {
            file: report.file.clone(),
            table: table.clone(),
            rejected: t.rejected,
            rows: t.rows,
            reason: t
                .rejections
                .first()
                .map(|r| format!("first at byte {}: {}", r.offset, r.reason))
                .unwrap_or_default(),
            limit,
        })
    })
}

/// A password, never shown in logs or debug output.
#[derive(Clone)]
pub struct Password(pub String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

pub use crate::activity::ImportProgress;

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            cache_mib: 64,
            progress: None,
            fresh: false,
            observer: None,
            password: None,
            max_rejected: 1.0,
        }
    }
}

/// A rejected row: where it was and why.
#[derive(Debug, Clone, Serialize)]
pub struct Rejection {
    /// Byte offset of the row in the (decompressed) dump.
    pub offset: u64,
    /// Why it was rejected.
    pub reason: String,
}

/// What happened to one catalog table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TableReport {
    /// Rows read from the dump.
    pub rows: u64,
    /// Rows that were new.
    pub inserted: u64,
    /// Rows that existed and changed.
    pub updated: u64,
    /// Rows that existed unchanged.
    pub unchanged: u64,
    /// Rows that could not be imported.
    pub rejected: u64,
    /// The first few rejections.
    pub rejections: Vec<Rejection>,
}

impl TableReport {
    /// Adds the counts of another dump of the same file (several dumps in one archive).
    fn add(&mut self, other: TableReport) {
        self.rows += other.rows;
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.rejected += other.rejected;
        let room = REJECTIONS_KEPT.saturating_sub(self.rejections.len());
        self.rejections
            .extend(other.rejections.into_iter().take(room));
    }
}

/// What happened to one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file as named on the command line.
    pub file: String,
    /// Its container or compression.
    pub format: String,
    /// Bytes of SQL text read.
    pub bytes: u64,
    /// Collections found in it.
    pub collections: Vec<Collection>,
    /// Per catalog table.
    pub tables: BTreeMap<String, TableReport>,
    /// Rows of tables the catalog does not keep, by dump table.
    pub ignored: BTreeMap<String, u64>,
    /// Rows read of each table of a libgen.li snapshot (its records are in `tables`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub read: BTreeMap<String, u64>,
    /// Records of a libgen.li snapshot's files that a newer snapshot no longer holds (marked
    /// removed, not deleted).
    #[serde(skip_serializing_if = "is_zero")]
    pub removed: u64,
    /// Wall-clock time.
    pub seconds: f64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl FileReport {
    /// Rows read into catalog tables.
    pub fn rows(&self) -> u64 {
        self.tables.values().map(|t| t.rows).sum()
    }
}

/// The outcome of one import command.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The import's id in the `imports` table.
    pub import_id: i64,
    /// One report per file.
    pub files: Vec<FileReport>,
}

const REJECTIONS_KEPT: usize = 5;

/// A prepared upsert for one catalog table.
struct TableWriter<'c> {
    spec: &'static TableSpec,
    stmt: Statement<'c>,
}

fn upsert_sql(spec: &TableSpec) -> String {
    let cols: Vec<&str> = spec.columns.iter().map(|c| c.column).collect();
    let mut names = cols.join(", ");
    let mut params: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let mut sets: Vec<String> = cols
        .iter()
        .filter(|c| **c != spec.key)
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let compared: Vec<&str> = cols.iter().copied().filter(|c| *c != spec.key).collect();
    let old = compared
        .iter()
        .map(|c| format!("{}.{c}", spec.table))
        .collect::<Vec<_>>();
    let new = compared
        .iter()
        .map(|c| format!("excluded.{c}"))
        .collect::<Vec<_>>();
    if spec.tracked {
        names.push_str(", import_id");
        params.push(format!("?{}", cols.len() + 1));
        sets.push("import_id = excluded.import_id".into());
    }
    format!(
        "INSERT INTO {table} ({names}) VALUES ({params}) ON CONFLICT({key}) DO UPDATE SET {sets} WHERE ({old}) IS NOT ({new})",
        table = spec.table,
        params = params.join(", "),
        key = spec.key,
        sets = sets.join(", "),
        old = old.join(", "),
        new = new.join(", "),
    )
}

impl<'c> TableWriter<'c> {
    fn new(conn: &'c Connection, spec: &'static TableSpec) -> rusqlite::Result<Self> {
        let stmt = conn.prepare(&upsert_sql(spec))?;
        Ok(TableWriter { spec, stmt })
    }

    /// Writes one converted row; true when it inserted or changed a row.
    fn write(&mut self, batch: &Batch, row: &ReadyRow, import_id: i64) -> rusqlite::Result<bool> {
        let values = &batch.values[row.first..row.first + self.spec.columns.len()];
        for (j, v) in values.iter().enumerate() {
            match *v {
                Val::Null => self.stmt.raw_bind_parameter(j + 1, rusqlite::types::Null)?,
                Val::Int(n) => self.stmt.raw_bind_parameter(j + 1, n)?,
                Val::Text(a, b) => self.stmt.raw_bind_parameter(j + 1, batch.text(a, b))?,
            }
        }
        if self.spec.tracked {
            self.stmt
                .raw_bind_parameter(self.spec.columns.len() + 1, import_id)?;
        }
        Ok(self.stmt.raw_execute()? > 0)
    }
}

/// Opens the catalog for writing with the settings of a bulk import.
fn open_for_import(path: &Path, opts: &ImportOptions) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    // A new catalog is written once, sequentially, with no journal; an existing one through the
    // write-ahead log, so readers keep their snapshot and a failure rolls back.
    let journal = if opts.fresh {
        "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
    } else {
        // After a checkpoint, the log is cut back to this size instead of keeping the space of
        // its largest transaction (a failed big import would otherwise hold it, issue 18).
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864;"
    };
    conn.execute_batch(&format!(
        "{journal} PRAGMA cache_size = -{}; PRAGMA temp_store = FILE;",
        opts.cache_mib as u64 * 1024
    ))?;
    Ok(conn)
}

/// Rolls the import's transaction back and gives the write-ahead log's space back: what the
/// failed import wrote into it is garbage, and on a small disk the next import needs the room.
fn rollback(conn: &Connection) {
    let _ = conn.execute_batch("ROLLBACK");
    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
}

fn count_rows(conn: &Connection, table: &str) -> rusqlite::Result<u64> {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| n as u64)
}

/// Secondary indexes of a table, as `(name, sql)`, so a bulk load into an empty table can drop
/// them and build them once at the end.
fn secondary_indexes(conn: &Connection, table: &str) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL")?;
    let rows = stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Imports dump files into the catalog at `db` (which must exist with its migrations applied), in
/// one transaction. `stop` is polled to honour Ctrl-C.
pub fn import_files(
    db: &Path,
    files: &[PathBuf],
    opts: &ImportOptions,
    stop: &AtomicBool,
) -> Result<ImportReport, ImportError> {
    let catalog_err = |source| ImportError::Catalog {
        path: db.to_path_buf(),
        source,
    };
    let conn = open_for_import(db, opts).map_err(catalog_err)?;
    conn.execute_batch("BEGIN IMMEDIATE").map_err(catalog_err)?;
    match write_all(&conn, db, files, opts, stop) {
        Ok(report) => {
            if opts.fresh {
                // Back to WAL for the readers and later imports.
                conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA locking_mode = NORMAL;")
                    .map_err(catalog_err)?;
            } else {
                // Fold the write-ahead log back into the database; harmless if readers hold
                // it open.
                let _ = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)");
            }
            Ok(report)
        }
        Err(e) => {
            // Dropping the uncommitted transaction restores the catalog.
            rollback(&conn);
            Err(e)
        }
    }
}

/// The inside of [`import_files`]'s transaction, up to its commit.
fn write_all(
    conn: &Connection,
    db: &Path,
    files: &[PathBuf],
    opts: &ImportOptions,
    stop: &AtomicBool,
) -> Result<ImportReport, ImportError> {
    let catalog_err = |source| ImportError::Catalog {
        path: db.to_path_buf(),
        source,
    };
    let started = now_utc();
    let import_id: i64 = conn
        .query_row("SELECT coalesce(max(id), 0) + 1 FROM imports", [], |r| {
            r.get(0)
        })
        .map_err(catalog_err)?;
    let mut state = ImportState {
        conn,
        writers: BTreeMap::new(),
        deferred: Vec::new(),
        import_id,
    };
    let mut reports = Vec::new();
    for file in files {
        let result =
            state.import_file(file, opts, stop).and_then(|report| {
                match too_many_rejected(&report, opts.max_rejected) {
                    Some(e) => Err(e),
                    None => Ok(report),
                }
            });
        reports.push(result?);
    }
    state.finish().map_err(catalog_err)?;
    let finished = now_utc();
    for (i, report) in reports.iter().enumerate() {
        let stamp = dump::stamp(&files[i]);
        let collections: Vec<&str> = report.collections.iter().map(|c| c.slug()).collect();
        let rejected: u64 = report.tables.values().map(|t| t.rejected).sum();
        conn.execute(
            "INSERT INTO imports (id, file, file_size, file_mtime, format, collections, started_at, finished_at, bytes, rows_json, rejected)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            rusqlite::params![
                if i == 0 { Some(import_id) } else { None },
                report.file,
                stamp.map(|(size, _)| size as i64),
                stamp.map(|(_, mtime)| mtime),
                report.format,
                collections.join(","),
                started,
                finished,
                report.bytes as i64,
                serde_json::to_string(&report.tables).unwrap_or_default(),
                rejected as i64,
            ],
        )
        .map_err(catalog_err)?;
    }
    conn.execute_batch("COMMIT").map_err(catalog_err)?;
    Ok(ImportReport {
        import_id,
        files: reports,
    })
}

struct ImportState<'c> {
    conn: &'c Connection,
    /// One upsert per spec (a table may be written through several: the classic dump's columns
    /// and the snapshot's), keyed by the spec's address.
    writers: BTreeMap<usize, TableWriter<'c>>,
    /// Indexes dropped for a bulk load, rebuilt in `finish`.
    deferred: Vec<(String, String)>,
    import_id: i64,
}

impl<'c> ImportState<'c> {
    fn writer(&mut self, spec: &'static TableSpec) -> rusqlite::Result<&mut TableWriter<'c>> {
        let key = spec as *const TableSpec as usize;
        if !self.writers.contains_key(&key) {
            if count_rows(self.conn, spec.table)? == 0 {
                for (name, sql) in secondary_indexes(self.conn, spec.table)? {
                    self.conn.execute_batch(&format!("DROP INDEX {name}"))?;
                    self.deferred.push((name, sql));
                }
            }
            let writer = TableWriter::new(self.conn, spec)?;
            self.writers.insert(key, writer);
        }
        Ok(self.writers.get_mut(&key).expect("just inserted"))
    }

    fn finish(mut self) -> rusqlite::Result<()> {
        self.writers.clear();
        for (name, sql) in std::mem::take(&mut self.deferred) {
            let started = Instant::now();
            self.conn.execute_batch(&sql)?;
            tracing::info!(index = %name, seconds = started.elapsed().as_secs_f64(), "built catalog index");
        }
        Ok(())
    }

    fn import_file(
        &mut self,
        path: &Path,
        opts: &ImportOptions,
        stop: &AtomicBool,
    ) -> Result<FileReport, ImportError> {
        let started = Instant::now();
        let password = opts.password.as_ref().map(|p| p.0.as_bytes());
        if let Some(source) = snapshot::Source::detect(path, password)? {
            return self.import_snapshot(source, opts, stop, started);
        }
        let mut dumps = dump::open(path, password)?;
        let name = dumps.name.clone();
        let format = dumps.format;
        let position = dumps.position.clone();
        let progress = Progress::new(
            &name,
            dumps.size,
            opts.progress.clone(),
            opts.observer.clone(),
        );
        let mut report = FileReport {
            file: name.clone(),
            format: format.name().to_string(),
            bytes: 0,
            collections: Vec::new(),
            tables: BTreeMap::new(),
            ignored: BTreeMap::new(),
            read: BTreeMap::new(),
            removed: 0,
            seconds: 0.0,
        };
        let mut rows = 0;
        while let Some(input) = dumps.next_dump() {
            let input = input?;
            rows = self.import_dump(input, &mut report, rows, stop, &progress, &position)?;
        }
        if report.tables.is_empty() {
            return Err(ImportError::NoTables { file: name });
        }
        report.collections.sort();
        report.collections.dedup();
        progress.finish(rows);
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Imports a libgen.li snapshot: a reading thread turns its files into records (through a
    /// staging database beside the catalog, deleted afterwards), this one writes them.
    fn import_snapshot(
        &mut self,
        source: snapshot::Source,
        opts: &ImportOptions,
        stop: &AtomicBool,
        started: Instant,
    ) -> Result<FileReport, ImportError> {
        let name = source.name();
        let position = source.position();
        let progress = Progress::new(
            &name,
            source.size(),
            opts.progress.clone(),
            opts.observer.clone(),
        );
        let dir = self
            .conn
            .path()
            .and_then(|p| Path::new(p).parent().map(Path::to_path_buf))
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        let io_err = |e: std::io::Error| ImportError::Snapshot {
            file: name.clone(),
            source: snapshot::SnapshotError::Io {
                path: dir.clone(),
                source: e,
            },
        };
        // Removed on drop, whatever happens; a `kill -9` leaves it for the next import to sweep
        // (this one holds the catalog's write lock: no other import is running).
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                if entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".lanshelf-stage-")
                {
                    tracing::info!(path = %entry.path().display(), "removing the staging files a stopped import left");
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let staging = tempfile::Builder::new()
            .prefix(".lanshelf-stage-")
            .suffix(".sqlite")
            .tempdir_in(&dir)
            .map_err(io_err)?;
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        let stage_path = staging.path().join("stage.sqlite");
        let (read, written) = std::thread::scope(|scope| {
            let reader = std::thread::Builder::new()
                .name("snapshot-reader".into())
                .spawn_scoped(scope, || {
                    let result = snapshot::read(&source, &stage_path, opts.cache_mib, &tx, stop);
                    drop(tx);
                    result
                });
            let Ok(reader) = reader else {
                return (
                    None,
                    Err(io_err(std::io::Error::other("cannot start a thread"))),
                );
            };
            let written = self.write_batches(&name, &rx, stop, &progress, &position, 0);
            // Hang up first so a reader still working stops, then collect it.
            drop(rx);
            (reader.join().ok(), written)
        });
        let format = source.format();
        let read = read.ok_or_else(|| ImportError::Snapshot {
            file: name.clone(),
            source: snapshot::SnapshotError::Io {
                path: PathBuf::from(&name),
                source: std::io::Error::other("the snapshot reader thread panicked"),
            },
        })?;
        // The reader's error explains a writer that stopped for want of rows.
        let summary = read.map_err(|source| ImportError::Snapshot {
            file: name.clone(),
            source,
        })?;
        let written = written?;
        let mut report = FileReport {
            file: name.clone(),
            format: format.to_string(),
            bytes: position.load(Ordering::Relaxed),
            collections: written.collections.clone(),
            tables: BTreeMap::new(),
            ignored: BTreeMap::new(),
            read: summary.rows.clone(),
            removed: 0,
            seconds: 0.0,
        };
        for (table, mut table_report) in written.tables {
            let after = count_rows(self.conn, &table).map_err(|source| ImportError::Sqlite {
                file: name.clone(),
                offset: 0,
                source,
            })?;
            let key: &str = &table;
            let before = written
                .counts_before
                .iter()
                .find(|(t, _)| **t == key)
                .map_or(0, |(_, n)| *n);
            let changed = written
                .changed
                .iter()
                .find(|(t, _)| **t == key)
                .map_or(0, |(_, n)| *n);
            table_report.inserted = after.saturating_sub(before);
            table_report.updated = changed.saturating_sub(table_report.inserted);
            table_report.unchanged = table_report.rows - table_report.rejected - changed;
            report.tables.insert(table, table_report);
        }
        report.removed =
            self.mark_removed(&summary.seen)
                .map_err(|source| ImportError::Sqlite {
                    file: name.clone(),
                    offset: 0,
                    source,
                })?;
        progress.finish(written.rows);
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Marks the records of snapshot files that the snapshot just read no longer holds (a newer
    /// complete snapshot without them); records it holds again are unmarked by their upsert.
    fn mark_removed(&self, seen: &snapshot::IdSet) -> rusqlite::Result<u64> {
        let now = now_utc();
        let mut removed = 0;
        for spec in snapshot::SPECS.iter() {
            let gone: Vec<i64> = {
                let mut stmt = self.conn.prepare(&format!(
                    "SELECT id, li_f_id FROM {} WHERE li_f_id IS NOT NULL AND li_removed IS NULL",
                    spec.table
                ))?;
                let rows =
                    stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
                let mut gone = Vec::new();
                for row in rows {
                    let (id, f_id) = row?;
                    if !seen.contains(f_id.max(0) as u64) {
                        gone.push(id);
                    }
                }
                gone
            };
            let mut update = self.conn.prepare(&format!(
                "UPDATE {} SET li_removed = ?1 WHERE id = ?2",
                spec.table
            ))?;
            for id in gone {
                removed += update.execute(rusqlite::params![now, id])? as u64;
            }
        }
        Ok(removed)
    }

    /// Imports one dump of a file (the file itself, or one member of an archive) and adds what
    /// it did to `report`. Returns the rows read so far in the file.
    fn import_dump(
        &mut self,
        input: dump::DumpInput,
        report: &mut FileReport,
        rows_before: u64,
        stop: &AtomicBool,
        progress: &Progress,
        position: &std::sync::atomic::AtomicU64,
    ) -> Result<u64, ImportError> {
        let name = input.name.clone();
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        let verify = input.checked_at_end();
        let source = input.reader;
        let reader = std::thread::Builder::new()
            .name("dump-reader".into())
            .spawn(move || batch::read_dump(source, tx, verify))
            .map_err(|e| InputError::Io {
                path: PathBuf::from(&name),
                source: e,
            })?;
        let result = self.write_batches(&name, &rx, stop, progress, position, rows_before);
        // Hang up first so a reader still parsing stops, then collect it.
        drop(rx);
        let summary = reader.join().map_err(|_| ImportError::Dump {
            file: name.clone(),
            source: DumpError::Io {
                offset: 0,
                source: std::io::Error::other("the dump reader thread panicked"),
            },
        })?;
        let written = result?;
        for (table, mut table_report) in written.tables {
            let spec = TABLES
                .iter()
                .find(|t| t.table == table)
                .expect("known table");
            let after =
                count_rows(self.conn, spec.table).map_err(|source| ImportError::Sqlite {
                    file: name.clone(),
                    offset: summary.bytes,
                    source,
                })?;
            let changed = written.changed.get(spec.table).copied().unwrap_or(0);
            table_report.inserted = after.saturating_sub(written.counts_before[spec.table]);
            table_report.updated = changed.saturating_sub(table_report.inserted);
            table_report.unchanged = table_report.rows - table_report.rejected - changed;
            report.tables.entry(table).or_default().add(table_report);
        }
        report.collections.extend(written.collections);
        report.bytes += summary.bytes;
        for (table, n) in summary.ignored {
            *report.ignored.entry(table).or_default() += n;
        }
        Ok(written.rows)
    }

    /// The writing half of the pipeline: binds and executes the rows the reader converted.
    fn write_batches(
        &mut self,
        name: &str,
        rx: &std::sync::mpsc::Receiver<batch::Message>,
        stop: &AtomicBool,
        progress: &Progress,
        position: &std::sync::atomic::AtomicU64,
        rows_before: u64,
    ) -> Result<Written, ImportError> {
        let mut tables: BTreeMap<String, TableReport> = BTreeMap::new();
        let mut counts_before: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut changed: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut collections = Vec::new();
        let mut n: u64 = rows_before;
        let import_id = self.import_id;
        for message in rx {
            let batch = match message {
                batch::Message::Rows(batch) => batch,
                batch::Message::Failed(source) => {
                    return Err(ImportError::Dump {
                        file: name.to_string(),
                        source,
                    })
                }
            };
            if stop.load(Ordering::Relaxed) {
                return Err(ImportError::Interrupted {
                    file: name.to_string(),
                    offset: batch.offset,
                });
            }
            for row in &batch.rows {
                let spec = row.spec;
                let sql_err = |source| ImportError::Sqlite {
                    file: name.to_string(),
                    offset: row.offset,
                    source,
                };
                if !counts_before.contains_key(spec.table) {
                    counts_before.insert(
                        spec.table,
                        count_rows(self.conn, spec.table).map_err(sql_err)?,
                    );
                    if !collections.contains(&spec.collection) {
                        collections.push(spec.collection);
                    }
                }
                let report = tables.entry(spec.table.to_string()).or_default();
                report.rows += 1;
                if let Some(reason) = &row.rejected {
                    report.rejected += 1;
                    if report.rejections.len() < REJECTIONS_KEPT {
                        report.rejections.push(Rejection {
                            offset: row.offset,
                            reason: reason.clone(),
                        });
                    }
                    continue;
                }
                let writer = self.writer(spec).map_err(sql_err)?;
                if writer.write(&batch, row, import_id).map_err(sql_err)? {
                    *changed.entry(spec.table).or_default() += 1;
                }
            }
            n += batch.rows.len() as u64;
            progress.update(position.load(Ordering::Relaxed), n);
        }
        collections.sort();
        Ok(Written {
            tables,
            counts_before,
            changed,
            collections,
            rows: n,
        })
    }
}

/// What the writing half of one dump's import did.
struct Written {
    /// Rows read, rejected, per dump table.
    tables: BTreeMap<String, TableReport>,
    /// Rows in each catalog table before the dump.
    counts_before: BTreeMap<&'static str, u64>,
    /// Rows inserted or changed per catalog table.
    changed: BTreeMap<&'static str, u64>,
    /// The collections the dump holds.
    collections: Vec<Collection>,
    /// Rows read so far in the file.
    rows: u64,
}

/// Progress told to the reporter (a bar on a terminal), or a log line every ten seconds.
struct Progress {
    reporter: crate::progress::Reporter,
    name: String,
    size: Option<u64>,
    started: Instant,
    last_log: std::cell::Cell<Instant>,
    observer: Option<Arc<ImportProgress>>,
}

impl Progress {
    fn new(
        name: &str,
        size: Option<u64>,
        reporter: crate::progress::Reporter,
        observer: Option<Arc<ImportProgress>>,
    ) -> Self {
        if let Some(o) = &observer {
            o.start(size);
        }
        if let Some(r) = &reporter {
            r.start(name, size, crate::progress::Unit::Bytes);
        }
        Progress {
            reporter,
            name: name.to_string(),
            size,
            started: Instant::now(),
            last_log: std::cell::Cell::new(Instant::now()),
            observer,
        }
    }

    fn update(&self, position: u64, rows: u64) {
        let rate = rows as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
        if let Some(o) = &self.observer {
            o.set(position, rows);
        }
        if let Some(r) = &self.reporter {
            r.update(position, &format!("{rows} rows, {rate:.0} rows/s"));
        } else if self.last_log.get().elapsed() >= Duration::from_secs(10) {
            self.last_log.set(Instant::now());
            let pct = self
                .size
                .filter(|s| *s > 0)
                .map(|s| format!("{:.1} %", position as f64 * 100.0 / s as f64))
                .unwrap_or_else(|| format!("{} MB", position / 1_000_000));
            tracing::info!(file = %self.name, progress = %pct, rows, rows_per_sec = rate as u64, "importing");
        }
    }

    fn finish(&self, rows: u64) {
        tracing::info!(file = %self.name, rows, seconds = self.started.elapsed().as_secs_f64(), "read");
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // Also when the import failed: the bar goes before the error is printed.
        if let Some(r) = &self.reporter {
            r.finish();
        }
    }
}
