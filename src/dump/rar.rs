//! RAR archives, as Library Genesis publishes its dumps: `libgen.rar`, `fiction.rar` (one
//! mysqldump each) and the multi-volume `libgen_new.part001.rar … partNNN.rar` of the libgen.li
//! snapshot. Decoding is the pure-Rust `rars` crate (RAR 1.5–4.x and 5.x–7, stored and
//! compressed, solid and not, CRC32 and BLAKE2sp checked, encrypted with a password); this module
//! owns what the crate leaves to its caller:
//!
//! - **the volume set**: given any volume, find the first and every other one by the set's
//!   naming (`name.partN.rar` at any zero padding, or the old `name.rar`, `name.r00`, `name.r01`
//!   …), and say which one is missing;
//! - **members as streams**: [`RarArchive::stream`] hands out the selected members one after the
//!   other as [`std::io::Read`]ers, decoded on a background thread in constant memory, without
//!   writing anything to disk; unselected members of a non-solid single archive are skipped
//!   without being read;
//! - **errors that name the archive, the volume and the member** ([`InputError`]).
//!
//! It knows nothing of SQL or of MyISAM: the callers decide which members they want.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::InputError;

/// Members larger than this are decoded as a stream; smaller ones may be decoded in memory by
/// the decoder (which is faster for them). Bounds the memory of one member's decoding.
const BUFFERED_DECODE_LIMIT: u64 = 8 << 20;

/// The largest dictionary a compressed RAR 5/7 member may declare: the decoder allocates it, so
/// a hostile header could ask for 64 GiB. RAR 5 archivers use 4 MiB to 1 GiB (32 MiB by default).
const DICTIONARY_LIMIT: u64 = 1 << 30;

/// Bytes handed from the decoding thread to the reader in one message.
const CHUNK: usize = 256 << 10;

/// Messages in flight between the decoding thread and the reader (memory: `CHUNK` × this).
const IN_FLIGHT: usize = 8;

/// How the volumes of a set are named.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Naming {
    /// `base.partN.rar`, the number zero-padded to `width` digits (RAR 3 and later).
    Parts {
        /// The path up to and including `.part`.
        prefix: String,
        /// How many digits the number has.
        width: usize,
        /// The case of the `.rar` ending as found.
        suffix: String,
    },
    /// `base.rar`, then `base.r00`, `base.r01` … `base.r99`, `base.s00` … (RAR 2 and the old
    /// naming of later versions). Volume 0 is `.rar`.
    Old {
        /// The path without the extension.
        base: String,
        /// Whether the extensions are upper case.
        upper: bool,
    },
}

impl Naming {
    /// The naming of the set `path` belongs to, and which volume it is (1-based for
    /// [`Naming::Parts`], 0-based for [`Naming::Old`]).
    fn of(path: &Path) -> Option<(Naming, usize)> {
        let text = path.to_str()?;
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        if let Some(stem) = lower.strip_suffix(".rar") {
            if let Some(at) = stem.rfind(".part") {
                let digits = &stem[at + 5..];
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    let number: usize = digits.parse().ok()?;
                    let cut = text.len() - (name.len() - at - 5);
                    let prefix = text[..cut].to_string();
                    let suffix = text[text.len() - 4..].to_string();
                    return Some((
                        Naming::Parts {
                            prefix,
                            width: digits.len(),
                            suffix,
                        },
                        number,
                    ));
                }
            }
            let base = text[..text.len() - 4].to_string();
            let upper = name.ends_with(".RAR");
            return Some((Naming::Old { base, upper }, 0));
        }
        let (stem, ext) = lower.rsplit_once('.')?;
        let bytes = ext.as_bytes();
        if stem.is_empty() || bytes.len() != 3 || !bytes[1..].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let letter = bytes[0];
        if !(b'r'..=b'z').contains(&letter) {
            return None;
        }
        let number = (letter - b'r') as usize * 100 + ext[1..].parse::<usize>().ok()?;
        let base = text[..text.len() - 4].to_string();
        let upper = name.as_bytes()[name.len() - 3].is_ascii_uppercase();
        Some((Naming::Old { base, upper }, number + 1))
    }

    /// The number of the first volume.
    fn first(&self) -> usize {
        match self {
            Naming::Parts { .. } => 1,
            Naming::Old { .. } => 0,
        }
    }

    /// The path of volume `n`.
    fn volume(&self, n: usize) -> PathBuf {
        match self {
            Naming::Parts {
                prefix,
                width,
                suffix,
            } => PathBuf::from(format!("{prefix}{n:0width$}{suffix}")),
            Naming::Old { base, upper } => {
                let ext = if n == 0 {
                    "rar".to_string()
                } else {
                    let k = n - 1;
                    let letter = (b'r' + (k / 100) as u8) as char;
                    format!("{letter}{:02}", k % 100)
                };
                let ext = if *upper { ext.to_uppercase() } else { ext };
                PathBuf::from(format!("{base}.{ext}"))
            }
        }
    }
}

/// The first volume of the set `path` belongs to, by its name alone (`path` itself when it is
/// not named as a volume). Used to show and record a set under one name.
pub fn first_volume(path: &Path) -> PathBuf {
    match Naming::of(path) {
        Some((naming, _)) => naming.volume(naming.first()),
        None => path.to_path_buf(),
    }
}

/// The files of the volume set `path` names that are present, from its first volume on and
/// without a gap (`[path]` when `path` is not named as a volume, or its first volume is absent).
pub fn present_volumes(path: &Path) -> Vec<PathBuf> {
    let Some((naming, _)) = Naming::of(path) else {
        return vec![path.to_path_buf()];
    };
    let mut n = naming.first();
    let mut found = Vec::new();
    loop {
        let volume = naming.volume(n);
        if !volume.is_file() {
            break;
        }
        found.push(volume);
        n += 1;
    }
    if found.is_empty() {
        found.push(path.to_path_buf());
    }
    found
}

/// Whether a file name looks like a volume of a RAR set or a RAR archive (`.rar`, `.r00`…).
pub fn is_rar_name(name: &str) -> bool {
    Naming::of(Path::new(name)).is_some()
}

/// One member (file or folder) of an archive, continuation parts folded into one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RarMember {
    /// Its name in the archive (`/` or `\` separated, as stored).
    pub name: String,
    /// Its unpacked size in bytes.
    pub size: u64,
    /// Whether it is a folder.
    pub is_dir: bool,
    /// Whether it is a link or a copy of another member (no content of its own).
    pub is_link: bool,
    /// Whether its content is encrypted.
    pub encrypted: bool,
    /// The first and last volume (0-based indexes into [`RarArchive::volumes`]) holding it.
    pub volumes: (usize, usize),
}

impl RarMember {
    /// The member's file name: the part after the last `/` or `\`.
    pub fn file_name(&self) -> &str {
        self.name.rsplit(['/', '\\']).next().unwrap_or(&self.name)
    }
}

/// A file handle that counts the bytes read through it, for progress.
struct CountingFile {
    inner: BufReader<File>,
    count: Arc<AtomicU64>,
}

impl Read for CountingFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Seek for CountingFile {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// A RAR archive, single or a whole volume set, with its members listed (from the headers only).
/// Cloning it copies the parsed headers, not the volumes.
#[derive(Clone)]
pub struct RarArchive {
    path: PathBuf,
    volumes: Vec<PathBuf>,
    archives: Vec<rars::Archive>,
    members: Vec<RarMember>,
    solid: bool,
    size: u64,
    position: Arc<AtomicU64>,
    password: Option<Vec<u8>>,
}

impl std::fmt::Debug for RarArchive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RarArchive")
            .field("path", &self.path)
            .field("volumes", &self.volumes)
            .field("members", &self.members)
            .field("solid", &self.solid)
            .finish_non_exhaustive()
    }
}

fn is_volume(archive: &rars::Archive) -> bool {
    match archive {
        rars::Archive::Rar15To40(a) => a.main.is_volume(),
        rars::Archive::Rar50Plus(a) => a.main.is_volume(),
        _ => false,
    }
}

fn is_solid(archive: &rars::Archive) -> bool {
    match archive {
        rars::Archive::Rar15To40(a) => a.main.is_solid(),
        rars::Archive::Rar50Plus(a) => a.main.is_solid(),
        _ => false,
    }
}

/// What the end of a volume says of the next one: `Some(true)` there is one, `Some(false)` this
/// is the last, `None` the volume has no end record (old archivers) to tell.
fn has_next_volume(archive: &rars::Archive) -> Option<bool> {
    match archive {
        rars::Archive::Rar50Plus(a) => a.blocks.iter().rev().find_map(|b| match b {
            rars::rar50::Block::End(end) => Some(end.has_next_volume()),
            _ => None,
        }),
        rars::Archive::Rar15To40(a) => a.blocks.iter().rev().find_map(|b| match b {
            rars::rar15_40::Block::End(end) => Some(end.flags & 0x0001 != 0),
            _ => None,
        }),
        _ => None,
    }
}

/// The text of a decoder error, without the context wrappers we render ourselves.
fn reason(error: &rars::Error) -> String {
    use rars::ErrorKind as K;
    let root = error.root_cause();
    match error.kind() {
        K::PasswordRequired => {
            "it is encrypted and a password is needed (pass it with --password)".into()
        }
        K::BadPassword => "the password is wrong (or the data is damaged)".into(),
        K::ChecksumMismatch => format!("{root}: the archive is damaged (download it again)"),
        K::Io => format!("{root}"),
        _ => format!("{root}"),
    }
}

/// The volume number (1-based) an error is traced to, when the decoder says.
fn volume_of(error: &rars::Error) -> Option<usize> {
    let mut e = error;
    loop {
        match e {
            rars::Error::InVolume { number, .. } => return Some(*number),
            rars::Error::AtArchiveOffset { source, .. } | rars::Error::AtEntry { source, .. } => {
                e = source
            }
            _ => return None,
        }
    }
}

impl RarArchive {
    /// Opens the archive `path`, or the whole volume set it belongs to (from its first volume,
    /// whichever volume `path` is), and reads the headers of every volume.
    pub fn open(path: &Path, password: Option<&[u8]>) -> Result<RarArchive, InputError> {
        let position = Arc::new(AtomicU64::new(0));
        let parse =
            |volume: &Path| -> Result<(rars::Archive, u64), InputError> {
                let file = File::open(volume).map_err(|source| InputError::Io {
                    path: volume.to_path_buf(),
                    source,
                })?;
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                let counted = CountingFile {
                    inner: BufReader::with_capacity(1 << 20, file),
                    count: position.clone(),
                };
                let options = rars::ArchiveReadOptions::with_optional_password(password);
                let archive = rars::ArchiveReader::read_reader_with_options(counted, options)
                    .map_err(|e| InputError::Rar {
                        archive: path.to_path_buf(),
                        volume: (volume != path).then(|| volume.to_path_buf()),
                        member: None,
                        reason: if e.kind() == rars::ErrorKind::InvalidArchive
                            || matches!(e.root_cause(), rars::Error::TooShort)
                        {
                            format!(
                                "{}: the volume is damaged or cut short (an interrupted download?)",
                                reason(&e)
                            )
                        } else {
                            reason(&e)
                        },
                    })?;
                Ok((archive, size))
            };
        let (given, given_size) = parse(path)?;
        let mut volumes = vec![path.to_path_buf()];
        let mut archives = vec![given];
        let mut size = given_size;
        if is_volume(&archives[0]) {
            let Some((naming, number)) = Naming::of(path) else {
                return Err(InputError::Rar {
                    archive: path.to_path_buf(),
                    volume: None,
                    member: None,
                    reason: "it is one volume of a set, but its name is not a volume's \
                             (`name.part1.rar` or `name.rar`, `name.r00` …): rename it as it was published"
                        .into(),
                });
            };
            // Start again from the first volume when given a later one.
            let first = naming.first();
            if number != first {
                let first_path = naming.volume(first);
                if !first_path.exists() {
                    return Err(InputError::RarVolumeMissing {
                        archive: path.to_path_buf(),
                        volume: first_path,
                    });
                }
                position.store(0, Ordering::Relaxed);
                let (a, s) = parse(&first_path)?;
                volumes = vec![first_path];
                archives = vec![a];
                size = s;
            }
            let mut n = first;
            loop {
                let last = archives.last().expect("one volume at least");
                let ends_split = last.members().last().is_some_and(|m| m.meta.is_split_after);
                let next = naming.volume(n + 1);
                let more = match has_next_volume(last) {
                    Some(more) => more,
                    None => ends_split || next.exists(),
                };
                if !more {
                    break;
                }
                if !next.exists() {
                    return Err(InputError::RarVolumeMissing {
                        archive: volumes[0].clone(),
                        volume: next,
                    });
                }
                let (a, s) = parse(&next)?;
                if !is_volume(&a) {
                    return Err(InputError::Rar {
                        archive: volumes[0].clone(),
                        volume: Some(next),
                        member: None,
                        reason:
                            "it is named as the next volume of the set but is a separate archive"
                                .into(),
                    });
                }
                volumes.push(next);
                archives.push(a);
                size += s;
                n += 1;
            }
        }
        let archive_path = volumes[0].clone();
        let listed = rars::volume_members(&archives).map_err(|e| InputError::Rar {
            archive: archive_path.clone(),
            volume: None,
            member: None,
            reason: reason(&e),
        })?;
        // The volumes each logical member spans: walk the physical members again.
        let mut spans = Vec::with_capacity(listed.len());
        for (v, archive) in archives.iter().enumerate() {
            for m in archive.members() {
                if m.meta.is_split_before {
                    if let Some((_, last)) = spans.last_mut() {
                        *last = v;
                    }
                } else {
                    spans.push((v, v));
                }
            }
        }
        let members = listed
            .iter()
            .zip(spans)
            .map(|(m, volumes)| RarMember {
                name: String::from_utf8_lossy(
                    &m.decoded_name(None)
                        .map(|n| n.into_owned())
                        .unwrap_or_else(|_| m.meta.name.clone()),
                )
                .into_owned(),
                size: m.meta.unpacked_size,
                is_dir: m.meta.is_directory,
                is_link: m.meta.is_redirection,
                encrypted: m.meta.is_encrypted,
                volumes,
            })
            .collect();
        let solid = archives.iter().any(is_solid) || listed.iter().any(|m| m.is_solid());
        Ok(RarArchive {
            path: archive_path,
            volumes,
            archives,
            members,
            solid,
            size,
            position,
            password: password.map(<[u8]>::to_vec),
        })
    }

    /// The archive's name: its first volume.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The volumes, in order (one for a single archive).
    pub fn volumes(&self) -> &[PathBuf] {
        &self.volumes
    }

    /// The members, in archive order.
    pub fn members(&self) -> &[RarMember] {
        &self.members
    }

    /// Whether members depend on the ones before them (then none can be skipped unread).
    pub fn is_solid(&self) -> bool {
        self.solid
    }

    /// The size of all volumes together, in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Bytes of the volumes read so far (headers included), for progress.
    pub fn position(&self) -> Arc<AtomicU64> {
        self.position.clone()
    }

    /// Decodes the members `select` accepts, in archive order, on a background thread, and hands
    /// each out as a stream ([`MemberStream::next_member`]). Each member's checksum is verified
    /// at its end: a damaged member fails the read of its last bytes, never passes silently. In a
    /// non-solid archive (single or a volume set) the other members are not read at all.
    pub fn stream(&self, select: impl FnMut(&RarMember) -> bool) -> io::Result<MemberStream> {
        self.clone().into_stream(select)
    }

    fn into_stream(
        mut self,
        mut select: impl FnMut(&RarMember) -> bool,
    ) -> io::Result<MemberStream> {
        let selected: Vec<bool> = self
            .members
            .iter()
            .map(|m| !m.is_dir && !m.is_link && select(m))
            .collect();
        // The members the decoder will call back for, in order.
        let targets: Vec<usize> = if self.solid {
            // Every member depends on the ones before: all are decoded, the others to a sink.
            (0..self.members.len())
                .filter(|&i| !self.members[i].is_link)
                .collect()
        } else {
            self.keep_only(&selected);
            (0..self.members.len()).filter(|&i| selected[i]).collect()
        };
        let (tx, rx) = sync_channel(IN_FLIGHT);
        let shared = Arc::new(Mutex::new(Shared {
            rx,
            state: ReaderState::Between,
        }));
        let worker = std::thread::Builder::new()
            .name("rar".into())
            .spawn(move || self.decode(selected, targets, tx))?;
        Ok(MemberStream {
            shared,
            worker: Some(worker),
        })
    }

    /// The first `n` bytes of member `index` (fewer if it is shorter), decoded without reading
    /// the rest of it or any other member of a non-solid archive: the header of a multi-GB file.
    pub fn read_prefix(&self, index: usize, n: usize) -> Result<Vec<u8>, InputError> {
        let mut job = self.clone();
        let selected: Vec<bool> = (0..job.members.len()).map(|i| i == index).collect();
        if !job.solid {
            job.keep_only(&selected);
        }
        let collected = Arc::new(Mutex::new(Vec::with_capacity(n)));
        let mut current = 0usize;
        let targets: Vec<usize> = if job.solid {
            (0..job.members.len())
                .filter(|&i| !job.members[i].is_link)
                .collect()
        } else {
            vec![index]
        };
        let options = rars::ArchiveReadOptions::with_optional_password(job.password.as_deref())
            .with_rar50_buffered_decode_limit(BUFFERED_DECODE_LIMIT)
            .with_rar50_dictionary_size_limit(DICTIONARY_LIMIT);
        let result = rars::extract_volumes_to_with_options(&job.archives, options, |_| {
            let this = targets.get(current).copied();
            current += 1;
            Ok(if this == Some(index) {
                Box::new(Prefix {
                    out: collected.clone(),
                    limit: n,
                }) as Box<dyn Write>
            } else {
                Box::new(io::sink()) as Box<dyn Write>
            })
        });
        let bytes = std::mem::take(&mut *collected.lock().unwrap_or_else(|e| e.into_inner()));
        let member = job.members.get(index).map(|m| m.name.clone());
        match result {
            // Stopped on purpose once the prefix was there, or the member is shorter.
            _ if bytes.len() >= n => Ok(bytes),
            Ok(()) => Ok(bytes),
            Err(e) => Err(InputError::Rar {
                archive: job.path.clone(),
                volume: None,
                member,
                reason: reason(&e),
            }),
        }
    }

    /// Drops the file headers of the members not `selected` from the parsed volumes, so the
    /// decoder never reads their data (only for non-solid archives: nothing depends on them).
    fn keep_only(&mut self, selected: &[bool]) {
        let mut logical: Option<usize> = None;
        let mut next = 0usize;
        let mut place = |split_before: bool| -> bool {
            let index = if split_before {
                logical.unwrap_or(0)
            } else {
                next += 1;
                next - 1
            };
            logical = Some(index);
            selected.get(index).copied().unwrap_or(false)
        };
        for archive in &mut self.archives {
            match archive {
                rars::Archive::Rar50Plus(a) => a.blocks.retain(|b| match b {
                    rars::rar50::Block::File(f) => place(f.is_split_before()),
                    _ => true,
                }),
                rars::Archive::Rar15To40(a) => a.blocks.retain(|b| match b {
                    rars::rar15_40::Block::File(f) => place(f.is_split_before()),
                    _ => true,
                }),
                _ => {}
            }
        }
    }

    /// The decoding thread: one `Start`, its `Data` and an `End` per selected member, then `Done`
    /// or `Failed`. `targets` are the members the decoder calls back for, in order.
    fn decode(self, selected: Vec<bool>, targets: Vec<usize>, tx: SyncSender<Message>) {
        let password = self.password.clone();
        let options = rars::ArchiveReadOptions::with_optional_password(password.as_deref())
            .with_rar50_buffered_decode_limit(BUFFERED_DECODE_LIMIT)
            .with_rar50_dictionary_size_limit(DICTIONARY_LIMIT);
        let state = Mutex::new(Progress {
            next: 0,
            current: None,
            open: false,
        });
        let result = rars::extract_volumes_to_with_options(&self.archives, options, |meta| {
            let mut s = state
                .lock()
                .map_err(|_| rars::Error::WriterFailure("lock"))?;
            if s.open {
                s.open = false;
                // The previous member is complete and verified: the decoder only moves on after
                // its checksum matched.
                tx.send(Message::End).map_err(|_| rars::Error::Cancelled)?;
            }
            let index = targets.get(s.next).copied();
            s.next += 1;
            s.current = index;
            match index {
                Some(i) if !meta.is_directory && selected[i] => {
                    tx.send(Message::Start(self.members[i].clone()))
                        .map_err(|_| rars::Error::Cancelled)?;
                    s.open = true;
                    Ok(Box::new(ChannelWriter {
                        tx: tx.clone(),
                        buf: Vec::with_capacity(CHUNK),
                    }) as Box<dyn Write>)
                }
                _ => Ok(Box::new(io::sink()) as Box<dyn Write>),
            }
        });
        let (open, current) = state
            .lock()
            .map(|s| (s.open, s.current))
            .unwrap_or((false, None));
        let message = match result {
            Ok(()) => {
                if open {
                    let _ = tx.send(Message::End);
                }
                Message::Done
            }
            Err(rars::Error::Cancelled) => return,
            Err(e) => {
                let member = current.and_then(|i| self.members.get(i));
                let volume = volume_of(&e)
                    .and_then(|n| self.volumes.get(n - 1))
                    .or_else(|| member.and_then(|m| self.volumes.get(m.volumes.1)))
                    .filter(|_| self.volumes.len() > 1)
                    .map(|v| v.to_path_buf());
                Message::Failed(InputError::Rar {
                    archive: self.path.clone(),
                    volume,
                    member: member.map(|m| m.name.clone()),
                    reason: reason(&e),
                })
            }
        };
        let _ = tx.send(message);
    }
}

/// Where the decoding thread is, shared with its callbacks.
struct Progress {
    /// The next logical member the decoder will call back for.
    next: usize,
    /// The member being decoded (index into the member list).
    current: Option<usize>,
    /// Whether a selected member's stream is open.
    open: bool,
}

enum Message {
    Start(RarMember),
    Data(Vec<u8>),
    End,
    Done,
    Failed(InputError),
}

/// Keeps the first `limit` bytes written, then stops the decoder with an error.
struct Prefix {
    out: Arc<Mutex<Vec<u8>>>,
    limit: usize,
}

impl Write for Prefix {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let room = self.limit.saturating_sub(out.len());
        out.extend_from_slice(&data[..room.min(data.len())]);
        if out.len() >= self.limit {
            return Err(io::Error::other("prefix read"));
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Sends a member's bytes to the reader in chunks.
struct ChannelWriter {
    tx: SyncSender<Message>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
            self.tx
                .send(Message::Data(chunk))
                .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the reader stopped"))?;
        }
        Ok(())
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

impl Drop for ChannelWriter {
    fn drop(&mut self) {
        let _ = self.send();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReaderState {
    /// Between members: the next message is a `Start`, `Done` or `Failed`.
    Between,
    /// Inside a member's data.
    Inside,
    /// The stream has ended (done or failed).
    Over,
}

struct Shared {
    rx: Receiver<Message>,
    state: ReaderState,
}

/// The selected members of an archive, one after the other.
pub struct MemberStream {
    shared: Arc<Mutex<Shared>>,
    worker: Option<JoinHandle<()>>,
}

impl MemberStream {
    /// The next selected member and a reader of its content; `None` after the last one. A
    /// member's reader must be read to its end (or dropped) before the next member is asked for:
    /// what is left of it is skipped.
    pub fn next_member(&mut self) -> Option<Result<(RarMember, MemberReader), InputError>> {
        let mut shared = self.shared.lock().ok()?;
        loop {
            if shared.state == ReaderState::Over {
                return None;
            }
            let message = match shared.rx.recv() {
                Ok(m) => m,
                Err(_) => {
                    shared.state = ReaderState::Over;
                    return None;
                }
            };
            match message {
                Message::Start(member) => {
                    shared.state = ReaderState::Inside;
                    return Some(Ok((
                        member,
                        MemberReader {
                            shared: self.shared.clone(),
                            chunk: Vec::new(),
                            at: 0,
                        },
                    )));
                }
                Message::Data(_) | Message::End => {
                    shared.state = ReaderState::Between;
                }
                Message::Done => {
                    shared.state = ReaderState::Over;
                    return None;
                }
                Message::Failed(e) => {
                    shared.state = ReaderState::Over;
                    return Some(Err(e));
                }
            }
        }
    }
}

impl Drop for MemberStream {
    fn drop(&mut self) {
        // Hang up, so a decoder blocked on a full channel stops; then collect the thread.
        if let Ok(mut shared) = self.shared.lock() {
            let (_, rx) = sync_channel(0);
            shared.rx = rx;
            shared.state = ReaderState::Over;
        }
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// The content of one member, decoded as it is read. Its chunks are handed out as they come
/// ([`BufRead`]): no copy between the decoder and the reader's caller.
pub struct MemberReader {
    shared: Arc<Mutex<Shared>>,
    chunk: Vec<u8>,
    at: usize,
}

impl BufRead for MemberReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.at >= self.chunk.len() {
            let mut shared = self
                .shared
                .lock()
                .map_err(|_| io::Error::other("the archive reader failed"))?;
            loop {
                if shared.state != ReaderState::Inside {
                    self.chunk.clear();
                    self.at = 0;
                    break;
                }
                match shared.rx.recv() {
                    Ok(Message::Data(chunk)) if chunk.is_empty() => continue,
                    Ok(Message::Data(chunk)) => {
                        self.chunk = chunk;
                        self.at = 0;
                        break;
                    }
                    Ok(Message::End) => {
                        shared.state = ReaderState::Between;
                    }
                    Ok(Message::Failed(e)) => {
                        shared.state = ReaderState::Over;
                        return Err(io::Error::other(e));
                    }
                    Ok(Message::Start(_)) | Ok(Message::Done) | Err(_) => {
                        shared.state = ReaderState::Over;
                        return Err(io::Error::other("the archive reader stopped unexpectedly"));
                    }
                }
            }
        }
        Ok(&self.chunk[self.at..])
    }

    fn consume(&mut self, n: usize) {
        self.at = (self.at + n).min(self.chunk.len());
    }
}

impl Read for MemberReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = buf.len().min(available.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_names_of_both_namings() {
        let (n, k) = Naming::of(Path::new("/d/libgen_new.part017.rar")).unwrap();
        assert_eq!(k, 17);
        assert_eq!(n.volume(1), PathBuf::from("/d/libgen_new.part001.rar"));
        assert_eq!(n.volume(64), PathBuf::from("/d/libgen_new.part064.rar"));
        let (n, k) = Naming::of(Path::new("x.part1.RAR")).unwrap();
        assert_eq!((k, n.volume(2)), (1, PathBuf::from("x.part2.RAR")));
        let (n, k) = Naming::of(Path::new("dir/old.r01")).unwrap();
        assert_eq!(k, 2);
        assert_eq!(n.volume(0), PathBuf::from("dir/old.rar"));
        assert_eq!(n.volume(1), PathBuf::from("dir/old.r00"));
        assert_eq!(n.volume(101), PathBuf::from("dir/old.s00"));
        let (n, k) = Naming::of(Path::new("libgen.rar")).unwrap();
        assert_eq!((k, n.volume(1)), (0, PathBuf::from("libgen.r00")));
        assert_eq!(
            Naming::of(Path::new("OLD.R05")).unwrap().0.volume(0),
            PathBuf::from("OLD.RAR")
        );
        // A dot-part without digits is an ordinary name.
        let (n, k) = Naming::of(Path::new("my.party.rar")).unwrap();
        assert_eq!((k, n.volume(0)), (0, PathBuf::from("my.party.rar")));
        for no in ["libgen.sql", "x.r0", "x.rxx", "x.a00", ".r00"] {
            assert!(Naming::of(Path::new(no)).is_none(), "{no}");
        }
        assert_eq!(
            first_volume(Path::new("/a/b.part3.rar")),
            PathBuf::from("/a/b.part1.rar")
        );
        assert_eq!(
            first_volume(Path::new("/a/b.sql")),
            PathBuf::from("/a/b.sql")
        );
    }
}
