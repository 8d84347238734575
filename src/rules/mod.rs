//! The rules: metadata from `rules/*.toml` (embedded), logic in one file per rule, and the registry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub mod document;
pub mod requests;
pub mod world;

mod ar101_input_bucket_default_encryption;
mod ar102_input_object_encrypted;
mod ar103_input_kms_key_usable_by_role;
mod ar201_output_key_customer_managed;
mod ar202_output_key_usable;
mod ar203_output_key_policy_grants_role;
mod ar204_output_key_cross_account_grants;
mod ar205_output_objects_encrypted_with_job_key;
mod ar206_output_bucket_default_kms;
mod ar301_key_rotation_enabled;
mod ar302_key_not_pending_deletion;
mod ar303_key_policy_no_public_principal;
mod ar401_role_exists;
mod ar402_role_trusts_translate;
mod ar403_role_trust_confused_deputy;
mod ar404_role_s3_access;
mod ar501_bucket_policy_permits_translate_output;
mod ar601_custom_resource_key_usable;
mod ar602_custom_resource_customer_managed;
mod ar603_custom_resource_key_cross_account;
mod ar701_input_prefix_is_folder;
mod ar702_buckets_in_job_region;
mod ar801_policy_parse;
mod ar802_policy_unknown_action;
mod ar803_policy_resource_mismatch;
mod ar804_policy_version;
mod ar805_policy_broad_allow;
mod ar806_policy_condition_operator;
mod ar807_policy_public_principal;
mod ar901_service_volume_encryption;
pub(crate) mod common;
mod registry;

pub use document::{DocKind, Document};
pub use registry::{CONTROLS, control_title, docs, find, registry};
pub use world::World;
// The rules speak the shared vocabulary; their files name it through `super::`.
pub use crate::vocab::{Finding, Location, ResourceRef, Ruleset, Severity, Status};

/// Where a rule is on: `both` rulesets, `strict` only, or `lint` (the linter's own rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RulesetMembership {
    Both,
    Strict,
    Lint,
}

/// A rule's metadata and prose, from `rules/ARnnn-slug.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub slug: String,
    pub severity: Severity,
    pub ruleset: RulesetMembership,
    /// Per-ruleset severities where they differ from `severity`.
    #[serde(default)]
    pub severity_by_ruleset: BTreeMap<String, Severity>,
    pub control: String,
    /// Which part of a declared resource a finding points at when the linter judges a setup: its policy,
    /// its trust policy, or (by default) the declaration.
    #[serde(default)]
    pub fault_at: crate::vocab::FaultAt,
    pub title: String,
    pub fails_when: String,
    pub rationale: String,
    pub remediation: String,
    pub source: RuleSource,
    #[serde(default)]
    pub cases: Vec<RuleCase>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSource {
    /// A page under `docs/`: the AWS pages in `reference/`, or `controls.md`.
    pub page: String,
    pub section: String,
    /// The sentence the rule enforces, verbatim.
    pub quote: String,
}

/// A rule test case: a snapshot (audit rules) or a file to lint (lint rules), and the statuses expected
/// for named resources, at named positions for lint results.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleCase {
    #[serde(default)]
    pub snapshot: Option<String>,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default = "default_ruleset")]
    pub ruleset: Ruleset,
    pub expect: Vec<ExpectedResult>,
}

fn default_ruleset() -> Ruleset {
    Ruleset::Baseline
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedResult {
    pub resource: String,
    pub status: Status,
    #[serde(default)]
    pub principal: Option<String>,
    #[serde(default)]
    pub line: Option<u32>,
    #[serde(default)]
    pub column: Option<u32>,
    /// Words the result's message must hold, for a case about what the message says.
    #[serde(default)]
    pub message_contains: Option<String>,
}

impl RuleMeta {
    /// The default severity under a ruleset.
    pub fn severity_in(&self, ruleset: Ruleset) -> Severity {
        self.severity_by_ruleset.get(ruleset.as_str()).copied().unwrap_or(self.severity)
    }

    pub fn enabled_in(&self, ruleset: Ruleset) -> bool {
        match self.ruleset {
            RulesetMembership::Both => true,
            RulesetMembership::Strict => ruleset == Ruleset::Strict,
            RulesetMembership::Lint => false,
        }
    }

    pub fn ruleset_label(&self) -> &'static str {
        match self.ruleset {
            RulesetMembership::Both => "both",
            RulesetMembership::Strict => "strict",
            RulesetMembership::Lint => "lint",
        }
    }
}

/// What a rule's check sees besides the world.
#[derive(Debug, Clone, Copy)]
pub struct CheckContext {
    pub ruleset: Ruleset,
}

/// What a rule examines: the audited world, or one linted document.
#[derive(Clone, Copy)]
pub enum Check {
    World(fn(&World<'_>, &CheckContext) -> Vec<Finding>),
    Document(fn(&Document<'_>) -> Vec<Finding>),
}

pub struct Rule {
    pub meta: RuleMeta,
    pub check: Check,
}

/// An audit rule's check.
pub type WorldCheck = fn(&World<'_>, &CheckContext) -> Vec<Finding>;
/// A lint rule's check.
pub type DocumentCheck = fn(&Document<'_>) -> Vec<Finding>;

impl Rule {
    /// The check of an audit rule; `None` for a lint rule.
    pub fn world_check(&self) -> Option<WorldCheck> {
        match self.check {
            Check::World(c) => Some(c),
            Check::Document(_) => None,
        }
    }

    /// The check of a lint rule; `None` for an audit rule.
    pub fn document_check(&self) -> Option<DocumentCheck> {
        match self.check {
            Check::Document(c) => Some(c),
            Check::World(_) => None,
        }
    }
}
