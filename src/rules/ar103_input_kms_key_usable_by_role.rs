//! AR103: SSE-KMS input (objects or bucket default) uses an Enabled key the role may `kms:Decrypt`.

use std::collections::BTreeMap;

use serde_json::json;

use super::common::{gap_text, job_ids, key_layer_words, key_ref, lookup_key, unresolved_key_ref};
use super::world::{KeyLookup, World, parse_s3_uri};
use super::{CheckContext, Finding, Status};
use crate::inventory::{Protects, TranslationJob};
use crate::policy::Outcome;

/// Input folders judged from an S3 Inventory report whose SSE-KMS objects' key could not all be read: the
/// key of those objects is unknown, so whether the role may decrypt them is too. A vanished object (deleted
/// since the report) is not among them: it is not at rest.
fn unsampled_keys(world: &World<'_>) -> Vec<Finding> {
    let groups = super::common::group_jobs(&world.inventory.jobs, |j| parse_s3_uri(&j.input_data_config.s3_uri));
    groups
        .into_iter()
        .filter_map(|((bucket, prefix), group)| {
            let p = world.prefix(bucket, prefix)?;
            let inv = p.inventory.as_ref()?;
            let first = inv.key_sample_failed.first()?;
            let kms: u64 = ["SSE-KMS", "DSSE-KMS"].iter().filter_map(|s| inv.by_status.get(*s)).sum();
            let why = format!(
                "{kms} input objects are SSE-KMS and HeadObject failed on {} of the sampled ones ({}: {}): their key, \
                 and whether the role may kms:Decrypt it, is unknown",
                inv.key_sample_failed.len(),
                first.key,
                first.reason
            );
            let evidence = json!({"key_sample_failed": inv.key_sample_failed, "key_sample": inv.key_sample});
            Some(
                Finding::new(Status::Unknown, super::common::prefix_ref(world, bucket, prefix), why)
                    .evidence(evidence)
                    .jobs(job_ids(&group)),
            )
        })
        .collect()
}

/// (role, key reference, job account, input bucket region).
type Use = (String, String, String, String);

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    // (role, key reference as resolved in the job's account and region) → (source, jobs)
    let mut groups: BTreeMap<Use, (&'static str, Vec<&TranslationJob>)> = BTreeMap::new();
    let jobs: std::collections::HashMap<&str, &TranslationJob> =
        world.inventory.jobs.iter().map(|j| (j.job_id.as_str(), j)).collect();
    // The input's keys where the collector read them (Inventory::key_sites): a bucket's default key and its
    // objects' keys in the bucket's account and region.
    for site in world.inventory.key_sites().into_iter().filter(|s| s.protects == Protects::Input) {
        let Some(&job) = site.job.and_then(|id| jobs.get(id)) else { continue };
        let key = (
            job.data_access_role_arn.clone(),
            site.reference.to_owned(),
            site.account.to_owned(),
            site.region.to_owned(),
        );
        let entry = groups.entry(key).or_insert((site.source, Vec::new()));
        if entry.1.last().is_none_or(|j| j.job_id != job.job_id) {
            entry.1.push(job);
        }
    }
    let unsampled = unsampled_keys(world);
    groups
        .into_iter()
        .map(|((role_arn, reference, account, region), (source, jobs))| {
            let jobs = job_ids(&jobs);
            let key = match lookup_key(world, &reference, &account, &region) {
                KeyLookup::Found(k) => k,
                KeyLookup::Missing { gap: Some(gap) } => {
                    return Finding::new(
                        Status::Unknown,
                        unresolved_key_ref(&reference, &account, &region),
                        format!("the input key {reference} could not be read: {}", gap_text(gap)),
                    )
                    .principal(role_arn)
                    .jobs(jobs);
                }
                KeyLookup::Missing { gap: None } => {
                    return Finding::new(
                        Status::Fail,
                        unresolved_key_ref(&reference, &account, &region),
                        format!("the input {source} names key {reference}, which does not exist"),
                    )
                    .principal(role_arn)
                    .jobs(jobs);
                }
            };
            let resource = key_ref(key);
            let finish = |f: Finding| f.principal(role_arn.clone()).jobs(jobs.clone());
            match key.metadata.as_ref().map(|m| &m.key_state) {
                None => {
                    return finish(Finding::new(Status::Unknown, resource, "the input key's state could not be read"));
                }
                Some(crate::vocab::KeyState::Enabled) => {}
                Some(state) => {
                    return finish(Finding::new(
                        Status::Fail,
                        resource,
                        format!("the input key is {state}: Translate cannot decrypt the input"),
                    ));
                }
            }
            let Some((role, policies)) = world.role(&role_arn) else {
                return finish(Finding::new(
                    Status::Unknown,
                    resource,
                    "the job's role was not collected, so its permissions are unknown",
                ));
            };
            match world.role_key_use(role, policies, key, &["kms:Decrypt"], &region) {
                Err(why) => finish(Finding::new(Status::Unknown, resource, why)),
                Ok(uses) => {
                    let u = &uses[0];
                    let evidence = json!({"source": source, "reference": reference, "decisions": [u.evidence]});
                    let f = match u.outcome {
                        Outcome::Allowed => {
                            Finding::new(Status::Pass, resource, "the role may kms:Decrypt the input key")
                        }
                        Outcome::Depends => Finding::new(
                            Status::Unknown,
                            resource,
                            format!(
                                "whether the role may kms:Decrypt the input key depends on {}",
                                u.unresolved.join(", ")
                            ),
                        ),
                        Outcome::ExplicitDeny => Finding::new(
                            Status::Fail,
                            resource,
                            "an explicit Deny stops the role from kms:Decrypt on the input key",
                        ),
                        Outcome::ImplicitDeny => Finding::new(
                            Status::Fail,
                            resource,
                            format!(
                                "nothing allows the role kms:Decrypt on the input key (not allowed by {})",
                                u.missing.iter().map(|&l| key_layer_words(l)).collect::<Vec<_>>().join(" and ")
                            ),
                        ),
                    };
                    finish(f.evidence(evidence))
                }
            }
        })
        .chain(unsampled)
        .collect()
}
