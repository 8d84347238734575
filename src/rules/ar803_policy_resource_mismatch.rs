//! AR803: resource ARNs are well formed, and some listed action applies to the resource type each names.

use super::Document;
use super::{Finding, Status};
use crate::policy::catalogue::catalogue;

/// Why a resource entry is not a usable ARN, if it is not.
fn malformed(text: &str) -> Option<String> {
    if text == "*" || text.contains("${") {
        return None;
    }
    let parts = crate::vocab::aws::arn_segments(text);
    if parts.len() < 6 || parts[0] != "arn" {
        return Some(format!("\"{text}\" is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) or \"*\""));
    }
    if parts[2].is_empty() {
        return Some(format!("\"{text}\" has no service"));
    }
    let account = parts[4];
    let plausible = account.is_empty()
        || account.contains(['*', '?'])
        || account == "aws"
        || crate::vocab::aws::is_account_id(account);
    if !plausible {
        return Some(format!("\"{text}\": the account \"{account}\" is not 12 digits"));
    }
    None
}

pub fn check(doc: &Document<'_>) -> Vec<Finding> {
    // A policy that does not parse is AR801's to report.
    if doc.policy.is_err() {
        return Vec::new();
    }
    let resource = || doc.resource();
    let c = catalogue();
    let mut out = Vec::new();
    for s in doc.statements() {
        let Some(resources) = &s.resource else { continue };
        for r in &resources.patterns {
            if let Some(why) = malformed(&r.text) {
                out.push(Finding::new(Status::Fail, resource(), why).at(doc.path, r.pos));
                continue;
            }
            // Only Action (not NotAction), and only services whose resource types the catalogue details.
            if s.action.negated || r.text == "*" || resources.negated || r.text.contains("${") {
                continue;
            }
            let service = crate::vocab::aws::arn_segments(&r.text).get(2).copied().unwrap_or("");
            let Some(types) = c.resource_types_of(service, &r.text) else { continue };
            let mut judged = true;
            let mut applies = false;
            for p in &s.action.patterns {
                if p.text == "*" {
                    applies = true;
                    continue;
                }
                let Some((a_service, a_name)) = p.text.split_once(':') else {
                    judged = false;
                    break;
                };
                let a_service = a_service.to_ascii_lowercase();
                // An action's resource types are its own service's, whose ARNs may be in another namespace
                // (sts:AssumeRole applies to STS's `role`, arn:…:iam::…:role/…).
                let own =
                    if a_service == service { Some(types.clone()) } else { c.resource_types_of(&a_service, &r.text) };
                match own.and_then(|own| c.applies_to(&a_service, a_name, &own)) {
                    Some(fits) => applies |= fits,
                    None => judged = false,
                }
            }
            if judged && !applies {
                let actions: Vec<&str> = s.action.patterns.iter().map(|p| p.text.as_str()).collect();
                let names = if types.is_empty() {
                    "no resource type of its service".to_string()
                } else {
                    format!("the resource type {}", types.join(" or "))
                };
                out.push(
                    Finding::new(
                        Status::Fail,
                        resource(),
                        format!("{} names {names}, to which none of {} applies", r.text, actions.join(", ")),
                    )
                    .at(doc.path, r.pos),
                );
            }
        }
    }
    if out.is_empty() {
        out.push(Finding::new(Status::Pass, resource(), "every resource is a well-formed ARN its actions apply to"));
    }
    out
}
