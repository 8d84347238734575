//! The lint text report: `path:line:col: ARnnn [severity] slug: message`, one line a finding.

use super::Report;
use crate::vocab::Status;
use crate::vocab::text::printable;

pub fn render(report: &Report, colour: bool) -> String {
    let mut out = String::new();
    let mut rows: Vec<_> =
        report.results.iter().filter(|r| matches!(r.status, Status::Fail | Status::Unknown)).collect();
    // Editors and humans read findings in file order.
    rows.sort_by(|a, b| (&a.location, &a.rule_id).cmp(&(&b.location, &b.rule_id)));
    for r in rows {
        let place = match &r.location {
            Some(l) => format!("{}:{}:{}", l.file, l.line, l.column),
            None => r.resource.id.clone(),
        };
        let severity = if colour {
            let code = match r.severity.as_str() {
                "critical" | "high" => "1;31",
                "medium" => "1;33",
                _ => "1",
            };
            format!("\x1b[{code}m[{}]\x1b[0m", r.severity.as_str())
        } else {
            format!("[{}]", r.severity.as_str())
        };
        let mark = match (&r.waiver, r.baseline) {
            (Some(_), _) => " (waived)",
            (None, Some(crate::vocab::BaselineMark::Existing)) => " (existing)",
            (None, Some(crate::vocab::BaselineMark::New)) => " (new)",
            (None, None) => "",
        };
        // Names and messages come from files and servers: shown, never obeyed by the terminal.
        let (place, message) = (printable(&place), printable(&r.message));
        out.push_str(&format!("{place}: {} {severity} {}: {message}{mark}\n", r.rule_id, r.rule));
    }
    for r in report.resolved.iter().flatten() {
        out.push_str(&format!("{}: {} resolved since the baseline\n", printable(&r.resource), r.rule_id));
    }
    let s = &report.summary;
    out.push_str(&format!(
        "atrest lint: {} problem(s) ({} FAIL, {} UNKNOWN{}), {} check(s) passed; exit {} (fail-on {})\n",
        s.fail + s.unknown,
        s.fail,
        s.unknown,
        s.baseline.map(|b| format!("; {}", b.phrase())).unwrap_or_default(),
        s.pass,
        s.exit_code,
        report.run.fail_on
    ));
    out
}

pub struct Text {
    pub colour: bool,
}

impl super::RenderText for Text {
    fn text(&self, report: &Report) -> String {
        render(report, self.colour)
    }
}
