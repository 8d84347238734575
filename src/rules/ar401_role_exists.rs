//! AR401: the job's service role exists.

use crate::vocab::Operation;
use serde_json::json;

use super::common::{gap_json, gap_text, group_jobs, job_ids, role_ref};
use super::world::World;
use super::{CheckContext, Finding, Status};

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    group_jobs(&world.inventory.jobs, |j| Some(j.data_access_role_arn.as_str()))
        .into_iter()
        .map(|(arn, jobs)| {
            let resource = role_ref(arn);
            let jobs = job_ids(&jobs);
            let f = if world.role(arn).is_some() {
                Finding::new(Status::Pass, resource, "the role exists")
            } else {
                match world.gap(arn, Some(Operation::GetRole)).or_else(|| world.gap(arn, None)) {
                    Some(g) if g.error_code.as_deref() == Some("NoSuchEntity") => Finding::new(
                        Status::Fail,
                        resource,
                        "the job's role does not exist (IAM answered NoSuchEntity)",
                    )
                    .evidence(json!({"gap": gap_json(g)})),
                    Some(g) => {
                        Finding::new(Status::Unknown, resource, format!("the role could not be read: {}", gap_text(g)))
                            .evidence(json!({"gap": gap_json(g)}))
                    }
                    None => Finding::new(Status::Unknown, resource, "the role was not collected"),
                }
            };
            f.jobs(jobs)
        })
        .collect()
}
