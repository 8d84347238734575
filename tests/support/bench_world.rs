//! The benchmarks' world of one account: 20 buckets, 10 keys, 4 roles and 40 jobs with 2 objects per
//! prefix, seeded into moto and the Translate endpoint, and the requests a scan of it needs.

// The benches use it; the integration tests compile it with the rest of support/.
#![allow(dead_code)]

use serde_json::{Value, json};

use super::moto::{Seed, atrest_command};
use super::translate::TranslateEndpoint;

pub const BUCKETS: usize = 20;
pub const KEYS: usize = 10;
pub const ROLES: usize = 4;
pub const JOBS: usize = 40;
pub const OBJECTS: usize = 2;

/// Seeds one account's world; `names` prefixes its bucket names (bucket names are global).
pub async fn seed(seed: &Seed, translate: &TranslateEndpoint, account: &str, names: &str) {
    let mut keys = Vec::new();
    for _ in 0..KEYS {
        let policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"kms:*","Resource":"*"}}]}}"#
        );
        keys.push(seed.create_key(&policy).await);
    }
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"translate.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:SourceAccount":"{account}"}}}}}}]}}"#
    );
    let access = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket","s3:PutObject","kms:Decrypt","kms:GenerateDataKey","kms:CreateGrant","kms:RetireGrant","kms:DescribeKey"],"Resource":"*"}]}"#;
    for r in 0..ROLES {
        seed.iam.create_role().role_name(format!("Bench{r}")).assume_role_policy_document(&trust).send().await.unwrap();
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
        let name = format!("{names}-{b:02}");
        seed.bucket(&name, None).await;
        if b % 2 == 0 {
            seed.default_encryption(&name, "AES256", None).await;
        } else {
            seed.default_encryption(&name, "aws:kms", Some(&keys[b % KEYS])).await;
        }
    }
    for j in 0..JOBS {
        let id = format!("{j:032x}");
        let input = (format!("{names}-{:02}", j % (BUCKETS / 2)), format!("in/{j}/"));
        let output = format!("{names}-{:02}", BUCKETS / 2 + j % (BUCKETS / 2));
        let folder = format!("out/{account}-TranslateText-{id}/");
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
            "DataAccessRoleArn": format!("arn:aws:iam::{account}:role/Bench{}", j % ROLES),
        }));
    }
}

/// The requests the world needs: one per listing page, per bucket read, per prefix, per object, per key
/// read and per role read.
pub fn needed() -> u64 {
    let (b, k, r, j, o) = (BUCKETS as u64, KEYS as u64, ROLES as u64, JOBS as u64, OBJECTS as u64);
    let setup = 1 + 3 + 1; // GetCallerIdentity; three Translate listings (one page each); ListBuckets
    let buckets = 3 * b; // location, encryption, policy
    let prefixes = 2 * j; // one input prefix and one output folder per job
    let objects = 2 * j * o;
    let keys = 1 + 4 * k; // ListAliases; DescribeKey, GetKeyPolicy, GetKeyRotationStatus, ListGrants
    let roles = 4 * r; // GetRole, ListRolePolicies, GetRolePolicy, ListAttachedRolePolicies
    setup + buckets + prefixes + objects + keys + roles
}

/// The report's `run.api_calls`, one line per operation.
pub fn print_calls(calls: &[serde_json::Value]) {
    for a in calls {
        println!(
            "  {:<14} {:<28} {:>5} calls {:>5} requests",
            a["service"].as_str().unwrap(),
            a["operation"].as_str().unwrap(),
            a["calls"],
            a["requests"]
        );
    }
}

/// Runs `atrest ARGS` (a JSON report on stdout) `runs` times against moto and the Translate endpoint, in a
/// home folder of its own; the wall times, fastest first, and the last report.
pub fn timed_scans(moto: &str, translate: &str, args: &[&str], runs: usize) -> (Vec<f64>, Value) {
    let home = std::env::temp_dir().join(format!("atrest-bench-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut times = Vec::new();
    let mut last = Value::Null;
    for _ in 0..runs {
        let start = std::time::Instant::now();
        let out = atrest_command(moto, translate, &home, args).output().unwrap();
        times.push(start.elapsed().as_secs_f64());
        assert!(out.status.code().is_some_and(|c| c < 2), "scan failed: {}", String::from_utf8_lossy(&out.stderr));
        last = serde_json::from_slice(&out.stdout).unwrap();
    }
    let _ = std::fs::remove_dir_all(&home);
    times.sort_by(f64::total_cmp);
    (times, last)
}
