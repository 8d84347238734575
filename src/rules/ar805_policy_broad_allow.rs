//! AR805: an identity policy does not Allow with NotAction or NotResource, nor `*`, `kms:*` or `s3:*` on
//! every resource.

use super::{DocKind, Document};
use super::{Finding, Status};
use crate::policy::Effect;

const BROAD: &[&str] = &["*", "kms:*", "s3:*"];

pub fn check(doc: &Document<'_>) -> Vec<Finding> {
    // In a key policy `Resource: "*"` means the key itself: the standard root statement is fine.
    let Ok(policy) = doc.policy else { return Vec::new() };
    if doc.kind != DocKind::IdentityPolicy {
        return Vec::new();
    }
    let resource = || doc.resource();
    let mut out = Vec::new();
    for s in policy.statements.iter().filter(|s| s.effect == Effect::Allow) {
        let label = policy.statement_label(s.index);
        if s.action.negated {
            out.push(
                Finding::new(
                    Status::Fail,
                    resource(),
                    format!("{label} allows with NotAction: it grants every other action, present and future"),
                )
                .at(doc.path, s.action.pos),
            );
        }
        if let Some(r) = s.resource.as_ref().filter(|r| r.negated) {
            out.push(
                Finding::new(
                    Status::Fail,
                    resource(),
                    format!("{label} allows with NotResource: it grants every other resource"),
                )
                .at(doc.path, r.pos),
            );
        }
        let everything = s.resource.as_ref().is_some_and(|r| !r.negated && r.patterns.iter().any(|p| p.text == "*"));
        if !s.action.negated && everything {
            for p in s.action.patterns.iter().filter(|p| BROAD.iter().any(|b| b.eq_ignore_ascii_case(&p.text))) {
                out.push(
                    Finding::new(Status::Fail, resource(), format!("{label} allows \"{}\" on every resource", p.text))
                        .at(doc.path, p.pos),
                );
            }
        }
    }
    if out.is_empty() {
        out.push(Finding::new(Status::Pass, resource(), "no broad Allow"));
    }
    out
}
