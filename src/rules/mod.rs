//! The rules: metadata from `rules/*.toml` (embedded), logic in one file per rule, and the registry.

use std::collections::BTreeMap;
use std::sync::LazyLock;

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

pub use document::{DocKind, Document};
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

/// Each rule's TOML, embedded, with its check. The order is the rule id order.
const SOURCES: &[(&str, &str, Check)] = &[
    (
        "AR101",
        include_str!("../../rules/AR101-input-bucket-default-encryption.toml"),
        Check::World(ar101_input_bucket_default_encryption::check),
    ),
    (
        "AR102",
        include_str!("../../rules/AR102-input-object-encrypted.toml"),
        Check::World(ar102_input_object_encrypted::check),
    ),
    (
        "AR103",
        include_str!("../../rules/AR103-input-kms-key-usable-by-role.toml"),
        Check::World(ar103_input_kms_key_usable_by_role::check),
    ),
    (
        "AR201",
        include_str!("../../rules/AR201-output-key-customer-managed.toml"),
        Check::World(ar201_output_key_customer_managed::check),
    ),
    ("AR202", include_str!("../../rules/AR202-output-key-usable.toml"), Check::World(ar202_output_key_usable::check)),
    (
        "AR203",
        include_str!("../../rules/AR203-output-key-policy-grants-role.toml"),
        Check::World(ar203_output_key_policy_grants_role::check),
    ),
    (
        "AR204",
        include_str!("../../rules/AR204-output-key-cross-account-grants.toml"),
        Check::World(ar204_output_key_cross_account_grants::check),
    ),
    (
        "AR205",
        include_str!("../../rules/AR205-output-objects-encrypted-with-job-key.toml"),
        Check::World(ar205_output_objects_encrypted_with_job_key::check),
    ),
    (
        "AR206",
        include_str!("../../rules/AR206-output-bucket-default-kms.toml"),
        Check::World(ar206_output_bucket_default_kms::check),
    ),
    (
        "AR301",
        include_str!("../../rules/AR301-key-rotation-enabled.toml"),
        Check::World(ar301_key_rotation_enabled::check),
    ),
    (
        "AR302",
        include_str!("../../rules/AR302-key-not-pending-deletion.toml"),
        Check::World(ar302_key_not_pending_deletion::check),
    ),
    (
        "AR303",
        include_str!("../../rules/AR303-key-policy-no-public-principal.toml"),
        Check::World(ar303_key_policy_no_public_principal::check),
    ),
    ("AR401", include_str!("../../rules/AR401-role-exists.toml"), Check::World(ar401_role_exists::check)),
    (
        "AR402",
        include_str!("../../rules/AR402-role-trusts-translate.toml"),
        Check::World(ar402_role_trusts_translate::check),
    ),
    (
        "AR403",
        include_str!("../../rules/AR403-role-trust-confused-deputy.toml"),
        Check::World(ar403_role_trust_confused_deputy::check),
    ),
    ("AR404", include_str!("../../rules/AR404-role-s3-access.toml"), Check::World(ar404_role_s3_access::check)),
    (
        "AR501",
        include_str!("../../rules/AR501-bucket-policy-permits-translate-output.toml"),
        Check::World(ar501_bucket_policy_permits_translate_output::check),
    ),
    (
        "AR601",
        include_str!("../../rules/AR601-custom-resource-key-usable.toml"),
        Check::World(ar601_custom_resource_key_usable::check),
    ),
    (
        "AR602",
        include_str!("../../rules/AR602-custom-resource-customer-managed.toml"),
        Check::World(ar602_custom_resource_customer_managed::check),
    ),
    (
        "AR603",
        include_str!("../../rules/AR603-custom-resource-key-cross-account.toml"),
        Check::World(ar603_custom_resource_key_cross_account::check),
    ),
    (
        "AR701",
        include_str!("../../rules/AR701-input-prefix-is-folder.toml"),
        Check::World(ar701_input_prefix_is_folder::check),
    ),
    (
        "AR702",
        include_str!("../../rules/AR702-buckets-in-job-region.toml"),
        Check::World(ar702_buckets_in_job_region::check),
    ),
    ("AR801", include_str!("../../rules/AR801-policy-parse.toml"), Check::Document(ar801_policy_parse::check)),
    (
        "AR802",
        include_str!("../../rules/AR802-policy-unknown-action.toml"),
        Check::Document(ar802_policy_unknown_action::check),
    ),
    (
        "AR803",
        include_str!("../../rules/AR803-policy-resource-mismatch.toml"),
        Check::Document(ar803_policy_resource_mismatch::check),
    ),
    ("AR804", include_str!("../../rules/AR804-policy-version.toml"), Check::Document(ar804_policy_version::check)),
    (
        "AR805",
        include_str!("../../rules/AR805-policy-broad-allow.toml"),
        Check::Document(ar805_policy_broad_allow::check),
    ),
    (
        "AR806",
        include_str!("../../rules/AR806-policy-condition-operator.toml"),
        Check::Document(ar806_policy_condition_operator::check),
    ),
    (
        "AR807",
        include_str!("../../rules/AR807-policy-public-principal.toml"),
        Check::Document(ar807_policy_public_principal::check),
    ),
    (
        "AR901",
        include_str!("../../rules/AR901-service-volume-encryption.toml"),
        Check::World(ar901_service_volume_encryption::check),
    ),
];

static REGISTRY: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(id, text, check)| {
            let meta: RuleMeta = toml::from_str(text).unwrap_or_else(|e| panic!("rules/{id}-*.toml is invalid: {e}"));
            assert_eq!(&meta.id, id, "rules/{id}-*.toml declares id {}", meta.id);
            Rule { meta, check: *check }
        })
        .collect()
});

/// Every rule, in id order.
pub fn registry() -> &'static [Rule] {
    &REGISTRY
}

/// Every control of docs/controls.md with a short title, as reports head their groups.
pub const CONTROLS: [(&str, &str); 11] = [
    ("C1", "Input documents are encrypted at rest, SSE-S3 or stronger"),
    ("C2", "Translation output is encrypted with SSE-KMS"),
    ("C3", "The service role may use the customer managed output key"),
    ("C4", "A key in another account grants the role on both sides"),
    ("C5", "Translate can assume the service role, read input and write output"),
    ("C6", "No bucket policy stops SSE-KMS output"),
    ("C7", "Terminologies and parallel data are encrypted and their keys usable"),
    ("C8", "Keys that protect Translate data stay usable and are rotated"),
    ("C9", "Translate's own volume is encrypted (AWS responsibility)"),
    ("C10", "Job prerequisites that decide whether encryption takes effect"),
    ("C11", "Policy documents are well formed"),
];

/// A control's short title; the id itself for one not in the table.
pub fn control_title(id: &str) -> &str {
    CONTROLS.iter().find(|(c, _)| *c == id).map_or(id, |(_, t)| t)
}

/// Every rule's words, as reports describe them.
pub fn docs() -> Vec<crate::vocab::RuleDoc> {
    registry()
        .iter()
        .map(|r| {
            let m = &r.meta;
            crate::vocab::RuleDoc {
                id: m.id.clone(),
                slug: m.slug.clone(),
                title: m.title.clone(),
                fails_when: m.fails_when.clone(),
                rationale: m.rationale.clone(),
                remediation: m.remediation.clone(),
                control: m.control.clone(),
                control_title: control_title(&m.control).to_owned(),
                severity: m.severity,
            }
        })
        .collect()
}

pub fn find(id: &str) -> Option<&'static Rule> {
    registry().iter().find(|r| r.meta.id.eq_ignore_ascii_case(id))
}
