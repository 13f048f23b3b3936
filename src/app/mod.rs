//! Layer 9, the application: audit orchestration, the paired comparison of
//! two models, the demo, simulated data and file writing. The only layer that
//! writes files.

pub mod audit;
pub mod compare;
pub mod demo;
pub mod output;
pub mod power;
pub mod simulate;
