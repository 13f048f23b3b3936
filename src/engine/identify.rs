//! The 1:N identification engine: per-group FPIR and FNIR at each threshold
//! policy and rank, rank-1 hit rate and CMC, with the disparity summaries.
//!
//! Conventions (scores in similarity orientation; distances negated on input):
//! * FNIR_g(R, T) = share of mated searches of g whose mate is not returned at
//!   rank ≤ R with score ≥ T;
//! * FPIR_g(T) = share of non-mated searches of g with any candidate scoring ≥ T
//!   (their highest non-mate score ≥ T);
//! * rank-1 hit rate and CMC(R) = share of mated searches whose mate is at rank ≤ R,
//!   whatever its score, for R up to the longest candidate list, at most 50
//!   (one row per search: up to the highest mate rank, at most 50);
//! * `investigative` applies no threshold (every returned candidate counts),
//!   as NIST reports investigative searches; `global-fpir:α` sets T by the
//!   exact order-statistic rule of `global-fmr` over the highest scores of
//!   the pooled non-mated searches.

use crate::counts::column::{prefix_sums, Column};
use crate::counts::curves::quantile_thresholds;
use crate::counts::table::{
    self, finish_view, interval_label, GroupInfo, RateColumn, Treat, ViewAt,
};
use crate::counts::threshold::{smallest_supported_rate, supported_targets, Target};
use crate::engine::{Resample, Unit};
use crate::error::{Error, Result};
use crate::groups::{codes_of, views, Attribute, ReferenceRule, View, MISSING};
use crate::input::sense::ScoreSense;
use crate::input::Searches;
use crate::math::interval::{CiSpec, Method};
use crate::stats::disparity;
use crate::stats::rate::{finite_or_null, null_as_nan, Rate};
use crate::value::{Flatten, Value, Values};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// How the threshold of a 1:N operating point is chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum IdPolicy {
    /// Accept candidates scoring at or beyond a fixed threshold.
    Fixed {
        /// The policy as written, e.g. `fixed:0.7`.
        label: String,
        /// The threshold, in input units.
        threshold: f64,
    },
    /// The threshold at which the pooled FPIR is at most α.
    GlobalFpir {
        /// The policy as written, e.g. `global-fpir:0.01`.
        label: String,
        /// The target FPIR α.
        alpha: Target,
    },
    /// No threshold: every returned candidate counts.
    Investigative {
        /// The policy as written (`investigative`).
        label: String,
    },
}

impl IdPolicy {
    /// Parses `fixed:T`, `global-fpir:α` or `investigative`.
    pub fn parse(s: &str) -> Result<IdPolicy> {
        if s == "investigative" {
            return Ok(IdPolicy::Investigative { label: s.into() });
        }
        let bad = |why: &str| {
            Error::option(
                "--threshold",
                format!("{s:?}: {why} (fixed:T, global-fpir:α, investigative)"),
            )
        };
        let (kind, arg) = s
            .split_once(':')
            .ok_or_else(|| bad("expected KIND:VALUE"))?;
        let v: f64 = arg.trim().parse().map_err(|_| bad("not a number"))?;
        let label = format!("{kind}:{}", arg.trim());
        match kind {
            "fixed" if v.is_finite() => Ok(IdPolicy::Fixed {
                label,
                threshold: v,
            }),
            "global-fpir" => match Target::parse(arg.trim()) {
                Ok(alpha) => Ok(IdPolicy::GlobalFpir { label, alpha }),
                Err(why) => Err(bad(&why)),
            },
            _ => Err(bad("unknown kind or value out of range")),
        }
    }

    /// The policy as written.
    pub(crate) fn label(&self) -> &str {
        match self {
            IdPolicy::Fixed { label, .. }
            | IdPolicy::GlobalFpir { label, .. }
            | IdPolicy::Investigative { label } => label,
        }
    }
}

/// Options of an identification audit.
#[derive(Debug, Clone, Serialize)]
pub struct IdentifyOptions {
    /// Empty: `investigative` and the global-fpir targets 1e-1 … 1e-3 that the
    /// non-mated search count supports.
    pub policies: Vec<IdPolicy>,
    /// Ranks R of FNIR(R, T) (default 1).
    pub ranks: Vec<u32>,
    /// Weight α of FPIR in FDR, IR, GARBE and WERM.
    pub alpha: f64,
    /// Groups with min(mated, non-mated searches) below this stay out of the summaries.
    pub min_group_size: u64,
    /// Interval method and level of every rate.
    pub ci: CiSpec,
    /// Reference group rules.
    pub reference: Vec<ReferenceRule>,
    /// Scores are distances (shown thresholds are in distance units).
    pub distance: bool,
}

impl Default for IdentifyOptions {
    fn default() -> Self {
        IdentifyOptions {
            policies: Vec::new(),
            ranks: vec![1],
            alpha: 0.5,
            min_group_size: 1,
            ci: CiSpec::default(),
            reference: Vec::new(),
            distance: false,
        }
    }
}

/// A 1:N policy resolved on the pooled non-mated searches.
pub type IdOperatingPoint = crate::counts::threshold::OperatingPoint<IdPolicy>;

/// Counts of one group of a 1:N view.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdentifyCounts {
    /// Mated searches of the group (probe's mate enrolled).
    pub mated_searches: u64,
    /// Non-mated searches of the group.
    pub nonmated_searches: u64,
}

/// What a 1:N view has at an operating point besides its rate columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdentifyAt {
    /// Per probe group, the share of its false-positive candidates (non-mate
    /// candidates scoring ≥ T) whose own group is the probe's; only with
    /// candidate lists and candidate attributes from the subjects table.
    pub false_candidates_same_group: Option<Vec<Rate>>,
}

/// What a 1:N view computes without a threshold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdentifyFree {
    /// Rank-1 hit rate of each group.
    pub rank1: Vec<Rate>,
    /// CMC(R) of each group for R = 1 … `cmc_ranks`.
    pub cmc: Vec<Vec<Rate>>,
    /// The largest rank R of the CMC: the longest candidate list, at most 50
    /// (with one row per search, the highest mate rank, at most 50).
    pub cmc_ranks: u32,
    /// Per group: [threshold (input units), FPIR, FNIR at rank 1] at up to
    /// 202 thresholds (quantiles of the non-mated top scores and mate scores).
    pub curves: Vec<Vec<[f64; 3]>>,
}

/// One 1:N view: per group FPIR, and FNIR at every rank, at every policy.
/// The columns are `fpir`, then `fnir` (rank 1) or `fnir@R` for each rank;
/// FDR, IR, GARBE and WERM over FPIR and FNIR@R close the FNIR@R column's
/// summaries (named `fdr`, … at rank 1 and `fdr@R`, … else).
pub type IdView = table::ViewResult<IdentifyCounts, IdentifyAt, IdentifyFree>;

/// The FNIR column id at rank R.
pub(crate) fn fnir_metric(rank: u32) -> String {
    if rank == 1 {
        "fnir".to_string()
    } else {
        format!("fnir@{rank}")
    }
}

/// The identification part of a report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdentifyResult {
    /// Whether scores are similarities or distances.
    pub score_sense: ScoreSense,
    /// Searches audited.
    pub searches: u64,
    /// Mated searches audited (the rest are non-mated).
    pub mated_searches: u64,
    /// The policies resolved on the pooled non-mated searches, in option order.
    pub operating_points: Vec<IdOperatingPoint>,
    /// The ranks R of FNIR(R, T), in column order after FPIR.
    pub ranks: Vec<u32>,
    /// One result per view (pooled, each attribute, intersections).
    pub views: Vec<IdView>,
    /// Notes for the reader (skipped policies, …).
    pub notes: Vec<String>,
    /// Weight α of FPIR in FDR, IR, GARBE and WERM.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub alpha: f64,
    /// Said once at the top of every report: searches carry no probe
    /// subject ids, so the intervals assume independent searches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_caution: Option<String>,
}

/// The caution of a 1:N report with intervals.
pub const INDEPENDENT_SEARCHES: &str = "searches carry no probe subject ids: the intervals assume independent searches and may be too narrow when a subject is searched with several probes (the bootstrap resamples searches too)";

/// Default policies: investigative, then the global-fpir targets 1e-1 … 1e-3
/// that `pool` non-mated searches support (α ≥ 1 − 0.05^(1/N)).
fn default_policies(pool: usize) -> (Vec<IdPolicy>, Vec<String>) {
    let (targets, notes) = supported_targets(
        pool,
        3,
        "global-fpir",
        "non-mated searches",
        |label, alpha| IdPolicy::GlobalFpir { label, alpha },
    );
    let investigative = IdPolicy::Investigative {
        label: "investigative".into(),
    };
    (
        std::iter::once(investigative).chain(targets).collect(),
        notes,
    )
}

/// A mated search of a group: the mate's rank (0 when not returned), its
/// score and the search's row.
#[derive(Debug, Clone, Copy)]
struct Mate {
    rank: u32,
    score: f64,
    row: u32,
}

/// The searches of one view split by group: each group's top non-mate
/// scores in ascending order (with their rows) and its mated searches.
struct ViewData<'a> {
    view: View<'a>,
    top: Vec<Vec<f64>>,
    top_rows: Vec<Vec<u32>>,
    mates: Vec<Vec<Mate>>,
}

/// What the audit sorts once: the pooled non-mated top scores (with their
/// rows) and every view's groups. A bootstrap replicate re-weights it.
pub(crate) struct Prepared<'a> {
    pool: Vec<f64>,
    pool_rows: Vec<u32>,
    views: Vec<ViewData<'a>>,
    max_rank: u32,
}

/// Splits the searches by view and group and sorts what needs sorting.
pub(crate) fn prepare<'a>(s: &'a Searches, o: &IdentifyOptions) -> Result<Prepared<'a>> {
    if o.ranks.is_empty() || o.ranks.contains(&0) {
        return Err(Error::option("--rank", "takes whole numbers from 1"));
    }
    let n = s.mated.len();
    let mut pool: Vec<(f64, u32)> = (0..n)
        .filter(|&i| !s.mated[i])
        .map(|i| (s.top_nonmate[i], i as u32))
        .collect();
    pool.par_sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let (pool, pool_rows) = pool.into_iter().unzip();
    let codes = codes_of(&s.attributes, true);
    let views = views(n, &codes)
        .into_par_iter()
        .map(|view| {
            let ng = view.groups.len();
            let mut top: Vec<Vec<(f64, u32)>> = vec![Vec::new(); ng];
            let mut mates: Vec<Vec<Mate>> = vec![Vec::new(); ng];
            for i in 0..n {
                let g = view.side_a[i];
                if g == MISSING {
                    continue;
                }
                if s.mated[i] {
                    mates[g as usize].push(Mate {
                        rank: s.mate_rank[i],
                        score: s.mate_score[i],
                        row: i as u32,
                    });
                } else {
                    top[g as usize].push((s.top_nonmate[i], i as u32));
                }
            }
            let (top, top_rows) = top
                .into_iter()
                .map(|mut t| {
                    t.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
                    t.into_iter().unzip::<f64, u32, Vec<f64>, Vec<u32>>()
                })
                .unzip();
            ViewData {
                view,
                top,
                top_rows,
                mates,
            }
        })
        .collect();
    Ok(Prepared {
        pool,
        pool_rows,
        views,
        max_rank: cmc_ranks(s),
    })
}

/// The highest rank R of the CMC when lists are longer.
pub(crate) const CMC_MAX_RANK: u32 = 50;

/// The ranks of the CMC: up to the longest candidate list, at most
/// [`CMC_MAX_RANK`] (beyond its list no search can find its mate, so the CMC
/// is flat there). One row per search does not record how long the lists
/// were: its longest list is taken as the highest mate rank.
fn cmc_ranks(s: &Searches) -> u32 {
    let highest_mate = || s.mate_rank.iter().copied().max().unwrap_or(0);
    s.longest_list
        .unwrap_or_else(highest_mate)
        .clamp(1, CMC_MAX_RANK)
}

/// Runs the audit.
pub fn audit(s: &Searches, o: &IdentifyOptions) -> Result<IdentifyResult> {
    evaluate(s, &prepare(s, o)?, o, None)
}

/// The audit of prepared searches, each weighing 1 or `weights[search]`
/// (a bootstrap replicate; the figure curves are then left out).
pub(crate) fn evaluate(
    s: &Searches,
    p: &Prepared,
    o: &IdentifyOptions,
    weights: Option<&[u32]>,
) -> Result<IdentifyResult> {
    let sense = ScoreSense::from_distance(o.distance);
    let n = s.mated.len();
    let pool_prefix = weights.map(|w| prefix_sums(&p.pool_rows, |r| w[r as usize] as u64));
    let pool_col = match &pool_prefix {
        None => Column::unit(&p.pool),
        Some(x) => Column::weighted(&p.pool, x),
    };
    let (policies, mut notes) = if o.policies.is_empty() {
        default_policies(p.pool.len())
    } else {
        (o.policies.clone(), Vec::new())
    };
    let thresholds: Vec<Option<f64>> = policies
        .iter()
        .map(|q| match *q {
            IdPolicy::Fixed { threshold, .. } => Some(sense.internal(threshold)),
            IdPolicy::GlobalFpir { alpha, .. } => pool_col.fmr_threshold(alpha),
            // Any returned candidate counts; searches that returned none (−∞) do not.
            IdPolicy::Investigative { .. } => Some(f64::MIN),
        })
        .collect();
    let points = policies
        .iter()
        .zip(&thresholds)
        .map(|(q, &t)| IdOperatingPoint {
            policy: q.label().into(),
            spec: q.clone(),
            threshold: t.filter(|&t| t > f64::MIN).map(|t| sense.shown(t)),
            pool: p.pool.len() as u64,
            achieved: t.map(|t| {
                Rate::weighted(
                    pool_col.at_or_above(t),
                    pool_col.total(),
                    pool_col.total(),
                    o.ci,
                )
            }),
            supported: match *q {
                IdPolicy::GlobalFpir { alpha, .. } => {
                    Some(alpha.value() >= smallest_supported_rate(p.pool.len()))
                }
                _ => None,
            },
        })
        .collect();
    let out: Vec<IdView> = p
        .views
        .par_iter()
        .map(|d| view(s, d, &thresholds, &policies, o, p.max_rank, weights))
        .collect::<Result<_>>()?;
    if p.pool.is_empty() {
        notes.push("no non-mated searches: FPIR and global-fpir thresholds are undefined".into());
    }
    Ok(IdentifyResult {
        score_sense: sense,
        searches: n as u64,
        mated_searches: s.mated.iter().filter(|&&m| m).count() as u64,
        operating_points: points,
        ranks: o.ranks.clone(),
        views: out,
        notes,
        alpha: o.alpha,
        interval_caution: (o.ci.method != Method::None).then(|| INDEPENDENT_SEARCHES.to_string()),
    })
}

/// A 1:N audit prepared for the bootstrap: searches are drawn (intervals off
/// in replicates).
pub struct Resampler<'a> {
    s: &'a Searches,
    prepared: Prepared<'a>,
    opts: IdentifyOptions,
}

impl<'a> Resampler<'a> {
    /// Prepares the audit once; replicates draw searches (intervals off).
    pub fn new(s: &'a Searches, opts: &IdentifyOptions) -> Result<Resampler<'a>> {
        let opts = IdentifyOptions {
            ci: opts.ci.without_interval(),
            ..opts.clone()
        };
        Ok(Resampler {
            prepared: prepare(s, &opts)?,
            s,
            opts,
        })
    }
}

impl Resample for Resampler<'_> {
    type Output = IdentifyResult;

    fn units(&self) -> (Unit, usize) {
        (Unit::Row, self.s.mated.len())
    }

    fn replicate(&self, draw: &[u32]) -> Result<IdentifyResult> {
        evaluate(self.s, &self.prepared, &self.opts, Some(draw))
    }
}

/// One view's searches with their weights (1, or a replicate's counts).
struct Weighed<'a> {
    s: &'a Searches,
    d: &'a ViewData<'a>,
    weights: Option<&'a [u32]>,
    /// Prefix sums of each group's top non-mate weights (weighted only).
    prefixes: Option<Vec<Vec<u64>>>,
    /// Weight of each group's mated searches.
    mated: Vec<f64>,
}

impl<'a> Weighed<'a> {
    fn new(s: &'a Searches, d: &'a ViewData<'a>, weights: Option<&'a [u32]>) -> Weighed<'a> {
        let prefixes = weights.map(|x| {
            d.top_rows
                .iter()
                .map(|rows| prefix_sums(rows, |r| x[r as usize] as u64))
                .collect()
        });
        let mut w = Weighed {
            s,
            d,
            weights,
            prefixes,
            mated: Vec::new(),
        };
        w.mated = d
            .mates
            .iter()
            .map(|m| m.iter().map(|x| w.w(x.row)).sum())
            .collect();
        w
    }

    fn w(&self, row: u32) -> f64 {
        self.weights.map_or(1.0, |w| w[row as usize] as f64)
    }

    /// Group g's top non-mate scores, weighted.
    fn top(&self, g: usize) -> Column<'_> {
        match &self.prefixes {
            None => Column::unit(&self.d.top[g]),
            Some(x) => Column::weighted(&self.d.top[g], &x[g]),
        }
    }

    /// (weight of g's mated searches where `hit`, weight of all of them).
    fn share(&self, g: usize, hit: impl Fn(&Mate) -> bool) -> (f64, f64) {
        let k = self.d.mates[g]
            .iter()
            .filter(|m| hit(m))
            .map(|m| self.w(m.row))
            .sum();
        (k, self.mated[g])
    }

    /// The view at one policy (threshold `t`, similarity units): FPIR and
    /// FNIR at every rank per group, and the false candidates' make-up.
    fn at(&self, q: &IdPolicy, t: Option<f64>, o: &IdentifyOptions) -> ViewAt<IdentifyAt> {
        let ng = self.d.view.groups.len();
        let rate = |(k, n): (f64, f64)| Rate::weighted(k, n, n, o.ci).error_rate();
        let undefined =
            |n: usize| Rate::undefined(n as u64, "no threshold: no non-mated searches to set it");
        let fpir: Vec<Rate> = (0..ng)
            .map(|g| match t {
                Some(t) => rate((self.top(g).at_or_above(t), self.top(g).total())),
                None => undefined(self.d.top[g].len()),
            })
            .collect();
        let mut rates = vec![RateColumn::new("fpir", fpir)];
        for &r in &o.ranks {
            let fnir: Vec<Rate> = (0..ng)
                .map(|g| match t {
                    Some(t) => rate(self.share(g, |m| m.rank == 0 || m.rank > r || m.score < t)),
                    None => undefined(self.d.mates[g].len()),
                })
                .collect();
            rates.push(RateColumn::new(fnir_metric(r), fnir));
        }
        let label = interval_label(o.ci, None, "searches");
        for c in &mut rates {
            c.interval = label.clone();
        }
        let w = |row: u32| self.w(row);
        ViewAt {
            policy: q.label().into(),
            threshold: t
                .filter(|&t| t > f64::MIN)
                .map(|t| ScoreSense::from_distance(o.distance).shown(t)),
            group_thresholds: None,
            rates,
            combined: Vec::new(),
            extra: IdentifyAt {
                false_candidates_same_group: t
                    .and_then(|t| own_group_share(self.s, &self.d.view, t, o.ci, &w)),
            },
        }
    }
}

fn view(
    s: &Searches,
    d: &ViewData,
    thresholds: &[Option<f64>],
    policies: &[IdPolicy],
    o: &IdentifyOptions,
    max_rank: u32,
    weights: Option<&[u32]>,
) -> Result<IdView> {
    let v = &d.view;
    let ng = v.groups.len();
    let pooled = v.attribute.is_pooled();
    let x = Weighed::new(s, d, weights);
    let groups: Vec<GroupInfo<IdentifyCounts>> = (0..ng)
        .map(|g| {
            let (m, nm) = (d.mates[g].len() as u64, d.top[g].len() as u64);
            GroupInfo {
                group: v.groups[g].clone(),
                in_summaries: !pooled && m.min(nm) >= o.min_group_size,
                counts: IdentifyCounts {
                    mated_searches: m,
                    nonmated_searches: nm,
                },
            }
        })
        .collect();
    let hit_rate = |g: usize, r: u32| {
        let (k, n) = x.share(g, |m| m.rank >= 1 && m.rank <= r);
        Rate::weighted(k, n, n, o.ci)
    };
    let cmc: Vec<Vec<Rate>> = (0..ng)
        .map(|g| (1..=max_rank).map(|r| hit_rate(g, r)).collect())
        .collect();
    let curves = match weights {
        Some(_) => Vec::new(),
        None => (0..ng)
            .map(|g| threshold_curve(&d.top[g], &d.mates[g], o))
            .collect(),
    };
    let mut view = IdView {
        attribute: v.attribute.clone(),
        reference: None,
        groups,
        operating_points: policies
            .iter()
            .zip(thresholds)
            .map(|(q, &t)| x.at(q, t, o))
            .collect(),
        free: IdentifyFree {
            rank1: (0..ng).map(|g| hit_rate(g, 1)).collect(),
            cmc,
            cmc_ranks: max_rank,
            curves,
        },
    };
    let size: Vec<f64> = (0..ng)
        .map(|g| (d.mates[g].len() + d.top[g].len()) as f64)
        .collect();
    let miss1: Vec<f64> = view.free.rank1.iter().map(|r| 1.0 - r.value).collect();
    finish_view(
        &mut view,
        (&size, "searches"),
        (&miss1, "rank-1 miss rate"),
        &o.reference,
        |_| Treat::Error,
    )?;
    if !pooled {
        pair_summaries(&mut view, o);
    }
    Ok(view)
}

/// FDR, IR, GARBE and WERM over FPIR and FNIR@R (in the roles of FMR and
/// FNMR) close each FNIR column's summaries (`fdr@R`, … for R ≠ 1).
fn pair_summaries(view: &mut IdView, o: &IdentifyOptions) {
    let names = view.names();
    let included = view.included();
    for at in &mut view.operating_points {
        let (fpir, fnir) = at.rates.split_first_mut().expect("an FPIR column");
        let fp = fpir.entries(&names, &included, true);
        for (col, &r) in fnir.iter_mut().zip(&o.ranks) {
            let pair = [fpir.metric.as_str(), col.metric.as_str()];
            let fn_ = col.entries(&names, &included, true);
            for mut c in disparity::combined(o.alpha, pair, &fp, &fn_) {
                if r != 1 {
                    c.metric = format!("{}@{r}", c.metric);
                }
                col.summaries.push(c);
            }
        }
    }
}

/// Per probe group of `v`: of the non-mate candidates scoring ≥ t, the share
/// from the probe's own group (candidates of unknown group are left out).
/// `None` for the pooled view or without candidate attributes.
fn own_group_share(
    s: &Searches,
    v: &View,
    t: f64,
    ci: CiSpec,
    w: &dyn Fn(u32) -> f64,
) -> Option<Vec<Rate>> {
    let fc = &s.false_candidates;
    let attrs: Vec<usize> = match s
        .attributes
        .iter()
        .position(|a| v.attribute == Attribute::One(a.name.clone()))
    {
        _ if v.attribute.is_pooled() || fc.search.is_empty() => return None,
        Some(j) => vec![j],
        None => (0..s.attributes.len()).collect(),
    };
    if attrs
        .iter()
        .all(|&j| fc.codes[j].iter().all(|&c| c == MISSING))
    {
        return None;
    }
    let mut same = vec![0.0; v.groups.len()];
    let mut total = vec![0.0; v.groups.len()];
    for i in 0..fc.search.len() {
        let q = fc.search[i] as usize;
        let g = v.side_a[q];
        if g == MISSING || fc.score[i] < t || attrs.iter().any(|&j| fc.codes[j][i] == MISSING) {
            continue;
        }
        total[g as usize] += w(q as u32);
        if attrs
            .iter()
            .all(|&j| fc.codes[j][i] == s.attributes[j].side_a[q])
        {
            same[g as usize] += w(q as u32);
        }
    }
    Some(
        same.iter()
            .zip(&total)
            .map(|(&k, &n)| Rate::weighted(k, n, n, ci))
            .collect(),
    )
}

/// FPIR and rank-1 FNIR of one group at thresholds spread over the
/// quantiles of its finite non-mated top scores and mate scores.
fn threshold_curve(top: &[f64], mates: &[Mate], o: &IdentifyOptions) -> Vec<[f64; 3]> {
    let mut scores: Vec<f64> = mates
        .iter()
        .map(|m| m.score)
        .filter(|x| x.is_finite())
        .collect();
    scores.sort_by(f64::total_cmp);
    let finite_top: Vec<f64> = top.iter().copied().filter(|x| x.is_finite()).collect();
    let t = quantile_thresholds(&finite_top, &scores);
    let sense = ScoreSense::from_distance(o.distance);
    let (nt, nm) = (top.len() as f64, mates.len() as f64);
    t.iter()
        .map(|&x| {
            let fpir = if nt > 0.0 {
                Column::unit(top).at_or_above(x) / nt
            } else {
                f64::NAN
            };
            let miss = mates.iter().filter(|m| m.rank != 1 || m.score < x).count() as f64;
            [
                sense.shown(x),
                fpir,
                if nm > 0.0 { miss / nm } else { f64::NAN },
            ]
        })
        .collect()
}

impl Flatten for IdentifyResult {
    /// Per view: per group `searches_mated`, `searches_nonmated`, `rank1` and
    /// `cmc@R` (policy `none`); at each policy every group's FPIR (and
    /// `fp_candidates_same_group` with candidate attributes), FPIR's
    /// summaries, then per rank every group's FNIR, its summaries (with FPIR
    /// and FNIR in the roles of FMR and FNMR) and the tests (FPIR's with
    /// the first rank).
    fn flatten(&self, out: &mut Vec<Value>) {
        for view in &self.views {
            let mut r = Values {
                out: &mut *out,
                attribute: view.attribute.clone(),
            };
            for (g, info) in view.groups.iter().enumerate() {
                r.count(
                    &info.group,
                    "searches_mated",
                    info.counts.mated_searches as f64,
                );
                r.count(
                    &info.group,
                    "searches_nonmated",
                    info.counts.nonmated_searches as f64,
                );
                r.rate(&info.group, "none", None, "rank1", &view.free.rank1[g]);
                for (k, c) in view.free.cmc[g].iter().enumerate() {
                    r.rate(&info.group, "none", None, &format!("cmc@{}", k + 1), c);
                }
            }
            for at in &view.operating_points {
                let (p, t) = (at.policy.as_str(), at.threshold);
                let (fpir, fnir) = at.rates.split_first().expect("an FPIR column");
                for (g, info) in view.groups.iter().enumerate() {
                    r.rate(&info.group, p, t, "fpir", &fpir.by_group[g]);
                    if let Some(share) = &at.extra.false_candidates_same_group {
                        r.rate(&info.group, p, t, "fp_candidates_same_group", &share[g]);
                    }
                }
                r.summaries(p, t, &fpir.summaries);
                for (k, col) in fnir.iter().enumerate() {
                    for (g, info) in view.groups.iter().enumerate() {
                        r.rate(&info.group, p, t, &col.metric, &col.by_group[g]);
                    }
                    r.summaries(p, t, &col.summaries);
                    let first = (k == 0).then_some(&fpir.tests).into_iter().flatten();
                    r.tests(p, t, first.chain(&col.tests));
                }
            }
        }
    }
}
