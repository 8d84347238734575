//! AR206 (strict): the output bucket's default encryption is SSE-KMS.

use crate::vocab::Operation;
use serde_json::json;

use super::common::{bucket_ref, group_jobs, job_ids, unread};
use super::world::{World, parse_s3_uri};
use super::{CheckContext, Finding, Status};

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    let groups = group_jobs(&world.inventory.jobs, |j| parse_s3_uri(&j.output_data_config.s3_uri).map(|(b, _)| b));
    groups
        .into_iter()
        .map(|(name, jobs)| {
            let resource = bucket_ref(world, name);
            let jobs = job_ids(&jobs);
            if let Some(gap) = world.gap(name, Some(Operation::GetBucketEncryption)) {
                return unread(resource, "the bucket's default encryption", gap).jobs(jobs);
            }
            let Some(b) = world.bucket(name) else {
                return Finding::new(Status::Unknown, resource, "the output bucket was not collected").jobs(jobs);
            };
            let evidence = json!({"encryption_rules": b.encryption_rules});
            let f = if b.encryption_rules.iter().any(|r| crate::vocab::aws::is_sse_kms(&r.sse_algorithm)) {
                Finding::new(Status::Pass, resource, "the output bucket's default encryption is SSE-KMS")
            } else if b.encryption_rules.is_empty() {
                Finding::new(Status::Fail, resource, "the output bucket has no default encryption configuration")
            } else {
                Finding::new(Status::Fail, resource, "the output bucket's default encryption is not SSE-KMS")
            };
            f.evidence(evidence).jobs(jobs)
        })
        .collect()
}
