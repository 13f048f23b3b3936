//! biasbench: audit recognition models for demographic differentials.
//!
//! Data in memory reach the audits through the builders of
//! [`input::builder`], which take [`ndarray`] views (NumPy arrays without
//! copies) or slices and check them. A 1:1 audit at the fixed threshold 0.5:
//!
//! ```
//! use biasbench::counts::threshold::Policy;
//! use biasbench::engine::verify::{self, VerifyOptions};
//! use biasbench::input::Comparisons;
//!
//! # fn main() -> Result<(), biasbench::Error> {
//! let race = ["A", "B", "A", "B"];
//! let comparisons = Comparisons::builder()
//!     .scores(&[0.9, 0.8, 0.2, 0.6])
//!     .mated(&[true, true, false, false])
//!     .attribute_per_side("race", &race, &race)
//!     .build()?; // checks lengths, interns and sorts the group labels
//! let options = VerifyOptions {
//!     policies: vec![Policy::parse("fixed:0.5")?],
//!     ..Default::default()
//! };
//! let result = verify::audit(&comparisons, &options)?;
//! let by_race = result.view("race").expect("a view per attribute");
//! // The B impostor pair scores 0.6 >= 0.5, the A pair 0.2: FMR 1 and 0.
//! assert_eq!(by_race.rate(0, "fmr", "B").map(|r| r.value), Some(1.0));
//! assert_eq!(by_race.rate(0, "fmr", "A").map(|r| r.value), Some(0.0));
//! # Ok(())
//! # }
//! ```
//!
//! Layers, each importing only those before it (checked by `tests/layers.rs`):
//! [`math`] → [`stats`] → [`input`] → [`groups`] → [`counts`] → [`engine`] →
//! [`bootstrap`] → [`report`] → [`render`] → [`app`] → [`cli`] (the
//! command line's flags, checked into plans: the Python package reuses it so
//! that its options are validated exactly as the CLI's); [`error`] and
//! [`progress`] are used by all.

#![warn(missing_docs)]

pub mod app;
pub mod bootstrap;
pub mod cli;
pub mod counts;
pub mod engine;
pub mod error;
pub mod groups;
pub mod input;
pub mod math;
pub mod progress;
pub mod render;
pub mod report;
pub mod stats;
pub mod value;

pub use error::{Error, Result};
/// The ndarray the builders take views of (use it to avoid a version mismatch).
pub use ndarray;
