//! `atrest lint PATH...`: lint policy files before they are deployed.

use crate::vocab::text::printable;
use std::path::PathBuf;

use super::{CommandOutput, write_report};
use crate::lint::{LintInputError, lint, lint_rules, read_inputs};
use crate::output::OutputError;
use crate::report::{Report, View};
use crate::settings::Settings;
use crate::vocab::time::now_rfc3339;

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

/// Lints files and builds the report.
pub fn lint_report(paths: &[PathBuf], settings: &Settings) -> Result<(Report, Vec<crate::vocab::Notice>), LintError> {
    let started_at = now_rfc3339();
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
    let mut outcome = lint(&files, &rules, &settings.engine());
    phase(&format!("{} results", outcome.results.len()));
    let unread = outcome.gaps.iter().filter(|g| g.error_code.as_deref() == Some("NotLinted")).count();
    if unread == files.len() {
        let paths = paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        // Every file was of no known kind: every entry is a NotLinted one.
        let notes: Vec<&str> = outcome.gaps.iter().take(3).map(|g| g.message.as_str()).collect();
        let why = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) };
        return Err(LintError::NothingToLint { paths, read: files.len(), why });
    }
    let notices = std::mem::take(&mut outcome.notices);
    let run = super::run_info("lint", settings, started_at, None);
    Ok((Report::build(run, outcome, crate::rules::docs()), notices))
}

/// `if_any`: a run with no file of a known kind is no error (for hooks that pass every changed file).
pub fn run(paths: &[PathBuf], settings: &Settings, if_any: bool) -> Result<CommandOutput, LintError> {
    let (report, notices) = match lint_report(paths, settings) {
        Err(e @ LintError::NothingToLint { .. }) if if_any => {
            if !settings.quiet {
                eprintln!("atrest: {} (--if-any: nothing checked, exit 0)", printable(&e.to_string()));
            }
            return Ok(CommandOutput { stdout: String::new(), exit_code: 0 });
        }
        other => other?,
    };
    if !settings.quiet {
        super::warn(&notices);
        for e in &report.errors {
            eprintln!("atrest: note: {}", printable(&e.message));
        }
    }
    write_report(&report, settings, View::Files)?;
    Ok(CommandOutput { stdout: String::new(), exit_code: report.summary.exit_code as u8 })
}
