//! The progress bar on standard error: the library's [`Progress`] listener,
//! drawn only when standard error is a terminal.

use crate::progress::{NoProgress, Progress};
use std::sync::{Arc, Mutex};

/// A progress bar on standard error (used only when it is a terminal).
struct Bar(Mutex<Option<indicatif::ProgressBar>>);

impl Progress for Bar {
    fn start(&self, step: &str, total: u64) {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg:8} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.set_message(step.to_string());
        *self.0.lock().expect("progress lock") = Some(bar);
    }

    fn advance(&self, bytes: u64) {
        if let Some(b) = self.0.lock().expect("progress lock").as_ref() {
            b.inc(bytes);
        }
    }

    fn finish(&self) {
        if let Some(b) = self.0.lock().expect("progress lock").take() {
            b.finish_and_clear();
        }
    }
}

/// The listener of this run: a bar when standard error is a terminal, else
/// nothing (so scripts and pipes see no progress output).
pub fn progress() -> Arc<dyn Progress> {
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        Arc::new(Bar(Mutex::new(None)))
    } else {
        Arc::new(NoProgress)
    }
}
