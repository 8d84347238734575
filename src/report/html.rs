//! The HTML report an auditor hands on: one self-contained page (no scripts, no outside requests), written
//! with `maud`'s compiled templates (every interpolation escaped). Failures come first, grouped by control;
//! then waivers, what the baseline had and this run has not, what passed, the reads that failed, and the
//! rules the results cite. Charts are inline SVG; a print stylesheet makes it a PDF.

use std::collections::BTreeMap;
use std::io::{self, Write};

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::Report;
use crate::vocab::text::printable;
use crate::vocab::{ResultRow, Severity, Status};

const STYLE: &str = r#"
:root{--fail:#c62828;--unknown:#b26a00;--pass:#2e7d32;--nv:#5c6bc0;--line:#d0d7de;--muted:#57606a}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:0 auto;padding:24px;max-width:1400px}
h1{font-size:1.6em;margin:0 0 .2em}h2{margin-top:1.8em;border-bottom:1px solid var(--line);padding-bottom:.2em}
h3{margin:1.4em 0 .4em}.run{color:var(--muted);margin:0}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin:.5em 0 1em}
th,td{border:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f8fa}
table.counts{width:auto;table-layout:auto}table.counts td{text-align:right;min-width:6em}
col.status{width:9em}col.severity{width:6.5em}col.rule{width:17em}col.resource{width:30%}
code,pre{font:12.5px ui-monospace,SFMono-Regular,Menlo,monospace}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.3em 0 0;background:#f6f8fa;padding:6px}
.badge{display:inline-block;padding:0 6px;border-radius:4px;color:#fff;font-weight:600;font-size:.85em}
.FAIL .badge{background:var(--fail)}.UNKNOWN .badge{background:var(--unknown)}
.PASS .badge{background:var(--pass)}.NOT_VERIFIABLE .badge{background:var(--nv)}
tr.FAIL td:first-child{border-left:4px solid var(--fail)}tr.UNKNOWN td:first-child{border-left:4px solid var(--unknown)}
.fix{margin:.3em 0 0}.muted{color:var(--muted)}
figure{margin:1em 0;max-width:820px}figure svg{width:100%;height:auto}figcaption{color:var(--muted);font-size:.9em}
dl.rule dt{font-weight:600;margin-top:.8em}dl.rule dd{margin-left:1.5em}
details summary{cursor:pointer;color:var(--muted)}
@media print{
 body{font-size:10pt;padding:0;max-width:none}
 h2,h3{break-after:avoid}tr,figure{break-inside:avoid}
 a{color:inherit;text-decoration:none}
 details::details-content{content-visibility:visible;display:block}
 .badge{border:1px solid #000}
}
@page{size:A4;margin:14mm}
"#;

fn colour(status: Status) -> &'static str {
    match status {
        Status::Fail => "#c62828",
        Status::Unknown => "#b26a00",
        Status::Pass => "#2e7d32",
        Status::NotVerifiable => "#5c6bc0",
    }
}

/// Horizontal stacked bars: one row per label, one segment per status, the count at the end.
fn bars(caption: &str, rows: &[(String, [usize; 4])]) -> Markup {
    const ORDER: [Status; 4] = [Status::Fail, Status::Unknown, Status::Pass, Status::NotVerifiable];
    let (label_w, bar_w, row_h) = (70.0, 600.0, 22.0);
    let max = rows.iter().map(|(_, c)| c.iter().sum::<usize>()).max().unwrap_or(0).max(1) as f64;
    let height = row_h * rows.len() as f64 + 28.0;
    html! {
        figure {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {} {height}", label_w + bar_w + 60.0))
                role="img" aria-label=(caption) {
                @for (i, (label, counts)) in rows.iter().enumerate() {
                    @let y = i as f64 * row_h;
                    text x="0" y=(y + 15.0) font-size="12" { (label) }
                    @let (segments, end) = segments(counts, &ORDER, label_w, bar_w / max);
                    @for (x, w, status, n) in segments {
                        rect x=(x) y=(y + 3.0) width=(w) height=(row_h - 6.0) fill=(colour(status)) {
                            title { (format!("{label}: {n} {}", status.as_str())) }
                        }
                    }
                    text x=(end + 6.0) y=(y + 15.0) font-size="12" { (counts.iter().sum::<usize>()) }
                }
                @let legend_y = row_h * rows.len() as f64 + 18.0;
                @for (i, status) in ORDER.iter().enumerate() {
                    rect x=(label_w + i as f64 * 140.0) y=(legend_y - 10.0) width="10" height="10" fill=(colour(*status)) {}
                    text x=(label_w + i as f64 * 140.0 + 14.0) y=(legend_y) font-size="11" { (status.as_str()) }
                }
            }
            figcaption { (caption) }
        }
    }
}

/// Where each status's segment of a bar starts and how wide it is, and where the bar ends.
fn segments(counts: &[usize; 4], order: &[Status; 4], start: f64, per: f64) -> (Vec<(f64, f64, Status, usize)>, f64) {
    let mut x = start;
    let mut out = Vec::new();
    for (status, &n) in order.iter().zip(counts) {
        if n > 0 {
            let w = n as f64 * per;
            out.push((x, w, *status, n));
            x += w;
        }
    }
    (out, x)
}

fn tally(rows: impl Iterator<Item = Status>) -> [usize; 4] {
    let mut c = [0; 4];
    for s in rows {
        c[match s {
            Status::Fail => 0,
            Status::Unknown => 1,
            Status::Pass => 2,
            Status::NotVerifiable => 3,
        }] += 1;
    }
    c
}

fn control_order(id: &str) -> (u32, String) {
    (id.trim_start_matches('C').parse().unwrap_or(u32::MAX), id.to_owned())
}

/// Rows of a results table rendered at a time: a large run's page is written in pieces this size.
const ROWS_PER_CHUNK: usize = 500;

/// Where a results table goes in the page: its rows are written there in chunks, not held in the page.
const TABLE_MARK: &str = "<!--atrest:results-table-->";

/// One result's row.
fn row(r: &ResultRow) -> Markup {
    html! {
        tr class=(r.status.as_str()) data-result=(r.rule_id) {
            td { span.badge { (r.status.as_str()) } @if let Some(b) = r.baseline { " " span.muted { (format!("{b:?}").to_lowercase()) } } }
            td { (r.severity.as_str()) }
            td { a href=(format!("#rule-{}", r.rule_id)) { (r.rule_id) } " " (r.rule) }
            td {
                @if let Some(l) = &r.location {
                    code { (printable(&format!("{}:{}:{}", l.file, l.line, l.column))) }
                } @else {
                    code { (printable(&r.resource.id)) }
                    @if let Some(p) = &r.principal { br; "for " code { (printable(p)) } }
                }
            }
            td {
                (printable(&r.message))
                @if let Some(w) = &r.waiver {
                    p.fix { strong { "Waived" } " until " (w.expires) ": " (printable(&w.reason)) }
                }
                @if !r.remediation.is_empty() && r.waiver.is_none() && r.status != Status::Pass {
                    p.fix { strong { "Fix: " } (r.remediation) }
                }
                @if !r.jobs.is_empty() {
                    p.fix.muted { "Jobs: " (printable(&r.jobs.join(", "))) }
                }
                @if !r.evidence.is_null() && r.evidence != serde_json::json!({}) {
                    details {
                        summary { "evidence" }
                        pre { (printable(&serde_json::to_string_pretty(&r.evidence).unwrap_or_default())) }
                    }
                }
            }
        }
    }
}

/// Marks where a results table goes and keeps its rows for `write_page`.
fn mark<'a>(tables: &std::cell::RefCell<Vec<Vec<&'a ResultRow>>>, rows: &[&'a ResultRow]) -> PreEscaped<&'static str> {
    tables.borrow_mut().push(rows.to_vec());
    PreEscaped(TABLE_MARK)
}

/// A results table's opening: its columns and head; the rows follow as `<tbody>` chunks.
fn table_head() -> Markup {
    html! {
        colgroup { col.status; col.severity; col.rule; col.resource; col.message; }
        thead { tr { th { "status" } th { "severity" } th { "rule" } th { "resource" } th { "finding" } } }
    }
}

/// Writes the page, streaming each results table's rows in chunks where the page marks the table.
fn write_page(page: &str, tables: &[Vec<&ResultRow>], out: &mut dyn Write) -> io::Result<()> {
    let mut pieces = page.split(TABLE_MARK);
    out.write_all(pieces.next().unwrap_or_default().as_bytes())?;
    for (rows, piece) in tables.iter().zip(pieces) {
        out.write_all(b"<table class=\"results\">")?;
        out.write_all(table_head().into_string().as_bytes())?;
        for chunk in rows.chunks(ROWS_PER_CHUNK) {
            let body = html! { tbody { @for r in chunk { (row(r)) } } };
            out.write_all(body.into_string().as_bytes())?;
        }
        out.write_all(b"</table>")?;
        out.write_all(piece.as_bytes())?;
    }
    out.write_all(b"\n")
}

pub fn write(report: &Report, docs_url: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let run = &report.run;
    let title = format!("atrest {}: {} FAIL, {} UNKNOWN, exit {}", run.command, s.fail, s.unknown, s.exit_code);
    let title_of = |control: &str| report.controls.iter().find(|c| c.id == control).map_or("", |c| c.title.as_str());

    // Failing (not waived) first, grouped by control; then the rest by kind.
    let mut failing: BTreeMap<(u32, String), Vec<&ResultRow>> = BTreeMap::new();
    let mut waived = Vec::new();
    let mut passing = Vec::new();
    for r in &report.results {
        match (r.status, &r.waiver) {
            (Status::Fail | Status::Unknown, None) => failing.entry(control_order(&r.control)).or_default().push(r),
            (_, Some(_)) => waived.push(r),
            _ => passing.push(r),
        }
    }
    for rows in failing.values_mut() {
        // FAIL before UNKNOWN, then the most severe first.
        rows.sort_by_key(|r| (r.status != Status::Fail, r.severity));
    }
    let per_control: Vec<(String, [usize; 4])> = report
        .controls
        .iter()
        .map(|c| (c.id.clone(), tally(report.results.iter().filter(|r| r.control == c.id).map(|r| r.status))))
        .collect();
    let per_severity: Vec<(String, [usize; 4])> = Severity::ALL
        .iter()
        .map(|sev| {
            (sev.as_str().to_owned(), tally(report.results.iter().filter(|r| r.severity == *sev).map(|r| r.status)))
        })
        .filter(|(_, c)| c.iter().sum::<usize>() > 0)
        .collect();
    let cited: Vec<_> = {
        let mut ids: Vec<&str> = report.results.iter().map(|r| r.rule_id.as_str()).collect();
        ids.extend(report.resolved.iter().flatten().map(|r| r.rule_id.as_str()));
        report.rules.iter().filter(|d| ids.contains(&d.id.as_str())).collect()
    };

    // Each results table is a mark in the page; its rows are written in chunks by write_page.
    let tables: std::cell::RefCell<Vec<Vec<&ResultRow>>> = Default::default();
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { (title) }
                    p.run {
                        "Ruleset " code { (run.ruleset) } ", fail on " code { (run.fail_on.as_str()) }
                        @if run.allow_unknown { ", UNKNOWN allowed" }
                        "; started " (run.started_at) ", finished " (run.finished_at) "; atrest " (report.tool.version) "."
                        @if !run.accounts.is_empty() { " Accounts: " (run.accounts.join(", ")) "." }
                        @if !run.regions.is_empty() { " Regions: " (run.regions.join(", ")) "." }
                        @if !run.snapshots.is_empty() { " Snapshots: " (printable(&run.snapshots.join(", "))) "." }
                    }
                }
                section #summary {
                    h2 { "Summary" }
                    table.counts {
                        tr {
                            th { "PASS" } th { "FAIL" } th { "UNKNOWN" } th { "NOT_VERIFIABLE" } th { "waived" }
                            @if s.baseline.is_some() {
                                th { "new" } th { "existing" } th { "resolved" }
                            }
                            th { "reads failed" }
                        }
                        tr {
                            td { (s.pass) } td { (s.fail) } td { (s.unknown) } td { (s.not_verifiable) } td { (s.waived) }
                            @if let Some(b) = s.baseline {
                                td { (b.new) } td { (b.existing) } td { (b.resolved) }
                            }
                            td { (report.errors.len()) }
                        }
                    }
                    @if !per_control.is_empty() { (bars("Results per control", &per_control)) }
                    @if !per_severity.is_empty() { (bars("Results per severity", &per_severity)) }
                }
                @if !report.controls.is_empty() {
                    section #controls {
                        h2 { "Controls" }
                        table {
                            colgroup { col style="width:6em"; col; col style="width:10em"; col style="width:22em"; }
                            thead { tr { th { "control" } th { "requirement" } th { "status" } th { "rules run" } } }
                            tbody {
                                @for c in &report.controls {
                                    tr class=(c.status.as_str()) {
                                        td { (c.id) } td { (c.title) } td { span.badge { (c.status.as_str()) } }
                                        td { (c.rules.join(", ")) }
                                    }
                                }
                            }
                        }
                    }
                }
                section #failures {
                    h2 { "Failures and unknowns (" (failing.values().map(Vec::len).sum::<usize>()) ")" }
                    @if failing.is_empty() { p { "None." } }
                    @for ((_, control), rows) in &failing {
                        h3 id=(format!("control-{control}")) { (control) ": " (title_of(control)) " (" (rows.len()) ")" }
                        (mark(&tables, rows))
                    }
                }
                @if !waived.is_empty() {
                    section #waived {
                        h2 { "Waived (" (waived.len()) ")" }
                        (mark(&tables, &waived))
                    }
                }
                @if let Some(resolved) = &report.resolved {
                    section #resolved {
                        h2 { "Resolved since the baseline (" (resolved.len()) ")" }
                        @if resolved.is_empty() { p { "None." } } @else {
                            table {
                                colgroup { col style="width:17em"; col; col style="width:35%"; }
                                thead { tr { th { "rule" } th { "resource" } th { "principal" } } }
                                tbody {
                                    @for r in resolved {
                                        tr data-resolved=(r.rule_id) {
                                            td { a href=(format!("#rule-{}", r.rule_id)) { (r.rule_id) } }
                                            td { code { (printable(&r.resource)) } }
                                            td { @if let Some(p) = &r.principal { code { (printable(p)) } } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if !passing.is_empty() {
                    section #passing {
                        h2 { "Passing and not verifiable (" (passing.len()) ")" }
                        (mark(&tables, &passing))
                    }
                }
                @if !report.errors.is_empty() {
                    section #errors {
                        h2 { "Reads that failed (" (report.errors.len()) ")" }
                        p.muted { "What these reads would have shown is UNKNOWN in the results above, never PASS." }
                        table {
                            colgroup { col style="width:7em"; col style="width:14em"; col style="width:35%"; col; }
                            thead { tr { th { "service" } th { "operation" } th { "resource" } th { "error" } } }
                            tbody {
                                @for e in &report.errors {
                                    tr { td { (e.service) } td { (e.operation) } td { code { (printable(&e.resource)) } }
                                         td { (printable(&super::gap_error(e))) } }
                                }
                            }
                        }
                    }
                }
                @if !cited.is_empty() {
                    section #rules {
                        h2 { "Rules cited" }
                        @for d in &cited {
                            dl.rule id=(format!("rule-{}", d.id)) {
                                dt {
                                    (d.id) " " (d.title) " (" (d.severity.as_str()) ", " (d.control) ")"
                                    @if let Some(url) = docs_url { " " a href=(format!("{url}/{}.md", d.id)) { "rule page" } }
                                }
                                dd { "Fails when " (d.fails_when) "." }
                                dd { (d.rationale) }
                                dd { strong { "How to fix: " } (d.remediation) }
                            }
                        }
                    }
                }
            }
        }
    };
    write_page(&page.into_string(), &tables.into_inner(), out)
}

pub struct Html {
    pub docs_url: Option<String>,
}

impl super::Render for Html {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write(report, self.docs_url.as_deref(), out)
    }
}
