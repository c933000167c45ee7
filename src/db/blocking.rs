//! Blocking reads of the catalog through a plain rusqlite connection, for the code that runs
//! off the async runtime: the search engine's identifier look-ups (one MD5 or DOI in a search,
//! lists of them in a batch look-up). Read-only; table names come from [`Collection`]'s
//! `Display` (its slug), values are always bound.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::Collection;

/// The catalog at `path` opened read-only for one thread's blocking reads, waiting up to `wait`
/// on a writer's lock.
pub(crate) fn open_read_only(path: &Path, wait: Duration) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(wait)?;
    Ok(conn)
}

/// A read-only connection to the catalog for blocking code (the search engine's identifier
/// look-ups), used by one caller at a time: `db` opens and owns it, its users borrow it.
pub struct Reader(Mutex<Connection>);

impl Reader {
    /// Opens the catalog at `path` read-only (waiting up to 5 s on a writer's lock).
    pub fn open(path: &Path) -> rusqlite::Result<Reader> {
        Ok(Reader(Mutex::new(open_read_only(
            path,
            Duration::from_secs(5),
        )?)))
    }

    /// The connection, for the reads of this module. A lock poisoned by a panicking reader is
    /// taken over: reads leave nothing half-done.
    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The column a record is found by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Its file's MD5 (lower case).
    Md5,
    /// Its DOI, case-insensitively (papers).
    Doi,
}

/// `(id, visible)` of the records of `collection` whose MD5 or DOI is `value`, by id.
pub fn ids_by(
    conn: &Connection,
    collection: Collection,
    by: By,
    value: &str,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let condition = match by {
        By::Md5 => "md5 = ?1",
        // `COLLATE NOCASE` on the column makes the comparison, and so the index used, the
        // case-insensitive one (the papers' DOI index).
        By::Doi => "doi = ?1 COLLATE NOCASE",
    };
    let sql =
        format!("SELECT id, coalesce(visible, '') FROM {collection} WHERE {condition} ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([value], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// `(md5, id)` of the records of `collection` whose MD5 is in `md5s_json` (a JSON array of
/// lower-case MD5s).
pub fn ids_of_md5s(
    conn: &Connection,
    collection: Collection,
    md5s_json: &str,
) -> rusqlite::Result<Vec<(String, i64)>> {
    let sql =
        format!("SELECT md5, id FROM {collection} WHERE md5 IN (SELECT value FROM json_each(?1))");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([md5s_json], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// `(doi in lower case, id)` of the papers whose DOI is in `dois_json` (a JSON array of
/// lower-case DOIs), case-insensitively.
pub fn ids_of_dois(conn: &Connection, dois_json: &str) -> rusqlite::Result<Vec<(String, i64)>> {
    let papers = Collection::Scimag;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT lower(doi), id FROM {papers} WHERE doi COLLATE NOCASE IN (SELECT value FROM json_each(?1))"
    ))?;
    let rows = stmt.query_map([dois_json], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// A record as the demo's sample files need it.
#[derive(Debug, Clone)]
pub struct SampleRow {
    /// Its id.
    pub id: i64,
    /// Its MD5, lower case.
    pub md5: String,
    /// Its file's extension, lower case (papers: `pdf`).
    pub extension: String,
    /// Title.
    pub title: String,
    /// Author.
    pub author: String,
    /// Year.
    pub year: String,
    /// Cover URL (papers: empty).
    pub coverurl: String,
    /// DOI (papers only).
    pub doi: String,
}

/// The records of a collection that can get a sample file, by id: visible ones with an MD5 and
/// one of `formats` as extension; papers: visible ones with a DOI.
pub fn sample_candidates(
    conn: &Connection,
    collection: Collection,
    formats: &[&str],
) -> rusqlite::Result<Vec<SampleRow>> {
    let sql = match collection {
        Collection::Scimag => format!(
            "SELECT id, coalesce(md5,''), 'pdf', coalesce(title,''), coalesce(author,''), coalesce(year,''), '', coalesce(doi,'') \
             FROM {collection} WHERE doi LIKE '10.%/%' AND coalesce(visible,'') = '' ORDER BY id"
        ),
        _ => format!(
            "SELECT id, coalesce(md5,''), lower(coalesce(extension,'')), coalesce(title,''), coalesce(author,''), coalesce(year,''), \
             coalesce(coverurl,''), '' FROM {collection} WHERE lower(extension) IN (SELECT value FROM json_each(?1)) \
             AND length(md5) = 32 AND coalesce(visible,'') = '' ORDER BY id",
        ),
    };
    let mut stmt = conn.prepare(&sql)?;
    let map = |r: &rusqlite::Row<'_>| {
        Ok(SampleRow {
            id: r.get(0)?,
            md5: r.get::<_, String>(1)?.to_ascii_lowercase(),
            extension: r.get(2)?,
            title: r.get(3)?,
            author: r.get(4)?,
            year: r.get(5)?,
            coverurl: r.get(6)?,
            doi: r.get(7)?,
        })
    };
    if collection == Collection::Scimag {
        stmt.query_map([], map)?.collect()
    } else {
        let formats = serde_json::to_string(formats).expect("strings serialize");
        stmt.query_map([formats], map)?.collect()
    }
}

/// How many records of a collection have an id of `first` or more.
pub fn count_from(conn: &Connection, collection: Collection, first: i64) -> rusqlite::Result<i64> {
    conn.query_row(
        &format!("SELECT count(*) FROM {collection} WHERE id >= ?1"),
        [first],
        |r| r.get(0),
    )
}

/// `(coverurl, title, author, md5)` of every record of a collection with an id of `first` or
/// more that is a multiple of `step`, by id, at most `limit`.
pub fn covers_from(
    conn: &Connection,
    collection: Collection,
    first: i64,
    limit: i64,
    step: i64,
) -> rusqlite::Result<Vec<(String, String, String, String)>> {
    let sql = format!(
        "SELECT coalesce(coverurl,''), coalesce(title,''), coalesce(author,''), coalesce(md5,'') \
         FROM {collection} WHERE id >= ?1 AND id % ?3 = 0 ORDER BY id LIMIT ?2"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([first, limit, step], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    rows.collect()
}
