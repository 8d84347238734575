//! AR206 (strict): the output bucket's default encryption is SSE-KMS.

use serde_json::json;

use super::common::{bucket_ref, gap_json, gap_text, group_jobs, job_ids};
use super::world::{World, parse_s3_uri};
use super::{CheckContext, Finding, Status};

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    let groups = group_jobs(&world.inventory.jobs, |j| parse_s3_uri(&j.output_data_config.s3_uri).map(|(b, _)| b));
    groups
        .into_iter()
        .map(|(name, jobs)| {
            let resource = bucket_ref(world, name);
            let jobs = job_ids(&jobs);
            if let Some(gap) = world.bucket_gap(name, Some("GetBucketEncryption")) {
                return Finding::new(
                    Status::Unknown,
                    resource,
                    format!("the bucket's default encryption could not be read: {}", gap_text(gap)),
                )
                .evidence(json!({"gap": gap_json(gap)}))
                .jobs(jobs);
            }
            let Some(b) = world.bucket(name) else {
                return Finding::new(Status::Unknown, resource, "the output bucket was not collected").jobs(jobs);
            };
            let evidence = json!({"encryption_rules": b.encryption_rules});
            let f = if b.encryption_rules.iter().any(|r| r.sse_algorithm.starts_with("aws:kms")) {
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
