//! The deployment files of organization scans, checked for the fields docs/deploy.md and
//! docs/permissions.md rely on: the Kubernetes Indexed Job and the AWS Batch array job run `collect --shard`
//! with the index their engine sets and a count that matches their size (each command parsed by atrest's
//! own clap definitions), the audit step reads what the shards wrote, and the StackSet role grants exactly
//! the read-only policy.

use clap::Parser;
use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use crate::{atrest_in, root, stderr};

fn plain(y: &Yaml) -> Value {
    match y {
        Yaml::Real(r) => serde_json::from_str(r).unwrap_or(Value::String(r.clone())),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(a) => Value::Array(a.iter().map(plain).collect()),
        Yaml::Hash(h) => {
            Value::Object(h.iter().map(|(k, v)| (k.as_str().unwrap_or("").to_owned(), plain(v))).collect())
        }
        _ => Value::Null,
    }
}

/// Every document of a multi-document YAML file.
fn yaml_docs(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}")).iter().map(plain).collect()
}

fn json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parses an atrest command line with atrest's own definitions.
fn parse(words: &[String]) -> atrest::cli::Cli {
    atrest::cli::Cli::try_parse_from(words).unwrap_or_else(|e| panic!("{words:?}: {e}"))
}

#[test]
fn the_kubernetes_indexed_job_collects_one_shard_per_index_and_the_audit_reads_them_all() {
    let docs = yaml_docs("deploy/kubernetes/atrest-collect.yaml");
    let job = docs.iter().find(|d| d["kind"] == "Job").expect("a Job");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let count = spec["completions"].as_u64().unwrap();
    assert_eq!(spec["parallelism"].as_u64(), Some(count), "every shard at once");
    let container = &spec["template"]["spec"]["containers"][0];
    let args: Vec<String> =
        container["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect();
    let shard = args.iter().position(|a| a == "--shard").map(|i| &args[i + 1]).expect("--shard");
    assert_eq!(shard, &format!("$(JOB_COMPLETION_INDEX)/{count}"), "Kubernetes expands $(VAR) in args");
    // What the last pod runs, with the index Kubernetes gives it.
    let last = (count - 1).to_string();
    let mut words = vec![container["command"][0].as_str().unwrap().to_owned()];
    words.extend(args.iter().map(|a| a.replace("$(JOB_COMPLETION_INDEX)", &last)));
    let cli = parse(&words);
    let atrest::cli::Command::Collect(c) = cli.command else { panic!("not collect: {words:?}") };
    assert_eq!(c.collection.shard, Some(atrest::collect::Shard { index: count as usize - 1, count: count as usize }));
    assert!(c.collection.org);
    let mount = container["volumeMounts"][0]["mountPath"].as_str().unwrap();
    assert!(c.output.starts_with(mount), "the snapshot is written to the shared volume");
    assert!(c.output.to_str().unwrap().ends_with(&format!("shard-{last}.json")));
    let claim = &spec["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"];
    let pvc = docs.iter().find(|d| d["kind"] == "PersistentVolumeClaim").expect("the shared volume");
    assert_eq!(&pvc["metadata"]["name"], claim);
    assert_eq!(pvc["spec"]["accessModes"][0], "ReadWriteMany", "many pods write to it");

    let audit = &yaml_docs("deploy/kubernetes/atrest-audit.yaml")[0];
    let container = &audit["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(audit["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"], *claim);
    let line = container["args"][0].as_str().unwrap();
    let glob = format!("{mount}/shard-*.json");
    assert!(line.contains(&glob), "{line}");
    let shards: Vec<String> = (0..count).map(|i| format!("{mount}/shard-{i}.json")).collect();
    let words: Vec<String> =
        line.split_whitespace().flat_map(|w| if w == glob { shards.clone() } else { vec![w.to_owned()] }).collect();
    let atrest::cli::Command::Audit(a) = parse(&words).command else { panic!("not audit: {line}") };
    assert_eq!(a.snapshots.len(), count as usize);
}

#[test]
fn the_aws_batch_array_job_collects_one_shard_per_child_and_the_audit_waits_for_all() {
    let def = json("deploy/aws-batch/atrest-job-definition.json");
    let array = json("deploy/aws-batch/atrest-collect-array.json");
    let audit = json("deploy/aws-batch/atrest-audit.json");
    assert_eq!(array["jobDefinition"], def["jobDefinitionName"]);
    assert_eq!(audit["jobDefinition"], def["jobDefinitionName"]);
    let size = array["arrayProperties"]["size"].as_u64().unwrap();
    let props = &def["containerProperties"];
    let env: std::collections::BTreeMap<&str, &str> = props["environment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), e["value"].as_str().unwrap()))
        .collect();
    assert_eq!(env["SHARDS"].parse::<u64>().ok(), Some(size), "the shard count is the array size");
    assert_eq!(props["command"][0], "sh");
    let line = props["command"][2].as_str().unwrap();
    assert!(line.contains("$AWS_BATCH_JOB_ARRAY_INDEX"), "{line}");
    // The child with the last index, as its shell expands the line.
    let last = (size - 1).to_string();
    let expanded = line.replace("$AWS_BATCH_JOB_ARRAY_INDEX", &last).replace("$SHARDS", env["SHARDS"]).replace('"', "");
    let words: Vec<String> = expanded.split_whitespace().map(str::to_owned).collect();
    let atrest::cli::Command::Collect(c) = parse(&words).command else { panic!("not collect: {line}") };
    assert_eq!(c.collection.shard.map(|s| (s.index as u64, s.count as u64)), Some((size - 1, size)));
    let mount = props["mountPoints"][0]["containerPath"].as_str().unwrap();
    assert!(c.output.starts_with(mount));
    // A dependency on an array job waits for every child.
    assert!(audit["dependsOn"][0]["jobId"].is_string());
    let audit_line = audit["containerOverrides"]["command"][2].as_str().unwrap();
    assert!(audit_line.starts_with("atrest audit ") && audit_line.contains(&format!("{mount}/shard-*.json")));
}

/// The actions a policy statement list grants.
fn actions(statements: &Value) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for s in statements.as_array().unwrap() {
        match &s["Action"] {
            Value::String(a) => {
                out.insert(a.clone());
            }
            Value::Array(a) => out.extend(a.iter().map(|x| x.as_str().unwrap().to_owned())),
            other => panic!("{other}"),
        }
    }
    out
}

#[test]
fn the_stackset_role_grants_the_readonly_policy_and_trusts_only_the_auditing_account() {
    // CloudFormation's short tags (!Sub, !If) are local tags to yaml-rust2; the structure is plain YAML.
    let template = &yaml_docs("docs/atrest-audit-role.yaml")[0];
    let role = &template["Resources"]["AuditRole"];
    assert_eq!(role["Type"], "AWS::IAM::Role");
    assert_eq!(template["Parameters"]["RoleName"]["Default"], "atrest-audit", "atrest's --role-name default");
    let policy = &role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"];
    let mut want = actions(&json("docs/atrest-readonly-policy.json")["Statement"]);
    want.insert("account:ListRegions".into());
    assert_eq!(actions(policy), want, "the StackSet role and docs/atrest-readonly-policy.json differ");
    assert!(
        actions(policy).iter().all(|a| a.contains(":List") || a.contains(":Get") || a.contains(":Describe")),
        "a write action in the audit role"
    );
    let trust = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(trust.as_array().unwrap().len(), 1);
    assert_eq!(trust[0]["Action"], "sts:AssumeRole");
    assert!(trust[0]["Condition"]["ArnEquals"]["aws:PrincipalArn"].is_string(), "only the auditing principal");

    // The management side: list the organization, assume the audit role and nothing else; atrest's own
    // linter finds nothing wrong with it.
    let management = json("docs/atrest-management-policy.json");
    let granted = actions(&management["Statement"]);
    let want: std::collections::BTreeSet<String> = [
        "organizations:ListAccounts",
        "organizations:DescribeOrganization",
        "organizations:ListRoots",
        "organizations:ListParents",
        "organizations:ListPoliciesForTarget",
        "organizations:DescribePolicy",
        "sts:AssumeRole",
        "ssm:GetParametersByPath",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(granted, want);
    let assume = management["Statement"].as_array().unwrap().iter().find(|s| s["Action"] == "sts:AssumeRole").unwrap();
    assert_eq!(assume["Resource"], "arn:aws:iam::*:role/atrest-audit");
    let lint = atrest_in(root(), &["lint", "docs/atrest-management-policy.json", "docs/atrest-readonly-policy.json"]);
    assert_eq!(lint.status.code(), Some(0), "{}", stderr(&lint));
}
