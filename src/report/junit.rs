//! JUnit XML for CI systems that show test results: a test suite per rule, a test case per result,
//! written by `quick-junit` (nextest's JUnit model and serializer).
//!
//! A counted FAIL is a `failure` and a counted UNKNOWN an `error` (the check could not be done), so the
//! CI's red count matches the exit code; waived, `existing` and allowed results are `skipped` with the
//! reason; PASS passes; NOT_VERIFIABLE is skipped.

use std::collections::BTreeMap;
use std::io::{self, Write};

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::{Report, counts};
use crate::vocab::{BaselineMark, FailOn, ResultRow, Status};

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

/// What a failing case says beyond its message: severity, control, the fix and the jobs.
fn detail(r: &ResultRow) -> String {
    let mut d = format!("{} ({} {})", r.message, r.severity.as_str(), r.control);
    if !r.remediation.is_empty() {
        d.push_str(&format!("\nFix: {}", r.remediation));
    }
    if !r.jobs.is_empty() {
        d.push_str(&format!("\nJobs: {}", r.jobs.join(", ")));
    }
    d
}

pub fn build(report: &Report) -> quick_junit::Report {
    let fail_on = report.run.fail_on;
    let mut suites: BTreeMap<&str, Vec<&ResultRow>> = BTreeMap::new();
    for r in &report.results {
        suites.entry(r.rule_id.as_str()).or_default().push(r);
    }
    let mut junit = quick_junit::Report::new(format!("atrest {}", report.run.command));
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(&report.run.started_at) {
        junit.set_timestamp(at);
    }
    for (rule, rows) in &suites {
        let mut suite = TestSuite::new(format!("{rule} {}", rows[0].rule));
        for r in rows {
            let status = match outcome(r, fail_on, report.run.allow_unknown) {
                Outcome::Pass => TestCaseStatus::success(),
                Outcome::Failure | Outcome::Error if r.status == Status::Fail => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_type(r.severity.as_str()).set_message(r.message.as_str()).set_description(detail(r));
                    s
                }
                Outcome::Failure | Outcome::Error => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_type("UNKNOWN").set_message(r.message.as_str()).set_description(detail(r));
                    s
                }
                Outcome::Skipped(why) => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(why);
                    s
                }
            };
            let mut case = TestCase::new(super::subject(r, str::to_owned, " for "), status);
            case.set_classname(*rule);
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    // Reads that failed are no test of their own; a suite without tests carries them where CI shows them.
    if !report.errors.is_empty() {
        let lines: Vec<String> = report
            .errors
            .iter()
            .map(|e| format!("{} {} on {} failed: {}", e.service, e.operation, e.resource, super::gap_error(e)))
            .collect();
        let mut suite = TestSuite::new("reads that failed");
        suite.set_system_err(lines.join("\n"));
        junit.add_test_suite(suite);
    }
    junit
}

pub struct Junit;

impl super::Render for Junit {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        build(report).serialize(&mut XmlChars(&mut *out)).map_err(io_error)?;
        out.write_all(b"\n")
    }
}

/// Drops what XML 1.0 forbids in a document (Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
/// [#x10000-#x10FFFF]): quick-junit removes C0 controls but not U+FFFE and U+FFFF, either of which makes the
/// whole report unreadable to a CI's parser. The serializer writes whole UTF-8 sequences per call.
struct XmlChars<'a>(&'a mut dyn Write);

pub(crate) fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

impl Write for XmlChars<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) if !text.chars().all(xml_allowed) => {
                let kept: String = text.chars().filter(|&c| xml_allowed(c)).collect();
                self.0.write_all(kept.as_bytes())?;
                Ok(buf.len())
            }
            _ => {
                self.0.write_all(buf)?;
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Keeps the kind of an I/O failure under the serializer's error (a closed pipe stays `BrokenPipe`).
fn io_error(e: quick_junit::SerializeError) -> io::Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<io::Error>() {
            return io::Error::new(io.kind(), e.to_string());
        }
        source = s.source();
    }
    io::Error::other(e)
}
