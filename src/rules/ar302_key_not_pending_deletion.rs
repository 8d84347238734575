//! AR302: no key that protects Translate data is pending deletion or disabled.

use crate::vocab::KeyState;
use serde_json::json;

use super::common::{key_ref, protecting_keys};
use super::world::World;
use super::{CheckContext, Finding, Status};

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    protecting_keys(world)
        .into_iter()
        .map(|p| {
            let resource = key_ref(p.key);
            let state = p.key.metadata.as_ref().map(|m| &m.key_state);
            let evidence = json!({
                "protects": p.uses,
                "key_state": state,
                "deletion_date": p.key.metadata.as_ref().and_then(|m| m.deletion_date.as_deref()),
            });
            let f = match state {
                None => Finding::new(Status::Unknown, resource, "the key's state (DescribeKey) could not be read"),
                Some(KeyState::Enabled) => Finding::new(Status::Pass, resource, "the key is Enabled"),
                Some(s @ (KeyState::PendingDeletion | KeyState::PendingReplicaDeletion | KeyState::Disabled)) => {
                    Finding::new(
                        Status::Fail,
                        resource,
                        format!("the key is {s}: the {} it protects becomes unreadable", p.uses.join(", ")),
                    )
                }
                Some(s) => Finding::new(Status::Unknown, resource, format!("the key is in state {s}")),
            };
            f.evidence(evidence).jobs(p.jobs)
        })
        .collect()
}
