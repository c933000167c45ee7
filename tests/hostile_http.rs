//! Hostile HTTP clients against the real `lanshelf serve` on a loopback port: oversized URLs and
//! headers, invalid UTF-8 in the request line, slowloris clients that never finish their headers,
//! and more idle connections than the server serves at once. After each, the server is still up
//! and answers a well-behaved client.

mod common;
use common::Server;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

fn start(dir: &Path, args: &[&str]) -> Server {
    Server::start(dir, args, &[])
}

/// Sends raw bytes and returns the status code of the answer (0: the server closed the
/// connection without one).
fn raw(port: u16, request: &[u8]) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    // The server may answer and close before reading everything.
    let _ = s.write_all(request);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out[..out.len().min(40)])
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn get(port: u16, path: &str) -> u16 {
    raw(
        port,
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

fn catalog() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::import_ok(dir.path(), &[&common::dump("libgen.sql")]);
    dir
}

#[test]
fn oversized_and_malformed_requests_leave_the_server_answering() {
    let dir = catalog();
    let server = start(dir.path(), &[]);
    let port = server.port;
    assert_eq!(get(port, "/search?q=algorithms"), 200);
    let long_url = format!("/search?q={}", "a".repeat(100 * 1024));
    let status = get(port, &long_url);
    assert!(matches!(status, 414 | 431), "100 KB URL: {status}");
    let status = get(port, &format!("/search?q={}", "b".repeat(12 * 1024)));
    assert_eq!(status, 414, "12 KB URL");
    for (name, size) in [("X-Padding", 20 * 1024), ("Cookie", 1024 * 1024)] {
        let request = format!(
            "GET / HTTP/1.1\r\nHost: x\r\n{name}: {}\r\nConnection: close\r\n\r\n",
            "y".repeat(size)
        );
        let status = raw(port, request.as_bytes());
        assert_eq!(status, 431, "{name} of {size} bytes");
    }
    let many_headers: String = (0..2000).map(|i| format!("X-H{i}: v\r\n")).collect();
    let status = raw(
        port,
        format!("GET / HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n").as_bytes(),
    );
    assert!(matches!(status, 400 | 431), "2000 headers: {status}");
    // Invalid UTF-8 and control bytes in the request line, percent-encoded or raw.
    for request in [
        &b"GET /search?q=%FF%FE%C3%28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"[..],
        b"GET /libgen/%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /search?q=\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /\xc3\x28 HTTP/1.1\r\nHost: \xff\r\nConnection: close\r\n\r\n",
        b"GET /doi/10.1000%2F%00%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        b"GET / HTTP/9.9\r\n\r\n",
        b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n",
    ] {
        let status = raw(port, request);
        assert!(
            status == 0 || (400..500).contains(&status) || status == 200,
            "{:?}: {status}",
            String::from_utf8_lossy(&request[..request.len().min(40)])
        );
    }
    assert_eq!(get(port, "/search?q=algorithms"), 200, "still answering");
}

#[test]
fn slow_and_idle_clients_do_not_lock_others_out() {
    let dir = catalog();
    let server = start(
        dir.path(),
        // One address opens every connection here: the per-client share is not what this tests.
        &[
            "--header-timeout",
            "2",
            "--max-connections",
            "64",
            "--max-connections-per-client",
            "1000",
        ],
    );
    let port = server.port;
    // Slowloris: clients that send a header line now and then and never finish.
    let slow: Vec<TcpStream> = (0..40)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
            s
        })
        .collect();
    // Plus idle connections that never send a byte, past the connection cap.
    let idle: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    // A well-behaved client is answered: at once while there is room, at the latest once the
    // header deadline has dropped the slow ones.
    let started = Instant::now();
    assert_eq!(get(port, "/search?q=algorithms"), 200);
    let waited = started.elapsed();
    // The slow clients keep trickling; the server closes them all the same.
    let mut closed = 0;
    for mut s in slow {
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let _ = s.write_all(b"X-Slow: 1\r\n");
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        closed += 1;
        let head = String::from_utf8_lossy(&buf[..buf.len().min(20)]).into_owned();
        assert!(
            head.is_empty() || head.starts_with("HTTP/1.1 408"),
            "a slow client got {head:?}"
        );
    }
    for mut s in idle {
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut buf = [0u8; 64];
        // Closed by the server (EOF or reset), never left hanging.
        let n = s.read(&mut buf).unwrap_or(0);
        assert!(
            n == 0 || buf.starts_with(b"HTTP/1.1 408"),
            "idle client got data"
        );
    }
    eprintln!(
        "slowloris: {closed} slow and 100 idle connections dropped; a normal request waited {} ms",
        waited.as_millis()
    );
    assert_eq!(get(port, "/healthz"), 200);
}

#[test]
fn many_concurrent_clients_are_all_answered() {
    let dir = catalog();
    let server = start(dir.path(), &[]);
    let port = server.port;
    let threads: Vec<_> = (0..64)
        .map(|i| {
            std::thread::spawn(move || {
                let path = match i % 4 {
                    0 => "/search?q=algorithms".to_string(),
                    1 => "/libgen/7".to_string(),
                    2 => format!("/search?q=zz{i}"),
                    _ => "/healthz".to_string(),
                };
                (0..5).map(|_| get(port, &path)).collect::<Vec<u16>>()
            })
        })
        .collect();
    let statuses: Vec<u16> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_eq!(statuses.len(), 320);
    assert!(
        statuses.iter().all(|s| *s == 200),
        "{:?}",
        statuses
            .iter()
            .filter(|s| **s != 200)
            .take(10)
            .collect::<Vec<_>>()
    );
}

/// A connection to the server from another loopback address (`127.0.0.2` …), as another
/// machine's would come, with a small receive buffer.
fn connect_from(source: &str, port: u16) -> TcpStream {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
        let stream = socket
            .connect(format!("127.0.0.1:{port}").parse().unwrap())
            .await
            .unwrap();
        let stream = stream.into_std().unwrap();
        stream.set_nonblocking(false).unwrap();
        stream
    })
}

#[test]
fn clients_that_stop_reading_are_dropped_and_cannot_take_every_slot() {
    let dir = catalog();
    // Sci-tech 7's file: 32 MB, far more than the socket buffers hold.
    let repo = dir.path().join("repository");
    std::fs::create_dir_all(repo.join("libgen/0")).unwrap();
    std::fs::write(
        repo.join("libgen/0/c668b424cee13e5994c85c7ee8f18827"),
        vec![7u8; 32 << 20],
    )
    .unwrap();
    let server = start(
        dir.path(),
        &[
            "--repository",
            &repo.display().to_string(),
            "--max-connections",
            "20",
            "--max-connections-per-client",
            "8",
            "--write-timeout",
            "3",
        ],
    );
    let port = server.port;
    // 30 connections from one address ask for the file and never read it.
    let mut attackers: Vec<TcpStream> = (0..30)
        .map(|_| {
            let mut s = connect_from("127.0.0.2", port);
            let _ = s.write_all(b"GET /download/libgen/7 HTTP/1.1\r\nHost: x\r\n\r\n");
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    // Others are served meanwhile: the attacker holds its share, not every slot.
    for _ in 0..5 {
        assert_eq!(get(port, "/healthz"), 200);
        assert_eq!(get(port, "/libgen/7"), 200);
    }
    // Past its share, the attacker was told so at once; the others stall past the write timeout.
    std::thread::sleep(Duration::from_secs(6));
    let mut refused = 0;
    let mut dropped = 0;
    for s in &mut attackers {
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut head = [0u8; 12];
        let n = s.read(&mut head).unwrap_or(0);
        if head[..n].starts_with(b"HTTP/1.1 503") {
            refused += 1;
            continue;
        }
        // A stalled download: the server gives up on it after the write timeout; reading what
        // was buffered then ends well before the 32 MB.
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        assert!(rest.len() < 16 << 20, "the stalled download was cut off");
        dropped += 1;
    }
    assert_eq!(refused, 22, "8 held, the rest refused");
    assert_eq!(dropped, 8);
    assert_eq!(get(port, "/healthz"), 200);
}
