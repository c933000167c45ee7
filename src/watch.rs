//! The dumps folder of a container (`lanshelf start --dumps /dumps`): which files in it are
//! dumps, which of them are new or changed since they were imported (by file name, size and
//! modification time, against the catalog's `imports` table), and importing those one by one
//! (each in its own transaction, smallest first, so the small collections are searchable soon)
//! with an index update after each. [`Activity`] tells what it is doing, for the logs and the
//! portal's home page. Owns the scan and the order; the import and the index are `import` and
//! `search`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::dump::{self, InputError};
use crate::import::{self, ImportOptions, Password};
use crate::search::{self, IndexOptions};

/// A file modified more recently than this may still be being copied or downloaded: it waits.
pub const SETTLE: Duration = Duration::from_secs(30);

/// From this many inserted or updated rows on, the index is rebuilt rather than caught up: an
/// update queues a delete per changed row and merges while it writes, which measured 1.5 GB at
/// 1 M rows, where a rebuild (no deletes, one merge at the end) stays near its writer budget
/// (docs/performance.md, NAS profile).
pub const REBUILD_ROWS: u64 = 100_000;

/// File name endings of the dumps the importer reads (RAR volumes also as `.r00`…, see
/// [`dump::rar::is_rar_name`]).
const DUMP_ENDINGS: &[&str] = &[".sql", ".gz", ".bz2", ".xz", ".zst", ".zip", ".7z", ".rar"];

/// What can go wrong while looking at the dumps folder.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The folder cannot be read.
    #[error("cannot read the dumps folder {path}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The catalog cannot tell what was imported.
    #[error("cannot read the imports of the catalog {path}")]
    Catalog {
        /// The catalog.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// A dump could not be imported (the catalog is as it was).
    #[error(transparent)]
    Import(#[from] import::ImportError),
    /// The index could not be updated.
    #[error("updating the search index")]
    Index(#[from] search::SearchError),
    /// A background task failed.
    #[error("a background task failed")]
    Task(#[from] tokio::task::JoinError),
}

/// A dump file as found in the folder: one file, or all the volumes of a RAR set present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpFile {
    /// Its path (a RAR set's first volume).
    pub path: PathBuf,
    /// Its file name (what `imports` is matched on, so a folder mounted elsewhere still matches).
    pub name: String,
    /// Its size in bytes (all volumes present of a set).
    pub size: i64,
    /// Its modification time, in seconds since 1970 (the latest of a set's volumes).
    pub mtime: i64,
    /// How many files it is (a RAR set's volumes present; 1 otherwise).
    pub volumes: usize,
}

/// Whether a file name is a dump the importer reads (not hidden, not a partial download).
pub fn is_dump_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !lower.starts_with('.')
        && (DUMP_ENDINGS.iter().any(|e| lower.ends_with(e)) || dump::rar::is_rar_name(&lower))
}

/// The dumps in a folder (not its subfolders), the volumes of each RAR set gathered under its
/// first volume's name (whether or not that one has arrived yet).
pub fn scan(dir: &Path) -> Result<Vec<DumpFile>, WatchError> {
    let folder_err = |source| WatchError::Folder {
        path: dir.to_path_buf(),
        source,
    };
    let mut dumps: Vec<DumpFile> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(folder_err)? {
        let entry = entry.map_err(folder_err)?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if !is_dump_name(&name) {
            continue;
        }
        // Follows symbolic links: a dump may be linked in from elsewhere.
        let Ok(meta) = std::fs::metadata(entry.path()) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let path = dump::rar::first_volume(&entry.path());
        let set_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or(name);
        let (size, mtime) = (meta.len() as i64, mtime(&meta));
        match dumps.iter_mut().find(|d| d.path == path) {
            Some(set) => {
                set.size += size;
                set.mtime = set.mtime.max(mtime);
                set.volumes += 1;
            }
            None => dumps.push(DumpFile {
                path,
                name: set_name,
                size,
                mtime,
                volumes: 1,
            }),
        }
    }
    dumps.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(dumps)
}

fn mtime(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs() as i64)
}

/// The `(file name, size, modification time)` of every file the catalog has imported.
pub fn imported(db: &Path) -> Result<HashSet<(String, i64, i64)>, WatchError> {
    let catalog_err = |source| WatchError::Catalog {
        path: db.to_path_buf(),
        source,
    };
    Ok(crate::db::catalog::imported_files(db)
        .map_err(catalog_err)?
        .into_iter()
        .collect())
}

/// What a scan found to do.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Dumps to import now, smallest first.
    pub import: Vec<DumpFile>,
    /// Dumps already imported as they are.
    pub unchanged: Vec<DumpFile>,
    /// Dumps modified less than [`SETTLE`] ago: looked at again later.
    pub settling: Vec<DumpFile>,
}

/// Sorts the dumps of a folder into those to import, those imported already, and those still
/// being written. `now` is in seconds since 1970.
pub fn plan(dumps: Vec<DumpFile>, imported: &HashSet<(String, i64, i64)>, now: i64) -> Plan {
    let mut plan = Plan::default();
    for d in dumps {
        if imported.contains(&(d.name.clone(), d.size, d.mtime)) {
            plan.unchanged.push(d);
        } else if now - d.mtime < SETTLE.as_secs() as i64 {
            plan.settling.push(d);
        } else {
            plan.import.push(d);
        }
    }
    plan.import
        .sort_by(|a, b| a.size.cmp(&b.size).then(a.name.cmp(&b.name)));
    plan
}

/// The volume a RAR set still waits for (its file name), or `None` when `dump` is not a RAR set
/// or has all of its volumes (a damaged set is for the import to report).
fn awaited_volume(dump: &DumpFile, password: Option<&Password>) -> Option<String> {
    if !dump::rar::is_rar_name(&dump.name) {
        return None;
    }
    if !dump.path.exists() {
        return Some(dump.name.clone());
    }
    let password = password.map(|p| p.0.as_bytes());
    match dump::rar::RarArchive::open(&dump.path, password) {
        Err(InputError::RarVolumeMissing { volume, .. }) => Some(
            volume
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| volume.display().to_string()),
        ),
        _ => None,
    }
}

pub use crate::activity::Activity;

/// What the watcher works with.
#[derive(Debug, Clone)]
pub struct Watcher {
    /// The dumps folder.
    pub dumps: PathBuf,
    /// The catalog (it must exist: `db::prepare`).
    pub db: PathBuf,
    /// The index folder.
    pub index: PathBuf,
    /// SQLite page cache of the import, in MiB.
    pub import_cache_mib: u32,
    /// The password of encrypted RAR archives.
    pub password: Option<Password>,
    /// The share of a table's rows (percent) that may be rejected.
    pub max_rejected: f64,
    /// The index writer's settings.
    pub index_options: IndexOptions,
}

/// What one pass over the folder did.
#[derive(Debug, Default)]
pub struct Pass {
    /// Files imported.
    pub imported: Vec<String>,
    /// Files that were imported already.
    pub unchanged: usize,
    /// Files that failed.
    pub failed: Vec<String>,
    /// Files still being written (the next pass comes after [`SETTLE`]).
    pub settling: usize,
    /// Volumes awaited of incomplete RAR sets.
    pub waiting: Vec<String>,
}

impl Watcher {
    /// Imports every new or changed dump of the folder, one at a time, updating the index after
    /// each; a failure is logged and shown, and the next file goes on. Returns early, rolling the
    /// running import back, when `stop` is raised.
    pub async fn pass(
        &self,
        activity: &Arc<Activity>,
        stop: &Arc<AtomicBool>,
    ) -> Result<Pass, WatchError> {
        let (dir, db) = (self.dumps.clone(), self.db.clone());
        let (dumps, done) = tokio::task::spawn_blocking(move || {
            let dumps = scan(&dir)?;
            Ok::<_, WatchError>((dumps, imported(&db)?))
        })
        .await??;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let plan = plan(dumps, &done, now);
        for d in &plan.settling {
            tracing::info!(file = %d.name, "modified moments ago: waiting for it to be complete");
        }
        // A RAR set is imported once all of its volumes are there: a download in progress is
        // not an error.
        let password = self.password.clone();
        let candidates = plan.import;
        let (ready, waiting) = tokio::task::spawn_blocking(move || {
            let mut ready = Vec::new();
            let mut waiting = Vec::new();
            for d in candidates {
                match awaited_volume(&d, password.as_ref()) {
                    Some(volume) => waiting.push(volume),
                    None => ready.push(d),
                }
            }
            (ready, waiting)
        })
        .await?;
        for volume in &waiting {
            tracing::info!(volume = %volume, "waiting for the next volume of a multi-volume archive");
        }
        activity.set(|s| s.waiting = waiting.clone());
        let mut pass = Pass {
            unchanged: plan.unchanged.len(),
            settling: plan.settling.len(),
            waiting,
            ..Default::default()
        };
        for dump in ready {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            match self.import_one(&dump, activity, stop).await {
                Ok(()) => {
                    activity.set(|s| {
                        if s.failed.as_ref().is_some_and(|(f, _)| *f == dump.name) {
                            s.failed = None;
                        }
                    });
                    pass.imported.push(dump.name);
                }
                Err(e) => {
                    let why = crate::chain::chain(&e);
                    tracing::error!(file = %dump.name, error = %why, "import failed: the catalog is unchanged");
                    activity.set(|s| s.failed = Some((dump.name.clone(), why)));
                    pass.failed.push(dump.name);
                }
            }
        }
        activity.set(|s| s.current = None);
        Ok(pass)
    }

    async fn import_one(
        &self,
        dump: &DumpFile,
        activity: &Arc<Activity>,
        stop: &Arc<AtomicBool>,
    ) -> Result<(), WatchError> {
        tracing::info!(file = %dump.name, bytes = dump.size, "importing a new or changed dump");
        activity.set(|s| s.current = Some((dump.name.clone(), false)));
        // Other servers of this index (replicas) see the update from the import's start to the
        // index's catch-up (`search::UpdateLock`).
        let root = self.index.clone();
        let _updating =
            tokio::task::spawn_blocking(move || search::UpdateLock::acquire(&root)).await?;
        let opts = ImportOptions {
            cache_mib: self.import_cache_mib,
            observer: Some(activity.progress().clone()),
            password: self.password.clone(),
            max_rejected: self.max_rejected,
            ..ImportOptions::default()
        };
        let (db, path, flag) = (self.db.clone(), dump.path.clone(), stop.clone());
        let report =
            tokio::task::spawn_blocking(move || import::import_files(&db, &[path], &opts, &flag))
                .await??;
        let mut changed = 0;
        for file in &report.files {
            let rows: u64 = file.tables.values().map(|t| t.rows).sum();
            let inserted: u64 = file.tables.values().map(|t| t.inserted).sum();
            let updated: u64 = file.tables.values().map(|t| t.updated).sum();
            changed += inserted + updated;
            tracing::info!(file = %dump.name, rows, inserted, updated, seconds = file.seconds, "imported");
        }
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            // Best effort: give the write-ahead log's space back now that the import is in.
            if let Ok(conn) = rusqlite::Connection::open(&db) {
                let _ = conn.busy_timeout(Duration::from_millis(500));
                let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
            }
        })
        .await?;
        activity.set(|s| s.current = Some((dump.name.clone(), true)));
        let report = if changed >= REBUILD_ROWS {
            tracing::info!(
                file = %dump.name,
                changed,
                "many rows changed: rebuilding the search index beside the one served"
            );
            self.rebuild_index().await?
        } else {
            self.update_index().await?
        };
        tracing::info!(file = %dump.name, documents = report.documents, generation = %report.generation, seconds = report.seconds, "search index updated");
        Ok(())
    }

    /// Brings the index up to date with the catalog (builds it when there is none).
    pub async fn update_index(&self) -> Result<search::IndexReport, WatchError> {
        let (db, index, opts) = (
            self.db.clone(),
            self.index.clone(),
            self.index_options.clone(),
        );
        Ok(tokio::task::spawn_blocking(move || search::catch_up(&db, &index, &opts)).await??)
    }

    /// Builds a new index generation from the whole catalog; the portal switches to it.
    pub async fn rebuild_index(&self) -> Result<search::IndexReport, WatchError> {
        let (db, index, opts) = (
            self.db.clone(),
            self.index.clone(),
            self.index_options.clone(),
        );
        Ok(tokio::task::spawn_blocking(move || search::rebuild(&db, &index, &opts)).await??)
    }

    /// Passes over the folder until `stop` is raised: at once, then every `every` (or only
    /// again for files that were still being written, when `every` is zero).
    pub async fn run(self, every: Duration, activity: Arc<Activity>, stop: Arc<AtomicBool>) {
        loop {
            let settling = match self.pass(&activity, &stop).await {
                Ok(p) => {
                    if !p.imported.is_empty() || !p.failed.is_empty() {
                        tracing::info!(
                            imported = p.imported.len(),
                            failed = p.failed.len(),
                            unchanged = p.unchanged,
                            "dumps folder done"
                        );
                    }
                    // An incomplete set is looked at again soon, as a file being written is.
                    p.settling > 0 || !p.waiting.is_empty()
                }
                Err(e) => {
                    tracing::error!(error = %crate::chain::Chain(&e), "cannot look into the dumps folder");
                    false
                }
            };
            let wait = match (every.is_zero(), settling) {
                (_, true) => SETTLE.min(if every.is_zero() { SETTLE } else { every }),
                (true, false) => return,
                (false, false) => every,
            };
            let deadline = tokio::time::Instant::now() + wait;
            while tokio::time::Instant::now() < deadline {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(name: &str, size: i64, mtime: i64) -> DumpFile {
        DumpFile {
            path: PathBuf::from(name),
            name: name.into(),
            size,
            mtime,
            volumes: 1,
        }
    }

    #[test]
    fn dump_names() {
        for yes in [
            "libgen.sql",
            "fiction.sql.gz",
            "papers.sql.gz",
            "x.7z",
            "a.ZIP",
            "b.zst",
            "libgen.rar",
            "libgen_new.part017.rar",
            "old.r00",
        ] {
            assert!(is_dump_name(yes), "{yes}");
        }
        for no in [
            ".fiction.sql.swp",
            ".x.sql",
            "readme.txt",
            "libgen_new.part017.rar.part",
            "f.sql.part",
            "x.torrent",
        ] {
            assert!(!is_dump_name(no), "{no}");
        }
    }

    #[test]
    fn new_and_changed_dumps_are_imported_smallest_first() {
        let now = 1_000_000;
        let done: HashSet<_> = [
            ("fiction.sql".to_string(), 10, 500),
            ("old.sql".to_string(), 5, 400),
        ]
        .into_iter()
        .collect();
        let p = plan(
            vec![
                dump("fiction.sql", 10, 500),    // imported as it is
                dump("old.sql", 6, 400),         // size changed
                dump("libgen.sql", 100, 600),    // new
                dump("copying.sql", 1, now - 5), // still being written
                dump("papers.sql", 7, 900_000),  // new
            ],
            &done,
            now,
        );
        let names = |v: &[DumpFile]| v.iter().map(|d| d.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&p.import), ["old.sql", "papers.sql", "libgen.sql"]);
        assert_eq!(names(&p.unchanged), ["fiction.sql"]);
        assert_eq!(names(&p.settling), ["copying.sql"]);
    }
}
