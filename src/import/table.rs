//! What a dump table maps to: its catalog table, key and columns, and how each value is
//! converted (the data is `spec.rs`'s and `snapshot::map`'s).

use super::TABLES;
use crate::Collection;

/// How a dump column's text becomes a catalog value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, decoded lossily from UTF-8.
    Text,
    /// An integer (a bare number or a quoted one).
    Int,
    /// An MD5, lower-cased.
    Md5,
    /// A UTC time stamp; the zero date is NULL.
    Time,
    /// Like `Time`, and `updated`'s default `2000-01-01 05:00:00` is NULL too.
    Time2000,
}

/// One column of a dump table and its catalog column.
#[derive(Debug)]
pub struct ColumnSpec {
    /// The column name in the dump's `CREATE TABLE` (matched case-insensitively).
    pub dump: &'static str,
    /// The catalog column.
    pub column: &'static str,
    /// How the value is converted.
    pub kind: Kind,
}

/// One dump table the importer reads.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    /// The table's name in the dump.
    pub dump: &'static str,
    /// The catalog table.
    pub table: &'static str,
    /// The collection it belongs to.
    pub collection: Collection,
    /// The catalog column rows are upserted by.
    pub key: &'static str,
    /// Whether the table has an `import_id` column (rows the search index follows).
    pub tracked: bool,
    /// The columns.
    pub columns: &'static [ColumnSpec],
}

impl TableSpec {
    /// The spec for a dump table name, if the importer reads it.
    pub fn for_dump_table(name: &str) -> Option<&'static TableSpec> {
        TABLES.iter().find(|t| t.dump.eq_ignore_ascii_case(name))
    }
}
