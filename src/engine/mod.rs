//! Layer 5, the task engines: each takes typed input data and options and
//! returns a typed result. Engines never print and never render.

pub mod classify;
pub mod estimate;
pub mod identify;
pub mod summarize;
pub mod verify;

use crate::error::Result;
use crate::value::Flatten;
use serde::{Deserialize, Serialize};

/// Nothing more: what a view of a task computes besides its rate columns
/// (classification's threshold-free part, age estimation's operating points).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NoFree {}

/// What a bootstrap replicate draws with replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Subjects: their comparisons (or items) follow them.
    Subject,
    /// Rows, independently.
    Row,
}

/// An audit prepared once (sorted, grouped) that can be re-run with every
/// unit weighing the number of times a bootstrap replicate drew it.
pub trait Resample: Sync {
    /// The result of one replicate.
    type Output: Flatten;
    /// The unit drawn and how many there are.
    fn units(&self) -> (Unit, usize);
    /// The audit with unit u weighing `draw[u]`.
    fn replicate(&self, draw: &[u32]) -> Result<Self::Output>;
}

impl Unit {
    /// `subject` or `row`.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Subject => "subject",
            Unit::Row => "row",
        }
    }
}

/// Row weights: each row's w and its share of Σw² (w², or c·w² for a row a
/// bootstrap replicate draws c times: c copies of a row, not one row of
/// weight c·w, so that a replicate's effective sample size is that of its
/// copies). `w` empty: every row weighs 1.
#[derive(Clone, Copy)]
pub(crate) struct Weights<'a> {
    pub(crate) w: &'a [f64],
    /// A replicate's draw: the count of each unit (empty: no replicate) …
    pub(crate) draw: &'a [u32],
    /// … and each row's unit (its subject; empty: the row itself).
    pub(crate) unit: &'a [u32],
}

impl Weights<'_> {
    /// Row i's input weight (1 when unweighted).
    #[inline]
    pub(crate) fn base(self, i: usize) -> f64 {
        if self.w.is_empty() {
            1.0
        } else {
            self.w[i]
        }
    }

    /// Row i's weight: c·w in a replicate that draws it c times, else w.
    #[inline]
    pub(crate) fn at(self, i: usize) -> f64 {
        match self.draw.is_empty() {
            true => self.base(i),
            false => self.count(i) * self.base(i),
        }
    }

    /// How often a replicate draws row i.
    #[inline]
    pub(crate) fn count(self, i: usize) -> f64 {
        let u = if self.unit.is_empty() {
            i
        } else {
            self.unit[i] as usize
        };
        self.draw[u] as f64
    }
}
