//! Where a record's file is: its path in the local repository (the folders a BitTorrent client
//! filled), the zip and entry that hold a paper, the torrent that carries it and the path inside
//! that torrent, and a magnet link for just that file built from a real `.torrent` file.
//!
//! Every path here is computed from catalog values (collection, id, MD5, extension, DOI), checked
//! first, and never from anything a request sent. This module reads files; it never writes, and it
//! knows nothing of HTTP or the catalog database.

mod layout;
mod locator;
mod torrent;
mod zipentry;

pub use layout::{md5_file_name, paper_entry_name, FileRef, Layout, Repository, TorrentRef};
pub use locator::{locate_all, magnets_for, Located, TorrentPlace};
pub use torrent::{
    coverage_of_name, Listed, Torrent, TorrentCache, TorrentFile, TorrentShelf, TorrentSummary,
    MAX_TORRENT_BYTES,
};
pub use zipentry::{extract_entry, find_entries, find_entry, ZipEntry};

use std::path::PathBuf;

use crate::Collection;

/// What can go wrong when locating or reading a file.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    /// The record lacks what its location is computed from (an MD5, a DOI).
    #[error("the record has no valid {0}, so its file cannot be located")]
    Unlocatable(&'static str),
    /// The collection's files follow no naming rule (magazines, comics, standards, Russian
    /// fiction): they are found by name in the `.torrent` files at hand, or not at all.
    #[error(
        "files of this collection are found only in the .torrent files at hand, and none lists it"
    )]
    NoRule,
    /// Reading a file or folder failed.
    #[error("{0}")]
    Io(PathBuf, #[source] std::io::Error),
    /// A zip archive could not be read.
    #[error("{0}")]
    Zip(PathBuf, #[source] zip::result::ZipError),
    /// A `.torrent` file is not valid bencode or lacks required keys.
    #[error("{0}: not a valid .torrent file: {1}")]
    Torrent(PathBuf, String),
}

/// Where a record's file was found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A whole file of its own.
    Plain {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
    },
    /// An entry inside a zip archive.
    Zipped(ZipEntry),
}

impl Found {
    /// The size of the record's file in bytes.
    pub fn size(&self) -> u64 {
        match self {
            Found::Plain { size, .. } => *size,
            Found::Zipped(e) => e.size,
        }
    }
}

/// Where a torrent puts one of its files below the collection's repository folder: the torrent's
/// name as a folder, then the file's path (a single-file torrent: its name).
pub fn listed_path(collection: Collection, torrent: &Torrent, index: usize) -> String {
    let Some(file) = torrent.files.get(index) else {
        return String::new();
    };
    if torrent.single_file {
        format!("{}/{}", collection.slug(), file.path)
    } else {
        format!("{}/{}/{}", collection.slug(), torrent.name, file.path)
    }
}

/// The file a torrent lists at `index`, in the collection's repository folder, if it is there
/// (and inside it once links are resolved). Blocking.
pub fn locate_listed(
    repository: &Repository,
    collection: Collection,
    torrent: &Torrent,
    index: usize,
) -> Option<Found> {
    let file = torrent.files.get(index)?;
    let relative = if torrent.single_file {
        file.path.clone()
    } else {
        format!("{}/{}", torrent.name, file.path)
    };
    let path = repository.path(collection, &relative)?;
    let path = repository.resolve(collection, &path)?;
    let meta = std::fs::metadata(&path).ok().filter(|m| m.is_file())?;
    Some(Found::Plain {
        path,
        size: meta.len(),
    })
}

/// Looks for a record's file in the repository. Blocking (file system and zip reads).
/// `Ok(None)`: not there (or no repository configured for its collection).
pub fn locate(repository: &Repository, file: &FileRef<'_>) -> Result<Option<Found>, FilesError> {
    let layout = Layout::of(file)?;
    let Some(path) = repository.path(file.collection, &layout.repository_path) else {
        return Ok(None);
    };
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    // A symbolic link that leads out of the collection's folder is as good as absent.
    let Some(path) = repository.resolve(file.collection, &path) else {
        tracing::warn!(path = %path.display(), "a link in the repository leads out of it: not served (see --follow-links)");
        return Ok(None);
    };
    let meta = match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => m,
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FilesError::Io(path, e)),
    };
    match &layout.zip_entry {
        None => Ok(Some(Found::Plain {
            path,
            size: meta.len(),
        })),
        Some(_) => Ok(find_entry(&path, file.doi)?.map(Found::Zipped)),
    }
}
