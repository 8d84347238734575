//! The habits of the ecosystem: completions and a man page from the clap definitions, the pre-commit hook
//! manifest, and the GitHub Actions example that uploads SARIF to code scanning.

use clap::Parser;
use serde_json::Value;

use crate::{atrest_in, fixture, root, stderr, tempdir};

/// A YAML file as serde_json's tree, through atrest's own YAML reader.
fn yaml(path: &str) -> Value {
    fn plain(v: &atrest::policy::json::Value) -> Value {
        use atrest::policy::json::Kind;
        match &v.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Number(n) => serde_json::from_str(n).unwrap_or(Value::String(n.clone())),
            Kind::String(s) => Value::String(s.clone()),
            Kind::Array(items) => Value::Array(items.iter().map(plain).collect()),
            Kind::Object(members) => Value::Object(members.iter().map(|m| (m.key.clone(), plain(&m.value))).collect()),
        }
    }
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    plain(&atrest::lint::yaml::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}")))
}

fn run(args: &[&str]) -> std::process::Output {
    atrest_in(root(), args)
}

#[test]
fn completions_and_the_man_page_follow_the_cli() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let text = String::from_utf8(o.stdout).unwrap();
        // Subcommands, a flag of each, and the values of --format come from the clap definitions.
        for word in ["scan", "audit", "lint", "fail-on", "if-any"] {
            assert!(text.contains(word), "{shell} completion lacks {word}");
        }
        // Shells whose scripts complete values offer the formats.
        if matches!(shell, "bash" | "zsh" | "fish") {
            assert!(text.contains("ocsf") && text.contains("sarif"), "{shell} completion lacks the formats");
        }
    }
    let o = run(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2), "an unknown shell is a usage error");

    let o = run(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let man = String::from_utf8(o.stdout).unwrap();
    assert!(man.starts_with(".ie") || man.starts_with(".TH"), "roff: {}", &man[..80.min(man.len())]);
    for page in ["atrest 1", "atrest-scan 1", "atrest-audit 1", "atrest-lint 1", "atrest-simulate 1"] {
        assert!(man.contains(&format!(".TH {page}")), "no page {page}");
    }
    assert!(man.contains("\\-\\-max\\-input\\-mb") && man.contains("\\-\\-baseline"), "flags are documented");
}

#[test]
fn the_pre_commit_hook_is_a_valid_manifest_whose_entry_runs() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hook = hooks.as_array().unwrap().iter().find(|h| h["id"] == "atrest-lint").expect("the atrest-lint hook");
    assert_eq!(hook["language"], "rust", "pre-commit builds it with cargo install");
    let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
    assert_eq!(entry[..2], ["atrest", "lint"]);
    // pre-commit appends the changed files: the entry's flags must parse, and a commit that touched no
    // policy passes while one with a broken policy fails.
    let dir = tempdir();
    std::fs::write(dir.join("package.json"), "{\"name\": \"web\", \"version\": \"1.0.0\"}").unwrap();
    let o = atrest_in(&dir, &[&entry[1..], &["package.json"]].concat());
    assert_eq!(o.status.code(), Some(0), "no policy among the files: {}", stderr(&o));
    assert!(stderr(&o).contains("nothing to lint"), "{}", stderr(&o));
    let broken = fixture("lint/misspelt-actions.json");
    let o = atrest_in(&dir, &[&entry[1..], &["package.json", broken.to_str().unwrap()]].concat());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Without the hook's flag, a gate that checked nothing fails.
    assert_eq!(atrest_in(&dir, &["lint", "package.json"]).status.code(), Some(2));

    // pre-commit's own check of the manifest, where the test command installed pre-commit.
    let pre_commit = std::env::var("ATREST_PRE_COMMIT").ok().filter(|p| std::path::Path::new(p).is_file());
    match pre_commit {
        Some(bin) => {
            // pre-commit keeps a cache under HOME: this one lives in the test's folder.
            let o = std::process::Command::new(bin)
                .args(["validate-manifest", ".pre-commit-hooks.yaml"])
                .env("PRE_COMMIT_HOME", dir.join("pre-commit-home"))
                .env("XDG_CACHE_HOME", dir.join("cache"))
                .current_dir(root())
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "pre-commit validate-manifest: {}{}",
                stderr(&o),
                String::from_utf8_lossy(&o.stdout)
            );
        }
        None if std::env::var("CI").is_ok() => {
            panic!("CI runs pre-commit validate-manifest: set ATREST_PRE_COMMIT (scripts/test does)")
        }
        None => eprintln!("NOT CHECKED: pre-commit validate-manifest (run the suite through scripts/test)"),
    }
}

#[test]
fn the_github_actions_example_uploads_what_atrest_writes() {
    let workflow = yaml("docs/examples/github-actions.yml");
    assert_eq!(workflow["permissions"]["security-events"], "write", "upload-sarif needs security-events: write");
    let steps = workflow["jobs"]["lint"]["steps"].as_array().unwrap();
    let lint = steps.iter().find(|s| s["name"] == "Lint").unwrap()["run"].as_str().unwrap();
    // The command parses with atrest's own command line and writes SARIF to a file.
    let cli = atrest::cli::Cli::try_parse_from(lint.split_whitespace()).unwrap_or_else(|e| panic!("{lint}: {e}"));
    let atrest::cli::Command::Lint(args) = cli.command else { panic!("not a lint: {lint}") };
    let (_, _, flags) = args.into_parts();
    assert_eq!(flags.format, Some(atrest::vocab::Format::Sarif));
    let written = flags.output.expect("--output").display().to_string();
    let upload = steps
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@")))
        .expect("an upload-sarif step");
    assert_eq!(upload["with"]["sarif_file"], Value::from(written));
    // It uploads after a failing lint too: findings are what the gate is for.
    assert!(upload["if"].as_str().unwrap().contains("!cancelled()"));
    let install = steps.iter().find(|s| s["name"] == "Install atrest").unwrap()["run"].as_str().unwrap();
    assert!(install.contains("cargo install --locked"), "{install}");
}

#[test]
fn scan_help_says_where_credentials_and_region_come_from() {
    let o = run(&["scan", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8(o.stdout).unwrap();
    for source in
        ["--profile", "AWS_ACCESS_KEY_ID", "AWS_PROFILE", "SSO", "web identity", "instance metadata", "AWS_REGION"]
    {
        assert!(help.contains(source), "scan --help does not mention {source}:\n{help}");
    }
}
