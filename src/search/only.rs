//! A filter to a set of records known outside the index: the records whose file is in the
//! local repository ("available here"), which changes as files are downloaded, with no index
//! update. Matched through the collection and id fast fields; each segment's matches are
//! computed once per set and kept with it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{BitSet, DocId, Score, SegmentReader};

use super::schema::uid;
use crate::Collection;

/// A set of records, with a version that names it (a new set, a new version).
#[derive(Default)]
pub struct RecordSet {
    version: u64,
    ids: HashSet<u64>,
    /// Each segment's matching documents, computed once.
    segments: Mutex<HashMap<tantivy::index::SegmentId, Arc<BitSet>>>,
}

impl RecordSet {
    /// The set of these records; `version` tells sets apart in caches.
    pub fn new(version: u64, records: impl IntoIterator<Item = (Collection, u64)>) -> Self {
        RecordSet {
            version,
            ids: records
                .into_iter()
                .map(|(c, id)| uid(c.code(), id))
                .collect(),
            segments: Mutex::default(),
        }
    }

    /// Whether it holds the record.
    pub fn contains(&self, collection: Collection, id: u64) -> bool {
        self.ids.contains(&uid(collection.code(), id))
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Its version.
    pub fn version(&self) -> u64 {
        self.version
    }

    fn docs(&self, reader: &SegmentReader) -> tantivy::Result<Arc<BitSet>> {
        let key = reader.segment_id();
        if let Some(b) = self
            .segments
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(b.clone());
        }
        let mut docs = BitSet::with_max_value(reader.max_doc());
        if !self.ids.is_empty() {
            let coll = reader.fast_fields().u64("coll")?.first_or_default_col(0);
            let id = reader.fast_fields().u64("id")?.first_or_default_col(0);
            for doc in 0..reader.max_doc() {
                if self.ids.contains(&uid(coll.get_val(doc), id.get_val(doc))) {
                    docs.insert(doc);
                }
            }
        }
        let docs = Arc::new(docs);
        self.segments
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, docs.clone());
        Ok(docs)
    }
}

impl std::fmt::Debug for RecordSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordSet")
            .field("version", &self.version)
            .field("records", &self.ids.len())
            .finish()
    }
}

// Sets compare by version: a filter's identity in cache keys and `Filters`.
impl PartialEq for RecordSet {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

impl Eq for RecordSet {}

impl std::hash::Hash for RecordSet {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.version.hash(state);
    }
}

/// The documents of the records in a set.
#[derive(Debug, Clone)]
pub struct OnlyQuery(pub Arc<RecordSet>);

impl Query for OnlyQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for OnlyQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = self.0.docs(reader)?;
        Ok(Box::new(ConstScorer::new(
            BitSetDocSet::from((*docs).clone()),
            boost,
        )))
    }

    fn explain(&self, _: &SegmentReader, _: DocId) -> tantivy::Result<Explanation> {
        Ok(Explanation::new("a record of the set", 0.0))
    }
}
