//! IAM policy documents: parse (with source positions), match, evaluate three-valued, and the KMS model.
//!
//! No network and no AWS SDK types: everything here is pure and decides from the documents it is given.

pub mod catalogue;
pub mod condition;
pub mod context;
pub mod document;
pub mod evaluate;
pub mod grants;
pub mod json;
pub mod matcher;
pub mod request;
pub mod verdict;

pub use crate::vocab::aws::{Grant, GrantConstraints};
pub use context::{Context, Lookup};
pub use document::{Effect, Policy, PolicyError, Statement};
pub use evaluate::{Decider, Decision, Layer, Outcome, PolicySet, evaluate, statement_matches};
pub use grants::parse_grants;
pub use json::Pos;
pub use request::{Principal, PrincipalKind, Request};
pub use verdict::Verdict;
