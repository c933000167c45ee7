//! How far a long task (an import, an index build) is, told to whoever shows it: the library
//! reports through [`Progress`] and never draws; the command line draws bars
//! (`commands::Bars`), the container's watcher publishes percentages for the home page. Owns
//! only the trait and its units.

use std::fmt::Debug;
use std::sync::Arc;

/// What a task's amounts count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Bytes of a file.
    Bytes,
    /// Things (documents, records).
    Items,
}

/// Receives a task's progress. Calls come from the task's own thread; a task starts, updates
/// any number of times, and finishes (also when it fails).
pub trait Progress: Send + Sync + Debug {
    /// A task starts: what it is (`fiction.sql`, `indexing`), and its total when known.
    fn start(&self, task: &str, total: Option<u64>, unit: Unit);
    /// How much is done, with a short note (`12 000 rows, 40 000 rows/s`).
    fn update(&self, done: u64, note: &str);
    /// The task ended.
    fn finish(&self);
}

/// A reporter shared by the options of a task (`None`: nobody watches).
pub type Reporter = Option<Arc<dyn Progress>>;
