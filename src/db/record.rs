//! Reading one record in full for its page: every column of its row, its description (joined by
//! MD5), topic, hashes, journal and publisher, and the records related to it (the better version
//! named by `generic`, the versions that name it, other records of the same file). Also the
//! look-ups of identifier links (by MD5). Read-only.

use std::collections::HashMap;

use sqlx::sqlite::SqliteRow;
use sqlx::{Column, Row, SqlitePool, TypeInfo, ValueRef};

use super::records::{summary_select, Summary};
use super::DbError;
use crate::Collection;

/// Related records listed on a page are capped at this many.
const MAX_RELATED: i64 = 50;

/// Every column of one row, in table order, as text (`""` for NULL, integers in decimal).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Columns(pub Vec<(String, String)>);

impl Columns {
    fn from_row(row: &SqliteRow) -> Result<Columns, sqlx::Error> {
        let mut out = Vec::with_capacity(row.columns().len());
        for (i, column) in row.columns().iter().enumerate() {
            let kind = {
                let raw = row.try_get_raw(i)?;
                if raw.is_null() {
                    None
                } else {
                    Some(raw.type_info().name().to_string())
                }
            };
            let value = match kind.as_deref() {
                None => String::new(),
                Some("INTEGER") => row.try_get_unchecked::<i64, _>(i)?.to_string(),
                Some("REAL") => row.try_get_unchecked::<f64, _>(i)?.to_string(),
                Some("BLOB") => {
                    String::from_utf8_lossy(&row.try_get_unchecked::<Vec<u8>, _>(i)?).into_owned()
                }
                Some(_) => row.try_get_unchecked::<String, _>(i)?,
            };
            out.push((column.name().to_string(), value));
        }
        Ok(Columns(out))
    }

    /// The value of a column (`""` if NULL or absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The value of a column, trimmed, if not empty (and not a bare `0`, which the dumps use for
    /// unknown numbers).
    pub fn known(&self, name: &str) -> Option<&str> {
        let v = self.get(name).trim();
        (!v.is_empty() && v != "0").then_some(v)
    }

    /// The value as an integer (0 if not a number).
    pub fn int(&self, name: &str) -> i64 {
        self.get(name).trim().parse().unwrap_or(0)
    }

    /// Every column and value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

impl FullRecord {
    /// A record of just its row (nothing related read yet).
    fn bare(collection: Collection, row: Columns) -> FullRecord {
        FullRecord {
            collection,
            row,
            description: None,
            topics: Vec::new(),
            hashes: None,
            magazine: None,
            publisher: None,
            better: Vec::new(),
            superseded: Vec::new(),
            same_file: Vec::new(),
            edition_files: Vec::new(),
            work_editions: Vec::new(),
        }
    }
}

/// One record with everything its page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FullRecord {
    /// Its collection.
    pub collection: Collection,
    /// Every column of its row.
    pub row: Columns,
    /// Its description row (sci-tech and fiction), joined by MD5.
    pub description: Option<Columns>,
    /// Its topic in each language (sci-tech).
    pub topics: Vec<Columns>,
    /// Its hashes row (sci-tech and fiction).
    pub hashes: Option<Columns>,
    /// Its journal (papers).
    pub magazine: Option<Columns>,
    /// The publisher of its DOI prefix (papers).
    pub publisher: Option<String>,
    /// The better version its `generic` names.
    pub better: Vec<Summary>,
    /// The versions whose `generic` names this one.
    pub superseded: Vec<Summary>,
    /// Other records of the same collection with the same MD5.
    pub same_file: Vec<Summary>,
    /// The other files of its edition (libgen.li snapshot), in any collection.
    pub edition_files: Vec<Summary>,
    /// The files of the other editions of its work (libgen.li snapshot).
    pub work_editions: Vec<Summary>,
}

fn table(collection: Collection) -> &'static str {
    // Each collection's table is named as its slug.
    collection.slug()
}

/// The summaries of `collection`'s records where `condition` holds, except one id. Built from
/// fixed parts only; the values are bound.
fn related_sql(collection: Collection, condition: &str) -> String {
    let id = if collection == Collection::Scimag {
        "s.id"
    } else {
        "id"
    };
    format!(
        "{} WHERE {condition} AND {id} <> ? ORDER BY {id} LIMIT {MAX_RELATED}",
        summary_select(collection)
    )
}

/// The record pages' look-ups of related records. The catalog's indexes on `generic` are
/// partial (`WHERE generic <> ''`: most records have none), and SQLite uses a partial index
/// only when the query repeats its condition: a bound value could be the empty string.
const BETTER: &str = "md5 = ?";
const SUPERSEDED: &str = "generic = ? AND generic <> ''";
const EDITION_FILES: &str = "li_e_id = ?";

/// The look-ups of papers' journals and publishers, in the tables their collection names.
struct PaperSql {
    /// A paper's publisher, by its DOI prefix.
    publisher: String,
    /// A journal by `journal_id`.
    journal_by_journal_id: String,
    /// A journal by its row id written as text.
    journal_by_id: String,
    /// A journal by either ISSN.
    journal_by_issn: String,
}

fn paper_sql() -> &'static PaperSql {
    static SQL: std::sync::OnceLock<PaperSql> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        let tables = Collection::Scimag.tables();
        let journals = tables.journals.unwrap_or_default();
        let publishers = tables.publishers.unwrap_or_default();
        PaperSql {
            publisher: format!("SELECT publisher FROM {publishers} WHERE doi_code = ? LIMIT 1"),
            journal_by_journal_id: format!("SELECT * FROM {journals} WHERE journal_id = ? LIMIT 1"),
            journal_by_id: format!("SELECT * FROM {journals} WHERE CAST(id AS TEXT) = ? LIMIT 1"),
            journal_by_issn: format!(
                "SELECT * FROM {journals} WHERE issnp = ?1 OR issne = ?1 LIMIT 1"
            ),
        }
    })
}
const WORK_EDITIONS: &str = "li_w_id = ? AND coalesce(li_e_id, 0) <> ?";

/// The other editions of a libgen.li work in `collection` (bound: the work, the edition shown).
fn work_editions_sql(collection: Collection) -> String {
    format!(
        "{} WHERE {WORK_EDITIONS} ORDER BY 2 LIMIT {MAX_RELATED}",
        summary_select(collection)
    )
}

async fn summaries_where(
    pool: &SqlitePool,
    collection: Collection,
    condition: &'static str,
    value: &str,
    except: i64,
) -> Result<Vec<Summary>, DbError> {
    let sql = related_sql(collection, condition);
    Ok(sqlx::query_as::<_, Summary>(sqlx::AssertSqlSafe(sql))
        .bind(value)
        .bind(except)
        .fetch_all(pool)
        .await?)
}

/// Reads a record and everything related to it; `None` if there is no such record.
pub async fn full_record(
    pool: &SqlitePool,
    collection: Collection,
    id: i64,
) -> Result<Option<FullRecord>, DbError> {
    read_record(pool, collection, id, true).await
}

/// Reads what a citation of a record needs: its row and, for a paper, its journal and its
/// publisher (none of the related records, descriptions or hashes a page shows: an export of a
/// long list reads one or three rows per record, not a dozen queries).
pub async fn cited_record(
    pool: &SqlitePool,
    collection: Collection,
    id: i64,
) -> Result<Option<FullRecord>, DbError> {
    read_record(pool, collection, id, false).await
}

/// What citations of many records need (as [`cited_record`]), read in bulk: the rows a few
/// hundred at a time, each journal and publisher once. Records that do not exist are left out.
pub async fn cited_records(
    pool: &SqlitePool,
    keys: &[(Collection, i64)],
) -> Result<HashMap<(Collection, i64), FullRecord>, DbError> {
    let mut out = HashMap::with_capacity(keys.len());
    let mut cache = PaperCache::default();
    for collection in Collection::ALL {
        let ids: Vec<i64> = keys
            .iter()
            .filter(|k| k.0 == collection)
            .map(|k| k.1)
            .collect();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT * FROM {} WHERE id IN ({})",
                table(collection),
                vec!["?"; chunk.len()].join(",")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id);
            }
            for row in query.fetch_all(pool).await? {
                let mut record = FullRecord::bare(collection, Columns::from_row(&row)?);
                if collection == Collection::Scimag {
                    paper_details(pool, &mut record, &mut cache).await?;
                }
                out.insert((collection, record.row.int("id")), record);
            }
        }
    }
    Ok(out)
}

/// Journals by `journal_id` or ISSN and publishers by DOI prefix, already read.
#[derive(Default)]
struct PaperCache {
    magazines: HashMap<String, Option<Columns>>,
    publishers: HashMap<String, Option<String>>,
}

/// A paper's journal (by `journal_id`, else by either ISSN) and its DOI prefix's publisher.
async fn paper_details(
    pool: &SqlitePool,
    record: &mut FullRecord,
    cache: &mut PaperCache,
) -> Result<(), DbError> {
    let journal_id = record.row.get("journal_id").trim().to_string();
    let mut keys: Vec<(&'static str, String)> = Vec::new();
    if !journal_id.is_empty() {
        keys.push((&paper_sql().journal_by_journal_id, journal_id.clone()));
        keys.push((&paper_sql().journal_by_id, journal_id));
    }
    for issn in ["issnp", "issne"] {
        let value = record.row.get(issn).trim().to_string();
        if !value.is_empty() {
            keys.push((&paper_sql().journal_by_issn, value));
        }
    }
    for (sql, key) in keys {
        let cached = format!("{sql}\u{0}{key}");
        let found = match cache.magazines.get(&cached) {
            Some(found) => found.clone(),
            None => {
                let found = match sqlx::query(sql).bind(&key).fetch_optional(pool).await? {
                    Some(r) => Some(Columns::from_row(&r)?),
                    None => None,
                };
                cache.magazines.insert(cached, found.clone());
                found
            }
        };
        if found.is_some() {
            record.magazine = found;
            break;
        }
    }
    let doi = record.row.get("doi").trim().to_ascii_lowercase();
    if let Some((prefix, _)) = doi.split_once('/') {
        record.publisher = match cache.publishers.get(prefix) {
            Some(p) => p.clone(),
            None => {
                let p = sqlx::query_scalar::<_, Option<String>>(paper_sql().publisher.as_str())
                    .bind(prefix.to_string())
                    .fetch_optional(pool)
                    .await?
                    .flatten();
                cache.publishers.insert(prefix.to_string(), p.clone());
                p
            }
        };
    }
    Ok(())
}

async fn read_record(
    pool: &SqlitePool,
    collection: Collection,
    id: i64,
    page: bool,
) -> Result<Option<FullRecord>, DbError> {
    let sql = format!("SELECT * FROM {} WHERE id = ?", table(collection));
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let row = Columns::from_row(&row)?;
    let md5 = row.get("md5").trim().to_ascii_lowercase();
    let generic = row.get("generic").trim().to_ascii_lowercase();
    let mut record = FullRecord::bare(collection, row);
    let one = |sql: &'static str, key: String| async move {
        match sqlx::query(sql).bind(key).fetch_optional(pool).await? {
            Some(r) => Ok::<_, DbError>(Some(Columns::from_row(&r)?)),
            None => Ok(None),
        }
    };
    match collection {
        Collection::Libgen if page => {
            if !md5.is_empty() {
                record.description = one(
                    "SELECT * FROM libgen_description WHERE md5 = ?",
                    md5.clone(),
                )
                .await?;
                record.hashes =
                    one("SELECT * FROM libgen_hashes WHERE md5 = ?", md5.clone()).await?;
            }
            let topic = record.row.int("topic");
            if topic > 0 {
                for r in sqlx::query(
                    "SELECT * FROM libgen_topics WHERE topic_id = ? ORDER BY lang <> 'en', lang",
                )
                .bind(topic)
                .fetch_all(pool)
                .await?
                {
                    record.topics.push(Columns::from_row(&r)?);
                }
            }
        }
        Collection::Fiction if page && !md5.is_empty() => {
            record.description = one(
                "SELECT * FROM fiction_description WHERE md5 = ?",
                md5.clone(),
            )
            .await?;
            record.hashes = one("SELECT * FROM fiction_hashes WHERE md5 = ?", md5.clone()).await?;
        }
        Collection::Scimag => {
            paper_details(pool, &mut record, &mut PaperCache::default()).await?;
        }
        // The collections only the snapshot has carry their description in their own row.
        _ => {}
    }
    if !page {
        return Ok(Some(record));
    }
    // The libgen.li snapshot's model: the other files of this record's edition, and the other
    // editions of its work, in any collection.
    let e_id = record.row.int("li_e_id");
    let w_id = record.row.int("li_w_id");
    for c in Collection::ALL {
        if e_id > 0 {
            let mut found = summaries_where(pool, c, EDITION_FILES, &e_id.to_string(), -1).await?;
            found.retain(|s| !(s.collection() == collection && s.id == id));
            record.edition_files.extend(found);
        }
        if w_id > 0 {
            let sql = work_editions_sql(c);
            record.work_editions.extend(
                sqlx::query_as::<_, Summary>(sqlx::AssertSqlSafe(sql))
                    .bind(w_id)
                    .bind(e_id)
                    .fetch_all(pool)
                    .await?,
            );
        }
    }
    if !generic.is_empty() && collection != Collection::Scimag {
        record.better = summaries_where(pool, collection, BETTER, &generic, id).await?;
    }
    if !md5.is_empty() {
        if collection != Collection::Scimag {
            record.superseded = summaries_where(pool, collection, SUPERSEDED, &md5, id).await?;
        }
        let md5_col = if collection == Collection::Scimag {
            "s.md5 = ?"
        } else {
            "md5 = ?"
        };
        record.same_file = summaries_where(pool, collection, md5_col, &md5, id).await?;
    }
    Ok(Some(record))
}

/// The summary of one record (what downloads and citations need).
pub async fn summary(
    pool: &SqlitePool,
    collection: Collection,
    id: i64,
) -> Result<Option<Summary>, DbError> {
    let id_col = if collection == Collection::Scimag {
        "s.id"
    } else {
        "id"
    };
    let sql = format!("{} WHERE {id_col} = ?", summary_select(collection));
    Ok(sqlx::query_as::<_, Summary>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// Every record (of any collection) whose file has this MD5 (lower case).
pub async fn by_md5(pool: &SqlitePool, md5: &str) -> Result<Vec<Summary>, DbError> {
    let mut out = Vec::new();
    for collection in Collection::ALL {
        let col = if collection == Collection::Scimag {
            "s.md5"
        } else {
            "md5"
        };
        let sql = format!(
            "{} WHERE {col} = ? ORDER BY 2 LIMIT {MAX_RELATED}",
            summary_select(collection)
        );
        out.extend(
            sqlx::query_as::<_, Summary>(sqlx::AssertSqlSafe(sql))
                .bind(md5.to_ascii_lowercase())
                .fetch_all(pool)
                .await?,
        );
    }
    Ok(out)
}

/// One row as a JSON object: every column under its catalog name, integers and reals as
/// numbers, NULL as null (the bookkeeping column `import_id` left out).
pub fn row_json(
    row: &SqliteRow,
) -> Result<serde_json::Map<String, serde_json::Value>, sqlx::Error> {
    use serde_json::Value;
    let mut out = serde_json::Map::with_capacity(row.columns().len());
    for (i, column) in row.columns().iter().enumerate() {
        if column.name() == "import_id" {
            continue;
        }
        let kind = {
            let raw = row.try_get_raw(i)?;
            (!raw.is_null()).then(|| raw.type_info().name().to_string())
        };
        let value = match kind.as_deref() {
            None => Value::Null,
            Some("INTEGER") => Value::from(row.try_get_unchecked::<i64, _>(i)?),
            Some("REAL") => serde_json::Number::from_f64(row.try_get_unchecked::<f64, _>(i)?)
                .map_or(Value::Null, Value::Number),
            Some("BLOB") => Value::from(
                String::from_utf8_lossy(&row.try_get_unchecked::<Vec<u8>, _>(i)?).into_owned(),
            ),
            Some(_) => Value::from(row.try_get_unchecked::<String, _>(i)?),
        };
        out.insert(column.name().to_string(), value);
    }
    Ok(out)
}

/// A record's own row as JSON (see [`row_json`]); `None` if there is no such record.
pub async fn record_json(
    pool: &SqlitePool,
    collection: Collection,
    id: i64,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, DbError> {
    let sql = format!("SELECT * FROM {} WHERE id = ?", table(collection));
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(match row {
        Some(row) => Some(row_json(&row)?),
        None => None,
    })
}

/// A book's `coverurl` (sci-tech and fiction; `None` for papers or no such record).
pub async fn coverurl(
    pool: &SqlitePool,
    collection: Collection,
    id: i64,
) -> Result<Option<String>, DbError> {
    if collection == Collection::Scimag {
        return Ok(None);
    }
    let sql = format!(
        "SELECT coalesce(coverurl, '') FROM {} WHERE id = ?",
        table(collection)
    );
    Ok(sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// A record's original file name (`locator`), for the collections that have one.
pub async fn locator(
    pool: &SqlitePool,
    collection: Collection,
    id: i64,
) -> Result<Option<String>, DbError> {
    if collection == Collection::Scimag {
        return Ok(None);
    }
    let sql = format!(
        "SELECT coalesce(locator, '') FROM {} WHERE id = ?",
        table(collection)
    );
    Ok(sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every look-up a record page makes for related records searches an index: on a catalog of
    /// millions a table scan costs a page hundreds of milliseconds (the `generic` look-up did,
    /// until it repeated its partial index's condition).
    #[tokio::test]
    async fn related_record_lookups_search_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.sqlite");
        super::super::prepare(&path).await.unwrap();
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        for c in Collection::ALL {
            let mut queries = vec![related_sql(c, EDITION_FILES), work_editions_sql(c)];
            if c == Collection::Scimag {
                queries.push(related_sql(c, "s.md5 = ?"));
                queries.push(paper_sql().publisher.clone());
            } else {
                queries.push(related_sql(c, BETTER));
                queries.push(related_sql(c, SUPERSEDED));
            }
            for sql in queries {
                let rows: Vec<(i64, i64, i64, String)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                let details: Vec<&str> = rows.iter().map(|r| r.3.as_str()).collect();
                assert!(
                    details.iter().all(|d| !d.starts_with("SCAN")),
                    "{c:?}: {sql}\n{details:?}"
                );
            }
        }
    }
}
