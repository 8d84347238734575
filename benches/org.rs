//! Organization scan speed against moto: `atrest scan --org` of an organization of 20 member accounts, each
//! holding the world of `benches/scan.rs` (20 buckets, 10 keys, 4 roles, 40 jobs, 2 objects per prefix),
//! beside moto's own ceiling measured in the same run. `cargo bench --bench org` (moto from scripts/test's
//! .venv, or ATREST_MOTO_SERVER; ATREST_BENCH_ACCOUNTS=N and ATREST_BENCH_RUNS=N change the size and runs).
//!
//! One moto process answers every account, so it, not atrest, bounds the wall time. The ceiling is moto's
//! rate for the same mix of operations the scan sends, at the same concurrency: the scan's own requests,
//! replayed from a client that does nothing else (each operation of the scan, as many times as the scan
//! made it, spread over 16 workers). The scan reaches P % of the ceiling when its requests per second are
//! P % of the replay's.
#![allow(clippy::unwrap_used)]

#[path = "../tests/support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use support::bench_world::{BUCKETS, JOBS, KEYS, OBJECTS, ROLES, needed, print_calls, seed, timed_scans};
use support::moto::{Moto, Seed};
use support::translate::TranslateEndpoint;

const CONCURRENCY: usize = 16;

/// One request of each kind the scan makes, replayable against the seeded world of an account.
async fn replay(seed: &Seed, account: &str, names: &str, operation: &str) {
    let bucket = format!("{names}-00");
    let out_bucket = format!("{names}-{:02}", BUCKETS / 2);
    let key = format!("out/{account}-TranslateText-{:032x}/fr.0.txt", 0);
    match operation {
        "GetBucketLocation" => drop(seed.s3.get_bucket_location().bucket(&bucket).send().await),
        "GetBucketEncryption" => drop(seed.s3.get_bucket_encryption().bucket(&bucket).send().await),
        "GetBucketPolicy" => drop(seed.s3.get_bucket_policy().bucket(&bucket).send().await),
        "ListBuckets" => drop(seed.s3.list_buckets().send().await),
        "ListObjectsV2" => drop(seed.s3.list_objects_v2().bucket(&bucket).prefix("in/0/").send().await),
        "HeadObject" => drop(seed.s3.head_object().bucket(&out_bucket).key(&key).send().await),
        "ListAliases" => drop(seed.kms.list_aliases().send().await),
        "DescribeKey" | "GetKeyPolicy" | "GetKeyRotationStatus" | "ListGrants" => {
            let keys = seed.kms.list_keys().limit(1).send().await.unwrap();
            let id = keys.keys()[0].key_id().unwrap().to_owned();
            match operation {
                "DescribeKey" => drop(seed.kms.describe_key().key_id(&id).send().await),
                "GetKeyPolicy" => drop(seed.kms.get_key_policy().key_id(&id).send().await),
                "GetKeyRotationStatus" => drop(seed.kms.get_key_rotation_status().key_id(&id).send().await),
                _ => drop(seed.kms.list_grants().key_id(&id).send().await),
            }
        }
        "GetRole" => drop(seed.iam.get_role().role_name("Bench0").send().await),
        "ListRolePolicies" => drop(seed.iam.list_role_policies().role_name("Bench0").send().await),
        "GetRolePolicy" => drop(seed.iam.get_role_policy().role_name("Bench0").policy_name("access").send().await),
        "ListAttachedRolePolicies" => drop(seed.iam.list_attached_role_policies().role_name("Bench0").send().await),
        "GetCallerIdentity" => drop(seed.sts.get_caller_identity().send().await),
        "ListAccounts" => drop(seed.organizations.list_accounts().send().await),
        _ => {}
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let members: usize = std::env::var("ATREST_BENCH_ACCOUNTS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let runs: usize = std::env::var("ATREST_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let moto = Moto::start();
    let translate = TranslateEndpoint::start_with_moto(100, &moto.url);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let started = Instant::now();
    let accounts: Vec<String> = rt.block_on(async {
        let management = Seed::new(&moto, "testing", "testing").await;
        let names: Vec<String> = (0..members).map(|m| format!("member-{m}")).collect();
        let accounts = management.organization(&names).await;
        for (m, account) in accounts.iter().enumerate() {
            let s = Seed::in_account(&moto, account, "atrest-audit").await;
            seed(&s, &translate, account, &format!("m{m}")).await;
        }
        accounts
    });
    eprintln!("seeded {members} accounts in {:.1} s", started.elapsed().as_secs_f64());

    let (times, report) =
        timed_scans(&moto.url, &translate.url, &["scan", "--org", "--format", "json", "-q", "--objects", "all"], runs);
    assert!(report["errors"].as_array().unwrap().is_empty(), "errors: {:#}", report["errors"]);
    let calls = report["run"]["api_calls"].as_array().unwrap();
    let requests: u64 = calls.iter().map(|a| a["requests"].as_u64().unwrap()).sum();
    let by_operation: BTreeMap<String, u64> =
        calls.iter().map(|a| (a["operation"].as_str().unwrap().to_owned(), a["requests"].as_u64().unwrap())).collect();
    // Each member needs the world's requests (its GetCallerIdentity included); the management account, read
    // too, adds its own GetCallerIdentity, ListAccounts, three empty Translate listings and ListBuckets.
    let want = members as u64 * needed() + 1 + 1 + 3 + 1;
    let best = times[0];

    // The ceiling: the same requests from a client doing nothing else, 16 at a time.
    let seeds: Vec<Arc<Seed>> = rt.block_on(async {
        let mut seeds = Vec::new();
        for a in &accounts {
            seeds.push(Arc::new(Seed::in_account(&moto, a, "atrest-audit").await));
        }
        seeds
    });
    // Translate's listings go to our endpoint, not moto: neither side of the comparison counts them.
    let translate_ops = ["ListTextTranslationJobs", "ListTerminologies", "ListParallelData"];
    let moto_requests: u64 =
        by_operation.iter().filter(|(o, _)| !translate_ops.contains(&o.as_str())).map(|(_, n)| n).sum();
    let mut work: Vec<(usize, String)> = Vec::new();
    for (operation, n) in by_operation.iter().filter(|(o, _)| !translate_ops.contains(&o.as_str())) {
        for i in 0..*n as usize {
            work.push((i % accounts.len(), operation.clone()));
        }
    }
    let work = Arc::new(std::sync::Mutex::new(work));
    let accounts = Arc::new(accounts);
    let start = Instant::now();
    rt.block_on(async {
        let mut workers = Vec::new();
        for _ in 0..CONCURRENCY {
            let (work, seeds, accounts) = (work.clone(), seeds.clone(), accounts.clone());
            workers.push(tokio::spawn(async move {
                loop {
                    let next = work.lock().unwrap().pop();
                    let Some((a, operation)) = next else { break };
                    replay(&seeds[a], &accounts[a], &format!("m{a}"), &operation).await;
                }
            }));
        }
        for w in workers {
            w.await.unwrap();
        }
    });
    let replay_seconds = start.elapsed().as_secs_f64();
    // The KMS replays list one key first: count those requests too.
    let kms_extra: u64 = ["DescribeKey", "GetKeyPolicy", "GetKeyRotationStatus", "ListGrants"]
        .iter()
        .filter_map(|o| by_operation.get(*o))
        .sum();
    let ceiling = (moto_requests + kms_extra) as f64 / replay_seconds;
    let rate = moto_requests as f64 / best;
    println!(
        "organization of {members} members, each {BUCKETS} buckets, {KEYS} keys, {ROLES} roles, {JOBS} jobs, \
         {OBJECTS} objects per prefix, on one moto ({runs} runs)"
    );
    println!(
        "scan --org: best {best:.2} s, median {:.2} s; {requests} requests made, {want} needed ({} per account)",
        times[times.len() / 2],
        needed()
    );
    println!(
        "moto's ceiling for the scan's {moto_requests} moto requests, replayed {CONCURRENCY} at a time: \
         {ceiling:.0} requests/s ({} in {replay_seconds:.2} s)",
        moto_requests + kms_extra
    );
    println!("scan: {rate:.0} moto requests/s = {:.0} % of the ceiling", 100.0 * rate / ceiling);
    print_calls(calls);
}
