//! Fuzz target: an S3 Inventory report file (the first byte picks Parquet `P` or gzip CSV) never panics the
//! reader, and the same bytes as a manifest.json never panic its parser. The manifest is made to match the
//! file (size and MD5) so that the bytes reach the decoders.
#![no_main]

use atrest::s3inventory::{self, Format, Limits, Manifest, ManifestFile, PrefixSet};
use libfuzzer_sys::fuzz_target;
use md5::Digest;

const CSV_SCHEMA: &str = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, \
StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, \
ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm, \
ObjectAccessControlList, ObjectOwner";

fuzz_target!(|data: &[u8]| {
    let _ = Manifest::parse(data);
    let Some((&tag, body)) = data.split_first() else { return };
    let format = if tag == b'P' { Format::Parquet } else { Format::Csv };
    let path = std::env::temp_dir().join(format!("atrest-fuzz-inventory-{}", std::process::id()));
    if std::fs::write(&path, body).is_err() {
        return;
    }
    let manifest = Manifest {
        source_bucket: "src".into(),
        destination_bucket: "dest".into(),
        created_at_ms: 1,
        format,
        columns: CSV_SCHEMA.split(',').map(|c| c.trim().to_owned()).collect(),
        files: vec![ManifestFile {
            key: "data/file".into(),
            size: body.len() as u64,
            md5: md5::Md5::digest(body).iter().map(|b| format!("{b:02x}")).collect(),
        }],
    };
    let prefixes = PrefixSet::new(vec!["docs/".into(), String::new()]);
    let _ = s3inventory::read(&manifest, &[Ok(path.clone())], &prefixes, Limits { examples: 5, kms_sample: 5 });
    let _ = std::fs::remove_file(&path);
});
