//! The reading half of the import pipeline: a thread that parses the dump, maps each row's
//! columns onto its catalog table and converts the values, handing batches of ready rows to the
//! writer. Parsing and converting (UTF-8 checks, lower-casing, numbers) thus run on one core
//! while SQLite writes on the other.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::mpsc::SyncSender;

use super::{Kind, TableSpec};
use crate::dump::{DumpError, DumpReader, Row, Value};

/// Rows per batch, and the text a batch may hold before it is sent early.
const BATCH_ROWS: usize = 4096;
const BATCH_TEXT: usize = 8 << 20;

/// A converted value; text lives in the batch's arena.
#[derive(Debug, Clone, Copy)]
pub(super) enum Val {
    Null,
    Int(i64),
    Text(u32, u32),
}

/// One row ready to write (or rejected, with the reason).
pub(super) struct ReadyRow {
    pub spec: &'static TableSpec,
    pub offset: u64,
    /// Index of the row's first value in `Batch::values` (one per spec column).
    pub first: usize,
    pub rejected: Option<String>,
}

/// Rows handed from the reader to the writer.
#[derive(Default)]
pub(super) struct Batch {
    pub text: String,
    pub values: Vec<Val>,
    pub rows: Vec<ReadyRow>,
    /// Stream offset after the batch's last row.
    pub offset: u64,
}

impl Batch {
    pub fn text(&self, a: u32, b: u32) -> &str {
        &self.text[a as usize..b as usize]
    }
}

/// What the reader thread sends.
pub(super) enum Message {
    Rows(Batch),
    Failed(DumpError),
}

/// What the reader thread returns when it ends.
pub(super) struct ReadSummary {
    pub bytes: u64,
    pub ignored: BTreeMap<String, u64>,
}

/// Per catalog table: where each catalog column's value sits in the current statement's rows.
struct Mapping {
    statement: u64,
    map: Vec<Option<usize>>,
}

impl Batch {
    fn push_text(&mut self, bytes: &[u8], lower: bool) -> Val {
        let start = self.text.len();
        match std::str::from_utf8(bytes) {
            Ok(s) => self.text.push_str(s),
            Err(_) => self.text.push_str(&String::from_utf8_lossy(bytes)),
        }
        if lower {
            self.text[start..].make_ascii_lowercase();
        }
        Val::Text(start as u32, self.text.len() as u32)
    }

    fn convert(&mut self, kind: Kind, value: Value<'_>) -> Result<Val, String> {
        let bytes = match value {
            Value::Null => return Ok(Val::Null),
            Value::Number(b) | Value::Text(b) => b,
        };
        Ok(match kind {
            Kind::Text => self.push_text(bytes, false),
            Kind::Md5 => self.push_text(bytes, true),
            Kind::Int => {
                let text = std::str::from_utf8(bytes).unwrap_or("").trim();
                if text.is_empty() {
                    Val::Null
                } else if let Ok(n) = text.parse::<i64>() {
                    Val::Int(n)
                } else if let Ok(f) = text.parse::<f64>() {
                    Val::Int(f as i64)
                } else {
                    let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(40)]).into_owned();
                    return Err(format!("`{shown}` is not a number"));
                }
            }
            Kind::Time | Kind::Time2000 => {
                let zero = bytes.starts_with(b"0000-00-00") || bytes.is_empty();
                let default = kind == Kind::Time2000 && bytes == b"2000-01-01 05:00:00";
                if zero || default {
                    Val::Null
                } else {
                    self.push_text(bytes, false)
                }
            }
        })
    }

    /// Converts one dump row; a row that cannot be imported is kept with its reason.
    fn push_row(&mut self, spec: &'static TableSpec, row: &Row<'_>, mapping: &Mapping) {
        let first = self.values.len();
        let rejected = self.convert_row(spec, row, mapping).err();
        if rejected.is_some() {
            self.values.truncate(first);
        }
        self.rows.push(ReadyRow {
            spec,
            offset: row.offset,
            first,
            rejected,
        });
    }

    fn convert_row(
        &mut self,
        spec: &'static TableSpec,
        row: &Row<'_>,
        mapping: &Mapping,
    ) -> Result<(), String> {
        if row.columns.is_empty() {
            return Err(format!(
                "no CREATE TABLE for `{}` came before its data",
                row.table
            ));
        }
        if row.len() != row.columns.len() {
            return Err(format!(
                "the row has {} values but the table has {} columns",
                row.len(),
                row.columns.len()
            ));
        }
        for (j, col) in spec.columns.iter().enumerate() {
            let value = match mapping.map[j] {
                Some(i) => row.get(i),
                None if col.kind == Kind::Text => Value::Text(b""),
                None => Value::Null,
            };
            if col.column == spec.key && value.bytes().is_empty() {
                return Err(format!("empty `{}`", col.dump));
            }
            if col.column == spec.key && col.kind == Kind::Int {
                // A record's id is in its URL: a positive whole number SQLite holds exactly.
                let text = String::from_utf8_lossy(value.bytes());
                let text = text.trim();
                match text.parse::<i64>() {
                    Ok(n) if n > 0 => {}
                    _ => {
                        let shown: String = text.chars().take(40).collect();
                        return Err(format!(
                            "`{}` {shown} is not an id (a whole number from 1 to {})",
                            col.dump,
                            i64::MAX
                        ));
                    }
                }
            }
            let v = self
                .convert(col.kind, value)
                .map_err(|e| format!("column `{}`: {e}", col.dump))?;
            self.values.push(v);
        }
        Ok(())
    }
}

/// Reads a whole dump, sending batches until the end or an error; stops early when the writer
/// hangs up. With `verify` (an archive member, whose checksum is checked at its end), a dump that
/// does not parse is read on to its end first: a damaged archive decodes into garbled SQL before
/// the checksum can fail, and the checksum's failure is then what is reported.
pub(super) fn read_dump(
    src: Box<dyn Read + Send>,
    tx: SyncSender<Message>,
    verify: bool,
) -> ReadSummary {
    let mut reader = DumpReader::new(src);
    let mut mappings: HashMap<&'static str, Mapping> = HashMap::new();
    let mut ignored: BTreeMap<String, u64> = BTreeMap::new();
    let mut batch = Batch::default();
    loop {
        match reader.next_row() {
            Ok(Some(row)) => {
                let Some(spec) = TableSpec::for_dump_table(row.table) else {
                    if let Some(n) = ignored.get_mut(row.table) {
                        *n += 1;
                    } else {
                        ignored.insert(row.table.to_string(), 1);
                    }
                    continue;
                };
                let mapping = mappings.entry(spec.table).or_insert(Mapping {
                    statement: u64::MAX,
                    map: Vec::new(),
                });
                if mapping.statement != row.statement {
                    mapping.statement = row.statement;
                    mapping.map = spec
                        .columns
                        .iter()
                        .map(|c| {
                            row.columns
                                .iter()
                                .position(|d| d.eq_ignore_ascii_case(c.dump))
                        })
                        .collect();
                }
                batch.push_row(spec, &row, mapping);
                if batch.rows.len() >= BATCH_ROWS || batch.text.len() >= BATCH_TEXT {
                    batch.offset = reader.offset();
                    if tx.send(Message::Rows(std::mem::take(&mut batch))).is_err() {
                        break;
                    }
                }
            }
            Ok(None) => {
                batch.offset = reader.offset();
                let _ = tx.send(Message::Rows(batch));
                break;
            }
            Err(e) => {
                let offset = reader.offset();
                let e = if verify {
                    tracing::info!(error = %e, "the dump does not parse: reading the archive member to its end to check its checksum");
                    reader.checked_failure(e)
                } else {
                    e
                };
                let _ = tx.send(Message::Failed(e));
                return ReadSummary {
                    bytes: offset,
                    ignored,
                };
            }
        }
    }
    ReadSummary {
        bytes: reader.offset(),
        ignored,
    }
}
