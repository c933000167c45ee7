//! What the book collections (libgen, fiction) share: per-row decisions that several tables need
//! (has a description, has hashes, NULL MD5, is another edition of an earlier row), made from a
//! hash of the row index so that every table can recompute them without memory.

use super::rng::{self, Rng};
use super::text::{tag, Ctx};
use super::words::Lang;

/// Per-mille rates of the per-row decisions.
pub(super) struct Rates {
    pub descr: u64,
    pub hashes: u64,
    pub edition: u64,
    pub null_md5: u64,
    /// Weights of the title languages, in the order of [`Lang::ALL`].
    pub langs: [u32; 7],
}

pub(super) struct Plan<'a> {
    pub ctx: &'a Ctx,
    rates: Rates,
    core_key: u64,
    lang_key: u64,
}

/// The decisions for one row.
#[derive(Clone, Copy, Debug)]
pub(super) struct Row {
    pub descr: bool,
    pub hashes: bool,
    pub null_md5: bool,
    /// The row whose title and authors this one shares (itself unless it is another edition).
    pub root: u64,
}

impl Row {
    pub(super) fn is_edition(&self, index: u64) -> bool {
        self.root != index
    }
}

impl<'a> Plan<'a> {
    pub(super) fn new(ctx: &'a Ctx, rates: Rates) -> Self {
        Plan {
            ctx,
            rates,
            core_key: rng::key(ctx.seed, tag::CORE),
            lang_key: rng::key(ctx.seed, tag::LANG),
        }
    }

    #[inline]
    fn core(&self, i: u64) -> u64 {
        rng::hash(self.core_key, i)
    }

    #[inline]
    fn null_md5_of(&self, h: u64) -> bool {
        (h >> 40) % 1000 < self.rates.null_md5
    }

    /// The earlier row that `i` is a copy of, before following chains.
    #[inline]
    fn raw_source(&self, i: u64, h: u64) -> Option<u64> {
        if i == 0 || (h >> 20) % 1000 >= self.rates.edition || self.null_md5_of(h) {
            return None;
        }
        Some(i - 1 - (h >> 50) % i.min(5000))
    }

    pub(super) fn row(&self, i: u64) -> Row {
        let h = self.core(i);
        let null_md5 = self.null_md5_of(h);
        let mut root = i;
        if let Some(mut j) = self.raw_source(i, h) {
            loop {
                let hj = self.core(j);
                match self.raw_source(j, hj) {
                    Some(s) => j = s,
                    None => {
                        if !self.null_md5_of(hj) {
                            root = j;
                        }
                        break;
                    }
                }
            }
        }
        Row {
            descr: h % 1000 < self.rates.descr && !null_md5,
            hashes: (h >> 10) % 1000 < self.rates.hashes && !null_md5,
            null_md5,
            root,
        }
    }

    /// The language of a work (keyed by its root row).
    #[inline]
    pub(super) fn lang(&self, root: u64) -> Lang {
        let mut r = Rng::keyed(self.lang_key, root);
        super::text::pick_lang(&mut r, &self.rates.langs)
    }

    /// Length in characters of a description: 100–2000, mostly a few hundred.
    pub(super) fn descr_chars(rng: &mut Rng) -> usize {
        100 + rng.below(1901).min(rng.below(1901)) as usize
    }
}
