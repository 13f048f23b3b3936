//! Reading classifier outputs: one row per item with its true label, its
//! predicted label (or a score to threshold), an optional weight and the
//! demographic attributes.

use super::accounting::{Accounting, DropReason};
use super::attributes::{Attributes, SubjectsSpec};
use super::comparisons::AttributeData;
use super::rows::{read_chunks, RowReader};
use super::rules::ExcludeRule;
use super::table::{InputFile, Table, TextFormat};
use super::values::{is_missing, trim};
use crate::error::{Error, Result};
use crate::input::codes::{extend_remapped, Interner, MISSING};
use serde::Serialize;
use std::path::PathBuf;

/// How to find the columns of a classification table.
#[derive(Debug, Clone, Serialize)]
pub struct ClassifyColumns {
    /// True-label column.
    pub y_true: String,
    /// Predicted label column (`y_pred` when neither it nor `score` is given).
    pub y_pred: Option<String>,
    /// Score column, thresholded by the engine's cutoff.
    pub score: Option<String>,
    /// The other model's column of the same kind (a score with `score`, else
    /// a predicted label) that every used row must hold too (`compare`): a
    /// row without one is dropped as for its own, naming this column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub also: Option<String>,
    /// Optional non-negative weight per row.
    pub weight: Option<String>,
    /// Attributes, each from a column `X`, else the subjects table.
    pub attrs: Vec<String>,
    /// Subject column, for `subjects`.
    pub subject: Option<String>,
    /// Subjects table (attributes per subject).
    pub subjects: Option<PathBuf>,
    /// Subject id column of the subjects table.
    pub subject_id: String,
    /// `COLUMN=VALUE` rules; matching rows are dropped, counted per rule.
    pub exclude: Vec<ExcludeRule>,
    /// Turn every drop into an error (explicit `exclude` rules excepted).
    pub strict: bool,
    /// Delimiter override (sniffed from the header otherwise) and whether
    /// quoted fields may span many lines.
    #[serde(skip)]
    pub text: TextFormat,
}

impl Default for ClassifyColumns {
    fn default() -> Self {
        ClassifyColumns {
            y_true: "y_true".into(),
            y_pred: None,
            score: None,
            also: None,
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

/// Labelled items in compact columns. Labels of both columns share one code
/// space (`labels`, sorted); without a predicted-label column `y_pred` is empty.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// True-label code per row (index into `labels`).
    pub y_true: Vec<u32>,
    /// Predicted-label code per row (into `labels`; empty without a predicted-label column).
    pub y_pred: Vec<u32>,
    /// Label names of both columns in byte order.
    pub labels: Vec<String>,
    /// Scores (empty without a score column).
    pub score: Vec<f64>,
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
    /// Provenance of the files read (items, then the subjects table).
    pub inputs: Vec<InputFile>,
}

/// Σw and Σw² of the weights read so far. Both must stay finite: past the
/// largest float every rate (Σw ratios) and every interval (Kish's
/// (Σw)²/Σw²) would be undefined.
#[derive(Debug, Default)]
pub(super) struct WeightTotals {
    sum: f64,
    sum_sq: f64,
}

impl WeightTotals {
    /// Adds weight `w`; when a total overflows, what the error says.
    pub(super) fn add(&mut self, w: f64) -> std::result::Result<(), String> {
        self.sum += w;
        self.sum_sq += w * w;
        if self.sum.is_finite() && self.sum_sq.is_finite() {
            return Ok(());
        }
        Err(format!(
            "the weights' total (Σw {:e}, Σw² {:e}) overflows at this row, which would leave every rate undefined; divide every weight by one factor (rates and intervals do not change)",
            self.sum, self.sum_sq
        ))
    }
}

/// The label names in byte order; both code columns renumbered alike.
pub(super) fn sorted_labels(
    labels: Interner,
    y_true: &mut [u32],
    y_pred: &mut [u32],
) -> Vec<String> {
    let (names, remap) = labels.into_sorted();
    for c in y_true.iter_mut().chain(y_pred.iter_mut()) {
        *c = remap[*c as usize];
    }
    names
}

impl Labelled {
    /// Reads a classification table. Bad input is an error naming file,
    /// line, column and value; rows that cannot be used are dropped and
    /// counted (an error under `strict`).
    pub fn read(t: Table, cols: &ClassifyColumns) -> Result<Labelled> {
        let c = LabelColumns::find(&t, cols)?;
        let spec = SubjectsSpec::given(cols.subjects.as_deref(), &cols.subject_id, cols.text);
        if spec.is_some() && c.subject.is_none() {
            return Err(Error::option(
                "--subjects",
                "needs --subject (the rows' subject id column)",
            ));
        }
        let attrs = Attributes::resolve(&t, &cols.attrs, false, spec, c.subject.is_some())?;
        let template = attrs.local();
        let new = || Items::new(template.local());
        let read = |r: &mut RowReader, items: &mut Items| c.read(r, items);
        let mut all = Items::new(attrs);
        let mut totals = WeightTotals::default();
        let (input, accounting) = read_chunks(
            t,
            &cols.exclude,
            cols.strict,
            "items",
            new,
            &read,
            |chunk| {
                // The weights' totals, in file order up to the chunk's error.
                if let Some(col) = c.weight {
                    for (&w, &row) in chunk.out.weight.iter().zip(&chunk.out.rows) {
                        totals
                            .add(w)
                            .map_err(|m| Error::value(chunk.rows.cell(row, col), m))?;
                    }
                }
                all.append(&chunk.out);
                Ok(())
            },
        )?;
        let (attributes, subjects_input) = all.attrs.finish(&mut []);
        Ok(Labelled {
            labels: sorted_labels(all.labels, &mut all.y_true, &mut all.y_pred),
            y_true: all.y_true,
            y_pred: all.y_pred,
            score: all.score,
            weight: all.weight,
            subject: all.subject,
            n_subjects: all.subject_ids.len(),
            attributes,
            accounting,
            inputs: std::iter::once(input).chain(subjects_input).collect(),
        })
    }
}

/// Items read from one chunk, or from every chunk so far: the columns and
/// the codes in first-seen order.
struct Items {
    y_true: Vec<u32>,
    y_pred: Vec<u32>,
    score: Vec<f64>,
    weight: Vec<f64>,
    subject: Vec<u32>,
    /// The row (index in its chunk) of each weight of a chunk.
    rows: Vec<usize>,
    labels: Interner,
    subject_ids: Interner,
    attrs: Attributes,
}

impl Items {
    fn new(attrs: Attributes) -> Items {
        Items {
            y_true: Vec::new(),
            y_pred: Vec::new(),
            score: Vec::new(),
            weight: Vec::new(),
            subject: Vec::new(),
            rows: Vec::new(),
            labels: Interner::default(),
            subject_ids: Interner::default(),
            attrs,
        }
    }

    /// Appends the items of `chunk`, read after these, renumbering its codes.
    fn append(&mut self, chunk: &Items) {
        let labels = self.labels.absorb(&chunk.labels);
        extend_remapped(&mut self.y_true, &chunk.y_true, &labels);
        extend_remapped(&mut self.y_pred, &chunk.y_pred, &labels);
        let subjects = self.subject_ids.absorb(&chunk.subject_ids);
        extend_remapped(&mut self.subject, &chunk.subject, &subjects);
        self.score.extend_from_slice(&chunk.score);
        self.weight.extend_from_slice(&chunk.weight);
        self.attrs.append(&chunk.attrs);
    }
}

/// The columns of a classification table.
struct LabelColumns {
    y_true: usize,
    /// The predicted label (none when a score is thresholded instead).
    y_pred: Option<usize>,
    score: Option<usize>,
    /// The other model's score (with `score`) or predicted label.
    also: Option<usize>,
    weight: Option<usize>,
    subject: Option<usize>,
}

impl LabelColumns {
    /// Finds the columns the flags name; without a score column the
    /// predicted label column is required (`y_pred` by default).
    fn find(t: &Table, cols: &ClassifyColumns) -> Result<LabelColumns> {
        let y_true = t.column(&cols.y_true, "--y-true")?;
        let score = t.column_if(cols.score.as_deref(), "--score")?;
        let y_pred = match (&cols.y_pred, score) {
            (Some(c), _) => Some(t.column(c, "--y-pred")?),
            (None, None) => Some(t.column("y_pred", "--y-pred (or --score with --cutoff)")?),
            (None, Some(_)) => None,
        };
        let also = t.column_if(cols.also.as_deref(), "--score-b")?;
        Ok(LabelColumns {
            y_true,
            y_pred,
            score,
            also,
            weight: t.column_if(cols.weight.as_deref(), "--weight")?,
            subject: t.column_if(cols.subject.as_deref(), "--subject")?,
        })
    }

    /// Reads the rows of `r` into `out`, up to the first error (the
    /// weights' totals are checked when the chunks merge).
    fn read(&self, r: &mut RowReader, out: &mut Items) -> Result<()> {
        let mut row = vec![MISSING; out.attrs.count()];
        let mut row_b = row.clone();
        while r.next_row()? {
            if self.drop_if_missing_label(r)? {
                continue;
            }
            let Some((score, weight)) = self.numbers(r)? else {
                continue;
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
                self.y_true,
            )? {
                continue;
            }
            out.attrs.push(&row, &row);
            out.y_true
                .push(out.labels.intern(trim(r.field(self.y_true))));
            if let Some(p) = self.y_pred {
                out.y_pred.push(out.labels.intern(trim(r.field(p))));
            }
            out.score.extend(score);
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

    /// Drops the current row when its true or predicted label is missing;
    /// true when dropped.
    fn drop_if_missing_label(&self, r: &mut RowReader) -> Result<bool> {
        if is_missing(trim(r.field(self.y_true))) {
            r.drop_row(DropReason::MissingTrueLabel, self.y_true)?;
            return Ok(true);
        }
        let pred = [self.y_pred, self.also.filter(|_| self.score.is_none())];
        for p in pred.into_iter().flatten() {
            if is_missing(trim(r.field(p))) {
                r.drop_row(DropReason::MissingPredLabel, p)?;
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The score and weight of the current row (each where its column is
    /// given); `None` once the row is dropped for a missing or non-finite
    /// score, or a missing, negative or non-finite weight.
    fn numbers(&self, r: &mut RowReader) -> Result<Option<(Option<f64>, Option<f64>)>> {
        let mut score = None;
        if let Some(c) = self.score {
            let Some(x) = r.score(c)? else {
                return Ok(None);
            };
            score = Some(x);
            if let Some(o) = self.also {
                if r.score(o)?.is_none() {
                    return Ok(None);
                }
            }
        }
        let mut weight = None;
        if let Some(c) = self.weight {
            let Some(x) = read_weight(r, c)? else {
                return Ok(None);
            };
            weight = Some(x);
        }
        Ok(Some((score, weight)))
    }
}

/// The weight in `column` of the current row: `None` once the row is
/// dropped ("missing weight"; "negative or non-finite weight").
pub(super) fn read_weight(r: &mut RowReader, column: usize) -> Result<Option<f64>> {
    let reasons = (DropReason::MissingWeight, DropReason::BadWeight);
    let Some(x) = r.required_number(column, reasons.0, reasons.1)? else {
        return Ok(None);
    };
    if x < 0.0 {
        r.drop_row(DropReason::BadWeight, column)?;
        return Ok(None);
    }
    Ok(Some(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, cols: &ClassifyColumns) -> Result<Labelled> {
        let t = Table::from_reader(
            "l.csv".into(),
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            Default::default(),
        )?;
        Labelled::read(t, cols)
    }

    #[test]
    fn labels_weights_and_drops() {
        let cols = ClassifyColumns {
            weight: Some("w".into()),
            attrs: vec!["race".into()],
            ..Default::default()
        };
        let text = "y_true,y_pred,w,race\n1,0,2.5,A\n0,0,1,B\n,1,1,A\n1,1,-1,A\n1,1,,A\n0,1,1,\n";
        let l = read(text, &cols).unwrap();
        assert_eq!(l.labels, ["0", "1"]);
        assert_eq!(l.y_true, [1, 0]);
        assert_eq!(l.y_pred, [0, 0]);
        assert_eq!(l.weight, [2.5, 1.0]);
        let reasons: Vec<String> = l
            .accounting
            .dropped
            .iter()
            .map(|d| d.reason.to_string())
            .collect();
        assert_eq!(
            reasons,
            [
                "missing true label",
                "negative or non-finite weight",
                "missing weight",
                "missing group in every attribute"
            ]
        );
        assert!(l.accounting.balanced());
        let e = read(
            "y_true,y_pred,w\n1,0,x\n",
            &ClassifyColumns {
                weight: Some("w".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "l.csv:2: column 'w', value \"x\": not a number"
        );
    }

    #[test]
    fn weights_whose_total_overflows_are_refused_at_the_row() {
        let cols = ClassifyColumns {
            weight: Some("w".into()),
            ..Default::default()
        };
        // Weights of 1e308 (and Σw² past the largest float from 1e155 on).
        let e = read("y_true,y_pred,w\n1,0,1\n0,0,1e308\n1,1,1e308\n", &cols).unwrap_err();
        assert_eq!(
            e.to_string(),
            "l.csv:3: column 'w', value \"1e308\": the weights' total (Σw 1e308, Σw² inf) overflows at this row, which would leave every rate undefined; divide every weight by one factor (rates and intervals do not change)"
        );
        let e = read("y_true,y_pred,w\n1,0,1e150\n0,0,1e155\n", &cols).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("l.csv:3: column 'w', value \"1e155\""),
            "{e}"
        );
        // Large weights whose totals stay finite are fine.
        assert!(read("y_true,y_pred,w\n1,0,1e150\n0,0,1e150\n", &cols).is_ok());
    }

    #[test]
    fn score_instead_of_predicted_label() {
        let cols = ClassifyColumns {
            score: Some("s".into()),
            ..Default::default()
        };
        let l = read("y_true,s\nyes,0.7\nno,0.1\n", &cols).unwrap();
        assert!(l.y_pred.is_empty());
        assert_eq!(l.score, [0.7, 0.1]);
        assert_eq!(l.labels, ["no", "yes"]);
    }
}
