//! Row accounting: every input row is used or dropped for a named reason.

pub use crate::error::DropReason;
use crate::error::Position;
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

    /// Adds the accounting of rows read after these (another shard or part):
    /// counts add up, a reason's first example stays the earlier one, and new
    /// reasons follow in their order.
    pub fn merge(&mut self, other: Accounting) {
        self.rows += other.rows;
        self.used += other.used;
        match (&mut self.multiline, other.multiline) {
            (Some(m), Some(o)) => {
                m.rows += o.rows;
                m.lines += o.lines;
            }
            (m, o) => *m = m.take().or(o),
        }
        for d in other.dropped {
            match self.dropped.iter_mut().find(|x| x.reason == d.reason) {
                Some(x) => x.count += d.count,
                None => self.dropped.push(d),
            }
        }
    }

    /// Rows dropped, over every reason.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.iter().map(|d| d.count).sum()
    }

    /// True when every row is in exactly one bucket.
    pub fn balanced(&self) -> bool {
        self.rows == self.used + self.dropped_total()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u64) -> Position {
        Position::cell("c.csv", line, "score", "")
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
