//! AR702: the input and output buckets are in the job's region.

use crate::vocab::Operation;
use std::collections::BTreeMap;

use serde_json::json;

use super::common::{bucket_ref, gap_text};
use super::world::{World, parse_s3_uri};
use super::{CheckContext, Finding, Status};

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    // bucket → (job id, job region)
    let mut by_bucket: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for j in &world.inventory.jobs {
        for uri in [&j.input_data_config.s3_uri, &j.output_data_config.s3_uri] {
            if let Some((b, _)) = parse_s3_uri(uri) {
                by_bucket.entry(b).or_default().push((&j.job_id, &j.region));
            }
        }
    }
    by_bucket
        .into_iter()
        .map(|(name, uses)| {
            let resource = bucket_ref(world, name);
            let mut jobs: Vec<String> = uses.iter().map(|(j, _)| j.to_string()).collect();
            jobs.dedup();
            let Some(region) = world.bucket(name).and_then(|b| b.region.as_deref()) else {
                let why = world
                    .gap(name, Some(Operation::GetBucketLocation))
                    .map_or("it was not collected".to_string(), gap_text);
                return Finding::new(Status::Unknown, resource, format!("the bucket's region is unknown: {why}"))
                    .jobs(jobs);
            };
            let mut elsewhere: Vec<String> =
                uses.iter().filter(|(_, r)| *r != region).map(|(j, r)| format!("{j} ({r})")).collect();
            elsewhere.dedup();
            let f = if elsewhere.is_empty() {
                Finding::new(Status::Pass, resource, format!("the bucket is in {region}, the region of its jobs"))
            } else {
                Finding::new(
                    Status::Fail,
                    resource,
                    format!("the bucket is in {region} but jobs ran elsewhere: {}", elsewhere.join(", ")),
                )
            };
            f.evidence(json!({"bucket_region": region})).jobs(jobs)
        })
        .collect()
}
