//! Parsing what a user typed into a tantivy query, leniently: any string gives a query (possibly
//! one that matches nothing), never an error.
//!
//! Syntax: free words (all must match, in any text field and in any of their forms, title
//! weighted most, exact forms above others), `word*` for the words a beginning starts (and the
//! last word while it is being typed), `"phrases"`, `-word` to exclude, fields `title: author:
//! series: publisher: journal: tags:` (exact words), identifiers `md5: doi: isbn: issn: pmid:`,
//! filters `lang: ext: year:1990..2000 collection:`.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::analyzer::query_terms;
use super::forms::query_stems;
use super::lazy_union::LazyUnionQuery;
use super::normalize::{
    detect_identifier, extension_code, is_md5, language_choice, parse_doi, parse_isbn, parse_issn,
};
use super::schema::{marker, Fields, Marker};
use crate::Collection;

/// The most words of a query that are used; the rest are ignored.
const MAX_CLAUSES: usize = 24;
/// The most tokens of one phrase that are used (a CJK run is a phrase of bigrams).
const MAX_PHRASE_TOKENS: usize = 64;
/// The shortest beginning (in characters) that matches the words it starts.
pub const PREFIX_MIN_CHARS: usize = 3;
/// The weight of a word form that only begins with what was typed, against [`FORMS_BOOST`] for
/// a whole word in the combined field (and more for an exact word in a title): whole words rank
/// first.
const PREFIX_BOOST: f32 = 0.6;
/// The most candidate queries of one search (word forms and completions each add one).
const MAX_CANDIDATE_QUERIES: usize = 8;
/// Alternative forms tried per word for candidates (the most frequent first).
const CANDIDATE_FORMS: usize = 3;
/// What a whole word adds over the words it begins (more than any one term's BM25 score: its
/// inverse document frequency is at most ln(1 + documents), about 18 at 90 M records, times 2.2).
const WHOLE_WORD_BONUS: f32 = 50.0;
/// The weight of a word's forms in the combined field (where the title counts twice).
const FORMS_BOOST: f32 = 2.0;
/// The exact word in a field counts this share of the field's weight on top of its forms.
const EXACT_FACTOR: f32 = 0.5;
/// The bonus of the records with all the words when only some are asked for (some-words
/// fallback): whatever the words weigh, those records come first.
const ALL_WORDS_BOOST: f32 = 4.0;
/// A language filter that names no language matches nothing.
pub const NO_LANGUAGE: u64 = u64::MAX;

/// A parsed query: text clauses plus the filters it named.
#[derive(Debug, Default, Clone)]
pub struct ParsedQuery {
    /// Positive text clauses.
    pub clauses: Vec<Clause>,
    /// Excluded clauses.
    pub excluded: Vec<Clause>,
    /// Identifier terms (`md5:…`) that must match.
    pub identifiers: Vec<String>,
    /// Filters named in the query text.
    pub lang: Option<u64>,
    /// A `lang:` value that names no language (the filter then matches nothing).
    pub unknown_lang: Option<String>,
    /// Extension named in the query text.
    pub ext: Option<u64>,
    /// Year range named in the query text.
    pub years: Option<(Option<u64>, Option<u64>)>,
    /// Collection named in the query text.
    pub collection: Option<Collection>,
    /// Folded words, for highlighting.
    pub highlight: Vec<String>,
}

/// A word or phrase, optionally restricted to one field.
#[derive(Debug, Clone)]
pub struct Clause {
    /// `None`: every text field.
    pub field: Option<TextField>,
    /// Query-side tokens with positions.
    pub tokens: Vec<(usize, String)>,
    /// Written in quotes.
    pub phrase: bool,
    /// A beginning: the word also matches the words it starts (`algo*`, or the last word being
    /// typed). Only for one unfielded word of at least [`PREFIX_MIN_CHARS`].
    pub prefix: bool,
    /// The forms the word is looked up in, in the combined field, with how many documents have
    /// each (0: not counted yet), most frequent first (see [`super::forms::query_stems`]); the
    /// engine drops those no document has. Empty for phrases and fielded words.
    pub forms: Vec<(String, u64)>,
    /// For a beginning: the most frequent forms in the combined field that start with it.
    pub completions: Vec<(String, u64)>,
    /// The word is in no or very few documents: the typo-tolerant pass corrects it.
    pub rare: bool,
    /// For a rare word: the forms within an edit or two of it (the first letter kept), most
    /// frequent first; the typo-tolerant pass looks these up too.
    pub corrections: Vec<(String, u64)>,
    /// For a rare word: the title words within an edit or two of it (stems can be too far
    /// apart: `miserables` is `miser` in French).
    pub title_corrections: Vec<(String, u64)>,
    /// The title words that count as this word for the title fit and the title candidates: the
    /// word itself, its other forms, and for a beginning the words it begins (most frequent
    /// first), with how many titles have each. Empty for phrases and fielded words.
    pub title_terms: Vec<(String, u64)>,
    /// The word is in more than [`STOP_SHARE`] of the titles (`the`, `of`): the title fit
    /// leaves it out.
    pub stop: bool,
}

/// A word in more than this share of the titles (of a catalog of 50 000 or more) says nothing
/// of a title: the title fit leaves it out (its positions would be read in nearly every
/// document scored).
pub const STOP_SHARE: f64 = 0.1;

impl Clause {
    fn new(field: Option<TextField>, tokens: Vec<(usize, String)>, phrase: bool) -> Clause {
        let forms = if field.is_none() && !phrase && tokens.len() == 1 {
            query_stems(&tokens[0].1)
                .into_iter()
                .map(|s| (s, 0))
                .collect()
        } else {
            Vec::new()
        };
        Clause {
            field,
            tokens,
            phrase,
            prefix: false,
            forms,
            completions: Vec::new(),
            rare: false,
            corrections: Vec::new(),
            title_corrections: Vec::new(),
            title_terms: Vec::new(),
            stop: false,
        }
    }

    /// For a beginning: whether a form of the word continues what was typed (`e:algo` for
    /// `algo`) rather than dropping some of it (`f:lus` for `lusi`, which `lusê` has too).
    pub fn continues(&self, form: &str) -> bool {
        form[super::forms::tag_len(form)..].starts_with(self.tokens[0].1.as_str())
    }

    /// One unfielded word, not quoted: looked up by its forms.
    pub fn is_word(&self) -> bool {
        !self.forms.is_empty()
    }

    /// The terms of the combined field a match needs one of: its forms, and its completions.
    pub fn match_terms(&self) -> impl Iterator<Item = &str> {
        self.forms
            .iter()
            .chain(&self.completions)
            .map(|(t, _)| t.as_str())
    }
}

/// The text fields a query can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// `title:`
    Title,
    /// `author:`
    Author,
    /// `series:`
    Series,
    /// `publisher:`
    Publisher,
    /// `journal:`
    Journal,
    /// `tags:`
    Tags,
}

impl TextField {
    fn field(self, f: &Fields) -> Field {
        match self {
            TextField::Title => f.title,
            TextField::Author => f.author,
            TextField::Series => f.series,
            TextField::Publisher => f.publisher,
            TextField::Journal => f.journal,
            TextField::Tags => f.tags,
        }
    }
}

/// Splits the raw query into `(negated, field, text, quoted)` pieces (`word*` keeps its star).
fn pieces(q: &str) -> Vec<(bool, Option<String>, String, bool)> {
    let mut out = Vec::new();
    let chars: Vec<char> = q
        .chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut negated = false;
        if chars[i] == '-' && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            negated = true;
            i += 1;
        }
        // An optional `field:` prefix.
        let mut field = None;
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_alphabetic() {
            j += 1;
        }
        if j > i && j < chars.len() && chars[j] == ':' {
            field = Some(chars[i..j].iter().collect::<String>().to_ascii_lowercase());
            i = j + 1;
        }
        if i < chars.len() && chars[i] == '"' {
            let start = i + 1;
            let mut end = start;
            while end < chars.len() && chars[end] != '"' {
                end += 1;
            }
            out.push((negated, field, chars[start..end].iter().collect(), true));
            i = end + 1;
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() {
                i += 1;
            }
            out.push((negated, field, chars[start..i].iter().collect(), false));
        }
    }
    out
}

fn parse_years(text: &str) -> Option<(Option<u64>, Option<u64>)> {
    let num = |s: &str| s.trim().parse::<u64>().ok();
    if let Some((a, b)) = text.split_once("..") {
        return Some((num(a), num(b)));
    }
    if let Some(rest) = text.strip_prefix(">=") {
        return Some((num(rest), None));
    }
    if let Some(rest) = text.strip_prefix('>') {
        return Some((num(rest).map(|y| y.saturating_add(1)), None));
    }
    if let Some(rest) = text.strip_prefix("<=") {
        return Some((None, num(rest)));
    }
    if let Some(rest) = text.strip_prefix('<') {
        return Some((None, num(rest).map(|y| y.saturating_sub(1))));
    }
    if let Some((a, b)) = text.split_once('-') {
        return Some((num(a), num(b)));
    }
    num(text).map(|y| (Some(y), Some(y)))
}

/// Parses the query syntax.
pub fn parse(q: &str) -> ParsedQuery {
    parse_typed(q, false)
}

/// Parses the query syntax; `typing`: the query is being typed, so its last word, unless a
/// space follows it, also matches the words it begins (search as you type, suggestions).
pub fn parse_typed(q: &str, typing: bool) -> ParsedQuery {
    let mut parsed = ParsedQuery::default();
    if let Some(id) = detect_identifier(q) {
        parsed.identifiers.push(id.term());
        return parsed;
    }
    let pieces = pieces(q);
    // The piece being typed: the last, when nothing follows it.
    let typed = (typing && !q.ends_with(char::is_whitespace))
        .then(|| pieces.len().checked_sub(1))
        .flatten();
    for (i, (negated, field, text, quoted)) in pieces.into_iter().enumerate() {
        let star = !quoted && text.ends_with('*');
        let text = if star {
            text.trim_end_matches('*').to_string()
        } else {
            text
        };
        let prefix = star || (Some(i) == typed && !quoted && !negated);
        if parsed.clauses.len() + parsed.excluded.len() + parsed.identifiers.len() >= MAX_CLAUSES {
            break;
        }
        let text_field = match field.as_deref() {
            None => None,
            Some("title" | "t") => Some(TextField::Title),
            Some("author" | "authors" | "a") => Some(TextField::Author),
            Some("series" | "s") => Some(TextField::Series),
            Some("publisher" | "p") => Some(TextField::Publisher),
            Some("journal" | "j") => Some(TextField::Journal),
            Some("tags" | "tag" | "topic") => Some(TextField::Tags),
            Some(f) => {
                let value = text.trim();
                let ident = match f {
                    "md5" => is_md5(value).then(|| format!("md5:{}", value.to_ascii_lowercase())),
                    "doi" => Some(format!(
                        "doi:{}",
                        parse_doi(value).unwrap_or_else(|| value.to_lowercase())
                    )),
                    "isbn" => Some(format!(
                        "isbn:{}",
                        parse_isbn(value)
                            .map(|(i13, _)| i13)
                            .unwrap_or_else(|| value.replace('-', ""))
                    )),
                    "issn" => parse_issn(value).map(|i| format!("issn:{i}")),
                    "pmid" | "pubmed" => Some(format!("pmid:{value}")),
                    _ => None,
                };
                match f {
                    "md5" | "doi" | "isbn" | "issn" | "pmid" | "pubmed" => {
                        // An identifier that cannot match still restricts: it matches nothing.
                        parsed
                            .identifiers
                            .push(ident.unwrap_or_else(|| "none:".into()));
                        continue;
                    }
                    "lang" | "language" | "l" => {
                        match language_choice(value) {
                            Some(code) => parsed.lang = Some(code),
                            None => {
                                parsed.lang = Some(NO_LANGUAGE);
                                parsed.unknown_lang = Some(value.to_string());
                            }
                        }
                        continue;
                    }
                    "ext" | "extension" | "format" => {
                        parsed.ext = Some(extension_code(value));
                        continue;
                    }
                    "year" | "y" => {
                        parsed.years = parse_years(value);
                        continue;
                    }
                    "collection" | "coll" | "in" => {
                        parsed.collection = value.parse().ok();
                        continue;
                    }
                    // Not a field we know (`Re:`, a URL): treat the whole piece as text.
                    _ => {
                        let whole = format!("{f} {text}");
                        push_clause(&mut parsed, negated, None, &whole, quoted, prefix);
                        continue;
                    }
                }
            }
        };
        push_clause(&mut parsed, negated, text_field, &text, quoted, prefix);
    }
    parsed
}

fn push_clause(
    parsed: &mut ParsedQuery,
    negated: bool,
    field: Option<TextField>,
    text: &str,
    quoted: bool,
    prefix: bool,
) {
    let tokens = query_terms(text);
    if tokens.is_empty() {
        return;
    }
    if !negated {
        parsed
            .highlight
            .extend(tokens.iter().map(|(_, t)| t.clone()));
    }
    // Unquoted text that analyses into several words (`C++/Java`, `vol.1`) is several clauses;
    // a CJK run (bigrams) stays one phrase.
    let split = !quoted
        && tokens.windows(2).all(|w| w[1].0 > w[0].0)
        && tokens.len() > 1
        && !text.chars().any(super::analyzer::is_cjk);
    let mut clauses: Vec<Clause> = if split {
        tokens
            .into_iter()
            .map(|t| Clause::new(field, vec![(0, t.1)], false))
            .collect()
    } else {
        vec![Clause::new(field, tokens, quoted)]
    };
    // A beginning is the last word of the piece (`c++*` is `c++` then nothing to complete).
    if let Some(last) = clauses.last_mut() {
        last.prefix = prefix
            && !negated
            && last.is_word()
            && last.tokens[0].1.chars().count() >= PREFIX_MIN_CHARS
            && last.tokens[0].1.chars().all(char::is_alphanumeric)
            && !last.tokens[0].1.chars().any(super::analyzer::is_cjk);
    }
    // One piece can analyse into many words (`a-b-c-…`): the cap holds for the query as a whole.
    let room = MAX_CLAUSES
        .saturating_sub(parsed.clauses.len() + parsed.excluded.len() + parsed.identifiers.len());
    let clauses = clauses.into_iter().take(room).map(|mut c| {
        c.tokens.truncate(MAX_PHRASE_TOKENS);
        c
    });
    if negated {
        parsed.excluded.extend(clauses);
    } else {
        parsed.clauses.extend(clauses);
    }
}

/// How query words are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matching {
    /// Every word must match, in any of its forms.
    Exact,
    /// Every word must match; the rare ones ([`Clause::rare`]) within an edit distance (typo
    /// tolerance), the others as in [`Matching::Exact`].
    Fuzzy,
    /// Any word may match.
    Any,
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// A union of terms of one field (one term: the term itself).
fn any_term<'a>(field: Field, terms: impl Iterator<Item = &'a str>) -> Box<dyn Query> {
    any_term_for(field, terms, Purpose::Match)
}

/// [`any_term`], lazy when re-scoring.
fn any_term_for<'a>(
    field: Field,
    terms: impl Iterator<Item = &'a str>,
    purpose: Purpose,
) -> Box<dyn Query> {
    union(terms.map(|t| term_query(field, t)).collect(), purpose)
}

/// Whether the typo-tolerant pass corrects this clause.
fn corrected(clause: &Clause, matching: Matching) -> bool {
    matching == Matching::Fuzzy
        && !(clause.corrections.is_empty() && clause.title_corrections.is_empty())
}

/// A clause in one field, exact words (a phrase where the field has positions).
fn clause_in_field(fields: &Fields, field: Field, clause: &Clause) -> Box<dyn Query> {
    if clause.tokens.len() == 1 {
        return term_query(field, &clause.tokens[0].1);
    }
    if !fields.has_positions(field) {
        // No positions here: every word of the phrase, anywhere in the field.
        let terms: Vec<(Occur, Box<dyn Query>)> = clause
            .tokens
            .iter()
            .map(|(_, t)| (Occur::Must, term_query(field, t)))
            .collect();
        return Box::new(BooleanQuery::new(terms));
    }
    let terms: Vec<(usize, Term)> = clause
        .tokens
        .iter()
        .map(|(p, t)| (*p - clause.tokens[0].0, Term::from_field_text(field, t)))
        .collect();
    Box::new(PhraseQuery::new_with_offset(terms))
}

fn clause_query(
    fields: &Fields,
    clause: &Clause,
    matching: Matching,
    purpose: Purpose,
) -> Box<dyn Query> {
    if let Some(f) = clause.field {
        return clause_in_field(fields, f.field(fields), clause);
    }
    if corrected(clause, matching) {
        // The word's corrections, beside what it matches itself, scored as words.
        let forms = any_term_for(
            fields.text,
            clause
                .match_terms()
                .chain(clause.corrections.iter().map(|(t, _)| t.as_str())),
            purpose,
        );
        if clause.title_corrections.is_empty() {
            return forms;
        }
        let titles = any_term_for(
            fields.title,
            clause.title_corrections.iter().map(|(t, _)| t.as_str()),
            purpose,
        );
        return union(vec![forms, titles], purpose);
    }
    if !clause.is_word() {
        // A phrase: in any of the fields with positions, weighted as the fields are.
        let subs: Vec<Box<dyn Query>> = fields
            .text_fields()
            .iter()
            .map(|(field, boost)| {
                let q = clause_in_field(fields, *field, clause);
                Box::new(BoostQuery::new(q, *boost)) as Box<dyn Query>
            })
            .collect();
        return union(subs, purpose);
    }
    // A word: any of its forms (or completions) in the combined field. That is every document
    // the word matches, so counting needs nothing more.
    if purpose == Purpose::Match {
        return any_term(fields.text, clause.match_terms());
    }
    // Ranking: the word's forms in the combined field, plus the exact word in each field with
    // the field's weight (scaled by [`EXACT_FACTOR`]: an exact form ranks above another form
    // of the same word, without burying it), plus (weighted less) the words it begins.
    let word = &clause.tokens[0].1;
    let mut subs: Vec<Box<dyn Query>> = fields
        .text_fields()
        .iter()
        .map(|(field, boost)| {
            Box::new(BoostQuery::new(
                term_query(*field, word),
                *boost * EXACT_FACTOR,
            )) as Box<dyn Query>
        })
        .collect();
    // A beginning being typed: its forms that drop some of what was typed (`lusi` is French
    // `lus`, as `lusê` is) weigh as little as the words it begins, and only those that
    // continue it are whole words.
    let beginning = clause.prefix && !clause.completions.is_empty();
    for (form, _) in &clause.forms {
        let boost = if beginning && !clause.continues(form) {
            PREFIX_BOOST
        } else {
            FORMS_BOOST
        };
        subs.push(Box::new(BoostQuery::new(
            term_query(fields.text, form),
            boost,
        )));
    }
    if beginning {
        for (form, _) in &clause.completions {
            subs.push(Box::new(BoostQuery::new(
                term_query(fields.text, form),
                PREFIX_BOOST,
            )));
        }
        // The whole word typed outranks every word it begins, however rare.
        subs.push(Box::new(ConstScoreQuery::new(
            any_term_for(
                fields.text,
                clause
                    .forms
                    .iter()
                    .map(|(t, _)| t.as_str())
                    .filter(|t| clause.continues(t)),
                purpose,
            ),
            WHOLE_WORD_BONUS,
        )));
    }
    union(subs, purpose)
}

/// Filters chosen outside the query text (the search form), merged with the query's own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filters {
    /// Only this collection.
    pub collection: Option<Collection>,
    /// Only this language code.
    pub lang: Option<u64>,
    /// Only this extension code.
    pub ext: Option<u64>,
    /// Years from.
    pub year_min: Option<u64>,
    /// Years to.
    pub year_max: Option<u64>,
    /// Include withdrawn records.
    pub show_withdrawn: bool,
    /// Only these records ("available here": those whose file is in the repository).
    pub only: Option<std::sync::Arc<super::only::RecordSet>>,
    /// A query without words or filters lists every record (browsing, newest first), instead
    /// of none.
    pub browse: bool,
}

impl Filters {
    /// Whether any of the form's filters (not the withdrawn switch) is set.
    pub fn any(&self) -> bool {
        self.collection.is_some()
            || self.lang.is_some()
            || self.ext.is_some()
            || self.year_min.is_some()
            || self.year_max.is_some()
            || self.only.is_some()
    }
}

fn term_u64(field: Field, value: u64) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_u64(field, value),
        IndexRecordOption::Basic,
    ))
}

/// What a query is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Scoring: every field with its weight, the phrase bonus.
    Rank,
    /// Scoring a few scattered documents (re-scoring candidates): as [`Purpose::Rank`], with
    /// unions that move each part only to the documents asked for ([`LazyUnionQuery`]).
    Rescore,
    /// Deciding which documents match (counts, facets, sorted results): the same documents as
    /// [`Purpose::Rank`], found with the fewest posting lists (a word is the union of its forms
    /// in the combined field) and nothing that only adds to the score.
    Match,
}

impl Purpose {
    /// Whether the query scores (everything that only adds to the score is in it).
    fn ranks(self) -> bool {
        self != Purpose::Match
    }
}

/// The union of `parts` (one part: the part itself), lazy when re-scoring.
fn union(mut parts: Vec<Box<dyn Query>>, purpose: Purpose) -> Box<dyn Query> {
    match parts.len() {
        0 => Box::new(EmptyQuery),
        1 => parts.pop().expect("one"),
        _ if purpose == Purpose::Rescore => Box::new(LazyUnionQuery::new(parts)),
        _ => Box::new(BooleanQuery::new(
            parts.into_iter().map(|q| (Occur::Should, q)).collect(),
        )),
    }
}

/// Which clauses are very common words ("the", "of"), and whether all of them are. When a query
/// has rarer words the common ones only add to the score (they are what makes conjunctions slow
/// on a large catalog); when every word is common they are required in the title only.
fn common_clauses(parsed: &ParsedQuery, is_common: &dyn Fn(&Clause) -> bool) -> (Vec<bool>, bool) {
    let common: Vec<bool> = parsed
        .clauses
        .iter()
        .map(|c| c.field.is_none() && !c.phrase && is_common(c))
        .collect();
    let all_common = !common.is_empty() && common.iter().all(|c| *c);
    (common, all_common)
}

/// The filters that apply: those named in the query text always (a dimension the query text
/// names ignores the form's value), the form's when `with_filters`.
fn effective_filters(parsed: &ParsedQuery, filters: &Filters, with_filters: bool) -> Filters {
    let form = |v: Option<u64>| if with_filters { v } else { None };
    let (lo, hi) = match parsed.years {
        Some(years) => years,
        None => (form(filters.year_min), form(filters.year_max)),
    };
    Filters {
        collection: parsed.collection.or(if with_filters {
            filters.collection
        } else {
            None
        }),
        lang: parsed.lang.or(form(filters.lang)),
        ext: parsed.ext.or(form(filters.ext)),
        year_min: lo,
        year_max: hi,
        show_withdrawn: filters.show_withdrawn,
        // Like the withdrawn switch, it applies to every count.
        only: filters.only.clone(),
        browse: filters.browse,
    }
}

/// The form's filters the facets leave out one at a time: those the query text does not name
/// (a filter in the query text applies to every facet, its own included).
pub fn facet_filters(parsed: &ParsedQuery, filters: &Filters) -> super::facets::FacetFilters {
    let years = match (parsed.years, filters.year_min, filters.year_max) {
        (None, None, None) | (Some(_), _, _) => None,
        (None, lo, hi) => Some((lo.unwrap_or(1), hi.unwrap_or(u64::MAX))),
    };
    super::facets::FacetFilters {
        coll: filters
            .collection
            .filter(|_| parsed.collection.is_none())
            .map(|c| c.code()),
        lang: filters.lang.filter(|_| parsed.lang.is_none()),
        ext: filters.ext.filter(|_| parsed.ext.is_none()),
        years,
    }
}

/// A candidate query in parts: its best documents are the best of the parts taken together, as
/// their union would rank them when no document matches two parts (a word's forms in different
/// language groups: a record's words are all in one), else close to it (a document matching
/// two counts as its best part). `SearchEngine::run` searches the parts one after the other,
/// the rarest first, each with the bar the best so far set: block-max WAND then skips the
/// blocks of a long posting list (a word's main form) that cannot beat the rarer forms' best,
/// where a union's WAND pivots through every list. One part: the query itself.
pub type Parts = Vec<Box<dyn Query>>;

/// Queries whose best-scoring documents are candidates for the best results of [`build`]: plain
/// conjunctions (or unions) of terms, which tantivy answers with block-max WAND, skipping whole
/// blocks of documents that cannot enter the top k.
#[derive(Default)]
pub struct Candidates {
    /// Each word as one of its forms in the combined field (the most frequent form, then one
    /// query per other form of a word, up to [`CANDIDATE_FORMS`]), fielded words in their
    /// field, filter markers; withdrawn records, other years, excluded words and broken phrases
    /// are left to the full query, which re-scores the candidates. A lone word: its forms, as
    /// parts.
    pub forms: Vec<Parts>,
    /// The plain words, exact, in the title: the full query weighs titles (and the words as a
    /// phrase in the title) most, which the combined field alone does not see. A lone word: its
    /// title words, as parts.
    pub title: Option<Parts>,
    /// Whether the [`Candidates::forms`] queries together match every document the full query
    /// matches (then, if each returned fewer than asked for, they were all the matches).
    pub complete: bool,
}

/// The candidate queries of a search (none when the query has no such shape: typo tolerance,
/// identifiers, no words).
pub fn candidates(
    fields: &Fields,
    parsed: &ParsedQuery,
    filters: &Filters,
    matching: Matching,
    is_common: &dyn Fn(&Clause) -> bool,
) -> Candidates {
    if matching == Matching::Fuzzy || !parsed.identifiers.is_empty() || parsed.clauses.is_empty() {
        return Candidates::default();
    }
    let (common, all_common) = common_clauses(parsed, is_common);
    let f = effective_filters(parsed, filters, true);
    let markers: Vec<Term> = [
        f.collection.map(|c| Marker::Collection(c.code())),
        f.lang.map(Marker::Language),
        f.ext.map(Marker::Extension),
    ]
    .into_iter()
    .flatten()
    .map(|m| Term::from_field_text(fields.text, &marker(m)))
    .collect();
    if matching == Matching::Any && !markers.is_empty() {
        return Candidates::default();
    }
    let query = |terms: Vec<Term>, occur: Occur| -> Box<dyn Query> {
        let mut queries: Vec<Box<dyn Query>> = terms
            .into_iter()
            .map(|t| Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)) as Box<dyn Query>)
            .collect();
        if queries.len() == 1 {
            return queries.pop().expect("one");
        }
        Box::new(BooleanQuery::new(
            queries.into_iter().map(|q| (occur, q)).collect(),
        ))
    };
    // Per clause: the terms one of which it needs (fielded words: all of theirs).
    let mut fixed: Vec<Term> = Vec::new();
    // Per plain word: the forms one of which it needs, the most frequent first.
    let mut choices: Vec<Vec<String>> = Vec::new();
    let mut complete = true;
    // Per clause, the title terms one of which it needs (fielded words: each of theirs).
    let mut title_terms: Vec<Vec<Term>> = Vec::new();
    // The live forms of the common words left out of the conjunctions.
    let mut skipped: Vec<Vec<String>> = Vec::new();
    for (clause, common) in parsed.clauses.iter().zip(&common) {
        let field = match clause.field {
            Some(tf) => Some(tf.field(fields)),
            None if *common && all_common => Some(fields.title),
            None if *common && matching == Matching::Exact => {
                skipped.push(clause.forms.iter().map(|(t, _)| t.clone()).collect());
                continue;
            }
            None if !clause.is_word() => Some(fields.text),
            None => None,
        };
        if let Some(field) = field {
            for (_, t) in &clause.tokens {
                // A phrase's words in the combined field: their main form.
                let t = if field == fields.text {
                    query_stems(t).swap_remove(0)
                } else {
                    t.clone()
                };
                let term = Term::from_field_text(field, &t);
                if !fixed.contains(&term) {
                    fixed.push(term.clone());
                }
                if !title_terms.iter().any(|t| t == std::slice::from_ref(&term)) {
                    title_terms.push(vec![term]);
                }
            }
            continue;
        }
        // The word's own forms (the most frequent first), then the words it begins.
        fn by_count(v: &[(String, u64)]) -> Vec<(&str, u64)> {
            let mut v: Vec<(&str, u64)> = v.iter().map(|(t, n)| (t.as_str(), *n)).collect();
            v.sort_by_key(|f| std::cmp::Reverse(f.1));
            v
        }
        let mut forms = by_count(&clause.forms);
        if !clause.completions.is_empty() {
            let whole = forms.iter().find(|f| f.1 > 0).copied();
            let mut others = by_count(&clause.completions);
            others.extend(forms.into_iter().filter(|f| Some(*f) != whole));
            others.sort_by_key(|f| std::cmp::Reverse(f.1));
            forms = whole.into_iter().chain(others).collect();
        }
        choices.push(forms.into_iter().map(|(t, _)| t.to_string()).collect());
        // In the title: the word, its other forms, the words it begins (`title_terms`); the
        // word as typed when those were not looked up, and a beginning only when it is a word
        // itself (else the title conjunction finds nothing).
        if !clause.title_terms.is_empty() {
            // The rarest first: as parts when the word is alone (see `Parts`; a title seldom
            // has two forms of a word), a union otherwise.
            let mut terms: Vec<&(String, u64)> = clause.title_terms.iter().collect();
            terms.sort_by_key(|(_, n)| *n);
            title_terms.push(
                terms
                    .into_iter()
                    .map(|(t, _)| Term::from_field_text(fields.title, t))
                    .collect(),
            );
        } else if !clause.prefix || clause.forms.iter().any(|f| f.1 > 0) {
            title_terms.push(vec![Term::from_field_text(
                fields.title,
                &clause.tokens[0].1,
            )]);
        }
    }
    let text_term = |t: &str| Term::from_field_text(fields.text, t);
    if matching == Matching::Any {
        let mut terms = fixed;
        for c in &choices {
            terms.extend(c.iter().take(CANDIDATE_FORMS).map(|t| text_term(t)));
        }
        return Candidates {
            forms: vec![vec![query(terms, Occur::Should)]],
            title: None,
            complete: choices.iter().all(|c| c.len() <= CANDIDATE_FORMS),
        };
    }
    let mut out = Candidates::default();
    let one = |t: Term| -> Box<dyn Query> { query(vec![t], Occur::Should) };
    // A word alone in the query (not with common words): its forms, each in other records (a
    // record's words are all in one language group), are parts (see `Parts`), the rarest
    // first; otherwise, and for the words a beginning begins (often in the same record), a
    // union. `terms`: the most frequent first.
    let alone = parsed.clauses.len() == 1;
    let any_of = |terms: Vec<Term>| -> Parts {
        if alone {
            terms.into_iter().rev().map(one).collect()
        } else {
            vec![query(terms, Occur::Should)]
        }
    };
    // The word being typed, also after common words (`the algo`).
    let beginning = parsed
        .clauses
        .iter()
        .find(|c| c.is_word() && !c.completions.is_empty());
    if choices.len() == 1 && fixed.is_empty() && markers.is_empty() {
        // One word: its forms; for a beginning, its forms and the words it begins, and its
        // whole word alone, which ranks first.
        match beginning {
            None => out
                .forms
                .push(any_of(choices[0].iter().map(|t| text_term(t)).collect())),
            Some(clause) => {
                out.forms.push(vec![query(
                    choices[0].iter().map(|t| text_term(t)).collect(),
                    Occur::Should,
                )]);
                let whole: Vec<Term> = clause
                    .forms
                    .iter()
                    .filter(|f| f.1 > 0)
                    .map(|(t, _)| text_term(t))
                    .collect();
                if !whole.is_empty() {
                    out.forms.push(any_of(whole));
                }
            }
        }
        out.complete = complete;
    } else {
        // One conjunction per language group the words can all be read in (a record's
        // Latin-script words are all tagged with its group): each word's most frequent form
        // in the group, then each other form of one word at a time.
        let mut queries: Vec<Vec<Term>> = Vec::new();
        let mut with_common: Option<Vec<Term>> = None;
        let mut varied_words = 0;
        for group in super::forms::GROUP_TAGS {
            let in_group = |forms: &[String]| -> Vec<String> {
                forms
                    .iter()
                    .filter(|t| {
                        let tag = super::forms::tag_len(t);
                        tag == 0 || &t[..tag] == group
                    })
                    .cloned()
                    .collect()
            };
            let readings: Vec<Vec<String>> = choices.iter().map(|c| in_group(c)).collect();
            if readings.iter().any(Vec::is_empty) {
                continue;
            }
            let base: Vec<Term> = readings.iter().map(|r| text_term(&r[0])).collect();
            let with = |other: Option<(usize, &str)>| -> Vec<Term> {
                let mut terms = fixed.clone();
                for (j, b) in base.iter().enumerate() {
                    terms.push(match other {
                        Some((i, t)) if i == j => text_term(t),
                        _ => b.clone(),
                    });
                }
                terms.extend(markers.iter().cloned());
                terms
            };
            // (Only with a beginning: completions of a few letters rank poorly on their own.)
            if with_common.is_none()
                && !skipped.is_empty()
                && parsed.clauses.iter().any(|c| c.prefix)
            {
                let mut terms = with(None);
                for forms in &skipped {
                    if let Some(t) = in_group(forms).first() {
                        terms.push(text_term(t));
                    }
                }
                with_common = Some(terms);
            }
            queries.push(with(None));
            for (i, r) in readings.iter().enumerate() {
                if r.len() > 1 {
                    varied_words += 1;
                }
                if r.len() > CANDIDATE_FORMS {
                    complete = false;
                }
                for t in r.iter().skip(1).take(CANDIDATE_FORMS - 1) {
                    queries.push(with(Some((i, t))));
                }
            }
        }
        // Words of no group (Cyrillic, digits, CJK) read alike in every group.
        let mut seen = std::collections::HashSet::new();
        queries.retain(|q| seen.insert(q.clone()));
        if queries.len() > MAX_CANDIDATE_QUERIES {
            complete = false;
            queries.truncate(MAX_CANDIDATE_QUERIES);
        }
        // With the common words too, when a word is a beginning: its completions alone rank
        // poorly, and a conjunction moves at the pace of its shortest list.
        queries.extend(with_common);
        out.forms = queries
            .into_iter()
            .filter(|t| !t.is_empty())
            .map(|t| vec![query(t, Occur::Must)])
            .collect();
        // Other forms of one word at a time cover every match only when one word has them.
        out.complete = complete && varied_words <= 1;
    }
    if choices.iter().any(|c| !c.is_empty()) && !title_terms.is_empty() {
        title_terms.extend(markers.into_iter().map(|m| vec![m]));
        out.title = Some(match title_terms.len() {
            1 if alone && beginning.is_none() => title_terms
                .pop()
                .expect("one")
                .into_iter()
                .map(one)
                .collect(),
            1 => vec![query(title_terms.pop().expect("one"), Occur::Should)],
            _ => {
                let all: Vec<(Occur, Box<dyn Query>)> = title_terms
                    .into_iter()
                    .map(|terms| (Occur::Must, query(terms, Occur::Should)))
                    .collect();
                vec![Box::new(BooleanQuery::new(all)) as Box<dyn Query>]
            }
        });
    }
    out
}

/// Whether a clause is matched through [`readings`].
fn grouped_word(clause: &Clause, common: bool, all_common: bool, matching: Matching) -> bool {
    clause.is_word() && !(common && all_common) && !corrected(clause, matching)
}

/// The plain words of a query as one conjunction per language group their forms can be read in:
/// a record's Latin-script words are all tagged with its group (`e:`, `d:`…), so it has every
/// word iff it has, for its own group, a form of each in that group or untagged (Cyrillic,
/// digits, other scripts). Each conjunction is of single terms where a word has one form in the
/// group (the usual case): cheaper to visit than a conjunction of unions. `None` when no word
/// has more than one form (the plain conjunction is that already) or fewer than two words.
fn readings(
    fields: &Fields,
    parsed: &ParsedQuery,
    common: &[bool],
    all_common: bool,
    matching: Matching,
) -> Option<Box<dyn Query>> {
    let words: Vec<&Clause> = parsed
        .clauses
        .iter()
        .zip(common)
        .filter(|(c, common)| !**common && grouped_word(c, false, all_common, matching))
        .map(|(c, _)| c)
        .collect();
    if words.len() < 2 || words.iter().all(|c| c.match_terms().nth(1).is_none()) {
        return None;
    }
    let mut conjunctions: Vec<Vec<Vec<&str>>> = Vec::new();
    for group in super::forms::GROUP_TAGS {
        let reading: Vec<Vec<&str>> = words
            .iter()
            .map(|c| {
                c.match_terms()
                    .filter(|t| {
                        let tag = super::forms::tag_len(t);
                        tag == 0 || &t[..tag] == group
                    })
                    .collect()
            })
            .collect();
        if reading.iter().any(Vec::is_empty) || conjunctions.contains(&reading) {
            continue;
        }
        conjunctions.push(reading);
    }
    let mut queries: Vec<Box<dyn Query>> = conjunctions
        .into_iter()
        .map(|reading| {
            let all: Vec<(Occur, Box<dyn Query>)> = reading
                .into_iter()
                .map(|terms| (Occur::Must, any_term(fields.text, terms.into_iter())))
                .collect();
            Box::new(BooleanQuery::new(all)) as Box<dyn Query>
        })
        .collect();
    Some(match queries.len() {
        0 => Box::new(EmptyQuery),
        // One reading (the usual case): a plain conjunction, not a union of one.
        1 => queries.pop().expect("one"),
        _ => Box::new(BooleanQuery::new(
            queries.into_iter().map(|q| (Occur::Should, q)).collect(),
        )),
    })
}

/// Builds the tantivy query: text clauses, identifiers, excluded words, and filters (when
/// `with_filters`; facet counts are computed without them).
pub fn build(
    fields: &Fields,
    parsed: &ParsedQuery,
    filters: &Filters,
    matching: Matching,
    with_filters: bool,
    purpose: Purpose,
    is_common: &dyn Fn(&Clause) -> bool,
) -> Box<dyn Query> {
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut text: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let (common, all_common) = common_clauses(parsed, is_common);
    // Matching words with several forms: one conjunction per language group (see
    // `readings`), each a plain conjunction of terms, instead of a conjunction of unions.
    let grouped = if purpose == Purpose::Match && matching != Matching::Any {
        readings(fields, parsed, &common, all_common, matching)
    } else {
        None
    };
    let is_grouped = grouped.is_some();
    if let Some(q) = grouped {
        text.push((Occur::Must, q));
    }
    for (clause, common) in parsed.clauses.iter().zip(&common) {
        let occur = match matching {
            Matching::Any => Occur::Should,
            _ if *common && !all_common => Occur::Should,
            _ => Occur::Must,
        };
        if occur == Occur::Should && matching != Matching::Any && purpose == Purpose::Match {
            // Only adds to the score.
            continue;
        }
        if is_grouped && grouped_word(clause, *common, all_common, matching) {
            // In the conjunctions by language group.
            continue;
        }
        let q = if *common && all_common {
            clause_in_field(fields, fields.title, clause)
        } else {
            clause_query(fields, clause, matching, purpose)
        };
        text.push((occur, q));
    }
    // Phrase bonus: the words together, in order, in the title or author rank first.
    let plain: Vec<&Clause> = parsed
        .clauses
        .iter()
        .filter(|c| c.field.is_none() && !c.phrase)
        .collect();
    if plain.len() >= 2 && matching == Matching::Exact && purpose.ranks() {
        let mut tokens = Vec::new();
        for c in &plain {
            for (_, t) in &c.tokens {
                tokens.push((tokens.len(), t.clone()));
            }
        }
        for (field, boost) in [(fields.title, 3.0), (fields.author, 2.0)] {
            let terms = tokens
                .iter()
                .map(|(p, t)| (*p, Term::from_field_text(field, t)))
                .collect();
            text.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(PhraseQuery::new_with_offset(terms)),
                    boost,
                )),
            ));
        }
    }
    // How well the title fits the words, in any of their forms (see `fit`). The words in a
    // tenth of the titles or more say nothing of a title and are in most of them (their
    // positions would be read in nearly every document scored): left out, and no fit when
    // every word is one.
    let words: Vec<&Clause> = parsed
        .clauses
        .iter()
        .filter(|c| c.is_word() && !c.stop)
        .collect();
    if purpose.ranks() && words.iter().any(|c| !c.title_terms.is_empty()) {
        let words = words
            .iter()
            .map(|c| {
                c.title_terms
                    .iter()
                    .map(|(t, _)| Term::from_field_text(fields.title, t))
                    .collect()
            })
            .collect();
        text.push((
            Occur::Should,
            Box::new(super::fit::TitleFitQuery::new(fields.title, words)),
        ));
    }
    // Some of the words, or typos corrected: the records with all the words as typed first.
    if matching != Matching::Exact
        && purpose.ranks()
        && (parsed.clauses.len() > 1 || matching == Matching::Fuzzy)
    {
        let all: Vec<(Occur, Box<dyn Query>)> = parsed
            .clauses
            .iter()
            .map(|c| {
                (
                    Occur::Must,
                    clause_query(fields, c, Matching::Exact, Purpose::Match),
                )
            })
            .collect();
        text.push((
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(BooleanQuery::new(all)),
                ALL_WORDS_BOOST,
            )),
        ));
    }
    if purpose == Purpose::Rescore {
        // What only adds to the score, as one lazy union: tantivy's own would score a window
        // of documents around each candidate.
        let (shoulds, mut musts): (Vec<_>, Vec<_>) =
            text.into_iter().partition(|(o, _)| *o == Occur::Should);
        if !shoulds.is_empty() {
            let parts = shoulds.into_iter().map(|(_, q)| q).collect();
            musts.push((Occur::Should, union(parts, purpose)));
        }
        text = musts;
    }
    if !text.is_empty() {
        must.push((Occur::Must, Box::new(BooleanQuery::new(text))));
    }
    for ident in &parsed.identifiers {
        must.push((
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(fields.ident, ident),
                IndexRecordOption::Basic,
            )),
        ));
    }
    if must.is_empty() {
        if parsed.excluded.is_empty() && !has_filters(parsed, filters) && !filters.browse {
            return Box::new(EmptyQuery);
        }
        must.push((Occur::Must, Box::new(AllQuery)));
    }
    for clause in &parsed.excluded {
        must.push((
            Occur::MustNot,
            clause_query(fields, clause, Matching::Exact, Purpose::Match),
        ));
    }
    // Filters named in the query text always apply; the form's only when asked.
    let f = effective_filters(parsed, filters, with_filters);
    if let Some(c) = f.collection {
        must.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(term_u64(fields.coll, c.code()), 0.0)),
        ));
    }
    if let Some(l) = f.lang {
        must.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(term_u64(fields.lang, l), 0.0)),
        ));
    }
    if let Some(e) = f.ext {
        must.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(term_u64(fields.ext, e), 0.0)),
        ));
    }
    let (lo, hi) = (f.year_min, f.year_max);
    if lo.is_some() || hi.is_some() {
        let bound = |v: Option<u64>| match v {
            Some(y) => Bound::Included(Term::from_field_u64(fields.year, y)),
            None => Bound::Unbounded,
        };
        // Unknown years (0) are outside any range.
        let lo = lo.or(Some(1));
        must.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(RangeQuery::new(bound(lo), bound(hi))),
                0.0,
            )),
        ));
    }
    if !filters.show_withdrawn {
        must.push((Occur::MustNot, term_u64(fields.withdrawn, 1)));
    }
    if let Some(only) = &f.only {
        must.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(super::only::OnlyQuery(only.clone())),
                0.0,
            )),
        ));
    }
    Box::new(BooleanQuery::new(must))
}

fn has_filters(parsed: &ParsedQuery, filters: &Filters) -> bool {
    parsed.collection.is_some()
        || parsed.lang.is_some()
        || parsed.ext.is_some()
        || parsed.years.is_some()
        || filters.collection.is_some()
        || filters.lang.is_some()
        || filters.ext.is_some()
        || filters.year_min.is_some()
        || filters.year_max.is_some()
        || filters.only.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_and_fields() {
        let p = parse(r#"title:"red book" -draft author:Smith lang:eng year:1990..2000 ext:pdf"#);
        assert_eq!(p.clauses.len(), 2);
        assert!(p.clauses[0].phrase);
        assert_eq!(p.clauses[0].field, Some(TextField::Title));
        assert_eq!(p.excluded.len(), 1);
        assert_eq!(
            p.lang.map(super::super::normalize::language_name),
            Some("English")
        );
        assert_eq!(p.years, Some((Some(1990), Some(2000))));
        assert_eq!(p.ext, Some(1));
    }

    #[test]
    fn hostile_strings_parse() {
        let long = "a ".repeat(5000);
        for q in [
            "\"",
            "(((",
            "title:",
            "*",
            "\0\0",
            "-",
            "--",
            ":",
            "\"unclosed phrase",
            long.as_str(),
            "year:abc",
            "md5:xyz",
        ] {
            let _ = parse(q);
        }
        assert!(parse(&long).clauses.len() <= MAX_CLAUSES);
    }

    #[test]
    fn beginnings_stars_and_the_word_being_typed() {
        let p = parse("introduction algo*");
        assert!(!p.clauses[0].prefix && p.clauses[1].prefix);
        assert_eq!(p.clauses[1].tokens[0].1, "algo");
        let p = parse_typed("introduction algo", true);
        assert!(!p.clauses[0].prefix && p.clauses[1].prefix);
        // A space after the last word: it is complete.
        let p = parse_typed("introduction algo ", true);
        assert!(!p.clauses[1].prefix);
        // Not typing, too short, quoted, excluded: whole words.
        assert!(!parse("introduction algo").clauses[1].prefix);
        assert!(!parse_typed("al", true).clauses[0].prefix);
        assert!(!parse_typed("\"algo\"", true).clauses[0].prefix);
        assert!(parse_typed("x -algo", true)
            .excluded
            .iter()
            .all(|c| !c.prefix));
        // Forms: a word is looked up by its stems.
        assert!(parse("algorithms").clauses[0]
            .forms
            .iter()
            .any(|(f, _)| f == "e:algorithm"));
        // An unknown language matches nothing and says so.
        let p = parse("lang:qwzx algebra");
        assert_eq!(p.lang, Some(NO_LANGUAGE));
        assert_eq!(p.unknown_lang.as_deref(), Some("qwzx"));
    }

    #[test]
    fn identifiers_short_circuit() {
        let p = parse("https://doi.org/10.1038/nature14539");
        assert_eq!(p.identifiers, ["doi:10.1038/nature14539"]);
        assert!(p.clauses.is_empty());
    }
}
