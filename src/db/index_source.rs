//! The catalog as the index builder reads it: one blocking, read-only rusqlite connection in
//! one read transaction, each collection's rows as [`IndexRow`]s (named fields, keyed by
//! `(Collection, id)`) handed to a callback one at a time in the table's own order, the lookup
//! tables the documents need, the counts and the last import. Owns the SQL of those reads;
//! must not touch the index (that is `search::indexer`) or write anything.
//!
//! Memory is bounded whatever the table: one row buffer is filled in place per row (its strings
//! keep their capacity from row to row), and nothing of a table is collected.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::Connection;

use crate::Collection;

/// One catalog row as the index reads it. Fields a collection's table does not have are empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexRow {
    /// The record's collection.
    pub collection: Collection,
    /// Its id in the collection (negative ids read as 0).
    pub id: u64,
    /// Title (papers' titles may hold HTML).
    pub title: String,
    /// Volume (`volume_info`, `volume`).
    pub volume: String,
    /// Series.
    pub series: String,
    /// Periodical (sci-tech) or issue (the snapshot's collections).
    pub periodical: String,
    /// Author (may hold HTML).
    pub author: String,
    /// Publisher.
    pub publisher: String,
    /// Edition.
    pub edition: String,
    /// Tags (sci-tech).
    pub tags: String,
    /// Topic id (sci-tech), a key of [`Lookups::topics`].
    pub topic: String,
    /// MD5.
    pub md5: String,
    /// DOI.
    pub doi: String,
    /// ISBNs or other identifiers (`identifier`, papers' `isbn`).
    pub identifier: String,
    /// Identifiers without dashes (sci-tech).
    pub identifier_wodash: String,
    /// ISSN (papers: the print ISSN).
    pub issn: String,
    /// Language as written in the dump.
    pub language: String,
    /// File extension (papers: `pdf`).
    pub extension: String,
    /// Year as written in the dump.
    pub year: String,
    /// File size in bytes (negative or missing: 0).
    pub filesize: u64,
    /// When it was added, if known.
    pub time_added: Option<String>,
    /// Non-empty when withdrawn.
    pub visible: String,
    /// Non-empty when superseded by another record (its MD5).
    pub generic: String,
    /// Journal name (papers).
    pub journal: String,
    /// Journal id (papers), a key of the journal tables of [`Lookups`].
    pub journal_id: String,
    /// Electronic ISSN (papers).
    pub issne: String,
    /// PubMed id (papers).
    pub pubmed_id: String,
}

impl IndexRow {
    /// An empty row of `collection`.
    pub fn empty(collection: Collection) -> Self {
        IndexRow {
            collection,
            id: 0,
            title: String::new(),
            volume: String::new(),
            series: String::new(),
            periodical: String::new(),
            author: String::new(),
            publisher: String::new(),
            edition: String::new(),
            tags: String::new(),
            topic: String::new(),
            md5: String::new(),
            doi: String::new(),
            identifier: String::new(),
            identifier_wodash: String::new(),
            issn: String::new(),
            language: String::new(),
            extension: String::new(),
            year: String::new(),
            filesize: 0,
            time_added: None,
            visible: String::new(),
            generic: String::new(),
            journal: String::new(),
            journal_id: String::new(),
            issne: String::new(),
            pubmed_id: String::new(),
        }
    }

    /// The record's key.
    pub fn key(&self) -> (Collection, u64) {
        (self.collection, self.id)
    }
}

/// The lookup tables the documents need: topics, journals and DOI-prefix publishers (pairs
/// with an empty key or value are left out).
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    /// Sci-tech topic id → its English description.
    pub topics: HashMap<String, String>,
    /// Journal row id (as text) → journal name.
    pub journals_by_id: HashMap<String, String>,
    /// Journal id → journal name.
    pub journals_by_journal_id: HashMap<String, String>,
    /// DOI prefix (lower case) → publisher.
    pub publishers: HashMap<String, String>,
}

/// The columns of a collection's table in [`IndexRow`]'s order (`''` where it has none).
fn columns(collection: Collection) -> String {
    let slug = collection.slug();
    match collection {
        Collection::Libgen => format!(
            "id, title, volume_info, series, periodical, author, publisher, edition, tags, topic, md5, doi, \
             identifier, identifier_wodash, issn, language, extension, year, filesize, time_added, visible, generic, \
             '', '', '', '' FROM {slug}"
        ),
        Collection::Fiction => format!(
            "id, title, '', series, '', author, publisher, edition, '', '', md5, '', identifier, '', '', \
             language, extension, year, filesize, time_added, visible, generic, '', '', '', '' FROM {slug}"
        ),
        Collection::Scimag => format!(
            "id, title, '', '', '', author, '', '', '', '', md5, doi, isbn, '', issnp, '', 'pdf', year, \
             filesize, time_added, visible, '', journal, journal_id, issne, pubmed_id FROM {slug}"
        ),
        // The collections only the libgen.li snapshot has: its common layout.
        _ => format!(
            "id, title, volume, series, issue, author, publisher, edition, '', '', md5, doi, \
             identifier, '', issn, language, extension, year, filesize, time_added, visible, generic, \
             '', '', '', '' FROM {slug}"
        ),
    }
}

/// A text column into `out`, in place (NULL: empty). Like rusqlite's `Option<String>`: other
/// types than text are an error.
fn text(r: &rusqlite::Row<'_>, i: usize, out: &mut String) -> rusqlite::Result<()> {
    out.clear();
    match r.get_ref(i)? {
        ValueRef::Null => Ok(()),
        ValueRef::Text(bytes) => {
            let s = std::str::from_utf8(bytes).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    i,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?;
            out.push_str(s);
            Ok(())
        }
        other => Err(rusqlite::Error::InvalidColumnType(
            i,
            r.as_ref().column_name(i).unwrap_or("?").to_string(),
            other.data_type(),
        )),
    }
}

/// A count column (NULL or negative: 0).
fn count(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<u64> {
    Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as u64)
}

/// The catalog opened for an index build or update.
#[derive(Debug)]
pub struct IndexSource {
    conn: Connection,
}

impl IndexSource {
    /// Opens the catalog read-only. It is read in order, once: through SQLite's page cache, not
    /// a memory map whose pages would count in the process's resident memory beside the index
    /// writer's budget.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = super::blocking::open_read_only(path, std::time::Duration::from_secs(10))?;
        conn.execute_batch("PRAGMA cache_size = -16384; PRAGMA mmap_size = 0;")?;
        Ok(IndexSource { conn })
    }

    /// Starts the read transaction: what follows reads one consistent snapshot, even if an
    /// import commits meanwhile.
    pub fn begin(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("BEGIN")
    }

    /// Ends the read transaction.
    pub fn commit(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("COMMIT")
    }

    /// The catalog's last import (0: none).
    pub fn last_import(&self) -> rusqlite::Result<i64> {
        self.conn
            .query_row("SELECT coalesce(max(id), 0) FROM imports", [], |r| r.get(0))
    }

    /// Records of every collection.
    pub fn records(&self) -> rusqlite::Result<u64> {
        let sql = format!(
            "SELECT {}",
            Collection::ALL
                .iter()
                .map(|c| format!("(SELECT count(*) FROM {})", c.slug()))
                .collect::<Vec<_>>()
                .join(" + ")
        );
        Ok(self.conn.query_row(&sql, [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Records of every collection inserted or changed by imports after `import_id`.
    pub fn changed_since(&self, import_id: i64) -> rusqlite::Result<u64> {
        let mut n = 0u64;
        for c in Collection::ALL {
            let count: i64 = self.conn.query_row(
                &format!("SELECT count(*) FROM {} WHERE import_id > ?1", c.slug()),
                [import_id],
                |r| r.get(0),
            )?;
            n += count.max(0) as u64;
        }
        Ok(n)
    }

    /// The lookup tables.
    pub fn lookups(&self) -> rusqlite::Result<Lookups> {
        let pairs = |sql: &str| -> rusqlite::Result<HashMap<String, String>> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                ))
            })?;
            rows.filter(|r| {
                r.as_ref()
                    .map_or(true, |(k, v)| !k.is_empty() && !v.is_empty())
            })
            .collect()
        };
        let mut lookups = Lookups {
            topics: pairs(
                "SELECT CAST(topic_id AS TEXT), topic_descr FROM libgen_topics WHERE lang = 'en'",
            )?,
            ..Lookups::default()
        };
        // The journal and publisher tables of the collections that have them (papers).
        for c in Collection::ALL {
            let tables = c.tables();
            if let Some(journals) = tables.journals {
                lookups.journals_by_id.extend(pairs(&format!(
                    "SELECT CAST(id AS TEXT), magazine FROM {journals}"
                ))?);
                lookups.journals_by_journal_id.extend(pairs(&format!(
                    "SELECT journal_id, magazine FROM {journals}"
                ))?);
            }
            if let Some(publishers) = tables.publishers {
                lookups.publishers.extend(pairs(&format!(
                    "SELECT lower(doi_code), publisher FROM {publishers}"
                ))?);
            }
        }
        Ok(lookups)
    }

    /// Hands the rows of `collection` (all, or those changed by imports after `since`) to `each`
    /// one at a time, in the table's order. The row is reused: `each` copies what it keeps.
    pub fn for_each_row<E: From<rusqlite::Error>>(
        &self,
        collection: Collection,
        since: Option<i64>,
        mut each: impl FnMut(&IndexRow) -> Result<(), E>,
    ) -> Result<(), E> {
        let filter = if since.is_some() {
            "WHERE import_id > ?1"
        } else {
            "WHERE ?1 IS NULL"
        };
        let sql = format!("SELECT {} {filter}", columns(collection));
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query([since])?;
        let mut row = IndexRow::empty(collection);
        while let Some(r) = rows.next()? {
            row.id = count(r, 0)?;
            text(r, 1, &mut row.title)?;
            text(r, 2, &mut row.volume)?;
            text(r, 3, &mut row.series)?;
            text(r, 4, &mut row.periodical)?;
            text(r, 5, &mut row.author)?;
            text(r, 6, &mut row.publisher)?;
            text(r, 7, &mut row.edition)?;
            text(r, 8, &mut row.tags)?;
            text(r, 9, &mut row.topic)?;
            text(r, 10, &mut row.md5)?;
            text(r, 11, &mut row.doi)?;
            text(r, 12, &mut row.identifier)?;
            text(r, 13, &mut row.identifier_wodash)?;
            text(r, 14, &mut row.issn)?;
            text(r, 15, &mut row.language)?;
            text(r, 16, &mut row.extension)?;
            text(r, 17, &mut row.year)?;
            row.filesize = count(r, 18)?;
            row.time_added = r.get(19)?;
            text(r, 20, &mut row.visible)?;
            text(r, 21, &mut row.generic)?;
            text(r, 22, &mut row.journal)?;
            text(r, 23, &mut row.journal_id)?;
            text(r, 24, &mut row.issne)?;
            text(r, 25, &mut row.pubmed_id)?;
            each(&row)?;
        }
        Ok(())
    }
}
