//! The inventory indexed for rules: lookups by ARN, alias and bucket, policies parsed once, gaps by resource.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Value, json};

use super::requests;
use crate::inventory::{Bucket, Gap, IamRole, Inventory, KmsKey, ObjectPrefix, TranslationJob};
use crate::policy::{
    Decider, Decision, Layer, Outcome, Policy, PolicyError, PolicySet, Principal, Request, Verdict, evaluate,
};
use crate::vocab::Operation;
use crate::vocab::aws::is_aws_managed_alias;
use crate::vocab::aws::{KeyName, KeyRef, aliases_gap_resource, normalise_resource_id};
pub use crate::vocab::aws::{arn_region, parse_s3_uri};

/// A parsed policy document, or why it could not be parsed.
pub type Parsed = Result<Policy, PolicyError>;

pub struct World<'a> {
    pub inventory: &'a Inventory,
    key_index: HashMap<KeyName, usize>,
    key_policies: Vec<Option<Parsed>>,
    role_index: HashMap<&'a str, usize>,
    roles: Vec<RolePolicies>,
    bucket_index: HashMap<&'a str, usize>,
    bucket_policies: Vec<Option<Parsed>>,
    /// Per bucket: a gap recorded for GetBucketPolicy.
    bucket_policy_gaps: Vec<bool>,
    prefix_index: HashMap<(&'a str, &'a str), usize>,
    /// By normalised resource id: a bucket's gaps whichever way its collector spelt it.
    gaps: HashMap<Cow<'a, str>, Vec<&'a Gap>>,
    /// The organization's SCPs and RCPs, parsed once per (target, policy id) so a decision names where the
    /// policy that changed it is attached; `Err` for a policy whose document was not read or does not parse.
    org_policies: HashMap<(&'a str, &'a str), Result<Policy, PolicyError>>,
}

/// The organization's guardrails on one request: `None` where they could not be read (then not evaluated,
/// and the decision says so); an empty list where nothing limits (the management account, SCPs not
/// enabled).
pub struct OrgLayers<'w> {
    pub scps: Option<Vec<Vec<&'w Policy>>>,
    pub rcps: Option<Vec<Vec<&'w Policy>>>,
}

/// A role's documents, parsed.
pub struct RolePolicies {
    pub trust: Parsed,
    /// Inline and attached managed policies that could be read and parsed.
    pub identity: Vec<Policy>,
    pub boundary: Option<Parsed>,
    /// Documents that could not be read or parsed: decisions that need them are not certain.
    pub unreadable: Vec<String>,
}

/// What a key reference names.
pub enum KeyLookup<'a> {
    Found(&'a KmsKey),
    /// Nothing in the inventory; `gap` says why it was not read, when a collector recorded it.
    Missing {
        gap: Option<&'a Gap>,
    },
}

impl<'a> World<'a> {
    pub fn new(inventory: &'a Inventory) -> World<'a> {
        let mut key_index = HashMap::new();
        for (i, k) in inventory.keys.iter().enumerate() {
            key_index.insert(KeyName::Arn(k.arn.clone()), i);
            key_index.insert(KeyName::in_account(&k.account, &k.region, &k.key_id), i);
            for alias in &k.aliases {
                key_index.insert(KeyName::in_account(&k.account, &k.region, alias), i);
                key_index.insert(KeyName::Arn(format!("arn:aws:kms:{}:{}:{}", k.region, k.account, alias)), i);
            }
        }
        let key_policies = inventory
            .keys
            .iter()
            .map(|k| k.policy.as_ref().map(|text| Policy::parse(format!("key policy of {}", k.arn), text)))
            .collect();
        // A role whose policies could not be listed has policies nobody read: its decisions are not certain.
        let unlisted: HashMap<&str, Vec<&Gap>> = inventory
            .gaps
            .iter()
            .filter(|g| matches!(g.operation, Operation::ListRolePolicies | Operation::ListAttachedRolePolicies))
            .fold(HashMap::new(), |mut m, g| {
                m.entry(g.resource.as_str()).or_default().push(g);
                m
            });
        let roles = inventory
            .roles
            .iter()
            .map(|r| parse_role(r, unlisted.get(r.arn.as_str()).map_or(&[][..], Vec::as_slice)))
            .collect();
        let role_index = inventory.roles.iter().enumerate().map(|(i, r)| (r.arn.as_str(), i)).collect();
        let bucket_index = inventory.buckets.iter().enumerate().map(|(i, b)| (b.name.as_str(), i)).collect();
        let bucket_policies = inventory
            .buckets
            .iter()
            .map(|b| b.policy.as_ref().map(|text| Policy::parse(format!("bucket policy of {}", b.name), text)))
            .collect();
        let prefix_index =
            inventory.prefixes.iter().enumerate().map(|(i, p)| ((p.bucket.as_str(), p.prefix.as_str()), i)).collect();
        let mut gaps: HashMap<Cow<'a, str>, Vec<&Gap>> = HashMap::new();
        for g in &inventory.gaps {
            gaps.entry(normalise_resource_id(&g.resource)).or_default().push(g);
        }
        let mut org_policies = HashMap::new();
        if let Some(org) = &inventory.organization {
            for level in org.paths.values().flatten() {
                for (ids, what) in [(&level.scps, "service control policy"), (&level.rcps, "resource control policy")] {
                    for id in ids.iter().flatten() {
                        let parsed = match org.policies.get(id) {
                            Some(p) => Policy::parse(
                                format!("the {what} {id} ({}) attached to {}", p.name, level.id),
                                &p.document,
                            ),
                            None => Err(PolicyError {
                                pos: Default::default(),
                                message: format!("the {what} {id} was not read"),
                            }),
                        };
                        org_policies.entry((level.id.as_str(), id.as_str())).or_insert(parsed);
                    }
                }
            }
        }
        let mut world = World {
            org_policies,
            inventory,
            key_index,
            key_policies,
            role_index,
            roles,
            bucket_index,
            bucket_policies,
            bucket_policy_gaps: Vec::new(),
            prefix_index,
            gaps,
        };
        world.bucket_policy_gaps =
            inventory.buckets.iter().map(|b| world.gap(&b.name, Some(Operation::GetBucketPolicy)).is_some()).collect();
        world
    }

    /// The SCPs on the path of the principal's account and the RCPs on the path of the resource's account
    /// (AWS Organizations User Guide, "SCP evaluation", "RCP evaluation"). Neither affects the management
    /// account; RCPs do not apply to AWS managed keys (KMS Developer Guide, "Resource control policies").
    pub fn org_layers(&self, principal_account: &str, resource_account: &str, aws_managed_key: bool) -> OrgLayers<'_> {
        let Some(org) = &self.inventory.organization else { return OrgLayers { scps: None, rcps: None } };
        let management = org.management_account.as_deref();
        let levels = |account: &str, rcp: bool| -> Option<Vec<Vec<&Policy>>> {
            if Some(account) == management || (rcp && aws_managed_key) || (!rcp && org.scps_enabled == Some(false)) {
                return Some(Vec::new());
            }
            org.paths
                .get(account)?
                .iter()
                .map(|level| {
                    let ids = if rcp { level.rcps.as_ref() } else { level.scps.as_ref() }?;
                    ids.iter()
                        .map(|id| self.org_policies.get(&(level.id.as_str(), id.as_str()))?.as_ref().ok())
                        .collect::<Option<Vec<&Policy>>>()
                })
                .collect()
        };
        OrgLayers { scps: levels(principal_account, false), rcps: levels(resource_account, true) }
    }

    /// The organization keys of requests by an account's principals (`aws:PrincipalOrgID`,
    /// `aws:PrincipalOrgPaths`) or on its resources (`aws:ResourceOrgID`, `aws:ResourceOrgPaths`): known for
    /// the accounts whose path was read, and for the account of a one-account run.
    pub fn add_org_keys(&self, ctx: &mut crate::policy::Context, principal_account: &str, resource_account: &str) {
        let Some(org) = &self.inventory.organization else { return };
        let in_org = |account: &str| org.paths.contains_key(account) || self.inventory.accounts == [account];
        for (account, id_key, paths_key) in [
            (principal_account, "aws:PrincipalOrgID", "aws:PrincipalOrgPaths"),
            (resource_account, "aws:ResourceOrgID", "aws:ResourceOrgPaths"),
        ] {
            if in_org(account) {
                ctx.insert(id_key, vec![org.id.clone()]);
                if let Some(path) = org.org_path(account) {
                    ctx.insert(paths_key, vec![path]);
                }
            }
        }
    }

    /// Gaps recorded for a resource, optionally for one operation. Ids are normalised, so a bucket is found
    /// by its name, ARN or `s3://` URI alike.
    pub fn gap(&self, resource: &str, operation: Option<Operation>) -> Option<&'a Gap> {
        self.gaps
            .get(&normalise_resource_id(resource))?
            .iter()
            .copied()
            .find(|g| operation.as_ref().is_none_or(|op| g.operation == *op))
    }

    /// Resolves a key reference (key id, key ARN, alias name, alias ARN, multi-Region id) in the account
    /// and region of the resource that names it.
    pub fn key(&self, reference: &str, account: &str, region: &str) -> KeyLookup<'a> {
        let key = KeyRef::new(reference, account, region);
        match self.key_index.get(&key.index_name()) {
            Some(&i) => KeyLookup::Found(&self.inventory.keys[i]),
            None => {
                let gap = self
                    .gap(&key.gap_resource(), None)
                    .or_else(|| self.gap(&aliases_gap_resource(account, region), Some(Operation::ListAliases)));
                KeyLookup::Missing { gap }
            }
        }
    }

    pub fn key_policy(&self, key: &KmsKey) -> Option<&Parsed> {
        let i = *self.key_index.get(&KeyName::Arn(key.arn.clone()))?;
        self.key_policies[i].as_ref()
    }

    pub fn role(&self, arn: &str) -> Option<(&'a IamRole, &RolePolicies)> {
        let i = *self.role_index.get(arn)?;
        Some((&self.inventory.roles[i], &self.roles[i]))
    }

    pub fn bucket(&self, name: &str) -> Option<&'a Bucket> {
        self.bucket_index.get(name).map(|&i| &self.inventory.buckets[i])
    }

    pub fn bucket_policy(&self, name: &str) -> Option<&Parsed> {
        self.bucket_policies[*self.bucket_index.get(name)?].as_ref()
    }

    /// A bucket's policy as the evaluator takes it: `Ok(None)` when the bucket has none, `Err` with the
    /// reason when it could not be read or parsed.
    pub fn bucket_policy_state(&self, name: &str) -> Result<Option<&Policy>, &'static str> {
        let Some(&i) = self.bucket_index.get(name) else {
            return Err("the bucket was not collected");
        };
        match (&self.bucket_policies[i], self.bucket_policy_gaps[i]) {
            (_, true) => Err("the bucket policy could not be read"),
            (Some(Ok(p)), false) => Ok(Some(p)),
            (Some(Err(_)), false) => Err("the bucket policy does not parse"),
            (None, false) => Ok(None),
        }
    }

    pub fn prefix(&self, bucket: &str, prefix: &str) -> Option<&'a ObjectPrefix> {
        self.prefix_index.get(&(bucket, prefix)).map(|&i| &self.inventory.prefixes[i])
    }
}

fn parse_role(role: &IamRole, unlisted: &[&Gap]) -> RolePolicies {
    let trust = Policy::parse(format!("trust policy of {}", role.arn), &role.trust_policy);
    let mut identity = Vec::new();
    let mut unreadable: Vec<String> = unlisted
        .iter()
        .map(|g| {
            let which = if g.operation == Operation::ListRolePolicies { "inline" } else { "attached managed" };
            format!("the {which} policies of {} were not listed ({}: {})", role.arn, g.operation, g.message)
        })
        .collect();
    for p in role.inline_policies.iter().chain(&role.attached_policies) {
        let source = p.arn.clone().unwrap_or_else(|| format!("inline policy {} of {}", p.name, role.arn));
        match p.document.as_deref().map(|d| Policy::parse(source.clone(), d)) {
            Some(Ok(policy)) => identity.push(policy),
            Some(Err(e)) => unreadable.push(format!("{source}: {e}")),
            None => unreadable.push(format!("{source}: not read")),
        }
    }
    let boundary = role.permissions_boundary.as_ref().map(|b| {
        let source = b.arn.clone().unwrap_or_else(|| b.name.clone());
        match &b.document {
            Some(d) => Policy::parse(source, d),
            None => Err(PolicyError { pos: Default::default(), message: format!("{source}: not read") }),
        }
    });
    RolePolicies { trust, identity, boundary, unreadable }
}

/// The statements that decided, as evidence.
pub fn deciders_json(decision: &Decision<'_>) -> Vec<Value> {
    decision
        .deciding
        .iter()
        .map(|d| match d {
            Decider::Statement { layer, policy, statement } => json!({
                "policy": policy.source,
                "statement": statement.index,
                "sid": statement.sid,
                "line": statement.pos.line,
                "effect": statement.effect.to_string(),
                "layer": layer.id(),
            }),
            Decider::Grant { grant, .. } => json!({
                "grant": grant.grant_id,
                "layer": "grants",
            }),
        })
        .collect()
}

/// The answer to "may the role do this on this key", for rules.
pub struct KeyUse {
    pub action: &'static str,
    pub outcome: Outcome,
    /// Whether the role's IAM policies (within its boundary) allow the action on the key.
    pub identity: Verdict,
    /// Whether the key policy allows the action to the role or its account.
    pub key_policy: Verdict,
    /// The SCPs or RCPs whose Deny decided an explicit deny, by name and where they are attached.
    pub denied_by: Vec<String>,
    pub unresolved: Vec<String>,
    pub missing: Vec<Layer>,
    pub evidence: Value,
}

impl World<'_> {
    /// Decides each action for the role on the key, with every layer: the role's identity policies and
    /// boundary, the key policy and the grants. Unreadable documents make an allow uncertain.
    pub fn role_key_use(
        &self,
        role: &IamRole,
        policies: &RolePolicies,
        key: &KmsKey,
        actions: &[&'static str],
        region: &str,
    ) -> Result<Vec<KeyUse>, String> {
        let key_policy = match self.key_policy(key) {
            Some(Ok(p)) => p,
            Some(Err(e)) => {
                return Err(format!("the key policy of {} does not parse: {e}", key.arn));
            }
            None => {
                let why =
                    self.gap(&key.arn, Some(Operation::GetKeyPolicy)).map_or("it was not collected".to_string(), |g| {
                        format!("{}: {}", g.error_code.as_deref().unwrap_or("error"), g.message)
                    });
                return Err(format!("the key policy of {} could not be read ({why})", key.arn));
            }
        };
        let boundary = match &policies.boundary {
            Some(Ok(b)) => Some(b),
            Some(Err(e)) => {
                return Err(format!("the permissions boundary of {} could not be used: {e}", role.arn));
            }
            None => None,
        };
        let principal = Principal::parse(&role.arn).map_err(|e| format!("role ARN: {e}"))?;
        let grants = key.grants.as_deref().unwrap_or(&[]);
        let grants_gap = if key.grants.is_none() { self.gap(&key.arn, Some(Operation::ListGrants)) } else { None };
        let aws_managed = key.metadata.as_ref().is_some_and(|m| m.key_manager == crate::vocab::KeyManager::Aws);
        let org = self.org_layers(&role.account, &key.account, aws_managed);
        let set = PolicySet {
            identity: policies.identity.iter().collect(),
            boundary,
            resource: Some(key_policy),
            grants,
            scps: org.scps.as_deref(),
            rcps: org.rcps.as_deref(),
        };
        Ok(actions
            .iter()
            .map(|&action| {
                let mut ctx = requests::context(&requests::key_call(action, region, key));
                self.add_org_keys(&mut ctx, &role.account, &key.account);
                let request = Request::new(principal.clone(), action, &key.arn, ctx);
                let d = evaluate(&request, &set);
                let mut outcome = d.outcome;
                let mut unresolved: Vec<String> = d.unresolved_keys.iter().cloned().collect();
                // A policy we could not read might allow what the others do not, or deny what they allow
                // (an explicit Deny in any identity policy wins: IAM User Guide, "Policy evaluation logic").
                if matches!(outcome, Outcome::ImplicitDeny | Outcome::Allowed) && !policies.unreadable.is_empty() {
                    outcome = Outcome::Depends;
                    unresolved.push(format!("unreadable identity policies ({})", policies.unreadable.join("; ")));
                }
                // Grants only allow: unread ones might allow what the policies do not.
                if outcome == Outcome::ImplicitDeny
                    && let Some(g) = grants_gap
                {
                    outcome = Outcome::Depends;
                    unresolved
                        .push(format!("the key's grants, which could not be read ({}: {})", g.operation, g.message));
                }
                let layer = |l: Layer| d.layer(l).map_or(Verdict::No, |r| r.allows.clone());
                let boundary = if set.boundary.is_some() { layer(Layer::Boundary) } else { Verdict::Yes };
                // An organization guardrail that denies is named: the run's evidence of where to change it.
                let denied_by = d
                    .deciding
                    .iter()
                    .filter_map(|x| match x {
                        Decider::Statement { layer: Layer::Scp | Layer::Rcp, policy, statement }
                            if outcome == Outcome::ExplicitDeny && statement.effect.to_string() == "Deny" =>
                        {
                            Some(policy.source.clone())
                        }
                        _ => None,
                    })
                    .collect();
                KeyUse {
                    action,
                    outcome,
                    denied_by,
                    identity: layer(Layer::Identity).and(boundary),
                    key_policy: layer(Layer::ResourcePrincipal)
                        .or(layer(Layer::ResourceDirect))
                        .or(layer(Layer::ResourceAccount)),
                    unresolved,
                    missing: d.missing.clone(),
                    evidence: json!({
                        "action": action,
                        "decision": d.outcome.id(),
                        "statements": deciders_json(&d),
                        "missing": d.missing.iter().map(|l| l.id()).collect::<Vec<_>>(),
                        "unresolved_keys": d.unresolved_keys,
                        // What the decision did not weigh (SCPs and RCPs a run did not read) and the rules
                        // that spared a layer: controls.md asks the evidence to say so rather than guess.
                        "notes": d.notes,
                    }),
                }
            })
            .collect())
    }
}

/// One S3 request a job's role makes (async-prereqs.md: it reads the input, lists the input folder and
/// writes the output); AR404 and AR501 ask about the same requests.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum S3Access {
    ReadObject {
        bucket: String,
        key: String,
    },
    ListFolder {
        bucket: String,
        prefix: String,
    },
    /// An SSE-KMS PutObject of an output object under `key_arn` (`None`: the AWS managed key).
    WriteOutput {
        bucket: String,
        key: String,
        key_arn: Option<String>,
    },
}

impl S3Access {
    pub fn action(&self) -> &'static str {
        match self {
            S3Access::ReadObject { .. } => "s3:GetObject",
            S3Access::ListFolder { .. } => "s3:ListBucket",
            S3Access::WriteOutput { .. } => "s3:PutObject",
        }
    }

    pub fn bucket(&self) -> &str {
        match self {
            S3Access::ReadObject { bucket, .. }
            | S3Access::ListFolder { bucket, .. }
            | S3Access::WriteOutput { bucket, .. } => bucket,
        }
    }

    /// The resource ARN the request names: the object, or the bucket for ListBucket.
    pub fn resource(&self) -> String {
        match self {
            S3Access::ReadObject { bucket, key } | S3Access::WriteOutput { bucket, key, .. } => {
                format!("arn:aws:s3:::{bucket}/{key}")
            }
            S3Access::ListFolder { bucket, .. } => format!("arn:aws:s3:::{bucket}"),
        }
    }

    /// The job's input: an object under the folder (the first one collected, or a stand-in name) and
    /// the folder's listing.
    pub fn reads(world: &World<'_>, job: &TranslationJob) -> Option<[S3Access; 2]> {
        let (bucket, prefix) = parse_s3_uri(&job.input_data_config.s3_uri)?;
        let key = world
            .prefix(bucket, prefix)
            .and_then(|p| p.objects.first())
            .map_or_else(|| format!("{prefix}document.txt"), |o| o.key.clone());
        Some([
            S3Access::ReadObject { bucket: bucket.to_owned(), key },
            S3Access::ListFolder { bucket: bucket.to_owned(), prefix: prefix.to_owned() },
        ])
    }

    /// The job's output write: an object in its output folder, under its key. Objects differ only by
    /// name, so one stands for all.
    pub fn write(world: &World<'_>, job: &TranslationJob) -> Option<S3Access> {
        let (bucket, folder) = job.output_folder()?;
        let key_arn = world.output_key_arn(job);
        Some(S3Access::WriteOutput { bucket, key: format!("{folder}document.txt"), key_arn })
    }
}

impl World<'_> {
    /// The job's output key as a key ARN when the inventory resolves it, as written when not; `None` for
    /// the AWS managed key.
    pub fn output_key_arn(&self, job: &TranslationJob) -> Option<String> {
        let k = job.output_data_config.encryption_key.as_ref().filter(|k| !is_aws_managed_alias(&k.id))?;
        Some(match self.key(&k.id, &job.account, arn_region(&k.id).unwrap_or(&job.region)) {
            KeyLookup::Found(key) => key.arn.clone(),
            KeyLookup::Missing { .. } => k.id.clone(),
        })
    }

    /// The request `principal` makes for `access`, with the request-context model of Translate's calls.
    pub fn s3_request(&self, principal: &Principal, access: &S3Access) -> Request {
        let b = self.bucket(access.bucket());
        let bucket = requests::BucketFacts {
            region: b.and_then(|b| b.region.as_deref()),
            account: b.and_then(|b| b.account.as_deref()),
        };
        let call = match access {
            S3Access::ReadObject { .. } => requests::Call::ReadInput { list_prefix: None, bucket },
            S3Access::ListFolder { prefix, .. } => requests::Call::ReadInput { list_prefix: Some(prefix), bucket },
            S3Access::WriteOutput { key_arn, .. } => {
                requests::Call::WriteOutput { key_arn: key_arn.as_deref(), bucket }
            }
        };
        let mut ctx = requests::context(&call);
        // A data-perimeter bucket policy (aws:PrincipalOrgID, aws:ResourceOrgID) is decided when the
        // organization was read, as for keys.
        self.add_org_keys(
            &mut ctx,
            principal.account.as_deref().unwrap_or_default(),
            bucket.account.unwrap_or_default(),
        );
        Request::new(principal.clone(), access.action(), &access.resource(), ctx)
            .with_resource_account(bucket.account.map(str::to_owned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Bucket, KeyMetadata, OrgLevel, OrgPolicy, Organization};

    const A: &str = "111122223333";
    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/k1";

    fn inventory() -> Inventory {
        let key = KmsKey {
            arn: KEY.into(),
            key_id: "k1".into(),
            account: A.into(),
            region: "us-east-1".into(),
            aliases: vec!["alias/out".into()],
            metadata: Some(KeyMetadata {
                key_state: crate::vocab::KeyState::Enabled,
                key_manager: crate::vocab::KeyManager::Customer,
                ..Default::default()
            }),
            ..Default::default()
        };
        let gap = |operation, resource: &str| Gap {
            service: crate::vocab::Service::S3,
            operation,
            resource: resource.into(),
            error_code: Some("AccessDenied".into()),
            message: "denied".into(),
        };
        Inventory {
            accounts: vec![A.into()],
            keys: vec![key],
            buckets: vec![Bucket { name: "in-bucket".into(), ..Default::default() }],
            gaps: vec![
                gap(Operation::GetBucketPolicy, "arn:aws:s3:::in-bucket"),
                // Filed as the KMS collector files it.
                gap(Operation::DescribeKey, &crate::vocab::aws::KeyRef::new("k9", A, "eu-west-1").gap_resource()),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn a_key_is_found_by_every_name_in_the_account_and_region_of_what_names_it() {
        let inv = inventory();
        let w = World::new(&inv);
        for name in [KEY, "k1", "alias/out", "arn:aws:kms:us-east-1:111122223333:alias/out"] {
            assert!(matches!(w.key(name, A, "us-east-1"), KeyLookup::Found(k) if k.arn == KEY), "{name}");
        }
        // The same bare id in another region or account is another key.
        assert!(matches!(w.key("k1", A, "eu-west-1"), KeyLookup::Missing { gap: None }));
        assert!(matches!(w.key("k1", "444455556666", "us-east-1"), KeyLookup::Missing { gap: None }));
        // A key that could not be described says why.
        assert!(
            matches!(w.key("k9", A, "eu-west-1"), KeyLookup::Missing { gap: Some(g) } if g.operation == Operation::DescribeKey)
        );
    }

    #[test]
    fn a_buckets_gap_is_found_by_its_name_arn_or_uri() {
        let inv = inventory();
        let w = World::new(&inv);
        for name in ["in-bucket", "arn:aws:s3:::in-bucket", "s3://in-bucket"] {
            assert!(w.gap(name, Some(Operation::GetBucketPolicy)).is_some(), "{name}");
        }
        assert!(w.gap("in-bucket", Some(Operation::GetBucketEncryption)).is_none(), "another call's gap");
        assert_eq!(w.bucket_policy_state("in-bucket").err(), Some("the bucket policy could not be read"));
    }

    #[test]
    fn organization_layers_spare_the_management_account_and_stay_unknown_where_unread() {
        let mut inv = inventory();
        let level = |id: &str, scps: &[&str]| OrgLevel {
            id: id.into(),
            scps: Some(scps.iter().map(|s| s.to_string()).collect()),
            rcps: Some(vec![]),
        };
        let full = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        inv.organization = Some(Organization {
            id: "o-a1b2c3d4e5".into(),
            management_account: Some("999900001111".into()),
            scps_enabled: Some(true),
            paths: [(A.to_string(), vec![level("r-a1b2", &["p-full"]), level(A, &["p-full"])])].into_iter().collect(),
            policies: [(
                "p-full".to_string(),
                OrgPolicy {
                    name: "FullAWSAccess".into(),
                    kind: "SERVICE_CONTROL_POLICY".into(),
                    document: full.into(),
                },
            )]
            .into_iter()
            .collect(),
        });
        let w = World::new(&inv);
        let member = w.org_layers(A, A, false);
        assert_eq!(member.scps.as_ref().map(|l| l.len()), Some(2), "root and account");
        assert!(w.org_layers("999900001111", A, false).scps.is_some_and(|l| l.is_empty()), "the management account");
        assert!(w.org_layers("444455556666", A, false).scps.is_none(), "an account whose path was not read");
        // AWS managed keys are beyond RCPs.
        assert!(w.org_layers(A, "444455556666", true).rcps.is_some_and(|l| l.is_empty()));
        let mut ctx = crate::policy::Context::open();
        w.add_org_keys(&mut ctx, A, "444455556666");
        assert_eq!(ctx.lookup("aws:PrincipalOrgID"), crate::policy::Lookup::Present(&["o-a1b2c3d4e5".to_string()]));
        assert_eq!(
            ctx.lookup("aws:PrincipalOrgPaths"),
            crate::policy::Lookup::Present(&["o-a1b2c3d4e5/r-a1b2/".to_string()])
        );
    }
}
