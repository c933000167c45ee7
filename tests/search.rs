//! The search engine on a real catalog and a real index on disk, built by the real binary from
//! the fixture dumps.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use common::*;
use lanshelf::search::{Filters, Hit, SearchEngine, SearchRequest, SearchResults, Sort};
use lanshelf::Collection;

struct Fixture {
    _dir: tempfile::TempDir,
    index: std::path::PathBuf,
    engine: SearchEngine,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            "libgen.sql",
            "fiction.sql",
            "scimag.sql",
            "scimag-edge.sql",
            "search.sql",
        ]
        .map(dump);
        let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
        import_ok(dir.path(), &refs);
        let index = dir.path().join("index");
        let engine =
            SearchEngine::open_with_catalog(&index, &dir.path().join("catalog.sqlite")).unwrap();
        Fixture {
            _dir: dir,
            index,
            engine,
        }
    })
}

fn search_with(req: SearchRequest) -> SearchResults {
    fixture().engine.search(&req).unwrap()
}

fn search(q: &str) -> SearchResults {
    search_with(SearchRequest::new(q))
}

fn ids(r: &SearchResults) -> Vec<(Collection, u64)> {
    r.hits.iter().map(|h: &Hit| (h.collection, h.id)).collect()
}

fn first(q: &str) -> (Collection, u64) {
    let r = search(q);
    *ids(&r)
        .first()
        .unwrap_or_else(|| panic!("`{q}` found nothing"))
}

use Collection::{Fiction, Libgen, Scimag};

#[test]
fn analyzers_fold_and_segment_every_script() {
    // Diacritics folded both ways.
    assert_eq!(first("Schrodinger"), (Libgen, 50001));
    assert_eq!(first("schrödinger"), (Libgen, 50001));
    assert_eq!(first("Godel"), (Libgen, 1999));
    assert_eq!(first("uber formal unentscheidbare satze"), (Libgen, 1999));
    // Cyrillic, case-insensitive.
    assert_eq!(first("НАКАЗАНИЕ"), (Libgen, 2000));
    assert_eq!(first("война мир"), (Fiction, 60003));
    // CJK: a word inside a title written without spaces.
    assert_eq!(first("红楼"), (Fiction, 60001));
    assert_eq!(first("楼梦"), (Fiction, 60001));
    assert_eq!(first("三国"), (Libgen, 2001));
    // Greek (accents and breathings folded) and Arabic.
    assert_eq!(first("ιλιας"), (Libgen, 50004));
    assert_eq!(first("ΙΛΙΆΣ"), (Libgen, 50004));
    assert_eq!(first("الخوارزميات"), (Libgen, 50005));
    // Apostrophes.
    assert_eq!(first("Alice's Adventures"), (Fiction, 60002));
    assert_eq!(first("alices adventures"), (Fiction, 60002));
    assert_eq!(first("alice wonderland"), (Fiction, 60002));
    assert_eq!(first("obrien"), (Libgen, 2003));
}

#[test]
fn identifiers_go_straight_to_the_record() {
    for q in [
        "c668b424cee13e5994c85c7ee8f18827",
        "C668B424CEE13E5994C85C7EE8F18827",
        "md5:c668b424cee13e5994c85c7ee8f18827",
        "0262033844",
        "978-0-262-03384-8",
        "9780262033848",
        "isbn:0-262-03384-4",
    ] {
        let r = search(q);
        assert_eq!(ids(&r), [(Libgen, 7)], "{q}");
        assert!(r.identifier.is_some(), "{q} is an identifier");
    }
    for q in [
        "10.1038/nature14539",
        "https://doi.org/10.1038/NATURE14539",
        "doi:10.1038/nature14539",
        "pmid:26017442",
        "PMID 26017442",
    ] {
        assert_eq!(ids(&search(q)), [(Scimag, 70001)], "{q}");
    }
    // A SICI DOI with <>;:() and its percent-encoded URL form.
    let sici = "10.1002/(sici)1099-1409(199908/10)3:6/7<437::aid-jmr79>3.0.co;2-8";
    assert_eq!(ids(&search(sici)), [(Scimag, 100001)]);
    let url = "https://doi.org/10.1002/%28sici%291099-1409%28199908%2F10%293%3A6%2F7%3C437%3A%3Aaid-jmr79%3E3.0.co%3B2-8";
    assert_eq!(ids(&search(url)), [(Scimag, 100001)]);
    // An ISBN catalogued as ISBN-13 is found through its ISBN-10 form.
    assert_eq!(first("0-14-143976-9"), (Fiction, 60002));
    // Unknown identifiers find nothing, without falling back to fuzzy words.
    let none = search("ffffffffffffffffffffffffffff9999");
    assert_eq!(none.total, 0);
    assert!(!none.fuzzy);
}

#[test]
fn fielded_syntax() {
    assert_eq!(ids(&search("author:cormen")), [(Libgen, 7)]);
    assert_eq!(search("title:cormen").total, 0);
    assert_eq!(
        first("series:\"art of computer programming\""),
        (Libgen, 50006)
    );
    assert_eq!(first("publisher:perish"), (Libgen, 50003));
    assert_eq!(first("journal:nature"), (Scimag, 70001));
    let r = search("calculus -djvu");
    assert!(ids(&r).contains(&(Libgen, 50003)));
    let r = search("art -knuth");
    assert!(!ids(&r).contains(&(Libgen, 50006)));
    assert!(ids(&r).contains(&(Libgen, 50007)));
    let r = search("art year:2000..2010");
    assert_eq!(ids(&r), [(Libgen, 50007)]);
    let r = search("lang:russian");
    assert!(ids(&r).contains(&(Fiction, 60003)) && ids(&r).contains(&(Libgen, 2000)));
    assert!(search("ext:fb2")
        .hits
        .iter()
        .all(|h| h.collection == Fiction));
}

#[test]
fn filters_and_facets() {
    let english = lanshelf::search::normalize::language_code("English");
    let mut req = SearchRequest::new("art");
    req.filters = Filters {
        lang: Some(english),
        ..Filters::default()
    };
    // `eng` and `en` are both English.
    let r = search_with(req.clone());
    assert_eq!(r.total, 2);
    req.filters.ext = Some(lanshelf::search::normalize::extension_code("epub"));
    let r = search_with(req.clone());
    assert_eq!(ids(&r), [(Libgen, 50007)]);
    // Each facet is counted with the other filters and without its own, so the other choices
    // stay visible with the counts they would give.
    let facets = r.facets.unwrap();
    let ext: Vec<(String, u64)> = facets.extension.clone();
    assert!(
        ext.contains(&("pdf".to_string(), 1)) && ext.contains(&("epub".to_string(), 1)),
        "formats of the English records: {ext:?}"
    );
    assert_eq!(facets.collection, [(Libgen, 1)], "English epubs");
    assert_eq!(facets.decade, [(2000, 1)], "English epubs");
    assert_eq!(
        facets.language,
        [("English".to_string(), 1)],
        "languages of the epubs"
    );

    let mut req = SearchRequest::new("calculus");
    req.filters.collection = Some(Fiction);
    assert_eq!(search_with(req).total, 0);
    let mut req = SearchRequest::new("entropy");
    assert_eq!(
        search_with(req.clone()).total,
        0,
        "withdrawn papers are hidden by default"
    );
    req.filters.show_withdrawn = true;
    assert_eq!(ids(&search_with(req)), [(Scimag, 70002)]);
    let mut req = SearchRequest::new("");
    req.filters.year_min = Some(1860);
    req.filters.year_max = Some(1870);
    let r = search_with(req);
    let mut got = ids(&r);
    got.sort();
    assert_eq!(
        got,
        [
            (Libgen, 2000),
            (Fiction, 60002),
            (Fiction, 60003),
            (Scimag, 5)
        ]
    );
    assert_eq!(search("withdrawn book").total, 0);
}

#[test]
fn sort_orders() {
    let sorted = |sort: Sort| {
        let mut req = SearchRequest::new("lang:english");
        req.sort = sort;
        req.per_page = 100;
        search_with(req)
            .hits
            .iter()
            .map(|h| (h.collection, h.id))
            .collect::<Vec<_>>()
    };
    let by_year = sorted(Sort::YearAsc);
    assert_eq!(
        by_year.first(),
        Some(&(Fiction, 2)),
        "Moby-Dick (1851) is the oldest English record: {by_year:?}"
    );
    let desc = sorted(Sort::YearDesc);
    assert_eq!(
        desc.first(),
        Some(&(Libgen, 7)),
        "2009 is the newest English record"
    );
    assert_eq!(
        sorted(Sort::SizeDesc).first(),
        Some(&(Libgen, 2002)),
        "the 48 MiB Feynman lectures"
    );
    assert_eq!(sorted(Sort::SizeAsc).first(), Some(&(Libgen, 2003)));
    assert_eq!(sorted(Sort::Added).first(), Some(&(Libgen, 50007)));
    let titles = sorted(Sort::Title);
    assert_eq!(
        titles.first(),
        Some(&(Fiction, 60002)),
        "Alice's Adventures sorts first"
    );
}

#[test]
fn ranking_prefers_phrases_and_better_versions() {
    let r = search("art of computer programming");
    assert_eq!(
        ids(&r)[0],
        (Libgen, 50006),
        "the phrase beats scattered words"
    );
    assert!(ids(&r).contains(&(Libgen, 50007)));
    let r = search("calculus spivak");
    assert_eq!(
        ids(&r),
        [(Libgen, 50003), (Libgen, 50002)],
        "the superseded edition ranks just below"
    );
}

#[test]
fn typo_tolerance_is_a_fallback() {
    let r = search("algoritms");
    assert!(r.fuzzy);
    assert_eq!(ids(&r)[0], (Libgen, 7));
    let r = search("schrodinger wonderland");
    assert!(r.partial, "no record has both words");
    assert!(r.total >= 2);
    assert!(!search("algorithms").fuzzy);
}

#[test]
fn hostile_queries_return_normally() {
    let long = "x".repeat(10_000);
    let words = "the of and ".repeat(1000);
    for q in [
        "\"",
        "(((",
        ")))",
        "title:",
        "*",
        "?",
        "\0",
        "a\0b",
        "-",
        "-\"\"",
        ":::",
        "year:..",
        "year:abc",
        "md5:zz",
        "doi:",
        long.as_str(),
        words.as_str(),
        "\u{feff}",
        "🙂",
    ] {
        let r = search(q);
        assert!(r.hits.len() <= 20, "{q:?}");
    }
    let mut req = SearchRequest::new("art");
    req.page = 1_000_000;
    req.per_page = 1_000_000;
    assert!(search_with(req).hits.is_empty());
}

#[test]
fn rebuild_while_reading_then_switch_without_restart() {
    let fx = fixture();
    let dir = tempfile::tempdir().unwrap();
    import_ok(dir.path(), &[&dump("search.sql")]);
    let index = dir.path().join("index");
    let engine = SearchEngine::open(&index).unwrap();
    let before = engine.generation().unwrap();
    assert_eq!(
        engine.search(&SearchRequest::new("spivak")).unwrap().total,
        2
    );
    // A rebuild in another process while this reader is open.
    let out = lanshelf(dir.path()).arg("index").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        engine.search(&SearchRequest::new("spivak")).unwrap().total,
        2,
        "still answering"
    );
    assert!(engine.refresh().unwrap(), "switches to the new generation");
    assert_ne!(engine.generation().unwrap(), before);
    assert_eq!(
        engine.search(&SearchRequest::new("spivak")).unwrap().total,
        2
    );
    // An import updates the open index incrementally; the reader sees it without a restart.
    import_ok(dir.path(), &[&dump("libgen.sql")]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        engine.refresh().unwrap();
        if engine.search(&SearchRequest::new("cormen")).unwrap().total == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the new record never became visible"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = fx;
}

/// The `gen-*` folders in an index folder.
fn generations(index: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(index)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("gen-"))
        .collect();
    names.sort();
    names
}

#[test]
fn a_replaced_generation_goes_when_its_reader_has_switched() {
    let dir = tempfile::tempdir().unwrap();
    import_ok(dir.path(), &[&dump("search.sql")]);
    let index = dir.path().join("index");
    let engine = SearchEngine::open(&index).unwrap();
    let mut served = engine.generation().unwrap();
    assert_eq!(generations(&index), [served.clone()]);
    for run in 1..=2 {
        let out = lanshelf(dir.path()).arg("index").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The reader still serves the previous generation: it stays on disk, and answers.
        let on_disk = generations(&index);
        assert_eq!(on_disk.len(), 2, "run {run}: {on_disk:?}");
        assert!(on_disk.contains(&served), "run {run}: {on_disk:?}");
        assert_eq!(
            engine.search(&SearchRequest::new("spivak")).unwrap().total,
            2
        );
        assert!(engine.refresh().unwrap(), "run {run}: switches");
        let now = engine.generation().unwrap();
        assert_ne!(now, served);
        assert_eq!(
            generations(&index),
            std::slice::from_ref(&now),
            "run {run}: the replaced generation is removed once the reader has switched"
        );
        served = now;
    }
    // With no reader, a rebuild removes the one it replaces at once.
    drop(engine);
    let out = lanshelf(dir.path()).arg("index").output().unwrap();
    assert!(out.status.success());
    let on_disk = generations(&index);
    assert_eq!(on_disk.len(), 1, "{on_disk:?}");
    assert_ne!(on_disk[0], served);
}

#[test]
fn an_incompatible_index_asks_for_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    import_ok(dir.path(), &[&dump("search.sql")]);
    let index = dir.path().join("index");
    let current = std::fs::read_to_string(index.join("CURRENT")).unwrap();
    std::fs::write(
        index.join(current.trim()).join("lanshelf.json"),
        br#"{"format":0,"created":"x"}"#,
    )
    .unwrap();
    let err = SearchEngine::open(&index).err().expect("refused");
    assert!(
        err.to_string().contains("rebuild it with `lanshelf index`"),
        "{err}"
    );
    let out = lanshelf(dir.path())
        .args(["search", "spivak"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("lanshelf index"));
    // The rebuild fixes it.
    assert!(lanshelf(dir.path())
        .arg("index")
        .status()
        .unwrap()
        .success());
    assert!(SearchEngine::open(&index).is_ok());
}

#[test]
fn command_line_search_prints_json_lines() {
    let fx = fixture();
    let dir = fx.index.parent().unwrap();
    let out = lanshelf(dir)
        .args(["search", "--json", "deep", "learning"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8(out.stdout).unwrap();
    let hit: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert_eq!(hit["collection"], "scimag");
    assert_eq!(hit["id"], 70001);
    assert_eq!(hit["doi"], "10.1038/nature14539");
    assert_eq!(hit["journal"], "Nature");
    assert_eq!(hit["url"], "/scimag/70001");
    let out = lanshelf(dir)
        .args(["search", "--collection", "fiction", "红楼"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("红楼梦"));
}
