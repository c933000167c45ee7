//! Writing `.torrent` files (BitTorrent v1, BEP 3): bencoded, keys sorted, the pieces hashed
//! from the files' real bytes, so a client can seed or check them. No tracker: the demo's
//! torrents are found through DHT, if at all.

/// A file of a torrent: its path below the torrent's name, and its bytes.
pub struct Entry {
    /// `/`-separated.
    pub path: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// Bytes per piece: small files, small pieces.
const PIECE: usize = 16 * 1024;

fn string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(s.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(s);
}

fn int(out: &mut Vec<u8>, n: u64) {
    out.push(b'i');
    out.extend_from_slice(n.to_string().as_bytes());
    out.push(b'e');
}

/// A multi-file torrent named `name` (its folder) holding `files` in this order.
pub fn multi_file(name: &str, files: &[Entry]) -> Vec<u8> {
    let mut data = Vec::new();
    for f in files {
        data.extend_from_slice(&f.bytes);
    }
    let mut pieces = Vec::with_capacity(data.len().div_ceil(PIECE) * 20);
    for chunk in data.chunks(PIECE) {
        pieces.extend_from_slice(&sha1_smol::Sha1::from(chunk).digest().bytes());
    }
    let mut out = Vec::new();
    out.push(b'd');
    string(&mut out, b"created by");
    string(&mut out, b"lanshelf demo");
    string(&mut out, b"info");
    out.push(b'd');
    string(&mut out, b"files");
    out.push(b'l');
    for f in files {
        out.push(b'd');
        string(&mut out, b"length");
        int(&mut out, f.bytes.len() as u64);
        string(&mut out, b"path");
        out.push(b'l');
        for part in f.path.split('/') {
            string(&mut out, part.as_bytes());
        }
        out.push(b'e');
        out.push(b'e');
    }
    out.push(b'e');
    string(&mut out, b"name");
    string(&mut out, name.as_bytes());
    string(&mut out, b"piece length");
    int(&mut out, PIECE as u64);
    string(&mut out, b"pieces");
    string(&mut out, &pieces);
    out.push(b'e');
    out.push(b'e');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::Torrent;

    #[test]
    fn the_parser_reads_what_is_written() {
        let files = [
            Entry {
                path: "0/aa".into(),
                bytes: vec![1; 20_000],
            },
            Entry {
                path: "0/bb.epub".into(),
                bytes: vec![2; 5],
            },
        ];
        let t = Torrent::parse(&multi_file("demo", &files)).unwrap();
        assert_eq!(t.name, "demo");
        assert_eq!(t.files.len(), 2);
        assert_eq!(t.files[1].path, "0/bb.epub");
        assert_eq!(t.files[0].length, 20_000);
        assert_eq!(t.find_file("demo/0/bb.epub"), Some(1));
        assert!(t.trackers.is_empty());
    }
}
