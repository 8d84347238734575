//! AR801: a policy document is valid JSON and a valid IAM policy shape.

use super::Document;
use super::{Finding, Status};

pub fn check(doc: &Document<'_>) -> Vec<Finding> {
    let resource = doc.resource();
    vec![match doc.policy {
        Ok(_) => Finding::new(Status::Pass, resource, format!("a well-formed {}", doc.kind)),
        Err(e) => Finding::new(Status::Fail, resource, e.message.clone()).at(doc.path, e.pos),
    }]
}
