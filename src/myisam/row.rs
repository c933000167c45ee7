//! One row as a view over the reader's buffer: where each column's bytes are ([`Cell`]s, filled
//! once per row without allocating) and the conversion of those bytes to [`Value`]s on demand.

use super::frm::{ColumnType, Packing, RowFormat, TableDef};
use super::value::{Date, DateTime, Decimal, OwnedValue, Row, Timestamp, Value};

/// How a column's bytes are held in the row's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum CellKind {
    /// The column's record-buffer bytes, whole (`len` = its pack length).
    #[default]
    Whole,
    /// All bytes zero (omitted from a dynamic row).
    Zero,
    /// A string's content: VARCHAR/BLOB data, CHAR without trailing spaces.
    Content,
    /// The last `len` bytes of the column; the bytes before them are spaces (`SKIP_PRESPACE`).
    Prespaced,
    /// Bytes rebuilt in the row's scratch buffer (a BINARY(n) whose trailing spaces a dynamic
    /// row cut: MariaDB gives them back).
    Scratch,
}

/// Where a column's bytes are in the row's data.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cell {
    pub start: u32,
    pub len: u32,
    pub kind: CellKind,
}

/// Why a packed row could not be unpacked (turned into an error with the row's offset).
pub(crate) type UnpackError = String;

/// Fills `cells` (one per column) from a dynamic row in MyISAM's packed form (`_mi_rec_pack`):
/// pack-bit bytes, then each field of the record description. Checks every length against the
/// row's end and that the row is used exactly.
pub(crate) fn unpack_dynamic(
    table: &TableDef,
    data: &[u8],
    cells: &mut [Cell],
    scratch: &mut Vec<u8>,
) -> Result<(), UnpackError> {
    scratch.clear();
    let end = data.len();
    if end < table.min_pack_len {
        return Err(format!(
            "row of {end} bytes, shorter than the {} bytes any row takes",
            table.min_pack_len
        ));
    }
    let pack = &data[..table.pack_bytes];
    let mut pos = table.pack_bytes;
    let mut bit = 0usize;
    for field in &table.fields {
        let len = field.len;
        let cell = match field.packing {
            Packing::Normal => {
                if pos + len > end {
                    return Err(format!("field ends past the row ({} + {len} > {end})", pos));
                }
                let c = Cell {
                    start: pos as u32,
                    len: len as u32,
                    kind: CellKind::Whole,
                };
                pos += len;
                c
            }
            Packing::VarChar => {
                if pos >= end {
                    return Err("VARCHAR length past the row".into());
                }
                let n;
                if len - 1 < 256 {
                    n = data[pos] as usize;
                    pos += 1;
                    if n > len - 1 {
                        return Err(format!("VARCHAR of {n} bytes in a column of {}", len - 1));
                    }
                } else {
                    if data[pos] != 255 {
                        n = data[pos] as usize;
                        pos += 1;
                    } else {
                        if pos + 3 > end {
                            return Err("VARCHAR length past the row".into());
                        }
                        n = u16::from_be_bytes([data[pos + 1], data[pos + 2]]) as usize;
                        pos += 3;
                    }
                    if n > len - 2 {
                        return Err(format!("VARCHAR of {n} bytes in a column of {}", len - 2));
                    }
                }
                if pos + n > end {
                    return Err(format!("VARCHAR of {n} bytes ends past the row"));
                }
                let c = Cell {
                    start: pos as u32,
                    len: n as u32,
                    kind: CellKind::Content,
                };
                pos += n;
                c
            }
            packing => {
                let flagged = pack[bit / 8] & (1 << (bit % 8)) != 0;
                bit += 1;
                match packing {
                    Packing::SkipZero if flagged => Cell {
                        start: pos as u32,
                        len: 0,
                        kind: CellKind::Zero,
                    },
                    Packing::Blob if flagged => Cell {
                        start: pos as u32,
                        len: 0,
                        kind: CellKind::Content,
                    },
                    Packing::Blob => {
                        let lb = len - 8;
                        if pos + lb > end {
                            return Err("BLOB length past the row".into());
                        }
                        let mut n = 0usize;
                        for (i, &b) in data[pos..pos + lb].iter().enumerate() {
                            n |= (b as usize) << (8 * i);
                        }
                        pos += lb;
                        if n > end - pos {
                            return Err(format!("BLOB of {n} bytes ends past the row"));
                        }
                        let c = Cell {
                            start: pos as u32,
                            len: n as u32,
                            kind: CellKind::Content,
                        };
                        pos += n;
                        c
                    }
                    Packing::SkipEndspace | Packing::SkipPrespace if flagged => {
                        if pos >= end {
                            return Err("packed string length past the row".into());
                        }
                        let n;
                        if len > 255 && data[pos] & 128 != 0 {
                            if pos + 2 > end {
                                return Err("packed string length past the row".into());
                            }
                            n = (data[pos] & 127) as usize + ((data[pos + 1] as usize) << 7);
                            pos += 2;
                        } else {
                            n = data[pos] as usize;
                            pos += 1;
                        }
                        if n >= len || pos + n > end {
                            return Err(format!("packed string of {n} bytes in a field of {len}"));
                        }
                        let binary_char = packing == Packing::SkipEndspace
                            && field.column.is_some_and(|c| table.columns[c].is_binary());
                        let c = if binary_char {
                            let at = scratch.len();
                            scratch.extend_from_slice(&data[pos..pos + n]);
                            scratch.resize(at + len, b' ');
                            Cell {
                                start: at as u32,
                                len: len as u32,
                                kind: CellKind::Scratch,
                            }
                        } else {
                            let kind = if packing == Packing::SkipEndspace {
                                CellKind::Content
                            } else {
                                CellKind::Prespaced
                            };
                            Cell {
                                start: pos as u32,
                                len: n as u32,
                                kind,
                            }
                        };
                        pos += n;
                        c
                    }
                    _ => {
                        if pos + len > end {
                            return Err(format!("field ends past the row ({pos} + {len} > {end})"));
                        }
                        let c = Cell {
                            start: pos as u32,
                            len: len as u32,
                            kind: CellKind::Whole,
                        };
                        pos += len;
                        c
                    }
                }
            }
        };
        if let Some(col) = field.column {
            cells[col] = cell;
        }
    }
    if table.checksum {
        pos += 1;
    }
    if pos != end {
        return Err(format!("the fields take {pos} bytes of a {end}-byte row"));
    }
    if !bit.is_multiple_of(8) && pack[bit / 8] >> (bit % 8) != 0 {
        return Err("pack bits set beyond the last packed field".into());
    }
    Ok(())
}

/// Fills `cells` from a fixed row: every column at its record offset; VARCHAR lengths checked.
pub(crate) fn unpack_fixed(
    table: &TableDef,
    data: &[u8],
    cells: &mut [Cell],
) -> Result<(), UnpackError> {
    for (i, col) in table.columns.iter().enumerate() {
        let cell = if col.column_type == ColumnType::VarChar {
            let (n, lb) = if col.length_bytes == 1 {
                (data[col.offset] as usize, 1)
            } else {
                (
                    u16::from_le_bytes([data[col.offset], data[col.offset + 1]]) as usize,
                    2,
                )
            };
            if n > col.pack_length - lb {
                if col.null_bit.is_some_and(|nb| data[nb.byte] & nb.mask != 0) {
                    0
                } else {
                    return Err(format!(
                        "VARCHAR `{}` of {n} bytes in a column of {}",
                        col.name,
                        col.pack_length - lb
                    ));
                };
            }
            Cell {
                start: (col.offset + lb) as u32,
                len: n.min(col.pack_length - lb) as u32,
                kind: CellKind::Content,
            }
        } else {
            Cell {
                start: col.offset as u32,
                len: col.pack_length as u32,
                kind: CellKind::Whole,
            }
        };
        cells[i] = cell;
    }
    Ok(())
}

/// One row, borrowed from the reader until its next call: values are decoded on demand from the
/// reader's buffer, so reading the columns an importer needs costs nothing for the others.
#[derive(Clone, Copy)]
pub struct RowView<'a> {
    pub(crate) table: &'a TableDef,
    pub(crate) data: &'a [u8],
    pub(crate) cells: &'a [Cell],
    /// Bytes rebuilt for this row (see [`CellKind::Scratch`]).
    pub(crate) scratch: &'a [u8],
    /// Where the NULL bitmap starts in `data`.
    pub(crate) null_start: usize,
    /// Where the row starts in the `.MYD` (its first block).
    pub(crate) offset: u64,
}

impl<'a> RowView<'a> {
    /// Number of columns.
    pub fn len(&self) -> usize {
        self.table.columns.len()
    }

    /// Whether the table has no columns (never, for a real table).
    pub fn is_empty(&self) -> bool {
        self.table.columns.is_empty()
    }

    /// The byte offset of the row (of its first block) in the `.MYD`.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether column `i` is NULL.
    pub fn is_null(&self, i: usize) -> bool {
        match self.table.columns[i].null_bit {
            Some(nb) => self.data[self.null_start + nb.byte] & nb.mask != 0,
            None => false,
        }
    }

    /// The value of column `i` (panics if `i` is not a column index).
    pub fn get(&self, i: usize) -> Value<'a> {
        let col = &self.table.columns[i];
        if let Some(nb) = col.null_bit {
            if self.data[self.null_start + nb.byte] & nb.mask != 0 {
                return Value::Null;
            }
        }
        let cell = self.cells[i];
        let range = cell.start as usize..(cell.start + cell.len) as usize;
        let bytes = if cell.kind == CellKind::Scratch {
            &self.scratch[range]
        } else {
            &self.data[range]
        };
        match col.column_type {
            ColumnType::VarChar | ColumnType::Blob => text_or_bytes(col.is_binary(), bytes),
            ColumnType::Char => {
                let content = match cell.kind {
                    CellKind::Zero => &bytes[..0],
                    _ => bytes,
                };
                if col.is_binary() {
                    Value::Bytes(content)
                } else {
                    let mut n = content.len();
                    while n > 0 && content[n - 1] == b' ' {
                        n -= 1;
                    }
                    Value::Text(&content[..n])
                }
            }
            _ => {
                // Fixed-size types: rebuild the whole bytes where a dynamic row shortened them.
                let mut scratch = [0u8; 32];
                let whole: &[u8] = match cell.kind {
                    CellKind::Whole | CellKind::Scratch => bytes,
                    CellKind::Zero => &scratch[..col.pack_length.min(32)],
                    CellKind::Content | CellKind::Prespaced => {
                        let n = col.pack_length.min(32);
                        let pad = n - bytes.len().min(n);
                        scratch[..pad].fill(b' ');
                        scratch[pad..n].copy_from_slice(&bytes[..n - pad]);
                        &scratch[..n]
                    }
                };
                fixed_value(col, whole)
            }
        }
    }

    /// The value of the column with this name (slower than [`RowView::get`]: look the index up
    /// once with [`TableDef::column_index`]).
    pub fn by_name(&self, name: &str) -> Option<Value<'a>> {
        self.table.column_index(name).map(|i| self.get(i))
    }

    /// All values, borrowed.
    pub fn values(&self) -> impl Iterator<Item = Value<'a>> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// The row with owned values (allocates; text decoded to UTF-8 per the column's collation).
    pub fn to_row(&self) -> Row {
        Row {
            values: (0..self.len())
                .map(|i| OwnedValue::from_value(&self.get(i), self.table.columns[i].is_latin1()))
                .collect(),
        }
    }
}

impl std::fmt::Debug for RowView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut l = f.debug_map();
        for (i, c) in self.table.columns.iter().enumerate() {
            l.entry(&c.name, &self.get(i));
        }
        l.finish()
    }
}

fn text_or_bytes(binary: bool, b: &[u8]) -> Value<'_> {
    if binary {
        Value::Bytes(b)
    } else {
        Value::Text(b)
    }
}

fn le(b: &[u8]) -> u64 {
    let mut v = 0u64;
    for (i, &x) in b.iter().take(8).enumerate() {
        v |= (x as u64) << (8 * i);
    }
    v
}

fn be(b: &[u8]) -> u64 {
    let mut v = 0u64;
    for &x in b.iter().take(8) {
        v = (v << 8) | x as u64;
    }
    v
}

fn sign_extend(v: u64, bytes: usize) -> i64 {
    let shift = 64 - 8 * bytes as u32;
    ((v << shift) as i64) >> shift
}

/// Fractional seconds after the integer part of a TIMESTAMP2/DATETIME2 (big-endian, signed).
fn fraction(b: &[u8], fsp: u8) -> u32 {
    match fsp {
        1 | 2 => b[0] as i8 as i32 as u32 * 10_000,
        3 | 4 => (i16::from_be_bytes([b[0], b[1]]) as i32 * 100) as u32,
        5 | 6 => sign_extend(be(&b[..3]), 3) as u32,
        _ => 0,
    }
}

/// A value of a fixed-size column from its whole record-buffer bytes.
fn fixed_value<'a>(col: &'a super::frm::Column, whole: &[u8]) -> Value<'a> {
    match col.column_type {
        ColumnType::TinyInt
        | ColumnType::SmallInt
        | ColumnType::MediumInt
        | ColumnType::Int
        | ColumnType::BigInt => {
            let v = le(whole);
            if col.unsigned {
                Value::UInt(v)
            } else {
                Value::Int(sign_extend(v, whole.len()))
            }
        }
        ColumnType::Float => {
            Value::Float(f32::from_le_bytes([whole[0], whole[1], whole[2], whole[3]]))
        }
        ColumnType::Double => Value::Double(f64::from_bits(le(whole))),
        ColumnType::Decimal { precision, scale } => {
            Value::Decimal(Decimal::from_bin(whole, precision, scale))
        }
        ColumnType::Year => {
            let y = whole[0] as u16;
            Value::Year(if y == 0 { 0 } else { 1900 + y })
        }
        ColumnType::Date => {
            let v = le(whole) as u32;
            Value::Date(Date {
                year: (v >> 9) as u16,
                month: ((v >> 5) & 15) as u8,
                day: (v & 31) as u8,
            })
        }
        ColumnType::DateTime { fsp } => {
            let packed = be(&whole[..5]) as i64 - 0x80_0000_0000;
            let ymdhms = packed.unsigned_abs();
            let ymd = ymdhms >> 17;
            let ym = ymd >> 5;
            let hms = ymdhms & 0x1_FFFF;
            Value::DateTime(DateTime {
                date: Date {
                    year: (ym / 13) as u16,
                    month: (ym % 13) as u8,
                    day: (ymd & 31) as u8,
                },
                hour: (hms >> 12) as u8,
                minute: ((hms >> 6) & 63) as u8,
                second: (hms & 63) as u8,
                micro: fraction(&whole[5..], fsp),
                fsp,
            })
        }
        ColumnType::Timestamp { fsp } => Value::Timestamp(Timestamp {
            seconds: be(&whole[..4]) as u32,
            micro: fraction(&whole[4..], fsp),
            fsp,
        }),
        ColumnType::LegacyTimestamp => Value::Timestamp(Timestamp {
            seconds: le(whole) as u32,
            micro: 0,
            fsp: 0,
        }),
        ColumnType::LegacyDateTime => {
            let v = le(whole);
            let (date, time) = (v / 1_000_000, v % 1_000_000);
            Value::DateTime(DateTime {
                date: Date {
                    year: (date / 10_000) as u16,
                    month: (date / 100 % 100) as u8,
                    day: (date % 100) as u8,
                },
                hour: (time / 10_000) as u8,
                minute: (time / 100 % 100) as u8,
                second: (time % 100) as u8,
                micro: 0,
                fsp: 0,
            })
        }
        ColumnType::Enum => {
            let n = le(whole) as usize;
            let text = if n == 0 {
                ""
            } else {
                col.values.get(n - 1).map(String::as_str).unwrap_or("")
            };
            Value::Enum(n as u16, text)
        }
        ColumnType::Set => Value::Set(le(whole), &col.values),
        ColumnType::Char | ColumnType::VarChar | ColumnType::Blob => {
            unreachable!("string types are handled by get")
        }
    }
}

/// Where the NULL bitmap starts in a row's data.
pub(crate) fn null_start(table: &TableDef) -> usize {
    match table.row_format {
        RowFormat::Fixed => 0,
        RowFormat::Dynamic => table.pack_bytes,
    }
}
