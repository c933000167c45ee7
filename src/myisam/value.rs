//! The values of a row: borrowed ([`Value`], valid until the reader moves on) and owned
//! ([`OwnedValue`]), with their text form as MariaDB prints it.

use std::fmt;

/// A calendar date as stored (zero parts allowed: `0000-00-00` is a valid MySQL date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, 0–9999.
    pub year: u16,
    /// Month, 0–12.
    pub month: u8,
    /// Day, 0–31.
    pub day: u8,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A date and time as stored (`DATETIME`; a `TIMESTAMP` converted to UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    /// The date.
    pub date: Date,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–59.
    pub second: u8,
    /// Microseconds.
    pub micro: u32,
    /// Digits of fractional seconds the column shows (0–6).
    pub fsp: u8,
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:02}:{:02}:{:02}",
            self.date, self.hour, self.minute, self.second
        )?;
        if self.fsp > 0 {
            let digits = format!("{:06}", self.micro);
            write!(f, ".{}", &digits[..self.fsp as usize])?;
        }
        Ok(())
    }
}

/// A `TIMESTAMP`: seconds since 1970-01-01 00:00:00 UTC; 0 is MySQL's zero timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Seconds since the epoch (UTC).
    pub seconds: u32,
    /// Microseconds.
    pub micro: u32,
    /// Digits of fractional seconds the column shows (0–6).
    pub fsp: u8,
}

impl Timestamp {
    /// Whether this is MySQL's zero timestamp (`0000-00-00 00:00:00`).
    pub fn is_zero(&self) -> bool {
        self.seconds == 0 && self.micro == 0
    }

    /// The time in UTC (the zero timestamp gives the zero date and time).
    pub fn to_utc(&self) -> DateTime {
        if self.is_zero() {
            return DateTime {
                date: Date {
                    year: 0,
                    month: 0,
                    day: 0,
                },
                hour: 0,
                minute: 0,
                second: 0,
                micro: 0,
                fsp: self.fsp,
            };
        }
        let days = (self.seconds / 86_400) as i64;
        let rest = self.seconds % 86_400;
        let date = civil_from_days(days);
        DateTime {
            date,
            hour: (rest / 3600) as u8,
            minute: (rest / 60 % 60) as u8,
            second: (rest % 60) as u8,
            micro: self.micro,
            fsp: self.fsp,
        }
    }
}

impl fmt::Display for Timestamp {
    /// As MariaDB prints it in a session whose time zone is UTC.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_utc().fmt(f)
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + (month <= 2) as i64) as u16;
    Date { year, month, day }
}

/// A `DECIMAL` in MySQL's binary form (at most 30 bytes), printed on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    bytes: [u8; 32],
    len: u8,
    /// Total digits.
    pub precision: u8,
    /// Digits after the point.
    pub scale: u8,
}

impl Decimal {
    /// A decimal from its stored bytes (as many as `DECIMAL(precision, scale)` takes).
    pub fn from_bin(stored: &[u8], precision: u8, scale: u8) -> Decimal {
        let mut bytes = [0u8; 32];
        let len = stored.len().min(32);
        bytes[..len].copy_from_slice(&stored[..len]);
        Decimal {
            bytes,
            len: len as u8,
            precision,
            scale,
        }
    }

    /// The stored bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

const DIG2BYTES: [usize; 10] = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

impl fmt::Display for Decimal {
    /// As MariaDB prints it: `-12.50` for DECIMAL(5,2); all scale digits shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let intg = (self.precision - self.scale) as usize;
        let frac = self.scale as usize;
        let mut b = self.bytes;
        let n = self.len as usize;
        // The sign is the top bit (set for positive); negative numbers are stored inverted.
        let negative = b[0] & 0x80 == 0;
        b[0] ^= 0x80;
        if negative {
            for x in &mut b[..n] {
                *x = !*x;
            }
        }
        let mut pos = 0usize;
        let mut read = |len: usize| -> u32 {
            let mut v = 0u32;
            for &x in &b[pos..pos + len] {
                v = (v << 8) | x as u32;
            }
            pos += len;
            v
        };
        let mut int_digits = String::new();
        let lead = intg % 9;
        if lead > 0 {
            int_digits.push_str(&format!("{:0width$}", read(DIG2BYTES[lead]), width = lead));
        }
        for _ in 0..intg / 9 {
            int_digits.push_str(&format!("{:09}", read(4)));
        }
        let mut frac_digits = String::new();
        for _ in 0..frac / 9 {
            frac_digits.push_str(&format!("{:09}", read(4)));
        }
        let trail = frac % 9;
        if trail > 0 {
            frac_digits.push_str(&format!(
                "{:0width$}",
                read(DIG2BYTES[trail]),
                width = trail
            ));
        }
        let int_trimmed = int_digits.trim_start_matches('0');
        let int_part = if int_trimmed.is_empty() {
            "0"
        } else {
            int_trimmed
        };
        let is_zero = int_trimmed.is_empty() && frac_digits.bytes().all(|c| c == b'0');
        if negative && !is_zero {
            f.write_str("-")?;
        }
        f.write_str(int_part)?;
        if frac > 0 {
            write!(f, ".{frac_digits}")?;
        }
        Ok(())
    }
}

/// One value of a row, borrowed from the reader: valid until the next row is read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// SQL `NULL`.
    Null,
    /// A signed integer column.
    Int(i64),
    /// An unsigned integer column.
    UInt(u64),
    /// `FLOAT`.
    Float(f32),
    /// `DOUBLE`.
    Double(f64),
    /// `DECIMAL`.
    Decimal(Decimal),
    /// A character column (CHAR without its trailing spaces, VARCHAR, TEXT): bytes in the
    /// column's character set (UTF-8 for utf8/utf8mb4; see [`super::Column::is_latin1`]).
    Text(&'a [u8]),
    /// A binary column (BINARY, VARBINARY, BLOB).
    Bytes(&'a [u8]),
    /// `ENUM`: the 1-based number of the value (0: the empty "invalid" value) and its text.
    Enum(u16, &'a str),
    /// `SET`: the bit mask and the column's values.
    Set(u64, &'a [String]),
    /// `YEAR` (0 is `0000`).
    Year(u16),
    /// `DATE`.
    Date(Date),
    /// `DATETIME`.
    DateTime(DateTime),
    /// `TIMESTAMP`.
    Timestamp(Timestamp),
}

impl<'a> Value<'a> {
    /// Whether it is `NULL`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// An integer column's value as `i64` (`None` for other types, NULL, or an unsigned value
    /// above `i64::MAX`).
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(v) => Some(v),
            Value::UInt(v) => i64::try_from(v).ok(),
            Value::Year(y) => Some(y as i64),
            _ => None,
        }
    }

    /// An integer column's value as `u64` (`None` for other types, NULL or negative values).
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::UInt(v) => Some(v),
            Value::Int(v) => u64::try_from(v).ok(),
            Value::Year(y) => Some(y as u64),
            _ => None,
        }
    }

    /// The bytes of a string or binary column, or the text of an ENUM value.
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            Value::Text(b) | Value::Bytes(b) => Some(b),
            Value::Enum(_, s) => Some(s.as_bytes()),
            _ => None,
        }
    }

    /// The text of a string column or ENUM value if it is valid UTF-8.
    pub fn as_str(&self) -> Option<&'a str> {
        self.as_bytes().and_then(|b| std::str::from_utf8(b).ok())
    }

    /// Writes the value as MariaDB's client prints it (`NULL` as `NULL`; strings raw, lossy
    /// UTF-8; TIMESTAMP in UTC).
    pub fn write_text(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = match self {
            Value::Null => write!(out, "NULL"),
            Value::Int(v) => write!(out, "{v}"),
            Value::UInt(v) => write!(out, "{v}"),
            Value::Float(v) => write!(out, "{v}"),
            Value::Double(v) => write!(out, "{v}"),
            Value::Decimal(d) => write!(out, "{d}"),
            Value::Text(b) | Value::Bytes(b) => write!(out, "{}", String::from_utf8_lossy(b)),
            Value::Enum(_, s) => write!(out, "{s}"),
            Value::Set(mask, values) => {
                let mut first = true;
                for (i, v) in values.iter().enumerate() {
                    if mask & (1 << i) != 0 {
                        if !first {
                            out.push(',');
                        }
                        out.push_str(v);
                        first = false;
                    }
                }
                Ok(())
            }
            Value::Year(y) => write!(out, "{y:04}"),
            Value::Date(d) => write!(out, "{d}"),
            Value::DateTime(d) => write!(out, "{d}"),
            Value::Timestamp(t) => write!(out, "{t}"),
        };
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_text(&mut s);
        f.write_str(&s)
    }
}

/// One value of a row, owned.
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedValue {
    /// SQL `NULL`.
    Null,
    /// A signed integer column.
    Int(i64),
    /// An unsigned integer column.
    UInt(u64),
    /// `FLOAT`.
    Float(f32),
    /// `DOUBLE`.
    Double(f64),
    /// `DECIMAL`, as MariaDB prints it.
    Decimal(String),
    /// A character column, decoded to UTF-8 (invalid bytes replaced).
    Text(String),
    /// A binary column.
    Bytes(Vec<u8>),
    /// `ENUM`: the value's text (empty for the "invalid" value 0).
    Enum(String),
    /// `SET`: the values, comma-separated.
    Set(String),
    /// `YEAR`.
    Year(u16),
    /// `DATE`.
    Date(Date),
    /// `DATETIME`.
    DateTime(DateTime),
    /// `TIMESTAMP`.
    Timestamp(Timestamp),
}

impl OwnedValue {
    /// Converts a borrowed value; `latin1` says a text column holds Latin-1, not UTF-8.
    pub fn from_value(value: &Value<'_>, latin1: bool) -> OwnedValue {
        match *value {
            Value::Null => OwnedValue::Null,
            Value::Int(v) => OwnedValue::Int(v),
            Value::UInt(v) => OwnedValue::UInt(v),
            Value::Float(v) => OwnedValue::Float(v),
            Value::Double(v) => OwnedValue::Double(v),
            Value::Decimal(d) => OwnedValue::Decimal(d.to_string()),
            Value::Text(b) if latin1 => OwnedValue::Text(b.iter().map(|&c| c as char).collect()),
            Value::Text(b) => OwnedValue::Text(String::from_utf8_lossy(b).into_owned()),
            Value::Bytes(b) => OwnedValue::Bytes(b.to_vec()),
            Value::Enum(_, s) => OwnedValue::Enum(s.to_string()),
            Value::Set(..) => OwnedValue::Set(value.to_string()),
            Value::Year(y) => OwnedValue::Year(y),
            Value::Date(d) => OwnedValue::Date(d),
            Value::DateTime(d) => OwnedValue::DateTime(d),
            Value::Timestamp(t) => OwnedValue::Timestamp(t),
        }
    }

    /// Whether it is `NULL`.
    pub fn is_null(&self) -> bool {
        matches!(self, OwnedValue::Null)
    }

    /// An integer value as `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            OwnedValue::Int(v) => Some(v),
            OwnedValue::UInt(v) => i64::try_from(v).ok(),
            OwnedValue::Year(y) => Some(y as i64),
            _ => None,
        }
    }

    /// An integer value as `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            OwnedValue::UInt(v) => Some(v),
            OwnedValue::Int(v) => u64::try_from(v).ok(),
            OwnedValue::Year(y) => Some(y as u64),
            _ => None,
        }
    }

    /// The text of a character, ENUM, SET or DECIMAL value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            OwnedValue::Text(s)
            | OwnedValue::Enum(s)
            | OwnedValue::Set(s)
            | OwnedValue::Decimal(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for OwnedValue {
    /// As MariaDB's client prints it (`NULL` for NULL; TIMESTAMP in UTC).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OwnedValue::Null => f.write_str("NULL"),
            OwnedValue::Int(v) => write!(f, "{v}"),
            OwnedValue::UInt(v) => write!(f, "{v}"),
            OwnedValue::Float(v) => write!(f, "{v}"),
            OwnedValue::Double(v) => write!(f, "{v}"),
            OwnedValue::Decimal(s)
            | OwnedValue::Text(s)
            | OwnedValue::Enum(s)
            | OwnedValue::Set(s) => f.write_str(s),
            OwnedValue::Bytes(b) => f.write_str(&String::from_utf8_lossy(b)),
            OwnedValue::Year(y) => write!(f, "{y:04}"),
            OwnedValue::Date(d) => write!(f, "{d}"),
            OwnedValue::DateTime(d) => write!(f, "{d}"),
            OwnedValue::Timestamp(t) => write!(f, "{t}"),
        }
    }
}

/// A row with owned values, in column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The values, one per column of the table.
    pub values: Vec<OwnedValue>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_convert_to_utc_calendar_dates() {
        let t = Timestamp {
            seconds: 951_782_400,
            micro: 0,
            fsp: 0,
        }; // 2000-02-29
        assert_eq!(t.to_string(), "2000-02-29 00:00:00");
        let t = Timestamp {
            seconds: 2_147_483_647,
            micro: 0,
            fsp: 0,
        };
        assert_eq!(t.to_string(), "2038-01-19 03:14:07");
        let t = Timestamp {
            seconds: 1,
            micro: 120_000,
            fsp: 3,
        };
        assert_eq!(t.to_string(), "1970-01-01 00:00:01.120");
        assert_eq!(
            Timestamp {
                seconds: 0,
                micro: 0,
                fsp: 0
            }
            .to_string(),
            "0000-00-00 00:00:00"
        );
    }

    #[test]
    fn decimals_print_as_mariadb_does() {
        // DECIMAL(5,2) 123.45: int part 3 digits (2 bytes), frac 2 digits (1 byte); sign bit set.
        let d = Decimal::from_bin(&[0x80, 0x7B, 0x2D], 5, 2);
        assert_eq!(d.to_string(), "123.45");
        let d = Decimal::from_bin(&[!0x80u8, !0x7Bu8, !0x2Du8], 5, 2);
        assert_eq!(d.to_string(), "-123.45");
        let d = Decimal::from_bin(&[0x80, 0x00, 0x00], 5, 2);
        assert_eq!(d.to_string(), "0.00");
    }
}
