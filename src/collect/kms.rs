//! KMS: every key referenced anywhere (job output keys, bucket defaults, object headers, terminologies,
//! parallel data), read once each: metadata, the `default` key policy, rotation, grants and aliases.

use crate::vocab::{Operation, Service};
use std::collections::{BTreeMap, BTreeSet};

use aws_smithy_types::date_time::Format;
use futures_util::future::join_all;

use super::Ctx;
use super::failure::{self, Failure};
use crate::inventory::{Inventory, KeyMetadata, KmsKey};
use crate::vocab::aws::{Grant, GrantConstraints, KeyRef, aliases_gap_resource, kms_arn_parts};
use crate::vocab::{KeyManager, KeyState};

/// Every key reference of the inventory (`Inventory::key_sites`, which the key rules share). AWS managed
/// keys named by alias (`alias/aws/s3`) are judged by that name alone, so they are not read.
pub fn references(inv: &Inventory) -> BTreeSet<KeyRef> {
    inv.key_sites()
        .into_iter()
        .filter(|s| !s.reference.is_empty() && !crate::vocab::aws::is_aws_managed_alias(s.reference))
        .map(|s| KeyRef::new(s.reference, s.account, s.region))
        .collect()
}

/// Alias name → target key id, and key id → alias names, of one account and region.
#[derive(Debug, Default)]
struct Aliases {
    target: BTreeMap<String, String>,
    of_key: BTreeMap<String, Vec<String>>,
}

pub async fn collect(ctx: &Ctx, refs: BTreeSet<KeyRef>) -> Vec<KmsKey> {
    // One ListAliases per region of the scanned account: it resolves alias references without a DescribeKey
    // each, and names the aliases of every key.
    let regions: BTreeSet<String> =
        refs.iter().filter(|r| r.account == ctx.account).map(|r| r.region.clone()).collect();
    let alias_maps: BTreeMap<String, Option<Aliases>> =
        join_all(regions.iter().map(|r| async move { (r.clone(), list_aliases(ctx, r).await) }))
            .await
            .into_iter()
            .collect();

    // Each reference → what DescribeKey is asked about: a key ARN when it can be known without asking.
    let mut targets: BTreeMap<(String, String), Vec<KeyRef>> = BTreeMap::new();
    for r in refs {
        let target =
            resolve(&r, alias_maps.get(&r.region).and_then(Option::as_ref).filter(|_| r.account == ctx.account));
        targets.entry((r.region.clone(), target)).or_default().push(r);
    }
    let described = join_all(targets.iter().map(|((region, target), refs)| async move {
        let client = ctx.clients.region(region).kms;
        match ctx.call(client.describe_key().key_id(target).send()).await {
            Ok(out) => out.key_metadata().cloned().map(|m| (m, refs)),
            Err(e) => {
                let f = failure::describe(&e);
                for r in refs {
                    ctx.gap(Service::Kms, Operation::DescribeKey, r.gap_resource(), &f);
                }
                None
            }
        }
    }))
    .await;

    let mut keys: BTreeMap<String, (aws_sdk_kms::types::KeyMetadata, BTreeSet<String>)> = BTreeMap::new();
    for (meta, refs) in described.into_iter().flatten() {
        let Some(arn) = meta.arn().map(str::to_owned) else { continue };
        let entry = keys.entry(arn).or_insert_with(|| (meta.clone(), BTreeSet::new()));
        entry.1.extend(refs.iter().filter_map(|r| r.alias().map(str::to_owned)));
    }
    join_all(keys.into_iter().map(|(arn, (meta, mut aliases))| {
        let listed = kms_arn_parts(&arn)
            .and_then(|(region, _, _)| alias_maps.get(region))
            .and_then(Option::as_ref)
            .and_then(|a| a.of_key.get(meta.key_id()));
        aliases.extend(listed.into_iter().flatten().cloned());
        key(ctx, arn, meta, aliases)
    }))
    .await
}

fn resolve(r: &KeyRef, aliases: Option<&Aliases>) -> String {
    if let Some(alias) = r.alias() {
        if let Some(id) = aliases.and_then(|a| a.target.get(alias)) {
            return format!("arn:aws:kms:{}:{}:key/{id}", r.region, r.account);
        }
        return r.reference.clone();
    }
    if r.reference.starts_with("arn:") {
        r.reference.clone()
    } else {
        format!("arn:aws:kms:{}:{}:key/{}", r.region, r.account, r.reference)
    }
}

async fn list_aliases(ctx: &Ctx, region: &str) -> Option<Aliases> {
    let client = ctx.clients.region(region).kms;
    let mut aliases = Aliases::default();
    let mut pages = client.list_aliases().limit(100).into_paginator().send();
    while let Some(page) = ctx.call(pages.next()).await {
        match page {
            Ok(page) => {
                for a in page.aliases() {
                    if let (Some(name), Some(target)) = (a.alias_name(), a.target_key_id()) {
                        aliases.target.insert(name.to_owned(), target.to_owned());
                        aliases.of_key.entry(target.to_owned()).or_default().push(name.to_owned());
                    }
                }
            }
            Err(e) => {
                ctx.gap(
                    Service::Kms,
                    Operation::ListAliases,
                    aliases_gap_resource(&ctx.account, region),
                    &failure::describe(&e),
                );
                return None;
            }
        }
    }
    Some(aliases)
}

async fn key(ctx: &Ctx, arn: String, meta: aws_sdk_kms::types::KeyMetadata, aliases: BTreeSet<String>) -> KmsKey {
    let (region, account, _) = kms_arn_parts(&arn).map(|(r, a, k)| (r.to_owned(), a.to_owned(), k)).unwrap_or_default();
    let client = ctx.clients.region(&region).kms;
    let customer = meta.key_manager().is_some_and(|m| KeyManager::parse(m.as_str()) == KeyManager::Customer);
    // Automatic rotation exists for symmetric encryption keys only; asking about others is an error.
    let symmetric = meta.key_spec().is_none_or(|s| s.as_str() == "SYMMETRIC_DEFAULT");
    let policy = async {
        if account != ctx.account {
            let why = format!("GetKeyPolicy does not work across accounts; scan account {account} to read it");
            ctx.gap(Service::Kms, Operation::GetKeyPolicy, &arn, &Failure::note(why));
            return None;
        }
        match ctx.call(client.get_key_policy().key_id(&arn).policy_name("default").send()).await {
            Ok(out) => out.policy().map(str::to_owned),
            Err(e) => {
                ctx.gap(Service::Kms, Operation::GetKeyPolicy, &arn, &failure::describe(&e));
                None
            }
        }
    };
    let rotation = async {
        if !customer || !symmetric {
            return None;
        }
        match ctx.call(client.get_key_rotation_status().key_id(&arn).send()).await {
            Ok(out) => Some(out.key_rotation_enabled()),
            Err(e) => {
                ctx.gap(Service::Kms, Operation::GetKeyRotationStatus, &arn, &failure::describe(&e));
                None
            }
        }
    };
    let grants = async {
        let mut grants = Vec::new();
        let mut pages = client.list_grants().key_id(&arn).limit(100).into_paginator().send();
        while let Some(page) = ctx.call(pages.next()).await {
            match page {
                Ok(page) => grants.extend(page.grants().iter().map(grant)),
                Err(e) => {
                    ctx.gap(Service::Kms, Operation::ListGrants, &arn, &failure::describe(&e));
                    return None;
                }
            }
        }
        Some(grants)
    };
    let (policy, rotation_enabled, grants) = tokio::join!(policy, rotation, grants);
    KmsKey {
        key_id: meta.key_id().to_owned(),
        account: meta.aws_account_id().map_or(account, str::to_owned),
        region,
        aliases: aliases.into_iter().collect(),
        metadata: Some(metadata(&meta)),
        policy,
        rotation_enabled,
        grants,
        arn,
        origin: None,
    }
}

fn metadata(m: &aws_sdk_kms::types::KeyMetadata) -> KeyMetadata {
    KeyMetadata {
        key_state: m.key_state().map_or(KeyState::Unknown, |s| KeyState::parse(s.as_str())),
        key_manager: m.key_manager().map_or(KeyManager::Customer, |s| KeyManager::parse(s.as_str())),
        key_usage: m.key_usage().map(|u| u.as_str().to_owned()),
        key_spec: m.key_spec().map(|s| s.as_str().to_owned()),
        multi_region: m.multi_region(),
        deletion_date: m.deletion_date().and_then(|d| d.fmt(Format::DateTime).ok()),
        description: m.description().filter(|d| !d.is_empty()).map(str::to_owned),
    }
}

fn grant(g: &aws_sdk_kms::types::GrantListEntry) -> Grant {
    Grant {
        key_id: g.key_id().map(str::to_owned),
        grant_id: g.grant_id().map(str::to_owned),
        name: g.name().filter(|n| !n.is_empty()).map(str::to_owned),
        grantee_principal: g.grantee_principal().or(g.grantee_service_principal()).map(str::to_owned),
        retiring_principal: g.retiring_principal().or(g.retiring_service_principal()).map(str::to_owned),
        issuing_account: g.issuing_account().map(str::to_owned),
        operations: g.operations().iter().map(|o| o.as_str().to_owned()).collect(),
        constraints: g.constraints().map(|c| GrantConstraints {
            encryption_context_subset: c.encryption_context_subset().map(|m| m.clone().into_iter().collect()),
            encryption_context_equals: c.encryption_context_equals().map(|m| m.clone().into_iter().collect()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "111122223333";

    #[test]
    fn references_take_account_and_region_from_arns_only() {
        let arn = KeyRef::new("arn:aws:kms:eu-west-1:444455556666:key/k1", A, "us-east-1");
        assert_eq!((arn.account.as_str(), arn.region.as_str()), ("444455556666", "eu-west-1"));
        let bare = KeyRef::new("k1", A, "us-east-1");
        assert_eq!((bare.account.as_str(), bare.region.as_str()), (A, "us-east-1"));
        // Gaps are filed under the name the rules look a missing key up by.
        assert_eq!(bare.gap_resource(), format!("arn:aws:kms:us-east-1:{A}:k1"));
        assert_eq!(arn.gap_resource(), "arn:aws:kms:eu-west-1:444455556666:key/k1");
    }

    #[test]
    fn aliases_resolve_through_list_aliases_and_otherwise_go_to_describe_key() {
        let mut aliases = Aliases::default();
        aliases.target.insert("alias/out".into(), "k1".into());
        let by_name = KeyRef::new("alias/out", A, "us-east-1");
        assert_eq!(by_name.alias(), Some("alias/out"));
        assert_eq!(resolve(&by_name, Some(&aliases)), format!("arn:aws:kms:us-east-1:{A}:key/k1"));
        let by_arn = KeyRef::new(&format!("arn:aws:kms:us-east-1:{A}:alias/out"), A, "us-east-1");
        assert_eq!(by_arn.alias(), Some("alias/out"));
        assert_eq!(resolve(&by_arn, Some(&aliases)), format!("arn:aws:kms:us-east-1:{A}:key/k1"));
        // Unknown to ListAliases (or it failed): DescribeKey is asked about the alias itself.
        let other = KeyRef::new("alias/typo", A, "us-east-1");
        assert_eq!(resolve(&other, Some(&aliases)), "alias/typo");
        assert_eq!(resolve(&by_name, None), "alias/out");
        // A bare key id and its ARN resolve to the same target, so the key is described once.
        let bare = KeyRef::new("k1", A, "us-east-1");
        assert_eq!(bare.alias(), None);
        assert_eq!(resolve(&bare, None), format!("arn:aws:kms:us-east-1:{A}:key/k1"));
    }

    #[test]
    fn aws_managed_aliases_and_empty_ids_are_not_read() {
        let mut inv = Inventory { regions: vec!["us-east-1".into()], ..Inventory::default() };
        for id in ["alias/aws/translate", "", "k9"] {
            let mut job = crate::inventory::TranslationJob {
                account: A.into(),
                region: "us-east-1".into(),
                ..Default::default()
            };
            job.output_data_config.encryption_key =
                Some(crate::inventory::EncryptionKey { key_type: "KMS".into(), id: id.into() });
            inv.jobs.push(job);
        }
        let refs: Vec<String> = references(&inv).into_iter().map(|r| r.reference).collect();
        assert_eq!(refs, vec!["k9".to_owned()]);
    }
}
