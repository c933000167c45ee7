//! The cached figures that background tasks refresh: the catalog's counts ([`Stats`]) and the
//! torrents page's coverage ([`Coverage`]: records per bucket, what the repository holds, the
//! records whose file is here).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use sqlx::SqlitePool;

use crate::db::{self, CatalogStats};
use crate::files::TorrentShelf;
use crate::Collection;

/// The catalog figures shown on the home page and `/healthz`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    /// Counts per collection and last import.
    pub catalog: CatalogStats,
    /// Whether the last refresh could read the catalog.
    pub catalog_ok: bool,
    /// The index generation served.
    pub generation: Option<String>,
    /// Documents in the index.
    pub documents: u64,
    /// Imports the served index has not seen (its update runs, or was interrupted).
    pub imports_behind: i64,
}

impl Stats {
    /// Records in a collection.
    pub fn records(&self, c: Collection) -> u64 {
        self.catalog.of(c).max(0) as u64
    }

    /// Records in the catalog.
    pub fn total(&self) -> u64 {
        Collection::ALL.iter().map(|c| self.records(*c)).sum()
    }
}

/// Records per bucket of 1000 ids, per collection (for the torrents page).
#[derive(Debug, Clone, Default)]
pub struct Buckets {
    /// The `last_import` these counts were made at.
    pub stamp: Option<String>,
    /// Bucket (id / 1000) → records, per collection code.
    pub counts: [BTreeMap<u64, u64>; Collection::COUNT],
    /// Whether the counts were made (they are made in the background after start).
    pub counted: bool,
}

impl Buckets {
    /// Records with ids in `first..=last`.
    pub fn records(&self, c: Collection, first: u64, last: u64) -> u64 {
        self.counts[c.code() as usize]
            .range(first / 1000..=last / 1000)
            .map(|(_, n)| n)
            .sum()
    }

    /// Buckets that hold records.
    pub fn buckets(&self, c: Collection) -> usize {
        self.counts[c.code() as usize].len()
    }
}

/// What the repository folders hold: per collection, the buckets (id / 1000) with a data
/// folder (sci-tech, fiction) or zip (papers), and the files in them.
#[derive(Debug, Clone, Default)]
pub struct LocalData {
    /// Bucket → files present, per collection code.
    pub buckets: [BTreeMap<u64, u64>; Collection::COUNT],
}

/// The figures of the torrents page.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// The `.torrent` files.
    pub shelf: TorrentShelf,
    /// Records per bucket.
    pub buckets: Buckets,
    /// Data present in the repository.
    pub local: LocalData,
    /// The records whose file is in the repository.
    pub available: Arc<crate::search::only::RecordSet>,
    /// When this was computed.
    pub scanned: Option<Instant>,
}

/// Records per bucket of 1000 ids, per collection code (a scan of each table).
pub(super) async fn count_buckets(
    pool: &SqlitePool,
) -> Result<[BTreeMap<u64, u64>; Collection::COUNT], db::DbError> {
    let mut out: [BTreeMap<u64, u64>; Collection::COUNT] = Default::default();
    for c in Collection::ALL {
        let rows = db::catalog::records_per_thousand(pool, c).await?;
        out[c.code() as usize] = rows
            .into_iter()
            .map(|(b, n)| (b.max(0) as u64, n.max(0) as u64))
            .collect();
    }
    Ok(out)
}
