//! The progress line on stderr while a collection runs: shown on a terminal, silent otherwise.

use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A spinner with the phase and the number of requests answered; a no-op when hidden.
#[derive(Debug, Clone)]
pub struct Progress(Option<Arc<ProgressBar>>);

impl Progress {
    /// Shown only when stderr is a terminal and the run is not quiet.
    pub fn new(show: bool) -> Progress {
        use std::io::IsTerminal;
        if !show || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}: {pos} requests, {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(Some(Arc::new(bar)))
    }

    pub fn hidden() -> Progress {
        Progress(None)
    }

    pub fn phase(&self, what: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(what.to_owned());
        }
    }

    pub fn tick(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
