//! The batch look-up: a reading list in (identifiers pasted one per line, or a CSV, BibTeX or
//! RIS export), one row per item out — found or not, the record, whether its file is in the
//! repository, the torrent and the path inside it — and the exports of that table (CSV, the
//! found records as BibTeX or RIS, magnet links for the files not here).
//!
//! `input` reads the list (pure); `resolve` looks every identifier up at once (the catalog's
//! indexes and the search index through `SearchEngine::lookup_identifiers`, the summaries in a
//! few queries, the files through `files::locate_all`); `export` writes the table. Used by
//! `lanshelf lookup`, `lanshelf identify` and the portal's `/lookup`, `/identify` and
//! `/api/lookup/batch`. Reads the catalog, the index and the repository; writes nothing.

pub mod export;
pub mod input;
pub mod resolve;

pub use input::{parse, Format, Item, Parsed, MAX_ITEMS};
pub use resolve::{resolve, Lookup, Record, Row, Status};

/// What can go wrong with a look-up.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The list holds more items than one look-up takes.
    #[error("the list holds {items} items; at most {max} are looked up at once")]
    TooMany {
        /// Items in the list.
        items: usize,
        /// The most taken.
        max: usize,
    },
    /// A CSV table could not be read.
    #[error("CSV line {row}: {message}")]
    Csv {
        /// The line (the header is line 1).
        row: usize,
        /// What is wrong.
        message: String,
    },
    /// The index failed.
    #[error(transparent)]
    Search(#[from] crate::search::SearchError),
    /// The catalog failed.
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    /// A blocking task failed.
    #[error("a look-up task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}
