//! The age-estimation engine: per group the error of an age regression
//! (MAE, mean signed error, RMSE, median absolute error, cumulative scores,
//! by true-age band) and the decisions of age verification at challenge
//! ages (false-admit and false-refusal rates), with intervals, tests and
//! disparity summaries.
//!
//! The error of a row is e = estimate − true age (years): positive when the
//! model makes people older. Every statistic is a ratio of weighted sums
//! over the group's rows, so each is one counting pass ([`parts`]).

pub mod parts;

use crate::counts::curves::fold;
use crate::counts::table::{
    finish_view, interval_convention, interval_label, GroupInfo, RateColumn, Treat, ViewAt,
    ViewResult,
};
use crate::engine::{NoFree, Resample, Unit, Weights};
use crate::error::{Error, Result};
use crate::groups::{codes_of, views, ReferenceRule, View, MISSING};
use crate::input::ages::{plausible, OutOfRange};
use crate::input::Ages;
use crate::math::interval::{CiSpec, Method};
use crate::math::special::binomial_cdf;
use crate::stats::cluster::OneWay;
use crate::stats::disparity::{self, Summary};
use crate::stats::mean::{self, MeanStat, Moments, Scale};
use crate::stats::rate::Rate;
use crate::value::{self, Flatten, Kind, Values};
pub use parts::{Band, Challenge};
use parts::{Part, Parts};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Options of an age-estimation audit.
#[derive(Debug, Clone, Serialize)]
pub struct EstimateOptions {
    /// Tolerances θ (years) of the cumulative scores CS(θ) = share with |e| ≤ θ.
    pub cs: Vec<f64>,
    /// True-age bands of the error by band (none: no bands).
    pub bands: Vec<Band>,
    /// Age-verification challenges.
    pub challenges: Vec<Challenge>,
    /// Reference group rules: `largest`, `best`, or `ATTRIBUTE=VALUE`.
    pub reference: Vec<ReferenceRule>,
    /// Groups with fewer rows than this stay out of the summaries.
    pub min_group_size: u64,
    /// Interval level (all) and method (the counted rates; means take t intervals).
    pub ci: CiSpec,
    /// Weight α of the false-admit rate in FDR, IR, GARBE and WERM.
    pub alpha: f64,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        EstimateOptions {
            cs: vec![5.0],
            bands: Vec::new(),
            challenges: Vec::new(),
            reference: Vec::new(),
            min_group_size: 1,
            ci: CiSpec::default(),
            alpha: 0.5,
        }
    }
}

/// The error of a group's rows within one true-age band.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BandErrors {
    /// The band's label (`13-17`, `65-`).
    pub band: String,
    /// Rows of the group in the band (with a weight above 0).
    pub rows: u64,
    /// Σw of those rows.
    pub weight: f64,
    /// Mean absolute error in the band, with its interval.
    pub mae: MeanStat,
    /// Mean signed error in the band, with its interval.
    pub bias: MeanStat,
}

/// One group's rows and threshold-free statistics.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgeCounts {
    /// Rows of the group.
    pub rows: u64,
    /// Σw of the group's rows (= rows when unweighted).
    pub weight: f64,
    /// Rows whose estimate lies outside [0, 130] (kept).
    pub out_of_range: u64,
    /// `mae`, `bias` (mean signed error), `rmse`, `median_ae`, with intervals.
    pub errors: Vec<MeanStat>,
    /// The error by true-age band (empty without `--age-bands`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<BandErrors>,
}

impl AgeCounts {
    /// The statistic `metric` (`mae`, `bias`, `rmse`, `median_ae`).
    pub fn error(&self, metric: &str) -> Option<&MeanStat> {
        self.errors.iter().find(|s| s.metric == metric)
    }
}

/// The false-admit and false-refusal rates of every group of a view as the
/// challenge threshold T moves (the figure of rates against T).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sweep {
    /// The challenge's label (`18:25`).
    pub challenge: String,
    /// The thresholds T, ascending.
    pub thresholds: Vec<f64>,
    /// Per group, the false-admit rate at each T (empty: nobody under the age).
    pub false_admit: Vec<Vec<f64>>,
    /// Per group, the false-refusal rate at each T (empty: nobody at or over the age).
    pub false_refusal: Vec<Vec<f64>>,
}

/// What a view has without an operating point: the summaries of the mean
/// errors over groups and the sweeps of the challenges.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AgeFree {
    /// `mae.*` and `bias.*` summaries over the groups in summaries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub summaries: Vec<Summary>,
    /// One sweep per challenge.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sweeps: Vec<Sweep>,
}

/// One view: operating point `none` holds the cumulative scores `cs@θ`;
/// one operating point per challenge holds `false_admit` and `false_refusal`.
pub type AgeView = ViewResult<AgeCounts, NoFree, AgeFree>;

/// The age-estimation part of a report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EstimateResult {
    /// Whether rows carry weights.
    pub weighted: bool,
    /// Distinct subjects whose rows the intervals cluster (none without subjects).
    pub subjects: Option<usize>,
    /// The tolerances θ of the cumulative scores.
    pub cs: Vec<f64>,
    /// The true-age bands' labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<String>,
    /// The challenges' labels (`18:25`, `18:25:13-17:18-30`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub challenges: Vec<String>,
    /// Minimum group size (rows) for the summaries.
    pub min_group_size: u64,
    /// Estimates outside [0, 130], kept.
    pub out_of_range: OutOfRange,
    /// The conventions of errors, intervals, cumulative scores and challenges.
    pub conventions: Conventions,
    /// One result per view (pooled, each attribute, intersections).
    pub views: Vec<AgeView>,
    /// Notes for the reader.
    pub notes: Vec<String>,
}

/// Named conventions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Conventions {
    /// What the error is.
    pub error: Cow<'static, str>,
    /// How the means' intervals are computed.
    pub mean_interval: Cow<'static, str>,
    /// How the counted rates' intervals are computed.
    pub interval: Cow<'static, str>,
    /// The median and its interval.
    pub median: Cow<'static, str>,
    /// What a challenge decides.
    pub challenge: Cow<'static, str>,
    /// What a band is.
    pub bands: Cow<'static, str>,
}

const CONVENTIONS: Conventions = Conventions {
    error: Cow::Borrowed("e = estimated age - true age in years (positive: the model makes people older); MAE = sum w|e| / sum w, bias = mean signed error sum w e / sum w, RMSE = sqrt(sum w e^2 / sum w); CS(theta) = share of weight with |e| <= theta"),
    mean_interval: Cow::Borrowed(""),
    interval: Cow::Borrowed(""),
    median: Cow::Borrowed("weighted median of |e|: the value at which the cumulative weight in ascending order first exceeds half the total; where it equals half exactly, the midpoint of that value and the next (numpy's median for unit weights); interval: the distribution-free order-statistic interval (ranks from Binomial(n, 1/2)) for rows of unit weight without subjects, else none (use --bootstrap)"),
    challenge: Cow::Borrowed("AGE:T admits when the estimate >= T (an estimate equal to T is admitted); false admit = admitted among people truly under AGE (or in the under band), false refusal = refused among people truly AGE or over (or in the over band)"),
    bands: Cow::Borrowed("a band a-b holds true ages a <= age < b+1 (whole years a to b); a- holds ages >= a"),
};

/// The thresholds T of a challenge's sweep: from AGE − 5 to AGE + 15 years
/// in steps of half a year.
fn sweep_thresholds(age: f64) -> Vec<f64> {
    (0..=40).map(|j| age - 5.0 + 0.5 * j as f64).collect()
}

/// An error in the data given to the engine in memory.
fn invalid(message: String) -> Error {
    Error::data("<memory>", message)
}

/// The audit's views and the rows in ascending |e| order (for the medians).
pub(crate) struct Prepared<'a> {
    views: Vec<View<'a>>,
    order: Vec<u32>,
    /// The rows by subject, ascending (a stable counting sort; empty
    /// without subjects): each subject's rows are one run.
    by_subject: Vec<u32>,
}

/// Prepares the rows `a` once: its views and the order of |e|.
pub(crate) fn prepare<'a>(a: &'a Ages, o: &EstimateOptions) -> Result<Prepared<'a>> {
    let n = a.truth.len();
    if a.estimate.len() != n || (!a.weight.is_empty() && a.weight.len() != n) {
        return Err(invalid(format!(
            "{} estimates and {} weights for {n} true ages: give one per row",
            a.estimate.len(),
            a.weight.len()
        )));
    }
    if o.cs.is_empty() {
        return Err(Error::option("--cs", "needs at least one tolerance"));
    }
    let codes = codes_of(&a.attributes, true);
    let mut order: Vec<u32> = (0..n as u32).collect();
    let abs = |i: u32| (a.estimate[i as usize] - a.truth[i as usize]).abs();
    order.par_sort_by(|&x, &y| abs(x).total_cmp(&abs(y)).then(x.cmp(&y)));
    let mut by_subject = Vec::new();
    if !a.subject.is_empty() {
        let mut next = vec![0u32; a.n_subjects + 1];
        for &s in &a.subject {
            next[s as usize + 1] += 1;
        }
        for s in 0..a.n_subjects {
            next[s + 1] += next[s];
        }
        by_subject = vec![0u32; n];
        for (i, &s) in a.subject.iter().enumerate() {
            by_subject[next[s as usize] as usize] = i as u32;
            next[s as usize] += 1;
        }
    }
    Ok(Prepared {
        views: views(n, &codes),
        order,
        by_subject,
    })
}

/// Runs the audit of the rows `a`.
pub fn audit(a: &Ages, o: &EstimateOptions) -> Result<EstimateResult> {
    let weight = Weights {
        w: &a.weight,
        draw: &[],
        unit: &[],
    };
    evaluate(a, &prepare(a, o)?, o, weight)
}

/// Whether intervals allow for subjects: their ids are known and an
/// interval is asked for (bootstrap replicates ask for none).
fn clustered(a: &Ages, ci: CiSpec) -> bool {
    !a.subject.is_empty() && ci.method != Method::None
}

/// The audit of prepared rows with row weights `weight`.
pub(crate) fn evaluate(
    a: &Ages,
    p: &Prepared,
    o: &EstimateOptions,
    weight: Weights,
) -> Result<EstimateResult> {
    let parts = Parts::new(o);
    let subjects = clustered(a, o.ci).then_some(a.n_subjects);
    let label = interval_label(o.ci, subjects, "rows");
    let mean_label = mean::label(o.ci, subjects.is_some());
    // Unit weights (none, or all 1) of independent rows: the order statistics' interval.
    let unit_weights = a.weight.iter().all(|&w| w == 1.0);
    let exact_median = unit_weights && subjects.is_none() && weight.draw.is_empty();
    let views = p
        .views
        .par_iter()
        .map(|v| {
            let tallies = tally(v, a, &parts, weight, (subjects.is_some(), &p.by_subject));
            let medians = medians(v, a, &p.order, weight, exact_median.then_some(o.ci));
            age_view(v, tallies, medians, &parts, &label, o)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut notes = Vec::new();
    if a.out_of_range.rows > 0 {
        notes.push(format!(
            "{} estimates lie outside [0, 130] years and are kept as the model gave them (first: {})",
            a.out_of_range.rows,
            a.out_of_range.first.as_deref().unwrap_or("in memory")
        ));
    }
    for v in &views {
        if let Some(g) = v.groups.iter().find(|g| g.counts.rows == 0) {
            notes.push(format!("{}: group {} has no rows", v.attribute, g.group));
        }
    }
    if !exact_median && o.ci.method != Method::None {
        notes.push(
            "median_ae has no interval with weights or subjects: run --bootstrap for one".into(),
        );
    }
    Ok(EstimateResult {
        weighted: !weight.w.is_empty() || !weight.draw.is_empty(),
        subjects,
        cs: o.cs.clone(),
        bands: o.bands.iter().map(Band::label).collect(),
        challenges: o.challenges.iter().map(Challenge::label).collect(),
        min_group_size: o.min_group_size,
        out_of_range: a.out_of_range.clone(),
        conventions: Conventions {
            interval: Cow::Owned(interval_convention(
                label.as_deref(),
                RATE_HOW[usize::from(subjects.is_none())],
            )),
            mean_interval: Cow::Owned(interval_convention(mean_label.as_deref(), MEAN_HOW)),
            ..CONVENTIONS
        },
        views,
        notes,
    })
}

/// How rate intervals are computed, with subjects and without.
const RATE_HOW: [&str; 2] = [
    "two-sided at n_eff = n / design effect, n the Kish effective sample size (sum w)^2 / sum w^2, the design effect from the between-subject variance of the per-subject weighted event counts (at least 1)",
    "two-sided at the Kish effective sample size (sum w)^2 / sum w^2; with 0 (or all) events the exact one-sided bound",
];

const MEAN_HOW: &str = "m +- t(G-1) * se, se^2 = G/(G-1) * sum over clusters c of (sum_c w x - m sum_c w)^2 / (sum w)^2, G clusters (subjects, else rows) of the group; RMSE's interval is the square root of that of the mean squared error; summaries take the range over the box of per-group intervals at level 1 - alpha/G";

/// A group's sums: per part the row moments (and the cluster moments when
/// clustered), its rows, out-of-range estimates and sweep bins.
struct Tally {
    rows: Vec<Moments>,
    clusters: Option<Vec<Moments>>,
    count: f64,
    out_of_range: f64,
    /// Per challenge, the weight under the age and at or over it by bin.
    bins: Vec<f64>,
}

/// Counts the rows of every group of `v`: parallel passes for the row
/// moments and counts, and with subjects one more for the clusters
/// ([`cluster_moments`]).
fn tally(
    v: &View,
    a: &Ages,
    parts: &Parts,
    weight: Weights,
    (clustered, by_subject): (bool, &[u32]),
) -> Vec<Tally> {
    let (groups, k) = (v.groups.len(), parts.len());
    let moments = fold(
        a.truth.len(),
        groups * k,
        |acc: &mut [Moments], i| {
            let g = v.side_a[i];
            if g != MISSING {
                let w = weight.at(i);
                let slot = &mut acc[g as usize * k..(g as usize + 1) * k];
                parts.each(a.truth[i], a.estimate[i], w, |j, d, x| slot[j].add(d, x));
            }
        },
        Moments::merge,
    );
    let extra = 2 + parts.bins();
    let counts = fold(
        a.truth.len(),
        groups * extra,
        |acc: &mut [f64], i| {
            let g = v.side_a[i];
            if g != MISSING {
                let slot = &mut acc[g as usize * extra..(g as usize + 1) * extra];
                slot[0] += 1.0;
                let e = a.estimate[i];
                if !plausible(e) {
                    slot[1] += 1.0;
                }
                parts.bin(a.truth[i], e, weight.at(i), &mut slot[2..]);
            }
        },
        |o, x| *o += x,
    );
    let mut clusters = clustered.then(|| cluster_moments(v, a, parts, weight, by_subject));
    (0..groups)
        .map(|g| Tally {
            rows: moments[g * k..(g + 1) * k].to_vec(),
            clusters: clusters.as_mut().map(|c| c[g * k..(g + 1) * k].to_vec()),
            count: counts[g * extra],
            out_of_range: counts[g * extra + 1],
            bins: counts[g * extra + 2..(g + 1) * extra].to_vec(),
        })
        .collect()
}

/// Rows per chunk of the cluster pass (chunks end where a subject's rows end).
const CLUSTER_CHUNK: usize = 1 << 16;

/// The cluster moments of every group of `v` (groups × parts): the rows in
/// subject order (`by_subject`), each subject's rows of one group summed and
/// added as one unit. Memory follows the groups and parts, not the subjects;
/// chunks are summed on all cores and merged in order (deterministic).
fn cluster_moments(
    v: &View,
    a: &Ages,
    parts: &Parts,
    weight: Weights,
    by_subject: &[u32],
) -> Vec<Moments> {
    let (groups, k) = (v.groups.len(), parts.len());
    let subject = |i: usize| a.subject[by_subject[i] as usize];
    let mut bounds = vec![0];
    let mut i = CLUSTER_CHUNK;
    while i < by_subject.len() {
        while i < by_subject.len() && subject(i) == subject(i - 1) {
            i += 1;
        }
        bounds.push(i);
        i += CLUSTER_CHUNK;
    }
    if bounds.last() != Some(&by_subject.len()) {
        bounds.push(by_subject.len());
    }
    let chunks: Vec<Vec<Moments>> = bounds
        .par_windows(2)
        .map(|w| {
            let mut out = vec![Moments::default(); groups * k];
            // The current subject's groups, each with its offset in `sums`.
            let mut open: Vec<(u32, usize)> = Vec::new();
            let mut sums: Vec<f64> = Vec::new();
            let mut flush = |open: &mut Vec<(u32, usize)>, sums: &mut Vec<f64>| {
                for &(g, off) in open.iter() {
                    for j in 0..k {
                        out[g as usize * k + j].add(sums[off + 2 * j], sums[off + 2 * j + 1]);
                    }
                }
                open.clear();
                sums.clear();
            };
            let mut last = None;
            for &row in &by_subject[w[0]..w[1]] {
                let r = row as usize;
                if last.is_some_and(|s| s != a.subject[r]) {
                    flush(&mut open, &mut sums);
                }
                last = Some(a.subject[r]);
                let g = v.side_a[r];
                if g == MISSING {
                    continue;
                }
                let off = match open.iter().find(|(h, _)| *h == g) {
                    Some(&(_, off)) => off,
                    None => {
                        open.push((g, sums.len()));
                        sums.resize(sums.len() + 2 * k, 0.0);
                        sums.len() - 2 * k
                    }
                };
                parts.each(a.truth[r], a.estimate[r], weight.at(r), |j, d, x| {
                    sums[off + 2 * j] += d;
                    sums[off + 2 * j + 1] += x;
                });
            }
            flush(&mut open, &mut sums);
            out
        })
        .collect();
    let mut total = vec![Moments::default(); groups * k];
    for chunk in &chunks {
        for (t, c) in total.iter_mut().zip(chunk) {
            t.merge(c);
        }
    }
    total
}

impl Tally {
    /// The moments a part's interval rests on: the clusters', else the rows'.
    fn spread(&self, j: usize) -> &Moments {
        self.clusters.as_ref().map_or(&self.rows[j], |c| &c[j])
    }

    /// The mean-type statistic of part j.
    fn mean(&self, metric: &str, j: usize, scale: Scale, ci: CiSpec) -> MeanStat {
        let mut s = MeanStat::of(metric, self.spread(j), scale, ci);
        // The value is the rows' (a cluster's sums add to the same totals).
        let m = self.rows[j].mean();
        s.value = if scale == Scale::Root { m.sqrt() } else { m };
        s
    }

    /// The counted rate of part j (events v of trials d): Kish's effective
    /// size from the rows, the design effect from the clusters.
    fn rate(&self, j: usize, ci: CiSpec, empty: &str) -> Rate {
        let m = &self.rows[j];
        let mut r = match &self.clusters {
            Some(c) if m.d > 0.0 => {
                let s = &c[j];
                let deff = OneWay::from_sums(m.v, m.d, s.units as u64, s.residual_sq(), s.dd)
                    .design_effect(m.d, m.dd);
                Rate::with_design_effect(m.v, m.d, m.dd, deff, ci)
            }
            _ => Rate::weighted(m.v, m.d, m.dd, ci),
        };
        if r.reason.is_some() {
            r.reason = Some(empty.to_string());
        }
        r
    }
}

/// A group's median absolute error, with the order-statistic interval
/// when `exact` gives its level.
fn medians(
    v: &View,
    a: &Ages,
    order: &[u32],
    weight: Weights,
    exact: Option<CiSpec>,
) -> Vec<MeanStat> {
    let groups = v.groups.len();
    let mut total = vec![0.0; groups];
    let mut n = vec![0u64; groups];
    for i in 0..a.truth.len() {
        let g = v.side_a[i];
        if g != MISSING && weight.at(i) > 0.0 {
            total[g as usize] += weight.at(i);
            n[g as usize] += 1;
        }
    }
    // Ranks (1-based) of the interval's ends: the largest l with
    // P(Bin(n, 1/2) ≤ l − 1) ≤ α/2, and n + 1 − l.
    let ranks: Vec<Option<(u64, u64)>> = n
        .iter()
        .map(|&n| {
            let ci = exact.filter(|c| c.method != Method::None)?;
            let half = ci.alpha() / 2.0;
            let l = (1..=n / 2 + 1)
                .take_while(|&l| binomial_cdf(l - 1, n, 0.5) <= half)
                .last()?;
            Some((l, n + 1 - l))
        })
        .collect();
    let mut cum = vec![0.0; groups];
    let mut seen = vec![0u64; groups];
    let mut value = vec![f64::NAN; groups];
    let mut pending = vec![f64::NAN; groups];
    let mut ends = vec![(f64::NAN, f64::NAN); groups];
    for &i in order {
        let i = i as usize;
        let g = v.side_a[i];
        let w = weight.at(i);
        if g == MISSING || w <= 0.0 {
            continue;
        }
        let g = g as usize;
        let x = (a.estimate[i] - a.truth[i]).abs();
        seen[g] += 1;
        if let Some((l, u)) = ranks[g] {
            if seen[g] == l {
                ends[g].0 = x;
            }
            if seen[g] == u {
                ends[g].1 = x;
            }
        }
        if !value[g].is_nan() {
            continue;
        }
        if !pending[g].is_nan() {
            value[g] = 0.5 * (pending[g] + x);
            continue;
        }
        cum[g] += w;
        if cum[g] > 0.5 * total[g] {
            value[g] = x;
        } else if cum[g] == 0.5 * total[g] {
            pending[g] = x;
        }
    }
    (0..groups)
        .map(|g| {
            if n[g] == 0 {
                return MeanStat::plain("median_ae", f64::NAN, Some("no rows".into()));
            }
            let mut s = MeanStat::plain("median_ae", value[g], None);
            match ranks[g] {
                Some(_) => (s.low, s.high) = ends[g],
                None if exact.is_some_and(|c| c.method != Method::None) => {
                    s.reason = Some("too few rows for an order-statistic interval".into())
                }
                None => {}
            }
            s
        })
        .collect()
}

/// The view from its groups' tallies: statistics, rate columns, summaries,
/// tests and sweeps.
fn age_view(
    v: &View,
    tallies: Vec<Tally>,
    medians: Vec<MeanStat>,
    parts: &Parts,
    label: &Option<String>,
    o: &EstimateOptions,
) -> Result<AgeView> {
    let pooled = v.attribute.is_pooled();
    let ci = o.ci;
    let groups: Vec<GroupInfo<AgeCounts>> = v
        .groups
        .iter()
        .zip(&tallies)
        .zip(medians)
        .map(|((name, t), median)| {
            let mut errors = vec![
                t.mean("mae", parts.index(Part::Abs), Scale::NonNegative, ci),
                t.mean("bias", parts.index(Part::Signed), Scale::Signed, ci),
                t.mean("rmse", parts.index(Part::Squared), Scale::Root, ci),
            ];
            errors.push(median);
            let bands = (0..o.bands.len())
                .map(|b| {
                    let abs = parts.index(Part::BandAbs(b));
                    BandErrors {
                        band: o.bands[b].label(),
                        rows: t.rows[abs].units as u64,
                        weight: t.rows[abs].d,
                        mae: t.mean("mae", abs, Scale::NonNegative, ci),
                        bias: t.mean("bias", parts.index(Part::BandSigned(b)), Scale::Signed, ci),
                    }
                })
                .collect();
            GroupInfo {
                group: name.clone(),
                in_summaries: !pooled && t.count >= o.min_group_size as f64,
                counts: AgeCounts {
                    rows: t.count as u64,
                    weight: t.rows[parts.index(Part::Abs)].d,
                    out_of_range: t.out_of_range as u64,
                    errors,
                    bands,
                },
            }
        })
        .collect();
    let column = |metric: String, part: Part, empty: &str, error: bool| {
        let j = parts.index(part);
        let mut c = RateColumn::new(
            metric,
            tallies
                .iter()
                .map(|t| {
                    let r = t.rate(j, ci, empty);
                    if error {
                        r.error_rate()
                    } else {
                        r
                    }
                })
                .collect(),
        );
        c.interval = label.clone();
        c
    };
    let mut operating_points = vec![ViewAt {
        policy: "none".into(),
        threshold: None,
        group_thresholds: None,
        rates: o
            .cs
            .iter()
            .enumerate()
            .map(|(k, theta)| column(cs_metric(*theta), Part::Cs(k), "no rows", false))
            .collect(),
        combined: Vec::new(),
        extra: NoFree {},
    }];
    for (c, ch) in o.challenges.iter().enumerate() {
        operating_points.push(ViewAt {
            policy: ch.policy(),
            threshold: Some(ch.threshold),
            group_thresholds: None,
            rates: vec![
                column(
                    "false_admit".into(),
                    Part::Admit(c),
                    &ch.nobody_under(),
                    true,
                ),
                column(
                    "false_refusal".into(),
                    Part::Refuse(c),
                    &ch.nobody_over(),
                    true,
                ),
            ],
            combined: Vec::new(),
            extra: NoFree {},
        });
    }
    let sweeps = o
        .challenges
        .iter()
        .enumerate()
        .map(|(c, ch)| parts.sweep(c, ch, tallies.iter().map(|t| t.bins.as_slice())))
        .collect();
    let mut view = AgeView {
        attribute: v.attribute.clone(),
        reference: None,
        groups,
        operating_points,
        free: AgeFree {
            summaries: Vec::new(),
            sweeps,
        },
    };
    let size: Vec<f64> = view.groups.iter().map(|g| g.counts.weight).collect();
    let mae: Vec<f64> = view
        .groups
        .iter()
        .map(|g| g.counts.errors[0].value)
        .collect();
    let none = view.included().is_empty();
    let unit = if view
        .groups
        .iter()
        .all(|g| g.counts.weight == g.counts.rows as f64)
    {
        "rows"
    } else {
        "weight of rows"
    };
    finish_view(
        &mut view,
        (&size, unit),
        (&mae, "mean absolute error"),
        &o.reference,
        |m| match m {
            _ if none => Treat::Shown,
            m if m.starts_with("cs@") => Treat::Tested,
            _ => Treat::Error,
        },
    )?;
    if pooled || none {
        return Ok(view);
    }
    let names = view.names();
    let included = view.included();
    let of = |metric: &str| -> Vec<(&str, &MeanStat)> {
        included
            .iter()
            .map(|&g| {
                let c = &view.groups[g].counts;
                (
                    names[g].as_str(),
                    c.error(metric).expect("every group has each error"),
                )
            })
            .collect()
    };
    let mut summaries = mean::summarize("mae", &of("mae"), Scale::NonNegative, true, ci);
    summaries.extend(mean::summarize(
        "bias",
        &of("bias"),
        Scale::Signed,
        false,
        ci,
    ));
    view.free.summaries = summaries;
    for at in view.operating_points.iter_mut().skip(1) {
        let (fa, fr) = (&at.rates[0], &at.rates[1]);
        at.combined = disparity::combined(
            o.alpha,
            ["false_admit", "false_refusal"],
            &fa.entries(&names, &included, true),
            &fr.entries(&names, &included, true),
        );
    }
    Ok(view)
}

/// The metric id of CS(θ): `cs@5`.
pub fn cs_metric(theta: f64) -> String {
    format!("cs@{theta}")
}

/// An age-estimation audit prepared for the bootstrap (intervals off in replicates).
pub struct Resampler<'a> {
    a: &'a Ages,
    prepared: Prepared<'a>,
    opts: EstimateOptions,
    by_subject: bool,
}

impl<'a> Resampler<'a> {
    /// Subjects are drawn when a subject column is given, unless `rows`.
    pub fn new(a: &'a Ages, opts: &EstimateOptions, rows: bool) -> Result<Resampler<'a>> {
        let opts = EstimateOptions {
            ci: opts.ci.without_interval(),
            ..opts.clone()
        };
        Ok(Resampler {
            prepared: prepare(a, &opts)?,
            a,
            opts,
            by_subject: !a.subject.is_empty() && !rows,
        })
    }
}

impl Resample for Resampler<'_> {
    type Output = EstimateResult;

    fn units(&self) -> (Unit, usize) {
        if self.by_subject {
            (Unit::Subject, self.a.n_subjects)
        } else {
            (Unit::Row, self.a.truth.len())
        }
    }

    fn replicate(&self, draw: &[u32]) -> Result<EstimateResult> {
        let a = self.a;
        let weight = Weights {
            w: &a.weight,
            draw,
            unit: if self.by_subject { &a.subject } else { &[] },
        };
        evaluate(a, &self.prepared, &self.opts, weight)
    }
}

impl EstimateResult {
    /// The view of an attribute (`sex`, `sex+region`, `*` pooled).
    pub fn view(&self, attribute: &str) -> Option<&AgeView> {
        crate::counts::table::view(&self.views, attribute)
    }
}

impl Flatten for EstimateResult {
    /// Per view: per group `rows`, `weight`, `out_of_range`, the errors
    /// (`mae`, `bias`, `rmse`, `median_ae`, with their intervals) and per
    /// band `rows:<band>`, `mae:<band>`, `bias:<band>`; the cumulative scores
    /// `cs@θ` (policy `none`); the summaries of the errors; then per
    /// challenge (policy `challenge:AGE:T`, threshold T) the rates, their
    /// summaries and tests.
    fn flatten(&self, out: &mut Vec<value::Value>) {
        for view in &self.views {
            let mut r = Values {
                out: &mut *out,
                attribute: view.attribute.clone(),
            };
            for (g, info) in view.groups.iter().enumerate() {
                let (name, c) = (&info.group, &info.counts);
                r.count(name, "rows", c.rows as f64);
                r.count(name, "weight", c.weight);
                r.count(name, "out_of_range", c.out_of_range as f64);
                for s in &c.errors {
                    statistic(&mut r, name, &s.metric, s);
                }
                for b in &c.bands {
                    r.count(name, &format!("rows:{}", b.band), b.rows as f64);
                    statistic(&mut r, name, &format!("mae:{}", b.band), &b.mae);
                    statistic(&mut r, name, &format!("bias:{}", b.band), &b.bias);
                }
                if let Some(at) = view.operating_points.first() {
                    for col in &at.rates {
                        r.rate(name, "none", None, &col.metric, &col.by_group[g]);
                    }
                }
            }
            if let Some(at) = view.operating_points.first() {
                r.summaries("none", None, at.summaries());
                r.tests("none", None, at.tests());
            }
            r.summaries("none", None, &view.free.summaries);
            for at in view.operating_points.iter().skip(1) {
                let (p, t) = (at.policy.as_str(), at.threshold);
                for (g, info) in view.groups.iter().enumerate() {
                    for col in &at.rates {
                        r.rate(&info.group, p, t, &col.metric, &col.by_group[g]);
                    }
                }
                r.summaries(p, t, at.summaries());
                r.tests(p, t, at.tests());
            }
        }
    }
}

/// A mean-type statistic with its interval, at policy `none`.
fn statistic(r: &mut Values, group: &str, metric: &str, s: &MeanStat) {
    let v = r.push(Kind::Statistic, group, "none", None, metric, s.value);
    v.ci = s.interval();
}
