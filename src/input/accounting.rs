//! Row accounting: every input row is used or dropped for a named reason.

pub use crate::error::DropReason;
use crate::error::{Error, Position, Result};
use serde::{Deserialize, Serialize};

/// One drop bucket: its reason, how many rows, and where the first one was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dropped {
    /// Why these rows were dropped.
    pub reason: DropReason,
    /// How many rows were dropped for this reason.
    pub count: u64,
    /// Where the first row dropped for this reason sits.
    pub first: Position,
}

/// Rows of delimited text that span several physical lines: a quoted field
/// holds line breaks (legal CSV, and also what an unclosed quote does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Multiline {
    /// How many rows span several lines.
    pub rows: u64,
    /// The physical lines those rows take up.
    pub lines: u64,
    /// Where the first of them starts.
    pub first: Position,
}

/// `rows = used + Σ dropped.count`, checked by [`Accounting::balanced`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Accounting {
    /// Data rows read (headers excluded).
    pub rows: u64,
    /// Rows that went into the analysis.
    pub used: u64,
    /// Drop buckets, one per reason, in the order the reasons were first met.
    pub dropped: Vec<Dropped>,
    /// Rows read that span several lines (absent when none do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiline: Option<Multiline>,
}

impl Accounting {
    /// Counts one dropped row; the position is built only for the first of a reason.
    pub fn drop_row(&mut self, reason: &DropReason, position: impl FnOnce() -> Position) {
        match self.dropped.iter_mut().find(|d| d.reason == *reason) {
            Some(d) => d.count += 1,
            None => self.dropped.push(Dropped {
                reason: reason.clone(),
                count: 1,
                first: position(),
            }),
        }
    }

    /// Moves `n` used rows to `reason` (rows found unusable after reading);
    /// the position is built only if the reason is new.
    pub fn drop_used(&mut self, reason: DropReason, n: u64, first: impl FnOnce() -> Position) {
        if n == 0 {
            return;
        }
        self.used -= n;
        match self.dropped.iter_mut().find(|d| d.reason == reason) {
            Some(d) => d.count += n,
            None => self.dropped.push(Dropped {
                reason,
                count: n,
                first: first(),
            }),
        }
    }

    /// Adds the accounting of rows read after these (another shard or part):
    /// counts add up, a reason's first example stays the earlier one, and new
    /// reasons follow in their order.
    pub fn merge(&mut self, other: Accounting) {
        self.add(other, |_, _| false);
    }

    /// Adds `other`'s counts; a reason's (or the multiline rows') first
    /// example becomes `other`'s where `earlier(theirs, ours)`; new reasons
    /// follow in their order.
    fn add(&mut self, other: Accounting, earlier: impl Fn(&Position, &Position) -> bool) {
        self.rows += other.rows;
        self.used += other.used;
        match (&mut self.multiline, other.multiline) {
            (Some(m), Some(o)) => {
                m.rows += o.rows;
                m.lines += o.lines;
                if earlier(&o.first, &m.first) {
                    m.first = o.first;
                }
            }
            (m, o) => *m = m.take().or(o),
        }
        for d in other.dropped {
            match self.dropped.iter_mut().find(|x| x.reason == d.reason) {
                Some(x) => {
                    x.count += d.count;
                    if earlier(&d.first, &x.first) {
                        x.first = d.first;
                    }
                }
                None => self.dropped.push(d),
            }
        }
    }

    /// Adds another part's accounting where parts have no order (shards'
    /// partials): counts add up, a reason's first example is the one that
    /// comes first by (file, line, row, column), and reasons are listed in
    /// the order of their first examples. Any order or grouping of the same
    /// parts gives the same result.
    pub fn merge_unordered(&mut self, other: Accounting) {
        let key = |p: &Position| (p.file.clone(), p.line, p.row, p.column.clone());
        self.add(other, |theirs, ours| key(theirs) < key(ours));
        self.dropped.sort_by_key(|d| key(&d.first));
    }

    /// Rows dropped, over every reason.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.iter().map(|d| d.count).sum()
    }

    /// True when every row is in exactly one bucket.
    pub fn balanced(&self) -> bool {
        self.rows == self.used + self.dropped_total()
    }

    /// An error when no row of `file` is usable: the drop accounting
    /// (reasons, counts, the first row of each) and the likely fix of the
    /// largest bucket.
    pub fn require_used(&self, file: &str) -> Result<()> {
        if self.used > 0 {
            return Ok(());
        }
        let buckets: Vec<String> = self
            .dropped
            .iter()
            .map(|d| format!("{} {} (first: {})", d.count, d.reason, d.first))
            .collect();
        let fix = self
            .dropped
            .iter()
            .max_by_key(|d| d.count)
            .map_or("", |d| likely_fix(&d.reason));
        Err(Error::data(
            file,
            format!(
                "no usable row: read {}, used 0, dropped {}. {fix}",
                self.rows,
                buckets.join("; ")
            ),
        ))
    }
}

/// What usually makes every row drop for `reason`.
fn likely_fix(reason: &DropReason) -> &'static str {
    match reason {
        DropReason::MissingScore | DropReason::NonFiniteScore => {
            "Check that --score names the score column."
        }
        DropReason::UnknownMated => {
            "Check --mated: its values must read as 1/0, true/false, yes/no or genuine/impostor."
        }
        DropReason::MissingSubject => "Check the subject id columns (--subject-a, --subject-b, --subject).",
        DropReason::UnknownSubject => {
            "The subject ids do not match the subjects table: check --subject-id, --id-sep and the id columns."
        }
        DropReason::Duplicate => "Every comparison repeats an earlier one: check the image id columns.",
        DropReason::MissingGroup => {
            "Check that --attr names the attribute columns (or that the subjects table holds them)."
        }
        DropReason::MissingGroupValue => "Check that --group names the group column.",
        DropReason::MissingTrueLabel => "Check that --y-true names the true-label column.",
        DropReason::MissingPredLabel => "Check that --y-pred names the predicted-label column.",
        DropReason::MissingWeight | DropReason::BadWeight => {
            "Check that --weight names a column of weights >= 0."
        }
        DropReason::MateWithoutScore => "Check the mate score column (--mate-score).",
        DropReason::UnknownSearch => {
            "The candidates' search ids do not match the searches table: check --search-id."
        }
        DropReason::MissingKey => "Check that --key names the column that identifies a row in both tables.",
        DropReason::UnpairedKey => {
            "No key is in both tables: check that they hold the same trials and that --key names the same ids."
        }
        DropReason::MissingTrueAge | DropReason::BadTrueAge => {
            "Check that --y-true names the column of true ages (years, >= 0)."
        }
        DropReason::MissingEstimate | DropReason::NonFiniteEstimate => {
            "Check that --y-pred names the column of estimated ages."
        }
        DropReason::Excluded(_) => "The --exclude rules remove every row: check them.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u64) -> Position {
        Position::cell("c.csv", line, "score", "")
    }

    #[test]
    fn no_usable_row_is_an_error_with_the_accounting_and_the_fix() {
        let mut a = Accounting {
            rows: 3,
            ..Default::default()
        };
        assert!(Accounting {
            used: 1,
            ..a.clone()
        }
        .require_used("c.csv")
        .is_ok());
        a.drop_row(&DropReason::MissingGroup, || at(2));
        a.drop_row(&DropReason::MissingScore, || at(3));
        a.drop_row(&DropReason::MissingScore, || at(4));
        assert_eq!(
            a.require_used("c.csv").unwrap_err().to_string(),
            "c.csv: no usable row: read 3, used 0, dropped 1 missing group in every attribute (first: c.csv:2: column 'score', value \"\"); 2 missing score (first: c.csv:3: column 'score', value \"\"). Check that --score names the score column."
        );
    }

    #[test]
    fn merge_adds_counts_and_keeps_the_first_example() {
        let mut a = Accounting {
            rows: 10,
            used: 8,
            ..Default::default()
        };
        a.drop_row(&DropReason::MissingScore, || at(2));
        a.drop_row(&DropReason::MissingScore, || at(5));
        let mut b = Accounting {
            rows: 5,
            used: 3,
            ..Default::default()
        };
        b.drop_row(&DropReason::UnknownMated, || at(13));
        b.drop_row(&DropReason::MissingScore, || at(14));
        a.merge(b);
        assert_eq!((a.rows, a.used), (15, 11));
        let got: Vec<_> = a
            .dropped
            .iter()
            .map(|d| (d.reason.clone(), d.count, d.first.line))
            .collect();
        assert_eq!(
            got,
            [
                (DropReason::MissingScore, 3, Some(2)),
                (DropReason::UnknownMated, 1, Some(13))
            ]
        );
        assert!(a.balanced());
    }
}
