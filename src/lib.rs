//! biasbench: audit recognition models for demographic differentials.
//!
//! Layers, each importing only those before it (checked by `tests/layers.rs`):
//! [`math`] → [`stats`] → [`input`] → [`groups`] → [`counts`] → [`engine`] →
//! [`bootstrap`] → [`report`] → [`render`] → [`app`]; [`error`] and
//! [`progress`] are used by all.

pub mod app;
pub mod bootstrap;
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
