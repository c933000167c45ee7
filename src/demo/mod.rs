//! The demo's shelf (`lanshelf demo`): after the samples are imported, a tiny repository and a
//! folder of `.torrent` files beside the catalog, so that downloads, paper zips, magnet links,
//! covers and the torrents page all have something to show. Some records get a small real
//! file (a PDF, EPUB, FB2 or CBZ saying which record it stands for) in the repository where
//! the torrents put it; a few more are in a torrent at hand but not downloaded; papers get a
//! stored zip. Reads the catalog, writes only inside the folder it is given.

mod cover;
mod files;
mod torrent;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::db::blocking::SampleRow as Record;
use crate::files::{paper_entry_name, FileRef, Layout};
use crate::Collection;
use files::Sample;
use torrent::Entry;

/// Records of the generated samples have ids from here on (the real ones are below).
pub const GENERATED_FROM: i64 = 10_000_000;
/// Generated records given a file in the repository, per collection.
const PRESENT: usize = 30;
/// Generated records in a torrent at hand but not downloaded, per collection.
const TORRENT_ONLY: usize = 15;
/// Of the generated records, every `SPREAD`th gets a file (downloaded or in a torrent), so
/// that searches meet them among the others.
const SPREAD: i64 = 3;
const _: () = assert!(
    PRESENT == 2 * TORRENT_ONLY,
    "two downloaded to one in a torrent"
);

/// What can go wrong laying out the demo's files.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The catalog could not be read.
    #[error("reading the demo catalog")]
    Catalog(#[from] rusqlite::Error),
    /// A file could not be written.
    #[error("writing {0}")]
    Write(PathBuf, #[source] std::io::Error),
}

/// What [`lay_out`] made.
#[derive(Debug, Default, Clone)]
pub struct Shelf {
    /// The repository folder (`--repository`).
    pub repository: PathBuf,
    /// The `.torrent` folder (`--torrents`).
    pub torrents: PathBuf,
    /// Files written into the repository (a paper zip counts its entries).
    pub files: usize,
    /// Records listed by a torrent but not in the repository.
    pub torrent_only: usize,
    /// Cover pictures written.
    pub covers: usize,
    /// `.torrent` files written.
    pub torrent_files: usize,
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), DemoError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| DemoError::Write(dir.to_path_buf(), e))?;
    }
    std::fs::write(path, bytes).map_err(|e| DemoError::Write(path.to_path_buf(), e))
}

/// The records of a collection that can get a sample file: every real one, and the first
/// generated ones of the first bucket that has some.
fn pick(conn: &Connection, c: Collection) -> Result<(Vec<Record>, Vec<Record>), DemoError> {
    let rows = crate::db::blocking::sample_candidates(conn, c, &files::FORMATS)?;
    let mut real = Vec::new();
    let mut generated: Vec<Record> = Vec::new();
    for r in rows {
        if r.id < GENERATED_FROM {
            real.push(r);
        } else if generated.len() < PRESENT + TORRENT_ONLY
            && (r.id - GENERATED_FROM) % SPREAD == 0
            && generated.first().is_none_or(|g| g.id / 1000 == r.id / 1000)
        {
            generated.push(r);
        }
    }
    Ok((real, generated))
}

fn sample_of(c: Collection, r: &Record) -> Option<Vec<u8>> {
    let record = format!("{} record {}", c.label().to_lowercase(), r.id);
    files::sample(
        &r.extension,
        &Sample {
            title: &r.title,
            author: &r.author,
            year: &r.year,
            record,
        },
    )
}

/// Writes the demo's repository (`dir/repository`) and torrents (`dir/torrents`) for the
/// catalog at `db`.
pub fn lay_out(db: &Path, dir: &Path) -> Result<Shelf, DemoError> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut shelf = Shelf {
        repository: dir.join("repository"),
        torrents: dir.join("torrents"),
        ..Default::default()
    };
    std::fs::create_dir_all(&shelf.torrents)
        .map_err(|e| DemoError::Write(shelf.torrents.clone(), e))?;
    for c in Collection::ALL {
        let (real, generated) = pick(&conn, c)?;
        // The records that get a file, and whether it is downloaded.
        let mut chosen: Vec<(&Record, bool)> = real.iter().map(|r| (r, true)).collect();
        for (i, r) in generated.iter().enumerate() {
            // Two downloaded, then one only in a torrent, and so on (PRESENT = 2 × TORRENT_ONLY).
            let present = i % 3 != 2;
            chosen.push((r, present || c == Collection::Scimag));
        }
        shelf.covers += covers(&conn, &shelf.repository, c, &chosen)?;
        match c {
            Collection::Libgen | Collection::Fiction => classic(&mut shelf, c, &chosen)?,
            Collection::Scimag => papers(&mut shelf, &chosen)?,
            _ => listed(&mut shelf, c, &chosen)?,
        }
    }
    Ok(shelf)
}

/// Generated records given a cover beyond those with a file, per collection, spread evenly
/// over its ids (so that any search shows some covers: most books on libgen have one).
const MORE_COVERS: i64 = 300;

/// Covers for the chosen records and the first generated ones, where the cover store keeps
/// their `coverurl` (papers have none).
fn covers(
    conn: &Connection,
    repository: &Path,
    c: Collection,
    chosen: &[(&Record, bool)],
) -> Result<usize, DemoError> {
    if c == Collection::Scimag {
        return Ok(0);
    }
    let repository = crate::files::Repository::new(Some(repository));
    let mut wanted: Vec<(String, String, String, String)> = chosen
        .iter()
        .map(|(r, _)| {
            (
                r.coverurl.clone(),
                r.title.clone(),
                r.author.clone(),
                r.md5.clone(),
            )
        })
        .collect();
    let generated = crate::db::blocking::count_from(conn, c, GENERATED_FROM)?;
    let step = (generated / MORE_COVERS).max(1);
    wanted.extend(crate::db::blocking::covers_from(
        conn,
        c,
        GENERATED_FROM,
        MORE_COVERS,
        step,
    )?);
    let mut n = 0;
    for (url, title, author, md5) in wanted {
        if let Some((path, "image/jpeg")) = repository.cover(c, &url) {
            if !path.exists() {
                write(&path, &cover::jpeg(&title, &author, &md5))?;
                n += 1;
            }
        }
    }
    Ok(n)
}

/// Sci-tech and fiction: files where their naming rule puts them, one torrent per bucket.
fn classic(shelf: &mut Shelf, c: Collection, chosen: &[(&Record, bool)]) -> Result<(), DemoError> {
    let mut torrents: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for (r, present) in chosen {
        let Some(bytes) = sample_of(c, r) else {
            continue;
        };
        let Ok(layout) = Layout::of(&FileRef {
            collection: c,
            id: r.id as u64,
            md5: &r.md5,
            extension: &r.extension,
            doi: "",
        }) else {
            continue;
        };
        if *present {
            write(
                &shelf
                    .repository
                    .join(c.slug())
                    .join(&layout.repository_path),
                &bytes,
            )?;
            shelf.files += 1;
        } else {
            shelf.torrent_only += 1;
        }
        // The torrent's name is the bucket folder, its files the paths below it.
        let (folder, path) = layout
            .torrent
            .path_in_torrent
            .split_once('/')
            .unwrap_or(("", &layout.torrent.path_in_torrent));
        torrents
            .entry(format!("{}\n{folder}", layout.torrent.file_name))
            .or_default()
            .push(Entry {
                path: path.to_string(),
                bytes,
            });
    }
    for (key, entries) in torrents {
        let (file, folder) = key.split_once('\n').unwrap_or((&key, ""));
        write(
            &shelf.torrents.join(file),
            &torrent::multi_file(folder, &entries),
        )?;
        shelf.torrent_files += 1;
    }
    Ok(())
}

/// A zip of papers: its torrent's file name and its entries (name, bytes).
type PaperZip = (String, Vec<(String, Vec<u8>)>);

/// Papers: one stored zip per thousand ids, one torrent per hundred thousand.
fn papers(shelf: &mut Shelf, chosen: &[(&Record, bool)]) -> Result<(), DemoError> {
    let mut zips: BTreeMap<String, PaperZip> = BTreeMap::new();
    for (r, _) in chosen {
        let (Some(bytes), Some(entry)) =
            (sample_of(Collection::Scimag, r), paper_entry_name(&r.doi))
        else {
            continue;
        };
        let Ok(layout) = Layout::of(&FileRef {
            collection: Collection::Scimag,
            id: r.id as u64,
            md5: &r.md5,
            extension: "pdf",
            doi: &r.doi,
        }) else {
            continue;
        };
        zips.entry(layout.repository_path.clone())
            .or_insert_with(|| (layout.torrent.file_name.clone(), Vec::new()))
            .1
            .push((entry, bytes));
    }
    let mut torrents: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for (path, (torrent_name, entries)) in zips {
        let refs: Vec<(&str, Vec<u8>)> = entries
            .iter()
            .map(|(n, b)| (n.as_str(), b.clone()))
            .collect();
        let zip = files::zip_stored(&refs);
        write(
            &shelf.repository.join(Collection::Scimag.slug()).join(&path),
            &zip,
        )?;
        shelf.files += entries.len();
        torrents
            .entry(torrent_name)
            .or_default()
            .push(Entry { path, bytes: zip });
    }
    for (name, entries) in torrents {
        let folder = name.trim_end_matches(".torrent").to_string();
        write(
            &shelf.torrents.join(&name),
            &torrent::multi_file(&folder, &entries),
        )?;
        shelf.torrent_files += 1;
    }
    Ok(())
}

/// The collections without a naming rule: one torrent per collection listing the files by
/// MD5, the files where that torrent puts them.
fn listed(shelf: &mut Shelf, c: Collection, chosen: &[(&Record, bool)]) -> Result<(), DemoError> {
    let mut entries = Vec::new();
    for (r, present) in chosen {
        let Some(bytes) = sample_of(c, r) else {
            continue;
        };
        let path = format!("{}.{}", r.md5, r.extension);
        if *present {
            write(
                &shelf.repository.join(c.slug()).join(c.slug()).join(&path),
                &bytes,
            )?;
            shelf.files += 1;
        } else {
            shelf.torrent_only += 1;
        }
        entries.push(Entry { path, bytes });
    }
    if !entries.is_empty() {
        write(
            &shelf
                .torrents
                .join(format!("lanshelf-demo-{}.torrent", c.slug())),
            &torrent::multi_file(c.slug(), &entries),
        )?;
        shelf.torrent_files += 1;
    }
    Ok(())
}
