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
            if let Some(Err(near)) = catalogue().check_condition_key(&c.key) {
                let hint = near.map(|n| format!("; did you mean {n}?")).unwrap_or_default();
                out.push(
                    Finding::new(Status::Fail, resource(), format!("\"{}\" is not a condition key{hint}", c.key))
                        .at(doc.path, c.key_pos),
                );
            }
        }
    }
    if out.is_empty() {
        out.push(Finding::new(Status::Pass, resource(), "every condition operator and key is a real one"));
    }
    out
}
