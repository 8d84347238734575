//! `atrest simulate` as a process: decisions, both output formats, and bad input exiting 2.

use std::process::Output;

use crate::{fixture, stderr, tempdir};

fn atrest(args: &[&str]) -> Output {
    crate::atrest_in(crate::root(), args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const ROLE: &str = "arn:aws:iam::111122223333:role/AmazonTranslateServiceRoleS3FullAccess";
const KEY: &str = "arn:aws:kms:us-west-2:111122223333:key/key-id";

fn key_policy() -> String {
    fixture("policies/async-prereqs/key-policy.json").display().to_string()
}

#[test]
fn json_output_names_the_deciding_statement_with_file_and_line() {
    let kp = key_policy();
    let o = atrest(&[
        "simulate",
        "--principal",
        ROLE,
        "--action",
        "kms:CreateGrant",
        "--resource",
        KEY,
        "--resource-policy",
        &kp,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decision"], "allowed");
    let d = &v["deciding_statements"][0];
    assert_eq!(d["file"], kp.as_str());
    assert_eq!(d["index"], 0);
    // The statement object opens on line 4 of the fixture.
    assert_eq!(d["line"], 4);
    assert_eq!(v["unresolved_keys"], serde_json::json!([]));
}

#[test]
fn implicit_deny_says_which_layer_is_missing() {
    let o = atrest(&[
        "simulate",
        "--principal",
        "arn:aws:iam::444455556666:role/AmazonTranslateServiceRoleS3FullAccess",
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
        "--resource-policy",
        &fixture("policies/async-prereqs/cross-account-key-policy.json").display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("decision: denied (no statement allows it)\n"), "{out}");
    assert!(out.contains("(cross-account)"), "{out}");
    assert!(out.contains("to allow it, add an allow in: identity policies"), "{out}");
}

#[test]
fn depends_lists_the_keys_and_context_decides() {
    let trust = fixture("policies/async-prereqs/trust-policy.json").display().to_string();
    let base = [
        "simulate",
        "--principal",
        "translate.amazonaws.com",
        "--action",
        "sts:AssumeRole",
        "--resource",
        ROLE,
        "--resource-policy",
        &trust,
        "--format",
        "json",
    ];
    let o = atrest(&base);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["decision"], "depends");
    assert_eq!(v["unresolved_keys"], serde_json::json!(["aws:SourceAccount", "aws:SourceArn"]));
    let mut args = base.to_vec();
    args.extend([
        "--context",
        "aws:SourceAccount=111122223333",
        "--context",
        "aws:SourceArn=arn:aws:translate:us-west-2:111122223333:text-translation-job/j",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&atrest(&args).stdout).unwrap();
    assert_eq!(v["decision"], "allowed");
    let mut closed = base.to_vec();
    closed.push("--closed-context");
    let v: serde_json::Value = serde_json::from_slice(&atrest(&closed).stdout).unwrap();
    assert_eq!(v["decision"], "implicit_deny");
}

/// `s3:GetObject` by the role, with one policy file given to `flag`.
fn get_object_with(flag: &str, file: &std::path::Path) -> Output {
    atrest(&[
        "simulate",
        "--principal",
        ROLE,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
        flag,
        file.to_str().unwrap(),
    ])
}

#[test]
fn malformed_policy_exits_2_naming_file_line_and_column() {
    let dir = tempdir();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"s3:*\"}\n  ]\n}\n").unwrap();
    let o = get_object_with("--identity-policy", &bad);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains(&format!("{}:3:24:", bad.display())), "{e}");
    assert!(e.contains("expected ',' or '}'"), "{e}");
    assert!(e.contains("--identity-policy"), "{e}");
    assert!(o.stdout.is_empty());
}

#[test]
fn invalid_policy_shape_exits_2_with_position() {
    let dir = tempdir();
    let bad = dir.join("shape.json");
    std::fs::write(&bad, "{\"Statement\": [{\"Effect\": \"Permit\", \"Action\": \"s3:*\"}]}").unwrap();
    let o = get_object_with("--resource-policy", &bad);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains(&format!("{}:1:27: \"Effect\" must be \"Allow\" or \"Deny\"", bad.display())), "{e}");
}

#[test]
fn missing_file_exits_2_naming_it() {
    let o = atrest(&[
        "simulate",
        "--principal",
        ROLE,
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
        "--grants",
        "/nonexistent/grants.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("cannot read /nonexistent/grants.json (given to --grants)"), "{e}");
}

#[test]
fn bad_flags_exit_2_naming_the_flag() {
    let o = atrest(&["simulate", "--principal", ROLE, "--action", "kms:Decrypt", "--resource", KEY, "--bogus"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--bogus"), "{}", stderr(&o));
    let o = atrest(&["simulate", "--principal", ROLE, "--action", "Decrypt", "--resource", KEY]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--action"), "{}", stderr(&o));
    let o = atrest(&[
        "simulate",
        "--principal",
        ROLE,
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
        "--context",
        "novalue",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--context"), "{}", stderr(&o));
    let o = atrest(&["simulate", "--principal", "bob", "--action", "kms:Decrypt", "--resource", KEY]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--principal"), "{}", stderr(&o));
    let o = atrest(&["simulate", "--principal", ROLE, "--action", "kms:Decrypt", "--resource", KEY, "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--format"), "{}", stderr(&o));
    // An action AWS does not have, or a resource that is no ARN, is said, not answered "denied".
    let o = atrest(&["simulate", "--principal", ROLE, "--action", "kms:GenerateDatakeys", "--resource", KEY]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean kms:GenerateDataKey"), "{}", stderr(&o));
    let o = atrest(&["simulate", "--principal", ROLE, "--action", "kms:Decrypt", "--resource", "key/1234"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--resource key/1234: not an ARN"), "{}", stderr(&o));
}

#[test]
fn grants_file_errors_have_positions() {
    let dir = tempdir();
    let bad = dir.join("grants.json");
    std::fs::write(&bad, "{\"Grants\": [\n  {\"Operations\": \"Decrypt\"}\n]}").unwrap();
    let o = atrest(&[
        "simulate",
        "--principal",
        ROLE,
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
        "--grants",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains(&format!("{}:", bad.display())) && e.contains("not a ListGrants answer"), "{e}");
}

/// The decision `simulate --format json` gives for an action on `resource`, with one identity policy file.
fn decide_with_identity(principal: &str, action: &str, resource: &str, policy: &str) -> (Option<i32>, String, String) {
    let dir = tempdir();
    let file = dir.join("identity.json");
    std::fs::write(&file, policy).unwrap();
    let o = atrest(&[
        "simulate",
        "--principal",
        principal,
        "--action",
        action,
        "--resource",
        resource,
        "--identity-policy",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    (o.status.code(), stdout(&o), stderr(&o))
}

#[test]
fn star_is_the_resource_of_actions_without_a_resource_type_and_of_no_other() {
    let user = "arn:aws:iam::123456789012:user/test-user";
    let allow_all = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    for action in ["s3:ListAllMyBuckets", "kms:ListKeys", "kms:CreateKey"] {
        let (code, out, err) = decide_with_identity(user, action, "*", allow_all);
        assert_eq!(code, Some(0), "{action}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["decision"], "allowed", "{action}: {out}");
    }
    // An action on a key is not requested on "*": the flag names the type to give.
    let (code, _, err) = decide_with_identity(user, "kms:Decrypt", "*", allow_all);
    assert_eq!(code, Some(2));
    assert!(err.contains("--resource *: kms:Decrypt is requested on a resource of type key"), "{err}");
    // GetCallerIdentity needs no permission: even an explicit deny leaves it allowed, and the output says so.
    let deny =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:GetCallerIdentity","Resource":"*"}]}"#;
    let (code, out, err) = decide_with_identity(user, "sts:GetCallerIdentity", "*", deny);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["decision"], "allowed", "{out}");
    assert!(v["notes"][0].as_str().unwrap().contains("cannot be denied"), "{out}");
}

#[test]
fn an_alias_request_is_decided_by_the_identity_policy_and_says_the_key_is_separate() {
    let user = "arn:aws:iam::123456789012:user/test-user";
    let alias = "arn:aws:kms:us-east-1:123456789012:alias/my-alias";
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["kms:DeleteAlias","kms:CreateAlias","kms:UpdateAlias"],"Resource":"{alias}"}}]}}"#
    );
    for action in ["kms:DeleteAlias", "kms:CreateAlias", "kms:UpdateAlias"] {
        let (code, out, err) = decide_with_identity(user, action, alias, &policy);
        assert_eq!(code, Some(0), "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["decision"], "allowed", "{action}: {out}");
        assert!(out.contains("separate authorization"), "{out}");
    }
}

#[test]
fn scp_and_rcp_levels_decide_offline_and_name_the_policy_that_changed_the_decision() {
    let dir = tempdir();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let full = write(
        "root.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    );
    // A level holding two policies, as a JSON array: FullAWSAccess and a Deny of one key action.
    let ou = write(
        "ou.json",
        r#"[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]},
            {"Version":"2012-10-17","Statement":[{"Sid":"NoGrants","Effect":"Deny","Action":"kms:CreateGrant","Resource":"*"}]}]"#,
    );
    let perimeter = write(
        "rcp.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*",
            "Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#,
    );
    let none = write("none.json", "[]");
    let kp = key_policy();
    let run = |action: &str, extra: &[&str]| {
        let mut args =
            vec!["simulate", "--principal", ROLE, "--action", action, "--resource", KEY, "--resource-policy", &kp];
        args.extend_from_slice(extra);
        args.extend(["--closed-context", "--format", "json"]);
        let o = atrest(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let v = run("kms:CreateGrant", &["--scp", &full, "--scp", &ou]);
    assert_eq!(v["decision"], "explicit_deny", "{v}");
    assert_eq!(v["deciding_statements"][0]["sid"], "NoGrants");
    assert_eq!(v["deciding_statements"][0]["layer"], "scp");
    assert_eq!(v["deciding_statements"][0]["file"], ou.as_str());
    assert_eq!(run("kms:Decrypt", &["--scp", &full, "--scp", &ou])["decision"], "allowed");
    // The data perimeter: outside the organization the RCP denies; inside it, the key policy decides.
    let v = run("kms:Decrypt", &["--rcp", &none, "--rcp", &perimeter, "--org-id", "o-zzzzzzzzzz"]);
    assert_eq!(
        (v["decision"].as_str(), v["deciding_statements"][0]["sid"].as_str()),
        (Some("explicit_deny"), Some("OrgOnly"))
    );
    let v = run(
        "kms:Decrypt",
        &[
            "--rcp",
            &none,
            "--rcp",
            &perimeter,
            "--org-id",
            "o-a1b2c3d4e5",
            "--org-path",
            "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/",
        ],
    );
    assert_eq!(v["decision"], "allowed", "{v}");
    assert_eq!(v["notes"], serde_json::json!(["service control policies and session policies were not evaluated"]));
    // Without the layers the decision says they were not considered.
    let v = run("kms:Decrypt", &[]);
    assert!(v["notes"][0].as_str().unwrap().contains("service control policies, resource control policies"), "{v}");
    // Bad input is exit 2, naming the flag.
    let o =
        atrest(&["simulate", "--principal", ROLE, "--action", "kms:Decrypt", "--resource", KEY, "--org-id", "org-1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--org-id"), "{}", stderr(&o));
    let bad = write("bad.json", "[{\"Statement\": [{\"Effect\": \"Maybe\"}]}]");
    let o = atrest(&["simulate", "--principal", ROLE, "--action", "kms:Decrypt", "--resource", KEY, "--scp", &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("(given to --scp"), "{}", stderr(&o));
}
