//! `atrest lint` as a process: text, JSON and SARIF output, folders and stdin, bad input.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::{root, stderr, tempdir};

fn atrest(args: &[&str]) -> Output {
    crate::atrest_in(root(), args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn text_output_is_path_line_col() {
    let o = atrest(&["lint", "fixtures/lint/misspelt-actions.json", "fixtures/lint/good-role-policy.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let first = out.lines().next().unwrap();
    assert_eq!(
        first,
        "fixtures/lint/misspelt-actions.json:8:9: AR802 [high] policy-unknown-action: \"kms:GenerateDatakeys\" is not an action; did you mean kms:GenerateDataKey?"
    );
    assert_eq!(out.lines().count(), 2, "one finding and the summary line:\n{out}");
    assert_eq!(atrest(&["lint", "fixtures/lint/good-role-policy.json"]).status.code(), Some(0));
}

#[test]
fn a_folder_is_walked_and_invalid_json_does_not_stop_the_run() {
    let o = atrest(&["lint", "fixtures/lint", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["run"]["command"], "lint");
    let results = r["results"].as_array().unwrap();
    let files: std::collections::BTreeSet<&str> =
        results.iter().map(|x| x["resource"]["id"].as_str().unwrap()).collect();
    assert_eq!(
        files.len(),
        std::fs::read_dir(root().join("fixtures/lint")).unwrap().count(),
        "every file linted: {files:?}"
    );
    let parse = results
        .iter()
        .find(|x| {
            x["rule_id"] == "AR801" && x["status"] == "FAIL" && x["resource"]["id"] == "fixtures/lint/invalid-json.json"
        })
        .unwrap();
    assert_eq!(
        parse["location"],
        serde_json::json!({"file": "fixtures/lint/invalid-json.json", "line": 4, "column": 82})
    );
    // Public principals in trust and key policies are AR807 findings, never parse errors.
    for f in ["fixtures/lint/public-trust-policy.json", "fixtures/lint/public-key-policy.json"] {
        let of = |rule: &str| {
            results
                .iter()
                .filter(|x| x["rule_id"] == rule && x["resource"]["id"] == f)
                .map(|x| x["status"].as_str().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(of("AR801"), ["PASS"], "{f}");
        assert_eq!(of("AR807"), ["FAIL"], "{f}");
    }
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/it/sarif-2.1.0-rtm.5.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let o = atrest(&["lint", "fixtures/lint", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let sarif: Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors: Vec<String> = validator.iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), atrest::rules::registry().len());
    let r802 = rules.iter().find(|r| r["id"] == "AR802").unwrap();
    assert_eq!(r802["name"], "policy-unknown-action");
    assert_eq!(r802["helpUri"], "file:docs/rules/AR802.md");
    let result = run["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "AR802").unwrap();
    assert_eq!(result["level"], "error");
    assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], "AR802");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!((region["startLine"].as_u64(), region["startColumn"].as_u64()), (Some(8), Some(9)));
    let levels: std::collections::BTreeSet<&str> =
        run["results"].as_array().unwrap().iter().map(|r| r["level"].as_str().unwrap()).collect();
    assert_eq!(levels.into_iter().collect::<Vec<_>>(), ["error", "note", "warning"]);
    // The validation can fail: a result without a message is not SARIF.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0].as_object_mut().unwrap().remove("message");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn stdin_is_read_with_a_dash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_atrest"))
        .args(["lint", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*", "Principal": "*"}}"#)
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).starts_with("-:1:102: AR807 [high] policy-public-principal"), "{}", stdout(&o));
}

#[test]
fn unreadable_and_binary_paths_exit_2_naming_them() {
    let o = atrest(&["lint", "/nonexistent/policy.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read /nonexistent/policy.json"), "{}", stderr(&o));
    let dir = tempdir();
    let bin = dir.join("key.der");
    std::fs::write(&bin, [0x30u8, 0x82, 0x00, 0x01, 0xff]).unwrap();
    let o = atrest(&["lint", bin.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(&format!("{} is not a text file", bin.display())), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn files_of_no_known_kind_are_reported_not_guessed() {
    let dir = tempdir();
    std::fs::write(dir.join("package.json"), r#"{"name": "x", "dependencies": {}}"#).unwrap();
    // Beside a policy, the unknown file is a note and an error entry; the policy is linted.
    std::fs::write(dir.join("policy.json"), r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#).unwrap();
    let o = atrest(&["lint", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        r["results"].as_array().unwrap().iter().all(|x| x["resource"]["id"].as_str().unwrap().ends_with("policy.json"))
    );
    assert_eq!(r["errors"][0]["error_code"], "NotLinted");
    assert!(stderr(&o).contains("no known kind"), "{}", stderr(&o));
}

#[test]
fn a_run_that_finds_nothing_to_lint_fails_saying_so() {
    // A CI gate that checked nothing must not go green: an empty folder, or one of unknown kinds only.
    let empty = tempdir();
    let unknown = tempdir();
    std::fs::write(unknown.join("package.json"), r#"{"name": "x", "dependencies": {}}"#).unwrap();
    for (dir, read) in [(&empty, "0 file(s) read"), (&unknown, "1 file(s) read")] {
        let o = atrest(&["lint", dir.to_str().unwrap(), "--format", "json"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(o.stdout.is_empty());
        let e = stderr(&o);
        assert!(e.contains("nothing to lint") && e.contains(read) && e.contains(dir.to_str().unwrap()), "{e}");
    }
    assert!(stderr(&atrest(&["lint", unknown.to_str().unwrap()])).contains("package.json:1:1: no known kind"));
}

#[test]
fn rules_are_explained_by_id_or_slug() {
    let by_id = atrest(&["rules", "explain", "AR203"]);
    let by_slug = atrest(&["rules", "explain", "output-key-policy-grants-role"]);
    assert_eq!(by_id.status.code(), Some(0));
    assert_eq!(by_id.stdout, by_slug.stdout);
    assert!(String::from_utf8_lossy(&by_id.stdout).starts_with("AR203 output-key-policy-grants-role"));
    let none = atrest(&["rules", "explain", "no-such-rule"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("no rule no-such-rule"), "{}", stderr(&none));
}

#[test]
fn every_lint_result_has_a_location() {
    let o = atrest(&["lint", "fixtures/lint", "fixtures/setup", "--format", "json"]);
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = r["results"].as_array().unwrap();
    assert!(results.len() > 50);
    for x in results {
        let l = &x["location"];
        assert!(l["file"].is_string() && l["line"].as_u64() >= Some(1) && l["column"].as_u64() >= Some(1), "{x}");
    }
}

#[test]
fn baseline_tells_new_lint_findings_from_existing_ones_in_the_same_file() {
    let dir = tempdir();
    let policy = dir.join("p.json");
    let one = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:GenerateDatakeys"], "Resource": "*"}]}"#;
    std::fs::write(&policy, one).unwrap();
    let base = dir.join("base.json");
    let o = atrest(&["lint", policy.to_str().unwrap(), "--format", "json", "--output", base.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    // Same file, the old typo moved to another line and a second typo added: only the new one counts.
    let two = "{\"Version\": \"2012-10-17\",\n \"Statement\": [{\"Effect\": \"Allow\",\n \"Action\": [\"kms:Decrypts\", \"kms:GenerateDatakeys\"], \"Resource\": \"*\"}]}";
    std::fs::write(&policy, two).unwrap();
    let o = atrest(&["lint", policy.to_str().unwrap(), "--format", "json", "--baseline", base.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let marks: Vec<(&str, &str)> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == "FAIL")
        .map(|x| (x["message"].as_str().unwrap(), x["baseline"].as_str().unwrap()))
        .collect();
    assert_eq!(marks.len(), 2, "{marks:?}");
    assert!(marks.iter().any(|(m, b)| m.contains("kms:Decrypts") && *b == "new"), "{marks:?}");
    assert!(marks.iter().any(|(m, b)| m.contains("kms:GenerateDatakeys") && *b == "existing"), "{marks:?}");
    // With only the old finding left the run passes.
    std::fs::write(&policy, one).unwrap();
    let o = atrest(&["lint", policy.to_str().unwrap(), "--baseline", base.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn folder_links_are_not_followed_and_each_file_is_linted_once() {
    let dir = tempdir();
    let d = dir.join("d");
    std::fs::create_dir(&d).unwrap();
    std::fs::copy(root().join("fixtures/lint/broad-allow.json"), d.join("policy.json")).unwrap();
    // Two loops: the folder's parent and the folder itself, which followed would list the file for ever.
    std::os::unix::fs::symlink("..", d.join("up")).unwrap();
    std::os::unix::fs::symlink(".", d.join("self")).unwrap();
    let named = d.join("policy.json");
    let o = atrest(&["lint", dir.to_str().unwrap(), named.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let ar801: Vec<&Value> = r["results"].as_array().unwrap().iter().filter(|x| x["rule_id"] == "AR801").collect();
    assert_eq!(ar801.len(), 1, "the policy was linted {} times", ar801.len());
}

#[test]
fn control_characters_in_names_are_shown_not_sent_to_the_terminal() {
    let dir = tempdir();
    // A file name can hold ESC: `ESC[2J` clears the screen, `ESC]0;…BEL` retitles the terminal.
    let evil = dir.join("p\u{1b}[2J\u{1b}]0;pwned\u{7}.json");
    std::fs::write(
        &evil,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"s3:*","Resource":"*"}]}"#,
    )
    .unwrap();
    for format in ["table", "markdown"] {
        let o = atrest(&["lint", evil.to_str().unwrap(), "--format", format]);
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(out.contains("AR801"), "{out}");
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{format}: raw control characters in {out:?}");
        assert!(out.contains("\\u{1b}[2J"), "{format}: {out:?}");
    }
}

#[test]
fn a_template_with_a_misspelt_section_or_attribute_is_reported_and_fails() {
    let dir = tempdir();
    let misspelt = dir.join("stack.yaml");
    std::fs::write(
        &misspelt,
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Out:\n    Type: AWS::S3::Bucket\n    Propertes:\n      BucketName: acme-out\n",
    )
    .unwrap();
    let o = atrest(&["lint", misspelt.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["summary"]["exit_code"], 1);
    let e = &r["errors"][0];
    assert_eq!(e["error_code"], "InvalidTemplate");
    assert!(
        e["message"].as_str().unwrap().contains("stack.yaml:5:5: resource Out has an unknown attribute \"Propertes\""),
        "{e}"
    );
    assert!(stderr(&o).contains("Propertes"), "{}", stderr(&o));
    // The valid fixtures stay valid.
    let o = atrest(&["lint", "fixtures/setup/", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
