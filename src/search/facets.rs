//! Facet counts (collection, language, extension, decade) gathered in one pass over the matching
//! documents' fast fields. Each facet is counted with every other active filter and without its
//! own (the languages of the records that pass the collection, format and year filters…), so a
//! value shown with a count gives exactly that many results when chosen.

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::ColumnValues;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::normalize::{extension_name, language_name, EXTENSIONS, LANGUAGE_CODES};
use crate::Collection;

/// Decades from 1000 to 2100.
const DECADES: usize = 111;

/// Counts per facet value, largest first.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Facets {
    /// Per collection.
    pub collection: Vec<(Collection, u64)>,
    /// Per language (display name; `Unknown` for none, `Other` for unrecognised).
    pub language: Vec<(String, u64)>,
    /// Per extension.
    pub extension: Vec<(String, u64)>,
    /// Per decade (`1990` for 1990–1999).
    pub decade: Vec<(u64, u64)>,
}

/// The form's filters, each left out of its own facet's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FacetFilters {
    /// Collection code.
    pub coll: Option<u64>,
    /// Language code.
    pub lang: Option<u64>,
    /// Extension code.
    pub ext: Option<u64>,
    /// Year range (unknown years are outside any range).
    pub years: Option<(u64, u64)>,
}

/// The collector: the filters, and the engine's columns by segment (opening a column decodes its
/// block index, which allocates and takes milliseconds at millions of documents: once per
/// segment, not once per search).
pub struct FacetCollector(pub FacetFilters, pub super::ColumnCache);

/// Raw counts of one segment.
pub struct Counts {
    coll: [u64; Collection::COUNT],
    lang: Vec<u64>,
    ext: Vec<u64>,
    decade: Vec<u64>,
}

impl Counts {
    fn new() -> Self {
        Counts {
            coll: [0; Collection::COUNT],
            lang: vec![0; LANGUAGE_CODES],
            ext: vec![0; EXTENSIONS.len()],
            decade: vec![0; DECADES],
        }
    }
}

/// Per-segment state.
pub struct FacetSegment {
    counts: Counts,
    filters: FacetFilters,
    coll: Arc<dyn ColumnValues<u64>>,
    lang: Arc<dyn ColumnValues<u64>>,
    ext: Arc<dyn ColumnValues<u64>>,
    year: Arc<dyn ColumnValues<u64>>,
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let columns = self
            .1
            .get(segment)
            .map_err(|e| tantivy::TantivyError::InternalError(format!("facet columns: {e}")))?;
        Ok(FacetSegment {
            counts: Counts::new(),
            filters: self.0,
            coll: columns.facets.coll,
            lang: columns.facets.lang,
            ext: columns.facets.ext,
            year: columns.facets.year,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Facets> {
        let mut total = Counts::new();
        for f in fruits {
            for (a, b) in total.coll.iter_mut().zip(f.coll) {
                *a += b;
            }
            for (a, b) in total.lang.iter_mut().zip(f.lang) {
                *a += b;
            }
            for (a, b) in total.ext.iter_mut().zip(f.ext) {
                *a += b;
            }
            for (a, b) in total.decade.iter_mut().zip(f.decade) {
                *a += b;
            }
        }
        let ranked = |v: &[u64]| {
            let mut out: Vec<(usize, u64)> = v
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, n)| *n > 0)
                .collect();
            out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            out
        };
        Ok(Facets {
            collection: total
                .coll
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .filter_map(|(c, n)| Collection::from_code(c as u64).map(|c| (c, *n)))
                .collect(),
            language: ranked(&total.lang)
                .into_iter()
                .map(|(c, n)| (language_name(c as u64).to_string(), n))
                .collect(),
            extension: ranked(&total.ext)
                .into_iter()
                .map(|(c, n)| (extension_name(c as u64).to_string(), n))
                .collect(),
            decade: total
                .decade
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(d, n)| (1000 + d as u64 * 10, *n))
                .rev()
                .collect(),
        })
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        let f = &self.filters;
        let (coll, lang, ext, year) = (
            self.coll.get_val(doc),
            self.lang.get_val(doc),
            self.ext.get_val(doc),
            self.year.get_val(doc),
        );
        let pass_coll = f.coll.is_none_or(|v| v == coll);
        let pass_lang = f.lang.is_none_or(|v| v == lang);
        let pass_ext = f.ext.is_none_or(|v| v == ext);
        let pass_year = f
            .years
            .is_none_or(|(lo, hi)| year != 0 && lo <= year && year <= hi);
        let c = &mut self.counts;
        if pass_lang && pass_ext && pass_year {
            if let Some(slot) = c.coll.get_mut(coll as usize) {
                *slot += 1;
            }
        }
        if pass_coll && pass_ext && pass_year {
            if let Some(slot) = c.lang.get_mut(lang as usize) {
                *slot += 1;
            }
        }
        if pass_coll && pass_lang && pass_year {
            if let Some(slot) = c.ext.get_mut(ext as usize) {
                *slot += 1;
            }
        }
        if pass_coll && pass_lang && pass_ext && (1000..2110).contains(&year) {
            c.decade[((year - 1000) / 10) as usize] += 1;
        }
    }

    fn harvest(self) -> Counts {
        self.counts
    }
}
