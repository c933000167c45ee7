//! `.torrent` files: their info-hash (SHA-1 of the bencoded `info` dictionary, exactly as
//! written), their file list, magnet links that select one file (`so=`, BEP 53), and the folder of
//! `.torrent` files the portal was given (`--torrents`).
//!
//! A torrent is identified by its info-hash, never by its name alone: libgen.li publishes other
//! torrents under the same `f_*.torrent` names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bendy::decoding::{Decoder, Object};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::FilesError;
use crate::collection::FileLayout;
use crate::Collection;

/// Characters kept as they are in magnet link values.
const MAGNET_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `.torrent` files larger than this are not read.
pub const MAX_TORRENT_BYTES: u64 = 64 * 1024 * 1024;

/// One file listed in a torrent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TorrentFile {
    /// Its path below the torrent's name, `/`-separated (for a single-file torrent: the name).
    pub path: String,
    /// Its size in bytes.
    pub length: u64,
}

/// A parsed `.torrent` file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Torrent {
    /// The SHA-1 of the `info` dictionary.
    #[serde(serialize_with = "hex_serialize")]
    pub info_hash: [u8; 20],
    /// The torrent's name (its folder, or its only file).
    pub name: String,
    /// Its files, in the order of `info.files` (their positions are the indices `so=` takes).
    pub files: Vec<TorrentFile>,
    /// Whether it is a single-file torrent.
    pub single_file: bool,
    /// Trackers (`announce` and `announce-list`), without duplicates.
    pub trackers: Vec<String>,
}

fn hex_serialize<S: serde::Serializer>(hash: &[u8; 20], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex(hash))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn integer(obj: Object<'_, '_>) -> Result<u64, String> {
    let s = obj.try_into_integer().map_err(|e| e.to_string())?;
    s.parse::<u64>().map_err(|_| format!("bad length {s}"))
}

impl Torrent {
    /// Parses the bytes of a `.torrent` file.
    pub fn parse(bytes: &[u8]) -> Result<Torrent, String> {
        let e = |e: bendy::decoding::Error| e.to_string();
        let mut decoder = Decoder::new(bytes).with_max_depth(16);
        let top = decoder.next_object().map_err(e)?.ok_or("empty file")?;
        let mut top = top.try_into_dictionary().map_err(e)?;
        let mut info_raw: Option<&[u8]> = None;
        let mut trackers: Vec<String> = Vec::new();
        while let Some((key, value)) = top.next_pair().map_err(e)? {
            match key {
                b"info" => {
                    info_raw = Some(
                        value
                            .try_into_dictionary()
                            .map_err(e)?
                            .into_raw()
                            .map_err(e)?,
                    )
                }
                b"announce" => {
                    if let Object::Bytes(b) = value {
                        trackers.push(text(b));
                    }
                }
                b"announce-list" => {
                    if let Object::List(mut tiers) = value {
                        while let Some(tier) = tiers.next_object().map_err(e)? {
                            if let Object::List(mut urls) = tier {
                                while let Some(url) = urls.next_object().map_err(e)? {
                                    if let Object::Bytes(b) = url {
                                        trackers.push(text(b));
                                    }
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let info_raw = info_raw.ok_or("no info dictionary")?;
        let info_hash: [u8; 20] = sha1_smol::Sha1::from(info_raw).digest().bytes();
        let mut seen = std::collections::HashSet::new();
        trackers.retain(|t| !t.is_empty() && seen.insert(t.clone()));

        let mut name = None;
        let mut name_utf8 = None;
        let mut length = None;
        let mut files = Vec::new();
        let mut multi = false;
        let mut info = Decoder::new(info_raw).with_max_depth(16);
        let mut dict = info
            .next_object()
            .map_err(e)?
            .ok_or("empty info")?
            .try_into_dictionary()
            .map_err(e)?;
        while let Some((key, value)) = dict.next_pair().map_err(e)? {
            match key {
                b"name" => name = Some(text(value.try_into_bytes().map_err(e)?)),
                b"name.utf-8" => name_utf8 = Some(text(value.try_into_bytes().map_err(e)?)),
                b"length" => length = Some(integer(value)?),
                b"files" => {
                    multi = true;
                    let mut list = value.try_into_list().map_err(e)?;
                    while let Some(item) = list.next_object().map_err(e)? {
                        let mut file = item.try_into_dictionary().map_err(e)?;
                        let mut path: Option<Vec<String>> = None;
                        let mut path_utf8: Option<Vec<String>> = None;
                        let mut len = 0;
                        while let Some((k, v)) = file.next_pair().map_err(e)? {
                            match k {
                                b"length" => len = integer(v)?,
                                b"path" | b"path.utf-8" => {
                                    let mut parts = Vec::new();
                                    let mut l = v.try_into_list().map_err(e)?;
                                    while let Some(p) = l.next_object().map_err(e)? {
                                        parts.push(text(p.try_into_bytes().map_err(e)?));
                                    }
                                    if k == b"path" {
                                        path = Some(parts);
                                    } else {
                                        path_utf8 = Some(parts);
                                    }
                                }
                                _ => {}
                            }
                        }
                        let parts = path_utf8.or(path).ok_or("a file without a path")?;
                        files.push(TorrentFile {
                            path: parts.join("/"),
                            length: len,
                        });
                    }
                }
                _ => {}
            }
        }
        let name = name_utf8.or(name).ok_or("no name")?;
        if !multi {
            let length = length.ok_or("neither length nor files")?;
            files.push(TorrentFile {
                path: name.clone(),
                length,
            });
        }
        Ok(Torrent {
            info_hash,
            name,
            files,
            single_file: !multi,
            trackers,
        })
    }

    /// Reads and parses a `.torrent` file. Blocking.
    pub fn read(path: &Path) -> Result<Torrent, FilesError> {
        let meta = std::fs::metadata(path).map_err(|e| FilesError::Io(path.to_path_buf(), e))?;
        if meta.len() > MAX_TORRENT_BYTES {
            return Err(FilesError::Torrent(path.to_path_buf(), "too large".into()));
        }
        let bytes = std::fs::read(path).map_err(|e| FilesError::Io(path.to_path_buf(), e))?;
        Torrent::parse(&bytes).map_err(|m| FilesError::Torrent(path.to_path_buf(), m))
    }

    /// The info-hash in lower-case hex.
    pub fn info_hash_hex(&self) -> String {
        hex(&self.info_hash)
    }

    /// Total size of its files.
    pub fn size(&self) -> u64 {
        self.files.iter().map(|f| f.length).sum()
    }

    /// The index of the file at `path` (as in [`super::TorrentRef::path_in_torrent`]): the file
    /// whose full path (`name/path`) ends with it, compared case-insensitively, or failing that
    /// the only file with the same last component (the root folder's name is not certain).
    pub fn find_file(&self, path: &str) -> Option<usize> {
        let want = path.trim_matches('/').to_lowercase();
        if want.is_empty() {
            return None;
        }
        let full = |f: &TorrentFile| {
            if self.single_file {
                f.path.to_lowercase()
            } else {
                format!("{}/{}", self.name, f.path).to_lowercase()
            }
        };
        let suffix = format!("/{want}");
        if let Some(i) = self.files.iter().position(|f| {
            let p = full(f);
            p == want || p.ends_with(&suffix)
        }) {
            return Some(i);
        }
        let last = want.rsplit('/').next().unwrap_or(&want);
        let mut same = self.files.iter().enumerate().filter(|(_, f)| {
            f.path
                .rsplit('/')
                .next()
                .is_some_and(|l| l.eq_ignore_ascii_case(last))
        });
        match (same.next(), same.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    }

    /// A magnet link: info-hash, name, trackers, and with `file` (for a multi-file torrent) the
    /// `so=` index that makes a client fetch only that file.
    pub fn magnet(&self, file: Option<usize>) -> String {
        self.magnet_of(file.as_slice())
    }

    /// A magnet link that selects several files (`so=1,4-6,9`, BEP 53): a client fetches only
    /// those. No valid index (or a single-file torrent): the whole torrent.
    pub fn magnet_of(&self, files: &[usize]) -> String {
        let mut link = format!("magnet:?xt=urn:btih:{}", self.info_hash_hex());
        link.push_str("&dn=");
        link.extend(utf8_percent_encode(&self.name, MAGNET_VALUE));
        for tracker in &self.trackers {
            link.push_str("&tr=");
            link.extend(utf8_percent_encode(tracker, MAGNET_VALUE));
        }
        let mut wanted: Vec<usize> = files
            .iter()
            .copied()
            .filter(|i| !self.single_file && *i < self.files.len())
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        if !wanted.is_empty() {
            // Runs of consecutive indices as ranges.
            let mut parts: Vec<String> = Vec::new();
            let mut run = (wanted[0], wanted[0]);
            for &i in &wanted[1..] {
                if i == run.1 + 1 {
                    run.1 = i;
                } else {
                    parts.push(range(run));
                    run = (i, i);
                }
            }
            parts.push(range(run));
            link.push_str("&so=");
            link.push_str(&parts.join(","));
        }
        link
    }
}

fn range((a, b): (usize, usize)) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}-{b}")
    }
}

/// What the torrents page shows of one `.torrent` file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TorrentSummary {
    /// Its file name (`r_1000.torrent`).
    pub file_name: String,
    /// The collection its name says it belongs to.
    pub collection: Option<Collection>,
    /// The first and last record id its name says it covers.
    pub ids: Option<(u64, u64)>,
    /// Info-hash (hex), when it parsed.
    pub info_hash: Option<String>,
    /// Files listed.
    pub files: usize,
    /// Total size of the files.
    pub size: u64,
    /// Why it could not be read, if it could not.
    pub error: Option<String>,
    #[serde(skip)]
    stamp: (u64, Option<SystemTime>),
    /// The lower-case last component of each listed file, for the torrents that follow no
    /// collection's naming (files found by name).
    #[serde(skip)]
    names: std::sync::Arc<Vec<String>>,
}

/// The collection and id range a torrent's name stands for (`r_000.torrent`: sci-tech 0–999,
/// `f_1000.torrent`: fiction 1000–1999, `sm_00000000-00099999.torrent`: papers 0–99999).
pub fn coverage_of_name(name: &str) -> Option<(Collection, u64, u64)> {
    let stem = name.strip_suffix(".torrent")?;
    let digits = |s: &str| {
        (!s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    // Each collection's torrent naming, as its description gives it.
    for info in &crate::collection::INFO {
        match info.files {
            Some(FileLayout::ByMd5 { torrent, .. }) => {
                if let Some(rest) = stem.strip_prefix(torrent) {
                    let n = digits(rest)?;
                    return Some((info.collection, n, n + 999));
                }
            }
            Some(FileLayout::Zips { torrent, .. }) => {
                if let Some(rest) = stem.strip_prefix(torrent) {
                    let (a, b) = rest.split_once('-')?;
                    let (a, b) = (digits(a)?, digits(b)?);
                    return (a <= b).then_some((info.collection, a, b));
                }
            }
            None => {}
        }
    }
    None
}

/// A file name that may name a `.torrent` file in the folder: no separators, no leading dot.
fn plain_torrent_name(name: &str) -> bool {
    name.ends_with(".torrent")
        && !name.starts_with('.')
        && name.len() <= 200
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The folder of `.torrent` files (`--torrents`), as last scanned.
#[derive(Debug, Clone, Default)]
pub struct TorrentShelf {
    dir: Option<PathBuf>,
    torrents: BTreeMap<String, TorrentSummary>,
    /// The files of the torrents that follow no collection's naming (the libgen.li comics,
    /// magazines, standards, Russian fiction sets), by lower-case file name and by that name
    /// without its extension: which torrent lists them and where.
    names: std::sync::Arc<std::collections::HashMap<String, Vec<(String, u32)>>>,
}

/// Where a torrent at hand lists a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The `.torrent` file's name.
    pub torrent: String,
    /// The file's index in it (`so=`).
    pub index: usize,
}

impl TorrentShelf {
    /// An empty shelf for `dir` (scan it with [`TorrentShelf::rescan`]).
    pub fn new(dir: Option<PathBuf>) -> Self {
        TorrentShelf {
            dir,
            torrents: BTreeMap::new(),
            names: Default::default(),
        }
    }

    /// The torrent at hand listing a file of one of these names (`<md5>`, `<md5>.cbz`, the
    /// original file name), compared case-insensitively and, for a name without an extension,
    /// also against the listed names without theirs. `None`: not in any torrent here.
    pub fn find_by_name(&self, names: &[&str]) -> Option<Listed> {
        for name in names {
            let key = name.trim().to_lowercase();
            if key.is_empty() {
                continue;
            }
            if let Some((torrent, index)) = self.names.get(&key).and_then(|v| v.first()) {
                return Some(Listed {
                    torrent: torrent.clone(),
                    index: *index as usize,
                });
            }
        }
        None
    }

    /// The folder, if one was given.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Reads the folder again; files unchanged since the last scan (same size and time) are not
    /// parsed again. Blocking.
    pub fn rescan(&self) -> Result<TorrentShelf, FilesError> {
        let Some(dir) = &self.dir else {
            return Ok(self.clone());
        };
        let entries = std::fs::read_dir(dir).map_err(|e| FilesError::Io(dir.clone(), e))?;
        let mut torrents = BTreeMap::new();
        for entry in entries {
            let entry = entry.map_err(|e| FilesError::Io(dir.clone(), e))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if !plain_torrent_name(&name) {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            let stamp = (meta.len(), meta.modified().ok());
            if let Some(old) = self.torrents.get(&name).filter(|t| t.stamp == stamp) {
                torrents.insert(name, old.clone());
                continue;
            }
            let cover = coverage_of_name(&name);
            let keep_names = cover.is_none();
            let mut summary = TorrentSummary {
                file_name: name.clone(),
                collection: cover.map(|c| c.0),
                ids: cover.map(|c| (c.1, c.2)),
                info_hash: None,
                files: 0,
                size: 0,
                error: None,
                stamp,
                names: Default::default(),
            };
            match Torrent::read(&entry.path()) {
                Ok(t) => {
                    summary.info_hash = Some(t.info_hash_hex());
                    summary.files = t.files.len();
                    summary.size = t.size();
                    if keep_names {
                        summary.names = std::sync::Arc::new(
                            t.files
                                .iter()
                                .map(|f| {
                                    f.path.rsplit('/').next().unwrap_or(&f.path).to_lowercase()
                                })
                                .collect(),
                        );
                    }
                }
                Err(e) => summary.error = Some(e.to_string()),
            }
            torrents.insert(name, summary);
        }
        let mut names: std::collections::HashMap<String, Vec<(String, u32)>> =
            std::collections::HashMap::new();
        for (torrent, summary) in &torrents {
            for (index, file) in summary.names.iter().enumerate() {
                let mut keys = vec![file.clone()];
                if let Some((stem, _)) = file.rsplit_once('.') {
                    keys.push(stem.to_string());
                }
                for key in keys {
                    names
                        .entry(key)
                        .or_default()
                        .push((torrent.clone(), index as u32));
                }
            }
        }
        Ok(TorrentShelf {
            dir: self.dir.clone(),
            torrents,
            names: std::sync::Arc::new(names),
        })
    }

    /// Every `.torrent` file found, by name.
    pub fn torrents(&self) -> impl Iterator<Item = &TorrentSummary> {
        self.torrents.values()
    }

    /// The summary of one `.torrent` file, if it is in the folder.
    pub fn get(&self, file_name: &str) -> Option<&TorrentSummary> {
        self.torrents.get(file_name)
    }

    /// The path of a `.torrent` file that the last scan found (never a path built from other
    /// names).
    pub fn path(&self, file_name: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let known = self.torrents.get_key_value(file_name)?.0;
        Some(dir.join(known))
    }
}

/// Parsed `.torrent` files of the shelf, kept while the shelf's scan says they are unchanged
/// (same info-hash): the result lists read them for magnet links. At most
/// [`TorrentCache::CAPACITY`] are kept.
#[derive(Debug, Default)]
pub struct TorrentCache(
    std::sync::Mutex<std::collections::HashMap<String, (String, std::sync::Arc<Torrent>)>>,
);

impl TorrentCache {
    /// How many parsed torrents are kept.
    pub const CAPACITY: usize = 64;

    /// The parsed `.torrent` file `file_name` of the shelf, if it is there and readable.
    /// Blocking (reads the file when not cached).
    pub fn get(&self, shelf: &TorrentShelf, file_name: &str) -> Option<std::sync::Arc<Torrent>> {
        let hash = shelf.get(file_name)?.info_hash.clone()?;
        let cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((h, t)) = cache.get(file_name) {
            if *h == hash {
                return Some(t.clone());
            }
        }
        drop(cache);
        let torrent = std::sync::Arc::new(Torrent::read(&shelf.path(file_name)?).ok()?);
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= Self::CAPACITY {
            cache.clear();
        }
        cache.insert(file_name.to_string(), (hash, torrent.clone()));
        Some(torrent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal multi-file torrent, bencoded by hand (keys sorted).
    fn sample() -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(b"d8:announce19:http://tracker/anno4:infod5:filesl");
        v.extend_from_slice(b"d6:lengthi3e4:pathl32:7b2a4d53fde834e801c26a2bab7e0240ee");
        v.extend_from_slice(b"d6:lengthi5e4:pathl32:c668b424cee13e5994c85c7ee8f18827ee");
        v.extend_from_slice(b"e4:name1:012:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee");
        v
    }

    #[test]
    fn parses_and_links() {
        let bytes = sample();
        let t = Torrent::parse(&bytes).unwrap();
        assert_eq!(t.name, "0");
        assert_eq!(t.files.len(), 2);
        assert_eq!(t.trackers, ["http://tracker/anno"]);
        let start = bytes.windows(6).position(|w| w == b"4:info").unwrap() + 6;
        let info = &bytes[start..bytes.len() - 1];
        assert_eq!(t.info_hash, sha1_smol::Sha1::from(info).digest().bytes());
        assert_eq!(t.find_file("0/c668b424cee13e5994c85c7ee8f18827"), Some(1));
        assert_eq!(t.find_file("C668B424CEE13E5994C85C7EE8F18827"), Some(1));
        assert_eq!(t.find_file("0/ffffffffffffffffffffffffffffffff"), None);
        let magnet = t.magnet(Some(1));
        assert!(magnet.starts_with(&format!(
            "magnet:?xt=urn:btih:{}&dn=0&tr=http%3A%2F%2Ftracker%2Fanno",
            t.info_hash_hex()
        )));
        assert!(magnet.ends_with("&so=1"));
        assert!(
            t.magnet(Some(7)).ends_with("anno"),
            "no such file: the whole torrent"
        );
        assert!(t.magnet_of(&[1, 0, 1]).ends_with("&so=0-1"));
    }

    #[test]
    fn rejects_garbage() {
        for bytes in [
            &b""[..],
            b"not bencode",
            b"d4:infoi1ee",
            b"de",
            b"d4:infod4:name1:xee",
        ] {
            assert!(
                Torrent::parse(bytes).is_err(),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn names_give_coverage() {
        assert_eq!(
            coverage_of_name("r_000.torrent"),
            Some((Collection::Libgen, 0, 999))
        );
        assert_eq!(
            coverage_of_name("r_23000.torrent"),
            Some((Collection::Libgen, 23000, 23999))
        );
        assert_eq!(
            coverage_of_name("f_1000.torrent"),
            Some((Collection::Fiction, 1000, 1999))
        );
        assert_eq!(
            coverage_of_name("sm_66700000-66799999.torrent"),
            Some((Collection::Scimag, 66_700_000, 66_799_999))
        );
        assert_eq!(coverage_of_name("other.torrent"), None);
        assert!(!plain_torrent_name("../r_000.torrent"));
        assert!(plain_torrent_name("r_000.torrent"));
    }
}
