//! The bulk write path: the catalog opened for an import, a prepared upsert per table, the
//! rollback, and the secondary indexes a bulk load drops and rebuilds.

use super::batch::{Batch, ReadyRow, Val};
use super::{ImportOptions, TableSpec};
use rusqlite::{Connection, Statement};
use std::path::Path;
use std::time::Duration;

/// A prepared upsert for one catalog table.
pub(super) struct TableWriter<'c> {
    spec: &'static TableSpec,
    stmt: Statement<'c>,
}

pub(super) fn upsert_sql(spec: &TableSpec) -> String {
    let cols: Vec<&str> = spec.columns.iter().map(|c| c.column).collect();
    let mut names = cols.join(", ");
    let mut params: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let mut sets: Vec<String> = cols
        .iter()
        .filter(|c| **c != spec.key)
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let compared: Vec<&str> = cols.iter().copied().filter(|c| *c != spec.key).collect();
    let old = compared
        .iter()
        .map(|c| format!("{}.{c}", spec.table))
        .collect::<Vec<_>>();
    let new = compared
        .iter()
        .map(|c| format!("excluded.{c}"))
        .collect::<Vec<_>>();
    if spec.tracked {
        names.push_str(", import_id");
        params.push(format!("?{}", cols.len() + 1));
        sets.push("import_id = excluded.import_id".into());
    }
    format!(
        "INSERT INTO {table} ({names}) VALUES ({params}) ON CONFLICT({key}) DO UPDATE SET {sets} WHERE ({old}) IS NOT ({new})",
        table = spec.table,
        params = params.join(", "),
        key = spec.key,
        sets = sets.join(", "),
        old = old.join(", "),
        new = new.join(", "),
    )
}

impl<'c> TableWriter<'c> {
    pub(super) fn new(conn: &'c Connection, spec: &'static TableSpec) -> rusqlite::Result<Self> {
        let stmt = conn.prepare(&upsert_sql(spec))?;
        Ok(TableWriter { spec, stmt })
    }

    /// Writes one converted row; true when it inserted or changed a row.
    pub(super) fn write(
        &mut self,
        batch: &Batch,
        row: &ReadyRow,
        import_id: i64,
    ) -> rusqlite::Result<bool> {
        let values = &batch.values[row.first..row.first + self.spec.columns.len()];
        for (j, v) in values.iter().enumerate() {
            match *v {
                Val::Null => self.stmt.raw_bind_parameter(j + 1, rusqlite::types::Null)?,
                Val::Int(n) => self.stmt.raw_bind_parameter(j + 1, n)?,
                Val::Text(a, b) => self.stmt.raw_bind_parameter(j + 1, batch.text(a, b))?,
            }
        }
        if self.spec.tracked {
            self.stmt
                .raw_bind_parameter(self.spec.columns.len() + 1, import_id)?;
        }
        Ok(self.stmt.raw_execute()? > 0)
    }
}

/// Opens the catalog for writing with the settings of a bulk import.
pub(super) fn open_for_import(path: &Path, opts: &ImportOptions) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    // A new catalog is written once, sequentially, with no journal; an existing one through the
    // write-ahead log, so readers keep their snapshot and a failure rolls back.
    let journal = if opts.fresh {
        "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
    } else {
        // After a checkpoint, the log is cut back to this size instead of keeping the space of
        // its largest transaction (a failed big import would otherwise hold it, issue 18).
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864;"
    };
    conn.execute_batch(&format!(
        "{journal} PRAGMA cache_size = -{}; PRAGMA temp_store = FILE;",
        opts.cache_mib as u64 * 1024
    ))?;
    Ok(conn)
}

/// Rolls the import's transaction back and gives the write-ahead log's space back: what the
/// failed import wrote into it is garbage, and on a small disk the next import needs the room.
pub(super) fn rollback(conn: &Connection) {
    let _ = conn.execute_batch("ROLLBACK");
    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
}

pub(super) fn count_rows(conn: &Connection, table: &str) -> rusqlite::Result<u64> {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| n as u64)
}

/// Secondary indexes of a table, as `(name, sql)`, so a bulk load into an empty table can drop
/// them and build them once at the end.
pub(super) fn secondary_indexes(
    conn: &Connection,
    table: &str,
) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL")?;
    let rows = stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}
