//! `atrest scan` and `atrest collect`: collect from AWS, then audit in memory or save the snapshot.

use crate::vocab::text::printable;
use std::path::Path;

use super::{CommandOutput, write_report};
use crate::collect::{self, CollectError, CollectOptions, Collection};
use crate::inventory::Inventory;
use crate::output::{OutputError, writable_folder, write_atomically};
use crate::report::{Report, View};
use crate::settings::Settings;

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Collect(#[from] CollectError),
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// Collects, audits the inventory in memory and reports; the settings (flags, config and baseline) are
/// resolved before so that a typo costs no API calls.
pub fn scan(options: CollectOptions, settings: &Settings) -> Result<CommandOutput, ScanError> {
    if let Some(path) = &settings.output {
        writable_folder(path)?;
    }
    let objects = options.objects.as_string();
    let quiet = settings.quiet;
    let collection = collect::collect(options)?;
    if !quiet {
        summarise(&collection);
    }
    let mut outcome = super::audit_inventory(&collection.inventory, settings);
    if !quiet {
        super::warn(&std::mem::take(&mut outcome.notices));
    }
    let mut run = super::run_info("scan", settings, collection.started_at, Some(&collection.inventory));
    run.objects = Some(objects);
    run.api_calls = Some(collection.api_calls);
    let report = Report::build(run, outcome, crate::rules::docs());
    write_report(&report, settings, View::Resources)?;
    Ok(CommandOutput { stdout: String::new(), exit_code: report.summary.exit_code as u8 })
}

/// Collects and writes the snapshot atomically: a failed or interrupted run leaves any earlier file intact.
pub fn collect_to(options: CollectOptions, output: &Path, quiet: bool) -> Result<CommandOutput, ScanError> {
    writable_folder(output)?;
    let collection = collect::collect(options)?;
    write_snapshot(&collection.inventory, output)
        .map_err(|source| OutputError { path: output.display().to_string(), source })?;
    if !quiet {
        summarise(&collection);
        eprintln!("atrest: snapshot written to {}", printable(&output.display().to_string()));
    }
    Ok(CommandOutput { stdout: String::new(), exit_code: 0 })
}

fn write_snapshot(inventory: &Inventory, path: &Path) -> std::io::Result<()> {
    write_atomically(path, |out| {
        serde_json::to_writer_pretty(&mut *out, inventory).map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    })
}

/// One line of what was read, and the gaps, on stderr.
fn summarise(c: &Collection) {
    let inv = &c.inventory;
    if inv.jobs.is_empty() {
        eprintln!(
            "atrest: no Translate jobs in {} (within --since and --job-id, when given): only terminologies, \
             parallel data and the service's own volume can be judged",
            inv.regions.join(", ")
        );
    }
    let requests: u64 = c.api_calls.iter().map(|a| a.requests).sum();
    let unread: Vec<&String> = inv.account_status.iter().filter(|(_, s)| !s.is_read()).map(|(a, _)| a).collect();
    if !inv.account_status.is_empty() {
        eprintln!(
            "atrest: {} accounts asked, {} read{}",
            inv.accounts.len(),
            inv.accounts.len() - unread.len(),
            if unread.is_empty() {
                String::new()
            } else {
                format!("; not read: {}", unread.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", "))
            }
        );
    }
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
        let line = format!("{} {} on {}: {}", g.service, g.operation, g.resource, crate::report::gap_error(g));
        eprintln!("atrest:   {}", printable(&line));
    }
}
