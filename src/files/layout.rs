//! Where a record's file is in the repository and the torrents, computed from its collection's
//! [`FileLayout`] (`collection.rs` describes each collection's: one file per MD5 in folders per
//! thousand ids, or papers in zips per thousand ids), with `bucket = id - id % 1000` and
//! `block = id - id % 100000`.

use std::path::{Path, PathBuf};

use super::FilesError;
use crate::collection::FileLayout;
use crate::Collection;

/// What a record's location is computed from.
#[derive(Debug, Clone, Copy)]
pub struct FileRef<'a> {
    /// Its collection.
    pub collection: Collection,
    /// Its id.
    pub id: u64,
    /// Its MD5 as stored (checked before use).
    pub md5: &'a str,
    /// Its file extension as stored (checked before use; fiction only).
    pub extension: &'a str,
    /// Its DOI (papers).
    pub doi: &'a str,
}

/// The torrent that carries a record's file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TorrentRef {
    /// The `.torrent` file's name (`r_1000.torrent`).
    pub file_name: String,
    /// The file's path inside the torrent, `/`-separated.
    pub path_in_torrent: String,
}

/// Where a record's file belongs: in the repository and in its torrent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Path relative to the collection's repository folder, `/`-separated (for papers: the zip).
    pub repository_path: String,
    /// For papers: the entry inside the zip, as the archives name it (percent-encoded DOI suffix).
    pub zip_entry: Option<String>,
    /// The torrent.
    pub torrent: TorrentRef,
}

fn is_md5(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A file extension safe to put in a path: dot-separated runs of ASCII letters and digits.
fn safe_extension(ext: &str) -> Option<String> {
    let ext = ext.trim().trim_start_matches('.').to_ascii_lowercase();
    let ok = !ext.is_empty()
        && ext.len() <= 16
        && ext
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
    ok.then_some(ext)
}

/// The name of a record's file in its bucket folder under a [`FileLayout::ByMd5`] layout: its
/// MD5 in lower case, then `.{extension}` when the layout names files with it. Fails when the
/// record lacks what that needs.
pub fn md5_file_name(extension: bool, md5: &str, ext: &str) -> Result<String, FilesError> {
    let md5 = md5.trim();
    if !is_md5(md5) {
        return Err(FilesError::Unlocatable("MD5"));
    }
    let md5 = md5.to_ascii_lowercase();
    if !extension {
        return Ok(md5);
    }
    let ext = safe_extension(ext).ok_or(FilesError::Unlocatable("file extension"))?;
    Ok(format!("{md5}.{ext}"))
}

/// The name of a paper's entry inside its zip: `<DOI prefix>/<suffix, percent-encoded>.pdf`,
/// keeping `A-Z a-z 0-9 - . _` and writing every other byte as `%XX` (upper-case hex).
pub fn paper_entry_name(doi: &str) -> Option<String> {
    let doi = doi.trim();
    let (prefix, suffix) = doi.split_once('/')?;
    if prefix.is_empty() || suffix.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(doi.len() * 2);
    out.push_str(prefix);
    out.push('/');
    for b in suffix.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push_str(".pdf");
    Some(out)
}

impl Layout {
    /// Computes where a record's file belongs (by its collection's [`FileLayout`]). Fails when
    /// the record lacks what that needs.
    pub fn of(file: &FileRef<'_>) -> Result<Layout, FilesError> {
        let bucket = file.id - file.id % 1000;
        match file.collection.info().files {
            None => Err(FilesError::NoRule),
            Some(FileLayout::ByMd5 {
                extension,
                torrent,
                width,
            }) => {
                let rel = format!(
                    "{bucket}/{}",
                    md5_file_name(extension, file.md5, file.extension)?
                );
                Ok(Layout {
                    repository_path: rel.clone(),
                    zip_entry: None,
                    torrent: TorrentRef {
                        file_name: format!("{torrent}{bucket:0width$}.torrent"),
                        path_in_torrent: rel,
                    },
                })
            }
            Some(FileLayout::Zips { zip, torrent }) => {
                let block = file.id - file.id % 100_000;
                let entry = paper_entry_name(file.doi).ok_or(FilesError::Unlocatable("DOI"))?;
                let rel = format!("{block:08}/{zip}{bucket:08}-{:08}.zip", bucket + 999);
                Ok(Layout {
                    repository_path: rel.clone(),
                    zip_entry: Some(entry),
                    torrent: TorrentRef {
                        file_name: format!("{torrent}{block:08}-{:08}.torrent", block + 99_999),
                        path_in_torrent: rel,
                    },
                })
            }
        }
    }
}

/// The local repository: one folder per collection, filled by a BitTorrent client.
#[derive(Debug, Clone, Default)]
pub struct Repository {
    roots: [Option<PathBuf>; Collection::COUNT],
    /// The repository's top folder, where the cover stores are (`covers`, `fictioncovers`).
    top: Option<PathBuf>,
    /// Serve files through symbolic links that lead out of their folder (off: a link a
    /// BitTorrent client made, BEP 47, must not expose `/etc/passwd`).
    follow_links: bool,
}

impl Repository {
    /// A repository with each collection in `root/{slug}` (`root/libgen`, `root/fiction` …)
    /// (none when `root` is `None`).
    pub fn new(root: Option<&Path>) -> Self {
        let mut repo = Repository {
            top: root.map(Path::to_path_buf),
            ..Default::default()
        };
        if let Some(root) = root {
            for c in Collection::ALL {
                repo.roots[c.code() as usize] = Some(root.join(c.slug()));
            }
        }
        repo
    }

    /// Follows symbolic links that lead out of the repository (`--follow-links`).
    pub fn with_links_followed(mut self, follow: bool) -> Self {
        self.follow_links = follow;
        self
    }

    /// `path` with its symbolic links resolved, when it is inside `base` once resolved (or
    /// links are followed by choice); `None` when it leaves it or does not exist. Blocking.
    fn confine(&self, base: &Path, path: &Path) -> Option<PathBuf> {
        if self.follow_links {
            return Some(path.to_path_buf());
        }
        let real = std::fs::canonicalize(path).ok()?;
        let base = std::fs::canonicalize(base).ok()?;
        real.starts_with(&base).then_some(real)
    }

    /// A collection's file at `path` (from [`Repository::path`]), resolved and kept inside the
    /// collection's folder. Blocking.
    pub fn resolve(&self, collection: Collection, path: &Path) -> Option<PathBuf> {
        self.confine(self.root(collection)?, path)
    }

    /// A cover at `path` (from [`Repository::cover`]), resolved and kept inside the
    /// repository. Blocking.
    pub fn resolve_cover(&self, path: &Path) -> Option<PathBuf> {
        self.confine(self.top.as_deref()?, path)
    }

    /// Puts one collection's files in `dir` instead.
    pub fn with_collection(mut self, collection: Collection, dir: PathBuf) -> Self {
        self.roots[collection.code() as usize] = Some(dir);
        self
    }

    /// The folder of a collection, if configured.
    pub fn root(&self, collection: Collection) -> Option<&Path> {
        self.roots[collection.code() as usize].as_deref()
    }

    /// The cover image of a record, from its catalog `coverurl`, with its media type: a relative
    /// path (`0/<md5>.jpg`) is in the collection's cover store (`REPOSITORY/covers` for
    /// sci-tech, `REPOSITORY/fictioncovers` for fiction, `REPOSITORY/covers` for the libgen.li
    /// collections); an absolute `http(s)` URL (the libgen.li snapshot's) where a mirror of the
    /// cover site keeps it, `REPOSITORY/covers/<host>/<path>`. `None` for papers, and anything
    /// but plain path segments of letters, digits, `.`, `-` and `_` ending in an image
    /// extension.
    pub fn cover(&self, collection: Collection, coverurl: &str) -> Option<(PathBuf, &'static str)> {
        let url = coverurl.trim();
        let absolute = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let (store, relative) = match (collection, absolute) {
            (Collection::Scimag, _) => return None,
            (_, Some(rest)) => ("covers", rest.split(['?', '#']).next().unwrap_or_default()),
            (Collection::Fiction, None) => ("fictioncovers", url),
            (_, None) => ("covers", url),
        };
        let kind = match relative.rsplit('.').next()?.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" => "image/jpeg",
            "png" => "image/png",
            "gif" => "image/gif",
            "webp" => "image/webp",
            _ => return None,
        };
        let mut path = self.top.as_ref()?.join(store);
        for part in relative.split('/') {
            let plain = !part.is_empty()
                && part.len() <= 100
                && !part.starts_with('.')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
            if !plain {
                return None;
            }
            path.push(part);
        }
        Some((path, kind))
    }

    /// The absolute path of a relative repository path (as computed by [`Layout::of`]).
    pub fn path(&self, collection: Collection, relative: &str) -> Option<PathBuf> {
        let mut path = self.root(collection)?.to_path_buf();
        for part in relative.split('/') {
            // Computed paths never hold these; refuse them all the same.
            if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
                return None;
            }
            path.push(part);
        }
        Some(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file<'a>(
        collection: Collection,
        id: u64,
        md5: &'a str,
        extension: &'a str,
        doi: &'a str,
    ) -> FileRef<'a> {
        FileRef {
            collection,
            id,
            md5,
            extension,
            doi,
        }
    }

    #[test]
    fn worked_examples() {
        let md5 = "7B2A4D53FDE834E801C26A2BAB7E0240";
        let l = Layout::of(&file(Collection::Libgen, 1, md5, "pdf", "")).unwrap();
        assert_eq!(l.repository_path, "0/7b2a4d53fde834e801c26a2bab7e0240");
        assert_eq!(l.torrent.file_name, "r_000.torrent");
        let l = Layout::of(&file(Collection::Libgen, 23434, md5, "", "")).unwrap();
        assert_eq!(l.repository_path, "23000/7b2a4d53fde834e801c26a2bab7e0240");
        assert_eq!(l.torrent.file_name, "r_23000.torrent");

        let l = Layout::of(&file(Collection::Fiction, 1, md5, "PDF", "")).unwrap();
        assert_eq!(l.repository_path, "0/7b2a4d53fde834e801c26a2bab7e0240.pdf");
        assert_eq!(l.torrent.file_name, "f_0.torrent");

        let zips = Collection::Scimag.zip_prefix().unwrap();
        let l = Layout::of(&file(
            Collection::Scimag,
            66761051,
            "",
            "",
            "10.5822/978-1-61091-843-5_15",
        ))
        .unwrap();
        assert_eq!(l.torrent.file_name, "sm_66700000-66799999.torrent");
        assert_eq!(
            l.repository_path,
            format!("66700000/{zips}66761000-66761999.zip")
        );
        assert_eq!(
            l.zip_entry.as_deref(),
            Some("10.5822/978-1-61091-843-5_15.pdf")
        );

        let l = Layout::of(&file(
            Collection::Scimag,
            1,
            "",
            "",
            "10.1002/(sici)(1997)5:1<1::aid-nt1>3.0.co;2-8",
        ))
        .unwrap();
        assert_eq!(l.torrent.file_name, "sm_00000000-00099999.torrent");
        assert_eq!(
            l.repository_path,
            format!("00000000/{zips}00000000-00000999.zip")
        );
        assert_eq!(
            l.zip_entry.as_deref(),
            Some("10.1002/%28sici%29%281997%295%3A1%3C1%3A%3Aaid-nt1%3E3.0.co%3B2-8.pdf")
        );
    }

    #[test]
    fn covers_come_from_plain_paths_in_the_cover_stores_only() {
        let repo = Repository::new(Some(Path::new("/srv/lib")));
        let (path, kind) = repo.cover(Collection::Libgen, "0/abc.jpg").unwrap();
        assert_eq!(
            (path, kind),
            (PathBuf::from("/srv/lib/covers/0/abc.jpg"), "image/jpeg")
        );
        assert_eq!(
            repo.cover(Collection::Fiction, "12/x-d.PNG").unwrap().0,
            PathBuf::from("/srv/lib/fictioncovers/12/x-d.PNG")
        );
        for bad in [
            "../x.jpg",
            "0/../../etc/passwd.jpg",
            "/etc/x.jpg",
            "http://../x.jpg",
            "https://a/../../b.jpg",
            "https:///b.jpg",
            "0/.x.jpg",
            "0/a.svg",
            "0//a.jpg",
            "0\\a.jpg",
            "",
        ] {
            assert!(repo.cover(Collection::Libgen, bad).is_none(), "{bad}");
        }
        assert!(repo.cover(Collection::Scimag, "0/a.jpg").is_none());
        // The libgen.li snapshot's absolute URLs: where a mirror of the cover site keeps them.
        assert_eq!(
            repo.cover(
                Collection::Comics,
                "https://covers.example.org/12/123.jpg?x=1"
            )
            .unwrap()
            .0,
            PathBuf::from("/srv/lib/covers/covers.example.org/12/123.jpg")
        );
        assert!(Repository::new(None)
            .cover(Collection::Libgen, "0/a.jpg")
            .is_none());
    }

    #[test]
    fn refuses_unsafe_values() {
        assert!(Layout::of(&file(Collection::Libgen, 1, "../../etc/passwd", "", "")).is_err());
        assert!(Layout::of(&file(
            Collection::Fiction,
            1,
            "7b2a4d53fde834e801c26a2bab7e0240",
            "../x",
            ""
        ))
        .is_err());
        assert!(Layout::of(&file(
            Collection::Fiction,
            1,
            "7b2a4d53fde834e801c26a2bab7e0240",
            "",
            ""
        ))
        .is_err());
        assert!(Layout::of(&file(Collection::Scimag, 1, "", "", "nodoi")).is_err());
        let repo = Repository::new(Some(Path::new("/repo")));
        assert_eq!(
            repo.path(Collection::Libgen, "0/abc"),
            Some(PathBuf::from("/repo/libgen/0/abc"))
        );
        assert_eq!(repo.path(Collection::Libgen, "../abc"), None);
        assert_eq!(
            Repository::new(None).path(Collection::Libgen, "0/abc"),
            None
        );
    }
}
