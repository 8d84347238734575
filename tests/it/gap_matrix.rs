//! What a failed call blocks: each collector call of docs/gaps.md is refused over moto in turn, and the
//! results that change must be UNKNOWN (never a PASS that was not checked) and of the rules its row names.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::scan_e2e::{atrest, statuses};
use crate::support::proxy::{FaultProxy, Rule};

/// One row of docs/gaps.md's table: the call, the rules its failure may block, the test that fails it.
struct Row {
    service: String,
    operation: String,
    blocks: BTreeSet<String>,
    /// The row says the rules are decided another way instead ("… instead"): a result may then pass, since
    /// the other way checked it.
    fallback: bool,
    tested_by: String,
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(crate::root().join("docs/gaps.md")).expect("docs/gaps.md");
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(cells.len(), 4, "docs/gaps.md: a row has four cells: {l}");
            let (service, operation) = cells[0].trim_matches('`').split_once(':').expect("service:Operation");
            let blocks = cells[2]
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| w.len() == 5 && w.starts_with("AR"))
                .map(str::to_owned)
                .collect();
            Row {
                service: service.into(),
                operation: operation.into(),
                blocks,
                fallback: cells[2].contains("instead"),
                tested_by: cells[3].trim_matches('`').into(),
            }
        })
        .collect()
}

/// The refusal of every call of one operation, as the service answers it: S3 a REST 403 AccessDenied
/// (the Rust SDK marks GetObject with `x-id=GetObject`), KMS and Organizations the JSON protocol's
/// AccessDeniedException (HTTP 400), IAM the Query protocol's AccessDenied (HTTP 403).
fn refusal(service: &str, operation: &str) -> Option<Rule> {
    let rule = |method, path: &str, query, status, code, body: String| Rule {
        method,
        path: path.into(),
        query,
        status,
        code: Some(code),
        times: usize::MAX,
        body: Box::leak(body.into_boxed_str()),
    };
    Some(match (service, operation) {
        ("s3", "GetBucketEncryption") => rule("GET", "*", "encryption", 403, "AccessDenied", String::new()),
        ("s3", "GetBucketPolicy") => rule("GET", "*", "policy", 403, "AccessDenied", String::new()),
        ("s3", "GetBucketLocation") => rule("GET", "*", "location", 403, "AccessDenied", String::new()),
        ("s3", "ListObjectsV2") => rule("GET", "*", "list-type=2", 403, "AccessDenied", String::new()),
        ("s3", "HeadObject") => rule("HEAD", "*", "", 403, "AccessDenied", String::new()),
        ("s3", "ListBuckets") => rule("GET", "/", "", 403, "AccessDenied", String::new()),
        ("s3", "GetObject") => rule("GET", "*", "x-id=GetObject", 403, "AccessDenied", String::new()),
        ("s3", "ListBucketInventoryConfigurations") => {
            rule("GET", "*", "inventory", 403, "AccessDenied", String::new())
        }
        ("organizations", op) => {
            rule("POST", "*", "", 400, "AccessDeniedException", format!("AWSOrganizationsV20161128.{op}"))
        }
        ("kms", op) => rule("POST", "*", "", 400, "AccessDeniedException", format!("TrentService.{op}")),
        ("iam", op) => rule("POST", "*", "", 403, "AccessDenied", format!("Action={op}&")),
        _ => return None,
    })
}

/// The worlds a row may be refused in: `tested by` names one, or a test of its own.
const WORLDS: [&str; 3] = ["this test: one account", "this test: S3 Inventory", "this test: organization"];

#[test]
fn docs_gaps_lists_every_call_a_collector_records_and_a_test_for_each() {
    let rows = rows();
    let mut recorded = BTreeSet::new();
    for entry in std::fs::read_dir(crate::root().join("src/collect")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for (i, _) in text.match_indices("Operation::") {
            let name: String = text[i + 11..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            recorded.insert(name);
        }
    }
    let documented: BTreeSet<String> = rows.iter().map(|r| r.operation.clone()).collect();
    assert_eq!(
        recorded.difference(&documented).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "calls the collectors record gaps for that docs/gaps.md does not list"
    );
    assert_eq!(
        documented.difference(&recorded).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "calls docs/gaps.md lists that no collector records"
    );
    let rules: BTreeSet<String> = atrest::rules::docs().into_iter().map(|d| d.id).collect();
    let tests: String = std::fs::read_dir(crate::root().join("tests/it"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for row in &rows {
        assert!(row.blocks.is_subset(&rules), "{}: unknown rule in {:?}", row.operation, row.blocks);
        if WORLDS.contains(&row.tested_by.as_str()) {
            assert!(refusal(&row.service, &row.operation).is_some(), "{}: cannot be refused here", row.operation);
        } else {
            assert!(tests.contains(&format!("fn {}(", row.tested_by)), "{}: no test {}", row.operation, row.tested_by);
        }
    }
}

/// Refuses each call of `world`'s rows in turn and compares every result with the scan without refusals.
fn refuse_each(world: &str, proxy: &FaultProxy, scan: impl Fn() -> Value) {
    let rows: Vec<Row> = rows().into_iter().filter(|r| r.tested_by == world).collect();
    assert!(!rows.is_empty(), "docs/gaps.md marks no call '{world}'");
    let before = statuses(&scan());
    for row in &rows {
        proxy.add(refusal(&row.service, &row.operation).unwrap());
        let report = scan();
        proxy.pop();
        let after = statuses(&report);
        let gap = report["errors"].as_array().unwrap().iter().any(|e| e["operation"] == row.operation.as_str());
        assert!(gap, "{}: refused, yet no gap recorded: {:#}", row.operation, report["errors"]);
        let mut changed = BTreeSet::new();
        for key in before.keys().chain(after.keys()).collect::<BTreeSet<_>>() {
            let (was, now) = (before.get(key), after.get(key));
            if was != now {
                assert!(
                    row.fallback || now.is_none_or(|s| s != "PASS"),
                    "{}: {key:?} became PASS (was {was:?}) when the call was refused",
                    row.operation
                );
                changed.insert(key.0.clone());
            }
        }
        let beyond: Vec<&String> = changed.difference(&row.blocks).collect();
        assert!(beyond.is_empty(), "{}: also changed {beyond:?} (docs/gaps.md lists {:?})", row.operation, row.blocks);
    }
}

fn scan_with(moto: &str, translate: &str, args: &[&str], env: &[(&str, &str)]) -> Value {
    let out = atrest(moto, translate, args, env);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    crate::json(&out)
}

#[test]
fn each_refused_call_of_one_account_blocks_only_what_docs_gaps_says() {
    let (moto, translate, _) = crate::scan_e2e::world();
    let proxy = FaultProxy::start(&moto.url);
    let p = proxy.url.as_str();
    let env = [("AWS_ENDPOINT_URL_S3", p), ("AWS_ENDPOINT_URL_KMS", p), ("AWS_ENDPOINT_URL_IAM", p)];
    refuse_each(WORLDS[0], &proxy, || scan_with(&moto.url, &translate.url, &["scan", "--format", "json", "-q"], &env));
}

#[test]
fn each_refused_call_of_inventory_discovery_blocks_only_what_docs_gaps_says() {
    use crate::inventory_e2e::{Fault, world};
    let w = world("CSV", "Parquet", Fault::None);
    let env = [("AWS_ENDPOINT_URL_S3", w.proxy.url.as_str())];
    let args = ["scan", "--objects", "inventory", "--format", "json", "-q"];
    refuse_each(WORLDS[1], &w.proxy, || scan_with(&w.moto.url, &w.translate.url, &args, &env));
}

#[test]
fn each_refused_call_of_an_organization_blocks_only_what_docs_gaps_says() {
    let o = crate::org_e2e::org();
    let p = o.proxy.url.as_str();
    let env = [("AWS_ENDPOINT_URL_STS", p), ("AWS_ENDPOINT_URL_ORGANIZATIONS", p)];
    let args = ["scan", "--org", "--format", "json", "-q"];
    refuse_each(WORLDS[2], &o.proxy, || scan_with(&o.moto.url, &o.translate.url, &args, &env));
}
