//! Access control and least privilege: each rule (allow-list, basic auth with bcrypt and argon2
//! hashes, forward auth from trusted proxies, rate limiting) through `web::app` with the client
//! address a real connection would carry (`MockConnectInfo`), the same rules through the real
//! `lanshelf serve` on a loopback port, the refusal to run as root, and a server that writes
//! nothing: not the catalog, not the repository, not the torrent folder.

mod common;
use common::Server;

use common::get_with;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use argon2::password_hash::PasswordHasher;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, StatusCode};
use axum::Router;
use base64::Engine;
use lanshelf::web::access::{parse_net, AccessSettings, Policy};
use lanshelf::web::{self, AppState, Config};

/// A catalog and index of the sci-tech fixture, a repository holding one of its files, a torrent
/// folder, and an htpasswd file with a bcrypt user and an argon2 user.
struct Fixture {
    dir: PathBuf,
    htpasswd: PathBuf,
}

const CLRS_MD5: &str = "c668b424cee13e5994c85c7ee8f18827";

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("lanshelf-access-")
            .tempdir()
            .unwrap()
            .keep();
        common::import_ok(&dir, &[&common::dump("libgen.sql")]);
        std::fs::create_dir_all(dir.join("repository/libgen/0")).unwrap();
        std::fs::write(dir.join("repository/libgen/0").join(CLRS_MD5), b"a book").unwrap();
        std::fs::create_dir_all(dir.join("torrents")).unwrap();
        std::fs::write(dir.join("torrents/r_000.torrent"), b"d4:infod4:name1:0ee").unwrap();
        let bcrypt = bcrypt::hash("open sesame", 4).unwrap();
        let argon = argon2::Argon2::default()
            .hash_password(b"correct horse")
            .unwrap()
            .to_string();
        let htpasswd = dir.join("htpasswd");
        std::fs::write(
            &htpasswd,
            format!("# readers\nalice:{bcrypt}\n\nbob:{argon}\n"),
        )
        .unwrap();
        Fixture { dir, htpasswd }
    })
}

fn config(f: &Fixture) -> Config {
    Config::new(
        &f.dir.join("catalog.sqlite"),
        &f.dir.join("index"),
        Some(&f.dir.join("repository")),
        Some(&f.dir.join("torrents")),
    )
}

/// The portal under `settings`, as seen from `client` (no address at all with `None`).
async fn app(settings: AccessSettings, client: Option<&str>) -> Router {
    let mut config = config(fixture());
    config.access = Arc::new(Policy::from_settings(&settings).expect("valid settings"));
    let app = web::app(AppState::open(&config).await.expect("open the portal"));
    match client {
        Some(ip) => app.layer(MockConnectInfo(SocketAddr::new(ip.parse().unwrap(), 40000))),
        None => app,
    }
}

fn nets(list: &[&str]) -> Vec<ipnet::IpNet> {
    list.iter().map(|n| parse_net(n).unwrap()).collect()
}

fn basic(user: &str, password: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {token}")
}

/// The status, and the `WWW-Authenticate` or `Retry-After` header if any.
async fn status(app: &Router, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, String) {
    let reply = get_with(app, uri, headers).await;
    let extra = reply
        .headers
        .get(header::WWW_AUTHENTICATE)
        .or_else(|| reply.headers.get(header::RETRY_AFTER))
        .map(|v| v.to_str().unwrap_or("").to_string())
        .unwrap_or_default();
    (reply.status, extra)
}

const PAGES: [&str; 5] = [
    "/",
    "/search?q=algorithms",
    "/libgen/7",
    "/download/libgen/7",
    "/torrents",
];

#[tokio::test]
async fn by_default_everyone_may_use_everything() {
    for client in [None, Some("203.0.113.9")] {
        let app = app(AccessSettings::default(), client).await;
        for uri in PAGES {
            let (s, _) = status(&app, uri, &[]).await;
            assert_eq!(s, StatusCode::OK, "{uri} from {client:?}");
        }
    }
}

#[tokio::test]
async fn the_allow_list_refuses_other_networks() {
    let settings = AccessSettings {
        allow: nets(&["192.168.0.0/16", "fd00::/8", "127.0.0.1"]),
        ..Default::default()
    };
    for client in ["192.168.4.20", "fd12::7", "127.0.0.1", "::ffff:192.168.1.1"] {
        let app = app(settings.clone(), Some(client)).await;
        for uri in PAGES {
            assert_eq!(
                status(&app, uri, &[]).await.0,
                StatusCode::OK,
                "{uri} {client}"
            );
        }
    }
    for client in ["10.0.0.1", "2001:db8::1", "127.0.0.2"] {
        let app = app(settings.clone(), Some(client)).await;
        for uri in PAGES
            .iter()
            .chain(&["/healthz", "/static/style.css", "/nope"])
        {
            assert_eq!(
                status(&app, uri, &[]).await.0,
                StatusCode::FORBIDDEN,
                "{uri} {client}"
            );
        }
    }
    // A request without a peer address is trusted by nothing.
    let app = app(settings, None).await;
    assert_eq!(status(&app, "/", &[]).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn basic_auth_accepts_bcrypt_and_argon2_users_only_with_their_password() {
    let settings = AccessSettings {
        htpasswd: Some(fixture().htpasswd.clone()),
        ..Default::default()
    };
    let app = app(settings, Some("192.168.1.2")).await;
    for uri in PAGES {
        let (s, challenge) = status(&app, uri, &[]).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{uri}");
        assert!(challenge.starts_with("Basic realm="), "{uri}: {challenge}");
        for (user, password) in [
            ("alice", "open sesame"),
            ("bob", "correct horse"),
            ("alice", "open sesame"), // remembered the second time
        ] {
            let (s, _) = status(&app, uri, &[("authorization", &basic(user, password))]).await;
            assert_eq!(s, StatusCode::OK, "{uri} as {user}");
        }
    }
    for (user, password) in [
        ("alice", "correct horse"),
        ("bob", "open sesame"),
        ("mallory", "open sesame"),
        ("alice", ""),
        ("", ""),
    ] {
        let (s, _) = status(&app, "/", &[("authorization", &basic(user, password))]).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{user}:{password}");
    }
    for bogus in [
        "Bearer abc",
        "Basic",
        "Basic !!!!",
        "Basic YWxpY2U=",
        "basic",
    ] {
        let (s, _) = status(&app, "/", &[("authorization", bogus)]).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{bogus}");
    }
    // Monitoring needs no password.
    assert_eq!(status(&app, "/healthz", &[]).await.0, StatusCode::OK);
}

#[tokio::test]
async fn forward_auth_is_accepted_only_from_trusted_proxies() {
    let settings = AccessSettings {
        auth_header: Some("Remote-User".into()),
        trusted_proxies: nets(&["10.0.0.0/24"]),
        ..Default::default()
    };
    let proxied = app(settings.clone(), Some("10.0.0.5")).await;
    for uri in PAGES {
        let (s, _) = status(&proxied, uri, &[("remote-user", "alice")]).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        // The proxy let through a request it did not authenticate: refused.
        let (s, _) = status(&proxied, uri, &[]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{uri} without the header");
    }
    let (s, _) = status(&proxied, "/", &[("remote-user", "  ")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The same header forged by a client that reaches the portal directly.
    for client in ["192.168.1.66", "10.0.1.5", "127.0.0.1"] {
        let direct = app(settings.clone(), Some(client)).await;
        for uri in PAGES {
            let (s, _) = status(&direct, uri, &[("remote-user", "alice")]).await;
            assert_eq!(
                s,
                StatusCode::FORBIDDEN,
                "forged header from {client} on {uri}"
            );
            let (s, _) = status(
                &direct,
                uri,
                &[("remote-user", "alice"), ("x-forwarded-for", "10.0.0.5")],
            )
            .await;
            assert_eq!(
                s,
                StatusCode::FORBIDDEN,
                "forged header and X-Forwarded-For"
            );
        }
    }
    let unknown = app(settings, None).await;
    let (s, _) = status(&unknown, "/", &[("remote-user", "alice")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn forward_auth_and_basic_auth_together() {
    let settings = AccessSettings {
        htpasswd: Some(fixture().htpasswd.clone()),
        auth_header: Some("X-Forwarded-User".into()),
        trusted_proxies: nets(&["10.0.0.5"]),
        ..Default::default()
    };
    let proxied = app(settings.clone(), Some("10.0.0.5")).await;
    let (s, _) = status(&proxied, "/", &[("x-forwarded-user", "carol")]).await;
    assert_eq!(s, StatusCode::OK);
    let direct = app(settings, Some("192.168.1.66")).await;
    // A forged header is ignored: the client must sign in itself.
    let (s, challenge) = status(&direct, "/", &[("x-forwarded-user", "carol")]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(challenge.starts_with("Basic"));
    let (s, _) = status(
        &direct,
        "/",
        &[
            ("x-forwarded-user", "carol"),
            ("authorization", &basic("alice", "open sesame")),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn rate_limits_apply_per_client_to_pages_and_downloads() {
    let settings = AccessSettings {
        rate_limit: Some(4),
        trusted_proxies: nets(&["10.0.0.5"]),
        ..Default::default()
    };
    let app = app(settings.clone(), Some("192.168.1.2")).await;
    for uri in [
        "/search?q=a",
        "/download/libgen/7",
        "/libgen/7",
        "/search?q=b",
    ] {
        assert_eq!(status(&app, uri, &[]).await.0, StatusCode::OK, "{uri}");
    }
    for uri in ["/search?q=c", "/download/libgen/7", "/"] {
        let (s, retry) = status(&app, uri, &[]).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{uri}");
        let retry: u64 = retry.parse().expect("Retry-After in seconds");
        assert!((1..=60).contains(&retry), "{retry}");
    }
    // Assets and health checks are not counted.
    assert_eq!(status(&app, "/healthz", &[]).await.0, StatusCode::OK);
    assert_eq!(
        status(&app, "/static/style.css", &[]).await.0,
        StatusCode::OK
    );
    // Behind the trusted proxy, each forwarded client has its own allowance.
    let proxied = app_with_same_policy(settings).await;
    for client in ["192.168.7.1", "192.168.7.2"] {
        for _ in 0..4 {
            let (s, _) = status(&proxied, "/search?q=a", &[("x-forwarded-for", client)]).await;
            assert_eq!(s, StatusCode::OK, "{client}");
        }
        let (s, _) = status(&proxied, "/search?q=a", &[("x-forwarded-for", client)]).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{client}");
    }
}

async fn app_with_same_policy(settings: AccessSettings) -> Router {
    app(settings, Some("10.0.0.5")).await
}

#[test]
fn invalid_settings_stop_the_server_with_a_reason() {
    let f = fixture();
    let bad = f.dir.join("htpasswd-md5");
    std::fs::write(&bad, "dave:$apr1$x$y\n").unwrap();
    for (args, expected) in [
        (
            vec!["--htpasswd".to_string(), bad.display().to_string()],
            "bcrypt",
        ),
        (
            vec!["--auth-header".into(), "Remote-User".into()],
            "--trusted-proxies",
        ),
        (vec!["--allow".into(), "lan".into()], "network"),
        (vec!["--rate-limit".into(), "0".into()], "at least 1"),
    ] {
        let out = common::lanshelf(&f.dir)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

fn start_server(dir: &Path, args: &[&str]) -> Server {
    Server::start(dir, args, &[])
}

fn start_server_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
    Server::start(dir, args, env)
}

/// A read that ended because the other side closed: cleanly, or by a reset.
trait ClosedRead {
    fn is_ok_or_reset(&self) -> bool;
}

impl ClosedRead for std::io::Result<usize> {
    fn is_ok_or_reset(&self) -> bool {
        match self {
            Ok(_) => true,
            Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    }
}

/// The status line's code of a raw HTTP/1.1 request to the server.
fn http_status(port: u16, path: &str, headers: &[(&str, &str)]) -> u16 {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let head = String::from_utf8_lossy(&out[..out.len().min(40)]).into_owned();
    head.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"))
}

#[test]
fn lanshelf_serve_enforces_the_rules_on_real_connections() {
    let f = fixture();
    let htpasswd = f.htpasswd.display().to_string();
    let server = start_server(
        &f.dir,
        &[
            "--htpasswd",
            &htpasswd,
            "--repository",
            &f.dir.join("repository").display().to_string(),
        ],
    );
    let auth = basic("alice", "open sesame");
    assert_eq!(http_status(server.port, "/download/libgen/7", &[]), 401);
    assert_eq!(
        http_status(
            server.port,
            "/download/libgen/7",
            &[("Authorization", &auth)]
        ),
        200
    );
    assert_eq!(http_status(server.port, "/healthz", &[]), 200);
    drop(server);
    // The peer address of a real connection (127.0.0.1) is what the allow-list sees: outside
    // it, the connection is closed as soon as it is accepted, before a byte is read (a peer that
    // is refused cannot hold a connection slot with half-sent requests).
    let server = start_server(&f.dir, &["--allow", "192.168.0.0/16"]);
    {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n");
        let mut out = Vec::new();
        let read = s.read_to_end(&mut out);
        assert!(
            out.is_empty() && read.is_ok_or_reset(),
            "closed without an answer: {read:?} {out:?}"
        );
    }
    drop(server);
    // Forward auth from loopback as the trusted proxy, configured through the environment.
    let server = start_server_with(
        &f.dir,
        &[],
        &[
            ("LANSHELF_AUTH_HEADER", "Remote-User"),
            ("LANSHELF_TRUSTED_PROXIES", "10.9.0.0/16,127.0.0.1"),
            ("LANSHELF_RATE_LIMIT", "3"),
        ],
    );
    assert_eq!(
        http_status(server.port, "/", &[("Remote-User", "erin")]),
        200
    );
    assert_eq!(http_status(server.port, "/", &[]), 403);
    assert_eq!(
        http_status(server.port, "/", &[("Remote-User", "erin")]),
        200
    );
    assert_eq!(
        http_status(server.port, "/", &[("Remote-User", "erin")]),
        429
    );
}

#[test]
fn serve_refuses_to_run_as_root_unless_told() {
    if !lanshelf::web::privilege::is_root() {
        eprintln!("not running as root: nothing to refuse");
        return;
    }
    let f = fixture();
    let out = common::lanshelf(&f.dir)
        .env_remove("LANSHELF_ALLOW_ROOT")
        .args(["serve", "--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("running as root") && stderr.contains("--allow-root"),
        "{stderr}"
    );
    // Told to, it serves.
    let server = start_server(&f.dir, &["--allow-root"]);
    assert_eq!(http_status(server.port, "/healthz", &[]), 200);
}

/// Every file under `dir` with its size and modification time.
fn tree(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            }
            out.push((e.path(), m.len(), m.modified().unwrap()));
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn the_server_writes_nothing() {
    let f = fixture();
    let catalog = f.dir.join("catalog.sqlite");
    let catalog_bytes = std::fs::read(&catalog).unwrap();
    let before = (
        tree(&f.dir.join("repository")),
        tree(&f.dir.join("torrents")),
    );
    let state = AppState::open(&config(f)).await.unwrap();
    // The catalog connections are read-only.
    for sql in [
        "CREATE TABLE intruder (x)",
        "DELETE FROM libgen",
        "UPDATE libgen SET title = 'x'",
    ] {
        let err = sqlx::query(sql).execute(&state.pool).await.unwrap_err();
        assert!(err.to_string().contains("readonly"), "{sql}: {err}");
    }
    let app = web::app(state);
    for uri in PAGES
        .iter()
        .chain(&["/torrents/r_000.torrent", "/download/libgen/1", "/md5/x"])
    {
        let _ = status(&app, uri, &[]).await;
    }
    assert_eq!(
        before,
        (
            tree(&f.dir.join("repository")),
            tree(&f.dir.join("torrents"))
        ),
        "the repository or torrent folder changed"
    );
    assert!(
        std::fs::read(&catalog).unwrap() == catalog_bytes,
        "the catalog file changed"
    );
}
