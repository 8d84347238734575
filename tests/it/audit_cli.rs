//! `atrest audit` and `atrest rules` as processes: reports, exit codes, config, waivers, baselines, bad input.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::{atrest_in, fixture, json, root, stderr, tempdir};

const DEMO: &str = "fixtures/demo/snapshot.json";

fn atrest(args: &[&str]) -> Output {
    atrest_in(root(), args)
}

#[test]
fn demo_report_validates_against_the_schema_and_covers_every_rule() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let mut outcomes: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
    for ruleset in ["baseline", "strict"] {
        let o = atrest(&["audit", DEMO, "--format", "json", "--ruleset", ruleset]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let report = json(&o);
        let errors: Vec<String> =
            validator.iter_errors(&report).map(|e| format!("{} at {}", e, e.instance_path)).collect();
        assert!(errors.is_empty(), "{ruleset} report does not match docs/report.schema.json: {errors:#?}");
        for r in report["results"].as_array().unwrap() {
            outcomes
                .entry(r["rule_id"].as_str().unwrap().into())
                .or_default()
                .insert(r["status"].as_str().unwrap().into());
        }
        assert_eq!(report["summary"]["exit_code"], 1);
        assert_eq!(report["run"]["ruleset"], ruleset);
    }
    for rule in atrest::rules::registry().iter().filter(|r| matches!(r.check, atrest::rules::Check::World(_))) {
        let seen = outcomes.get(&rule.meta.id).cloned().unwrap_or_default();
        if rule.meta.id == "AR901" {
            assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["NOT_VERIFIABLE"]);
            continue;
        }
        assert!(seen.contains("PASS"), "{}: no PASS in the demo world ({seen:?})", rule.meta.id);
        assert!(
            seen.contains("FAIL") || seen.contains("UNKNOWN"),
            "{}: no FAIL in the demo world ({seen:?})",
            rule.meta.id
        );
    }
}

#[test]
fn a_schema_violation_is_caught() {
    // The validation above must be able to fail: a report missing a stable field does not validate.
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut report = json(&atrest(&["audit", DEMO, "--format", "json"]));
    assert!(validator.is_valid(&report));
    report["results"][0]["status"] = Value::from("MAYBE");
    assert!(!validator.is_valid(&report));
}

#[test]
fn fail_on_sets_the_exit_code() {
    assert_eq!(atrest(&["audit", DEMO, "--fail-on", "none"]).status.code(), Some(0));
    assert_eq!(atrest(&["audit", DEMO, "--fail-on", "critical"]).status.code(), Some(1));
    let o = atrest(&["audit", DEMO]);
    assert_eq!(o.status.code(), Some(1));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("CRITICAL ("), "{table}");
    assert!(!table.contains("| PASS"), "PASS rows are hidden by default:\n{table}");
    assert!(table.trim_end().lines().last().unwrap().starts_with("atrest: "), "{table}");
    assert!(!table.contains('\x1b'), "no colour when stdout is not a terminal");
    let all = String::from_utf8_lossy(&atrest(&["audit", DEMO, "--show-pass"]).stdout).into_owned();
    assert!(all.contains("PASS "), "{all}");
}

/// A world with one failing rule only: a bucket without default encryption.
fn single_failure_world(dir: &Path) -> PathBuf {
    let path = dir.join("one.json");
    std::fs::write(
        &path,
        r#"{"snapshot_version": 1, "accounts": ["111122223333"], "regions": ["us-east-1"],
            "jobs": [], "buckets": [], "gaps": []}"#,
    )
    .unwrap();
    path
}

#[test]
fn allow_unknown_and_empty_worlds() {
    let dir = tempdir();
    let world = single_failure_world(&dir);
    // An empty world has only the NOT_VERIFIABLE service result.
    let o = atrest(&["audit", world.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = json(&o);
    assert_eq!(r["summary"]["NOT_VERIFIABLE"], 1);
    assert_eq!(r["controls"].as_array().unwrap().len(), 1);
    // UNKNOWN results count unless allowed: AR102 on the partner prefix is UNKNOWN (medium or above).
    let unknown_only = atrest(&["audit", DEMO, "--format", "json", "--fail-on", "none"]);
    assert!(json(&unknown_only)["summary"]["UNKNOWN"].as_u64().unwrap() > 0);
}

#[test]
fn waivers_apply_until_they_expire_and_unmatched_ones_are_reported() {
    let dir = tempdir();
    std::fs::write(
        dir.join("atrest.toml"),
        r#"
[[waivers]]
rule = "AR101"
resource = "arn:aws:s3:::acme-legacy-*"
reason = "legacy bucket, migration ticket MIG-7"
expires = 2999-12-31

[[waivers]]
rule = "AR102"
resource = "s3://acme-legacy-uploads/batch-2019/"
reason = "expired acceptance"
expires = 2020-01-01

[[waivers]]
rule = "AR303"
resource = "arn:aws:kms:eu-west-1:*"
reason = "matches nothing"
expires = 2999-01-01

[[waivers]]
rule = "AR702"
resource = "?*"
reason = "waives the rule everywhere"
expires = 2027-06-30
"#,
    )
    .unwrap();
    let demo = root().join(DEMO);
    let o = atrest_in(&dir, &["audit", demo.to_str().unwrap(), "--format", "json"]);
    let r = json(&o);
    let find = |rule: &str, id: &str| {
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["rule_id"] == rule && x["resource"]["id"] == id)
            .cloned()
            .unwrap()
    };
    let waived = find("AR101", "arn:aws:s3:::acme-legacy-uploads");
    assert_eq!(waived["status"], "FAIL");
    assert_eq!(waived["waiver"]["reason"], "legacy bucket, migration ticket MIG-7");
    assert_eq!(waived["waiver"]["expires"], "2999-12-31");
    let expired = find("AR102", "s3://acme-legacy-uploads/batch-2019/");
    assert!(expired.get("waiver").is_none(), "an expired waiver does not suppress: {expired}");
    let e = stderr(&o);
    assert!(
        e.contains("waiver for AR102 on s3://acme-legacy-uploads/batch-2019/ (line 9) expired on 2020-01-01"),
        "{e}"
    );
    assert!(e.contains("waiver for AR303 on arn:aws:kms:eu-west-1:* (line 15) matches no failing result"), "{e}");
    // Weak evidence is accepted but said so: an expiry that never comes, and a pattern that matches everything.
    let never = "more than three years away";
    assert!(
        e.contains(&format!(
            "waiver for AR101 on arn:aws:s3:::acme-legacy-* (line 3): it expires on 2999-12-31, {never}"
        )),
        "{e}"
    );
    assert!(waived["waiver"]["warning"].as_str().is_some_and(|w| w.contains(never)), "{waived}");
    assert!(e.contains("waiver for AR702 on ?* (line 21): its resource pattern \"?*\" matches every resource"), "{e}");
    // Still, it applies: to every AR702 failure, with the warning beside the reason.
    let ar702: Vec<&Value> =
        r["results"].as_array().unwrap().iter().filter(|x| x["rule_id"] == "AR702" && x["status"] != "PASS").collect();
    assert!(
        !ar702.is_empty()
            && ar702
                .iter()
                .all(|x| x["waiver"]["warning"].as_str().is_some_and(|w| w.contains("matches every resource")))
    );
    assert_eq!(r["summary"]["waived"].as_u64(), Some(1 + ar702.len() as u64));
}

/// A folder whose atrest.toml waives every demo result with one of `statuses`, and the demo's path.
fn waive_demo(statuses: &[&str]) -> (PathBuf, PathBuf) {
    let dir = tempdir();
    let demo = root().join(DEMO);
    let report = json(&atrest(&["audit", demo.to_str().unwrap(), "--format", "json"]));
    let mut toml = String::new();
    // One waiver per (rule, resource): it covers every principal's result, and a second is an error.
    let mut waived = std::collections::BTreeSet::new();
    for r in report["results"].as_array().unwrap() {
        let pair = (r["rule_id"].to_string(), r["resource"]["id"].to_string());
        if statuses.iter().any(|s| r["status"] == *s) && waived.insert(pair) {
            toml.push_str(&format!(
                "[[waivers]]\nrule = \"{}\"\nresource = \"{}\"\nreason = \"accepted\"\nexpires = 2999-01-01\n\n",
                r["rule_id"].as_str().unwrap(),
                r["resource"]["id"].as_str().unwrap()
            ));
        }
    }
    std::fs::write(dir.join("atrest.toml"), toml).unwrap();
    (dir, demo)
}

#[test]
fn waiving_every_failure_passes_the_run() {
    let (dir, demo) = waive_demo(&["FAIL", "UNKNOWN"]);
    let o = atrest_in(&dir, &["audit", demo.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn allow_unknown_stops_unknown_results_from_counting() {
    let (dir, demo) = waive_demo(&["FAIL"]);
    // Only UNKNOWN results are left uncounted-for: they fail the run unless allowed.
    assert_eq!(atrest_in(&dir, &["audit", demo.to_str().unwrap(), "-q"]).status.code(), Some(1));
    assert_eq!(atrest_in(&dir, &["audit", demo.to_str().unwrap(), "-q", "--allow-unknown"]).status.code(), Some(0));
}

#[test]
fn baseline_makes_the_exit_code_depend_only_on_new_failures() {
    let dir = tempdir();
    let previous = dir.join("previous.json");
    let o = atrest(&["audit", DEMO, "--format", "json", "--output", previous.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "--output writes the file, not stdout");
    // Same world against itself: every failure is existing, nothing new, exit 0.
    let o = atrest(&["audit", DEMO, "--format", "json", "--baseline", previous.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = json(&o);
    let marks: std::collections::BTreeSet<&str> =
        r["results"].as_array().unwrap().iter().filter_map(|x| x["baseline"].as_str()).collect();
    assert_eq!(marks.into_iter().collect::<Vec<_>>(), ["existing"]);
    assert_eq!(r["resolved"], serde_json::json!([]));
    // A baseline that lacks one failure: that one is new and fails the run; a fixed one is resolved.
    let mut base: Value = serde_json::from_str(&std::fs::read_to_string(&previous).unwrap()).unwrap();
    let results = base["results"].as_array_mut().unwrap();
    let i = results.iter().position(|x| x["rule_id"] == "AR101" && x["status"] == "FAIL").unwrap();
    results.remove(i);
    results
        .push(serde_json::json!({"rule_id": "AR999", "status": "FAIL", "resource": {"type": "service", "id": "gone"}}));
    let edited = dir.join("edited.json");
    std::fs::write(&edited, serde_json::to_string(&base).unwrap()).unwrap();
    let o = atrest(&["audit", DEMO, "--format", "json", "--baseline", edited.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let r = json(&o);
    let new: Vec<_> = r["results"].as_array().unwrap().iter().filter(|x| x["baseline"] == "new").collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["rule_id"], "AR101");
    assert_eq!(r["resolved"][0]["rule_id"], "AR999");
}

#[test]
fn reports_are_byte_stable_apart_from_timestamps() {
    let strip = |o: Output| {
        let mut v = json(&o);
        v["run"]["started_at"] = Value::Null;
        v["run"]["finished_at"] = Value::Null;
        serde_json::to_string(&v).unwrap()
    };
    let a = strip(atrest(&["audit", DEMO, "--format", "json"]));
    let b = strip(atrest(&["audit", DEMO, "--format", "json"]));
    assert_eq!(a, b);
}

fn assert_exit_2(o: &Output, needles: &[&str]) {
    assert_eq!(o.status.code(), Some(2), "stdout: {}\nstderr: {}", String::from_utf8_lossy(&o.stdout), stderr(o));
    let e = stderr(o);
    for n in needles {
        assert!(e.contains(n), "stderr lacks {n:?}: {e}");
    }
    assert!(o.stdout.is_empty(), "no partial report on stdout");
}

#[test]
fn bad_snapshots_exit_2_with_file_line_and_column() {
    let dir = tempdir();
    let cases = [
        ("notjson.json", "snapshot_version: 1\n", vec!["notjson.json:1:1:", "a snapshot is a JSON object"]),
        (
            "future.json",
            "{\n  \"snapshot_version\": 7\n}\n",
            vec!["future.json:2:3:", "unknown snapshot_version 7", "collect the snapshot again"],
        ),
        (
            "nofield.json",
            "{\"snapshot_version\": 1,\n \"jobs\": [{\"job_id\": \"j\", \"account\": \"1\"}]}\n",
            vec!["nofield.json:2:", "missing field `region`"],
        ),
    ];
    for (name, text, needles) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = dir.join(format!("{name}.report"));
        let o = atrest(&["audit", path.to_str().unwrap(), "--output", out.to_str().unwrap()]);
        assert_exit_2(&o, &needles);
        assert!(!out.exists(), "{name}: no report file is written when the run fails");
    }
    let o = atrest(&["audit", "/nonexistent/snap.json"]);
    assert_exit_2(&o, &["cannot read snapshot /nonexistent/snap.json"]);
}

#[test]
fn bad_config_exits_2_naming_the_line() {
    let cases = [
        ("ruleset = \"baseline\"\nfail-on = \"high\"\n", vec!["atrest.toml:2:", "unknown field `fail-on`"]),
        ("\n[rules.AR123]\nenabled = false\n", vec!["atrest.toml:2:", "unknown rule id \"AR123\""]),
        (
            "[[waivers]]\nrule = \"AR101\"\nresource = \"*\"\nreason = \"r\"\nexpires = \"next year\"\n",
            vec!["atrest.toml:5:", "write YYYY-MM-DD"],
        ),
    ];
    for (text, needles) in cases {
        let dir = tempdir();
        std::fs::write(dir.join("atrest.toml"), text).unwrap();
        let demo = root().join(DEMO);
        let o = atrest_in(&dir, &["audit", demo.to_str().unwrap()]);
        assert_exit_2(&o, &needles);
    }
    let o = atrest(&["audit", DEMO, "--config", "/nonexistent/atrest.toml"]);
    assert_exit_2(&o, &["cannot read config /nonexistent/atrest.toml"]);
}

#[test]
fn bad_flags_exit_2_naming_the_flag() {
    assert_exit_2(&atrest(&["audit", DEMO, "--format", "xml"]), &["--format"]);
    assert_exit_2(&atrest(&["audit", DEMO, "--fail-on", "severe"]), &["--fail-on"]);
    assert_exit_2(&atrest(&["audit", DEMO, "--ruleset", "paranoid"]), &["--ruleset"]);
    assert_exit_2(&atrest(&["audit"]), &["SNAPSHOT"]);
    assert_exit_2(
        &atrest(&["audit", DEMO, "--baseline", fixture("demo/snapshot.json").to_str().unwrap()]),
        &["--baseline", "not an atrest JSON report"],
    );
}

#[test]
fn an_existing_report_survives_a_failed_run() {
    let dir = tempdir();
    let out = dir.join("report.json");
    std::fs::write(&out, "previous report").unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{").unwrap();
    let o = atrest(&["audit", bad.to_str().unwrap(), "--output", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous report");
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 2, "no temporary files left: {leftovers:?}");
}

#[test]
fn rules_list_and_explain() {
    let o = atrest(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    let list = String::from_utf8_lossy(&o.stdout);
    for rule in atrest::rules::registry() {
        assert!(
            list.contains(&rule.meta.id) && list.contains(&rule.meta.slug),
            "{} missing from `atrest rules`",
            rule.meta.id
        );
    }
    let o = atrest(&["rules", "explain", "ar203"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("AR203 output-key-policy-grants-role"), "{text}");
    assert!(text.contains("Your key must have a key policy that enables Amazon Translate to use it."), "{text}");
    assert_exit_2(&atrest(&["rules", "explain", "AR999"]), &["no rule AR999"]);
}

#[test]
fn config_overrides_change_severity_and_switch_rules() {
    let dir = tempdir();
    std::fs::write(
        dir.join("atrest.toml"),
        "format = \"json\"\n\n[rules.AR301]\nseverity = \"critical\"\n\n[rules.AR206]\nenabled = true\n\n[rules.AR702]\nenabled = false\n",
    )
    .unwrap();
    let demo = root().join(DEMO);
    let r = json(&atrest_in(&dir, &["audit", demo.to_str().unwrap()]));
    let rows = r["results"].as_array().unwrap();
    assert!(rows.iter().filter(|x| x["rule_id"] == "AR301").all(|x| x["severity"] == "critical"));
    assert!(rows.iter().any(|x| x["rule_id"] == "AR206"), "a strict rule switched on under baseline");
    assert!(!rows.iter().any(|x| x["rule_id"] == "AR702"), "a rule switched off");
    // The flag wins over the config file's format.
    let o = atrest_in(&dir, &["audit", demo.to_str().unwrap(), "--format", "table"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("CRITICAL ("));
}

#[test]
fn a_snapshot_without_jobs_says_so() {
    let dir = tempdir();
    let snapshot = dir.join("empty.json");
    std::fs::write(&snapshot, r#"{"snapshot_version": 1, "accounts": ["111122223333"], "regions": ["us-east-1"]}"#)
        .unwrap();
    let o = atrest(&["audit", snapshot.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("holds no Translate jobs"), "{}", stderr(&o));
    // Only the service's own volume is reported: nothing passes for want of a job.
    let r = json(&o);
    let rules: Vec<&str> = r["results"].as_array().unwrap().iter().map(|x| x["rule_id"].as_str().unwrap()).collect();
    assert_eq!(rules, ["AR901"]);
}

#[test]
fn output_follows_links_keeps_the_mode_and_writes_through_special_files() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let demo = root().join("fixtures/demo/snapshot.json");
    let demo = demo.to_str().unwrap();
    let dir = tempdir();
    // latest.json → dated.json: the link stays and the file it names gets the report.
    let dated = dir.join("dated.json");
    std::fs::write(&dated, "old").unwrap();
    std::fs::set_permissions(&dated, std::fs::Permissions::from_mode(0o640)).unwrap();
    let latest = dir.join("latest.json");
    std::os::unix::fs::symlink("dated.json", &latest).unwrap();
    let o = atrest(&["audit", demo, "--format", "json", "-o", latest.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(&latest).unwrap().file_type().is_symlink(), "the link was replaced");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&dated).unwrap()).unwrap();
    assert_eq!(report["run"]["command"], "audit");
    assert_eq!(std::fs::metadata(&dated).unwrap().permissions().mode() & 0o777, 0o640, "the mode was not kept");
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");

    // A new report gets the mode any new file gets here (0666 less the umask), not a private 0600.
    let fresh = dir.join("fresh.json");
    let o = atrest(&["audit", demo, "--format", "json", "-o", fresh.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let plain = dir.join("plain");
    std::fs::write(&plain, "").unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&fresh), mode(&plain), "a new report's mode");
    std::fs::remove_file(&fresh).unwrap();
    std::fs::remove_file(&plain).unwrap();

    // A FIFO (as /dev/stdout or a device would be) is written through, not replaced by a file.
    let fifo = dir.join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let o = atrest(&["audit", demo, "--format", "json", "-o", fifo.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let piped: Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(piped["summary"], report["summary"]);
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");

    // `-` is stdout.
    let o = atrest(&["audit", demo, "--format", "json", "-o", "-"]);
    assert_eq!(json(&o)["summary"], report["summary"]);
    assert!(!Path::new("-").exists());
}

#[test]
fn inputs_are_regular_files_under_a_size_limit() {
    let demo = root().join("fixtures/demo/snapshot.json");
    let demo = demo.to_str().unwrap();
    // A device: refused at once instead of read until memory runs out.
    let o = atrest(&["audit", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/dev/zero: not a regular file"), "{}", stderr(&o));
    // A FIFO without a writer: refused instead of waited on for ever.
    let dir = tempdir();
    let fifo = dir.join("baseline.json");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let o = atrest(&["audit", demo, "--baseline", fifo.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--baseline") && stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    // Over the limit: named, with the limit and how to raise it; under a raised limit it is read.
    let big = dir.join("big.json");
    std::fs::write(&big, " ".repeat(3 << 20)).unwrap();
    let o = atrest(&["--max-input-mb", "2", "audit", big.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("big.json") && e.contains("limit of 2 MiB") && e.contains("--max-input-mb"), "{e}");
    let o = atrest(&["--max-input-mb", "4", "audit", big.to_str().unwrap()]);
    assert!(!stderr(&o).contains("limit of"), "{}", stderr(&o));
    // Standard input too.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_atrest"))
        .args(["--max-input-mb", "1", "lint", "-"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let _ = child.stdin.take().unwrap().write_all(&vec![b' '; 2 << 20]);
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("limit of 1 MiB"));
}

#[test]
fn control_characters_from_a_snapshot_are_shown_not_sent_to_the_terminal() {
    let dir = tempdir();
    let snapshot = dir.join("s.json");
    let gap = r#"{"service":"s3","operation":"GetBucketPolicy","resource":"b\u001b[2J","error_code":"AccessDenied","message":"no\u001b]0;pwned\u0007"}"#;
    std::fs::write(&snapshot, format!(r#"{{"snapshot_version": 1, "gaps": [{gap}]}}"#)).unwrap();
    let o = atrest(&["audit", snapshot.to_str().unwrap()]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("READS THAT FAILED"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "raw control characters in {out:?}");
    assert!(out.contains("\\u{1b}]0;pwned\\u{7}"), "{out:?}");
}

#[test]
fn errors_quote_input_briefly() {
    // A snapshot wrapped in `[…]` quoted the whole document back (185 MB on a large one).
    let dir = tempdir();
    let demo = std::fs::read_to_string(root().join("fixtures/demo/snapshot.json")).unwrap();
    let wrapped = dir.join("wrapped.json");
    std::fs::write(&wrapped, format!("[\n{demo}\n]")).unwrap();
    let o = atrest(&["audit", wrapped.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("wrapped.json:1:1: a snapshot is a JSON object") && e.contains("starts with `[`"), "{e}");
    assert!(e.len() < 400, "{} bytes of error", e.len());
    let version = dir.join("version.json");
    std::fs::write(&version, format!(r#"{{"snapshot_version": {{"a": "{}"}}}}"#, "x".repeat(100_000))).unwrap();
    let e = stderr(&atrest(&["audit", version.to_str().unwrap()]));
    assert!(e.contains("unknown snapshot_version") && e.contains("(100008 characters)") && e.len() < 400, "{e}");
}

#[test]
fn a_baseline_of_another_tool_or_schema_is_refused_not_taken_as_all_existing() {
    let dir = tempdir();
    let previous = dir.join("previous.json");
    assert_eq!(
        atrest(&["audit", DEMO, "--format", "json", "--output", previous.to_str().unwrap()]).status.code(),
        Some(1)
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&previous).unwrap()).unwrap();
    for (what, edit, said) in [
        (
            "another tool",
            ("tool", serde_json::json!({"name": "prowler", "version": "5"})),
            "its tool.name is \"prowler\"",
        ),
        ("another schema", ("schema_version", serde_json::json!(2)), "its schema_version is 2"),
    ] {
        let mut r = report.clone();
        r[edit.0] = edit.1;
        let path = dir.join(format!("{}.json", what.replace(' ', "-")));
        std::fs::write(&path, serde_json::to_string(&r).unwrap()).unwrap();
        let o = atrest(&["audit", DEMO, "--baseline", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{what}: {}", stderr(&o));
        assert!(stderr(&o).contains(said) && stderr(&o).contains(path.to_str().unwrap()), "{what}: {}", stderr(&o));
    }
}
