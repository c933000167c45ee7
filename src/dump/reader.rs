//! The streaming reader: bytes of a `mysqldump` file in, `(table, row)` out.
//!
//! Byte-oriented and restartable: every parse step works on the bytes already buffered and, when
//! they end too early, the buffer is refilled (and grown only if a single tuple is larger than it)
//! and the step runs again from its start. Memory is therefore bounded by the largest tuple, not by
//! the file or the statement.

use std::collections::HashMap;
use std::io::{self, Read};

use memchr::{memchr, memchr2, memmem};

/// What can go wrong while reading a dump. Offsets count bytes of the (decompressed) SQL text.
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    /// The underlying reader (file, decompressor, archive) failed.
    #[error("read error near byte {offset}")]
    Io {
        /// Bytes successfully read before the failure.
        offset: u64,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The text stops in the middle of a statement or a table's data.
    #[error("the dump ends early at byte {offset}, inside {context}: the file is truncated (an interrupted download or copy?)")]
    Truncated {
        /// The end of the text.
        offset: u64,
        /// What was being read.
        context: String,
    },
    /// The compressed stream stops before its end (a cut download): the decompressor could not
    /// go on.
    #[error("{stream}, after {offset} bytes of SQL: the file is truncated (an interrupted download or copy?)")]
    StreamCut {
        /// Bytes of SQL text decompressed before the end.
        offset: u64,
        /// Which stream ends, and where in the file (`the gzip stream ends early at byte N of
        /// the file`).
        stream: String,
    },
    /// The text is not a MySQL/MariaDB dump.
    #[error("not a MySQL dump: found {found} at byte {offset}")]
    NotADump {
        /// Where the foreign text starts.
        offset: u64,
        /// A short, printable excerpt.
        found: String,
    },
    /// One row (or statement) is larger than the reader accepts: not a real dump's.
    #[error("a row larger than {} MiB at byte {offset}: not a Library Genesis dump", limit >> 20)]
    TooLarge {
        /// Where the row starts.
        offset: u64,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The text is a dump but breaks its syntax.
    #[error("syntax error at byte {offset}: {message}")]
    Syntax {
        /// Where the error was found.
        offset: u64,
        /// What was expected.
        message: String,
    },
}

impl DumpError {
    /// The byte offset the error refers to.
    pub fn offset(&self) -> u64 {
        match self {
            DumpError::Io { offset, .. }
            | DumpError::Truncated { offset, .. }
            | DumpError::StreamCut { offset, .. }
            | DumpError::NotADump { offset, .. }
            | DumpError::TooLarge { offset, .. }
            | DumpError::Syntax { offset, .. } => *offset,
        }
    }
}

/// One value of a row, borrowed from the reader until the next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// SQL `NULL`.
    Null,
    /// A bare number, as written (`42`, `-1.5e3`).
    Number(&'a [u8]),
    /// A string literal with its escapes decoded. Bytes, not text: the dump may hold invalid UTF-8.
    Text(&'a [u8]),
}

impl<'a> Value<'a> {
    /// The raw bytes (empty for `NULL`).
    pub fn bytes(&self) -> &'a [u8] {
        match self {
            Value::Null => b"",
            Value::Number(b) | Value::Text(b) => b,
        }
    }

    /// Whether the value is SQL `NULL`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Null,
    Number(u32, u32),
    Text(u32, u32),
}

/// One row of an `INSERT` statement.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// The table the row belongs to, as written in the dump.
    pub table: &'a str,
    /// The column names, in value order: the statement's column list, else the table's
    /// `CREATE TABLE` (empty when the dump gave neither).
    pub columns: &'a [String],
    /// A number that changes with each `INSERT` statement, so callers can cache a column mapping.
    pub statement: u64,
    /// Byte offset of the tuple's opening parenthesis.
    pub offset: u64,
    slots: &'a [Slot],
    arena: &'a [u8],
}

impl<'a> Row<'a> {
    /// How many values the tuple has.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the tuple is `()`.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The value at `index` (`Null` past the end).
    pub fn get(&self, index: usize) -> Value<'a> {
        match self.slots.get(index) {
            None | Some(Slot::Null) => Value::Null,
            Some(Slot::Number(a, b)) => Value::Number(&self.arena[*a as usize..*b as usize]),
            Some(Slot::Text(a, b)) => Value::Text(&self.arena[*a as usize..*b as usize]),
        }
    }

    /// All values in order.
    pub fn values(&self) -> impl Iterator<Item = Value<'a>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// Why a parse step stopped.
enum Stop {
    /// The buffered bytes end before the step could finish.
    More,
    /// Malformed input at this position (relative to the step's start).
    Bad(usize, String),
    /// Text that is not SQL at all, at this position.
    Foreign(usize, String),
}

type Step<T> = Result<T, Stop>;

const INITIAL_BUFFER: usize = 4 << 20;
/// The largest statement head or row read (real rows are at most a few MiB: MEDIUMTEXT values
/// escaped): the reader's memory stays below about twice this, whatever the input.
pub const MAX_STEP_BYTES: usize = 64 << 20;

/// Reads `(table, row)` pairs from a dump, in constant memory.
pub struct DumpReader<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Offset in the stream of `buf[0]`.
    base: u64,
    eof: bool,
    tables: HashMap<String, Vec<String>>,
    /// Whether an `INSERT` is being read.
    in_insert: bool,
    /// The table and columns of the current (or last) `INSERT`.
    table: String,
    columns: Vec<String>,
    statement: u64,
    arena: Vec<u8>,
    slots: Vec<Slot>,
    locked: Option<String>,
    row_offset: u64,
    saw_statement: bool,
}

impl<R: Read> DumpReader<R> {
    /// What to report for `e`, an error of this reader over an archive member, whose checksum is
    /// only checked at its end: a damaged archive decodes into garbled SQL first. Reads the
    /// member on to its end (into nothing); the checksum's failure, if any, replaces `e`.
    pub fn checked_failure(self, e: DumpError) -> DumpError {
        if matches!(e, DumpError::Io { .. }) {
            return e;
        }
        let offset = self.offset();
        let mut src = self.src;
        match std::io::copy(&mut src, &mut std::io::sink()) {
            Err(source) => DumpError::Io { offset, source },
            Ok(_) => e,
        }
    }

    /// A reader over `src` (plain SQL text; see [`crate::dump::open`] for compressed inputs).
    pub fn new(src: R) -> Self {
        DumpReader {
            src,
            buf: vec![0; INITIAL_BUFFER],
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
            tables: HashMap::new(),
            in_insert: false,
            table: String::new(),
            columns: Vec::new(),
            statement: 0,
            arena: Vec::with_capacity(1 << 16),
            slots: Vec::with_capacity(64),
            locked: None,
            row_offset: 0,
            saw_statement: false,
        }
    }

    /// Bytes of SQL text consumed so far.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Reads more bytes; returns false at the end of the input.
    /// Reads more text, until the buffer is full or the input ends; true when some was read.
    /// Filling the whole buffer (not one `read`: pipes and decompressors hand out a few KiB at a
    /// time) keeps the re-parse of a step that did not fit linear in its size.
    fn fill(&mut self) -> Result<bool, DumpError> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.base += self.pos as u64;
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            if self.buf.len() >= MAX_STEP_BYTES {
                return Err(DumpError::TooLarge {
                    offset: self.base,
                    limit: MAX_STEP_BYTES,
                });
            }
            let len = (self.buf.len() * 2).min(MAX_STEP_BYTES);
            self.buf.resize(len, 0);
        }
        let before = self.end;
        while self.end < self.buf.len() {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    let offset = self.base + self.end as u64;
                    // A compressed stream cut short says so itself (`dump::input::StreamCut`).
                    if source.kind() == io::ErrorKind::UnexpectedEof {
                        let stream = source
                            .get_ref()
                            .map(|inner| inner.to_string())
                            .unwrap_or_else(|| "the compressed stream ends early".into());
                        return Err(DumpError::StreamCut { offset, stream });
                    }
                    return Err(DumpError::Io { offset, source });
                }
            }
        }
        Ok(self.end > before)
    }

    fn truncated(&self, context: String) -> DumpError {
        DumpError::Truncated {
            offset: self.base + self.end as u64,
            context,
        }
    }

    fn syntax(&self, at: usize, message: String) -> DumpError {
        DumpError::Syntax {
            offset: self.offset() + at as u64,
            message,
        }
    }

    /// The next row of any table, or `None` at the end of a complete dump.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, DumpError> {
        loop {
            if self.in_insert {
                if self.read_tuple()? {
                    break;
                }
            } else if !self.top_level()? {
                return Ok(None);
            }
        }
        Ok(Some(Row {
            table: &self.table,
            columns: &self.columns,
            statement: self.statement,
            offset: self.row_offset,
            slots: &self.slots,
            arena: &self.arena,
        }))
    }

    /// Reads the next tuple of the current `INSERT`, or its end. True when a row is ready.
    fn read_tuple(&mut self) -> Result<bool, DumpError> {
        loop {
            let step = parse_tuple(
                &self.buf[self.pos..self.end],
                &mut self.arena,
                &mut self.slots,
            );
            match step {
                Ok((start, used, last)) => {
                    self.row_offset = self.offset() + start as u64;
                    self.pos += used;
                    if last {
                        self.in_insert = false;
                    }
                    return Ok(true);
                }
                Err(Stop::Bad(at, message) | Stop::Foreign(at, message)) => {
                    return Err(self.syntax(at, message))
                }
                Err(Stop::More) => {
                    if !self.fill()? {
                        return Err(self.truncated(format!("the data of table `{}`", self.table)));
                    }
                }
            }
        }
    }

    /// Handles one top-level statement or comment. False at a clean end of input.
    fn top_level(&mut self) -> Result<bool, DumpError> {
        loop {
            let step = self.statement_step();
            match step {
                Ok(()) => return Ok(true),
                Err(Stop::Foreign(at, found)) => {
                    return Err(DumpError::NotADump {
                        offset: self.offset() + at as u64,
                        found,
                    });
                }
                Err(Stop::Bad(at, message)) => return Err(self.syntax(at, message)),
                Err(Stop::More) => {
                    if !self.fill()? {
                        // Only trailing white space (or nothing) left?
                        let rest = &self.buf[self.pos..self.end];
                        let blank = rest.iter().all(|b| b.is_ascii_whitespace());
                        if !blank {
                            let what = statement_context(rest);
                            return Err(self.truncated(what));
                        }
                        self.pos = self.end;
                        if let Some(table) = &self.locked {
                            return Err(self.truncated(format!(
                                "the data of table `{table}` (its `UNLOCK TABLES` never came)"
                            )));
                        }
                        if !self.saw_statement {
                            return Err(DumpError::NotADump {
                                offset: self.offset(),
                                found: "an empty file".into(),
                            });
                        }
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// One step at the top level; consumes what it handled.
    fn statement_step(&mut self) -> Step<()> {
        let buf = &self.buf[self.pos..self.end];
        let start = buf
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .ok_or(Stop::More)?;
        let s = &buf[start..];
        // Comments.
        if s[0] == b'-' && s.len() < 3 {
            return Err(Stop::More);
        }
        if s[0] == b'#' || (s.starts_with(b"--") && s[2].is_ascii_whitespace()) {
            let nl = memchr(b'\n', s).ok_or(Stop::More)?;
            self.pos += start + nl + 1;
            return Ok(());
        }
        if s.starts_with(b"/*") {
            let close = memmem::find(&s[2..], b"*/").ok_or(Stop::More)?;
            self.saw_statement = true;
            self.pos += start + 2 + close + 2;
            return Ok(());
        }
        if s.len() < 2 && s[0] == b'/' {
            return Err(Stop::More);
        }
        if s[0] == b';' {
            self.pos += start + 1;
            return Ok(());
        }
        let word_len = s
            .iter()
            .position(|b| !b.is_ascii_alphabetic() && *b != b'_')
            .ok_or(Stop::More)?;
        let word = &s[..word_len];
        let upper = word.to_ascii_uppercase();
        match upper.as_slice() {
            b"INSERT" | b"REPLACE" => {
                let (table, columns, used) = parse_insert_head(s)?;
                let columns = match columns {
                    Some(c) => c,
                    None => self
                        .tables
                        .get(&table.to_ascii_lowercase())
                        .cloned()
                        .unwrap_or_default(),
                };
                self.statement += 1;
                self.saw_statement = true;
                self.table = table;
                self.columns = columns;
                self.in_insert = true;
                self.pos += start + used;
                Ok(())
            }
            b"CREATE" => {
                let used = statement_end(s)?;
                if let Some((table, columns)) = parse_create_table(&s[..used]) {
                    self.tables.insert(table.to_ascii_lowercase(), columns);
                }
                self.saw_statement = true;
                self.pos += start + used;
                Ok(())
            }
            b"DELIMITER" => {
                // A trigger or routine block: skip to the line `DELIMITER ;`.
                let line_end = memchr(b'\n', s).ok_or(Stop::More)?;
                let delim = String::from_utf8_lossy(&s[word_len..line_end])
                    .trim()
                    .to_string();
                if delim == ";" {
                    self.pos += start + line_end + 1;
                    return Ok(());
                }
                let mut at = line_end + 1;
                loop {
                    let rest = &s[at..];
                    let nl = memchr(b'\n', rest).ok_or(Stop::More)?;
                    let line = rest[..nl].trim_ascii();
                    if line.len() >= 9
                        && line[..9].eq_ignore_ascii_case(b"DELIMITER")
                        && line[9..].trim_ascii() == b";"
                    {
                        self.pos += start + at + nl + 1;
                        self.saw_statement = true;
                        return Ok(());
                    }
                    at += nl + 1;
                }
            }
            b"LOCK" | b"UNLOCK" | b"SET" | b"DROP" | b"USE" | b"ALTER" | b"START" | b"COMMIT"
            | b"BEGIN" | b"ROLLBACK" | b"SAVEPOINT" | b"RELEASE" | b"FLUSH" | b"ANALYZE"
            | b"OPTIMIZE" | b"TRUNCATE" => {
                let used = statement_end(s)?;
                match upper.as_slice() {
                    b"LOCK" => {
                        // LOCK TABLES `name` WRITE
                        let after = first_identifier(&s[word_len..used])
                            .map_or(word_len, |(_, n)| word_len + n);
                        let (name, _) = first_identifier(&s[after..used]).unwrap_or_default();
                        self.locked = Some(name);
                    }
                    b"UNLOCK" => self.locked = None,
                    _ => {}
                }
                self.saw_statement = true;
                self.pos += start + used;
                Ok(())
            }
            _ => Err(Stop::Foreign(start, excerpt(s))),
        }
    }
}

/// A short printable excerpt of foreign bytes for an error message.
fn excerpt(s: &[u8]) -> String {
    let head = &s[..s.len().min(24)];
    let text = String::from_utf8_lossy(head);
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .collect();
    format!("`{clean}`")
}

fn statement_context(rest: &[u8]) -> String {
    let head = &rest[..rest.len().min(40)];
    let text = String::from_utf8_lossy(head);
    let first_line = text.trim_start().lines().next().unwrap_or("").to_string();
    format!("the statement `{first_line}`")
}

/// The length of a statement up to and including its `;`, skipping quoted text and comments.
fn statement_end(s: &[u8]) -> Step<usize> {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b';' => return Ok(i + 1),
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                loop {
                    let j = memchr2(q, b'\\', s.get(i..).ok_or(Stop::More)?).ok_or(Stop::More)?;
                    i += j;
                    if s[i] == b'\\' && q != b'`' {
                        i += 2;
                    } else if s[i] == b'\\' {
                        i += 1;
                    } else if s.get(i + 1) == Some(&q) {
                        i += 2;
                    } else if i + 1 >= s.len() {
                        return Err(Stop::More);
                    } else {
                        i += 1;
                        break;
                    }
                }
            }
            b'/' if s.get(i + 1) == Some(&b'*') => {
                let close = memmem::find(&s[i + 2..], b"*/").ok_or(Stop::More)?;
                i += 2 + close + 2;
            }
            _ => i += 1,
        }
    }
    Err(Stop::More)
}

/// Reads an identifier (backquoted or bare) after optional white space; returns it and the
/// bytes used.
fn first_identifier(s: &[u8]) -> Option<(String, usize)> {
    let start = s.iter().position(|b| !b.is_ascii_whitespace())?;
    let t = &s[start..];
    if t.first() == Some(&b'`') {
        let mut name = Vec::new();
        let mut i = 1;
        loop {
            let j = memchr(b'`', &t[i..])? + i;
            name.extend_from_slice(&t[i..j]);
            if t.get(j + 1) == Some(&b'`') {
                name.push(b'`');
                i = j + 2;
            } else {
                return Some((String::from_utf8_lossy(&name).into_owned(), start + j + 1));
            }
        }
    }
    let len = t
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$'))
        .unwrap_or(t.len());
    if len == 0 {
        return None;
    }
    Some((String::from_utf8_lossy(&t[..len]).into_owned(), start + len))
}

/// Reads a possibly qualified name (`db`.`table`), returning the last part.
fn qualified_identifier(s: &[u8]) -> Option<(String, usize)> {
    let (mut name, mut used) = first_identifier(s)?;
    while s.get(used) == Some(&b'.') {
        let (next, n) = first_identifier(&s[used + 1..])?;
        name = next;
        used += 1 + n;
    }
    Some((name, used))
}

fn skip_ws(s: &[u8], mut i: usize) -> Step<usize> {
    loop {
        match s.get(i) {
            None => return Err(Stop::More),
            Some(b) if b.is_ascii_whitespace() => i += 1,
            Some(_) => return Ok(i),
        }
    }
}

/// Parses `INSERT [modifiers] [INTO] name [(cols)] VALUES`; returns table, columns and bytes used.
fn parse_insert_head(s: &[u8]) -> Step<(String, Option<Vec<String>>, usize)> {
    let mut i = 0;
    // Keywords up to the table name.
    loop {
        i = skip_ws(s, i)?;
        let word_len = s[i..]
            .iter()
            .position(|b| !b.is_ascii_alphabetic() && *b != b'_')
            .ok_or(Stop::More)?;
        let word = s[i..i + word_len].to_ascii_uppercase();
        match word.as_slice() {
            b"INSERT" | b"REPLACE" | b"INTO" | b"IGNORE" | b"LOW_PRIORITY" | b"DELAYED"
            | b"HIGH_PRIORITY" => {
                i += word_len;
            }
            _ => break,
        }
    }
    // Enough bytes for the name and column list: wait for the VALUES keyword.
    let values = find_keyword_values(&s[i..]).ok_or(Stop::More)?;
    let head = &s[i..i + values];
    let (table, used) = qualified_identifier(head)
        .ok_or_else(|| Stop::Bad(i, "expected a table name after INSERT INTO".into()))?;
    let rest = head[used..].trim_ascii();
    let columns = if rest.starts_with(b"(") && rest.ends_with(b")") {
        let inner = &rest[1..rest.len() - 1];
        let mut cols = Vec::new();
        let mut j = 0;
        while let Some((name, n)) = first_identifier(&inner[j..]) {
            cols.push(name);
            j += n;
            match inner[j..].iter().position(|b| !b.is_ascii_whitespace()) {
                Some(k) if inner[j + k] == b',' => j += k + 1,
                _ => break,
            }
        }
        Some(cols)
    } else if rest.is_empty() {
        None
    } else {
        return Err(Stop::Bad(
            i + used,
            "expected a column list or VALUES".into(),
        ));
    };
    let mut end = i + values;
    // Skip the keyword VALUES / VALUE.
    let kw = s[end..]
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .ok_or(Stop::More)?;
    end += kw;
    Ok((table, columns, end))
}

/// Position of the `VALUES` keyword outside backquotes.
fn find_keyword_values(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    let mut in_quote = false;
    while i < s.len() {
        let b = s[i];
        if b == b'`' {
            in_quote = !in_quote;
        } else if !in_quote && (b == b'V' || b == b'v') {
            let prev_ok = i == 0 || !s[i - 1].is_ascii_alphanumeric() && s[i - 1] != b'_';
            if prev_ok && s.len() >= i + 5 && s[i..i + 5].eq_ignore_ascii_case(b"VALUE") {
                return Some(i);
            }
        } else if !in_quote && b == b'(' && i > 0 {
            // column list: keep scanning
        } else if !in_quote && b == b';' {
            return None;
        }
        i += 1;
    }
    None
}

/// Extracts the table name and column names from a `CREATE TABLE` statement.
fn parse_create_table(stmt: &[u8]) -> Option<(String, Vec<String>)> {
    // CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (
    let mut i = 6;
    loop {
        let start = stmt
            .get(i..)?
            .iter()
            .position(|b| !b.is_ascii_whitespace())?
            + i;
        let len = stmt[start..]
            .iter()
            .position(|b| !b.is_ascii_alphabetic())
            .unwrap_or(0);
        let word = stmt[start..start + len].to_ascii_uppercase();
        i = start + len;
        match word.as_slice() {
            b"TEMPORARY" | b"OR" | b"REPLACE" => {}
            b"TABLE" => break,
            _ => return None,
        }
    }
    // Skip IF NOT EXISTS that may follow TABLE.
    let mut rest = &stmt[i..];
    for kw in [&b"IF"[..], b"NOT", b"EXISTS"] {
        let trimmed = rest.trim_ascii_start();
        if trimmed.len() > kw.len()
            && trimmed[..kw.len()].eq_ignore_ascii_case(kw)
            && trimmed[kw.len()].is_ascii_whitespace()
        {
            rest = &trimmed[kw.len()..];
        }
    }
    let (name, used) = qualified_identifier(rest)?;
    let body = rest[used..].trim_ascii_start();
    if !body.starts_with(b"(") {
        return Some((name, Vec::new())); // CREATE TABLE x LIKE y
    }
    let mut columns = Vec::new();
    // Column definitions start a line (or follow `(` / `,`) with a backquoted name.
    let mut depth = 0usize;
    let mut j = 0;
    let mut at_item_start = false;
    while j < body.len() {
        match body[j] {
            b'(' => {
                depth += 1;
                if depth == 1 {
                    at_item_start = true;
                }
                j += 1;
            }
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
                j += 1;
            }
            b',' if depth == 1 => {
                at_item_start = true;
                j += 1;
            }
            b'\'' | b'"' => {
                let q = body[j];
                j += 1;
                while j < body.len() && body[j] != q {
                    if body[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                j += 1;
            }
            b if b.is_ascii_whitespace() => j += 1,
            _ => {
                if at_item_start && depth == 1 {
                    at_item_start = false;
                    if body[j] == b'`' {
                        if let Some((col, n)) = first_identifier(&body[j..]) {
                            columns.push(col);
                            j += n;
                            continue;
                        }
                    } else {
                        // A key line or a bare column name.
                        let len = body[j..]
                            .iter()
                            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                            .unwrap_or(0);
                        let word = body[j..j + len].to_ascii_uppercase();
                        let is_key = matches!(
                            word.as_slice(),
                            b"PRIMARY"
                                | b"KEY"
                                | b"UNIQUE"
                                | b"FULLTEXT"
                                | b"INDEX"
                                | b"CONSTRAINT"
                                | b"FOREIGN"
                                | b"SPATIAL"
                                | b"CHECK"
                                | b"PERIOD"
                        );
                        if !is_key && len > 0 {
                            columns.push(String::from_utf8_lossy(&body[j..j + len]).into_owned());
                        }
                        j += len.max(1);
                        continue;
                    }
                }
                j += 1;
            }
        }
    }
    Some((name, columns))
}

/// Parses white space, one tuple and what follows it (`,` or `;`). Returns the offset of `(`
/// within `s`, the bytes used, and whether the statement ended.
fn parse_tuple(s: &[u8], arena: &mut Vec<u8>, slots: &mut Vec<Slot>) -> Step<(usize, usize, bool)> {
    arena.clear();
    slots.clear();
    let start = skip_ws(s, 0)?;
    if s[start] != b'(' {
        return Err(Stop::Bad(
            start,
            format!(
                "expected `(` to start a row, found {}",
                excerpt(&s[start..])
            ),
        ));
    }
    let mut i = start + 1;
    i = skip_ws(s, i)?;
    if s[i] == b')' {
        i += 1;
    } else {
        loop {
            i = skip_ws(s, i)?;
            i = parse_value(s, i, arena, slots)?;
            i = skip_ws(s, i)?;
            match s[i] {
                b',' => i += 1,
                b')' => {
                    i += 1;
                    break;
                }
                _ => {
                    return Err(Stop::Bad(
                        i,
                        format!(
                            "expected `,` or `)` between values, found {}",
                            excerpt(&s[i..])
                        ),
                    ))
                }
            }
        }
    }
    i = skip_ws(s, i)?;
    match s[i] {
        b',' => Ok((start, i + 1, false)),
        b';' => Ok((start, i + 1, true)),
        _ => Err(Stop::Bad(
            i,
            format!(
                "expected `,` or `;` after a row, found {}",
                excerpt(&s[i..])
            ),
        )),
    }
}

fn push_slot(arena: &[u8], start: usize, text: bool) -> Slot {
    let (a, b) = (start as u32, arena.len() as u32);
    if text {
        Slot::Text(a, b)
    } else {
        Slot::Number(a, b)
    }
}

/// Parses one value at `s[i]`, returning the position after it.
fn parse_value(s: &[u8], mut i: usize, arena: &mut Vec<u8>, slots: &mut Vec<Slot>) -> Step<usize> {
    if arena.len() > u32::MAX as usize / 2 {
        return Err(Stop::Bad(i, "a row larger than 2 GiB".into()));
    }
    let start = arena.len();
    match s[i] {
        q @ (b'\'' | b'"') => {
            i = parse_string(s, i, q, arena)?;
            slots.push(push_slot(arena, start, true));
            Ok(i)
        }
        b'N' | b'n' => {
            let word = s.get(i..i + 4).ok_or(Stop::More)?;
            if word.eq_ignore_ascii_case(b"NULL") {
                slots.push(Slot::Null);
                Ok(i + 4)
            } else {
                Err(Stop::Bad(i, format!("unexpected {}", excerpt(&s[i..]))))
            }
        }
        b'_' => {
            // A character-set introducer such as `_binary '...'`.
            let len = s[i..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .ok_or(Stop::More)?;
            i = skip_ws(s, i + len)?;
            match s[i] {
                q @ (b'\'' | b'"') => {
                    i = parse_string(s, i, q, arena)?;
                    slots.push(push_slot(arena, start, true));
                    Ok(i)
                }
                b'0' | b'X' | b'x' => parse_value(s, i, arena, slots),
                _ => Err(Stop::Bad(
                    i,
                    "expected a string after a character-set introducer".into(),
                )),
            }
        }
        b'0' if matches!(s.get(i + 1), Some(b'x') | Some(b'X')) => {
            i += 2;
            let len = s[i..]
                .iter()
                .position(|b| !b.is_ascii_hexdigit())
                .ok_or(Stop::More)?;
            decode_hex(&s[i..i + len], arena)
                .map_err(|()| Stop::Bad(i, "bad hex literal".into()))?;
            slots.push(push_slot(arena, start, true));
            Ok(i + len)
        }
        b'X' | b'x' if s.len() == i + 1 => Err(Stop::More),
        b'X' | b'x' if s[i + 1] == b'\'' => {
            let close = memchr(b'\'', &s[i + 2..]).ok_or(Stop::More)?;
            decode_hex(&s[i + 2..i + 2 + close], arena)
                .map_err(|()| Stop::Bad(i, "bad hex literal".into()))?;
            slots.push(push_slot(arena, start, true));
            Ok(i + 2 + close + 1)
        }
        b'-' | b'+' | b'.' | b'0'..=b'9' => {
            let len = s[i..]
                .iter()
                .position(|b| !matches!(b, b'0'..=b'9' | b'.' | b'e' | b'E' | b'-' | b'+'))
                .ok_or(Stop::More)?;
            arena.extend_from_slice(&s[i..i + len]);
            slots.push(push_slot(arena, start, false));
            Ok(i + len)
        }
        _ => Err(Stop::Bad(
            i,
            format!("unexpected {} where a value was expected", excerpt(&s[i..])),
        )),
    }
}

fn decode_hex(hex: &[u8], arena: &mut Vec<u8>) -> Result<(), ()> {
    if !hex.len().is_multiple_of(2) {
        return Err(());
    }
    for pair in hex.chunks_exact(2) {
        let d = |c: u8| (c as char).to_digit(16).map(|v| v as u8).ok_or(());
        arena.push(d(pair[0])? << 4 | d(pair[1])?);
    }
    Ok(())
}

/// Parses a quoted string at `s[i]` (the quote), decoding MySQL escapes into `arena`.
#[inline]
fn parse_string(s: &[u8], mut i: usize, quote: u8, arena: &mut Vec<u8>) -> Step<usize> {
    i += 1;
    loop {
        let j = memchr2(quote, b'\\', &s[i..]).ok_or(Stop::More)?;
        arena.extend_from_slice(&s[i..i + j]);
        i += j;
        if s[i] == b'\\' {
            let esc = *s.get(i + 1).ok_or(Stop::More)?;
            match esc {
                b'0' => arena.push(0),
                b'n' => arena.push(b'\n'),
                b'r' => arena.push(b'\r'),
                b't' => arena.push(b'\t'),
                b'b' => arena.push(0x08),
                b'Z' => arena.push(0x1a),
                b'%' | b'_' => arena.extend_from_slice(&[b'\\', esc]),
                other => arena.push(other),
            }
            i += 2;
        } else {
            // A quote: doubled means a literal quote, else the end.
            match s.get(i + 1) {
                None => return Err(Stop::More),
                Some(&b) if b == quote => {
                    arena.push(quote);
                    i += 2;
                }
                Some(_) => return Ok(i + 1),
            }
        }
    }
}
