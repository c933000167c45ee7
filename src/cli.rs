//! The command line: clap definitions only. Every flag also reads a `LANSHELF_*` variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::Collection;

/// Lanshelf: a self-hosted catalog and search portal for the Library Genesis metadata dumps.
#[derive(Debug, Parser)]
#[command(version, about, propagate_version = true)]
pub struct Cli {
    /// Where the catalog and index live.
    #[command(flatten)]
    pub paths: Paths,
    /// A TOML file of settings (`addr = "0.0.0.0:8080"`): flags and environment variables win
    /// over it, it wins over the defaults (see `lanshelf config`).
    #[arg(long, global = true, env = "LANSHELF_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands that use no catalog of their own: their help leaves out `--db` and `--index`
/// (global flags, which they would ignore).
const WITHOUT_CATALOG: [&str; 4] = ["demo", "check", "gen-dump", "healthcheck"];

/// The command line's definition, as `--help` shows it.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    // Global flags are copied into the subcommands when the command is built: hide them there.
    cmd.build();
    // `mut_subcommands` and `mut_args` keep things in place: a built command's key map points at
    // its arguments by position (`mut_arg` moves one to the end, and `--help` then finds `--db`).
    cmd.mut_subcommands(|sub| {
        if !WITHOUT_CATALOG.contains(&sub.get_name()) {
            return sub;
        }
        sub.mut_args(|a| {
            if a.get_id() == "db" || a.get_id() == "index" {
                a.hide(true)
            } else {
                a
            }
        })
    })
}

/// Parses the command line (exits with clap's message on an error or `--help`).
pub fn parse_from(args: Vec<std::ffi::OsString>) -> Cli {
    let matches = command().get_matches_from(args);
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// The catalog and index locations, shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct Paths {
    /// The SQLite catalog file.
    #[arg(
        long,
        global = true,
        env = "LANSHELF_DB",
        default_value = "./catalog.sqlite"
    )]
    pub db: PathBuf,
    /// The folder of the full-text index.
    #[arg(long, global = true, env = "LANSHELF_INDEX", default_value = "./index")]
    pub index: PathBuf,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
// Parsed once per run: the size of `serve`'s arguments does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Import dumps (plain, .gz, .bz2, .xz, .zst, .zip, .7z, or `-` for standard input).
    Import(ImportArgs),
    /// Read dumps without importing them: verify they are complete and count their rows.
    Check(CheckArgs),
    /// Rebuild the full-text index from the catalog.
    Index(IndexArgs),
    /// Search the catalog from the command line.
    Search(SearchArgs),
    /// Look up a reading list (DOIs, ISBNs, MD5s, PubMed ids one per line, or a CSV, BibTeX or
    /// RIS export): one row per item, found or not, and where its file is.
    Lookup(LookupArgs),
    /// Hash the files of a folder (MD5) and say what each is in the catalog, or "unknown".
    Identify(IdentifyArgs),
    /// Serve the portal.
    Serve(ServeArgs),
    /// Import the bundled sample dumps into a temporary catalog and serve it.
    Demo(DemoArgs),
    /// Write a synthetic dump (for benchmarks and scale tests).
    GenDump(GenDumpArgs),
    /// The container's entry point: drop root for PUID/PGID, serve, and import new or changed
    /// dumps from a folder in the background.
    Start(StartArgs),
    /// Ask the running portal whether it is healthy (exit 0) or not (exit 1).
    Healthcheck(HealthcheckArgs),
    /// Print the effective configuration: every setting, its value and where it came from.
    Config,
}

/// `lanshelf import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Dump files; `-` reads standard input.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// SQLite page cache for the import, in MiB.
    #[arg(long, env = "LANSHELF_IMPORT_CACHE_MIB", default_value_t = 64)]
    pub cache_mib: u32,
    /// Do not update the search index after the import.
    #[arg(long, env = "LANSHELF_NO_INDEX")]
    pub no_index: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Password of encrypted RAR archives.
    #[arg(long, env = "LANSHELF_RAR_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Fail when more than this share of a table's rows (percent) is rejected.
    #[arg(long, env = "LANSHELF_MAX_REJECTED", default_value_t = 1.0)]
    pub max_rejected: f64,
}

/// `lanshelf check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Dump files; `-` reads standard input.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Password of encrypted RAR archives.
    #[arg(long, env = "LANSHELF_RAR_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

/// `lanshelf index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Memory budget of the index writer, in MiB.
    #[arg(long, env = "LANSHELF_INDEX_MEMORY_MIB", default_value_t = 256)]
    pub memory_mib: usize,
    /// Writer threads (0: one per core, at most 4).
    #[arg(long, env = "LANSHELF_INDEX_THREADS", default_value_t = 0)]
    pub threads: usize,
}

/// `lanshelf search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query, in the portal's syntax.
    #[arg(required = true)]
    pub query: Vec<String>,
    /// Only this collection.
    #[arg(long)]
    pub collection: Option<Collection>,
    /// How many results.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Print JSON lines.
    #[arg(long)]
    pub json: bool,
}

/// The repository and torrent folders, for the commands that say where files are.
#[derive(Debug, Clone, Args)]
pub struct FileArgs {
    /// Where the BitTorrent client saved each collection: one folder per collection named by
    /// its slug, as in the portal's URLs (`DIR/<slug>`).
    #[arg(long, env = "LANSHELF_REPOSITORY")]
    pub repository: Option<PathBuf>,
    /// A folder of `.torrent` files (magnet links).
    #[arg(long, env = "LANSHELF_TORRENTS")]
    pub torrents: Option<PathBuf>,
}

/// What `lanshelf lookup` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LookupOutput {
    /// One line per item, for people.
    Table,
    /// CSV, one line per item.
    Csv,
    /// The API's JSON.
    Json,
    /// The found records as BibTeX.
    Bibtex,
    /// The found records as RIS.
    Ris,
    /// Magnet links for the found records' files not in the repository.
    Magnets,
}

/// `lanshelf lookup`.
#[derive(Debug, Args)]
pub struct LookupArgs {
    /// The list (`-` reads standard input): identifiers one per line, or a CSV, BibTeX or RIS
    /// export (recognised by content). At most 10 000 items.
    pub file: PathBuf,
    /// What to print.
    #[arg(long, value_enum, default_value_t = LookupOutput::Table)]
    pub format: LookupOutput,
    /// Where files are.
    #[command(flatten)]
    pub files: FileArgs,
}

/// `lanshelf identify`.
#[derive(Debug, Args)]
pub struct IdentifyArgs {
    /// The folder (every file below it; symbolic links are not followed).
    pub dir: PathBuf,
    /// Also report files named by an MD5 (as the repository names them: `<md5>`,
    /// `<md5>.<ext>`) whose content has another MD5: damaged downloads.
    #[arg(long)]
    pub verify_names: bool,
    /// Files hashed at once (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Print JSON lines.
    #[arg(long)]
    pub json: bool,
}

/// `lanshelf serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LANSHELF_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Where the BitTorrent client saved each collection: one folder per collection named by
    /// its slug, as in the portal's URLs (`DIR/<slug>`).
    #[arg(long, env = "LANSHELF_REPOSITORY")]
    pub repository: Option<PathBuf>,
    /// One collection's files somewhere else than `REPOSITORY/<slug>`, as `SLUG=DIR`
    /// (e.g. the papers' zips on another disk); repeat it, or list them with commas in the
    /// environment variable.
    #[arg(long, env = "LANSHELF_COLLECTION_DIRS", value_name = "SLUG=DIR",
          value_delimiter = ',', value_parser = parse_collection_dir)]
    pub collection_dir: Vec<(Collection, PathBuf)>,
    /// Serve files through symbolic links that lead out of the repository (off: such links are
    /// treated as absent files).
    #[arg(long, env = "LANSHELF_FOLLOW_LINKS")]
    pub follow_links: bool,
    /// A folder of `.torrent` files.
    #[arg(long, env = "LANSHELF_TORRENTS")]
    pub torrents: Option<PathBuf>,
    /// Serve everything under this path (`/lanshelf`) behind a reverse proxy.
    #[arg(long, env = "LANSHELF_BASE_PATH", default_value = "", value_parser = parse_base_path)]
    pub base_path: String,
    /// Behind a proxy that strips its path prefix and sends it as `X-Forwarded-Prefix`: put that
    /// prefix into links (only when nothing but the proxy reaches the portal).
    #[arg(long, env = "LANSHELF_FORWARDED_PREFIX", conflicts_with = "base_path")]
    pub forwarded_prefix: bool,
    /// Who may use the portal (everyone, by default).
    #[command(flatten)]
    pub access: AccessArgs,
    /// Seconds a client may take to send a request's headers (slow clients are dropped; idle
    /// keep-alive connections are closed after this long).
    #[arg(long, env = "LANSHELF_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Connections served at once (more wait in the listen queue).
    #[arg(long, env = "LANSHELF_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Drop a connection whose client has taken no byte of the response for this many seconds.
    #[arg(long, env = "LANSHELF_WRITE_TIMEOUT", default_value_t = 30)]
    pub write_timeout: u64,
    /// Connections one client address may hold at once (trusted proxies excepted).
    #[arg(
        long,
        env = "LANSHELF_MAX_CONNECTIONS_PER_CLIENT",
        default_value_t = 64
    )]
    pub max_connections_per_client: usize,
    /// Where DOI links on record pages lead: a resolver's address, to which the DOI is
    /// appended (a library's link resolver, or a mirror).
    #[arg(long, env = "LANSHELF_DOI_RESOLVER", default_value = crate::setting::DOI_RESOLVER)]
    pub doi_resolver: String,
    /// Memory-mapped catalog per catalog connection, in MiB (0: SQLite reads through the page
    /// cache instead; see docs/performance.md on RSS and PSS).
    #[arg(long, env = "LANSHELF_CATALOG_MMAP_MIB", default_value_t = crate::db::DEFAULT_MMAP_MIB)]
    pub catalog_mmap_mib: u32,
    /// SQLite page cache per catalog connection, in MiB.
    #[arg(long, env = "LANSHELF_CATALOG_CACHE_MIB", default_value_t = crate::db::DEFAULT_CACHE_MIB)]
    pub catalog_cache_mib: u32,
    /// Serve even when running as root (the server needs no privilege: run it as a plain user).
    #[arg(long, env = "LANSHELF_ALLOW_ROOT", value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_root: bool,
}

/// A base path as the portal uses it: empty, or `/a/b` (no trailing slash).
fn parse_base_path(text: &str) -> Result<String, String> {
    crate::setting::normalize_base_path(text).map_err(|e| e.to_string())
}

/// `lanshelf start`.
#[derive(Debug, Clone, Args)]
pub struct StartArgs {
    /// What to serve and where.
    #[command(flatten)]
    pub serve: ServeArgs,
    /// A folder of dumps: new or changed files (by size and modification time) are imported.
    #[arg(long, env = "LANSHELF_DUMPS")]
    pub dumps: Option<PathBuf>,
    /// Look into the dumps folder again this often, in seconds (0: only at start).
    #[arg(long, env = "LANSHELF_SCAN_SECS", default_value_t = 300)]
    pub scan_secs: u64,
    /// SQLite page cache for the import, in MiB.
    #[arg(long, env = "LANSHELF_IMPORT_CACHE_MIB", default_value_t = 64)]
    pub import_cache_mib: u32,
    /// Password of encrypted RAR archives in the dumps folder.
    #[arg(long, env = "LANSHELF_RAR_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Fail when more than this share of a table's rows (percent) is rejected.
    #[arg(long, env = "LANSHELF_MAX_REJECTED", default_value_t = 1.0)]
    pub max_rejected: f64,
    /// Memory budget of the index writer, in MiB.
    #[arg(long, env = "LANSHELF_INDEX_MEMORY_MIB", default_value_t = 256)]
    pub index_memory_mib: usize,
    /// Index writer threads (0: one per core, at most 4).
    #[arg(long, env = "LANSHELF_INDEX_THREADS", default_value_t = 0)]
    pub index_threads: usize,
    /// When started as root: the user id to run as (the catalog folder is handed to it).
    #[arg(long, env = "PUID")]
    pub puid: Option<u32>,
    /// When started as root: the group id to run as.
    #[arg(long, env = "PGID")]
    pub pgid: Option<u32>,
    /// Import what is new in the dumps folder, update the index, and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

/// `lanshelf healthcheck`.
#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// The portal's address (a wildcard address is asked on loopback).
    #[arg(long, env = "LANSHELF_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The portal's base path.
    #[arg(long, env = "LANSHELF_BASE_PATH", default_value = "", value_parser = parse_base_path)]
    pub base_path: String,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 5)]
    pub timeout_secs: u64,
}

/// The access rules of `lanshelf serve`; all optional, all off by default.
#[derive(Debug, Clone, Default, Args)]
pub struct AccessArgs {
    /// Require HTTP basic authentication against this htpasswd file (bcrypt or argon2 hashes:
    /// `htpasswd -B`).
    #[arg(long, env = "LANSHELF_HTPASSWD")]
    pub htpasswd: Option<PathBuf>,
    /// Accept the user named in this header (e.g. `Remote-User`, `X-Forwarded-User`) when the
    /// request comes from a trusted proxy (forward auth: Authelia, authentik, oauth2-proxy).
    #[arg(long, env = "LANSHELF_AUTH_HEADER")]
    pub auth_header: Option<String>,
    /// Reverse proxies (addresses or networks, comma-separated) trusted to set the auth header
    /// and `X-Forwarded-For`.
    #[arg(long, env = "LANSHELF_TRUSTED_PROXIES", value_delimiter = ',', value_parser = crate::setting::parse_net)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Only serve clients in these networks (comma-separated, e.g. `192.168.0.0/16,fd00::/8`).
    #[arg(long, env = "LANSHELF_ALLOW", value_delimiter = ',', value_parser = crate::setting::parse_net)]
    pub allow: Vec<ipnet::IpNet>,
    /// Requests per minute per client (static assets and `/healthz` not counted).
    #[arg(long, env = "LANSHELF_RATE_LIMIT")]
    pub rate_limit: Option<u32>,
}

/// `lanshelf demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, env = "LANSHELF_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Synthetic records added to each collection beside the real samples.
    #[arg(long, default_value_t = 3000)]
    pub synthetic: u64,
    /// Import and index, print what was imported, and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Build the demo in this folder and keep it (default: a temporary folder, deleted at the
    /// end).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// `lanshelf gen-dump`.
#[derive(Debug, Args)]
pub struct GenDumpArgs {
    /// Which collection's dump.
    #[arg(long)]
    pub collection: Collection,
    /// Rows of the main table.
    #[arg(long)]
    pub rows: u64,
    /// Seed: the same seed writes the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// First record ID.
    #[arg(long, default_value_t = 1)]
    pub first_id: u64,
    /// Output file (`-` for standard output); `.gz` compresses.
    #[arg(long, short)]
    pub out: PathBuf,
}

/// `SLUG=DIR` of `--collection-dir`.
fn parse_collection_dir(s: &str) -> Result<(Collection, PathBuf), String> {
    let (slug, dir) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected SLUG=DIR"))?;
    if dir.is_empty() {
        return Err(format!("`{s}`: no folder after `=`"));
    }
    Ok((slug.parse()?, PathBuf::from(dir)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_dirs_from_flags_and_environment() {
        let cli = Cli::try_parse_from([
            "lanshelf",
            "serve",
            "--collection-dir",
            "papers=/mnt/zips",
            "--collection-dir",
            "fiction=/mnt/novels",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("serve");
        };
        assert_eq!(
            args.collection_dir,
            [
                ("papers".parse().unwrap(), PathBuf::from("/mnt/zips")),
                (Collection::Fiction, PathBuf::from("/mnt/novels")),
            ]
        );
        for bad in ["klingon=/x", "/mnt/zips", "fiction="] {
            let err = Cli::try_parse_from(["lanshelf", "serve", "--collection-dir", bad])
                .unwrap_err()
                .to_string();
            assert!(err.contains(bad), "{bad}: {err}");
        }
    }
}
