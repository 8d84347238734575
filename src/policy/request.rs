//! The request being decided: who asks, for which action, on which resource, with which context.

use std::fmt;

use super::context::Context;
use crate::vocab::aws::Arn;
pub use crate::vocab::aws::{arn_account, arn_resource, is_account_id, split_iam_arn};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    /// An account's root user, `arn:aws:iam::<acct>:root` or the bare account id.
    Root,
    User,
    /// An IAM role; the request stands for any session of it.
    Role,
    /// `arn:aws:sts::<acct>:assumed-role/<role>/<session>`.
    AssumedRole,
    /// `arn:aws:sts::<acct>:federated-user/<name>`.
    FederatedUser,
    /// A service principal such as `translate.amazonaws.com`.
    Service,
}

/// A principal parsed from the forms AWS names them by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub kind: PrincipalKind,
    /// The principal's ARN, or the service name for a service principal.
    pub arn: String,
    pub account: Option<String>,
    pub partition: String,
    /// The role's name for roles and their sessions (paths are not part of an assumed-role ARN).
    pub role_name: Option<String>,
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arn)
    }
}

impl Principal {
    /// Parses a principal; the error says which forms are accepted.
    pub fn parse(text: &str) -> Result<Principal, String> {
        let text = text.trim();
        if is_account_id(text) {
            return Ok(Principal::root("aws", text));
        }
        if !text.starts_with("arn:") {
            if text.contains('.') && !text.contains(':') && !text.contains('/') {
                return Ok(Principal {
                    kind: PrincipalKind::Service,
                    arn: text.to_ascii_lowercase(),
                    account: None,
                    partition: "aws".into(),
                    role_name: None,
                });
            }
            return Err(format!("\"{text}\" is not a principal: {}", Principal::FORMS));
        }
        let Some(Arn { partition, service, region, account, resource }) = Arn::parse(text) else {
            return Err(format!("\"{text}\" is not a principal ARN: {}", Principal::FORMS));
        };
        if !region.is_empty() || !is_account_id(account) {
            return Err(format!("\"{text}\" is not a principal ARN: {}", Principal::FORMS));
        }
        let mk = |kind, role_name: Option<&str>| Principal {
            kind,
            arn: text.to_owned(),
            account: Some(account.to_owned()),
            partition: partition.to_owned(),
            role_name: role_name.map(str::to_owned),
        };
        match (service, resource.split_once('/')) {
            ("iam", None) if resource == "root" => Ok(Principal::root(partition, account)),
            ("iam", Some(("user", rest))) if !rest.is_empty() => Ok(mk(PrincipalKind::User, None)),
            ("iam", Some(("role", rest))) if !rest.is_empty() => Ok(mk(PrincipalKind::Role, rest.rsplit('/').next())),
            ("sts", Some(("assumed-role", rest))) => match rest.split_once('/') {
                Some((role, session)) if !role.is_empty() && !session.is_empty() => {
                    Ok(mk(PrincipalKind::AssumedRole, Some(role)))
                }
                _ => Err(format!("\"{text}\" is not an assumed-role ARN: expected assumed-role/ROLE/SESSION")),
            },
            ("sts", Some(("federated-user", rest))) if !rest.is_empty() => Ok(mk(PrincipalKind::FederatedUser, None)),
            _ => Err(format!("\"{text}\" is not a principal ARN: {}", Principal::FORMS)),
        }
    }

    const FORMS: &'static str = "expected an account id, arn:aws:iam::ACCOUNT:root, …:user/NAME, …:role/NAME, \
         arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, or a service principal such as translate.amazonaws.com";

    fn root(partition: &str, account: &str) -> Principal {
        Principal {
            kind: PrincipalKind::Root,
            arn: format!("arn:{partition}:iam::{account}:root"),
            account: Some(account.to_owned()),
            partition: partition.to_owned(),
            role_name: None,
        }
    }

    /// Whether a role ARN (with any path) names this role or the role of this session: role names are
    /// unique in an account whatever the path, and an assumed-role ARN carries no path.
    pub fn is_role_named_by(&self, value: &str) -> bool {
        let (Some(role_name), Some(account)) = (self.role_name.as_deref(), self.account.as_deref()) else {
            return false;
        };
        split_iam_arn(value).is_some_and(|(_, acct, resource)| {
            acct == account
                && resource.strip_prefix("role/").is_some_and(|path| path.rsplit('/').next() == Some(role_name))
        })
    }

    /// The role ARN that `aws:PrincipalArn` reports for a role or one of its sessions.
    pub fn role_arn(&self) -> Option<String> {
        match self.kind {
            PrincipalKind::Role => Some(self.arn.clone()),
            PrincipalKind::AssumedRole => Some(format!(
                "arn:{}:iam::{}:role/{}",
                self.partition,
                self.account.as_deref()?,
                self.role_name.as_deref()?
            )),
            _ => None,
        }
    }

    /// Adds the keys AWS puts in every request by this principal, unless the caller set them
    /// (IAM User Guide, "AWS global condition context keys": aws:PrincipalArn, aws:PrincipalAccount,
    /// aws:PrincipalType, aws:PrincipalServiceName, aws:PrincipalIsAWSService).
    pub fn add_context(&self, ctx: &mut Context) {
        if self.kind == PrincipalKind::Service {
            ctx.insert_default("aws:PrincipalServiceName", self.arn.clone());
            ctx.insert_default("aws:PrincipalIsAWSService", "true");
            return;
        }
        ctx.insert_default("aws:PrincipalIsAWSService", "false");
        let arn = self.role_arn().unwrap_or_else(|| self.arn.clone());
        ctx.insert_default("aws:PrincipalArn", arn);
        if let Some(account) = &self.account {
            ctx.insert_default("aws:PrincipalAccount", account.clone());
        }
        let principal_type = match self.kind {
            PrincipalKind::Root => "Account",
            PrincipalKind::User => "User",
            PrincipalKind::Role | PrincipalKind::AssumedRole => "AssumedRole",
            PrincipalKind::FederatedUser => "FederatedUser",
            PrincipalKind::Service => unreachable!("handled above"),
        };
        ctx.insert_default("aws:PrincipalType", principal_type);
    }
}

/// The resource policy that must allow a request for any route to allow it, beside IAM's usual logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gatekeeper {
    /// Resource and identity policies combine as IAM's evaluation logic says.
    None,
    /// A KMS key: its key policy must allow the account (or the principal) before IAM policies count.
    KeyPolicy,
    /// A role's trust policy for the STS actions on it: even within one account an identity policy alone
    /// does not let a principal assume a role.
    TrustPolicy,
}

/// The STS actions whose resource is a role, authorized by its trust policy (IAM User Guide, "Role trust
/// policies" and "Passing session tags in AWS STS": sts:TagSession, sts:SetSourceIdentity and
/// sts:SetContext are allowed in the trust policy beside the AssumeRole action).
const TRUST_POLICY_ACTIONS: &[&str] = &[
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
];

/// One request to decide.
#[derive(Debug, Clone)]
pub struct Request {
    pub principal: Principal,
    /// As given, for messages.
    pub action: String,
    pub(crate) action_lc: String,
    pub resource: String,
    /// The account that owns the resource: from its ARN, or given for ARNs without one (S3 buckets).
    pub resource_account: Option<String>,
    pub context: Context,
}

impl Request {
    /// Builds a request; the context gains the principal's global keys, and for `kms:` actions
    /// `kms:CallerAccount` (the caller's account, per the KMS Developer Guide's condition keys).
    pub fn new(principal: Principal, action: &str, resource: &str, mut context: Context) -> Request {
        principal.add_context(&mut context);
        let action_lc = action.to_ascii_lowercase();
        if action_lc.starts_with("kms:")
            && let Some(account) = &principal.account
        {
            context.insert_default("kms:CallerAccount", account.clone());
        }
        Request {
            resource_account: arn_account(resource).map(str::to_owned),
            principal,
            action: action.to_owned(),
            action_lc,
            resource: resource.to_owned(),
            context,
        }
    }

    /// Sets the owning account of a resource whose ARN has none.
    pub fn with_resource_account(mut self, account: Option<String>) -> Request {
        if self.resource_account.is_none() {
            self.resource_account = account;
        }
        self
    }

    pub fn is_kms(&self) -> bool {
        self.action_lc.starts_with("kms:")
    }

    /// Which resource policy must allow the request whatever IAM policies say, if any.
    pub fn gatekeeper(&self) -> Gatekeeper {
        let resource_lc = self.resource.to_ascii_lowercase();
        if self.is_kms() {
            // KMS Developer Guide, "Controlling access to aliases": an alias is an IAM-only resource (it has
            // no key policy); the key an alias operation also touches is a separate authorization. An action
            // with no resource type is requested on "*" and decided by IAM policies alone.
            if self.resource == "*" || arn_resource(&resource_lc).is_some_and(|r| r.starts_with("alias/")) {
                return Gatekeeper::None;
            }
            return Gatekeeper::KeyPolicy;
        }
        // IAM User Guide, "Policy evaluation logic" (identity-based and resource-based policies): "IAM role
        // trust policies and KMS key policies are exceptions to this logic, because they must explicitly
        // allow access for principals" — also within one account. The trust policy is the resource policy
        // of the STS actions on a role (Service Authorization Reference: sts `role` resource type).
        let role_arn = Arn::parse(&resource_lc).is_some_and(|a| a.service == "iam" && a.resource.starts_with("role/"));
        if role_arn && TRUST_POLICY_ACTIONS.contains(&self.action_lc.as_str()) {
            return Gatekeeper::TrustPolicy;
        }
        Gatekeeper::None
    }

    /// Principal and resource in different accounts; an unknown resource account counts as the same.
    pub fn is_cross_account(&self) -> bool {
        match (&self.principal.account, &self.resource_account) {
            (Some(p), Some(r)) => p != r,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_parse_in_every_form() {
        let p = Principal::parse("111122223333").unwrap();
        assert_eq!((p.kind, p.arn.as_str()), (PrincipalKind::Root, "arn:aws:iam::111122223333:root"));
        let p = Principal::parse("arn:aws:iam::111122223333:role/service-role/TranslateRole").unwrap();
        assert_eq!((p.kind, p.role_name.as_deref()), (PrincipalKind::Role, Some("TranslateRole")));
        let p = Principal::parse("arn:aws:sts::111122223333:assumed-role/TranslateRole/s1").unwrap();
        assert_eq!(p.role_arn().as_deref(), Some("arn:aws:iam::111122223333:role/TranslateRole"));
        let p = Principal::parse("translate.amazonaws.com").unwrap();
        assert_eq!(p.kind, PrincipalKind::Service);
        assert!(Principal::parse("arn:aws:s3:::bucket").is_err());
        assert!(Principal::parse("bob").is_err());
    }

    #[test]
    fn requests_know_accounts_and_add_context() {
        let p = Principal::parse("arn:aws:iam::111122223333:role/R").unwrap();
        let r = Request::new(p.clone(), "kms:Decrypt", "arn:aws:kms:us-east-1:444455556666:key/k", Context::open());
        assert!(r.is_cross_account());
        assert_eq!(r.context.get("kms:calleraccount"), Some(&["111122223333".to_string()][..]));
        assert_eq!(r.context.get("aws:PrincipalArn"), Some(&["arn:aws:iam::111122223333:role/R".to_string()][..]));
        let r = Request::new(p, "s3:GetObject", "arn:aws:s3:::b/k", Context::open());
        assert!(!r.is_cross_account());
        assert!(r.with_resource_account(Some("444455556666".into())).is_cross_account());
    }
}
