//! AR802: every action names a real action of its service (after case folding).

use super::Document;
use super::{Finding, Status};
use crate::policy::catalogue::{ActionCheck, catalogue};

pub fn check(doc: &Document<'_>) -> Vec<Finding> {
    // A policy that does not parse is AR801's to report.
    if doc.policy.is_err() {
        return Vec::new();
    }
    let c = catalogue();
    let patterns = doc.statements().iter().flat_map(|s| &s.action.patterns);
    let mut out: Vec<Finding> = patterns
        // A value a template does not tell before deployment (lint/setup/cloudformation.rs) is not judged.
        .filter(|p| !p.text.contains("${cloudformation:"))
        .filter_map(|p| {
            let message = match c.check_action(&p.text) {
                ActionCheck::Known => return None,
                ActionCheck::UnknownService(Some(near)) => {
                    format!(
                        "\"{}\": no service \"{}\"; did you mean {near}?",
                        p.text,
                        p.text.split(':').next().unwrap_or("")
                    )
                }
                ActionCheck::UnknownService(None) => format!("\"{}\" names no AWS service", p.text),
                ActionCheck::UnknownAction(Some(near)) => {
                    format!("\"{}\" is not an action; did you mean {near}?", p.text)
                }
                ActionCheck::UnknownAction(None) if !p.text.contains(':') => {
                    format!("\"{}\" is not SERVICE:ACTION", p.text)
                }
                ActionCheck::UnknownAction(None) => format!("\"{}\" matches no action of its service", p.text),
            };
            Some(Finding::new(Status::Fail, doc.resource(), message).at(doc.path, p.pos))
        })
        .collect();
    if out.is_empty() {
        out.push(Finding::new(
            Status::Pass,
            doc.resource(),
            format!("every action is a real one (catalogue {} of {})", c.source, c.updated_at.get(..10).unwrap_or("")),
        ));
    }
    out
}
