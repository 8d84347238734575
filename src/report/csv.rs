//! CSV: one row per result (RFC 4180), for spreadsheets and data tools.
//!
//! Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) get a
//! leading `'`: a message quoting a policy must not execute when an auditor opens the file. Control and
//! bidirectional characters are shown as `\\u{1b}`-style escapes, as in the other human formats.

use std::io::{self, Write};

use super::Report;

pub const HEADER: [&str; 19] = [
    "rule_id",
    "rule",
    "control",
    "status",
    "severity",
    "resource_type",
    "resource_id",
    "account",
    "region",
    "principal",
    "jobs",
    "message",
    "remediation",
    "file",
    "line",
    "column",
    "waiver_reason",
    "waiver_expires",
    "baseline",
];

/// A cell as written: control and bidirectional characters shown as escapes (a spreadsheet or a terminal
/// showing the file must not obey them), then text a spreadsheet would run as a formula gets a leading `'`;
/// quoting is the writer's.
fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    let text = crate::vocab::text::printable(text);
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}").into() } else { text }
}

/// Writes the rows through the `csv` crate (RFC 4180 quoting, CRLF line ends), one record at a time.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    writer.write_record(HEADER).map_err(csv_io_error)?;
    for r in &report.results {
        let location = r.location.as_ref();
        let row = [
            r.rule_id.clone(),
            r.rule.clone(),
            r.control.clone(),
            r.status.as_str().to_owned(),
            r.severity.as_str().to_owned(),
            r.resource.kind.as_str().to_owned(),
            r.resource.id.clone(),
            r.resource.account.clone().unwrap_or_default(),
            r.resource.region.clone().unwrap_or_default(),
            r.principal.clone().unwrap_or_default(),
            r.jobs.join(" "),
            r.message.clone(),
            r.remediation.clone(),
            location.map(|l| l.file.clone()).unwrap_or_default(),
            location.map(|l| l.line.to_string()).unwrap_or_default(),
            location.map(|l| l.column.to_string()).unwrap_or_default(),
            r.waiver.as_ref().map(|w| w.reason.clone()).unwrap_or_default(),
            r.waiver.as_ref().map(|w| w.expires.clone()).unwrap_or_default(),
            r.baseline.map(|b| format!("{b:?}").to_lowercase()).unwrap_or_default(),
        ];
        writer.write_record(row.iter().map(|c| cell(c).into_owned())).map_err(csv_io_error)?;
    }
    writer.flush()
}

fn csv_io_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

pub struct Csv;

impl super::Render for Csv {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write(report, out)
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("a-b"), "a-b");
    }
}
