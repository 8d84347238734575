//! The context every collector call runs in: one account's clients and call limit, the run's options,
//! and the gaps recorded so far, which all accounts of the run share.

use std::future::Future;
use std::sync::{Arc, Mutex};

use super::CollectOptions;
use super::clients::Clients;
use super::failure::Failure;
use crate::inventory::Gap;
use crate::vocab::{Operation, Service};

/// One account's collection: its clients and its call limit, with the options and the gaps found so far
/// that every account of the run shares.
pub(crate) struct Ctx {
    pub clients: Clients,
    pub account: String,
    pub options: Arc<CollectOptions>,
    pub(super) gaps: Arc<Mutex<Vec<Gap>>>,
    limit: tokio::sync::Semaphore,
}

impl Ctx {
    pub(super) fn new(clients: Clients, account: String, options: Arc<CollectOptions>) -> Ctx {
        let limit = tokio::sync::Semaphore::new(options.accounts.per_account.max(1));
        Ctx { clients, account, options, gaps: Arc::default(), limit }
    }

    /// Another account's context, sharing the options and the gaps.
    pub fn sibling(&self, clients: Clients, account: String) -> Ctx {
        let limit = tokio::sync::Semaphore::new(self.options.accounts.per_account.max(1));
        Ctx { clients, account, options: self.options.clone(), gaps: self.gaps.clone(), limit }
    }

    /// Runs one call (its retries included) under the account's limit; `--concurrency` bounds the HTTP
    /// attempts of all accounts together (clients.rs).
    pub async fn call<F: Future>(&self, request: F) -> F::Output {
        let _permit = self.limit.acquire().await;
        request.await
    }

    /// The resources gaps were recorded for so far.
    pub fn gap_resources(&self) -> std::collections::HashSet<String> {
        self.gaps.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|g| g.resource.clone()).collect()
    }

    pub fn gap(&self, service: Service, operation: Operation, resource: impl Into<String>, failure: &Failure) {
        let gap = Gap {
            service,
            operation,
            resource: resource.into(),
            error_code: failure.code.clone(),
            message: failure.message.clone(),
        };
        self.gaps.lock().unwrap_or_else(|e| e.into_inner()).push(gap);
    }
}
