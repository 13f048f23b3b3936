//! A hook for progress reports: the library says how many bytes a long step
//! will read and how many it has read; whoever installed a [`Progress`] (the
//! command line draws a bar on a terminal) hears of it. Nothing is reported
//! when no hook is installed, and reports never touch the results.

use std::sync::OnceLock;

/// A listener for progress reports; must be cheap and thread-safe.
pub trait Progress: Send + Sync {
    /// A step begins that will read `total` bytes (0 when unknown).
    fn start(&self, step: &str, total: u64);
    /// `bytes` more bytes were read.
    fn advance(&self, bytes: u64);
    /// The step is over.
    fn finish(&self);
}

static HOOK: OnceLock<Box<dyn Progress>> = OnceLock::new();

/// Installs the process's listener (only the first call takes effect).
pub fn install(p: Box<dyn Progress>) {
    let _ = HOOK.set(p);
}

pub(crate) fn start(step: &str, total: u64) {
    if let Some(p) = HOOK.get() {
        p.start(step, total);
    }
}

pub(crate) fn advance(bytes: u64) {
    if let Some(p) = HOOK.get() {
        p.advance(bytes);
    }
}

pub(crate) fn finish() {
    if let Some(p) = HOOK.get() {
        p.finish();
    }
}
