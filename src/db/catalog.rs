//! Small reads of the catalog for the portal's state, its health report and the import watcher:
//! the import log, the records per thousand ids, and the records a repository listing names.
//! Read-only; table names come from [`Collection::slug`], values are always bound.

use std::path::Path;

use sqlx::SqlitePool;

use super::DbError;
use crate::Collection;

/// When the last import finished (`None`: none has).
pub async fn last_import_finished(pool: &SqlitePool) -> Result<Option<String>, DbError> {
    Ok(
        sqlx::query_scalar::<_, Option<String>>("SELECT max(finished_at) FROM imports")
            .fetch_one(pool)
            .await?,
    )
}

/// The id of the last import (0: none).
pub async fn last_import_id(pool: &SqlitePool) -> Result<i64, DbError> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT coalesce(max(id), 0) FROM imports")
            .fetch_one(pool)
            .await?,
    )
}

/// How many records a collection holds in each thousand of ids: `(id / 1000, count)`.
pub async fn records_per_thousand(
    pool: &SqlitePool,
    collection: Collection,
) -> Result<Vec<(i64, i64)>, DbError> {
    let sql = format!(
        "SELECT id / 1000, count(*) FROM {} GROUP BY 1",
        collection.slug()
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?)
}

/// Id, MD5 and extension (lower case) of a collection's records with ids in `first..=last`.
pub async fn files_between(
    pool: &SqlitePool,
    collection: Collection,
    first: i64,
    last: i64,
) -> Result<Vec<(i64, String, String)>, DbError> {
    let sql = format!(
        "SELECT id, lower(coalesce(md5,'')), lower(coalesce(extension,'')) FROM {} WHERE id BETWEEN ?1 AND ?2",
        collection.slug()
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(first)
        .bind(last)
        .fetch_all(pool)
        .await?)
}

/// Id and DOI of the papers with ids in `first..=last`.
pub async fn papers_between(
    pool: &SqlitePool,
    first: i64,
    last: i64,
) -> Result<Vec<(i64, String)>, DbError> {
    let papers = Collection::Scimag;
    // The table is the collection's slug, from a fixed list: never user text.
    let sql = format!("SELECT id, coalesce(doi,'') FROM {papers} WHERE id BETWEEN ?1 AND ?2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(first)
        .bind(last)
        .fetch_all(pool)
        .await?)
}

/// The ids of a collection's records whose MD5 is one of `md5s` (lower case).
pub async fn ids_by_md5(
    pool: &SqlitePool,
    collection: Collection,
    md5s: &[String],
) -> Result<Vec<i64>, DbError> {
    let mut out = Vec::new();
    for chunk in md5s.chunks(500) {
        let placeholders = vec!["?"; chunk.len()].join(",");
        let sql = format!(
            "SELECT id FROM {} WHERE md5 IN ({placeholders})",
            collection.slug()
        );
        let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        for m in chunk {
            q = q.bind(m);
        }
        out.extend(q.fetch_all(pool).await?);
    }
    Ok(out)
}

/// The dump files imports have read, by file name, with the size and modification time they
/// had then (what the watcher compares a folder with). Blocking: the watcher has no pool.
pub fn imported_files(db: &Path) -> rusqlite::Result<Vec<(String, i64, i64)>> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mut stmt = conn.prepare(
        "SELECT file, file_size, file_mtime FROM imports WHERE file_size IS NOT NULL AND file_mtime IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| {
        let file: String = r.get(0)?;
        let name = Path::new(&file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or(file);
        Ok((name, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
    })?;
    rows.collect()
}
