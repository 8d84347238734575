//! The one integration test binary: CLI behaviour, reference examples, differential checks.

mod audit_cli;
mod differential;
mod lint_cli;
mod lint_setup;
mod reference_examples;
mod report_formats;
mod rules_catalogue;
mod scan_e2e;
mod simulate_cli;
#[path = "../support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};

/// The project root, for fixtures.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// A fresh directory for one test's files, unique across the tests running in parallel.
pub fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir =
        std::env::temp_dir().join(format!("atrest-it-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
