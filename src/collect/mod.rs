//! Live collection: reads Translate, S3, KMS and IAM through the AWS SDK into an `Inventory`.
//!
//! The order follows what each read reveals: STS names the account; Translate's listings name the jobs,
//! and through them the buckets, prefixes and roles; S3 names more keys (bucket defaults, objects); KMS
//! comes last. Every resource is read once however many jobs share it. A failed read becomes a `Gap` and the
//! collection goes on; only what makes the whole scan meaningless (no region, no credentials, an endpoint
//! that cannot be reached, Translate's listings refused) stops it.

mod accounts;
mod clients;
mod failure;
mod iam;
mod kms;
mod organization;
mod progress;
mod regions;
mod s3;
mod s3_inventory;
mod s3_read;
mod translate;

use crate::vocab::{Operation, Service};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::{Arc, Mutex};

use futures_util::future::join_all;

pub use accounts::{AccountSelection, Shard, parse_account};
use clients::Clients;
use failure::Failure;
pub use progress::Progress;
pub use s3_inventory::InventorySource;

use crate::inventory::{AccountStatus, Gap, Inventory, SNAPSHOT_VERSION};
use crate::vocab::aws::ApiCalls;

/// How many objects per prefix get a HeadObject, and whether S3 Inventory reports are looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectSampling {
    None,
    Sample(usize),
    All,
    /// Each job bucket's newest S3 Inventory report judges every object; HeadObject on N SSE-KMS objects per
    /// prefix confirms their key (a prefix no report covers is sampled with N).
    Inventory(usize),
}

/// The HeadObject sample of `inventory` without `:N`.
pub const INVENTORY_KEY_SAMPLE: usize = 100;

impl ObjectSampling {
    /// `none`, `all`, `sample:N`, `inventory` or `inventory:N` (N ≥ 1).
    pub fn parse(text: &str) -> Result<ObjectSampling, String> {
        let count = |rest: &str| rest.parse::<usize>().ok().filter(|n| *n > 0);
        match text {
            "none" => Ok(ObjectSampling::None),
            "all" => Ok(ObjectSampling::All),
            "inventory" => Ok(ObjectSampling::Inventory(INVENTORY_KEY_SAMPLE)),
            _ => match (text.strip_prefix("sample:"), text.strip_prefix("inventory:")) {
                (Some(n), _) if count(n).is_some() => Ok(ObjectSampling::Sample(count(n).unwrap_or(1))),
                (_, Some(n)) if count(n).is_some() => Ok(ObjectSampling::Inventory(count(n).unwrap_or(1))),
                _ => Err(format!(
                    "`{text}` is not none, all, sample:N, inventory or inventory:N with N a positive number"
                )),
            },
        }
    }

    pub fn as_string(&self) -> String {
        match self {
            ObjectSampling::None => "none".into(),
            ObjectSampling::All => "all".into(),
            ObjectSampling::Sample(n) => format!("sample:{n}"),
            ObjectSampling::Inventory(n) => format!("inventory:{n}"),
        }
    }

    /// How objects are read where no inventory report covers them, and how many SSE-KMS objects of a
    /// report get a HeadObject.
    pub fn headers(&self) -> ObjectSampling {
        match *self {
            ObjectSampling::Inventory(n) => ObjectSampling::Sample(n),
            other => other,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub profile: Option<String>,
    pub regions: Vec<String>,
    pub endpoint_url: Option<String>,
    pub job_ids: Vec<String>,
    /// Jobs submitted at or after this time (epoch seconds).
    pub since: Option<i64>,
    pub objects: ObjectSampling,
    /// S3 Inventory manifests named with `--inventory`, loaded before any call.
    pub inventory: Vec<InventorySource>,
    /// The accounts to read and how to reach them.
    pub accounts: AccountSelection,
    pub concurrency: usize,
    /// The longest the whole collection may take: a hung endpoint costs each wave of calls the SDK's
    /// timeouts, with no bound on the waves.
    pub timeout: std::time::Duration,
    pub progress: Progress,
}

/// What a collection produced: the inventory and how many calls it took.
#[derive(Debug, Clone)]
pub struct Collection {
    pub inventory: Inventory,
    pub api_calls: Vec<ApiCalls>,
    pub started_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(
        "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), a `region` in the profile, or pass --region REGION"
    )]
    NoRegion,
    #[error("AWS_REGION is set but empty: set it to a region such as us-east-1, unset it, or pass --region REGION")]
    EmptyRegion,
    #[error(
        "no AWS credentials: {0}\n  set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile NAME, \
         or run where an instance, container or SSO role provides them"
    )]
    NoCredentials(String),
    #[error("cannot reach {endpoint} ({message}): check --endpoint-url, AWS_ENDPOINT_URL* and the network")]
    Unreachable { endpoint: String, message: String },
    #[error("{service} {operation} in {region} failed: {message}; {hint}")]
    Refused { service: &'static str, operation: &'static str, region: String, message: String, hint: &'static str },
    #[error(
        "no job {ids} in {regions}: check the id (`aws translate list-text-translation-jobs` lists them) and --region"
    )]
    JobsNotFound { ids: String, regions: String },
    #[error(
        "the collection did not finish within {seconds} s (--timeout): an endpoint may be hanging; check the \
         network and --endpoint-url, or raise --timeout for a large account"
    )]
    TimedOut { seconds: u64 },
    #[error(
        "--profile {0}: no such profile in the shared config and credentials files (~/.aws/config, \
         ~/.aws/credentials, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE)"
    )]
    NoProfile(String),
    #[error("--region all stands alone: name regions, or ask for all of them")]
    AllRegions,
    #[error("no account to read: {0}")]
    NoAccounts(String),
    #[error("--inventory {path}: {message}")]
    Inventory { path: String, message: String },
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// One account's collection: its clients and its call limit, with the options and the gaps found so far
/// that every account of the run shares.
pub(crate) struct Ctx {
    pub clients: Clients,
    pub account: String,
    pub options: Arc<CollectOptions>,
    gaps: Arc<Mutex<Vec<Gap>>>,
    limit: tokio::sync::Semaphore,
}

impl Ctx {
    fn new(clients: Clients, account: String, options: Arc<CollectOptions>) -> Ctx {
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

/// Collects everything the rules need, on a runtime of its own.
pub fn collect(options: CollectOptions) -> Result<Collection, CollectError> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(CollectError::Runtime)?;
    let progress = options.progress.clone();
    let timeout = options.timeout;
    // The timer is made inside the runtime: it needs the runtime's clock.
    let result = runtime
        .block_on(async move { tokio::time::timeout(timeout, collect_async(options)).await })
        .unwrap_or(Err(CollectError::TimedOut { seconds: timeout.as_secs() }));
    // Cleared on every path, so that an error message starts on a clean line.
    progress.finish();
    result
}

async fn collect_async(options: CollectOptions) -> Result<Collection, CollectError> {
    let started_at = crate::vocab::time::now_rfc3339();
    let progress = options.progress.clone();
    progress.phase("connecting");
    let clients = Clients::load(&options).await?;
    let account = caller_account(&clients).await?;
    let start = Arc::new(Ctx::new(clients, account, Arc::new(options)));
    let asked = accounts::asked(&start).await?;
    let mine = match start.options.accounts.shard {
        Some(shard) => shard.part(&asked),
        None => asked.clone(),
    };
    // A gate that read no account has checked nothing: it must not pass.
    if mine.is_empty() {
        let why = match start.options.accounts.shard {
            Some(shard) if !asked.is_empty() => format!(
                "shard {}/{} of {} accounts holds none (use a COUNT no larger than the number of accounts)",
                shard.index,
                shard.count,
                asked.len()
            ),
            _ => "--exclude-accounts leaves out every account asked for".to_owned(),
        };
        return Err(CollectError::NoAccounts(why));
    }
    // One account asked for without --org or --accounts: today's single-account scan, where a refused
    // Translate listing stops the run. With many, it leaves that account unread and the others go on.
    let many = start.options.accounts.org || !start.options.accounts.accounts.is_empty();
    let registry = accounts::Registry::new(start.clone(), &asked);

    progress.phase("listing Translate jobs");
    let offering = if start.options.regions.iter().any(|r| r == "all") {
        Some(regions::offering_translate(&start).await?)
    } else {
        None
    };
    let listings = join_all(mine.iter().map(|a| list_account(&registry, a, offering.as_deref()))).await;
    let mut inventory =
        Inventory { snapshot_version: SNAPSHOT_VERSION, accounts: mine.clone(), ..Inventory::default() };
    let mut all_regions: BTreeSet<String> = BTreeSet::new();
    for (account, listing) in mine.iter().zip(listings) {
        let status = match listing {
            Ok((read_regions, listing)) => {
                all_regions.extend(read_regions);
                inventory.jobs.extend(listing.jobs);
                inventory.terminologies.extend(listing.terminologies);
                inventory.parallel_data.extend(listing.parallel_data);
                AccountStatus::read()
            }
            Err(Unread::Role(why)) => AccountStatus::not_read(why),
            Err(Unread::Listing(e)) if many => {
                start.gap(
                    Service::Translate,
                    Operation::ListTextTranslationJobs,
                    account.as_str(),
                    &Failure::note(e.to_string()),
                );
                AccountStatus::not_read(e.to_string())
            }
            Err(Unread::Listing(e)) => return Err(e),
        };
        if many {
            inventory.account_status.insert(account.clone(), status);
        }
    }
    // One-account scans name the regions asked for even when nothing answered; --region all those read.
    inventory.regions = match offering {
        Some(_) => all_regions.into_iter().collect(),
        None => start.clients.regions.clone(),
    };
    let regions = inventory.regions.clone();
    // A job asked for by id that no region lists is a mistake to say, not an empty scan to pass.
    let missing: Vec<String> =
        start.options.job_ids.iter().filter(|id| !inventory.jobs.iter().any(|j| &&j.job_id == id)).cloned().collect();
    if !missing.is_empty() {
        return Err(CollectError::JobsNotFound { ids: missing.join(", "), regions: regions.join(", ") });
    }

    progress.phase("reading the organization");
    inventory.organization = organization::read(&start, &asked).await;

    progress.phase("reading buckets, objects and roles");
    let wanted = s3::Wanted::from_jobs(&inventory.jobs);
    let roles: BTreeSet<String> = inventory.jobs.iter().map(|j| j.data_access_role_arn.clone()).collect();
    let (s3_out, roles) = tokio::join!(buckets(&registry, &mine, wanted), roles_by_account(&registry, roles));
    inventory.buckets = s3_out.buckets;
    inventory.prefixes = s3_out.prefixes;
    inventory.roles = roles;

    progress.phase("reading KMS keys");
    let mut refs_by_account: BTreeMap<String, BTreeSet<crate::vocab::aws::KeyRef>> = BTreeMap::new();
    for r in kms::references(&inventory) {
        refs_by_account.entry(r.account.clone()).or_default().insert(r);
    }
    let registry = &registry;
    let keys = join_all(refs_by_account.into_iter().map(|(account, refs)| async move {
        let ctx = registry.for_resource(&account).await;
        kms::collect(&ctx, refs).await
    }))
    .await;
    inventory.keys = keys.into_iter().flatten().collect();
    inventory.keys.sort_by(|a, b| a.arn.cmp(&b.arn));

    inventory.gaps = std::mem::take(&mut *start.gaps.lock().unwrap_or_else(|e| e.into_inner()));
    inventory
        .gaps
        .sort_by(|a, b| (&a.service, &a.operation, &a.resource).cmp(&(&b.service, &b.operation, &b.resource)));
    inventory.gaps.dedup();
    inventory.collected_at = Some(crate::vocab::time::now_rfc3339());
    Ok(Collection { inventory, api_calls: start.clients.counter.snapshot(), started_at })
}

/// Why an account of the run was not read.
enum Unread {
    Role(String),
    Listing(CollectError),
}

/// One account's Translate listings in every region it is read in: those asked for, or with `--region all`
/// the regions offering Translate that are enabled for it.
async fn list_account(
    registry: &accounts::Registry,
    account: &str,
    offering: Option<&[String]>,
) -> Result<(Vec<String>, translate::Listing), Unread> {
    let ctx = match registry.get(account).await {
        Some(Ok(ctx)) => ctx,
        Some(Err(why)) => return Err(Unread::Role(why)),
        None => return Err(Unread::Role("not in the run".into())),
    };
    let regions = match offering {
        Some(offering) => regions::enabled(&ctx, offering).await,
        None => ctx.clients.regions.clone(),
    };
    let mut all = translate::Listing::default();
    for listing in join_all(regions.iter().map(|r| translate::collect(&ctx, r))).await {
        let listing = listing.map_err(Unread::Listing)?;
        all.jobs.extend(listing.jobs);
        all.terminologies.extend(listing.terminologies);
        all.parallel_data.extend(listing.parallel_data);
    }
    Ok((regions, all))
}

/// Each bucket read with its owner's credentials: the owner is the run's account whose ListBuckets holds
/// it (the shard's own accounts first, the others only when needed); a bucket no account of the run owns
/// is read with the starting credentials.
async fn buckets(registry: &accounts::Registry, mine: &[String], wanted: s3::Wanted) -> s3::S3Out {
    let mut owned: BTreeMap<String, Option<BTreeSet<String>>> = BTreeMap::new();
    let lists = join_all(mine.iter().map(|a| async move {
        match registry.get(a).await {
            Some(Ok(ctx)) => Some(s3::owned_buckets(&ctx).await),
            _ => None,
        }
    }))
    .await;
    for (a, list) in mine.iter().zip(lists) {
        if let Some(list) = list {
            owned.insert(a.clone(), list);
        }
    }
    let owner = |owned: &BTreeMap<String, Option<BTreeSet<String>>>, bucket: &str| {
        owned.iter().find(|(_, list)| list.as_ref().is_some_and(|l| l.contains(bucket))).map(|(a, _)| a.clone())
    };
    if wanted.buckets().any(|b| owner(&owned, b).is_none()) {
        for a in registry.accounts().filter(|a| !owned.contains_key(*a)).cloned().collect::<Vec<_>>() {
            if let Some(Ok(ctx)) = registry.get(&a).await {
                owned.insert(a, s3::owned_buckets(&ctx).await);
            }
        }
    }
    let start = registry.start().account.clone();
    let parts = wanted.split(|b| owner(&owned, b).unwrap_or_else(|| start.clone()));
    let outs = join_all(parts.into_iter().map(|(account, part)| {
        let list = owned.get(&account).cloned().flatten();
        async move {
            let ctx = registry.for_resource(&account).await;
            let list = match list {
                Some(l) => Some(l),
                None => s3::owned_buckets(&ctx).await,
            };
            s3::collect(&ctx, part, &list).await
        }
    }))
    .await;
    let mut out = s3::S3Out::default();
    for o in outs {
        out.buckets.extend(o.buckets);
        out.prefixes.extend(o.prefixes);
    }
    out.buckets.sort_by(|a, b| a.name.cmp(&b.name));
    out.prefixes.sort_by(|a, b| (&a.bucket, &a.prefix).cmp(&(&b.bucket, &b.prefix)));
    out
}

/// Each role read in its own account when the run reads that account.
async fn roles_by_account(registry: &accounts::Registry, roles: BTreeSet<String>) -> Vec<crate::inventory::IamRole> {
    let mut by_account: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for arn in roles {
        let account = crate::vocab::aws::Arn::parse(&arn).map(|a| a.account).unwrap_or_default().to_owned();
        by_account.entry(account).or_default().insert(arn);
    }
    let read = join_all(by_account.into_iter().map(|(account, arns)| async move {
        let ctx = registry.for_resource(&account).await;
        iam::collect(&ctx, arns).await
    }))
    .await;
    let mut all: Vec<crate::inventory::IamRole> = read.into_iter().flatten().collect();
    all.sort_by(|a, b| a.arn.cmp(&b.arn));
    all
}

/// The caller's account, from STS GetCallerIdentity: the first call, so it also proves the endpoint answers
/// and the credentials are accepted.
async fn caller_account(clients: &Clients) -> Result<String, CollectError> {
    match clients.sts().get_caller_identity().send().await {
        Ok(out) => Ok(out.account().unwrap_or_default().to_owned()),
        Err(e) => {
            let f = failure::describe(&e);
            if f.unreachable {
                Err(CollectError::Unreachable { endpoint: clients.endpoint_description(), message: f.message })
            } else {
                Err(CollectError::NoCredentials(format!("STS GetCallerIdentity refused them: {}", f.said())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ObjectSampling;

    #[test]
    fn object_sampling_reads_the_three_forms() {
        assert_eq!(ObjectSampling::parse("none"), Ok(ObjectSampling::None));
        assert_eq!(ObjectSampling::parse("all"), Ok(ObjectSampling::All));
        assert_eq!(ObjectSampling::parse("sample:100"), Ok(ObjectSampling::Sample(100)));
        for bad in ["sample:0", "sample:", "sample:-1", "some", "ALL", "sample:1x"] {
            assert!(ObjectSampling::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(ObjectSampling::Sample(7).as_string(), "sample:7");
        assert_eq!(ObjectSampling::parse("inventory"), Ok(ObjectSampling::Inventory(100)));
        assert_eq!(ObjectSampling::parse("inventory:5"), Ok(ObjectSampling::Inventory(5)));
        assert_eq!(ObjectSampling::Inventory(5).headers(), ObjectSampling::Sample(5));
        for bad in ["inventory:0", "inventory:", "inventory:x"] {
            assert!(ObjectSampling::parse(bad).is_err(), "{bad}");
        }
    }
}
