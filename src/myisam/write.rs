//! Writing rows in MyISAM's `.MYD` format, for the synthetic snapshot generator and for tests:
//! the reader's [`Value`]s in, bytes out, laid out as MariaDB lays out a table it fills with
//! INSERTs alone: dynamic rows one block each (type 1 when the block fits exactly, type 3 with
//! unused bytes to reach the 4-byte alignment and the 20-byte minimum, types 2/4 past 64 KiB),
//! fixed rows back to back. No deleted or split blocks; no index pages (see [`myi_with_counts`]).

use std::io::{self, Write};
use std::sync::Arc;

use super::frm::{ColumnType, Packing, RowFormat, TableDef};
use super::value::Value;

/// Writes the rows of one table to a `.MYD`.
pub struct MydWriter<W: Write> {
    def: Arc<TableDef>,
    out: W,
    /// The row in the record-buffer layout (fixed rows), reused.
    record: Vec<u8>,
    /// The packed row and its block (dynamic rows), reused.
    packed: Vec<u8>,
    rows: u64,
    bytes: u64,
    stride: usize,
}

/// Why a value cannot be written into a column.
fn mismatch(def: &TableDef, col: usize, value: &Value<'_>) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{}.{}: cannot store {value:?} in a {:?} column",
            def.name, def.columns[col].name, def.columns[col].column_type
        ),
    )
}

impl<W: Write> MydWriter<W> {
    /// A writer of rows of `def` (fixed rows are padded to 7 bytes: a 6-byte row pointer).
    pub fn new(def: Arc<TableDef>, out: W) -> MydWriter<W> {
        let stride = def.record_len.max(7) + def.checksum as usize;
        MydWriter {
            record: vec![0; def.record_len],
            packed: Vec::new(),
            rows: 0,
            bytes: 0,
            stride,
            def,
            out,
        }
    }

    /// The table being written.
    pub fn def(&self) -> Arc<TableDef> {
        self.def.clone()
    }

    /// Rows written.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Bytes written (the `.MYD` length).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Writes one row: one value per column, in column order. Integers go into integer, ENUM
    /// (by number) and YEAR columns, text into CHAR/VARCHAR/TEXT/BLOB and ENUM (by name).
    pub fn write_row(&mut self, values: &[Value<'_>]) -> io::Result<()> {
        let def = self.def.clone();
        if values.len() != def.columns.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{}: {} values for {} columns",
                    def.name,
                    values.len(),
                    def.columns.len()
                ),
            ));
        }
        // The record buffer: NULL bitmap (unused bits set, as the server leaves them), then the
        // columns at their offsets.
        self.record.fill(0);
        let nb = def.null_bytes;
        self.record[..nb].fill(0xFF);
        if nb > 0 {
            let first_free = def.null_fields + (def.row_format == RowFormat::Fixed) as usize;
            for bit in (def.row_format == RowFormat::Fixed) as usize..first_free {
                self.record[bit / 8] &= !(1 << (bit % 8));
            }
        }
        for (i, (col, value)) in def.columns.iter().zip(values).enumerate() {
            if value.is_null() {
                let Some(bit) = col.null_bit else {
                    return Err(mismatch(&def, i, value));
                };
                self.record[bit.byte] |= bit.mask;
                continue;
            }
            let field = &mut self.record[col.offset..col.offset + col.pack_length];
            encode(col.column_type, col, value, field).map_err(|_| mismatch(&def, i, value))?;
        }
        match def.row_format {
            RowFormat::Fixed => {
                self.out.write_all(&self.record)?;
                let pad = self.stride - def.record_len;
                self.out.write_all(&[0u8; 16][..pad.min(16)])?;
                self.bytes += self.stride as u64;
            }
            RowFormat::Dynamic => {
                self.pack(values)?;
                self.out.write_all(&self.packed)?;
                self.bytes += self.packed.len() as u64;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Packs the record as `_mi_rec_pack` does and wraps it in one block.
    fn pack(&mut self, values: &[Value<'_>]) -> io::Result<()> {
        let def = &self.def;
        let p = &mut self.packed;
        p.clear();
        // Room for the block header (at most 5 bytes), filled in at the end.
        p.resize(5 + def.pack_bytes, 0);
        let flags_at = 5;
        let mut bit = 0usize;
        let set_bit = |p: &mut Vec<u8>, bit: usize| p[flags_at + bit / 8] |= 1 << (bit % 8);
        let mut offset = 0usize;
        for f in &def.fields {
            let field = &self.record[offset..offset + f.len];
            offset += f.len;
            match f.packing {
                Packing::Normal => p.extend_from_slice(field),
                Packing::VarChar => {
                    let (n, data) = if f.len - 1 < 256 {
                        (field[0] as usize, &field[1..])
                    } else {
                        (
                            u16::from_le_bytes([field[0], field[1]]) as usize,
                            &field[2..],
                        )
                    };
                    if f.len - 1 < 256 || n < 255 {
                        p.push(n as u8);
                    } else {
                        p.push(255);
                        p.extend_from_slice(&(n as u16).to_be_bytes());
                    }
                    p.extend_from_slice(&data[..n]);
                }
                Packing::Blob => {
                    let col = f.column.expect("a blob is a column");
                    let data: &[u8] = match values[col] {
                        Value::Text(b) | Value::Bytes(b) => b,
                        _ => &[],
                    };
                    if data.is_empty() {
                        set_bit(p, bit);
                    } else {
                        let lb = f.len - 8;
                        p.extend_from_slice(&(data.len() as u64).to_le_bytes()[..lb]);
                        p.extend_from_slice(data);
                    }
                    bit += 1;
                }
                Packing::SkipZero => {
                    if field.iter().all(|&b| b == 0) {
                        set_bit(p, bit);
                    } else {
                        p.extend_from_slice(field);
                    }
                    bit += 1;
                }
                Packing::SkipEndspace | Packing::SkipPrespace => {
                    let (mut from, mut to) = (0, field.len());
                    if f.packing == Packing::SkipEndspace {
                        while to > 0 && field[to - 1] == b' ' {
                            to -= 1;
                        }
                    } else {
                        while from < to && field[from] == b' ' {
                            from += 1;
                        }
                    }
                    let n = to - from;
                    let long = f.len > 255 && n > 127;
                    if n + 1 + (long as usize) < f.len {
                        if long {
                            p.push(((n & 127) + 128) as u8);
                            p.push((n >> 7) as u8);
                        } else {
                            p.push(n as u8);
                        }
                        p.extend_from_slice(&field[from..to]);
                        set_bit(p, bit);
                    } else {
                        p.extend_from_slice(field);
                    }
                    bit += 1;
                }
            }
        }
        if def.checksum {
            p.push(0);
        }
        // The block header, right-aligned in the 5 reserved bytes.
        let len = p.len() - 5;
        if len >= 1 << 24 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: a row of {len} bytes", def.name),
            ));
        }
        let long = len > 0xFFFF;
        let exact = if long { 4 } else { 3 };
        let (header, unused) = if exact + len >= 20 && (exact + len).is_multiple_of(4) {
            (exact, 0)
        } else {
            let total = (exact + 1 + len).max(20).next_multiple_of(4);
            (exact + 1, total - exact - 1 - len)
        };
        let start = 5 - header;
        let kind = match (long, header > exact) {
            (false, false) => 1,
            (true, false) => 2,
            (false, true) => 3,
            (true, true) => 4,
        };
        p[start] = kind;
        let l = (len as u32).to_be_bytes();
        if long {
            p[start + 1..start + 4].copy_from_slice(&l[1..]);
        } else {
            p[start + 1..start + 3].copy_from_slice(&l[2..]);
        }
        if header > exact {
            p[start + header - 1] = unused as u8;
        }
        p.drain(..start);
        p.resize(p.len() + unused, 0);
        Ok(())
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Stores a value in a column's record-buffer bytes.
fn encode(
    ty: ColumnType,
    col: &super::frm::Column,
    value: &Value<'_>,
    field: &mut [u8],
) -> Result<(), ()> {
    let int = |v: &Value<'_>| -> Result<u64, ()> {
        match *v {
            Value::Int(i) => Ok(i as u64),
            Value::UInt(u) => Ok(u),
            _ => Err(()),
        }
    };
    match ty {
        ColumnType::TinyInt
        | ColumnType::SmallInt
        | ColumnType::MediumInt
        | ColumnType::Int
        | ColumnType::BigInt => {
            let v = int(value)?;
            field.copy_from_slice(&v.to_le_bytes()[..field.len()]);
        }
        ColumnType::Float => match *value {
            Value::Float(f) => field.copy_from_slice(&f.to_le_bytes()),
            _ => return Err(()),
        },
        ColumnType::Double => match *value {
            Value::Double(f) => field.copy_from_slice(&f.to_le_bytes()),
            _ => return Err(()),
        },
        ColumnType::Year => match *value {
            Value::Year(0) => field[0] = 0,
            Value::Year(y) if (1901..=2155).contains(&y) => field[0] = (y - 1900) as u8,
            _ => return Err(()),
        },
        ColumnType::Date => match *value {
            Value::Date(d) => {
                let v = (d.year as u32) << 9 | (d.month as u32) << 5 | d.day as u32;
                field.copy_from_slice(&v.to_le_bytes()[..3]);
            }
            _ => return Err(()),
        },
        ColumnType::DateTime { fsp: 0 } => match *value {
            Value::DateTime(t) => {
                let ym = t.date.year as u64 * 13 + t.date.month as u64;
                let v = (ym << 22
                    | (t.date.day as u64) << 17
                    | (t.hour as u64) << 12
                    | (t.minute as u64) << 6
                    | t.second as u64)
                    + 0x80_0000_0000;
                field.copy_from_slice(&v.to_be_bytes()[3..]);
            }
            _ => return Err(()),
        },
        ColumnType::Timestamp { fsp: 0 } => match *value {
            Value::Timestamp(t) => field.copy_from_slice(&t.seconds.to_be_bytes()),
            _ => return Err(()),
        },
        ColumnType::LegacyDateTime => match *value {
            Value::DateTime(t) => {
                let date =
                    (t.date.year as u64 * 100 + t.date.month as u64) * 100 + t.date.day as u64;
                let time = (t.hour as u64 * 100 + t.minute as u64) * 100 + t.second as u64;
                field.copy_from_slice(&(date * 1_000_000 + time).to_le_bytes());
            }
            _ => return Err(()),
        },
        ColumnType::LegacyTimestamp => match *value {
            Value::Timestamp(t) => field.copy_from_slice(&t.seconds.to_le_bytes()),
            _ => return Err(()),
        },
        ColumnType::Char => {
            let b = match *value {
                Value::Text(b) | Value::Bytes(b) => b,
                _ => return Err(()),
            };
            if b.len() > field.len() {
                return Err(());
            }
            field[..b.len()].copy_from_slice(b);
            field[b.len()..].fill(if col.is_binary() { 0 } else { b' ' });
        }
        ColumnType::VarChar => {
            let b = match *value {
                Value::Text(b) | Value::Bytes(b) => b,
                _ => return Err(()),
            };
            let lb = col.length_bytes;
            if b.len() > field.len() - lb {
                return Err(());
            }
            field[..lb].copy_from_slice(&(b.len() as u16).to_le_bytes()[..lb]);
            field[lb..lb + b.len()].copy_from_slice(b);
        }
        ColumnType::Blob => {
            // The data goes inline when the row is packed; the record holds its length.
            let b = match *value {
                Value::Text(b) | Value::Bytes(b) => b,
                _ => return Err(()),
            };
            let lb = col.length_bytes;
            if lb < 8 && (b.len() as u64) >> (8 * lb) != 0 {
                return Err(());
            }
            field[..lb].copy_from_slice(&(b.len() as u64).to_le_bytes()[..lb]);
        }
        ColumnType::Enum => {
            let n = match *value {
                Value::Enum(n, _) => n as usize,
                Value::Int(_) | Value::UInt(_) => int(value)? as usize,
                Value::Text(t) => match col.values.iter().position(|v| v.as_bytes() == t) {
                    Some(i) => i + 1,
                    None => return Err(()),
                },
                _ => return Err(()),
            };
            if n > col.values.len() {
                return Err(());
            }
            field.copy_from_slice(&(n as u16).to_le_bytes()[..field.len()]);
        }
        ColumnType::Set => {
            let v = match *value {
                Value::Set(mask, _) => mask,
                _ => int(value)?,
            };
            field.copy_from_slice(&v.to_le_bytes()[..field.len()]);
        }
        ColumnType::Decimal { .. } | ColumnType::DateTime { .. } | ColumnType::Timestamp { .. } => {
            return Err(())
        }
    }
    Ok(())
}

/// A `.MYI` for a table filled by [`MydWriter`]: `template` is the `.MYI` of the same table
/// while empty (as the server creates it); the row count, the block count and the data file
/// length are set, the keys stay empty (rebuild them with `myisamchk -rq` to query the table
/// through its indexes in MariaDB; scans need nothing more).
pub fn myi_with_counts(template: &[u8], rows: u64, data_file_length: u64) -> io::Result<Vec<u8>> {
    if template.len() < 100 || template[..4] != [0xFE, 0xFE, 0x07, 0x01] {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a MyISAM index file",
        ));
    }
    let mut myi = template.to_vec();
    myi[28..36].copy_from_slice(&rows.to_be_bytes()); // live rows
    myi[36..44].copy_from_slice(&0u64.to_be_bytes()); // deleted
    myi[44..52].copy_from_slice(&rows.to_be_bytes()); // blocks
    myi[52..60].copy_from_slice(&u64::MAX.to_be_bytes()); // no deleted block
    myi[68..76].copy_from_slice(&data_file_length.to_be_bytes());
    myi[76..84].copy_from_slice(&0u64.to_be_bytes()); // empty bytes
    Ok(myi)
}
