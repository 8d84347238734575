//! AR203: the role may perform each of the five key actions on the customer managed output key.

use serde_json::json;

use super::common::{judge_output_keys, key_layer_words, key_ref, unresolved_keys};
use super::world::World;
use super::{CheckContext, Finding, Status};
use crate::policy::Outcome;

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    judge_output_keys(world, false, |u, uses| {
        let resource = key_ref(u.key);
        let evidence = json!({
            "reference": u.reference,
            "decisions": uses.iter().map(|x| &x.evidence).collect::<Vec<_>>(),
        });
        let denied: Vec<String> = uses
            .iter()
            .filter(|x| matches!(x.outcome, Outcome::ImplicitDeny | Outcome::ExplicitDeny))
            .map(|x| match x.outcome {
                Outcome::ExplicitDeny if !x.denied_by.is_empty() => {
                    format!("{} (explicitly denied by {})", x.action, x.denied_by.join(" and "))
                }
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
            Finding::new(Status::Fail, resource, format!("the role cannot use the output key: {}", denied.join(", ")))
        } else if !open.is_empty() {
            Finding::new(
                Status::Unknown,
                resource,
                format!("{} depend on condition keys that cannot be known: {}", open.join(", "), unresolved_keys(uses)),
            )
        } else {
            Finding::new(Status::Pass, resource, "the role may perform all five key actions on the output key")
        };
        f.evidence(evidence)
    })
}
