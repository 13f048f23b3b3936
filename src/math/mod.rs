//! Layer 0, mathematics: special functions and binomial intervals. Imports nothing of the crate.

pub mod interval;
pub mod special;
