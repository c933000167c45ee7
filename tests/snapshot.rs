//! The libgen.li snapshot as a librarian imports it: a generated `libgen_new` snapshot (MyISAM
//! files written in the 2026 layout) imported from its folder and from a multi-volume RAR of it
//! by the real binary into a real catalog; the two catalogs equal, every collection filled; a cut
//! volume or a table whose `.MYI` count disagrees fails with the table named and changes nothing;
//! a file in both the classic dump and the snapshot is one record; a newer snapshot updates in
//! place and marks what it no longer holds.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use lanshelf::synth::{write_snapshot, SnapshotOptions};
use lanshelf::Collection;

type Rows = Vec<Vec<String>>;

/// Every row of every collection's table, all columns but the bookkeeping `import_id`.
fn catalog(db: &Path) -> BTreeMap<String, Rows> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = BTreeMap::new();
    for c in Collection::ALL {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {} ORDER BY id", c.slug()))
            .unwrap();
        let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
        let rows = stmt
            .query_map([], |r| {
                Ok((0..names.len())
                    .filter(|i| names[*i] != "import_id")
                    .map(|i| match r.get_ref(i).unwrap() {
                        rusqlite::types::ValueRef::Null => "NULL".to_string(),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(f) => f.to_string(),
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                    })
                    .collect())
            })
            .unwrap()
            .collect::<Result<Rows, _>>()
            .unwrap();
        out.insert(c.slug().to_string(), rows);
    }
    out
}

/// A snapshot of `files` files in `dir/libgen_new`.
fn snapshot(dir: &Path, files: u64) -> PathBuf {
    let folder = dir.join("libgen_new");
    let mut opts = SnapshotOptions::new(files);
    opts.threads = 1;
    write_snapshot(&folder, &opts).unwrap();
    folder
}

/// The folder's files packed as a published snapshot is: `libgen_new.part001.rar` … (stored,
/// members `libgen_new/<file>` in byte order of their names, cut across volumes).
fn pack(folder: &Path, out: &Path, volumes: usize) -> Vec<PathBuf> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let data: Vec<(String, Vec<u8>)> = names
        .iter()
        .map(|n| {
            (
                format!("libgen_new/{n}"),
                std::fs::read(folder.join(n)).unwrap(),
            )
        })
        .collect();
    let members: Vec<(&str, &[u8])> = data
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let written = rar5::write_volumes(out, "libgen_new", &members, volumes);
    written
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let named = out.join(format!("libgen_new.part{:03}.rar", i + 1));
            std::fs::rename(p, &named).unwrap();
            named
        })
        .collect()
}

#[test]
fn a_snapshot_imports_the_same_from_its_folder_and_its_volumes() {
    let work = tempfile::tempdir().unwrap();
    let folder = snapshot(work.path(), 3000);

    let a = work.path().join("from-folder");
    std::fs::create_dir(&a).unwrap();
    let out = import_ok(&a, &[&folder]);
    assert!(out.contains("libgen.li snapshot (folder)"), "{out}");
    let want = catalog(&a.join("catalog.sqlite"));
    for (table, rows) in &want {
        assert!(!rows.is_empty(), "{table} has records");
    }
    let total: usize = want.values().map(Vec::len).sum();
    assert_eq!(total, 3000, "every file a record");

    let rars = work.path().join("rars");
    std::fs::create_dir(&rars).unwrap();
    let volumes = pack(&folder, &rars, 6);
    // `check` reads every table, from the volumes as from the folder.
    for given in [&volumes[0], &folder] {
        let out = lanshelf(work.path())
            .arg("check")
            .arg(given)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("complete libgen.li snapshot") && text.contains("editions_to_files"),
            "{text}"
        );
    }
    let b = work.path().join("from-rar");
    std::fs::create_dir(&b).unwrap();
    let out = import_ok(&b, &[&volumes[0]]);
    assert!(out.contains("libgen.li snapshot (RAR)"), "{out}");
    assert!(out.contains("libgen_new.part001.rar"), "{out}");
    assert_eq!(
        catalog(&b.join("catalog.sqlite")),
        want,
        "RAR and folder agree"
    );
    // No staging file is left beside the catalog.
    let left: Vec<String> = std::fs::read_dir(&b)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("stage"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // Importing it again changes nothing.
    let out = import_ok(&b, &[&volumes[2]]);
    assert_eq!(catalog(&b.join("catalog.sqlite")), want);
    assert!(
        !out.contains("  libgen ") || out.contains(" 0          0 "),
        "{out}"
    );
}

#[test]
fn a_cut_volume_or_a_wrong_row_count_fails_and_changes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let folder = snapshot(work.path(), 1000);
    let dir = work.path().join("catalog");
    std::fs::create_dir(&dir).unwrap();
    import_ok(&dir, &[&dump("fiction.sql")]);
    let db = dir.join("catalog.sqlite");
    let before = catalog(&db);

    let rars = work.path().join("rars");
    std::fs::create_dir(&rars).unwrap();
    let volumes = pack(&folder, &rars, 4);
    let bytes = std::fs::read(&volumes[2]).unwrap();
    std::fs::write(&volumes[2], &bytes[..bytes.len() / 2]).unwrap();
    let out = import(&dir, &[&volumes[0]]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("libgen_new.part003.rar") && stderr.contains("cut short"),
        "{stderr}"
    );
    assert_eq!(catalog(&db), before);

    // What a killed import left behind is swept by the next one.
    std::fs::create_dir_all(dir.join(".lanshelf-stage-killed")).unwrap();
    std::fs::write(dir.join(".lanshelf-stage-killed/stage.sqlite"), b"left").unwrap();
    // The `.MYI` of `files` counts more rows than its `.MYD` holds.
    let myi = folder.join("files.MYI");
    let header = std::fs::read(&myi).unwrap();
    let myd = std::fs::metadata(folder.join("files.MYD")).unwrap().len();
    std::fs::write(
        &myi,
        lanshelf::myisam::myi_with_counts(&header, 1001, myd).unwrap(),
    )
    .unwrap();
    let out = import(&dir, &[&folder]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("files") && stderr.contains("1001"),
        "{stderr}"
    );
    assert_eq!(catalog(&db), before);
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("stage"))
        .collect();
    assert!(left.is_empty(), "no staging left after a failure: {left:?}");
}

#[test]
fn a_newer_snapshot_updates_in_place_and_marks_what_it_no_longer_holds() {
    let work = tempfile::tempdir().unwrap();
    let bigger = snapshot(&work.path().join("a"), 2000);
    let smaller = snapshot(&work.path().join("b"), 1500);
    let dir = work.path().join("catalog");
    std::fs::create_dir(&dir).unwrap();
    import_ok(&dir, &[&bigger]);
    let db = dir.join("catalog.sqlite");
    let out = import_ok(&dir, &[&smaller]);
    assert!(
        out.contains("no longer"),
        "the report says what was removed: {out}"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut removed = 0;
    let mut kept = 0;
    for c in Collection::ALL {
        let (r, k): (i64, i64) = conn
            .query_row(
                &format!(
                    "SELECT count(li_removed), count(*) - count(li_removed) FROM {}",
                    c.slug()
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        removed += r;
        kept += k;
    }
    assert_eq!(
        removed, 500,
        "the files the newer snapshot lacks are marked, not deleted"
    );
    assert_eq!(kept, 1500);
    // Back again: the mark goes.
    import_ok(&dir, &[&bigger]);
    let again: i64 = Collection::ALL
        .iter()
        .map(|c| {
            conn.query_row(
                &format!("SELECT count(li_removed) FROM {}", c.slug()),
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
        })
        .sum();
    assert_eq!(again, 0);
}

#[tokio::test]
async fn a_file_in_the_classic_dump_and_the_snapshot_is_one_record_with_the_newer_fields() {
    let work = tempfile::tempdir().unwrap();
    let folder = snapshot(work.path(), 1000);
    // Which sci-tech file the snapshot holds, under which classic id.
    let probe = work.path().join("probe");
    std::fs::create_dir(&probe).unwrap();
    import_ok(&probe, &[&folder]);
    let conn = rusqlite::Connection::open(probe.join("catalog.sqlite")).unwrap();
    let (id, md5, title): (i64, String, String) = conn
        .query_row(
            "SELECT id, md5, title FROM libgen WHERE title <> '' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let ids = |conn: &rusqlite::Connection| -> std::collections::BTreeSet<i64> {
        conn.prepare("SELECT id FROM libgen")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let mut expected = ids(&conn);
    // The classic dump holds the same file (same id, same MD5) under an older title.
    let classic = std::fs::read_to_string(dump("libgen.sql"))
        .unwrap()
        .replace(
            "(7,'Introduction to Algorithms'",
            &format!("({id},'Introduction to Algorithms'"),
        )
        .replace("c668b424cee13e5994c85c7ee8f18827", &md5);
    let classic_path = work.path().join("libgen.sql");
    std::fs::write(&classic_path, classic).unwrap();

    let dir = work.path().join("catalog");
    std::fs::create_dir(&dir).unwrap();
    import_ok(&dir, &[&classic_path]);
    let db = dir.join("catalog.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    expected.extend(ids(&conn));
    import_ok(&dir, &[&folder]);
    let rows: Vec<(String, String, Option<i64>, String)> = conn
        .prepare("SELECT title, md5, li_f_id, coalesce(tags, '') FROM libgen WHERE md5 = ?1")
        .unwrap()
        .query_map([&md5], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 1, "one record for the file: {rows:?}");
    assert_eq!(rows[0].0, title, "the snapshot's newer title");
    assert!(rows[0].2.is_some(), "it says it came from the snapshot");
    assert!(
        !rows[0].3.is_empty(),
        "what only the classic dump has (its tags) stays"
    );
    let total: i64 = conn
        .query_row("SELECT count(*) FROM libgen", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        total as usize,
        expected.len(),
        "the classic records and the snapshot's, each id once"
    );

    // The classic id still resolves, and a search finds the file once.
    let config = lanshelf::web::Config::new(&db, &dir.join("index"), None, None);
    let app = lanshelf::web::app(lanshelf::web::AppState::open(&config).await.unwrap());
    let page = get_with(&app, &format!("/libgen/{id}"), &[]).await;
    assert_eq!(page.status, axum::http::StatusCode::OK);
    assert!(page.text().contains("From the libgen.li snapshot"));
    let hits = get_with(&app, &format!("/api/search?q=md5:{md5}"), &[])
        .await
        .json();
    assert_eq!(hits["total"], 1, "{hits}");
    assert_eq!(hits["hits"][0]["id"], id);
}
