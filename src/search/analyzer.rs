//! The text analyzer shared by indexing and querying: Unicode words, lower-cased and folded
//! (diacritics removed: `Schrödinger` → `schrodinger`), apostrophes joined (`Alice's` → `alices`,
//! and in the index also `alice`), and CJK runs cut into overlapping bigrams plus unigrams, so
//! that any substring of a title written without spaces is found (`红楼` finds `红楼梦`).
//!
//! Why bigrams rather than a dictionary segmenter (jieba, lindera): they need no dictionary (a
//! LAN mirror may be offline and a NAS is small), they treat Chinese, Japanese and Korean alike,
//! and they find every substring, where a segmenter misses words it cut differently.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Tokens longer than this (in bytes) are dropped: they are garbage (URLs, hashes run together).
const MAX_TOKEN_BYTES: usize = 120;

/// Whether the tokenizer feeds the index (emits extra variants) or parses a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Index side: apostrophe parts and CJK unigrams are emitted beside the main tokens.
    Index,
    /// Query side: only the main tokens.
    Query,
}

/// True for characters of scripts written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK Extension A
        | 0x4E00..=0x9FFF // CJK Unified Ideographs
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0xF900..=0xFAFF // CJK Compatibility Ideographs
        | 0x20000..=0x2FA1F)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '‘' | '`' | '´')
}

/// Lower-cases and folds one character into `out`.
#[inline]
pub fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for l in c.to_lowercase() {
        match l {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'ł' => out.push('l'),
            'đ' | 'ð' => out.push('d'),
            'þ' => out.push_str("th"),
            'ı' => out.push('i'),
            'ς' => out.push('σ'),
            _ => decompose_compatible(l, |d| {
                if !is_combining_mark(d) {
                    for x in d.to_lowercase() {
                        out.push(x);
                    }
                }
            }),
        }
    }
}

/// Folds a whole string (lower case, no diacritics), keeping everything else.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// Splits `text` into tokens, appending them to `tokens`.
pub fn analyze(text: &str, mode: Mode, tokens: &mut Vec<Token>) {
    let mut position = tokens.last().map_or(0, |t| t.position + 1);
    let mut word = String::new();
    // Byte lengths (in `word`) where an apostrophe split the word.
    let mut splits: Vec<usize> = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if is_cjk(c) {
            flush_word(
                &mut word,
                &mut splits,
                start,
                at,
                mode,
                &mut position,
                tokens,
            );
            let mut run: Vec<(usize, char)> = vec![(at, c)];
            while let Some(&(a, n)) = chars.peek() {
                if !is_cjk(n) {
                    break;
                }
                run.push((a, n));
                chars.next();
            }
            emit_cjk(&run, text, mode, &mut position, tokens);
        } else if c.is_alphanumeric() {
            if word.is_empty() {
                start = at;
            }
            fold_char(c, &mut word);
        } else if is_apostrophe(c)
            && !word.is_empty()
            && chars
                .peek()
                .is_some_and(|&(_, n)| n.is_alphanumeric() && !is_cjk(n))
        {
            splits.push(word.len());
        } else {
            flush_word(
                &mut word,
                &mut splits,
                start,
                at,
                mode,
                &mut position,
                tokens,
            );
        }
    }
    flush_word(
        &mut word,
        &mut splits,
        start,
        text.len(),
        mode,
        &mut position,
        tokens,
    );
}

fn push(tokens: &mut Vec<Token>, text: &str, from: usize, to: usize, position: usize) {
    if text.is_empty() || text.len() > MAX_TOKEN_BYTES {
        return;
    }
    tokens.push(Token {
        offset_from: from,
        offset_to: to,
        position,
        text: text.to_string(),
        position_length: 1,
    });
}

fn flush_word(
    word: &mut String,
    splits: &mut Vec<usize>,
    from: usize,
    to: usize,
    mode: Mode,
    position: &mut usize,
    tokens: &mut Vec<Token>,
) {
    if word.is_empty() {
        splits.clear();
        return;
    }
    push(tokens, word, from, to, *position);
    if mode == Mode::Index && !splits.is_empty() {
        let mut last = 0;
        for &s in splits.iter().chain(std::iter::once(&word.len())) {
            let part = &word[last..s];
            // `alice's` also yields `alice`; a lone `s` is not worth a token.
            if part != "s" && part.len() < word.len() {
                push(tokens, part, from, to, *position);
            }
            last = s;
        }
    }
    *position += 1;
    word.clear();
    splits.clear();
}

fn emit_cjk(
    run: &[(usize, char)],
    text: &str,
    mode: Mode,
    position: &mut usize,
    tokens: &mut Vec<Token>,
) {
    let end_of = |i: usize| {
        run.get(i + 1)
            .map_or_else(|| run[i].0 + run[i].1.len_utf8(), |r| r.0)
    };
    if run.len() == 1 {
        push(
            tokens,
            &text[run[0].0..end_of(0)],
            run[0].0,
            end_of(0),
            *position,
        );
        *position += 1;
        return;
    }
    for i in 0..run.len() {
        if i + 1 < run.len() {
            let (from, to) = (run[i].0, end_of(i + 1));
            push(tokens, &text[from..to], from, to, *position + i);
        }
        if mode == Mode::Index {
            push(
                tokens,
                &text[run[i].0..end_of(i)],
                run[i].0,
                end_of(i),
                *position + i,
            );
        }
    }
    *position += run.len();
}

/// The tantivy tokenizer wrapping [`analyze`].
#[derive(Clone)]
pub struct LanshelfTokenizer {
    mode: Mode,
    tokens: Vec<Token>,
}

impl LanshelfTokenizer {
    /// A tokenizer for the index or for queries.
    pub fn new(mode: Mode) -> Self {
        LanshelfTokenizer {
            mode,
            tokens: Vec::new(),
        }
    }
}

/// The token stream of [`LanshelfTokenizer`].
pub struct LanshelfTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    index: usize,
}

impl Tokenizer for LanshelfTokenizer {
    type TokenStream<'a> = LanshelfTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.tokens.clear();
        analyze(text, self.mode, &mut self.tokens);
        LanshelfTokenStream {
            tokens: &mut self.tokens,
            index: usize::MAX,
        }
    }
}

impl TokenStream for LanshelfTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.index = self.index.wrapping_add(1);
        self.index < self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index]
    }
}

/// The query-side tokens of `text` as `(position, term)`.
pub fn query_terms(text: &str) -> Vec<(usize, String)> {
    let mut tokens = Vec::new();
    analyze(text, Mode::Query, &mut tokens);
    tokens.into_iter().map(|t| (t.position, t.text)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(text: &str) -> Vec<(usize, String)> {
        let mut tokens = Vec::new();
        analyze(text, Mode::Index, &mut tokens);
        tokens.into_iter().map(|t| (t.position, t.text)).collect()
    }

    fn words(v: &[(usize, String)]) -> Vec<&str> {
        v.iter().map(|(_, t)| t.as_str()).collect()
    }

    #[test]
    fn diacritics_and_case_fold() {
        assert_eq!(
            words(&query_terms("Schrödinger GÖDEL Façade Straße Øresund")),
            ["schrodinger", "godel", "facade", "strasse", "oresund"]
        );
    }

    #[test]
    fn cyrillic_greek_arabic_lower_case() {
        assert_eq!(
            words(&query_terms("Преступление И Наказание")),
            ["преступление", "и", "наказание"]
        );
        assert_eq!(words(&query_terms("Ἰλιάς ΟΔΎΣΣΕΙΑ")), ["ιλιασ", "οδυσσεια"]);
        assert_eq!(words(&query_terms("الخوارزميات")), ["الخوارزميات"]);
    }

    #[test]
    fn apostrophes_join_and_split_in_the_index() {
        assert_eq!(
            words(&query_terms("Alice's Adventures")),
            ["alices", "adventures"]
        );
        assert_eq!(
            words(&query_terms("alices adventures")),
            ["alices", "adventures"]
        );
        let idx = index("Alice’s O'Brien");
        assert_eq!(words(&idx), ["alices", "alice", "obrien", "o", "brien"]);
        assert_eq!(idx[0].0, idx[1].0);
        assert_eq!(idx[2].0, 1);
    }

    #[test]
    fn cjk_bigrams_and_unigrams() {
        assert_eq!(words(&query_terms("红楼梦")), ["红楼", "楼梦"]);
        assert_eq!(words(&query_terms("红楼")), ["红楼"]);
        assert_eq!(words(&query_terms("梦")), ["梦"]);
        let idx = index("红楼梦 abc");
        assert_eq!(words(&idx), ["红楼", "红", "楼梦", "楼", "梦", "abc"]);
        assert_eq!(idx.last().unwrap().0, 3);
    }

    #[test]
    fn punctuation_separates_and_long_tokens_drop() {
        assert_eq!(
            words(&query_terms("C++ (3rd ed.), vol.1")),
            ["c", "3rd", "ed", "vol", "1"]
        );
        let long = "a".repeat(200);
        assert!(query_terms(&long).is_empty());
        assert!(query_terms("\"((( ***").is_empty());
    }
}
