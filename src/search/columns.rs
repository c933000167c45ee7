//! The fast-field columns a search reads per document, opened once per segment.

use std::sync::Arc;

use super::SearchError;

/// Fast-field columns a search reads per document, opened once per segment: opening one
/// decodes its block index, which takes milliseconds at millions of documents (it was most of
/// a query's time at 16 M records when opened per hit).
#[derive(Clone)]
pub(super) struct Columns {
    pub(super) id: tantivy::columnar::Column<u64>,
    pub(super) coll: tantivy::columnar::Column<u64>,
    pub(super) superseded: Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    /// What the facet counts read.
    pub(super) facets: FacetColumns,
}

/// The columns facet counts read per document (0 where a document has no value).
#[derive(Clone)]
pub(super) struct FacetColumns {
    pub(super) coll: Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    pub(super) lang: Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    pub(super) ext: Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    pub(super) year: Arc<dyn tantivy::columnar::ColumnValues<u64>>,
}

impl Columns {
    pub(super) fn is_superseded(&self, doc: tantivy::DocId) -> bool {
        self.superseded.get_val(doc) == 1
    }
}

/// Columns by segment (segments change only when the index does).
#[derive(Clone, Default)]
pub(super) struct ColumnCache(
    Arc<std::sync::Mutex<std::collections::HashMap<tantivy::index::SegmentId, Columns>>>,
);

impl ColumnCache {
    pub(super) fn get(&self, segment: &tantivy::SegmentReader) -> Result<Columns, SearchError> {
        let id = segment.segment_id();
        if let Some(c) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
            return Ok(c.clone());
        }
        let ff = segment.fast_fields();
        let coll = ff.u64("coll")?;
        let columns = Columns {
            id: ff.u64("id")?,
            superseded: ff.u64("superseded")?.first_or_default_col(0),
            facets: FacetColumns {
                coll: coll.clone().first_or_default_col(0),
                lang: ff.u64("lang")?.first_or_default_col(0),
                ext: ff.u64("ext")?.first_or_default_col(0),
                year: ff.u64("year")?.first_or_default_col(0),
            },
            coll,
        };
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(id, columns.clone());
        Ok(columns)
    }
}
