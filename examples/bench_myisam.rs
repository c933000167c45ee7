//! Decode speed of the MyISAM reader on a (generated) snapshot, beside the speed of just reading
//! the same bytes.
//!
//!     cargo run --release --example gen_snapshot -- /tmp/snap --files 2000000
//!     cargo run --release --example bench_myisam -- /tmp/snap [files editions ...]
//!
//! For each table, one thread, the file in the page cache (a first pass warms it):
//! - `read`: a plain sequential read of the `.MYD` in 1 MiB chunks (the I/O baseline);
//! - `rows`: every row unpacked (the position of every field found), no value converted;
//! - `values`: every row, every column converted to a [`Value`];
//! - `import`: the columns an importer reads (ids, MD5, size, extension, topic, title, …);
//! - `owned`: every row converted to an owned [`lanshelf::myisam::Row`] (allocates).
//!
//! `FRAGMENT_MEMORY=bytes` sets the reader's memory for parts of split rows (default 64 MiB);
//! each pass then also prints how many rows were split and how many bytes went to disk.

use std::hint::black_box;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

use lanshelf::myisam::{ReaderOptions, TableFiles, Value};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        anyhow::bail!("usage: bench_myisam DIR [TABLE ...]")
    };
    let dir = Path::new(dir);
    let tables: Vec<&str> = if args.len() > 1 {
        args[1..].iter().map(String::as_str).collect()
    } else {
        vec!["files", "editions"]
    };
    let mut options = ReaderOptions::default();
    if let Ok(m) = std::env::var("FRAGMENT_MEMORY") {
        options.fragment_memory = m.parse()?;
    }
    println!(
        "{:<18} {:<8} {:>12} {:>10} {:>12} {:>9}",
        "table", "pass", "rows", "seconds", "rows/s", "MB/s"
    );
    for table in tables {
        let t = TableFiles::open(dir, table)?;
        let bytes = std::fs::metadata(&t.data_path)?.len() as f64;
        let report = |pass: &str, rows: u64, secs: f64| {
            println!(
                "{table:<18} {pass:<8} {rows:>12} {secs:>10.3} {:>10.2} M {:>9.0}",
                rows as f64 / secs / 1e6,
                bytes / secs / 1e6
            );
        };
        // Warm the page cache, then the baseline.
        read_all(&t.data_path)?;
        let start = Instant::now();
        let n = read_all(&t.data_path)?;
        report("read", t.header.rows, start.elapsed().as_secs_f64());
        assert_eq!(n as f64, bytes);

        let start = Instant::now();
        let mut reader = t.rows(options.clone())?;
        let mut rows = 0u64;
        while let Some(row) = reader.next_row()? {
            black_box(&row);
            rows += 1;
        }
        report("rows", rows, start.elapsed().as_secs_f64());
        let stats = reader.stats();
        stats.check_rows(table, &t.header)?;
        if stats.split_rows > 0 {
            println!(
                "{table:<18} split rows {} ({} parts behind their predecessor), at most {} parts waiting, {:.1} MB in memory, {:.1} MB spilled",
                stats.split_rows,
                stats.backward_parts,
                stats.peak_fragments,
                stats.peak_fragment_memory as f64 / 1e6,
                stats.spilled_bytes as f64 / 1e6
            );
        }

        let start = Instant::now();
        let mut reader = t.rows(options.clone())?;
        let mut rows = 0u64;
        while let Some(row) = reader.next_row()? {
            for i in 0..row.len() {
                black_box(row.get(i));
            }
            rows += 1;
        }
        report("values", rows, start.elapsed().as_secs_f64());

        let wanted: Vec<usize> = [
            "f_id",
            "e_id",
            "md5",
            "filesize",
            "extension",
            "libgen_topic",
            "libgen_id",
            "visible",
            "title",
            "author",
            "year",
            "publisher",
            "time_added",
        ]
        .iter()
        .filter_map(|c| t.def.column_index(c))
        .collect();
        let start = Instant::now();
        let mut reader = t.rows(options.clone())?;
        let mut rows = 0u64;
        let mut sum = 0usize;
        while let Some(row) = reader.next_row()? {
            for &i in &wanted {
                sum += match row.get(i) {
                    Value::Text(b) => b.len(),
                    Value::UInt(v) => v as usize,
                    _ => 1,
                };
            }
            rows += 1;
        }
        black_box(sum);
        report("import", rows, start.elapsed().as_secs_f64());

        let start = Instant::now();
        let mut rows = 0u64;
        for row in t.rows(options.clone())?.into_rows() {
            black_box(row?);
            rows += 1;
        }
        report("owned", rows, start.elapsed().as_secs_f64());
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(peak) = status.lines().find(|l| l.starts_with("VmHWM")) {
        println!(
            "peak memory of this process: {}",
            peak.trim_start_matches("VmHWM:").trim()
        );
    }
    Ok(())
}

fn read_all(path: &Path) -> std::io::Result<u64> {
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
        black_box(&buf[..n]);
    }
}
