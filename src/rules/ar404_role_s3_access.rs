//! AR404: the role's own policies let it read the input (GetObject, ListBucket) and write the output (PutObject).
//!
//! The role's identity policies within its boundary decide; a bucket policy counts as a further grant
//! (it is needed across accounts, and may grant the role within one). A bucket-policy Deny of the output
//! write is AR501's to report, so it is left out here: one cause, one finding.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::common::{role_ref, unread_role};
use super::world::{S3Access, World, deciders_json};
use super::{CheckContext, Finding, Status};
use crate::policy::{Decider, Effect, Layer, Outcome, Policy, PolicySet, Principal, evaluate};

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    // Per role, the distinct requests its jobs make, each decided once.
    let mut by_role: BTreeMap<&str, (BTreeSet<S3Access>, Vec<String>)> = BTreeMap::new();
    for j in &world.inventory.jobs {
        let entry = by_role.entry(j.data_access_role_arn.as_str()).or_default();
        entry.0.extend(S3Access::reads(world, j).into_iter().flatten());
        entry.0.extend(S3Access::write(world, j));
        entry.1.push(j.job_id.clone());
    }
    by_role.into_iter().map(|(arn, (accesses, jobs))| judge(world, arn, &accesses).jobs(jobs)).collect()
}

fn judge(world: &World<'_>, arn: &str, accesses: &BTreeSet<S3Access>) -> Finding {
    let resource = role_ref(arn);
    let unknown = |why: String| Finding::new(Status::Unknown, resource.clone(), why);
    let Some((role, policies)) = world.role(arn) else {
        return unread_role(world, arn);
    };
    let principal = match Principal::parse(&role.arn) {
        Ok(p) => p,
        Err(e) => return unknown(e),
    };
    let boundary = match &policies.boundary {
        Some(Ok(b)) => Some(b),
        Some(Err(e)) => return unknown(format!("the permissions boundary could not be used: {e}")),
        None => None,
    };
    if accesses.is_empty() {
        return unknown("no job of the role names an S3 URI that parses".into());
    }
    let identity: Vec<&Policy> = policies.identity.iter().collect();
    let (mut denied, mut open, mut decisions) = (BTreeSet::new(), BTreeSet::new(), Vec::new());
    for access in accesses {
        let what = format!("{} on {}", access.action(), access.resource());
        let bucket_policy = match world.bucket_policy_state(access.bucket()) {
            Ok(p) => p,
            Err(why) => {
                open.insert(format!("{what} ({why})"));
                continue;
            }
        };
        let allows_only;
        let bucket_policy = match (access, bucket_policy) {
            (S3Access::WriteOutput { .. }, Some(p)) => {
                allows_only = without_denies(p);
                Some(&allows_only)
            }
            (_, p) => p,
        };
        let request = world.s3_request(&principal, access);
        // The SCPs of the role's account and the RCPs of the bucket's (unknown owner: not evaluated, said so).
        let bucket_account = world.bucket(access.bucket()).and_then(|b| b.account.as_deref());
        let org = world.org_layers(&role.account, bucket_account.unwrap_or_default(), false);
        let set = PolicySet {
            identity: identity.clone(),
            boundary,
            resource: bucket_policy,
            scps: org.scps.as_deref(),
            rcps: org.rcps.as_deref(),
            ..Default::default()
        };
        let d = evaluate(&request, &set);
        match d.outcome {
            // An unread identity policy may hold a Deny: an allow is not certain.
            Outcome::Allowed if !policies.unreadable.is_empty() => {
                open.insert(format!("{what} (some of the role's policies could not be read)"));
            }
            Outcome::Allowed => {}
            Outcome::Depends => {
                let keys: Vec<&str> = d.unresolved_keys.iter().map(String::as_str).collect();
                open.insert(format!("{what} (depends on {})", keys.join(", ")));
            }
            Outcome::ImplicitDeny if !policies.unreadable.is_empty() => {
                open.insert(format!("{what} (some of the role's policies could not be read)"));
            }
            Outcome::ExplicitDeny => {
                let by: Vec<String> = d
                    .deciding
                    .iter()
                    .filter_map(|x| match x {
                        Decider::Statement { layer: Layer::Scp | Layer::Rcp, policy, statement }
                            if statement.effect == Effect::Deny =>
                        {
                            Some(policy.source.clone())
                        }
                        _ => None,
                    })
                    .collect();
                if by.is_empty() {
                    denied.insert(format!("{what} (explicitly denied)"));
                } else {
                    denied.insert(format!("{what} (explicitly denied by {})", by.join(", ")));
                }
            }
            Outcome::ImplicitDeny => {
                let layers: Vec<&str> = d.missing.iter().map(|l| l.name()).collect();
                denied.insert(format!("{what} (not allowed by {})", layers.join(" and ")));
            }
        }
        if d.outcome != Outcome::Allowed && decisions.len() < 10 {
            decisions.push(json!({
                "action": access.action(),
                "resource": access.resource(),
                "decision": d.outcome.id(),
                "statements": deciders_json(&d),
                "unresolved_keys": d.unresolved_keys,
            }));
        }
    }
    let evidence = json!({"denied": denied, "undecided": open, "decisions": decisions});
    let list = |s: BTreeSet<String>| s.into_iter().collect::<Vec<_>>().join("; ");
    let f = if !denied.is_empty() {
        Finding::new(Status::Fail, resource, format!("the role may not: {}", list(denied)))
    } else if !open.is_empty() {
        Finding::new(Status::Unknown, resource, format!("undecided: {}", list(open)))
    } else {
        Finding::new(Status::Pass, resource, "the role may read the input and write the output of its jobs")
    };
    f.evidence(evidence)
}

/// The policy's Allow statements only.
fn without_denies(policy: &Policy) -> Policy {
    Policy {
        statements: policy.statements.iter().filter(|s| s.effect == Effect::Allow).cloned().collect(),
        ..policy.clone()
    }
}
