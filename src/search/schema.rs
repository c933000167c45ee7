//! The index schema: which fields exist, how they are analysed, and the index format version.
//!
//! Only numbers are kept per document (fast fields); everything shown to users is read back from
//! the catalog, which keeps the index small (no document store).

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
};
use tantivy::tokenizer::{RawTokenizer, TextAnalyzer};
use tantivy::Index;

use super::analyzer::{LanshelfTokenizer, Mode};

/// Bumped whenever the schema or the analyzers change in a way an old index cannot serve.
pub const FORMAT_VERSION: u32 = 6;

/// The tokenizer name for text fields.
pub const TEXT_TOKENIZER: &str = "lanshelf";
/// The tokenizer name for the combined field: word forms (see [`super::forms`]).
pub const FORMS_TOKENIZER: &str = "lanshelf_forms";
/// The tokenizer name for exact identifiers.
pub const RAW_TOKENIZER: &str = "raw";

/// Handles on every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Collection code (see [`crate::Collection::code`]).
    pub coll: Field,
    /// Record id within its collection.
    pub id: Field,
    /// Normalised language code.
    pub lang: Field,
    /// Extension code.
    pub ext: Field,
    /// Year (0 when unknown).
    pub year: Field,
    /// File size in KiB (only for sorting: pages show the catalog's bytes; a third fewer bits).
    pub size: Field,
    /// Day added, days since the epoch (only sorting reads it: within a day, index order).
    pub added: Field,
    /// 1 when withdrawn (`Visible` not empty).
    pub withdrawn: Field,
    /// 1 when a better version exists (`Generic` not empty).
    pub superseded: Field,
    /// The first letters of the folded title, packed for sorting by title.
    pub title_key: Field,
    /// Title (with volume info).
    pub title: Field,
    /// Authors.
    pub author: Field,
    /// Series (and periodical).
    pub series: Field,
    /// Publisher.
    pub publisher: Field,
    /// Journal (papers).
    pub journal: Field,
    /// Tags, topics and edition.
    pub tags: Field,
    /// Every text field in one (the title twice, for its weight), each word as its stem in the
    /// record's language group ([`super::forms`]), plus one marker term per collection,
    /// language and extension filter ([`marker`]): a word form, or a filtered one, is then one
    /// posting list, and a query of plain words is a pure conjunction of terms that tantivy's
    /// block-max WAND can prune (see `SearchEngine::run`).
    pub text: Field,
    /// Identifiers as `doi:…`, `isbn:…`, `issn:…`, `pmid:…` (MD5s are looked up in the catalog,
    /// whose MD5 indexes exist anyway: unique 32-digit terms would double the index).
    pub ident: Field,
    /// The schema itself.
    pub schema: Schema,
}

impl Fields {
    /// Builds the schema.
    pub fn new() -> Self {
        let mut b = Schema::builder();
        // Positions (for phrases) only where phrases are asked for: title, authors, series.
        // Field norms (BM25's length normalisation, a byte per document and field) only where
        // length says something: titles, authors and the combined field, not a publisher's name.
        let indexing = |option, norms| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(TEXT_TOKENIZER)
                    .set_index_option(option)
                    .set_fieldnorms(norms),
            )
        };
        let text = indexing(IndexRecordOption::WithFreqsAndPositions, true);
        let series_options = indexing(IndexRecordOption::WithFreqsAndPositions, false);
        let words = indexing(IndexRecordOption::WithFreqs, false);
        let combined = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(FORMS_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs)
                .set_fieldnorms(true),
        );
        let ident = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(RAW_TOKENIZER)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        );
        // Numbers need no field norms (they are never scored).
        let filter = NumericOptions::default().set_indexed().set_fast();
        let fast: NumericOptions = FAST.into();
        let coll = b.add_u64_field("coll", filter.clone());
        let id = b.add_u64_field("id", fast.clone());
        let lang = b.add_u64_field("lang", filter.clone());
        let ext = b.add_u64_field("ext", filter.clone());
        let year = b.add_u64_field("year", fast.clone());
        let size = b.add_u64_field("size", fast.clone());
        let added = b.add_i64_field("added", fast.clone());
        let withdrawn = b.add_u64_field("withdrawn", filter);
        let superseded = b.add_u64_field("superseded", fast.clone());
        let title_key = b.add_u64_field("title_key", fast);
        let title = b.add_text_field("title", text.clone());
        let author = b.add_text_field("author", text.clone());
        let series = b.add_text_field("series", series_options);
        let publisher = b.add_text_field("publisher", words.clone());
        let journal = b.add_text_field("journal", words.clone());
        let tags = b.add_text_field("tags", words);
        let ident = b.add_text_field("ident", ident);
        let all = b.add_text_field("text", combined);
        Fields {
            coll,
            id,
            lang,
            ext,
            year,
            size,
            added,
            withdrawn,
            superseded,
            title_key,
            title,
            author,
            series,
            publisher,
            journal,
            tags,
            text: all,
            ident,
            schema: b.build(),
        }
    }

    /// Whether a text field keeps positions (phrase queries need them).
    pub fn has_positions(&self, field: Field) -> bool {
        field == self.title || field == self.author || field == self.series
    }

    /// The text fields a free-text word is looked up in, with their boosts.
    pub fn text_fields(&self) -> [(Field, f32); 6] {
        [
            (self.title, 4.0),
            (self.author, 3.0),
            (self.series, 1.5),
            (self.publisher, 1.2),
            (self.journal, 1.5),
            (self.tags, 1.0),
        ]
    }
}

impl Default for Fields {
    fn default() -> Self {
        Self::new()
    }
}

/// Registers the analyzers on an index (needed after every open).
pub fn register_tokenizers(index: &Index) {
    index.tokenizers().register(
        TEXT_TOKENIZER,
        TextAnalyzer::from(LanshelfTokenizer::new(Mode::Index)),
    );
    index.tokenizers().register(
        FORMS_TOKENIZER,
        TextAnalyzer::from(LanshelfTokenizer::new(Mode::Forms)),
    );
    index
        .tokenizers()
        .register(RAW_TOKENIZER, TextAnalyzer::from(RawTokenizer::default()));
}

/// What a marker term of the `text` field stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A collection code.
    Collection(u64),
    /// A language code.
    Language(u64),
    /// An extension code.
    Extension(u64),
}

/// The marker term for a filter value: starts with a control character, which the query analyzer
/// never produces, so no word can match it.
pub fn marker(m: Marker) -> String {
    match m {
        Marker::Collection(c) => format!("\u{1}c{c}"),
        Marker::Language(l) => format!("\u{1}l{l}"),
        Marker::Extension(e) => format!("\u{1}e{e}"),
    }
}

/// A record's key over all collections, from its collection code and id.
pub fn uid(collection_code: u64, id: u64) -> u64 {
    collection_code << 40 | id
}

/// Packs the first eight bytes of a folded title into a number that sorts like the title.
pub fn title_key(title: &str) -> u64 {
    // Only the first eight bytes count: fold no further.
    let mut folded = String::with_capacity(16);
    for c in title
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .chars()
    {
        if folded.len() >= 8 {
            break;
        }
        super::analyzer::fold_char(c, &mut folded);
    }
    let mut key = [0u8; 8];
    for (slot, b) in key.iter_mut().zip(folded.bytes()) {
        *slot = b;
    }
    u64::from_be_bytes(key)
}
