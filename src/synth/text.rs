//! Text generation shared by the collections: titles, people, descriptions. Everything is
//! written straight into the row buffer, escaped where it can need it.

use super::data;
use super::out::SqlBuf;
use super::rng::{self, Rng, Zipf};
use super::words::{capitalize_at, Lang, Vocab, ZH_CHARS};

/// Stream tags: each purpose draws from its own stream.
pub(super) mod tag {
    pub const CORE: u64 = 1;
    pub const MD5: u64 = 2;
    pub const GAP: u64 = 3;
    pub const ROW: u64 = 4;
    pub const LANG: u64 = 5;
    pub const TITLE: u64 = 6;
    pub const AUTHOR: u64 = 7;
    pub const SERIES: u64 = 8;
    pub const DESCR: u64 = 9;
    pub const HASH: u64 = 10;
    pub const AUTHOR_POOL: u64 = 11;
    pub const MD5_LO: u64 = 12;
    pub const TABLE: u64 = 13;
}

/// Everything shared by the generators of one dump.
pub(super) struct Ctx {
    pub vocab: Vocab,
    pub seed: u64,
    author_zipf: Zipf,
    author_pool_key: u64,
    md5_key: u64,
    md5_lo_key: u64,
    gap_key: u64,
    zh_chars: Vec<&'static str>,
    names: Vec<(Vec<&'static str>, Vec<&'static str>)>,
    /// Titles and descriptions that read as such, of this kind (the demo); `None`: the
    /// benchmarks' word salad.
    pub readable: Option<super::titles::Kind>,
}

/// How people's names are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum NameStyle {
    /// Books: mostly "First Last", some "Last, First", initials.
    Book,
    /// Fiction: "Last, First" or "First Last".
    Fiction,
    /// Papers: "F. Last" or "F. M. Last".
    Paper,
}

impl Ctx {
    /// `salt` separates the collections, so that one seed does not give the same MD5s and
    /// titles in all three.
    pub(super) fn new(seed: u64, salt: u64) -> Ctx {
        let seed = rng::key(seed, 0xC011_EC71_0000 + salt);
        let names = Lang::ALL
            .iter()
            .map(|&l| {
                let (first, last) = data::names(l);
                (
                    first.split_whitespace().collect(),
                    last.split_whitespace().collect(),
                )
            })
            .collect();
        Ctx {
            vocab: Vocab::new(),
            seed,
            author_zipf: Zipf::new(1 << 16, 12),
            author_pool_key: rng::key(seed, tag::AUTHOR_POOL),
            md5_key: rng::key(seed, tag::MD5),
            md5_lo_key: rng::key(seed, tag::MD5_LO),
            gap_key: rng::key(seed, tag::GAP),
            zh_chars: ZH_CHARS.split_whitespace().collect(),
            names,
            readable: None,
        }
    }

    /// The stream of one row for one purpose.
    #[inline]
    pub(super) fn rng(&self, tag: u64, index: u64) -> Rng {
        Rng::keyed(rng::key(self.seed, tag), index)
    }

    /// The MD5 of row `index`: unique per row (the high half is a bijection of the index).
    #[inline]
    pub(super) fn md5(&self, index: u64) -> (u64, u64) {
        let hi = rng::hash(self.md5_key, index);
        (hi, rng::hash(self.md5_lo_key, hi))
    }

    /// The ID gap before row `index` (0 for most rows).
    #[inline]
    pub(super) fn gap(&self, index: u64) -> u64 {
        if index == 0 {
            return 0;
        }
        let h = rng::hash(self.gap_key, index);
        if h.is_multiple_of(100) {
            1 + (h >> 32) % 20
        } else if h % 100_003 == 1 {
            1000 + (h >> 40) % 9000
        } else {
            0
        }
    }

    /// The ID of the row after `index` has ID `id`.
    #[inline]
    pub(super) fn next_id(&self, id: u64, index: u64) -> u64 {
        id + 1 + self.gap(index + 1)
    }

    /// The last ID of `rows` rows starting at `first`.
    pub(super) fn last_id(&self, first: u64, rows: u64) -> u64 {
        (1..rows).fold(first, |id, i| id + 1 + self.gap(i))
    }

    /// Writes `n` Zipf-drawn words of a language (no separator before the first).
    pub(super) fn words(&self, buf: &mut Vec<u8>, lang: Lang, rng: &mut Rng, n: usize) {
        let list = self.vocab.lang(lang);
        let spaced = lang.spaced();
        for k in 0..n {
            if spaced && k > 0 {
                buf.push(b' ');
            }
            buf.extend_from_slice(list.sample(rng));
        }
    }

    /// A title of 2–14 words (mostly 3–8), with a subtitle now and then, and the occasional
    /// quote, apostrophe, backslash or newline. `html` adds paper-style markup.
    pub(super) fn title(&self, buf: &mut Vec<u8>, lang: Lang, rng: &mut Rng, html: bool) {
        if let Some(kind) = self.readable {
            let kind = if html {
                super::titles::Kind::Paper
            } else {
                kind
            };
            super::titles::title(buf, lang, rng, kind);
            return;
        }
        let n = 2 + rng.below(13).min(rng.below(13)) as usize;
        let list = self.vocab.lang(lang);
        let spaced = lang.spaced();
        let title_case = lang == Lang::En && rng.chance(4000);
        let subtitle_at = if n >= 4 && rng.chance(1800) {
            2 + rng.index(n - 3)
        } else {
            usize::MAX
        };
        // One special thing in a few titles.
        let special = rng.below(10_000);
        let special_at = rng.index(n);
        let start = buf.len();
        for k in 0..n {
            if k > 0 {
                if k == subtitle_at {
                    buf.extend_from_slice(if spaced { b": " } else { "：".as_bytes() });
                } else if k == special_at && special < 5 {
                    buf.extend_from_slice(b"\\n");
                } else if spaced {
                    buf.push(b' ');
                }
            }
            if html && k == special_at && (20..1200).contains(&special) {
                buf.extend_from_slice(rng.pick(data::HTML_BITS).as_bytes());
                if spaced {
                    buf.push(b' ');
                }
            }
            let quoted = k == special_at && (5..60).contains(&special);
            if quoted {
                buf.extend_from_slice(b"\\\"");
            }
            if k == special_at && (60..80).contains(&special) && lang == Lang::Fr {
                buf.extend_from_slice(b"l\\'");
            }
            let ws = buf.len();
            buf.extend_from_slice(list.sample(rng));
            if k == 0 || k == subtitle_at || (title_case && buf.len() - ws > 3) {
                capitalize_at(buf, ws);
            }
            if quoted {
                buf.extend_from_slice(b"\\\"");
            }
            if k == special_at {
                match special {
                    60..160 if lang == Lang::En => buf.extend_from_slice(b"\\'s"),
                    160..175 => buf.extend_from_slice(b"\\\\"),
                    _ => {}
                }
            }
        }
        if buf.len() == start {
            buf.extend_from_slice(b"Untitled");
        }
    }

    /// One person's name in a language and style. Popular people come back often.
    pub(super) fn person(&self, buf: &mut Vec<u8>, lang: Lang, rng: &mut Rng, style: NameStyle) {
        let mut own;
        let r: &mut Rng = if rng.chance(5000) {
            // Zipf over groups of 128 authors: the most prolific ones write ~0.02 % of the books.
            let rank = self.author_zipf.sample(rng) as u64 * 128 + rng.below(128);
            own = Rng::keyed(self.author_pool_key ^ lang as u64, rank);
            &mut own
        } else {
            rng
        };
        let (firsts, lasts) = &self.names[lang as usize];
        let first = *r.pick(firsts);
        let last = *r.pick(lasts);
        let form = r.below(100);
        match lang {
            Lang::Zh => {
                buf.extend_from_slice(last.as_bytes());
                buf.extend_from_slice(first.as_bytes());
                if form < 30 {
                    buf.extend_from_slice(r.pick(&self.zh_chars).as_bytes());
                }
            }
            _ => {
                let second = *r.pick(firsts);
                let initial = |b: &mut Vec<u8>, s: &str| {
                    let c = s.chars().next().unwrap_or('X');
                    let mut tmp = [0u8; 4];
                    b.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                    b.push(b'.');
                };
                let (inverted, initials) = match style {
                    NameStyle::Book => (form < 15, form >= 80),
                    NameStyle::Fiction => (form < 50, form >= 95),
                    NameStyle::Paper => (form < 10, form >= 25),
                };
                let female = lang == Lang::Ru && (first.ends_with('а') || first.ends_with('я'));
                if inverted {
                    write_last(buf, last, female);
                    buf.extend_from_slice(b", ");
                    if initials {
                        initial(buf, first);
                    } else {
                        buf.extend_from_slice(first.as_bytes());
                    }
                } else if initials {
                    initial(buf, first);
                    if form.is_multiple_of(2) {
                        buf.push(b' ');
                        initial(buf, second);
                    }
                    buf.push(b' ');
                    write_last(buf, last, female);
                } else {
                    buf.extend_from_slice(first.as_bytes());
                    if form.is_multiple_of(7) {
                        buf.push(b' ');
                        initial(buf, second);
                    }
                    buf.push(b' ');
                    write_last(buf, last, female);
                }
            }
        }
    }

    /// `n` people joined by `sep`.
    pub(super) fn people(
        &self,
        buf: &mut Vec<u8>,
        lang: Lang,
        rng: &mut Rng,
        n: usize,
        sep: &[u8],
        style: NameStyle,
    ) {
        for k in 0..n {
            if k > 0 {
                buf.extend_from_slice(sep);
            }
            // Now and then a co-author writes in English.
            let l = if k > 0 && rng.chance(1500) {
                Lang::En
            } else {
                lang
            };
            self.person(buf, l, rng, style);
        }
    }

    /// A description of about `chars` characters: sentences in paragraphs, as plain text with
    /// newlines or as simple HTML, with the odd quote, apostrophe, TAB, CR or control byte.
    pub(super) fn description(&self, buf: &mut Vec<u8>, lang: Lang, rng: &mut Rng, chars: usize) {
        if let Some(kind) = self.readable {
            super::titles::description(buf, rng, kind);
            return;
        }
        let list = self.vocab.lang(lang);
        let spaced = lang.spaced();
        let target = buf.len() + chars * lang.bytes_per_char();
        let html = rng.chance(3500);
        let crlf = !html && rng.chance(300);
        let odd = rng.below(10_000);
        if html {
            buf.extend_from_slice(b"<p>");
        }
        let mut sentences_left = 1 + rng.below(5);
        while buf.len() < target {
            // One sentence.
            let n = 4 + rng.below(16) as usize;
            let bold = html && rng.chance(700);
            let italic = bold && rng.chance(5000);
            if bold {
                buf.extend_from_slice(if italic { b"<i>" } else { b"<b>" });
            }
            let quote_at = if rng.chance(400) { rng.index(n) } else { n };
            let apos_at = if rng.chance(600) { rng.index(n) } else { n };
            for k in 0..n {
                if k > 0 {
                    if spaced {
                        if rng.chance(700) {
                            buf.push(b',');
                        }
                        buf.push(b' ');
                    } else if rng.chance(800) {
                        buf.extend_from_slice("，".as_bytes());
                    }
                }
                if k == quote_at {
                    buf.extend_from_slice(if html { b"&quot;" } else { b"\\\"" });
                }
                let ws = buf.len();
                buf.extend_from_slice(list.sample(rng));
                if k == 0 {
                    capitalize_at(buf, ws);
                }
                if k == quote_at {
                    buf.extend_from_slice(if html { b"&quot;" } else { b"\\\"" });
                }
                if k == apos_at && spaced {
                    buf.extend_from_slice(b"\\'s");
                }
            }
            if bold {
                buf.extend_from_slice(if italic { b"</i>" } else { b"</b>" });
            }
            buf.extend_from_slice(if spaced { b"." } else { "。".as_bytes() });
            sentences_left -= 1;
            if sentences_left == 0 && buf.len() < target {
                sentences_left = 1 + rng.below(5);
                if html {
                    buf.extend_from_slice(if rng.chance(2000) {
                        b"<br><br>"
                    } else {
                        b"</p><p>"
                    });
                } else if crlf {
                    buf.extend_from_slice(b"\\r\\n");
                } else {
                    buf.extend_from_slice(b"\\n");
                }
            } else if spaced {
                buf.push(b' ');
            }
        }
        if buf.last() == Some(&b' ') {
            buf.pop();
        }
        match odd {
            0..30 => buf.extend_from_slice(b"\t(scan)"),
            30..40 => buf.extend_from_slice(b" C:\\\\Books\\\\"),
            40..42 => buf.extend_from_slice(b"\\Z"),
            42..44 => buf.extend_from_slice(b"\\0"),
            _ => {}
        }
        if html {
            buf.extend_from_slice(b"</p>");
        }
    }

    /// A table of contents: numbered chapter lines separated by newlines.
    pub(super) fn toc(&self, buf: &mut Vec<u8>, lang: Lang, rng: &mut Rng) {
        let chapters = 3 + rng.below(15);
        let word: &[u8] = match lang {
            Lang::Ru => "Глава".as_bytes(),
            Lang::De => b"Kapitel",
            Lang::Fr => b"Chapitre",
            Lang::Zh => "第".as_bytes(),
            _ => b"Chapter",
        };
        for c in 1..=chapters {
            if c > 1 {
                buf.extend_from_slice(b"\\n");
            }
            buf.extend_from_slice(word);
            buf.push(b' ');
            buf.push_u64(c);
            buf.extend_from_slice(b". ");
            let ws = buf.len();
            let n = 1 + rng.below(6) as usize;
            self.words(buf, lang, rng, n);
            capitalize_at(buf, ws);
        }
    }
}

/// Writes a family name, in the feminine form for a Russian woman (Иванов → Иванова,
/// Толстой → Толстая).
fn write_last(buf: &mut Vec<u8>, last: &str, female: bool) {
    if !female {
        buf.esc(last.as_bytes());
    } else if ["ов", "ев", "ёв", "ин", "ын"]
        .iter()
        .any(|e| last.ends_with(e))
    {
        buf.extend_from_slice(last.as_bytes());
        buf.extend_from_slice("а".as_bytes());
    } else if let Some(stem) = last.strip_suffix("ий").or_else(|| last.strip_suffix("ой")) {
        buf.extend_from_slice(stem.as_bytes());
        buf.extend_from_slice("ая".as_bytes());
    } else {
        buf.extend_from_slice(last.as_bytes());
    }
}

/// A language drawn with weights in the order of [`Lang::ALL`].
pub(super) fn pick_lang(rng: &mut Rng, weights: &[u32; 7]) -> Lang {
    Lang::ALL[rng.weighted(weights)]
}

/// A file size in bytes, log-uniform-ish between `lo` and `hi` with a peak in the middle.
pub(super) fn file_size(rng: &mut Rng, lo: u64, hi: u64) -> u64 {
    let l = 64 - lo.max(1).leading_zeros() as u64;
    let h = 64 - hi.max(2).leading_zeros() as u64;
    let span = (h - l) * 64;
    let e = l * 64 + (rng.below(span + 1) + rng.below(span + 1)) / 2;
    let base = 1u64 << (e / 64);
    let size = base + base * (e % 64) / 64 + rng.below(base / 4 + 1);
    size.clamp(lo, hi)
}

/// Unix seconds of a random moment of a random day between two Unix times.
pub(super) fn time_between(rng: &mut Rng, from: i64, to: i64) -> i64 {
    from + rng.below((to - from).max(1) as u64) as i64
}
