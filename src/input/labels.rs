//! Reading classifier outputs: one row per item with its true label, its
//! predicted label (or a score to threshold), an optional weight and the
//! demographic attributes.

use super::accounting::{Accounting, DropReason};
use super::attributes::{Attributes, SubjectsSpec};
use super::comparisons::AttributeData;
use super::rows::RowReader;
use super::rules::ExcludeRule;
use super::table::{InputFile, Table};
use super::values::{is_missing, parse_score, trim, Score};
use crate::error::{Error, Result};
use crate::input::codes::{Interner, MISSING};
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
    /// Delimiter override (sniffed from the header otherwise).
    #[serde(skip)]
    pub delimiter: Option<u8>,
}

impl Default for ClassifyColumns {
    fn default() -> Self {
        ClassifyColumns {
            y_true: "y_true".into(),
            y_pred: None,
            score: None,
            weight: None,
            attrs: Vec::new(),
            subject: None,
            subjects: None,
            subject_id: "subject_id".into(),
            exclude: Vec::new(),
            strict: false,
            delimiter: None,
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
    /// Reads the items: unusable rows are dropped and counted; a non-numeric cell is an error.
    pub fn read(t: Table, cols: &ClassifyColumns) -> Result<Labelled> {
        let y_true = t.column(&cols.y_true, "--y-true")?;
        let score = cols
            .score
            .as_deref()
            .map(|c| t.column(c, "--score"))
            .transpose()?;
        let y_pred = match (&cols.y_pred, score) {
            (Some(c), _) => Some(t.column(c, "--y-pred")?),
            (None, None) => Some(t.column("y_pred", "--y-pred (or --score with --cutoff)")?),
            (None, Some(_)) => None,
        };
        let weight = cols
            .weight
            .as_deref()
            .map(|c| t.column(c, "--weight"))
            .transpose()?;
        let subject = cols
            .subject
            .as_deref()
            .map(|c| t.column(c, "--subject"))
            .transpose()?;
        let spec = cols.subjects.as_deref().map(|path| SubjectsSpec {
            path,
            id_column: &cols.subject_id,
            delimiter: cols.delimiter,
        });
        if spec.is_some() && subject.is_none() {
            return Err(Error::option(
                "--subjects",
                "needs --subject (the rows' subject id column)",
            ));
        }
        let mut attrs = Attributes::resolve(&t, &cols.attrs, false, spec, subject.is_some())?;
        let mut r = RowReader::new(t, &cols.exclude, cols.strict)?;
        let mut labels = Interner::default();
        let mut out_true = Vec::new();
        let mut out_pred = Vec::new();
        let mut out_score = Vec::new();
        let mut out_weight = Vec::new();
        let mut out_subject = Vec::new();
        let mut subject_ids = Interner::default();
        let mut row = vec![MISSING; cols.attrs.len()];
        let mut row_b = row.clone();

        'rows: while r.next_row()? {
            let truth = trim(r.field(y_true));
            if is_missing(truth) {
                r.drop_row(DropReason::MissingTrueLabel, y_true)?;
                continue;
            }
            let pred = y_pred.map(|c| trim(r.field(c)));
            if pred.is_some_and(is_missing) {
                r.drop_row(DropReason::MissingPredLabel, y_pred.expect("pred column"))?;
                continue;
            }
            let mut numbers = [None, None];
            for (slot, col, missing, non_finite) in [
                (
                    0,
                    score,
                    DropReason::MissingScore,
                    DropReason::NonFiniteScore,
                ),
                (1, weight, DropReason::MissingWeight, DropReason::BadWeight),
            ] {
                let Some(c) = col else { continue };
                match parse_score(r.field(c)) {
                    Score::Value(x) if slot == 1 && x < 0.0 => {
                        r.drop_row(DropReason::BadWeight, c)?;
                        continue 'rows;
                    }
                    Score::Value(x) => numbers[slot] = Some(x),
                    Score::Missing => {
                        r.drop_row(missing, c)?;
                        continue 'rows;
                    }
                    Score::NonFinite => {
                        r.drop_row(non_finite, c)?;
                        continue 'rows;
                    }
                    Score::Unparsable => return Err(r.bad_value(c, "not a number")),
                }
            }
            let sid = subject.map(|c| trim(r.field(c)));
            if let (Some(c), Some(s)) = (subject, sid) {
                if is_missing(s) {
                    r.drop_row(DropReason::MissingSubject, c)?;
                    continue;
                }
                if attrs.unknown_subject(s) {
                    r.drop_row(DropReason::UnknownSubject, c)?;
                    continue;
                }
            }
            attrs.read(|c| r.field(c), sid.map(|s| (s, s)), &mut row, &mut row_b);
            if !cols.attrs.is_empty() && row.iter().all(|&c| c == MISSING) {
                r.drop_row(DropReason::MissingGroup, y_true)?;
                continue;
            }
            attrs.push(&row, &row);
            out_true.push(labels.intern(truth));
            if let Some(p) = pred {
                out_pred.push(labels.intern(p));
            }
            if let Some(s) = numbers[0] {
                out_score.push(s);
            }
            if let Some(w) = numbers[1] {
                out_weight.push(w);
            }
            if let Some(s) = sid {
                out_subject.push(subject_ids.intern(s));
            }
            r.use_row();
        }
        let (input, accounting) = r.finish("items")?;
        let (attributes, subjects_input) = attrs.finish(&mut []);
        Ok(Labelled {
            labels: sorted_labels(labels, &mut out_true, &mut out_pred),
            y_true: out_true,
            y_pred: out_pred,
            score: out_score,
            weight: out_weight,
            subject: out_subject,
            n_subjects: subject_ids.len(),
            attributes,
            accounting,
            inputs: std::iter::once(input).chain(subjects_input).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, cols: &ClassifyColumns) -> Result<Labelled> {
        let t = Table::from_reader(
            "l.csv".into(),
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            None,
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
