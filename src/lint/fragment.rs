//! Chain-aware linting: job requests, CloudFormation templates and Terraform plans given together become
//! an inventory fragment, so the audit's rules judge a setup before it is deployed.
//!
//! Resources are named the way they will be once deployed: roles and buckets by their names, keys by
//! `arn:aws:kms:REGION:ACCOUNT:key/<logical id or address>` with their aliases. The account and region
//! come from the job requests (the role ARN's account, the output key ARN's region), else the AWS
//! documentation placeholders `123456789012` and `us-east-1`. What no file tells (object headers, key
//! state beyond `Enabled`, resources outside the files) is recorded as a gap, and the linter drops the
//! UNKNOWN results that follow from it: not judged, rather than unknown.

use std::collections::{BTreeMap, HashMap};

use crate::inventory::*;
use crate::policy::json::{Kind, Member, Pos, Value};
use crate::policy::{Policy, PolicyError};
use crate::vocab::Location;
use crate::vocab::aws::arn_account;

/// What the linted files describe, and where.
#[derive(Default)]
pub struct Fragment {
    pub inventory: Inventory,
    /// Resource id (ARN, `s3://…` URI) → where it is declared, and where its policy is.
    pub places: HashMap<String, Places>,
    /// Policy documents embedded in templates and plans, for the policy rules.
    pub policies: Vec<EmbeddedPolicy>,
}

#[derive(Debug, Clone, Default)]
pub struct Places {
    pub declared: Option<Location>,
    /// The key policy, bucket policy or role permission policy.
    pub policy: Option<Location>,
    /// A role's trust policy.
    pub trust: Option<Location>,
}

pub struct EmbeddedPolicy {
    pub file: String,
    pub policy: Result<Policy, PolicyError>,
}

/// A file given to the linter that describes part of a setup.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    JobRequest { path: &'a str, root: &'a Value },
    CloudFormation { path: &'a str, root: &'a Value },
    TerraformPlan { path: &'a str, root: &'a Value },
}

const PLACEHOLDER_ACCOUNT: &str = "123456789012";
const DEFAULT_REGION: &str = "us-east-1";

fn loc(file: &str, pos: Pos) -> Location {
    Location { file: file.to_owned(), line: pos.line, column: pos.column }
}

fn str_at<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key)?.value.as_str()
}

fn members(v: &Value) -> &[Member] {
    v.as_object().unwrap_or_default()
}

/// Builds the fragment the sources describe together.
pub fn build(sources: &[Source<'_>]) -> Fragment {
    let mut account = None;
    let mut region = None;
    for s in sources {
        if let Source::JobRequest { root, .. } = s {
            account = account.or_else(|| str_at(root, "DataAccessRoleArn").and_then(arn_account).map(str::to_owned));
            region = region.or_else(|| {
                let id = root.get("OutputDataConfig")?.value.get("EncryptionKey")?.value.get("Id")?.value.as_str()?;
                id.starts_with("arn:").then(|| id.split(':').nth(3).map(str::to_owned)).flatten()
            });
        }
    }
    let ctx = Ctx {
        account: account.unwrap_or_else(|| PLACEHOLDER_ACCOUNT.into()),
        region: region.unwrap_or_else(|| DEFAULT_REGION.into()),
    };
    let mut f = Fragment::default();
    f.inventory.snapshot_version = SNAPSHOT_VERSION;
    f.inventory.accounts = vec![ctx.account.clone()];
    f.inventory.regions = vec![ctx.region.clone()];
    for s in sources {
        match s {
            Source::CloudFormation { path, root } => cloudformation(&mut f, &ctx, path, root),
            Source::TerraformPlan { path, root } => terraform(&mut f, &ctx, path, root),
            Source::JobRequest { .. } => {}
        }
    }
    for s in sources {
        if let Source::JobRequest { path, root } = s {
            job_request(&mut f, &ctx, path, root);
        }
    }
    record_outside_references(&mut f);
    f
}

struct Ctx {
    account: String,
    region: String,
}

impl Ctx {
    fn key_arn(&self, id: &str) -> String {
        format!("arn:aws:kms:{}:{}:key/{id}", self.region, self.account)
    }

    fn role_arn(&self, name: &str) -> String {
        format!("arn:aws:iam::{}:role/{name}", self.account)
    }
}

fn job_request(f: &mut Fragment, ctx: &Ctx, path: &str, root: &Value) {
    let s = |k: &str| str_at(root, k).map(str::to_owned);
    let input = root.get("InputDataConfig").map(|m| &m.value);
    let output = root.get("OutputDataConfig").map(|m| &m.value);
    let key = output.and_then(|o| o.get("EncryptionKey")).map(|k| EncryptionKey {
        key_type: str_at(&k.value, "Type").unwrap_or("KMS").to_owned(),
        id: str_at(&k.value, "Id").unwrap_or_default().to_owned(),
    });
    let strings = |k: &str| -> Vec<String> {
        match root.get(k).map(|m| &m.value.kind) {
            Some(Kind::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        }
    };
    // A request has no id yet: the file name stands for it.
    let job_id = std::path::Path::new(path).file_stem().map_or("job".into(), |s| s.to_string_lossy().into_owned());
    let job = TranslationJob {
        job_id: job_id.clone(),
        account: ctx.account.clone(),
        region: ctx.region.clone(),
        job_name: s("JobName"),
        job_status: Some("SUBMITTED".into()),
        source_language_code: s("SourceLanguageCode"),
        target_language_codes: strings("TargetLanguageCodes"),
        terminology_names: strings("TerminologyNames"),
        parallel_data_names: strings("ParallelDataNames"),
        input_data_config: InputDataConfig {
            s3_uri: input.and_then(|i| str_at(i, "S3Uri")).unwrap_or_default().to_owned(),
            content_type: input.and_then(|i| str_at(i, "ContentType")).map(str::to_owned),
        },
        output_data_config: OutputDataConfig {
            s3_uri: output.and_then(|o| str_at(o, "S3Uri")).unwrap_or_default().to_owned(),
            encryption_key: key,
        },
        data_access_role_arn: s("DataAccessRoleArn").unwrap_or_default(),
        ..Default::default()
    };
    let job_arn = format!("arn:aws:translate:{}:{}:text-translation-job/{job_id}", ctx.region, ctx.account);
    let at = |k: &str, fallback: Pos| root.get(k).map_or(fallback, |m| m.key_pos);
    f.places
        .insert(job_arn, Places { declared: Some(loc(path, at("OutputDataConfig", root.pos))), ..Default::default() });
    f.places.insert(
        job.input_data_config.s3_uri.clone(),
        Places { declared: Some(loc(path, at("InputDataConfig", root.pos))), ..Default::default() },
    );
    if let Some(k) = &job.output_data_config.encryption_key {
        f.places
            .entry(k.id.clone())
            .or_insert(Places { declared: Some(loc(path, at("OutputDataConfig", root.pos))), ..Default::default() });
    }
    f.inventory.jobs.push(job);
}

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

fn scalar_text(v: &Value) -> Option<String> {
    match &v.kind {
        Kind::String(s) | Kind::Number(s) => Some(s.clone()),
        Kind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn policy_from(f: &mut Fragment, path: &str, source: String, doc: &Value) -> Option<String> {
    let policy = Policy::from_json(source, doc);
    let text = policy.is_ok().then(|| to_json_text(doc));
    f.policies.push(EmbeddedPolicy { file: path.to_owned(), policy });
    text
}

/// Serializes a spanned value back to JSON text, for the inventory (which keeps documents as text).
fn to_json_text(v: &Value) -> String {
    fn go(v: &Value) -> serde_json::Value {
        match &v.kind {
            Kind::Null => serde_json::Value::Null,
            Kind::Bool(b) => serde_json::Value::Bool(*b),
            Kind::Number(n) => serde_json::from_str(n).unwrap_or(serde_json::Value::String(n.clone())),
            Kind::String(s) => serde_json::Value::String(s.clone()),
            Kind::Array(items) => serde_json::Value::Array(items.iter().map(go).collect()),
            Kind::Object(ms) => serde_json::Value::Object(ms.iter().map(|m| (m.key.clone(), go(&m.value))).collect()),
        }
    }
    go(v).to_string()
}

fn cloudformation(f: &mut Fragment, ctx: &Ctx, path: &str, root: &Value) {
    let by_name = |section: &str| -> BTreeMap<&str, &Value> {
        root.get(section)
            .map(|m| members(&m.value).iter().map(|r| (r.key.as_str(), &r.value)).collect())
            .unwrap_or_default()
    };
    let t = Template { ctx, resources: by_name("Resources"), parameters: by_name("Parameters") };
    let mut aliases: Vec<(String, String)> = Vec::new();
    let mut role_policies: Vec<(String, NamedPolicy)> = Vec::new();
    for (&logical, resource) in &t.resources {
        let Some(kind) = str_at(resource, "Type") else { continue };
        let declared = Some(loc(path, resource.pos));
        let props = t.props(logical).map(|p| t.resolve(p));
        let prop = |k: &str| props.as_ref().and_then(|p| p.get(k));
        match kind {
            "AWS::IAM::Role" => {
                let name = t.ref_value(logical).unwrap_or_else(|| logical.to_owned());
                let arn = ctx.role_arn(&name);
                let mut role = IamRole {
                    arn: arn.clone(),
                    name: name.clone(),
                    account: ctx.account.clone(),
                    ..Default::default()
                };
                let mut places = Places { declared, ..Default::default() };
                if let Some(m) = prop("AssumeRolePolicyDocument") {
                    places.trust = Some(loc(path, m.value.pos));
                    role.trust_policy =
                        policy_from(f, path, format!("{path}#{logical}.AssumeRolePolicyDocument"), &m.value)
                            .unwrap_or_default();
                }
                if let Some(Kind::Array(list)) = prop("Policies").map(|m| &m.value.kind) {
                    for p in list {
                        let Some(doc) = p.get("PolicyDocument") else { continue };
                        places.policy.get_or_insert(loc(path, doc.value.pos));
                        let document = policy_from(f, path, format!("{path}#{logical}.Policies"), &doc.value);
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
                f.places.insert(arn, places);
                f.inventory.roles.push(role);
            }
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::IAM::RolePolicy" => {
                let Some(doc) = prop("PolicyDocument") else { continue };
                let name = prop("PolicyName")
                    .or(prop("ManagedPolicyName"))
                    .and_then(|m| m.value.as_str())
                    .unwrap_or(logical)
                    .to_owned();
                let document = policy_from(f, path, format!("{path}#{logical}"), &doc.value);
                let roles: Vec<String> = match prop("Roles").map(|m| &m.value.kind) {
                    Some(Kind::Array(rs)) => rs.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect(),
                    _ => {
                        prop("RoleName").and_then(|m| m.value.as_str()).map(|r| vec![r.to_owned()]).unwrap_or_default()
                    }
                };
                for r in roles {
                    role_policies.push((
                        ctx.role_arn(&r),
                        NamedPolicy { name: name.clone(), arn: None, document: document.clone() },
                    ));
                    f.places.entry(ctx.role_arn(&r)).or_default().policy.get_or_insert(loc(path, doc.value.pos));
                }
            }
            "AWS::KMS::Key" => {
                let arn = ctx.key_arn(logical);
                let mut places = Places { declared, ..Default::default() };
                let policy = prop("KeyPolicy").and_then(|m| {
                    places.policy = Some(loc(path, m.value.pos));
                    policy_from(f, path, format!("{path}#{logical}.KeyPolicy"), &m.value)
                });
                let flag = |k: &str, default: bool| match prop(k).map(|m| &m.value.kind) {
                    Some(Kind::Bool(b)) => *b,
                    Some(Kind::String(s)) => s == "true",
                    _ => default,
                };
                let text = |k: &str| prop(k).and_then(|m| m.value.as_str()).map(str::to_owned);
                f.inventory.keys.push(KmsKey {
                    arn: arn.clone(),
                    key_id: logical.to_owned(),
                    account: ctx.account.clone(),
                    region: ctx.region.clone(),
                    metadata: Some(KeyMetadata {
                        key_state: if flag("Enabled", true) { "Enabled".into() } else { "Disabled".into() },
                        key_manager: "CUSTOMER".into(),
                        key_usage: Some(text("KeyUsage").unwrap_or_else(|| "ENCRYPT_DECRYPT".into())),
                        key_spec: Some(text("KeySpec").unwrap_or_else(|| "SYMMETRIC_DEFAULT".into())),
                        multi_region: Some(flag("MultiRegion", false)),
                        ..Default::default()
                    }),
                    policy,
                    rotation_enabled: Some(flag("EnableKeyRotation", false)),
                    grants: Some(Vec::new()),
                    ..Default::default()
                });
                f.places.insert(arn, places);
            }
            "AWS::KMS::Alias" => {
                if let (Some(name), Some(target)) = (
                    prop("AliasName").and_then(|m| m.value.as_str()),
                    prop("TargetKeyId").and_then(|m| m.value.as_str()),
                ) {
                    aliases.push((name.to_owned(), target.to_owned()));
                }
            }
            "AWS::S3::Bucket" => {
                let name = t.ref_value(logical).unwrap_or_else(|| logical.to_lowercase());
                let mut rules = Vec::new();
                let config = prop("BucketEncryption").and_then(|m| m.value.get("ServerSideEncryptionConfiguration"));
                if let Some(Kind::Array(list)) = config.map(|m| &m.value.kind) {
                    for r in list {
                        let by_default = r.get("ServerSideEncryptionByDefault").map(|m| &m.value);
                        rules.push(EncryptionRule {
                            sse_algorithm: by_default
                                .and_then(|d| str_at(d, "SSEAlgorithm"))
                                .unwrap_or_default()
                                .to_owned(),
                            kms_master_key_id: by_default.and_then(|d| str_at(d, "KMSMasterKeyID")).map(str::to_owned),
                            bucket_key_enabled: match r.get("BucketKeyEnabled").map(|m| &m.value.kind) {
                                Some(Kind::Bool(b)) => Some(*b),
                                _ => None,
                            },
                        });
                    }
                }
                // Since January 2023 S3 encrypts every new bucket with SSE-S3 when nothing else is set.
                if rules.is_empty() {
                    rules.push(EncryptionRule { sse_algorithm: "AES256".into(), ..Default::default() });
                }
                f.places.insert(format!("arn:aws:s3:::{name}"), Places { declared, ..Default::default() });
                f.inventory.buckets.push(Bucket {
                    name,
                    account: Some(ctx.account.clone()),
                    region: Some(ctx.region.clone()),
                    encryption_rules: rules,
                    policy: None,
                });
            }
            "AWS::S3::BucketPolicy" => {
                let (Some(bucket), Some(doc)) = (prop("Bucket").and_then(|m| m.value.as_str()), prop("PolicyDocument"))
                else {
                    continue;
                };
                let text = policy_from(f, path, format!("{path}#{logical}"), &doc.value);
                let arn = format!("arn:aws:s3:::{bucket}");
                f.places.entry(arn).or_default().policy = Some(loc(path, doc.value.pos));
                bucket_policies_pending(f, bucket, text);
            }
            _ => {}
        }
    }
    attach(f, ctx, aliases, role_policies);
}

/// A bucket policy may come before its bucket in the template: keep it until the bucket is known.
fn bucket_policies_pending(f: &mut Fragment, bucket: &str, text: Option<String>) {
    match f.inventory.buckets.iter_mut().find(|b| b.name == bucket) {
        Some(b) => b.policy = text,
        None => f.inventory.buckets.push(Bucket { name: bucket.to_owned(), policy: text, ..Default::default() }),
    }
}

fn attach(f: &mut Fragment, ctx: &Ctx, aliases: Vec<(String, String)>, role_policies: Vec<(String, NamedPolicy)>) {
    for (alias, target) in aliases {
        let target_arn = if target.starts_with("arn:") { target } else { ctx.key_arn(&target) };
        if let Some(k) = f.inventory.keys.iter_mut().find(|k| k.arn == target_arn || k.key_id == target_arn) {
            k.aliases.push(alias);
        }
    }
    for (role, policy) in role_policies {
        if let Some(r) = f.inventory.roles.iter_mut().find(|r| r.arn == role) {
            r.inline_policies.push(policy);
        }
    }
    merge_buckets(f);
}

fn terraform(f: &mut Fragment, ctx: &Ctx, path: &str, root: &Value) {
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
    let mut aliases = Vec::new();
    let mut role_policies = Vec::new();
    let key_arn_of = |address: &str| ctx.key_arn(address);
    for r in resources {
        let (Some(kind), Some(address)) = (str_at(r, "type"), str_at(r, "address")) else { continue };
        let Some(values) = r.get("values").map(|m| &m.value) else { continue };
        let declared = Some(loc(path, r.pos));
        let text = |k: &str| str_at(values, k).map(str::to_owned);
        // Policies are JSON strings in a plan: parsed as documents of their own, located at the attribute.
        let embedded = |f: &mut Fragment, k: &str| -> Option<(String, Location)> {
            let m = values.get(k)?;
            let s = m.value.as_str()?;
            let policy = Policy::parse(format!("{path}#{address}.{k}"), s);
            let ok = policy.is_ok();
            f.policies.push(EmbeddedPolicy {
                file: path.to_owned(),
                policy: policy.map_err(|e| PolicyError { pos: m.value.pos, message: e.message }),
            });
            ok.then(|| (s.to_owned(), loc(path, m.value.pos)))
        };
        match kind {
            "aws_iam_role" => {
                let name = text("name").unwrap_or_else(|| address.to_owned());
                let arn = text("arn").unwrap_or_else(|| ctx.role_arn(&name));
                let mut places = Places { declared, ..Default::default() };
                let trust = embedded(f, "assume_role_policy").map(|(t, l)| {
                    places.trust = Some(l);
                    t
                });
                f.places.insert(arn.clone(), places);
                f.inventory.roles.push(IamRole {
                    arn,
                    name,
                    account: ctx.account.clone(),
                    trust_policy: trust.unwrap_or_default(),
                    ..Default::default()
                });
            }
            "aws_iam_role_policy" => {
                let role = text("role").unwrap_or_default();
                if let Some((doc, l)) = embedded(f, "policy") {
                    let arn = ctx.role_arn(&role);
                    f.places.entry(arn.clone()).or_default().policy.get_or_insert(l);
                    role_policies.push((
                        arn,
                        NamedPolicy {
                            name: text("name").unwrap_or_else(|| address.into()),
                            arn: None,
                            document: Some(doc),
                        },
                    ));
                }
            }
            "aws_kms_key" => {
                let arn = text("arn").unwrap_or_else(|| key_arn_of(address));
                let mut places = Places { declared, ..Default::default() };
                let policy = embedded(f, "policy").map(|(t, l)| {
                    places.policy = Some(l);
                    t
                });
                let flag = |k: &str, default: bool| match values.get(k).map(|m| &m.value.kind) {
                    Some(Kind::Bool(b)) => *b,
                    _ => default,
                };
                f.places.insert(arn.clone(), places);
                f.inventory.keys.push(KmsKey {
                    arn: arn.clone(),
                    key_id: text("key_id").unwrap_or_else(|| address.to_owned()),
                    account: ctx.account.clone(),
                    region: ctx.region.clone(),
                    metadata: Some(KeyMetadata {
                        key_state: if flag("is_enabled", true) { "Enabled".into() } else { "Disabled".into() },
                        key_manager: "CUSTOMER".into(),
                        key_usage: Some(text("key_usage").unwrap_or_else(|| "ENCRYPT_DECRYPT".into())),
                        key_spec: Some(text("customer_master_key_spec").unwrap_or_else(|| "SYMMETRIC_DEFAULT".into())),
                        multi_region: Some(flag("multi_region", false)),
                        ..Default::default()
                    }),
                    policy,
                    rotation_enabled: Some(flag("enable_key_rotation", false)),
                    grants: Some(Vec::new()),
                    ..Default::default()
                });
            }
            "aws_kms_alias" => {
                let target = text("target_key_id").or_else(|| {
                    references.get(address).and_then(|refs| refs.get("target_key_id")).map(|r| key_arn_of(r))
                });
                if let (Some(name), Some(target)) = (text("name"), target) {
                    aliases.push((name, target));
                }
            }
            "aws_s3_bucket" => {
                let name = text("bucket").unwrap_or_else(|| address.to_owned());
                f.places.entry(format!("arn:aws:s3:::{name}")).or_default().declared = declared;
                f.inventory.buckets.push(Bucket {
                    name,
                    account: Some(ctx.account.clone()),
                    region: Some(ctx.region.clone()),
                    encryption_rules: vec![EncryptionRule { sse_algorithm: "AES256".into(), ..Default::default() }],
                    policy: None,
                });
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
                        rules.push(EncryptionRule {
                            sse_algorithm: d.and_then(|d| str_at(d, "sse_algorithm")).unwrap_or_default().to_owned(),
                            kms_master_key_id: d.and_then(|d| str_at(d, "kms_master_key_id")).map(str::to_owned),
                            bucket_key_enabled: match r.get("bucket_key_enabled").map(|m| &m.value.kind) {
                                Some(Kind::Bool(b)) => Some(*b),
                                _ => None,
                            },
                        });
                    }
                }
                f.inventory.buckets.push(Bucket { name: bucket, encryption_rules: rules, ..Default::default() });
            }
            "aws_s3_bucket_policy" => {
                let Some(bucket) = text("bucket") else { continue };
                if let Some((doc, l)) = embedded(f, "policy") {
                    f.places.entry(format!("arn:aws:s3:::{bucket}")).or_default().policy = Some(l);
                    f.inventory.buckets.push(Bucket { name: bucket, policy: Some(doc), ..Default::default() });
                }
            }
            _ => {}
        }
    }
    attach(f, ctx, aliases, role_policies);
}

/// A bucket can be declared by several resources (a CloudFormation bucket and its policy; a Terraform
/// bucket, its encryption configuration and its policy): one bucket each, with what each part says.
fn merge_buckets(f: &mut Fragment) {
    let mut merged: Vec<Bucket> = Vec::new();
    for b in std::mem::take(&mut f.inventory.buckets) {
        match merged.iter_mut().find(|m| m.name == b.name) {
            Some(m) => {
                if b.policy.is_some() {
                    m.policy = b.policy;
                }
                // The declaration (with a region) defaults to SSE-S3; an explicit configuration wins.
                if b.region.is_some() {
                    m.region = b.region;
                    m.account = b.account;
                    if m.encryption_rules.is_empty() {
                        m.encryption_rules = b.encryption_rules;
                    }
                } else if !b.encryption_rules.is_empty() {
                    m.encryption_rules = b.encryption_rules;
                }
            }
            None => merged.push(b),
        }
    }
    f.inventory.buckets = merged;
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

/// Roles, keys and buckets that the jobs use but no file declares are outside the linted files: record
/// them as gaps so the rules about them say UNKNOWN, which the linter drops as not judged.
fn record_outside_references(f: &mut Fragment) {
    let mut gaps = Vec::new();
    let inv = &f.inventory;
    let gap = |service: &str, operation: &str, resource: String| Gap {
        service: service.into(),
        operation: operation.into(),
        resource,
        error_code: Some("NotInLintedFiles".into()),
        message: "not described by the linted files".into(),
    };
    for j in &inv.jobs {
        if !inv.roles.iter().any(|r| r.arn == j.data_access_role_arn) {
            gaps.push(gap("iam", "GetRole", j.data_access_role_arn.clone()));
        }
        if let Some(k) = &j.output_data_config.encryption_key {
            let known = inv.keys.iter().any(|key| {
                key.arn == k.id
                    || key.key_id == k.id
                    || key.aliases.contains(&k.id)
                    || k.id.ends_with(&format!(":{}", key.aliases.first().cloned().unwrap_or_default()))
            });
            if !known {
                gaps.push(gap("kms", "DescribeKey", k.id.clone()));
            }
        }
        for uri in [&j.input_data_config.s3_uri, &j.output_data_config.s3_uri] {
            if let Some(bucket) = uri.strip_prefix("s3://").map(|r| r.split('/').next().unwrap_or(r))
                && !inv.buckets.iter().any(|b| b.name == bucket)
            {
                for op in ["GetBucketEncryption", "GetBucketPolicy", "GetBucketLocation"] {
                    gaps.push(gap("s3", op, bucket.to_owned()));
                }
            }
        }
    }
    gaps.sort_by(|a, b| (&a.resource, &a.operation).cmp(&(&b.resource, &b.operation)));
    gaps.dedup();
    f.inventory.gaps.extend(gaps);
}
