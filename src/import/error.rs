//! What can make an import fail; every variant leaves the catalog unchanged.

use super::snapshot;
use crate::dump::{DumpError, InputError};
use std::path::PathBuf;

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
    #[error(
        "{file}: no Library Genesis table found (expected {} data); nothing was imported",
        crate::Collection::dump_tables()
    )]
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
