//! The importer: maps dump rows onto catalog rows and writes them, all files of one command in one
//! SQLite transaction, so that a failed or interrupted import leaves the catalog as it was and a
//! reader never sees half an import. Owns the bulk write path (rusqlite on the raw connection:
//! sqlx's worker thread costs too much per row); the schema itself belongs to `migrations/`.

mod spec;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rusqlite::{Connection, Statement};
use serde::Serialize;

use crate::dump::{self, DumpError, DumpReader, InputError, Value};
use crate::Collection;

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
    /// The dump is truncated, foreign or malformed.
    #[error("{file}: {source}")]
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
    /// The catalog could not be written (full disk, locked, corrupt).
    #[error("{file}: catalog write failed near byte {offset}: {source}")]
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
    #[error("catalog {path}: {source}")]
    Catalog {
        /// The catalog file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// Ctrl-C or SIGTERM.
    #[error("{file}: interrupted at byte {offset}; the catalog was left as it was before the import")]
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
    /// Draw a progress bar (else log a line every few seconds).
    pub progress: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            cache_mib: 64,
            progress: false,
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
    /// Wall-clock time.
    pub seconds: f64,
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

/// A prepared upsert for one catalog table, plus its row mapping cache.
struct TableWriter<'c> {
    spec: &'static TableSpec,
    stmt: Statement<'c>,
    /// For the current dump statement: catalog column → value index in the row.
    map: Vec<Option<usize>>,
    map_statement: u64,
    key_index: usize,
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
    let old = compared.iter().map(|c| format!("{}.{c}", spec.table)).collect::<Vec<_>>();
    let new = compared.iter().map(|c| format!("excluded.{c}")).collect::<Vec<_>>();
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

/// Why a single row was rejected.
type RowResult = Result<(), String>;

fn bind(stmt: &mut Statement<'_>, index: usize, kind: Kind, value: Value<'_>) -> RowResult {
    let bytes = match value {
        Value::Null => {
            return stmt.raw_bind_parameter(index, rusqlite::types::Null).map_err(|e| e.to_string());
        }
        Value::Number(b) | Value::Text(b) => b,
    };
    let result = match kind {
        Kind::Text => stmt.raw_bind_parameter(index, &*String::from_utf8_lossy(bytes)),
        Kind::Md5 => stmt.raw_bind_parameter(index, String::from_utf8_lossy(bytes).to_ascii_lowercase()),
        Kind::Int => {
            let text = std::str::from_utf8(bytes).unwrap_or("").trim();
            if text.is_empty() {
                stmt.raw_bind_parameter(index, rusqlite::types::Null)
            } else if let Ok(n) = text.parse::<i64>() {
                stmt.raw_bind_parameter(index, n)
            } else if let Ok(f) = text.parse::<f64>() {
                stmt.raw_bind_parameter(index, f as i64)
            } else {
                return Err(format!("`{}` is not a number", String::from_utf8_lossy(&bytes[..bytes.len().min(40)])));
            }
        }
        Kind::Time | Kind::Time2000 => {
            let zero = bytes.starts_with(b"0000-00-00") || bytes.is_empty();
            let default = kind == Kind::Time2000 && bytes == b"2000-01-01 05:00:00";
            if zero || default {
                stmt.raw_bind_parameter(index, rusqlite::types::Null)
            } else {
                stmt.raw_bind_parameter(index, &*String::from_utf8_lossy(bytes))
            }
        }
    };
    result.map_err(|e| e.to_string())
}

impl<'c> TableWriter<'c> {
    fn new(conn: &'c Connection, spec: &'static TableSpec) -> rusqlite::Result<Self> {
        let stmt = conn.prepare(&upsert_sql(spec))?;
        let key_index = spec.columns.iter().position(|c| c.column == spec.key).expect("key column");
        Ok(TableWriter {
            spec,
            stmt,
            map: Vec::new(),
            map_statement: u64::MAX,
            key_index,
        })
    }

    fn remap(&mut self, statement: u64, columns: &[String]) {
        if self.map_statement == statement {
            return;
        }
        self.map_statement = statement;
        self.map = self
            .spec
            .columns
            .iter()
            .map(|c| columns.iter().position(|d| d.eq_ignore_ascii_case(c.dump)))
            .collect();
    }

    /// Writes one row; Ok(true) when it inserted or changed a row.
    fn write(&mut self, row: &dump::Row<'_>, import_id: i64) -> Result<Result<bool, String>, rusqlite::Error> {
        if row.columns.is_empty() {
            return Ok(Err(format!("no CREATE TABLE for `{}` came before its data", row.table)));
        }
        self.remap(row.statement, row.columns);
        if row.len() != row.columns.len() {
            return Ok(Err(format!(
                "the row has {} values but the table has {} columns",
                row.len(),
                row.columns.len()
            )));
        }
        let key = self.map[self.key_index].map(|i| row.get(i));
        if key.is_none_or(|k| k.bytes().is_empty()) {
            return Ok(Err(format!("empty `{}`", self.spec.columns[self.key_index].dump)));
        }
        for (j, col) in self.spec.columns.iter().enumerate() {
            let result = match self.map[j] {
                Some(i) => bind(&mut self.stmt, j + 1, col.kind, row.get(i)),
                None if col.kind == Kind::Text => bind(&mut self.stmt, j + 1, Kind::Text, Value::Text(b"")),
                None => bind(&mut self.stmt, j + 1, col.kind, Value::Null),
            };
            if let Err(reason) = result {
                return Ok(Err(format!("column `{}`: {reason}", col.dump)));
            }
        }
        if self.spec.tracked {
            self.stmt.raw_bind_parameter(self.spec.columns.len() + 1, import_id)?;
        }
        let changed = self.stmt.raw_execute()?;
        Ok(Ok(changed > 0))
    }
}

/// Opens the catalog for writing with the settings of a bulk import.
fn open_for_import(path: &Path, opts: &ImportOptions) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -{}; PRAGMA temp_store = FILE;",
        opts.cache_mib as u64 * 1024
    ))?;
    Ok(conn)
}

fn count_rows(conn: &Connection, table: &str) -> rusqlite::Result<u64> {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get::<_, i64>(0))
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

/// The current UTC time as `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn now_utc() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    now.format(&fmt).unwrap_or_default()
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
    let started = now_utc();
    let import_id: i64 = conn
        .query_row("SELECT coalesce(max(id), 0) + 1 FROM imports", [], |r| r.get(0))
        .map_err(catalog_err)?;
    let mut state = ImportState {
        conn: &conn,
        writers: BTreeMap::new(),
        deferred: Vec::new(),
        import_id,
    };
    let mut reports = Vec::new();
    for file in files {
        match state.import_file(file, opts, stop) {
            Ok(report) => reports.push(report),
            Err(e) => {
                drop(state);
                // Dropping the uncommitted transaction restores the catalog.
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
    }
    let finish = state.finish();
    if let Err(e) = finish {
        let _ = conn.execute_batch("ROLLBACK");
        return Err(catalog_err(e));
    }
    let finished = now_utc();
    for (i, report) in reports.iter().enumerate() {
        let meta = std::fs::metadata(&files[i]).ok();
        let mtime = meta
            .as_ref()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64);
        let collections: Vec<&str> = report.collections.iter().map(|c| c.slug()).collect();
        let rejected: u64 = report.tables.values().map(|t| t.rejected).sum();
        conn.execute(
            "INSERT INTO imports (id, file, file_size, file_mtime, format, collections, started_at, finished_at, bytes, rows_json, rejected)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            rusqlite::params![
                if i == 0 { Some(import_id) } else { None },
                report.file,
                meta.as_ref().map(|m| m.len() as i64),
                mtime,
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
    // Fold the write-ahead log back into the database; harmless if readers hold it open.
    let _ = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)");
    Ok(ImportReport {
        import_id,
        files: reports,
    })
}

struct ImportState<'c> {
    conn: &'c Connection,
    writers: BTreeMap<&'static str, TableWriter<'c>>,
    /// Indexes dropped for a bulk load, rebuilt in `finish`.
    deferred: Vec<(String, String)>,
    import_id: i64,
}

impl<'c> ImportState<'c> {
    fn writer(&mut self, spec: &'static TableSpec) -> rusqlite::Result<&mut TableWriter<'c>> {
        if !self.writers.contains_key(spec.table) {
            if count_rows(self.conn, spec.table)? == 0 {
                for (name, sql) in secondary_indexes(self.conn, spec.table)? {
                    self.conn.execute_batch(&format!("DROP INDEX {name}"))?;
                    self.deferred.push((name, sql));
                }
            }
            let writer = TableWriter::new(self.conn, spec)?;
            self.writers.insert(spec.table, writer);
        }
        Ok(self.writers.get_mut(spec.table).expect("just inserted"))
    }

    fn finish(mut self) -> rusqlite::Result<()> {
        self.writers.clear();
        for (_, sql) in std::mem::take(&mut self.deferred) {
            self.conn.execute_batch(&sql)?;
        }
        Ok(())
    }

    fn import_file(&mut self, path: &Path, opts: &ImportOptions, stop: &AtomicBool) -> Result<FileReport, ImportError> {
        let started = Instant::now();
        // Statement numbers restart with each file: forget the column mappings of the last one.
        for writer in self.writers.values_mut() {
            writer.map_statement = u64::MAX;
        }
        let input = dump::open(path)?;
        let name = input.name.clone();
        let format = input.format;
        let position = input.position.clone();
        let progress = Progress::new(&name, input.size, opts.progress);
        let mut reader = DumpReader::new(input.reader);
        let mut tables: BTreeMap<String, TableReport> = BTreeMap::new();
        let mut counts_before: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut changed: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut ignored: BTreeMap<String, u64> = BTreeMap::new();
        let mut collections = Vec::new();
        let mut n: u64 = 0;
        let dump_err = |file: &str, source| ImportError::Dump {
            file: file.to_string(),
            source,
        };
        loop {
            let row = match reader.next_row() {
                Ok(Some(row)) => row,
                Ok(None) => break,
                Err(source) => return Err(dump_err(&name, source)),
            };
            let Some(spec) = TableSpec::for_dump_table(row.table) else {
                *ignored.entry(row.table.to_string()).or_default() += 1;
                continue;
            };
            let offset = row.offset;
            let sql_err = |source| ImportError::Sqlite {
                file: name.clone(),
                offset,
                source,
            };
            if !counts_before.contains_key(spec.table) {
                counts_before.insert(spec.table, count_rows(self.conn, spec.table).map_err(sql_err)?);
                if !collections.contains(&spec.collection) {
                    collections.push(spec.collection);
                }
            }
            let import_id = self.import_id;
            let writer = self.writer(spec).map_err(sql_err)?;
            let outcome = writer.write(&row, import_id).map_err(sql_err)?;
            let report = tables.entry(spec.table.to_string()).or_default();
            report.rows += 1;
            match outcome {
                Ok(true) => *changed.entry(spec.table).or_default() += 1,
                Ok(false) => {}
                Err(reason) => {
                    report.rejected += 1;
                    if report.rejections.len() < REJECTIONS_KEPT {
                        report.rejections.push(Rejection { offset, reason });
                    }
                }
            }
            n += 1;
            if n % 4096 == 0 {
                if stop.load(Ordering::Relaxed) {
                    return Err(ImportError::Interrupted {
                        file: name,
                        offset: reader.offset(),
                    });
                }
                progress.update(position.load(Ordering::Relaxed), n);
            }
        }
        if tables.is_empty() {
            return Err(ImportError::NoTables { file: name });
        }
        for (table, report) in tables.iter_mut() {
            let spec = TABLES.iter().find(|t| t.table == table).expect("known table");
            let before = counts_before[spec.table];
            let after = count_rows(self.conn, spec.table).map_err(|source| ImportError::Sqlite {
                file: name.clone(),
                offset: reader.offset(),
                source,
            })?;
            let changed = changed.get(spec.table).copied().unwrap_or(0);
            report.inserted = after.saturating_sub(before);
            report.updated = changed.saturating_sub(report.inserted);
            report.unchanged = report.rows - report.rejected - changed;
        }
        progress.finish(n);
        collections.sort();
        Ok(FileReport {
            file: name,
            format: format.name().to_string(),
            bytes: reader.offset(),
            collections,
            tables,
            ignored,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

/// A progress bar on a terminal, or a log line every ten seconds elsewhere.
struct Progress {
    bar: Option<ProgressBar>,
    name: String,
    size: Option<u64>,
    started: Instant,
    last_log: std::cell::Cell<Instant>,
}

impl Progress {
    fn new(name: &str, size: Option<u64>, draw: bool) -> Self {
        let bar = draw.then(|| {
            let bar = match size {
                Some(len) => ProgressBar::new(len),
                None => ProgressBar::new_spinner(),
            };
            bar.set_draw_target(ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {msg} ETA {eta}",
            )
            .expect("valid template")
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(name.to_string());
            bar
        });
        Progress {
            bar,
            name: name.to_string(),
            size,
            started: Instant::now(),
            last_log: std::cell::Cell::new(Instant::now()),
        }
    }

    fn update(&self, position: u64, rows: u64) {
        let rate = rows as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
        if let Some(bar) = &self.bar {
            bar.set_position(position);
            bar.set_message(format!("{rows} rows, {rate:.0} rows/s"));
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
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        tracing::info!(file = %self.name, rows, seconds = self.started.elapsed().as_secs_f64(), "read");
    }
}
