//! Scan speed against moto: wall time and API calls of `atrest scan` on a world of 20 buckets, 10 keys,
//! 4 roles and 40 jobs with 2 objects per prefix. Run with `scripts/test`'s moto installed:
//! `ATREST_MOTO_SERVER=.venv/bin/moto_server cargo bench --bench scan` (`ATREST_BENCH_RUNS=N` repeats).
//!
//! moto answers a few hundred requests a second from one Python process, so the scan's floor is set by
//! the number of requests; the benchmark prints how many the world needs and how many were made.

#[path = "../tests/support/mod.rs"]
#[allow(dead_code)] // the fault and enforcement helpers serve the tests
mod support;

use std::time::Instant;

use serde_json::{Value, json};
use support::moto::{ACCOUNT, Moto, Seed, atrest_command};
use support::translate::TranslateEndpoint;

const BUCKETS: usize = 20;
const KEYS: usize = 10;
const ROLES: usize = 4;
const JOBS: usize = 40;
const OBJECTS: usize = 2;

async fn seed(seed: &Seed, translate: &TranslateEndpoint) {
    let mut keys = Vec::new();
    for _ in 0..KEYS {
        let policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"kms:*","Resource":"*"}}]}}"#
        );
        keys.push(seed.create_key(&policy).await);
    }
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"translate.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}"#;
    let access = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket","s3:PutObject","kms:Decrypt","kms:GenerateDataKey","kms:CreateGrant","kms:RetireGrant","kms:DescribeKey"],"Resource":"*"}]}"#;
    for r in 0..ROLES {
        seed.iam.create_role().role_name(format!("Bench{r}")).assume_role_policy_document(trust).send().await.unwrap();
        seed.iam
            .put_role_policy()
            .role_name(format!("Bench{r}"))
            .policy_name("access")
            .policy_document(access)
            .send()
            .await
            .unwrap();
    }
    for b in 0..BUCKETS {
        let name = format!("bench-{b:02}");
        seed.bucket(&name, None).await;
        if b % 2 == 0 {
            seed.default_encryption(&name, "AES256", None).await;
        } else {
            seed.default_encryption(&name, "aws:kms", Some(&keys[b % KEYS])).await;
        }
    }
    for j in 0..JOBS {
        let id = format!("{j:032x}");
        let input = (format!("bench-{:02}", j % (BUCKETS / 2)), format!("in/{j}/"));
        let output = format!("bench-{:02}", BUCKETS / 2 + j % (BUCKETS / 2));
        let folder = format!("out/{ACCOUNT}-TranslateText-{id}/");
        let key = &keys[j % KEYS];
        for o in 0..OBJECTS {
            seed.object(&input.0, &format!("{}{o}.txt", input.1), None, None).await;
            seed.object(&output, &format!("{folder}fr.{o}.txt"), Some("aws:kms"), Some(key)).await;
        }
        translate.add_job(json!({
            "JobId": id, "JobStatus": "COMPLETED", "SourceLanguageCode": "en", "TargetLanguageCodes": ["fr"],
            "SubmittedTime": 1_764_000_000,
            "InputDataConfig": {"S3Uri": format!("s3://{}/{}", input.0, input.1), "ContentType": "text/plain"},
            "OutputDataConfig": {"S3Uri": format!("s3://{output}/out/"), "EncryptionKey": {"Type": "KMS", "Id": key}},
            "DataAccessRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/Bench{}", j % ROLES),
        }));
    }
}

/// The requests the world needs: one per listing page, per bucket read, per prefix, per object, per key
/// read and per role read.
fn needed() -> u64 {
    let (b, k, r, j, o) = (BUCKETS as u64, KEYS as u64, ROLES as u64, JOBS as u64, OBJECTS as u64);
    let setup = 1 + 3 + 1; // GetCallerIdentity; three Translate listings (one page each); ListBuckets
    let buckets = 3 * b; // location, encryption, policy
    let prefixes = 2 * j; // one input prefix and one output folder per job
    let objects = 2 * j * o;
    let keys = 1 + 4 * k; // ListAliases; DescribeKey, GetKeyPolicy, GetKeyRotationStatus, ListGrants
    let roles = 4 * r; // GetRole, ListRolePolicies, GetRolePolicy, ListAttachedRolePolicies
    setup + buckets + prefixes + objects + keys + roles
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let runs: usize = std::env::var("ATREST_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let moto = Moto::start();
    let translate = TranslateEndpoint::start(100);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let s = Seed::new(&moto, "testing", "testing").await;
        seed(&s, &translate).await;
    });
    let home = std::env::temp_dir().join(format!("atrest-bench-scan-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut times = Vec::new();
    let mut last: Option<Value> = None;
    for _ in 0..runs {
        let start = Instant::now();
        let out =
            atrest_command(&moto.url, &translate.url, &home, &["scan", "--format", "json", "-q", "--objects", "all"])
                .output()
                .unwrap();
        times.push(start.elapsed().as_secs_f64());
        assert!(out.status.code().is_some_and(|c| c < 2), "scan failed: {}", String::from_utf8_lossy(&out.stderr));
        last = Some(serde_json::from_slice(&out.stdout).unwrap());
    }
    let report = last.unwrap();
    let calls = report["run"]["api_calls"].as_array().unwrap();
    let requests: u64 = calls.iter().map(|a| a["requests"].as_u64().unwrap()).sum();
    times.sort_by(f64::total_cmp);
    println!(
        "scan of {BUCKETS} buckets, {KEYS} keys, {ROLES} roles, {JOBS} jobs, {OBJECTS} objects per prefix on moto \
         ({runs} runs): best {:.2} s, median {:.2} s, worst {:.2} s",
        times[0],
        times[times.len() / 2],
        times[times.len() - 1]
    );
    println!("API requests: {requests} made, {} needed by the world; errors: {}", needed(), report["errors"]);
    for a in calls {
        println!(
            "  {:<10} {:<28} {:>4} calls {:>4} requests",
            a["service"].as_str().unwrap(),
            a["operation"].as_str().unwrap(),
            a["calls"],
            a["requests"]
        );
    }
    let _ = std::fs::remove_dir_all(&home);
}
