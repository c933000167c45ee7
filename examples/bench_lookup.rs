//! Batch look-up benchmark: N identifiers drawn deterministically from the catalog (MD5s of
//! books and novels, papers' DOIs, books' ISBNs, PubMed ids) plus absent ones, answered by
//! `lanshelf::lookup::resolve` — the code behind `/lookup`, `POST /api/lookup/batch` and
//! `lanshelf lookup` — and, in the same run, one identifier at a time through the single
//! look-up path (`/api/lookup`'s: a search per identifier, then its records' summaries), the
//! way scripts ask today. Used by `bench/lookup.sh`.
//!
//! Usage: cargo run --release --example bench_lookup -- DB INDEX [N] [ROUNDS] [--no-baseline]
//! [--list=FILE] (writes the identifiers, one per line, for the HTTP run of `bench/lookup.sh`)

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lanshelf::files::{Repository, TorrentShelf};
use lanshelf::lookup::{self, Item};
use lanshelf::search::{Identifier, SearchEngine, SearchRequest};
use rusqlite::Connection;

/// SplitMix64, so the identifiers are the same on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `n` values of `column` from random rows of `table` (non-empty ones).
fn sample(conn: &Connection, rng: &mut Rng, table: &str, column: &str, n: usize) -> Vec<String> {
    let (min, max): (i64, i64) = conn
        .query_row(
            &format!("SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM {table}"),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {column} FROM {table} WHERE id >= ?1 AND coalesce({column}, '') <> '' ORDER BY id LIMIT 1"
        ))
        .unwrap();
    let mut out = Vec::new();
    let mut tries = 0;
    while out.len() < n && tries < n * 20 {
        tries += 1;
        let at = min + (rng.next() % (max - min + 1).max(1) as u64) as i64;
        if let Ok(v) = stmt.query_row([at], |r| r.get::<_, String>(0)) {
            out.push(v);
        }
    }
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let db = PathBuf::from(positional.first().expect("DB"));
    let index = PathBuf::from(positional.get(1).expect("INDEX"));
    let n: usize = positional.get(2).map_or(10_000, |s| s.parse().unwrap());
    let rounds: usize = positional.get(3).map_or(5, |s| s.parse().unwrap());
    let baseline = !args.iter().any(|a| a == "--no-baseline");

    // The identifiers: a quarter MD5s, a quarter DOIs, a fifth ISBNs, a tenth PubMed ids, a
    // fifth absent, each written as people paste them.
    let conn =
        Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut rng = Rng(20);
    let mut lines: Vec<String> = Vec::new();
    let md5s = n / 4;
    lines.extend(sample(&conn, &mut rng, "libgen", "md5", md5s * 3 / 5));
    lines.extend(sample(
        &conn,
        &mut rng,
        "fiction",
        "md5",
        md5s - md5s * 3 / 5,
    ));
    lines.extend(
        sample(&conn, &mut rng, "scimag", "doi", n / 4)
            .into_iter()
            .enumerate()
            .map(|(i, d)| {
                if i % 2 == 0 {
                    format!("https://doi.org/{d}")
                } else {
                    d
                }
            }),
    );
    let isbn_lists = sample(&conn, &mut rng, "libgen", "identifier", n / 5 * 2);
    let mut isbns = 0;
    for list in isbn_lists {
        if isbns == n / 5 {
            break;
        }
        if let Some(part) = list
            .split([',', ';'])
            .find(|p| lanshelf::search::normalize::parse_isbn(p).is_some())
        {
            lines.push(part.trim().to_string());
            isbns += 1;
        }
    }
    lines.extend(
        sample(&conn, &mut rng, "scimag", "pubmed_id", n / 10)
            .into_iter()
            .map(|p| format!("PMID: {p}")),
    );
    let mut k = 0u64;
    while lines.len() < n {
        lines.push(match k % 3 {
            0 => format!("{:032x}", rng.next() as u128 * 7919),
            1 => format!("10.99999/absent.{k}"),
            _ => format!("PMID: {}", 900_000_000 + k),
        });
        k += 1;
    }
    lines.truncate(n);
    drop(conn);
    let text = lines.join("\n");
    if let Some(path) = args.iter().find_map(|a| a.strip_prefix("--list=")) {
        std::fs::write(path, format!("{text}\n")).unwrap();
    }
    let records: i64 = {
        let conn =
            Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        conn.query_row(
            "SELECT (SELECT count(*) FROM libgen) + (SELECT count(*) FROM fiction) + (SELECT count(*) FROM scimag)",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let pool = lanshelf::db::open_read_only(&db, 4).await.unwrap();
        let engine = Arc::new(SearchEngine::open_with_catalog(&index, &db).unwrap());
        let parse = || lookup::parse(&text).unwrap();
        println!(
            "batch look-up of {} identifiers on {:.2} M records ({} rounds)",
            lines.len(),
            records as f64 / 1e6,
            rounds
        );
        let mut times = Vec::new();
        let mut found = 0;
        for round in 0..rounds {
            let parsed = parse();
            let started = Instant::now();
            let result = lookup::resolve(
                &pool,
                engine.clone(),
                Repository::new(None),
                TorrentShelf::new(None),
                parsed,
            )
            .await
            .unwrap();
            let took = started.elapsed();
            found = result.found();
            println!(
                "  round {}: {:>8.1} ms  ({} found, {} not found, {} malformed)",
                round + 1,
                took.as_secs_f64() * 1e3,
                result.found(),
                result.not_found(),
                result.malformed()
            );
            times.push(took);
        }
        let first = times[0];
        let p50 = median(times);
        // The index and catalog parts alone.
        let ids: Vec<Identifier> = parse()
            .items
            .into_iter()
            .flat_map(|i| i.identifiers)
            .collect();
        let started = Instant::now();
        let e = engine.clone();
        let found_hits = tokio::task::spawn_blocking(move || e.lookup_identifiers(&ids, 20).unwrap())
            .await
            .unwrap();
        let identifiers_only = started.elapsed();
        // The records' summaries alone (the catalog reads after the identifiers).
        let mut hits: Vec<lanshelf::search::Hit> = found_hits.into_iter().flatten().collect();
        hits.sort_by_key(|h| (h.collection, h.id));
        hits.dedup_by_key(|h| (h.collection, h.id));
        let started = Instant::now();
        for chunk in hits.chunks(5_000) {
            lanshelf::db::records::summaries(&pool, chunk.iter().map(|h| (h.collection, h.id))).await.unwrap();
        }
        let summaries_only = started.elapsed();

        let mut one_by_one = None;
        if baseline {
            // One identifier at a time, as 10 000 calls of /api/lookup would (less HTTP).
            let items: Vec<Item> = parse().items;
            let started = Instant::now();
            let mut found_one = 0;
            for item in &items {
                let Some(id) = item.identifiers.first() else {
                    continue;
                };
                let query = id.term();
                let mut req = SearchRequest::new(query);
                req.facets = false;
                req.per_page = 100;
                req.filters.show_withdrawn = true;
                let e = engine.clone();
                let hits = tokio::task::spawn_blocking(move || e.search(&req).unwrap())
                    .await
                    .unwrap()
                    .hits;
                let summaries = lanshelf::db::records::summaries(&pool, hits.iter().map(|h| (h.collection, h.id))).await.unwrap();
                if !summaries.is_empty() {
                    found_one += 1;
                }
            }
            one_by_one = Some((started.elapsed(), found_one));
        }
        println!();
        println!("| path | {} identifiers, first run | median of {rounds} | found |", lines.len());
        println!("|---|---|---|---|");
        println!(
            "| `lookup::resolve` (bulk: catalog + index + summaries + locations) | {:.0} ms | {:.0} ms | {found} |",
            first.as_secs_f64() * 1e3,
            p50.as_secs_f64() * 1e3
        );
        println!(
            "| of which `SearchEngine::lookup_identifiers` (warm) | | {:.0} ms | |",
            identifiers_only.as_secs_f64() * 1e3
        );
        println!(
            "| of which the {} records' summaries (warm) | | {:.0} ms | |",
            hits.len(),
            summaries_only.as_secs_f64() * 1e3
        );
        if let Some((t, f)) = one_by_one {
            println!(
                "| baseline: one identifier at a time (`/api/lookup`'s path, warm) | {:.0} ms | | {f} |",
                t.as_secs_f64() * 1e3
            );
        }
    });
}
