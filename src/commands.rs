//! What each subcommand does, at the edge: `anyhow` errors with context, terminal output.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use include_dir::{include_dir, Dir};

use crate::cli::{
    CheckArgs, Cli, Command, DemoArgs, FileArgs, GenDumpArgs, HealthcheckArgs, IdentifyArgs,
    ImportArgs, IndexArgs, LookupArgs, LookupOutput, Paths, SearchArgs, ServeArgs,
};
use crate::import::{self, ImportOptions, ImportReport};
use crate::search::{self, IndexOptions, IndexReport, SearchEngine, SearchRequest};
use crate::{db, synth, Collection};

/// The sample dumps bundled for `lanshelf demo`.
static DEMO_DUMPS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/tests/fixtures/dumps");

/// The progress bars of this process, drawn on standard error when it is a terminal (hidden
/// otherwise). Log lines go through it ([`LogWriter`]), so they never cut through a bar.
static BARS: std::sync::LazyLock<indicatif::MultiProgress> = std::sync::LazyLock::new(|| {
    indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr())
});

/// Whether standard error gets colours: a terminal, and no `NO_COLOR` (any non-empty value).
pub fn colours() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Logs to standard error; `RUST_LOG` sets the level (default `info`). No colours unless
/// standard error is a terminal and `NO_COLOR` is unset (files, pipes and `docker logs` get
/// plain text); each line is written whole, with the progress bars moved out of its way.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tantivy=warn,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colours())
        .with_writer(|| LogWriter(Vec::with_capacity(256)))
        .try_init();
}

/// One log event, buffered, written to standard error when it is complete with the bars
/// suspended around it.
struct LogWriter(Vec<u8>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let line = std::mem::take(&mut self.0);
        BARS.suspend(|| {
            let _ = std::io::stderr().lock().write_all(&line);
        });
    }
}

/// Draws the library's progress reports as bars (`crate::progress::Progress`), one per task.
#[derive(Debug, Default)]
pub struct Bars {
    bar: std::sync::Mutex<Option<indicatif::ProgressBar>>,
}

impl Bars {
    /// A reporter when standard error is a terminal, else none (the library then logs).
    pub fn reporter() -> crate::progress::Reporter {
        std::io::stderr()
            .is_terminal()
            .then(|| Arc::new(Bars::default()) as Arc<dyn crate::progress::Progress>)
    }
}

impl crate::progress::Progress for Bars {
    fn start(&self, task: &str, total: Option<u64>, unit: crate::progress::Unit) {
        // Items: the note names them ("documents"), then a whole rate ("9068/s", not
        // indicatif's "9,068.7681/s"); bytes: the rate, then the note (rows read).
        let (amount, total_text, middle) = match unit {
            crate::progress::Unit::Bytes => ("{bytes}", "{total_bytes}", "{bytes_per_sec} {msg}"),
            crate::progress::Unit::Items => ("{human_pos}", "{human_len}", "{msg} {rate}"),
        };
        let (bar, template) = match total {
            Some(n) => (
                indicatif::ProgressBar::new(n),
                format!("{{prefix}} [{{bar:30}}] {amount}/{total_text} {middle} ETA {{eta}}"),
            ),
            None => (
                indicatif::ProgressBar::new_spinner(),
                format!("{{prefix}} {{spinner}} {amount} {middle}"),
            ),
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
            let style = style.with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0}/s", state.per_sec());
                },
            );
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(task.to_string());
        let bar = BARS.add(bar);
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(old) = slot.replace(bar) {
                old.finish_and_clear();
                BARS.remove(&old);
            }
        }
    }

    fn update(&self, done: u64, note: &str) {
        if let Ok(slot) = self.bar.lock() {
            if let Some(bar) = slot.as_ref() {
                bar.set_position(done);
                bar.set_message(note.to_string());
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
                BARS.remove(&bar);
            }
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    if let Command::Start(args) = &cli.command {
        // Before any thread exists: the user switch must cover the whole process.
        crate::entrypoint::switch_user(&cli.paths, args)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Import(args) => import_command(&cli.paths, args).await,
            Command::Demo(args) => demo(args).await,
            Command::GenDump(args) => gen_dump(args),
            Command::Check(args) => check_command(args),
            Command::Index(args) => index_command(&cli.paths, args).await,
            Command::Search(args) => search_command(&cli.paths, args).await,
            Command::Lookup(args) => lookup_command(&cli.paths, args).await,
            Command::Identify(args) => identify_command(&cli.paths, args).await,
            Command::Serve(args) => {
                crate::web::serve::serve_command(&cli.paths, args, None, None).await
            }
            Command::Start(args) => crate::entrypoint::start(&cli.paths, args).await,
            Command::Healthcheck(args) => healthcheck_command(args).await,
            Command::Config => config_command(),
        }
    });
    // A blocking task still running (an index update cut short by SIGTERM) is not waited for:
    // its work is crash-safe and resumes at the next start.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result
}

/// A flag raised by Ctrl-C or SIGTERM, so a long import can stop cleanly. The listener ends when
/// the returned guard is dropped, so later signals (a server's) are not taken for the import's.
fn stop_flag() -> (Arc<AtomicBool>, tokio::task::AbortHandle) {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let task = tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler");
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::warn!("interrupted: rolling back the import");
        flag.store(true, Ordering::Relaxed);
    });
    (stop, task.abort_handle())
}

/// Removes a catalog file's companions with these suffixes (`""` is the file itself).
fn remove_catalog_files(db: &Path, suffixes: &[&str]) {
    for suffix in suffixes {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

fn remove_catalog(db: &Path) {
    remove_catalog_files(db, &["", "-wal", "-shm"]);
}

/// Imports files into the catalog at `db`, creating it if needed. A new catalog is written to a
/// staging file and renamed into place only when the import succeeded, so a failed first import
/// leaves nothing behind; an existing one is updated in one transaction.
pub async fn import_into(
    db: &Path,
    files: Vec<PathBuf>,
    mut opts: ImportOptions,
) -> Result<ImportReport> {
    let existed = db.exists();
    let target = if existed {
        db.to_path_buf()
    } else {
        let mut name = db.as_os_str().to_owned();
        name.push(".importing");
        let staging = PathBuf::from(name);
        remove_catalog(&staging);
        opts.fresh = true;
        staging
    };
    db::prepare(&target)
        .await
        .with_context(|| format!("opening the catalog {}", db.display()))?;
    let (stop, listener) = stop_flag();
    let path = target.clone();
    let result =
        tokio::task::spawn_blocking(move || import::import_files(&path, &files, &opts, &stop))
            .await
            .context("the import thread failed");
    listener.abort();
    let result = result?;
    match result {
        Ok(report) => {
            if !existed {
                std::fs::File::open(&target)
                    .and_then(|f| f.sync_all())
                    .context("flushing the new catalog to disk")?;
                remove_catalog_files(&target, &["-wal", "-shm"]);
                std::fs::rename(&target, db)
                    .with_context(|| format!("moving the new catalog to {}", db.display()))?;
            }
            Ok(report)
        }
        Err(e) => {
            if !existed {
                remove_catalog(&target);
            }
            Err(e.into())
        }
    }
}

async fn import_command(paths: &Paths, args: ImportArgs) -> Result<()> {
    let opts = ImportOptions {
        cache_mib: args.cache_mib,
        progress: Bars::reporter(),
        password: args.password.map(crate::import::Password),
        max_rejected: args.max_rejected,
        ..ImportOptions::default()
    };
    // Servers of this index (other processes, replicas) see the update running from before the
    // catalog commits until the index has caught up (`/healthz`: updating, not behind).
    let updating = if args.no_index {
        None
    } else {
        let root = paths.index.clone();
        tokio::task::spawn_blocking(move || search::UpdateLock::acquire(&root)).await?
    };
    let report = import_into(&paths.db, args.files, opts).await?;
    {
        let mut out = std::io::stdout().lock();
        if args.json {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        } else {
            print_report(&mut out, &report)?;
        }
    }
    if !args.no_index {
        let opts = IndexOptions {
            progress: Bars::reporter(),
            ..IndexOptions::default()
        };
        let index = update_index(&paths.db, &paths.index, opts).await?;
        if !args.json {
            println!(
                "search index {}: {} documents written in {:.1} s",
                index.generation, index.documents, index.seconds
            );
        }
    }
    drop(updating);
    Ok(())
}

/// Brings the index up to date with the catalog (building it if there is none).
pub async fn update_index(db: &Path, index: &Path, opts: IndexOptions) -> Result<IndexReport> {
    let (db, index) = (db.to_path_buf(), index.to_path_buf());
    let report = tokio::task::spawn_blocking(move || search::catch_up(&db, &index, &opts))
        .await
        .context("the index thread failed")?
        .context("updating the search index (the catalog itself was imported; run `lanshelf index` to retry)")?;
    Ok(report)
}

/// Reads each dump to its end without writing anything, and prints its tables, rows and speed.
fn check_command(args: CheckArgs) -> Result<()> {
    let password = args.password.as_deref().map(str::as_bytes);
    for file in &args.files {
        let started = std::time::Instant::now();
        if let Some(source) = crate::import::snapshot::Source::detect(file, password)? {
            let name = source.name();
            let report = crate::import::snapshot::check(&source).with_context(|| name.clone())?;
            let seconds = started.elapsed().as_secs_f64();
            let total: u64 = report.rows.values().sum();
            println!(
                "{name}: complete libgen.li snapshot, every table's rows as its .MYI counts them: {total} rows of {} tables in {seconds:.2} s ({:.0} rows/s, {:.0} MB/s)",
                report.rows.len(),
                total as f64 / seconds.max(1e-9),
                report.bytes as f64 / 1e6 / seconds.max(1e-9),
            );
            for (table, n) in &report.rows {
                println!("  {table:<24} {n:>12}");
            }
            continue;
        }
        let mut dumps = crate::dump::open(file, password)?;
        let name = dumps.name.clone();
        let mut rows: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
        let mut bytes = 0;
        let mut count = 0;
        while let Some(input) = dumps.next_dump() {
            let input = input?;
            count += 1;
            let dump_name = input.name.clone();
            let verify = input.checked_at_end();
            let mut reader = crate::dump::DumpReader::new(input.reader);
            loop {
                match reader.next_row() {
                    Ok(Some(row)) => {
                        if let Some(n) = rows.get_mut(row.table) {
                            *n += 1;
                        } else {
                            rows.insert(row.table.to_string(), 1);
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let e = if verify { reader.checked_failure(e) } else { e };
                        return Err(anyhow::Error::new(e).context(dump_name));
                    }
                }
            }
            bytes += reader.offset();
        }
        let seconds = started.elapsed().as_secs_f64();
        let total: u64 = rows.values().sum();
        let dumps_note = if count > 1 {
            format!(" in {count} dumps")
        } else {
            String::new()
        };
        println!(
            "{name}: complete, {:.1} MB of SQL{dumps_note}, {total} rows in {seconds:.2} s ({:.0} MB/s, {:.0} rows/s)",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / seconds.max(1e-9),
            total as f64 / seconds.max(1e-9)
        );
        for (table, n) in rows {
            println!("  {table:<24} {n:>12}");
        }
    }
    Ok(())
}

async fn index_command(paths: &Paths, args: IndexArgs) -> Result<()> {
    anyhow::ensure!(
        paths.db.exists(),
        "no catalog at {}: import a dump first (`lanshelf import FILE`)",
        paths.db.display()
    );
    let opts = IndexOptions {
        memory_mib: args.memory_mib,
        threads: args.threads,
        progress: Bars::reporter(),
    };
    let (db, index) = (paths.db.clone(), paths.index.clone());
    let report = tokio::task::spawn_blocking(move || search::rebuild(&db, &index, &opts))
        .await
        .context("the index thread failed")??;
    println!(
        "indexed {} documents in {:.1} s ({:.0} docs/s), {:.1} MB ({:.0} bytes per document), generation {}",
        report.documents,
        report.seconds,
        report.documents as f64 / report.seconds.max(1e-6),
        report.bytes as f64 / 1e6,
        report.bytes as f64 / report.documents.max(1) as f64,
        report.generation
    );
    Ok(())
}

async fn search_command(paths: &Paths, args: SearchArgs) -> Result<()> {
    let pool = db::open_read_only(&paths.db, 2).await?;
    let engine = SearchEngine::open_with_catalog(&paths.index, &paths.db)?;
    let mut req = SearchRequest::new(args.query.join(" "));
    req.filters.collection = args.collection;
    req.per_page = args.limit;
    req.facets = false;
    let (results, summaries) =
        crate::web::service::search_with(Arc::new(engine), &pool, req).await?;
    let mut out = std::io::stdout().lock();
    if args.json {
        for s in &summaries {
            let mut value = serde_json::to_value(s)?;
            value["url"] = serde_json::Value::String(s.url());
            serde_json::to_writer(&mut out, &value)?;
            writeln!(out)?;
        }
        return Ok(());
    }
    let note = if results.fuzzy {
        " (no exact match: showing similar spellings)"
    } else if results.partial {
        " (no record has every word: showing records with some)"
    } else {
        ""
    };
    let (more, shown) = match results.more_than() {
        None => ("", results.total),
        Some(n) => ("more than ", n),
    };
    writeln!(
        out,
        "{more}{shown} results in {:.1} ms{note}",
        results.elapsed.as_secs_f64() * 1e3
    )?;
    for s in &summaries {
        let withdrawn = if s.visible.is_empty() {
            ""
        } else {
            " [withdrawn]"
        };
        writeln!(
            out,
            "{:<8} {:>9}  {} — {} ({}) {}{withdrawn}",
            s.collection(),
            s.id,
            s.title,
            s.author,
            s.year,
            s.extension
        )?;
    }
    Ok(())
}

/// What the look-up commands read: the catalog, the index, the repository and the torrents.
struct LookupSources {
    pool: sqlx::SqlitePool,
    engine: Arc<SearchEngine>,
    repository: crate::files::Repository,
    shelf: crate::files::TorrentShelf,
}

async fn lookup_sources(paths: &Paths, files: &FileArgs) -> Result<LookupSources> {
    let pool = db::open_read_only(&paths.db, 2).await?;
    let (index, catalog) = (paths.index.clone(), paths.db.clone());
    let engine =
        tokio::task::spawn_blocking(move || SearchEngine::open_with_catalog(&index, &catalog))
            .await??;
    let shelf = crate::files::TorrentShelf::new(files.torrents.clone());
    let shelf = tokio::task::spawn_blocking(move || shelf.rescan())
        .await?
        .context("reading the torrent folder")?;
    Ok(LookupSources {
        pool,
        engine: Arc::new(engine),
        repository: crate::files::Repository::new(files.repository.as_deref()),
        shelf,
    })
}

async fn lookup_command(paths: &Paths, args: LookupArgs) -> Result<()> {
    use crate::lookup::{self, export};
    let bytes = if args.file.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut b)
            .context("reading standard input")?;
        b
    } else {
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?
    };
    let text = String::from_utf8_lossy(&bytes);
    let parsed =
        lookup::parse(&text).with_context(|| format!("reading {}", args.file.display()))?;
    let sources = lookup_sources(paths, &args.files).await?;
    let shelf = sources.shelf.clone();
    let result = lookup::resolve(
        &sources.pool,
        sources.engine,
        sources.repository,
        sources.shelf,
        parsed,
    )
    .await?;
    let link = |p: &str| p.to_string();
    let mut out = std::io::stdout().lock();
    match args.format {
        LookupOutput::Json => {
            serde_json::to_writer_pretty(&mut out, &export::lookup_json(&result, &link))?;
            writeln!(out)?;
        }
        LookupOutput::Csv => out.write_all(export::csv(&result, &link).as_bytes())?,
        LookupOutput::Bibtex | LookupOutput::Ris => {
            let ris = args.format == LookupOutput::Ris;
            let text = export::citations(&sources.pool, &result, ris).await?;
            out.write_all(text.as_bytes())?;
        }
        LookupOutput::Magnets => {
            let text =
                tokio::task::spawn_blocking(move || export::magnet_list(&result, &shelf)).await?;
            out.write_all(text.as_bytes())?;
            return Ok(());
        }
        LookupOutput::Table => {
            for row in &result.rows {
                let id = row
                    .identifier
                    .as_ref()
                    .map(|i| i.term())
                    .unwrap_or_else(|| row.item.input.clone());
                match row.best() {
                    Some(r) => {
                        let s = &r.summary;
                        let more = if row.matches > 1 {
                            format!(" (+{} more)", row.matches - 1)
                        } else {
                            String::new()
                        };
                        let place = match (r.local(), r.torrent()) {
                            (true, _) => "here".to_string(),
                            (false, Some((t, p))) => format!("in {t}: {p}"),
                            (false, None) => "not locatable".to_string(),
                        };
                        writeln!(
                            out,
                            "{:>5}  found      {id}  {}/{}{more}  {} — {} ({})  [{place}]",
                            row.item.position,
                            r.collection(),
                            s.id,
                            s.title,
                            s.author,
                            s.year.trim()
                        )?;
                    }
                    None => writeln!(
                        out,
                        "{:>5}  {:<9}  {id}{}",
                        row.item.position,
                        row.status.label(),
                        row.item
                            .problem
                            .as_deref()
                            .map(|p| format!("  ({p})"))
                            .unwrap_or_default()
                    )?,
                }
            }
        }
    }
    eprintln!(
        "{} items ({}): {} found ({} with the file here), {} not found, {} without an identifier; {:.0} ms",
        result.rows.len(),
        result.format.label(),
        result.found(),
        result.local(),
        result.not_found(),
        result.malformed(),
        result.elapsed.as_secs_f64() * 1e3
    );
    Ok(())
}

async fn identify_command(paths: &Paths, args: IdentifyArgs) -> Result<()> {
    use crate::identify;
    use crate::lookup::{self, export, Format, Item, Parsed};
    use crate::search::Identifier;
    anyhow::ensure!(args.dir.is_dir(), "{} is not a folder", args.dir.display());
    let started = std::time::Instant::now();
    let dir = args.dir.clone();
    let threads = args.threads;
    let hashed = tokio::task::spawn_blocking(move || {
        identify::files_under(&dir).map(|files| identify::hash_all(&files, threads))
    })
    .await?
    .with_context(|| format!("reading {}", args.dir.display()))?;
    let hashing = started.elapsed();
    // One item per file (its content's MD5), then one per damaged file's name.
    let item = |position: usize, md5: Option<&str>| Item {
        position,
        input: md5.unwrap_or_default().to_string(),
        title: String::new(),
        identifiers: md5
            .map(|m| vec![Identifier::Md5(m.to_string())])
            .unwrap_or_default(),
        problem: md5.is_none().then(|| "unreadable".to_string()),
    };
    let mut items: Vec<Item> = hashed
        .iter()
        .enumerate()
        .map(|(i, h)| item(i, h.md5.as_deref().ok()))
        .collect();
    let damaged: Vec<usize> = (0..hashed.len())
        .filter(|&i| args.verify_names && hashed[i].mismatch())
        .collect();
    for (n, &i) in damaged.iter().enumerate() {
        items.push(item(hashed.len() + n, hashed[i].named_md5().as_deref()));
    }
    let sources = lookup_sources(
        paths,
        &FileArgs {
            repository: None,
            torrents: None,
        },
    )
    .await?;
    let mut rows = Vec::new();
    // The look-up takes at most MAX_ITEMS at a time.
    for chunk in items.chunks(lookup::MAX_ITEMS) {
        let parsed = Parsed {
            format: Format::List,
            items: chunk.to_vec(),
        };
        let result = lookup::resolve(
            &sources.pool,
            sources.engine.clone(),
            sources.repository.clone(),
            sources.shelf.clone(),
            parsed,
        )
        .await?;
        rows.extend(result.rows);
    }
    let named_rows: std::collections::HashMap<usize, &lookup::Row> = damaged
        .iter()
        .enumerate()
        .map(|(n, &i)| (i, &rows[hashed.len() + n]))
        .collect();
    let link = |p: &str| p.to_string();
    let describe = |row: &lookup::Row| {
        row.best().map(|r| {
            let s = &r.summary;
            format!(
                "{}/{}  {} — {} ({})",
                r.collection(),
                s.id,
                s.title,
                s.author,
                s.year.trim()
            )
        })
    };
    let (mut found, mut unknown, mut unreadable) = (0, 0, 0);
    let mut out = std::io::stdout().lock();
    for (i, h) in hashed.iter().enumerate() {
        let row = &rows[i];
        let named = named_rows.get(&i);
        let status = match (&h.md5, named, row.best()) {
            (Err(_), _, _) => "unreadable",
            (Ok(_), Some(_), _) => "damaged",
            (Ok(_), None, Some(_)) => "found",
            (Ok(_), None, None) => "unknown",
        };
        match status {
            "unreadable" => unreadable += 1,
            "found" => found += 1,
            "unknown" => unknown += 1,
            _ => {}
        }
        let path = h.path.display();
        if args.json {
            let mut value = serde_json::json!({
                "path": h.path,
                "size": h.size,
                "md5": h.md5.as_ref().ok(),
                "error": h.md5.as_ref().err(),
                "status": status,
                "records": row.records.iter().map(|r| export::record_json(r, &link)).collect::<Vec<_>>(),
            });
            if let Some(named) = named {
                value["named_md5"] = serde_json::json!(h.named_md5());
                value["named_records"] = serde_json::json!(named
                    .records
                    .iter()
                    .map(|r| export::record_json(r, &link))
                    .collect::<Vec<_>>());
            }
            serde_json::to_writer(&mut out, &value)?;
            writeln!(out)?;
            continue;
        }
        match (&h.md5, named) {
            (Err(e), _) => writeln!(out, "{path}	unreadable: {e}")?,
            (Ok(sum), Some(named)) => {
                let expected = describe(named).unwrap_or_else(|| "not in the catalog".into());
                let actual = describe(row).unwrap_or_else(|| "unknown".into());
                writeln!(
                    out,
                    "{path}	{sum}	DAMAGED: named {} ({expected}), but its content is {actual}",
                    h.named_md5().unwrap_or_default()
                )?;
            }
            (Ok(sum), None) => {
                let what = describe(row).unwrap_or_else(|| "unknown".into());
                let more = if row.matches > 1 {
                    format!(" (+{} more records)", row.matches - 1)
                } else {
                    String::new()
                };
                writeln!(out, "{path}	{sum}	{what}{more}")?;
            }
        }
    }
    let bytes: u64 = hashed.iter().map(|h| h.size).sum();
    eprintln!(
        "{} files: {found} found, {unknown} unknown, {} damaged, {unreadable} unreadable; {:.1} MB hashed in {:.2} s ({:.0} MB/s)",
        hashed.len(),
        damaged.len(),
        bytes as f64 / 1e6,
        hashing.as_secs_f64(),
        bytes as f64 / 1e6 / hashing.as_secs_f64().max(1e-6)
    );
    Ok(())
}

/// Prints an import report as a readable summary.
pub fn print_report(out: &mut impl Write, report: &ImportReport) -> std::io::Result<()> {
    for file in &report.files {
        let rows = file.rows();
        let read = if file.read.is_empty() {
            format!("{:.1} MB of SQL", file.bytes as f64 / 1e6)
        } else {
            format!(
                "{} rows of {} tables",
                file.read.values().sum::<u64>(),
                file.read.len()
            )
        };
        writeln!(
            out,
            "{} ({}, {read}): {} records in {:.1} s ({:.0} records/s)",
            file.file,
            file.format,
            rows,
            file.seconds,
            rows as f64 / file.seconds.max(1e-6)
        )?;
        writeln!(
            out,
            "  {:<22} {:>10} {:>10} {:>10} {:>10} {:>10}",
            "table", "rows", "inserted", "updated", "unchanged", "rejected"
        )?;
        for (table, t) in &file.tables {
            writeln!(
                out,
                "  {:<22} {:>10} {:>10} {:>10} {:>10} {:>10}",
                table, t.rows, t.inserted, t.updated, t.unchanged, t.rejected
            )?;
            for r in &t.rejections {
                writeln!(out, "    rejected at byte {}: {}", r.offset, r.reason)?;
            }
        }
        for (table, n) in &file.ignored {
            writeln!(out, "  (ignored {n} rows of table `{table}`)")?;
        }
        if file.removed > 0 {
            writeln!(
                out,
                "  {} records of files the snapshot no longer holds: marked removed, kept",
                file.removed
            )?;
        }
    }
    Ok(())
}

/// What the home page of the demo says about its records.
const DEMO_NOTICE: &str = "This is the demo catalog. Records with ids below 10 000 000 are real \
samples from the Library Genesis dumps; the others were generated (their titles, people and \
publishers are made up). Some have a small sample file on this server (a PDF, EPUB, FB2 or CBZ \
that says which record it stands for), some are in a .torrent file here, the rest are not here.";

async fn demo(args: DemoArgs) -> Result<()> {
    let temporary;
    let dir: PathBuf = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            anyhow::ensure!(
                !d.join("catalog.sqlite").exists(),
                "{} already holds a demo: give an empty folder",
                d.display()
            );
            d.clone()
        }
        None => {
            temporary = tempfile::Builder::new()
                .prefix("lanshelf-demo-")
                .tempdir()
                .context("creating a temporary folder")?;
            temporary.path().to_path_buf()
        }
    };
    let dumps = dir.join("dumps");
    std::fs::create_dir_all(&dumps).with_context(|| format!("creating {}", dumps.display()))?;
    let mut files = Vec::new();
    // Each classic collection's sample dump, then the records the demo's search tests look for.
    let classic = crate::collection::INFO.iter().filter_map(|i| i.classic);
    for name in classic.map(|c| c.dump).chain(["search.sql"]) {
        let file = DEMO_DUMPS
            .get_file(name)
            .with_context(|| format!("bundled {name}"))?;
        let path = dumps.join(name);
        std::fs::write(&path, file.contents())
            .with_context(|| format!("writing {}", path.display()))?;
        files.push(path);
    }
    if args.synthetic > 0 {
        for collection in Collection::ALL.into_iter().filter(|c| c.is_classic()) {
            let path = dumps.join(format!("generated-{collection}.sql"));
            let opts = synth::SynthOptions {
                collection,
                rows: args.synthetic,
                seed: 7,
                first_id: crate::demo::GENERATED_FROM as u64,
                readable: true,
                ..Default::default()
            };
            let out = std::io::BufWriter::new(
                std::fs::File::create(&path)
                    .with_context(|| format!("creating {}", path.display()))?,
            );
            synth::write_dump(&opts, out)?;
            files.push(path);
        }
        // A small libgen.li snapshot: all seven collections, editions and works, ids far from
        // the real samples'.
        let snapshot = dumps.join("libgen_new");
        let mut opts = synth::SnapshotOptions::new(args.synthetic);
        opts.seed = 7;
        opts.first_id = 2 * crate::demo::GENERATED_FROM as u64;
        opts.readable = true;
        synth::write_snapshot(&snapshot, &opts)?;
        files.push(snapshot);
    }
    let db = dir.join("catalog.sqlite");
    let opts = ImportOptions {
        progress: Bars::reporter(),
        ..ImportOptions::default()
    };
    let report = import_into(&db, files, opts).await?;
    print_report(&mut std::io::stdout().lock(), &report)?;
    let index = dir.join("index");
    let opts = IndexOptions {
        progress: Bars::reporter(),
        ..IndexOptions::default()
    };
    update_index(&db, &index, opts).await?;
    let (db2, dir2) = (db.clone(), dir.clone());
    let shelf = tokio::task::spawn_blocking(move || crate::demo::lay_out(&db2, &dir2))
        .await
        .context("the demo thread failed")??;
    println!(
        "demo catalog: {}\nrepository: {} ({} files, {} covers); torrents: {} ({} .torrent files; {} files in a torrent but not downloaded)",
        db.display(),
        shelf.repository.display(),
        shelf.files,
        shelf.covers,
        shelf.torrents.display(),
        shelf.torrent_files,
        shelf.torrent_only
    );
    if args.no_serve {
        return Ok(());
    }
    let paths = Paths { db, index };
    let serve = ServeArgs {
        addr: args.addr,
        repository: Some(shelf.repository.clone()),
        collection_dir: Vec::new(),
        follow_links: false,
        torrents: Some(shelf.torrents.clone()),
        base_path: String::new(),
        forwarded_prefix: false,
        access: Default::default(),
        header_timeout: 10,
        max_connections: 512,
        write_timeout: 30,
        max_connections_per_client: 64,
        doi_resolver: crate::web::state::DOI_RESOLVER.to_string(),
        catalog_mmap_mib: db::DEFAULT_MMAP_MIB,
        catalog_cache_mib: db::DEFAULT_CACHE_MIB,
        // The demo serves a throwaway copy of the bundled samples.
        allow_root: true,
    };
    crate::web::serve::serve_command(&paths, serve, None, Some(DEMO_NOTICE.to_string())).await
}

/// Asks the running portal's `/healthz`; an error (exit 1) unless it answers 200.
async fn healthcheck_command(args: HealthcheckArgs) -> Result<()> {
    let report = crate::healthcheck::check(
        args.addr,
        &args.base_path,
        std::time::Duration::from_secs(args.timeout_secs.max(1)),
    )
    .await?;
    println!("{report}");
    Ok(())
}

/// Prints every setting, its value, and where the value comes from.
fn config_command() -> Result<()> {
    use clap::CommandFactory;
    let cmd = Cli::command();
    let matches = Cli::command()
        .try_get_matches_from(std::env::args_os())
        .ok();
    let applied = crate::config::applied();
    let mut out = std::io::stdout().lock();
    match &applied.path {
        Some(p) => writeln!(out, "configuration file: {}", p.display())?,
        None => writeln!(
            out,
            "configuration file: none (--config FILE or {})",
            crate::config::CONFIG_ENV
        )?,
    }
    writeln!(
        out,
        "precedence: flag > environment variable > configuration file > default\n"
    )?;
    writeln!(
        out,
        "{:<22} {:<28} {:<30} {:<12} commands",
        "key", "variable", "value", "from"
    )?;
    for setting in crate::config::settings(&cmd).values() {
        // Only global flags (--db, --index) can be on this command line.
        let flag = matches.as_ref().and_then(|m| {
            let id = setting.key.as_str();
            let from_flag = m.try_get_raw(id).ok().flatten().is_some()
                && m.value_source(id) == Some(clap::parser::ValueSource::CommandLine);
            from_flag.then(|| {
                m.try_get_raw(id)
                    .ok()
                    .flatten()
                    .and_then(|mut v| v.next())
                    .map(|v| v.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
        });
        let (value, source) = crate::config::effective(setting, flag);
        let commands = if setting.commands.is_empty() {
            "all".to_string()
        } else {
            setting
                .commands
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(",")
        };
        writeln!(
            out,
            "{:<22} {:<28} {:<30} {:<12} {commands}",
            setting.key,
            setting.env,
            if value.is_empty() { "-" } else { &value },
            source.to_string()
        )?;
    }
    Ok(())
}

fn gen_dump(args: GenDumpArgs) -> Result<()> {
    let opts = synth::SynthOptions {
        collection: args.collection,
        rows: args.rows,
        seed: args.seed,
        first_id: args.first_id,
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let stats = if args.out.as_os_str() == "-" {
        synth::write_dump(
            &opts,
            std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock()),
        )?
    } else {
        let file = std::fs::File::create(&args.out)
            .with_context(|| format!("creating {}", args.out.display()))?;
        let gz = args.out.extension().is_some_and(|e| e == "gz");
        if gz {
            let enc = flate2::write::GzEncoder::new(
                std::io::BufWriter::new(file),
                flate2::Compression::fast(),
            );
            synth::write_dump(&opts, enc)?
        } else {
            synth::write_dump(&opts, std::io::BufWriter::with_capacity(1 << 20, file))?
        }
    };
    eprintln!(
        "wrote {} rows, {:.1} MB of SQL in {:.1} s",
        stats.rows,
        stats.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
