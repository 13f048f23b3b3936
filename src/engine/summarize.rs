//! `summarize`: disparity summaries of published per-group rates (for
//! re-analysing tables such as NIST's demographic annexes).

use crate::groups::Attribute;
use crate::input::published;
use crate::math::interval::CiSpec;
use crate::stats::disparity::{self, Entry, Summary};
use crate::stats::rate::finite_or_null;
use crate::stats::rate::null_as_nan;
use crate::stats::summary_ci::Sample;
use crate::value::{Flatten, Kind, Value, Values};
use serde::{Deserialize, Serialize};

/// The columns of a published-rates table are read by the input layer.
pub use crate::input::published::{SummarizeColumns, TrialsSpec};

/// One group's published value of a rate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Published {
    /// Group name.
    pub group: String,
    /// The published rate (NaN, written null, when missing).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub value: f64,
    /// Trials behind the rate, when published (errors = rate × trials).
    pub trials: Option<f64>,
}

/// One rate column and its summaries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RateColumn {
    /// Rate id (the column's name).
    pub rate: String,
    /// The value of every group.
    pub groups: Vec<Published>,
}

/// The summarize part of a report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummarizeResult {
    /// The column holding group names.
    pub group_column: String,
    /// Weight α of FMR in FDR, IR, GARBE and WERM.
    pub alpha: f64,
    /// The published rate columns.
    pub rates: Vec<RateColumn>,
    /// Single-rate summaries, then FDR/IR/GARBE/WERM when `fmr` and `fnmr`
    /// are present, and SER over `eer`, `error_rate` or 1 − `accuracy`.
    pub summaries: Vec<Summary>,
    /// Notes for the reader.
    pub notes: Vec<String>,
}

/// Entries of a rate column; with trials, errors = rate × trials, and the
/// group's interval in the box of simultaneous intervals is the 95% Wilson
/// interval of independent trials.
fn entries(col: &RateColumn) -> Vec<Entry<'_>> {
    col.groups
        .iter()
        .map(|g| Entry {
            group: &g.group,
            value: g.value,
            counts: g.trials.map(|n| (g.value * n, n)),
            sample: g
                .trials
                .filter(|&n| n > 0.0 && g.value.is_finite())
                .map(|n| Sample {
                    events: g.value * n,
                    trials: n,
                    spec: CiSpec::default(),
                }),
        })
        .collect()
}

/// Summarises every rate column of a published table (read by
/// [`published::Published::read`]).
pub(crate) fn summarize(table: &published::Published, alpha: f64) -> SummarizeResult {
    let out: Vec<RateColumn> = table
        .rates
        .iter()
        .map(|col| RateColumn {
            rate: col.rate.clone(),
            groups: table
                .groups
                .iter()
                .zip(&col.values)
                .enumerate()
                .map(|(i, (group, &value))| Published {
                    group: group.clone(),
                    value,
                    trials: col.trials.as_ref().and_then(|n| n.get(i).copied()),
                })
                .collect(),
        })
        .collect();
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
        summaries.extend(disparity::combined(
            alpha,
            ["fmr", "fnmr"],
            &entries(fmr),
            &entries(fnmr),
        ));
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
                sample: None,
            })
            .collect();
        summaries.push(disparity::ser(&err));
    }
    SummarizeResult {
        group_column: table.group_column.clone(),
        alpha,
        rates: out,
        summaries,
        notes,
    }
}

impl Flatten for SummarizeResult {
    /// Attribute = the group column; each published rate per group
    /// (`errors` = rate × trials when trials are given), then the summaries.
    fn flatten(&self, out: &mut Vec<Value>) {
        let mut r = Values {
            out,
            attribute: Attribute::parse(&self.group_column),
        };
        for col in &self.rates {
            for g in &col.groups {
                let v = r.push(Kind::Rate, &g.group, "none", None, &col.rate, g.value);
                v.counts = g.trials.map(|n| (g.value * n, n));
            }
        }
        r.summaries("none", None, &self.summaries);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trials_specs_parse_and_print_as_written() {
        let t = TrialsSpec::parse("fmr=n_fmr").unwrap();
        assert_eq!((&*t.rate, &*t.column), ("fmr", "n_fmr"));
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"fmr=n_fmr\"");
        for bad in ["fmr", "fmr=", "=n", ""] {
            let e = TrialsSpec::parse(bad).unwrap_err().to_string();
            assert!(e.contains("--trials") && e.contains("RATE=COLUMN"), "{e}");
        }
    }
}
