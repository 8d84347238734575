//! The command line: clap definitions, and their resolution into the settings the commands take.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::simulate::{self, ContextPair};

/// Proves Amazon Translate batch-translation data is encrypted at rest the way AWS documents it.
#[derive(Debug, Parser)]
#[command(name = "atrest", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decide one request offline against policy files and say which statements decided it.
    ///
    /// Exits 0 whenever a decision was made, whatever it is; 2 on bad input.
    Simulate(SimulateArgs),
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
    /// The resource ARN (a KMS key, an S3 bucket or object, a role for sts:AssumeRole).
    #[arg(long, value_name = "ARN")]
    pub resource: String,
    /// One of the principal's identity policies (repeatable).
    #[arg(long = "identity-policy", value_name = "FILE")]
    pub identity_policies: Vec<PathBuf>,
    /// The principal's permissions boundary.
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<PathBuf>,
    /// The resource's policy: a KMS key policy, a bucket policy, or a role trust policy for sts:AssumeRole.
    #[arg(long = "resource-policy", value_name = "FILE")]
    pub resource_policy: Option<PathBuf>,
    /// A KMS ListGrants answer (JSON) for the key.
    #[arg(long, value_name = "FILE")]
    pub grants: Option<PathBuf>,
    /// A condition key's value; repeat a key for several values.
    #[arg(long = "context", value_name = "KEY=VALUE", value_parser = parse_context)]
    pub context: Vec<ContextPair>,
    /// The account that owns the resource, for ARNs that carry none (S3 buckets and objects).
    #[arg(long = "resource-account", value_name = "ACCOUNT", value_parser = parse_account)]
    pub resource_account: Option<String>,
    /// Treat condition keys not given with --context as absent from the request (AWS's own answer)
    /// instead of unknown.
    #[arg(long = "closed-context")]
    pub closed_context: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SimulateFormat::Text)]
    pub format: SimulateFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    Text,
    Json,
}

fn parse_action(s: &str) -> Result<String, String> {
    match s.split_once(':') {
        Some((service, action))
            if !service.is_empty() && !action.is_empty() && !action.contains(':') =>
        {
            Ok(s.to_owned())
        }
        _ => Err("expected SERVICE:ACTION, for example kms:Decrypt".into()),
    }
}

fn parse_context(s: &str) -> Result<ContextPair, String> {
    match s.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok(ContextPair {
            key: key.trim().to_owned(),
            value: value.to_owned(),
        }),
        _ => Err("expected KEY=VALUE, for example aws:SourceAccount=111122223333".into()),
    }
}

fn parse_account(s: &str) -> Result<String, String> {
    if crate::policy::request::is_account_id(s) {
        Ok(s.to_owned())
    } else {
        Err("expected a 12-digit account id".into())
    }
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
        }
    }
}
