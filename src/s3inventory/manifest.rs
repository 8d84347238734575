//! An S3 Inventory `manifest.json`: what it must hold before any of its files is read.
//!
//! Shape from AWS's "Locating your inventory list" page (docs/reference/s3-inventory.md): `sourceBucket`,
//! `destinationBucket` (an ARN), `version`, `creationTimestamp` (epoch milliseconds as a string: when S3
//! began scanning the bucket), `fileFormat` (`CSV`, `ORC`, `Parquet`), `fileSchema` (a column list for CSV, a
//! Parquet message type, an ORC struct type) and `files[]` with `key`, `size` and `MD5checksum`.

use serde::Deserialize;

/// The columns atrest reads; the manifest's schema must list the first three.
pub const KEY: &str = "Key";
pub const ENCRYPTION_STATUS: &str = "EncryptionStatus";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Format {
    #[serde(rename = "CSV")]
    Csv,
    #[serde(rename = "Parquet")]
    Parquet,
    #[serde(rename = "ORC")]
    Orc,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Parquet => "Parquet",
            Format::Orc => "ORC",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestFile {
    pub key: String,
    pub size: u64,
    /// Lower-case hex.
    pub md5: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub source_bucket: String,
    /// The bucket name (the manifest gives its ARN).
    pub destination_bucket: String,
    /// Epoch milliseconds.
    pub created_at_ms: i64,
    pub format: Format,
    /// The columns in the schema's order, in the CSV spelling (`Key`, `EncryptionStatus`, `IsDeleteMarker`).
    pub columns: Vec<String>,
    pub files: Vec<ManifestFile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    source_bucket: String,
    destination_bucket: String,
    creation_timestamp: serde_json::Value,
    file_format: String,
    file_schema: String,
    files: Vec<RawFile>,
}

#[derive(Deserialize)]
struct RawFile {
    key: String,
    size: u64,
    #[serde(rename = "MD5checksum")]
    md5: String,
}

impl Manifest {
    /// Parses and checks a manifest; the error says what is wrong and what to do, without the location
    /// (the caller names the file).
    pub fn parse(text: &[u8]) -> Result<Manifest, String> {
        let raw: Raw = serde_json::from_slice(text).map_err(|e| {
            format!("not an S3 Inventory manifest.json ({e}); pass the manifest.json of an inventory report")
        })?;
        let created_at_ms = match &raw.creation_timestamp {
            serde_json::Value::String(s) => s.trim().parse::<i64>().ok(),
            serde_json::Value::Number(n) => n.as_i64(),
            _ => None,
        }
        .filter(|ms| *ms > 0)
        .ok_or_else(|| format!("creationTimestamp {} is not epoch milliseconds", raw.creation_timestamp))?;
        let format = match raw.file_format.to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "parquet" => Format::Parquet,
            "orc" => Format::Orc,
            other => return Err(format!("fileFormat {other:?} is not CSV, ORC or Parquet")),
        };
        let columns = match format {
            Format::Csv => raw.file_schema.split(',').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect(),
            Format::Parquet => parquet_columns(&raw.file_schema)?,
            Format::Orc => orc_columns(&raw.file_schema)?,
        };
        let mut manifest = Manifest {
            // The manifest names the bucket by ARN (`arn:aws:s3:::bucket`), in any partition.
            destination_bucket: crate::vocab::aws::Arn::parse(&raw.destination_bucket)
                .filter(|a| a.service == "s3")
                .map_or(raw.destination_bucket.as_str(), |a| a.resource)
                .to_owned(),
            source_bucket: raw.source_bucket,
            created_at_ms,
            format,
            columns,
            files: raw
                .files
                .into_iter()
                .map(|f| ManifestFile { key: f.key, size: f.size, md5: f.md5.to_ascii_lowercase() })
                .collect(),
        };
        for column in [KEY, ENCRYPTION_STATUS] {
            if !manifest.columns.iter().any(|c| c == column) {
                return Err(format!(
                    "the inventory's fileSchema has no {column} column; add EncryptionStatus to the inventory \
                     configuration's optional fields (docs/inventory.md) and wait for the next report"
                ));
            }
        }
        if let Some(f) =
            manifest.files.iter().find(|f| f.md5.len() != 32 || !f.md5.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(format!("file {} has MD5checksum {:?}, not 32 hex digits", f.key, f.md5));
        }
        // A file listed twice would be read and counted twice: each is kept once. Two entries of one key
        // that disagree are not one file, and the manifest cannot be trusted.
        let mut seen: std::collections::HashMap<&str, &ManifestFile> = std::collections::HashMap::new();
        for f in &manifest.files {
            if let Some(first) = seen.insert(f.key.as_str(), f)
                && (first.size != f.size || first.md5 != f.md5)
            {
                return Err(format!("file {} is listed twice with different sizes or checksums", f.key));
            }
        }
        let mut kept = std::collections::HashSet::new();
        manifest.files.retain(|f| kept.insert(f.key.clone()));
        Ok(manifest)
    }

    pub fn created_at(&self) -> String {
        chrono::DateTime::from_timestamp_millis(self.created_at_ms)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default()
    }
}

/// Checks `manifest.json` against its `manifest.checksum` ("the MD5 of the content of the manifest.json
/// file"): a manifest that does not match was cut short or replaced.
pub fn check_checksum(manifest: &[u8], checksum: &[u8]) -> Result<(), String> {
    use md5::Digest;
    let want = String::from_utf8_lossy(checksum).trim().to_ascii_lowercase();
    let got: String = md5::Md5::digest(manifest).iter().map(|b| format!("{b:02x}")).collect();
    if want == got {
        Ok(())
    } else {
        Err(format!(
            "manifest.checksum says {want:?} but manifest.json's MD5 is {got}: the manifest is cut short or was replaced"
        ))
    }
}

/// A column's Parquet or ORC name (`encryption_status`) in the CSV spelling (`EncryptionStatus`); `e_tag`
/// is `ETag`, the one name the rule does not give.
fn csv_name(snake: &str) -> String {
    if snake == "e_tag" {
        return "ETag".into();
    }
    snake
        .split('_')
        .map(|part| {
            let mut c = part.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// `message s3.inventory { required binary bucket (UTF8); … }` → the field names, checked by the Parquet
/// schema parser itself.
fn parquet_columns(schema: &str) -> Result<Vec<String>, String> {
    let parsed = parquet::schema::parser::parse_message_type(schema)
        .map_err(|e| format!("fileSchema is not a Parquet message type ({e})"))?;
    Ok(parsed.get_fields().iter().map(|f| csv_name(f.name())).collect())
}

/// `struct<bucket:string,key:string,…>` → the field names.
fn orc_columns(schema: &str) -> Result<Vec<String>, String> {
    let inner = schema
        .trim()
        .strip_prefix("struct<")
        .and_then(|s| s.strip_suffix('>'))
        .ok_or_else(|| "fileSchema is not an ORC struct<…> type".to_owned())?;
    Ok(inner.split(',').filter_map(|f| f.split_once(':')).map(|(name, _)| csv_name(name.trim())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The three examples of AWS's "Locating your inventory list" page, as published but for the ORC and
    // Parquet checksums, which the page ends in the placeholder `example` (not hex).
    const CSV: &str = r#"{
    "sourceBucket": "amzn-s3-demo-source-bucket",
    "destinationBucket": "arn:aws:s3:::example-inventory-destination-bucket",
    "version": "2016-11-30",
    "creationTimestamp" : "1514944800000",
    "fileFormat": "CSV",
    "fileSchema": "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm, ObjectAccessControlList, ObjectOwner",
    "files": [
        {
            "key": "Inventory/amzn-s3-demo-source-bucket/2016-11-06T21-32Z/files/939c6d46-85a9-4ba8-87bd-9db705a579ce.csv.gz",
            "size": 2147483647,
            "MD5checksum": "f11166069f1990abeb9c97ace9cdfabc"
        }
    ]
}"#;
    const ORC: &str = r#"{
    "sourceBucket": "amzn-s3-demo-source-bucket",
    "destinationBucket": "arn:aws:s3:::example-destination-bucket",
    "version": "2016-11-30",
    "creationTimestamp" : "1514944800000",
    "fileFormat": "ORC",
    "fileSchema": "struct<bucket:string,key:string,version_id:string,is_latest:boolean,is_delete_marker:boolean,size:bigint,last_modified_date:timestamp,e_tag:string,storage_class:string,is_multipart_uploaded:boolean,replication_status:string,encryption_status:string,object_lock_retain_until_date:timestamp,object_lock_mode:string,object_lock_legal_hold_status:string,intelligent_tiering_access_tier:string,bucket_key_status:string,checksum_algorithm:string,object_access_control_list:string,object_owner:string>",
    "files": [
        {
            "key": "inventory/amzn-s3-demo-source-bucket/data/d794c570-95bb-4271-9128-26023c8b4900.orc",
            "size": 56291,
            "MD5checksum": "5925f4e78e1695c2d020b9f6e0000000"
        }
    ]
}"#;
    const PARQUET: &str = r#"{
    "sourceBucket": "amzn-s3-demo-source-bucket",
    "destinationBucket": "arn:aws:s3:::example-destination-bucket",
    "version": "2016-11-30",
    "creationTimestamp" : "1514944800000",
    "fileFormat": "Parquet",
    "fileSchema": "message s3.inventory { required binary bucket (UTF8); required binary key (UTF8); optional binary version_id (UTF8); optional boolean is_latest; optional boolean is_delete_marker; optional int64 size; optional int64 last_modified_date (TIMESTAMP_MILLIS); optional binary e_tag (UTF8); optional binary storage_class (UTF8); optional boolean is_multipart_uploaded; optional binary replication_status (UTF8); optional binary encryption_status (UTF8); optional int64 object_lock_retain_until_date (TIMESTAMP_MILLIS); optional binary object_lock_mode (UTF8); optional binary object_lock_legal_hold_status (UTF8); optional binary intelligent_tiering_access_tier (UTF8); optional binary bucket_key_status (UTF8); optional binary checksum_algorithm (UTF8); optional binary object_access_control_list (UTF8); optional binary object_owner (UTF8);}",
    "files": [
        {
           "key": "inventory/amzn-s3-demo-source-bucket/data/d754c470-85bb-4255-9218-47023c8b4910.parquet",
            "size": 56291,
            "MD5checksum": "5825f2e18e1695c2d030b9f6e0000000"
        }
    ]
}"#;

    #[test]
    fn the_documented_manifests_parse_to_the_same_columns() {
        let csv = Manifest::parse(CSV.as_bytes()).unwrap();
        assert_eq!(csv.format, Format::Csv);
        assert_eq!(csv.source_bucket, "amzn-s3-demo-source-bucket");
        assert_eq!(csv.destination_bucket, "example-inventory-destination-bucket");
        assert_eq!(csv.created_at(), "2018-01-03T02:00:00Z");
        assert_eq!(csv.files[0].size, 2_147_483_647);
        let parquet = Manifest::parse(PARQUET.as_bytes()).unwrap();
        let orc = Manifest::parse(ORC.as_bytes()).unwrap();
        assert_eq!(parquet.columns, csv.columns);
        assert_eq!(orc.columns, csv.columns);
        assert_eq!(csv.columns[11], "EncryptionStatus");
    }

    #[test]
    fn the_manifest_checksum_is_the_md5_of_the_manifest() {
        // printf '{}' | md5sum
        assert!(check_checksum(b"{}", b"99914b932bd37a50b983c5e7c90ae93b\n").is_ok());
        assert!(check_checksum(b"{} ", b"99914b932bd37a50b983c5e7c90ae93b").unwrap_err().contains("cut short"));
    }

    #[test]
    fn a_manifest_without_what_atrest_needs_says_what_to_change() {
        let no_status = CSV.replace("ReplicationStatus, EncryptionStatus, ", "ReplicationStatus, ");
        let e = Manifest::parse(no_status.as_bytes()).unwrap_err();
        assert!(e.contains("no EncryptionStatus column") && e.contains("optional fields"), "{e}");
        let no_status = PARQUET.replace("optional binary encryption_status (UTF8); ", "");
        assert!(Manifest::parse(no_status.as_bytes()).unwrap_err().contains("EncryptionStatus"));
        let bad_schema = PARQUET.replace("message s3.inventory {", "message s3.inventory");
        assert!(Manifest::parse(bad_schema.as_bytes()).unwrap_err().contains("Parquet message type"));
        let bad_md5 = CSV.replace("f11166069f1990abeb9c97ace9cdfabc", "f1116606");
        assert!(Manifest::parse(bad_md5.as_bytes()).unwrap_err().contains("32 hex digits"));
        let bad_time = CSV.replace("\"1514944800000\"", "\"yesterday\"");
        assert!(Manifest::parse(bad_time.as_bytes()).unwrap_err().contains("epoch milliseconds"));
        let bad_format = CSV.replace("\"CSV\"", "\"JSON\"");
        assert!(Manifest::parse(bad_format.as_bytes()).unwrap_err().contains("not CSV, ORC or Parquet"));
        assert!(Manifest::parse(b"{}").unwrap_err().contains("not an S3 Inventory manifest.json"));
    }
}
