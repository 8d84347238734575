//! S3 Inventory reports in a collection: the manifests named with `--inventory` (local or `s3://`) and, with
//! `--objects inventory`, each job bucket's newest report; their files fetched and read in parallel; per job
//! prefix a summary, a HeadObject sample of the SSE-KMS objects (the report has no key id), and a listing
//! probe where the report lists nothing.

use crate::vocab::{Operation, Service};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use futures_util::future::join_all;

use super::failure::{self, Failure};
use super::s3_read::{head, location_region, region_of};
use super::{CollectError, Ctx, ObjectSampling};
use crate::inventory::{Coverage, InventoryEvidence, ObjectPrefix, UnreadFile};
use crate::s3inventory::{self, Limits, Manifest, PrefixSet, Status, Tally};
use crate::vocab::aws::parse_s3_uri;

/// Keys kept per encryption status as examples.
const EXAMPLES: usize = 5;
/// SSE-KMS keys kept beyond the sample, read when sampled objects are gone since the report.
const SPARE_KEYS: usize = 16;

/// A manifest named with `--inventory`.
#[derive(Debug, Clone)]
pub enum InventorySource {
    /// Read and checked before any call; its files are found beside it.
    Local { path: PathBuf, manifest: Manifest },
    /// Read during the collection.
    S3 { bucket: String, key: String },
}

impl InventorySource {
    /// A local manifest is bad input when it cannot be read or is not a manifest (exit 2 before any call);
    /// an `s3://` one is read with the other resources, and its faults are gaps.
    pub fn load(text: &str) -> Result<InventorySource, CollectError> {
        let bad = |message: String| CollectError::Inventory { path: text.to_owned(), message };
        if text.starts_with("s3://") {
            return match parse_s3_uri(text) {
                Some((bucket, key)) if !bucket.is_empty() && !key.is_empty() && !key.ends_with('/') => {
                    Ok(InventorySource::S3 { bucket: bucket.to_owned(), key: key.to_owned() })
                }
                _ => Err(bad("expected s3://BUCKET/KEY of a manifest.json".into())),
            };
        }
        let path = PathBuf::from(text);
        let bytes = crate::input::read(&path)
            .map_err(|e| bad(format!("cannot read it ({e}); pass the path of an inventory's manifest.json")))?;
        let manifest = Manifest::parse(&bytes).map_err(bad)?;
        // S3 writes manifest.checksum beside every manifest.json; a copy may leave it out.
        if let Some(sum) =
            path.file_name().filter(|n| *n == "manifest.json").map(|_| path.with_file_name("manifest.checksum"))
            && let Ok(checksum) = std::fs::read(&sum)
        {
            s3inventory::manifest::check_checksum(&bytes, &checksum).map_err(bad)?;
        }
        Ok(InventorySource::Local { path, manifest })
    }
}

/// A report ready to read: its manifest and where each file lies (or why it could not be fetched).
struct Report {
    display: String,
    manifest: Manifest,
    files: Vec<Result<PathBuf, String>>,
    /// The configuration's filter prefix, when discovery found the report: prefixes outside it are not listed.
    filter: Option<String>,
    /// Downloaded files live here until the report is read.
    _downloads: Option<tempfile::TempDir>,
}

/// The prefixes a report covers, judged from it; the others are left to sampling.
pub async fn collect(
    ctx: &Ctx,
    wanted: &BTreeMap<String, Vec<String>>,
    regions: &BTreeMap<&str, Option<&str>>,
) -> Vec<ObjectPrefix> {
    let mut reports: BTreeMap<String, Report> = BTreeMap::new();
    for source in &ctx.options.inventory {
        let report = match source {
            InventorySource::Local { path, manifest } => Some(Report {
                display: path.display().to_string(),
                files: s3inventory::local_files(path, manifest),
                manifest: manifest.clone(),
                filter: None,
                _downloads: None,
            }),
            InventorySource::S3 { bucket, key } => from_s3(ctx, bucket, key, None, None).await,
        };
        if let Some(r) = report {
            keep_newest(&mut reports, r, wanted);
        }
    }
    if let ObjectSampling::Inventory(_) = ctx.options.objects {
        let missing: Vec<&String> = wanted.keys().filter(|b| !reports.contains_key(*b)).collect();
        let found = join_all(missing.iter().map(|b| {
            let region = regions.get(b.as_str()).copied().flatten();
            discover(ctx, b, region, &wanted[*b])
        }))
        .await;
        for r in found.into_iter().flatten() {
            keep_newest(&mut reports, r, wanted);
        }
    }
    let mut out = Vec::new();
    for (bucket, report) in reports {
        let covered: Vec<String> = wanted[&bucket]
            .iter()
            .filter(|p| report.filter.as_deref().is_none_or(|f| p.starts_with(f)))
            .cloned()
            .collect();
        let region = regions.get(bucket.as_str()).copied().flatten();
        out.extend(judge(ctx, &bucket, region, report, covered).await);
    }
    out
}

/// One report per bucket: the newest (a later `--inventory` of the same bucket wins a tie).
fn keep_newest(reports: &mut BTreeMap<String, Report>, report: Report, wanted: &BTreeMap<String, Vec<String>>) {
    let bucket = report.manifest.source_bucket.clone();
    if !wanted.contains_key(&bucket) {
        return;
    }
    match reports.get(&bucket) {
        Some(old) if old.manifest.created_at_ms > report.manifest.created_at_ms => {}
        _ => {
            reports.insert(bucket, report);
        }
    }
}

fn unusable(ctx: &Ctx, resource: &str, message: String) {
    let f = Failure { code: Some("InvalidInventoryReport".into()), ..Failure::note(message) };
    ctx.gap(Service::S3, Operation::ReadInventory, resource, &f);
}

/// The region to ask for a bucket that is not a job bucket: GetBucketLocation, as for job buckets.
async fn bucket_region(ctx: &Ctx, bucket: &str) -> Option<String> {
    let locator = ctx.clients.region(location_region(&ctx.clients.regions[0])).s3;
    match ctx.call(locator.get_bucket_location().bucket(bucket).send()).await {
        Ok(out) => Some(region_of(out.location_constraint().map(|c| c.as_str()))),
        Err(e) => {
            ctx.gap(
                Service::S3,
                Operation::GetBucketLocation,
                format!("arn:aws:s3:::{bucket}"),
                &failure::describe(&e),
            );
            None
        }
    }
}

/// Reads a manifest from S3 and downloads its files; `region` is the bucket's when known.
async fn from_s3(ctx: &Ctx, bucket: &str, key: &str, region: Option<&str>, filter: Option<String>) -> Option<Report> {
    let display = format!("s3://{bucket}/{key}");
    let region = match region {
        Some(r) => r.to_owned(),
        None => bucket_region(ctx, bucket).await?,
    };
    let client = ctx.clients.region(&region).s3;
    let bytes = match ctx.call(client.get_object().bucket(bucket).key(key).send()).await {
        Ok(out) => match out.body.collect().await {
            Ok(data) => data.into_bytes(),
            Err(e) => {
                unusable(ctx, &display, format!("the manifest could not be read whole: {e}"));
                return None;
            }
        },
        Err(e) => {
            ctx.gap(Service::S3, Operation::GetObject, &display, &failure::describe(&e));
            return None;
        }
    };
    // manifest.checksum, when S3 wrote one (it always does) and it can be read: the per-file MD5s below only
    // protect the files if the manifest listing them is whole.
    if let Some(stem) = key.strip_suffix("manifest.json") {
        let sum = ctx.call(client.get_object().bucket(bucket).key(format!("{stem}manifest.checksum")).send()).await;
        if let Ok(out) = sum
            && let Ok(checksum) = out.body.collect().await
            && let Err(why) = s3inventory::manifest::check_checksum(&bytes, &checksum.into_bytes())
        {
            unusable(ctx, &display, why);
            return None;
        }
    }
    let manifest = match Manifest::parse(&bytes) {
        Ok(m) => m,
        Err(why) => {
            unusable(ctx, &display, why);
            return None;
        }
    };
    let downloads = match tempfile::Builder::new().prefix("atrest-inventory-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            unusable(ctx, &display, format!("no temporary folder for its files: {e}"));
            return None;
        }
    };
    let files = join_all(manifest.files.iter().enumerate().map(|(i, f)| {
        let client = client.clone();
        let dest = manifest.destination_bucket.clone();
        let path = downloads.path().join(format!("{i}"));
        async move { download(ctx, &client, &dest, &f.key, &path).await.map(|()| path) }
    }))
    .await;
    Some(Report { display, manifest, files, filter, _downloads: Some(downloads) })
}

/// Streams one file to disk: a report's files can be larger than memory.
async fn download(ctx: &Ctx, client: &aws_sdk_s3::Client, bucket: &str, key: &str, to: &Path) -> Result<(), String> {
    let uri = format!("s3://{bucket}/{key}");
    let out = match ctx.call(client.get_object().bucket(bucket).key(key).send()).await {
        Ok(out) => out,
        Err(e) => {
            let f = failure::describe(&e);
            ctx.gap(Service::S3, Operation::GetObject, &uri, &f);
            return Err(format!("GetObject failed: {}", f.said()));
        }
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(to).map_err(|e| format!("cannot store it: {e}"))?);
    let mut body = out.body;
    loop {
        match body.try_next().await {
            Ok(Some(chunk)) => file.write_all(&chunk).map_err(|e| format!("cannot store it: {e}"))?,
            Ok(None) => break,
            Err(e) => return Err(format!("the download broke off: {e}")),
        }
    }
    file.flush().map_err(|e| format!("cannot store it: {e}"))
}

/// The newest report of an enabled configuration that lists EncryptionStatus and covers a wanted prefix.
async fn discover(ctx: &Ctx, bucket: &str, region: Option<&str>, prefixes: &[String]) -> Option<Report> {
    let client = match region {
        Some(r) => ctx.clients.region(r).s3,
        None => ctx.clients.home().s3,
    };
    let mut configs = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let request = client.list_bucket_inventory_configurations().bucket(bucket).set_continuation_token(token);
        match ctx.call(request.send()).await {
            Ok(out) => {
                configs.extend(out.inventory_configuration_list().iter().cloned());
                token = out.next_continuation_token().map(str::to_owned);
                if !out.is_truncated().unwrap_or(false) || token.is_none() {
                    break;
                }
            }
            Err(e) => {
                ctx.gap(
                    Service::S3,
                    Operation::ListBucketInventoryConfigurations,
                    format!("arn:aws:s3:::{bucket}"),
                    &failure::describe(&e),
                );
                return None;
            }
        }
    }
    use aws_sdk_s3::types::InventoryOptionalField;
    let mut newest: Option<(String, String, String, Option<String>)> = None;
    for c in configs.iter().filter(|c| c.is_enabled()) {
        if !c.optional_fields().contains(&InventoryOptionalField::EncryptionStatus) {
            continue;
        }
        let filter = c.filter().map(|f| f.prefix().to_owned()).filter(|p| !p.is_empty());
        if !prefixes.iter().any(|p| filter.as_deref().is_none_or(|f| p.starts_with(f))) {
            continue;
        }
        let Some(dest) = c.destination().and_then(|d| d.s3_bucket_destination()) else { continue };
        let dest_bucket = dest.bucket().rsplit(":::").next().unwrap_or_default().to_owned();
        let base = match dest.prefix().map(|p| p.trim_end_matches('/')).filter(|p| !p.is_empty()) {
            Some(p) => format!("{p}/{bucket}/{}/", c.id()),
            None => format!("{bucket}/{}/", c.id()),
        };
        if let Some(stamp) = newest_stamp(ctx, &client, &dest_bucket, &base).await
            && newest.as_ref().is_none_or(|(_, _, s, _)| &stamp > s)
        {
            newest = Some((dest_bucket, base, stamp, filter));
        }
    }
    let (dest_bucket, base, stamp, filter) = newest?;
    from_s3(ctx, &dest_bucket, &format!("{base}{stamp}/manifest.json"), Some(&region_or_home(ctx, region)), filter)
        .await
}

fn region_or_home(ctx: &Ctx, region: Option<&str>) -> String {
    region.map_or_else(|| ctx.clients.regions[0].clone(), str::to_owned)
}

/// The newest `YYYY-MM-DDTHH-MMZ` folder under a configuration's destination (its `data/` and `hive/`
/// folders are not reports).
async fn newest_stamp(ctx: &Ctx, client: &aws_sdk_s3::Client, bucket: &str, base: &str) -> Option<String> {
    let mut newest: Option<String> = None;
    let mut pages = client.list_objects_v2().bucket(bucket).prefix(base).delimiter("/").into_paginator().send();
    while let Some(page) = ctx.call(pages.next()).await {
        match page {
            Ok(page) => {
                for p in page.common_prefixes().iter().filter_map(|c| c.prefix()) {
                    let stamp = p[base.len().min(p.len())..].trim_end_matches('/');
                    if is_stamp(stamp) && newest.as_deref().is_none_or(|n| stamp > n) {
                        newest = Some(stamp.to_owned());
                    }
                }
            }
            Err(e) => {
                ctx.gap(Service::S3, Operation::ListObjectsV2, format!("s3://{bucket}/{base}"), &failure::describe(&e));
                return None;
            }
        }
    }
    newest
}

/// `2016-11-06T21-32Z`: the folder name S3 gives a report.
fn is_stamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 17
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 | 13 => *c == b'-',
            10 => *c == b'T',
            16 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// Reads a report for its bucket's covered prefixes and makes their evidence.
async fn judge(
    ctx: &Ctx,
    bucket: &str,
    region: Option<&str>,
    report: Report,
    covered: Vec<String>,
) -> Vec<ObjectPrefix> {
    if covered.is_empty() {
        return Vec::new();
    }
    let headers = ctx.options.objects.headers();
    let kms_sample = match headers {
        ObjectSampling::None => 0,
        ObjectSampling::Sample(n) | ObjectSampling::Inventory(n) => n,
        ObjectSampling::All => usize::MAX,
    };
    // Spare keys stand in for objects deleted since the report (HeadObject 404), so a sample of N still reads
    // N headers when a few listed objects are gone.
    let limits = Limits { examples: EXAMPLES, kms_sample: kms_sample.saturating_add(SPARE_KEYS) };
    let set = PrefixSet::new(covered);
    let Report { display, manifest, files, _downloads, .. } = report;
    let (reading, manifest, set) = tokio::task::spawn_blocking(move || {
        let reading = s3inventory::read(&manifest, &files, &set, limits);
        drop(_downloads);
        (reading, manifest, set)
    })
    .await
    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    let dest = &manifest.destination_bucket;
    let unread: Vec<UnreadFile> =
        reading.failed.iter().map(|(key, reason)| UnreadFile { key: key.clone(), reason: reason.clone() }).collect();
    // The gaps recorded so far (a failed GetObject of a file), looked up once: a manifest of N missing files
    // once cost N searches of every gap.
    let mut recorded = ctx.gap_resources();
    for u in &unread {
        let resource = if display.starts_with("s3://") { format!("s3://{dest}/{}", u.key) } else { u.key.clone() };
        if recorded.insert(resource.clone()) {
            unusable(ctx, &resource, u.reason.clone());
        }
    }
    let client = match region {
        Some(r) => ctx.clients.region(r).s3,
        None => ctx.clients.home().s3,
    };
    let prefixes = set.prefixes().to_vec();
    join_all(prefixes.into_iter().zip(reading.tallies).map(|(prefix, tally)| {
        let evidence = evidence(&display, &manifest, &tally, unread.clone(), headers.as_string());
        prefix_from(ctx, client.clone(), bucket, prefix, tally, kms_sample, evidence)
    }))
    .await
    .into_iter()
    .flatten()
    .collect()
}

fn evidence(
    display: &str,
    m: &Manifest,
    t: &Tally,
    unread_files: Vec<UnreadFile>,
    key_sample: String,
) -> InventoryEvidence {
    let mut by_status = BTreeMap::new();
    let mut examples = BTreeMap::new();
    for s in Status::ALL {
        if s == Status::Other {
            for (value, n) in &t.other_values {
                by_status.insert(if value.is_empty() { "(empty)".to_owned() } else { value.clone() }, *n);
            }
        } else if t.count(s) > 0 {
            by_status.insert(s.name().to_owned(), t.count(s));
        }
        if !t.examples[s as usize].is_empty() {
            examples.insert(s.name().to_owned(), t.examples[s as usize].clone());
        }
    }
    InventoryEvidence {
        manifest: display.to_owned(),
        format: m.format.name().to_owned(),
        created_at: m.created_at(),
        objects: t.rows,
        by_status,
        examples,
        unread_files,
        key_sample,
        listed_now: false,
        vanished: Vec::new(),
        key_sample_failed: Vec::new(),
    }
}

/// HeadObject on the kept SSE-KMS keys; a listing probe when the report lists nothing under the prefix.
async fn prefix_from(
    ctx: &Ctx,
    client: aws_sdk_s3::Client,
    bucket: &str,
    prefix: String,
    tally: Tally,
    want: usize,
    mut evidence: InventoryEvidence,
) -> Option<ObjectPrefix> {
    let uri = format!("s3://{bucket}/{prefix}");
    if tally.rows == 0 {
        let probe = client.list_objects_v2().bucket(bucket).prefix(&prefix).max_keys(10).send();
        match ctx.call(probe).await {
            Ok(out) => {
                evidence.listed_now = out.contents().iter().filter_map(|o| o.key()).any(|k| !k.ends_with('/'));
            }
            Err(e) => {
                ctx.gap(Service::S3, Operation::ListObjectsV2, &uri, &failure::describe(&e));
                return None;
            }
        }
    }
    let mut objects = Vec::new();
    let mut candidates = tally.kms_sample.iter();
    loop {
        let room = want.saturating_sub(objects.len() + evidence.key_sample_failed.len());
        let batch: Vec<&String> = candidates.by_ref().take(room).collect();
        if batch.is_empty() {
            break;
        }
        let heads = join_all(batch.iter().map(|key| head(ctx, &client, bucket, key))).await;
        for (key, h) in batch.into_iter().zip(heads) {
            match h {
                Ok(o) => objects.push(o),
                // Listed by the report, gone now: deleted since. Not at rest, so not a gap; the next key stands in.
                Err(f) if f.status == Some(404) => evidence.vanished.push(key.clone()),
                // The key of this one object is unknown: a gap of the object, not of the folder, so it blocks
                // only the rules that need the key (AR103, AR205), not the report's counts (AR102).
                Err(f) => {
                    let reason = format!("{}: {}", f.code.as_deref().unwrap_or("error"), f.message);
                    ctx.gap(Service::S3, Operation::HeadObject, format!("s3://{bucket}/{key}"), &f);
                    evidence.key_sample_failed.push(UnreadFile { key: key.clone(), reason });
                }
            }
        }
    }
    Some(ObjectPrefix {
        bucket: bucket.to_owned(),
        prefix,
        coverage: Coverage::InventoryReport,
        total_objects: Some(tally.rows),
        objects,
        inventory: Some(evidence),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_folders_are_told_from_data_and_hive() {
        assert!(is_stamp("2016-11-06T21-32Z"));
        for not in ["data", "hive", "2016-11-06T21:32Z", "2016-11-06T21-32", "2016-11-06T21-32Z/"] {
            assert!(!is_stamp(not), "{not}");
        }
    }

    #[test]
    fn a_local_manifest_is_checked_before_any_call() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manifest.json");
        std::fs::write(&path, b"{\"sourceBucket\": 1}").unwrap();
        let e = InventorySource::load(path.to_str().unwrap()).unwrap_err().to_string();
        assert!(e.starts_with(&format!("--inventory {}: not an S3 Inventory manifest.json", path.display())), "{e}");
        let e = InventorySource::load("/no/such/manifest.json").unwrap_err().to_string();
        assert!(e.contains("cannot read it"), "{e}");
        assert!(InventorySource::load("s3://bucket/").is_err());
        assert!(matches!(InventorySource::load("s3://b/k/manifest.json"), Ok(InventorySource::S3 { .. })));
    }
}
