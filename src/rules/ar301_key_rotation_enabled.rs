//! AR301: customer managed keys that protect Translate data rotate automatically.

use crate::vocab::Operation;
use serde_json::json;

use super::common::{gap_text, is_customer_managed, key_ref, protecting_keys};
use super::world::World;
use super::{CheckContext, Finding, Status};

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    protecting_keys(world)
        .into_iter()
        .filter(|p| is_customer_managed(p.key) != Some(false))
        .map(|p| {
            let resource = key_ref(p.key);
            let evidence = json!({"protects": p.uses, "rotation_enabled": p.key.rotation_enabled});
            let f = match (is_customer_managed(p.key), p.key.rotation_enabled) {
                (None, _) => Finding::new(
                    Status::Unknown,
                    resource,
                    "the key's metadata could not be read, so whether it is customer managed is unknown",
                ),
                (_, Some(true)) => Finding::new(Status::Pass, resource, "automatic key rotation is on"),
                (_, Some(false)) => Finding::new(Status::Fail, resource, "automatic key rotation is off"),
                (_, None) => {
                    let why = world
                        .gap(&p.key.arn, Some(Operation::GetKeyRotationStatus))
                        .map_or("it was not collected".into(), gap_text);
                    Finding::new(Status::Unknown, resource, format!("the rotation status could not be read: {why}"))
                }
            };
            f.evidence(evidence).jobs(p.jobs)
        })
        .collect()
}
