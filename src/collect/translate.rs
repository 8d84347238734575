//! Translate: batch jobs (every page, every status), custom terminologies and parallel data of one region.

use aws_sdk_translate::types as t;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

use super::failure::{self, Failure};
use super::{CollectError, Ctx};
use crate::inventory::{
    CustomResource, EncryptionKey, InputDataConfig, JobDetails, JobSettings, OutputDataConfig, TranslationJob,
};

#[derive(Debug, Default)]
pub struct Listing {
    pub jobs: Vec<TranslationJob>,
    pub terminologies: Vec<CustomResource>,
    pub parallel_data: Vec<CustomResource>,
}

/// Lists the region's jobs, terminologies and parallel data. These listings are the roots of everything
/// else, so a refusal stops the scan rather than leaving it to report on nothing.
pub async fn collect(ctx: &Ctx, region: &str) -> Result<Listing, CollectError> {
    let client = ctx.clients.region(region).translate;
    let mut listing = Listing::default();

    let mut filter = None;
    if let Some(since) = ctx.options.since {
        filter = Some(t::TextTranslationJobFilter::builder().submitted_after_time(DateTime::from_secs(since)).build());
    }
    let mut pages = client.list_text_translation_jobs().set_filter(filter).max_results(500).into_paginator().send();
    while let Some(page) = ctx.call(pages.next()).await {
        let page = page.map_err(|e| refused(ctx, "ListTextTranslationJobs", region, &failure::describe(&e)))?;
        for p in page.text_translation_job_properties_list() {
            let job = job(p, &ctx.account, region);
            if wanted(ctx, &job) {
                listing.jobs.push(job);
            }
        }
    }

    let mut pages = client.list_terminologies().max_results(500).into_paginator().send();
    while let Some(page) = ctx.call(pages.next()).await {
        let page = page.map_err(|e| refused(ctx, "ListTerminologies", region, &failure::describe(&e)))?;
        for p in page.terminology_properties_list() {
            listing.terminologies.push(custom(p.name(), p.arn(), p.encryption_key(), None, &ctx.account, region));
        }
    }

    let mut pages = client.list_parallel_data().max_results(500).into_paginator().send();
    while let Some(page) = ctx.call(pages.next()).await {
        let page = page.map_err(|e| refused(ctx, "ListParallelData", region, &failure::describe(&e)))?;
        for p in page.parallel_data_properties_list() {
            let status = p.status().map(|s| s.as_str().to_owned());
            listing.parallel_data.push(custom(p.name(), p.arn(), p.encryption_key(), status, &ctx.account, region));
        }
    }
    Ok(listing)
}

fn refused(ctx: &Ctx, operation: &'static str, region: &str, f: &Failure) -> CollectError {
    if f.unreachable {
        return CollectError::Unreachable {
            endpoint: format!("Amazon Translate in {region} ({})", ctx.clients.endpoint_of("translate")),
            message: f.message.clone(),
        };
    }
    CollectError::Refused {
        service: "translate",
        operation,
        region: region.to_owned(),
        message: f.said(),
        hint: if f.status == Some(403) || f.code.as_deref().is_some_and(|c| c.starts_with("AccessDenied")) {
            "the scan needs the read-only permissions of docs/atrest-readonly-policy.json"
        } else {
            "the retries ran out; run the scan again later, or with a lower --concurrency"
        },
    }
}

/// `--job-id` and `--since` (the service filter is applied again here: its bound is not documented as inclusive).
fn wanted(ctx: &Ctx, job: &TranslationJob) -> bool {
    let by_id = ctx.options.job_ids.is_empty() || ctx.options.job_ids.contains(&job.job_id);
    let by_time = match (ctx.options.since, &job.submitted_time) {
        (Some(since), Some(at)) => DateTime::from_str(at, Format::DateTime).is_ok_and(|t| t.secs() >= since),
        (Some(_), None) => false,
        (None, _) => true,
    };
    by_id && by_time
}

fn time(t: Option<&DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(Format::DateTime).ok())
}

fn key(k: Option<&t::EncryptionKey>) -> Option<EncryptionKey> {
    k.map(|k| EncryptionKey { key_type: k.r#type().as_str().to_owned(), id: k.id().to_owned() })
}

fn job(p: &t::TextTranslationJobProperties, account: &str, region: &str) -> TranslationJob {
    TranslationJob {
        job_id: p.job_id().unwrap_or_default().to_owned(),
        account: account.to_owned(),
        region: region.to_owned(),
        job_name: p.job_name().map(str::to_owned),
        job_status: p.job_status().map(|s| s.as_str().to_owned()),
        job_details: p.job_details().map(|d| JobDetails {
            translated_documents_count: d.translated_documents_count().map(i64::from),
            documents_with_errors_count: d.documents_with_errors_count().map(i64::from),
            input_documents_count: d.input_documents_count().map(i64::from),
        }),
        source_language_code: p.source_language_code().map(str::to_owned),
        target_language_codes: p.target_language_codes().to_vec(),
        terminology_names: p.terminology_names().to_vec(),
        parallel_data_names: p.parallel_data_names().to_vec(),
        message: p.message().map(str::to_owned),
        submitted_time: time(p.submitted_time()),
        end_time: time(p.end_time()),
        input_data_config: p
            .input_data_config()
            .map(|c| InputDataConfig { s3_uri: c.s3_uri().to_owned(), content_type: Some(c.content_type().to_owned()) })
            .unwrap_or_default(),
        output_data_config: p
            .output_data_config()
            .map(|c| OutputDataConfig { s3_uri: c.s3_uri().to_owned(), encryption_key: key(c.encryption_key()) })
            .unwrap_or_default(),
        data_access_role_arn: p.data_access_role_arn().unwrap_or_default().to_owned(),
        settings: p.settings().map(|s| JobSettings {
            formality: s.formality().map(|v| v.as_str().to_owned()),
            profanity: s.profanity().map(|v| v.as_str().to_owned()),
            brevity: s.brevity().map(|v| v.as_str().to_owned()),
        }),
        origin: None,
    }
}

fn custom(
    name: Option<&str>,
    arn: Option<&str>,
    encryption_key: Option<&t::EncryptionKey>,
    status: Option<String>,
    account: &str,
    region: &str,
) -> CustomResource {
    CustomResource {
        name: name.unwrap_or_default().to_owned(),
        arn: arn.unwrap_or_default().to_owned(),
        account: account.to_owned(),
        region: region.to_owned(),
        status,
        encryption_key: key(encryption_key),
        origin: None,
    }
}
