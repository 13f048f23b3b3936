//! Layer 5, the task engines: each takes typed input data and options and
//! returns a typed result. Engines never print and never render.

pub mod classify;
pub mod identify;
pub mod summarize;
pub mod verify;
