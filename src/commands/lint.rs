//! `atrest lint PATH...`: lint policy files before they are deployed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::{CommandOutput, write_report};
use crate::engine::{self, EngineSettings, check_world};
use crate::inventory::Gap;
use crate::inventory::TranslationJob;
use crate::lint::setup::{self as fragment, Source};
use crate::lint::{Classified, DocKind, Document, LintInputError, SourceFile, classify, read_inputs};
use crate::output::OutputError;
use crate::report::{Report, ReportInput, View};
use crate::rules::world::KeyLookup;
use crate::rules::{Rule, World, registry};
use crate::settings::Settings;
use crate::vocab::{FaultAt, Finding, Location, Operation, ResourceRef, Service, Status};

#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error(transparent)]
    Input(#[from] LintInputError),
    /// A gate that checked nothing must not pass.
    #[error(
        "nothing to lint in {paths}: {read} file(s) read, none a policy document, job request, CloudFormation \
         template or Terraform plan{why}; give policy JSON, job request JSON, templates (JSON or YAML) or plan JSON"
    )]
    NothingToLint { paths: String, read: usize, why: String },
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// The error code of a template that is not a valid one: it fails the run.
const INVALID_TEMPLATE: &str = "InvalidTemplate";

/// The lint rules that apply: every `lint` rule unless the config turns it off. (The audit's rules
/// run on setups through the engine, with the ruleset.)
pub fn lint_rules(config: &crate::config::Config) -> Vec<&'static Rule> {
    registry()
        .iter()
        .filter(|r| r.document_check().is_some())
        .filter(|r| config.overrides.get(&r.meta.id).and_then(|o| o.enabled).unwrap_or(true))
        .collect()
}

/// Runs the rules on each file: findings, and the files that were not linted (with why).
/// The findings of rules, each with the rule that found it.
type Findings = Vec<(&'static Rule, Finding)>;

pub fn lint_files(
    files: &[SourceFile],
    rules: &[&'static Rule],
    settings: &EngineSettings,
) -> (Vec<(&'static Rule, Finding)>, Vec<Gap>) {
    use rayon::prelude::*;
    let document_rules = || rules.iter().filter_map(|r| Some((*r, r.document_check()?)));
    // Each policy is parsed, checked and dropped in one go, so a large corpus is never all in memory;
    // only setup files (templates, plans, job requests) are kept for the chain.
    let per_file: Vec<(usize, Findings, Option<Classified>)> = files
        .par_iter()
        .enumerate()
        .map(|(i, file)| match classify(file) {
            Classified::Policy { kind, policy } => {
                let doc = Document { path: &file.path, kind, policy: &policy };
                // Every lint result has a location: a finding about the whole document points at its start.
                let start = Location { file: doc.path.to_owned(), line: 1, column: 1 };
                let found = document_rules()
                    .flat_map(|(r, check)| check(&doc).into_iter().map(move |f| (r, f)))
                    .map(|(r, mut f)| {
                        f.location.get_or_insert_with(|| start.clone());
                        (r, f)
                    })
                    .collect();
                (i, found, None)
            }
            other => (i, Vec::new(), Some(other)),
        })
        .collect();
    let mut findings = Vec::new();
    let mut not_linted = Vec::new();
    let mut setups = Vec::new();
    let mut classified = Vec::new();
    for (i, found, kept) in per_file {
        findings.extend(found);
        if let Some(c) = kept {
            classified.push((i, c));
        }
    }
    for (i, c) in &classified {
        let path = files[*i].path.as_str();
        match c {
            Classified::Setup { kind: DocKind::JobRequest, root } => setups.push(Source::JobRequest { path, root }),
            Classified::Setup { kind: DocKind::CloudFormation, root } => {
                // A misspelt section or attribute would drop what it holds without a word.
                for (pos, problem) in fragment::template_problems(root) {
                    not_linted.push(Gap {
                        service: Service::Lint,
                        operation: Operation::Read,
                        resource: path.to_owned(),
                        error_code: Some(INVALID_TEMPLATE.into()),
                        message: format!("{path}:{pos}: {problem}"),
                    });
                }
                for (pos, what) in fragment::template_not_judged(root) {
                    not_linted.push(Gap {
                        service: Service::Lint,
                        operation: Operation::Read,
                        resource: path.to_owned(),
                        error_code: Some("NotJudged".into()),
                        message: format!("{path}:{pos}: {what}"),
                    });
                }
                setups.push(Source::CloudFormation { path, root })
            }
            Classified::Setup { kind: DocKind::TerraformPlan, root } => {
                setups.push(Source::TerraformPlan { path, root })
            }
            Classified::NotLinted { reason, pos } => not_linted.push(Gap {
                service: Service::Lint,
                operation: Operation::Read,
                resource: path.to_owned(),
                error_code: Some("NotLinted".into()),
                message: format!("{path}:{pos}: {reason}"),
            }),
            _ => {}
        }
    }
    if !setups.is_empty() {
        findings.extend(chain_findings(&setups, rules, settings));
    }
    (findings, not_linted)
}

/// Runs the policy rules on the policies the setup files embed, and the audit's rules on the fragment
/// they describe together. UNKNOWN audit results stand for what the files cannot tell: not judged.
fn chain_findings(
    setups: &[Source<'_>],
    rules: &[&'static Rule],
    settings: &EngineSettings,
) -> Vec<(&'static Rule, Finding)> {
    let mut out = Vec::new();
    for component in components(setups) {
        let sources: Vec<Source<'_>> = component.iter().map(|&i| setups[i]).collect();
        out.extend(component_findings(&fragment::build(&sources), rules, settings));
    }
    out
}

/// The setup files that describe one world: each template, plan and job request is its own, unless a job
/// request names a bucket, role or key that another file declares. Two templates that both call a key
/// `OutputKey` are not one world: their placeholder ARNs would collide.
fn components(setups: &[Source<'_>]) -> Vec<Vec<usize>> {
    let names: Vec<(BTreeSet<String>, BTreeSet<String>)> = setups
        .iter()
        .map(|s| {
            let f = fragment::build(std::slice::from_ref(s));
            (declared_names(&f.inventory), referenced_names(&f.inventory))
        })
        .collect();
    // Union-find over the files, tied by a reference of one to a name another declares.
    let mut parent: Vec<usize> = (0..setups.len()).collect();
    fn find(parent: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while parent[r] != r {
            r = parent[r];
        }
        parent[i] = r;
        r
    }
    for i in 0..setups.len() {
        for j in 0..setups.len() {
            if i != j && !names[i].1.is_disjoint(&names[j].0) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..setups.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    groups.into_values().collect()
}

/// What a file declares, by names that do not depend on the placeholder account: buckets, roles, keys by
/// id and alias.
fn declared_names(inv: &crate::inventory::Inventory) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    names.extend(inv.buckets.iter().map(|b| format!("bucket:{}", b.name)));
    names.extend(inv.roles.iter().map(|r| format!("role:{}", r.name)));
    for k in &inv.keys {
        names.insert(format!("key:{}", k.key_id));
        names.extend(k.aliases.iter().map(|a| format!("key:{a}")));
    }
    names
}

/// What a file's job requests name: their buckets, role and keys.
fn referenced_names(inv: &crate::inventory::Inventory) -> BTreeSet<String> {
    let key_name = |reference: &str| match reference.find("alias/") {
        Some(i) => format!("key:{}", &reference[i..]),
        None => format!("key:{}", reference.rsplit('/').next().unwrap_or(reference)),
    };
    let mut names = BTreeSet::new();
    for j in &inv.jobs {
        for uri in [&j.input_data_config.s3_uri, &j.output_data_config.s3_uri] {
            if let Some((bucket, _)) = crate::rules::world::parse_s3_uri(uri) {
                names.insert(format!("bucket:{bucket}"));
            }
        }
        if let Some(role) = j.data_access_role_arn.rsplit('/').next() {
            names.insert(format!("role:{role}"));
        }
        if let Some(k) = &j.output_data_config.encryption_key {
            names.insert(key_name(&k.id));
        }
    }
    names
}

/// The policy rules on the policies one world's files embed, and the audit's rules on that world.
fn component_findings(
    fragment: &fragment::Fragment,
    rules: &[&'static Rule],
    settings: &EngineSettings,
) -> Vec<(&'static Rule, Finding)> {
    let mut out = Vec::new();
    for p in &fragment.policies {
        let doc = Document { path: &p.file, kind: policy_kind_of(&p.policy), policy: &p.policy };
        for r in rules {
            if let Some(check) = r.document_check() {
                out.extend(check(&doc).into_iter().filter(|f| f.status != Status::Pass).map(|f| (*r, f)));
            }
        }
    }
    let world = World::new(&fragment.inventory);
    for (rule, mut f) in check_world(&world, settings).findings {
        // What the files cannot tell is not judged; what AWS alone operates is not the files' to say.
        if matches!(f.status, Status::Unknown | Status::NotVerifiable) {
            continue;
        }
        f.location = place_for(&world, &f.resource, rule.meta.fault_at);
        out.push((rule, f));
    }
    out
}

fn policy_kind_of(policy: &Result<crate::policy::Policy, crate::policy::PolicyError>) -> DocKind {
    match policy {
        Ok(p) => crate::lint::policy_kind(p),
        Err(_) => DocKind::MalformedPolicy,
    }
}

/// Where in the files a chain result points: the part of its resource the rule judges (`fault_at`), else
/// where the resource is declared; a key no file declares, where a job request names it.
fn place_for(world: &World<'_>, resource: &ResourceRef, part: FaultAt) -> Option<Location> {
    let jobs = &world.inventory.jobs;
    let origin = match resource.kind.as_str() {
        "kms-key" => match world.key(&resource.id, "", "") {
            KeyLookup::Found(k) => k.origin.as_ref(),
            KeyLookup::Missing { .. } => {
                let named = |j: &&TranslationJob| {
                    j.output_data_config.encryption_key.as_ref().is_some_and(|k| resource.id.ends_with(k.id.as_str()))
                };
                return jobs.iter().find(named).and_then(|j| j.origin.as_ref()?.declared.clone());
            }
        },
        "iam-role" => world.role(&resource.id).and_then(|(r, _)| r.origin.as_ref()),
        "s3-bucket" => world.bucket(resource.id.trim_start_matches("arn:aws:s3:::")).and_then(|b| b.origin.as_ref()),
        "s3-prefix" => {
            let job = jobs.iter().find(|j| j.input_data_config.s3_uri == resource.id)?;
            return job.origin.as_ref()?.input.clone();
        }
        "translate-job" => {
            jobs.iter().find(|j| crate::rules::common::job_arn(j) == resource.id).and_then(|j| j.origin.as_ref())
        }
        _ => None,
    };
    origin?.place(part).cloned()
}

/// Lints files and builds the report.
pub fn lint_report(paths: &[PathBuf], settings: &Settings) -> Result<(Report, Vec<String>), LintError> {
    let started_at = crate::vocab::time::now_rfc3339();
    let clock = std::time::Instant::now();
    let phase = |what: &str| {
        if settings.chatty() {
            eprintln!("atrest: {what} after {:.3} s", clock.elapsed().as_secs_f64());
        }
    };
    // Build the catalogue while the files are read: both take milliseconds, and the rules need both.
    let catalogue = std::thread::spawn(|| {
        let _ = crate::policy::catalogue::catalogue();
    });
    let files = read_inputs(paths)?;
    phase(&format!("{} files read", files.len()));
    let rules = lint_rules(&settings.config);
    let _ = catalogue.join();
    phase("catalogue loaded");
    let engine_settings = settings.engine();
    let (findings, not_linted) = lint_files(&files, &rules, &engine_settings);
    phase(&format!("{} findings", findings.len()));
    let unread = not_linted.iter().filter(|g| g.error_code.as_deref() == Some("NotLinted")).count();
    if unread == files.len() {
        let paths = paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        // Every file was of no known kind: every entry is a NotLinted one.
        let notes: Vec<&str> = not_linted.iter().take(3).map(|g| g.message.as_str()).collect();
        let why = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) };
        return Err(LintError::NothingToLint { paths, read: files.len(), why });
    }
    let mut out = engine::finish(findings, &engine_settings);
    let resolved = settings.baseline.as_ref().map(|b| b.apply(&mut out.results));
    phase("results sorted");
    let report = Report::build(ReportInput {
        command: "lint",
        ruleset: settings.ruleset.as_str().into(),
        started_at,
        finished_at: crate::vocab::time::now_rfc3339(),
        accounts: Vec::new(),
        account_status: Default::default(),
        regions: Vec::new(),
        snapshots: Vec::new(),
        fail_on: settings.fail_on,
        allow_unknown: settings.allow_unknown,
        results: out.results,
        rules_run: rules.iter().map(|r| r.meta.id.clone()).collect(),
        rules: crate::rules::docs(),
        errors: not_linted,
        resolved,
    });
    let mut report = report;
    // A file that looks like a template but is not a valid one fails the run, whatever its results.
    if report.errors.iter().any(|e| e.error_code.as_deref() == Some(INVALID_TEMPLATE)) {
        report.summary.exit_code = report.summary.exit_code.max(1);
    }
    Ok((report, out.notices.into_iter().map(|n| n.0).collect()))
}

/// `if_any`: a run with no file of a known kind is no error (for hooks that pass every changed file).
pub fn run(paths: &[PathBuf], settings: &Settings, if_any: bool) -> Result<CommandOutput, LintError> {
    let (report, notices) = match lint_report(paths, settings) {
        Err(e @ LintError::NothingToLint { .. }) if if_any => {
            if !settings.quiet {
                eprintln!("atrest: {e} (--if-any: nothing checked, exit 0)");
            }
            return Ok(CommandOutput { stdout: String::new(), exit_code: 0 });
        }
        other => other?,
    };
    if !settings.quiet {
        for n in notices {
            eprintln!("atrest: warning: {n}");
        }
        for e in &report.errors {
            eprintln!("atrest: note: {}", e.message);
        }
    }
    write_report(&report, settings, View::Files)?;
    Ok(CommandOutput { stdout: String::new(), exit_code: report.summary.exit_code as u8 })
}
