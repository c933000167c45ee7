//! Any text through the query parser, the tantivy query builder and the candidate queries, in
//! every matching mode and purpose: no panic, and at most the bounded number of clauses.
#![no_main]

use lanshelf::search::query::{build, candidates, parse_typed, Clause, Filters, Matching, Purpose};
use lanshelf::search::schema::Fields;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = parse_typed(&text, data.len() % 2 == 0);
    assert!(parsed.clauses.len() + parsed.excluded.len() + parsed.identifiers.len() <= 24);
    let fields = Fields::new();
    let common = |c: &Clause| c.tokens.len().is_multiple_of(2);
    for matching in [Matching::Exact, Matching::Fuzzy, Matching::Any] {
        for purpose in [Purpose::Rank, Purpose::Match] {
            let _ = build(
                &fields,
                &parsed,
                &Filters::default(),
                matching,
                true,
                purpose,
                &common,
            );
        }
        let _ = candidates(&fields, &parsed, &Filters::default(), matching, &common);
    }
});
