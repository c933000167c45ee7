//! The search page's URL parameters, read leniently: unknown keys are ignored, bad values fall
//! back to defaults, so any query string gives a page (never a 400). The same struct writes the
//! links of the page (facets, sorting, pages), so every view has a shareable URL.

use crate::search::normalize::{extension_code, language_choice, language_name, EXTENSIONS};
use crate::search::query::NO_LANGUAGE;
use crate::search::{Filters, SearchRequest, Sort};
use crate::Collection;

/// Queries longer than this (in characters) are cut.
const MAX_QUERY_CHARS: usize = 500;
/// Results per page that can be asked for (25, 50 and 100 as on the original site, and 10).
pub const PER_PAGE: [usize; 4] = [10, 25, 50, 100];
/// Results per page unless asked otherwise.
pub const DEFAULT_PER_PAGE: usize = 25;

/// The search page's parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchParams {
    /// What the user typed (one space kept at the end when there was one: the last word is
    /// then complete, otherwise it also matches the words it begins).
    pub q: String,
    /// Only this collection.
    pub collection: Option<Collection>,
    /// Only this language (its display name; as written when it names no language, which
    /// then matches nothing and the page says so).
    pub lang: Option<String>,
    /// Only this file extension.
    pub ext: Option<String>,
    /// Years from.
    pub year_min: Option<u64>,
    /// Years to.
    pub year_max: Option<u64>,
    /// Ordering (its URL name; empty for relevance).
    pub sort: String,
    /// Page, from 1.
    pub page: usize,
    /// Results per page.
    pub per_page: usize,
    /// Show withdrawn records too.
    pub withdrawn: bool,
    /// Only records whose file is in the local repository.
    pub here: bool,
    /// How results are shown, when the URL says (else the visitor's cookie, else cards).
    pub view: Option<View>,
}

/// How a result list is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum View {
    /// Cards with covers (the default).
    #[default]
    Cards,
    /// A dense table, a row per record (libgen's columns).
    Table,
}

impl View {
    /// Its URL name.
    pub fn name(self) -> &'static str {
        match self {
            View::Cards => "cards",
            View::Table => "table",
        }
    }

    /// Reads a URL or cookie value.
    pub fn parse(value: &str) -> Option<View> {
        match value.trim() {
            "cards" => Some(View::Cards),
            "table" => Some(View::Table),
            _ => None,
        }
    }
}

/// The cookie that remembers the visitor's last chosen view.
pub const VIEW_COOKIE: &str = "lanshelf_view";

fn year(v: &str) -> Option<u64> {
    v.trim()
        .parse::<u64>()
        .ok()
        .filter(|y| (1000..=2100).contains(y))
}

/// The sort orders offered, with their URL names and labels.
pub const SORTS: [(&str, &str); 7] = [
    ("", "Best match"),
    ("year_desc", "Newest first"),
    ("year_asc", "Oldest first"),
    ("added", "Recently added"),
    ("title", "Title A–Z"),
    ("size_desc", "Largest first"),
    ("size_asc", "Smallest first"),
];

impl SearchParams {
    /// Reads a raw query string (`a=b&c=d`); repeated keys: the last wins.
    pub fn parse(query: Option<&str>) -> SearchParams {
        let mut p = SearchParams {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            ..Default::default()
        };
        let Some(query) = query else { return p };
        for (key, raw) in form_urlencoded::parse(query.as_bytes()) {
            let value = raw.trim();
            match key.as_ref() {
                "q" | "req" => {
                    p.q = value.chars().take(MAX_QUERY_CHARS).collect();
                    if !p.q.is_empty() && raw.ends_with(char::is_whitespace) {
                        p.q.push(' ');
                    }
                }
                "collection" | "c" => p.collection = value.parse().ok(),
                "lang" => {
                    p.lang = (!value.is_empty()).then(|| match language_choice(value) {
                        Some(code) => language_name(code).to_string(),
                        None => value.chars().take(60).collect(),
                    });
                }
                "ext" => {
                    let code = extension_code(value);
                    p.ext = (code > 0).then(|| EXTENSIONS[code as usize].to_string());
                }
                "year_min" => p.year_min = year(value),
                "year_max" => p.year_max = year(value),
                "sort" => {
                    p.sort = match value.parse::<Sort>() {
                        Ok(s) => sort_name(s).to_string(),
                        Err(()) => String::new(),
                    }
                }
                "page" => p.page = value.parse::<usize>().unwrap_or(1).clamp(1, 10_000),
                "per_page" | "res" => {
                    let n = value.parse::<usize>().unwrap_or(0);
                    p.per_page = PER_PAGE
                        .into_iter()
                        .find(|&x| x == n)
                        .unwrap_or(DEFAULT_PER_PAGE);
                }
                "withdrawn" => p.withdrawn = matches!(value, "1" | "on" | "true" | "yes"),
                "here" => p.here = matches!(value, "1" | "on" | "true" | "yes"),
                "view" => p.view = View::parse(value),
                _ => {}
            }
        }
        if let (Some(a), Some(b)) = (p.year_min, p.year_max) {
            if a > b {
                p.year_min = Some(b);
                p.year_max = Some(a);
            }
        }
        p
    }

    /// A `lang` value that names no language.
    pub fn unknown_language(&self) -> Option<&str> {
        self.lang
            .as_deref()
            .filter(|l| language_choice(l).is_none())
    }

    /// Whether there is anything to search for (words or filters; a collection tab alone
    /// browses it, newest first).
    pub fn is_search(&self) -> bool {
        !self.q.trim().is_empty()
            || self.here
            || self.collection.is_some()
            || self.lang.is_some()
            || self.ext.is_some()
            || self.year_min.is_some()
            || self.year_max.is_some()
    }

    /// The engine request.
    pub fn request(&self) -> SearchRequest {
        let mut req = SearchRequest::new(self.q.clone());
        // The page searches as the user types: an unfinished last word matches the words it
        // begins.
        req.typing = true;
        req.filters = Filters {
            collection: self.collection,
            lang: self
                .lang
                .as_deref()
                .map(|l| language_choice(l).unwrap_or(NO_LANGUAGE)),
            ext: self.ext.as_deref().map(extension_code),
            year_min: self.year_min,
            year_max: self.year_max,
            show_withdrawn: self.withdrawn,
            // The "available here" set is the portal's, not the URL's: the handler adds it.
            only: None,
            // Without words the page browses (the collection's newest records).
            browse: self.q.trim().is_empty(),
        };
        req.sort = self.sort_name().parse().unwrap_or_default();
        req.page = self.page;
        req.per_page = self.per_page;
        req
    }

    /// The sort order in effect: the one asked for, else best match for words and newest first
    /// when browsing (no words).
    pub fn sort_name(&self) -> &str {
        if self.sort.is_empty() && self.q.trim().is_empty() {
            "added"
        } else {
            &self.sort
        }
    }

    /// This view's URL.
    pub fn href(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            out.append_pair("q", &self.q);
        }
        if let Some(c) = self.collection {
            out.append_pair("collection", c.slug());
        }
        if let Some(l) = &self.lang {
            out.append_pair("lang", l);
        }
        if let Some(e) = &self.ext {
            out.append_pair("ext", e);
        }
        if let Some(y) = self.year_min {
            out.append_pair("year_min", &y.to_string());
        }
        if let Some(y) = self.year_max {
            out.append_pair("year_max", &y.to_string());
        }
        if !self.sort.is_empty() {
            out.append_pair("sort", &self.sort);
        }
        if self.per_page != DEFAULT_PER_PAGE {
            out.append_pair("per_page", &self.per_page.to_string());
        }
        if self.withdrawn {
            out.append_pair("withdrawn", "1");
        }
        if self.here {
            out.append_pair("here", "1");
        }
        if let Some(v) = self.view {
            out.append_pair("view", v.name());
        }
        if self.page > 1 {
            out.append_pair("page", &self.page.to_string());
        }
        let query = out.finish();
        if query.is_empty() {
            "/search".to_string()
        } else {
            format!("/search?{query}")
        }
    }

    /// The URL of this view changed by `change`, back on page 1 (unless `change` sets a page).
    pub fn with(&self, change: impl FnOnce(&mut SearchParams)) -> String {
        let mut p = self.clone();
        p.page = 1;
        change(&mut p);
        p.href()
    }
}

/// The URL name of a sort order.
pub fn sort_name(sort: Sort) -> &'static str {
    match sort {
        Sort::Relevance => "",
        Sort::YearDesc => "year_desc",
        Sort::YearAsc => "year_asc",
        Sort::SizeDesc => "size_desc",
        Sort::SizeAsc => "size_asc",
        Sort::Added => "added",
        Sort::Title => "title",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_and_round_trips() {
        let p = SearchParams::parse(Some("q=a+b&collection=papers&lang=eng&ext=PDF&year_min=2000&year_max=1990&sort=year&page=x&per_page=7&withdrawn=1&zzz=%ff"));
        assert_eq!(p.q, "a b");
        assert_eq!(p.collection, Some(Collection::Scimag));
        assert_eq!(p.lang.as_deref(), Some("English"));
        assert_eq!(p.ext.as_deref(), Some("pdf"));
        assert_eq!((p.year_min, p.year_max), (Some(1990), Some(2000)));
        assert_eq!(p.sort, "year_desc");
        assert_eq!((p.page, p.per_page), (1, 25));
        assert!(p.withdrawn);
        assert_eq!(SearchParams::parse(Some(&p.href()[8..])), p);
        let bad = SearchParams::parse(Some(
            "q=%%%&page=-1&year_min=abc&sort=;drop&collection=nope",
        ));
        assert_eq!(bad.q, "%%%");
        assert_eq!(
            (bad.page, bad.year_min, bad.sort.as_str(), bad.collection),
            (1, None, "", None)
        );
        assert_eq!(SearchParams::parse(None).href(), "/search");
        let ten = SearchParams::parse(Some("q=a&per_page=10"));
        assert_eq!(ten.per_page, 10);
        assert_eq!(ten.href(), "/search?q=a&per_page=10");
    }
}
