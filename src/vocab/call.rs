//! The AWS services and operations a read can fail on, by name: a gap is recorded and looked up with
//! these, so a misspelt operation does not compile (and cannot hide a gap, turning an UNKNOWN into a PASS).

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An enum of names spelt as AWS spells them in JSON, with `Other` for a name a snapshot holds that this
/// version does not know (it still loads). Ordered by its text, as the report orders gaps.
macro_rules! names {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)*
            /// A name this version does not know, kept as read.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(s) => s,
                }
            }

            pub fn parse(text: &str) -> $name {
                match text {
                    $($text => $name::$variant,)*
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl Default for $name {
            fn default() -> $name {
                $name::Other(String::new())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &$name) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &$name) -> Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
                Ok($name::parse(&text))
            }
        }
    };
}

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
