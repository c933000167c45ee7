//! The torrents page (`/torrents`): per collection, which `.torrent` files are in the torrents
//! folder, which records each covers, and how much of the catalog is in the local repository.
//! Also `/torrents/{name}`, the `.torrent` files themselves. Reads the cached scan only.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::web::error::WebError;
use crate::web::render::{self, count, human_size};
use crate::web::state::{AppState, Coverage};
use crate::Collection;

/// One `.torrent` file.
pub struct TorrentRow {
    /// Its file name.
    pub name: String,
    /// Its download link.
    pub href: String,
    /// The id range its name stands for.
    pub ids: String,
    /// Catalog records in that range.
    pub records: String,
    /// Info-hash.
    pub info_hash: String,
    /// Files listed.
    pub files: String,
    /// Total size.
    pub size: String,
    /// Data for its range is in the repository.
    pub local: bool,
    /// Why it could not be read.
    pub error: Option<String>,
}

/// One collection's figures.
pub struct CollectionView {
    /// Label.
    pub label: &'static str,
    /// Records in the catalog.
    pub records: String,
    /// Torrents the catalog's records fall into.
    pub expected: String,
    /// `.torrent` files present.
    pub present: String,
    /// Records covered by those.
    pub covered: String,
    /// Percentage covered.
    pub covered_percent: String,
    /// Buckets with data in the repository.
    pub local_buckets: String,
    /// Records in those buckets.
    pub local_records: String,
    /// Percentage of the catalog in the repository.
    pub local_percent: String,
    /// The `.torrent` files.
    pub torrents: Vec<TorrentRow>,
}

/// The page.
#[derive(Template)]
#[template(path = "pages/torrents.html")]
pub struct TorrentsPage {
    /// Per collection.
    pub collections: Vec<CollectionView>,
    /// `.torrent` files whose name says no collection.
    pub others: Vec<TorrentRow>,
    /// A torrents folder is configured.
    pub torrents_configured: bool,
    /// A repository is configured.
    pub repository_configured: bool,
    /// The records per torrent are still being counted.
    pub counting: bool,
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".into();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if p > 0.0 && p < 0.1 {
        "< 0.1 %".into()
    } else {
        format!("{p:.1} %")
    }
}

fn view(coverage: &Coverage, state: &AppState) -> TorrentsPage {
    let mut collections = Vec::new();
    let stats = state.stats();
    // Coverage by id ranges: the collections whose torrents follow a naming rule (the others'
    // files are found by name in whichever torrents are at hand, `location::listed`).
    for c in Collection::ALL.into_iter().filter(|c| c.is_classic()) {
        let code = c.code() as usize;
        let records = stats.records(c);
        let expected = match c {
            Collection::Scimag => coverage.buckets.counts[code]
                .keys()
                .map(|b| b / 100)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            _ => coverage.buckets.buckets(c),
        };
        let mut torrents = Vec::new();
        let mut covered = 0u64;
        for t in coverage
            .shelf
            .torrents()
            .filter(|t| t.collection == Some(c))
        {
            let (first, last) = t.ids.unwrap_or((0, 0));
            let n = coverage.buckets.records(c, first, last);
            covered += n;
            let local = coverage.local.buckets[code]
                .range(first / 1000..=last / 1000)
                .next()
                .is_some();
            torrents.push(TorrentRow {
                name: t.file_name.clone(),
                href: format!("/torrents/{}", t.file_name),
                ids: format!("{first}–{last}"),
                records: count(n),
                info_hash: t.info_hash.clone().unwrap_or_default(),
                files: count(t.files as u64),
                size: human_size(t.size as i64),
                local,
                error: t.error.clone(),
            });
        }
        let local_records: u64 = coverage.local.buckets[code]
            .keys()
            .map(|b| coverage.buckets.counts[code].get(b).copied().unwrap_or(0))
            .sum();
        collections.push(CollectionView {
            label: c.label(),
            records: count(records),
            expected: count(expected as u64),
            present: count(torrents.len() as u64),
            covered: count(covered),
            covered_percent: percent(covered, records),
            local_buckets: count(coverage.local.buckets[code].len() as u64),
            local_records: count(local_records),
            local_percent: percent(local_records, records),
            torrents,
        });
    }
    let others = coverage
        .shelf
        .torrents()
        .filter(|t| t.collection.is_none())
        .map(|t| TorrentRow {
            name: t.file_name.clone(),
            href: format!("/torrents/{}", t.file_name),
            ids: String::new(),
            records: String::new(),
            info_hash: t.info_hash.clone().unwrap_or_default(),
            files: count(t.files as u64),
            size: human_size(t.size as i64),
            local: false,
            error: t.error.clone(),
        })
        .collect();
    TorrentsPage {
        collections,
        others,
        torrents_configured: coverage.shelf.dir().is_some(),
        repository_configured: Collection::ALL
            .iter()
            .any(|c| state.repository.root(*c).is_some()),
        counting: !coverage.buckets.counted,
    }
}

/// `GET /torrents`.
pub async fn page(State(state): State<AppState>) -> Response {
    let coverage = state.coverage();
    render::html(&view(&coverage, &state))
}

/// `GET /torrents/{name}`: a `.torrent` file the last scan found (by exact name only).
pub async fn file(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let coverage = state.coverage();
    let Some(path) = coverage.shelf.path(&name) else {
        return Err(WebError::not_found("There is no such .torrent file here."));
    };
    // Streamed, and only up to the size a real .torrent has: the file may have changed since
    // the scan looked at it.
    let file = tokio::fs::File::open(&path).await?;
    let size = file.metadata().await?.len();
    if size > crate::files::MAX_TORRENT_BYTES {
        return Err(WebError::not_found("There is no such .torrent file here."));
    }
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(
        tokio::io::AsyncReadExt::take(file, size),
    ));
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-bittorrent"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (header::CONTENT_LENGTH, HeaderValue::from(size)),
        ],
        body,
    )
        .into_response())
}
