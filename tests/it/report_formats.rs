//! The junit, csv, markdown and html reports: each checked against the JSON report of the same run, with a
//! real parser where the format has one.

use serde_json::Value;

use crate::{atrest_in, root, tempdir};

const DEMO: &str = "fixtures/demo/snapshot.json";

/// The same audit as JSON and as `format`, in a folder whose atrest.toml waives AR101 on the legacy bucket.
fn both(format: &str, extra: &[&str]) -> (Value, String, Option<i32>) {
    let dir = tempdir();
    std::fs::write(
        dir.join("atrest.toml"),
        "[[waivers]]\nrule = \"AR101\"\nresource = \"arn:aws:s3:::acme-legacy-uploads\"\nreason = \"MIG-7 <&> \\\"quoted\\\"\"\nexpires = 2999-12-31\n",
    )
    .unwrap();
    let demo = root().join(DEMO);
    let mut args = vec!["audit", demo.to_str().unwrap(), "-q", "--format"];
    let json = atrest_in(&dir, &[&args[..], &["json"], extra].concat());
    args.push(format);
    let other = atrest_in(&dir, &[&args[..], extra].concat());
    assert_eq!(json.status.code(), other.status.code());
    (serde_json::from_slice(&json.stdout).unwrap(), String::from_utf8(other.stdout).unwrap(), other.status.code())
}

fn results(report: &Value) -> &Vec<Value> {
    report["results"].as_array().unwrap()
}

#[test]
fn junit_counts_match_the_exit_code_logic() {
    let (report, xml, code) = both("junit", &["--fail-on", "high"]);
    assert_eq!(code, Some(1));
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let at_least_high = |r: &&Value| r["severity"] == "critical" || r["severity"] == "high";
    let counted = |status: &str| {
        results(&report)
            .iter()
            .filter(|r| r["status"] == status && r.get("waiver").is_none())
            .filter(at_least_high)
            .count()
    };
    let attr = |name: &str| root.attribute(name).unwrap().parse::<usize>().unwrap();
    assert_eq!(attr("tests"), results(&report).len());
    assert_eq!(attr("failures"), counted("FAIL"));
    assert_eq!(attr("errors"), counted("UNKNOWN"));
    let not_pass = results(&report).iter().filter(|r| r["status"] != "PASS").count();
    assert_eq!(attr("skipped"), not_pass - counted("FAIL") - counted("UNKNOWN"));
    let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(cases.len(), results(&report).len());
    // The waived failure is skipped with its reason, escaped and read back intact.
    let waived = cases.iter().find(|c| c.attribute("name") == Some("arn:aws:s3:::acme-legacy-uploads")).unwrap();
    let skipped = waived.children().find(|n| n.has_tag_name("skipped")).expect("skipped");
    assert_eq!(skipped.attribute("message"), Some("FAIL waived until 2999-12-31: MIG-7 <&> \"quoted\""));
    // Every suite's counts add up to its cases.
    for suite in doc.descendants().filter(|n| n.has_tag_name("testsuite")) {
        let n = suite.children().filter(|c| c.has_tag_name("testcase")).count();
        assert_eq!(suite.attribute("tests").unwrap().parse::<usize>().unwrap(), n);
    }
}

#[test]
fn csv_has_a_row_per_result_in_report_order() {
    let (report, text, _) = both("csv", &[]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, atrest::report::csv::HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), results(&report).len());
    for (row, r) in rows.iter().zip(results(&report)) {
        assert_eq!(&row[0], r["rule_id"].as_str().unwrap());
        assert_eq!(&row[3], r["status"].as_str().unwrap());
        assert_eq!(&row[6], r["resource"]["id"].as_str().unwrap());
        assert_eq!(&row[11], r["message"].as_str().unwrap());
        assert_eq!(&row[16], r["waiver"]["reason"].as_str().unwrap_or(""));
    }
}

#[test]
fn markdown_lists_failing_results_and_all_with_show_pass() {
    // The rows of the Results section (the counts table above it also starts with `| PASS`).
    let section = |md: &str| -> String {
        let start = md.find("### Results").unwrap();
        let end = md[start + 1..].find("###").map_or(md.len(), |i| start + 1 + i);
        md[start..end].to_owned()
    };
    let table_rows = |md: &str| {
        let statuses = ["| FAIL", "| UNKNOWN", "| PASS", "| NOT_VERIFIABLE"];
        section(md).lines().filter(|l| statuses.iter().any(|s| l.starts_with(s))).count()
    };
    let (report, md, _) = both("markdown", &[]);
    let failing = results(&report).iter().filter(|r| r["status"] == "FAIL" || r["status"] == "UNKNOWN").count();
    assert_eq!(table_rows(&md), failing);
    assert!(md.contains("| FAIL (waived) |"));
    assert!(md.starts_with("## atrest audit: exit 1\n"));
    let (report, md, _) = both("markdown", &["--show-pass"]);
    assert_eq!(table_rows(&md), results(&report).len());
    // Every results row has its five cells: no message broke out of its cell.
    for line in section(&md).lines().filter(|l| l.starts_with("| FAIL") || l.starts_with("| PASS")) {
        let cells = line.replace("\\|", "").matches('|').count() - 1;
        assert_eq!(cells, 5, "{line}");
    }
}

#[test]
fn html_is_well_formed_and_has_a_row_per_result() {
    let (report, html, _) = both("html", &[]);
    let doc = roxmltree::Document::parse_with_options(
        &html,
        roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
    )
    .expect("well-formed markup");
    let rows: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("tr") && n.attribute("class").is_some()).collect();
    let controls = report["controls"].as_array().unwrap().len();
    assert_eq!(rows.len(), results(&report).len() + controls);
    let text: String = doc.descendants().filter(|n| n.is_text()).map(|n| n.text().unwrap()).collect();
    assert!(text.contains("waived until 2999-12-31: MIG-7 <&> \"quoted\""));
    assert!(!html.contains("<script"), "no scripts in the page");
}

#[test]
fn lint_and_the_config_file_take_the_new_formats() {
    let dir = tempdir();
    std::fs::write(dir.join("atrest.toml"), "format = \"junit\"\n").unwrap();
    let policies = root().join("fixtures/lint");
    let o = atrest_in(&dir, &["lint", policies.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let xml = String::from_utf8(o.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    // Lint results are named by file, line and column.
    let named = doc.descendants().filter(|n| n.has_tag_name("testcase")).filter_map(|n| n.attribute("name"));
    assert!(named.clone().any(|n| n.contains("misspelt-actions.json:")), "{xml}");
    std::fs::write(dir.join("atrest.toml"), "format = \"pdf\"\n").unwrap();
    let o = atrest_in(&dir, &["lint", policies.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("atrest.toml:1:") && e.contains("junit, csv, html, markdown"), "{e}");
}

#[test]
fn reads_that_failed_are_listed_in_the_table_sarif_junit_and_markdown() {
    let (report, table, _) = both("table", &[]);
    let errors = report["errors"].as_array().unwrap();
    assert!(!errors.is_empty(), "the demo has failed reads");
    assert!(table.contains(&format!("READS THAT FAILED ({})", errors.len())), "{table}");
    let summary = table.lines().last().unwrap();
    assert!(summary.contains(&format!(", {} reads failed;", errors.len())), "{summary}");
    // Every failed read's call and resource, even those no rule turned into UNKNOWN.
    let section = table.split("READS THAT FAILED").nth(1).unwrap();
    for e in errors {
        let call = format!("{} {}", e["service"].as_str().unwrap(), e["operation"].as_str().unwrap());
        assert!(section.contains(&call), "{call} missing from {section}");
    }

    let (_, sarif, _) = both("sarif", &[]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), errors.len());
    assert!(notes.iter().all(|n| n["level"] == "warning" && n["message"]["text"].as_str().unwrap().contains("failed")));

    let (_, xml, _) = both("junit", &[]);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suite =
        doc.descendants().find(|n| n.attribute("name") == Some("reads that failed")).expect("a suite for reads");
    let text = suite.descendants().find(|n| n.has_tag_name("system-err")).unwrap().text().unwrap();
    assert_eq!(text.lines().count(), errors.len(), "{text}");

    let (_, md, _) = both("markdown", &[]);
    assert!(md.contains(&format!("### Reads that failed ({})", errors.len())), "{md}");
}

#[test]
fn tables_fit_the_terminal_width_without_trailing_spaces() {
    let demo = root().join(DEMO);
    for columns in [80usize, 200] {
        for args in [vec!["audit", demo.to_str().unwrap(), "--show-pass"], vec!["rules"]] {
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_atrest"))
                .args(&args)
                .env("COLUMNS", columns.to_string())
                .output()
                .unwrap();
            let text = String::from_utf8(o.stdout).unwrap();
            assert!(text.lines().count() > 30, "{args:?}: {text}");
            for line in text.lines() {
                assert!(line.chars().count() <= columns, "{args:?} at {columns}: {line:?}");
                assert!(!line.ends_with(' '), "{args:?} at {columns}: trailing space in {line:?}");
            }
            // Wide enough, a rule's title stays on one line; at 80 the table wraps instead of cutting.
            let wide = text.lines().any(|l| l.contains("Output key lets the role perform the five key actions"));
            if args[0] == "rules" {
                assert_eq!(wide, columns == 200, "{args:?} at {columns}");
            }
            if columns == 200 {
                assert!(text.lines().any(|l| l.chars().count() > 150), "{args:?}: the table does not use the width");
            }
        }
    }
}
