//! AR701: the input S3 URI is a folder, not a bucket root.

use super::common::{group_jobs, job_ids, prefix_ref};
use super::world::{World, parse_s3_uri};
use super::{CheckContext, Finding, ResourceRef, Status};

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    group_jobs(&world.inventory.jobs, |j| Some(j.input_data_config.s3_uri.as_str()))
        .into_iter()
        .map(|(uri, jobs)| {
            let jobs = job_ids(&jobs);
            match parse_s3_uri(uri) {
                None => Finding::new(
                    Status::Fail,
                    ResourceRef::new(crate::vocab::ResourceKind::S3Prefix, uri, None, None),
                    format!("{uri} is not an s3:// URI"),
                ),
                Some((bucket, prefix)) if prefix.trim_matches('/').is_empty() => Finding::new(
                    Status::Fail,
                    prefix_ref(world, bucket, prefix),
                    "the input is the bucket root: Translate requires the input files in a folder",
                ),
                Some((bucket, prefix)) => {
                    Finding::new(Status::Pass, prefix_ref(world, bucket, prefix), "the input is a folder")
                }
            }
            .jobs(jobs)
        })
        .collect()
}
