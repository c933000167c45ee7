//! Ways of walking a query's matches: the top by score (superseded versions lowered),
//! candidates re-scored, every match in index order, a count up to a limit.

use tantivy::collector::TopDocs;
use tantivy::{DocAddress, Searcher};

use super::columns::ColumnCache;
use super::request::COUNT_LIMIT;
use super::SearchError;

/// Documents with their scores.
pub(super) type Scored = Vec<(f32, DocAddress)>;

/// Superseded versions rank just below their better version.
pub(super) const SUPERSEDED_FACTOR: f32 = 0.8;

/// The top `offset + limit` of every match of `query`, scored, superseded versions lowered.
pub(super) fn top_by_score(
    columns: &ColumnCache,
    offset: usize,
    limit: usize,
) -> impl tantivy::collector::Collector<Fruit = Vec<(f32, DocAddress)>> {
    let columns = columns.clone();
    TopDocs::with_limit(offset + limit).tweak_score(move |segment: &tantivy::SegmentReader| {
        let column = columns.get(segment).ok();
        move |doc: tantivy::DocId, score: tantivy::Score| match &column {
            Some(c) if c.is_superseded(doc) => score * SUPERSEDED_FACTOR,
            _ => score,
        }
    })
}

/// Scores `candidates` with `query`, dropping those it does not match; best first.
pub(super) fn rescore(
    columns: &ColumnCache,
    searcher: &Searcher,
    query: &dyn tantivy::query::Query,
    candidates: Vec<(f32, DocAddress)>,
) -> Result<Vec<(f32, DocAddress)>, SearchError> {
    let weight = query.weight(tantivy::query::EnableScoring::enabled_from_searcher(
        searcher,
    ))?;
    let mut docs: Vec<DocAddress> = candidates.into_iter().map(|(_, a)| a).collect();
    docs.sort_unstable();
    docs.dedup();
    let mut ranked = Vec::with_capacity(docs.len());
    for segment_docs in docs.chunk_by(|a, b| a.segment_ord == b.segment_ord) {
        let segment_ord = segment_docs[0].segment_ord;
        let segment = searcher.segment_reader(segment_ord);
        let columns = columns.get(segment)?;
        let mut scorer = weight.scorer(segment, 1.0)?;
        for addr in segment_docs {
            let doc = if scorer.doc() < addr.doc_id {
                scorer.seek(addr.doc_id)
            } else {
                scorer.doc()
            };
            if doc == addr.doc_id {
                let mut score = scorer.score();
                if columns.is_superseded(doc) {
                    score *= SUPERSEDED_FACTOR;
                }
                ranked.push((score, *addr));
            }
        }
    }
    // Best first; equal scores in index order, as tantivy's own top-k orders them.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(ranked)
}

/// Iterates the live documents `query` matches, in index order, until `visit` returns false.
pub(super) fn each_match(
    searcher: &Searcher,
    query: &dyn tantivy::query::Query,
    mut visit: impl FnMut(DocAddress) -> bool,
) -> Result<(), SearchError> {
    let weight = query.weight(tantivy::query::EnableScoring::disabled_from_searcher(
        searcher,
    ))?;
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let mut scorer = weight.scorer(segment, 1.0)?;
        let alive = segment.alive_bitset();
        let mut doc = scorer.doc();
        while doc != tantivy::TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) && !visit(DocAddress::new(ord as u32, doc)) {
                return Ok(());
            }
            doc = scorer.advance();
        }
    }
    Ok(())
}

/// How many documents `query` matches, counting at most `limit`; whether the count is exact.
pub(super) fn count_up_to(
    searcher: &Searcher,
    query: &dyn tantivy::query::Query,
    limit: usize,
) -> Result<(usize, bool), SearchError> {
    let mut count = 0;
    each_match(searcher, query, |_| {
        count += 1;
        count < limit
    })?;
    Ok((count, count < limit))
}

/// The matches `offset..offset + limit` in index order, and the count (up to [`COUNT_LIMIT`]).
pub(super) fn first_matches(
    searcher: &Searcher,
    query: &dyn tantivy::query::Query,
    offset: usize,
    limit: usize,
) -> Result<(usize, bool, Scored), SearchError> {
    let mut count = 0;
    let mut page = Vec::with_capacity(limit);
    each_match(searcher, query, |addr| {
        if count >= offset && page.len() < limit {
            page.push((1.0, addr));
        }
        count += 1;
        // Counted far enough, and the page is full (the deepest page ends past the limit).
        count < COUNT_LIMIT.max(offset + limit)
    })?;
    Ok((count.min(COUNT_LIMIT), count < COUNT_LIMIT, page))
}
