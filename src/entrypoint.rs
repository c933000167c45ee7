//! `lanshelf start`, the container's entry point, and a first run that just works: run as the
//! `PUID`/`PGID` user, make sure a catalog and an index exist (empty ones on a fresh volume, so
//! the portal answers and explains where to put the dumps), serve, and meanwhile import the new
//! or changed dumps of the dumps folder one by one (`watch`), each followed by an index update
//! that the portal picks up by itself.
//!
//! The catalog is created empty before serving, rather than written to a staging file and
//! renamed into place like a first `lanshelf import` does: the portal holds its read-only pool
//! on the catalog file for its whole life, and would keep reading the old, empty file after a
//! rename. Imports into the existing file run in one transaction through the write-ahead log,
//! so the portal keeps serving the catalog as it was until each import commits.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::cli::{Paths, StartArgs};
use crate::search::{IndexOptions, SearchEngine, SearchError};
use crate::watch::{Activity, Watcher};
use crate::{db, privileges};

/// Switches to the `PUID`/`PGID` user when started as root, handing it the catalog's folder and
/// the index folder first. Call it before any thread starts.
pub fn switch_user(paths: &Paths, args: &StartArgs) -> Result<()> {
    privileges::apply(args.puid, args.pgid, &paths.db, &paths.index)?;
    Ok(())
}

/// Fails with who owns the data folder and who runs, when this process cannot write there (a
/// compose `user:` that does not own the folder): SQLite would only say "unable to open database
/// file", and the container would restart in a loop.
fn writable(dir: &std::path::Path) -> Result<()> {
    let probe = dir.join(format!(".lanshelf-write-test-{}", std::process::id()));
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => {
            use std::os::unix::fs::MetadataExt;
            let owner = std::fs::metadata(dir)
                .map(|m| format!("{}:{} (mode {:o})", m.uid(), m.gid(), m.mode() & 0o7777))
                .unwrap_or_else(|_| "unknown".into());
            anyhow::bail!(
                "the data folder {} is not writable by this process, which runs as {}:{} ({e}); the folder belongs to {owner}. Give it to that user (`chown -R {}:{} FOLDER` on the host), or run the container with PUID/PGID instead of `user:` (it then hands the folder over itself)",
                dir.display(),
                nix::unistd::getuid(),
                nix::unistd::getgid(),
                nix::unistd::getuid(),
                nix::unistd::getgid(),
            )
        }
    }
}

/// Runs `lanshelf start` (after [`switch_user`]).
pub async fn start(paths: &Paths, args: StartArgs) -> Result<()> {
    if !paths.db.exists() {
        tracing::info!(db = %paths.db.display(), "no catalog yet: creating an empty one");
    }
    if let Some(dir) = paths.db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        writable(dir)?;
    }
    db::prepare(&paths.db)
        .await
        .with_context(|| format!("opening the catalog {}", paths.db.display()))?;
    let index_options = IndexOptions {
        memory_mib: args.index_memory_mib,
        threads: args.index_threads,
        progress: None,
    };
    let watcher = args.dumps.clone().map(|dumps| Watcher {
        dumps,
        db: paths.db.clone(),
        index: paths.index.clone(),
        import_cache_mib: args.import_cache_mib,
        password: args.password.clone().map(crate::import::Password),
        max_rejected: args.max_rejected,
        index_options: index_options.clone(),
    });
    ensure_index(paths, &index_options).await?;
    let activity = Arc::new(Activity::new(args.dumps.clone()));
    let stop = Arc::new(AtomicBool::new(false));

    if args.no_serve {
        if let Some(w) = watcher {
            let pass = w.pass(&activity, &stop).await?;
            println!(
                "dumps folder: {} imported, {} unchanged, {} failed, {} still being written{}",
                pass.imported.len(),
                pass.unchanged,
                pass.failed.len(),
                pass.settling,
                if pass.waiting.is_empty() {
                    String::new()
                } else {
                    format!(", waiting for {}", pass.waiting.join(", "))
                }
            );
            anyhow::ensure!(
                pass.failed.is_empty(),
                "could not import {}",
                pass.failed.join(", ")
            );
        }
        return Ok(());
    }

    let task = match watcher {
        Some(w) => {
            tracing::info!(dumps = %w.dumps.display(), every_secs = args.scan_secs, "watching the dumps folder");
            Some(tokio::spawn(w.run(
                Duration::from_secs(args.scan_secs),
                activity.clone(),
                stop.clone(),
            )))
        }
        None => {
            tracing::info!("no dumps folder (--dumps): serving the catalog as it is");
            None
        }
    };
    let served = crate::web::serve::serve_command(paths, args.serve, Some(activity), None).await;
    stop.store(true, Ordering::Relaxed);
    if let Some(task) = task {
        // An import sees the flag within a batch and rolls back; an index update is left to
        // finish or to be cut short at exit (it resumes at the next start).
        if tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .is_err()
        {
            tracing::warn!("the dumps folder task did not stop in time: leaving it");
        }
    }
    served
}

/// Makes sure the portal can open an index: builds one when there is none (quick on an empty
/// catalog), and rebuilds it when it was made by an incompatible version (an upgrade), which
/// takes a while on a big catalog and is logged.
async fn ensure_index(paths: &Paths, opts: &IndexOptions) -> Result<()> {
    let index = paths.index.clone();
    let opened =
        tokio::task::spawn_blocking(move || SearchEngine::open(&index).map(|e| e.generation()))
            .await
            .context("the index thread failed")?;
    let rebuild = match opened {
        Ok(Some(_)) => {
            // The index may be behind the catalog: an update stopped after an import committed
            // (the container stopped, the machine lost power). Catch up before serving.
            let (db, index) = (paths.db.clone(), paths.index.clone());
            let lag = tokio::task::spawn_blocking(move || crate::search::lag(&db, &index))
                .await
                .context("the index thread failed")?
                .context("comparing the search index with the catalog")?;
            if !lag.is_behind() {
                return Ok(());
            }
            tracing::warn!(
                indexed_import = lag.indexed,
                catalog_import = lag.catalog,
                records = lag.records,
                "the search index is behind the catalog (an index update was interrupted): bringing it up to date before serving"
            );
            lag.records >= crate::watch::REBUILD_ROWS
        }
        Ok(None) | Err(SearchError::NoIndex(_)) => false,
        Err(e @ SearchError::Incompatible { .. }) => {
            tracing::warn!(error = %crate::chain::Chain(&e), "rebuilding the search index for this version before serving");
            true
        }
        Err(e) => return Err(e).context("opening the search index"),
    };
    let (db, index, opts) = (paths.db.clone(), paths.index.clone(), opts.clone());
    let report = tokio::task::spawn_blocking(move || {
        if rebuild {
            crate::search::rebuild(&db, &index, &opts)
        } else {
            crate::search::catch_up(&db, &index, &opts)
        }
    })
    .await
    .context("the index thread failed")?
    .context("building the search index")?;
    tracing::info!(documents = report.documents, generation = %report.generation, "search index ready");
    Ok(())
}
