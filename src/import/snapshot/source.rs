//! Where a snapshot's table files come from: a folder of extracted files (`libgen_new/`), or the
//! RAR volume set as published, read member by member without extracting anything. Either way
//! the tables are read in the order the importer asks for them, each table's definition
//! (`.frm`) and row count (`.MYI` header) before its rows (`.MYD`), whatever order the archive
//! stores them in: a non-solid archive lets members be read out of order and skipped.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use crate::dump::rar::{RarArchive, RarMember};
use crate::dump::InputError;
use crate::myisam::{MydReader, MyiHeader, ReaderOptions, TableDef};

use super::SnapshotError;

/// Bytes read from the start of a `.MYI` file: its header (the state block; the keys follow).
const MYI_PREFIX: usize = 64 << 10;

/// The table files of a snapshot.
pub enum Source {
    /// Extracted files in a folder, and the bytes of them read so far.
    Folder(PathBuf, Arc<AtomicU64>),
    /// A RAR archive or volume set (non-solid, as published).
    Rar(Box<RarArchive>),
}

/// A table's definition and the row count its index file holds.
pub struct Table {
    /// Its name (`files`).
    pub name: String,
    /// Its columns and record layout.
    pub def: Arc<TableDef>,
    /// The `.MYI` header: live rows to expect.
    pub header: MyiHeader,
}

/// The file name of an archive member or a path, lower-cased: `libgen_new/Files.MYD` →
/// `files.myd`.
fn file_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase()
}

/// The folder holding a snapshot's `files.frm`: `dir` itself or its `libgen_new/` (any one
/// sub-folder holding it).
fn snapshot_folder(dir: &Path) -> Option<PathBuf> {
    if dir.join("files.frm").is_file() {
        return Some(dir.to_path_buf());
    }
    let entries = std::fs::read_dir(dir).ok()?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("files.frm").is_file())
        .collect();
    found.sort();
    found.into_iter().next()
}

impl Source {
    /// The snapshot at `path`, when it is one: a folder with the table files, or a RAR whose
    /// members are table files (`.frm`, `.MYD`) with a `files` table.
    pub fn detect(path: &Path, password: Option<&[u8]>) -> Result<Option<Source>, InputError> {
        if path.is_dir() {
            return Ok(snapshot_folder(path).map(|d| Source::Folder(d, Arc::default())));
        }
        if !crate::dump::rar::is_rar_name(&path.to_string_lossy()) && !sniff_rar(path) {
            return Ok(None);
        }
        let archive = RarArchive::open(path, password)?;
        let names: Vec<String> = archive
            .members()
            .iter()
            .map(|m| file_name(&m.name))
            .collect();
        let is_snapshot =
            names.iter().any(|n| n == "files.frm") && names.iter().any(|n| n == "files.myd");
        Ok(is_snapshot.then(|| Source::Rar(Box::new(archive))))
    }

    /// What to call it in messages and the `imports` table.
    pub fn name(&self) -> String {
        match self {
            Source::Folder(dir, _) => dir.display().to_string(),
            Source::Rar(a) => a.path().display().to_string(),
        }
    }

    /// The kind of source, for the report.
    pub fn format(&self) -> &'static str {
        match self {
            Source::Folder(..) => "libgen.li snapshot (folder)",
            Source::Rar(_) => "libgen.li snapshot (RAR)",
        }
    }

    /// The size of what is read (all volumes, or all table files), for progress.
    pub fn size(&self) -> Option<u64> {
        match self {
            // What is read of it: the row files.
            Source::Folder(dir, _) => std::fs::read_dir(dir).ok().map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".MYD"))
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            }),
            Source::Rar(a) => Some(a.size()),
        }
    }

    /// Bytes read so far (a RAR's volumes; a folder's tables count through their readers).
    pub fn position(&self) -> Arc<AtomicU64> {
        match self {
            Source::Folder(_, read) => read.clone(),
            Source::Rar(a) => a.position(),
        }
    }

    /// The definition and row count of each table in `tables` that the snapshot has.
    pub fn tables(&self, tables: &[&str]) -> Result<BTreeMap<String, Table>, SnapshotError> {
        let mut out = BTreeMap::new();
        for &name in tables {
            let (frm, myi) = match self {
                Source::Folder(dir, _) => {
                    let frm = dir.join(format!("{name}.frm"));
                    if !frm.is_file() {
                        continue;
                    }
                    let frm = std::fs::read(&frm).map_err(|e| SnapshotError::io(&frm, e))?;
                    let myi_path = dir.join(format!("{name}.MYI"));
                    let mut myi = Vec::new();
                    std::fs::File::open(&myi_path)
                        .and_then(|f| f.take(MYI_PREFIX as u64).read_to_end(&mut myi))
                        .map_err(|e| SnapshotError::io(&myi_path, e))?;
                    (frm, myi)
                }
                Source::Rar(a) => {
                    let (Some(frm), Some(myi)) = (
                        member(a, &format!("{name}.frm")),
                        member(a, &format!("{name}.myi")),
                    ) else {
                        continue;
                    };
                    (
                        a.read_prefix(frm, 1 << 20)?,
                        a.read_prefix(myi, MYI_PREFIX)?,
                    )
                }
            };
            let def = TableDef::from_frm(name, &frm)?;
            let header = MyiHeader::read(name, &myi[..])?;
            out.insert(
                name.to_string(),
                Table {
                    name: name.to_string(),
                    def: Arc::new(def),
                    header,
                },
            );
        }
        Ok(out)
    }

    /// Reads the rows of `tables` (those of them the snapshot has), calling `visit` with each
    /// table's reader in the order the source stores them (archive order, or the order given
    /// for a folder), and checks each table decoded exactly the rows its `.MYI` counts.
    pub fn rows(
        &self,
        tables: &BTreeMap<String, Table>,
        wanted: &[&str],
        options: &ReaderOptions,
        mut visit: impl FnMut(&Table, &mut MydReader<Box<dyn Read + Send>>) -> Result<(), SnapshotError>,
    ) -> Result<(), SnapshotError> {
        let mut check = |table: &Table, reader: &mut MydReader<Box<dyn Read + Send>>| {
            visit(table, reader)?;
            reader.stats().check_rows(&table.name, &table.header)?;
            Ok::<(), SnapshotError>(())
        };
        match self {
            Source::Folder(dir, read) => {
                for &name in wanted {
                    let Some(table) = tables.get(name) else {
                        continue;
                    };
                    let path = dir.join(format!("{name}.MYD"));
                    let file =
                        std::fs::File::open(&path).map_err(|e| SnapshotError::io(&path, e))?;
                    let data: Box<dyn Read + Send> = Box::new(Counted {
                        inner: std::io::BufReader::with_capacity(1 << 20, file),
                        count: read.clone(),
                    });
                    let mut reader = MydReader::new(
                        table.def.clone(),
                        data,
                        options.clone().with_myi(&table.header),
                    );
                    check(table, &mut reader)?;
                }
                Ok(())
            }
            Source::Rar(a) => {
                let is_wanted = |m: &RarMember| {
                    let n = file_name(&m.name);
                    n.strip_suffix(".myd")
                        .is_some_and(|t| wanted.contains(&t) && tables.contains_key(t))
                };
                let mut stream = a
                    .stream(is_wanted)
                    .map_err(|e| SnapshotError::io(a.path(), e))?;
                while let Some(next) = stream.next_member() {
                    let (member, data) = next?;
                    let name = file_name(&member.name);
                    let name = name.trim_end_matches(".myd");
                    let table = &tables[name];
                    let data: Box<dyn Read + Send> = Box::new(data);
                    let mut reader = MydReader::new(
                        table.def.clone(),
                        data,
                        options.clone().with_myi(&table.header),
                    );
                    check(table, &mut reader)?;
                }
                Ok(())
            }
        }
    }
}

/// Counts the bytes read through it, for progress.
struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// The index of the archive member whose file name is `name` (lower case), if any.
fn member(archive: &RarArchive, name: &str) -> Option<usize> {
    archive
        .members()
        .iter()
        .position(|m| !m.is_dir && file_name(&m.name) == name)
}

/// Whether a file starts with the RAR signature (a volume set named otherwise).
fn sniff_rar(path: &Path) -> bool {
    let mut head = [0u8; 7];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head.starts_with(b"Rar!\x1a\x07")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_file_names() {
        assert_eq!(file_name("libgen_new/files.MYD"), "files.myd");
        assert_eq!(file_name("a\\b\\Editions.frm"), "editions.frm");
        assert_eq!(file_name("files.MYI"), "files.myi");
    }
}
