//! A finished result as every report shows it, what a baseline says of it, and what failed to be read.

use serde::{Deserialize, Serialize};

use super::finding::{Location, ResourceRef, Severity, Status};

/// (rule id, resource id, principal, message of a located lint finding).
pub type ResultKey = (String, String, Option<String>, Option<String>);

/// A finding with everything the report says about it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultRow {
    pub rule_id: String,
    pub rule: String,
    pub control: String,
    pub status: Status,
    pub severity: Severity,
    pub resource: ResourceRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    pub jobs: Vec<String>,
    pub message: String,
    pub evidence: serde_json::Value,
    /// How to fix it; only on FAIL and UNKNOWN results.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remediation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineMark>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    pub reason: String,
    pub expires: String,
    /// What makes the waiver weak evidence: a resource pattern that matches everything, or an expiry so
    /// far off that it never comes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineMark {
    New,
    Existing,
}

impl ResultRow {
    /// Failing results count towards the exit code unless waived or already in the baseline.
    pub fn is_problem(&self) -> bool {
        matches!(self.status, Status::Fail | Status::Unknown)
    }

    /// The identity of a result across runs: baselines and waivers key on it.
    /// A linted file can hold several findings of one rule; their messages (which name the element, not
    /// its line) tell them apart and survive edits that move lines.
    pub fn key(&self) -> ResultKey {
        let detail = self.location.as_ref().map(|_| self.message.clone());
        (self.rule_id.clone(), self.resource.id.clone(), self.principal.clone(), detail)
    }

    /// The identity as one string, for formats that name findings across runs (OCSF's
    /// `finding_info.uid`, SARIF's `partialFingerprints`).
    pub fn uid(&self) -> String {
        let detail = self.location.as_ref().map(|_| self.message.as_str());
        uid(&self.rule_id, &self.resource.id, self.principal.as_deref(), detail)
    }
}

/// FNV-1a, 64 bits: stable across runs, platforms and releases (std's hasher promises none of that).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// `atrest:RULE:RESOURCE[:PRINCIPAL][:#HASH]`, the hash of a located lint finding's message.
fn uid(rule_id: &str, resource: &str, principal: Option<&str>, detail: Option<&str>) -> String {
    let mut uid = format!("atrest:{rule_id}:{resource}");
    if let Some(p) = principal {
        uid.push(':');
        uid.push_str(p);
    }
    if let Some(d) = detail {
        uid.push_str(&format!(":#{:016x}", fnv1a(d)));
    }
    uid
}

/// A result that was failing in the baseline and is not any more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolved {
    pub rule_id: String,
    pub resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
}

impl Resolved {
    /// The same identity as the result it was (`ResultRow::uid`).
    pub fn uid(&self) -> String {
        uid(&self.rule_id, &self.resource, self.principal.as_deref(), None)
    }
}

/// Something that could not be collected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    pub service: super::call::Service,
    pub operation: super::call::Operation,
    /// The resource the call was about: an ARN, `s3://bucket/prefix`, a bucket name.
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    pub message: String,
}

/// The error code of a gap for a file that looks like a template but is not a valid one: it fails the run,
/// whatever its results.
pub const INVALID_TEMPLATE: &str = "InvalidTemplate";

/// What a report says of a rule: its words, for formats that describe the rules they report (SARIF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDoc {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub fails_when: String,
    pub rationale: String,
    pub remediation: String,
    pub control: String,
    /// The control's short title.
    pub control_title: String,
    pub severity: Severity,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_depend_on_the_result_alone() {
        let a = uid("AR203", "arn:aws:kms:us-east-1:111122223333:key/k", Some("arn:aws:iam::1:role/r"), None);
        assert_eq!(a, "atrest:AR203:arn:aws:kms:us-east-1:111122223333:key/k:arn:aws:iam::1:role/r");
        let b = uid("AR801", "p.json", None, Some("unknown action s3:GetObjekt"));
        assert_ne!(b, uid("AR801", "p.json", None, Some("unknown action s3:PutObjekt")));
        // FNV-1a's published test vector: the hash must not change between releases.
        assert_eq!(fnv1a("a"), 0xaf63dc4c8601ec8c);
    }
}

/// Something about the run worth telling on stderr (expired, unmatched or weak waivers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice(pub String);

/// Everything a run decided, for the report: audit, scan and lint all end in one.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Ordered, with severities, waivers and baseline marks applied.
    pub results: Vec<ResultRow>,
    /// The ids of the rules that ran, for the controls matrix.
    pub rules_run: Vec<String>,
    /// With a baseline: what it had failing and this run has not.
    pub resolved: Option<Vec<Resolved>>,
    /// Reads that failed and files that were not judged.
    pub gaps: Vec<Gap>,
    pub notices: Vec<Notice>,
    /// Per rule: results and time taken, for `-v`.
    pub timings: Vec<(&'static str, usize, std::time::Duration)>,
}
