//! AR603: a terminology or parallel data key in another account lets the resource's account use it.

use crate::vocab::Operation;
use serde_json::json;

use super::common::{FIVE_KEY_ACTIONS, custom_resources, gap_text, lookup_key};
use super::requests;
use super::world::{KeyLookup, World, deciders_json};
use super::{CheckContext, Finding, ResourceRef, Status};
use crate::policy::{Outcome, PolicySet, Principal, Request, evaluate};
use crate::vocab::aws::arn_account;

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    custom_resources(world)
        .filter_map(|(r, kind)| {
            let key = r.encryption_key.as_ref()?;
            let key_account = arn_account(&key.id)?;
            if key_account == r.account {
                return None;
            }
            let resource = ResourceRef::new(kind, r.arn.clone(), Some(&r.account), Some(&r.region));
            let k = match lookup_key(world, &key.id, &r.account, &r.region) {
                KeyLookup::Found(k) => k,
                KeyLookup::Missing { gap } => {
                    let why = gap.map_or("it was not collected".to_string(), gap_text);
                    return Some(Finding::new(
                        Status::Unknown,
                        resource,
                        format!("the key {} in account {key_account} could not be read: {why}", key.id),
                    ));
                }
            };
            let policy = match world.key_policy(k) {
                Some(Ok(p)) => p,
                _ => {
                    let why = world
                        .gap(&k.arn, Some(Operation::GetKeyPolicy))
                        .map_or("it was not collected".to_string(), gap_text);
                    return Some(Finding::new(
                        Status::Unknown,
                        resource,
                        format!("the key policy of {} could not be read: {why}", k.arn),
                    ));
                }
            };
            // Translate uses the key with the permissions of the account that owns the resource.
            // An account id that is not one cannot be decided for: UNKNOWN, never a silence.
            let principal = match Principal::parse(&r.account) {
                Ok(p) => p,
                Err(e) => {
                    return Some(Finding::new(
                        Status::Unknown,
                        resource,
                        format!(
                            "the resource's account cannot be a principal ({e}): its use of the key is not decided"
                        ),
                    ));
                }
            };
            let grants = k.grants.as_deref().unwrap_or(&[]);
            let set = PolicySet { resource: Some(policy), grants, ..Default::default() };
            let mut denied = Vec::new();
            let mut open = Vec::new();
            let mut decisions = Vec::new();
            let mut keys = std::collections::BTreeSet::new();
            for action in FIVE_KEY_ACTIONS {
                let ctx = requests::context(&requests::Call::KeyForCustomResource { key: k });
                let mut request = Request::new(principal.clone(), action, &k.arn, ctx);
                // The account stands for whichever of its principals imports the resource: keys that
                // name that principal are unknown, only its account is known.
                for key in requests::CALLER_KEYS {
                    request.context.remove(key);
                }
                let d = evaluate(&request, &set);
                match d.outcome {
                    Outcome::Allowed => {}
                    Outcome::Depends => {
                        open.push(action);
                        keys.extend(d.unresolved_keys.iter().cloned());
                    }
                    _ => denied.push(action),
                }
                decisions.push(json!({"action": action, "decision": d.outcome.id(), "statements": deciders_json(&d)}));
            }
            let f = if !denied.is_empty() {
                Finding::new(
                    Status::Fail,
                    resource,
                    format!("the key policy of {} does not allow account {} {}", k.arn, r.account, denied.join(", ")),
                )
            } else if !open.is_empty() {
                Finding::new(
                    Status::Unknown,
                    resource,
                    format!(
                        "{} depend on condition keys that cannot be known: {}",
                        open.join(", "),
                        keys.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                )
            } else {
                Finding::new(
                    Status::Pass,
                    resource,
                    format!("the key policy of {} lets account {} use the key", k.arn, r.account),
                )
            };
            Some(f.evidence(json!({"key": k.arn, "decisions": decisions})))
        })
        .collect()
}
