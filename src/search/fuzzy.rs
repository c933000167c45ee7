//! Typo tolerance that keeps the first letter: the corrections of a misspelt word.
//!
//! A plain [`FuzzyTermQuery`] walks the whole term dictionary of a field with a Levenshtein
//! automaton; at 16 M records that walk alone took 27 ms a word. Typos in the first letter are
//! rare, so the automaton here requires the first character to be exact: the dictionary walk
//! then only enters the branch of terms starting with it, a few percent of the dictionary. The
//! terms it accepts replace the word as ordinary terms, so the corrected words are scored
//! (BM25) like any other, the most frequent corrections first.

use std::collections::HashMap;

use tantivy::query::{DfaWrapper, FuzzyTermQuery};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};
use tantivy_fst::Automaton;

/// A Levenshtein automaton that only accepts terms starting with `prefix`.
struct FirstLetter {
    inner: DfaWrapper,
    prefix: Vec<u8>,
}

impl Automaton for FirstLetter {
    /// The inner state and how many bytes of the prefix have been read; `None` once a byte
    /// differs from the prefix.
    type State = Option<(u32, usize)>;

    fn start(&self) -> Self::State {
        Some((self.inner.start(), 0))
    }

    fn is_match(&self, state: &Self::State) -> bool {
        state.is_some_and(|(s, read)| read >= self.prefix.len() && self.inner.is_match(&s))
    }

    fn can_match(&self, state: &Self::State) -> bool {
        state.is_some_and(|(s, _)| self.inner.can_match(&s))
    }

    fn accept(&self, state: &Self::State, byte: u8) -> Self::State {
        let (s, read) = (*state)?;
        if read < self.prefix.len() && self.prefix[read] != byte {
            return None;
        }
        Some((
            self.inner.accept(&s, byte),
            (read + 1).min(self.prefix.len()),
        ))
    }
}

/// The terms of `field` within `distance` edits of `word` (a transposition is one edit) that
/// start with the same character (and the same group tag, for a form), with how many documents have each, most frequent first, at
/// most `limit`: the corrections of a misspelt word.
pub fn corrections(
    searcher: &Searcher,
    field: Field,
    word: &str,
    distance: u8,
    limit: usize,
) -> tantivy::Result<Vec<(String, u64)>> {
    // The first letter, after a form's group tag (`e:`), is kept as it is.
    let keep = super::forms::tag_len(word) + 1;
    let prefix: Vec<u8> = word.chars().take(keep).collect::<String>().into_bytes();
    let mut found: HashMap<Vec<u8>, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let inner =
            FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true).automaton()?;
        let automaton = FirstLetter {
            inner,
            prefix: prefix.clone(),
        };
        let index = segment.inverted_index(field)?;
        let mut stream = index.terms().search(automaton).into_stream()?;
        while stream.advance() {
            *found.entry(stream.key().to_vec()).or_default() += u64::from(stream.value().doc_freq);
        }
    }
    let mut out: Vec<(String, u64)> = found
        .into_iter()
        .filter_map(|(t, n)| String::from_utf8(t).ok().map(|t| (t, n)))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.truncate(limit);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(word: &str, distance: u8, candidate: &str) -> bool {
        let inner = FuzzyTermQuery::new(
            Term::from_field_text(Field::from_field_id(0), word),
            distance,
            true,
        )
        .automaton()
        .unwrap();
        let a = FirstLetter {
            inner,
            prefix: word.chars().next().unwrap().to_string().into_bytes(),
        };
        let mut state = a.start();
        for b in candidate.bytes() {
            state = a.accept(&state, b);
        }
        a.is_match(&state)
    }

    #[test]
    fn keeps_the_first_letter() {
        assert!(accepts("quantum", 1, "quantom"));
        assert!(accepts("quantum", 1, "qunatum"));
        assert!(accepts("quantum", 2, "qantun"));
        assert!(!accepts("quantum", 1, "wuantum"));
        assert!(!accepts("quantum", 1, "quantitative"));
        assert!(accepts("физика", 1, "фзика"));
        assert!(!accepts("физика", 1, "мизика"));
    }
}
