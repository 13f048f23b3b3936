//! The bootstrap: percentile intervals for every per-group rate and every
//! summary, and a bootstrap test of the difference between two groups.
//!
//! * Unit: the subject when subject ids are known, else the row. A replicate
//!   draws as many units as there are, with replacement (the exact
//!   multinomial bootstrap); a unit drawn c times weighs c. A mated
//!   comparison weighs its subject's count, a non-mated comparison the
//!   product of its two subjects' counts; classification rows weigh their
//!   subject's (or their own) count times their input weight.
//! * Everything data-dependent is re-derived in each replicate (global and
//!   group thresholds, EER, …); fixed thresholds stay fixed. The sorted data
//!   are prepared once and only re-weighted, so a replicate costs one pass
//!   over the comparisons, never a re-parse or a re-sort.
//! * Replicate r draws from its own ChaCha8 stream (seed, stream r), so the
//!   result depends on the seed alone, not on the thread count.
//! * Intervals are percentiles (linear interpolation between order
//!   statistics, numpy's default) of the finite replicate values; the number
//!   of replicates where a value was undefined is reported beside it.

use crate::engine::{Resample, Unit};
use crate::error::{Error, Result};
use crate::groups::Attribute;
use crate::stats::rate::{finite_or_null, null_as_nan};
use crate::value::{Flatten, Key, Value};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What the user asked for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BootstrapSpec {
    /// Number of replicates.
    pub replicates: usize,
    /// Seed of the replicate draws.
    pub seed: u64,
    /// Level of the percentile intervals.
    pub level: f64,
    /// Resample rows even when subject ids are known.
    pub rows: bool,
    /// Two groups (of one attribute) whose difference is tested.
    pub compare: Option<(String, String)>,
}

/// One value's percentile interval.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BootInterval {
    /// The value's key.
    #[serde(flatten)]
    pub key: Key,
    /// Lower percentile bound.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub low: f64,
    /// Upper percentile bound.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub high: f64,
    /// Replicates in which the value was undefined or infinite.
    pub undefined: usize,
}

/// The bootstrap test of a difference between two groups.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    /// The view of the two groups.
    pub attribute: Attribute,
    /// The two groups, first minus second.
    pub groups: [String; 2],
    /// The operating point's policy label.
    pub policy: String,
    /// The metric compared.
    pub metric: String,
    /// Observed value of the first group minus the second.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub difference: f64,
    /// Lower percentile bound of the difference.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub low: f64,
    /// Upper percentile bound of the difference.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub high: f64,
    /// Two-sided: 2·min(share of replicate differences ≤ 0, share ≥ 0), at most 1.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub p: f64,
}

/// The bootstrap section of a report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BootstrapResult {
    /// `subject` or `row`.
    pub unit: Unit,
    /// Number of units drawn from (subjects, searches or rows).
    pub units: usize,
    /// Number of replicates.
    pub replicates: usize,
    /// Seed of the replicate draws.
    pub seed: u64,
    /// Level of the percentile intervals.
    pub level: f64,
    /// `percentile`.
    pub method: String,
    /// Percentile interval of every statistic.
    pub intervals: Vec<BootInterval>,
    /// Tests of the difference between the compared groups.
    pub comparisons: Vec<Comparison>,
}

/// Counts of each unit in replicate r: `units` draws with replacement, in
/// batches (the draws of a batch, then their counting, whose scattered
/// increments then overlap in memory; the same draws as one at a time).
fn draw(seed: u64, r: usize, units: usize) -> Vec<u32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(r as u64);
    let mut counts = vec![0u32; units];
    let mut batch = [0usize; 1024];
    let mut left = units;
    while left > 0 {
        let k = left.min(batch.len());
        batch[..k].fill_with(|| rng.random_range(0..units));
        for &i in &batch[..k] {
            counts[i] += 1;
        }
        left -= k;
    }
    counts
}

/// Percentile (numpy's linear interpolation) of sorted values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

/// The statistics of flattened values (rates, per-group statistics, summaries).
fn statistics(values: Vec<Value>) -> Vec<Value> {
    values
        .into_iter()
        .filter(|v| v.kind.is_statistic())
        .collect()
}

/// Bootstraps an audit: `original` is its flattened result. Every
/// statistic gets a percentile interval; with `spec.compare`, the difference
/// of every statistic between the two groups is tested.
pub fn bootstrap<R: Resample>(
    audit: &R,
    original: Vec<Value>,
    spec: &BootstrapSpec,
) -> Result<BootstrapResult> {
    if spec.replicates < 2 {
        return Err(Error::option("--bootstrap", "needs at least 2 replicates"));
    }
    let (unit, units) = audit.units();
    if units == 0 {
        return Err(Error::option(
            "--bootstrap",
            "has nothing to resample: the audit kept no rows",
        ));
    }
    let base = statistics(original);
    let index: HashMap<&Key, usize> = base.iter().enumerate().map(|(i, v)| (&v.key, i)).collect();
    let pairs = compared_pairs(&base, &index, spec)?;
    let values: Vec<Vec<f64>> = (0..spec.replicates)
        .into_par_iter()
        .map(|r| {
            let found = statistics(audit.replicate(&draw(spec.seed, r, units))?.values());
            Ok(aligned(&base, &index, found))
        })
        .collect::<Result<_>>()?;
    let alpha = 1.0 - spec.level;
    let intervals = base
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (low, high, x) = percentiles(values.iter().map(|r| r[i]), alpha);
            BootInterval {
                key: v.key.clone(),
                low,
                high,
                undefined: values.len() - x.len(),
            }
        })
        .collect();
    let comparisons = pairs
        .iter()
        .map(|&(i, j)| difference(&base[i], &base[j], &values, (i, j), alpha))
        .collect();
    Ok(BootstrapResult {
        unit,
        units,
        replicates: spec.replicates,
        seed: spec.seed,
        level: spec.level,
        method: "percentile".into(),
        intervals,
        comparisons,
    })
}

/// A replicate's statistics in the order of the original's: by position when
/// the layout is the same (the usual case), else by key (a cross-group cell
/// emptied by the resampling is NaN).
fn aligned(base: &[Value], index: &HashMap<&Key, usize>, found: Vec<Value>) -> Vec<f64> {
    if found.len() == base.len() && found.iter().zip(base).all(|(a, b)| a.key == b.key) {
        return found.iter().map(|v| v.value).collect();
    }
    let mut v = vec![f64::NAN; base.len()];
    for x in found {
        if let Some(&i) = index.get(&x.key) {
            v[i] = x.value;
        }
    }
    v
}

/// The (α/2, 1 − α/2) percentiles of the finite values, and those values sorted.
fn percentiles(x: impl Iterator<Item = f64>, alpha: f64) -> (f64, f64, Vec<f64>) {
    let mut x: Vec<f64> = x.filter(|x| x.is_finite()).collect();
    x.sort_by(f64::total_cmp);
    (
        percentile(&x, alpha / 2.0),
        percentile(&x, 1.0 - alpha / 2.0),
        x,
    )
}

/// The bootstrap test of statistic `a` minus statistic `b` (columns `i`, `j` of the replicates).
fn difference(
    a: &Value,
    b: &Value,
    values: &[Vec<f64>],
    (i, j): (usize, usize),
    alpha: f64,
) -> Comparison {
    let (low, high, d) = percentiles(values.iter().map(|v| v[i] - v[j]), alpha);
    Comparison {
        attribute: a.key.attribute.clone(),
        groups: [a.key.group.clone(), b.key.group.clone()],
        policy: a.key.policy.clone(),
        metric: a.key.metric.clone(),
        difference: a.value - b.value,
        low,
        high,
        p: two_sided(&d),
    }
}

/// The bootstrap p-value of replicate differences `d`: 2·min(share ≤ 0,
/// share ≥ 0), at most 1; NaN without replicates.
fn two_sided(d: &[f64]) -> f64 {
    if d.is_empty() {
        return f64::NAN;
    }
    let n = d.len() as f64;
    let below = d.iter().filter(|&&x| x <= 0.0).count() as f64 / n;
    let above = d.iter().filter(|&&x| x >= 0.0).count() as f64 / n;
    (2.0 * below.min(above)).min(1.0)
}

/// One statistic of two models audited on the same data: B − A with its
/// paired bootstrap interval.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairedDelta {
    /// The percentile interval of B − A.
    #[serde(flatten)]
    pub interval: BootInterval,
    /// Two-sided: 2·min(share of replicate differences ≤ 0, share ≥ 0), at most 1.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub p: f64,
}

impl PairedDelta {
    /// The interval, when both ends are finite.
    pub fn bounds(&self) -> Option<(f64, f64)> {
        let i = &self.interval;
        (i.low.is_finite() && i.high.is_finite()).then_some((i.low, i.high))
    }
}

/// The paired bootstrap of two models audited on the same units: each
/// replicate draws the units once and re-runs both audits on that draw
/// (data-dependent thresholds re-derived per model), so B − A varies only
/// as the resampled population does. Every statistic present in both
/// `base_a` and `base_b` gets the percentile interval of B − A and a
/// two-sided p-value; the two audits must draw from the same units.
pub fn paired<A: Resample, B: Resample>(
    a: &A,
    b: &B,
    base_a: Vec<Value>,
    base_b: Vec<Value>,
    spec: &BootstrapSpec,
) -> Result<Vec<PairedDelta>> {
    if spec.replicates < 2 {
        return Err(Error::option("--bootstrap", "needs at least 2 replicates"));
    }
    let (unit, units) = a.units();
    if b.units() != (unit, units) {
        return Err(Error::data(
            "<compare>",
            "the two models' audits resample different units".to_string(),
        ));
    }
    if units == 0 {
        return Err(Error::option(
            "--bootstrap",
            "has nothing to resample: the audit kept no rows",
        ));
    }
    let (base_a, base_b) = (statistics(base_a), statistics(base_b));
    let index_a: HashMap<&Key, usize> = base_a
        .iter()
        .enumerate()
        .map(|(i, v)| (&v.key, i))
        .collect();
    let index_b: HashMap<&Key, usize> = base_b
        .iter()
        .enumerate()
        .map(|(i, v)| (&v.key, i))
        .collect();
    let shared: Vec<(usize, usize)> = (base_a.iter().enumerate())
        .filter_map(|(i, v)| index_b.get(&v.key).map(|&j| (i, j)))
        .collect();
    let deltas: Vec<Vec<f64>> = (0..spec.replicates)
        .into_par_iter()
        .map(|r| {
            let d = draw(spec.seed, r, units);
            let ra = aligned(&base_a, &index_a, statistics(a.replicate(&d)?.values()));
            let rb = aligned(&base_b, &index_b, statistics(b.replicate(&d)?.values()));
            Ok(shared.iter().map(|&(i, j)| rb[j] - ra[i]).collect())
        })
        .collect::<Result<_>>()?;
    let alpha = 1.0 - spec.level;
    Ok(shared
        .iter()
        .enumerate()
        .map(|(k, &(i, _))| {
            let (low, high, d) = percentiles(deltas.iter().map(|r| r[k]), alpha);
            PairedDelta {
                interval: BootInterval {
                    key: base_a[i].key.clone(),
                    low,
                    high,
                    undefined: deltas.len() - d.len(),
                },
                p: two_sided(&d),
            }
        })
        .collect())
}

/// The (first, second) statistic pairs that `--compare A,B` tests: every
/// statistic of group A with the same one of group B. Checked before any
/// replicate runs.
fn compared_pairs(
    base: &[Value],
    index: &HashMap<&Key, usize>,
    spec: &BootstrapSpec,
) -> Result<Vec<(usize, usize)>> {
    let Some((a, b)) = &spec.compare else {
        return Ok(Vec::new());
    };
    let pairs: Vec<(usize, usize)> = base
        .iter()
        .enumerate()
        .filter(|(_, v)| &v.key.group == a)
        .filter_map(|(i, v)| {
            let other = Key {
                group: b.clone(),
                ..v.key.clone()
            };
            index.get(&other).map(|&j| (i, j))
        })
        .collect();
    if pairs.is_empty() {
        return Err(Error::option(
            "--compare",
            format!("{a},{b}: no attribute has both groups"),
        ));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interpolates_like_numpy() {
        // numpy.percentile([1, 2, 3, 4], [2.5, 97.5]) = [1.075, 3.925]
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((percentile(&x, 0.025) - 1.075).abs() < 1e-15);
        assert!((percentile(&x, 0.975) - 3.925).abs() < 1e-15);
    }

    #[test]
    fn batched_draws_are_the_draws_one_at_a_time() {
        for units in [1, 7, 1024, 1025, 5000] {
            let mut rng = ChaCha8Rng::seed_from_u64(9);
            rng.set_stream(2);
            let mut counts = vec![0u32; units];
            for _ in 0..units {
                counts[rng.random_range(0..units)] += 1;
            }
            assert_eq!(draw(9, 2, units), counts, "{units}");
        }
    }

    #[test]
    fn draws_are_multinomial_and_reproducible() {
        let a = draw(7, 3, 1000);
        assert_eq!(a.iter().sum::<u32>(), 1000);
        assert_eq!(a, draw(7, 3, 1000));
        assert_ne!(a, draw(7, 4, 1000));
    }
}
