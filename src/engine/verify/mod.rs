//! The 1:1 verification engine: per-group FMR, FNMR, TMR and accuracy at each
//! threshold policy, the cross-group FMR matrix, EER, AUC, d′, and the
//! disparity summaries of each view.
//!
//! Conventions (scores in similarity orientation; distances were negated on
//! input and thresholds are shown back in the input's units):
//! * a comparison is accepted when `score >= τ` (for distances: `d <= τ`);
//! * FNMR_g(τ) = #{mated in g, score < τ} / #{mated in g}, where a mated
//!   comparison belongs to its subject's group;
//! * FMR_g(τ) = #{non-mated, both sides in g, score ≥ τ} / #{non-mated, both sides in g};
//!   non-mated pairs across groups g ≠ h fill the cross-group matrix FMR_{g,h};
//! * TMR_g = 1 − FNMR_g; accuracy_g = (true accepts + true rejects) / (mated in g
//!   + same-group non-mated in g);
//! * a group's size is the smaller of its mated and same-group non-mated
//!   counts; groups smaller than `min_group_size` stay in the tables, flagged,
//!   and out of the summaries.

pub mod metrics;
pub mod scores;
pub mod stream;

use crate::counts::column::{prefix_sums, Column};
use crate::counts::threshold::{smallest_supported_rate, supported_targets, Policy};
use crate::error::Result;
use crate::groups::{
    choose_reference, views, AttributeCodes, Reference, ReferenceRule, View, MISSING,
};
use crate::input::Comparisons;
use crate::math::interval::CiSpec;
use crate::stats::disparity::{self, Entry, Summary};
use crate::stats::rate::{finite_or_null, Rate};
use crate::stats::significance::{self, RateTests};
use rayon::prelude::*;
use scores::{GroupScores, Prefixes};
use serde::{Deserialize, Serialize};

/// Which non-mated comparisons set a global threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impostors {
    /// Every non-mated comparison used.
    All,
    /// Only those whose two sides fall in the same group of every attribute.
    SameGroup,
}

/// Options of a verification audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyOptions {
    /// Threshold policies; empty means the supported defaults (see [`default_policies`]).
    pub policies: Vec<Policy>,
    pub impostors: Impostors,
    /// Weight α of FMR in FDR, IR, GARBE and WERM.
    pub alpha: f64,
    pub min_group_size: u64,
    /// Scores are distances (shown thresholds are in distance units).
    pub distance: bool,
    /// Interval method and level of every rate.
    pub ci: CiSpec,
    /// Reference group rules (see [`crate::groups::choose_reference`]).
    pub reference: Vec<ReferenceRule>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            policies: Vec::new(),
            impostors: Impostors::All,
            alpha: 0.5,
            min_group_size: 1,
            distance: false,
            ci: CiSpec::default(),
            reference: Vec::new(),
        }
    }
}

/// The default global-fmr targets: 1e-1 … 1e-6, each kept only when the
/// pooled non-mated count N supports it, i.e. α ≥ 1 − 0.05^(1/N) (≈ 3/N,
/// the smallest rate N error-free trials can bound at 95%). Returns the
/// policies and a note for each skipped target.
pub fn default_policies(pool: usize) -> (Vec<Policy>, Vec<String>) {
    supported_targets(
        pool,
        6,
        "global-fmr",
        "non-mated comparisons",
        |label, alpha| Policy::GlobalFmr { label, alpha },
    )
}

/// A 1:1 policy resolved on the pooled data.
pub type OperatingPoint = crate::counts::threshold::OperatingPoint<Policy>;

/// Counts of one group of a view.
#[derive(Debug, Clone, Serialize)]
pub struct GroupInfo {
    pub group: String,
    pub mated: u64,
    pub nonmated: u64,
    pub subjects: Option<u64>,
    /// min(mated, non-mated).
    pub size: u64,
    /// False when the group is below `min_group_size` (kept out of summaries).
    pub in_summaries: bool,
}

/// One group's rates at one operating point.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRates {
    pub group: String,
    /// The threshold applied, in input units.
    #[serde(serialize_with = "finite_or_null")]
    pub threshold: f64,
    pub fmr: Rate,
    pub fnmr: Rate,
    pub tmr: Rate,
    pub accuracy: Rate,
}

/// FMR of every pair of groups (symmetric; diagonal = same-group FMR).
#[derive(Debug, Clone, Serialize)]
pub struct CrossMatrix {
    pub groups: Vec<String>,
    pub fmr: Vec<Vec<Rate>>,
}

/// A view at one operating point.
#[derive(Debug, Clone, Serialize)]
pub struct ViewAtPolicy {
    pub policy: String,
    pub groups: Vec<GroupRates>,
    pub cross_fmr: Option<CrossMatrix>,
    pub summaries: Vec<Summary>,
    /// Tests of difference of FMR and FNMR.
    pub tests: Vec<RateTests>,
}

/// Threshold-free values of one group.
#[derive(Debug, Clone, Serialize)]
pub struct GroupFree {
    pub group: String,
    #[serde(serialize_with = "finite_or_null")]
    pub eer: f64,
    pub eer_threshold: Option<f64>,
    pub eer_fmr: Option<f64>,
    pub eer_fnmr: Option<f64>,
    #[serde(serialize_with = "finite_or_null")]
    pub auc: f64,
    #[serde(serialize_with = "finite_or_null")]
    pub dprime: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// DET curve: [threshold (input units), FMR, FNMR] at up to 201 thresholds
    /// spread over the quantiles of the group's non-mated and mated scores.
    pub det: Vec<[f64; 3]>,
    /// Score histogram (weighted counts), for the figures.
    pub histogram: Histogram,
}

/// Counts of mated and same-group non-mated scores in 40 equal-width bins
/// spanning the group's scores (input units, ascending edges; a score on an
/// inner edge goes to the bin of more alike scores).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub mated: Vec<f64>,
    pub nonmated: Vec<f64>,
}

/// The histogram of a group's two score sets (empty when both are).
fn histogram(m: Column, n: Column, distance: bool) -> Histogram {
    const BINS: usize = 40;
    let ends = |c: &Column| c.scores.first().zip(c.scores.last()).map(|(a, b)| (*a, *b));
    let (lo, hi) = match (ends(&m), ends(&n)) {
        (Some(a), Some(b)) => (a.0.min(b.0), a.1.max(b.1)),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return Histogram::default(),
    };
    let width = if hi > lo {
        (hi - lo) / BINS as f64
    } else {
        1.0
    };
    // Internal (similarity) edges ascending; bin b holds lo + b·w ≤ s < lo + (b+1)·w, the last is closed.
    let edges: Vec<f64> = (0..=BINS)
        .map(|b| if b == BINS { hi } else { lo + b as f64 * width })
        .collect();
    let counts = |c: &Column| -> Vec<f64> {
        (0..BINS)
            .map(|b| {
                if b + 1 == BINS {
                    c.total() - c.below(edges[b])
                } else {
                    c.below(edges[b + 1]) - c.below(edges[b])
                }
            })
            .collect()
    };
    let (mut mated, mut nonmated) = (counts(&m), counts(&n));
    let mut shown = edges.clone();
    if distance {
        // Distances were negated: flip back so the edges ascend in input units.
        shown = edges.iter().rev().map(|e| -e + 0.0).collect();
        mated.reverse();
        nonmated.reverse();
    }
    Histogram {
        edges: shown,
        mated,
        nonmated,
    }
}

/// Points of the DET curve of one group: thresholds at 100 quantiles of each
/// score set, with the weighted FMR and FNMR there.
fn det_points(m: Column, n: Column, shown: impl Fn(f64) -> f64) -> Vec<[f64; 3]> {
    let (mt, nt) = (m.total(), n.total());
    if mt <= 0.0 || nt <= 0.0 {
        return Vec::new();
    }
    let quantiles = |c: &Column| -> Vec<f64> {
        let len = c.scores.len();
        (0..=100).map(|q| c.scores[((len - 1) * q) / 100]).collect()
    };
    let mut t: Vec<f64> = quantiles(&m).into_iter().chain(quantiles(&n)).collect();
    t.sort_by(f64::total_cmp);
    t.dedup();
    t.iter()
        .map(|&x| [shown(x), n.at_or_above(x) / nt, m.below(x) / mt])
        .collect()
}

/// One view's results.
#[derive(Debug, Clone, Serialize)]
pub struct ViewResult {
    pub attribute: String,
    /// The reference group of the tests (`--reference`; default the largest; `best` = lowest EER).
    pub reference: Option<Reference>,
    pub groups: Vec<GroupInfo>,
    /// Rows this view could not place (missing value on a needed side).
    pub unplaced_rows: u64,
    /// Mated rows whose sides disagree on this view (counted for side a).
    pub mated_conflicts: u64,
    pub operating_points: Vec<ViewAtPolicy>,
    pub threshold_free: Vec<GroupFree>,
    pub threshold_free_summaries: Vec<Summary>,
}

/// The verification part of a report.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyResult {
    pub score_sense: &'static str,
    pub acceptance: &'static str,
    pub impostors: Impostors,
    pub alpha: f64,
    pub min_group_size: u64,
    pub conventions: Conventions,
    pub comparisons: u64,
    pub mated: u64,
    pub nonmated: u64,
    pub subjects: Option<u64>,
    pub operating_points: Vec<OperatingPoint>,
    pub views: Vec<ViewResult>,
    pub notes: Vec<String>,
}

/// Named conventions, so a reader never has to guess.
#[derive(Debug, Clone, Serialize)]
pub struct Conventions {
    pub threshold: &'static str,
    pub eer: &'static str,
    pub auc: &'static str,
    pub dprime: &'static str,
    pub interval: &'static str,
    pub geomean_zero_rule: &'static str,
}

const CONVENTIONS: Conventions = Conventions {
    threshold: "global-fmr/group-fmr: exact order statistic; with non-mated scores sorted descending and k = floor(alpha*N), the smallest observed score tau with #{s >= tau} <= k (or the next float above the top score); ties never split, achieved FMR <= alpha",
    eer: "bob.measure: threshold among observed scores minimising |FMR - FNMR| (lowest on ties); EER = (FMR + FNMR)/2 there",
    auc: "Mann-Whitney: P(mated more alike than non-mated) + 0.5 P(tie)",
    dprime: "(mean_mated - mean_nonmated)/sqrt((var_mated + var_nonmated)/2), population variances, similarity orientation",
    interval: "Wilson 95% two-sided; with 0 (or all) events the exact one-sided 95% Clopper-Pearson bound 1 - 0.05^(1/n)",
    geomean_zero_rule: "NIST IR 8429: in the geometric mean only, a group with 0 errors in n trials takes 1 - 0.05^(1/n)",
};

/// Everything the audit sorts once: the global pool, the views and their
/// group scores. A bootstrap replicate re-weights it without re-sorting.
pub struct Prepared<'a> {
    views: Vec<View<'a>>,
    scores: Vec<GroupScores>,
    /// Pooled non-mated scores (ascending) and their rows.
    pool: Vec<f64>,
    pool_rows: Vec<u32>,
    policies: Vec<Policy>,
    /// Notes on skipped default targets.
    notes: Vec<String>,
}

/// Sorts what the audit needs; `keep_rows` keeps rows for re-weighting
/// (always kept when rows carry counts).
pub fn prepare<'a>(c: &'a Comparisons, opts: &VerifyOptions, keep_rows: bool) -> Prepared<'a> {
    let keep_rows = keep_rows || !c.count.is_empty();
    let (pool, pool_rows) = global_pool(c, opts.impostors, keep_rows);
    let mut notes = Vec::new();
    let policies = if opts.policies.is_empty() {
        let (p, n) = default_policies(pool_size(c, &pool, &pool_rows));
        notes.extend(n);
        p
    } else {
        opts.policies.clone()
    };
    let codes: Vec<AttributeCodes> = c
        .attributes
        .iter()
        .map(|a| AttributeCodes {
            name: &a.name,
            values: &a.values,
            side_a: &a.side_a,
            side_b: &a.side_b,
        })
        .collect();
    let views = views(c.score.len(), &codes);
    let scores = views
        .par_iter()
        .map(|v| GroupScores::build(c, v, keep_rows))
        .collect();
    Prepared {
        views,
        scores,
        pool,
        pool_rows,
        policies,
        notes,
    }
}

/// Comparisons in the global pool (rows, or the sum of their counts).
fn pool_size(c: &Comparisons, pool: &[f64], rows: &[u32]) -> usize {
    if c.count.is_empty() {
        pool.len()
    } else {
        rows.iter().map(|&r| c.count[r as usize] as usize).sum()
    }
}

/// Runs the audit.
pub fn audit(c: &Comparisons, opts: &VerifyOptions) -> Result<VerifyResult> {
    evaluate(c, &prepare(c, opts, false), opts, None)
}

/// Row weights of a bootstrap replicate (whole multiplicities).
pub type RowWeights<'w> = &'w (dyn Fn(usize) -> f64 + Sync);

/// The audit of prepared data, with every row weighing 1 or `weights(row)`.
pub fn evaluate(
    c: &Comparisons,
    p: &Prepared,
    opts: &VerifyOptions,
    weights: Option<RowWeights>,
) -> Result<VerifyResult> {
    let shown = |t: f64| if opts.distance { -t + 0.0 } else { t };
    let internal = |t: f64| if opts.distance { -t + 0.0 } else { t };
    // Rows with counts weigh their count (the bootstrap never meets counts).
    let by_count = |r: usize| c.count[r] as f64;
    let counted = !c.count.is_empty();
    let weights: Option<RowWeights> = if counted { Some(&by_count) } else { weights };
    let pool_n = pool_size(c, &p.pool, &p.pool_rows);
    let pool_prefix = weights.map(|w| prefix_sums(&p.pool_rows, w));
    let pool = match &pool_prefix {
        None => Column::unit(&p.pool),
        Some(x) => Column::weighted(&p.pool, x),
    };
    let mut notes = p.notes.clone();
    let points: Vec<OperatingPoint> = p
        .policies
        .iter()
        .map(|policy| {
            let (tau, supported) = match *policy {
                Policy::Fixed { threshold, .. } => (Some(internal(threshold)), None),
                Policy::GlobalFmr { alpha, .. } => {
                    let ok = alpha >= smallest_supported_rate(pool_n);
                    if !ok {
                        notes.push(format!(
                            "{}: target below what {} non-mated comparisons support ({:.3e}); the result rests on fewer than 3 expected errors",
                            policy.label(),
                            pool_n,
                            smallest_supported_rate(pool_n)
                        ));
                    }
                    (pool.fmr_threshold(alpha), Some(ok))
                }
                // Support is per group for group-fmr: see the notes after the views.
                Policy::GroupFmr { .. } => (None, None),
            };
            OperatingPoint {
                policy: policy.label().to_string(),
                spec: policy.clone(),
                threshold: tau.map(shown),
                pool: pool_n as u64,
                achieved: tau.map(|t| Rate::weighted(pool.at_or_above(t), pool.total(), pool.total(), opts.ci)),
                supported,
            }
        })
        .collect();
    if p.pool.is_empty() {
        notes.push(
            "no non-mated comparisons in the global pool: data-driven thresholds are undefined"
                .into(),
        );
    }
    let results: Vec<ViewResult> = p
        .views
        .par_iter()
        .zip(&p.scores)
        .map(|(v, s)| {
            let prefixes = weights.map(|w| s.prefixes(w));
            view_result(
                v,
                s,
                &prefixes,
                counted,
                &p.policies,
                &points,
                opts,
                internal,
                shown,
            )
        })
        .collect::<Result<_>>()?;
    for r in results.iter().filter(|r| r.attribute != "*") {
        for policy in &p.policies {
            if let Policy::GroupFmr { alpha, .. } = *policy {
                let weak: Vec<String> = r
                    .groups
                    .iter()
                    .filter(|g| alpha < smallest_supported_rate(g.nonmated as usize))
                    .map(|g| format!("{} ({})", g.group, g.nonmated))
                    .collect();
                if !weak.is_empty() {
                    notes.push(format!(
                        "{} by {}: too few same-group non-mated comparisons to support the target in {}",
                        policy.label(),
                        r.attribute,
                        weak.join(", ")
                    ));
                }
            }
        }
    }
    for r in &results {
        if r.mated_conflicts > 0 {
            notes.push(format!(
                "{}: {} mated comparisons have different values on the two sides (counted for side a)",
                r.attribute, r.mated_conflicts
            ));
        }
        if r.unplaced_rows > 0 {
            notes.push(format!(
                "{}: {} comparisons left out of this attribute's groups (a needed side has no value)",
                r.attribute, r.unplaced_rows
            ));
        }
    }
    let row_count = |i: usize| if counted { c.count[i] } else { 1 };
    let total: u64 = (0..c.score.len()).map(row_count).sum();
    let mated: u64 = (0..c.score.len())
        .filter(|&i| c.mated[i])
        .map(row_count)
        .sum();
    Ok(VerifyResult {
        score_sense: if opts.distance {
            "distance"
        } else {
            "similarity"
        },
        acceptance: if opts.distance {
            "score <= threshold"
        } else {
            "score >= threshold"
        },
        impostors: opts.impostors,
        alpha: opts.alpha,
        min_group_size: opts.min_group_size,
        conventions: CONVENTIONS,
        comparisons: total,
        mated,
        nonmated: total - mated,
        subjects: (!c.subject_a.is_empty()).then_some(c.n_subjects as u64),
        operating_points: points,
        views: results,
        notes,
    })
}

/// The sorted non-mated scores that set global thresholds, with their rows.
/// (Rows only when `keep_rows`.)
fn global_pool(c: &Comparisons, impostors: Impostors, keep_rows: bool) -> (Vec<f64>, Vec<u32>) {
    let same = |i: usize| {
        c.attributes
            .iter()
            .all(|a| a.side_a[i] != MISSING && a.side_a[i] == a.side_b[i])
    };
    let rows =
        (0..c.score.len()).filter(|&i| !c.mated[i] && (impostors == Impostors::All || same(i)));
    if !keep_rows {
        let mut pool: Vec<f64> = rows.map(|i| c.score[i]).collect();
        pool.par_sort_unstable_by(f64::total_cmp);
        return (pool, Vec::new());
    }
    let mut pool: Vec<(f64, u32)> = rows.map(|i| (c.score[i], i as u32)).collect();
    pool.par_sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    pool.into_iter().unzip()
}

/// FMR, FNMR, TMR and accuracy of group g at τ (weighted counts).
fn rates_at(m: Column, n: Column, tau: Option<f64>, ci: CiSpec) -> (Rate, Rate, Rate, Rate) {
    let (mt, nt) = (m.total(), n.total());
    let Some(tau) = tau else {
        let why = "no threshold: no non-mated comparisons to set it";
        let (mc, nc) = (mt.round() as u64, nt.round() as u64);
        return (
            Rate::undefined(nc, why),
            Rate::undefined(mc, why),
            Rate::undefined(mc, why),
            Rate::undefined(mc + nc, why),
        );
    };
    let rate = |k: f64, n: f64| Rate::weighted(k, n, n, ci);
    let true_accepts = m.at_or_above(tau);
    let false_accepts = n.at_or_above(tau);
    (
        rate(false_accepts, nt).error_rate(),
        rate(mt - true_accepts, mt).error_rate(),
        rate(true_accepts, mt),
        rate(true_accepts + nt - false_accepts, mt + nt),
    )
}

#[allow(clippy::too_many_arguments)]
fn view_result(
    v: &View,
    s: &GroupScores,
    w: &Prefixes,
    counted: bool,
    policies: &[Policy],
    points: &[OperatingPoint],
    opts: &VerifyOptions,
    internal: impl Fn(f64) -> f64,
    shown: impl Fn(f64) -> f64,
) -> Result<ViewResult> {
    let pooled = v.attribute == "*";
    let ng = v.groups.len();
    let groups: Vec<GroupInfo> = v
        .groups
        .iter()
        .enumerate()
        .map(|(g, name)| {
            let (m, n) = if counted {
                let total = |c: Column| c.total() as u64;
                (total(s.mated_column(g, w)), total(s.pair_column(g, g, w)))
            } else {
                (s.mated(g).len() as u64, s.same_group(g).len() as u64)
            };
            GroupInfo {
                group: name.clone(),
                mated: m,
                nonmated: n,
                subjects: s.subjects.as_ref().map(|x| x[g]),
                size: m.min(n),
                in_summaries: !pooled && m.min(n) >= opts.min_group_size,
            }
        })
        .collect();
    let included: Vec<usize> = (0..ng).filter(|&g| groups[g].in_summaries).collect();
    let has_cross = (0..ng).any(|a| (a + 1..ng).any(|b| !s.pair(a, b).is_empty()));

    let mut operating_points: Vec<ViewAtPolicy> = policies
        .iter()
        .zip(points)
        .map(|(p, point)| {
            let global = point.threshold.map(&internal);
            let rows: Vec<GroupRates> = (0..ng)
                .map(|g| {
                    let (m, n) = (s.mated_column(g, w), s.pair_column(g, g, w));
                    let tau = match *p {
                        Policy::GroupFmr { alpha, .. } => n.fmr_threshold(alpha),
                        _ => global,
                    };
                    let (fmr, fnmr, tmr, accuracy) = rates_at(m, n, tau, opts.ci);
                    GroupRates {
                        group: v.groups[g].clone(),
                        threshold: tau.map_or(f64::NAN, &shown),
                        fmr,
                        fnmr,
                        tmr,
                        accuracy,
                    }
                })
                .collect();
            let cross_fmr = match global {
                Some(tau) if !pooled && has_cross => Some(CrossMatrix {
                    groups: v.groups.clone(),
                    fmr: (0..ng)
                        .map(|g| {
                            (0..ng)
                                .map(|h| {
                                    let n = s.pair_column(g, h, w);
                                    Rate::weighted(
                                        n.at_or_above(tau),
                                        n.total(),
                                        n.total(),
                                        opts.ci,
                                    )
                                    .error_rate()
                                })
                                .collect()
                        })
                        .collect(),
                }),
                _ => None,
            };
            let summaries = if pooled {
                Vec::new()
            } else {
                summarize_rates(&rows, &included, opts.alpha)
            };
            ViewAtPolicy {
                policy: point.policy.clone(),
                groups: rows,
                cross_fmr,
                summaries,
                tests: Vec::new(),
            }
        })
        .collect();

    let threshold_free: Vec<GroupFree> = (0..ng)
        .map(|g| {
            let (m, n) = (s.mated_column(g, w), s.pair_column(g, g, w));
            let e = metrics::eer(m, n);
            let d = metrics::dprime(m, n);
            let nan = f64::NAN;
            GroupFree {
                group: v.groups[g].clone(),
                eer: e.map_or(nan, |e| e.eer),
                eer_threshold: e.map(|e| shown(e.threshold)),
                eer_fmr: e.map(|e| e.fmr),
                eer_fnmr: e.map(|e| e.fnmr),
                auc: metrics::auc(m, n).unwrap_or(nan),
                dprime: d.unwrap_or(nan),
                det: det_points(m, n, &shown),
                histogram: histogram(m, n, opts.distance),
                reason: match (m.total() > 0.0, n.total() > 0.0) {
                    (false, _) => Some("no mated comparisons".into()),
                    (_, false) => Some("no same-group non-mated comparisons".into()),
                    _ if d.is_none() => Some("d' undefined: both score variances are 0".into()),
                    _ => None,
                },
            }
        })
        .collect();
    let threshold_free_summaries = if pooled {
        Vec::new()
    } else {
        let eer: Vec<Entry> = included
            .iter()
            .map(|&g| Entry {
                group: &threshold_free[g].group,
                value: threshold_free[g].eer,
                counts: None,
            })
            .collect();
        let mut out = disparity::summarize("eer", &eer);
        out.push(disparity::ser(&eer));
        out
    };
    let candidates: Vec<(&str, f64, f64)> = included
        .iter()
        .map(|&g| {
            (
                v.groups[g].as_str(),
                (groups[g].mated + groups[g].nonmated) as f64,
                threshold_free[g].eer,
            )
        })
        .collect();
    let reference = if pooled {
        None
    } else {
        choose_reference(&v.attribute, &v.groups, &candidates, &opts.reference)?
    };
    let ref_name = reference.as_ref().map(|r| r.group.as_str());
    for at in operating_points.iter_mut().filter(|_| !pooled) {
        let pick = |f: fn(&GroupRates) -> &Rate| -> Vec<(&str, &Rate)> {
            included
                .iter()
                .map(|&g| (at.groups[g].group.as_str(), f(&at.groups[g])))
                .collect()
        };
        at.tests = vec![
            significance::rate_tests("fmr", &pick(|r| &r.fmr), ref_name),
            significance::rate_tests("fnmr", &pick(|r| &r.fnmr), ref_name),
        ];
    }
    Ok(ViewResult {
        attribute: v.attribute.clone(),
        groups,
        reference,
        unplaced_rows: s.unplaced,
        mated_conflicts: s.mated_conflicts,
        operating_points,
        threshold_free,
        threshold_free_summaries,
    })
}

/// The summaries of one view at one operating point, over the included groups.
fn summarize_rates(rows: &[GroupRates], included: &[usize], alpha: f64) -> Vec<Summary> {
    let counted = |g: usize, r: &Rate| Entry {
        group: &rows[g].group,
        value: r.value,
        counts: Some((r.events, r.trials)),
    };
    let fmr: Vec<Entry> = included.iter().map(|&g| counted(g, &rows[g].fmr)).collect();
    let fnmr: Vec<Entry> = included
        .iter()
        .map(|&g| counted(g, &rows[g].fnmr))
        .collect();
    let accuracy: Vec<Entry> = included
        .iter()
        .map(|&g| Entry {
            group: &rows[g].group,
            value: rows[g].accuracy.value,
            counts: None,
        })
        .collect();
    let error: Vec<Entry> = included
        .iter()
        .map(|&g| {
            let a = &rows[g].accuracy;
            Entry {
                group: &rows[g].group,
                value: 1.0 - a.value,
                counts: Some((a.trials - a.events, a.trials)),
            }
        })
        .collect();
    let mut out = disparity::summarize("fmr", &fmr);
    out.extend(disparity::summarize("fnmr", &fnmr));
    out.extend(disparity::summarize("accuracy", &accuracy));
    out.extend(disparity::combined(alpha, &fmr, &fnmr));
    out.push(disparity::ser(&error));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_every_score_once() {
        // Scores 0 … 4: width 0.1; 4 lands in the last (closed) bin, 0 in the first.
        let (m, n) = ([1.0, 2.0, 3.0], [0.0, 0.5, 4.0]);
        let h = histogram(Column::unit(&m), Column::unit(&n), false);
        assert_eq!(h.edges.len(), 41);
        assert_eq!((h.edges[0], h.edges[40]), (0.0, 4.0));
        assert_eq!(h.mated.iter().sum::<f64>(), 3.0);
        assert_eq!(h.nonmated.iter().sum::<f64>(), 3.0);
        assert_eq!(
            (h.nonmated[0], h.nonmated[5], h.nonmated[39]),
            (1.0, 1.0, 1.0)
        );
        assert_eq!((h.mated[10], h.mated[20], h.mated[30]), (1.0, 1.0, 1.0));
        // As distances (negated inside), edges ascend in input units again.
        let (dm, dn) = ([-3.0, -2.0, -1.0], [-4.0, -0.5, 0.0]);
        let d = histogram(Column::unit(&dm), Column::unit(&dn), true);
        assert_eq!((d.edges[0], d.edges[40]), (0.0, 4.0));
        // (Bins are closed on the side of more alike scores: 0.5 falls in [0.4, 0.5].)
        assert_eq!(
            (d.nonmated[0], d.nonmated[4], d.nonmated[39]),
            (1.0, 1.0, 1.0)
        );
        assert_eq!(d.mated.iter().sum::<f64>(), 3.0);
    }
}
