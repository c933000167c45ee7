//! Looking up every item of a list at once: all identifiers in one call to the engine, the
//! records' summaries in a few catalog queries, their files in one pass over the repository and
//! the torrents. Each item gets the records of its first identifier that finds any.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::SqlitePool;

use super::input::{Format, Item, Parsed};
use super::LookupError;
use crate::db::records::Summary;
use crate::files::{self, FileRef, Located, Repository, TorrentShelf};
use crate::search::{Hit, Identifier, SearchEngine};
use crate::Collection;

/// The most records kept per item (an ISBN may name many editions and copies).
pub const RECORDS_PER_ITEM: usize = 10;

/// Summaries read per catalog query.
const SUMMARY_CHUNK: usize = 5_000;

/// Whether an item was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Records have one of its identifiers.
    Found,
    /// It has identifiers, and no record has any of them.
    NotFound,
    /// No identifier could be read from it.
    Malformed,
}

impl Status {
    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Status::Found => "found",
            Status::NotFound => "not found",
            Status::Malformed => "no identifier",
        }
    }
}

/// A record an item found, with where its file is.
#[derive(Debug, Clone)]
pub struct Record {
    /// What lists show of it.
    pub summary: Summary,
    /// Where its file is.
    pub located: Located,
}

impl Record {
    /// Its collection.
    pub fn collection(&self) -> Collection {
        self.summary.collection()
    }

    /// Whether its file is in the repository.
    pub fn local(&self) -> bool {
        self.located.found.is_some()
    }

    /// Whether it is withdrawn.
    pub fn withdrawn(&self) -> bool {
        !self.summary.visible.trim().is_empty()
    }

    /// Its download link (site-relative), when its file is here.
    pub fn download_path(&self) -> Option<String> {
        self.local()
            .then(|| format!("/download/{}/{}", self.collection().slug(), self.summary.id))
    }

    /// The `.torrent` file that carries it and the path inside, when it can be located.
    pub fn torrent(&self) -> Option<(&str, &str)> {
        self.located.layout.as_ref().ok().map(|l| {
            (
                l.torrent.file_name.as_str(),
                l.torrent.path_in_torrent.as_str(),
            )
        })
    }

    /// Its path in the repository (`libgen/1000/<md5>`), when it can be located.
    pub fn repository_path(&self) -> Option<String> {
        self.located
            .layout
            .as_ref()
            .ok()
            .map(|l| format!("{}/{}", self.collection().slug(), l.repository_path))
    }

    /// A magnet link for its file, when the `.torrent` file is at hand.
    pub fn magnet(&self) -> Option<&str> {
        self.located.torrent.as_ref().map(|t| t.magnet.as_str())
    }
}

/// One item and what was found for it.
#[derive(Debug, Clone)]
pub struct Row {
    /// The item as read.
    pub item: Item,
    /// Found, not found, or no identifier.
    pub status: Status,
    /// The identifier that found the records (or, when none did, the first one tried).
    pub identifier: Option<Identifier>,
    /// The records found, best first (a local file first, then visible, current versions).
    pub records: Vec<Record>,
    /// How many records the identifier names (more than `records` holds when capped).
    pub matches: usize,
}

impl Row {
    /// The record shown for the item.
    pub fn best(&self) -> Option<&Record> {
        self.records.first()
    }
}

/// The answer to a look-up.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// How the list was read.
    pub format: Format,
    /// One row per item, in the list's order.
    pub rows: Vec<Row>,
    /// Time spent.
    pub elapsed: Duration,
}

impl Lookup {
    /// Items found.
    pub fn found(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.status == Status::Found)
            .count()
    }

    /// Items with identifiers that nothing has.
    pub fn not_found(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.status == Status::NotFound)
            .count()
    }

    /// Items without a usable identifier.
    pub fn malformed(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.status == Status::Malformed)
            .count()
    }

    /// Found items whose file is in the repository.
    pub fn local(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.best().is_some_and(Record::local))
            .count()
    }
}

fn file_ref(s: &Summary) -> FileRef<'_> {
    FileRef {
        collection: s.collection(),
        id: s.id.max(0) as u64,
        md5: &s.md5,
        extension: &s.extension,
        doi: &s.doi,
    }
}

/// Looks up every item of `parsed`: the catalog (read-only `pool`), the index (`engine`), the
/// repository and the torrent folder (`shelf`, as last scanned).
pub async fn resolve(
    pool: &SqlitePool,
    engine: Arc<SearchEngine>,
    repository: Repository,
    shelf: TorrentShelf,
    parsed: Parsed,
) -> Result<Lookup, LookupError> {
    let started = Instant::now();
    // Every identifier once.
    let mut wanted: Vec<Identifier> = Vec::new();
    let mut position: HashMap<Identifier, usize> = HashMap::new();
    for item in &parsed.items {
        for id in &item.identifiers {
            if !position.contains_key(id) {
                position.insert(id.clone(), wanted.len());
                wanted.push(id.clone());
            }
        }
    }
    let asked = wanted.clone();
    let found = tokio::task::spawn_blocking(move || {
        engine.lookup_identifiers(&asked, RECORDS_PER_ITEM * 2)
    })
    .await??;
    // Each item takes the hits of its first identifier that has some.
    let chosen: Vec<(Option<Identifier>, &[Hit])> = parsed
        .items
        .iter()
        .map(|item| {
            let hit = item
                .identifiers
                .iter()
                .find(|id| !found[position[*id]].is_empty());
            match hit {
                Some(id) => (Some(id.clone()), found[position[id]].as_slice()),
                None => (item.identifiers.first().cloned(), &[][..]),
            }
        })
        .collect();
    // The summaries of every record found, a few thousand per query.
    let mut unique: Vec<Hit> = Vec::new();
    let mut seen: HashSet<(Collection, u64)> = HashSet::new();
    for (_, hits) in &chosen {
        for h in hits.iter() {
            if seen.insert((h.collection, h.id)) {
                unique.push(*h);
            }
        }
    }
    let mut summaries: Vec<Summary> = Vec::with_capacity(unique.len());
    for chunk in unique.chunks(SUMMARY_CHUNK) {
        summaries.extend(
            crate::db::records::summaries(pool, chunk.iter().map(|h| (h.collection, h.id))).await?,
        );
    }
    // Their files, in one pass.
    let summaries = Arc::new(summaries);
    let located = {
        let summaries = summaries.clone();
        tokio::task::spawn_blocking(move || {
            let refs: Vec<FileRef<'_>> = summaries.iter().map(file_ref).collect();
            files::locate_all(&repository, &shelf, &refs)
        })
        .await?
    };
    let records: HashMap<(Collection, u64), Record> = summaries
        .iter()
        .zip(located)
        .map(|(s, located)| {
            (
                (s.collection(), s.id.max(0) as u64),
                Record {
                    summary: s.clone(),
                    located,
                },
            )
        })
        .collect();
    let rows = parsed
        .items
        .into_iter()
        .zip(chosen.into_iter().map(|(id, hits)| (id, hits.to_vec())))
        .map(|(item, (identifier, hits))| {
            let mut list: Vec<Record> = hits
                .iter()
                .filter_map(|h| records.get(&(h.collection, h.id)).cloned())
                .collect();
            list.sort_by_key(|r| {
                (
                    !r.local(),
                    r.withdrawn(),
                    !r.summary.generic.trim().is_empty(),
                    r.summary.collection(),
                    r.summary.id,
                )
            });
            let matches = list.len();
            list.truncate(RECORDS_PER_ITEM);
            let status = if item.identifiers.is_empty() {
                Status::Malformed
            } else if list.is_empty() {
                Status::NotFound
            } else {
                Status::Found
            };
            Row {
                item,
                status,
                identifier,
                records: list,
                matches,
            }
        })
        .collect();
    Ok(Lookup {
        format: parsed.format,
        rows,
        elapsed: started.elapsed(),
    })
}
