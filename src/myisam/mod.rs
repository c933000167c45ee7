//! The MyISAM table reader: the raw files of a MySQL/MariaDB table in, typed rows out. Owns the
//! `.frm` table definition format, the `.MYI` header and the `.MYD` row formats (fixed and
//! dynamic); knows nothing of SQLite, of archives, or of what the tables mean.
//!
//! Reading a table takes its definition first, then its rows as a stream:
//!
//! ```no_run
//! use std::sync::Arc;
//! use lanshelf::myisam::{MyiHeader, MydReader, ReaderOptions, TableDef};
//! # fn main() -> Result<(), lanshelf::myisam::MyisamError> {
//! let def = Arc::new(TableDef::from_frm("files", &std::fs::read("files.frm").unwrap())?);
//! let header = MyiHeader::read("files", std::fs::File::open("files.MYI").unwrap())?;
//! let md5 = def.column_index("md5").unwrap();
//! let data = std::fs::File::open("files.MYD").unwrap(); // or any `Read`: a RAR member
//! let mut rows = MydReader::new(def, data, ReaderOptions::default().with_myi(&header));
//! while let Some(row) = rows.next_row()? {
//!     let _md5 = row.get(md5).as_str();
//! }
//! rows.stats().check_rows("files", &header)?; // decoded exactly the live rows the .MYI counts
//! # Ok(()) }
//! ```
//!
//! Memory stays bounded whatever the table's size: a row is decoded in the read buffer and lent
//! out ([`RowView`]); the parts of split rows that cannot be joined yet are held up to
//! [`ReaderOptions::fragment_memory`] and go to temporary files beyond it. A split row comes
//! out when its last part has been read, so rows are not always in file order. A folder of
//! extracted table files is read with [`TableFiles`]. [`MydWriter`] writes the same formats
//! (for the synthetic snapshot and tests).
//!
//! Refused, with the table and byte offset: other engines, `myisampack`-compressed tables,
//! column types other than the integers, FLOAT/DOUBLE, DECIMAL, YEAR, DATE, DATETIME, TIMESTAMP,
//! CHAR/VARCHAR, TEXT/BLOB, ENUM and SET (so TIME, BIT, GEOMETRY), generated columns.

mod dir;
mod error;
mod frm;
mod myd;
mod myi;
mod row;
mod spill;
mod value;
mod write;

pub use dir::{is_frm, list_tables, TableFiles};
pub use error::{MyisamError, TableFile};
pub use frm::{options, Column, ColumnType, NullBit, Packing, RowFormat, TableDef};
pub use myd::{MydReader, OwnedRows, ReadStats, ReaderOptions};
pub use myi::MyiHeader;
pub use row::RowView;
pub use value::{Date, DateTime, Decimal, OwnedValue, Row, Timestamp, Value};
pub use write::{myi_with_counts, MydWriter};
