//! Hostile input to the dump reader, the identifier parsers and the query parser: property tests
//! (proptest) that they never panic and that what they accept round-trips, and the memory the
//! real binary takes on a 100 MB string literal and a row of a million columns. The same
//! functions have `cargo fuzz` targets in `fuzz/` (see docs/security.md).

mod common;

use std::io::{Read, Write};

use lanshelf::dump::{DumpError, DumpReader, Value};
use lanshelf::search::normalize::{
    detect_identifier, is_md5, isbn_terms, parse_doi, parse_isbn, parse_issn, Identifier,
};
use lanshelf::search::query::{build, candidates, parse, Clause, Filters, Matching, Purpose};
use lanshelf::search::schema::Fields;
use proptest::prelude::*;

/// Hands out at most `step` bytes per read, to cross every refill boundary.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A value as read back: NULL, a number's text, or a string's bytes.
#[derive(Debug, Clone, PartialEq)]
enum V {
    Null,
    Num(Vec<u8>),
    Text(Vec<u8>),
}

type Rows = Vec<(String, Vec<V>)>;

fn read_all(data: &[u8], step: usize) -> (Rows, Option<DumpError>) {
    let mut reader = DumpReader::new(Trickle { data, step });
    let mut rows = Vec::new();
    loop {
        match reader.next_row() {
            Ok(Some(row)) => {
                let values = row
                    .values()
                    .map(|v| match v {
                        Value::Null => V::Null,
                        Value::Number(n) => V::Num(n.to_vec()),
                        Value::Text(t) => V::Text(t.to_vec()),
                    })
                    .collect();
                rows.push((row.table.to_string(), values));
            }
            Ok(None) => return (rows, None),
            Err(e) => return (rows, Some(e)),
        }
    }
}

const HEAD: &[u8] = b"-- MySQL dump 10.19\n/*!40101 SET NAMES utf8mb4 */;\nDROP TABLE IF EXISTS `t`;\n\
CREATE TABLE `t` (\n  `ID` int(11) NOT NULL,\n  `Title` varchar(100) DEFAULT '',\n  `Note` text DEFAULT NULL,\n  PRIMARY KEY (`ID`)\n) ENGINE=MyISAM;\n\
LOCK TABLES `t` WRITE;\n";
const TAIL: &[u8] = b"UNLOCK TABLES;\n-- Dump completed on 2024-01-01\n";

/// Escapes bytes the way mysqldump does inside single quotes.
fn escape(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'\'');
    for &b in bytes {
        match b {
            0 => out.extend_from_slice(b"\\0"),
            b'\'' => out.extend_from_slice(b"\\'"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0x1a => out.extend_from_slice(b"\\Z"),
            _ => out.push(b),
        }
    }
    out.push(b'\'');
}

/// A dump of table `t` holding `rows` (id, title, note), split into statements of `per_insert`.
/// A row of table `t`: id, title, note (NULL when `None`).
type TRow = (i64, Vec<u8>, Option<Vec<u8>>);

fn dump(rows: &[TRow], per_insert: usize) -> Vec<u8> {
    let mut out = HEAD.to_vec();
    for chunk in rows.chunks(per_insert.max(1)) {
        out.extend_from_slice(b"INSERT INTO `t` VALUES ");
        for (i, (id, title, note)) in chunk.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(format!("({id},").as_bytes());
            escape(&mut out, title);
            out.push(b',');
            match note {
                None => out.extend_from_slice(b"NULL"),
                Some(n) => escape(&mut out, n),
            }
            out.push(b')');
        }
        out.extend_from_slice(b";\n");
    }
    out.extend_from_slice(TAIL);
    out
}

fn row_strategy() -> impl Strategy<Value = TRow> {
    (
        any::<i64>(),
        prop::collection::vec(any::<u8>(), 0..64),
        prop::option::of(prop::collection::vec(any::<u8>(), 0..200)),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any bytes, alone or after a valid table header: no panic, and the same rows (and the same
    /// verdict) however the input is split into reads.
    #[test]
    fn the_reader_survives_any_bytes(
        junk in prop::collection::vec(any::<u8>(), 0..2048),
        after_header in any::<bool>(),
        step in 1usize..9,
    ) {
        let mut data = if after_header { HEAD.to_vec() } else { Vec::new() };
        data.extend_from_slice(&junk);
        let (whole, whole_err) = read_all(&data, usize::MAX);
        let (trickled, trickled_err) = read_all(&data, step);
        prop_assert_eq!(whole, trickled);
        prop_assert_eq!(whole_err.is_some(), trickled_err.is_some());
    }

    /// Every value (any bytes: quotes, backslashes, NUL, invalid UTF-8) reads back exactly.
    #[test]
    fn values_round_trip(
        rows in prop::collection::vec(row_strategy(), 1..40),
        per_insert in 1usize..10,
        step in prop::sample::select(vec![1usize, 3, 64, usize::MAX]),
    ) {
        let data = dump(&rows, per_insert);
        let (read, err) = read_all(&data, step);
        prop_assert!(err.is_none(), "{:?}", err);
        let expected: Rows = rows
            .iter()
            .map(|(id, title, note)| {
                (
                    "t".to_string(),
                    vec![
                        V::Num(id.to_string().into_bytes()),
                        V::Text(title.clone()),
                        note.clone().map_or(V::Null, V::Text),
                    ],
                )
            })
            .collect();
        prop_assert_eq!(read, expected);
    }

    /// A dump cut anywhere, or with one byte changed: no panic; a cut dump never reads as
    /// complete, and what it yields before failing is what the whole dump starts with.
    #[test]
    fn cut_or_damaged_dumps_fail_cleanly(
        rows in prop::collection::vec(row_strategy(), 1..10),
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let data = dump(&rows, 3);
        let (all, _) = read_all(&data, usize::MAX);
        let at = cut.index(data.len());
        let (some, err) = read_all(&data[..at], 5);
        // Past the header the table is locked: only a cut after `UNLOCK TABLES;` (its newline
        // or not) is complete.
        let complete_cut = at < HEAD.len() || at >= data.len() - TAIL.len() + 14;
        prop_assert!(err.is_some() || complete_cut, "cut at {} read as complete", at);
        prop_assert!(some.len() <= all.len() && all[..some.len()] == some[..]);
        let mut damaged = data.clone();
        damaged[flip.index(data.len())] = byte;
        let _ = read_all(&damaged, 7);
    }

    /// The identifier parsers on any text: no panic, normalised results.
    #[test]
    fn identifier_parsers_survive_any_text(text in any::<String>()) {
        check_identifiers(&text);
    }

    /// The same, on text made of the characters identifiers are made of.
    #[test]
    fn identifier_parsers_survive_identifier_like_text(text in "[0-9Xx/:.%-]{0,40}(doi|isbn|md5|https://doi.org/)?[0-9a-fA-F./ %?#-]{0,40}") {
        check_identifiers(&text);
    }

    /// Every valid ISBN-13, however written, parses to its digits.
    #[test]
    fn valid_isbn13s_parse(body in "97[89][0-9]{9}", dashes in prop::collection::vec(any::<bool>(), 13)) {
        let check = isbn13_check(body.as_bytes());
        let digits = format!("{body}{check}");
        let mut written = String::new();
        for (i, c) in digits.chars().enumerate() {
            written.push(c);
            if dashes[i] && i < 12 {
                written.push('-');
            }
        }
        let (isbn13, _) = parse_isbn(&written).expect("a valid ISBN-13");
        prop_assert_eq!(&isbn13, &digits);
        let wrong = format!("{body}{}", (check + 1) % 10);
        prop_assert!(parse_isbn(&wrong).is_none());
    }

    /// Every MD5, in any case, is recognised in the search box as itself in lower case.
    #[test]
    fn md5s_are_recognised(md5 in "[0-9a-fA-F]{32}") {
        prop_assert!(is_md5(&md5));
        prop_assert_eq!(detect_identifier(&md5), Some(Identifier::Md5(md5.to_lowercase())));
    }

    /// Every DOI, bare or as a doi.org URL, parses to itself in lower case.
    #[test]
    fn dois_parse_bare_and_as_urls(prefix in "[0-9]{4,9}", suffix in "[A-Za-z0-9()_;:.-]{0,30}[A-Za-z0-9]") {
        let doi = format!("10.{prefix}/{suffix}");
        prop_assert_eq!(parse_doi(&doi), Some(doi.to_lowercase()));
        prop_assert_eq!(parse_doi(&format!("https://doi.org/{doi}")), Some(doi.to_lowercase()));
    }

    /// The query parser and builder on any text: no panic, a bounded number of clauses.
    #[test]
    fn any_query_parses_and_builds(text in any::<String>()) {
        check_query(&text);
    }

    /// The same on text dense in the syntax's own characters.
    #[test]
    fn syntax_heavy_queries_parse_and_build(text in "([-\"():.*]|title:|author:|year:|lang:|ext:|md5:|doi:|isbn:|collection:|\\.\\.|[a-z]{1,6}| |红楼){0,60}") {
        check_query(&text);
    }
}

fn isbn13_check(d: &[u8]) -> u8 {
    let sum: u32 = d
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, &c)| (c - b'0') as u32 * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn check_identifiers(text: &str) {
    if is_md5(text) {
        assert_eq!(text.len(), 32);
    }
    if let Some(doi) = parse_doi(text) {
        assert!(doi.starts_with("10."), "{doi:?}");
        assert!(!doi.contains(char::is_whitespace));
    }
    if let Some((isbn13, isbn10)) = parse_isbn(text) {
        assert!(isbn13.len() == 13 && isbn13.bytes().all(|b| b.is_ascii_digit()));
        assert!(isbn10.is_none_or(|i| i.len() == 10));
        assert_eq!(parse_isbn(&isbn13).map(|p| p.0), Some(isbn13));
    }
    let _ = parse_issn(text);
    let _ = detect_identifier(text).map(|id| id.term());
    let mut terms = Vec::new();
    isbn_terms(text, &mut terms);
}

fn check_query(text: &str) {
    let parsed = parse(text);
    assert!(parsed.clauses.len() + parsed.excluded.len() + parsed.identifiers.len() <= 24);
    assert!(parsed.clauses.iter().all(|c| c.tokens.len() <= 64));
    let fields = Fields::new();
    let common = |c: &Clause| c.tokens.len().is_multiple_of(2);
    for matching in [Matching::Exact, Matching::Fuzzy, Matching::Any] {
        for purpose in [Purpose::Rank, Purpose::Match] {
            let _ = build(
                &fields,
                &parsed,
                &Filters::default(),
                matching,
                true,
                purpose,
                &common,
            );
        }
        let _ = candidates(&fields, &parsed, &Filters::default(), matching, &common);
    }
}

#[test]
fn deeply_nested_and_enormous_queries_parse() {
    let nested = format!("{}knuth{}", "(".repeat(200_000), ")".repeat(200_000));
    check_query(&nested);
    let quotes = "\"a ".repeat(100_000);
    check_query(&quotes);
    let words = "word ".repeat(200_000);
    check_query(&words);
    let fields = "title:author:series:".repeat(50_000);
    check_query(&fields);
    check_query(&"md5:x doi:y isbn:z ".repeat(10_000));
    check_query("year:>18446744073709551615 year:<0 year:18446744073709551615..0");
    check_identifiers(&"10.1234/".repeat(100_000));
    check_identifiers(&"9".repeat(1_000_000));
    let lossy = String::from_utf8_lossy(&[0xff, 0xfe, b'(', 0xc3, b'"', 0xe2, 0x82]).into_owned();
    check_query(&lossy);
}

/// Runs `lanshelf ARGS -` with `write` streaming its standard input; returns its output and
/// its peak resident memory in MiB (`VmHWM`, sampled until it exits).
fn with_stdin(
    dir: &std::path::Path,
    args: &[&str],
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()> + Send + 'static,
) -> (std::process::Output, u64) {
    let mut child = common::lanshelf(dir)
        .args(args)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        // The reader may stop early (that is the point): a broken pipe is expected.
        let _ = write(&mut stdin);
    });
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        text
    });
    let mut peak_kib = 0u64;
    while child.try_wait().unwrap().is_none() {
        if let Ok(text) = std::fs::read_to_string(&status) {
            if let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let mut out = child.wait_with_output().unwrap();
    out.stderr = errors.join().unwrap();
    writer.join().unwrap();
    (out, peak_kib / 1024)
}

const TABLE: &[u8] = b"CREATE TABLE `updated` (\n  `ID` int(10) unsigned NOT NULL,\n  `Title` varchar(2000) DEFAULT '',\n  `MD5` char(32) DEFAULT NULL\n) ENGINE=MyISAM;\nLOCK TABLES `updated` WRITE;\n";

#[test]
fn huge_literals_and_rows_take_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    // A row of a million columns (no column list can be that long): read in bounded memory.
    let (out, peak) = with_stdin(dir.path(), &["check"], |w| {
        w.write_all(TABLE)?;
        w.write_all(b"INSERT INTO `updated` VALUES (1")?;
        let chunk = ",'x'".repeat(1000);
        for _ in 0..1000 {
            w.write_all(chunk.as_bytes())?;
        }
        w.write_all(b");\nUNLOCK TABLES;\n")
    });
    assert!(out.status.success());
    eprintln!("1 M-column row: {peak} MiB peak");
    assert!(peak < 200, "{peak} MiB for a million-column row");

    // A 100 MB string literal (with escapes and invalid UTF-8), streamed through a pipe in
    // small writes: refused past the row limit, in bounded memory and linear time.
    let literal = |w: &mut dyn Write| -> std::io::Result<()> {
        w.write_all(TABLE)?;
        w.write_all(b"INSERT INTO `updated` VALUES (1,'")?;
        let chunk = b"ab\\'c\\\\\xff\xfe\x00d".repeat(400);
        for _ in 0..(100_000_000 / chunk.len()) {
            w.write_all(&chunk)?;
        }
        w.write_all(b"',NULL);\nUNLOCK TABLES;\n")
    };
    let (out, peak) = with_stdin(dir.path(), &["check"], literal);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(
        stderr.contains("larger than 64 MiB"),
        "{}",
        &stderr[..stderr.len().min(500)]
    );
    eprintln!("100 MB literal, check: {peak} MiB peak");
    assert!(peak < 400, "{peak} MiB for a 100 MB literal");
    // The import refuses it the same way, and leaves no catalog behind.
    let (out, peak) = with_stdin(dir.path(), &["import"], literal);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(
        stderr.contains("larger than 64 MiB"),
        "{}",
        &stderr[..stderr.len().min(500)]
    );
    assert!(!dir.path().join("catalog.sqlite").exists());
    eprintln!("100 MB literal, import: {peak} MiB peak");
    assert!(peak < 400, "{peak} MiB for a 100 MB literal");
}

#[test]
fn a_50_mb_literal_within_the_limit_is_read() {
    // Below the row limit, a big value is read whole, in time linear in its size.
    let data = {
        let mut d = TABLE.to_vec();
        d.extend_from_slice(b"INSERT INTO `updated` VALUES (1,'");
        d.extend(std::iter::repeat_n(b'z', 50_000_000));
        d.extend_from_slice(b"','0123456789abcdef0123456789abcdef');\nUNLOCK TABLES;\n");
        d
    };
    let mut reader = DumpReader::new(Trickle {
        data: &data,
        step: 65536,
    });
    let row = reader.next_row().unwrap().expect("one row");
    assert_eq!(row.get(1).bytes().len(), 50_000_000);
    assert!(reader.next_row().unwrap().is_none());
}

/// Runs `lanshelf ARGS` in `dir`; returns its output and its peak resident memory in MiB
/// (`VmHWM`, sampled until it exits).
fn with_peak(dir: &std::path::Path, args: &[&std::ffi::OsStr]) -> (std::process::Output, u64) {
    let child = common::lanshelf(dir)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let pid = child.id();
    let sampler = std::thread::spawn(move || {
        let mut peak_kib = 0u64;
        while std::path::Path::new(&format!("/proc/{pid}")).exists() {
            if let Ok(text) = std::fs::read_to_string(&status) {
                if let Some(kib) = text
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                {
                    peak_kib = peak_kib.max(kib);
                }
                if text.contains("State:\tZ") {
                    break;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        peak_kib
    });
    let out = child.wait_with_output().unwrap();
    (out, sampler.join().unwrap() / 1024)
}

#[test]
fn decompression_bombs_of_every_format_are_refused_in_bounded_memory() {
    // 100 MB of one letter in one string literal compresses to almost nothing in every format;
    // decompressed, it passes the 64 MiB row limit: refused, memory bounded, nothing imported.
    let dir = tempfile::tempdir().unwrap();
    let mut sql = TABLE.to_vec();
    sql.extend_from_slice(b"INSERT INTO `updated` VALUES (1,'");
    sql.resize(sql.len() + 100_000_000, b'a');
    sql.extend_from_slice(b"',NULL);\nUNLOCK TABLES;\n");
    let path = |ext: &str| dir.path().join(format!("bomb.{ext}"));
    let file = |ext: &str| std::fs::File::create(path(ext)).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file("sql.gz"), flate2::Compression::best());
    gz.write_all(&sql).unwrap();
    gz.finish().unwrap();
    let mut bz = bzip2::write::BzEncoder::new(file("sql.bz2"), bzip2::Compression::best());
    bz.write_all(&sql).unwrap();
    bz.finish().unwrap();
    let mut xz = liblzma::write::XzEncoder::new(file("sql.xz"), 6);
    xz.write_all(&sql).unwrap();
    xz.finish().unwrap();
    let mut zst = zstd::Encoder::new(file("sql.zst"), 19).unwrap();
    zst.write_all(&sql).unwrap();
    zst.finish().unwrap();
    let mut zip = zip::ZipWriter::new(file("zip"));
    zip.start_file("bomb.sql", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&sql).unwrap();
    zip.finish().unwrap();
    let seven = tempfile::tempdir().unwrap();
    std::fs::write(seven.path().join("bomb.sql"), &sql).unwrap();
    sevenz_rust2::compress_to_path(seven.path(), path("7z")).unwrap();
    let mut rar = rars::Builder::new(rars::ArchiveVersion::Rar50);
    rar.add_bytes(b"bomb.sql".to_vec(), sql.clone(), None, None)
        .unwrap();
    rar.write_to_path(&path("rar"), None).unwrap();
    drop(sql);
    for ext in ["sql.gz", "sql.bz2", "sql.xz", "sql.zst", "zip", "7z", "rar"] {
        let size = std::fs::metadata(path(ext)).unwrap().len();
        for command in ["check", "import"] {
            let (out, peak) = with_peak(dir.path(), &[command.as_ref(), path(ext).as_os_str()]);
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(!out.status.success(), "{ext} {command}");
            assert!(
                stderr.contains("larger than 64 MiB"),
                "{ext} {command}: {}",
                &stderr[..stderr.len().min(400)]
            );
            eprintln!("{ext}: {size} bytes, 100 MB inside; {command}: {peak} MiB peak");
            assert!(peak < 400, "{ext} {command}: {peak} MiB");
        }
        assert!(!dir.path().join("catalog.sqlite").exists());
    }
}
