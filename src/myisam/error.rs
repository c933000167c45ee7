//! The one error type of the MyISAM reader. Every message names the table, the file (`.frm`,
//! `.MYI`, `.MYD`) and the byte offset in that file.

use std::io;
use std::path::PathBuf;

/// Which of a table's files an error refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFile {
    /// `table.frm`: the table definition.
    Frm,
    /// `table.MYI`: the index file (only its header is read).
    Myi,
    /// `table.MYD`: the rows.
    Myd,
}

impl std::fmt::Display for TableFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TableFile::Frm => "frm",
            TableFile::Myi => "MYI",
            TableFile::Myd => "MYD",
        })
    }
}

/// What can go wrong while reading a MyISAM table.
#[derive(Debug, thiserror::Error)]
pub enum MyisamError {
    /// Reading the file (or the stream it comes from) failed.
    #[error("{table}.{file}: read error at byte {offset}")]
    Io {
        /// The table.
        table: String,
        /// Which of its files.
        file: TableFile,
        /// Bytes read before the failure.
        offset: u64,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A file of the table could not be opened (reading from a folder).
    #[error("cannot open {}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The file ends before a structure it announced is complete.
    #[error("{table}.{file}: the file ends at byte {offset}, inside {context} (truncated?)")]
    Truncated {
        /// The table.
        table: String,
        /// Which of its files.
        file: TableFile,
        /// Where the data ends.
        offset: u64,
        /// What was being read.
        context: String,
    },
    /// The bytes are not what the format allows: not such a file, or a damaged one.
    #[error("{table}.{file}: {message} at byte {offset}")]
    Corrupt {
        /// The table.
        table: String,
        /// Which of its files.
        file: TableFile,
        /// Where the fault is.
        offset: u64,
        /// What is wrong.
        message: String,
    },
    /// A well-formed table this reader refuses: another engine, a `myisampack`-compressed table,
    /// a column type or option it does not decode.
    #[error("{table}.{file}: {message} (byte {offset}); this reader decodes uncompressed MyISAM tables with fixed or dynamic rows")]
    Unsupported {
        /// The table.
        table: String,
        /// Which of its files.
        file: TableFile,
        /// Where the refused thing is described.
        offset: u64,
        /// What is refused.
        message: String,
    },
    /// The temporary file that holds far-away record fragments failed (disk full?).
    #[error("{table}.MYD: the temporary file for record fragments failed near byte {offset}")]
    Spill {
        /// The table.
        table: String,
        /// Position in the `.MYD` being read when it failed.
        offset: u64,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The rows decoded do not add up to the count the `.MYI` header gives.
    #[error("{table}.MYD: decoded {decoded} live rows over {bytes} bytes, but {table}.MYI (byte 28) counts {expected}")]
    RowCount {
        /// The table.
        table: String,
        /// Live rows decoded.
        decoded: u64,
        /// Live rows in the `.MYI` header.
        expected: u64,
        /// Bytes of `.MYD` read.
        bytes: u64,
    },
}

impl MyisamError {
    /// The table the error refers to, if it names one.
    pub fn table(&self) -> Option<&str> {
        match self {
            MyisamError::Io { table, .. }
            | MyisamError::Truncated { table, .. }
            | MyisamError::Corrupt { table, .. }
            | MyisamError::Unsupported { table, .. }
            | MyisamError::Spill { table, .. }
            | MyisamError::RowCount { table, .. } => Some(table),
            MyisamError::Open { .. } => None,
        }
    }

    /// The byte offset the error refers to, if any.
    pub fn offset(&self) -> Option<u64> {
        match self {
            MyisamError::Io { offset, .. }
            | MyisamError::Truncated { offset, .. }
            | MyisamError::Corrupt { offset, .. }
            | MyisamError::Unsupported { offset, .. }
            | MyisamError::Spill { offset, .. } => Some(*offset),
            MyisamError::RowCount { .. } | MyisamError::Open { .. } => None,
        }
    }
}

/// Shorthand constructors used across the module.
pub(crate) fn corrupt(
    table: &str,
    file: TableFile,
    offset: u64,
    message: impl Into<String>,
) -> MyisamError {
    MyisamError::Corrupt {
        table: table.to_string(),
        file,
        offset,
        message: message.into(),
    }
}

pub(crate) fn unsupported(
    table: &str,
    file: TableFile,
    offset: u64,
    message: impl Into<String>,
) -> MyisamError {
    MyisamError::Unsupported {
        table: table.to_string(),
        file,
        offset,
        message: message.into(),
    }
}

pub(crate) fn truncated(
    table: &str,
    file: TableFile,
    offset: u64,
    context: impl Into<String>,
) -> MyisamError {
    MyisamError::Truncated {
        table: table.to_string(),
        file,
        offset,
        context: context.into(),
    }
}
