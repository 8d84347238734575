//! The accounts of a run: which ones (the organization's, `--accounts`, less `--exclude-accounts`, a shard's
//! part) and a collection context for each, reached through sts:AssumeRole of the audit role, made once.

use crate::vocab::{Operation, Service};
use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::OnceCell;

use super::failure::{self, Failure};
use super::{CollectError, Ctx};

/// What `--org`, `--accounts`, `--exclude-accounts`, `--role-name`, `--external-id`, `--shard` and
/// `--account-concurrency` ask for.
#[derive(Debug, Clone)]
pub struct AccountSelection {
    pub org: bool,
    pub accounts: Vec<String>,
    pub exclude: Vec<String>,
    pub role_name: String,
    pub external_id: Option<String>,
    pub shard: Option<Shard>,
    /// Calls in flight per account (API quotas are per account and region).
    pub per_account: usize,
}

impl Default for AccountSelection {
    fn default() -> Self {
        AccountSelection {
            org: false,
            accounts: Vec::new(),
            exclude: Vec::new(),
            role_name: "atrest-audit".into(),
            external_id: None,
            shard: None,
            per_account: 16,
        }
    }
}

/// `--shard INDEX/COUNT`: this process reads the accounts whose position in the sorted list is INDEX modulo
/// COUNT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("`{text}` is not INDEX/COUNT with 0 <= INDEX < COUNT, such as 0/4");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) =
            (i.trim().parse::<usize>().map_err(|_| bad())?, n.trim().parse::<usize>().map_err(|_| bad())?);
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The accounts of this shard, from the sorted list of the run's accounts.
    pub fn part(&self, sorted: &[String]) -> Vec<String> {
        sorted.iter().enumerate().filter(|(i, _)| i % self.count == self.index).map(|(_, a)| a.clone()).collect()
    }
}

/// An account id: 12 digits.
pub fn parse_account(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.len() == 12 && t.bytes().all(|b| b.is_ascii_digit()) {
        Ok(t.to_owned())
    } else {
        Err(format!("`{text}` is not a 12-digit AWS account id"))
    }
}

/// The accounts the run is asked to read, sorted: the organization's ACTIVE accounts (`--org`, with the
/// starting credentials), the `--accounts` list, or the starting account alone; less `--exclude-accounts`.
pub async fn asked(start: &Ctx) -> Result<Vec<String>, CollectError> {
    let selection = &start.options.accounts;
    let mut accounts = if selection.org {
        organization(start).await?
    } else if !selection.accounts.is_empty() {
        selection.accounts.clone()
    } else {
        vec![start.account.clone()]
    };
    accounts.retain(|a| !selection.exclude.contains(a));
    accounts.sort();
    accounts.dedup();
    Ok(accounts)
}

async fn organization(start: &Ctx) -> Result<Vec<String>, CollectError> {
    use aws_sdk_organizations::types::AccountStatus;
    let client = start.clients.organizations();
    let mut ids = Vec::new();
    let mut pages = client.list_accounts().into_paginator().send();
    while let Some(page) = start.call(pages.next()).await {
        match page {
            Ok(page) => ids.extend(
                page.accounts()
                    .iter()
                    .filter(|a| a.status() == Some(&AccountStatus::Active))
                    .filter_map(|a| a.id().map(str::to_owned)),
            ),
            Err(e) => {
                let f = failure::describe(&e);
                return Err(CollectError::Refused {
                    service: "organizations",
                    operation: "ListAccounts",
                    region: start.clients.regions[0].clone(),
                    message: f.said(),
                    hint: "--org needs the management account or a delegated administrator with \
                           organizations:ListAccounts (docs/permissions.md); or name the accounts with --accounts",
                });
            }
        }
    }
    Ok(ids)
}

/// A context per account of the run, made on first use: the starting account's own, the others through
/// sts:AssumeRole. An account whose role cannot be assumed is a gap (service `sts`, operation
/// `AssumeRole`, the role ARN) and stays unread.
pub struct Registry {
    start: Arc<Ctx>,
    cells: BTreeMap<String, OnceCell<Result<Arc<Ctx>, String>>>,
}

impl Registry {
    pub fn new(start: Arc<Ctx>, accounts: &[String]) -> Registry {
        let cells = accounts.iter().map(|a| (a.clone(), OnceCell::new())).collect();
        Registry { start, cells }
    }

    pub fn start(&self) -> &Arc<Ctx> {
        &self.start
    }

    /// Every account of the run, sorted.
    pub fn accounts(&self) -> impl Iterator<Item = &String> {
        self.cells.keys()
    }

    /// The account's context, or why it cannot be read; `None` for an account outside the run.
    pub async fn get(&self, account: &str) -> Option<Result<Arc<Ctx>, String>> {
        let cell = self.cells.get(account)?;
        Some(cell.get_or_init(|| self.reach(account)).await.clone())
    }

    /// The context of the account if the run reads it, else the starting one: what is outside the run is
    /// asked with the starting credentials, as a one-account scan asks it.
    pub async fn for_resource(&self, account: &str) -> Arc<Ctx> {
        match self.get(account).await {
            Some(Ok(ctx)) => ctx,
            _ => self.start.clone(),
        }
    }

    async fn reach(&self, account: &str) -> Result<Arc<Ctx>, String> {
        if account == self.start.account {
            return Ok(self.start.clone());
        }
        let selection = &self.start.options.accounts;
        let role = format!("arn:aws:iam::{account}:role/{}", selection.role_name);
        let clients = self.start.clients.assume(&role, selection.external_id.as_deref()).await;
        // The first call with the new credentials makes the provider assume the role; its answer also
        // proves the credentials belong to the account asked for.
        match self.start.call(clients.sts().get_caller_identity().send()).await {
            Ok(out) if out.account() == Some(account) => Ok(Arc::new(self.start.sibling(clients, account.to_owned()))),
            Ok(out) => {
                let why =
                    format!("{role} gave credentials of account {}, not {account}", out.account().unwrap_or("(none)"));
                self.start.gap(Service::Sts, Operation::AssumeRole, &role, &Failure::note(why.clone()));
                Err(why)
            }
            Err(e) => {
                let f = assume_failure(&e).unwrap_or_else(|| failure::describe(&e));
                let said = f.said();
                let why = format!("cannot assume {role}: {said}");
                self.start.gap(Service::Sts, Operation::AssumeRole, &role, &f);
                Err(why)
            }
        }
    }
}

/// STS's own answer to the AssumeRole the credentials provider made, found in the error chain of the call
/// that needed the credentials (the SDK wraps it as a dispatch failure).
fn assume_failure(e: &(dyn std::error::Error + 'static)) -> Option<Failure> {
    use aws_sdk_sts::operation::assume_role::AssumeRoleError;
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_runtime_api::client::result::SdkError;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(sdk) = c.downcast_ref::<SdkError<AssumeRoleError, HttpResponse>>() {
            return Some(failure::describe(sdk));
        }
        cause = c.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_sorted_accounts_by_position() {
        let accounts: Vec<String> = (1..=5).map(|i| format!("{i:012}")).collect();
        let s = Shard::parse("1/2").unwrap();
        assert_eq!(s.part(&accounts), ["000000000002", "000000000004"]);
        let all: Vec<String> = (0..3).flat_map(|i| Shard { index: i, count: 3 }.part(&accounts)).collect();
        assert_eq!(all.len(), 5, "every account in exactly one shard");
        for bad in ["2/2", "0/0", "1", "-1/2", "a/b", "1/2/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_account(" 123456789012 "), Ok("123456789012".into()));
        assert!(parse_account("12345").is_err());
    }
}
