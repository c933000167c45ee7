//! Helpers shared by the integration tests: the real binary, real catalogs, the fixtures.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lanshelf::import::TABLES;

pub mod rar5;

/// The fixture folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A fixture dump by file name.
pub fn dump(name: &str) -> PathBuf {
    fixtures().join("dumps").join(name)
}

/// The `lanshelf` binary with a catalog and index in `dir`.
pub fn lanshelf(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lanshelf"));
    cmd.env("LANSHELF_DB", dir.join("catalog.sqlite"))
        .env("LANSHELF_INDEX", dir.join("index"))
        .env("RUST_LOG", "warn")
        // CI runs the tests as root; the refusal itself is tested in tests/access.rs.
        .env("LANSHELF_ALLOW_ROOT", "1");
    cmd
}

/// Runs `lanshelf import FILES` in `dir`.
pub fn import(dir: &Path, files: &[&Path]) -> Output {
    let out = lanshelf(dir)
        .arg("import")
        .args(files)
        .output()
        .expect("run lanshelf");
    out
}

/// Like [`import`], and fails the test if the import failed.
pub fn import_ok(dir: &Path, files: &[&Path]) -> String {
    let out = import(dir, files);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "import failed: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One stored value: NULL, or the bytes of its text (integers as decimal text).
pub type Cell = Option<Vec<u8>>;

/// Every catalog table's rows (all dump columns, ordered by key), for whole-catalog comparisons.
pub fn snapshot(db: &Path) -> BTreeMap<String, Vec<Vec<Cell>>> {
    let conn = rusqlite::Connection::open(db).expect("open catalog");
    let mut out = BTreeMap::new();
    for spec in TABLES {
        let cols: Vec<&str> = spec.columns.iter().map(|c| c.column).collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            cols.join(", "),
            spec.table,
            spec.key
        );
        let mut stmt = conn.prepare(&sql).unwrap();
        let rows = stmt
            .query_map([], |r| {
                (0..cols.len())
                    .map(|i| {
                        Ok(match r.get_ref(i)? {
                            rusqlite::types::ValueRef::Null => None,
                            rusqlite::types::ValueRef::Integer(n) => {
                                Some(n.to_string().into_bytes())
                            }
                            rusqlite::types::ValueRef::Real(f) => Some(f.to_string().into_bytes()),
                            rusqlite::types::ValueRef::Text(t)
                            | rusqlite::types::ValueRef::Blob(t) => Some(t.to_vec()),
                        })
                    })
                    .collect::<rusqlite::Result<Vec<Cell>>>()
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        out.insert(spec.table.to_string(), rows);
    }
    out
}

/// Row counts per catalog table.
pub fn counts(db: &Path) -> BTreeMap<String, usize> {
    snapshot(db)
        .into_iter()
        .map(|(t, rows)| (t, rows.len()))
        .collect()
}

/// Decodes upper- or lower-case hex.
pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// A response read whole, from a router driven with `oneshot`.
pub struct Reply {
    /// The status.
    pub status: axum::http::StatusCode,
    /// The headers.
    pub headers: axum::http::HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as an HTML document.
    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.text())
    }

    /// The body as JSON (the test fails, showing the start of the body, if it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                self.text().chars().take(300).collect::<String>()
            )
        })
    }

    /// A header's value (`""` if absent).
    pub fn header(&self, name: axum::http::header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `Location` header.
    pub fn location(&self) -> &str {
        self.header(axum::http::header::LOCATION)
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> &str {
        self.header(axum::http::header::CONTENT_TYPE)
    }
}

/// Sends a request through the router and reads the whole response.
pub async fn send(app: &axum::Router, request: axum::http::Request<axum::body::Body>) -> Reply {
    use tower::ServiceExt;
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .unwrap()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// `GET uri` with these headers.
pub async fn get_with(app: &axum::Router, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = axum::http::Request::get(uri);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    send(app, request.body(axum::body::Body::empty()).unwrap()).await
}

/// A free loopback port, as the OS hands one out (the start-up loop of [`Server::start`]
/// notices if another process takes it first).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `lanshelf serve` on a loopback port, killed on drop.
pub struct Server {
    /// The process.
    pub child: std::process::Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `lanshelf serve` on the catalog in `dir` with `args` and `env`, output discarded,
    /// and waits (up to a minute) until it accepts connections; fails the test if it exits.
    pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let child = lanshelf(dir)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .args(args)
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut server = Server { child, port };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                server.child.try_wait().unwrap().is_none(),
                "lanshelf serve exited"
            );
            assert!(
                std::time::Instant::now() < deadline,
                "lanshelf serve did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        server
    }
}
