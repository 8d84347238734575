//! The normalized inventory: what collectors read and snapshots save, as plain serde data.
//!
//! Field names follow the AWS APIs they come from, in snake_case. Absence has one meaning per field and
//! is documented there; anything that could not be read is a `Gap`, so rules can tell "none" from
//! "unknown".

mod load;
mod model;

pub use load::{SnapshotError, load_snapshot, parse_snapshot};
pub use model::*;

/// The snapshot format version this build reads and writes.
pub const SNAPSHOT_VERSION: u32 = 1;

/// Merges several snapshots into one inventory; resources read twice are kept once.
pub fn merge(mut inventories: Vec<Inventory>) -> Inventory {
    let mut merged = inventories.remove(0);
    for inv in inventories {
        merged.accounts.extend(inv.accounts);
        merged.regions.extend(inv.regions);
        merged.jobs.extend(inv.jobs);
        merged.terminologies.extend(inv.terminologies);
        merged.parallel_data.extend(inv.parallel_data);
        merged.buckets.extend(inv.buckets);
        merged.prefixes.extend(inv.prefixes);
        merged.keys.extend(inv.keys);
        merged.roles.extend(inv.roles);
        merged.gaps.extend(inv.gaps);
    }
    merged.accounts.sort();
    merged.accounts.dedup();
    merged.regions.sort();
    merged.regions.dedup();
    fn dedup_by<T, K: Ord + Clone>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
        let mut seen = std::collections::BTreeSet::new();
        v.retain(|x| seen.insert(key(x)));
    }
    dedup_by(&mut merged.jobs, |j| (j.account.clone(), j.region.clone(), j.job_id.clone()));
    dedup_by(&mut merged.keys, |k| k.arn.clone());
    dedup_by(&mut merged.roles, |r| r.arn.clone());
    dedup_by(&mut merged.buckets, |b| b.name.clone());
    dedup_by(&mut merged.prefixes, |p| (p.bucket.clone(), p.prefix.clone()));
    dedup_by(&mut merged.terminologies, |t| t.arn.clone());
    dedup_by(&mut merged.parallel_data, |t| t.arn.clone());
    merged
}
