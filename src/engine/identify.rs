//! The 1:N identification engine: per-group FPIR and FNIR at each threshold
//! policy and rank, rank-1 hit rate and CMC, with the disparity summaries.
//!
//! Conventions (scores in similarity orientation; distances negated on input):
//! * FNIR_g(R, T) = share of mated searches of g whose mate is not returned at
//!   rank ≤ R with score ≥ T;
//! * FPIR_g(T) = share of non-mated searches of g with any candidate scoring ≥ T
//!   (their highest non-mate score ≥ T);
//! * rank-1 hit rate and CMC(R) = share of mated searches whose mate is at rank ≤ R,
//!   whatever its score;
//! * `investigative` applies no threshold (every returned candidate counts),
//!   as NIST reports investigative searches; `global-fpir:α` sets T by the
//!   exact order-statistic rule of `global-fmr` over the highest scores of
//!   the pooled non-mated searches.

use crate::counts::column::Column;
use crate::counts::threshold::{smallest_supported_rate, supported_targets};
use crate::error::{Error, Result};
use crate::groups::{choose_reference, views, AttributeCodes, Reference, MISSING};
use crate::input::Searches;
use crate::math::interval::CiSpec;
use crate::stats::disparity::{self, Entry, Summary};
use crate::stats::rate::{finite_or_null, Rate};
use crate::stats::significance::{self, RateTests};
use rayon::prelude::*;
use serde::Serialize;

/// How the threshold of a 1:N operating point is chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum IdPolicy {
    Fixed {
        label: String,
        threshold: f64,
    },
    GlobalFpir {
        label: String,
        alpha: f64,
    },
    /// No threshold: every returned candidate counts.
    Investigative {
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
            "global-fpir" if v > 0.0 && v <= 1.0 => Ok(IdPolicy::GlobalFpir { label, alpha: v }),
            _ => Err(bad("unknown kind or value out of range")),
        }
    }

    pub fn label(&self) -> &str {
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
    pub alpha: f64,
    pub min_group_size: u64,
    pub ci: CiSpec,
    pub reference: Vec<String>,
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

/// Counts of one group.
#[derive(Debug, Clone, Serialize)]
pub struct IdGroupInfo {
    pub group: String,
    pub mated_searches: u64,
    pub nonmated_searches: u64,
    pub in_summaries: bool,
}

/// FNIR of every group at one rank.
#[derive(Debug, Clone, Serialize)]
pub struct AtRank {
    pub rank: u32,
    pub fnir: Vec<Rate>,
    pub summaries: Vec<Summary>,
    pub tests: Vec<RateTests>,
}

/// A view at one operating point.
#[derive(Debug, Clone, Serialize)]
pub struct IdViewAt {
    pub policy: String,
    /// FPIR of each group (in the order of `groups`).
    pub fpir: Vec<Rate>,
    /// Per probe group, the share of its false-positive candidates (non-mate
    /// candidates scoring ≥ T) whose own group is the probe's; only with
    /// candidate lists and candidate attributes from the subjects table.
    pub false_candidates_same_group: Option<Vec<Rate>>,
    pub fpir_summaries: Vec<Summary>,
    pub ranks: Vec<AtRank>,
}

/// One view's results.
#[derive(Debug, Clone, Serialize)]
pub struct IdView {
    pub attribute: String,
    pub groups: Vec<IdGroupInfo>,
    pub reference: Option<Reference>,
    pub operating_points: Vec<IdViewAt>,
    /// Rank-1 hit rate of each group.
    pub rank1: Vec<Rate>,
    /// CMC(R) of each group for R = 1 … `cmc_ranks`.
    pub cmc: Vec<Vec<Rate>>,
    pub cmc_ranks: u32,
    /// Per group: [threshold (input units), FPIR, FNIR at rank 1] at up to
    /// 202 thresholds (quantiles of the non-mated top scores and mate scores).
    pub curves: Vec<Vec<[f64; 3]>>,
}

/// The identification part of a report.
#[derive(Debug, Clone, Serialize)]
pub struct IdentifyResult {
    pub score_sense: &'static str,
    pub searches: u64,
    pub mated_searches: u64,
    pub operating_points: Vec<IdOperatingPoint>,
    pub views: Vec<IdView>,
    pub notes: Vec<String>,
    #[serde(serialize_with = "finite_or_null")]
    pub alpha: f64,
}

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

/// Runs the audit.
pub fn audit(s: &Searches, o: &IdentifyOptions) -> Result<IdentifyResult> {
    if o.ranks.is_empty() || o.ranks.contains(&0) {
        return Err(Error::option("--rank", "takes whole numbers from 1"));
    }
    let shown = |t: f64| if o.distance { -t + 0.0 } else { t };
    let internal = shown;
    let n = s.mated.len();
    let mut pool: Vec<f64> = (0..n)
        .filter(|&i| !s.mated[i])
        .map(|i| s.top_nonmate[i])
        .collect();
    pool.par_sort_unstable_by(f64::total_cmp);
    let pool_col = Column::unit(&pool);
    let (policies, mut notes) = if o.policies.is_empty() {
        default_policies(pool.len())
    } else {
        (o.policies.clone(), Vec::new())
    };
    let thresholds: Vec<Option<f64>> = policies
        .iter()
        .map(|p| match *p {
            IdPolicy::Fixed { threshold, .. } => Some(internal(threshold)),
            IdPolicy::GlobalFpir { alpha, .. } => pool_col.fmr_threshold(alpha),
            // Any returned candidate counts; searches that returned none (−∞) do not.
            IdPolicy::Investigative { .. } => Some(f64::MIN),
        })
        .collect();
    let points = policies
        .iter()
        .zip(&thresholds)
        .map(|(p, &t)| IdOperatingPoint {
            policy: p.label().into(),
            spec: p.clone(),
            threshold: t.filter(|&t| t > f64::MIN).map(shown),
            pool: pool.len() as u64,
            achieved: t.map(|t| {
                Rate::weighted(
                    pool_col.at_or_above(t),
                    pool_col.total(),
                    pool_col.total(),
                    o.ci,
                )
            }),
            supported: match *p {
                IdPolicy::GlobalFpir { alpha, .. } => {
                    Some(alpha >= smallest_supported_rate(pool.len()))
                }
                _ => None,
            },
        })
        .collect();
    let max_rank = s.mate_rank.iter().copied().max().unwrap_or(0).clamp(1, 50);
    let codes: Vec<AttributeCodes> = s
        .attributes
        .iter()
        .map(|a| AttributeCodes {
            name: &a.name,
            values: &a.values,
            side_a: &a.side_a,
            side_b: &a.side_a,
        })
        .collect();
    let all = views(n, &codes);
    let out: Vec<IdView> = all
        .par_iter()
        .map(|v| view(s, v, &thresholds, &policies, o, max_rank))
        .collect::<Result<_>>()?;
    if pool.is_empty() {
        notes.push("no non-mated searches: FPIR and global-fpir thresholds are undefined".into());
    }
    Ok(IdentifyResult {
        score_sense: if o.distance { "distance" } else { "similarity" },
        searches: n as u64,
        mated_searches: s.mated.iter().filter(|&&m| m).count() as u64,
        operating_points: points,
        views: out,
        notes,
        alpha: o.alpha,
    })
}

fn view(
    s: &Searches,
    v: &crate::groups::View,
    thresholds: &[Option<f64>],
    policies: &[IdPolicy],
    o: &IdentifyOptions,
    max_rank: u32,
) -> Result<IdView> {
    let ng = v.groups.len();
    let pooled = v.attribute == "*";
    // Per group: sorted top non-mate scores, and (rank, score) of mated searches.
    let mut top: Vec<Vec<f64>> = vec![Vec::new(); ng];
    let mut mates: Vec<Vec<(u32, f64)>> = vec![Vec::new(); ng];
    for i in 0..s.mated.len() {
        let g = v.side_a[i];
        if g == MISSING {
            continue;
        }
        if s.mated[i] {
            mates[g as usize].push((s.mate_rank[i], s.mate_score[i]));
        } else {
            top[g as usize].push(s.top_nonmate[i]);
        }
    }
    top.par_iter_mut()
        .for_each(|t| t.sort_unstable_by(f64::total_cmp));
    let groups: Vec<IdGroupInfo> = (0..ng)
        .map(|g| {
            let (m, nm) = (mates[g].len() as u64, top[g].len() as u64);
            IdGroupInfo {
                group: v.groups[g].clone(),
                mated_searches: m,
                nonmated_searches: nm,
                in_summaries: !pooled && m.min(nm) >= o.min_group_size,
            }
        })
        .collect();
    let included: Vec<usize> = (0..ng).filter(|&g| groups[g].in_summaries).collect();
    let hits =
        |g: usize, r: u32| mates[g].iter().filter(|(k, _)| *k >= 1 && *k <= r).count() as u64;
    let rank1: Vec<Rate> = (0..ng)
        .map(|g| Rate::new(hits(g, 1), mates[g].len() as u64, o.ci))
        .collect();
    let cmc: Vec<Vec<Rate>> = (0..ng)
        .map(|g| {
            (1..=max_rank)
                .map(|r| Rate::new(hits(g, r), mates[g].len() as u64, o.ci))
                .collect()
        })
        .collect();
    let candidates: Vec<(&str, f64, f64)> = included
        .iter()
        .map(|&g| {
            (
                v.groups[g].as_str(),
                (mates[g].len() + top[g].len()) as f64,
                1.0 - rank1[g].value,
            )
        })
        .collect();
    let reference = if pooled {
        None
    } else {
        choose_reference(&v.attribute, &v.groups, &candidates, &o.reference)?
    };
    let ref_name = reference.as_ref().map(|r| r.group.as_str());
    let entries = |rates: &[Rate], name: &str| -> (Vec<Summary>, RateTests) {
        let e: Vec<Entry> = included
            .iter()
            .map(|&g| Entry {
                group: &v.groups[g],
                value: rates[g].value,
                counts: Some((rates[g].events, rates[g].trials)),
            })
            .collect();
        let picked: Vec<(&str, &Rate)> = included
            .iter()
            .map(|&g| (v.groups[g].as_str(), &rates[g]))
            .collect();
        (
            disparity::summarize(name, &e),
            significance::rate_tests(name, &picked, ref_name),
        )
    };
    let operating_points = policies
        .iter()
        .zip(thresholds)
        .map(|(p, &t)| {
            let undefined = |n: usize| {
                Rate::undefined(n as u64, "no threshold: no non-mated searches to set it")
            };
            let fpir: Vec<Rate> = (0..ng)
                .map(|g| match t {
                    Some(t) => Rate::new(
                        Column::unit(&top[g]).at_or_above(t) as u64,
                        top[g].len() as u64,
                        o.ci,
                    )
                    .error_rate(),
                    None => undefined(top[g].len()),
                })
                .collect();
            let (fpir_summaries, fpir_tests) = if pooled {
                (Vec::new(), None)
            } else {
                let (a, b) = entries(&fpir, "fpir");
                (a, Some(b))
            };
            let mut ranks = o
                .ranks
                .iter()
                .map(|&r| {
                    let fnir: Vec<Rate> = (0..ng)
                        .map(|g| match t {
                            Some(t) => {
                                let miss = mates[g]
                                    .iter()
                                    .filter(|&&(k, sc)| k == 0 || k > r || sc < t)
                                    .count();
                                Rate::new(miss as u64, mates[g].len() as u64, o.ci).error_rate()
                            }
                            None => undefined(mates[g].len()),
                        })
                        .collect();
                    let name = if r == 1 {
                        "fnir".to_string()
                    } else {
                        format!("fnir@{r}")
                    };
                    let (mut summaries, tests) = if pooled {
                        (Vec::new(), Vec::new())
                    } else {
                        let (a, b) = entries(&fnir, &name);
                        (a, vec![b])
                    };
                    if !pooled {
                        let fp: Vec<Entry> = included
                            .iter()
                            .map(|&g| Entry {
                                group: &v.groups[g],
                                value: fpir[g].value,
                                counts: Some((fpir[g].events, fpir[g].trials)),
                            })
                            .collect();
                        let fn_: Vec<Entry> = included
                            .iter()
                            .map(|&g| Entry {
                                group: &v.groups[g],
                                value: fnir[g].value,
                                counts: Some((fnir[g].events, fnir[g].trials)),
                            })
                            .collect();
                        for mut c in disparity::combined(o.alpha, &fp, &fn_) {
                            if r != 1 {
                                c.metric = format!("{}@{r}", c.metric);
                            }
                            summaries.push(c);
                        }
                    }
                    AtRank {
                        rank: r,
                        fnir,
                        summaries,
                        tests,
                    }
                })
                .collect::<Vec<_>>();
            // FPIR's tests go with the first rank (FPIR does not depend on it).
            if let (Some(t), Some(first)) = (fpir_tests, ranks.first_mut()) {
                first.tests.insert(0, t);
            }
            IdViewAt {
                policy: p.label().into(),
                fpir,
                false_candidates_same_group: t.and_then(|t| own_group_share(s, v, t, o.ci)),
                fpir_summaries,
                ranks,
            }
        })
        .collect();
    let curves = (0..ng)
        .map(|g| threshold_curve(&top[g], &mates[g], o))
        .collect();
    Ok(IdView {
        attribute: v.attribute.clone(),
        groups,
        reference,
        operating_points,
        rank1,
        cmc,
        cmc_ranks: max_rank,
        curves,
    })
}

/// Per probe group of `v`: of the non-mate candidates scoring ≥ t, the share
/// from the probe's own group (candidates of unknown group are left out).
/// `None` for the pooled view or without candidate attributes.
fn own_group_share(s: &Searches, v: &crate::groups::View, t: f64, ci: CiSpec) -> Option<Vec<Rate>> {
    let fc = &s.false_candidates;
    let attrs: Vec<usize> = match s.attributes.iter().position(|a| a.name == v.attribute) {
        _ if v.attribute == "*" || fc.search.is_empty() => return None,
        Some(j) => vec![j],
        None => (0..s.attributes.len()).collect(),
    };
    if attrs
        .iter()
        .all(|&j| fc.codes[j].iter().all(|&c| c == MISSING))
    {
        return None;
    }
    let mut same = vec![0u64; v.groups.len()];
    let mut total = vec![0u64; v.groups.len()];
    for i in 0..fc.search.len() {
        let q = fc.search[i] as usize;
        let g = v.side_a[q];
        if g == MISSING || fc.score[i] < t || attrs.iter().any(|&j| fc.codes[j][i] == MISSING) {
            continue;
        }
        total[g as usize] += 1;
        same[g as usize] += attrs
            .iter()
            .all(|&j| fc.codes[j][i] == s.attributes[j].side_a[q])
            as u64;
    }
    Some(
        same.iter()
            .zip(&total)
            .map(|(&k, &n)| Rate::new(k, n, ci))
            .collect(),
    )
}

/// FPIR and rank-1 FNIR of one group at thresholds spread over the
/// quantiles of its finite non-mated top scores and mate scores.
fn threshold_curve(top: &[f64], mates: &[(u32, f64)], o: &IdentifyOptions) -> Vec<[f64; 3]> {
    let mut scores: Vec<f64> = mates
        .iter()
        .map(|m| m.1)
        .filter(|x| x.is_finite())
        .collect();
    scores.sort_by(f64::total_cmp);
    let finite_top: Vec<f64> = top.iter().copied().filter(|x| x.is_finite()).collect();
    let pick = |v: &[f64]| -> Vec<f64> {
        if v.is_empty() {
            Vec::new()
        } else {
            (0..=100).map(|q| v[(v.len() - 1) * q / 100]).collect()
        }
    };
    let mut t: Vec<f64> = pick(&finite_top).into_iter().chain(pick(&scores)).collect();
    t.sort_by(f64::total_cmp);
    t.dedup();
    let shown = |x: f64| if o.distance { -x + 0.0 } else { x };
    let (nt, nm) = (top.len() as f64, mates.len() as f64);
    t.iter()
        .map(|&x| {
            let fpir = if nt > 0.0 {
                Column::unit(top).at_or_above(x) / nt
            } else {
                f64::NAN
            };
            let miss = mates.iter().filter(|&&(k, sc)| k != 1 || sc < x).count() as f64;
            [shown(x), fpir, if nm > 0.0 { miss / nm } else { f64::NAN }]
        })
        .collect()
}
