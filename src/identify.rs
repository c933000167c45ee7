//! "Which of my files is this?": the MD5 of every file under a folder, read as a stream
//! (constant memory whatever the file's size) by several threads at once, and what the
//! repository layout's names say a file should hash to (sci-tech files are named by their MD5,
//! fiction files `<md5>.<ext>`). Looking the sums up in the catalog is `lookup`'s work. Reads
//! files; writes nothing, and knows nothing of the catalog.

use std::io::Read;
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};

/// Bytes read at a time from a file.
const CHUNK: usize = 256 * 1024;

/// One file and its MD5.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hashed {
    /// The file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Its MD5 (lower-case hex), or why it could not be read.
    pub md5: Result<String, String>,
}

impl Hashed {
    /// The MD5 its name says it has (`<md5>` or `<md5>.<ext>`, as the repository names files),
    /// if its name is one.
    pub fn named_md5(&self) -> Option<String> {
        named_md5(&self.path)
    }

    /// Whether its name is an MD5 that its content does not have (a damaged copy).
    pub fn mismatch(&self) -> bool {
        match (&self.md5, self.named_md5()) {
            (Ok(sum), Some(named)) => *sum != named,
            _ => false,
        }
    }
}

/// The MD5 a file's name says it has: a name that is 32 hex digits, with or without an
/// extension.
pub fn named_md5(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name.split('.').next().unwrap_or(name);
    (stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| stem.to_ascii_lowercase())
}

/// The MD5 of a stream, read to its end a chunk at a time.
pub fn md5_of(mut reader: impl Read) -> std::io::Result<(String, u64)> {
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    let digest = hasher.finalize();
    Ok((digest.iter().map(|b| format!("{b:02x}")).collect(), total))
}

/// The MD5 of a file. Blocking.
pub fn md5_file(path: &Path) -> std::io::Result<(String, u64)> {
    md5_of(std::fs::File::open(path)?)
}

/// Every regular file under `dir` (symbolic links are not followed), sorted by path. A folder
/// that cannot be read is an error naming it.
pub fn files_under(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", folder.display())))?;
        for entry in entries {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Hashes `paths` on `threads` threads (0: one per core), in their order. Blocking.
pub fn hash_all(paths: &[PathBuf], threads: usize) -> Vec<Hashed> {
    use rayon::prelude::*;
    let hash = |path: &PathBuf| {
        let (md5, size) = match md5_file(path) {
            Ok((sum, size)) => (Ok(sum), size),
            Err(e) => (Err(e.to_string()), 0),
        };
        Hashed {
            path: path.clone(),
            size,
            md5,
        }
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
    match pool {
        Ok(pool) => pool.install(|| paths.par_iter().map(hash).collect()),
        Err(_) => paths.iter().map(hash).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_match_the_reference_values() {
        // RFC 1321's test suite.
        for (input, sum) in [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ] {
            assert_eq!(md5_of(input.as_bytes()).unwrap().0, sum, "{input:?}");
        }
        // Longer than a chunk: the stream is read in pieces.
        let big = vec![7u8; CHUNK * 2 + 3];
        let (sum, size) = md5_of(&big[..]).unwrap();
        assert_eq!(size, big.len() as u64);
        let whole: String = Md5::digest(&big)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sum, whole);
    }

    #[test]
    fn names_and_mismatches() {
        let md5 = "7b2a4d53fde834e801c26a2bab7e0240";
        assert_eq!(
            named_md5(Path::new(&format!("1000/{md5}"))).as_deref(),
            Some(md5)
        );
        assert_eq!(
            named_md5(Path::new(&format!("x/{}.epub", md5.to_uppercase()))).as_deref(),
            Some(md5)
        );
        assert_eq!(named_md5(Path::new("x/book.pdf")), None);
        let h = Hashed {
            path: PathBuf::from(md5),
            size: 1,
            md5: Ok("0cc175b9c0f1b6a831c399e269772661".into()),
        };
        assert!(h.mismatch());
        let h = Hashed {
            md5: Ok(md5.into()),
            ..h
        };
        assert!(!h.mismatch());
    }

    #[test]
    fn walks_and_hashes_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
        std::fs::write(dir.path().join("a.txt"), "a").unwrap();
        std::fs::write(dir.path().join("b/c/abc"), "abc").unwrap();
        std::fs::write(dir.path().join("b/empty"), "").unwrap();
        let files = files_under(dir.path()).unwrap();
        assert_eq!(files.len(), 3);
        let hashed = hash_all(&files, 2);
        let sums: Vec<&str> = hashed.iter().map(|h| h.md5.as_deref().unwrap()).collect();
        assert_eq!(
            sums,
            [
                "0cc175b9c0f1b6a831c399e269772661",
                "900150983cd24fb0d6963f7d28e17f72",
                "d41d8cd98f00b204e9800998ecf8427e"
            ]
        );
        assert!(files_under(&dir.path().join("missing")).is_err());
    }
}
