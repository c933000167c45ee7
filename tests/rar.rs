//! RAR input as users meet it: the real archives of rarfile's test suite (made by the real `rar`:
//! RAR 3 and 5, solid, multi-volume, CRC32 and BLAKE2sp, encrypted) decoded member by member and
//! compared with their listings; and dumps inside RAR archives and volume sets (written by
//! `tests/common/rar5.rs`, or by the `rars` writer where compression or encryption is needed)
//! imported by the real binary into a real catalog, compared with the plain dumps' catalog;
//! damaged, cut, incomplete and encrypted archives refused with the archive, volume and member
//! named, the catalog unchanged.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use common::*;
use lanshelf::dump::rar::RarArchive;

fn rarfile(name: &str) -> PathBuf {
    fixtures().join("rar/rarfile").join(name)
}

/// A member as rarfile's listing (`X.exp`) describes it.
#[derive(Debug, Clone)]
struct Expected {
    size: u64,
    crc: Option<u32>,
}

/// The regular files of a `.exp` listing: name → size and CRC32 (links, copies and folders left
/// out: they have no content of their own).
fn expected(exp: &Path) -> BTreeMap<String, Expected> {
    let text = std::fs::read_to_string(exp).unwrap();
    let mut out = BTreeMap::new();
    let mut current: Option<(String, Expected, bool)> = None;
    let flush = |c: Option<(String, Expected, bool)>, out: &mut BTreeMap<String, Expected>| {
        if let Some((name, e, file)) = c {
            if file && !name.is_empty() {
                out.insert(name.replace('\\', "/"), e);
            }
        }
    };
    for line in text.lines() {
        if line.starts_with("FILE:") || line.starts_with("R5_FILE:") {
            flush(current.take(), &mut out);
            let file = line.contains("is=F");
            current = Some((String::new(), Expected { size: 0, crc: None }, file));
        }
        let Some((name, e, file)) = current.as_mut() else {
            continue;
        };
        let line = line.trim();
        if line.starts_with("redir:") {
            // A link or a copy of another member: no content of its own.
            *file = false;
        }
        if let Some(n) = line.strip_prefix("name=") {
            *name = n.to_string();
        }
        for field in line.split_whitespace() {
            if let Some(d) = field.strip_prefix("dec=") {
                e.size = d.parse().unwrap();
            }
            if let Some(c) = field.strip_prefix("crc=0x") {
                e.crc = Some(u32::from_str_radix(c, 16).unwrap());
            }
        }
    }
    flush(current.take(), &mut out);
    out
}

/// Every member of an archive, decoded: name → bytes.
fn decode_all(path: &Path, password: Option<&[u8]>) -> BTreeMap<String, Vec<u8>> {
    let archive =
        RarArchive::open(path, password).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut stream = archive.stream(|_| true).unwrap();
    let mut out = BTreeMap::new();
    while let Some(member) = stream.next_member() {
        let (member, mut reader) = member.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut data = Vec::new();
        reader
            .read_to_end(&mut data)
            .unwrap_or_else(|e| panic!("{} {}: {e}", path.display(), member.name));
        assert_eq!(data.len() as u64, member.size, "{}", member.name);
        out.insert(member.name.replace('\\', "/"), data);
    }
    out
}

/// Archives the decoder refuses: a RAR 2.0 archive with a Unix owner record, whose header
/// checksum `rars` 0.12 computes differently from `rar` 2.x. No Library Genesis dump is RAR 2.
const KNOWN_UNREADABLE: &[&str] = &["rar2-unix-owner.rar"];

#[test]
fn every_member_of_the_real_archives_decodes_to_its_listed_content() {
    let dir = fixtures().join("rar/rarfile");
    let mut archives: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rar"))
        // Later volumes are read through their first one.
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            !(n.contains(".part2.") || n.contains(".part3."))
        })
        .collect();
    archives.sort();
    let mut checked_members = 0;
    let mut checked_crc = 0;
    let mut names = Vec::new();
    for archive in &archives {
        let name = archive.file_name().unwrap().to_string_lossy().into_owned();
        if KNOWN_UNREADABLE.contains(&name.as_str()) {
            // Refused cleanly, with the archive named (not a panic, not wrong bytes).
            let e = RarArchive::open(archive, None).unwrap_err().to_string();
            assert!(e.contains(&name) && e.contains("checksum"), "{e}");
            continue;
        }
        let password: Option<&[u8]> = name.contains("psw").then_some(b"password");
        let want = expected(&dir.join(format!("{name}.exp")));
        let got = decode_all(archive, password);
        for (member, e) in &want {
            // rarfile lists versioned files (`;1`) that the current version shadows.
            if member.contains(';') && !got.contains_key(member) {
                continue;
            }
            let data = got
                .get(member)
                .unwrap_or_else(|| panic!("{name}: {member} not decoded (got {:?})", got.keys()));
            assert_eq!(data.len() as u64, e.size, "{name}: {member} size");
            // RAR 5 stores the checksums of encrypted files keyed with the password (an HMAC),
            // which the decoder verifies; the listing's value is that, not the plain CRC32.
            let keyed = name.starts_with("rar5") && password.is_some();
            if let Some(crc) = e.crc.filter(|_| !keyed) {
                assert_eq!(rar5::crc32(data), crc, "{name}: {member} CRC32");
                checked_crc += 1;
            }
            checked_members += 1;
        }
        names.push(name);
    }
    // The sets and kinds the issue names are among them.
    for must in [
        "rar3-vols.part1.rar",
        "rar5-vols.part1.rar",
        "rar3-old.rar",
        "rar3-solid.rar",
        "rar5-solid.rar",
        "rar5-blake.rar",
        "rar5-psw.rar",
        "rar5-hpsw.rar",
    ] {
        assert!(names.iter().any(|n| n == must), "{must} checked");
    }
    assert!(checked_members >= 60, "{checked_members} members checked");
    assert!(checked_crc >= 40, "{checked_crc} CRCs checked");
}

#[test]
fn any_volume_opens_the_whole_set() {
    for (first, later) in [
        ("rar5-vols.part1.rar", "rar5-vols.part3.rar"),
        ("rar3-vols.part1.rar", "rar3-vols.part2.rar"),
        ("rar3-old.rar", "rar3-old.r01"),
    ] {
        let a = RarArchive::open(&rarfile(first), None).unwrap();
        let b = RarArchive::open(&rarfile(later), None).unwrap();
        assert_eq!(a.volumes().len(), 3, "{first}");
        assert_eq!(a.volumes(), b.volumes(), "{later}");
        assert_eq!(a.members(), b.members(), "{later}");
        assert_eq!(b.path(), rarfile(first));
        let big = a
            .members()
            .iter()
            .find(|m| m.file_name() == "bigfile.txt")
            .unwrap();
        assert_eq!(big.volumes, (0, 2), "{first}: bigfile spans the set");
    }
    assert_eq!(decode_all(&rarfile("rar5-vols.part2.rar"), None).len(), 2);
}

#[test]
fn encrypted_archives_need_their_password() {
    // Encrypted headers: nothing can be listed without the password.
    let e = RarArchive::open(&rarfile("rar5-hpsw.rar"), None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("rar5-hpsw.rar") && e.contains("password is needed"),
        "{e}"
    );
    let e = RarArchive::open(&rarfile("rar5-hpsw.rar"), Some(b"wrong"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("password is wrong"), "{e}");
    let ok = decode_all(&rarfile("rar5-hpsw.rar"), Some(b"password"));
    assert_eq!(ok.len(), 2);
}

/// The three fixture dumps, as (member name, content).
fn dumps() -> Vec<(String, Vec<u8>)> {
    ["libgen.sql", "fiction.sql", "scimag.sql"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(dump(n)).unwrap()))
        .collect()
}

fn members(d: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    d.iter().map(|(n, c)| (n.as_str(), c.as_slice())).collect()
}

fn reference(work: &Path) -> BTreeMap<String, Vec<Vec<Cell>>> {
    let dir = work.join("reference");
    std::fs::create_dir(&dir).unwrap();
    let plain = [dump("libgen.sql"), dump("fiction.sql"), dump("scimag.sql")];
    import_ok(&dir, &[&plain[0], &plain[1], &plain[2]]);
    snapshot(&dir.join("catalog.sqlite"))
}

#[test]
fn a_dump_in_a_rar_imports_as_the_plain_dump_does() {
    let work = tempfile::tempdir().unwrap();
    let want = reference(work.path());
    let d = dumps();

    // One archive holding one dump beside other files: only the dump is read.
    let single = work.path().join("single");
    std::fs::create_dir(&single).unwrap();
    let rar = single.join("libgen.rar");
    rar5::write(
        &rar,
        &[
            ("README.txt", b"not a dump"),
            ("libgen/libgen.sql", &d[0].1),
        ],
    );
    let out = import_ok(&single, &[&rar]);
    assert!(out.contains("libgen.rar"), "{out}");
    let got = snapshot(&single.join("catalog.sqlite"));
    assert_eq!(got["libgen"], want["libgen"]);
    assert!(got["fiction"].is_empty());

    // One archive with all three dumps, split into 3 volumes (dumps cut across volumes),
    // given by its first volume, then by its second.
    for given in [0, 1] {
        let dir = work.path().join(format!("volumes{given}"));
        std::fs::create_dir(&dir).unwrap();
        let volumes = rar5::write_volumes(&dir, "dumps", &members(&d), 3);
        assert_eq!(volumes.len(), 3);
        let out = import_ok(&dir, &[&volumes[given]]);
        assert!(
            out.contains("dumps.part1.rar"),
            "named by its first volume: {out}"
        );
        assert_eq!(
            snapshot(&dir.join("catalog.sqlite")),
            want,
            "volume set, given part{}",
            given + 1
        );
        // `check` reads it too, all three dumps.
        let check = lanshelf(&dir)
            .arg("check")
            .arg(&volumes[0])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&check.stdout);
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
        assert!(
            text.contains("in 3 dumps") && text.contains("scimag"),
            "{text}"
        );
    }

    // Compressed (and solid) by the `rars` writer, a member itself gzip-compressed.
    let dir = work.path().join("compressed");
    std::fs::create_dir(&dir).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &d[2].1).unwrap();
    let mut builder = rars::Builder::new(rars::ArchiveVersion::Rar50).solid(true);
    builder
        .add_bytes(b"libgen.sql".to_vec(), d[0].1.clone(), None, None)
        .unwrap();
    builder
        .add_bytes(b"fiction.sql".to_vec(), d[1].1.clone(), None, None)
        .unwrap();
    builder
        .add_bytes(b"scimag.sql.gz".to_vec(), gz.finish().unwrap(), None, None)
        .unwrap();
    let rar = dir.join("all.rar");
    builder.write_to_path(&rar, None).unwrap();
    import_ok(&dir, &[&rar]);
    assert_eq!(
        snapshot(&dir.join("catalog.sqlite")),
        want,
        "compressed, solid"
    );
}

#[test]
fn an_encrypted_dump_needs_the_password_and_imports_with_it() {
    let work = tempfile::tempdir().unwrap();
    let d = dumps();
    let rar = work.path().join("fiction.rar");
    let mut builder =
        rars::Builder::new(rars::ArchiveVersion::Rar50).password(Some(b"s3cret".to_vec()));
    builder
        .add_bytes(b"fiction.sql".to_vec(), d[1].1.clone(), None, None)
        .unwrap();
    builder.write_to_path(&rar, None).unwrap();

    let out = import(work.path(), &[&rar]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("fiction.rar") && stderr.contains("fiction.sql"),
        "{stderr}"
    );
    assert!(
        stderr.contains("password is needed") && stderr.contains("--password"),
        "{stderr}"
    );
    assert!(!work.path().join("catalog.sqlite").exists());

    let out = lanshelf(work.path())
        .args(["import", "--password", "wrong"])
        .arg(&rar)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("password is wrong"), "{stderr}");

    let out = lanshelf(work.path())
        .args(["import"])
        .arg(&rar)
        .env("LANSHELF_RAR_PASSWORD", "s3cret")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plain = work.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    import_ok(&plain, &[&dump("fiction.sql")]);
    assert_eq!(
        snapshot(&work.path().join("catalog.sqlite")),
        snapshot(&plain.join("catalog.sqlite"))
    );
}

#[test]
fn damaged_incomplete_or_foreign_archives_fail_clearly_and_change_nothing() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let db = dir.join("catalog.sqlite");
    import_ok(dir, &[&dump("libgen.sql")]);
    let before = snapshot(&db);
    let d = dumps();
    let make = |name: &str| -> Vec<PathBuf> {
        let sub = dir.join(name);
        std::fs::create_dir(&sub).unwrap();
        rar5::write_volumes(&sub, "dumps", &members(&d[1..]), 3)
    };

    // A volume cut short (an interrupted download).
    let cut = make("cut");
    let bytes = std::fs::read(&cut[1]).unwrap();
    std::fs::write(&cut[1], &bytes[..bytes.len() / 2]).unwrap();
    // A volume missing.
    let missing = make("missing");
    std::fs::remove_file(&missing[2]).unwrap();
    // One byte of a dump's data changed: the checksum of fiction.sql, which ends in volume 2.
    let damaged = make("damaged");
    let mut bytes = std::fs::read(&damaged[1]).unwrap();
    let at = bytes
        .windows(6)
        .position(|w| w == b"INSERT")
        .expect("dump text in part2");
    bytes[at + 2] ^= 0x20;
    std::fs::write(&damaged[1], &bytes).unwrap();
    // An archive of other things.
    let other = dir.join("photos.rar");
    rar5::write(&other, &[("a.jpg", b"\xff\xd8\xff"), ("b.txt", b"hello")]);
    // The libgen.li snapshot's kind of archive (MyISAM table files).
    let snapshot_like = dir.join("libgen_new.rar");
    rar5::write(
        &snapshot_like,
        &[
            ("libgen_new/files.frm", b"\xfe\x01"),
            ("libgen_new/files.MYD", b""),
        ],
    );

    for (file, expect) in [
        (
            &cut[0],
            vec!["dumps.part1.rar", "dumps.part2.rar", "cut short"],
        ),
        (
            &missing[0],
            vec!["dumps.part1.rar", "dumps.part3.rar", "missing"],
        ),
        (
            &damaged[0],
            vec![
                "dumps.part1.rar",
                "dumps.part2.rar",
                "fiction.sql",
                "damaged",
            ],
        ),
        (&other, vec!["photos.rar", "no MySQL dump", "a.jpg, b.txt"]),
        (
            &snapshot_like,
            // Read as a libgen.li snapshot, which it is not in full.
            vec!["libgen_new.rar", "snapshot", "incomplete"],
        ),
    ] {
        // A good dump first, in the same command: it is rolled back too.
        let out = import(dir, &[&dump("fiction.sql"), file]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{} should fail", file.display());
        for e in expect {
            assert!(
                stderr.contains(e),
                "{}: says `{e}`: {stderr}",
                file.display()
            );
        }
        assert_eq!(
            snapshot(&db),
            before,
            "catalog unchanged after {}",
            file.display()
        );
        // `check` fails the same way.
        let out = lanshelf(dir).arg("check").arg(file).output().unwrap();
        assert!(!out.status.success(), "check {}", file.display());
    }
}

#[test]
fn members_nobody_wants_are_not_read_in_a_non_solid_set() {
    let dir = tempfile::tempdir().unwrap();
    let d = dumps();
    // A large member between two dumps, cut across the volumes as a multi-GB `.MYI` index is in
    // the libgen.li snapshot; then one byte of it damaged: reading only the dumps never sees it.
    let big: Vec<u8> = (0..600_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let volumes = rar5::write_volumes(
        dir.path(),
        "set",
        &[
            ("fiction.sql", &d[1].1),
            ("index.MYI", &big),
            ("scimag.sql", &d[2].1),
        ],
        4,
    );
    let mut bytes = std::fs::read(&volumes[2]).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0xff;
    std::fs::write(&volumes[2], &bytes).unwrap();

    let archive = RarArchive::open(&volumes[0], None).unwrap();
    assert!(!archive.is_solid());
    let total = archive.size();
    let position = archive.position();
    let mut stream = archive.stream(|m| m.name.ends_with(".sql")).unwrap();
    let mut got = Vec::new();
    while let Some(member) = stream.next_member() {
        let (member, mut reader) = member.unwrap();
        let mut data = Vec::new();
        reader.read_to_end(&mut data).unwrap();
        got.push((member.name, data));
    }
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].1, d[1].1);
    assert_eq!(got[1].1, d[2].1);
    let read = position.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        read < total / 2,
        "read {read} of {total} bytes: the large member was skipped"
    );

    // Its first bytes can be had alone (a `.MYI` header), without the damage further on.
    let archive = RarArchive::open(&volumes[0], None).unwrap();
    let index = archive
        .members()
        .iter()
        .position(|m| m.name == "index.MYI")
        .unwrap();
    let position = archive.position();
    let before = position.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(archive.read_prefix(index, 1000).unwrap(), big[..1000]);
    let read = position.load(std::sync::atomic::Ordering::Relaxed) - before;
    assert!(read < 200_000, "read {read} bytes for a 1000-byte prefix");
    let small = archive
        .members()
        .iter()
        .position(|m| m.name == "scimag.sql")
        .unwrap();
    assert_eq!(
        archive.read_prefix(small, 1 << 30).unwrap(),
        d[2].1,
        "a whole short member"
    );

    // Asking for all of it finds the damage, naming the member and the volume.
    let archive = RarArchive::open(&volumes[0], None).unwrap();
    let mut stream = archive.stream(|m| m.name == "index.MYI").unwrap();
    let (_, mut reader) = stream.next_member().unwrap().unwrap();
    let e = reader.read_to_end(&mut Vec::new()).unwrap_err().to_string();
    assert!(e.contains("index.MYI") && e.contains("damaged"), "{e}");
}
