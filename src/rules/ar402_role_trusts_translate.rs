//! AR402: the role's trust policy lets translate.amazonaws.com assume it for the job.

use std::collections::BTreeMap;

use serde_json::json;

use super::common::{job_arn, role_ref, unread_role};
use super::world::{World, deciders_json};
use super::{CheckContext, Finding, Status};
use crate::inventory::TranslationJob;
use crate::policy::{Context, Outcome, PolicySet, Principal, Request, evaluate};

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    let mut by_role: BTreeMap<&str, Vec<&TranslationJob>> = BTreeMap::new();
    for j in &world.inventory.jobs {
        by_role.entry(j.data_access_role_arn.as_str()).or_default().push(j);
    }
    let translate = Principal::parse("translate.amazonaws.com").expect("a service principal");
    by_role
        .into_iter()
        .map(|(arn, jobs)| {
            let ids: Vec<String> = jobs.iter().map(|j| j.job_id.clone()).collect();
            let Some((_, policies)) = world.role(arn) else {
                return unread_role(world, arn).jobs(ids);
            };
            let resource = role_ref(arn);
            let trust = match &policies.trust {
                Ok(t) => t,
                Err(e) => {
                    return Finding::new(Status::Unknown, resource, format!("the trust policy does not parse: {e}"))
                        .jobs(ids);
                }
            };
            let set = PolicySet { resource: Some(trust), ..Default::default() };
            let (mut denied, mut open, mut evidence) = (Vec::new(), Vec::new(), None);
            for job in &jobs {
                // Translate assumes the role with the job's account and ARN as the confused-deputy keys.
                let ctx = Context::open()
                    .with("aws:SourceAccount", [job.account.as_str()])
                    .with("aws:SourceArn", [job_arn(job)]);
                let d = evaluate(&Request::new(translate.clone(), "sts:AssumeRole", arn, ctx), &set);
                match d.outcome {
                    Outcome::Allowed => {}
                    Outcome::Depends => {
                        open.push((job.job_id.clone(), d.unresolved_keys.iter().cloned().collect::<Vec<_>>()))
                    }
                    _ => denied.push(job.job_id.clone()),
                }
                if evidence.is_none() || d.outcome != Outcome::Allowed {
                    evidence =
                        Some(json!({"decision": d.outcome.id(), "statements": deciders_json(&d), "job": job.job_id}));
                }
            }
            let f = if !denied.is_empty() {
                Finding::new(
                    Status::Fail,
                    resource,
                    format!(
                        "the trust policy does not let translate.amazonaws.com assume the role for {} job(s)",
                        denied.len()
                    ),
                )
            } else if let Some((_, keys)) = open.first() {
                Finding::new(
                    Status::Unknown,
                    resource,
                    format!("whether Translate may assume the role depends on {}", keys.join(", ")),
                )
            } else {
                Finding::new(Status::Pass, resource, "the trust policy lets translate.amazonaws.com assume the role")
            };
            f.evidence(evidence.unwrap_or_else(|| json!({}))).jobs(ids)
        })
        .collect()
}
