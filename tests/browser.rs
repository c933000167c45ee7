//! The portal in a real browser: Debian's headless Chromium, driven through chromedriver with
//! fantoccini, against a real `lanshelf serve` on a loopback port. Types a query and sees the
//! results update in place (htmx), applies a filter, opens a record and follows its download
//! link; on `/identify`, chooses files that the page hashes itself and looks up; saves
//! screenshots under `target/browser-artifacts/`.
//!
//! The second test runs `lanshelf demo` and checks what a keyboard, a phone and an
//! accessibility checker see: the first result three Tabs from the search box, the Download
//! button above the fold of a phone's record page, and axe-core (vendored in
//! `tests/fixtures/axe`) finding no serious or critical violation on the home, results,
//! record and torrents pages, light and dark. It saves the screenshots of the README: with
//! `LANSHELF_SCREENSHOTS=docs/screenshots` into that folder, else under
//! `target/browser-artifacts/`.
//!
//! Without Chromium or chromedriver the tests fail under CI (`CI=true`, where `.ci/run` installs
//! them) and are skipped with a loud message elsewhere.

mod common;
use common::free_port;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const CHROMIUM: &str = "/usr/bin/chromium";
const CLRS_MD5: &str = "c668b424cee13e5994c85c7ee8f18827";

/// Kills the processes this test started when it ends, even on a panic.
struct Started(Vec<Child>);

impl Drop for Started {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.is_file())
}

/// Waits until something listens on `port`.
fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start listening on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Polls `check` until it gives `Some`, for up to 10 s.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in client.find_all(Locator::Css(css)).await.unwrap_or_default() {
        out.push(e.text().await.unwrap_or_default());
    }
    out
}

async fn hrefs(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in client.find_all(Locator::Css(css)).await.unwrap_or_default() {
        if let Ok(Some(h)) = e.attr("href").await {
            out.push(h);
        }
    }
    out
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(artifacts().join(name), png).unwrap();
}

/// The browser session: search, filter, record, download.
async fn walk_through(client: &Client, base: &str, downloads: &Path, file: &[u8]) {
    client.goto(&format!("{base}/")).await.unwrap();
    let figures = texts(client, ".figures .n").await;
    assert_eq!(figures, ["9", "4", "8"], "the home page shows the catalog");
    // A marker that a full page load would wipe out: htmx must update the page in place.
    client
        .execute("window.lanshelfMarker = 42; return true;", vec![])
        .await
        .unwrap();

    let history = || async {
        client
            .execute("return history.length;", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap()
    };
    let before = history().await;
    let q = client.find(Locator::Css("#q")).await.unwrap();
    // Typed in two spells, with a search after each: one history entry, not two.
    q.send_keys("algo").await.unwrap();
    eventually("the first spell's search in the URL", || async {
        let url = client.current_url().await.ok()?;
        url.as_str().ends_with("/search?q=algo").then_some(())
    })
    .await;
    q.send_keys("rithms").await.unwrap();
    eventually("the second spell's search in the URL", || async {
        let url = client.current_url().await.ok()?;
        url.as_str().ends_with("/search?q=algorithms").then_some(())
    })
    .await;
    let links = eventually("results while typing", || async {
        let links = hrefs(client, "ol.results li.hit h3 a").await;
        (!links.is_empty()).then_some(links)
    })
    .await;
    assert_eq!(links, ["/libgen/7"]);
    let marks = texts(client, "li.hit h3 mark").await;
    assert_eq!(marks, ["Algorithms"]);
    let url = client.current_url().await.unwrap();
    assert!(
        url.as_str().ends_with("/search?q=algorithms"),
        "the URL follows the search: {url}"
    );
    assert_eq!(
        history().await,
        before + 1,
        "a search typed in pauses is one Back step"
    );
    let marker = client
        .execute("return window.lanshelfMarker || null;", vec![])
        .await
        .unwrap();
    assert_eq!(
        marker,
        json!(42),
        "the results were swapped in, not loaded as a new page"
    );
    let title = client
        .execute("return document.title;", vec![])
        .await
        .unwrap();
    assert_eq!(
        title,
        json!("algorithms – Lanshelf"),
        "the fragment's title is applied"
    );
    screenshot(client, "search.png").await;

    // Another query, then a facet: the results narrow without a page load, the URL keeps up.
    q.clear().await.unwrap();
    q.send_keys("the").await.unwrap();
    eventually("results for `the`", || async {
        let summary = texts(client, "#summary").await.join("");
        (!summary.is_empty() && !summary.starts_with("1 result")).then_some(())
    })
    .await;
    let url = client.current_url().await.unwrap();
    assert!(
        url.as_str().ends_with("/search?q=the"),
        "the URL follows the search: {url}"
    );
    let before = hrefs(client, "ol.results li.hit h3 a").await.len();
    let english = client
        .find(Locator::XPath(
            "//ul[@class='facet']//a[contains(., 'English')]",
        ))
        .await
        .expect("an English facet");
    english.click().await.unwrap();
    eventually("the language filter", || async {
        let url = client.current_url().await.ok()?;
        let active = texts(client, "ul.active a").await.join(" ");
        (url.as_str().contains("lang=English") && active.contains("Language: English"))
            .then_some(())
    })
    .await;
    let after = texts(client, "li.hit .lang").await;
    assert!(!after.is_empty() && after.len() <= before, "{after:?}");
    assert!(after.iter().all(|l| l == "English"), "{after:?}");
    let marker = client
        .execute("return window.lanshelfMarker || null;", vec![])
        .await
        .unwrap();
    assert_eq!(marker, json!(42), "the filter applied without a page load");
    screenshot(client, "filtered.png").await;

    // Back to the first search; open the record.
    q.clear().await.unwrap();
    q.send_keys("introduction algorithms").await.unwrap();
    let link = eventually("the record link", || async {
        let links = client
            .find_all(Locator::Css("ol.results li.hit h3 a"))
            .await
            .ok()?;
        let first = links.into_iter().next()?;
        (first.attr("href").await.ok()?? == "/libgen/7").then_some(first)
    })
    .await;
    link.click().await.unwrap();
    let title = eventually("the record page", || async {
        let h1 = client.find(Locator::Css("article.record h1")).await.ok()?;
        h1.text().await.ok()
    })
    .await;
    assert_eq!(title, "Introduction to Algorithms");
    assert!(client
        .current_url()
        .await
        .unwrap()
        .as_str()
        .ends_with("/libgen/7"));
    screenshot(client, "record.png").await;

    // Follow the download link: the browser saves the file under its human name.
    client
        .find(Locator::Css("a#download"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let name = "Thomas H. Cormen et al - Introduction to Algorithms (2009).pdf";
    let saved = eventually("the downloaded file", || async {
        let bytes = std::fs::read(downloads.join(name)).ok()?;
        (bytes.len() == file.len()).then_some(bytes)
    })
    .await;
    assert!(
        saved == file,
        "the downloaded bytes are the repository file"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_filter_open_and_download_in_chromium() {
    let chromedriver = which("chromedriver");
    if !Path::new(CHROMIUM).is_file() || chromedriver.is_none() {
        let message = "headless Chromium and chromedriver are needed (apt-get install chromium chromium-driver)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("browser test: {message}");
        }
        eprintln!("\n\n!!!!! SKIPPED the browser test: {message} !!!!!\n");
        return;
    }
    let chromedriver = chromedriver.unwrap();

    // A real catalog and index, and a repository holding one book.
    let dir = tempfile::Builder::new()
        .prefix("lanshelf-browser-")
        .tempdir()
        .unwrap();
    let dumps = ["libgen.sql", "fiction.sql", "scimag.sql", "scimag-edge.sql"].map(common::dump);
    let files: Vec<&Path> = dumps.iter().map(|p| p.as_path()).collect();
    common::import_ok(dir.path(), &files);
    let repository = dir.path().join("repository");
    let book: Vec<u8> = (0..150_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::create_dir_all(repository.join("libgen/0")).unwrap();
    std::fs::write(repository.join("libgen/0").join(CLRS_MD5), &book).unwrap();
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();

    let mut started = Started(Vec::new());
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("serve.log")).unwrap();
    started.0.push(
        common::lanshelf(dir.path())
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .arg("--repository")
            .arg(&repository)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start lanshelf serve"),
    );
    let driver_port = free_port();
    started.0.push(
        Command::new(&chromedriver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    wait_for_port(port, "lanshelf serve");
    wait_for_port(driver_port, "chromedriver");

    let profile = dir.path().join("chromium-profile");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads.to_string_lossy(),
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
                "safebrowsing.enabled": false,
            },
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a Chromium session through chromedriver");
    let base = format!("http://127.0.0.1:{port}");
    let outcome = tokio::spawn({
        let client = client.clone();
        let downloads = downloads.clone();
        async move { walk_through(&client, &base, &downloads, &book).await }
    })
    .await;
    if outcome.is_err() {
        let _ = screenshot(&client, "failure.png").await;
    }
    let _ = client.close().await;
    drop(started);
    if let Err(e) = outcome {
        let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        eprintln!(
            "server log (last lines, newest first):\n{}",
            tail.join("\n")
        );
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Starts a Chromium session through chromedriver on `driver_port`, light or dark.
async fn session(driver_port: u16, profile: &Path, dark: bool) -> Client {
    let mut args = vec![
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
        "--hide-scrollbars".into(),
        "--window-size=1280,900".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    if dark {
        args.push("--force-dark-mode".into());
        args.push("--blink-settings=preferredColorScheme=0".into());
    }
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": CHROMIUM, "args": args }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a Chromium session through chromedriver")
}

/// Makes the page's viewport `width` × `height` CSS pixels.
async fn viewport(client: &Client, width: u32, height: u32) {
    client.set_window_size(width, height).await.unwrap();
    let inner = client
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .unwrap();
    let (iw, ih) = (
        inner[0].as_u64().unwrap() as u32,
        inner[1].as_u64().unwrap() as u32,
    );
    if (iw, ih) != (width, height) {
        client
            .set_window_size(
                width + (width - iw.min(width)),
                height + (height - ih.min(height)),
            )
            .await
            .unwrap();
    }
}

/// Runs axe-core on the page: its serious and critical violations, as `rule: target` lines.
async fn axe(client: &Client, source: &str) -> Vec<String> {
    client
        .execute(&format!("{source}\n;return typeof window.axe;"), vec![])
        .await
        .expect("axe-core loads");
    let result = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { resultTypes: ["violations"] })
                 .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact,
                   nodes: v.nodes.map(n => n.target.join(" ") + " " + (n.failureSummary || "").replace(/\s+/g, " ")) }))))
                 .catch(e => done([{ id: "axe-error", impact: "critical", nodes: [String(e)] }]));"#,
            vec![],
        )
        .await
        .expect("axe-core runs");
    let mut out = Vec::new();
    for v in result.as_array().cloned().unwrap_or_default() {
        let impact = v["impact"].as_str().unwrap_or("");
        if impact == "serious" || impact == "critical" {
            for n in v["nodes"].as_array().cloned().unwrap_or_default() {
                out.push(format!(
                    "{} ({impact}): {}",
                    v["id"].as_str().unwrap_or(""),
                    n.as_str().unwrap_or("")
                ));
            }
        }
    }
    out
}

/// Where screenshots of the demo go: `LANSHELF_SCREENSHOTS` (the README's, `docs/screenshots`)
/// or the test artifacts.
fn shots() -> PathBuf {
    match std::env::var_os("LANSHELF_SCREENSHOTS") {
        Some(dir) => {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            std::fs::create_dir_all(&dir).unwrap();
            dir
        }
        None => artifacts(),
    }
}

async fn shot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(shots().join(name), png).unwrap();
}

/// Loads `path` and waits for the page's main heading or results.
async fn open(client: &Client, base: &str, path: &str) {
    client.goto(&format!("{base}{path}")).await.unwrap();
    eventually(&format!("{path} to load"), || async {
        client.find(Locator::Css("main")).await.ok().map(|_| ())
    })
    .await;
}

/// The demo's pages, in one theme: accessibility, and in light also the keyboard path and
/// the phone's record page. Returns the violations found, page by page.
async fn demo_pages(client: &Client, base: &str, dark: bool, axe_source: &str) -> Vec<String> {
    let theme = if dark { "dark" } else { "light" };
    let is_dark = client
        .execute(
            "return matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(is_dark, json!(dark), "the {theme} theme is in effect");
    viewport(client, 1280, 900).await;
    let pages = [
        ("home", "/".to_string()),
        ("results", "/search?q=essentials".to_string()),
        ("table", "/search?q=essentials&view=table".to_string()),
        // A record whose file is here, with a cover: a real sample (Introduction to Algorithms).
        ("record", "/libgen/7".to_string()),
        ("torrents", "/torrents".to_string()),
    ];
    let mut violations = Vec::new();
    for (name, path) in &pages {
        open(client, base, path).await;
        for v in axe(client, axe_source).await {
            violations.push(format!("{theme} {name} {path}: {v}"));
        }
        shot(
            client,
            &format!("{name}-{}.png", if dark { "dark" } else { "desktop" }),
        )
        .await;
    }
    // The view is remembered (a cookie): back to cards for the next visitor of this profile.
    open(client, base, "/search?q=essentials&view=cards").await;
    if dark {
        return violations;
    }

    // The keyboard: from the search box to the first result in at most three Tabs.
    open(client, base, "/search?q=introduction").await;
    client
        .execute("document.getElementById('q').focus(); return true;", vec![])
        .await
        .unwrap();
    let first = hrefs(client, "ol.results li.hit h3 a").await;
    let first = first.first().cloned().expect("results");
    let mut tabs = 0;
    loop {
        let on = client
            .execute(
                "const a = document.activeElement; return a && a.matches('ol.results li.hit h3 a') ? a.getAttribute('href') : null;",
                vec![],
            )
            .await
            .unwrap();
        if on.as_str() == Some(first.as_str()) {
            break;
        }
        tabs += 1;
        assert!(
            tabs <= 3,
            "the first result is more than 3 Tabs from the search box"
        );
        client
            .active_element()
            .await
            .unwrap()
            .send_keys("\u{E004}")
            .await
            .unwrap();
    }
    // The home page puts the cursor in the search box.
    open(client, base, "/").await;
    let focused = client
        .execute(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(focused, json!("q"), "the home page focuses the search box");

    // A phone: the record page's Download button is above the fold.
    viewport(client, 390, 844).await;
    for (name, path) in &pages {
        open(client, base, path).await;
        shot(client, &format!("{name}-phone.png")).await;
        if *name == "record" {
            let bottom = client
                .execute(
                    "const b = document.getElementById('download'); return b ? b.getBoundingClientRect().bottom : null;",
                    vec![],
                )
                .await
                .unwrap();
            let bottom = bottom
                .as_f64()
                .expect("a Download button on the record page");
            assert!(
                bottom <= 844.0,
                "Download at {bottom} px, below the fold of a phone"
            );
        }
    }
    viewport(client, 1280, 900).await;
    violations
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_for_keyboards_phones_and_axe_in_chromium() {
    let chromedriver = which("chromedriver");
    if !Path::new(CHROMIUM).is_file() || chromedriver.is_none() {
        let message = "headless Chromium and chromedriver are needed (apt-get install chromium chromium-driver)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("browser test: {message}");
        }
        eprintln!("\n\n!!!!! SKIPPED the browser test: {message} !!!!!\n");
        return;
    }
    let chromedriver = chromedriver.unwrap();
    let axe_source =
        std::fs::read_to_string(common::fixtures().join("axe/axe.min.js")).expect("axe-core");
    let dir = tempfile::Builder::new()
        .prefix("lanshelf-browser-demo-")
        .tempdir()
        .unwrap();
    let mut started = Started(Vec::new());
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("demo.log")).unwrap();
    started.0.push(
        common::lanshelf(dir.path())
            .args([
                "demo",
                "--synthetic",
                "600",
                "--addr",
                &format!("127.0.0.1:{port}"),
            ])
            .arg("--dir")
            .arg(dir.path().join("demo"))
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start lanshelf demo"),
    );
    let driver_port = free_port();
    started.0.push(
        Command::new(&chromedriver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let deadline = Instant::now() + Duration::from_secs(600);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        let exited = started.0[0].try_wait().unwrap();
        assert!(
            exited.is_none() && Instant::now() < deadline,
            "the demo did not start: {}",
            std::fs::read_to_string(dir.path().join("demo.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    wait_for_port(driver_port, "chromedriver");
    let base = format!("http://127.0.0.1:{port}");
    let mut violations = Vec::new();
    for dark in [false, true] {
        let profile = dir.path().join(format!("profile-{dark}"));
        let client = session(driver_port, &profile, dark).await;
        let outcome = tokio::spawn({
            let (client, base, axe_source) = (client.clone(), base.clone(), axe_source.clone());
            async move { demo_pages(&client, &base, dark, &axe_source).await }
        })
        .await;
        if outcome.is_err() {
            let _ = screenshot(&client, "failure-demo.png").await;
        }
        let _ = client.close().await;
        match outcome {
            Ok(v) => violations.extend(v),
            Err(e) => {
                drop(started);
                let log = std::fs::read_to_string(dir.path().join("demo.log")).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(30).collect();
                eprintln!("demo log (last lines, newest first):\n{}", tail.join("\n"));
                std::panic::resume_unwind(e.into_panic());
            }
        }
    }
    assert!(
        violations.is_empty(),
        "axe-core finds serious or critical violations:\n{}",
        violations.join("\n")
    );
}

/// The MD5 of some bytes, in hex (the reference the page's own MD5 is checked against).
fn md5_hex(bytes: &[u8]) -> String {
    use md5::Digest;
    md5::Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The identify page: files chosen in the browser are hashed there (static/md5.js) and their
/// sums looked up; the book is found, a file nobody knows is unknown, a damaged copy (the
/// book's repository name, other bytes) is flagged.
async fn identify_files(client: &Client, base: &str, files: &[(PathBuf, String)], book: &Path) {
    client.goto(&format!("{base}/identify")).await.unwrap();
    let input = client.find(Locator::Css("#files")).await.unwrap();
    let paths: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    input.send_keys(&paths.join("\n")).await.unwrap();
    eventually("the look-up of the hashed files", || async {
        let done = client
            .find(Locator::Css("#identify-status[data-done]"))
            .await
            .ok()?;
        done.text().await.ok()
    })
    .await;
    screenshot(client, "identify.png").await;
    let status = texts(client, "#identify-status").await.join("");
    assert_eq!(
        status, "3 files: 1 found, 2 unknown, 1 damaged.",
        "{status}"
    );
    let names = texts(client, "#identify-table tbody tr td:nth-child(1)").await;
    let sums = texts(client, "#identify-table tbody tr td:nth-child(2)").await;
    for (path, sum) in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let row = names
            .iter()
            .position(|n| *n == name)
            .expect("a row per file");
        assert_eq!(&sums[row], sum, "{name}: the page's MD5 is the file's");
    }
    let book_name = book.file_name().unwrap().to_string_lossy().into_owned();
    let row = names.iter().position(|n| *n == book_name).unwrap();
    let links = hrefs(
        client,
        &format!("#identify-table tbody tr:nth-child({}) a.record", row + 1),
    )
    .await;
    assert_eq!(links, ["/libgen/7"]);
    let downloads = hrefs(client, "#identify-table a.download").await;
    assert_eq!(downloads, ["/download/libgen/7"]);
    let damaged = texts(client, "#identify-table tr.damaged .damaged-note").await;
    assert_eq!(damaged.len(), 1, "{damaged:?}");
    assert!(
        damaged[0].starts_with(&format!("Damaged: named {}", sums[row])),
        "{damaged:?}"
    );
    assert!(
        damaged[0].contains("Introduction to Algorithms"),
        "{damaged:?}"
    );
    let unknown = texts(client, "#identify-table tr.unknown td.status").await;
    assert_eq!(unknown.len(), 2, "{unknown:?}");

    // The look-up page works as a plain form: paste, submit, read the table.
    client.goto(&format!("{base}/lookup")).await.unwrap();
    let ids = client.find(Locator::Css("#ids")).await.unwrap();
    ids.send_keys("978-0-262-03384-8\n10.9999/nothing.here\nhello")
        .await
        .unwrap();
    client
        .find(Locator::Css("#lookup-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let classes = eventually("the look-up table", || async {
        let rows = client
            .find_all(Locator::Css("#lookup-table tbody tr"))
            .await
            .ok()?;
        let mut classes = Vec::new();
        for r in rows {
            classes.push(r.attr("class").await.ok()??);
        }
        (!classes.is_empty()).then_some(classes)
    })
    .await;
    assert_eq!(classes, ["found", "missing", "malformed"]);
    assert_eq!(
        hrefs(client, "#lookup-table a.download").await,
        ["/download/libgen/7"]
    );
    screenshot(client, "lookup.png").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_dropped_on_the_identify_page_are_hashed_in_the_browser_and_looked_up() {
    let chromedriver = which("chromedriver");
    if !Path::new(CHROMIUM).is_file() || chromedriver.is_none() {
        let message = "headless Chromium and chromedriver are needed (apt-get install chromium chromium-driver)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("browser test: {message}");
        }
        eprintln!("\n\n!!!!! SKIPPED the browser test: {message} !!!!!\n");
        return;
    }
    let chromedriver = chromedriver.unwrap();
    let dir = tempfile::Builder::new()
        .prefix("lanshelf-identify-")
        .tempdir()
        .unwrap();
    // The catalog says the book of record 7 has the MD5 of these bytes.
    let book: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let book_md5 = md5_hex(&book);
    let dump = std::fs::read_to_string(common::dump("libgen.sql"))
        .unwrap()
        .replace(CLRS_MD5, &book_md5)
        .replace(&CLRS_MD5.to_uppercase(), &book_md5.to_uppercase());
    let dump_path = dir.path().join("libgen.sql");
    std::fs::write(&dump_path, dump).unwrap();
    common::import_ok(dir.path(), &[&dump_path]);
    let repository = dir.path().join("repository");
    std::fs::create_dir_all(repository.join("libgen/0")).unwrap();
    std::fs::write(repository.join("libgen/0").join(&book_md5), &book).unwrap();
    // The files to identify: the book under a name of its own, a damaged copy under the
    // book's repository name, and notes nobody has.
    let mine = dir.path().join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    let named = mine.join("algorithms.pdf");
    std::fs::write(&named, &book).unwrap();
    let mut broken = book.clone();
    broken[1234] ^= 0x55;
    let damaged = mine.join(&book_md5);
    std::fs::write(&damaged, &broken).unwrap();
    let notes = mine.join("notes.txt");
    std::fs::write(&notes, b"nothing to see").unwrap();
    let files = vec![
        (named.clone(), book_md5.clone()),
        (damaged, md5_hex(&broken)),
        (notes, md5_hex(b"nothing to see")),
    ];

    let mut started = Started(Vec::new());
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("serve.log")).unwrap();
    started.0.push(
        common::lanshelf(dir.path())
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .arg("--repository")
            .arg(&repository)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start lanshelf serve"),
    );
    let driver_port = free_port();
    started.0.push(
        Command::new(&chromedriver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    wait_for_port(port, "lanshelf serve");
    wait_for_port(driver_port, "chromedriver");
    let profile = dir.path().join("chromium-profile");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a Chromium session through chromedriver");
    let base = format!("http://127.0.0.1:{port}");
    let outcome = tokio::spawn({
        let client = client.clone();
        async move { identify_files(&client, &base, &files, &named).await }
    })
    .await;
    if outcome.is_err() {
        let _ = screenshot(&client, "identify-failure.png").await;
    }
    let _ = client.close().await;
    drop(started);
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();
    // Without the terminal colours.
    let mut plain = String::with_capacity(log.len());
    let mut escape = false;
    for c in log.chars() {
        match (escape, c) {
            (false, '\u{1b}') => escape = true,
            (true, 'm') => escape = false,
            (true, _) => {}
            (false, c) => plain.push(c),
        }
    }
    let log = plain;
    if let Err(e) = outcome {
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        eprintln!(
            "server log (last lines, newest first):\n{}",
            tail.join("\n")
        );
        std::panic::resume_unwind(e.into_panic());
    }
    // Only the sums went to the server: one look-up of the files, no upload (the other POST is
    // the look-up form's).
    let posts: Vec<&str> = log.lines().filter(|l| l.contains("method=POST")).collect();
    let batch = posts
        .iter()
        .filter(|l| l.contains("path=/api/lookup/batch"))
        .count();
    assert_eq!(batch, 1, "{posts:?}");
    assert!(
        posts
            .iter()
            .all(|l| l.contains("path=/api/lookup/batch") || l.contains("path=/lookup}")),
        "{posts:?}"
    );
}
