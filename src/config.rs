//! `atrest.toml`: defaults for the output flags, per-rule overrides and waivers, validated with line numbers.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::vocab::time::parse_day;
use crate::vocab::{FailOn, Format, Ruleset, Severity};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}:{line}: {message}")]
    Invalid { path: String, line: usize, message: String },
}

/// The config file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    ruleset: Option<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    format: Option<Spanned<String>>,
    allow_unknown: Option<bool>,
    show_pass: Option<bool>,
    docs_url: Option<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, RawOverride>,
    #[serde(default)]
    waivers: Vec<RawWaiver>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    enabled: Option<bool>,
    severity: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    rule: Spanned<String>,
    resource: Spanned<String>,
    reason: Spanned<String>,
    expires: Spanned<DateValue>,
}

/// TOML dates may be written bare (`2026-12-31`) or quoted.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum DateValue {
    Text(String),
    Date(toml::value::Datetime),
}

/// The validated config.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub ruleset: Option<Ruleset>,
    pub fail_on: Option<FailOn>,
    pub format: Option<Format>,
    pub allow_unknown: Option<bool>,
    pub show_pass: Option<bool>,
    /// Where the rule pages are published, for SARIF `helpUri` (`<docs_url>/AR203.md`).
    pub docs_url: Option<String>,
    pub overrides: BTreeMap<String, RuleOverride>,
    pub waivers: Vec<Waiver>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleOverride {
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub rule: String,
    /// A resource id or a glob (`*`, `?`).
    pub resource: String,
    pub reason: String,
    /// `YYYY-MM-DD`; the waiver applies through this day (UTC).
    pub expires: String,
    /// Days since the epoch of `expires`.
    pub expires_day: i64,
    /// Where it is written, for messages.
    pub line: usize,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Config {
    /// Reads a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = crate::input::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
        Config::parse(&path.display().to_string(), &text)
    }

    /// Parses config text; `path` names it in errors.
    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
        let invalid = |offset: usize, message: String| ConfigError::Invalid {
            path: path.to_owned(),
            line: line_of(text, offset),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            invalid(offset, format!("{} (see docs/config.md)", e.message().trim()))
        })?;
        let mut config = Config { allow_unknown: raw.allow_unknown, show_pass: raw.show_pass, ..Config::default() };
        if let Some(r) = &raw.ruleset {
            config.ruleset = Some(match r.get_ref().as_str() {
                "baseline" => Ruleset::Baseline,
                "strict" => Ruleset::Strict,
                other => {
                    return Err(invalid(r.span().start, format!("ruleset \"{other}\" is not baseline or strict")));
                }
            });
        }
        if let Some(f) = &raw.fail_on {
            config.fail_on = Some(FailOn::parse(f.get_ref()).ok_or_else(|| {
                invalid(
                    f.span().start,
                    format!("fail_on \"{}\" is not one of critical, high, medium, low, info, none", f.get_ref()),
                )
            })?);
        }
        if let Some(u) = &raw.docs_url {
            let url = u.get_ref().trim_end_matches('/');
            // SARIF viewers open helpUri: only a web page or a local file, never javascript: or the like.
            let web = url.strip_prefix("https://").is_some_and(|rest| !rest.is_empty());
            if !web && !url.starts_with("file:") {
                return Err(invalid(
                    u.span().start,
                    format!("docs_url \"{url}\" is not an https:// (or file:) URL of the rule pages"),
                ));
            }
            // SARIF's helpUri is `<docs_url>/AR203.md`: a query, a fragment or a space would swallow the page.
            if url.contains(['?', '#']) || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(invalid(
                    u.span().start,
                    format!(
                        "docs_url \"{url}\" must be a plain URL of the folder of rule pages (no query, fragment or \
                         space): atrest appends /AR203.md to it"
                    ),
                ));
            }
            config.docs_url = Some(url.to_owned());
        }
        if let Some(f) = &raw.format {
            let format = Format::parse(f.get_ref()).ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|(n, _)| *n).collect();
                invalid(f.span().start, format!("format \"{}\" is not one of {}", f.get_ref(), names.join(", ")))
            })?;
            config.format = Some(format);
        }
        for (id, o) in &raw.rules {
            let rule = crate::rules::find(id.get_ref()).ok_or_else(|| {
                invalid(id.span().start, format!("unknown rule id \"{}\" (`atrest rules` lists them)", id.get_ref()))
            })?;
            let severity = match &o.severity {
                Some(s) => Some(Severity::parse(s.get_ref()).ok_or_else(|| {
                    invalid(
                        s.span().start,
                        format!("severity \"{}\" is not one of critical, high, medium, low, info", s.get_ref()),
                    )
                })?),
                None => None,
            };
            config.overrides.insert(rule.meta.id.clone(), RuleOverride { enabled: o.enabled, severity });
        }
        for w in &raw.waivers {
            let rule = crate::rules::find(w.rule.get_ref()).ok_or_else(|| {
                invalid(w.rule.span().start, format!("waiver for unknown rule id \"{}\"", w.rule.get_ref()))
            })?;
            if w.reason.get_ref().trim().is_empty() {
                return Err(invalid(w.reason.span().start, "a waiver needs a reason".into()));
            }
            let expires = match w.expires.get_ref() {
                DateValue::Text(s) => s.clone(),
                DateValue::Date(d) => d.to_string(),
            };
            let day = parse_day(&expires).ok_or_else(|| {
                invalid(w.expires.span().start, format!("expires \"{expires}\" is not a date: write YYYY-MM-DD"))
            })?;
            let line = line_of(text, w.rule.span().start);
            if let Some(first) =
                config.waivers.iter().find(|x| x.rule == rule.meta.id && &x.resource == w.resource.get_ref())
            {
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    line,
                    message: format!(
                        "a second waiver of {} for {} (the first is on line {}): keep one, with one reason and expiry",
                        rule.meta.id,
                        w.resource.get_ref(),
                        first.line
                    ),
                });
            }
            config.waivers.push(Waiver {
                rule: rule.meta.id.clone(),
                resource: w.resource.get_ref().clone(),
                reason: w.reason.get_ref().clone(),
                expires,
                expires_day: day,
                line,
            });
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_parses() {
        let c = Config::parse(
            "atrest.toml",
            r#"
ruleset = "strict"
fail_on = "high"
format = "json"
allow_unknown = true

[rules.AR301]
severity = "high"

[rules.ar602]
enabled = false

[[waivers]]
rule = "AR203"
resource = "arn:aws:kms:us-east-1:111122223333:key/*"
reason = "key policy change scheduled in CHG-1234"
expires = 2026-12-31

[[waivers]]
rule = "AR101"
resource = "arn:aws:s3:::legacy"
reason = "legacy bucket"
expires = "2027-01-15"
"#,
        )
        .unwrap();
        assert_eq!(c.ruleset, Some(Ruleset::Strict));
        assert_eq!(c.fail_on, Some(FailOn::Severity(Severity::High)));
        assert_eq!(c.overrides["AR301"].severity, Some(Severity::High));
        assert_eq!(c.overrides["AR602"].enabled, Some(false));
        assert_eq!(c.waivers[0].expires, "2026-12-31");
        assert_eq!(c.waivers[0].line, 14);
        assert_eq!(c.waivers[1].expires_day, parse_day("2027-01-15").unwrap());
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("ruleset = \"strict\"\nfailon = \"high\"\n", 2, "unknown field"),
            ("[rules.AR999]\nenabled = false\n", 1, "unknown rule id \"AR999\""),
            (
                "\n[[waivers]]\nrule = \"AR203\"\nresource = \"*\"\nreason = \"r\"\nexpires = \"31/12/2026\"\n",
                6,
                "not a date",
            ),
            ("\n\n[[waivers]]\nrule = \"AR203\"\nresource = \"*\"\nreason = \"r\"\n", 3, "missing field `expires`"),
            ("fail_on = \"severe\"\n", 1, "fail_on \"severe\""),
            ("[rules.AR101]\nseverity = \"urgent\"\n", 2, "severity \"urgent\""),
            (
                "[[waivers]]\nrule = \"AR9\"\nresource = \"*\"\nreason = \"r\"\nexpires = 2026-01-01\n",
                2,
                "unknown rule id",
            ),
            // The same rule and resource waived twice: the second names the first.
            (
                "[[waivers]]\nrule = \"AR101\"\nresource = \"arn:aws:s3:::b\"\nreason = \"r\"\nexpires = 2999-01-01\n\n\
                 [[waivers]]\nrule = \"ar101\"\nresource = \"arn:aws:s3:::b\"\nreason = \"s\"\nexpires = 2999-02-01\n",
                8,
                "a second waiver of AR101 for arn:aws:s3:::b (the first is on line 2)",
            ),
            ("docs_url = \"javascript:alert(1)\"\n", 1, "not an https://"),
            ("docs_url = \"http://example.com/rules\"\n", 1, "not an https://"),
            ("docs_url = \"https://example.com/rules?x=1#frag\"\n", 1, "no query, fragment or space"),
        ];
        for (text, line, needle) in cases {
            let ConfigError::Invalid { line: l, message, .. } = Config::parse("atrest.toml", text).unwrap_err() else {
                panic!()
            };
            assert_eq!(l, line, "{text}: {message}");
            assert!(message.contains(needle), "{text}: {message}");
        }
    }
}
