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
}

/// A result that was failing in the baseline and is not any more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolved {
    pub rule_id: String,
    pub resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
}

/// Something that could not be collected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    /// `translate`, `s3`, `kms`, `iam`, `sts`.
    pub service: String,
    pub operation: String,
    /// The resource the call was about: an ARN, `s3://bucket/prefix`, a bucket name.
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    pub message: String,
}

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
