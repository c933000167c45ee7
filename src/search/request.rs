//! A search as the pages and APIs ask for it ([`SearchRequest`]) and what it finds
//! ([`SearchResults`]).

use std::time::Duration;

use super::{Facets, Filters, Identifier};
use crate::Collection;

/// Result orderings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest year first.
    YearDesc,
    /// Oldest year first.
    YearAsc,
    /// Largest file first.
    SizeDesc,
    /// Smallest file first.
    SizeAsc,
    /// Most recently added first.
    Added,
    /// By title, A to Z.
    Title,
}

impl std::str::FromStr for Sort {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "" | "relevance" => Sort::Relevance,
            "year" | "year_desc" => Sort::YearDesc,
            "year_asc" => Sort::YearAsc,
            "size" | "size_desc" => Sort::SizeDesc,
            "size_asc" => Sort::SizeAsc,
            "added" | "date" => Sort::Added,
            "title" => Sort::Title,
            _ => return Err(()),
        })
    }
}

/// A search as the pages and APIs ask for it.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// What the user typed.
    pub query: String,
    /// Filters from the form.
    pub filters: Filters,
    /// Ordering.
    pub sort: Sort,
    /// Page number, from 1.
    pub page: usize,
    /// Results per page.
    pub per_page: usize,
    /// Whether to count facets.
    pub facets: bool,
    /// Score every match instead of re-scoring the best candidates (slower; for comparisons).
    pub exhaustive: bool,
    /// The query is being typed (search as you type, suggestions): its last word, unless a
    /// space follows it, also matches the words it begins.
    pub typing: bool,
}

impl SearchRequest {
    /// A first page of 20 by relevance, with facets.
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            filters: Filters::default(),
            sort: Sort::Relevance,
            page: 1,
            per_page: 20,
            facets: true,
            exhaustive: false,
            typing: false,
        }
    }
}

/// One result: which record, and how well it matched.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Hit {
    /// Its collection.
    pub collection: Collection,
    /// Its id in the collection.
    pub id: u64,
    /// The relevance score (0 when sorted by a field).
    pub score: f32,
}

/// The answer to a search.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchResults {
    /// Matching records (with the filters), counted up to [`COUNT_LIMIT`].
    pub total: usize,
    /// Whether `total` is the exact count (false: there are more, `total` is a lower bound).
    pub total_exact: bool,
    /// This page.
    pub hits: Vec<Hit>,
    /// Counts per collection, language, extension and decade, each with every other active
    /// filter and without its own.
    pub facets: Option<Facets>,
    /// The typo-tolerant fallback was used: all the words together found nothing or almost
    /// nothing, so the rare ones were matched within an edit distance.
    pub fuzzy: bool,
    /// Only some of the words matched (neither all the words nor the typo-tolerant pass found
    /// anything more).
    pub partial: bool,
    /// A `lang:` value that names no language (nothing matched it), with the catalog's
    /// languages closest to it.
    pub unknown_language: Option<LanguageHint>,
    /// The query was an identifier.
    pub identifier: Option<Identifier>,
    /// Folded query words, for highlighting.
    pub highlight: Vec<String>,
    /// Time spent in the index.
    pub elapsed: Duration,
}

/// "No language 'klingonn'; did you mean …".
#[derive(Debug, Clone, serde::Serialize)]
pub struct LanguageHint {
    /// What the query named.
    pub value: String,
    /// Languages of the catalog whose names are closest (display names).
    pub suggestions: Vec<String>,
}

impl SearchResults {
    /// When counting stopped at [`COUNT_LIMIT`]: how many matches there are more than.
    pub fn more_than(&self) -> Option<usize> {
        (!self.total_exact).then(|| self.total.saturating_sub(1))
    }
}

/// Results deeper than this are not served (deep pages cost more than they are worth).
pub const MAX_OFFSET: usize = 10_000;

/// Matches are counted up to this many ("more than 10 000"): an exact count visits every match,
/// which at tens of millions of records costs more than finding the best ones. No page beyond it
/// is served anyway ([`MAX_OFFSET`]).
pub const COUNT_LIMIT: usize = MAX_OFFSET + 1;
