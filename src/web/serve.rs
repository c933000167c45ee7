//! `lanshelf serve` (and the serving half of `lanshelf demo` and `lanshelf start`): the command
//! line's settings turned into the portal's [`Config`](super::Config), the catalog created empty
//! when missing, the listener bound, and the portal served until SIGTERM or Ctrl-C. The edge of
//! the portal: errors are `anyhow` with context, as the commands print them.

use std::sync::Arc;

use anyhow::{Context, Result};

use crate::cli::{AccessArgs, Paths, ServeArgs};
use crate::db;

/// Serves the portal on `args.addr` until SIGTERM or Ctrl-C. A missing catalog is created empty
/// (the home page then explains how to import), so a fresh install starts. `activity` is the
/// dumps folder watcher's, shown on the home page (`lanshelf start`).
pub async fn serve_command(
    paths: &Paths,
    args: ServeArgs,
    activity: Option<Arc<crate::activity::Activity>>,
    notice: Option<String>,
) -> Result<()> {
    crate::web::privilege::refuse_root(args.allow_root)?;
    let policy = crate::web::access::Policy::from_settings(&access_settings(&args.access))
        .context("the access settings")?;
    if !paths.db.exists() {
        tracing::warn!(db = %paths.db.display(), "no catalog yet: creating an empty one");
        db::prepare(&paths.db)
            .await
            .with_context(|| format!("creating the catalog {}", paths.db.display()))?;
    }
    let mut config = crate::web::Config::new(
        &paths.db,
        &paths.index,
        args.repository.as_deref(),
        args.torrents.as_deref(),
    );
    config.base_path = args.base_path.clone();
    config.forwarded_prefix = args.forwarded_prefix;
    config.doi_resolver = args.doi_resolver.clone();
    config.activity = activity;
    config.notice = notice;
    config.catalog_memory = db::CatalogMemory {
        mmap_mib: args.catalog_mmap_mib,
        cache_mib: args.catalog_cache_mib.max(1),
    };
    for (collection, dir) in &args.collection_dir {
        config.repository =
            std::mem::take(&mut config.repository).with_collection(*collection, dir.clone());
    }
    config.repository =
        std::mem::take(&mut config.repository).with_links_followed(args.follow_links);
    tracing::info!(access = %policy.describe(), "access rules");
    let access = Arc::new(policy);
    config.access = access.clone();
    let state = crate::web::AppState::open(&config).await.with_context(|| {
        format!(
            "opening the catalog {} and the index {}",
            paths.db.display(),
            paths.index.display()
        )
    })?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let addr = listener.local_addr().unwrap_or(args.addr);
    tracing::info!(%addr, base_path = %args.base_path, "serving the portal");
    println!(
        "Lanshelf is serving on http://{addr}{}/ (Ctrl-C stops it)",
        args.base_path
    );
    let limits = crate::web::server::Limits {
        header_read_timeout: std::time::Duration::from_secs(args.header_timeout.max(1)),
        max_connections: args.max_connections.max(1),
        write_timeout: std::time::Duration::from_secs(args.write_timeout.max(1)),
        max_per_client: args.max_connections_per_client.max(1),
        allow: access.allowed_networks().to_vec(),
        proxies: access.trusted_networks().to_vec(),
        ..Default::default()
    };
    crate::web::serve_with(state, listener, &limits)
        .await
        .context("serving")?;
    Ok(())
}

fn access_settings(args: &AccessArgs) -> crate::web::access::AccessSettings {
    crate::web::access::AccessSettings {
        htpasswd: args.htpasswd.clone(),
        auth_header: args.auth_header.clone(),
        trusted_proxies: args.trusted_proxies.clone(),
        allow: args.allow.clone(),
        rate_limit: args.rate_limit,
    }
}
