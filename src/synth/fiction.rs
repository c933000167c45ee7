//! `fiction.sql`: `fiction`, `fiction_description`, `fiction_hashes`.

use std::io::{self, Write};

use crate::Collection;

use super::books::{Plan, Rates};
use super::data;
use super::ids::{self, Isbn};
use super::libgen::alnum;
use super::out::{unix_day, Dump, SqlBuf};
use super::schema;
use super::text::{file_size, tag, time_between, Ctx, NameStyle};
use super::words::{capitalize_at, Lang};
use super::SynthOptions;

const T_START: i64 = unix_day(2012, 6, 1);
const T_END: i64 = unix_day(2024, 10, 1);
const T_MAX: i64 = unix_day(2025, 1, 31);

const EXTENSIONS: &[((&str, u64, u64), u32)] = &[
    (("epub", 50_000, 20_000_000), 45),
    (("fb2", 30_000, 6_000_000), 25),
    (("mobi", 50_000, 15_000_000), 12),
    (("pdf", 100_000, 80_000_000), 8),
    (("azw3", 100_000, 20_000_000), 4),
    (("rtf", 20_000, 5_000_000), 2),
    (("txt", 10_000, 3_000_000), 2),
    (("doc", 20_000, 5_000_000), 1),
    (("djvu", 500_000, 50_000_000), 1),
];

const VISIBLE: &[(&str, u32)] = &[("ban", 30), ("del", 40), ("cpr", 20), ("no", 10)];

pub(super) fn plan(ctx: &Ctx) -> Plan<'_> {
    Plan::new(
        ctx,
        Rates {
            descr: 300,
            hashes: 500,
            edition: 30,
            null_md5: 10,
            langs: [45, 6, 5, 35, 4, 2, 3],
        },
    )
}

pub(super) fn write<W: Write>(d: &mut Dump<W>, ctx: &Ctx, opts: &SynthOptions) -> io::Result<()> {
    let plan = plan(ctx);
    let rows = opts.rows;

    let last_id = ctx.last_id(opts.first_id, rows);
    let table = Collection::Fiction.dump_table();
    d.begin_table(
        table,
        schema::CREATE_FICTION,
        (rows > 0).then_some(last_id + 1),
    );
    let mut id = opts.first_id;
    for i in 0..rows {
        if i > 0 {
            id = ctx.next_id(id, i - 1);
        }
        fiction_row(d.begin_row(), &plan, i, id, rows);
        d.end_row()?;
    }
    d.end_table(table)?;

    d.begin_table(
        "fiction_description",
        schema::CREATE_FICTION_DESCRIPTION,
        None,
    );
    for i in 0..rows {
        let row = plan.row(i);
        if !row.descr {
            continue;
        }
        let lang = plan.lang(row.root);
        let mut r = ctx.rng(tag::DESCR, i);
        let b = d.begin_row();
        b.open();
        ids::write_md5(b, ctx.md5(i), true);
        b.close();
        b.open();
        let chars = Plan::descr_chars(&mut r);
        ctx.description(b, lang, &mut r, chars);
        b.close();
        b.ts_field(time_between(&mut r, T_START, T_END));
        d.end_row()?;
    }
    d.end_table("fiction_description")?;

    d.begin_table("fiction_hashes", schema::CREATE_FICTION_HASHES, None);
    for i in 0..rows {
        if !plan.row(i).hashes {
            continue;
        }
        let mut r = ctx.rng(tag::HASH, i);
        let b = d.begin_row();
        b.open();
        ids::write_md5(b, ctx.md5(i), true);
        b.close();
        ids::write_hash_fields(b, &mut r, false);
        d.end_row()?;
    }
    d.end_table("fiction_hashes")?;
    Ok(())
}

fn fiction_row(b: &mut Vec<u8>, plan: &Plan<'_>, i: u64, id: u64, rows: u64) {
    let ctx = plan.ctx;
    let row = plan.row(i);
    let root = row.root;
    let lang = plan.lang(root);
    let mut r = ctx.rng(tag::ROW, i);
    let md5 = ctx.md5(i);

    b.num(id);
    // MD5
    if row.null_md5 {
        b.null();
    } else {
        b.open();
        ids::write_md5(b, md5, true);
        b.close();
    }
    // Title
    let title_start = b.len() + 1;
    b.open();
    ctx.title(b, lang, &mut ctx.rng(tag::TITLE, root), false);
    let title_end = b.len();
    b.close();
    // Author
    let mut ra = ctx.rng(tag::AUTHOR, root);
    let n_auth = ra.weighted(&[3, 85, 10, 2]);
    let sep: &[u8] = if ra.chance(7000) { b", " } else { b" & " };
    let author_start = b.len() + 1;
    b.open();
    ctx.people(b, lang, &mut ra, n_auth, sep, NameStyle::Fiction);
    let author_end = b.len();
    b.close();
    // Series
    let mut rs = ctx.rng(tag::SERIES, root);
    let series = rs.chance(2500);
    if series {
        b.open();
        if ctx.readable.is_some() {
            super::titles::series(b, &mut rs);
        } else {
            let s = b.len();
            let n = 1 + rs.below(3) as usize;
            ctx.words(b, lang, &mut rs, n);
            capitalize_at(b, s);
        }
        b.close();
    } else {
        b.empty(1);
    }
    // Edition
    if r.chance(500) {
        b.safe_field(
            r.pick(&["2", "1", "Reprint", "2nd", "Special edition"])
                .as_bytes(),
        );
    } else {
        b.empty(1);
    }
    // Language
    b.safe_field(r.weighted_pick(data::language_names(lang)).as_bytes());
    // Year
    match r.below(100) {
        0..10 => b.empty(1),
        10..15 => b.safe_field(b"0"),
        15..20 => b.num_str(1800 + r.below(150)),
        _ => b.num_str(2024 - r.below(75).min(r.below(75))),
    }
    // Publisher
    if r.chance(6000) {
        let pubs = data::book_publishers(lang);
        let k = r.index(pubs.len()).min(r.index(pubs.len()));
        b.str_field(pubs[k].as_bytes());
    } else {
        b.empty(1);
    }
    // Pages
    if r.chance(5000) {
        b.num_str(60 + r.below(500).max(r.below(700)));
    } else {
        b.empty(1);
    }
    // Identifier
    if r.chance(5500) {
        b.open();
        let dashed = r.chance(3000);
        let isbn = Isbn::random(&mut r, lang);
        isbn.write13(b, dashed);
        match r.below(10) {
            0..3 if isbn.has10() => {
                b.push(b',');
                isbn.write10(b, dashed);
            }
            3..5 => {
                b.extend_from_slice(b", ");
                Isbn::random(&mut r, lang).write13(b, dashed);
            }
            _ => {}
        }
        b.close();
    } else {
        b.empty(1);
    }
    // GooglebookID, ASIN
    if r.chance(500) {
        b.open();
        alnum(b, &mut r, 12, false);
        b.close();
    } else {
        b.empty(1);
    }
    if r.chance(800) {
        b.open();
        b.extend_from_slice(b"B0");
        alnum(b, &mut r, 8, true);
        b.close();
    } else {
        b.empty(1);
    }
    // Coverurl
    let bucket = id - id % 1000;
    if !row.null_md5 && r.chance(8500) {
        b.open();
        b.push_u64(bucket);
        b.push(b'/');
        ids::write_md5(b, md5, false);
        b.extend_from_slice(b".jpg");
        b.close();
    } else {
        b.empty(1);
    }
    // Extension, Filesize
    let &(ext, lo, hi) = r.weighted_pick(EXTENSIONS);
    b.safe_field(ext.as_bytes());
    b.num(file_size(&mut r, lo, hi));
    // Library, Issue
    if r.chance(300) {
        b.safe_field(r.pick(data::LIBRARIES).as_bytes());
    } else {
        b.empty(1);
    }
    if series && r.chance(4000) {
        b.num_str(1 + r.below(12));
    } else {
        b.empty(1);
    }
    // Locator
    if r.chance(2500) {
        b.open();
        match r.below(3) {
            0 => {
                b.extend_from_within(author_start..author_end);
                b.extend_from_slice(b"\\\\");
                b.extend_from_within(title_start..title_end);
            }
            1 => {
                b.extend_from_slice(b"lib.rus.ec/");
                b.push_u64(r.below(700_000));
            }
            _ => {
                b.extend_from_within(author_start..author_end);
                b.extend_from_slice(b" - ");
                b.extend_from_within(title_start..title_end);
            }
        }
        b.push(b'.');
        b.extend_from_slice(ext.as_bytes());
        b.close();
    } else {
        b.empty(1);
    }
    // Commentary
    match r.below(100) {
        0..90 => b.null(),
        90..95 => b.empty(1),
        _ => {
            b.open();
            let n = 2 + r.below(8) as usize;
            ctx.words(b, if r.chance(5000) { lang } else { Lang::En }, &mut r, n);
            if r.chance(2000) {
                b.extend_from_slice(b"\\r\\nOCR: \\'unknown\\'");
            }
            b.close();
        }
    }
    // Generic
    if row.is_edition(i) {
        b.open();
        ids::write_md5(b, ctx.md5(root), true);
        b.close();
    } else {
        b.empty(1);
    }
    // Visible
    if r.chance(200) {
        b.safe_field(r.weighted_pick(VISIBLE).as_bytes());
    } else {
        b.empty(1);
    }
    // TimeAdded, TimeLastModified
    let span = (T_END - T_START) as u64;
    let added = T_START
        + (u128::from(span) * u128::from(i) / u128::from(rows.max(1))) as i64
        + r.below(2 * 86_400) as i64;
    b.ts_field(added);
    match r.below(100) {
        0..10 => b.null(),
        10..50 => b.ts_field(added),
        _ => b.ts_field((added + r.below(4 * 365 * 86_400) as i64).min(T_MAX)),
    }
}
