//! Least privilege: the server needs none (it reads the catalog read-only, reads the repository
//! and torrent folders, and listens on an unprivileged port), so it refuses to run as root unless
//! told to. Owns that check only.

/// Why the server will not start.
#[derive(Debug, thiserror::Error)]
pub enum PrivilegeError {
    /// The process runs as root and `--allow-root` was not given.
    #[error(
        "lanshelf serve is running as root, which it does not need: run it as an unprivileged \
         user (one that can read the catalog, the index and the repository), or pass \
         --allow-root (LANSHELF_ALLOW_ROOT=1) to serve as root anyway"
    )]
    Root,
}

/// Whether the process runs with root's effective user id.
pub fn is_root() -> bool {
    #[cfg(unix)]
    {
        nix::unistd::geteuid().is_root()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Refuses to go on as root unless `allowed`; warns when allowed.
pub fn refuse_root(allowed: bool) -> Result<(), PrivilegeError> {
    if !is_root() {
        return Ok(());
    }
    if !allowed {
        return Err(PrivilegeError::Root);
    }
    tracing::warn!("serving as root (--allow-root): an unprivileged user would be safer");
    Ok(())
}
