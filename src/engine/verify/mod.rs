//! The 1:1 verification engine: per-group FMR, FNMR, TMR and accuracy at each
//! threshold policy, the cross-group FMR of observed pairs of groups, EER, AUC, d′, and the
//! disparity summaries of each view.
//!
//! Conventions (scores in similarity orientation; distances were negated on
//! input and thresholds are shown back in the input's units):
//! * a comparison is accepted when `score >= τ` (for distances: `d <= τ`);
//! * FNMR_g(τ) = #{mated in g, score < τ} / #{mated in g}, where a mated
//!   comparison belongs to its subject's group;
//! * FMR_g(τ) = #{non-mated, both sides in g, score ≥ τ} / #{non-mated, both sides in g};
//!   non-mated pairs across groups g ≠ h give the cross-group FMR_{g,h};
//! * TMR_g = 1 − FNMR_g; accuracy_g = (true accepts + true rejects) / (mated in g
//!   + same-group non-mated in g);
//! * a group's size is the smaller of its mated and same-group non-mated
//!   counts; groups smaller than `min_group_size` stay in the tables, flagged,
//!   and out of the summaries.
//!
//! The cross-group FMR is sparse: only pairs of groups with non-mated
//! comparisons have a [`CrossCell`], so per-side groups cost memory and
//! report size in proportion to the rows, never to groups². In the JSON
//! report an operating point's `cross_fmr` is a list of `{a, b, fmr}` cells
//! (each unordered pair once, `a` not after `b` in the view's group order,
//! row by row; `a = b` is the same-group FMR); until this change it was
//! `{groups, fmr: [[Rate…]…]}`, a dense symmetric matrix.

pub(crate) mod metrics;
pub(crate) mod scores;
pub mod stream;

use crate::counts::cluster::Clusters;
use crate::counts::column::{prefix_sums, Column};
use crate::counts::curves::quantile_thresholds;
use crate::counts::order::{ScoreOrder, Units};
use crate::counts::table::{
    self, finish_view, interval_convention, interval_label, GroupInfo, RateColumn, Treat, ViewAt,
};
use crate::counts::threshold::{smallest_supported_rate, supported_targets, Policy};
use crate::engine::{Resample, Unit};
use crate::error::Result;
use crate::groups::{codes_of, views, ReferenceRule, View, MISSING};
use crate::input::sense::ScoreSense;
use crate::input::Comparisons;
use crate::math::interval::{CiSpec, Method};
use crate::stats::disparity::{self, Entry, Summary};
use crate::stats::rate::{finite_or_null, null_as_nan, Rate};
use crate::value::{Flatten, Kind, Value, Values};
use rayon::prelude::*;
use scores::{GroupScores, Prefixes};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

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
    /// Threshold policies; empty means the global-fmr targets 1e-1 … 1e-6 the
    /// pooled non-mated count supports (α ≥ 1 − 0.05^(1/N)).
    pub policies: Vec<Policy>,
    /// Which non-mated comparisons set global thresholds.
    pub impostors: Impostors,
    /// Weight α of FMR in FDR, IR, GARBE and WERM.
    pub alpha: f64,
    /// Groups smaller than this (min of mated and same-group non-mated) stay out of the summaries.
    pub min_group_size: u64,
    /// Scores are distances (shown thresholds are in distance units).
    pub distance: bool,
    /// Interval method and level of every rate.
    pub ci: CiSpec,
    /// Reference group rules: `largest` (default), `best` or `ATTRIBUTE=VALUE`.
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
pub(crate) fn default_policies(pool: usize) -> (Vec<Policy>, Vec<String>) {
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

/// Counts of one group of a 1:1 view.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerifyCounts {
    /// Mated comparisons of the group.
    pub mated: u64,
    /// Same-group non-mated comparisons of the group.
    pub nonmated: u64,
    /// Distinct subjects of the group, when subject ids were given.
    pub subjects: Option<u64>,
    /// min(mated, non-mated).
    pub size: u64,
}

/// FMR of one pair of groups {a, b} at a global threshold (a = b: the
/// same-group FMR). Only pairs with non-mated comparisons have a cell.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrossCell {
    /// The pair's first group (not after `b` in the view's group order).
    pub a: String,
    /// The pair's second group.
    pub b: String,
    /// FMR of the non-mated comparisons with one side in `a`, the other in `b`.
    pub fmr: Rate,
}

/// What a 1:1 view has at an operating point besides its rate columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerifyAt {
    /// FMR of every pair of groups with non-mated comparisons, row by row in
    /// the view's group order (a sparse upper triangle, diagonal included), at
    /// a global threshold in a non-pooled view with cross-group pairs.
    pub cross_fmr: Option<Vec<CrossCell>>,
}

/// What a 1:1 view computes without a threshold, and what it could not place.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerifyFree {
    /// Rows this view could not place (missing value on a needed side).
    pub unplaced_rows: u64,
    /// Mated rows whose sides disagree on this view (counted for side a).
    pub mated_conflicts: u64,
    /// EER, AUC and d′ of every group.
    pub threshold_free: Vec<GroupFree>,
    /// Disparity summaries of the threshold-free values across groups.
    pub threshold_free_summaries: Vec<Summary>,
}

/// One 1:1 view: per group FMR, FNMR, TMR and accuracy at every policy.
pub type ViewResult = table::ViewResult<VerifyCounts, VerifyAt, VerifyFree>;

/// The 1:1 rate columns, in report order.
pub const RATES: [&str; 4] = ["fmr", "fnmr", "tmr", "accuracy"];

/// How the per-view summaries treat each 1:1 rate.
fn treat(metric: &str) -> Treat {
    match metric {
        "fmr" | "fnmr" => Treat::Error,
        "accuracy" => Treat::Summarized,
        _ => Treat::Shown,
    }
}

/// Threshold-free values of one group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupFree {
    /// Group name.
    pub group: String,
    /// Equal error rate, (FMR + FNMR)/2 at the EER threshold (NaN when undefined).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub eer: f64,
    /// Threshold (input units) at which the EER is read.
    pub eer_threshold: Option<f64>,
    /// FMR at the EER threshold.
    pub eer_fmr: Option<f64>,
    /// FNMR at the EER threshold.
    pub eer_fnmr: Option<f64>,
    /// Area under the ROC: P(mated more alike than non-mated) + ½P(tie) (NaN when undefined).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub auc: f64,
    /// Decidability d′ = (μ_mated − μ_nonmated) / √((σ²_mated + σ²_nonmated)/2), similarity orientation (NaN when undefined).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub dprime: f64,
    /// Why the values are undefined, if they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Histogram {
    /// The 41 bin edges, ascending, in input units.
    pub edges: Vec<f64>,
    /// Weighted mated count of each bin.
    pub mated: Vec<f64>,
    /// Weighted same-group non-mated count of each bin.
    pub nonmated: Vec<f64>,
}

/// The histogram of a group's two score sets (empty when both are).
fn histogram(m: Column, n: Column, sense: ScoreSense) -> Histogram {
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
        .map(|b| {
            if b == BINS && hi > lo {
                hi
            } else {
                lo + b as f64 * width
            }
        })
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
    if sense == ScoreSense::Distance {
        // Distances were negated: flip back so the edges ascend in input units.
        shown = edges.iter().rev().map(|&e| sense.shown(e)).collect();
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
    quantile_thresholds(m.scores, n.scores)
        .iter()
        .map(|&x| [shown(x), n.at_or_above(x) / nt, m.below(x) / mt])
        .collect()
}

/// The verification part of a report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerifyResult {
    /// Whether scores are similarities or distances.
    pub score_sense: ScoreSense,
    /// The acceptance rule, e.g. `score >= threshold`.
    pub acceptance: String,
    /// Which non-mated comparisons set global thresholds.
    pub impostors: Impostors,
    /// Weight α of FMR in FDR, IR, GARBE and WERM.
    pub alpha: f64,
    /// Minimum group size for the summaries.
    pub min_group_size: u64,
    /// The conventions of thresholds and threshold-free values.
    pub conventions: Conventions,
    /// Comparisons audited (rows kept).
    pub comparisons: u64,
    /// Mated comparisons audited.
    pub mated: u64,
    /// Non-mated comparisons audited.
    pub nonmated: u64,
    /// Distinct subjects, when subject ids were given.
    pub subjects: Option<u64>,
    /// The policies resolved on the pooled data, in option order.
    pub operating_points: Vec<OperatingPoint>,
    /// One result per view (pooled, each attribute, intersections).
    pub views: Vec<ViewResult>,
    /// Notes for the reader (skipped policies, unplaced rows, …).
    pub notes: Vec<String>,
    /// Said once at the top of every report when the intervals assume
    /// independent comparisons (no subject ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_caution: Option<String>,
}

/// How rate intervals are computed, with subjects and without.
const INTERVAL_HOW: [&str; 2] = [
    "two-sided at n_eff = n / design effect, the design effect from the between-subject variance of the per-subject event counts (a non-mated comparison in the clusters of both its subjects; at least 1); with 0 (or all) events the exact one-sided bound 1 - alpha^(1/n_eff) at the worst-case design effect",
    "two-sided; with 0 (or all) events the exact one-sided bound 1 - alpha^(1/n)",
];

/// The caution of a report whose intervals assume independent comparisons.
pub const INDEPENDENT_CAUTION: &str = "no subject ids: the intervals assume independent comparisons and may be too narrow when subjects appear in many comparisons (subject ids, from subject_a/subject_b columns or --subject-a/--subject-b, give cluster-robust intervals in an audit in memory; a streamed audit has none)";

/// Named conventions, so a reader never has to guess.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Conventions {
    /// How thresholds are chosen.
    pub threshold: Cow<'static, str>,
    /// How the EER is read.
    pub eer: Cow<'static, str>,
    /// How the AUC is computed.
    pub auc: Cow<'static, str>,
    /// How d′ is computed.
    pub dprime: Cow<'static, str>,
    /// How rate intervals are computed.
    pub interval: Cow<'static, str>,
    /// How a zero rate enters geometric-mean summaries.
    pub geomean_zero_rule: Cow<'static, str>,
}

const CONVENTIONS: Conventions = Conventions {
    threshold: Cow::Borrowed("global-fmr/group-fmr: exact order statistic; with non-mated scores sorted descending and k = floor(alpha*N) exactly for the decimal alpha as written, the smallest observed score tau with #{s >= tau} <= k (or the next float above the top score); ties never split, achieved FMR <= alpha"),
    eer: Cow::Borrowed("bob.measure: threshold among observed scores minimising |FMR - FNMR| (ties broken as bob.measure does); EER = (FMR + FNMR)/2 there"),
    auc: Cow::Borrowed("Mann-Whitney: P(mated more alike than non-mated) + 0.5 P(tie)"),
    dprime: Cow::Borrowed("(mean_mated - mean_nonmated)/sqrt((var_mated + var_nonmated)/2), population variances, similarity orientation"),
    interval: Cow::Borrowed(""),
    geomean_zero_rule: Cow::Borrowed("NIST IR 8429: in the geometric mean only, a group with 0 errors in n trials takes 1 - 0.05^(1/n)"),
};

/// Everything the audit sorts once: the global pool, the views and their
/// group scores. A bootstrap replicate re-weights it without re-sorting.
pub(crate) struct Prepared<'a> {
    views: Vec<View<'a>>,
    scores: Vec<GroupScores>,
    pool: Pool,
    policies: Vec<Policy>,
    /// Notes on skipped default targets.
    notes: Vec<String>,
}

/// The global pool's non-mated scores (ascending) and their rows.
enum Pool {
    /// Cut for the pool (some non-mated comparisons left out).
    Own(Vec<f64>, Vec<u32>),
    /// Every non-mated comparison: the pooled view's non-mated slot.
    Pooled,
}

impl Prepared<'_> {
    /// The global pool's scores, ascending.
    fn pool(&self) -> &[f64] {
        match &self.pool {
            Pool::Own(scores, _) => scores,
            Pool::Pooled => self.scores[0].same_group(0),
        }
    }

    /// The global pool's rows (when rows are kept).
    fn pool_rows(&self) -> &[u32] {
        match &self.pool {
            Pool::Own(_, rows) => rows,
            // The pooled view has one group: slot 1 is its non-mated slot.
            Pool::Pooled => self.scores[0].slot_rows().get(1).map_or(&[], Vec::as_slice),
        }
    }
}

/// Sorts what the audit needs; `keep_rows` keeps rows for re-weighting
/// (always kept when rows carry counts).
pub(crate) fn prepare<'a>(
    c: &'a Comparisons,
    opts: &VerifyOptions,
    keep_rows: bool,
) -> Prepared<'a> {
    let keep_rows = keep_rows || !c.count.is_empty();
    // Subject ids need rows too (each slot's subjects); else the order carries classes when they are few.
    let classes = (!keep_rows && c.subject_a.is_empty())
        .then(|| scores::classes(c))
        .flatten();
    let (order, units) = match classes {
        Some((class, units)) => (ScoreOrder::new(&c.score, class), units),
        None => (
            ScoreOrder::new(&c.score, |r| r as u32),
            Units::Rows(c.score.len()),
        ),
    };
    let codes = codes_of(&c.attributes, false);
    let views = views(c.score.len(), &codes);
    let scores = views
        .par_iter()
        .map(|v| GroupScores::build(c, v, &order, &units, keep_rows))
        .collect();
    let mut p = Prepared {
        views,
        scores,
        pool: match opts.impostors {
            Impostors::All => Pool::Pooled,
            Impostors::SameGroup => {
                let (scores, rows) = same_group_pool(c, &order, &units, keep_rows);
                Pool::Own(scores, rows)
            }
        },
        policies: opts.policies.clone(),
        notes: Vec::new(),
    };
    if opts.policies.is_empty() {
        let (policies, notes) = default_policies(pool_size(c, p.pool(), p.pool_rows()));
        (p.policies, p.notes) = (policies, notes);
    }
    p
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

/// Whole-number weights of prepared data (a bootstrap replicate, row
/// counts) as prefix sums in score order: of the global pool and of every
/// view's slots.
pub(crate) struct Weights {
    pool: PoolSums,
    views: Vec<Vec<Vec<u64>>>,
}

/// The global pool's prefix sums: its own, or those of the slot `(view,
/// slot)` that holds the same rows in the same order ([`pool_twin`]).
enum PoolSums {
    Own(Vec<u64>),
    Twin(usize, usize),
}

impl Weights {
    /// Every row weighing `weight(row)` (needs rows kept); the pool shares
    /// the sums of its `twin` slot if it has one.
    fn of_rows(p: &Prepared, twin: Option<(usize, usize)>, weight: impl Fn(u32) -> u64) -> Weights {
        Weights {
            pool: match twin {
                Some((v, k)) => PoolSums::Twin(v, k),
                None => PoolSums::Own(prefix_sums(p.pool_rows(), &weight)),
            },
            views: p.scores.iter().map(|s| s.prefixes(&weight)).collect(),
        }
    }
}

/// The slot `(view, slot)` whose rows are the global pool's in the same
/// order, if any: the pooled view's non-mated slot when every non-mated
/// comparison sets the global thresholds.
fn pool_twin(p: &Prepared) -> Option<(usize, usize)> {
    if let Pool::Pooled = p.pool {
        return Some((0, 1));
    }
    p.scores.iter().enumerate().find_map(|(v, s)| {
        let k = s
            .slot_rows()
            .iter()
            .position(|rows| rows == p.pool_rows())?;
        Some((v, k))
    })
}

/// The audit of prepared data, with every row weighing 1, its count (rows
/// with counts; the bootstrap never meets them) or as `weights` say.
pub(crate) fn evaluate(
    c: &Comparisons,
    p: &Prepared,
    opts: &VerifyOptions,
    weights: Option<Weights>,
) -> Result<VerifyResult> {
    let sense = ScoreSense::from_distance(opts.distance);
    let counted = !c.count.is_empty();
    let weights = match counted {
        true => Some(Weights::of_rows(p, None, |r| c.count[r as usize])),
        false => weights,
    };
    let (pool_sums, view_prefixes): (Option<PoolSums>, Vec<Prefixes>) = match weights {
        None => (None, vec![None; p.views.len()]),
        Some(w) => (Some(w.pool), w.views.into_iter().map(Some).collect()),
    };
    let pool_n = pool_size(c, p.pool(), p.pool_rows());
    let pool = match &pool_sums {
        None => Column::unit(p.pool()),
        Some(PoolSums::Own(x)) => Column::weighted(p.pool(), x),
        Some(PoolSums::Twin(v, k)) => {
            Column::weighted(p.pool(), &view_prefixes[*v].as_ref().expect("weighted")[*k])
        }
    };
    let mut notes = p.notes.clone();
    let points = operating_points(&p.policies, pool, pool_n, sense, opts.ci, &mut notes);
    if p.pool().is_empty() {
        notes.push(
            "no non-mated comparisons in the global pool: data-driven thresholds are undefined"
                .into(),
        );
    }
    let clustered = !c.subject_a.is_empty() && !counted;
    let label = interval_label(opts.ci, clustered.then_some(c.n_subjects), "comparisons");
    let mut results: Vec<ViewResult> = p
        .views
        .par_iter()
        .zip(&p.scores)
        .zip(&view_prefixes)
        .map(|((v, s), prefixes)| {
            let d = ViewScores {
                v,
                s,
                w: prefixes,
                interval: &label,
            };
            view_result(d, counted, &p.policies, &points, opts)
        })
        .collect::<Result<_>>()?;
    for view in &mut results {
        let set: Vec<bool> = (points.iter().enumerate())
            .map(|(i, p)| calibrated(i, p, view))
            .collect();
        for (at, _) in view.operating_points.iter_mut().zip(set).filter(|x| x.1) {
            if let Some(col) = at.rates.iter_mut().find(|c| c.metric == "fmr") {
                col.by_group.iter_mut().for_each(|r| r.ci = None);
                col.interval = Some(SET_BY_POLICY.into());
            }
        }
    }
    notes.extend(view_notes(&results, &p.policies));
    let row_count = |i: usize| if counted { c.count[i] } else { 1 };
    let total: u64 = (0..c.score.len()).map(row_count).sum();
    let mated: u64 = (0..c.score.len())
        .filter(|&i| c.mated[i])
        .map(row_count)
        .sum();
    Ok(VerifyResult {
        score_sense: sense,
        acceptance: sense.acceptance().into(),
        impostors: opts.impostors,
        alpha: opts.alpha,
        min_group_size: opts.min_group_size,
        conventions: Conventions {
            interval: Cow::Owned(interval_convention(
                label.as_deref(),
                INTERVAL_HOW[usize::from(!clustered)],
            )),
            ..CONVENTIONS
        },
        comparisons: total,
        mated,
        nonmated: total - mated,
        subjects: (!c.subject_a.is_empty()).then_some(c.n_subjects as u64),
        operating_points: points,
        views: results,
        notes,
        interval_caution: (!clustered && opts.ci.method != Method::None)
            .then(|| INDEPENDENT_CAUTION.to_string()),
    })
}

/// The label of a rate a threshold policy sets.
const SET_BY_POLICY: &str =
    "set by policy (the global-fmr target calibrates the pooled FMR): no interval";

/// Whether the FMR of `view` at the `i`-th operating point `point` is the
/// rate its global-fmr policy calibrates: the pooled view's FMR over the
/// policy's pool (the same errors of the same comparisons).
fn calibrated(i: usize, point: &OperatingPoint, view: &ViewResult) -> bool {
    let fmr = view
        .operating_points
        .get(i)
        .and_then(|at| at.rate("fmr"))
        .and_then(|c| c.by_group.first());
    matches!(point.spec, Policy::GlobalFmr { .. })
        && view.attribute.is_pooled()
        && matches!((fmr, &point.achieved), (Some(r), Some(a)) if r.events == a.events && r.trials == a.trials)
}

/// Each policy resolved on the pooled non-mated column (`n` comparisons):
/// its threshold, achieved FMR and support, with a note for each
/// unsupported global target.
fn operating_points(
    policies: &[Policy],
    pool: Column,
    n: usize,
    sense: ScoreSense,
    ci: CiSpec,
    notes: &mut Vec<String>,
) -> Vec<OperatingPoint> {
    policies
        .iter()
        .map(|policy| {
            let (tau, supported) = match *policy {
                Policy::Fixed { threshold, .. } => (Some(sense.internal(threshold)), None),
                Policy::GlobalFmr { alpha, .. } => {
                    let ok = alpha.value() >= smallest_supported_rate(n);
                    if !ok {
                        notes.push(format!(
                            "{}: target below what {} non-mated comparisons support ({:.3e}); the result rests on fewer than 3 expected errors",
                            policy.label(),
                            n,
                            smallest_supported_rate(n)
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
                threshold: tau.map(|t| sense.shown(t)),
                pool: n as u64,
                // The achieved FMR of a global target is set by the policy: no interval.
                achieved: tau.map(|t| {
                    let ci = match policy {
                        Policy::GlobalFmr { .. } => ci.without_interval(),
                        _ => ci,
                    };
                    Rate::weighted(pool.at_or_above(t), pool.total(), pool.total(), ci)
                }),
                supported,
            }
        })
        .collect()
}

/// Notes on the views: group-fmr targets a group's non-mated comparisons
/// cannot support, mated comparisons whose sides disagree, unplaced rows.
fn view_notes(results: &[ViewResult], policies: &[Policy]) -> Vec<String> {
    let mut notes = Vec::new();
    for r in results.iter().filter(|r| !r.attribute.is_pooled()) {
        for policy in policies {
            if let Policy::GroupFmr { alpha, .. } = *policy {
                let weak: Vec<String> = r
                    .groups
                    .iter()
                    .filter(|g| alpha.value() < smallest_supported_rate(g.counts.nonmated as usize))
                    .map(|g| format!("{} ({})", g.group, g.counts.nonmated))
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
    for r in results {
        if r.free.mated_conflicts > 0 {
            notes.push(format!(
                "{}: {} mated comparisons have different values on the two sides (counted for side a)",
                r.attribute, r.free.mated_conflicts
            ));
        }
        if r.free.unplaced_rows > 0 {
            notes.push(format!(
                "{}: {} comparisons left out of this attribute's groups (a needed side has no value)",
                r.attribute, r.free.unplaced_rows
            ));
        }
    }
    notes
}

/// The non-mated scores whose two sides share every attribute's group
/// (the global pool under [`Impostors::SameGroup`]), cut from the one
/// order, with their rows (only when `keep_rows`).
fn same_group_pool(
    c: &Comparisons,
    order: &ScoreOrder,
    units: &Units,
    keep_rows: bool,
) -> (Vec<f64>, Vec<u32>) {
    let same = |i: usize| {
        c.attributes
            .iter()
            .all(|a| a.side_a[i] != MISSING && a.side_a[i] == a.side_b[i])
    };
    order.filter(units, keep_rows, |i| !c.mated[i] && same(i))
}

/// An error rate read at τ: of the scores at or above τ (`above`, FMR) or
/// below it (FNMR), with the design effect of its subjects when known and
/// an interval is asked for.
fn error_at(col: Column, tau: f64, above: bool, clusters: Option<&Clusters>, ci: CiSpec) -> Rate {
    let (total, below) = (col.total(), col.below(tau));
    let events = if above { total - below } else { below };
    let spread = clusters.filter(|_| ci.method != Method::None).map(|k| {
        let i = col.scores.partition_point(|&x| x < tau);
        k.spread(if above { i..col.scores.len() } else { 0..i })
    });
    Rate::clustered(events, total, spread.as_ref(), ci).error_rate()
}

/// FMR, FNMR, TMR and accuracy of a group at τ (weighted counts), with the
/// subjects of its mated and non-mated scores when known. TMR shares
/// FNMR's design effect; accuracy takes the larger of FMR's and FNMR's (the
/// covariance between its mated and non-mated parts is not estimated).
fn rates_at(
    m: Column,
    n: Column,
    tau: Option<f64>,
    clusters: (Option<&Clusters>, Option<&Clusters>),
    ci: CiSpec,
) -> [Rate; 4] {
    let (mt, nt) = (m.total(), n.total());
    let Some(tau) = tau else {
        let why = "no threshold: no non-mated comparisons to set it";
        let (mc, nc) = (mt.round() as u64, nt.round() as u64);
        return [
            Rate::undefined(nc, why),
            Rate::undefined(mc, why),
            Rate::undefined(mc, why),
            Rate::undefined(mc + nc, why),
        ];
    };
    let fmr = error_at(n, tau, true, clusters.1, ci);
    let fnmr = error_at(m, tau, false, clusters.0, ci);
    let true_accepts = mt - fnmr.events;
    let tmr = match fnmr.design_effect {
        Some(d) => Rate::with_design_effect(true_accepts, mt, mt, d, ci),
        None => Rate::weighted(true_accepts, mt, mt, ci),
    };
    let correct = true_accepts + nt - fmr.events;
    let deff = [&fmr, &fnmr]
        .iter()
        .filter_map(|r| r.design_effect)
        .reduce(f64::max);
    let accuracy = match deff {
        Some(d) => Rate::with_design_effect(correct, mt + nt, mt + nt, d, ci),
        None => Rate::weighted(correct, mt + nt, mt + nt, ci),
    };
    [fmr, fnmr, tmr, accuracy]
}

/// The FMR at a global τ of every pair of groups with non-mated
/// comparisons, same-group pairs included, row by row in group order.
fn cross_fmr(v: &View, s: &GroupScores, w: &Prefixes, tau: f64, ci: CiSpec) -> Vec<CrossCell> {
    let cell = |g: usize, h: usize, n: Column, k: Option<&Clusters>| CrossCell {
        a: v.groups[g].clone(),
        b: v.groups[h].clone(),
        fmr: error_at(n, tau, true, k, ci),
    };
    let mut cross = s.cross_pairs().enumerate().peekable();
    let mut out = Vec::new();
    for g in 0..v.groups.len() {
        if !s.same_group(g).is_empty() {
            out.push(cell(g, g, s.same_group_column(g, w), s.group_clusters(g).1));
        }
        while let Some((k, (_, h))) = cross.next_if(|&(_, (a, _))| a == g) {
            out.push(cell(g, h, s.cross_column(k, w), s.cross_clusters(k)));
        }
    }
    out
}

/// The EER, AUC, d′, DET points and histogram of one group.
fn threshold_free(name: &str, m: Column, n: Column, sense: ScoreSense) -> GroupFree {
    let e = metrics::eer(m, n);
    let d = metrics::dprime(m, n);
    let nan = f64::NAN;
    GroupFree {
        group: name.to_string(),
        eer: e.map_or(nan, |e| e.eer),
        eer_threshold: e.map(|e| sense.shown(e.threshold)),
        eer_fmr: e.map(|e| e.fmr),
        eer_fnmr: e.map(|e| e.fnmr),
        auc: metrics::auc(m, n).unwrap_or(nan),
        dprime: d.unwrap_or(nan),
        det: det_points(m, n, |x| sense.shown(x)),
        histogram: histogram(m, n, sense),
        reason: match (m.total() > 0.0, n.total() > 0.0) {
            (false, _) => Some("no mated comparisons".into()),
            (_, false) => Some("no same-group non-mated comparisons".into()),
            _ if d.is_none() => Some("d' undefined: both score variances are 0".into()),
            _ => None,
        },
    }
}

/// One view's scores (weighted by `w` when prefix sums are given).
struct ViewScores<'a> {
    v: &'a View<'a>,
    s: &'a GroupScores,
    w: &'a Prefixes,
    /// Which interval the rates carry.
    interval: &'a Option<String>,
}

impl ViewScores<'_> {
    /// Group g's mated scores and same-group non-mated scores.
    fn columns(&self, g: usize) -> (Column<'_>, Column<'_>) {
        (
            self.s.mated_column(g, self.w),
            self.s.same_group_column(g, self.w),
        )
    }

    /// Counts of every group; in summaries when min(mated, non-mated) ≥ `min_size`.
    fn groups(&self, counted: bool, min_size: u64) -> Vec<GroupInfo<VerifyCounts>> {
        let pooled = self.v.attribute.is_pooled();
        (0..self.v.groups.len())
            .map(|g| {
                let (m, n) = if counted {
                    let (a, b) = self.columns(g);
                    (a.total() as u64, b.total() as u64)
                } else {
                    (
                        self.s.mated(g).len() as u64,
                        self.s.same_group(g).len() as u64,
                    )
                };
                GroupInfo {
                    group: self.v.groups[g].clone(),
                    in_summaries: !pooled && m.min(n) >= min_size,
                    counts: VerifyCounts {
                        mated: m,
                        nonmated: n,
                        subjects: self.s.subjects.as_ref().map(|x| x[g]),
                        size: m.min(n),
                    },
                }
            })
            .collect()
    }

    /// The view at one policy: every group's threshold and four rates, and
    /// the cross-group FMR at a global threshold.
    fn at(&self, p: &Policy, point: &OperatingPoint, opts: &VerifyOptions) -> ViewAt<VerifyAt> {
        let sense = ScoreSense::from_distance(opts.distance);
        let ng = self.v.groups.len();
        let global = point.threshold.map(|t| sense.internal(t));
        let mut taus = Vec::with_capacity(ng);
        let mut columns: [Vec<Rate>; 4] = Default::default();
        for g in 0..ng {
            let (m, n) = self.columns(g);
            let tau = match *p {
                Policy::GroupFmr { alpha, .. } => n.fmr_threshold(alpha),
                _ => global,
            };
            taus.push(tau.map_or(f64::NAN, |t| sense.shown(t)));
            let clusters = self.s.group_clusters(g);
            for (c, r) in columns
                .iter_mut()
                .zip(rates_at(m, n, tau, clusters, opts.ci))
            {
                c.push(r);
            }
        }
        let has_cross = self.s.cross_pairs().next().is_some();
        ViewAt {
            policy: point.policy.clone(),
            threshold: point.threshold,
            group_thresholds: matches!(p, Policy::GroupFmr { .. }).then_some(taus),
            rates: RATES
                .iter()
                .zip(columns)
                .map(|(m, c)| RateColumn {
                    interval: self.interval.clone(),
                    ..RateColumn::new(*m, c)
                })
                .collect(),
            combined: Vec::new(),
            extra: VerifyAt {
                cross_fmr: global
                    .filter(|_| !self.v.attribute.is_pooled() && has_cross)
                    .map(|tau| cross_fmr(self.v, self.s, self.w, tau, opts.ci)),
            },
        }
    }
}

fn view_result(
    d: ViewScores,
    counted: bool,
    policies: &[Policy],
    points: &[OperatingPoint],
    opts: &VerifyOptions,
) -> Result<ViewResult> {
    let sense = ScoreSense::from_distance(opts.distance);
    let v = d.v;
    let free: Vec<GroupFree> = (0..v.groups.len())
        .map(|g| {
            let (m, n) = d.columns(g);
            threshold_free(&v.groups[g], m, n, sense)
        })
        .collect();
    let mut view = ViewResult {
        attribute: v.attribute.clone(),
        reference: None,
        groups: d.groups(counted, opts.min_group_size),
        operating_points: policies
            .iter()
            .zip(points)
            .map(|(p, point)| d.at(p, point, opts))
            .collect(),
        free: VerifyFree {
            unplaced_rows: d.s.unplaced,
            mated_conflicts: d.s.mated_conflicts,
            threshold_free: Vec::new(),
            threshold_free_summaries: Vec::new(),
        },
    };
    let size: Vec<f64> = view
        .groups
        .iter()
        .map(|g| (g.counts.mated + g.counts.nonmated) as f64)
        .collect();
    let eer: Vec<f64> = free.iter().map(|f| f.eer).collect();
    finish_view(
        &mut view,
        (&size, "comparisons"),
        (&eer, "EER"),
        &opts.reference,
        treat,
    )?;
    if !v.attribute.is_pooled() {
        let included = view.included();
        for at in &mut view.operating_points {
            at.combined = combined_summaries(&at.rates, &v.groups, &included, opts.alpha);
        }
        let eer: Vec<Entry> = included
            .iter()
            .map(|&g| Entry {
                group: &free[g].group,
                value: free[g].eer,
                counts: None,
                sample: None,
            })
            .collect();
        let mut sums = disparity::summarize("eer", &eer);
        sums.push(disparity::ser(&eer));
        view.free.threshold_free_summaries = sums;
    }
    view.free.threshold_free = free;
    Ok(view)
}

/// FDR, IR, GARBE and WERM over FMR and FNMR, then SER over 1 − accuracy.
fn combined_summaries(
    rates: &[RateColumn],
    names: &[String],
    included: &[usize],
    alpha: f64,
) -> Vec<Summary> {
    let [fmr, fnmr, _, accuracy] = rates else {
        unreachable!("1:1 views have four rate columns")
    };
    let error: Vec<Entry> = included
        .iter()
        .map(|&g| {
            let a = &accuracy.by_group[g];
            Entry {
                group: &names[g],
                value: 1.0 - a.value,
                counts: Some((a.trials - a.events, a.trials)),
                sample: a.sample().map(|s| s.complement()),
            }
        })
        .collect();
    let mut out = disparity::combined(
        alpha,
        ["fmr", "fnmr"],
        &fmr.entries(names, included, true),
        &fnmr.entries(names, included, true),
    );
    out.push(disparity::ser(&error));
    out
}

/// A 1:1 audit prepared for the bootstrap (intervals off in replicates).
pub struct Resampler<'a> {
    c: &'a Comparisons,
    prepared: Prepared<'a>,
    opts: VerifyOptions,
    /// When subjects are drawn: the subjects of every score, in score order.
    pairs: Option<Pairs>,
    /// The slot that shares the global pool's prefix sums ([`pool_twin`]).
    twin: Option<(usize, usize)>,
}

/// The subjects [a, b] of every score of the global pool (unless it has a
/// twin slot) and of each view's slots, in score order, so that a
/// replicate weighs a score d[a]·d[b] with one sequential pass; a mated
/// comparison's b is `n_subjects`, the index of an extra draw count of 1.
struct Pairs {
    pool: Vec<[u32; 2]>,
    views: Vec<Vec<Vec<[u32; 2]>>>,
}

impl Pairs {
    fn new(c: &Comparisons, p: &Prepared, twin: Option<(usize, usize)>) -> Pairs {
        let one = c.n_subjects as u32;
        let pair = |rows: &[u32]| -> Vec<[u32; 2]> {
            rows.iter()
                .map(|&r| {
                    let r = r as usize;
                    match c.mated[r] {
                        true => [c.subject_a[r], one],
                        false => [c.subject_a[r], c.subject_b[r]],
                    }
                })
                .collect()
        };
        Pairs {
            pool: if twin.is_some() {
                Vec::new()
            } else {
                pair(p.pool_rows())
            },
            views: p
                .scores
                .iter()
                .map(|s| s.slot_rows().par_iter().map(|r| pair(r)).collect())
                .collect(),
        }
    }

    /// A replicate's weights: d[a]·d[b] for each score, `draw` extended by
    /// the count 1 at index `n_subjects`.
    fn weights(&self, draw: &[u32], twin: Option<(usize, usize)>) -> Weights {
        let mut d = Vec::with_capacity(draw.len() + 1);
        d.extend_from_slice(draw);
        d.push(1);
        let d = &d[..];
        let w = move |[a, b]: [u32; 2]| d[a as usize] as u64 * d[b as usize] as u64;
        Weights {
            pool: match twin {
                Some((v, k)) => PoolSums::Twin(v, k),
                None => PoolSums::Own(prefix_sums(&self.pool, w)),
            },
            views: (self.views.iter())
                .map(|v| v.iter().map(|s| prefix_sums(s, w)).collect())
                .collect(),
        }
    }
}

impl<'a> Resampler<'a> {
    /// Subjects are drawn when subject ids are known, unless `rows`.
    pub fn new(c: &'a Comparisons, opts: &VerifyOptions, rows: bool) -> Resampler<'a> {
        let opts = VerifyOptions {
            ci: opts.ci.without_interval(),
            ..opts.clone()
        };
        let prepared = prepare(c, &opts, true);
        let by_subject = !c.subject_a.is_empty() && !rows;
        let twin = pool_twin(&prepared);
        Resampler {
            pairs: by_subject.then(|| Pairs::new(c, &prepared, twin)),
            twin,
            prepared,
            c,
            opts,
        }
    }
}

impl Resample for Resampler<'_> {
    type Output = VerifyResult;

    fn units(&self) -> (Unit, usize) {
        if self.pairs.is_some() {
            (Unit::Subject, self.c.n_subjects)
        } else {
            (Unit::Row, self.c.score.len())
        }
    }

    /// A mated comparison weighs its subject's count, a non-mated one the
    /// product of its two subjects' counts (or each row its own count).
    fn replicate(&self, draw: &[u32]) -> Result<VerifyResult> {
        let weights = match &self.pairs {
            Some(pairs) => pairs.weights(draw, self.twin),
            None => Weights::of_rows(&self.prepared, self.twin, |r| draw[r as usize] as u64),
        };
        evaluate(self.c, &self.prepared, &self.opts, Some(weights))
    }
}

impl VerifyResult {
    /// The view of `attribute` (`race`, `race+sex`, or `*` for all pooled).
    pub fn view(&self, attribute: &str) -> Option<&ViewResult> {
        table::view(&self.views, attribute)
    }
}

impl Flatten for VerifyResult {
    /// Per view: group counts; at each policy every group's FMR, FNMR, TMR
    /// and accuracy, the cross-group FMR of pairs with comparisons
    /// (group `A~B`), the summaries and the tests; then EER (its threshold in
    /// the threshold column), AUC and d′ per group and the EER summaries.
    fn flatten(&self, out: &mut Vec<Value>) {
        for view in &self.views {
            let mut r = Values {
                out: &mut *out,
                attribute: view.attribute.clone(),
            };
            for g in &view.groups {
                r.count(&g.group, "comparisons_mated", g.counts.mated as f64);
                r.count(&g.group, "comparisons_nonmated", g.counts.nonmated as f64);
                if let Some(s) = g.counts.subjects {
                    r.count(&g.group, "subjects", s as f64);
                }
            }
            for (i, (at, point)) in view
                .operating_points
                .iter()
                .zip(&self.operating_points)
                .enumerate()
            {
                let set = calibrated(i, point, view);
                for (g, info) in view.groups.iter().enumerate() {
                    for col in &at.rates {
                        let t = at.threshold_of(g);
                        let rate = &col.by_group[g];
                        let v = r.rate(&info.group, &at.policy, t, &col.metric, rate);
                        if set && col.metric == "fmr" {
                            // Set by the policy: no interval, never resampled.
                            v.kind = Kind::Calibrated;
                        }
                    }
                }
                for cell in at.extra.cross_fmr.iter().flatten() {
                    if cell.a != cell.b && cell.fmr.trials > 0.0 {
                        let pair = format!("{}~{}", cell.a, cell.b);
                        r.rate(&pair, &at.policy, at.threshold, "fmr", &cell.fmr);
                    }
                }
                r.summaries(&at.policy, at.threshold, at.summaries());
                r.tests(&at.policy, at.threshold, at.tests());
            }
            for g in &view.free.threshold_free {
                r.push(
                    Kind::Statistic,
                    &g.group,
                    "none",
                    g.eer_threshold,
                    "eer",
                    g.eer,
                );
                r.push(Kind::Statistic, &g.group, "none", None, "auc", g.auc);
                r.push(Kind::Statistic, &g.group, "none", None, "dprime", g.dprime);
            }
            r.summaries("none", None, &view.free.threshold_free_summaries);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_every_score_once() {
        // Scores 0 … 4: width 0.1; 4 lands in the last (closed) bin, 0 in the first.
        let (m, n) = ([1.0, 2.0, 3.0], [0.0, 0.5, 4.0]);
        let h = histogram(Column::unit(&m), Column::unit(&n), ScoreSense::Similarity);
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
        let d = histogram(Column::unit(&dm), Column::unit(&dn), ScoreSense::Distance);
        assert_eq!((d.edges[0], d.edges[40]), (0.0, 4.0));
        // (Bins are closed on the side of more alike scores: 0.5 falls in [0.4, 0.5].)
        assert_eq!(
            (d.nonmated[0], d.nonmated[4], d.nonmated[39]),
            (1.0, 1.0, 1.0)
        );
        assert_eq!(d.mated.iter().sum::<f64>(), 3.0);
        // One distinct score: unit-width bins from it, ascending to the last edge.
        let one = histogram(
            Column::unit(&[0.5]),
            Column::unit(&[]),
            ScoreSense::Similarity,
        );
        assert_eq!((one.edges[0], one.edges[40]), (0.5, 40.5));
        assert!(one.edges.windows(2).all(|w| w[0] < w[1]));
        assert_eq!((one.mated[0], one.mated.iter().sum::<f64>()), (1.0, 1.0));
    }

    /// A comparison: subject a, subject b, mated, score, group of a, group of b.
    type Row<'a> = (u32, u32, bool, f64, &'a str, &'a str);

    /// `n` random comparisons: subjects 0‥9 in groups x, y, z, scores on a
    /// grid of ten (ties), about a third mated.
    fn random_rows(rng: &mut impl rand::Rng, n: usize) -> Vec<Row<'static>> {
        let group: Vec<&str> = (0..10)
            .map(|_| ["x", "y", "z"][rng.random_range(0..3)])
            .collect();
        (0..n)
            .map(|_| {
                let a = rng.random_range(0..10u32);
                let mated = rng.random_bool(0.3);
                let b = if mated {
                    a
                } else {
                    (a + rng.random_range(1..10)) % 10
                };
                let score = rng.random_range(0..10) as f64 / 10.0 + if mated { 0.3 } else { 0.0 };
                (a, b, mated, score, group[a as usize], group[b as usize])
            })
            .collect()
    }

    fn comparisons(rows: &[Row]) -> Comparisons {
        let score: Vec<f64> = rows.iter().map(|r| r.3).collect();
        let mated: Vec<bool> = rows.iter().map(|r| r.2).collect();
        let (sa, sb): (Vec<String>, Vec<String>) = rows
            .iter()
            .map(|r| (format!("s{}", r.0), format!("s{}", r.1)))
            .unzip();
        let (ga, gb): (Vec<&str>, Vec<&str>) = rows.iter().map(|r| (r.4, r.5)).unzip();
        Comparisons::builder()
            .scores(&score[..])
            .mated(&mated[..])
            .subjects(&sa, &sb)
            .attribute_per_side("g", &ga, &gb)
            .build()
            .unwrap()
    }

    /// The rates and per-group statistics of a result by key (NaN as None).
    fn statistics(r: &VerifyResult) -> std::collections::BTreeMap<String, Option<f64>> {
        r.values()
            .into_iter()
            .filter(|v| matches!(v.kind, Kind::Rate | Kind::Statistic))
            .map(|v| {
                (
                    format!("{:?}", v.key),
                    Some(v.value).filter(|x| !x.is_nan()),
                )
            })
            .collect()
    }

    /// The order carrying classes of rows cuts the same columns as the order
    /// carrying rows: random data with ties, two attributes with missing
    /// values (so an intersection view), both impostor rules.
    #[test]
    fn classes_of_rows_cut_what_rows_cut() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(15);
        for round in 0..80 {
            let n = rng.random_range(1..300);
            let score: Vec<f64> = (0..n)
                .map(|_| match round % 3 {
                    0 => rng.random_range(0..8) as f64 / 8.0,
                    1 => (rng.random_range(0..8) as f64 / 10.0) as f32 as f64,
                    _ => rng.random::<f64>(),
                })
                .collect();
            let mated: Vec<bool> = (0..n).map(|_| rng.random_bool(0.3)).collect();
            let mut side = |values: &[&'static str]| -> Vec<&'static str> {
                (0..n)
                    .map(|_| values[rng.random_range(0..values.len())])
                    .collect()
            };
            let (ra, rb) = (side(&["x", "y", "z", ""]), side(&["x", "y", "z", ""]));
            let sex = side(&["f", "m", "NA"]);
            let c = Comparisons::builder()
                .scores(&score[..])
                .mated(&mated[..])
                .attribute_per_side("race", &ra, &rb)
                .attribute("sex", &sex)
                .drop_unusable(true)
                .build()
                .unwrap();
            let opts = VerifyOptions {
                impostors: [Impostors::All, Impostors::SameGroup][round % 2],
                ..Default::default()
            };
            let (classes, rows) = (prepare(&c, &opts, false), prepare(&c, &opts, true));
            assert!(classes.scores[0].slot_rows().iter().all(|r| r.is_empty()));
            let json = |p: &Prepared| serde_json::to_string(&evaluate(&c, p, &opts, None).unwrap());
            assert_eq!(
                json(&classes).unwrap(),
                json(&rows).unwrap(),
                "round {round}"
            );
        }
    }

    /// A replicate weighs a mated comparison d[a] and a non-mated one
    /// d[a]·d[b] (by subject) or each row d[row]: its rates and per-group
    /// statistics are those of the data with every comparison repeated as
    /// often (d′ up to rounding), and those of groups the draw leaves empty
    /// are undefined. (Not the summaries: a replicate keeps the groups of the
    /// data in them, by their unweighted sizes.)
    #[test]
    fn a_replicate_is_the_audit_of_the_data_repeated_as_drawn() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
        let opts = VerifyOptions {
            policies: ["fixed:0.5", "global-fmr:0.2", "group-fmr:0.3"]
                .iter()
                .map(|p| Policy::parse(p).unwrap())
                .collect(),
            ci: CiSpec::default().without_interval(),
            ..Default::default()
        };
        for round in 0..60 {
            let c = comparisons(&random_rows(&mut rng, 150));
            let rows = round % 2 == 1;
            let units = if rows { c.score.len() } else { c.n_subjects };
            let draw: Vec<u32> = (0..units).map(|_| rng.random_range(0..3)).collect();
            let replicate = Resampler::new(&c, &opts, rows).replicate(&draw).unwrap();
            let (sa, sb, g) = (&c.subject_a, &c.subject_b, &c.attributes[0]);
            let times = |i: usize| match (rows, c.mated[i]) {
                (true, _) => draw[i],
                (false, true) => draw[sa[i] as usize],
                (false, false) => draw[sa[i] as usize] * draw[sb[i] as usize],
            };
            let name = |code: u32| g.values[code as usize].as_str();
            let repeated: Vec<Row> = (0..c.score.len())
                .flat_map(|i| {
                    let row = (
                        sa[i],
                        sb[i],
                        c.mated[i],
                        c.score[i],
                        name(g.side_a[i]),
                        name(g.side_b[i]),
                    );
                    std::iter::repeat_n(row, times(i) as usize)
                })
                .collect();
            let want = audit(&comparisons(&repeated), &opts).unwrap();
            let (got, want) = (statistics(&replicate), statistics(&want));
            for (key, x) in &got {
                match (want.get(key), x) {
                    (Some(Some(y)), Some(x)) if key.contains("dprime") => {
                        assert!(
                            (x - y).abs() <= 1e-9 * y.abs().max(1.0),
                            "{key}: {x} vs {y}"
                        )
                    }
                    (Some(y), x) => assert_eq!(x, y, "{key} in round {round}"),
                    (None, x) => assert_eq!(*x, None, "{key} in round {round}"),
                }
            }
        }
    }
}
