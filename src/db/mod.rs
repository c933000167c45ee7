//! The catalog database: opening it (read-write for commands, read-only for the server), its
//! migrations, and the queries the portal runs. The bulk write path lives in `import`.

pub mod blocking;
pub mod catalog;
pub mod index_source;
pub mod libgen_json;
pub mod record;
pub mod records;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use crate::Collection;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// What can go wrong with the catalog database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite or the pool failed.
    #[error("catalog database")]
    Sqlx(#[from] sqlx::Error),
    /// A migration failed or the catalog is newer than this program.
    #[error("catalog migrations")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The catalog file does not exist.
    #[error("no catalog at {0}: import a dump first (`lanshelf import FILE`)")]
    Missing(String),
    /// The catalog is on a read-only volume without its write-ahead log files.
    #[error("the catalog {0} is in a folder this server cannot write, and its -wal and -shm files are missing: SQLite needs them to read a catalog in WAL mode. Start the process that imports (`lanshelf start`, or any `lanshelf serve` with write access) first: while it runs, the files stay in place for read-only replicas")]
    ReadOnlyWithoutWal(String),
}

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Creates the catalog if needed (in WAL mode, so readers never block on an import) and applies
/// the migrations.
pub async fn prepare(path: &Path) -> Result<(), DbError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .page_size(16384)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    pool.close().await;
    Ok(())
}

/// How much memory each read-only catalog connection may use (see `docs/performance.md`,
/// "Memory: RSS and PSS").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogMemory {
    /// SQLite `mmap_size` per connection, in MiB (0: reads go through the page cache).
    pub mmap_mib: u32,
    /// SQLite page cache per connection, in MiB.
    pub cache_mib: u32,
}

impl Default for CatalogMemory {
    fn default() -> Self {
        CatalogMemory {
            mmap_mib: DEFAULT_MMAP_MIB,
            cache_mib: DEFAULT_CACHE_MIB,
        }
    }
}

/// Default `mmap_size` of a serving connection, in MiB: none. A mapping per pooled connection
/// showed every catalog page a connection touched in the server's RSS, once per connection,
/// and its PSS; reads through the kernel's page cache cost no measurable throughput (see
/// `bench/serve_memory.sh`).
pub const DEFAULT_MMAP_MIB: u32 = 0;
/// Default page cache of a serving connection, in MiB (the kernel's page cache holds the rest).
pub const DEFAULT_CACHE_MIB: u32 = 2;

/// Opens the catalog read-only for serving: the server never writes to it.
pub async fn open_read_only(path: &Path, connections: u32) -> Result<SqlitePool, DbError> {
    open_read_only_with(path, connections, CatalogMemory::default()).await
}

/// [`open_read_only`] with the connections' memory settings.
pub async fn open_read_only_with(
    path: &Path,
    connections: u32,
    memory: CatalogMemory,
) -> Result<SqlitePool, DbError> {
    if !path.exists() {
        return Err(DbError::Missing(path.display().to_string()));
    }
    // On a read-only volume (replicas), SQLite can read a WAL catalog only through the -wal and
    // -shm files a writer keeps in place; it could not create them.
    let side = |suffix: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        std::path::PathBuf::from(p)
    };
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let writable = nix::unistd::access(folder, nix::unistd::AccessFlags::W_OK).is_ok();
    // Byte 18 of the header is 2 in WAL mode.
    let wal_mode = {
        let mut header = [0u8; 20];
        std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
            .is_ok_and(|()| header[18] == 2)
    };
    if !writable && wal_mode && !(side("-wal").exists() && side("-shm").exists()) {
        return Err(DbError::ReadOnlyWithoutWal(path.display().to_string()));
    }
    let url = format!("sqlite://{}", path.display());
    let options = SqliteConnectOptions::from_str(&url)?
        .read_only(true)
        .busy_timeout(Duration::from_secs(5))
        .pragma(
            "cache_size",
            format!("-{}", u64::from(memory.cache_mib) * 1024),
        )
        .pragma("mmap_size", (u64::from(memory.mmap_mib) << 20).to_string());
    let pool = SqlitePoolOptions::new()
        .max_connections(connections)
        .min_connections(1)
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// Record counts per collection and the last import.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CatalogStats {
    /// Records per collection, by [`Collection::code`].
    pub records: [i64; Collection::COUNT],
    /// When the last import finished (UTC), if any.
    pub last_import: Option<String>,
}

impl CatalogStats {
    /// Records of one collection.
    pub fn of(&self, c: Collection) -> i64 {
        self.records[c.code() as usize]
    }
}

/// Counts the records of each collection.
pub async fn stats(pool: &SqlitePool) -> Result<CatalogStats, DbError> {
    let mut records = [0; Collection::COUNT];
    for c in Collection::ALL {
        // The table is the collection's slug, from a fixed list: never user text.
        records[c.code() as usize] = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM {}",
            c.slug()
        )))
        .fetch_one(pool)
        .await?;
    }
    let last_import =
        sqlx::query_scalar::<_, Option<String>>("SELECT max(finished_at) FROM imports")
            .fetch_one(pool)
            .await?;
    Ok(CatalogStats {
        records,
        last_import,
    })
}
