//! A StartTextTranslationJob request (JSON, as `aws translate start-text-translation-job --cli-input-json`
//! takes it) read into the job it would start.

use super::{Ctx, Declaration, loc, str_at};
use crate::inventory::{EncryptionKey, InputDataConfig, OutputDataConfig, TranslationJob};
use crate::policy::json::{Kind, Value};
use crate::vocab::Origin;

/// The job a request would start. A request has no job id yet: the file name stands for it.
pub fn declarations(ctx: &Ctx, path: &str, root: &Value) -> Vec<Declaration> {
    let s = |k: &str| str_at(root, k).map(str::to_owned);
    let input = root.get("InputDataConfig").map(|m| &m.value);
    let output = root.get("OutputDataConfig").map(|m| &m.value);
    let key = output.and_then(|o| o.get("EncryptionKey")).map(|k| EncryptionKey {
        key_type: str_at(&k.value, "Type").unwrap_or("KMS").to_owned(),
        id: str_at(&k.value, "Id").unwrap_or_default().to_owned(),
    });
    let strings = |k: &str| -> Vec<String> {
        match root.get(k).map(|m| &m.value.kind) {
            Some(Kind::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        }
    };
    let at = |k: &str| Some(loc(path, root.get(k).map_or(root.pos, |m| m.key_pos)));
    let job_id = std::path::Path::new(path).file_stem().map_or("job".into(), |s| s.to_string_lossy().into_owned());
    vec![Declaration::Job(TranslationJob {
        job_id,
        account: ctx.account.clone(),
        region: ctx.region.clone(),
        job_name: s("JobName"),
        job_status: Some("SUBMITTED".into()),
        source_language_code: s("SourceLanguageCode"),
        target_language_codes: strings("TargetLanguageCodes"),
        terminology_names: strings("TerminologyNames"),
        parallel_data_names: strings("ParallelDataNames"),
        input_data_config: InputDataConfig {
            s3_uri: input.and_then(|i| str_at(i, "S3Uri")).unwrap_or_default().to_owned(),
            content_type: input.and_then(|i| str_at(i, "ContentType")).map(str::to_owned),
        },
        output_data_config: OutputDataConfig {
            s3_uri: output.and_then(|o| str_at(o, "S3Uri")).unwrap_or_default().to_owned(),
            encryption_key: key,
        },
        data_access_role_arn: s("DataAccessRoleArn").unwrap_or_default(),
        origin: Some(Origin { declared: at("OutputDataConfig"), input: at("InputDataConfig"), ..Default::default() }),
        ..Default::default()
    })]
}

/// The account and region a request names: its role's account, its output key's region.
pub fn account_and_region(root: &Value) -> (Option<String>, Option<String>) {
    let account = str_at(root, "DataAccessRoleArn").and_then(crate::vocab::aws::arn_account).map(str::to_owned);
    let region = (|| {
        let id = root.get("OutputDataConfig")?.value.get("EncryptionKey")?.value.get("Id")?.value.as_str()?;
        crate::vocab::aws::arn_region(id).map(str::to_owned)
    })();
    (account, region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::json;

    const REQUEST: &str = r#"{
  "JobName": "handbook-fr",
  "InputDataConfig": {"S3Uri": "s3://in/handbook/", "ContentType": "text/html"},
  "OutputDataConfig": {
    "S3Uri": "s3://out/handbook/",
    "EncryptionKey": {"Type": "KMS", "Id": "arn:aws:kms:eu-west-1:444455556666:key/k1"}
  },
  "DataAccessRoleArn": "arn:aws:iam::444455556666:role/TranslateRole",
  "SourceLanguageCode": "en",
  "TargetLanguageCodes": ["fr", "de"]
}"#;

    #[test]
    fn a_request_becomes_the_job_it_starts_with_its_places() {
        let root = json::parse(REQUEST).unwrap();
        assert_eq!(account_and_region(&root), (Some("444455556666".to_string()), Some("eu-west-1".to_string())));
        let ctx = Ctx { account: "444455556666".into(), region: "eu-west-1".into() };
        let [Declaration::Job(job)] = &declarations(&ctx, "jobs/start-fr.json", &root)[..] else {
            panic!("one job");
        };
        assert_eq!(job.job_id, "start-fr");
        assert_eq!(job.output_data_config.s3_uri, "s3://out/handbook/");
        assert_eq!(
            job.output_data_config.encryption_key.as_ref().unwrap().id,
            "arn:aws:kms:eu-west-1:444455556666:key/k1"
        );
        assert_eq!(job.target_language_codes, ["fr", "de"]);
        let origin = job.origin.as_ref().unwrap();
        assert_eq!(origin.input.as_ref().map(|l| (l.line, l.column)), Some((3, 3)));
        assert_eq!(origin.declared.as_ref().map(|l| (l.file.as_str(), l.line)), Some(("jobs/start-fr.json", 4)));
        // Translate adds the job's folder to the request's.
        assert_eq!(job.output_folder().unwrap().1, "handbook/444455556666-TranslateText-start-fr/");
    }
}
