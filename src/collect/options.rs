//! What a collection is asked for and what it gives back: the options, the object sampling, the result
//! and the errors that stop a collection.

use super::{AccountSelection, InventorySource, Progress};
use crate::inventory::Inventory;
use crate::vocab::aws::ApiCalls;

/// How many objects per prefix get a HeadObject, and whether S3 Inventory reports are looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectSampling {
    None,
    Sample(usize),
    All,
    /// Each job bucket's newest S3 Inventory report judges every object; HeadObject on N SSE-KMS objects per
    /// prefix confirms their key (a prefix no report covers is sampled with N).
    Inventory(usize),
}

/// The HeadObject sample of `inventory` without `:N`.
pub const INVENTORY_KEY_SAMPLE: usize = 100;

impl ObjectSampling {
    /// `none`, `all`, `sample:N`, `inventory` or `inventory:N` (N ≥ 1).
    pub fn parse(text: &str) -> Result<ObjectSampling, String> {
        let count = |rest: &str| rest.parse::<usize>().ok().filter(|n| *n > 0);
        match text {
            "none" => Ok(ObjectSampling::None),
            "all" => Ok(ObjectSampling::All),
            "inventory" => Ok(ObjectSampling::Inventory(INVENTORY_KEY_SAMPLE)),
            _ => match (text.strip_prefix("sample:"), text.strip_prefix("inventory:")) {
                (Some(n), _) if count(n).is_some() => Ok(ObjectSampling::Sample(count(n).unwrap_or(1))),
                (_, Some(n)) if count(n).is_some() => Ok(ObjectSampling::Inventory(count(n).unwrap_or(1))),
                _ => Err(format!(
                    "`{text}` is not none, all, sample:N, inventory or inventory:N with N a positive number"
                )),
            },
        }
    }

    pub fn as_string(&self) -> String {
        match self {
            ObjectSampling::None => "none".into(),
            ObjectSampling::All => "all".into(),
            ObjectSampling::Sample(n) => format!("sample:{n}"),
            ObjectSampling::Inventory(n) => format!("inventory:{n}"),
        }
    }

    /// How objects are read where no inventory report covers them, and how many SSE-KMS objects of a
    /// report get a HeadObject.
    pub fn headers(&self) -> ObjectSampling {
        match *self {
            ObjectSampling::Inventory(n) => ObjectSampling::Sample(n),
            other => other,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub profile: Option<String>,
    pub regions: Vec<String>,
    pub endpoint_url: Option<String>,
    pub job_ids: Vec<String>,
    /// Jobs submitted at or after this time (epoch seconds).
    pub since: Option<i64>,
    pub objects: ObjectSampling,
    /// S3 Inventory manifests named with `--inventory`, loaded before any call.
    pub inventory: Vec<InventorySource>,
    /// The accounts to read and how to reach them.
    pub accounts: AccountSelection,
    pub concurrency: usize,
    /// The longest the whole collection may take: a hung endpoint costs each wave of calls the SDK's
    /// timeouts, with no bound on the waves.
    pub timeout: std::time::Duration,
    pub progress: Progress,
}

/// What a collection produced: the inventory and how many calls it took.
#[derive(Debug, Clone)]
pub struct Collection {
    pub inventory: Inventory,
    pub api_calls: Vec<ApiCalls>,
    pub started_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(
        "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), a `region` in the profile, or pass --region REGION"
    )]
    NoRegion,
    #[error("AWS_REGION is set but empty: set it to a region such as us-east-1, unset it, or pass --region REGION")]
    EmptyRegion,
    #[error(
        "no AWS credentials: {0}\n  set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile NAME, \
         or run where an instance, container or SSO role provides them"
    )]
    NoCredentials(String),
    #[error("cannot reach {endpoint} ({message}): check --endpoint-url, AWS_ENDPOINT_URL* and the network")]
    Unreachable { endpoint: String, message: String },
    #[error("{service} {operation} in {region} failed: {message}; {hint}")]
    Refused { service: &'static str, operation: &'static str, region: String, message: String, hint: &'static str },
    #[error(
        "no job {ids} in {regions}: check the id (`aws translate list-text-translation-jobs` lists them) and --region"
    )]
    JobsNotFound { ids: String, regions: String },
    #[error(
        "the collection did not finish within {seconds} s (--timeout): an endpoint may be hanging; check the \
         network and --endpoint-url, or raise --timeout for a large account"
    )]
    TimedOut { seconds: u64 },
    #[error(
        "--profile {0}: no such profile in the shared config and credentials files (~/.aws/config, \
         ~/.aws/credentials, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE)"
    )]
    NoProfile(String),
    #[error("--region all stands alone: name regions, or ask for all of them")]
    AllRegions,
    #[error("no account to read: {0}")]
    NoAccounts(String),
    #[error("--inventory {path}: {message}")]
    Inventory { path: String, message: String },
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}
