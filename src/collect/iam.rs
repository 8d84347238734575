//! IAM: every job role's trust policy, tags, inline and attached policies and permissions boundary.
//! Managed policies shared by several roles are read once.

use crate::vocab::aws::Arn;
use crate::vocab::{Operation, Service};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use futures_util::future::join_all;
use tokio::sync::OnceCell;

use super::Ctx;
use super::failure::{self, Failure};
use crate::inventory::{IamRole, NamedPolicy};

/// Managed policy documents by ARN, fetched once each.
type PolicyCache = Mutex<HashMap<String, Arc<OnceCell<Option<String>>>>>;

pub async fn collect(ctx: &Ctx, roles: BTreeSet<String>) -> Vec<IamRole> {
    let cache = PolicyCache::default();
    join_all(roles.iter().filter(|arn| !arn.is_empty()).map(|arn| role(ctx, arn, &cache)))
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// IAM returns policy documents URL-encoded (RFC 3986); a document that is already JSON is left alone.
pub fn decode_document(text: &str) -> String {
    if text.trim_start().starts_with('%') {
        percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
    } else {
        text.to_owned()
    }
}

/// `arn:aws:iam::111122223333:role/path/Name` → (`111122223333`, `Name`).
fn role_parts(arn: &str) -> Option<(&str, &str)> {
    let arn = Arn::parse(arn)?;
    (arn.service == "iam" && arn.resource.starts_with("role/")).then(|| (arn.account, arn.resource_name()))
}

async fn role(ctx: &Ctx, arn: &str, cache: &PolicyCache) -> Option<IamRole> {
    let Some((account, name)) = role_parts(arn) else {
        ctx.gap(Service::Iam, Operation::GetRole, arn, &Failure::note("not an IAM role ARN"));
        return None;
    };
    if account != ctx.account {
        let why = format!("the role is in account {account}; IAM reads only the scanned account {}", ctx.account);
        ctx.gap(Service::Iam, Operation::GetRole, arn, &Failure::note(why));
        return None;
    }
    let client = &ctx.clients.iam;
    let got = match ctx.call(client.get_role().role_name(name).send()).await {
        Ok(out) => out,
        Err(e) => {
            ctx.gap(Service::Iam, Operation::GetRole, arn, &failure::describe(&e));
            return None;
        }
    };
    let r = got.role()?;
    let mut role = IamRole {
        arn: r.arn().to_owned(),
        name: r.role_name().to_owned(),
        account: account.to_owned(),
        trust_policy: r.assume_role_policy_document().map(decode_document).unwrap_or_default(),
        tags: r.tags().iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect(),
        ..IamRole::default()
    };
    let boundary = r.permissions_boundary().and_then(|b| b.permissions_boundary_arn()).map(str::to_owned);

    let (inline, attached, boundary) = tokio::join!(
        inline_policies(ctx, client, arn, name),
        attached_policies(ctx, client, arn, name, cache),
        async {
            match &boundary {
                Some(b) => Some(managed(ctx, client, b, cache).await),
                None => None,
            }
        }
    );
    role.inline_policies = inline;
    role.attached_policies = attached;
    role.permissions_boundary =
        boundary.map(|(arn, document)| NamedPolicy { name: policy_name(&arn), arn: Some(arn), document });
    Some(role)
}

/// A managed policy's name: the last part of its ARN.
fn policy_name(arn: &str) -> String {
    Arn::parse(arn).map_or(arn, |a| a.resource_name()).to_owned()
}

async fn inline_policies(ctx: &Ctx, client: &aws_sdk_iam::Client, arn: &str, name: &str) -> Vec<NamedPolicy> {
    let mut names = Vec::new();
    let mut pages = client.list_role_policies().role_name(name).into_paginator().send();
    while let Some(page) = ctx.call(pages.next()).await {
        match page {
            Ok(page) => names.extend(page.policy_names().iter().cloned()),
            Err(e) => {
                ctx.gap(Service::Iam, Operation::ListRolePolicies, arn, &failure::describe(&e));
                break;
            }
        }
    }
    join_all(names.into_iter().map(|policy| async move {
        let document = match ctx.call(client.get_role_policy().role_name(name).policy_name(&policy).send()).await {
            Ok(out) => Some(decode_document(out.policy_document())),
            Err(e) => {
                ctx.gap(Service::Iam, Operation::GetRolePolicy, arn, &failure::describe(&e));
                None
            }
        };
        NamedPolicy { name: policy, arn: None, document }
    }))
    .await
}

async fn attached_policies(
    ctx: &Ctx,
    client: &aws_sdk_iam::Client,
    arn: &str,
    name: &str,
    cache: &PolicyCache,
) -> Vec<NamedPolicy> {
    let mut attached = Vec::new();
    let mut pages = client.list_attached_role_policies().role_name(name).into_paginator().send();
    while let Some(page) = ctx.call(pages.next()).await {
        match page {
            Ok(page) => attached.extend(
                page.attached_policies()
                    .iter()
                    .filter_map(|p| Some((p.policy_name()?.to_owned(), p.policy_arn()?.to_owned()))),
            ),
            Err(e) => {
                ctx.gap(Service::Iam, Operation::ListAttachedRolePolicies, arn, &failure::describe(&e));
                break;
            }
        }
    }
    join_all(attached.into_iter().map(|(policy, policy_arn)| async move {
        let (policy_arn, document) = managed(ctx, client, &policy_arn, cache).await;
        NamedPolicy { name: policy, arn: Some(policy_arn), document }
    }))
    .await
}

/// A managed policy's default version document, read once per scan.
async fn managed(
    ctx: &Ctx,
    client: &aws_sdk_iam::Client,
    policy_arn: &str,
    cache: &PolicyCache,
) -> (String, Option<String>) {
    let cell = cache.lock().unwrap_or_else(|e| e.into_inner()).entry(policy_arn.to_owned()).or_default().clone();
    let document = cell
        .get_or_init(|| async {
            let version = match ctx.call(client.get_policy().policy_arn(policy_arn).send()).await {
                Ok(out) => out.policy().and_then(|p| p.default_version_id()).map(str::to_owned),
                Err(e) => {
                    ctx.gap(Service::Iam, Operation::GetPolicy, policy_arn, &failure::describe(&e));
                    return None;
                }
            };
            let version = version?;
            match ctx.call(client.get_policy_version().policy_arn(policy_arn).version_id(version).send()).await {
                Ok(out) => out.policy_version().and_then(|v| v.document()).map(decode_document),
                Err(e) => {
                    ctx.gap(Service::Iam, Operation::GetPolicyVersion, policy_arn, &failure::describe(&e));
                    None
                }
            }
        })
        .await
        .clone();
    (policy_arn.to_owned(), document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_url_decoded_once() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(decode_document(encoded), r#"{"Version":"2012-10-17","Statement":[]}"#);
        // A document already decoded keeps its percent signs (a condition value may hold one).
        let plain = r#"{"Condition":{"StringLike":{"s3:prefix":"100%25"}}}"#;
        assert_eq!(decode_document(plain), plain);
    }

    #[test]
    fn role_arns_give_account_and_name() {
        assert_eq!(role_parts("arn:aws:iam::111122223333:role/service-role/Tr"), Some(("111122223333", "Tr")));
        assert_eq!(role_parts("arn:aws:iam::111122223333:user/u"), None);
        assert_eq!(role_parts("TranslateRole"), None);
    }
}
