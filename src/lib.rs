//! biasbench: audit recognition models for demographic differentials.
//!
//! Data flows one way: [`input`] (readers, column mapping, row accounting) →
//! [`groups`] (attribute values to dense group ids) → the task engine
//! ([`verification`], built on [`threshold`] and [`rate`]) → [`disparity`]
//! and [`uncertainty`] → [`report`] (one model, many renderers).

pub mod audit;
pub mod bootstrap;
pub mod classification;
pub mod demo;
pub mod disparity;
pub mod error;
pub mod groups;
pub mod identification;
pub mod input;
pub mod output;
pub mod plot;
pub mod progress;
pub mod rate;
pub mod report;
pub mod significance;
pub mod simulate;
pub mod special;
pub mod summarize;
pub mod threshold;
pub mod uncertainty;
pub mod verification;

pub use error::{Error, Result};
