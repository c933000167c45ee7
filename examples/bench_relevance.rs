//! Relevance benchmark: real books (`bench/known-items.tsv`) planted among generated sci-tech
//! records, and the queries people type for them — the exact title, a word cut short, other word
//! forms, a surname and a title word, one typo, no diacritics — run against Lanshelf (as the
//! search page asks: the last word may be unfinished), SQLite FTS5 over the same catalog, and
//! MariaDB FULLTEXT in boolean mode as libgen's own search asks (`+word*` for every word). Prints
//! the share of known items found in the first 10 results, per kind of query. Used by
//! `bench/relevance.sh`.
//!
//! Usage:
//!   bench_relevance write-dump ITEMS ROWS SEED OUT
//!   bench_relevance run DB INDEX ITEMS [--mariadb-socket SOCKET --mariadb-db NAME] [--no-fts]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use lanshelf::search::analyzer::fold;
use lanshelf::search::{SearchEngine, SearchRequest};
use lanshelf::synth::{write_dump, Planted, SynthOptions};
use lanshelf::Collection;
use rusqlite::Connection;

/// One known item as the TSV lists it.
struct Item {
    language: String,
    title: String,
    author: String,
    surname: String,
    forms: String,
}

fn read_items(path: &Path) -> Vec<Item> {
    let text = std::fs::read_to_string(path).expect("the known items");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 5, "five columns: {l}");
            Item {
                language: f[0].into(),
                title: f[1].into(),
                author: f[2].into(),
                surname: f[3].into(),
                forms: f[4].into(),
            }
        })
        .collect()
}

/// The kinds of query, in the table's order.
const KINDS: [&str; 6] = [
    "exact title",
    "word cut short",
    "other word forms",
    "surname + title word",
    "one typo",
    "no diacritics",
];

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Articles and prepositions a searcher leaves out.
const STOP: &[&str] = &[
    "the", "and", "for", "des", "der", "die", "das", "und", "les", "del", "los", "las", "della",
    "dom", "une", "sur", "von", "als", "einer", "questo", "sobre",
];

/// Words of three letters or more but articles (what a searcher picks out of a title).
fn significant(text: &str) -> Vec<String> {
    let w = words(text);
    let long: Vec<String> = w
        .iter()
        .filter(|w| w.chars().count() >= 3 && !STOP.contains(&w.to_lowercase().as_str()))
        .cloned()
        .collect();
    if long.is_empty() {
        w
    } else {
        long
    }
}

fn longest(words: &[String]) -> Option<&String> {
    // The first of the longest: deterministic.
    let max = words.iter().map(|w| w.chars().count()).max()?;
    words.iter().find(|w| w.chars().count() == max)
}

/// The first half of a word, at least four letters (three of a four-letter word).
fn cut(word: &str) -> String {
    let n = word.chars().count();
    let keep = n.div_ceil(2).max(4).min(n.saturating_sub(1)).max(3);
    word.chars().take(keep).collect()
}

/// One typo: two letters in the middle swapped (or the second replaced when they are equal).
fn typo(word: &str) -> String {
    let mut c: Vec<char> = word.chars().collect();
    let m = c.len() / 2;
    if c[m - 1] == c[m] {
        c[m] = if c[m] == 'e' { 'a' } else { 'e' };
    } else {
        c.swap(m - 1, m);
    }
    c.into_iter().collect()
}

fn has_diacritics(text: &str) -> bool {
    fold(text) != text.to_lowercase()
}

/// The queries of one item, by kind (no query when a kind does not apply).
fn queries(item: &Item) -> Vec<(&'static str, String)> {
    let sig = significant(&item.title);
    let long = longest(&sig).cloned().unwrap_or_default();
    let others: Vec<&String> = sig.iter().filter(|w| **w != long).collect();
    let mut out = vec![("exact title", item.title.clone())];
    out.push((
        "word cut short",
        match others.first() {
            Some(first) => format!("{first} {}", cut(&long)),
            None => cut(&long),
        },
    ));
    out.push(("other word forms", item.forms.clone()));
    out.push(("surname + title word", format!("{} {long}", item.surname)));
    if long.chars().count() >= 5 {
        out.push((
            "one typo",
            match others.first() {
                Some(first) => format!("{first} {}", typo(&long)),
                None => typo(&long),
            },
        ));
    }
    if has_diacritics(&item.title) {
        out.push(("no diacritics", fold(&item.title)));
    } else if has_diacritics(&item.surname) {
        out.push(("no diacritics", format!("{} {long}", fold(&item.surname))));
    }
    out
}

fn write_items_dump(args: &[String]) {
    let [items, rows, seed, out] = args else {
        panic!("write-dump ITEMS ROWS SEED OUT");
    };
    let planted = read_items(Path::new(items))
        .into_iter()
        .enumerate()
        .map(|(i, item)| Planted {
            title: item.title,
            author: item.author,
            language: item.language,
            year: 1950 + i as u64 % 70,
        })
        .collect();
    let opts = SynthOptions {
        collection: Collection::Libgen,
        rows: rows.parse().expect("ROWS"),
        seed: seed.parse().expect("SEED"),
        planted,
        ..SynthOptions::default()
    };
    let file = std::fs::File::create(out).expect("the dump");
    write_dump(&opts, file).expect("write the dump");
}

fn sql_str(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Results (sci-tech ids) of each query by MariaDB FULLTEXT in boolean mode, libgen's way.
fn mariadb(socket: &str, db: &str, queries: &[String]) -> Vec<Vec<u64>> {
    let columns = "Title,Author,Series,Publisher,Year,Periodical,VolumeInfo";
    let mut script = String::from("SET SESSION max_statement_time = 60;\n");
    for (i, q) in queries.iter().enumerate() {
        let boolean: Vec<String> = words(q).iter().map(|w| format!("+{w}*")).collect();
        let against = sql_str(&boolean.join(" "));
        let m = format!("MATCH({columns}) AGAINST({against} IN BOOLEAN MODE)");
        script.push_str(&format!(
            "SELECT {i}, IFNULL(GROUP_CONCAT(ID), '') FROM (SELECT ID FROM updated WHERE {m} ORDER BY {m} DESC, ID LIMIT 10) t;\n"
        ));
    }
    let mut child = Command::new("mariadb")
        .args([
            &format!("--socket={socket}"),
            "-uroot",
            "-N",
            "-B",
            "--force",
            db,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run the mariadb client");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("send the queries");
    let out = child.wait_with_output().expect("mariadb");
    let mut results = vec![Vec::new(); queries.len()];
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let (i, ids) = line.split_once('\t').unwrap_or((line, ""));
        if let Ok(i) = i.parse::<usize>() {
            results[i] = ids.split(',').filter_map(|x| x.parse().ok()).collect();
        }
    }
    results
}

/// Results of each query by SQLite FTS5 (`unicode61`, diacritics removed), the words as typed,
/// the last one a prefix as on our page.
fn fts5(db: &Path, queries: &[String]) -> Vec<Vec<u64>> {
    let path = std::env::temp_dir().join(format!("lanshelf-relevance-{}.fts", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let fts = Connection::open(&path).unwrap();
    fts.execute(&format!("ATTACH '{}' AS cat", db.display()), [])
        .unwrap();
    fts.execute_batch(
        "CREATE VIRTUAL TABLE fts USING fts5(title, author, series, publisher);
         INSERT INTO fts(rowid, title, author, series, publisher)
           SELECT id, title, author, series, publisher FROM cat.libgen;",
    )
    .unwrap();
    let mut stmt = fts
        .prepare("SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rank LIMIT 10")
        .unwrap();
    let out = queries
        .iter()
        .map(|q| {
            let all = words(q);
            let expr: Vec<String> = all
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let star = if i + 1 == all.len() { "*" } else { "" };
                    format!("\"{}\"{star}", w.replace('"', ""))
                })
                .collect();
            match stmt.query_map([expr.join(" ")], |r| r.get::<_, i64>(0)) {
                Ok(rows) => rows.filter_map(Result::ok).map(|id| id as u64).collect(),
                Err(_) => Vec::new(),
            }
        })
        .collect();
    drop(stmt);
    drop(fts);
    let _ = std::fs::remove_file(&path);
    out
}

fn run(args: &[String]) {
    let mut positional = Vec::new();
    let (mut socket, mut mdb, mut no_fts) = (None, "relevance".to_string(), false);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--mariadb-socket" => socket = it.next().cloned(),
            "--mariadb-db" => mdb = it.next().cloned().expect("a database name"),
            "--no-fts" => no_fts = true,
            _ => positional.push(a.clone()),
        }
    }
    let [db, index, items] = positional.as_slice() else {
        panic!("run DB INDEX ITEMS [--mariadb-socket S] [--mariadb-db D] [--no-fts]");
    };
    let (db, index) = (PathBuf::from(db), PathBuf::from(index));
    let items = read_items(Path::new(items));
    let conn = Connection::open(&db).unwrap();
    let engine = SearchEngine::open_with_catalog(&index, &db).unwrap();
    // (kind, item index, query, the item's id)
    let mut cases: Vec<(&str, usize, String, u64)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let id: i64 = conn
            .query_row(
                "SELECT id FROM libgen WHERE title = ?1 AND author = ?2",
                [&item.title, &item.author],
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("{} is not in the catalog: {e}", item.title));
        for (kind, q) in queries(item) {
            cases.push((kind, i, q, id as u64));
        }
    }
    let texts: Vec<String> = cases.iter().map(|c| c.2.clone()).collect();
    let ours: Vec<Vec<u64>> = texts
        .iter()
        .map(|q| {
            let mut req = SearchRequest::new(q.clone());
            req.typing = true;
            req.per_page = 10;
            req.facets = false;
            engine
                .search(&req)
                .unwrap()
                .hits
                .iter()
                .filter(|h| h.collection == Collection::Libgen)
                .map(|h| h.id)
                .collect()
        })
        .collect();
    let fts = (!no_fts).then(|| fts5(&db, &texts));
    let maria = socket.map(|s| mariadb(&s, &mdb, &texts));
    // kind -> (queries, found by us, by FTS5, by MariaDB)
    let mut table: BTreeMap<usize, (usize, usize, usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for (n, (kind, item, q, id)) in cases.iter().enumerate() {
        let k = KINDS.iter().position(|x| x == kind).expect("a kind");
        let e = table.entry(k).or_default();
        e.0 += 1;
        let found = |r: &Option<Vec<Vec<u64>>>| r.as_ref().is_some_and(|r| r[n].contains(id));
        if ours[n].contains(id) {
            e.1 += 1;
        } else {
            misses.push(format!("{kind}: `{q}` ({})", items[*item].title));
        }
        e.2 += usize::from(found(&fts));
        e.3 += usize::from(found(&maria));
    }
    let pct = |a: usize, n: usize| format!("{:.1} %", a as f64 * 100.0 / n.max(1) as f64);
    println!(
        "\n{} known items among {} sci-tech records; share found in the first 10 results\n",
        items.len(),
        conn.query_row("SELECT count(*) FROM libgen", [], |r| r.get::<_, i64>(0))
            .unwrap_or(0)
    );
    println!("| kind of query | queries | Lanshelf | SQLite FTS5 | MariaDB `+word*` |");
    println!("|---|---|---|---|---|");
    let mut all = (0, 0, 0, 0);
    for (k, (n, a, b, c)) in &table {
        println!(
            "| {} | {n} | **{}** | {} | {} |",
            KINDS[*k],
            pct(*a, *n),
            if fts.is_some() {
                pct(*b, *n)
            } else {
                "–".into()
            },
            if maria.is_some() {
                pct(*c, *n)
            } else {
                "–".into()
            },
        );
        all = (all.0 + n, all.1 + a, all.2 + b, all.3 + c);
    }
    println!(
        "| all | {} | **{}** | {} | {} |",
        all.0,
        pct(all.1, all.0),
        if fts.is_some() {
            pct(all.2, all.0)
        } else {
            "–".into()
        },
        if maria.is_some() {
            pct(all.3, all.0)
        } else {
            "–".into()
        },
    );
    if !misses.is_empty() {
        println!("\nNot in Lanshelf's first 10:");
        for m in misses {
            println!("- {m}");
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("write-dump") => write_items_dump(&args[1..]),
        Some("run") => run(&args[1..]),
        _ => {
            eprintln!("usage: bench_relevance write-dump ITEMS ROWS SEED OUT | run DB INDEX ITEMS [--mariadb-socket S] [--no-fts]");
            std::process::exit(2);
        }
    }
}
