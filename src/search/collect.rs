//! Ways of walking a query's matches: the top by score (superseded versions lowered),
//! candidates re-scored, every match in index order, a count up to a limit.

use tantivy::collector::TopDocs;
use tantivy::{DocAddress, Searcher};

use super::columns::ColumnCache;
use super::query;
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

/// The `k` best documents of any of `parts` (see [`query::Parts`]): one part, its own top k;
/// several, searched one after the other in their order (the rarest first), each with the bar
/// the best so far set, so that block-max WAND skips what cannot enter the top k. A document
/// matching two parts is taken once, with the first part's score.
pub(super) fn best_of(
    searcher: &Searcher,
    parts: &query::Parts,
    k: usize,
) -> Result<Scored, SearchError> {
    if let [query] = parts.as_slice() {
        return Ok(searcher.search(query, &TopDocs::with_limit(k).order_by_score())?);
    }
    /// Ordered as tantivy's top k orders: the higher score, then the lower address.
    #[derive(PartialEq)]
    struct Best(f32, DocAddress);
    impl Eq for Best {}
    impl PartialOrd for Best {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Best {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            self.0.total_cmp(&other.0).then(other.1.cmp(&self.1))
        }
    }
    // The k best so far, the least on top, and which documents they are.
    let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<Best>> =
        std::collections::BinaryHeap::with_capacity(k + 1);
    let mut taken: std::collections::HashSet<DocAddress> = Default::default();
    // What a document must score above to enter: the least of the k, once there are k.
    let bar = |heap: &std::collections::BinaryHeap<std::cmp::Reverse<Best>>| match heap.peek() {
        Some(least) if heap.len() >= k => least.0 .0,
        _ => f32::MIN,
    };
    let scoring = tantivy::query::EnableScoring::enabled_from_searcher(searcher);
    for part in parts {
        let weight = part.weight(scoring)?;
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let alive = segment.alive_bitset();
            let mut threshold = bar(&heap);
            weight.for_each_pruning(threshold, segment, &mut |doc, score| {
                let addr = DocAddress::new(ord as u32, doc);
                if score > threshold && alive.is_none_or(|a| a.is_alive(doc)) && taken.insert(addr)
                {
                    heap.push(std::cmp::Reverse(Best(score, addr)));
                    if heap.len() > k {
                        if let Some(std::cmp::Reverse(least)) = heap.pop() {
                            taken.remove(&least.1);
                        }
                    }
                    threshold = bar(&heap);
                }
                threshold
            })?;
        }
    }
    let mut best: Scored = heap.into_iter().map(|b| (b.0 .0, b.0 .1)).collect();
    best.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(best)
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

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, Term};

    /// The best of parts no document shares is the top k of their union, scores included, on a
    /// real index with two segments.
    #[test]
    fn best_of_disjoint_parts_is_the_top_of_their_union() {
        let dir = tempfile::tempdir().unwrap();
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_dir(dir.path(), schema.build()).unwrap();
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..6_000u32 {
            // A common form, two rare ones, never two in one document; lengths vary.
            let form = match i % 50 {
                0 => "f:scienc",
                1 => "d:scienc",
                _ => "e:scienc",
            };
            let filler = "filler ".repeat((i % 7) as usize);
            writer
                .add_document(doc!(text => format!("{form} {filler}")))
                .unwrap();
            if i == 3_000 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let term = |t: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(text, t),
                IndexRecordOption::WithFreqs,
            ))
        };
        let forms = ["f:scienc", "d:scienc", "e:scienc"];
        let union = BooleanQuery::new(forms.iter().map(|f| (Occur::Should, term(f))).collect());
        for k in [10, 150, 500] {
            let expected = searcher
                .search(&union, &TopDocs::with_limit(k).order_by_score())
                .unwrap();
            let parts: query::Parts = forms.iter().map(|f| term(f)).collect();
            let found = best_of(&searcher, &parts, k).unwrap();
            assert_eq!(found.len(), expected.len());
            for ((a, da), (b, db)) in found.iter().zip(&expected) {
                assert!((a - b).abs() < 1e-5, "{a} {b}");
                // Equal scores may be other documents of the same score.
                assert!(da == db || (a - b).abs() < 1e-6);
            }
        }
    }
}
