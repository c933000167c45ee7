//! Search as a new user tries it, on a catalog like the demo's (the bundled samples plus 3 000
//! generated records per collection from the benchmarks' generator, whose many made-up words
//! stress the ranking more than the demo's readable titles; imported and indexed by the real binary): word forms,
//! word beginnings, the fallback order, symbols in words, languages, and facet counts that are
//! the results they promise, page by page over real HTTP against `lanshelf serve`.

mod common;
use common::Server;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use lanshelf::search::{SearchEngine, SearchRequest, SearchResults};
use lanshelf::Collection::{self, Fiction, Libgen};

struct Demo {
    dir: PathBuf,
    engine: SearchEngine,
}

/// The demo catalog: what `lanshelf demo` imports (see `commands::demo`).
fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("lanshelf-demo-test-")
            .tempdir()
            .unwrap()
            .keep();
        let mut files: Vec<PathBuf> = ["libgen.sql", "fiction.sql", "scimag.sql", "search.sql"]
            .map(common::dump)
            .to_vec();
        for collection in ["libgen", "fiction", "scimag"] {
            let out = dir.join(format!("synthetic-{collection}.sql"));
            let status = common::lanshelf(&dir)
                .args(["gen-dump", "--collection", collection, "--rows", "3000"])
                .args(["--seed", "7", "--first-id", "10000000", "--out"])
                .arg(&out)
                .status()
                .unwrap();
            assert!(status.success());
            files.push(out);
        }
        let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
        common::import_ok(&dir, &refs);
        let engine =
            SearchEngine::open_with_catalog(&dir.join("index"), &dir.join("catalog.sqlite"))
                .unwrap();
        Demo { dir, engine }
    })
}

fn run(req: SearchRequest) -> SearchResults {
    demo().engine.search(&req).unwrap()
}

/// A search as the page sends it while the user types (`typing`: the last word is a beginning
/// unless a space follows it).
fn typed(q: &str) -> SearchResults {
    let mut req = SearchRequest::new(q);
    req.typing = true;
    run(req)
}

fn search(q: &str) -> SearchResults {
    run(SearchRequest::new(q))
}

fn ids(r: &SearchResults) -> Vec<(Collection, u64)> {
    r.hits.iter().map(|h| (h.collection, h.id)).collect()
}

/// Where `record` is among the first page (panics with the page when absent).
fn rank_of(r: &SearchResults, record: (Collection, u64), q: &str) -> usize {
    ids(r)
        .iter()
        .position(|x| *x == record)
        .unwrap_or_else(|| panic!("`{q}` does not find {record:?}: {:?}", ids(r)))
}

const CLRS: (Collection, u64) = (Libgen, 7);
const FEYNMAN: (Collection, u64) = (Libgen, 2002);

#[test]
fn word_forms_find_the_book() {
    // The title says "Algorithms": found on the first page, below the records whose words are
    // exactly `algorithm` (exact forms rank first).
    let r = search("algorithm");
    rank_of(&r, CLRS, "algorithm");
    assert!(
        rank_of(
            &search("introduction algorithm"),
            CLRS,
            "introduction algorithm"
        ) < 3
    );
    assert_eq!(ids(&search("introductions to algorithms"))[0], CLRS);
    // Other languages' forms: Russian (genitive), German (singular of Sätze), French plural.
    assert_eq!(ids(&search("наказания"))[0], (Libgen, 2000));
    assert_eq!(ids(&search("преступлением наказания"))[0], (Libgen, 2000));
    assert_eq!(ids(&search("satz unentscheidbar"))[0], (Libgen, 1999));
    rank_of(
        &search("theories analytiques"),
        (Libgen, 8),
        "theories analytiques",
    );
    // Exact forms rank above other forms: `lectures` finds the Feynman Lectures first.
    assert_eq!(ids(&search("feynman lecture"))[0], FEYNMAN);
}

#[test]
fn beginnings_match_while_typing() {
    // Only the last word is being typed: `intro algo` looks for the whole word `intro`.
    assert!(typed("intro algo").partial);
    // `intro` begins hundreds of generated titles' "Introduction": the book is among them.
    let mut req = SearchRequest::new("intro");
    req.typing = true;
    req.per_page = 100;
    let all: Vec<(Collection, u64)> = (1..=10)
        .flat_map(|page| {
            let mut req = req.clone();
            req.page = page;
            ids(&run(req))
        })
        .collect();
    assert!(
        all.contains(&CLRS),
        "`intro` finds Introduction to Algorithms"
    );
    for (q, record) in [
        ("algo", CLRS),
        ("intro* algo", CLRS),
        ("introduction algo", CLRS),
        ("feyn", FEYNMAN),
        ("dostoev", (Fiction, 60004)),
        ("достоев", (Libgen, 2000)),
    ] {
        let r = typed(q);
        assert!(
            !r.fuzzy && !r.partial,
            "`{q}` needs no fallback: {:?}",
            ids(&r)
        );
        assert!(rank_of(&r, record, q) < 10, "`{q}`: {:?}", ids(&r));
    }
    // `word*` anywhere, typing or not.
    rank_of(&search("algo* introduction"), CLRS, "algo* introduction");
    // A finished word (a space after it) is a whole word again.
    assert!(!ids(&typed("algo ")).contains(&CLRS));
    assert!(
        !ids(&search("algo")).contains(&CLRS),
        "not typing: whole words"
    );
    // Too short to stand for the words it begins.
    assert!(!ids(&typed("al")).contains(&CLRS));
    // Whole words rank above words they begin: every record with the word `art` (in any of its
    // forms: `arts`, German `Arten`) comes before those with only `artificial`, `Arthur`…
    let mut req = SearchRequest::new("art");
    req.typing = true;
    req.per_page = 100;
    let mut all = Vec::new();
    for page in 1..=20 {
        req.page = page;
        let r = run(req.clone());
        all.extend(ids(&r));
        if r.total <= page * 100 {
            break;
        }
    }
    let conn = rusqlite::Connection::open(demo().dir.join("catalog.sqlite")).unwrap();
    let art = lanshelf::search::forms::query_stems("art");
    let whole: Vec<bool> = all
        .into_iter()
        .map(|(c, id)| {
            let columns = match c {
                Collection::Scimag => "title, author, journal",
                Collection::Fiction => "title, author, series, publisher",
                Collection::Libgen => {
                    "title, volume_info, series, periodical, author, publisher, edition, tags, \
                     (SELECT topic_descr FROM libgen_topics t WHERE t.topic_id = libgen.topic \
                      AND t.lang = 'en')"
                }
                _ => "title, volume, series, issue, author, publisher, edition",
            };
            let text: String = conn
                .query_row(
                    &format!("SELECT concat_ws(' ', {columns}) FROM {c} WHERE id = ?1"),
                    [id as i64],
                    |r| r.get(0),
                )
                .unwrap();
            lanshelf::search::analyzer::query_terms(&text)
                .iter()
                .any(|(_, w)| {
                    lanshelf::search::forms::query_stems(w)
                        .iter()
                        .any(|f| art.contains(f))
                })
        })
        .collect();
    assert!(
        whole.contains(&true) && whole.contains(&false),
        "{} results",
        whole.len()
    );
    let first_partial = whole.iter().position(|w| !w).unwrap();
    assert!(
        whole[first_partial..].iter().all(|w| !w),
        "a whole `art` after a beginning: {whole:?}"
    );
}

#[test]
fn typos_are_corrected_before_some_words() {
    // "feinman" is in no record: corrected to Feynman, with Richard kept (the generated
    // records have a "Richard Feynman" among their authors too).
    let r = search("richard feinman");
    assert!(r.fuzzy && !r.partial);
    let conn = rusqlite::Connection::open(demo().dir.join("catalog.sqlite")).unwrap();
    let author = |(c, id): (Collection, u64)| -> String {
        conn.query_row(
            &format!("SELECT author FROM {c} WHERE id = ?1"),
            [id as i64],
            |r| r.get(0),
        )
        .unwrap()
    };
    for hit in ids(&r).into_iter().take(3) {
        assert!(author(hit).contains("Feynman"), "{hit:?}: {}", author(hit));
    }
    rank_of(&r, FEYNMAN, "richard feinman");
    assert_eq!(ids(&search("richard feinman lectures"))[0], FEYNMAN);
    let r = search("algoritms");
    assert!(r.fuzzy);
    rank_of(&r, CLRS, "algoritms");
    let r = search("introduction to algoritms");
    assert!(r.fuzzy);
    assert_eq!(ids(&r)[0], CLRS);
    // No typo to correct: then some of the words.
    let r = search("schrodinger wonderland");
    assert!(r.partial && !r.fuzzy);
    assert!(r.total >= 2);
    // Both flags reach the API's JSON (see `tests/api.rs`) and the page (see below).
    assert!(!search("feynman").fuzzy);
}

#[test]
fn symbols_are_part_of_words() {
    let cpp = ids(&search("C++"));
    assert!(cpp.contains(&(Libgen, 50008)), "{cpp:?}");
    assert!(!cpp.contains(&(Libgen, 50009)), "C++ is not C: {cpp:?}");
    let c = ids(&search("C"));
    assert!(c.contains(&(Libgen, 50009)), "{c:?}");
    assert_ne!(cpp, c);
    let c_sharp = ids(&search("C#"));
    assert_eq!(c_sharp, [(Libgen, 50010)]);
    for (q, record) in [
        (".NET", (Libgen, 50011)),
        ("net components", (Libgen, 50011)),
        ("Node.js", (Libgen, 50012)),
        ("node js", (Libgen, 50012)),
        ("802.11", (Libgen, 50013)),
        ("x86-64", (Libgen, 50014)),
        ("F#", (Libgen, 50015)),
        ("R data science", (Libgen, 50016)),
        ("C++ primer", (Libgen, 50008)),
    ] {
        assert_eq!(ids(&search(q)).first(), Some(&record), "{q}");
    }
}

#[test]
fn languages_are_normalised_and_unknown_ones_say_so() {
    let facets = demo().engine.catalog_facets().unwrap();
    let names: BTreeSet<&str> = facets.language.iter().map(|(n, _)| n.as_str()).collect();
    // Papers have no language: "Unknown", not "Other".
    assert!(names.contains("Unknown"), "{names:?}");
    for l in ["English", "Russian", "German", "French", "Chinese"] {
        assert!(names.contains(l), "{l} in {names:?}");
    }
    // The synthetic spellings (`eng`, `Deutsch`, `Русский; Russian`…) all land on a language.
    let other = facets
        .language
        .iter()
        .find(|(n, _)| n == "Other")
        .map_or(0, |(_, n)| *n);
    assert_eq!(
        other, 0,
        "every spelling is recognised: {:?}",
        facets.language
    );
    // A typo in a language's name is still the language; a value that names none matches
    // nothing, and says which it may have meant.
    assert!(search("lang:englsh the").total > 0);
    let r = search("lang:span the");
    assert_eq!(r.total, 0, "an unknown language matches nothing");
    let hint = r.unknown_language.expect("a hint");
    assert_eq!(hint.value, "span");
    assert_eq!(
        hint.suggestions.first().map(String::as_str),
        Some("Spanish")
    );
    assert!(search("lang:russian").total > 0);
    assert!(search("lang:русский").total > 0);
}

fn serve(dir: &Path) -> Server {
    Server::start(dir, &[], &[])
}

/// `GET path` over HTTP/1.0 (no chunked body): the status and the body.
fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

fn number(text: &str) -> Option<u64> {
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == '\u{202f}')
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The page's result count ("1 234 results in 3 ms").
fn total(html: &scraper::Html) -> u64 {
    let sel = scraper::Selector::parse("#summary").unwrap();
    let summary: String = html
        .select(&sel)
        .next()
        .map(|e| e.text().collect())
        .unwrap_or_default();
    assert!(!summary.starts_with("More than"), "{summary}");
    number(&summary).unwrap_or_else(|| panic!("no count in `{summary}`"))
}

/// Every link with a count on the page: collection tabs and facet values.
fn counted_links(html: &scraper::Html) -> Vec<(String, String, u64)> {
    let sel = scraper::Selector::parse("nav.tabs a, ul.facet a").unwrap();
    let count_sel = scraper::Selector::parse(".count").unwrap();
    html.select(&sel)
        .filter_map(|a| {
            let n = a.select(&count_sel).next()?;
            let label: String = a.text().collect();
            Some((
                label.trim().to_string(),
                a.value().attr("href")?.to_string(),
                number(&n.text().collect::<String>())?,
            ))
        })
        .collect()
}

#[test]
fn every_facet_count_is_the_count_it_gives() {
    let server = serve(&demo().dir);
    let pages = [
        "/search?q=the",
        "/search?q=the&collection=libgen",
        "/search?q=the&collection=fiction",
        "/search?q=the&collection=scimag",
        "/search?q=the&lang=English",
        "/search?q=the&collection=fiction&lang=Russian",
        "/search?q=the&year_min=1990&year_max=1999",
        "/search?q=the&collection=libgen&ext=pdf&year_min=2000&year_max=2009",
        "/search?q=history",
        "/search?q=history&collection=scimag&year_min=2000&year_max=2009",
        "/search?q=history&lang=German&ext=pdf",
        "/search?q=algo",
        "/search?q=introduction",
        "/search?lang=Unknown",
        "/search?ext=epub",
        "/search?q=feinman",
        "/search?q=schrodinger+wonderland&collection=libgen",
    ];
    let mut checked = 0;
    let mut seen = BTreeSet::new();
    for page in pages {
        let (status, body) = get(server.port, page);
        assert_eq!(status, 200, "{page}");
        let html = scraper::Html::parse_document(&body);
        let links = counted_links(&html);
        assert!(!links.is_empty(), "{page} shows no counts");
        for (label, href, n) in links {
            if !seen.insert(href.clone()) {
                continue;
            }
            let (status, body) = get(server.port, &href);
            assert_eq!(status, 200, "{href}");
            let got = total(&scraper::Html::parse_document(&body));
            assert_eq!(
                got, n,
                "on {page}, `{label}` promised {n} results; {href} gives {got}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 100, "only {checked} facet values checked");
}

#[test]
fn the_page_and_the_api_say_which_fallback_ran() {
    let server = serve(&demo().dir);
    let (_, body) = get(server.port, "/search?q=richard+feinman+");
    assert!(body.contains("similar spellings"), "typo notice");
    let (_, body) = get(server.port, "/search?q=schrodinger+wonderland+");
    assert!(body.contains("some of them"), "some-words notice");
    let (_, body) = get(server.port, "/search?q=the+lang:span");
    assert!(
        body.contains("No language “span”; did you mean Spanish?"),
        "language hint"
    );
    let (_, body) = get(server.port, "/api/search?q=richard+feinman");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (v["fuzzy"].as_bool(), v["fallback"].as_str()),
        (Some(true), Some("typos"))
    );
    let (_, body) = get(server.port, "/api/search?q=schrodinger+wonderland");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["fallback"], "some_words");
    let (status, body) = get(server.port, "/api/search?q=x&lang=qwzx");
    assert_eq!(status, 400, "{body}");
    // Suggestions complete the word being typed.
    let (_, body) = get(server.port, "/api/suggest?q=algo");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let titles: Vec<&str> = v[1]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(titles.contains(&"Introduction to Algorithms"), "{titles:?}");
}
