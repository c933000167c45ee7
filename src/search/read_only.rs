//! Serving an index from a folder the server cannot write (a read-only volume shared by several
//! `serve` replicas). Tantivy's reader takes the "meta lock" while it opens a commit's segments,
//! so that a writer's garbage collection in another process does not delete them meanwhile; its
//! memory-mapped directory takes that lock by opening the lock file for writing, which a
//! read-only mount refuses. This directory is the memory-mapped one except for locks: it opens
//! the lock file the writer made read-only and takes the same `flock` on it (`flock` needs no
//! write access), so readers and the writer still keep out of each other's way. It never writes.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use nix::fcntl::{Flock, FlockArg};
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, FileSlice, Lock, MmapDirectory, WatchCallback,
    WatchHandle, WritePtr,
};

/// The memory-mapped directory, locking without writing.
#[derive(Clone, Debug)]
pub struct ReadOnlyDirectory {
    inner: MmapDirectory,
    root: PathBuf,
}

impl ReadOnlyDirectory {
    /// Opens a generation's folder.
    pub fn open(root: &Path) -> Result<Self, tantivy::directory::error::OpenDirectoryError> {
        Ok(ReadOnlyDirectory {
            inner: MmapDirectory::open(root)?,
            root: root.to_path_buf(),
        })
    }
}

impl Directory for ReadOnlyDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.inner.open_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        let path = self.root.join(&lock.filepath);
        let file = match File::open(&path) {
            Ok(f) => f,
            // No writer has locked this folder yet: nobody to keep out.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(DirectoryLock::from(Box::new(())))
            }
            Err(e) => return Err(LockError::IoError(Arc::new(e))),
        };
        let how = if lock.is_blocking {
            FlockArg::LockExclusive
        } else {
            FlockArg::LockExclusiveNonblock
        };
        match Flock::lock(file, how) {
            Ok(held) => Ok(DirectoryLock::from(Box::new(held))),
            Err((_, nix::errno::Errno::EWOULDBLOCK)) => Err(LockError::LockBusy),
            Err((_, e)) => Err(LockError::IoError(Arc::new(std::io::Error::from(e)))),
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}
