//! AR303: no key policy that protects Translate data allows everyone without a limiting condition.

use serde_json::json;

use super::common::{key_ref, protecting_keys};
use super::world::World;
use super::{CheckContext, Finding, Status};
use crate::policy::Effect;
use crate::policy::document::{PrincipalType, Statement};

/// Condition keys that limit who can use a key to known accounts, organizations or callers.
const LIMITING_KEYS: &[&str] = &[
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:userid",
    "kms:calleraccount",
];

/// An Allow that names everyone (`"*"` or `{"AWS": "*"}`) without a condition that limits it.
pub fn is_public(statement: &Statement) -> bool {
    if statement.effect != Effect::Allow {
        return false;
    }
    let Some(p) = &statement.principal else {
        return false;
    };
    if p.negated {
        return true;
    }
    let everyone = p.everyone || p.entries.iter().any(|e| e.kind == PrincipalType::Aws && e.value == "*");
    everyone
        && !statement.conditions.iter().any(|c| {
            LIMITING_KEYS.contains(&c.key.to_lowercase().as_str())
                && !c.operator.negated
                && !c.operator.if_exists
                && c.values.iter().all(|v| v != "*")
        })
}

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    protecting_keys(world)
        .into_iter()
        .map(|p| {
            let resource = key_ref(p.key);
            let f = match world.key_policy(p.key) {
                None => Finding::new(Status::Unknown, resource, "the key policy could not be read"),
                Some(Err(e)) => Finding::new(Status::Unknown, resource, format!("the key policy does not parse: {e}")),
                Some(Ok(policy)) => {
                    let public: Vec<_> = policy.statements.iter().filter(|s| is_public(s)).collect();
                    if public.is_empty() {
                        Finding::new(Status::Pass, resource, "no key policy statement allows everyone without a limiting condition")
                    } else {
                        let labels: Vec<String> = public.iter().map(|s| policy.statement_label(s.index)).collect();
                        Finding::new(Status::Fail, resource, format!("the key policy allows everyone without a condition limiting it to known accounts: {}", labels.join(", ")))
                            .evidence(json!({"statements": public.iter().map(|s| json!({"statement": s.index, "sid": s.sid, "line": s.pos.line})).collect::<Vec<_>>()}))
                    }
                }
            };
            f.jobs(p.jobs)
        })
        .collect()
}
