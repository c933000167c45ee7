//! The search itself: a query parsed into its words and forms, candidates found and re-scored,
//! the fallbacks (typos, then some of the words) when all the words find almost nothing, facets
//! counted, hits read from the columns.

use std::time::Instant;

use tantivy::collector::{Count, TopDocs};
use tantivy::{DocAddress, Order, Searcher};

use super::collect::*;
use super::engine::{SearchEngine, Terms};
use super::facets::FacetCollector;
use super::query::{self, Matching, Purpose};
use super::request::{LanguageHint, COUNT_LIMIT, MAX_OFFSET};
use super::{
    forms, fuzzy, normalize, Facets, Hit, SearchError, SearchRequest, SearchResults, Sort,
};
use crate::Collection;

/// The fewest candidates taken from each candidate query for a page of results (see
/// [`SearchEngine::run`]). More candidates, closer to the exhaustive ranking: at 16 M records
/// 200 gave two-word queries 86 % of the exhaustive page's summed scores, 500 gave 91 %, for
/// 2.6 → 4.0 ms at p50.
pub(super) const MIN_CANDIDATES: usize = 500;

/// Phrases with a word in at most this many documents are checked in every one of them.
pub(super) const RARE_PHRASE_WORD: u64 = 50_000;

/// "Almost nothing": when all the words together find fewer records than this (without the
/// form's filters), the typo-tolerant pass and then "some of the words" are tried.
pub(super) const FEW_RESULTS: usize = 3;

/// A word in at most this many documents (or one in 100 000 of a larger catalog) is rare: the
/// typo-tolerant pass corrects it.
pub(super) const RARE_WORD_DOCS: u64 = 3;

/// The most corrections a misspelt word stands for (the most frequent ones).
pub(super) const CORRECTIONS: usize = 16;

/// The most word forms a beginning stands for (the most frequent ones that start with it).
pub(super) const PREFIX_TERMS: usize = 24;

/// The most terms read from the dictionary of one segment to find a beginning's completions:
/// bounds the cost of a short beginning in a large vocabulary (see `docs/performance.md`).
pub(super) const PREFIX_WALK: usize = 50_000;

/// The most title words that count as one query word for the title fit (its forms and, for a
/// beginning, the words it begins: the most frequent).
pub(super) const TITLE_TERMS: usize = 16;

/// The most title words read per segment from a word's common beginning with one of its forms
/// to find its other forms there (they sort close to it: `algorithm`, `algorithmic`,
/// `algorithms`).
pub(super) const TITLE_FORMS_WALK: usize = 256;

impl SearchEngine {
    /// Runs a search. Blocking: call it from a blocking thread in async code.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        let mut parsed = query::parse_typed(&req.query, req.typing);
        let identifier = normalize::detect_identifier(&req.query);
        let md5 = parsed
            .identifiers
            .iter()
            .find_map(|t| t.strip_prefix("md5:"));
        let doi = parsed
            .identifiers
            .iter()
            .find_map(|t| t.strip_prefix("doi:"));
        // Identifiers unique to a record are looked up in the catalog's indexes.
        let looked_up = if let Some(md5) = md5 {
            Some(self.catalog_hits(
                &Collection::ALL,
                crate::db::blocking::By::Md5,
                md5,
                &req.filters,
            )?)
        } else if let Some(doi) = doi {
            // Papers by the catalog's DOI index (case-insensitive, as DOIs are), books by their
            // index terms (papers' DOIs are not index terms).
            let mut hits = self.catalog_hits(
                &[Collection::Scimag],
                crate::db::blocking::By::Doi,
                doi,
                &req.filters,
            )?;
            if req.filters.collection != Some(Collection::Scimag) {
                let searcher = self.searcher()?;
                let (_, _, books) = self.run(&searcher, &parsed, req, Matching::Exact, 0, 100)?;
                hits.extend(books);
            }
            Some(hits)
        } else {
            None
        };
        if let Some(hits) = looked_up {
            return Ok(SearchResults {
                total: hits.len(),
                total_exact: true,
                hits,
                facets: req.facets.then(Facets::default),
                fuzzy: false,
                partial: false,
                unknown_language: None,
                identifier,
                highlight: Vec::new(),
                elapsed: started.elapsed(),
            });
        }
        let searcher = self.searcher()?;
        self.expand(&searcher, &mut parsed)?;
        let per_page = req.per_page.clamp(1, 100);
        let offset = (req.page.max(1) - 1)
            .saturating_mul(per_page)
            .min(MAX_OFFSET);
        let mut outcome = self.run(&searcher, &parsed, req, Matching::Exact, offset, per_page)?;
        let matching = self.fallback(&searcher, &mut parsed, req, outcome.0)?;
        if matching != Matching::Exact {
            outcome = self.run(&searcher, &parsed, req, matching, offset, per_page)?;
        }
        let (total, total_exact, hits) = outcome;
        let facets = if req.facets {
            let filters = query::facet_filters(&parsed, &req.filters);
            // The form's filters, sort and page change nothing but the facets' filters: every
            // click on a filter or a page of the same query reuses them until the index changes.
            let key = (
                searcher.generation().generation_id(),
                req.query.clone(),
                req.filters.show_withdrawn,
                matching as u8,
                req.typing,
                filters,
                req.filters.only.as_ref().map(|set| set.version()),
            );
            let cached = self.facet_cache.get(&key);
            match cached {
                Some(f) => Some(f),
                None => {
                    let common = self.common_words(&searcher);
                    let q = query::build(
                        &self.fields,
                        &parsed,
                        &req.filters,
                        matching,
                        false,
                        Purpose::Match,
                        &common,
                    );
                    let f = searcher.search(&q, &FacetCollector(filters, self.columns.clone()))?;
                    self.facet_cache.insert(key, f.clone());
                    Some(f)
                }
            }
        } else {
            None
        };
        Ok(SearchResults {
            total,
            total_exact,
            hits,
            facets,
            fuzzy: matching == Matching::Fuzzy,
            partial: matching == Matching::Any,
            unknown_language: match parsed.unknown_lang {
                Some(value) => Some(self.language_hint(value)?),
                None => None,
            },
            identifier,
            highlight: parsed.highlight,
            elapsed: started.elapsed(),
        })
    }

    /// The catalog's languages closest to a `lang:` value that names none.
    fn language_hint(&self, value: String) -> Result<LanguageHint, SearchError> {
        // The catalog's own languages first, then any widely written one.
        let facets = self.catalog_facets()?;
        let mut suggestions: Vec<String> =
            normalize::closest_languages(&value, facets.language.iter().map(|(n, _)| n.as_str()))
                .into_iter()
                .map(str::to_string)
                .collect();
        if suggestions.is_empty() {
            suggestions = normalize::closest_languages(&value, normalize::major_languages())
                .into_iter()
                .map(str::to_string)
                .collect();
        }
        Ok(LanguageHint { value, suggestions })
    }

    /// How the words are matched: all of them exactly unless together they find nothing or
    /// almost nothing ([`FEW_RESULTS`]); then first the rare words corrected (typos), if that
    /// finds more, then, if all the words found nothing, any of the words. Decided without the form's filters, so that
    /// choosing a facet value keeps the matching its count was made with. The rare words'
    /// corrections are looked up here, only when they are tried (see [`Self::correct`]).
    fn fallback(
        &self,
        searcher: &Searcher,
        parsed: &mut query::ParsedQuery,
        req: &SearchRequest,
        found: usize,
    ) -> Result<Matching, SearchError> {
        if parsed.clauses.is_empty() || !parsed.identifiers.is_empty() {
            return Ok(Matching::Exact);
        }
        let common = self.common_words(searcher);
        let count = |parsed: &query::ParsedQuery, matching: Matching| {
            let q = query::build(
                &self.fields,
                parsed,
                &req.filters,
                matching,
                false,
                Purpose::Match,
                &common,
            );
            Ok::<_, SearchError>(count_up_to(searcher, &*q, FEW_RESULTS)?.0)
        };
        let exact = if req.filters.any() {
            count(parsed, Matching::Exact)?
        } else {
            found.min(FEW_RESULTS)
        };
        if exact >= FEW_RESULTS {
            return Ok(Matching::Exact);
        }
        self.correct(searcher, parsed)?;
        if parsed
            .clauses
            .iter()
            .any(|c| !c.corrections.is_empty() || !c.title_corrections.is_empty())
            && count(parsed, Matching::Fuzzy)? > exact
        {
            return Ok(Matching::Fuzzy);
        }
        // Some of the words only when all of them found nothing: one or two records with every
        // word are the answer, not a cue to show others.
        if parsed.clauses.len() > 1 && exact == 0 && count(parsed, Matching::Any)? > 0 {
            return Ok(Matching::Any);
        }
        Ok(Matching::Exact)
    }

    /// Looks up how many documents have each form of each word (dropping the forms none has),
    /// the completions of beginnings, and which words are rare (their corrections are looked up
    /// only when they are needed: [`Self::correct`]).
    fn expand(
        &self,
        searcher: &Searcher,
        parsed: &mut query::ParsedQuery,
    ) -> Result<(), SearchError> {
        let docs = searcher.num_docs();
        let rare = RARE_WORD_DOCS.max(docs / 100_000);
        let common = |word: &str| {
            docs >= 50_000
                && searcher
                    .doc_freq(&tantivy::Term::from_field_text(self.fields.title, word))
                    .is_ok_and(|n| n * 50 > docs)
        };
        let text = self.fields.text;
        for clause in parsed.clauses.iter_mut().chain(parsed.excluded.iter_mut()) {
            if !clause.is_word() {
                continue;
            }
            for (form, n) in clause.forms.iter_mut() {
                *n = searcher.doc_freq(&tantivy::Term::from_field_text(text, form))?;
            }
            if clause.forms.iter().any(|(_, n)| *n > 0) {
                clause.forms.retain(|(_, n)| *n > 0);
            } else {
                clause.forms.truncate(1);
            }
            clause.forms.sort_by_key(|f| std::cmp::Reverse(f.1));
            if clause.prefix && !common(&clause.tokens[0].1) {
                let mut completions = self.completions(searcher, &clause.tokens[0].1)?;
                completions.retain(|(t, _)| !clause.forms.iter().any(|(f, _)| f == t));
                clause.completions = completions;
            }
            let total: u64 = clause
                .forms
                .iter()
                .chain(&clause.completions)
                .map(|(_, n)| n)
                .sum();
            clause.title_terms = self.title_terms(searcher, clause)?;
            clause.stop = docs >= 50_000
                && searcher
                    .doc_freq(&tantivy::Term::from_field_text(
                        self.fields.title,
                        &clause.tokens[0].1,
                    ))
                    .is_ok_and(|n| n as f64 > docs as f64 * query::STOP_SHARE);
            // A beginning that completes to something is being typed, not misspelt.
            clause.rare = total <= rare && clause.completions.is_empty();
        }
        Ok(())
    }

    /// Looks up the corrections of the rare words ([`query::Clause::rare`]): the terms within an
    /// edit or two of them. Only for the typo-tolerant pass (words found in fewer than
    /// [`FEW_RESULTS`] records): walking the dictionaries costs a millisecond a word at 16 M
    /// records, more than the search of a rare word itself.
    fn correct(
        &self,
        searcher: &Searcher,
        parsed: &mut query::ParsedQuery,
    ) -> Result<(), SearchError> {
        let text = self.fields.text;
        for clause in parsed.clauses.iter_mut().filter(|c| c.rare) {
            let word = &clause.tokens[0].1;
            if word.chars().count() >= 4 && word.chars().all(char::is_alphabetic) {
                // Corrections of each form the word may have (a Spanish word is stemmed as
                // Spanish in a Spanish record): one edit, two from eight letters.
                let mut corrections: Vec<(String, u64)> = Vec::new();
                for stem in forms::query_stems(word) {
                    let letters = stem.chars().count() - forms::tag_len(&stem);
                    let distance = if letters >= 8 { 2 } else { 1 };
                    for (t, n) in fuzzy::corrections(searcher, text, &stem, distance, CORRECTIONS)?
                    {
                        if !corrections.iter().any(|(c, _)| *c == t)
                            && !clause.match_terms().any(|m| m == t)
                        {
                            corrections.push((t, n));
                        }
                    }
                }
                corrections.sort_by_key(|c| std::cmp::Reverse(c.1));
                corrections.truncate(CORRECTIONS);
                clause.corrections = corrections;
                let distance = if word.chars().count() >= 8 { 2 } else { 1 };
                clause.title_corrections =
                    fuzzy::corrections(searcher, self.fields.title, word, distance, CORRECTIONS)?;
            }
        }
        Ok(())
    }

    /// The [`PREFIX_TERMS`] most frequent forms in the combined field that start with `prefix`
    /// (reading at most [`PREFIX_WALK`] terms of each segment's dictionary), cached.
    fn completions(
        &self,
        searcher: &Searcher,
        prefix: &str,
    ) -> Result<Vec<(String, u64)>, SearchError> {
        let key = (searcher.generation().generation_id(), prefix.to_string());
        if let Some(c) = self.prefix_cache.get(&key) {
            return Ok(c);
        }
        let mut found: std::collections::HashMap<Vec<u8>, u64> = Default::default();
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(self.fields.text)?;
            // The beginning in each language group (`e:algo`, `d:algo`…).
            for start in forms::prefixes(prefix) {
                walk_beginning(&index, &start, PREFIX_WALK, |term, n| {
                    *found.entry(term.to_vec()).or_default() += u64::from(n);
                })?;
            }
        }
        let mut completions: Vec<(String, u64)> = found
            .into_iter()
            .filter_map(|(t, n)| String::from_utf8(t).ok().map(|t| (t, n)))
            .collect();
        completions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        completions.truncate(PREFIX_TERMS);
        self.prefix_cache.insert(key, completions.clone());
        Ok(completions)
    }

    /// The title words that count as a query word for the title fit: the word itself, the
    /// words of its forms (found beside the word in the title dictionary: from each common
    /// beginning of the word and a form, at most [`TITLE_FORMS_WALK`] words), and for a
    /// beginning the words it begins ([`PREFIX_WALK`] at most); the [`TITLE_TERMS`] most
    /// frequent, with how many titles have each, cached.
    fn title_terms(
        &self,
        searcher: &Searcher,
        clause: &query::Clause,
    ) -> Result<Terms, SearchError> {
        let word = clause.tokens[0].1.as_str();
        let key = (
            searcher.generation().generation_id(),
            word.to_string(),
            clause.prefix,
        );
        if let Some(t) = self.title_cache.get(&key) {
            return Ok(t);
        }
        let mut starts: Vec<(String, bool)> = Vec::new();
        if clause.prefix {
            starts.push((word.to_string(), true));
        }
        for (form, _) in &clause.forms {
            let body = &form[forms::tag_len(form)..];
            let common: String = word
                .chars()
                .zip(body.chars())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect();
            if common.chars().count() >= 3 && !starts.iter().any(|(s, _)| *s == common) {
                starts.push((common, false));
            }
        }
        let mut found: std::collections::HashMap<Vec<u8>, u64> = Default::default();
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(self.fields.title)?;
            let own = index
                .doc_freq(&tantivy::Term::from_field_text(self.fields.title, word))
                .map_err(|e| SearchError::Tantivy(e.into()))?;
            if own > 0 {
                *found.entry(word.as_bytes().to_vec()).or_default() += u64::from(own);
            }
            for (start, beginning) in &starts {
                let cap = if *beginning {
                    PREFIX_WALK
                } else {
                    TITLE_FORMS_WALK
                };
                walk_beginning(&index, start, cap, |term, n| {
                    if term == word.as_bytes() {
                        return;
                    }
                    let counts = *beginning
                        || std::str::from_utf8(term)
                            .is_ok_and(|t| clause.forms.iter().any(|(f, _)| forms::has_form(t, f)));
                    if counts {
                        *found.entry(term.to_vec()).or_default() += u64::from(n);
                    }
                })?;
            }
        }
        let mut terms: Vec<(String, u64)> = found
            .into_iter()
            .filter_map(|(t, n)| String::from_utf8(t).ok().map(|t| (t, n)))
            .collect();
        // The word itself first, then the most frequent.
        terms.sort_by(|a, b| {
            (b.0 == word)
                .cmp(&(a.0 == word))
                .then(b.1.cmp(&a.1))
                .then_with(|| a.0.cmp(&b.0))
        });
        terms.truncate(TITLE_TERMS);
        self.title_cache.insert(key, terms.clone());
        Ok(terms)
    }

    /// A predicate telling whether a one-word clause is very common in titles (in more than 2 %
    /// of the documents of a catalog of more than 50 000).
    fn common_words<'a>(&'a self, searcher: &'a Searcher) -> impl Fn(&query::Clause) -> bool + 'a {
        let docs = searcher.num_docs();
        move |clause: &query::Clause| {
            if docs < 50_000 || clause.tokens.len() != 1 {
                return false;
            }
            let term = tantivy::Term::from_field_text(self.fields.title, &clause.tokens[0].1);
            searcher.doc_freq(&term).is_ok_and(|n| n * 50 > docs)
        }
    }

    /// One search: the page of hits and the count of matches (exact below [`COUNT_LIMIT`]).
    ///
    /// By relevance, the page comes from a few hundred candidates: the best documents of a plain
    /// conjunction of terms (a word is one posting list of the combined field; see
    /// [`query::candidates`]), which tantivy finds with block-max WAND without visiting every
    /// match, re-scored with the full query (field weights, the phrase bonus, filters, withdrawn
    /// records, superseded versions below their better version). When too few candidates
    /// survive, or the query has no such shape, every match is scored. Other orders and queries
    /// without words take their page from the matching query, which never scores.
    fn run(
        &self,
        searcher: &Searcher,
        parsed: &query::ParsedQuery,
        req: &SearchRequest,
        matching: Matching,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, bool, Vec<Hit>), SearchError> {
        let common = self.common_words(searcher);
        let f = &self.fields;
        let matches = query::build(
            f,
            parsed,
            &req.filters,
            matching,
            true,
            Purpose::Match,
            &common,
        );
        let need = offset + limit;
        let addrs: Vec<(f32, DocAddress)> = match req.sort {
            Sort::Relevance if parsed.clauses.is_empty() && parsed.identifiers.is_empty() => {
                // No words: nothing to rank, so the first matches in index order, as ranking
                // equal scores gives.
                let (count, exact, docs) = first_matches(searcher, &*matches, offset, limit)?;
                return Ok((count, exact, self.hits(searcher, docs)?));
            }
            Sort::Relevance => {
                let rich = |purpose| {
                    query::build(f, parsed, &req.filters, matching, true, purpose, &common)
                };
                // A phrase whose rarest word is in few documents is cheaper to check in all of
                // them than to re-score candidates (a phrase's positions are read per candidate).
                let phrase = parsed.clauses.iter().any(|c| c.phrase);
                let rare_phrase = phrase
                    && parsed
                        .clauses
                        .iter()
                        .flat_map(|c| &c.tokens)
                        .map(|(_, t)| {
                            let term = tantivy::Term::from_field_text(f.title, t);
                            searcher.doc_freq(&term).unwrap_or(u64::MAX)
                        })
                        .min()
                        .is_some_and(|n| n <= RARE_PHRASE_WORD);
                let candidates = if req.exhaustive || rare_phrase {
                    query::Candidates::default()
                } else {
                    let mut c = query::candidates(f, parsed, &req.filters, matching, &common);
                    if matching == Matching::Any {
                        // The records with all the words, which rank first.
                        let all =
                            query::candidates(f, parsed, &req.filters, Matching::Exact, &common);
                        c.forms.extend(all.forms);
                        c.forms.extend(all.title);
                    }
                    c
                };
                let ranked = if candidates.forms.is_empty() {
                    None
                } else {
                    // A phrase's candidates are costly to check and often fail it: a few, and
                    // if too few pass, every match is scored.
                    let k = if phrase {
                        need * 2
                    } else {
                        (need * 2).max(MIN_CANDIDATES)
                    };
                    let mut top = Vec::new();
                    let mut short = true;
                    for parts in &candidates.forms {
                        let found = best_of(searcher, parts, k)?;
                        short &= found.len() < k;
                        top.extend(found);
                    }
                    let complete = candidates.complete && short;
                    if !complete {
                        if let Some(parts) = &candidates.title {
                            top.extend(best_of(searcher, parts, k)?);
                        }
                    }
                    let ranked = rescore(&self.columns, searcher, &*rich(Purpose::Rescore), top)?;
                    if complete {
                        // Every match was a candidate: the count is exact too.
                        let count = ranked.len();
                        let page = ranked.into_iter().skip(offset).take(limit).collect();
                        return Ok((count, true, self.hits(searcher, page)?));
                    }
                    (ranked.len() >= need).then_some(ranked)
                };
                match ranked {
                    Some(r) => r.into_iter().skip(offset).take(limit).collect(),
                    None => {
                        // Scoring every match visits them all: counting them costs nothing more.
                        let top = top_by_score(&self.columns, offset, limit);
                        let (count, ranked) =
                            searcher.search(&rich(Purpose::Rank), &(Count, top))?;
                        let page = ranked.into_iter().skip(offset).take(limit).collect();
                        let hits = self.hits(searcher, page)?;
                        return Ok((count.min(COUNT_LIMIT), count < COUNT_LIMIT, hits));
                    }
                }
            }
            Sort::YearDesc | Sort::YearAsc | Sort::SizeDesc | Sort::SizeAsc | Sort::Title => {
                let (field, order) = match req.sort {
                    Sort::YearDesc => ("year", Order::Desc),
                    Sort::YearAsc => ("year", Order::Asc),
                    Sort::SizeDesc => ("size", Order::Desc),
                    Sort::SizeAsc => ("size", Order::Asc),
                    _ => ("title_key", Order::Asc),
                };
                let top = TopDocs::with_limit(limit).and_offset(offset);
                let docs =
                    searcher.search(&matches, &top.order_by_fast_field::<u64>(field, order))?;
                docs.into_iter().map(|(_, a)| (0.0, a)).collect()
            }
            Sort::Added => {
                let top = TopDocs::with_limit(limit).and_offset(offset);
                let docs = searcher.search(
                    &matches,
                    &top.order_by_fast_field::<i64>("added", Order::Desc),
                )?;
                docs.into_iter().map(|(_, a)| (0.0, a)).collect()
            }
        };
        let (count, exact) = count_up_to(searcher, &*matches, COUNT_LIMIT)?;
        Ok((count, exact, self.hits(searcher, addrs)?))
    }

    /// Collection and id of each document.
    fn hits(
        &self,
        searcher: &Searcher,
        addrs: Vec<(f32, DocAddress)>,
    ) -> Result<Vec<Hit>, SearchError> {
        let mut hits = Vec::with_capacity(addrs.len());
        for (score, addr) in addrs {
            let columns = self
                .columns
                .get(searcher.segment_reader(addr.segment_ord))?;
            let id = columns.id.first(addr.doc_id).unwrap_or(0);
            let coll = columns.coll.first(addr.doc_id).unwrap_or(0);
            if let Some(collection) = Collection::from_code(coll) {
                hits.push(Hit {
                    collection,
                    id,
                    score,
                });
            }
        }
        Ok(hits)
    }
}

/// Visits the first `cap` terms of `index` that begin with `start` (in dictionary order), with
/// how many documents have each: bounds the cost of a short beginning in a large vocabulary.
fn walk_beginning(
    index: &tantivy::InvertedIndexReader,
    start: &str,
    cap: usize,
    mut visit: impl FnMut(&[u8], u32),
) -> Result<(), SearchError> {
    let mut stream = index
        .terms()
        .range()
        .ge(start.as_bytes())
        .into_stream()
        .map_err(|e| SearchError::Tantivy(e.into()))?;
    let mut walked = 0;
    while stream.advance() && walked < cap {
        let term = stream.key();
        if !term.starts_with(start.as_bytes()) {
            break;
        }
        walked += 1;
        visit(term, stream.value().doc_freq);
    }
    Ok(())
}
