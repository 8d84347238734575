//! A second differential oracle: whole decisions (identity policies, permissions boundary, resource policy,
//! same account and across accounts) against `@cloud-copilot/iam-simulate`, run as a program under node.
//!
//! iam-simulate has no open context and no KMS grants, so only closed-context S3 decisions are compared.
//! Where it departs from AWS's documentation, the case is a fixed reproducer in `WRONG_THERE` with the AWS
//! sentence, checked on both sides; the generator leaves those inputs out, and every other disagreement
//! fails the test.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use atrest::policy::{Context, Outcome, Policy, PolicySet, Principal, Request, evaluate};
use serde_json::{Value, json};

const ACCOUNT: &str = "111122223333";
const OTHER: &str = "444455556666";
const ROLE: &str = "arn:aws:iam::111122223333:role/TranslateRole";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/TranslateRole/job";
const USER: &str = "arn:aws:iam::111122223333:user/alice";

/// The oracle's folder: `npm ci` there is part of the README's test command.
fn oracle_dir() -> PathBuf {
    let dir = crate::root().join("tests/oracle/iam-simulate");
    assert!(
        dir.join("node_modules/@cloud-copilot/iam-simulate").exists(),
        "iam-simulate is not installed: run the README's test command (scripts/test), which runs \
         `npm ci` in tests/oracle/iam-simulate (node and npm are needed)"
    );
    dir
}

/// One whole request and its policies, as both simulators take them.
#[derive(Debug, Clone)]
struct Case {
    principal: &'static str,
    action: &'static str,
    resource: &'static str,
    resource_account: &'static str,
    context: Vec<(&'static str, &'static str)>,
    identity: Vec<Value>,
    boundary: Option<Value>,
    resource_policy: Option<Value>,
    /// Service control policies per level of the principal's account's path, root first (empty: none given).
    scps: Vec<Vec<Value>>,
    /// Resource control policies per level of the resource's account's path, without RCPFullAWSAccess.
    rcps: Vec<Vec<Value>>,
}

impl Case {
    fn oracle_json(&self) -> Value {
        let context: serde_json::Map<String, Value> =
            self.context.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
        json!({
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "resourceAccount": self.resource_account,
            "context": context,
            "identity": self.identity,
            "boundary": self.boundary,
            "resourcePolicy": self.resource_policy,
            "scps": self.scps,
            "rcps": self.rcps,
        })
    }

    fn ours(&self) -> Outcome {
        let parse = |name: &str, v: &Value| Policy::parse(name, &v.to_string()).expect("generated policies parse");
        let identity: Vec<Policy> = self.identity.iter().map(|p| parse("identity.json", p)).collect();
        let boundary = self.boundary.as_ref().map(|p| parse("boundary.json", p));
        let resource = self.resource_policy.as_ref().map(|p| parse("bucket.json", p));
        let levels = |list: &[Vec<Value>], name: &str| -> Vec<Vec<Policy>> {
            list.iter().map(|level| level.iter().map(|p| parse(name, p)).collect()).collect()
        };
        let (scps, rcps) = (levels(&self.scps, "scp.json"), levels(&self.rcps, "rcp.json"));
        let scp_levels: Vec<Vec<&Policy>> = scps.iter().map(|l| l.iter().collect()).collect();
        let rcp_levels: Vec<Vec<&Policy>> = rcps.iter().map(|l| l.iter().collect()).collect();
        let mut ctx = Context::open();
        for (k, v) in &self.context {
            ctx.push(k.to_string(), *v);
        }
        let request = Request::new(Principal::parse(self.principal).unwrap(), self.action, self.resource, ctx.closed())
            .with_resource_account(Some(self.resource_account.to_owned()));
        let set = PolicySet {
            identity: identity.iter().collect(),
            boundary: boundary.as_ref(),
            resource: resource.as_ref(),
            scps: (!scp_levels.is_empty()).then_some(scp_levels.as_slice()),
            rcps: (!rcp_levels.is_empty()).then_some(rcp_levels.as_slice()),
            ..Default::default()
        };
        evaluate(&request, &set).outcome
    }
}

/// iam-simulate's decisions for the cases, in order (`None` where it refused the case).
fn theirs(cases: &[Case]) -> Vec<Option<Outcome>> {
    let input = Value::Array(cases.iter().map(Case::oracle_json).collect()).to_string();
    let mut child = Command::new("node")
        .arg("decide.mjs")
        .current_dir(oracle_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (install nodejs)");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "iam-simulate failed: {}", String::from_utf8_lossy(&out.stderr));
    let answers: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answers.len(), cases.len());
    answers
        .iter()
        .map(|a| match a["decision"].as_str() {
            Some("Allowed") => Some(Outcome::Allowed),
            Some("ExplicitlyDenied") => Some(Outcome::ExplicitDeny),
            Some("ImplicitlyDenied") => Some(Outcome::ImplicitDeny),
            _ => None,
        })
        .collect()
}

/// splitmix64: the same cases every run, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize].clone()
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const ACTIONS: &[&str] = &["s3:GetObject", "s3:PutObject", "s3:ListBucket"];
const ACTION_PATTERNS: &[&str] = &["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:*", "s3:Get*", "*"];
const RESOURCES: &[&str] = &["arn:aws:s3:::bucket/docs/a.txt", "arn:aws:s3:::bucket"];
const RESOURCE_PATTERNS: &[&str] =
    &["*", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/docs/*", "arn:aws:s3:::other/*"];
/// (operator, key, value) conditions whose keys the closed context may hold.
const CONDITIONS: &[(&str, &str, &str)] = &[
    ("Bool", "aws:SecureTransport", "true"),
    ("Bool", "aws:SecureTransport", "false"),
    ("StringEquals", "aws:PrincipalAccount", ACCOUNT),
    ("StringNotEquals", "aws:PrincipalAccount", ACCOUNT),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24"),
    ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"),
    ("StringEqualsIfExists", "aws:SourceVpce", "vpce-1"),
    ("StringNotEquals", "aws:SourceVpce", "vpce-1"),
    ("Null", "aws:SourceVpce", "true"),
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/*"),
    ("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/Translate*"),
];
const CONTEXT: &[(&str, &[&str])] = &[
    ("aws:SecureTransport", &["true", "false"]),
    ("aws:SourceIp", &["203.0.113.9", "198.51.100.7"]),
    ("aws:SourceVpce", &["vpce-1", "vpce-2"]),
];

fn statement(rng: &mut Rng, effect: &str, with_principal: bool, principals: &[Value]) -> Value {
    let mut s = json!({
        "Effect": effect,
        "Action": rng.pick(ACTION_PATTERNS),
        "Resource": rng.pick(RESOURCE_PATTERNS),
    });
    if with_principal && effect == "Allow" && rng.chance(15) {
        // An Allow with NotPrincipal passes over a principal any of whose identities it lists (IAM User
        // Guide, "NotPrincipal": it "allows all principals except the one named").
        s["NotPrincipal"] = rng.pick(&[
            json!({"AWS": USER}),
            json!({"AWS": [USER]}),
            json!({"AWS": ROLE}),
            json!({"AWS": [SESSION, ROLE]}),
            json!({"AWS": ACCOUNT}),
            json!({"AWS": "arn:aws:iam::444455556666:role/Other"}),
        ]);
    } else if with_principal && effect == "Deny" && rng.chance(30) {
        // NotPrincipal lists that name every identity of the principals in this account, or none of them.
        // A list naming only some, the account among them, is where iam-simulate departs from AWS
        // (WRONG_THERE).
        s["NotPrincipal"] = rng.pick(&[
            json!({"AWS": [ROLE, SESSION, USER, ACCOUNT]}),
            json!({"AWS": ["arn:aws:iam::444455556666:role/Other", OTHER]}),
            json!({"AWS": "arn:aws:iam::444455556666:role/Other"}),
        ]);
    } else if with_principal {
        s["Principal"] = rng.pick(principals);
    }
    if rng.chance(35) {
        let (op, key, value) = rng.pick(CONDITIONS);
        s["Condition"] = json!({op: {key: value}});
    }
    s
}

fn policy(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn generate(n: usize) -> Vec<Case> {
    let mut rng = Rng(0x5eed_a7e5);
    // Principal elements of resource policies, NotPrincipal left to the fixed reproducers.
    let principals = [
        json!("*"),
        json!({"AWS": "*"}),
        json!({"AWS": ROLE}),
        json!({"AWS": SESSION}),
        json!({"AWS": USER}),
        json!({"AWS": ACCOUNT}),
        json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}),
        json!({"AWS": format!("arn:aws:iam::{OTHER}:root")}),
    ];
    (0..n)
        .map(|_| {
            let identity = (0..rng.next() % 3)
                .map(|_| {
                    let effect = if rng.chance(20) { "Deny" } else { "Allow" };
                    policy(vec![statement(&mut rng, effect, false, &principals)])
                })
                .collect();
            let boundary = rng.chance(40).then(|| policy(vec![statement(&mut rng, "Allow", false, &principals)]));
            let resource_policy = rng.chance(70).then(|| {
                let count = 1 + rng.next() % 2;
                policy(
                    (0..count)
                        .map(|_| {
                            let effect = if rng.chance(30) { "Deny" } else { "Allow" };
                            statement(&mut rng, effect, true, &principals)
                        })
                        .collect(),
                )
            });
            let mut context = Vec::new();
            for (k, values) in CONTEXT {
                if rng.chance(60) {
                    context.push((*k, rng.pick(values)));
                }
            }
            let action = rng.pick(ACTIONS);
            let principal = rng.pick(&[ROLE, SESSION, USER]);
            // The keys AWS puts in every request of the principal, given to both simulators alike.
            context.push(("aws:PrincipalArn", if principal == USER { USER } else { ROLE }));
            context.push(("aws:PrincipalAccount", ACCOUNT));
            Case {
                principal,
                // ListBucket is an action on the bucket, the others on objects.
                action,
                resource: if action == "s3:ListBucket" { RESOURCES[1] } else { RESOURCES[0] },
                resource_account: if rng.chance(30) { OTHER } else { ACCOUNT },
                context,
                identity,
                boundary,
                resource_policy,
                scps: Vec::new(),
                rcps: Vec::new(),
            }
        })
        .collect()
}

/// Where iam-simulate departs from AWS's documentation: a reproducer, AWS's answer (and atrest's), and the
/// sentence behind it.
struct WrongThere {
    what: &'static str,
    source: &'static str,
    case: fn() -> Case,
    aws: Outcome,
}

fn session_read(resource_policy: Value, boundary: Option<Value>) -> Case {
    Case {
        principal: SESSION,
        action: "s3:GetObject",
        resource: RESOURCES[0],
        resource_account: ACCOUNT,
        context: vec![("aws:PrincipalArn", ROLE), ("aws:PrincipalAccount", ACCOUNT)],
        identity: vec![policy(vec![json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})])],
        boundary,
        resource_policy: Some(resource_policy),
        scps: Vec::new(),
        rcps: Vec::new(),
    }
}

const WRONG_THERE: &[WrongThere] = &[
    WrongThere {
        what: "a NotPrincipal Deny that lists the role ARN but not the session spares the session",
        source: "IAM User Guide, IAM JSON policy elements: NotPrincipal, example \"IAM role in the same or \
                 different account\": the element names the assumed-role session ARN, the role and the account; \
                 \"The assumed-role user is identified by the role session name\"",
        case: || {
            session_read(
                policy(vec![json!({"Effect": "Deny", "NotPrincipal": {"AWS": [ROLE, ACCOUNT]},
                                   "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"})]),
                None,
            )
        },
        aws: Outcome::ExplicitDeny,
    },
    WrongThere {
        what: "a NotPrincipal Deny that lists an account spares every principal of that account",
        source: "IAM User Guide, IAM JSON policy elements: NotPrincipal: \"If the NotPrincipal element was \
                 missing the ARN of the role, the effect of the policy might be to explicitly deny access to \
                 the role\"",
        case: || {
            session_read(
                policy(vec![json!({"Effect": "Deny", "NotPrincipal": {"AWS": [USER, ACCOUNT]},
                                   "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*"})]),
                None,
            )
        },
        aws: Outcome::ExplicitDeny,
    },
];

#[test]
fn where_iam_simulate_departs_from_aws_atrest_follows_aws() {
    let cases: Vec<Case> = WRONG_THERE.iter().map(|w| (w.case)()).collect();
    let answers = theirs(&cases);
    for ((w, case), theirs) in WRONG_THERE.iter().zip(&cases).zip(answers) {
        assert!(w.source.contains("IAM User Guide"), "{}", w.what);
        assert_eq!(case.ours(), w.aws, "atrest on: {}", w.what);
        // When iam-simulate starts agreeing with AWS, the entry goes and the generator covers the input.
        assert_ne!(theirs, Some(w.aws), "iam-simulate now agrees on: {}", w.what);
    }
}

#[test]
fn closed_context_decisions_agree_with_iam_simulate() {
    let cases = generate(3000);
    let answers = theirs(&cases);
    let mut compared = 0;
    let mut disagreements = Vec::new();
    for (case, theirs) in cases.iter().zip(answers) {
        let Some(theirs) = theirs else { continue };
        compared += 1;
        let ours = case.ours();
        if ours != theirs {
            disagreements.push(format!("ours {ours:?}, iam-simulate {theirs:?}: {case:#?}"));
        }
    }
    eprintln!("compared {compared} of {} cases with iam-simulate", cases.len());
    assert!(compared >= 2500, "iam-simulate refused too many cases: compared {compared}");
    assert!(
        disagreements.is_empty(),
        "{} disagreements, the first: {}",
        disagreements.len(),
        disagreements.iter().take(3).cloned().collect::<Vec<_>>().join("\n")
    );
}

const TARGET_ROLE: &str = "arn:aws:iam::111122223333:role/test-role";
const FOREIGN_ROLE: &str = "arn:aws:iam::444455556666:role/test-role";
const ALIAS: &str = "arn:aws:kms:us-east-1:111122223333:alias/my-alias";

/// An identity-policy statement on one of `resources`, for one of `actions`.
fn iam_statement(rng: &mut Rng, actions: &[&'static str], resources: &[&'static str]) -> Value {
    let effect = if rng.chance(20) { "Deny" } else { "Allow" };
    policy(vec![json!({"Effect": effect, "Action": rng.pick(actions), "Resource": rng.pick(resources)})])
}

/// Requests IAM decides differently from its usual rule: same-account `sts:AssumeRole`, where the role's
/// trust policy must allow (IAM User Guide, "Policy evaluation logic": "IAM role trust policies and KMS key
/// policies are exceptions"), and KMS aliases, which have no key policy (KMS Developer Guide, "Controlling
/// access to aliases"); by users, roles and sessions, with and without boundaries.
fn generate_trust_and_alias(n: usize) -> Vec<Case> {
    let mut rng = Rng(0x7a57_a11a);
    let trust_principals = [
        json!({"AWS": USER}),
        json!({"AWS": ROLE}),
        json!({"AWS": SESSION}),
        json!({"AWS": ACCOUNT}),
        json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}),
        json!({"AWS": format!("arn:aws:iam::{OTHER}:root")}),
        json!({"AWS": "arn:aws:iam::111122223333:user/other"}),
        json!({"AWS": "*"}),
    ];
    (0..n)
        .map(|i| {
            let principal = rng.pick(&[ROLE, SESSION, USER]);
            let mut context = vec![
                ("aws:PrincipalArn", if principal == USER { USER } else { ROLE }),
                ("aws:PrincipalAccount", ACCOUNT),
            ];
            if i % 3 == 2 {
                let action = rng.pick(&["kms:DeleteAlias", "kms:CreateAlias", "kms:UpdateAlias"]);
                let patterns = ["*", ALIAS, "arn:aws:kms:us-east-1:111122223333:alias/*", "arn:aws:kms:*:*:key/*"];
                let identity = (0..rng.next() % 3)
                    .map(|_| iam_statement(&mut rng, &[action, "kms:*", "kms:Describe*"], &patterns))
                    .collect();
                let boundary = rng.chance(30).then(|| iam_statement(&mut rng, &["kms:*", action], &["*", ALIAS]));
                context.push(("aws:SecureTransport", "true"));
                return Case {
                    principal,
                    action,
                    resource: ALIAS,
                    resource_account: ACCOUNT,
                    context,
                    identity,
                    boundary: boundary.filter(|b| b["Statement"][0]["Effect"] == "Allow"),
                    resource_policy: None,
                    scps: Vec::new(),
                    rcps: Vec::new(),
                };
            }
            let resource = if rng.chance(25) { FOREIGN_ROLE } else { TARGET_ROLE };
            let patterns =
                ["*", TARGET_ROLE, FOREIGN_ROLE, "arn:aws:iam::*:role/test-*", "arn:aws:iam::111122223333:role/other"];
            let identity = (0..rng.next() % 3)
                .map(|_| iam_statement(&mut rng, &["sts:AssumeRole", "sts:*", "s3:*"], &patterns))
                .collect();
            let boundary = rng.chance(30).then(|| iam_statement(&mut rng, &["sts:AssumeRole", "sts:*"], &patterns));
            let trust = policy(
                (0..1 + rng.next() % 2)
                    .map(|_| {
                        let effect = if rng.chance(20) { "Deny" } else { "Allow" };
                        json!({"Effect": effect, "Principal": rng.pick(&trust_principals),
                               "Action": rng.pick(&["sts:AssumeRole", "sts:*", "sts:TagSession"])})
                    })
                    .collect(),
            );
            Case {
                principal,
                action: "sts:AssumeRole",
                resource,
                resource_account: if resource == TARGET_ROLE { ACCOUNT } else { OTHER },
                context,
                identity,
                boundary: boundary.filter(|b| b["Statement"][0]["Effect"] == "Allow"),
                resource_policy: Some(trust),
                scps: Vec::new(),
                rcps: Vec::new(),
            }
        })
        .collect()
}

#[test]
fn trust_policy_and_alias_decisions_agree_with_iam_simulate() {
    let cases = generate_trust_and_alias(1500);
    let answers = theirs(&cases);
    let mut compared = 0;
    let mut disagreements = Vec::new();
    let mut outcomes = std::collections::BTreeMap::new();
    for (case, theirs) in cases.iter().zip(answers) {
        let Some(theirs) = theirs else { continue };
        compared += 1;
        let ours = case.ours();
        *outcomes.entry(format!("{} {ours:?}", case.action)).or_insert(0) += 1;
        if ours != theirs {
            disagreements.push(format!("ours {ours:?}, iam-simulate {theirs:?}: {case:#?}"));
        }
    }
    eprintln!("compared {compared} of {} cases with iam-simulate: {outcomes:?}", cases.len());
    assert!(compared >= 1400, "iam-simulate refused too many cases: compared {compared}");
    // The cases reach every answer, so agreement is not agreement on one outcome.
    for action in ["sts:AssumeRole", "kms:DeleteAlias"] {
        for outcome in ["Allowed", "ImplicitDeny", "ExplicitDeny"] {
            assert!(
                outcomes.contains_key(&format!("{action} {outcome}")),
                "no {action} case is {outcome}: {outcomes:?}"
            );
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements, the first: {}",
        disagreements.len(),
        disagreements.iter().take(3).cloned().collect::<Vec<_>>().join("\n")
    );
}

const ORG: &str = "o-a1b2c3d4e5";

/// Organization layers over the S3 cases: SCPs on the principal's path and RCPs on the resource's, several
/// levels each, Allow lists and Denies, conditions on the organization's keys (AWS Organizations User
/// Guide, "SCP evaluation" and "RCP evaluation": every level must allow, any Deny wins).
fn generate_org(n: usize) -> Vec<Case> {
    let mut rng = Rng(0x0a9_1e7e1);
    let full = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let scp_choices = [
        full.clone(),
        policy(vec![json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})]),
        policy(vec![json!({"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"})]),
        policy(vec![json!({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})]),
        policy(vec![json!({"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"})]),
        policy(vec![json!({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/docs/*",
                            "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}})]),
        policy(vec![json!({"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"})]),
        policy(vec![json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                            "Condition": {"Bool": {"aws:SecureTransport": "true"}}})]),
    ];
    let rcp_choices = [
        policy(vec![json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}}})]),
        policy(vec![json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]),
        policy(vec![
            json!({"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket/*"}),
        ]),
        policy(vec![json!({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
                            "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}})]),
    ];
    let mut cases = generate(n);
    for case in &mut cases {
        if rng.chance(70) {
            case.scps = (0..1 + rng.next() % 3)
                .map(|_| (0..1 + rng.next() % 2).map(|_| rng.pick(&scp_choices)).collect())
                .collect();
        }
        if rng.chance(50) {
            case.rcps = (0..1 + rng.next() % 3)
                .map(|_| (0..rng.next() % 2).map(|_| rng.pick(&rcp_choices)).collect())
                .collect();
        }
        if rng.chance(50) {
            case.context.push(("aws:PrincipalOrgID", ORG));
        }
    }
    cases
}

#[test]
fn organization_layers_agree_with_iam_simulate() {
    let cases = generate_org(2500);
    let answers = theirs(&cases);
    let mut compared = 0;
    let mut disagreements = Vec::new();
    let mut outcomes = std::collections::BTreeMap::new();
    for (case, theirs) in cases.iter().zip(answers) {
        let Some(theirs) = theirs else { continue };
        compared += 1;
        let ours = case.ours();
        let layers = (!case.scps.is_empty(), !case.rcps.is_empty());
        *outcomes.entry(format!("{layers:?} {ours:?}")).or_insert(0) += 1;
        if ours != theirs {
            disagreements.push(format!("ours {ours:?}, iam-simulate {theirs:?}: {case:#?}"));
        }
    }
    eprintln!("compared {compared} of {} cases with iam-simulate: {outcomes:?}", cases.len());
    assert!(compared >= 2400, "iam-simulate refused too many cases: compared {compared}");
    for layers in ["(true, false)", "(false, true)", "(true, true)"] {
        for outcome in ["Allowed", "ImplicitDeny", "ExplicitDeny"] {
            assert!(
                outcomes.contains_key(&format!("{layers} {outcome}")),
                "no {layers} case is {outcome}: {outcomes:?}"
            );
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements, the first: {}",
        disagreements.len(),
        disagreements.iter().take(3).cloned().collect::<Vec<_>>().join("\n")
    );
}
