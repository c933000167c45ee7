//! The `.MYD` row reader: one sequential pass over any [`Read`] (a file, or a member streamed out
//! of a RAR archive, which cannot seek), rows out.
//!
//! Fixed rows are `record_len` bytes each (at least the data pointer size plus one, plus one for a
//! checksum); a first byte of 0 marks a deleted row.
//!
//! Dynamic rows live in blocks; the first byte of a block gives its kind (big-endian lengths):
//!
//! | type | header | holds |
//! |---|---|---|
//! | 0 | 20: length (3), next and previous deleted block (8 + 8) | a deleted block (its length includes the header) |
//! | 1, 2 | 3, 4: length (2 or 3 bytes) | a whole row that fills the block |
//! | 3, 4 | 4, 5: length (2 or 3), unused bytes (1) | a whole row, then unused bytes |
//! | 5, 6 | 13, 15: row length (2/3), part length (2/3), next block (8) | the first part of a split row |
//! | 13 | 16: row length (4), part length (3), next block (8) | the first part of a long split row |
//! | 7, 8 | 3, 4: length (2/3) | the last part of a split row, filling its block |
//! | 9, 10 | 4, 5: length (2/3), unused bytes (1) | the last part, then unused bytes |
//! | 11, 12 | 11, 12: length (2/3), next block (8) | a middle part |
//!
//! MariaDB reads a row from its first block and follows the "next" positions by seeking. A stream
//! cannot, so a split row whose next part lies ahead waits (by the position it waits for) until the
//! scan reaches it, and a continuation block met before its row's first block is kept (by its own
//! position) until that row comes; both are held by [`Fragments`], in bounded memory. A row is
//! therefore returned when its last part has been read, not always in file order.

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::Arc;

use super::error::{corrupt, truncated, unsupported, MyisamError, TableFile};
use super::frm::{RowFormat, TableDef};
use super::myi::MyiHeader;
use super::row::{null_start, unpack_dynamic, unpack_fixed, Cell, RowView};
use super::spill::{Fragments, Partial};
use super::value::Row;

/// Settings of a [`MydReader`].
#[derive(Debug, Clone)]
pub struct ReaderOptions {
    /// Memory for parts of split rows waiting to be joined; beyond it they go to a temporary file.
    pub fragment_memory: usize,
    /// Folder for that temporary file (default: the system's temporary folder).
    pub temp_dir: Option<PathBuf>,
    /// Initial size of the read buffer (it grows for a block larger than it: at most 16 MiB).
    pub buffer_size: usize,
    /// Bytes of a row pointer, from the `.MYI` header ([`MyiHeader::data_pointer_size`]): fixed
    /// rows are at least one byte longer. Without it, 6 (the servers' default) is assumed, which
    /// only matters for fixed rows shorter than 9 bytes.
    pub data_pointer_size: Option<u8>,
}

impl Default for ReaderOptions {
    fn default() -> ReaderOptions {
        ReaderOptions {
            fragment_memory: 64 << 20,
            temp_dir: None,
            buffer_size: 1 << 20,
            data_pointer_size: None,
        }
    }
}

impl ReaderOptions {
    /// Takes the data pointer size from a `.MYI` header.
    pub fn with_myi(mut self, header: &MyiHeader) -> ReaderOptions {
        self.data_pointer_size = Some(header.data_pointer_size);
        self
    }
}

/// What a pass over a `.MYD` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Live rows returned.
    pub rows: u64,
    /// Deleted rows (fixed format) or deleted blocks (dynamic format) skipped.
    pub deleted: u64,
    /// Rows split over more than one block.
    pub split_rows: u64,
    /// Continuation blocks (second and later parts of split rows).
    pub continuation_blocks: u64,
    /// Parts that lay before the block pointing to them.
    pub backward_parts: u64,
    /// Continuation blocks no row claimed (left by a crash; MariaDB ignores them too).
    pub unclaimed_blocks: u64,
    /// Bytes of `.MYD` read.
    pub bytes: u64,
    /// Bytes of row parts written to the temporary file.
    pub spilled_bytes: u64,
    /// Most memory held by waiting row parts at once.
    pub peak_fragment_memory: usize,
    /// Most row parts waiting at once.
    pub peak_fragments: u64,
}

impl ReadStats {
    /// Checks the live rows decoded against the `.MYI` header's count.
    pub fn check_rows(&self, table: &str, header: &MyiHeader) -> Result<(), MyisamError> {
        if self.rows != header.rows {
            return Err(MyisamError::RowCount {
                table: table.to_string(),
                decoded: self.rows,
                expected: header.rows,
                bytes: self.bytes,
            });
        }
        Ok(())
    }
}

/// Where the row just found is.
enum Found {
    /// In the read buffer.
    Buffer {
        start: usize,
        len: usize,
        offset: u64,
    },
    /// Joined from parts, in `joined`.
    Joined { offset: u64 },
}

/// The largest block MyISAM writes (16 MiB less 4), and so the largest part of a row.
const MAX_BLOCK: usize = (1 << 24) - 4;
/// A sanity limit on the length of one row (MyISAM itself limits rows to 4 GiB).
const MAX_ROW: usize = 1 << 30;
/// The first bytes of a `myisampack` data file.
const PACKED_MAGIC: [u8; 4] = [0xFE, 0xFE, 0x08, 0x02];

/// Reads the rows of one `.MYD`, in one pass, from any [`Read`].
///
/// [`MydReader::next_row`] lends each row ([`RowView`]) until the next call: nothing is allocated
/// per row. [`MydReader::into_rows`] gives owned rows instead. When `next_row` returns `None` the
/// whole file was read and every split row joined; [`MydReader::stats`] then has the counts.
pub struct MydReader<R> {
    table: Arc<TableDef>,
    src: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// File offset of `buf[0]`.
    base: u64,
    eof: bool,
    /// Bytes to skip before the next block (the unused end of the block just returned).
    skip: u64,
    cells: Vec<Cell>,
    scratch: Vec<u8>,
    joined: Vec<u8>,
    frags: Fragments,
    stats: ReadStats,
    /// Bytes per fixed row as stored.
    stride: usize,
    null_start: usize,
    done: bool,
}

impl<R: Read> MydReader<R> {
    /// A reader of the rows of `table` from `src` (positioned at the start of the `.MYD`).
    pub fn new(table: Arc<TableDef>, src: R, options: ReaderOptions) -> MydReader<R> {
        let pointer = options.data_pointer_size.unwrap_or(6) as usize;
        let stride = table.record_len.max(pointer + 1) + table.checksum as usize;
        let cells = vec![Cell::default(); table.columns.len()];
        let null_start = null_start(&table);
        MydReader {
            src,
            buf: vec![0; options.buffer_size.max(stride).max(64)],
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
            skip: 0,
            cells,
            scratch: Vec::new(),
            joined: Vec::new(),
            frags: Fragments::new(options.fragment_memory, options.temp_dir),
            stats: ReadStats::default(),
            stride,
            null_start,
            done: false,
            table,
        }
    }

    /// The table being read.
    pub fn table(&self) -> &Arc<TableDef> {
        &self.table
    }

    /// Counts so far (final once [`MydReader::next_row`] has returned `None`).
    pub fn stats(&self) -> ReadStats {
        let mut s = self.stats.clone();
        s.bytes = self.base + self.pos as u64;
        s.spilled_bytes = self.frags.stats.spilled_bytes;
        s.peak_fragment_memory = self.frags.stats.peak_memory;
        s.peak_fragments = self.frags.stats.peak_entries;
        s
    }

    /// The next live row, or `None` at the end of the file (after checking that no split row is
    /// missing a part). After an error, returns `None`.
    pub fn next_row(&mut self) -> Result<Option<RowView<'_>>, MyisamError> {
        if self.done {
            return Ok(None);
        }
        let found = match self.table.row_format {
            RowFormat::Fixed => self.next_fixed(),
            RowFormat::Dynamic => self.next_dynamic(),
        };
        let found = match found {
            Ok(Some(found)) => found,
            Ok(None) => {
                self.done = true;
                self.finish()?;
                return Ok(None);
            }
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        };
        let (data, offset) = match found {
            Found::Buffer { start, len, offset } => (&self.buf[start..start + len], offset),
            Found::Joined { offset } => (&self.joined[..], offset),
        };
        let unpacked = match self.table.row_format {
            RowFormat::Fixed => unpack_fixed(&self.table, data, &mut self.cells),
            RowFormat::Dynamic => {
                unpack_dynamic(&self.table, data, &mut self.cells, &mut self.scratch)
            }
        };
        if let Err(message) = unpacked {
            self.done = true;
            return Err(corrupt(
                &self.table.name,
                TableFile::Myd,
                offset,
                format!("row: {message}"),
            ));
        }
        self.stats.rows += 1;
        Ok(Some(RowView {
            table: &self.table,
            data,
            cells: &self.cells,
            scratch: &self.scratch,
            null_start: self.null_start,
            offset,
        }))
    }

    /// Reads to the end, counting rows without looking at them, and returns the counts.
    pub fn count(mut self) -> Result<ReadStats, MyisamError> {
        while self.next_row()?.is_some() {}
        Ok(self.stats())
    }

    /// The rows as owned values.
    pub fn into_rows(self) -> OwnedRows<R> {
        OwnedRows { reader: self }
    }

    fn io_error(&self, source: io::Error) -> MyisamError {
        MyisamError::Io {
            table: self.table.name.clone(),
            file: TableFile::Myd,
            offset: self.base + self.end as u64,
            source,
        }
    }

    /// Makes `need` bytes available at `pos`; false if the stream ends first.
    fn ensure(&mut self, need: usize) -> Result<bool, MyisamError> {
        if self.end - self.pos >= need {
            return Ok(true);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.base += self.pos as u64;
            self.end -= self.pos;
            self.pos = 0;
        }
        if need > self.buf.len() {
            self.buf.resize(need.max(self.buf.len() * 2), 0);
        }
        while self.end < need {
            if self.eof {
                return Ok(false);
            }
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e)),
            }
        }
        Ok(true)
    }

    /// Skips the unused end of the last block.
    fn apply_skip(&mut self) -> Result<(), MyisamError> {
        while self.skip > 0 {
            let have = (self.end - self.pos) as u64;
            if have >= self.skip {
                self.pos += self.skip as usize;
                self.skip = 0;
                break;
            }
            self.skip -= have;
            self.pos = self.end;
            if !self.ensure(1)? {
                let at = self.base + self.end as u64;
                return Err(truncated(
                    &self.table.name,
                    TableFile::Myd,
                    at,
                    "the unused end of a block",
                ));
            }
        }
        Ok(())
    }

    fn next_fixed(&mut self) -> Result<Option<Found>, MyisamError> {
        loop {
            if !self.ensure(1)? {
                return Ok(None);
            }
            let offset = self.base + self.pos as u64;
            if !self.ensure(self.stride)? {
                return Err(truncated(
                    &self.table.name,
                    TableFile::Myd,
                    self.base + self.end as u64,
                    format!("the {}-byte row at byte {offset}", self.stride),
                ));
            }
            let start = self.pos;
            self.pos += self.stride;
            match self.buf[start] {
                0 => self.stats.deleted += 1,
                0xFE if offset == 0 && self.buf[start..start + 4] == PACKED_MAGIC => {
                    return Err(unsupported(
                        &self.table.name,
                        TableFile::Myd,
                        0,
                        "the data file is compressed with myisampack",
                    ));
                }
                _ => {
                    return Ok(Some(Found::Buffer {
                        start,
                        len: self.table.record_len,
                        offset,
                    }))
                }
            }
        }
    }

    fn next_dynamic(&mut self) -> Result<Option<Found>, MyisamError> {
        loop {
            self.apply_skip()?;
            if !self.ensure(1)? {
                return Ok(None);
            }
            let at = self.base + self.pos as u64;
            if let Some(waited) = self.frags.next_spilled_wait() {
                if waited < at {
                    return Err(corrupt(
                        &self.table.name,
                        TableFile::Myd,
                        waited,
                        "a row continues here, where no continuation block starts",
                    ));
                }
            }
            let kind = self.buf[self.pos];
            let header_len = match kind {
                0 => 20,
                1 | 7 => 3,
                2 | 3 | 8 | 9 => 4,
                4 | 10 => 5,
                5 => 13,
                6 => 15,
                11 => 11,
                12 => 12,
                13 => 16,
                _ => {
                    if at == 0
                        && self.ensure(4)?
                        && self.buf[self.pos..self.pos + 4] == PACKED_MAGIC
                    {
                        return Err(unsupported(
                            &self.table.name,
                            TableFile::Myd,
                            0,
                            "the data file is compressed with myisampack",
                        ));
                    }
                    return Err(corrupt(
                        &self.table.name,
                        TableFile::Myd,
                        at,
                        format!("unknown block type {kind}"),
                    ));
                }
            };
            if !self.ensure(header_len)? {
                return Err(truncated(
                    &self.table.name,
                    TableFile::Myd,
                    self.base + self.end as u64,
                    format!("the header of the block at byte {at}"),
                ));
            }
            let h = &self.buf[self.pos..self.pos + header_len];
            let be = |from: usize, n: usize| {
                h[from..from + n]
                    .iter()
                    .fold(0u64, |v, &x| (v << 8) | x as u64)
            };
            let next_at = |from: usize| be(from, 8);
            // (row length if first, part length, block length after the header, next position)
            let (rec_len, data_len, block_len, next) = match kind {
                0 => {
                    let len = be(1, 3) as usize;
                    if len < 20 || !len.is_multiple_of(4) {
                        return Err(corrupt(
                            &self.table.name,
                            TableFile::Myd,
                            at,
                            format!("deleted block of {len} bytes"),
                        ));
                    }
                    self.pos += 20;
                    self.skip = (len - 20) as u64;
                    self.stats.deleted += 1;
                    continue;
                }
                1 => (Some(be(1, 2)), be(1, 2), be(1, 2), None),
                2 => (Some(be(1, 3)), be(1, 3), be(1, 3), None),
                3 => (Some(be(1, 2)), be(1, 2), be(1, 2) + be(3, 1), None),
                4 => (Some(be(1, 3)), be(1, 3), be(1, 3) + be(4, 1), None),
                5 => (Some(be(1, 2)), be(3, 2), be(3, 2), Some(next_at(5))),
                6 => (Some(be(1, 3)), be(4, 3), be(4, 3), Some(next_at(7))),
                13 => (Some(be(1, 4)), be(5, 3), be(5, 3), Some(next_at(8))),
                7 => (None, be(1, 2), be(1, 2), None),
                8 => (None, be(1, 3), be(1, 3), None),
                9 => (None, be(1, 2), be(1, 2) + be(3, 1), None),
                10 => (None, be(1, 3), be(1, 3) + be(4, 1), None),
                11 => (None, be(1, 2), be(1, 2), Some(next_at(3))),
                _ => (None, be(1, 3), be(1, 3), Some(next_at(4))),
            };
            let (data_len, block_len) = (data_len as usize, block_len as usize);
            if data_len == 0 || data_len > MAX_BLOCK {
                return Err(corrupt(
                    &self.table.name,
                    TableFile::Myd,
                    at,
                    format!("block of type {kind} holding {data_len} bytes"),
                ));
            }
            if let Some(len) = rec_len {
                if len as usize > MAX_ROW || (len as usize) < data_len {
                    return Err(corrupt(
                        &self.table.name,
                        TableFile::Myd,
                        at,
                        format!("row of {len} bytes in a block holding {data_len}"),
                    ));
                }
            }
            if !self.ensure(header_len + data_len)? {
                return Err(truncated(
                    &self.table.name,
                    TableFile::Myd,
                    self.base + self.end as u64,
                    format!("the {data_len} bytes of the block at byte {at}"),
                ));
            }
            let start = self.pos + header_len;
            let after = at + (header_len + block_len) as u64;
            self.pos = start + data_len;
            self.skip = (block_len - data_len) as u64;
            let data = &self.buf[start..start + data_len];
            match (rec_len, next) {
                // A whole row in one block: decoded where it lies.
                (Some(_), None) => {
                    return Ok(Some(Found::Buffer {
                        start,
                        len: data_len,
                        offset: at,
                    }))
                }
                // The first part of a split row.
                (Some(len), Some(next)) => {
                    self.stats.split_rows += 1;
                    let mut joined = std::mem::take(&mut self.joined);
                    joined.clear();
                    joined.extend_from_slice(data);
                    let part = Partial {
                        head: at,
                        rec_len: len as usize,
                        data: joined,
                    };
                    if self.follow(part, Some(next), after)? {
                        return Ok(Some(Found::Joined { offset: at }));
                    }
                }
                // A continuation block.
                (None, next) => {
                    self.stats.continuation_blocks += 1;
                    let spill = |e| MyisamError::Spill {
                        table: self.table.name.clone(),
                        offset: at,
                        source: e,
                    };
                    match self.frags.take_waiting(at).map_err(spill)? {
                        Some(mut part) => {
                            if part.data.len() + data_len > part.rec_len {
                                return Err(corrupt(
                                    &self.table.name,
                                    TableFile::Myd,
                                    at,
                                    format!("this part makes the row at byte {} longer than its {} bytes", part.head, part.rec_len),
                                ));
                            }
                            part.data.extend_from_slice(data);
                            let head = part.head;
                            if self.follow(part, next, after)? {
                                return Ok(Some(Found::Joined { offset: head }));
                            }
                        }
                        None => {
                            let stored = self.frags.put_orphan(at, data, next).map_err(spill)?;
                            debug_assert!(stored, "a position is read once");
                        }
                    }
                }
            }
        }
    }

    /// Follows a split row from its last joined part: joins parts already passed (orphans) and
    /// parks the row when its next part lies ahead. True when the row is complete (in `joined`).
    fn follow(
        &mut self,
        mut part: Partial,
        mut next: Option<u64>,
        after: u64,
    ) -> Result<bool, MyisamError> {
        let name = &self.table.name;
        loop {
            // MariaDB stops reading a row when it has its length, whatever the last block says.
            if part.data.len() == part.rec_len {
                self.joined = part.data;
                return Ok(true);
            }
            let Some(n) = next else {
                return Err(corrupt(
                    name,
                    TableFile::Myd,
                    part.head,
                    format!(
                        "the row's parts end after {} of its {} bytes",
                        part.data.len(),
                        part.rec_len
                    ),
                ));
            };
            let spill = |e| MyisamError::Spill {
                table: name.clone(),
                offset: after,
                source: e,
            };
            if n < after {
                let before = part.data.len();
                match self.frags.take_orphan(n, &mut part.data).map_err(spill)? {
                    Some(following) => {
                        self.stats.backward_parts += 1;
                        if part.data.len() > part.rec_len {
                            return Err(corrupt(
                                name,
                                TableFile::Myd,
                                n,
                                format!("this part makes the row at byte {} longer than its {} bytes", part.head, part.rec_len),
                            ));
                        }
                        debug_assert!(part.data.len() > before);
                        next = following;
                    }
                    None => {
                        return Err(corrupt(
                            name,
                            TableFile::Myd,
                            part.head,
                            format!("the row continues at byte {n}, where no unclaimed continuation block was"),
                        ))
                    }
                }
            } else {
                let head = part.head;
                if !self.frags.park(n, part).map_err(spill)? {
                    return Err(corrupt(
                        name,
                        TableFile::Myd,
                        head,
                        format!("two rows continue at byte {n}"),
                    ));
                }
                return Ok(false);
            }
        }
    }

    /// End-of-file checks: every split row complete.
    fn finish(&mut self) -> Result<(), MyisamError> {
        let first = self
            .frags
            .first_waiting()
            .map_err(|source| MyisamError::Spill {
                table: self.table.name.clone(),
                offset: self.base + self.end as u64,
                source,
            })?;
        if let Some((head, waits_for)) = first {
            let end = self.base + self.end as u64;
            return Err(MyisamError::Corrupt {
                table: self.table.name.clone(),
                file: TableFile::Myd,
                offset: head,
                message: if waits_for < end {
                    format!(
                        "the row continues at byte {waits_for}, where no continuation block was"
                    )
                } else {
                    format!(
                        "the row continues at byte {waits_for}, but the file ends at byte {end}"
                    )
                },
            });
        }
        self.stats.unclaimed_blocks = self.frags.orphans_left();
        Ok(())
    }
}

/// The rows of a [`MydReader`] as owned [`Row`]s (allocates per row).
pub struct OwnedRows<R> {
    reader: MydReader<R>,
}

impl<R: Read> OwnedRows<R> {
    /// Counts so far.
    pub fn stats(&self) -> ReadStats {
        self.reader.stats()
    }
}

impl<R: Read> Iterator for OwnedRows<R> {
    type Item = Result<Row, MyisamError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.reader.next_row() {
            Ok(Some(row)) => Some(Ok(row.to_row())),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}
