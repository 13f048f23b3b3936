//! `summarize`: disparity summaries of published per-group rates (for
//! re-analysing tables such as NIST's demographic annexes).

use crate::error::{Error, Result};
use crate::input::accounting::DropReason;
use crate::input::rows::RowReader;
use crate::input::values::{parse_score, trim, Score};
use crate::input::{Accounting, InputFile, Table};
use crate::stats::disparity::{self, Entry, Summary};
use crate::stats::rate::finite_or_null;
use serde::Serialize;

/// Columns of a table of published rates.
#[derive(Debug, Clone, Serialize)]
pub struct SummarizeColumns {
    /// Group column(s); several are joined with `+`.
    pub group: Vec<String>,
    /// Rate columns (empty: every column that is neither a group nor a trials column).
    pub rates: Vec<String>,
    /// `RATE=COLUMN`: trials behind a rate, for the zero-error rule of the geometric mean.
    pub trials: Vec<String>,
    /// Rates are given in percent.
    pub percent: bool,
    pub exclude: Vec<String>,
    pub strict: bool,
}

/// One group's published value of a rate.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    pub group: String,
    #[serde(serialize_with = "finite_or_null")]
    pub value: f64,
    pub trials: Option<f64>,
}

/// One rate column and its summaries.
#[derive(Debug, Clone, Serialize)]
pub struct RateColumn {
    pub rate: String,
    pub groups: Vec<Published>,
}

/// The summarize part of a report.
#[derive(Debug, Clone, Serialize)]
pub struct SummarizeResult {
    pub group_column: String,
    pub alpha: f64,
    pub rates: Vec<RateColumn>,
    /// Single-rate summaries, then FDR/IR/GARBE/WERM when `fmr` and `fnmr`
    /// are present, and SER over `eer`, `error_rate` or 1 − `accuracy`.
    pub summaries: Vec<Summary>,
    pub notes: Vec<String>,
}

/// Entries of a rate column; with trials, errors = rate × trials.
fn entries(col: &RateColumn) -> Vec<Entry<'_>> {
    col.groups
        .iter()
        .map(|g| Entry {
            group: &g.group,
            value: g.value,
            counts: g.trials.map(|n| (g.value * n, n)),
        })
        .collect()
}

/// Reads the table and summarises every rate column.
pub fn run(
    t: Table,
    cols: &SummarizeColumns,
    alpha: f64,
) -> Result<(SummarizeResult, InputFile, Accounting)> {
    let group_cols = cols
        .group
        .iter()
        .map(|g| t.column(g, "--group"))
        .collect::<Result<Vec<_>>>()?;
    let mut trials = Vec::new();
    for spec in &cols.trials {
        let (rate, col) = spec
            .split_once('=')
            .ok_or_else(|| Error::option("--trials", format!("{spec:?}: expected RATE=COLUMN")))?;
        trials.push((rate.to_string(), t.column(col, "--trials")?));
    }
    let rate_names: Vec<String> = if cols.rates.is_empty() {
        t.headers
            .iter()
            .enumerate()
            .filter(|(i, _)| !group_cols.contains(i) && !trials.iter().any(|(_, c)| c == i))
            .map(|(_, h)| h.clone())
            .collect()
    } else {
        cols.rates.clone()
    };
    let rate_cols = rate_names
        .iter()
        .map(|r| t.column(r, "--rates"))
        .collect::<Result<Vec<_>>>()?;
    let scale = if cols.percent { 0.01 } else { 1.0 };
    let mut r = RowReader::new(t, &cols.exclude, cols.strict)?;
    let mut out: Vec<RateColumn> = rate_names
        .iter()
        .map(|n| RateColumn {
            rate: n.clone(),
            groups: Vec::new(),
        })
        .collect();
    let number = |r: &RowReader, c: usize| -> Result<f64> {
        match parse_score(r.field(c)) {
            Score::Value(x) => Ok(x),
            Score::Missing | Score::NonFinite => Ok(f64::NAN),
            Score::Unparsable => Err(r.bad_value(c, "not a number")),
        }
    };
    while r.next_row()? {
        let parts: Vec<&[u8]> = group_cols.iter().map(|&c| trim(r.field(c))).collect();
        if parts.iter().any(|p| p.is_empty()) {
            r.drop_row(DropReason::MissingGroupValue, group_cols[0])?;
            continue;
        }
        let group = parts
            .iter()
            .map(|p| String::from_utf8_lossy(p))
            .collect::<Vec<_>>()
            .join("+");
        for (k, &c) in rate_cols.iter().enumerate() {
            let n = trials
                .iter()
                .find(|(rate, _)| *rate == rate_names[k])
                .map(|&(_, tc)| number(&r, tc))
                .transpose()?;
            let value = number(&r, c)? * scale;
            out[k].groups.push(Published {
                group: group.clone(),
                value,
                trials: n,
            });
        }
        r.use_row();
    }
    let (input, accounting) = r.finish("published rates")?;
    let mut notes = Vec::new();
    let mut summaries = Vec::new();
    for col in &out {
        summaries.extend(disparity::summarize(&col.rate, &entries(col)));
        if col.groups.iter().any(|g| g.value.is_nan()) {
            notes.push(format!(
                "{}: some groups have no value; its summaries are undefined",
                col.rate
            ));
        }
    }
    let find = |name: &str| out.iter().find(|c| c.rate == name);
    if let (Some(fmr), Some(fnmr)) = (find("fmr"), find("fnmr")) {
        summaries.extend(disparity::combined(alpha, &entries(fmr), &entries(fnmr)));
    }
    if let Some(col) = find("eer").or(find("error_rate")) {
        summaries.push(disparity::ser(&entries(col)));
    } else if let Some(acc) = find("accuracy") {
        let err: Vec<Entry> = acc
            .groups
            .iter()
            .map(|g| Entry {
                group: &g.group,
                value: 1.0 - g.value,
                counts: None,
            })
            .collect();
        summaries.push(disparity::ser(&err));
    }
    let result = SummarizeResult {
        group_column: cols.group.join("+"),
        alpha,
        rates: out,
        summaries,
        notes,
    };
    Ok((result, input, accounting))
}
