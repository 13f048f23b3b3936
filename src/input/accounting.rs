//! Row accounting: every input row is used or dropped for a named reason.

use crate::error::Location;
use serde::{Deserialize, Serialize};

/// One drop bucket: its reason, how many rows, and where the first one was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dropped {
    pub reason: String,
    pub count: u64,
    pub first: Location,
}

/// `rows = used + Σ dropped.count`, checked by [`Accounting::balanced`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Accounting {
    pub rows: u64,
    pub used: u64,
    pub dropped: Vec<Dropped>,
}

impl Accounting {
    /// Counts one dropped row; the location is built only for the first of a reason.
    pub fn drop_row(&mut self, reason: &str, location: impl FnOnce() -> Location) {
        match self.dropped.iter_mut().find(|d| d.reason == reason) {
            Some(d) => d.count += 1,
            None => self.dropped.push(Dropped {
                reason: reason.to_string(),
                count: 1,
                first: location(),
            }),
        }
    }

    pub fn dropped_total(&self) -> u64 {
        self.dropped.iter().map(|d| d.count).sum()
    }

    /// True when every row is in exactly one bucket.
    pub fn balanced(&self) -> bool {
        self.rows == self.used + self.dropped_total()
    }
}
