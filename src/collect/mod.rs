//! Live collection: reads Translate, S3, KMS and IAM through the AWS SDK into an `Inventory`.
//!
//! The order follows what each read reveals: STS names the account; Translate's listings name the jobs,
//! and through them the buckets, prefixes and roles; S3 names more keys (bucket defaults, objects); KMS
//! comes last. Every resource is read once however many jobs share it. A failed read becomes a `Gap` and the
//! collection goes on; only what makes the whole scan meaningless (no region, no credentials, an endpoint
//! that cannot be reached, Translate's listings refused) stops it.

mod accounts;
mod clients;
mod context;
mod failure;
mod iam;
mod kms;
mod options;
mod organization;
mod progress;
mod regions;
mod s3;
mod s3_inventory;
mod s3_read;
mod translate;

use crate::vocab::{Operation, Service};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures_util::future::join_all;

pub use accounts::{AccountSelection, Shard, parse_account};
use clients::Clients;
pub(crate) use context::Ctx;
use failure::Failure;
pub use options::{CollectError, CollectOptions, Collection, INVENTORY_KEY_SAMPLE, ObjectSampling};
pub use progress::Progress;
pub use s3_inventory::InventorySource;

use crate::inventory::{AccountStatus, Inventory, SNAPSHOT_VERSION};

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
