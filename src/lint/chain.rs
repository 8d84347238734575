//! The lint pipeline: each policy document through the lint rules, and the chain of setup files
//! (templates, plans, job requests) grouped into worlds and judged by the audit's rules.

use std::collections::{BTreeMap, BTreeSet};

use super::setup::{self as fragment, Source};
use super::{Classified, DocKind, Document, SourceFile, classify};
use crate::engine::{self, EngineSettings, check_world};
use crate::inventory::TranslationJob;
use crate::rules::world::KeyLookup;
use crate::rules::{Rule, World, registry};
use crate::vocab::ResourceKind;
use crate::vocab::aws::Arn;
use crate::vocab::{
    FaultAt, Finding, Gap, INVALID_TEMPLATE, Location, Operation, Outcome, ResourceRef, Service, Status,
};

/// The lint rules that apply: every `lint` rule unless the config turns it off. (The audit's rules
/// run on setups through the engine, with the ruleset.)
pub fn lint_rules(config: &crate::config::Config) -> Vec<&'static Rule> {
    registry()
        .iter()
        .filter(|r| r.document_check().is_some())
        .filter(|r| config.overrides.get(&r.meta.id).and_then(|o| o.enabled).unwrap_or(true))
        .collect()
}

/// The findings of rules, each with the rule that found it.
type Findings = Vec<(&'static Rule, Finding)>;

/// Lints the files: the lint rules on each policy document, the chain on the setup files, and a gap for
/// each file not linted (with why) or not valid; ordered, waived and marked as the engine does.
pub fn lint(files: &[SourceFile], rules: &[&'static Rule], settings: &EngineSettings) -> Outcome {
    let (findings, gaps) = check_files(files, rules, settings);
    engine::decide(findings, rules.iter().map(|r| r.meta.id.clone()).collect(), gaps, settings)
}

/// Runs the rules on each file: findings, and the files that were not linted (with why).
fn check_files(files: &[SourceFile], rules: &[&'static Rule], settings: &EngineSettings) -> (Findings, Vec<Gap>) {
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
        None => format!("key:{}", Arn::parse(reference).map_or(reference, |a| a.resource_name())),
    };
    let mut names = BTreeSet::new();
    for j in &inv.jobs {
        for uri in [&j.input_data_config.s3_uri, &j.output_data_config.s3_uri] {
            if let Some((bucket, _)) = crate::rules::world::parse_s3_uri(uri) {
                names.insert(format!("bucket:{bucket}"));
            }
        }
        let role = &j.data_access_role_arn;
        names.insert(format!("role:{}", Arn::parse(role).map_or(role.as_str(), |a| a.resource_name())));
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
    let origin = match resource.kind {
        ResourceKind::KmsKey => match world.key(&resource.id, "", "") {
            KeyLookup::Found(k) => k.origin.as_ref(),
            KeyLookup::Missing { .. } => {
                let named = |j: &&TranslationJob| {
                    j.output_data_config.encryption_key.as_ref().is_some_and(|k| resource.id.ends_with(k.id.as_str()))
                };
                return jobs.iter().find(named).and_then(|j| j.origin.as_ref()?.declared.clone());
            }
        },
        ResourceKind::IamRole => world.role(&resource.id).and_then(|(r, _)| r.origin.as_ref()),
        ResourceKind::S3Bucket => {
            world.bucket(resource.id.trim_start_matches("arn:aws:s3:::")).and_then(|b| b.origin.as_ref())
        }
        ResourceKind::S3Prefix => {
            let job = jobs.iter().find(|j| j.input_data_config.s3_uri == resource.id)?;
            return job.origin.as_ref()?.input.clone();
        }
        ResourceKind::TranslateTerminology | ResourceKind::TranslateParallelData => {
            let inv = world.inventory;
            inv.terminologies
                .iter()
                .chain(&inv.parallel_data)
                .find(|r| r.arn == resource.id)
                .and_then(|r| r.origin.as_ref())
        }
        ResourceKind::TranslateJob => {
            jobs.iter().find(|j| crate::rules::common::job_arn(j) == resource.id).and_then(|j| j.origin.as_ref())
        }
        ResourceKind::PolicyFile | ResourceKind::Service => None,
    };
    origin?.place(part).cloned()
}
