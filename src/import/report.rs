//! What an import did: per file and table, rows inserted, updated, unchanged and rejected.

use crate::Collection;
use serde::Serialize;
use std::collections::BTreeMap;

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
    pub(super) fn add(&mut self, other: TableReport) {
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

pub(super) fn is_zero(n: &u64) -> bool {
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

pub(super) const REJECTIONS_KEPT: usize = 5;
