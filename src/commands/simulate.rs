//! `atrest simulate`: decide one request offline against policy files and show what decided it.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::policy::catalogue::catalogue;

use crate::policy::{
    Context, Decider, Decision, Grant, Layer, Outcome, Policy, PolicySet, Principal, Request, Verdict, evaluate,
    parse_grants,
};

/// A `--context KEY=VALUE` pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextPair {
    pub key: String,
    pub value: String,
}

/// The command's settings, resolved from the flags.
#[derive(Debug, Clone)]
pub struct Options {
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub identity_policies: Vec<PathBuf>,
    pub boundary: Option<PathBuf>,
    pub resource_policy: Option<PathBuf>,
    pub grants: Option<PathBuf>,
    pub context: Vec<ContextPair>,
    pub resource_account: Option<String>,
    pub closed_context: bool,
    pub json: bool,
    /// Service control policy files, one per level of the principal's account's path, root first.
    pub scps: Vec<PathBuf>,
    /// Resource control policy files, one per level of the resource's account's path, root first.
    pub rcps: Vec<PathBuf>,
    pub org_id: Option<String>,
    pub org_path: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("--principal: {0}")]
    Principal(String),
    /// An answer about an action AWS does not have would be "denied", and wrong.
    #[error("--action {0}")]
    Action(String),
    #[error("--resource {0}")]
    Resource(String),
    #[error("cannot read {path} (given to {flag}): {source}")]
    Read { path: String, flag: &'static str, source: io::Error },
    #[error("{path}:{line}:{column}: {message} (given to {flag}; fix the document or pass another file)")]
    Invalid { path: String, flag: &'static str, line: usize, column: usize, message: String },
}

fn read(path: &Path, flag: &'static str) -> Result<String, SimulateError> {
    let bytes = crate::input::read(path).map_err(|source| SimulateError::Read {
        path: path.display().to_string(),
        flag,
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| SimulateError::Invalid {
        path: path.display().to_string(),
        flag,
        line: 1,
        column: 1,
        message: format!("not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()),
    })
}

fn load_policy(path: &Path, flag: &'static str) -> Result<Policy, SimulateError> {
    let text = read(path, flag)?;
    Policy::parse(path.display().to_string(), &text).map_err(|e| SimulateError::Invalid {
        path: path.display().to_string(),
        flag,
        line: e.pos.line as usize,
        column: e.pos.column as usize,
        message: e.message,
    })
}

/// One level of an organization's path: a file holding one policy, or a JSON array of the policies
/// attached at that level (an empty array: none but what AWS keeps attached).
fn load_level(path: &Path, flag: &'static str) -> Result<Vec<Policy>, SimulateError> {
    let text = read(path, flag)?;
    let name = path.display().to_string();
    let invalid = |line: u32, column: u32, message: String| SimulateError::Invalid {
        path: name.clone(),
        flag,
        line: line as usize,
        column: column as usize,
        message,
    };
    let root = crate::policy::json::parse(&text).map_err(|e| invalid(e.pos.line, e.pos.column, e.message))?;
    let items = match root.kind {
        crate::policy::json::Kind::Array(items) => items,
        _ => vec![root],
    };
    items
        .into_iter()
        .map(|item| Policy::from_value(name.clone(), item).map_err(|e| invalid(e.pos.line, e.pos.column, e.message)))
        .collect()
}

fn load_grants(path: &Path) -> Result<Vec<Grant>, SimulateError> {
    let text = read(path, "--grants")?;
    parse_grants(&text).map_err(|e| SimulateError::Invalid {
        path: path.display().to_string(),
        flag: "--grants",
        line: e.line(),
        column: e.column(),
        message: format!("not a ListGrants answer: {e}"),
    })
}

/// The action must be one AWS has (the IAM catalogue of policy/catalogue).
fn check_action(action: &str) -> Result<(), SimulateError> {
    use crate::policy::catalogue::ActionCheck;
    let near = |n: Option<String>| n.map(|n| format!("; did you mean {n}?")).unwrap_or_default();
    match catalogue().check_action(action) {
        ActionCheck::Known => Ok(()),
        ActionCheck::UnknownService(n) => Err(SimulateError::Action(format!("{action}: no such service{}", near(n)))),
        ActionCheck::UnknownAction(n) => {
            Err(SimulateError::Action(format!("{action}: not an action of its service{}", near(n))))
        }
    }
}

/// The resource must be an ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, or `*` for an action the
/// Service Authorization Reference lists with no resource type (it is requested on `*`).
fn check_resource(action: &str, resource: &str) -> Result<(), SimulateError> {
    let types = action
        .split_once(':')
        .and_then(|(service, name)| catalogue().action_resource_types(&service.to_ascii_lowercase(), name));
    if resource == "*" {
        return match types {
            Some([]) => Ok(()),
            Some(types) => Err(SimulateError::Resource(format!(
                "*: {action} is requested on a resource of type {}: give its ARN",
                types.join(" or ")
            ))),
            None => Err(SimulateError::Resource(format!(
                "*: the reference does not detail {action}'s resource types: give the resource's ARN"
            ))),
        };
    }
    let parts = crate::vocab::aws::arn_segments(resource);
    let ok =
        parts.len() == 6 && parts[0] == "arn" && !parts[1].is_empty() && !parts[2].is_empty() && !parts[5].is_empty();
    if ok {
        return Ok(());
    }
    Err(SimulateError::Resource(format!(
        "{resource}: not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, for example \
         arn:aws:kms:us-east-1:111122223333:key/KEY-ID or arn:aws:s3:::bucket/key; * only for an action \
         without a resource type)"
    )))
}

/// Runs the simulation and renders its report.
pub fn run(options: &Options) -> Result<String, SimulateError> {
    let principal = Principal::parse(&options.principal).map_err(SimulateError::Principal)?;
    check_action(&options.action)?;
    check_resource(&options.action, &options.resource)?;
    let identity =
        options.identity_policies.iter().map(|p| load_policy(p, "--identity-policy")).collect::<Result<Vec<_>, _>>()?;
    let boundary = options.boundary.as_deref().map(|p| load_policy(p, "--boundary")).transpose()?;
    let resource_policy =
        options.resource_policy.as_deref().map(|p| load_policy(p, "--resource-policy")).transpose()?;
    let grants = options.grants.as_deref().map(load_grants).transpose()?.unwrap_or_default();
    let scps = options.scps.iter().map(|p| load_level(p, "--scp")).collect::<Result<Vec<_>, _>>()?;
    let rcps = options.rcps.iter().map(|p| load_level(p, "--rcp")).collect::<Result<Vec<_>, _>>()?;
    let scp_levels: Vec<Vec<&Policy>> = scps.iter().map(|level| level.iter().collect()).collect();
    let rcp_levels: Vec<Vec<&Policy>> = rcps.iter().map(|level| level.iter().collect()).collect();

    let mut context = Context::open();
    for pair in &options.context {
        context.push(pair.key.clone(), pair.value.clone());
    }
    // IAM User Guide, global condition keys: aws:PrincipalOrgID and aws:PrincipalOrgPaths are in the
    // context of every request by a principal of an organization's account.
    if let Some(id) = &options.org_id {
        context.insert_default("aws:PrincipalOrgID", id.clone());
    }
    if let Some(path) = &options.org_path {
        context.insert_default("aws:PrincipalOrgPaths", path.clone());
    }
    if options.closed_context {
        context = context.closed();
    }
    let request = Request::new(principal, &options.action, &options.resource, context)
        .with_resource_account(options.resource_account.clone());
    let set = PolicySet {
        identity: identity.iter().collect(),
        boundary: boundary.as_ref(),
        resource: resource_policy.as_ref(),
        grants: &grants,
        scps: (!scp_levels.is_empty()).then_some(scp_levels.as_slice()),
        rcps: (!rcp_levels.is_empty()).then_some(rcp_levels.as_slice()),
    };
    let decision = evaluate(&request, &set);
    let grants_file = options.grants.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    Ok(if options.json {
        let mut s =
            serde_json::to_string_pretty(&to_json(&request, &decision, &grants_file)).expect("JSON values serialize");
        s.push('\n');
        s
    } else {
        to_text(&request, &decision, &grants_file)
    })
}

fn verdict_text(v: &Verdict) -> String {
    match v {
        Verdict::Yes => "allows".into(),
        Verdict::No => "does not allow".into(),
        Verdict::Depends(keys) => format!("depends on {}", keys.iter().cloned().collect::<Vec<_>>().join(", ")),
    }
}

fn verdict_id(v: &Verdict) -> &'static str {
    match v {
        Verdict::Yes => "yes",
        Verdict::No => "no",
        Verdict::Depends(_) => "depends",
    }
}

fn decider_json(d: &Decider<'_>, grants_file: &str) -> Value {
    match d {
        Decider::Statement { layer, policy, statement } => json!({
            "file": policy.source,
            "index": statement.index,
            "sid": statement.sid,
            "line": statement.pos.line,
            "column": statement.pos.column,
            "effect": statement.effect.to_string(),
            "layer": layer.id(),
        }),
        Decider::Grant { index, grant } => json!({
            "file": grants_file,
            "index": index,
            "sid": grant.grant_id.as_ref().or(grant.name.as_ref()),
            "effect": "Allow",
            "layer": Layer::Grants.id(),
        }),
    }
}

fn to_json(request: &Request, decision: &Decision<'_>, grants_file: &str) -> Value {
    json!({
        "decision": decision.outcome.id(),
        "principal": request.principal.arn,
        "action": request.action,
        "resource": request.resource,
        "cross_account": request.is_cross_account(),
        "deciding_statements": decision.deciding.iter().map(|d| decider_json(d, grants_file)).collect::<Vec<_>>(),
        "unresolved_keys": decision.unresolved_keys,
        "layers": decision.layers.iter().map(|l| json!({
            "layer": l.layer.id(),
            "allows": verdict_id(&l.allows),
        })).collect::<Vec<_>>(),
        "missing": decision.missing.iter().map(|l| l.id()).collect::<Vec<_>>(),
        "notes": decision.notes,
    })
}

fn to_text(request: &Request, decision: &Decision<'_>, grants_file: &str) -> String {
    let mut out = String::new();
    let outcome = match decision.outcome {
        Outcome::Allowed => "allowed",
        Outcome::ExplicitDeny => "denied (explicit deny)",
        Outcome::ImplicitDeny => "denied (no statement allows it)",
        Outcome::Depends => "depends on condition keys whose values are not known",
    };
    let _ = writeln!(out, "decision: {outcome}");
    let _ = writeln!(
        out,
        "request:  {} {} on {}{}",
        request.principal.arn,
        request.action,
        request.resource,
        if request.is_cross_account() { " (cross-account)" } else { "" }
    );
    if !decision.unresolved_keys.is_empty() {
        let keys: Vec<&str> = decision.unresolved_keys.iter().map(String::as_str).collect();
        let _ = writeln!(out, "unresolved condition keys: {} (give them with --context KEY=VALUE)", keys.join(", "));
    }
    if !decision.deciding.is_empty() {
        let _ = writeln!(out, "deciding statements:");
        for d in &decision.deciding {
            match d {
                Decider::Statement { layer, policy, statement } => {
                    let _ = writeln!(
                        out,
                        "  {}:{}:{}: {} {} [{}]",
                        policy.source,
                        statement.pos.line,
                        statement.pos.column,
                        policy.statement_label(statement.index),
                        statement.effect,
                        layer.name()
                    );
                }
                Decider::Grant { index, grant } => {
                    let id = grant.grant_id.as_deref().or(grant.name.as_deref()).unwrap_or("-");
                    let _ = writeln!(out, "  {grants_file}: grant {index} ({id}) Allow [grants]");
                }
            }
        }
    }
    let _ = writeln!(out, "layers:");
    for l in &decision.layers {
        let _ = writeln!(out, "  {}: {}", l.layer.name(), verdict_text(&l.allows));
    }
    if !decision.missing.is_empty() {
        let names: Vec<&str> = decision.missing.iter().map(|l| l.name()).collect();
        let _ = writeln!(out, "to allow it, add an allow in: {}", names.join(" and "));
    }
    for note in &decision.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}
