//! AR102: every input object is encrypted server-side, and none with SSE-C.

use serde_json::json;

use super::common::{empty_folder, group_jobs, job_ids, prefix_ref, unread};
use super::world::{World, parse_s3_uri};
use super::{CheckContext, Finding, Status};
use crate::inventory::S3Object;

/// How many offending keys the message names; the evidence lists them all.
const NAMED: usize = 5;

fn fault(o: &S3Object) -> Option<&'static str> {
    if o.sse_c {
        Some("SSE-C")
    } else {
        match o.sse_algorithm.as_deref() {
            None => Some("not encrypted"),
            Some("AES256" | "aws:kms" | "aws:kms:dsse") => None,
            Some(_) => Some("unknown algorithm"),
        }
    }
}

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    let groups = group_jobs(&world.inventory.jobs, |j| parse_s3_uri(&j.input_data_config.s3_uri));
    groups
        .into_iter()
        .map(|((bucket, prefix), jobs)| {
            let resource = prefix_ref(world, bucket, prefix);
            let jobs = job_ids(&jobs);
            let uri = format!("s3://{bucket}/{prefix}");
            if let Some(gap) = world.gap(&uri, None) {
                return unread(resource, "the input objects", gap).jobs(jobs);
            }
            let Some(p) = world.prefix(bucket, prefix) else {
                return Finding::new(Status::Unknown, resource, "the input objects were not collected").jobs(jobs);
            };
            if p.objects.is_empty() {
                return empty_folder(resource, p, "input", "").jobs(jobs);
            }
            let bad: Vec<(&str, &str)> =
                p.objects.iter().filter_map(|o| fault(o).map(|f| (o.key.as_str(), f))).collect();
            let evidence = json!({
                "coverage": p.coverage,
                "objects_checked": p.objects.len(),
                "total_objects": p.total_objects,
                "offending": bad.iter().map(|(k, f)| json!({"key": k, "fault": f})).collect::<Vec<_>>(),
            });
            let scope = match p.coverage {
                crate::inventory::Coverage::Sampled => " (a sample)",
                _ => "",
            };
            if bad.is_empty() {
                Finding::new(
                    Status::Pass,
                    resource,
                    format!("all {} objects checked{scope} are encrypted server-side", p.objects.len()),
                )
            } else {
                let named: Vec<String> = bad.iter().take(NAMED).map(|(k, f)| format!("{k} ({f})")).collect();
                Finding::new(
                    Status::Fail,
                    resource,
                    format!(
                        "{} of {} objects checked{scope} are not encrypted with SSE-S3 or SSE-KMS: {}",
                        bad.len(),
                        p.objects.len(),
                        named.join(", ")
                    ),
                )
            }
            .evidence(evidence)
            .jobs(jobs)
        })
        .collect()
}
