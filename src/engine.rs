//! Runs the rules (in parallel) and applies the ruleset, overrides, waivers and a baseline report.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Deserialize;

use crate::config::{RuleOverride, Waiver};
use crate::policy::matcher::{Glob, Mode};
use crate::rules::{CheckContext, Rule, World, WorldCheck, registry};
use crate::vocab::{AppliedWaiver, BaselineMark, Finding, Gap, Resolved, ResultKey, ResultRow, Ruleset, Status};
pub use crate::vocab::{Notice, Outcome};

/// What the engine needs to know about the run.
#[derive(Debug, Clone, Default)]
pub struct EngineSettings {
    pub ruleset: Ruleset,
    pub overrides: BTreeMap<String, RuleOverride>,
    pub waivers: Vec<Waiver>,
    /// Today, in days since the epoch: waivers that expired before it no longer apply.
    pub today: i64,
    /// An earlier report: failing results are marked `new` or `existing` against it.
    pub baseline: Option<Baseline>,
}

/// Runs every enabled rule on the world (an inventory's: its gaps are the outcome's).
pub fn audit(world: &World<'_>, settings: &EngineSettings) -> Outcome {
    let checked = check_world(world, settings);
    let rules_run = checked.rules_run.iter().map(|r| r.meta.id.clone()).collect();
    let mut out = decide(checked.findings, rules_run, world.inventory.gaps.clone(), settings);
    out.timings = checked.timings;
    out
}

/// What the world's rules found, before severities, waivers and order are applied.
pub struct Checked {
    pub findings: Vec<(&'static Rule, Finding)>,
    pub rules_run: Vec<&'static Rule>,
    pub timings: Vec<(&'static str, usize, std::time::Duration)>,
}

/// Runs the enabled world rules in parallel.
pub fn check_world(world: &World<'_>, settings: &EngineSettings) -> Checked {
    let ctx = CheckContext { ruleset: settings.ruleset };
    let enabled: Vec<(&'static Rule, WorldCheck)> = registry()
        .iter()
        .filter_map(|r| Some((r, r.world_check()?)))
        .filter(|(r, _)| {
            let o = settings.overrides.get(&r.meta.id);
            o.and_then(|o| o.enabled).unwrap_or_else(|| r.meta.enabled_in(settings.ruleset))
        })
        .collect();
    let per_rule: Vec<(&Rule, Vec<Finding>, std::time::Duration)> = enabled
        .par_iter()
        // One task per rule, so idle threads steal whole rules instead of waiting on a long one.
        .with_max_len(1)
        .map(|&(rule, check)| {
            let start = std::time::Instant::now();
            (rule, check(world, &ctx), start.elapsed())
        })
        .collect();
    let enabled: Vec<&'static Rule> = enabled.into_iter().map(|(r, _)| r).collect();
    let timings = per_rule.iter().map(|(r, f, d)| (r.meta.id.as_str(), f.len(), *d)).collect();
    let findings = per_rule.into_iter().flat_map(|(r, f, _)| f.into_iter().map(move |f| (r, f))).collect();
    Checked { findings, rules_run: enabled, timings }
}

/// Turns findings into the outcome: severity from ruleset and overrides, waivers, byte-stable order, and
/// the baseline's marks.
pub fn decide(
    findings: Vec<(&'static Rule, Finding)>,
    rules_run: Vec<String>,
    gaps: Vec<Gap>,
    settings: &EngineSettings,
) -> Outcome {
    let waivers: Vec<(&Waiver, Glob)> =
        settings.waivers.iter().map(|w| (w, Glob::new(&w.resource, Mode::Plain))).collect();
    let mut used = vec![false; waivers.len()];
    let mut notices = Vec::new();
    let warnings: Vec<Option<String>> = waivers.iter().map(|(w, _)| waiver_warning(w, settings.today)).collect();
    for ((w, _), warning) in waivers.iter().zip(&warnings) {
        if let Some(warning) = warning {
            notices.push(Notice(format!("waiver for {} on {} (line {}): {warning}", w.rule, w.resource, w.line)));
        }
    }
    for (w, _) in &waivers {
        if w.expires_day < settings.today {
            notices.push(Notice(format!(
                "waiver for {} on {} (line {}) expired on {} and no longer applies: {}",
                w.rule, w.resource, w.line, w.expires, w.reason
            )));
        }
    }
    let mut results: Vec<ResultRow> = findings
        .into_iter()
        .map(|(rule, f)| {
            let severity = settings
                .overrides
                .get(&rule.meta.id)
                .and_then(|o| o.severity)
                .unwrap_or_else(|| rule.meta.severity_in(settings.ruleset));
            let mut row = ResultRow {
                rule_id: rule.meta.id.clone(),
                rule: rule.meta.slug.clone(),
                control: rule.meta.control.clone(),
                status: f.status,
                severity,
                resource: f.resource,
                principal: f.principal,
                jobs: f.jobs,
                message: f.message,
                evidence: f.evidence,
                remediation: if matches!(f.status, Status::Fail | Status::Unknown) {
                    rule.meta.remediation.clone()
                } else {
                    String::new()
                },
                location: f.location,
                waiver: None,
                baseline: None,
            };
            if row.is_problem() {
                for (i, (w, glob)) in waivers.iter().enumerate() {
                    if w.rule == row.rule_id && (w.resource == row.resource.id || glob.matches(&row.resource.id)) {
                        used[i] = true;
                        if w.expires_day >= settings.today {
                            row.waiver = Some(AppliedWaiver {
                                reason: w.reason.clone(),
                                expires: w.expires.clone(),
                                warning: warnings[i].clone(),
                            });
                            break;
                        }
                    }
                }
            }
            row
        })
        .collect();
    for ((w, _), used) in waivers.iter().zip(used) {
        if !used {
            notices.push(Notice(format!(
                "waiver for {} on {} (line {}) matches no failing result: remove it or correct its resource",
                w.rule, w.resource, w.line
            )));
        }
    }
    sort_results(&mut results);
    let resolved = settings.baseline.as_ref().map(|b| b.apply(&mut results));
    Outcome { results, rules_run, resolved, gaps, notices, timings: Vec::new() }
}

/// Waivers far from what auditors accept as evidence: one that waives a rule for every resource (its pattern
/// is only `*` and `?`), or one whose expiry is more than three years away (9999-12-31 never comes).
fn waiver_warning(w: &Waiver, today: i64) -> Option<String> {
    if !w.resource.is_empty() && w.resource.chars().all(|c| c == '*' || c == '?') {
        return Some(format!(
            "its resource pattern \"{}\" matches every resource, so it waives {} everywhere: name the resources",
            w.resource, w.rule
        ));
    }
    const THREE_YEARS: i64 = 3 * 366;
    (w.expires_day > today + THREE_YEARS).then(|| {
        format!(
            "it expires on {}, more than three years away: a waiver that never expires in practice is never \
             reviewed; give the date of its next review",
            w.expires
        )
    })
}

/// Byte-stable order: severity, rule, resource, principal, status.
pub fn sort_results(results: &mut [ResultRow]) {
    results.sort_by(|a, b| {
        (a.severity, &a.rule_id, &a.resource.id, &a.principal, &a.location, a.status).cmp(&(
            b.severity,
            &b.rule_id,
            &b.resource.id,
            &b.principal,
            &b.location,
            b.status,
        ))
    });
}

/// A previous report's failing results, for `--baseline`.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    failing: BTreeSet<ResultKey>,
}

#[derive(Debug, Deserialize)]
struct BaselineReport {
    results: Vec<BaselineResult>,
}

#[derive(Debug, Deserialize)]
struct BaselineResult {
    rule_id: String,
    status: Status,
    resource: BaselineResource,
    #[serde(default)]
    principal: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    location: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct BaselineResource {
    id: String,
}

impl Baseline {
    /// Reads the JSON report of an earlier run.
    pub fn parse(text: &str) -> Result<Baseline, serde_json::Error> {
        let report: BaselineReport = serde_json::from_str(text)?;
        Ok(Baseline {
            failing: report
                .results
                .into_iter()
                .filter(|r| matches!(r.status, Status::Fail | Status::Unknown))
                .map(|r| {
                    let detail = r.location.and(r.message);
                    (r.rule_id, r.resource.id, r.principal, detail)
                })
                .collect(),
        })
    }

    /// Marks each failing result `new` or `existing` and returns what the baseline had and this run has not.
    pub fn apply(&self, results: &mut [ResultRow]) -> Vec<Resolved> {
        let mut still = BTreeSet::new();
        for r in results.iter_mut().filter(|r| r.is_problem()) {
            let key = r.key();
            r.baseline = Some(if self.failing.contains(&key) { BaselineMark::Existing } else { BaselineMark::New });
            still.insert(key);
        }
        self.failing
            .iter()
            .filter(|k| !still.contains(*k))
            .map(|(rule_id, resource, principal, _)| Resolved {
                rule_id: rule_id.clone(),
                resource: resource.clone(),
                principal: principal.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{ResourceRef, Severity};

    const DAY: i64 = 20_000;

    fn rule(id: &str) -> &'static Rule {
        crate::rules::find(id).expect("a rule of the registry")
    }

    fn finding(status: Status, id: &str) -> Finding {
        Finding::new(
            status,
            ResourceRef::new(crate::vocab::ResourceKind::KmsKey, id, Some("111122223333"), Some("us-east-1")),
            "m",
        )
    }

    fn waiver(rule: &str, resource: &str, expires_day: i64) -> Waiver {
        Waiver {
            rule: rule.into(),
            resource: resource.into(),
            reason: "accepted until the migration".into(),
            expires: "2024-10-04".into(),
            expires_day,
            line: 7,
        }
    }

    fn settings(waivers: Vec<Waiver>) -> EngineSettings {
        EngineSettings { ruleset: Ruleset::Baseline, waivers, today: DAY, ..EngineSettings::default() }
    }

    fn run(findings: Vec<(&'static str, Finding)>, settings: &EngineSettings) -> Outcome {
        let findings = findings.into_iter().map(|(id, f)| (rule(id), f)).collect();
        decide(findings, vec![], vec![], settings)
    }

    #[test]
    fn a_waiver_covers_a_failing_result_through_its_day_and_not_after() {
        let findings = || vec![("AR203", finding(Status::Fail, "arn:k1")), ("AR203", finding(Status::Pass, "arn:k2"))];
        let on_the_day = run(findings(), &settings(vec![waiver("AR203", "arn:k*", DAY)]));
        let k1 = on_the_day.results.iter().find(|r| r.resource.id == "arn:k1").unwrap();
        assert_eq!(k1.waiver.as_ref().map(|w| w.reason.as_str()), Some("accepted until the migration"));
        // A PASS is never waived, even when the pattern names it.
        assert!(on_the_day.results.iter().find(|r| r.resource.id == "arn:k2").unwrap().waiver.is_none());
        assert!(on_the_day.notices.is_empty(), "{:?}", on_the_day.notices);

        let after = run(findings(), &settings(vec![waiver("AR203", "arn:k*", DAY - 1)]));
        assert!(after.results.iter().all(|r| r.waiver.is_none()));
        assert!(after.notices.iter().any(|n| n.0.contains("expired on 2024-10-04 and no longer applies")));
    }

    #[test]
    fn waivers_that_match_nothing_or_everything_are_said_so() {
        let out =
            run(vec![("AR203", finding(Status::Fail, "arn:k1"))], &settings(vec![waiver("AR204", "arn:k1", DAY)]));
        assert!(out.results[0].waiver.is_none(), "another rule's waiver does not apply");
        assert!(out.notices.iter().any(|n| n.0.contains("matches no failing result")), "{:?}", out.notices);

        let out = run(vec![("AR203", finding(Status::Fail, "arn:k1"))], &settings(vec![waiver("AR203", "*", DAY)]));
        let applied = out.results[0].waiver.as_ref().expect("it still applies");
        assert!(applied.warning.as_deref().is_some_and(|w| w.contains("matches every resource")), "{applied:?}");
        let far = run(
            vec![("AR203", finding(Status::Fail, "arn:k1"))],
            &settings(vec![waiver("AR203", "arn:k1", DAY + 4 * 365)]),
        );
        assert!(far.notices.iter().any(|n| n.0.contains("more than three years away")), "{:?}", far.notices);
    }

    #[test]
    fn severity_comes_from_the_override_then_the_ruleset() {
        let strict = EngineSettings { ruleset: Ruleset::Strict, ..settings(vec![]) };
        let sev = |s: &EngineSettings| run(vec![("AR301", finding(Status::Fail, "arn:k1"))], s).results[0].severity;
        assert_eq!(sev(&settings(vec![])), Severity::Low);
        assert_eq!(sev(&strict), Severity::Medium);
        let mut overridden = settings(vec![]);
        overridden.overrides.insert("AR301".into(), RuleOverride { enabled: None, severity: Some(Severity::Critical) });
        assert_eq!(sev(&overridden), Severity::Critical);
        // Remediation is for what needs doing only.
        let pass = run(vec![("AR301", finding(Status::Pass, "arn:k1"))], &settings(vec![]));
        assert!(pass.results[0].remediation.is_empty());
    }

    #[test]
    fn a_baseline_marks_new_and_existing_and_lists_what_was_resolved() {
        let earlier = r#"{"results": [
            {"rule_id": "AR203", "status": "FAIL", "resource": {"id": "arn:k1"}},
            {"rule_id": "AR203", "status": "UNKNOWN", "resource": {"id": "arn:gone"}},
            {"rule_id": "AR203", "status": "PASS", "resource": {"id": "arn:k3"}}
        ]}"#;
        let s = EngineSettings { baseline: Some(Baseline::parse(earlier).unwrap()), ..settings(vec![]) };
        let out = run(
            vec![
                ("AR203", finding(Status::Fail, "arn:k1")),
                ("AR203", finding(Status::Fail, "arn:k3")),
                ("AR203", finding(Status::Pass, "arn:k4")),
            ],
            &s,
        );
        let mark = |id: &str| out.results.iter().find(|r| r.resource.id == id).unwrap().baseline;
        assert_eq!(mark("arn:k1"), Some(BaselineMark::Existing));
        assert_eq!(mark("arn:k3"), Some(BaselineMark::New), "a PASS in the baseline is no excuse");
        assert_eq!(mark("arn:k4"), None);
        let resolved: Vec<&str> = out.resolved.iter().flatten().map(|r| r.resource.as_str()).collect();
        assert_eq!(resolved, ["arn:gone"]);
    }

    #[test]
    fn results_come_out_in_one_order_whatever_order_rules_finish_in() {
        let mk = || {
            vec![
                ("AR301", finding(Status::Fail, "arn:b")),
                ("AR203", finding(Status::Fail, "arn:b")),
                ("AR203", finding(Status::Fail, "arn:a")),
            ]
        };
        let mut reversed = mk();
        reversed.reverse();
        let ids = |o: Outcome| o.results.iter().map(|r| (r.rule_id.clone(), r.resource.id.clone())).collect::<Vec<_>>();
        let forward = ids(run(mk(), &settings(vec![])));
        assert_eq!(forward, ids(run(reversed, &settings(vec![]))));
        // High before low; within a rule, by resource.
        assert_eq!(forward[0], ("AR203".to_string(), "arn:a".to_string()));
        assert_eq!(forward[2].0, "AR301");
    }
}
