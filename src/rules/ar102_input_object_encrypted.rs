//! AR102: every input object is encrypted server-side, and none with SSE-C.

use serde_json::json;

use super::common::{
    empty_folder, group_jobs, inventory_evidence, inventory_incomplete, inventory_label, job_ids, prefix_ref,
    status_counts, status_examples, unread,
};
use super::world::{World, parse_s3_uri};
use super::{CheckContext, Finding, Status};
use crate::inventory::{InventoryEvidence, ObjectPrefix, S3Object, TranslationJob};

/// How many offending keys the message names; the evidence lists them all.
const NAMED: usize = 5;

fn fault(o: &S3Object) -> Option<&'static str> {
    if o.sse_c {
        Some("SSE-C")
    } else {
        match o.sse_algorithm.as_deref() {
            None => Some("not encrypted"),
            Some(a) if a == "AES256" || crate::vocab::aws::is_sse_kms(a) => None,
            Some(_) => Some("unknown algorithm"),
        }
    }
}

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    let groups = group_jobs(&world.inventory.jobs, |j| parse_s3_uri(&j.input_data_config.s3_uri));
    groups
        .into_iter()
        .map(|((bucket, prefix), group)| {
            let resource = prefix_ref(world, bucket, prefix);
            let jobs = job_ids(&group);
            let uri = format!("s3://{bucket}/{prefix}");
            if let Some(gap) = world.gap(&uri, None) {
                return unread(resource, "the input objects", gap).jobs(jobs);
            }
            let Some(p) = world.prefix(bucket, prefix) else {
                return Finding::new(Status::Unknown, resource, "the input objects were not collected").jobs(jobs);
            };
            if let Some(inv) = &p.inventory {
                return from_inventory(resource, p, inv, &group).jobs(jobs);
            }
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

/// A status that is not server-side encryption with S3 or KMS keys.
fn bad_status(status: &str) -> bool {
    !matches!(status, "SSE-S3" | "SSE-KMS" | "DSSE-KMS")
}

/// Every input object, from the prefix's S3 Inventory report: a fault it lists fails; a report that could not
/// be read whole, or older than a job's submission (what was uploaded since is not in it), cannot pass.
fn from_inventory(
    resource: super::ResourceRef,
    p: &ObjectPrefix,
    inv: &InventoryEvidence,
    jobs: &[&TranslationJob],
) -> Finding {
    let evidence = inventory_evidence(p, inv);
    let report = inventory_label(inv);
    let (bad, counts) = status_counts(inv, bad_status);
    if bad > 0 {
        let named = status_examples(inv, bad_status, NAMED);
        return Finding::new(
            Status::Fail,
            resource,
            format!(
                "{bad} of {} objects in {report} are not encrypted with SSE-S3 or SSE-KMS ({counts}): {}",
                inv.objects,
                named.join(", ")
            ),
        )
        .evidence(evidence);
    }
    if let Some(why) = inventory_incomplete(inv, "input") {
        return Finding::new(Status::Unknown, resource, why).evidence(evidence);
    }
    let report_at = crate::vocab::time::parse_date(&inv.created_at);
    let latest = jobs
        .iter()
        .filter_map(|j| j.submitted_time.as_deref().and_then(|t| crate::vocab::time::parse_date(t).map(|s| (s, j, t))))
        .max_by_key(|(s, _, _)| *s);
    if let (Some(at), Some((submitted, job, text))) = (report_at, latest)
        && at < submitted
    {
        return Finding::new(
            Status::Unknown,
            resource,
            format!(
                "{report} predates job {}'s submission ({text}): objects uploaded since are not in it, and the \
                 {} it lists are all encrypted",
                job.job_id, inv.objects
            ),
        )
        .evidence(evidence);
    }
    if inv.objects == 0 {
        return Finding::new(
            Status::Pass,
            resource,
            format!(
                "{report} lists no objects under the input folder, nor does a listing now: nothing is at rest there"
            ),
        )
        .evidence(evidence);
    }
    let (_, good) = status_counts(inv, |s| !bad_status(s));
    Finding::new(
        Status::Pass,
        resource,
        format!("all {} objects in {report} are encrypted server-side ({good})", inv.objects),
    )
    .evidence(evidence)
}
