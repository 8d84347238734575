//! S3 Inventory reports end to end: real report files (tests/support/inventory.rs) put into moto's S3, read
//! back by `atrest scan` through the SDK, by `--inventory s3://…/manifest.json`, by a local manifest, and by
//! discovery (`--objects inventory`: ListBucketInventoryConfigurations, then the newest report).
//!
//! moto stores inventory configurations but never delivers a report, so the tests write what S3 would
//! deliver, where S3 would deliver it (`<prefix>/<source bucket>/<config id>/<YYYY-MM-DDTHH-MMZ>/manifest.json`
//! and `…/data/<file>`; AWS's "Locating your inventory list").

use serde_json::{Value, json};

use crate::json as report;
use crate::scan_e2e::{atrest, block_on, job, statuses};
use crate::support::inventory::{self as inv, Obj, obj};
use crate::support::moto::{ACCOUNT, Moto, Seed};
use crate::support::proxy::{FaultProxy, Rule};
use crate::support::translate::TranslateEndpoint;

const J_GOOD: &str = "0000000000000000000000000000000a";
const J_SSE_S3: &str = "0000000000000000000000000000000b";
const J_OTHER_KEY: &str = "0000000000000000000000000000000c";
const J_EMPTY: &str = "0000000000000000000000000000000d";
const J_NEWER: &str = "0000000000000000000000000000000e";

/// 2025-12-01T00:00Z: after every job's end (2025-11-24T16:10Z).
const AFTER_JOBS: i64 = 1_764_547_200_000;
/// 2025-11-20T00:00Z: before the jobs.
const BEFORE_JOBS: i64 = 1_763_596_800_000;

fn out(job: &str, name: &str) -> String {
    format!("out/{ACCOUNT}-TranslateText-{job}/{name}")
}

fn folder_uri(job: &str) -> String {
    format!("s3://inv-out/out/{ACCOUNT}-TranslateText-{job}/")
}

fn stamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap().format("%Y-%m-%dT%H-%MZ").to_string()
}

/// How a report is delivered, and what goes wrong with it.
#[derive(Clone, Copy, PartialEq)]
pub enum Fault {
    None,
    /// One more file, whose bytes differ from the manifest's checksum.
    WrongChecksum,
    /// The manifest's schema has no EncryptionStatus.
    NoEncryptionStatus,
    /// manifest.checksum is of another manifest.
    ManifestReplaced,
}

/// Writes a report into `inv-reports` as S3 would; returns the manifest's key.
async fn deliver(seed: &Seed, source: &str, format: &str, created_ms: i64, objects: Vec<Obj>, fault: Fault) -> String {
    let base = format!("inventory/{source}/daily");
    let (schema, ext) = if format == "CSV" { (inv::CSV_SCHEMA, "csv.gz") } else { (inv::PARQUET_SCHEMA, "parquet") };
    let bytes = if format == "CSV" {
        inv::csv_gz(source, schema, objects.clone())
    } else {
        inv::parquet(source, schema, objects.clone())
    };
    let mut files =
        vec![(format!("{base}/data/{created_ms}-0.{ext}"), bytes.len() as u64, inv::md5_hex(&bytes), bytes)];
    if fault == Fault::WrongChecksum {
        let mut other =
            if format == "CSV" { inv::csv_gz(source, schema, objects) } else { inv::parquet(source, schema, objects) };
        let md5 = inv::md5_hex(&other);
        let n = other.len() / 2;
        other[n] ^= 0x55;
        files.push((format!("{base}/data/{created_ms}-1.{ext}"), other.len() as u64, md5, other));
    }
    for (key, _, _, bytes) in &files {
        seed.s3.put_object().bucket("inv-reports").key(key).body(bytes.clone().into()).send().await.unwrap();
    }
    let listed: Vec<(String, u64, String)> = files.iter().map(|(k, s, m, _)| (k.clone(), *s, m.clone())).collect();
    let schema = match fault {
        Fault::NoEncryptionStatus if format == "CSV" => schema.replace("EncryptionStatus, ", ""),
        Fault::NoEncryptionStatus => schema.replace("optional binary encryption_status (UTF8); ", ""),
        _ => schema.to_owned(),
    };
    let manifest = inv::manifest(source, "inv-reports", created_ms, format, &schema, &listed);
    let folder = format!("{base}/{}", stamp(created_ms));
    let checksum =
        if fault == Fault::ManifestReplaced { inv::md5_hex(b"{}") } else { inv::md5_hex(manifest.as_bytes()) };
    let key = format!("{folder}/manifest.json");
    seed.s3.put_object().bucket("inv-reports").key(&key).body(manifest.into_bytes().into()).send().await.unwrap();
    let sum = format!("{folder}/manifest.checksum");
    seed.s3.put_object().bucket("inv-reports").key(sum).body(checksum.into_bytes().into()).send().await.unwrap();
    key
}

async fn configure(seed: &Seed, bucket: &str, format: &str) {
    use aws_sdk_s3::types::*;
    let destination = InventoryS3BucketDestination::builder()
        .bucket("arn:aws:s3:::inv-reports")
        .prefix("inventory")
        .format(InventoryFormat::from(format))
        .build()
        .unwrap();
    let config = InventoryConfiguration::builder()
        .id("daily")
        .is_enabled(true)
        .included_object_versions(InventoryIncludedObjectVersions::All)
        .schedule(InventorySchedule::builder().frequency(InventoryFrequency::Daily).build().unwrap())
        .destination(InventoryDestination::builder().s3_bucket_destination(destination).build())
        .optional_fields(InventoryOptionalField::Size)
        .optional_fields(InventoryOptionalField::EncryptionStatus)
        .optional_fields(InventoryOptionalField::BucketKeyStatus)
        .build()
        .unwrap();
    seed.s3
        .put_bucket_inventory_configuration()
        .bucket(bucket)
        .id("daily")
        .inventory_configuration(config)
        .send()
        .await
        .unwrap();
}

/// The input report: a folder of encrypted documents (more than the bucket holds: the report lists what
/// S3 had), and a folder with an unencrypted one.
fn input_rows() -> Vec<Obj> {
    let mut rows = vec![obj("docs/a.txt", "SSE-S3"), obj("docs/b.txt", "SSE-KMS")];
    rows.extend((0..40).map(|i| obj(&format!("docs/bulk/{i}.txt"), "SSE-S3")));
    rows.push(obj("plain/x.txt", "NOT-SSE"));
    rows.push(obj("plain/y.txt", "SSE-S3"));
    rows
}

fn output_rows() -> Vec<Obj> {
    vec![
        obj(&out(J_GOOD, "fr.a.txt"), "SSE-KMS"),
        obj(&out(J_GOOD, "fr.b.txt"), "SSE-KMS"),
        obj(&out(J_SSE_S3, "fr.a.txt"), "SSE-S3"),
        obj(&out(J_OTHER_KEY, "fr.a.txt"), "SSE-KMS"),
    ]
}

pub struct World {
    pub moto: Moto,
    /// S3 goes through it: it mends moto's ListBucketInventoryConfigurations answer into S3's shape.
    pub proxy: FaultProxy,
    pub translate: TranslateEndpoint,
    input_manifest: String,
    output_manifest: String,
}

/// Buckets, objects, keys, the role and five jobs; reports of both buckets in `inv-reports`.
pub fn world(input_format: &str, output_format: &str, output_fault: Fault) -> World {
    let moto = Moto::start();
    let translate = TranslateEndpoint::start(10);
    let (input_manifest, output_manifest) = block_on(async {
        let seed = Seed::new(&moto, "testing", "testing").await;
        let policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"kms:*","Resource":"*"}}]}}"#
        );
        let good = seed.create_key(&policy).await;
        let other = seed.create_key(&policy).await;
        let id = |arn: &str| arn.rsplit('/').next().unwrap().to_owned();
        for b in ["inv-in", "inv-out", "inv-reports"] {
            seed.bucket(b, None).await;
        }
        seed.object("inv-in", "docs/a.txt", Some("AES256"), None).await;
        seed.object("inv-in", "docs/b.txt", Some("aws:kms"), Some(&id(&good))).await;
        seed.object("inv-in", "plain/x.txt", None, None).await;
        seed.object("inv-out", &out(J_GOOD, "fr.a.txt"), Some("aws:kms"), Some(&id(&good))).await;
        seed.object("inv-out", &out(J_GOOD, "fr.b.txt"), Some("aws:kms"), Some(&id(&good))).await;
        seed.object("inv-out", &out(J_SSE_S3, "fr.a.txt"), Some("AES256"), None).await;
        seed.object("inv-out", &out(J_OTHER_KEY, "fr.a.txt"), Some("aws:kms"), Some(&id(&other))).await;
        // Written after the report: a listing finds it, the report does not.
        seed.object("inv-out", &out(J_NEWER, "fr.a.txt"), Some("aws:kms"), Some(&id(&good))).await;
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"translate.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        seed.iam.create_role().role_name("TranslateRole").assume_role_policy_document(trust).send().await.unwrap();
        for (j, input) in [
            (J_GOOD, "s3://inv-in/docs/"),
            (J_SSE_S3, "s3://inv-in/plain/"),
            (J_OTHER_KEY, "s3://inv-in/docs/"),
            (J_EMPTY, "s3://inv-in/docs/"),
            (J_NEWER, "s3://inv-in/docs/"),
        ] {
            translate.add_job(job(j, input, "s3://inv-out/out/", Some(&good), "TranslateRole"));
        }
        // An older report of each bucket that discovery must pass over: it calls everything unencrypted.
        let stale = |rows: Vec<Obj>| rows.into_iter().map(|o| Obj { status: "NOT-SSE", ..o }).collect::<Vec<_>>();
        deliver(&seed, "inv-in", input_format, BEFORE_JOBS, stale(input_rows()), Fault::None).await;
        deliver(&seed, "inv-out", output_format, BEFORE_JOBS, stale(output_rows()), Fault::None).await;
        let i = deliver(&seed, "inv-in", input_format, AFTER_JOBS, input_rows(), Fault::None).await;
        let o = deliver(&seed, "inv-out", output_format, AFTER_JOBS, output_rows(), output_fault).await;
        configure(&seed, "inv-in", input_format).await;
        configure(&seed, "inv-out", output_format).await;
        (i, o)
    });
    let proxy = FaultProxy::start(&moto.url);
    World { moto, proxy, translate, input_manifest, output_manifest }
}

/// `atrest ARGS` on the world, S3 through the proxy.
fn run(w: &World, args: &[&str]) -> std::process::Output {
    atrest(&w.moto.url, &w.translate.url, args, &[("AWS_ENDPOINT_URL_S3", w.proxy.url.as_str())])
}

fn result<'a>(r: &'a Value, rule: &str, resource: &str) -> &'a Value {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule_id"] == rule && x["resource"]["id"] == resource)
        .unwrap_or_else(|| panic!("no {rule} result on {resource}"))
}

fn scan(w: &World, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--format", "json", "-q"];
    args.extend_from_slice(extra);
    let out = run(w, &args);
    assert!(out.status.code().is_some_and(|c| c <= 1), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    report(&out)
}

fn calls(r: &Value, operation: &str) -> u64 {
    crate::scan_e2e::calls(r).get(&("s3".to_owned(), operation.to_owned())).copied().unwrap_or(0)
}

/// The verdicts both ways of naming the reports must reach.
fn assert_verdicts(r: &Value, formats: &str) {
    let s = statuses(r);
    let is = |rule: &str, resource: &str, want: &str| {
        let got = s.get(&(rule.to_owned(), resource.to_owned())).map(String::as_str);
        assert_eq!(got, Some(want), "{formats}: {rule} on {resource}: {:#}", result(r, rule, resource));
    };
    is("AR102", "s3://inv-in/docs/", "PASS");
    is("AR102", "s3://inv-in/plain/", "FAIL");
    is("AR205", &folder_uri(J_GOOD), "PASS");
    is("AR205", &folder_uri(J_SSE_S3), "FAIL");
    is("AR205", &folder_uri(J_OTHER_KEY), "FAIL");
    is("AR205", &folder_uri(J_EMPTY), "PASS");
    is("AR205", &folder_uri(J_NEWER), "UNKNOWN");

    // The whole population, counted per status, from the named report.
    let docs = result(r, "AR102", "s3://inv-in/docs/");
    assert_eq!(docs["evidence"]["coverage"], "inventory_report");
    assert_eq!(docs["evidence"]["inventory"]["objects"], 42, "{docs:#}");
    assert_eq!(docs["evidence"]["inventory"]["by_status"], json!({"SSE-S3": 41, "SSE-KMS": 1}));
    assert_eq!(docs["evidence"]["inventory"]["created_at"], "2025-12-01T00:00:00Z");
    let message = docs["message"].as_str().unwrap();
    assert!(message.contains("all 42 objects in the S3 Inventory report of 2025-12-01T00:00:00Z"), "{message}");
    let plain = result(r, "AR102", "s3://inv-in/plain/")["message"].as_str().unwrap();
    assert!(plain.contains("1 of 2 objects") && plain.contains("plain/x.txt (NOT-SSE)"), "{plain}");
    let sse_s3 = result(r, "AR205", &folder_uri(J_SSE_S3))["message"].as_str().unwrap();
    assert!(sse_s3.contains("are not SSE-KMS (SSE-S3: 1)"), "{sse_s3}");
    // The report names no key: HeadObject on the SSE-KMS objects found the other key.
    let other = result(r, "AR205", &folder_uri(J_OTHER_KEY))["message"].as_str().unwrap();
    assert!(other.contains("HeadObject found 1 of 1 SSE-KMS objects read not under the job key"), "{other}");
    let good = result(r, "AR205", &folder_uri(J_GOOD));
    let text = good["message"].as_str().unwrap();
    assert!(text.contains("HeadObject confirmed the job key on 2 of them (sample:100)"), "{text}");
    let newer = result(r, "AR205", &folder_uri(J_NEWER))["message"].as_str().unwrap();
    assert!(newer.contains("newer than the report"), "{newer}");
}

#[test]
fn named_reports_judge_every_object_in_both_formats() {
    for (input, output) in [("CSV", "Parquet"), ("Parquet", "CSV")] {
        let w = world(input, output, Fault::None);
        let manifests =
            [format!("s3://inv-reports/{}", w.input_manifest), format!("s3://inv-reports/{}", w.output_manifest)];
        let r = scan(&w, &["--inventory", &manifests[0], "--inventory", &manifests[1]]);
        assert_verdicts(&r, &format!("{input} in, {output} out"));
        assert!(r["errors"].as_array().unwrap().is_empty(), "{:#}", r["errors"]);
        // No prefix was listed whole: only the probes of the two folders the report lists nothing under.
        assert_eq!(calls(&r, "ListObjectsV2"), 2, "{:#}", r["run"]["api_calls"]);
        // HeadObject only for SSE-KMS objects: docs/b.txt (once, however many jobs read docs/), two of
        // J_GOOD, one of J_OTHER_KEY.
        assert_eq!(calls(&r, "HeadObject"), 4, "{:#}", r["run"]["api_calls"]);
        assert_eq!(calls(&r, "GetObject"), 6, "two manifests, their checksums and their two files");
    }
}

#[test]
fn discovery_reads_the_newest_report_of_each_job_bucket() {
    let w = world("Parquet", "CSV", Fault::None);
    let r = scan(&w, &["--objects", "inventory"]);
    assert_eq!(r["run"]["objects"], "inventory:100");
    let invalid = crate::schema_errors(&r);
    assert!(invalid.is_empty(), "the report does not match docs/report.schema.json: {invalid:#?}");
    assert_verdicts(&r, "discovered");
    assert_eq!(calls(&r, "ListBucketInventoryConfigurations"), 2);
    let docs = result(&r, "AR102", "s3://inv-in/docs/");
    let manifest = docs["evidence"]["inventory"]["manifest"].as_str().unwrap();
    assert_eq!(manifest, format!("s3://inv-reports/{}", w.input_manifest));
}

#[test]
fn collect_then_audit_equals_the_scan() {
    let w = world("CSV", "Parquet", Fault::None);
    let dir = crate::tempdir();
    let snapshot = dir.join("inv.json");
    let scan = scan(&w, &["--objects", "inventory:1"]);
    let collect = run(&w, &["collect", "-q", "--objects", "inventory:1", "-o", snapshot.to_str().unwrap()]);
    assert_eq!(collect.status.code(), Some(0), "{}", String::from_utf8_lossy(&collect.stderr));
    let audit = std::process::Command::new(env!("CARGO_BIN_EXE_atrest"))
        .args(["audit", snapshot.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let audit = report(&audit);
    for field in ["results", "summary", "controls", "errors"] {
        assert_eq!(scan[field], audit[field], "{field} differs between scan and collect + audit");
    }
    // inventory:1 confirms the key on one object of J_GOOD's two.
    let good = result(&scan, "AR205", &folder_uri(J_GOOD))["message"].as_str().unwrap().to_owned();
    assert!(good.contains("on 1 of them (sample:1)"), "{good}");
    // The snapshot holds counts and a few keys, not the report.
    let text = std::fs::read_to_string(&snapshot).unwrap();
    assert!(!text.contains("docs/bulk/39.txt"), "every key of the report went into the snapshot");
}

#[test]
fn a_local_copy_of_the_reports_reads_the_same() {
    let w = world("CSV", "Parquet", Fault::None);
    let copy = crate::tempdir();
    block_on(async {
        let seed = Seed::new(&w.moto, "testing", "testing").await;
        let listing = seed.s3.list_objects_v2().bucket("inv-reports").send().await.unwrap();
        for o in listing.contents() {
            let key = o.key().unwrap();
            let body = seed.s3.get_object().bucket("inv-reports").key(key).send().await.unwrap().body;
            let bytes = body.collect().await.unwrap().into_bytes();
            let path = copy.join(key);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    });
    let local = |key: &str| copy.join(key).to_str().unwrap().to_owned();
    let r = scan(&w, &["--inventory", &local(&w.input_manifest), "--inventory", &local(&w.output_manifest)]);
    assert_verdicts(&r, "local copy");
    assert_eq!(calls(&r, "GetObject"), 0);

    // A local manifest that is not one stops before any call, naming the file.
    let bad = copy.join("bad-manifest.json");
    std::fs::write(&bad, "{\"files\": []}").unwrap();
    let before = w.translate.keys_seen().len();
    let out = run(&w, &["scan", "--inventory", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("--inventory {}: not an S3 Inventory manifest.json", bad.display())), "{stderr}");
    assert_eq!(w.translate.keys_seen().len(), before, "the bad manifest was found after the scan had begun");
}

#[test]
fn a_corrupt_file_leaves_what_it_could_hide_unknown() {
    for (format, ext) in [("CSV", "csv.gz"), ("Parquet", "parquet")] {
        let w = world(format, format, Fault::WrongChecksum);
        let r = scan(&w, &["--objects", "inventory"]);
        let s = statuses(&r);
        // The faults the readable file shows still fail; what passed on it cannot pass without the other file.
        assert_eq!(s[&("AR205".to_owned(), folder_uri(J_SSE_S3))], "FAIL", "{format}");
        assert_eq!(s[&("AR205".to_owned(), folder_uri(J_GOOD))], "UNKNOWN", "{format}");
        let why = result(&r, "AR205", &folder_uri(J_GOOD))["message"].as_str().unwrap();
        assert!(why.contains("1 of the files of the S3 Inventory report") && why.contains("MD5"), "{why}");
        let errors = r["errors"].as_array().unwrap();
        let suffix = format!("-1.{ext}");
        assert!(
            errors
                .iter()
                .any(|e| e["operation"] == "ReadInventory" && e["resource"].as_str().unwrap().ends_with(&suffix)),
            "{errors:#?}"
        );
        // The input report was fine.
        assert_eq!(s[&("AR102".to_owned(), "s3://inv-in/docs/".to_owned())], "PASS", "{format}");
    }
}

/// The error entry a scan reports on `resource`.
fn error_on<'a>(r: &'a Value, resource: &str) -> &'a Value {
    let errors = r["errors"].as_array().unwrap();
    errors.iter().find(|e| e["resource"] == resource).unwrap_or_else(|| panic!("no error on {resource}: {errors:#?}"))
}

#[test]
fn a_report_without_encryption_status_is_an_error_and_the_bucket_is_sampled() {
    for format in ["CSV", "Parquet"] {
        let w = world("CSV", format, Fault::NoEncryptionStatus);
        let manifest = format!("s3://inv-reports/{}", w.output_manifest);
        let r = scan(&w, &["--inventory", &manifest]);
        let e = error_on(&r, &manifest);
        assert!(e["message"].as_str().unwrap().contains("no EncryptionStatus column"), "{format}: {e}");
        let good = result(&r, "AR205", &folder_uri(J_GOOD));
        assert_eq!(good["evidence"]["coverage"], "listed", "the output folders are read object by object: {good:#}");
    }
}

#[test]
fn a_manifest_that_does_not_match_its_checksum_is_not_used() {
    let w = world("CSV", "Parquet", Fault::ManifestReplaced);
    let manifest = format!("s3://inv-reports/{}", w.output_manifest);
    let r = scan(&w, &["--inventory", &manifest]);
    let e = error_on(&r, &manifest);
    assert!(e["message"].as_str().unwrap().contains("manifest.checksum says"), "{e}");
    assert_eq!(result(&r, "AR205", &folder_uri(J_GOOD))["evidence"]["coverage"], "listed");
}

#[test]
fn a_report_from_before_the_job_ended_cannot_prove_its_output() {
    for format in ["CSV", "Parquet"] {
        let w = world("CSV", "Parquet", Fault::None);
        // The older report of inv-out calls every output object unencrypted, so name an all-clear one instead.
        let early = block_on(async {
            let seed = Seed::new(&w.moto, "testing", "testing").await;
            let rows = vec![obj(&out(J_GOOD, "fr.a.txt"), "SSE-KMS"), obj(&out(J_GOOD, "fr.b.txt"), "SSE-KMS")];
            // 2025-11-24T16:05Z: five minutes before the jobs ended.
            deliver(&seed, "inv-out", format, 1_764_000_300_000, rows, Fault::None).await
        });
        let r = scan(&w, &["--inventory", &format!("s3://inv-reports/{early}")]);
        let good = result(&r, "AR205", &folder_uri(J_GOOD));
        assert_eq!(good["status"], "UNKNOWN", "{format}: {good:#}");
        let why = good["message"].as_str().unwrap();
        assert!(why.contains("began before the job ended") && why.contains("cannot prove the job's output"), "{why}");
    }
}

#[test]
fn a_sampled_object_that_vanished_or_refused_blocks_only_what_needs_its_key() {
    let w = world("CSV", "Parquet", Fault::None);
    // Deleted since the report: HeadObject answers 404 with no body (HeadObject, "a HEAD request … no
    // response body"). The sample reads the next SSE-KMS object of the folder instead.
    w.proxy.add(Rule {
        method: "HEAD",
        path: format!("/inv-out/{}", out(J_GOOD, "fr.a.txt")),
        query: "",
        status: 404,
        code: None,
        times: usize::MAX,
        body: "",
    });
    // Refused: the key of the input folder's one SSE-KMS object is unknown, its encryption is not.
    w.proxy.add(Rule {
        method: "HEAD",
        path: "/inv-in/docs/b.txt".into(),
        query: "",
        status: 403,
        code: None,
        times: usize::MAX,
        body: "",
    });
    let manifests =
        [format!("s3://inv-reports/{}", w.input_manifest), format!("s3://inv-reports/{}", w.output_manifest)];
    let r = scan(&w, &["--objects", "sample:1", "--inventory", &manifests[0], "--inventory", &manifests[1]]);
    let s = statuses(&r);
    let status = |rule: &str, resource: &str| s.get(&(rule.to_owned(), resource.to_owned())).cloned();
    // The report decides AR102 whatever HeadObject says.
    assert_eq!(status("AR102", "s3://inv-in/docs/").as_deref(), Some("PASS"), "{:#}", r["results"]);
    // AR103 needs the key: UNKNOWN, naming the object and why.
    let ar103 = result(&r, "AR103", "s3://inv-in/docs/");
    assert_eq!(ar103["status"], "UNKNOWN", "{ar103:#}");
    let why = ar103["message"].as_str().unwrap();
    assert!(why.contains("HeadObject failed on 1 of the sampled ones (docs/b.txt: "), "{why}");
    // The gap is the object's, not the folder's.
    let errors = r["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["operation"] == "HeadObject" && e["resource"] == "s3://inv-in/docs/b.txt"),
        "{errors:#?}"
    );
    // The vanished output object is named, the next one stood in: the job key is still confirmed.
    let good = result(&r, "AR205", &folder_uri(J_GOOD));
    assert_eq!(good["status"], "PASS", "{good:#}");
    assert_eq!(good["evidence"]["inventory"]["vanished"], json!([out(J_GOOD, "fr.a.txt")]), "{good:#}");
    assert_eq!(good["evidence"]["headers_read"], 1, "{good:#}");
    assert!(!errors.iter().any(|e| e["resource"].as_str().unwrap().contains(J_GOOD)), "{errors:#?}");
}

#[test]
fn hostile_report_files_in_s3_cost_only_themselves() {
    let w = world("CSV", "Parquet", Fault::None);
    // Reports of inv-in delivered into moto's S3 after the good one: a CSV with one line past 64 KiB, a
    // Parquet file with a key S3 cannot hold, and a CSV whose rows each carry another EncryptionStatus.
    let (long_line, long_key, distinct) = block_on(async {
        let seed = Seed::new(&w.moto, "testing", "testing").await;
        let mut rows = input_rows();
        rows.push(obj(&format!("docs/{}", "x".repeat(70_000)), "SSE-S3"));
        let long_line = deliver(&seed, "inv-in", "CSV", AFTER_JOBS + 60_000, rows, Fault::None).await;
        let mut rows = input_rows();
        rows.push(obj(&format!("docs/{}", "k".repeat(2000)), "SSE-S3"));
        let long_key = deliver(&seed, "inv-in", "Parquet", AFTER_JOBS + 120_000, rows, Fault::None).await;
        let rows: Vec<Obj> = (0..500)
            .map(|i| {
                obj(&format!("docs/{i}.txt"), Box::leak(format!("ODD-{i:03}-{}", "v".repeat(90)).into_boxed_str()))
            })
            .collect();
        let distinct = deliver(&seed, "inv-in", "CSV", AFTER_JOBS + 180_000, rows, Fault::None).await;
        (long_line, long_key, distinct)
    });
    let output = format!("s3://inv-reports/{}", w.output_manifest);
    for (manifest, says) in [(long_line, "a line longer than 65536 bytes"), (long_key, "holds a key of 2005 bytes")] {
        let r = scan(&w, &["--inventory", &format!("s3://inv-reports/{manifest}"), "--inventory", &output]);
        // The input folders cannot be decided from the refused file; the output report still decides.
        let docs = result(&r, "AR102", "s3://inv-in/docs/");
        assert_eq!(docs["status"], "UNKNOWN", "{docs:#}");
        assert!(docs["message"].as_str().unwrap().contains(says), "{docs:#}");
        assert!(
            r["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["operation"] == "ReadInventory" && e["message"].as_str().unwrap().contains(says)),
            "{:#}",
            r["errors"]
        );
        assert_eq!(result(&r, "AR205", &folder_uri(J_GOOD))["status"], "PASS");
    }
    let r = scan(&w, &["--inventory", &format!("s3://inv-reports/{distinct}"), "--inventory", &output]);
    let docs = result(&r, "AR102", "s3://inv-in/docs/");
    assert_eq!(docs["status"], "FAIL", "{docs:#}");
    let by_status = docs["evidence"]["inventory"]["by_status"].as_object().unwrap();
    assert_eq!(by_status.len(), 17, "16 named values and the rest together: {by_status:?}");
    assert_eq!(by_status["(further values)"], 500 - 16);
    assert!(docs["message"].as_str().unwrap().len() < 4096, "{}", docs["message"]);
}
