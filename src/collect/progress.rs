//! What a collection tells stderr while it runs: a spinner on a terminal, and with `-v` one line per phase
//! with its time and requests. Silent otherwise.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug, Clone)]
pub struct Progress(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    bar: Option<ProgressBar>,
    verbose: bool,
    requests: AtomicU64,
    /// The phase under way: its name, start, and the request count when it started.
    current: Mutex<Option<(String, Instant, u64)>>,
}

impl Progress {
    /// The spinner shows only when stderr is a terminal and the run is not quiet; `verbose` adds the phase
    /// lines (not when quiet).
    pub fn new(quiet: bool, verbose: bool) -> Progress {
        use std::io::IsTerminal;
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}: {pos} requests, {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress(Arc::new(Inner {
            bar,
            verbose: verbose && !quiet,
            requests: AtomicU64::new(0),
            current: Mutex::new(None),
        }))
    }

    pub fn phase(&self, what: &str) {
        self.close_phase();
        if let Some(bar) = &self.0.bar {
            bar.set_message(what.to_owned());
        }
        let started = (what.to_owned(), Instant::now(), self.0.requests.load(Ordering::Relaxed));
        *self.0.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(started);
    }

    /// One request answered.
    pub fn tick(&self) {
        self.0.requests.fetch_add(1, Ordering::Relaxed);
        if let Some(bar) = &self.0.bar {
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        self.close_phase();
        if let Some(bar) = &self.0.bar {
            bar.finish_and_clear();
        }
    }

    fn close_phase(&self) {
        let Some((what, start, before)) = self.0.current.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return;
        };
        if self.0.verbose {
            let requests = self.0.requests.load(Ordering::Relaxed) - before;
            let line = format!("atrest: {what}: {:.2} s, {requests} requests", start.elapsed().as_secs_f64());
            match &self.0.bar {
                Some(bar) => bar.println(line),
                None => eprintln!("{line}"),
            }
        }
    }
}
