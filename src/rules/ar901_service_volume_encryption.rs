//! AR901: Translate's own EBS volume is encrypted by AWS; no customer API shows it.

use super::world::World;
use super::{CheckContext, Finding, ResourceRef, Status};

pub fn check(_: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    vec![Finding::new(
        Status::NotVerifiable,
        ResourceRef::new(crate::vocab::ResourceKind::Service, "translate", None, None),
        "Amazon Translate encrypts its own EBS volume with the default key; AWS operates it and no customer API shows it",
    )]
}
