//! The location panel of record pages and of the missing-file page: is the file in the local
//! repository, and if not, which torrent carries it, where inside it, and a magnet link for just
//! that file when the `.torrent` file is at hand.

use crate::db::records::Summary;
use crate::files::{self, FileRef, FilesError, Found, Layout, Torrent};
use crate::web::error::WebError;
use crate::web::render::human_size;
use crate::web::state::AppState;
use crate::Collection;

/// What the panel shows.
#[derive(Debug, Clone, Default)]
pub struct Location {
    /// Why the file cannot be located at all (no MD5, no DOI), if so.
    pub unlocatable: Option<String>,
    /// A repository folder is configured for this collection.
    pub repository_configured: bool,
    /// The file is in the repository.
    pub present: bool,
    /// Its size on disk.
    pub size: String,
    /// The download link.
    pub download: String,
    /// Where it belongs in the repository (`libgen/1000/<md5>`).
    pub repository_path: String,
    /// For papers: the zip's file name.
    pub zip: String,
    /// For papers: the entry inside the zip (as found, or as computed).
    pub entry: String,
    /// The `.torrent` file's name.
    pub torrent: String,
    /// The path inside the torrent.
    pub path_in_torrent: String,
    /// A `.torrent` folder is configured.
    pub torrents_configured: bool,
    /// The link to the `.torrent` file, when it is in the folder.
    pub torrent_href: Option<String>,
    /// The magnet link.
    pub magnet: Option<String>,
    /// The file's index in the torrent (`so=`).
    pub file_index: Option<usize>,
    /// The torrent's info-hash.
    pub info_hash: String,
    /// A warning about the torrent (does not list this file, unreadable).
    pub torrent_note: Option<String>,
}

/// The catalog values a file's location is computed from.
pub fn file_ref(summary: &Summary) -> FileRef<'_> {
    FileRef {
        collection: summary.collection(),
        id: summary.id.max(0) as u64,
        md5: &summary.md5,
        extension: &summary.extension,
        doi: &summary.doi,
    }
}

/// Locates a record's file and its torrent. Blocking work runs on the blocking pool.
pub async fn locate(
    state: &AppState,
    summary: &Summary,
) -> Result<(Location, Option<Found>), WebError> {
    let collection = summary.collection();
    let mut loc = Location {
        repository_configured: state.repository.root(collection).is_some(),
        download: format!("/download/{}/{}", collection.slug(), summary.id),
        ..Default::default()
    };
    let coverage = state.coverage();
    loc.torrents_configured = coverage.shelf.dir().is_some();
    let file = file_ref(summary);
    let layout = match Layout::of(&file) {
        Ok(l) => l,
        Err(FilesError::Unlocatable(what)) => {
            loc.unlocatable = Some(format!(
                "The record has no valid {what}, so where its file is cannot be worked out."
            ));
            return Ok((loc, None));
        }
        Err(FilesError::NoRule) => return listed(state, summary, loc).await,
        Err(e) => return Err(e.into()),
    };
    loc.repository_path = format!("{}/{}", collection.slug(), layout.repository_path);
    loc.torrent = layout.torrent.file_name.clone();
    loc.path_in_torrent = layout.torrent.path_in_torrent.clone();
    if collection == Collection::Scimag {
        loc.zip = layout
            .repository_path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        loc.entry = layout.zip_entry.clone().unwrap_or_default();
    }

    let repository = state.repository.clone();
    let owned = (
        collection,
        summary.id.max(0) as u64,
        summary.md5.clone(),
        summary.extension.clone(),
        summary.doi.clone(),
    );
    let torrent_path = coverage.shelf.path(&layout.torrent.file_name);
    let (found, torrent) = tokio::task::spawn_blocking(move || {
        let (collection, id, md5, extension, doi) = owned;
        let file = FileRef {
            collection,
            id,
            md5: &md5,
            extension: &extension,
            doi: &doi,
        };
        let found = files::locate(&repository, &file);
        let torrent = torrent_path.map(|p| Torrent::read(&p));
        (found, torrent)
    })
    .await?;
    let found = match found {
        Ok(f) => f,
        Err(e) => {
            // An unreadable zip or folder: log it, show the file as absent.
            tracing::warn!(error = %crate::chain::Chain(&e), "cannot read the repository");
            None
        }
    };
    if let Some(f) = &found {
        loc.present = true;
        loc.size = human_size(f.size() as i64);
        if let Found::Zipped(entry) = f {
            loc.entry = entry.name.clone();
        }
    }
    match torrent {
        None => {}
        Some(Ok(t)) => {
            loc.torrent_href = Some(format!("/torrents/{}", layout.torrent.file_name));
            loc.info_hash = t.info_hash_hex();
            loc.file_index = t.find_file(&layout.torrent.path_in_torrent);
            if loc.file_index.is_none() {
                loc.torrent_note = Some(
                    "This .torrent file does not list the file (another torrent with the same name?). The magnet link fetches the whole torrent."
                        .into(),
                );
            }
            loc.magnet = Some(t.magnet(loc.file_index));
        }
        Some(Err(e)) => {
            tracing::warn!(error = %crate::chain::Chain(&e), "cannot read a torrent file");
            loc.torrent_note = Some("The .torrent file could not be read.".into());
        }
    }
    Ok((loc, found))
}

/// The names a file of a collection without a naming rule may be listed under in a torrent.
fn listed_names(summary: &Summary, locator: &str) -> Vec<String> {
    let md5 = summary.md5.trim().to_ascii_lowercase();
    let mut names = Vec::new();
    if !md5.is_empty() {
        let ext = summary.extension.trim().to_ascii_lowercase();
        if !ext.is_empty() {
            names.push(format!("{md5}.{ext}"));
        }
        names.push(md5);
    }
    let original = locator.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if !original.is_empty() {
        names.push(original.to_string());
    }
    names
}

/// Where the file of a collection without a naming rule is (magazines, comics, standards,
/// Russian fiction): in whichever `.torrent` file at hand lists it by name, and in the
/// repository where that torrent puts it (`REPOSITORY/<collection>/<torrent path>`).
pub async fn listed(
    state: &AppState,
    summary: &Summary,
    mut loc: Location,
) -> Result<(Location, Option<Found>), WebError> {
    let collection = summary.collection();
    let locator = crate::db::record::locator(&state.pool, collection, summary.id)
        .await?
        .unwrap_or_default();
    let names = listed_names(summary, &locator);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let coverage = state.coverage();
    let Some(at) = coverage.shelf.find_by_name(&refs) else {
        loc.unlocatable = Some(format!(
            "Not in any torrent here: {} files follow no naming rule, so they are found by name in \
             the .torrent files at hand, and none of those lists this one ({}).",
            collection.label(),
            names.join(", ")
        ));
        return Ok((loc, None));
    };
    let Some(path) = coverage.shelf.path(&at.torrent) else {
        return Ok((loc, None));
    };
    let repository = state.repository.clone();
    let (torrent, found) = tokio::task::spawn_blocking(move || {
        let torrent = Torrent::read(&path);
        let found = torrent
            .as_ref()
            .ok()
            .and_then(|t| files::locate_listed(&repository, collection, t, at.index));
        (torrent, found)
    })
    .await?;
    let torrent = match torrent {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(error = %crate::chain::Chain(&e), "cannot read a torrent file");
            loc.torrent_note = Some("The .torrent file could not be read.".into());
            return Ok((loc, None));
        }
    };
    let file = &torrent.files[at.index.min(torrent.files.len().saturating_sub(1))];
    loc.torrent = at.torrent.clone();
    loc.torrent_href = Some(format!("/torrents/{}", at.torrent));
    loc.path_in_torrent = file.path.clone();
    loc.repository_path = files::listed_path(collection, &torrent, at.index);
    loc.info_hash = torrent.info_hash_hex();
    loc.file_index = Some(at.index);
    loc.magnet = Some(torrent.magnet(Some(at.index)));
    if let Some(f) = &found {
        loc.present = true;
        loc.size = human_size(f.size() as i64);
    }
    Ok((loc, found))
}

/// Where a result's file is, at a glance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// In the local repository: the download link.
    Here(String),
    /// Listed by a `.torrent` file at hand: the magnet link for just that file.
    Torrent(String),
    /// Neither.
    Absent,
}

impl Availability {
    /// A style class for the mark.
    pub fn class(&self) -> &'static str {
        match self {
            Availability::Here(_) => "here",
            Availability::Torrent(_) => "torrent",
            Availability::Absent => "absent",
        }
    }

    /// The mark's words.
    pub fn label(&self) -> &'static str {
        match self {
            Availability::Here(_) => "On this server",
            Availability::Torrent(_) => "In a torrent here",
            Availability::Absent => "Not here",
        }
    }
}

/// What a result list shows of a record's file: where it is, and its cover.
#[derive(Debug, Clone)]
pub struct Mark {
    /// Where its file is.
    pub availability: Availability,
    /// Its cover's link, when the cover store has it.
    pub cover: Option<String>,
}

/// The marks of a page of results: "here" from the repository scan's record set, the magnet
/// link from the `.torrent` files at hand (read once and kept), the cover when its file is in
/// the cover store. Blocking work runs on the blocking pool.
pub async fn marks(state: &AppState, summaries: &[Summary]) -> Vec<Mark> {
    let coverage = state.coverage();
    let state2 = state.clone();
    let rows: Vec<(Collection, i64, String, String, String, String)> = summaries
        .iter()
        .map(|s| {
            (
                s.collection(),
                s.id,
                s.md5.clone(),
                s.extension.clone(),
                s.doi.clone(),
                s.coverurl.clone(),
            )
        })
        .collect();
    let found = tokio::task::spawn_blocking(move || {
        rows.iter()
            .map(|(collection, id, md5, extension, doi, coverurl)| {
                let (collection, id) = (*collection, *id);
                let availability = if coverage.available.contains(collection, id.max(0) as u64) {
                    Availability::Here(format!("/download/{}/{id}", collection.slug()))
                } else {
                    magnet(&state2, &coverage, collection, id, md5, extension, doi)
                        .map_or(Availability::Absent, Availability::Torrent)
                };
                let cover = state2
                    .repository
                    .cover(collection, coverurl)
                    .and_then(|(path, _)| state2.repository.resolve_cover(&path))
                    .filter(|p| p.is_file())
                    .map(|_| format!("/covers/{}/{id}", collection.slug()));
                Mark {
                    availability,
                    cover,
                }
            })
            .collect::<Vec<_>>()
    })
    .await;
    found.unwrap_or_else(|_| {
        summaries
            .iter()
            .map(|_| Mark {
                availability: Availability::Absent,
                cover: None,
            })
            .collect()
    })
}

/// The magnet link of a record's file, when a `.torrent` file at hand lists it. Blocking.
fn magnet(
    state: &AppState,
    coverage: &crate::web::state::Coverage,
    collection: Collection,
    id: i64,
    md5: &str,
    extension: &str,
    doi: &str,
) -> Option<String> {
    let file = FileRef {
        collection,
        id: id.max(0) as u64,
        md5,
        extension,
        doi,
    };
    match Layout::of(&file) {
        Ok(layout) => {
            let torrent = state
                .torrent_cache
                .get(&coverage.shelf, &layout.torrent.file_name)?;
            let index = torrent.find_file(&layout.torrent.path_in_torrent)?;
            Some(torrent.magnet(Some(index)))
        }
        Err(FilesError::NoRule) => {
            let md5 = md5.trim().to_ascii_lowercase();
            if !crate::search::normalize::is_md5(&md5) {
                return None;
            }
            let ext = extension.trim().to_ascii_lowercase();
            let names = [format!("{md5}.{ext}"), md5];
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let at = coverage.shelf.find_by_name(&refs)?;
            let torrent = state.torrent_cache.get(&coverage.shelf, &at.torrent)?;
            Some(torrent.magnet(Some(at.index)))
        }
        Err(_) => None,
    }
}
