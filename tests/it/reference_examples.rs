//! Table-driven decisions on the example policies of AWS's "Prerequisites for batch translation jobs" page.

use atrest::policy::{Context, Layer, Outcome, Policy, PolicySet, Principal, Request, evaluate};

use crate::fixture;

const FIVE: [&str; 5] = ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"];
const SAME_ROLE: &str = "arn:aws:iam::111122223333:role/AmazonTranslateServiceRoleS3FullAccess";
const SAME_KEY: &str = "arn:aws:kms:us-west-2:111122223333:key/key-id";
const FOREIGN_ROLE: &str = "arn:aws:iam::444455556666:role/AmazonTranslateServiceRoleS3FullAccess";

fn load(name: &str) -> Policy {
    let path = fixture(&format!("policies/async-prereqs/{name}"));
    let text = std::fs::read_to_string(&path).unwrap();
    Policy::parse(path.display().to_string(), &text).unwrap()
}

fn request(principal: &str, action: &str, resource: &str, ctx: Context) -> Request {
    Request::new(Principal::parse(principal).unwrap(), action, resource, ctx)
}

/// The fixtures must stay the page's examples: compare them with the code blocks of the page itself.
#[test]
fn fixtures_are_the_reference_page_examples() {
    let page = crate::root().join("docs/reference/async-prereqs.md");
    let text = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
    let blocks: Vec<serde_json::Value> = text
        .split("```")
        .skip(1)
        .step_by(2)
        .map(|b| serde_json::from_str(b.trim()).unwrap_or_else(|e| panic!("code block is not JSON: {e}\n{b}")))
        .collect();
    assert_eq!(blocks.len(), 5, "the page has five example policies");
    let doc = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(fixture(&format!("policies/async-prereqs/{name}"))).unwrap())
            .unwrap()
    };
    assert_eq!(doc("permissions-policy.json"), blocks[0]);
    assert_eq!(doc("trust-policy.json"), blocks[1]);
    assert_eq!(doc("key-policy.json")["Statement"][0], blocks[2]);
    assert_eq!(doc("cross-account-iam-policy.json")["Statement"][0], blocks[3]);
    assert_eq!(doc("cross-account-key-policy.json")["Statement"][0], blocks[4]);
}

#[test]
fn example_key_policy_grants_the_role_the_five_actions() {
    let key = load("key-policy.json");
    let set = PolicySet { resource: Some(&key), ..Default::default() };
    for action in FIVE {
        let d = evaluate(&request(SAME_ROLE, action, SAME_KEY, Context::open()), &set);
        assert_eq!(d.outcome, Outcome::Allowed, "{action}");
        assert_eq!(d.deciding.len(), 1, "{action}: the one example statement decides");
    }
    let cases = [
        (SAME_ROLE, "kms:Encrypt", Outcome::ImplicitDeny),
        (SAME_ROLE, "kms:ScheduleKeyDeletion", Outcome::ImplicitDeny),
        ("arn:aws:iam::111122223333:role/SomeoneElse", "kms:Decrypt", Outcome::ImplicitDeny),
        (
            "arn:aws:sts::111122223333:assumed-role/AmazonTranslateServiceRoleS3FullAccess/job",
            "kms:Decrypt",
            Outcome::Allowed,
        ),
        ("111122223333", "kms:Decrypt", Outcome::ImplicitDeny),
    ];
    for (principal, action, expected) in cases {
        let d = evaluate(&request(principal, action, SAME_KEY, Context::open()), &set);
        assert_eq!(d.outcome, expected, "{principal} {action}");
    }
}

#[test]
fn cross_account_example_needs_both_halves() {
    let iam = load("cross-account-iam-policy.json");
    let key = load("cross-account-key-policy.json");
    let table: [(bool, bool, Outcome, &[Layer]); 4] = [
        (true, true, Outcome::Allowed, &[]),
        (true, false, Outcome::ImplicitDeny, &[Layer::Identity]),
        (false, true, Outcome::ImplicitDeny, &[Layer::ResourcePrincipal]),
        (false, false, Outcome::ImplicitDeny, &[Layer::ResourcePrincipal, Layer::Identity]),
    ];
    for (with_key_policy, with_iam, expected, missing) in table {
        let set = PolicySet {
            identity: if with_iam { vec![&iam] } else { vec![] },
            resource: with_key_policy.then_some(&key),
            ..Default::default()
        };
        for action in FIVE {
            let r = request(FOREIGN_ROLE, action, SAME_KEY, Context::open());
            assert!(r.is_cross_account());
            let d = evaluate(&r, &set);
            assert_eq!(
                (d.outcome, d.missing.as_slice()),
                (expected, missing),
                "key policy {with_key_policy}, IAM {with_iam}, {action}"
            );
        }
    }
    // The IAM half names one key: another key of the same account is not covered.
    let set = PolicySet { identity: vec![&iam], resource: Some(&key), ..Default::default() };
    let other_key = "arn:aws:kms:us-west-2:111122223333:key/other";
    assert_eq!(
        evaluate(&request(FOREIGN_ROLE, "kms:Decrypt", other_key, Context::open()), &set).outcome,
        Outcome::ImplicitDeny
    );
}

#[test]
fn example_trust_policy_lets_translate_assume_only_for_the_named_account() {
    let trust = load("trust-policy.json");
    let set = PolicySet { resource: Some(&trust), ..Default::default() };
    let ctx =
        |account: &str, arn: &str| Context::open().with("aws:SourceAccount", [account]).with("aws:SourceArn", [arn]);
    let job = "arn:aws:translate:us-west-2:111122223333:text-translation-job/4446f95f20c88a4b347449d3671fbe3d";
    let foreign_job = "arn:aws:translate:us-west-2:444455556666:text-translation-job/x";
    let table = [
        ("translate.amazonaws.com", ctx("111122223333", job), Outcome::Allowed),
        ("translate.amazonaws.com", ctx("444455556666", foreign_job), Outcome::ImplicitDeny),
        ("translate.amazonaws.com", ctx("111122223333", foreign_job), Outcome::ImplicitDeny),
        ("s3.amazonaws.com", ctx("111122223333", job), Outcome::ImplicitDeny),
        ("arn:aws:iam::111122223333:role/Admin", ctx("111122223333", job), Outcome::ImplicitDeny),
    ];
    for (principal, context, expected) in table {
        let d = evaluate(&request(principal, "sts:AssumeRole", SAME_ROLE, context), &set);
        assert_eq!(d.outcome, expected, "{principal}");
    }
    let d = evaluate(&request("translate.amazonaws.com", "sts:AssumeRole", SAME_ROLE, Context::open()), &set);
    assert_eq!(d.outcome, Outcome::Depends);
    assert_eq!(d.unresolved_keys.into_iter().collect::<Vec<_>>(), ["aws:SourceAccount", "aws:SourceArn"]);
    // Other actions are not trusted at all.
    let d = evaluate(&request("translate.amazonaws.com", "sts:TagSession", SAME_ROLE, Context::open()), &set);
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
}

#[test]
fn example_permissions_policy_reads_input_and_writes_output() {
    let p = load("permissions-policy.json");
    let set = PolicySet { identity: vec![&p], ..Default::default() };
    let table = [
        ("s3:GetObject", "arn:aws:s3:::input-bucket-name/folder/doc.txt", Outcome::Allowed),
        ("s3:ListBucket", "arn:aws:s3:::input-bucket-name", Outcome::Allowed),
        ("s3:PutObject", "arn:aws:s3:::output-bucket-name/111122223333-TranslateText-j/x", Outcome::Allowed),
        ("s3:GetObject", "arn:aws:s3:::output-bucket-name/x", Outcome::Allowed),
        ("s3:PutObject", "arn:aws:s3:::input-bucket-name/x", Outcome::ImplicitDeny),
        ("s3:ListBucket", "arn:aws:s3:::input-bucket-name/x", Outcome::ImplicitDeny),
        ("s3:DeleteObject", "arn:aws:s3:::output-bucket-name/x", Outcome::ImplicitDeny),
        ("s3:GetObject", "arn:aws:s3:::input-bucket-name-2/x", Outcome::ImplicitDeny),
    ];
    for (action, resource, expected) in table {
        let d = evaluate(&request(SAME_ROLE, action, resource, Context::open()), &set);
        assert_eq!(d.outcome, expected, "{action} {resource}");
    }
}
