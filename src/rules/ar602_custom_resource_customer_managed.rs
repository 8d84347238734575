//! AR602 (strict): a terminology or parallel data uses a customer managed key, not the AWS owned key.

use serde_json::json;

use super::common::custom_resources;
use super::world::World;
use super::{CheckContext, Finding, ResourceRef, Status};

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    custom_resources(world)
        .map(|(r, kind)| {
            let resource = ResourceRef::new(kind, r.arn.clone(), Some(&r.account), Some(&r.region));
            match &r.encryption_key {
                None => Finding::new(
                    Status::Fail,
                    resource,
                    "encrypted with the AWS owned key: name a customer managed key",
                ),
                Some(k) => Finding::new(Status::Pass, resource, format!("encrypted with key {}", k.id))
                    .evidence(json!({"encryption_key": k.id})),
            }
        })
        .collect()
}
