//! Throughput of the policy evaluator and parser: decisions per second and MB/s of policy JSON.
//!
//! Run with `cargo bench --bench policy`. Single-threaded on purpose: the goals are per core.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use atrest::policy::{Context, Grant, Policy, PolicySet, Principal, Request, evaluate, parse_grants};

const ROLE: &str = "arn:aws:iam::111122223333:role/TranslateRole";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// Runs `f` repeatedly for about `budget` and returns calls per second.
fn rate(budget: Duration, mut f: impl FnMut(usize)) -> f64 {
    // Warm up caches and the branch predictor.
    for i in 0..10_000 {
        f(i);
    }
    let start = Instant::now();
    let mut n = 0usize;
    while start.elapsed() < budget {
        for _ in 0..10_000 {
            f(n);
            n += 1;
        }
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn identity_policy() -> Policy {
    Policy::parse(
        "identity.json",
        r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::input-bucket/*"},
          {"Sid":"List","Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::input-bucket","arn:aws:s3:::output-bucket"]},
          {"Sid":"Write","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::output-bucket/*"},
          {"Sid":"Key","Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey","kms:CreateGrant","kms:RetireGrant","kms:DescribeKey"],"Resource":"arn:aws:kms:us-east-1:111122223333:key/*"},
          {"Sid":"NoDelete","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}"#,
    )
    .unwrap()
}

fn key_policy() -> Policy {
    let mut statements = vec![
        r#"{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}"#.to_string(),
        r#"{"Sid":"ViaS3","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333","kms:ViaService":"s3.us-east-1.amazonaws.com"}}}"#.to_string(),
        r#"{"Sid":"DenyOtherOrgs","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abc123"},"Bool":{"aws:PrincipalIsAWSService":"false"}}}"#.to_string(),
    ];
    for i in 0..16 {
        statements.push(format!(
            r#"{{"Sid":"App{i}","Effect":"Allow","Principal":{{"AWS":["arn:aws:iam::111122223333:role/app-{i}","arn:aws:iam::444455556666:role/app-{i}"]}},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*"],"Resource":"*","Condition":{{"StringLike":{{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::bucket-{i}/*"}},"ArnLike":{{"aws:SourceArn":"arn:aws:translate:*:111122223333:*"}}}}}}"#
        ));
    }
    statements.push(
        r#"{"Sid":"Translate","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/TranslateRole"},"Action":["kms:Decrypt","kms:GenerateDataKey","kms:CreateGrant","kms:RetireGrant","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}"#.to_string(),
    );
    assert_eq!(statements.len(), 20);
    Policy::parse("key.json", &format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","))).unwrap()
}

fn grants() -> Vec<Grant> {
    let list: Vec<String> = (0..10)
        .map(|i| {
            format!(
                r#"{{"KeyId":"{KEY}","GrantId":"g{i}","GranteePrincipal":"arn:aws:iam::111122223333:role/worker-{i}","Operations":["Decrypt","GenerateDataKey"],"Constraints":{{"EncryptionContextSubset":{{"dept":"d{i}"}}}}}}"#
            )
        })
        .collect();
    parse_grants(&format!("[{}]", list.join(","))).unwrap()
}

fn main() {
    let budget = Duration::from_secs(2);
    let principal = Principal::parse(ROLE).unwrap();

    // (a) A 5-statement identity policy without conditions.
    let identity = identity_policy();
    let set = PolicySet { identity: vec![&identity], ..Default::default() };
    let requests: Vec<Request> = [
        ("s3:GetObject", "arn:aws:s3:::input-bucket/docs/a.txt"),
        ("s3:PutObject", "arn:aws:s3:::output-bucket/111122223333-TranslateText-j/a.txt"),
        ("s3:ListBucket", "arn:aws:s3:::input-bucket"),
        ("s3:DeleteObject", "arn:aws:s3:::input-bucket/a.txt"),
        ("s3:GetObject", "arn:aws:s3:::elsewhere/a.txt"),
        ("kms:GenerateDataKey", KEY),
    ]
    .iter()
    .map(|(a, r)| Request::new(principal.clone(), a, r, Context::open()))
    .collect();
    let a = rate(budget, |i| {
        black_box(evaluate(&requests[i % requests.len()], &set).outcome);
    });
    println!("(a) identity policy, 5 statements, no conditions: {a:>12.0} decisions/s (goal 1,000,000)");

    // (b) A 20-statement key policy with conditions, plus 10 grants.
    let key = key_policy();
    let grants = grants();
    let set = PolicySet { resource: Some(&key), grants: &grants, ..Default::default() };
    let ctx = Context::open()
        .with("aws:SourceAccount", ["111122223333"])
        .with("aws:SourceArn", ["arn:aws:translate:us-east-1:111122223333:text-translation-job/j"])
        .with("kms:ViaService", ["s3.us-east-1.amazonaws.com"])
        .with("aws:PrincipalOrgID", ["o-abc123"]);
    let requests: Vec<Request> =
        ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey", "kms:Encrypt"]
            .iter()
            .map(|a| Request::new(principal.clone(), a, KEY, ctx.clone()))
            .collect();
    let outcomes: Vec<&str> = requests.iter().map(|r| evaluate(r, &set).outcome.id()).collect();
    println!("    outcomes of the (b) requests: {outcomes:?}");
    let b = rate(budget, |i| {
        black_box(evaluate(&requests[i % requests.len()], &set).outcome);
    });
    println!("(b) key policy, 20 statements with conditions, 10 grants: {b:>12.0} decisions/s (goal 200,000)");

    // (c) Parsing: a corpus of varied policies, in MB/s of JSON text.
    let mut corpus = Vec::new();
    let texts = [
        std::fs::read_to_string("fixtures/policies/async-prereqs/permissions-policy.json").unwrap(),
        std::fs::read_to_string("fixtures/policies/async-prereqs/trust-policy.json").unwrap(),
        std::fs::read_to_string("fixtures/policies/async-prereqs/cross-account-key-policy.json").unwrap(),
    ];
    let big = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        (0..20)
            .map(|i| format!(r#"{{"Sid":"S{i}","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:role/r{i}"}},"Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*","Condition":{{"StringEquals":{{"aws:SourceAccount":"111122223333"}}}}}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut bytes = 0usize;
    while bytes < 8_000_000 {
        for t in texts.iter().chain(std::iter::once(&big)) {
            bytes += t.len();
            corpus.push(t.clone());
        }
    }
    let start = Instant::now();
    let mut rounds = 0;
    while start.elapsed() < budget {
        for t in &corpus {
            black_box(Policy::parse("bench.json", t).unwrap());
        }
        rounds += 1;
    }
    let mbps = (bytes * rounds) as f64 / start.elapsed().as_secs_f64() / 1e6;
    println!("(c) parsing policy JSON: {mbps:>12.1} MB/s (goal 50)");
}
