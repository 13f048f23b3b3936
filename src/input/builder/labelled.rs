//! [`Labelled`] classifier outputs from columns in memory.

use super::{
    invalid, required, same_length, text, unusable_score, Cell, FileOrigin, Given, Id, Ids, Labels,
    Rows,
};
use crate::error::Result;
use crate::input::accounting::DropReason;
use crate::input::attributes::no_group;
use crate::input::codes::{Interner, MISSING};
use crate::input::labels::{sorted_labels, Labelled, WeightTotals};
use crate::input::values::is_missing;
use ndarray::ArrayView1;

/// Builds [`Labelled`] items from columns in memory (see [the module](super)):
/// the true label of each item, its predicted label or a score (or both),
/// optional weights and subject ids, and attributes. True and predicted
/// labels share one code space; yes/no flags read as the labels `1` and `0`.
/// Which items count positive is decided afterwards, by
/// [`Positives::decide`](crate::input::binary::Positives::decide). Rows the
/// reader would drop: a missing label, score, weight or subject, a negative
/// or infinite weight, no group.
#[derive(Default)]
pub struct LabelledBuilder<'a> {
    truth: Option<Labels<'a>>,
    pred: Option<Labels<'a>>,
    score: Option<ArrayView1<'a, f64>>,
    weight: Option<ArrayView1<'a, f64>>,
    subjects: Option<Ids<'a>>,
    attributes: Given<'a>,
    drop_unusable: bool,
    file: Option<FileOrigin>,
}

impl Labelled {
    /// Starts building classifier outputs from columns in memory.
    pub fn builder<'a>() -> LabelledBuilder<'a> {
        LabelledBuilder::default()
    }
}

impl<'a> LabelledBuilder<'a> {
    /// The true label of each item.
    pub fn truth<S: AsRef<str>>(mut self, labels: &'a [S]) -> Self {
        self.truth = Some(Labels::text(labels));
        self
    }

    /// The true label of each item, as codes into `names`.
    pub fn truth_codes<S: AsRef<str>>(
        mut self,
        codes: impl Into<ArrayView1<'a, u32>>,
        names: &'a [S],
    ) -> Self {
        self.truth = Some(Labels::codes(codes.into(), names));
        self
    }

    /// Whether each item is truly positive (the labels `1` and `0`).
    pub fn truth_flags(mut self, flags: impl Into<ArrayView1<'a, bool>>) -> Self {
        self.truth = Some(Labels::Flags(flags.into()));
        self
    }

    /// The predicted label of each item.
    pub fn pred<S: AsRef<str>>(mut self, labels: &'a [S]) -> Self {
        self.pred = Some(Labels::text(labels));
        self
    }

    /// The predicted label of each item, as codes into `names`.
    pub fn pred_codes<S: AsRef<str>>(
        mut self,
        codes: impl Into<ArrayView1<'a, u32>>,
        names: &'a [S],
    ) -> Self {
        self.pred = Some(Labels::codes(codes.into(), names));
        self
    }

    /// Whether each item is predicted positive (the labels `1` and `0`).
    pub fn pred_flags(mut self, flags: impl Into<ArrayView1<'a, bool>>) -> Self {
        self.pred = Some(Labels::Flags(flags.into()));
        self
    }

    /// A score per item, predicted positive when `score >= cutoff`.
    pub fn scores(mut self, scores: impl Into<ArrayView1<'a, f64>>) -> Self {
        self.score = Some(scores.into());
        self
    }

    /// A non-negative weight per item (without: every item weighs 1).
    pub fn weights(mut self, weights: impl Into<ArrayView1<'a, f64>>) -> Self {
        self.weight = Some(weights.into());
        self
    }

    /// The subject of each item, for the subject-level bootstrap.
    pub fn subjects<S: AsRef<str>>(mut self, ids: &'a [S]) -> Self {
        self.subjects = Some(Ids::Text(ids.iter().map(AsRef::as_ref).collect()));
        self
    }

    /// The subject of each item as an integer id (`u32::MAX`: missing).
    pub fn subject_codes(mut self, ids: impl Into<ArrayView1<'a, u32>>) -> Self {
        self.subjects = Some(Ids::Codes(ids.into()));
        self
    }

    shared_setters!("item");

    /// The columns were read from a file: drops are named as the table
    /// reader names them (see [`FileOrigin`]; columns `truth`, `pred`,
    /// `scores`, `weights`, `subjects`, and `group`: the true label's).
    pub(crate) fn read_from(mut self, origin: FileOrigin) -> Self {
        self.file = Some(origin);
        self
    }

    /// Checks the columns and builds the items.
    pub fn build(mut self) -> Result<Labelled> {
        let truth = required(self.truth.as_ref(), "true labels")?;
        let n = truth.len();
        self.check(truth)?;
        let mut rows = Rows::new("items", n, self.drop_unusable, self.file.take());
        let (mut attrs, mut known) = self.attributes.start();
        let mut row = vec![MISSING; self.attributes.names.len()];
        let mut row_b = row.clone();
        let mut totals = WeightTotals::default();
        let (mut labels, mut subject_ids) = (Interner::default(), Interner::default());
        let (mut y_true, mut y_pred) = (Vec::with_capacity(n), Vec::new());
        let (mut score, mut weight, mut subject) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..n {
            let Some(item) = self.item(truth, i, &mut rows)? else {
                continue;
            };
            self.attributes
                .read(&mut attrs, &mut known, i, &mut row, &mut row_b);
            if no_group(&row) {
                let cell = Cell::Text(text(truth.cell(i)));
                rows.drop_ungrouped(i, self.attributes.column(), cell)?;
                continue;
            }
            if let Some(w) = item.weight {
                let value = |w: f64| match rows.is_file() {
                    true => Cell::Number(w).text(true),
                    false => format!("{w:e}"),
                };
                totals
                    .add(w)
                    .map_err(|m| rows.bad_value(i, "weights", value(w), m))?;
            }
            attrs.push(&row, &row);
            y_true.push(labels.intern(item.truth));
            y_pred.extend(item.pred.map(|p| labels.intern(p)));
            score.extend(item.score);
            weight.extend(item.weight);
            subject.extend(item.subject.map(|id| id.intern(&mut subject_ids)));
            rows.use_row();
        }
        Ok(Labelled {
            labels: sorted_labels(labels, &mut y_true, &mut y_pred),
            y_true,
            y_pred,
            score,
            weight,
            subject,
            n_subjects: subject_ids.len(),
            attributes: attrs.finish(&mut []).0,
            accounting: rows.accounting,
            inputs: Vec::new(),
        })
    }

    /// Checks that predicted labels or scores are given, that every column
    /// has one value per true label, and that codes index their names.
    fn check(&self, truth: &Labels) -> Result<()> {
        let n = truth.len();
        truth.check("true labels")?;
        let len = |column: &str, len: usize| same_length(n, "truth", column, len);
        if self.pred.is_none() && self.score.is_none() {
            return Err(invalid("predicted labels or scores are required".into()));
        }
        if let Some(p) = &self.pred {
            len("pred", p.len())?;
            p.check("predicted labels")?;
        }
        for (column, values) in [("scores", &self.score), ("weights", &self.weight)] {
            if let Some(v) = values {
                len(column, v.len())?;
            }
        }
        if let Some(s) = &self.subjects {
            len("subjects", s.len())?;
        }
        self.attributes.check(n, "truth")
    }

    /// The values of item `i`; `None` once it is dropped (a missing label,
    /// score, weight or subject, a negative or infinite weight).
    fn item(&self, truth: &Labels<'a>, i: usize, rows: &mut Rows) -> Result<Option<Item<'a>>> {
        let t = truth.cell(i).trim_ascii();
        if is_missing(t) {
            let cell = Cell::Text(text(truth.cell(i)));
            rows.drop(i, DropReason::MissingTrueLabel, "truth", cell)?;
            return Ok(None);
        }
        let p = self.pred.as_ref().map(|p| p.cell(i).trim_ascii());
        if p.is_some_and(is_missing) {
            let cell = self
                .pred
                .as_ref()
                .map_or(Cell::Empty, |p| Cell::Text(text(p.cell(i))));
            rows.drop(i, DropReason::MissingPredLabel, "pred", cell)?;
            return Ok(None);
        }
        let s = self.score.as_ref().map(|s| s[i]);
        if let Some(reason) = s.and_then(unusable_score) {
            rows.drop(i, reason, "scores", Cell::Number(s.unwrap_or_default()))?;
            return Ok(None);
        }
        let w = self.weight.as_ref().map(|w| w[i]);
        let weight_reason = match w {
            Some(w) if w.is_nan() => Some(DropReason::MissingWeight),
            Some(w) if w < 0.0 || w.is_infinite() => Some(DropReason::BadWeight),
            _ => None,
        };
        if let Some(reason) = weight_reason {
            rows.drop(i, reason, "weights", Cell::Number(w.unwrap_or_default()))?;
            return Ok(None);
        }
        let id = self.subjects.as_ref().map(|s| s.get(i));
        if let (Some(None), Some(ids)) = (id, &self.subjects) {
            rows.drop(i, DropReason::MissingSubject, "subjects", ids.cell(i))?;
            return Ok(None);
        }
        Ok(Some(Item {
            truth: t,
            pred: p,
            score: s,
            weight: w,
            subject: id.flatten(),
        }))
    }
}

/// The values of one usable item.
struct Item<'a> {
    truth: &'a [u8],
    pred: Option<&'a [u8]>,
    score: Option<f64>,
    weight: Option<f64>,
    subject: Option<Id<'a>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> LabelledBuilder<'static> {
        Labelled::builder()
            .truth(&["yes", "no", "no"])
            .pred_codes(&[1, 0, 1], &["no", "yes"])
            .attribute("race", &["B", "A", "B"])
    }

    fn error(b: LabelledBuilder) -> String {
        b.build().unwrap_err().to_string()
    }

    #[test]
    fn labels_share_one_sorted_code_space() {
        let l = items()
            .weights(&[1.0, 2.0, 0.5])
            .subjects(&["s2", "s1", "s2"])
            .build()
            .unwrap();
        assert_eq!(l.labels, ["no", "yes"]);
        assert_eq!((l.y_true, l.y_pred), (vec![1, 0, 0], vec![1, 0, 1]));
        assert_eq!(l.weight, [1.0, 2.0, 0.5]);
        assert_eq!((l.subject, l.n_subjects), (vec![0, 1, 0], 2));
        assert_eq!(l.attributes[0].values, ["A", "B"]);
        assert_eq!((l.accounting.rows, l.accounting.used), (3, 3));
        let f = Labelled::builder()
            .truth_flags(&[true, false])
            .scores(&[0.2, 0.4])
            .build()
            .unwrap();
        assert_eq!(
            (f.labels, f.y_true, f.score),
            (vec!["0".into(), "1".into()], vec![1, 0], vec![0.2, 0.4])
        );
        assert!(f.y_pred.is_empty());
    }

    #[test]
    fn weights_whose_total_overflows_are_refused() {
        assert_eq!(
            error(items().weights(&[1.0, 1e308, 1e308])),
            "<memory>:2: column 'weights', value \"1e308\": the weights' total (Σw 1e308, Σw² inf) overflows at this row, which would leave every rate undefined; divide every weight by one factor (rates and intervals do not change)"
        );
    }

    #[test]
    fn every_error_path() {
        assert!(error(Labelled::builder()).contains("true labels are required"));
        let alone = Labelled::builder().truth(&["a"]);
        assert!(error(alone).contains("predicted labels or scores are required"));
        assert!(error(items().pred(&["a"])).contains("pred has 1 values but truth has 3"));
        assert!(error(items().scores(&[0.1])).contains("scores has 1 values"));
        assert!(error(items().weights(&[0.1])).contains("weights has 1 values"));
        assert!(error(items().subject_codes(&[0])).contains("subjects has 1 values"));
        assert!(error(items().attribute("sex", &["F"])).contains("\"sex\" has 1 values"));
        let bad = items().truth_codes(&[0, 2, 0], &["a", "b"]);
        assert!(error(bad).contains("true labels: code 2 at index 1"));
        let bad = items().pred_codes(&[0, 0, 0], &["a", "a"]);
        assert!(error(bad).contains("predicted labels: the name \"a\" is listed twice"));
        let cases: [(LabelledBuilder, &str); 7] = [
            (
                items().truth(&["yes", "NA", "no"]),
                "index 1: missing true label",
            ),
            (
                items().pred_codes(&[1, MISSING, 0], &["no", "yes"]),
                "index 1: missing predicted label",
            ),
            (
                items().scores(&[0.1, 0.2, f64::NAN]),
                "index 2: missing score",
            ),
            (
                items().weights(&[1.0, f64::NAN, 1.0]),
                "index 1: missing weight",
            ),
            (
                items().weights(&[1.0, 1.0, -1.0]),
                "index 2: negative or non-finite weight",
            ),
            (
                items().subjects(&["a", "", "b"]),
                "index 1: missing subject id",
            ),
            (
                items().attribute("race", &["A"; 3]),
                "attribute \"race\" is given twice",
            ),
        ];
        for (b, want) in cases {
            let e = error(b);
            assert!(e.contains(want), "{e}");
        }
        let unplaced = Labelled::builder()
            .truth(&["1", "0"])
            .pred(&["1", "1"])
            .attribute_codes("sex", &[0, MISSING], &["F"])
            .attribute("age", &["old", ""]);
        assert!(error(unplaced).contains("index 1: missing group in every attribute"));
    }

    #[test]
    fn unusable_items_are_dropped_when_asked() {
        let l = Labelled::builder()
            .truth(&["1", "", "0", "1"])
            .pred(&["1", "1", "0", "0"])
            .weights(&[1.0, 1.0, f64::INFINITY, 2.0])
            .attribute("race", &["A", "B", "A", "N/A"])
            .drop_unusable(true)
            .build()
            .unwrap();
        assert_eq!(
            (l.labels, l.y_true, l.weight),
            (vec!["1".into()], vec![0], vec![1.0])
        );
        assert!(l.accounting.balanced());
        let reasons = super::super::reasons(&l.accounting);
        let reasons: Vec<&str> = reasons.iter().map(|r| r.0.as_str()).collect();
        let want = [
            DropReason::MissingTrueLabel,
            DropReason::BadWeight,
            DropReason::MissingGroup,
        ];
        assert_eq!(reasons, want.map(|r| r.as_str().into_owned()));
    }
}
