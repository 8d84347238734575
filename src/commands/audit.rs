//! `atrest audit SNAPSHOT...`: audit saved inventories offline and report.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::CommandOutput;
use crate::config::{Config, ConfigError};
use crate::engine::{self, Baseline, EngineSettings};
use crate::inventory::{Inventory, SnapshotError, load_snapshot};
use crate::report::{self, Report, ReportInput, table::TableOptions};
use crate::rules::World;
use crate::vocab::Ruleset;
use crate::vocab::time::today;
use crate::vocab::{FailOn, Format};

/// The flags of `audit`, before the config file fills what they leave open.
#[derive(Debug, Clone, Default)]
pub struct AuditFlags {
    pub snapshots: Vec<PathBuf>,
    pub format: Option<Format>,
    pub output: Option<PathBuf>,
    pub ruleset: Option<Ruleset>,
    pub config: Option<PathBuf>,
    pub fail_on: Option<FailOn>,
    pub allow_unknown: bool,
    pub show_pass: bool,
    pub baseline: Option<PathBuf>,
    pub quiet: bool,
    pub verbose: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("--baseline {path}: {message}")]
    Baseline { path: String, message: String },
    #[error("--output {path}: {source}")]
    Output { path: String, source: std::io::Error },
}

/// Settings resolved from flags, config and defaults.
#[derive(Debug, Clone)]
pub struct AuditSettings {
    pub format: Format,
    pub output: Option<PathBuf>,
    pub ruleset: Ruleset,
    pub fail_on: FailOn,
    pub allow_unknown: bool,
    pub show_pass: bool,
    pub config: Config,
    pub quiet: bool,
    pub verbose: bool,
}

/// Resolves flags, the config file and defaults into settings.
pub fn resolve_settings(flags: &AuditFlags) -> Result<AuditSettings, AuditError> {
    let config = match &flags.config {
        Some(path) => Config::load(path)?,
        None if Path::new("atrest.toml").exists() => Config::load(Path::new("atrest.toml"))?,
        None => Config::default(),
    };
    let format = flags.format.or_else(|| config.format.as_deref().and_then(Format::parse)).unwrap_or(Format::Table);
    Ok(AuditSettings {
        format,
        output: flags.output.clone(),
        ruleset: flags.ruleset.or(config.ruleset).unwrap_or(Ruleset::Baseline),
        fail_on: flags.fail_on.or(config.fail_on).unwrap_or(FailOn::Severity(crate::rules::Severity::Low)),
        allow_unknown: flags.allow_unknown || config.allow_unknown.unwrap_or(false),
        show_pass: flags.show_pass || config.show_pass.unwrap_or(false),
        quiet: flags.quiet,
        verbose: flags.verbose,
        config,
    })
}

/// Merges several snapshots into one inventory; resources read twice are kept once.
pub fn merge(mut inventories: Vec<Inventory>) -> Inventory {
    let mut merged = inventories.remove(0);
    for inv in inventories {
        merged.accounts.extend(inv.accounts);
        merged.regions.extend(inv.regions);
        merged.jobs.extend(inv.jobs);
        merged.terminologies.extend(inv.terminologies);
        merged.parallel_data.extend(inv.parallel_data);
        merged.buckets.extend(inv.buckets);
        merged.prefixes.extend(inv.prefixes);
        merged.keys.extend(inv.keys);
        merged.roles.extend(inv.roles);
        merged.gaps.extend(inv.gaps);
    }
    merged.accounts.sort();
    merged.accounts.dedup();
    merged.regions.sort();
    merged.regions.dedup();
    fn dedup_by<T, K: Ord + Clone>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
        let mut seen = std::collections::BTreeSet::new();
        v.retain(|x| seen.insert(key(x)));
    }
    dedup_by(&mut merged.jobs, |j| (j.account.clone(), j.region.clone(), j.job_id.clone()));
    dedup_by(&mut merged.keys, |k| k.arn.clone());
    dedup_by(&mut merged.roles, |r| r.arn.clone());
    dedup_by(&mut merged.buckets, |b| b.name.clone());
    dedup_by(&mut merged.prefixes, |p| (p.bucket.clone(), p.prefix.clone()));
    dedup_by(&mut merged.terminologies, |t| t.arn.clone());
    dedup_by(&mut merged.parallel_data, |t| t.arn.clone());
    merged
}

/// Audits an inventory and builds the report; shared by `audit` and `scan`.
pub fn audit_inventory(
    inventory: &Inventory,
    settings: &AuditSettings,
    baseline: Option<&Baseline>,
    command: &'static str,
    snapshots: Vec<String>,
) -> (Report, Vec<String>) {
    let started_at = crate::vocab::time::now_rfc3339();
    let clock = std::time::Instant::now();
    let trace = |what: &str| {
        if settings.verbose && !settings.quiet {
            eprintln!("atrest:   {what} in {:.3} s", clock.elapsed().as_secs_f64());
        }
    };
    let world = World::new(inventory);
    trace("world indexed");
    let engine_settings = EngineSettings {
        ruleset: settings.ruleset,
        overrides: settings.config.overrides.clone(),
        waivers: settings.config.waivers.clone(),
        today: today(),
    };
    let out = engine::run(&world, &engine_settings);
    trace("rules run, results sorted");
    if settings.verbose && !settings.quiet {
        for (id, n, d) in &out.timings {
            eprintln!("atrest: {id}: {n} results in {:.3} s", d.as_secs_f64());
        }
    }
    let mut results = out.results;
    let resolved = baseline.map(|b| b.apply(&mut results));
    let report = Report::build(ReportInput {
        command,
        ruleset: settings.ruleset.as_str().into(),
        started_at,
        accounts: inventory.accounts.clone(),
        regions: inventory.regions.clone(),
        snapshots,
        fail_on: settings.fail_on,
        allow_unknown: settings.allow_unknown,
        results,
        rules_run: out.rules_run,
        errors: inventory.gaps.clone(),
        resolved,
    });
    (report, out.notices.into_iter().map(|n| n.0).collect())
}

pub fn run(flags: &AuditFlags) -> Result<CommandOutput, AuditError> {
    let settings = resolve_settings(flags)?;
    let baseline = load_baseline(flags)?;
    let clock = std::time::Instant::now();
    let phase = |what: &str| {
        if flags.verbose && !settings.quiet {
            eprintln!("atrest: {what} after {:.3} s", clock.elapsed().as_secs_f64());
        }
    };
    let inventories = flags.snapshots.iter().map(|p| load_snapshot(p)).collect::<Result<Vec<_>, _>>()?;
    let inventory = merge(inventories);
    phase("snapshots loaded");
    let names = flags.snapshots.iter().map(|p| p.display().to_string()).collect();
    let (report, notices) = audit_inventory(&inventory, &settings, baseline.as_ref(), "audit", names);
    phase(&format!("{} results", report.results.len()));
    if !settings.quiet {
        for n in notices {
            eprintln!("atrest: warning: {n}");
        }
    }
    let exit_code = report.summary.exit_code as u8;
    write_report(&report, &settings)?;
    phase("report written");
    // The process ends next: freeing a large inventory and report piece by piece takes longer than the
    // audit of them (0.8 s for 100,000 jobs), and the OS reclaims it all at once anyway.
    std::mem::forget(report);
    std::mem::forget(inventory);
    Ok(CommandOutput { stdout: String::new(), exit_code })
}

/// Renders the report in the chosen format to `--output` or stdout; shared by `audit`, `scan` and `lint`
/// (`table` is the one format that differs for lint: `path:line:col:` lines instead of a table).
pub fn write_report(report: &Report, settings: &AuditSettings) -> Result<(), AuditError> {
    let colour = settings.output.is_none() && std::io::stdout().is_terminal();
    let render = |out: &mut dyn Write| -> std::io::Result<()> {
        match settings.format {
            Format::Json => report::json::write(report, out),
            Format::Sarif => report::sarif::write(report, settings.config.docs_url.as_deref(), out),
            Format::Junit => out.write_all(report::junit::render(report).as_bytes()),
            Format::Csv => out.write_all(report::csv::render(report).as_bytes()),
            Format::Html => out.write_all(report::html::render(report).as_bytes()),
            Format::Markdown => out.write_all(report::markdown::render(report, settings.show_pass).as_bytes()),
            Format::Table if report.run.command == "lint" => {
                out.write_all(report::text::render(report, colour).as_bytes())
            }
            Format::Table => {
                let text = report::table::render(report, &TableOptions { show_pass: settings.show_pass, colour });
                out.write_all(text.as_bytes())
            }
        }
    };
    deliver(settings.output.as_deref(), render)
}

/// Reads `--baseline REPORT.json`, when given.
pub fn load_baseline(flags: &AuditFlags) -> Result<Option<Baseline>, AuditError> {
    let Some(path) = &flags.baseline else { return Ok(None) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| AuditError::Baseline { path: path.display().to_string(), message: e.to_string() })?;
    Baseline::parse(&text).map(Some).map_err(|e| AuditError::Baseline {
        path: path.display().to_string(),
        message: format!("line {} column {}: not an atrest JSON report: {e}", e.line(), e.column()),
    })
}

/// Sends a rendered report to `--output` (atomically) or to stdout. A reader of stdout that went away
/// (`| head`) is not an error worth a message.
pub fn deliver(
    output: Option<&Path>,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), AuditError> {
    match output {
        Some(path) => write_atomically(path, render)
            .map_err(|source| AuditError::Output { path: path.display().to_string(), source }),
        None => {
            let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            match render(&mut stdout).and_then(|()| stdout.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(AuditError::Output { path: "stdout".into(), source: e })
                }
                _ => Ok(()),
            }
        }
    }
}

/// Writes a file so that readers see the old content or the new, never a part: a temporary file in
/// the same directory, synced, then renamed over the target.
pub fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name =
        path.file_name().ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = (|| {
        let mut f = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&tmp)?);
        write(&mut f)?;
        let f = f.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn the_config_file_knows_every_format() {
        let names: Vec<&str> = Format::ALL.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, crate::config::FORMATS);
        for (name, format) in Format::ALL {
            assert_eq!(Format::parse(name), Some(format));
        }
    }
}
