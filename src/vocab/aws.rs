//! AWS names: S3 URIs and output folders, ARNs and account ids, KMS key references, grants as KMS lists
//! them, one normalised id per resource, and the API call counts of a collection.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::finding::ResourceRef;

/// `s3://bucket/prefix` → (bucket, prefix).
pub fn parse_s3_uri(uri: &str) -> Option<(&str, &str)> {
    let rest = uri.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    (!bucket.is_empty()).then_some((bucket, prefix))
}

/// An ARN's six parts, borrowed from its text: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` (IAM User
/// Guide, "IAM ARNs"; the resource may hold further colons and slashes). The one place ARNs are split:
/// `tests/it/architecture.rs` fails on ARN parsing anywhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    /// Empty for global services (IAM, S3 buckets).
    pub region: &'a str,
    /// Empty where the ARN names none (S3 buckets and objects).
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// `None` when the text is not `arn:` followed by five colon-separated parts.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.strip_prefix("arn:")?.splitn(5, ':');
        Some(Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        })
    }

    /// The resource's type and the rest (`role`, `path/name`; `key`, `id`), split at its first `/` or `:`.
    pub fn resource_type(&self) -> Option<(&'a str, &'a str)> {
        let at = self.resource.find(['/', ':'])?;
        Some((&self.resource[..at], &self.resource[at + 1..]))
    }

    /// The last segment of the resource (a role's or policy's name without its path, a key's id).
    pub fn resource_name(&self) -> &'a str {
        self.resource.rsplit(['/', ':']).next().unwrap_or(self.resource)
    }
}

/// The colon-separated segments of an ARN or an IAM resource pattern (which may hold wildcards and need not
/// start with `arn`), at most six: the resource, the last, keeps its colons.
pub fn arn_segments(text: &str) -> Vec<&str> {
    text.splitn(6, ':').collect()
}

/// The region of a KMS key ARN or alias ARN.
pub fn arn_region(arn: &str) -> Option<&str> {
    Arn::parse(arn).map(|a| a.region).filter(|r| !r.is_empty())
}

/// A job's output folder as (bucket, prefix ending in `/`), from its `OutputDataConfig.S3Uri`.
///
/// DescribeTextTranslationJob and ListTextTranslationJobs return `OutputDataConfig.S3Uri` with the job's
/// folder `<account>-TranslateText-<job id>/` already in it (async-start.md, the example job; the
/// auxiliary file's `outputDataPrefix` in async-results.md). A StartTextTranslationJob request (lint)
/// names the user's folder, to which Translate adds that one.
pub fn output_folder(uri: &str, account: &str, job_id: &str) -> Option<(String, String)> {
    let (bucket, prefix) = parse_s3_uri(uri)?;
    let trimmed = prefix.trim_end_matches('/');
    let last = trimmed.rsplit('/').next().unwrap_or("");
    if is_job_folder(last, job_id) {
        return Some((bucket.to_owned(), format!("{trimmed}/")));
    }
    let mut p = prefix.to_owned();
    if !p.is_empty() && !p.ends_with('/') {
        p.push('/');
    }
    p.push_str(&format!("{account}-TranslateText-{job_id}/"));
    Some((bucket.to_owned(), p))
}

/// `<12-digit account>-TranslateText-<job id>`: the folder Translate makes for a job.
fn is_job_folder(segment: &str, job_id: &str) -> bool {
    segment.split_once("-TranslateText-").is_some_and(|(account, id)| {
        account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && !id.is_empty() && id == job_id
    })
}

/// Whether an S3 server-side encryption algorithm is under a KMS key: `aws:kms` (SSE-KMS) or `aws:kms:dsse`
/// (DSSE-KMS), S3's two values for it (S3 API Reference, `x-amz-server-side-encryption`). The one test of
/// it: a rule that reads the inventory asks here.
pub fn is_sse_kms(algorithm: &str) -> bool {
    matches!(algorithm, "aws:kms" | "aws:kms:dsse")
}

/// A key reference that names an AWS managed key by alias (`alias/aws/s3`).
pub fn is_aws_managed_alias(reference: &str) -> bool {
    reference.starts_with("alias/aws/") || reference.contains(":alias/aws/")
}

/// A key reference that resolved to nothing: reported under the reference as given.
pub fn unresolved_key_ref(reference: &str, account: &str, region: &str) -> ResourceRef {
    let id = if reference.starts_with("arn:") {
        reference.to_owned()
    } else if reference.starts_with("alias/") {
        format!("arn:aws:kms:{region}:{account}:{reference}")
    } else {
        format!("arn:aws:kms:{region}:{account}:key/{reference}")
    };
    ResourceRef::new(crate::vocab::ResourceKind::KmsKey, id, Some(account), Some(region))
}

pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Splits `arn:PARTITION:iam::ACCOUNT:RESOURCE` into its partition, account and resource, without allocating.
pub fn split_iam_arn(value: &str) -> Option<(&str, &str, &str)> {
    let arn = Arn::parse(value)?;
    (arn.service == "iam" && arn.region.is_empty()).then_some((arn.partition, arn.account, arn.resource))
}

/// The account segment of an ARN, when it has one.
pub fn arn_account(arn: &str) -> Option<&str> {
    Arn::parse(arn).map(|a| a.account).filter(|a| is_account_id(a))
}

/// The resource segment of an ARN (everything after the fifth colon), when the text is an ARN.
pub fn arn_resource(arn: &str) -> Option<&str> {
    Arn::parse(arn).map(|a| a.resource)
}

/// A key as something names it, with the account and region a bare id or alias name is relative to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeyRef {
    pub reference: String,
    pub account: String,
    pub region: String,
}

impl KeyRef {
    pub fn new(reference: &str, account: &str, region: &str) -> KeyRef {
        // An ARN carries its own account and region.
        let (account, region) = match kms_arn_parts(reference) {
            Some((region, account, _)) => (account, region),
            None => (account, region),
        };
        KeyRef { reference: reference.to_owned(), account: account.to_owned(), region: region.to_owned() }
    }

    /// The name gaps are recorded under, the one the rules look a missing key up by.
    pub fn gap_resource(&self) -> String {
        if self.reference.starts_with("arn:") {
            self.reference.clone()
        } else {
            format!("arn:aws:kms:{}:{}:{}", self.region, self.account, self.reference)
        }
    }

    /// The name an index of keys looks this reference up by.
    pub fn index_name(&self) -> KeyName {
        if self.reference.starts_with("arn:") {
            KeyName::Arn(self.reference.clone())
        } else {
            KeyName::in_account(&self.account, &self.region, &self.reference)
        }
    }

    /// The alias name (`alias/x`) when the reference is an alias.
    pub fn alias(&self) -> Option<&str> {
        match kms_arn_parts(&self.reference) {
            Some((_, _, resource)) => resource.starts_with("alias/").then_some(resource),
            None => self.reference.starts_with("alias/").then_some(self.reference.as_str()),
        }
    }
}

/// How an index finds a key: by an ARN (key or alias), or by a key id or alias name within an account and
/// region.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyName {
    Arn(String),
    InAccount { account: String, region: String, name: String },
}

impl KeyName {
    pub fn in_account(account: &str, region: &str, name: &str) -> KeyName {
        KeyName::InAccount { account: account.to_owned(), region: region.to_owned(), name: name.to_owned() }
    }
}

/// The resource a failed ListAliases of an account and region is recorded under.
pub fn aliases_gap_resource(account: &str, region: &str) -> String {
    format!("kms:{account}:{region}")
}

/// `arn:aws:kms:REGION:ACCOUNT:RESOURCE` → (region, account, resource).
pub fn kms_arn_parts(arn: &str) -> Option<(&str, &str, &str)> {
    let arn = Arn::parse(arn)?;
    (arn.service == "kms").then_some((arn.region, arn.account, arn.resource))
}

/// A KMS grant as ListGrants returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Grant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grantee_principal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_account: Option<String>,
    #[serde(default)]
    pub operations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<GrantConstraints>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantConstraints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_subset: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_equals: Option<BTreeMap<String, String>>,
}

/// One line of the report's `run.api_calls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiCalls {
    pub service: String,
    pub operation: String,
    /// Operations started.
    pub calls: u64,
    /// HTTP requests sent, retries included.
    pub requests: u64,
}

/// The one spelling of a resource that gaps, results and indexes share: collectors record a bucket by its
/// name, its ARN or its `s3://` URI; all three are the bucket's ARN here. Other ids are kept as they are.
pub fn normalise_resource_id(id: &str) -> std::borrow::Cow<'_, str> {
    let bucket = id.strip_prefix("arn:aws:s3:::").or_else(|| id.strip_prefix("s3://").filter(|r| !r.contains('/')));
    match bucket {
        Some(name) if !name.contains('/') => std::borrow::Cow::Owned(format!("arn:aws:s3:::{name}")),
        Some(_) => std::borrow::Cow::Borrowed(id),
        None if !id.is_empty() && !id.contains(':') && !id.contains('/') && is_bucket_name(id) => {
            std::borrow::Cow::Owned(format!("arn:aws:s3:::{id}"))
        }
        None => std::borrow::Cow::Borrowed(id),
    }
}

/// S3's rules for a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens.
fn is_bucket_name(s: &str) -> bool {
    (3..=63).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output_prefix(uri: &str) -> Option<(String, String)> {
        output_folder(uri, "111122223333", "4446f95f20c88a4b347449d3671fbe3d")
    }

    #[test]
    fn output_folder_from_the_api_is_used_as_it_is() {
        // The example of async-start.md: DescribeTextTranslationJob's S3Uri holds the job's folder.
        let api = "s3://my-s3-bucket/output/111122223333-TranslateText-4446f95f20c88a4b347449d3671fbe3d/";
        let want = (
            "my-s3-bucket".to_string(),
            "output/111122223333-TranslateText-4446f95f20c88a4b347449d3671fbe3d/".to_string(),
        );
        assert_eq!(output_prefix(api), Some(want.clone()));
        assert_eq!(output_prefix(api.trim_end_matches('/')), Some(want.clone()));
        // A StartTextTranslationJob request names the user's folder: Translate adds the job's.
        assert_eq!(output_prefix("s3://my-s3-bucket/output/"), Some(want.clone()));
        assert_eq!(output_prefix("s3://my-s3-bucket/output"), Some(want));
        // At the bucket root.
        assert_eq!(
            output_prefix("s3://b/111122223333-TranslateText-4446f95f20c88a4b347449d3671fbe3d/"),
            Some(("b".into(), "111122223333-TranslateText-4446f95f20c88a4b347449d3671fbe3d/".into()))
        );
        // Another job's folder is a user folder like any other.
        assert_eq!(
            output_prefix("s3://b/out/111122223333-TranslateText-0000/").unwrap().1,
            "out/111122223333-TranslateText-0000/111122223333-TranslateText-4446f95f20c88a4b347449d3671fbe3d/"
        );
    }

    #[test]
    fn a_bucket_has_one_id_however_it_is_spelt() {
        for spelling in ["acme-out", "arn:aws:s3:::acme-out", "s3://acme-out"] {
            assert_eq!(normalise_resource_id(spelling), "arn:aws:s3:::acme-out");
        }
        assert_eq!(normalise_resource_id("s3://acme-out/folder/"), "s3://acme-out/folder/");
        assert_eq!(
            normalise_resource_id("arn:aws:kms:us-east-1:111122223333:key/k"),
            "arn:aws:kms:us-east-1:111122223333:key/k"
        );
        assert_eq!(normalise_resource_id("kms:111122223333:us-east-1"), "kms:111122223333:us-east-1");
    }
}
