//! `libgen.sql`: `description`, `hashes`, `topics`, `updated` (and the trigger and the empty
//! `updated_edited`, as in the real dump).

use std::io::{self, Write};

use crate::Collection;

use super::books::{Plan, Rates};
use super::data;
use super::ids::{self, Isbn};
use super::out::{unix_day, Dump, SqlBuf};
use super::rng::Rng;
use super::schema;
use super::text::{file_size, tag, time_between, Ctx, NameStyle};
use super::words::{capitalize_at, Lang};
use super::SynthOptions;

/// `updated.TimeAdded`'s default, which means unknown.
const TS_UNKNOWN: i64 = unix_day(2000, 1, 1) + 5 * 3600;
const T_START: i64 = unix_day(2008, 1, 1);
const T_END: i64 = unix_day(2024, 10, 1);
const T_MAX: i64 = unix_day(2025, 1, 31);

const EXTENSIONS: &[((&str, u64, u64), u32)] = &[
    (("pdf", 100_000, 300_000_000), 58),
    (("djvu", 500_000, 100_000_000), 13),
    (("epub", 50_000, 20_000_000), 15),
    (("mobi", 50_000, 15_000_000), 4),
    (("fb2", 30_000, 5_000_000), 3),
    (("azw3", 100_000, 20_000_000), 2),
    (("chm", 200_000, 30_000_000), 2),
    (("doc", 30_000, 10_000_000), 1),
    (("zip", 100_000, 200_000_000), 1),
];

const EDITIONS: &[&str] = &[
    "2",
    "2nd",
    "3rd",
    "1st",
    "2nd ed.",
    "3rd ed.",
    "4",
    "Revised",
    "2nd edition",
    "5th",
    "Reprint",
    "1",
    "3",
    "4th",
];

const VISIBLE: &[(&str, u32)] = &[("ban", 40), ("del", 30), ("cpr", 20), ("no", 10)];

pub(super) fn plan(ctx: &Ctx) -> Plan<'_> {
    Plan::new(
        ctx,
        Rates {
            descr: 300,
            hashes: 500,
            edition: 30,
            null_md5: 0,
            langs: [62, 8, 6, 15, 5, 2, 2],
        },
    )
}

pub(super) fn write<W: Write>(d: &mut Dump<W>, ctx: &Ctx, opts: &SynthOptions) -> io::Result<()> {
    let plan = plan(ctx);
    let rows = opts.rows;

    // description
    let n_descr = (0..rows).filter(|&i| plan.row(i).descr).count() as u64;
    d.begin_table(
        "description",
        schema::CREATE_DESCRIPTION,
        (n_descr > 0).then_some(n_descr + 1),
    );
    let mut id = 0;
    for i in 0..rows {
        let row = plan.row(i);
        if !row.descr {
            continue;
        }
        id += 1;
        let lang = plan.lang(row.root);
        let mut r = ctx.rng(tag::DESCR, i);
        let b = d.begin_row();
        b.num(id);
        b.open();
        ids::write_md5(b, ctx.md5(i), false);
        b.close();
        b.open();
        let chars = Plan::descr_chars(&mut r);
        ctx.description(b, lang, &mut r, chars);
        b.close();
        if r.chance(1200) {
            b.open();
            ctx.toc(b, lang, &mut r);
            b.close();
        } else {
            b.empty(1);
        }
        b.ts_field(time_between(&mut r, unix_day(2010, 1, 1), T_END));
        d.end_row()?;
    }
    d.end_table("description")?;

    // hashes
    d.begin_table("hashes", schema::CREATE_HASHES, None);
    for i in 0..rows {
        if !plan.row(i).hashes {
            continue;
        }
        let mut r = ctx.rng(tag::HASH, i);
        let b = d.begin_row();
        b.open();
        ids::write_md5(b, ctx.md5(i), false);
        b.close();
        ids::write_hash_fields(b, &mut r, true);
        d.end_row()?;
    }
    d.end_table("hashes")?;

    // topics
    d.begin_table(
        "topics",
        schema::CREATE_TOPICS,
        Some(2 * data::TOPICS.len() as u64 + 1),
    );
    let mut tid = 0;
    for &(topic_id, hl, code, en, ru) in data::TOPICS {
        for (descr, lang) in [(en, "en"), (ru, "ru")] {
            tid += 1;
            let b = d.begin_row();
            b.num(tid);
            b.str_field(descr.as_bytes());
            b.safe_field(lang.as_bytes());
            b.safe_field(code.as_bytes());
            b.num(u64::from(topic_id));
            b.num(u64::from(hl));
            d.end_row()?;
        }
    }
    d.end_table("topics")?;

    // updated
    let last_id = ctx.last_id(opts.first_id, rows);
    let table = Collection::Libgen.dump_table();
    d.begin_table(
        table,
        schema::CREATE_UPDATED,
        (rows > 0).then_some(last_id + 1),
    );
    let mut id = opts.first_id;
    for i in 0..rows {
        if i > 0 {
            id = ctx.next_id(id, i - 1);
        }
        updated_row(d.begin_row(), &plan, i, id, rows, opts.planted_at(i));
        d.end_row()?;
    }
    d.end_table(table)?;
    d.text(schema::LIBGEN_TRIGGER);

    d.begin_table("updated_edited", schema::CREATE_UPDATED_EDITED, None);
    d.end_table("updated_edited")?;
    Ok(())
}

/// Writes one `updated` tuple's fields.
fn updated_row(
    b: &mut Vec<u8>,
    plan: &Plan<'_>,
    i: u64,
    id: u64,
    rows: u64,
    planted: Option<&super::Planted>,
) {
    let ctx = plan.ctx;
    let row = plan.row(i);
    let root = row.root;
    let lang = plan.lang(root);
    let mut r = ctx.rng(tag::ROW, i);

    b.num(id);
    // Title
    let title_start = b.len() + 1;
    b.open();
    match planted {
        Some(p) => super::out::escape_into(b, p.title.as_bytes()),
        None => ctx.title(b, lang, &mut ctx.rng(tag::TITLE, root), false),
    }
    let title_end = b.len();
    b.close();
    // VolumeInfo
    if r.chance(500) {
        b.open();
        if r.chance(5000) {
            b.extend_from_slice(b"Vol. ");
        }
        b.push_u64(1 + r.below(6));
        b.close();
    } else {
        b.empty(1);
    }
    // Series
    let mut rs = ctx.rng(tag::SERIES, root);
    if rs.chance(1200) {
        b.open();
        if ctx.readable.is_some() {
            super::titles::series(b, &mut rs);
        } else {
            let s = b.len();
            let n = 1 + rs.below(4) as usize;
            ctx.words(b, lang, &mut rs, n);
            capitalize_at(b, s);
        }
        b.close();
    } else {
        b.empty(1);
    }
    // Periodical
    if r.chance(200) {
        b.open();
        if ctx.readable.is_some() {
            super::titles::series(b, &mut r);
        } else {
            let s = b.len();
            let n = 2 + r.below(3) as usize;
            ctx.words(b, lang, &mut r, n);
            capitalize_at(b, s);
        }
        b.close();
    } else {
        b.empty(1);
    }
    // Author
    let mut ra = ctx.rng(tag::AUTHOR, root);
    let n_auth = ra.weighted(&[3, 60, 25, 12]);
    let sep: &[u8] = if ra.chance(5000) { b"; " } else { b", " };
    let author_start = b.len() + 1;
    b.open();
    match planted {
        Some(p) => super::out::escape_into(b, p.author.as_bytes()),
        None => ctx.people(b, lang, &mut ra, n_auth, sep, NameStyle::Book),
    }
    let author_end = b.len();
    b.close();
    // Year
    let year = match r.below(100) {
        0..6 => None,
        6..9 => Some(0),
        9..15 => Some(1800 + r.below(150)),
        _ => Some(2024 - r.below(75).min(r.below(75))),
    };
    match (planted, year) {
        (Some(p), _) => b.num_str(p.year),
        (None, Some(y)) => b.num_str(y),
        (None, None) => b.empty(1),
    }
    // Edition
    if r.chance(1800) {
        b.safe_field(r.pick(EDITIONS).as_bytes());
    } else {
        b.empty(1);
    }
    // Publisher
    if r.chance(8500) {
        let pubs = data::book_publishers(if r.chance(8500) { lang } else { Lang::En });
        let k = r.index(pubs.len()).min(r.index(pubs.len()));
        b.str_field(pubs[k].as_bytes());
    } else {
        b.empty(1);
    }
    // City
    if r.chance(3500) {
        b.safe_field(r.pick(data::cities(lang)).as_bytes());
    } else {
        b.empty(1);
    }
    // Pages, PagesInFile
    let pages = 40 + r.below(600).max(r.below(900));
    match r.below(100) {
        0..25 => b.empty(1),
        25..30 => {
            b.open();
            b.extend_from_slice(b"xii+");
            b.push_u64(pages);
            b.close();
        }
        _ => b.num_str(pages),
    }
    b.num(if r.chance(7000) {
        pages + r.below(20)
    } else {
        0
    });
    // Language
    let language = r.weighted_pick(data::language_names(lang));
    match planted {
        Some(p) => b.str_field(p.language.as_bytes()),
        None => b.safe_field(language.as_bytes()),
    }
    // Topic
    if r.chance(6000) {
        b.num_str(u64::from(r.pick(data::TOPICS).0));
    } else {
        b.empty(1);
    }
    // Library, Issue
    if r.chance(500) {
        b.safe_field(r.pick(data::LIBRARIES).as_bytes());
    } else {
        b.empty(1);
    }
    b.empty(1);
    // Identifier (kept for IdentifierWODash)
    let ident_start = b.len() + 1;
    b.open();
    let mut first_isbn = None;
    if r.chance(6000) {
        let isbn = Isbn::random(&mut r, lang);
        first_isbn = Some(isbn);
        match r.below(100) {
            0..50 => isbn.write13(b, true),
            50..70 if isbn.has10() => {
                isbn.write13(b, true);
                b.push(b',');
                isbn.write10(b, r.chance(3000));
            }
            70..85 => {
                isbn.write13(b, true);
                b.extend_from_slice(if r.chance(5000) { b"," } else { b", " });
                Isbn::random(&mut r, lang).write13(b, true);
            }
            _ if isbn.has10() => isbn.write10(b, true),
            _ => isbn.write13(b, true),
        }
    }
    let ident_end = b.len();
    b.close();
    // ISSN
    if r.chance(100) {
        b.open();
        ids::write_issn(b, &ids::random_issn(&mut r));
        b.close();
    } else {
        b.empty(1);
    }
    // ASIN
    if r.chance(400) {
        b.open();
        b.extend_from_slice(b"B0");
        alnum(b, &mut r, 8, true);
        b.close();
    } else {
        b.empty(1);
    }
    // UDC, LBC
    if r.chance(300) {
        b.open();
        b.push_u64(r.below(1000));
        b.push(b'.');
        b.push_u64(r.below(100));
        b.close();
    } else {
        b.empty(1);
    }
    if r.chance(200) {
        b.open();
        b.push_u64(r.below(90));
        b.push(b'.');
        b.push_u64(r.below(1000));
        b.close();
    } else {
        b.empty(1);
    }
    // DDC, LCC
    if r.chance(800) {
        b.open();
        b.push_u64_pad(r.below(1000), 3);
        b.push(b'.');
        b.push_u64(r.below(1000));
        b.close();
    } else {
        b.empty(1);
    }
    if r.chance(800) {
        b.open();
        b.push(b'Q' - r.below(10) as u8);
        b.push(b'A' + r.below(26) as u8);
        b.push_u64(1 + r.below(999));
        b.push(b'.');
        b.push(b'A' + r.below(26) as u8);
        b.push_u64(r.below(100));
        b.extend_from_slice(b" ");
        b.push_u64(1950 + r.below(75));
        b.close();
    } else {
        b.empty(1);
    }
    // Doi
    match first_isbn {
        Some(isbn) if r.chance(500) => {
            b.open();
            b.extend_from_slice(
                r.pick(&["10.1007/", "10.1017/", "10.1002/", "10.1515/"])
                    .as_bytes(),
            );
            isbn.write13(b, true);
            b.close();
        }
        _ => b.empty(1),
    }
    // Googlebookid, OpenLibraryID
    if r.chance(800) {
        b.open();
        alnum(b, &mut r, 12, false);
        b.close();
    } else {
        b.empty(1);
    }
    if r.chance(500) {
        b.open();
        b.extend_from_slice(b"OL");
        b.push_u64(100_000 + r.below(40_000_000));
        b.push(b'M');
        b.close();
    } else {
        b.empty(1);
    }
    // Commentary
    if r.chance(400) {
        b.open();
        let n = 2 + r.below(10) as usize;
        ctx.words(b, lang, &mut r, n);
        match r.below(10) {
            0 => b.extend_from_slice(b"\\nscanned by \\'anonymous\\'"),
            1 => b.extend_from_slice(b" (\\\"OCR\\\")"),
            _ => {}
        }
        b.close();
    } else {
        b.empty(1);
    }
    // DPI, Color, Cleaned, Orientation, Paginated, Scanned, Bookmarked, Searchable
    if r.chance(1500) {
        b.num(*r.pick(&[300, 600, 400, 150, 0]));
        for _ in 0..7 {
            b.safe_field(r.pick(&["Y", "N", "", "Y"]).as_bytes());
        }
    } else {
        b.num(0);
        b.empty(7);
    }
    // Filesize, Extension
    let &(ext, lo, hi) = r.weighted_pick(EXTENSIONS);
    b.num(file_size(&mut r, lo, hi));
    b.safe_field(ext.as_bytes());
    // MD5, Generic
    let md5 = ctx.md5(i);
    b.open();
    ids::write_md5(b, md5, false);
    b.close();
    if row.is_edition(i) && planted.is_none() {
        b.open();
        ids::write_md5(b, ctx.md5(root), false);
        b.close();
    } else {
        b.empty(1);
    }
    // Visible
    if r.chance(200) && planted.is_none() {
        b.safe_field(r.weighted_pick(VISIBLE).as_bytes());
    } else {
        b.empty(1);
    }
    // Locator
    if r.chance(3000) {
        b.open();
        match r.below(4) {
            0 => {
                b.extend_from_slice(b"D:\\\\Books\\\\");
                b.extend_from_slice(ext.as_bytes());
                b.extend_from_slice(b"\\\\");
                b.extend_from_within(author_start..author_end);
                b.extend_from_slice(b" - ");
                b.extend_from_within(title_start..title_end);
            }
            1 => {
                b.extend_from_within(author_start..author_end);
                b.extend_from_slice(b" - ");
                b.extend_from_within(title_start..title_end);
                if let Some(y) = year {
                    b.extend_from_slice(b" (");
                    b.push_u64(y);
                    b.push(b')');
                }
            }
            2 => {
                b.extend_from_slice(b"kolxoz/");
                b.push(b'A' + r.below(26) as u8);
                b.push(b'/');
                b.extend_from_within(title_start..title_end);
            }
            _ => {
                b.push_u64(r.below(1_000_000));
            }
        }
        b.push(b'.');
        b.extend_from_slice(ext.as_bytes());
        b.close();
    } else {
        b.empty(1);
    }
    // Local
    b.num(if r.chance(300) { 1 } else { 0 });
    // TimeAdded, TimeLastModified
    let added = if r.chance(100) {
        TS_UNKNOWN
    } else {
        let span = (T_END - T_START) as u64;
        let at = T_START + (u128::from(span) * u128::from(i) / u128::from(rows.max(1))) as i64;
        at + r.below(3 * 86_400) as i64
    };
    b.ts_field(added);
    let modified = if r.chance(4000) {
        added.max(T_START)
    } else {
        (added.max(T_START) + r.below(5 * 365 * 86_400) as i64).min(T_MAX)
    };
    b.ts_field(modified);
    // Coverurl
    let bucket = id - id % 1000;
    match r.below(100) {
        0..70 => {
            b.open();
            b.push_u64(bucket);
            b.push(b'/');
            ids::write_md5(b, md5, false);
            b.extend_from_slice(b".jpg");
            b.close();
        }
        70..78 => {
            b.open();
            b.push_u64(bucket);
            b.push(b'/');
            ids::write_md5(b, md5, false);
            b.extend_from_slice(b"-d.jpg");
            b.close();
        }
        78..82 => {
            b.open();
            b.extend_from_slice(b"http://library.lol/covers/");
            b.push_u64(bucket);
            b.push(b'/');
            ids::write_md5(b, md5, false);
            b.extend_from_slice(b"-g.jpg");
            b.close();
        }
        _ => b.empty(1),
    }
    // Tags
    if r.chance(1800) {
        b.open();
        let n = 1 + r.below(4);
        let sep: &[u8] = if r.chance(6000) { b";" } else { b", " };
        let list = ctx.vocab.lang(lang);
        for k in 0..n {
            if k > 0 {
                b.extend_from_slice(sep);
            }
            b.extend_from_slice(list.sample(&mut r));
        }
        b.close();
    } else {
        b.empty(1);
    }
    // IdentifierWODash
    b.open();
    for k in ident_start..ident_end {
        let c = b[k];
        if c != b'-' {
            b.push(c);
        }
    }
    b.close();
}

/// Appends `n` random letters and digits (upper-case only, or mixed case with `-`/`_`).
pub(super) fn alnum(b: &mut Vec<u8>, r: &mut Rng, n: usize, upper: bool) {
    const UP: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const MIXED: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
    let set = if upper { UP } else { MIXED };
    for _ in 0..n {
        b.push(set[r.index(set.len())]);
    }
}
