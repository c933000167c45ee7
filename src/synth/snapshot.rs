//! A synthetic libgen.li `libgen_new` snapshot: the MyISAM files (`.frm`, `.MYD`, `.MYI`) of its
//! tables in the 2026 layout, written directly (no database server), for benchmarks and import
//! tests at any size.
//!
//! The `.frm` files and the empty `.MYI` headers are MariaDB's own (`libgen_new/`, made by
//! tests/fixtures/myisam/make-myisam-fixtures.sh); the rows are written by
//! [`crate::myisam::MydWriter`] and the `.MYI` headers get the row counts
//! ([`crate::myisam::myi_with_counts`]; keys stay empty: `myisamchk -rq` builds them if MariaDB
//! is to query the tables through indexes).
//!
//! The model, every choice a hash of (seed, purpose, row index), so any table can recompute what
//! another one drew and memory stays constant:
//! - `editions` (`e_id` 1..E): a topic each (articles 72 %, sci-tech 9 %, fiction 7 %, comics
//!   5 %, magazines 4 %, Russian fiction 2 %, standards 1 %); 12 % are another edition of an
//!   earlier one (same title and authors: one work), titles and authors in the topic's
//!   languages, publishers from `publishers`, magazines and comics in a `series` with issue
//!   numbers, articles with a DOI, ~2.5 % withdrawn (`cpr`, `del`, `no`).
//! - `files` (`f_id` 1..F): file `f` belongs to edition `⌊f·E/F⌋` and has its topic; the id in
//!   that topic's numbering (`libgen_id`, `fiction_id`, …, counted in order), an extension,
//!   size and locator typical of the topic, a paper's path in its zip, 2 % superseded
//!   (`generic` = the MD5 of an earlier file), 0.5 % broken.
//! - `editions_to_files`: every file to its edition, 3 % to a second one.
//! - `editions_add_descr`: language (key 101) for most books, 1–3 ISBNs (505) for sci-tech and
//!   fiction, an ISSN (201) for articles, a description (102) now and then: about 1.2 per edition.
//! - `files_add_descr`: a source note for one file in five; `elem_descr`: the keys, named.
//! - `works` (one per edition that is no other's copy, `w_id` = its `e_id`) and
//!   `works_to_editions` (every edition to its work).

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::Path;
use std::sync::Arc;

use super::out::civil_from_days;
use super::rng::{self, Rng};
use super::text::{file_size, pick_lang, Ctx, NameStyle};
use super::words::Lang;
use crate::myisam::{
    myi_with_counts, Column, ColumnType, Date, DateTime, MydWriter, TableDef, Timestamp, Value,
};
use crate::Collection;

/// The empty tables, as MariaDB 10.11 created them from the 2026 layout.
const TEMPLATES: [(&str, &[u8], &[u8]); 10] = [
    (
        "editions",
        include_bytes!("libgen_new/editions.frm"),
        include_bytes!("libgen_new/editions.MYI"),
    ),
    (
        "editions_add_descr",
        include_bytes!("libgen_new/editions_add_descr.frm"),
        include_bytes!("libgen_new/editions_add_descr.MYI"),
    ),
    (
        "editions_to_files",
        include_bytes!("libgen_new/editions_to_files.frm"),
        include_bytes!("libgen_new/editions_to_files.MYI"),
    ),
    (
        "elem_descr",
        include_bytes!("libgen_new/elem_descr.frm"),
        include_bytes!("libgen_new/elem_descr.MYI"),
    ),
    (
        "files",
        include_bytes!("libgen_new/files.frm"),
        include_bytes!("libgen_new/files.MYI"),
    ),
    (
        "files_add_descr",
        include_bytes!("libgen_new/files_add_descr.frm"),
        include_bytes!("libgen_new/files_add_descr.MYI"),
    ),
    (
        "publishers",
        include_bytes!("libgen_new/publishers.frm"),
        include_bytes!("libgen_new/publishers.MYI"),
    ),
    (
        "series",
        include_bytes!("libgen_new/series.frm"),
        include_bytes!("libgen_new/series.MYI"),
    ),
    (
        "works",
        include_bytes!("libgen_new/works.frm"),
        include_bytes!("libgen_new/works.MYI"),
    ),
    (
        "works_to_editions",
        include_bytes!("libgen_new/works_to_editions.frm"),
        include_bytes!("libgen_new/works_to_editions.MYI"),
    ),
];

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotOptions {
    /// Rows of `files`.
    pub files: u64,
    /// Rows of `editions` (default: 1.5 × files, the ratio of the real snapshot is 1.8).
    pub editions: u64,
    /// The seed; the same options give the same files.
    pub seed: u64,
    /// Tables written at once (each by one thread).
    pub threads: usize,
    /// Each topic's ids (`libgen_id` …) start after this one (0: at 1), so a snapshot can sit
    /// beside other records without taking their ids (the demo's real samples).
    pub first_id: u64,
    /// Titles and descriptions that read as such (the demo); off by default.
    pub readable: bool,
}

impl SnapshotOptions {
    /// `files` files and 1.5 times as many editions.
    pub fn new(files: u64) -> SnapshotOptions {
        SnapshotOptions {
            files,
            editions: files + files / 2,
            seed: 1,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            first_id: 0,
            readable: false,
        }
    }
}

/// One table written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableStats {
    /// The table.
    pub table: &'static str,
    /// Rows.
    pub rows: u64,
    /// Bytes of `.MYD`.
    pub bytes: u64,
}

/// The topics: code, weight (per mille of editions), title languages (weights in the order
/// En, De, Fr, Ru, Zh, El, Ar).
const TOPICS: [(&str, u64, [u32; 7]); 7] = [
    ("a", 720, [90, 3, 2, 2, 2, 0, 1]),
    ("l", 90, [60, 8, 5, 20, 4, 1, 2]),
    ("f", 70, [70, 8, 8, 8, 3, 1, 2]),
    ("c", 50, [80, 5, 10, 3, 2, 0, 0]),
    ("m", 40, [60, 15, 10, 10, 2, 1, 2]),
    ("r", 20, [0, 0, 0, 100, 0, 0, 0]),
    ("s", 10, [70, 15, 10, 5, 0, 0, 0]),
];

const LANGUAGE_NAMES: [&str; 7] = [
    "English", "German", "French", "Russian", "Chinese", "Greek", "Arabic",
];

/// Stream tags of this generator (above those of `text::tag`).
mod tag {
    pub const TOPIC: u64 = 101;
    pub const EDITION: u64 = 102;
    pub const FILE: u64 = 103;
    pub const ROOT: u64 = 104;
    pub const DESCR: u64 = 105;
    pub const SERIES: u64 = 106;
    pub const PUBLISHER: u64 = 107;
    pub const LINK: u64 = 108;
}

struct Model {
    ctx: Ctx,
    files: u64,
    editions: u64,
    series: u64,
    publishers: u64,
    topic_key: u64,
    root_key: u64,
    link_key: u64,
    first_id: u64,
}

/// Unix seconds of 2008-01-01 and 2026-09-01.
const T0: i64 = 1_199_145_600;
const T1: i64 = 1_788_220_800;

impl Model {
    /// The topic of edition `e` (0-based): index into [`TOPICS`].
    fn topic(&self, e: u64) -> usize {
        let e = self.root(e);
        let mut x = rng::hash(self.topic_key, e) % 1000;
        for (i, t) in TOPICS.iter().enumerate() {
            if x < t.1 {
                return i;
            }
            x -= t.1;
        }
        0
    }

    /// The edition whose title and authors edition `e` shares (itself for 88 %).
    fn root(&self, e: u64) -> u64 {
        let h = rng::hash(self.root_key, e);
        if e > 0 && h % 100 < 12 {
            e - 1 - (h >> 32) % e.min(50)
        } else {
            e
        }
    }

    /// The edition of file `f` (0-based).
    fn edition_of(&self, f: u64) -> u64 {
        ((f as u128 * self.editions as u128) / self.files.max(1) as u128) as u64
    }

    /// A time between 2008 and 2026 that grows with `i` out of `n`.
    fn time(&self, i: u64, n: u64, rng: &mut Rng) -> u32 {
        let span = (T1 - T0) as u64;
        (T0 as u64 + ((i as u128 * span as u128) / n.max(1) as u128) as u64 + rng.below(86_400))
            as u32
    }
}

fn datetime(unix: u32) -> DateTime {
    let (y, m, d) = civil_from_days(unix as i64 / 86_400);
    let s = unix % 86_400;
    DateTime {
        date: Date {
            year: y as u16,
            month: m as u8,
            day: d as u8,
        },
        hour: (s / 3600) as u8,
        minute: (s / 60 % 60) as u8,
        second: (s % 60) as u8,
        micro: 0,
        fsp: 0,
    }
}

fn ts(unix: u32) -> Value<'static> {
    Value::Timestamp(Timestamp {
        seconds: unix,
        micro: 0,
        fsp: 0,
    })
}

/// Turns the SQL escapes the text generators write (`\\`, `\'`, `\"`, `\n`, `\r`, `\t`, `\0`,
/// `\Z`) back into the bytes they stand for, from `from` on.
fn unescape(buf: &mut Vec<u8>, from: usize) {
    let mut w = from;
    let mut r = from;
    while r < buf.len() {
        let c = buf[r];
        if c == b'\\' && r + 1 < buf.len() {
            buf[w] = match buf[r + 1] {
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'0' => 0,
                b'Z' => 0x1A,
                other => other,
            };
            r += 2;
        } else {
            buf[w] = c;
            r += 1;
        }
        w += 1;
    }
    buf.truncate(w);
}

/// Cuts text to at most `max` bytes on a character boundary.
fn cut(buf: &mut Vec<u8>, from: usize, max: usize) {
    if buf.len() - from > max {
        let mut end = from + max;
        while end > from && (buf[end] & 0xC0) == 0x80 {
            end -= 1;
        }
        buf.truncate(end);
    }
}

/// A row being filled: values by column, text in an arena.
struct RowBuf {
    def: Arc<TableDef>,
    defaults: Vec<Value<'static>>,
    /// (column, start, end) of text values in `arena`.
    texts: Vec<(usize, usize, usize)>,
    values: Vec<Value<'static>>,
    arena: Vec<u8>,
}

impl RowBuf {
    fn new(def: Arc<TableDef>) -> RowBuf {
        let defaults: Vec<Value<'static>> = def.columns.iter().map(default_value).collect();
        RowBuf {
            values: defaults.clone(),
            defaults,
            def,
            texts: Vec::new(),
            arena: Vec::new(),
        }
    }

    fn col(&self, name: &str) -> usize {
        self.def
            .column_index(name)
            .unwrap_or_else(|| panic!("{}: no column {name}", self.def.name))
    }

    fn start(&mut self) {
        self.values.clone_from(&self.defaults);
        self.texts.clear();
        self.arena.clear();
    }

    fn set(&mut self, col: usize, v: Value<'static>) {
        self.values[col] = v;
    }

    /// Text for a column, written by `f` into the arena (cut to the column's byte length).
    fn text(&mut self, col: usize, f: impl FnOnce(&mut Vec<u8>)) {
        let start = self.arena.len();
        f(&mut self.arena);
        unescape(&mut self.arena, start);
        let max = self.def.columns[col].length as usize;
        cut(&mut self.arena, start, max);
        self.texts.push((col, start, self.arena.len()));
    }

    fn str(&mut self, col: usize, s: &str) {
        self.text(col, |b| b.extend_from_slice(s.as_bytes()));
    }

    fn write<W: io::Write>(&mut self, w: &mut MydWriter<W>) -> io::Result<()> {
        let mut values: Vec<Value<'_>> = self.values.clone();
        for &(col, s, e) in &self.texts {
            values[col] = Value::Text(&self.arena[s..e]);
        }
        w.write_row(&values)
    }
}

fn default_value(c: &Column) -> Value<'static> {
    match c.column_type {
        ColumnType::Blob if c.nullable => Value::Null,
        ColumnType::Char | ColumnType::VarChar | ColumnType::Blob => Value::Text(b""),
        ColumnType::Enum => Value::Enum(
            c.values
                .iter()
                .position(|v| v.is_empty())
                .map_or(1, |i| i + 1) as u16,
            "",
        ),
        ColumnType::Date | ColumnType::DateTime { .. } if c.nullable => Value::Null,
        ColumnType::Date => Value::Date(Date {
            year: 0,
            month: 0,
            day: 0,
        }),
        ColumnType::DateTime { .. } | ColumnType::LegacyDateTime => {
            Value::DateTime(datetime(T0 as u32))
        }
        ColumnType::Timestamp { .. } | ColumnType::LegacyTimestamp => ts(0),
        _ if c.unsigned => Value::UInt(0),
        _ => Value::Int(0),
    }
}

/// Writes a synthetic snapshot into `dir` (created if needed): `TABLE.frm`, `TABLE.MYD` and
/// `TABLE.MYI` for the ten tables. Returns what each table got.
pub fn write_snapshot(dir: &Path, opts: &SnapshotOptions) -> io::Result<Vec<TableStats>> {
    std::fs::create_dir_all(dir)?;
    let mut ctx = Ctx::new(opts.seed, 7);
    if opts.readable {
        ctx.readable = Some(super::titles::Kind::Mixed);
    }
    let model = Model {
        files: opts.files,
        editions: opts.editions.max(1),
        series: (opts.editions / 200).max(1),
        publishers: (opts.editions / 100).max(1),
        topic_key: rng::key(ctx.seed, tag::TOPIC),
        root_key: rng::key(ctx.seed, tag::ROOT),
        link_key: rng::key(ctx.seed, tag::LINK),
        first_id: opts.first_id,
        ctx,
    };
    let mut defs = Vec::new();
    for (name, frm, _) in TEMPLATES {
        let def = TableDef::from_frm(name, frm).map_err(io::Error::other)?;
        std::fs::write(dir.join(format!("{name}.frm")), frm)?;
        defs.push(Arc::new(def));
    }
    let def = |name: &str| {
        defs[TEMPLATES
            .iter()
            .position(|t| t.0 == name)
            .expect("known table")]
        .clone()
    };
    type Job<'a> = Box<dyn FnOnce() -> io::Result<TableStats> + Send + 'a>;
    let m = &model;
    let jobs: Vec<Job<'_>> = vec![
        Box::new({
            let d = def("editions");
            move || write_table(dir, d, |w| editions(m, w))
        }),
        Box::new({
            let d = def("editions_add_descr");
            move || write_table(dir, d, |w| editions_add_descr(m, w))
        }),
        Box::new({
            let d = def("files");
            move || write_table(dir, d, |w| files(m, w))
        }),
        Box::new({
            let d = def("editions_to_files");
            move || write_table(dir, d, |w| editions_to_files(m, w))
        }),
        Box::new({
            let d = def("works");
            move || write_table(dir, d, |w| works(m, w))
        }),
        Box::new({
            let d = def("works_to_editions");
            move || write_table(dir, d, |w| works_to_editions(m, w))
        }),
        Box::new({
            let d = def("files_add_descr");
            move || write_table(dir, d, |w| files_add_descr(m, w))
        }),
        Box::new({
            let d = def("series");
            move || write_table(dir, d, |w| series(m, w))
        }),
        Box::new({
            let d = def("publishers");
            move || write_table(dir, d, |w| publishers(m, w))
        }),
        Box::new({
            let d = def("elem_descr");
            move || write_table(dir, d, elem_descr)
        }),
    ];
    let queue = std::sync::Mutex::new(jobs.into_iter().enumerate().collect::<Vec<_>>());
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..opts.threads.clamp(1, 10) {
            s.spawn(|| loop {
                let job = queue.lock().expect("queue").pop();
                let Some((i, job)) = job else { break };
                let r = job();
                results.lock().expect("results").push((i, r));
            });
        }
    });
    let mut results = results.into_inner().expect("results");
    results.sort_by_key(|r| r.0);
    results.into_iter().map(|(_, r)| r).collect()
}

fn write_table(
    dir: &Path,
    def: Arc<TableDef>,
    fill: impl FnOnce(&mut MydWriter<BufWriter<File>>) -> io::Result<()>,
) -> io::Result<TableStats> {
    let name = TEMPLATES
        .iter()
        .find(|t| t.0 == def.name)
        .expect("known table");
    let out = BufWriter::with_capacity(1 << 20, File::create(dir.join(format!("{}.MYD", name.0)))?);
    let mut w = MydWriter::new(def, out);
    fill(&mut w)?;
    let (rows, bytes) = (w.rows(), w.bytes());
    w.finish()?;
    std::fs::write(
        dir.join(format!("{}.MYI", name.0)),
        myi_with_counts(name.2, rows, bytes)?,
    )?;
    Ok(TableStats {
        table: name.0,
        rows,
        bytes,
    })
}

/// The title and authors of edition `e` (those of its root).
fn title_and_authors(m: &Model, e: u64, lang: Lang, title: &mut Vec<u8>, authors: &mut Vec<u8>) {
    let root = m.root(e);
    let mut r = m.ctx.rng(super::text::tag::TITLE, root);
    m.ctx.title(title, lang, &mut r, false);
    let mut r = m.ctx.rng(super::text::tag::AUTHOR, root);
    let n = 1 + r.below(3).min(r.below(3)) as usize;
    m.ctx
        .people(authors, lang, &mut r, n, b", ", NameStyle::Book);
}

fn lang_of(m: &Model, e: u64, topic: usize) -> Lang {
    let mut r = m.ctx.rng(super::text::tag::LANG, m.root(e));
    pick_lang(&mut r, &TOPICS[topic].2)
}

fn editions<W: io::Write>(m: &Model, w: &mut MydWriter<W>) -> io::Result<()> {
    let mut row = RowBuf::new(w_def(w));
    let c = |n: &str| row.col(n);
    let (
        e_id,
        topic_c,
        type_c,
        series_name,
        title_c,
        author_c,
        publisher_c,
        city,
        edition_c,
        year_c,
    ) = (
        c("e_id"),
        c("libgen_topic"),
        c("type"),
        c("series_name"),
        c("title"),
        c("author"),
        c("publisher"),
        c("city"),
        c("edition"),
        c("year"),
    );
    let (pages, cover_url, cover_exists, issue_s_id, issue_number, issue_year_number, issue_volume) = (
        c("pages"),
        c("cover_url"),
        c("cover_exists"),
        c("issue_s_id"),
        c("issue_number"),
        c("issue_year_number"),
        c("issue_volume"),
    );
    let (doi, time_added, time_last_modified, visible, uid, month) = (
        c("doi"),
        c("time_added"),
        c("time_last_modified"),
        c("visible"),
        c("uid"),
        c("month"),
    );
    let mut title = Vec::new();
    let mut authors = Vec::new();
    for e in 0..m.editions {
        row.start();
        let topic = m.topic(e);
        let code = TOPICS[topic].0;
        let lang = lang_of(m, e, topic);
        let mut r = m.ctx.rng(tag::EDITION, e);
        row.set(e_id, Value::UInt(e + 1));
        row.set(topic_c, Value::Text(code.as_bytes()));
        row.str(
            type_c,
            match code {
                "a" => "journal-article",
                "m" => "magazine",
                "c" => "comics",
                "s" => "standard",
                _ => "book",
            },
        );
        title.clear();
        authors.clear();
        title_and_authors(m, e, lang, &mut title, &mut authors);
        row.text(title_c, |b| b.extend_from_slice(&title));
        if code != "m" && code != "s" {
            row.text(author_c, |b| b.extend_from_slice(&authors));
        }
        let pubn = rng::hash(rng::key(m.ctx.seed, tag::PUBLISHER), m.root(e)) % m.publishers;
        if code != "a" || r.chance(3000) {
            row.text(publisher_c, |b| publisher_name(m, pubn, b));
        }
        if r.chance(1500) {
            row.str(
                city,
                [
                    "Moscow", "New York", "London", "Berlin", "Paris", "Oxford", "Beijing",
                ][r.index(7)],
            );
        }
        if r.chance(1000) {
            row.str(edition_c, ["2nd", "3rd ed.", "Revised", "1st"][r.index(4)]);
        }
        let year = 2026
            - r.below(60)
                .min(r.below(80))
                .min(if code == "a" { r.below(30) } else { 99 });
        if !r.chance(500) {
            row.text(year_c, |b| b.extend_from_slice(year.to_string().as_bytes()));
        }
        if code != "a" && r.chance(8000) {
            row.text(pages, |b| {
                b.extend_from_slice((20 + r.below(900)).to_string().as_bytes())
            });
        }
        if matches!(code, "c" | "m") || r.chance(300) {
            let s = rng::hash(rng::key(m.ctx.seed, tag::SERIES), e) % m.series;
            row.set(issue_s_id, Value::Int(s as i64 + 1));
            row.text(issue_number, |b| {
                b.extend_from_slice((1 + r.below(52)).to_string().as_bytes())
            });
            row.text(issue_year_number, |b| {
                b.extend_from_slice((1 + r.below(12)).to_string().as_bytes())
            });
            if r.chance(4000) {
                row.text(issue_volume, |b| {
                    b.extend_from_slice((1 + r.below(40)).to_string().as_bytes())
                });
            }
            if code == "m" {
                let mo = 1 + r.below(12) as u16;
                row.set(month, Value::Enum(mo, ""));
            }
            if code != "l" && r.chance(2000) {
                row.text(series_name, |b| series_title(m, s, b));
            }
        }
        if code == "a" {
            row.text(doi, |b| write_doi(b, e, &mut r));
        }
        if matches!(code, "c" | "m" | "f") && r.chance(3000) {
            row.set(cover_exists, Value::Int(1));
            row.text(cover_url, |b| {
                b.extend_from_slice(
                    format!("https://covers.example.org/{}/{}.jpg", e / 1000, e).as_bytes(),
                )
            });
        }
        let added = m.time(e, m.editions, &mut r);
        row.set(time_added, ts(added));
        row.set(time_last_modified, ts(added + r.below(30 * 86_400) as u32));
        row.str(visible, withdrawn(&mut r));
        row.set(uid, Value::UInt(r.below(5000)));
        row.write(w)?;
    }
    Ok(())
}

fn w_def<W: io::Write>(w: &MydWriter<W>) -> Arc<TableDef> {
    w.def()
}

fn withdrawn(r: &mut Rng) -> &'static str {
    match r.below(1000) {
        0..12 => "cpr",
        12..20 => "del",
        20..25 => "no",
        _ => "",
    }
}

fn write_doi(b: &mut Vec<u8>, e: u64, r: &mut Rng) {
    let prefix = [1016, 1007, 1002, 1021, 1080, 1038, 1093, 1371, 1109, 1177][r.index(10)];
    b.extend_from_slice(format!("10.{prefix}/j.{}.{}", 1990 + r.below(36), e).as_bytes());
}

fn publisher_name(m: &Model, p: u64, b: &mut Vec<u8>) {
    let mut r = m.ctx.rng(tag::PUBLISHER, p);
    let lang = pick_lang(&mut r, &[70, 8, 6, 10, 4, 1, 1]);
    if m.ctx.readable.is_some() {
        // The demo: a real publisher's name (a MyISAM row needs no escaping).
        b.extend_from_slice(r.pick(super::data::book_publishers(lang)).as_bytes());
        return;
    }
    let n = 1 + r.index(2);
    m.ctx.words(b, lang, &mut r, n);
    b.extend_from_slice(
        [" Press", " Verlag", " Publishing", " & Sons", " Books", ""][r.index(6)].as_bytes(),
    );
}

fn series_title(m: &Model, s: u64, b: &mut Vec<u8>) {
    let mut r = m.ctx.rng(tag::SERIES, s);
    let lang = pick_lang(&mut r, &[70, 8, 6, 10, 4, 1, 1]);
    if m.ctx.readable.is_some() {
        super::titles::series(b, &mut r);
        return;
    }
    let n = 1 + r.index(3);
    m.ctx.words(b, lang, &mut r, n);
}

fn files<W: io::Write>(m: &Model, w: &mut MydWriter<W>) -> io::Result<()> {
    let mut row = RowBuf::new(w_def(w));
    let c = |n: &str| row.col(n);
    let (
        f_id,
        md5,
        pages,
        dpi,
        visible,
        time_added,
        time_last_modified,
        filesize,
        extension,
        locator,
    ) = (
        c("f_id"),
        c("md5"),
        c("pages"),
        c("dpi"),
        c("visible"),
        c("time_added"),
        c("time_last_modified"),
        c("filesize"),
        c("extension"),
        c("locator"),
    );
    // The column of a paper's path in its zip, and whether that path is its DOI.
    let papers_path = Collection::ALL
        .iter()
        .find_map(|c| c.info().snapshot_path)
        .expect("a collection in zips");
    let (broken, generic, file_create_date, topic_c, zip_path, is_doi, uid, color, scanned, ocr) = (
        c("broken"),
        c("generic"),
        c("file_create_date"),
        c("libgen_topic"),
        c(papers_path),
        c(&format!("{papers_path}_is_doi")),
        c("uid"),
        c("color"),
        c("scanned"),
        c("ocr"),
    );
    // Each topic's id column, in the order of TOPICS.
    let ids = TOPICS.map(|(letter, ..)| {
        let collection = Collection::from_topic(letter).expect("a topic of the description");
        c(collection.info().snapshot_id)
    });
    let mut next_id = [m.first_id; 7];
    for f in 0..m.files {
        row.start();
        let e = m.edition_of(f);
        let topic = m.topic(e);
        let code = TOPICS[topic].0;
        let mut r = m.ctx.rng(tag::FILE, f);
        row.set(f_id, Value::UInt(f + 1));
        let (hi, lo) = m.ctx.md5(f);
        row.text(md5, |b| {
            b.extend_from_slice(format!("{hi:016x}{lo:016x}").as_bytes())
        });
        next_id[topic] += 1 + (r.chance(100) as u64) * r.below(20);
        row.set(ids[topic], Value::UInt(next_id[topic]));
        row.set(topic_c, Value::Text(code.as_bytes()));
        let (ext, lo_size, hi_size): (&str, u64, u64) = match code {
            "a" => ("pdf", 60_000, 8_000_000),
            "l" => (
                ["pdf", "pdf", "djvu", "epub", "pdf", "chm", "djvu", "zip"][r.index(8)],
                300_000,
                120_000_000,
            ),
            "f" => (
                ["epub", "epub", "fb2", "mobi", "pdf", "azw3", "epub", "rtf"][r.index(8)],
                80_000,
                6_000_000,
            ),
            "r" => (
                ["fb2", "fb2", "fb2", "epub", "doc", "txt"][r.index(6)],
                40_000,
                3_000_000,
            ),
            "c" => (
                ["cbr", "cbz", "cbz", "cbr", "pdf"][r.index(5)],
                4_000_000,
                250_000_000,
            ),
            "m" => (
                ["pdf", "pdf", "pdf", "djvu", "epub"][r.index(5)],
                2_000_000,
                180_000_000,
            ),
            _ => ("pdf", 100_000, 30_000_000),
        };
        row.set(filesize, Value::UInt(file_size(&mut r, lo_size, hi_size)));
        row.str(extension, ext);
        if code == "a" {
            row.text(zip_path, |b| {
                write_doi(b, e, &mut r);
                b.extend_from_slice(b".pdf");
            });
            row.set(is_doi, Value::Int(1));
        } else {
            row.text(locator, |b| {
                b.extend_from_slice(b"lib/");
                b.extend_from_slice((f / 1000).to_string().as_bytes());
                b.push(b'/');
                let n = 1 + r.index(4);
                m.ctx.words(b, Lang::En, &mut r, n);
                b.push(b'.');
                b.extend_from_slice(ext.as_bytes());
            });
            if matches!(code, "l" | "m" | "c") {
                row.set(pages, Value::UInt(20 + r.below(800)));
                if r.chance(3000) {
                    row.text(dpi, |b| {
                        b.extend_from_slice([b"300".as_slice(), b"600", b"150"][r.index(3)])
                    });
                }
                row.set(color, Value::Enum(1 + r.below(3) as u16, ""));
                row.set(scanned, Value::Enum(1 + r.below(3) as u16, ""));
                row.set(ocr, Value::Enum(1 + r.below(3) as u16, ""));
            }
        }
        row.str(visible, withdrawn(&mut r));
        row.str(broken, if r.chance(50) { "Y" } else { "N" });
        if f > 10 && r.chance(200) {
            let (ghi, glo) = m.ctx.md5(f - 1 - r.below(f.min(1000)));
            row.text(generic, |b| {
                b.extend_from_slice(format!("{ghi:016x}{glo:016x}").as_bytes())
            });
        }
        let added = m.time(f, m.files, &mut r);
        row.set(time_added, Value::DateTime(datetime(added)));
        row.set(
            time_last_modified,
            Value::DateTime(datetime(added + r.below(90 * 86_400) as u32)),
        );
        row.set(
            file_create_date,
            Value::DateTime(datetime(added - r.below(400 * 86_400) as u32)),
        );
        row.set(uid, Value::UInt(r.below(5000)));
        row.write(w)?;
    }
    Ok(())
}

fn editions_to_files<W: io::Write>(m: &Model, w: &mut MydWriter<W>) -> io::Result<()> {
    let def = w_def(w);
    let mut id = 0u64;
    for f in 0..m.files {
        let e = m.edition_of(f);
        let mut r = m.ctx.rng(tag::LINK, f);
        let added = m.time(f, m.files, &mut r);
        let mut link = |e: u64, w: &mut MydWriter<W>| -> io::Result<()> {
            id += 1;
            let t = Value::DateTime(datetime(added));
            let row = [
                Value::UInt(id),
                Value::UInt(f + 1),
                Value::UInt(e + 1),
                t,
                t,
                Value::UInt(0),
            ];
            w.write_row(&row[..def.columns.len()])
        };
        link(e, w)?;
        if rng::hash(m.link_key, f) % 100 < 3 && m.editions > 1 {
            let other = (e + 1 + r.below(m.editions - 1)) % m.editions;
            link(other, w)?;
        }
    }
    Ok(())
}

/// Writes one `*_add_descr` row: `entry` is (its id, the edition or file it describes, the key).
fn add_descr_row<W: io::Write>(
    row: &mut RowBuf,
    w: &mut MydWriter<W>,
    cols: &[usize; 6],
    entry: (u64, u64, u64),
    value: &[u8],
    added: u32,
) -> io::Result<()> {
    let (id, owner, key) = entry;
    row.start();
    row.set(cols[0], Value::UInt(id));
    row.set(cols[1], Value::UInt(owner));
    row.set(cols[2], Value::UInt(key));
    row.text(cols[3], |b| b.extend_from_slice(value));
    // value_hash: a 64-bit hash of the value, as the real table keeps for its unique key.
    let h = value.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &c| {
        (h ^ c as u64).wrapping_mul(0x100_0000_01b3)
    });
    row.set(cols[4], Value::UInt(h));
    row.set(cols[5], ts(added));
    row.write(w)
}

fn editions_add_descr<W: io::Write>(m: &Model, w: &mut MydWriter<W>) -> io::Result<()> {
    let mut row = RowBuf::new(w_def(w));
    let cols = [
        row.col("e_add_id"),
        row.col("e_id"),
        row.col("key"),
        row.col("value"),
        row.col("value_hash"),
        row.col("time_added"),
    ];
    let mut id = 0u64;
    let mut value = Vec::new();
    for e in 0..m.editions {
        let topic = m.topic(e);
        let code = TOPICS[topic].0;
        let lang = lang_of(m, e, topic);
        let mut r = m.ctx.rng(tag::DESCR, e);
        let added = m.time(e, m.editions, &mut r);
        if code != "a" && !r.chance(1000) {
            id += 1;
            add_descr_row(
                &mut row,
                w,
                &cols,
                (id, e + 1, 101),
                LANGUAGE_NAMES[lang as usize].as_bytes(),
                added,
            )?;
        }
        if matches!(code, "l" | "f" | "r") {
            for _ in 0..r.below(3).min(r.below(4)) {
                value.clear();
                super::ids::Isbn::random(&mut r, lang).write13(&mut value, false);
                id += 1;
                add_descr_row(&mut row, w, &cols, (id, e + 1, 505), &value, added)?;
            }
        }
        if code == "a" && r.chance(2500) {
            value.clear();
            super::ids::write_issn(&mut value, &super::ids::random_issn(&mut r));
            id += 1;
            add_descr_row(&mut row, w, &cols, (id, e + 1, 201), &value, added)?;
        }
        if r.chance(800) {
            value.clear();
            let chars = 100 + r.below(1500) as usize;
            m.ctx.description(&mut value, lang, &mut r, chars);
            unescape(&mut value, 0);
            id += 1;
            add_descr_row(&mut row, w, &cols, (id, e + 1, 102), &value, added)?;
        }
    }
    Ok(())
}

fn files_add_descr<W: io::Write>(m: &Model, w: &mut MydWriter<W>) -> io::Result<()> {
    let mut row = RowBuf::new(w_def(w));
    let cols = [
        row.col("f_add_id"),
        row.col("f_id"),
        row.col("key"),
        row.col("value"),
        row.col("value_hash"),
        row.col("time_added"),
    ];
    let mut id = 0;
    for f in 0..m.files {
        let mut r = m.ctx.rng(tag::DESCR ^ 0xF11E, f);
        if r.chance(2000) {
            id += 1;
            let source = ["scan", "retail", "web", "ocr", "converted"][r.index(5)];
            let added = m.time(f, m.files, &mut r);
            add_descr_row(
                &mut row,
                w,
                &cols,
                (id, f + 1, 701),
                source.as_bytes(),
                added,
            )?;
        }
    }
    Ok(())
}

fn works<W: io::Write>(m: &Model, w: &mut MydWriter<W>) -> io::Result<()> {
    let mut row = RowBuf::new(w_def(w));
    let (w_id, topic_c, title_c, author_c, time_added) = (
        row.col("w_id"),
        row.col("libgen_topic"),
        row.col("title"),
        row.col("author"),
        row.col("time_added"),
    );
    let (mut title, mut authors) = (Vec::new(), Vec::new());
    for e in 0..m.editions {
        if m.root(e) != e {
            continue;
        }
        row.start();
        let topic = m.topic(e);
        let lang = lang_of(m, e, topic);
        title.clear();
        authors.clear();
        title_and_authors(m, e, lang, &mut title, &mut authors);
        row.set(w_id, Value::UInt(e + 1));
        row.set(topic_c, Value::Text(TOPICS[topic].0.as_bytes()));
        row.text(title_c, |b| b.extend_from_slice(&title));
        row.text(author_c, |b| b.extend_from_slice(&authors));
        let mut r = m.ctx.rng(tag::EDITION, e);
        row.set(time_added, ts(m.time(e, m.editions, &mut r)));
        row.write(w)?;
    }
    Ok(())
}

fn works_to_editions<W: io::Write>(m: &Model, w: &mut MydWriter<W>) -> io::Result<()> {
    for e in 0..m.editions {
        let mut r = m.ctx.rng(tag::EDITION, e);
        let t = Value::DateTime(datetime(m.time(e, m.editions, &mut r)));
        let row = [
            Value::UInt(e + 1),
            Value::UInt(m.root(e) + 1),
            Value::UInt(e + 1),
            t,
            t,
            Value::UInt(0),
        ];
        w.write_row(&row)?;
    }
    Ok(())
}

fn series<W: io::Write>(m: &Model, w: &mut MydWriter<W>) -> io::Result<()> {
    let mut row = RowBuf::new(w_def(w));
    let (s_id, topic_c, title_c, type_c, added_c, modified_c) = (
        row.col("s_id"),
        row.col("libgen_topic"),
        row.col("title"),
        row.col("type"),
        row.col("time_added"),
        row.col("time_last_modified"),
    );
    for s in 0..m.series {
        row.start();
        let mut r = m.ctx.rng(tag::SERIES ^ 0x5E, s);
        let magazine = r.chance(5000);
        row.set(s_id, Value::UInt(s + 1));
        row.set(topic_c, Value::Text(if magazine { b"m" } else { b"c" }));
        row.text(title_c, |b| series_title(m, s, b));
        row.str(type_c, if magazine { "mag" } else { "com" });
        let t = Value::DateTime(datetime(m.time(s, m.series, &mut r)));
        row.set(added_c, t);
        row.set(modified_c, t);
        row.write(w)?;
    }
    Ok(())
}

fn publishers<W: io::Write>(m: &Model, w: &mut MydWriter<W>) -> io::Result<()> {
    let mut row = RowBuf::new(w_def(w));
    let (p_id, title_c, added_c, modified_c) = (
        row.col("p_id"),
        row.col("title"),
        row.col("time_added"),
        row.col("time_last_modified"),
    );
    for p in 0..m.publishers {
        row.start();
        let mut r = m.ctx.rng(tag::PUBLISHER ^ 0x9B, p);
        row.set(p_id, Value::UInt(p + 1));
        row.text(title_c, |b| publisher_name(m, p, b));
        let t = Value::DateTime(datetime(m.time(p, m.publishers, &mut r)));
        row.set(added_c, t);
        row.set(modified_c, t);
        row.write(w)?;
    }
    Ok(())
}

/// The keys of the `*_add_descr` tables, as in the real `elem_descr` (101 language, 505 ISBN).
const KEYS: [(u64, &str, &str, bool); 12] = [
    (101, "Язык", "Language", false),
    (102, "Описание", "Description", false),
    (103, "Оглавление", "Table of contents", false),
    (201, "ISSN", "ISSN", false),
    (301, "DOI", "DOI", false),
    (401, "Жанр", "Genre", false),
    (402, "Тема", "Topic", false),
    (505, "ISBN", "ISBN", false),
    (506, "ASIN", "ASIN", false),
    (601, "Google Books ID", "Google Books ID", false),
    (602, "OpenLibrary ID", "OpenLibrary ID", false),
    (701, "Источник файла", "File source", true),
];

fn elem_descr<W: io::Write>(w: &mut MydWriter<W>) -> io::Result<()> {
    let mut row = RowBuf::new(w_def(w));
    let (key, name_ru, name_en, for_editions, for_files) = (
        row.col("key"),
        row.col("name_ru"),
        row.col("name_en"),
        row.col("for_editions"),
        row.col("for_files"),
    );
    for (k, ru, en, files) in KEYS {
        row.start();
        row.set(key, Value::UInt(k));
        row.str(name_ru, ru);
        row.str(name_en, en);
        row.set(for_editions, Value::Int(!files as i64));
        row.set(for_files, Value::Int(files as i64));
        row.write(w)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::myisam::{ReaderOptions, TableFiles};

    #[test]
    fn a_small_snapshot_reads_back_whole_and_consistent() {
        let dir = tempfile::tempdir().unwrap();
        let opts = SnapshotOptions {
            files: 3000,
            editions: 4500,
            seed: 7,
            threads: 2,
            first_id: 0,
            readable: false,
        };
        let stats = write_snapshot(dir.path(), &opts).unwrap();
        assert_eq!(stats.len(), 10);
        let rows = |t: &str| stats.iter().find(|s| s.table == t).unwrap().rows;
        assert_eq!(
            (rows("files"), rows("editions"), rows("works_to_editions")),
            (3000, 4500, 4500)
        );
        assert!(rows("editions_to_files") > 3000 && rows("editions_to_files") < 3300);
        assert!(rows("editions_add_descr") > 1000, "{stats:?}");
        assert!(rows("works") < 4500 && rows("works") > 3500);
        for s in &stats {
            let t = TableFiles::open(dir.path(), s.table).unwrap();
            assert_eq!(t.header.rows, s.rows);
            let mut reader = t.rows(ReaderOptions::default()).unwrap();
            let mut n = 0;
            while let Some(row) = reader.next_row().unwrap() {
                for v in row.values() {
                    let _ = v.to_string();
                }
                n += 1;
            }
            assert_eq!(n, s.rows, "{}", s.table);
            reader.stats().check_rows(s.table, &t.header).unwrap();
        }
        // Every topic is there, files and editions agree on it, and MD5s are unique.
        let f = TableFiles::open(dir.path(), "files").unwrap();
        let (topic, md5) = (
            f.def.column_index("libgen_topic").unwrap(),
            f.def.column_index("md5").unwrap(),
        );
        let mut topics = std::collections::BTreeMap::new();
        let mut md5s = std::collections::HashSet::new();
        let mut reader = f.rows(ReaderOptions::default()).unwrap();
        while let Some(row) = reader.next_row().unwrap() {
            *topics
                .entry(row.get(topic).as_str().unwrap().to_string())
                .or_insert(0) += 1;
            assert_eq!(row.get(md5).as_str().unwrap().len(), 32);
            assert!(md5s.insert(row.get(md5).as_str().unwrap().to_string()));
        }
        assert_eq!(topics.len(), 7, "{topics:?}");
        assert!(
            topics["a"] > topics["l"] && topics["l"] > topics["s"],
            "{topics:?}"
        );
        // The same options give the same bytes.
        let again = tempfile::tempdir().unwrap();
        write_snapshot(again.path(), &opts).unwrap();
        for s in &stats {
            let a = std::fs::read(dir.path().join(format!("{}.MYD", s.table))).unwrap();
            let b = std::fs::read(again.path().join(format!("{}.MYD", s.table))).unwrap();
            assert!(a == b, "{}", s.table);
        }
    }
}
