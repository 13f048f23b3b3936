//! Progress reports: the library says how many bytes a long step will read
//! and how many it has read, to a [`Progress`] listener passed in by the
//! caller (the command line draws a bar on a terminal; [`NoProgress`] hears
//! nothing). Reports never touch the results.
//!
//! Functions that only report while they run take a `&dyn Progress`; a
//! table that reads on other threads keeps an `Arc<dyn Progress>`.

/// A listener for progress reports; must be cheap and thread-safe.
pub trait Progress: Send + Sync {
    /// A step begins that will read `total` bytes (0 when unknown).
    fn start(&self, step: &str, total: u64);
    /// `bytes` more bytes were read.
    fn advance(&self, bytes: u64);
    /// The step is over.
    fn finish(&self);
}

/// The listener that ignores every report.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _step: &str, _total: u64) {}
    fn advance(&self, _bytes: u64) {}
    fn finish(&self) {}
}
