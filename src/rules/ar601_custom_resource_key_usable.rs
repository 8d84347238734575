//! AR601: a terminology or parallel data names a key that exists and is Enabled.

use serde_json::json;

use super::common::{custom_resources, gap_text, lookup_key};
use super::world::{KeyLookup, World};
use super::{CheckContext, Finding, ResourceRef, Status};

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    custom_resources(world)
        .filter_map(|(r, kind)| {
            let key = r.encryption_key.as_ref()?;
            let resource = ResourceRef::new(kind, r.arn.clone(), Some(&r.account), Some(&r.region));
            let f = match lookup_key(world, &key.id, &r.account, &r.region) {
                KeyLookup::Missing { gap: Some(g) } => Finding::new(
                    Status::Unknown,
                    resource,
                    format!("the key {} could not be read: {}", key.id, gap_text(g)),
                ),
                KeyLookup::Missing { gap: None } => {
                    Finding::new(Status::Fail, resource, format!("the key {} does not exist", key.id))
                }
                KeyLookup::Found(k) => match k.metadata.as_ref().map(|m| &m.key_state) {
                    None => {
                        Finding::new(Status::Unknown, resource, format!("the state of key {} could not be read", k.arn))
                    }
                    Some(crate::vocab::KeyState::Enabled) => {
                        Finding::new(Status::Pass, resource, format!("the key {} is Enabled", k.arn))
                    }
                    Some(s) => Finding::new(Status::Fail, resource, format!("the key {} is {s}", k.arn)),
                },
            };
            Some(f.evidence(json!({"encryption_key": key.id})))
        })
        .collect()
}
