//! The papers' dump: `magazines`, `publishers`, then the papers' own table.
//!
//! Journals and publishers are a few thousand rows kept in memory (independent of the number of
//! papers). Every paper's DOI embeds a number that is a bijection of the row index, in a place
//! that each DOI shape of a prefix makes unambiguous, so DOIs never repeat.

use std::collections::HashSet;
use std::io::{self, Write};

use crate::Collection;

use super::data;
use super::ids::{self, Isbn};
use super::out::{unix_day, Dump, SqlBuf};
use super::rng::{self, Rng, Zipf};
use super::schema;
use super::text::{file_size, pick_lang, tag, time_between, Ctx, NameStyle};
use super::words::Lang;
use super::SynthOptions;

const T_START: i64 = unix_day(2012, 1, 1);
const T_END: i64 = unix_day(2024, 10, 1);

/// Number of generated publishers (real DOI registrants first).
const N_PUBLISHERS: usize = 400;
/// Number of journals for large dumps.
const N_JOURNALS: u64 = 3000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DoiStyle {
    /// `s00220-012-1234-5`, or `bf01397280` before 1997 (Springer, BMC, Pleiades).
    Springer,
    /// `physrevb.47.777`.
    Aps,
    /// `j.cell.2015.01.0123`, or `s0022-2860(96)09302-8` before 2005.
    Elsevier,
    /// `anie.201409876`.
    Wiley,
    /// `ja00123`, `nature12345`, `jp274736`.
    LettersDigits,
    /// `1234567` (JSTOR).
    Numeric,
    /// `3290605.3300233` (ACM).
    Acm,
    /// `tpami.2019.2912345`.
    ShortYear,
}

struct Publisher {
    prefix: String,
    name: String,
    style: DoiStyle,
}

struct Journal {
    id: u64,
    name: String,
    abbr: String,
    short: String,
    issnp: Option<[u8; 8]>,
    issne: Option<[u8; 8]>,
    publisher: usize,
    code: u64,
    first_year: u64,
    category: &'static str,
    site: bool,
    previous: bool,
    added: i64,
}

struct Catalog {
    publishers: Vec<Publisher>,
    journals: Vec<Journal>,
    wiley: Vec<usize>,
    zipf: Zipf,
}

fn style_of(prefix: &str) -> DoiStyle {
    match prefix {
        "10.1007" | "10.1140" | "10.1134" | "10.1023" | "10.1057" | "10.1186" => DoiStyle::Springer,
        "10.1103" => DoiStyle::Aps,
        "10.1016" | "10.1006" => DoiStyle::Elsevier,
        "10.1002" | "10.1111" => DoiStyle::Wiley,
        "10.1021" | "10.1038" | "10.1113" | "10.1039" => DoiStyle::LettersDigits,
        "10.2307" => DoiStyle::Numeric,
        "10.1145" => DoiStyle::Acm,
        _ => DoiStyle::ShortYear,
    }
}

fn capitalized(w: &[u8]) -> String {
    let mut v = w.to_vec();
    super::words::capitalize_at(&mut v, 0);
    String::from_utf8_lossy(&v).into_owned()
}

fn build_publishers(ctx: &Ctx) -> Vec<Publisher> {
    let mut out: Vec<Publisher> = data::DOI_PUBLISHERS
        .iter()
        .map(|&(p, n)| Publisher {
            prefix: p.to_string(),
            name: n.to_string(),
            style: style_of(p),
        })
        .collect();
    let mut seen: HashSet<String> = out.iter().map(|p| p.prefix.clone()).collect();
    let mut r = ctx.rng(tag::TABLE, 1);
    let (_, lasts) = data::names(Lang::En);
    let lasts: Vec<&str> = lasts
        .split_whitespace()
        .filter(|s| !s.contains('\''))
        .collect();
    while out.len() < N_PUBLISHERS {
        let n = if r.chance(7000) {
            3000 + r.below(7000)
        } else {
            10_000 + r.below(90_000)
        };
        let prefix = format!("10.{n}");
        if !seen.insert(prefix.clone()) {
            continue;
        }
        let kind = r.pick(data::PUBLISHER_KINDS);
        let name = if r.chance(5000) {
            format!("{} {kind}", r.pick(&lasts))
        } else {
            let w = ctx.vocab.lang(Lang::En).rare(&mut r);
            format!("{} {kind}", capitalized(w))
        };
        out.push(Publisher {
            prefix,
            name,
            style: DoiStyle::ShortYear,
        });
    }
    out
}

const SMALL_WORDS: &[&str] = &[
    "of", "and", "in", "on", "for", "the", "für", "und", "de", "la",
];

fn abbreviate(name: &str) -> (String, String) {
    let mut abbr = String::new();
    let mut short = String::new();
    for w in name.split_whitespace() {
        if SMALL_WORDS.contains(&w) {
            continue;
        }
        if let Some(c) = w.chars().next().filter(char::is_ascii_alphabetic) {
            short.push(c.to_ascii_lowercase());
        }
        if !abbr.is_empty() {
            abbr.push(' ');
        }
        let a = match w {
            "Journal" => "J.".to_string(),
            "International" => "Int.".to_string(),
            "Letters" => "Lett.".to_string(),
            "Review" | "Reviews" => "Rev.".to_string(),
            "Transactions" => "Trans.".to_string(),
            "Advances" => "Adv.".to_string(),
            "Annals" => "Ann.".to_string(),
            _ if w.chars().count() > 6 => {
                let head: String = w.chars().take(5).collect();
                format!("{head}.")
            }
            _ => w.to_string(),
        };
        abbr.push_str(&a);
    }
    (abbr, short)
}

fn build_catalog(ctx: &Ctx, rows: u64) -> Catalog {
    let publishers = build_publishers(ctx);
    let n = N_JOURNALS.min(rows.max(50)) as usize;
    let mut journals = Vec::with_capacity(n);
    let mut wiley = Vec::new();
    let mut id = 0u64;
    let n_real = data::DOI_PUBLISHERS.len();
    for j in 0..n {
        let mut r = ctx.rng(tag::TABLE, 1000 + j as u64);
        id += 1 + if r.chance(300) { r.below(40) } else { 0 };
        let publisher = if r.chance(7500) {
            r.index(n_real).min(r.index(n_real)).min(r.index(n_real))
        } else {
            r.index(publishers.len())
        };
        let field = *r.pick(data::JOURNAL_FIELDS);
        let adj = *r.pick(data::JOURNAL_ADJECTIVES);
        let name = match publishers[publisher].prefix.as_str() {
            "10.1103" => format!(
                "Physical Review {}",
                r.pick(&[
                    "A",
                    "B",
                    "C",
                    "D",
                    "E",
                    "Letters",
                    "Applied",
                    "Fluids",
                    "Materials"
                ])
            ),
            "10.1038" => format!("Nature {field}"),
            _ => match r.weighted(&[25, 10, 10, 8, 4, 5, 5, 3, 6, 3, 3, 2, 3, 4]) {
                0 => format!("Journal of {field}"),
                1 => format!("Journal of {adj} {field}"),
                2 => format!("International Journal of {field}"),
                3 => format!("{adj} {field}"),
                4 => format!("Annals of {field}"),
                5 => format!("{field} Letters"),
                6 => format!("Advances in {field}"),
                7 => format!("Reviews in {adj} {field}"),
                8 => format!("{field} Research"),
                9 => format!("IEEE Transactions on {field}"),
                10 => format!("Zeitschrift für {}", r.pick(data::JOURNAL_FIELDS_DE)),
                11 => format!("Вестник {}", r.pick(data::JOURNAL_FIELDS_RU)),
                12 => format!("Acta {field}"),
                _ => format!("{field} and {}", r.pick(data::JOURNAL_FIELDS)),
            },
        };
        let (abbr, mut short) = abbreviate(&name);
        while short.len() < 3 {
            short.push((b'a' + r.below(26) as u8) as char);
        }
        if publishers[publisher].prefix == "10.1103" {
            short = name
                .to_ascii_lowercase()
                .replace("physical review ", "physrev");
        }
        if publishers[publisher].prefix == "10.1002" {
            wiley.push(j);
        }
        journals.push(Journal {
            id,
            name,
            abbr,
            short,
            issnp: r.chance(8500).then(|| ids::random_issn(&mut r)),
            issne: r.chance(6000).then(|| ids::random_issn(&mut r)),
            publisher,
            code: r.below(100_000),
            first_year: 2023 - r.below(120).min(r.below(120)),
            category: if r.chance(4000) {
                data::JOURNAL_FIELDS[r.index(data::JOURNAL_FIELDS.len())]
            } else {
                ""
            },
            site: r.chance(3000),
            previous: r.chance(300),
            added: time_between(&mut r, unix_day(2010, 1, 1), T_END),
        });
    }
    let zipf = Zipf::new(journals.len(), 10);
    Catalog {
        publishers,
        journals,
        wiley,
        zipf,
    }
}

pub(super) fn write<W: Write>(d: &mut Dump<W>, ctx: &Ctx, opts: &SynthOptions) -> io::Result<()> {
    let cat = build_catalog(ctx, opts.rows);

    // magazines
    let last = cat.journals.last().map_or(0, |j| j.id);
    d.begin_table("magazines", schema::CREATE_MAGAZINES, Some(last + 1));
    for (j, jn) in cat.journals.iter().enumerate() {
        let mut r = ctx.rng(tag::TABLE, 100_000 + j as u64);
        let b = d.begin_row();
        b.num(jn.id);
        for issn in [jn.issnp, jn.issne] {
            match issn {
                Some(x) => {
                    b.open();
                    ids::write_issn(b, &x);
                    b.close();
                }
                None => b.empty(1),
            }
        }
        b.str_field(jn.name.as_bytes());
        b.str_field(jn.abbr.as_bytes());
        if r.chance(500) {
            b.open();
            let n = 10 + r.below(40) as usize;
            ctx.words(b, Lang::En, &mut r, n);
            b.push(b'.');
            b.close();
        } else {
            b.empty(1);
        }
        b.str_field(cat.publishers[jn.publisher].name.as_bytes());
        b.num_str(jn.id);
        if jn.site {
            b.open();
            b.extend_from_slice(b"http://www.");
            b.extend_from_slice(jn.short.as_bytes());
            b.extend_from_slice(b".org/");
            b.close();
        } else {
            b.empty(1);
        }
        b.safe_field(jn.category.as_bytes());
        b.empty(1);
        if jn.previous {
            b.open();
            b.esc(jn.name.as_bytes());
            b.extend_from_slice(b" (1950-1979)");
            b.close();
        } else {
            b.empty(1);
        }
        b.empty(1);
        b.open();
        b.push_u64(jn.first_year);
        b.push(b'-');
        b.close();
        b.open();
        b.extend_from_slice(b"1-");
        b.push_u64(2025 - jn.first_year);
        b.close();
        b.safe_field(cat.publishers[jn.publisher].prefix.as_bytes());
        b.ts_field(jn.added);
        d.end_row()?;
    }
    d.end_table("magazines")?;

    // publishers
    d.begin_table(
        "publishers",
        schema::CREATE_PUBLISHERS,
        Some(cat.publishers.len() as u64 + 1),
    );
    for (k, p) in cat.publishers.iter().enumerate() {
        let b = d.begin_row();
        b.num(k as u64 + 1);
        b.safe_field(p.prefix.as_bytes());
        b.str_field(p.name.as_bytes());
        d.end_row()?;
    }
    d.end_table("publishers")?;

    // the papers
    let rows = opts.rows;
    let last_id = ctx.last_id(opts.first_id, rows);
    let table = Collection::Scimag.dump_table();
    d.begin_table(
        table,
        schema::CREATE_PAPERS,
        (rows > 0).then_some(last_id + 1),
    );
    let uniq = Uniq::new(ctx.seed, rows);
    let mut id = opts.first_id;
    for i in 0..rows {
        if i > 0 {
            id = ctx.next_id(id, i - 1);
        }
        paper_row(d.begin_row(), ctx, &cat, &uniq, i, id, rows);
        d.end_row()?;
    }
    d.end_table(table)?;
    Ok(())
}

/// The per-row unique number of the DOIs: an affine bijection of `0..10^digits`.
struct Uniq {
    modulus: u64,
    offset: u64,
}

impl Uniq {
    const FACTOR: u64 = 7_654_321;

    fn new(seed: u64, rows: u64) -> Uniq {
        let mut modulus = 1_000_000u64;
        while modulus / 10 < rows && modulus < 1_000_000_000_000_000_000 {
            modulus *= 10;
        }
        Uniq {
            modulus,
            offset: rng::mix(seed) % modulus,
        }
    }

    fn of(&self, i: u64) -> u64 {
        let m = u128::from(self.modulus);
        ((u128::from(i) * u128::from(Self::FACTOR) + u128::from(self.offset)) % m) as u64
    }
}

fn write_doi(
    b: &mut Vec<u8>,
    r: &mut Rng,
    jn: &Journal,
    style: DoiStyle,
    sici: bool,
    year: u64,
    u: u64,
) {
    if sici {
        b.extend_from_slice(b"(sici)");
        if let Some(x) = jn.issnp.or(jn.issne) {
            write_issn_lower(b, &x);
        }
        b.push(b'(');
        b.push_u64(year);
        let m = 1 + r.below(12);
        b.push_u64_pad(m, 2);
        if r.chance(2000) && m < 12 {
            b.push(b'/');
            b.push_u64_pad(m + 1, 2);
        }
        b.push(b')');
        b.push_u64(1 + year.saturating_sub(jn.first_year));
        b.push(b':');
        let iss = 1 + r.below(11);
        b.push_u64(iss);
        if r.chance(1500) {
            b.push(b'/');
            b.push_u64(iss + 1);
        }
        b.push(b'<');
        b.push_u64(1 + r.below(2000));
        b.extend_from_slice(b"::aid-");
        b.extend_from_slice(jn.short.as_bytes());
        b.push_u64(u);
        b.extend_from_slice(b">3.0.co;2-");
        b.push(b"0123456789x#"[r.index(12)]);
        return;
    }
    match style {
        DoiStyle::Springer if year < 1997 => {
            b.extend_from_slice(b"bf");
            b.push_u64_pad(u, 8);
        }
        DoiStyle::Springer => {
            b.push(b's');
            b.push_u64_pad(jn.code, 5);
            b.push(b'-');
            b.push_u64_pad(year % 1000, 3);
            b.push(b'-');
            b.push_u64(u);
            b.push(b'-');
            b.push_u64(r.below(10));
        }
        DoiStyle::Aps => {
            b.extend_from_slice(jn.short.as_bytes());
            b.push(b'.');
            b.push_u64(1 + year.saturating_sub(jn.first_year));
            b.push(b'.');
            b.push_u64(u);
        }
        DoiStyle::Elsevier if year < 2005 => {
            b.push(b's');
            match jn.issnp.or(jn.issne) {
                Some(x) => write_issn_lower(b, &x),
                None => b.extend_from_slice(b"0000-0000"),
            }
            b.push(b'(');
            b.push_u64_pad(year % 100, 2);
            b.push(b')');
            b.push_u64_pad(u, 5);
            b.push(b'-');
            b.push(b"0123456789x"[r.index(11)]);
        }
        DoiStyle::Elsevier => {
            b.extend_from_slice(b"j.");
            b.extend_from_slice(jn.short.as_bytes());
            b.push(b'.');
            b.push_u64(year);
            b.push(b'.');
            b.push_u64_pad(1 + r.below(12), 2);
            b.push(b'.');
            b.push_u64_pad(u, 3);
        }
        DoiStyle::Wiley => {
            b.extend_from_slice(jn.short.as_bytes());
            b.push(b'.');
            b.push_u64(u);
        }
        DoiStyle::LettersDigits => {
            b.extend_from_slice(jn.short.as_bytes());
            b.push_u64(u);
        }
        DoiStyle::Numeric => b.push_u64(u),
        DoiStyle::Acm => {
            b.push_u64(1_000_000 + r.below(3_000_000));
            b.push(b'.');
            b.push_u64(u);
        }
        DoiStyle::ShortYear => {
            b.extend_from_slice(jn.short.as_bytes());
            b.push(b'.');
            b.push_u64(year);
            b.push(b'.');
            b.push_u64(u);
        }
    }
}

fn write_issn_lower(b: &mut Vec<u8>, x: &[u8; 8]) {
    let s = b.len();
    ids::write_issn(b, x);
    b[s..].make_ascii_lowercase();
}

fn paper_row(b: &mut Vec<u8>, ctx: &Ctx, cat: &Catalog, uniq: &Uniq, i: u64, id: u64, rows: u64) {
    let mut r = ctx.rng(tag::ROW, i);
    let sici = r.chance(500);
    let j = if sici && !cat.wiley.is_empty() {
        cat.wiley[r.index(cat.wiley.len())]
    } else {
        cat.zipf.sample(&mut r)
    };
    let jn = &cat.journals[j];
    let publ = &cat.publishers[jn.publisher];
    let year = if sici {
        r.range(1995, 2003)
    } else {
        let span = 2025 - jn.first_year;
        2024 - r.below(span).min(r.below(span)).min(r.below(span))
    };

    b.num(id);
    // DOI, DOI2
    b.open();
    b.extend_from_slice(if sici {
        b"10.1002"
    } else {
        publ.prefix.as_bytes()
    });
    b.push(b'/');
    write_doi(b, &mut r, jn, publ.style, sici, year, uniq.of(i));
    b.close();
    b.empty(1);
    // Title
    let lang = pick_lang(&mut r, &[930, 30, 15, 20, 5, 0, 0]);
    b.open();
    ctx.title(b, lang, &mut r, true);
    b.close();
    // Author
    let n_auth = r.weighted(&[2, 18, 22, 20, 14, 9, 6, 4, 5]);
    b.open();
    ctx.people(b, lang, &mut r, n_auth, b"; ", NameStyle::Paper);
    b.close();
    // Year, Month, Day
    if r.chance(200) {
        b.empty(1);
    } else {
        b.num_str(year);
    }
    if r.chance(6000) {
        b.num_str(1 + r.below(12));
        if r.chance(3500) {
            b.num_str(1 + r.below(28));
        } else {
            b.empty(1);
        }
    } else {
        b.empty(2);
    }
    // Volume, Issue, First_page, Last_page
    if r.chance(9000) {
        b.num_str(1 + year.saturating_sub(jn.first_year));
    } else {
        b.empty(1);
    }
    match r.below(10) {
        0..2 => b.empty(1),
        2 => {
            b.open();
            let k = 1 + r.below(11);
            b.push_u64(k);
            b.push(b'-');
            b.push_u64(k + 1);
            b.close();
        }
        _ => b.num_str(1 + r.below(12)),
    }
    if r.chance(8000) {
        let first = 1 + r.below(3000);
        b.num_str(first);
        b.num_str(first + 1 + r.below(30));
    } else {
        b.empty(2);
    }
    // Journal, ISBN, ISSNP, ISSNE
    let named = r.chance(6000);
    if named {
        b.str_field(jn.name.as_bytes());
    } else {
        b.empty(1);
    }
    if r.chance(150) {
        b.open();
        Isbn::random(&mut r, Lang::En).write13(b, false);
        b.close();
    } else {
        b.empty(1);
    }
    for issn in [jn.issnp, jn.issne] {
        match issn {
            Some(x) if named && r.chance(7000) => {
                b.open();
                ids::write_issn(b, &x);
                b.close();
            }
            _ => b.empty(1),
        }
    }
    // MD5 (repeats now and then), Filesize, TimeAdded
    let md5_row = if i > 0 && r.chance(30) {
        i - 1 - r.below(i.min(10_000))
    } else {
        i
    };
    b.open();
    ids::write_md5(b, ctx.md5(md5_row), false);
    b.close();
    b.num(file_size(&mut r, 30_000, 40_000_000));
    let span = (T_END - T_START) as u64;
    let added = T_START
        + (u128::from(span) * u128::from(i) / u128::from(rows.max(1))) as i64
        + r.below(86_400) as i64;
    b.ts_field(added);
    // JOURNALID
    if named {
        b.empty(1);
    } else {
        b.num_str(jn.id);
    }
    // AbstractURL, Attribute1..6
    let elsevier = publ.style == DoiStyle::Elsevier && !sici;
    let pii = elsevier && r.chance(8000);
    let mut pii_buf = [0u8; 17];
    if pii {
        pii_buf[0] = b'S';
        pii_buf[1..9].copy_from_slice(&jn.issnp.or(jn.issne).unwrap_or(*b"00000000"));
        let yy = year % 100;
        pii_buf[9] = b'0' + (yy / 10) as u8;
        pii_buf[10] = b'0' + (yy % 10) as u8;
        for x in pii_buf[11..16].iter_mut() {
            *x = b'0' + r.below(10) as u8;
        }
        pii_buf[16] = b"0123456789X"[r.index(11)];
    }
    if pii && r.chance(3000) {
        b.open();
        b.extend_from_slice(b"https://www.sciencedirect.com/science/article/pii/");
        b.extend_from_slice(&pii_buf);
        b.close();
    } else {
        b.empty(1);
    }
    b.empty(6);
    // visible
    if r.chance(200) {
        b.safe_field(r.pick(&["ban", "del", "cpr", "no"]).as_bytes());
    } else {
        b.empty(1);
    }
    // PubmedID, PMC, PII
    if r.chance(1500) {
        b.num_str(1_000_000 + r.below(38_000_000));
    } else {
        b.empty(1);
    }
    if r.chance(400) {
        b.open();
        b.extend_from_slice(b"PMC");
        b.push_u64(1_000_000 + r.below(9_000_000));
        b.close();
    } else {
        b.empty(1);
    }
    if pii {
        b.safe_field(&pii_buf);
    } else {
        b.empty(1);
    }
}
