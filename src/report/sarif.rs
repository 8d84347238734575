//! SARIF 2.1.0 (`--format sarif`), the format GitHub code scanning reads, through `serde-sarif`'s types:
//! one rule per atrest rule, one result per FAIL or UNKNOWN (a file place as a physical location, an
//! account's resource as a logical one), `baselineState` under `--baseline` (`new`, `unchanged`, and the
//! resolved ones as `absent`), and the reads that failed as tool notifications.

use std::io::{self, Write};

use std::collections::BTreeMap;

use serde_json::{Value, json};
use serde_sarif::sarif;

use super::Report;
use super::json::json_io_error;
use crate::vocab::{BaselineMark, Resolved, ResultRow, Severity, Status};

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

/// Where a result is: a place in a linted file (physical), or a resource of an account and, for rules
/// about a role using a key, the principal (logical: SARIF's way to name what is not a file).
fn location(r: &ResultRow) -> sarif::Location {
    match &r.location {
        Some(l) => sarif::Location::builder()
            .physical_location(
                sarif::PhysicalLocation::builder()
                    .artifact_location(sarif::ArtifactLocation::builder().uri(l.file.as_str()).build())
                    .region(
                        sarif::Region::builder()
                            .start_line(l.line.max(1) as i64)
                            .start_column(l.column.max(1) as i64)
                            .build(),
                    )
                    .build(),
            )
            .build(),
        None => logical(&r.resource.id, r.resource.kind.as_str(), r.principal.as_deref()),
    }
}

fn logical(resource: &str, kind: &str, principal: Option<&str>) -> sarif::Location {
    let mut names = vec![
        sarif::LogicalLocation::builder()
            .fully_qualified_name(resource)
            .name(resource.rsplit(['/', ':']).next().unwrap_or(resource))
            .kind("resource")
            .properties(property_bag([("resourceType", json!(kind))]))
            .build(),
    ];
    if let Some(p) = principal {
        names.push(
            sarif::LogicalLocation::builder()
                .fully_qualified_name(p)
                .name(p.rsplit(['/', ':']).next().unwrap_or(p))
                .kind("resource")
                .properties(property_bag([("role", json!("principal"))]))
                .build(),
        );
    }
    sarif::Location::builder().logical_locations(names).build()
}

fn property_bag<const N: usize>(entries: [(&str, Value); N]) -> sarif::PropertyBag {
    sarif::PropertyBag::builder()
        .additional_properties(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<BTreeMap<_, _>>())
        .build()
}

fn text(t: impl Into<String>) -> sarif::Message {
    sarif::Message::builder().text(t.into()).build()
}

fn words(t: impl Into<String>) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder().text(t.into()).build()
}

/// The stable identity GitHub and other viewers use to follow one alert across runs.
fn fingerprint(uid: String) -> BTreeMap<String, String> {
    BTreeMap::from([("atrest/v1".to_owned(), uid)])
}

fn rule_descriptors(report: &Report, docs_url: &str) -> Vec<sarif::ReportingDescriptor> {
    report
        .rules
        .iter()
        .map(|m| {
            sarif::ReportingDescriptor::builder()
                .id(m.id.as_str())
                .name(m.slug.as_str())
                .short_description(words(m.title.as_str()))
                .full_description(words(format!("Fails when {}.", m.fails_when)))
                .help(
                    sarif::MultiformatMessageString::builder()
                        .text(format!("{}\n\nHow to fix: {}", m.rationale, m.remediation))
                        .markdown(format!("{}\n\n**How to fix:** {}", m.rationale, m.remediation))
                        .build(),
                )
                .help_uri(format!("{docs_url}/{}.md", m.id))
                .default_configuration(sarif::ReportingConfiguration::builder().level(json!(level(m.severity))).build())
                .properties(
                    sarif::PropertyBag::builder()
                        .tags(vec!["security".to_owned(), m.control.clone()])
                        .additional_properties(BTreeMap::from([(
                            "security-severity".to_owned(),
                            json!(security_severity(m.severity)),
                        )]))
                        .build(),
                )
                .build()
        })
        .collect()
}

fn rule_index(report: &Report, id: &str) -> Option<i64> {
    report.rules.iter().position(|r| r.id == id).map(|i| i as i64)
}

/// A FAIL or UNKNOWN result.
fn result(report: &Report, r: &ResultRow) -> sarif::Result {
    let mut result = sarif::Result::builder()
        .rule_id(r.rule_id.as_str())
        .level(result_level(r.severity))
        .message(text(r.message.as_str()))
        .locations(vec![location(r)])
        .partial_fingerprints(fingerprint(r.uid()))
        .properties(property_bag([("status", json!(r.status.as_str())), ("severity", json!(r.severity.as_str()))]))
        .build();
    result.rule_index = rule_index(report, &r.rule_id);
    result.baseline_state = r.baseline.map(|b| {
        json!(match b {
            BaselineMark::New => "new",
            BaselineMark::Existing => "unchanged",
        })
    });
    if let Some(w) = &r.waiver {
        result.suppressions = Some(vec![
            sarif::Suppression::builder()
                .kind(json!("external"))
                .justification(format!("{} (until {})", w.reason, w.expires))
                .build(),
        ]);
    }
    result
}

/// What the baseline had and this run has not: SARIF's `absent`, a passing result.
fn resolved(report: &Report, r: &Resolved) -> sarif::Result {
    let kind = report.results.iter().find(|x| x.resource.id == r.resource).map_or("", |x| x.resource.kind.as_str());
    let mut result = sarif::Result::builder()
        .rule_id(r.rule_id.as_str())
        .kind(sarif::ResultKind::Pass)
        .level(sarif::ResultLevel::None)
        .message(text(format!("{} on {} is resolved since the baseline", r.rule_id, r.resource)))
        .locations(vec![logical(&r.resource, kind, r.principal.as_deref())])
        .partial_fingerprints(fingerprint(r.uid()))
        .build();
    result.rule_index = rule_index(report, &r.rule_id);
    result.baseline_state = Some(json!("absent"));
    result
}

/// Reads that failed: a gap no rule turned into UNKNOWN must still be seen.
fn invocation(report: &Report) -> sarif::Invocation {
    let notifications: Vec<sarif::Notification> = report
        .errors
        .iter()
        .map(|e| {
            sarif::Notification::builder()
                .level(json!("warning"))
                .message(text(format!(
                    "{} {} on {} failed: {}",
                    e.service,
                    e.operation,
                    e.resource,
                    super::gap_error(e)
                )))
                .build()
        })
        .collect();
    sarif::Invocation::builder().execution_successful(true).tool_execution_notifications(notifications).build()
}

/// Writes the log with its results streamed: each is built, written and dropped in turn, so a run of a
/// million results never holds a second copy of them as SARIF.
pub fn write(report: &Report, docs_url: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    let docs_url = docs_url.unwrap_or(DEFAULT_DOCS_URL);
    let driver = sarif::ToolComponent::builder()
        .name("atrest")
        .version(report.tool.version.as_str())
        .information_uri("https://docs.aws.amazon.com/translate/latest/dg/encryption-at-rest.html")
        .rules(rule_descriptors(report, docs_url))
        .build();
    write!(out, "{{\"$schema\":{},\"version\":\"2.1.0\",\"runs\":[{{\"tool\":", json!(SCHEMA))?;
    put(out, &sarif::Tool::builder().driver(driver).build())?;
    out.write_all(b",\"invocations\":[")?;
    put(out, &invocation(report))?;
    out.write_all(b"],\"results\":[")?;
    let failing = report.results.iter().filter(|r| matches!(r.status, Status::Fail | Status::Unknown));
    let mut first = true;
    for r in failing.map(|r| result(report, r)).chain(report.resolved.iter().flatten().map(|r| resolved(report, r))) {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        put(out, &r)?;
    }
    out.write_all(b"\n]}]}\n")
}

/// One value written compactly.
fn put<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(out, value).map_err(json_io_error)
}

fn result_level(severity: Severity) -> sarif::ResultLevel {
    match level(severity) {
        "error" => sarif::ResultLevel::Error,
        "warning" => sarif::ResultLevel::Warning,
        _ => sarif::ResultLevel::Note,
    }
}

pub struct Sarif {
    pub docs_url: Option<String>,
}

impl super::Render for Sarif {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write(report, self.docs_url.as_deref(), out)
    }
}
