//! Syndication: the Atom documents shared by the OPDS catalog and the followable searches
//! (`/search.atom?q=…`, `/search.rss?q=…`, `/feeds/{collection}.atom|.rss` for recent additions),
//! and the building of their entries from catalog records. Text from the dumps is reduced to
//! plain text (tags stripped), cleared of characters XML cannot hold, and escaped by the
//! templates.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::PrimitiveDateTime;

use super::api::{ApiError, ApiQuery};
use super::download::content_type;
use crate::db::records::{feed_extras, FeedExtras, Summary};
use crate::files::{self, FileRef};
use crate::search::normalize::{language_code, parse_isbn};
use crate::search::{SearchResults, Sort};
use crate::web::origin::Origin;
use crate::web::render::{authors, plain};
use crate::web::service;
use crate::web::state::AppState;
use crate::Collection;

/// Media type of Atom documents.
pub const ATOM: &str = "application/atom+xml";
/// Media type of OPDS acquisition feeds.
pub const OPDS_ACQUISITION: &str = "application/atom+xml;profile=opds-catalog;kind=acquisition";
/// Media type of OPDS navigation feeds.
pub const OPDS_NAVIGATION: &str = "application/atom+xml;profile=opds-catalog;kind=navigation";
/// Entries per feed page.
pub const FEED_PAGE: usize = 25;
/// Summaries are cut to this many characters.
const SUMMARY_CHARS: usize = 600;

/// A link of a feed or entry.
#[derive(Debug, Clone)]
pub struct Link {
    /// Relation.
    pub rel: String,
    /// Absolute URL.
    pub href: String,
    /// Media type.
    pub kind: String,
    /// Title (may be empty).
    pub title: String,
    /// Length in bytes (acquisition links; 0 when unknown).
    pub length: u64,
}

impl Link {
    /// A link without title or length.
    pub fn new(rel: &str, href: String, kind: &str) -> Link {
        Link {
            rel: rel.to_string(),
            href,
            kind: kind.to_string(),
            title: String::new(),
            length: 0,
        }
    }

    /// The same link with a title.
    pub fn titled(mut self, title: &str) -> Link {
        self.title = xml_text(title);
        self
    }
}

/// One entry: a record (acquisition feeds) or a place to go (navigation feeds).
#[derive(Debug, Clone, Default)]
pub struct Entry {
    /// A URI naming it for ever.
    pub id: String,
    /// Title.
    pub title: String,
    /// Last change, RFC 3339.
    pub updated: String,
    /// When it was added, RFC 3339 (may be empty).
    pub published: String,
    /// The same, RFC 822, for RSS.
    pub pub_date: String,
    /// Authors.
    pub authors: Vec<String>,
    /// ISO 639 language code (may be empty).
    pub language: String,
    /// Identifiers as URIs (`urn:isbn:…`, `https://doi.org/…`).
    pub identifiers: Vec<String>,
    /// Year of publication (may be empty).
    pub issued: String,
    /// Publisher or journal (may be empty).
    pub publisher: String,
    /// Collection label and format, as categories.
    pub categories: Vec<String>,
    /// Plain-text summary (may be empty).
    pub summary: String,
    /// Plain-text content (navigation entries).
    pub content: String,
    /// Links.
    pub links: Vec<Link>,
    /// The record page (RSS `<link>`).
    pub page: String,
}

/// A whole Atom document.
#[derive(Debug, Clone, Default)]
pub struct Feed {
    /// A URI naming it.
    pub id: String,
    /// Title.
    pub title: String,
    /// Subtitle (may be empty).
    pub subtitle: String,
    /// Last change, RFC 3339.
    pub updated: String,
    /// The same, RFC 822 (RSS).
    pub pub_date: String,
    /// The portal's home page.
    pub home: String,
    /// The portal's icon.
    pub icon: String,
    /// Links (self, start, up, search, paging).
    pub links: Vec<Link>,
    /// OpenSearch figures, for result pages: total, first index, items per page.
    pub paging: Option<(usize, usize, usize)>,
    /// Entries.
    pub entries: Vec<Entry>,
}

/// The Atom template (used for OPDS catalogs too: an OPDS feed is an Atom feed).
#[derive(Template)]
#[template(path = "feeds/atom.xml")]
pub struct AtomFeed<'a> {
    /// The feed.
    pub feed: &'a Feed,
}

/// The RSS 2.0 template.
#[derive(Template)]
#[template(path = "feeds/rss.xml")]
pub struct RssFeed<'a> {
    /// The feed.
    pub feed: &'a Feed,
}

/// Text safe in XML 1.0: characters XML cannot hold (C0 controls but tab and newlines,
/// U+FFFE, U+FFFF, lone surrogates cannot occur in a `str`) are dropped.
pub fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !matches!(*c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
        })
        .collect()
}

/// Plain text of a catalog value for a feed: tags stripped, spaces collapsed, XML-safe.
fn feed_text(text: &str) -> String {
    xml_text(&plain(text))
}

const CATALOG_TIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

/// A catalog time (`YYYY-MM-DD HH:MM:SS`, UTC) as RFC 3339 and RFC 822; `None` if unreadable.
pub fn times(catalog: &str) -> Option<(String, String)> {
    let t = PrimitiveDateTime::parse(catalog.trim(), CATALOG_TIME)
        .ok()?
        .assume_utc();
    let rfc3339 = t
        .format(&time::format_description::well_known::Rfc3339)
        .ok()?;
    let rfc822 = t
        .format(&time::format_description::well_known::Rfc2822)
        .ok()?;
    Some((rfc3339, rfc822))
}

/// The time of the last import as RFC 3339 and RFC 822 (the epoch when nothing was imported).
pub fn catalog_times(state: &AppState) -> (String, String) {
    state
        .stats()
        .catalog
        .last_import
        .as_deref()
        .and_then(times)
        .unwrap_or_else(|| {
            (
                "1970-01-01T00:00:00Z".to_string(),
                "Thu, 01 Jan 1970 00:00:00 +0000".to_string(),
            )
        })
}

fn summary_text(text: &str) -> String {
    let text = feed_text(text);
    if text.chars().count() <= SUMMARY_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(SUMMARY_CHARS).collect();
    if let Some(space) = cut.rfind(' ') {
        cut.truncate(space);
    }
    cut.push('…');
    cut
}

/// The ISO 639-1 code of a language as the catalog writes it (empty when unknown).
fn language_tag(language: &str) -> String {
    crate::search::normalize::language_iso639_1(language_code(language))
        .unwrap_or_default()
        .to_string()
}

/// Builds the entries of some records, in the given order: metadata from the catalog, and an
/// acquisition link for each file present in the repository.
pub async fn entries(
    state: &AppState,
    origin: &Origin,
    summaries: Vec<Summary>,
) -> Result<Vec<Entry>, ApiError> {
    let mut extras: std::collections::HashMap<(Collection, i64), FeedExtras> =
        std::collections::HashMap::new();
    for c in Collection::ALL {
        let ids: Vec<i64> = summaries
            .iter()
            .filter(|s| s.collection() == c)
            .map(|s| s.id)
            .collect();
        for (id, e) in feed_extras(&state.pool, c, &ids).await? {
            extras.insert((c, id), e);
        }
    }
    // Which files are here (a stat or a zip directory read each): off the async threads.
    let repository = state.repository.clone();
    let refs: Vec<(Collection, u64, String, String, String, String)> = summaries
        .iter()
        .map(|s| {
            let cover = extras
                .get(&(s.collection(), s.id))
                .map(|e| e.coverurl.clone())
                .unwrap_or_default();
            (
                s.collection(),
                s.id.max(0) as u64,
                s.md5.clone(),
                s.extension.clone(),
                s.doi.clone(),
                cover,
            )
        })
        .collect();
    let found: Vec<(Option<u64>, Option<&'static str>)> = tokio::task::spawn_blocking(move || {
        refs.iter()
            .map(|(collection, id, md5, extension, doi, cover)| {
                let file = FileRef {
                    collection: *collection,
                    id: *id,
                    md5,
                    extension,
                    doi,
                };
                let size = files::locate(&repository, &file)
                    .ok()
                    .flatten()
                    .map(|f| f.size());
                let cover = repository
                    .cover(*collection, cover)
                    .filter(|(path, _)| path.is_file())
                    .map(|(_, kind)| kind);
                (size, cover)
            })
            .collect()
    })
    .await
    .map_err(crate::web::WebError::from)?;

    let (catalog_updated, catalog_date) = catalog_times(state);
    let mut out = Vec::with_capacity(summaries.len());
    for (s, (size, cover)) in summaries.iter().zip(found) {
        let c = s.collection();
        let extra = extras.remove(&(c, s.id)).unwrap_or_default();
        let page = origin.url(&s.url());
        let (updated, _) = times(&extra.time_last_modified)
            .or_else(|| times(&extra.time_added))
            .unwrap_or_else(|| (catalog_updated.clone(), catalog_date.clone()));
        let (published, pub_date) = times(&extra.time_added).unwrap_or_default();
        let mut identifiers = Vec::new();
        for part in extra.identifier.split([',', ';', ' ']) {
            if let Some((isbn13, _)) = parse_isbn(part) {
                let urn = format!("urn:isbn:{isbn13}");
                if !identifiers.contains(&urn) {
                    identifiers.push(urn);
                }
            }
        }
        if !s.doi.trim().is_empty() {
            if let Some(doi) = crate::search::normalize::parse_doi(s.doi.trim()) {
                identifiers.push(format!(
                    "https://doi.org/{}",
                    percent_encoding::utf8_percent_encode(&doi, super::record::DOI_PATH)
                ));
            }
        }
        if !s.md5.is_empty() {
            identifiers.push(format!("urn:md5:{}", s.md5));
        }
        let title = feed_text(&s.title);
        let extension = s.extension.trim().to_ascii_lowercase();
        let mut links = vec![Link::new("alternate", page.clone(), "text/html")];
        if let Some(size) = size {
            let mut link = Link::new(
                "http://opds-spec.org/acquisition",
                origin.url(&format!("/download/{}/{}", c.slug(), s.id)),
                if c == Collection::Scimag {
                    "application/pdf"
                } else {
                    content_type(&extension)
                },
            );
            link.length = size;
            links.push(link);
        }
        if let Some(kind) = cover {
            let href = origin.url(&format!("/covers/{}/{}", c.slug(), s.id));
            links.push(Link::new("http://opds-spec.org/image", href.clone(), kind));
            links.push(Link::new(
                "http://opds-spec.org/image/thumbnail",
                href,
                kind,
            ));
        }
        let mut categories = vec![c.label().to_string()];
        if !extension.is_empty() {
            categories.push(xml_text(&extension));
        }
        out.push(Entry {
            id: format!("urn:lanshelf:{}:{}", c.slug(), s.id),
            title: if title.is_empty() {
                "(untitled)".to_string()
            } else {
                title
            },
            updated,
            published,
            pub_date,
            authors: authors(&s.author).iter().map(|a| xml_text(a)).collect(),
            language: language_tag(&s.language),
            identifiers,
            issued: match s.year.trim() {
                "" | "0" | "0000" => String::new(),
                y if y.len() <= 10 => xml_text(y),
                _ => String::new(),
            },
            publisher: feed_text(if c == Collection::Scimag {
                &s.journal
            } else {
                &s.publisher
            }),
            categories,
            summary: summary_text(&extra.descr),
            content: String::new(),
            links,
            page,
        });
    }
    Ok(out)
}

/// A feed response with its media type.
pub fn xml_response(body: Result<String, askama::Error>, kind: &'static str) -> Response {
    match body {
        Ok(body) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static(kind))],
            crate::web::render::without_controls(body),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %crate::chain::Chain(&e), "feed template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "feed template failed").into_response()
        }
    }
}

/// Renders a feed as Atom (`atom`) or RSS 2.0.
pub fn render(feed: &Feed, atom: bool, kind: &'static str) -> Response {
    if atom {
        xml_response(AtomFeed { feed }.render(), kind)
    } else {
        xml_response(
            RssFeed { feed }.render(),
            "application/rss+xml; charset=utf-8",
        )
    }
}

/// The feed skeleton every document shares.
pub fn feed(state: &AppState, origin: &Origin, id: String, title: String) -> Feed {
    let (updated, pub_date) = catalog_times(state);
    Feed {
        id,
        title: xml_text(&title),
        updated,
        pub_date,
        home: origin.url("/"),
        icon: origin.url("/static/favicon.svg"),
        ..Default::default()
    }
}

/// The search of a followable feed: the newest additions first, unless a sort is asked for.
async fn search_feed(
    state: &AppState,
    origin: &Origin,
    raw: Option<&str>,
    forced: Option<Collection>,
    atom: bool,
) -> Result<Response, ApiError> {
    let mut query = ApiQuery::parse(raw, Sort::Added)?;
    if let Some(c) = forced {
        query.request.filters.collection = Some(c);
    }
    query.request.per_page = query.request.per_page.min(FEED_PAGE);
    let page_href = |ext: &str| {
        let rest = raw.filter(|r| !r.is_empty()).map(|r| format!("?{r}"));
        match forced {
            Some(c) => format!("/feeds/{}.{ext}{}", c.slug(), rest.unwrap_or_default()),
            None => format!("/search.{ext}{}", rest.unwrap_or_default()),
        }
    };
    let title = match (forced, query.q.is_empty()) {
        (Some(c), _) => format!("Lanshelf: recent additions to {}", c.label()),
        (None, false) => format!("Lanshelf: {}", query.q),
        (None, true) => "Lanshelf: recent additions".to_string(),
    };
    let mut f = feed(state, origin, origin.url(&page_href("atom")), title);
    let html = match raw.filter(|r| !r.is_empty()) {
        Some(r) => format!("/search?{r}"),
        None => "/search".to_string(),
    };
    f.links = vec![
        Link::new(
            "self",
            origin.url(&page_href(if atom { "atom" } else { "rss" })),
            if atom { ATOM } else { "application/rss+xml" },
        ),
        Link::new("alternate", origin.url(&html), "text/html"),
    ];
    if !query.is_search() {
        return Ok(render(&f, atom, "application/atom+xml; charset=utf-8"));
    }
    let (found, summaries): (SearchResults, Vec<Summary>) =
        service::search(state, query.request.clone()).await?;
    f.entries = entries(state, origin, summaries).await?;
    if let Some(first) = f.entries.first() {
        if query.request.sort == Sort::Added && !first.published.is_empty() {
            f.updated = first.published.clone();
            f.pub_date = first.pub_date.clone();
        }
    }
    f.paging = Some((
        found.total,
        (query.request.page - 1) * query.request.per_page + 1,
        query.request.per_page,
    ));
    Ok(render(&f, atom, "application/atom+xml; charset=utf-8"))
}

/// `GET /search.atom?q=…` (same parameters as `/api/search`): follow a search.
pub async fn search_atom(
    State(state): State<AppState>,
    origin: Origin,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    search_feed(&state, &origin, raw.as_deref(), None, true).await
}

/// `GET /search.rss?q=…`: the same as RSS 2.0.
pub async fn search_rss(
    State(state): State<AppState>,
    origin: Origin,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    search_feed(&state, &origin, raw.as_deref(), None, false).await
}

/// `GET /feeds/{collection}.atom` or `.rss`: a collection's recent additions.
pub async fn collection_feed(
    State(state): State<AppState>,
    origin: Origin,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (slug, atom) = if let Some(s) = name.strip_suffix(".atom") {
        (s, true)
    } else if let Some(s) = name.strip_suffix(".rss") {
        (s, false)
    } else {
        let classic: Vec<&str> = crate::collection::INFO
            .iter()
            .filter(|i| i.classic.is_some())
            .map(|i| i.slug)
            .collect();
        return Err(ApiError::not_found(format!(
            "feeds are /feeds/{{{}}}.{{atom,rss}}",
            classic.join(",")
        )));
    };
    let collection = super::parse_collection(slug).ok_or_else(|| {
        ApiError::not_found(format!(
            "unknown collection: use {}",
            Collection::classic_slugs()
        ))
    })?;
    search_feed(&state, &origin, raw.as_deref(), Some(collection), atom).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_times_become_rfc3339_and_rfc822() {
        let (a, b) = times("2019-05-01 13:04:05").unwrap();
        assert_eq!(a, "2019-05-01T13:04:05Z");
        assert_eq!(b, "Wed, 01 May 2019 13:04:05 +0000");
        assert!(times("").is_none() && times("0000-00-00 00:00:00").is_none());
    }

    #[test]
    fn language_tags_are_iso_639_1() {
        assert_eq!(language_tag("eng"), "en");
        assert_eq!(language_tag("Русский; Russian"), "ru");
        assert_eq!(language_tag("Norwegian"), "no");
        assert_eq!(language_tag("Klingon"), "");
    }

    #[test]
    fn xml_text_drops_what_xml_cannot_hold() {
        assert_eq!(xml_text("a\u{1}b\u{b}\tc\n\u{fffe}d"), "ab\tc\nd");
        assert_eq!(summary_text("<p>Hello &amp; bye</p>"), "Hello & bye");
    }
}
