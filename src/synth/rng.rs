//! Deterministic pseudo-random numbers: SplitMix64, written out here so that a seed gives the
//! same dump forever, whatever the platform or the versions of the dependencies.
//!
//! Every row draws from its own stream, keyed by (seed, purpose, row index), so that a table can
//! regenerate any row's MD5, title or language without keeping anything in memory.

/// The SplitMix64 increment (2^64 / golden ratio).
pub(super) const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 output function: a bijection of `u64` with good avalanche.
#[inline]
pub(super) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The key of one purpose (`stream`) under one seed.
pub(super) fn key(seed: u64, stream: u64) -> u64 {
    mix(seed.wrapping_mul(GOLDEN) ^ mix(stream.wrapping_add(0x5EED)))
}

/// A hash of a row index under a key; a bijection of `index` for a fixed key, so it never
/// repeats for two rows.
#[inline]
pub(super) fn hash(key: u64, index: u64) -> u64 {
    mix(key ^ mix(index))
}

/// `floor(a * b / 2^64)`.
#[inline]
pub(super) fn mulhi(a: u64, b: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) >> 64) as u64
}

/// A SplitMix64 stream.
#[derive(Clone, Debug)]
pub(super) struct Rng {
    state: u64,
}

impl Rng {
    /// A stream for one row (or one item) of one purpose.
    #[inline]
    pub(super) fn keyed(key: u64, index: u64) -> Rng {
        Rng {
            state: hash(key, index),
        }
    }

    #[inline]
    pub(super) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix(self.state)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift (the bias is below 2^-40 for our `n`).
    #[inline]
    pub(super) fn below(&mut self, n: u64) -> u64 {
        mulhi(self.next_u64(), n)
    }

    /// Uniform in `0..n` as a `usize`.
    #[inline]
    pub(super) fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    #[inline]
    pub(super) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `per_10k / 10 000`.
    #[inline]
    pub(super) fn chance(&mut self, per_10k: u64) -> bool {
        self.below(10_000) < per_10k
    }

    /// One element of a non-empty slice.
    #[inline]
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// An index drawn with the given relative weights (a short list; not all zero).
    pub(super) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut r = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            let w = u64::from(w);
            if r < w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }

    /// A value of a `(value, weight)` list.
    pub(super) fn weighted_pick<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|&(_, w)| u64::from(w)).sum();
        let mut r = self.below(total);
        for (v, w) in items {
            let w = u64::from(*w);
            if r < w {
                return v;
            }
            r -= w;
        }
        &items[items.len() - 1].0
    }
}

/// Zipf-distributed ranks (exponent 1) over `0..n`, with integer arithmetic only, so that the
/// draws are the same on every machine. A guide table makes a draw O(1) on average.
#[derive(Debug)]
pub(super) struct Zipf {
    cdf: Vec<u64>,
    guide: Vec<u32>,
    bits: u32,
    total: u64,
}

impl Zipf {
    pub(super) fn new(n: usize, bits: u32) -> Zipf {
        assert!(n > 0);
        let mut cdf = Vec::with_capacity(n);
        let mut acc = 0u64;
        for k in 0..n as u64 {
            acc += (1u64 << 32) / (k + 1);
            cdf.push(acc);
        }
        let total = acc;
        let g = 1usize << bits;
        let mut guide = Vec::with_capacity(g + 1);
        let mut k = 0usize;
        for b in 0..g as u64 {
            let lo = mulhi(b << (64 - bits), total);
            while cdf[k] <= lo {
                k += 1;
            }
            guide.push(k as u32);
        }
        guide.push((n - 1) as u32);
        Zipf {
            cdf,
            guide,
            bits,
            total,
        }
    }

    /// A rank; 0 is the most frequent.
    #[inline]
    pub(super) fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.next_u64();
        let r = mulhi(u, self.total);
        let b = (u >> (64 - self.bits)) as usize;
        let lo = self.guide[b] as usize;
        let hi = self.guide[b + 1] as usize;
        lo + self.cdf[lo..=hi].partition_point(|&c| c <= r)
    }
}
