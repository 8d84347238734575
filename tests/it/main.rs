//! The one integration test binary: CLI behaviour, reference examples, differential checks.

mod audit_cli;
mod differential;
mod lint_cli;
mod lint_setup;
mod reference_examples;
mod rules_catalogue;
mod simulate_cli;

use std::path::{Path, PathBuf};

/// The project root, for fixtures.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}
