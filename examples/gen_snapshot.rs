//! Writes a synthetic libgen.li `libgen_new` snapshot (the MyISAM files of ten tables) for
//! benchmarks and import tests.
//!
//!     cargo run --release --example gen_snapshot -- DIR --files 10000000 [--editions N] [--seed S] [--threads T]
//!
//! Editions default to 1.5 × files. Prints each table's rows and bytes and the write speed.

use std::path::PathBuf;
use std::time::Instant;

use lanshelf::synth::{write_snapshot, SnapshotOptions};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut opts = SnapshotOptions::new(100_000);
    let mut editions = None;
    while let Some(a) = args.next() {
        let mut num = || -> anyhow::Result<u64> {
            Ok(args
                .next()
                .ok_or_else(|| anyhow::anyhow!("{a} needs a value"))?
                .parse()?)
        };
        match a.as_str() {
            "--files" => opts.files = num()?,
            "--editions" => editions = Some(num()?),
            "--seed" => opts.seed = num()?,
            "--threads" => opts.threads = num()? as usize,
            _ if dir.is_none() => dir = Some(PathBuf::from(&a)),
            _ => anyhow::bail!(
                "usage: gen_snapshot DIR [--files N] [--editions N] [--seed S] [--threads T]"
            ),
        }
    }
    opts.editions = editions.unwrap_or(opts.files + opts.files / 2);
    let dir = dir.ok_or_else(|| anyhow::anyhow!("usage: gen_snapshot DIR [--files N] ..."))?;
    let start = Instant::now();
    let stats = write_snapshot(&dir, &opts)?;
    let secs = start.elapsed().as_secs_f64();
    let (mut rows, mut bytes) = (0, 0);
    for s in &stats {
        println!(
            "{:<20} {:>12} rows {:>10.1} MB",
            s.table,
            s.rows,
            s.bytes as f64 / 1e6
        );
        rows += s.rows;
        bytes += s.bytes;
    }
    println!(
        "wrote {rows} rows, {:.1} MB in {secs:.1} s with {} threads: {:.2} M rows/s, {:.0} MB/s",
        bytes as f64 / 1e6,
        opts.threads,
        rows as f64 / secs / 1e6,
        bytes as f64 / secs / 1e6
    );
    Ok(())
}
