//! The parts of split rows that cannot be joined yet, in bounded memory.
//!
//! Reading a `.MYD` as a stream, a split row's next part can lie ahead (the row waits for it) or
//! behind (it passed by as an "orphan" continuation block, kept until its head comes). Both kinds
//! are kept by their file position. Their bytes stay in memory while the total is under the
//! budget; beyond it, new entries are appended to an anonymous temporary file (deleted by the OS
//! when closed) and read back when claimed. The file is emptied whenever nothing in it is live.
//! Only the index (position → where the bytes are, about 64 bytes an entry) stays in memory.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

/// Bytes of memory counted per entry for the index itself.
const ENTRY_OVERHEAD: usize = 64;

/// Where an entry's bytes are.
#[derive(Debug)]
enum Chunk {
    Memory(Vec<u8>),
    Disk { offset: u64, len: usize },
}

/// A continuation block seen before the row it belongs to.
#[derive(Debug)]
struct Orphan {
    data: Chunk,
    next: Option<u64>,
}

/// A row waiting for its next part.
#[derive(Debug)]
struct Waiting {
    head: u64,
    rec_len: usize,
    data: Chunk,
}

/// A row waiting for its next part, handed back with its bytes.
#[derive(Debug)]
pub(crate) struct Partial {
    /// Position of the row's first block.
    pub head: u64,
    /// The row's full packed length.
    pub rec_len: usize,
    /// The bytes joined so far.
    pub data: Vec<u8>,
}

/// Counters of the fragment store, for [`super::ReadStats`].
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SpillStats {
    pub spilled_bytes: u64,
    pub peak_memory: usize,
    pub peak_entries: usize,
}

/// Bytes to store: borrowed (copied) or owned (moved).
enum Bytes<'a> {
    Slice(&'a [u8]),
    Owned(Vec<u8>),
}

/// Orphan blocks and waiting rows, by file position.
pub(crate) struct Fragments {
    orphans: HashMap<u64, Orphan>,
    waiting: HashMap<u64, Waiting>,
    memory: usize,
    budget: usize,
    dir: Option<PathBuf>,
    file: Option<File>,
    file_end: u64,
    on_disk: usize,
    pub stats: SpillStats,
}

impl Fragments {
    pub fn new(budget: usize, dir: Option<PathBuf>) -> Fragments {
        Fragments {
            orphans: HashMap::new(),
            waiting: HashMap::new(),
            memory: 0,
            budget,
            dir,
            file: None,
            file_end: 0,
            on_disk: 0,
            stats: SpillStats::default(),
        }
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.orphans.len() + self.waiting.len()
    }

    /// Orphan blocks held.
    pub fn orphans(&self) -> usize {
        self.orphans.len()
    }

    /// The waiting row with the lowest head, and the position it waits for.
    pub fn first_waiting(&self) -> Option<(u64, u64)> {
        self.waiting.iter().map(|(&pos, w)| (w.head, pos)).min()
    }

    /// Stores bytes given as a slice (copied if kept in memory) or a vector (moved).
    fn store(&mut self, bytes: Bytes<'_>) -> io::Result<Chunk> {
        let len = match &bytes {
            Bytes::Slice(b) => b.len(),
            Bytes::Owned(v) => v.len(),
        };
        if self.memory + len + ENTRY_OVERHEAD <= self.budget {
            self.memory += len + ENTRY_OVERHEAD;
            self.stats.peak_memory = self.stats.peak_memory.max(self.memory);
            return Ok(Chunk::Memory(match bytes {
                Bytes::Slice(b) => b.to_vec(),
                Bytes::Owned(v) => v,
            }));
        }
        let bytes: &[u8] = match &bytes {
            Bytes::Slice(b) => b,
            Bytes::Owned(v) => v,
        };
        self.memory += ENTRY_OVERHEAD;
        if self.file.is_none() {
            let file = match &self.dir {
                Some(dir) => tempfile::tempfile_in(dir)?,
                None => tempfile::tempfile()?,
            };
            self.file = Some(file);
        }
        let file = self.file.as_mut().expect("created above");
        file.write_all_at(bytes, self.file_end)?;
        let chunk = Chunk::Disk {
            offset: self.file_end,
            len: bytes.len(),
        };
        self.file_end += bytes.len() as u64;
        self.on_disk += 1;
        self.stats.spilled_bytes += bytes.len() as u64;
        Ok(chunk)
    }

    /// Appends a stored chunk's bytes to `out` and forgets the chunk.
    fn load(&mut self, chunk: Chunk, out: &mut Vec<u8>) -> io::Result<()> {
        self.memory -= ENTRY_OVERHEAD;
        match chunk {
            Chunk::Memory(v) => {
                self.memory -= v.len();
                if out.is_empty() {
                    *out = v;
                } else {
                    out.extend_from_slice(&v);
                }
            }
            Chunk::Disk { offset, len } => {
                let file = self.file.as_mut().expect("a disk chunk has a file");
                let at = out.len();
                out.resize(at + len, 0);
                file.read_exact_at(&mut out[at..], offset)?;
                self.on_disk -= 1;
                if self.on_disk == 0 {
                    // Nothing live on disk: start the file over.
                    file.set_len(0)?;
                    file.flush()?;
                    self.file_end = 0;
                }
            }
        }
        Ok(())
    }

    fn note_entries(&mut self) {
        self.stats.peak_entries = self.stats.peak_entries.max(self.len());
    }

    /// Keeps a continuation block found before its row's head.
    pub fn put_orphan(&mut self, pos: u64, data: &[u8], next: Option<u64>) -> io::Result<bool> {
        if self.orphans.contains_key(&pos) {
            return Ok(false);
        }
        let data = self.store(Bytes::Slice(data))?;
        self.orphans.insert(pos, Orphan { data, next });
        self.note_entries();
        Ok(true)
    }

    /// Takes the orphan block at `pos`: appends its bytes to `out`, returns its next position
    /// (`Some(None)`: it is the row's last part; `None`: there is no orphan at `pos`).
    pub fn take_orphan(&mut self, pos: u64, out: &mut Vec<u8>) -> io::Result<Option<Option<u64>>> {
        match self.orphans.remove(&pos) {
            Some(o) => {
                self.load(o.data, out)?;
                Ok(Some(o.next))
            }
            None => Ok(None),
        }
    }

    /// Parks a row until the block at `pos` comes. Returns false if a row already waits there.
    pub fn park(&mut self, pos: u64, partial: Partial) -> io::Result<bool> {
        if self.waiting.contains_key(&pos) {
            return Ok(false);
        }
        let data = self.store(Bytes::Owned(partial.data))?;
        self.waiting.insert(
            pos,
            Waiting {
                head: partial.head,
                rec_len: partial.rec_len,
                data,
            },
        );
        self.note_entries();
        Ok(true)
    }

    /// The row waiting for the block at `pos`, if any.
    pub fn take_waiting(&mut self, pos: u64) -> io::Result<Option<Partial>> {
        match self.waiting.remove(&pos) {
            Some(w) => {
                let mut data = Vec::new();
                self.load(w.data, &mut data)?;
                Ok(Some(Partial {
                    head: w.head,
                    rec_len: w.rec_len,
                    data,
                }))
            }
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_beyond_the_budget_go_to_disk_and_come_back_whole() {
        let mut f = Fragments::new(200, None);
        let small = vec![7u8; 50];
        let big: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        assert!(f.put_orphan(100, &small, Some(300)).unwrap());
        assert!(f.put_orphan(200, &big, None).unwrap());
        assert_eq!(f.stats.spilled_bytes, 1000);
        assert!(f.memory <= 200);
        let mut out = Vec::new();
        assert_eq!(f.take_orphan(200, &mut out).unwrap(), Some(None));
        assert_eq!(out, big);
        // The file was emptied once nothing on it was live.
        assert_eq!(f.file_end, 0);
        let mut out = vec![1u8];
        assert_eq!(f.take_orphan(100, &mut out).unwrap(), Some(Some(300)));
        assert_eq!(out.len(), 51);
        assert_eq!(f.take_orphan(100, &mut out).unwrap(), None);
        assert_eq!(f.memory, 0);
    }

    #[test]
    fn a_parked_row_comes_back_with_its_bytes() {
        let mut f = Fragments::new(0, None);
        let p = Partial {
            head: 40,
            rec_len: 9,
            data: b"abcd".to_vec(),
        };
        assert!(f.park(1000, p).unwrap());
        assert!(!f
            .park(
                1000,
                Partial {
                    head: 1,
                    rec_len: 1,
                    data: vec![]
                }
            )
            .unwrap());
        assert_eq!(f.first_waiting(), Some((40, 1000)));
        let back = f.take_waiting(1000).unwrap().unwrap();
        assert_eq!(
            (back.head, back.rec_len, back.data.as_slice()),
            (40, 9, &b"abcd"[..])
        );
        assert!(f.take_waiting(1000).unwrap().is_none());
    }
}
