//! AR101: the input bucket has a default encryption rule (SSE-S3, SSE-KMS or DSSE-KMS).

use crate::vocab::Operation;
use serde_json::json;

use super::common::{bucket_ref, group_jobs, job_ids, unread};
use super::world::{World, parse_s3_uri};
use super::{CheckContext, Finding, Status};

/// SSE-S3 or stronger (encryption-at-rest.md): AES256, or a KMS key.
fn accepted(algorithm: &str) -> bool {
    algorithm == "AES256" || crate::vocab::aws::is_sse_kms(algorithm)
}

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    let groups = group_jobs(&world.inventory.jobs, |j| parse_s3_uri(&j.input_data_config.s3_uri).map(|(b, _)| b));
    groups
        .into_iter()
        .map(|(name, jobs)| {
            let resource = bucket_ref(world, name);
            let jobs = job_ids(&jobs);
            let gap = world.gap(name, Some(Operation::GetBucketEncryption));
            let finding = match (world.bucket(name), gap) {
                (_, Some(gap)) => unread(resource, "the bucket's default encryption", gap),
                (None, None) => Finding::new(Status::Unknown, resource, "the input bucket was not collected"),
                (Some(b), None) if b.encryption_rules.is_empty() => {
                    Finding::new(Status::Fail, resource, "the input bucket has no default encryption configuration")
                }
                (Some(b), None) => {
                    let rules = json!({"encryption_rules": b.encryption_rules});
                    match b.encryption_rules.iter().find(|r| accepted(&r.sse_algorithm)) {
                        Some(r) => {
                            Finding::new(Status::Pass, resource, format!("default encryption is {}", r.sse_algorithm))
                                .evidence(rules)
                        }
                        None => Finding::new(
                            Status::Fail,
                            resource,
                            "the default encryption rule names no SSE-S3, SSE-KMS or DSSE-KMS algorithm",
                        )
                        .evidence(rules),
                    }
                }
            };
            finding.jobs(jobs)
        })
        .collect()
}
