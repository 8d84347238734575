//! S3 Inventory reports written as S3 writes them, for the tests and the inventory benchmark: gzip CSV with
//! every value quoted and keys URL-encoded (space as `+`), Parquet under the documented message type, and the
//! `manifest.json` beside them.
//!
//! Shapes from AWS's "Locating your inventory list" page (the manifest examples, the CSV column order and the
//! Parquet schema, docs/reference/s3-inventory.md) and "Amazon S3 Inventory list" (values: EncryptionStatus
//! SSE-S3, SSE-C, SSE-KMS, DSSE-KMS or NOT-SSE; BucketKeyStatus ENABLED or DISABLED; keys URL-encoded in CSV).
//! Where S3 leaves a field empty (no version id for a current-only inventory, no lock) the writer does too.

#![allow(dead_code)]

use std::io::Write;
use std::sync::Arc;

use md5::{Digest, Md5};
use parquet::basic::{Compression, Type as PhysicalType};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;

/// The CSV schema of the page's example (every optional field, all versions).
pub const CSV_SCHEMA: &str = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, \
StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, \
ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm, \
ObjectAccessControlList, ObjectOwner";

/// A current-versions inventory with the fields the docs' ready configuration asks for.
pub const CSV_SCHEMA_CURRENT: &str = "Bucket, Key, Size, LastModifiedDate, EncryptionStatus, BucketKeyStatus";

/// The Parquet schema of the page's example.
pub const PARQUET_SCHEMA: &str = "message s3.inventory { required binary bucket (UTF8); required binary key (UTF8); \
optional binary version_id (UTF8); optional boolean is_latest; optional boolean is_delete_marker; optional int64 size; \
optional int64 last_modified_date (TIMESTAMP_MILLIS); optional binary e_tag (UTF8); optional binary storage_class \
(UTF8); optional boolean is_multipart_uploaded; optional binary replication_status (UTF8); optional binary \
encryption_status (UTF8); optional int64 object_lock_retain_until_date (TIMESTAMP_MILLIS); optional binary \
object_lock_mode (UTF8); optional binary object_lock_legal_hold_status (UTF8); optional binary \
intelligent_tiering_access_tier (UTF8); optional binary bucket_key_status (UTF8); optional binary checksum_algorithm \
(UTF8); optional binary object_access_control_list (UTF8); optional binary object_owner (UTF8);}";

/// One object (or delete marker) of the inventory.
#[derive(Debug, Clone)]
pub struct Obj {
    pub key: String,
    /// EncryptionStatus: SSE-S3, SSE-KMS, DSSE-KMS, SSE-C or NOT-SSE.
    pub status: &'static str,
    pub delete_marker: bool,
}

pub fn obj(key: &str, status: &'static str) -> Obj {
    Obj { key: key.to_owned(), status, delete_marker: false }
}

/// Form-style URL encoding, as S3 Inventory writes CSV keys.
fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        match b {
            b' ' => out.push('+'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn csv_value(column: &str, bucket: &str, o: &Obj) -> String {
    match column {
        "Bucket" => bucket.to_owned(),
        "Key" => encode_key(&o.key),
        "IsLatest" => "true".into(),
        "IsDeleteMarker" => o.delete_marker.to_string(),
        "Size" if !o.delete_marker => "12".into(),
        "LastModifiedDate" => "2026-11-30T10:00:00.000Z".into(),
        "ETag" if !o.delete_marker => "bc6e6f16b8a077ef5fbc8d59d0b931b9".into(),
        "StorageClass" if !o.delete_marker => "STANDARD".into(),
        "IsMultipartUploaded" if !o.delete_marker => "false".into(),
        "EncryptionStatus" if !o.delete_marker => o.status.into(),
        "BucketKeyStatus" if !o.delete_marker => "DISABLED".into(),
        _ => String::new(),
    }
}

/// A gzip CSV inventory file into `out`.
pub fn write_csv_gz(out: impl Write, bucket: &str, schema: &str, objects: impl Iterator<Item = Obj>) {
    let columns: Vec<&str> = schema.split(',').map(str::trim).collect();
    let mut gz = flate2::write::GzEncoder::new(std::io::BufWriter::new(out), flate2::Compression::default());
    let mut line = String::new();
    for o in objects {
        line.clear();
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push('"');
            line.push_str(&csv_value(c, bucket, &o));
            line.push('"');
        }
        line.push('\n');
        gz.write_all(line.as_bytes()).unwrap();
    }
    gz.finish().unwrap().flush().unwrap();
}

pub fn csv_gz(bucket: &str, schema: &str, objects: Vec<Obj>) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_csv_gz(&mut bytes, bucket, schema, objects.into_iter());
    bytes
}

/// A Parquet inventory file (SNAPPY, row groups of `group_rows`) into `out`.
pub fn write_parquet<W: Write + Send>(
    out: W,
    bucket: &str,
    schema: &str,
    objects: impl Iterator<Item = Obj>,
    group_rows: usize,
) {
    let schema = Arc::new(parquet::schema::parser::parse_message_type(schema).unwrap());
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
    let columns = parquet::schema::types::SchemaDescriptor::new(schema.clone()).columns().to_vec();
    let mut writer = SerializedFileWriter::new(out, schema, props).unwrap();
    let mut objects = objects.peekable();
    while objects.peek().is_some() {
        let group: Vec<Obj> = objects.by_ref().take(group_rows).collect();
        let mut rg = writer.next_row_group().unwrap();
        let mut at = 0;
        while let Some(mut col) = rg.next_column().unwrap() {
            let descriptor = columns[at].clone();
            at += 1;
            let name = descriptor.name().to_owned();
            let physical = descriptor.physical_type();
            let csv_name: String = match name.as_str() {
                "e_tag" => "ETag".into(),
                n => n.split('_').map(|p| p[..1].to_uppercase() + &p[1..]).collect(),
            };
            // Parquet keys are written as they are: only CSV encodes them.
            let values: Vec<Option<String>> = group
                .iter()
                .map(|o| match csv_name.as_str() {
                    "Key" => Some(o.key.clone()),
                    c => Some(csv_value(c, bucket, o)).filter(|v| !v.is_empty()),
                })
                .collect();
            let def: Vec<i16> = values.iter().map(|v| i16::from(v.is_some())).collect();
            let required = descriptor.max_def_level() == 0;
            match physical {
                PhysicalType::BYTE_ARRAY => {
                    let data: Vec<ByteArray> =
                        values.iter().flatten().map(|t| ByteArray::from(t.clone().into_bytes())).collect();
                    let levels = (!required).then_some(def.as_slice());
                    col.typed::<ByteArrayType>().write_batch(&data, levels, None).unwrap();
                }
                PhysicalType::BOOLEAN => {
                    let data: Vec<bool> = values.iter().flatten().map(|v| v == "true").collect();
                    col.typed::<BoolType>().write_batch(&data, Some(&def), None).unwrap();
                }
                PhysicalType::INT64 => {
                    let data: Vec<i64> =
                        values.iter().flatten().map(|v| v.parse::<i64>().unwrap_or(1_764_496_800_000)).collect();
                    col.typed::<Int64Type>().write_batch(&data, Some(&def), None).unwrap();
                }
                other => panic!("no writer for {other:?}"),
            }
            col.close().unwrap();
        }
        rg.close().unwrap();
    }
    writer.close().unwrap();
}

pub fn parquet(bucket: &str, schema: &str, objects: Vec<Obj>) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_parquet(&mut bytes, bucket, schema, objects.into_iter(), 1000);
    bytes
}

pub fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `manifest.json` for files given as (key, size, MD5 hex).
pub fn manifest(
    source: &str,
    destination: &str,
    created_ms: i64,
    format: &str,
    schema: &str,
    files: &[(String, u64, String)],
) -> String {
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|(key, size, md5)| serde_json::json!({"key": key, "size": size, "MD5checksum": md5}))
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({
        "sourceBucket": source,
        "destinationBucket": format!("arn:aws:s3:::{destination}"),
        "version": "2016-11-30",
        "creationTimestamp": created_ms.to_string(),
        "fileFormat": format,
        "fileSchema": schema,
        "files": files,
    }))
    .unwrap()
}
