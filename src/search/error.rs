//! What can go wrong with the index ([`SearchError`]).

use std::path::PathBuf;

use super::schema;

/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// There is no index yet.
    #[error("no search index in {0}: build it with `lanshelf index`")]
    NoIndex(PathBuf),
    /// The index was built by an incompatible version.
    #[error("the search index {path} has format {found}, this version needs {}: rebuild it with `lanshelf index`", schema::FORMAT_VERSION)]
    Incompatible {
        /// The generation folder.
        path: PathBuf,
        /// Its format version (0 if unreadable).
        found: u32,
    },
    /// Tantivy could not open the index.
    #[error("cannot open the search index {path} (rebuild it with `lanshelf index`)")]
    Open {
        /// The generation folder.
        path: PathBuf,
        /// The error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// Another process is writing the index.
    #[error("another process is writing the search index; try again when it has finished")]
    Busy,
    /// A tantivy error.
    #[error("search index")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The catalog could not be read.
    #[error("catalog: {0}")]
    Catalog(String),
    /// A file operation on the index folder failed.
    #[error("{0}")]
    Io(PathBuf, #[source] std::io::Error),
}

impl From<rusqlite::Error> for SearchError {
    fn from(e: rusqlite::Error) -> Self {
        SearchError::Catalog(e.to_string())
    }
}
