//! The interfaces for programs and e-readers, on a real catalog and index made by the real binary
//! from the fixture dumps and a real repository folder: the JSON API (`/api/…`), the
//! libgen-compatible `json.php` (its error strings, its `mode=newer` keyset paging), the OPDS
//! catalog and the Atom/RSS feeds (validated with jing against the Atom RELAX NG schema of
//! RFC 4287 and the OPDS 1.2 schema), the OpenSearch descriptions, and the OpenAPI document
//! (every JSON route the router has is described, and every route it names answers).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::Router;
use common::{get_with, Reply};
use lanshelf::web::{self, AppState, Config};
use serde_json::Value;

const CLRS_MD5: &str = "c668b424cee13e5994c85c7ee8f18827";

fn fixture() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("lanshelf-api-")
            .tempdir()
            .unwrap()
            .keep();
        let dumps = ["libgen.sql", "fiction.sql", "scimag.sql", "search.sql"].map(common::dump);
        let files: Vec<&Path> = dumps.iter().map(|p| p.as_path()).collect();
        common::import_ok(&dir, &files);
        // One file in the repository: Introduction to Algorithms (sci-tech 7).
        let folder = dir.join("repository/libgen/0");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(CLRS_MD5), vec![7u8; 4321]).unwrap();
        // Its cover, at the catalog's `coverurl` under the cover store.
        let covers = dir.join("repository/covers/0");
        std::fs::create_dir_all(&covers).unwrap();
        std::fs::write(covers.join(format!("{CLRS_MD5}.jpg")), b"\xff\xd8\xff jpeg").unwrap();
        dir
    })
}

async fn app() -> Router {
    app_under("").await
}

async fn app_under(base_path: &str) -> Router {
    let dir = fixture();
    let mut config = Config::new(
        &dir.join("catalog.sqlite"),
        &dir.join("index"),
        Some(&dir.join("repository")),
        None,
    );
    config.base_path = base_path.to_string();
    web::app(AppState::open(&config).await.expect("open the portal"))
}

async fn get(app: &Router, uri: &str) -> Reply {
    get_with(app, uri, &[("host", "mirror.lan:8080")]).await
}

fn ids(hits: &Value) -> Vec<(String, i64)> {
    hits.as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["collection"].as_str().unwrap().to_string(),
                h["id"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn api_search_returns_hits_and_facets_and_refuses_bad_parameters() {
    let app = app().await;
    let r = get(&app, "/api/search?q=calculus&per_page=5").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type().starts_with("application/json"));
    let v = r.json();
    assert_eq!(v["query"], "calculus");
    assert_eq!(v["total"], 2);
    assert_eq!(
        (v["page"].as_u64(), v["per_page"].as_u64()),
        (Some(1), Some(5))
    );
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2);
    for key in [
        "collection",
        "id",
        "md5",
        "title",
        "author",
        "year",
        "language",
        "extension",
        "filesize",
        "doi",
        "journal",
        "url",
    ] {
        assert!(hits[0].get(key).is_some(), "hit lacks {key}");
    }
    assert_eq!(hits[0]["title"], "Calculus");
    assert_eq!(hits[0]["author"], "Michael Spivak");
    let url = hits[0]["url"].as_str().unwrap();
    assert!(url.starts_with("/libgen/5000"), "{url}");
    // Facets count without the filters.
    let facets = &v["facets"]["extension"];
    assert!(facets
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["value"] == "djvu" && f["count"] == 1));

    // Filters and sorting.
    let v = get(&app, "/api/search?q=calculus&ext=djvu").await.json();
    assert_eq!(ids(&v["hits"]), [("libgen".to_string(), 50002)]);
    let v = get(&app, "/api/search?q=calculus&sort=year_asc")
        .await
        .json();
    assert_eq!(v["hits"][0]["year"], "1994");
    // Every facet value is a valid filter, `Unknown` (no language) included.
    let v = get(&app, "/api/search?q=the&lang=Unknown").await.json();
    assert!(v["total"].as_u64().unwrap() >= 1, "{v}");
    assert_eq!(
        get(&app, "/api/search?q=the&lang=Other").await.status,
        StatusCode::OK
    );
    let v = get(&app, "/api/search?collection=scimag&sort=added")
        .await
        .json();
    assert!(v["total"].as_u64().unwrap() >= 2);
    assert!(ids(&v["hits"]).iter().all(|(c, _)| c == "scimag"));
    // Paging: the second page of one per page is the other record.
    let p1 = get(&app, "/api/search?q=calculus&per_page=1&page=1")
        .await
        .json();
    let p2 = get(&app, "/api/search?q=calculus&per_page=1&page=2")
        .await
        .json();
    assert_ne!(ids(&p1["hits"]), ids(&p2["hits"]));

    for (uri, needle) in [
        ("/api/search?q=x&per_page=101", "per_page"),
        ("/api/search?q=x&per_page=0", "per_page"),
        ("/api/search?q=x&page=0", "page"),
        ("/api/search?q=x&page=abc", "page"),
        ("/api/search?q=x&page=100000", "10000"),
        ("/api/search?q=x&collection=pamphlets", "collection"),
        ("/api/search?q=x&sort=random", "sort"),
        ("/api/search?q=x&lang=klingonish", "language"),
        ("/api/search?q=x&ext=exe", "extension"),
        ("/api/search?q=x&year_min=20", "year"),
        ("/api/search?q=x&year_min=2000&year_max=1990", "year_min"),
        ("/api/search", "q"),
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        let v = r.json();
        assert_eq!(v["error"]["status"], 400, "{uri}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{uri}: {message}");
    }
    // Odd but valid queries never fail.
    for q in [
        "%22",
        "-",
        "title%3A",
        "%E2%80%8B",
        "((((",
        "year%3A..",
        "md5%3Azz",
    ] {
        let r = get(&app, &format!("/api/search?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text());
    }
}

#[tokio::test]
async fn api_record_has_every_field_the_description_and_the_location() {
    let app = app().await;
    let r = get(&app, "/api/records/libgen/7").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    for key in [
        "title",
        "author",
        "series",
        "publisher",
        "year",
        "language",
        "identifier",
        "locator",
        "commentary",
        "md5",
        "doi",
        "visible",
        "generic",
        "time_added",
        "time_last_modified",
        "filesize",
        "description",
        "location",
    ] {
        assert!(v.get(key).is_some(), "record lacks {key}");
    }
    assert!(v.get("import_id").is_none());
    assert_eq!(v["id"], 7);
    assert_eq!(v["collection"], "libgen");
    assert_eq!(v["md5"], CLRS_MD5);
    assert_eq!(v["filesize"], 5242880);
    assert!(v["description"].as_str().unwrap().contains("CLRS"));
    let loc = &v["location"];
    assert_eq!(loc["repository_path"], format!("libgen/0/{CLRS_MD5}"));
    assert_eq!(loc["local"], true);
    assert_eq!(loc["download_url"], "/download/libgen/7");
    assert_eq!(loc["torrent"], "r_000.torrent");
    assert_eq!(loc["torrent_path"], format!("0/{CLRS_MD5}"));
    assert_eq!(loc["torrent_local"], false);
    assert!(loc["zip"].is_null() && loc["zip_entry"].is_null() && loc["magnet"].is_null());

    // A paper: its zip and entry; not local here.
    let v = get(&app, "/api/records/scimag/70001").await.json();
    assert_eq!(v["doi"], "10.1038/nature14539");
    assert_eq!(v["location"]["local"], false);
    assert!(v["location"]["download_url"].is_null());
    assert!(v["location"]["zip"].as_str().unwrap().ends_with(".zip"));
    assert_eq!(v["location"]["zip_entry"], "10.1038/nature14539.pdf");

    for uri in [
        "/api/records/libgen/999999",
        "/api/records/books/7",
        "/api/records/libgen/abc",
        "/api/records/libgen/-1",
        "/api/nothing/here",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(r.json()["error"]["status"], 404, "{uri}");
    }
    // `/api` itself is for people: the OpenAPI document as a page, linking the document.
    let r = get(&app, "/api").await;
    assert_eq!(r.status, StatusCode::OK);
    let page = r.text();
    assert!(page.contains(r#"href="/api/openapi.json""#), "{page}");
    assert!(page.contains("/api/records/{collection}/{id}"), "{page}");
}

#[tokio::test]
async fn api_lookup_by_md5_doi_and_isbn() {
    let app = app().await;
    let v = get(
        &app,
        &format!("/api/lookup?md5={}", CLRS_MD5.to_uppercase()),
    )
    .await
    .json();
    assert_eq!(v["key"], "md5");
    assert_eq!(ids(&v["records"]), [("libgen".to_string(), 7)]);
    // Any form of the DOI, any case.
    for doi in [
        "10.1038/nature14539",
        "10.1038%2FNATURE14539",
        "https%3A%2F%2Fdoi.org%2F10.1038%2Fnature14539",
    ] {
        let v = get(&app, &format!("/api/lookup?doi={doi}")).await.json();
        assert_eq!(ids(&v["records"]), [("scimag".to_string(), 70001)], "{doi}");
    }
    // ISBN-10 and ISBN-13 with dashes find the same book.
    for isbn in ["0262033844", "978-0-262-03384-8"] {
        let v = get(&app, &format!("/api/lookup?isbn={isbn}")).await.json();
        assert_eq!(ids(&v["records"]), [("libgen".to_string(), 7)], "{isbn}");
        assert_eq!(v["value"], "9780262033848");
    }
    // Withdrawn records are found, and flagged.
    let v = get(&app, "/api/lookup?doi=10.9999/withdrawn.1")
        .await
        .json();
    assert_eq!(v["records"][0]["withdrawn"], true);
    let v = get(&app, "/api/lookup?md5=00000000000000000000000000000000")
        .await
        .json();
    assert_eq!(v["total"], 0);
    for uri in [
        "/api/lookup",
        "/api/lookup?md5=xyz",
        "/api/lookup?isbn=1234567890",
        "/api/lookup?doi=nothing",
        "/api/lookup?md5=c668b424cee13e5994c85c7ee8f18827&isbn=0262033844",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(r.json()["error"]["message"].is_string());
    }
    // Suggestions, in the OpenSearch format.
    let r = get(&app, "/api/suggest?q=calculus").await;
    assert_eq!(r.content_type(), "application/x-suggestions+json");
    let v = r.json();
    assert_eq!(v[0], "calculus");
    assert_eq!(v[1], serde_json::json!(["Calculus"]));
}

/// The catalog's sci-tech (time_last_modified, id) pairs in order, read with rusqlite.
fn modified_order() -> Vec<(String, i64)> {
    let db = rusqlite::Connection::open(fixture().join("catalog.sqlite")).unwrap();
    let mut st = db
        .prepare("SELECT time_last_modified, id FROM libgen WHERE time_last_modified IS NOT NULL ORDER BY 1, 2")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn json_php_speaks_the_original_dialect() {
    let app = app().await;
    // Ids: lower-case keys, string values, in the fields' order.
    let r = get(&app, "/json.php?ids=8,7&fields=Title,ID,MD5,Filesize").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type().starts_with("application/json"));
    let v = r.json();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["title", "id", "md5", "filesize"]);
    assert!(rows
        .iter()
        .all(|r| r["id"].is_string() && r["filesize"].is_string()));
    assert!(rows
        .iter()
        .any(|r| r["id"] == "7" && r["filesize"] == "5242880"));
    // An MD5 as `ids`, any case; `*` gives every field.
    let v = get(
        &app,
        &format!("/json.php?ids={}&fields=*", CLRS_MD5.to_uppercase()),
    )
    .await
    .json();
    assert_eq!(v[0]["id"], "7");
    assert_eq!(v[0]["timelastmodified"], "2020-01-02 03:04:05");
    assert_eq!(v[0]["identifierwodash"], "9780262033848,0262033844");
    assert_eq!(v[0].as_object().unwrap().len(), 47);
    // DOI and ISBN.
    let v = get(&app, "/json.php?isbn=978-0-262-03384-8&fields=id")
        .await
        .json();
    assert_eq!(v, serde_json::json!([{"id": "7"}]));
    let v = get(&app, "/json.php?doi=10.0000/none&fields=id")
        .await
        .json();
    assert_eq!(v, serde_json::json!([]));
    // mode=last: added in a window of days; modified likewise.
    let v = get(
        &app,
        "/json.php?mode=last&timefirst=2012-03-04&timelast=2012-03-04&fields=id,timeadded",
    )
    .await
    .json();
    let rows = v.as_array().unwrap();
    assert!(rows.iter().any(|r| r["id"] == "7"));
    assert!(rows
        .iter()
        .all(|r| r["timeadded"].as_str().unwrap().starts_with("2012-03-04 ")));
    let v = get(
        &app,
        "/json.php?mode=last&timefirst=1999-01-01&timelast=1999-01-02&fields=id",
    )
    .await
    .json();
    assert_eq!(v, serde_json::json!([]));
    let v = get(
        &app,
        "/json.php?mode=modified&timefirst=2020-01-02&timelast=2020-01-02&fields=id",
    )
    .await
    .json();
    assert!(v.as_array().unwrap().len() >= 3);

    // The original's errors, word for word, with status 400 and plain text.
    for (uri, message) in [
        ("/json.php?ids=1", "WHERE FIELDS?"),
        ("/json.php?ids=1&fields=title,password", "WRONG FIELDS"),
        ("/json.php?ids=1;DROP&fields=id", "WRONG IDS"),
        ("/json.php?ids=../etc&fields=id", "WRONG IDS"),
        ("/json.php?fields=id", "WHERE IDS?"),
        ("/json.php?mode=newer&fields=id", "WHERE TIMENEWER?"),
        (
            "/json.php?mode=newer&timenewer=2020-01-01&fields=id",
            "WRONG TIMENEWER",
        ),
        (
            "/json.php?mode=newer&timenewer=2020-01-01%2000:00:00&idnewer=x&fields=id",
            "WRONG IDNEWER",
        ),
        ("/json.php?mode=last&fields=id", "WRONG TIMEFIRST"),
        // Deep offsets read every skipped row: refused (page with mode=newer instead).
        (
            "/json.php?mode=modified&timefirst=1970-01-01&limit1=4600000&limit2=5000&fields=id",
            "WRONG LIMIT1",
        ),
        // A multi-byte character where the date's tenth byte falls: no panic (issue 18).
        (
            "/json.php?fields=id&mode=newer&timenewer=aaaaaaaaa%C3%A9bbbbbbbb",
            "WRONG TIMENEWER",
        ),
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(r.content_type().starts_with("text/plain"), "{uri}");
        assert_eq!(r.text(), message, "{uri}");
    }
}

#[tokio::test]
async fn json_php_newer_pages_through_every_change_exactly_once() {
    let app = app().await;
    let expected = modified_order();
    assert!(expected.len() >= 5, "the fixture needs several changes");
    // Ties on the time are what idnewer is for: the fixture has some.
    assert!(expected.windows(2).any(|w| w[0].0 == w[1].0));
    let mut seen: Vec<(String, i64)> = Vec::new();
    let (mut time, mut id) = ("1970-01-01 00:00:00".to_string(), 0i64);
    for _ in 0..100 {
        let uri = format!(
            "/json.php?mode=newer&timenewer={}&idnewer={id}&limit1=2&fields=id,timelastmodified",
            time.replace(' ', "%20")
        );
        let v = get(&app, &uri).await.json();
        let rows = v.as_array().unwrap();
        if rows.is_empty() {
            break;
        }
        assert!(rows.len() <= 2);
        for r in rows {
            let t = r["timelastmodified"].as_str().unwrap().to_string();
            let i: i64 = r["id"].as_str().unwrap().parse().unwrap();
            seen.push((t.clone(), i));
            (time, id) = (t, i);
        }
    }
    assert_eq!(seen, expected);
    // Without idnewer: strictly newer times only; limit1,limit2 is offset,count.
    let last = &expected[expected.len() - 1].0;
    let v = get(
        &app,
        &format!(
            "/json.php?mode=newer&timenewer={}&fields=id",
            last.replace(' ', "%20")
        ),
    )
    .await
    .json();
    assert_eq!(v, serde_json::json!([]));
    let v = get(
        &app,
        "/json.php?mode=newer&timenewer=1970-01-01%2000:00:00&limit1=1&limit2=2&fields=id",
    )
    .await
    .json();
    let got: Vec<i64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(got, [expected[1].1, expected[2].1]);
}

/// Validates an XML document with jing against a RELAX NG compact schema of the fixtures.
/// Without jing (installed by `make test-deps`), skips outside CI and fails in CI.
fn validate(xml: &str, schema: &str, what: &str) {
    let jing = Command::new("jing").arg("-h").output();
    if jing.is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "jing is needed to validate the feeds (apt-get install jing)"
        );
        eprintln!("jing not installed: {what} not validated");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let schema = common::fixtures().join("schemas").join(schema);
    let out = Command::new("jing")
        .arg("-c")
        .arg(&schema)
        .arg(&file)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{what} is not valid against {}:\n{report}",
        schema.display()
    );
}

#[tokio::test]
async fn opds_catalog_and_feeds_validate_and_link_local_files() {
    let app = app().await;
    let feeds = [
        ("/opds", "navigation"),
        ("/opds/", "navigation"),
        ("/opds/recent/libgen", "acquisition"),
        ("/opds/recent/fiction?page=1", "acquisition"),
        ("/opds/recent/scimag", "acquisition"),
        ("/opds/languages", "navigation"),
        ("/opds/languages/English", "acquisition"),
        ("/opds/search?q=algorithms", "acquisition"),
        ("/opds/search?q=the+art", "acquisition"),
        ("/opds/search?q=the%20art", "acquisition"),
        ("/opds/search/the+art", "acquisition"),
        ("/opds/search/the%20art", "acquisition"),
        ("/opds/search?q=", "acquisition"),
        ("/search.atom?q=calculus", "feed"),
        ("/search.atom?q=journal%3ANature&collection=scimag", "feed"),
        ("/search.atom", "feed"),
        ("/feeds/fiction.atom", "feed"),
        ("/feeds/scimag.atom", "feed"),
    ];
    for (uri, kind) in feeds {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        let ct = r.content_type();
        assert!(ct.starts_with("application/atom+xml"), "{uri}: {ct}");
        if kind != "feed" {
            assert!(ct.contains(&format!("kind={kind}")), "{uri}: {ct}");
        }
        let xml = r.text();
        validate(&xml, "atom.rnc", uri);
        // The OPDS schema's IRI pattern refuses `{`, which the OPDS spec's own search template
        // example uses (§3): the template link is checked by the Atom schema above only.
        validate(
            &xml.replace("{searchTerms}", "searchTerms"),
            "opds.rnc",
            uri,
        );
    }
    // `+` and `%20` are both spaces, in the query and in the path.
    let a = get(&app, "/opds/search?q=the+art").await.text();
    let b = get(&app, "/opds/search/the%20art").await.text();
    let count = |x: &str| x.matches("<entry>").count();
    assert!(count(&a) >= 2);
    assert_eq!(count(&a), count(&b));

    // The root lists the collections, languages and both search forms.
    let root = get(&app, "/opds").await.text();
    for needle in [
        "http://mirror.lan:8080/opds/recent/libgen",
        "http://mirror.lan:8080/opds/languages",
        r#"rel="search" href="http://mirror.lan:8080/opds/opensearch.xml" type="application/opensearchdescription+xml""#,
        r#"href="http://mirror.lan:8080/opds/search?q={searchTerms}" type="application/atom+xml""#,
    ] {
        assert!(root.contains(needle), "root lacks {needle}");
    }
    // An entry: title, authors, language, identifiers, summary, and an acquisition link with
    // the file's type and size, because the file is in the repository.
    let xml = get(&app, "/opds/search?q=algorithms").await.text();
    for needle in [
        "<title>Introduction to Algorithms</title>",
        "<author><name>Thomas H. Cormen</name></author>",
        "<dc:language>en</dc:language>",
        "<dc:identifier>urn:isbn:9780262033848</dc:identifier>",
        "<summary type=\"text\">The classic CLRS text.",
        r#"<link rel="http://opds-spec.org/acquisition" href="http://mirror.lan:8080/download/libgen/7" type="application/pdf" length="4321"/>"#,
        r#"<link rel="alternate" href="http://mirror.lan:8080/libgen/7" type="text/html"/>"#,
    ] {
        assert!(xml.contains(needle), "entry lacks {needle}");
    }
    assert!(xml.contains(r#"<link rel="http://opds-spec.org/image" href="http://mirror.lan:8080/covers/libgen/7" type="image/jpeg"/>"#));
    let r = get(&app, "/covers/libgen/7").await;
    assert_eq!((r.status, r.content_type()), (StatusCode::OK, "image/jpeg"));
    assert_eq!(r.body, b"\xff\xd8\xff jpeg");
    for uri in [
        "/covers/libgen/8",
        "/covers/scimag/70001",
        "/covers/libgen/..%2F..%2Fetc",
        "/covers/x/7",
    ] {
        assert_eq!(get(&app, uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
    // A record without a local file has no acquisition link.
    let xml = get(&app, "/opds/search?q=calculus").await.text();
    assert!(xml.contains("Calculus") && !xml.contains("opds-spec.org/acquisition"));
    // Paging: one page of 25 at most, with next/previous links.
    let xml = get(&app, "/opds/languages/English?page=2").await.text();
    assert!(xml.contains(r#"rel="previous""#));
    // Behind a proxy (on this machine: loopback) the links use the forwarded scheme and host;
    // from anyone else those headers are ignored, and caches are told the answer depends on them.
    let from = |peer: &str| {
        let mut request = axum::http::Request::get("/opds")
            .header("host", "127.0.0.1:8080")
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-host", "books.example.org")
            .body(axum::body::Body::empty())
            .unwrap();
        let peer: std::net::SocketAddr = peer.parse().unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        request
    };
    let r = common::send(&app, from("127.0.0.1:50000")).await;
    assert!(r
        .text()
        .contains("https://books.example.org/opds/recent/libgen"));
    assert!(r
        .headers
        .get_all("vary")
        .iter()
        .any(|v| v.to_str().unwrap().contains("X-Forwarded-Host")));
    let r = common::send(&app, from("203.0.113.9:50000")).await;
    let xml = r.text();
    assert!(
        !xml.contains("books.example.org"),
        "a remote client's forwarded host"
    );
    assert!(xml.contains("http://127.0.0.1:8080/opds/recent/libgen"));
    for uri in [
        "/opds/recent/books",
        "/opds/languages/Klingonish",
        "/feeds/libgen.json",
        "/feeds/pamphlets.atom",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test]
async fn followable_searches_as_atom_and_rss() {
    let app = app().await;
    let r = get(&app, "/search.atom?q=calculus").await;
    let xml = r.text();
    assert!(xml.contains("<title>Lanshelf: calculus</title>"));
    assert_eq!(xml.matches("<entry>").count(), 2);
    // Newest additions first.
    let first = xml.find("libgen:50003").unwrap();
    let second = xml.find("libgen:50002").unwrap();
    assert!(first < second, "the newer record comes first");
    let r = get(&app, "/search.rss?q=calculus").await;
    assert!(r.content_type().starts_with("application/rss+xml"));
    let rss = r.text();
    assert!(rss.starts_with("<?xml") && rss.contains("<rss version=\"2.0\""));
    assert_eq!(rss.matches("<item>").count(), 2);
    assert!(rss.contains("<link>http://mirror.lan:8080/libgen/50003</link>"));
    let r = get(&app, "/feeds/libgen.rss").await;
    assert!(r.text().matches("<item>").count() >= 5);
    // The search page links its feed, and every page links the OpenSearch description.
    let page = get(&app, "/search?q=calculus&ext=pdf").await.text();
    assert!(page.contains(r#"<link rel="alternate" type="application/atom+xml""#));
    assert!(page.contains("/search.atom?q=calculus&#38;ext=pdf"));
    let home = get(&app, "/").await.text();
    assert!(home.contains(
        r#"<link rel="search" type="application/opensearchdescription+xml" title="Lanshelf" href="/opensearch.xml">"#
    ));
    // Text from the dumps that XML cannot hold never breaks a feed.
    let r = get(&app, "/search.atom?q=%01%0B").await;
    assert_eq!(r.status, StatusCode::OK);
    validate(&r.text(), "atom.rnc", "search for control characters");
    let r = get(&app, "/search.atom?per_page=500").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn opensearch_descriptions_are_well_formed_with_their_media_type() {
    let app = app().await;
    for (uri, templates) in [
        (
            "/opensearch.xml",
            vec![
                ("text/html", "http://mirror.lan:8080/search?q={searchTerms}"),
                (
                    "application/x-suggestions+json",
                    "http://mirror.lan:8080/api/suggest?q={searchTerms}",
                ),
                (
                    "application/atom+xml",
                    "http://mirror.lan:8080/search.atom?q={searchTerms}",
                ),
            ],
        ),
        (
            "/opds/opensearch.xml",
            vec![(
                "application/atom+xml;profile=opds-catalog;kind=acquisition",
                "http://mirror.lan:8080/opds/search?q={searchTerms}",
            )],
        ),
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.content_type()
                .starts_with("application/opensearchdescription+xml"),
            "{uri}: {}",
            r.content_type()
        );
        let xml = r.text();
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{uri}: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "OpenSearchDescription");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://a9.com/-/spec/opensearch/1.1/")
        );
        let short = root
            .children()
            .find(|n| n.has_tag_name(("http://a9.com/-/spec/opensearch/1.1/", "ShortName")))
            .and_then(|n| n.text())
            .unwrap();
        assert!(!short.is_empty() && short.chars().count() <= 16);
        let urls: Vec<(&str, &str)> = root
            .children()
            .filter(|n| n.has_tag_name(("http://a9.com/-/spec/opensearch/1.1/", "Url")))
            .map(|n| {
                (
                    n.attribute("type").unwrap(),
                    n.attribute("template").unwrap(),
                )
            })
            .collect();
        for t in templates {
            assert!(urls.contains(&t), "{uri} lacks {t:?}: {urls:?}");
        }
    }
}

/// Fills an OpenAPI path with its parameters' examples.
fn example_uri(path: &str, operation: &Value) -> String {
    let mut uri = path.to_string();
    let mut query = Vec::new();
    for p in operation["parameters"].as_array().into_iter().flatten() {
        let Some(example) = p.get("example") else {
            assert_ne!(
                p["in"], "path",
                "path parameter {} needs an example",
                p["name"]
            );
            continue;
        };
        let value = match example {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let name = p["name"].as_str().unwrap();
        match p["in"].as_str() {
            Some("path") => uri = uri.replace(&format!("{{{name}}}"), &value),
            _ => query.push(format!(
                "{name}={}",
                form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
            )),
        }
    }
    if !query.is_empty() {
        uri = format!("{uri}?{}", query.join("&"));
    }
    uri
}

#[tokio::test]
async fn the_openapi_document_describes_every_json_route_and_each_answers() {
    // The collections it names are the catalog's.
    let doc: Value = serde_json::from_str(include_str!("../src/web/openapi.json")).unwrap();
    let named: Vec<&str> = doc["components"]["schemas"]["Collection"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let slugs: Vec<&str> = lanshelf::Collection::ALL.iter().map(|c| c.slug()).collect();
    assert_eq!(named, slugs);
    let app = app().await;
    let r = get(&app, "/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();

    // Every JSON route of the router is described: read the route table's source.
    let routes =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/routes.rs"))
            .unwrap();
    let mut json_routes = Vec::new();
    for line in routes.lines() {
        let Some(rest) = line.trim().strip_prefix(".route(\"") else {
            continue;
        };
        let route = &rest[..rest.find('"').unwrap()];
        if (route.starts_with("/api/") && !route.contains('*')) || route == "/json.php" {
            json_routes.push(route.to_string());
        }
    }
    assert!(json_routes.len() >= 6, "{json_routes:?}");
    for route in &json_routes {
        assert!(
            paths.contains_key(route),
            "{route} is not in the OpenAPI document"
        );
    }

    // Every route it names answers with JSON: a GET with the parameters' examples, or a POST
    // of the request body's JSON example (the batch look-up).
    for (path, item) in paths {
        let (operation, post) = if item["get"].is_object() {
            (&item["get"], false)
        } else {
            (&item["post"], true)
        };
        assert!(operation.is_object(), "{path} has no GET or POST");
        let uri = example_uri(path, operation);
        let r = if post {
            let example = &operation["requestBody"]["content"]["application/json"]["example"];
            assert!(
                example.is_object(),
                "{path}: the POST body needs a JSON example"
            );
            common::send(
                &app,
                axum::http::Request::post(&uri)
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(example.to_string()))
                    .unwrap(),
            )
            .await
        } else {
            get(&app, &uri).await
        };
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
        assert!(
            r.content_type().contains("json"),
            "{uri}: {}",
            r.content_type()
        );
        r.json();
        // Each documented 200 response names the media type the route sends.
        let media = r
            .content_type()
            .split(';')
            .next()
            .unwrap()
            .trim()
            .to_string();
        assert!(
            operation["responses"]["200"]["content"]
                .get(&media)
                .is_some(),
            "{path}: the document does not list {media}"
        );
    }
}

#[tokio::test]
async fn under_a_base_path_every_link_of_the_api_and_the_feeds_has_the_prefix() {
    let app = app_under("/lanshelf").await;
    let v = get(&app, "/lanshelf/api/search?q=algorithms").await.json();
    assert_eq!(v["hits"][0]["url"], "/lanshelf/libgen/7");
    assert_eq!(v["hits"][0]["api_url"], "/lanshelf/api/records/libgen/7");
    let v = get(&app, "/lanshelf/api/records/libgen/7").await.json();
    assert_eq!(v["url"], "/lanshelf/libgen/7");
    assert_eq!(v["location"]["download_url"], "/lanshelf/download/libgen/7");
    let v = get(&app, "/lanshelf/api/openapi.json").await.json();
    assert_eq!(v["servers"][0]["url"], "/lanshelf");
    let xml = get(&app, "/lanshelf/opds/search?q=algorithms").await.text();
    assert!(xml.contains(r#"href="http://mirror.lan:8080/lanshelf/download/libgen/7""#));
    assert!(xml.contains(r#"href="http://mirror.lan:8080/lanshelf/opds""#));
    assert!(!xml.contains(r#"href="http://mirror.lan:8080/opds"#));
    let xml = get(&app, "/lanshelf/opensearch.xml").await.text();
    assert!(xml.contains("http://mirror.lan:8080/lanshelf/search?q={searchTerms}"));
    let html = get(&app, "/lanshelf/search?q=algorithms").await.text();
    assert!(html.contains(r#"href="/lanshelf/opensearch.xml""#));
    assert!(html.contains(r#"href="/lanshelf/search.atom?q=algorithms""#));
    for uri in [
        "/api/search?q=algorithms",
        "/opds",
        "/json.php?ids=7&fields=id",
    ] {
        assert_eq!(get(&app, uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
    let v = get(&app, "/lanshelf/json.php?ids=7&fields=id").await.json();
    assert_eq!(v, serde_json::json!([{"id": "7"}]));
}
