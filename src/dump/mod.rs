//! The MySQL dump reader: bytes in, `(table, row)` out. Owns the text format of `mysqldump` and the
//! decompression of inputs (RAR archives and volume sets in [`rar`]); knows nothing of SQLite or of what the tables mean.

mod input;
pub mod rar;
mod reader;

pub use input::{open, stamp, DumpInput, Dumps, Format, InputError};
pub use reader::{DumpError, DumpReader, Row, Value};

#[cfg(test)]
mod tests;
