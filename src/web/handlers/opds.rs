//! The OPDS 1.2 catalog for e-reader apps (KOReader, Moon+ Reader, Librera, Thorium) at `/opds`,
//! and the OpenSearch descriptions: `/opds/opensearch.xml` for OPDS clients, `/opensearch.xml`
//! for browsers (linked from every page). Navigation: collections (recent additions), languages;
//! acquisition feeds page by `page=`; search answers `/opds/search?q=` and `/opds/search/{terms}`
//! with `+` or `%20` as spaces.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

use super::api::{ApiError, ApiQuery};
use super::feeds::{
    entries, feed, render, xml_response, xml_text, Entry, Feed, Link, ATOM, FEED_PAGE,
    OPDS_ACQUISITION, OPDS_NAVIGATION,
};
use crate::search::normalize::{language_choice, language_name, OTHER_LANGUAGE};
use crate::search::Sort;
use crate::web::origin::Origin;
use crate::web::service;
use crate::web::state::AppState;
use crate::Collection;

/// Media type of OpenSearch descriptions.
pub const OPENSEARCH: &str = "application/opensearchdescription+xml";
/// Languages listed in the navigation feed.
const LANGUAGES_LISTED: usize = 40;

/// An OpenSearch description document.
#[derive(Template)]
#[template(path = "feeds/opensearch.xml")]
pub struct OpenSearchDescription {
    /// ShortName (16 characters at most).
    pub short_name: &'static str,
    /// Description.
    pub description: &'static str,
    /// `(media type, template URL)` pairs.
    pub urls: Vec<(&'static str, String)>,
    /// The icon URL.
    pub icon: String,
    /// The page describing the portal.
    pub home: String,
}

/// The links every catalog document carries: where it is, where the catalog starts, how to
/// search it.
fn catalog_links(origin: &Origin, self_href: &str, kind: &str) -> Vec<Link> {
    vec![
        Link::new("self", origin.url(self_href), kind),
        Link::new("start", origin.url("/opds"), OPDS_NAVIGATION).titled("Lanshelf"),
        Link::new("search", origin.url("/opds/opensearch.xml"), OPENSEARCH)
            .titled("Search Lanshelf"),
    ]
}

fn nav_entry(
    id: &str,
    title: &str,
    content: &str,
    href: String,
    kind: &str,
    updated: &str,
) -> Entry {
    Entry {
        id: format!("urn:lanshelf:opds:{id}"),
        title: xml_text(title),
        updated: updated.to_string(),
        content: xml_text(content),
        links: vec![Link::new("subsection", href, kind)],
        ..Default::default()
    }
}

/// `GET /opds`: the root navigation feed.
pub async fn root(
    State(state): State<AppState>,
    origin: Origin,
    headers: axum::http::HeaderMap,
) -> Response {
    // A browser gets a page that says what this is; e-reader apps get the feed.
    let mut response = if super::about::wants_html(&headers) {
        super::about::opds_page(&state, &origin)
    } else {
        feed_root(&state, origin)
    };
    response.headers_mut().append(
        axum::http::header::VARY,
        axum::http::HeaderValue::from_static("Accept"),
    );
    response
}

fn feed_root(state: &AppState, origin: Origin) -> Response {
    let state = state.clone();
    let mut f = feed(
        &state,
        &origin,
        "urn:lanshelf:opds".into(),
        "Lanshelf".into(),
    );
    f.subtitle = "Library Genesis catalog".into();
    f.links = catalog_links(&origin, "/opds", OPDS_NAVIGATION);
    // KOReader and some other apps read a search template straight from the feed.
    f.links.push(Link::new(
        "search",
        origin.url("/opds/search?q={searchTerms}"),
        ATOM,
    ));
    let stats = state.stats();
    for c in Collection::ALL {
        f.entries.push(nav_entry(
            &format!("recent:{}", c.slug()),
            &format!("{}: recent additions", c.label()),
            &format!(
                "The newest of {} records.",
                crate::web::render::count(stats.records(c))
            ),
            origin.url(&format!("/opds/recent/{}", c.slug())),
            OPDS_ACQUISITION,
            &f.updated,
        ));
    }
    f.entries.push(nav_entry(
        "languages",
        "By language",
        "Records in each language, newest first.",
        origin.url("/opds/languages"),
        OPDS_NAVIGATION,
        &f.updated,
    ));
    render(
        &f,
        true,
        "application/atom+xml;profile=opds-catalog;kind=navigation; charset=utf-8",
    )
}

/// Adds the paging links of an acquisition feed (`first`, `previous`, `next`).
fn paging_links(
    f: &mut Feed,
    origin: &Origin,
    base: &str,
    page: usize,
    per_page: usize,
    total: usize,
) {
    let sep = if base.contains('?') { '&' } else { '?' };
    let at = |p: usize| {
        if p <= 1 {
            origin.url(base)
        } else {
            origin.url(&format!("{base}{sep}page={p}"))
        }
    };
    let last = total
        .div_ceil(per_page)
        .clamp(1, crate::search::MAX_OFFSET / per_page);
    f.links.push(Link::new("first", at(1), OPDS_ACQUISITION));
    if page > 1 {
        f.links
            .push(Link::new("previous", at(page - 1), OPDS_ACQUISITION));
    }
    if page < last {
        f.links
            .push(Link::new("next", at(page + 1), OPDS_ACQUISITION));
    }
}

/// An acquisition feed of a search: `query` holds the search, `base` the feed's own path
/// (without `page`).
async fn acquisition(
    state: &AppState,
    origin: &Origin,
    mut query: ApiQuery,
    id: String,
    title: String,
    base: String,
) -> Result<Response, ApiError> {
    query.request.per_page = FEED_PAGE;
    let page = query.request.page;
    let self_href = if page > 1 {
        format!(
            "{base}{}page={page}",
            if base.contains('?') { '&' } else { '?' }
        )
    } else {
        base.clone()
    };
    let mut f = feed(state, origin, id, title);
    f.links = catalog_links(origin, &self_href, OPDS_ACQUISITION);
    f.links
        .push(Link::new("up", origin.url("/opds"), OPDS_NAVIGATION));
    if query.is_search() {
        let (found, summaries) = service::search(state, query.request.clone()).await?;
        f.entries = entries(state, origin, summaries).await?;
        f.paging = Some((found.total, (page - 1) * FEED_PAGE + 1, FEED_PAGE));
        paging_links(&mut f, origin, &base, page, FEED_PAGE, found.total);
    } else {
        f.paging = Some((0, 1, FEED_PAGE));
    }
    Ok(render(
        &f,
        true,
        "application/atom+xml;profile=opds-catalog;kind=acquisition; charset=utf-8",
    ))
}

/// Reads `page` leniently for feeds (an e-reader cannot show a JSON error).
fn page_of(raw: Option<&str>) -> usize {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, crate::search::MAX_OFFSET / FEED_PAGE)
}

/// `GET /opds/recent/{collection}`: a collection's newest records.
pub async fn recent(
    State(state): State<AppState>,
    origin: Origin,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let collection = super::parse_collection(&slug).ok_or_else(|| {
        ApiError::not_found(format!(
            "unknown collection: use {}",
            Collection::classic_slugs()
        ))
    })?;
    let mut query = ApiQuery::parse(None, Sort::Added)?;
    query.request.filters.collection = Some(collection);
    query.request.page = page_of(raw.as_deref());
    acquisition(
        &state,
        &origin,
        query,
        format!("urn:lanshelf:opds:recent:{slug}"),
        format!("{}: recent additions", collection.label()),
        format!("/opds/recent/{slug}"),
    )
    .await
}

/// `GET /opds/languages`: the catalog's languages, most records first.
pub async fn languages(
    State(state): State<AppState>,
    origin: Origin,
) -> Result<Response, ApiError> {
    let engine = state.engine.clone();
    let facets = tokio::task::spawn_blocking(move || engine.catalog_facets())
        .await
        .map_err(crate::web::WebError::from)??;
    let mut f = feed(
        &state,
        &origin,
        "urn:lanshelf:opds:languages".into(),
        "By language".into(),
    );
    f.links = catalog_links(&origin, "/opds/languages", OPDS_NAVIGATION);
    f.links
        .push(Link::new("up", origin.url("/opds"), OPDS_NAVIGATION));
    for (name, n) in facets
        .language
        .iter()
        .filter(|(name, _)| language_choice(name).is_some_and(|c| c > OTHER_LANGUAGE))
        .take(LANGUAGES_LISTED)
    {
        let slug: String =
            percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        f.entries.push(nav_entry(
            &format!("language:{}", name.to_ascii_lowercase().replace(' ', "-")),
            name,
            &format!("{} records", crate::web::render::count(*n)),
            origin.url(&format!("/opds/languages/{slug}")),
            OPDS_ACQUISITION,
            &f.updated,
        ));
    }
    Ok(render(
        &f,
        true,
        "application/atom+xml;profile=opds-catalog;kind=navigation; charset=utf-8",
    ))
}

/// `GET /opds/languages/{language}`: records in a language, newest first.
pub async fn language(
    State(state): State<AppState>,
    origin: Origin,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let Some(code) = language_choice(&name).filter(|c| *c > OTHER_LANGUAGE) else {
        return Err(ApiError::not_found("unknown language"));
    };
    let canonical = language_name(code);
    let mut query = ApiQuery::parse(None, Sort::Added)?;
    query.request.filters.lang = Some(code);
    query.request.page = page_of(raw.as_deref());
    let slug = percent_encoding::utf8_percent_encode(canonical, percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    acquisition(
        &state,
        &origin,
        query,
        format!(
            "urn:lanshelf:opds:language:{}",
            canonical.to_ascii_lowercase().replace(' ', "-")
        ),
        format!("In {canonical}"),
        format!("/opds/languages/{slug}"),
    )
    .await
}

/// The search of `/opds/search`: the `q` parameter (`+` and `%20` are both spaces), or the
/// path's terms.
async fn search_terms(
    state: &AppState,
    origin: &Origin,
    terms: String,
    raw: Option<&str>,
) -> Result<Response, ApiError> {
    let terms: String = terms.split_whitespace().collect::<Vec<_>>().join(" ");
    let terms: String = terms.chars().take(500).collect();
    let mut query = ApiQuery::parse(None, Sort::Relevance)?;
    query.request.query = terms.clone();
    query.q = terms.clone();
    query.request.page = page_of(raw);
    let encoded: String = form_urlencoded::byte_serialize(terms.as_bytes()).collect();
    acquisition(
        state,
        origin,
        query,
        format!("urn:lanshelf:opds:search:{encoded}"),
        format!("Search: {terms}"),
        format!("/opds/search?q={encoded}"),
    )
    .await
}

/// `GET /opds/search?q=…`.
pub async fn search(
    State(state): State<AppState>,
    origin: Origin,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = form_urlencoded::parse(raw.as_deref().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "q" || k == "query" || k == "searchTerms")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    search_terms(&state, &origin, q, raw.as_deref()).await
}

/// `GET /opds/search/{terms}`: apps that put the terms in the path.
pub async fn search_path(
    State(state): State<AppState>,
    origin: Origin,
    Path(terms): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    // The path is already percent-decoded; a `+` there is a space, as in a query string.
    search_terms(&state, &origin, terms.replace('+', " "), raw.as_deref()).await
}

/// `GET /opds/opensearch.xml`: how OPDS clients search the catalog.
pub async fn opds_opensearch(origin: Origin) -> Response {
    let doc = OpenSearchDescription {
        short_name: "Lanshelf",
        description: "Search the Library Genesis catalog of this Lanshelf mirror.",
        urls: vec![
            (OPDS_ACQUISITION, origin.url("/opds/search?q={searchTerms}")),
            (ATOM, origin.url("/opds/search?q={searchTerms}")),
        ],
        icon: origin.url("/static/favicon.svg"),
        home: origin.url("/opds"),
    };
    xml_response(
        doc.render(),
        "application/opensearchdescription+xml; charset=utf-8",
    )
}

/// `GET /opensearch.xml`: add the portal to a browser as a search engine.
pub async fn opensearch(origin: Origin) -> Response {
    let doc = OpenSearchDescription {
        short_name: "Lanshelf",
        description: "Search the Library Genesis catalog of this Lanshelf mirror.",
        urls: vec![
            ("text/html", origin.url("/search?q={searchTerms}")),
            (
                "application/x-suggestions+json",
                origin.url("/api/suggest?q={searchTerms}"),
            ),
            (ATOM, origin.url("/search.atom?q={searchTerms}")),
        ],
        icon: origin.url("/static/favicon.svg"),
        home: origin.url("/"),
    };
    xml_response(
        doc.render(),
        "application/opensearchdescription+xml; charset=utf-8",
    )
}
