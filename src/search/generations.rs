//! Which index generations may go: a reader of a generation holds a shared `flock` on its
//! `lanshelf.json` for as long as it serves from it ([`GenerationHold`]); a generation older than
//! the one `CURRENT` names is removed as soon as an exclusive lock on it succeeds, i.e. when no
//! process (this one included) reads it any more. Whoever switches generations sweeps: a rebuild
//! right after replacing `CURRENT` (the previous generation goes at once when no server holds
//! it), a server after it switched and on each later poll (it goes when the server's last
//! searcher of it ends), and any process at start. A generation being built is newer than
//! `CURRENT` and never touched; one left incomplete by a crashed build (no `lanshelf.json`) goes
//! when no update is running. The kernel drops the locks when their holder ends, however it
//! ends. Needs only read access to hold; removing needs write access (read-only replicas only
//! hold, a read-write process of the same folder removes).
//!
//! Must not touch: the generation `CURRENT` names, or anything but `gen-*` folders.

use std::fs::File;
use std::path::Path;

use nix::fcntl::{Flock, FlockArg};

/// The file locked in each generation (written last by a build: a generation without it is
/// incomplete).
const META: &str = "lanshelf.json";

/// A shared lock on one generation, held while a reader serves from it.
pub struct GenerationHold {
    _lock: Option<Flock<File>>,
}

impl GenerationHold {
    /// Holds the generation in `dir`. Never fails: without the lock (a file system without
    /// `flock`), the generation may be removed under a reader, which Linux allows (mapped and
    /// open files live on until closed).
    pub fn take(dir: &Path) -> GenerationHold {
        let lock = File::open(dir.join(META)).ok().and_then(|f| {
            Flock::lock(f, FlockArg::LockSharedNonblock)
                .map_err(|(_, e)| tracing::debug!(error = %e, dir = %dir.display(), "no generation hold"))
                .ok()
        });
        GenerationHold { _lock: lock }
    }
}

/// The number in a generation's name (`gen-<nanoseconds>`).
fn stamp(name: &str) -> Option<u128> {
    name.strip_prefix("gen-")?.parse().ok()
}

/// Removes the generations under `root` older than the current one that no process holds (and
/// incomplete ones when no update is running). Returns how many are left besides the current
/// one (held, or not removable).
pub fn remove_unused(root: &Path) -> usize {
    let Ok(current) = std::fs::read_to_string(root.join("CURRENT")) else {
        return 0;
    };
    let Some(current) = stamp(current.trim()) else {
        return 0;
    };
    let Ok(entries) = std::fs::read_dir(root) else {
        return 0;
    };
    let mut left = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(n) = stamp(&name) else { continue };
        if n >= current {
            continue;
        }
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let removed = match File::open(path.join(META)) {
            Ok(file) => match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
                // Removed while locked: no reader can take it meanwhile.
                Ok(_unused) => std::fs::remove_dir_all(&path),
                Err((_, e)) => Err(std::io::Error::from(e)),
            },
            Err(_) if !super::update_lock::update_running(root) => std::fs::remove_dir_all(&path),
            Err(e) => Err(e),
        };
        match removed {
            Ok(()) => {
                tracing::info!(generation = %name, "removed an index generation no reader holds")
            }
            Err(e) => {
                tracing::debug!(generation = %name, error = %e, "index generation kept");
                left += 1;
            }
        }
    }
    left
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generation(root: &Path, n: u128, complete: bool) -> std::path::PathBuf {
        let dir = root.join(format!("gen-{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        if complete {
            std::fs::write(dir.join(META), "{}").unwrap();
        }
        dir
    }

    #[test]
    fn older_unheld_generations_go_held_and_newer_ones_stay() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let old = generation(root, 100, true);
        let held = generation(root, 200, true);
        let crashed = generation(root, 250, false);
        let current = generation(root, 300, true);
        let building = generation(root, 400, false);
        let built = generation(root, 500, true);
        std::fs::write(root.join("CURRENT"), "gen-300\n").unwrap();
        let hold = GenerationHold::take(&held);
        assert_eq!(remove_unused(root), 1, "the held one is left");
        assert!(!old.exists() && !crashed.exists());
        assert!(held.exists() && current.exists() && building.exists() && built.exists());
        drop(hold);
        assert_eq!(remove_unused(root), 0);
        assert!(!held.exists());
        assert!(current.exists() && building.exists() && built.exists());
    }

    #[test]
    fn an_incomplete_generation_stays_while_an_update_runs() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let crashed = generation(root, 1, false);
        generation(root, 2, true);
        std::fs::write(root.join("CURRENT"), "gen-2\n").unwrap();
        let lock = crate::search::UpdateLock::acquire(root).expect("the update lock");
        assert_eq!(remove_unused(root), 1);
        assert!(crashed.exists());
        drop(lock);
        assert_eq!(remove_unused(root), 0);
        assert!(!crashed.exists());
    }
}
