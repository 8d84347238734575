//! `atrest rules` and `atrest rules explain ID`: the rule catalogue, rendered from `rules/*.toml`.

use std::fmt::Write as _;

use comfy_table::{Table, presets};

use super::{CommandError, CommandOutput};
use crate::rules::{Rule, registry};

pub fn list() -> CommandOutput {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    table.set_width(super::terminal_width().unwrap_or(crate::report::table::DEFAULT_WIDTH));
    table.set_header(vec!["id", "slug", "severity", "ruleset", "control", "title"]);
    for r in registry() {
        let m = &r.meta;
        let severity = if m.severity_by_ruleset.is_empty() {
            m.severity.as_str().to_owned()
        } else {
            m.severity_by_ruleset.iter().map(|(k, v)| format!("{}: {k}", v.as_str())).collect::<Vec<_>>().join(", ")
        };
        table.add_row(vec![
            m.id.as_str(),
            m.slug.as_str(),
            &severity,
            m.ruleset_label(),
            m.control.as_str(),
            m.title.as_str(),
        ]);
    }
    // Without borders a cell is padded to its column: trailing spaces serve no reader.
    let text: String = table.lines().map(|l| format!("{}\n", l.trim_end())).collect();
    CommandOutput { stdout: text, exit_code: 0 }
}

pub fn explain(id: &str) -> Result<CommandOutput, CommandError> {
    // By id (AR203) or by slug (output-key-policy-grants-role), as reports show both.
    let rule = crate::rules::find(id)
        .or_else(|| crate::rules::registry().iter().find(|r| r.meta.slug.eq_ignore_ascii_case(id)))
        .ok_or_else(|| {
            CommandError::Usage(format!("no rule {id}: `atrest rules` lists the rule ids and slugs (AR101 and so on)"))
        })?;
    Ok(CommandOutput { stdout: explanation(rule), exit_code: 0 })
}

/// The plain-text explanation of a rule.
pub fn explanation(rule: &Rule) -> String {
    let m = &rule.meta;
    let mut out = String::new();
    let _ = writeln!(out, "{} {}: {}", m.id, m.slug, m.title);
    let _ = writeln!(out, "severity {}, ruleset {}, control {}", m.severity.as_str(), m.ruleset_label(), m.control);
    for (ruleset, s) in &m.severity_by_ruleset {
        let _ = writeln!(out, "  severity under {ruleset}: {}", s.as_str());
    }
    let _ = writeln!(out, "\nFails when: {}\n", m.fails_when);
    let _ = writeln!(out, "Why: {}\n", m.rationale);
    let _ = writeln!(out, "How to fix: {}\n", m.remediation);
    let _ = writeln!(out, "Source: docs/{}, \"{}\":\n  \"{}\"", m.source.page, m.source.section, m.source.quote);
    out
}

/// The page `docs/rules/ARnnn.md` for a rule, generated from its TOML.
pub fn markdown(rule: &Rule) -> String {
    let m = &rule.meta;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated from rules/{}-{}.toml by `ATREST_UPDATE_DOCS=1 cargo test`; do not edit. -->\n",
        m.id, m.slug
    );
    let _ = writeln!(out, "# {} {}\n", m.id, m.slug);
    let _ = writeln!(out, "**{}**\n", m.title);
    let _ = writeln!(out, "| severity | ruleset | control |");
    let _ = writeln!(out, "| --- | --- | --- |");
    let severity = if m.severity_by_ruleset.is_empty() {
        m.severity.as_str().to_owned()
    } else {
        m.severity_by_ruleset.iter().map(|(k, v)| format!("{} ({k})", v.as_str())).collect::<Vec<_>>().join(", ")
    };
    let _ = writeln!(out, "| {severity} | {} | {} |\n", m.ruleset_label(), m.control);
    let _ = writeln!(out, "## Fails when\n\n{}\n", m.fails_when);
    let _ = writeln!(out, "## Why\n\n{}\n", m.rationale);
    let _ = writeln!(out, "## How to fix\n\n{}\n", m.remediation);
    let name = m.source.page.rsplit('/').next().unwrap_or(&m.source.page);
    let _ = writeln!(
        out,
        "## Source\n\n[{name}](../{}), section \"{}\":\n\n> {}",
        m.source.page, m.source.section, m.source.quote
    );
    out
}
