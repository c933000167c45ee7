//! The MyISAM reader against real tables written by MariaDB (tests/fixtures/myisam/, made by
//! make-myisam-fixtures.sh): every field of every row equals MariaDB's own SELECT of the table,
//! the layout computed from the 2026-layout `.frm` files equals the one published for the real
//! 2026-09-06 snapshot, the packing of every field equals what `myisamchk` reports, and damaged
//! or foreign files fail with the table and byte offset.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lanshelf::myisam::{
    MydReader, MyiHeader, MyisamError, Packing, ReadStats, ReaderOptions, RowView, TableDef,
    TableFiles, Value,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/myisam")
}

const LIBGEN_TABLES: [&str; 5] = [
    "editions",
    "editions_add_descr",
    "editions_to_files",
    "elem_descr",
    "files",
];
const TYPE_TABLES: [&str; 7] = [
    "dyn_types",
    "fix_types",
    "tiny_fixed",
    "checksum_dyn",
    "checksum_fix",
    "old_temporal",
    "old_temporal_fixed",
];

fn all_tables() -> Vec<(PathBuf, &'static str)> {
    let mut v = Vec::new();
    for layout in ["2026", "2024"] {
        for t in LIBGEN_TABLES {
            v.push((fixtures().join(layout), t));
        }
    }
    for t in TYPE_TABLES {
        v.push((fixtures().join("types"), t));
    }
    v
}

/// A field of MariaDB's `SELECT … INTO OUTFILE`: `None` for NULL, else the unescaped bytes.
type Field = Option<Vec<u8>>;

/// Parses OUTFILE text: fields split by unescaped tabs, rows by unescaped newlines; `\N` is NULL,
/// `\0` a NUL byte, a backslash before anything else keeps that byte.
fn parse_outfile(bytes: &[u8]) -> Vec<Vec<Field>> {
    let mut rows = Vec::new();
    let mut row: Vec<Field> = Vec::new();
    let mut field = Vec::new();
    let mut escaped_null = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let next = bytes[i + 1];
                if next == b'N'
                    && field.is_empty()
                    && matches!(bytes.get(i + 2), Some(b'\t' | b'\n'))
                {
                    escaped_null = true;
                } else {
                    field.push(if next == b'0' { 0 } else { next });
                }
                i += 2;
                continue;
            }
            b'\t' | b'\n' => {
                row.push(if escaped_null {
                    None
                } else {
                    Some(std::mem::take(&mut field))
                });
                escaped_null = false;
                if bytes[i] == b'\n' {
                    rows.push(std::mem::take(&mut row));
                }
            }
            c => field.push(c),
        }
        i += 1;
    }
    rows
}

/// A value as MariaDB's OUTFILE shows it, unescaped.
fn render(value: Value<'_>) -> Field {
    match value {
        Value::Null => None,
        Value::Text(b) | Value::Bytes(b) => Some(b.to_vec()),
        other => {
            let mut s = String::new();
            other.write_text(&mut s);
            Some(s.into_bytes())
        }
    }
}

fn render_row(row: &RowView<'_>) -> Vec<Field> {
    row.values().map(render).collect()
}

/// Reads all rows of a table with the given options; returns rows and counts.
fn read_rows(
    dir: &Path,
    table: &str,
    options: ReaderOptions,
) -> (Vec<Vec<Field>>, ReadStats, TableFiles) {
    let files = TableFiles::open(dir, table).unwrap_or_else(|e| panic!("{table}: {e}"));
    let mut reader = files.rows(options).unwrap();
    let mut rows = Vec::new();
    while let Some(row) = reader
        .next_row()
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join(table).display()))
    {
        rows.push(render_row(&row));
    }
    let stats = reader.stats();
    (rows, stats, files)
}

fn show(f: &Field) -> String {
    match f {
        None => "NULL".into(),
        Some(b) => {
            let s = String::from_utf8_lossy(b);
            if s.len() > 80 {
                format!(
                    "{:?}… ({} bytes)",
                    &s.chars().take(60).collect::<String>(),
                    b.len()
                )
            } else {
                format!("{s:?}")
            }
        }
    }
}

/// Compares our rows with MariaDB's, field by field (rows matched after sorting: a stream
/// returns a split row when its last part is read, not in file order).
fn assert_same_rows(
    what: &str,
    def: &TableDef,
    mut ours: Vec<Vec<Field>>,
    mut theirs: Vec<Vec<Field>>,
) {
    assert_eq!(ours.len(), theirs.len(), "{what}: row count");
    ours.sort();
    theirs.sort();
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(a.len(), def.columns.len(), "{what}: our row width");
        assert_eq!(b.len(), def.columns.len(), "{what}: MariaDB's row width");
        for (i, col) in def.columns.iter().enumerate() {
            assert!(
                a[i] == b[i],
                "{what}: row {}, column `{}`: ours {} but MariaDB's {}",
                show(&b[0]),
                col.name,
                show(&a[i]),
                show(&b[i])
            );
        }
    }
}

#[test]
fn every_field_of_every_row_equals_mariadbs_select() {
    let mut total = ReadStats::default();
    let mut rows_checked = 0;
    for (dir, table) in all_tables() {
        let what = format!("{}/{table}", dir.file_name().unwrap().to_string_lossy());
        let (ours, stats, files) = read_rows(&dir, table, ReaderOptions::default());
        let theirs = parse_outfile(&std::fs::read(dir.join(format!("{table}.tsv"))).unwrap());
        assert!(!theirs.is_empty(), "{what}: the fixture has rows");
        stats.check_rows(table, &files.header).unwrap();
        assert_eq!(
            stats.bytes, files.header.data_file_length,
            "{what}: read the whole .MYD"
        );
        rows_checked += ours.len();
        assert_same_rows(&what, &files.def, ours, theirs);
        total.deleted += stats.deleted;
        total.split_rows += stats.split_rows;
        total.continuation_blocks += stats.continuation_blocks;
        total.backward_parts += stats.backward_parts;
        total.unclaimed_blocks += stats.unclaimed_blocks;
    }
    assert!(rows_checked > 400, "{rows_checked} rows");
    // The fixtures exercise what they are meant to.
    assert!(total.deleted >= 5, "deleted rows and blocks: {total:?}");
    assert!(total.split_rows >= 40, "split rows: {total:?}");
    assert!(
        total.backward_parts >= 10,
        "parts behind the block pointing to them: {total:?}"
    );
    assert_eq!(total.unclaimed_blocks, 0);
}

#[test]
fn both_layouts_are_decoded_from_their_own_frm() {
    let new = TableFiles::open(&fixtures().join("2026"), "files").unwrap();
    let old = TableFiles::open(&fixtures().join("2024"), "files").unwrap();
    assert_eq!(new.def.column_index("version"), Some(34));
    assert_eq!(old.def.column_index("version"), None);
    let size = |d: &TableDef| d.columns[d.column_index("filesize").unwrap()].pack_length;
    assert_eq!((size(&new.def), size(&old.def)), (8, 4));
    let editions = TableFiles::open(&fixtures().join("2024"), "editions").unwrap();
    assert!(editions.def.column_index("full_text").is_some());
}

/// The layout numbers wexder/libgendex publishes for the real 2026-09-06 `.frm` files (see the
/// `source` field of the JSON).
#[derive(serde::Deserialize)]
struct Published {
    tables: Vec<PublishedTable>,
}

#[derive(serde::Deserialize)]
struct PublishedTable {
    table: String,
    record_len: usize,
    pack_bits: usize,
    null_fields: usize,
    options: u16,
    columns: Vec<(String, u8, u32, usize, u16)>,
    enum_values: std::collections::HashMap<String, Vec<String>>,
}

#[test]
fn the_2026_layout_equals_the_one_published_for_the_real_snapshot() {
    let published: Published =
        serde_json::from_slice(&std::fs::read(fixtures().join("layout-2026-09-06.json")).unwrap())
            .unwrap();
    assert_eq!(published.tables.len(), 5);
    for p in &published.tables {
        let frm = std::fs::read(fixtures().join("2026").join(format!("{}.frm", p.table))).unwrap();
        let def = TableDef::from_frm(&p.table, &frm).unwrap();
        let t = &p.table;
        assert_eq!(def.record_len, p.record_len, "{t}: record_len");
        // libgendex's "pack_bits" counts bytes (MyISAM's base.pack_bits is in bytes too).
        assert_eq!(def.pack_bytes, p.pack_bits, "{t}: pack-bit bytes");
        assert_eq!(def.null_fields, p.null_fields, "{t}: NULL fields");
        // Its options are the .MYI header's: compare the row format bit.
        assert_eq!(def.options & 1, p.options & 1, "{t}: dynamic rows");
        assert_eq!(def.columns.len(), p.columns.len(), "{t}: columns");
        for (c, (name, code, length, offset, flags)) in def.columns.iter().zip(&p.columns) {
            assert_eq!(&c.name, name, "{t}: column order");
            assert_eq!(c.type_code, *code, "{t}.{name}: type code");
            assert_eq!(c.length, *length, "{t}.{name}: length");
            assert_eq!(c.offset, *offset, "{t}.{name}: offset");
            // MySQL 5.x, which wrote the real files, sets bit 0 of a TIMESTAMP's flags; MariaDB
            // does not. It is the "signed" bit of numbers and means nothing for a TIMESTAMP.
            let ours = if *code == 17 { c.flags | 1 } else { c.flags };
            assert_eq!(ours, *flags, "{t}.{name}: flags");
            let values = p.enum_values.get(name).cloned().unwrap_or_default();
            assert_eq!(c.values, values, "{t}.{name}: ENUM values");
        }
    }
}

/// `myisamchk -dvv`'s name for each way MyISAM stores a field.
fn packing_name(p: Packing) -> &'static str {
    match p {
        Packing::Normal => "",
        Packing::SkipZero => "no zeros",
        Packing::SkipEndspace => "no endspace",
        Packing::SkipPrespace => "no prespace",
        Packing::VarChar => "varchar",
        Packing::Blob => "blob",
    }
}

#[test]
fn every_field_is_stored_as_myisamchk_says() {
    for (dir, table) in all_tables() {
        let files = TableFiles::open(&dir, table).unwrap();
        let def = &files.def;
        let text = std::fs::read_to_string(dir.join(format!("{table}.fields"))).unwrap();
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with("Field Start Length"));
        let mut count = 0;
        for line in lines.filter(|l| !l.trim().is_empty()) {
            // "N  start  length  [nullpos nullbit]  type"
            let start: usize = line[6..12].trim().parse().unwrap();
            let length: usize = line[12..19].trim().parse().unwrap();
            let rest = line.get(19..).unwrap_or("");
            let null: Vec<usize> = rest
                .get(..16)
                .unwrap_or(rest)
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect();
            let kind = rest.get(16..).unwrap_or("").trim();
            let offset = start - 1;
            let col = def.columns.iter().find(|c| c.offset == offset);
            match col {
                Some(c) => {
                    assert_eq!(c.pack_length, length, "{table}.{}: length", c.name);
                    assert_eq!(packing_name(c.packing), kind, "{table}.{}: packing", c.name);
                    match c.null_bit {
                        Some(nb) => assert_eq!(
                            null,
                            vec![nb.byte + 1, nb.mask as usize],
                            "{table}.{}: NULL bit",
                            c.name
                        ),
                        None => assert!(null.is_empty(), "{table}.{}: not nullable", c.name),
                    }
                }
                None => {
                    assert_eq!(offset, 0, "{table}: only the NULL bitmap is not a column");
                    assert_eq!(length, def.columns[0].offset, "{table}: bitmap length");
                    assert_eq!(kind, "");
                }
            }
            count += 1;
        }
        assert_eq!(count, files.header.fields as usize, "{table}: fields");
    }
}

/// A reader that hands out at most a few bytes per call, like a slow decompressor.
struct Trickle<R> {
    inner: R,
    step: usize,
    calls: usize,
}

impl<R: Read> Read for Trickle<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.calls += 1;
        let n = buf.len().min(1 + (self.calls * 7 + self.step) % 13);
        self.inner.read(&mut buf[..n])
    }
}

#[test]
fn a_trickling_stream_and_a_spilling_fragment_store_give_the_same_rows() {
    let spill_dir = tempfile::tempdir().unwrap();
    let mut spilled = 0;
    for (dir, table) in all_tables() {
        let (expected, _, files) = read_rows(&dir, table, ReaderOptions::default());
        let data = std::fs::read(&files.data_path).unwrap();
        // Small buffer, bytes arriving a few at a time, no memory for fragments: every waiting
        // part goes through the temporary file.
        let options = ReaderOptions {
            fragment_memory: 0,
            temp_dir: Some(spill_dir.path().to_path_buf()),
            buffer_size: 64,
            data_pointer_size: Some(files.header.data_pointer_size),
        };
        let src = Trickle {
            inner: &data[..],
            step: table.len(),
            calls: 0,
        };
        let mut reader = MydReader::new(files.def.clone(), src, options);
        let mut rows = Vec::new();
        while let Some(row) = reader.next_row().unwrap() {
            rows.push(render_row(&row));
        }
        let stats = reader.stats();
        stats.check_rows(table, &files.header).unwrap();
        spilled += stats.spilled_bytes;
        assert_same_rows(table, &files.def, rows, expected.clone());
        // And the owned rows say the same.
        let owned: Vec<_> = MydReader::new(files.def.clone(), &data[..], ReaderOptions::default())
            .into_rows()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(owned.len(), expected.len());
    }
    assert!(spilled > 10_000, "fragments went to disk: {spilled} bytes");
    assert_eq!(
        std::fs::read_dir(spill_dir.path()).unwrap().count(),
        0,
        "the temporary file is anonymous"
    );
}

#[test]
fn owned_rows_convert_text_per_collation() {
    let files = TableFiles::open(&fixtures().join("types"), "dyn_types").unwrap();
    let lat = files.def.column_index("lat").unwrap();
    let id = files.def.column_index("id").unwrap();
    let rows: Vec<_> = files
        .rows(ReaderOptions::default())
        .unwrap()
        .into_rows()
        .collect::<Result<_, _>>()
        .unwrap();
    let five = rows
        .iter()
        .find(|r| r.values[id].as_i64() == Some(5))
        .unwrap();
    assert_eq!(five.values[lat].as_str(), Some("café naïve"));
}

fn err_text(e: MyisamError) -> String {
    e.to_string()
}

#[test]
fn tables_it_cannot_read_are_refused_naming_table_and_byte() {
    let refused = fixtures().join("refused");
    for (table, expect) in [
        ("aria_table", "engine is Aria"),
        ("time_column", "(TIME)"),
        ("bit_column", "(BIT)"),
        ("generated_column", "generated"),
    ] {
        let frm = std::fs::read(refused.join(format!("{table}.frm"))).unwrap();
        let e = err_text(TableDef::from_frm(table, &frm).unwrap_err());
        assert!(
            e.contains(&format!("{table}.frm")) && e.contains("byte") && e.contains(expect),
            "{e}"
        );
    }
    // myisampack leaves the .frm as it was: the .MYI header and the .MYD say it.
    let e = err_text(TableFiles::open(&refused, "packed").unwrap_err());
    assert!(
        e.contains("packed.MYI") && e.contains("myisampack") && e.contains("byte 4"),
        "{e}"
    );
    let def = Arc::new(
        TableDef::from_frm(
            "packed",
            &std::fs::read(refused.join("packed.frm")).unwrap(),
        )
        .unwrap(),
    );
    let data = std::fs::read(refused.join("packed.MYD")).unwrap();
    let e = err_text(
        MydReader::new(def, &data[..], ReaderOptions::default())
            .next_row()
            .unwrap_err(),
    );
    assert!(
        e.contains("packed.MYD") && e.contains("myisampack") && e.contains("byte 0"),
        "{e}"
    );
    // Not a .frm, not a .MYI.
    let text =
        b"CREATE TABLE x (a int) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;";
    let e = err_text(TableDef::from_frm("x", text).unwrap_err());
    assert!(
        e.contains("x.frm") && e.contains("byte 0") && e.contains("FE 01"),
        "{e}"
    );
    let e = err_text(TableDef::from_frm("x", &text[..20]).unwrap_err());
    assert!(e.contains("x.frm") && e.contains("ends at byte 20"), "{e}");
    let e = err_text(MyiHeader::parse("x", &[0u8; 200]).unwrap_err());
    assert!(e.contains("x.MYI") && e.contains("byte 0"), "{e}");
}

/// Reads a table from bytes to the end; the error if any.
fn read_bytes(
    def: &Arc<TableDef>,
    header: &MyiHeader,
    data: &[u8],
) -> Result<ReadStats, MyisamError> {
    let options = ReaderOptions::default().with_myi(header);
    let mut reader = MydReader::new(def.clone(), data, options);
    while let Some(row) = reader.next_row()? {
        // Touch every value: decoding a damaged row must not panic either.
        for v in row.values() {
            let _ = v.to_string();
        }
    }
    let stats = reader.stats();
    stats.check_rows(&def.name, header)?;
    Ok(stats)
}

#[test]
fn a_truncated_data_file_fails_with_the_offset_or_a_short_count() {
    for layout in ["2026", "2024"] {
        for table in ["files", "editions", "editions_to_files"] {
            let files = TableFiles::open(&fixtures().join(layout), table).unwrap();
            let data = std::fs::read(&files.data_path).unwrap();
            for cut in (1..data.len()).step_by(97) {
                let e = read_bytes(&files.def, &files.header, &data[..cut]).unwrap_err();
                let text = e.to_string();
                assert!(text.contains(&format!("{table}.MYD")), "{text}");
                match e {
                    MyisamError::Truncated { offset, .. } => {
                        assert!(offset <= cut as u64, "{text}")
                    }
                    MyisamError::Corrupt { offset, .. } => assert!(offset < cut as u64, "{text}"),
                    MyisamError::RowCount {
                        decoded, expected, ..
                    } => assert!(decoded < expected, "{text}"),
                    other => panic!("cut at {cut}: {other}"),
                }
            }
        }
    }
}

#[test]
fn damaged_bytes_never_panic_and_are_caught_by_the_checks() {
    let files = TableFiles::open(&fixtures().join("2026"), "files").unwrap();
    let data = std::fs::read(&files.data_path).unwrap();
    let mut caught = 0;
    for at in 0..data.len() {
        let mut bad = data.clone();
        bad[at] ^= 0xA5;
        if let Err(e) = read_bytes(&files.def, &files.header, &bad) {
            assert!(e.to_string().contains("files.MYD"), "{e}");
            caught += 1;
        }
    }
    // Damage to headers, lengths and pack bits shows; in a string's bytes it stays silent, as it
    // does in MariaDB (about 7 % of this file's bytes are caught).
    assert!(
        caught > data.len() / 20,
        "{caught} of {} caught",
        data.len()
    );
}

#[test]
fn a_row_count_that_disagrees_with_the_index_header_is_an_error() {
    let files = TableFiles::open(&fixtures().join("2026"), "editions").unwrap();
    let mut header = files.header.clone();
    header.rows += 1;
    let data = std::fs::read(&files.data_path).unwrap();
    let e = read_bytes(&files.def, &header, &data).unwrap_err();
    assert!(
        matches!(
            e,
            MyisamError::RowCount {
                decoded: 30,
                expected: 31,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("editions.MYI"), "{e}");
}

#[test]
fn a_folder_lists_its_tables_and_frm_files_are_recognised() {
    let names = lanshelf::myisam::list_tables(&fixtures().join("2026")).unwrap();
    assert_eq!(names, LIBGEN_TABLES);
    let frm = std::fs::read(fixtures().join("2026/files.frm")).unwrap();
    assert!(lanshelf::myisam::is_frm(&frm));
    assert!(!lanshelf::myisam::is_frm(
        &std::fs::read(fixtures().join("2026/files.MYI")).unwrap()
    ));
}

/// Block streams built by hand around a real packed row, for the block kinds and orders the
/// fixtures do not hold (3- and 4-byte lengths are written by MyISAM only for parts over 64 KiB).
mod blocks {
    use super::*;

    /// One block of a hand-built `.MYD`; `next` is the index of the block it points to.
    enum Block {
        Whole {
            kind: u8,
            data: Vec<u8>,
            pad: u8,
        },
        First {
            kind: u8,
            rec_len: usize,
            data: Vec<u8>,
            next: usize,
        },
        Middle {
            kind: u8,
            data: Vec<u8>,
            next: usize,
        },
        Last {
            kind: u8,
            data: Vec<u8>,
            pad: u8,
        },
        Deleted {
            len: usize,
        },
    }

    fn be(v: u64, n: usize) -> Vec<u8> {
        v.to_be_bytes()[8 - n..].to_vec()
    }

    fn header_len(b: &Block) -> usize {
        match b {
            Block::Whole { kind, .. } => [0, 3, 4, 4, 5][*kind as usize],
            Block::First { kind: 5, .. } => 13,
            Block::First { kind: 6, .. } => 15,
            Block::First { .. } => 16,
            Block::Middle { kind: 11, .. } => 11,
            Block::Middle { .. } => 12,
            Block::Last { kind, .. } => [3, 4, 4, 5][*kind as usize - 7],
            Block::Deleted { .. } => 20,
        }
    }

    fn size(b: &Block) -> usize {
        header_len(b)
            + match b {
                Block::Whole { data, pad, .. } | Block::Last { data, pad, .. } => {
                    data.len() + *pad as usize
                }
                Block::First { data, .. } | Block::Middle { data, .. } => data.len(),
                Block::Deleted { len } => len - 20,
            }
    }

    /// Serialises the blocks, resolving `next` indexes to file positions.
    fn build(blocks: &[Block]) -> Vec<u8> {
        let mut at = Vec::new();
        let mut pos = 0u64;
        for b in blocks {
            at.push(pos);
            pos += size(b) as u64;
        }
        let mut out = Vec::new();
        for b in blocks {
            match b {
                Block::Whole { kind, data, pad } => {
                    out.push(*kind);
                    out.extend(be(data.len() as u64, if *kind % 2 == 1 { 2 } else { 3 }));
                    if *kind >= 3 {
                        out.push(*pad);
                    }
                    out.extend(data);
                    out.extend(std::iter::repeat_n(0xEE, *pad as usize));
                }
                Block::First {
                    kind,
                    rec_len,
                    data,
                    next,
                } => {
                    out.push(*kind);
                    let (r, l) = match kind {
                        5 => (2, 2),
                        6 => (3, 3),
                        _ => (4, 3),
                    };
                    out.extend(be(*rec_len as u64, r));
                    out.extend(be(data.len() as u64, l));
                    out.extend(be(at[*next], 8));
                    out.extend(data);
                }
                Block::Middle { kind, data, next } => {
                    out.push(*kind);
                    out.extend(be(data.len() as u64, if *kind == 11 { 2 } else { 3 }));
                    out.extend(be(at[*next], 8));
                    out.extend(data);
                }
                Block::Last { kind, data, pad } => {
                    out.push(*kind);
                    out.extend(be(data.len() as u64, if *kind % 2 == 1 { 2 } else { 3 }));
                    if *kind >= 9 {
                        out.push(*pad);
                    }
                    out.extend(data);
                    out.extend(std::iter::repeat_n(0xEE, *pad as usize));
                }
                Block::Deleted { len } => {
                    out.push(0);
                    out.extend(be(*len as u64, 3));
                    out.extend([0xFF; 16]);
                    out.extend(std::iter::repeat_n(0xDD, len - 20));
                }
            }
        }
        out
    }

    /// A real packed row of 2026/files (its first block) and the table.
    fn sample() -> (Arc<TableDef>, MyiHeader, Vec<u8>) {
        let files = TableFiles::open(&fixtures().join("2026"), "files").unwrap();
        let data = std::fs::read(&files.data_path).unwrap();
        // The first block holding a whole row (types 1 and 3: 2-byte length).
        let mut p = 0;
        let row = loop {
            let len = u16::from_be_bytes([data[p + 1], data[p + 2]]) as usize;
            match data[p] {
                1 => break data[p + 3..p + 3 + len].to_vec(),
                3 => break data[p + 4..p + 4 + len].to_vec(),
                5 => p += 13 + u16::from_be_bytes([data[p + 3], data[p + 4]]) as usize,
                7 => p += 3 + len,
                9 => p += 4 + len + data[p + 3] as usize,
                11 => p += 11 + len,
                k => panic!("block type {k} at {p} in the fixture"),
            }
        };
        (files.def.clone(), files.header.clone(), row)
    }

    fn rows_of(def: &Arc<TableDef>, bytes: &[u8]) -> Result<Vec<Vec<Field>>, MyisamError> {
        let mut reader = MydReader::new(
            def.clone(),
            bytes,
            ReaderOptions {
                fragment_memory: 100,
                ..Default::default()
            },
        );
        let mut rows = Vec::new();
        while let Some(row) = reader.next_row()? {
            rows.push(render_row(&row));
        }
        Ok(rows)
    }

    #[test]
    fn every_block_kind_and_order_gives_the_same_row() {
        let (def, _, row) = sample();
        let expected = rows_of(
            &def,
            &build(&[Block::Whole {
                kind: 1,
                data: row.clone(),
                pad: 0,
            }]),
        )
        .unwrap();
        assert_eq!(expected.len(), 1);
        let (a, rest) = row.split_at(row.len() / 3);
        let (b, c) = rest.split_at(rest.len() / 2);
        let (a, b, c) = (a.to_vec(), b.to_vec(), c.to_vec());
        let n = row.len();
        let scenarios: Vec<Vec<Block>> = vec![
            // whole rows with 3-byte lengths and unused bytes
            vec![Block::Whole {
                kind: 2,
                data: row.clone(),
                pad: 0,
            }],
            vec![Block::Whole {
                kind: 3,
                data: row.clone(),
                pad: 5,
            }],
            vec![Block::Whole {
                kind: 4,
                data: row.clone(),
                pad: 255,
            }],
            // forward chain, 3-byte kinds, a deleted block between the parts
            vec![
                Block::First {
                    kind: 6,
                    rec_len: n,
                    data: a.clone(),
                    next: 2,
                },
                Block::Deleted { len: 40 },
                Block::Middle {
                    kind: 12,
                    data: b.clone(),
                    next: 3,
                },
                Block::Last {
                    kind: 10,
                    data: c.clone(),
                    pad: 3,
                },
            ],
            // the head last; every part behind the block pointing to it
            vec![
                Block::Last {
                    kind: 8,
                    data: c.clone(),
                    pad: 0,
                },
                Block::Middle {
                    kind: 11,
                    data: b.clone(),
                    next: 0,
                },
                Block::Deleted { len: 20 },
                Block::First {
                    kind: 13,
                    rec_len: n,
                    data: a.clone(),
                    next: 1,
                },
            ],
            // back, then forward again
            vec![
                Block::Middle {
                    kind: 11,
                    data: b.clone(),
                    next: 3,
                },
                Block::Whole {
                    kind: 1,
                    data: row.clone(),
                    pad: 0,
                },
                Block::First {
                    kind: 5,
                    rec_len: n,
                    data: a.clone(),
                    next: 0,
                },
                Block::Last {
                    kind: 9,
                    data: c.clone(),
                    pad: 1,
                },
            ],
            // a part longer than needed is cut when the row is complete (as MariaDB reads it)
            vec![
                Block::First {
                    kind: 5,
                    rec_len: n,
                    data: [a.clone(), b.clone()].concat(),
                    next: 1,
                },
                Block::Last {
                    kind: 7,
                    data: c.clone(),
                    pad: 0,
                },
            ],
        ];
        for (i, blocks) in scenarios.iter().enumerate() {
            let rows =
                rows_of(&def, &build(blocks)).unwrap_or_else(|e| panic!("scenario {i}: {e}"));
            let wanted = if i == 5 { 2 } else { 1 };
            assert_eq!(rows.len(), wanted, "scenario {i}");
            for r in &rows {
                assert_eq!(r, &expected[0], "scenario {i}");
            }
        }
    }

    #[test]
    fn broken_chains_and_blocks_are_reported_at_their_offset() {
        let (def, _, row) = sample();
        let n = row.len();
        let (a, c) = row.split_at(n / 2);
        let (a, c) = (a.to_vec(), c.to_vec());
        let check = |blocks: &[Block], offset: u64, words: &str| {
            let e = rows_of(&def, &build(blocks)).unwrap_err();
            let text = e.to_string();
            assert!(text.contains("files.MYD") && text.contains(words), "{text}");
            assert_eq!(e.offset(), Some(offset), "{text}");
        };
        // A head pointing back to a block that is no continuation (a whole row).
        check(
            &[
                Block::Whole {
                    kind: 1,
                    data: row.clone(),
                    pad: 0,
                },
                Block::First {
                    kind: 5,
                    rec_len: n,
                    data: a.clone(),
                    next: 0,
                },
            ],
            (3 + n) as u64,
            "no unclaimed continuation block",
        );
        // A head pointing to a deleted block, or past the end.
        let head = Block::First {
            kind: 5,
            rec_len: n,
            data: a.clone(),
            next: 1,
        };
        check(
            &[head, Block::Deleted { len: 20 }],
            0,
            "where no continuation block was",
        );
        let head = Block::First {
            kind: 5,
            rec_len: n,
            data: a.clone(),
            next: 1,
        };
        let mut bytes = build(&[head, Block::Deleted { len: 20 }]);
        bytes.truncate(bytes.len() - 20);
        let e = rows_of(&def, &bytes).unwrap_err();
        assert!(
            e.to_string().contains("but the file ends at byte") && e.offset() == Some(0),
            "{e}"
        );
        // Two rows continuing at the same block.
        check(
            &[
                Block::First {
                    kind: 5,
                    rec_len: n,
                    data: a.clone(),
                    next: 2,
                },
                Block::First {
                    kind: 5,
                    rec_len: n,
                    data: a.clone(),
                    next: 2,
                },
                Block::Last {
                    kind: 7,
                    data: c.clone(),
                    pad: 0,
                },
            ],
            (13 + a.len()) as u64,
            "two rows continue",
        );
        // Parts adding up to more than the row.
        check(
            &[
                Block::First {
                    kind: 5,
                    rec_len: n,
                    data: a.clone(),
                    next: 1,
                },
                Block::Last {
                    kind: 7,
                    data: row.clone(),
                    pad: 0,
                },
            ],
            (13 + a.len()) as u64,
            "longer than its",
        );
        // A chain ending early.
        check(
            &[
                Block::First {
                    kind: 5,
                    rec_len: n,
                    data: a.clone(),
                    next: 1,
                },
                Block::Last {
                    kind: 7,
                    data: a.clone(),
                    pad: 0,
                },
            ],
            0,
            "parts end after",
        );
        // An unknown block type, a deleted block of an impossible length.
        let mut bytes = build(&[Block::Whole {
            kind: 1,
            data: row.clone(),
            pad: 0,
        }]);
        bytes.push(42);
        let e = rows_of(&def, &bytes).unwrap_err();
        assert_eq!(e.offset(), Some((3 + n) as u64), "{e}");
        assert!(e.to_string().contains("unknown block type 42"), "{e}");
        let mut bytes = vec![0u8, 0, 0, 22];
        bytes.extend([0u8; 18]);
        let e = rows_of(&def, &bytes).unwrap_err();
        assert!(
            e.to_string().contains("deleted block of 22 bytes") && e.offset() == Some(0),
            "{e}"
        );
        // A continuation block nobody claims is counted, not fatal (MariaDB ignores it too).
        let bytes = build(&[
            Block::Last {
                kind: 7,
                data: c.clone(),
                pad: 0,
            },
            Block::Whole {
                kind: 1,
                data: row.clone(),
                pad: 0,
            },
        ]);
        let mut reader = MydReader::new(def.clone(), &bytes[..], ReaderOptions::default());
        while reader.next_row().unwrap().is_some() {}
        assert_eq!(
            (reader.stats().rows, reader.stats().unclaimed_blocks),
            (1, 1)
        );
    }
}

#[test]
fn rows_written_by_the_writer_read_back_as_mariadb_wrote_them() {
    use lanshelf::myisam::{myi_with_counts, MydWriter};
    let mut tables = Vec::new();
    for layout in ["2026", "2024"] {
        for t in LIBGEN_TABLES {
            tables.push((fixtures().join(layout), t));
        }
    }
    for t in [
        "tiny_fixed",
        "checksum_dyn",
        "checksum_fix",
        "old_temporal_fixed",
    ] {
        tables.push((fixtures().join("types"), t));
    }
    for (dir, table) in tables {
        let (expected, _, files) = read_rows(&dir, table, ReaderOptions::default());
        let mut reader = files.rows(ReaderOptions::default()).unwrap();
        let mut writer = MydWriter::new(files.def.clone(), Vec::new());
        while let Some(row) = reader.next_row().unwrap() {
            let values: Vec<Value<'_>> = row.values().collect();
            writer
                .write_row(&values)
                .unwrap_or_else(|e| panic!("{table}: {e}"));
        }
        let rows = writer.rows();
        let data = writer.finish().unwrap();
        let myi = myi_with_counts(
            &std::fs::read(dir.join(format!("{table}.MYI"))).unwrap(),
            rows,
            data.len() as u64,
        )
        .unwrap();
        let header = MyiHeader::parse(table, &myi).unwrap();
        assert_eq!(
            (header.rows, header.deleted, header.data_file_length),
            (rows, 0, data.len() as u64)
        );
        let mut back = Vec::new();
        let mut reader = MydReader::new(
            files.def.clone(),
            &data[..],
            ReaderOptions::default().with_myi(&header),
        );
        while let Some(row) = reader.next_row().unwrap_or_else(|e| panic!("{table}: {e}")) {
            back.push(render_row(&row));
        }
        let stats = reader.stats();
        stats.check_rows(table, &header).unwrap();
        assert_eq!(
            (stats.split_rows, stats.deleted),
            (0, 0),
            "{table}: one block a row"
        );
        assert_same_rows(table, &files.def, back, expected);
    }
}
