//! Lint throughput: `atrest lint` on a folder of 1,000 generated policies (about 4 MB), as a process.
//! Run with `cargo bench --bench lint`. Goal: under 60 ms (Parliament takes 6.0 s on such a corpus here).
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// A policy of about 4 KB mixing identity, key and bucket statements; one in ten has a fault to report.
fn policy(i: usize) -> String {
    let mut statements = Vec::new();
    for s in 0..15 {
        let n = i * 15 + s;
        let (action, resource) = match n % 5 {
            0 => (
                r#"["kms:Decrypt","kms:GenerateDataKey","kms:CreateGrant","kms:RetireGrant","kms:DescribeKey"]"#.to_string(),
                format!(r#""arn:aws:kms:us-east-1:111122223333:key/{n:08x}-0000-4000-8000-000000000000""#),
            ),
            1 => (r#"["s3:GetObject","s3:GetObjectVersion"]"#.to_string(), format!(r#"["arn:aws:s3:::input-{n}/*","arn:aws:s3:::output-{n}/*"]"#)),
            2 => (r#""s3:ListBucket""#.to_string(), format!(r#"["arn:aws:s3:::input-{n}","arn:aws:s3:::output-{n}"]"#)),
            3 => (r#"["s3:PutObject","s3:PutObjectTagging"]"#.to_string(), format!(r#""arn:aws:s3:::output-{n}/*""#)),
            _ => (
                r#"["translate:StartTextTranslationJob","translate:DescribeTextTranslationJob","translate:ListTextTranslationJobs"]"#.to_string(),
                r#""*""#.to_string(),
            ),
        };
        // One statement in ten carries a typo for AR802 to find.
        let action = if n % 10 == 7 { r#""kms:GenerateDatakeys""#.to_string() } else { action };
        let mut st = format!(r#"{{"Sid":"S{n}","Effect":"Allow","Action":{action},"Resource":{resource}"#);
        if n.is_multiple_of(2) {
            let _ = write!(
                st,
                r#","Condition":{{"StringEquals":{{"aws:SourceAccount":"111122223333","aws:PrincipalOrgID":"o-a1b2c3d4e5"}},"ArnLike":{{"aws:SourceArn":"arn:aws:translate:*:111122223333:*"}},"Bool":{{"aws:SecureTransport":"true"}}}}"#
            );
        }
        st.push('}');
        statements.push(st);
    }
    format!("{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {}\n  ]\n}}\n", statements.join(",\n    "))
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lint-bench");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut bytes = 0;
    for i in 0..1000 {
        let text = policy(i);
        bytes += text.len();
        std::fs::write(dir.join(format!("policy-{i:04}.json")), text).unwrap();
    }
    let report = dir.with_extension("report.json");
    let mut best = f64::INFINITY;
    for _ in 0..7 {
        let start = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_atrest"))
            .args([
                "lint",
                dir.to_str().unwrap(),
                "--format",
                "json",
                "--fail-on",
                "none",
                "-q",
                "--output",
                report.to_str().unwrap(),
            ])
            .status()
            .unwrap();
        assert!(status.success());
        best = best.min(start.elapsed().as_secs_f64());
    }
    let results =
        serde_json::from_slice::<serde_json::Value>(&std::fs::read(&report).unwrap()).unwrap()["summary"].clone();
    println!(
        "lint of 1,000 policies ({:.1} MB): best of 7 {:.1} ms (goal 60 ms); summary {results}",
        bytes as f64 / 1e6,
        best * 1e3
    );
    // The same work inside one process, as a library: read, classify, check, order, render the JSON.
    let config = atrest::config::Config::default();
    let mut in_process = f64::INFINITY;
    let mut phases = [f64::INFINITY; 3];
    for _ in 0..7 {
        let start = Instant::now();
        let files = atrest::lint::read_inputs(std::slice::from_ref(&dir)).unwrap();
        let rules = atrest::lint::lint_rules(&config);
        let settings = atrest::engine::EngineSettings::default();
        let read = start.elapsed().as_secs_f64();
        let out = atrest::lint::lint(&files, &rules, &settings);
        let checked = start.elapsed().as_secs_f64();
        std::hint::black_box(serde_json::to_vec(&out.results).unwrap());
        let total = start.elapsed().as_secs_f64();
        in_process = in_process.min(total);
        for (p, v) in phases.iter_mut().zip([read, checked - read, total - checked]) {
            *p = p.min(v);
        }
    }
    // Per rule, on one core: where the checking time goes.
    let files = atrest::lint::read_inputs(std::slice::from_ref(&dir)).unwrap();
    let parse_start = Instant::now();
    let docs: Vec<_> = files
        .iter()
        .map(|f| match atrest::lint::classify(f) {
            atrest::lint::Classified::Policy { kind, policy } => (f.path.clone(), kind, policy),
            _ => unreachable!("the corpus is policies"),
        })
        .collect();
    let parse = parse_start.elapsed().as_secs_f64();
    let mut per_rule = Vec::new();
    for rule in atrest::lint::lint_rules(&config) {
        let atrest::rules::Check::Document(check) = rule.check else { continue };
        let start = Instant::now();
        for (path, kind, policy) in &docs {
            std::hint::black_box(check(&atrest::lint::Document { path, kind: *kind, policy }));
        }
        per_rule.push(format!("{} {:.1}", rule.meta.id, start.elapsed().as_secs_f64() * 1e3));
    }
    println!("one core: parse {:.1} ms; rules (ms): {}", parse * 1e3, per_rule.join(", "));
    if std::env::var_os("ATREST_BENCH_DETAIL").is_some() {
        let resources: Vec<String> = docs
            .iter()
            .filter_map(|(_, _, p)| p.as_ref().ok())
            .flat_map(|p| {
                p.statements
                    .iter()
                    .flat_map(|s| s.resource.iter().flat_map(|r| r.patterns.iter().map(|p| p.text.clone())))
            })
            .filter(|r| r.starts_with("arn:"))
            .collect();
        let c = atrest::policy::catalogue::catalogue();
        let start = Instant::now();
        for r in &resources {
            let service = r.split(':').nth(2).unwrap();
            std::hint::black_box(c.resource_types_of(service, r));
        }
        println!("resource_types_of on {} resources: {:.1} ms", resources.len(), start.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "the same lint inside one process (library, catalogue loaded): best of 7 {:.1} ms (read {:.1}, check and order {:.1}, render {:.1})",
        in_process * 1e3,
        phases[0] * 1e3,
        phases[1] * 1e3,
        phases[2] * 1e3
    );
}
