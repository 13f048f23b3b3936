//! Layer 1, statistics over counted rates: [`rate::Rate`], disparity summaries,
//! fairlearn/AIF360 parity primitives and tests of difference. Imports only [`crate::math`].

pub(crate) mod cluster;
pub mod disparity;
pub mod mean;
pub mod paired;
pub(crate) mod parity;
pub mod power;
pub mod rate;
pub mod significance;
pub mod summary_ci;
