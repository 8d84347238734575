//! The AWS clients of one collection: one `SdkConfig`, per-region service clients built from it, and the
//! interceptor that counts every call and every HTTP attempt.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::{CollectError, CollectOptions, Progress};
use crate::vocab::aws::ApiCalls;

/// (service, operation) → (calls, HTTP attempts).
type Counts = BTreeMap<(String, String), (u64, u64)>;

/// Calls and HTTP attempts (retries included) per service and operation; each attempt also ticks the
/// progress line.
#[derive(Debug, Clone)]
pub struct CallCounter {
    counts: Arc<Mutex<Counts>>,
    progress: Progress,
}

impl CallCounter {
    fn bump(&self, cfg: &ConfigBag, attempt: bool) {
        let Some(meta) = cfg.load::<Metadata>() else { return };
        let mut map = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.entry((meta.service().to_ascii_lowercase(), meta.name().to_owned())).or_default();
        if attempt {
            entry.1 += 1;
            self.progress.tick();
        } else {
            entry.0 += 1;
        }
    }

    pub fn snapshot(&self) -> Vec<ApiCalls> {
        let map = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        map.iter()
            .map(|((service, operation), &(calls, requests))| ApiCalls {
                service: service.clone(),
                operation: operation.clone(),
                calls,
                requests,
            })
            .collect()
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "atrest-call-counter"
    }

    // Once per operation, and late enough that the operation's metadata is in the bag.
    fn read_before_serialization(
        &self,
        _: &BeforeSerializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.bump(cfg, false);
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.bump(cfg, true);
        Ok(())
    }
}

/// A client asked in the scan's first region (global services and account-wide questions), counted like
/// every other.
macro_rules! home_client {
    ($clients:expr, $sdk:ident) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from(&$clients.sdk)
                .region(Region::new($clients.regions[0].clone()))
                .interceptor($clients.counter.clone())
                .build(),
        )
    };
}

/// The HTTP client with a limit on attempts in flight, shared by every account's clients.
#[derive(Debug, Clone)]
struct Limited {
    inner: SharedHttpClient,
    permits: Arc<tokio::sync::Semaphore>,
}

impl HttpClient for Limited {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        let inner = self.inner.http_connector(settings, components);
        SharedHttpConnector::new(LimitedConnector { inner, permits: self.permits.clone() })
    }
}

#[derive(Debug)]
struct LimitedConnector {
    inner: SharedHttpConnector,
    permits: Arc<tokio::sync::Semaphore>,
}

impl HttpConnector for LimitedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, permits) = (self.inner.clone(), self.permits.clone());
        HttpConnectorFuture::new(async move {
            // Held until the answer's head arrives; a body read after that takes no place.
            let _permit = permits.acquire_owned().await;
            inner.call(request).await
        })
    }
}

/// Service clients for every region of the scan, sharing one configuration, one HTTP client and one counter.
pub struct Clients {
    pub sdk: SdkConfig,
    pub regions: Vec<String>,
    pub counter: CallCounter,
    /// A custom endpoint is set: S3 is addressed path-style.
    pub path_style: bool,
    per_region: Mutex<BTreeMap<String, RegionClients>>,
    /// IAM is global: one client for every role.
    pub iam: aws_sdk_iam::Client,
}

#[derive(Clone)]
pub struct RegionClients {
    pub s3: aws_sdk_s3::Client,
    pub kms: aws_sdk_kms::Client,
    pub translate: aws_sdk_translate::Client,
}

impl Clients {
    /// Loads the standard configuration chain, applies the flags, and checks that a region and credentials
    /// exist before any call is made (both are reasons to stop with exit 2).
    pub async fn load(options: &CollectOptions) -> Result<Clients, CollectError> {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
            .build_https();
        // `--concurrency` bounds HTTP attempts, not calls: a call that backs off after throttling holds no
        // place, so one throttled account does not slow the others (their own limit is per call, in Ctx).
        let http = SharedHttpClient::new(Limited {
            inner: http,
            permits: Arc::new(tokio::sync::Semaphore::new(options.concurrency.max(1))),
        });
        // Standard retries: exponential backoff with jitter, throttling and 5xx answers retried. Adaptive mode
        // was measured first: its client-side rate limiter, fed by a handful of requests, slept 49 s after
        // three throttled answers in a six-job scan (2.3 s with this).
        let retry = RetryConfig::standard().with_max_attempts(6).with_initial_backoff(Duration::from_millis(500));
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(Duration::from_secs(30))
            .operation_timeout(Duration::from_secs(120))
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http.clone())
            .retry_config(retry)
            .timeout_config(timeouts);
        if let Some(profile) = &options.profile
            && !profile_defined(profile).await
        {
            return Err(CollectError::NoProfile(profile.clone()));
        }
        if let Some(profile) = &options.profile {
            // As the AWS CLI does, a profile named on the command line wins over credentials in the
            // environment (the default chain would read AWS_ACCESS_KEY_ID first).
            // The provider needs the HTTP client for profiles that assume roles or use SSO.
            let config = aws_config::provider_config::ProviderConfig::without_region().with_http_client(http.clone());
            let credentials = aws_config::profile::ProfileFileCredentialsProvider::builder()
                .configure(&config)
                .profile_name(profile)
                .build();
            loader = loader.profile_name(profile).credentials_provider(credentials);
        }
        if let Ok(region) = std::env::var("AWS_REGION")
            && region.trim().is_empty()
            && options.regions.is_empty()
        {
            return Err(CollectError::EmptyRegion);
        }
        // `--region all` names no region to start from: the configuration's own, else us-east-1.
        let all = options.regions.iter().any(|r| r == "all");
        if all && options.regions.len() > 1 {
            return Err(CollectError::AllRegions);
        }
        if let Some(first) = options.regions.first().filter(|_| !all) {
            loader = loader.region(Region::new(first.clone()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let sdk = loader.load().await;
        let regions = if all {
            vec![sdk.region().map_or_else(|| "us-east-1".to_owned(), |r| r.to_string())]
        } else if options.regions.is_empty() {
            match sdk.region() {
                Some(r) => vec![r.to_string()],
                None => return Err(CollectError::NoRegion),
            }
        } else {
            options.regions.clone()
        };
        let Some(provider) = sdk.credentials_provider() else {
            return Err(CollectError::NoCredentials("no credentials provider is configured".into()));
        };
        if let Err(e) = provider.provide_credentials().await {
            // The chain's last provider speaks for all of them; its innermost cause is the readable part
            // (the SDK's full context is a page of debug output).
            let mut cause: &dyn std::error::Error = &e;
            while let Some(next) = cause.source() {
                cause = next;
            }
            let cause = cause.to_string();
            let one_line = cause.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
            let mut text = crate::vocab::text::redact(&one_line).into_owned();
            if text.chars().count() > 200 {
                text = text.chars().take(200).collect::<String>() + "…";
            }
            return Err(CollectError::NoCredentials(format!(
                "none found in the environment, the shared config and credentials files, SSO, web identity, or \
                 container and instance metadata; the last said: {text}"
            )));
        }
        let path_style =
            sdk.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some_and(|v| !v.is_empty());
        let counter = CallCounter { counts: Arc::default(), progress: options.progress.clone() };
        Ok(Clients::from_sdk(sdk, regions, counter, path_style))
    }

    fn from_sdk(sdk: SdkConfig, regions: Vec<String>, counter: CallCounter, path_style: bool) -> Clients {
        let iam = aws_sdk_iam::config::Builder::from(&sdk).interceptor(counter.clone()).build();
        let iam = aws_sdk_iam::Client::from_conf(iam);
        Clients { sdk, regions, counter, path_style, per_region: Mutex::new(BTreeMap::new()), iam }
    }

    /// The clients of another account: the same configuration, HTTP client and counter, with the
    /// credentials of `role_arn` through the SDK's assume-role provider (session name `atrest`), which the
    /// configuration's identity cache refreshes before they expire on a long scan.
    pub async fn assume(&self, role_arn: &str, external_id: Option<&str>) -> Clients {
        let mut builder =
            aws_config::sts::AssumeRoleProvider::builder(role_arn).configure(&self.sdk).session_name("atrest");
        if let Some(id) = external_id {
            builder = builder.external_id(id);
        }
        let provider = builder.build().await;
        let sdk = self
            .sdk
            .to_builder()
            .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(provider))
            .build();
        Clients::from_sdk(sdk, self.regions.clone(), self.counter.clone(), self.path_style)
    }

    pub fn ssm(&self) -> aws_sdk_ssm::Client {
        home_client!(self, aws_sdk_ssm)
    }

    /// The Account Management API is global: asked in the scan's first region, as the SDK routes it.
    pub fn account(&self) -> aws_sdk_account::Client {
        home_client!(self, aws_sdk_account)
    }

    /// Organizations is global: asked in the scan's first region, as the SDK routes it.
    pub fn organizations(&self) -> aws_sdk_organizations::Client {
        home_client!(self, aws_sdk_organizations)
    }

    fn build_region(&self, region: &str) -> RegionClients {
        let region = Region::new(region.to_owned());
        let s3 = aws_sdk_s3::config::Builder::from(&self.sdk)
            .region(region.clone())
            .force_path_style(self.path_style)
            .interceptor(self.counter.clone())
            .build();
        let kms = aws_sdk_kms::config::Builder::from(&self.sdk)
            .region(region.clone())
            .interceptor(self.counter.clone())
            .build();
        let translate = aws_sdk_translate::config::Builder::from(&self.sdk)
            .region(region)
            .interceptor(self.counter.clone())
            .build();
        RegionClients {
            s3: aws_sdk_s3::Client::from_conf(s3),
            kms: aws_sdk_kms::Client::from_conf(kms),
            translate: aws_sdk_translate::Client::from_conf(translate),
        }
    }

    /// The clients of a region, built on first use (regions found on the way, such as a bucket's, included).
    pub fn region(&self, region: &str) -> RegionClients {
        let mut map = self.per_region.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(region.to_owned()).or_insert_with(|| self.build_region(region)).clone()
    }

    /// The scan's first region: where account-wide questions (STS, ListBuckets) are asked.
    pub fn home(&self) -> RegionClients {
        self.region(&self.regions[0])
    }

    pub fn sts(&self) -> aws_sdk_sts::Client {
        home_client!(self, aws_sdk_sts)
    }

    /// Where calls go, for messages: the custom endpoint, or AWS.
    /// The endpoint a service's requests go to: `AWS_ENDPOINT_URL_<SERVICE>` when set (the SDK honours it
    /// over the others), else as `endpoint_description`.
    pub fn endpoint_of(&self, service: &str) -> String {
        match std::env::var(format!("AWS_ENDPOINT_URL_{}", service.to_ascii_uppercase())) {
            Ok(url) if !url.trim().is_empty() => crate::vocab::text::redact(url.trim()).into_owned(),
            _ => self.endpoint_description(),
        }
    }

    pub fn endpoint_description(&self) -> String {
        match self.sdk.endpoint_url() {
            // `--endpoint-url http://user:pass@host` must not print the password.
            Some(url) => crate::vocab::text::redact(url).into_owned(),
            None => "the AWS endpoints".to_owned(),
        }
    }
}

/// Whether a profile is defined in the shared config or credentials file, read by the SDK's own parser
/// (the files at their standard places, or where AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE say).
async fn profile_defined(name: &str) -> bool {
    use aws_types::os_shim_internal::{Env, Fs};
    aws_config::profile::load(&Fs::real(), &Env::real(), &Default::default(), None)
        .await
        .is_ok_and(|profiles| profiles.get_profile(name).is_some())
}
