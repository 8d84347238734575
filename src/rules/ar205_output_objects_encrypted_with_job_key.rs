//! AR205: output objects are SSE-KMS (or DSSE-KMS), under the job's own key when it names one.

use serde_json::json;

use super::common::{empty_folder, is_aws_managed_alias, job_arn, lookup_key, prefix_ref, unread};
use super::world::{KeyLookup, World};
use super::{CheckContext, Finding, ResourceRef, Status};

const NAMED: usize = 5;

/// A key reference resolved to a key ARN when the inventory knows the key; else as given.
fn resolve(world: &World<'_>, reference: &str, account: &str, region: &str) -> String {
    match lookup_key(world, reference, account, region) {
        KeyLookup::Found(k) => k.arn.clone(),
        KeyLookup::Missing { .. } => reference.to_owned(),
    }
}

/// Compares key references after resolving: a bare key id equals the ARN that ends with it.
fn same_key(a: &str, b: &str) -> bool {
    let tail = |s: &str| s.rsplit_once("key/").map_or(s.to_owned(), |(_, id)| id.to_owned());
    a == b || tail(a) == tail(b)
}

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    world
        .inventory
        .jobs
        .iter()
        .map(|job| {
            let Some((bucket, prefix)) = job.output_folder() else {
                let resource = ResourceRef::new("translate-job", job_arn(job), Some(&job.account), Some(&job.region));
                let why = format!("the output URI {:?} is not an s3:// URI", job.output_data_config.s3_uri);
                return Finding::new(Status::Unknown, resource, why).jobs(vec![job.job_id.clone()]);
            };
            let resource = prefix_ref(world, &bucket, &prefix);
            let jobs = vec![job.job_id.clone()];
            let uri = format!("s3://{bucket}/{prefix}");
            if let Some(gap) = world.gap(&uri, None) {
                return unread(resource, "the output objects", gap).jobs(jobs);
            }
            let Some(p) = world.prefix(&bucket, &prefix) else {
                return Finding::new(Status::Unknown, resource, "the output objects were not collected").jobs(jobs);
            };
            if p.objects.is_empty() {
                let status = job.job_status.as_deref().unwrap_or("unknown");
                return empty_folder(resource, p, "output", &format!(" (job status {status})")).jobs(jobs);
            }
            let job_key = job
                .output_data_config
                .encryption_key
                .as_ref()
                .filter(|k| !is_aws_managed_alias(&k.id))
                .map(|k| resolve(world, &k.id, &job.account, &job.region));
            let mut bad = Vec::new();
            for o in &p.objects {
                match (o.sse_algorithm.as_deref(), &job_key) {
                    (Some("aws:kms" | "aws:kms:dsse"), None) => {}
                    (Some("aws:kms" | "aws:kms:dsse"), Some(expected)) => {
                        let actual = o.kms_key_id.as_deref().map(|k| resolve(world, k, &job.account, &job.region));
                        match actual {
                            Some(a) if same_key(&a, expected) => {}
                            Some(a) => bad.push(format!("{} (encrypted with {a}, not the job key)", o.key)),
                            None => bad.push(format!("{} (SSE-KMS without a reported key id)", o.key)),
                        }
                    }
                    (Some(other), _) => bad.push(format!("{} ({other}, not SSE-KMS)", o.key)),
                    (None, _) if o.sse_c => bad.push(format!("{} (SSE-C)", o.key)),
                    (None, _) => bad.push(format!("{} (not encrypted)", o.key)),
                }
            }
            let evidence = json!({
                "coverage": p.coverage,
                "objects_checked": p.objects.len(),
                "job_key": job_key,
                "offending": bad,
            });
            let f = if bad.is_empty() {
                Finding::new(
                    Status::Pass,
                    resource,
                    format!("all {} output objects checked are SSE-KMS under the expected key", p.objects.len()),
                )
            } else {
                let named: Vec<&str> = bad.iter().take(NAMED).map(String::as_str).collect();
                Finding::new(
                    Status::Fail,
                    resource,
                    format!(
                        "{} of {} output objects are not encrypted as the job requires: {}",
                        bad.len(),
                        p.objects.len(),
                        named.join(", ")
                    ),
                )
            };
            f.evidence(evidence).jobs(jobs)
        })
        .collect()
}
