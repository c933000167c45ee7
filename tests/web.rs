//! The portal as a browser sees it, through `web::app(state)` and `oneshot`: a real catalog and
//! index made by the real binary from the fixture dumps, a real repository of files (plain files
//! and scimag zips written with the zip crate), a real `.torrent` file bencoded here, and every
//! route: status codes, redirects, content by CSS selector, htmx fragments, headers, downloads
//! with Range, and the requests that must be refused.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use bendy::encoding::Encoder;
use common::{send, Reply};
use lanshelf::web::{self, AppState, Config};
use scraper::{Html, Selector};

const CLRS_MD5: &str = "c668b424cee13e5994c85c7ee8f18827";
const FOURIER_MD5: &str = "f09b54c4b17b93c775206b487961ef46";
const MOBY_MD5: &str = "252d4ac1817c18746dce8155e601af68";

/// The catalog, index, repository and torrents folder shared by the tests (built once).
struct Fixture {
    dir: PathBuf,
    clrs: Vec<u8>,
    moby: Vec<u8>,
    chapter: Vec<u8>,
    paper: Vec<u8>,
    torrent: Vec<u8>,
    info_hash: String,
}

fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + seed as usize * 7) % 251) as u8)
        .collect()
}

/// A fiction dump adding record 4: an older version of Moby-Dick (`Generic` names record 2)
/// with the same ISBN, made from the fixture's own table definition.
fn superseded_dump(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(common::dump("fiction.sql")).unwrap();
    let start = text.find("INSERT INTO `fiction` VALUES").unwrap();
    let end = start + text[start..].find(";\n").unwrap() + 2;
    let row = "INSERT INTO `fiction` VALUES\n(4,'1111111111111111111111111111AAAA','Moby-Dick; or, The Whale (old scan)',\
               'Melville, Herman','','','English','1851','','','9780142437247','','','','pdf',123,'','','',NULL,\
               '252D4AC1817C18746DCE8155E601AF68','','2015-06-07 08:09:10','2019-08-05 04:21:37');\n";
    let dump = format!("{}{}{}", &text[..start], row, &text[end..]);
    let path = dir.join("fiction-superseded.sql");
    std::fs::write(&path, dump).unwrap();
    path
}

fn write_zip(path: &Path, entries: &[(&str, &[u8], zip::CompressionMethod)]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, data, method) in entries {
        let options = zip::write::SimpleFileOptions::default().compression_method(*method);
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

/// A multi-file `.torrent` (name `0`, files `0/<md5>` of sci-tech 8 and 7), bencoded with bendy.
/// Returns the file and the hex SHA-1 of its info dictionary.
fn torrent_file() -> (Vec<u8>, String) {
    let mut info = Encoder::new();
    info.emit_dict(|mut d| {
        d.emit_pair_with(b"files", |e| {
            e.emit_list(|l| {
                for (length, md5) in [(3_145_728u64, FOURIER_MD5), (5_242_880u64, CLRS_MD5)] {
                    l.emit_dict(|mut f| {
                        f.emit_pair(b"length", length)?;
                        f.emit_pair_with(b"path", |p| p.emit_list(|parts| parts.emit_str(md5)))
                    })?;
                }
                Ok(())
            })
        })?;
        d.emit_pair(b"name", "0")?;
        d.emit_pair(b"piece length", 262_144u64)?;
        d.emit_pair_with(b"pieces", |e| e.emit_bytes(&[7u8; 40]))
    })
    .unwrap();
    let info = info.get_output().unwrap();
    let hash = sha1_smol::Sha1::from(&info).digest().to_string();
    let mut announce = Encoder::new();
    announce
        .emit_str("http://tracker.invalid:6969/announce")
        .unwrap();
    let mut torrent = b"d8:announce".to_vec();
    torrent.extend(announce.get_output().unwrap());
    torrent.extend(b"4:info");
    torrent.extend(info);
    torrent.push(b'e');
    (torrent, hash)
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("lanshelf-web-")
            .tempdir()
            .unwrap()
            .keep();
        let extra = superseded_dump(&dir);
        let dumps =
            ["libgen.sql", "fiction.sql", "scimag.sql", "scimag-edge.sql"].map(common::dump);
        let mut files: Vec<&Path> = dumps.iter().map(|p| p.as_path()).collect();
        files.push(&extra);
        common::import_ok(&dir, &files);

        let repo = dir.join("repository");
        let clrs = bytes(100_000, 1);
        std::fs::create_dir_all(repo.join("libgen/0")).unwrap();
        std::fs::write(repo.join("libgen/0").join(CLRS_MD5), &clrs).unwrap();
        let moby = bytes(5_000, 2);
        std::fs::create_dir_all(repo.join("fiction/0")).unwrap();
        std::fs::write(repo.join(format!("fiction/0/{MOBY_MD5}.epub")), &moby).unwrap();
        // Papers: 66761051 stored (served by seeking), 1 deflated under an upper-case encoding.
        let chapter = bytes(30_000, 3);
        write_zip(
            &repo.join("scimag/66700000/libgen.scimag66761000-66761999.zip"),
            &[
                (
                    "10.5822/978-1-61091-843-5_14.pdf",
                    &bytes(777, 9),
                    zip::CompressionMethod::Stored,
                ),
                (
                    "10.5822/978-1-61091-843-5_15.pdf",
                    &chapter,
                    zip::CompressionMethod::Stored,
                ),
            ],
        );
        let paper = bytes(20_000, 4);
        write_zip(
            &repo.join("scimag/00000000/libgen.scimag00000000-00000999.zip"),
            &[(
                "10.1002/%28SICI%29%281997%295%3A1%3C1%3A%3AAID-NT1%3E3.0.CO%3B2-8.pdf",
                &paper,
                zip::CompressionMethod::Deflated,
            )],
        );
        let torrents = dir.join("torrents");
        std::fs::create_dir_all(&torrents).unwrap();
        let (torrent, info_hash) = torrent_file();
        std::fs::write(torrents.join("r_000.torrent"), &torrent).unwrap();
        std::fs::write(torrents.join("f_0.torrent"), b"this is not bencode").unwrap();
        Fixture {
            dir,
            clrs,
            moby,
            chapter,
            paper,
            torrent,
            info_hash,
        }
    })
}

async fn app() -> Router {
    web::app(state().await)
}

async fn state() -> AppState {
    let f = fixture();
    let config = Config::new(
        &f.dir.join("catalog.sqlite"),
        &f.dir.join("index"),
        Some(&f.dir.join("repository")),
        Some(&f.dir.join("torrents")),
    );
    AppState::open(&config).await.expect("open the portal")
}

async fn get(app: &Router, uri: &str) -> Reply {
    common::get_with(app, uri, &[]).await
}

async fn get_with(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Reply {
    common::get_with(app, uri, headers).await
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

fn text_of(html: &Html, css: &str) -> String {
    select(html, css)
        .first()
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

fn attr(html: &Html, css: &str, name: &str) -> String {
    select(html, css)
        .first()
        .and_then(|e| e.value().attr(name))
        .unwrap_or_default()
        .to_string()
}

fn result_links(html: &Html) -> Vec<String> {
    select(html, "ol.results li.hit h3 a")
        .iter()
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect()
}

fn assert_security_headers(reply: &Reply) {
    let csp = reply.header(header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("script-src 'self'"), "CSP: {csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "CSP: {csp}"
    );
    assert_eq!(reply.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(reply.header(header::REFERRER_POLICY), "no-referrer");
}

fn varies_on_hx_request(reply: &Reply) -> bool {
    reply.headers.get_all(header::VARY).iter().any(|v| {
        v.to_str()
            .unwrap_or("")
            .split(',')
            .any(|p| p.trim().eq_ignore_ascii_case("hx-request"))
    })
}

/// Full pages have no inline scripts, styles or event handlers (the CSP would block them).
fn assert_no_inline_code(html: &Html) {
    for script in select(html, "script") {
        assert!(
            script.value().attr("src").is_some(),
            "inline script: {}",
            script.html()
        );
    }
    assert!(select(html, "style").is_empty(), "a <style> element");
    for element in select(html, "*") {
        for (name, _) in element.value().attrs() {
            assert!(
                name != "style" && !name.starts_with("on"),
                "inline {name} on <{}>",
                element.value().name()
            );
        }
    }
}

#[tokio::test]
async fn home_page_shows_the_catalog_and_a_search_box() {
    let app = app().await;
    let reply = get(&app, "/").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header(header::CONTENT_TYPE).starts_with("text/html"));
    assert_security_headers(&reply);
    assert!(varies_on_hx_request(&reply));
    let html = reply.html();
    assert_no_inline_code(&html);
    assert_eq!(attr(&html, "form#search", "action"), "/search");
    assert_eq!(attr(&html, "form#search", "hx-get"), "/search");
    assert_eq!(attr(&html, "form#search", "hx-push-url"), "true");
    assert_eq!(
        attr(&html, "label[for=q]", "for"),
        "q",
        "the search box has a label"
    );
    assert_eq!(attr(&html, "input#q", "name"), "q");
    let figures: Vec<String> = select(&html, ".figures .n")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(figures, ["9", "5", "8"], "records per collection");
    assert!(text_of(&html, ".welcome").contains("Last import:"));
    let tabs: Vec<String> = select(&html, "nav.tabs a")
        .iter()
        .map(|e| e.text().collect::<String>())
        .collect();
    assert_eq!(tabs, ["All", "Sci-tech", "Fiction", "Papers"]);
    assert_eq!(
        attr(&html, "nav.tabs a[aria-current=page]", "href"),
        "/search"
    );
    assert!(select(&html, "script[src^='/static/htmx.min.js']").len() == 1);
    assert!(select(&html, "link[rel=icon]").len() == 1);
}

#[tokio::test]
async fn an_empty_catalog_explains_how_to_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("catalog.sqlite");
    lanshelf::db::prepare(&db).await.unwrap();
    let config = Config::new(&db, &dir.path().join("index"), None, None);
    let app = web::app(AppState::open(&config).await.unwrap());
    let html = get(&app, "/").await.html();
    let notice = text_of(&html, ".welcome .notice");
    assert!(
        notice.contains("The catalog is empty") && notice.contains("lanshelf import"),
        "{notice}"
    );
    let reply = get(&app, "/search?q=anything").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(text_of(&reply.html(), ".notice").contains("no search index"));
    let health = get(&app, "/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    let json: serde_json::Value = serde_json::from_slice(&health.body).unwrap();
    assert_eq!(json["catalog"]["ok"], true);
    assert_eq!(json["index"]["ok"], false);
}

#[tokio::test]
async fn search_results_show_the_fields_with_highlighted_matches() {
    let app = app().await;
    let reply = get(&app, "/search?q=algorithms").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(varies_on_hx_request(&reply));
    let html = reply.html();
    assert_no_inline_code(&html);
    assert_eq!(result_links(&html), ["/libgen/7"]);
    assert_eq!(text_of(&html, "li.hit h3 a mark"), "Algorithms");
    assert!(text_of(&html, "li.hit .authors").starts_with("Thomas H. Cormen; Charles E. Leiserson"));
    let meta = text_of(&html, "li.hit .meta");
    for want in ["Sci-tech", "2009", "English", "pdf", "5.2 MB"] {
        assert!(meta.contains(want), "{want} in {meta}");
    }
    let summary = text_of(&html, "#summary");
    assert!(
        summary.starts_with("1 result in ") && summary.ends_with(" ms"),
        "{summary}"
    );
    assert_eq!(text_of(&html, "title"), "algorithms – Lanshelf");
    assert_eq!(attr(&html, "input#q", "value"), "algorithms");

    // An MD5 typed in the search box finds its record.
    let html = get(&app, "/search?q=C668B424CEE13E5994C85C7EE8F18827")
        .await
        .html();
    assert_eq!(result_links(&html), ["/libgen/7"]);

    // Folded matching: `godel` marks `Gödel`, and text is escaped before marking.
    let html = get(&app, "/search?q=godel").await.html();
    assert_eq!(result_links(&html), ["/libgen/1999"]);
    assert_eq!(text_of(&html, "li.hit .authors mark"), "Gödel");
    // Papers: HTML titles shown as text, journal, volume and issue.
    let reply = get(&app, "/search?q=vitro").await;
    let html = reply.html();
    assert_eq!(result_links(&html), ["/scimag/1"]);
    assert_eq!(
        text_of(&html, "li.hit h3"),
        "In vitro studies of A & B: H2O+ <review>"
    );
    assert!(
        select(&html, "li.hit h3 i, li.hit h3 sub").is_empty(),
        "no markup from the catalog"
    );
    assert!(!reply.text().contains("<review>"), "escaped");
    let source = text_of(&html, "li.hit .source");
    assert!(
        source.contains("Journal of Biomedical Materials Research")
            && source.contains("vol. 5")
            && source.contains("no. 1")
    );
    assert_eq!(text_of(&html, "li.hit .badge"), "Papers");
}

#[tokio::test]
async fn htmx_gets_a_fragment_and_history_restores_get_the_page() {
    let app = app().await;
    let full = get(&app, "/search?q=moby").await;
    let fragment = get_with(&app, "/search?q=moby", &[("HX-Request", "true")]).await;
    let restore = get_with(
        &app,
        "/search?q=moby",
        &[
            ("HX-Request", "true"),
            ("HX-History-Restore-Request", "true"),
        ],
    )
    .await;
    for r in [&full, &fragment, &restore] {
        assert_eq!(r.status, StatusCode::OK);
        assert!(varies_on_hx_request(r), "Vary: HX-Request");
    }
    assert!(full.text().starts_with("<!doctype html>"));
    assert!(restore.text().starts_with("<!doctype html>"));
    assert_eq!(
        fragment.header(header::HeaderName::from_static("hx-push-url")),
        "/search?q=moby"
    );
    assert_eq!(
        full.header(header::HeaderName::from_static("hx-push-url")),
        ""
    );
    let text = fragment.text();
    assert!(
        !text.contains("<html") && !text.contains("<header") && !text.contains("<form"),
        "{text}"
    );
    let html = Html::parse_fragment(&text);
    assert_eq!(result_links(&html), ["/fiction/2", "/fiction/4"]);
    assert_eq!(attr(&html, "#status", "hx-swap-oob"), "true");
    assert!(text_of(&html, "#status").starts_with("2 results"));
    assert_eq!(select(&html, "nav.tabs[hx-boost=true] a").len(), 4);
    // Filters stay in the form, so typing keeps them.
    let html = Html::parse_fragment(
        &get_with(
            &app,
            "/search?q=moby&lang=eng&ext=pdf",
            &[("HX-Request", "true")],
        )
        .await
        .text(),
    );
    assert_eq!(
        attr(&html, "input[type=hidden][name=lang]", "value"),
        "English"
    );
    assert_eq!(attr(&html, "input[type=hidden][name=ext]", "value"), "pdf");
    assert_eq!(result_links(&html), ["/fiction/4"]);
}

#[tokio::test]
async fn facets_filters_sorting_and_pages() {
    let app = app().await;
    // Filters alone are a search.
    let html = get(&app, "/search?lang=English").await.html();
    let links = result_links(&html);
    assert!(links.len() >= 5, "{links:?}");
    for lang in select(&html, "li.hit .lang") {
        assert_eq!(lang.text().collect::<String>(), "English");
    }
    let active = text_of(&html, "ul.active");
    assert!(active.contains("Language: English"), "{active}");
    assert_eq!(attr(&html, "ul.active a", "href"), "/search");

    // Ten results per page is offered and kept.
    let all = result_links(&get(&app, "/search?lang=English&per_page=100").await.html());
    let html = get(&app, "/search?lang=English&per_page=10").await.html();
    assert_eq!(text_of(&html, ".per-page a.current").trim(), "10");
    assert_eq!(result_links(&html), all[..all.len().min(10)].to_vec());

    // Collection tabs have counts and narrow the search.
    let html = get(&app, "/search?q=the").await.html();
    let tab_text = text_of(&html, "nav.tabs");
    assert!(tab_text.contains("Papers"), "{tab_text}");
    let papers = attr(&html, "nav.tabs a[href*='collection=scimag']", "href");
    assert_eq!(papers, "/search?q=the&collection=scimag");
    let html = get(&app, &papers).await.html();
    assert!(!result_links(&html).is_empty());
    assert!(result_links(&html)
        .iter()
        .all(|l| l.starts_with("/scimag/")));
    assert_eq!(attr(&html, "nav.tabs a[aria-current=page]", "href"), papers);

    // A tab whose collection has no result is marked (a phone hides it), and only such a tab.
    let mut empty = 0;
    for q in ["moby", "vitro", "the"] {
        let html = get(&app, &format!("/search?q={q}")).await.html();
        for a in select(&html, "nav.tabs a:not([aria-current])") {
            let count: String = a
                .select(&Selector::parse(".count").unwrap())
                .flat_map(|c| c.text())
                .collect();
            let marked = a.value().classes().any(|c| c == "empty");
            assert_eq!(marked, count.trim() == "0", "{q}: {}", a.html());
            empty += usize::from(marked);
        }
    }
    assert!(empty > 0, "no query left a collection without results");

    // Facet links carry the whole search and count their results.
    let html = get(&app, "/search?q=the").await.html();
    let facet = select(&html, "ul.facet a")
        .into_iter()
        .find(|a| a.text().collect::<String>().contains("English"))
        .expect("an English facet");
    let href = facet.value().attr("href").unwrap().to_string();
    assert!(
        href.contains("q=the") && href.contains("lang=English"),
        "{href}"
    );
    let count: usize = facet
        .text()
        .collect::<String>()
        .split_whitespace()
        .last()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(result_links(&get(&app, &href).await.html()).len(), count);

    // Decades set a year range; sorting orders it.
    let html = get(&app, "/search?year_min=1800&year_max=1999&sort=year_asc")
        .await
        .html();
    let years: Vec<u32> = select(&html, "li.hit .year")
        .iter()
        .map(|y| y.text().collect::<String>()[..4].parse().unwrap())
        .collect();
    assert!(years.len() >= 4, "{years:?}");
    assert!(years.windows(2).all(|w| w[0] <= w[1]), "{years:?}");
    assert!(years.iter().all(|y| (1800..=1999).contains(y)), "{years:?}");
    // Sort orders are links (no JavaScript needed); the current one is marked.
    assert_eq!(
        text_of(&html, "details.controls p.sort a[aria-current]")
            .split_whitespace()
            .next(),
        Some("Oldest")
    );
    assert_eq!(attr(&html, "input[name=sort]", "value"), "year_asc");
    assert_eq!(attr(&html, "input[name=year_min]", "value"), "1800");
    let html = get(&app, "/search?q=the&sort=year_desc").await.html();
    let years: Vec<u32> = select(&html, "li.hit .year")
        .iter()
        .map(|y| y.text().collect::<String>()[..4].parse().unwrap())
        .collect();
    assert!(years.windows(2).all(|w| w[0] >= w[1]), "{years:?}");

    // Past the last page: a message, not an error.
    let html = get(&app, "/search?lang=English&page=9").await.html();
    assert!(result_links(&html).is_empty());
    assert!(text_of(&html, ".notice.empty").contains("past the last result"));
}

#[tokio::test]
async fn notices_for_similar_spellings_partial_matches_and_withdrawn_records() {
    let app = app().await;
    let html = get(&app, "/search?q=feynmann").await.html();
    assert!(text_of(&html, ".notice").contains("similar spellings"));
    assert!(result_links(&html).contains(&"/libgen/2002".to_string()));
    let html = get(&app, "/search?q=feynman+zzyzxq").await.html();
    assert!(text_of(&html, ".notice").contains("some of them"));
    let html = get(&app, "/search?q=qqqqzzzzxxxx").await.html();
    assert!(result_links(&html).is_empty());
    assert!(text_of(&html, ".notice.empty").starts_with("Nothing found"));

    // Withdrawn records are hidden unless asked for, then marked.
    let html = get(&app, "/search?q=withdrawn+book").await.html();
    assert!(!result_links(&html).contains(&"/libgen/2004".to_string()));
    let html = get(&app, "/search?q=withdrawn+book&withdrawn=1")
        .await
        .html();
    assert!(result_links(&html).contains(&"/libgen/2004".to_string()));
    assert!(!select(&html, "li.hit.withdrawn .flag").is_empty());
    assert_eq!(select(&html, "input[name=withdrawn][checked]").len(), 1);

    // A superseded version points at the better one.
    let html = get(&app, "/search?q=old+scan").await.html();
    assert_eq!(result_links(&html), ["/fiction/4"]);
    assert_eq!(
        attr(&html, "li.hit .superseded a", "href"),
        format!("/md5/{MOBY_MD5}")
    );
}

#[tokio::test]
async fn odd_queries_never_fail() {
    let app = app().await;
    for q in [
        "/search?q=%22%28%28%28",
        "/search?q=%ff%fe%00",
        "/search?q=title%3A&page=abc&year_min=x&year_max=-3&sort=;drop&per_page=1000000&collection=nope",
        "/search?q=-&page=999999999999999999999",
        "/search?q=*",
        "/search?lang=klingon&ext=exe",
        "/search?q=md5%3Axyz",
        "/search?q=a&q=b&&&=&x",
        "/search?%%%",
    ] {
        let reply = get(&app, q).await;
        assert_eq!(reply.status, StatusCode::OK, "{q}");
        assert!(!select(&reply.html(), "#results").is_empty(), "{q}");
    }
    let long = format!("/search?q={}", "word+".repeat(1500));
    assert_eq!(get(&app, &long).await.status, StatusCode::OK);
}

#[tokio::test]
async fn record_pages_show_every_useful_field() {
    let app = app().await;
    let reply = get(&app, "/libgen/7").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_security_headers(&reply);
    let html = reply.html();
    assert_no_inline_code(&html);
    assert_eq!(text_of(&html, "h1"), "Introduction to Algorithms");
    assert_eq!(select(&html, ".record-head .authors a").len(), 4);
    assert!(attr(&html, ".record-head .authors a", "href")
        .starts_with("/search?q=author%3A%22Thomas+H.+Cormen%22"));
    let fields = text_of(&html, ".record-main");
    for want in [
        "MIT Press",
        "3rd",
        "978-0-262-03384-8",
        "5.2 MB (5242880 bytes)",
        CLRS_MD5,
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "algorithms · computer science",
    ] {
        assert!(fields.contains(want), "{want} on the page");
    }
    // An ISBN leads to every record with it, not back to this page.
    assert_eq!(
        attr(&html, "dd.mono a[href^='/search?q=isbn']", "href"),
        "/search?q=isbn%3A9780262033848"
    );
    // The description is sanitised HTML; the contents keep their lines.
    assert_eq!(text_of(&html, ".description b"), "CLRS");
    assert_eq!(text_of(&html, ".description li"), "Sorting");
    assert!(text_of(&html, ".toc").contains("Part II Sorting"));
    // Every column is listed.
    let raw: Vec<String> = select(&html, "details.raw th[scope=row]")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    for column in [
        "identifier_wodash",
        "coverurl",
        "time_last_modified",
        "import_id",
        "ddc",
    ] {
        assert!(raw.contains(&column.to_string()), "{column}");
    }
    // Citation meta tags for reference managers.
    assert_eq!(
        attr(&html, "meta[name=citation_title]", "content"),
        "Introduction to Algorithms"
    );
    assert_eq!(select(&html, "meta[name=citation_author]").len(), 4);
    assert_eq!(
        attr(&html, "meta[name=citation_isbn]", "content"),
        "9780262033848"
    );
    assert_eq!(
        attr(&html, "meta[name=citation_publication_date]", "content"),
        "2009"
    );
    assert!(attr(&html, "meta[name=citation_pdf_url]", "content").ends_with("/download/libgen/7"));
    assert_eq!(attr(&html, "a[href='/libgen/7/bibtex']", "download"), "");

    // A paper: journal, volume, pages, publisher, topic and DOI.
    let html = get(&app, "/scimag/1").await.html();
    assert_eq!(
        text_of(&html, "h1"),
        "In vitro studies of A & B: H2O+ <review>"
    );
    let fields = text_of(&html, ".record-main");
    for want in [
        "Journal of Biomedical Materials Research",
        "1–9",
        "John Wiley & Sons, Inc.",
        "J. Biomed. Mater. Res.",
    ] {
        assert!(fields.contains(want), "{want} on the page");
    }
    assert_eq!(
        attr(&html, "meta[name=citation_journal_title]", "content"),
        "Journal of Biomedical Materials Research"
    );
    assert_eq!(attr(&html, "meta[name=citation_firstpage]", "content"), "1");
    assert_eq!(attr(&html, "meta[name=citation_lastpage]", "content"), "9");
    assert_eq!(
        attr(&html, "meta[name=citation_doi]", "content"),
        "10.1002/(sici)(1997)5:1<1::aid-nt1>3.0.co;2-8"
    );
    // A DOI leads out to the publisher, through doi.org; `/doi/…` finds the record here.
    let doi_link = attr(&html, "dd.mono a[href^='https://doi.org/']", "href");
    assert_eq!(
        doi_link,
        "https://doi.org/10.1002/(sici)(1997)5:1%3C1::aid-nt1%3E3.0.co;2-8"
    );
    let local = doi_link.replace("https://doi.org/", "/doi/");
    assert_eq!(get(&app, &local).await.location(), "/scimag/1");
    let html = get(&app, "/scimag/100000").await.html();
    assert_eq!(select(&html, "meta[name=citation_author]").len(), 3);
    let html = get(&app, "/scimag/2").await.html();
    assert_eq!(
        attr(&html, "a[href^='https://pubmed']", "href"),
        "https://pubmed.ncbi.nlm.nih.gov/8698766/"
    );

    // Withdrawn, superseded, other versions, same file.
    let html = get(&app, "/libgen/2004").await.html();
    assert!(text_of(&html, ".notice.warn").contains("withdrawn"));
    let html = get(&app, "/fiction/4").await.html();
    assert!(text_of(&html, ".notice").contains("better version"));
    assert_eq!(attr(&html, ".notice .related a", "href"), "/fiction/2");
    let html = get(&app, "/fiction/2").await.html();
    assert_eq!(attr(&html, "ul.related a", "href"), "/fiction/4");
    assert!(text_of(&html, ".record-main").contains("Call me Ishmael"));
    let html = get(&app, "/scimag/66761051").await.html();
    assert_eq!(attr(&html, "ul.related a", "href"), "/scimag/90000001");
    let html = get(&app, "/scimag/90000001").await.html();
    assert!(text_of(&html, ".notice.warn").contains("withdrawn"));
}

#[tokio::test]
async fn citations_download_as_bibtex_and_ris() {
    let app = app().await;
    let reply = get(&app, "/libgen/7/bibtex").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply
        .header(header::CONTENT_TYPE)
        .starts_with("application/x-bibtex"));
    assert!(reply
        .header(header::CONTENT_DISPOSITION)
        .contains("libgen7.bib"));
    let bib = reply.text();
    assert!(bib.starts_with("@book{libgen7,\n"), "{bib}");
    for want in [
        "title = {Introduction to Algorithms}",
        "author = {Thomas H. Cormen and Charles E. Leiserson and Ronald L. Rivest and Clifford Stein}",
        "year = {2009}",
        "publisher = {MIT Press}",
        "isbn = {9780262033848}",
    ] {
        assert!(bib.contains(want), "{want} in {bib}");
    }
    let reply = get(&app, "/scimag/5/ris").await;
    assert!(reply
        .header(header::CONTENT_TYPE)
        .starts_with("application/x-research-info-systems"));
    let ris = reply.text();
    assert!(ris.starts_with("TY  - JOUR\r\n"), "{ris}");
    for want in [
        "TI  - Über die Hypothesen",
        "AU  - B. Riemann",
        "JO  - Mathematische Annalen",
        "SP  - 1",
        "EP  - 12",
        "DO  - 10.1007/bf01397280",
        "ER  - ",
    ] {
        assert!(ris.contains(want), "{want} in {ris}");
    }
    assert_eq!(
        get(&app, "/libgen/999999/bibtex").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn identifier_links_redirect_to_records() {
    let app = app().await;
    let cases = [
        ("/md5/C668B424CEE13E5994C85C7EE8F18827", "/libgen/7"),
        (&format!("/md5/{MOBY_MD5}"), "/fiction/2"),
        ("/md5/67c3d9f828dfbb67135851d66a4636e3", "/scimag/66761051"),
        ("/doi/10.1103/PhysRev.47.777", "/scimag/100000"),
        ("/10.1103/physrev.47.777", "/scimag/100000"),
        ("/10.5822/978-1-61091-843-5_15", "/scimag/66761051"),
        (
            "/doi/10.1002%2F%28sici%29%281997%295%3A1%3C1%3A%3Aaid-nt1%3E3.0.co%3B2-8",
            "/scimag/1",
        ),
        (
            "/doi/https%3A%2F%2Fdoi.org%2F10.1007%2FBF01397280",
            "/scimag/5",
        ),
        ("/isbn/0262033844", "/libgen/7"),
        ("/isbn/978-0-262-03384-8", "/libgen/7"),
        ("/isbn/0-201-02116-1", "/libgen/2002"),
        (
            "/fiction/252D4AC1817C18746DCE8155E601AF68",
            &format!("/md5/{MOBY_MD5}"),
        ),
        (
            "/book/index.php?md5=C668B424CEE13E5994C85C7EE8F18827",
            &format!("/md5/{CLRS_MD5}"),
        ),
        (
            "/search.php?req=algorithms&column=title&res=50",
            "/search?q=title%3A%22algorithms%22&collection=libgen&per_page=50",
        ),
    ];
    for (from, to) in cases {
        let reply = get(&app, from).await;
        assert!(reply.status.is_redirection(), "{from}: {}", reply.status);
        assert_eq!(reply.location(), to, "{from}");
    }
    // Several matches: a result list.
    let reply = get(&app, "/isbn/9780142437247").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/search?q=isbn%3A9780142437247");
    assert_eq!(
        result_links(&get(&app, reply.location()).await.html()),
        ["/fiction/2", "/fiction/4"]
    );
    // Unknown or invalid identifiers: a 404 page that offers a search.
    for uri in [
        "/md5/00000000000000000000000000000000",
        "/md5/xyz",
        "/doi/10.9999/nothing-here",
        "/10.9999/nothing",
        "/isbn/9780000000002",
        "/isbn/123",
        "/doi/hello",
    ] {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        let html = reply.html();
        assert_eq!(
            attr(&html, ".error-page form", "action"),
            "/search",
            "{uri}"
        );
        assert_eq!(
            attr(&html, ".error-page input[name=q]", "type"),
            "search",
            "{uri}"
        );
    }
    let html = get(&app, "/md5/00000000000000000000000000000000")
        .await
        .html();
    assert_eq!(
        attr(&html, ".error-page input[name=q]", "value"),
        "00000000000000000000000000000000"
    );
}

#[tokio::test]
async fn downloads_stream_local_files_with_ranges() {
    let f = fixture();
    let app = app().await;
    let reply = get_with(&app, "/download/libgen/7", &[("Accept-Encoding", "gzip")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, f.clrs);
    assert_eq!(reply.header(header::CONTENT_TYPE), "application/pdf");
    assert_eq!(reply.header(header::CONTENT_LENGTH), "100000");
    assert_eq!(reply.header(header::ACCEPT_RANGES), "bytes");
    assert_eq!(
        reply.header(header::CONTENT_ENCODING),
        "",
        "files are not recompressed"
    );
    let disposition = reply.header(header::CONTENT_DISPOSITION);
    assert!(
        disposition.starts_with("attachment; filename=\"Thomas H. Cormen et al - Introduction to Algorithms (2009).pdf\""),
        "{disposition}"
    );
    assert_security_headers(&reply);
    let etag = reply.header(header::ETAG).to_string();

    let part = get_with(&app, "/download/libgen/7", &[("Range", "bytes=100-199")]).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.header(header::CONTENT_RANGE), "bytes 100-199/100000");
    assert_eq!(part.body, &f.clrs[100..200]);
    let tail = get_with(&app, "/download/libgen/7", &[("Range", "bytes=-10")]).await;
    assert_eq!(tail.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail.body, &f.clrs[99_990..]);
    let open = get_with(&app, "/download/libgen/7", &[("Range", "bytes=99000-")]).await;
    assert_eq!(open.body, &f.clrs[99_000..]);
    let beyond = get_with(&app, "/download/libgen/7", &[("Range", "bytes=200000-")]).await;
    assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.header(header::CONTENT_RANGE), "bytes */100000");
    let matching = get_with(
        &app,
        "/download/libgen/7",
        &[("Range", "bytes=0-9"), ("If-Range", &etag)],
    )
    .await;
    assert_eq!(matching.status, StatusCode::PARTIAL_CONTENT);
    let stale = get_with(
        &app,
        "/download/libgen/7",
        &[("Range", "bytes=0-9"), ("If-Range", "\"other\"")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.body.len(), 100_000);
    let cached = get_with(&app, "/download/libgen/7", &[("If-None-Match", &etag)]).await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    let head = send(
        &app,
        Request::head("/download/libgen/7")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.header(header::CONTENT_LENGTH), "100000");

    let reply = get(&app, "/download/fiction/2").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, f.moby);
    assert_eq!(reply.header(header::CONTENT_TYPE), "application/epub+zip");
    assert!(reply
        .header(header::CONTENT_DISPOSITION)
        .contains("Melville, Herman - Moby-Dick; or, The Whale (1851).epub"));
}

#[tokio::test]
async fn papers_are_served_out_of_their_zip() {
    let f = fixture();
    let app = app().await;
    let reply = get(&app, "/download/scimag/66761051").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body, f.chapter,
        "the stored entry, not its neighbour or the zip"
    );
    assert_eq!(reply.header(header::CONTENT_TYPE), "application/pdf");
    assert!(reply
        .header(header::CONTENT_DISPOSITION)
        .contains("Green, G. - Chapter 15. Quoted and it's (2017).pdf"));
    let part = get_with(
        &app,
        "/download/scimag/66761051",
        &[("Range", "bytes=29990-")],
    )
    .await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.header(header::CONTENT_RANGE),
        "bytes 29990-29999/30000"
    );
    assert_eq!(part.body, &f.chapter[29_990..]);
    // A deflated entry named with another case and encoding is found and extracted.
    let reply = get(&app, "/download/scimag/1").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, f.paper);
    // The record page shows where it is.
    let html = get(&app, "/scimag/66761051").await.html();
    assert_eq!(
        attr(&html, "a#download", "href"),
        "/download/scimag/66761051"
    );
    let location = text_of(&html, ".location");
    for want in [
        "libgen.scimag66761000-66761999.zip",
        "10.5822/978-1-61091-843-5_15.pdf",
        "sm_66700000-66799999.torrent",
        "66700000/libgen.scimag66761000-66761999.zip",
    ] {
        assert!(location.contains(want), "{want} in {location}");
    }
    let html = get(&app, "/scimag/1").await.html();
    assert!(text_of(&html, ".location")
        .contains("10.1002/%28SICI%29%281997%295%3A1%3C1%3A%3AAID-NT1%3E3.0.CO%3B2-8.pdf"));
}

#[tokio::test]
async fn absent_files_point_to_their_torrent_with_a_magnet_link() {
    let f = fixture();
    let app = app().await;
    // In the repository and in a local .torrent: download link and a magnet for just this file.
    let html = get(&app, "/libgen/7").await.html();
    assert_eq!(attr(&html, "a#download", "href"), "/download/libgen/7");
    let magnet = attr(&html, "a#magnet", "href");
    assert_eq!(
        magnet,
        format!(
            "magnet:?xt=urn:btih:{}&dn=0&tr=http%3A%2F%2Ftracker.invalid%3A6969%2Fannounce&so=1",
            f.info_hash
        )
    );
    assert_eq!(
        attr(&html, "a#torrent-file", "href"),
        "/torrents/r_000.torrent"
    );
    assert!(text_of(&html, ".location").contains(&f.info_hash));

    // Not in the repository: the download gives a page pointing at the torrent.
    let reply = get(&app, "/download/libgen/8").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let html = reply.html();
    assert!(text_of(&html, "h1").contains("not in the local repository"));
    let location = text_of(&html, ".location");
    assert!(
        location.contains("r_000.torrent") && location.contains(&format!("0/{FOURIER_MD5}")),
        "{location}"
    );
    assert!(attr(&html, "a#magnet", "href").ends_with("&so=0"));
    assert!(select(&html, "a#download").is_empty());
    // A paper whose zip is here but lacks its entry.
    let reply = get(&app, "/download/scimag/5").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(text_of(&reply.html(), ".location").contains("sm_00000000-00099999.torrent"));
    // An unreadable .torrent is reported, not fatal.
    let html = get(&app, "/fiction/3").await.html();
    assert!(text_of(&html, ".location").contains("could not be read"));
    assert!(select(&html, "a#magnet").is_empty());
    // A record without an MD5 cannot be located.
    let html = get(&app, "/fiction/2000").await.html();
    assert!(text_of(&html, ".location").contains("no valid MD5"));
    assert_eq!(
        get(&app, "/download/fiction/2000").await.status,
        StatusCode::NOT_FOUND
    );

    // The .torrent file itself.
    let reply = get(&app, "/torrents/r_000.torrent").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        "application/x-bittorrent"
    );
    assert_eq!(reply.body, f.torrent);
}

#[tokio::test]
async fn torrents_page_shows_coverage() {
    let f = fixture();
    let state = state().await;
    let app = web::app(state.clone());
    // The records per torrent are counted after the start (a scan of each table).
    let early = get(&app, "/torrents").await;
    assert_eq!(early.status, StatusCode::OK);
    assert!(!select(&early.html(), "#counting").is_empty());
    state.refresh_coverage().await;
    let reply = get(&app, "/torrents").await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = reply.html();
    assert!(select(&html, "#counting").is_empty());
    let cell = Selector::parse("th, td").unwrap();
    let rows: Vec<String> = select(&html, "table.coverage tbody tr")
        .iter()
        .map(|r| {
            r.select(&cell)
                .map(|c| {
                    c.text()
                        .collect::<String>()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(rows.len(), 3);
    assert!(
        rows[0].starts_with("Sci-tech 9 4 1 2 (22.2 %) 1 2 (22.2 %)"),
        "{}",
        rows[0]
    );
    assert!(rows[1].starts_with("Fiction 5"), "{}", rows[1]);
    let list = text_of(&html, "table.torrent-list");
    assert!(
        list.contains("r_000.torrent") && list.contains(&f.info_hash) && list.contains("0–999"),
        "{list}"
    );
    assert!(text_of(&html, "main").contains("f_0.torrent"));
    assert!(
        !select(&html, "table.torrent-list .flag").is_empty(),
        "the unreadable f_0.torrent is flagged"
    );
}

#[tokio::test]
async fn healthz_reports_catalog_and_index() {
    let app = app().await;
    let reply = get(&app, "/healthz").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply
        .header(header::CONTENT_TYPE)
        .starts_with("application/json"));
    let json: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(json["status"], "ok");
    assert_eq!(json["catalog"]["ok"], true);
    assert_eq!(json["catalog"]["records"]["libgen"], 9);
    assert_eq!(json["catalog"]["records"]["fiction"], 5);
    assert_eq!(json["catalog"]["records"]["scimag"], 8);
    assert!(json["index"]["generation"]
        .as_str()
        .unwrap()
        .starts_with("gen-"));
    assert_eq!(json["index"]["documents"], 22);
}

#[tokio::test]
async fn static_assets_are_embedded_and_cached() {
    let app = app().await;
    let js = get(&app, "/static/htmx.min.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js
        .header(header::CONTENT_TYPE)
        .starts_with("text/javascript"));
    assert!(js.text().starts_with("var htmx="));
    let etag = js.header(header::ETAG).to_string();
    assert_eq!(
        get_with(&app, "/static/htmx.min.js", &[("If-None-Match", &etag)])
            .await
            .status,
        StatusCode::NOT_MODIFIED
    );
    let css = get_with(&app, "/static/style.css", &[("Accept-Encoding", "gzip")]).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header(header::CONTENT_ENCODING), "gzip");
    assert!(get(&app, "/static/htmx.LICENSE.txt")
        .await
        .text()
        .contains("2.0.11"));
    let icon = get(&app, "/favicon.ico").await;
    assert_eq!(icon.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(icon.location(), "/static/favicon.svg");
    assert_eq!(
        get(&app, "/static/favicon.svg")
            .await
            .header(header::CONTENT_TYPE),
        "image/svg+xml"
    );
    let page = get_with(&app, "/search?q=the", &[("Accept-Encoding", "gzip")]).await;
    assert_eq!(page.header(header::CONTENT_ENCODING), "gzip");
}

#[tokio::test]
async fn path_traversal_is_refused() {
    let app = app().await;
    for uri in [
        "/static/../Cargo.toml",
        "/static/..%2fCargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/%2e%2e%2fCargo.toml",
        "/static/..%5cCargo.toml",
        "/static//etc/passwd",
        "/static/./style.css",
        "/download/libgen/..%2f..",
        "/download/libgen/..%2f..%2fCargo.toml",
        "/download/..%2f..%2fetc/7",
        "/download/libgen/7%2f..%2f..",
        "/download/libgen/../../Cargo.toml",
        "/torrents/..%2fr_000.torrent",
        "/torrents/..%2f..%2fCargo.toml",
        "/torrents/%2e%2e",
        "/md5/..%2f..%2fetc%2fpasswd",
        "/doi/..%2f..%2fetc%2fpasswd",
        "/libgen/..%2f..%2fCargo.toml",
    ] {
        let reply = get(&app, uri).await;
        assert!(
            reply.status == StatusCode::NOT_FOUND || reply.status == StatusCode::BAD_REQUEST,
            "{uri}: {}",
            reply.status
        );
        let text = reply.text();
        assert!(
            !text.contains("[package]") && !text.contains("root:"),
            "{uri} leaked a file"
        );
    }
}

/// Sends raw bytes to the app served on a loopback port; returns the response's status code.
async fn raw_status(app: &Router, request: &str) -> u16 {
    use std::future::IntoFuture;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(axum::serve(listener, app.clone()).into_future());
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    // The server may answer (and close) before it has read everything.
    let _ = stream.write_all(request.as_bytes()).await;
    let mut head = vec![0u8; 64];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut head))
        .await
        .unwrap()
        .unwrap();
    server.abort();
    let line = String::from_utf8_lossy(&head[..n]).into_owned();
    line.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {line:?}"))
}

#[tokio::test]
async fn oversized_and_malformed_requests_are_refused() {
    let app = app().await;
    // In-process requests (the `http` crate takes URIs up to 64 KiB)...
    let long_query = format!("/search?q={}", "a".repeat(60 * 1024));
    let reply = get(&app, &long_query).await;
    assert_eq!(reply.status, StatusCode::URI_TOO_LONG);
    assert_security_headers(&reply);
    // ...and a 100 KB query string over a real socket.
    let status = raw_status(
        &app,
        &format!(
            "GET /search?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
            "a".repeat(100 * 1024)
        ),
    )
    .await;
    assert!(status == 414 || status == 431, "{status}");
    let status = raw_status(
        &app,
        &format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX-Padding: {}\r\n\r\n",
            "y".repeat(20 * 1024)
        ),
    )
    .await;
    assert_eq!(status, 431);
    let status = raw_status(&app, "GET /libgen/abc HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(status, 404);
    let big = "x".repeat(20 * 1024);
    let reply = get_with(&app, "/", &[("X-Padding", &big)]).await;
    assert_eq!(reply.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let reply = send(
        &app,
        Request::builder()
            .method(Method::POST)
            .uri("/search")
            .header(header::CONTENT_LENGTH, 200_000)
            .body(Body::from(vec![b'a'; 200_000]))
            .unwrap(),
    )
    .await;
    assert!(
        reply.status == StatusCode::PAYLOAD_TOO_LARGE
            || reply.status == StatusCode::METHOD_NOT_ALLOWED,
        "{}",
        reply.status
    );
    let reply = send(&app, Request::post("/search").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(reply.header(header::ALLOW).contains("GET"));
    for uri in [
        "/libgen/abc",
        "/libgen/-1",
        "/libgen/0",
        "/libgen/99999999999999999999999",
        "/scimag/1.5",
        "/fiction/%00",
        "/libgen/123456789",
        "/download/libgen/abc",
        "/download/books/7",
        "/download/libgen/99999999",
        "/no/such/page",
        "/torrents/nope.torrent",
    ] {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            reply.header(header::CONTENT_TYPE).starts_with("text/html"),
            "{uri}"
        );
        assert!(
            !select(&reply.html(), ".error-page form[action='/search']").is_empty(),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn a_rebuilt_index_is_served_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    common::import_ok(dir.path(), &[&common::dump("libgen.sql")]);
    let config = Config::new(
        &dir.path().join("catalog.sqlite"),
        &dir.path().join("index"),
        None,
        None,
    );
    let state = AppState::open(&config).await.unwrap();
    let before = state.engine.generation().unwrap();
    state.spawn_refreshers();
    let app = web::app(state);
    let out = common::lanshelf(dir.path()).arg("index").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let json: serde_json::Value =
            serde_json::from_slice(&get(&app, "/healthz").await.body).unwrap();
        if json["index"]["generation"]
            .as_str()
            .is_some_and(|g| g != before)
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still serving {before}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        result_links(&get(&app, "/search?q=algorithms").await.html()),
        ["/libgen/7"]
    );
}

#[test]
fn lanshelf_serve_answers_and_stops_cleanly_on_sigterm() {
    use std::io::{Read, Write};
    let f = fixture();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = common::lanshelf(&f.dir)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .arg("--repository")
        .arg(f.dir.join("repository"))
        .arg("--torrents")
        .arg(f.dir.join("torrents"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let response = loop {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            s.write_all(b"GET /download/libgen/7 HTTP/1.1\r\nHost: x\r\nRange: bytes=0-99\r\nConnection: close\r\n\r\n").unwrap();
            let mut out = Vec::new();
            s.read_to_end(&mut out).unwrap();
            break out;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "lanshelf serve did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let head = String::from_utf8_lossy(&response[..response.len().min(600)]).to_string();
    assert!(head.starts_with("HTTP/1.1 206"), "{head}");
    assert!(
        response.ends_with(&f.clrs[..100]),
        "the first 100 bytes of the file"
    );
    let term = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("lanshelf serve did not stop on SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "exit status after SIGTERM: {status}");
}

/// Every URL an element of the page points at, from the attributes that hold one.
fn page_links(html: &Html) -> Vec<String> {
    let mut out = Vec::new();
    for (css, name) in [
        ("[href]", "href"),
        ("[src]", "src"),
        ("form[action]", "action"),
        ("[hx-get]", "hx-get"),
        ("[hx-post]", "hx-post"),
        ("meta[name$=_url]", "content"),
    ] {
        for e in select(html, css) {
            if let Some(v) = e.value().attr(name) {
                out.push(v.to_string());
            }
        }
    }
    out
}

/// A link that leaves the portal (or stays on the page), so no base path applies.
fn is_external(link: &str) -> bool {
    link.starts_with('#')
        || link.starts_with("magnet:")
        || link.starts_with("mailto:")
        || link.starts_with("https://")
        || link.starts_with("http://")
}

#[tokio::test]
async fn base_path_serves_every_page_asset_and_link_under_the_prefix() {
    let f = fixture();
    let mut config = Config::new(
        &f.dir.join("catalog.sqlite"),
        &f.dir.join("index"),
        Some(&f.dir.join("repository")),
        Some(&f.dir.join("torrents")),
    );
    config.base_path = "/lanshelf".into();
    let app = web::app(AppState::open(&config).await.unwrap());

    // Walk the portal from its home page: every page found by following links, each link
    // checked for the prefix, each page or asset answering under it.
    let mut queue: Vec<String> = vec![
        "/lanshelf".into(),
        "/lanshelf/".into(),
        "/lanshelf/search?q=moby".into(),
        "/lanshelf/search?q=algorithms&lang=English".into(),
        "/lanshelf/libgen/7".into(),
        "/lanshelf/scimag/1".into(),
        "/lanshelf/torrents".into(),
    ];
    let mut seen = std::collections::BTreeSet::new();
    let mut pages = 0;
    while let Some(url) = queue.pop() {
        if !seen.insert(url.clone()) || seen.len() > 300 {
            continue;
        }
        let reply = get(&app, &url).await;
        let status = reply.status;
        assert!(
            status.is_success() || status.is_redirection(),
            "{url}: {status}"
        );
        if status.is_redirection() {
            let to = reply.location().to_string();
            assert!(to.starts_with("/lanshelf/"), "{url} redirects to {to}");
            queue.push(to);
            continue;
        }
        if !reply.header(header::CONTENT_TYPE).starts_with("text/html") {
            continue;
        }
        pages += 1;
        let links = page_links(&reply.html());
        assert!(!links.is_empty(), "{url} has links");
        for link in links {
            if is_external(&link) {
                continue;
            }
            assert!(
                link.starts_with("/lanshelf/") || link == "/lanshelf",
                "{url} links to {link}"
            );
            // Downloads and torrents are answered too; only pages are walked further.
            queue.push(link.replace("&amp;", "&"));
        }
    }
    assert!(pages >= 7, "walked {pages} pages");
    for asset in ["style.css", "htmx.min.js", "app.js", "favicon.svg"] {
        assert!(
            seen.iter()
                .any(|u| u.starts_with(&format!("/lanshelf/static/{asset}"))),
            "{asset} reached"
        );
    }
    assert!(seen.iter().any(|u| u.starts_with("/lanshelf/download/")));
    assert!(seen.iter().any(|u| u.starts_with("/lanshelf/torrents/")));

    // The fragment htmx swaps in, and the URL it pushes.
    let fragment = get_with(&app, "/lanshelf/search?q=moby", &[("HX-Request", "true")]).await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(fragment
        .header(axum::http::HeaderName::from_static("hx-push-url"))
        .starts_with("/lanshelf/search?"));
    for link in page_links(&fragment.html()) {
        assert!(
            is_external(&link) || link.starts_with("/lanshelf/"),
            "fragment links to {link}"
        );
    }
    // Redirects stay under the prefix.
    let md5 = get(&app, &format!("/lanshelf/md5/{CLRS_MD5}")).await;
    assert_eq!(md5.location(), "/lanshelf/libgen/7");
    assert_eq!(
        get(&app, "/lanshelf/favicon.ico").await.location(),
        "/lanshelf/static/favicon.svg"
    );

    // Outside the prefix there is nothing.
    for path in [
        "/",
        "/search?q=moby",
        "/libgen/7",
        "/torrents",
        "/static/style.css",
        "/healthz",
        "/lanshelfx",
    ] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(get(&app, "/lanshelf/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn forwarded_prefix_is_put_into_links_when_asked_for() {
    let f = fixture();
    let mut config = Config::new(
        &f.dir.join("catalog.sqlite"),
        &f.dir.join("index"),
        Some(&f.dir.join("repository")),
        Some(&f.dir.join("torrents")),
    );
    config.forwarded_prefix = true;
    let trusting = web::app(AppState::open(&config).await.unwrap());
    // The proxy stripped `/books` and names it.
    let page = get_with(
        &trusting,
        "/search?q=moby",
        &[("X-Forwarded-Prefix", "/books/")],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let links: Vec<String> = page_links(&page.html())
        .into_iter()
        .filter(|l| !is_external(l))
        .collect();
    assert!(!links.is_empty());
    for link in &links {
        assert!(link.starts_with("/books/"), "{link}");
    }
    let md5 = get_with(
        &trusting,
        &format!("/md5/{CLRS_MD5}"),
        &[("X-Forwarded-Prefix", "/books")],
    )
    .await;
    assert_eq!(md5.location(), "/books/libgen/7");
    // No header: links as they are; a header that is no path: ignored.
    let plain = get(&trusting, "/search?q=moby").await;
    assert!(page_links(&plain.html())
        .iter()
        .any(|l| l.starts_with("/fiction/")));
    let odd = get_with(
        &trusting,
        "/search?q=moby",
        &[("X-Forwarded-Prefix", "javascript:x")],
    )
    .await;
    assert!(page_links(&odd.html())
        .iter()
        .any(|l| l.starts_with("/fiction/")));

    // Without --forwarded-prefix the header is not trusted.
    let untrusting = app().await;
    let page = get_with(
        &untrusting,
        "/search?q=moby",
        &[("X-Forwarded-Prefix", "/books")],
    )
    .await;
    assert!(page_links(&page.html())
        .iter()
        .any(|l| l.starts_with("/fiction/")));
    assert!(!page_links(&page.html())
        .iter()
        .any(|l| l.starts_with("/books")));
}

#[tokio::test]
async fn links_that_leave_the_repository_are_not_followed() {
    // A BitTorrent client can create symbolic links (BEP 47): one in the repository pointing at
    // a secret must not serve it, as a file or as a cover; a link inside the repository is fine.
    let f = fixture();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("passwd");
    std::fs::write(&secret, b"root:x:0:0:secret").unwrap();
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    std::fs::create_dir_all(r.join("libgen/0")).unwrap();
    std::fs::create_dir_all(r.join("libgen/store")).unwrap();
    std::fs::create_dir_all(r.join("covers/0")).unwrap();
    std::os::unix::fs::symlink(&secret, r.join("libgen/0").join(CLRS_MD5)).unwrap();
    std::fs::write(r.join("libgen/store/fourier.bin"), b"the fourier book").unwrap();
    std::os::unix::fs::symlink(
        r.join("libgen/store/fourier.bin"),
        r.join("libgen/0").join(FOURIER_MD5),
    )
    .unwrap();
    std::os::unix::fs::symlink(&secret, r.join(format!("covers/0/{CLRS_MD5}.jpg"))).unwrap();
    let open = |follow: bool| {
        let mut config = Config::new(
            &f.dir.join("catalog.sqlite"),
            &f.dir.join("index"),
            Some(r),
            None,
        );
        config.repository = config.repository.with_links_followed(follow);
        async move { web::app(AppState::open(&config).await.unwrap()) }
    };
    let app = open(false).await;
    let reply = get(&app, "/download/libgen/7").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(!reply.text().contains("secret"));
    let reply = get(&app, "/covers/libgen/7").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(!reply.text().contains("secret"));
    let reply = get(&app, "/download/libgen/8").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "a link inside the repository is served"
    );
    assert_eq!(reply.body, b"the fourier book");
    // Following links is the user's explicit choice.
    let app = open(true).await;
    let reply = get(&app, "/download/libgen/7").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, b"root:x:0:0:secret");
}
