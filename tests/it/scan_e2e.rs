//! `atrest scan` and `atrest collect` end to end: a world seeded through the SDK into moto (S3, KMS, IAM,
//! STS) and our Translate endpoint, scanned by the binary as a process.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::json as report;
use crate::support::moto::{ACCOUNT, Moto, REGION, Seed, atrest_command};
use crate::support::proxy::{FaultProxy, Rule};
use crate::support::translate::{Fault, TranslateEndpoint};

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// Runs the binary against moto and the Translate endpoint, in a home folder of its own.
pub fn atrest(moto: &str, translate: &str, args: &[&str], extra: &[(&str, &str)]) -> Output {
    let home = crate::tempdir();
    let mut cmd = atrest_command(moto, translate, &home, args);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// (rule, resource id) → status, for every result of a report.
pub fn statuses(report: &Value) -> BTreeMap<(String, String), String> {
    let mut map = BTreeMap::new();
    for r in report["results"].as_array().unwrap() {
        let key = (r["rule_id"].as_str().unwrap().to_owned(), r["resource"]["id"].as_str().unwrap().to_owned());
        let status = r["status"].as_str().unwrap().to_owned();
        // A resource judged several times by one rule keeps its worst status.
        let worst = |s: &str| ["FAIL", "UNKNOWN", "NOT_VERIFIABLE", "PASS"].iter().position(|x| *x == s);
        map.entry(key)
            .and_modify(|old: &mut String| {
                if worst(&status) < worst(old) {
                    *old = status.clone();
                }
            })
            .or_insert(status);
    }
    map
}

/// Calls per (service, operation) from the report's `run.api_calls`.
pub fn calls(report: &Value) -> BTreeMap<(String, String), u64> {
    report["run"]["api_calls"]
        .as_array()
        .expect("run.api_calls")
        .iter()
        .map(|a| {
            (
                (a["service"].as_str().unwrap().to_owned(), a["operation"].as_str().unwrap().to_owned()),
                a["calls"].as_u64().unwrap(),
            )
        })
        .collect()
}

const TRUST_WITH_SOURCE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"translate.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}"#;
const TRUST_LOOSE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"translate.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

fn key_policy(extra: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Root","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"kms:*","Resource":"*"}}{extra}]}}"#
    )
}

fn grant_role(role: &str) -> String {
    format!(
        r#",{{"Sid":"Translate","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:role/{role}"}},"Action":["kms:Decrypt","kms:GenerateDataKey","kms:CreateGrant","kms:RetireGrant","kms:DescribeKey"],"Resource":"*"}}"#
    )
}

pub fn job(id: &str, input: &str, output: &str, key: Option<&str>, role: &str) -> Value {
    let mut out = json!({"S3Uri": output});
    if let Some(k) = key {
        out["EncryptionKey"] = json!({"Type": "KMS", "Id": k});
    }
    json!({
        "JobId": id, "JobName": format!("job-{id}"), "JobStatus": "COMPLETED",
        "SourceLanguageCode": "en", "TargetLanguageCodes": ["fr"],
        "SubmittedTime": 1_764_000_000, "EndTime": 1_764_000_600,
        "InputDataConfig": {"S3Uri": input, "ContentType": "text/plain"},
        "OutputDataConfig": out,
        "DataAccessRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/{role}"),
    })
}

pub const CROSS_ACCOUNT_KEY: &str = "arn:aws:kms:us-east-1:999999999999:key/11111111-2222-3333-4444-555555555555";

/// The world's names, for assertions.
pub struct World {
    pub good: String,
    pub no_grant: String,
    pub doomed: String,
    pub public: String,
    pub disabled: String,
}

fn key_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap()
}

/// The folder Translate writes a job's output to.
fn folder(job: &str) -> String {
    format!("out/{ACCOUNT}-TranslateText-{job}/")
}

pub const J_GOOD: &str = "00000000000000000000000000000001";
pub const J_NO_GRANT: &str = "00000000000000000000000000000002";
pub const J_LOOSE: &str = "00000000000000000000000000000003";
pub const J_MISSING: &str = "00000000000000000000000000000004";
pub const J_ROOT: &str = "00000000000000000000000000000005";
pub const J_EU: &str = "00000000000000000000000000000006";

/// A world that takes every collector path and gives every rule something to decide.
pub async fn seed_world(seed: &Seed, translate: &TranslateEndpoint) -> World {
    let good = seed.create_key(&key_policy(&grant_role("TranslateRole"))).await;
    // Neither the account (so no IAM policy counts) nor the role.
    let admin_only = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Admin","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"}},"Action":"kms:*","Resource":"*"}}]}}"#
    );
    let no_grant = seed.create_key(&admin_only).await;
    let doomed = seed.create_key(&key_policy(&grant_role("LooseRole"))).await;
    let public = seed
        .create_key(&key_policy(
            r#",{"Sid":"Anyone","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}"#,
        ))
        .await;
    let disabled = seed.create_key(&key_policy("")).await;
    // moto 5.2.5 takes only bare key ids in these calls.
    seed.kms.enable_key_rotation().key_id(key_id(&good)).send().await.unwrap();
    seed.kms.create_alias().alias_name("alias/translate-good").target_key_id(key_id(&good)).send().await.unwrap();
    seed.kms.create_alias().alias_name("alias/translate-doomed").target_key_id(key_id(&doomed)).send().await.unwrap();
    seed.kms.schedule_key_deletion().key_id(key_id(&doomed)).pending_window_in_days(7).send().await.unwrap();
    seed.kms.disable_key().key_id(key_id(&disabled)).send().await.unwrap();

    seed.bucket("atrest-in-good", None).await;
    seed.default_encryption("atrest-in-good", "AES256", None).await;
    seed.object("atrest-in-good", "docs/a.txt", Some("AES256"), None).await;
    seed.object("atrest-in-good", "docs/b.txt", Some("AES256"), None).await;

    seed.bucket("atrest-in-kms", None).await;
    seed.default_encryption("atrest-in-kms", "aws:kms", Some(&no_grant)).await;
    seed.object("atrest-in-kms", "docs/c.txt", Some("aws:kms"), Some(key_id(&no_grant))).await;

    seed.bucket("atrest-in-plain", None).await;
    seed.object("atrest-in-plain", "docs/d.txt", None, None).await;

    seed.bucket("atrest-out-good", None).await;
    seed.default_encryption("atrest-out-good", "aws:kms", Some(&good)).await;
    // moto echoes a bare key id back as given; real S3 answers with the ARN.
    let out = format!("{}fr.a.txt", folder(J_GOOD));
    seed.object("atrest-out-good", &out, Some("aws:kms"), Some(key_id(&good))).await;

    seed.bucket("atrest-out-denied", None).await;
    seed.default_encryption("atrest-out-denied", "aws:kms", Some(&no_grant)).await;
    let out = format!("{}fr.c.txt", folder(J_NO_GRANT));
    seed.object("atrest-out-denied", &out, Some("aws:kms"), Some(&no_grant)).await;
    // A common real statement; moto answers every object read of this bucket with a bare 403 because of it.
    let deny_insecure = r#"{"Version":"2012-10-17","Statement":[{"Sid":"TlsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::atrest-out-denied","arn:aws:s3:::atrest-out-denied/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
    seed.s3.put_bucket_policy().bucket("atrest-out-denied").policy(deny_insecure).send().await.unwrap();

    seed.bucket("atrest-out-aes", None).await;
    seed.default_encryption("atrest-out-aes", "AES256", None).await;
    let require_aes = r#"{"Version":"2012-10-17","Statement":[{"Sid":"AesOnly","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::atrest-out-aes/*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}}]}"#;
    seed.s3.put_bucket_policy().bucket("atrest-out-aes").policy(require_aes).send().await.unwrap();

    seed.bucket("atrest-eu", Some("eu-west-1")).await;
    seed.default_encryption("atrest-eu", "AES256", None).await;

    let s3_access = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket","s3:PutObject"],"Resource":["arn:aws:s3:::atrest-*","arn:aws:s3:::atrest-*/*"]}]}"#;
    let managed = seed
        .iam
        .create_policy()
        .policy_name("TranslateS3")
        .policy_document(s3_access)
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    seed.iam
        .create_role()
        .role_name("TranslateRole")
        .assume_role_policy_document(TRUST_WITH_SOURCE)
        .tags(aws_sdk_iam::types::Tag::builder().key("team").value("l10n").build().unwrap())
        .send()
        .await
        .unwrap();
    seed.iam.attach_role_policy().role_name("TranslateRole").policy_arn(&managed).send().await.unwrap();
    let kms_inline = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey","kms:CreateGrant","kms:RetireGrant","kms:DescribeKey"],"Resource":"*"}]}"#;
    seed.iam
        .put_role_policy()
        .role_name("TranslateRole")
        .policy_name("kms")
        .policy_document(kms_inline)
        .send()
        .await
        .unwrap();
    seed.iam
        .create_role()
        .role_name("LooseRole")
        .assume_role_policy_document(TRUST_LOOSE)
        .permissions_boundary(&managed)
        .send()
        .await
        .unwrap();

    for j in [
        job(
            J_GOOD,
            "s3://atrest-in-good/docs/",
            "s3://atrest-out-good/out/",
            Some("alias/translate-good"),
            "TranslateRole",
        ),
        job(J_NO_GRANT, "s3://atrest-in-kms/docs/", "s3://atrest-out-denied/out/", Some(&no_grant), "TranslateRole"),
        job(
            J_LOOSE,
            "s3://atrest-in-plain/docs/",
            "s3://atrest-out-aes/out/",
            Some("alias/translate-doomed"),
            "LooseRole",
        ),
        job(J_MISSING, "s3://atrest-gone/docs/", "s3://atrest-out-good/out/", Some(CROSS_ACCOUNT_KEY), "MissingRole"),
        job(J_ROOT, "s3://atrest-in-good", "s3://atrest-out-good/out/", Some(key_id(&good)), "TranslateRole"),
        job(J_EU, "s3://atrest-in-good/docs/", "s3://atrest-eu/out/", Some(&good), "TranslateRole"),
    ] {
        translate.add_job(j);
    }
    let region_arn = |kind: &str, name: &str| format!("arn:aws:translate:{REGION}:{ACCOUNT}:{kind}/{name}");
    translate.add_terminology(json!({
        "Name": "glossary", "Arn": region_arn("terminology", "glossary"),
        "EncryptionKey": {"Type": "KMS", "Id": public}, "CreatedAt": 1_764_000_000,
    }));
    translate.add_terminology(json!({
        "Name": "partner-glossary", "Arn": region_arn("terminology", "partner-glossary"),
        "EncryptionKey": {"Type": "KMS", "Id": CROSS_ACCOUNT_KEY}, "CreatedAt": 1_764_000_000,
    }));
    translate.add_parallel_data(json!({
        "Name": "memory", "Arn": region_arn("parallel-data", "memory"), "Status": "ACTIVE",
        "EncryptionKey": {"Type": "KMS", "Id": disabled}, "CreatedAt": 1_764_000_000,
    }));
    World { good, no_grant, doomed, public, disabled }
}

/// moto and the Translate endpoint, seeded with the world.
pub fn world() -> (Moto, TranslateEndpoint, World) {
    let moto = Moto::start();
    let translate = TranslateEndpoint::start(2);
    let world = block_on(async {
        let seed = Seed::new(&moto, "testing", "testing").await;
        seed_world(&seed, &translate).await
    });
    (moto, translate, world)
}

fn expect(s: &BTreeMap<(String, String), String>, rule: &str, resource: &str, status: &str) {
    let got = s.get(&(rule.to_owned(), resource.to_owned()));
    assert_eq!(got.map(String::as_str), Some(status), "{rule} on {resource}; all results: {s:#?}");
}

fn role(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

fn out_folder(bucket: &str, job: &str) -> String {
    format!("s3://{bucket}/{}", folder(job))
}

#[test]
fn scan_reports_the_seeded_world() {
    let (moto, translate, w) = world();
    let out = atrest(&moto.url, &translate.url, &["scan", "--format", "json", "-q"], &[]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let report = report(&out);
    assert_eq!(report["run"]["command"], "scan");
    assert_eq!(report["run"]["accounts"], json!([ACCOUNT]));
    assert_eq!(report["run"]["objects"], "sample:100");
    let invalid = crate::schema_errors(&report);
    assert!(invalid.is_empty(), "the scan report does not match docs/report.schema.json: {invalid:#?}");
    let s = statuses(&report);
    let bucket = |n: &str| format!("arn:aws:s3:::{n}");
    let cases: &[(&str, String, &str)] = &[
        ("AR101", bucket("atrest-in-good"), "PASS"),
        ("AR101", bucket("atrest-in-kms"), "PASS"),
        // moto reports no configuration for a bucket never given one.
        ("AR101", bucket("atrest-in-plain"), "FAIL"),
        ("AR101", bucket("atrest-gone"), "UNKNOWN"),
        ("AR102", "s3://atrest-in-good/docs/".into(), "PASS"),
        ("AR102", "s3://atrest-in-kms/docs/".into(), "PASS"),
        ("AR102", "s3://atrest-in-plain/docs/".into(), "FAIL"),
        ("AR102", "s3://atrest-gone/docs/".into(), "UNKNOWN"),
        ("AR103", w.no_grant.clone(), "FAIL"),
        ("AR202", w.good.clone(), "PASS"),
        ("AR202", w.doomed.clone(), "FAIL"),
        ("AR202", CROSS_ACCOUNT_KEY.into(), "UNKNOWN"),
        ("AR203", w.good.clone(), "PASS"),
        ("AR203", w.no_grant.clone(), "FAIL"),
        ("AR204", CROSS_ACCOUNT_KEY.into(), "UNKNOWN"),
        // The object's key id came back bare and still matches the job's key named by alias.
        ("AR205", out_folder("atrest-out-good", J_GOOD), "PASS"),
        // HeadObject answered 403: not judged.
        ("AR205", out_folder("atrest-out-denied", J_NO_GRANT), "UNKNOWN"),
        ("AR301", w.good.clone(), "PASS"),
        ("AR301", w.no_grant.clone(), "FAIL"),
        ("AR302", w.good.clone(), "PASS"),
        ("AR302", w.doomed.clone(), "FAIL"),
        ("AR303", w.good.clone(), "PASS"),
        ("AR303", w.public.clone(), "FAIL"),
        ("AR401", role("TranslateRole"), "PASS"),
        ("AR401", role("MissingRole"), "FAIL"),
        ("AR402", role("TranslateRole"), "PASS"),
        ("AR403", role("TranslateRole"), "PASS"),
        ("AR403", role("LooseRole"), "FAIL"),
        ("AR404", role("TranslateRole"), "PASS"),
        ("AR404", role("LooseRole"), "FAIL"),
        ("AR501", bucket("atrest-out-good"), "PASS"),
        ("AR501", bucket("atrest-out-denied"), "PASS"),
        ("AR501", bucket("atrest-out-aes"), "FAIL"),
        ("AR601", format!("arn:aws:translate:{REGION}:{ACCOUNT}:terminology/glossary"), "PASS"),
        ("AR601", format!("arn:aws:translate:{REGION}:{ACCOUNT}:parallel-data/memory"), "FAIL"),
        ("AR603", format!("arn:aws:translate:{REGION}:{ACCOUNT}:terminology/partner-glossary"), "UNKNOWN"),
        ("AR701", "s3://atrest-in-good/docs/".into(), "PASS"),
        ("AR701", "s3://atrest-in-good/".into(), "FAIL"),
        ("AR702", bucket("atrest-in-good"), "PASS"),
        ("AR702", bucket("atrest-eu"), "FAIL"),
        ("AR702", bucket("atrest-gone"), "UNKNOWN"),
        ("AR901", "translate".into(), "NOT_VERIFIABLE"),
    ];
    for (rule, resource, status) in cases {
        expect(&s, rule, resource, status);
    }
    let _ = &w.disabled;

    // Every failed read is listed, and nothing it touched passes.
    let errors: Vec<(String, String, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["service"].as_str().unwrap().into(),
                e["operation"].as_str().unwrap().into(),
                e["resource"].as_str().unwrap().into(),
            )
        })
        .collect();
    for want in [
        ("iam", "GetRole", role("MissingRole")),
        ("kms", "DescribeKey", CROSS_ACCOUNT_KEY.to_owned()),
        ("s3", "GetBucketEncryption", bucket("atrest-gone")),
        ("s3", "ListObjectsV2", "s3://atrest-gone/docs/".to_owned()),
        ("s3", "HeadObject", out_folder("atrest-out-denied", J_NO_GRANT)),
    ] {
        let want = (want.0.to_owned(), want.1.to_owned(), want.2);
        assert!(errors.contains(&want), "{want:?} not in {errors:#?}");
    }
    for (_, _, resource) in &errors {
        for ((rule, id), status) in &s {
            // AR701 judges the URI's shape alone.
            let judged_on_data = rule != "AR701";
            assert!(
                !(judged_on_data && id == resource && status == "PASS"),
                "{rule} passed {id} though a read of it failed"
            );
        }
    }
    // Every rule of the baseline ruleset had something to decide. moto keeps each account's keys to itself,
    // so the cross-account rules (AR204, AR603) see only a key that cannot be read.
    let rules: std::collections::BTreeSet<&str> = s.keys().map(|(r, _)| r.as_str()).collect();
    for id in [
        "AR101", "AR102", "AR103", "AR201", "AR202", "AR203", "AR204", "AR205", "AR301", "AR302", "AR303", "AR401",
        "AR402", "AR403", "AR404", "AR501", "AR601", "AR603", "AR701", "AR702", "AR901",
    ] {
        assert!(rules.contains(id), "{id} gave no result: {rules:?}");
    }
}

#[test]
fn collect_then_audit_gives_the_scan_report() {
    let (moto, translate, _) = world();
    let dir = crate::tempdir();
    let snapshot = dir.join("world.json");
    let scan = atrest(&moto.url, &translate.url, &["scan", "--format", "json", "-q", "--ruleset", "strict"], &[]);
    let collect = atrest(&moto.url, &translate.url, &["collect", "-v", "-o", snapshot.to_str().unwrap()], &[]);
    assert_eq!(collect.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&collect.stderr));
    let stderr = String::from_utf8_lossy(&collect.stderr);
    assert!(stderr.contains("snapshot written"), "{stderr}");
    // -v: one line per phase; the Translate listings of this world take three pages of jobs and two more.
    let listing = stderr.lines().find(|l| l.starts_with("atrest: listing Translate jobs: ")).unwrap_or_default();
    assert!(listing.ends_with(" s, 5 requests"), "{stderr}");
    assert!(stderr.contains("atrest: reading KMS keys: "), "{stderr}");
    let audit = Command::new(env!("CARGO_BIN_EXE_atrest"))
        .args(["audit", snapshot.to_str().unwrap(), "--format", "json", "--ruleset", "strict"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(audit.status.code(), scan.status.code());
    let (scan, audit) = (report(&scan), report(&audit));
    for field in ["results", "summary", "controls", "errors"] {
        assert_eq!(scan[field], audit[field], "{field} differs between scan and collect + audit");
    }
    assert!(scan["results"].as_array().unwrap().len() > 60);
    // The rules that only strict judges: AR206 (an output bucket's default is SSE-KMS) and AR602 (custom
    // data under a customer managed key).
    let s = statuses(&scan);
    expect(&s, "AR206", "arn:aws:s3:::atrest-out-good", "PASS");
    expect(&s, "AR206", "arn:aws:s3:::atrest-out-aes", "FAIL");
    expect(&s, "AR602", &format!("arn:aws:translate:{REGION}:{ACCOUNT}:terminology/glossary"), "PASS");
    // No temporary file is left beside the snapshot.
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("world.json")]);
}

#[test]
fn translate_throttling_and_500_bursts_are_retried() {
    let (moto, translate, _) = world();
    let clean = atrest(&moto.url, &translate.url, &["scan", "--format", "json", "-q"], &[]);
    for fault in [Fault::Throttle, Fault::Internal, Fault::Throttle] {
        translate.fault(Some("ListTextTranslationJobs"), fault);
    }
    translate.fault(Some("ListTerminologies"), Fault::Internal);
    translate.fault(Some("ListParallelData"), Fault::Throttle);
    let faulty = atrest(&moto.url, &translate.url, &["scan", "--format", "json", "-q"], &[]);
    assert_eq!(faulty.status.code(), clean.status.code());
    let (clean, faulty) = (report(&clean), report(&faulty));
    assert_eq!(statuses(&clean), statuses(&faulty));
    assert_eq!(clean["errors"], faulty["errors"]);
    let requests = |r: &Value, op: &str| {
        r["run"]["api_calls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["operation"] == op)
            .map(|a| (a["calls"].as_u64().unwrap(), a["requests"].as_u64().unwrap()))
    };
    // Six jobs at two per page: three pages, and three retried answers on top.
    assert_eq!(requests(&clean, "ListTextTranslationJobs"), Some((3, 3)));
    assert_eq!(requests(&faulty, "ListTextTranslationJobs"), Some((3, 6)));
    assert_eq!(requests(&faulty, "ListTerminologies"), Some((1, 2)));
    assert_eq!(requests(&faulty, "ListParallelData"), Some((1, 2)));
}

#[test]
fn a_refused_translate_listing_stops_the_scan_with_exit_2() {
    let moto = Moto::start();
    let translate = TranslateEndpoint::start(10);
    translate.fault(Some("ListTerminologies"), Fault::Denied);
    let out = atrest(&moto.url, &translate.url, &["scan", "--format", "json", "-o", "report.json"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("translate ListTerminologies in us-east-1 failed: AccessDeniedException"), "{stderr}");
    assert!(stderr.contains("docs/atrest-readonly-policy.json"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unreachable_endpoint_or_no_credentials_exit_2_saying_what_to_set() {
    let translate = TranslateEndpoint::start(10);
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let out = atrest(&closed, &translate.url, &["scan", "-q"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("cannot reach {closed}")) && stderr.contains("--endpoint-url"), "{stderr}");

    let home = crate::tempdir();
    let run = |env: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_atrest"));
        cmd.args(["collect", "-o", "snap.json"])
            .env_clear()
            .env("HOME", &home)
            .env("AWS_EC2_METADATA_DISABLED", "true");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.current_dir(&home).output().unwrap()
    };
    let out = run(&[("AWS_REGION", "us-east-1")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no AWS credentials") && stderr.contains("AWS_ACCESS_KEY_ID"), "{stderr}");
    // A person can act on it: two short lines, none of the SDK's debug output.
    assert!(stderr.lines().count() <= 2 && stderr.lines().all(|l| l.chars().count() < 400), "{stderr}");
    assert!(!stderr.contains("ProviderError") && !stderr.contains("Extensions"), "{stderr}");
    let out = run(&[("AWS_ACCESS_KEY_ID", "a"), ("AWS_SECRET_ACCESS_KEY", "b")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no AWS region") && stderr.contains("--region"), "{stderr}");
    assert!(!home.join("snap.json").exists());

    // An output folder that does not exist is refused before any call is made.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atrest"));
    let out = cmd
        .args(["collect", "-o", "missing/snap.json", "--endpoint-url", &closed])
        .env_clear()
        .env("HOME", &home)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "a")
        .env("AWS_SECRET_ACCESS_KEY", "b")
        .current_dir(&home)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--output missing/snap.json") && stderr.contains("does not exist"), "{stderr}");
    assert!(!stderr.contains("cannot reach"), "the folder is checked before the endpoint: {stderr}");
}

/// 50 jobs sharing 5 keys (named by ARN, alias and bare id), 3 roles and 6 buckets.
async fn seed_shared(seed: &Seed, translate: &TranslateEndpoint) {
    let mut keys = Vec::new();
    for i in 0..5 {
        let arn = seed.create_key(&key_policy(&grant_role("Role0"))).await;
        seed.kms
            .create_alias()
            .alias_name(format!("alias/shared-{i}"))
            .target_key_id(key_id(&arn))
            .send()
            .await
            .unwrap();
        keys.push(arn);
    }
    for i in 0..3 {
        seed.iam
            .create_role()
            .role_name(format!("Role{i}"))
            .assume_role_policy_document(TRUST_WITH_SOURCE)
            .send()
            .await
            .unwrap();
        seed.iam
            .put_role_policy()
            .role_name(format!("Role{i}"))
            .policy_name("s3")
            .policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
            )
            .send()
            .await
            .unwrap();
    }
    for i in 0..6 {
        seed.bucket(&format!("atrest-shared-{i}"), None).await;
        seed.default_encryption(&format!("atrest-shared-{i}"), "AES256", None).await;
    }
    for i in 0..3 {
        seed.object(&format!("atrest-shared-{i}"), "in/doc.txt", Some("AES256"), None).await;
    }
    for j in 0..50 {
        let key = &keys[j % 5];
        let reference = match j % 3 {
            0 => key.clone(),
            1 => format!("alias/shared-{}", j % 5),
            _ => key_id(key).to_owned(),
        };
        translate.add_job(job(
            &format!("{j:032x}"),
            &format!("s3://atrest-shared-{}/in/", j % 3),
            &format!("s3://atrest-shared-{}/out/", 3 + j % 3),
            Some(&reference),
            &format!("Role{}", j % 3),
        ));
    }
}

#[test]
fn shared_keys_roles_and_buckets_are_read_once() {
    let moto = Moto::start();
    let translate = TranslateEndpoint::start(20);
    block_on(async {
        let seed = Seed::new(&moto, "testing", "testing").await;
        seed_shared(&seed, &translate).await
    });
    let out = atrest(&moto.url, &translate.url, &["scan", "--format", "json", "-q"], &[]);
    let report = report(&out);
    assert_eq!(report["errors"], json!([]), "every read succeeds in this world");
    let c = calls(&report);
    let n = |service: &str, op: &str| c.get(&(service.to_owned(), op.to_owned())).copied().unwrap_or(0);
    for (service, op, want) in [
        ("sts", "GetCallerIdentity", 1),
        ("translate", "ListTextTranslationJobs", 3),
        ("kms", "ListAliases", 1),
        ("kms", "DescribeKey", 5),
        ("kms", "GetKeyPolicy", 5),
        ("kms", "GetKeyRotationStatus", 5),
        ("kms", "ListGrants", 5),
        ("iam", "GetRole", 3),
        ("iam", "ListRolePolicies", 3),
        ("iam", "GetRolePolicy", 3),
        ("iam", "ListAttachedRolePolicies", 3),
        ("s3", "ListBuckets", 1),
        ("s3", "GetBucketLocation", 6),
        ("s3", "GetBucketEncryption", 6),
        ("s3", "GetBucketPolicy", 6),
        // 3 input prefixes and 50 output folders; one object in each input prefix.
        ("s3", "ListObjectsV2", 53),
        ("s3", "HeadObject", 3),
    ] {
        assert_eq!(n(service, op), want, "{service} {op}: {c:#?}");
    }
    let jobs: std::collections::BTreeSet<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["jobs"].as_array().into_iter().flatten().filter_map(Value::as_str))
        .collect();
    assert_eq!(jobs.len(), 50);
}

#[test]
fn the_readonly_policy_is_enough_under_iam_enforcement() {
    let policy_path = crate::root().join("docs/atrest-readonly-policy.json");
    let policy = std::fs::read_to_string(&policy_path).unwrap();
    let doc: Value = serde_json::from_str(&policy).unwrap();
    // Read-only by construction: every action reads or lists.
    for st in doc["Statement"].as_array().unwrap() {
        assert_eq!(st["Effect"], "Allow");
        for a in st["Action"].as_array().unwrap() {
            let name = a.as_str().unwrap().split(':').nth(1).unwrap();
            assert!(["Get", "List", "Describe"].iter().any(|p| name.starts_with(p)), "{a} is not a read");
        }
    }

    let (moto, translate, _) = world();
    let open = atrest(&moto.url, &translate.url, &["scan", "--format", "json", "-q"], &[]);
    let ((key, secret), (nobody_key, nobody_secret)) = block_on(async {
        let seed = Seed::new(&moto, "testing", "testing").await;
        let mut out = Vec::new();
        for (user, policy) in [("auditor", Some(&policy)), ("nobody", None)] {
            seed.iam.create_user().user_name(user).send().await.unwrap();
            if let Some(p) = policy {
                seed.iam
                    .put_user_policy()
                    .user_name(user)
                    .policy_name("atrest")
                    .policy_document(p)
                    .send()
                    .await
                    .unwrap();
            }
            let k = seed.iam.create_access_key().user_name(user).send().await.unwrap();
            let k = k.access_key().unwrap();
            out.push((k.access_key_id().to_owned(), k.secret_access_key().to_owned()));
        }
        (out[0].clone(), out[1].clone())
    });
    moto.enforce_iam();
    let scan_as = |key: &str, secret: &str| {
        atrest(
            &moto.url,
            &translate.url,
            &["scan", "--format", "json", "-q"],
            &[("AWS_ACCESS_KEY_ID", key), ("AWS_SECRET_ACCESS_KEY", secret)],
        )
    };
    let limited = scan_as(&key, &secret);
    assert_eq!(limited.status.code(), open.status.code(), "stderr: {}", String::from_utf8_lossy(&limited.stderr));
    let (open, limited) = (report(&open), report(&limited));
    assert_eq!(open["errors"], limited["errors"], "the read-only policy was refused something");
    assert_eq!(statuses(&open), statuses(&limited));

    // The enforcement is real: a user without the policy is refused, and nothing it could not read passes.
    let refused = report(&scan_as(&nobody_key, &nobody_secret));
    let denied = refused["errors"].as_array().unwrap().iter().filter(|e| e["error_code"] == "AccessDenied").count();
    assert!(denied > 10, "{:#}", refused["errors"]);
    // AR201 (baseline) and AR701 judge the job record alone, which the Translate endpoint still served.
    let s = statuses(&refused);
    assert!(s.iter().all(|((rule, _), st)| st != "PASS" || rule == "AR201" || rule == "AR701"), "{s:#?}");
}

#[test]
fn job_filters_and_object_sampling_narrow_what_is_read() {
    let (moto, translate, _) = world();
    let scan = |args: &[&str]| {
        let mut all = vec!["scan", "--format", "json", "-q"];
        all.extend_from_slice(args);
        report(&atrest(&moto.url, &translate.url, &all, &[]))
    };
    let jobs = |r: &Value| -> std::collections::BTreeSet<String> {
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|x| x["jobs"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned))
            .collect()
    };
    let one = scan(&["--job-id", J_GOOD]);
    assert_eq!(jobs(&one), [J_GOOD.to_owned()].into());
    let c = calls(&one);
    assert_eq!(c.get(&("iam".into(), "GetRole".into())), Some(&1), "only the job's role is read");

    // The jobs were submitted at 2025-11-24T16:00:00Z.
    assert_eq!(jobs(&scan(&["--since", "2025-11-24"])).len(), 6);
    assert_eq!(jobs(&scan(&["--since", "2025-11-24T16:00:00Z"])).len(), 6);
    assert!(jobs(&scan(&["--since", "2025-11-24T16:00:01Z"])).is_empty());
    // An empty window says so on stderr (the run itself is not an error).
    let quiet_less = atrest(&moto.url, &translate.url, &["scan", "--format", "json", "--since", "2030-01-01"], &[]);
    assert!(String::from_utf8_lossy(&quiet_less.stderr).contains("no Translate jobs in us-east-1"));
    // A job id no region lists is an error naming it, not an empty scan that passes.
    let o = atrest(&moto.url, &translate.url, &["scan", "--job-id", "NOSUCHJOB", "--job-id", J_GOOD], &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no job NOSUCHJOB in us-east-1") && !err.contains(J_GOOD), "{err}");
    let o = atrest(&moto.url, &translate.url, &["scan", "--job-id="], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--job-id"), "{}", String::from_utf8_lossy(&o.stderr));

    let none = scan(&["--objects", "none"]);
    assert_eq!(none["run"]["objects"], "none");
    let c = calls(&none);
    assert!(
        !c.contains_key(&("s3".into(), "HeadObject".into())) && !c.contains_key(&("s3".into(), "ListObjectsV2".into()))
    );
    let s = statuses(&none);
    expect(&s, "AR102", "s3://atrest-in-good/docs/", "UNKNOWN");
    expect(&s, "AR205", &out_folder("atrest-out-good", J_GOOD), "UNKNOWN");

    // Six prefixes hold objects, two of them two each (docs/ and the bucket root of atrest-in-good).
    let heads = |r: &Value| calls(r).get(&("s3".into(), "HeadObject".into())).copied();
    assert_eq!(heads(&scan(&["--objects", "all"])), Some(8));
    let sampled = scan(&["--objects", "sample:1"]);
    assert_eq!(heads(&sampled), Some(6));
    let s = statuses(&sampled);
    expect(&s, "AR102", "s3://atrest-in-good/docs/", "PASS");
    let bad = atrest(&moto.url, &translate.url, &["scan", "--objects", "sample:0"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--objects"));
}

#[test]
fn every_requested_region_is_scanned_with_its_own_clients() {
    let moto = Moto::start();
    let translate = TranslateEndpoint::start(10);
    let eu_key = block_on(async {
        let seed = Seed::new(&moto, "testing", "testing").await;
        let eu = Seed::new_in(&moto, "eu-west-1").await;
        let key = eu.create_key(&key_policy(&grant_role("TranslateRole"))).await;
        seed.bucket("atrest-eu-in", Some("eu-west-1")).await;
        seed.default_encryption("atrest-eu-in", "AES256", None).await;
        seed.bucket("atrest-us-in", None).await;
        seed.default_encryption("atrest-us-in", "AES256", None).await;
        seed.iam
            .create_role()
            .role_name("TranslateRole")
            .assume_role_policy_document(TRUST_WITH_SOURCE)
            .send()
            .await
            .unwrap();
        key
    });
    let mut eu_job = job(J_EU, "s3://atrest-eu-in/docs/", "s3://atrest-eu-in/out/", Some(&eu_key), "TranslateRole");
    eu_job["JobName"] = json!("in-eu");
    translate.add_job_in("eu-west-1", eu_job);
    translate.add_job(job(J_GOOD, "s3://atrest-us-in/docs/", "s3://atrest-eu-in/out/", None, "TranslateRole"));

    let r = report(&atrest(
        &moto.url,
        &translate.url,
        &["scan", "--format", "json", "-q", "--region", "eu-west-1", "--region", "us-east-1"],
        &[],
    ));
    assert_eq!(r["run"]["regions"], json!(["eu-west-1", "us-east-1"]));
    let s = statuses(&r);
    // The eu-west-1 key is read from eu-west-1's KMS; the job there uses a bucket of its region.
    expect(&s, "AR202", &eu_key, "PASS");
    expect(&s, "AR203", &eu_key, "PASS");
    let job_arn = |region: &str, id: &str| format!("arn:aws:translate:{region}:{ACCOUNT}:text-translation-job/{id}");
    expect(&s, "AR201", &job_arn("eu-west-1", J_EU), "PASS");
    expect(&s, "AR201", &job_arn("us-east-1", J_GOOD), "PASS");
    // The us-east-1 job writes to a bucket in eu-west-1.
    expect(&s, "AR702", "arn:aws:s3:::atrest-eu-in", "FAIL");
    expect(&s, "AR702", "arn:aws:s3:::atrest-us-in", "PASS");
    assert_eq!(r["errors"], json!([]));
    let c = calls(&r);
    assert_eq!(c.get(&("translate".into(), "ListTextTranslationJobs".into())), Some(&2));
}

#[test]
fn sse_c_objects_vanished_objects_and_s3_slowdowns() {
    let (moto, translate, _) = world();
    let proxy = FaultProxy::start(&moto.url);
    let rule = |method, path: &str, query, status, code, times| Rule {
        method,
        path: path.into(),
        query,
        status,
        code,
        times,
        body: "",
    };
    // S3 will not describe an SSE-C object without its key: a bare 400 (moto answers 200).
    proxy.add(rule("HEAD", "/atrest-in-good/docs/a.txt", "", 400, None, 100));
    // Deleted after the listing.
    proxy.add(rule("HEAD", "/atrest-in-kms/docs/c.txt", "", 404, None, 100));
    // Two throttled answers in a row, then moto's.
    proxy.add(rule("GET", "/atrest-in-plain/", "encryption", 503, Some("SlowDown"), 2));
    let out = atrest(
        &moto.url,
        &translate.url,
        &["scan", "--format", "json", "-q"],
        &[("AWS_ENDPOINT_URL_S3", proxy.url.as_str())],
    );
    let r = report(&out);
    let s = statuses(&r);
    expect(&s, "AR102", "s3://atrest-in-good/docs/", "FAIL");
    let result = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule_id"] == "AR102" && x["resource"]["id"] == "s3://atrest-in-good/docs/")
        .unwrap();
    assert!(result["message"].as_str().unwrap().contains("SSE-C"), "{result:#}");
    expect(&s, "AR102", "s3://atrest-in-kms/docs/", "UNKNOWN");
    let vanished = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operation"] == "HeadObject" && e["resource"] == "s3://atrest-in-kms/docs/")
        .unwrap_or_else(|| panic!("no HeadObject gap: {:#}", r["errors"]));
    assert!(vanished["message"].as_str().unwrap().starts_with("docs/c.txt: "), "{vanished:#}");
    // The throttled bucket read was retried to the same answer as without faults.
    expect(&s, "AR101", "arn:aws:s3:::atrest-in-plain", "FAIL");
    let encryption =
        r["run"]["api_calls"].as_array().unwrap().iter().find(|a| a["operation"] == "GetBucketEncryption").unwrap();
    assert_eq!(encryption["requests"].as_u64().unwrap(), encryption["calls"].as_u64().unwrap() + 2, "{encryption:#}");
}

/// An HTTPS endpoint answering STS GetCallerIdentity for account 210987654321, with a leaf certificate
/// for 127.0.0.1 signed by a CA of its own (made with the openssl command). Returns the URL, the CA file
/// and the server process.
fn https_sts(dir: &std::path::Path) -> (String, std::path::PathBuf, std::process::Child) {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(dir).output().expect("the openssl command");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-subj",
        "/CN=atrest test CA",
        "-days",
        "2",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        "leaf.ext",
    ]);
    let server = r#"
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
                b'<Arn>arn:aws:iam::210987654321:user/auditor</Arn><UserId>AIDAEXAMPLE</UserId><Account>210987654321</Account>'
                b'</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>')
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain("leaf.pem", "leaf.key")
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;
    let mut child = Command::new("python3")
        .args(["-c", server])
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
    (format!("https://127.0.0.1:{}", line.trim()), dir.join("ca.pem"), child)
}

#[test]
fn https_endpoints_are_verified_against_trusted_certificates() {
    let moto = Moto::start();
    let translate = TranslateEndpoint::start(10);
    let dir = crate::tempdir();
    let (sts, ca, mut server) = https_sts(&dir);
    let scan = |extra: &[(&str, &str)]| {
        let mut env = vec![("AWS_ENDPOINT_URL_STS", sts.as_str())];
        env.extend_from_slice(extra);
        atrest(&moto.url, &translate.url, &["scan", "--format", "json", "-q"], &env)
    };
    // Trusted through SSL_CERT_FILE: the handshake verifies and the scan runs in the endpoint's account.
    let trusted = scan(&[("SSL_CERT_FILE", ca.to_str().unwrap())]);
    assert_eq!(trusted.status.code(), Some(0), "{}", String::from_utf8_lossy(&trusted.stderr));
    assert_eq!(report(&trusted)["run"]["accounts"], json!(["210987654321"]));
    // Not trusted: refused, never used.
    let untrusted = scan(&[]);
    let _ = server.kill();
    assert_eq!(untrusted.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&untrusted.stderr);
    assert!(stderr.contains("invalid peer certificate"), "{stderr}");
}

/// The job record of "Running a batch translation job" (async-start.md), field for field, in this test's
/// account: ListTextTranslationJobs reports `OutputDataConfig.S3Uri` with the job's folder already in it.
fn reported_job(id: &str, key: &str) -> Value {
    json!({
        "JobId": id,
        "JobName": "my-translation-job",
        "JobStatus": "COMPLETED",
        "JobDetails": {"TranslatedDocumentsCount": 0, "DocumentsWithErrorsCount": 0, "InputDocumentsCount": 1},
        "SourceLanguageCode": "en",
        "TargetLanguageCodes": ["es", "it"],
        "SubmittedTime": 1598661012.468,
        "InputDataConfig": {
            "S3Uri": "s3://my-s3-bucket/input/",
            "ContentType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
        "OutputDataConfig": {
            "S3Uri": format!("s3://my-s3-bucket/output/{ACCOUNT}-TranslateText-{id}/"),
            "EncryptionKey": {"Type": "KMS", "Id": key}
        },
        "DataAccessRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/my-iam-role")
    })
}

#[test]
fn jobs_reported_as_the_api_reports_them_are_judged_on_their_own_output_objects() {
    const PAGE_JOB: &str = "4446f95f20c88a4b347449d3671fbe3d";
    const OTHER_JOB: &str = "5557a06f31d99b5c458550e4782acf4e";
    let moto = Moto::start();
    let translate = TranslateEndpoint::start(10);
    let key = block_on(async {
        let seed = Seed::new(&moto, "testing", "testing").await;
        let key = seed.create_key(&key_policy(&grant_role("my-iam-role"))).await;
        seed.bucket("my-s3-bucket", None).await;
        seed.default_encryption("my-s3-bucket", "AES256", None).await;
        seed.object("my-s3-bucket", "input/sheet.xlsx", Some("AES256"), None).await;
        // The page's job wrote under its key; the other job's output was rewritten with SSE-S3.
        let page_out = format!("output/{ACCOUNT}-TranslateText-{PAGE_JOB}/es.sheet.xlsx");
        seed.object("my-s3-bucket", &page_out, Some("aws:kms"), Some(&key)).await;
        let other_out = format!("output/{ACCOUNT}-TranslateText-{OTHER_JOB}/es.sheet.xlsx");
        seed.object("my-s3-bucket", &other_out, Some("AES256"), None).await;
        seed.iam
            .create_role()
            .role_name("my-iam-role")
            .assume_role_policy_document(TRUST_WITH_SOURCE)
            .send()
            .await
            .unwrap();
        key
    });
    translate.add_reported_job_in(REGION, reported_job(PAGE_JOB, &key));
    translate.add_reported_job_in(REGION, reported_job(OTHER_JOB, &key));

    let r = report(&atrest(&moto.url, &translate.url, &["scan", "--format", "json", "-q"], &[]));
    let s = statuses(&r);
    let folder = |id: &str| format!("s3://my-s3-bucket/output/{ACCOUNT}-TranslateText-{id}/");
    expect(&s, "AR205", &folder(PAGE_JOB), "PASS");
    expect(&s, "AR205", &folder(OTHER_JOB), "FAIL");
    // Exactly the reported folders: nothing under a folder with the job's name added twice.
    let ar205: Vec<&str> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["rule_id"] == "AR205")
        .map(|x| x["resource"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ar205.len(), 2, "{ar205:?}");
    let fail =
        r["results"].as_array().unwrap().iter().find(|x| x["rule_id"] == "AR205" && x["status"] == "FAIL").unwrap();
    assert!(fail["message"].as_str().unwrap().contains("AES256"), "{fail}");
}

#[test]
fn credentials_a_server_echoes_are_not_printed() {
    const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
    const TOKEN: &str = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6XaW8sQ2Kw0T5Lh3vZ9mY7q";
    let moto = Moto::start();
    let translate = TranslateEndpoint::start(10);
    translate.fault(Some("ListTextTranslationJobs"), Fault::EchoHeaders);
    let o = atrest(
        &moto.url,
        &translate.url,
        &["scan", "--format", "json", "-q"],
        &[("AWS_ACCESS_KEY_ID", KEY_ID), ("AWS_SESSION_TOKEN", TOKEN)],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("request headers") && err.contains("[redacted]"), "{err}");
    assert!(!err.contains(KEY_ID) && !err.contains(&TOKEN[..30]), "a credential was printed: {err}");
    // The password of an endpoint URL is not printed either.
    let o =
        atrest(&moto.url, &translate.url, &["scan", "-q", "--endpoint-url", "http://user:s3cretpass@127.0.0.1:9"], &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("http://[redacted]@127.0.0.1:9") && !err.contains("s3cretpass"), "{err}");
}

#[test]
fn a_hung_endpoint_stops_at_the_timeout() {
    // Accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let started = std::time::Instant::now();
    let o = atrest(&url, &url, &["scan", "-q", "--timeout", "2"], &[]);
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did not finish within 2 s (--timeout)"), "{err}");
    assert!(took < std::time::Duration::from_secs(30), "took {took:?}");
}

#[test]
fn an_unreachable_translate_endpoint_is_named_as_the_one_used() {
    let moto = Moto::start();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    // moto answers STS; Translate goes to AWS_ENDPOINT_URL_TRANSLATE, which nothing listens on.
    let o = atrest(&moto.url, &closed, &["scan", "-q"], &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("cannot reach Amazon Translate in us-east-1 ({closed})")), "{err}");
    assert!(!err.contains(&format!("({})", moto.url)), "{err}");
}

#[test]
fn a_profile_on_the_command_line_wins_over_environment_credentials() {
    let moto = Moto::start();
    let translate = TranslateEndpoint::start(10);
    let home = crate::tempdir();
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::write(
        home.join(".aws/credentials"),
        "[audit]\naws_access_key_id = AKIAPROFILEKEY000001\naws_secret_access_key = secret\n",
    )
    .unwrap();
    // The environment holds other credentials (atrest_command sets AWS_ACCESS_KEY_ID=testing).
    let run = |args: &[&str]| atrest_command(&moto.url, &translate.url, &home, args).output().unwrap();
    let o = run(&["scan", "-q", "--format", "json", "--profile", "audit"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let keys = translate.keys_seen();
    assert!(!keys.is_empty() && keys.iter().all(|k| k == "AKIAPROFILEKEY000001"), "{keys:?}");
    // A profile that is defined nowhere is an error, not a silent fall-back to the environment.
    let o = run(&["scan", "-q", "--profile", "nosuch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--profile nosuch: no such profile"));
    // Region and endpoint flags say what is wrong with them.
    let o = run(&["scan", "-q", "--region="]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected a region name"));
    let o = run(&["scan", "-q", "--endpoint-url", "localhost:4566"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected an http:// or https:// URL"));
    let o = atrest_command(&moto.url, &translate.url, &home, &["scan", "-q"]).env("AWS_REGION", "").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("AWS_REGION is set but empty"));
}

#[test]
fn a_gate_that_would_read_no_account_exits_2_and_a_region_named_twice_is_read_once() {
    let moto = Moto::start();
    let translate = TranslateEndpoint::start(2);
    translate.add_job(job(
        "0000000000000000000000000000aaaa",
        "s3://twice-in/docs/",
        "s3://twice-out/out/",
        None,
        &format!("arn:aws:iam::{ACCOUNT}:role/TwiceRole"),
    ));
    let run = |args: &[&str]| atrest(&moto.url, &translate.url, args, &[]);
    for (args, said) in [
        (
            vec!["scan", "--accounts", ACCOUNT, "--exclude-accounts", ACCOUNT],
            "--exclude-accounts leaves out every account",
        ),
        (
            vec!["scan", "--accounts", &format!("{ACCOUNT},111122223333"), "--shard", "3/5"],
            "shard 3/5 of 2 accounts holds none",
        ),
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains(said), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(o.stdout.is_empty(), "{args:?}: no report of nothing");
    }
    // Flags that only mean something for many accounts are refused alone rather than ignored.
    for args in
        [vec!["scan", "--shard", "1/2"], vec!["scan", "--external-id", "abc"], vec!["scan", "--role-name", "audit"]]
    {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("--org|--accounts"),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let o = run(&["scan", "--region", REGION, "--region", REGION, "--format", "json", "-q"]);
    let r = report(&o);
    assert_eq!(r["run"]["regions"], json!([REGION]));
    let ar201: Vec<&Value> = r["results"].as_array().unwrap().iter().filter(|x| x["rule_id"] == "AR201").collect();
    assert_eq!(ar201.len(), 1, "the job is judged once: {ar201:#?}");
}
