//! Which user `lanshelf start` runs as. NAS container managers say it with `PUID`/`PGID`
//! (the container starts as root, hands the catalog folder to that user and drops root before
//! anything else runs) or with compose's `user:` (the container starts as that user, and
//! `PUID`/`PGID` can only be checked). The decision is a pure function, [`decide`], tested as a
//! unit; [`apply`] carries it out with `chown`, `setgroups`, `setgid` and `setuid`.

use std::path::{Path, PathBuf};

use nix::unistd::{Gid, Uid};

/// The user a root start switches to when `PUID`/`PGID` are not given.
pub const DEFAULT_ID: u32 = 1000;

/// What to do about the user the process runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Run as the current user.
    Keep,
    /// Started as root: hand the catalog folder to this user and group, then become them.
    Switch {
        /// The user id.
        uid: u32,
        /// The group id.
        gid: u32,
    },
    /// `PUID`/`PGID` ask for another user, which a process not started as root cannot become.
    Mismatch {
        /// The user id asked for.
        wanted_uid: Option<u32>,
        /// The group id asked for.
        wanted_gid: Option<u32>,
    },
    /// Asked to stay root (`PUID=0`).
    StayRoot,
}

/// Decides from the current ids and `PUID`/`PGID`.
pub fn decide(uid: u32, gid: u32, puid: Option<u32>, pgid: Option<u32>) -> Decision {
    if uid == 0 {
        return match puid {
            Some(0) => Decision::StayRoot,
            _ => Decision::Switch {
                uid: puid.unwrap_or(DEFAULT_ID),
                gid: pgid.unwrap_or(DEFAULT_ID),
            },
        };
    }
    if puid.is_some_and(|p| p != uid) || pgid.is_some_and(|g| g != gid) {
        return Decision::Mismatch {
            wanted_uid: puid,
            wanted_gid: pgid,
        };
    }
    Decision::Keep
}

/// What can go wrong while switching users.
#[derive(Debug, thiserror::Error)]
pub enum PrivilegeError {
    /// A folder or file could not be created or handed over.
    #[error("cannot hand {path} to {uid}:{gid}")]
    Chown {
        /// The path.
        path: PathBuf,
        /// The user id.
        uid: u32,
        /// The group id.
        gid: u32,
        /// Why.
        source: std::io::Error,
    },
    /// The switch itself failed.
    #[error("cannot switch to user {uid} and group {gid}")]
    Switch {
        /// The user id.
        uid: u32,
        /// The group id.
        gid: u32,
        /// Why.
        source: nix::Error,
    },
}

/// Decides for this process and carries the decision out: the catalog's folder (created if
/// needed; only the folder itself and the catalog's files, `-wal` and `-shm`, since it may be
/// shared) and the index folder (with everything in it) are handed to the new user. Call it
/// before any thread starts.
pub fn apply(
    puid: Option<u32>,
    pgid: Option<u32>,
    db: &Path,
    index: &Path,
) -> Result<Decision, PrivilegeError> {
    let decision = decide(Uid::current().as_raw(), Gid::current().as_raw(), puid, pgid);
    match &decision {
        Decision::Keep => {}
        Decision::StayRoot => tracing::warn!("PUID=0: running as root"),
        Decision::Mismatch {
            wanted_uid,
            wanted_gid,
        } => tracing::warn!(
            uid = Uid::current().as_raw(),
            gid = Gid::current().as_raw(),
            ?wanted_uid,
            ?wanted_gid,
            "PUID/PGID differ from the user this runs as, which only root can change: \
             keeping the current user (set compose's `user:` to the ids you want, or start as root)"
        ),
        Decision::Switch { uid, gid } => {
            let folder = db
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            hand_over(folder, *uid, *gid, false)?;
            for suffix in ["", "-wal", "-shm"] {
                let mut name = db.as_os_str().to_owned();
                name.push(suffix);
                let file = PathBuf::from(name);
                if file.exists() {
                    hand_over(&file, *uid, *gid, false)?;
                }
            }
            hand_over(index, *uid, *gid, true)?;
            let err = |source| PrivilegeError::Switch {
                uid: *uid,
                gid: *gid,
                source,
            };
            let (u, g) = (Uid::from_raw(*uid), Gid::from_raw(*gid));
            nix::unistd::setgroups(&[g]).map_err(err)?;
            nix::unistd::setgid(g).map_err(err)?;
            nix::unistd::setuid(u).map_err(err)?;
            tracing::info!(uid, gid, "switched from root");
        }
    }
    Ok(decision)
}

/// Creates `path` as a folder if missing and gives it (and with `recursive` everything under
/// it, not following symbolic links) to `uid:gid`, touching only what another user owns.
fn hand_over(path: &Path, uid: u32, gid: u32, recursive: bool) -> Result<(), PrivilegeError> {
    use std::os::unix::fs::MetadataExt;
    let err = |path: &Path, source| PrivilegeError::Chown {
        path: path.to_path_buf(),
        uid,
        gid,
        source,
    };
    if !path.exists() {
        std::fs::create_dir_all(path).map_err(|e| err(path, e))?;
    }
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        let meta = std::fs::symlink_metadata(&p).map_err(|e| err(&p, e))?;
        if meta.file_type().is_symlink() {
            continue;
        }
        if meta.uid() != uid || meta.gid() != gid {
            std::os::unix::fs::chown(&p, Some(uid), Some(gid)).map_err(|e| err(&p, e))?;
        }
        if recursive && meta.is_dir() {
            for entry in std::fs::read_dir(&p).map_err(|e| err(&p, e))? {
                stack.push(entry.map_err(|e| err(&p, e))?.path());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_switches_to_puid_pgid_or_the_default() {
        assert_eq!(
            decide(0, 0, Some(1026), Some(100)),
            Decision::Switch {
                uid: 1026,
                gid: 100
            }
        );
        assert_eq!(
            decide(0, 0, None, None),
            Decision::Switch {
                uid: DEFAULT_ID,
                gid: DEFAULT_ID
            }
        );
        assert_eq!(
            decide(0, 0, Some(1026), None),
            Decision::Switch {
                uid: 1026,
                gid: DEFAULT_ID
            }
        );
        assert_eq!(decide(0, 0, Some(0), Some(0)), Decision::StayRoot);
    }

    #[test]
    fn a_user_start_keeps_its_user() {
        // compose `user: "1026:100"` with no PUID/PGID, or matching ones.
        assert_eq!(decide(1026, 100, None, None), Decision::Keep);
        assert_eq!(decide(1026, 100, Some(1026), Some(100)), Decision::Keep);
        // PUID/PGID asking for someone else cannot be honoured without root.
        assert_eq!(
            decide(1000, 1000, Some(1026), None),
            Decision::Mismatch {
                wanted_uid: Some(1026),
                wanted_gid: None
            }
        );
    }

    #[test]
    fn hand_over_creates_missing_folders() {
        // Owned by us already, so nothing is changed: this runs without root.
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a/b");
        let (uid, gid) = (Uid::current().as_raw(), Gid::current().as_raw());
        hand_over(&target, uid, gid, true).unwrap();
        assert!(target.is_dir());
    }
}
