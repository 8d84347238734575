//! AR205: output objects are SSE-KMS (or DSSE-KMS), under the job's own key when it names one.

use crate::vocab::aws::is_sse_kms;
use serde_json::json;

use super::common::{
    empty_folder, inventory_evidence, inventory_incomplete, inventory_label, is_aws_managed_alias, job_arn, lookup_key,
    prefix_ref, status_counts, status_examples, unread,
};
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
                let resource = ResourceRef::new(
                    crate::vocab::ResourceKind::TranslateJob,
                    job_arn(job),
                    Some(&job.account),
                    Some(&job.region),
                );
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
            let job_key = job
                .output_data_config
                .encryption_key
                .as_ref()
                .filter(|k| !is_aws_managed_alias(&k.id))
                .map(|k| resolve(world, &k.id, &job.account, &job.region));
            if let Some(inv) = &p.inventory {
                let wrong_keys = key_faults(world, job, p, job_key.as_deref());
                return from_inventory(resource, p, inv, job, job_key.as_deref(), wrong_keys).jobs(jobs);
            }
            if p.objects.is_empty() {
                let status = job.job_status.as_deref().unwrap_or("unknown");
                return empty_folder(resource, p, "output", &format!(" (job status {status})")).jobs(jobs);
            }
            let mut bad = Vec::new();
            for o in &p.objects {
                match (o.sse_algorithm.as_deref(), &job_key) {
                    (Some(a), None) if is_sse_kms(a) => {}
                    (Some(a), Some(expected)) if is_sse_kms(a) => {
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

/// Objects whose headers name a key other than the job's (or none).
fn key_faults(
    world: &World<'_>,
    job: &crate::inventory::TranslationJob,
    p: &crate::inventory::ObjectPrefix,
    expected: Option<&str>,
) -> Vec<String> {
    let Some(expected) = expected else { return Vec::new() };
    p.objects
        .iter()
        .filter(|o| o.sse_algorithm.as_deref().is_some_and(is_sse_kms))
        .filter_map(|o| match o.kms_key_id.as_deref().map(|k| resolve(world, k, &job.account, &job.region)) {
            Some(a) if same_key(&a, expected) => None,
            Some(a) => Some(format!("{} (encrypted with {a}, not the job key)", o.key)),
            None => Some(format!("{} (SSE-KMS without a reported key id)", o.key)),
        })
        .collect()
}

fn not_kms(status: &str) -> bool {
    !matches!(status, "SSE-KMS" | "DSSE-KMS")
}

/// Every output object's encryption type, from the S3 Inventory report; its key from the HeadObject sample,
/// since the report names none. A report that began before the job ended cannot prove the job's output.
fn from_inventory(
    resource: ResourceRef,
    p: &crate::inventory::ObjectPrefix,
    inv: &crate::inventory::InventoryEvidence,
    job: &crate::inventory::TranslationJob,
    job_key: Option<&str>,
    wrong_keys: Vec<String>,
) -> Finding {
    let mut evidence = inventory_evidence(p, inv);
    evidence["job_key"] = json!(job_key);
    evidence["offending_headers"] = json!(wrong_keys);
    let report = inventory_label(inv);
    let (bad, counts) = status_counts(inv, not_kms);
    if bad > 0 || !wrong_keys.is_empty() {
        let mut parts = Vec::new();
        if bad > 0 {
            let named = status_examples(inv, not_kms, NAMED);
            parts.push(format!(
                "{bad} of {} output objects in {report} are not SSE-KMS ({counts}): {}",
                inv.objects,
                named.join(", ")
            ));
        }
        if !wrong_keys.is_empty() {
            let named: Vec<&str> = wrong_keys.iter().take(NAMED).map(String::as_str).collect();
            parts.push(format!(
                "HeadObject found {} of {} SSE-KMS objects read not under the job key: {}",
                wrong_keys.len(),
                p.objects.len(),
                named.join(", ")
            ));
        }
        return Finding::new(Status::Fail, resource, parts.join("; ")).evidence(evidence);
    }
    if let Some(why) = inventory_incomplete(inv, "output") {
        return Finding::new(Status::Unknown, resource, why).evidence(evidence);
    }
    let report_at = crate::vocab::time::parse_date(&inv.created_at);
    let ended = job.end_time.as_deref().and_then(crate::vocab::time::parse_date);
    match (report_at, ended) {
        (Some(at), Some(end)) if at >= end => {}
        (_, None) => {
            let status = job.job_status.as_deref().unwrap_or("unknown");
            let why = format!(
                "the job has no end time (status {status}): {report} cannot prove output the job may still write"
            );
            return Finding::new(Status::Unknown, resource, why).evidence(evidence);
        }
        _ => {
            let why = format!(
                "{report} began before the job ended ({}): it cannot prove the job's output; audit with a report \
                 delivered after the job",
                job.end_time.as_deref().unwrap_or_default()
            );
            return Finding::new(Status::Unknown, resource, why).evidence(evidence);
        }
    }
    if inv.objects == 0 {
        let status = job.job_status.as_deref().unwrap_or("unknown");
        let why = format!(
            "{report} lists no objects in the output folder (job status {status}), nor does a listing now: nothing \
             is at rest there"
        );
        return Finding::new(Status::Pass, resource, why).evidence(evidence);
    }
    let Some(key) = job_key else {
        let why = format!("all {} output objects in {report} are SSE-KMS", inv.objects);
        return Finding::new(Status::Pass, resource, why).evidence(evidence);
    };
    if let Some(first) = inv.key_sample_failed.first() {
        let why = format!(
            "all {} output objects in {report} are SSE-KMS, but HeadObject failed on {} of the sampled objects \
             ({}: {}): whether their key is the job key {key} is unknown",
            inv.objects,
            inv.key_sample_failed.len(),
            first.key,
            first.reason
        );
        return Finding::new(Status::Unknown, resource, why).evidence(evidence);
    }
    if p.objects.is_empty() {
        let why = format!(
            "all {} output objects in {report} are SSE-KMS, but the report does not name their key and no \
             HeadObject sample was read (--objects {}): whether it is the job key {key} is unknown",
            inv.objects, inv.key_sample
        );
        return Finding::new(Status::Unknown, resource, why).evidence(evidence);
    }
    let why = format!(
        "all {} output objects in {report} are SSE-KMS; HeadObject confirmed the job key on {} of them ({})",
        inv.objects,
        p.objects.len(),
        inv.key_sample
    );
    Finding::new(Status::Pass, resource, why).evidence(evidence)
}
