//! The import itself: the files of one command read and written in one transaction, the dump
//! tables matched to their specs, progress reported.

use crate::clock::now_utc;
use crate::dump::{self, DumpError, InputError};
use crate::Collection;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::options::too_many_rejected;
use super::report::REJECTIONS_KEPT;
use super::writer::{count_rows, open_for_import, rollback, secondary_indexes, TableWriter};
use super::{batch, snapshot, ImportProgress, TABLES};
use super::{
    FileReport, ImportError, ImportOptions, ImportReport, Rejection, TableReport, TableSpec,
};

/// The error of a failed read or write of the catalog at `db`.
fn catalog_err(db: &Path) -> impl Fn(rusqlite::Error) -> ImportError + Copy + '_ {
    move |source| ImportError::Catalog {
        path: db.to_path_buf(),
        source,
    }
}

/// Imports dump files into the catalog at `db` (which must exist with its migrations applied), in
/// one transaction. `stop` is polled to honour Ctrl-C.
pub fn import_files(
    db: &Path,
    files: &[PathBuf],
    opts: &ImportOptions,
    stop: &AtomicBool,
) -> Result<ImportReport, ImportError> {
    let catalog_err = catalog_err(db);
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
pub(super) fn write_all(
    conn: &Connection,
    db: &Path,
    files: &[PathBuf],
    opts: &ImportOptions,
    stop: &AtomicBool,
) -> Result<ImportReport, ImportError> {
    let catalog_err = catalog_err(db);
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

pub(super) struct ImportState<'c> {
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
pub(super) struct Written {
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
pub(super) struct Progress {
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
