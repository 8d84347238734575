//! The requests the rules ask about, and what AWS puts in each one's request context.
//!
//! A rule decides a request Translate makes with the job's role (or S3 makes for it), so each condition
//! key of that request is *present* with a value, *absent*, or *unknown*; every entry names the AWS page
//! that says so. Unknown keys stay out of the context, so a condition on one leaves the decision
//! "depends" and the rule says UNKNOWN naming the key. docs/policy-evaluation.md lists this model.

use crate::inventory::KmsKey;
use crate::policy::Context;

/// IAM User Guide, "AWS global condition context keys".
pub const GLOBAL_KEYS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html";
/// KMS Developer Guide, "AWS KMS condition keys".
pub const KMS_KEYS: &str = "https://docs.aws.amazon.com/kms/latest/developerguide/policy-conditions.html";
/// KMS Developer Guide, "kms:ViaService": the table of services that support it lists Amazon Translate as
/// `translate.AWS_region.amazonaws.com`.
pub const KMS_VIA_SERVICE: &str =
    "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service";
/// KMS Developer Guide, "kms:GrantIsForAWSResource".
pub const KMS_GRANT_FOR_AWS_RESOURCE: &str = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource";
/// Service Authorization Reference, "Actions, resources, and condition keys for Amazon S3".
pub const S3_KEYS: &str = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html";
/// S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)", encryption context.
pub const S3_SSE_KMS: &str = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html";
/// Translate Developer Guide, "Encryption at rest" (vendored as encryption-at-rest.md).
pub const AT_REST: &str = "https://docs.aws.amazon.com/translate/latest/dg/encryption-at-rest.html";
/// Translate Developer Guide, "Encryption in transit" (vendored as encryption-in-transit.md).
pub const IN_TRANSIT: &str = "https://docs.aws.amazon.com/translate/latest/dg/encryption-in-transit.html";

/// What a request carries for one condition key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyState {
    Present(Vec<String>),
    Absent,
    Unknown,
}

/// One condition key of a request, with what AWS says of it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: &'static str,
    pub state: KeyState,
    /// The AWS page that says so.
    pub source: &'static str,
    pub why: &'static str,
}

/// A request Translate's batch job makes, or S3 makes on its behalf.
#[derive(Debug, Clone, Copy)]
pub enum Call<'a> {
    /// The role's session reads an input object (`s3:GetObject`), or lists the input folder
    /// (`s3:ListBucket`, with the folder as `list_prefix`).
    ReadInput { list_prefix: Option<&'a str>, bucket: BucketFacts<'a> },
    /// The role's session writes an output object with SSE-KMS (`s3:PutObject`) under the job's key
    /// (`None`: the AWS managed key).
    WriteOutput { key_arn: Option<&'a str>, bucket: BucketFacts<'a> },
    /// S3 uses the key for the role's session (`kms:Decrypt`, `kms:GenerateDataKey`), in `s3_region`.
    KeyViaS3 { s3_region: &'a str, key: &'a KmsKey },
    /// Translate uses the key with the role's session itself (`kms:CreateGrant`, `kms:RetireGrant`,
    /// `kms:DescribeKey`), from its endpoint in the job's region.
    KeyDirect { action: &'a str, job_region: &'a str, key: &'a KmsKey },
    /// Translate uses a terminology's or parallel data's key for whoever in the resource's account
    /// imports or uses the resource.
    KeyForCustomResource { key: &'a KmsKey },
}

/// Keys that name the calling principal itself, unknown when only its account is: AR603 judges "a
/// principal of the account".
pub const CALLER_KEYS: [&str; 4] = ["aws:PrincipalArn", "aws:PrincipalType", "aws:PrincipalIsAWSService", "aws:userid"];

/// What the inventory knows of the bucket a request goes to.
#[derive(Debug, Clone, Copy, Default)]
pub struct BucketFacts<'a> {
    pub region: Option<&'a str>,
    pub account: Option<&'a str>,
}

/// The KMS actions Translate's jobs need on a customer managed key, and which request makes each: S3
/// asks for data keys and decrypts on the role's behalf; Translate creates, retires and describes.
/// `region` is the job's, where Translate runs and where it has S3 read and write the job's data.
pub fn key_call<'a>(action: &'a str, region: &'a str, key: &'a KmsKey) -> Call<'a> {
    match action {
        "kms:Decrypt" | "kms:GenerateDataKey" | "kms:Encrypt" => Call::KeyViaS3 { s3_region: region, key },
        _ => Call::KeyDirect { action, job_region: region, key },
    }
}

fn present<I: IntoIterator<Item = S>, S: Into<String>>(
    key: &'static str,
    values: I,
    source: &'static str,
    why: &'static str,
) -> Entry {
    Entry { key, state: KeyState::Present(values.into_iter().map(Into::into).collect()), source, why }
}

fn absent(key: &'static str, source: &'static str, why: &'static str) -> Entry {
    Entry { key, state: KeyState::Absent, source, why }
}

fn unknown(key: &'static str, source: &'static str, why: &'static str) -> Entry {
    Entry { key, state: KeyState::Unknown, source, why }
}

fn maybe(key: &'static str, value: Option<&str>, source: &'static str, why: &'static str) -> Entry {
    match value {
        Some(v) => present(key, [v], source, why),
        None => unknown(key, source, "not collected"),
    }
}

/// The keys every request made with the role's session carries or lacks, whoever sends it. The
/// principal's own keys (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
/// aws:PrincipalIsAWSService) are added by `Request::new` from the role ARN.
fn role_session() -> Vec<Entry> {
    vec![
        absent("aws:username", GLOBAL_KEYS, "present only for IAM users; the request is a role session's"),
        absent(
            "aws:PrincipalServiceName",
            GLOBAL_KEYS,
            "present only when a service principal makes the request; the role's session makes it",
        ),
        absent("aws:PrincipalServiceNamesList", GLOBAL_KEYS, "present only for service principals"),
        absent(
            "aws:SourceAccount",
            GLOBAL_KEYS,
            "present only when a service principal acts on a resource owner's behalf; the role's session asks",
        ),
        absent("aws:SourceArn", GLOBAL_KEYS, "as aws:SourceAccount"),
        absent("aws:SourceOrgID", GLOBAL_KEYS, "as aws:SourceAccount"),
        absent("aws:SourceOrgPaths", GLOBAL_KEYS, "as aws:SourceAccount"),
        absent(
            "aws:SourceVpc",
            GLOBAL_KEYS,
            "present only for requests through a VPC endpoint; Translate's requests do not use the customer's",
        ),
        absent("aws:SourceVpce", GLOBAL_KEYS, "as aws:SourceVpc"),
        absent("aws:VpcSourceIp", GLOBAL_KEYS, "as aws:SourceVpc"),
        absent("aws:SourceVpcArn", GLOBAL_KEYS, "as aws:SourceVpc"),
        absent(
            "aws:FederatedProvider",
            GLOBAL_KEYS,
            "present only for sessions federated through an identity provider; Translate assumes the role",
        ),
        present("aws:SecureTransport", ["true"], IN_TRANSIT, "Translate uses TLS 1.2 for data in transit"),
        unknown("aws:SourceIp", GLOBAL_KEYS, "the address Translate sends from is not documented"),
        unknown("aws:userid", GLOBAL_KEYS, "role id and session name are not collected"),
        unknown("aws:PrincipalOrgID", GLOBAL_KEYS, "the role's organization, when the run read it"),
        unknown("aws:PrincipalOrgPaths", GLOBAL_KEYS, "the role account's path, when the run read it"),
        unknown("aws:PrincipalTag/", GLOBAL_KEYS, "role tags are not collected"),
        unknown("aws:CurrentTime", GLOBAL_KEYS, "the time of each request of the job is not known"),
        unknown("aws:EpochTime", GLOBAL_KEYS, "as aws:CurrentTime"),
        unknown("aws:TokenIssueTime", GLOBAL_KEYS, "as aws:CurrentTime"),
        unknown("aws:MultiFactorAuthPresent", GLOBAL_KEYS, "not documented for service-assumed role sessions"),
        unknown("aws:SourceIdentity", GLOBAL_KEYS, "not documented for Translate's sessions"),
        unknown("aws:ResourceOrgID", GLOBAL_KEYS, "the resource account's organization, when the run read it"),
        unknown("aws:ResourceTag/", GLOBAL_KEYS, "resource tags are not collected"),
    ]
}

/// The request-context model of `call`: every key it knows of, present, absent or unknown.
pub fn model(call: &Call<'_>) -> Vec<Entry> {
    let mut entries = Vec::new();
    match call {
        Call::ReadInput { bucket, .. } | Call::WriteOutput { bucket, .. } => {
            entries.extend(role_session());
            let why_direct = "the role's session calls S3 itself, not through forward access sessions";
            entries.push(present("aws:ViaAWSService", ["false"], GLOBAL_KEYS, why_direct));
            entries.push(absent("aws:CalledVia", GLOBAL_KEYS, why_direct));
            entries.push(absent("aws:CalledViaFirst", GLOBAL_KEYS, why_direct));
            entries.push(absent("aws:CalledViaLast", GLOBAL_KEYS, why_direct));
            entries.push(maybe("aws:RequestedRegion", bucket.region, GLOBAL_KEYS, "the bucket's region"));
            entries.push(maybe("aws:ResourceAccount", bucket.account, GLOBAL_KEYS, "the bucket's owner"));
            entries.push(maybe("s3:ResourceAccount", bucket.account, S3_KEYS, "the bucket's owner"));
            entries.push(absent(
                "s3:x-amz-server-side-encryption-customer-algorithm",
                S3_KEYS,
                "Translate does not use SSE-C",
            ));
            if let Call::ReadInput { list_prefix, .. } = call {
                let why = "a request header of writes (PutObject, CopyObject); reads do not send it";
                entries.push(absent("s3:x-amz-server-side-encryption", S3_KEYS, why));
                entries.push(absent("s3:x-amz-server-side-encryption-aws-kms-key-id", S3_KEYS, why));
                entries.push(absent("aws:TagKeys", GLOBAL_KEYS, "reads carry no tags"));
                match list_prefix {
                    Some(p) => entries.push(present("s3:prefix", [*p], S3_KEYS, "ListBucket of the input folder")),
                    None => entries.push(absent("s3:prefix", S3_KEYS, "a key of ListBucket only")),
                }
            }
            if let Call::WriteOutput { key_arn, .. } = call {
                entries.push(present(
                    "s3:x-amz-server-side-encryption",
                    ["aws:kms"],
                    AT_REST,
                    "Translate writes its output with SSE-KMS",
                ));
                entries.push(match key_arn {
                    Some(k) => present(
                        "s3:x-amz-server-side-encryption-aws-kms-key-id",
                        [*k],
                        AT_REST,
                        "the job's customer managed key encrypts the output",
                    ),
                    None => unknown(
                        "s3:x-amz-server-side-encryption-aws-kms-key-id",
                        AT_REST,
                        "whether Translate names the AWS managed key in its PutObject is not documented",
                    ),
                });
                entries.push(absent("s3:prefix", S3_KEYS, "a key of ListBucket only"));
                entries.push(unknown("s3:x-amz-acl", S3_KEYS, "Translate's PutObject headers are not documented"));
            }
        }
        Call::KeyViaS3 { s3_region, key } => {
            let why = "S3 calls KMS for the role's session through a forward access session";
            entries.extend(role_session());
            entries.push(present("aws:ViaAWSService", ["true"], GLOBAL_KEYS, why));
            entries.push(present("aws:CalledVia", ["s3.amazonaws.com"], GLOBAL_KEYS, why));
            entries.push(present("aws:CalledViaFirst", ["s3.amazonaws.com"], GLOBAL_KEYS, why));
            entries.push(present("aws:CalledViaLast", ["s3.amazonaws.com"], GLOBAL_KEYS, why));
            entries.push(present("kms:ViaService", [format!("s3.{s3_region}.amazonaws.com")], KMS_KEYS, why));
            entries.push(present(
                "kms:EncryptionContextKeys",
                ["aws:s3:arn"],
                S3_SSE_KMS,
                "S3 always uses aws:s3:arn as the encryption context",
            ));
            entries.push(unknown(
                "kms:EncryptionContext:aws:s3:arn",
                S3_SSE_KMS,
                "the object ARN, or the bucket ARN when S3 Bucket Keys are on",
            ));
            entries.extend(key_facts(key));
        }
        Call::KeyForCustomResource { key } => {
            let why = "how Translate uses a custom resource's key for its caller is not documented";
            entries.push(present(
                "aws:SecureTransport",
                ["true"],
                IN_TRANSIT,
                "Translate uses TLS 1.2 for data in transit",
            ));
            entries.push(unknown("kms:ViaService", KMS_KEYS, why));
            entries.push(unknown("aws:ViaAWSService", GLOBAL_KEYS, why));
            entries.push(unknown("aws:CalledVia", GLOBAL_KEYS, why));
            entries.push(unknown("kms:EncryptionContextKeys", KMS_KEYS, why));
            entries.extend(key_facts(key));
        }
        Call::KeyDirect { action, job_region, key } => {
            entries.extend(role_session());
            entries.push(present(
                "kms:ViaService",
                [format!("translate.{job_region}.amazonaws.com")],
                KMS_VIA_SERVICE,
                "the kms:ViaService page lists Amazon Translate as translate.AWS_region.amazonaws.com: Translate \
                 calls KMS for the job from its endpoint in the job's region",
            ));
            entries.push(unknown(
                "aws:ViaAWSService",
                GLOBAL_KEYS,
                "whether Translate's calls with the role it assumed are forward access sessions is not documented",
            ));
            entries.push(unknown("aws:CalledVia", GLOBAL_KEYS, "as aws:ViaAWSService"));
            entries.push(if action.eq_ignore_ascii_case("kms:CreateGrant") {
                present(
                    "kms:GrantIsForAWSResource",
                    ["true"],
                    KMS_GRANT_FOR_AWS_RESOURCE,
                    "true \"only when an AWS service integrated with AWS KMS calls the operation on the user's \
                     behalf\": Translate creating the grant for its job is that case",
                )
            } else {
                absent(
                    "kms:GrantIsForAWSResource",
                    KMS_GRANT_FOR_AWS_RESOURCE,
                    "the key is in the context of CreateGrant, ListGrants and RevokeGrant only",
                )
            });
            entries.extend(key_facts(key));
        }
    }
    entries
}

/// The key's own condition keys, from DescribeKey (KMS condition keys page).
fn key_facts(key: &KmsKey) -> Vec<Entry> {
    let m = key.metadata.as_ref();
    let why = "from the key's metadata (DescribeKey)";
    let mut out = vec![
        present("aws:RequestedRegion", [key.region.as_str()], GLOBAL_KEYS, "the key's region"),
        present("aws:ResourceAccount", [key.account.as_str()], GLOBAL_KEYS, "the key's owner"),
        maybe("kms:KeySpec", m.and_then(|m| m.key_spec.as_deref()), KMS_KEYS, why),
        maybe("kms:KeyUsage", m.and_then(|m| m.key_usage.as_deref()), KMS_KEYS, why),
        maybe(
            "kms:MultiRegion",
            m.and_then(|m| m.multi_region).map(|b| if b { "true" } else { "false" }),
            KMS_KEYS,
            why,
        ),
    ];
    out.push(unknown("kms:RequestAlias", KMS_KEYS, "which key form the service sends is not documented"));
    out
}

/// The request context of `call`: present keys with their values, absent keys marked absent, unknown
/// keys left out (the context stays open).
pub fn context(call: &Call<'_>) -> Context {
    let mut ctx = Context::open();
    for e in model(call) {
        match e.state {
            KeyState::Present(values) => ctx.insert(e.key, values),
            // A prefix entry ("aws:PrincipalTag/") documents a family, not one key.
            KeyState::Absent if !e.key.ends_with('/') => ctx.insert_absent(e.key),
            _ => {}
        }
    }
    ctx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Lookup;

    fn key() -> KmsKey {
        KmsKey {
            arn: "arn:aws:kms:us-east-1:111122223333:key/k".into(),
            key_id: "k".into(),
            account: "111122223333".into(),
            region: "us-east-1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn every_key_appears_once_per_request_with_a_source() {
        let k = key();
        let b = BucketFacts { region: Some("us-east-1"), account: Some("111122223333") };
        for call in [
            Call::ReadInput { list_prefix: None, bucket: b },
            Call::ReadInput { list_prefix: Some("in/"), bucket: b },
            Call::WriteOutput { key_arn: Some(&k.arn), bucket: b },
            Call::WriteOutput { key_arn: None, bucket: BucketFacts::default() },
            Call::KeyViaS3 { s3_region: "us-east-1", key: &k },
            Call::KeyDirect { action: "kms:CreateGrant", job_region: "us-east-1", key: &k },
            Call::KeyDirect { action: "kms:DescribeKey", job_region: "us-east-1", key: &k },
            Call::KeyForCustomResource { key: &k },
        ] {
            let m = model(&call);
            let mut keys: Vec<String> = m.iter().map(|e| e.key.to_ascii_lowercase()).collect();
            keys.sort();
            let n = keys.len();
            keys.dedup();
            assert_eq!(keys.len(), n, "a key is listed twice for {call:?}");
            assert!(m.iter().all(|e| e.source.starts_with("https://docs.aws.amazon.com/")), "{call:?}");
        }
    }

    #[test]
    fn contexts_hold_present_absent_and_unknown_keys() {
        let k = key();
        let write = context(&Call::WriteOutput { key_arn: Some(&k.arn), bucket: BucketFacts::default() });
        assert_eq!(write.lookup("s3:x-amz-server-side-encryption"), Lookup::Present(&["aws:kms".to_string()]));
        assert_eq!(write.lookup("aws:SourceVpce"), Lookup::Absent);
        assert_eq!(write.lookup("aws:SourceIp"), Lookup::Unknown);
        assert_eq!(write.lookup("aws:ResourceAccount"), Lookup::Unknown);
        assert_eq!(write.lookup("aws:PrincipalTag/team"), Lookup::Unknown);
        let managed = context(&Call::WriteOutput { key_arn: None, bucket: BucketFacts::default() });
        assert_eq!(managed.lookup("s3:x-amz-server-side-encryption-aws-kms-key-id"), Lookup::Unknown);
        let via = context(&key_call("kms:GenerateDataKey", "eu-west-1", &k));
        assert_eq!(via.lookup("kms:ViaService"), Lookup::Present(&["s3.eu-west-1.amazonaws.com".to_string()]));
        let direct = context(&key_call("kms:CreateGrant", "eu-west-1", &k));
        assert_eq!(
            direct.lookup("kms:ViaService"),
            Lookup::Present(&["translate.eu-west-1.amazonaws.com".to_string()])
        );
        assert_eq!(direct.lookup("kms:GrantIsForAWSResource"), Lookup::Present(&["true".to_string()]));
        let retire = context(&key_call("kms:RetireGrant", "eu-west-1", &k));
        assert_eq!(retire.lookup("kms:GrantIsForAWSResource"), Lookup::Absent);
        assert_eq!(direct.lookup("aws:RequestedRegion"), Lookup::Present(&["us-east-1".to_string()]));
    }

    #[test]
    fn docs_list_every_key_of_the_model() {
        let doc = include_str!("../../docs/policy-evaluation.md");
        let k = key();
        for call in [
            Call::ReadInput { list_prefix: Some("in/"), bucket: BucketFacts::default() },
            Call::WriteOutput { key_arn: None, bucket: BucketFacts::default() },
            Call::KeyViaS3 { s3_region: "us-east-1", key: &k },
            Call::KeyDirect { action: "kms:CreateGrant", job_region: "us-east-1", key: &k },
        ] {
            for e in model(&call) {
                let key = e.key.trim_end_matches('/');
                assert!(doc.contains(&format!("`{key}")), "docs/policy-evaluation.md does not list {key}");
            }
        }
    }
}
