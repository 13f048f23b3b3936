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
use std::collections::HashMap;
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
    /// Reads the table: rows without a group are dropped and counted. An
    /// error names file, line, column and value for a cell that is not a
    /// number, a rate outside [0, 1] (or [0, 100] with `percent`), trials
    /// that are not a whole number ≥ 0, `NaN` or `inf` (an empty cell is a
    /// missing value), and a group given twice.
    pub fn read(t: Table, cols: &SummarizeColumns) -> Result<Published> {
        let group_cols = cols
            .group
            .iter()
            .map(|g| t.column(g, "--group"))
            .collect::<Result<Vec<_>>>()?;
        let (rate_cols, mut rates) = rate_columns(&t, cols, &group_cols)?;
        let mut r = RowReader::new(t, &cols.exclude, cols.strict)?;
        let mut groups = Vec::new();
        // The line each group was first seen on.
        let mut seen: HashMap<String, u64> = HashMap::new();
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
            let line = r.location(group_cols[0]).line.unwrap_or(0);
            if let Some(first) = seen.insert(group.clone(), line) {
                return Err(r.bad_value(
                    group_cols[0],
                    &format!(
                        "group {group:?} is given twice (first on line {first}): a table of published rates has one row per group; remove the repeated row, or name every column that tells the rows apart in --group"
                    ),
                ));
            }
            groups.push(group);
            for (out, c) in rates.iter_mut().zip(&rate_cols) {
                if let (Some(tc), Some(n)) = (c.trials, out.trials.as_mut()) {
                    n.push(trials(&r, tc)?);
                }
                out.values.push(rate(&r, c.rate, cols.percent)?);
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

/// A number cell of the current row: NaN where it is missing (empty, `NA`);
/// `NaN` and `inf` are errors, as `what` would be ambiguous.
fn number(r: &RowReader, column: usize, what: &str) -> Result<f64> {
    match r.number(column)? {
        Score::Value(x) => Ok(x),
        Score::NonFinite => Err(r.bad_value(
            column,
            &format!("not a finite {what}: leave the cell empty (or NA) where a group has no published value"),
        )),
        // `number` reports a cell that is not a number.
        _ => Ok(f64::NAN),
    }
}

/// A rate cell as a fraction: in [0, 1], or in [0, 100] with `percent`
/// (0 and the maximum are legal); NaN where missing.
fn rate(r: &RowReader, column: usize, percent: bool) -> Result<f64> {
    let x = number(r, column, "rate")?;
    let (max, unit) = if percent {
        (100.0, "with --percent a rate is a percentage in [0, 100]")
    } else {
        (1.0, "a rate is a fraction in [0, 1]")
    };
    let bad = |m: String| Err(r.bad_value(column, &m));
    if x < 0.0 {
        return bad(format!("rate {x} < 0: {unit}"));
    }
    if x > max && !percent {
        return bad(format!(
            "rate {x} > 1: {unit}; if the table holds percentages, add --percent (and if the column is not a rate, name the rate columns with --rates)"
        ));
    }
    if x > max {
        return bad(format!("rate {x} > 100: {unit}"));
    }
    Ok(if percent { x * 0.01 } else { x })
}

/// A trials cell: a whole number ≥ 0 (NaN where missing).
fn trials(r: &RowReader, column: usize) -> Result<f64> {
    let n = number(r, column, "number of trials")?;
    if n < 0.0 || (n.is_finite() && n.fract() != 0.0) {
        return Err(r.bad_value(
            column,
            &format!("trials {n}: the trials behind a rate are a count, a whole number >= 0"),
        ));
    }
    Ok(n)
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

    fn read(text: &str, percent: bool) -> Result<Published> {
        let t = Table::from_reader(
            "p.csv".into(),
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            Default::default(),
        )?;
        let cols = SummarizeColumns {
            group: vec!["group".into()],
            rates: Vec::new(),
            trials: vec![TrialsSpec::parse("fmr=n").unwrap()],
            percent,
            exclude: Vec::new(),
            strict: false,
        };
        Published::read(t, &cols)
    }

    /// The error of a table whose third line holds `row`.
    fn refused(row: &str, percent: bool) -> String {
        let text = format!("group,fmr,n\nA,0.1,10\n{row}\n");
        read(&text, percent).unwrap_err().to_string()
    }

    #[test]
    fn rates_outside_their_range_are_refused_with_the_fix() {
        assert_eq!(
            refused("B,3.2,10", false),
            "p.csv:3: column 'fmr', value \"3.2\": rate 3.2 > 1: a rate is a fraction in [0, 1]; if the table holds percentages, add --percent (and if the column is not a rate, name the rate columns with --rates)"
        );
        assert_eq!(
            refused("B,-0.65,10", false),
            "p.csv:3: column 'fmr', value \"-0.65\": rate -0.65 < 0: a rate is a fraction in [0, 1]"
        );
        assert_eq!(
            refused("B,120,10", true),
            "p.csv:3: column 'fmr', value \"120\": rate 120 > 100: with --percent a rate is a percentage in [0, 100]"
        );
        assert!(refused("B,-1,10", true).contains("rate -1 < 0: with --percent"));
        for cell in ["NaN", "inf", "-inf"] {
            let e = refused(&format!("B,{cell},10"), false);
            assert!(
                e.starts_with(&format!("p.csv:3: column 'fmr', value \"{cell}\": not a finite rate: leave the cell empty")),
                "{e}"
            );
        }
    }

    #[test]
    fn rates_of_exactly_0_and_1_and_missing_cells_are_legal() {
        let p = read("group,fmr,n\nA,0,10\nB,1,10\nC,,\nD,NA,NA\n", false).unwrap();
        let v = &p.rates[0].values;
        assert_eq!((v[0], v[1]), (0.0, 1.0));
        assert!(v[2].is_nan() && v[3].is_nan());
        let p = read("group,fmr,n\nA,0,10\nB,100,10\n", true).unwrap();
        assert_eq!(p.rates[0].values, [0.0, 1.0]);
    }

    #[test]
    fn trials_must_be_whole_numbers_of_at_least_0() {
        for (cell, what) in [("-5", "trials -5"), ("2.5", "trials 2.5")] {
            assert_eq!(
                refused(&format!("B,0.1,{cell}"), false),
                format!("p.csv:3: column 'n', value \"{cell}\": {what}: the trials behind a rate are a count, a whole number >= 0")
            );
        }
        assert!(refused("B,0.1,NaN", false).contains("not a finite number of trials"));
        let p = read("group,fmr,n\nA,0,0\n", false).unwrap();
        assert_eq!(p.rates[0].trials.as_deref(), Some(&[0.0][..]));
    }

    #[test]
    fn a_group_given_twice_is_refused() {
        assert_eq!(
            refused("A,0.2,10", false),
            "p.csv:3: column 'group', value \"A\": group \"A\" is given twice (first on line 2): a table of published rates has one row per group; remove the repeated row, or name every column that tells the rows apart in --group"
        );
    }
}
