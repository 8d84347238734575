//! Inventory types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::vocab::Gap;
use crate::vocab::aws::Grant;

/// Everything one or more scans collected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    pub snapshot_version: u32,
    /// RFC 3339 time the collection finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    /// Accounts the collection was asked to read (the caller's account, from STS GetCallerIdentity, or the
    /// `--org`/`--accounts` list, or a shard's part of it).
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Whether each of `accounts` was read, and why not (absent for a one-account collection).
    #[serde(default, deserialize_with = "unique_keys", skip_serializing_if = "BTreeMap::is_empty")]
    pub account_status: BTreeMap<String, AccountStatus>,
    /// Regions scanned.
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub jobs: Vec<TranslationJob>,
    #[serde(default)]
    pub terminologies: Vec<CustomResource>,
    #[serde(default)]
    pub parallel_data: Vec<CustomResource>,
    #[serde(default)]
    pub buckets: Vec<Bucket>,
    #[serde(default)]
    pub prefixes: Vec<ObjectPrefix>,
    #[serde(default)]
    pub keys: Vec<KmsKey>,
    #[serde(default)]
    pub roles: Vec<IamRole>,
    /// What could not be collected, and why.
    #[serde(default)]
    pub gaps: Vec<Gap>,
    /// The organization of the run's accounts, when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
}

/// An AWS Organizations organization as the run saw it (DescribeOrganization; from the management account
/// or a delegated administrator also ListParents, ListPoliciesForTarget and DescribePolicy).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// `o-…`.
    pub id: String,
    /// The management account, which SCPs and RCPs do not affect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_account: Option<String>,
    /// Whether service control policies are enabled at the root (`None`: not known). When they are not,
    /// nothing is limited by them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scps_enabled: Option<bool>,
    /// Each account's path, root first and the account last, with the policies attached at each level.
    #[serde(default, deserialize_with = "unique_keys")]
    pub paths: BTreeMap<String, Vec<OrgLevel>>,
    /// The SCPs and RCPs the paths name, by policy id.
    #[serde(default, deserialize_with = "unique_keys")]
    pub policies: BTreeMap<String, OrgPolicy>,
}

/// One level of an account's path: the root (`r-…`), an OU (`ou-…`) or the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgLevel {
    pub id: String,
    /// The ids of the SCPs attached here; `None`: not read (the run could not list them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scps: Option<Vec<String>>,
    /// The ids of the RCPs attached here, `RCPFullAWSAccess` left out; `None`: not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rcps: Option<Vec<String>>,
}

/// A service control policy or resource control policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgPolicy {
    pub name: String,
    /// `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The policy document as DescribePolicy returns it.
    pub document: String,
}

impl Organization {
    /// `aws:PrincipalOrgPaths` / `aws:ResourceOrgPaths` of an account: `o-…/r-…/ou-…/`, its OUs in order.
    pub fn org_path(&self, account: &str) -> Option<String> {
        let levels = self.paths.get(account)?;
        let mut path = format!("{}/", self.id);
        for level in levels.iter().filter(|l| l.id != account) {
            path.push_str(&level.id);
            path.push('/');
        }
        Some(path)
    }
}

/// What a run read of its organization's guardrails, for `run.organization` of the report: an auditor sees
/// whether SCPs and RCPs were part of the decisions, and if not, which permission was missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgReading {
    /// The organization's id; `None` when DescribeOrganization could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `read`: every account's path with its SCPs and RCPs; `partial`: some; `not-read`: none.
    pub policies: &'static str,
    /// The accounts of the run whose guardrails were not read (their decisions say so).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts_not_read: Vec<String>,
    /// Each failed Organizations call: `organizations:ListParents on 111122223333: AccessDenied…`, the
    /// permission the run's principal lacks and what it was about.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

impl Inventory {
    /// What the run read of its organization: `None` when it is in none (or the snapshot predates the
    /// organization) and no Organizations call failed, since then no SCP or RCP was asked for.
    pub fn org_reading(&self) -> Option<OrgReading> {
        let missing: Vec<String> = self
            .gaps
            .iter()
            .filter(|g| g.service == crate::vocab::Service::Organizations)
            .map(|g| {
                let code = g.error_code.as_deref().map(|c| format!("{c}: ")).unwrap_or_default();
                format!("{}:{} on {}: {code}{}", g.service, g.operation, g.resource, g.message)
            })
            .collect();
        if self.organization.is_none() && missing.is_empty() {
            return None;
        }
        let read = |account: &str| {
            let Some(org) = &self.organization else { return false };
            let Some(path) = org.paths.get(account) else { return false };
            path.iter().all(|level| {
                [&level.scps, &level.rcps]
                    .iter()
                    .all(|ids| ids.as_ref().is_some_and(|ids| ids.iter().all(|id| org.policies.contains_key(id))))
            })
        };
        let accounts_not_read: Vec<String> = self.accounts.iter().filter(|a| !read(a)).cloned().collect();
        let policies = match accounts_not_read.len() {
            0 => "read",
            n if n == self.accounts.len() => "not-read",
            _ => "partial",
        };
        Some(OrgReading { id: self.organization.as_ref().map(|o| o.id.clone()), policies, accounts_not_read, missing })
    }
}

/// A JSON object read as a map whose keys are unique: a snapshot that names an account, a tag or a policy
/// twice is refused, as duplicate struct fields and duplicate keys in policies are (serde's maps would keep
/// the last silently, and which one an auditor sees would depend on the reader).
fn unique_keys<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Unique<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object with unique keys")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    return Err(serde::de::Error::custom(format!("duplicate key {key:?}")));
                }
                let value = map.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Unique(std::marker::PhantomData))
}

impl TranslationJob {
    /// The job's output folder as (bucket, prefix ending in `/`): see `vocab::aws::output_folder`.
    pub fn output_folder(&self) -> Option<(String, String)> {
        crate::vocab::aws::output_folder(&self.output_data_config.s3_uri, &self.account, &self.job_id)
    }
}

/// Whether an account of the run was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountStatus {
    pub status: ReadStatus,
    /// Why it was not read: the role could not be assumed, Translate refused its listings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Whether an account of a many-account run was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadStatus {
    Read,
    NotRead,
}

impl AccountStatus {
    pub fn is_read(&self) -> bool {
        self.status == ReadStatus::Read
    }

    pub fn read() -> AccountStatus {
        AccountStatus { status: ReadStatus::Read, reason: None }
    }

    pub fn not_read(reason: impl Into<String>) -> AccountStatus {
        AccountStatus { status: ReadStatus::NotRead, reason: Some(reason.into()) }
    }
}

/// A batch translation job: every field of TextTranslationJobProperties, plus where it was found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslationJob {
    pub job_id: String,
    /// The account that ran the job.
    pub account: String,
    /// The API region the job ran in.
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_details: Option<JobDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_language_code: Option<String>,
    #[serde(default)]
    pub target_language_codes: Vec<String>,
    #[serde(default)]
    pub terminology_names: Vec<String>,
    #[serde(default)]
    pub parallel_data_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    pub input_data_config: InputDataConfig,
    pub output_data_config: OutputDataConfig,
    pub data_access_role_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<JobSettings>,
    /// Where a linted file declares it; never in a snapshot.
    #[serde(skip)]
    pub origin: Option<crate::vocab::Origin>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_documents_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documents_with_errors_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_documents_count: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputDataConfig {
    pub s3_uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputDataConfig {
    pub s3_uri: String,
    /// Absent: Translate used the AWS managed key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_key: Option<EncryptionKey>,
}

/// `{"Type": "KMS", "Id": key id, key ARN, alias name or alias ARN}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionKey {
    #[serde(rename = "type")]
    pub key_type: String,
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profanity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brevity: Option<String>,
}

/// A custom terminology or a parallel data resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomResource {
    pub name: String,
    pub arn: String,
    pub account: String,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Absent: the AWS owned key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_key: Option<EncryptionKey>,
    /// Where a linted template declares it; never in a snapshot.
    #[serde(skip)]
    pub origin: Option<crate::vocab::Origin>,
}

/// An S3 bucket that a job, terminology or parallel data refers to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    /// The owning account, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Absent: not known (see gaps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The default encryption rules; empty when the bucket has no configuration. Unread: see gaps.
    #[serde(default)]
    pub encryption_rules: Vec<EncryptionRule>,
    /// The bucket policy text; absent when the bucket has none. Unread: see gaps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// Where a linted file declares it; never in a snapshot.
    #[serde(skip)]
    pub origin: Option<crate::vocab::Origin>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptionRule {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub sse_algorithm: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_master_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_key_enabled: Option<bool>,
}

/// The objects found under one job prefix.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectPrefix {
    pub bucket: String,
    pub prefix: String,
    pub coverage: Coverage,
    /// Objects listed under the prefix, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_objects: Option<u64>,
    /// Headers read with HeadObject: a sample or all of the prefix's objects, or (coverage
    /// `inventory_report`) the SSE-KMS objects whose key the report cannot tell.
    #[serde(default)]
    pub objects: Vec<S3Object>,
    /// What an S3 Inventory report said of every object under the prefix (coverage `inventory_report`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<InventoryEvidence>,
}

/// An S3 Inventory report's summary of one prefix: counts, not keys, so that a prefix of ten million
/// objects costs a snapshot a few hundred bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryEvidence {
    /// The manifest read: `s3://bucket/key` or the local path given.
    pub manifest: String,
    /// `CSV` or `Parquet`.
    pub format: String,
    /// When S3 began the scan the report lists (the manifest's `creationTimestamp`), RFC 3339.
    pub created_at: String,
    /// Objects the report lists under the prefix (delete markers and folder markers left out; every
    /// version when the report lists versions).
    pub objects: u64,
    /// Objects per `EncryptionStatus` value (`SSE-S3`, `SSE-KMS`, `DSSE-KMS`, `SSE-C`, `NOT-SSE`, or any other
    /// value as written).
    #[serde(default, deserialize_with = "unique_keys")]
    pub by_status: BTreeMap<String, u64>,
    /// The first keys of each status, in the report's order (at most 5 each).
    #[serde(default, deserialize_with = "unique_keys")]
    pub examples: BTreeMap<String, Vec<String>>,
    /// Files of the report whose rows could not be counted, and why: the counts above leave them out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread_files: Vec<UnreadFile>,
    /// The HeadObject sample asked for to confirm the KMS key of SSE-KMS objects (`sample:N`, `all` or
    /// `none`); the prefix's `objects` are what it read.
    pub key_sample: String,
    /// The report lists nothing under the prefix but a listing during collection found objects there.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub listed_now: bool,
    /// Keys the report lists that HeadObject found gone (404): deleted since the report, so not at rest;
    /// the sample read the next SSE-KMS key instead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vanished: Vec<String>,
    /// Sampled keys whose HeadObject failed otherwise (AccessDenied, …): their KMS key is unknown, which
    /// blocks the rules that need it (AR103, AR205) and nothing else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_sample_failed: Vec<UnreadFile>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnreadFile {
    pub key: String,
    pub reason: String,
}

/// How much of a prefix the object headers describe.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// A sample of the objects was read.
    #[default]
    Sampled,
    /// Every object was read.
    Listed,
    /// Headers come from an S3 Inventory report.
    InventoryReport,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Object {
    pub key: String,
    /// `AES256`, `aws:kms`, `aws:kms:dsse`; absent: no server-side encryption reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse_algorithm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_key_enabled: Option<bool>,
    /// Encrypted with a customer-provided key (HeadObject answers 400 without it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sse_c: bool,
}

/// A KMS key: DescribeKey metadata, key policy, rotation, aliases and grants.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    pub arn: String,
    pub key_id: String,
    pub account: String,
    pub region: String,
    /// Alias names (`alias/x`) that point at the key.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// DescribeKey's answer; absent when it could not be read (see gaps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<KeyMetadata>,
    /// The `default` key policy; absent when unread (see gaps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_enabled: Option<bool>,
    /// ListGrants; absent when unread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Vec<Grant>>,
    /// Where a linted file declares it; never in a snapshot.
    #[serde(skip)]
    pub origin: Option<crate::vocab::Origin>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyMetadata {
    /// `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport`, `PendingReplicaDeletion`, `Unavailable`, `Creating`.
    pub key_state: crate::vocab::KeyState,
    /// `CUSTOMER` or `AWS`.
    pub key_manager: crate::vocab::KeyManager,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_usage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_spec: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_region: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An IAM role with its trust policy and permission policies (documents as JSON text).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IamRole {
    pub arn: String,
    pub name: String,
    pub account: String,
    pub trust_policy: String,
    #[serde(default)]
    pub inline_policies: Vec<NamedPolicy>,
    #[serde(default)]
    pub attached_policies: Vec<NamedPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<NamedPolicy>,
    #[serde(default, deserialize_with = "unique_keys")]
    pub tags: BTreeMap<String, String>,
    /// Where a linted file declares it; never in a snapshot.
    #[serde(skip)]
    pub origin: Option<crate::vocab::Origin>,
}

/// An inline policy (by name) or a managed policy (by ARN) and its document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedPolicy {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The document; absent when it could not be read (see gaps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}
