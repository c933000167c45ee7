//! The header of a `.MYI` index file: the table's row counts and a few facts of its layout. Only
//! the first few hundred bytes are read (the multi-gigabyte key pages after them never are).
//!
//! Layout (integers big-endian): magic `FE FE 07 01`, options (4), header length (6), state length
//! (8), base length (10), base position (12); the state follows the 24-byte header: open count,
//! then live rows (28), deleted blocks (36), split blocks (44), the first deleted block (52), key
//! file length (60), data file length (68). The base block (at the base position) holds the data
//! pointer size (72), the number of record fields (64) and of pack-bit bytes (76).

use std::io::Read;

use super::error::{corrupt, truncated, unsupported, MyisamError, TableFile};
use super::frm::{options, RowFormat, TableDef};

const MAGIC: [u8; 4] = [0xFE, 0xFE, 0x07, 0x01];

/// What the `.MYI` header says of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyiHeader {
    /// Table options (`HA_OPTION_*`, as in the `.frm`).
    pub options: u16,
    /// Live rows.
    pub rows: u64,
    /// Deleted rows (fixed format) or deleted blocks (dynamic format).
    pub deleted: u64,
    /// Blocks in the data file (`split`).
    pub blocks: u64,
    /// Length of the `.MYD` in bytes.
    pub data_file_length: u64,
    /// Number of keys.
    pub keys: u8,
    /// Bytes of a row pointer in the data file (the minimum size of a fixed row is one more).
    pub data_pointer_size: u8,
    /// Fields of MyISAM's record description (columns plus the NULL bitmap).
    pub fields: u32,
    /// Bytes of pack bits of a dynamic row.
    pub pack_bytes: u16,
    /// Bytes of a fixed row as stored.
    pub stored_record_len: u32,
}

fn be(b: &[u8], at: usize, n: usize) -> u64 {
    b[at..at + n].iter().fold(0u64, |v, &x| (v << 8) | x as u64)
}

impl MyiHeader {
    /// The bytes needed from the start of the file to parse the header, given its first 24.
    pub fn needed(first24: &[u8]) -> usize {
        if first24.len() < 24 {
            return 24;
        }
        let base_pos = be(first24, 12, 2) as usize;
        let base_len = be(first24, 10, 2) as usize;
        (base_pos + base_len).max(24 + 80)
    }

    /// Parses the header from the first bytes of the `.MYI` (see [`MyiHeader::needed`]).
    pub fn parse(table: &str, b: &[u8]) -> Result<MyiHeader, MyisamError> {
        let f = TableFile::Myi;
        if b.len() < 24 {
            return Err(truncated(table, f, b.len() as u64, "the 24-byte header"));
        }
        if b[..4] != MAGIC {
            if b[..3] == MAGIC[..3] {
                return Err(unsupported(
                    table,
                    f,
                    2,
                    format!("index file version {}", b[3]),
                ));
            }
            return Err(corrupt(
                table,
                f,
                0,
                "not a MyISAM index file (it starts with FE FE 07 01)",
            ));
        }
        let options = be(b, 4, 2) as u16;
        let state_len = be(b, 8, 2) as usize;
        let base_len = be(b, 10, 2) as usize;
        let base_pos = be(b, 12, 2) as usize;
        if state_len < 76 || base_len < 80 || base_pos < 24 + 76 {
            return Err(corrupt(table, f, 8, "state or base block too short"));
        }
        if b.len() < base_pos + 80 {
            return Err(truncated(
                table,
                f,
                b.len() as u64,
                "the state and base blocks",
            ));
        }
        if options & options::COMPRESS_RECORD != 0 {
            return Err(unsupported(
                table,
                f,
                4,
                "the table is compressed with myisampack",
            ));
        }
        let base = &b[base_pos..];
        Ok(MyiHeader {
            options,
            rows: be(b, 28, 8),
            deleted: be(b, 36, 8),
            blocks: be(b, 44, 8),
            data_file_length: be(b, 68, 8),
            keys: b[18],
            data_pointer_size: base[72],
            fields: be(base, 64, 4) as u32,
            pack_bytes: be(base, 76, 2) as u16,
            stored_record_len: be(base, 48, 4) as u32,
        })
    }

    /// Reads the header from the start of a `.MYI` stream (it reads only the bytes it needs; the
    /// rest of the stream is left unread).
    pub fn read(table: &str, mut src: impl Read) -> Result<MyiHeader, MyisamError> {
        let mut b = vec![0u8; 24];
        read_exact(table, &mut src, &mut b, 0)?;
        let need = MyiHeader::needed(&b);
        if need > 65_536 {
            return Err(corrupt(
                table,
                TableFile::Myi,
                10,
                "implausible header length",
            ));
        }
        b.resize(need, 0);
        read_exact(table, &mut src, &mut b[24..], 24)?;
        MyiHeader::parse(table, &b)
    }

    /// Checks that this index file goes with the table definition: same row format, and the same
    /// record description (number of fields and pack-bit bytes).
    pub fn check(&self, def: &TableDef) -> Result<(), MyisamError> {
        let dynamic = self.options & options::PACK_RECORD != 0;
        if dynamic != (def.row_format == RowFormat::Dynamic) {
            return Err(corrupt(
                &def.name,
                TableFile::Myi,
                4,
                format!(
                    "the index file says {} rows, the .frm the other format",
                    if dynamic { "dynamic" } else { "fixed" }
                ),
            ));
        }
        if self.fields as usize != def.fields.len()
            || (dynamic && self.pack_bytes as usize != def.pack_bytes)
        {
            return Err(corrupt(
                &def.name,
                TableFile::Myi,
                0,
                format!(
                    "the index file describes {} fields and {} pack-bit bytes, the .frm {} and {}",
                    self.fields,
                    self.pack_bytes,
                    def.fields.len(),
                    def.pack_bytes
                ),
            ));
        }
        Ok(())
    }
}

fn read_exact(
    table: &str,
    src: &mut impl Read,
    buf: &mut [u8],
    at: u64,
) -> Result<(), MyisamError> {
    let mut done = 0;
    while done < buf.len() {
        match src.read(&mut buf[done..]) {
            Ok(0) => {
                return Err(truncated(
                    table,
                    TableFile::Myi,
                    at + done as u64,
                    "the header",
                ))
            }
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(MyisamError::Io {
                    table: table.to_string(),
                    file: TableFile::Myi,
                    offset: at + done as u64,
                    source,
                })
            }
        }
    }
    Ok(())
}
