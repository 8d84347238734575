//! A CloudFormation template (JSON or YAML) read into the roles, keys, aliases and buckets it declares,
//! with `Ref`, `Fn::GetAtt`, `Fn::Sub` and `Fn::Join` resolved inside the template.

use std::collections::BTreeMap;

use super::{Ctx, Declaration, KeySettings, embedded, encryption_rule, loc, members, scalar_text, str_at};
use crate::inventory::{Bucket, IamRole, NamedPolicy};
use crate::policy::json::{Kind, Member, Value};
use crate::vocab::Origin;

/// CloudFormation intrinsic functions, resolved where they point inside the template.
struct Template<'a> {
    ctx: &'a Ctx,
    resources: BTreeMap<&'a str, &'a Value>,
    parameters: BTreeMap<&'a str, &'a Value>,
}

impl Template<'_> {
    fn kind_of(&self, logical: &str) -> Option<&str> {
        str_at(self.resources.get(logical)?, "Type")
    }

    fn props(&self, logical: &str) -> Option<&Value> {
        Some(&self.resources.get(logical)?.get("Properties")?.value)
    }

    /// What `Ref` returns for a resource: a role's or bucket's name, a key's id, an alias's name.
    fn ref_value(&self, name: &str) -> Option<String> {
        match name {
            "AWS::AccountId" => return Some(self.ctx.account.clone()),
            "AWS::Region" => return Some(self.ctx.region.clone()),
            "AWS::Partition" => return Some("aws".into()),
            "AWS::URLSuffix" => return Some("amazonaws.com".into()),
            "AWS::StackName" => return Some("stack".into()),
            _ => {}
        }
        if let Some(p) = self.parameters.get(name) {
            return p.get("Default").and_then(|d| scalar_text(&d.value));
        }
        let props = self.props(name);
        let named = |k: &str| props.and_then(|p| str_at(p, k)).map(str::to_owned);
        match self.kind_of(name)? {
            "AWS::IAM::Role" => Some(named("RoleName").unwrap_or_else(|| name.to_owned())),
            "AWS::S3::Bucket" => Some(named("BucketName").unwrap_or_else(|| name.to_lowercase())),
            "AWS::KMS::Alias" => named("AliasName"),
            _ => Some(name.to_owned()),
        }
    }

    fn get_att(&self, name: &str, attribute: &str) -> Option<String> {
        match (self.kind_of(name)?, attribute) {
            ("AWS::IAM::Role", "Arn") => Some(self.ctx.role_arn(&self.ref_value(name)?)),
            ("AWS::KMS::Key", "Arn") => Some(self.ctx.key_arn(name)),
            ("AWS::KMS::Key", "KeyId") => Some(name.to_owned()),
            ("AWS::S3::Bucket", "Arn") => Some(format!("arn:aws:s3:::{}", self.ref_value(name)?)),
            _ => None,
        }
    }

    /// The value with every intrinsic function it can resolve replaced by its result (a string at the
    /// function's position); what it cannot resolve stays as written.
    fn resolve(&self, v: &Value) -> Value {
        if let Kind::Object(ms) = &v.kind
            && ms.len() == 1
            && let Some(s) = self.intrinsic(&ms[0].key, &ms[0].value)
        {
            return Value { pos: v.pos, kind: Kind::String(s) };
        }
        let kind = match &v.kind {
            Kind::Object(ms) => Kind::Object(
                ms.iter()
                    .map(|m| Member { key: m.key.clone(), key_pos: m.key_pos, value: self.resolve(&m.value) })
                    .collect(),
            ),
            Kind::Array(items) => Kind::Array(items.iter().map(|i| self.resolve(i)).collect()),
            other => other.clone(),
        };
        Value { pos: v.pos, kind }
    }

    fn intrinsic(&self, function: &str, arg: &Value) -> Option<String> {
        match function {
            "Ref" => self.ref_value(arg.as_str()?),
            "Fn::GetAtt" => match &arg.kind {
                Kind::Array(parts) if parts.len() == 2 => self.get_att(parts[0].as_str()?, parts[1].as_str()?),
                Kind::String(s) => {
                    let (r, a) = s.split_once('.')?;
                    self.get_att(r, a)
                }
                _ => None,
            },
            "Fn::Join" => {
                let Kind::Array(parts) = &arg.kind else { return None };
                let [delim, list] = &parts[..] else { return None };
                let Kind::Array(items) = &self.resolve(list).kind else { return None };
                let texts: Option<Vec<String>> = items.iter().map(|i| scalar_text(&self.resolve(i))).collect();
                Some(texts?.join(delim.as_str()?))
            }
            "Fn::Sub" => {
                let (text, vars) = match &arg.kind {
                    Kind::String(s) => (s.as_str(), None),
                    Kind::Array(parts) if parts.len() == 2 => (parts[0].as_str()?, Some(&parts[1])),
                    _ => return None,
                };
                self.substitute(text, vars)
            }
            _ => None,
        }
    }

    fn substitute(&self, text: &str, vars: Option<&Value>) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}')?;
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let given = vars.and_then(|v| v.get(name)).and_then(|m| scalar_text(&self.resolve(&m.value)));
            let value = match given {
                Some(v) => v,
                None => match name.split_once('.') {
                    Some((r, a)) => self.get_att(r, a)?,
                    None => self.ref_value(name)?,
                },
            };
            out.push_str(&value);
        }
        out.push_str(rest);
        Some(out)
    }
}

/// What a CloudFormation template declares: roles and their policies, keys and aliases, buckets and
/// bucket policies, each with where it is written.
pub fn declarations(ctx: &Ctx, path: &str, root: &Value) -> Vec<Declaration> {
    let by_name = |section: &str| -> BTreeMap<&str, &Value> {
        root.get(section)
            .map(|m| members(&m.value).iter().map(|r| (r.key.as_str(), &r.value)).collect())
            .unwrap_or_default()
    };
    let t = Template { ctx, resources: by_name("Resources"), parameters: by_name("Parameters") };
    let mut out = Vec::new();
    for (&logical, resource) in &t.resources {
        let Some(kind) = str_at(resource, "Type") else { continue };
        let declared = Some(loc(path, resource.pos));
        let props = t.props(logical).map(|p| t.resolve(p));
        let prop = |k: &str| props.as_ref().and_then(|p| p.get(k));
        match kind {
            "AWS::IAM::Role" => {
                let name = t.ref_value(logical).unwrap_or_else(|| logical.to_owned());
                let mut origin = Origin { declared, ..Default::default() };
                let mut role =
                    IamRole { arn: ctx.role_arn(&name), name, account: ctx.account.clone(), ..Default::default() };
                if let Some(m) = prop("AssumeRolePolicyDocument") {
                    origin.trust = Some(loc(path, m.value.pos));
                    role.trust_policy =
                        embedded(&mut out, path, format!("{path}#{logical}.AssumeRolePolicyDocument"), &m.value)
                            .unwrap_or_default();
                }
                if let Some(Kind::Array(list)) = prop("Policies").map(|m| &m.value.kind) {
                    for p in list {
                        let Some(doc) = p.get("PolicyDocument") else { continue };
                        origin.policy.get_or_insert(loc(path, doc.value.pos));
                        let document = embedded(&mut out, path, format!("{path}#{logical}.Policies"), &doc.value);
                        let name = str_at(p, "PolicyName").unwrap_or("inline").to_owned();
                        role.inline_policies.push(NamedPolicy { name, arn: None, document });
                    }
                }
                if let Some(Kind::Array(list)) = prop("ManagedPolicyArns").map(|m| &m.value.kind) {
                    for p in list.iter().filter_map(|p| p.as_str()) {
                        // Managed policies live outside the template: their documents are not known.
                        role.attached_policies.push(NamedPolicy {
                            name: p.rsplit('/').next().unwrap_or(p).into(),
                            arn: Some(p.into()),
                            document: None,
                        });
                    }
                }
                role.origin = Some(origin);
                out.push(Declaration::Role(role));
            }
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::IAM::RolePolicy" => {
                let Some(doc) = prop("PolicyDocument") else { continue };
                let name = prop("PolicyName")
                    .or(prop("ManagedPolicyName"))
                    .and_then(|m| m.value.as_str())
                    .unwrap_or(logical)
                    .to_owned();
                let document = embedded(&mut out, path, format!("{path}#{logical}"), &doc.value);
                let roles: Vec<String> = match prop("Roles").map(|m| &m.value.kind) {
                    Some(Kind::Array(rs)) => rs.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect(),
                    _ => {
                        prop("RoleName").and_then(|m| m.value.as_str()).map(|r| vec![r.to_owned()]).unwrap_or_default()
                    }
                };
                for r in roles {
                    out.push(Declaration::RolePolicy {
                        role_arn: ctx.role_arn(&r),
                        policy: NamedPolicy { name: name.clone(), arn: None, document: document.clone() },
                        at: loc(path, doc.value.pos),
                    });
                }
            }
            "AWS::KMS::Key" => {
                let mut origin = Origin { declared, ..Default::default() };
                let policy = prop("KeyPolicy").and_then(|m| {
                    origin.policy = Some(loc(path, m.value.pos));
                    embedded(&mut out, path, format!("{path}#{logical}.KeyPolicy"), &m.value)
                });
                let flag = |k: &str, default: bool| match prop(k).map(|m| &m.value.kind) {
                    Some(Kind::Bool(b)) => *b,
                    Some(Kind::String(s)) => s == "true",
                    _ => default,
                };
                let text = |k: &str| prop(k).and_then(|m| m.value.as_str()).map(str::to_owned);
                let settings = KeySettings {
                    enabled: flag("Enabled", true),
                    usage: text("KeyUsage"),
                    spec: text("KeySpec"),
                    multi_region: flag("MultiRegion", false),
                    rotation: flag("EnableKeyRotation", false),
                };
                out.push(Declaration::Key(ctx.key(ctx.key_arn(logical), logical.to_owned(), settings, policy, origin)));
            }
            "AWS::KMS::Alias" => {
                if let (Some(name), Some(target)) = (
                    prop("AliasName").and_then(|m| m.value.as_str()),
                    prop("TargetKeyId").and_then(|m| m.value.as_str()),
                ) {
                    out.push(Declaration::Alias { name: name.to_owned(), target: target.to_owned() });
                }
            }
            "AWS::S3::Bucket" => {
                let name = t.ref_value(logical).unwrap_or_else(|| logical.to_lowercase());
                let mut rules = Vec::new();
                let config = prop("BucketEncryption").and_then(|m| m.value.get("ServerSideEncryptionConfiguration"));
                if let Some(Kind::Array(list)) = config.map(|m| &m.value.kind) {
                    for r in list {
                        let by_default = r.get("ServerSideEncryptionByDefault").map(|m| &m.value);
                        rules.push(encryption_rule(
                            by_default.and_then(|d| str_at(d, "SSEAlgorithm")),
                            by_default.and_then(|d| str_at(d, "KMSMasterKeyID")),
                            r.get("BucketKeyEnabled").map(|m| &m.value),
                        ));
                    }
                }
                out.push(Declaration::Bucket(ctx.bucket(name, rules, Origin { declared, ..Default::default() })));
            }
            "AWS::S3::BucketPolicy" => {
                let (Some(bucket), Some(doc)) = (prop("Bucket").and_then(|m| m.value.as_str()), prop("PolicyDocument"))
                else {
                    continue;
                };
                let policy = embedded(&mut out, path, format!("{path}#{logical}"), &doc.value);
                out.push(Declaration::Bucket(Bucket {
                    name: bucket.to_owned(),
                    policy,
                    origin: Some(Origin { policy: Some(loc(path, doc.value.pos)), ..Default::default() }),
                    ..Default::default()
                }));
            }
            _ => {}
        }
    }
    out
}

/// The sections a template may have (CloudFormation User Guide, "Template anatomy").
const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
];

/// The attributes a resource may have ("Resources" section and "Resource attribute reference").
const RESOURCE_ATTRIBUTES: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
];

/// What makes a template invalid, where: a misspelt section or resource attribute would otherwise drop
/// what it holds without a word.
pub fn problems(root: &Value) -> Vec<(crate::vocab::Pos, String)> {
    let mut out = Vec::new();
    for m in members(root) {
        if !SECTIONS.contains(&m.key.as_str()) {
            let near = SECTIONS.iter().find(|s| s.eq_ignore_ascii_case(&m.key) || s.trim_end_matches('s') == m.key);
            let hint = near.map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
            out.push((m.key_pos, format!("unknown template section \"{}\"{hint}", m.key)));
        }
    }
    match root.get("Resources") {
        None => out.push((root.pos, "no Resources section: a template declares its resources under Resources".into())),
        Some(resources) => {
            for r in members(&resources.value) {
                if r.value.get("Type").is_none() {
                    out.push((r.key_pos, format!("resource {} has no Type", r.key)));
                }
                for a in members(&r.value) {
                    if !RESOURCE_ATTRIBUTES.contains(&a.key.as_str()) {
                        let near = RESOURCE_ATTRIBUTES
                            .iter()
                            .find(|s| s.eq_ignore_ascii_case(&a.key) || strsim_close(s, &a.key));
                        let hint = near.map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
                        out.push((
                            a.key_pos,
                            format!("resource {} has an unknown attribute \"{}\"{hint}", r.key, a.key),
                        ));
                    }
                }
            }
        }
    }
    out
}

/// Two names one letter apart (a letter dropped, added or changed).
fn strsim_close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b {
        return false;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let i = short.iter().zip(&long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() { short[i + 1..] == long[i + 1..] } else { short[i..] == long[i + 1..] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_sections_and_attributes_are_problems_with_places() {
        let root = crate::lint::yaml::parse(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nResource:\n  Out:\n    Type: AWS::S3::Bucket\n",
        )
        .unwrap();
        let p = problems(&root);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].1.contains("\"Resource\" (did you mean Resources?)") && p[0].0.line == 2, "{p:?}");
        assert!(p[1].1.contains("no Resources section"), "{p:?}");
        let root = crate::lint::yaml::parse(
            "Resources:\n  Out:\n    Type: AWS::S3::Bucket\n    Propertes:\n      BucketName: b\n",
        )
        .unwrap();
        let p = problems(&root);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].1.contains("unknown attribute \"Propertes\" (did you mean Properties?)") && p[0].0.line == 4,
            "{p:?}"
        );
        assert!(problems(&crate::lint::yaml::parse(TEMPLATE).unwrap()).is_empty());
    }

    const TEMPLATE: &str = r#"Resources:
  Out:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-111122223333-out
  OutPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Out
      PolicyDocument:
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: s3:PutObject
            Resource: !Sub "arn:aws:s3:::${Out}/*"
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      KeyPolicy:
        Statement:
          - Effect: Allow
            Principal: {AWS: !GetAtt Role.Arn}
            Action: kms:Decrypt
            Resource: "*"
  KeyAlias:
    Type: AWS::KMS::Alias
    Properties:
      AliasName: alias/out
      TargetKeyId: !Ref Key
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: Translate
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: translate.amazonaws.com}
            Action: sts:AssumeRole
"#;

    #[test]
    fn a_template_declares_its_resources_where_they_are_written() {
        let root = crate::lint::yaml::parse(TEMPLATE).unwrap();
        let ctx = Ctx { account: "111122223333".into(), region: "us-east-1".into() };
        let decls = declarations(&ctx, "stack.yaml", &root);
        let buckets: Vec<&Bucket> =
            decls.iter().filter_map(|d| if let Declaration::Bucket(b) = d { Some(b) } else { None }).collect();
        // The bucket, and its policy as a part of the same bucket (merged when the fragment is built).
        assert_eq!(buckets.len(), 2);
        assert!(buckets.iter().all(|b| b.name == "acme-111122223333-out"));
        let declared = buckets[0].origin.as_ref().unwrap().declared.as_ref().unwrap();
        assert_eq!((declared.file.as_str(), declared.line), ("stack.yaml", 3));
        assert_eq!(buckets[1].origin.as_ref().unwrap().policy.as_ref().unwrap().line, 11);
        assert!(buckets[1].policy.as_deref().unwrap().contains("arn:aws:s3:::acme-111122223333-out/*"));
        let key = decls.iter().find_map(|d| if let Declaration::Key(k) = d { Some(k) } else { None }).unwrap();
        assert_eq!(key.arn, "arn:aws:kms:us-east-1:111122223333:key/Key");
        assert_eq!(key.rotation_enabled, Some(true));
        assert!(key.policy.as_deref().unwrap().contains("arn:aws:iam::111122223333:role/Translate"));
        assert_eq!(key.origin.as_ref().unwrap().policy.as_ref().unwrap().line, 21);
        assert!(
            decls
                .iter()
                .any(|d| matches!(d, Declaration::Alias { name, target } if name == "alias/out" && target == "Key"))
        );
        let role = decls.iter().find_map(|d| if let Declaration::Role(r) = d { Some(r) } else { None }).unwrap();
        assert_eq!(role.arn, "arn:aws:iam::111122223333:role/Translate");
        assert_eq!(role.origin.as_ref().unwrap().trust.as_ref().unwrap().line, 36);
        // Every embedded document is there for the policy rules, parsed.
        let policies = decls.iter().filter(|d| matches!(d, Declaration::Policy(p) if p.policy.is_ok())).count();
        assert_eq!(policies, 3);
    }
}
