//! The importer: maps dump rows onto catalog rows and writes them, all files of one command in one
//! SQLite transaction, so that a failed or interrupted import leaves the catalog as it was and a
//! reader never sees half an import. Owns the bulk write path (rusqlite on the raw connection:
//! sqlx's worker thread costs too much per row); the schema itself belongs to `migrations/`.
//!
//! `table.rs`: what a dump table maps to (`TableSpec`, `ColumnSpec`, `Kind`); `spec.rs`: the
//! classic dumps' tables as that data (checked against `migrations/` by its test); `snapshot/`:
//! the libgen.li snapshot; `error.rs`, `options.rs`, `report.rs`: what an import fails with, is
//! told and reports; `writer.rs`: the bulk write path (the catalog opened for an import, a
//! prepared upsert per table, rollback, secondary indexes); `batch.rs`: rows converted a batch at
//! a time; `run.rs`: the import itself (`import_files`). This file holds only these docs and the
//! re-exports.

mod batch;
mod error;
mod options;
mod report;
mod run;
pub mod snapshot;
mod spec;
mod table;
mod writer;

pub use spec::TABLES;

pub use error::ImportError;
pub use options::{ImportOptions, Password, SMALL_TABLE};
pub use report::{FileReport, ImportReport, Rejection, TableReport};
pub use run::import_files;
pub use table::{ColumnSpec, Kind, TableSpec};

pub use crate::activity::ImportProgress;
