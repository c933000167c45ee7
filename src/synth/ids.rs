//! Identifiers: ISBN-13/ISBN-10 and ISSN with valid check digits, MD5s, and the hash columns.

use super::out::SqlBuf;
use super::rng::Rng;
use super::words::Lang;

/// An ISBN: 13 digits (0..=9 each, the last being the ISBN-13 check digit) and the lengths of
/// its registration group and registrant elements, for the hyphens.
#[derive(Clone, Copy, Debug)]
pub(super) struct Isbn {
    d: [u8; 13],
    group: u8,
    publisher: u8,
}

impl Isbn {
    /// A random ISBN with a registration group that fits the language.
    pub(super) fn random(rng: &mut Rng, lang: Lang) -> Isbn {
        let (prefix, group): (&[u8; 3], &[u8]) = match lang {
            Lang::En if rng.chance(200) => (b"979", b"8"),
            Lang::En => (b"978", if rng.chance(6000) { b"0" } else { b"1" }),
            Lang::De => (b"978", b"3"),
            Lang::Fr if rng.chance(300) => (b"979", b"10"),
            Lang::Fr => (b"978", b"2"),
            Lang::Ru => (b"978", b"5"),
            Lang::Zh => (b"978", b"7"),
            Lang::El => (b"978", b"960"),
            Lang::Ar => (b"978", if rng.chance(5000) { b"977" } else { b"9953" }),
        };
        let mut d = [0u8; 13];
        for (k, &c) in prefix.iter().enumerate() {
            d[k] = c - b'0';
        }
        for (k, &c) in group.iter().enumerate() {
            d[3 + k] = c - b'0';
        }
        let g = group.len();
        // The registrant takes 2..=6 digits, leaving at least one for the publication.
        let max_p = (8 - g).min(6) as u64;
        let p = rng.range(2, max_p) as usize;
        for x in d.iter_mut().take(12).skip(3 + g) {
            *x = rng.below(10) as u8;
        }
        d[12] = check13(&d);
        Isbn {
            d,
            group: g as u8,
            publisher: p as u8,
        }
    }

    /// Whether an ISBN-10 exists for it (978 prefix only).
    pub(super) fn has10(&self) -> bool {
        self.d[..3] == [9, 7, 8]
    }

    /// The ISBN-10 check character.
    pub(super) fn check10(&self) -> u8 {
        check10(&self.d[3..12])
    }

    /// Appends the ISBN-13, with hyphens or without.
    pub(super) fn write13(&self, buf: &mut Vec<u8>, dashed: bool) {
        let (g, p) = (self.group as usize, self.publisher as usize);
        let cuts = [3, 3 + g, 3 + g + p, 12];
        for (k, &x) in self.d.iter().enumerate() {
            if dashed && cuts.contains(&k) {
                buf.push(b'-');
            }
            buf.push(b'0' + x);
        }
    }

    /// Appends the ISBN-10, with hyphens or without.
    pub(super) fn write10(&self, buf: &mut Vec<u8>, dashed: bool) {
        let (g, p) = (self.group as usize, self.publisher as usize);
        let cuts = [3 + g, 3 + g + p];
        for (k, &x) in self.d[3..12].iter().enumerate() {
            if dashed && cuts.contains(&(k + 3)) {
                buf.push(b'-');
            }
            buf.push(b'0' + x);
        }
        if dashed {
            buf.push(b'-');
        }
        buf.push(self.check10());
    }
}

/// The ISBN-13 check digit of the first 12 digits (values 0..=9).
pub(super) fn check13(d: &[u8]) -> u8 {
    let s: u32 = d[..12]
        .iter()
        .enumerate()
        .map(|(i, &x)| u32::from(x) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - s % 10) % 10) as u8
}

/// The ISBN-10 check character (`0`..`9` or `X`) of 9 digits (values 0..=9).
pub(super) fn check10(d: &[u8]) -> u8 {
    let s: u32 = d[..9]
        .iter()
        .enumerate()
        .map(|(i, &x)| u32::from(x) * (10 - i as u32))
        .sum();
    match (11 - s % 11) % 11 {
        10 => b'X',
        c => b'0' + c as u8,
    }
}

/// An ISSN as 8 ASCII bytes without the hyphen (the last may be `X`).
pub(super) fn random_issn(rng: &mut Rng) -> [u8; 8] {
    let mut d = [0u8; 8];
    let mut s = 0u32;
    for (i, x) in d.iter_mut().take(7).enumerate() {
        let v = rng.below(10) as u32;
        s += v * (8 - i as u32);
        *x = b'0' + v as u8;
    }
    d[7] = match (11 - s % 11) % 11 {
        10 => b'X',
        c => b'0' + c as u8,
    };
    d
}

/// Appends `1234-567X`.
pub(super) fn write_issn(buf: &mut Vec<u8>, issn: &[u8; 8]) {
    buf.extend_from_slice(&issn[..4]);
    buf.push(b'-');
    buf.extend_from_slice(&issn[4..]);
}

/// Appends 32 hex digits of an MD5 made of two 64-bit halves.
#[inline]
pub(super) fn write_md5(buf: &mut Vec<u8>, md5: (u64, u64), upper: bool) {
    buf.push_hex(md5.0, 16, upper);
    buf.push_hex(md5.1, 16, upper);
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE32_LOWER: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

fn write_hex(buf: &mut Vec<u8>, rng: &mut Rng, n: u32, upper: bool) {
    let mut left = n;
    while left > 0 {
        let k = left.min(16);
        buf.push_hex(rng.next_u64(), k, upper);
        left -= k;
    }
}

fn write_base32(buf: &mut Vec<u8>, rng: &mut Rng, n: usize, alphabet: &[u8; 32]) {
    let mut x = 0u64;
    for k in 0..n {
        if k % 12 == 0 {
            x = rng.next_u64();
        }
        buf.push(alphabet[(x & 31) as usize]);
        x >>= 5;
    }
}

/// The hash columns after `md5`: crc32, edonkey, aich, sha1, tth, [torrent NULL], btih, sha256,
/// ipfs_cid. Some are missing (empty), as in the real tables.
pub(super) fn write_hash_fields(buf: &mut Vec<u8>, rng: &mut Rng, with_torrent: bool) {
    let q = |buf: &mut Vec<u8>| buf.push(b'\'');
    q(buf);
    write_hex(buf, rng, 8, false);
    buf.close();
    let full = !rng.chance(1500);
    if full {
        q(buf);
        write_hex(buf, rng, 32, false);
        buf.close();
        q(buf);
        write_base32(buf, rng, 32, BASE32);
        buf.close();
    } else {
        buf.empty(2);
    }
    q(buf);
    write_hex(buf, rng, 40, false);
    buf.close();
    if full {
        q(buf);
        write_base32(buf, rng, 39, BASE32);
        buf.close();
    } else {
        buf.empty(1);
    }
    if with_torrent {
        buf.null();
    }
    q(buf);
    write_hex(buf, rng, 40, false);
    buf.close();
    q(buf);
    write_hex(buf, rng, 64, false);
    buf.close();
    if rng.chance(7000) {
        q(buf);
        buf.extend_from_slice(b"bafk2bzace");
        write_base32(buf, rng, 52, BASE32_LOWER);
        buf.close();
    } else {
        buf.empty(1);
    }
}
