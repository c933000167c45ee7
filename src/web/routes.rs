//! The whole URL table in one place, and the layers every request goes through.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, OnResponse, TraceLayer};
use tracing::Level;

use super::error::{error_page, WebError};
use super::handlers::{
    about, api, citation, download, feeds, health, ident, jsonphp, lookup, opds, record, search,
    torrents, zotero,
};
use super::state::AppState;
use super::{access, assets};
use crate::Collection;

/// The longest URL accepted (path and query), in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// The most header bytes accepted (names and values together).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The largest request body accepted, except by the look-up routes
/// ([`lookup::BODY_ROUTES`], which take up to [`lookup::MAX_BATCH_BYTES`]).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// How long a handler may take before the request fails (downloads stream past this).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The Content-Security-Policy: scripts and styles only from the portal itself, nothing inline.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
                       connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The router with every route and layer. With a base path (`--base-path`), every route is
/// nested under it, other paths are 404, and links in responses get the prefix (`super::base`).
pub fn router(state: AppState) -> Router {
    let base = state.base_path().to_string();
    let base_path = std::sync::Arc::<str>::from(base.as_str());
    let access = (
        state.access.clone(),
        std::sync::Arc::<str>::from(state.base_path()),
    );
    let mut routes = Router::new()
        .route("/", get(search::search))
        .route("/search", get(search::search));
    for c in Collection::ALL {
        let slug = c.slug();
        routes = routes
            .route(
                &format!("/{slug}/{{id}}"),
                get(
                    move |State(s): State<AppState>,
                          Path(id): Path<String>,
                          origin: super::origin::Origin| {
                        record::show(s, c, id, origin)
                    },
                ),
            )
            .route(
                &format!("/{slug}/{{id}}/bibtex"),
                get(move |State(s): State<AppState>, Path(id): Path<String>| {
                    citation::bibtex(s, c, id)
                }),
            )
            .route(
                &format!("/{slug}/{{id}}/ris"),
                get(move |State(s): State<AppState>, Path(id): Path<String>| {
                    citation::ris(s, c, id)
                }),
            );
    }
    let routes = routes
        .route("/md5/{md5}", get(ident::md5))
        .route("/doi/{*doi}", get(ident::doi))
        .route("/isbn/{isbn}", get(ident::isbn))
        .route("/download/{collection}/{id}", get(download::download))
        .route("/covers/{collection}/{id}", get(download::cover))
        .route(
            "/recent",
            get(
                |State(s): State<AppState>,
                 RawQuery(q): RawQuery,
                 headers: axum::http::HeaderMap| {
                    search::recent(s, None, q, headers)
                },
            ),
        )
        .route(
            "/recent/{collection}",
            get(
                |State(s): State<AppState>,
                 Path(c): Path<String>,
                 RawQuery(q): RawQuery,
                 headers: axum::http::HeaderMap| async move {
                    match super::handlers::parse_collection(&c) {
                        Some(c) => search::recent(s, Some(c), q, headers).await,
                        None => Err(WebError::not_found("There is no such collection.")),
                    }
                },
            ),
        )
        .route("/status", get(about::status))
        .route("/torrents", get(torrents::page))
        .route("/torrents/{name}", get(torrents::file))
        .route("/healthz", get(health::healthz))
        .route("/static/{*path}", get(assets::asset))
        .route("/favicon.ico", get(assets::favicon))
        .route("/search.php", get(ident::legacy_search))
        .route("/book/index.php", get(ident::legacy_book))
        .route("/json.php", get(jsonphp::json_php))
        .route("/api/search", get(api::search))
        .route("/api/records/{collection}/{id}", get(api::record))
        .route("/api/lookup", get(api::lookup))
        .route("/api/lookup/batch", post(lookup::batch))
        .route("/api/zotero", get(zotero::setting))
        .route("/api/zotero/{*doi}", get(zotero::resolve))
        .route("/lookup", get(lookup::page).post(lookup::submit))
        .route("/identify", get(lookup::identify_page))
        .route("/api/suggest", get(api::suggest))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api", get(about::api))
        .route("/api/{*rest}", get(api::not_found))
        .route("/opds", get(opds::root))
        .route("/opds/", get(opds::root))
        .route("/opds/recent/{collection}", get(opds::recent))
        .route("/opds/languages", get(opds::languages))
        .route("/opds/languages/{language}", get(opds::language))
        .route("/opds/search", get(opds::search))
        .route("/opds/search/{*terms}", get(opds::search_path))
        .route("/opds/opensearch.xml", get(opds::opds_opensearch))
        .route("/opensearch.xml", get(opds::opensearch))
        .route("/search.atom", get(feeds::search_atom))
        .route("/search.rss", get(feeds::search_rss))
        .route("/feeds/{name}", get(feeds::collection_feed))
        .fallback(ident::fallback)
        .method_not_allowed_fallback(method_not_allowed);
    let routes = if base.is_empty() {
        let forwarded = state.forwarded_prefix();
        let routes = routes.with_state(state);
        if forwarded {
            routes.layer(middleware::from_fn(super::base::forwarded_prefix_links))
        } else {
            routes
        }
    } else {
        // `/lanshelf` is the home page, and so is `/lanshelf/` (the home link is `/` + base).
        Router::new()
            .route(&format!("{base}/"), get(search::search))
            .nest(&base, routes)
            .fallback(not_found)
            .with_state(state)
            .layer(middleware::from_fn_with_state(
                std::sync::Arc::<str>::from(base),
                super::base::prefix_links,
            ))
    };

    let layers = ServiceBuilder::new()
        .layer(CatchPanicLayer::custom(panic_page))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| {
                    let path = req.uri().path();
                    let cut = (0..=path.len().min(200))
                        .rev()
                        .find(|i| path.is_char_boundary(*i))
                        .unwrap_or(0);
                    let path = &path[..cut];
                    // Health checks come every 30 s from the container runtime: debug, not info.
                    if path.ends_with("/healthz") {
                        tracing::debug_span!("request", method = %req.method(), path = %path)
                    } else {
                        tracing::info_span!("request", method = %req.method(), path = %path)
                    }
                })
                .on_response(QuietWhenDisabled(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                )),
        )
        .layer(CompressionLayer::new().compress_when(SizeAbove::new(512).and(compressible)))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ));
    routes
        .layer(middleware::from_fn(guard))
        .layer(middleware::from_fn_with_state(base_path, body_limit))
        // Around every route (and the fallback), so routes added later follow the same rules.
        .layer(middleware::from_fn_with_state(access, access::enforce))
        .layer(layers)
}

/// Bounds request bodies: [`MAX_BODY_BYTES`], or [`lookup::MAX_BATCH_BYTES`] on the look-up
/// routes that take lists. A declared length past it is refused before anything is read; a
/// body that grows past it fails as it is read (the handler answers 413).
async fn body_limit(
    axum::extract::State(base): axum::extract::State<std::sync::Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let route = path.strip_prefix(&*base).unwrap_or(path);
    let limit = if lookup::BODY_ROUTES.contains(&route) {
        lookup::MAX_BATCH_BYTES
    } else {
        MAX_BODY_BYTES
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "The request is larger than {} KiB, the most this address takes.",
                limit >> 10
            ),
            "",
        );
    }
    let (parts, body) = request.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// Only text is worth compressing; files, ranges and already-compressed formats are not.
fn compressible(
    _: StatusCode,
    _: axum::http::Version,
    headers: &axum::http::HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    if headers.contains_key(header::CONTENT_RANGE) {
        return false;
    }
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    ct.starts_with("text/")
        || ct.starts_with("application/json")
        || ct.starts_with("application/atom+xml")
        || ct.starts_with("application/rss+xml")
        || ct.starts_with("application/opensearchdescription+xml")
        || ct.starts_with("application/x-suggestions+json")
        || ct.starts_with("image/svg+xml")
        || ct.starts_with("application/x-bibtex")
        || ct.starts_with("application/x-research-info-systems")
}

/// Rejects what no page needs before any handler runs: over-long URLs, oversized headers,
/// request bodies on a read-only site.
async fn guard(request: Request, next: Next) -> Response {
    let uri_len = request.uri().path().len() + request.uri().query().map_or(0, |q| q.len() + 1);
    if uri_len > MAX_URI_BYTES {
        return WebError::UriTooLong.into_response();
    }
    let mut header_bytes = 0;
    for (name, value) in request.headers() {
        header_bytes += name.as_str().len() + value.len() + 4;
    }
    if header_bytes > MAX_HEADER_BYTES {
        return WebError::HeadersTooLarge.into_response();
    }
    let is_html_page = matches!(
        request.method(),
        &axum::http::Method::GET | &axum::http::Method::HEAD
    );
    let mut response = next.run(request).await;
    let documents_with_links = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            let v = v.as_bytes();
            v.starts_with(b"application/")
                && (v.windows(3).any(|w| w == b"xml") || v.windows(4).any(|w| w == b"json"))
        });
    if documents_with_links {
        // Feeds, OPDS, OpenSearch and the JSON API write absolute links from the forwarded
        // scheme and host (`web::origin`): a shared cache must key them on those headers.
        response.headers_mut().append(
            header::VARY,
            HeaderValue::from_static("X-Forwarded-Host, X-Forwarded-Proto"),
        );
    }
    if is_html_page
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
        && !response
            .headers()
            .get_all(header::VARY)
            .iter()
            .any(|v| v == "HX-Request")
    {
        // Every page may differ for htmx requests (the search pages do); caches must know.
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("HX-Request"));
    }
    response
}

/// Outside the base path there is nothing.
async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "There is no page at this address.",
        "",
    )
}

async fn method_not_allowed() -> Response {
    let mut response = error_page(
        StatusCode::METHOD_NOT_ALLOWED,
        "This address can only be read (GET).",
        "",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

fn panic_page(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. The details are in the server log.",
        "",
    )
}

/// Logs a response as the inner logger does, except inside a disabled span (a health check's,
/// under `RUST_LOG=info`): 2 880 lines a day of "200 OK" tell nothing.
#[derive(Clone)]
struct QuietWhenDisabled(DefaultOnResponse);

impl<B> OnResponse<B> for QuietWhenDisabled {
    fn on_response(
        self,
        response: &Response<B>,
        latency: std::time::Duration,
        span: &tracing::Span,
    ) {
        if !span.is_disabled() {
            self.0.on_response(response, latency, span);
        }
    }
}
