//! The container's entry point outside a container: the real binary's `lanshelf start` on
//! temporary folders and a real loopback port, as docker runs it (`/data`, `/dumps`). A fresh
//! volume serves a home page that says where the dumps go; dumps dropped into the folder are
//! imported while the portal serves, and the portal then finds them; `lanshelf healthcheck`
//! answers; a second start skips what was imported and re-imports a file that changed. Run as
//! root (as CI is), the start also switches to `PUID`/`PGID` and hands the catalog to them.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// The ids a root start switches to in this test.
const PUID: u32 = 4242;

fn is_root() -> bool {
    nix::unistd::Uid::current().is_root()
}

/// `lanshelf` with the container's layout under `dir`: `data/` and `dumps/`.
fn lanshelf(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lanshelf"));
    cmd.env("LANSHELF_DB", dir.join("data/catalog.sqlite"))
        .env("LANSHELF_INDEX", dir.join("data/index"))
        .env("LANSHELF_DUMPS", dir.join("dumps"))
        .env("RUST_LOG", "info,tantivy=warn,sqlx=warn")
        .env_remove("LANSHELF_CONFIG");
    if is_root() {
        cmd.env("PUID", PUID.to_string())
            .env("PGID", PUID.to_string());
    }
    cmd
}

/// Puts a fixture dump into the dumps folder as a download would end: written under another
/// name, dated an hour back (the watcher waits for files still being written), renamed.
fn drop_dump(dir: &Path, name: &str, extra: &str) -> PathBuf {
    let mut text = std::fs::read(common::dump(name)).unwrap();
    text.extend_from_slice(extra.as_bytes());
    let partial = dir.join("dumps").join(format!(".{name}.part"));
    std::fs::write(&partial, text).unwrap();
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&partial)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    let path = dir.join("dumps").join(name);
    std::fs::rename(&partial, &path).unwrap();
    path
}

/// `GET path` on loopback: status and body.
fn http_get(port: u16, path: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn healthcheck(dir: &Path, port: u16) -> Output {
    lanshelf(dir)
        .args(["healthcheck", "--addr", &format!("0.0.0.0:{port}")])
        .output()
        .unwrap()
}

/// Waits until `done` holds, failing with `what` after a generous deadline.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn stop(mut child: Child) {
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("lanshelf start did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status after SIGTERM: {status}");
}

fn start_no_serve(dir: &Path) -> String {
    let out = lanshelf(dir)
        .args(["start", "--no-serve"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "start --no-serve failed: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn start_imports_the_dumps_folder_while_serving_and_skips_what_it_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("dumps")).unwrap();
    if is_root() {
        // The switched user reads the dumps like a container's user reads its volume.
        use std::os::unix::fs::PermissionsExt;
        for d in [dir, &dir.join("dumps")] {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = dir.join("start.log");
    let child = lanshelf(dir)
        .args([
            "start",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--scan-secs",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();

    // A fresh volume: an empty catalog and index are made, the portal is healthy and says
    // where the dumps go.
    wait_for("a healthy portal", || {
        healthcheck(dir, port).status.success()
    });
    let (status, home) = http_get(port, "/");
    assert_eq!(status, 200);
    assert!(
        home.contains("The catalog is empty"),
        "home page: no empty-catalog text"
    );
    assert!(
        home.contains(&dir.join("dumps").display().to_string()),
        "home page names the dumps folder"
    );
    let data = dir.join("data/catalog.sqlite");
    assert!(data.exists());

    // Dumps arrive while it serves: imported one by one, then found by a search.
    drop_dump(dir, "fiction.sql", "");
    drop_dump(dir, "libgen.sql", "");
    wait_for("both dumps imported and indexed", || {
        let out = healthcheck(dir, port);
        let Ok(report) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
            return false;
        };
        report["catalog"]["records"]["fiction"].as_i64() > Some(0)
            && report["catalog"]["records"]["libgen"].as_i64() > Some(0)
            && report["index"]["documents"].as_u64() > Some(10)
    });
    let (status, results) = http_get(port, "/search?q=moby+dick");
    assert_eq!(status, 200);
    assert!(
        results.contains("href=\"/fiction/"),
        "a fiction record found"
    );
    let (_, results) = http_get(port, "/search?q=algorithms");
    assert!(
        results.contains("href=\"/libgen/"),
        "a sci-tech record found"
    );
    let (_, home) = http_get(port, "/");
    assert!(!home.contains("The catalog is empty"));
    stop(child);
    let log = std::fs::read_to_string(&log).unwrap();
    for name in ["fiction.sql", "libgen.sql"] {
        assert!(
            log.lines()
                .any(|l| l.contains("importing a new or changed dump") && l.contains(name)),
            "the log tells of importing {name}"
        );
    }
    if is_root() {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(&data).unwrap();
        assert_eq!(
            (meta.uid(), meta.gid()),
            (PUID, PUID),
            "catalog handed to PUID/PGID"
        );
        assert!(log.contains("switched from root"));
    }

    // A second start finds nothing new.
    let out = start_no_serve(dir);
    assert!(out.contains("0 imported, 2 unchanged, 0 failed"), "{out}");

    // A dump that changed (size, time) is imported again; the other is not.
    drop_dump(dir, "fiction.sql", "\n-- a newer dump\n");
    let out = start_no_serve(dir);
    assert!(out.contains("1 imported, 1 unchanged, 0 failed"), "{out}");
    let conn = rusqlite::Connection::open(&data).unwrap();
    let imports: Vec<String> = conn
        .prepare("SELECT file FROM imports ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let names: Vec<&str> = imports
        .iter()
        .map(|f| f.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(names, ["fiction.sql", "libgen.sql", "fiction.sql"]);
}

#[test]
fn healthcheck_fails_when_nothing_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = healthcheck(tmp.path(), port);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach the portal"));
}

#[test]
fn a_configuration_file_fills_in_what_flags_and_environment_leave() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("lanshelf.toml");
    std::fs::write(
        &file,
        "addr = \"0.0.0.0:9999\"\nscan_secs = 60\nimport_cache_mib = 32\n",
    )
    .unwrap();
    let out = lanshelf(tmp.path())
        .env("LANSHELF_CONFIG", &file)
        .env("LANSHELF_SCAN_SECS", "5")
        .args(["config"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let row = |key: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    assert_eq!(row("addr")[2..4], ["0.0.0.0:9999", "config"]);
    assert_eq!(row("scan_secs")[2..4], ["5", "environment"]);
    assert_eq!(row("import_cache_mib")[2..4], ["32", "config"]);
    assert_eq!(row("index_memory_mib")[2..4], ["256", "default"]);

    std::fs::write(&file, "adress = \"0.0.0.0:9999\"\n").unwrap();
    let out = lanshelf(tmp.path())
        .env("LANSHELF_CONFIG", &file)
        .args(["config"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown setting `adress`"));
}

/// Moves a file into the dumps folder as a finished download: dated an hour back, renamed in.
fn arrive(dir: &Path, file: &Path) {
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(file)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    std::fs::rename(file, dir.join("dumps").join(file.file_name().unwrap())).unwrap();
}

#[test]
fn a_multi_volume_archive_arriving_a_volume_at_a_time_is_imported_once_after_the_last() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("dumps")).unwrap();
    let staging = dir.join("downloads");
    std::fs::create_dir(&staging).unwrap();
    if is_root() {
        use std::os::unix::fs::PermissionsExt;
        for d in [dir, &dir.join("dumps")] {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    let fiction = std::fs::read(common::dump("fiction.sql")).unwrap();
    let scimag = std::fs::read(common::dump("scimag.sql")).unwrap();
    let volumes = common::rar5::write_volumes(
        &staging,
        "dumps",
        &[("fiction.sql", &fiction), ("scimag.sql", &scimag)],
        3,
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = dir.join("start.log");
    let child = lanshelf(dir)
        .args([
            "start",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--scan-secs",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    wait_for("a healthy portal", || {
        healthcheck(dir, port).status.success()
    });
    let records = || {
        let out = healthcheck(dir, port);
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .ok()
            .and_then(|r| {
                Some(
                    r["catalog"]["records"]["fiction"].as_i64()?
                        + r["catalog"]["records"]["scimag"].as_i64()?,
                )
            })
            .unwrap_or(-1)
    };

    // The first two volumes: the home page says what is awaited, nothing is imported.
    arrive(dir, &volumes[0]);
    wait_for("waiting for part2 shown", || {
        http_get(port, "/")
            .1
            .contains("Waiting for <code>dumps.part2.rar</code>")
    });
    arrive(dir, &volumes[1]);
    wait_for("waiting for part3 shown", || {
        http_get(port, "/")
            .1
            .contains("Waiting for <code>dumps.part3.rar</code>")
    });
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(records(), 0, "nothing imported before the last volume");

    // The last one: imported, once.
    arrive(dir, &volumes[2]);
    wait_for("the set imported", || records() > 0);
    let (_, home) = http_get(port, "/");
    assert!(!home.contains("Waiting for"), "nothing awaited any more");
    std::thread::sleep(Duration::from_secs(3));
    stop(child);
    let log = std::fs::read_to_string(&log).unwrap();
    let imports = log
        .lines()
        .filter(|l| l.contains("importing a new or changed dump"))
        .collect::<Vec<_>>();
    assert_eq!(imports.len(), 1, "imported once: {imports:?}");
    assert!(imports[0].contains("dumps.part1.rar"), "{}", imports[0]);
    assert!(
        log.contains("waiting for the next volume"),
        "the log says it waits"
    );
    let out = start_no_serve(dir);
    assert!(out.contains("0 imported, 1 unchanged, 0 failed"), "{out}");
}

#[test]
fn an_index_left_behind_by_a_stop_is_reported_and_caught_up_at_the_next_start() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("dumps")).unwrap();
    if is_root() {
        use std::os::unix::fs::PermissionsExt;
        for d in [dir, &dir.join("dumps")] {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    let import = |args: &[&str], file: &str| {
        let out = lanshelf(dir)
            .arg("import")
            .args(args)
            .arg(common::dump(file))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::create_dir_all(dir.join("data")).unwrap();
    import(&[], "fiction.sql");
    // As a stop between an import's commit and its index update leaves it.
    import(&["--no-index"], "libgen.sql");

    let port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    // `serve` does not update the index: it says the index is behind, and is not healthy.
    let p = port();
    let child = lanshelf(dir)
        .args(["serve", "--addr", &format!("127.0.0.1:{p}")])
        .env("LANSHELF_ALLOW_ROOT", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("serve answers", || {
        std::net::TcpStream::connect(("127.0.0.1", p)).is_ok()
    });
    let (status, body) = http_get(p, "/healthz");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"status\":\"behind\""), "{body}");
    let (_, home) = http_get(p, "/");
    assert!(
        home.contains("id=\"index-behind\""),
        "the home page says so"
    );
    stop(child);

    // The next start brings the index up to date before serving.
    let p = port();
    let log = dir.join("start.log");
    let child = lanshelf(dir)
        .args(["start", "--addr", &format!("127.0.0.1:{p}")])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    wait_for("a healthy portal", || healthcheck(dir, p).status.success());
    let (status, body) = http_get(p, "/healthz");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"imports_behind\":0"), "{body}");
    let (_, results) = http_get(p, "/search?q=algorithms");
    assert!(
        results.contains("href=\"/libgen/"),
        "the sci-tech records are found"
    );
    stop(child);
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("behind the catalog"),
        "the log says why it indexes"
    );
}

#[test]
fn a_data_folder_the_user_cannot_write_is_named_with_its_owner() {
    // As compose's `user: "1026:100"` runs it, with a data folder that user does not own.
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::create_dir_all(dir.join("dumps")).unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = lanshelf(dir);
    cmd.env_remove("PUID").env_remove("PGID");
    if is_root() {
        // Root writes anywhere: run as another user, as `user:` does.
        cmd.uid(PUID).gid(PUID);
    } else {
        std::fs::set_permissions(dir.join("data"), std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let out = cmd.args(["start", "--no-serve"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    std::fs::set_permissions(dir.join("data"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(!out.status.success());
    assert!(
        stderr.contains("is not writable by this process"),
        "{stderr}"
    );
    assert!(stderr.contains("the folder belongs to"), "{stderr}");
    assert!(stderr.contains("PUID/PGID"), "{stderr}");
}
