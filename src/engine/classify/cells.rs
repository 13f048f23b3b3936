//! Weighted confusion counts: mergeable sums, and the rates read off them.

use crate::math::interval::CiSpec;
use crate::stats::cluster::OneWay;
use crate::stats::rate::Rate;
use serde::{Deserialize, Serialize};

/// Sums over the rows of one cell: how many, Σw and Σw².
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Sums {
    /// Rows in the cell.
    pub rows: u64,
    /// Σw, the weight of the rows.
    pub weight: f64,
    /// Σw², for the effective sample size (Σw)²/Σw².
    pub weight_sq: f64,
}

impl Sums {
    /// Adds a row of weight `w` that adds `w_sq` to Σw² (w² for one row; c·w²
    /// for a row a bootstrap replicate draws c times, as c copies of it).
    pub(crate) fn add(&mut self, w: f64, w_sq: f64) {
        self.rows += 1;
        self.weight += w;
        self.weight_sq += w_sq;
    }

    pub(crate) fn merge(&mut self, o: &Sums) {
        self.rows += o.rows;
        self.weight += o.weight;
        self.weight_sq += o.weight_sq;
    }

    fn plus(mut self, o: Sums) -> Sums {
        self.merge(&o);
        self
    }
}

/// The binary confusion cells of one group (weighted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Cells {
    /// True positives.
    pub tp: Sums,
    /// False positives.
    pub fp: Sums,
    /// True negatives.
    pub tn: Sums,
    /// False negatives (`fn` in JSON).
    #[serde(rename = "fn")]
    pub fn_: Sums,
}

/// The per-group binary rates, in report order: (id, numerator cells,
/// denominator cells, what an empty denominator means).
type Spec = (
    &'static str,
    fn(&Cells) -> Sums,
    fn(&Cells) -> Sums,
    &'static str,
);

const RATES: [Spec; 12] = [
    (
        "selection_rate",
        |c| c.tp.plus(c.fp),
        Cells::all,
        "no items",
    ),
    ("base_rate", |c| c.tp.plus(c.fn_), Cells::all, "no items"),
    ("accuracy", |c| c.tp.plus(c.tn), Cells::all, "no items"),
    ("error_rate", |c| c.fp.plus(c.fn_), Cells::all, "no items"),
    ("tpr", |c| c.tp, Cells::positives, "no positives"),
    ("fnr", |c| c.fn_, Cells::positives, "no positives"),
    ("fpr", |c| c.fp, Cells::negatives, "no negatives"),
    ("tnr", |c| c.tn, Cells::negatives, "no negatives"),
    (
        "ppv",
        |c| c.tp,
        Cells::predicted_positives,
        "no predicted positives",
    ),
    (
        "false_discovery_rate",
        |c| c.fp,
        Cells::predicted_positives,
        "no predicted positives",
    ),
    (
        "npv",
        |c| c.tn,
        Cells::predicted_negatives,
        "no predicted negatives",
    ),
    (
        "false_omission_rate",
        |c| c.fn_,
        Cells::predicted_negatives,
        "no predicted negatives",
    ),
];

/// Ids of the rates that count errors (the geometric-mean zero rule applies).
pub(crate) const ERROR_RATES: [&str; 5] = [
    "error_rate",
    "fnr",
    "fpr",
    "false_discovery_rate",
    "false_omission_rate",
];

/// The rate `num`/`den` of weighted sums; its interval at the Kish
/// effective number of trials, over the design effect of `subjects` (their
/// spread around this rate) when given.
pub(crate) fn rate(num: Sums, den: Sums, subjects: Option<&OneWay>, ci: CiSpec) -> Rate {
    match subjects.filter(|_| den.weight > 0.0) {
        Some(s) => {
            let deff = s.design_effect(den.weight, den.weight_sq);
            Rate::with_design_effect(num.weight, den.weight, den.weight_sq, deff, ci)
        }
        None => Rate::weighted(num.weight, den.weight, den.weight_sq, ci),
    }
}

impl Cells {
    /// The cell of an item with this truth and prediction.
    pub(crate) fn cell_mut(&mut self, truth: bool, pred: bool) -> &mut Sums {
        match (truth, pred) {
            (true, true) => &mut self.tp,
            (false, true) => &mut self.fp,
            (false, false) => &mut self.tn,
            (true, false) => &mut self.fn_,
        }
    }

    pub(crate) fn merge(&mut self, o: &Cells) {
        self.tp.merge(&o.tp);
        self.fp.merge(&o.fp);
        self.tn.merge(&o.tn);
        self.fn_.merge(&o.fn_);
    }

    /// All items: TP + FP + TN + FN.
    pub fn all(&self) -> Sums {
        self.positives().plus(self.negatives())
    }

    /// Actual positives: TP + FN.
    pub fn positives(&self) -> Sums {
        self.tp.plus(self.fn_)
    }

    /// Actual negatives: FP + TN.
    pub(crate) fn negatives(&self) -> Sums {
        self.fp.plus(self.tn)
    }

    /// Predicted positives: TP + FP.
    pub(crate) fn predicted_positives(&self) -> Sums {
        self.tp.plus(self.fp)
    }

    /// Predicted negatives: TN + FN.
    pub(crate) fn predicted_negatives(&self) -> Sums {
        self.tn.plus(self.fn_)
    }

    /// Every binary rate with its interval, in report order. Weighted sums
    /// give the rate; the interval uses the effective sample size, and
    /// allows for the clustering of items in subjects when the cells of
    /// each of the group's subjects are given ([`OneWay`]).
    pub(crate) fn rates(
        &self,
        ci: CiSpec,
        subjects: Option<&[Cells]>,
    ) -> Vec<(&'static str, Rate)> {
        RATES
            .iter()
            .map(|(id, num, den, empty)| {
                let (n, d) = (num(self), den(self));
                let spread = subjects.map(|subjects| {
                    let mut spread = OneWay::new(n.weight, d.weight);
                    for s in subjects {
                        spread.add(num(s).weight, den(s).weight);
                    }
                    spread
                });
                let mut r = rate(n, d, spread.as_ref(), ci);
                if r.reason.is_some() {
                    r.reason = Some((*empty).to_string());
                }
                if ERROR_RATES.contains(id) {
                    r = r.error_rate();
                }
                (*id, r)
            })
            .collect()
    }

    /// F1 = 2TP / (2TP + FP + FN); NaN when there is no positive and no predicted positive.
    pub(crate) fn f1(&self) -> f64 {
        let tp2 = 2.0 * self.tp.weight;
        let d = tp2 + self.fp.weight + self.fn_.weight;
        if d > 0.0 {
            tp2 / d
        } else {
            f64::NAN
        }
    }

    /// Balanced accuracy = (TPR + TNR)/2; NaN when either is undefined.
    pub(crate) fn balanced_accuracy(&self) -> f64 {
        let (p, n) = (self.positives().weight, self.negatives().weight);
        (self.tp.weight / p + self.tn.weight / n) / 2.0
    }

    /// Generalised entropy index GE(α) of the benefits b = ŷ − y + 1 (AIF360,
    /// Speicher et al. 2018), weighted: with W_b the weight of benefit b and
    /// μ = Σ W_b·b / W,
    /// GE(α) = Σ W_b·((b/μ)^α − 1) / (W·α·(α−1)) for α ∉ {0, 1};
    /// GE(1) (Theil) = Σ W_b·(b/μ)·ln(b/μ) / W, with 0·ln 0 = 0;
    /// GE(0) = −Σ W_b·ln(b/μ) / W (∞ when some b = 0).
    pub(crate) fn entropy_index(&self, alpha: f64) -> f64 {
        let w = [
            self.fn_.weight,
            self.tp.weight + self.tn.weight,
            self.fp.weight,
        ];
        let total: f64 = w.iter().sum();
        let mu = (w[1] + 2.0 * w[2]) / total;
        let term = |b: f64| -> f64 {
            let x = b / mu;
            if alpha == 1.0 {
                if x == 0.0 {
                    0.0
                } else {
                    x * x.ln()
                }
            } else if alpha == 0.0 {
                -x.ln()
            } else {
                (x.powf(alpha) - 1.0) / (alpha * (alpha - 1.0))
            }
        };
        (0..3)
            .filter(|&b| w[b] > 0.0)
            .map(|b| w[b] * term(b as f64))
            .sum::<f64>()
            / total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(tp: u32, fp: u32, tn: u32, fn_: u32) -> Cells {
        let unit = |n: u32| {
            let mut s = Sums::default();
            (0..n).for_each(|_| s.add(1.0, 1.0));
            s
        };
        Cells {
            tp: unit(tp),
            fp: unit(fp),
            tn: unit(tn),
            fn_: unit(fn_),
        }
    }

    #[test]
    fn rates_of_a_hand_worked_table() {
        // ProPublica, Black defendants: TN 990, FP 805, FN 532, TP 1369.
        let c = cells(1369, 805, 990, 532);
        let r: std::collections::HashMap<_, _> =
            c.rates(CiSpec::default(), None).into_iter().collect();
        assert_eq!(r["fpr"].value, 805.0 / 1795.0); // 44.85%
        assert_eq!(r["fnr"].value, 532.0 / 1901.0); // 27.99%
        assert_eq!(r["selection_rate"].value, 2174.0 / 3696.0);
        assert_eq!(r["false_omission_rate"].value, 532.0 / 1522.0);
        assert_eq!(c.f1(), 2738.0 / (2738.0 + 805.0 + 532.0));
        assert_eq!(
            c.balanced_accuracy(),
            (1369.0 / 1901.0 + 990.0 / 1795.0) / 2.0
        );
    }

    #[test]
    fn empty_denominators_say_what_is_missing() {
        let c = cells(2, 0, 0, 1);
        let r: std::collections::HashMap<_, _> =
            c.rates(CiSpec::default(), None).into_iter().collect();
        assert!(r["fpr"].value.is_nan());
        assert_eq!(r["fpr"].reason.as_deref(), Some("no negatives"));
        let c = cells(0, 0, 3, 0);
        let r: std::collections::HashMap<_, _> =
            c.rates(CiSpec::default(), None).into_iter().collect();
        assert_eq!(r["ppv"].reason.as_deref(), Some("no predicted positives"));
        assert_eq!(r["tpr"].reason.as_deref(), Some("no positives"));
    }

    #[test]
    fn entropy_index_hand_worked() {
        // b = [1, 1, 2, 0] (TP, TN, FP, FN): μ = 1; GE(2) = mean(b² − 1)/2 = (0+0+3−1)/4/2 = 0.25;
        // Theil = mean(b ln b) = 2 ln 2 / 4.
        let c = cells(1, 1, 1, 1);
        assert!((c.entropy_index(2.0) - 0.25).abs() < 1e-15);
        assert!((c.entropy_index(1.0) - 2f64.ln() / 2.0).abs() < 1e-15);
        assert_eq!(c.entropy_index(0.0), f64::INFINITY);
    }
}
