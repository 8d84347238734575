//! S3: for every bucket a job uses, its owner, region, default encryption and policy; for every job prefix,
//! a listing and the encryption headers of its objects (all, a sample, or none).

use crate::vocab::{Operation, Service};
use std::collections::{BTreeMap, BTreeSet};

use futures_util::future::join_all;

use super::failure::{self, Failure};
use super::s3_read::{head, location_region, region_of};
use super::{Ctx, ObjectSampling};
use crate::inventory::{Bucket, Coverage, EncryptionRule, ObjectPrefix, TranslationJob};
use crate::vocab::aws::parse_s3_uri;

/// The buckets and prefixes the jobs refer to, each once.
#[derive(Debug, Default)]
pub struct Wanted {
    buckets: BTreeSet<String>,
    prefixes: BTreeSet<(String, String)>,
}

impl Wanted {
    pub fn from_jobs(jobs: &[TranslationJob]) -> Wanted {
        let mut w = Wanted::default();
        for job in jobs {
            if let Some((bucket, prefix)) = parse_s3_uri(&job.input_data_config.s3_uri) {
                w.buckets.insert(bucket.to_owned());
                w.prefixes.insert((bucket.to_owned(), prefix.to_owned()));
            }
            if let Some((bucket, _)) = parse_s3_uri(&job.output_data_config.s3_uri) {
                w.buckets.insert(bucket.to_owned());
            }
            if let Some(folder) = job.output_folder() {
                w.prefixes.insert(folder);
            }
        }
        w
    }

    pub fn buckets(&self) -> impl Iterator<Item = &String> {
        self.buckets.iter()
    }

    /// The buckets and their prefixes, grouped by whose credentials read them.
    pub fn split(self, owner: impl Fn(&str) -> String) -> BTreeMap<String, Wanted> {
        let mut parts: BTreeMap<String, Wanted> = BTreeMap::new();
        for b in self.buckets {
            parts.entry(owner(&b)).or_default().buckets.insert(b);
        }
        for (b, p) in self.prefixes {
            parts.entry(owner(&b)).or_default().prefixes.insert((b, p));
        }
        parts
    }
}

#[derive(Debug, Default)]
pub struct S3Out {
    pub buckets: Vec<Bucket>,
    pub prefixes: Vec<ObjectPrefix>,
}

/// Reads the buckets and prefixes with the account's credentials; `owned` is its ListBuckets answer (`None`
/// when that was refused), which says whether a bucket is the account's.
pub async fn collect(ctx: &Ctx, wanted: Wanted, owned: &Option<BTreeSet<String>>) -> S3Out {
    let owned = owned.clone();
    let buckets = join_all(wanted.buckets.iter().map(|name| bucket(ctx, name, &owned))).await;
    let regions: BTreeMap<&str, Option<&str>> =
        buckets.iter().map(|b| (b.name.as_str(), b.region.as_deref())).collect();
    // Prefixes an inventory report covers are judged from it; the others are listed and sampled.
    let mut by_bucket: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (b, p) in &wanted.prefixes {
        by_bucket.entry(b.clone()).or_default().push(p.clone());
    }
    let uses_inventory =
        !ctx.options.inventory.is_empty() || matches!(ctx.options.objects, ObjectSampling::Inventory(_));
    let mut prefixes =
        if uses_inventory { super::s3_inventory::collect(ctx, &by_bucket, &regions).await } else { Vec::new() };
    let sampling = ctx.options.objects.headers();
    if sampling != ObjectSampling::None {
        let done: BTreeSet<(String, String)> = prefixes.iter().map(|p| (p.bucket.clone(), p.prefix.clone())).collect();
        let sampled = join_all(wanted.prefixes.iter().filter(|bp| !done.contains(*bp)).map(|(b, p)| {
            let region = regions.get(b.as_str()).copied().flatten();
            prefix(ctx, b, p, region, sampling)
        }))
        .await;
        prefixes.extend(sampled.into_iter().flatten());
    }
    prefixes.sort_by(|a, b| (&a.bucket, &a.prefix).cmp(&(&b.bucket, &b.prefix)));
    S3Out { buckets, prefixes }
}

/// The caller's own buckets, to tell which buckets belong to the scanned account (S3 does not say whose a
/// bucket is otherwise). `None` when the list could not be read.
pub async fn owned_buckets(ctx: &Ctx) -> Option<BTreeSet<String>> {
    let client = ctx.clients.home().s3;
    let mut names = BTreeSet::new();
    let mut pages = client.list_buckets().into_paginator().send();
    while let Some(page) = ctx.call(pages.next()).await {
        match page {
            Ok(page) => names.extend(page.buckets().iter().filter_map(|b| b.name().map(str::to_owned))),
            Err(e) => {
                ctx.gap(Service::S3, Operation::ListBuckets, format!("s3:{}", ctx.account), &failure::describe(&e));
                return None;
            }
        }
    }
    Some(names)
}

async fn bucket(ctx: &Ctx, name: &str, owned: &Option<BTreeSet<String>>) -> Bucket {
    let arn = format!("arn:aws:s3:::{name}");
    let home = ctx.clients.home().s3;
    let locator = ctx.clients.region(location_region(&ctx.clients.regions[0])).s3;
    let region = match ctx.call(locator.get_bucket_location().bucket(name).send()).await {
        Ok(out) => Some(region_of(out.location_constraint().map(|c| c.as_str()))),
        Err(e) => {
            ctx.gap(Service::S3, Operation::GetBucketLocation, &arn, &failure::describe(&e));
            None
        }
    };
    let client = match &region {
        Some(r) => ctx.clients.region(r).s3,
        None => home,
    };
    let (encryption, policy) = tokio::join!(
        ctx.call(client.get_bucket_encryption().bucket(name).send()),
        ctx.call(client.get_bucket_policy().bucket(name).send()),
    );
    let encryption_rules = match encryption {
        Ok(out) => out
            .server_side_encryption_configuration()
            .map(|c| {
                c.rules()
                    .iter()
                    .filter_map(|r| {
                        let d = r.apply_server_side_encryption_by_default()?;
                        Some(EncryptionRule {
                            sse_algorithm: d.sse_algorithm().as_str().to_owned(),
                            kms_master_key_id: d.kms_master_key_id().map(str::to_owned),
                            bucket_key_enabled: r.bucket_key_enabled(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        Err(e) => {
            let f = failure::describe(&e);
            if !f.is("ServerSideEncryptionConfigurationNotFoundError") {
                ctx.gap(Service::S3, Operation::GetBucketEncryption, &arn, &f);
            }
            Vec::new()
        }
    };
    let policy = match policy {
        Ok(out) => out.policy().map(str::to_owned),
        Err(e) => {
            let f = failure::describe(&e);
            if !f.is("NoSuchBucketPolicy") {
                ctx.gap(Service::S3, Operation::GetBucketPolicy, &arn, &f);
            }
            None
        }
    };
    let account = owned.as_ref().and_then(|o| o.contains(name).then(|| ctx.account.clone()));
    Bucket { name: name.to_owned(), account, region, encryption_rules, policy, origin: None }
}

/// Lists a prefix and reads the headers of its objects (up to the sample size). `None` when the listing
/// failed: the gap under `s3://bucket/prefix` says why.
async fn prefix(
    ctx: &Ctx,
    bucket: &str,
    prefix: &str,
    region: Option<&str>,
    sampling: ObjectSampling,
) -> Option<ObjectPrefix> {
    let uri = format!("s3://{bucket}/{prefix}");
    let client = match region {
        Some(r) => ctx.clients.region(r).s3,
        None => ctx.clients.home().s3,
    };
    let limit = match sampling {
        ObjectSampling::Sample(n) => n,
        _ => usize::MAX,
    };
    let mut keys = Vec::new();
    let mut complete = true;
    let page_size = limit.clamp(1, 1000) as i32;
    let mut pages = client.list_objects_v2().bucket(bucket).prefix(prefix).max_keys(page_size).into_paginator().send();
    while let Some(page) = ctx.call(pages.next()).await {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                ctx.gap(Service::S3, Operation::ListObjectsV2, &uri, &failure::describe(&e));
                return None;
            }
        };
        // Folder markers hold no document.
        keys.extend(page.contents().iter().filter_map(|o| o.key()).filter(|k| !k.ends_with('/')).map(str::to_owned));
        if keys.len() >= limit {
            complete = keys.len() == limit && page.next_continuation_token().is_none();
            keys.truncate(limit);
            break;
        }
    }
    let heads = join_all(keys.iter().map(|key| head(ctx, &client, bucket, key))).await;
    let mut objects = Vec::with_capacity(heads.len());
    for (key, head) in keys.iter().zip(heads) {
        match head {
            Ok(object) => objects.push(object),
            Err(f) => ctx.gap(
                Service::S3,
                Operation::HeadObject,
                &uri,
                &Failure { message: format!("{key}: {}", f.message), ..f },
            ),
        }
    }
    Some(ObjectPrefix {
        bucket: bucket.to_owned(),
        prefix: prefix.to_owned(),
        coverage: if complete { Coverage::Listed } else { Coverage::Sampled },
        total_objects: complete.then_some(keys.len() as u64),
        objects,
        inventory: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bucket_and_prefix_is_wanted_once() {
        let job = |id: &str, input: &str| TranslationJob {
            job_id: id.into(),
            account: "111122223333".into(),
            input_data_config: crate::inventory::InputDataConfig { s3_uri: input.into(), content_type: None },
            output_data_config: crate::inventory::OutputDataConfig {
                s3_uri: "s3://out/results".into(),
                encryption_key: None,
            },
            ..Default::default()
        };
        let w = Wanted::from_jobs(&[job("a", "s3://in/docs/"), job("b", "s3://in/docs/")]);
        assert_eq!(w.buckets.into_iter().collect::<Vec<_>>(), ["in", "out"]);
        let prefixes: Vec<(String, String)> = w.prefixes.into_iter().collect();
        assert_eq!(
            prefixes,
            [
                ("in".into(), "docs/".into()),
                ("out".into(), "results/111122223333-TranslateText-a/".into()),
                ("out".into(), "results/111122223333-TranslateText-b/".into()),
            ]
        );
    }
}
