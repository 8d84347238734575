//! The linter's input side: read files (folders walked, `-` for stdin), tell their kind from their
//! content, and hand each document to the lint rules.

pub mod chain;
pub mod setup;
pub mod yaml;

use std::path::{Path, PathBuf};

use crate::policy::json::{self, Value};
use crate::policy::{Policy, PolicyError, Pos};
pub use crate::rules::{DocKind, Document};
pub use chain::{lint, lint_rules};

/// A file read for linting.
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LintInputError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error(
        "{path} is not a text file (it has a NUL byte or is not UTF-8): give policy, job request, CloudFormation or Terraform plan files"
    )]
    Binary { path: String },
}

/// File names a folder walk picks up; a file named on the command line is read whatever its name.
const WALKED_EXTENSIONS: &[&str] = &["json", "yaml", "yml", "template"];

/// Reads the paths: files as given, folders walked (sorted, hidden entries skipped), `-` from stdin.
/// Files are read in parallel, in the order listed.
pub fn read_inputs(paths: &[PathBuf]) -> Result<Vec<SourceFile>, LintInputError> {
    use rayon::prelude::*;
    let mut listed: Vec<Option<PathBuf>> = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            listed.push(None);
        } else if p.is_dir() {
            walk(p, &mut listed)?;
        } else {
            listed.push(Some(p.clone()));
        }
    }
    // A file reached twice (named and inside a named folder) is linted once.
    let mut seen = std::collections::HashSet::new();
    listed.retain(|p| p.as_ref().is_none_or(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone()))));
    listed
        .par_iter()
        .map(|p| match p {
            None => {
                let bytes =
                    crate::input::read_stdin().map_err(|source| LintInputError::Read { path: "-".into(), source })?;
                text_file("-".into(), bytes)
            }
            Some(p) => {
                let bytes = crate::input::read(p)
                    .map_err(|source| LintInputError::Read { path: p.display().to_string(), source })?;
                text_file(p.display().to_string(), bytes)
            }
        })
        .collect()
}

/// The files of a folder, sorted, hidden entries skipped. Links are not followed (a link to a folder could
/// loop, or reach a file twice); a file named on the command line is read whatever it is.
fn walk(dir: &Path, files: &mut Vec<Option<PathBuf>>) -> Result<(), LintInputError> {
    let walker = walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name().into_iter();
    let visible = |e: &walkdir::DirEntry| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.');
    for entry in walker.filter_entry(visible) {
        let entry = entry.map_err(|e| LintInputError::Read {
            path: e.path().unwrap_or(dir).display().to_string(),
            source: e.into_io_error().unwrap_or_else(|| std::io::Error::other("a folder loop")),
        })?;
        let walked = entry.path().extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        if entry.file_type().is_file() && walked.is_some_and(|e| WALKED_EXTENSIONS.contains(&e.as_str())) {
            files.push(Some(entry.into_path()));
        }
    }
    Ok(())
}

fn text_file(path: String, bytes: Vec<u8>) -> Result<SourceFile, LintInputError> {
    if bytes.contains(&0) {
        return Err(LintInputError::Binary { path });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile { path, text }),
        Err(_) => Err(LintInputError::Binary { path }),
    }
}

/// The outcome of reading one file: a document for the rules, part of a setup, or a note that it was
/// not linted.
pub enum Classified {
    Policy {
        kind: DocKind,
        policy: Result<Policy, PolicyError>,
    },
    /// A job request, CloudFormation template or Terraform plan: read into the chain-aware fragment.
    Setup {
        kind: DocKind,
        root: Value,
    },
    /// A known kind this version does not lint yet, or no known kind: reported, never guessed.
    NotLinted {
        reason: String,
        pos: Pos,
    },
}

/// Tells a file's kind from its content and parses it.
pub fn classify(file: &SourceFile) -> Classified {
    let trimmed = file.text.trim_start();
    let looks_json = trimmed.starts_with('{') || trimmed.starts_with('[') || trimmed.starts_with('%');
    if !looks_json {
        let is_yaml = file.path.ends_with(".yaml") || file.path.ends_with(".yml") || file.path.ends_with(".template");
        if !is_yaml {
            return Classified::NotLinted {
                reason: "not a policy, job request, CloudFormation template or Terraform plan (JSON or YAML expected)"
                    .into(),
                pos: Pos { line: 1, column: 1 },
            };
        }
        return match yaml::parse(&file.text) {
            Ok(root) => match kind_of(&root) {
                Some(DocKind::CloudFormation) => Classified::Setup { kind: DocKind::CloudFormation, root },
                Some(kind) if kind.is_policy() || kind == DocKind::MalformedPolicy => policy_from_root(file, root),
                _ => Classified::NotLinted {
                    reason: "a YAML file that is not a CloudFormation template".into(),
                    pos: root.pos,
                },
            },
            // A YAML file that does not parse is reported where it breaks (AR801).
            Err(e) => Classified::Policy { kind: DocKind::MalformedPolicy, policy: Err(e.into()) },
        };
    }
    let decoded;
    let text = if trimmed.starts_with('%') {
        match crate::policy::document::percent_decode(trimmed.trim()) {
            Some(d) => {
                decoded = d;
                decoded.as_str()
            }
            None => file.text.as_str(),
        }
    } else {
        file.text.as_str()
    };
    let root = match json::parse(text) {
        Ok(v) => v,
        // Invalid JSON where a policy is expected: AR801 reports where it breaks.
        Err(e) => return Classified::Policy { kind: DocKind::MalformedPolicy, policy: Err(e.into()) },
    };
    match kind_of(&root) {
        Some(kind) if kind.is_policy() || kind == DocKind::MalformedPolicy => policy_from_root(file, root),
        Some(kind) => Classified::Setup { kind, root },
        None => Classified::NotLinted {
            reason: "no known kind: not a policy, job request, CloudFormation template or Terraform plan".into(),
            pos: root.pos,
        },
    }
}

fn policy_from_root(file: &SourceFile, root: Value) -> Classified {
    // A policy file past the largest document AWS holds is refused as audit and simulate refuse it.
    if file.text.len() > crate::policy::document::MAX_POLICY_BYTES {
        let policy = Policy::parse(file.path.clone(), &file.text);
        return Classified::Policy { kind: DocKind::MalformedPolicy, policy };
    }
    let policy = Policy::from_value(file.path.clone(), root);
    let kind = match &policy {
        Ok(p) => policy_kind(p),
        Err(_) => DocKind::MalformedPolicy,
    };
    Classified::Policy { kind, policy }
}

/// The kind of a JSON document, from the elements that only that kind has.
fn kind_of(root: &Value) -> Option<DocKind> {
    let members = root.as_object()?;
    let has = |k: &str| members.iter().any(|m| m.key == k);
    if has("Statement") {
        return Some(DocKind::IdentityPolicy);
    }
    if has("AWSTemplateFormatVersion") || (has("Resources") && resources_have_types(root)) {
        return Some(DocKind::CloudFormation);
    }
    if has("planned_values") || (has("format_version") && has("terraform_version")) {
        return Some(DocKind::TerraformPlan);
    }
    if has("DataAccessRoleArn") && (has("InputDataConfig") || has("OutputDataConfig")) {
        return Some(DocKind::JobRequest);
    }
    // A policy with a misspelt Statement is still meant to be a policy.
    if has("Version") && members.len() <= 3 {
        return Some(DocKind::MalformedPolicy);
    }
    None
}

fn resources_have_types(root: &Value) -> bool {
    root.get("Resources")
        .and_then(|r| r.value.as_object())
        .is_some_and(|rs| rs.iter().any(|r| r.value.get("Type").is_some()))
}

/// A well-formed policy's kind: trust policies allow `sts:AssumeRole*` to principals; key policies name
/// `kms:` actions; bucket policies `s3:` actions or bucket ARNs; no principal means an identity policy.
pub fn policy_kind(policy: &Policy) -> DocKind {
    let with_principal: Vec<_> = policy.statements.iter().filter(|s| s.principal.is_some()).collect();
    if with_principal.is_empty() {
        return DocKind::IdentityPolicy;
    }
    let actions: Vec<String> =
        with_principal.iter().flat_map(|s| s.action.patterns.iter().map(|p| p.text.to_ascii_lowercase())).collect();
    if actions.iter().all(|a| a.starts_with("sts:")) {
        return DocKind::TrustPolicy;
    }
    if actions.iter().any(|a| a.starts_with("kms:")) {
        return DocKind::KeyPolicy;
    }
    let bucket_resources = with_principal
        .iter()
        .flat_map(|s| s.resource.iter().flat_map(|r| r.patterns.iter()))
        .any(|p| p.text.starts_with("arn:aws:s3:::"));
    if bucket_resources || actions.iter().any(|a| a.starts_with("s3:")) {
        return DocKind::BucketPolicy;
    }
    DocKind::ResourcePolicy
}
