//! What every layer says about a result: statuses, severities, rulesets, the resource and the place a
//! finding is about, and the finding itself.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Fail,
    Unknown,
    Pass,
    NotVerifiable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Unknown => "UNKNOWN",
            Status::NotVerifiable => "NOT_VERIFIABLE",
        }
    }
}

/// Declared most severe first, so `Ord` sorts reports by severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether this severity is at or above `threshold`.
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

/// The ruleset a run uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ruleset {
    #[default]
    Baseline,
    Strict,
}

impl Ruleset {
    pub fn as_str(self) -> &'static str {
        match self {
            Ruleset::Baseline => "baseline",
            Ruleset::Strict => "strict",
        }
    }
}

/// `--fail-on`: a severity, or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Severity(Severity),
    Never,
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Written as its name (`high`, `none`), as `--fail-on` takes it.
impl Serialize for FailOn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl FailOn {
    pub fn parse(s: &str) -> Option<FailOn> {
        if s == "none" { Some(FailOn::Never) } else { Severity::parse(s).map(FailOn::Severity) }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Severity(s) => s.as_str(),
            FailOn::Never => "none",
        }
    }
}

/// A 1-based position in the source text; `column` counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where a resource was declared in a linted file, and where its policies are: how a finding about it
/// points at a source line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub declared: Option<Location>,
    /// The key policy, bucket policy or role permission policy.
    pub policy: Option<Location>,
    /// A role's trust policy.
    pub trust: Option<Location>,
    /// A job request's input folder.
    pub input: Option<Location>,
}

/// The part of a declaration a finding is about: a rule says which part it judges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultAt {
    #[default]
    Declaration,
    Policy,
    TrustPolicy,
}

impl Origin {
    /// The place of `part`, else the declaration.
    pub fn place(&self, part: FaultAt) -> Option<&Location> {
        let preferred = match part {
            FaultAt::Policy => self.policy.as_ref(),
            FaultAt::TrustPolicy => self.trust.as_ref(),
            FaultAt::Declaration => None,
        };
        preferred.or(self.declared.as_ref())
    }
}

/// What kind of resource a result is about, spelt in reports as `kms-key`, `s3-prefix`, …: a rule and
/// the linter that places its finding name the same kind, or the code does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResourceKind {
    #[serde(rename = "kms-key")]
    KmsKey,
    #[serde(rename = "iam-role")]
    IamRole,
    #[serde(rename = "s3-bucket")]
    S3Bucket,
    #[serde(rename = "s3-prefix")]
    S3Prefix,
    #[serde(rename = "translate-job")]
    TranslateJob,
    #[serde(rename = "translate-terminology")]
    TranslateTerminology,
    #[serde(rename = "translate-parallel-data")]
    TranslateParallelData,
    #[serde(rename = "policy-file")]
    PolicyFile,
    #[serde(rename = "service")]
    Service,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::KmsKey => "kms-key",
            ResourceKind::IamRole => "iam-role",
            ResourceKind::S3Bucket => "s3-bucket",
            ResourceKind::S3Prefix => "s3-prefix",
            ResourceKind::TranslateJob => "translate-job",
            ResourceKind::TranslateTerminology => "translate-terminology",
            ResourceKind::TranslateParallelData => "translate-parallel-data",
            ResourceKind::PolicyFile => "policy-file",
            ResourceKind::Service => "service",
        }
    }
}

impl std::fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// Ordered by its text, as results were when the kind was a string.
impl PartialOrd for ResourceKind {
    fn partial_cmp(&self, other: &ResourceKind) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ResourceKind {
    fn cmp(&self, other: &ResourceKind) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// The resource a result is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResourceRef {
    #[serde(rename = "type")]
    pub kind: ResourceKind,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl ResourceRef {
    pub fn new(kind: ResourceKind, id: impl Into<String>, account: Option<&str>, region: Option<&str>) -> ResourceRef {
        ResourceRef { kind, id: id.into(), account: account.map(str::to_owned), region: region.map(str::to_owned) }
    }
}

/// One rule's verdict on one resource.
#[derive(Debug, Clone)]
pub struct Finding {
    pub status: Status,
    pub resource: ResourceRef,
    pub principal: Option<String>,
    pub jobs: Vec<String>,
    pub message: String,
    pub evidence: Value,
    /// Where in a linted file the fault is.
    pub location: Option<Location>,
}

/// A 1-based position in a linted file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl Finding {
    pub fn new(status: Status, resource: ResourceRef, message: impl Into<String>) -> Finding {
        Finding {
            status,
            resource,
            principal: None,
            jobs: Vec::new(),
            message: message.into(),
            evidence: Value::Object(Default::default()),
            location: None,
        }
    }

    pub fn at(mut self, file: &str, pos: Pos) -> Finding {
        self.location = Some(Location { file: file.to_owned(), line: pos.line, column: pos.column });
        self
    }

    pub fn jobs(mut self, mut jobs: Vec<String>) -> Finding {
        jobs.sort();
        jobs.dedup();
        self.jobs = jobs;
        self
    }

    pub fn principal(mut self, principal: impl Into<String>) -> Finding {
        self.principal = Some(principal.into());
        self
    }

    pub fn evidence(mut self, evidence: Value) -> Finding {
        self.evidence = evidence;
        self
    }
}
