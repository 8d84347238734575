//! What the linter's rules examine: one policy document and what kind of file it is.

use std::fmt;

use crate::policy::{Policy, PolicyError};

/// What a file is, told from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    IdentityPolicy,
    TrustPolicy,
    KeyPolicy,
    BucketPolicy,
    /// A resource policy of another service.
    ResourcePolicy,
    /// JSON that a policy file should be but is not well formed (AR801 says where).
    MalformedPolicy,
    JobRequest,
    CloudFormation,
    TerraformPlan,
}

impl DocKind {
    pub fn is_policy(self) -> bool {
        matches!(
            self,
            DocKind::IdentityPolicy
                | DocKind::TrustPolicy
                | DocKind::KeyPolicy
                | DocKind::BucketPolicy
                | DocKind::ResourcePolicy
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            DocKind::IdentityPolicy => "identity policy",
            DocKind::TrustPolicy => "role trust policy",
            DocKind::KeyPolicy => "KMS key policy",
            DocKind::BucketPolicy => "S3 bucket policy",
            DocKind::ResourcePolicy => "resource policy",
            DocKind::MalformedPolicy => "malformed policy",
            DocKind::JobRequest => "Translate job request",
            DocKind::CloudFormation => "CloudFormation template",
            DocKind::TerraformPlan => "Terraform plan",
        }
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One linted document: a policy (parsed, or the fault that stopped parsing).
pub struct Document<'a> {
    pub path: &'a str,
    pub kind: DocKind,
    pub policy: &'a Result<Policy, PolicyError>,
}

impl Document<'_> {
    /// The statements of a policy that parsed; none of one that did not (AR801 reports it).
    pub fn statements(&self) -> &[crate::policy::Statement] {
        self.policy.as_ref().map_or(&[], |p| &p.statements)
    }

    /// The resource every finding about this document is reported on.
    pub fn resource(&self) -> crate::vocab::ResourceRef {
        crate::vocab::ResourceRef::new(crate::vocab::ResourceKind::PolicyFile, self.path, None, None)
    }
}
