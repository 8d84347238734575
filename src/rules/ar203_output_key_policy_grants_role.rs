//! AR203: the role may perform each of the five key actions on the customer managed output key.

use serde_json::json;

use super::common::{key_layer_words, key_ref, output_key_uses, unreadable_output_keys};
use super::world::World;
use super::{CheckContext, Finding, Status};
use crate::policy::Outcome;

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    let mut findings = judged(world);
    // A key that could not be read (DescribeKey refused, alias unresolved) still gets a result.
    findings.extend(unreadable_output_keys(world, false));
    findings
}

fn judged(world: &World<'_>) -> Vec<Finding> {
    output_key_uses(world)
        .into_iter()
        .map(|u| {
            let resource = key_ref(u.key);
            let finish = |f: Finding| f.principal(u.role_arn.clone()).jobs(u.jobs.clone());
            let uses = match u.five_key_uses(world) {
                Ok(uses) => uses,
                Err(unknown) => return *unknown,
            };
            let evidence = json!({
                "reference": u.reference,
                "decisions": uses.iter().map(|x| &x.evidence).collect::<Vec<_>>(),
            });
            let denied: Vec<String> = uses
                .iter()
                .filter(|x| matches!(x.outcome, Outcome::ImplicitDeny | Outcome::ExplicitDeny))
                .map(|x| match x.outcome {
                    Outcome::ExplicitDeny => format!("{} (explicitly denied)", x.action),
                    _ => format!(
                        "{} (not allowed by {})",
                        x.action,
                        x.missing.iter().map(|&l| key_layer_words(l)).collect::<Vec<_>>().join(" and ")
                    ),
                })
                .collect();
            let open: Vec<&str> = uses.iter().filter(|x| x.outcome == Outcome::Depends).map(|x| x.action).collect();
            let f = if !denied.is_empty() {
                Finding::new(
                    Status::Fail,
                    resource,
                    format!("the role cannot use the output key: {}", denied.join(", ")),
                )
            } else if !open.is_empty() {
                let mut keys: Vec<&str> = uses.iter().flat_map(|x| x.unresolved.iter().map(String::as_str)).collect();
                keys.sort_unstable();
                keys.dedup();
                Finding::new(
                    Status::Unknown,
                    resource,
                    format!("{} depend on condition keys that cannot be known: {}", open.join(", "), keys.join(", ")),
                )
            } else {
                Finding::new(Status::Pass, resource, "the role may perform all five key actions on the output key")
            };
            finish(f.evidence(evidence))
        })
        .collect()
}
