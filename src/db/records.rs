//! Reading records back for display: the short form shown in result lists and APIs.

use std::collections::HashMap;

use sqlx::SqlitePool;

use super::DbError;
use crate::Collection;

/// What a result list shows of a record; the same fields in every collection.
#[derive(Debug, Clone, Default, serde::Serialize, sqlx::FromRow)]
pub struct Summary {
    /// Its collection.
    #[sqlx(try_from = "String")]
    pub collection: CollectionName,
    /// Its id.
    pub id: i64,
    /// Lower-case MD5 (may be empty).
    pub md5: String,
    /// Title (papers' titles may hold HTML: show as text).
    pub title: String,
    /// Authors.
    pub author: String,
    /// Year as written.
    pub year: String,
    /// Language as written.
    pub language: String,
    /// File extension.
    pub extension: String,
    /// File size in bytes.
    pub filesize: i64,
    /// DOI (papers, some books).
    pub doi: String,
    /// Journal (papers).
    pub journal: String,
    /// Volume (papers) or volume info (books).
    pub volume: String,
    /// Issue (papers).
    pub issue: String,
    /// Pages (first–last for papers).
    pub pages: String,
    /// Series.
    pub series: String,
    /// Publisher.
    pub publisher: String,
    /// Withdrawn flag (`ban`, `del`, …; empty when shown).
    pub visible: String,
    /// MD5 of a better version, if any.
    pub generic: String,
    /// The libgen.li work its edition belongs to (0: none known).
    pub work: i64,
    /// Its cover as the catalog names it (a path in the cover store, or a URL; empty: none).
    #[serde(skip)]
    pub coverurl: String,
}

/// A collection name read from SQL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct CollectionName(pub Option<Collection>);

impl TryFrom<String> for CollectionName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Ok(CollectionName(s.parse().ok()))
    }
}

impl Summary {
    /// The collection (always set for rows read from the catalog).
    pub fn collection(&self) -> Collection {
        self.collection.0.unwrap_or(Collection::Libgen)
    }

    /// The record page's path.
    pub fn url(&self) -> String {
        format!("/{}/{}", self.collection(), self.id)
    }
}

/// The SELECT list giving a [`Summary`] for each collection's table (tables and names from
/// [`Collection::info`]), built once.
pub fn summary_select(collection: Collection) -> &'static str {
    static SELECTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let selects = SELECTS.get_or_init(|| {
        let mut all = vec![String::new(); Collection::COUNT];
        for c in Collection::ALL {
            all[c.code() as usize] = build_summary_select(c);
        }
        all
    });
    &selects[collection.code() as usize]
}

fn build_summary_select(collection: Collection) -> String {
    let table = collection.slug();
    let tables = collection.tables();
    match collection {
        Collection::Libgen => format!(
            "SELECT '{table}' AS collection, id, coalesce(md5,'') AS md5, coalesce(title,'') AS title, coalesce(author,'') AS author, \
             coalesce(year,'') AS year, coalesce(language,'') AS language, coalesce(extension,'') AS extension, coalesce(filesize,0) AS filesize, \
             coalesce(doi,'') AS doi, coalesce(periodical,'') AS journal, coalesce(volume_info,'') AS volume, coalesce(issue,'') AS issue, \
             coalesce(pages,'') AS pages, coalesce(series,'') AS series, coalesce(publisher,'') AS publisher, coalesce(visible,'') AS visible, \
             coalesce(generic,'') AS generic, coalesce(li_w_id,0) AS work, coalesce(coverurl,'') AS coverurl FROM {table}"
        ),
        Collection::Fiction => format!(
            "SELECT '{table}' AS collection, id, coalesce(md5,'') AS md5, coalesce(title,'') AS title, coalesce(author,'') AS author, \
             coalesce(year,'') AS year, coalesce(language,'') AS language, coalesce(extension,'') AS extension, coalesce(filesize,0) AS filesize, \
             '' AS doi, '' AS journal, '' AS volume, coalesce(issue,'') AS issue, coalesce(pages,'') AS pages, coalesce(series,'') AS series, \
             coalesce(publisher,'') AS publisher, coalesce(visible,'') AS visible, coalesce(generic,'') AS generic, \
             coalesce(li_w_id,0) AS work, coalesce(coverurl,'') AS coverurl FROM {table}"
        ),
        Collection::Scimag => {
            let journals = tables.journals.unwrap_or_default();
            let publishers = tables.publishers.unwrap_or_default();
            format!(
                "SELECT '{table}' AS collection, s.id, coalesce(s.md5,'') AS md5, coalesce(s.title,'') AS title, coalesce(s.author,'') AS author, \
                 coalesce(s.year,'') AS year, '' AS language, 'pdf' AS extension, coalesce(s.filesize,0) AS filesize, coalesce(s.doi,'') AS doi, \
                 coalesce(nullif(s.journal,''), (SELECT m.magazine FROM {journals} m WHERE m.journal_id = s.journal_id AND s.journal_id <> '' LIMIT 1), \
                 (SELECT m.magazine FROM {journals} m WHERE m.id = CAST(s.journal_id AS INTEGER) AND CAST(m.id AS TEXT) = s.journal_id LIMIT 1), '') AS journal, \
                 coalesce(s.volume,'') AS volume, coalesce(s.issue,'') AS issue, \
                 CASE WHEN coalesce(s.last_page,'') <> '' THEN coalesce(s.first_page,'') || '–' || s.last_page ELSE coalesce(s.first_page,'') END AS pages, \
                 '' AS series, coalesce((SELECT p.publisher FROM {publishers} p WHERE p.doi_code = substr(s.doi, 1, instr(s.doi, '/') - 1) LIMIT 1), '') AS publisher, \
                 coalesce(s.visible,'') AS visible, '' AS generic, coalesce(s.li_w_id,0) AS work, '' AS coverurl FROM {table} s"
            )
        }
        // The collections only the libgen.li snapshot has: its common layout.
        _ => format!(
            "SELECT '{table}' AS collection, id, coalesce(md5,'') AS md5, coalesce(title,'') AS title, \
             coalesce(author,'') AS author, coalesce(year,'') AS year, coalesce(language,'') AS language, \
             coalesce(extension,'') AS extension, coalesce(filesize,0) AS filesize, coalesce(doi,'') AS doi, \
             '' AS journal, coalesce(volume,'') AS volume, coalesce(issue,'') AS issue, coalesce(pages,'') AS pages, \
             coalesce(series,'') AS series, coalesce(publisher,'') AS publisher, coalesce(visible,'') AS visible, \
             coalesce(generic,'') AS generic, coalesce(li_w_id,0) AS work, coalesce(coverurl,'') AS coverurl FROM {table}"
        ),
    }
}

/// Reads the summaries of records by `(collection, id)`, in the keys' order (records whose row
/// vanished are skipped).
pub async fn summaries(
    pool: &SqlitePool,
    keys: impl IntoIterator<Item = (Collection, u64)>,
) -> Result<Vec<Summary>, DbError> {
    let keys: Vec<(Collection, u64)> = keys.into_iter().collect();
    let mut found: HashMap<(Collection, i64), Summary> = HashMap::new();
    for collection in Collection::ALL {
        let ids: Vec<i64> = keys
            .iter()
            .filter(|k| k.0 == collection)
            .map(|k| k.1 as i64)
            .collect();
        if ids.is_empty() {
            continue;
        }
        let id_col = if collection == Collection::Scimag {
            "s.id"
        } else {
            "id"
        };
        let placeholders = vec!["?"; ids.len()].join(",");
        let sql = format!(
            "{} WHERE {id_col} IN ({placeholders})",
            summary_select(collection)
        );
        // Built from fixed parts and `?` placeholders only.
        let mut q = sqlx::query_as::<_, Summary>(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            q = q.bind(id);
        }
        for s in q.fetch_all(pool).await? {
            found.insert((collection, s.id), s);
        }
    }
    Ok(keys
        .iter()
        .filter_map(|k| found.remove(&(k.0, k.1 as i64)))
        .collect())
}

/// What feeds show beyond a [`Summary`]: dates, ISBNs and the description.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct FeedExtras {
    /// The record id.
    pub id: i64,
    /// When it was added (`YYYY-MM-DD HH:MM:SS` UTC, empty if unknown).
    pub time_added: String,
    /// When it was last changed (empty if unknown).
    pub time_last_modified: String,
    /// Its ISBN list as written (books), or its ISBN (papers).
    pub identifier: String,
    /// Its description (books) — may hold HTML.
    pub descr: String,
    /// Its cover path as written (books).
    pub coverurl: String,
}

/// Reads the [`FeedExtras`] of some records of one collection, keyed by id.
pub async fn feed_extras(
    pool: &SqlitePool,
    collection: Collection,
    ids: &[i64],
) -> Result<HashMap<i64, FeedExtras>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let table = collection.slug();
    let select = match (collection, collection.tables().descriptions) {
        (Collection::Scimag, _) => format!(
            "SELECT r.id, coalesce(r.time_added,'') AS time_added, coalesce(r.time_added,'') AS time_last_modified, \
             coalesce(r.isbn,'') AS identifier, '' AS descr, '' AS coverurl FROM {table} r"
        ),
        // Sci-tech and fiction: descriptions in a table of their own, by MD5.
        (_, Some(descriptions)) => format!(
            "SELECT r.id, coalesce(r.time_added,'') AS time_added, coalesce(r.time_last_modified,'') AS time_last_modified, \
             coalesce(r.identifier,'') AS identifier, coalesce(d.descr,'') AS descr, coalesce(r.coverurl,'') AS coverurl \
             FROM {table} r LEFT JOIN {descriptions} d ON d.md5 = r.md5 AND r.md5 <> ''"
        ),
        // The snapshot's common layout: the description in the row.
        (_, None) => format!(
            "SELECT r.id, coalesce(r.time_added,'') AS time_added, coalesce(r.time_last_modified,'') AS time_last_modified, \
             coalesce(r.identifier,'') AS identifier, coalesce(r.descr,'') AS descr, coalesce(r.coverurl,'') AS coverurl \
             FROM {table} r"
        ),
    };
    let placeholders = vec!["?"; ids.len()].join(",");
    // Built from fixed parts and `?` placeholders only.
    let sql = format!("{select} WHERE r.id IN ({placeholders})");
    let mut q = sqlx::query_as::<_, FeedExtras>(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(id);
    }
    Ok(q.fetch_all(pool)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect())
}

/// How many records each of these libgen.li works has, in all collections.
pub async fn versions(pool: &SqlitePool, works: &[i64]) -> Result<HashMap<i64, i64>, DbError> {
    let mut out: HashMap<i64, i64> = HashMap::new();
    if works.is_empty() {
        return Ok(out);
    }
    let placeholders = vec!["?"; works.len()].join(",");
    for c in Collection::ALL {
        // Built from fixed parts and `?` placeholders only.
        let sql = format!(
            "SELECT li_w_id, count(*) FROM {} WHERE li_w_id IN ({placeholders}) GROUP BY 1",
            c.slug()
        );
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql));
        for w in works {
            q = q.bind(w);
        }
        for (w, n) in q.fetch_all(pool).await? {
            *out.entry(w).or_default() += n;
        }
    }
    Ok(out)
}
