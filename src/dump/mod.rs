//! The MySQL dump reader: bytes in, `(table, row)` out. Owns the text format of `mysqldump` and the
//! decompression of inputs; knows nothing of SQLite or of what the tables mean.

mod input;
mod reader;

pub use input::{open, DumpInput, Format, InputError};
pub use reader::{DumpError, DumpReader, Row, Value};

#[cfg(test)]
mod tests;
