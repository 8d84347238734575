//! CSV: one row per result (RFC 4180), for spreadsheets and data tools.
//!
//! Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) get a
//! leading `'`: a message quoting a policy must not execute when an auditor opens the file.

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

fn cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if guarded.contains([',', '"', '\n', '\r']) { format!("\"{}\"", guarded.replace('"', "\"\"")) } else { guarded }
}

pub fn render(report: &Report) -> String {
    let mut out = HEADER.join(",");
    out.push_str("\r\n");
    for r in &report.results {
        let location = r.location.as_ref();
        let row = [
            r.rule_id.clone(),
            r.rule.clone(),
            r.control.clone(),
            r.status.as_str().to_owned(),
            r.severity.as_str().to_owned(),
            r.resource.kind.clone(),
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
        out.push_str(&row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

pub struct Csv;

impl super::RenderText for Csv {
    fn text(&self, report: &Report) -> String {
        render(report)
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a, b"), "\"a, b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
    }
}
