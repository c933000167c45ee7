//! The collections of the libgen.li snapshot in the portal, as a reader meets them: a generated
//! snapshot imported and indexed by the real binary, then the real router (oneshot) over the real
//! catalog and index: search tabs, record pages with their edition's other files and their
//! work's other editions, the JSON API, OPDS and feeds; a magazine's file found by name in a
//! `.torrent` file at hand (magnet and download), a comic's said to be in no torrent here.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::Router;
use bendy::encoding::Encoder;
use lanshelf::synth::{write_snapshot, SnapshotOptions};
use lanshelf::web::{self, AppState, Config};

struct Fixture {
    dir: PathBuf,
    /// A magazine whose file the torrent lists, and the file's bytes.
    magazine: (i64, String, Vec<u8>),
    /// A comic no torrent lists.
    comic: i64,
}

fn one(db: &Path, sql: &str) -> (i64, String, String) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
}

/// A multi-file `.torrent` named `magazines_0`, listing `<md5>.<ext>`.
fn torrent(file: &str, length: u64) -> Vec<u8> {
    let mut info = Encoder::new();
    info.emit_dict(|mut d| {
        d.emit_pair_with(b"files", |e| {
            e.emit_list(|l| {
                for (name, len) in [("readme.txt", 10u64), (file, length)] {
                    l.emit_dict(|mut f| {
                        f.emit_pair(b"length", len)?;
                        f.emit_pair_with(b"path", |p| {
                            p.emit_list(|parts| {
                                parts.emit_str("0")?;
                                parts.emit_str(name)
                            })
                        })
                    })?;
                }
                Ok(())
            })
        })?;
        d.emit_pair(b"name", "magazines_0")?;
        d.emit_pair(b"piece length", 262_144u64)?;
        d.emit_pair_with(b"pieces", |e| e.emit_bytes(&[7u8; 20]))
    })
    .unwrap();
    let info = info.get_output().unwrap();
    let mut out = b"d4:info".to_vec();
    out.extend(info);
    out.push(b'e');
    out
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("lanshelf-snapshot-web-")
            .tempdir()
            .unwrap()
            .keep();
        let mut opts = SnapshotOptions::new(1500);
        opts.threads = 1;
        write_snapshot(&dir.join("libgen_new"), &opts).unwrap();
        common::import_ok(&dir, &[&dir.join("libgen_new")]);
        let db = dir.join("catalog.sqlite");
        let (id, md5, ext) = one(
            &db,
            "SELECT id, md5, extension FROM magazines WHERE extension <> '' ORDER BY id LIMIT 1",
        );
        let file = format!("{md5}.{ext}");
        let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::create_dir_all(dir.join("torrents")).unwrap();
        std::fs::write(
            dir.join("torrents/magazines_0.torrent"),
            torrent(&file, bytes.len() as u64),
        )
        .unwrap();
        let folder = dir.join("repository/magazines/magazines_0/0");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(&file), &bytes).unwrap();
        let (comic, _, _) = one(&db, "SELECT id, md5, '' FROM comics ORDER BY id LIMIT 1");
        Fixture {
            dir,
            magazine: (id, file, bytes),
            comic,
        }
    })
}

async fn app() -> Router {
    let f = fixture();
    let config = Config::new(
        &f.dir.join("catalog.sqlite"),
        &f.dir.join("index"),
        Some(&f.dir.join("repository")),
        Some(&f.dir.join("torrents")),
    );
    let state = AppState::open(&config).await.unwrap();
    state.refresh_coverage().await;
    web::app(state)
}

#[tokio::test]
async fn every_collection_has_a_tab_and_records_to_show() {
    let app = app().await;
    let page = common::get_with(&app, "/search?q=the", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for (slug, label) in [
        ("fiction_rus", "Russian fiction"),
        ("magazines", "Magazines"),
        ("comics", "Comics"),
        ("standards", "Standards"),
    ] {
        assert!(
            html.contains(&format!("collection={slug}\">{label}")),
            "{slug} tab"
        );
        let results =
            common::get_with(&app, &format!("/search?q=the&collection={slug}"), &[]).await;
        let text = results.text();
        assert!(
            text.contains(&format!("href=\"/{slug}/")),
            "{slug} results link their pages"
        );
        // Every collection in the API, OPDS and the feeds.
        let api =
            common::get_with(&app, &format!("/api/search?q=the&collection={slug}"), &[]).await;
        assert_eq!(api.status, StatusCode::OK, "{slug} API");
        assert!(api.json()["total"].as_u64() > Some(0), "{slug} API hits");
        let feed = common::get_with(&app, &format!("/feeds/{slug}.atom"), &[]).await;
        assert_eq!(feed.status, StatusCode::OK, "{slug} feed");
        roxmltree::Document::parse(&feed.text()).expect("the feed is XML");
        let opds = common::get_with(&app, &format!("/opds/recent/{slug}"), &[]).await;
        assert_eq!(opds.status, StatusCode::OK, "{slug} OPDS");
        assert!(opds.text().contains("<entry>"), "{slug} OPDS entries");
    }
}

#[tokio::test]
async fn record_pages_show_the_snapshot_model_and_find_files_by_name_in_torrents() {
    let f = fixture();
    let app = app().await;
    let (id, file, bytes) = &f.magazine;
    let page = common::get_with(&app, &format!("/magazines/{id}"), &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("From the libgen.li snapshot: file"),
        "provenance"
    );
    assert!(
        html.contains("magazines_0.torrent"),
        "the torrent that lists it"
    );
    assert!(html.contains(file.as_str()), "its path in the torrent");
    assert!(
        html.contains("&amp;so=1") || html.contains("&#38;so=1"),
        "a magnet for that file"
    );
    let download = common::get_with(&app, &format!("/download/magazines/{id}"), &[]).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(&download.body, bytes);
    // A comic no torrent here lists.
    let page = common::get_with(&app, &format!("/comics/{}", f.comic), &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Not in any torrent here"));
    // A record whose edition holds several files, or whose work several editions, lists them.
    let conn = rusqlite::Connection::open(f.dir.join("catalog.sqlite")).unwrap();
    let (slug, id): (String, i64) = conn
        .query_row(
            "SELECT 'scimag', s.id FROM scimag s JOIN scimag t ON t.li_w_id = s.li_w_id AND t.li_e_id <> s.li_e_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .or_else(|_| {
            conn.query_row(
                "SELECT 'libgen', s.id FROM libgen s JOIN libgen t ON t.li_w_id = s.li_w_id AND t.li_e_id <> s.li_e_id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .unwrap();
    let page = common::get_with(&app, &format!("/{slug}/{id}"), &[]).await;
    assert!(
        page.text().contains("id=\"work-editions\""),
        "/{slug}/{id} lists its work's other editions"
    );
    // The JSON record carries where it came from.
    let api = common::get_with(
        &app,
        &format!("/api/records/magazines/{id}", id = f.magazine.0),
        &[],
    )
    .await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(api.text().contains("li_f_id"), "{}", api.text());
}

#[tokio::test]
async fn a_works_versions_on_a_page_fold_into_one_result() {
    let f = fixture();
    let app = app().await;
    let conn = rusqlite::Connection::open(f.dir.join("catalog.sqlite")).unwrap();
    // A work with several records sharing one title.
    let (work, title): (i64, String) = conn
        .query_row(
            "SELECT li_w_id, title FROM (
               SELECT li_w_id, title FROM libgen UNION ALL SELECT li_w_id, title FROM fiction
               UNION ALL SELECT li_w_id, title FROM scimag)
             WHERE li_w_id IS NOT NULL AND title <> ''
             GROUP BY li_w_id, title HAVING count(*) > 1 ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("q", &format!("\"{title}\""))
        .finish();
    let page = common::get_with(&app, &format!("/search?{q}&per_page=100"), &[]).await;
    let html = page.text();
    assert!(
        html.contains("versions</a> of this work"),
        "the versions line for work {work}"
    );
    let api = common::get_with(&app, &format!("/api/search?{q}&per_page=100"), &[]).await;
    let hits = api.json()["hits"].as_array().unwrap().len();
    let rows = html.matches("<li class=\"hit").count();
    assert!(rows > 0);
    assert!(
        rows < hits,
        "{rows} rows for {hits} hits: the versions folded into one"
    );
}
