//! AR501: no Deny in the output bucket policy matches Translate's SSE-KMS PutObject as the job makes it.

use crate::vocab::Operation;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::common::{bucket_ref, gap_text};
use super::world::{S3Access, World, deciders_json};
use super::{CheckContext, Finding, Status};
use crate::policy::{Outcome, Policy, PolicySet, Principal, evaluate};

/// Allows everything, so the evaluation answers only "does a Deny stop it?".
const ALLOW_ALL: &str = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// (role, key ARN or None for the AWS managed key, output URI).
type Write = (String, Option<String>, String);

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    let allow_all = Policy::parse("(every identity permission)", ALLOW_ALL).expect("a valid policy");
    // bucket → (role, key, output URI) → (the write, jobs). Jobs differ in their output folder only by job
    // id; the first job's write stands for them all.
    let mut by_bucket: BTreeMap<String, BTreeMap<Write, (S3Access, Vec<String>)>> = BTreeMap::new();
    for j in &world.inventory.jobs {
        let Some(write) = S3Access::write(world, j) else {
            continue;
        };
        let S3Access::WriteOutput { bucket, key_arn, .. } = &write else {
            continue;
        };
        let group = (j.data_access_role_arn.clone(), key_arn.clone(), j.output_data_config.s3_uri.clone());
        by_bucket
            .entry(bucket.clone())
            .or_default()
            .entry(group)
            .or_insert_with(|| (write.clone(), Vec::new()))
            .1
            .push(j.job_id.clone());
    }
    by_bucket
        .into_iter()
        .map(|(bucket, uses)| {
            let resource = bucket_ref(world, &bucket);
            let jobs: Vec<String> = uses.values().flat_map(|(_, jobs)| jobs.iter().cloned()).collect();
            if let Some(g) = world.gap(&bucket, Some(Operation::GetBucketPolicy)) {
                return Finding::new(
                    Status::Unknown,
                    resource,
                    format!("the bucket policy could not be read: {}", gap_text(g)),
                )
                .jobs(jobs);
            }
            let policy = match world.bucket_policy(&bucket) {
                None if world.bucket(&bucket).is_some() => {
                    return Finding::new(Status::Pass, resource, "the output bucket has no bucket policy").jobs(jobs);
                }
                None => {
                    return Finding::new(Status::Unknown, resource, "the output bucket was not collected").jobs(jobs);
                }
                Some(Err(e)) => {
                    return Finding::new(Status::Unknown, resource, format!("the bucket policy does not parse: {e}"))
                        .jobs(jobs);
                }
                Some(Ok(p)) => p,
            };
            let (mut denied, mut open, mut evidence) = (BTreeSet::new(), BTreeSet::new(), Vec::new());
            for ((role, key, _), (write, _)) in &uses {
                let principal = match Principal::parse(role) {
                    Ok(p) => p,
                    Err(e) => {
                        open.insert(format!("{role} ({e})"));
                        continue;
                    }
                };
                let request = world.s3_request(&principal, write);
                let set = PolicySet { identity: vec![&allow_all], resource: Some(policy), ..Default::default() };
                let d = evaluate(&request, &set);
                let what = format!("{role} with {}", key.as_deref().unwrap_or("the AWS managed key"));
                match d.outcome {
                    Outcome::ExplicitDeny => {
                        denied.insert(what.clone());
                    }
                    Outcome::Depends => {
                        open.insert(format!(
                            "{what} (depends on {})",
                            d.unresolved_keys.iter().cloned().collect::<Vec<_>>().join(", ")
                        ));
                    }
                    _ => {}
                }
                if d.outcome != Outcome::Allowed {
                    evidence.push(
                        json!({"role": role, "key": key, "decision": d.outcome.id(), "statements": deciders_json(&d)}),
                    );
                }
            }
            let f = if !denied.is_empty() {
                Finding::new(
                    Status::Fail,
                    resource,
                    format!(
                        "the bucket policy denies Translate's SSE-KMS PutObject for {}",
                        denied.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                )
            } else if !open.is_empty() {
                Finding::new(
                    Status::Unknown,
                    resource,
                    format!(
                        "a Deny in the bucket policy may apply: {}",
                        open.into_iter().collect::<Vec<_>>().join("; ")
                    ),
                )
            } else {
                Finding::new(
                    Status::Pass,
                    resource,
                    "no Deny in the bucket policy matches Translate's SSE-KMS PutObject",
                )
            };
            f.evidence(json!({"decisions": evidence})).jobs(jobs)
        })
        .collect()
}
