//! The report: plain serializable data built from the engine's results, and one file per output format.

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;
pub mod text;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rules::{CONTROLS, Rule};
use crate::vocab::FailOn;
use crate::vocab::Status;
use crate::vocab::time::now_rfc3339;
use crate::vocab::{BaselineMark, Gap, Resolved, ResultRow};

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
    pub regions: Vec<String>,
    /// The snapshot files an `audit` read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<String>,
    pub fail_on: String,
    pub allow_unknown: bool,
    /// `scan` only: how objects were read (`none`, `sample:N`, `all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objects: Option<String>,
    /// `scan` only: calls and HTTP requests (retries included) per service and operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_calls: Option<Vec<crate::vocab::aws::ApiCalls>>,
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
    pub exit_code: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlRow {
    pub id: String,
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

pub struct ReportInput {
    pub command: &'static str,
    pub ruleset: String,
    pub started_at: String,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub snapshots: Vec<String>,
    pub fail_on: FailOn,
    pub allow_unknown: bool,
    pub results: Vec<ResultRow>,
    pub rules_run: Vec<&'static Rule>,
    pub errors: Vec<Gap>,
    pub resolved: Option<Vec<Resolved>>,
}

impl Report {
    pub fn build(input: ReportInput) -> Report {
        let count = |s: Status| input.results.iter().filter(|r| r.status == s).count();
        let mut failed_by_severity = BTreeMap::new();
        let mut exit_code = 0;
        for r in &input.results {
            if counts(r, input.fail_on, input.allow_unknown) {
                exit_code = 1;
            }
            if r.status == Status::Fail && r.waiver.is_none() && r.baseline != Some(BaselineMark::Existing) {
                *failed_by_severity.entry(r.severity.as_str().to_owned()).or_insert(0) += 1;
            }
        }
        let controls = CONTROLS
            .iter()
            .filter_map(|&id| {
                let rules: Vec<String> =
                    input.rules_run.iter().filter(|r| r.meta.control == id).map(|r| r.meta.id.clone()).collect();
                let status = input.results.iter().filter(|r| r.control == id).map(|r| r.status).min()?;
                Some(ControlRow { id: id.to_owned(), status, rules })
            })
            .collect();
        let mut errors = input.errors;
        errors.sort_by(|a, b| (&a.service, &a.operation, &a.resource).cmp(&(&b.service, &b.operation, &b.resource)));
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool { name: "atrest".into(), version: env!("CARGO_PKG_VERSION").into() },
            run: RunInfo {
                command: input.command.into(),
                ruleset: input.ruleset,
                started_at: input.started_at,
                finished_at: now_rfc3339(),
                accounts: input.accounts,
                regions: input.regions,
                snapshots: input.snapshots,
                fail_on: input.fail_on.as_str().into(),
                allow_unknown: input.allow_unknown,
                objects: None,
                api_calls: None,
            },
            summary: Summary {
                pass: count(Status::Pass),
                fail: count(Status::Fail),
                unknown: count(Status::Unknown),
                not_verifiable: count(Status::NotVerifiable),
                failed_by_severity,
                waived: input.results.iter().filter(|r| r.waiver.is_some()).count(),
                exit_code,
            },
            results: input.results,
            controls,
            errors,
            resolved: input.resolved,
        }
    }
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
