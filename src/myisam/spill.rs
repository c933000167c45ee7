//! The parts of split rows that cannot be joined yet, in bounded memory.
//!
//! Reading a `.MYD` as a stream, a split row's next part can lie ahead (the row *waits* for it)
//! or behind (it passed by as an *orphan* continuation block, kept until its head comes). Both
//! are kept by file position, in memory while their bytes and index entries fit the budget;
//! beyond it they go to two anonymous temporary files (deleted by the OS when closed), arranged
//! so that what stays in memory is small whatever the table:
//!
//! - Orphans arrive in file order, so the orphan file is sorted by position: memory keeps one
//!   index entry (position, file offset) per [`ORPHAN_GROUP`] orphans, and a claim reads that
//!   group back (one `pread`) and marks the entry taken in place.
//! - Waiting rows are claimed in the order of the positions they wait for (the scan only moves
//!   forward). When the memory is full, the waiting rows in memory are written out as one run
//!   sorted by that position; a heap holds the next entry of each run, so a claim is a heap pop
//!   and one `pread`, and memory holds a few dozen bytes per run.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

/// Bytes of memory counted per in-memory entry beyond its data (hash table slot, allocation).
const ENTRY_OVERHEAD: usize = 128;
/// Spilled orphans per index entry.
pub(crate) const ORPHAN_GROUP: u64 = 32;
/// A spilled orphan's header: position, next position, length.
const ORPHAN_HEADER: usize = 20;
/// A spilled waiting row's header: awaited position, head, row length, bytes joined.
const WAITING_HEADER: usize = 24;
/// `next` of a last part, on disk.
const NONE: u64 = u64::MAX;
/// Position of a claimed orphan, on disk.
const TAKEN: u64 = u64::MAX - 1;

/// A continuation block seen before the row it belongs to.
#[derive(Debug)]
struct Orphan {
    data: Vec<u8>,
    next: Option<u64>,
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
    pub peak_entries: u64,
}

/// An anonymous temporary file written at its end.
struct Scratch {
    file: File,
    end: u64,
}

impl Scratch {
    fn open(dir: &Option<PathBuf>) -> io::Result<Scratch> {
        let file = match dir {
            Some(dir) => tempfile::tempfile_in(dir)?,
            None => tempfile::tempfile()?,
        };
        Ok(Scratch { file, end: 0 })
    }

    fn append(&mut self, parts: &[&[u8]]) -> io::Result<u64> {
        let at = self.end;
        for p in parts {
            self.file.write_all_at(p, self.end)?;
            self.end += p.len() as u64;
        }
        Ok(at)
    }

    fn reset(&mut self) -> io::Result<()> {
        self.file.set_len(0)?;
        self.end = 0;
        Ok(())
    }
}

/// One sorted run of waiting rows on disk, and where its next entry is.
struct Run {
    /// File offset of the first byte not yet in `buf`.
    offset: u64,
    /// File offset where the run ends.
    end: u64,
    /// Bytes read ahead; the run's next entry starts at `at`.
    buf: Vec<u8>,
    at: usize,
}

/// Bytes read ahead per run (runs are consumed in order).
const RUN_BUFFER: usize = 32 << 10;

impl Run {
    /// The next `n` bytes of the run (read ahead from `file` as needed).
    fn peek(&mut self, file: &File, n: usize) -> io::Result<&[u8]> {
        if self.buf.len() - self.at < n {
            self.buf.drain(..self.at);
            self.at = 0;
            let have = self.buf.len();
            let want = (n - have)
                .max(RUN_BUFFER)
                .min((self.end - self.offset) as usize);
            if have + want < n {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "spilled run cut short",
                ));
            }
            self.buf.resize(have + want, 0);
            file.read_exact_at(&mut self.buf[have..], self.offset)?;
            self.offset += want as u64;
        }
        Ok(&self.buf[self.at..self.at + n])
    }

    fn done(&self) -> bool {
        self.at == self.buf.len() && self.offset == self.end
    }
}

/// The head of a run: (awaited position, run number).
type RunHead = Reverse<(u64, usize)>;

/// Orphan blocks and waiting rows, by file position.
pub(crate) struct Fragments {
    orphans: HashMap<u64, Orphan>,
    waiting: HashMap<u64, Partial>,
    memory: usize,
    budget: usize,
    dir: Option<PathBuf>,
    orphan_file: Option<Scratch>,
    /// (position, offset) of every [`ORPHAN_GROUP`]-th spilled orphan.
    orphan_index: Vec<(u64, u64)>,
    orphans_spilled: u64,
    orphans_spilled_taken: u64,
    waiting_file: Option<Scratch>,
    runs: Vec<Run>,
    heads: BinaryHeap<RunHead>,
    waiting_spilled: u64,
    /// Reused buffer for reading a group of orphans back.
    group: Vec<u8>,
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
            orphan_file: None,
            orphan_index: Vec::new(),
            orphans_spilled: 0,
            orphans_spilled_taken: 0,
            waiting_file: None,
            runs: Vec::new(),
            heads: BinaryHeap::new(),
            waiting_spilled: 0,
            group: Vec::new(),
            stats: SpillStats::default(),
        }
    }

    /// Orphan blocks never claimed.
    pub fn orphans_left(&self) -> u64 {
        self.orphans.len() as u64 + self.orphans_spilled - self.orphans_spilled_taken
    }

    fn note(&mut self) {
        self.stats.peak_memory = self.stats.peak_memory.max(self.memory);
        let entries = (self.orphans.len() + self.waiting.len()) as u64 + self.orphans_spilled
            - self.orphans_spilled_taken
            + self.waiting_spilled;
        self.stats.peak_entries = self.stats.peak_entries.max(entries);
    }

    fn fits(&self, len: usize) -> bool {
        self.memory + len + ENTRY_OVERHEAD <= self.budget
    }

    /// The waiting row with the lowest head, and the position it waits for.
    pub fn first_waiting(&mut self) -> io::Result<Option<(u64, u64)>> {
        let mut best = self.waiting.iter().map(|(&pos, w)| (w.head, pos)).min();
        for Reverse((pos, run)) in self.heads.clone().into_vec() {
            let file = &self.waiting_file.as_ref().expect("runs have a file").file;
            let h = self.runs[run].peek(file, WAITING_HEADER)?;
            let head = u64::from_le_bytes(h[8..16].try_into().expect("8 bytes"));
            best = Some(best.map_or((head, pos), |b| b.min((head, pos))));
        }
        Ok(best)
    }

    /// The position the next spilled waiting row waits for, if any.
    pub fn next_spilled_wait(&self) -> Option<u64> {
        self.heads.peek().map(|Reverse((pos, _))| *pos)
    }

    /// Keeps a continuation block found before its row's head. False if one is already there.
    pub fn put_orphan(&mut self, pos: u64, data: &[u8], next: Option<u64>) -> io::Result<bool> {
        if self.orphans.contains_key(&pos) {
            return Ok(false);
        }
        if self.fits(data.len()) {
            self.memory += data.len() + ENTRY_OVERHEAD;
            self.orphans.insert(
                pos,
                Orphan {
                    data: data.to_vec(),
                    next,
                },
            );
        } else {
            if self.orphan_file.is_none() {
                self.orphan_file = Some(Scratch::open(&self.dir)?);
            }
            let file = self.orphan_file.as_mut().expect("opened above");
            let mut h = [0u8; ORPHAN_HEADER];
            h[..8].copy_from_slice(&pos.to_le_bytes());
            h[8..16].copy_from_slice(&next.unwrap_or(NONE).to_le_bytes());
            h[16..].copy_from_slice(&(data.len() as u32).to_le_bytes());
            let at = file.append(&[&h, data])?;
            if self.orphans_spilled.is_multiple_of(ORPHAN_GROUP) {
                self.orphan_index.push((pos, at));
            }
            self.orphans_spilled += 1;
            self.stats.spilled_bytes += (ORPHAN_HEADER + data.len()) as u64;
        }
        self.note();
        Ok(true)
    }

    /// Takes the orphan block at `pos`: appends its bytes to `out`, returns its next position
    /// (`Some(None)`: it is the row's last part; `None`: there is no orphan at `pos`).
    pub fn take_orphan(&mut self, pos: u64, out: &mut Vec<u8>) -> io::Result<Option<Option<u64>>> {
        if let Some(o) = self.orphans.remove(&pos) {
            self.memory -= o.data.len() + ENTRY_OVERHEAD;
            out.extend_from_slice(&o.data);
            return Ok(Some(o.next));
        }
        let Some(file) = self.orphan_file.as_ref() else {
            return Ok(None);
        };
        // The group that would hold `pos`: the last index entry at or before it.
        let g = self.orphan_index.partition_point(|&(p, _)| p <= pos);
        if g == 0 {
            return Ok(None);
        }
        let start = self.orphan_index[g - 1].1;
        let end = self.orphan_index.get(g).map_or(file.end, |e| e.1);
        self.group.resize((end - start) as usize, 0);
        file.file.read_exact_at(&mut self.group, start)?;
        let mut at = 0usize;
        while at + ORPHAN_HEADER <= self.group.len() {
            let h = &self.group[at..at + ORPHAN_HEADER];
            let p = u64::from_le_bytes(h[..8].try_into().expect("8 bytes"));
            let next = u64::from_le_bytes(h[8..16].try_into().expect("8 bytes"));
            let len = u32::from_le_bytes(h[16..20].try_into().expect("4 bytes")) as usize;
            if p == pos {
                out.extend_from_slice(&self.group[at + ORPHAN_HEADER..at + ORPHAN_HEADER + len]);
                file.file
                    .write_all_at(&TAKEN.to_le_bytes(), start + at as u64)?;
                self.orphans_spilled_taken += 1;
                if self.orphans_spilled_taken == self.orphans_spilled {
                    self.orphan_file.as_mut().expect("checked").reset()?;
                    self.orphan_index.clear();
                    self.orphans_spilled = 0;
                    self.orphans_spilled_taken = 0;
                }
                return Ok(Some(if next == NONE { None } else { Some(next) }));
            }
            if p != TAKEN && p > pos {
                break;
            }
            at += ORPHAN_HEADER + len;
        }
        Ok(None)
    }

    /// Parks a row until the block at `pos` comes. False if a row already waits there.
    pub fn park(&mut self, pos: u64, mut partial: Partial) -> io::Result<bool> {
        if self.waiting.contains_key(&pos) {
            return Ok(false);
        }
        // The reader's reused buffer may be much larger than this row's bytes.
        if partial.data.capacity() > 2 * partial.data.len() + 64 {
            partial.data.shrink_to_fit();
        }
        if !self.fits(partial.data.len()) && !self.waiting.is_empty() {
            self.spill_waiting()?;
        }
        self.memory += partial.data.len() + ENTRY_OVERHEAD;
        self.waiting.insert(pos, partial);
        self.note();
        Ok(true)
    }

    /// Writes the waiting rows in memory out as one run sorted by the position they wait for.
    fn spill_waiting(&mut self) -> io::Result<()> {
        if self.waiting_file.is_none() {
            self.waiting_file = Some(Scratch::open(&self.dir)?);
        }
        let file = self.waiting_file.as_mut().expect("opened above");
        let mut entries: Vec<(u64, Partial)> = self.waiting.drain().collect();
        entries.sort_unstable_by_key(|e| e.0);
        let start = file.end;
        for (pos, p) in &entries {
            let mut h = [0u8; WAITING_HEADER];
            h[..8].copy_from_slice(&pos.to_le_bytes());
            h[8..16].copy_from_slice(&p.head.to_le_bytes());
            h[16..20].copy_from_slice(&(p.rec_len as u32).to_le_bytes());
            h[20..].copy_from_slice(&(p.data.len() as u32).to_le_bytes());
            file.append(&[&h, &p.data])?;
            self.memory -= p.data.len() + ENTRY_OVERHEAD;
            self.stats.spilled_bytes += (WAITING_HEADER + p.data.len()) as u64;
        }
        self.waiting_spilled += entries.len() as u64;
        let run = self.runs.len();
        self.runs.push(Run {
            offset: start,
            end: file.end,
            buf: Vec::new(),
            at: 0,
        });
        self.heads.push(Reverse((entries[0].0, run)));
        Ok(())
    }

    /// The row waiting for the block at `pos`, if any.
    pub fn take_waiting(&mut self, pos: u64) -> io::Result<Option<Partial>> {
        if let Some(p) = self.waiting.remove(&pos) {
            self.memory -= p.data.len() + ENTRY_OVERHEAD;
            return Ok(Some(p));
        }
        match self.heads.peek() {
            Some(&Reverse((p, run))) if p == pos => {
                self.heads.pop();
                let file = &self.waiting_file.as_ref().expect("runs have a file").file;
                let r = &mut self.runs[run];
                let h = r.peek(file, WAITING_HEADER)?;
                let head = u64::from_le_bytes(h[8..16].try_into().expect("8 bytes"));
                let rec_len = u32::from_le_bytes(h[16..20].try_into().expect("4 bytes")) as usize;
                let len = u32::from_le_bytes(h[20..24].try_into().expect("4 bytes")) as usize;
                let mut data = Vec::with_capacity(rec_len);
                data.extend_from_slice(&r.peek(file, WAITING_HEADER + len)?[WAITING_HEADER..]);
                r.at += WAITING_HEADER + len;
                if !r.done() {
                    let next = r.peek(file, 8)?;
                    self.heads.push(Reverse((
                        u64::from_le_bytes(next.try_into().expect("8 bytes")),
                        run,
                    )));
                }
                self.waiting_spilled -= 1;
                if self.waiting_spilled == 0 {
                    self.waiting_file.as_mut().expect("checked").reset()?;
                    self.runs.clear();
                }
                Ok(Some(Partial {
                    head,
                    rec_len,
                    data,
                }))
            }
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orphans_beyond_the_budget_go_to_disk_and_come_back_whole() {
        let mut f = Fragments::new(200, None);
        assert!(f.put_orphan(100, &[7u8; 50], Some(300)).unwrap());
        // Over the budget: these go to disk, 100 of them (several index groups).
        for i in 0..100u64 {
            let data: Vec<u8> = (0..(i % 17 + 1)).map(|b| (b + i) as u8).collect();
            assert!(f
                .put_orphan(
                    1000 + i * 10,
                    &data,
                    if i % 2 == 0 { None } else { Some(5) }
                )
                .unwrap());
        }
        assert!(f.memory <= 200);
        assert_eq!(f.orphan_index.len(), 4);
        assert_eq!(f.orphans_left(), 101);
        for i in (0..100u64).rev() {
            let mut out = vec![1u8];
            let next = f.take_orphan(1000 + i * 10, &mut out).unwrap();
            assert_eq!(next, Some(if i % 2 == 0 { None } else { Some(5) }), "{i}");
            let data: Vec<u8> = (0..(i % 17 + 1)).map(|b| (b + i) as u8).collect();
            assert_eq!(&out[1..], &data[..], "{i}");
            // Claimed once only.
            assert_eq!(f.take_orphan(1000 + i * 10, &mut out).unwrap(), None);
        }
        assert_eq!(f.take_orphan(1005, &mut Vec::new()).unwrap(), None);
        // Everything on disk was claimed: the file started over.
        assert_eq!(f.orphan_file.as_ref().unwrap().end, 0);
        let mut out = Vec::new();
        assert_eq!(f.take_orphan(100, &mut out).unwrap(), Some(Some(300)));
        assert_eq!((out.len(), f.memory, f.orphans_left()), (50, 0, 0));
    }

    #[test]
    fn waiting_rows_spill_in_sorted_runs_and_come_back_in_position_order() {
        let mut f = Fragments::new(300, None);
        // Rows waiting for positions in no order; several runs get written.
        let positions: Vec<u64> = (0..60u64).map(|i| 10_000 + (i * 7919) % 60 * 100).collect();
        for (i, &pos) in positions.iter().enumerate() {
            let p = Partial {
                head: i as u64,
                rec_len: 99,
                data: vec![i as u8; i % 13 + 1],
            };
            assert!(f.park(pos, p).unwrap());
        }
        assert!(f.runs.len() > 3, "{} runs", f.runs.len());
        assert!(f.memory <= 300);
        assert_eq!(f.first_waiting().unwrap().map(|w| w.0), Some(0));
        let mut sorted = positions.clone();
        sorted.sort();
        for pos in sorted {
            let i = positions.iter().position(|&p| p == pos).unwrap();
            let back = f
                .take_waiting(pos)
                .unwrap()
                .unwrap_or_else(|| panic!("{pos}"));
            assert_eq!(
                (back.head, back.rec_len, back.data),
                (i as u64, 99, vec![i as u8; i % 13 + 1])
            );
            assert!(f.take_waiting(pos).unwrap().is_none());
        }
        assert_eq!(f.next_spilled_wait(), None);
        assert_eq!(f.first_waiting().unwrap(), None);
    }
}
