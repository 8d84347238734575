//! AR802: every action names a real action of its service (after case folding).

use super::Document;
use super::{Finding, Status};
use crate::policy::catalogue::{ActionCheck, catalogue};

pub fn check(doc: &Document<'_>) -> Vec<Finding> {
    let resource = || doc.resource();
    let c = catalogue();
    let mut out = Vec::new();
    for s in doc.statements() {
        for p in &s.action.patterns {
            let message = match c.check_action(&p.text) {
                ActionCheck::Known => continue,
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
            out.push(Finding::new(Status::Fail, resource(), message).at(doc.path, p.pos));
        }
    }
    if out.is_empty() {
        out.push(Finding::new(
            Status::Pass,
            resource(),
            format!("every action is a real one (catalogue {} of {})", c.source, c.updated_at.get(..10).unwrap_or("")),
        ));
    }
    out
}
