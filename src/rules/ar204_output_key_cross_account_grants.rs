//! AR204: a customer managed output key in another account is allowed by both halves: the role's IAM
//! policies on the key ARN, and the key policy to the role or its account.

use serde_json::json;

use super::common::{judge_output_keys, key_ref, unresolved_keys};
use super::world::World;
use super::{CheckContext, Finding, Status};
use crate::policy::Verdict;

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    // Keys named by an ARN in another account that could not be read are UNKNOWN: neither half can be judged.
    judge_output_keys(world, true, |u, uses| {
        let resource = key_ref(u.key);
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
                format!(
                    "whether both halves allow the key actions depends on condition keys that cannot be known: {}",
                    unresolved_keys(uses)
                ),
            )
        } else {
            Finding::new(
                Status::Pass,
                resource,
                "both the role's IAM policies and the key policy allow the five key actions across accounts",
            )
        };
        f.evidence(evidence)
    })
}
