//! A CloudFormation template (JSON or YAML) read into the roles, keys, aliases and buckets it declares,
//! with `Ref`, `Fn::GetAtt`, `Fn::Sub` and `Fn::Join` resolved inside the template.

use std::collections::BTreeMap;

use super::{Ctx, Declaration, KeySettings, embedded, encryption_rule, loc, members, scalar_text, str_at};
use crate::inventory::{Bucket, CustomResource, IamRole, NamedPolicy};
use crate::policy::json::{Kind, Member, Value};
use crate::vocab::Origin;

/// CloudFormation intrinsic functions, resolved where they point inside the template.
///
/// What the template cannot tell before deployment (a parameter without a default, an imported value, a
/// condition on one, a `Ref` of a type whose return value is not modelled) becomes an *unresolved* value: a
/// string `${cloudformation:WHAT}`, which the policy layer reads as a policy variable no request carries,
/// so a statement that needs it is not judged (never a malformed policy).
struct Template<'a> {
    ctx: &'a Ctx,
    resources: BTreeMap<String, Value>,
    parameters: BTreeMap<&'a str, &'a Value>,
    mappings: Option<&'a Value>,
    conditions: BTreeMap<&'a str, &'a Value>,
}

/// What an intrinsic function gives.
enum Resolved {
    Value(Kind),
    /// `Ref: AWS::NoValue`: the property or list item is removed.
    NoValue,
}

/// The value that stands for what the template cannot tell.
fn unresolved(what: &str) -> Kind {
    Kind::String(format!("${{cloudformation:{what}}}"))
}

/// What `Ref` returns and how `Fn::GetAtt …Arn` reads, for the types that appear in policies
/// (CloudFormation User Guide, each resource type's "Return values"): the property that names the
/// resource, and the ARN of that name (`{p}` partition, `{r}` region, `{a}` account, `{n}` name).
/// Types not listed here are unresolved.
const RETURN_VALUES: &[(&str, &str, RefReturns, &str, &str)] = &[
    // (type, name property, what Ref returns, the GetAtt attribute that is the ARN, the ARN's format)
    ("AWS::SecretsManager::Secret", "Name", RefReturns::Arn, "Id", "arn:{p}:secretsmanager:{r}:{a}:secret:{n}"),
    ("AWS::SNS::Topic", "TopicName", RefReturns::Arn, "TopicArn", "arn:{p}:sns:{r}:{a}:{n}"),
    ("AWS::IAM::ManagedPolicy", "ManagedPolicyName", RefReturns::Arn, "PolicyArn", "arn:{p}:iam::{a}:policy/{n}"),
    (
        "AWS::StepFunctions::StateMachine",
        "StateMachineName",
        RefReturns::Arn,
        "Arn",
        "arn:{p}:states:{r}:{a}:stateMachine:{n}",
    ),
    ("AWS::IAM::User", "UserName", RefReturns::Name, "Arn", "arn:{p}:iam::{a}:user/{n}"),
    ("AWS::IAM::Group", "GroupName", RefReturns::Name, "Arn", "arn:{p}:iam::{a}:group/{n}"),
    (
        "AWS::IAM::InstanceProfile",
        "InstanceProfileName",
        RefReturns::Name,
        "Arn",
        "arn:{p}:iam::{a}:instance-profile/{n}",
    ),
    ("AWS::Lambda::Function", "FunctionName", RefReturns::Name, "Arn", "arn:{p}:lambda:{r}:{a}:function:{n}"),
    ("AWS::DynamoDB::Table", "TableName", RefReturns::Name, "Arn", "arn:{p}:dynamodb:{r}:{a}:table/{n}"),
    ("AWS::SQS::Queue", "QueueName", RefReturns::Url, "Arn", "arn:{p}:sqs:{r}:{a}:{n}"),
    ("AWS::Kinesis::Stream", "Name", RefReturns::Name, "Arn", "arn:{p}:kinesis:{r}:{a}:stream/{n}"),
    ("AWS::Logs::LogGroup", "LogGroupName", RefReturns::Name, "Arn", "arn:{p}:logs:{r}:{a}:log-group:{n}:*"),
    ("AWS::ECR::Repository", "RepositoryName", RefReturns::Name, "Arn", "arn:{p}:ecr:{r}:{a}:repository/{n}"),
    ("AWS::Translate::Terminology", "Name", RefReturns::Unmodelled, "Arn", "arn:{p}:translate:{r}:{a}:terminology/{n}"),
    (
        "AWS::Translate::ParallelData",
        "Name",
        RefReturns::Unmodelled,
        "Arn",
        "arn:{p}:translate:{r}:{a}:parallel-data/{n}",
    ),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum RefReturns {
    Name,
    Arn,
    /// SQS: the queue's URL.
    Url,
    Unmodelled,
}

impl<'a> Template<'a> {
    fn new(ctx: &'a Ctx, root: &'a Value) -> Template<'a> {
        let by_name = |section: &str| -> BTreeMap<&'a str, &'a Value> {
            root.get(section)
                .map(|m| members(&m.value).iter().map(|r| (r.key.as_str(), &r.value)).collect())
                .unwrap_or_default()
        };
        let mut t = Template {
            ctx,
            resources: BTreeMap::new(),
            parameters: by_name("Parameters"),
            mappings: root.get("Mappings").map(|m| &m.value),
            conditions: by_name("Conditions"),
        };
        let mut resources = BTreeMap::new();
        for r in root.get("Resources").map(|m| members(&m.value)).unwrap_or_default() {
            match r.key.strip_prefix("Fn::ForEach::") {
                Some(_) => resources.extend(t.for_each(&r.value)),
                None => {
                    resources.insert(r.key.clone(), r.value.clone());
                }
            }
        }
        t.resources = resources;
        t
    }

    /// `Fn::ForEach::Name: [Identifier, Collection, {KeyTemplate: Resource}]` (AWS::LanguageExtensions),
    /// expanded where the collection is known; resources of an unknown collection are not declared.
    fn for_each(&self, v: &Value) -> Vec<(String, Value)> {
        let Kind::Array(parts) = &v.kind else { return Vec::new() };
        let [identifier, collection, body] = &parts[..] else { return Vec::new() };
        let Some(identifier) = identifier.as_str() else { return Vec::new() };
        let items: Vec<String> = match self.resolve(collection) {
            Some(Value { kind: Kind::Array(items), .. }) => match items.iter().map(scalar_text).collect() {
                Some(items) => items,
                None => return Vec::new(),
            },
            _ => return Vec::new(),
        };
        let mut out = Vec::new();
        for item in &items {
            for m in members(body) {
                let key = replace_identifier(&m.key, identifier, item);
                out.push((key, substitute_identifier(&m.value, identifier, item)));
            }
        }
        out
    }

    fn kind_of(&self, logical: &str) -> Option<&str> {
        str_at(self.resources.get(logical)?, "Type")
    }

    fn props(&self, logical: &str) -> Option<&Value> {
        Some(&self.resources.get(logical)?.get("Properties")?.value)
    }

    /// A property naming the resource, resolved: `None` when it is absent (CloudFormation makes a name).
    fn named(&self, logical: &str, property: &str) -> Option<String> {
        self.props(logical)?.get(property).and_then(|m| self.resolve(&m.value)).and_then(|v| scalar_text(&v))
    }

    /// What `Ref` returns: a pseudo parameter, a parameter's default, or a resource's return value.
    fn ref_value(&self, name: &str) -> Option<Kind> {
        let text = |s: String| Some(Kind::String(s));
        match name {
            "AWS::AccountId" => return text(self.ctx.account.clone()),
            "AWS::Region" => return text(self.ctx.region.clone()),
            "AWS::Partition" => return text("aws".into()),
            "AWS::URLSuffix" => return text("amazonaws.com".into()),
            "AWS::StackName" => return text("stack".into()),
            _ => {}
        }
        if let Some(p) = self.parameters.get(name) {
            let default = p.get("Default").map(|d| &d.value)?;
            // A list parameter's Ref is the list its comma-separated default names.
            let list = str_at(p, "Type").is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
            return match (&default.kind, list) {
                (Kind::String(s), true) => Some(Kind::Array(
                    s.split(',').map(|i| Value { pos: default.pos, kind: Kind::String(i.trim().to_owned()) }).collect(),
                )),
                _ => scalar_text(default).map(Kind::String).or_else(|| Some(default.kind.clone())),
            };
        }
        let named = |k: &str| self.named(name, k);
        match self.kind_of(name)? {
            "AWS::IAM::Role" => text(named("RoleName").unwrap_or_else(|| name.to_owned())),
            "AWS::S3::Bucket" => text(named("BucketName").unwrap_or_else(|| name.to_lowercase())),
            "AWS::KMS::Key" => text(name.to_owned()),
            "AWS::KMS::Alias" => named("AliasName").map(Kind::String),
            kind => {
                let (_, property, returns, _, arn) = RETURN_VALUES.iter().find(|(t, ..)| *t == kind)?;
                let n = named(property).unwrap_or_else(|| format!("${{cloudformation:name:{name}}}"));
                match returns {
                    RefReturns::Name => text(n),
                    RefReturns::Arn => text(self.arn_of(arn, &n)),
                    RefReturns::Url => {
                        text(format!("https://sqs.{}.amazonaws.com/{}/{n}", self.ctx.region, self.ctx.account))
                    }
                    RefReturns::Unmodelled => None,
                }
            }
        }
    }

    fn arn_of(&self, format: &str, name: &str) -> String {
        format
            .replace("{p}", "aws")
            .replace("{r}", &self.ctx.region)
            .replace("{a}", &self.ctx.account)
            .replace("{n}", name)
    }

    fn get_att(&self, name: &str, attribute: &str) -> Option<String> {
        let kind = self.kind_of(name)?;
        let text = |k: Option<Kind>| match k? {
            Kind::String(s) => Some(s),
            _ => None,
        };
        match (kind, attribute) {
            ("AWS::IAM::Role", "Arn") => Some(self.ctx.role_arn(&text(self.ref_value(name))?)),
            ("AWS::KMS::Key", "Arn") => Some(self.ctx.key_arn(name)),
            ("AWS::KMS::Key", "KeyId") => Some(name.to_owned()),
            ("AWS::S3::Bucket", "Arn") => Some(format!("arn:aws:s3:::{}", text(self.ref_value(name))?)),
            _ => {
                let (_, property, _, arn_attribute, arn) = RETURN_VALUES.iter().find(|(t, ..)| *t == kind)?;
                if attribute != *arn_attribute {
                    return None;
                }
                let n = self.named(name, property).unwrap_or_else(|| format!("${{cloudformation:name:{name}}}"));
                Some(self.arn_of(arn, &n))
            }
        }
    }

    /// The value with every intrinsic function replaced by its result, or by an unresolved value; `None`
    /// for `AWS::NoValue`, which removes the property or list item holding it.
    fn resolve(&self, v: &Value) -> Option<Value> {
        if let Kind::Object(ms) = &v.kind
            && ms.len() == 1
            && is_intrinsic(&ms[0].key)
        {
            let kind = match self.intrinsic(&ms[0].key, &ms[0].value) {
                Some(Resolved::Value(kind)) => kind,
                Some(Resolved::NoValue) => return None,
                None => unresolved(&ms[0].key),
            };
            return Some(Value { pos: v.pos, kind });
        }
        let kind = match &v.kind {
            Kind::Object(ms) => Kind::Object(
                ms.iter()
                    .filter_map(|m| {
                        Some(Member { key: m.key.clone(), key_pos: m.key_pos, value: self.resolve(&m.value)? })
                    })
                    .collect(),
            ),
            Kind::Array(items) => Kind::Array(items.iter().filter_map(|i| self.resolve(i)).collect()),
            other => other.clone(),
        };
        Some(Value { pos: v.pos, kind })
    }

    /// A value resolved to text, if it resolves to a known scalar.
    fn text(&self, v: &Value) -> Option<String> {
        let v = self.resolve(v)?;
        if v.as_str().is_some_and(|s| s.starts_with("${cloudformation:")) {
            return None;
        }
        scalar_text(&v)
    }

    fn intrinsic(&self, function: &str, arg: &Value) -> Option<Resolved> {
        let value = |k: Kind| Some(Resolved::Value(k));
        match function {
            "Ref" => {
                let name = arg.as_str()?;
                if name == "AWS::NoValue" {
                    return Some(Resolved::NoValue);
                }
                value(self.ref_value(name).unwrap_or_else(|| unresolved(&format!("Ref:{name}"))))
            }
            "Fn::GetAtt" => {
                let (r, a) = match &arg.kind {
                    Kind::Array(parts) if parts.len() == 2 => (parts[0].as_str()?, self.text(&parts[1])?),
                    Kind::String(s) => {
                        let (r, a) = s.split_once('.')?;
                        (r, a.to_owned())
                    }
                    _ => return None,
                };
                value(self.get_att(r, &a).map(Kind::String).unwrap_or_else(|| unresolved(&format!("GetAtt:{r}.{a}"))))
            }
            "Fn::Join" => {
                let Kind::Array(parts) = &arg.kind else { return None };
                let [delim, list] = &parts[..] else { return None };
                let Kind::Array(items) = self.resolve(list)?.kind else { return None };
                let texts: Option<Vec<String>> = items.iter().map(|i| self.text(i)).collect();
                value(Kind::String(texts?.join(delim.as_str()?)))
            }
            "Fn::Sub" => {
                let (text, vars) = match &arg.kind {
                    Kind::String(s) => (s.as_str(), None),
                    Kind::Array(parts) if parts.len() == 2 => (parts[0].as_str()?, Some(&parts[1])),
                    _ => return None,
                };
                value(Kind::String(self.substitute(text, vars)?))
            }
            "Fn::FindInMap" => {
                let Kind::Array(parts) = &arg.kind else { return None };
                let [map, top, second, ..] = &parts[..] else { return None };
                let (map, top, second) = (self.text(map)?, self.text(top)?, self.text(second)?);
                let found = self.mappings?.get(&map)?.value.get(&top)?.value.get(&second)?;
                Some(Resolved::Value(self.resolve(&found.value)?.kind))
            }
            "Fn::Select" => {
                let Kind::Array(parts) = &arg.kind else { return None };
                let [index, list] = &parts[..] else { return None };
                let index: usize = self.text(index)?.parse().ok()?;
                let Kind::Array(items) = self.resolve(list)?.kind else { return None };
                Some(Resolved::Value(items.into_iter().nth(index)?.kind))
            }
            "Fn::Split" => {
                let Kind::Array(parts) = &arg.kind else { return None };
                let [delim, text] = &parts[..] else { return None };
                let (delim, text) = (delim.as_str()?, self.text(text)?);
                let pos = arg.pos;
                value(Kind::Array(text.split(delim).map(|s| Value { pos, kind: Kind::String(s.to_owned()) }).collect()))
            }
            "Fn::If" => {
                let Kind::Array(parts) = &arg.kind else { return None };
                let [condition, yes, no] = &parts[..] else { return None };
                let branch = match self.condition(condition.as_str()?, 0)? {
                    true => yes,
                    false => no,
                };
                match self.resolve(branch) {
                    Some(v) => Some(Resolved::Value(v.kind)),
                    None => Some(Resolved::NoValue),
                }
            }
            _ => None,
        }
    }

    /// A named condition's value, when the template tells it (`depth` bounds conditions naming conditions).
    fn condition(&self, name: &str, depth: usize) -> Option<bool> {
        self.condition_value(self.conditions.get(name)?, depth + 1)
    }

    fn condition_value(&self, v: &Value, depth: usize) -> Option<bool> {
        if depth > 32 {
            return None;
        }
        let [m] = v.as_object()? else { return None };
        let args = || match &m.value.kind {
            Kind::Array(items) => Some(items.as_slice()),
            _ => None,
        };
        match m.key.as_str() {
            "Condition" => self.condition(m.value.as_str()?, depth),
            "Fn::Equals" => {
                let [a, b] = args()? else { return None };
                Some(self.text(a)? == self.text(b)?)
            }
            "Fn::Not" => Some(!self.condition_value(args()?.first()?, depth + 1)?),
            "Fn::And" => {
                let values: Vec<Option<bool>> = args()?.iter().map(|c| self.condition_value(c, depth + 1)).collect();
                if values.contains(&Some(false)) {
                    Some(false)
                } else {
                    values.into_iter().collect::<Option<Vec<_>>>().map(|_| true)
                }
            }
            "Fn::Or" => {
                let values: Vec<Option<bool>> = args()?.iter().map(|c| self.condition_value(c, depth + 1)).collect();
                if values.contains(&Some(true)) {
                    Some(true)
                } else {
                    values.into_iter().collect::<Option<Vec<_>>>().map(|_| false)
                }
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
            let given = vars.and_then(|v| v.get(name)).map(|m| self.text(&m.value));
            let value = match given {
                Some(v) => v,
                None => match name.split_once('.') {
                    Some((r, a)) => self.get_att(r, a),
                    None => match self.ref_value(name) {
                        Some(Kind::String(s)) => Some(s),
                        _ => None,
                    },
                },
            };
            // What the template does not tell stays a placeholder in the text, so the known parts still count.
            out.push_str(&value.unwrap_or_else(|| format!("${{cloudformation:Ref:{name}}}")));
        }
        out.push_str(rest);
        Some(out)
    }
}

/// A one-member object naming an intrinsic function (or a condition, as `Fn::If` arguments hold).
fn is_intrinsic(key: &str) -> bool {
    key == "Ref" || key.starts_with("Fn::")
}

/// `${Identifier}` and `&{Identifier}` in a ForEach key or string replaced by the item.
fn replace_identifier(text: &str, identifier: &str, item: &str) -> String {
    let alnum: String = item.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    text.replace(&format!("${{{identifier}}}"), item).replace(&format!("&{{{identifier}}}"), &alnum)
}

/// A ForEach body with the identifier replaced: in strings (`Fn::Sub` texts included) and `Ref`s of it.
fn substitute_identifier(v: &Value, identifier: &str, item: &str) -> Value {
    let kind = match &v.kind {
        Kind::Object(ms) if ms.len() == 1 && ms[0].key == "Ref" && ms[0].value.as_str() == Some(identifier) => {
            Kind::String(item.to_owned())
        }
        Kind::Object(ms) => Kind::Object(
            ms.iter()
                .map(|m| Member {
                    key: replace_identifier(&m.key, identifier, item),
                    key_pos: m.key_pos,
                    value: substitute_identifier(&m.value, identifier, item),
                })
                .collect(),
        ),
        Kind::Array(items) => Kind::Array(items.iter().map(|i| substitute_identifier(i, identifier, item)).collect()),
        Kind::String(s) => Kind::String(replace_identifier(s, identifier, item)),
        other => other.clone(),
    };
    Value { pos: v.pos, kind }
}

/// What a CloudFormation template declares: roles and their policies, keys and aliases, buckets and
/// bucket policies, each with where it is written.
pub fn declarations(ctx: &Ctx, path: &str, root: &Value) -> Vec<Declaration> {
    let t = Template::new(ctx, root);
    let mut out = Vec::new();
    for (logical, resource) in &t.resources {
        let logical = logical.as_str();
        let Some(kind) = str_at(resource, "Type") else { continue };
        let declared = Some(loc(path, resource.pos));
        let props = t.props(logical).and_then(|p| t.resolve(p));
        let prop = |k: &str| props.as_ref().and_then(|p| p.get(k));
        match kind {
            "AWS::IAM::Role" => {
                let name = t.named(logical, "RoleName").unwrap_or_else(|| logical.to_owned());
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
                            name: crate::vocab::aws::Arn::parse(p).map_or(p, |a| a.resource_name()).into(),
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
                let name = t.named(logical, "BucketName").unwrap_or_else(|| logical.to_lowercase());
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
            // Custom terminologies and parallel data carry their own key (protect-terminology.md,
            // customizing-translations-parallel-data-adding.md): `EncryptionKey` {Type: KMS, Id: key ARN} as
            // the CloudFormation resources take it (CfnTerminology / CfnParallelData, EncryptionKeyProperty);
            // absent, the AWS owned key.
            "AWS::Translate::Terminology" | "AWS::Translate::ParallelData" => {
                let terminology = kind == "AWS::Translate::Terminology";
                let name = t.named(logical, "Name").unwrap_or_else(|| logical.to_owned());
                let what = if terminology { "terminology" } else { "parallel-data" };
                let encryption_key = prop("EncryptionKey").and_then(|m| {
                    let id = str_at(&m.value, "Id")?;
                    // A key of this template named by logical id or key id is that key's ARN.
                    let id = if id.starts_with("arn:") { id.to_owned() } else { ctx.key_arn(id) };
                    Some(crate::inventory::EncryptionKey {
                        key_type: str_at(&m.value, "Type").unwrap_or("KMS").to_owned(),
                        id,
                    })
                });
                let resource = CustomResource {
                    arn: format!("arn:aws:translate:{}:{}:{what}/{name}", ctx.region, ctx.account),
                    name,
                    account: ctx.account.clone(),
                    region: ctx.region.clone(),
                    status: None,
                    encryption_key,
                    origin: Some(Origin { declared, ..Default::default() }),
                };
                out.push(if terminology {
                    Declaration::Terminology(resource)
                } else {
                    Declaration::ParallelData(resource)
                });
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

/// The transforms a template names (`Transform: NAME`, a list of names, or `{Name: …}` objects).
fn transforms(root: &Value) -> Vec<&str> {
    let Some(t) = root.get("Transform") else { return Vec::new() };
    fn name(v: &Value) -> Option<&str> {
        v.as_str().or_else(|| str_at(v, "Name"))
    }
    match &t.value.kind {
        Kind::Array(items) => items.iter().filter_map(name).collect(),
        _ => name(&t.value).into_iter().collect(),
    }
}

const SAM: &str = "AWS::Serverless-2016-10-31";
const LANGUAGE_EXTENSIONS: &str = "AWS::LanguageExtensions";

/// What makes a template invalid, where: a misspelt section or resource attribute would otherwise drop
/// what it holds without a word. What CloudFormation accepts is accepted: the SAM transform's `Globals`
/// section and its `Connectors` and `IgnoreGlobals` attributes, `Fn::ForEach::…` resources under
/// `AWS::LanguageExtensions`, and `Version` on custom resources (cfn-lint's resource schema).
pub fn problems(root: &Value) -> Vec<(crate::vocab::Pos, String)> {
    let transforms = transforms(root);
    let sam = transforms.contains(&SAM);
    let extensions = transforms.contains(&LANGUAGE_EXTENSIONS);
    let mut out = Vec::new();
    for m in members(root) {
        if m.key == "Globals" && sam {
            continue;
        }
        if !SECTIONS.contains(&m.key.as_str()) {
            let near = SECTIONS.iter().find(|s| s.eq_ignore_ascii_case(&m.key) || s.trim_end_matches('s') == m.key);
            let hint = match (near, m.key.as_str()) {
                (Some(s), _) => format!(" (did you mean {s}?)"),
                (None, "Globals") => format!(" (Globals needs Transform: {SAM})"),
                _ => String::new(),
            };
            out.push((m.key_pos, format!("unknown template section \"{}\"{hint}", m.key)));
        }
    }
    match root.get("Resources") {
        None => out.push((root.pos, "no Resources section: a template declares its resources under Resources".into())),
        Some(resources) => {
            for r in members(&resources.value) {
                if r.key.starts_with("Fn::ForEach::") {
                    if !extensions {
                        out.push((r.key_pos, format!("{} needs Transform: {LANGUAGE_EXTENSIONS}", r.key)));
                    }
                    continue;
                }
                let kind = str_at(&r.value, "Type");
                match kind {
                    None => out.push((r.key_pos, format!("resource {} has no Type", r.key))),
                    Some(k) if k.starts_with("AWS::Serverless::") && !sam => out
                        .push((r.key_pos, format!("resource {} is of type {k}, which needs Transform: {SAM}", r.key))),
                    _ => {}
                }
                let custom =
                    kind.is_some_and(|k| k.starts_with("Custom::") || k == "AWS::CloudFormation::CustomResource");
                for a in members(&r.value) {
                    let accepted = RESOURCE_ATTRIBUTES.contains(&a.key.as_str())
                        || (a.key == "Version" && custom)
                        || (sam && (a.key == "Connectors" || a.key == "IgnoreGlobals"));
                    if !accepted {
                        let near = RESOURCE_ATTRIBUTES
                            .iter()
                            .find(|s| s.eq_ignore_ascii_case(&a.key) || strsim_close(s, &a.key));
                        let hint = match near {
                            Some(s) => format!(" (did you mean {s}?)"),
                            None if a.key == "Version" => " (Version is for custom resources)".into(),
                            None => String::new(),
                        };
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

/// Resources a transform makes at deployment, which the template does not show: not judged, named.
pub fn not_judged(root: &Value) -> Vec<(crate::vocab::Pos, String)> {
    let mut out = Vec::new();
    for r in root.get("Resources").map(|m| members(&m.value)).unwrap_or_default() {
        if let Some(k) = str_at(&r.value, "Type").filter(|k| k.starts_with("AWS::Serverless::")) {
            out.push((
                r.key_pos,
                format!("{} ({k}) becomes CloudFormation resources when the {SAM} transform runs: not judged", r.key),
            ));
        }
        if r.key.starts_with("Fn::ForEach::") && !for_each_is_known(root, &r.value) {
            out.push((r.key_pos, format!("{}: its collection is not known before deployment: not judged", r.key)));
        }
    }
    out
}

/// Whether a ForEach's collection is a list the template tells.
fn for_each_is_known(root: &Value, v: &Value) -> bool {
    let ctx = Ctx { account: String::new(), region: String::new() };
    let t = Template::new(&ctx, root);
    let Kind::Array(parts) = &v.kind else { return false };
    parts.len() == 3
        && matches!(t.resolve(&parts[1]), Some(Value { kind: Kind::Array(items), .. })
            if items.iter().all(|i| scalar_text(i).is_some() && !i.as_str().is_some_and(|s| s.starts_with("${cloudformation:"))))
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

    fn declared(path: &str) -> (Value, Vec<Declaration>) {
        let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let root = crate::lint::yaml::parse(&text).unwrap();
        let ctx = Ctx { account: "111122223333".into(), region: "us-east-1".into() };
        let decls = declarations(&ctx, path, &root);
        (root, decls)
    }

    fn policy_texts(decls: &[Declaration]) -> Vec<String> {
        decls
            .iter()
            .filter_map(|d| match d {
                Declaration::Role(r) => Some(format!(
                    "{} {}",
                    r.trust_policy,
                    r.inline_policies.iter().filter_map(|p| p.document.as_deref()).collect::<Vec<_>>().join(" ")
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn intrinsics_resolve_to_what_the_template_tells_and_the_rest_is_unresolved() {
        let (root, decls) = declared("fixtures/setup/aws-shapes/intrinsics-stack.yaml");
        assert!(problems(&root).is_empty(), "{:?}", problems(&root));
        // Every embedded policy parses: an intrinsic is never a malformed policy.
        for d in &decls {
            if let Declaration::Policy(p) = d {
                assert!(p.policy.is_ok(), "{:?}", p.policy.as_ref().err());
            }
        }
        let texts = policy_texts(&decls).join("\n");
        // A mapping looked up with a pseudo parameter.
        assert!(texts.contains(r#""Service":"ec2.amazonaws.com""#), "{texts}");
        // A parameter without a default stays a placeholder inside the text it is part of.
        assert!(texts.contains("arn:aws:s3:::${cloudformation:Ref:AppName}-data/*"), "{texts}");
        // A condition on a parameter's default decides Fn::If.
        assert!(texts.contains("arn:aws:s3:::prod-output/*") && !texts.contains("dev-output"), "{texts}");
        // A condition on an unknown value leaves Fn::If unresolved, next to the known item.
        assert!(texts.contains(r#"["arn:aws:s3:::prod-output","${cloudformation:Fn::If}"]"#), "{texts}");
        // A secret's Ref is its ARN (AWS::SecretsManager::Secret, Return values).
        assert!(
            texts.contains("arn:aws:secretsmanager:us-east-1:111122223333:secret:${cloudformation:name:AppSecret}"),
            "{texts}"
        );
        assert!(texts.contains("${cloudformation:Fn::ImportValue}"), "{texts}");
    }

    #[test]
    fn no_value_removes_the_property_and_for_each_expands_a_known_collection() {
        let root = crate::lint::yaml::parse(
            "Conditions:\n  Never: !Equals [a, b]\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !If [Never, x, !Ref AWS::NoValue]\n",
        )
        .unwrap();
        let ctx = Ctx { account: "111122223333".into(), region: "us-east-1".into() };
        let b = declarations(&ctx, "t.yaml", &root)
            .into_iter()
            .find_map(|d| if let Declaration::Bucket(b) = d { Some(b) } else { None })
            .unwrap();
        // No BucketName: CloudFormation names it; the lint names it by its logical id.
        assert_eq!(b.name, "b");
        let (root, decls) = declared("fixtures/setup/aws-shapes/foreach-stack.yaml");
        assert!(problems(&root).is_empty(), "{:?}", problems(&root));
        assert!(not_judged(&root).is_empty());
        let names: Vec<String> = decls
            .iter()
            .filter_map(|d| if let Declaration::Bucket(b) = d { Some(b.name.clone()) } else { None })
            .collect();
        assert_eq!(names, ["translate-input-docs", "translate-output-docs"]);
        // Without its transform, ForEach is not CloudFormation.
        let bare = crate::lint::yaml::parse(
            "Resources:\n  Fn::ForEach::X:\n    - N\n    - [a]\n    - B${N}: {Type: AWS::S3::Bucket}\n",
        )
        .unwrap();
        assert!(problems(&bare)[0].1.contains("needs Transform: AWS::LanguageExtensions"), "{:?}", problems(&bare));
        // An unknown collection is named as not judged.
        let unknown = crate::lint::yaml::parse(
            "Transform: AWS::LanguageExtensions\nParameters:\n  Names: {Type: CommaDelimitedList}\nResources:\n  Fn::ForEach::X:\n    - N\n    - !Ref Names\n    - B${N}: {Type: AWS::S3::Bucket}\n",
        )
        .unwrap();
        assert!(not_judged(&unknown)[0].1.contains("not known before deployment"), "{:?}", not_judged(&unknown));
    }

    #[test]
    fn sam_templates_are_accepted_and_their_serverless_resources_named() {
        let (root, decls) = declared("fixtures/setup/aws-shapes/sam-stack.yaml");
        assert!(problems(&root).is_empty(), "{:?}", problems(&root));
        let nj = not_judged(&root);
        assert_eq!(nj.len(), 1);
        assert!(nj[0].1.starts_with("Worker (AWS::Serverless::Function)"), "{nj:?}");
        // The plain CloudFormation role is read.
        assert!(decls.iter().any(|d| matches!(d, Declaration::Role(r) if r.name == "WorkerRole")));
        // Globals without the transform, and Version on a resource that is not custom, stay problems.
        let root = crate::lint::yaml::parse(
            "Globals: {Function: {Timeout: 3}}\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Version: '1'\n",
        )
        .unwrap();
        let p = problems(&root);
        assert!(p.iter().any(|(_, m)| m.contains("Globals needs Transform")), "{p:?}");
        assert!(p.iter().any(|(_, m)| m.contains("Version is for custom resources")), "{p:?}");
    }
}
