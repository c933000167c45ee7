//! The importer as a user runs it: the real binary, real dumps written by mysqldump, a real
//! SQLite catalog, compared field by field with what MariaDB itself stored.

mod common;

use std::io::Write;
use std::path::Path;

use common::*;
use lanshelf::import::{Kind, TABLES};

/// Applies the catalog's documented normalisations to a value MariaDB stored.
fn normalise(kind: Kind, value: Option<Vec<u8>>) -> Option<Vec<u8>> {
    let v = value?;
    match kind {
        Kind::Md5 => Some(v.to_ascii_lowercase()),
        Kind::Time | Kind::Time2000 if v.starts_with(b"0000-00-00") => None,
        Kind::Time2000 if v == b"2000-01-01 05:00:00" => None,
        _ => Some(v),
    }
}

/// Checks every field of every row of `expected/<name>.json` against the catalog in `dir`.
fn assert_matches_mariadb(db: &Path, name: &str) {
    let path = fixtures().join("expected").join(format!("{name}.json"));
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut checked = 0;
    for (dump_table, rows) in expected.as_object().unwrap() {
        let spec = TABLES
            .iter()
            .find(|t| t.dump == dump_table)
            .expect("known table");
        let key_col = spec.columns.iter().find(|c| c.column == spec.key).unwrap();
        let count: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {}", spec.table), [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(
            count as usize,
            rows.as_array().unwrap().len(),
            "{name}: rows of {}",
            spec.table
        );
        for row in rows.as_array().unwrap() {
            let row = row.as_object().unwrap();
            let key_hex = row[key_col.dump].as_str().unwrap();
            let key = normalise(key_col.kind, Some(unhex(key_hex))).unwrap();
            let key = String::from_utf8(key).unwrap();
            for col in spec.columns {
                let want = normalise(col.kind, row[col.dump].as_str().map(unhex));
                let sql = format!(
                    "SELECT {} FROM {} WHERE {} = ?1",
                    col.column, spec.table, spec.key
                );
                let got: Option<Vec<u8>> = conn
                    .query_row(&sql, [&key], |r| {
                        Ok(match r.get_ref(0)? {
                            rusqlite::types::ValueRef::Null => None,
                            rusqlite::types::ValueRef::Integer(n) => {
                                Some(n.to_string().into_bytes())
                            }
                            rusqlite::types::ValueRef::Text(t)
                            | rusqlite::types::ValueRef::Blob(t) => Some(t.to_vec()),
                            rusqlite::types::ValueRef::Real(f) => Some(f.to_string().into_bytes()),
                        })
                    })
                    .unwrap_or_else(|e| panic!("{name}: {} key {key}: {e}", spec.table));
                if got != want {
                    let (g, w) = (
                        got.clone().unwrap_or_default(),
                        want.clone().unwrap_or_default(),
                    );
                    let at = g
                        .iter()
                        .zip(&w)
                        .position(|(a, b)| a != b)
                        .unwrap_or(g.len().min(w.len()));
                    let show = |v: &[u8]| {
                        String::from_utf8_lossy(&v[at.saturating_sub(20)..(at + 40).min(v.len())])
                            .into_owned()
                    };
                    panic!(
                        "{name}: {}.{} of row {key}: null {}/{}, lengths {}/{}, first difference at byte {at}: got {:?}, want {:?}",
                        spec.table,
                        col.column,
                        got.is_none(),
                        want.is_none(),
                        g.len(),
                        w.len(),
                        show(&g),
                        show(&w)
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
}

#[test]
fn every_fixture_matches_what_mariadb_stored() {
    for name in [
        "libgen",
        "libgen-oneline",
        "fiction",
        "fiction-oneline",
        "scimag",
        "scimag-oneline",
        "edge",
        "edge-oneline",
        "edge-complete",
        "scimag-edge",
    ] {
        let dir = tempfile::tempdir().unwrap();
        import_ok(dir.path(), &[&dump(&format!("{name}.sql"))]);
        assert_matches_mariadb(&dir.path().join("catalog.sqlite"), name);
    }
}

fn compress(src: &Path, dst: &Path, format: &str) {
    let data = std::fs::read(src).unwrap();
    let file = std::fs::File::create(dst).unwrap();
    match format {
        "gz" => {
            let mut w = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            w.write_all(&data).unwrap();
            w.finish().unwrap();
        }
        "bz2" => {
            let mut w = bzip2::write::BzEncoder::new(file, bzip2::Compression::default());
            w.write_all(&data).unwrap();
            w.finish().unwrap();
        }
        "xz" => {
            let mut w = liblzma::write::XzEncoder::new(file, 6);
            w.write_all(&data).unwrap();
            w.finish().unwrap();
        }
        "zst" => {
            let mut w = zstd::Encoder::new(file, 3).unwrap();
            w.write_all(&data).unwrap();
            w.finish().unwrap();
        }
        "zip" => {
            let mut w = zip::ZipWriter::new(file);
            w.start_file("README.txt", zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(b"not the dump").unwrap();
            w.start_file("libgen.sql", zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(&data).unwrap();
            w.finish().unwrap();
        }
        "7z" => {
            let dir = tempfile::tempdir().unwrap();
            std::fs::copy(src, dir.path().join("libgen.sql")).unwrap();
            drop(file);
            sevenz_rust2::compress_to_path(dir.path(), dst).unwrap();
        }
        other => panic!("{other}"),
    }
}

#[test]
fn both_layouts_and_every_compression_give_identical_catalogs() {
    let work = tempfile::tempdir().unwrap();
    let reference = work.path().join("reference");
    std::fs::create_dir(&reference).unwrap();
    let plain = [dump("libgen.sql"), dump("fiction.sql"), dump("scimag.sql")];
    import_ok(&reference, &[&plain[0], &plain[1], &plain[2]]);
    let want = snapshot(&reference.join("catalog.sqlite"));
    assert_eq!(want["libgen"].len(), 9);

    let oneline = work.path().join("oneline");
    std::fs::create_dir(&oneline).unwrap();
    let files = [
        dump("libgen-oneline.sql"),
        dump("fiction-oneline.sql"),
        dump("scimag-oneline.sql"),
    ];
    import_ok(&oneline, &[&files[0], &files[1], &files[2]]);
    assert_eq!(
        snapshot(&oneline.join("catalog.sqlite")),
        want,
        "one-line layout"
    );

    for format in ["gz", "bz2", "xz", "zst", "zip", "7z"] {
        let dir = work.path().join(format);
        std::fs::create_dir(&dir).unwrap();
        let mut packed = Vec::new();
        for (i, src) in plain.iter().enumerate() {
            // Names that lie about the content: detection is by content.
            let dst = dir.join(format!("dump{i}.bin"));
            compress(src, &dst, format);
            packed.push(dst);
        }
        let refs: Vec<&Path> = packed.iter().map(|p| p.as_path()).collect();
        import_ok(&dir, &refs);
        assert_eq!(snapshot(&dir.join("catalog.sqlite")), want, "{format}");
    }
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("scimag.sql.gz");
    compress(&dump("scimag.sql"), &gz, "gz");
    let out = lanshelf(dir.path())
        .args(["import", "-"])
        .stdin(std::fs::File::open(&gz).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(counts(&dir.path().join("catalog.sqlite"))["scimag"], 4);
}

#[test]
fn a_truncated_or_foreign_file_fails_and_leaves_the_catalog_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("catalog.sqlite");
    import_ok(dir.path(), &[&dump("libgen.sql"), &dump("scimag.sql")]);
    let before = snapshot(&db);

    let fiction = std::fs::read(dump("fiction.sql")).unwrap();
    let cut = fiction
        .windows(8)
        .position(|w| w == b"Der Pro")
        .unwrap_or(fiction.len() / 2);
    let truncated = dir.path().join("fiction-truncated.sql");
    std::fs::write(&truncated, &fiction[..cut]).unwrap();
    let gz = dir.path().join("fiction-truncated.sql.gz");
    compress(&dump("fiction.sql"), &gz, "gz");
    let packed = std::fs::read(&gz).unwrap();
    std::fs::write(&gz, &packed[..packed.len() * 2 / 3]).unwrap();
    let foreign = dir.path().join("cover.pdf");
    std::fs::write(
        &foreign,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nendobj\n",
    )
    .unwrap();
    let empty = dir.path().join("empty.sql");
    std::fs::write(&empty, b"").unwrap();
    let other_tables = dir.path().join("other.sql");
    std::fs::write(
        &other_tables,
        b"CREATE TABLE `x` (`a` int);\nINSERT INTO `x` VALUES (1);\n",
    )
    .unwrap();

    for (file, expect) in [
        (&truncated, format!("byte {cut}")),
        (&gz, "byte".to_string()),
        (&foreign, "not a MySQL dump".to_string()),
        (&empty, "not a MySQL dump".to_string()),
        (&other_tables, "no Library Genesis table".to_string()),
    ] {
        // A good file first, in the same command: it must be rolled back too.
        let out = import(dir.path(), &[&dump("fiction.sql"), file]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{} should fail", file.display());
        assert!(
            stderr.contains(&file.display().to_string()),
            "names the file: {stderr}"
        );
        assert!(stderr.contains(&expect), "says `{expect}`: {stderr}");
        assert_eq!(
            snapshot(&db),
            before,
            "catalog unchanged after {}",
            file.display()
        );
    }
    // A failed first import leaves no catalog behind.
    let fresh = tempfile::tempdir().unwrap();
    assert!(!import(fresh.path(), &[&truncated]).status.success());
    assert!(!fresh.path().join("catalog.sqlite").exists());
}

#[test]
fn reimport_is_an_update() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("catalog.sqlite");
    import_ok(dir.path(), &[&dump("libgen.sql")]);
    let first = snapshot(&db);
    let report = import_ok(dir.path(), &[&dump("libgen.sql")]);
    assert_eq!(snapshot(&db), first, "same dump twice changes nothing");
    assert!(report.contains("libgen "), "{report}");
    let line = report
        .lines()
        .find(|l| l.trim_start().starts_with("libgen "))
        .unwrap();
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(&cols[1..], ["9", "0", "0", "9", "0"], "{line}");

    // A newer dump: one title changed, one row added.
    let text = std::fs::read_to_string(dump("libgen.sql")).unwrap();
    let newer = text
        .replace("'Introduction to Algorithms'", "'Introduction to Algorithms, Fourth Edition'")
        .replace(
            "'9780262510875');",
            "'9780262510875'),\n(4100124,'A new book','','','','New Author','2024','','','','',0,'English','','','','','','','','','','','','','','',0,'','','','','','','',1000,'pdf','ffffffffffffffffffffffffffffffff','','','',0,'2024-01-01 00:00:00','2024-01-01 00:00:00','','','');",
        );
    let newer_path = dir.path().join("libgen-newer.sql");
    std::fs::write(&newer_path, newer).unwrap();
    let report = import_ok(dir.path(), &[&newer_path]);
    let line = report
        .lines()
        .find(|l| l.trim_start().starts_with("libgen "))
        .unwrap();
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(&cols[1..], ["10", "1", "1", "8", "0"], "{line}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let title: String = conn
        .query_row("SELECT title FROM libgen WHERE id = 7", [], |r| r.get(0))
        .unwrap();
    assert_eq!(title, "Introduction to Algorithms, Fourth Edition");
    assert_eq!(counts(&db)["libgen"], 10);
    // The index followed: the changed record's document was replaced, not added again.
    let engine =
        lanshelf::search::SearchEngine::open_with_catalog(&dir.path().join("index"), &db).unwrap();
    assert_eq!(engine.documents(), 10, "one document per record");
    let found = |q: &str| {
        let r = engine
            .search(&lanshelf::search::SearchRequest::new(q))
            .unwrap();
        r.hits
            .iter()
            .filter(|h| h.collection == lanshelf::Collection::Libgen && h.id == 7)
            .count()
    };
    assert_eq!(found("introduction algorithms fourth"), 1);
    assert_eq!(found("introduction algorithms"), 1);
    assert_eq!(found("a new book"), 0);
    assert_eq!(found("new author"), 0);
}

#[test]
fn odd_rows_are_counted_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(dump("fiction.sql")).unwrap();
    // A row with a missing value and a row with a non-numeric ID.
    let odd = text.replacen(
        "(2000,NULL,",
        "(2000,NULL,'only a few values'),\n('x',NULL,",
        1,
    );
    let path = dir.path().join("odd.sql");
    std::fs::write(&path, odd).unwrap();
    let report = import_ok(dir.path(), &[&path]);
    assert!(report.contains("rejected at byte"), "{report}");
    let line = report
        .lines()
        .find(|l| l.trim_start().starts_with("fiction "))
        .unwrap();
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cols[5], "2", "{line}");
    assert_eq!(counts(&dir.path().join("catalog.sqlite"))["fiction"], 3);
}

#[test]
fn a_dump_whose_rows_are_all_rejected_fails_and_is_not_recorded() {
    // The table definition lost two columns (a changed layout): every row then has more values
    // than columns and is rejected. That is a failed import, not a successful one of nothing.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("catalog.sqlite");
    import_ok(dir.path(), &[&dump("fiction.sql")]);
    let before = snapshot(&db);
    let text = std::fs::read_to_string(dump("libgen.sql")).unwrap();
    let changed: String = text
        .lines()
        .filter(|l| !(l.starts_with("  `VolumeInfo`") || l.starts_with("  `Series`")))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(changed.len(), text.len() + 1, "two column lines removed");
    let path = dir.path().join("libgen-changed.sql");
    std::fs::write(&path, changed).unwrap();
    let out = import(dir.path(), &[&path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "must fail: {stderr}");
    for want in [
        "libgen-changed.sql",
        "9 of 9 rows",
        "`libgen`",
        "values",
        "--max-rejected",
    ] {
        assert!(stderr.contains(want), "says `{want}`: {stderr}");
    }
    assert_eq!(snapshot(&db), before, "catalog unchanged");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let imports: i64 = conn
        .query_row("SELECT count(*) FROM imports", [], |r| r.get(0))
        .unwrap();
    assert_eq!(imports, 1, "the failed import is not recorded as done");
    // With the limit raised, the user can still take what there is.
    let out = lanshelf(dir.path())
        .args(["import", "--max-rejected", "100"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_failed_import_gives_the_write_ahead_log_space_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("catalog.sqlite");
    import_ok(dir.path(), &[&dump("fiction.sql")]);
    let big = dir.path().join("big.sql");
    let out = lanshelf(dir.path())
        .args([
            "gen-dump",
            "--collection",
            "libgen",
            "--rows",
            "30000",
            "--out",
        ])
        .arg(&big)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Cut short near its end: the import writes nearly all of it, then fails.
    let text = std::fs::read(&big).unwrap();
    std::fs::write(&big, &text[..text.len() - 200]).unwrap();
    // A reader holds the catalog open, as `serve` does: the log is not deleted at the import's
    // exit, so only truncating it gives its space back.
    let reader = rusqlite::Connection::open(&db).unwrap();
    let _: i64 = reader
        .query_row("SELECT count(*) FROM fiction", [], |r| r.get(0))
        .unwrap();
    // A small page cache: the import spills its pages into the log, as a big one does.
    let out = lanshelf(dir.path())
        .args(["import", "--cache-mib", "1"])
        .arg(&big)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let wal = std::fs::metadata(dir.path().join("catalog.sqlite-wal")).map_or(0, |m| m.len());
    assert!(
        wal < 1 << 20,
        "the log holds {wal} bytes after the rollback"
    );
    assert_eq!(counts(&db)["libgen"], 0);
}

#[test]
fn ids_out_of_range_or_not_positive_are_rejected_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(dump("fiction.sql")).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("(2000,NULL,"))
        .unwrap()
        .trim_end_matches([',', ';'])
        .to_string();
    let odd = |id: &str| row.replacen("(2000,", &format!("({id},"), 1);
    let extra = format!("{},\n{},\n", odd("9223372036854775808"), odd("-5"));
    let with = text.replacen("(2000,NULL,", &format!("{extra}(2000,NULL,"), 1);
    let path = dir.path().join("ids.sql");
    std::fs::write(&path, with).unwrap();
    let report = import_ok(dir.path(), &[&path]);
    assert!(
        report.contains("9223372036854775808 is not an id"),
        "{report}"
    );
    assert!(report.contains("-5 is not an id"), "{report}");
    let conn = rusqlite::Connection::open(dir.path().join("catalog.sqlite")).unwrap();
    let (n, max, min): (i64, i64, i64) = conn
        .query_row("SELECT count(*), max(id), min(id) FROM fiction", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(n, 4);
    assert!(max < 1_000_000_000 && min > 0, "{min}..{max}");
}
