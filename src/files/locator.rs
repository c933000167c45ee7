//! Locating many records' files at once (the batch look-up): the records are taken zip by zip
//! and torrent by torrent, so each zip's directory and each `.torrent` file is read once
//! however many of the records it holds, and only one zip is open at a time.

use std::collections::BTreeMap;

use super::{find_entries, FileRef, FilesError, Found, Layout, Repository, Torrent, TorrentShelf};

/// Where one record's file is.
#[derive(Debug, Clone)]
pub struct Located {
    /// Where it belongs (repository path, torrent), or what the record lacks for that
    /// (`"MD5"`, `"DOI"`, …).
    pub layout: Result<Layout, &'static str>,
    /// Where it was found in the repository, if it is there.
    pub found: Option<Found>,
    /// The torrent that carries it, when its `.torrent` file is in the folder.
    pub torrent: Option<TorrentPlace>,
}

/// A file's place in a torrent whose `.torrent` file is at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TorrentPlace {
    /// The torrent's info-hash, lower-case hex.
    pub info_hash: String,
    /// The file's index in the torrent (`so=`), if the torrent lists it.
    pub file_index: Option<usize>,
    /// A magnet link for just that file (the whole torrent if it is not listed).
    pub magnet: String,
}

/// Locates the files of `files`, in their order. A zip or `.torrent` file that cannot be read
/// leaves its records absent (logged), as a single look-up does. Blocking.
pub fn locate_all(
    repository: &Repository,
    shelf: &TorrentShelf,
    files: &[FileRef<'_>],
) -> Vec<Located> {
    let mut out: Vec<Located> = files
        .iter()
        .map(|f| Located {
            layout: Layout::of(f).map_err(|e| match e {
                FilesError::Unlocatable(what) => what,
                _ => "location",
            }),
            found: None,
            torrent: None,
        })
        .collect();
    // Repository: plain files one by one, zips grouped.
    let mut zips: BTreeMap<(crate::Collection, String), Vec<usize>> = BTreeMap::new();
    for (i, (file, located)) in files.iter().zip(&out).enumerate() {
        let Ok(layout) = &located.layout else {
            continue;
        };
        if layout.zip_entry.is_some() {
            zips.entry((file.collection, layout.repository_path.clone()))
                .or_default()
                .push(i);
        }
    }
    for i in 0..out.len() {
        let Ok(layout) = &out[i].layout else { continue };
        if layout.zip_entry.is_none() {
            out[i].found = super::locate(repository, &files[i]).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot read the repository");
                None
            });
        }
    }
    for ((collection, relative), members) in zips {
        let Some(path) = repository.path(collection, &relative) else {
            continue;
        };
        if std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        let Some(path) = repository
            .resolve(collection, &path)
            .filter(|p| p.is_file())
        else {
            continue;
        };
        let dois: Vec<&str> = members.iter().map(|&i| files[i].doi).collect();
        match find_entries(&path, &dois) {
            Ok(entries) => {
                for (&i, entry) in members.iter().zip(entries) {
                    out[i].found = entry.map(Found::Zipped);
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the repository"),
        }
    }
    // Torrents: each `.torrent` file parsed once.
    let mut torrents: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, located) in out.iter().enumerate() {
        if let Ok(layout) = &located.layout {
            torrents
                .entry(layout.torrent.file_name.clone())
                .or_default()
                .push(i);
        }
    }
    for (name, members) in torrents {
        let Some(path) = shelf.path(&name) else {
            continue;
        };
        let torrent = match Torrent::read(&path) {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read a torrent file");
                continue;
            }
        };
        let info_hash = torrent.info_hash_hex();
        for i in members {
            let Ok(layout) = &out[i].layout else { continue };
            let file_index = torrent.find_file(&layout.torrent.path_in_torrent);
            out[i].torrent = Some(TorrentPlace {
                info_hash: info_hash.clone(),
                file_index,
                magnet: torrent.magnet(file_index),
            });
        }
    }
    out
}

/// One magnet link per torrent for the given files: each selects just those files (`so=`).
/// Files whose `.torrent` file is not at hand are left out (the caller names their torrents).
/// Blocking.
pub fn magnets_for(shelf: &TorrentShelf, places: &[(String, Option<usize>)]) -> Vec<String> {
    let mut by_torrent: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut whole: BTreeMap<&str, bool> = BTreeMap::new();
    for (name, index) in places {
        match index {
            Some(i) => by_torrent.entry(name).or_default().push(*i),
            // A file the torrent does not list: the whole torrent is the only offer.
            None => {
                whole.insert(name, true);
                by_torrent.entry(name).or_default();
            }
        }
    }
    let mut out = Vec::new();
    for (name, files) in by_torrent {
        let Some(path) = shelf.path(name) else {
            continue;
        };
        match Torrent::read(&path) {
            Ok(t) if whole.contains_key(name) => out.push(t.magnet(None)),
            Ok(t) => out.push(t.magnet_of(&files)),
            Err(e) => tracing::warn!(error = %e, "cannot read a torrent file"),
        }
    }
    out
}
