//! OCSF (`--format ocsf`): a JSON array of OCSF 1.6.0 Compliance Finding events (class_uid 2003, cloud
//! profile), one per result and one per result resolved since the baseline, as AWS Security Hub takes them
//! in (it reads OCSF 1.6) and Amazon Security Lake stores them.
//!
//! `finding_info.uid` is the result's `uid()` (its identity across runs, never the run's), so a SIEM
//! updates one finding instead of opening a new one each day.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::Report;
use super::json::json_io_error;
use crate::vocab::time::parse_date;
use crate::vocab::{BaselineMark, Resolved, ResultRow, Severity, Status};

/// The OCSF schema version the events follow (tests validate them against its Compliance Finding schema).
pub const OCSF_VERSION: &str = "1.6.0";
const CLASS_UID: u32 = 2003;
const CATEGORY_UID: u32 = 2;
/// Activity 1, Create: each event reports the finding's state as of this run.
const ACTIVITY_ID: u32 = 1;
const STANDARD: &str = "atrest: Amazon Translate encryption at rest (docs/controls.md)";

fn severity(s: Severity) -> (u8, &'static str) {
    match s {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

/// compliance.status_id: 0 Unknown, 1 Pass, 3 Fail, 99 Other.
fn compliance_status(s: Status) -> (u8, &'static str) {
    match s {
        Status::Pass => (1, "Pass"),
        Status::Fail => (3, "Fail"),
        Status::Unknown => (0, "Unknown"),
        Status::NotVerifiable => (99, "NOT_VERIFIABLE"),
    }
}

/// The finding's own status_id: 1 New, 3 Suppressed (waived), 4 Resolved (passing, or gone since the
/// baseline), 99 Other (cannot be verified through any API).
fn finding_status(r: &ResultRow) -> (u8, String, Option<String>) {
    if let Some(w) = &r.waiver {
        return (3, "Suppressed".into(), Some(format!("waived until {}: {}", w.expires, w.reason)));
    }
    let detail = match r.baseline {
        Some(BaselineMark::Existing) => Some("already failing in the baseline".to_owned()),
        Some(BaselineMark::New) => Some("new since the baseline".to_owned()),
        None => None,
    };
    match r.status {
        Status::Pass => (4, "Resolved".into(), detail),
        Status::Fail | Status::Unknown => (1, "New".into(), detail),
        Status::NotVerifiable => (99, "Other".into(), Some("not verifiable through any API".into())),
    }
}

fn cloud(account: Option<&str>, region: Option<&str>) -> Value {
    let mut cloud = json!({"provider": "AWS"});
    if let Some(a) = account {
        cloud["account"] = json!({"uid": a, "type": "AWS Account", "type_id": 10});
    }
    if let Some(r) = region {
        cloud["region"] = json!(r);
    }
    cloud
}

fn header(report: &Report, time: i64) -> Value {
    json!({
        "activity_id": ACTIVITY_ID,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_ID,
        "type_name": "Compliance Finding: Create",
        "time": time,
        "metadata": {
            "version": OCSF_VERSION,
            "profiles": ["cloud"],
            "product": {
                "name": "atrest",
                "vendor_name": "atrest",
                "version": report.tool.version,
                "url_string": "https://docs.aws.amazon.com/translate/latest/dg/encryption-at-rest.html",
            },
            "log_name": format!("atrest {}", report.run.command),
        },
    })
}

fn event(report: &Report, r: &ResultRow, time: i64) -> Value {
    let mut e = header(report, time);
    let (sev_id, sev) = severity(r.severity);
    let (comp_id, comp) = compliance_status(r.status);
    let (status_id, status, status_detail) = finding_status(r);
    let mut resource = json!({"uid": r.resource.id, "type": r.resource.kind});
    if let Some(region) = &r.resource.region {
        resource["region"] = json!(region);
    }
    let obj = e.as_object_mut().expect("the header is an object");
    obj.insert("severity_id".into(), json!(sev_id));
    obj.insert("severity".into(), json!(sev));
    obj.insert("status_id".into(), json!(status_id));
    obj.insert("status".into(), json!(status));
    if let Some(d) = status_detail {
        obj.insert("status_detail".into(), json!(d));
    }
    obj.insert("message".into(), json!(r.message));
    obj.insert("cloud".into(), cloud(r.resource.account.as_deref(), r.resource.region.as_deref()));
    obj.insert(
        "compliance".into(),
        json!({
            "control": r.control,
            "standards": [STANDARD],
            "requirements": [r.rule_id],
            "status_id": comp_id,
            "status": comp,
            "status_detail": r.message,
        }),
    );
    obj.insert(
        "finding_info".into(),
        json!({
            "uid": r.uid(),
            "title": format!("{} {}", r.rule_id, report.rules.iter().find(|d| d.id == r.rule_id).map_or(r.rule.as_str(), |d| d.title.as_str())),
            "desc": r.message,
            "types": [format!("atrest/{}", r.control)],
        }),
    );
    obj.insert("resources".into(), json!([resource]));
    if !r.remediation.is_empty() {
        obj.insert("remediation".into(), json!({"desc": r.remediation}));
    }
    // What OCSF has no field for: the evidence, the principal, the jobs, the place in a file, the raw status.
    let mut unmapped = json!({"atrest_status": r.status.as_str(), "evidence": r.evidence});
    if let Some(p) = &r.principal {
        unmapped["principal"] = json!(p);
    }
    if !r.jobs.is_empty() {
        unmapped["jobs"] = json!(r.jobs);
    }
    if let Some(l) = &r.location {
        unmapped["location"] = json!(l);
    }
    obj.insert("unmapped".into(), unmapped);
    e
}

/// A finding the baseline had and this run has not: Resolved.
fn resolved_event(report: &Report, r: &Resolved, time: i64) -> Value {
    let mut e = header(report, time);
    let doc = report.rules.iter().find(|d| d.id == r.rule_id);
    let (sev_id, sev) = severity(doc.map_or(Severity::Info, |d| d.severity));
    let obj = e.as_object_mut().expect("the header is an object");
    obj.insert("severity_id".into(), json!(sev_id));
    obj.insert("severity".into(), json!(sev));
    obj.insert("status_id".into(), json!(4));
    obj.insert("status".into(), json!("Resolved"));
    obj.insert("status_detail".into(), json!("failing in the baseline, not in this run"));
    obj.insert("message".into(), json!(format!("{} on {} is resolved since the baseline", r.rule_id, r.resource)));
    obj.insert("cloud".into(), cloud(crate::vocab::aws::arn_account(&r.resource), None));
    obj.insert(
        "compliance".into(),
        json!({
            "control": doc.map_or("", |d| d.control.as_str()),
            "standards": [STANDARD],
            "requirements": [r.rule_id],
            "status_id": 99,
            "status": "Resolved",
        }),
    );
    obj.insert(
        "finding_info".into(),
        json!({
            "uid": r.uid(),
            "title": format!("{} {}", r.rule_id, doc.map_or("", |d| d.title.as_str())),
            "types": [format!("atrest/{}", doc.map_or("", |d| d.control.as_str()))],
        }),
    );
    obj.insert("resources".into(), json!([{"uid": r.resource}]));
    e
}

pub struct Ocsf;

impl super::Render for Ocsf {
    /// One event at a time into the writer: a large run's array is never built whole.
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let time = parse_date(&report.run.finished_at).unwrap_or(0);
        out.write_all(b"[")?;
        let mut first = true;
        let mut put = |out: &mut dyn Write, v: Value| -> io::Result<()> {
            out.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            serde_json::to_writer(&mut *out, &v).map_err(json_io_error)
        };
        for r in &report.results {
            put(out, event(report, r, time))?;
        }
        for r in report.resolved.iter().flatten() {
            put(out, resolved_event(report, r, time))?;
        }
        out.write_all(b"\n]\n")
    }
}
