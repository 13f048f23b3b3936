//! The classification engine: per-group weighted confusion counts, every
//! binary rate with its interval, multiclass accuracy/recall/precision and
//! confusion matrices, the disparity summaries, fairlearn's parity metrics
//! and AIF360's reference-group forms.
//!
//! Binary decisions: an item is truly positive when its true label is one
//! of the positive labels (or reads as a yes/true/1 flag when none are
//! given); it is predicted positive when its predicted label is one of the
//! predicted-positive labels, or when `score >= cutoff`.

pub mod cells;

use crate::error::{Error, Result};
use crate::groups::{choose_reference, views, AttributeCodes, Reference, View, MISSING};
use crate::input::values::parse_flag;
use crate::input::Labelled;
use crate::math::interval::CiSpec;
use crate::stats::disparity::{self, Entry, Stat, Summary};
use crate::stats::parity::{self, Value};
use crate::stats::rate::{finite_or_null, Rate};
use crate::stats::significance::{self, RateTests};
use cells::{Cells, Sums, ERROR_RATES};
use rayon::prelude::*;
use serde::Serialize;

/// Options of a classification audit.
#[derive(Debug, Clone, Serialize)]
pub struct ClassifyOptions {
    /// True labels counted positive (empty: labels that read as yes/true/1).
    pub true_positive: Vec<String>,
    /// Predicted labels counted positive (empty: as `true_positive`).
    pub pred_positive: Vec<String>,
    /// Predicted positive when `score >= cutoff` (score input).
    pub cutoff: Option<f64>,
    /// Reference group rules: `largest`, `best`, or `ATTRIBUTE=VALUE`.
    pub reference: Vec<String>,
    /// α of the generalised entropy index.
    pub entropy_alpha: f64,
    pub min_group_size: u64,
    /// Interval method and level of every rate.
    pub ci: CiSpec,
}

impl Default for ClassifyOptions {
    fn default() -> Self {
        ClassifyOptions {
            true_positive: Vec::new(),
            pred_positive: Vec::new(),
            cutoff: None,
            reference: Vec::new(),
            entropy_alpha: 2.0,
            min_group_size: 1,
            ci: CiSpec::default(),
        }
    }
}

/// A per-group value that is not a counted rate.
#[derive(Debug, Clone, Serialize)]
pub struct NamedValue {
    pub metric: String,
    #[serde(serialize_with = "finite_or_null")]
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A named rate.
#[derive(Debug, Clone, Serialize)]
pub struct NamedRate {
    pub metric: String,
    #[serde(flatten)]
    pub rate: Rate,
}

/// One group of a view.
#[derive(Debug, Clone, Serialize)]
pub struct ClassGroup {
    pub group: String,
    pub rows: u64,
    pub weight: f64,
    pub in_summaries: bool,
    /// Binary confusion cells (binary mode).
    pub cells: Option<Cells>,
    pub rates: Vec<NamedRate>,
    pub values: Vec<NamedValue>,
    /// Weighted confusion matrix, `[true][predicted]` over `labels` (multiclass).
    pub confusion: Option<Vec<Vec<f64>>>,
}

/// A group against the reference group (AIF360 forms).
#[derive(Debug, Clone, Serialize)]
pub struct Versus {
    pub group: String,
    #[serde(flatten)]
    pub value: NamedValue,
}

/// One view's results.
#[derive(Debug, Clone, Serialize)]
pub struct ClassView {
    pub attribute: String,
    pub reference: Option<Reference>,
    pub groups: Vec<ClassGroup>,
    /// Disparity summaries of every rate (design definitions).
    pub summaries: Vec<Summary>,
    /// fairlearn's parity metrics.
    pub parity: Vec<Summary>,
    /// AIF360's reference-group forms.
    pub versus_reference: Vec<Versus>,
    /// Tests of difference for every rate (homogeneity; each group against the reference).
    pub tests: Vec<RateTests>,
}

/// The classification part of a report.
#[derive(Debug, Clone, Serialize)]
pub struct ClassifyResult {
    /// `binary` or `multiclass`.
    pub mode: &'static str,
    /// How items were made binary (binary mode).
    pub truth_positive: Option<String>,
    pub prediction_positive: Option<String>,
    pub labels: Vec<String>,
    /// `cutoff:T` for thresholded scores, else `none`.
    pub policy: String,
    pub threshold: Option<f64>,
    pub weighted: bool,
    pub min_group_size: u64,
    pub entropy_alpha: f64,
    pub conventions: Conventions,
    pub views: Vec<ClassView>,
    pub notes: Vec<String>,
}

/// Named conventions.
#[derive(Debug, Clone, Serialize)]
pub struct Conventions {
    pub weights: &'static str,
    pub interval: &'static str,
    pub parity: &'static str,
    pub undefined: &'static str,
    pub auc: &'static str,
}

const CONVENTIONS: Conventions = Conventions {
    weights: "rates are ratios of weighted sums; counts (errors, trials) are weighted sums",
    interval: "Wilson 95% at the Kish effective sample size (sum w)^2 / sum w^2; exact one-sided 95% bound when a rate is 0 or 1",
    parity: "fairlearn: difference = max - min (between_groups) or max |v_g - overall| (to_overall); ratio = min / max or min over groups of min(v_g/overall, overall/v_g); overall = all rows placed in the view's groups",
    undefined: "a rate with an empty denominator is undefined (fairlearn reports 0); a parity metric over it is undefined and names the group",
    auc: "weighted Mann-Whitney: P(score of a positive > score of a negative) + 0.5 P(tie)",
};

/// The binary decisions of every item, with their descriptions.
struct Binary {
    truth: Vec<bool>,
    pred: Vec<bool>,
    truth_rule: String,
    pred_rule: String,
}

fn label_set(labels: &[String], wanted: &[String]) -> Vec<bool> {
    labels
        .iter()
        .map(|l| wanted.iter().any(|w| w == l))
        .collect()
}

/// Positive-label flags from a list, or from labels that read as flags.
fn positives(
    labels: &[String],
    used: &[bool],
    list: &[String],
    what: &str,
) -> Result<(Vec<bool>, String)> {
    if !list.is_empty() {
        return Ok((
            label_set(labels, list),
            format!("{what} in {{{}}}", list.join(", ")),
        ));
    }
    let mut flags = Vec::with_capacity(labels.len());
    for (l, &u) in labels.iter().zip(used) {
        match parse_flag(l.as_bytes()) {
            Some(f) => flags.push(f),
            None if !u => flags.push(false),
            None => {
                return Err(Error::option(
                    "--positive",
                    format!("is needed: {what} label {l:?} is not a yes/no flag (name the positive labels with --positive, --true-positive or --pred-positive)"),
                ))
            }
        }
    }
    Ok((flags, format!("{what} reads as 1/true/yes")))
}

fn binarize(l: &Labelled, o: &ClassifyOptions) -> Result<Option<Binary>> {
    let k = l.labels.len();
    let mut used_true = vec![false; k];
    let mut used_pred = vec![false; k];
    l.y_true.iter().for_each(|&c| used_true[c as usize] = true);
    l.y_pred.iter().for_each(|&c| used_pred[c as usize] = true);
    let all_flags = l.labels.iter().all(|s| parse_flag(s.as_bytes()).is_some());
    let binary = !o.true_positive.is_empty()
        || !o.pred_positive.is_empty()
        || !l.score.is_empty()
        || all_flags;
    if !binary {
        if k <= 2 {
            return Err(Error::option(
                "--positive",
                format!(
                    "is needed: labels {:?}: with two labels, name the positive one",
                    l.labels
                ),
            ));
        }
        return Ok(None);
    }
    let (t, truth_rule) = positives(&l.labels, &used_true, &o.true_positive, "true label")?;
    let truth = l.y_true.iter().map(|&c| t[c as usize]).collect();
    let (pred, pred_rule) = if l.score.is_empty() {
        let list = if o.pred_positive.is_empty() {
            &o.true_positive
        } else {
            &o.pred_positive
        };
        let (p, rule) = positives(&l.labels, &used_pred, list, "predicted label")?;
        (l.y_pred.iter().map(|&c| p[c as usize]).collect(), rule)
    } else {
        let cut = o.cutoff.ok_or_else(|| {
            Error::option(
                "--cutoff",
                "T is needed with a score column (predicted positive when score >= T)",
            )
        })?;
        (
            l.score.iter().map(|&s| s >= cut).collect(),
            format!("score >= {cut}"),
        )
    };
    Ok(Some(Binary {
        truth,
        pred,
        truth_rule,
        pred_rule,
    }))
}

/// Row weights; empty means every row weighs 1.
#[derive(Clone, Copy)]
struct Weights<'a>(&'a [f64]);

impl Weights<'_> {
    #[inline]
    fn at(self, i: usize) -> f64 {
        if self.0.is_empty() {
            1.0
        } else {
            self.0[i]
        }
    }
}

/// Folds rows into per-slot accumulators in fixed-size chunks merged in a
/// fixed order, so weighted sums do not depend on the thread count.
fn fold<T: Clone + Default + Send>(
    n: usize,
    slots: usize,
    add: impl Fn(&mut [T], usize) + Sync,
    merge: impl Fn(&mut T, &T),
) -> Vec<T> {
    const CHUNK: usize = 1 << 16;
    let parts: Vec<Vec<T>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut acc = vec![T::default(); slots];
            for i in c * CHUNK..n.min((c + 1) * CHUNK) {
                add(&mut acc, i);
            }
            acc
        })
        .collect();
    let mut out = vec![T::default(); slots];
    for p in &parts {
        for (o, x) in out.iter_mut().zip(p) {
            merge(o, x);
        }
    }
    out
}

fn rate(num: Sums, den: Sums, ci: CiSpec) -> Rate {
    Rate::weighted(num.weight, den.weight, den.weight_sq, ci)
}

/// Weighted AUC of each group from rows in ascending score order.
fn group_auc(
    v: &View,
    order: &[usize],
    scores: &[f64],
    truth: &[bool],
    weight: Weights,
) -> Vec<f64> {
    let g = v.groups.len();
    // Per group: (weight of negatives below the current block, numerator, W+, W−).
    let mut acc = vec![(0.0f64, 0.0f64, 0.0f64, 0.0f64); g];
    let mut block: Vec<(f64, f64)> = vec![(0.0, 0.0); g];
    let mut touched: Vec<usize> = Vec::new();
    let flush = |acc: &mut Vec<(f64, f64, f64, f64)>,
                 block: &mut Vec<(f64, f64)>,
                 touched: &mut Vec<usize>| {
        for &x in touched.iter() {
            let (wp, wn) = block[x];
            let a = &mut acc[x];
            a.1 += wp * (a.0 + 0.5 * wn);
            a.0 += wn;
            a.2 += wp;
            a.3 += wn;
            block[x] = (0.0, 0.0);
        }
        touched.clear();
    };
    let mut prev = f64::NAN;
    for &i in order {
        let grp = v.side_a[i];
        if grp == MISSING {
            continue;
        }
        if scores[i] != prev {
            flush(&mut acc, &mut block, &mut touched);
            prev = scores[i];
        }
        let x = grp as usize;
        if block[x] == (0.0, 0.0) && !touched.contains(&x) {
            touched.push(x);
        }
        if truth[i] {
            block[x].0 += weight.at(i);
        } else {
            block[x].1 += weight.at(i);
        }
    }
    flush(&mut acc, &mut block, &mut touched);
    acc.iter()
        .map(|a| {
            if a.2 > 0.0 && a.3 > 0.0 {
                a.1 / (a.2 * a.3)
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// What the audit computes once: the binary decisions, the views and the
/// score order. A bootstrap replicate re-weights it.
pub struct Prepared<'a> {
    binary: Option<Binary>,
    views: Vec<View<'a>>,
    /// Rows in ascending score order (stable, so sums are deterministic), for AUC.
    order: Vec<usize>,
}

pub fn prepare<'a>(l: &'a Labelled, o: &ClassifyOptions) -> Result<Prepared<'a>> {
    let binary = binarize(l, o)?;
    let n = l.y_true.len();
    let codes: Vec<AttributeCodes> = l
        .attributes
        .iter()
        .map(|a| AttributeCodes {
            name: &a.name,
            values: &a.values,
            side_a: &a.side_a,
            side_b: &a.side_a,
        })
        .collect();
    let views = views(n, &codes);
    let order: Vec<usize> = if l.score.is_empty() || binary.is_none() {
        Vec::new()
    } else {
        let mut o: Vec<usize> = (0..n).collect();
        o.par_sort_by(|&a, &b| l.score[a].total_cmp(&l.score[b]));
        o
    };
    Ok(Prepared {
        binary,
        views,
        order,
    })
}

/// Runs the audit.
pub fn audit(l: &Labelled, o: &ClassifyOptions) -> Result<ClassifyResult> {
    evaluate(l, &prepare(l, o)?, o, &l.weight)
}

/// The audit of prepared data with row weights `weights` (empty: all 1).
pub fn evaluate(
    l: &Labelled,
    p: &Prepared,
    o: &ClassifyOptions,
    weights: &[f64],
) -> Result<ClassifyResult> {
    let (binary, all_views, order) = (&p.binary, &p.views, &p.order);
    let weight = Weights(weights);
    let mut notes = Vec::new();
    for list in [&o.true_positive, &o.pred_positive] {
        for lab in list.iter().filter(|x| !l.labels.contains(x)) {
            notes.push(format!("positive label {lab:?} does not occur in the data"));
        }
    }
    let results: Vec<Result<ClassView>> = all_views
        .par_iter()
        .map(|v| {
            let groups = match binary {
                Some(b) => binary_groups(v, b, weight, order, &l.score, o),
                None => multiclass_groups(v, l, weight, o.ci),
            };
            finish_view(v, groups, binary.is_some(), o)
        })
        .collect();
    let views = results.into_iter().collect::<Result<Vec<_>>>()?;
    for v in &views {
        if let Some(g) = v.groups.iter().find(|g| g.rows == 0) {
            notes.push(format!("{}: group {} has no rows", v.attribute, g.group));
        }
    }
    Ok(ClassifyResult {
        mode: if binary.is_some() {
            "binary"
        } else {
            "multiclass"
        },
        truth_positive: binary.as_ref().map(|b| b.truth_rule.clone()),
        prediction_positive: binary.as_ref().map(|b| b.pred_rule.clone()),
        labels: l.labels.clone(),
        policy: match (l.score.is_empty(), o.cutoff) {
            (false, Some(t)) => format!("cutoff:{t}"),
            _ => "none".into(),
        },
        threshold: o.cutoff.filter(|_| !l.score.is_empty()),
        weighted: !weights.is_empty(),
        min_group_size: o.min_group_size,
        entropy_alpha: o.entropy_alpha,
        conventions: CONVENTIONS,
        views,
        notes,
    })
}

fn binary_groups(
    v: &View,
    b: &Binary,
    weight: Weights,
    order: &[usize],
    scores: &[f64],
    o: &ClassifyOptions,
) -> Vec<ClassGroup> {
    // Slot 4g + 2·truth + pred, branch-free; then the four sums make the cells.
    let sums = fold(
        b.truth.len(),
        4 * v.groups.len(),
        |acc: &mut [Sums], i| {
            let g = v.side_a[i];
            if g != MISSING {
                acc[4 * g as usize + 2 * b.truth[i] as usize + b.pred[i] as usize]
                    .add(weight.at(i));
            }
        },
        Sums::merge,
    );
    let cells: Vec<Cells> = sums
        .chunks(4)
        .map(|c| Cells {
            tn: c[0],
            fp: c[1],
            fn_: c[2],
            tp: c[3],
        })
        .collect();
    let auc = (!order.is_empty()).then(|| group_auc(v, order, scores, &b.truth, weight));
    cells
        .iter()
        .enumerate()
        .map(|(g, c)| {
            let mut values = vec![
                named("f1", c.f1(), "no positives and no predicted positives"),
                named(
                    "balanced_accuracy",
                    c.balanced_accuracy(),
                    "no positives or no negatives",
                ),
            ];
            if let Some(a) = &auc {
                values.push(named("auc", a[g], "no positives or no negatives"));
            }
            values.push(named("theil_index", c.entropy_index(1.0), "no items"));
            values.push(named(
                "generalized_entropy_index",
                c.entropy_index(o.entropy_alpha),
                "no items",
            ));
            ClassGroup {
                group: v.groups[g].clone(),
                rows: c.all().rows,
                weight: c.all().weight,
                in_summaries: false,
                cells: Some(*c),
                rates: c
                    .rates(o.ci)
                    .into_iter()
                    .map(|(m, r)| NamedRate {
                        metric: m.into(),
                        rate: r,
                    })
                    .collect(),
                values,
                confusion: None,
            }
        })
        .collect()
}

fn named(metric: &str, value: f64, why: &str) -> NamedValue {
    NamedValue {
        metric: metric.into(),
        value,
        reason: (!value.is_finite()).then(|| why.to_string()),
    }
}

fn multiclass_groups(v: &View, l: &Labelled, weight: Weights, ci: CiSpec) -> Vec<ClassGroup> {
    let k = l.labels.len();
    let sums = fold(
        l.y_true.len(),
        v.groups.len() * k * k,
        |acc: &mut [Sums], i| {
            let g = v.side_a[i];
            if g != MISSING {
                acc[(g as usize * k + l.y_true[i] as usize) * k + l.y_pred[i] as usize]
                    .add(weight.at(i));
            }
        },
        Sums::merge,
    );
    (0..v.groups.len())
        .map(|g| {
            let m = &sums[g * k * k..(g + 1) * k * k];
            let total = m.iter().fold(Sums::default(), |mut a, x| {
                a.merge(x);
                a
            });
            let sum_of = |f: &dyn Fn(usize, usize) -> bool| {
                let mut a = Sums::default();
                for t in 0..k {
                    for p in 0..k {
                        if f(t, p) {
                            a.merge(&m[t * k + p]);
                        }
                    }
                }
                a
            };
            let correct = sum_of(&|t, p| t == p);
            let wrong = sum_of(&|t, p| t != p);
            let mut rates = vec![
                NamedRate {
                    metric: "accuracy".into(),
                    rate: rate(correct, total, ci),
                },
                NamedRate {
                    metric: "error_rate".into(),
                    rate: rate(wrong, total, ci).error_rate(),
                },
            ];
            for (c, name) in l.labels.iter().enumerate() {
                let hit = m[c * k + c];
                rates.push(NamedRate {
                    metric: format!("recall:{name}"),
                    rate: rate(hit, sum_of(&|t, _| t == c), ci),
                });
                rates.push(NamedRate {
                    metric: format!("precision:{name}"),
                    rate: rate(hit, sum_of(&|_, p| p == c), ci),
                });
            }
            ClassGroup {
                group: v.groups[g].clone(),
                rows: total.rows,
                weight: total.weight,
                in_summaries: false,
                cells: None,
                rates,
                values: Vec::new(),
                confusion: Some(
                    (0..k)
                        .map(|t| (0..k).map(|p| m[t * k + p].weight).collect())
                        .collect(),
                ),
            }
        })
        .collect()
}

fn find_rate<'a>(g: &'a ClassGroup, metric: &str) -> &'a Rate {
    &g.rates
        .iter()
        .find(|r| r.metric == metric)
        .expect("rate present")
        .rate
}

fn finish_view(
    v: &View,
    mut groups: Vec<ClassGroup>,
    binary: bool,
    o: &ClassifyOptions,
) -> Result<ClassView> {
    let pooled = v.attribute == "*";
    for g in &mut groups {
        g.in_summaries = !pooled && g.rows >= o.min_group_size;
    }
    if pooled {
        return Ok(ClassView {
            attribute: v.attribute.clone(),
            reference: None,
            groups,
            summaries: Vec::new(),
            parity: Vec::new(),
            versus_reference: Vec::new(),
            tests: Vec::new(),
        });
    }
    let included: Vec<&ClassGroup> = groups.iter().filter(|g| g.in_summaries).collect();
    let mut summaries = Vec::new();
    for r in included.first().map(|g| &g.rates[..]).unwrap_or(&[]) {
        let is_error = ERROR_RATES.contains(&r.metric.as_str());
        let entries: Vec<Entry> = included
            .iter()
            .map(|g| {
                let x = find_rate(g, &r.metric);
                Entry {
                    group: &g.group,
                    value: x.value,
                    counts: is_error.then_some((x.events, x.trials)),
                }
            })
            .collect();
        summaries.extend(disparity::summarize(&r.metric, &entries));
        if r.metric == "error_rate" {
            summaries.push(disparity::ser(&entries));
        }
    }
    let candidates: Vec<(&str, f64, f64)> = included
        .iter()
        .map(|g| (g.group.as_str(), g.weight, find_rate(g, "error_rate").value))
        .collect();
    let reference = choose_reference(&v.attribute, &v.groups, &candidates, &o.reference)?;
    let ref_name = reference.as_ref().map(|r| r.group.as_str());
    let tests = included
        .first()
        .map(|g| &g.rates[..])
        .unwrap_or(&[])
        .iter()
        .map(|r| {
            let rates: Vec<(&str, &Rate)> = included
                .iter()
                .map(|g| (g.group.as_str(), find_rate(g, &r.metric)))
                .collect();
            significance::rate_tests(&r.metric, &rates, ref_name)
        })
        .collect();
    let (parity, versus_reference) = match (binary, ref_name) {
        (true, Some(name)) => {
            let overall = groups.iter().fold(Cells::default(), |mut a, g| {
                a.merge(g.cells.as_ref().expect("binary cells"));
                a
            });
            (
                fairlearn(&included, &overall.rates(o.ci)),
                versus(&included, name),
            )
        }
        _ => (Vec::new(), Vec::new()),
    };
    Ok(ClassView {
        attribute: v.attribute.clone(),
        reference,
        groups,
        summaries,
        parity,
        versus_reference,
        tests,
    })
}

fn value_of<'a>(g: &'a ClassGroup, metric: &str) -> Value<'a> {
    let r = find_rate(g, metric);
    Value {
        group: &g.group,
        value: r.value,
        why: r.reason.as_deref(),
    }
}

fn values<'a>(groups: &[&'a ClassGroup], metric: &str) -> Vec<Value<'a>> {
    groups.iter().map(|g| value_of(g, metric)).collect()
}

fn to_summary(metric: String, groups: usize, s: Stat) -> Summary {
    Summary {
        metric,
        value: s.value,
        groups,
        reason: s.reason,
        caution: None,
    }
}

/// fairlearn's parity metrics, between groups and to the overall value.
fn fairlearn(groups: &[&ClassGroup], overall: &[(&str, Rate)]) -> Vec<Summary> {
    let n = groups.len();
    let over = |m: &str| overall.iter().find(|(k, _)| *k == m).map(|(_, r)| r.value);
    let mut out = Vec::new();
    for (suffix, to_overall) in [("", false), (".to_overall", true)] {
        let at = |m: &str| {
            if to_overall {
                Some(over(m).unwrap_or(f64::NAN))
            } else {
                None
            }
        };
        let diff = |m: &str| parity::difference(&values(groups, m), at(m));
        let ratio = |m: &str| parity::ratio(&values(groups, m), at(m));
        for (name, s) in [
            ("demographic_parity_difference", diff("selection_rate")),
            ("demographic_parity_ratio", ratio("selection_rate")),
            ("equal_opportunity_difference", diff("tpr")),
            ("equal_opportunity_ratio", ratio("tpr")),
            (
                "equalized_odds_difference",
                parity::combine(diff("tpr"), diff("fpr"), true, true),
            ),
            (
                "equalized_odds_difference.mean",
                parity::combine(diff("tpr"), diff("fpr"), false, true),
            ),
            (
                "equalized_odds_ratio",
                parity::combine(ratio("tpr"), ratio("fpr"), true, false),
            ),
            (
                "equalized_odds_ratio.mean",
                parity::combine(ratio("tpr"), ratio("fpr"), false, false),
            ),
        ] {
            out.push(to_summary(format!("{name}{suffix}"), n, s));
        }
        for (m, _) in overall {
            out.push(to_summary(format!("{m}.difference{suffix}"), n, diff(m)));
            out.push(to_summary(format!("{m}.ratio{suffix}"), n, ratio(m)));
        }
    }
    out
}

/// AIF360's forms for every group against the reference.
fn versus(groups: &[&ClassGroup], reference: &str) -> Vec<Versus> {
    let Some(r) = groups.iter().find(|g| g.group == reference) else {
        return Vec::new();
    };
    let val = value_of;
    let mut out = Vec::new();
    for g in groups.iter().filter(|g| g.group != reference) {
        let (sr, sr0) = (val(g, "selection_rate"), val(r, "selection_rate"));
        let (tpr, tpr0) = (val(g, "tpr"), val(r, "tpr"));
        let (fpr, fpr0) = (val(g, "fpr"), val(r, "fpr"));
        let di = parity::versus_ratio(sr, sr0);
        let dt = parity::versus_difference(tpr, tpr0);
        let df = parity::versus_difference(fpr, fpr0);
        let odds = |abs: bool| {
            let f = |s: &Stat| if abs { s.value.abs() } else { s.value };
            match (&dt.reason, &df.reason) {
                (Some(r), _) | (None, Some(r)) => Stat::undefined(f64::NAN, r.clone()),
                _ => Stat::ok(0.5 * (f(&df) + f(&dt))),
            }
        };
        let four_fifths = match di.value {
            x if x.is_finite() || x == f64::INFINITY => Stat::ok(if x < 0.8 { 1.0 } else { 0.0 }),
            _ => Stat::undefined(f64::NAN, di.reason.clone().unwrap_or_default()),
        };
        for (metric, s) in [
            ("disparate_impact", di.clone()),
            ("disparate_impact.four_fifths_violation", four_fifths),
            (
                "statistical_parity_difference",
                parity::versus_difference(sr, sr0),
            ),
            ("average_odds_difference", odds(false)),
            ("average_abs_odds_difference", odds(true)),
            (
                "error_rate_ratio",
                parity::versus_ratio(val(g, "error_rate"), val(r, "error_rate")),
            ),
        ] {
            out.push(Versus {
                group: g.group.clone(),
                value: NamedValue {
                    metric: metric.into(),
                    value: s.value,
                    reason: s.reason,
                },
            });
        }
    }
    out
}
