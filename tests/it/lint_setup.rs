//! Chain-aware lint: a CloudFormation template or a Terraform plan with a job request is judged by the
//! audit's rules before it is deployed; mutated copies fail the expected rules at the expected lines.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::{root, tempdir};

fn lint(args: &[&str]) -> (Output, Value) {
    let o = Command::new(env!("CARGO_BIN_EXE_atrest"))
        .current_dir(root())
        .arg("lint")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    (o, v)
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(root().join("fixtures/setup").join(name)).unwrap()
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle} not in fixture")) as u64 + 1
}

fn mutated(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The failing results as (rule, file name, line).
fn failures(report: &Value) -> Vec<(String, String, u64)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "FAIL")
        .map(|r| {
            let file = r["location"]["file"].as_str().unwrap_or("");
            let name = Path::new(file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            (r["rule_id"].as_str().unwrap().to_owned(), name, r["location"]["line"].as_u64().unwrap_or(0))
        })
        .collect()
}

#[test]
fn complete_setups_pass_and_are_judged() {
    for (template, job) in [
        ("translate-stack.yaml", "start-job.json"),
        ("translate-stack.json", "start-job-json.json"),
        ("translate-plan.json", "start-job-tf.json"),
    ] {
        for ruleset in ["baseline", "strict"] {
            let t = format!("fixtures/setup/{template}");
            let j = format!("fixtures/setup/{job}");
            let (o, r) = lint(&[&t, &j, "--ruleset", ruleset]);
            assert_eq!(o.status.code(), Some(0), "{template} {ruleset}: {:?}", failures(&r));
            let judged: std::collections::BTreeSet<&str> =
                r["results"].as_array().unwrap().iter().map(|x| x["rule_id"].as_str().unwrap()).collect();
            for rule in ["AR101", "AR201", "AR202", "AR203", "AR301", "AR403", "AR404", "AR501", "AR701", "AR702"] {
                assert!(judged.contains(rule), "{template}: {rule} did not judge the setup ({judged:?})");
            }
            // What files cannot tell is not judged: no object headers, no UNKNOWN.
            assert!(!judged.contains("AR102") && !judged.contains("AR205"), "{judged:?}");
            assert_eq!(r["summary"]["UNKNOWN"], 0);
        }
    }
}

#[test]
fn cloudformation_key_policy_missing_two_actions_fails_ar203_at_the_key_policy() {
    let text = fixture_text("translate-stack.yaml");
    let broken = text.replace("              - kms:CreateGrant\n", "").replace("              - kms:RetireGrant\n", "");
    assert_ne!(broken, text);
    let dir = tempdir();
    let t = mutated(&dir, "translate-stack.yaml", &broken);
    let (o, r) = lint(&[t.to_str().unwrap(), "fixtures/setup/start-job.json"]);
    assert_eq!(o.status.code(), Some(1));
    // The key policy document starts on the line after `KeyPolicy:`.
    let line = line_of(&broken, "KeyPolicy:") + 1;
    assert_eq!(failures(&r), [("AR203".to_string(), "translate-stack.yaml".to_string(), line)]);
    let msg = r["results"].as_array().unwrap().iter().find(|x| x["rule_id"] == "AR203").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        msg.contains("kms:CreateGrant") && msg.contains("kms:RetireGrant") && !msg.contains("kms:Decrypt"),
        "{msg}"
    );
}

#[test]
fn cloudformation_trust_policy_without_source_account_fails_ar403() {
    let text = fixture_text("translate-stack.yaml");
    let broken = text.replace(
        "            Condition:\n              StringEquals:\n                aws:SourceAccount: !Ref AWS::AccountId\n",
        "",
    );
    assert_ne!(broken, text);
    let dir = tempdir();
    let t = mutated(&dir, "translate-stack.yaml", &broken);
    let (o, r) = lint(&[t.to_str().unwrap(), "fixtures/setup/start-job.json"]);
    assert_eq!(o.status.code(), Some(1));
    let line = line_of(&broken, "AssumeRolePolicyDocument:") + 1;
    assert_eq!(failures(&r), [("AR403".to_string(), "translate-stack.yaml".to_string(), line)]);
}

#[test]
fn job_request_without_output_key_fails_ar201_under_strict() {
    let text = fixture_text("start-job.json");
    let broken = text.replace(
        ",\n    \"EncryptionKey\": {\n      \"Type\": \"KMS\",\n      \"Id\": \"alias/translate-output\"\n    }",
        "",
    );
    assert_ne!(broken, text);
    let dir = tempdir();
    let j = mutated(&dir, "start-job.json", &broken);
    let (o, r) = lint(&["fixtures/setup/translate-stack.yaml", j.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "baseline accepts the AWS managed key: {:?}", failures(&r));
    let (o, r) = lint(&["fixtures/setup/translate-stack.yaml", j.to_str().unwrap(), "--ruleset", "strict"]);
    assert_eq!(o.status.code(), Some(1));
    let line = line_of(&broken, "\"OutputDataConfig\"");
    assert_eq!(failures(&r), [("AR201".to_string(), "start-job.json".to_string(), line)]);
}

#[test]
fn terraform_mutations_fail_at_the_policy_attributes() {
    let text = fixture_text("translate-plan.json");
    let dir = tempdir();
    // The key policy is a JSON string in the plan: drop two of its five actions.
    let broken = text.replace(r#"\"kms:CreateGrant\", \"kms:RetireGrant\", "#, "");
    assert_ne!(broken, text);
    let p = mutated(&dir, "translate-plan.json", &broken);
    let (_, r) = lint(&[p.to_str().unwrap(), "fixtures/setup/start-job-tf.json"]);
    let line = line_of(&broken, "AllowTranslateRole");
    assert_eq!(failures(&r), [("AR203".to_string(), "translate-plan.json".to_string(), line)]);
    // The trust policy without its condition.
    let broken = text.replace(r#", \"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"111122223333\"}}"#, "");
    assert_ne!(broken, text);
    let p = mutated(&dir, "translate-plan.json", &broken);
    let (_, r) = lint(&[p.to_str().unwrap(), "fixtures/setup/start-job-tf.json"]);
    let line = line_of(&broken, "assume_role_policy");
    assert_eq!(failures(&r), [("AR403".to_string(), "translate-plan.json".to_string(), line)]);
}

#[test]
fn invalid_yaml_is_an_ar801_result_and_the_run_goes_on() {
    let dir = tempdir();
    let bad = mutated(&dir, "broken.yaml", "Resources:\n  Key:\n    Type: AWS::KMS::Key\n   Properties: {}\n");
    let (o, r) = lint(&[bad.to_str().unwrap(), "fixtures/lint/good-role-policy.json"]);
    assert_eq!(o.status.code(), Some(1));
    let parse: Vec<_> = r["results"].as_array().unwrap().iter().filter(|x| x["rule_id"] == "AR801").collect();
    let fail = parse.iter().find(|x| x["status"] == "FAIL").unwrap();
    assert_eq!(fail["location"]["file"], bad.to_str().unwrap());
    assert!(fail["location"]["line"].as_u64().unwrap() >= 3, "{fail}");
    assert!(parse.iter().any(|x| x["status"] == "PASS"), "the other file was linted too");
}

#[test]
fn policies_embedded_in_templates_are_linted_with_their_positions() {
    let text = fixture_text("translate-stack.yaml");
    let broken = text.replace("              - kms:DescribeKey\n", "              - kms:DescribeKeys\n");
    let dir = tempdir();
    let t = mutated(&dir, "translate-stack.yaml", &broken);
    let (_, r) = lint(&[t.to_str().unwrap()]);
    let f = failures(&r);
    let line = line_of(&broken, "kms:DescribeKeys");
    assert!(f.contains(&("AR802".to_string(), "translate-stack.yaml".to_string(), line)), "{f:?}");
}

#[test]
fn json_template_key_policy_missing_actions_fails_at_its_line() {
    let text = fixture_text("translate-stack.json");
    let broken =
        text.replace("            \"kms:CreateGrant\",\n", "").replace("            \"kms:RetireGrant\",\n", "");
    assert_ne!(broken, text);
    let dir = tempdir();
    let t = mutated(&dir, "translate-stack.json", &broken);
    let (o, r) = lint(&[t.to_str().unwrap(), "fixtures/setup/start-job-json.json"]);
    assert_eq!(o.status.code(), Some(1));
    // In JSON the key policy's position is its opening brace, on the `"KeyPolicy"` line.
    let line = line_of(&broken, "\"KeyPolicy\"");
    assert_eq!(failures(&r), [("AR203".to_string(), "translate-stack.json".to_string(), line)]);
}

#[test]
fn unrelated_templates_in_one_folder_are_separate_worlds() {
    // translate-stack.yaml and translate-stack.json both call their key `OutputKey`; before each template
    // was its own world, their placeholder ARNs collided and start-job.json was judged against the
    // other stack's key policy.
    for ruleset in ["baseline", "strict"] {
        let (o, r) = lint(&["fixtures/setup/", "--ruleset", ruleset, "--show-pass"]);
        assert_eq!(o.status.code(), Some(0), "{ruleset}: {:?}", failures(&r));
        let ar203: Vec<(String, String)> = r["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["rule_id"] == "AR203")
            .map(|x| {
                let file = x["location"]["file"].as_str().unwrap();
                (file.rsplit('/').next().unwrap().to_owned(), x["principal"].as_str().unwrap().to_owned())
            })
            .collect();
        // Each stack's key is judged once, for the role its own job request names.
        assert_eq!(
            ar203.into_iter().collect::<std::collections::BTreeSet<_>>(),
            [
                ("translate-plan.json", "arn:aws:iam::111122223333:role/translate-service"),
                ("translate-stack.json", "arn:aws:iam::444455556666:role/TranslateJsonRole"),
                ("translate-stack.yaml", "arn:aws:iam::111122223333:role/TranslateServiceRole"),
            ]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect()
        );
    }
}

#[test]
fn templates_in_the_shapes_of_aws_samples_lint_without_malformed_findings() {
    // Intrinsics atrest cannot resolve (a parameter without a default, Fn::ImportValue, a condition on
    // one), Ref of a secret (an ARN), SAM's Globals, Fn::ForEach and a custom resource's Version: all
    // accepted by cfn-lint 1.58 (tests below), none a malformed policy or an invalid template here.
    let (o, r) = lint(&["fixtures/setup/aws-shapes/"]);
    assert_eq!(o.status.code(), Some(0), "{:?} {}", failures(&r), r["errors"]);
    assert_eq!(failures(&r), Vec::<(String, String, u64)>::new());
    let errors = r["errors"].as_array().unwrap();
    assert!(errors.iter().all(|e| e["error_code"] != "InvalidTemplate"), "{errors:?}");
    // The serverless function is named as not judged, where it is written.
    let not_judged: Vec<&str> =
        errors.iter().filter(|e| e["error_code"] == "NotJudged").map(|e| e["message"].as_str().unwrap()).collect();
    assert_eq!(not_judged.len(), 1, "{errors:?}");
    assert!(not_judged[0].contains("sam-stack.yaml:9:3: Worker (AWS::Serverless::Function)"), "{not_judged:?}");
}

/// The cfn-lint the README's test command installs (beside moto's server in .venv).
fn cfn_lint() -> PathBuf {
    let venv_bin = std::env::var_os("ATREST_MOTO_SERVER")
        .map(|p| PathBuf::from(p).parent().unwrap().to_path_buf())
        .unwrap_or_else(|| root().join(".venv/bin"));
    let p = venv_bin.join("cfn-lint");
    assert!(p.is_file(), "cfn-lint is not in {}: run the README's test command (scripts/test)", venv_bin.display());
    p
}

/// cfn-lint's error rule ids (E…) for one template.
fn cfn_lint_errors(cfn_lint: &Path, template: &Path) -> Vec<String> {
    let o = Command::new(cfn_lint).args(["--format", "json"]).arg(template).output().unwrap();
    let matches: Vec<Value> = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("cfn-lint on {}: {e}: {}", template.display(), String::from_utf8_lossy(&o.stderr)));
    matches
        .iter()
        .filter_map(|m| m["Rule"]["Id"].as_str())
        .filter(|id| id.starts_with('E'))
        .map(str::to_owned)
        .collect()
}

fn atrest_says_invalid(template: &Path) -> bool {
    let (_, r) = lint(&[template.to_str().unwrap()]);
    r["errors"].as_array().unwrap().iter().any(|e| e["error_code"] == "InvalidTemplate")
}

#[test]
fn invalid_template_only_where_cfn_lint_reports_an_error() {
    let cfn_lint = cfn_lint();
    let mut templates = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml" || x == "json") {
                let text = std::fs::read_to_string(&p).unwrap();
                if text.contains("AWSTemplateFormatVersion") {
                    out.push(p);
                }
            }
        }
    }
    walk(&root().join("fixtures"), &mut templates);
    assert!(templates.len() >= 5, "{templates:?}");
    // And templates both must call invalid: a misspelt section or attribute, a section or resource that
    // needs a transform the template does not name.
    let dir = tempdir();
    let base = "AWSTemplateFormatVersion: \"2010-09-09\"\n";
    let invalid = [
        ("misspelt-section.yaml", format!("{base}Resource:\n  B:\n    Type: AWS::S3::Bucket\n")),
        (
            "misspelt-attribute.yaml",
            format!("{base}Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Propertes: {{}}\n"),
        ),
        (
            "globals-without-sam.yaml",
            format!("{base}Globals:\n  Function: {{Timeout: 3}}\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"),
        ),
        (
            "version-not-custom.yaml",
            format!("{base}Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Version: \"1.0\"\n"),
        ),
    ];
    let mut must_be_invalid = Vec::new();
    for (name, text) in &invalid {
        must_be_invalid.push(mutated(&dir, name, text));
    }
    let mut disagreements = Vec::new();
    for t in templates.iter().chain(&must_be_invalid) {
        let ours = atrest_says_invalid(t);
        let theirs = cfn_lint_errors(&cfn_lint, t);
        if ours && theirs.is_empty() {
            disagreements.push(format!("{}: InvalidTemplate, but cfn-lint reports no error", t.display()));
        }
        if must_be_invalid.contains(t) && (!ours || theirs.is_empty()) {
            disagreements.push(format!("{}: atrest invalid {ours}, cfn-lint errors {theirs:?}", t.display()));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

#[test]
fn terminologies_and_parallel_data_in_a_template_are_judged_by_their_keys() {
    let file = "fixtures/custom-resources/terminologies.yaml";
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let status_of = |report: &Value, rule: &str, name: &str| -> Option<String> {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule_id"] == rule && r["resource"]["id"].as_str().unwrap().ends_with(name))
            .map(|r| r["status"].as_str().unwrap().to_owned())
    };
    let (o, strict) = lint(&[file, "--ruleset", "strict", "--show-pass"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    // The template's Enabled key passes; the key it disables fails AR601 at the terminology.
    assert_eq!(status_of(&strict, "AR601", ":terminology/glossary").as_deref(), Some("PASS"));
    assert_eq!(status_of(&strict, "AR601", ":terminology/old-glossary").as_deref(), Some("FAIL"));
    // Parallel data under the AWS owned key: customer managed keys are the strict ruleset's demand.
    assert_eq!(status_of(&strict, "AR602", ":parallel-data/memory").as_deref(), Some("FAIL"));
    assert_eq!(status_of(&strict, "AR602", ":terminology/glossary").as_deref(), Some("PASS"));
    // Another account's key is not described by the file: not judged here, never "does not exist".
    assert_eq!(status_of(&strict, "AR601", ":terminology/partner-glossary"), None);
    let mut fails = failures(&strict);
    fails.sort();
    assert_eq!(
        fails,
        [
            ("AR302".to_owned(), "terminologies.yaml".to_owned(), line_of(&text, "RetiredKey:") + 1),
            ("AR601".to_owned(), "terminologies.yaml".to_owned(), line_of(&text, "OldGlossary:") + 1),
            ("AR602".to_owned(), "terminologies.yaml".to_owned(), line_of(&text, "Memory:") + 1),
        ]
    );
    let (_, baseline) = lint(&[file]);
    assert_eq!(status_of(&baseline, "AR602", ":parallel-data/memory"), None, "AR602 is strict only");
}
