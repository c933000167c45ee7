//! The settings of an import, and the limit on rejected rows.

use std::sync::Arc;

use super::{FileReport, ImportError, ImportProgress};

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
pub(super) fn too_many_rejected(report: &FileReport, limit: f64) -> Option<ImportError> {
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
