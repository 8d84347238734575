//! Markdown for pull request comments and CI job summaries: the counts, the controls, and the FAIL and
//! UNKNOWN results (all results with `--show-pass`).

use crate::vocab::text::printable;
use std::fmt::Write as _;

use super::Report;
use crate::vocab::Status;

/// Table-cell text: every character Markdown could read as inline markup backslash-escaped (links and
/// images `[x](u)`, `![](u)`, emphasis, code, strikethrough), pipes escaped, line breaks as `<br>`, and `<`, `>`, `&`
/// as entities, so that no text from a policy, a key or a message turns into markup.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in printable(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {}
            '\n' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '~' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text shown as code (a resource id): a code span, whose content Markdown shows literally (no entity,
/// link or emphasis), with backticks replaced, pipes escaped for the table and line breaks as spaces.
pub fn code(text: &str) -> String {
    let inner: String = printable(text)
        .chars()
        .map(|c| match c {
            '`' => "'".to_owned(),
            '|' => "\\|".to_owned(),
            '\n' | '\r' => " ".to_owned(),
            c => c.to_string(),
        })
        .collect();
    format!("`{inner}`")
}

pub fn render(report: &Report, show_pass: bool) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(out, "## atrest {}: exit {}\n", report.run.command, s.exit_code);
    // The accounts and regions come from the snapshot, which anyone may have written.
    let scope = match (report.run.accounts.is_empty(), report.run.regions.is_empty()) {
        (false, false) => format!(
            " · accounts {} · regions {}",
            cell(&report.run.accounts.join(", ")),
            cell(&report.run.regions.join(", "))
        ),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "Ruleset {} · fail on {}{} · {}\n",
        code(&report.run.ruleset),
        code(&report.run.fail_on.to_string()),
        scope,
        cell(&report.run.finished_at)
    );
    match s.baseline {
        None => {
            out.push_str("| PASS | FAIL | UNKNOWN | NOT_VERIFIABLE | waived |\n| ---: | ---: | ---: | ---: | ---: |\n");
            let _ =
                writeln!(out, "| {} | {} | {} | {} | {} |\n", s.pass, s.fail, s.unknown, s.not_verifiable, s.waived);
        }
        Some(b) => {
            out.push_str(
                "| PASS | FAIL | UNKNOWN | NOT_VERIFIABLE | waived | new | existing | resolved |\n\
                 | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
            );
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                s.pass, s.fail, s.unknown, s.not_verifiable, s.waived, b.new, b.existing, b.resolved
            );
        }
    }
    if !report.controls.is_empty() {
        out.push_str("### Controls\n\n| control | status | rules |\n| --- | --- | --- |\n");
        for c in &report.controls {
            let _ = writeln!(out, "| {} | {} | {} |", c.id, c.status.as_str(), c.rules.join(", "));
        }
        out.push('\n');
    }
    let rows: Vec<_> =
        report.results.iter().filter(|r| show_pass || matches!(r.status, Status::Fail | Status::Unknown)).collect();
    let _ = writeln!(out, "### Results ({})\n", if show_pass { "all" } else { "FAIL and UNKNOWN" });
    if rows.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str("| status | severity | rule | resource | message |\n| --- | --- | --- | --- | --- |\n");
        for r in rows {
            let status = super::status_label(r);
            let resource = super::subject(r, code, " for ");
            let _ = writeln!(
                out,
                "| {status} | {} | {} {} | {} | {} |",
                r.severity.as_str(),
                r.rule_id,
                r.rule,
                resource,
                cell(&r.message)
            );
        }
    }
    if let Some(resolved) = report.resolved.as_ref().filter(|r| !r.is_empty()) {
        let _ = writeln!(out, "\n### Resolved since the baseline ({})\n", resolved.len());
        out.push_str("| rule | resource |\n| --- | --- |\n");
        for r in resolved {
            let mut resource = code(&r.resource);
            if let Some(p) = &r.principal {
                resource.push_str(&format!(" for {}", code(p)));
            }
            let _ = writeln!(out, "| {} | {} |", cell(&r.rule_id), resource);
        }
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "\n### Reads that failed ({})\n", report.errors.len());
        out.push_str("| service | operation | resource | error |\n| --- | --- | --- | --- |\n");
        for e in &report.errors {
            let error = super::gap_error(e);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(e.service.as_str()),
                cell(e.operation.as_str()),
                code(&e.resource),
                cell(&error)
            );
        }
    }
    out
}

pub struct Markdown {
    pub show_pass: bool,
}

impl super::RenderText for Markdown {
    fn text(&self, report: &Report) -> String {
        render(report, self.show_pass)
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_cannot_break_the_table_or_add_markup() {
        assert_eq!(cell("a | b"), "a \\| b");
        assert_eq!(cell("one\ntwo"), "one<br>two");
        assert_eq!(cell("<script>"), "&lt;script&gt;");
        assert_eq!(cell("bucket\u{1b}[2J"), "bucket\\\\u{1b}\\[2J");
        assert_eq!(cell("![x](y)"), "\\!\\[x\\](y)");
        assert_eq!(super::code("a`b|c\nd"), "`a'b\\|c d`");
    }
}
