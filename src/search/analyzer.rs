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
    /// Index side: apostrophe and symbol parts and CJK unigrams are emitted beside the main
    /// tokens.
    Index,
    /// Index side, word forms: as [`Mode::Index`], each word replaced by its stem in the
    /// language group the value names (see [`super::forms`]).
    Forms,
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

/// Characters below this have their folding and their letter-or-digit property in [`table`].
const TABLE_END: u32 = 0x3000;
/// [`table`] entry: the character folds to nothing (a combining mark).
const FOLDS_TO_NOTHING: u32 = 1 << 29;
/// [`table`] entry: the character folds to several characters (computed each time).
const FOLDS_TO_MANY: u32 = 1 << 30;
/// [`table`] entry: the character is a letter or a digit.
const ALPHANUMERIC: u32 = 1 << 31;

/// The folding of every character below [`TABLE_END`] (Latin, Greek, Cyrillic, Hebrew, Arabic,
/// Indic…), computed once by [`fold_char_slow`]: lower-casing and the compatibility
/// decomposition are table walks per character, which were a tenth of the indexing time.
fn table() -> &'static [u32] {
    static TABLE: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut folded = String::new();
        (0..TABLE_END)
            .map(|n| {
                let Some(c) = char::from_u32(n) else {
                    return FOLDS_TO_MANY;
                };
                folded.clear();
                fold_char_slow(c, &mut folded);
                let mut chars = folded.chars();
                let entry = match (chars.next(), chars.next()) {
                    (None, _) => FOLDS_TO_NOTHING,
                    (Some(f), None) => f as u32,
                    _ => FOLDS_TO_MANY,
                };
                entry | if c.is_alphanumeric() { ALPHANUMERIC } else { 0 }
            })
            .collect()
    })
}

/// `c.is_alphanumeric()`, from [`table`] when it can.
#[inline]
fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if (c as u32) < TABLE_END {
        table()[c as usize] & ALPHANUMERIC != 0
    } else {
        c.is_alphanumeric()
    }
}

/// Lower-cases and folds one character into `out`.
#[inline]
pub fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    if (c as u32) < TABLE_END {
        let entry = table()[c as usize] & !ALPHANUMERIC;
        if entry & FOLDS_TO_NOTHING != 0 {
            return;
        }
        if entry & FOLDS_TO_MANY == 0 {
            if let Some(f) = char::from_u32(entry) {
                out.push(f);
                return;
            }
        }
    }
    fold_char_slow(c, out);
}

/// [`fold_char`] computed.
fn fold_char_slow(c: char, out: &mut String) {
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
            // A letter of its own in Russian, not и with a mark: the stemmer needs it (the
            // adjective ending `-ой` of `теоретической`; folded, `-ои` is no ending).
            'й' => out.push('й'),
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

/// Whether `c` is a letter (not a digit) for the joining rules of [`analyze`].
fn is_letter(c: char) -> bool {
    c.is_alphabetic() && !is_cjk(c)
}

/// What may join two runs of a word: `node.js`, `802.11`, `x86-64` are one token each (the
/// index also gets the parts, `node` and `js`, at the same position). A dot joins two runs of
/// the same kind (letters and letters, digits and digits: `vol.1` stays two words), a hyphen
/// two digits (`x86-64`, `1914-1918`; `e-mail` stays two words, as before).
fn joins(c: char, last: Option<char>, next: Option<char>) -> bool {
    let (Some(last), Some(next)) = (last, next) else {
        return false;
    };
    match c {
        '.' => {
            (is_letter(last) && is_letter(next)) || (last.is_ascii_digit() && next.is_ascii_digit())
        }
        '-' | '\u{2010}' | '\u{2011}' => last.is_ascii_digit() && next.is_ascii_digit(),
        _ => false,
    }
}

/// Splits `text` into tokens, appending them to `tokens`.
///
/// Words are runs of letters and digits, lower-cased and folded. Some symbols are part of a
/// word: a trailing `++` or `#` after letters (`C++`, `C#`, `F#`, `Notepad++`), a leading dot
/// before letters (`.NET`), and the joiners of [`joins`] (`Node.js`, `802.11`, `x86-64`). In the
/// index such a word also yields its bare parts at the same position (`c`, `net`, `node`, `js`),
/// so `net` finds `.NET`; a query keeps the symbols, so `C++` does not find every `C`.
pub fn analyze(text: &str, mode: Mode, tokens: &mut Vec<Token>) {
    let mut position = tokens.last().map_or(0, |t| t.position + 1);
    let mut word = String::new();
    // Byte ranges (in `word`) of what separates its parts: empty where an apostrophe was
    // dropped (`alices`), the joiner itself otherwise (`node.js`, `c++`).
    let mut splits: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    let mut last: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
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
            last = None;
            continue;
        }
        if is_alphanumeric(c) {
            if word.is_empty() {
                start = at;
            }
            fold_char(c, &mut word);
        } else if is_apostrophe(c)
            && !word.is_empty()
            && next.is_some_and(|n| is_alphanumeric(n) && !is_cjk(n))
        {
            splits.push((word.len(), word.len()));
        } else if !word.is_empty() && joins(c, last, next) {
            splits.push((word.len(), word.len() + c.len_utf8()));
            word.push(if c == '.' { '.' } else { '-' });
        } else if (c == '+' && next == Some('+') || c == '#')
            && last.is_some_and(is_letter)
            && !word.is_empty()
        {
            // `c++`, `c#`: the symbols end the word (`C++11` is `c++` and `11`).
            let symbols = if c == '+' {
                chars.next();
                "++"
            } else {
                "#"
            };
            let end = at + symbols.len();
            splits.push((word.len(), word.len() + symbols.len()));
            word.push_str(symbols);
            flush_word(
                &mut word,
                &mut splits,
                start,
                end,
                mode,
                &mut position,
                tokens,
            );
            last = None;
            continue;
        } else if c == '.' && word.is_empty() && last.is_none() && next.is_some_and(is_letter) {
            // `.net`: a leading dot before letters, after a space or the start.
            start = at;
            splits.push((0, 1));
            word.push('.');
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
        last = (is_alphanumeric(c)).then_some(c);
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
    splits: &mut Vec<(usize, usize)>,
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
    if word == "." {
        word.clear();
        splits.clear();
        return;
    }
    push(tokens, word, from, to, *position);
    if mode != Mode::Query && !splits.is_empty() {
        let mut last = 0;
        for &(s, e) in splits
            .iter()
            .chain(std::iter::once(&(word.len(), word.len())))
        {
            let part = &word[last..s];
            // `alice's` also yields `alice`; a lone `s` is not worth a token.
            if part != "s" && !part.is_empty() && part.len() < word.len() {
                push(tokens, part, from, to, *position);
            }
            last = e;
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
        if mode != Mode::Query {
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

/// Stems kept per language group by one tokenizer (an indexing thread's): titles repeat the
/// same few thousand words, and Snowball was a tenth of the indexing time. Emptied when full.
const STEM_CACHE: usize = 16_384;

/// The tantivy tokenizer wrapping [`analyze`].
#[derive(Clone)]
pub struct LanshelfTokenizer {
    mode: Mode,
    tokens: Vec<Token>,
    /// [`Mode::Forms`]: the last value analysed; the same value again (the title is given twice)
    /// gets the same tokens without analysing it again.
    last: String,
    /// [`Mode::Forms`]: the indexed form of each word met, by language group.
    stems: Vec<std::collections::HashMap<String, String>>,
}

impl LanshelfTokenizer {
    /// A tokenizer for the index or for queries.
    pub fn new(mode: Mode) -> Self {
        LanshelfTokenizer {
            mode,
            tokens: Vec::new(),
            last: String::new(),
            stems: Vec::new(),
        }
    }

    /// The tokens of a value of the `text` field: words replaced by their forms in the group the
    /// value names (`Group::value`).
    fn forms(&mut self, value: &str) {
        if value == self.last && !value.is_empty() {
            return;
        }
        self.last.clear();
        self.last.push_str(value);
        self.tokens.clear();
        let (group, text) = super::forms::Group::split_value(value);
        analyze(text, Mode::Forms, &mut self.tokens);
        if self.stems.is_empty() {
            self.stems = vec![Default::default(); super::forms::GROUP_TAGS.len()];
        }
        let stems = &mut self.stems[group as usize];
        for t in &mut self.tokens {
            if let Some(stem) = stems.get(&t.text) {
                t.text.clear();
                t.text.push_str(stem);
                continue;
            }
            let stem = group.stem(&t.text).into_owned();
            if stems.len() >= STEM_CACHE {
                stems.clear();
            }
            stems.insert(std::mem::replace(&mut t.text, stem.clone()), stem);
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
        if self.mode == Mode::Forms {
            self.forms(text);
        } else {
            self.tokens.clear();
            analyze(text, self.mode, &mut self.tokens);
        }
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
    fn the_folding_table_folds_as_computed() {
        let (mut fast, mut slow) = (String::new(), String::new());
        for c in (0..TABLE_END + 0x100).filter_map(char::from_u32) {
            fast.clear();
            slow.clear();
            fold_char(c, &mut fast);
            fold_char_slow(c, &mut slow);
            assert_eq!(fast, slow, "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn cached_forms_are_the_computed_ones() {
        use super::super::forms::Group;
        let values = [
            Group::English.value("Introduction to Algorithms, Algorithms' Analysis"),
            Group::English.value("Introduction to Algorithms, Algorithms' Analysis"),
            Group::German.value("Bücher über Algorithmen"),
            Group::English.value("Книги и алгоритмы 红楼梦 C++ Node.js"),
            Group::French.value("Книги и алгоритмы"),
            Group::French.value("Les chansons"),
            Group::French.value("Les chansons"),
            String::new(),
            Group::Spanish.value(""),
        ];
        let mut cached = LanshelfTokenizer::new(Mode::Forms);
        for v in &values {
            let mut fresh = LanshelfTokenizer::new(Mode::Forms);
            let collect = |t: &mut LanshelfTokenizer| {
                let mut stream = t.token_stream(v);
                let mut out = Vec::new();
                while stream.advance() {
                    let t = stream.token();
                    out.push((t.position, t.offset_from, t.offset_to, t.text.clone()));
                }
                out
            };
            assert_eq!(collect(&mut cached), collect(&mut fresh), "{v:?}");
        }
    }

    #[test]
    fn diacritics_and_case_fold() {
        assert_eq!(
            words(&query_terms("Schrödinger GÖDEL Façade Straße Øresund")),
            ["schrodinger", "godel", "facade", "strasse", "oresund"]
        );
        // `й` is a letter of its own (the Russian stemmer needs it); `ё` is written `е`.
        assert_eq!(
            words(&query_terms("Теоретической ЙОГИ Ёлка")),
            ["теоретической", "йоги", "елка"]
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
            ["c++", "3rd", "ed", "vol", "1"]
        );
        let long = "a".repeat(200);
        assert!(query_terms(&long).is_empty());
        assert!(query_terms("\"((( ***").is_empty());
    }

    #[test]
    fn symbols_belong_to_words() {
        assert_eq!(
            words(&query_terms("C++ C# F# .NET Node.js 802.11 x86-64 R C")),
            ["c++", "c#", "f#", ".net", "node.js", "802.11", "x86-64", "r", "c"]
        );
        assert_eq!(
            words(&query_terms("C++11, C/C++")),
            ["c++", "11", "c", "c++"]
        );
        // Ordinary punctuation still separates.
        assert_eq!(
            words(&query_terms("e-mail vol.1 A+ #1 end. Next")),
            ["e", "mail", "vol", "1", "a", "1", "end", "next"]
        );
        // The index also has the bare parts, at the same position.
        let idx = index("C++ Primer for .NET and Node.js");
        assert_eq!(
            words(&idx),
            ["c++", "c", "primer", "for", ".net", "net", "and", "node.js", "node", "js"]
        );
        assert_eq!(idx[0].0, idx[1].0);
        assert_eq!(idx[7].0, idx[9].0);
        assert_eq!(words(&index("x86-64")), ["x86-64", "x86", "64"]);
    }
}
