//! Chain-aware linting: job requests, CloudFormation templates and Terraform plans given together become
//! an inventory fragment, so the audit's rules judge a setup before it is deployed.
//!
//! Each source (`cloudformation`, `terraform`, `job_request`) reads its file into typed declarations that
//! carry where they are written; this module assembles them into the fragment's inventory, whose items
//! keep their `Origin`, so findings point at source lines.
//!
//! Resources are named the way they will be once deployed: roles and buckets by their names, keys by
//! `arn:aws:kms:REGION:ACCOUNT:key/<logical id or address>` with their aliases. The account and region
//! come from the job requests (the role ARN's account, the output key ARN's region), else the AWS
//! documentation placeholders `123456789012` and `us-east-1`. What no file tells (object headers, key
//! state beyond `Enabled`, resources outside the files) is recorded as a gap, and the linter drops the
//! UNKNOWN results that follow from it: not judged, rather than unknown.

mod cloudformation;
mod job_request;
mod terraform;

use crate::inventory::*;
use crate::policy::json::{Kind, Member, Pos, Value};
use crate::policy::{Policy, PolicyError};
use crate::vocab::{KeyManager, KeyState, Location, Operation, Origin, Service};

/// What the linted files describe.
#[derive(Default)]
pub struct Fragment {
    /// Its items carry their `origin`.
    pub inventory: Inventory,
    /// Policy documents embedded in templates and plans, for the policy rules.
    pub policies: Vec<EmbeddedPolicy>,
}

pub struct EmbeddedPolicy {
    pub file: String,
    pub policy: Result<Policy, PolicyError>,
}

/// A file given to the linter that describes part of a setup.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    JobRequest { path: &'a str, root: &'a Value },
    CloudFormation { path: &'a str, root: &'a Value },
    TerraformPlan { path: &'a str, root: &'a Value },
}

/// One thing a source file declares, with where it is written (in the items' `origin`).
// A file declares tens of these, moved once into the inventory: boxing would only add allocations.
#[allow(clippy::large_enum_variant)]
pub enum Declaration {
    Role(IamRole),
    /// An identity policy attached to a role by another resource.
    RolePolicy {
        role_arn: String,
        policy: NamedPolicy,
        at: Location,
    },
    Key(KmsKey),
    Alias {
        name: String,
        target: String,
    },
    /// A bucket, or a part of one (its encryption configuration, its policy): parts of a name merge.
    Bucket(Bucket),
    Job(TranslationJob),
    /// A custom terminology (`AWS::Translate::Terminology`).
    Terminology(CustomResource),
    /// Parallel data (`AWS::Translate::ParallelData`).
    ParallelData(CustomResource),
    /// A policy document embedded in the file, for the policy rules.
    Policy(EmbeddedPolicy),
}

const PLACEHOLDER_ACCOUNT: &str = "123456789012";
const DEFAULT_REGION: &str = "us-east-1";

fn loc(file: &str, pos: Pos) -> Location {
    Location { file: file.to_owned(), line: pos.line, column: pos.column }
}

fn str_at<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key)?.value.as_str()
}

fn members(v: &Value) -> &[Member] {
    v.as_object().unwrap_or_default()
}

fn scalar_text(v: &Value) -> Option<String> {
    match &v.kind {
        Kind::String(s) | Kind::Number(s) => Some(s.clone()),
        Kind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// What makes a CloudFormation template invalid (misspelt sections or resource attributes), where.
pub fn template_problems(root: &Value) -> Vec<(Pos, String)> {
    cloudformation::problems(root)
}

/// What a CloudFormation template holds that is made at deployment and so not judged, where.
pub fn template_not_judged(root: &Value) -> Vec<(Pos, String)> {
    cloudformation::not_judged(root)
}

/// Builds the fragment the sources describe together.
pub fn build(sources: &[Source<'_>]) -> Fragment {
    let (mut account, mut region) = (None, None);
    for s in sources {
        if let Source::JobRequest { root, .. } = s {
            let (a, r) = job_request::account_and_region(root);
            account = account.or(a);
            region = region.or(r);
        }
    }
    let ctx = Ctx {
        account: account.unwrap_or_else(|| PLACEHOLDER_ACCOUNT.into()),
        region: region.unwrap_or_else(|| DEFAULT_REGION.into()),
    };
    // Declarations first, job requests after: a job is judged against what the files declare.
    let mut declarations = Vec::new();
    for s in sources {
        match s {
            Source::CloudFormation { path, root } => {
                declarations.extend(cloudformation::declarations(&ctx, path, root))
            }
            Source::TerraformPlan { path, root } => declarations.extend(terraform::declarations(&ctx, path, root)),
            Source::JobRequest { .. } => {}
        }
    }
    for s in sources {
        if let Source::JobRequest { path, root } = s {
            declarations.extend(job_request::declarations(&ctx, path, root));
        }
    }
    let mut f = Fragment::default();
    f.inventory.snapshot_version = SNAPSHOT_VERSION;
    f.inventory.accounts = vec![ctx.account.clone()];
    f.inventory.regions = vec![ctx.region.clone()];
    assemble(&mut f, &ctx, declarations);
    record_outside_references(&mut f);
    f
}

/// Puts declarations into the fragment: aliases onto their keys, attached policies onto their roles, the
/// parts of each bucket into one.
fn assemble(f: &mut Fragment, ctx: &Ctx, declarations: Vec<Declaration>) {
    let mut aliases = Vec::new();
    let mut role_policies = Vec::new();
    for d in declarations {
        match d {
            Declaration::Role(r) => f.inventory.roles.push(r),
            Declaration::RolePolicy { role_arn, policy, at } => role_policies.push((role_arn, policy, at)),
            Declaration::Key(k) => f.inventory.keys.push(k),
            Declaration::Alias { name, target } => aliases.push((name, target)),
            Declaration::Bucket(b) => f.inventory.buckets.push(b),
            Declaration::Job(j) => f.inventory.jobs.push(j),
            Declaration::Terminology(t) => f.inventory.terminologies.push(t),
            Declaration::ParallelData(p) => f.inventory.parallel_data.push(p),
            Declaration::Policy(p) => f.policies.push(p),
        }
    }
    for (alias, target) in aliases {
        let target_arn = if target.starts_with("arn:") { target } else { ctx.key_arn(&target) };
        if let Some(k) = f.inventory.keys.iter_mut().find(|k| k.arn == target_arn || k.key_id == target_arn) {
            k.aliases.push(alias);
        }
    }
    for (role, policy, at) in role_policies {
        if let Some(r) = f.inventory.roles.iter_mut().find(|r| r.arn == role) {
            r.inline_policies.push(policy);
            r.origin.get_or_insert_with(Origin::default).policy.get_or_insert(at);
        }
    }
    merge_buckets(f);
}

struct Ctx {
    account: String,
    region: String,
}

/// What a template or plan says of a key.
struct KeySettings {
    enabled: bool,
    usage: Option<String>,
    spec: Option<String>,
    multi_region: bool,
    rotation: bool,
}

impl Ctx {
    fn key_arn(&self, id: &str) -> String {
        format!("arn:aws:kms:{}:{}:key/{id}", self.region, self.account)
    }

    fn role_arn(&self, name: &str) -> String {
        format!("arn:aws:iam::{}:role/{name}", self.account)
    }

    /// A customer managed key as a template or plan declares it.
    fn key(&self, arn: String, key_id: String, s: KeySettings, policy: Option<String>, origin: Origin) -> KmsKey {
        KmsKey {
            arn,
            key_id,
            account: self.account.clone(),
            region: self.region.clone(),
            metadata: Some(KeyMetadata {
                key_state: if s.enabled { KeyState::Enabled } else { KeyState::Disabled },
                key_manager: KeyManager::Customer,
                key_usage: Some(s.usage.unwrap_or_else(|| "ENCRYPT_DECRYPT".into())),
                key_spec: Some(s.spec.unwrap_or_else(|| "SYMMETRIC_DEFAULT".into())),
                multi_region: Some(s.multi_region),
                ..Default::default()
            }),
            policy,
            rotation_enabled: Some(s.rotation),
            grants: Some(Vec::new()),
            origin: Some(origin),
            ..Default::default()
        }
    }

    /// A bucket as a template or plan declares it. Since January 2023 S3 encrypts every new bucket with
    /// SSE-S3 when nothing else is set.
    fn bucket(&self, name: String, mut rules: Vec<EncryptionRule>, origin: Origin) -> Bucket {
        if rules.is_empty() {
            rules.push(EncryptionRule { sse_algorithm: "AES256".into(), ..Default::default() });
        }
        Bucket {
            name,
            account: Some(self.account.clone()),
            region: Some(self.region.clone()),
            encryption_rules: rules,
            policy: None,
            origin: Some(origin),
        }
    }
}

/// A default-encryption rule from the algorithm, key and bucket-key flag a file gives.
fn encryption_rule(algorithm: Option<&str>, key: Option<&str>, bucket_key: Option<&Value>) -> EncryptionRule {
    EncryptionRule {
        sse_algorithm: algorithm.unwrap_or_default().to_owned(),
        kms_master_key_id: key.map(str::to_owned),
        bucket_key_enabled: match bucket_key.map(|v| &v.kind) {
            Some(Kind::Bool(b)) => Some(*b),
            _ => None,
        },
    }
}

/// Reads a policy document embedded in a template for the policy rules; its text, for the inventory,
/// when it parses.
fn embedded(out: &mut Vec<Declaration>, path: &str, source: String, doc: &Value) -> Option<String> {
    let policy = Policy::from_json(source, doc);
    let text = policy.is_ok().then(|| to_json_text(doc));
    out.push(Declaration::Policy(EmbeddedPolicy { file: path.to_owned(), policy }));
    text
}

/// Serializes a spanned value back to JSON text, for the inventory (which keeps documents as text).
fn to_json_text(v: &Value) -> String {
    fn go(v: &Value) -> serde_json::Value {
        match &v.kind {
            Kind::Null => serde_json::Value::Null,
            Kind::Bool(b) => serde_json::Value::Bool(*b),
            Kind::Number(n) => serde_json::from_str(n).unwrap_or(serde_json::Value::String(n.clone())),
            Kind::String(s) => serde_json::Value::String(s.clone()),
            Kind::Array(items) => serde_json::Value::Array(items.iter().map(go).collect()),
            Kind::Object(ms) => serde_json::Value::Object(ms.iter().map(|m| (m.key.clone(), go(&m.value))).collect()),
        }
    }
    go(v).to_string()
}

/// A bucket can be declared by several resources (a CloudFormation bucket and its policy; a Terraform
/// bucket, its encryption configuration and its policy): one bucket each, with what each part says.
fn merge_buckets(f: &mut Fragment) {
    let mut merged: Vec<Bucket> = Vec::new();
    for b in std::mem::take(&mut f.inventory.buckets) {
        match merged.iter_mut().find(|m| m.name == b.name) {
            Some(m) => {
                if b.policy.is_some() {
                    m.policy = b.policy;
                }
                // The declaration (with a region) defaults to SSE-S3; an explicit configuration wins.
                if b.region.is_some() {
                    m.region = b.region;
                    m.account = b.account;
                    if m.encryption_rules.is_empty() {
                        m.encryption_rules = b.encryption_rules;
                    }
                } else if !b.encryption_rules.is_empty() {
                    m.encryption_rules = b.encryption_rules;
                }
                if let Some(o) = b.origin {
                    let mine = m.origin.get_or_insert_with(Origin::default);
                    mine.declared = mine.declared.take().or(o.declared);
                    mine.policy = mine.policy.take().or(o.policy);
                }
            }
            None => merged.push(b),
        }
    }
    f.inventory.buckets = merged;
}

/// Roles, keys and buckets that the jobs use but no file declares are outside the linted files: record
/// them as gaps so the rules about them say UNKNOWN, which the linter drops as not judged.
fn record_outside_references(f: &mut Fragment) {
    let mut gaps = Vec::new();
    let inv = &f.inventory;
    let gap = |service: Service, operation: Operation, resource: String| Gap {
        service,
        operation,
        resource,
        error_code: Some("NotInLintedFiles".into()),
        message: "not described by the linted files".into(),
    };
    let known_key = |id: &str| {
        inv.keys.iter().any(|key| {
            key.arn == id
                || key.key_id == id
                || key.aliases.iter().any(|a| a == id)
                || id.ends_with(&format!(":{}", key.aliases.first().cloned().unwrap_or_default()))
        })
    };
    // A terminology's or parallel data's key from another stack or account is not described here either.
    for r in inv.terminologies.iter().chain(&inv.parallel_data) {
        if let Some(k) = r.encryption_key.as_ref().filter(|k| !known_key(&k.id)) {
            gaps.push(gap(Service::Kms, Operation::DescribeKey, k.id.clone()));
        }
    }
    for j in &inv.jobs {
        if !inv.roles.iter().any(|r| r.arn == j.data_access_role_arn) {
            gaps.push(gap(Service::Iam, Operation::GetRole, j.data_access_role_arn.clone()));
        }
        if let Some(k) = j.output_data_config.encryption_key.as_ref().filter(|k| !known_key(&k.id)) {
            gaps.push(gap(Service::Kms, Operation::DescribeKey, k.id.clone()));
        }
        for uri in [&j.input_data_config.s3_uri, &j.output_data_config.s3_uri] {
            if let Some(bucket) = uri.strip_prefix("s3://").map(|r| r.split('/').next().unwrap_or(r))
                && !inv.buckets.iter().any(|b| b.name == bucket)
            {
                for op in [Operation::GetBucketEncryption, Operation::GetBucketPolicy, Operation::GetBucketLocation] {
                    gaps.push(gap(Service::S3, op, bucket.to_owned()));
                }
            }
        }
    }
    gaps.sort_by(|a, b| (&a.resource, &a.operation).cmp(&(&b.resource, &b.operation)));
    gaps.dedup();
    f.inventory.gaps.extend(gaps);
}
