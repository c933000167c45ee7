//! Telling "the index is being brought up to date" from "the index was left behind", across
//! processes: whoever updates the index (an import and the update after it, `lanshelf index`,
//! `lanshelf start`'s dumps folder watcher) holds an exclusive `flock` on `INDEX/UPDATING` while
//! it works, and any server of the same folder — another process, another container over the
//! same volume, read-only or not — can probe it (`/healthz` then says `updating`, not `behind`).
//! The kernel releases the lock when its holder ends, however it ends, so a crash never leaves
//! a stale mark. The lock only informs: tantivy's own writer lock keeps writers apart.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use nix::fcntl::{Flock, FlockArg};

/// The lock file's name in the index folder.
pub const LOCK_FILE: &str = "UPDATING";

/// Locks this process holds, by index folder, and how many holders share each (an import holds
/// it around the index update, which takes it too: `flock` would refuse a second descriptor of
/// the same process).
static HELD: Mutex<Option<HashMap<PathBuf, usize>>> = Mutex::new(None);

/// Held while the index is updated (released when the last holder in this process drops it).
pub struct UpdateLock {
    root: PathBuf,
    _lock: Option<Flock<File>>,
}

impl Drop for UpdateLock {
    fn drop(&mut self) {
        let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(map) = held.as_mut() {
            if let Some(n) = map.get_mut(&self.root) {
                *n -= 1;
                if *n == 0 {
                    map.remove(&self.root);
                }
            }
        }
    }
}

impl UpdateLock {
    /// Takes the lock (waiting a second at most). `None` when another process has it (an update
    /// is under way anyway) or the folder cannot be written (logged): updating goes on without.
    pub fn acquire(root: &Path) -> Option<UpdateLock> {
        let key = root.to_path_buf();
        {
            let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(n) = held.get_or_insert_with(HashMap::new).get_mut(&key) {
                *n += 1;
                return Some(UpdateLock {
                    root: key,
                    _lock: None,
                });
            }
        }
        let lock = Self::flock(root)?;
        let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
        *held
            .get_or_insert_with(HashMap::new)
            .entry(key.clone())
            .or_insert(0) += 1;
        Some(UpdateLock {
            root: key,
            _lock: Some(lock),
        })
    }

    fn flock(root: &Path) -> Option<Flock<File>> {
        if let Err(e) = std::fs::create_dir_all(root) {
            tracing::debug!(error = %e, "no update lock: the index folder cannot be made");
            return None;
        }
        let path = root.join(LOCK_FILE);
        let file = match std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) => {
                tracing::debug!(error = %e, path = %path.display(), "no update lock");
                return None;
            }
        };
        // Probes hold a shared lock for a moment: try for a second before giving up.
        let mut file = file;
        for _ in 0..100 {
            match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
                Ok(lock) => return Some(lock),
                Err((f, nix::errno::Errno::EWOULDBLOCK)) => {
                    file = f;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err((_, e)) => {
                    tracing::debug!(error = %e, "no update lock");
                    return None;
                }
            }
        }
        None
    }
}

/// Whether some process holds the update lock of the index under `root` (this one included).
/// Needs only read access to the folder.
pub fn update_running(root: &Path) -> bool {
    let Ok(file) = File::open(root.join(LOCK_FILE)) else {
        return false;
    };
    match Flock::lock(file, FlockArg::LockSharedNonblock) {
        Ok(_shared) => false,
        Err((_, nix::errno::Errno::EWOULDBLOCK)) => true,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_while_alive_and_seen_by_a_probe() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("index");
        assert!(!update_running(&root), "no lock file yet");
        let lock = UpdateLock::acquire(&root).expect("the lock");
        assert!(update_running(&root));
        // A second holder in the same process (the index update inside an import) shares it.
        let inner = UpdateLock::acquire(&root).expect("shared within the process");
        drop(inner);
        assert!(update_running(&root), "the outer holder still has it");
        drop(lock);
        assert!(!update_running(&root));
        // Another process's lock: a child holds it while it sleeps.
        // (`-o`: the command itself does not inherit the lock, so killing `flock` releases it.)
        let mut child = std::process::Command::new("flock")
            .arg("-o")
            .arg(root.join(LOCK_FILE))
            .args(["sleep", "10"])
            .spawn();
        if let Ok(child) = child.as_mut() {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while !update_running(&root) {
                assert!(
                    std::time::Instant::now() < deadline,
                    "the child's lock is seen"
                );
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            assert!(
                UpdateLock::acquire(&root).is_none(),
                "held elsewhere: goes on without"
            );
            let _ = child.kill();
            let _ = child.wait();
            assert!(!update_running(&root), "released when its holder ends");
        }
        assert!(UpdateLock::acquire(&root).is_some());
    }
}
