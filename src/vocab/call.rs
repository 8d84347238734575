//! The AWS services and operations a read can fail on, by name: a gap is recorded and looked up with
//! these, so a misspelt operation does not compile (and cannot hide a gap, turning an UNKNOWN into a PASS).

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

names! {
    /// The service a read was made to (`lint` for files the linter read).
    Service {
        Translate => "translate",
        S3 => "s3",
        Kms => "kms",
        Iam => "iam",
        Sts => "sts",
        Account => "account",
        Organizations => "organizations",
        Ssm => "ssm",
        Lint => "lint",
    }
}

names! {
    /// The operation that failed, as the service's API names it (`ReadInventory`: reading an S3
    /// Inventory report's files; `read`: the linter reading a file).
    Operation {
        ListTextTranslationJobs => "ListTextTranslationJobs",
        ListTerminologies => "ListTerminologies",
        ListParallelData => "ListParallelData",
        ListBuckets => "ListBuckets",
        GetBucketLocation => "GetBucketLocation",
        GetBucketEncryption => "GetBucketEncryption",
        GetBucketPolicy => "GetBucketPolicy",
        ListObjectsV2 => "ListObjectsV2",
        HeadObject => "HeadObject",
        GetObject => "GetObject",
        ListBucketInventoryConfigurations => "ListBucketInventoryConfigurations",
        ReadInventory => "ReadInventory",
        DescribeKey => "DescribeKey",
        ListAliases => "ListAliases",
        GetKeyPolicy => "GetKeyPolicy",
        GetKeyRotationStatus => "GetKeyRotationStatus",
        ListGrants => "ListGrants",
        GetRole => "GetRole",
        ListRolePolicies => "ListRolePolicies",
        GetRolePolicy => "GetRolePolicy",
        ListAttachedRolePolicies => "ListAttachedRolePolicies",
        GetPolicy => "GetPolicy",
        GetPolicyVersion => "GetPolicyVersion",
        AssumeRole => "AssumeRole",
        ListRegions => "ListRegions",
        DescribeOrganization => "DescribeOrganization",
        ListRoots => "ListRoots",
        ListParents => "ListParents",
        ListPoliciesForTarget => "ListPoliciesForTarget",
        DescribePolicy => "DescribePolicy",
        Read => "read",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_json_spelling_and_unknown_ones_load() {
        assert_eq!(serde_json::to_string(&Service::S3).unwrap(), "\"s3\"");
        assert_eq!(serde_json::to_string(&Operation::GetBucketPolicy).unwrap(), "\"GetBucketPolicy\"");
        assert_eq!(serde_json::from_str::<Operation>("\"HeadObject\"").unwrap(), Operation::HeadObject);
        let other: Operation = serde_json::from_str("\"GetBucketTagging\"").unwrap();
        assert_eq!(other, Operation::Other("GetBucketTagging".into()));
        assert_eq!(serde_json::to_string(&other).unwrap(), "\"GetBucketTagging\"");
        // Ordered as text, as reports order gaps.
        assert!(Operation::GetRole < Operation::HeadObject && Operation::Read > Operation::ListRegions);
        assert!(Service::Iam < Service::Kms && Service::Lint < Service::S3);
    }
}
