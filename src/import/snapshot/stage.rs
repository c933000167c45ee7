//! The staging database of a snapshot import: the tables that describe files (editions, their
//! details, which edition a file belongs to, series and works), kept on disk in a temporary
//! SQLite file beside the catalog while the files are read, then deleted. The joins of tables of
//! a hundred million rows never fit in memory: SQLite's page cache bounds the memory, and the
//! file order of `files` (by `f_id`) follows the order editions were made in, so the look-ups
//! stay near each other on disk.
//!
//! Only editions some file links to are kept (a bitmap of their ids, filled from
//! `editions_to_files` before `editions` is read), and of their details only the keys the
//! catalog shows.

use std::path::Path;

use rusqlite::{params, Connection};

use crate::myisam::{RowView, TableDef, Value};

/// The keys of `editions_add_descr` the catalog keeps, by `elem_descr.name_en` (lower case):
/// where the snapshot's own names are missing, the numbers seen in 2024 and 2026.
pub const DETAIL_KEYS: &[(Detail, &[&str], u32)] = &[
    (Detail::Language, &["language"], 101),
    (Detail::Isbn, &["isbn"], 505),
    (Detail::Issn, &["issn"], 201),
    (Detail::Description, &["description", "annotation"], 102),
];

/// A detail of an edition the catalog keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Its language(s).
    Language,
    /// An ISBN.
    Isbn,
    /// An ISSN.
    Issn,
    /// A description.
    Description,
}

/// The text of a value as the catalog stores it: strings lossily decoded, numbers in decimal,
/// times as `YYYY-MM-DD HH:MM:SS` (zero dates: empty).
pub fn text(value: Value<'_>) -> String {
    match value {
        Value::Null => String::new(),
        Value::Text(b) | Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Timestamp(t) if t.is_zero() => String::new(),
        other => {
            let mut s = String::new();
            other.write_text(&mut s);
            if s.starts_with("0000-00-00") {
                String::new()
            } else {
                s
            }
        }
    }
}

/// A row's columns by name, looked up once per table (a column the layout lacks reads as empty).
pub struct Columns(Vec<Option<usize>>);

impl Columns {
    /// The positions of `names` in `def`.
    pub fn of(def: &TableDef, names: &[&str]) -> Columns {
        Columns(names.iter().map(|n| def.column_index(n)).collect())
    }

    /// The `i`-th named column's value in `row`.
    pub fn get<'a>(&self, row: &RowView<'a>, i: usize) -> Value<'a> {
        match self.0[i] {
            Some(at) => row.get(at),
            None => Value::Null,
        }
    }

    /// Its text.
    pub fn text(&self, row: &RowView<'_>, i: usize) -> String {
        text(self.get(row, i))
    }

    /// Its integer value (0 when empty or not a number).
    pub fn int(&self, row: &RowView<'_>, i: usize) -> i64 {
        let v = self.get(row, i);
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .unwrap_or(0)
    }
}

/// A set of ids, one bit each (206 M editions: 26 MB).
#[derive(Debug, Default)]
pub struct IdSet(Vec<u64>);

impl IdSet {
    /// Adds an id.
    pub fn insert(&mut self, id: u64) {
        let (word, bit) = ((id / 64) as usize, id % 64);
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    /// Whether it holds `id`.
    pub fn contains(&self, id: u64) -> bool {
        let (word, bit) = ((id / 64) as usize, id % 64);
        self.0.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }
}

/// The columns of `editions` kept, in the order of the staging table's columns after `e_id`.
pub const EDITION_COLUMNS: &[&str] = &[
    "libgen_topic",
    "type",
    "series_name",
    "title",
    "title_add",
    "author",
    "publisher",
    "city",
    "edition",
    "year",
    "month",
    "day",
    "pages",
    "cover_url",
    "issue_s_id",
    "issue_volume",
    "issue_number",
    "issue_first_page",
    "issue_last_page",
    "doi",
    "visible",
    "commentary",
];

/// An edition as staged.
#[derive(Debug, Clone, Default)]
pub struct Edition {
    /// Its id.
    pub e_id: i64,
    /// The columns of [`EDITION_COLUMNS`], as text.
    pub fields: Vec<String>,
}

impl Edition {
    /// The value of a column of [`EDITION_COLUMNS`].
    pub fn get(&self, name: &str) -> &str {
        EDITION_COLUMNS
            .iter()
            .position(|c| *c == name)
            .and_then(|i| self.fields.get(i))
            .map_or("", String::as_str)
    }
}

/// The staging database.
pub struct Stage {
    conn: Connection,
    /// Editions some file links to.
    pub linked: IdSet,
    /// The `editions_add_descr` keys kept, and what each is.
    pub keys: Vec<(u32, Detail)>,
}

impl Stage {
    /// A new staging database in the file `path` (which must not exist), with a page cache of
    /// `cache_mib`.
    pub fn create(path: &Path, cache_mib: u32) -> rusqlite::Result<Stage> {
        let conn = Connection::open(path)?;
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;
             PRAGMA temp_store = FILE; PRAGMA cache_size = -{};
             CREATE TABLE etf (f_id INTEGER NOT NULL, e_id INTEGER NOT NULL);
             CREATE TABLE wte (e_id INTEGER PRIMARY KEY, w_id INTEGER NOT NULL);
             CREATE TABLE series (s_id INTEGER PRIMARY KEY, title TEXT NOT NULL);
             CREATE TABLE ed (e_id INTEGER PRIMARY KEY, {});
             CREATE TABLE ead (e_id INTEGER NOT NULL, key INTEGER NOT NULL, value TEXT NOT NULL);
             BEGIN;",
            cache_mib.max(8) as u64 * 1024,
            EDITION_COLUMNS
                .iter()
                .map(|c| format!("{c} TEXT"))
                .collect::<Vec<_>>()
                .join(", "),
        ))?;
        Ok(Stage {
            conn,
            linked: IdSet::default(),
            keys: DETAIL_KEYS.iter().map(|(d, _, k)| (*k, *d)).collect(),
        })
    }

    /// A read-only connection to a staging database another connection filled (and
    /// [`Stage::release`]d), for a thread of its own.
    pub fn open_reader(path: &Path, cache_mib: u32) -> rusqlite::Result<Stage> {
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // One read transaction for the connection's life (the file no longer changes): without
        // it every look-up takes and drops the file's shared lock, and the readers queue on the
        // lock's mutex (a third of a profiled import's time went to that).
        conn.execute_batch(&format!(
            "PRAGMA cache_size = -{}; PRAGMA query_only = ON; PRAGMA mmap_size = 268435456; BEGIN;",
            cache_mib.max(8) as u64 * 1024
        ))?;
        Ok(Stage {
            conn,
            linked: IdSet::default(),
            keys: DETAIL_KEYS.iter().map(|(d, _, k)| (*k, *d)).collect(),
        })
    }

    /// Commits and lets go of the file's exclusive lock, so that readers may open it; nothing
    /// is written to it after.
    pub fn release(&mut self) -> rusqlite::Result<()> {
        self.conn
            .execute_batch("COMMIT; PRAGMA locking_mode = NORMAL; SELECT count(*) FROM series;")
    }

    /// Learns the detail keys from `elem_descr` (name → key), replacing the defaults for the
    /// names it has.
    pub fn name_keys(&mut self, names: &[(u32, String)]) {
        for (detail, wanted, _) in DETAIL_KEYS {
            let found: Vec<u32> = names
                .iter()
                .filter(|(_, n)| wanted.contains(&n.trim().to_ascii_lowercase().as_str()))
                .map(|(k, _)| *k)
                .collect();
            if !found.is_empty() {
                self.keys.retain(|(_, d)| d != detail);
                self.keys.extend(found.into_iter().map(|k| (k, *detail)));
            }
        }
    }

    /// What an `editions_add_descr` key is, if the catalog keeps it.
    pub fn detail(&self, key: u32) -> Option<Detail> {
        self.keys.iter().find(|(k, _)| *k == key).map(|(_, d)| *d)
    }

    /// Indexes the links once they are all in.
    pub fn index_links(&self) -> rusqlite::Result<()> {
        self.conn
            .execute_batch("CREATE INDEX etf_f ON etf (f_id); COMMIT; BEGIN;")
    }

    /// Indexes the details once they are all in.
    pub fn index_details(&self) -> rusqlite::Result<()> {
        self.conn
            .execute_batch("CREATE INDEX ead_e ON ead (e_id); COMMIT; BEGIN;")
    }

    /// Stages one link of a file to an edition.
    pub fn link(&mut self, f_id: i64, e_id: i64) -> rusqlite::Result<()> {
        self.linked.insert(e_id.max(0) as u64);
        self.conn
            .prepare_cached("INSERT INTO etf (f_id, e_id) VALUES (?1, ?2)")?
            .execute(params![f_id, e_id])?;
        Ok(())
    }

    /// Stages an edition's work.
    pub fn work(&self, e_id: i64, w_id: i64) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO wte (e_id, w_id) VALUES (?1, ?2)")?
            .execute(params![e_id, w_id])?;
        Ok(())
    }

    /// Stages a series' title.
    pub fn series(&self, s_id: i64, title: &str) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO series (s_id, title) VALUES (?1, ?2)")?
            .execute(params![s_id, title])?;
        Ok(())
    }

    /// Stages an edition.
    pub fn edition(&self, e: &Edition) -> rusqlite::Result<()> {
        let sql = format!(
            "INSERT OR REPLACE INTO ed (e_id, {}) VALUES (?1, {})",
            EDITION_COLUMNS.join(", "),
            (2..=EDITION_COLUMNS.len() + 1)
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        stmt.raw_bind_parameter(1, e.e_id)?;
        for (i, f) in e.fields.iter().enumerate() {
            stmt.raw_bind_parameter(i + 2, f.as_str())?;
        }
        stmt.raw_execute()?;
        Ok(())
    }

    /// Stages a detail of an edition.
    pub fn detail_value(&self, e_id: i64, key: u32, value: &str) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("INSERT INTO ead (e_id, key, value) VALUES (?1, ?2, ?3)")?
            .execute(params![e_id, key, value])?;
        Ok(())
    }

    /// The editions a file belongs to, lowest id first.
    pub fn editions_of(&self, f_id: i64) -> rusqlite::Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT e_id FROM etf WHERE f_id = ?1 ORDER BY e_id")?;
        let rows = stmt.query_map([f_id], |r| r.get(0))?;
        rows.collect()
    }

    /// A staged edition.
    pub fn get_edition(&self, e_id: i64) -> rusqlite::Result<Option<Edition>> {
        let sql = format!(
            "SELECT {} FROM ed WHERE e_id = ?1",
            EDITION_COLUMNS.join(", ")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([e_id])?;
        let Some(row) = rows.next()? else {
            return Ok(None);
        };
        let fields = (0..EDITION_COLUMNS.len())
            .map(|i| {
                row.get::<_, Option<String>>(i)
                    .map(Option::unwrap_or_default)
            })
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(Some(Edition { e_id, fields }))
    }

    /// The kept details of an edition, in staging order.
    pub fn details(&self, e_id: i64) -> rusqlite::Result<Vec<(Detail, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value FROM ead WHERE e_id = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map([e_id], |r| {
            Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (key, value) = row?;
            if let Some(d) = self.detail(key) {
                out.push((d, value));
            }
        }
        Ok(out)
    }

    /// An edition's work.
    pub fn work_of(&self, e_id: i64) -> rusqlite::Result<Option<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT w_id FROM wte WHERE e_id = ?1")?;
        let mut rows = stmt.query([e_id])?;
        Ok(match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        })
    }

    /// A series' title.
    pub fn series_title(&self, s_id: i64) -> rusqlite::Result<Option<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT title FROM series WHERE s_id = ?1")?;
        let mut rows = stmt.query([s_id])?;
        Ok(match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_sets_hold_what_was_put() {
        let mut s = IdSet::default();
        for id in [0, 1, 63, 64, 206_357_282] {
            s.insert(id);
        }
        for id in [0, 1, 63, 64, 206_357_282] {
            assert!(s.contains(id), "{id}");
        }
        for id in [2, 62, 65, 206_357_281, 1 << 40] {
            assert!(!s.contains(id), "{id}");
        }
    }

    #[test]
    fn detail_keys_by_name_replace_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let mut stage = Stage::create(&dir.path().join("s.sqlite"), 8).unwrap();
        assert_eq!(stage.detail(101), Some(Detail::Language));
        stage.name_keys(&[
            (7, "Language".into()),
            (9, "ISBN".into()),
            (11, "Series".into()),
        ]);
        assert_eq!(stage.detail(7), Some(Detail::Language));
        assert_eq!(stage.detail(101), None);
        assert_eq!(stage.detail(9), Some(Detail::Isbn));
        assert_eq!(stage.detail(11), None);
        assert_eq!(stage.detail(201), Some(Detail::Issn), "a default kept");
    }
}
