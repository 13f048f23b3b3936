//! [`Ages`] age estimates from columns in memory.

use super::{required, same_length, Cell, Given, Ids, Labels, Rows};
use crate::error::Result;
use crate::input::accounting::DropReason;
use crate::input::ages::{plausible, Ages, OutOfRange};
use crate::input::attributes::no_group;
use crate::input::codes::{Interner, MISSING};
use crate::input::labels::WeightTotals;
use ndarray::ArrayView1;

/// Builds [`Ages`] from columns in memory (see [the module](super)): the
/// true and the estimated age of each row in years, optional weights and
/// subject ids, and attributes. Rows the reader would drop: a missing,
/// negative or infinite true age, a missing or infinite estimate, a missing
/// or negative weight, a missing subject, no group. Estimates outside
/// [0, 130] are kept and counted.
#[derive(Default)]
pub struct AgesBuilder<'a> {
    truth: Option<ArrayView1<'a, f64>>,
    estimate: Option<ArrayView1<'a, f64>>,
    weight: Option<ArrayView1<'a, f64>>,
    subjects: Option<Ids<'a>>,
    attributes: Given<'a>,
    drop_unusable: bool,
}

impl Ages {
    /// Starts building age estimates from columns in memory.
    pub fn builder<'a>() -> AgesBuilder<'a> {
        AgesBuilder::default()
    }
}

impl<'a> AgesBuilder<'a> {
    /// The true age of each row (years).
    pub fn truth(mut self, ages: impl Into<ArrayView1<'a, f64>>) -> Self {
        self.truth = Some(ages.into());
        self
    }

    /// The estimated age of each row (years).
    pub fn estimates(mut self, ages: impl Into<ArrayView1<'a, f64>>) -> Self {
        self.estimate = Some(ages.into());
        self
    }

    /// A non-negative weight per row (without: every row weighs 1).
    pub fn weights(mut self, weights: impl Into<ArrayView1<'a, f64>>) -> Self {
        self.weight = Some(weights.into());
        self
    }

    /// The person of each row: a cluster of the intervals, a bootstrap unit.
    pub fn subjects<S: AsRef<str>>(mut self, ids: &'a [S]) -> Self {
        self.subjects = Some(Ids::Text(ids.iter().map(AsRef::as_ref).collect()));
        self
    }

    shared_setters!("row");

    /// Checks the columns and builds the rows.
    pub fn build(self) -> Result<Ages> {
        let truth = required(self.truth, "true ages")?;
        let estimate = required(self.estimate, "estimated ages")?;
        let n = truth.len();
        let len = |column: &str, len: usize| same_length(n, "truth", column, len);
        len("estimates", estimate.len())?;
        if let Some(w) = &self.weight {
            len("weights", w.len())?;
        }
        if let Some(s) = &self.subjects {
            len("subjects", s.len())?;
        }
        self.attributes.check(n, "truth")?;
        let mut rows = Rows::new("rows", n, self.drop_unusable, None);
        let (mut attrs, mut known) = self.attributes.start();
        let mut row = vec![MISSING; self.attributes.names.len()];
        let mut row_b = row.clone();
        let mut totals = WeightTotals::default();
        let mut subject_ids = Interner::default();
        let mut out = Ages {
            truth: Vec::with_capacity(n),
            estimate: Vec::with_capacity(n),
            weight: Vec::new(),
            subject: Vec::new(),
            n_subjects: 0,
            attributes: Vec::new(),
            accounting: Default::default(),
            out_of_range: OutOfRange::default(),
            inputs: Vec::new(),
        };
        for i in 0..n {
            let (t, e) = (truth[i], estimate[i]);
            let w = self.weight.as_ref().map(|w| w[i]);
            let reason = match (t, e, w) {
                (t, _, _) if t.is_nan() => Some((DropReason::MissingTrueAge, "truth", t)),
                (t, _, _) if t.is_infinite() || t < 0.0 => {
                    Some((DropReason::BadTrueAge, "truth", t))
                }
                (_, e, _) if e.is_nan() => Some((DropReason::MissingEstimate, "estimates", e)),
                (_, e, _) if e.is_infinite() => {
                    Some((DropReason::NonFiniteEstimate, "estimates", e))
                }
                (_, _, Some(w)) if w.is_nan() => Some((DropReason::MissingWeight, "weights", w)),
                (_, _, Some(w)) if w < 0.0 || w.is_infinite() => {
                    Some((DropReason::BadWeight, "weights", w))
                }
                _ => None,
            };
            if let Some((reason, column, x)) = reason {
                rows.drop(i, reason, column, Cell::Number(x))?;
                continue;
            }
            let id = self.subjects.as_ref().map(|s| s.get(i));
            if let (Some(None), Some(ids)) = (id, &self.subjects) {
                rows.drop(i, DropReason::MissingSubject, "subjects", ids.cell(i))?;
                continue;
            }
            self.attributes
                .read(&mut attrs, &mut known, i, &mut row, &mut row_b);
            if no_group(&row) {
                rows.drop_ungrouped(i, self.attributes.column(), Cell::Number(t))?;
                continue;
            }
            if let Some(w) = w {
                totals
                    .add(w)
                    .map_err(|m| rows.bad_value(i, "weights", format!("{w:e}"), m))?;
                out.weight.push(w);
            }
            if !plausible(e) {
                out.out_of_range.rows += 1;
                if out.out_of_range.first.is_none() {
                    out.out_of_range.first = Some(format!("<memory>: row {}: estimate {e}", i + 1));
                }
            }
            attrs.push(&row, &row);
            out.truth.push(t);
            out.estimate.push(e);
            out.subject
                .extend(id.flatten().map(|id| id.intern(&mut subject_ids)));
            rows.use_row();
        }
        out.n_subjects = subject_ids.len();
        out.attributes = attrs.finish(&mut []).0;
        out.accounting = rows.accounting;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> AgesBuilder<'static> {
        Ages::builder()
            .truth(&[30.0, 17.0, 45.0])
            .estimates(&[28.0, 25.0, 140.0])
            .attribute("sex", &["F", "M", "F"])
    }

    #[test]
    fn builds_what_the_reader_reads() {
        let a = rows()
            .weights(&[1.0, 2.0, 0.5])
            .subjects(&["s2", "s1", "s2"])
            .build()
            .unwrap();
        assert_eq!(a.truth, [30.0, 17.0, 45.0]);
        assert_eq!(a.weight, [1.0, 2.0, 0.5]);
        assert_eq!((a.subject, a.n_subjects), (vec![0, 1, 0], 2));
        assert_eq!(a.out_of_range.rows, 1);
        assert_eq!(a.attributes[0].values, ["F", "M"]);
        assert_eq!((a.accounting.rows, a.accounting.used), (3, 3));
    }

    #[test]
    fn unusable_rows_are_refused_or_dropped() {
        let bad = || rows().truth(&[30.0, -1.0, f64::NAN]);
        let e = bad().build().unwrap_err().to_string();
        assert!(
            e.contains("index 1") && e.contains("negative or non-finite true age"),
            "{e}"
        );
        let a = bad().drop_unusable(true).build().unwrap();
        let reasons: Vec<String> = a
            .accounting
            .dropped
            .iter()
            .map(|d| d.reason.to_string())
            .collect();
        assert_eq!(
            reasons,
            ["negative or non-finite true age", "missing true age"]
        );
        assert!(rows()
            .estimates(&[1.0])
            .build()
            .unwrap_err()
            .to_string()
            .contains("estimates has 1 values"));
        assert!(Ages::builder()
            .build()
            .unwrap_err()
            .to_string()
            .contains("true ages are required"));
    }
}
