//! AR403: the statement trusting Translate limits it with aws:SourceAccount or aws:SourceArn naming the
//! job account.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::common::{role_ref, unread_role};
use super::world::World;
use super::{CheckContext, Finding, Status};
use crate::policy::Effect;
use crate::policy::document::{PrincipalType, Statement};

fn trusts_translate(s: &Statement) -> bool {
    s.effect == Effect::Allow
        && s.principal.as_ref().is_some_and(|p| {
            !p.negated
                && (p.everyone
                    || p.entries.iter().any(|e| {
                        e.kind == PrincipalType::Service && e.value.eq_ignore_ascii_case("translate.amazonaws.com")
                    }))
        })
}

/// The accounts a SourceAccount or SourceArn value names; `None` for a wildcard account.
fn named_account(key: &str, value: &str) -> Option<String> {
    if key == "aws:sourceaccount" {
        return (!value.contains('*') && !value.contains('?')).then(|| value.to_owned());
    }
    let account = crate::vocab::aws::Arn::parse(value)?.account;
    (!account.is_empty() && !account.contains('*') && !account.contains('?')).then(|| account.to_owned())
}

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    let mut by_role: BTreeMap<&str, (BTreeSet<&str>, Vec<String>)> = BTreeMap::new();
    for j in &world.inventory.jobs {
        let e = by_role.entry(j.data_access_role_arn.as_str()).or_default();
        e.0.insert(j.account.as_str());
        e.1.push(j.job_id.clone());
    }
    by_role
        .into_iter()
        .filter_map(|(arn, (accounts, jobs))| {
            let Some((_, policies)) = world.role(arn) else {
                return Some(unread_role(world, arn).jobs(jobs));
            };
            let resource = role_ref(arn);
            let trust = match &policies.trust {
                Ok(t) => t,
                Err(e) => {
                    return Some(
                        Finding::new(Status::Unknown, resource, format!("the trust policy does not parse: {e}"))
                            .jobs(jobs),
                    );
                }
            };
            let mut faults = Vec::new();
            let mut checked = 0;
            for s in trust.statements.iter().filter(|s| trusts_translate(s)) {
                checked += 1;
                let label = trust.statement_label(s.index);
                let deputy: Vec<_> = s
                    .conditions
                    .iter()
                    .filter(|c| {
                        matches!(c.key.to_lowercase().as_str(), "aws:sourceaccount" | "aws:sourcearn")
                            && !c.operator.negated
                    })
                    .collect();
                if deputy.is_empty() {
                    faults.push(format!("{label} has no aws:SourceAccount or aws:SourceArn condition"));
                    continue;
                }
                for c in deputy {
                    let key = c.key.to_lowercase();
                    for v in &c.values {
                        if let Some(a) = named_account(&key, v).filter(|a| !accounts.contains(a.as_str())) {
                            faults.push(format!("{label}: {} names account {a}, not the job account", c.key));
                        }
                    }
                }
            }
            if checked == 0 {
                // AR402 reports a trust policy that does not trust Translate at all.
                return None;
            }
            let evidence = json!({"job_accounts": accounts, "faults": faults});
            let f = if faults.is_empty() {
                Finding::new(Status::Pass, resource, "the statement trusting Translate is limited to the job account")
            } else {
                Finding::new(Status::Fail, resource, faults.join("; "))
            };
            Some(f.evidence(evidence).jobs(jobs))
        })
        .collect()
}
