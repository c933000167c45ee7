//! Tests of the synthetic dumps, with a small independent parser of the mysqldump text.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use super::ids::{check10, check13};
use super::out::escape_into;
use super::words::Vocab;
use super::*;

type Field = Option<Vec<u8>>;
type Tables = BTreeMap<String, Vec<Vec<Field>>>;

fn dump(collection: Collection, rows: u64, seed: u64) -> Vec<u8> {
    let opts = SynthOptions {
        collection,
        rows,
        seed,
        ..SynthOptions::default()
    };
    let mut v = Vec::new();
    let stats = write_dump(&opts, &mut v).unwrap();
    assert_eq!(stats.bytes, v.len() as u64);
    assert_eq!(stats.rows, rows);
    v
}

/// The inverse of `mysqldump`'s escaping (and MySQL's other escapes).
fn unescape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut it = s.iter();
    while let Some(&b) = it.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&e) = it.next() else {
            panic!("dangling backslash")
        };
        out.push(match e {
            b'0' => 0,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'b' => 8,
            b'Z' => 0x1A,
            other => other,
        });
    }
    out
}

/// Parses the tuples of one `INSERT INTO ... VALUES (...),(...);` line.
fn parse_values(line: &[u8]) -> Vec<Vec<Field>> {
    let mut rows = Vec::new();
    let mut i = 0;
    assert_eq!(line[i], b'(', "tuple start");
    loop {
        assert_eq!(line[i], b'(');
        i += 1;
        let mut row = Vec::new();
        loop {
            if line[i] == b'\'' {
                i += 1;
                let start = i;
                while line[i] != b'\'' {
                    i += if line[i] == b'\\' { 2 } else { 1 };
                }
                row.push(Some(unescape(&line[start..i])));
                i += 1;
            } else {
                let start = i;
                while line[i] != b',' && line[i] != b')' {
                    i += 1;
                }
                let tok = &line[start..i];
                assert!(!tok.is_empty(), "empty bare value");
                row.push(if tok == b"NULL" {
                    None
                } else {
                    assert!(tok.iter().all(u8::is_ascii_digit), "bare value {tok:?}");
                    Some(tok.to_vec())
                });
            }
            match line[i] {
                b',' => i += 1,
                b')' => {
                    i += 1;
                    break;
                }
                c => panic!("unexpected byte {c} in tuple"),
            }
        }
        rows.push(row);
        match line[i] {
            b',' => i += 1,
            b';' => {
                assert_eq!(i + 1, line.len(), "text after the statement");
                return rows;
            }
            c => panic!("unexpected byte {c} between tuples"),
        }
    }
}

fn parse(dump: &[u8]) -> Tables {
    let mut tables = Tables::new();
    for line in dump.split(|&b| b == b'\n') {
        if let Some(rest) = line.strip_prefix(b"LOCK TABLES `") {
            let name = rest.split(|&b| b == b'`').next().unwrap();
            tables.insert(String::from_utf8(name.to_vec()).unwrap(), Vec::new());
        }
        let Some(rest) = line.strip_prefix(b"INSERT INTO `") else {
            continue;
        };
        let end = rest.iter().position(|&b| b == b'`').unwrap();
        let name = String::from_utf8(rest[..end].to_vec()).unwrap();
        let values = rest[end..].strip_prefix(b"` VALUES ").expect("VALUES");
        tables.get_mut(&name).unwrap().extend(parse_values(values));
    }
    tables
}

/// Column names of each `CREATE TABLE` of a dump.
fn columns(dump: &[u8]) -> HashMap<String, Vec<String>> {
    let text = std::str::from_utf8(dump).unwrap();
    let mut out = HashMap::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("CREATE TABLE `") {
            current = Some((rest.split('`').next().unwrap().to_string(), Vec::new()));
        } else if let Some((_, cols)) = current.as_mut() {
            if let Some(rest) = line.strip_prefix("  `") {
                cols.push(rest.split('`').next().unwrap().to_string());
            } else if line.starts_with(')') {
                let (name, cols) = current.take().unwrap();
                out.insert(name, cols);
            }
        }
    }
    out
}

fn col(cols: &HashMap<String, Vec<String>>, table: &str, name: &str) -> usize {
    cols[table].iter().position(|c| c == name).unwrap()
}

fn text(f: &Field) -> &str {
    std::str::from_utf8(f.as_deref().unwrap_or(b"")).unwrap()
}

#[test]
fn escape_round_trips_every_byte() {
    let mut s: Vec<u8> = (0..=255u8).collect();
    s.extend_from_slice(b"\0\'\"\\\n\r\x1a\t it's a \"test\" \\ \r\n end\\");
    s.extend_from_slice("Фёдор 三国 ünïcödé".as_bytes());
    let mut e = Vec::new();
    escape_into(&mut e, &s);
    // Nothing that ends or breaks a quoted string is left raw; TAB stays raw.
    assert!(!e.contains(&0) && !e.contains(&b'\n') && !e.contains(&b'\r') && !e.contains(&0x1A));
    assert!(e.contains(&b'\t'));
    let mut k = 0;
    while k < e.len() {
        match e[k] {
            b'\\' => {
                assert!(b"0nr\\'\"Z".contains(&e[k + 1]), "bad escape {}", e[k + 1]);
                k += 2;
            }
            b'\'' | b'"' => panic!("raw quote at {k}"),
            _ => k += 1,
        }
    }
    assert_eq!(unescape(&e), s);
    // And through the whole writer: a one-field tuple parses back to the same bytes.
    let mut line = b"(".to_vec();
    line.push(b'\'');
    line.extend_from_slice(&e);
    line.extend_from_slice(b"');");
    assert_eq!(parse_values(&line), vec![vec![Some(s)]]);
}

#[test]
fn same_seed_same_bytes() {
    for c in Collection::ALL.into_iter().filter(|c| c.is_classic()) {
        let a = dump(c, 400, 7);
        let b = dump(c, 400, 7);
        assert!(a == b, "{c}: not deterministic");
        let other = dump(c, 400, 8);
        assert!(a != other, "{c}: the seed changes nothing");
        assert!(std::str::from_utf8(&a).is_ok(), "{c}: not UTF-8");
    }
}

#[test]
fn tuple_counts() {
    let rows = 2000;
    // A simple scan: tuples per INSERT line are its `),(` plus one.
    let d = dump(Collection::Libgen, rows, 3);
    let mut by_scan: HashMap<String, u64> = HashMap::new();
    for line in d.split(|&b| b == b'\n') {
        if let Some(rest) = line.strip_prefix(b"INSERT INTO `") {
            let name = rest.split(|&b| b == b'`').next().unwrap();
            let n = 1 + line.windows(3).filter(|w| w == b"),(").count() as u64;
            *by_scan
                .entry(String::from_utf8(name.to_vec()).unwrap())
                .or_default() += n;
        }
    }
    assert_eq!(by_scan["updated"], rows);
    assert_eq!(by_scan["topics"], 80);
    // And the same with the full parser.
    let t = parse(&d);
    assert_eq!(t["updated"].len() as u64, rows);
    assert_eq!(t["description"].len() as u64, by_scan["description"]);
    assert_eq!(t["hashes"].len() as u64, by_scan["hashes"]);
    assert!(t["updated_edited"].is_empty());
    let descr = t["description"].len() as f64 / rows as f64;
    let hashes = t["hashes"].len() as f64 / rows as f64;
    assert!((0.25..0.35).contains(&descr), "description share {descr}");
    assert!((0.45..0.55).contains(&hashes), "hashes share {hashes}");

    let t = parse(&dump(Collection::Fiction, rows, 3));
    assert_eq!(t["fiction"].len() as u64, rows);
    let descr = t["fiction_description"].len() as f64 / rows as f64;
    assert!(
        (0.25..0.35).contains(&descr),
        "fiction description share {descr}"
    );
    assert!(!t["fiction_hashes"].is_empty());

    let t = parse(&dump(Collection::Scimag, rows, 3));
    assert_eq!(t[Collection::Scimag.dump_table()].len() as u64, rows);
    assert_eq!(t["magazines"].len(), 2000);
    assert_eq!(t["publishers"].len(), 400);
}

#[test]
fn tuples_match_create_table() {
    for c in Collection::ALL.into_iter().filter(|c| c.is_classic()) {
        let d = dump(c, 300, 11);
        let cols = columns(&d);
        for (table, rows) in parse(&d) {
            let n = cols[&table].len();
            for row in &rows {
                assert_eq!(
                    row.len(),
                    n,
                    "{c}: `{table}` tuple has {} fields",
                    row.len()
                );
            }
        }
    }
}

fn valid_isbn(s: &str) -> bool {
    let d: Vec<u8> = s.bytes().filter(|&b| b != b'-').collect();
    match d.len() {
        13 if d.iter().all(u8::is_ascii_digit) => {
            let v: Vec<u8> = d.iter().map(|b| b - b'0').collect();
            check13(&v) == v[12]
        }
        10 if d[..9].iter().all(u8::is_ascii_digit) => {
            let v: Vec<u8> = d[..9].iter().map(|b| b - b'0').collect();
            check10(&v) == d[9]
        }
        _ => false,
    }
}

#[test]
fn isbn_check_digits() {
    assert!(valid_isbn("978-0-262-03384-8"));
    assert!(valid_isbn("0262033844"));
    assert!(valid_isbn("0-201-02116-1"));
    assert!(valid_isbn("978-0-262-51087-5"));
    assert!(!valid_isbn("978-0-262-03384-7"));

    let d = dump(Collection::Libgen, 3000, 5);
    let cols = columns(&d);
    let t = parse(&d);
    let (ci, cw) = (
        col(&cols, "updated", "Identifier"),
        col(&cols, "updated", "IdentifierWODash"),
    );
    let mut seen = 0;
    let mut dashed = 0;
    for row in &t["updated"] {
        let ident = text(&row[ci]);
        assert_eq!(text(&row[cw]), ident.replace('-', ""));
        for isbn in ident.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            assert!(valid_isbn(isbn), "bad ISBN {isbn}");
            seen += 1;
            dashed += usize::from(isbn.contains('-'));
        }
    }
    assert!(
        seen > 1500 && dashed > seen / 2,
        "{seen} ISBNs, {dashed} with dashes"
    );

    let d = dump(Collection::Fiction, 2000, 5);
    let cols = columns(&d);
    let ci = col(&cols, "fiction", "Identifier");
    for row in &parse(&d)["fiction"] {
        for isbn in text(&row[ci])
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            assert!(valid_isbn(isbn), "bad ISBN {isbn}");
        }
    }
}

#[test]
fn ids_md5s_and_editions() {
    let opts = SynthOptions {
        rows: 6000,
        first_id: 1000,
        seed: 9,
        ..SynthOptions::default()
    };
    let mut d = Vec::new();
    write_dump(&opts, &mut d).unwrap();
    let cols = columns(&d);
    let t = parse(&d);
    let rows = &t["updated"];
    let c = |n| col(&cols, "updated", n);
    let (cid, cmd5, cgen, cvis, ctitle, cauth) = (
        c("ID"),
        c("MD5"),
        c("Generic"),
        c("Visible"),
        c("Title"),
        c("Author"),
    );
    let ids: Vec<u64> = rows
        .iter()
        .map(|r| text(&r[cid]).parse().unwrap())
        .collect();
    assert_eq!(ids[0], 1000);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "IDs not ascending");
    assert!(ids.last().unwrap() - ids[0] > 6000, "no gaps");
    let auto = format!("AUTO_INCREMENT={} ", ids.last().unwrap() + 1);
    assert!(std::str::from_utf8(&d).unwrap().contains(&auto));

    let mut by_md5 = HashMap::new();
    for (k, r) in rows.iter().enumerate() {
        let m = text(&r[cmd5]);
        assert!(
            m.len() == 32
                && m.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert!(by_md5.insert(m.to_string(), k).is_none(), "MD5 repeats");
    }
    let mut editions = 0;
    let mut withdrawn = 0;
    for (k, r) in rows.iter().enumerate() {
        let g = text(&r[cgen]);
        if !g.is_empty() {
            editions += 1;
            let j = by_md5[g];
            assert!(j < k, "Generic names a later row");
            assert_eq!(r[ctitle], rows[j][ctitle]);
            assert_eq!(r[cauth], rows[j][cauth]);
            assert!(text(&rows[j][cgen]).is_empty(), "Generic names an edition");
        }
        match text(&r[cvis]) {
            "" => {}
            "ban" | "del" | "cpr" | "no" => withdrawn += 1,
            v => panic!("Visible {v}"),
        }
    }
    assert!((100..260).contains(&editions), "{editions} editions");
    assert!((60..190).contains(&withdrawn), "{withdrawn} withdrawn");

    // Descriptions and hashes name books.
    for (table, cm) in [("description", 1), ("hashes", 0)] {
        for r in &t[table] {
            assert!(by_md5.contains_key(text(&r[cm])), "{table} names no book");
        }
    }
}

#[test]
fn fiction_md5s() {
    let d = dump(Collection::Fiction, 8000, 4);
    let cols = columns(&d);
    let t = parse(&d);
    let cm = col(&cols, "fiction", "MD5");
    let cg = col(&cols, "fiction", "Generic");
    let mut seen = HashSet::new();
    let mut nulls = 0;
    for r in &t["fiction"] {
        match &r[cm] {
            None => nulls += 1,
            Some(m) => {
                assert!(
                    m.len() == 32
                        && m.iter()
                            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b))
                );
                assert!(seen.insert(m.clone()), "MD5 repeats");
            }
        }
    }
    assert!((30..140).contains(&nulls), "{nulls} NULL MD5s");
    for r in &t["fiction"] {
        let g = text(&r[cg]);
        assert!(
            g.is_empty() || seen.contains(g.as_bytes()),
            "Generic names no book"
        );
    }
    for r in &t["fiction_description"] {
        assert!(seen.contains(r[0].as_ref().unwrap()));
    }
}

#[test]
fn papers_dois_and_journals() {
    let d = dump(Collection::Scimag, 15_000, 2);
    let cols = columns(&d);
    let t = parse(&d);
    let papers = Collection::Scimag.dump_table();
    let c = |n| col(&cols, papers, n);
    let (cdoi, cj, cjid, cauth, ctitle) = (
        c("DOI"),
        c("Journal"),
        c("JOURNALID"),
        c("Author"),
        c("Title"),
    );
    let mag_ids: HashSet<String> = t["magazines"]
        .iter()
        .map(|r| {
            assert_eq!(r[0], r[col(&cols, "magazines", "JOURNALID")]);
            text(&r[0]).to_string()
        })
        .collect();
    let prefixes: HashSet<String> = t["publishers"]
        .iter()
        .map(|r| text(&r[1]).to_string())
        .collect();
    let mut dois = HashSet::new();
    let (mut sici, mut empty_journal, mut multi, mut html) = (0, 0, 0, 0);
    for r in &t[papers] {
        let doi = text(&r[cdoi]).to_string();
        assert!(doi.starts_with("10.") && doi.contains('/'), "{doi}");
        assert_eq!(doi, doi.to_lowercase());
        assert!(prefixes.contains(doi.split('/').next().unwrap()), "{doi}");
        sici += usize::from(doi.contains("(sici)"));
        assert!(dois.insert(doi.clone()), "DOI {doi} repeats");
        if text(&r[cj]).is_empty() {
            empty_journal += 1;
            assert!(
                mag_ids.contains(text(&r[cjid])),
                "JOURNALID names no journal"
            );
        } else {
            assert!(text(&r[cjid]).is_empty());
        }
        multi += usize::from(text(&r[cauth]).contains("; "));
        html += usize::from(text(&r[ctitle]).contains('<') || text(&r[ctitle]).contains("&amp;"));
    }
    let n = t[papers].len();
    assert!((n * 3 / 100..n * 7 / 100).contains(&sici), "{sici} SICI");
    assert!(
        (n * 35 / 100..n * 45 / 100).contains(&empty_journal),
        "{empty_journal}"
    );
    assert!(multi > n / 2 && html > n / 50, "{multi} {html}");
}

#[test]
fn statements_are_cut_like_mysqldump() {
    let opts = SynthOptions {
        rows: 500,
        statement_bytes: 8192,
        ..SynthOptions::default()
    };
    let mut d = Vec::new();
    write_dump(&opts, &mut d).unwrap();
    let mut statements = 0;
    for line in d.split(|&b| b == b'\n') {
        if line.starts_with(b"INSERT INTO `updated`") {
            statements += 1;
            let tuples = 1 + line.windows(3).filter(|w| w == b"),(").count();
            assert!(
                line.len() < 8192 || tuples == 1,
                "statement of {} bytes",
                line.len()
            );
            assert!(line.ends_with(b");"));
        }
    }
    assert!(statements > 20, "{statements} statements");
    assert_eq!(parse(&d)["updated"].len(), 500);
    // The default size gives ~1 MiB lines.
    let d = dump(Collection::Libgen, 5000, 1);
    let longest = d.split(|&b| b == b'\n').map(<[u8]>::len).max().unwrap();
    assert!(
        (900_000..1 << 20).contains(&longest),
        "longest line {longest}"
    );
}

#[test]
fn zero_rows() {
    for c in Collection::ALL.into_iter().filter(|c| c.is_classic()) {
        let d = dump(c, 0, 1);
        let t = parse(&d);
        assert!(t[c.dump_table()].is_empty());
        assert!(d.ends_with(b"-- Dump completed\n"));
    }
}

/// Everything but the data and the AUTO_INCREMENT values is the text of the real samples (the
/// `*-oneline.sql` fixtures, which `tests/fixtures/make-fixtures.sh` checks byte for byte against
/// MariaDB's output).
#[test]
fn skeleton_matches_reference_samples() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dumps");
    for c in Collection::ALL.into_iter().filter(|c| c.is_classic()) {
        let path = dir.join(format!("{}-oneline.sql", c.slug()));
        let reference = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let skeleton = |d: &[u8]| -> Vec<String> {
            String::from_utf8_lossy(d)
                .lines()
                .filter(|l| !l.starts_with("INSERT INTO "))
                .map(|l| match l.find(" AUTO_INCREMENT=") {
                    Some(k) => {
                        let rest = &l[k + 16..];
                        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                        format!("{}{}", &l[..k], &rest[digits..])
                    }
                    None => l.to_string(),
                })
                .collect()
        };
        let ours = dump(c, 200, 1);
        assert_eq!(skeleton(&ours), skeleton(&reference), "{c}");
    }
}

#[test]
fn vocabulary() {
    let v = Vocab::new();
    assert!((49_000..=51_000).contains(&v.len()), "{} words", v.len());
    // Titles are mostly 2–14 words and varied; Chinese ones have no spaces.
    let d = dump(Collection::Libgen, 3000, 6);
    let cols = columns(&d);
    let ct = col(&cols, "updated", "Title");
    let cl = col(&cols, "updated", "Language");
    let mut distinct = HashSet::new();
    let mut zh = 0;
    for r in &parse(&d)["updated"] {
        let title = text(&r[ct]);
        distinct.insert(title.to_string());
        if text(&r[cl]) == "Chinese" {
            zh += 1;
            assert!(!title.contains(' '), "{title}");
        } else {
            let words = title.split_whitespace().count();
            assert!((1..=24).contains(&words), "{title}");
        }
    }
    assert!(
        distinct.len() > 2800 && zh > 50,
        "{} distinct, {zh} Chinese",
        distinct.len()
    );
}

/// Counts bytes.
struct Sink(u64);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Run by hand: `cargo test --release --lib synth -- --ignored --nocapture`
/// (`SYNTH_ROWS` changes the number of rows, 1 M by default).
#[test]
#[ignore]
fn throughput() {
    let rows = std::env::var("SYNTH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    for c in Collection::ALL.into_iter().filter(|c| c.is_classic()) {
        let opts = SynthOptions::new(c, rows);
        let t = Instant::now();
        let stats = write_dump(&opts, Sink(0)).unwrap();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{c}: {rows} rows, {:.1} MB in {secs:.2} s = {:.0} MB/s, {:.0} rows/s, {:.0} bytes/row",
            stats.bytes as f64 / 1e6,
            stats.bytes as f64 / 1e6 / secs,
            rows as f64 / secs,
            stats.bytes as f64 / rows as f64,
        );
    }
}

#[test]
fn planted_books_appear_once_each_visible_and_whole() {
    let planted: Vec<Planted> = (0..7)
        .map(|k| Planted {
            title: format!("Planted O'Book {k}: Théorie"),
            author: format!("Author {k}"),
            language: "Français".into(),
            year: 1900 + k,
        })
        .collect();
    let opts = SynthOptions {
        rows: 500,
        planted: planted.clone(),
        ..SynthOptions::default()
    };
    let mut v = Vec::new();
    write_dump(&opts, &mut v).unwrap();
    let cols = columns(&v);
    let tables = parse(&v);
    let c = |name: &str| col(&cols, "updated", name);
    let mut found = Vec::new();
    for row in &tables["updated"] {
        let title = text(&row[c("Title")]);
        if title.starts_with("Planted") {
            assert_eq!(text(&row[c("Visible")]), "", "{title}");
            assert_eq!(text(&row[c("Generic")]), "", "{title}");
            assert_eq!(text(&row[c("Language")]), "Français");
            found.push((title.to_string(), text(&row[c("Author")]).to_string()));
        }
    }
    let want: Vec<(String, String)> = planted
        .iter()
        .map(|p| (p.title.clone(), p.author.clone()))
        .collect();
    assert_eq!(found, want);
}
