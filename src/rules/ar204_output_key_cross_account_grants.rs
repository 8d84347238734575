//! AR204: a customer managed output key in another account is allowed by both halves: the role's IAM
//! policies on the key ARN, and the key policy to the role or its account.

use serde_json::json;

use super::common::{key_ref, output_key_uses, unreadable_output_keys};
use super::world::World;
use super::{CheckContext, Finding, Status};
use crate::policy::Verdict;
use crate::vocab::aws::arn_account;

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    let mut findings = judged(world);
    // Keys named by an ARN in another account that could not be read: neither half can be judged.
    findings.extend(unreadable_output_keys(world, true));
    findings
}

fn judged(world: &World<'_>) -> Vec<Finding> {
    output_key_uses(world)
        .into_iter()
        .filter(|u| arn_account(&u.role_arn).is_some_and(|a| a != u.key.account))
        .map(|u| {
            let resource = key_ref(u.key);
            let finish = |f: Finding| f.principal(u.role_arn.clone()).jobs(u.jobs.clone());
            let uses = match u.five_key_uses(world) {
                Ok(uses) => uses,
                Err(unknown) => return *unknown,
            };
            let lacking = |pick: fn(&crate::rules::world::KeyUse) -> &Verdict| -> (Vec<&str>, Vec<&str>) {
                let no = uses.iter().filter(|x| pick(x).is_no()).map(|x| x.action).collect();
                let open = uses.iter().filter(|x| matches!(pick(x), Verdict::Depends(_))).map(|x| x.action).collect();
                (no, open)
            };
            let (iam_no, iam_open) = lacking(|x| &x.identity);
            let (kp_no, kp_open) = lacking(|x| &x.key_policy);
            let evidence = json!({
                "key_account": u.key.account,
                "iam_policy_lacks": iam_no,
                "key_policy_lacks": kp_no,
                "decisions": uses.iter().map(|x| &x.evidence).collect::<Vec<_>>(),
            });
            let mut faults = Vec::new();
            if !iam_no.is_empty() {
                faults.push(format!("the role's IAM policies do not allow {} on {}", iam_no.join(", "), u.key.arn));
            }
            if !kp_no.is_empty() {
                faults.push(format!("the key policy does not allow {} to the role or its account", kp_no.join(", ")));
            }
            let f = if !faults.is_empty() {
                Finding::new(Status::Fail, resource, faults.join("; "))
            } else if !iam_open.is_empty() || !kp_open.is_empty() {
                Finding::new(
                    Status::Unknown,
                    resource,
                    "whether both halves allow the key actions depends on conditions that cannot be known",
                )
            } else {
                Finding::new(
                    Status::Pass,
                    resource,
                    "both the role's IAM policies and the key policy allow the five key actions across accounts",
                )
            };
            finish(f.evidence(evidence))
        })
        .collect()
}
