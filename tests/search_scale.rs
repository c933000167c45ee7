//! The fast search path on a catalog large enough to use it: 60 000 generated records, so that
//! common words, candidate re-scoring (more matches than candidates) and the bounded count all
//! come into play. Every answer is compared with the exhaustive search (every match scored and
//! counted) on the same real index.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use common::*;
use lanshelf::search::{SearchEngine, SearchRequest, SearchResults, COUNT_LIMIT};
use lanshelf::Collection;

struct Fixture {
    dir: tempfile::TempDir,
    engine: SearchEngine,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for (collection, rows) in [("libgen", 30_000), ("fiction", 10_000), ("scimag", 20_000)] {
            let out = dir.path().join(format!("{collection}.sql"));
            let status = lanshelf(dir.path())
                .args(["gen-dump", "--collection", collection, "--seed", "3"])
                .args(["--rows", &rows.to_string(), "--out"])
                .arg(&out)
                .status()
                .unwrap();
            assert!(status.success());
            files.push(out);
        }
        let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
        import_ok(dir.path(), &refs);
        let engine = SearchEngine::open_with_catalog(
            &dir.path().join("index"),
            &dir.path().join("catalog.sqlite"),
        )
        .unwrap();
        Fixture { dir, engine }
    })
}

fn run(q: &str, page: usize, exhaustive: bool) -> SearchResults {
    let mut req = SearchRequest::new(q);
    req.facets = false;
    req.page = page;
    req.exhaustive = exhaustive;
    fixture().engine.search(&req).unwrap()
}

/// Title words by the number of records whose title has them.
fn title_words() -> Vec<(String, usize)> {
    let db = rusqlite::Connection::open(fixture().dir.path().join("catalog.sqlite")).unwrap();
    let mut df: BTreeMap<String, usize> = BTreeMap::new();
    for table in ["libgen", "fiction", "scimag"] {
        let mut stmt = db.prepare(&format!("SELECT title FROM {table}")).unwrap();
        let titles = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        for title in titles {
            let words: HashSet<String> = title
                .unwrap()
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 4)
                .map(str::to_ascii_lowercase)
                .collect();
            for w in words {
                *df.entry(w).or_default() += 1;
            }
        }
    }
    let mut words: Vec<(String, usize)> = df.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    words
}

/// Withdrawn records among `hits`.
fn withdrawn(r: &SearchResults) -> Vec<(Collection, u64)> {
    let db = rusqlite::Connection::open(fixture().dir.path().join("catalog.sqlite")).unwrap();
    r.hits
        .iter()
        .filter(|h| {
            let sql = format!(
                "SELECT coalesce(visible, '') FROM {} WHERE id = ?1",
                h.collection
            );
            let visible: String = db.query_row(&sql, [h.id as i64], |r| r.get(0)).unwrap();
            !visible.trim().is_empty()
        })
        .map(|h| (h.collection, h.id))
        .collect()
}

#[test]
fn fast_answers_match_the_exhaustive_search() {
    let words = title_words();
    // Words in hundreds to thousands of titles: more matches than candidates.
    let frequent: Vec<&str> = words
        .iter()
        .filter(|(_, n)| (250..5_000).contains(n))
        .map(|(w, _)| w.as_str())
        .take(12)
        .collect();
    assert!(
        frequent.len() >= 8,
        "the generator's titles changed: {words:?}"
    );
    let mut queries: Vec<String> = Vec::new();
    for (i, w) in frequent.iter().enumerate() {
        let other = frequent[(i + 1) % frequent.len()];
        queries.push(w.to_string());
        queries.push(format!("{w} {other}"));
        queries.push(format!("{w} -{other}"));
        queries.push(format!("title:{w}"));
        queries.push(format!("\"{w} {other}\""));
        queries.push(format!("{w} lang:english"));
        queries.push(format!("{w} collection:scimag"));
        queries.push(format!("{w} ext:pdf"));
        // The year filter leaves most candidates out: the fallback to scoring every match.
        queries.push(format!("{w} year:2001..2003"));
        queries.push(format!("the {w}"));
    }
    queries.extend(["the", "of the", "ext:pdf", "lang:english"].map(String::from));

    let mut same_first = 0;
    let mut overlap = 0.0;
    for q in &queries {
        let fast = run(q, 1, false);
        let full = run(q, 1, true);
        assert_eq!(
            (fast.total, fast.total_exact),
            (full.total, full.total_exact),
            "`{q}`: the count"
        );
        assert_eq!(
            fast.total_exact,
            fast.total < COUNT_LIMIT,
            "`{q}`: {} counted",
            fast.total
        );
        assert_eq!(fast.hits.len(), full.hits.len(), "`{q}`: a full page");
        assert!(
            withdrawn(&fast).is_empty(),
            "`{q}`: withdrawn records shown"
        );
        // The exhaustive page is the true top: the fast one, scored the same way, can only
        // be as good, place by place, and is in order.
        for (i, (f, e)) in fast.hits.iter().zip(&full.hits).enumerate() {
            assert!(
                f.score <= e.score * 1.0001 + 1e-6,
                "`{q}` place {i}: {f:?} scores above the exhaustive {e:?}"
            );
        }
        assert!(
            fast.hits.windows(2).all(|w| w[0].score >= w[1].score),
            "`{q}`: not in order"
        );
        if fast.hits.first().map(|h| (h.collection, h.id))
            == full.hits.first().map(|h| (h.collection, h.id))
        {
            same_first += 1;
        }
        let a: HashSet<_> = fast.hits.iter().map(|h| (h.collection, h.id)).collect();
        let b: HashSet<_> = full.hits.iter().map(|h| (h.collection, h.id)).collect();
        if !b.is_empty() {
            overlap += a.intersection(&b).count() as f64 / b.len() as f64;
        } else {
            overlap += 1.0;
        }
    }
    let n = queries.len() as f64;
    let (first_share, overlap) = (same_first as f64 / n, overlap / n);
    println!(
        "{} queries: same first hit {first_share:.3}, page overlap {overlap:.3}",
        n
    );
    assert!(
        first_share >= 0.9,
        "same first hit in {first_share:.3} of the queries"
    );
    assert!(overlap >= 0.9, "page overlap {overlap:.3}");
}

#[test]
fn counts_stop_past_the_deepest_page() {
    let r = run("ext:pdf", 1, false);
    assert!(!r.total_exact);
    assert_eq!(r.total, COUNT_LIMIT);
    assert_eq!(r.hits.len(), 20);
    // The deepest page served (results 10 001 to 10 100) of a query without words is full.
    for q in ["collection:libgen", "ext:pdf"] {
        let mut req = SearchRequest::new(q);
        req.facets = false;
        req.per_page = 100;
        req.page = 101;
        let r = fixture().engine.search(&req).unwrap();
        assert_eq!(r.hits.len(), 100, "`{q}`");
        assert_eq!((r.total, r.total_exact), (COUNT_LIMIT, false), "`{q}`");
    }
    // A rarer word is counted exactly: the same as the exhaustive count.
    let words = title_words();
    let (word, _) = words
        .iter()
        .find(|(_, n)| (300..2_000).contains(n))
        .unwrap();
    let r = run(word, 1, false);
    assert!(r.total_exact);
    assert_eq!(r.total, run(word, 1, true).total);
}

#[test]
fn pages_follow_each_other() {
    let words = title_words();
    let (word, n) = words
        .iter()
        .find(|(_, n)| (300..2_000).contains(n))
        .unwrap();
    let mut seen = HashSet::new();
    let pages = (n / 20).min(12);
    for page in 1..=pages {
        let r = run(word, page, false);
        assert_eq!(r.hits.len(), 20, "`{word}` page {page}");
        for h in &r.hits {
            assert!(seen.insert((h.collection, h.id)), "{h:?} shown twice");
        }
    }
}

#[test]
fn typos_are_corrected_after_the_first_letter() {
    let words = title_words();
    let known: HashSet<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
    let (word, typo) = words
        .iter()
        .filter(|(w, n)| w.len() >= 7 && (100..2_000).contains(n))
        .map(|(w, _)| {
            // Drop the third letter: one edit away.
            let typo: String = w
                .chars()
                .enumerate()
                .filter(|(i, _)| *i != 2)
                .map(|(_, c)| c)
                .collect();
            (w, typo)
        })
        .find(|(_, typo)| !known.contains(typo.as_str()))
        .unwrap();
    let r = run(&typo, 1, false);
    assert!(r.fuzzy && r.total > 0, "`{typo}` (for `{word}`): {r:?}");
    // A wrong first letter is not corrected.
    let wrong: String = std::iter::once('x').chain(word.chars().skip(1)).collect();
    let r = run(&wrong, 1, false);
    assert_eq!(r.total, 0, "`{wrong}` (for `{word}`) found {r:?}");
}
