//! What the dumps folder watcher is doing ([`Activity`]: the file being imported, the last
//! failure, the volumes awaited) and how far the running import is ([`ImportProgress`]): written
//! by `import` and `watch`, read by the portal's home page and `lanshelf start`'s logs. Shared
//! vocabulary: depends on nothing else of the crate.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// How far the running file's import is, shared with whoever shows it.
#[derive(Debug, Default)]
pub struct ImportProgress {
    /// Bytes of the file (compressed) read so far.
    position: AtomicU64,
    /// The file's size (0: unknown).
    size: AtomicU64,
    /// Rows written so far.
    rows: AtomicU64,
}

impl ImportProgress {
    /// A new file starts (its size when known).
    pub fn start(&self, size: Option<u64>) {
        self.size.store(size.unwrap_or(0), Ordering::Relaxed);
        self.position.store(0, Ordering::Relaxed);
        self.rows.store(0, Ordering::Relaxed);
    }

    /// The share of the file read, in percent, when its size is known.
    pub fn percent(&self) -> Option<f64> {
        let size = self.size.load(Ordering::Relaxed);
        (size > 0).then(|| {
            (self.position.load(Ordering::Relaxed) as f64 * 100.0 / size as f64).min(100.0)
        })
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }

    /// The bytes of the file read and the rows written so far.
    pub fn set(&self, position: u64, rows: u64) {
        self.position.store(position, Ordering::Relaxed);
        self.rows.store(rows, Ordering::Relaxed);
    }
}

/// What the folder watcher is doing, for the home page and `lanshelf start`'s logs.
#[derive(Debug, Default)]
pub struct Activity {
    dumps: Option<PathBuf>,
    state: Mutex<State>,
    progress: Arc<ImportProgress>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    /// The file being imported, and whether its index update is running.
    pub(crate) current: Option<(String, bool)>,
    /// The last failure, until a later import of the same file succeeds.
    pub(crate) failed: Option<(String, String)>,
    /// Volumes of incomplete RAR sets that have not arrived yet.
    pub(crate) waiting: Vec<String>,
}

impl Activity {
    /// The activity of a watcher of `dumps` (`None`: no folder is watched).
    pub fn new(dumps: Option<PathBuf>) -> Self {
        Activity {
            dumps,
            ..Default::default()
        }
    }

    /// The running import's progress (the watcher hands it to the import).
    pub(crate) fn progress(&self) -> &Arc<ImportProgress> {
        &self.progress
    }

    /// The watched folder.
    pub fn dumps(&self) -> Option<&Path> {
        self.dumps.as_deref()
    }

    /// What runs now, as a sentence: `importing fiction.sql: 43 %`, `updating the search index
    /// after fiction.sql`. `None` when idle.
    pub fn current(&self) -> Option<String> {
        let state = self.state.lock().ok()?.clone();
        let (file, indexing) = state.current?;
        Some(if indexing {
            format!("updating the search index after {file}")
        } else {
            match self.progress.percent() {
                Some(p) if p >= 99.5 => {
                    format!("importing {file}: 100 %, building the catalog's indexes")
                }
                Some(p) => format!("importing {file}: {p:.0} %"),
                None => format!("importing {file}: {} rows", self.progress.rows()),
            }
        })
    }

    /// The last import that failed: the file and why.
    pub fn failure(&self) -> Option<(String, String)> {
        self.state.lock().ok()?.failed.clone()
    }

    /// The volumes of multi-volume archives still awaited (`libgen_new.part017.rar`): each set
    /// is imported once all of its volumes are there.
    pub fn waiting(&self) -> Vec<String> {
        self.state
            .lock()
            .map(|s| s.waiting.clone())
            .unwrap_or_default()
    }

    pub(crate) fn set(&self, f: impl FnOnce(&mut State)) {
        if let Ok(mut s) = self.state.lock() {
            f(&mut s);
        }
    }
}
