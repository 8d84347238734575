//! The normalized inventory: what collectors read and snapshots save, as plain serde data.
//!
//! Field names follow the AWS APIs they come from, in snake_case. Absence has one meaning per field and
//! is documented there; anything that could not be read is a `Gap`, so rules can tell "none" from
//! "unknown".

mod keys;
mod load;
mod model;

pub use keys::{KeySite, Protects};
pub use load::{SnapshotError, load_snapshot, parse_snapshot};
pub use model::*;

/// The snapshot format version this build reads and writes.
pub const SNAPSHOT_VERSION: u32 = 1;

/// Two snapshots that hold the same resource with different content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// `kms-key`, `iam-role`, `s3-bucket`, …
    pub kind: &'static str,
    pub id: String,
    /// The snapshot whose record was kept, and those whose records were not.
    pub kept: String,
    pub dropped: Vec<String>,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.dropped == [self.kept.clone()] {
            return write!(
                f,
                "{} lists {} {} more than once, differently: kept one record of it, by content",
                self.kept, self.kind, self.id
            );
        }
        write!(
            f,
            "snapshots disagree about {} {}: kept the record of {} (collected last, or by content), not that of {}",
            self.kind,
            self.id,
            self.kept,
            self.dropped.join(", ")
        )
    }
}

/// The merged inventory and the disagreements met on the way.
pub struct Merged {
    pub inventory: Inventory,
    pub conflicts: Vec<Conflict>,
}

/// Merges named snapshots into one inventory. A resource read in several is kept once. Where their
/// records differ, the one collected last wins (`collected_at`; a snapshot without it counts as oldest),
/// ties going to the greatest record in serialized form: the result never depends on the order the
/// snapshots were given in, and every disagreement is reported.
pub fn merge(named: Vec<(String, Inventory)>) -> Merged {
    let mut conflicts = Vec::new();
    // Freshest first, so that first-wins below is freshest-wins; the name breaks ties between equals.
    let mut named = named;
    named.sort_by(|(an, a), (bn, b)| b.collected_at.cmp(&a.collected_at).then_with(|| an.cmp(bn)));
    let mut merged = Inventory { snapshot_version: SNAPSHOT_VERSION, ..Default::default() };
    merged.collected_at = named.first().and_then(|(_, i)| i.collected_at.clone());
    let mut jobs = Vec::new();
    let mut terminologies = Vec::new();
    let mut parallel_data = Vec::new();
    let mut buckets = Vec::new();
    let mut prefixes = Vec::new();
    let mut keys = Vec::new();
    let mut roles = Vec::new();
    for (name, inv) in named {
        merged.accounts.extend(inv.accounts);
        // Shards report disjoint accounts; where two snapshots report one account, one that read it wins.
        for (account, status) in inv.account_status {
            let keep = merged.account_status.get(&account).is_some_and(AccountStatus::is_read);
            if !keep {
                merged.account_status.insert(account, status);
            }
        }
        merged.regions.extend(inv.regions);
        merged.gaps.extend(inv.gaps);
        // Shards each read the organization: one, with every path and policy any of them saw.
        if let Some(org) = inv.organization {
            match &mut merged.organization {
                None => merged.organization = Some(org),
                Some(m) => {
                    for (account, path) in org.paths {
                        m.paths.entry(account).or_insert(path);
                    }
                    for (id, p) in org.policies {
                        m.policies.entry(id).or_insert(p);
                    }
                    m.management_account = m.management_account.take().or(org.management_account);
                    m.scps_enabled = m.scps_enabled.or(org.scps_enabled);
                }
            }
        }
        let stamp = inv.collected_at.clone();
        fn tagged<T>(name: &str, stamp: &Option<String>, v: Vec<T>) -> Vec<Tagged<T>> {
            v.into_iter().map(|x| (name.to_owned(), stamp.clone(), x)).collect()
        }
        jobs.extend(tagged(&name, &stamp, inv.jobs));
        terminologies.extend(tagged(&name, &stamp, inv.terminologies));
        parallel_data.extend(tagged(&name, &stamp, inv.parallel_data));
        buckets.extend(tagged(&name, &stamp, inv.buckets));
        prefixes.extend(tagged(&name, &stamp, inv.prefixes));
        keys.extend(tagged(&name, &stamp, inv.keys));
        roles.extend(tagged(&name, &stamp, inv.roles));
    }
    merged.jobs = pick(
        jobs,
        crate::vocab::ResourceKind::TranslateJob.as_str(),
        |j| format!("{}/{}/{}", j.account, j.region, j.job_id),
        &mut conflicts,
    );
    merged.terminologies = pick(
        terminologies,
        crate::vocab::ResourceKind::TranslateTerminology.as_str(),
        |t| t.arn.clone(),
        &mut conflicts,
    );
    merged.parallel_data = pick(
        parallel_data,
        crate::vocab::ResourceKind::TranslateParallelData.as_str(),
        |t| t.arn.clone(),
        &mut conflicts,
    );
    merged.buckets = pick(buckets, crate::vocab::ResourceKind::S3Bucket.as_str(), |b| b.name.clone(), &mut conflicts);
    merged.prefixes = pick(
        prefixes,
        crate::vocab::ResourceKind::S3Prefix.as_str(),
        |p| format!("s3://{}/{}", p.bucket, p.prefix),
        &mut conflicts,
    );
    merged.keys = pick(keys, crate::vocab::ResourceKind::KmsKey.as_str(), |k| k.arn.clone(), &mut conflicts);
    merged.roles = pick(roles, crate::vocab::ResourceKind::IamRole.as_str(), |r| r.arn.clone(), &mut conflicts);
    merged.accounts.sort();
    merged.accounts.dedup();
    merged.regions.sort();
    merged.regions.dedup();
    merged.gaps.sort_by(|a, b| {
        (&a.service, &a.operation, &a.resource, &a.message).cmp(&(&b.service, &b.operation, &b.resource, &b.message))
    });
    merged.gaps.dedup();
    conflicts.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    Merged { inventory: merged, conflicts }
}

/// One snapshot's record of a resource: (snapshot, collected_at, record).
type Tagged<T> = (String, Option<String>, T);

/// One record per id, in first-seen order: the freshest, or among equally fresh the greatest serialized.
/// Only records whose id occurs more than once are serialized, to compare them.
fn pick<T: serde::Serialize>(
    records: Vec<Tagged<T>>,
    kind: &'static str,
    id: impl Fn(&T) -> String,
    conflicts: &mut Vec<Conflict>,
) -> Vec<T> {
    let mut order: Vec<String> = Vec::new();
    let mut by_id: std::collections::HashMap<String, Vec<Tagged<T>>> = Default::default();
    for tagged in records {
        let key = id(&tagged.2);
        let entry = by_id.entry(key.clone()).or_default();
        if entry.is_empty() {
            order.push(key);
        }
        entry.push(tagged);
    }
    order
        .into_iter()
        .map(|key| {
            let versions = by_id.remove(&key).expect("every id has a record");
            if versions.len() == 1 {
                return versions.into_iter().next().expect("one record").2;
            }
            let mut versions: Vec<(String, Tagged<T>)> =
                versions.into_iter().map(|v| (serde_json::to_string(&v.2).unwrap_or_default(), v)).collect();
            // Freshest first; equally fresh, the greatest record (independent of the snapshots' order).
            versions.sort_by(|(at, a), (bt, b)| b.1.cmp(&a.1).then_with(|| bt.cmp(at)).then_with(|| a.0.cmp(&b.0)));
            let kept_text = versions[0].0.clone();
            let mut dropped: Vec<String> =
                versions.iter().filter(|(text, _)| *text != kept_text).map(|(_, v)| v.0.clone()).collect();
            let (_, (kept_name, _, record)) = versions.into_iter().next().expect("at least one record");
            if !dropped.is_empty() {
                dropped.sort();
                dropped.dedup();
                conflicts.push(Conflict { kind, id: key, kept: kept_name, dropped });
            }
            record
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(at: Option<&str>, rotation: Option<bool>) -> Inventory {
        Inventory {
            snapshot_version: SNAPSHOT_VERSION,
            collected_at: at.map(str::to_owned),
            accounts: vec!["111122223333".into()],
            keys: vec![KmsKey {
                arn: "arn:aws:kms:us-east-1:111122223333:key/k".into(),
                rotation_enabled: rotation,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn disagreements_are_reported_and_decided_by_freshness_not_order() {
        let old = ("old.json".to_string(), snapshot(Some("2026-11-01T00:00:00Z"), Some(false)));
        let new = ("new.json".to_string(), snapshot(Some("2026-11-02T00:00:00Z"), Some(true)));
        for order in [vec![old.clone(), new.clone()], vec![new.clone(), old.clone()]] {
            let m = merge(order);
            assert_eq!(m.inventory.keys.len(), 1);
            assert_eq!(m.inventory.keys[0].rotation_enabled, Some(true), "the later collection wins");
            assert_eq!(m.conflicts.len(), 1);
            assert_eq!(
                (m.conflicts[0].kept.as_str(), &m.conflicts[0].dropped[..]),
                ("new.json", &["old.json".to_string()][..])
            );
            assert!(m.conflicts[0].to_string().contains("kms-key arn:aws:kms:us-east-1:111122223333:key/k"));
        }
        // Equally fresh (or undated): the same choice whatever the order.
        let a = ("a.json".to_string(), snapshot(None, Some(false)));
        let b = ("b.json".to_string(), snapshot(None, None));
        let ab = merge(vec![a.clone(), b.clone()]);
        let ba = merge(vec![b, a]);
        assert_eq!(ab.inventory.keys, ba.inventory.keys);
        assert_eq!(ab.conflicts, ba.conflicts);
        assert_eq!(ab.conflicts.len(), 1);
    }

    #[test]
    fn a_snapshot_listing_a_resource_twice_differently_says_so() {
        // Found by the snapshot fuzz target: one file, two different records of one key.
        let mut s = snapshot(None, Some(true));
        s.keys.push(KmsKey { rotation_enabled: Some(false), ..s.keys[0].clone() });
        let alone = merge(vec![("a.json".into(), s.clone())]);
        assert_eq!(alone.inventory.keys.len(), 1);
        assert_eq!(alone.conflicts.len(), 1);
        assert!(alone.conflicts[0].to_string().starts_with("a.json lists kms-key"), "{}", alone.conflicts[0]);
        let twice = merge(vec![("a.json".into(), s.clone()), ("b.json".into(), s)]);
        assert_eq!(twice.inventory, alone.inventory);
    }

    #[test]
    fn the_same_record_twice_is_no_conflict() {
        let s = snapshot(Some("2026-11-01T00:00:00Z"), Some(true));
        let m = merge(vec![("a.json".into(), s.clone()), ("b.json".into(), s)]);
        assert!(m.conflicts.is_empty());
        assert_eq!(m.inventory.keys.len(), 1);
        assert_eq!(m.inventory.accounts, ["111122223333"]);
    }
}
