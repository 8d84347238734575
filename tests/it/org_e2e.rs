//! Organization-wide scans end to end: an organization made in moto (CreateOrganization, CreateAccount),
//! each member read through sts:AssumeRole of `atrest-audit` (moto maps the credentials it gives to the
//! member), our Translate endpoint answering each account with its own jobs, one member whose role
//! cannot be assumed (AccessDenied, injected into STS by the fault proxy: moto's AssumeRole never refuses
//! without IAM enforcement), and shards run as separate processes.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::json as report;
use crate::scan_e2e::{atrest, block_on, statuses};
use crate::support::moto::{ACCOUNT, Moto, REGION, Seed};
use crate::support::proxy::{FaultProxy, Rule};
use crate::support::translate::TranslateEndpoint;

const J_SHARED_KEY: &str = "0000000000000000000000000000000f";
const J_CLOSED_KEY: &str = "00000000000000000000000000000010";
const J_SECURITY: &str = "00000000000000000000000000000011";

pub struct Org {
    pub moto: Moto,
    pub translate: TranslateEndpoint,
    pub proxy: FaultProxy,
    pub workload: String,
    pub security: String,
    pub locked: String,
    /// Granted to the workload's role by the security account's key policy.
    pub shared_key: String,
    /// The security account's key that grants nothing to the workload.
    pub closed_key: String,
}

fn five_actions() -> &'static str {
    r#"["kms:Decrypt","kms:GenerateDataKey","kms:CreateGrant","kms:RetireGrant","kms:DescribeKey"]"#
}

fn trust(account: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"translate.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:SourceAccount":"{account}"}}}}}}]}}"#
    )
}

fn org_job(id: &str, account: &str, input: &str, output: &str, key: &str) -> Value {
    json!({
        "JobId": id, "JobName": format!("job-{id}"), "JobStatus": "COMPLETED",
        "SourceLanguageCode": "en", "TargetLanguageCodes": ["fr"],
        "SubmittedTime": 1_764_000_000, "EndTime": 1_764_000_600,
        "InputDataConfig": {"S3Uri": input, "ContentType": "text/plain"},
        "OutputDataConfig": {"S3Uri": output, "EncryptionKey": {"Type": "KMS", "Id": key}},
        "DataAccessRoleArn": format!("arn:aws:iam::{account}:role/TranslateRole"),
    })
}

/// The management account (moto's default) with three members: a workload account whose jobs write under
/// keys of the security account, the security account (one job of its own), and a locked one.
pub fn org() -> Org {
    let moto = Moto::start();
    let translate = TranslateEndpoint::start_with_moto(10, &moto.url);
    let proxy = FaultProxy::start(&moto.url);
    let (workload, security, locked, shared_key, closed_key) = block_on(async {
        let management = Seed::new(&moto, "testing", "testing").await;
        let names: Vec<String> = ["workload", "security", "locked"].map(String::from).to_vec();
        let ids = management.organization(&names).await;
        let (workload, security, locked) = (ids[0].clone(), ids[1].clone(), ids[2].clone());
        let w = Seed::in_account(&moto, &workload, "atrest-audit").await;
        let s = Seed::in_account(&moto, &security, "atrest-audit").await;

        let root = |account: &str| {
            format!(
                r#"{{"Sid":"Root","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"kms:*","Resource":"*"}}"#
            )
        };
        let shared_policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{},{{"Sid":"WorkloadTranslate","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{workload}:role/TranslateRole"}},"Action":{},"Resource":"*"}}]}}"#,
            root(&security),
            five_actions()
        );
        let shared_key = s.create_key(&shared_policy).await;
        let closed_key =
            s.create_key(&format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, root(&security))).await;
        let own_policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{},{{"Sid":"Translate","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{security}:role/TranslateRole"}},"Action":{},"Resource":"*"}}]}}"#,
            root(&security),
            five_actions()
        );
        let own_key = s.create_key(&own_policy).await;

        // The workload account: its role may use the security account's keys (the IAM half of AR204).
        for (seed, account, bucket_in, bucket_out) in
            [(&w, &workload, "org-w-in", "org-w-out"), (&s, &security, "org-s-in", "org-s-out")]
        {
            seed.bucket(bucket_in, None).await;
            seed.default_encryption(bucket_in, "AES256", None).await;
            seed.object(bucket_in, "docs/a.txt", Some("AES256"), None).await;
            seed.bucket(bucket_out, None).await;
            seed.iam
                .create_role()
                .role_name("TranslateRole")
                .assume_role_policy_document(trust(account))
                .send()
                .await
                .unwrap();
            let inline = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{},"Resource":"arn:aws:kms:{REGION}:{security}:key/*"}},{{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket","s3:PutObject"],"Resource":["arn:aws:s3:::org-*","arn:aws:s3:::org-*/*"]}}]}}"#,
                five_actions()
            );
            seed.iam
                .put_role_policy()
                .role_name("TranslateRole")
                .policy_name("translate")
                .policy_document(inline)
                .send()
                .await
                .unwrap();
        }
        translate.add_job(org_job(J_SHARED_KEY, &workload, "s3://org-w-in/docs/", "s3://org-w-out/out/", &shared_key));
        translate.add_job(org_job(J_CLOSED_KEY, &workload, "s3://org-w-in/docs/", "s3://org-w-out/out/", &closed_key));
        translate.add_job(org_job(J_SECURITY, &security, "s3://org-s-in/docs/", "s3://org-s-out/out/", &own_key));
        (workload, security, locked, shared_key, closed_key)
    });
    // The locked account's audit role refuses the management account.
    proxy.add(Rule {
        method: "POST",
        path: "/".into(),
        query: "",
        status: 403,
        code: Some("AccessDenied"),
        times: usize::MAX,
        body: Box::leak(format!("{locked}%3Arole%2Fatrest-audit").into_boxed_str()),
    });
    Org { moto, translate, proxy, workload, security, locked, shared_key, closed_key }
}

/// Every job a report's results name.
fn jobs_of(r: &Value) -> Vec<&str> {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| x["jobs"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect()
}

/// `atrest ARGS` on the organization, STS through the proxy.
pub fn run(o: &Org, args: &[&str]) -> std::process::Output {
    atrest(&o.moto.url, &o.translate.url, args, &[("AWS_ENDPOINT_URL_STS", o.proxy.url.as_str())])
}

/// The notes of every key decision (AR203, AR204) of a job.
fn key_notes<'r>(r: &'r Value, job: &str) -> Vec<&'r str> {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| ["AR203", "AR204"].contains(&x["rule_id"].as_str().unwrap()))
        .filter(|x| x["jobs"].as_array().is_some_and(|j| j.iter().any(|j| j == job)))
        .flat_map(|x| x["evidence"]["decisions"].as_array().into_iter().flatten())
        .flat_map(|d| d["notes"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect()
}

/// `run` with more environment.
fn run_with(o: &Org, args: &[&str], extra: &[(&str, &str)]) -> std::process::Output {
    let mut env = vec![("AWS_ENDPOINT_URL_STS", o.proxy.url.as_str())];
    env.extend_from_slice(extra);
    atrest(&o.moto.url, &o.translate.url, args, &env)
}

fn scan_org(o: &Org) -> Value {
    let out = run(o, &["scan", "--org", "--format", "json", "-q"]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    report(&out)
}

#[test]
fn an_organization_scan_decides_cross_account_keys_in_their_own_account() {
    let o = org();
    let r = scan_org(&o);
    let mut all = vec![ACCOUNT.to_owned(), o.workload.clone(), o.security.clone(), o.locked.clone()];
    all.sort();
    assert_eq!(r["run"]["accounts"], json!(all));
    let status = &r["run"]["account_status"];
    for a in [ACCOUNT, &o.workload, &o.security] {
        assert_eq!(status[a]["status"], "read", "{a}: {status:#}");
    }
    assert_eq!(status[&o.locked]["status"], "not-read", "{status:#}");
    let reason = status[&o.locked]["reason"].as_str().unwrap();
    let role = format!("arn:aws:iam::{}:role/atrest-audit", o.locked);
    assert!(
        reason.ends_with(&format!(
            "AccessDenied: User: arn:aws:iam::123456789012:user/moto is not authorized to perform: \
             sts:AssumeRole on resource: {role}"
        )),
        "{reason}"
    );
    let errors = r["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["service"] == "sts" && e["operation"] == "AssumeRole" && e["resource"] == role.as_str()),
        "{errors:#?}"
    );
    // The keys live in the security account and were read there: no gap names them.
    for key in [&o.shared_key, &o.closed_key] {
        assert!(!errors.iter().any(|e| e["resource"] == key.as_str()), "{key} was not read: {errors:#?}");
    }
    let s = statuses(&r);
    let get = |rule: &str, id: &str| s.get(&(rule.to_owned(), id.to_owned())).cloned();
    assert_eq!(get("AR204", &o.shared_key).as_deref(), Some("PASS"), "{s:#?}");
    assert_eq!(get("AR204", &o.closed_key).as_deref(), Some("FAIL"), "{s:#?}");
    // Every account answered with its own jobs: the security account's job is judged too.
    let jobs = jobs_of(&r);
    for j in [J_SHARED_KEY, J_CLOSED_KEY, J_SECURITY] {
        assert!(jobs.contains(&j), "job {j} was not read");
    }
    // Nothing of the locked account is PASS: it had nothing read, so nothing is judged there.
    assert!(
        !r["results"].as_array().unwrap().iter().any(|x| x["resource"]["account"] == o.locked.as_str()),
        "results on the unread account"
    );
}

#[test]
fn shards_audited_together_equal_the_organization_scan() {
    let o = org();
    let whole = scan_org(&o);
    let dir = crate::tempdir();
    for count in [2usize, 3] {
        let mut snapshots = Vec::new();
        for index in 0..count {
            let path = dir.join(format!("shard-{index}-of-{count}.json"));
            let shard = format!("{index}/{count}");
            let out = run(&o, &["collect", "-q", "--org", "--shard", &shard, "-o", path.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
            snapshots.push(path.to_str().unwrap().to_owned());
        }
        let mut args = vec!["audit".to_owned()];
        args.extend(snapshots.iter().cloned());
        args.extend(["--format".into(), "json".into()]);
        let audit = std::process::Command::new(env!("CARGO_BIN_EXE_atrest")).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&audit.stderr);
        assert!(!stderr.contains("differ"), "the shards disagree about a resource: {stderr}");
        let audit = report(&audit);
        for field in ["results", "summary", "controls", "errors"] {
            assert_eq!(whole[field], audit[field], "{count} shards: {field} differs from the organization scan");
        }
        assert_eq!(whole["run"]["accounts"], audit["run"]["accounts"]);
        assert_eq!(whole["run"]["account_status"], audit["run"]["account_status"]);
    }
    // Each shard read only its own accounts' jobs.
    let one: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("shard-0-of-3.json")).unwrap()).unwrap();
    let accounts: BTreeMap<String, usize> = one["jobs"].as_array().unwrap().iter().fold(BTreeMap::new(), |mut m, j| {
        *m.entry(j["account"].as_str().unwrap().to_owned()).or_default() += 1;
        m
    });
    for a in accounts.keys() {
        assert!(one["accounts"].as_array().unwrap().iter().any(|x| x == a.as_str()), "shard 0 listed {a}'s jobs");
    }
}

#[test]
fn region_all_reads_each_accounts_enabled_regions_that_offer_translate() {
    let o = org();
    o.translate.set_regions(ACCOUNT, &[("us-east-1", "ENABLED_BY_DEFAULT")]);
    // ap-east-1 offers Translate but is not enabled; me-central-1 is enabled but offers no Translate (in the
    // regions moto's SSM public parameters list).
    o.translate.set_regions(
        &o.workload,
        &[("us-east-1", "ENABLED_BY_DEFAULT"), ("eu-west-1", "ENABLED_BY_DEFAULT"), ("ap-east-1", "DISABLED")],
    );
    o.translate.set_regions(&o.security, &[("us-east-1", "ENABLED_BY_DEFAULT"), ("me-central-1", "ENABLED")]);
    const J_EU: &str = "00000000000000000000000000000012";
    o.translate.add_job_in(
        "eu-west-1",
        org_job(J_EU, &o.workload, "s3://org-w-in/docs/", "s3://org-w-out/out/", &o.shared_key),
    );
    let out = atrest(
        &o.moto.url,
        &o.translate.url,
        &["scan", "--org", "--region", "all", "--format", "json", "-q"],
        &[("AWS_ENDPOINT_URL_STS", o.proxy.url.as_str()), ("AWS_ENDPOINT_URL_ACCOUNT", o.translate.url.as_str())],
    );
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    let r = report(&out);
    assert_eq!(r["run"]["regions"], json!(["eu-west-1", "us-east-1"]));
    let calls = crate::scan_e2e::calls(&r);
    let listed = calls[&("translate".to_owned(), "ListTextTranslationJobs".to_owned())];
    assert_eq!(listed, 4, "management 1 + workload 2 + security 1 region(s): {calls:?}");
    // Asked once for the whole run: 17 regions in pages of 10 (the API's largest page).
    assert_eq!(calls[&("ssm".to_owned(), "GetParametersByPath".to_owned())], 2);
    let jobs = jobs_of(&r);
    assert!(jobs.contains(&J_EU), "the eu-west-1 job was not read");
}

#[test]
fn a_refused_translate_listing_leaves_one_account_unread_not_the_run() {
    let o = org();
    // The next ListTextTranslationJobs, whichever account's it is, is denied (not retried).
    o.translate.fault(Some("ListTextTranslationJobs"), crate::support::translate::Fault::Denied);
    let out = run(&o, &["scan", "--org", "--format", "json", "-q"]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "the run stopped: {}", String::from_utf8_lossy(&out.stderr));
    let r = report(&out);
    let status = r["run"]["account_status"].as_object().unwrap();
    let unread: Vec<(&String, &Value)> = status.iter().filter(|(_, s)| s["status"] == "not-read").collect();
    // The locked account, and the one whose listing was refused.
    assert_eq!(unread.len(), 2, "{status:#?}");
    let refused = unread.iter().find(|(a, _)| **a != o.locked).expect("an account unread by the refusal");
    assert!(refused.1["reason"].as_str().unwrap().contains("AccessDeniedException"), "{refused:?}");
    assert!(
        r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["service"] == "translate" && e["resource"] == refused.0.as_str()),
        "{:#}",
        r["errors"]
    );
    // Its jobs are not judged (its resources another account's jobs name still are); the others' are.
    let jobs = jobs_of(&r);
    for (account, job) in [(&o.workload, J_SHARED_KEY), (&o.workload, J_CLOSED_KEY), (&o.security, J_SECURITY)] {
        assert_eq!(jobs.contains(&job), account != refused.0, "job {job} of account {account}");
    }
    assert_eq!(status.values().filter(|s| s["status"] == "read").count(), 2);
}

/// A message of `rule` on `resource`.
fn message_of<'r>(r: &'r Value, rule: &str, resource: &str) -> &'r str {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule_id"] == rule && x["resource"]["id"] == resource)
        .and_then(|x| x["message"].as_str())
        .unwrap_or_else(|| panic!("no {rule} result on {resource}"))
}

#[test]
fn scps_rcps_and_data_perimeters_decide_where_organizations_live() {
    use aws_sdk_organizations::types::PolicyType;
    let moto = Moto::start();
    let translate = TranslateEndpoint::start_with_moto(10, &moto.url);
    let (org_id, restricted, analytics, keys) = block_on(async {
        let m = Seed::new(&moto, "testing", "testing").await;
        let names: Vec<String> = ["restricted", "analytics", "security", "vault"].map(String::from).to_vec();
        let ids = m.organization(&names).await;
        let (restricted, analytics, security, vault) = (ids[0].clone(), ids[1].clone(), ids[2].clone(), ids[3].clone());
        let org = &m.organizations;
        let org_id = org.describe_organization().send().await.unwrap().organization().unwrap().id().unwrap().to_owned();
        let root = org.list_roots().send().await.unwrap().roots()[0].id().unwrap().to_owned();
        // RCPs are enabled per root (AWS Organizations, "Enabling a policy type"); SCPs may already be.
        let _ = org.enable_policy_type().root_id(&root).policy_type(PolicyType::ServiceControlPolicy).send().await;
        org.enable_policy_type().root_id(&root).policy_type(PolicyType::ResourceControlPolicy).send().await.unwrap();
        let ou = org.create_organizational_unit().parent_id(&root).name("Restricted").send().await.unwrap();
        let ou = ou.organizational_unit().unwrap().id().unwrap().to_owned();
        org.move_account()
            .account_id(&restricted)
            .source_parent_id(&root)
            .destination_parent_id(&ou)
            .send()
            .await
            .unwrap();
        let policy = |name: &str, kind: PolicyType, content: String| {
            org.create_policy().name(name).description(name).r#type(kind).content(content).send()
        };
        let deny_grants = policy(
            "DenyGrants",
            PolicyType::ServiceControlPolicy,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:CreateGrant","Resource":"*"}]}"#
                .into(),
        )
        .await
        .unwrap();
        let deny_grants = deny_grants.policy().unwrap().policy_summary().unwrap().id().unwrap().to_owned();
        // On the OU, and on the management account, which SCPs do not affect.
        for target in [ou.as_str(), ACCOUNT] {
            org.attach_policy().policy_id(&deny_grants).target_id(target).send().await.unwrap();
        }
        // An SCP on the restricted account itself that stops its role writing output; on the management
        // account too, where it changes nothing.
        let no_writes = policy(
            "DenyOutputWrites",
            PolicyType::ServiceControlPolicy,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::rcp-*-out/*"}]}"#
                .into(),
        )
        .await
        .unwrap();
        let no_writes = no_writes.policy().unwrap().policy_summary().unwrap().id().unwrap().to_owned();
        for target in [restricted.as_str(), ACCOUNT] {
            org.attach_policy().policy_id(&no_writes).target_id(target).send().await.unwrap();
        }
        let vault_only = policy(
            "VaultOnly",
            PolicyType::ResourceControlPolicy,
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{{"StringNotEqualsIfExists":{{"aws:PrincipalAccount":"{vault}"}},"BoolIfExists":{{"aws:PrincipalIsAWSService":"false"}}}}}}]}}"#
            ),
        )
        .await
        .unwrap();
        let vault_only = vault_only.policy().unwrap().policy_summary().unwrap().id().unwrap().to_owned();
        org.attach_policy().policy_id(&vault_only).target_id(&vault).send().await.unwrap();

        let role_of = |account: &str| format!("arn:aws:iam::{account}:role/TranslateRole");
        let root_statement = |account: &str| {
            format!(
                r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"kms:*","Resource":"*"}}"#
            )
        };
        let grant_to = |owner: &str, principal: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{},{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":{},"Resource":"*"}}]}}"#,
                root_statement(owner),
                five_actions()
            )
        };
        // The data-perimeter key policy: everyone, limited to the organization (aws:PrincipalOrgID).
        let perimeter = format!(
            r#"{{"Version":"2012-10-17","Statement":[{},{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":{},"Resource":"*","Condition":{{"StringEquals":{{"aws:PrincipalOrgID":"{org_id}"}}}}}}]}}"#,
            root_statement(&security),
            five_actions()
        );
        let moto = &moto;
        let sr = Seed::in_account(moto, &restricted, "atrest-audit").await;
        let sa = Seed::in_account(moto, &analytics, "atrest-audit").await;
        let ss = Seed::in_account(moto, &security, "atrest-audit").await;
        let sv = Seed::in_account(moto, &vault, "atrest-audit").await;
        let mgmt_key = m.create_key(&grant_to(ACCOUNT, &role_of(ACCOUNT))).await;
        let restricted_key = sr.create_key(&grant_to(&restricted, &role_of(&restricted))).await;
        let perimeter_key = ss.create_key(&perimeter).await;
        let vault_key = sv.create_key(&grant_to(&vault, &role_of(&analytics))).await;
        for (seed, account) in [(&m, ACCOUNT.to_owned()), (&sr, restricted.clone()), (&sa, analytics.clone())] {
            let (bucket_in, bucket_out) = (format!("rcp-{account}-in"), format!("rcp-{account}-out"));
            seed.bucket(&bucket_in, None).await;
            seed.default_encryption(&bucket_in, "AES256", None).await;
            seed.object(&bucket_in, "docs/a.txt", Some("AES256"), None).await;
            seed.bucket(&bucket_out, None).await;
            seed.iam
                .create_role()
                .role_name("TranslateRole")
                .assume_role_policy_document(trust(&account))
                .send()
                .await
                .unwrap();
            let inline = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{},"Resource":"arn:aws:kms:*:*:key/*"}},{{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket","s3:PutObject"],"Resource":["arn:aws:s3:::rcp-*","arn:aws:s3:::rcp-*/*"]}}]}}"#,
                five_actions()
            );
            seed.iam
                .put_role_policy()
                .role_name("TranslateRole")
                .policy_name("translate")
                .policy_document(inline)
                .send()
                .await
                .unwrap();
        }
        let job = |n: u8, account: &str, key: &str| {
            let id = format!("{n:032x}");
            org_job(&id, account, &format!("s3://rcp-{account}-in/docs/"), &format!("s3://rcp-{account}-out/out/"), key)
        };
        translate.add_job(job(0x21, ACCOUNT, &mgmt_key));
        translate.add_job(job(0x22, &restricted, &restricted_key));
        translate.add_job(job(0x23, &analytics, &perimeter_key));
        translate.add_job(job(0x24, &analytics, &vault_key));
        (org_id, restricted, analytics, [mgmt_key, restricted_key, perimeter_key, vault_key])
    });
    let out = atrest(&moto.url, &translate.url, &["scan", "--org", "--format", "json", "-q"], &[]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    let r = report(&out);
    let s = statuses(&r);
    let get = |id: &str| s.get(&("AR203".to_owned(), id.to_owned())).cloned().unwrap_or_default();
    let [mgmt_key, restricted_key, perimeter_key, vault_key] = &keys;
    let diagnosis = || format!("{s:#?}\nerrors: {:#}", r["errors"]);
    // SCPs do not affect the management account, though one is attached to it.
    assert_eq!(get(mgmt_key), "PASS", "{}", diagnosis());
    // The OU's SCP denies kms:CreateGrant to the restricted account's role: named, with where it is attached.
    assert_eq!(get(restricted_key), "FAIL", "{}", diagnosis());
    let m = message_of(&r, "AR203", restricted_key);
    assert!(
        m.contains("kms:CreateGrant (explicitly denied by the service control policy")
            && m.contains("(DenyGrants) attached to ou-"),
        "{m}"
    );
    // The data-perimeter key policy allows the organization's principals: aws:PrincipalOrgID is known.
    assert_eq!(get(perimeter_key), "PASS", "{}", diagnosis());
    // The vault account's RCP denies principals of other accounts: named; kms:RetireGrant is beyond RCPs.
    assert_eq!(get(vault_key), "FAIL", "{}", diagnosis());
    let m = message_of(&r, "AR203", vault_key);
    assert!(
        m.contains("explicitly denied by the resource control policy") && m.contains("(VaultOnly) attached to"),
        "{m}"
    );
    assert!(!m.contains("kms:RetireGrant"), "{m}");
    // AR404: the account's own SCP stops the restricted role writing its output, named with where it is
    // attached; the management account's role, under the same SCP, is not affected.
    let role_of = |account: &str| format!("arn:aws:iam::{account}:role/TranslateRole");
    let ar404 = |account: &str| s.get(&("AR404".to_owned(), role_of(account))).cloned().unwrap_or_default();
    assert_eq!(ar404(ACCOUNT), "PASS", "{}", diagnosis());
    assert_eq!(ar404(&analytics), "PASS", "{}", diagnosis());
    assert_eq!(ar404(&restricted), "FAIL", "{}", diagnosis());
    let m = message_of(&r, "AR404", &role_of(&restricted));
    assert!(
        m.contains("s3:PutObject on arn:aws:s3:::rcp-")
            && m.contains(&format!("(DenyOutputWrites) attached to {restricted}")),
        "{m}"
    );
    // The run says the guardrails were read for every account.
    assert_eq!(crate::schema_errors(&r), Vec::<String>::new());
    let org = &r["run"]["organization"];
    assert_eq!(org["id"], org_id.as_str(), "{org:#}");
    assert_eq!(org["policies"], "read", "{org:#}");
    assert!(org.get("missing").is_none() && org.get("accounts_not_read").is_none(), "{org:#}");
    // And the decisions weighed them: only session policies are left out.
    for job in [0x21u8, 0x22, 0x23, 0x24].map(|n| format!("{n:032x}")) {
        let notes = key_notes(&r, &job);
        assert!(
            notes.contains(&"session policies were not evaluated")
                && !notes.iter().any(|n| n.contains("control policies") && n.contains("not evaluated")),
            "{job}: {notes:?}"
        );
    }
    let _ = (restricted, analytics);
}

#[test]
fn an_unreadable_path_leaves_that_accounts_guardrails_unknown_and_names_the_permission() {
    let o = org();
    // ListParents of the security account, which holds every key, is refused: its path stays unread.
    o.proxy.add(Rule {
        method: "POST",
        path: "/".into(),
        query: "",
        status: 400,
        code: Some("AccessDeniedException"),
        times: usize::MAX,
        body: Box::leak(format!("\"ChildId\":\"{}\"", o.security).into_boxed_str()),
    });
    let out =
        run_with(&o, &["scan", "--org", "--format", "json", "-q"], &[("AWS_ENDPOINT_URL_ORGANIZATIONS", &o.proxy.url)]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    let r = report(&out);
    assert_eq!(crate::schema_errors(&r), Vec::<String>::new());
    let org = &r["run"]["organization"];
    assert_eq!(org["policies"], "partial", "{org:#}");
    assert_eq!(org["accounts_not_read"], json!([o.security]), "{org:#}");
    let missing = org["missing"].as_array().unwrap();
    assert!(
        missing.iter().any(|m| m
            .as_str()
            .unwrap()
            .starts_with(&format!("organizations:ListParents on {}: AccessDeniedException: ", o.security))),
        "{org:#}"
    );
    // Every key is the security account's: the RCPs on its path are not weighed, and the evidence says so.
    for job in [J_SHARED_KEY, J_SECURITY] {
        let notes = key_notes(&r, job);
        assert!(
            !notes.is_empty()
                && notes
                    .iter()
                    .all(|n| n.contains("resource control policies and session policies were not evaluated")),
            "{job}: {notes:?}"
        );
    }
}

#[test]
fn a_refused_region_listing_reads_every_region_translate_offers() {
    let o = org();
    for account in [ACCOUNT, &o.workload, &o.security] {
        o.translate.set_regions(account, &[("us-east-1", "ENABLED_BY_DEFAULT"), ("eu-west-1", "DISABLED")]);
    }
    let scan = || {
        let out = atrest(
            &o.moto.url,
            &o.translate.url,
            &["scan", "--org", "--region", "all", "--format", "json", "-q"],
            &[("AWS_ENDPOINT_URL_STS", o.proxy.url.as_str()), ("AWS_ENDPOINT_URL_ACCOUNT", o.translate.url.as_str())],
        );
        assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
        report(&out)
    };
    let before = scan();
    // The next ListRegions, whichever account asks first, is denied: that account reads every region that
    // offers Translate, eu-west-1 included, though it is disabled there.
    o.translate.fault(Some("ListRegions"), crate::support::translate::Fault::Denied);
    let after = scan();
    let gaps: Vec<&Value> =
        after["errors"].as_array().unwrap().iter().filter(|e| e["operation"] == "ListRegions").collect();
    assert_eq!(gaps.len(), 1, "{:#}", after["errors"]);
    assert!(gaps[0]["resource"].as_str().unwrap().starts_with("account:"), "{:#}", gaps[0]);
    let regions = after["run"]["regions"].as_array().unwrap();
    assert!(regions.len() > before["run"]["regions"].as_array().unwrap().len(), "{regions:?}");
    assert!(regions.iter().any(|r| r == "eu-west-1"), "{regions:?}");
    // It blocks nothing: every result is as without the refusal.
    assert_eq!(statuses(&before), statuses(&after));
}
