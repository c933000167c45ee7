//! Where the portal finds its data and how it serves it ([`Config`]), as `serve` builds it from
//! the command line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::activity::Activity;
use crate::files::Repository;
use crate::web::access::Policy;

use super::DOI_RESOLVER;

/// Where the portal finds its data.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SQLite catalog (opened read-only).
    pub db: PathBuf,
    /// The index folder.
    pub index: PathBuf,
    /// The local repository of files.
    pub repository: Repository,
    /// A folder of `.torrent` files.
    pub torrents: Option<PathBuf>,
    /// Catalog connections.
    pub connections: u32,
    /// Memory of each catalog connection (mmap, page cache).
    pub catalog_memory: crate::db::CatalogMemory,
    /// The path the portal is served under (`""` or `/lanshelf`; see `web::base`).
    pub base_path: String,
    /// What the dumps folder watcher does (`lanshelf start`), for the home page.
    pub activity: Option<Arc<Activity>>,
    /// Prefix links with the `X-Forwarded-Prefix` of each request (a proxy that strips it).
    pub forwarded_prefix: bool,
    /// Who may use the portal (open by default).
    pub access: Arc<Policy>,
    /// A note shown on the home page (the demo says which records are generated).
    pub notice: Option<String>,
    /// Where DOI links lead: a resolver's address, the DOI appended (`https://doi.org/`).
    pub doi_resolver: String,
}

impl Config {
    /// A configuration with the default pool size.
    pub fn new(
        db: &Path,
        index: &Path,
        repository: Option<&Path>,
        torrents: Option<&Path>,
    ) -> Self {
        Config {
            db: db.to_path_buf(),
            index: index.to_path_buf(),
            repository: Repository::new(repository),
            torrents: torrents.map(Path::to_path_buf),
            connections: 4,
            catalog_memory: Default::default(),
            base_path: String::new(),
            activity: None,
            forwarded_prefix: false,
            access: Arc::new(Policy::open()),
            notice: None,
            doi_resolver: DOI_RESOLVER.to_string(),
        }
    }
}
