//! The table report: results grouped by severity, FAIL and UNKNOWN unless asked for all, a summary line.

use crate::vocab::text::printable;
use comfy_table::{ContentArrangement, presets};

use super::Report;
use crate::vocab::{Severity, Status};

pub struct Table {
    pub show_pass: bool,
    pub colour: bool,
    /// The columns to fill; `None`: 160.
    pub width: Option<u16>,
}

/// Widest a table gets when the terminal's width is not known.
pub const DEFAULT_WIDTH: u16 = 160;

impl super::Render for Table {
    /// Each section is written as soon as it is drawn: only one severity's table is held at a time.
    fn render(&self, report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        write(report, self, out)
    }
}

/// A section's table: condensed ASCII borders, wrapped to the width.
fn section_table(options: &Table, header: Vec<&str>) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table.load_preset(presets::ASCII_BORDERS_ONLY_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_width(options.width.unwrap_or(DEFAULT_WIDTH));
    table.set_header(header);
    table
}

fn paint(text: &str, code: &str, colour: bool) -> String {
    if colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
}

pub fn write(report: &Report, options: &Table, sink: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = String::new();
    for severity in Severity::ALL {
        let rows: Vec<_> = report
            .results
            .iter()
            .filter(|r| {
                r.severity == severity && (options.show_pass || matches!(r.status, Status::Fail | Status::Unknown))
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let heading = format!("{} ({})", severity.as_str().to_uppercase(), rows.len());
        let code = match severity {
            Severity::Critical | Severity::High => "1;31",
            Severity::Medium => "1;33",
            _ => "1",
        };
        out.push_str(&paint(&heading, code, options.colour));
        out.push('\n');
        let mut table = section_table(options, vec!["status", "rule", "resource", "message"]);
        for r in rows {
            let status = super::status_label(r);
            let resource = super::subject(r, str::to_owned, "\nfor ");
            // Names and messages come from accounts and servers: shown, never obeyed by the terminal.
            let resource = printable(&resource).into_owned();
            table.add_row(vec![
                status,
                format!("{} {}", r.rule_id, r.rule),
                resource,
                printable(&r.message).into_owned(),
            ]);
        }
        out.push_str(&table.to_string());
        out.push_str("\n\n");
        sink.write_all(out.as_bytes())?;
        out.clear();
    }
    // A failed read that no rule turned into UNKNOWN would otherwise be invisible here.
    if !report.errors.is_empty() {
        let heading = format!("READS THAT FAILED ({})", report.errors.len());
        out.push_str(&paint(&heading, "1;33", options.colour));
        out.push('\n');
        let mut table = section_table(options, vec!["call", "resource", "error"]);
        for e in &report.errors {
            let error = super::gap_error(e);
            table.add_row(vec![
                format!("{} {}", e.service, e.operation),
                printable(&e.resource).into_owned(),
                printable(&error).into_owned(),
            ]);
        }
        out.push_str(&table.to_string());
        out.push_str("\n\n");
        sink.write_all(out.as_bytes())?;
        out.clear();
    }
    // What the baseline had and this run has not: the good news of a fix, shown, not only counted.
    if let Some(resolved) = report.resolved.as_ref().filter(|r| !r.is_empty()) {
        let heading = format!("RESOLVED SINCE THE BASELINE ({})", resolved.len());
        out.push_str(&paint(&heading, "1;32", options.colour));
        out.push('\n');
        let mut table = section_table(options, vec!["rule", "resource"]);
        for r in resolved {
            let mut resource = printable(&r.resource).into_owned();
            if let Some(p) = &r.principal {
                resource.push_str(&format!("\nfor {}", printable(p)));
            }
            table.add_row(vec![r.rule_id.clone(), resource]);
        }
        out.push_str(&table.to_string());
        out.push_str("\n\n");
        sink.write_all(out.as_bytes())?;
        out.clear();
    }
    let s = &report.summary;
    let line = format!(
        "atrest: {} PASS, {} FAIL, {} UNKNOWN, {} NOT_VERIFIABLE{}{}{}; exit {} (fail-on {}{})",
        s.pass,
        s.fail,
        s.unknown,
        s.not_verifiable,
        if s.waived > 0 { format!(", {} waived", s.waived) } else { String::new() },
        s.baseline.map(|b| format!(" ({})", b.phrase())).unwrap_or_default(),
        match report.errors.len() {
            0 => String::new(),
            1 => ", 1 read failed".to_string(),
            n => format!(", {n} reads failed"),
        },
        s.exit_code,
        report.run.fail_on,
        if report.run.allow_unknown { ", unknown allowed" } else { "" },
    );
    // Too wide for the terminal: the counts on one line, the outcome on the next.
    let line = match options.width {
        Some(w) if line.chars().count() > usize::from(w) => line.replacen("; exit", ";\n        exit", 1),
        _ => line,
    };
    out.push_str(&paint(&line, if s.exit_code == 0 { "32" } else { "1;31" }, options.colour));
    out.push('\n');
    sink.write_all(out.as_bytes())
}
