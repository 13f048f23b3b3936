//! Layer 5, the task engines: each takes typed input data and options and
//! returns a typed result. Engines never print and never render.

pub mod classify;
pub mod identify;
pub mod summarize;
pub mod verify;

use crate::error::Result;
use crate::value::Flatten;
use serde::{Deserialize, Serialize};

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
