//! Lanshelf: a self-hosted catalog and search portal for the Library Genesis metadata dumps.

/// The command line (clap definitions).
pub mod cli;
/// The three collections and their names.
pub mod collection;
/// What each subcommand does.
pub mod commands;
/// The catalog database: pool, migrations, queries.
pub mod db;
/// The MySQL dump reader and input decompression.
pub mod dump;
/// Where a record's file is: repository path, zip entry, torrent and magnet link.
pub mod files;
/// Maps dump rows to catalog rows and writes them in one transaction.
pub mod import;
/// Full-text search: index, analyzers, queries.
pub mod search;
/// Synthetic dump generator for benchmarks and scale tests.
pub mod synth;
/// The web portal: state, router, pages, downloads.
pub mod web;

pub use collection::Collection;
