//! Prints a MyISAM table's layout and rows, as the reader sees them.
//!
//!     cargo run --example myisam_dump -- DIR TABLE            # rows, tab-separated
//!     cargo run --example myisam_dump -- DIR TABLE --layout   # the layout computed from the .frm
//!
//! Rows are written as `SELECT … INTO OUTFILE` writes them (NULL as `\N`; tab, newline, NUL and
//! backslash escaped), TIMESTAMPs in UTC; the counts go to standard error. `FRAGMENT_MEMORY=bytes`
//! sets the memory for parts of split rows.

use std::io::Write;
use std::path::Path;

use lanshelf::myisam::{ReaderOptions, TableFiles, Value};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, table, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: myisam_dump DIR TABLE [--layout]");
    };
    let files = TableFiles::open(Path::new(dir), table)?;
    let def = &files.def;
    if rest.iter().any(|a| a == "--layout") {
        println!(
            "table {} record_len {} null_fields {} null_bytes {} pack_bits {} pack_bytes {} options {} format {:?} version {}",
            def.name, def.record_len, def.null_fields, def.null_bytes, def.pack_bits, def.pack_bytes, def.options, def.row_format, def.mysql_version
        );
        println!("myi {:?}", files.header);
        for c in &def.columns {
            println!(
                "{:<28} code {:>3} len {:>5} offset {:>6} bytes {:>5} flags {:>5} null {:<5} {:?} {:?} {:?}",
                c.name, c.type_code, c.length, c.offset, c.pack_length, c.flags, c.nullable, c.column_type, c.packing, c.values
            );
        }
        return Ok(());
    }
    let mut options = ReaderOptions::default();
    if let Ok(m) = std::env::var("FRAGMENT_MEMORY") {
        options.fragment_memory = m.parse()?;
    }
    let mut rows = files.rows(options)?;
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let mut text = String::new();
    while let Some(row) = rows.next_row()? {
        for i in 0..row.len() {
            if i > 0 {
                out.write_all(b"\t")?;
            }
            let v = row.get(i);
            match v {
                Value::Null => out.write_all(b"\\N")?,
                Value::Text(b) | Value::Bytes(b) => write_escaped(&mut out, b)?,
                _ => {
                    text.clear();
                    v.write_text(&mut text);
                    write_escaped(&mut out, text.as_bytes())?;
                }
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    let stats = rows.stats();
    eprintln!("{stats:?}");
    stats.check_rows(table, &files.header)?;
    Ok(())
}

fn write_escaped(out: &mut impl Write, b: &[u8]) -> std::io::Result<()> {
    for &c in b {
        match c {
            b'\\' => out.write_all(b"\\\\")?,
            b'\t' => out.write_all(b"\\\t")?,
            b'\n' => out.write_all(b"\\\n")?,
            0 => out.write_all(b"\\0")?,
            _ => out.write_all(&[c])?,
        }
    }
    Ok(())
}
