//! Writing a look-up's table: JSON rows (the API and `lanshelf lookup --format json`), CSV, the
//! found records as BibTeX or RIS (the record pages' citations), and the magnet links that fetch
//! the files not in the repository. Links are made absolute (or prefixed) by the `link` function
//! the caller gives.

use std::collections::{BTreeMap, HashSet};

use serde_json::{json, Value};
use sqlx::SqlitePool;

use super::resolve::{Lookup, Record, Row};
use crate::citation::Citation;
use crate::db::DbError;
use crate::files::TorrentShelf;

/// One record as JSON.
pub fn record_json(r: &Record, link: &dyn Fn(&str) -> String) -> Value {
    let s = &r.summary;
    let c = r.collection();
    let (torrent, torrent_path) = r.torrent().unzip();
    json!({
        "collection": c,
        "id": s.id,
        "title": s.title,
        "author": s.author,
        "year": s.year.trim(),
        "extension": s.extension.trim().to_ascii_lowercase(),
        "filesize": s.filesize,
        "md5": s.md5,
        "doi": s.doi,
        "withdrawn": r.withdrawn(),
        "url": link(&s.url()),
        "api_url": link(&format!("/api/records/{}/{}", c.slug(), s.id)),
        "local": r.local(),
        "download_url": r.download_path().map(|p| link(&p)),
        "repository_path": r.repository_path(),
        "torrent": torrent,
        "torrent_path": torrent_path,
        "magnet": r.magnet(),
        "note": r.located.layout.as_ref().err().map(|what| format!("the record has no valid {what}: its file cannot be located")),
    })
}

/// One row as JSON.
pub fn row_json(row: &Row, link: &dyn Fn(&str) -> String) -> Value {
    json!({
        "position": row.item.position,
        "input": row.item.input,
        "title": row.item.title,
        "status": row.status,
        "identifier": row.identifier,
        "problem": row.item.problem,
        "matches": row.matches,
        "records": row.records.iter().map(|r| record_json(r, link)).collect::<Vec<_>>(),
    })
}

/// The whole look-up as JSON: counts and rows.
pub fn lookup_json(lookup: &Lookup, link: &dyn Fn(&str) -> String) -> Value {
    json!({
        "format": lookup.format,
        "items": lookup.rows.len(),
        "found": lookup.found(),
        "not_found": lookup.not_found(),
        "malformed": lookup.malformed(),
        "local": lookup.local(),
        "took_ms": (lookup.elapsed.as_secs_f64() * 1e5).round() / 100.0,
        "rows": lookup.rows.iter().map(|r| row_json(r, link)).collect::<Vec<_>>(),
    })
}

/// The CSV columns, one line per item (its best record).
pub const CSV_COLUMNS: [&str; 21] = [
    "position",
    "input",
    "status",
    "kind",
    "identifier",
    "matches",
    "collection",
    "id",
    "title",
    "author",
    "year",
    "extension",
    "filesize",
    "md5",
    "doi",
    "local",
    "download_url",
    "torrent",
    "torrent_path",
    "magnet",
    "url",
];

/// The table as CSV (RFC 4180, a header line, CRLF line ends).
pub fn csv(lookup: &Lookup, link: &dyn Fn(&str) -> String) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = w.write_record(CSV_COLUMNS);
    for row in &lookup.rows {
        let (kind, value) = match &row.identifier {
            Some(id) => {
                let term = id.term();
                let (k, v) = term.split_once(':').unwrap_or(("", ""));
                (k.to_string(), v.to_string())
            }
            None => (String::new(), String::new()),
        };
        let mut line: Vec<String> = vec![
            row.item.position.to_string(),
            row.item.input.clone(),
            row.status.label().to_string(),
            kind,
            value,
            row.matches.to_string(),
        ];
        match row.best() {
            Some(r) => {
                let s = &r.summary;
                let (torrent, path) = r.torrent().unwrap_or_default();
                line.extend([
                    r.collection().slug().to_string(),
                    s.id.to_string(),
                    s.title.clone(),
                    s.author.clone(),
                    s.year.trim().to_string(),
                    s.extension.trim().to_ascii_lowercase(),
                    s.filesize.to_string(),
                    s.md5.clone(),
                    s.doi.clone(),
                    if r.local() { "yes" } else { "no" }.to_string(),
                    r.download_path().map(|p| link(&p)).unwrap_or_default(),
                    torrent.to_string(),
                    path.to_string(),
                    r.magnet().unwrap_or_default().to_string(),
                    link(&s.url()),
                ]);
            }
            None => line.extend(std::iter::repeat_n(String::new(), CSV_COLUMNS.len() - 6)),
        }
        // Cells are what the catalog and the user wrote: one a spreadsheet would take for a
        // formula (`=…`, `+…`, `-…`, `@…`) gets a leading apostrophe.
        let line: Vec<String> = line.into_iter().map(defuse).collect();
        let _ = w.write_record(&line);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn defuse(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell
    }
}

/// The found records (the best one per item, each once), as `@article`/`@book` BibTeX entries
/// or RIS records.
pub async fn citations(pool: &SqlitePool, lookup: &Lookup, ris: bool) -> Result<String, DbError> {
    let mut keys = Vec::new();
    let mut done = HashSet::new();
    for row in &lookup.rows {
        let Some(r) = row.best() else { continue };
        let key = (r.collection(), r.summary.id);
        if done.insert(key) {
            keys.push(key);
        }
    }
    let records = crate::db::record::cited_records(pool, &keys).await?;
    let mut out = String::new();
    for key in keys {
        let Some(full) = records.get(&key) else {
            continue;
        };
        let citation = Citation::of(full);
        if ris {
            out.push_str(&citation.ris());
        } else {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&citation.bibtex());
        }
    }
    Ok(out)
}

/// A plain-text list for a BitTorrent client: one magnet link per torrent that carries files of
/// found records not in the repository, each selecting just those files (`so=`), then, as
/// comments, the torrents whose `.torrent` file is not in the torrent folder. Blocking (reads
/// the `.torrent` files).
pub fn magnet_list(lookup: &Lookup, shelf: &TorrentShelf) -> String {
    let mut places: Vec<(String, Option<usize>)> = Vec::new();
    let mut absent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut missing = 0;
    let mut seen = HashSet::new();
    for row in &lookup.rows {
        let Some(r) = row.best().filter(|r| !r.local()) else {
            continue;
        };
        let Some((torrent, path)) = r.torrent() else {
            continue;
        };
        if !seen.insert((r.collection(), r.summary.id)) {
            continue;
        }
        missing += 1;
        match &r.located.torrent {
            Some(place) => places.push((torrent.to_string(), place.file_index)),
            None => absent
                .entry(torrent.to_string())
                .or_default()
                .push(path.to_string()),
        }
    }
    let magnets = crate::files::magnets_for(shelf, &places);
    let mut out = format!(
        "# {missing} files of the found records are not in the repository: {} magnet links for the torrents at hand\n",
        magnets.len()
    );
    for m in &magnets {
        out.push_str(m);
        out.push('\n');
    }
    if !absent.is_empty() {
        out.push_str(
            "# Torrents not in the torrent folder (fetch the .torrent files from a mirror):\n",
        );
        for (torrent, paths) in absent {
            out.push_str(&format!("# {torrent}: {}\n", paths.join(" ")));
        }
    }
    out
}
