//! The batch look-up, `lanshelf identify` and the Zotero resolver, on a real catalog and index
//! made by the real binary (the fixture dumps plus 300 generated records per collection, as
//! `lanshelf demo` makes them), a real repository (a book, a novel, a paper inside its scimag
//! zip) and a real `.torrent` file. Every expectation is computed from the catalog with SQL of
//! the test's own, not by the code under test.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use bendy::encoding::Encoder;
use common::{send, Reply};
use lanshelf::search::normalize::parse_isbn;
use lanshelf::web::{self, AppState, Config};
use md5::{Digest, Md5};
use serde_json::{json, Value};

const CLRS_MD5: &str = "c668b424cee13e5994c85c7ee8f18827";
const FOURIER_MD5: &str = "f09b54c4b17b93c775206b487961ef46";
const MOBY_MD5: &str = "252d4ac1817c18746dce8155e601af68";
/// Riemann's paper (scimag 5), whose PDF is in the repository's first zip.
const RIEMANN_DOI: &str = "10.1007/bf01397280";
const HOST: &str = "mirror.lan:8080";

struct Fixture {
    dir: PathBuf,
    /// The book of sci-tech record 7, and its MD5 (the catalog is made to say so).
    clrs: Vec<u8>,
    clrs_md5: String,
    /// The novel of fiction record 2.
    moby: Vec<u8>,
    moby_md5: String,
    /// Riemann's paper.
    pdf: Vec<u8>,
    info_hash: String,
}

fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + seed as usize * 7) % 251) as u8)
        .collect()
}

/// A fixture dump with one MD5 replaced (in every case it is written in).
fn dump_with_md5(dir: &Path, name: &str, old: &str, new: &str) -> PathBuf {
    let text = std::fs::read_to_string(common::dump(name)).unwrap();
    let text = text
        .replace(old, new)
        .replace(&old.to_uppercase(), &new.to_uppercase());
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn gen_dump(dir: &Path, collection: &str) -> PathBuf {
    let path = dir.join(format!("synthetic-{collection}.sql"));
    let out = common::lanshelf(dir)
        .args(["gen-dump", "--collection", collection, "--rows", "300"])
        .args(["--seed", "7", "--first-id", "10000000", "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, data) in entries {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

/// `r_000.torrent`: files `0/<Fourier>` (index 0) and `0/<CLRS>` (index 1).
fn torrent_file(clrs_md5: &str) -> (Vec<u8>, String) {
    let mut info = Encoder::new();
    info.emit_dict(|mut d| {
        d.emit_pair_with(b"files", |e| {
            e.emit_list(|l| {
                for (length, md5) in [(3_145_728u64, FOURIER_MD5), (100_000u64, clrs_md5)] {
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
    let tracker = "http://tracker.invalid/announce";
    let mut torrent = format!("d8:announce{}:{tracker}4:info", tracker.len()).into_bytes();
    torrent.extend(info);
    torrent.push(b'e');
    (torrent, hash)
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("lanshelf-lookup-")
            .tempdir()
            .unwrap()
            .keep();
        let clrs = bytes(100_000, 1);
        let clrs_md5 = md5_hex(&clrs);
        let moby = bytes(5_000, 2);
        let moby_md5 = md5_hex(&moby);
        let dumps = [
            dump_with_md5(&dir, "libgen.sql", CLRS_MD5, &clrs_md5),
            dump_with_md5(&dir, "fiction.sql", MOBY_MD5, &moby_md5),
            common::dump("scimag.sql"),
            gen_dump(&dir, "libgen"),
            gen_dump(&dir, "fiction"),
            gen_dump(&dir, "scimag"),
        ];
        let files: Vec<&Path> = dumps.iter().map(PathBuf::as_path).collect();
        common::import_ok(&dir, &files);

        let repo = dir.join("repository");
        std::fs::create_dir_all(repo.join("libgen/0")).unwrap();
        std::fs::write(repo.join("libgen/0").join(&clrs_md5), &clrs).unwrap();
        std::fs::create_dir_all(repo.join("fiction/0")).unwrap();
        std::fs::write(repo.join(format!("fiction/0/{moby_md5}.epub")), &moby).unwrap();
        let mut pdf = b"%PDF-1.4\n% Riemann 1868\n".to_vec();
        pdf.extend(bytes(9_000, 5));
        pdf.extend(b"\n%%EOF\n");
        write_zip(
            &repo.join("scimag/00000000/libgen.scimag00000000-00000999.zip"),
            &[
                ("10.1007/bf01397279.pdf", &bytes(500, 6)),
                ("10.1007/bf01397280.pdf", &pdf),
            ],
        );
        let torrents = dir.join("torrents");
        std::fs::create_dir_all(&torrents).unwrap();
        let (torrent, info_hash) = torrent_file(&clrs_md5);
        std::fs::write(torrents.join("r_000.torrent"), torrent).unwrap();
        Fixture {
            dir,
            clrs,
            clrs_md5,
            moby,
            moby_md5,
            pdf,
            info_hash,
        }
    })
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

async fn app() -> Router {
    web::app(state().await)
}

fn catalog() -> rusqlite::Connection {
    rusqlite::Connection::open(fixture().dir.join("catalog.sqlite")).unwrap()
}

async fn post(app: &Router, uri: &str, content_type: &str, body: impl Into<Body>) -> Reply {
    send(
        app,
        Request::post(uri)
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .unwrap(),
    )
    .await
}

async fn get(app: &Router, uri: &str) -> Reply {
    send(
        app,
        Request::get(uri)
            .header(header::HOST, HOST)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// A multipart/form-data body of text fields and one file.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str)>) -> (String, Vec<u8>) {
    let boundary = "lanshelf-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
        .unwrap();
    }
    if let Some((name, content)) = file {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{content}\r\n"
        )
        .unwrap();
    }
    write!(body, "--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// What a row must say.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    /// These records (collection, id) have the identifier; `kind` is its kind.
    Found(&'static str, BTreeSet<(String, i64)>),
    NotFound(&'static str),
    Malformed,
}

fn strings(conn: &rusqlite::Connection, sql: &str) -> Vec<(String, i64)> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn records_where(conn: &rusqlite::Connection, sql: &str, value: &str) -> BTreeSet<(String, i64)> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([value], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn by_md5(conn: &rusqlite::Connection, md5: &str) -> BTreeSet<(String, i64)> {
    records_where(
        conn,
        "SELECT 'libgen', id FROM libgen WHERE md5 = lower(?1) UNION ALL \
         SELECT 'fiction', id FROM fiction WHERE md5 = lower(?1) UNION ALL \
         SELECT 'scimag', id FROM scimag WHERE md5 = lower(?1)",
        md5,
    )
}

fn by_doi(conn: &rusqlite::Connection, doi: &str) -> BTreeSet<(String, i64)> {
    records_where(
        conn,
        "SELECT 'scimag', id FROM scimag WHERE lower(doi) = lower(?1) UNION ALL \
         SELECT 'libgen', id FROM libgen WHERE lower(trim(doi)) = lower(?1)",
        doi,
    )
}

fn by_pmid(conn: &rusqlite::Connection, pmid: &str) -> BTreeSet<(String, i64)> {
    records_where(
        conn,
        "SELECT 'scimag', id FROM scimag WHERE trim(pubmed_id) = ?1",
        pmid,
    )
}

/// Every record whose ISBN list holds this ISBN (as an ISBN-13).
fn by_isbn(conn: &rusqlite::Connection, isbn13: &str) -> BTreeSet<(String, i64)> {
    let mut out = BTreeSet::new();
    for (collection, sql) in [
        ("libgen", "SELECT coalesce(identifier,'') || ',' || coalesce(identifier_wodash,''), id FROM libgen"),
        ("fiction", "SELECT coalesce(identifier,''), id FROM fiction"),
        ("scimag", "SELECT coalesce(isbn,''), id FROM scimag"),
    ] {
        for (list, id) in strings(conn, sql) {
            let has = list
                .split([',', ';', '/', '|'])
                .filter_map(parse_isbn)
                .any(|(i13, _)| i13 == isbn13);
            if has {
                out.insert((collection.to_string(), id));
            }
        }
    }
    out
}

/// An ISBN-13 with a valid check digit.
fn isbn13(first12: &str) -> String {
    let sum: u32 = first12
        .bytes()
        .enumerate()
        .map(|(i, b)| (b - b'0') as u32 * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{first12}{}", (10 - sum % 10) % 10)
}

/// 200 identifiers: 140 in the catalog (MD5s of every collection, DOIs bare, as links and in
/// upper case, ISBN-13s and ISBN-10s with and without dashes, PubMed ids), 30 absent, 30 that
/// are no identifier at all; in a mixed order.
fn mixed_list() -> Vec<(String, Expect)> {
    let f = fixture();
    let conn = catalog();
    let mut found: Vec<(String, Expect)> = Vec::new();
    let mut add = |text: String, kind: &'static str, set: BTreeSet<(String, i64)>| {
        assert!(!set.is_empty(), "{text} should be in the catalog");
        found.push((text, Expect::Found(kind, set)));
    };
    // The local book and novel, and the book whose torrent is here but file is not.
    for md5 in [f.clrs_md5.as_str(), &f.moby_md5, FOURIER_MD5] {
        add(md5.to_string(), "md5", by_md5(&conn, md5));
    }
    let libgen = strings(
        &conn,
        "SELECT md5, id FROM libgen WHERE md5 <> '' AND id NOT IN (7, 8) ORDER BY id LIMIT 37",
    );
    for (i, (md5, _)) in libgen.iter().enumerate() {
        let text = if i % 3 == 0 {
            md5.to_uppercase()
        } else {
            md5.clone()
        };
        add(text, "md5", by_md5(&conn, md5));
    }
    for (md5, _) in strings(
        &conn,
        "SELECT md5, id FROM fiction WHERE md5 <> '' ORDER BY id LIMIT 20",
    ) {
        let text = format!("md5:{md5}");
        add(text, "md5", by_md5(&conn, &md5));
    }
    for (i, (doi, _)) in strings(
        &conn,
        "SELECT doi, id FROM scimag WHERE doi <> '' ORDER BY id LIMIT 30",
    )
    .into_iter()
    .enumerate()
    {
        let text = match i % 3 {
            0 => doi.clone(),
            1 => format!("https://doi.org/{doi}"),
            _ => doi.to_uppercase(),
        };
        add(text, "doi", by_doi(&conn, &doi));
    }
    let mut isbns = 0;
    for (list, _) in strings(
        &conn,
        "SELECT identifier, id FROM libgen WHERE identifier <> '' ORDER BY id",
    ) {
        let Some(first) = list.split([',', ';']).find(|p| parse_isbn(p).is_some()) else {
            continue;
        };
        let (i13, i10) = parse_isbn(first).unwrap();
        let text = match (isbns % 3, &i10) {
            (0, _) => first.trim().to_string(),
            (1, Some(ten)) => ten.clone(),
            _ => i13.clone(),
        };
        add(text, "isbn", by_isbn(&conn, &i13));
        isbns += 1;
        if isbns == 30 {
            break;
        }
    }
    assert_eq!(isbns, 30, "enough ISBNs in the catalog");
    for (i, (pmid, _)) in strings(
        &conn,
        "SELECT pubmed_id, id FROM scimag WHERE pubmed_id <> '' ORDER BY id LIMIT 20",
    )
    .into_iter()
    .enumerate()
    {
        let text = if i % 2 == 0 {
            format!("PMID: {pmid}")
        } else {
            pmid.clone()
        };
        add(text, "pmid", by_pmid(&conn, &pmid));
    }
    assert_eq!(found.len(), 140);

    let mut absent = Vec::new();
    for i in 0..10u64 {
        let md5 = format!("{:032x}", 0xdead_beef_0000_u64 + i);
        assert!(by_md5(&conn, &md5).is_empty());
        absent.push((md5, Expect::NotFound("md5")));
        let doi = format!("10.9999/missing.{i}x");
        assert!(by_doi(&conn, &doi).is_empty());
        absent.push((doi, Expect::NotFound("doi")));
    }
    for i in 0..5 {
        let isbn = isbn13(&format!("97912345{i:04}"));
        assert!(by_isbn(&conn, &isbn).is_empty());
        absent.push((isbn, Expect::NotFound("isbn")));
        let pmid = format!("{}", 99_999_000 + i);
        assert!(by_pmid(&conn, &pmid).is_empty());
        absent.push((format!("PMID {pmid}"), Expect::NotFound("pmid")));
    }
    let mut malformed = Vec::new();
    for i in 0..10 {
        malformed.push((format!("hello world {i}"), Expect::Malformed));
        // A valid ISBN-13 with its check digit changed.
        let valid = isbn13(&format!("978026203{i:03}"));
        let bad = (valid.as_bytes()[12] - b'0' + 1) % 10;
        malformed.push((
            format!("{}-{}-{bad}", &valid[..3], &valid[3..12]),
            Expect::Malformed,
        ));
    }
    for i in 0..5 {
        malformed.push((format!("10.12/short-prefix-{i}"), Expect::Malformed));
        // Not 32 hexadecimal digits.
        malformed.push((format!("md5:{}z", "ab".repeat(14 + i)), Expect::Malformed));
    }
    for (text, _) in &malformed {
        assert!(parse_isbn(text).is_none(), "{text}");
    }
    assert_eq!(absent.len(), 30);
    assert_eq!(malformed.len(), 30);
    let mut all: Vec<(String, Expect)> = found.into_iter().chain(absent).chain(malformed).collect();
    // A fixed shuffle: i → i * 7 mod 200 interleaves the kinds.
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by_key(|&i| (i * 7) % all.len());
    let shuffled: Vec<(String, Expect)> = order.into_iter().map(|i| all[i].clone()).collect();
    all.clear();
    shuffled
}

fn record_key(record: &Value) -> (String, i64) {
    (
        record["collection"].as_str().unwrap().to_string(),
        record["id"].as_i64().unwrap(),
    )
}

/// Checks the API's rows against the expectations; returns the best record of each found row.
fn check_rows(list: &[(String, Expect)], answer: &Value) -> Vec<Option<(String, i64)>> {
    let rows = answer["rows"].as_array().unwrap();
    assert_eq!(rows.len(), list.len());
    let mut best = Vec::new();
    for (i, ((text, expect), row)) in list.iter().zip(rows).enumerate() {
        assert_eq!(row["position"], i + 1, "{text}");
        match expect {
            Expect::Found(kind, set) => {
                assert_eq!(row["status"], "found", "{text}: {row}");
                assert_eq!(row["identifier"]["kind"], *kind, "{text}");
                let first = record_key(&row["records"][0]);
                assert!(set.contains(&first), "{text}: {first:?} not in {set:?}");
                assert_eq!(row["matches"].as_u64(), Some(set.len() as u64), "{text}");
                let listed: BTreeSet<(String, i64)> = row["records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(record_key)
                    .collect();
                assert_eq!(&listed, set, "{text}");
                best.push(Some(first));
            }
            Expect::NotFound(kind) => {
                assert_eq!(row["status"], "not_found", "{text}: {row}");
                assert_eq!(row["identifier"]["kind"], *kind, "{text}");
                assert_eq!(row["records"], json!([]), "{text}");
                best.push(None);
            }
            Expect::Malformed => {
                assert_eq!(row["status"], "malformed", "{text}: {row}");
                assert!(
                    row["problem"].as_str().is_some_and(|p| !p.is_empty()),
                    "{text}"
                );
                best.push(None);
            }
        }
    }
    best
}

#[tokio::test]
async fn two_hundred_mixed_identifiers_give_the_right_rows_and_exports() {
    let f = fixture();
    let app = app().await;
    let list = mixed_list();
    let texts: Vec<&str> = list.iter().map(|(t, _)| t.as_str()).collect();

    // The API, one item per string.
    let r = post(
        &app,
        "/api/lookup/batch",
        "application/json",
        json!({ "identifiers": texts }).to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let answer = r.json();
    assert_eq!(answer["items"], 200);
    assert_eq!(answer["found"], 140);
    assert_eq!(answer["not_found"], 30);
    assert_eq!(answer["malformed"], 30);
    let best = check_rows(&list, &answer);
    // Where the files are: the book and the novel here, the other book in a torrent at hand.
    let rows = answer["rows"].as_array().unwrap();
    let row_of = |text: &str| {
        let i = list.iter().position(|(t, _)| t == text).unwrap();
        &rows[i]["records"][0]
    };
    let clrs = row_of(&f.clrs_md5);
    assert_eq!(clrs["local"], true);
    assert_eq!(clrs["download_url"], "/download/libgen/7");
    assert_eq!(clrs["torrent"], "r_000.torrent");
    assert_eq!(clrs["torrent_path"], format!("0/{}", f.clrs_md5));
    let moby = row_of(&f.moby_md5);
    assert_eq!(moby["local"], true);
    assert_eq!(moby["download_url"], "/download/fiction/2");
    let fourier = row_of(FOURIER_MD5);
    assert_eq!(fourier["local"], false);
    assert_eq!(fourier["download_url"], Value::Null);
    let magnet = fourier["magnet"].as_str().unwrap();
    assert!(
        magnet.starts_with(&format!("magnet:?xt=urn:btih:{}", f.info_hash)),
        "{magnet}"
    );
    assert!(magnet.ends_with("&so=0"), "{magnet}");
    // Rows whose records include a local file show that one first.
    let local: BTreeSet<(String, i64)> = [("libgen", 7), ("fiction", 2), ("scimag", 5)]
        .map(|(c, id)| (c.to_string(), id))
        .into();
    let mut local_rows = 0;
    for ((t, expect), first) in list.iter().zip(&best) {
        if let Expect::Found(_, set) = expect {
            if set.iter().any(|k| local.contains(k)) {
                assert!(
                    local.contains(first.as_ref().unwrap()),
                    "{t}: the local file first"
                );
                local_rows += 1;
            }
        }
    }
    assert!(local_rows >= 5, "{local_rows}");
    assert_eq!(answer["local"], local_rows);
    // The download link serves the file.
    let d = get(&app, "/download/libgen/7").await;
    assert_eq!(d.body, f.clrs);

    // The page, with the list pasted (multipart, as the form sends it).
    let text = texts.join("\n");
    let (content_type, body) = multipart(&[("ids", &text)], None);
    let r = post(&app, "/lookup", &content_type, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.html();
    let sel = |css: &str| scraper::Selector::parse(css).unwrap();
    let trs: Vec<_> = html.select(&sel("#lookup-table tbody tr")).collect();
    assert_eq!(trs.len(), 200);
    for (tr, (t, expect)) in trs.iter().zip(&list) {
        let class = tr.value().attr("class").unwrap();
        let want = match expect {
            Expect::Found(..) => "found",
            Expect::NotFound(_) => "missing",
            Expect::Malformed => "malformed",
        };
        assert_eq!(class, want, "{t}");
    }
    let summary: String = html
        .select(&sel("#summary"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(
        summary.starts_with(&format!("200 items read as a list of identifiers: 140 found ({local_rows} with the file here), 30 not found, 30 without an identifier")),
        "{summary}"
    );
    let downloads: Vec<_> = html
        .select(&sel("#lookup-table a.download"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(downloads.len(), local_rows, "{downloads:?}");
    assert!(downloads.contains(&"/download/scimag/5".to_string()));
    // The export buttons post the list again, each with its format.
    let kept: String = html
        .select(&sel("form.exports textarea[name=ids]"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert_eq!(kept, text);
    let formats: Vec<&str> = html
        .select(&sel("form.exports button[name=format]"))
        .map(|b| b.value().attr("value").unwrap())
        .collect();
    assert_eq!(formats, ["csv", "bibtex", "ris", "magnets"]);
    // The same list uploaded as a file gives the same table.
    let (content_type, body) = multipart(&[("ids", "")], Some(("list.txt", &text)));
    let r = post(&app, "/lookup", &content_type, body).await;
    assert_eq!(
        r.html()
            .select(&sel("#lookup-table tbody tr.found"))
            .count(),
        140
    );

    // The CSV export of the table (the page's export button posts the list again).
    let form = |format: &str| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("format", format)
            .append_pair("ids", &text)
            .finish()
    };
    let r = post(
        &app,
        "/lookup",
        "application/x-www-form-urlencoded",
        form("csv"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.content_type().starts_with("text/csv"),
        "{}",
        r.content_type()
    );
    assert!(r.header(header::CONTENT_DISPOSITION).contains("lookup.csv"));
    let mut reader = csv::Reader::from_reader(r.body.as_slice());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(headers, lanshelf::lookup::export::CSV_COLUMNS);
    let lines: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(lines.len(), 200);
    for ((line, (t, expect)), first) in lines.iter().zip(&list).zip(&best) {
        let status = match expect {
            Expect::Found(..) => "found",
            Expect::NotFound(_) => "not found",
            Expect::Malformed => "no identifier",
        };
        assert_eq!(&line[2], status, "{t}");
        match first {
            Some((c, id)) => {
                assert_eq!(
                    (&line[6], &line[7]),
                    (c.as_str(), id.to_string().as_str()),
                    "{t}"
                );
                assert_eq!(&line[20], format!("http://{HOST}/{c}/{id}"), "{t}");
            }
            None => assert_eq!(&line[6], "", "{t}"),
        }
    }

    // BibTeX and RIS: one entry per found record (each once), every paper's DOI in it.
    let distinct: BTreeSet<&(String, i64)> = best.iter().flatten().collect();
    let r = post(
        &app,
        "/lookup",
        "application/x-www-form-urlencoded",
        form("bibtex"),
    )
    .await;
    assert!(r.content_type().starts_with("application/x-bibtex"));
    let bib = r.text();
    let entries = bib.matches("\n@").count() + usize::from(bib.starts_with('@'));
    assert_eq!(entries, distinct.len(), "{}", &bib[..bib.len().min(500)]);
    for (c, id) in &distinct {
        assert!(
            bib.contains(&format!("{{{c}{id},")),
            "{c}{id} not in the BibTeX"
        );
        // The list's entry (read in bulk) is the record's own citation, journal and all.
        let own = get(&app, &format!("/{c}/{id}/bibtex")).await.text();
        assert!(bib.contains(own.trim()), "{c}{id}: {own}");
    }
    for (t, expect) in &list {
        if let Expect::Found("doi", set) = expect {
            let doi: String = catalog()
                .query_row(
                    "SELECT doi FROM scimag WHERE id = ?1",
                    [set.iter().find(|(c, _)| c == "scimag").unwrap().1],
                    |r| r.get(0),
                )
                .unwrap();
            // BibTeX escapes `# _ % & $` with a backslash.
            let unescaped = bib
                .replace("\\#", "#")
                .replace("\\_", "_")
                .replace("\\%", "%")
                .replace("\\&", "&")
                .replace("\\$", "$");
            assert!(
                unescaped.to_lowercase().contains(&doi.to_lowercase()),
                "{t}"
            );
        }
    }
    let r = post(
        &app,
        "/lookup",
        "application/x-www-form-urlencoded",
        form("ris"),
    )
    .await;
    assert!(r
        .content_type()
        .starts_with("application/x-research-info-systems"));
    assert_eq!(r.text().matches("ER  - \r\n").count(), distinct.len());

    // The magnet list: the torrent at hand selects just the missing file; the others are named.
    let r = post(
        &app,
        "/api/lookup/batch?format=magnets",
        "text/plain",
        text.clone(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let magnets = r.text();
    let lines: Vec<&str> = magnets
        .lines()
        .filter(|l| l.starts_with("magnet:"))
        .collect();
    assert_eq!(lines.len(), 1, "{magnets}");
    assert!(
        lines[0].contains(&f.info_hash) && lines[0].ends_with("&so=0"),
        "{magnets}"
    );
    assert!(magnets.contains("# r_10000000.torrent: "), "{magnets}");
    assert!(
        !magnets.contains(&f.clrs_md5),
        "the local book is not listed: {magnets}"
    );
}

#[tokio::test]
async fn exports_of_reference_managers_are_read() {
    let app = app().await;
    let bib = "@article{riemann, title = {Über die Hypothesen}, doi = {10.1007/BF01397280}}\n\
               @book{clrs, title = {Introduction to Algorithms}, isbn = {978-0-262-03384-8}}\n\
               @misc{none, title = {Nothing to look up}}\n";
    let (content_type, body) = multipart(&[], Some(("refs.bib", bib)));
    let r = post(&app, "/lookup", &content_type, body).await;
    let html = r.html();
    let sel = |css: &str| scraper::Selector::parse(css).unwrap();
    let classes: Vec<&str> = html
        .select(&sel("#lookup-table tbody tr"))
        .map(|tr| tr.value().attr("class").unwrap())
        .collect();
    assert_eq!(classes, ["found", "found", "malformed"]);
    let summary: String = html
        .select(&sel("#summary"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(summary.contains("read as BibTeX"), "{summary}");
    let ris = "TY  - JOUR\r\nTI  - Hypothesen\r\nDO  - 10.1007/bf01397280\r\nER  - \r\n";
    let v = post(
        &app,
        "/api/lookup/batch",
        "application/json",
        json!({ "text": ris }).to_string(),
    )
    .await
    .json();
    assert_eq!(v["format"], "ris");
    assert_eq!(v["rows"][0]["records"][0]["id"], 5);
    assert_eq!(v["rows"][0]["records"][0]["local"], true);
    let csv_text = "Title,DOI,ISBN\nA,10.1007/BF01397280,\nB,,0262033844\n";
    let v = post(&app, "/api/lookup/batch", "text/csv", csv_text)
        .await
        .json();
    assert_eq!(v["format"], "csv");
    assert_eq!(v["found"], 2);
    assert_eq!(v["rows"][1]["records"][0]["collection"], "libgen");
    assert_eq!(v["rows"][1]["records"][0]["id"], 7);
}

#[tokio::test]
async fn bad_batches_are_refused_with_a_reason() {
    let app = app().await;
    for (content_type, body, status, needle) in [
        ("application/json", "{not json".to_string(), 400, "not JSON"),
        (
            "application/json",
            json!({"other": 1}).to_string(),
            400,
            "identifiers",
        ),
        (
            "application/json",
            json!({"identifiers": [1, 2]}).to_string(),
            400,
            "strings",
        ),
        (
            "application/json",
            json!({ "identifiers": vec!["10.1/x"; 10_001] }).to_string(),
            400,
            "at most 10000",
        ),
        (
            "text/plain",
            "10.1007/x\n".repeat(10_001),
            400,
            "at most 10000",
        ),
        ("text/plain", String::new(), 400, "empty"),
    ] {
        let r = post(&app, "/api/lookup/batch", content_type, body).await;
        assert_eq!(r.status.as_u16(), status, "{needle}: {}", r.text());
        let message = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains(needle), "{message}");
    }
    let r = post(&app, "/api/lookup/batch?format=pdf", "text/plain", "10.1/x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The page says why, above the form.
    let (content_type, body) = multipart(&[("ids", &"10.1007/x\n".repeat(10_001))], None);
    let r = post(&app, "/lookup", &content_type, body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("at most 10000"), "{}", r.text());
    // GET /lookup is the form; other methods are refused.
    assert_eq!(get(&app, "/lookup").await.status, StatusCode::OK);
    let r = send(&app, Request::put("/lookup").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

/// Sends one request over a fresh connection to `port` and reads the answer: status and body.
fn http(port: u16, head: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    s.write_all(head.as_bytes()).unwrap();
    // The server may refuse (and close) before reading the body.
    let _ = s.write_all(body);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let end = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(out.len(), |i| i + 4);
    let status = String::from_utf8_lossy(&out[..end.min(40)])
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&out[..end]).to_lowercase();
    let mut body = out[end..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        let mut plain = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap().trim(), 16)
                .unwrap();
            if size == 0 {
                break;
            }
            plain.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[eol + 2 + size + 2..];
        }
        body = plain;
    }
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_identifiers_in_one_upload_over_a_real_socket() {
    let app = app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        lanshelf::web::server::serve_router(app, listener, &Default::default(), async {
            let _ = stopped.await;
        })
        .await
    });
    // 10 000 lines: every MD5 of the catalog, then absent ones.
    let conn = catalog();
    let md5s: Vec<String> = strings(
        &conn,
        "SELECT md5, id FROM libgen WHERE md5 <> '' UNION ALL SELECT md5, id FROM fiction WHERE md5 <> ''",
    )
    .into_iter()
    .map(|(m, _)| m)
    .collect();
    let present: BTreeSet<&String> = md5s.iter().collect();
    let mut lines: Vec<String> = md5s.clone();
    let mut n = 0u64;
    while lines.len() < 10_000 {
        lines.push(format!("{:032x}", 0xfeed_0000_0000_u64 + n));
        n += 1;
    }
    let body = lines.join("\n");
    let (status, answer) = tokio::task::spawn_blocking(move || {
        http(
            port,
            &format!(
                "POST /api/lookup/batch HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ),
            body.as_bytes(),
        )
    })
    .await
    .unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    let v: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(v["items"], 10_000);
    assert_eq!(v["found"].as_u64(), Some(present.len() as u64));
    assert_eq!(v["not_found"].as_u64(), Some(10_000 - present.len() as u64));
    // Past the look-up limit: refused before the body is read.
    let (status, _) = tokio::task::spawn_blocking(move || {
        http(
            port,
            "POST /api/lookup/batch HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 17000000\r\nConnection: close\r\n\r\n",
            b"",
        )
    })
    .await
    .unwrap();
    assert_eq!(status, 413);
    // Every other route keeps the small limit.
    let (status, _) = tokio::task::spawn_blocking(move || {
        http(
            port,
            "POST /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n",
            &[b'a'; 100_000],
        )
    })
    .await
    .unwrap();
    assert_eq!(status, 413);
    let _ = stop.send(());
    let _ = server.await;
}

#[test]
fn identify_reports_found_damaged_and_unknown_files() {
    let f = fixture();
    let folder = f.dir.join("identify-me");
    std::fs::create_dir_all(folder.join("downloads/0")).unwrap();
    // Two files of the repository, copied under their repository names.
    std::fs::write(folder.join("downloads/0").join(&f.clrs_md5), &f.clrs).unwrap();
    std::fs::write(folder.join(format!("{}.epub", f.moby_md5)), &f.moby).unwrap();
    // A damaged copy: the book's name, other bytes.
    let mut damaged = f.clrs.clone();
    damaged[5000] ^= 0xff;
    std::fs::write(folder.join("downloads").join(&f.clrs_md5), &damaged).unwrap();
    // A file nobody knows, and the book again under a name of its own.
    std::fs::write(folder.join("notes.txt"), b"my own notes").unwrap();
    std::fs::write(folder.join("algorithms.pdf"), &f.clrs).unwrap();

    let out = common::lanshelf(&f.dir)
        .args(["identify", "--verify-names"])
        .arg(&folder)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.split('\t').next().is_some_and(|p| p.ends_with(name)))
            .unwrap_or_else(|| panic!("no line for {name}: {stdout}"))
            .to_string()
    };
    let l = line(&format!("downloads/0/{}", f.clrs_md5));
    assert!(
        l.contains(&format!(
            "\t{}\tlibgen/7  Introduction to Algorithms",
            f.clrs_md5
        )),
        "{l}"
    );
    let l = line("algorithms.pdf");
    assert!(l.contains("libgen/7  Introduction to Algorithms"), "{l}");
    let l = line(&format!("{}.epub", f.moby_md5));
    assert!(l.contains("fiction/2  Moby-Dick"), "{l}");
    let l = line(&format!("downloads/{}", f.clrs_md5));
    assert!(
        l.contains(&format!(
            "{}\tDAMAGED: named {} (libgen/7  Introduction to Algorithms",
            md5_hex(&damaged),
            f.clrs_md5
        )),
        "{l}"
    );
    assert!(l.ends_with("but its content is unknown"), "{l}");
    let l = line("notes.txt");
    assert!(
        l.ends_with(&format!("{}\tunknown", md5_hex(b"my own notes"))),
        "{l}"
    );
    assert!(
        stderr.contains("5 files: 3 found, 1 unknown, 1 damaged, 0 unreadable"),
        "{stderr}"
    );

    // Without --verify-names the damaged copy is just unknown; --json gives one object a file.
    let out = common::lanshelf(&f.dir)
        .args(["identify", "--json", "--threads", "2"])
        .arg(&folder)
        .output()
        .unwrap();
    assert!(out.status.success());
    let objects: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objects.len(), 5);
    let statuses: BTreeSet<(String, String)> = objects
        .iter()
        .map(|o| {
            let path = o["path"].as_str().unwrap();
            let name = path.rsplit('/').next().unwrap().to_string();
            (name, o["status"].as_str().unwrap().to_string())
        })
        .collect();
    assert!(statuses.contains(&("notes.txt".to_string(), "unknown".to_string())));
    assert_eq!(
        statuses.iter().filter(|(_, s)| s == "found").count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|(_, s)| s == "unknown").count(), 2);
    let found = objects
        .iter()
        .find(|o| o["path"].as_str().unwrap().ends_with(".epub"))
        .unwrap();
    assert_eq!(
        found["records"][0]["download_url"],
        Value::Null,
        "no repository given"
    );
    assert_eq!(found["md5"], f.moby_md5);

    // A folder that is not there is an error naming it.
    let out = common::lanshelf(&f.dir)
        .args(["identify"])
        .arg(f.dir.join("no-such-folder"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-folder"));
}

#[test]
fn lanshelf_lookup_reads_a_bibtex_file_and_writes_csv_and_json() {
    let f = fixture();
    let bib = f.dir.join("refs.bib");
    std::fs::write(
        &bib,
        "@article{riemann, doi = {10.1007/BF01397280}}\n@book{clrs, isbn = {0262033844}}\n@misc{x, title={?}}\n",
    )
    .unwrap();
    let run = |format: &str| {
        let out = common::lanshelf(&f.dir)
            .args(["lookup", "--format", format, "--repository"])
            .arg(f.dir.join("repository"))
            .arg("--torrents")
            .arg(f.dir.join("torrents"))
            .arg(&bib)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (csv_text, summary) = run("csv");
    assert!(summary.contains("3 items (BibTeX): 2 found (2 with the file here), 0 not found, 1 without an identifier"), "{summary}");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (&rows[0][6], &rows[0][7], &rows[0][15]),
        ("scimag", "5", "yes")
    );
    assert_eq!(
        (&rows[1][6], &rows[1][7], &rows[1][15]),
        ("libgen", "7", "yes")
    );
    assert_eq!(&rows[2][2], "no identifier");
    let (json_text, _) = run("json");
    let v: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(v["format"], "bibtex");
    assert_eq!(
        v["rows"][0]["records"][0]["download_url"],
        "/download/scimag/5"
    );
    let (table, _) = run("table");
    assert!(
        table.contains("found      doi:10.1007/bf01397280  scimag/5"),
        "{table}"
    );
}

/// Zotero's JSON resolvers apply a JSPath selector to the answer; ours is a path of property
/// names (`.pdfs.url`), which JSPath applies to every element of an array it meets.
fn jspath(selector: &str, value: &Value) -> Vec<Value> {
    let mut current = vec![value.clone()];
    for name in selector.split('.').filter(|s| !s.is_empty()) {
        let mut next = Vec::new();
        for v in current {
            let items = match v {
                Value::Array(a) => a,
                other => vec![other],
            };
            for item in items {
                match item.get(name) {
                    Some(Value::Array(a)) => next.extend(a.iter().cloned()),
                    Some(found) => next.push(found.clone()),
                    None => {}
                }
            }
        }
        current = next;
    }
    current
}

/// Checks a resolver object against Zotero's documented format (Custom PDF Resolvers, zotero.org
/// knowledge base): `name`, `method` GET or POST, a `url` holding `{doi}`, `mode` html or json,
/// a `selector`, `automatic` a boolean.
fn check_resolver(r: &Value) {
    assert!(r["name"].as_str().is_some_and(|n| !n.is_empty()), "{r}");
    assert!(matches!(r["method"].as_str(), Some("GET" | "POST")), "{r}");
    let url = r["url"].as_str().unwrap();
    assert!(url.contains("{doi}"), "{r}");
    assert!(
        url.starts_with("http://") || url.starts_with("https://"),
        "{r}"
    );
    assert!(matches!(r["mode"].as_str(), Some("html" | "json")), "{r}");
    assert!(r["selector"].as_str().is_some_and(|s| !s.is_empty()), "{r}");
    assert!(r["automatic"].is_boolean(), "{r}");
    let known = [
        "name",
        "method",
        "url",
        "mode",
        "selector",
        "attribute",
        "index",
        "mappings",
        "automatic",
    ];
    for key in r.as_object().unwrap().keys() {
        assert!(known.contains(&key.as_str()), "unknown key {key}");
    }
}

#[tokio::test]
async fn the_zotero_resolver_gives_a_working_pdf_link() {
    let f = fixture();
    let app = app().await;
    // The setting, as `extensions.zotero.findPDFs.resolvers` takes it: a JSON array.
    let setting = get(&app, "/api/zotero").await.json();
    let resolvers = setting.as_array().unwrap();
    assert_eq!(resolvers.len(), 1);
    let resolver = &resolvers[0];
    check_resolver(resolver);
    assert_eq!(resolver["mode"], "json");
    let url = resolver["url"].as_str().unwrap();
    assert_eq!(url, format!("http://{HOST}/api/zotero/{{doi}}"));

    // What Zotero does with it: the DOI into the URL, a GET, the selector over the JSON, then a
    // download of each URL, kept when it is a PDF or an EPUB.
    let ask = |doi: &str| url.replace("{doi}", doi);
    let path_of = |absolute: &str| {
        absolute
            .strip_prefix(&format!("http://{HOST}"))
            .unwrap()
            .to_string()
    };
    let answer = get(&app, &path_of(&ask("10.1007/BF01397280"))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.content_type().starts_with("application/json"));
    let answer = answer.json();
    assert_eq!(answer["doi"], RIEMANN_DOI);
    let urls = jspath(resolver["selector"].as_str().unwrap(), &answer);
    assert_eq!(urls, [json!(format!("http://{HOST}/download/scimag/5"))]);
    let pdf = get(&app, &path_of(urls[0].as_str().unwrap())).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(
        pdf.body.starts_with(b"%PDF-"),
        "Zotero keeps only what sniffs as a PDF"
    );
    assert_eq!(pdf.body, f.pdf);

    // A book with the DOI... none here; a paper whose zip lacks it; a DOI nobody has: nothing.
    for doi in [
        "10.1002/(SICI)1099-1409(199908/10)3:6/7<437::AID-JMR79>3.0.CO;2-8",
        "10.9999/nobody.has.this",
    ] {
        let v = get(
            &app,
            &path_of(&ask(&doi.replace('<', "%3C").replace('>', "%3E"))),
        )
        .await;
        assert_eq!(v.status, StatusCode::OK, "{doi}");
        let v = v.json();
        assert_eq!(jspath(".pdfs.url", &v), Vec::<Value>::new(), "{doi}: {v}");
    }
    let v = get(&app, "/api/zotero/not-a-doi").await;
    assert_eq!(v.status, StatusCode::BAD_REQUEST);
    assert!(v.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("DOI"));

    // Behind a TLS proxy (Zotero fetches files over HTTPS), the links say https.
    let r = send(
        &app,
        Request::get("/api/zotero/10.1007/bf01397280")
            .header(header::HOST, "127.0.0.1:8080")
            .header("X-Forwarded-Proto", "https")
            .header("X-Forwarded-Host", "papers.example.org")
            .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                5555,
            ))))
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .json();
    assert_eq!(
        jspath(".pdfs.url", &r),
        [json!("https://papers.example.org/download/scimag/5")]
    );
}
