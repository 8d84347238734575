//! AR807: no Allow with `Principal: "*"` (or `{"AWS": "*"}`) and no condition limiting it.

use super::Document;
use super::ar303_key_policy_no_public_principal::is_public;
use super::{Finding, Status};

pub fn check(doc: &Document<'_>) -> Vec<Finding> {
    let Ok(policy) = doc.policy else { return Vec::new() };
    let resource = || doc.resource();
    let mut out: Vec<Finding> = policy
        .statements
        .iter()
        .filter(|s| is_public(s))
        .map(|s| {
            let pos = s.principal.as_ref().map_or(s.pos, |p| p.pos);
            Finding::new(Status::Fail,
                resource(),
                format!(
                    "{} allows everyone: name the principals, or add a condition on aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceAccount or kms:CallerAccount",
                    policy.statement_label(s.index)
                ),
            )
            .at(doc.path, pos)
        })
        .collect();
    if out.is_empty() && policy.statements.iter().any(|s| s.principal.is_some()) {
        out.push(Finding::new(Status::Pass, resource(), "no statement allows everyone without a limiting condition"));
    }
    out
}
