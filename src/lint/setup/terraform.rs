//! A Terraform plan (`terraform show -json`) read into the roles, keys, aliases and buckets it plans, with
//! alias targets that are unknown until apply taken from the configuration's references.

use std::collections::HashMap;

use super::{Ctx, Declaration, EmbeddedPolicy, KeySettings, encryption_rule, loc, members, str_at};
use crate::inventory::{Bucket, IamRole, NamedPolicy};
use crate::policy::json::{Kind, Value};
use crate::policy::{Policy, PolicyError};
use crate::vocab::{Location, Origin};

/// What a plan declares, each with where it is written.
pub fn declarations(ctx: &Ctx, path: &str, root: &Value) -> Vec<Declaration> {
    let mut resources: Vec<&Value> = Vec::new();
    fn collect<'v>(module: &'v Value, out: &mut Vec<&'v Value>) {
        if let Some(Kind::Array(rs)) = module.get("resources").map(|m| &m.value.kind) {
            out.extend(rs.iter());
        }
        if let Some(Kind::Array(children)) = module.get("child_modules").map(|m| &m.value.kind) {
            for c in children {
                collect(c, out);
            }
        }
    }
    if let Some(root_module) = root.get("planned_values").and_then(|p| p.value.get("root_module")) {
        collect(&root_module.value, &mut resources);
    }
    // Alias targets and policy attachments are often unknown until apply: the configuration's references
    // name the resource they point at.
    let references = configuration_references(root);
    let mut out = Vec::new();
    for r in resources {
        let (Some(kind), Some(address)) = (str_at(r, "type"), str_at(r, "address")) else { continue };
        let Some(values) = r.get("values").map(|m| &m.value) else { continue };
        let declared = Some(loc(path, r.pos));
        let text = |k: &str| str_at(values, k).map(str::to_owned);
        // Policies are JSON strings in a plan: parsed as documents of their own, located at the attribute.
        let embedded = |out: &mut Vec<Declaration>, k: &str| -> Option<(String, Location)> {
            let m = values.get(k)?;
            let s = m.value.as_str()?;
            let policy = Policy::parse(format!("{path}#{address}.{k}"), s);
            let ok = policy.is_ok();
            out.push(Declaration::Policy(EmbeddedPolicy {
                file: path.to_owned(),
                policy: policy.map_err(|e| PolicyError { pos: m.value.pos, message: e.message }),
            }));
            ok.then(|| (s.to_owned(), loc(path, m.value.pos)))
        };
        match kind {
            "aws_iam_role" => {
                let name = text("name").unwrap_or_else(|| address.to_owned());
                let mut origin = Origin { declared, ..Default::default() };
                let trust = embedded(&mut out, "assume_role_policy").map(|(t, l)| {
                    origin.trust = Some(l);
                    t
                });
                out.push(Declaration::Role(IamRole {
                    arn: text("arn").unwrap_or_else(|| ctx.role_arn(&name)),
                    name,
                    account: ctx.account.clone(),
                    trust_policy: trust.unwrap_or_default(),
                    origin: Some(origin),
                    ..Default::default()
                }));
            }
            "aws_iam_role_policy" => {
                let role = text("role").unwrap_or_default();
                if let Some((doc, at)) = embedded(&mut out, "policy") {
                    out.push(Declaration::RolePolicy {
                        role_arn: ctx.role_arn(&role),
                        policy: NamedPolicy {
                            name: text("name").unwrap_or_else(|| address.into()),
                            arn: None,
                            document: Some(doc),
                        },
                        at,
                    });
                }
            }
            "aws_kms_key" => {
                let mut origin = Origin { declared, ..Default::default() };
                let policy = embedded(&mut out, "policy").map(|(t, l)| {
                    origin.policy = Some(l);
                    t
                });
                let flag = |k: &str, default: bool| match values.get(k).map(|m| &m.value.kind) {
                    Some(Kind::Bool(b)) => *b,
                    _ => default,
                };
                let settings = KeySettings {
                    enabled: flag("is_enabled", true),
                    usage: text("key_usage"),
                    spec: text("customer_master_key_spec"),
                    multi_region: flag("multi_region", false),
                    rotation: flag("enable_key_rotation", false),
                };
                let arn = text("arn").unwrap_or_else(|| ctx.key_arn(address));
                let key_id = text("key_id").unwrap_or_else(|| address.to_owned());
                out.push(Declaration::Key(ctx.key(arn, key_id, settings, policy, origin)));
            }
            "aws_kms_alias" => {
                let target = text("target_key_id").or_else(|| {
                    references.get(address).and_then(|refs| refs.get("target_key_id")).map(|r| ctx.key_arn(r))
                });
                if let (Some(name), Some(target)) = (text("name"), target) {
                    out.push(Declaration::Alias { name, target });
                }
            }
            "aws_s3_bucket" => {
                let name = text("bucket").unwrap_or_else(|| address.to_owned());
                out.push(Declaration::Bucket(ctx.bucket(name, Vec::new(), Origin { declared, ..Default::default() })));
            }
            "aws_s3_bucket_server_side_encryption_configuration" => {
                let Some(bucket) = text("bucket") else { continue };
                let mut rules = Vec::new();
                if let Some(Kind::Array(list)) = values.get("rule").map(|m| &m.value.kind) {
                    for r in list {
                        let d = match r.get("apply_server_side_encryption_by_default").map(|m| &m.value.kind) {
                            Some(Kind::Array(ds)) => ds.first(),
                            _ => None,
                        };
                        rules.push(encryption_rule(
                            d.and_then(|d| str_at(d, "sse_algorithm")),
                            d.and_then(|d| str_at(d, "kms_master_key_id")),
                            r.get("bucket_key_enabled").map(|m| &m.value),
                        ));
                    }
                }
                out.push(Declaration::Bucket(Bucket { name: bucket, encryption_rules: rules, ..Default::default() }));
            }
            "aws_s3_bucket_policy" => {
                let Some(bucket) = text("bucket") else { continue };
                if let Some((doc, at)) = embedded(&mut out, "policy") {
                    out.push(Declaration::Bucket(Bucket {
                        name: bucket,
                        policy: Some(doc),
                        origin: Some(Origin { policy: Some(at), ..Default::default() }),
                        ..Default::default()
                    }));
                }
            }
            _ => {}
        }
    }
    out
}

/// `configuration.root_module.resources[].expressions.ATTR.references` → address → attribute → the
/// first referenced resource address.
fn configuration_references(root: &Value) -> HashMap<String, HashMap<String, String>> {
    let mut out = HashMap::new();
    let Some(resources) =
        root.get("configuration").and_then(|c| c.value.get("root_module")).and_then(|m| m.value.get("resources"))
    else {
        return out;
    };
    let Kind::Array(list) = &resources.value.kind else { return out };
    for r in list {
        let Some(address) = str_at(r, "address") else { continue };
        let Some(expressions) = r.get("expressions") else { continue };
        let mut attrs = HashMap::new();
        for m in members(&expressions.value) {
            if let Some(Kind::Array(refs)) = m.value.get("references").map(|x| &x.value.kind)
                && let Some(first) = refs.iter().filter_map(|x| x.as_str()).find(|x| x.matches('.').count() == 1)
            {
                attrs.insert(m.key.clone(), first.to_owned());
            }
        }
        out.insert(address.to_owned(), attrs);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::json;

    const PLAN: &str = r#"{
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_kms_key.out", "type": "aws_kms_key",
     "values": {"enable_key_rotation": true, "policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}]}"}},
    {"address": "aws_kms_alias.out", "type": "aws_kms_alias", "values": {"name": "alias/out"}},
    {"address": "aws_s3_bucket.out", "type": "aws_s3_bucket", "values": {"bucket": "acme-out"}},
    {"address": "aws_s3_bucket_server_side_encryption_configuration.out",
     "type": "aws_s3_bucket_server_side_encryption_configuration",
     "values": {"bucket": "acme-out", "rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}], "bucket_key_enabled": true}]}}
  ]}},
  "configuration": {"root_module": {"resources": [
    {"address": "aws_kms_alias.out", "expressions": {"target_key_id": {"references": ["aws_kms_key.out.key_id", "aws_kms_key.out"]}}}
  ]}}
}"#;

    #[test]
    fn a_plan_declares_its_resources_and_alias_targets_from_references() {
        let root = json::parse(PLAN).unwrap();
        let ctx = Ctx { account: "111122223333".into(), region: "us-east-1".into() };
        let decls = declarations(&ctx, "plan.json", &root);
        let key = decls.iter().find_map(|d| if let Declaration::Key(k) = d { Some(k) } else { None }).unwrap();
        assert_eq!(key.arn, "arn:aws:kms:us-east-1:111122223333:key/aws_kms_key.out");
        assert_eq!(key.rotation_enabled, Some(true));
        assert_eq!(key.origin.as_ref().unwrap().declared.as_ref().unwrap().line, 3);
        assert_eq!(key.origin.as_ref().unwrap().policy.as_ref().unwrap().line, 4);
        // The alias target is unknown until apply: the configuration's reference names the key.
        assert!(decls.iter().any(|d| matches!(d, Declaration::Alias { name, target }
            if name == "alias/out" && target == "arn:aws:kms:us-east-1:111122223333:key/aws_kms_key.out")));
        let buckets: Vec<&Bucket> =
            decls.iter().filter_map(|d| if let Declaration::Bucket(b) = d { Some(b) } else { None }).collect();
        assert_eq!(buckets.len(), 2, "the bucket and its encryption configuration");
        assert_eq!(buckets[1].encryption_rules[0].sse_algorithm, "aws:kms");
        assert_eq!(buckets[1].encryption_rules[0].bucket_key_enabled, Some(true));
    }
}
