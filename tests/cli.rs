//! What the command line prints when things go wrong, and how: each cause once, a cut
//! compressed dump called truncated with the file's own offset, no colour codes in pipes, and
//! help that lists only the flags a command reads. Runs the real binary.

mod common;

use std::io::Write;
use std::path::Path;

use common::{dump, import, lanshelf};

fn compress(data: &[u8], dst: &Path, format: &str) {
    let file = std::fs::File::create(dst).unwrap();
    match format {
        "gz" => {
            let mut w = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            w.write_all(data).unwrap();
            w.finish().unwrap();
        }
        "bz2" => {
            let mut w = bzip2::write::BzEncoder::new(file, bzip2::Compression::default());
            w.write_all(data).unwrap();
            w.finish().unwrap();
        }
        "xz" => {
            let mut w = liblzma::write::XzEncoder::new(file, 6);
            w.write_all(data).unwrap();
            w.finish().unwrap();
        }
        "zst" => {
            let mut w = zstd::Encoder::new(file, 3).unwrap();
            w.write_all(data).unwrap();
            w.finish().unwrap();
        }
        other => panic!("{other}"),
    }
}

/// The `error:` lines of a failed run's standard error (the test fails if the run did not).
fn errors(out: &std::process::Output) -> Vec<String> {
    assert!(!out.status.success(), "the command should fail");
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("error:"))
        .map(str::to_string)
        .collect()
}

#[test]
fn each_cause_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("cover.pdf");
    std::fs::write(
        &foreign,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nendobj\n",
    )
    .unwrap();
    let missing = dir.path().join("missing.sql");
    for (file, cause) in [
        (&foreign, "not a MySQL dump"),
        (&missing, "No such file or directory"),
    ] {
        let out = import(dir.path(), &[file]);
        let lines = errors(&out);
        assert_eq!(lines.len(), 1, "one error line: {lines:?}");
        let line = &lines[0];
        assert_eq!(line.matches(cause).count(), 1, "`{cause}` once: {line}");
        assert_eq!(
            line.matches(&file.display().to_string()).count(),
            1,
            "the file named once: {line}"
        );
    }
    // `check` reads without importing; its error is as plain.
    let out = lanshelf(dir.path())
        .arg("check")
        .arg(&foreign)
        .output()
        .unwrap();
    let lines = errors(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        lines[0].matches("not a MySQL dump").count(),
        1,
        "{}",
        lines[0]
    );
}

#[test]
fn a_cut_compressed_dump_is_truncated_at_the_files_own_offset() {
    let dir = tempfile::tempdir().unwrap();
    // Big enough for the cut to fall inside the compressed data, not its header.
    let mut sql = std::fs::read(dump("libgen.sql")).unwrap();
    let more = std::fs::read(dump("edge.sql")).unwrap();
    sql.extend_from_slice(&more);
    for format in ["gz", "bz2", "xz", "zst"] {
        let whole = dir.path().join(format!("whole.sql.{format}"));
        compress(&sql, &whole, format);
        let bytes = std::fs::read(&whole).unwrap();
        let cut = dir.path().join(format!("cut.sql.{format}"));
        let size = bytes.len() * 2 / 3;
        std::fs::write(&cut, &bytes[..size]).unwrap();
        let out = import(dir.path(), &[&cut]);
        let lines = errors(&out);
        assert_eq!(lines.len(), 1, "{format}: {lines:?}");
        let line = &lines[0];
        assert!(
            line.contains("truncated"),
            "{format}: says truncated: {line}"
        );
        assert!(
            line.contains(&format!("ends early at byte {size} of the file")),
            "{format}: the compressed file's own offset ({size}): {line}"
        );
        assert!(!line.contains("read error"), "{format}: {line}");
        assert_eq!(
            line.matches("truncated").count(),
            1,
            "{format}: once: {line}"
        );
    }
}

#[test]
fn pipes_and_files_get_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    // Info logs on: the lines a terminal would colour. Standard error is a pipe here, as in
    // `lanshelf import … | cat` or `docker logs`.
    let out = lanshelf(dir.path())
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .arg("import")
        .arg(dump("fiction.sql"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("INFO"), "logs were written: {stderr}");
    assert!(
        !out.stderr.contains(&0x1b),
        "no escape codes on standard error: {stderr:?}"
    );
    assert!(
        !out.stdout.contains(&0x1b),
        "no escape codes on standard output"
    );
}

#[test]
fn help_lists_only_the_flags_a_command_reads() {
    let dir = tempfile::tempdir().unwrap();
    let help = |args: &[&str]| {
        let out = lanshelf(dir.path()).args(args).output().unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for command in ["demo", "check", "gen-dump", "healthcheck"] {
        let text = help(&[command, "--help"]);
        assert!(!text.contains("--db"), "{command} ignores --db: {text}");
        assert!(
            !text.contains("--index"),
            "{command} ignores --index: {text}"
        );
    }
    for command in ["import", "serve", "search", "index"] {
        let text = help(&[command, "--help"]);
        assert!(text.contains("--db"), "{command} reads --db: {text}");
    }
}
