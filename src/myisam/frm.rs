//! The `.frm` table definition (the binary format MySQL 5.x writes, which MariaDB still writes for
//! these column types) and the MyISAM record layout derived from it.
//!
//! What is read (offsets in the file; integers little-endian):
//! - the 64-byte header: magic `FE 01`, format version (9 or 10), engine code (9 = MyISAM) at 3,
//!   MariaDB's `extra2` length at 4, where the key block starts (6) and its length (14, or 47 when
//!   14 holds `FFFF`), the record length (16), the table options (30), the server version (51), the
//!   length of the extra segment (55) that names the engine;
//! - the position of the 288-byte "forminfo" block (4 bytes at `64 + extra2 length`): the number of
//!   columns (258), the length of the screens to skip (260), of the names (268), of the ENUM/SET
//!   value lists (274), the count of nullable columns (282), the comment and the virtual-column
//!   lengths (284, 286);
//! - one 17-byte entry per column after the screens: byte length (3), position in the record
//!   buffer plus one (5, 3 bytes), flags (8: bit 0 signed, `0x8000` nullable), ENUM list number
//!   (12), type code (13), collation (14, high byte at 11);
//! - the names and the value lists, each `sep value sep value sep … NUL` with `sep` usually `FF`.
//!
//! The record layout then follows what the MyISAM engine does when it creates a table
//! (`table2myisam`): the NULL bitmap comes first (for fixed rows its bit 0 is the "row is live"
//! mark), then the columns in record order; in dynamic rows, VARCHAR keeps only its used bytes,
//! BLOB/TEXT are stored inline after their length, and other columns get a "pack bit": numbers
//! and dates that are all zero bytes are omitted (`SKIP_ZERO`), CHAR loses its trailing spaces
//! (`SKIP_ENDSPACE`), longer non-string columns their leading spaces (`SKIP_PRESPACE`).

use super::error::{corrupt, truncated, unsupported, MyisamError, TableFile};

/// `db_create_options` bits of the `.frm` (MySQL's `HA_OPTION_*`).
pub mod options {
    /// Rows have variable length ("dynamic" row format).
    pub const PACK_RECORD: u16 = 1;
    /// Keys are prefix-compressed (the index only).
    pub const PACK_KEYS: u16 = 2;
    /// The table was compressed with `myisampack` (read-only).
    pub const COMPRESS_RECORD: u16 = 4;
    /// Blob pointers are 8 bytes in the record buffer (always set by MySQL 5.x and MariaDB).
    pub const LONG_BLOB_PTR: u16 = 8;
    /// Each row carries a one-byte checksum (`CHECKSUM=1`).
    pub const CHECKSUM: u16 = 32;
    /// Keys are written lazily (the index only).
    pub const DELAY_KEY_WRITE: u16 = 64;
}

/// The type of a column, from its `.frm` type code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// `TINYINT` (1 byte).
    TinyInt,
    /// `SMALLINT` (2 bytes).
    SmallInt,
    /// `MEDIUMINT` (3 bytes).
    MediumInt,
    /// `INT` (4 bytes).
    Int,
    /// `BIGINT` (8 bytes).
    BigInt,
    /// `FLOAT` (4 bytes, IEEE).
    Float,
    /// `DOUBLE` (8 bytes, IEEE).
    Double,
    /// `DECIMAL(precision, scale)` in MySQL's binary form.
    Decimal {
        /// Total digits.
        precision: u8,
        /// Digits after the point.
        scale: u8,
    },
    /// `YEAR` (1 byte, years since 1900; 0 is `0000`).
    Year,
    /// `DATE` (3 bytes: day, month, year in bit fields).
    Date,
    /// `DATETIME` in the MySQL 5.6+ format (`DATETIME2`, 5 bytes plus fractions).
    DateTime {
        /// Digits of fractional seconds (0–6).
        fsp: u8,
    },
    /// `TIMESTAMP` in the MySQL 5.6+ format (`TIMESTAMP2`: seconds since 1970 UTC, big-endian).
    Timestamp {
        /// Digits of fractional seconds (0–6).
        fsp: u8,
    },
    /// `DATETIME` in the pre-5.6 format (8 bytes, the number `YYYYMMDDhhmmss`).
    LegacyDateTime,
    /// `TIMESTAMP` in the pre-5.6 format (4 bytes, seconds since 1970 UTC, little-endian).
    LegacyTimestamp,
    /// `CHAR(n)` / `BINARY(n)`: fixed bytes, padded with spaces (or zero bytes for binary).
    Char,
    /// `VARCHAR(n)` / `VARBINARY(n)`: a 1- or 2-byte length and the bytes.
    VarChar,
    /// `TINYTEXT` … `LONGTEXT`, `TINYBLOB` … `LONGBLOB`: a 1–4-byte length and the bytes.
    Blob,
    /// `ENUM(…)`: the 1-based number of the value (0 is the empty "error" value).
    Enum,
    /// `SET(…)`: a bit mask of the values.
    Set,
}

/// How MyISAM stores a column of a dynamic row (MyISAM's `en_fieldtype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    /// Stored as in the record buffer, no pack bit.
    Normal,
    /// Omitted, with its pack bit set, when all its bytes are zero.
    SkipZero,
    /// Trailing spaces cut, with a length byte, when that is shorter (pack bit set).
    SkipEndspace,
    /// Leading spaces cut, with a length byte, when that is shorter (pack bit set).
    SkipPrespace,
    /// Only the used bytes after the length (no pack bit).
    VarChar,
    /// The length and then the bytes inline; pack bit set when empty.
    Blob,
}

impl Packing {
    /// Whether the column has a bit in the row's pack-bit bytes.
    pub fn has_pack_bit(self) -> bool {
        matches!(
            self,
            Packing::SkipZero | Packing::SkipEndspace | Packing::SkipPrespace | Packing::Blob
        )
    }
}

/// Row format of the `.MYD` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFormat {
    /// Every row is `record_len` bytes (MyISAM "static" rows).
    Fixed,
    /// Variable-length rows in blocks that can be split and linked (MyISAM "packed"/dynamic).
    Dynamic,
}

/// Where a nullable column's NULL flag is: a byte of the record and a bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NullBit {
    /// Byte of the record buffer (the bitmap starts the record).
    pub byte: usize,
    /// Mask of the bit in that byte.
    pub mask: u8,
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// The `.frm` type code (MySQL's `enum_field_types`: 3 INT, 15 VARCHAR, 17 TIMESTAMP2, …).
    pub type_code: u8,
    /// The decoded type.
    pub column_type: ColumnType,
    /// The `.frm` length: display width for numbers, bytes for strings (4 per character in
    /// utf8mb4), 8 for blobs.
    pub length: u32,
    /// The `.frm` flags (`pack_flag`).
    pub flags: u16,
    /// Numbers only: unsigned.
    pub unsigned: bool,
    /// `NULL` allowed.
    pub nullable: bool,
    /// Collation number (224 utf8mb4_unicode_ci, 45 utf8mb4_general_ci, 8 latin1, 63 binary…).
    pub collation: u16,
    /// ENUM and SET: the values, in order.
    pub values: Vec<String>,
    /// Position in the record buffer (the fixed row), counted from 0.
    pub offset: usize,
    /// Bytes in the record buffer.
    pub pack_length: usize,
    /// Bytes of the length prefix: VARCHAR 1 or 2, BLOB 1–4; 0 otherwise.
    pub length_bytes: usize,
    /// Where the NULL flag is, for nullable columns.
    pub null_bit: Option<NullBit>,
    /// How a dynamic row stores it.
    pub packing: Packing,
}

impl Column {
    /// Whether the collation is `binary` (BINARY, VARBINARY, BLOB): bytes, not text.
    pub fn is_binary(&self) -> bool {
        self.collation == 63
    }

    /// Whether the column holds text in a Latin-1 collation (to be decoded as such, not UTF-8).
    pub fn is_latin1(&self) -> bool {
        matches!(self.collation, 5 | 8 | 15 | 31 | 47 | 48 | 49 | 94)
    }
}

/// One field of MyISAM's record description: a column or the bytes before/between columns (the
/// NULL bitmap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecField {
    /// How it is stored in a dynamic row.
    pub packing: Packing,
    /// Bytes in the record buffer.
    pub len: usize,
    /// The column, or `None` for the bitmap/gap bytes.
    pub column: Option<usize>,
}

/// A table's definition and record layout, parsed from its `.frm`.
#[derive(Debug, Clone)]
pub struct TableDef {
    /// The table name (used in messages).
    pub name: String,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// Length of the record buffer (MySQL's `reclength`): the size of a fixed row.
    pub record_len: usize,
    /// Nullable columns.
    pub null_fields: usize,
    /// Bytes of the NULL bitmap at the start of the record.
    pub null_bytes: usize,
    /// `db_create_options` (see [`options`]).
    pub options: u16,
    /// Fixed or dynamic rows.
    pub row_format: RowFormat,
    /// Columns with a pack bit (dynamic rows only).
    pub pack_bits: usize,
    /// Bytes of pack bits at the start of a dynamic row (`(pack_bits + 7) / 8`).
    pub pack_bytes: usize,
    /// The version of the server that wrote the `.frm` (`100511` = 10.5.11, `50744` = 5.7.44).
    pub mysql_version: u32,
    /// The table's default collation.
    pub collation: u16,
    /// A one-byte checksum ends each row.
    pub checksum: bool,
    /// MyISAM's record description, in record order.
    pub(crate) fields: Vec<RecField>,
    /// Smallest possible length of a packed dynamic row (a sanity check).
    pub(crate) min_pack_len: usize,
}

/// MySQL type codes (`enum_field_types`).
mod code {
    pub const DECIMAL_OLD: u8 = 0;
    pub const TINY: u8 = 1;
    pub const SHORT: u8 = 2;
    pub const LONG: u8 = 3;
    pub const FLOAT: u8 = 4;
    pub const DOUBLE: u8 = 5;
    pub const TIMESTAMP: u8 = 7;
    pub const LONGLONG: u8 = 8;
    pub const INT24: u8 = 9;
    pub const DATE_OLD: u8 = 10;
    pub const TIME: u8 = 11;
    pub const DATETIME: u8 = 12;
    pub const YEAR: u8 = 13;
    pub const NEWDATE: u8 = 14;
    pub const VARCHAR: u8 = 15;
    pub const BIT: u8 = 16;
    pub const TIMESTAMP2: u8 = 17;
    pub const DATETIME2: u8 = 18;
    pub const TIME2: u8 = 19;
    pub const NEWDECIMAL: u8 = 246;
    pub const ENUM: u8 = 247;
    pub const SET: u8 = 248;
    pub const TINY_BLOB: u8 = 249;
    pub const MEDIUM_BLOB: u8 = 250;
    pub const LONG_BLOB: u8 = 251;
    pub const BLOB: u8 = 252;
    pub const VAR_STRING: u8 = 253;
    pub const STRING: u8 = 254;
    pub const GEOMETRY: u8 = 255;
}

/// A readable name for a type code, for messages.
fn type_name(code: u8) -> &'static str {
    match code {
        code::DECIMAL_OLD => "DECIMAL (pre-5.0)",
        code::TINY => "TINYINT",
        code::SHORT => "SMALLINT",
        code::LONG => "INT",
        code::FLOAT => "FLOAT",
        code::DOUBLE => "DOUBLE",
        6 => "NULL",
        code::TIMESTAMP => "TIMESTAMP",
        code::LONGLONG => "BIGINT",
        code::INT24 => "MEDIUMINT",
        code::DATE_OLD => "DATE (pre-5.0)",
        code::TIME => "TIME",
        code::DATETIME => "DATETIME",
        code::YEAR => "YEAR",
        code::NEWDATE => "DATE",
        code::VARCHAR => "VARCHAR",
        code::BIT => "BIT",
        code::TIMESTAMP2 => "TIMESTAMP",
        code::DATETIME2 => "DATETIME",
        code::TIME2 => "TIME",
        245 => "JSON (MySQL 5.7)",
        code::NEWDECIMAL => "DECIMAL",
        code::ENUM => "ENUM",
        code::SET => "SET",
        code::TINY_BLOB => "TINYBLOB/TINYTEXT",
        code::MEDIUM_BLOB => "MEDIUMBLOB/MEDIUMTEXT",
        code::LONG_BLOB => "LONGBLOB/LONGTEXT",
        code::BLOB => "BLOB/TEXT",
        code::VAR_STRING => "VARCHAR (pre-5.0)",
        code::STRING => "CHAR",
        code::GEOMETRY => "GEOMETRY",
        _ => "unknown",
    }
}

const FRM_HEADER: usize = 64;
const FORMINFO_SIZE: usize = 288;
const FIELD_ENTRY: usize = 17;
const FLAG_MAYBE_NULL: u16 = 0x8000;
const FLAG_BLOB: u16 = 1024;
const FLAG_SIGNED: u16 = 1;
/// Legacy engine code of MyISAM in the `.frm` header.
const DB_TYPE_MYISAM: u8 = 9;

fn u16le(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u24le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], 0])
}

fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Splits a `.frm` value list (`sep v1 sep v2 sep … NUL`) starting at `at`; returns the values and
/// the position after the NUL.
fn split_typelib(b: &[u8], mut at: usize, end: usize) -> Option<(Vec<Vec<u8>>, usize)> {
    let mut values = Vec::new();
    if at >= end {
        return None;
    }
    let sep = b[at];
    if sep == 0 {
        return Some((values, at + 1));
    }
    at += 1;
    loop {
        let start = at;
        while at < end && b[at] != sep && b[at] != 0 {
            at += 1;
        }
        if at >= end {
            return None;
        }
        if b[at] == 0 {
            return Some((values, at + 1));
        }
        values.push(b[start..at].to_vec());
        at += 1;
    }
}

/// Bytes of the binary form of a DECIMAL with so many digits in a group of fewer than 9.
const DIG2BYTES: [usize; 10] = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

/// Bytes MySQL's binary DECIMAL takes.
pub(crate) fn decimal_bin_size(precision: u8, scale: u8) -> usize {
    let intg = (precision - scale) as usize;
    let frac = scale as usize;
    (intg / 9) * 4 + DIG2BYTES[intg % 9] + (frac / 9) * 4 + DIG2BYTES[frac % 9]
}

impl TableDef {
    /// Parses a `.frm` file. `name` is only used in messages and [`TableDef::name`].
    pub fn from_frm(name: &str, frm: &[u8]) -> Result<TableDef, MyisamError> {
        let t = name;
        let f = TableFile::Frm;
        let need = |len: usize, what: &str| -> Result<(), MyisamError> {
            if frm.len() < len {
                Err(truncated(t, f, frm.len() as u64, what))
            } else {
                Ok(())
            }
        };
        need(FRM_HEADER, "the 64-byte header")?;
        if frm[0] != 0xFE || frm[1] != 0x01 {
            return Err(corrupt(
                t,
                f,
                0,
                "not a table definition (.frm files start with FE 01)",
            ));
        }
        // 9: MySQL 4.1 (no true VARCHAR), 10: MySQL 5.0+ and MariaDB, 11: MariaDB 10.2+ with
        // expressions (DEFAULT expressions, CHECK, generated columns); older ones use 11-byte
        // column entries.
        let frm_version = frm[2];
        if !(9..=11).contains(&frm_version) {
            return Err(unsupported(
                t,
                f,
                2,
                format!(".frm format version {frm_version} (9 to 11 expected)"),
            ));
        }
        let options = u16le(frm, 30);
        let record_len = u16le(frm, 16) as usize;
        let mysql_version = u32le(frm, 51);
        let collation = ((frm[41] as u16) << 8) | frm[38] as u16;
        if frm[32] != 0 {
            return Err(unsupported(
                t,
                f,
                32,
                "a pre-3.23 .frm (NULL bits after the columns)",
            ));
        }

        // The engine: its legacy code, and its name in the extra segment.
        let key_start = u16le(frm, 6) as usize;
        let key_len = match u16le(frm, 14) {
            0xFFFF => u32le(frm, 47) as usize,
            n => n as usize,
        };
        let defaults_at = key_start + key_len;
        let extra_len = u32le(frm, 55) as usize;
        if frm[3] != DB_TYPE_MYISAM {
            let engine = engine_name(frm, defaults_at + record_len, extra_len)
                .unwrap_or_else(|| format!("engine code {}", frm[3]));
            return Err(unsupported(
                t,
                f,
                3,
                format!("the table's engine is {engine}, not MyISAM"),
            ));
        }
        if options & options::COMPRESS_RECORD != 0 {
            return Err(unsupported(
                t,
                f,
                30,
                "the table is compressed with myisampack",
            ));
        }

        // MariaDB's extra2 segment sits between the header and the forminfo pointer.
        let extra2_len = u16le(frm, 4) as usize;
        need(FRM_HEADER + extra2_len + 4, "the forminfo pointer")?;
        let forminfo = u32le(frm, FRM_HEADER + extra2_len) as usize;
        if forminfo == 0 {
            return Err(corrupt(
                t,
                f,
                (FRM_HEADER + extra2_len) as u64,
                "no forminfo block",
            ));
        }
        need(forminfo + FORMINFO_SIZE, "the forminfo block")?;
        let fi = &frm[forminfo..forminfo + FORMINFO_SIZE];
        let fields = u16le(fi, 258) as usize;
        let screens = u16le(fi, 260) as usize;
        let names_len = u16le(fi, 268) as usize;
        let interval_count = u16le(fi, 270) as usize;
        let intervals_len = u16le(fi, 274) as usize;
        let null_fields = u16le(fi, 282) as usize;
        let comments_len = u16le(fi, 284) as usize;
        let vcol_len = u16le(fi, 286) as usize;

        let entries_at = forminfo + FORMINFO_SIZE + screens;
        let names_at = entries_at + fields * FIELD_ENTRY;
        let intervals_at = names_at + names_len;
        let comments_at = intervals_at + intervals_len;
        let vcol_at = comments_at + comments_len;
        need(
            vcol_at + vcol_len,
            "the column entries, names and value lists",
        )?;

        let (names, _) = split_typelib(frm, names_at, names_at + names_len)
            .ok_or_else(|| corrupt(t, f, names_at as u64, "unterminated list of column names"))?;
        if names.len() != fields {
            return Err(corrupt(
                t,
                f,
                names_at as u64,
                format!("{} column names for {fields} columns", names.len()),
            ));
        }
        let mut intervals = Vec::with_capacity(interval_count);
        let mut at = intervals_at;
        for _ in 0..interval_count {
            let (values, next) = split_typelib(frm, at, intervals_at + intervals_len)
                .ok_or_else(|| corrupt(t, f, at as u64, "unterminated ENUM/SET value list"))?;
            intervals.push(values);
            at = next;
        }
        check_virtual_columns(t, frm, vcol_at, vcol_len, frm_version)?;

        let dynamic = options & options::PACK_RECORD != 0;
        let mut null_byte = 0usize;
        // Fixed rows keep bit 0 of the first byte as the "live row" mark.
        let mut null_bit_pos = if dynamic { 0u32 } else { 1 };
        let mut columns = Vec::with_capacity(fields);
        for (i, raw_name) in names.iter().enumerate() {
            let e = entries_at + i * FIELD_ENTRY;
            let entry = &frm[e..e + FIELD_ENTRY];
            let length = u16le(entry, 3) as u32;
            let recpos = u24le(entry, 5) as usize;
            let flags = u16le(entry, 8);
            let interval_nr = entry[12] as usize;
            let type_code = entry[13];
            let col_collation = ((entry[11] as u16) << 8) | entry[14] as u16;
            let name = String::from_utf8_lossy(raw_name).into_owned();
            let nullable = flags & FLAG_MAYBE_NULL != 0;
            let refuse = |why: &str| {
                unsupported(
                    t,
                    f,
                    e as u64,
                    format!(
                        "column `{name}` has type {type_code} ({}){why}",
                        type_name(type_code)
                    ),
                )
            };
            let values: Vec<String> = if matches!(type_code, code::ENUM | code::SET) {
                if interval_nr == 0 || interval_nr > intervals.len() {
                    return Err(corrupt(
                        t,
                        f,
                        (e + 12) as u64,
                        format!(
                            "column `{name}` names value list {interval_nr} of {}",
                            intervals.len()
                        ),
                    ));
                }
                if matches!(
                    col_collation,
                    35 | 54 | 60 | 90 | 101 | 128 | 159 | 160 | 183
                ) {
                    return Err(refuse(" in a UCS-2/UTF-16/UTF-32 collation"));
                }
                intervals[interval_nr - 1]
                    .iter()
                    .map(|v| String::from_utf8_lossy(v).into_owned())
                    .collect()
            } else {
                Vec::new()
            };
            let fsp_of = |base: u32| -> Result<u8, MyisamError> {
                match length {
                    l if l == base => Ok(0),
                    l if l >= base + 2 && l <= base + 7 => Ok((l - base - 1) as u8),
                    _ => Err(refuse(&format!(" with an unexpected length {length}"))),
                }
            };
            let (column_type, pack_length, length_bytes) = match type_code {
                code::TINY => (ColumnType::TinyInt, 1, 0),
                code::SHORT => (ColumnType::SmallInt, 2, 0),
                code::INT24 => (ColumnType::MediumInt, 3, 0),
                code::LONG => (ColumnType::Int, 4, 0),
                code::LONGLONG => (ColumnType::BigInt, 8, 0),
                code::FLOAT => (ColumnType::Float, 4, 0),
                code::DOUBLE => (ColumnType::Double, 8, 0),
                code::YEAR => (ColumnType::Year, 1, 0),
                code::NEWDATE => (ColumnType::Date, 3, 0),
                code::DATETIME2 => {
                    let fsp = fsp_of(19)?;
                    (
                        ColumnType::DateTime { fsp },
                        5 + (fsp as usize).div_ceil(2),
                        0,
                    )
                }
                code::TIMESTAMP2 => {
                    let fsp = fsp_of(19)?;
                    (
                        ColumnType::Timestamp { fsp },
                        4 + (fsp as usize).div_ceil(2),
                        0,
                    )
                }
                code::DATETIME => {
                    if fsp_of(19)? != 0 {
                        return Err(refuse(" with fractional seconds in the pre-5.6 format"));
                    }
                    (ColumnType::LegacyDateTime, 8, 0)
                }
                code::TIMESTAMP => {
                    if fsp_of(19)? != 0 {
                        return Err(refuse(" with fractional seconds in the pre-5.6 format"));
                    }
                    (ColumnType::LegacyTimestamp, 4, 0)
                }
                code::NEWDECIMAL => {
                    let dec_mask = if mysql_version >= 100200 { 63 } else { 31 };
                    let scale = ((flags >> 8) & dec_mask) as u32;
                    let unsigned = flags & FLAG_SIGNED == 0;
                    let precision = length - (scale > 0) as u32 - (!unsigned && length > 0) as u32;
                    if precision == 0 || precision > 65 || scale > 38 || scale > precision {
                        return Err(refuse(&format!(
                            " with precision {precision} and scale {scale}"
                        )));
                    }
                    let (p, s) = (precision as u8, scale as u8);
                    (
                        ColumnType::Decimal {
                            precision: p,
                            scale: s,
                        },
                        decimal_bin_size(p, s),
                        0,
                    )
                }
                code::STRING => (ColumnType::Char, length as usize, 0),
                code::VARCHAR => {
                    let lb = if length < 256 { 1 } else { 2 };
                    (ColumnType::VarChar, length as usize + lb, lb)
                }
                code::TINY_BLOB | code::BLOB | code::MEDIUM_BLOB | code::LONG_BLOB => {
                    let lb = match type_code {
                        code::TINY_BLOB => 1,
                        code::BLOB => 2,
                        code::MEDIUM_BLOB => 3,
                        _ => 4,
                    };
                    (ColumnType::Blob, lb + 8, lb)
                }
                code::ENUM => (ColumnType::Enum, if values.len() < 256 { 1 } else { 2 }, 0),
                code::SET => {
                    let bytes = match values.len().div_ceil(8) {
                        5.. => 8,
                        n => n,
                    };
                    (ColumnType::Set, bytes, 0)
                }
                _ => return Err(refuse(", which this reader does not decode")),
            };
            if type_code == code::STRING && flags & FLAG_BLOB != 0 {
                return Err(refuse(" flagged as a blob"));
            }
            let offset = recpos.checked_sub(1).ok_or_else(|| {
                corrupt(
                    t,
                    f,
                    (e + 5) as u64,
                    format!("column `{name}` at record position 0"),
                )
            })?;
            if offset + pack_length > record_len {
                return Err(corrupt(
                    t,
                    f,
                    (e + 5) as u64,
                    format!(
                        "column `{name}` ({pack_length} bytes at {offset}) passes the record length {record_len}"
                    ),
                ));
            }
            let null_bit = if nullable {
                let bit = NullBit {
                    byte: null_byte,
                    mask: 1 << null_bit_pos,
                };
                null_bit_pos += 1;
                if null_bit_pos == 8 {
                    null_bit_pos = 0;
                    null_byte += 1;
                }
                Some(bit)
            } else {
                None
            };
            let is_number = matches!(
                column_type,
                ColumnType::TinyInt
                    | ColumnType::SmallInt
                    | ColumnType::MediumInt
                    | ColumnType::Int
                    | ColumnType::BigInt
                    | ColumnType::Float
                    | ColumnType::Double
                    | ColumnType::Decimal { .. }
            );
            let zerofill = is_number && flags & 4 != 0;
            // `table2myisam`: the MyISAM field type of the column.
            let packing = match column_type {
                ColumnType::Blob => Packing::Blob,
                ColumnType::VarChar => Packing::VarChar,
                _ if !dynamic => Packing::Normal,
                // The old TIMESTAMP carries ZEROFILL_FLAG (for 4.0 compatibility).
                ColumnType::LegacyTimestamp => Packing::Normal,
                // `zero_pack()` is false for CHAR, ENUM, YEAR, DECIMAL and TIMESTAMP (MariaDB's
                // `myisamchk -dvv` shows "no prespace" for a TIMESTAMP, "no zeros" for a SET).
                ColumnType::Char
                | ColumnType::Enum
                | ColumnType::Year
                | ColumnType::Decimal { .. }
                | ColumnType::Timestamp { .. } => {
                    if pack_length <= 3 || zerofill {
                        Packing::Normal
                    } else if column_type == ColumnType::Char {
                        Packing::SkipEndspace
                    } else {
                        Packing::SkipPrespace
                    }
                }
                _ => Packing::SkipZero,
            };
            columns.push(Column {
                name,
                type_code,
                column_type,
                length,
                flags,
                unsigned: is_number && flags & FLAG_SIGNED == 0,
                nullable,
                collation: col_collation,
                values,
                offset,
                pack_length,
                length_bytes,
                null_bit,
                packing,
            });
        }
        let counted_nulls = columns.iter().filter(|c| c.nullable).count();
        if counted_nulls != null_fields {
            return Err(corrupt(
                t,
                f,
                (forminfo + 282) as u64,
                format!("{null_fields} nullable columns announced, {counted_nulls} flagged"),
            ));
        }
        let null_bytes = (null_fields + if dynamic { 0 } else { 1 }).div_ceil(8);

        // MyISAM's record description: columns in record order, with the bytes before and
        // between them as plain fields.
        let mut order: Vec<usize> = (0..columns.len()).collect();
        order.sort_by_key(|&i| (columns[i].offset, columns[i].pack_length));
        let mut fields_out = Vec::with_capacity(columns.len() + 1);
        let mut recpos = 0usize;
        for &i in &order {
            let c = &columns[i];
            if c.offset < recpos {
                return Err(corrupt(
                    t,
                    f,
                    (entries_at + i * FIELD_ENTRY + 5) as u64,
                    format!("column `{}` overlaps the one before it", c.name),
                ));
            }
            if c.offset > recpos {
                fields_out.push(RecField {
                    packing: Packing::Normal,
                    len: c.offset - recpos,
                    column: None,
                });
            }
            fields_out.push(RecField {
                packing: c.packing,
                len: c.pack_length,
                column: Some(i),
            });
            recpos = c.offset + c.pack_length;
        }
        if recpos < record_len {
            fields_out.push(RecField {
                packing: Packing::Normal,
                len: record_len - recpos,
                column: None,
            });
        }
        if columns.first().is_some_and(|c| c.offset < null_bytes) {
            return Err(corrupt(
                t,
                f,
                entries_at as u64,
                "the first column overlaps the NULL bitmap",
            ));
        }
        let pack_bits = fields_out
            .iter()
            .filter(|r| r.packing.has_pack_bit())
            .count();
        let pack_bytes = if dynamic { pack_bits.div_ceil(8) } else { 0 };
        let checksum = options & options::CHECKSUM != 0;
        // `mi_create`'s min_pack_length: what a row needs at least.
        let min_pack_len = pack_bytes
            + fields_out
                .iter()
                .map(|r| match r.packing {
                    Packing::Normal => r.len,
                    Packing::SkipEndspace | Packing::SkipPrespace => 1,
                    Packing::VarChar => 1,
                    Packing::SkipZero | Packing::Blob => 0,
                })
                .sum::<usize>();
        Ok(TableDef {
            name: name.to_string(),
            columns,
            record_len,
            null_fields,
            null_bytes,
            options,
            row_format: if dynamic {
                RowFormat::Dynamic
            } else {
                RowFormat::Fixed
            },
            pack_bits,
            pack_bytes,
            mysql_version,
            collation,
            checksum,
            fields: fields_out,
            min_pack_len,
        })
    }

    /// The index of the column with this name (ASCII case-insensitive, as MySQL compares them).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }
}

/// The engine name in the `.frm` extra segment, if there is one.
fn engine_name(frm: &[u8], at: usize, len: usize) -> Option<String> {
    if len < 4 || at + len > frm.len() {
        return None;
    }
    let connect = u16le(frm, at) as usize;
    let e = at + 2 + connect;
    if e + 2 > at + len {
        return None;
    }
    let n = u16le(frm, e) as usize;
    frm.get(e + 2..e + 2 + n)
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

/// Refuses generated columns and hidden hash columns: their place in the record follows other
/// rules. MariaDB 10.2+ also keeps DEFAULT expressions and CHECK constraints here, which are
/// harmless.
fn check_virtual_columns(
    t: &str,
    frm: &[u8],
    at: usize,
    len: usize,
    frm_version: u8,
) -> Result<(), MyisamError> {
    if len == 0 {
        return Ok(());
    }
    if frm_version < 11 {
        return Err(unsupported(
            t,
            TableFile::Frm,
            at as u64,
            "generated (virtual) columns",
        ));
    }
    // MariaDB 10.2+ (version 11): a 16-byte header, then entries of a 6-byte header (type,
    // column number, expression length, name length), the name and the expression. Type 0 is a
    // virtual column, 1 a stored generated one, 5 the hidden hash of a long UNIQUE key.
    let mut p = at + 16;
    let end = at + len;
    while p < end {
        if p + 6 > end {
            return Err(corrupt(
                t,
                TableFile::Frm,
                p as u64,
                "cut-short expression entry",
            ));
        }
        let kind = frm[p];
        let expr_len = u16le(frm, p + 3) as usize;
        let name_len = frm[p + 5] as usize;
        if kind <= 1 || kind == 5 {
            return Err(unsupported(
                t,
                TableFile::Frm,
                p as u64,
                "generated columns or a long UNIQUE hash",
            ));
        }
        p += 6 + name_len + expr_len;
    }
    Ok(())
}
