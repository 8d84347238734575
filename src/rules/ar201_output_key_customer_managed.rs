//! AR201: the job encrypts its output with a customer managed key (strict); baseline records the key type.

use serde_json::json;

use super::common::{is_aws_managed_alias, is_customer_managed, job_arn, lookup_key};
use super::world::{KeyLookup, World};
use super::{CheckContext, Finding, ResourceRef, Ruleset, Status};

const ID: &str = "AR201";

pub fn check(world: &World<'_>, ctx: &CheckContext) -> Vec<Finding> {
    let strict = ctx.ruleset == Ruleset::Strict;
    world
        .inventory
        .jobs
        .iter()
        .map(|job| {
            let resource = ResourceRef::new("translate-job", job_arn(job), Some(&job.account), Some(&job.region));
            let (key_type, reference) = match &job.output_data_config.encryption_key {
                None => ("AWS managed", None),
                Some(k) if is_aws_managed_alias(&k.id) => ("AWS managed", Some(k.id.as_str())),
                Some(k) => match lookup_key(world, &k.id, &job.account, &job.region) {
                    KeyLookup::Found(key) => match is_customer_managed(key) {
                        Some(true) => ("customer managed", Some(k.id.as_str())),
                        Some(false) => ("AWS managed", Some(k.id.as_str())),
                        None => ("unknown", Some(k.id.as_str())),
                    },
                    KeyLookup::Missing { .. } => ("unknown", Some(k.id.as_str())),
                },
            };
            let evidence = json!({"key_type": key_type, "output_key": reference});
            let (status, message) = match (key_type, strict) {
                ("customer managed", _) => (Status::Pass, "the output is encrypted with a customer managed key".to_string()),
                (_, false) => (Status::Pass, format!("the output is encrypted with SSE-KMS under a key of type: {key_type} (baseline accepts the AWS managed key)")),
                ("AWS managed", true) => (Status::Fail, "the job uses the AWS managed key: name a customer managed key in OutputDataConfig.EncryptionKey".to_string()),
                (_, true) => (Status::Unknown, "the output key's type could not be read".to_string()),
            };
            Finding::new(ID, status, resource, message).evidence(evidence).jobs(vec![job.job_id.clone()])
        })
        .collect()
}
