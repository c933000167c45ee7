//! Query benchmark: runs a fixed, mixed query set (drawn deterministically from the catalog)
//! against Lanshelf's index in-process and against SQLite FTS5 over the same catalog, and prints
//! p50/p95/p99 per query class side by side. Used by `bench/search.sh`.
//!
//! Usage: cargo run --release --example bench_queries -- DB INDEX [ROUNDS]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use lanshelf::search::{SearchEngine, SearchRequest};
use rusqlite::Connection;

#[derive(Clone)]
struct Query {
    class: &'static str,
    ours: String,
    /// FTS5 MATCH expression, or an SQL identifier lookup (`md5:…`).
    fts: String,
    /// Asked as the search page asks while the user types: the last word may be unfinished.
    typing: bool,
}

/// SplitMix64, so the query set is the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2 && !w.chars().any(lanshelf::search::analyzer::is_cjk))
        .map(str::to_lowercase)
        .collect()
}

fn fts_quote(w: &str) -> String {
    format!("\"{}\"", w.replace('"', ""))
}

fn sample_titles(
    conn: &Connection,
    rng: &mut Rng,
    n: usize,
) -> Vec<(String, String, String, String)> {
    let max: i64 = conn
        .query_row("SELECT max(id) FROM libgen", [], |r| r.get(0))
        .unwrap_or(1);
    let mut out = Vec::new();
    let mut stmt = conn
        .prepare("SELECT title, author, md5, identifier_wodash FROM libgen WHERE id >= ?1 AND visible = '' ORDER BY id LIMIT 1")
        .unwrap();
    while out.len() < n {
        let id = rng.below(max as u64) as i64;
        if let Ok(row) = stmt.query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            ))
        }) {
            out.push(row);
        }
    }
    out
}

fn build_queries(conn: &Connection) -> Vec<Query> {
    let mut rng = Rng(42);
    let mut q = Vec::new();
    let titles = sample_titles(conn, &mut rng, 400);
    let common = [
        "the",
        "of",
        "and",
        "history",
        "introduction",
        "theory",
        "the history of",
        "of the",
    ];
    for (i, (title, author, md5, isbns)) in titles.iter().enumerate() {
        let w = words(title);
        if w.is_empty() {
            continue;
        }
        match i % 8 {
            0 => q.push(Query {
                class: "one word",
                ours: w[0].clone(),
                fts: fts_quote(&w[0]),
                typing: false,
            }),
            1 if w.len() >= 2 => q.push(Query {
                class: "two words",
                ours: format!("{} {}", w[0], w[w.len() - 1]),
                fts: format!("{} {}", fts_quote(&w[0]), fts_quote(&w[w.len() - 1])),
                typing: false,
            }),
            2 if w.len() >= 3 => q.push(Query {
                class: "phrase",
                ours: format!("\"{} {} {}\"", w[0], w[1], w[2]),
                fts: format!("\"{} {} {}\"", w[0], w[1], w[2]),
                typing: false,
            }),
            3 => {
                if let Some(surname) = words(author).last() {
                    q.push(Query {
                        class: "fielded",
                        ours: format!("author:{surname}"),
                        fts: format!("author:{}", fts_quote(surname)),
                        typing: false,
                    });
                }
            }
            4 => q.push(Query {
                class: "identifier",
                ours: md5.clone(),
                fts: format!("md5:{md5}"),
                typing: false,
            }),
            5 => {
                if let Some(isbn) = isbns.split(',').next().filter(|s| !s.is_empty()) {
                    q.push(Query {
                        class: "identifier",
                        ours: isbn.to_string(),
                        fts: format!("isbn:{isbn}"),
                        typing: false,
                    });
                }
            }
            6 => {
                let c = common[i / 8 % common.len()];
                let fts = c.split(' ').map(fts_quote).collect::<Vec<_>>().join(" ");
                q.push(Query {
                    class: "common words",
                    ours: c.to_string(),
                    fts,
                    typing: false,
                })
            }
            _ => q.push(Query {
                class: "no hit",
                ours: format!("qzx{}vvk", rng.below(100_000)),
                fts: format!("\"qzx{}vvk\"", rng.below(100_000)),
                typing: false,
            }),
        }
    }
    // CJK: two characters from titles written in Chinese.
    let mut stmt = conn
        .prepare("SELECT title FROM libgen WHERE title GLOB '*[一-龥]*' AND id >= ?1 ORDER BY id LIMIT 1")
        .unwrap();
    let max: i64 = conn
        .query_row("SELECT max(id) FROM libgen", [], |r| r.get(0))
        .unwrap_or(1);
    for _ in 0..50 {
        let id = rng.below(max as u64) as i64;
        if let Ok(title) = stmt.query_row([id], |r| r.get::<_, String>(0)) {
            let cjk: Vec<char> = title
                .chars()
                .filter(|c| lanshelf::search::analyzer::is_cjk(*c))
                .collect();
            if cjk.len() >= 3 {
                let start = rng.below(cjk.len() as u64 - 1) as usize;
                let s: String = cjk[start..start + 2].iter().collect();
                q.push(Query {
                    class: "CJK",
                    fts: fts_quote(&s),
                    ours: s,
                    typing: false,
                });
            }
        }
    }
    // Cut words (drawn after the others, so their queries stay the same): a title's first word
    // and the start of its last, as typed into the search page before the word is finished.
    for (title, _, _, _) in sample_titles(conn, &mut rng, 60) {
        let w: Vec<String> = words(&title)
            .into_iter()
            .filter(|w| w.chars().all(|c| c.is_alphabetic()))
            .collect();
        let Some(last) = w.iter().skip(1).rev().find(|w| w.chars().count() >= 5) else {
            continue;
        };
        let n = last.chars().count();
        let cut: String = last.chars().take(n.div_ceil(2).max(3)).collect();
        q.push(Query {
            class: "cut word",
            ours: format!("{} {cut}", w[0]),
            fts: format!("{} {}*", fts_quote(&w[0]), fts_quote(&cut)),
            typing: true,
        });
    }
    q
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

/// Command-line options after `DB INDEX [ROUNDS]`.
struct Options {
    db: PathBuf,
    index: PathBuf,
    rounds: usize,
    /// Timed rounds of the baselines (0: one pass, timed, no warm-up round).
    baseline_rounds: usize,
    /// At most this many distinct queries per class for the baselines (their slow queries take
    /// seconds each at tens of millions of rows).
    baseline_cap: usize,
    /// Skip the FTS5 baseline.
    no_fts: bool,
    /// Write the same baseline queries as a MariaDB script here (FULLTEXT in boolean mode).
    mariadb_script: Option<PathBuf>,
    /// Append machine-readable per-class figures here.
    tsv: Option<PathBuf>,
}

impl Options {
    fn parse() -> Options {
        let mut positional = Vec::new();
        let mut o = Options {
            db: PathBuf::new(),
            index: PathBuf::new(),
            rounds: 3,
            baseline_rounds: usize::MAX,
            baseline_cap: usize::MAX,
            no_fts: false,
            mariadb_script: None,
            tsv: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
            match a.as_str() {
                "--baseline-rounds" => o.baseline_rounds = value().parse().expect("number"),
                "--baseline-cap" => o.baseline_cap = value().parse().expect("number"),
                "--no-fts" => o.no_fts = true,
                "--mariadb-script" => o.mariadb_script = Some(value().into()),
                "--tsv" => o.tsv = Some(value().into()),
                _ => positional.push(a),
            }
        }
        o.db = PathBuf::from(positional.first().expect("DB"));
        o.index = PathBuf::from(positional.get(1).expect("INDEX"));
        if let Some(r) = positional.get(2) {
            o.rounds = r.parse().expect("ROUNDS");
        }
        if o.baseline_rounds == usize::MAX {
            o.baseline_rounds = o.rounds;
        }
        o
    }
}

/// The distinct queries of each class, at most `cap` per class, in the set's order.
fn baseline_subset(queries: &[Query], cap: usize) -> Vec<Query> {
    let mut seen = std::collections::HashSet::new();
    let mut per_class: BTreeMap<&str, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for q in queries {
        let n = per_class.entry(q.class).or_default();
        if *n < cap && seen.insert(q.ours.clone()) {
            *n += 1;
            out.push(q.clone());
        }
    }
    out
}

fn sql_str(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The MariaDB statements for one query, as libgen's search.php asks them: `MATCH(...)
/// AGAINST('+word1* +word2*' IN BOOLEAN MODE)` on each collection's FULLTEXT index, counting the
/// matches (the page shows "N files found") and fetching the first 25 IDs; MD5s through the
/// unique index, ISBNs through the `IdentifierWODash` FULLTEXT index. Leaves the number of
/// matches in `@n`.
fn mariadb_statements(q: &Query) -> String {
    if let Some(md5) = q.fts.strip_prefix("md5:") {
        return format!(
            "SELECT COUNT(*) INTO @n FROM updated WHERE MD5 = {};\n",
            sql_str(md5)
        );
    }
    if let Some(isbn) = q.fts.strip_prefix("isbn:") {
        let against = sql_str(&format!("+{isbn}*"));
        return format!(
            "SELECT COUNT(*) INTO @n FROM updated WHERE MATCH(IdentifierWODash) AGAINST({against} IN BOOLEAN MODE);\n\
             SELECT GROUP_CONCAT(ID) INTO @ids FROM (SELECT ID FROM updated WHERE MATCH(IdentifierWODash) AGAINST({against} IN BOOLEAN MODE) LIMIT 25) t;\n"
        );
    }
    let text = q.ours.strip_prefix("author:").unwrap_or(&q.ours);
    let boolean = if text.starts_with('"') {
        format!("+{}", text.replace('\'', ""))
    } else {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("+{w}*"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let against = sql_str(&boolean);
    let mut sql = String::new();
    for (i, (table, columns)) in [
        (
            "updated",
            "Title,Author,Series,Publisher,Year,Periodical,VolumeInfo",
        ),
        ("fiction", "Title,Author,Series"),
        ("scimag", "Title,Author"),
    ]
    .iter()
    .enumerate()
    {
        let m = format!("MATCH({columns}) AGAINST({against} IN BOOLEAN MODE)");
        sql.push_str(&format!(
            "SELECT COUNT(*) INTO @n{i} FROM {table} WHERE {m};\n\
             SELECT GROUP_CONCAT(ID) INTO @ids FROM (SELECT ID FROM {table} WHERE {m} LIMIT 25) t;\n"
        ));
    }
    sql.push_str("SET @n = @n0 + @n1 + @n2;\n");
    sql
}

/// A script for `mariadb -N -B` that prints `class <TAB> matches <TAB> microseconds` per query
/// (server-side wall time of its statements; a statement over 60 s is cut and shows NULL).
fn write_mariadb_script(path: &PathBuf, queries: &[Query]) {
    let mut s = String::from("SET SESSION max_statement_time = 60;\n");
    for q in queries {
        s.push_str("SET @n = NULL, @n0 = NULL, @n1 = NULL, @n2 = NULL; SET @t = NOW(6);\n");
        s.push_str(&mariadb_statements(q));
        s.push_str(&format!(
            "SELECT {}, @n, TIMESTAMPDIFF(MICROSECOND, @t, NOW(6));\n",
            sql_str(q.class)
        ));
    }
    std::fs::write(path, s).expect("write the MariaDB script");
}

fn main() {
    let o = Options::parse();
    let (db, index, rounds) = (&o.db, &o.index, o.rounds);
    let conn = Connection::open(db).expect("catalog");
    let mut queries = build_queries(&conn);
    // CLASS="two words" (or a comma-separated list) keeps those classes, to profile them.
    if let Ok(classes) = std::env::var("CLASS") {
        queries.retain(|q| classes.split(',').any(|c| c == q.class));
    }
    let baseline = baseline_subset(&queries, o.baseline_cap);
    if let Some(path) = &o.mariadb_script {
        write_mariadb_script(path, &baseline);
    }

    let engine = SearchEngine::open_with_catalog(index, db).expect("index");
    let mut ours: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut ours_facets: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut theirs: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    // class -> (queries, found by us); (baseline queries, found by FTS5)
    let mut hits: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    // class -> exhaustive times (every match scored: the path before candidates), and how the
    // fast page agrees with it: (queries, same first hit, summed page overlap).
    let mut exhaustive: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    // (queries, same first hit, summed page overlap, summed score share: our page's scores over
    // the exhaustive page's, which is 1 when the pages differ only among equal scores).
    let mut agreement: BTreeMap<&str, (usize, usize, f64, f64)> = BTreeMap::new();
    let mut fts_hits: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    // SLOW_MS=20 lists the measured queries slower than that.
    let slow_ms: Option<f64> = std::env::var("SLOW_MS").ok().and_then(|v| v.parse().ok());
    // Warm once, then measure.
    for round in 0..=rounds {
        for q in &queries {
            let mut req = SearchRequest::new(q.ours.clone());
            req.typing = q.typing;
            req.facets = false;
            let t = Instant::now();
            let r = engine.search(&req).unwrap();
            let ours_t = t.elapsed();
            req.facets = true;
            let t = Instant::now();
            let _ = engine.search(&req).unwrap();
            let facets_t = t.elapsed();
            if round > 0 {
                if slow_ms.is_some_and(|ms| ours_t.as_secs_f64() * 1e3 > ms) {
                    eprintln!(
                        "slow: {:.1} ms {} `{}`",
                        ours_t.as_secs_f64() * 1e3,
                        q.class,
                        q.ours
                    );
                }
                ours.entry(q.class).or_default().push(ours_t);
                ours_facets.entry(q.class).or_default().push(facets_t);
            } else {
                let e = hits.entry(q.class).or_default();
                e.0 += 1;
                e.1 += usize::from(r.total > 0);
                let mut full_req = SearchRequest::new(q.ours.clone());
                full_req.typing = q.typing;
                full_req.facets = false;
                full_req.exhaustive = true;
                let t = Instant::now();
                let full = engine.search(&full_req).unwrap();
                exhaustive.entry(q.class).or_default().push(t.elapsed());
                let key = |h: &lanshelf::search::Hit| (h.collection, h.id);
                let a: std::collections::HashSet<_> = r.hits.iter().map(key).collect();
                let b: std::collections::HashSet<_> = full.hits.iter().map(key).collect();
                let e = agreement.entry(q.class).or_default();
                e.0 += 1;
                e.1 += usize::from(r.hits.first().map(key) == full.hits.first().map(key));
                e.2 += if b.is_empty() {
                    1.0
                } else {
                    a.intersection(&b).count() as f64 / b.len() as f64
                };
                let sum = |hits: &[lanshelf::search::Hit]| {
                    hits.iter().map(|h| h.score as f64).sum::<f64>()
                };
                let best = sum(&full.hits);
                e.3 += if best > 0.0 {
                    (sum(&r.hits) / best).min(1.0)
                } else {
                    1.0
                };
            }
        }
    }

    // Baseline: SQLite FTS5 over the same text fields, built now and timed.
    // The baseline's scratch table goes to tmpfs when there is one (it is as large as a third
    // of the catalog, and a scale run's disk is full of dumps); FTS_DIR overrides.
    let fts_dir = std::env::var_os("FTS_DIR").map(PathBuf::from).or_else(|| {
        let shm = PathBuf::from("/dev/shm");
        shm.is_dir().then_some(shm)
    });
    let fts_path = match fts_dir {
        Some(dir) => dir.join(format!("lanshelf-fts5-{}.sqlite", std::process::id())),
        None => db.with_extension("fts5.sqlite"),
    };
    if !o.no_fts {
        let _ = std::fs::remove_file(&fts_path);
        let fts = Connection::open(&fts_path).unwrap();
        fts.execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
            .unwrap();
        fts.execute(&format!("ATTACH '{}' AS cat", db.display()), [])
            .unwrap();
        let started = Instant::now();
        fts.execute_batch(
            "CREATE VIRTUAL TABLE fts USING fts5(title, author, series, publisher, journal);
             BEGIN;
             INSERT INTO fts(rowid, title, author, series, publisher, journal)
               SELECT id, title, author, series, publisher, '' FROM cat.libgen;
             INSERT INTO fts(rowid, title, author, series, publisher, journal)
               SELECT 1000000000 + id, title, author, series, publisher, '' FROM cat.fiction;
             INSERT INTO fts(rowid, title, author, series, publisher, journal)
               SELECT 2000000000 + id, title, author, '', '', journal FROM cat.scimag;
             COMMIT;
             INSERT INTO fts(fts) VALUES('optimize');",
        )
        .unwrap();
        let fts_build = started.elapsed();
        let docs: i64 = fts
            .query_row("SELECT count(*) FROM fts", [], |r| r.get(0))
            .unwrap();
        fts.execute_batch("DETACH cat").unwrap();
        drop(fts);
        let fts_bytes = std::fs::metadata(&fts_path).map(|m| m.len()).unwrap_or(0);
        println!(
            "FTS5 baseline: built {} docs in {:.1} s ({:.0} docs/s), {:.0} bytes/doc",
            docs,
            fts_build.as_secs_f64(),
            docs as f64 / fts_build.as_secs_f64(),
            fts_bytes as f64 / docs as f64
        );
        if let Some(tsv) = &o.tsv {
            append(
                tsv,
                &format!(
                    "fts_build\t{docs}\t{:.3}\t{fts_bytes}\n",
                    fts_build.as_secs_f64()
                ),
            );
        }
        let fts = Connection::open(&fts_path).unwrap();
        fts.execute(&format!("ATTACH '{}' AS cat", db.display()), [])
            .unwrap();
        let mut match_stmt = fts
            .prepare("SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rank LIMIT 20")
            .unwrap();
        let mut md5_stmt = fts
            .prepare("SELECT id FROM cat.libgen WHERE md5 = ?1 LIMIT 20")
            .unwrap();
        let mut isbn_stmt = fts
            .prepare(
                "SELECT id FROM cat.libgen WHERE identifier_wodash LIKE '%' || ?1 || '%' LIMIT 20",
            )
            .unwrap();
        let brounds = o.baseline_rounds;
        for round in 0..=brounds {
            for q in &baseline {
                let t = Instant::now();
                let n = if let Some(md5) = q.fts.strip_prefix("md5:") {
                    md5_stmt
                        .query_map([md5], |r| r.get::<_, i64>(0))
                        .unwrap()
                        .count()
                } else if let Some(isbn) = q.fts.strip_prefix("isbn:") {
                    isbn_stmt
                        .query_map([isbn], |r| r.get::<_, i64>(0))
                        .unwrap()
                        .count()
                } else {
                    match match_stmt.query_map([&q.fts], |r| r.get::<_, i64>(0)) {
                        Ok(rows) => rows.count(),
                        Err(_) => 0,
                    }
                };
                let theirs_t = t.elapsed();
                if round > 0 || brounds == 0 {
                    theirs.entry(q.class).or_default().push(theirs_t);
                }
                if round == 0 {
                    let e = fts_hits.entry(q.class).or_default();
                    e.0 += 1;
                    e.1 += usize::from(n > 0);
                }
            }
            if brounds == 0 {
                break;
            }
        }
    }

    println!(
        "\n{:<14} {:>5} {:>9} | {:>8} {:>8} {:>8} | {:>9} {:>9} | {:>9} {:>8} {:>8} {:>8} | {:>7}",
        "class",
        "n",
        "found",
        "ours p50",
        "p95",
        "p99",
        "+facets50",
        "+facets99",
        "fts found",
        "fts p50",
        "p95",
        "p99",
        "p50 x"
    );
    let mut all_ours = Vec::new();
    let mut all_theirs = Vec::new();
    let mut tsv = String::new();
    for (class, times) in &mut ours {
        times.sort();
        let f = ours_facets.get_mut(class).unwrap();
        f.sort();
        let mut empty = Vec::new();
        let t = theirs.get_mut(class).unwrap_or(&mut empty);
        t.sort();
        all_ours.extend(times.iter().copied());
        all_theirs.extend(t.iter().copied());
        let (n, found) = hits[class];
        let (fn_, ffound) = fts_hits.get(class).copied().unwrap_or_default();
        println!(
            "{:<14} {:>5} {:>4}/{:<4} | {:>8.3} {:>8.3} {:>8.3} | {:>9.3} {:>9.3} | {:>4}/{:<4} {:>8.3} {:>8.3} {:>8.3} | {:>6.1}x",
            class,
            n,
            found,
            n,
            percentile(times, 0.5),
            percentile(times, 0.95),
            percentile(times, 0.99),
            percentile(f, 0.5),
            percentile(f, 0.99),
            ffound,
            fn_,
            percentile(t, 0.5),
            percentile(t, 0.95),
            percentile(t, 0.99),
            percentile(t, 0.5) / percentile(times, 0.5)
        );
        tsv.push_str(&format!(
            "ours\t{class}\t{n}\t{found}\t{:.3}\t{:.3}\t{:.3}\n",
            percentile(times, 0.5),
            percentile(times, 0.95),
            percentile(times, 0.99)
        ));
        tsv.push_str(&format!(
            "ours_facets\t{class}\t{n}\t{found}\t{:.3}\t{:.3}\t{:.3}\n",
            percentile(f, 0.5),
            percentile(f, 0.95),
            percentile(f, 0.99)
        ));
        if !t.is_empty() {
            tsv.push_str(&format!(
                "fts5\t{class}\t{fn_}\t{ffound}\t{:.3}\t{:.3}\t{:.3}\n",
                percentile(t, 0.5),
                percentile(t, 0.95),
                percentile(t, 0.99)
            ));
        }
    }
    all_ours.sort();
    all_theirs.sort();
    println!(
        "{:<14} {:>5} {:>9} | {:>8.3} {:>8.3} {:>8.3} | {:>9} {:>9} | {:>9} {:>8.3} {:>8.3} {:>8.3} | {:>6.1}x",
        "all",
        all_ours.len() / rounds.max(1),
        "",
        percentile(&all_ours, 0.5),
        percentile(&all_ours, 0.95),
        percentile(&all_ours, 0.99),
        "",
        "",
        "",
        percentile(&all_theirs, 0.5),
        percentile(&all_theirs, 0.95),
        percentile(&all_theirs, 0.99),
        percentile(&all_theirs, 0.5) / percentile(&all_ours, 0.5)
    );
    println!(
        "(milliseconds; `found` = queries with at least one result; FTS5 runs the distinct queries \
         of each class{}; times in-process, warm)",
        if o.baseline_cap < usize::MAX {
            format!(", at most {} per class", o.baseline_cap)
        } else {
            String::new()
        }
    );
    // The fast page against scoring every match (the path before candidates), one warm round.
    println!(
        "\n{:<14} {:>5} | {:>9} {:>9} | {:>8} {:>8} | {:>7} | {:>10} {:>8} {:>7}",
        "class",
        "n",
        "exh. p50",
        "exh. p99",
        "ours p50",
        "ours p99",
        "p99 x",
        "same first",
        "overlap",
        "score"
    );
    let mut all_exhaustive = Vec::new();
    for (class, times) in &mut exhaustive {
        times.sort();
        all_exhaustive.extend(times.iter().copied());
        let (n, same, overlap, score) = agreement[class];
        let mine = &ours[class];
        println!(
            "{:<14} {:>5} | {:>9.3} {:>9.3} | {:>8.3} {:>8.3} | {:>6.1}x | {:>4}/{:<5} {:>7.1}% {:>6.1}%",
            class,
            n,
            percentile(times, 0.5),
            percentile(times, 0.99),
            percentile(mine, 0.5),
            percentile(mine, 0.99),
            percentile(times, 0.99) / percentile(mine, 0.99),
            same,
            n,
            overlap / n as f64 * 100.0,
            score / n as f64 * 100.0
        );
        tsv.push_str(&format!(
            "exhaustive\t{class}\t{n}\t{same}\t{:.3}\t{:.3}\t{:.3}\t{:.1}\t{:.1}\n",
            percentile(times, 0.5),
            percentile(times, 0.95),
            percentile(times, 0.99),
            overlap / n as f64 * 100.0,
            score / n as f64 * 100.0
        ));
    }
    all_exhaustive.sort();
    let (n, same, overlap, score) = agreement.values().fold((0, 0, 0.0, 0.0), |a, v| {
        (a.0 + v.0, a.1 + v.1, a.2 + v.2, a.3 + v.3)
    });
    println!(
        "{:<14} {:>5} | {:>9.3} {:>9.3} | {:>8.3} {:>8.3} | {:>6.1}x | {:>4}/{:<5} {:>7.1}% {:>6.1}%",
        "all",
        n,
        percentile(&all_exhaustive, 0.5),
        percentile(&all_exhaustive, 0.99),
        percentile(&all_ours, 0.5),
        percentile(&all_ours, 0.99),
        percentile(&all_exhaustive, 0.99) / percentile(&all_ours, 0.99),
        same,
        n,
        overlap / n.max(1) as f64 * 100.0,
        score / n.max(1) as f64 * 100.0
    );
    println!(
        "(exhaustive: every match scored, the top 20 taken; `same first` = queries whose first \
         hit is the same, `overlap` = share of the exhaustive first page also on ours, `score` = \
         our page's summed scores over the exhaustive page's: 100 % when the pages differ only \
         among equal scores)"
    );
    tsv.push_str(&format!(
        "exhaustive\tall\t{n}\t{same}\t{:.3}\t{:.3}\t{:.3}\t{:.1}\t{:.1}\n",
        percentile(&all_exhaustive, 0.5),
        percentile(&all_exhaustive, 0.95),
        percentile(&all_exhaustive, 0.99),
        overlap / n.max(1) as f64 * 100.0,
        score / n.max(1) as f64 * 100.0
    ));
    if let Some(path) = &o.tsv {
        tsv.push_str(&format!(
            "ours\tall\t{}\t\t{:.3}\t{:.3}\t{:.3}\n",
            all_ours.len() / rounds.max(1),
            percentile(&all_ours, 0.5),
            percentile(&all_ours, 0.95),
            percentile(&all_ours, 0.99)
        ));
        if !all_theirs.is_empty() {
            tsv.push_str(&format!(
                "fts5\tall\t{}\t\t{:.3}\t{:.3}\t{:.3}\n",
                baseline.len(),
                percentile(&all_theirs, 0.5),
                percentile(&all_theirs, 0.95),
                percentile(&all_theirs, 0.99)
            ));
        }
        append(path, &tsv);
    }
    let _ = std::fs::remove_file(&fts_path);
}

fn append(path: &PathBuf, text: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open the TSV");
    f.write_all(text.as_bytes()).expect("write the TSV");
}
