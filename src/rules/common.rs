//! Helpers the rules share: resource references, job grouping, gap wording.

use std::collections::BTreeMap;

use crate::inventory::{Gap, KmsKey, TranslationJob};

use super::ResourceRef;
use super::world::{KeyLookup, World};
use crate::vocab::aws::arn_account;
pub use crate::vocab::aws::{arn_region, is_aws_managed_alias, unresolved_key_ref};

pub fn job_arn(job: &TranslationJob) -> String {
    format!("arn:aws:translate:{}:{}:text-translation-job/{}", job.region, job.account, job.job_id)
}

pub fn key_ref(key: &KmsKey) -> ResourceRef {
    ResourceRef::new(crate::vocab::ResourceKind::KmsKey, key.arn.clone(), Some(&key.account), Some(&key.region))
}

pub fn bucket_ref(world: &World<'_>, name: &str) -> ResourceRef {
    let b = world.bucket(name);
    ResourceRef::new(
        crate::vocab::ResourceKind::S3Bucket,
        format!("arn:aws:s3:::{name}"),
        b.and_then(|b| b.account.as_deref()),
        b.and_then(|b| b.region.as_deref()),
    )
}

pub fn prefix_ref(world: &World<'_>, bucket: &str, prefix: &str) -> ResourceRef {
    let b = world.bucket(bucket);
    ResourceRef::new(
        crate::vocab::ResourceKind::S3Prefix,
        format!("s3://{bucket}/{prefix}"),
        b.and_then(|b| b.account.as_deref()),
        b.and_then(|b| b.region.as_deref()),
    )
}

/// UNKNOWN of `rule` for a job's role that is not in the inventory: a rule about the role still answers
/// for it, naming the failed read (or AR401 when nothing says why).
pub fn unread_role(world: &World<'_>, arn: &str) -> super::Finding {
    let why = world.gap(arn, None).map_or("it was not collected (see AR401)".to_string(), gap_text);
    super::Finding::new(super::Status::Unknown, role_ref(arn), format!("the role could not be read: {why}"))
}

pub fn role_ref(arn: &str) -> ResourceRef {
    let account = crate::vocab::aws::arn_account(arn);
    ResourceRef::new(crate::vocab::ResourceKind::IamRole, arn, account, None)
}

pub fn gap_text(gap: &Gap) -> String {
    format!(
        "{} {} on {} failed{}: {}",
        gap.service,
        gap.operation,
        gap.resource,
        gap.error_code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(),
        gap.message
    )
}

pub fn gap_json(gap: &Gap) -> serde_json::Value {
    serde_json::to_value(gap).unwrap_or_default()
}

/// The result for a folder with no object headers: PASS when the listing found nothing (an empty folder
/// stores nothing, encrypted or not), UNKNOWN when objects were listed but none of their headers read.
/// `which` is "input" or "output"; `note` follows "holds no objects" (the job's status).
pub fn empty_folder(
    resource: ResourceRef,
    p: &crate::inventory::ObjectPrefix,
    which: &str,
    note: &str,
) -> super::Finding {
    let evidence = serde_json::json!({"coverage": p.coverage, "objects_checked": 0, "total_objects": p.total_objects});
    let f = if p.total_objects.unwrap_or(0) == 0 {
        super::Finding::new(
            super::Status::Pass,
            resource,
            format!("the {which} folder holds no objects{note}: nothing is at rest there"),
        )
    } else {
        super::Finding::new(
            super::Status::Unknown,
            resource,
            format!("objects were listed in the {which} folder but none of their headers were read"),
        )
    };
    f.evidence(evidence)
}

/// UNKNOWN because a read failed: `what` could not be read, with the failed read as evidence.
pub fn unread(resource: ResourceRef, what: &str, gap: &Gap) -> super::Finding {
    super::Finding::new(super::Status::Unknown, resource, format!("{what} could not be read: {}", gap_text(gap)))
        .evidence(serde_json::json!({"gap": gap_json(gap)}))
}

/// Groups jobs by a key the rule reports on, keeping the jobs each group serves.
pub fn group_jobs<'a, K: Ord>(
    jobs: &'a [TranslationJob],
    mut key: impl FnMut(&'a TranslationJob) -> Option<K>,
) -> BTreeMap<K, Vec<&'a TranslationJob>> {
    let mut groups: BTreeMap<K, Vec<&TranslationJob>> = BTreeMap::new();
    for job in jobs {
        if let Some(k) = key(job) {
            groups.entry(k).or_default().push(job);
        }
    }
    groups
}

pub fn job_ids(jobs: &[&TranslationJob]) -> Vec<String> {
    jobs.iter().map(|j| j.job_id.clone()).collect()
}

/// The key a reference names, resolved in the account and region of whoever names it; for ARNs, the
/// ARN's own region.
pub fn lookup_key<'a>(world: &World<'a>, reference: &str, account: &str, region: &str) -> KeyLookup<'a> {
    let region = arn_region(reference).unwrap_or(region);
    world.key(reference, account, region)
}

/// Whether a key is customer managed; `None` when its metadata is unknown.
pub fn is_customer_managed(key: &KmsKey) -> Option<bool> {
    key.metadata.as_ref().map(|m| m.key_manager == crate::vocab::KeyManager::Customer)
}

/// The five KMS actions a customer managed output key must allow the role (async-prereqs.md).
pub const FIVE_KEY_ACTIONS: [&str; 5] =
    ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"];

/// A job role's use of a resolved output key, with the jobs it serves.
pub struct OutputKeyUse<'a> {
    pub role_arn: String,
    pub key: &'a KmsKey,
    pub region: String,
    pub reference: String,
    pub jobs: Vec<String>,
}

impl OutputKeyUse<'_> {
    /// Decides the five key actions for the role; a finding of `rule` saying UNKNOWN (with principal
    /// and jobs) when the role or the key policy cannot be read.
    pub fn five_key_uses(&self, world: &World<'_>) -> Result<Vec<super::world::KeyUse>, Box<super::Finding>> {
        let unknown = |why: String| {
            Box::new(
                super::Finding::new(super::Status::Unknown, key_ref(self.key), why)
                    .principal(self.role_arn.clone())
                    .jobs(self.jobs.clone()),
            )
        };
        let Some((role, policies)) = world.role(&self.role_arn) else {
            return Err(unknown("the job's role was not collected, so its permissions are unknown".into()));
        };
        world.role_key_use(role, policies, self.key, &FIVE_KEY_ACTIONS, &self.region).map_err(unknown)
    }
}

/// Every (role, output key) pair of jobs whose output key resolves to a key that is not AWS managed.
/// Unresolvable keys are AR202's to report.
pub fn output_key_uses<'a>(world: &World<'a>) -> Vec<OutputKeyUse<'a>> {
    let groups = group_jobs(&world.inventory.jobs, |j| {
        let k = j.output_data_config.encryption_key.as_ref()?;
        if is_aws_managed_alias(&k.id) {
            return None;
        }
        match lookup_key(world, &k.id, &j.account, &j.region) {
            KeyLookup::Found(key) if is_customer_managed(key) != Some(false) => {
                Some((j.data_access_role_arn.as_str(), key.arn.as_str(), j.region.as_str()))
            }
            _ => None,
        }
    });
    groups
        .into_iter()
        .filter_map(|((role, key_arn, region), jobs)| {
            let KeyLookup::Found(key) = world.key(key_arn, "", "") else {
                return None;
            };
            let reference =
                jobs[0].output_data_config.encryption_key.as_ref().map(|k| k.id.clone()).unwrap_or_default();
            Some(OutputKeyUse {
                role_arn: role.to_owned(),
                key,
                region: region.to_owned(),
                reference,
                jobs: job_ids(&jobs),
            })
        })
        .collect()
}

/// Judges every (role, customer managed output key) pair of the jobs with `judge`, given the five key
/// decisions; a pair whose role or key policy cannot be read is UNKNOWN, and a key that could not be read
/// at all gets an UNKNOWN result too. `cross_account_only` keeps keys in another account than the role's.
pub fn judge_output_keys(
    world: &World<'_>,
    cross_account_only: bool,
    judge: impl Fn(&OutputKeyUse<'_>, &[super::world::KeyUse]) -> super::Finding,
) -> Vec<super::Finding> {
    let mut out: Vec<super::Finding> = output_key_uses(world)
        .into_iter()
        .filter(|u| !cross_account_only || arn_account(&u.role_arn).is_some_and(|a| a != u.key.account))
        .map(|u| match u.five_key_uses(world) {
            Ok(uses) => judge(&u, &uses).principal(u.role_arn.clone()).jobs(u.jobs.clone()),
            Err(unknown) => *unknown,
        })
        .collect();
    out.extend(unreadable_output_keys(world, cross_account_only));
    out
}

/// The condition keys that left some of `uses` undecided, once each.
pub fn unresolved_keys(uses: &[super::world::KeyUse]) -> String {
    let mut keys: Vec<&str> = uses.iter().flat_map(|x| x.unresolved.iter().map(String::as_str)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.join(", ")
}

/// UNKNOWN findings of `rule`, one per (role, key reference), for output keys that are not AWS managed
/// and could not be resolved: the key, its policy and its grants are all unknown. `cross_account_only`
/// keeps the keys named by an ARN in another account than the job's.
fn unreadable_output_keys(world: &World<'_>, cross_account_only: bool) -> Vec<super::Finding> {
    let groups = group_jobs(&world.inventory.jobs, |j| {
        let k = j.output_data_config.encryption_key.as_ref()?;
        if is_aws_managed_alias(&k.id) {
            return None;
        }
        let key_account = crate::vocab::aws::arn_account(&k.id).unwrap_or(&j.account);
        if cross_account_only && key_account == j.account {
            return None;
        }
        let why = match lookup_key(world, &k.id, &j.account, &j.region) {
            KeyLookup::Found(_) => return None,
            KeyLookup::Missing { gap: Some(g) } => gap_text(g),
            KeyLookup::Missing { gap: None } if key_account == j.account => {
                "no such key was found (see AR202)".to_string()
            }
            KeyLookup::Missing { gap: None } => "it was not collected".to_string(),
        };
        Some((j.data_access_role_arn.as_str(), k.id.as_str(), key_account, j.region.as_str(), why))
    });
    groups
        .into_iter()
        .map(|((role, reference, key_account, region, why), jobs)| {
            super::Finding::new(
                super::Status::Unknown,
                unresolved_key_ref(reference, key_account, region),
                format!("the output key {reference} in account {key_account} could not be read: {why}"),
            )
            .principal(role.to_owned())
            .jobs(job_ids(&jobs))
        })
        .collect()
}

/// A key that protects Translate data, with what it protects.
pub struct ProtectingKey<'a> {
    pub key: &'a KmsKey,
    pub jobs: Vec<String>,
    /// `output`, `input`, `terminology`, `parallel data`.
    pub uses: Vec<&'static str>,
}

/// Every key in the inventory that protects Translate data: job output keys, input object and input
/// bucket default keys, and custom resource keys. References that resolve to nothing are left to the
/// rules about those references.
pub fn protecting_keys<'a>(world: &World<'a>) -> Vec<ProtectingKey<'a>> {
    use crate::inventory::Protects;
    let mut found: BTreeMap<&'a str, (&'a KmsKey, Vec<String>, Vec<&'static str>)> = BTreeMap::new();
    // The sites the collector read the keys for (Inventory::key_sites): what Translate's data is under.
    // The output bucket's default and its objects' keys are AR205's and AR206's, not keys of the job.
    for site in world.inventory.key_sites().into_iter().filter(|s| s.protects != Protects::OutputObjects) {
        if let KeyLookup::Found(k) = lookup_key(world, site.reference, site.account, site.region) {
            let e = found.entry(k.arn.as_str()).or_insert((k, Vec::new(), Vec::new()));
            if let Some(j) = site.job {
                e.1.push(j.to_owned());
            }
            let what = site.protects.word();
            if !e.2.contains(&what) {
                e.2.push(what);
            }
        }
    }
    found
        .into_values()
        .map(|(key, mut jobs, uses)| {
            jobs.sort();
            jobs.dedup();
            ProtectingKey { key, jobs, uses }
        })
        .collect()
}

/// Every terminology and parallel data resource, with its result type.
pub fn custom_resources<'a>(
    world: &World<'a>,
) -> impl Iterator<Item = (&'a crate::inventory::CustomResource, crate::vocab::ResourceKind)> {
    use crate::vocab::ResourceKind;
    let inv = world.inventory;
    inv.terminologies
        .iter()
        .map(|r| (r, ResourceKind::TranslateTerminology))
        .chain(inv.parallel_data.iter().map(|r| (r, ResourceKind::TranslateParallelData)))
}

/// Names a missing layer the way a key's owner thinks of it.
pub fn key_layer_words(layer: crate::policy::Layer) -> &'static str {
    use crate::policy::Layer;
    match layer {
        Layer::Identity => "the role's IAM policies",
        Layer::Boundary => "the role's permissions boundary",
        Layer::ResourcePrincipal | Layer::ResourceDirect | Layer::ResourceAccount | Layer::Grants => "the key policy",
        Layer::Scp => "a service control policy",
        Layer::Rcp => "a resource control policy",
    }
}

/// The report a prefix was judged from, for messages: "the S3 Inventory report of 2026-11-30T00:00:00Z".
pub fn inventory_label(inv: &crate::inventory::InventoryEvidence) -> String {
    format!("the S3 Inventory report of {}", inv.created_at)
}

/// The evidence of a prefix judged from an inventory report: the report's summary, the HeadObject sample.
pub fn inventory_evidence(
    p: &crate::inventory::ObjectPrefix,
    inv: &crate::inventory::InventoryEvidence,
) -> serde_json::Value {
    serde_json::json!({
        "coverage": p.coverage,
        "objects_checked": inv.objects,
        "inventory": inv,
        "headers_read": p.objects.len(),
    })
}

/// Why the report cannot decide a prefix that shows no fault: files it could not read, or objects it does
/// not list that a listing found.
pub fn inventory_incomplete(inv: &crate::inventory::InventoryEvidence, which: &str) -> Option<String> {
    if let Some(first) = inv.unread_files.first() {
        return Some(format!(
            "{} of the files of {} could not be read ({}: {}); the {} objects it counted under the {which} folder \
             may not be all there are",
            inv.unread_files.len(),
            inventory_label(inv),
            first.key,
            first.reason,
            inv.objects
        ));
    }
    if inv.objects == 0 && inv.listed_now {
        return Some(format!(
            "{} lists no objects under the {which} folder, but a listing during the scan found some: they are \
             newer than the report",
            inventory_label(inv)
        ));
    }
    None
}

/// Counts of the statuses that fail a rule, as "NOT-SSE: 3, SSE-C: 1".
pub fn status_counts(inv: &crate::inventory::InventoryEvidence, bad: impl Fn(&str) -> bool) -> (u64, String) {
    let faults: Vec<(&String, &u64)> = inv.by_status.iter().filter(|(s, _)| bad(s)).collect();
    let total = faults.iter().map(|(_, n)| **n).sum();
    (total, faults.iter().map(|(s, n)| format!("{s}: {n}")).collect::<Vec<_>>().join(", "))
}

/// The first keys of the failing statuses, as "key (NOT-SSE)".
pub fn status_examples(
    inv: &crate::inventory::InventoryEvidence,
    bad: impl Fn(&str) -> bool,
    most: usize,
) -> Vec<String> {
    let mut named = Vec::new();
    for (status, keys) in inv.examples.iter().filter(|(s, _)| bad(s)) {
        // "other" examples carry the values as counted in by_status.
        named.extend(keys.iter().map(|k| format!("{k} ({status})")));
    }
    named.truncate(most);
    named
}
