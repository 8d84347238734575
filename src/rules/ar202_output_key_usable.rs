//! AR202: the output key exists, is Enabled, and is a symmetric encryption key; an alias resolves.

use serde_json::json;

use super::common::{gap_text, group_jobs, is_aws_managed_alias, job_ids, key_ref, lookup_key, unresolved_key_ref};
use super::world::{KeyLookup, World};
use super::{CheckContext, Finding, Status};

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    let groups = group_jobs(&world.inventory.jobs, |j| {
        let k = j.output_data_config.encryption_key.as_ref()?;
        (!is_aws_managed_alias(&k.id)).then_some((k.id.as_str(), j.account.as_str(), j.region.as_str()))
    });
    groups
        .into_iter()
        .map(|((reference, account, region), jobs)| {
            let jobs = job_ids(&jobs);
            let is_alias = reference.starts_with("alias/") || reference.contains(":alias/");
            let key = match lookup_key(world, reference, account, region) {
                KeyLookup::Found(k) => k,
                KeyLookup::Missing { gap: Some(gap) } => {
                    return Finding::new(
                        Status::Unknown,
                        unresolved_key_ref(reference, account, region),
                        format!("the output key could not be read: {}", gap_text(gap)),
                    )
                    .jobs(jobs);
                }
                KeyLookup::Missing { gap: None } => {
                    let what = if is_alias { "the alias resolves to no key" } else { "the key does not exist" };
                    return Finding::new(
                        Status::Fail,
                        unresolved_key_ref(reference, account, region),
                        format!("output key {reference}: {what}"),
                    )
                    .jobs(jobs);
                }
            };
            let mut evidence = json!({"reference": reference});
            if is_alias {
                evidence["resolved_from_alias"] = json!(reference);
                evidence["key_arn"] = json!(key.arn);
            }
            let resource = key_ref(key);
            let Some(m) = &key.metadata else {
                return Finding::new(
                    Status::Unknown,
                    resource,
                    "the output key's metadata (DescribeKey) could not be read",
                )
                .evidence(evidence)
                .jobs(jobs);
            };
            evidence["key_state"] = json!(m.key_state);
            evidence["key_spec"] = json!(m.key_spec);
            evidence["key_usage"] = json!(m.key_usage);
            let mut faults = Vec::new();
            if m.key_state != crate::vocab::KeyState::Enabled {
                faults.push(format!("the key is {}", m.key_state));
            }
            if let Some(spec) = m.key_spec.as_deref().filter(|s| *s != "SYMMETRIC_DEFAULT") {
                faults.push(format!("the key spec is {spec}, not SYMMETRIC_DEFAULT"));
            }
            if let Some(usage) = m.key_usage.as_deref().filter(|u| *u != "ENCRYPT_DECRYPT") {
                faults.push(format!("the key usage is {usage}, not ENCRYPT_DECRYPT"));
            }
            let f = if faults.is_empty() {
                Finding::new(
                    Status::Pass,
                    resource,
                    "the output key exists, is Enabled and is a symmetric encryption key",
                )
            } else {
                Finding::new(Status::Fail, resource, format!("the output key cannot encrypt: {}", faults.join("; ")))
            };
            f.evidence(evidence).jobs(jobs)
        })
        .collect()
}
