//! [`Comparisons`] from columns in memory.

use super::{
    invalid, required, same_length, unusable_score, Cell, FileOrigin, Given, Ids, Labels, Rows,
};
use crate::error::Result;
use crate::input::accounting::DropReason;
use crate::input::codes::{Interner, MISSING};
use crate::input::comparisons::{placeable, Comparisons};
use ndarray::ArrayView1;

/// Builds [`Comparisons`] from columns in memory (see [the module](super)):
/// scores and mated flags, optional subject ids and counts, and attributes
/// once per row or per side. Only `scores` is always required; without
/// `mated`, a comparison is mated when its two subject ids are equal. Rows
/// the reader would drop: a NaN or infinite score, a missing subject id, no
/// group to place the row in.
#[derive(Default)]
pub struct ComparisonsBuilder<'a> {
    score: Option<ArrayView1<'a, f64>>,
    mated: Option<ArrayView1<'a, bool>>,
    subjects: Option<(Ids<'a>, Ids<'a>)>,
    counts: Option<ArrayView1<'a, u64>>,
    attributes: Given<'a>,
    distance: bool,
    drop_unusable: bool,
    file: Option<FileOrigin>,
}

impl Comparisons {
    /// Starts building comparisons from columns in memory.
    pub fn builder<'a>() -> ComparisonsBuilder<'a> {
        ComparisonsBuilder::default()
    }
}

impl<'a> ComparisonsBuilder<'a> {
    /// The score of each comparison (similarities, or distances with [`Self::distance`]).
    pub fn scores(mut self, scores: impl Into<ArrayView1<'a, f64>>) -> Self {
        self.score = Some(scores.into());
        self
    }

    /// Whether each comparison is mated (both samples of one subject).
    pub fn mated(mut self, mated: impl Into<ArrayView1<'a, bool>>) -> Self {
        self.mated = Some(mated.into());
        self
    }

    /// The subject of each side, as text (for the subject-level bootstrap,
    /// and to derive `mated` when it is not given).
    pub fn subjects<S: AsRef<str>>(mut self, a: &'a [S], b: &'a [S]) -> Self {
        let text = |v: &'a [S]| Ids::Text(v.iter().map(AsRef::as_ref).collect());
        self.subjects = Some((text(a), text(b)));
        self
    }

    /// The subject of each side as an integer id (`u32::MAX`: missing).
    pub fn subject_codes(
        mut self,
        a: impl Into<ArrayView1<'a, u32>>,
        b: impl Into<ArrayView1<'a, u32>>,
    ) -> Self {
        self.subjects = Some((Ids::Codes(a.into()), Ids::Codes(b.into())));
        self
    }

    /// An attribute with a value for each side of each comparison.
    pub fn attribute_per_side<S: AsRef<str>>(mut self, name: &str, a: &'a [S], b: &'a [S]) -> Self {
        let b = Some(Labels::text(b));
        self.attributes.add(name, Labels::text(a), b);
        self
    }

    /// An attribute as codes into `names`, one per side of each comparison.
    pub fn attribute_codes_per_side<S: AsRef<str>>(
        mut self,
        name: &str,
        a: impl Into<ArrayView1<'a, u32>>,
        b: impl Into<ArrayView1<'a, u32>>,
        names: &'a [S],
    ) -> Self {
        let b = Some(Labels::codes(b.into(), names));
        self.attributes.add(name, Labels::codes(a.into(), names), b);
        self
    }

    /// How many identical comparisons each row stands for (at least 1; not
    /// for the bootstrap).
    pub fn counts(mut self, counts: impl Into<ArrayView1<'a, u64>>) -> Self {
        self.counts = Some(counts.into());
        self
    }

    /// Scores are distances: lower is more alike. Set
    /// [`VerifyOptions::distance`](crate::engine::verify::VerifyOptions) too,
    /// so that thresholds are shown in distance units.
    pub fn distance(mut self, distance: bool) -> Self {
        self.distance = distance;
        self
    }

    shared_setters!("comparison");

    /// The columns were read from a file: drops are named as the table
    /// reader names them (see [`FileOrigin`]; columns `scores`,
    /// `subject_a`, `subject_b`, and `group`: the first subject column, else the score's).
    pub(crate) fn read_from(mut self, origin: FileOrigin) -> Self {
        self.file = Some(origin);
        self
    }

    /// Checks the columns and builds the comparisons.
    pub fn build(self) -> Result<Comparisons> {
        let score = required(self.score, "scores")?;
        let n = score.len();
        let len = |column: &str, len: usize| same_length(n, "scores", column, len);
        if let Some(m) = &self.mated {
            len("mated", m.len())?;
        }
        if let Some((a, b)) = &self.subjects {
            len("subjects (side a)", a.len())?;
            len("subjects (side b)", b.len())?;
        }
        if let Some(c) = &self.counts {
            len("counts", c.len())?;
            if let Some(i) = c.iter().position(|&c| c == 0) {
                return Err(invalid(format!("counts: index {i} is 0 (at least 1)")));
            }
        }
        self.attributes.check(n, "scores")?;
        if self.mated.is_none() && self.subjects.is_none() {
            return Err(invalid(
                "comparisons need mated flags, or subject ids to derive them from".into(),
            ));
        }
        let mut rows = Rows::new("comparisons", n, self.drop_unusable, self.file);
        let (mut attrs, mut known) = self.attributes.start();
        let mut row_a = vec![MISSING; self.attributes.names.len()];
        let mut row_b = row_a.clone();
        let mut subject_ids = Interner::default();
        let mut c = Comparisons {
            score: Vec::with_capacity(n),
            mated: Vec::with_capacity(n),
            subject_a: Vec::new(),
            subject_b: Vec::new(),
            n_subjects: 0,
            attributes: Vec::new(),
            accounting: Default::default(),
            inputs: Vec::new(),
            count: Vec::new(),
        };
        for (i, &s) in score.iter().enumerate() {
            if let Some(reason) = unusable_score(s) {
                rows.drop(i, reason, "scores", Cell::Number(s))?;
                continue;
            }
            let mut ids = None;
            if let Some((a, b)) = &self.subjects {
                let (Some(x), Some(y)) = (a.get(i), b.get(i)) else {
                    let (column, side) = match a.get(i) {
                        None => ("subject_a", a),
                        Some(_) => ("subject_b", b),
                    };
                    rows.drop(i, DropReason::MissingSubject, column, side.cell(i))?;
                    continue;
                };
                ids = Some((x.intern(&mut subject_ids), y.intern(&mut subject_ids)));
            }
            let m = match &self.mated {
                Some(m) => m[i],
                None => ids.is_some_and(|(a, b)| a == b),
            };
            self.attributes
                .read(&mut attrs, &mut known, i, &mut row_a, &mut row_b);
            if !placeable(m, &row_a, &row_b) {
                // From a file, the table reader points at the first subject column, else the score's.
                let cell = match &self.subjects {
                    Some((a, _)) => a.cell(i),
                    None => Cell::Number(s),
                };
                rows.drop_ungrouped(i, self.attributes.column(), cell)?;
                continue;
            }
            attrs.push(&row_a, &row_b);
            if let Some((a, b)) = ids {
                c.subject_a.push(a);
                c.subject_b.push(b);
            }
            // Distances are negated (+ 0.0 keeps −0 out) so that larger is more alike.
            c.score.push(if self.distance { -s + 0.0 } else { s });
            c.mated.push(m);
            if let Some(counts) = &self.counts {
                c.count.push(counts[i]);
            }
            rows.use_row();
        }
        c.n_subjects = subject_ids.len();
        c.attributes = attrs.finish(&mut []).0;
        c.accounting = rows.accounting;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn race() -> ComparisonsBuilder<'static> {
        Comparisons::builder()
            .scores(&[0.9, 0.8, 0.2, 0.6])
            .mated(&[true, true, false, false])
            .attribute_per_side("race", &["A", "B", "A", "B"], &["A", "B", "A", "B"])
    }

    fn error(b: ComparisonsBuilder) -> String {
        b.build().unwrap_err().to_string()
    }

    #[test]
    fn builds_sorted_codes_and_full_accounting() {
        let c = Comparisons::builder()
            .scores(ArrayView1::from(&[0.9, 0.8, 0.2][..]))
            .subjects(&["s2", "s1", "s1"], &["s2", "s1", "s2"])
            .attribute_codes("race", &[1, 0, 1], &["W", "B"])
            .counts(&[1, 2, 3])
            .distance(true)
            .build()
            .unwrap();
        assert_eq!(c.score, [-0.9, -0.8, -0.2]);
        assert_eq!(c.mated, [true, true, false]);
        assert_eq!(
            (c.subject_a, c.subject_b, c.n_subjects),
            (vec![0, 1, 1], vec![0, 1, 0], 2)
        );
        assert_eq!(c.attributes[0].values, ["B", "W"]);
        assert_eq!(c.attributes[0].side_a, [0, 1, 0]);
        assert_eq!(c.attributes[0].side_b, c.attributes[0].side_a);
        assert_eq!(c.count, [1, 2, 3]);
        assert_eq!((c.accounting.rows, c.accounting.used), (3, 3));
        assert!(c.accounting.dropped.is_empty() && c.inputs.is_empty());
    }

    #[test]
    fn every_error_path() {
        assert!(error(Comparisons::builder()).contains("scores are required"));
        let no_mated = Comparisons::builder().scores(&[0.5]);
        assert!(error(no_mated).contains("need mated flags"));
        let short = race().mated(&[true]);
        assert!(error(short).contains("mated has 1 values but scores has 4"));
        let short = race().subject_codes(&[1, 2, 3, 4], &[1, 2]);
        assert!(error(short).contains("subjects (side b) has 2 values"));
        let short = race().attribute("sex", &["F"]);
        assert!(error(short).contains("attribute \"sex\" has 1 values"));
        let twice = race().attribute("race", &["A", "B", "A", "B"]);
        assert!(error(twice).contains("\"race\" is given twice"));
        let bad = race().attribute_codes_per_side("sex", &[0, 0, 0, 0], &[0, 0, 0, 2], &["F", "M"]);
        assert!(error(bad).contains("code 2 at index 3 has no name"));
        let zero = race().counts(&[1, 1, 0, 1]);
        assert!(error(zero).contains("counts: index 2 is 0"));
        let nan = race().scores(&[0.9, f64::NAN, 0.2, 0.6]);
        assert!(error(nan).ends_with(
            "comparisons index 1: missing score (scores = \"NaN\"); drop_unusable(true) drops such rows"
        ));
        let inf = race().scores(&[0.9, 0.8, f64::INFINITY, 0.6]);
        assert!(error(inf).contains("index 2: non-finite score"));
        // Missing in one attribute is no error: placed by another.
        let placed = race().attribute_per_side("age", &[""; 4], &["NA"; 4]);
        assert!(placed.build().is_ok());
        let unplaced = Comparisons::builder()
            .scores(&[0.5, 0.6])
            .mated(&[false, true])
            .attribute_per_side("race", &["A", "NA"], &["", "B"]);
        assert!(error(unplaced).contains("index 0: missing group in every attribute"));
        let missing = race().subjects(&["a", "b", "c", "d"], &["a", "b", " ", "e"]);
        assert!(error(missing).contains("index 2: missing subject id"));
    }

    #[test]
    fn unusable_rows_are_dropped_when_asked() {
        let c = Comparisons::builder()
            .scores(&[0.5, f64::NAN, 0.7, f64::NEG_INFINITY])
            .mated(&[false, true, false, false])
            .attribute_codes_per_side("race", &[0, 0, 1, 1], &[MISSING, 0, 1, 1], &["A", "B"])
            .drop_unusable(true)
            .build()
            .unwrap();
        assert_eq!(c.score, [0.7]);
        let acc = &c.accounting;
        assert_eq!((acc.rows, acc.used), (4, 1));
        assert!(acc.balanced());
        assert_eq!(
            super::super::reasons(acc),
            [
                ("missing group in every attribute".to_string(), 1, 1),
                ("missing score".to_string(), 1, 2),
                ("non-finite score".to_string(), 1, 4)
            ]
        );
        assert_eq!(acc.dropped[0].first.file, "<memory>");
    }
}
