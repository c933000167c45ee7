//! Reading tables from a folder of extracted table files (a MariaDB data directory, or
//! `libgen_new/` unpacked from the snapshot's archive): `NAME.frm`, `NAME.MYD`, `NAME.MYI`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::MyisamError;
use super::frm::TableDef;
use super::myd::{MydReader, ReaderOptions};
use super::myi::MyiHeader;

/// One table's files in a folder, with its definition and `.MYI` header read.
#[derive(Debug, Clone)]
pub struct TableFiles {
    /// The parsed `.frm`.
    pub def: Arc<TableDef>,
    /// The `.MYI` header (row counts).
    pub header: MyiHeader,
    /// The path of the `.MYD`.
    pub data_path: PathBuf,
}

fn open(path: &Path) -> Result<File, MyisamError> {
    File::open(path).map_err(|source| MyisamError::Open {
        path: path.to_path_buf(),
        source,
    })
}

/// Finds a table's file whatever the case of its extension (`.MYD`/`.myd`).
fn table_file(dir: &Path, name: &str, ext: &str) -> PathBuf {
    let exact = dir.join(format!("{name}.{ext}"));
    if exact.exists() {
        return exact;
    }
    for alt in [ext.to_ascii_lowercase(), ext.to_ascii_uppercase()] {
        let p = dir.join(format!("{name}.{alt}"));
        if p.exists() {
            return p;
        }
    }
    exact
}

impl TableFiles {
    /// Reads the `.frm` and the `.MYI` header of table `name` in `dir`, and checks they agree.
    pub fn open(dir: &Path, name: &str) -> Result<TableFiles, MyisamError> {
        let frm_path = table_file(dir, name, "frm");
        let frm = std::fs::read(&frm_path).map_err(|source| MyisamError::Open {
            path: frm_path.clone(),
            source,
        })?;
        let def = TableDef::from_frm(name, &frm)?;
        let header = MyiHeader::read(name, open(&table_file(dir, name, "MYI"))?)?;
        header.check(&def)?;
        let data_path = table_file(dir, name, "MYD");
        if !data_path.exists() {
            open(&data_path)?;
        }
        Ok(TableFiles {
            def: Arc::new(def),
            header,
            data_path,
        })
    }

    /// A reader of the table's rows (the `.MYI`'s data pointer size filled in).
    pub fn rows(&self, options: ReaderOptions) -> Result<MydReader<File>, MyisamError> {
        let file = open(&self.data_path)?;
        Ok(MydReader::new(
            self.def.clone(),
            file,
            options.with_myi(&self.header),
        ))
    }
}

/// The tables in a folder: names that have a `.frm`, a `.MYD` and a `.MYI`, sorted.
pub fn list_tables(dir: &Path) -> Result<Vec<String>, MyisamError> {
    let entries = std::fs::read_dir(dir).map_err(|source| MyisamError::Open {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut names = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        if let Some(name) = file_name.strip_suffix(".frm") {
            if table_file(dir, name, "MYD").exists() && table_file(dir, name, "MYI").exists() {
                names.push(name.to_string());
            }
        }
    }
    names.sort();
    Ok(names)
}

/// Whether these bytes start a binary `.frm` (a quick test for detecting a folder by content).
pub fn is_frm(first_bytes: &[u8]) -> bool {
    first_bytes.len() >= 3
        && first_bytes[0] == 0xFE
        && first_bytes[1] == 0x01
        && (9..=11).contains(&first_bytes[2])
}
