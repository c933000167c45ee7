//! Synthetic Library Genesis dumps for benchmarks and scale tests.
//!
//! [`write_dump`] writes a complete `mysqldump` file for one collection, laid out like the
//! published dumps (the MariaDB 10.11 samples in `tests/fixtures/dumps/*-oneline.sql`): the
//! same header and footer, `DROP TABLE` / `CREATE TABLE` with the real column lists,
//! `LOCK TABLES`, `ALTER TABLE ... DISABLE KEYS`, extended `INSERT`s of about
//! [`SynthOptions::statement_bytes`] each (one statement a line, tuples joined by `),(`),
//! `UNLOCK TABLES;`, and for libgen the trigger block and the empty `updated_edited` table.
//!
//! - libgen: `description` (~30 % of the books, 100–2000 characters, a third of them HTML),
//!   `hashes` (~50 %), `topics` (80 rows, English and Russian), `updated` (the books).
//! - fiction: `fiction` (upper-case MD5, ~1 % NULL), `fiction_description` (~30 %),
//!   `fiction_hashes` (~50 %).
//! - papers: `magazines` (up to 3000 journals), `publishers` (400 DOI prefixes, the real big
//!   ones first), then the papers' own table (`Journal` empty in ~40 % of them, with `JOURNALID`
//!   naming a `magazines` row by its `ID`, which equals its `JOURNALID`).
//!
//! The output depends only on the options: the random numbers come from a SplitMix64 written
//! here and every draw uses integer arithmetic, so a seed gives the same bytes forever. Each row
//! draws from its own stream keyed by (seed, purpose, row index), so the tables that refer to
//! the books (descriptions, hashes, other editions) recompute what they need: memory stays
//! constant (a few MB for the vocabulary) whatever the number of rows.
//!
//! Rows look like the real ones: titles of 2–14 Zipf-drawn words from a 50 000-word vocabulary
//! in English, German, French (with diacritics), Russian, Greek, Arabic and Chinese (no spaces),
//! 1–3 authors (up to 8 `;`-separated for papers), publishers, free-text years and languages,
//! ISBN-13/ISBN-10 with valid check digits, unique MD5s (papers' MD5s repeat now and then, as in
//! the real table), unique DOIs of the real shapes (~5 % SICI), ~2 % withdrawn rows, ~3 % other
//! editions of an earlier book (same title and authors, `Generic` = the earlier MD5), and now
//! and then quotes, apostrophes, backslashes, newlines, CR, TAB, NUL and Ctrl-Z to exercise the
//! escaping.

use std::io::{self, Write};

use crate::Collection;

mod books;
mod data;
mod fiction;
mod ids;
mod libgen;
mod out;
mod papers;
mod rng;
mod schema;
mod snapshot;
mod text;
mod titles;
mod words;

pub use snapshot::{write_snapshot, SnapshotOptions, TableStats};

#[cfg(test)]
mod tests;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthOptions {
    /// Which dump: a collection with a classic dump ([`crate::collection::Classic`]).
    pub collection: Collection,
    /// Rows of the main table ([`Collection::dump_table`]).
    pub rows: u64,
    /// The seed; the same options always give the same bytes.
    pub seed: u64,
    /// The ID of the first row; later IDs ascend with occasional gaps.
    pub first_id: u64,
    /// `mysqldump`'s `net_buffer_length`: an `INSERT` statement is closed before it would grow
    /// past this many bytes (a single larger row still gets its own statement).
    pub statement_bytes: usize,
    /// Real books planted among the generated sci-tech rows (spread evenly; their title,
    /// authors, language and year replace the generated ones, and they are neither withdrawn nor
    /// another edition): the known items of the relevance benchmark.
    pub planted: Vec<Planted>,
    /// Titles and descriptions that read as such (the demo), instead of the benchmarks' word
    /// salad; off by default, and the default output for a seed is unchanged.
    pub readable: bool,
}

/// A real book written into a generated dump (see [`SynthOptions::planted`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planted {
    /// Title.
    pub title: String,
    /// Authors, as the catalogs write them.
    pub author: String,
    /// The `Language` field.
    pub language: String,
    /// Year.
    pub year: u64,
}

impl SynthOptions {
    /// The book planted at row `i`, if any.
    pub(crate) fn planted_at(&self, i: u64) -> Option<&Planted> {
        let n = self.planted.len() as u64;
        if n == 0 || self.rows <= n {
            return self.planted.get(i as usize);
        }
        // Book k at row (k + 1) * rows / (n + 1), k = 0..n.
        let at = |k: u64| (k + 1) * self.rows / (n + 1);
        let k = i * (n + 1) / self.rows;
        [k.saturating_sub(1), k, k + 1]
            .into_iter()
            .find(|&k| k < n && at(k) == i)
            .map(|k| &self.planted[k as usize])
    }
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            collection: Collection::Libgen,
            rows: 1000,
            seed: 1,
            first_id: 1,
            statement_bytes: 1 << 20,
            planted: Vec::new(),
            readable: false,
        }
    }
}

impl SynthOptions {
    /// Default options for `rows` rows of a collection.
    pub fn new(collection: Collection, rows: u64) -> Self {
        SynthOptions {
            collection,
            rows,
            ..SynthOptions::default()
        }
    }
}

/// What [`write_dump`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SynthStats {
    /// Rows of the main table.
    pub rows: u64,
    /// Bytes written in all.
    pub bytes: u64,
}

/// Writes a complete synthetic dump of `opts.collection` to `out`, streaming (the writer gets
/// chunks of about 512 KiB; wrap nothing in a `BufWriter`).
pub fn write_dump<W: Write>(opts: &SynthOptions, out: W) -> io::Result<SynthStats> {
    let salt = match opts.collection {
        Collection::Libgen => 0,
        Collection::Fiction => 1,
        Collection::Scimag => 2,
        c => {
            return Err(io::Error::other(format!(
            "{} has no classic dump: the libgen.li snapshot generator writes it (`write_snapshot`)",
            c.label()
        )))
        }
    };
    let mut ctx = text::Ctx::new(opts.seed, salt);
    if opts.readable {
        ctx.readable = Some(match opts.collection {
            Collection::Fiction => titles::Kind::Novel,
            Collection::Scimag => titles::Kind::Paper,
            _ => titles::Kind::Book,
        });
    }
    let mut dump = out::Dump::new(out, opts.statement_bytes);
    dump.header(opts.collection.slug());
    match opts.collection {
        Collection::Libgen => libgen::write(&mut dump, &ctx, opts)?,
        Collection::Fiction => fiction::write(&mut dump, &ctx, opts)?,
        Collection::Scimag => papers::write(&mut dump, &ctx, opts)?,
        _ => unreachable!("refused above"),
    }
    let bytes = dump.finish()?;
    Ok(SynthStats {
        rows: opts.rows,
        bytes,
    })
}
