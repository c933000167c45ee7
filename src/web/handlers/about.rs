//! The pages about the portal itself, for people: `/status` (the health report as a page),
//! `/api` (the OpenAPI document, readable) and `/opds` opened in a browser (what the catalog
//! is and how to add it to an e-reader). The machine-readable originals stay at `/healthz`,
//! `/api/openapi.json` and `/opds`.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use serde_json::Value;

use crate::web::origin::Origin;
use crate::web::render::{self, count};
use crate::web::state::AppState;
use crate::Collection;

/// One labelled figure.
pub struct Line {
    /// The label.
    pub label: String,
    /// The value.
    pub value: String,
}

/// `/status`.
#[derive(Template)]
#[template(path = "pages/status.html")]
pub struct StatusPage {
    /// `ok`, `updating`, `behind`, `degraded`.
    pub status: String,
    /// Whether that is healthy.
    pub ok: bool,
    /// The figures.
    pub lines: Vec<Line>,
}

/// `GET /status`.
pub async fn status(State(state): State<AppState>) -> Response {
    let (ok, report) = super::health::report(&state).await;
    let text = |v: &Value| match v {
        Value::Null => "–".to_string(),
        Value::String(s) if s.is_empty() => "–".to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_u64().map(count).unwrap_or_else(|| n.to_string()),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        other => other.to_string(),
    };
    let mut lines = Vec::new();
    for c in Collection::ALL {
        let n = &report["catalog"]["records"][c.slug()];
        if n.as_i64().unwrap_or(0) > 0 || c.is_classic() {
            lines.push(Line {
                label: format!("{} records", c.label()),
                value: text(n),
            });
        }
    }
    for (label, v) in [
        ("Catalog answers", &report["catalog"]["ok"]),
        ("Last import (UTC)", &report["catalog"]["last_import"]),
        ("Search index answers", &report["index"]["ok"]),
        ("Index generation", &report["index"]["generation"]),
        ("Documents in the index", &report["index"]["documents"]),
        (
            "Imports the index has not seen",
            &report["index"]["imports_behind"],
        ),
        ("Version", &report["version"]),
    ] {
        lines.push(Line {
            label: label.into(),
            value: text(v),
        });
    }
    let coverage = state.coverage();
    lines.push(Line {
        label: "Records with their file on this server".into(),
        value: count(coverage.available.len() as u64),
    });
    lines.push(Line {
        label: ".torrent files at hand".into(),
        value: count(coverage.shelf.torrents().count() as u64),
    });
    let mut response = render::html(&StatusPage {
        status: text(&report["status"]),
        ok,
        lines,
    });
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// A parameter of an operation.
pub struct Param {
    /// Its name.
    pub name: String,
    /// Where (`query`, `path`).
    pub place: String,
    /// What it is.
    pub about: String,
}

/// An operation of the API.
pub struct Operation {
    /// `GET`.
    pub method: String,
    /// The path.
    pub path: String,
    /// A link to try it (none for paths with placeholders).
    pub example: Option<String>,
    /// Its summary.
    pub summary: String,
    /// Its description.
    pub description: String,
    /// Its parameters.
    pub params: Vec<Param>,
}

/// `/api`.
#[derive(Template)]
#[template(path = "pages/api.html")]
pub struct ApiPage {
    /// The API's title and version.
    pub title: String,
    /// Its description.
    pub description: String,
    /// The operations.
    pub operations: Vec<Operation>,
}

/// `GET /api`: the OpenAPI document as a page.
pub async fn api(State(_): State<AppState>) -> Response {
    let doc: Value = serde_json::from_str(super::api::OPENAPI).unwrap_or(Value::Null);
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let mut operations = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                // Each parameter, its `$ref` followed.
                let resolved: Vec<&Value> = op["parameters"]
                    .as_array()
                    .map(|list| {
                        list.iter()
                            .map(|p| match p["$ref"].as_str() {
                                Some(r) => r
                                    .strip_prefix("#/")
                                    .map(|r| r.split('/').fold(&doc, |v, k| &v[k]))
                                    .unwrap_or(&Value::Null),
                                None => p,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let params = resolved
                    .iter()
                    .map(|p| {
                        let mut about = s(&p["description"]);
                        if let Some(e) = p["example"].as_str() {
                            about = format!("{about} (for example {e})").trim().to_string();
                        }
                        Param {
                            name: s(&p["name"]),
                            place: s(&p["in"]),
                            about,
                        }
                    })
                    .collect();
                // A link to try it (GET only): the parameters that have an example set to it,
                // in the path and the query; none when a required one has no example.
                let example_of = |p: &Value| match &p["example"] {
                    Value::String(e) => Some(e.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                };
                let mut link = (method == "get").then(|| path.clone());
                let mut query = form_urlencoded::Serializer::new(String::new());
                for p in &resolved {
                    let (name, example) = (s(&p["name"]), example_of(p));
                    match (p["in"].as_str(), example) {
                        (Some("path"), Some(e)) => {
                            link = link.map(|l| l.replace(&format!("{{{name}}}"), &e));
                        }
                        (Some("query"), Some(e)) => {
                            query.append_pair(&name, &e);
                        }
                        _ if p["required"].as_bool() == Some(true) => link = None,
                        _ => {}
                    }
                }
                let query = query.finish();
                let example = link.filter(|l| !l.contains('{')).map(|l| {
                    if query.is_empty() {
                        l
                    } else {
                        format!("{l}?{query}")
                    }
                });
                operations.push(Operation {
                    method: method.to_uppercase(),
                    example,
                    path: path.clone(),
                    summary: s(&op["summary"]),
                    description: s(&op["description"]),
                    params,
                });
            }
        }
    }
    render::html(&ApiPage {
        title: format!(
            "{} {}",
            s(&doc["info"]["title"]),
            s(&doc["info"]["version"])
        ),
        description: s(&doc["info"]["description"]),
        operations,
    })
}

/// `/opds` opened in a browser.
#[derive(Template)]
#[template(path = "pages/opds.html")]
pub struct OpdsPage {
    /// The catalog's address for e-reader apps.
    pub address: String,
    /// The collections' recent pages: label, page.
    pub collections: Vec<(&'static str, String)>,
}

/// Whether a request comes from a browser (asks for HTML before any feed format).
pub fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let at = |what: &str| accept.find(what);
    match (at("text/html"), at("application/atom+xml")) {
        (Some(_), None) => true,
        (Some(h), Some(a)) => h < a,
        _ => false,
    }
}

/// The page a browser gets at `/opds`.
pub fn opds_page(state: &AppState, origin: &Origin) -> Response {
    let stats = state.stats();
    render::html(&OpdsPage {
        address: origin.url("/opds"),
        collections: Collection::ALL
            .iter()
            .filter(|c| stats.records(**c) > 0)
            .map(|c| (c.label(), format!("/recent/{}", c.slug())))
            .collect(),
    })
}
