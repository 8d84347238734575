//! The report: plain serializable data built from the engine's results, and one renderer per output format.
//!
//! Renderers are leaves: they take a finished `Report` and read no clock, registry or settings.

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod ocsf;
pub mod sarif;
pub mod table;
pub mod text;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::vocab::{
    BaselineMark, FailOn, Format, Gap, INVALID_TEMPLATE, Outcome, Resolved, ResultRow, RuleDoc, Status,
};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub run: RunInfo,
    pub summary: Summary,
    pub results: Vec<ResultRow>,
    pub controls: Vec<ControlRow>,
    pub errors: Vec<Gap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Vec<Resolved>>,
    /// Every rule's words, for formats that describe the rules (SARIF); not part of the JSON report.
    #[serde(skip)]
    pub rules: Vec<RuleDoc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub command: String,
    pub ruleset: String,
    pub started_at: String,
    pub finished_at: String,
    pub accounts: Vec<String>,
    /// With `--org` or `--accounts`: whether each account was read, and why not.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub account_status: std::collections::BTreeMap<String, crate::inventory::AccountStatus>,
    pub regions: Vec<String>,
    /// The snapshot files an `audit` read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<String>,
    pub fail_on: FailOn,
    pub allow_unknown: bool,
    /// `scan` only: how objects were read (`none`, `sample:N`, `all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objects: Option<String>,
    /// `scan` only: calls and HTTP requests (retries included) per service and operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_calls: Option<Vec<crate::vocab::aws::ApiCalls>>,
    /// `scan` and `audit`: whether the organization's SCPs and RCPs were read, and what was missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<crate::inventory::OrgReading>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    #[serde(rename = "PASS")]
    pub pass: usize,
    #[serde(rename = "FAIL")]
    pub fail: usize,
    #[serde(rename = "UNKNOWN")]
    pub unknown: usize,
    #[serde(rename = "NOT_VERIFIABLE")]
    pub not_verifiable: usize,
    /// FAIL results that count towards the exit code (not waived, not `existing`), by severity.
    pub failed_by_severity: BTreeMap<String, usize>,
    pub waived: usize,
    /// With `--baseline` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineCounts>,
    pub exit_code: i32,
}

/// FAIL and UNKNOWN results new since the baseline, already in it, and the baseline's that are gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BaselineCounts {
    pub new: usize,
    pub existing: usize,
    pub resolved: usize,
}

impl BaselineCounts {
    /// `3 new, 5 existing, 2 resolved`, as the human formats' summaries say it.
    pub fn phrase(&self) -> String {
        format!("{} new, {} existing, {} resolved", self.new, self.existing, self.resolved)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlRow {
    pub id: String,
    /// The control's short title (docs/controls.md holds its full requirement).
    pub title: String,
    pub status: Status,
    pub rules: Vec<String>,
}

/// Whether a result counts towards the exit code: failing, at or above the threshold, not waived,
/// not already in the baseline, and not an UNKNOWN the run allows.
pub fn counts(row: &ResultRow, fail_on: FailOn, allow_unknown: bool) -> bool {
    let FailOn::Severity(threshold) = fail_on else {
        return false;
    };
    let failing = match row.status {
        Status::Fail => true,
        Status::Unknown => !allow_unknown,
        _ => false,
    };
    failing && row.severity.at_least(threshold) && row.waiver.is_none() && row.baseline != Some(BaselineMark::Existing)
}

impl Report {
    /// The report of a run: what it was (`run`, complete) and what it decided. The exit code is computed
    /// here and nowhere else.
    pub fn build(run: RunInfo, outcome: Outcome, rules: Vec<RuleDoc>) -> Report {
        let Outcome { results, rules_run, resolved, gaps, .. } = outcome;
        let count = |s: Status| results.iter().filter(|r| r.status == s).count();
        let mut failed_by_severity = BTreeMap::new();
        let mut exit_code = 0;
        for r in &results {
            if counts(r, run.fail_on, run.allow_unknown) {
                exit_code = 1;
            }
            if r.status == Status::Fail && r.waiver.is_none() && r.baseline != Some(BaselineMark::Existing) {
                *failed_by_severity.entry(r.severity.as_str().to_owned()).or_insert(0) += 1;
            }
        }
        if gaps.iter().any(|e| e.error_code.as_deref() == Some(INVALID_TEMPLATE)) {
            exit_code = 1;
        }
        let control_of = |id: &str| rules.iter().find(|d| d.id == id).map(|d| d.control.as_str());
        // C1, C2, … C11: by number, not as text.
        // Every control with a result, whether or not one of its rules ran (lint reports audit rules'
        // results on setups while only its own rules count as run).
        let mut control_ids: Vec<&str> = rules.iter().map(|d| d.control.as_str()).collect();
        control_ids.sort_by_key(|c| (c.trim_start_matches('C').parse::<u32>().unwrap_or(u32::MAX), *c));
        control_ids.dedup();
        let controls = control_ids
            .into_iter()
            .filter_map(|control| {
                let ids: Vec<String> = rules_run.iter().filter(|id| control_of(id) == Some(control)).cloned().collect();
                let status = results.iter().filter(|r| r.control == control).map(|r| r.status).min()?;
                let title = rules.iter().find(|d| d.control == control).map_or("", |d| &d.control_title);
                Some(ControlRow { id: control.to_owned(), title: title.to_owned(), status, rules: ids })
            })
            .collect();
        let mut errors = gaps;
        errors.sort_by(|a, b| (&a.service, &a.operation, &a.resource).cmp(&(&b.service, &b.operation, &b.resource)));
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool { name: "atrest".into(), version: env!("CARGO_PKG_VERSION").into() },
            run,
            summary: Summary {
                pass: count(Status::Pass),
                fail: count(Status::Fail),
                unknown: count(Status::Unknown),
                not_verifiable: count(Status::NotVerifiable),
                failed_by_severity,
                waived: results.iter().filter(|r| r.waiver.is_some()).count(),
                baseline: resolved.as_ref().map(|resolved| BaselineCounts {
                    new: results.iter().filter(|r| r.baseline == Some(BaselineMark::New)).count(),
                    existing: results.iter().filter(|r| r.baseline == Some(BaselineMark::Existing)).count(),
                    resolved: resolved.len(),
                }),
                exit_code,
            },
            results,
            controls,
            errors,
            resolved,
            rules,
        }
    }
}

/// How a report is shown: every format implements it.
pub trait Render {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// A format rendered whole into text first (they are small next to the JSON and SARIF of large runs).
pub trait RenderText {
    fn text(&self, report: &Report) -> String;
}

impl<T: RenderText> Render for T {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.text(report).as_bytes())
    }
}

/// What the reader asked for besides the format.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// PASS and NOT_VERIFIABLE rows in the table and markdown too.
    pub show_pass: bool,
    /// ANSI colour (a terminal on stdout).
    pub colour: bool,
    /// Where rule pages are published, for SARIF `helpUri`.
    pub docs_url: Option<String>,
    pub view: View,
    /// The columns the table may fill (a terminal's width); `None`: a fixed 160.
    pub width: Option<u16>,
}

/// What the results are about, which decides the table view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum View {
    /// Resources of an account: the table.
    #[default]
    Resources,
    /// Places in files (lint): `path:line:col:` lines.
    Files,
}

/// The renderer of `format`.
pub fn renderer(format: Format, options: &RenderOptions) -> Box<dyn Render> {
    match (format, options.view) {
        (Format::Json, _) => Box::new(json::Json),
        (Format::Sarif, _) => Box::new(sarif::Sarif { docs_url: options.docs_url.clone() }),
        (Format::Junit, _) => Box::new(junit::Junit),
        (Format::Csv, _) => Box::new(csv::Csv),
        (Format::Html, _) => Box::new(html::Html { docs_url: options.docs_url.clone() }),
        (Format::Markdown, _) => Box::new(markdown::Markdown { show_pass: options.show_pass }),
        (Format::Ocsf, _) => Box::new(ocsf::Ocsf),
        (Format::Table, View::Files) => Box::new(text::Text { colour: options.colour }),
        (Format::Table, View::Resources) => {
            Box::new(table::Table { show_pass: options.show_pass, colour: options.colour, width: options.width })
        }
    }
}

/// What a result is about, as the human formats label it: `file:line:column` for a place in a linted file,
/// else the resource id and, for rules about a role using a key, the principal. `quote` marks up each
/// name; `between` goes between resource and principal.
pub fn subject(row: &ResultRow, quote: impl Fn(&str) -> String, between: &str) -> String {
    if let Some(l) = &row.location {
        return quote(&format!("{}:{}:{}", l.file, l.line, l.column));
    }
    let mut s = quote(&row.resource.id);
    if let Some(p) = &row.principal {
        s.push_str(between);
        s.push_str(&quote(p));
    }
    s
}

/// A result's status as the human formats show it: `FAIL (waived)`, `UNKNOWN (new)`, `PASS`.
pub fn status_label(row: &ResultRow) -> String {
    let mut status = row.status.as_str().to_owned();
    if row.waiver.is_some() {
        status.push_str(" (waived)");
    } else if let Some(b) = row.baseline {
        status.push_str(match b {
            BaselineMark::New => " (new)",
            BaselineMark::Existing => " (existing)",
        });
    }
    status
}

/// A failed read's error as one phrase: `AccessDenied: Access Denied`, or the message alone.
pub fn gap_error(gap: &Gap) -> String {
    match &gap.error_code {
        Some(code) => format!("{code}: {}", gap.message),
        None => gap.message.clone(),
    }
}

#[cfg(test)]
impl RunInfo {
    /// An audit of no account, for the unit tests of the counts and the renderers.
    pub(crate) fn for_tests(fail_on: FailOn, allow_unknown: bool) -> RunInfo {
        RunInfo {
            command: "audit".into(),
            ruleset: "baseline".into(),
            started_at: String::new(),
            finished_at: String::new(),
            accounts: vec![],
            account_status: Default::default(),
            regions: vec![],
            snapshots: vec![],
            fail_on,
            allow_unknown,
            objects: None,
            api_calls: None,
            organization: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{AppliedWaiver, ResourceRef, Severity};

    fn row(rule: &str, control: &str, status: Status, severity: Severity) -> ResultRow {
        ResultRow {
            rule_id: rule.into(),
            rule: "slug".into(),
            control: control.into(),
            status,
            severity,
            resource: ResourceRef::new(crate::vocab::ResourceKind::KmsKey, format!("arn:{rule}"), None, None),
            principal: None,
            jobs: vec![],
            message: String::new(),
            evidence: serde_json::Value::Null,
            remediation: String::new(),
            location: None,
            waiver: None,
            baseline: None,
        }
    }

    fn doc(id: &str, control: &str) -> RuleDoc {
        RuleDoc {
            id: id.into(),
            slug: "slug".into(),
            title: String::new(),
            fails_when: String::new(),
            rationale: String::new(),
            remediation: String::new(),
            control: control.into(),
            control_title: format!("{control} title"),
            severity: Severity::High,
        }
    }

    fn build(results: Vec<ResultRow>, gaps: Vec<Gap>, fail_on: FailOn, allow_unknown: bool) -> Report {
        let rules = vec![doc("AR101", "C1"), doc("AR201", "C2"), doc("AR801", "C11")];
        let outcome = Outcome { results, rules_run: vec!["AR101".into(), "AR201".into()], gaps, ..Outcome::default() };
        Report::build(RunInfo::for_tests(fail_on, allow_unknown), outcome, rules)
    }

    #[test]
    fn the_exit_code_counts_only_what_is_at_or_above_the_threshold_unwaived_and_new() {
        let high = FailOn::Severity(Severity::High);
        let low_fail = row("AR101", "C1", Status::Fail, Severity::Low);
        assert_eq!(build(vec![low_fail.clone()], vec![], high, false).summary.exit_code, 0);
        assert_eq!(build(vec![low_fail], vec![], FailOn::Severity(Severity::Low), false).summary.exit_code, 1);
        let unknown = row("AR101", "C1", Status::Unknown, Severity::High);
        assert_eq!(build(vec![unknown.clone()], vec![], high, false).summary.exit_code, 1);
        assert_eq!(build(vec![unknown], vec![], high, true).summary.exit_code, 0, "--allow-unknown");
        let mut waived = row("AR101", "C1", Status::Fail, Severity::Critical);
        waived.waiver = Some(AppliedWaiver { reason: "r".into(), expires: "2030-01-01".into(), warning: None });
        let mut existing = row("AR201", "C2", Status::Fail, Severity::Critical);
        existing.baseline = Some(BaselineMark::Existing);
        let r = build(vec![waived, existing], vec![], high, false);
        assert_eq!(r.summary.exit_code, 0);
        assert_eq!((r.summary.fail, r.summary.waived), (2, 1));
        assert!(r.summary.failed_by_severity.is_empty(), "{:?}", r.summary.failed_by_severity);
        // An invalid template fails the run whatever its results; any other gap does not by itself.
        let gap = |code: &str| Gap {
            service: crate::vocab::Service::Other("file".into()),
            operation: crate::vocab::Operation::Read,
            resource: "t.yaml".into(),
            error_code: Some(code.into()),
            message: String::new(),
        };
        assert_eq!(build(vec![], vec![gap(INVALID_TEMPLATE)], high, false).summary.exit_code, 1);
        assert_eq!(build(vec![], vec![gap("AccessDenied")], high, false).summary.exit_code, 0);
    }

    #[test]
    fn controls_take_their_worst_result_in_numeric_order() {
        let results = vec![
            row("AR801", "C11", Status::Pass, Severity::High),
            row("AR101", "C1", Status::Pass, Severity::High),
            row("AR101", "C1", Status::Fail, Severity::High),
            row("AR201", "C2", Status::Unknown, Severity::High),
        ];
        let r = build(results, vec![], FailOn::Severity(Severity::High), false);
        let controls: Vec<(&str, Status)> = r.controls.iter().map(|c| (c.id.as_str(), c.status)).collect();
        assert_eq!(controls, [("C1", Status::Fail), ("C2", Status::Unknown), ("C11", Status::Pass)]);
        assert_eq!(r.controls[0].rules, ["AR101"]);
        assert!(r.controls[2].rules.is_empty(), "AR801 did not run: its control lists no rule");
        assert_eq!((r.summary.pass, r.summary.fail, r.summary.unknown), (2, 1, 1));
    }
}
