//! `lanshelf demo` as a new user meets it, over real HTTP: the demo's repository serves a
//! download, a paper straight out of its zip, magnet links for files in its `.torrent`
//! files, covers, and a torrents page with no warnings. Runs the real binary on a loopback
//! port with a small demo (`--synthetic 300`, `--dir` a temporary folder).

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

struct Started(Child);

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A response: status, headers (lower-case names), body.
struct Got {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.text())
    }
}

fn get(port: u16, path: &str) -> Got {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Got {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&data[..line_end])
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

fn select<'a>(html: &'a scraper::Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&scraper::Selector::parse(css).unwrap())
        .collect()
}

#[test]
fn the_demo_downloads_unzips_and_links_magnets() {
    let dir = tempfile::Builder::new()
        .prefix("lanshelf-demo-http-")
        .tempdir()
        .unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::fs::File::create(dir.path().join("demo.log")).unwrap();
    let mut demo = Started(
        common::lanshelf(dir.path())
            .args(["demo", "--synthetic", "300", "--addr"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--dir")
            .arg(dir.path().join("demo"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(600);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        let exited = demo.0.try_wait().unwrap();
        assert!(
            exited.is_none() && Instant::now() < deadline,
            "the demo did not start: {}",
            std::fs::read_to_string(dir.path().join("demo.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // The home page says what is real and what is generated, and what is here.
    let home = get(port, "/").text();
    assert!(
        home.contains("generated"),
        "the demo says which records are generated"
    );
    assert!(home.contains("have their file on this server"), "{home}");

    // Only the files here: every row says so and offers a download that works.
    let here = get(port, "/search?here=1&per_page=100");
    assert_eq!(here.status, 200);
    let page = here.html();
    let rows = select(&page, "li.hit");
    assert!(rows.len() >= 10, "the demo has files here: {}", rows.len());
    let downloads: Vec<String> = select(&page, "li.hit a.action")
        .iter()
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert_eq!(downloads.len(), rows.len(), "a Download per row");
    assert!(select(&page, "li.hit .avail")
        .iter()
        .all(|m| m.value().classes().any(|c| c == "here")));
    let mut kinds = std::collections::BTreeSet::new();
    for href in &downloads {
        let got = get(port, href);
        assert_eq!(got.status, 200, "{href}");
        assert!(
            got.header("content-disposition").starts_with("attachment"),
            "{href}"
        );
        let kind = got.header("content-type").to_string();
        match kind.as_str() {
            "application/pdf" => assert!(got.body.starts_with(b"%PDF-"), "{href}"),
            "application/epub+zip" | "application/vnd.comicbook+zip" => {
                assert!(got.body.starts_with(b"PK\x03\x04"), "{href}")
            }
            "application/x-fictionbook+xml" => assert!(got.body.starts_with(b"<?xml"), "{href}"),
            other => panic!("{href}: {other}"),
        }
        kinds.insert(kind);
    }
    assert!(
        kinds.contains("application/pdf") && kinds.contains("application/epub+zip"),
        "{kinds:?}"
    );

    // A paper comes straight out of its zip: the record page names the entry, the download is
    // the entry's bytes.
    let papers = get(port, "/search?here=1&collection=scimag&per_page=100").html();
    let paper = select(&papers, "li.hit h3 a")
        .first()
        .and_then(|a| a.value().attr("href").map(str::to_string))
        .expect("a paper here");
    let record = get(port, &paper).html();
    let entry = select(&record, ".location dd.mono")
        .iter()
        .map(|d| d.text().collect::<String>())
        .find(|t| t.ends_with(".pdf") && t.contains('/'))
        .expect("the zip entry is shown");
    assert!(
        entry.starts_with("10."),
        "an entry named by its DOI: {entry}"
    );
    let download = select(&record, "a#download")
        .first()
        .and_then(|a| a.value().attr("href").map(str::to_string))
        .expect("a Download button");
    let got = get(port, &download);
    assert_eq!(got.status, 200);
    assert!(got.body.starts_with(b"%PDF-") && got.body.ends_with(b"%%EOF\n"));

    // Files in a torrent at hand but not downloaded: a magnet link for just that file.
    let (mut magnets, mut torrent_rows, mut covers) = (Vec::new(), 0, Vec::new());
    for page in 1..=4 {
        let all = get(
            port,
            &format!("/search?collection=libgen&sort=title&per_page=100&page={page}"),
        )
        .html();
        magnets.extend(
            select(&all, "li.hit a.action")
                .iter()
                .filter_map(|a| a.value().attr("href"))
                .filter(|h| h.starts_with("magnet:"))
                .map(str::to_string),
        );
        torrent_rows += select(&all, "li.hit .avail.torrent").len();
        covers.extend(
            select(&all, "li.hit img.cover")
                .iter()
                .filter(|i| {
                    i.value().attr("loading") == Some("lazy") && i.value().attr("width").is_some()
                })
                .filter_map(|i| i.value().attr("src").map(str::to_string)),
        );
    }
    assert!(!magnets.is_empty(), "some rows link a magnet");
    for m in &magnets {
        assert!(m.starts_with("magnet:?xt=urn:btih:"), "{m}");
        assert!(m.contains("&so="), "just the one file: {m}");
    }
    assert_eq!(torrent_rows, magnets.len(), "a magnet per row in a torrent");

    // Covers from the cover store, lazily loaded and sized.
    assert!(!covers.is_empty(), "covers in the results");
    let cover = get(port, &covers[0]);
    assert_eq!(cover.status, 200);
    assert_eq!(cover.header("content-type"), "image/jpeg");
    assert!(cover.body.starts_with(&[0xFF, 0xD8]));

    // The torrents page covers the demo's files, without warnings.
    let torrents = get(port, "/torrents").text();
    assert!(!torrents.contains("No torrents folder"), "{torrents}");
    assert!(!torrents.contains("No local repository"), "{torrents}");
    assert!(
        torrents.contains("r_10000000.torrent"),
        "the generated books' torrent"
    );
    assert!(
        torrents.contains("lanshelf-demo-comics.torrent"),
        "a libgen.li collection's"
    );
}
