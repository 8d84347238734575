//! Every renderer's output of the demo world, kept as insta snapshots (tests/it/snapshots/): a change to
//! any byte of a format shows as a diff to review (`cargo insta review`, or INSTA_UPDATE=always). Run times,
//! durations and the version are redacted, as scripts/render-outputs does.

use crate::root;

fn redacted(text: &str) -> String {
    let patterns = [
        (r#"("(?:version|tool_version|semanticVersion)"\s*:\s*")[^"]*(")"#, "${1}VERSION${2}"),
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})", "TIMESTAMP"),
        (r"\b1[6-9]\d{11}\b", "EPOCH_MS"),
        (r"\d+(?:\.\d+)? ?(?:ms|s)\b", "DURATION"),
        (r"atrest v?\d+\.\d+\.\d+", "atrest VERSION"),
    ];
    let mut out = text.to_owned();
    for (pattern, with) in patterns {
        out = regex::Regex::new(pattern).unwrap().replace_all(&out, with).into_owned();
    }
    out
}

fn rendered(args: &[&str]) -> String {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_atrest"))
        .current_dir(root())
        .env("COLUMNS", "120")
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&o.stderr));
    redacted(&String::from_utf8(o.stdout).unwrap())
}

#[test]
fn every_format_of_the_demo_audit_is_as_reviewed() {
    for format in ["table", "json", "sarif", "junit", "csv", "html", "markdown", "ocsf"] {
        let text = rendered(&["audit", "fixtures/demo/snapshot.json", "--format", format, "--show-pass"]);
        insta::assert_snapshot!(format!("demo-audit-{format}"), text);
    }
}

#[test]
fn lint_text_and_sarif_of_the_lint_fixtures_are_as_reviewed() {
    for format in ["table", "sarif"] {
        let text = rendered(&["lint", "fixtures/lint", "--format", format]);
        insta::assert_snapshot!(format!("lint-fixtures-{format}"), text);
    }
}

#[test]
fn redaction_leaves_the_rest_alone() {
    assert_eq!(
        redacted(r#"{"version": "1.2.3", "at": "2026-12-04T19:00:00Z", "n": 5}"#),
        r#"{"version": "VERSION", "at": "TIMESTAMP", "n": 5}"#
    );
    assert_eq!(redacted("took 0.31 s, 12 ms"), "took DURATION, DURATION");
}
