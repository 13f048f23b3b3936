//! The one sort of an audit: every row's score in ascending total order
//! (`f64::total_cmp`), ties kept in row order. Every column an audit counts
//! over — the global pool, each view's per-group slots — is cut from this
//! order by a stable pass, never sorted again. Each score carries a unit:
//! its row, or (when no row is kept) the class of rows every view places
//! alike, so that cutting looks up a short table instead of every row.

use rayon::prelude::*;

/// Scores in ascending total order with the unit each came from; equal
/// scores keep their row order.
pub(crate) struct ScoreOrder {
    keys: Keys,
}

/// The sorted scores and units, in the narrowest form that holds them.
enum Keys {
    /// Every score is an `f32` (the common output of a model): its 32-bit
    /// order-preserving key above its unit, so one `u64` sorts both.
    Narrow(Vec<u64>),
    /// Any other scores, with their units.
    Wide(Vec<(f64, u32)>),
}

/// What a score's unit names: its row, or a class of rows.
pub(crate) enum Units {
    /// Unit `i` is row `i` of this many.
    Rows(usize),
    /// Unit `u` is a class of `rows[u]` rows, the first of them `first[u]`
    /// (classes without rows have none).
    Classes { first: Vec<u32>, rows: Vec<u64> },
}

impl Units {
    /// How many units there are.
    pub(crate) fn len(&self) -> usize {
        match self {
            Units::Rows(n) => *n,
            Units::Classes { rows, .. } => rows.len(),
        }
    }

    /// A row of unit `u` (`None`: an empty class).
    pub(crate) fn row(&self, u: usize) -> Option<usize> {
        match self {
            Units::Rows(_) => Some(u),
            Units::Classes { first, rows } => (rows[u] > 0).then_some(first[u] as usize),
        }
    }

    /// How many rows unit `u` holds.
    pub(crate) fn rows(&self, u: usize) -> u64 {
        match self {
            Units::Rows(_) => 1,
            Units::Classes { rows, .. } => rows[u],
        }
    }

    /// True when units are rows (rows can be kept).
    pub(crate) fn are_rows(&self) -> bool {
        matches!(self, Units::Rows(_))
    }
}

/// Columns cut from the order: each slot's scores ascending (ties by row)
/// and, when kept, their rows.
pub(crate) struct Cut {
    pub(crate) scores: Vec<Vec<f64>>,
    /// Empty unless rows were asked for.
    pub(crate) rows: Vec<Vec<u32>>,
}

/// The order-preserving image of an `f32` (total order, −0 below +0).
fn key32(x: f32) -> u32 {
    let b = x.to_bits();
    if b >> 31 == 1 {
        !b
    } else {
        b | 1 << 31
    }
}

/// The `f32` of a key, widened.
fn unkey32(k: u32) -> f64 {
    f32::from_bits(if k >> 31 == 1 { k & !(1 << 31) } else { !k }) as f64
}

/// True when `x` is exactly an `f32` (bit for bit, so −0 stays −0).
fn is_f32(x: f64) -> bool {
    ((x as f32) as f64).to_bits() == x.to_bits()
}

impl ScoreOrder {
    /// Sorts the scores once, each with its unit `unit(row)`: a stable LSD
    /// radix sort (`radsort`) on the order-preserving integer image of each
    /// float, so ties stay in row order.
    pub(crate) fn new(scores: &[f64], unit: impl Fn(usize) -> u32 + Sync) -> ScoreOrder {
        let keys = if scores.par_iter().all(|&x| is_f32(x)) {
            let mut packed: Vec<u64> = (scores.par_iter().enumerate())
                .map(|(r, &x)| (key32(x as f32) as u64) << 32 | unit(r) as u64)
                .collect();
            // Sorted on the key alone: the sort is stable and rows start in order.
            radsort::sort_by_key(&mut packed, |&k| (k >> 32) as u32);
            Keys::Narrow(packed)
        } else {
            let mut pairs: Vec<(f64, u32)> = (scores.par_iter().enumerate())
                .map(|(r, &x)| (x, unit(r)))
                .collect();
            radsort::sort_by_key(&mut pairs, |p| p.0);
            Keys::Wide(pairs)
        };
        ScoreOrder { keys }
    }

    /// Calls `f` with each score and its unit, in order.
    fn each(&self, mut f: impl FnMut(f64, u32)) {
        match &self.keys {
            Keys::Narrow(v) => v
                .iter()
                .for_each(|&k| f(unkey32((k >> 32) as u32), k as u32)),
            Keys::Wide(v) => v.iter().for_each(|&(s, r)| f(s, r)),
        }
    }

    /// `at[unit]` for every score, in order.
    fn gather<S: Copy + Send + Sync>(&self, at: &[S]) -> Vec<S> {
        match &self.keys {
            Keys::Narrow(v) => v.par_iter().map(|&k| at[k as u32 as usize]).collect(),
            Keys::Wide(v) => v.par_iter().map(|&(_, r)| at[r as usize]).collect(),
        }
    }

    /// The scores of the rows `keep` admits (asked of a row of each unit),
    /// in order, and their rows when `keep_rows` (units are rows; else none).
    pub(crate) fn filter(
        &self,
        units: &Units,
        keep_rows: bool,
        keep: impl Fn(usize) -> bool + Sync,
    ) -> (Vec<f64>, Vec<u32>) {
        let slot: Vec<u8> = (0..units.len())
            .into_par_iter()
            .map(|u| u8::of(units.row(u).filter(|&r| keep(r)).map(|_| 0)))
            .collect();
        let kept = (0..units.len())
            .filter(|&u| slot[u] == 0)
            .map(|u| units.rows(u) as usize)
            .sum();
        let Cut {
            mut scores,
            mut rows,
        } = self.cut(&slot, &[kept], keep_rows);
        (scores.remove(0), rows.pop().unwrap_or_default())
    }

    /// Cuts the order into `sizes.len()` slots: `slot[unit]` is a unit's slot
    /// (the code type's maximum: none) and `sizes` the number of scores of
    /// each slot; with `keep_rows` (units are rows) each slot's rows too. One
    /// stable pass, so each slot comes out ascending with ties by row. The
    /// narrowest code type that holds the slots keeps `slot` in cache.
    pub(crate) fn cut<S: SlotCode>(&self, slot: &[S], sizes: &[usize], keep_rows: bool) -> Cut {
        let mut scores: Vec<Vec<f64>> = sizes.iter().map(|&n| Vec::with_capacity(n)).collect();
        let mut rows: Vec<Vec<u32>> = match keep_rows {
            true => sizes.iter().map(|&n| Vec::with_capacity(n)).collect(),
            false => Vec::new(),
        };
        // The gather alone first: independent loads the core overlaps.
        let mut in_order = self.gather(slot).into_iter();
        self.each(|s, r| {
            let Some(k) = in_order.next().and_then(S::get) else {
                return;
            };
            scores[k].push(s);
            if keep_rows {
                rows[k].push(r);
            }
        });
        Cut { scores, rows }
    }
}

/// A row's slot as a compact unsigned code, the type's maximum meaning none.
pub(crate) trait SlotCode: Copy + Send + Sync {
    /// Codes below this are slots.
    const SLOTS: usize;
    /// The code of slot `k` (`k < SLOTS`), or of none.
    fn of(k: Option<usize>) -> Self;
    /// The slot, `None` for none.
    fn get(self) -> Option<usize>;
}

macro_rules! slot_code {
    ($($t:ty),*) => {$(
        impl SlotCode for $t {
            const SLOTS: usize = <$t>::MAX as usize;
            #[inline]
            fn of(k: Option<usize>) -> Self {
                k.map_or(<$t>::MAX, |k| k as $t)
            }
            #[inline]
            fn get(self) -> Option<usize> {
                (self != <$t>::MAX).then_some(self as usize)
            }
        }
    )*};
}
slot_code!(u8, u16, u32);

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The old way: each slot gathered in row order, then sorted by
    /// (score, row) with a comparison sort.
    fn by_comparison(score: &[f64], slot: &[u32], slots: usize) -> (Vec<Vec<f64>>, Vec<Vec<u32>>) {
        let mut pairs: Vec<Vec<(f64, u32)>> = vec![Vec::new(); slots];
        for (i, (&s, &k)) in score.iter().zip(slot).enumerate() {
            if k != u32::MAX {
                pairs[k as usize].push((s, i as u32));
            }
        }
        for p in &mut pairs {
            p.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        }
        pairs.into_iter().map(|p| p.into_iter().unzip()).unzip()
    }

    #[test]
    fn cutting_the_one_order_equals_sorting_each_slot() {
        let mut rng = ChaCha8Rng::seed_from_u64(15);
        for case in 0..200 {
            let n = rng.random_range(0..400);
            let slots = rng.random_range(1..7);
            // Few distinct values (many ties), signed zeros, negatives, subnormals, extremes.
            let pick = [
                0.0,
                -0.0,
                1.5,
                -2.25,
                1e-310,
                -1e-310,
                f64::MAX,
                f64::MIN,
                0.1,
                0.7,
            ];
            let narrow = [
                0.0,
                -0.0,
                0.1f32 as f64,
                -0.1f32 as f64,
                f32::MAX as f64,
                f32::MIN as f64,
                1e-40f32 as f64,
            ];
            let score: Vec<f64> = (0..n)
                .map(|_| match case % 4 {
                    0 => pick[rng.random_range(0..pick.len())],
                    1 => rng.random_range(0..5) as f64 / 4.0 - 0.5,
                    // Only f32 values: the narrow keys.
                    2 => narrow[rng.random_range(0..narrow.len())],
                    _ => rng.random::<f64>() * 2.0 - 1.0,
                })
                .collect();
            let slot: Vec<u32> = (0..n)
                .map(|_| match rng.random_range(0..=slots) {
                    k if k == slots => u32::MAX,
                    k => k as u32,
                })
                .collect();
            let mut sizes = vec![0; slots];
            slot.iter()
                .filter(|&&k| k != u32::MAX)
                .for_each(|&k| sizes[k as usize] += 1);
            let order = ScoreOrder::new(&score, |r| r as u32);
            let cut = order.cut(&slot, &sizes, true);
            let (want_scores, want_rows) = by_comparison(&score, &slot, slots);
            let bits = |v: &Vec<Vec<f64>>| -> Vec<Vec<u64>> {
                v.iter()
                    .map(|s| s.iter().map(|x| x.to_bits()).collect())
                    .collect()
            };
            assert_eq!(bits(&cut.scores), bits(&want_scores), "case {case}");
            assert_eq!(cut.rows, want_rows, "case {case}");
            assert!(order.cut(&slot, &sizes, false).rows.is_empty());
            let narrow: Vec<u8> = slot.iter().map(|&k| u8::of(k.get())).collect();
            assert_eq!(
                order.cut(&narrow, &sizes, true).rows,
                cut.rows,
                "case {case}"
            );
            let rows = Units::Rows(n);
            let (pool, pool_rows) = order.filter(&rows, true, |r| r % 2 == 0);
            assert!(order.filter(&rows, false, |r| r % 2 == 0).1.is_empty());
            let (want, want_r): (Vec<f64>, Vec<u32>) = {
                let all = vec![0; n];
                let (s, r) = by_comparison(&score, &all, 1);
                s[0].iter()
                    .zip(&r[0])
                    .filter(|(_, &r)| r % 2 == 0)
                    .map(|(&s, &r)| (s, r))
                    .unzip()
            };
            assert_eq!(pool_rows, want_r, "case {case}");
            assert_eq!(
                pool.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                want.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );
        }
    }
}
