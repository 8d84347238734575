//! The JSON report (`--format json`): the stable fields of cli.md, pretty-printed.

use super::Report;

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("reports serialize");
    s.push('\n');
    s
}
