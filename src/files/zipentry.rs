//! Papers inside their zips. The archives are stored uncompressed, so an entry is a byte
//! range of the zip file: found once through the central directory, then served by seeking.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;

use super::FilesError;

/// One entry of a zip archive, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    /// The archive.
    pub zip: PathBuf,
    /// The entry's name as the archive spells it.
    pub name: String,
    /// Its position in the archive's central directory.
    pub index: usize,
    /// Where its (possibly compressed) bytes start in the archive.
    pub data_start: u64,
    /// Its size once extracted.
    pub size: u64,
    /// Whether it is stored without compression (then `data_start..data_start + size` is the file).
    pub stored: bool,
}

/// The comparable form of an entry name or a DOI: percent-decoded, lower case, without `.pdf`.
fn comparable(name: &str) -> String {
    let decoded = percent_decode_str(name.trim())
        .decode_utf8_lossy()
        .to_lowercase();
    match decoded.strip_suffix(".pdf") {
        Some(stem) => stem.to_string(),
        None => decoded,
    }
}

/// Finds the entry of the paper with this DOI in a papers' zip, matching names case-insensitively
/// after percent-decoding (the archives' encoding of some characters is not consistent).
/// Blocking.
pub fn find_entry(zip: &Path, doi: &str) -> Result<Option<ZipEntry>, FilesError> {
    let want = comparable(doi);
    if want.is_empty() {
        return Ok(None);
    }
    let file = std::fs::File::open(zip).map_err(|e| FilesError::Io(zip.to_path_buf(), e))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| FilesError::Zip(zip.to_path_buf(), e))?;
    let index = (0..archive.len()).find(|&i| {
        archive
            .name_for_index(i)
            .is_some_and(|n| comparable(n) == want)
    });
    let Some(index) = index else {
        return Ok(None);
    };
    let entry = archive
        .by_index_raw(index)
        .map_err(|e| FilesError::Zip(zip.to_path_buf(), e))?;
    if entry.is_dir() || entry.encrypted() {
        return Ok(None);
    }
    Ok(Some(ZipEntry {
        zip: zip.to_path_buf(),
        name: entry.name().to_string(),
        index,
        data_start: entry.data_start(),
        size: entry.size(),
        stored: entry.compression() == zip::CompressionMethod::Stored
            && entry.compressed_size() == entry.size(),
    }))
}

/// Finds the entries of several papers in one papers' zip, reading its directory once (as
/// [`find_entry`] matches them). Blocking.
pub fn find_entries(zip: &Path, dois: &[&str]) -> Result<Vec<Option<ZipEntry>>, FilesError> {
    let file = std::fs::File::open(zip).map_err(|e| FilesError::Io(zip.to_path_buf(), e))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| FilesError::Zip(zip.to_path_buf(), e))?;
    let mut by_name: std::collections::HashMap<String, usize> = Default::default();
    for i in 0..archive.len() {
        if let Some(name) = archive.name_for_index(i) {
            by_name.entry(comparable(name)).or_insert(i);
        }
    }
    let mut out = Vec::with_capacity(dois.len());
    for doi in dois {
        let want = comparable(doi);
        let Some(&index) = by_name.get(&want).filter(|_| !want.is_empty()) else {
            out.push(None);
            continue;
        };
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| FilesError::Zip(zip.to_path_buf(), e))?;
        if entry.is_dir() || entry.encrypted() {
            out.push(None);
            continue;
        }
        out.push(Some(ZipEntry {
            zip: zip.to_path_buf(),
            name: entry.name().to_string(),
            index,
            data_start: entry.data_start(),
            size: entry.size(),
            stored: entry.compression() == zip::CompressionMethod::Stored
                && entry.compressed_size() == entry.size(),
        }));
    }
    Ok(out)
}

/// Extracts a (compressed) entry into `out`. Blocking. For stored entries, reading the byte range
/// directly is cheaper; this is the fallback for archives that were recompressed.
pub fn extract_entry(entry: &ZipEntry, out: &mut impl Write) -> Result<u64, FilesError> {
    let io = |e| FilesError::Io(entry.zip.clone(), e);
    let file = std::fs::File::open(&entry.zip).map_err(io)?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| FilesError::Zip(entry.zip.clone(), e))?;
    let mut reader = archive
        .by_index(entry.index)
        .map_err(|e| FilesError::Zip(entry.zip.clone(), e))?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(io)?;
        if n == 0 {
            return Ok(total);
        }
        out.write_all(&buf[..n]).map_err(io)?;
        total += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_after_decoding() {
        assert_eq!(
            comparable("10.1002/%28SICI%29%281997%295%3A1%3C1%3A%3Aaid-nt1%3E3.0.co%3B2-8.pdf"),
            comparable("10.1002/(sici)(1997)5:1<1::aid-nt1>3.0.co;2-8")
        );
        assert_eq!(
            comparable("10.5822/978-1-61091-843-5_15.PDF"),
            "10.5822/978-1-61091-843-5_15"
        );
    }
}
