//! Reading 1:N searches, one row per search: whether the probe's identity is
//! enrolled (mated), the rank and score of its mate when the mate was
//! returned, and the highest non-mate score returned.

use super::accounting::Accounting;
use super::attributes::{Attributes, SubjectsSpec};
use super::comparisons::AttributeData;
use super::rows::RowReader;
use super::table::{InputFile, Table};
use super::values::{is_missing, parse_flag, parse_score, trim, Score};
use crate::error::Result;
use crate::groups::MISSING;
use serde::Serialize;
use std::path::PathBuf;

/// How to find the columns of a searches table.
#[derive(Debug, Clone, Serialize)]
pub struct IdentifyColumns {
    pub mated: String,
    /// Rank of the mate (1 = top); empty when the mate was not returned.
    pub mate_rank: String,
    pub mate_score: String,
    /// Highest score among the non-mate candidates; empty when none was returned.
    pub nonmate_score: String,
    /// Attributes of the probe: a column `X` each, else the subjects table.
    pub attrs: Vec<String>,
    /// Probe subject column, for `subjects`.
    pub probe: Option<String>,
    pub subjects: Option<PathBuf>,
    pub subject_id: String,
    pub distance: bool,
    pub exclude: Vec<String>,
    pub strict: bool,
    #[serde(skip)]
    pub delimiter: Option<u8>,
}

impl Default for IdentifyColumns {
    fn default() -> Self {
        IdentifyColumns {
            mated: "mated".into(),
            mate_rank: "mate_rank".into(),
            mate_score: "mate_score".into(),
            nonmate_score: "nonmate_score".into(),
            attrs: Vec::new(),
            probe: None,
            subjects: None,
            subject_id: "subject_id".into(),
            distance: false,
            exclude: Vec::new(),
            strict: false,
            delimiter: None,
        }
    }
}

/// Searches in compact columns; scores in similarity orientation.
#[derive(Debug, Clone)]
pub struct Searches {
    pub mated: Vec<bool>,
    /// Rank of the mate, 0 when it was not returned (always 0 for non-mated searches).
    pub mate_rank: Vec<u32>,
    /// Score of the mate (−∞ when not returned).
    pub mate_score: Vec<f64>,
    /// Highest non-mate score (−∞ when no non-mate candidate was returned).
    pub top_nonmate: Vec<f64>,
    pub attributes: Vec<AttributeData>,
    pub accounting: Accounting,
    pub inputs: Vec<InputFile>,
}

const UNKNOWN_MATED: &str = "unknown mated value";
const NON_FINITE_SCORE: &str = "non-finite score";
const MATE_WITHOUT_SCORE: &str = "mate returned without a score";
const MISSING_GROUP: &str = "missing group in every attribute";
const UNKNOWN_SUBJECT: &str = "subject not in the subjects table";

impl Searches {
    pub fn read(t: Table, cols: &IdentifyColumns) -> Result<Searches> {
        let mated_col = t.column(&cols.mated, "--mated")?;
        let rank_col = t.column(&cols.mate_rank, "--mate-rank")?;
        let mate_col = t.column(&cols.mate_score, "--mate-score")?;
        let top_col = t.column(&cols.nonmate_score, "--nonmate-score")?;
        let probe = cols
            .probe
            .as_deref()
            .map(|c| t.column(c, "--probe"))
            .transpose()?;
        let spec = cols.subjects.as_deref().map(|path| SubjectsSpec {
            path,
            id_column: &cols.subject_id,
            delimiter: cols.delimiter,
        });
        let mut attrs = Attributes::resolve(&t, &cols.attrs, false, spec, probe.is_some())?;
        let mut r = RowReader::new(t, &cols.exclude, cols.strict)?;
        let sign = if cols.distance { -1.0 } else { 1.0 };
        let mut out = Searches {
            mated: Vec::new(),
            mate_rank: Vec::new(),
            mate_score: Vec::new(),
            top_nonmate: Vec::new(),
            attributes: Vec::new(),
            accounting: Accounting::default(),
            inputs: Vec::new(),
        };
        let mut row = vec![MISSING; cols.attrs.len()];
        let mut row_b = row.clone();
        'rows: while r.next_row()? {
            let Some(mated) = parse_flag(r.field(mated_col)) else {
                r.drop_row(UNKNOWN_MATED, mated_col)?;
                continue;
            };
            // An empty score means "nothing returned": −∞ in similarity orientation.
            let mut scores = [f64::NEG_INFINITY; 2];
            for (slot, c) in [(0, mate_col), (1, top_col)] {
                match parse_score(r.field(c)) {
                    Score::Value(x) => scores[slot] = sign * x + 0.0,
                    Score::Missing => {}
                    Score::NonFinite => {
                        r.drop_row(NON_FINITE_SCORE, c)?;
                        continue 'rows;
                    }
                    Score::Unparsable => return Err(r.bad_value(c, "not a number")),
                }
            }
            let rank_cell = trim(r.field(rank_col));
            let rank = if is_missing(rank_cell) {
                0
            } else {
                match std::str::from_utf8(rank_cell)
                    .ok()
                    .and_then(|s| s.parse::<u32>().ok())
                {
                    Some(k) if k >= 1 => k,
                    _ => return Err(r.bad_value(rank_col, "a rank is a whole number from 1")),
                }
            };
            if rank > 0 && !mated {
                return Err(r.bad_value(rank_col, "a non-mated search has no mate to rank"));
            }
            if rank > 0 && scores[0] == f64::NEG_INFINITY {
                r.drop_row(MATE_WITHOUT_SCORE, mate_col)?;
                continue;
            }
            let sid = probe.map(|c| trim(r.field(c)));
            if let (Some(c), Some(s)) = (probe, sid) {
                if attrs.unknown_subject(s) {
                    r.drop_row(UNKNOWN_SUBJECT, c)?;
                    continue;
                }
            }
            attrs.read(|c| r.field(c), sid.map(|s| (s, s)), &mut row, &mut row_b);
            if !cols.attrs.is_empty() && row.iter().all(|&c| c == MISSING) {
                r.drop_row(MISSING_GROUP, mated_col)?;
                continue;
            }
            attrs.push(&row, &row);
            out.mated.push(mated);
            out.mate_rank.push(rank);
            out.mate_score.push(if rank > 0 {
                scores[0]
            } else {
                f64::NEG_INFINITY
            });
            out.top_nonmate.push(scores[1]);
            r.use_row();
        }
        let (input, accounting) = r.finish("searches")?;
        let (attributes, subjects_input) = attrs.finish();
        out.attributes = attributes;
        out.accounting = accounting;
        out.inputs = std::iter::once(input).chain(subjects_input).collect();
        Ok(out)
    }
}
