//! The vocabulary at the bottom of the crate, depending on nothing of ours: findings, time, AWS names and
//! report formats. Every other module points down at it.

#[macro_use]
mod names;

pub mod aws;
pub mod call;
pub mod finding;
pub mod format;
pub mod kms;
pub mod result;
pub mod text;
pub mod time;

pub use call::{Operation, Service};
pub use finding::{
    FailOn, FaultAt, Finding, Location, Origin, Pos, ResourceKind, ResourceRef, Ruleset, Severity, Status,
};
pub use format::Format;
pub use kms::{KeyManager, KeyState};
pub use result::{
    AppliedWaiver, BaselineMark, Gap, INVALID_TEMPLATE, Notice, Outcome, Resolved, ResultKey, ResultRow, RuleDoc,
};
