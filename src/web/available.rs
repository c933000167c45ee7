//! Which records' files are in the local repository: the set behind the results' "here" marks
//! and the "available here" filter. Made by the background scan (`AppState::refresh_files`):
//! the repository's folders, zips and torrent-named files are listed (blocking), then matched
//! to catalog records in each bucket (one query per bucket or collection). Reads the
//! repository and the catalog; keeps nothing itself.

use std::collections::HashSet;
use std::path::Path;

use sqlx::SqlitePool;

use crate::db::{catalog, DbError};
use crate::files::{md5_file_name, paper_entry_name, Repository, Torrent, TorrentShelf};
use crate::search::only::RecordSet;
use crate::web::state::LocalData;
use crate::Collection;

/// What the repository holds, as listed on disk.
#[derive(Debug, Default)]
pub struct Listing {
    /// Sci-tech and fiction: per collection and bucket (its first id), the lower-case file
    /// names in the bucket's folder.
    classic: Vec<(Collection, u64, HashSet<String>)>,
    /// Papers: per bucket (its first id), the lower-case entry names of its zip.
    papers: Vec<(u64, HashSet<String>)>,
    /// The collections without a naming rule: the MD5s of the files present where a torrent
    /// at hand puts them.
    listed: Vec<(Collection, Vec<String>)>,
}

impl Listing {
    /// The torrents page's view of it: per collection, the buckets (id / 1000) with files, and
    /// how many (a paper's zip counts one).
    pub fn local(&self) -> LocalData {
        let mut local = LocalData::default();
        for (c, first, names) in &self.classic {
            local.buckets[c.code() as usize].insert(first / 1000, names.len() as u64);
        }
        let papers = &mut local.buckets[Collection::Scimag.code() as usize];
        for (first, _) in &self.papers {
            papers.insert(first / 1000, 1);
        }
        local
    }
}

fn numeric(name: &str) -> Option<u64> {
    (!name.is_empty() && name.len() <= 12 && name.bytes().all(|b| b.is_ascii_digit()))
        .then(|| name.parse().ok())
        .flatten()
}

fn subfolders(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
        .collect()
}

/// Lists the repository. Blocking.
pub fn list(repository: &Repository, shelf: &TorrentShelf) -> Listing {
    let mut out = Listing::default();
    for c in Collection::by_md5() {
        let Some(root) = repository.root(c) else {
            continue;
        };
        for (name, path) in subfolders(root) {
            let Some(bucket) = numeric(&name).filter(|b| b % 1000 == 0) else {
                continue;
            };
            let names: HashSet<String> = std::fs::read_dir(&path)
                .map(|d| {
                    d.flatten()
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                        .filter_map(|e| e.file_name().into_string().ok())
                        .map(|n| n.to_ascii_lowercase())
                        .collect()
                })
                .unwrap_or_default();
            if !names.is_empty() {
                out.classic.push((c, bucket, names));
            }
        }
    }
    if let Some(root) = repository.root(Collection::Scimag) {
        for (_, block) in subfolders(root) {
            let Ok(entries) = std::fs::read_dir(&block) else {
                continue;
            };
            for e in entries.flatten() {
                let Ok(name) = e.file_name().into_string() else {
                    continue;
                };
                let Some(first) = name
                    .strip_prefix(Collection::Scimag.zip_prefix().unwrap_or_default())
                    .and_then(|r| r.strip_suffix(".zip"))
                    .and_then(|r| r.split_once('-'))
                    .and_then(|(a, _)| numeric(a))
                else {
                    continue;
                };
                let Ok(file) = std::fs::File::open(e.path()) else {
                    continue;
                };
                let Ok(zip) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
                    continue;
                };
                let names = zip.file_names().map(|n| n.to_ascii_lowercase()).collect();
                out.papers.push((first, names));
            }
        }
    }
    // Files found by name: those of the torrents at hand that name no collection, where each
    // collection's folder would hold them.
    let unnamed: Vec<Torrent> = shelf
        .torrents()
        .filter(|t| t.collection.is_none() && t.error.is_none())
        .filter_map(|t| Torrent::read(&shelf.path(&t.file_name)?).ok())
        .collect();
    for c in Collection::ALL.into_iter().filter(|c| !c.is_classic()) {
        if repository.root(c).is_none() {
            continue;
        }
        let mut md5s = Vec::new();
        for t in &unnamed {
            for index in 0..t.files.len() {
                if crate::files::locate_listed(repository, c, t, index).is_some() {
                    let last = t.files[index].path.rsplit('/').next().unwrap_or_default();
                    let stem = last
                        .split('.')
                        .next()
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    if crate::search::normalize::is_md5(&stem) {
                        md5s.push(stem);
                    }
                }
            }
        }
        if !md5s.is_empty() {
            out.listed.push((c, md5s));
        }
    }
    out
}

/// The records the listing holds, from the catalog.
pub async fn records(pool: &SqlitePool, listing: &Listing) -> Result<RecordSet, DbError> {
    let mut found: Vec<(Collection, u64)> = Vec::new();
    for (c, bucket, names) in &listing.classic {
        // Each file named as the layout that serves it names it.
        let Some(crate::collection::FileLayout::ByMd5 { extension, .. }) = c.files() else {
            continue;
        };
        let rows = catalog::files_between(pool, *c, *bucket as i64, *bucket as i64 + 999).await?;
        for (id, md5, ext) in rows {
            let Ok(name) = md5_file_name(extension, &md5, &ext) else {
                continue;
            };
            if names.contains(&name) {
                found.push((*c, id as u64));
            }
        }
    }
    for (bucket, names) in &listing.papers {
        let rows = catalog::papers_between(pool, *bucket as i64, *bucket as i64 + 999).await?;
        for (id, doi) in rows {
            if paper_entry_name(&doi).is_some_and(|n| names.contains(&n.to_ascii_lowercase())) {
                found.push((Collection::Scimag, id as u64));
            }
        }
    }
    for (c, md5s) in &listing.listed {
        for id in catalog::ids_by_md5(pool, *c, md5s).await? {
            found.push((*c, id as u64));
        }
    }
    found.sort_unstable();
    found.dedup();
    // The version names the contents: the same files, the same version (and cached counts).
    let mut version: u64 = 0xcbf2_9ce4_8422_2325;
    for (c, id) in &found {
        for b in c.code().to_le_bytes().iter().chain(id.to_le_bytes().iter()) {
            version ^= u64::from(*b);
            version = version.wrapping_mul(0x0100_0000_01b3);
        }
    }
    Ok(RecordSet::new(version, found))
}
