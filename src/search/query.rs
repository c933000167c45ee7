//! Parsing what a user typed into a tantivy query, leniently: any string gives a query (possibly
//! one that matches nothing), never an error.
//!
//! Syntax: free words (all must match, in any text field, title weighted most), `"phrases"`,
//! `-word` to exclude, fields `title: author: series: publisher: journal: tags:`, identifiers
//! `md5: doi: isbn: issn: pmid:`, filters `lang: ext: year:1990..2000 collection:`.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::analyzer::query_terms;
use super::fuzzy::FirstLetterFuzzyQuery;
use super::normalize::{
    detect_identifier, extension_code, is_md5, language_code, parse_doi, parse_isbn, parse_issn,
};
use super::schema::{marker, Fields, Marker};
use crate::Collection;

/// The most words of a query that are used; the rest are ignored.
const MAX_CLAUSES: usize = 24;
/// The most tokens of one phrase that are used (a CJK run is a phrase of bigrams).
const MAX_PHRASE_TOKENS: usize = 64;

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

/// Splits the raw query into `(negated, field, text, quoted)` pieces.
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
    let mut parsed = ParsedQuery::default();
    if let Some(id) = detect_identifier(q) {
        parsed.identifiers.push(id.term());
        return parsed;
    }
    for (negated, field, text, quoted) in pieces(q) {
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
                        parsed.lang = Some(language_code(value));
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
                        push_clause(&mut parsed, negated, None, &whole, quoted);
                        continue;
                    }
                }
            }
        };
        push_clause(&mut parsed, negated, text_field, &text, quoted);
    }
    parsed
}

fn push_clause(
    parsed: &mut ParsedQuery,
    negated: bool,
    field: Option<TextField>,
    text: &str,
    quoted: bool,
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
    let clauses: Vec<Clause> = if split {
        tokens
            .into_iter()
            .map(|t| Clause {
                field,
                tokens: vec![(0, t.1)],
                phrase: false,
            })
            .collect()
    } else {
        vec![Clause {
            field,
            tokens,
            phrase: quoted,
        }]
    };
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
    /// Every word must match exactly (after analysis).
    Exact,
    /// Every word must match within an edit distance (typo tolerance).
    Fuzzy,
    /// Any word may match.
    Any,
}

fn clause_in_field(
    fields: &Fields,
    field: Field,
    clause: &Clause,
    matching: Matching,
) -> Box<dyn Query> {
    if clause.tokens.len() == 1 {
        let term = Term::from_field_text(field, &clause.tokens[0].1);
        let len = clause.tokens[0].1.chars().count();
        if matching == Matching::Fuzzy
            && len >= 4
            && !clause.tokens[0].1.chars().any(super::analyzer::is_cjk)
        {
            // Distance 2 (long words) only in titles: its automaton is the costly one.
            let distance = if len >= 8 && field == fields.title {
                2
            } else {
                1
            };
            return Box::new(FirstLetterFuzzyQuery::new(
                field,
                &clause.tokens[0].1,
                distance,
            ));
        }
        return Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
    }
    if !fields.has_positions(field) {
        // No positions here: every word of the phrase, anywhere in the field.
        let terms: Vec<(Occur, Box<dyn Query>)> = clause
            .tokens
            .iter()
            .map(|(_, t)| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                ));
                (Occur::Must, q)
            })
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
    match clause.field {
        Some(f) => clause_in_field(fields, f.field(fields), clause, matching),
        // One word in any text field is one term of the combined field: the same documents.
        None if purpose == Purpose::Match
            && clause.tokens.len() == 1
            && matching != Matching::Fuzzy =>
        {
            Box::new(TermQuery::new(
                Term::from_field_text(fields.text, &clause.tokens[0].1),
                IndexRecordOption::WithFreqs,
            ))
        }
        None => {
            // Typo tolerance looks at titles only: a fuzzy term walks the field's whole
            // dictionary (about 2 ms per field at a million records).
            let searched = if matching == Matching::Fuzzy { 1 } else { 6 };
            let subs: Vec<(Occur, Box<dyn Query>)> = fields
                .text_fields()
                .iter()
                .take(searched)
                .map(|(field, boost)| {
                    let q = clause_in_field(fields, *field, clause, matching);
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(q, *boost)) as Box<dyn Query>,
                    )
                })
                .collect();
            Box::new(BooleanQuery::new(subs))
        }
    }
}

/// Filters chosen outside the query text (the search form), merged with the query's own.
#[derive(Debug, Clone, Default)]
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
    /// Deciding which documents match (counts, facets, sorted results): the same documents as
    /// [`Purpose::Rank`], found with the fewest posting lists (a plain word is one term of the
    /// combined field) and nothing that only adds to the score.
    Match,
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

/// The filters that apply: those named in the query text always, the form's when `with_filters`.
fn effective_filters(parsed: &ParsedQuery, filters: &Filters, with_filters: bool) -> Filters {
    let form = |v: Option<u64>| if with_filters { v } else { None };
    let (mut lo, mut hi) = parsed.years.unwrap_or((None, None));
    if with_filters {
        lo = lo.or(filters.year_min);
        hi = hi.or(filters.year_max);
    }
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
    }
}

/// Queries whose best-scoring documents are candidates for the best results of [`build`]: plain
/// conjunctions (or, for [`Matching::Any`], a union) of terms, which tantivy answers with
/// block-max WAND, skipping whole blocks of documents that cannot enter the top k.
///
/// The first matches every document the full query matches (and maybe more: withdrawn records,
/// other years, excluded words and broken phrases are left to the full query, which re-scores
/// the candidates); its words are terms of the combined field. The second, when the query has
/// plain words, asks for them in the title: the full query weighs titles (and the words as a
/// phrase in the title) most, which the combined field alone does not see. Empty when the query
/// has no such shape (typo tolerance, identifiers, no words).
pub fn candidates(
    fields: &Fields,
    parsed: &ParsedQuery,
    filters: &Filters,
    matching: Matching,
    is_common: &dyn Fn(&Clause) -> bool,
) -> Vec<Box<dyn Query>> {
    if matching == Matching::Fuzzy || !parsed.identifiers.is_empty() || parsed.clauses.is_empty() {
        return Vec::new();
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
        return Vec::new();
    }
    // The terms, with plain words looked up in `words`; whether any plain word was.
    let terms_in = |words: tantivy::schema::Field| -> (Vec<Term>, bool) {
        let mut terms: Vec<Term> = Vec::new();
        let mut plain = false;
        for (clause, common) in parsed.clauses.iter().zip(&common) {
            let field = match clause.field {
                Some(f) => f.field(fields),
                None if *common && all_common => fields.title,
                None if *common && matching == Matching::Exact => continue,
                None => {
                    plain = true;
                    words
                }
            };
            for (_, t) in &clause.tokens {
                let term = Term::from_field_text(field, t);
                if !terms.contains(&term) {
                    terms.push(term);
                }
            }
        }
        (terms, plain)
    };
    let term_query =
        |t: Term| -> Box<dyn Query> { Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)) };
    let query = |terms: Vec<Term>, occur: Occur| -> Box<dyn Query> {
        if terms.len() == 1 {
            return term_query(terms.into_iter().next().expect("one term"));
        }
        Box::new(BooleanQuery::new(
            terms.into_iter().map(|t| (occur, term_query(t))).collect(),
        ))
    };
    let (mut terms, plain) = terms_in(fields.text);
    if matching == Matching::Any {
        return vec![query(terms, Occur::Should)];
    }
    terms.extend(markers.iter().cloned());
    let mut queries = vec![query(terms, Occur::Must)];
    if plain {
        let (mut titles, _) = terms_in(fields.title);
        titles.extend(markers);
        queries.push(query(titles, Occur::Must));
    }
    queries
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
        let q = if *common && all_common {
            clause_in_field(fields, fields.title, clause, matching)
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
    if plain.len() >= 2 && matching == Matching::Exact && purpose == Purpose::Rank {
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
        if parsed.excluded.is_empty() && !has_filters(parsed, filters) {
            return Box::new(EmptyQuery);
        }
        must.push((Occur::Must, Box::new(AllQuery)));
    }
    for clause in &parsed.excluded {
        must.push((
            Occur::MustNot,
            clause_query(fields, clause, Matching::Exact, purpose),
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
        assert_eq!(p.lang, Some(1));
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
    fn identifiers_short_circuit() {
        let p = parse("https://doi.org/10.1038/nature14539");
        assert_eq!(p.identifiers, ["doi:10.1038/nature14539"]);
        assert!(p.clauses.is_empty());
    }
}
