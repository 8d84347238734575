//! `atrest scan` and `atrest collect`: collect from AWS, then audit in memory or save the snapshot.

use std::path::Path;

use super::CommandOutput;
use super::audit::{self, AuditError, AuditFlags};
use crate::collect::{self, CollectError, CollectOptions, Collection};
use crate::inventory::Inventory;

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Collect(#[from] CollectError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("--output {path}: {source}")]
    Output { path: String, source: std::io::Error },
}

/// Collects, audits the inventory in memory and reports; the flags, config and baseline are checked first
/// so that a typo costs no API calls.
pub fn scan(options: CollectOptions, flags: &AuditFlags) -> Result<CommandOutput, ScanError> {
    let settings = audit::resolve_settings(flags)?;
    let baseline = audit::load_baseline(flags)?;
    if let Some(path) = &settings.output {
        writable_folder(path)?;
    }
    let objects = options.objects.as_string();
    let quiet = flags.quiet;
    let collection = collect::collect(options)?;
    if !quiet {
        summarise(&collection);
    }
    let (mut report, notices) =
        audit::audit_inventory(&collection.inventory, &settings, baseline.as_ref(), "scan", Vec::new());
    report.run.started_at = collection.started_at;
    report.run.objects = Some(objects);
    report.run.api_calls = Some(collection.api_calls);
    if !quiet {
        for n in notices {
            eprintln!("atrest: warning: {n}");
        }
    }
    audit::write_report(&report, &settings)?;
    Ok(CommandOutput { stdout: String::new(), exit_code: report.summary.exit_code as u8 })
}

/// Collects and writes the snapshot atomically: a failed or interrupted run leaves any earlier file intact.
pub fn collect_to(options: CollectOptions, output: &Path, quiet: bool) -> Result<CommandOutput, ScanError> {
    writable_folder(output)?;
    let collection = collect::collect(options)?;
    write_snapshot(&collection.inventory, output)
        .map_err(|source| ScanError::Output { path: output.display().to_string(), source })?;
    if !quiet {
        summarise(&collection);
        eprintln!("atrest: snapshot written to {}", output.display());
    }
    Ok(CommandOutput { stdout: String::new(), exit_code: 0 })
}

/// The output's folder must exist before minutes of collection are spent on a report that cannot be written.
fn writable_folder(path: &Path) -> Result<(), ScanError> {
    let folder = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if folder.is_dir() {
        return Ok(());
    }
    Err(ScanError::Output {
        path: path.display().to_string(),
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the folder {} does not exist; create it or choose another path", folder.display()),
        ),
    })
}

fn write_snapshot(inventory: &Inventory, path: &Path) -> std::io::Result<()> {
    audit::write_atomically(path, |out| {
        serde_json::to_writer_pretty(&mut *out, inventory).map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    })
}

/// One line of what was read, and the gaps, on stderr.
fn summarise(c: &Collection) {
    let inv = &c.inventory;
    let requests: u64 = c.api_calls.iter().map(|a| a.requests).sum();
    eprintln!(
        "atrest: collected {} jobs, {} terminologies, {} parallel data, {} buckets, {} prefixes, {} keys, {} roles \
         with {requests} requests; {} reads failed",
        inv.jobs.len(),
        inv.terminologies.len(),
        inv.parallel_data.len(),
        inv.buckets.len(),
        inv.prefixes.len(),
        inv.keys.len(),
        inv.roles.len(),
        inv.gaps.len(),
    );
    for g in &inv.gaps {
        eprintln!("atrest:   {} {} on {}: {}", g.service, g.operation, g.resource, crate::report::gap_error(g));
    }
}
