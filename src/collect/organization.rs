//! The organization of the run's accounts: its id (DescribeOrganization, which any member may call), and
//! from the management account or a delegated administrator each account's path to the root (ListParents)
//! with the SCPs and RCPs attached at every level (ListPoliciesForTarget, DescribePolicy), each target and
//! policy read once. What cannot be read is a gap and stays unknown, never an empty level.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_organizations::types::PolicyType;

use super::Ctx;
use super::failure::{self, Failure};
use crate::inventory::{OrgLevel, OrgPolicy, Organization};
use crate::vocab::{Operation, Service};

/// Reads the organization for `accounts`; `None` when the run's account is in none or may not say.
pub async fn read(ctx: &Ctx, accounts: &[String]) -> Option<Organization> {
    let client = ctx.clients.organizations();
    let described = match ctx.call(client.describe_organization().send()).await {
        Ok(out) => out,
        Err(e) => {
            let f = failure::describe(&e);
            // Not in an organization: nothing to read, and nothing missing.
            if !f.is("AWSOrganizationsNotInUseException") {
                ctx.gap(
                    Service::Organizations,
                    Operation::DescribeOrganization,
                    format!("account:{}", ctx.account),
                    &f,
                );
            }
            return None;
        }
    };
    let org = described.organization()?;
    let mut out = Organization {
        id: org.id()?.to_owned(),
        management_account: org.master_account_id().map(str::to_owned),
        ..Organization::default()
    };
    let mut reader = Reader { ctx, client, parents: HashMap::new(), attached: HashMap::new() };
    out.scps_enabled = reader.scps_enabled().await;
    for account in accounts {
        if let Some(path) = reader.path(account).await {
            out.paths.insert(account.clone(), path);
        }
    }
    for (id, kind) in reader
        .attached
        .values()
        .flatten()
        .flat_map(|ids| ids.iter())
        .map(|(id, k)| (id.clone(), *k))
        .collect::<BTreeMap<_, _>>()
    {
        if let Some(p) = reader.policy(&id, kind).await {
            out.policies.insert(id, p);
        }
    }
    Some(out)
}

/// A policy attached to a target: its id and type.
type Attached = (String, &'static str);

struct Reader<'a> {
    ctx: &'a Ctx,
    client: aws_sdk_organizations::Client,
    /// Child → its parent (`None`: the root, or unreadable).
    parents: HashMap<String, Option<String>>,
    /// (target, policy type) → the policies attached, with their type; `None` when not readable.
    attached: HashMap<(String, &'static str), Option<Vec<Attached>>>,
}

const SCP: &str = "SERVICE_CONTROL_POLICY";
const RCP: &str = "RESOURCE_CONTROL_POLICY";

impl Reader<'_> {
    /// Whether SCPs are enabled at the root (ListRoots' PolicyTypes); `None` when the roots cannot be read.
    async fn scps_enabled(&self) -> Option<bool> {
        match self.ctx.call(self.client.list_roots().send()).await {
            Ok(out) => out.roots().first().map(|root| {
                root.policy_types().iter().any(|t| {
                    t.r#type() == Some(&PolicyType::ServiceControlPolicy)
                        && t.status().is_some_and(|s| s.as_str() == "ENABLED")
                })
            }),
            Err(e) => {
                self.ctx.gap(
                    Service::Organizations,
                    Operation::ListRoots,
                    self.ctx.account.as_str(),
                    &failure::describe(&e),
                );
                None
            }
        }
    }

    /// The account's path, root first and the account last; `None` when a parent cannot be read.
    async fn path(&mut self, account: &str) -> Option<Vec<OrgLevel>> {
        let mut ids = vec![account.to_owned()];
        let mut child = account.to_owned();
        // Organizations nest OUs at most five deep under the root: a longer walk is a broken answer.
        for _ in 0..8 {
            let parent = match self.parents.get(&child) {
                Some(p) => p.clone(),
                None => {
                    let p = self.parent(&child).await;
                    self.parents.insert(child.clone(), p.clone());
                    p
                }
            };
            match parent {
                Some(p) if p.starts_with("r-") => {
                    ids.push(p);
                    break;
                }
                Some(p) => {
                    ids.push(p.clone());
                    child = p;
                }
                None => return None,
            }
        }
        if !ids.last().is_some_and(|r| r.starts_with("r-")) {
            return None;
        }
        ids.reverse();
        let mut levels = Vec::new();
        for id in ids {
            let scps = self.attached_to(&id, SCP).await;
            let rcps = self.attached_to(&id, RCP).await;
            levels.push(OrgLevel { id, scps, rcps });
        }
        Some(levels)
    }

    async fn parent(&self, child: &str) -> Option<String> {
        match self.ctx.call(self.client.list_parents().child_id(child).send()).await {
            Ok(out) => out.parents().first().and_then(|p| p.id()).map(str::to_owned),
            Err(e) => {
                self.ctx.gap(Service::Organizations, Operation::ListParents, child, &failure::describe(&e));
                None
            }
        }
    }

    /// The ids of the policies of `kind` attached to a target (RCPFullAWSAccess left out: atrest adds it).
    async fn attached_to(&mut self, target: &str, kind: &'static str) -> Option<Vec<String>> {
        let key = (target.to_owned(), kind);
        if !self.attached.contains_key(&key) {
            let read = self.list(target, kind).await;
            self.attached.insert(key.clone(), read);
        }
        self.attached[&key].as_ref().map(|ids| ids.iter().map(|(id, _)| id.clone()).collect())
    }

    async fn list(&self, target: &str, kind: &'static str) -> Option<Vec<Attached>> {
        let filter = if kind == SCP { PolicyType::ServiceControlPolicy } else { PolicyType::ResourceControlPolicy };
        let mut ids = Vec::new();
        let mut pages = self.client.list_policies_for_target().target_id(target).filter(filter).into_paginator().send();
        while let Some(page) = self.ctx.call(pages.next()).await {
            match page {
                Ok(page) => {
                    for p in page.policies() {
                        let id = p.id().unwrap_or_default();
                        if p.name() == Some("RCPFullAWSAccess") && p.aws_managed() {
                            continue;
                        }
                        ids.push((id.to_owned(), kind));
                    }
                }
                Err(e) => {
                    let f = failure::describe(&e);
                    // A policy type not enabled limits nothing: no policy of it is attached anywhere.
                    if f.is("PolicyTypeNotEnabledException") {
                        return Some(Vec::new());
                    }
                    self.ctx.gap(
                        Service::Organizations,
                        Operation::ListPoliciesForTarget,
                        target,
                        &Failure { message: format!("{kind}: {}", f.message), ..f },
                    );
                    return None;
                }
            }
        }
        Some(ids)
    }

    async fn policy(&self, id: &str, kind: &'static str) -> Option<OrgPolicy> {
        match self.ctx.call(self.client.describe_policy().policy_id(id).send()).await {
            Ok(out) => {
                let p = out.policy()?;
                Some(OrgPolicy {
                    name: p.policy_summary().and_then(|s| s.name()).unwrap_or(id).to_owned(),
                    kind: kind.to_owned(),
                    document: p.content()?.to_owned(),
                })
            }
            Err(e) => {
                self.ctx.gap(Service::Organizations, Operation::DescribePolicy, id, &failure::describe(&e));
                None
            }
        }
    }
}
