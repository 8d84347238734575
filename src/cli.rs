//! The command line: clap definitions, and their resolution into the settings the commands take.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::simulate::{self, ContextPair};
use crate::settings::OutputFlags;
use crate::vocab::{FailOn, Format, Ruleset};

/// Proves Amazon Translate batch-translation data is encrypted at rest the way AWS documents it.
#[derive(Debug, Parser)]
#[command(name = "atrest", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// The largest input file (snapshot, baseline, config, policy, file to lint, stdin) read, in MiB.
    #[arg(long = "max-input-mb", value_name = "MiB", global = true, default_value_t = crate::input::DEFAULT_LIMIT_MB,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_input_mb: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect from AWS, then audit: the scheduled-scan and CI-gate command.
    ///
    /// Credentials and region come from the standard AWS chain, first found wins: --profile NAME (then
    /// the shared files ~/.aws/config and ~/.aws/credentials), else AWS_ACCESS_KEY_ID /
    /// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE, SSO, web identity (AWS_WEB_IDENTITY_TOKEN_FILE),
    /// then container and instance metadata. Region: --region, else AWS_REGION / AWS_DEFAULT_REGION, else
    /// the profile's `region`. The permissions needed are in docs/permissions.md.
    ///
    /// Exit codes as for audit; 2 also when no region or credentials are found or the endpoint cannot
    /// be reached. A failed read never stops the scan: it is listed under `errors` and what it blocked is
    /// UNKNOWN.
    Scan(ScanArgs),
    /// Collect from AWS into a snapshot file (written atomically), without auditing it.
    Collect(CollectArgs),
    /// Audit one or more snapshot files offline: no network, no credentials.
    ///
    /// Exits 0 when no counted FAIL or UNKNOWN is at or above --fail-on, 1 when one is, 2 when the run
    /// could not be done (bad flags, an unreadable or invalid snapshot, config or baseline).
    Audit(AuditArgs),
    /// Lint policy files before they are deployed; folders are walked, `-` reads stdin.
    ///
    /// Exit codes as for audit: 2 for an unreadable path or a binary file.
    Lint(LintArgs),
    /// List the rules, or explain one (`atrest rules explain AR203`).
    Rules(RulesArgs),
    /// Decide one request offline against policy files and say which statements decided it.
    ///
    /// Exits 0 whenever a decision was made, whatever it is; 2 on bad input.
    Simulate(SimulateArgs),
    /// Print a shell completion script: `atrest completions bash > /etc/bash_completion.d/atrest`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `atrest man > /usr/local/share/man/man1/atrest.1`.
    Man,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Snapshot files written by `atrest collect`.
    #[arg(value_name = "SNAPSHOT", required = true)]
    pub snapshots: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where and what to collect: shared by scan and collect.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("many_accounts").args(["org", "accounts"]).multiple(false)))]
pub struct CollectionArgs {
    /// A named profile of the shared AWS config and credentials files.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// A region to scan (repeatable), or `all`: each account's enabled regions that offer Translate
    /// [default: the region of the AWS configuration].
    #[arg(long = "region", value_name = "REGION", value_parser = parse_region)]
    pub regions: Vec<String>,
    /// Send every service to this endpoint (S3 then uses path-style addressing). AWS_ENDPOINT_URL and
    /// AWS_ENDPOINT_URL_<SERVICE> are honoured too.
    #[arg(long = "endpoint-url", value_name = "URL", value_parser = parse_endpoint)]
    pub endpoint_url: Option<String>,
    /// Only this job (repeatable).
    #[arg(long = "job-id", value_name = "ID", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub job_ids: Vec<String>,
    /// Only jobs submitted at or after this RFC 3339 date or time (2026-11-01 or 2026-11-01T12:00:00Z).
    #[arg(long, value_name = "DATE", value_parser = crate::vocab::time::parse_since)]
    pub since: Option<i64>,
    /// Objects whose encryption headers are read per job prefix: none, sample:N or all; inventory[:N] judges
    /// every object from each job bucket's newest S3 Inventory report and confirms the KMS key of N SSE-KMS
    /// objects per prefix with HeadObject (default 100; prefixes no report covers are sampled with N).
    #[arg(
        long,
        value_name = "none|sample:N|all|inventory[:N]",
        default_value = "sample:100",
        value_parser = parse_objects
    )]
    pub objects: crate::collect::ObjectSampling,
    /// An S3 Inventory manifest.json (a local path or s3://BUCKET/KEY; repeatable): its bucket's objects are
    /// judged from the report; --objects sets the HeadObject sample that confirms SSE-KMS keys.
    #[arg(long = "inventory", value_name = "MANIFEST", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub inventory: Vec<String>,
    /// HTTP requests in flight at once, all accounts together.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Calls in flight per account (API quotas are per account and region) [default: --concurrency].
    #[arg(long = "account-concurrency", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub account_concurrency: Option<u16>,
    /// Read every ACTIVE account of the organization (organizations:ListAccounts with the starting
    /// credentials: the management account or a delegated administrator).
    #[arg(long, conflicts_with = "accounts")]
    pub org: bool,
    /// Read these accounts (12-digit ids, comma-separated or repeated).
    #[arg(long, value_name = "ID[,ID...]", value_delimiter = ',', value_parser = crate::collect::parse_account)]
    pub accounts: Vec<String>,
    /// Leave these accounts out of --org or --accounts.
    #[arg(long = "exclude-accounts", value_name = "ID[,ID...]", value_delimiter = ',', value_parser = crate::collect::parse_account, requires = "many_accounts")]
    pub exclude_accounts: Vec<String>,
    /// The role assumed in each account other than the starting one: arn:aws:iam::ACCOUNT:role/NAME (a
    /// role name, with --org or --accounts).
    #[arg(long = "role-name", value_name = "NAME", default_value = "atrest-audit", value_parser = parse_role_name, requires = "many_accounts")]
    pub role_name: String,
    /// The external id the audit role's trust policy asks for (with --org or --accounts).
    #[arg(long = "external-id", value_name = "ID", value_parser = parse_external_id, requires = "many_accounts")]
    pub external_id: Option<String>,
    /// Read only the accounts at positions INDEX modulo COUNT of the sorted account list (0-based), plus
    /// what their jobs name in other accounts; `atrest audit` of all COUNT snapshots equals one scan
    /// (with --org or --accounts).
    #[arg(long, value_name = "INDEX/COUNT", value_parser = crate::collect::Shard::parse, requires = "many_accounts")]
    pub shard: Option<crate::collect::Shard>,
    /// The longest the whole collection may take, in seconds; past it the run stops with exit 2.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}

/// A role name as IAM takes it (IAM API Reference, CreateRole: `RoleName`, 1 to 64 characters of
/// `[\w+=,.@-]`): not an ARN or a path.
fn parse_role_name(s: &str) -> Result<String, String> {
    let ok = (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
    if ok {
        Ok(s.to_owned())
    } else {
        Err("expected a role name: 1 to 64 letters, digits and _+=,.@- (the name, not an ARN or a path)".into())
    }
}

/// An external id as STS takes it (STS API Reference, AssumeRole: `ExternalId`, 2 to 1,224 characters of
/// `[\w+=,.@:\/-]`).
fn parse_external_id(s: &str) -> Result<String, String> {
    let ok = (2..=1224).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@:/-".contains(&b));
    if ok {
        Ok(s.to_owned())
    } else {
        Err("expected an external id: 2 to 1,224 letters, digits and _+=,.@:/- (AssumeRole's ExternalId)".into())
    }
}

/// A region name: lower-case letters, digits and hyphens (us-east-1, eu-west-3, us-gov-west-1), or `all`.
fn parse_region(s: &str) -> Result<String, String> {
    if s == "all" {
        return Ok(s.to_owned());
    }
    let ok = !s.is_empty()
        && s.contains('-')
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok { Ok(s.to_owned()) } else { Err("expected a region name such as us-east-1, or all".into()) }
}

/// An endpoint URL: http:// or https:// and a host.
fn parse_endpoint(s: &str) -> Result<String, String> {
    let host = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .map(|r| r.split(['/', '?']).next().unwrap_or(""));
    match host {
        Some(h) if !h.is_empty() => Ok(s.to_owned()),
        _ => Err("expected an http:// or https:// URL with a host, for example http://localhost:4566".into()),
    }
}

fn parse_objects(s: &str) -> Result<crate::collect::ObjectSampling, String> {
    crate::collect::ObjectSampling::parse(s)
}

impl CollectionArgs {
    /// The collection flags as plain data: the `--inventory` manifests stay names, which
    /// `CollectionFlags::resolve` (settings.rs) reads, so nothing here reads a file.
    pub fn into_flags(self, progress: crate::collect::Progress) -> crate::settings::CollectionFlags {
        let manifests = self.inventory.clone();
        let options = crate::collect::CollectOptions {
            profile: self.profile,
            // A region named twice is read once: its jobs would otherwise be judged twice.
            regions: {
                let mut seen = std::collections::BTreeSet::new();
                self.regions.into_iter().filter(|r| seen.insert(r.clone())).collect()
            },
            endpoint_url: self.endpoint_url,
            job_ids: self.job_ids,
            since: self.since,
            objects: self.objects,
            inventory: Vec::new(),
            accounts: crate::collect::AccountSelection {
                org: self.org,
                accounts: self.accounts,
                exclude: self.exclude_accounts,
                role_name: self.role_name,
                external_id: self.external_id,
                shard: self.shard,
                per_account: usize::from(self.account_concurrency.unwrap_or(self.concurrency)),
            },
            concurrency: usize::from(self.concurrency),
            timeout: std::time::Duration::from_secs(self.timeout),
            progress,
        };
        crate::settings::CollectionFlags { options, manifests }
    }
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub collection: CollectionArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub collection: CollectionArgs,
    /// The snapshot file to write (atomically).
    #[arg(long, short = 'o', value_name = "SNAPSHOT", required = true)]
    pub output: PathBuf,
    /// No progress or summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// Each phase's time and requests on stderr.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Policy files or folders; `-` reads one document from stdin.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Exit 0, saying so, when no file is a policy, job request, template or plan (for pre-commit hooks,
    /// which pass every changed file); without it that is exit 2, so a CI gate that checked nothing fails.
    #[arg(long)]
    pub if_any: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

impl LintArgs {
    pub fn into_parts(self) -> (Vec<PathBuf>, bool, OutputFlags) {
        (self.paths, self.if_any, self.output.into_flags())
    }
}

impl AuditArgs {
    pub fn into_parts(self) -> (Vec<PathBuf>, OutputFlags) {
        (self.snapshots, self.output.into_flags())
    }
}

/// The output flags shared by scan, audit and lint.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Report format [default: table, or `format` in the config file].
    #[arg(long, value_parser = format_parser())]
    pub format: Option<Format>,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Ruleset [default: baseline].
    #[arg(long, value_enum)]
    pub ruleset: Option<RulesetArg>,
    /// Config file [default: ./atrest.toml when present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The lowest severity that fails the run: critical, high, medium, low, info or none [default: low].
    #[arg(long = "fail-on", value_name = "SEVERITY", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// Do not count UNKNOWN results towards the exit code.
    #[arg(long = "allow-unknown")]
    pub allow_unknown: bool,
    /// Results of an earlier JSON report: failures already there are marked existing and do not fail the run.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
    /// Show PASS and NOT_VERIFIABLE results in the table too.
    #[arg(long = "show-pass")]
    pub show_pass: bool,
    /// No progress or warnings on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// More detail on stderr.
    #[arg(short, long)]
    pub verbose: bool,
}

/// `--format` takes the names of `Format::ALL`, the list the config file checks too.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Format::ALL.map(|(name, _)| name))
        .map(|name| Format::parse(&name).expect("clap admits only the listed names"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesetArg {
    Baseline,
    Strict,
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    FailOn::parse(s).ok_or_else(|| "expected one of critical, high, medium, low, info, none".into())
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: Option<RulesAction>,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Print a rule's rationale, what fails, how to fix it, and the sentence it enforces.
    Explain {
        /// A rule id such as AR203, or its slug (output-key-policy-grants-role).
        id: String,
    },
}

impl OutputArgs {
    pub fn into_flags(self) -> OutputFlags {
        OutputFlags {
            format: self.format,
            output: self.output,
            ruleset: self.ruleset.map(|r| match r {
                RulesetArg::Baseline => Ruleset::Baseline,
                RulesetArg::Strict => Ruleset::Strict,
            }),
            config: self.config,
            fail_on: self.fail_on,
            allow_unknown: self.allow_unknown,
            show_pass: self.show_pass,
            baseline: self.baseline,
            quiet: self.quiet,
            verbose: self.verbose,
        }
    }
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Who asks: a role, an assumed-role session, a user, an account (root) or a service principal
    /// such as translate.amazonaws.com.
    #[arg(long, value_name = "ARN")]
    pub principal: String,
    /// The action, SERVICE:ACTION (for example kms:GenerateDataKey).
    #[arg(long, value_name = "SERVICE:ACTION", value_parser = parse_action)]
    pub action: String,
    /// The resource ARN (a KMS key or alias, an S3 bucket or object, a role for sts:AssumeRole), or `*`
    /// for an action that takes no resource (kms:CreateKey, s3:ListAllMyBuckets, sts:GetCallerIdentity).
    #[arg(long, value_name = "ARN")]
    pub resource: String,
    /// One of the principal's identity policies (repeatable).
    #[arg(long = "identity-policy", value_name = "FILE")]
    pub identity_policies: Vec<PathBuf>,
    /// The principal's permissions boundary.
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<PathBuf>,
    /// The resource's policy: a KMS key policy, a bucket policy, or a role trust policy for sts:AssumeRole
    /// (which must allow the principal even within one account). A KMS alias has none.
    #[arg(long = "resource-policy", value_name = "FILE")]
    pub resource_policy: Option<PathBuf>,
    /// A KMS ListGrants answer (JSON) for the key.
    #[arg(long, value_name = "FILE")]
    pub grants: Option<PathBuf>,
    /// A condition key's value; repeat a key for several values. By default the context is open: a key
    /// not given may be present with any value or absent at run time, so every condition that reads it
    /// (…IfExists, Null, ForAllValues: and negated operators included) is undecided, and the decision is
    /// `depends` unless the rest of the evaluation settles it.
    #[arg(long = "context", value_name = "KEY=VALUE", value_parser = parse_context)]
    pub context: Vec<ContextPair>,
    /// The account that owns the resource, for ARNs that carry none (S3 buckets and objects).
    #[arg(long = "resource-account", value_name = "ACCOUNT", value_parser = parse_account)]
    pub resource_account: Option<String>,
    /// Closed context: the keys given with --context are all the request carries; every other key is
    /// absent, and AWS's rules for absent keys decide (…IfExists and negated operators hold, Null: true
    /// holds, ForAllValues: holds, every other operator fails).
    #[arg(long = "closed-context")]
    pub closed_context: bool,
    /// A level of service control policies on the principal's account's path (repeatable: root first,
    /// then each OU, then the account): one policy, or a JSON array of the policies attached there. Every
    /// level must allow the action and any Deny wins; SCPs do not affect service principals or
    /// service-linked roles. Leave them out for the management account, which SCPs do not affect.
    #[arg(long = "scp", value_name = "FILE")]
    pub scps: Vec<PathBuf>,
    /// A level of resource control policies on the resource's account's path (repeatable, root first, as
    /// --scp); `[]` for a level with none but RCPFullAWSAccess, which AWS keeps attached at every level.
    /// They apply to S3, STS, KMS, SQS and Secrets Manager resources, not to kms:RetireGrant or
    /// service-linked roles; leave them out for the management account's resources and AWS managed keys.
    #[arg(long = "rcp", value_name = "FILE")]
    pub rcps: Vec<PathBuf>,
    /// The principal's organization (aws:PrincipalOrgID), for example o-a1b2c3d4e5.
    #[arg(long = "org-id", value_name = "o-…", value_parser = parse_org_id)]
    pub org_id: Option<String>,
    /// The principal's path in its organization (aws:PrincipalOrgPaths), o-…/r-…/ou-…/.
    #[arg(long = "org-path", value_name = "o-…/r-…/ou-…/", value_parser = parse_org_path)]
    pub org_path: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SimulateFormat::Text)]
    pub format: SimulateFormat,
}

/// Organizations API Reference, Organization: an id matches `^o-[a-z0-9]{10,32}$`.
fn parse_org_id(s: &str) -> Result<String, String> {
    let rest = s.strip_prefix("o-").unwrap_or("");
    let ok = (10..=32).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok {
        Ok(s.to_owned())
    } else {
        Err("expected an organization id, o- and 10 to 32 lower-case letters or digits".into())
    }
}

/// `o-…/r-…/` then `ou-…/` per OU, as aws:PrincipalOrgPaths spells it (IAM User Guide, global keys).
fn parse_org_path(s: &str) -> Result<String, String> {
    let parts: Vec<&str> = s.strip_suffix('/').unwrap_or("").split('/').collect();
    let ok = parts.len() >= 2
        && parse_org_id(parts[0]).is_ok()
        && parts[1].starts_with("r-")
        && parts[1].len() > 2
        && parts[2..].iter().all(|p| p.starts_with("ou-") && p.len() > 3);
    if ok {
        Ok(s.to_owned())
    } else {
        Err("expected o-…/r-…/ou-…/ (the organization, its root, each OU, ending in /)".into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    Text,
    Json,
}

fn parse_action(s: &str) -> Result<String, String> {
    match s.split_once(':') {
        Some((service, action)) if !service.is_empty() && !action.is_empty() && !action.contains(':') => {
            Ok(s.to_owned())
        }
        _ => Err("expected SERVICE:ACTION, for example kms:Decrypt".into()),
    }
}

fn parse_context(s: &str) -> Result<ContextPair, String> {
    match s.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok(ContextPair { key: key.trim().to_owned(), value: value.to_owned() })
        }
        _ => Err("expected KEY=VALUE, for example aws:SourceAccount=111122223333".into()),
    }
}

fn parse_account(s: &str) -> Result<String, String> {
    if crate::vocab::aws::is_account_id(s) { Ok(s.to_owned()) } else { Err("expected a 12-digit account id".into()) }
}

impl SimulateArgs {
    /// Resolves the flags into the command's settings.
    pub fn into_options(self) -> simulate::Options {
        simulate::Options {
            principal: self.principal,
            action: self.action,
            resource: self.resource,
            identity_policies: self.identity_policies,
            boundary: self.boundary,
            resource_policy: self.resource_policy,
            grants: self.grants,
            context: self.context,
            resource_account: self.resource_account,
            closed_context: self.closed_context,
            json: self.format == SimulateFormat::Json,
            scps: self.scps,
            rcps: self.rcps,
            org_id: self.org_id,
            org_path: self.org_path,
        }
    }
}

/// A completion script for `shell`, generated from the clap definitions (so it never drifts from them).
pub fn completions(shell: clap_complete::Shell) -> String {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "atrest", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The man page (roff), generated from the clap definitions: the command, then each subcommand.
pub fn man_page() -> String {
    let command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut out).expect("writing to memory succeeds");
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("atrest-{}", sub.get_name());
        let sub = sub.clone().name(name).version(env!("CARGO_PKG_VERSION"));
        let _ = std::io::Write::write_all(&mut out, b"\n");
        clap_mangen::Man::new(sub).render(&mut out).expect("writing to memory succeeds");
    }
    String::from_utf8_lossy(&out).into_owned()
}
