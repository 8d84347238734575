//! One self-contained HTML page (no scripts, no outside requests): the run, the counts, the controls,
//! every result with its evidence, and the reads that failed. Written as well-formed XHTML-compatible markup.

use std::fmt::Write as _;

use super::Report;
use super::junit::escape;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #ccc;padding:4px 8px;\
text-align:left;vertical-align:top}th{background:#f3f3f3}.FAIL{background:#fde2e1}.UNKNOWN{background:#fff4ce}\
.PASS{background:#e6f4ea}.NOT_VERIFIABLE{background:#eef}code,pre{font-size:0.9em}pre{white-space:pre-wrap;margin:0}\
details summary{cursor:pointer}";

pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let run = &report.run;
    let mut out = String::new();
    let title = format!("atrest {}: exit {}", run.command, s.exit_code);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>{}</title><style>{STYLE}</style></head>\n<body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    let _ = writeln!(
        out,
        "<p>Ruleset <code>{}</code>, fail on <code>{}</code>{}; started {}, finished {}.{}{}</p>",
        escape(&run.ruleset),
        escape(run.fail_on.as_str()),
        if run.allow_unknown { ", UNKNOWN allowed" } else { "" },
        escape(&run.started_at),
        escape(&run.finished_at),
        if run.accounts.is_empty() {
            String::new()
        } else {
            format!(" Accounts: {}.", escape(&run.accounts.join(", ")))
        },
        if run.regions.is_empty() { String::new() } else { format!(" Regions: {}.", escape(&run.regions.join(", "))) },
    );
    let _ = writeln!(
        out,
        "<table><tr><th>PASS</th><th>FAIL</th><th>UNKNOWN</th><th>NOT_VERIFIABLE</th><th>waived</th></tr>\
         <tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr></table>",
        s.pass, s.fail, s.unknown, s.not_verifiable, s.waived
    );
    if !report.controls.is_empty() {
        out.push_str("<h2>Controls</h2>\n<table><tr><th>control</th><th>status</th><th>rules</th></tr>\n");
        for c in &report.controls {
            let _ = writeln!(
                out,
                "<tr class=\"{0}\"><td>{1}</td><td>{0}</td><td>{2}</td></tr>",
                c.status.as_str(),
                escape(&c.id),
                escape(&c.rules.join(", "))
            );
        }
        out.push_str("</table>\n");
    }
    let _ = writeln!(out, "<h2>Results ({})</h2>", report.results.len());
    out.push_str(
        "<table><tr><th>status</th><th>severity</th><th>rule</th><th>resource</th><th>message</th><th>details</th></tr>\n",
    );
    for r in &report.results {
        let mut status = r.status.as_str().to_owned();
        if let Some(w) = &r.waiver {
            status.push_str(&format!(" (waived until {}: {})", w.expires, w.reason));
        } else if let Some(b) = r.baseline {
            status.push_str(&format!(" ({})", format!("{b:?}").to_lowercase()));
        }
        let resource = super::subject(r, |t| format!("<code>{}</code>", escape(t)), "<br/>for ");
        let mut details = String::new();
        if !r.remediation.is_empty() {
            details.push_str(&format!("<p>Fix: {}</p>", escape(&r.remediation)));
        }
        if !r.jobs.is_empty() {
            details.push_str(&format!("<p>Jobs: {}</p>", escape(&r.jobs.join(", "))));
        }
        if !r.evidence.is_null() && r.evidence != serde_json::json!({}) {
            let evidence = serde_json::to_string_pretty(&r.evidence).unwrap_or_default();
            details
                .push_str(&format!("<details><summary>evidence</summary><pre>{}</pre></details>", escape(&evidence)));
        }
        let _ = writeln!(
            out,
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{} {}</td><td>{resource}</td><td>{}</td><td>{details}</td></tr>",
            r.status.as_str(),
            escape(&status),
            r.severity.as_str(),
            escape(&r.rule_id),
            escape(&r.rule),
            escape(&r.message)
        );
    }
    out.push_str("</table>\n");
    if !report.errors.is_empty() {
        let _ = writeln!(out, "<h2>Reads that failed ({})</h2>", report.errors.len());
        out.push_str("<table><tr><th>service</th><th>operation</th><th>resource</th><th>error</th></tr>\n");
        for e in &report.errors {
            let error = super::gap_error(e);
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                escape(&e.service),
                escape(&e.operation),
                escape(&e.resource),
                escape(&error)
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</body></html>\n");
    out
}

pub struct Html;

impl super::RenderText for Html {
    fn text(&self, report: &Report) -> String {
        render(report)
    }
}
