//! Several `lanshelf serve` replicas over one catalog and index, behind a real load balancer:
//! Debian's HAProxy on loopback, round robin without stickiness, health checks on `/healthz`.
//! Under steady load through HAProxy, a newer dump is imported (catalog, then the index caught
//! up in place) and the index is rebuilt into a new generation: no request fails, no replica is
//! ever unhealthy (the update lock makes them say `updating`), both replicas end on the new
//! generation, and both serve the new records.
//!
//! Where the test may mount folders (root in a mount namespace: `unshare`), each replica sees
//! the data folder through its own read-only bind mount, as the compose profile's replicas do;
//! elsewhere they serve the folder itself (the test says which).
//!
//! Needs `haproxy` (Debian's package; `make test-deps` installs it): without it the test fails
//! and says so.

mod common;
use common::free_port;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Kills the processes the test started, by their ids, when it ends (even on a panic).
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
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// One request over a fresh connection: status and body.
fn request(port: u16, method: &str, path: &str, body: &str) -> std::io::Result<(u16, Vec<u8>)> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: lanshelf.test\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let end = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(out.len(), |i| i + 4);
    let status = String::from_utf8_lossy(&out[..end.min(40)])
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&out[..end]).to_ascii_lowercase();
    let mut body = out[end..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        let mut plain = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = std::str::from_utf8(&rest[..eol])
                .ok()
                .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
                .unwrap_or(0);
            if size == 0 || rest.len() < eol + 2 + size {
                break;
            }
            plain.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[(eol + 4 + size).min(rest.len())..];
        }
        body = plain;
    }
    Ok((status, body))
}

fn get(port: u16, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
    request(port, "GET", path, "")
}

fn healthz(port: u16) -> (u16, serde_json::Value) {
    match get(port, "/healthz") {
        Ok((status, body)) => (status, serde_json::from_slice(&body).unwrap_or_default()),
        Err(_) => (0, serde_json::Value::Null),
    }
}

fn wait_until(what: &str, seconds: u64, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn gen_dump(dir: &Path, rows: u64) -> PathBuf {
    let path = dir.join(format!("libgen-{rows}.sql"));
    let out = common::lanshelf(dir)
        .args(["gen-dump", "--collection", "libgen", "--rows"])
        .arg(rows.to_string())
        .args(["--seed", "3", "--out"])
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

/// Whether this process may bind-mount a folder read-only in a mount namespace of its own.
fn can_mount_read_only(dir: &Path) -> bool {
    let (from, to) = (dir.join("probe-from"), dir.join("probe-to"));
    let _ = std::fs::create_dir_all(&from);
    let _ = std::fs::create_dir_all(&to);
    let Some(unshare) = which("unshare") else {
        return false;
    };
    Command::new(unshare)
        .args(["--mount", "sh", "-c"])
        .arg(format!(
            "mount --bind '{0}' '{1}' && mount -o remount,bind,ro '{1}' && ! touch '{1}/x' 2>/dev/null",
            from.display(),
            to.display()
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts a replica on `port`: `lanshelf serve` over `data` (or over a read-only bind mount of
/// it at `mount`), logging to `log`.
fn replica(data: &Path, mount: Option<&Path>, port: u16, log: &Path) -> Child {
    let log = std::fs::File::create(log).unwrap();
    let binary = env!("CARGO_BIN_EXE_lanshelf");
    let addr = format!("127.0.0.1:{port}");
    let mut cmd = match mount {
        Some(mount) => {
            std::fs::create_dir_all(mount).unwrap();
            let mut c = Command::new(which("unshare").unwrap());
            c.args(["--mount", "sh", "-c"]).arg(format!(
                "mount --bind '{data}' '{mount}' && mount -o remount,bind,ro '{mount}' && exec '{binary}' --db '{mount}/catalog.sqlite' --index '{mount}/index' serve --addr {addr}",
                data = data.display(),
                mount = mount.display()
            ));
            c
        }
        None => {
            let mut c = Command::new(binary);
            c.arg("--db")
                .arg(data.join("catalog.sqlite"))
                .arg("--index")
                .arg(data.join("index"))
                .args(["serve", "--addr", &addr]);
            c
        }
    };
    cmd.env("LANSHELF_ALLOW_ROOT", "1")
        .env("RUST_LOG", "info")
        .env_remove("LANSHELF_DB")
        .env_remove("LANSHELF_INDEX")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start a replica")
}

/// HAProxy's configuration: round robin over the replicas, health checks on `/healthz`.
fn haproxy_config(front: u16, replicas: &[u16]) -> String {
    let mut cfg = format!(
        "global\n  maxconn 512\n\n\
         defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n  \
         retries 2\n  option redispatch\n\n\
         frontend portal\n  bind 127.0.0.1:{front}\n  stats enable\n  stats uri /haproxy-stats\n  \
         default_backend replicas\n\n\
         backend replicas\n  balance roundrobin\n  option httpchk GET /healthz\n  \
         http-check expect status 200\n"
    );
    for (i, port) in replicas.iter().enumerate() {
        cfg.push_str(&format!(
            "  server replica{i} 127.0.0.1:{port} check inter 300ms fall 2 rise 1\n"
        ));
    }
    cfg
}

/// Per server of the backend: (status, total sessions), from HAProxy's CSV statistics.
fn backend_servers(front: u16) -> Vec<(String, String, u64)> {
    let Ok((200, body)) = get(front, "/haproxy-stats;csv") else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&body).into_owned();
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches("# ")
        .split(',')
        .collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (px, sv, st, total) = (col("pxname"), col("svname"), col("status"), col("stot"));
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f.len() > total && f[px] == "replicas" && f[sv].starts_with("replica"))
        .map(|f| {
            (
                f[sv].to_string(),
                f[st].to_string(),
                f[total].parse().unwrap_or(0),
            )
        })
        .collect()
}

#[derive(Default)]
struct Load {
    requests: AtomicU64,
    errors: AtomicU64,
}

#[test]
fn two_replicas_behind_haproxy_switch_generations_under_load_without_a_failed_request() {
    let haproxy = which("haproxy").unwrap_or_else(|| {
        panic!(
            "this test needs HAProxy on the PATH (Debian: `apt-get install haproxy`; `make test-deps` installs it)"
        )
    });
    let dir = tempfile::Builder::new()
        .prefix("lanshelf-replicas-")
        .tempdir()
        .unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let older = gen_dump(dir.path(), 3_000);
    let newer = gen_dump(dir.path(), 4_000);
    common::import_ok(&data, &[&older]);
    let db = data.join("catalog.sqlite");
    let last_old: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT max(id) FROM libgen", [], |r| r.get(0))
        .unwrap();

    // The writer keeps the catalog open, as `lanshelf start` does in the compose profile: its
    // write-ahead log files stay in place for replicas that cannot create them.
    let writer = rusqlite::Connection::open(&db).unwrap();
    writer
        .query_row("SELECT count(*) FROM imports", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let read_only = can_mount_read_only(dir.path());
    eprintln!(
        "replicas: {}",
        if read_only {
            "each over a read-only bind mount of the data folder"
        } else {
            "over the data folder itself (no mount namespace here)"
        }
    );
    let mut started = Started(Vec::new());
    let ports = [free_port(), free_port()];
    for (i, port) in ports.iter().enumerate() {
        let mount = dir.path().join(format!("replica{i}"));
        started.0.push(replica(
            &data,
            read_only.then_some(mount.as_path()),
            *port,
            &dir.path().join(format!("replica{i}.log")),
        ));
    }
    for port in ports {
        wait_until("a replica's health", 60, || healthz(port).0 == 200);
    }
    let front = free_port();
    let cfg = dir.path().join("haproxy.cfg");
    std::fs::write(&cfg, haproxy_config(front, &ports)).unwrap();
    started.0.push(
        Command::new(&haproxy)
            .args(["-db", "-f"])
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("haproxy.log")).unwrap())
            .spawn()
            .expect("start haproxy"),
    );
    wait_until("HAProxy and both replicas up", 30, || {
        let servers = backend_servers(front);
        servers.len() == 2 && servers.iter().all(|(_, status, _)| status == "UP")
    });
    let before = healthz(ports[0]).1;
    let generation_before = before["index"]["generation"].as_str().unwrap().to_string();

    // Steady load through HAProxy: pages, searches, record pages, a batch look-up, health.
    let load = Arc::new(Load::default());
    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let paths: Vec<(&'static str, String)> = vec![
        ("GET", "/search?q=introduction".into()),
        ("GET", "/api/search?q=theory".into()),
        ("GET", "/libgen/1".into()),
        ("GET", format!("/libgen/{last_old}")),
        ("GET", "/search?q=history&ext=pdf".into()),
        ("POST", "/api/lookup/batch".into()),
        ("GET", "/healthz".into()),
    ];
    let clients: Vec<_> = (0..4)
        .map(|i| {
            let (load, stop, failures, paths) =
                (load.clone(), stop.clone(), failures.clone(), paths.clone());
            std::thread::spawn(move || {
                let mut n = i;
                while !stop.load(Ordering::Relaxed) {
                    let (method, path) = &paths[n % paths.len()];
                    n += 1;
                    let body = if *method == "POST" {
                        "10.1000/x\n9780262033848"
                    } else {
                        ""
                    };
                    let result = request(front, method, path, body);
                    load.requests.fetch_add(1, Ordering::Relaxed);
                    if !matches!(result, Ok((200, _))) {
                        load.errors.fetch_add(1, Ordering::Relaxed);
                        let mut f = failures.lock().unwrap();
                        if f.len() < 10 {
                            f.push(format!(
                                "{method} {path}: {:?}",
                                result.map(|(s, b)| (s, b.len()))
                            ));
                        }
                    }
                }
            })
        })
        .collect();
    // The replicas' own health, watched all along: never a 503.
    let health_seen = Arc::new(Mutex::new(Vec::<(usize, u16, String)>::new()));
    let watcher = {
        let (stop, seen) = (stop.clone(), health_seen.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for (i, port) in ports.iter().enumerate() {
                    let (status, v) = healthz(*port);
                    let text = v["status"].as_str().unwrap_or("?").to_string();
                    seen.lock().unwrap().push((i, status, text));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };

    std::thread::sleep(Duration::from_millis(700));
    // The writer: a re-import (catalog, then the index caught up in place), then a rebuild
    // into a new generation that `CURRENT` switches to.
    common::import_ok(&data, &[&newer]);
    let out = common::lanshelf(&data).arg("index").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let current = std::fs::read_to_string(data.join("index/CURRENT"))
        .unwrap()
        .trim()
        .to_string();
    assert_ne!(current, generation_before);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (records, last_import): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM libgen), (SELECT max(id) FROM imports)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // Both replicas switch to the new generation within their polling interval.
    for port in ports {
        wait_until("the replica on the new generation", 30, || {
            let (status, h) = healthz(port);
            status == 200
                && h["index"]["generation"].as_str() == Some(current.as_str())
                && h["index"]["documents"].as_i64() == Some(records)
                && h["index"]["import"].as_i64() == Some(last_import)
        });
    }
    // The newest records, through HAProxy: each replica answers some of these.
    let (newest, title): (i64, String) = conn
        .query_row(
            "SELECT id, title FROM libgen WHERE id > ?1 AND length(title) > 12 ORDER BY id LIMIT 1",
            [last_old],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let query: String =
        form_urlencoded::byte_serialize(format!("\"{title}\"").as_bytes()).collect();
    for _ in 0..4 {
        let (status, body) = get(front, &format!("/search?q={query}")).unwrap();
        assert_eq!(status, 200);
        assert!(
            String::from_utf8_lossy(&body).contains(&format!("href=\"/libgen/{newest}\"")),
            "a replica does not find the new record"
        );
    }
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    watcher.join().unwrap();

    let requests = load.requests.load(Ordering::Relaxed);
    let errors = load.errors.load(Ordering::Relaxed);
    let seen = health_seen.lock().unwrap();
    let updating = seen.iter().filter(|(_, _, s)| s == "updating").count();
    eprintln!(
        "replicas: {requests} requests through HAProxy, {errors} failed; {} health checks of the replicas, {updating} of them 'updating'",
        seen.len()
    );
    assert_eq!(errors, 0, "failed requests: {:?}", failures.lock().unwrap());
    assert!(requests > 50, "the load ran ({requests} requests)");
    let unhealthy: Vec<_> = seen
        .iter()
        .filter(|(_, status, _)| *status != 200)
        .collect();
    assert!(
        unhealthy.is_empty(),
        "a replica was unhealthy: {unhealthy:?}"
    );
    // Round robin without stickiness: both replicas served, both are up.
    let servers = backend_servers(front);
    assert_eq!(servers.len(), 2, "{servers:?}");
    for (name, status, total) in &servers {
        assert_eq!(status, "UP", "{name}");
        assert!(*total > 10, "{name} served {total} requests");
    }
    if read_only {
        // The replicas wrote nothing: their views were read-only, and they served all along.
        for i in 0..2 {
            let log = std::fs::read_to_string(dir.path().join(format!("replica{i}.log"))).unwrap();
            assert!(
                log.contains("serving a new index generation"),
                "replica {i}: {log}"
            );
        }
    }
    drop(started);
    drop(writer);
}
