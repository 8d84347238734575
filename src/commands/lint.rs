//! `atrest lint PATH...`: lint policy files before they are deployed.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::CommandOutput;
use super::audit::{AuditError, AuditFlags, Format, resolve_settings, write_atomically};
use crate::engine::{self, EngineSettings};
use crate::inventory::Gap;
use crate::lint::{Classified, Document, LintInputError, SourceFile, classify, read_inputs};
use crate::report::{self, Report, ReportInput};
use crate::rules::{Check, Finding, Rule, registry};

#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error(transparent)]
    Input(#[from] LintInputError),
    #[error(transparent)]
    Settings(#[from] AuditError),
}

/// The lint rules that apply: every `lint` rule unless the config turns it off.
pub fn lint_rules(config: &crate::config::Config) -> Vec<&'static Rule> {
    registry()
        .iter()
        .filter(|r| matches!(r.check, Check::Document(_)))
        .filter(|r| config.overrides.get(&r.meta.id).and_then(|o| o.enabled).unwrap_or(true))
        .collect()
}

/// Runs the rules on each file: findings, and the files that were not linted (with why).
pub fn lint_files(files: &[SourceFile], rules: &[&'static Rule]) -> (Vec<(&'static Rule, Finding)>, Vec<Gap>) {
    use rayon::prelude::*;
    let per_file: Vec<Result<Vec<(&'static Rule, Finding)>, Gap>> = files
        .par_iter()
        .map(|file| match classify(file) {
            Classified::Policy { kind, policy } => {
                let doc = Document { path: &file.path, kind, policy: &policy };
                let mut findings = Vec::new();
                for rule in rules {
                    if let Check::Document(check) = rule.check {
                        findings.extend(check(&doc).into_iter().map(|f| (*rule, f)));
                    }
                }
                Ok(findings)
            }
            Classified::NotLinted { reason, pos } => Err(Gap {
                service: "lint".into(),
                operation: "read".into(),
                resource: file.path.clone(),
                error_code: Some("NotLinted".into()),
                message: format!("{}:{}: {reason}", file.path, pos),
            }),
        })
        .collect();
    let mut findings = Vec::new();
    let mut not_linted = Vec::new();
    for r in per_file {
        match r {
            Ok(f) => findings.extend(f),
            Err(g) => not_linted.push(g),
        }
    }
    (findings, not_linted)
}

/// Lints files and builds the report.
pub fn lint_report(paths: &[PathBuf], flags: &AuditFlags) -> Result<(Report, Vec<String>), LintError> {
    let settings = resolve_settings(flags)?;
    let started_at = report::now_rfc3339();
    let clock = std::time::Instant::now();
    let phase = |what: &str| {
        if settings.verbose && !settings.quiet {
            eprintln!("atrest: {what} after {:.3} s", clock.elapsed().as_secs_f64());
        }
    };
    // Build the catalogue while the files are read: both take milliseconds, and the rules need both.
    let catalogue = std::thread::spawn(|| {
        let _ = crate::lint::catalogue::catalogue();
    });
    let files = read_inputs(paths)?;
    phase(&format!("{} files read", files.len()));
    let rules = lint_rules(&settings.config);
    let _ = catalogue.join();
    phase("catalogue loaded");
    let (findings, not_linted) = lint_files(&files, &rules);
    phase(&format!("{} findings", findings.len()));
    let engine_settings = EngineSettings {
        ruleset: settings.ruleset,
        overrides: settings.config.overrides.clone(),
        waivers: settings.config.waivers.clone(),
        today: crate::config::today(),
    };
    let out = engine::finish(findings, &engine_settings);
    phase("results sorted");
    let report = Report::build(ReportInput {
        command: "lint",
        ruleset: settings.ruleset.as_str().into(),
        started_at,
        accounts: Vec::new(),
        regions: Vec::new(),
        snapshots: Vec::new(),
        fail_on: settings.fail_on,
        allow_unknown: settings.allow_unknown,
        results: out.results,
        rules_run: rules,
        errors: not_linted,
        resolved: None,
    });
    Ok((report, out.notices.into_iter().map(|n| n.0).collect()))
}

pub fn run(paths: &[PathBuf], flags: &AuditFlags) -> Result<CommandOutput, LintError> {
    let settings = resolve_settings(flags)?;
    let (report, notices) = lint_report(paths, flags)?;
    if !settings.quiet {
        for n in notices {
            eprintln!("atrest: warning: {n}");
        }
        for e in &report.errors {
            eprintln!("atrest: note: {}", e.message);
        }
    }
    let render = |out: &mut dyn Write| -> std::io::Result<()> {
        match settings.format {
            Format::Json => report::json::write(&report, out),
            Format::Sarif => report::sarif::write(&report, settings.config.docs_url.as_deref(), out),
            Format::Table => {
                let colour = settings.output.is_none() && std::io::stdout().is_terminal();
                out.write_all(report::text::render(&report, colour).as_bytes())
            }
        }
    };
    match &settings.output {
        Some(path) => write_atomically(path, render)
            .map_err(|source| AuditError::Output { path: path.display().to_string(), source })?,
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            match render(&mut stdout).and_then(|()| stdout.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(AuditError::Output { path: "stdout".into(), source: e }.into());
                }
                _ => {}
            }
        }
    }
    Ok(CommandOutput { stdout: String::new(), exit_code: report.summary.exit_code as u8 })
}
