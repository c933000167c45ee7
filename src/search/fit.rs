//! How well a record's title fits the query: a ranking signal over the title field's positions
//! and length, across word forms and beginnings. Owns [`TitleFitQuery`]; knows nothing of how a
//! query word's title terms are found (`SearchEngine::expand` does that) nor of the other scores
//! it is added to (`query::build`).
//!
//! BM25 scores each word on its own: a long generated title holding the query's exact words
//! scattered among others can outrank the short title the words *are* when that title has one of
//! them in another form (`introduction algorithm` for *Introduction to Algorithms*) or only
//! begun (`Language Progra` for *The C++ Programming Language*). The fit looks at the title as a
//! whole, each query word counted in any of its title terms (the word, its other forms, the words
//! it begins):
//! - *coverage*: the share of the query's words in the title times the share of the title's
//!   words (its field norm) that are query words — 1 when the title is the query;
//! - *order*: the share of consecutive query words that stand together in the title: in the
//!   query's order at most [`NEAR`] positions apart (`Introduction to Algorithms` for
//!   `introduction algorithm`, `L'Être et le Néant` for `Être Néan`), or next to each other the
//!   other way round (`Programming Language` for `language progra`).
//!
//! The query's score is `COVERAGE × coverage + ORDER × order`, times its boost: added to the
//! other scores, it decides between records the words match about as well, and stays below
//! the bonus of a whole word over a beginning.

use super::lazy_union as union;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// The score of a title that is exactly the query's words.
pub const COVERAGE: f32 = 20.0;
/// The score of a title with every pair of consecutive query words together (see the module
/// documentation).
pub const ORDER: f32 = 15.0;
/// The farthest apart (in positions) two consecutive query words count as in order: two words
/// between them (`X and the Y`).
const NEAR: u32 = 3;

/// The title fit of the documents whose title has at least one of the query's words.
#[derive(Debug, Clone)]
pub struct TitleFitQuery {
    field: Field,
    /// Per query word, in the query's order: the title terms that count as it.
    words: Vec<Vec<Term>>,
}

impl TitleFitQuery {
    /// The fit over `field` of the words given, each as the terms that count as it (a word
    /// without terms still counts in the query's length).
    pub fn new(field: Field, words: Vec<Vec<Term>>) -> Self {
        TitleFitQuery { field, words }
    }
}

impl Query for TitleFitQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for TitleFitQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let index = reader.inverted_index(self.field)?;
        let mut postings = Vec::new();
        for (i, terms) in self.words.iter().enumerate() {
            for term in terms {
                if let Some(p) =
                    index.read_postings(term, IndexRecordOption::WithFreqsAndPositions)?
                {
                    postings.push((i, p));
                }
            }
        }
        let norms = reader.get_fieldnorms_reader(self.field)?;
        let mut scorer = FitScorer {
            postings,
            words: self.words.len(),
            norms,
            boost,
            doc: 0,
            positions: vec![Vec::new(); self.words.len()],
            buffer: Vec::new(),
        };
        scorer.doc = scorer.least();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        super::lazy_union::explain_by_score(self, reader, doc, "title fit")
    }
}

struct FitScorer {
    /// Each title term's postings, with the query word it counts as.
    postings: Vec<(usize, SegmentPostings)>,
    words: usize,
    norms: tantivy::fieldnorm::FieldNormReader,
    boost: Score,
    doc: DocId,
    /// Per query word, its positions in the current document's title (scratch).
    positions: Vec<Vec<u32>>,
    buffer: Vec<u32>,
}

impl FitScorer {
    fn least(&self) -> DocId {
        union::least(self.postings.iter().map(|(_, p)| p))
    }
}

impl DocSet for FitScorer {
    fn advance(&mut self) -> DocId {
        union::advance_past(self.postings.iter_mut().map(|(_, p)| p), self.doc);
        self.doc = self.least();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        union::seek_all(self.postings.iter_mut().map(|(_, p)| p), target);
        self.doc = self.least();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.postings
            .iter()
            .map(|(_, p)| p.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for FitScorer {
    fn score(&mut self) -> Score {
        if self.doc == TERMINATED || self.words == 0 {
            return 0.0;
        }
        for p in &mut self.positions {
            p.clear();
        }
        for (i, p) in &mut self.postings {
            if p.doc() == self.doc {
                self.buffer.clear();
                p.positions(&mut self.buffer);
                self.positions[*i].extend_from_slice(&self.buffer);
            }
        }
        let found = self.positions.iter().filter(|p| !p.is_empty()).count();
        let length = self.norms.fieldnorm(self.doc).max(found as u32).max(1);
        let coverage = (found as f32 / self.words as f32) * (found as f32 / length as f32);
        let order = if self.words > 1 {
            let near = self
                .positions
                .windows(2)
                .filter(|w| {
                    w[0].iter()
                        .any(|&a| w[1].iter().any(|&b| (b > a && b - a <= NEAR) || b + 1 == a))
                })
                .count();
            near as f32 / (self.words - 1) as f32
        } else {
            0.0
        };
        self.boost * (COVERAGE * coverage + ORDER * order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    /// The fit of each title for the words given (their terms), on a real index on disk.
    fn fits(titles: &[&str], words: &[&[&str]]) -> Vec<f32> {
        let dir = tempfile::tempdir().unwrap();
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let index = Index::create_in_dir(dir.path(), schema.build()).unwrap();
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for t in titles {
            writer.add_document(doc!(title => *t)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let words = words
            .iter()
            .map(|w| w.iter().map(|t| Term::from_field_text(title, t)).collect())
            .collect();
        let found = searcher
            .search(
                &TitleFitQuery::new(title, words),
                &TopDocs::with_limit(10).order_by_score(),
            )
            .unwrap();
        let mut scores = vec![0.0; titles.len()];
        for (score, addr) in found {
            scores[addr.doc_id as usize] = score;
        }
        scores
    }

    #[test]
    fn the_title_the_words_are_fits_best() {
        let f = fits(
            &[
                "Introduction to Algorithms",
                "Algorithm workshop and an introduction for applications",
                "Algorithm introduction",
                "Introduction",
                "Nothing of the kind",
            ],
            &[&["introduction"], &["algorithm", "algorithms"]],
        );
        // Both words of three, in order with one between.
        assert!(
            (f[0] - (COVERAGE * 2.0 / 3.0 + ORDER)).abs() < 1e-4,
            "{f:?}"
        );
        // Both words of seven, apart: little.
        assert!((f[1] - COVERAGE * 2.0 / 7.0).abs() < 1e-4, "{f:?}");
        // The whole title, the other way round but next to each other.
        assert!((f[2] - (COVERAGE + ORDER)).abs() < 1e-4, "{f:?}");
        // One word of two, the whole title.
        assert!((f[3] - COVERAGE * 0.5).abs() < 1e-4, "{f:?}");
        assert_eq!(f[4], 0.0);
        assert!(f[0] > f[1] && f[2] > f[0]);
    }
}
