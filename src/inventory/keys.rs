//! Where an inventory names KMS keys, with the account and region each name is relative to: the one
//! derivation the KMS collector (what to read) and the key rules (what protects Translate data) share.

use std::collections::HashMap;

use super::{Bucket, Inventory, ObjectPrefix};

/// What a key named at a site protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protects {
    /// A job's output key (`OutputDataConfig.EncryptionKey`).
    Output,
    /// The input: the input bucket's default key or an input object's key.
    Input,
    /// The output bucket's default key or an output object's key (what S3 says, not what the job asked).
    OutputObjects,
    Terminology,
    ParallelData,
}

impl Protects {
    /// The word reports use ("the output it protects").
    pub fn word(self) -> &'static str {
        match self {
            Protects::Output | Protects::OutputObjects => "output",
            Protects::Input => "input",
            Protects::Terminology => "terminology",
            Protects::ParallelData => "parallel data",
        }
    }
}

/// One place a key is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySite<'a> {
    /// As written: a key id, key ARN, alias name or alias ARN.
    pub reference: &'a str,
    /// The account and region a bare id or alias name is relative to.
    pub account: &'a str,
    pub region: &'a str,
    pub protects: Protects,
    /// What names it: `job`, `bucket default`, `object`, `terminology`, `parallel data`.
    pub source: &'static str,
    /// The job that names it, for job sites.
    pub job: Option<&'a str>,
}

impl Inventory {
    /// Every key a job, bucket, object, terminology or parallel data names. A job's output key is named
    /// in the job's account and region (the caller's, as Translate resolves it); a bucket's default key and
    /// its objects' keys in the bucket's owner account and region (S3 resolves them there), falling back
    /// to the job's where the inventory does not know the bucket's; a terminology's or parallel data's in
    /// its own.
    pub fn key_sites(&self) -> Vec<KeySite<'_>> {
        // Indexed: a snapshot of 100,000 jobs names as many output folders.
        let buckets: HashMap<&str, &Bucket> = self.buckets.iter().map(|b| (b.name.as_str(), b)).collect();
        let folders: HashMap<(&str, &str), &ObjectPrefix> =
            self.prefixes.iter().map(|p| ((p.bucket.as_str(), p.prefix.as_str()), p)).collect();
        let mut sites = Vec::new();
        for job in &self.jobs {
            if let Some(k) = &job.output_data_config.encryption_key {
                sites.push(KeySite {
                    reference: k.id.as_str(),
                    account: job.account.as_str(),
                    region: job.region.as_str(),
                    protects: Protects::Output,
                    source: "job",
                    job: Some(job.job_id.as_str()),
                });
            }
            let input = crate::vocab::aws::parse_s3_uri(&job.input_data_config.s3_uri);
            let output = job.output_folder();
            let named = [
                input.map(|(b, p)| (b.to_owned(), p.to_owned(), Protects::Input)),
                output.map(|(b, p)| (b, p, Protects::OutputObjects)),
            ];
            for (bucket, prefix, protects) in named.into_iter().flatten() {
                let b = buckets.get(bucket.as_str()).copied();
                let account = b.and_then(|b| b.account.as_deref()).unwrap_or(&job.account);
                let region = b.and_then(|b| b.region.as_deref()).unwrap_or(&job.region);
                for rule in b.into_iter().flat_map(|b| &b.encryption_rules) {
                    if let Some(k) = rule.kms_master_key_id.as_deref() {
                        let source = "bucket default";
                        sites.push(KeySite { reference: k, account, region, protects, source, job: Some(&job.job_id) });
                    }
                }
                let folder = folders.get(&(bucket.as_str(), prefix.as_str())).copied();
                for o in folder.into_iter().flat_map(|p| &p.objects) {
                    let under_kms = o.sse_algorithm.as_deref().is_some_and(crate::vocab::aws::is_sse_kms);
                    if let Some(k) = o.kms_key_id.as_deref().filter(|_| under_kms) {
                        let source = "object";
                        sites.push(KeySite { reference: k, account, region, protects, source, job: Some(&job.job_id) });
                    }
                }
            }
        }
        for (resources, protects) in
            [(&self.terminologies, Protects::Terminology), (&self.parallel_data, Protects::ParallelData)]
        {
            for r in resources.iter() {
                if let Some(k) = &r.encryption_key {
                    let (account, region, source) = (&r.account, &r.region, protects.word());
                    sites.push(KeySite { reference: &k.id, account, region, protects, source, job: None });
                }
            }
        }
        sites
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{EncryptionKey, EncryptionRule, ObjectPrefix, S3Object, TranslationJob};

    #[test]
    fn bucket_keys_are_named_in_the_buckets_account_and_region_job_keys_in_the_jobs() {
        let mut job = TranslationJob {
            job_id: "j1".into(),
            account: "111122223333".into(),
            region: "us-east-1".into(),
            ..Default::default()
        };
        job.input_data_config.s3_uri = "s3://shared-input/docs/".into();
        job.output_data_config.s3_uri = "s3://out/r/".into();
        job.output_data_config.encryption_key = Some(EncryptionKey { key_type: "KMS".into(), id: "k-out".into() });
        let shared = Bucket {
            name: "shared-input".into(),
            account: Some("444455556666".into()),
            region: Some("eu-west-1".into()),
            encryption_rules: vec![EncryptionRule {
                sse_algorithm: "aws:kms".into(),
                kms_master_key_id: Some("k-bare".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        let objects = ObjectPrefix {
            bucket: "shared-input".into(),
            prefix: "docs/".into(),
            objects: vec![
                S3Object {
                    key: "docs/a".into(),
                    sse_algorithm: Some("aws:kms".into()),
                    kms_key_id: Some("k-obj".into()),
                    ..Default::default()
                },
                // A key id beside a non-KMS algorithm is not a KMS key of the object.
                S3Object {
                    key: "docs/b".into(),
                    sse_algorithm: Some("AES256".into()),
                    kms_key_id: Some("k-no".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let inv = Inventory { jobs: vec![job], buckets: vec![shared], prefixes: vec![objects], ..Default::default() };
        let sites: Vec<(&str, &str, &str, Protects)> =
            inv.key_sites().iter().map(|s| (s.reference, s.account, s.region, s.protects)).collect();
        assert_eq!(
            sites,
            [
                ("k-out", "111122223333", "us-east-1", Protects::Output),
                ("k-bare", "444455556666", "eu-west-1", Protects::Input),
                ("k-obj", "444455556666", "eu-west-1", Protects::Input),
            ]
        );
    }
}
