//! The registry: each rule's TOML (embedded at build time) with the check that implements it, in id
//! order, and what reports say of the rules and their controls.

use std::sync::LazyLock;

use super::*;

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
