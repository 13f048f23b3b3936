//! Per-group score columns of one view: mated and same-group non-mated
//! scores per group, and non-mated scores per *observed* cross-group pair,
//! each sorted ascending. Only pairs with at least one comparison get a
//! slot, so memory grows with the rows, never with groups².

use crate::counts::cluster::Clusters;
use crate::counts::column::{prefix_sums, Column};
use crate::counts::order::{Cut, ScoreOrder, SlotCode, Units};
use crate::groups::{View, MISSING};
use crate::input::Comparisons;
use rayon::prelude::*;

/// A cross-group pair {g, h}, g < h, packed so that packed order is (g, h) order.
fn pack(g: u32, h: u32) -> u64 {
    let (lo, hi) = if g <= h { (g, h) } else { (h, g) };
    (lo as u64) << 32 | hi as u64
}

/// The scores of one view, placed by group: slot g < G holds the mated
/// scores of group g, slot G + g its same-group non-mated scores, slot
/// 2G + k the non-mated scores of the cross-group pair `cross[k]`; each
/// sorted ascending.
pub(crate) struct GroupScores {
    groups: usize,
    /// The cross-group pairs with comparisons, packed ([`pack`]), ascending.
    cross: Vec<u64>,
    slots: Vec<Vec<f64>>,
    /// The input row of each score, per slot (kept for bootstrap re-weighting).
    rows: Vec<Vec<u32>>,
    /// The subjects of every slot's sorted scores, when subject ids are known
    /// (empty otherwise).
    clusters: Vec<Clusters>,
    /// Distinct subjects seen in each group, when subject ids are known.
    pub(crate) subjects: Option<Vec<u64>>,
    /// Rows this view could not place (a needed side has no value).
    pub(crate) unplaced: u64,
    /// Mated rows whose two sides carry different values.
    pub(crate) mated_conflicts: u64,
}

/// Per-slot prefix sums of whole row weights (a bootstrap replicate, row
/// counts), or `None` for unit weights.
pub(crate) type Prefixes = Option<Vec<Vec<u64>>>;

/// Distinct subjects per group among the placed rows: a mated row counts its
/// subject for its group, a non-mated row each side's subject for that side's group.
fn subjects_per_group(
    c: &Comparisons,
    v: &View,
    place: &(dyn Fn(usize) -> Option<usize> + Sync),
) -> Vec<u64> {
    let mut seen: Vec<u64> = Vec::with_capacity(2 * c.score.len());
    for i in 0..c.score.len() {
        if place(i).is_none() {
            continue;
        }
        let (a, b) = (v.side_a[i], v.side_b[i]);
        if c.mated[i] {
            let s = if a != MISSING { a } else { b };
            seen.push((s as u64) << 32 | c.subject_a[i] as u64);
        } else {
            seen.push((a as u64) << 32 | c.subject_a[i] as u64);
            seen.push((b as u64) << 32 | c.subject_b[i] as u64);
        }
    }
    seen.par_sort_unstable();
    seen.dedup();
    let mut counts = vec![0u64; v.groups.len()];
    for k in seen {
        counts[(k >> 32) as usize] += 1;
    }
    counts
}

/// The cross-group pairs of a view's non-mated rows (a row of each unit),
/// packed, ascending, distinct.
fn observed_pairs(c: &Comparisons, v: &View, units: &Units) -> Vec<u64> {
    let mut cross: Vec<u64> = (0..units.len())
        .filter_map(|u| units.row(u))
        .filter(|&i| !c.mated[i])
        .map(|i| (v.side_a[i], v.side_b[i]))
        .filter(|&(a, b)| a != MISSING && b != MISSING && a != b)
        .map(|(a, b)| pack(a, b))
        .collect();
    cross.par_sort_unstable();
    cross.dedup();
    cross
}

/// Most classes worth sorting by (beyond this, units are rows).
const MAX_CLASSES: u64 = 1 << 16;

/// The class of each row, when classes are few: rows alike in their mated
/// flag and every attribute's two codes are placed alike by every view and
/// the pool, so the order carries the class instead of the row. The class
/// is a mixed-radix number (a missing code is one more digit); the units
/// say how many rows each class holds and its first row.
pub(crate) fn classes(c: &Comparisons) -> Option<(impl Fn(usize) -> u32 + Sync + '_, Units)> {
    let radix: Vec<u64> = (c.attributes.iter())
        .map(|a| a.values.len() as u64 + 1)
        .collect();
    let space = (radix.iter()).try_fold(2u64, |n, &r| n.checked_mul(r)?.checked_mul(r))?;
    if space > MAX_CLASSES {
        return None;
    }
    let class = move |i: usize| -> u32 {
        let digit = |code: u32, r: u64| if code == MISSING { r - 1 } else { code as u64 };
        let k = (c.attributes.iter().zip(&radix)).fold(0u64, |k, (a, &r)| {
            (k * r + digit(a.side_a[i], r)) * r + digit(a.side_b[i], r)
        });
        (2 * k + c.mated[i] as u64) as u32
    };
    let n = space as usize;
    let (first, rows) = (0..c.score.len())
        .into_par_iter()
        .with_min_len(1 << 16)
        .fold(
            || (vec![u32::MAX; n], vec![0u64; n]),
            |(mut first, mut rows), i| {
                let k = class(i) as usize;
                first[k] = first[k].min(i as u32);
                rows[k] += 1;
                (first, rows)
            },
        )
        .reduce(
            || (vec![u32::MAX; n], vec![0u64; n]),
            |(mut f, mut r), (g, s)| {
                f.iter_mut().zip(g).for_each(|(f, g)| *f = (*f).min(g));
                r.iter_mut().zip(s).for_each(|(r, s)| *r += s);
                (f, r)
            },
        );
    Some((class, Units::Classes { first, rows }))
}

/// A view's slots cut from the order, with the rows it could not place and
/// its mated rows whose sides disagree (each weighing its count).
struct Placement {
    cut: Cut,
    unplaced: u64,
    mated_conflicts: u64,
}

/// Places every unit in one of `slots` slots (codes of type `S`) and cuts them from the order.
fn placement<S: SlotCode>(
    c: &Comparisons,
    v: &View,
    order: &ScoreOrder,
    units: &Units,
    slots: usize,
    place: &(dyn Fn(usize) -> Option<usize> + Sync),
    keep_rows: bool,
) -> Placement {
    let slot: Vec<S> = (0..units.len())
        .into_par_iter()
        .map(|u| S::of(units.row(u).and_then(place)))
        .collect();
    let mut sizes = vec![0usize; slots];
    let (mut unplaced, mut mated_conflicts) = (0, 0);
    for (u, &k) in slot.iter().enumerate() {
        let Some(i) = units.row(u) else {
            continue;
        };
        // A unit stands for its rows, a row for `count` comparisons when the input carries counts.
        let weight = c.count.get(i).copied().unwrap_or(units.rows(u));
        match k.get() {
            None => unplaced += weight,
            Some(k) => sizes[k] += units.rows(u) as usize,
        }
        let (a, b) = (v.side_a[i], v.side_b[i]);
        if c.mated[i] && a != MISSING && b != MISSING && a != b {
            mated_conflicts += weight;
        }
    }
    Placement {
        cut: order.cut(&slot, &sizes, keep_rows),
        unplaced,
        mated_conflicts,
    }
}

impl GroupScores {
    /// Places the scores, cutting each slot from the audit's one sorted
    /// order (of `units`); `keep_rows` keeps each score's row for
    /// re-weighting. With subject ids, each slot also keeps its subjects
    /// (units must then be rows).
    pub(crate) fn build(
        c: &Comparisons,
        v: &View,
        order: &ScoreOrder,
        units: &Units,
        keep_rows: bool,
    ) -> GroupScores {
        let g = v.groups.len();
        let clustered = !c.subject_a.is_empty() && c.count.is_empty();
        let keep_rows = keep_rows || clustered;
        debug_assert!(units.are_rows() || (!keep_rows && c.subject_a.is_empty()));
        let cross = observed_pairs(c, v, units);
        let place = |i: usize| -> Option<usize> {
            let (a, b) = (v.side_a[i], v.side_b[i]);
            if c.mated[i] {
                let s = if a != MISSING { a } else { b };
                (s != MISSING).then_some(s as usize)
            } else if a == MISSING || b == MISSING {
                None
            } else if a == b {
                Some(g + a as usize)
            } else {
                cross.binary_search(&pack(a, b)).ok().map(|k| 2 * g + k)
            }
        };
        let slots = 2 * g + cross.len();
        let Placement {
            cut: Cut {
                scores: slots,
                rows,
            },
            unplaced,
            mated_conflicts,
        } = if slots < u8::SLOTS {
            placement::<u8>(c, v, order, units, slots, &place, keep_rows)
        } else if slots < u16::SLOTS {
            placement::<u16>(c, v, order, units, slots, &place, keep_rows)
        } else {
            placement::<u32>(c, v, order, units, slots, &place, keep_rows)
        };
        let subjects = (!c.subject_a.is_empty()).then(|| subjects_per_group(c, v, &place));
        let clusters = if clustered {
            rows.par_iter()
                .map(|r: &Vec<u32>| {
                    let members = r
                        .iter()
                        .map(|&i| [c.subject_a[i as usize], c.subject_b[i as usize]]);
                    Clusters::new(members.collect())
                })
                .collect()
        } else {
            Vec::new()
        };
        GroupScores {
            groups: g,
            cross,
            slots,
            rows,
            clusters,
            subjects,
            unplaced,
            mated_conflicts,
        }
    }

    /// Mated scores of group g.
    pub(crate) fn mated(&self, g: usize) -> &[f64] {
        &self.slots[g]
    }

    /// Same-group non-mated scores of group g.
    pub(crate) fn same_group(&self, g: usize) -> &[f64] {
        &self.slots[self.groups + g]
    }

    /// The cross-group pairs (g, h), g < h, that have non-mated comparisons,
    /// ascending: pair k's scores are [`cross_column`](Self::cross_column)(k).
    pub(crate) fn cross_pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.cross
            .iter()
            .map(|&k| ((k >> 32) as usize, (k & u32::MAX as u64) as usize))
    }

    fn column<'a>(&'a self, slot: usize, w: &'a Prefixes) -> Column<'a> {
        match w {
            None => Column::unit(&self.slots[slot]),
            Some(p) => Column::weighted(&self.slots[slot], &p[slot]),
        }
    }

    /// The subjects of a slot's scores, when subject ids are known.
    fn clusters(&self, slot: usize) -> Option<&Clusters> {
        self.clusters.get(slot)
    }

    /// The subjects of group g's mated and same-group non-mated scores.
    pub(crate) fn group_clusters(&self, g: usize) -> (Option<&Clusters>, Option<&Clusters>) {
        (self.clusters(g), self.clusters(self.groups + g))
    }

    /// The subjects of the k-th cross-group pair's scores.
    pub(crate) fn cross_clusters(&self, k: usize) -> Option<&Clusters> {
        self.clusters(2 * self.groups + k)
    }

    pub(crate) fn mated_column<'a>(&'a self, g: usize, w: &'a Prefixes) -> Column<'a> {
        self.column(g, w)
    }

    pub(crate) fn same_group_column<'a>(&'a self, g: usize, w: &'a Prefixes) -> Column<'a> {
        self.column(self.groups + g, w)
    }

    /// Non-mated scores of the k-th cross-group pair.
    pub(crate) fn cross_column<'a>(&'a self, k: usize, w: &'a Prefixes) -> Column<'a> {
        self.column(2 * self.groups + k, w)
    }

    /// Prefix sums of `weight(row)` in every slot (needs `keep_rows`).
    pub(crate) fn prefixes(&self, weight: impl Fn(u32) -> u64) -> Vec<Vec<u64>> {
        self.rows.iter().map(|r| prefix_sums(r, &weight)).collect()
    }

    /// The input rows of every slot's scores, in score order (needs `keep_rows`).
    pub(crate) fn slot_rows(&self) -> &[Vec<u32>] {
        &self.rows
    }
}
