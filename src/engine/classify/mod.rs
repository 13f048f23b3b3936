//! The classification engine: per-group weighted confusion counts, every
//! binary rate with its interval, multiclass accuracy/recall/precision and
//! confusion matrices, the disparity summaries, fairlearn's parity metrics
//! and AIF360's reference-group forms.
//!
//! The engine receives the items' binary decisions (or their multiclass
//! codes) from [`crate::input::binary`]; it never reads label text.

pub mod cells;

use crate::counts::curves::{fold, fold_sparse};
use crate::counts::table::{
    self, finish_view, interval_convention, interval_label, GroupInfo, RateColumn, Treat, ViewAt,
};
use crate::engine::{Resample, Unit, Weights};
use crate::error::{Error, Result};
use crate::groups::{codes_of, views, ReferenceRule, View, MISSING};
use crate::input::binary::{Binary, Decisions, Positives};
use crate::input::Labelled;
use crate::math::interval::{CiSpec, Method};
use crate::stats::cluster::OneWay;
use crate::stats::disparity::{self, Stat, Summary};
use crate::stats::parity::{self, Value};
use crate::stats::rate::{finite_or_null, null_as_nan, Rate};
use crate::value::{self, Flatten, Kind, Values};
use cells::{rate, Cells, Sums, ERROR_RATES};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

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
    pub reference: Vec<ReferenceRule>,
    /// α of the generalised entropy index.
    pub entropy_alpha: f64,
    /// Groups with fewer rows than this stay out of the summaries.
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
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedValue {
    /// Value id, e.g. `f1`, `balanced_accuracy`, `auc`.
    pub metric: String,
    /// The value (NaN, written null, when undefined).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub value: f64,
    /// Why the value is undefined, if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Counts and threshold-free values of one group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClassCounts {
    /// Items of the group.
    pub rows: u64,
    /// Σw of the group's items (= rows when unweighted).
    pub weight: f64,
    /// Binary confusion cells (binary mode).
    pub cells: Option<Cells>,
    /// F1, balanced accuracy, AUC, Theil and generalised entropy indices (binary mode).
    pub values: Vec<NamedValue>,
    /// The observed (non-empty) cells of the weighted confusion matrix, in
    /// (true, predicted) order (multiclass); a cell not listed is 0.
    pub confusion: Option<Vec<ConfusionCell>>,
}

/// One observed cell of a multiclass confusion matrix.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConfusionCell {
    /// The true label (index into `labels`).
    #[serde(rename = "true")]
    pub true_label: u32,
    /// The predicted label (index into `labels`).
    pub predicted: u32,
    /// Σw of the cell's items.
    pub weight: f64,
}

/// Up to this many labels the tidy CSV lists every cell of a confusion
/// matrix, zeros included; beyond, only the observed cells (with a note).
pub const DENSE_CONFUSION_LABELS: usize = 50;

/// A group against the reference group (AIF360 forms).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Versus {
    /// The compared group.
    pub group: String,
    /// The value against the reference group.
    #[serde(flatten)]
    pub value: NamedValue,
}

/// What a classification view has besides its rate columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClassifyAt {
    /// fairlearn's parity metrics.
    pub parity: Vec<Summary>,
    /// AIF360's reference-group forms.
    pub versus_reference: Vec<Versus>,
}

pub use super::NoFree;

/// One classification view: a single operating point (the policy `cutoff:T`
/// or `none`) whose columns are every binary rate (or multiclass accuracy,
/// error rate, recall and precision per class).
pub type ClassView = table::ViewResult<ClassCounts, ClassifyAt, NoFree>;

/// The classification part of a report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClassifyResult {
    /// `binary` or `multiclass`.
    pub mode: String,
    /// How items were made binary (binary mode).
    pub truth_positive: Option<String>,
    /// How predictions were made binary (binary mode).
    pub prediction_positive: Option<String>,
    /// Class labels, in confusion-matrix order.
    pub labels: Vec<String>,
    /// `cutoff:T` for thresholded scores, else `none`.
    pub policy: String,
    /// The score cutoff T of `cutoff:T`.
    pub threshold: Option<f64>,
    /// Whether rows carry weights.
    pub weighted: bool,
    /// Minimum group size (rows) for the summaries.
    pub min_group_size: u64,
    /// α of the generalised entropy index.
    pub entropy_alpha: f64,
    /// The conventions of weights, intervals, parity and AUC.
    pub conventions: Conventions,
    /// One result per view (pooled, each attribute, intersections).
    pub views: Vec<ClassView>,
    /// Notes for the reader.
    pub notes: Vec<String>,
}

/// Named conventions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Conventions {
    /// How weights enter rates and counts.
    pub weights: Cow<'static, str>,
    /// How rate intervals are computed.
    pub interval: Cow<'static, str>,
    /// How parity metrics are formed.
    pub parity: Cow<'static, str>,
    /// What an undefined value means and how it is written.
    pub undefined: Cow<'static, str>,
    /// How the AUC is computed.
    pub auc: Cow<'static, str>,
}

const CONVENTIONS: Conventions = Conventions {
    weights: Cow::Borrowed("rates are ratios of weighted sums; counts (errors, trials) are weighted sums; tests, the fewer-than-30-errors flag and the zero-error rule of the geometric mean use the effective counts p*n_eff of n_eff = (sum w)^2 / sum w^2, so that no statistic depends on the scale of the weights"),
    interval: Cow::Borrowed(""),
    parity: Cow::Borrowed("fairlearn: difference = max - min (between_groups) or max |v_g - overall| (to_overall); ratio = min / max or min over groups of min(v_g/overall, overall/v_g); overall = all rows placed in the view's groups"),
    undefined: Cow::Borrowed("a rate with an empty denominator is undefined (fairlearn reports 0); a parity metric over it is undefined and names the group"),
    auc: Cow::Borrowed("weighted Mann-Whitney: P(score of a positive > score of a negative) + 0.5 P(tie)"),
};

/// How rate intervals are computed, with subjects and without.
const INTERVAL_HOW: [&str; 2] = [
    "two-sided at n_eff = n / design effect, n the Kish effective sample size (sum w)^2 / sum w^2, the design effect from the between-subject variance of the per-subject weighted event counts (at least 1); with 0 (or all) events the exact one-sided bound 1 - alpha^(1/n_eff) at the worst-case design effect",
    "two-sided at the Kish effective sample size (sum w)^2 / sum w^2; with 0 (or all) events the exact one-sided bound 1 - alpha^(1/n)",
];

/// An error in the data given to the engine in memory.
fn invalid(message: String) -> Error {
    Error::data("<memory>", message)
}

impl ClassifyOptions {
    /// The options that decide which items are positive.
    pub fn positives(&self) -> Positives<'_> {
        Positives {
            truth: &self.true_positive,
            pred: &self.pred_positive,
            cutoff: self.cutoff,
        }
    }
}

impl Weights<'_> {
    /// Adds row i to `s`: c·w to Σw and c·w² to Σw².
    #[inline]
    fn add_to(self, s: &mut Sums, i: usize) {
        let w = self.at(i);
        s.add(w, w * self.base(i));
    }
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

/// What the audit computes once: the views and the score order, beside the
/// binary decisions. A bootstrap replicate re-weights it.
pub(crate) struct Prepared<'a> {
    binary: Option<&'a Binary>,
    views: Vec<View<'a>>,
    /// Rows in ascending score order (stable, so sums are deterministic), for AUC.
    order: Vec<usize>,
}

/// Prepares the items `l` with their decisions `d` (from
/// [`Positives::decide`] on the same items).
pub(crate) fn prepare<'a>(l: &'a Labelled, d: &'a Decisions) -> Result<Prepared<'a>> {
    let binary = d.binary();
    let n = l.y_true.len();
    if let Some(b) = binary.filter(|b| b.truth().len() != n || b.pred().len() != n) {
        return Err(invalid(format!(
            "binary decisions of {} items for {n} items: decide the same items",
            b.truth().len()
        )));
    }
    let codes = codes_of(&l.attributes, true);
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

/// Runs the audit of the items `l` with their decisions `d`.
pub fn audit(l: &Labelled, d: &Decisions, o: &ClassifyOptions) -> Result<ClassifyResult> {
    let weight = Weights {
        w: &l.weight,
        draw: &[],
        unit: &[],
    };
    evaluate(l, &prepare(l, d)?, o, weight)
}

/// The audit of prepared data with row weights `weight`.
pub(crate) fn evaluate(
    l: &Labelled,
    p: &Prepared,
    o: &ClassifyOptions,
    weight: Weights,
) -> Result<ClassifyResult> {
    let (binary, all_views, order) = (&p.binary, &p.views, &p.order);
    let mut notes = Vec::new();
    for list in [&o.true_positive, &o.pred_positive] {
        for lab in list.iter().filter(|x| !l.labels.contains(x)) {
            notes.push(format!("positive label {lab:?} does not occur in the data"));
        }
    }
    let policy = match (l.score.is_empty(), o.cutoff) {
        (false, Some(t)) => format!("cutoff:{t}"),
        _ => "none".into(),
    };
    let threshold = o.cutoff.filter(|_| !l.score.is_empty());
    let subjects = clustered(l, o.ci).then_some(l.n_subjects);
    let label = interval_label(o.ci, subjects, "items");
    let results: Vec<Result<ClassView>> = all_views
        .par_iter()
        .map(|v| {
            let groups = match binary {
                Some(b) => binary_groups(v, b, weight, order, l, o),
                None => multiclass_groups(v, l, weight, o.ci),
            };
            class_view(v, groups, binary.is_some(), (&policy, threshold), &label, o)
        })
        .collect();
    let views = results.into_iter().collect::<Result<Vec<_>>>()?;
    if binary.is_none() && l.labels.len() > DENSE_CONFUSION_LABELS {
        notes.push(format!(
            "{} labels: the confusion matrices list only their observed cells (a cell not listed is 0)",
            l.labels.len()
        ));
    }
    for v in &views {
        if let Some(g) = v.groups.iter().find(|g| g.counts.rows == 0) {
            notes.push(format!("{}: group {} has no rows", v.attribute, g.group));
        }
    }
    Ok(ClassifyResult {
        mode: if binary.is_some() {
            "binary"
        } else {
            "multiclass"
        }
        .into(),
        truth_positive: binary.map(|b| b.truth_rule().to_string()),
        prediction_positive: binary.map(|b| b.pred_rule().to_string()),
        labels: l.labels.clone(),
        policy,
        threshold,
        weighted: !weight.w.is_empty() || !weight.draw.is_empty(),
        min_group_size: o.min_group_size,
        entropy_alpha: o.entropy_alpha,
        conventions: Conventions {
            interval: Cow::Owned(interval_convention(
                label.as_deref(),
                INTERVAL_HOW[usize::from(subjects.is_none())],
            )),
            ..CONVENTIONS
        },
        views,
        notes,
    })
}

fn binary_groups(
    v: &View,
    b: &Binary,
    weight: Weights,
    order: &[usize],
    l: &Labelled,
    o: &ClassifyOptions,
) -> Vec<Counted> {
    // Slot 4g + 2·truth + pred, branch-free; then the four sums make the cells.
    let (truth, pred) = (b.truth(), b.pred());
    let sums = fold(
        truth.len(),
        4 * v.groups.len(),
        |acc: &mut [Sums], i| {
            let g = v.side_a[i];
            if g != MISSING {
                weight.add_to(
                    &mut acc[4 * g as usize + 2 * truth[i] as usize + pred[i] as usize],
                    i,
                );
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
    // The cells of every (group, subject), when the intervals allow for
    // subjects: sorted by group, then subject.
    let by_subject = clustered(l, o.ci).then(|| {
        fold_sparse(
            truth.len(),
            |i| {
                let g = v.side_a[i];
                (g != MISSING).then(|| (g, l.subject[i]))
            },
            |c: &mut Cells, i| weight.add_to(c.cell_mut(truth[i], pred[i]), i),
            Cells::merge,
        )
    });
    let mut rest = by_subject.as_deref().unwrap_or_default();
    let subject_cells: Vec<Option<Vec<Cells>>> = (0..cells.len() as u32)
        .map(|g| {
            by_subject.as_ref()?;
            let n = rest.partition_point(|&((h, _), _)| h == g);
            let (mine, tail) = rest.split_at(n);
            rest = tail;
            Some(mine.iter().map(|(_, c)| *c).collect())
        })
        .collect();
    let auc = (!order.is_empty()).then(|| group_auc(v, order, &l.score, truth, weight));
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
            Counted {
                counts: ClassCounts {
                    rows: c.all().rows,
                    weight: c.all().weight,
                    cells: Some(*c),
                    values,
                    confusion: None,
                },
                rates: c
                    .rates(o.ci, subject_cells[g].as_deref())
                    .into_iter()
                    .map(|(m, r)| (m.to_string(), r))
                    .collect(),
            }
        })
        .collect()
}

/// Whether intervals allow for subjects: their ids are known and an
/// interval is asked for (bootstrap replicates ask for none).
fn clustered(l: &Labelled, ci: CiSpec) -> bool {
    !l.subject.is_empty() && ci.method != Method::None
}

fn named(metric: &str, value: f64, why: &str) -> NamedValue {
    NamedValue {
        metric: metric.into(),
        value,
        reason: (!value.is_finite()).then(|| why.to_string()),
    }
}

/// Per group, accuracy, error rate, and recall and precision per class,
/// from the observed cells of its confusion matrix only: memory and time
/// follow the rows and the classes, never classes². With subjects, the
/// cells are kept per subject too, for the design effect of each rate.
fn multiclass_groups(v: &View, l: &Labelled, weight: Weights, ci: CiSpec) -> Vec<Counted> {
    let k = l.labels.len();
    let by_subject = clustered(l, ci);
    let cells = fold_sparse(
        l.y_true.len(),
        |i| {
            let g = v.side_a[i];
            let s = if by_subject { l.subject[i] } else { 0 };
            (g != MISSING).then(|| (g, s, l.y_true[i], l.y_pred[i]))
        },
        |s: &mut Sums, i| weight.add_to(s, i),
        Sums::merge,
    );
    let mut cells = cells.as_slice();
    (0..v.groups.len() as u32)
        .map(|g| {
            let n = cells.partition_point(|&((h, ..), _)| h == g);
            let (mine, rest) = cells.split_at(n);
            cells = rest;
            let mut merged: BTreeMap<(u32, u32), Sums> = BTreeMap::new();
            for &((_, _, t, p), s) in mine {
                merged.entry((t, p)).or_default().merge(&s);
            }
            let mut total = Tally::new(k);
            for (&(t, p), s) in &merged {
                total.add(t as usize, p as usize, s);
            }
            let spread = by_subject.then(|| total.spread(mine));
            let of =
                |i: usize, num: Sums, den: Sums| rate(num, den, spread.as_ref().map(|s| &s[i]), ci);
            let mut rates = vec![
                ("accuracy".to_string(), of(0, total.correct, total.all)),
                (
                    "error_rate".to_string(),
                    of(1, total.wrong, total.all).error_rate(),
                ),
            ];
            for (c, name) in l.labels.iter().enumerate() {
                let (hit, t, p) = (total.hit[c], total.by_true[c], total.by_pred[c]);
                rates.push((format!("recall:{name}"), of(2 + 2 * c, hit, t)));
                rates.push((format!("precision:{name}"), of(3 + 2 * c, hit, p)));
            }
            Counted {
                counts: ClassCounts {
                    rows: total.all.rows,
                    weight: total.all.weight,
                    cells: None,
                    values: Vec::new(),
                    confusion: Some(
                        merged
                            .iter()
                            .map(|(&(t, p), s)| ConfusionCell {
                                true_label: t,
                                predicted: p,
                                weight: s.weight,
                            })
                            .collect(),
                    ),
                },
                rates,
            }
        })
        .collect()
}

/// (group, subject, true label, predicted label) of a multiclass cell.
type SubjectCell = (u32, u32, u32, u32);

/// The multiclass sums of a group (or of one of its subjects).
struct Tally {
    all: Sums,
    correct: Sums,
    wrong: Sums,
    hit: Vec<Sums>,
    by_true: Vec<Sums>,
    by_pred: Vec<Sums>,
}

impl Tally {
    fn new(classes: usize) -> Tally {
        let none = vec![Sums::default(); classes];
        Tally {
            all: Sums::default(),
            correct: Sums::default(),
            wrong: Sums::default(),
            hit: none.clone(),
            by_true: none.clone(),
            by_pred: none,
        }
    }

    /// Adds the cell (true label t, predicted p).
    fn add(&mut self, t: usize, p: usize, s: &Sums) {
        self.all.merge(s);
        if t == p {
            self.hit[t].merge(s);
            self.correct.merge(s);
        } else {
            self.wrong.merge(s);
        }
        self.by_true[t].merge(s);
        self.by_pred[p].merge(s);
    }

    /// The spread of each rate (accuracy, error rate, then recall and
    /// precision of each class) over the subjects of `cells`, sorted by
    /// subject. A subject's sums touch only its own classes, so a pass costs
    /// its cells, not subjects × classes.
    fn spread(&self, cells: &[(SubjectCell, Sums)]) -> Vec<OneWay> {
        let k = self.hit.len();
        let mut out = vec![
            OneWay::new(self.correct.weight, self.all.weight),
            OneWay::new(self.wrong.weight, self.all.weight),
        ];
        for c in 0..k {
            out.push(OneWay::new(self.hit[c].weight, self.by_true[c].weight));
            out.push(OneWay::new(self.hit[c].weight, self.by_pred[c].weight));
        }
        for run in cells.chunk_by(|a, b| a.0 .1 == b.0 .1) {
            let (mut all, mut correct) = (0.0, 0.0);
            // (hit, true, predicted) of each class the subject touches.
            let mut classes: BTreeMap<u32, [f64; 3]> = BTreeMap::new();
            for &((_, _, t, p), s) in run {
                all += s.weight;
                if t == p {
                    correct += s.weight;
                    classes.entry(t).or_default()[0] += s.weight;
                }
                classes.entry(t).or_default()[1] += s.weight;
                classes.entry(p).or_default()[2] += s.weight;
            }
            out[0].add(correct, all);
            out[1].add(all - correct, all);
            for (&c, &[hit, t, p]) in &classes {
                out[2 + 2 * c as usize].add(hit, t);
                out[3 + 2 * c as usize].add(hit, p);
            }
        }
        out
    }
}

/// One group's counts and named rates, before they become columns.
struct Counted {
    counts: ClassCounts,
    rates: Vec<(String, Rate)>,
}

/// The view from its groups: rate columns, then summaries, tests and the
/// reference ([`finish_view`]), SER after the error rate, and with binary
/// decisions fairlearn's and AIF360's parity metrics.
fn class_view(
    v: &View,
    counted: Vec<Counted>,
    binary: bool,
    (policy, threshold): (&str, Option<f64>),
    label: &Option<String>,
    o: &ClassifyOptions,
) -> Result<ClassView> {
    let pooled = v.attribute.is_pooled();
    let mut rates = columns(&counted);
    for c in &mut rates {
        c.interval = label.clone();
    }
    let overall = counted.iter().fold(Cells::default(), |mut a, c| {
        if let Some(x) = &c.counts.cells {
            a.merge(x);
        }
        a
    });
    let mut view = ClassView {
        attribute: v.attribute.clone(),
        reference: None,
        groups: v
            .groups
            .iter()
            .zip(counted)
            .map(|(name, c)| GroupInfo {
                group: name.clone(),
                in_summaries: !pooled && c.counts.rows >= o.min_group_size,
                counts: c.counts,
            })
            .collect(),
        operating_points: vec![ViewAt {
            policy: policy.to_string(),
            threshold,
            group_thresholds: None,
            rates,
            combined: Vec::new(),
            extra: ClassifyAt {
                parity: Vec::new(),
                versus_reference: Vec::new(),
            },
        }],
        free: NoFree {},
    };
    let size: Vec<f64> = view.groups.iter().map(|g| g.counts.weight).collect();
    let error: Vec<f64> = view.operating_points[0].rate("error_rate").map_or_else(
        || vec![f64::NAN; size.len()],
        |c| c.by_group.iter().map(|r| r.value).collect(),
    );
    // No group large enough: no summaries and no tests at all.
    let none = view.included().is_empty();
    let unit = if view
        .groups
        .iter()
        .all(|g| g.counts.weight == g.counts.rows as f64)
    {
        "items"
    } else {
        "weight of items"
    };
    finish_view(
        &mut view,
        (&size, unit),
        (&error, "error rate"),
        &o.reference,
        |m| match m {
            _ if none => Treat::Shown,
            m if ERROR_RATES.contains(&m) => Treat::Error,
            _ => Treat::Tested,
        },
    )?;
    if pooled || none {
        return Ok(view);
    }
    let at = pair_forms(&mut view, binary, &overall.rates(o.ci, None));
    view.operating_points[0].extra = at;
    Ok(view)
}

/// SER after the error rate's summaries; with binary decisions and a
/// reference group, fairlearn's parity metrics and AIF360's forms.
fn pair_forms(view: &mut ClassView, binary: bool, overall: &[(&str, Rate)]) -> ClassifyAt {
    let names = view.names();
    let included = view.included();
    let reference = view.reference.as_ref().map(|r| r.group.clone());
    let at = &mut view.operating_points[0];
    if let Some(col) = at.rates.iter_mut().find(|c| c.metric == "error_rate") {
        let ser = disparity::ser(&col.entries(&names, &included, true));
        col.summaries.push(ser);
    }
    let (parity, versus_reference) = match (binary, reference) {
        (true, Some(name)) => {
            let of = |m: &str| -> Vec<Value> { values(at, &names, &included, m) };
            (
                fairlearn(included.len(), &of, overall),
                versus(&names, &included, &name, &of),
            )
        }
        _ => (Vec::new(), Vec::new()),
    };
    ClassifyAt {
        parity,
        versus_reference,
    }
}

/// The groups' named rates as columns (every group has the same rates in the same order).
fn columns(counted: &[Counted]) -> Vec<RateColumn> {
    let Some(first) = counted.first() else {
        return Vec::new();
    };
    first
        .rates
        .iter()
        .enumerate()
        .map(|(j, (m, _))| {
            RateColumn::new(
                m.clone(),
                counted.iter().map(|c| c.rates[j].1.clone()).collect(),
            )
        })
        .collect()
}

/// The values of rate `metric` of the included groups.
fn values<'a, X>(
    at: &'a ViewAt<X>,
    names: &'a [String],
    included: &[usize],
    metric: &str,
) -> Vec<Value<'a>> {
    let col = at.rate(metric).expect("a binary rate column");
    included
        .iter()
        .map(|&g| {
            let r = &col.by_group[g];
            Value {
                group: &names[g],
                value: r.value,
                why: r.reason.as_deref(),
                sample: r.sample(),
            }
        })
        .collect()
}

fn to_summary(metric: String, groups: usize, s: Stat) -> Summary {
    disparity::summary(metric, groups, s, Vec::new())
}

/// fairlearn's parity metrics over `n` groups, between groups and to the overall value.
fn fairlearn<'a>(
    n: usize,
    of: &dyn Fn(&str) -> Vec<Value<'a>>,
    overall: &[(&str, Rate)],
) -> Vec<Summary> {
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
        let diff = |m: &str| parity::difference(&of(m), at(m), n);
        let ratio = |m: &str| parity::ratio(&of(m), at(m), n);
        let odds = |ratios: bool, worst: bool| {
            parity::equalized_odds(
                &of("tpr"),
                &of("fpr"),
                [at("tpr"), at("fpr")],
                ratios,
                worst,
            )
        };
        for (name, s) in [
            ("demographic_parity_difference", diff("selection_rate")),
            ("demographic_parity_ratio", ratio("selection_rate")),
            ("equal_opportunity_difference", diff("tpr")),
            ("equal_opportunity_ratio", ratio("tpr")),
            ("equalized_odds_difference", odds(false, true)),
            ("equalized_odds_difference.mean", odds(false, false)),
            ("equalized_odds_ratio", odds(true, true)),
            ("equalized_odds_ratio.mean", odds(true, false)),
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

/// AIF360's forms for every included group against the reference.
fn versus<'a>(
    names: &[String],
    included: &[usize],
    reference: &str,
    of: &dyn Fn(&str) -> Vec<Value<'a>>,
) -> Vec<Versus> {
    let Some(r) = included.iter().position(|&g| names[g] == reference) else {
        return Vec::new();
    };
    let columns: Vec<Vec<Value>> = ["selection_rate", "tpr", "fpr", "error_rate"]
        .iter()
        .map(|m| of(m))
        .collect();
    let val = |g: usize, m: usize| columns[m][g];
    let mut out = Vec::new();
    for g in (0..included.len()).filter(|&g| g != r) {
        let (sel, tpr_, fpr_, err) = (0, 1, 2, 3);
        let (sr, sr0) = (val(g, sel), val(r, sel));
        let (tpr, tpr0) = (val(g, tpr_), val(r, tpr_));
        let (fpr, fpr0) = (val(g, fpr_), val(r, fpr_));
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
                parity::versus_ratio(val(g, err), val(r, err)),
            ),
        ] {
            out.push(Versus {
                group: names[included[g]].clone(),
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

/// A classification audit prepared for the bootstrap (intervals off in replicates).
pub struct Resampler<'a> {
    l: &'a Labelled,
    prepared: Prepared<'a>,
    opts: ClassifyOptions,
    by_subject: bool,
}

impl<'a> Resampler<'a> {
    /// Subjects are drawn when a subject column is given, unless `rows`.
    pub fn new(
        l: &'a Labelled,
        d: &'a Decisions,
        opts: &ClassifyOptions,
        rows: bool,
    ) -> Result<Resampler<'a>> {
        let opts = ClassifyOptions {
            ci: opts.ci.without_interval(),
            ..opts.clone()
        };
        Ok(Resampler {
            prepared: prepare(l, d)?,
            l,
            opts,
            by_subject: !l.subject.is_empty() && !rows,
        })
    }
}

impl Resample for Resampler<'_> {
    type Output = ClassifyResult;

    fn units(&self) -> (Unit, usize) {
        if self.by_subject {
            (Unit::Subject, self.l.n_subjects)
        } else {
            (Unit::Row, self.l.y_true.len())
        }
    }

    /// A row drawn c times (its subject's or its own count) is c copies of
    /// it: it adds c·w to Σw and c·w² to Σw².
    fn replicate(&self, draw: &[u32]) -> Result<ClassifyResult> {
        let l = self.l;
        let weight = Weights {
            w: &l.weight,
            draw,
            unit: if self.by_subject { &l.subject } else { &[] },
        };
        evaluate(l, &self.prepared, &self.opts, weight)
    }
}

impl ClassifyResult {
    /// The cells of a confusion matrix the tidy CSV lists: every cell, zeros
    /// included, up to [`DENSE_CONFUSION_LABELS`] labels; beyond, the observed ones.
    fn confusion_rows(&self, cells: &[ConfusionCell]) -> Vec<ConfusionCell> {
        let k = self.labels.len() as u32;
        if k as usize > DENSE_CONFUSION_LABELS {
            return cells.to_vec();
        }
        let mut observed = cells.iter().peekable();
        let mut out = Vec::with_capacity((k * k) as usize);
        for (true_label, predicted) in (0..k).flat_map(|t| (0..k).map(move |p| (t, p))) {
            let weight = match observed.peek() {
                Some(x) if (x.true_label, x.predicted) == (true_label, predicted) => {
                    observed.next().map_or(0.0, |x| x.weight)
                }
                _ => 0.0,
            };
            out.push(ConfusionCell {
                true_label,
                predicted,
                weight,
            });
        }
        out
    }
}

impl Flatten for ClassifyResult {
    /// Per view: per group `items` and `weight`, every rate, the values
    /// (`f1`, `auc`, `theil_index`, …) and multiclass `confusion:<true>:<predicted>`;
    /// then the summaries, fairlearn's parity metrics (`.to_overall` marks
    /// that method), AIF360's forms with the compared group in `group`, and
    /// the tests. Policy `cutoff:T` for thresholded scores, else `none`.
    fn flatten(&self, out: &mut Vec<value::Value>) {
        for view in &self.views {
            let mut r = Values {
                out: &mut *out,
                attribute: view.attribute.clone(),
            };
            for at in &view.operating_points {
                let (p, t) = (at.policy.as_str(), at.threshold);
                for (g, info) in view.groups.iter().enumerate() {
                    let (name, c) = (&info.group, &info.counts);
                    r.push(Kind::Count, name, p, t, "items", c.rows as f64);
                    r.push(Kind::Count, name, p, t, "weight", c.weight);
                    for col in &at.rates {
                        r.rate(name, p, t, &col.metric, &col.by_group[g]);
                    }
                    for x in &c.values {
                        r.push(Kind::Statistic, name, p, t, &x.metric, x.value);
                    }
                    if let Some(cells) = &c.confusion {
                        for x in self.confusion_rows(cells) {
                            let (i, j) = (x.true_label as usize, x.predicted as usize);
                            let metric = format!("confusion:{}:{}", self.labels[i], self.labels[j]);
                            r.push(Kind::Count, name, p, t, &metric, x.weight);
                        }
                    }
                }
                r.summaries(p, t, at.summaries());
                r.summaries(p, t, &at.extra.parity);
                for x in &at.extra.versus_reference {
                    let kind = if x.value.metric.ends_with("four_fifths_violation") {
                        Kind::Flag
                    } else {
                        Kind::Statistic
                    };
                    r.push(kind, &x.group, p, t, &x.value.metric, x.value.value);
                }
                r.tests(p, t, at.tests());
            }
        }
    }
}
