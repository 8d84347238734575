//! The one integration test binary: CLI behaviour, reference examples, differential checks.
#![allow(clippy::unwrap_used)]

mod architecture;
mod audit_cli;
mod deploy_files;
mod differential;
mod ecosystem;
mod gap_matrix;
mod html_browser;
mod inventory_e2e;
mod inventory_files;
mod lint_cli;
mod lint_setup;
mod oracle_iam_simulate;
mod org_e2e;
mod reference_examples;
mod renderer_snapshots;
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

/// Runs the binary in `dir`.
pub fn atrest_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_atrest"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The JSON report on stdout; a panic shows stderr when there is none.
pub fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stderr(o)))
}

/// Where a JSON report departs from docs/report.schema.json (empty: it matches).
pub fn schema_errors(report: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator.iter_errors(report).map(|e| format!("{e} at {}", e.instance_path)).collect()
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
