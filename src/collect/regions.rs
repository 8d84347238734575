//! `--region all`: the regions that offer Amazon Translate, from AWS's public SSM parameters (which AWS
//! keeps current), and, per account, those enabled for it (Account Management ListRegions).

use super::failure;
use super::{CollectError, Ctx};
use crate::vocab::{Operation, Service};

/// AWS publishes one parameter per region a service is offered in under this path (Systems Manager User
/// Guide, "Calling AWS service, Region, endpoint, and Availability Zone public parameters").
pub const TRANSLATE_REGIONS: &str = "/aws/service/global-infrastructure/services/translate/regions";

/// The regions offering Translate, asked once with the starting credentials (the list is the same for
/// every account of a partition).
pub async fn offering_translate(start: &Ctx) -> Result<Vec<String>, CollectError> {
    let client = start.clients.ssm();
    let mut regions = Vec::new();
    let mut pages = client.get_parameters_by_path().path(TRANSLATE_REGIONS).into_paginator().send();
    while let Some(page) = start.call(pages.next()).await {
        match page {
            Ok(page) => regions.extend(page.parameters().iter().filter_map(|p| p.value().map(str::to_owned))),
            Err(e) => {
                let f = failure::describe(&e);
                return Err(CollectError::Refused {
                    service: "ssm",
                    operation: "GetParametersByPath",
                    region: start.clients.regions[0].clone(),
                    message: f.said(),
                    hint: "--region all reads the regions offering Translate from AWS's public parameter \
                           /aws/service/global-infrastructure/services/translate/regions (ssm:GetParametersByPath); \
                           allow it, or name the regions with --region",
                });
            }
        }
    }
    regions.sort();
    regions.dedup();
    if regions.is_empty() {
        return Err(CollectError::Refused {
            service: "ssm",
            operation: "GetParametersByPath",
            region: start.clients.regions[0].clone(),
            message: format!("{TRANSLATE_REGIONS} lists no region"),
            hint: "name the regions with --region",
        });
    }
    Ok(regions)
}

/// The regions of `offering` that are enabled for the account. When ListRegions is refused, every region
/// offering Translate is read (a disabled one then fails as a gap of its own) and the refusal is a gap.
pub async fn enabled(ctx: &Ctx, offering: &[String]) -> Vec<String> {
    use aws_sdk_account::types::RegionOptStatus;
    let client = ctx.clients.account();
    let mut enabled = Vec::new();
    let mut pages = client
        .list_regions()
        .region_opt_status_contains(RegionOptStatus::Enabled)
        .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
        .into_paginator()
        .send();
    while let Some(page) = ctx.call(pages.next()).await {
        match page {
            Ok(page) => enabled.extend(page.regions().iter().filter_map(|r| r.region_name().map(str::to_owned))),
            Err(e) => {
                let f = failure::describe(&e);
                ctx.gap(Service::Account, Operation::ListRegions, format!("account:{}", ctx.account), &f);
                return offering.to_vec();
            }
        }
    }
    offering.iter().filter(|r| enabled.contains(r)).cloned().collect()
}
