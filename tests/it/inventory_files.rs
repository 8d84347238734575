//! S3 Inventory files as S3 writes them (tests/support/inventory.rs), read by atrest's reader: counts per
//! prefix, decoded CSV keys, delete and folder markers, and every way a file can be unusable.

use std::path::PathBuf;

use atrest::s3inventory::{self, Limits, Manifest, PrefixSet, Status};

use crate::support::inventory::{self as inv, Obj, obj};

const LIMITS: Limits = Limits { examples: 5, kms_sample: 2 };

fn objects() -> Vec<Obj> {
    vec![
        obj("docs/a.txt", "SSE-S3"),
        obj("docs/my file+1.txt", "NOT-SSE"),
        obj("docs/", "NOT-SSE"),
        Obj { key: "docs/gone.txt".into(), status: "NOT-SSE", delete_marker: true },
        obj("docs/c.txt", "SSE-C"),
        obj("out/1/fr.a.txt", "SSE-KMS"),
        obj("out/1/fr.b.txt", "DSSE-KMS"),
        obj("out/1/fr.c.txt", "SSE-KMS"),
        obj("out/10/fr.a.txt", "SSE-S3"),
        obj("other/x.txt", "NOT-SSE"),
    ]
}

/// Writes the files and the manifest into a folder laid out as the destination bucket is.
fn report(format: &str, schema: &str, files: Vec<Vec<u8>>) -> (PathBuf, Manifest) {
    let dir = crate::tempdir();
    let base = "inventory/src-bucket/config-1";
    let ext = if format == "CSV" { "csv.gz" } else { "parquet" };
    let mut listed = Vec::new();
    for (i, bytes) in files.iter().enumerate() {
        let key = format!("{base}/data/file-{i}.{ext}");
        let path = dir.join(&key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        listed.push((key, bytes.len() as u64, inv::md5_hex(bytes)));
    }
    let manifest = inv::manifest("src-bucket", "dest-bucket", 1_764_547_200_000, format, schema, &listed);
    let path = dir.join(format!("{base}/2025-12-01T00-00Z/manifest.json"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &manifest).unwrap();
    let parsed = Manifest::parse(manifest.as_bytes()).unwrap();
    (path, parsed)
}

fn read(path: &std::path::Path, manifest: &Manifest, prefixes: &[&str]) -> s3inventory::Reading {
    let set = PrefixSet::new(prefixes.iter().map(|p| p.to_string()).collect());
    let files = s3inventory::local_files(path, manifest);
    s3inventory::read(manifest, &files, &set, LIMITS)
}

#[test]
fn both_formats_count_the_same_objects_under_each_prefix() {
    let csv = inv::csv_gz("src-bucket", inv::CSV_SCHEMA, objects());
    let parquet = inv::parquet("src-bucket", inv::PARQUET_SCHEMA, objects());
    for (format, schema, bytes) in [("CSV", inv::CSV_SCHEMA, csv), ("Parquet", inv::PARQUET_SCHEMA, parquet)] {
        let (path, manifest) = report(format, schema, vec![bytes]);
        let r = read(&path, &manifest, &["docs/", "out/1/", "out/10/"]);
        assert!(r.failed.is_empty(), "{format}: {:?}", r.failed);
        let docs = &r.tallies[0];
        // The folder marker and the delete marker are not objects.
        assert_eq!(docs.rows, 3, "{format}");
        assert_eq!(
            (docs.count(Status::SseS3), docs.count(Status::NotSse), docs.count(Status::SseC)),
            (1, 1, 1),
            "{format}"
        );
        // The CSV key was URL-encoded with the space as `+` and the plus as %2B.
        assert_eq!(docs.examples[Status::NotSse as usize], ["docs/my file+1.txt"], "{format}");
        let out1 = &r.tallies[1];
        assert_eq!(out1.rows, 3, "{format}: out/10/ is not under out/1/");
        assert_eq!(out1.count(Status::SseKms) + out1.count(Status::DsseKms), 3);
        assert_eq!(out1.kms_sample, ["out/1/fr.a.txt", "out/1/fr.b.txt"], "{format}: the first two, in order");
        assert_eq!(r.tallies[2].count(Status::SseS3), 1);
    }
}

#[test]
fn several_files_add_up_in_manifest_order() {
    let all = objects();
    let (first, second) = all.split_at(6);
    let files = vec![
        inv::csv_gz("src-bucket", inv::CSV_SCHEMA, first.to_vec()),
        inv::csv_gz("src-bucket", inv::CSV_SCHEMA, second.to_vec()),
    ];
    let (path, manifest) = report("CSV", inv::CSV_SCHEMA, files);
    let r = read(&path, &manifest, &["out/1/", ""]);
    assert_eq!(r.tallies[0].rows, 3);
    assert_eq!(r.tallies[0].kms_sample, ["out/1/fr.a.txt", "out/1/fr.b.txt"]);
    assert_eq!(r.tallies[1].rows, 8, "the whole bucket: 10 rows less a folder marker and a delete marker");
}

#[test]
fn a_current_versions_report_needs_no_version_columns() {
    let bytes = inv::csv_gz("src-bucket", inv::CSV_SCHEMA_CURRENT, objects());
    let (path, manifest) = report("CSV", inv::CSV_SCHEMA_CURRENT, vec![bytes]);
    let r = read(&path, &manifest, &["docs/"]);
    // Without IsDeleteMarker the marker row cannot be told apart; S3 lists none in a current-versions report.
    assert_eq!(r.tallies[0].rows, 4);
}

#[test]
fn unusable_files_are_named_never_skipped() {
    let good = inv::csv_gz("src-bucket", inv::CSV_SCHEMA, objects());
    let parquet = inv::parquet("src-bucket", inv::PARQUET_SCHEMA, objects());
    // Truncated: the manifest lists the whole file.
    let (path, manifest) = report("CSV", inv::CSV_SCHEMA, vec![good.clone(), good.clone()]);
    let cut = &manifest.files[1];
    let on_disk = path.ancestors().nth(5).unwrap().join(&cut.key);
    std::fs::write(&on_disk, &good[..good.len() / 2]).unwrap();
    let r = read(&path, &manifest, &["docs/"]);
    assert_eq!(r.tallies[0].rows, 3, "the first file still counts");
    assert_eq!(r.failed.len(), 1);
    assert!(r.failed[0].1.contains("truncated"), "{:?}", r.failed);

    // Same size, different bytes: the checksum catches it.
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0xff;
    std::fs::write(&on_disk, &flipped).unwrap();
    let r = read(&path, &manifest, &["docs/"]);
    assert!(r.failed[0].1.contains("MD5"), "{:?}", r.failed);

    // Corrupt in a way the checksum agrees with (the manifest was written for the broken file).
    let garbage = b"not gzip at all".to_vec();
    let (path, manifest) = report("CSV", inv::CSV_SCHEMA, vec![garbage]);
    let r = read(&path, &manifest, &["docs/"]);
    assert!(r.failed[0].1.contains("not a gzip CSV inventory file"), "{:?}", r.failed);

    // A schema with fewer columns than the rows.
    let (path, mut manifest) = report("CSV", inv::CSV_SCHEMA, vec![good]);
    manifest.columns.truncate(12);
    let r = read(&path, &manifest, &["docs/"]);
    assert!(r.failed[0].1.contains("columns where the manifest's fileSchema lists 12"), "{:?}", r.failed);

    // A Parquet file cut short.
    let (path, manifest) = report("Parquet", inv::PARQUET_SCHEMA, vec![parquet.clone()]);
    let on_disk = path.ancestors().nth(5).unwrap().join(&manifest.files[0].key);
    std::fs::write(&on_disk, &parquet[..parquet.len() - 100]).unwrap();
    let r = read(&path, &manifest, &["docs/"]);
    assert!(r.failed[0].1.contains("truncated"), "{:?}", r.failed);
    assert_eq!(r.tallies[0].rows, 0);

    // A Parquet file without encryption_status, under a manifest that claims it.
    let no_status = inv::PARQUET_SCHEMA.replace("optional binary encryption_status (UTF8); ", "");
    let bytes = inv::parquet("src-bucket", &no_status, objects());
    let (path, manifest) = report("Parquet", inv::PARQUET_SCHEMA, vec![bytes]);
    let r = read(&path, &manifest, &["docs/"]);
    assert!(r.failed[0].1.contains("no key or encryption_status column"), "{:?}", r.failed);

    // A file missing from the local copy.
    let (path, manifest) = report("CSV", inv::CSV_SCHEMA, vec![inv::csv_gz("src-bucket", inv::CSV_SCHEMA, objects())]);
    std::fs::remove_file(path.ancestors().nth(5).unwrap().join(&manifest.files[0].key)).unwrap();
    let r = read(&path, &manifest, &["docs/"]);
    assert!(r.failed[0].1.contains("not found in the report's folder"), "{:?}", r.failed);
}

#[test]
fn orc_reports_are_a_clear_gap() {
    let schema = "struct<bucket:string,key:string,encryption_status:string>";
    let (path, manifest) = report("ORC", schema, vec![b"ORC".to_vec()]);
    let r = read(&path, &manifest, &["docs/"]);
    assert!(r.failed[0].1.contains("ORC inventory files are not read"), "{:?}", r.failed);
}

#[test]
fn records_fields_and_values_beyond_what_s3_writes_cost_only_their_file() {
    let good = inv::csv_gz("src-bucket", inv::CSV_SCHEMA, objects());
    // One line of a megabyte (a 3 GB field once filled memory until the process died): stopped at 64 KiB.
    let huge =
        inv::csv_gz("src-bucket", inv::CSV_SCHEMA, vec![obj(&format!("docs/{}", "x".repeat(1 << 20)), "SSE-S3")]);
    // A key S3 cannot hold (more than 1,024 bytes), in both formats.
    let long = || vec![obj(&format!("docs/{}", "k".repeat(2000)), "SSE-S3")];
    let long_csv = inv::csv_gz("src-bucket", inv::CSV_SCHEMA, long());
    let (path, manifest) = report("CSV", inv::CSV_SCHEMA, vec![good.clone(), huge, long_csv]);
    let r = read(&path, &manifest, &["docs/"]);
    assert_eq!(r.tallies[0].rows, 3, "the good file still counts");
    assert_eq!(r.failed.len(), 2, "{:?}", r.failed);
    assert!(r.failed[0].1.contains("a line longer than 65536 bytes"), "{:?}", r.failed);
    assert!(r.failed[1].1.contains("holds a key of 2005 bytes; S3 keys are at most 1024"), "{:?}", r.failed);
    let long_parquet = inv::parquet("src-bucket", inv::PARQUET_SCHEMA, long());
    let (path, manifest) = report("Parquet", inv::PARQUET_SCHEMA, vec![long_parquet]);
    let r = read(&path, &manifest, &["docs/"]);
    assert!(r.failed[0].1.contains("holds a key of 2005 bytes"), "{:?}", r.failed);

    // Every row a different EncryptionStatus (once 1.5 GB of memory and a 428 MB report): 16 are named,
    // cut to 64 bytes, and the rest counted under one entry; every row is still counted.
    let rows: Vec<Obj> = (0..5000)
        .map(|i| obj(&format!("docs/{i}.txt"), Box::leak(format!("ODD-{i:04}-{}", "v".repeat(100)).into_boxed_str())))
        .collect();
    let (path, manifest) = report("CSV", inv::CSV_SCHEMA, vec![inv::csv_gz("src-bucket", inv::CSV_SCHEMA, rows)]);
    let r = read(&path, &manifest, &["docs/"]);
    let t = &r.tallies[0];
    assert_eq!((t.rows, t.count(Status::Other)), (5000, 5000));
    assert_eq!(t.other_values.len(), 17, "{:?}", t.other_values.keys().collect::<Vec<_>>());
    assert_eq!(t.other_values[s3inventory::tally::MORE_VALUES], 5000 - 16);
    assert!(t.other_values.keys().all(|v| v.len() <= 64 + '…'.len_utf8()), "{:?}", t.other_values.keys());
}

#[test]
fn a_local_manifest_opens_only_files_inside_its_report_and_each_once() {
    let good = inv::csv_gz("src-bucket", inv::CSV_SCHEMA, objects());
    let (path, mut manifest) = report("CSV", inv::CSV_SCHEMA, vec![good]);
    let listed = manifest.files[0].clone();
    let planted = |key: &str| atrest::s3inventory::ManifestFile { key: key.into(), ..listed.clone() };
    // A key that climbs out, an absolute one, and one that a folder above the report resolves to
    // /etc/passwd: none is opened (their size and MD5 once appeared in the report).
    manifest.files = vec![
        planted("../../../../../../../../etc/passwd"),
        planted("/proc/self/environ"),
        planted("etc/passwd"),
        listed.clone(),
    ];
    let r = read(&path, &manifest, &["docs/"]);
    assert_eq!(r.failed.len(), 3, "{:?}", r.failed);
    for (key, why) in &r.failed[..2] {
        assert!(why.contains("a path that leaves the report's folder: refused"), "{key}: {why}");
    }
    assert!(r.failed[2].1.contains("not found in the report's folder"), "{:?}", r.failed[2]);
    assert!(r.failed.iter().all(|(_, why)| !why.contains("MD5") && !why.contains("bytes where")), "{:?}", r.failed);
    assert_eq!(r.tallies[0].rows, 3);

    // A file listed a thousand times is read and counted once.
    let text = std::fs::read_to_string(&path).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let entry = doc["files"][0].clone();
    doc["files"] = serde_json::Value::Array(vec![entry.clone(); 1000]);
    let manifest = Manifest::parse(doc.to_string().as_bytes()).unwrap();
    assert_eq!(manifest.files.len(), 1);
    assert_eq!(read(&path, &manifest, &["docs/"]).tallies[0].rows, 3);
    // Listed twice as two different files: not a manifest to trust.
    let mut other = entry.clone();
    other["size"] = serde_json::json!(entry["size"].as_u64().unwrap() + 1);
    doc["files"] = serde_json::json!([entry, other]);
    let err = Manifest::parse(doc.to_string().as_bytes()).unwrap_err();
    assert!(err.contains("is listed twice with different sizes or checksums"), "{err}");
}
