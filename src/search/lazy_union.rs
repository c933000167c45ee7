//! A union of queries whose scorer moves each part only when asked: for scoring a few hundred
//! scattered documents (the candidates `SearchEngine::run` re-scores). Owns [`LazyUnionQuery`];
//! knows nothing of what its parts are (`query::build` decides).
//!
//! Tantivy's own union scorer buffers a window of 4 096 documents: a seek past the window clears
//! it and scores every document of every part inside the next one. That is fast when every match
//! is visited, and most of the cost when the documents asked for are far apart (at 16 M records
//! a word in a few percent of the titles has a hundred documents in each window, and the title
//! fit and phrase bonus read positions for each of them). This union seeks each part to the
//! document asked for and sums the scores of the parts that have it: the same score (up to the
//! order of the additions), at the cost of the documents asked for.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// Documents matching any of the parts, scored as the sum of the parts that match.
#[derive(Debug)]
pub struct LazyUnionQuery {
    parts: Vec<Box<dyn Query>>,
}

impl Clone for LazyUnionQuery {
    fn clone(&self) -> Self {
        LazyUnionQuery {
            parts: self.parts.iter().map(|q| q.box_clone()).collect(),
        }
    }
}

impl LazyUnionQuery {
    /// The union of `parts`.
    pub fn new(parts: Vec<Box<dyn Query>>) -> Self {
        LazyUnionQuery { parts }
    }
}

impl Query for LazyUnionQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .parts
            .iter()
            .map(|q| q.weight(scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(LazyUnionWeight(weights)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in &self.parts {
            q.query_terms(visitor);
        }
    }
}

struct LazyUnionWeight(Vec<Box<dyn Weight>>);

impl Weight for LazyUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let parts = self
            .0
            .iter()
            .map(|w| w.scorer(reader, boost))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut scorer = LazyUnionScorer { parts, doc: 0 };
        scorer.doc = scorer.least();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_by_score(self, reader, doc, "lazy union")
    }
}

/// An explanation that is only the score of `weight`'s scorer at `doc` (0 where it does not
/// match), for weights whose parts are not worth explaining one by one.
pub(super) fn explain_by_score(
    weight: &dyn Weight,
    reader: &SegmentReader,
    doc: DocId,
    what: &'static str,
) -> tantivy::Result<Explanation> {
    let mut scorer = weight.scorer(reader, 1.0)?;
    let score = if scorer.seek(doc) == doc {
        scorer.score()
    } else {
        0.0
    };
    Ok(Explanation::new(what, score))
}

/// The first document of any of `parts` (a union's current document).
pub(super) fn least<'a, D: DocSet + ?Sized + 'a>(parts: impl Iterator<Item = &'a D>) -> DocId {
    parts.map(|p| p.doc()).min().unwrap_or(TERMINATED)
}

/// Moves the parts on `current` past it; the union's next document.
pub(super) fn advance_past<'a, D: DocSet + ?Sized + 'a>(
    parts: impl Iterator<Item = &'a mut D>,
    current: DocId,
) {
    for p in parts {
        if p.doc() == current {
            p.advance();
        }
    }
}

/// Moves the parts before `target` to it (or past it).
pub(super) fn seek_all<'a, D: DocSet + ?Sized + 'a>(
    parts: impl Iterator<Item = &'a mut D>,
    target: DocId,
) {
    for p in parts {
        if p.doc() < target {
            p.seek(target);
        }
    }
}

struct LazyUnionScorer {
    parts: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl LazyUnionScorer {
    fn least(&self) -> DocId {
        least(self.parts.iter().map(|p| p.as_ref()))
    }
}

impl DocSet for LazyUnionScorer {
    fn advance(&mut self) -> DocId {
        advance_past(self.parts.iter_mut().map(|p| p.as_mut()), self.doc);
        self.doc = self.least();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        seek_all(self.parts.iter_mut().map(|p| p.as_mut()), target);
        self.doc = self.least();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.parts.iter().map(|p| p.size_hint()).sum()
    }
}

impl Scorer for LazyUnionScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        if doc == TERMINATED {
            return 0.0;
        }
        self.parts
            .iter_mut()
            .filter(|p| p.doc() == doc)
            .map(|p| p.score())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, DocAddress, Index};

    /// Every document scored by the lazy union equals tantivy's own union, in iteration and
    /// when seeking scattered documents, on a real index on disk.
    #[test]
    fn scores_as_the_boolean_union_does() {
        let dir = tempfile::tempdir().unwrap();
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let index = Index::create_in_dir(dir.path(), schema.build()).unwrap();
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = ["alpha", "beta", "gamma", "delta"];
        for i in 0..10_000u32 {
            let mut t = String::new();
            for (j, w) in words.iter().enumerate() {
                if (i * 7 + j as u32 * 13).is_multiple_of(j as u32 + 2) {
                    t.push_str(w);
                    t.push(' ');
                }
            }
            t.push_str("filler");
            writer.add_document(doc!(title => t)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let parts = || -> Vec<Box<dyn Query>> {
            ["alpha", "gamma", "delta"]
                .iter()
                .map(|w| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(title, w),
                        IndexRecordOption::WithFreqs,
                    )) as Box<dyn Query>
                })
                .collect()
        };
        let boolean = BooleanQuery::new(parts().into_iter().map(|q| (Occur::Should, q)).collect());
        let lazy = LazyUnionQuery::new(parts());
        let top = |q: &dyn Query| {
            searcher
                .search(q, &TopDocs::with_limit(20_000).order_by_score())
                .unwrap()
        };
        let (mut a, mut b) = (top(&boolean), top(&lazy));
        assert!(a.len() > 1000, "{}", a.len());
        let key = |v: &mut Vec<(f32, DocAddress)>| v.sort_by_key(|(_, d)| *d);
        key(&mut a);
        key(&mut b);
        assert_eq!(a.len(), b.len());
        for ((sa, da), (sb, db)) in a.iter().zip(&b) {
            assert_eq!(da, db);
            assert!((sa - sb).abs() < 1e-4, "{da:?}: {sa} vs {sb}");
        }
        // Seeking scattered documents, as re-scoring does.
        let scoring = EnableScoring::enabled_from_searcher(&searcher);
        let segment = searcher.segment_reader(0);
        let mut s = lazy.weight(scoring).unwrap().scorer(segment, 1.0).unwrap();
        let mut matched = 0;
        for (score, addr) in a.iter().step_by(37) {
            assert_eq!(s.seek(addr.doc_id), addr.doc_id);
            assert!((s.score() - score).abs() < 1e-4);
            matched += 1;
        }
        assert!(matched > 20);
        // A document no part has is skipped to the next one that some part has.
        let missing = (0..10_000u32)
            .find(|d| !a.iter().any(|(_, x)| x.doc_id == *d))
            .unwrap();
        let mut s = lazy.weight(scoring).unwrap().scorer(segment, 1.0).unwrap();
        let next = s.seek(missing);
        assert!(next > missing);
        assert!(a.iter().any(|(_, x)| x.doc_id == next) || next == TERMINATED);
    }
}
