//! Lanshelf: a self-hosted catalog and search portal for the Library Genesis metadata dumps.

/// What the dumps folder watcher is doing and how far the running import is, for the home page.
pub mod activity;
/// Printing an error with its causes, each once.
pub mod chain;
/// A record's citation (BibTeX, RIS, meta tags).
pub mod citation;
/// The command line (clap definitions).
pub mod cli;
/// The current time as the catalog and the index write it.
pub mod clock;
/// The three collections and their names.
pub mod collection;
/// What each subcommand does.
pub mod commands;
/// Settings from a TOML file, applied through the `LANSHELF_*` environment.
pub mod config;
/// The catalog database: pool, migrations, queries.
pub mod db;
/// The demo's repository and torrents: small real files for some sample records.
pub mod demo;
/// The MySQL dump reader and input decompression.
pub mod dump;
/// `lanshelf start`: the container's entry point (user switch, serve, import the dumps folder).
pub mod entrypoint;
/// Where a record's file is: repository path, zip entry, torrent and magnet link.
pub mod files;
/// `lanshelf healthcheck`: asks a running portal's `/healthz`.
pub mod healthcheck;
/// "Which of my files is this?": MD5 sums of a folder's files, hashed in parallel.
pub mod identify;
/// Maps dump rows to catalog rows and writes them in one transaction.
pub mod import;
/// The batch look-up of reading lists (identifiers, CSV, BibTeX, RIS) and its exports.
pub mod lookup;
/// The MyISAM table reader (`.frm`, `.MYI` header, `.MYD` rows) for the libgen.li snapshot.
pub mod myisam;
/// Which user `lanshelf start` runs as (`PUID`/`PGID`).
pub mod privileges;
/// How far a long task is: reported by the library, shown by the command line.
pub mod progress;
/// Full-text search: index, analyzers, queries.
pub mod search;
/// Settings values parsed alike by the command line and the portal (base path, networks).
pub mod setting;
/// Synthetic dump generator for benchmarks and scale tests.
pub mod synth;
/// Plain text out of catalog values (HTML removed, authors split).
pub mod text;
/// The dumps folder: new or changed dumps, imported one by one.
pub mod watch;
/// The web portal: state, router, pages, downloads.
pub mod web;

pub use collection::Collection;
