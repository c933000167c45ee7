//! Opening a dump: plain SQL, gzip, bzip2, xz, zstd, zip, 7z or RAR (single or multi-volume),
//! detected by content, or `-` for standard input. Owns decompression; knows nothing of SQL.
//! An archive may hold several dumps: [`open`] hands them out one after the other ([`Dumps`]).

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::rar;

/// The container or compression of a dump, as recognised from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Uncompressed SQL text.
    Sql,
    /// gzip (`.gz`), possibly several members.
    Gzip,
    /// bzip2 (`.bz2`).
    Bzip2,
    /// xz (`.xz`).
    Xz,
    /// Zstandard (`.zst`).
    Zstd,
    /// A zip archive: its first `.sql` entry is read.
    Zip,
    /// A 7z archive: its first `.sql` entry is read.
    SevenZ,
    /// A RAR archive, single or a volume set: each `.sql` member is read (see [`super::rar`]).
    Rar,
}

impl Format {
    /// Recognises a format from the first bytes of a file.
    pub fn sniff(head: &[u8]) -> Format {
        if head.starts_with(&[0x1f, 0x8b]) {
            Format::Gzip
        } else if head.starts_with(b"BZh") {
            Format::Bzip2
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Format::Xz
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Format::Zstd
        } else if head.starts_with(b"PK\x03\x04") {
            Format::Zip
        } else if head.starts_with(&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c]) {
            Format::SevenZ
        } else if head.starts_with(b"Rar!\x1a\x07") {
            Format::Rar
        } else {
            Format::Sql
        }
    }

    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Sql => "SQL",
            Format::Gzip => "gzip",
            Format::Bzip2 => "bzip2",
            Format::Xz => "xz",
            Format::Zstd => "zstd",
            Format::Zip => "zip",
            Format::SevenZ => "7z",
            Format::Rar => "RAR",
        }
    }
}

/// Why a dump could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// A RAR archive could not be read: damaged, cut short, encrypted, unsupported.
    #[error("{archive}{}{}: {reason}", volume.as_ref().map(|v| format!(", volume {}", v.display())).unwrap_or_default(), member.as_ref().map(|m| format!(", member {m}")).unwrap_or_default())]
    Rar {
        /// The archive (its first volume).
        archive: PathBuf,
        /// The volume at fault, when the archive has several.
        volume: Option<PathBuf>,
        /// The member being read, when one was.
        member: Option<String>,
        /// What went wrong.
        reason: String,
    },
    /// A volume of a multi-volume set is not there.
    #[error("{archive}: volume {} of this multi-volume archive is missing: put every volume of the set in the same folder", volume.display())]
    RarVolumeMissing {
        /// The archive (the volume given).
        archive: PathBuf,
        /// The missing volume.
        volume: PathBuf,
    },
    /// An archive holds no dump.
    #[error("{archive}: the archive holds no MySQL dump (no `.sql` file among {members}){hint}")]
    NoDump {
        /// The archive.
        archive: PathBuf,
        /// What it holds (the first names).
        members: String,
        /// What it seems to be instead, if anything.
        hint: &'static str,
    },
    /// An archive read from standard input needs seeking.
    #[error("a {0} archive cannot be read from standard input: pass the file's path instead")]
    ArchiveOnStdin(&'static str),
}

/// An opened dump: a reader of its SQL text plus what progress reporting needs.
pub struct DumpInput {
    /// The name to show (the path, or `-`).
    pub name: String,
    /// What the file is.
    pub format: Format,
    /// The size of the file on disk, when known.
    pub size: Option<u64>,
    /// Bytes of the file (compressed) read so far.
    pub position: Arc<AtomicU64>,
    /// The SQL text.
    pub reader: Box<dyn Read + Send>,
}

impl DumpInput {
    /// Whether the text is an archive member whose checksum is only checked at its end: a
    /// damaged archive decodes into garbled SQL first (see [`DumpReader::checked_failure`]).
    ///
    /// [`DumpReader::checked_failure`]: crate::dump::DumpReader::checked_failure
    pub fn checked_at_end(&self) -> bool {
        self.format == Format::Rar
    }
}

/// Counts the bytes that pass through a reader.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: io::Seek> io::Seek for Counting<R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        let at = self.inner.seek(pos)?;
        self.count.store(at, Ordering::Relaxed);
        Ok(at)
    }
}

/// Reads what a background thread writes into a pipe, and reports the thread's error at the end.
struct ThreadReader {
    pipe: io::PipeReader,
    worker: Option<JoinHandle<io::Result<()>>>,
}

impl Read for ThreadReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.pipe.read(buf)?;
        if n == 0 {
            if let Some(worker) = self.worker.take() {
                match worker.join() {
                    Ok(result) => result?,
                    Err(_) => return Err(io::Error::other("the archive reader panicked")),
                }
            }
        }
        Ok(n)
    }
}

fn is_sql_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".sql")
}

/// Streams the first `.sql` entry (else the first entry) of a zip archive into `out`.
fn copy_zip_entry<R: Read + io::Seek>(archive: R, out: &mut impl io::Write) -> io::Result<()> {
    let mut zip = zip::ZipArchive::new(archive).map_err(io::Error::other)?;
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    let mut index = None;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(io::Error::other)?;
        if entry.is_file() && (index.is_none() || is_sql_name(entry.name())) {
            let sql = is_sql_name(entry.name());
            index = Some(i);
            if sql {
                break;
            }
        }
    }
    let index = index
        .ok_or_else(|| io::Error::other(format!("the zip archive holds no file ({names:?})")))?;
    let mut entry = zip.by_index(index).map_err(io::Error::other)?;
    io::copy(&mut entry, out)?;
    Ok(())
}

/// Streams the first `.sql` entry (else the first file) of a 7z archive into `out`.
fn copy_7z_entry<R: Read + io::Seek>(archive: R, out: &mut impl io::Write) -> io::Result<()> {
    let mut reader = sevenz_rust2::ArchiveReader::new(archive, sevenz_rust2::Password::empty())
        .map_err(io::Error::other)?;
    let files: Vec<(String, bool)> = reader
        .archive()
        .files
        .iter()
        .map(|f| (f.name().to_string(), f.has_stream()))
        .collect();
    let wanted = files
        .iter()
        .find(|(n, s)| *s && is_sql_name(n))
        .or_else(|| files.iter().find(|(_, s)| *s))
        .map(|(n, _)| n.clone())
        .ok_or_else(|| io::Error::other("the 7z archive holds no file"))?;
    let mut done = false;
    reader
        .for_each_entries(|entry, data| {
            if !done && entry.name() == wanted {
                io::copy(data, out)?;
                done = true;
                return Ok(false);
            }
            io::copy(data, &mut io::sink())?;
            Ok(true)
        })
        .map_err(io::Error::other)?;
    Ok(())
}

fn spawn_archive(file: Counting<BufReader<File>>, format: Format) -> io::Result<ThreadReader> {
    let (pipe, mut writer) = io::pipe()?;
    let worker = std::thread::Builder::new()
        .name("archive".into())
        .spawn(move || {
            let result = match format {
                Format::Zip => copy_zip_entry(file, &mut writer),
                _ => copy_7z_entry(file, &mut writer),
            };
            // A closed pipe means the reader stopped early (an error it reports itself).
            match result {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other,
            }
        })?;
    Ok(ThreadReader {
        pipe,
        worker: Some(worker),
    })
}

/// A compressed stream that stops before its end (a cut download): the decompressor's error,
/// told as what it is, with the compressed file's own offset when known. Readers see it as an
/// `UnexpectedEof` I/O error whose inner error is this.
#[derive(Debug, thiserror::Error)]
#[error("the {format} stream ends early{}", at.map(|n| format!(" at byte {n} of the file")).unwrap_or_default())]
pub struct StreamCut {
    /// The compression (`gzip` …).
    pub format: &'static str,
    /// The file's size, where the stream stops (unknown inside an archive or on standard
    /// input).
    pub at: Option<u64>,
}

/// Turns a decompressor's failure at the end of its input into a [`StreamCut`]: every
/// decompressor says it in its own words (`unexpected end of file`, `stream is truncated`…),
/// and some say nothing and just stop; the file being read to its end tells it alike.
struct CutAware {
    inner: Box<dyn Read + Send>,
    format: Format,
    /// Bytes of the file read, and the file's size, when reading a file.
    file: Option<(Arc<AtomicU64>, u64)>,
}

impl CutAware {
    fn cut(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::UnexpectedEof,
            StreamCut {
                format: self.format.name(),
                at: self.file.as_ref().map(|(_, size)| *size),
            },
        )
    }

    fn at_end_of_file(&self) -> bool {
        self.file
            .as_ref()
            .is_some_and(|(read, size)| read.load(Ordering::Relaxed) >= *size)
    }
}

impl Read for CutAware {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof || self.at_end_of_file() => {
                Err(self.cut())
            }
            other => other,
        }
    }
}

/// The decompressor of `format` over `src` (`src` itself for SQL). `file`: the count of bytes
/// read from the file and its size, to tell a cut stream by.
fn decoder(
    format: Format,
    src: Box<dyn Read + Send>,
    file: Option<(Arc<AtomicU64>, u64)>,
) -> Box<dyn Read + Send> {
    let buffered = BufReader::with_capacity(1 << 20, src);
    let inner: Box<dyn Read + Send> = match format {
        Format::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
        Format::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(buffered)),
        Format::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(buffered)),
        Format::Zstd => Box::new(zstd::Decoder::with_buffer(buffered).expect("zstd decoder")),
        _ => return Box::new(buffered),
    };
    Box::new(CutAware {
        inner,
        format,
        file,
    })
}

/// The dumps of one file: one for a dump or a compressed dump, one per `.sql` member for a RAR
/// archive (each decoded as it is read). Ask for them in turn with [`Dumps::next_dump`].
pub struct Dumps {
    /// The name to show: the path (the first volume of a volume set), or `-`.
    pub name: String,
    /// What the file is.
    pub format: Format,
    /// The size of the file on disk (all volumes of a set), when known.
    pub size: Option<u64>,
    /// Bytes of the file (compressed) read so far, across all of its dumps.
    pub position: Arc<AtomicU64>,
    inner: Inner,
}

enum Inner {
    One(Option<DumpInput>),
    Rar {
        archive: PathBuf,
        stream: rar::MemberStream,
    },
}

impl Dumps {
    /// The next dump, `None` when there are no more. A dump must be read to its end (or
    /// dropped) before the next one is asked for.
    pub fn next_dump(&mut self) -> Option<Result<DumpInput, InputError>> {
        match &mut self.inner {
            Inner::One(one) => one.take().map(Ok),
            Inner::Rar { archive, stream } => {
                let (member, reader) = match stream.next_member()? {
                    Ok(next) => next,
                    Err(e) => return Some(Err(e)),
                };
                let name = format!("{} ({})", archive.display(), member.name);
                // A member may itself be compressed (`libgen.sql.gz` inside a RAR).
                let mut reader = reader;
                let format = match io::BufRead::fill_buf(&mut reader) {
                    Ok(head) => Format::sniff(head),
                    Err(source) => {
                        return Some(Err(InputError::Rar {
                            archive: archive.clone(),
                            volume: None,
                            member: Some(member.name),
                            reason: source.to_string(),
                        }))
                    }
                };
                let reader: Box<dyn Read + Send> = match format {
                    Format::Gzip | Format::Bzip2 | Format::Xz | Format::Zstd => {
                        decoder(format, Box::new(reader), None)
                    }
                    _ => Box::new(reader),
                };
                Some(Ok(DumpInput {
                    name,
                    format: Format::Rar,
                    size: self.size,
                    position: self.position.clone(),
                    reader,
                }))
            }
        }
    }
}

/// Whether an archive member is a dump: `name.sql`, or one compressed on its own
/// (`name.sql.gz` …).
fn is_dump_member(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".sql", ".sql.gz", ".sql.bz2", ".sql.xz", ".sql.zst"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Opens the dumps of a RAR archive or volume set: its `.sql` members, in archive order.
fn open_rar(path: &Path, password: Option<&[u8]>) -> Result<Dumps, InputError> {
    let archive = rar::RarArchive::open(path, password)?;
    let first = archive.path().to_path_buf();
    let dumps: Vec<&rar::RarMember> = archive
        .members()
        .iter()
        .filter(|m| !m.is_dir && is_dump_member(&m.name))
        .collect();
    if dumps.is_empty() {
        let names: Vec<&str> = archive.members().iter().map(|m| m.name.as_str()).collect();
        let mut members = names.iter().take(8).copied().collect::<Vec<_>>().join(", ");
        if names.len() > 8 {
            members.push_str(&format!(" and {} more", names.len() - 8));
        }
        if members.is_empty() {
            members = "no files".into();
        }
        let myisam = names.iter().any(|n| {
            let l = n.to_ascii_lowercase();
            l.ends_with(".myd") || l.ends_with(".frm")
        });
        return Err(InputError::NoDump {
            archive: first,
            members,
            hint: if myisam {
                "; it holds MySQL table files (.frm/.MYD), as the libgen.li snapshot does"
            } else {
                ""
            },
        });
    }
    if password.is_none() {
        if let Some(m) = dumps.iter().find(|m| m.encrypted) {
            return Err(InputError::Rar {
                archive: first,
                volume: None,
                member: Some(m.name.clone()),
                reason: "it is encrypted and a password is needed (pass it with --password)".into(),
            });
        }
    }
    let size = archive.size();
    let position = archive.position();
    let stream = archive
        .stream(|m| is_dump_member(&m.name))
        .map_err(|source| InputError::Io {
            path: first.clone(),
            source,
        })?;
    Ok(Dumps {
        name: first.display().to_string(),
        format: Format::Rar,
        size: Some(size),
        position,
        inner: Inner::Rar {
            archive: first,
            stream,
        },
    })
}

/// Opens a dump file (or standard input for `-`), recognising its format from its content.
/// `password` opens encrypted RAR archives.
pub fn open(path: &Path, password: Option<&[u8]>) -> Result<Dumps, InputError> {
    let io_err = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let one = |input: DumpInput| Dumps {
        name: input.name.clone(),
        format: input.format,
        size: input.size,
        position: input.position.clone(),
        inner: Inner::One(Some(input)),
    };
    let position = Arc::new(AtomicU64::new(0));
    if path.as_os_str() == "-" {
        let mut stdin = BufReader::with_capacity(1 << 20, io::stdin());
        let head = io::BufRead::fill_buf(&mut stdin).map_err(io_err)?.to_vec();
        let format = Format::sniff(&head);
        match format {
            Format::Zip | Format::SevenZ | Format::Rar => {
                return Err(InputError::ArchiveOnStdin(format.name()))
            }
            _ => {}
        }
        let counted = Counting {
            inner: stdin,
            count: position.clone(),
        };
        return Ok(one(DumpInput {
            name: "-".into(),
            format,
            size: None,
            position,
            reader: decoder(format, Box::new(counted), None),
        }));
    }
    let mut file = File::open(path).map_err(io_err)?;
    let size = file.metadata().map_err(io_err)?.len();
    let mut head = [0u8; 8];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]).map_err(io_err)? {
            0 => break,
            n => got += n,
        }
    }
    io::Seek::rewind(&mut file).map_err(io_err)?;
    let format = Format::sniff(&head[..got]);
    if format == Format::Rar {
        drop(file);
        return open_rar(path, password);
    }
    let counted = Counting {
        inner: BufReader::with_capacity(1 << 20, file),
        count: position.clone(),
    };
    let reader: Box<dyn Read + Send> = match format {
        Format::Zip | Format::SevenZ => Box::new(spawn_archive(counted, format).map_err(io_err)?),
        _ => decoder(format, Box::new(counted), Some((position.clone(), size))),
    };
    Ok(one(DumpInput {
        name: path.display().to_string(),
        format,
        size: Some(size),
        position,
        reader,
    }))
}

/// The size (all volumes of a RAR set together) and the latest modification time (seconds since
/// 1970) of a dump file: what tells a changed dump from one already imported.
pub fn stamp(path: &Path) -> Option<(u64, i64)> {
    let one = |p: &Path| -> Option<(u64, i64)> {
        let meta = std::fs::metadata(p).ok()?;
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs() as i64;
        Some((meta.len(), mtime))
    };
    let mut files = rar::present_volumes(path).into_iter();
    let (mut size, mut mtime) = one(&files.next().unwrap_or_else(|| path.to_path_buf()))?;
    for volume in files {
        let (s, m) = one(&volume)?;
        size += s;
        mtime = mtime.max(m);
    }
    Some((size, mtime))
}
