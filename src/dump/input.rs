//! Opening a dump: plain SQL, gzip, bzip2, xz, zstd, zip or 7z, detected by content, or `-` for
//! standard input. Owns decompression; knows nothing of SQL.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

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
    /// A RAR archive (not read directly: see [`InputError::Rar`]).
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
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// RAR archives need the external `unrar` tool.
    #[error("{path} is a RAR archive; extract it on the fly with `unrar p -inul {path} | lanshelf import -`, or extract it first")]
    Rar {
        /// The file.
        path: PathBuf,
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

fn decoder(format: Format, src: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
    let buffered = BufReader::with_capacity(1 << 20, src);
    match format {
        Format::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
        Format::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(buffered)),
        Format::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(buffered)),
        Format::Zstd => Box::new(zstd::Decoder::with_buffer(buffered).expect("zstd decoder")),
        _ => Box::new(buffered),
    }
}

/// Opens a dump file (or standard input for `-`), recognising its format from its content.
pub fn open(path: &Path) -> Result<DumpInput, InputError> {
    let io_err = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let position = Arc::new(AtomicU64::new(0));
    if path.as_os_str() == "-" {
        let mut stdin = BufReader::with_capacity(1 << 20, io::stdin());
        let head = io::BufRead::fill_buf(&mut stdin).map_err(io_err)?.to_vec();
        let format = Format::sniff(&head);
        match format {
            Format::Zip | Format::SevenZ => return Err(InputError::ArchiveOnStdin(format.name())),
            Format::Rar => return Err(InputError::ArchiveOnStdin("RAR")),
            _ => {}
        }
        let counted = Counting {
            inner: stdin,
            count: position.clone(),
        };
        return Ok(DumpInput {
            name: "-".into(),
            format,
            size: None,
            position,
            reader: decoder(format, Box::new(counted)),
        });
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
    let counted = Counting {
        inner: BufReader::with_capacity(1 << 20, file),
        count: position.clone(),
    };
    let reader: Box<dyn Read + Send> = match format {
        Format::Rar => {
            return Err(InputError::Rar {
                path: path.to_path_buf(),
            })
        }
        Format::Zip | Format::SevenZ => Box::new(spawn_archive(counted, format).map_err(io_err)?),
        _ => decoder(format, Box::new(counted)),
    };
    Ok(DumpInput {
        name: path.display().to_string(),
        format,
        size: Some(size),
        position,
        reader,
    })
}
