//! Many identifiers at once (the batch look-up): each looked up where [`SearchEngine::search`]
//! looks it up, in one pass per kind rather than one search per identifier. MD5s and papers'
//! DOIs in the catalog's indexes (one query per collection for all of them); ISBNs, PubMed ids
//! and books' DOIs as `ident` terms (one term-dictionary probe per identifier and segment, its
//! postings read directly). Withdrawn records are included: the caller shows them as such.

use std::collections::HashMap;

use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Term, TERMINATED};

use super::{Hit, Identifier, SearchEngine, SearchError};
use crate::Collection;

/// The records found for each identifier, in the order asked; at most `limit` per identifier
/// (sorted by collection and id). ISSNs are not looked up (they name journals, not records).
pub type Found = Vec<Vec<Hit>>;

impl SearchEngine {
    /// Looks up many identifiers at once. Blocking.
    pub fn lookup_identifiers(
        &self,
        identifiers: &[Identifier],
        limit: usize,
    ) -> Result<Found, SearchError> {
        let mut found: Found = vec![Vec::new(); identifiers.len()];
        // Catalog look-ups: value → positions asked.
        let mut md5s: HashMap<String, Vec<usize>> = HashMap::new();
        let mut dois: HashMap<String, Vec<usize>> = HashMap::new();
        // Index terms → positions asked.
        let mut terms: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, id) in identifiers.iter().enumerate() {
            match id {
                Identifier::Md5(v) => md5s.entry(v.to_ascii_lowercase()).or_default().push(i),
                Identifier::Doi(v) => {
                    // Papers' DOIs are in the catalog, books' in the index (see `search`).
                    dois.entry(v.to_lowercase()).or_default().push(i);
                    terms.entry(id.term()).or_default().push(i);
                }
                Identifier::Isbn(_) | Identifier::Pmid(_) => {
                    terms.entry(id.term()).or_default().push(i)
                }
                Identifier::Issn(_) => {}
            }
        }
        let mut add = |positions: &[usize], hit: Hit| {
            for &i in positions {
                found[i].push(hit);
            }
        };
        if let Some(catalog) = &self.catalog {
            let conn = catalog.lock();
            let md5_list =
                serde_json::to_string(&md5s.keys().collect::<Vec<_>>()).expect("strings serialize");
            let doi_list =
                serde_json::to_string(&dois.keys().collect::<Vec<_>>()).expect("strings serialize");
            for collection in Collection::ALL {
                if !md5s.is_empty() {
                    for (md5, id) in crate::db::blocking::ids_of_md5s(&conn, collection, &md5_list)?
                    {
                        if let Some(positions) = md5s.get(&md5) {
                            add(
                                positions,
                                Hit {
                                    collection,
                                    id: id.max(0) as u64,
                                    score: 1.0,
                                },
                            );
                        }
                    }
                }
            }
            if !dois.is_empty() {
                for (doi, id) in crate::db::blocking::ids_of_dois(&conn, &doi_list)? {
                    if let Some(positions) = dois.get(&doi) {
                        add(
                            positions,
                            Hit {
                                collection: Collection::Scimag,
                                id: id.max(0) as u64,
                                score: 1.0,
                            },
                        );
                    }
                }
            }
        }
        if !terms.is_empty() {
            let searcher = self.searcher()?;
            // In term order: neighbouring probes share the dictionary's blocks.
            let mut sorted: Vec<(&String, &Vec<usize>)> = terms.iter().collect();
            sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(self.fields.ident)?;
                let columns = self.columns.get(segment)?;
                let alive = segment.alive_bitset();
                for (text, positions) in &sorted {
                    let term = Term::from_field_text(self.fields.ident, text);
                    let Some(mut postings) = inverted
                        .read_postings(&term, IndexRecordOption::Basic)
                        .map_err(tantivy::TantivyError::from)?
                    else {
                        continue;
                    };
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        if alive.is_none_or(|a| a.is_alive(doc)) {
                            let id = columns.id.first(doc).unwrap_or(0);
                            let coll = columns.coll.first(doc).unwrap_or(u64::MAX);
                            if let Some(collection) = Collection::from_code(coll) {
                                add(
                                    positions,
                                    Hit {
                                        collection,
                                        id,
                                        score: 1.0,
                                    },
                                );
                            }
                        }
                        doc = postings.advance();
                    }
                }
            }
        }
        for hits in &mut found {
            hits.sort_by_key(|h| (h.collection, h.id));
            hits.dedup_by_key(|h| (h.collection, h.id));
            hits.truncate(limit);
        }
        Ok(found)
    }
}
