//! Full-text search: the tantivy schema and analyzers, the index build and updates, query
//! parsing, and the engine the web pages, the APIs and the CLI call. Owns the `index` folder;
//! reads the catalog but never writes it.

pub mod analyzer;
mod collect;
mod columns;
mod engine;
mod error;
mod facets;
mod fit;
pub mod forms;
mod fuzzy;
pub mod generations;
mod ident;
pub mod indexer;
mod lazy_union;
pub mod normalize;
pub mod only;
pub mod query;
mod read_only;
mod recent;
mod request;
mod run;
pub mod schema;
mod update_lock;

pub use engine::SearchEngine;
pub use error::SearchError;
pub use facets::Facets;
pub use indexer::{catch_up, lag, rebuild, IndexOptions, IndexReport, Lag};
pub use normalize::Identifier;
pub use query::Filters;
pub use request::{Hit, LanguageHint, SearchRequest, SearchResults, Sort, COUNT_LIMIT, MAX_OFFSET};
pub use update_lock::{update_running, UpdateLock};

use columns::ColumnCache;
