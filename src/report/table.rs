//! The table report: results grouped by severity, FAIL and UNKNOWN unless asked for all, a summary line.

use crate::vocab::text::printable;
use comfy_table::{ColumnConstraint, ContentArrangement, Width, presets};

use super::Report;
use crate::vocab::{ResultRow, Severity, Status};

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

/// A section's table: condensed ASCII borders, wrapped to the width; no header row when `header` is empty.
fn section_table(options: &Table, header: Vec<&str>) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table.load_preset(presets::ASCII_BORDERS_ONLY_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_width(options.width.unwrap_or(DEFAULT_WIDTH));
    if !header.is_empty() {
        table.set_header(header);
    }
    table
}

/// Rows a table arranges at once; a larger section is drawn in parts of this size with the column widths
/// of the whole, so that a run with 100,000 failing results is not laid out (and held) as one table.
const ROWS_PER_PART: usize = 1000;

const RESULT_HEADER: [&str; 4] = ["status", "rule", "resource", "message"];

fn result_cells(r: &ResultRow) -> Vec<String> {
    let resource = super::subject(r, str::to_owned, "\nfor ");
    // Names and messages come from accounts and servers: shown, never obeyed by the terminal.
    vec![
        super::status_label(r),
        format!("{} {}", r.rule_id, r.rule),
        printable(&resource).into_owned(),
        printable(&r.message).into_owned(),
    ]
}

/// Results laid out as one table.
fn whole_table(options: &Table, rows: &[&ResultRow]) -> comfy_table::Table {
    let mut table = section_table(options, RESULT_HEADER.to_vec());
    for r in rows {
        table.add_row(result_cells(r));
    }
    table
}

/// A severity section's table, then a blank line.
fn write_results(options: &Table, rows: &[&ResultRow], sink: &mut dyn std::io::Write) -> std::io::Result<()> {
    if rows.len() <= ROWS_PER_PART {
        return writeln!(sink, "{}\n", whole_table(options, rows));
    }
    // The widths the whole section would get: arranged on a probe row holding each column's widest cell,
    // then read off the probe's header line (each column starts where its header word does).
    let mut widest: Vec<String> = vec![String::new(); RESULT_HEADER.len()];
    let width = |text: &str| text.lines().map(console::measure_text_width).max().unwrap_or(0);
    for r in rows {
        for (w, cell) in widest.iter_mut().zip(result_cells(r)) {
            if width(&cell) > width(w) {
                *w = cell;
            }
        }
    }
    let mut probe = section_table(options, RESULT_HEADER.to_vec());
    probe.add_row(widest);
    let drawn = probe.to_string();
    let header_line = drawn.lines().nth(1).unwrap_or_default();
    let starts: Option<Vec<usize>> =
        RESULT_HEADER.iter().map(|h| header_line.find(&format!(" {h} ")).map(|i| i + 1)).collect();
    let Some(starts) = starts else {
        // A header word wrapped (a very narrow terminal): one table, as for a small section.
        return writeln!(sink, "{}\n", whole_table(options, rows));
    };
    // Between two columns: the right padding, the preset's (blank) column separator, the left padding.
    let mut widths: Vec<u16> = starts.windows(2).map(|w| (w[1] - w[0] - 1) as u16).collect();
    widths.push((header_line.len() - starts[starts.len() - 1]) as u16);
    let parts = rows.chunks(ROWS_PER_PART).count();
    for (i, part) in rows.chunks(ROWS_PER_PART).enumerate() {
        // The header is drawn once, above the first part.
        let mut table = section_table(options, if i == 0 { RESULT_HEADER.to_vec() } else { Vec::new() });
        table.set_constraints(widths.iter().map(|&w| ColumnConstraint::Absolute(Width::Fixed(w))));
        for r in part {
            table.add_row(result_cells(r));
        }
        let text = table.to_string();
        let lines: Vec<&str> = text.lines().collect();
        // One table to the eye: no border between parts.
        let from = usize::from(i > 0);
        let to = if i + 1 < parts { lines.len() - 1 } else { lines.len() };
        for line in &lines[from..to] {
            writeln!(sink, "{line}")?;
        }
    }
    writeln!(sink)
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
        sink.write_all(out.as_bytes())?;
        out.clear();
        write_results(options, &rows, sink)?;
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
                printable(&format!("{} {}", e.service, e.operation)).into_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::RunInfo;
    use crate::vocab::{FailOn, ResourceRef};

    fn report(n: usize) -> Report {
        let results = (0..n)
            .map(|i| ResultRow {
                rule_id: "AR205".into(),
                rule: "output-objects-encrypted-with-job-key".into(),
                control: "C2".into(),
                status: Status::Fail,
                severity: Severity::High,
                resource: ResourceRef::new(
                    crate::vocab::ResourceKind::S3Prefix,
                    format!("s3://bucket-{}/{}", i % 97, "x".repeat(i % 61)),
                    None,
                    None,
                ),
                principal: None,
                jobs: vec![],
                message: format!("object {i} is not encrypted{}", " with the job key".repeat(i % 5)),
                evidence: serde_json::Value::Null,
                remediation: String::new(),
                location: None,
                waiver: None,
                baseline: None,
            })
            .collect();
        let run = RunInfo::for_tests(FailOn::Severity(Severity::Low), false);
        Report::build(run, crate::vocab::Outcome { results, ..Default::default() }, vec![])
    }

    #[test]
    fn a_large_section_is_drawn_in_parts_that_read_as_one_table() {
        let n = 2 * ROWS_PER_PART + 500;
        let report = report(n);
        for width in [80u16, 160] {
            let options = Table { show_pass: false, colour: false, width: Some(width) };
            let mut out = Vec::new();
            write(&report, &options, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            let table: Vec<&str> = text.lines().filter(|l| l.starts_with('|') || l.starts_with('+')).collect();
            // One top border, one header and its rule, one bottom border: no seams between parts.
            assert_eq!(table.iter().filter(|l| l.starts_with('+')).count(), 3, "at {width}");
            assert_eq!(table.iter().filter(|l| l.contains(" status ")).count(), 1, "at {width}");
            // Every line as wide as the first, within the terminal.
            let len = table[0].chars().count();
            assert!(len <= usize::from(width), "{len} > {width}");
            assert!(table.iter().all(|l| l.chars().count() == len), "ragged lines at {width}");
            // Every result is there, once.
            assert_eq!(table.iter().filter(|l| l.starts_with("| FAIL")).count(), n, "at {width}");
        }
    }
}
