//! The home page and the search page (one page: the home page is the search page before a
//! search). For htmx requests the same URL answers with just the results fragment.

use std::time::Instant;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

use super::{is_fragment_request, with_vary};
use crate::db::records::Summary;
use crate::search::normalize::{language_code, language_name, OTHER_LANGUAGE};
use crate::search::{SearchError, SearchResults, MAX_OFFSET};
use crate::web::error::WebError;
use crate::web::params::{SearchParams, View, PER_PAGE, SORTS, VIEW_COOKIE};
use crate::web::render::{self, count, highlight, human_size, plain, Markup};
use crate::web::state::{AppState, Stats};
use crate::Collection;

/// A tab or facet value: a link that narrows (or widens) the search.
pub struct Choice {
    /// What it shows.
    pub label: String,
    /// How many results it has (empty when unknown).
    pub count: String,
    /// Where it leads.
    pub href: String,
    /// Whether it is the current choice.
    pub current: bool,
}

/// A group of facet values.
pub struct FacetGroup {
    /// Its heading.
    pub name: &'static str,
    /// Its values.
    pub choices: Vec<Choice>,
}

/// One result.
pub struct Row {
    /// The record page.
    pub href: String,
    /// Collection slug (for the badge's style) and label.
    pub collection: &'static str,
    /// Collection label.
    pub collection_label: &'static str,
    /// Title, highlighted.
    pub title: Markup,
    /// Authors, highlighted.
    pub authors: Markup,
    /// Journal, volume, issue, pages (papers) or series/publisher (books).
    pub source: Markup,
    /// Year.
    pub year: String,
    /// Language.
    pub language: String,
    /// File format.
    pub format: String,
    /// File size.
    pub size: String,
    /// Withdrawn (shown only when asked for).
    pub withdrawn: bool,
    /// The better version's link, when this one is superseded.
    pub better: Option<String>,
    /// How many versions its work has and where they are listed (libgen.li works with more
    /// than one record).
    pub versions: Option<(i64, String)>,
    /// Its id.
    pub id: i64,
    /// The BCP 47 tag of its language, when known (the title's `lang`).
    pub lang: &'static str,
    /// Publisher (the table's column).
    pub publisher: String,
    /// Pages (the table's column).
    pub pages: String,
    /// Where its file is: `here`, `torrent` or `absent` (a style class).
    pub avail_class: &'static str,
    /// The same in words.
    pub avail_label: &'static str,
    /// The download link, when the file is here.
    pub download: Option<String>,
    /// The magnet link for just this file, when a torrent at hand lists it.
    pub magnet: Option<String>,
    /// Its cover, when the cover store has it.
    pub cover: Option<String>,
}

/// The results part of the page (the htmx fragment).
pub struct Results {
    /// The collection tabs.
    pub tabs: Vec<Choice>,
    /// The search as typed, for the fragment's hidden inputs and messages.
    pub params: SearchParams,
    /// Welcome text instead of results (no search yet).
    pub welcome: Option<Welcome>,
    /// A message instead of results (no index yet, nothing found).
    pub message: Option<String>,
    /// `n results in x ms`.
    pub summary: String,
    /// A notice about how the results were found (fuzzy, partial).
    pub notice: Option<String>,
    /// The results.
    pub rows: Vec<Row>,
    /// Facets.
    pub facets: Vec<FacetGroup>,
    /// Active filters with the link that removes each.
    pub active: Vec<Choice>,
    /// Sort choices: value, label, selected.
    pub sorts: Vec<(&'static str, &'static str, bool)>,
    /// Page-size choices: value, selected.
    pub per_pages: Vec<(usize, bool)>,
    /// Pagination links.
    pub pages: Vec<Choice>,
    /// Previous page.
    pub prev: Option<String>,
    /// Next page.
    pub next: Option<String>,
    /// The page's title.
    pub title: String,
    /// The page's heading when browsing without words (`Recently added: Fiction`).
    pub heading: String,
    /// The Atom feed of this search's new records (empty before a search).
    pub feed: String,
    /// How the results are shown.
    pub view: View,
    /// The view switch: cards, table.
    pub views: Vec<Choice>,
    /// Sort orders, as links.
    pub sort_links: Vec<Choice>,
    /// Page sizes, as links.
    pub per_page_links: Vec<Choice>,
    /// The "available here" switch.
    pub here: Choice,
    /// `Best match · 25 per page · cards`: what the controls are set to.
    pub controls: String,
}

/// A collection on the home page: its figure, a link to its newest records.
pub struct CollectionCard {
    /// Its name.
    pub label: &'static str,
    /// Records.
    pub records: String,
    /// Its recently added page.
    pub href: String,
}

/// The home page figures.
pub struct Welcome {
    /// Per collection.
    pub collections: Vec<CollectionCard>,
    /// A note from whoever runs the portal (the demo says what its records are).
    pub notice: Option<String>,
    /// Records whose file is on this server.
    pub here: usize,
    /// The same, written out.
    pub here_text: String,
    /// Records in all.
    pub total: String,
    /// The last import's date.
    pub last_import: String,
    /// The catalog is empty.
    pub empty: bool,
    /// No index was found.
    pub no_index: bool,
    /// The index has not seen the catalog's last import(s).
    pub index_behind: bool,
    /// What the dumps folder watcher does now (`importing fiction.sql: 43 %`).
    pub activity: Option<String>,
    /// The last dump that failed to import, and why.
    pub failure: Option<(String, String)>,
    /// Volumes of multi-volume archives not there yet.
    pub waiting: Vec<String>,
    /// The dumps folder watched, if any.
    pub dumps: Option<String>,
}

/// The full page.
#[derive(Template)]
#[template(path = "pages/search.html")]
pub struct SearchPage {
    /// The results part.
    pub results: Results,
}

/// Just the results (for htmx).
#[derive(Template)]
#[template(path = "partials/fragment.html")]
pub struct ResultsFragment {
    /// The results part.
    pub results: Results,
}

/// The collections the catalog holds records of (the classic three while it is empty): the
/// others get no tab and no line on the home page.
fn held(stats: &Stats) -> Vec<Collection> {
    let held: Vec<Collection> = Collection::ALL
        .into_iter()
        .filter(|c| stats.records(*c) > 0)
        .collect();
    if held.is_empty() {
        Collection::ALL
            .into_iter()
            .filter(|c| c.is_classic())
            .collect()
    } else {
        held
    }
}

fn tabs(
    params: &SearchParams,
    counts: Option<&[(Collection, u64)]>,
    held: &[Collection],
) -> Vec<Choice> {
    let total: Option<u64> = counts.map(|c| c.iter().map(|(_, n)| n).sum());
    let mut out = vec![Choice {
        label: "All".into(),
        count: total.map(count).unwrap_or_default(),
        href: params.with(|p| p.collection = None),
        current: params.collection.is_none(),
    }];
    for c in Collection::ALL {
        if !held.contains(&c) && params.collection != Some(c) {
            continue;
        }
        let n = counts.map(|cs| cs.iter().find(|(x, _)| *x == c).map_or(0, |(_, n)| *n));
        out.push(Choice {
            label: c.label().into(),
            count: n.map(count).unwrap_or_default(),
            href: params.with(|p| p.collection = Some(c)),
            current: params.collection == Some(c),
        });
    }
    out
}

fn welcome(state: &AppState, stats: &Stats, no_index: bool) -> Welcome {
    let activity = state.activity.as_deref();
    Welcome {
        activity: activity.and_then(|a| a.current()),
        failure: activity.and_then(|a| a.failure()),
        waiting: activity.map(|a| a.waiting()).unwrap_or_default(),
        dumps: activity
            .and_then(|a| a.dumps())
            .map(|d| d.display().to_string()),
        collections: held(stats)
            .iter()
            .map(|c| CollectionCard {
                label: c.label(),
                records: count(stats.records(*c)),
                href: format!("/recent/{}", c.slug()),
            })
            .collect(),
        notice: state.notice.clone(),
        here: state.coverage().available.len(),
        here_text: count(state.coverage().available.len() as u64),
        total: count(stats.total()),
        last_import: stats.catalog.last_import.clone().unwrap_or_default(),
        empty: stats.total() == 0,
        no_index,
        index_behind: stats.imports_behind > 0,
    }
}

fn empty_results(params: SearchParams, held: &[Collection]) -> Results {
    Results {
        tabs: tabs(&params, None, held),
        title: if params.q.is_empty() {
            "Lanshelf".into()
        } else {
            format!("{} – Lanshelf", params.q)
        },
        params,
        welcome: None,
        message: None,
        summary: String::new(),
        notice: None,
        rows: Vec::new(),
        facets: Vec::new(),
        active: Vec::new(),
        sorts: Vec::new(),
        per_pages: Vec::new(),
        pages: Vec::new(),
        prev: None,
        next: None,
        heading: "Browse the catalog".into(),
        feed: String::new(),
        view: View::Cards,
        views: Vec::new(),
        sort_links: Vec::new(),
        per_page_links: Vec::new(),
        here: Choice {
            label: String::new(),
            count: String::new(),
            href: String::new(),
            current: false,
        },
        controls: String::new(),
    }
}

fn source_line(s: &Summary, terms: &[String]) -> Markup {
    let mut parts: Vec<String> = Vec::new();
    if s.collection() == Collection::Scimag {
        if !s.journal.trim().is_empty() {
            parts.push(plain(&s.journal));
        }
        if !s.volume.trim().is_empty() {
            parts.push(format!("vol. {}", s.volume.trim()));
        }
        if !s.issue.trim().is_empty() {
            parts.push(format!("no. {}", s.issue.trim()));
        }
        if !s.pages.trim().is_empty() {
            parts.push(format!("pp. {}", s.pages.trim()));
        }
    } else {
        if !s.series.trim().is_empty() {
            parts.push(s.series.trim().to_string());
        }
        if !s.publisher.trim().is_empty() {
            parts.push(s.publisher.trim().to_string());
        }
    }
    highlight(&parts.join(" · "), terms)
}

fn row(s: &Summary, terms: &[String]) -> Row {
    let c = s.collection();
    let title = plain(&s.title);
    let title = if title.is_empty() {
        "(untitled)".to_string()
    } else {
        title
    };
    Row {
        href: s.url(),
        collection: c.slug(),
        collection_label: c.label(),
        title: highlight(&title, terms),
        authors: highlight(&render::authors(&s.author).join("; "), terms),
        source: source_line(s, terms),
        year: match crate::search::normalize::year(&s.year) {
            0 => String::new(),
            y => y.to_string(),
        },
        language: match language_code(&s.language) {
            code if code <= OTHER_LANGUAGE => s.language.trim().to_string(),
            code => language_name(code).to_string(),
        },
        format: s.extension.trim().to_ascii_lowercase(),
        size: human_size(s.filesize),
        withdrawn: !s.visible.trim().is_empty(),
        better: (!s.generic.trim().is_empty())
            .then(|| format!("/md5/{}", s.generic.trim().to_ascii_lowercase())),
        versions: None,
        id: s.id,
        lang: lang_tag(&s.language),
        publisher: plain(s.publisher.trim()),
        pages: match s.pages.trim() {
            "0" => String::new(),
            p => p.to_string(),
        },
        avail_class: "absent",
        avail_label: "Not here",
        download: None,
        magnet: None,
        cover: None,
    }
}

/// The BCP 47 tag of a catalog language (`Russian` → `ru`), empty when unknown: titles in it
/// get a `lang` attribute, so screen readers and hyphenation use the right rules.
pub fn lang_tag(language: &str) -> &'static str {
    match language_code(language) {
        code if code <= OTHER_LANGUAGE => "",
        code => crate::search::normalize::language_iso639_1(code)
            .or_else(|| crate::search::normalize::language_iso639_3(code))
            .unwrap_or(""),
    }
}

/// How handy a version is to have: a format most readers open (epub, then pdf, then djvu), then
/// the larger file. Lower is better.
fn handiness(s: &Summary) -> (u8, std::cmp::Reverse<i64>) {
    let format = match s.extension.trim().to_ascii_lowercase().as_str() {
        "epub" => 0,
        "pdf" => 1,
        "djvu" => 2,
        "" => 9,
        _ => 5,
    };
    (format, std::cmp::Reverse(s.filesize))
}

/// One result per libgen.li work on a page: its versions found on the page fold into the
/// handiest of them (where the first of them ranked), which says how many versions the work
/// has in all.
fn group_works(summaries: Vec<Summary>) -> Vec<(Summary, Option<i64>)> {
    let mut out: Vec<(Summary, Option<i64>)> = Vec::new();
    let mut at: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for s in summaries {
        if s.work <= 0 {
            out.push((s, None));
            continue;
        }
        match at.get(&s.work) {
            Some(&i) => {
                if handiness(&s) < handiness(&out[i].0) {
                    out[i].0 = s;
                }
            }
            None => {
                at.insert(s.work, out.len());
                out.push((s, Some(0)));
            }
        }
    }
    out
}

fn facets(params: &SearchParams, found: &SearchResults) -> Vec<FacetGroup> {
    let Some(f) = &found.facets else {
        return Vec::new();
    };
    let mut groups = Vec::new();
    let lang: Vec<Choice> = f
        .language
        .iter()
        .take(12)
        .map(|(name, n)| Choice {
            label: name.clone(),
            count: count(*n),
            href: params.with(|p| p.lang = Some(name.clone())),
            current: params.lang.as_deref() == Some(name.as_str()),
        })
        .collect();
    if !lang.is_empty() {
        groups.push(FacetGroup {
            name: "Language",
            choices: lang,
        });
    }
    let ext: Vec<Choice> = f
        .extension
        .iter()
        .filter(|(e, _)| e != "other")
        .take(12)
        .map(|(e, n)| Choice {
            label: e.clone(),
            count: count(*n),
            href: params.with(|p| p.ext = Some(e.clone())),
            current: params.ext.as_deref() == Some(e.as_str()),
        })
        .collect();
    if !ext.is_empty() {
        groups.push(FacetGroup {
            name: "Format",
            choices: ext,
        });
    }
    let decades: Vec<Choice> = f
        .decade
        .iter()
        .take(16)
        .map(|(d, n)| Choice {
            label: format!("{d}s"),
            count: count(*n),
            href: params.with(|p| {
                p.year_min = Some(*d);
                p.year_max = Some(d + 9);
            }),
            current: params.year_min == Some(*d) && params.year_max == Some(d + 9),
        })
        .collect();
    if !decades.is_empty() {
        groups.push(FacetGroup {
            name: "Decade",
            choices: decades,
        });
    }
    groups
}

fn active_filters(params: &SearchParams) -> Vec<Choice> {
    let mut out = Vec::new();
    let mut add = |label: String, href: String| {
        out.push(Choice {
            label,
            count: String::new(),
            href,
            current: true,
        })
    };
    if let Some(l) = &params.lang {
        add(format!("Language: {l}"), params.with(|p| p.lang = None));
    }
    if let Some(e) = &params.ext {
        add(format!("Format: {e}"), params.with(|p| p.ext = None));
    }
    match (params.year_min, params.year_max) {
        (None, None) => {}
        (a, b) => add(
            format!(
                "Years: {}–{}",
                a.map(|y| y.to_string()).unwrap_or_default(),
                b.map(|y| y.to_string()).unwrap_or_default()
            ),
            params.with(|p| {
                p.year_min = None;
                p.year_max = None;
            }),
        ),
    }
    if params.withdrawn {
        add(
            "Including withdrawn".into(),
            params.with(|p| p.withdrawn = false),
        );
    }
    if params.here {
        add("On this server".into(), params.with(|p| p.here = false));
    }
    out
}

fn pagination(
    params: &SearchParams,
    total: usize,
) -> (Vec<Choice>, Option<String>, Option<String>) {
    let last_reachable = (MAX_OFFSET / params.per_page) + 1;
    let pages = total.div_ceil(params.per_page).clamp(1, last_reachable);
    let current = params.page.min(pages);
    let mut numbers: Vec<usize> = vec![1, pages];
    numbers.extend(current.saturating_sub(2).max(1)..=(current + 2).min(pages));
    numbers.sort_unstable();
    numbers.dedup();
    let link = |n: usize| {
        params.with(|p| {
            p.page = n;
        })
    };
    let mut out = Vec::new();
    let mut previous = 0;
    for n in numbers {
        if n > previous + 1 {
            out.push(Choice {
                label: "…".into(),
                count: String::new(),
                href: String::new(),
                current: false,
            });
        }
        out.push(Choice {
            label: n.to_string(),
            count: String::new(),
            href: link(n),
            current: n == current,
        });
        previous = n;
    }
    let prev = (current > 1).then(|| link(current - 1));
    let next = (current < pages).then(|| link(current + 1));
    if pages <= 1 {
        return (Vec::new(), None, None);
    }
    (out, prev, next)
}

/// The followable feed of a search: the same words and filters, newest records first.
fn feed_href(params: &SearchParams) -> String {
    let href = params.with(|p| {
        p.sort = String::new();
        p.per_page = crate::web::params::DEFAULT_PER_PAGE;
    });
    match href.strip_prefix("/search") {
        Some(rest) => format!("/search.atom{rest}"),
        None => String::new(),
    }
}

/// The links that change how the results are shown: view, sort, page size, the "available
/// here" switch (links, so they work without JavaScript).
fn controls(params: &SearchParams, out: &mut Results) {
    let view = params.view.unwrap_or_default();
    out.view = view;
    out.views = [(View::Cards, "Cards"), (View::Table, "Table")]
        .into_iter()
        .map(|(v, label)| Choice {
            label: label.into(),
            count: String::new(),
            href: params.with(|p| {
                p.view = Some(v);
                p.page = params.page;
            }),
            current: view == v,
        })
        .collect();
    let sort = params.sort_name().to_string();
    out.sort_links = SORTS
        .iter()
        .filter(|(v, _)| !v.is_empty() || !params.q.trim().is_empty())
        .map(|(v, l)| Choice {
            label: (*l).into(),
            count: String::new(),
            href: params.with(|p| p.sort = (*v).to_string()),
            current: sort == *v,
        })
        .collect();
    out.per_page_links = PER_PAGE
        .iter()
        .map(|n| Choice {
            label: n.to_string(),
            count: String::new(),
            href: params.with(|p| p.per_page = *n),
            current: params.per_page == *n,
        })
        .collect();
    out.here = Choice {
        label: "Only files on this server".into(),
        count: String::new(),
        href: params.with(|p| p.here = !params.here),
        current: params.here,
    };
    let sort_label = SORTS
        .iter()
        .find(|(v, _)| *v == sort)
        .map_or("Best match", |(_, l)| *l);
    out.controls = format!(
        "{sort_label} · {} per page · {}",
        params.per_page,
        view.name()
    );
}

/// Runs the search of `params` and builds the results part.
pub async fn results(state: &AppState, params: SearchParams) -> Result<Results, WebError> {
    results_of(state, params, false).await
}

/// Like [`results`]; `browse`: list the records even without words or filters (newest first).
async fn results_of(
    state: &AppState,
    params: SearchParams,
    browse: bool,
) -> Result<Results, WebError> {
    let held = held(&state.stats());
    let mut out = empty_results(params.clone(), &held);
    if !params.is_search() && !browse {
        let stats = state.stats();
        out.welcome = Some(welcome(state, &stats, stats.generation.is_none()));
        return Ok(out);
    }
    let started = Instant::now();
    let mut request = params.request();
    if params.here {
        request.filters.only = Some(state.coverage().available.clone());
    }
    let (found, summaries) = match crate::web::service::search(state, request).await {
        Ok(found) => found,
        Err(WebError::Search(SearchError::NoIndex(_))) => {
            out.message = Some(
                "There is no search index yet: build it with lanshelf index (or import a dump)."
                    .into(),
            );
            return Ok(out);
        }
        Err(e) => return Err(e),
    };
    let elapsed = started.elapsed();

    out.tabs = tabs(
        &params,
        found.facets.as_ref().map(|f| f.collection.as_slice()),
        &held,
    );
    let grouped = group_works(summaries);
    let works: Vec<i64> = grouped
        .iter()
        .filter(|(_, g)| g.is_some())
        .map(|(s, _)| s.work)
        .collect();
    let versions = crate::db::records::versions(&state.pool, &works).await?;
    let shown: Vec<Summary> = grouped.iter().map(|(s, _)| s.clone()).collect();
    let marks = super::location::marks(state, &shown).await;
    out.rows = grouped
        .iter()
        .zip(marks)
        .map(|((s, _), mark)| {
            let mut r = row(s, &found.highlight);
            r.versions = versions
                .get(&s.work)
                .filter(|n| **n > 1)
                .map(|n| (*n, format!("{}#work-editions", s.url())));
            r.avail_class = mark.availability.class();
            r.avail_label = mark.availability.label();
            match mark.availability {
                super::location::Availability::Here(d) => r.download = Some(d),
                super::location::Availability::Torrent(m) => r.magnet = Some(m),
                super::location::Availability::Absent => {}
            }
            r.cover = mark.cover;
            r
        })
        .collect();
    out.facets = facets(&params, &found);
    out.active = active_filters(&params);
    out.feed = feed_href(&params);
    out.sorts = SORTS
        .iter()
        .map(|(v, l)| (*v, *l, params.sort == *v))
        .collect();
    out.per_pages = PER_PAGE
        .iter()
        .map(|n| (*n, params.per_page == *n))
        .collect();
    controls(&params, &mut out);
    let (pages, prev, next) = pagination(&params, found.total);
    out.pages = pages;
    out.prev = prev;
    out.next = next;
    let noun = if found.total == 1 {
        "result"
    } else {
        "results"
    };
    let shown = match found.more_than() {
        None => count(found.total as u64),
        Some(n) => format!("More than {}", count(n as u64)),
    };
    out.summary = format!(
        "{shown} {noun} in {:.0} ms",
        (elapsed.as_secs_f64() * 1e3).max(1.0)
    );
    if found.fuzzy {
        out.notice = Some(
            "No record has all these words: showing similar spellings of the rarer ones.".into(),
        );
    } else if found.partial {
        out.notice = Some(
            "No record has all these words, nor similar spellings: showing records with some of them."
                .into(),
        );
    }
    let unknown = found
        .unknown_language
        .as_ref()
        .map(|h| (h.value.clone(), h.suggestions.clone()))
        .or_else(|| {
            params.unknown_language().map(|l| {
                let known = found.facets.iter().flat_map(|f| f.language.iter());
                let names =
                    crate::search::normalize::closest_languages(l, known.map(|(n, _)| n.as_str()));
                (
                    l.to_string(),
                    names.into_iter().map(str::to_string).collect(),
                )
            })
        });
    if let Some((value, suggestions)) = unknown {
        let mut text = format!("No language “{value}”");
        if suggestions.is_empty() {
            text.push('.');
        } else {
            text.push_str(&format!("; did you mean {}?", suggestions.join(", ")));
        }
        out.notice = Some(text);
    }
    if found.total == 0 {
        out.message = Some(if params.collection.is_some() || !out.active.is_empty() {
            "Nothing found. Try fewer words, another collection, or remove a filter.".into()
        } else {
            "Nothing found. Try fewer or other words.".into()
        });
    } else if out.rows.is_empty() {
        out.message = Some("This page is past the last result.".into());
    }
    Ok(out)
}

/// `GET /` and `GET /search`: the full page, or for htmx just the results.
pub async fn search(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let mut params = SearchParams::parse(query.as_deref());
    let canonical = params.href();
    // The view asked for is remembered; without one, the remembered one applies.
    let chosen = params.view;
    if chosen.is_none() {
        params.view = cookie(&headers, VIEW_COOKIE).and_then(View::parse);
    }
    let results = results(&state, params).await?;
    let mut response = if is_fragment_request(&headers) {
        let mut response = render::html(&ResultsFragment { results });
        // The form sends its empty fields too; the address bar gets the short, shareable URL.
        // While the visitor types, the entry is replaced (one Back step per search, not per
        // pause); app.js says so.
        let typing = headers
            .get("x-lanshelf-history")
            .is_some_and(|v| v == "replace");
        if let Ok(v) = HeaderValue::from_str(&canonical) {
            let name = if typing {
                "hx-replace-url"
            } else {
                "hx-push-url"
            };
            response.headers_mut().insert(name, v);
        }
        response
    } else {
        render::html(&SearchPage { results })
    };
    if let Some(v) = chosen {
        let cookie = format!(
            "{VIEW_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            v.name()
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response
                .headers_mut()
                .append(axum::http::header::SET_COOKIE, v);
        }
    }
    Ok(with_vary(response))
}

/// `GET /recent` and `GET /recent/{collection}`: the newest records of the catalog or of a
/// collection, with the collection's Atom feed.
pub async fn recent(
    state: AppState,
    collection: Option<Collection>,
    query: Option<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let mut params = SearchParams::parse(query.as_deref());
    params.collection = collection;
    if params.sort.is_empty() {
        params.sort = "added".into();
    }
    if params.view.is_none() {
        params.view = cookie(&headers, VIEW_COOKIE).and_then(View::parse);
    }
    let mut results = results_of(&state, params, true).await?;
    let name = collection.map_or("All collections", |c| c.label());
    results.title = format!("Recently added: {name} – Lanshelf");
    results.heading = format!("Recently added: {name}");
    if let Some(c) = collection {
        results.feed = format!("/feeds/{}.atom", c.slug());
    }
    let response = if is_fragment_request(&headers) {
        render::html(&ResultsFragment { results })
    } else {
        render::html(&SearchPage { results })
    };
    Ok(with_vary(response))
}

/// A cookie's value from the request.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_keeps_the_search_and_elides_far_pages() {
        let mut params = SearchParams::parse(Some("q=x&lang=English&page=7"));
        let (pages, prev, next) = pagination(&params, 25 * 20);
        let labels: Vec<&str> = pages.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["1", "…", "5", "6", "7", "8", "9", "…", "20"]);
        assert!(pages
            .iter()
            .find(|p| p.current)
            .is_some_and(|p| p.label == "7"));
        assert_eq!(prev.as_deref(), Some("/search?q=x&lang=English&page=6"));
        assert_eq!(next.as_deref(), Some("/search?q=x&lang=English&page=8"));
        params.page = 1;
        let (pages, prev, next) = pagination(&params, 10);
        assert!(pages.is_empty() && prev.is_none() && next.is_none());
        // Never past what the engine serves.
        let (pages, _, _) = pagination(&params, 10_000_000);
        assert_eq!(pages.last().map(|p| p.label.as_str()), Some("401"));
    }
}
