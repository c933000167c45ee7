//! Blocking reads of the catalog through a plain rusqlite connection, for the code that runs
//! off the async runtime: the search engine's identifier look-ups (one MD5 or DOI in a search,
//! lists of them in a batch look-up). Read-only; table names come from [`Collection`]'s
//! `Display` (its slug), values are always bound.

use rusqlite::Connection;

use crate::Collection;

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
        // case-insensitive one (`scimag_doi`).
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
    let mut stmt = conn.prepare_cached(
        "SELECT lower(doi), id FROM scimag WHERE doi COLLATE NOCASE IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = stmt.query_map([dois_json], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}
