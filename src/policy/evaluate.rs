//! The decision: AWS's policy evaluation logic over typed policy layers, with the KMS key-policy model.
//!
//! Sources: IAM User Guide, "Policy evaluation logic" and "Cross-account policy evaluation logic"; KMS
//! Developer Guide, "Key policies" (the key policy is the primary resource control; a statement naming the
//! account lets IAM policies decide) and "Grants"; `controls.md`, "Deciding the role may use the key".
//!
//! Every allow route is a conjunction of layers, and the request is allowed when some route is:
//!
//! | request                       | routes                                                                      |
//! |-------------------------------|-----------------------------------------------------------------------------|
//! | service principal             | resource policy names it                                                    |
//! | `kms:` same account           | key policy reaches the session directly · key policy names the role ∧ boundary · key policy names account ∧ IAM ∧ boundary · grant |
//! | `kms:` cross-account          | key policy names the session, role or account, ∧ IAM ∧ boundary · grant     |
//! | `sts:AssumeRole` on a role, same account | trust policy reaches the principal directly · trust policy names the role ∧ boundary · trust policy names account ∧ IAM ∧ boundary |
//! | other, same account           | IAM ∧ boundary · resource policy reaches the session directly · resource policy names the role ∧ boundary |
//! | other, cross-account          | resource policy names the session, role or account, ∧ IAM ∧ boundary        |
//!
//! `kms:` on an alias ARN or on `*` (actions without a resource type) follows the "other" rows: only a key
//! has a key policy. `sts:GetCallerIdentity` needs no permission and is always allowed.
//!
//! "Directly" is `Principal: "*"` / `{"AWS": "*"}`, the session (assumed-role) ARN, or a user's own ARN:
//! within an account a permissions boundary does not limit what a resource policy grants that way, and it
//! does limit a grant to the role ARN (IAM User Guide, "Policy evaluation logic" and "Permissions
//! boundaries for IAM entities"). A `NotPrincipal` Deny always denies a principal with a permissions
//! boundary, whatever it lists (IAM User Guide, "NotPrincipal" and "Permissions boundaries", Important).
//!
//! An explicit Deny in any layer wins; a Deny that may or may not apply makes an allowed request `Depends`.

use std::collections::BTreeSet;

use super::document::{Effect, Policy, PrincipalElement, PrincipalType, Statement};
use super::request::{Gatekeeper, Principal, PrincipalKind, Request, is_account_id, split_iam_arn};
use super::verdict::Verdict;
use crate::vocab::aws::Grant;

/// The policies that bear on one request, by the role each plays.
#[derive(Debug, Clone, Default)]
pub struct PolicySet<'a> {
    /// The principal's identity policies: inline and attached managed.
    pub identity: Vec<&'a Policy>,
    pub boundary: Option<&'a Policy>,
    /// The resource's policy: a KMS key policy, a bucket policy, or a role trust policy for `sts:AssumeRole`.
    pub resource: Option<&'a Policy>,
    /// KMS grants on the key.
    pub grants: &'a [Grant],
    /// The service control policies on the principal's account's path, one entry per level (root, each OU,
    /// the account), each the policies attached there; `None`: not known, and not evaluated. The caller
    /// leaves them out where they do not apply: the management account's principals.
    pub scps: Option<&'a [Vec<&'a Policy>]>,
    /// The resource control policies on the resource's account's path, one entry per level, without
    /// `RCPFullAWSAccess`, which AWS keeps attached at every level and is added here; `None`: not evaluated.
    /// The caller leaves them out for the management account's resources and AWS managed keys.
    pub rcps: Option<&'a [Vec<&'a Policy>]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    Identity,
    Boundary,
    /// Resource-policy statements that name the principal's role ARN: limited by a permissions boundary.
    ResourcePrincipal,
    /// Resource-policy statements that reach the session directly: everyone, the session ARN, or a user's,
    /// root's or service's own name. Not limited by a permissions boundary within an account.
    ResourceDirect,
    /// Resource-policy statements that name the principal's account, delegating to its IAM policies.
    ResourceAccount,
    Grants,
    /// Service control policies: every level of the principal's account's path must allow.
    Scp,
    /// Resource control policies: every level of the resource's account's path must allow.
    Rcp,
}

impl Layer {
    pub const ALL: [Layer; 8] = [
        Layer::Identity,
        Layer::Boundary,
        Layer::ResourcePrincipal,
        Layer::ResourceDirect,
        Layer::ResourceAccount,
        Layer::Grants,
        Layer::Scp,
        Layer::Rcp,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Layer::Identity => "identity policies",
            Layer::Boundary => "permissions boundary",
            Layer::ResourcePrincipal => "resource policy naming the role",
            Layer::ResourceDirect => "resource policy naming the session or everyone",
            Layer::ResourceAccount => "resource policy naming the principal's account",
            Layer::Grants => "grants",
            Layer::Scp => "service control policies",
            Layer::Rcp => "resource control policies",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Layer::Identity => "identity",
            Layer::Boundary => "boundary",
            Layer::ResourcePrincipal => "resource_principal",
            Layer::ResourceDirect => "resource_direct",
            Layer::ResourceAccount => "resource_account",
            Layer::Grants => "grants",
            Layer::Scp => "scp",
            Layer::Rcp => "rcp",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
    /// Decided by condition keys whose values are not known.
    Depends,
}

impl Outcome {
    pub fn id(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::ExplicitDeny => "explicit_deny",
            Outcome::ImplicitDeny => "implicit_deny",
            Outcome::Depends => "depends",
        }
    }
}

/// A statement or grant that took part in a decision.
#[derive(Debug, Clone, Copy)]
pub enum Decider<'a> {
    Statement { layer: Layer, policy: &'a Policy, statement: &'a Statement },
    Grant { index: usize, grant: &'a Grant },
}

impl Decider<'_> {
    pub fn layer(&self) -> Layer {
        match self {
            Decider::Statement { layer, .. } => *layer,
            Decider::Grant { .. } => Layer::Grants,
        }
    }
}

/// How one layer answered "does something here allow the request?".
#[derive(Debug, Clone)]
pub struct LayerResult<'a> {
    pub layer: Layer,
    /// False when the request had no policy for this layer (no boundary, no resource policy, no grants).
    pub present: bool,
    pub allows: Verdict,
    /// Allow statements that match, or may match.
    pub statements: Vec<Decider<'a>>,
}

#[derive(Debug, Clone)]
pub struct Decision<'a> {
    pub outcome: Outcome,
    pub unresolved_keys: BTreeSet<String>,
    /// What decided it: the matching Denies, the Allows on the routes that allow, or the statements whose
    /// conditions are undecided. Empty for an implicit deny: nothing allowed it.
    pub deciding: Vec<Decider<'a>>,
    pub layers: Vec<LayerResult<'a>>,
    /// Allow routes that were required and failed, e.g. "identity policies" for a key policy that only
    /// delegates to IAM. Evidence for rules that must say which layer is missing.
    pub missing: Vec<Layer>,
    pub notes: Vec<&'static str>,
}

impl Decision<'_> {
    pub fn layer(&self, layer: Layer) -> Option<&LayerResult<'_>> {
        self.layers.iter().find(|l| l.layer == layer)
    }
}

/// How a statement's principal element names the request's principal, weakest first: a statement that
/// names the principal in several ways reaches it by the strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Via {
    /// The account: delegates to the account's IAM policies.
    Account,
    /// The role ARN: limited by the role's permissions boundary.
    Role,
    /// Everyone, the session ARN, or the principal's own name.
    Direct,
}

/// Decides `request` against `policies`.
pub fn evaluate<'a>(request: &Request, policies: &PolicySet<'a>) -> Decision<'a> {
    // AWS STS API Reference, GetCallerIdentity: "No permissions are required to perform this operation. If
    // an administrator attaches a policy to your identity that explicitly denies access to the
    // sts:GetCallerIdentity action, you can still perform this operation."
    if request.action_lc == "sts:getcalleridentity" && request.principal.kind != PrincipalKind::Service {
        return Decision {
            outcome: Outcome::Allowed,
            unresolved_keys: BTreeSet::new(),
            deciding: Vec::new(),
            layers: Vec::new(),
            missing: Vec::new(),
            notes: vec![
                "sts:GetCallerIdentity needs no permission and cannot be denied (AWS STS API Reference, \
                 GetCallerIdentity): no policy was evaluated",
            ],
        };
    }
    let gatekeeper = request.gatekeeper();
    let mut deny = Verdict::No;
    // Each matching Deny, and whether it surely applies.
    let mut denies: Vec<(Decider<'a>, bool)> = Vec::new();
    let mut layers: Vec<LayerResult<'a>> = Layer::ALL
        .iter()
        .map(|&layer| LayerResult { layer, present: false, allows: Verdict::No, statements: Vec::new() })
        .collect();

    let bounded = policies.boundary.is_some();
    let mut scan = |policy: &'a Policy, resource_layer: bool, layer: Layer, layers: &mut Vec<LayerResult<'a>>| {
        for statement in &policy.statements {
            let (verdict, via) = statement_applies(statement, request, resource_layer, bounded);
            if verdict.is_no() {
                continue;
            }
            let layer = match (resource_layer, via) {
                (true, Some(Via::Account)) => Layer::ResourceAccount,
                (true, Some(Via::Role)) => Layer::ResourcePrincipal,
                (true, _) => Layer::ResourceDirect,
                (false, _) => layer,
            };
            let decider = Decider::Statement { layer, policy, statement };
            match statement.effect {
                Effect::Deny => {
                    denies.push((decider, verdict.is_yes()));
                    deny = std::mem::replace(&mut deny, Verdict::No).or(verdict);
                }
                Effect::Allow => {
                    let l = &mut layers[layer as usize];
                    l.allows = std::mem::replace(&mut l.allows, Verdict::No).or(verdict);
                    l.statements.push(decider);
                }
            }
        }
    };
    for policy in &policies.identity {
        layers[Layer::Identity as usize].present = true;
        scan(policy, false, Layer::Identity, &mut layers);
    }
    // An account's root user holds every permission of its own account without an identity policy; it
    // still needs a resource policy for another account's resources.
    if request.principal.kind == PrincipalKind::Root && policies.identity.is_empty() {
        layers[Layer::Identity as usize].allows = Verdict::Yes;
    }
    match policies.boundary {
        Some(boundary) => {
            layers[Layer::Boundary as usize].present = true;
            scan(boundary, false, Layer::Boundary, &mut layers);
        }
        // No boundary limits nothing.
        None => layers[Layer::Boundary as usize].allows = Verdict::Yes,
    }
    if let Some(resource) = policies.resource {
        layers[Layer::ResourcePrincipal as usize].present = true;
        layers[Layer::ResourceDirect as usize].present = true;
        layers[Layer::ResourceAccount as usize].present = true;
        scan(resource, true, Layer::ResourcePrincipal, &mut layers);
    }
    if gatekeeper == Gatekeeper::KeyPolicy {
        let l = &mut layers[Layer::Grants as usize];
        l.present = !policies.grants.is_empty();
        for (index, grant) in policies.grants.iter().enumerate() {
            let v = grant.allows(request);
            if !v.is_no() {
                l.allows = std::mem::replace(&mut l.allows, Verdict::No).or(v);
                l.statements.push(Decider::Grant { index, grant });
            }
        }
    }

    // Organization guardrails: they allow nothing, they only limit (AWS Organizations User Guide, "SCP
    // evaluation" and "RCP evaluation").
    let mut guardrail = Verdict::Yes;
    let mut notes = Vec::new();
    let scps = policies.scps.filter(|_| scps_apply(request, &mut notes));
    let rcps = policies.rcps.filter(|_| rcps_apply(request, &mut notes));
    for (layer, levels) in [(Layer::Scp, scps), (Layer::Rcp, rcps)] {
        let Some(levels) = levels else { continue };
        let l = &mut layers[layer as usize];
        l.present = true;
        let mut every_level = Verdict::Yes;
        for level in levels {
            let mut this_level = Verdict::No;
            let full_access = (layer == Layer::Rcp).then(|| &*RCP_FULL_AWS_ACCESS);
            for policy in level.iter().copied().chain(full_access) {
                for statement in &policy.statements {
                    // SCPs name no principal; RCPs name `"*"`, matched as a resource policy's would be.
                    let (verdict, _) = statement_applies(statement, request, layer == Layer::Rcp, false);
                    if verdict.is_no() {
                        continue;
                    }
                    let decider = Decider::Statement { layer, policy, statement };
                    match statement.effect {
                        Effect::Deny => {
                            denies.push((decider, verdict.is_yes()));
                            deny = std::mem::replace(&mut deny, Verdict::No).or(verdict);
                        }
                        Effect::Allow => {
                            this_level = this_level.or(verdict);
                            if !std::ptr::eq(policy, &*RCP_FULL_AWS_ACCESS) {
                                l.statements.push(decider);
                            }
                        }
                    }
                }
            }
            every_level = every_level.and(this_level);
        }
        l.allows = every_level.clone();
        guardrail = guardrail.and(every_level);
    }

    let routes = allow_routes(request, gatekeeper, policies, &mut notes);
    let verdict_of = |layer: Layer| layers[layer as usize].allows.clone();
    let route_verdicts: Vec<Verdict> =
        routes.iter().map(|route| route.iter().fold(Verdict::Yes, |acc, &l| acc.and(verdict_of(l)))).collect();
    let policies_allow = route_verdicts.iter().cloned().fold(Verdict::No, Verdict::or);
    let mut allow = policies_allow.clone().and(guardrail.clone());
    if request.is_kms() && gatekeeper == Gatekeeper::None && request.resource != "*" {
        notes.push(
            "an alias is decided by IAM policies alone; the key that CreateAlias, UpdateAlias and DeleteAlias \
             also touch is a separate authorization, decided by its key policy: simulate again with the key's \
             ARN as --resource (KMS Developer Guide, \"Controlling access to aliases\")",
        );
        // KMS Developer Guide, "Creating an alias": "The alias name cannot begin with alias/aws/. The alias/aws/
        // prefix is reserved for AWS managed keys"; AWS managed keys' aliases cannot be changed or deleted.
        let reserved = crate::vocab::aws::arn_resource(&request.resource)
            .is_some_and(|r| r.len() >= 10 && r[..10].eq_ignore_ascii_case("alias/aws/"));
        let alias_change =
            ["kms:createalias", "kms:updatealias", "kms:deletealias"].contains(&request.action_lc.as_str());
        if reserved && alias_change {
            allow = Verdict::No;
            notes.push("aliases beginning with alias/aws/ are reserved for AWS managed keys: no policy lets anyone create, update or delete them");
        }
    }

    // Evidence: which layers the closest route lacks, so a rule can say what to add. Closest means fewest
    // layers lacking, then most layers already allowing (a key policy that delegates to IAM points at IAM).
    let mut missing: Vec<Layer> = if policies_allow.is_no() && !deny.is_yes() {
        routes
            .iter()
            // Grants and statements open to everyone are alternatives no one is asked to add: remedies
            // name the principal's policy layers.
            .filter(|r| **r != [Layer::Grants] && !r.contains(&Layer::ResourceDirect))
            .map(|route| {
                let lacking: Vec<Layer> = route.iter().copied().filter(|&l| !verdict_of(l).is_yes()).collect();
                let satisfied = route.len() - lacking.len();
                (lacking, satisfied)
            })
            // `min_by_key` keeps the first of equals: routes are listed most natural first.
            .min_by_key(|(lacking, satisfied)| (lacking.len(), std::cmp::Reverse(*satisfied)))
            .map(|(lacking, _)| lacking)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    // A guardrail level that allows nothing is what to change, whatever the policies allow.
    for layer in [Layer::Scp, Layer::Rcp] {
        let l = &layers[layer as usize];
        if l.present && l.allows.is_no() && !deny.is_yes() {
            missing.push(layer);
        }
    }

    let (outcome, deciding) = match (&deny, &allow) {
        (Verdict::Yes, _) => {
            let sure = denies.iter().filter(|(_, sure)| *sure).map(|(d, _)| *d).collect();
            (Outcome::ExplicitDeny, sure)
        }
        (_, Verdict::No) => (Outcome::ImplicitDeny, Vec::new()),
        (Verdict::No, Verdict::Yes) => {
            let mut deciding = Vec::new();
            for (route, v) in routes.iter().zip(&route_verdicts) {
                if v.is_yes() {
                    push_route_statements(&mut deciding, route, &layers, true);
                }
            }
            push_route_statements(&mut deciding, &[Layer::Scp, Layer::Rcp], &layers, true);
            (Outcome::Allowed, deciding)
        }
        _ => {
            let mut deciding: Vec<Decider<'a>> = denies.iter().map(|(d, _)| *d).collect();
            for (route, v) in routes.iter().zip(&route_verdicts) {
                if !v.is_no() {
                    push_route_statements(&mut deciding, route, &layers, false);
                }
            }
            push_route_statements(&mut deciding, &[Layer::Scp, Layer::Rcp], &layers, false);
            (Outcome::Depends, deciding)
        }
    };
    let unresolved_keys =
        if outcome == Outcome::Depends { deny.keys().chain(allow.keys()).cloned().collect() } else { BTreeSet::new() };
    match (policies.scps.is_some(), policies.rcps.is_some()) {
        _ if request.principal.kind == PrincipalKind::Service && policies.rcps.is_none() => {}
        (false, false) => {
            notes.push("service control policies, resource control policies and session policies were not evaluated")
        }
        (true, false) => notes.push("resource control policies and session policies were not evaluated"),
        (false, true) if request.principal.kind != PrincipalKind::Service => {
            notes.push("service control policies and session policies were not evaluated")
        }
        _ => notes.push("session policies were not evaluated"),
    }
    Decision {
        outcome,
        unresolved_keys,
        deciding,
        layers: layers.into_iter().filter(|l| l.present || !l.statements.is_empty()).collect(),
        missing,
        notes,
    }
}

/// `RCPFullAWSAccess`, which AWS attaches at every level once RCPs are enabled and which cannot be detached
/// (AWS Organizations User Guide, "RCP syntax": "The effect of Allow is only supported for the
/// RCPFullAWSAccess policy").
static RCP_FULL_AWS_ACCESS: std::sync::LazyLock<Policy> = std::sync::LazyLock::new(|| {
    Policy::parse(
        "RCPFullAWSAccess",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
    )
    .expect("RCPFullAWSAccess parses")
});

/// A service-linked role (or its session): its path is `/aws-service-role/` and its name starts with
/// `AWSServiceRoleFor` (IAM User Guide, "Using service-linked roles").
fn is_service_linked_role(principal: &Principal) -> bool {
    matches!(principal.kind, PrincipalKind::Role | PrincipalKind::AssumedRole)
        && (principal.arn.contains(":role/aws-service-role/")
            || principal.role_name.as_deref().is_some_and(|n| n.starts_with("AWSServiceRoleFor")))
}

/// SCPs limit the IAM users and roles (and the root user) of member accounts; they do not affect service
/// principals or service-linked roles (AWS Organizations User Guide, "Service control policies": "SCPs do
/// not affect service-linked roles"). The management account is the caller's to leave out.
fn scps_apply(request: &Request, notes: &mut Vec<&'static str>) -> bool {
    if request.principal.kind == PrincipalKind::Service {
        return false;
    }
    if is_service_linked_role(&request.principal) {
        notes.push("service control policies do not affect service-linked roles");
        return false;
    }
    true
}

/// The services whose resources RCPs apply to (AWS Organizations User Guide, "List of AWS services that
/// support RCPs").
const RCP_SERVICES: &[&str] = &["s3", "sts", "kms", "sqs", "secretsmanager"];

/// RCPs limit requests on resources of the services that support them, by any principal but
/// service-linked roles; `kms:RetireGrant` is not controlled by RCPs (KMS Developer Guide, "Resource control
/// policies in AWS KMS": "The kms:RetireGrant permission is not effective in an RCP").
fn rcps_apply(request: &Request, notes: &mut Vec<&'static str>) -> bool {
    let service = request.action_lc.split_once(':').map_or("", |(s, _)| s);
    if !RCP_SERVICES.contains(&service) {
        notes.push("resource control policies do not apply to this service's resources");
        return false;
    }
    if request.action_lc == "kms:retiregrant" {
        notes.push("kms:RetireGrant is not controlled by resource control policies");
        return false;
    }
    if is_service_linked_role(&request.principal) {
        notes.push("resource control policies do not affect service-linked roles");
        return false;
    }
    true
}

fn push_route_statements<'a>(out: &mut Vec<Decider<'a>>, route: &[Layer], layers: &[LayerResult<'a>], sure_only: bool) {
    for &l in route {
        for d in &layers[l as usize].statements {
            let keep = !sure_only
                || match d {
                    Decider::Statement { statement, .. } => statement.effect == Effect::Allow,
                    Decider::Grant { .. } => true,
                };
            let already = out.iter().any(|x| same_decider(x, d));
            if keep && !already {
                out.push(*d);
            }
        }
    }
}

fn same_decider(a: &Decider<'_>, b: &Decider<'_>) -> bool {
    match (a, b) {
        (Decider::Statement { statement: x, .. }, Decider::Statement { statement: y, .. }) => std::ptr::eq(*x, *y),
        (Decider::Grant { grant: x, .. }, Decider::Grant { grant: y, .. }) => std::ptr::eq(*x, *y),
        _ => false,
    }
}

/// The conjunctions of layers that can allow this request (see the module table). The boundary layer
/// allows everything when the principal has no boundary.
fn allow_routes(
    request: &Request,
    gatekeeper: Gatekeeper,
    policies: &PolicySet<'_>,
    notes: &mut Vec<&'static str>,
) -> &'static [&'static [Layer]] {
    use Layer::*;
    if request.principal.kind == PrincipalKind::Service {
        return &[&[ResourceDirect], &[ResourcePrincipal]];
    }
    let cross = request.is_cross_account();
    if gatekeeper == Gatekeeper::TrustPolicy {
        if policies.resource.is_none() {
            notes.push("no trust policy was given: a role can be assumed only when its trust policy allows it");
        }
        // IAM User Guide, "Policy evaluation logic": a trust policy that names the principal's ARN allows it
        // alone; one that names the account delegates to the account's identity policies, which must allow
        // too. Across accounts both halves are needed, as for any resource.
        return if cross {
            &[
                &[ResourcePrincipal, Identity, Boundary],
                &[ResourceAccount, Identity, Boundary],
                &[ResourceDirect, Identity, Boundary],
            ]
        } else {
            &[&[ResourcePrincipal, Boundary], &[ResourceAccount, Identity, Boundary], &[ResourceDirect]]
        };
    }
    if gatekeeper == Gatekeeper::KeyPolicy {
        if policies.resource.is_none() {
            notes.push("no key policy was given: KMS allows nothing on a key whose key policy does not allow it");
        }
        return if cross {
            &[
                &[ResourcePrincipal, Identity, Boundary],
                &[ResourceAccount, Identity, Boundary],
                &[ResourceDirect, Identity, Boundary],
                &[Grants],
            ]
        } else {
            &[&[ResourcePrincipal, Boundary], &[ResourceAccount, Identity, Boundary], &[ResourceDirect], &[Grants]]
        };
    }
    if cross {
        return &[
            &[ResourcePrincipal, Identity, Boundary],
            &[ResourceAccount, Identity, Boundary],
            &[ResourceDirect, Identity, Boundary],
        ];
    }
    // Within an account, a resource policy that reaches the session directly is not limited by a
    // permissions boundary; one that names the role is (IAM User Guide, "Policy evaluation logic").
    &[&[Identity, Boundary], &[ResourcePrincipal, Boundary], &[ResourceDirect]]
}

/// Whether an identity-policy statement (one without a principal element) matches the request: action,
/// resource and conditions, whatever its effect. The statement-level question the layers are built from.
pub fn statement_matches(statement: &Statement, request: &Request) -> Verdict {
    statement_applies(statement, request, false, false).0
}

/// Whether a statement applies to the request, and how its principal element names the principal.
/// Identity-layer statements have no principal element; resource-layer statements must have one.
/// `bounded`: the principal has a permissions boundary, which a `NotPrincipal` Deny never spares.
fn statement_applies(
    statement: &Statement,
    request: &Request,
    resource_layer: bool,
    bounded: bool,
) -> (Verdict, Option<Via>) {
    let action_hit = statement.action.patterns.iter().any(|p| p.matches(&request.action_lc));
    if action_hit == statement.action.negated {
        return (Verdict::No, None);
    }
    let via = if resource_layer {
        match &statement.principal {
            // IAM User Guide, "NotPrincipal": "a Deny statement with NotPrincipal always denies a principal
            // that has a permissions boundary attached, regardless of the values in the NotPrincipal element".
            Some(element) if element.negated && bounded && statement.effect == Effect::Deny => Some(Via::Direct),
            Some(element) => match principal_applies(element, &request.principal, statement.effect) {
                Some(via) => Some(via),
                None => return (Verdict::No, None),
            },
            None => return (Verdict::No, None),
        }
    } else {
        None
    };
    let mut verdict = match &statement.resource {
        // Trust policies name no resource: the role is the resource.
        None => Verdict::Yes,
        Some(element) => {
            let hit = element
                .patterns
                .iter()
                .fold(Verdict::No, |acc, p| acc.or(p.matches(&request.resource, &request.context)));
            if element.negated { hit.not() } else { hit }
        }
    };
    for condition in &statement.conditions {
        if verdict.is_no() {
            break;
        }
        verdict = verdict.and(condition.evaluate(&request.context));
    }
    (verdict, via)
}

/// `Principal`: names the principal or its account. `NotPrincipal` excludes what it lists, and AWS may check
/// the account, the role and the session one after another (IAM User Guide, "NotPrincipal"), so the reading
/// that never allows more is taken for each effect: a `Deny` spares a principal only when every identity it
/// carries is listed (a session only with its session ARN, its role and its account); an `Allow` passes a
/// principal over when any identity it carries is listed (a user by its own ARN or its account).
fn principal_applies(element: &PrincipalElement, principal: &Principal, effect: Effect) -> Option<Via> {
    if element.everyone {
        return (!element.negated).then_some(Via::Direct);
    }
    let named = element.entries.iter().filter_map(|e| entry_names(e.kind, &e.value, principal));
    if element.negated {
        let listed: Vec<Identity> = named.collect();
        let excluded = listed.contains(&Identity::Everyone)
            || match effect {
                Effect::Deny => identities_of(principal).iter().all(|id| listed.contains(id)),
                Effect::Allow => !listed.is_empty(),
            };
        // An Allow that applies by exclusion reaches the principal as naming its own ARN would: a role (any
        // of its sessions) as the role, limited by its permissions boundary; a user or a session directly.
        let via =
            if effect == Effect::Allow && principal.kind == PrincipalKind::Role { Via::Role } else { Via::Direct };
        return (!excluded).then_some(via);
    }
    named
        .map(|identity| match identity {
            Identity::Account if principal.kind != PrincipalKind::Root => Via::Account,
            Identity::Role => Via::Role,
            _ => Via::Direct,
        })
        .max()
}

/// The identities a principal is known by, each of which a `NotPrincipal` must list to exclude it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Identity {
    /// The principal's own ARN (a user, a session, a service name).
    Itself,
    /// The role of a role or role session.
    Role,
    Account,
    /// `"AWS": "*"`.
    Everyone,
}

fn identities_of(principal: &Principal) -> &'static [Identity] {
    match principal.kind {
        PrincipalKind::Service => &[Identity::Itself],
        PrincipalKind::Root => &[Identity::Account],
        PrincipalKind::Role => &[Identity::Role, Identity::Account],
        PrincipalKind::AssumedRole => &[Identity::Itself, Identity::Role, Identity::Account],
        PrincipalKind::User | PrincipalKind::FederatedUser => &[Identity::Itself, Identity::Account],
    }
}

/// Which identity of the principal a principal-element entry names, if any.
fn entry_names(kind: PrincipalType, value: &str, principal: &Principal) -> Option<Identity> {
    match kind {
        PrincipalType::Service => (principal.kind == PrincipalKind::Service
            && value.eq_ignore_ascii_case(&principal.arn))
        .then_some(Identity::Itself),
        PrincipalType::Federated | PrincipalType::CanonicalUser => {
            (principal.kind != PrincipalKind::Service && value == principal.arn).then_some(Identity::Itself)
        }
        PrincipalType::Aws => {
            if value == "*" {
                return Some(Identity::Everyone);
            }
            let account = principal.account.as_deref()?;
            if is_account_id(value) || is_root_arn(value) {
                let named = if is_account_id(value) { value } else { crate::vocab::aws::Arn::parse(value)?.account };
                return (named == account).then_some(Identity::Account);
            }
            if value == principal.arn && principal.kind != PrincipalKind::Role {
                return Some(Identity::Itself);
            }
            principal.is_role_named_by(value).then_some(Identity::Role)
        }
    }
}

fn is_root_arn(value: &str) -> bool {
    split_iam_arn(value).is_some_and(|(_, account, resource)| resource == "root" && is_account_id(account))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Context, Principal, Request, parse_grants};

    const ROLE: &str = "arn:aws:iam::111122223333:role/TranslateRole";
    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const FOREIGN_KEY: &str = "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn policy(name: &str, text: &str) -> Policy {
        Policy::parse(name, text).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn req(principal: &str, action: &str, resource: &str, ctx: Context) -> Request {
        Request::new(Principal::parse(principal).unwrap(), action, resource, ctx)
    }

    fn decide(request: &Request, set: &PolicySet<'_>) -> (Outcome, Vec<String>, Vec<Option<String>>) {
        let d = evaluate(request, set);
        let sids = d
            .deciding
            .iter()
            .map(|x| match x {
                Decider::Statement { statement, .. } => statement.sid.clone(),
                Decider::Grant { grant, .. } => grant.grant_id.clone(),
            })
            .collect();
        (d.outcome, d.unresolved_keys.into_iter().collect(), sids)
    }

    fn identity(statements: &str) -> Policy {
        policy("identity.json", &format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#))
    }

    #[test]
    fn not_action_with_allow_allows_everything_else() {
        let p = identity(r#"{"Sid":"AllButIam","Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#);
        let set = PolicySet { identity: vec![&p], ..Default::default() };
        let ok = req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", Context::open());
        assert_eq!(decide(&ok, &set).0, Outcome::Allowed);
        let no = req(ROLE, "IAM:CreateUser", "arn:aws:iam::111122223333:user/x", Context::open());
        assert_eq!(decide(&no, &set).0, Outcome::ImplicitDeny);
    }

    #[test]
    fn not_resource_inverts() {
        let p = identity(r#"{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}"#);
        let set = PolicySet { identity: vec![&p], ..Default::default() };
        assert_eq!(decide(&req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", Context::open()), &set).0, Outcome::Allowed);
        assert_eq!(
            decide(&req(ROLE, "s3:GetObject", "arn:aws:s3:::secret/k", Context::open()), &set).0,
            Outcome::ImplicitDeny
        );
    }

    #[test]
    fn explicit_deny_wins_and_names_its_statement() {
        let p = identity(
            r#"{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"},
               {"Sid":"NoDelete","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}"#,
        );
        let set = PolicySet { identity: vec![&p], ..Default::default() };
        let (outcome, _, sids) = decide(&req(ROLE, "s3:DeleteObject", "arn:aws:s3:::b/k", Context::open()), &set);
        assert_eq!(outcome, Outcome::ExplicitDeny);
        assert_eq!(sids, [Some("NoDelete".to_string())]);
    }

    #[test]
    fn deny_with_undecided_condition_makes_allow_depend() {
        let p = identity(
            r#"{"Sid":"All","Effect":"Allow","Action":"s3:*","Resource":"*"},
               {"Sid":"OnlyTls","Effect":"Deny","Action":"s3:*","Resource":"*",
                "Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
        );
        let set = PolicySet { identity: vec![&p], ..Default::default() };
        let (outcome, keys, sids) = decide(&req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", Context::open()), &set);
        assert_eq!(outcome, Outcome::Depends);
        assert_eq!(keys, ["aws:SecureTransport"]);
        assert!(sids.contains(&Some("OnlyTls".into())) && sids.contains(&Some("All".into())));
        let tls = Context::open().with("aws:SecureTransport", ["true"]);
        assert_eq!(decide(&req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", tls), &set).0, Outcome::Allowed);
        let plain = Context::open().with("aws:SecureTransport", ["false"]);
        assert_eq!(decide(&req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", plain), &set).0, Outcome::ExplicitDeny);
    }

    #[test]
    fn undecided_deny_without_any_allow_is_still_a_deny() {
        let p = identity(
            r#"{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
        );
        let set = PolicySet { identity: vec![&p], ..Default::default() };
        assert_eq!(
            decide(&req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", Context::open()), &set).0,
            Outcome::ImplicitDeny
        );
    }

    #[test]
    fn not_principal_with_deny_spares_only_fully_listed_principals() {
        let bucket = policy(
            "bucket.json",
            r#"{"Statement":[
                {"Sid":"Allow","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"},
                {"Sid":"OnlyTranslate","Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:role/TranslateRole","111122223333"]},
                 "Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#,
        );
        let iam = identity(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#);
        let set = PolicySet { identity: vec![&iam], resource: Some(&bucket), ..Default::default() };
        assert_eq!(decide(&req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", Context::open()), &set).0, Outcome::Allowed);
        let other = "arn:aws:iam::111122223333:role/Other";
        let (outcome, _, sids) = decide(&req(other, "s3:GetObject", "arn:aws:s3:::b/k", Context::open()), &set);
        assert_eq!((outcome, sids), (Outcome::ExplicitDeny, vec![Some("OnlyTranslate".into())]));
        // A session of the role is spared only when its session ARN is listed too.
        let session = "arn:aws:sts::111122223333:assumed-role/TranslateRole/job";
        assert_eq!(
            decide(&req(session, "s3:GetObject", "arn:aws:s3:::b/k", Context::open()), &set).0,
            Outcome::ExplicitDeny
        );
    }

    #[test]
    fn cross_account_needs_both_halves() {
        let iam = identity(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#);
        let bucket = policy(
            "bucket.json",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
        );
        let r = req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", Context::open())
            .with_resource_account(Some("444455556666".into()));
        let only_iam = PolicySet { identity: vec![&iam], ..Default::default() };
        assert_eq!(decide(&r, &only_iam).0, Outcome::ImplicitDeny);
        let only_bucket = PolicySet { resource: Some(&bucket), ..Default::default() };
        let d = evaluate(&r, &only_bucket);
        assert_eq!((d.outcome, d.missing.as_slice()), (Outcome::ImplicitDeny, &[Layer::Identity][..]));
        let both = PolicySet { identity: vec![&iam], resource: Some(&bucket), ..Default::default() };
        assert_eq!(decide(&r, &both).0, Outcome::Allowed);
    }

    #[test]
    fn boundary_limits_identity_allows() {
        let iam = identity(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#);
        let boundary = policy(
            "boundary.json",
            r#"{"Statement":[{"Sid":"ReadOnly","Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#,
        );
        let set = PolicySet { identity: vec![&iam], boundary: Some(&boundary), ..Default::default() };
        assert_eq!(decide(&req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", Context::open()), &set).0, Outcome::Allowed);
        let d = evaluate(&req(ROLE, "s3:PutObject", "arn:aws:s3:::b/k", Context::open()), &set);
        assert_eq!((d.outcome, d.missing.as_slice()), (Outcome::ImplicitDeny, &[Layer::Boundary][..]));
    }

    #[test]
    fn kms_key_policy_is_primary() {
        let iam = identity(r#"{"Effect":"Allow","Action":"kms:*","Resource":"*"}"#);
        // No key policy statement for the role or its account: IAM alone cannot allow.
        let other = policy(
            "key.json",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Admin"},"Action":"kms:*","Resource":"*"}]}"#,
        );
        let set = PolicySet { identity: vec![&iam], resource: Some(&other), ..Default::default() };
        assert_eq!(decide(&req(ROLE, "kms:Decrypt", KEY, Context::open()), &set).0, Outcome::ImplicitDeny);
        // The key policy names the role: allowed with no IAM policy at all.
        let direct = policy(
            "key.json",
            r#"{"Statement":[{"Sid":"Role","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/TranslateRole"},"Action":"kms:Decrypt","Resource":"*"}]}"#,
        );
        let set = PolicySet { resource: Some(&direct), ..Default::default() };
        let (outcome, _, sids) = decide(&req(ROLE, "kms:Decrypt", KEY, Context::open()), &set);
        assert_eq!((outcome, sids), (Outcome::Allowed, vec![Some("Role".into())]));
    }

    #[test]
    fn kms_root_statement_delegates_to_iam() {
        let key = policy(
            "key.json",
            r#"{"Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#,
        );
        let iam = identity(
            r#"{"Sid":"UseKey","Effect":"Allow","Action":["kms:Decrypt"],"Resource":"arn:aws:kms:*:111122223333:key/*"}"#,
        );
        let without = PolicySet { resource: Some(&key), ..Default::default() };
        let d = evaluate(&req(ROLE, "kms:Decrypt", KEY, Context::open()), &without);
        assert_eq!((d.outcome, d.missing.as_slice()), (Outcome::ImplicitDeny, &[Layer::Identity][..]));
        let with = PolicySet { identity: vec![&iam], resource: Some(&key), ..Default::default() };
        let (outcome, _, sids) = decide(&req(ROLE, "kms:Decrypt", KEY, Context::open()), &with);
        assert_eq!(outcome, Outcome::Allowed);
        assert_eq!(sids, [Some("Root".into()), Some("UseKey".into())]);
    }

    #[test]
    fn kms_cross_account_needs_key_policy_and_iam() {
        let key = policy(
            "key.json",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/TranslateRole"},"Action":"kms:Decrypt","Resource":"*"}]}"#,
        );
        let iam = identity(&format!(r#"{{"Effect":"Allow","Action":"kms:Decrypt","Resource":"{FOREIGN_KEY}"}}"#));
        let r = req(ROLE, "kms:Decrypt", FOREIGN_KEY, Context::open());
        assert_eq!(decide(&r, &PolicySet { resource: Some(&key), ..Default::default() }).0, Outcome::ImplicitDeny);
        assert_eq!(decide(&r, &PolicySet { identity: vec![&iam], ..Default::default() }).0, Outcome::ImplicitDeny);
        let both = PolicySet { identity: vec![&iam], resource: Some(&key), ..Default::default() };
        assert_eq!(decide(&r, &both).0, Outcome::Allowed);
    }

    #[test]
    fn kms_grants_allow_without_policies() {
        let key = policy(
            "key.json",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#,
        );
        let grants = parse_grants(&format!(
            r#"{{"Grants":[{{"KeyId":"{KEY}","GrantId":"g1","GranteePrincipal":"{ROLE}","Operations":["Decrypt","GenerateDataKey"]}}]}}"#
        ))
        .unwrap();
        let set = PolicySet { resource: Some(&key), grants: &grants, ..Default::default() };
        let (outcome, _, sids) = decide(&req(ROLE, "kms:GenerateDataKey", KEY, Context::open()), &set);
        assert_eq!((outcome, sids), (Outcome::Allowed, vec![Some("g1".into())]));
        assert_eq!(decide(&req(ROLE, "kms:CreateGrant", KEY, Context::open()), &set).0, Outcome::ImplicitDeny);
    }

    #[test]
    fn kms_everyone_with_caller_account_condition() {
        // The shape of AWS managed key policies: everyone, limited by kms:CallerAccount and kms:ViaService.
        let key = policy(
            "key.json",
            r#"{"Statement":[{"Sid":"ViaS3","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*",
                "Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}"#,
        );
        let set = PolicySet { resource: Some(&key), ..Default::default() };
        let (outcome, keys, _) = decide(&req(ROLE, "kms:Decrypt", KEY, Context::open()), &set);
        assert_eq!((outcome, keys), (Outcome::Depends, vec!["kms:ViaService".to_string()]));
        let via_s3 = Context::open().with("kms:ViaService", ["s3.us-east-1.amazonaws.com"]);
        assert_eq!(decide(&req(ROLE, "kms:Decrypt", KEY, via_s3), &set).0, Outcome::Allowed);
        let other = "arn:aws:iam::444455556666:role/X";
        let via_s3 = Context::open().with("kms:ViaService", ["s3.us-east-1.amazonaws.com"]);
        assert_eq!(decide(&req(other, "kms:Decrypt", KEY, via_s3), &set).0, Outcome::ImplicitDeny);
    }

    #[test]
    fn trust_policy_alone_decides_for_a_service() {
        let trust = policy(
            "trust.json",
            r#"{"Statement":[{"Sid":"Translate","Effect":"Allow","Principal":{"Service":"translate.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        );
        let set = PolicySet { resource: Some(&trust), ..Default::default() };
        let (outcome, _, sids) = decide(&req("translate.amazonaws.com", "sts:AssumeRole", ROLE, Context::open()), &set);
        assert_eq!((outcome, sids), (Outcome::Allowed, vec![Some("Translate".into())]));
        assert_eq!(
            decide(&req("s3.amazonaws.com", "sts:AssumeRole", ROLE, Context::open()), &set).0,
            Outcome::ImplicitDeny
        );
        // An IAM role in the same account named by nothing: no.
        assert_eq!(
            decide(&req("arn:aws:iam::111122223333:role/Other", "sts:AssumeRole", ROLE, Context::open()), &set).0,
            Outcome::ImplicitDeny
        );
    }

    #[test]
    fn an_account_root_needs_only_the_key_policy_across_accounts() {
        let key = policy(
            "key.json",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Decrypt","Resource":"*"}]}"#,
        );
        let set = PolicySet { resource: Some(&key), ..Default::default() };
        assert_eq!(decide(&req("111122223333", "kms:Decrypt", FOREIGN_KEY, Context::open()), &set).0, Outcome::Allowed);
        assert_eq!(
            decide(&req("999988887777", "kms:Decrypt", FOREIGN_KEY, Context::open()), &set).0,
            Outcome::ImplicitDeny
        );
    }

    #[test]
    fn role_arn_with_path_names_the_role_and_its_sessions() {
        let key = policy(
            "key.json",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/service-role/TranslateRole"},"Action":"kms:Decrypt","Resource":"*"}]}"#,
        );
        let set = PolicySet { resource: Some(&key), ..Default::default() };
        for p in [
            "arn:aws:iam::111122223333:role/service-role/TranslateRole",
            "arn:aws:sts::111122223333:assumed-role/TranslateRole/s",
        ] {
            assert_eq!(decide(&req(p, "kms:Decrypt", KEY, Context::open()), &set).0, Outcome::Allowed, "{p}");
        }
        let other_account = "arn:aws:iam::444455556666:role/TranslateRole";
        assert_eq!(decide(&req(other_account, "kms:Decrypt", KEY, Context::open()), &set).0, Outcome::ImplicitDeny);
    }

    #[test]
    fn same_account_resource_policy_naming_the_principal_suffices() {
        let bucket = policy(
            "bucket.json",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/TranslateRole"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::out/*"}]}"#,
        );
        let set = PolicySet { resource: Some(&bucket), ..Default::default() };
        assert_eq!(decide(&req(ROLE, "s3:PutObject", "arn:aws:s3:::out/x", Context::open()), &set).0, Outcome::Allowed);
        // Naming only the account delegates to IAM, which allows nothing here.
        let delegating = policy(
            "bucket.json",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::out/*"}]}"#,
        );
        let set = PolicySet { resource: Some(&delegating), ..Default::default() };
        assert_eq!(
            decide(&req(ROLE, "s3:PutObject", "arn:aws:s3:::out/x", Context::open()), &set).0,
            Outcome::ImplicitDeny
        );
    }

    #[test]
    fn a_boundary_limits_grants_to_the_role_arn_but_not_to_everyone_or_the_session() {
        // IAM User Guide, "Policy evaluation logic": within an account, an implicit deny in a permissions
        // boundary does not limit a resource-based policy that grants the session (or everyone) directly,
        // and does limit one that grants the role ARN.
        let boundary =
            policy("boundary.json", r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#);
        let grant = |principal: &str| {
            policy(
                "bucket.json",
                &format!(
                    r#"{{"Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"s3:PutObject","Resource":"arn:aws:s3:::out/*"}}]}}"#
                ),
            )
        };
        let session = "arn:aws:sts::111122223333:assumed-role/TranslateRole/job";
        for (principal, by, expected) in [
            (r#"{"AWS":"arn:aws:iam::111122223333:role/TranslateRole"}"#, ROLE, Outcome::ImplicitDeny),
            (r#"{"AWS":"arn:aws:iam::111122223333:role/TranslateRole"}"#, session, Outcome::ImplicitDeny),
            (r#""*""#, ROLE, Outcome::Allowed),
            (r#"{"AWS":"*"}"#, session, Outcome::Allowed),
            (&format!(r#"{{"AWS":"{session}"}}"#), session, Outcome::Allowed),
        ] {
            let bucket = grant(principal);
            let bounded = PolicySet { resource: Some(&bucket), boundary: Some(&boundary), ..Default::default() };
            let r = req(by, "s3:PutObject", "arn:aws:s3:::out/x", Context::open())
                .with_resource_account(Some("111122223333".into()));
            assert_eq!(decide(&r, &bounded).0, expected, "{principal} for {by}");
            let free = PolicySet { resource: Some(&bucket), ..Default::default() };
            assert_eq!(decide(&r, &free).0, Outcome::Allowed, "{principal} for {by} without a boundary");
        }
        // KMS alike: a key policy granting the role ARN is limited by the boundary, `*` is not.
        for (principal, expected) in [
            (r#"{"AWS":"arn:aws:iam::111122223333:role/TranslateRole"}"#, Outcome::ImplicitDeny),
            (r#"{"AWS":"*"}"#, Outcome::Allowed),
        ] {
            let key = policy(
                "key.json",
                &format!(
                    r#"{{"Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"kms:Decrypt","Resource":"*"}}]}}"#
                ),
            );
            let set = PolicySet { resource: Some(&key), boundary: Some(&boundary), ..Default::default() };
            assert_eq!(decide(&req(ROLE, "kms:Decrypt", KEY, Context::open()), &set).0, expected, "{principal}");
        }
    }

    #[test]
    fn a_not_principal_deny_always_denies_a_bounded_principal() {
        // IAM User Guide, "NotPrincipal": a Deny with NotPrincipal always denies a principal that has a
        // permissions boundary attached, whatever NotPrincipal lists.
        let bucket = policy(
            "bucket.json",
            r#"{"Statement":[
                {"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},
                {"Sid":"OnlyTranslate","Effect":"Deny","NotPrincipal":{"AWS":[
                    "arn:aws:iam::111122223333:role/TranslateRole",
                    "arn:aws:sts::111122223333:assumed-role/TranslateRole/job","111122223333"]},
                 "Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#,
        );
        let boundary = policy("boundary.json", r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#);
        let session = "arn:aws:sts::111122223333:assumed-role/TranslateRole/job";
        let free = PolicySet { resource: Some(&bucket), ..Default::default() };
        assert_eq!(
            decide(&req(session, "s3:GetObject", "arn:aws:s3:::b/k", Context::open()), &free).0,
            Outcome::Allowed
        );
        let bounded = PolicySet { resource: Some(&bucket), boundary: Some(&boundary), ..Default::default() };
        let (outcome, _, sids) = decide(&req(session, "s3:GetObject", "arn:aws:s3:::b/k", Context::open()), &bounded);
        assert_eq!((outcome, sids), (Outcome::ExplicitDeny, vec![Some("OnlyTranslate".into())]));
    }

    #[test]
    fn open_context_leaves_negated_and_if_exists_conditions_undecided() {
        // An Allow with StringNotEquals on a key the context does not know could go either way.
        let p = identity(
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}}"#,
        );
        let set = PolicySet { identity: vec![&p], ..Default::default() };
        let (outcome, keys, _) = decide(&req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", Context::open()), &set);
        assert_eq!((outcome, keys), (Outcome::Depends, vec!["aws:SourceVpce".to_string()]));
        let closed = Context::open().closed();
        assert_eq!(decide(&req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", closed), &set).0, Outcome::Allowed);
        // A Deny with NotIpAddress on aws:SourceIp: undecided in an open context, not an explicit deny.
        let p = identity(
            r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"},
               {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#,
        );
        let set = PolicySet { identity: vec![&p], ..Default::default() };
        assert_eq!(decide(&req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", Context::open()), &set).0, Outcome::Depends);
        let inside = Context::open().with("aws:SourceIp", ["10.1.2.3"]);
        assert_eq!(decide(&req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", inside), &set).0, Outcome::Allowed);
        let mut absent = Context::open();
        absent.insert_absent("aws:SourceIp");
        assert_eq!(decide(&req(ROLE, "s3:GetObject", "arn:aws:s3:::b/k", absent), &set).0, Outcome::ExplicitDeny);
    }

    const USER: &str = "arn:aws:iam::123456789012:user/test-user";

    #[test]
    fn an_allow_with_not_principal_listing_a_user_does_not_allow_that_user() {
        // IAM User Guide, "NotPrincipal": an Allow with NotPrincipal "allows all principals except the one
        // named"; for an IAM user the user ARN is the principal.
        for listed in [format!(r#""{USER}""#), format!(r#"["{USER}"]"#), r#"["123456789012"]"#.to_string()] {
            let bucket = policy(
                "bucket.json",
                &format!(
                    r#"{{"Statement":[{{"Effect":"Allow","NotPrincipal":{{"AWS":{listed}}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}]}}"#
                ),
            );
            let set = PolicySet { resource: Some(&bucket), ..Default::default() };
            let r = req(USER, "s3:GetObject", "arn:aws:s3:::b/k", Context::open())
                .with_resource_account(Some("123456789012".into()));
            assert_eq!(decide(&r, &set).0, Outcome::ImplicitDeny, "NotPrincipal {listed}");
            // Another user of the account is not excluded: the Allow reaches it.
            let other =
                req("arn:aws:iam::123456789012:user/other", "s3:GetObject", "arn:aws:s3:::b/k", Context::open())
                    .with_resource_account(Some("123456789012".into()));
            let expected = if listed.contains("user/") { Outcome::Allowed } else { Outcome::ImplicitDeny };
            assert_eq!(decide(&other, &set).0, expected, "another user, NotPrincipal {listed}");
        }
    }

    #[test]
    fn a_same_account_role_is_assumed_only_when_its_trust_policy_allows_it() {
        // IAM User Guide, "Policy evaluation logic": "IAM role trust policies and KMS key policies are
        // exceptions to this logic, because they must explicitly allow access for principals."
        let role = "arn:aws:iam::123456789012:role/test-role";
        let iam = identity(&format!(r#"{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{role}"}}"#));
        let trust = |principal: &str| {
            policy(
                "trust.json",
                &format!(
                    r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"}}]}}"#
                ),
            )
        };
        let r = req(USER, "sts:AssumeRole", role, Context::open());
        let other_user = trust("arn:aws:iam::123456789012:user/other");
        let set = PolicySet { identity: vec![&iam], resource: Some(&other_user), ..Default::default() };
        assert_eq!(decide(&r, &set).0, Outcome::ImplicitDeny, "identity policy alone");
        let root = trust("arn:aws:iam::123456789012:root");
        assert_eq!(decide(&r, &PolicySet { resource: Some(&root), ..Default::default() }).0, Outcome::ImplicitDeny);
        let both = PolicySet { identity: vec![&iam], resource: Some(&root), ..Default::default() };
        assert_eq!(decide(&r, &both).0, Outcome::Allowed, "account in the trust policy, and the identity policy");
        let named = trust(USER);
        assert_eq!(decide(&r, &PolicySet { resource: Some(&named), ..Default::default() }).0, Outcome::Allowed);
        // Without a trust policy nothing assumes the role, and the decision says why.
        let d = evaluate(&r, &PolicySet { identity: vec![&iam], ..Default::default() });
        assert_eq!(d.outcome, Outcome::ImplicitDeny);
        assert!(d.notes.iter().any(|n| n.contains("no trust policy")), "{:?}", d.notes);
    }

    #[test]
    fn a_kms_alias_is_decided_by_iam_policies() {
        // KMS Developer Guide, "Controlling access to aliases": aliases have no key policy.
        let alias = "arn:aws:kms:us-east-1:123456789012:alias/my-alias";
        let iam = identity(&format!(r#"{{"Effect":"Allow","Action":"kms:DeleteAlias","Resource":"{alias}"}}"#));
        let set = PolicySet { identity: vec![&iam], ..Default::default() };
        let d = evaluate(&req(USER, "kms:DeleteAlias", alias, Context::open()), &set);
        assert_eq!(d.outcome, Outcome::Allowed);
        assert!(d.notes.iter().any(|n| n.contains("separate authorization")), "{:?}", d.notes);
        assert_eq!(
            decide(&req(USER, "kms:DeleteAlias", alias, Context::open()), &PolicySet::default()).0,
            Outcome::ImplicitDeny
        );
        // The key itself keeps key-policy primacy.
        let on_key = identity(r#"{"Effect":"Allow","Action":"kms:DeleteAlias","Resource":"*"}"#);
        let set = PolicySet { identity: vec![&on_key], ..Default::default() };
        assert_eq!(decide(&req(USER, "kms:DeleteAlias", KEY, Context::open()), &set).0, Outcome::ImplicitDeny);
        // AWS managed keys' aliases are reserved.
        let any = identity(r#"{"Effect":"Allow","Action":"kms:*","Resource":"*"}"#);
        let set = PolicySet { identity: vec![&any], ..Default::default() };
        let reserved = "arn:aws:kms:us-east-1:123456789012:alias/aws/s3";
        assert_eq!(decide(&req(USER, "kms:DeleteAlias", reserved, Context::open()), &set).0, Outcome::ImplicitDeny);
        assert_eq!(decide(&req(USER, "kms:DeleteAlias", alias, Context::open()), &set).0, Outcome::Allowed);
        // Actions without a resource type are requested on "*", decided by IAM.
        assert_eq!(decide(&req(USER, "kms:CreateKey", "*", Context::open()), &set).0, Outcome::Allowed);
        assert_eq!(
            decide(&req(USER, "kms:ListKeys", "*", Context::open()), &PolicySet::default()).0,
            Outcome::ImplicitDeny
        );
    }

    #[test]
    fn get_caller_identity_cannot_be_denied() {
        // AWS STS API Reference, GetCallerIdentity: no permission needed; an explicit deny does not stop it.
        let deny = identity(r#"{"Effect":"Deny","Action":"sts:*","Resource":"*"}"#);
        let set = PolicySet { identity: vec![&deny], ..Default::default() };
        let d = evaluate(&req(USER, "sts:GetCallerIdentity", "*", Context::open()), &set);
        assert_eq!(d.outcome, Outcome::Allowed);
        assert!(d.notes[0].contains("needs no permission"));
        assert_eq!(
            decide(&req(USER, "sts:GetCallerIdentity", "*", Context::open()), &PolicySet::default()).0,
            Outcome::Allowed
        );
    }

    fn levels(policies: &[Vec<Policy>]) -> Vec<Vec<&Policy>> {
        policies.iter().map(|l| l.iter().collect()).collect()
    }

    #[test]
    fn every_scp_level_must_allow_and_any_deny_wins() {
        let full = policy("full.json", r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
        let s3_only = policy("s3.json", r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#);
        let no_grants = policy(
            "deny.json",
            r#"{"Statement":[{"Sid":"NoGrants","Effect":"Deny","Action":"kms:CreateGrant","Resource":"*"}]}"#,
        );
        let key = policy(
            "key.json",
            &format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{ROLE}"}},"Action":"kms:*","Resource":"*"}}]}}"#
            ),
        );
        let decide_with = |action: &str, scps: &[Vec<Policy>]| {
            let lv = levels(scps);
            let set = PolicySet { resource: Some(&key), scps: Some(&lv), ..Default::default() };
            decide(&req(ROLE, action, KEY, Context::open()), &set)
        };
        assert_eq!(decide_with("kms:Decrypt", &[vec![full.clone()], vec![full.clone()]]).0, Outcome::Allowed);
        // An OU that allows only S3 blocks KMS, whatever the key policy says.
        let (o, ..) = decide_with("kms:Decrypt", &[vec![full.clone()], vec![s3_only.clone()]]);
        assert_eq!(o, Outcome::ImplicitDeny);
        let blocked = [vec![full.clone()], vec![s3_only.clone()]];
        let lv = levels(&blocked);
        let d = evaluate(
            &req(ROLE, "kms:Decrypt", KEY, Context::open()),
            &PolicySet { resource: Some(&key), scps: Some(&lv), ..Default::default() },
        );
        assert_eq!(d.missing, [Layer::Scp]);
        // A level with no SCP allows nothing.
        assert_eq!(decide_with("kms:Decrypt", &[vec![full.clone()], vec![]]).0, Outcome::ImplicitDeny);
        // A Deny at any level wins, named.
        let (o, _, sids) = decide_with("kms:CreateGrant", &[vec![full.clone()], vec![full.clone(), no_grants.clone()]]);
        assert_eq!((o, sids), (Outcome::ExplicitDeny, vec![Some("NoGrants".to_string())]));
        // Service-linked roles and service principals are not affected.
        let slr = "arn:aws:iam::111122223333:role/aws-service-role/translate.amazonaws.com/AWSServiceRoleForTranslate";
        let only_s3 = [vec![s3_only.clone()]];
        let lv = levels(&only_s3);
        let any = identity(r#"{"Effect":"Allow","Action":"kms:*","Resource":"*"}"#);
        let root_key = policy(
            "root.json",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}]}"#,
        );
        let set = PolicySet { identity: vec![&any], resource: Some(&root_key), scps: Some(&lv), ..Default::default() };
        let d = evaluate(&req(slr, "kms:Decrypt", KEY, Context::open()), &set);
        assert_eq!(d.outcome, Outcome::Allowed);
        assert!(d.notes.iter().any(|n| n.contains("do not affect service-linked roles")), "{:?}", d.notes);
    }

    #[test]
    fn rcps_limit_requests_on_the_resources_of_their_services() {
        let perimeter = policy(
            "rcp.json",
            r#"{"Statement":[{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":["kms:*","s3:*"],"Resource":"*",
                "Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#,
        );
        let key = policy(
            "key.json",
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}"#,
        );
        let path = [vec![], vec![perimeter.clone()]];
        let lv = levels(&path);
        let set = PolicySet { resource: Some(&key), rcps: Some(&lv), ..Default::default() };
        let outside = Context::open().with("aws:PrincipalOrgID", ["o-zzzzzzzzzz"]);
        let (o, _, sids) = decide(&req(ROLE, "kms:Decrypt", KEY, outside.clone()), &set);
        assert_eq!((o, sids), (Outcome::ExplicitDeny, vec![Some("OrgOnly".to_string())]));
        let inside = Context::open().with("aws:PrincipalOrgID", ["o-a1b2c3d4e5"]);
        assert_eq!(decide(&req(ROLE, "kms:Decrypt", KEY, inside), &set).0, Outcome::Allowed);
        // The organization's id not known: the perimeter may or may not deny.
        assert_eq!(decide(&req(ROLE, "kms:Decrypt", KEY, Context::open()), &set).0, Outcome::Depends);
        // kms:RetireGrant is not controlled by RCPs; a service not in RCPs' list is not limited.
        let d = evaluate(&req(ROLE, "kms:RetireGrant", KEY, outside.clone()), &set);
        assert_eq!(d.outcome, Outcome::Allowed);
        assert!(d.notes.iter().any(|n| n.contains("kms:RetireGrant is not controlled")), "{:?}", d.notes);
        let iam = identity(r#"{"Effect":"Allow","Action":"translate:*","Resource":"*"}"#);
        let set = PolicySet { identity: vec![&iam], rcps: Some(&lv), ..Default::default() };
        let term = "arn:aws:translate:us-east-1:111122223333:terminology/t";
        assert_eq!(decide(&req(ROLE, "translate:GetTerminology", term, outside), &set).0, Outcome::Allowed);
    }
}
