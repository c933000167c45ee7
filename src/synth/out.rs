//! The mysqldump text layer: escaping, field writers, and a streaming writer that cuts the
//! extended `INSERT`s the way `mysqldump` does.

use std::io::{self, Write};

/// For each byte, the letter `mysqldump` writes after a backslash, or 0 to copy the byte as is
/// (`mysql_real_escape_string`: NUL, LF, CR, `\`, `'`, `"`, Ctrl-Z; a TAB stays raw).
pub(super) const ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    t[0] = b'0';
    t[b'\n' as usize] = b'n';
    t[b'\r' as usize] = b'r';
    t[b'\\' as usize] = b'\\';
    t[b'\'' as usize] = b'\'';
    t[b'"' as usize] = b'"';
    t[0x1A] = b'Z';
    t
};

/// Whether a string can be written between quotes without escaping.
pub(super) fn is_safe(s: &[u8]) -> bool {
    s.iter().all(|&b| ESCAPE[b as usize] == 0)
}

/// Appends `s` escaped as `mysqldump` writes it inside a quoted string.
pub(super) fn escape_into(buf: &mut Vec<u8>, s: &[u8]) {
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        let e = ESCAPE[b as usize];
        if e != 0 {
            buf.extend_from_slice(&s[start..i]);
            buf.push(b'\\');
            buf.push(e);
            start = i + 1;
        }
    }
    buf.extend_from_slice(&s[start..]);
}

const EMPTIES: &[u8] = b"'','','','','','','','','','','','','','','','','','','','',";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Field writers on the row buffer. Every field is followed by a comma; the writer turns the
/// last one into the closing parenthesis.
pub(super) trait SqlBuf {
    /// `'<s escaped>',`
    fn str_field(&mut self, s: &[u8]);
    /// `'<s>',` for a string known to need no escaping (or already escaped).
    fn safe_field(&mut self, s: &[u8]);
    /// `n` times `'',`.
    fn empty(&mut self, n: usize);
    /// `<n>,`
    fn num(&mut self, n: u64);
    /// `'<n>',` (a number in a string column).
    fn num_str(&mut self, n: u64);
    /// `NULL,`
    fn null(&mut self);
    /// Opens a quoted string: `'`.
    fn open(&mut self);
    /// Closes a quoted string and the field: `',`.
    fn close(&mut self);
    /// Appends escaped bytes inside an open string.
    fn esc(&mut self, s: &[u8]);
    /// Appends a decimal number.
    fn push_u64(&mut self, n: u64);
    /// Appends a decimal number left-padded with zeros to `width` digits.
    fn push_u64_pad(&mut self, n: u64, width: usize);
    /// Appends the low `nibbles` hex digits of `x`, most significant first.
    fn push_hex(&mut self, x: u64, nibbles: u32, upper: bool);
    /// Appends a UTC time stamp `YYYY-MM-DD HH:MM:SS` from Unix seconds.
    fn push_ts(&mut self, unix: i64);
    /// `'<time stamp>',`
    fn ts_field(&mut self, unix: i64);
}

impl SqlBuf for Vec<u8> {
    #[inline]
    fn str_field(&mut self, s: &[u8]) {
        self.push(b'\'');
        escape_into(self, s);
        self.extend_from_slice(b"',");
    }

    #[inline]
    fn safe_field(&mut self, s: &[u8]) {
        self.push(b'\'');
        self.extend_from_slice(s);
        self.extend_from_slice(b"',");
    }

    #[inline]
    fn empty(&mut self, mut n: usize) {
        while n > 0 {
            let k = n.min(EMPTIES.len() / 3);
            self.extend_from_slice(&EMPTIES[..3 * k]);
            n -= k;
        }
    }

    #[inline]
    fn num(&mut self, n: u64) {
        self.push_u64(n);
        self.push(b',');
    }

    #[inline]
    fn num_str(&mut self, n: u64) {
        self.push(b'\'');
        self.push_u64(n);
        self.extend_from_slice(b"',");
    }

    #[inline]
    fn null(&mut self) {
        self.extend_from_slice(b"NULL,");
    }

    #[inline]
    fn open(&mut self) {
        self.push(b'\'');
    }

    #[inline]
    fn close(&mut self) {
        self.extend_from_slice(b"',");
    }

    #[inline]
    fn esc(&mut self, s: &[u8]) {
        escape_into(self, s);
    }

    #[inline]
    fn push_u64(&mut self, mut n: u64) {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.extend_from_slice(&tmp[i..]);
    }

    fn push_u64_pad(&mut self, n: u64, width: usize) {
        let mut tmp = [b'0'; 20];
        let mut i = tmp.len();
        let mut m = n;
        loop {
            i -= 1;
            tmp[i] = b'0' + (m % 10) as u8;
            m /= 10;
            if m == 0 {
                break;
            }
        }
        let start = i.min(tmp.len() - width.min(tmp.len()));
        self.extend_from_slice(&tmp[start..]);
    }

    #[inline]
    fn push_hex(&mut self, x: u64, nibbles: u32, upper: bool) {
        let digits = if upper { HEX_UPPER } else { HEX_LOWER };
        let mut tmp = [0u8; 16];
        for (k, slot) in tmp[..nibbles as usize].iter_mut().enumerate() {
            let shift = 4 * (nibbles - 1 - k as u32);
            *slot = digits[((x >> shift) & 15) as usize];
        }
        self.extend_from_slice(&tmp[..nibbles as usize]);
    }

    fn push_ts(&mut self, unix: i64) {
        let days = unix.div_euclid(86_400);
        let secs = unix.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let (hh, mm, ss) = (secs / 3600, secs / 60 % 60, secs % 60);
        let mut t = *b"0000-00-00 00:00:00";
        let y = y.clamp(0, 9999) as u32;
        t[0] = b'0' + (y / 1000) as u8;
        t[1] = b'0' + (y / 100 % 10) as u8;
        t[2] = b'0' + (y / 10 % 10) as u8;
        t[3] = b'0' + (y % 10) as u8;
        for (pos, v) in [(5, m as i64), (8, d as i64), (11, hh), (14, mm), (17, ss)] {
            t[pos] = b'0' + (v / 10) as u8;
            t[pos + 1] = b'0' + (v % 10) as u8;
        }
        self.extend_from_slice(&t);
    }

    #[inline]
    fn ts_field(&mut self, unix: i64) {
        self.push(b'\'');
        self.push_ts(unix);
        self.extend_from_slice(b"',");
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub(super) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Unix seconds of a UTC date at midnight.
pub(super) const fn unix_day(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400
}

/// Bytes the writer keeps before handing them to the output.
const FLUSH_AT: usize = 1 << 19;

/// A streaming mysqldump writer: the text around the tables, and the extended `INSERT`s.
pub(super) struct Dump<W: Write> {
    out: W,
    /// The row buffer: a row's fields are written here between `begin_row` and `end_row`.
    pub(super) buf: Vec<u8>,
    written: u64,
    limit: usize,
    insert_prefix: Vec<u8>,
    in_stmt: bool,
    stmt_len: usize,
    tuple_start: usize,
    table_rows: u64,
}

impl<W: Write> Dump<W> {
    pub(super) fn new(out: W, statement_bytes: usize) -> Self {
        Dump {
            out,
            buf: Vec::with_capacity(FLUSH_AT * 2 + 4096),
            written: 0,
            limit: statement_bytes.max(1),
            insert_prefix: Vec::new(),
            in_stmt: false,
            stmt_len: 0,
            tuple_start: 0,
            table_rows: 0,
        }
    }

    /// Appends literal text.
    pub(super) fn text(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// The dump header for database `db`.
    pub(super) fn header(&mut self, db: &str) {
        let h = super::schema::HEADER.replace("{DB}", db);
        self.text(&h);
    }

    /// The structure of a table and the start of its data: everything up to the first `INSERT`.
    /// `next_id` is the `AUTO_INCREMENT` value shown when the table has an auto-increment column
    /// and rows.
    pub(super) fn begin_table(&mut self, name: &str, create: &str, next_id: Option<u64>) {
        let ai = match next_id {
            Some(n) => format!(" AUTO_INCREMENT={n}"),
            None => String::new(),
        };
        let create = create.replace("{AI}", &ai);
        let s = format!(
            "\n--\n-- Table structure for table `{name}`\n--\n\n\
             DROP TABLE IF EXISTS `{name}`;\n\
             /*!40101 SET @saved_cs_client     = @@character_set_client */;\n\
             /*!40101 SET character_set_client = utf8mb4 */;\n\
             CREATE TABLE `{name}` (\n{create}\
             /*!40101 SET character_set_client = @saved_cs_client */;\n\
             \n--\n-- Dumping data for table `{name}`\n--\n\n\
             LOCK TABLES `{name}` WRITE;\n\
             /*!40000 ALTER TABLE `{name}` DISABLE KEYS */;\n"
        );
        self.text(&s);
        self.insert_prefix = format!("INSERT INTO `{name}` VALUES ").into_bytes();
        self.in_stmt = false;
        self.stmt_len = 0;
        self.table_rows = 0;
    }

    /// Starts a tuple; returns the buffer to write its fields into.
    #[inline]
    pub(super) fn begin_row(&mut self) -> &mut Vec<u8> {
        self.tuple_start = self.buf.len();
        self.buf.extend_from_slice(b",(");
        &mut self.buf
    }

    /// Ends a tuple, starting a new `INSERT` statement first when this one would grow past the
    /// statement size (`mysqldump`'s `net_buffer_length` rule).
    #[inline]
    pub(super) fn end_row(&mut self) -> io::Result<()> {
        let buf = &mut self.buf;
        debug_assert_eq!(buf.last(), Some(&b','));
        if let Some(last) = buf.last_mut() {
            *last = b')';
        }
        let row_length = buf.len() - self.tuple_start - 1 + 2;
        if self.in_stmt && self.stmt_len + row_length < self.limit {
            self.stmt_len += row_length;
        } else {
            let at = self.tuple_start;
            let sep: &[u8] = if self.in_stmt { b";\n" } else { b"" };
            buf.splice(
                at..at + 1,
                sep.iter().chain(self.insert_prefix.iter()).copied(),
            );
            self.stmt_len = row_length + self.insert_prefix.len() + 4;
            self.in_stmt = true;
        }
        self.table_rows += 1;
        if self.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    /// Ends the data of a table; returns how many rows it got.
    pub(super) fn end_table(&mut self, name: &str) -> io::Result<u64> {
        if self.in_stmt {
            self.buf.extend_from_slice(b";\n");
            self.in_stmt = false;
        }
        let s = format!("/*!40000 ALTER TABLE `{name}` ENABLE KEYS */;\nUNLOCK TABLES;\n");
        self.text(&s);
        self.flush()?;
        Ok(self.table_rows)
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.out.write_all(&self.buf)?;
            self.written += self.buf.len() as u64;
            self.buf.clear();
        }
        Ok(())
    }

    /// Writes the footer, flushes, and returns the number of bytes written.
    pub(super) fn finish(mut self) -> io::Result<u64> {
        self.text(super::schema::FOOTER);
        self.flush()?;
        self.out.flush()?;
        Ok(self.written)
    }
}
