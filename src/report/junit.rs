//! JUnit XML for CI systems that show test results: a test suite per rule, a test case per result.
//!
//! A counted FAIL is a `failure` and a counted UNKNOWN an `error` (the check could not be done), so the
//! CI's red count matches the exit code; waived, `existing` and allowed results are `skipped` with the
//! reason; PASS passes; NOT_VERIFIABLE is skipped.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Report, counts};
use crate::vocab::FailOn;
use crate::vocab::Status;
use crate::vocab::{BaselineMark, ResultRow};

/// Escapes text for XML attributes and content; characters XML 1.0 cannot hold become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

enum Outcome {
    Pass,
    Failure,
    Error,
    Skipped(String),
}

fn outcome(row: &ResultRow, fail_on: FailOn, allow_unknown: bool) -> Outcome {
    if counts(row, fail_on, allow_unknown) {
        return if row.status == Status::Fail { Outcome::Failure } else { Outcome::Error };
    }
    match row.status {
        Status::Pass => Outcome::Pass,
        Status::NotVerifiable => Outcome::Skipped("not verifiable through any API".into()),
        _ => Outcome::Skipped(match (&row.waiver, row.baseline) {
            (Some(w), _) => format!("{} waived until {}: {}", row.status.as_str(), w.expires, w.reason),
            (None, Some(BaselineMark::Existing)) => format!("{} already in the baseline", row.status.as_str()),
            _ => format!("{} below --fail-on or allowed", row.status.as_str()),
        }),
    }
}

pub fn render(report: &Report) -> String {
    let fail_on = report.run.fail_on;
    let mut suites: BTreeMap<&str, Vec<&ResultRow>> = BTreeMap::new();
    for r in &report.results {
        suites.entry(r.rule_id.as_str()).or_default().push(r);
    }
    let mut body = String::new();
    let (mut all_tests, mut all_failures, mut all_errors, mut all_skipped) = (0, 0, 0, 0);
    for (rule, rows) in &suites {
        let outcomes: Vec<Outcome> = rows.iter().map(|r| outcome(r, fail_on, report.run.allow_unknown)).collect();
        let failures = outcomes.iter().filter(|o| matches!(o, Outcome::Failure)).count();
        let errors = outcomes.iter().filter(|o| matches!(o, Outcome::Error)).count();
        let skipped = outcomes.iter().filter(|o| matches!(o, Outcome::Skipped(_))).count();
        (all_tests, all_failures, all_errors, all_skipped) =
            (all_tests + rows.len(), all_failures + failures, all_errors + errors, all_skipped + skipped);
        let _ = writeln!(
            body,
            "  <testsuite name=\"{} {}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">",
            rule,
            escape(&rows[0].rule),
            rows.len()
        );
        for (r, o) in rows.iter().zip(outcomes) {
            let name = super::subject(r, str::to_owned, " for ");
            let _ = write!(body, "    <testcase classname=\"{}\" name=\"{}\"", escape(rule), escape(&name));
            let detail = || {
                let mut d = format!("{} ({} {})", r.message, r.severity.as_str(), r.control);
                if !r.remediation.is_empty() {
                    d.push_str(&format!("\nFix: {}", r.remediation));
                }
                if !r.jobs.is_empty() {
                    d.push_str(&format!("\nJobs: {}", r.jobs.join(", ")));
                }
                escape(&d)
            };
            match o {
                Outcome::Pass => body.push_str("/>\n"),
                Outcome::Failure => {
                    let _ = writeln!(
                        body,
                        ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                        r.severity.as_str(),
                        escape(&r.message),
                        detail()
                    );
                }
                Outcome::Error => {
                    let _ = writeln!(
                        body,
                        ">\n      <error type=\"UNKNOWN\" message=\"{}\">{}</error>\n    </testcase>",
                        escape(&r.message),
                        detail()
                    );
                }
                Outcome::Skipped(why) => {
                    let _ = writeln!(body, ">\n      <skipped message=\"{}\"/>\n    </testcase>", escape(&why));
                }
            }
        }
        body.push_str("  </testsuite>\n");
    }
    // Reads that failed are no test of their own; a suite without tests carries them where CI shows them.
    if !report.errors.is_empty() {
        let lines: Vec<String> = report
            .errors
            .iter()
            .map(|e| format!("{} {} on {} failed: {}", e.service, e.operation, e.resource, super::gap_error(e)))
            .collect();
        let _ = writeln!(
            body,
            "  <testsuite name=\"reads that failed\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">\n    \
             <system-err>{}</system-err>\n  </testsuite>",
            escape(&lines.join("\n"))
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"atrest {}\" tests=\"{all_tests}\" \
         failures=\"{all_failures}\" errors=\"{all_errors}\" skipped=\"{all_skipped}\" timestamp=\"{}\">\n{body}</testsuites>\n",
        escape(&report.run.command),
        escape(&report.run.started_at)
    )
}

pub struct Junit;

impl super::RenderText for Junit {
    fn text(&self, report: &Report) -> String {
        render(report)
    }
}
