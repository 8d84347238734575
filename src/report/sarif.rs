//! SARIF 2.1.0 (`--format sarif`), the format GitHub code scanning reads: one rule per atrest rule,
//! one result per FAIL or UNKNOWN with its physical location.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::Report;
use super::json::json_io_error;
use crate::vocab::{Severity, Status};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub orders alerts by `security-severity`, a CVSS-like score.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// Where rule pages are when the config names no `docs_url`: the repository's `docs/rules/`, as a
/// `file:` URI relative to where the scan ran (SARIF wants an absolute URI; set `docs_url` to link a
/// published copy).
pub const DEFAULT_DOCS_URL: &str = "file:docs/rules";

pub fn to_value(report: &Report, docs_url: &str) -> Value {
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "name": m.slug,
                "shortDescription": {"text": m.title},
                "fullDescription": {"text": format!("Fails when {}.", m.fails_when)},
                "help": {"text": format!("{}\n\nHow to fix: {}", m.rationale, m.remediation),
                         "markdown": format!("{}\n\n**How to fix:** {}", m.rationale, m.remediation)},
                "helpUri": format!("{docs_url}/{}.md", m.id),
                "defaultConfiguration": {"level": level(m.severity)},
                "properties": {"tags": ["security", m.control.as_str()], "security-severity": security_severity(m.severity)},
            })
        })
        .collect();
    let index = |id: &str| report.rules.iter().position(|r| r.id == id).unwrap_or(0);
    let results: Vec<Value> = report
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Unknown))
        .map(|r| {
            let mut result = json!({
                "ruleId": r.rule_id,
                "ruleIndex": index(&r.rule_id),
                "level": level(r.severity),
                "message": {"text": r.message},
                "properties": {"status": r.status.as_str(), "severity": r.severity.as_str()},
            });
            let (uri, line, column) = match &r.location {
                Some(l) => (l.file.clone(), l.line.max(1), l.column.max(1)),
                None => (r.resource.id.clone(), 1, 1),
            };
            result["locations"] = json!([{
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": line, "startColumn": column},
                },
            }]);
            if let Some(w) = &r.waiver {
                result["suppressions"] =
                    json!([{"kind": "external", "justification": format!("{} (until {})", w.reason, w.expires)}]);
            }
            result
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "atrest",
                "version": report.tool.version,
                "informationUri": "https://docs.aws.amazon.com/translate/latest/dg/encryption-at-rest.html",
                "rules": rules,
            }},
            "results": results,
            // Reads that failed: a gap no rule turned into UNKNOWN must still be seen.
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": report.errors.iter().map(|e| json!({
                    "level": "warning",
                    "message": {"text": format!(
                        "{} {} on {} failed: {}", e.service, e.operation, e.resource, super::gap_error(e)
                    )},
                })).collect::<Vec<_>>(),
            }],
        }],
    })
}

pub struct Sarif {
    pub docs_url: Option<String>,
}

impl super::Render for Sarif {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write(report, self.docs_url.as_deref(), out)
    }
}

pub fn write(report: &Report, docs_url: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report, docs_url.unwrap_or(DEFAULT_DOCS_URL)))
        .map_err(json_io_error)?;
    out.write_all(b"\n")
}
