//! AR804: the policy says `"Version": "2012-10-17"`.

use super::Document;
use super::{Finding, Status};
use crate::policy::Pos;

pub fn check(doc: &Document<'_>) -> Vec<Finding> {
    let Ok(policy) = doc.policy else { return Vec::new() };
    let resource = doc.resource();
    vec![match (policy.version.as_deref(), policy.version_pos) {
        (Some("2012-10-17"), _) => Finding::new(Status::Pass, resource, "Version is 2012-10-17"),
        (Some(v), Some(pos)) => Finding::new(
            Status::Fail,
            resource,
            format!("Version \"{v}\": use \"2012-10-17\"; older versions do not support policy variables"),
        )
        .at(doc.path, pos),
        _ => Finding::new(
            Status::Fail,
            resource,
            "no Version: add \"Version\": \"2012-10-17\" (without it policy variables are plain text)",
        )
        .at(doc.path, Pos { line: 1, column: 1 }),
    }]
}
