//! AR404: the role may read the input (GetObject, ListBucket) and write the output (PutObject).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::common::output_key_arn;
use super::common::role_ref;
use super::world::{World, deciders_json, output_prefix, parse_s3_uri, translate_s3_context};
use super::{CheckContext, Finding, Status};
use crate::policy::{Outcome, PolicySet, Principal, Request, evaluate};

const ID: &str = "AR404";

pub fn check(world: &World<'_>, _: &CheckContext) -> Vec<Finding> {
    // Per role, the distinct places it reads and writes, each decided once: reads by input folder, writes
    // by output URI and key. Jobs differ in their output folder only by job id; the first job's folder
    // stands for them all.
    #[derive(Default)]
    struct Uses {
        reads: BTreeSet<(String, String)>,
        writes: BTreeMap<(String, Option<String>), (String, String)>,
        jobs: Vec<String>,
    }
    let mut by_role: BTreeMap<&str, Uses> = BTreeMap::new();
    for j in &world.inventory.jobs {
        let (Some((ib, ip)), Some((ob, op))) = (parse_s3_uri(&j.input_data_config.s3_uri), output_prefix(j)) else {
            continue;
        };
        let uses = by_role.entry(j.data_access_role_arn.as_str()).or_default();
        uses.reads.insert((ib.to_owned(), ip.to_owned()));
        uses.writes.entry((j.output_data_config.s3_uri.clone(), output_key_arn(world, j))).or_insert((ob, op));
        uses.jobs.push(j.job_id.clone());
    }
    by_role
        .into_iter()
        .filter_map(|(arn, uses)| {
            let (role, policies) = world.role(arn)?;
            let resource = role_ref(arn);
            let all_jobs = uses.jobs;
            let principal = match Principal::parse(&role.arn) {
                Ok(p) => p,
                Err(e) => return Some(Finding::new(ID, Status::Unknown, resource, e).jobs(all_jobs)),
            };
            let boundary = match &policies.boundary {
                Some(Ok(b)) => Some(b),
                Some(Err(e)) => return Some(Finding::new(ID, Status::Unknown, resource, format!("the permissions boundary could not be used: {e}")).jobs(all_jobs)),
                None => None,
            };
            let (mut denied, mut open, mut decisions) = (BTreeSet::new(), BTreeSet::new(), Vec::new());
            let mut checks = Vec::new();
            for (ib, ip) in &uses.reads {
                let sample =
                    world.prefix(ib, ip).and_then(|p| p.objects.first()).map_or_else(|| format!("{ip}document.txt"), |o| o.key.clone());
                checks.push(("s3:GetObject", format!("arn:aws:s3:::{ib}/{sample}"), ib, None, ip));
                checks.push(("s3:ListBucket", format!("arn:aws:s3:::{ib}"), ib, None, ip));
            }
            for ((_, key), (ob, op)) in &uses.writes {
                checks.push(("s3:PutObject", format!("arn:aws:s3:::{ob}/{op}document.txt"), ob, Some(key.as_deref()), op));
            }
            let identity: Vec<_> = policies.identity.iter().collect();
            {
                for (action, object, bucket, write_key, ip) in checks {
                    let bucket_policy = match world.bucket_policy_state(bucket) {
                        Ok(p) => p,
                        Err(why) => {
                            open.insert(format!("{action} on {object} ({why})"));
                            continue;
                        }
                    };
                    let account = world.bucket(bucket).and_then(|b| b.account.clone());
                    let mut ctx = translate_s3_context(write_key);
                    if action == "s3:ListBucket" {
                        ctx.insert("s3:prefix", [ip.as_str()]);
                    }
                    let request = Request::new(principal.clone(), action, &object, ctx).with_resource_account(account);
                    let set = PolicySet { identity: identity.clone(), boundary, resource: bucket_policy, grants: &[] };
                    let d = evaluate(&request, &set);
                    match d.outcome {
                        Outcome::Allowed => {}
                        Outcome::Depends => {
                            open.insert(format!("{action} on {object} (depends on {})", d.unresolved_keys.iter().cloned().collect::<Vec<_>>().join(", ")));
                        }
                        Outcome::ImplicitDeny if !policies.unreadable.is_empty() => {
                            open.insert(format!("{action} on {object} (some of the role's policies could not be read)"));
                        }
                        _ => {
                            denied.insert(format!("{action} on {object}"));
                        }
                    }
                    if d.outcome != Outcome::Allowed && decisions.len() < 10 {
                        decisions.push(json!({"action": action, "resource": object, "decision": d.outcome.id(), "statements": deciders_json(&d)}));
                    }
                }
            }
            let evidence = json!({"denied": denied, "undecided": open, "decisions": decisions});
            let f = if !denied.is_empty() {
                Finding::new(ID, Status::Fail, resource, format!("the role may not: {}", denied.iter().cloned().collect::<Vec<_>>().join("; ")))
            } else if !open.is_empty() {
                Finding::new(ID, Status::Unknown, resource, format!("undecided: {}", open.iter().cloned().collect::<Vec<_>>().join("; ")))
            } else {
                Finding::new(ID, Status::Pass, resource, "the role may read the input and write the output of its jobs")
            };
            Some(f.evidence(evidence).jobs(all_jobs))
        })
        .collect()
}
