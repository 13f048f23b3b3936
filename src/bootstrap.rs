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

use crate::engine::classify::{self, ClassifyOptions};
use crate::engine::verify::{self, VerifyOptions};
use crate::error::{Error, Result};
use crate::input::{Accounting, Comparisons, Labelled};
use crate::math::interval::{CiSpec, Method};
use crate::render::tidy::{rows, TidyRow};
use crate::report::{Provenance, Report};
use crate::stats::rate::finite_or_null;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// What the user asked for.
#[derive(Debug, Clone, Serialize)]
pub struct BootstrapSpec {
    pub replicates: usize,
    pub seed: u64,
    /// Level of the percentile intervals.
    pub level: f64,
    /// Resample rows even when subject ids are known.
    pub rows: bool,
    /// Two groups (of one attribute) whose difference is tested.
    pub compare: Option<(String, String)>,
}

/// One value's percentile interval.
#[derive(Debug, Clone, Serialize)]
pub struct BootInterval {
    pub attribute: String,
    pub group: String,
    pub policy: String,
    pub metric: String,
    #[serde(serialize_with = "finite_or_null")]
    pub low: f64,
    #[serde(serialize_with = "finite_or_null")]
    pub high: f64,
    /// Replicates in which the value was undefined or infinite.
    pub undefined: usize,
}

/// The bootstrap test of a difference between two groups.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub attribute: String,
    pub groups: [String; 2],
    pub policy: String,
    pub metric: String,
    /// Observed value of the first group minus the second.
    #[serde(serialize_with = "finite_or_null")]
    pub difference: f64,
    #[serde(serialize_with = "finite_or_null")]
    pub low: f64,
    #[serde(serialize_with = "finite_or_null")]
    pub high: f64,
    /// Two-sided: 2·min(share of replicate differences ≤ 0, share ≥ 0), at most 1.
    #[serde(serialize_with = "finite_or_null")]
    pub p: f64,
}

/// The bootstrap section of a report.
#[derive(Debug, Clone, Serialize)]
pub struct BootstrapResult {
    /// `subject` or `row`.
    pub unit: &'static str,
    pub units: usize,
    pub replicates: usize,
    pub seed: u64,
    pub level: f64,
    pub method: &'static str,
    pub intervals: Vec<BootInterval>,
    pub comparisons: Vec<Comparison>,
}

type Key = (String, String, String, String);

fn key(r: &TidyRow) -> Key {
    (
        r.attribute.clone(),
        r.group.clone(),
        r.policy.clone(),
        r.metric.clone(),
    )
}

/// Values that are statistics (not counts, accounting or p-values).
fn is_statistic(r: &TidyRow) -> bool {
    const COUNTS: [&str; 6] = [
        "rows",
        "items",
        "weight",
        "comparisons_mated",
        "comparisons_nonmated",
        "subjects",
    ];
    r.attribute != "provenance"
        && !COUNTS.contains(&r.metric.as_str())
        && !r.metric.starts_with("confusion:")
        && !r.metric.contains(".p_")
        && !r.metric.ends_with("four_fifths_violation")
}

/// Counts of each unit in replicate r: `units` draws with replacement.
fn draw(seed: u64, r: usize, units: usize) -> Vec<u32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(r as u64);
    let mut counts = vec![0u32; units];
    for _ in 0..units {
        counts[rng.random_range(0..units)] += 1;
    }
    counts
}

fn replicate_report(
    verify: Option<verify::VerifyResult>,
    classify: Option<classify::ClassifyResult>,
) -> Report {
    let provenance = Provenance::new(Vec::new(), serde_json::Value::Null, Vec::new(), None, true);
    let mut r = Report::new(provenance, Accounting::default());
    r.verify = verify;
    r.classify = classify;
    r
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

/// Runs the replicates and summarises them against the original report.
fn summarise(
    original: &Report,
    spec: &BootstrapSpec,
    unit: &'static str,
    units: usize,
    replicate: impl Fn(&[u32]) -> Result<Report> + Sync,
) -> Result<BootstrapResult> {
    if spec.replicates < 2 {
        return Err(Error::option("--bootstrap", "needs at least 2 replicates"));
    }
    if units == 0 {
        let inputs: Vec<&str> = original
            .provenance
            .inputs
            .iter()
            .map(|f| f.path.as_str())
            .collect();
        return Err(Error::data(inputs.join(", "), "no rows to resample"));
    }
    let base: Vec<TidyRow> = rows(original).into_iter().filter(is_statistic).collect();
    let index: HashMap<Key, usize> = base.iter().enumerate().map(|(i, r)| (key(r), i)).collect();
    let values: Vec<Vec<f64>> = (0..spec.replicates)
        .into_par_iter()
        .map(|r| -> Result<Vec<f64>> {
            let report = replicate(&draw(spec.seed, r, units))?;
            let found: Vec<TidyRow> = rows(&report).into_iter().filter(is_statistic).collect();
            // Same layout as the original (the usual case): match by position;
            // otherwise (a cross-group cell emptied by the resampling) by key.
            if found.len() == base.len()
                && found
                    .iter()
                    .zip(&base)
                    .all(|(a, b)| a.metric == b.metric && a.group == b.group)
            {
                return Ok(found.iter().map(|row| row.value).collect());
            }
            let mut v = vec![f64::NAN; base.len()];
            for row in found {
                if let Some(&i) = index.get(&key(&row)) {
                    v[i] = row.value;
                }
            }
            Ok(v)
        })
        .collect::<Result<_>>()?;
    let alpha = 1.0 - spec.level;
    let column = |i: usize| -> (Vec<f64>, usize) {
        let mut x: Vec<f64> = values
            .iter()
            .map(|v| v[i])
            .filter(|x| x.is_finite())
            .collect();
        x.sort_by(f64::total_cmp);
        let undefined = values.len() - x.len();
        (x, undefined)
    };
    let intervals = (0..base.len())
        .map(|i| {
            let (x, undefined) = column(i);
            let r = &base[i];
            BootInterval {
                attribute: r.attribute.clone(),
                group: r.group.clone(),
                policy: r.policy.clone(),
                metric: r.metric.clone(),
                low: percentile(&x, alpha / 2.0),
                high: percentile(&x, 1.0 - alpha / 2.0),
                undefined,
            }
        })
        .collect();
    let mut comparisons = Vec::new();
    if let Some((a, b)) = &spec.compare {
        for (i, r) in base.iter().enumerate().filter(|(_, r)| &r.group == a) {
            let other = (
                r.attribute.clone(),
                b.clone(),
                r.policy.clone(),
                r.metric.clone(),
            );
            let Some(&j) = index.get(&other) else {
                continue;
            };
            let mut d: Vec<f64> = values
                .iter()
                .map(|v| v[i] - v[j])
                .filter(|x| x.is_finite())
                .collect();
            d.sort_by(f64::total_cmp);
            let n = d.len().max(1) as f64;
            let below = d.iter().filter(|&&x| x <= 0.0).count() as f64 / n;
            let above = d.iter().filter(|&&x| x >= 0.0).count() as f64 / n;
            comparisons.push(Comparison {
                attribute: r.attribute.clone(),
                groups: [a.clone(), b.clone()],
                policy: r.policy.clone(),
                metric: r.metric.clone(),
                difference: r.value - base[j].value,
                low: percentile(&d, alpha / 2.0),
                high: percentile(&d, 1.0 - alpha / 2.0),
                p: if d.is_empty() {
                    f64::NAN
                } else {
                    (2.0 * below.min(above)).min(1.0)
                },
            });
        }
        if comparisons.is_empty() {
            return Err(Error::option(
                "--compare",
                format!("{a},{b}: no attribute has both groups"),
            ));
        }
    }
    Ok(BootstrapResult {
        unit,
        units,
        replicates: spec.replicates,
        seed: spec.seed,
        level: spec.level,
        method: "percentile",
        intervals,
        comparisons,
    })
}

/// Bootstraps a verification audit (subjects when known, else rows).
pub fn verify(
    c: &Comparisons,
    opts: &VerifyOptions,
    spec: &BootstrapSpec,
    original: &Report,
) -> Result<BootstrapResult> {
    let fast = VerifyOptions {
        ci: CiSpec {
            method: Method::None,
            level: opts.ci.level,
        },
        ..opts.clone()
    };
    let prepared = verify::prepare(c, &fast, true);
    let by_subject = !c.subject_a.is_empty() && !spec.rows;
    let (unit, units) = if by_subject {
        ("subject", c.n_subjects)
    } else {
        ("row", c.score.len())
    };
    summarise(original, spec, unit, units, |counts| {
        let weight = |r: usize| -> f64 {
            if !by_subject {
                counts[r] as f64
            } else if c.mated[r] {
                counts[c.subject_a[r] as usize] as f64
            } else {
                counts[c.subject_a[r] as usize] as f64 * counts[c.subject_b[r] as usize] as f64
            }
        };
        Ok(replicate_report(
            Some(verify::evaluate(c, &prepared, &fast, Some(&weight))?),
            None,
        ))
    })
}

/// Bootstraps a classification audit (subjects when a subject column is given, else rows).
pub fn classify(
    l: &Labelled,
    o: &ClassifyOptions,
    spec: &BootstrapSpec,
    original: &Report,
) -> Result<BootstrapResult> {
    let fast = ClassifyOptions {
        ci: CiSpec {
            method: Method::None,
            level: o.ci.level,
        },
        ..o.clone()
    };
    let prepared = classify::prepare(l, &fast)?;
    let by_subject = !l.subject.is_empty() && !spec.rows;
    let (unit, units) = if by_subject {
        ("subject", l.n_subjects)
    } else {
        ("row", l.y_true.len())
    };
    summarise(original, spec, unit, units, |counts| {
        let weights: Vec<f64> = (0..l.y_true.len())
            .map(|r| {
                let c = counts[if by_subject { l.subject[r] as usize } else { r }] as f64;
                if l.weight.is_empty() {
                    c
                } else {
                    c * l.weight[r]
                }
            })
            .collect();
        Ok(replicate_report(
            None,
            Some(classify::evaluate(l, &prepared, &fast, &weights)?),
        ))
    })
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
    fn draws_are_multinomial_and_reproducible() {
        let a = draw(7, 3, 1000);
        assert_eq!(a.iter().sum::<u32>(), 1000);
        assert_eq!(a, draw(7, 3, 1000));
        assert_ne!(a, draw(7, 4, 1000));
    }
}
