//! AR806: condition operators and condition keys are real ones.

use super::Document;
use super::{Finding, Status};
use crate::policy::catalogue::{catalogue, nearest};
use crate::policy::condition::{Family, OPERATORS};

/// The operator names AWS accepts, with their set and IfExists forms.
static OPERATOR_NAMES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(operator_names);

fn operator_names() -> Vec<String> {
    let mut names = Vec::new();
    for (base, family, _) in OPERATORS {
        for set in ["", "ForAnyValue:", "ForAllValues:"] {
            if *family == Family::Null && !set.is_empty() {
                continue;
            }
            names.push(format!("{set}{base}"));
            if *family != Family::Null {
                names.push(format!("{set}{base}IfExists"));
            }
        }
    }
    names
}

pub fn check(doc: &Document<'_>) -> Vec<Finding> {
    let Ok(policy) = doc.policy else { return Vec::new() };
    let resource = || doc.resource();
    let names = &*OPERATOR_NAMES;
    let mut out = Vec::new();
    let mut seen_operators = std::collections::BTreeSet::new();
    for s in &policy.statements {
        for c in &s.conditions {
            if c.operator.family == Family::Unknown && seen_operators.insert((s.index, c.operator_pos)) {
                let hint = nearest(&c.operator.name, names.iter().map(String::as_str))
                    .map(|n| format!("; did you mean {n}?"))
                    .unwrap_or_default();
                out.push(
                    Finding::new(
                        Status::Fail,
                        resource(),
                        format!("\"{}\" is not a condition operator{hint}", c.operator.name),
                    )
                    .at(doc.path, c.operator_pos),
                );
            }
            match catalogue().check_condition_key(&c.key) {
                // A key one edit or so from a real one is a misspelling: it never matches what AWS sends.
                Some(Err(Some(near))) => out.push(
                    Finding::new(
                        Status::Fail,
                        resource(),
                        format!("\"{}\" is not a condition key; did you mean {near}?", c.key),
                    )
                    .at(doc.path, c.key_pos),
                ),
                // Far from every listed key: AWS's own policies use keys the reference does not list
                // (aws:PrincipalOrgMasterAccountId), so absent from the reference is not proof of a typo.
                Some(Err(None)) => out.push(
                    Finding::new(
                        Status::NotVerifiable,
                        resource(),
                        format!(
                            "\"{}\" is not in the Service Authorization Reference (as of {}) and is close to no key \
                             it lists: check that the service documents it",
                            c.key,
                            catalogue().updated_at.get(..10).unwrap_or(&catalogue().updated_at)
                        ),
                    )
                    .at(doc.path, c.key_pos),
                ),
                _ => {}
            }
        }
    }
    if out.is_empty() {
        out.push(Finding::new(Status::Pass, resource(), "every condition operator and key is a real one"));
    }
    out
}
