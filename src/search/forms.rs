//! Word forms: the stems that let `algorithm` find *Introduction to Algorithms*, `книги` find
//! `книга`, `Bücher` find `Buch`. Owns which Snowball stemmer (the `frostem` crate, the one
//! tantivy's own `Stemmer` filter uses) applies to which word; knows nothing of fields or
//! queries.
//!
//! A record carries a language, a query does not. The combined `text` field holds every word of
//! a record as its stem in the record's *language group*: Latin-script words of a German,
//! French, Spanish, Italian or Portuguese record by that language's stemmer, those of every
//! other record (English, unknown — most papers —, or any other language) by the English one,
//! each stem tagged with its group (`e:algorithm`, `d:buch`), so that one language's stem never
//! meets another's words (Portuguese `lus` for `lusaidas` is not English `lus`); Cyrillic words
//! by the Russian stemmer whatever the record's language, untagged; everything else (digits,
//! symbols, Greek, Arabic, CJK) as it is. A query word is looked up as the set of its tagged
//! stems in every group it could belong to ([`query_stems`]): up to six terms, of which usually
//! one or two exist (the other groups' terms are short posting lists). The exact words stay in
//! the per-field text fields (title, authors…), which the ranking adds, so exact forms rank
//! above other forms.

use std::borrow::Cow;

use frostem::{Algorithm, Stemmer};

/// The stemmer a record's Latin-script words get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// English, and every language without a stemmer of its own here.
    English,
    /// German.
    German,
    /// French.
    French,
    /// Spanish.
    Spanish,
    /// Italian.
    Italian,
    /// Portuguese.
    Portuguese,
}

/// The Latin-script groups, English first (a query's most likely reading).
const LATIN: [Group; 6] = [
    Group::English,
    Group::German,
    Group::French,
    Group::Spanish,
    Group::Italian,
    Group::Portuguese,
];

/// The tags of the Latin-script groups' forms, English first.
pub const GROUP_TAGS: [&str; 6] = ["e:", "d:", "f:", "s:", "i:", "p:"];

/// Starts a value of the `text` field: the next character names its group.
const GROUP_MARK: char = '\u{2}';

/// Words shorter than this (in characters) are not stemmed.
const MIN_STEM_CHARS: usize = 3;

impl Group {
    /// The group of a record's language (an ISO 639-3 code).
    pub fn of_language(iso639_3: Option<&str>) -> Group {
        match iso639_3 {
            Some("deu") => Group::German,
            Some("fra") => Group::French,
            Some("spa") => Group::Spanish,
            Some("ita") => Group::Italian,
            Some("por") => Group::Portuguese,
            _ => Group::English,
        }
    }

    /// The tag of this group's stems (`e:`), which no query word can contain.
    pub fn tag(self) -> &'static str {
        match self {
            Group::English => "e:",
            Group::German => "d:",
            Group::French => "f:",
            Group::Spanish => "s:",
            Group::Italian => "i:",
            Group::Portuguese => "p:",
        }
    }

    fn letter(self) -> char {
        match self {
            Group::English => 'e',
            Group::German => 'd',
            Group::French => 'f',
            Group::Spanish => 's',
            Group::Italian => 'i',
            Group::Portuguese => 'p',
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            Group::English => Algorithm::English,
            Group::German => Algorithm::German,
            Group::French => Algorithm::French,
            Group::Spanish => Algorithm::Spanish,
            Group::Italian => Algorithm::Italian,
            Group::Portuguese => Algorithm::Portuguese,
        }
    }

    /// `text` as a value of the `text` field analysed in this group.
    pub fn value(self, text: &str) -> String {
        let mut v = String::with_capacity(text.len() + 2);
        v.push(GROUP_MARK);
        v.push(self.letter());
        v.push_str(text);
        v
    }

    /// The group a value of the `text` field names, and the text after the mark (English and
    /// the whole value when it has no mark).
    pub fn split_value(value: &str) -> (Group, &str) {
        let mut chars = value.chars();
        if chars.next() != Some(GROUP_MARK) {
            return (Group::English, value);
        }
        let group = match chars.next() {
            Some('d') => Group::German,
            Some('f') => Group::French,
            Some('s') => Group::Spanish,
            Some('i') => Group::Italian,
            Some('p') => Group::Portuguese,
            _ => Group::English,
        };
        (group, chars.as_str())
    }

    /// The indexed form of a folded word of a record in this group.
    pub fn stem(self, word: &str) -> Cow<'_, str> {
        self.stem_word(word)
    }

    fn stem_word<'a>(self, word: &'a str) -> Cow<'a, str> {
        match script(word) {
            Script::Latin => {
                let stem = Stemmer::new(self.algorithm()).stem(word);
                Cow::Owned(format!("{}{stem}", self.tag()))
            }
            Script::Cyrillic => Stemmer::new(Algorithm::Russian).stem(word),
            Script::Other => Cow::Borrowed(word),
        }
    }
}

/// The beginnings of forms a beginning of a word stands for: `algo` is `e:algo`, `d:algo`… (a
/// stem begins like its word); a Cyrillic or other beginning is itself.
pub fn prefixes(beginning: &str) -> Vec<String> {
    if beginning.bytes().all(|b| b.is_ascii_lowercase()) {
        LATIN
            .iter()
            .map(|g| format!("{}{beginning}", g.tag()))
            .collect()
    } else {
        vec![beginning.to_string()]
    }
}

/// How many leading characters of a form are its tag (kept as they are by typo correction).
pub fn tag_len(form: &str) -> usize {
    if form.as_bytes().get(1) == Some(&b':') {
        2
    } else {
        0
    }
}

enum Script {
    Latin,
    Cyrillic,
    Other,
}

/// Which stemmers a folded word is for: only words of letters of one script, long enough.
fn script(word: &str) -> Script {
    if word.chars().nth(MIN_STEM_CHARS - 1).is_none() {
        return Script::Other;
    }
    if word.bytes().all(|b| b.is_ascii_lowercase()) {
        return Script::Latin;
    }
    if word
        .chars()
        .all(|c| matches!(c, '\u{430}'..='\u{44f}' | '\u{450}'..='\u{45f}'))
    {
        return Script::Cyrillic;
    }
    Script::Other
}

/// Every indexed form a folded query word may have: its tagged stem in each language group it
/// could be written in, the English one first.
pub fn query_stems(word: &str) -> Vec<String> {
    match script(word) {
        Script::Latin => LATIN
            .iter()
            .map(|g| g.stem_word(word).into_owned())
            .collect(),
        Script::Cyrillic => vec![Stemmer::new(Algorithm::Russian).stem(word).into_owned()],
        Script::Other => vec![word.to_string()],
    }
}

/// Whether a folded word has `form` as its indexed form in the form's group (`algorithms` has
/// `e:algorithm`; `lusiadas` has `p:lusiad`): the word is one of the form's words.
pub fn has_form(word: &str, form: &str) -> bool {
    let tag = &form[..tag_len(form)];
    match script(word) {
        Script::Latin => LATIN
            .iter()
            .find(|g| g.tag() == tag)
            .is_some_and(|g| g.stem_word(word) == form),
        Script::Cyrillic => tag.is_empty() && Stemmer::new(Algorithm::Russian).stem(word) == form,
        Script::Other => word == form,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(group: Group, word: &str) -> String {
        group.stem(word).into_owned()
    }

    #[test]
    fn a_query_word_meets_every_form_of_the_groups() {
        // English plurals and endings.
        let q = query_stems("algorithm");
        assert!(q.contains(&forms(Group::English, "algorithms")), "{q:?}");
        assert!(query_stems("programming").contains(&forms(Group::English, "programs")));
        // German, French, Spanish, Italian, Portuguese records, found by another form.
        for (group, indexed, typed) in [
            (Group::German, "bucher", "buch"),
            (Group::French, "chansons", "chanson"),
            (Group::Spanish, "canciones", "cancion"),
            (Group::Italian, "storie", "storia"),
            (Group::Portuguese, "livros", "livro"),
        ] {
            let q = query_stems(typed);
            assert!(
                q.contains(&forms(group, indexed)),
                "{typed} should meet {indexed}: {q:?}"
            );
        }
        // Russian, whatever the record's language.
        assert_eq!(forms(Group::French, "книги"), query_stems("книга")[0]);
        // One group's stem never meets another's: Portuguese `lusaidas` is not English `lus`.
        assert_eq!(forms(Group::English, "algorithms"), "e:algorithm");
        assert!(!query_stems("lusaidas").contains(&"e:lus".to_string()));
        assert_eq!(prefixes("algo")[0], "e:algo");
        assert_eq!(prefixes("дост"), ["дост"]);
        assert_eq!((tag_len("e:algo"), tag_len("дост")), (2, 0));
        assert!(has_form("algorithms", "e:algorithm") && !has_form("algorithms", "e:algo"));
        assert!(has_form("физики", &query_stems("физика")[0]));
        assert!(has_form("c++", "c++") && !has_form("lusê", "f:lus"));
        // Digits, symbols, short words and other scripts stay as they are.
        for w in ["802.11", "c++", "x86-64", "ab", "3rd", "ιλιασ", "红楼"] {
            assert_eq!(forms(Group::English, w), w);
            assert_eq!(query_stems(w), [w]);
        }
    }

    #[test]
    fn values_carry_their_group() {
        let v = Group::German.value("Bücher");
        assert_eq!(Group::split_value(&v), (Group::German, "Bücher"));
        assert_eq!(Group::split_value("plain"), (Group::English, "plain"));
    }
}
