//! Reading a table of published per-group rates (such as NIST's demographic
//! annexes) for `summarize`: the group of each row and every rate column,
//! with the trials behind a rate where given.

use super::accounting::{Accounting, DropReason};
use super::rows::RowReader;
use super::rules::{serde_as_text, split_assignment, ExcludeRule};
use super::table::{InputFile, Table};
use super::values::{trim, Score};
use crate::error::Result;
use serde::Serialize;
use std::fmt;

/// Columns of a table of published rates.
#[derive(Debug, Clone, Serialize)]
pub struct SummarizeColumns {
    /// Group column(s); several are joined with `+`.
    pub group: Vec<String>,
    /// Rate columns (empty: every column that is neither a group nor a trials column).
    pub rates: Vec<String>,
    /// Trials behind a rate, for the zero-error rule of the geometric mean.
    pub trials: Vec<TrialsSpec>,
    /// Rates are given in percent.
    pub percent: bool,
    /// `COLUMN=VALUE` rules; matching rows are dropped, counted per rule.
    pub exclude: Vec<ExcludeRule>,
    /// Turn every drop into an error (explicit `exclude` rules excepted).
    pub strict: bool,
}

/// `--trials RATE=COLUMN`: the column holding the trials behind a rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialsSpec {
    /// The rate column the trials belong to.
    pub rate: String,
    /// The column holding the trials.
    pub column: String,
}

impl TrialsSpec {
    /// Parses `RATE=COLUMN` (split at the first `=`).
    pub fn parse(s: &str) -> Result<TrialsSpec> {
        let (rate, column) = split_assignment("--trials", s, "RATE=COLUMN", false)?;
        Ok(TrialsSpec {
            rate: rate.into(),
            column: column.into(),
        })
    }
}

impl fmt::Display for TrialsSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.rate, self.column)
    }
}

serde_as_text!(TrialsSpec);

/// One rate column of the table, row by row.
#[derive(Debug, Clone)]
pub struct PublishedRate {
    /// The column's name (`fmr`, `fnmr`, `eer`, `error_rate`, `accuracy` are understood).
    pub rate: String,
    /// The value of each row, as a fraction (NaN where the cell is empty).
    pub values: Vec<f64>,
    /// Trials behind each row's value, when a trials column names this rate
    /// (NaN where the cell is empty).
    pub trials: Option<Vec<f64>>,
}

/// A table of published rates: one row per group.
#[derive(Debug, Clone)]
pub struct Published {
    /// The group column(s), joined with `+`.
    pub group_column: String,
    /// The group of each row (several group columns joined with `+`).
    pub groups: Vec<String>,
    /// Every rate column, row by row.
    pub rates: Vec<PublishedRate>,
    /// Where every input row went: used or dropped for a reason.
    pub accounting: Accounting,
    /// Provenance of the table read.
    pub inputs: Vec<InputFile>,
}

impl Published {
    /// Reads the table: rows without a group are dropped and counted; a cell
    /// that is not a number is an error naming file, line, column and value.
    pub fn read(t: Table, cols: &SummarizeColumns) -> Result<Published> {
        let group_cols = cols
            .group
            .iter()
            .map(|g| t.column(g, "--group"))
            .collect::<Result<Vec<_>>>()?;
        let (rate_cols, mut rates) = rate_columns(&t, cols, &group_cols)?;
        let scale = if cols.percent { 0.01 } else { 1.0 };
        let mut r = RowReader::new(t, &cols.exclude, cols.strict)?;
        let mut groups = Vec::new();
        while r.next_row()? {
            let parts: Vec<&[u8]> = group_cols.iter().map(|&c| trim(r.field(c))).collect();
            if parts.iter().any(|p| p.is_empty()) {
                r.drop_row(DropReason::MissingGroupValue, group_cols[0])?;
                continue;
            }
            groups.push(
                parts
                    .iter()
                    .map(|p| String::from_utf8_lossy(p))
                    .collect::<Vec<_>>()
                    .join("+"),
            );
            for (out, c) in rates.iter_mut().zip(&rate_cols) {
                if let (Some(tc), Some(n)) = (c.trials, out.trials.as_mut()) {
                    n.push(number(&r, tc)?);
                }
                out.values.push(number(&r, c.rate)? * scale);
            }
            r.use_row();
        }
        let (input, accounting) = r.finish("published rates")?;
        Ok(Published {
            group_column: cols.group.join("+"),
            groups,
            rates,
            accounting,
            inputs: vec![input],
        })
    }
}

/// The column of a rate and of the trials behind it (if any).
struct RateColumn {
    rate: usize,
    trials: Option<usize>,
}

/// The column of each rate with the column of its trials (if any), and the
/// rates to fill: those named, else every column that is neither a group
/// nor a trials column.
fn rate_columns(
    t: &Table,
    cols: &SummarizeColumns,
    group_cols: &[usize],
) -> Result<(Vec<RateColumn>, Vec<PublishedRate>)> {
    let mut trials = Vec::new();
    for spec in &cols.trials {
        trials.push((spec.rate.clone(), t.column(&spec.column, "--trials")?));
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
    // The trials column of each rate, if any.
    let trials_of: Vec<Option<usize>> = rate_names
        .iter()
        .map(|n| trials.iter().find(|(rate, _)| rate == n).map(|&(_, c)| c))
        .collect();
    let rates = rate_names
        .iter()
        .zip(&trials_of)
        .map(|(n, t)| PublishedRate {
            rate: n.clone(),
            values: Vec::new(),
            trials: t.map(|_| Vec::new()),
        })
        .collect();
    let columns = rate_cols
        .into_iter()
        .zip(trials_of)
        .map(|(rate, trials)| RateColumn { rate, trials })
        .collect();
    Ok((columns, rates))
}

/// A number cell of the current row: NaN where it is missing or non-finite.
fn number(r: &RowReader, column: usize) -> Result<f64> {
    Ok(match r.number(column)? {
        Score::Value(x) => x,
        // Missing or non-finite (`number` reports a cell that is not a number).
        _ => f64::NAN,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_rates_trials_and_drops() {
        let text = "race,sex,fmr,fnmr,n\nA,F,1,2,100\nB,M,,4,\n,F,5,6,7\n";
        let t = Table::from_reader(
            "p.csv".into(),
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            Default::default(),
        )
        .unwrap();
        let cols = SummarizeColumns {
            group: vec!["race".into(), "sex".into()],
            rates: Vec::new(),
            trials: vec![TrialsSpec::parse("fmr=n").unwrap()],
            percent: true,
            exclude: Vec::new(),
            strict: false,
        };
        let p = Published::read(t, &cols).unwrap();
        assert_eq!(p.group_column, "race+sex");
        assert_eq!(p.groups, ["A+F", "B+M"]);
        assert_eq!(p.rates.len(), 2);
        assert_eq!(p.rates[0].rate, "fmr");
        assert_eq!(p.rates[0].values[0], 0.01);
        assert!(p.rates[0].values[1].is_nan());
        let n = p.rates[0].trials.as_ref().unwrap();
        assert_eq!(n[0], 100.0);
        assert!(n[1].is_nan());
        assert_eq!(p.rates[1].values, [0.02, 0.04]);
        assert!(p.rates[1].trials.is_none());
        assert_eq!((p.accounting.rows, p.accounting.used), (3, 2));
        assert_eq!(
            p.accounting.dropped[0].reason,
            DropReason::MissingGroupValue
        );
    }
}
