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
//! | `kms:` same account           | key policy names principal (∧ boundary) · key policy names account ∧ IAM (∧ boundary) · grant |
//! | `kms:` cross-account          | key policy names principal or account, ∧ IAM (∧ boundary) · grant           |
//! | other, same account           | IAM (∧ boundary) · resource policy names principal (∧ boundary, for roles)  |
//! | other, cross-account          | resource policy names principal or account, ∧ IAM (∧ boundary)              |
//!
//! An explicit Deny in any layer wins; a Deny that may or may not apply makes an allowed request `Depends`.

use std::collections::BTreeSet;

use super::document::{Effect, Policy, PrincipalElement, PrincipalType, Statement};
use super::grants::Grant;
use super::request::{Principal, PrincipalKind, Request, is_account_id};
use super::verdict::Verdict;

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    Identity,
    Boundary,
    /// Resource-policy statements that name the principal itself (or everyone).
    ResourcePrincipal,
    /// Resource-policy statements that name the principal's account, delegating to its IAM policies.
    ResourceAccount,
    Grants,
}

impl Layer {
    pub const ALL: [Layer; 5] = [
        Layer::Identity,
        Layer::Boundary,
        Layer::ResourcePrincipal,
        Layer::ResourceAccount,
        Layer::Grants,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Layer::Identity => "identity policies",
            Layer::Boundary => "permissions boundary",
            Layer::ResourcePrincipal => "resource policy naming the principal",
            Layer::ResourceAccount => "resource policy naming the principal's account",
            Layer::Grants => "grants",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Layer::Identity => "identity",
            Layer::Boundary => "boundary",
            Layer::ResourcePrincipal => "resource_principal",
            Layer::ResourceAccount => "resource_account",
            Layer::Grants => "grants",
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
    Statement {
        layer: Layer,
        policy: &'a Policy,
        statement: &'a Statement,
    },
    Grant {
        index: usize,
        grant: &'a Grant,
    },
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
    pub notes: Vec<String>,
}

impl Decision<'_> {
    pub fn layer(&self, layer: Layer) -> Option<&LayerResult<'_>> {
        self.layers.iter().find(|l| l.layer == layer)
    }
}

/// How a statement's principal element names the request's principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Via {
    Account,
    Principal,
}

/// Decides `request` against `policies`.
pub fn evaluate<'a>(request: &Request, policies: &PolicySet<'a>) -> Decision<'a> {
    let mut deny = Verdict::No;
    // Each matching Deny, and whether it surely applies.
    let mut denies: Vec<(Decider<'a>, bool)> = Vec::new();
    let mut layers: Vec<LayerResult<'a>> = Layer::ALL
        .iter()
        .map(|&layer| LayerResult {
            layer,
            present: false,
            allows: Verdict::No,
            statements: Vec::new(),
        })
        .collect();

    let mut scan = |policy: &'a Policy,
                    resource_layer: bool,
                    layer: Layer,
                    layers: &mut Vec<LayerResult<'a>>| {
        for statement in &policy.statements {
            let (verdict, via) = statement_applies(statement, request, resource_layer);
            if verdict.is_no() {
                continue;
            }
            let layer = match (resource_layer, via) {
                (true, Some(Via::Account)) => Layer::ResourceAccount,
                (true, _) => Layer::ResourcePrincipal,
                (false, _) => layer,
            };
            let decider = Decider::Statement {
                layer,
                policy,
                statement,
            };
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
    if let Some(boundary) = policies.boundary {
        layers[Layer::Boundary as usize].present = true;
        scan(boundary, false, Layer::Boundary, &mut layers);
    }
    if let Some(resource) = policies.resource {
        layers[Layer::ResourcePrincipal as usize].present = true;
        layers[Layer::ResourceAccount as usize].present = true;
        scan(resource, true, Layer::ResourcePrincipal, &mut layers);
    }
    if request.is_kms() {
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

    let mut notes = Vec::new();
    let routes = allow_routes(request, policies, &mut notes);
    let verdict_of = |layer: Layer| layers[layer as usize].allows.clone();
    let route_verdicts: Vec<Verdict> = routes
        .iter()
        .map(|route| {
            route
                .iter()
                .fold(Verdict::Yes, |acc, &l| acc.and(verdict_of(l)))
        })
        .collect();
    let allow = route_verdicts
        .iter()
        .cloned()
        .fold(Verdict::No, Verdict::or);

    // Evidence: which layers the best route lacks, so a rule can say what to add.
    let mut missing: Vec<Layer> = Vec::new();
    if !allow.is_yes() {
        let mut best: Option<Vec<Layer>> = None;
        for route in &routes {
            let lacking: Vec<Layer> = route
                .iter()
                .copied()
                .filter(|&l| !verdict_of(l).is_yes())
                .collect();
            if best.as_ref().is_none_or(|b| lacking.len() < b.len()) {
                best = Some(lacking);
            }
        }
        missing = best.unwrap_or_default();
    }

    let (outcome, deciding) = match (&deny, &allow) {
        (Verdict::Yes, _) => {
            let sure = denies
                .iter()
                .filter(|(_, sure)| *sure)
                .map(|(d, _)| *d)
                .collect();
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
            (Outcome::Allowed, deciding)
        }
        _ => {
            let mut deciding: Vec<Decider<'a>> = denies.iter().map(|(d, _)| *d).collect();
            for (route, v) in routes.iter().zip(&route_verdicts) {
                if !v.is_no() {
                    push_route_statements(&mut deciding, route, &layers, false);
                }
            }
            (Outcome::Depends, deciding)
        }
    };
    let unresolved_keys = if outcome == Outcome::Depends {
        deny.keys().chain(allow.keys()).cloned().collect()
    } else {
        BTreeSet::new()
    };
    if request.principal.kind != PrincipalKind::Service {
        notes.push(
            "service control policies, resource control policies and session policies are not visible to a \
             member account and were not evaluated"
                .into(),
        );
    }
    Decision {
        outcome,
        unresolved_keys,
        deciding,
        layers: layers
            .into_iter()
            .filter(|l| l.present || !l.statements.is_empty())
            .collect(),
        missing,
        notes,
    }
}

fn push_route_statements<'a>(
    out: &mut Vec<Decider<'a>>,
    route: &[Layer],
    layers: &[LayerResult<'a>],
    sure_only: bool,
) {
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
        (Decider::Statement { statement: x, .. }, Decider::Statement { statement: y, .. }) => {
            std::ptr::eq(*x, *y)
        }
        (Decider::Grant { grant: x, .. }, Decider::Grant { grant: y, .. }) => std::ptr::eq(*x, *y),
        _ => false,
    }
}

/// The conjunctions of layers that can allow this request (see the module table).
fn allow_routes(
    request: &Request,
    policies: &PolicySet<'_>,
    notes: &mut Vec<String>,
) -> Vec<Vec<Layer>> {
    use Layer::*;
    let with_boundary = |mut route: Vec<Layer>| {
        if policies.boundary.is_some() {
            route.push(Boundary);
        }
        route
    };
    if request.principal.kind == PrincipalKind::Service {
        return vec![vec![ResourcePrincipal]];
    }
    let cross = request.is_cross_account();
    if request.is_kms() {
        if policies.resource.is_none() {
            notes.push("no key policy was given: KMS allows nothing on a key whose key policy does not allow it".into());
        }
        let mut routes = if cross {
            vec![
                with_boundary(vec![ResourcePrincipal, Identity]),
                with_boundary(vec![ResourceAccount, Identity]),
            ]
        } else {
            vec![
                with_boundary(vec![ResourcePrincipal]),
                with_boundary(vec![ResourceAccount, Identity]),
            ]
        };
        routes.push(vec![Grants]);
        return routes;
    }
    if cross {
        return vec![
            with_boundary(vec![ResourcePrincipal, Identity]),
            with_boundary(vec![ResourceAccount, Identity]),
        ];
    }
    // A resource policy that names an IAM user, or a role session, is not limited by a permissions
    // boundary; one that names a role is (IAM User Guide, "Policy evaluation logic", boundaries).
    let direct = match request.principal.kind {
        PrincipalKind::User | PrincipalKind::Root | PrincipalKind::FederatedUser => {
            vec![ResourcePrincipal]
        }
        _ => with_boundary(vec![ResourcePrincipal]),
    };
    vec![with_boundary(vec![Identity]), direct]
}

/// Whether a statement applies to the request, and how its principal element names the principal.
/// Identity-layer statements have no principal element; resource-layer statements must have one.
fn statement_applies(
    statement: &Statement,
    request: &Request,
    resource_layer: bool,
) -> (Verdict, Option<Via>) {
    let action_hit = statement
        .action
        .patterns
        .iter()
        .any(|p| p.matches(&request.action_lc));
    if action_hit == statement.action.negated {
        return (Verdict::No, None);
    }
    let via = if resource_layer {
        match &statement.principal {
            Some(element) => match principal_applies(element, &request.principal) {
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
            let hit = element.patterns.iter().fold(Verdict::No, |acc, p| {
                acc.or(p.matches(&request.resource, &request.context))
            });
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

/// `Principal`: names the principal or its account. `NotPrincipal`: applies unless every identity the
/// principal carries is listed (IAM User Guide, "NotPrincipal": a role session is excluded only when its
/// session ARN, its role and its account are all named).
fn principal_applies(element: &PrincipalElement, principal: &Principal) -> Option<Via> {
    if element.everyone {
        return (!element.negated).then_some(Via::Principal);
    }
    let named = element
        .entries
        .iter()
        .filter_map(|e| entry_names(e.kind, &e.value, principal));
    if element.negated {
        let listed: Vec<Identity> = named.collect();
        let excluded = listed.contains(&Identity::Everyone)
            || identities_of(principal)
                .iter()
                .all(|id| listed.contains(id));
        return (!excluded).then_some(Via::Principal);
    }
    named
        .map(|identity| match identity {
            Identity::Account if principal.kind != PrincipalKind::Root => Via::Account,
            _ => Via::Principal,
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
        PrincipalKind::User | PrincipalKind::FederatedUser => {
            &[Identity::Itself, Identity::Account]
        }
    }
}

/// Which identity of the principal a principal-element entry names, if any.
fn entry_names(kind: PrincipalType, value: &str, principal: &Principal) -> Option<Identity> {
    match kind {
        PrincipalType::Service => (principal.kind == PrincipalKind::Service
            && value.eq_ignore_ascii_case(&principal.arn))
        .then_some(Identity::Itself),
        PrincipalType::Federated | PrincipalType::CanonicalUser => {
            (principal.kind != PrincipalKind::Service && value == principal.arn)
                .then_some(Identity::Itself)
        }
        PrincipalType::Aws => {
            if value == "*" {
                return Some(Identity::Everyone);
            }
            let account = principal.account.as_deref()?;
            if is_account_id(value) || is_root_arn(value) {
                let named = if is_account_id(value) {
                    value
                } else {
                    value.split(':').nth(4)?
                };
                return (named == account).then_some(Identity::Account);
            }
            if value == principal.arn && principal.kind != PrincipalKind::Role {
                return Some(Identity::Itself);
            }
            match principal.role_name.as_deref() {
                Some(role_name) if names_role(value, account, role_name) => Some(Identity::Role),
                _ => None,
            }
        }
    }
}

fn is_root_arn(value: &str) -> bool {
    let parts: Vec<&str> = value.split(':').collect();
    matches!(parts[..], ["arn", _, "iam", "", acct, "root"] if is_account_id(acct))
}

/// A role ARN with any path names the role of that name: names are unique in an account whatever the path,
/// and an assumed-role ARN carries no path.
fn names_role(value: &str, account: &str, role_name: &str) -> bool {
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    match parts[..] {
        ["arn", _, "iam", "", acct, resource] if acct == account => resource
            .strip_prefix("role/")
            .is_some_and(|path| path.rsplit('/').next() == Some(role_name)),
        _ => false,
    }
}
