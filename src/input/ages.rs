//! Reading age estimates: one row per face image with the person's true
//! age, the model's estimated age, an optional weight and subject, and the
//! demographic attributes.

use super::accounting::{Accounting, DropReason};
use super::attributes::{Attributes, SubjectsSpec};
use super::comparisons::AttributeData;
use super::labels::{read_weight, WeightTotals};
use super::rows::{read_chunks, RowReader};
use super::rules::ExcludeRule;
use super::table::{InputFile, Table, TextFormat};
use super::values::{trim, Score};
use crate::error::{Error, Position, Result};
use crate::input::codes::{extend_remapped, Interner, MISSING};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The plausible range of an estimated age in years; estimates outside it
/// are kept (they are the model's output) and flagged.
pub const PLAUSIBLE_AGES: (f64, f64) = (0.0, 130.0);

/// Whether an estimate lies within [`PLAUSIBLE_AGES`].
#[inline]
pub fn plausible(estimate: f64) -> bool {
    (PLAUSIBLE_AGES.0..=PLAUSIBLE_AGES.1).contains(&estimate)
}

/// How to find the columns of an age-estimation table.
#[derive(Debug, Clone, Serialize)]
pub struct EstimateColumns {
    /// True age column (years).
    pub y_true: String,
    /// Estimated age column (years).
    pub y_pred: String,
    /// Optional non-negative weight per row.
    pub weight: Option<String>,
    /// Attributes, each from a column `X`, else the subjects table.
    pub attrs: Vec<String>,
    /// Subject column: rows of one person, a cluster of the intervals.
    pub subject: Option<String>,
    /// Subjects table (attributes per subject).
    pub subjects: Option<PathBuf>,
    /// Subject id column of the subjects table.
    pub subject_id: String,
    /// `COLUMN=VALUE` rules; matching rows are dropped, counted per rule.
    pub exclude: Vec<ExcludeRule>,
    /// Turn every drop into an error (explicit `exclude` rules excepted).
    pub strict: bool,
    /// Delimiter override and whether quoted fields may span many lines.
    #[serde(skip)]
    pub text: TextFormat,
}

impl Default for EstimateColumns {
    fn default() -> Self {
        EstimateColumns {
            y_true: "y_true".into(),
            y_pred: "y_pred".into(),
            weight: None,
            attrs: Vec::new(),
            subject: None,
            subjects: None,
            subject_id: "subject_id".into(),
            exclude: Vec::new(),
            strict: false,
            text: TextFormat::default(),
        }
    }
}

/// Estimates outside [`PLAUSIBLE_AGES`]: kept, counted, the first named.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutOfRange {
    /// Rows whose estimate lies outside the range.
    pub rows: u64,
    /// Where the first one is (file, line, column, value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
}

impl OutOfRange {
    fn add(&mut self, at: impl FnOnce() -> Position) {
        self.rows += 1;
        if self.first.is_none() {
            self.first = Some(at().to_string());
        }
    }

    fn merge(&mut self, later: &OutOfRange) {
        self.rows += later.rows;
        if self.first.is_none() {
            self.first.clone_from(&later.first);
        }
    }
}

/// Age estimates in compact columns.
#[derive(Debug, Clone)]
pub struct Ages {
    /// True age per row (years, ≥ 0).
    pub truth: Vec<f64>,
    /// Estimated age per row (years; finite, possibly outside [`PLAUSIBLE_AGES`]).
    pub estimate: Vec<f64>,
    /// Weights (empty without a weight column: every row weighs 1).
    pub weight: Vec<f64>,
    /// Dense subject id of each row (empty without a subject column).
    pub subject: Vec<u32>,
    /// Number of distinct subjects (0 without a subject column).
    pub n_subjects: usize,
    /// The demographic attributes, with their per-row codes.
    pub attributes: Vec<AttributeData>,
    /// Where every input row went: used or dropped for a reason.
    pub accounting: Accounting,
    /// Estimates outside the plausible range, kept.
    pub out_of_range: OutOfRange,
    /// Provenance of the files read (rows, then the subjects table).
    pub inputs: Vec<InputFile>,
}

impl Ages {
    /// Reads an age-estimation table. Bad input is an error naming file,
    /// line, column and value; rows that cannot be used are dropped and
    /// counted (an error under `strict`).
    pub fn read(t: Table, cols: &EstimateColumns) -> Result<Ages> {
        let c = AgeColumns {
            truth: t.column(&cols.y_true, "--y-true")?,
            estimate: t.column(&cols.y_pred, "--y-pred")?,
            weight: t.column_if(cols.weight.as_deref(), "--weight")?,
            subject: t.column_if(cols.subject.as_deref(), "--subject")?,
        };
        let spec = SubjectsSpec::given(cols.subjects.as_deref(), &cols.subject_id, cols.text);
        if spec.is_some() && c.subject.is_none() {
            return Err(Error::option(
                "--subjects",
                "needs --subject (the rows' subject id column)",
            ));
        }
        let attrs = Attributes::resolve(&t, &cols.attrs, false, spec, c.subject.is_some())?;
        let template = attrs.local();
        let new = || Rows::new(template.local());
        let read = |r: &mut RowReader, rows: &mut Rows| c.read(r, rows);
        let mut all = Rows::new(attrs);
        let mut totals = WeightTotals::default();
        let (input, accounting) =
            read_chunks(t, &cols.exclude, cols.strict, "rows", new, &read, |chunk| {
                if let Some(col) = c.weight {
                    for (&w, &row) in chunk.out.weight.iter().zip(&chunk.out.rows) {
                        totals
                            .add(w)
                            .map_err(|m| Error::value(chunk.rows.cell(row, col), m))?;
                    }
                }
                all.append(&chunk.out);
                Ok(())
            })?;
        let (attributes, subjects_input) = all.attrs.finish(&mut []);
        Ok(Ages {
            truth: all.truth,
            estimate: all.estimate,
            weight: all.weight,
            subject: all.subject,
            n_subjects: all.subject_ids.len(),
            attributes,
            accounting,
            out_of_range: all.out_of_range,
            inputs: std::iter::once(input).chain(subjects_input).collect(),
        })
    }
}

/// Rows read from one chunk, or from every chunk so far.
struct Rows {
    truth: Vec<f64>,
    estimate: Vec<f64>,
    weight: Vec<f64>,
    subject: Vec<u32>,
    /// The row (index in its chunk) of each weight of a chunk.
    rows: Vec<usize>,
    subject_ids: Interner,
    out_of_range: OutOfRange,
    attrs: Attributes,
}

impl Rows {
    fn new(attrs: Attributes) -> Rows {
        Rows {
            truth: Vec::new(),
            estimate: Vec::new(),
            weight: Vec::new(),
            subject: Vec::new(),
            rows: Vec::new(),
            subject_ids: Interner::default(),
            out_of_range: OutOfRange::default(),
            attrs,
        }
    }

    fn append(&mut self, chunk: &Rows) {
        self.truth.extend_from_slice(&chunk.truth);
        self.estimate.extend_from_slice(&chunk.estimate);
        self.weight.extend_from_slice(&chunk.weight);
        let subjects = self.subject_ids.absorb(&chunk.subject_ids);
        extend_remapped(&mut self.subject, &chunk.subject, &subjects);
        self.out_of_range.merge(&chunk.out_of_range);
        self.attrs.append(&chunk.attrs);
    }
}

/// The columns of an age-estimation table.
struct AgeColumns {
    truth: usize,
    estimate: usize,
    weight: Option<usize>,
    subject: Option<usize>,
}

impl AgeColumns {
    fn read(&self, r: &mut RowReader, out: &mut Rows) -> Result<()> {
        let mut row = vec![MISSING; out.attrs.count()];
        let mut row_b = row.clone();
        while r.next_row()? {
            let Some(truth) = self.age(r, self.truth, true)? else {
                continue;
            };
            let Some(estimate) = self.age(r, self.estimate, false)? else {
                continue;
            };
            let weight = match self.weight {
                Some(c) => match read_weight(r, c)? {
                    Some(w) => Some(w),
                    None => continue,
                },
                None => None,
            };
            if let Some(s) = self.subject {
                if r.drop_if_missing_subject(s)?
                    || r.drop_if_unknown_subject(&out.attrs, s, None)?
                {
                    continue;
                }
            }
            if r.drop_if_no_group(
                &mut out.attrs,
                self.subject,
                &mut row,
                &mut row_b,
                self.truth,
            )? {
                continue;
            }
            out.attrs.push(&row, &row);
            out.truth.push(truth);
            out.estimate.push(estimate);
            if !plausible(estimate) {
                out.out_of_range.add(|| r.location(self.estimate));
            }
            if let Some(w) = weight {
                out.weight.push(w);
                out.rows.push(r.index());
            }
            if let Some(s) = self.subject {
                out.subject.push(out.subject_ids.intern(trim(r.field(s))));
            }
            r.use_row();
        }
        Ok(())
    }

    /// The true (`truth`) or estimated age in `column`: `None` once the row
    /// is dropped (missing; non-finite; a negative true age). Text that is
    /// not a number is an error.
    fn age(&self, r: &mut RowReader, column: usize, truth: bool) -> Result<Option<f64>> {
        let (missing, bad) = if truth {
            (DropReason::MissingTrueAge, DropReason::BadTrueAge)
        } else {
            (DropReason::MissingEstimate, DropReason::NonFiniteEstimate)
        };
        let reason = match r.number(column)? {
            Score::Value(x) if !truth || x >= 0.0 => return Ok(Some(x)),
            Score::Value(_) | Score::NonFinite => bad,
            _ => missing,
        };
        r.drop_row(reason, column)?;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, cols: &EstimateColumns) -> Result<Ages> {
        let t = Table::from_reader(
            "a.csv".into(),
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            Default::default(),
        )?;
        Ages::read(t, cols)
    }

    #[test]
    fn ages_drops_and_flags() {
        let cols = EstimateColumns {
            attrs: vec!["sex".into()],
            ..Default::default()
        };
        let text = "y_true,y_pred,sex\n30,28.5,F\n,20,M\n-1,20,M\n17,inf,F\n40,,M\n50,140,M\n12,-2,F\n9,9,\n";
        let a = read(text, &cols).unwrap();
        assert_eq!(a.truth, [30.0, 50.0, 12.0]);
        assert_eq!(a.estimate, [28.5, 140.0, -2.0]);
        assert_eq!(a.out_of_range.rows, 2);
        assert_eq!(
            a.out_of_range.first.as_deref(),
            Some("a.csv:7: column 'y_pred', value \"140\"")
        );
        let reasons: Vec<String> = a
            .accounting
            .dropped
            .iter()
            .map(|d| d.reason.to_string())
            .collect();
        assert_eq!(
            reasons,
            [
                "missing true age",
                "negative or non-finite true age",
                "non-finite estimated age",
                "missing estimated age",
                "missing group in every attribute"
            ]
        );
        assert!(a.accounting.balanced());
        let e = read("y_true,y_pred\nthirty,28\n", &EstimateColumns::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.csv:2: column 'y_true', value \"thirty\": not a number"
        );
        let strict = EstimateColumns {
            strict: true,
            ..Default::default()
        };
        let e = read("y_true,y_pred\n-3,28\n", &strict).unwrap_err();
        assert!(
            e.to_string().contains("negative or non-finite true age"),
            "{e}"
        );
    }
}
