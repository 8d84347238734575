//! AR201: the job encrypts its output with a customer managed key (strict); baseline records the key type.

use serde_json::json;

use super::common::{is_aws_managed_alias, is_customer_managed, job_arn, lookup_key};
use super::world::{KeyLookup, World};
use super::{CheckContext, Finding, ResourceRef, Ruleset, Status};

pub fn check(world: &World<'_>, ctx: &CheckContext) -> Vec<Finding> {
    let strict = ctx.ruleset == Ruleset::Strict;
    world
        .inventory
        .jobs
        .iter()
        .map(|job| {
            let resource = ResourceRef::new(
                crate::vocab::ResourceKind::TranslateJob,
                job_arn(job),
                Some(&job.account),
                Some(&job.region),
            );
            let reference = job.output_data_config.encryption_key.as_ref().map(|k| k.id.as_str());
            let key_type = match reference {
                None => KeyType::AwsManaged,
                Some(r) if is_aws_managed_alias(r) => KeyType::AwsManaged,
                Some(r) => match lookup_key(world, r, &job.account, &job.region) {
                    KeyLookup::Found(key) => match is_customer_managed(key) {
                        Some(true) => KeyType::CustomerManaged,
                        Some(false) => KeyType::AwsManaged,
                        None => KeyType::Unknown("its metadata (DescribeKey) was not read"),
                    },
                    KeyLookup::Missing { gap: Some(_) } => KeyType::Unknown("the key could not be read"),
                    KeyLookup::Missing { gap: None } => KeyType::Unknown("the key it names was not found (see AR202)"),
                },
            };
            let evidence = json!({"key_type": key_type.label(), "output_key": reference});
            // An unknown key type is UNKNOWN in every ruleset: baseline's PASS says which type it accepted.
            let (status, message) = match (key_type, strict) {
                (KeyType::Unknown(why), _) => {
                    (Status::Unknown, format!("whether the output key is customer managed is unknown: {why}"))
                }
                (KeyType::CustomerManaged, _) => {
                    (Status::Pass, "the output is encrypted with a customer managed key".to_string())
                }
                (KeyType::AwsManaged, false) => (
                    Status::Pass,
                    "the output is encrypted with SSE-KMS under the AWS managed key (baseline accepts it)".to_string(),
                ),
                (KeyType::AwsManaged, true) => (
                    Status::Fail,
                    "the job uses the AWS managed key: name a customer managed key in OutputDataConfig.EncryptionKey"
                        .to_string(),
                ),
            };
            Finding::new(status, resource, message).evidence(evidence).jobs(vec![job.job_id.clone()])
        })
        .collect()
}

/// Who manages the output key.
#[derive(Debug, Clone, Copy)]
enum KeyType {
    CustomerManaged,
    AwsManaged,
    /// Not known, and why.
    Unknown(&'static str),
}

impl KeyType {
    fn label(self) -> &'static str {
        match self {
            KeyType::CustomerManaged => "customer managed",
            KeyType::AwsManaged => "AWS managed",
            KeyType::Unknown(_) => "unknown",
        }
    }
}
