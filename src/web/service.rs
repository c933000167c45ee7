//! The portal's services, between the handlers and the engine and catalog: a search with its
//! hits' summaries read from the catalog, in their order, and the records of an identifier
//! (`doi:…`, `isbn:…`). The search page, the JSON API, the feeds, OPDS, the identifier links and
//! `lanshelf search` call these instead of writing "search, then read the summaries" each;
//! handlers do parameters → service → view.

use std::sync::Arc;

use sqlx::SqlitePool;

use super::{AppState, WebError};
use crate::db::records::Summary;
use crate::db::DbError;
use crate::search::{Hit, SearchEngine, SearchRequest, SearchResults};

/// Runs a search on the blocking pool (within the portal's search permits) and reads its hits'
/// summaries.
pub async fn search(
    state: &AppState,
    request: SearchRequest,
) -> Result<(SearchResults, Vec<Summary>), WebError> {
    let found = state.search(request).await?;
    let summaries = summaries_of(&state.pool, &found).await?;
    Ok((found, summaries))
}

/// [`search`] outside a server: on `engine`, with the summaries from `pool`.
pub async fn search_with(
    engine: Arc<SearchEngine>,
    pool: &SqlitePool,
    request: SearchRequest,
) -> Result<(SearchResults, Vec<Summary>), WebError> {
    let found = tokio::task::spawn_blocking(move || engine.search(&request)).await??;
    let summaries = summaries_of(pool, &found).await?;
    Ok((found, summaries))
}

/// The summaries of a search's hits, in the hits' order (records gone meanwhile are skipped).
pub async fn summaries_of(
    pool: &SqlitePool,
    found: &SearchResults,
) -> Result<Vec<Summary>, DbError> {
    crate::db::records::summaries(pool, found.hits.iter().map(|h| (h.collection, h.id))).await
}

/// The records of an identifier query (`doi:…`, `isbn:…`), withdrawn ones included, up to
/// `limit`, with their summaries.
pub async fn identifier_records(
    state: &AppState,
    query: String,
    limit: usize,
) -> Result<Vec<Summary>, WebError> {
    let mut request = SearchRequest::new(query);
    request.facets = false;
    request.per_page = limit;
    request.filters.show_withdrawn = true;
    Ok(search(state, request).await?.1)
}

/// The first `limit` records of an identifier query, those shown first: the withdrawn ones
/// only when nothing else has it. Returns the hits, how many there are, and whether they are
/// the withdrawn ones.
pub async fn identifier_hits(
    state: &AppState,
    query: String,
    limit: usize,
) -> Result<(Vec<Hit>, usize, bool), WebError> {
    let mut request = SearchRequest::new(query);
    request.facets = false;
    request.per_page = limit;
    let shown = state.search(request.clone()).await?;
    if shown.total > 0 {
        return Ok((shown.hits, shown.total, false));
    }
    request.filters.show_withdrawn = true;
    let all = state.search(request).await?;
    Ok((all.hits, all.total, true))
}
