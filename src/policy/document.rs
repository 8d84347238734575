//! Policy documents: their typed model, read from JSON with the position of every statement and element.
//!
//! The grammar is the IAM policy grammar
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>): every element that
//! takes a list also takes a single string, `Statement` is an object or an array, and a bare 12-digit account
//! id in `Principal` means that account's root.

use std::fmt;

use super::condition::{Condition, Operator};
use super::json::{self, Kind, Member, Pos, Value};
use super::matcher::{ActionPattern, ResourcePattern};

/// One policy document as written.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Where the document came from (a file path, or a name like `inline:RoleName/PolicyName`).
    pub source: String,
    pub version: Option<String>,
    pub version_pos: Option<Pos>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

#[derive(Debug, Clone)]
pub struct Statement {
    /// Zero-based index within the document.
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    /// The position of the statement object itself.
    pub pos: Pos,
    pub effect_pos: Pos,
    pub principal: Option<PrincipalElement>,
    pub action: ActionElement,
    /// Absent in role trust policies, where the role itself is the resource.
    pub resource: Option<ResourceElement>,
    pub conditions: Vec<Condition>,
    pub condition_pos: Option<Pos>,
}

/// `Action` or `NotAction`.
#[derive(Debug, Clone)]
pub struct ActionElement {
    pub negated: bool,
    pub pos: Pos,
    pub patterns: Vec<ActionPattern>,
}

/// `Resource` or `NotResource`.
#[derive(Debug, Clone)]
pub struct ResourceElement {
    pub negated: bool,
    pub pos: Pos,
    pub patterns: Vec<ResourcePattern>,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone)]
pub struct PrincipalElement {
    pub negated: bool,
    pub pos: Pos,
    /// `"Principal": "*"`.
    pub everyone: bool,
    pub entries: Vec<PrincipalEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

impl PrincipalType {
    pub fn name(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PrincipalEntry {
    pub kind: PrincipalType,
    pub value: String,
    pub pos: Pos,
}

/// A document that is not a policy, with the position of the fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pos, self.message)
    }
}

impl std::error::Error for PolicyError {}

impl From<json::JsonError> for PolicyError {
    fn from(e: json::JsonError) -> Self {
        PolicyError { pos: e.pos, message: format!("invalid JSON: {}", e.message) }
    }
}

fn err<T>(pos: Pos, message: impl Into<String>) -> Result<T, PolicyError> {
    Err(PolicyError { pos, message: message.into() })
}

/// The largest policy document read: four times AWS's largest (a 32 KB key policy), room for whitespace and
/// URL encoding (docs/files.md).
pub const MAX_POLICY_BYTES: usize = 128 * 1024;

impl Policy {
    /// Reads a policy document. Text that starts with `%` is taken as the URL-encoded form in which IAM's
    /// GetRole, GetRolePolicy and GetPolicyVersion return documents; positions then refer to the decoded text.
    pub fn parse(source: impl Into<String>, text: &str) -> Result<Policy, PolicyError> {
        // AWS's largest policy documents are key policies, 32 KB (KMS quotas); IAM and bucket policies are
        // smaller. A document far past that is no policy AWS would hold, and reading it would cost memory
        // many times its size.
        if text.len() > MAX_POLICY_BYTES {
            return err(
                Pos { line: 1, column: 1 },
                format!(
                    "the document is {} bytes: AWS accepts policies of at most 32 KB (key policies; IAM and bucket \
                     policies less), and atrest reads documents of at most {} KiB",
                    text.len(),
                    MAX_POLICY_BYTES / 1024
                ),
            );
        }
        let decoded;
        let text = if text.trim_start().starts_with('%') {
            decoded = percent_decode(text.trim()).ok_or(PolicyError {
                pos: Pos { line: 1, column: 1 },
                message: "the document looks URL-encoded but its %-escapes do not decode to UTF-8 text".into(),
            })?;
            decoded.as_str()
        } else {
            text
        };
        let root = json::parse(text)?;
        Policy::from_value(source.into(), root)
    }

    /// Builds a policy from a JSON value already read, such as a key policy embedded in a template.
    pub fn from_json(source: String, root: &Value) -> Result<Policy, PolicyError> {
        Policy::from_value(source, root.clone())
    }

    /// As `from_json`, taking the value: its strings move into the policy instead of being copied.
    pub fn from_value(source: String, root: Value) -> Result<Policy, PolicyError> {
        let root_pos = root.pos;
        let members = match root.kind {
            Kind::Object(members) => members,
            _ => return err(root.pos, format!("a policy must be a JSON object, found {}", root.type_name())),
        };
        let mut policy = Policy { source, version: None, version_pos: None, id: None, statements: Vec::new() };
        let mut statement_value = None;
        for m in members {
            match m.key.as_str() {
                "Version" => {
                    let (v, pos) = take_string(m)?;
                    policy.version = Some(v);
                    policy.version_pos = Some(pos);
                }
                "Id" => policy.id = Some(take_string(m)?.0),
                "Statement" => statement_value = Some(m.value),
                other => {
                    return err(
                        m.key_pos,
                        format!("unknown policy element \"{other}\": expected Version, Id or Statement"),
                    );
                }
            }
        }
        let Some(statements) = statement_value else {
            return err(root_pos, "the policy has no \"Statement\" element");
        };
        match statements.kind {
            Kind::Object(_) => policy.statements.push(parse_statement(0, statements)?),
            Kind::Array(items) => {
                policy.statements.reserve(items.len());
                for (index, item) in items.into_iter().enumerate() {
                    policy.statements.push(parse_statement(index, item)?);
                }
            }
            _ => {
                return err(
                    statements.pos,
                    format!("\"Statement\" must be an object or an array, found {}", statements.type_name()),
                );
            }
        }
        Ok(policy)
    }

    /// The statement's Sid, or its index, for messages.
    pub fn statement_label(&self, index: usize) -> String {
        match self.statements.get(index).and_then(|s| s.sid.as_deref()) {
            Some(sid) => format!("statement {index} (Sid \"{sid}\")"),
            None => format!("statement {index}"),
        }
    }
}

/// A member's string value, with its position.
fn take_string(m: Member) -> Result<(String, Pos), PolicyError> {
    match m.value.kind {
        Kind::String(s) => Ok((s, m.value.pos)),
        _ => err(m.value.pos, format!("\"{}\" must be a string, found {}", m.key, m.value.type_name())),
    }
}

/// A string or an array of strings, the shape of most policy elements.
fn strings_of(m: Member) -> Result<Vec<(String, Pos)>, PolicyError> {
    let Member { key, value, .. } = m;
    match value.kind {
        Kind::String(s) => Ok(vec![(s, value.pos)]),
        Kind::Array(items) => items
            .into_iter()
            .map(|v| match v.kind {
                Kind::String(s) => Ok((s, v.pos)),
                _ => err(v.pos, format!("items of \"{key}\" must be strings, found {}", v.type_name())),
            })
            .collect(),
        _ => err(value.pos, format!("\"{key}\" must be a string or an array of strings, found {}", value.type_name())),
    }
}

fn parse_statement(index: usize, value: Value) -> Result<Statement, PolicyError> {
    let pos = value.pos;
    let members = match value.kind {
        Kind::Object(members) => members,
        _ => return err(value.pos, format!("a statement must be a JSON object, found {}", value.type_name())),
    };
    let mut sid = None;
    let mut effect = None;
    let mut principal: Option<PrincipalElement> = None;
    let mut action: Option<ActionElement> = None;
    let mut resource: Option<ResourceElement> = None;
    let mut conditions = Vec::new();
    let mut condition_pos = None;
    for m in members {
        match m.key.as_str() {
            "Sid" => sid = Some(take_string(m)?.0),
            "Effect" => {
                let (text, at) = take_string(m)?;
                effect = Some(match text.as_str() {
                    "Allow" => (Effect::Allow, at),
                    "Deny" => (Effect::Deny, at),
                    other => {
                        return err(at, format!("\"Effect\" must be \"Allow\" or \"Deny\", found \"{other}\""));
                    }
                })
            }
            "Principal" | "NotPrincipal" => {
                if let Some(prev) = &principal {
                    return err(
                        m.key_pos,
                        format!("a statement takes one of Principal or NotPrincipal (the other is at {})", prev.pos),
                    );
                }
                principal = Some(parse_principal(m)?);
            }
            "Action" | "NotAction" => {
                if let Some(prev) = &action {
                    return err(
                        m.key_pos,
                        format!("a statement takes one of Action or NotAction (the other is at {})", prev.pos),
                    );
                }
                let (negated, at) = (m.key == "NotAction", m.key_pos);
                let patterns = strings_of(m)?.into_iter().map(|(text, pos)| ActionPattern::new(text, pos)).collect();
                action = Some(ActionElement { negated, pos: at, patterns });
            }
            "Resource" | "NotResource" => {
                if let Some(prev) = &resource {
                    return err(
                        m.key_pos,
                        format!("a statement takes one of Resource or NotResource (the other is at {})", prev.pos),
                    );
                }
                let (negated, at) = (m.key == "NotResource", m.key_pos);
                let patterns = strings_of(m)?.into_iter().map(|(text, pos)| ResourcePattern::new(text, pos)).collect();
                resource = Some(ResourceElement { negated, pos: at, patterns });
            }
            "Condition" => {
                condition_pos = Some(m.key_pos);
                conditions = parse_conditions(m.value)?;
            }
            other => {
                return err(
                    m.key_pos,
                    format!(
                        "unknown statement element \"{other}\": expected Sid, Effect, Principal, NotPrincipal, \
                         Action, NotAction, Resource, NotResource or Condition"
                    ),
                );
            }
        }
    }
    let Some((effect, effect_pos)) = effect else {
        return err(pos, "the statement has no \"Effect\"");
    };
    let Some(action) = action else {
        return err(pos, "the statement has neither \"Action\" nor \"NotAction\"");
    };
    Ok(Statement { index, sid, effect, pos, effect_pos, principal, action, resource, conditions, condition_pos })
}

fn parse_principal(m: Member) -> Result<PrincipalElement, PolicyError> {
    let mut element =
        PrincipalElement { negated: m.key == "NotPrincipal", pos: m.key_pos, everyone: false, entries: Vec::new() };
    let Member { key, value, .. } = m;
    match value.kind {
        Kind::String(s) if s == "*" => element.everyone = true,
        Kind::String(s) => {
            return err(
                value.pos,
                format!("\"{key}\" must be \"*\" or an object such as {{\"AWS\": …}}, found \"{s}\""),
            );
        }
        Kind::Object(members) => {
            for entry in members {
                let kind = match entry.key.as_str() {
                    "AWS" => PrincipalType::Aws,
                    "Service" => PrincipalType::Service,
                    "Federated" => PrincipalType::Federated,
                    "CanonicalUser" => PrincipalType::CanonicalUser,
                    other => {
                        return err(
                            entry.key_pos,
                            format!(
                                "unknown principal type \"{other}\": expected AWS, Service, Federated or CanonicalUser"
                            ),
                        );
                    }
                };
                for (value, pos) in strings_of(entry)? {
                    element.entries.push(PrincipalEntry { kind, value, pos });
                }
            }
        }
        _ => {
            return err(value.pos, format!("\"{key}\" must be \"*\" or an object, found {}", value.type_name()));
        }
    }
    Ok(element)
}

fn parse_conditions(value: Value) -> Result<Vec<Condition>, PolicyError> {
    let operators = match value.kind {
        Kind::Object(operators) => operators,
        _ => return err(value.pos, format!("\"Condition\" must be an object, found {}", value.type_name())),
    };
    let mut out = Vec::new();
    for op in operators {
        let operator = Operator::parse(&op.key);
        let keys = match op.value.kind {
            Kind::Object(keys) => keys,
            _ => {
                return err(
                    op.value.pos,
                    format!(
                        "the \"{}\" block must be an object of condition keys, found {}",
                        op.key,
                        op.value.type_name()
                    ),
                );
            }
        };
        for key in keys {
            let (name, key_pos) = (key.key.clone(), key.key_pos);
            let values = condition_values(key)?;
            out.push(Condition::new(operator.clone(), op.key_pos, name, key_pos, values));
        }
    }
    Ok(out)
}

/// Condition values may be strings, numbers or booleans, alone or in an array; all compare as text.
fn condition_values(m: Member) -> Result<Vec<String>, PolicyError> {
    fn scalar(key: &str, v: Value) -> Result<String, PolicyError> {
        match v.kind {
            Kind::String(s) | Kind::Number(s) => Ok(s),
            Kind::Bool(b) => Ok(b.to_string()),
            _ => err(
                v.pos,
                format!(
                    "values of condition key \"{key}\" must be strings, numbers or booleans, found {}",
                    v.type_name()
                ),
            ),
        }
    }
    let Member { key, value, .. } = m;
    match value.kind {
        Kind::Array(items) => items.into_iter().map(|v| scalar(&key, v)).collect(),
        _ => Ok(vec![scalar(&key, value)?]),
    }
}

/// Decodes `%XX` escapes (RFC 3986). `+` stays a plus: IAM encodes spaces as `%20`.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |b: u8| (b as char).to_digit(16);
            let hi = bytes.get(i + 1).copied().and_then(hex)?;
            let lo = bytes.get(i + 2).copied().and_then(hex)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Policy, PolicyError> {
        Policy::parse("test.json", text)
    }

    #[test]
    fn statement_object_and_single_strings_are_accepted() {
        let p =
            parse(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#)
                .unwrap();
        assert_eq!(p.statements.len(), 1);
        assert_eq!(p.statements[0].action.patterns[0].text, "s3:GetObject");
        assert!(p.statements[0].resource.as_ref().unwrap().patterns[0].text == "*");
    }

    #[test]
    fn principals_of_every_shape() {
        let p = parse(
            r#"{"Statement":[
              {"Effect":"Allow","Principal":"*","Action":"kms:*"},
              {"Effect":"Allow","Principal":{"AWS":"111122223333","Service":["translate.amazonaws.com"],
                "Federated":"cognito-identity.amazonaws.com","CanonicalUser":"abc"},"Action":"kms:*"},
              {"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:role/R"]},"Action":"kms:*"}]}"#,
        )
        .unwrap();
        assert!(p.statements[0].principal.as_ref().unwrap().everyone);
        let kinds: Vec<_> = p.statements[1].principal.as_ref().unwrap().entries.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [PrincipalType::Aws, PrincipalType::Service, PrincipalType::Federated, PrincipalType::CanonicalUser]
        );
        assert!(p.statements[2].principal.as_ref().unwrap().negated);
    }

    #[test]
    fn url_encoded_documents_decode() {
        let text = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22translate.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
        let p = parse(text).unwrap();
        assert_eq!(p.statements[0].principal.as_ref().unwrap().entries[0].value, "translate.amazonaws.com");
    }

    #[test]
    fn shape_errors_name_the_position() {
        let cases = [
            (r#"[]"#, (1, 1), "must be a JSON object"),
            (r#"{"Statement":[{"Effect":"allow","Action":"x"}]}"#, (1, 25), "\"Allow\" or \"Deny\""),
            ("{\"Statement\":[\n {\"Effect\":\"Allow\"}]}", (2, 2), "neither \"Action\""),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"a","NotAction":"b"}]}"#,
                (1, 46),
                "one of Action or NotAction",
            ),
            (r#"{"Statement":[{"Effect":"Allow","Action":[1]}]}"#, (1, 43), "must be strings"),
            (r#"{"Statement":[{"Effect":"Allow","Action":"a","Principal":"me"}]}"#, (1, 58), "must be \"*\""),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"a","Principal":{"User":"x"}}]}"#,
                (1, 59),
                "unknown principal type",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"a","Condition":{"Bool":"x"}}]}"#,
                (1, 66),
                "must be an object",
            ),
            (r#"{"Statment":[]}"#, (1, 2), "unknown policy element"),
            (r#"{"Version":"2012-10-17"}"#, (1, 1), "no \"Statement\""),
            (r#"{"Statement":[{"Effect":"Allow","Action":"a","Resorce":"*"}]}"#, (1, 46), "unknown statement element"),
        ];
        for (text, (line, column), needle) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!((e.pos.line, e.pos.column), (line, column), "{text}: {e}");
            assert!(e.message.contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn statement_positions_are_kept() {
        let p =
            parse("{\n \"Statement\": [\n  {\"Sid\": \"A\", \"Effect\": \"Allow\",\n   \"Action\": \"s3:*\"}\n ]\n}")
                .unwrap();
        let s = &p.statements[0];
        assert_eq!(s.pos, Pos { line: 3, column: 3 });
        assert_eq!(s.action.pos, Pos { line: 4, column: 4 });
        assert_eq!(s.sid.as_deref(), Some("A"));
        assert_eq!(p.statement_label(0), "statement 0 (Sid \"A\")");
    }

    #[test]
    fn a_document_past_the_cap_is_refused_saying_why() {
        let padding = " ".repeat(MAX_POLICY_BYTES);
        let text = format!(r#"{{"Version":"2012-10-17",{padding}"Statement":[]}}"#);
        let e = Policy::parse("big.json", &text).unwrap_err();
        assert!(e.message.contains("at most 32 KB") && e.message.contains("128 KiB"), "{}", e.message);
        assert!(Policy::parse("ok.json", r#"{"Version":"2012-10-17","Statement":[]}"#).is_ok());
    }
}
