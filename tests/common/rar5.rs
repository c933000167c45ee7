//! A RAR 5 writer for tests: stored (uncompressed) members, one archive or a volume set, after
//! the format's technote (rarlab.com/technote.htm, "RAR 5.0 archive format"). Independent of the
//! decoder under test: its own CRC-32 and its own header layout.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// CRC-32 (IEEE, reflected), as RAR uses for headers and data.
pub fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc = table[((crc ^ b as u32) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}

/// A variable-length integer: 7 bits a byte, low bits first, the high bit says "more".
fn vint(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7F) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A whole header block: CRC32 of what follows it, the size of the header's fields, the fields.
fn block(fields: &[u8]) -> Vec<u8> {
    let mut sized = Vec::new();
    vint(fields.len() as u64, &mut sized);
    sized.extend_from_slice(fields);
    let mut out = crc32(&sized).to_le_bytes().to_vec();
    out.extend_from_slice(&sized);
    out
}

const SIGNATURE: &[u8] = b"Rar!\x1a\x07\x01\x00";

fn main_header(volume: Option<u64>) -> Vec<u8> {
    let mut f = Vec::new();
    vint(1, &mut f); // type: main archive header
    vint(0, &mut f); // header flags
    match volume {
        None => vint(0, &mut f),
        Some(0) => vint(0x0001, &mut f), // a volume, the first
        Some(n) => {
            vint(0x0001 | 0x0002, &mut f); // a volume, with its number
            vint(n, &mut f);
        }
    }
    block(&f)
}

fn end_header(more: bool) -> Vec<u8> {
    let mut f = Vec::new();
    vint(5, &mut f); // type: end of archive
    vint(0, &mut f);
    vint(u64::from(more), &mut f); // 0x0001: not the last volume
    block(&f)
}

/// One file header with its data area. `split_before` / `split_after` mark a part of a member
/// cut across volumes; `crc` is the whole file's CRC on its last part, the part's own before.
fn file_block(name: &str, total: u64, part: &[u8], crc: u32, before: bool, after: bool) -> Vec<u8> {
    let mut f = Vec::new();
    vint(2, &mut f); // type: file header
    let mut flags = 0x0002; // a data area follows
    if before {
        flags |= 0x0008;
    }
    if after {
        flags |= 0x0010;
    }
    vint(flags, &mut f);
    vint(part.len() as u64, &mut f); // data size
    vint(0x0002 | 0x0004, &mut f); // file flags: mtime and CRC32 present
    vint(total, &mut f); // unpacked size
    vint(0o644, &mut f); // attributes
    f.extend_from_slice(&1_700_000_000u32.to_le_bytes()); // mtime
    f.extend_from_slice(&crc.to_le_bytes());
    vint(0, &mut f); // compression: version 0, not solid, method 0 (store)
    vint(1, &mut f); // host OS: Unix
    vint(name.len() as u64, &mut f);
    f.extend_from_slice(name.as_bytes());
    let mut out = block(&f);
    out.extend_from_slice(part);
    out
}

/// Writes a single stored RAR 5 archive holding `members` (name, content).
pub fn write(path: &Path, members: &[(&str, &[u8])]) {
    let mut out = SIGNATURE.to_vec();
    out.extend(main_header(None));
    for (name, data) in members {
        out.extend(file_block(
            name,
            data.len() as u64,
            data,
            crc32(data),
            false,
            false,
        ));
    }
    out.extend(end_header(false));
    std::fs::write(path, out).unwrap();
}

/// Writes `members` as a stored RAR 5 volume set of `volumes` volumes named
/// `{stem}.part{N}.rar` in `dir` (members cut across volumes where the cut falls), and returns
/// the volumes' paths.
pub fn write_volumes(
    dir: &Path,
    stem: &str,
    members: &[(&str, &[u8])],
    volumes: usize,
) -> Vec<PathBuf> {
    let total: usize = members.iter().map(|(_, d)| d.len()).sum();
    let per = total.div_ceil(volumes).max(1);
    // The data of each volume, as (member index, range of its bytes).
    let mut plan: Vec<Vec<(usize, std::ops::Range<usize>)>> = vec![Vec::new(); volumes];
    let (mut v, mut room) = (0, per);
    for (i, (_, data)) in members.iter().enumerate() {
        let mut at = 0;
        loop {
            let take = room.min(data.len() - at);
            plan[v].push((i, at..at + take));
            at += take;
            room -= take;
            if at == data.len() {
                break;
            }
            if room == 0 && v + 1 < volumes {
                v += 1;
                room = per;
            }
        }
        if room == 0 && v + 1 < volumes {
            v += 1;
            room = per;
        }
    }
    let mut paths = Vec::new();
    for (n, parts) in plan.iter().enumerate() {
        let mut out = SIGNATURE.to_vec();
        out.extend(main_header(Some(n as u64)));
        for (i, range) in parts {
            let (name, data) = members[*i];
            let before = range.start > 0;
            let after = range.end < data.len();
            let part = &data[range.clone()];
            let crc = if after { crc32(part) } else { crc32(data) };
            out.extend(file_block(
                name,
                data.len() as u64,
                part,
                crc,
                before,
                after,
            ));
        }
        out.extend(end_header(n + 1 < volumes));
        let path = dir.join(format!("{stem}.part{}.rar", n + 1));
        std::fs::write(&path, out).unwrap();
        paths.push(path);
    }
    paths
}
