//! Where an index generation's bytes go, per field: term dictionary, postings, positions, fast
//! fields and field norms (tantivy's space usage), plus the document store.
//!
//!     cargo run --release --example index_space -- index/gen-…
use tantivy::Index;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let index = Index::open_in_dir(&dir).unwrap();
    lanshelf::search::schema::register_tokenizers(&index);
    let searcher = index.reader().unwrap().searcher();
    let usage = searcher.space_usage().unwrap();
    let mut per: std::collections::BTreeMap<String, [u64; 5]> = Default::default();
    for seg in usage.segments() {
        for (kind, fields) in [
            (0, seg.termdict()),
            (1, seg.postings()),
            (2, seg.positions()),
            (3, seg.fast_fields()),
            (4, seg.fieldnorms()),
        ] {
            for f in fields.fields() {
                per.entry(f.field_name().to_string()).or_default()[kind] += f.total().get_bytes();
            }
        }
    }
    println!("field\tterms\tpostings\tpositions\tfast\tnorms (MiB)");
    for (name, v) in per {
        println!(
            "{name}\t{}\t{}\t{}\t{}\t{}",
            v[0] >> 20,
            v[1] >> 20,
            v[2] >> 20,
            v[3] >> 20,
            v[4] >> 20
        );
    }
    println!(
        "store {} MiB",
        usage
            .segments()
            .iter()
            .map(|s| s.store().total().get_bytes())
            .sum::<u64>()
            >> 20
    );
}
