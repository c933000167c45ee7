//! The portal's shared state: the read-only catalog pool, the one search engine of the program,
//! the repository and torrent folders, and cached figures (catalog counts, torrent coverage)
//! that background tasks refresh, so no page counts rows per request.
//!
//! - [`config`]: where the data is and how it is served ([`Config`]);
//! - [`app`]: [`AppState`], what handlers share, and how the figures are refreshed;
//! - [`figures`]: the cached figures ([`Stats`], [`Coverage`]);
//! - `refresh`: the timers that refresh them in the background.

mod app;
mod config;
mod figures;
mod refresh;

pub use app::{AppState, Inner};
pub use config::Config;
pub use figures::{Buckets, Coverage, LocalData, Stats};

pub use crate::setting::DOI_RESOLVER;
