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

/// Every element of the parsed page matching `tag` whose attribute `attr` is set.
fn tagged<'a>(dom: &'a tl::VDom<'a>, tag: &str, attr: &str) -> Vec<&'a tl::HTMLTag<'a>> {
    dom.nodes()
        .iter()
        .filter_map(|n| n.as_tag())
        .filter(|t| t.name().as_utf8_str() == tag && t.attributes().get(attr).is_some())
        .collect()
}

fn attr(tag: &tl::HTMLTag, name: &str) -> String {
    tag.attributes().get(name).flatten().map(|v| v.as_utf8_str().into_owned()).unwrap_or_default()
}

#[test]
fn html_puts_failures_first_grouped_by_control_with_every_result() {
    let (report, html, _) = both("html", &["--show-pass"]);
    let dom = tl::parse(&html, tl::ParserOptions::default()).expect("an HTML page");
    // Every result is a row, whatever its status.
    let rows = tagged(&dom, "tr", "data-result");
    assert_eq!(rows.len(), results(&report).len());
    // Failures come first: the failures section precedes the others, and holds no PASS.
    let at = |id: &str| html.find(&format!("<section id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    assert!(at("failures") < at("waived") && at("waived") < at("passing") && at("passing") < at("errors"));
    let failures = &html[at("failures")..at("waived")];
    assert!(!failures.contains("class=\"PASS\""), "a PASS row among the failures");
    let failing = results(&report)
        .iter()
        .filter(|r| (r["status"] == "FAIL" || r["status"] == "UNKNOWN") && r.get("waiver").is_none());
    assert_eq!(failures.matches("data-result=").count(), failing.clone().count());
    // Grouped by control, each headed by the control's title, in control order.
    let mut controls: Vec<&str> = failing.map(|r| r["control"].as_str().unwrap()).collect();
    controls.sort_by_key(|c| c[1..].parse::<u32>().unwrap());
    controls.dedup();
    let mut last = 0;
    for c in controls {
        let title = atrest::rules::control_title(c);
        let heading = format!("<h3 id=\"control-{c}\">{c}: {}", title.replace('\'', "&#39;"));
        let heading =
            if failures.contains(&heading) { heading } else { format!("<h3 id=\"control-{c}\">{c}: {title}") };
        let pos = failures.find(&heading).unwrap_or_else(|| panic!("no heading {heading}"));
        assert!(pos > last, "{c} out of order");
        last = pos;
    }
    // Every rule link lands on the rule's entry in the page.
    for a in tagged(&dom, "a", "href") {
        let href = attr(a, "href");
        if let Some(id) = href.strip_prefix('#') {
            assert!(html.contains(&format!("id=\"{id}\"")), "a link to #{id}, which is not in the page");
        }
    }
    // Two charts, drawn inline; no scripts, nothing fetched.
    assert_eq!(html.matches("<svg").count(), 2);
    assert!(!html.contains("<script") && !html.contains("src=\"http"));
    assert!(html.contains("@media print"));
    // The waiver's reason is escaped and shown.
    assert!(html.contains("MIG-7 &lt;&amp;&gt; &quot;quoted&quot;"), "the waiver's reason");
}

/// The demo audited against a baseline that lacks one of its failures and has one it no longer has.
fn with_baseline(format: &str) -> (Value, String) {
    let dir = tempdir();
    let demo = root().join(DEMO);
    let o = atrest_in(&dir, &["audit", demo.to_str().unwrap(), "--format", "json"]);
    let mut baseline: Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = baseline["results"].as_array_mut().unwrap();
    let first_fail = list.iter().position(|r| r["status"] == "FAIL").unwrap();
    list.remove(first_fail);
    let mut gone = list.iter().find(|r| r["status"] == "FAIL").unwrap().clone();
    gone["resource"]["id"] = Value::from("arn:aws:s3:::a-bucket-deleted-since");
    list.push(gone);
    std::fs::write(dir.join("baseline.json"), serde_json::to_vec(&baseline).unwrap()).unwrap();
    let args = ["audit", demo.to_str().unwrap(), "--baseline", "baseline.json", "--format"];
    let json: Value = serde_json::from_slice(&atrest_in(&dir, &[&args[..], &["json"]].concat()).stdout).unwrap();
    let out = atrest_in(&dir, &[&args[..], &[format]].concat());
    (json, String::from_utf8(out.stdout).unwrap())
}

#[test]
fn baselines_show_in_every_format() {
    let (report, table) = with_baseline("table");
    let b = &report["summary"]["baseline"];
    let count = |mark: &str| results(&report).iter().filter(|r| r["baseline"] == mark).count() as u64;
    assert_eq!(b["new"].as_u64(), Some(count("new")));
    assert_eq!(b["new"].as_u64(), Some(1), "the one failure missing from the baseline is new");
    assert_eq!(b["existing"].as_u64(), Some(count("existing")));
    assert_eq!(b["resolved"].as_u64(), Some(1));
    let phrase = format!("{} new, {} existing, 1 resolved", count("new"), count("existing"));
    assert!(table.lines().last().unwrap().contains(&phrase), "{table}");
    assert!(table.contains("RESOLVED SINCE THE BASELINE (1)") && table.contains("a-bucket-deleted-since"));

    let (_, md) = with_baseline("markdown");
    assert!(md.contains("### Resolved since the baseline (1)") && md.contains("a-bucket-deleted-since"), "{md}");
    assert!(md.contains("| new | existing | resolved |"), "{md}");

    let (_, html) = with_baseline("html");
    assert!(html.contains("<section id=\"resolved\"") && html.contains("data-resolved="), "no resolved section");

    let (_, sarif) = with_baseline("sarif");
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let states: Vec<&str> =
        sarif["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["baselineState"].as_str().unwrap()).collect();
    assert_eq!(states.iter().filter(|s| **s == "new").count() as u64, count("new"));
    assert_eq!(states.iter().filter(|s| **s == "unchanged").count() as u64, count("existing"));
    assert_eq!(states.iter().filter(|s| **s == "absent").count(), 1);

    let (_, ocsf) = with_baseline("ocsf");
    let events: Vec<Value> = serde_json::from_str(&ocsf).unwrap();
    assert_eq!(events.len(), results(&report).len() + 1);
    assert_eq!(
        events.iter().filter(|e| e["status"] == "Resolved" && e["compliance"]["status"] == "Resolved").count(),
        1
    );
}

#[test]
fn sarif_of_an_audit_names_resources_as_logical_locations() {
    let (report, sarif, _) = both("sarif", &[]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/it/sarif-2.1.0-rtm.5.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let out = sarif["runs"][0]["results"].as_array().unwrap();
    let failing = results(&report).iter().filter(|r| r["status"] == "FAIL" || r["status"] == "UNKNOWN").count();
    assert_eq!(out.len(), failing);
    for r in out {
        let location = &r["locations"][0];
        assert!(location.get("physicalLocation").is_none(), "a made-up file for {r}");
        let names = location["logicalLocations"].as_array().unwrap();
        assert!(names[0]["fullyQualifiedName"].as_str().unwrap().len() > 3, "{r}");
        assert_eq!(names[0]["kind"], "resource");
        assert!(r["partialFingerprints"]["atrest/v1"].as_str().unwrap().starts_with("atrest:"));
    }
    // A role-and-key result names both.
    assert!(out.iter().any(|r| r["locations"][0]["logicalLocations"].as_array().unwrap().len() == 2));
}

#[test]
fn ocsf_events_are_compliance_findings_that_validate_and_keep_their_uids() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/ocsf/compliance_finding-1.6.0.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the OCSF schema compiles");
    let (report, ocsf, _) = both("ocsf", &[]);
    let events: Vec<Value> = serde_json::from_str(&ocsf).expect("a JSON array");
    assert_eq!(events.len(), results(&report).len(), "one event per result");
    for e in &events {
        let errors: Vec<String> = validator.iter_errors(e).map(|x| format!("{x} at {}", x.instance_path)).collect();
        assert!(errors.is_empty(), "{errors:#?}\n{e}");
        assert_eq!((e["class_uid"].as_u64(), e["type_uid"].as_u64()), (Some(2003), Some(200301)));
        assert_eq!(e["metadata"]["version"], "1.6.0");
    }
    for (e, r) in events.iter().zip(results(&report)) {
        assert_eq!(e["compliance"]["control"], r["control"]);
        let status = match r["status"].as_str().unwrap() {
            "PASS" => "Pass",
            "FAIL" => "Fail",
            "UNKNOWN" => "Unknown",
            _ => "NOT_VERIFIABLE",
        };
        assert_eq!(e["compliance"]["status"], status);
        assert_eq!(e["resources"][0]["uid"], r["resource"]["id"]);
        let severity = r["severity"].as_str().unwrap();
        let expected = ["info", "low", "medium", "high", "critical"].iter().position(|s| *s == severity).unwrap() + 1;
        assert_eq!(e["severity_id"].as_u64(), Some(expected as u64));
        if r.get("waiver").is_some() {
            assert_eq!(e["status"], "Suppressed");
        }
    }
    // The uid names the result, not the run: unique within a run, the same in the next one.
    let uids: std::collections::BTreeSet<&str> =
        events.iter().map(|e| e["finding_info"]["uid"].as_str().unwrap()).collect();
    assert_eq!(uids.len(), events.len(), "two results share a uid");
    let (_, again, _) = both("ocsf", &[]);
    let again: Vec<Value> = serde_json::from_str(&again).unwrap();
    let uids_again: std::collections::BTreeSet<&str> =
        again.iter().map(|e| e["finding_info"]["uid"].as_str().unwrap()).collect();
    assert_eq!(uids, uids_again);
    // The validation can fail: an event without its class is not a Compliance Finding.
    let mut broken = events[0].clone();
    broken.as_object_mut().unwrap().remove("class_uid");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn control_titles_cover_the_controls_of_the_contract() {
    let controls = std::fs::read_to_string(root().join("docs/controls.md")).unwrap();
    let listed: Vec<&str> = controls
        .lines()
        .filter_map(|l| l.strip_prefix("| C"))
        .filter_map(|l| l.split_once(' ').map(|(n, _)| n))
        .filter(|n| n.parse::<u32>().is_ok())
        .collect();
    let ours: Vec<String> = atrest::rules::CONTROLS.iter().map(|(c, _)| c[1..].to_owned()).collect();
    assert_eq!(listed, ours, "docs/controls.md and rules::CONTROLS list different controls");
    for rule in atrest::rules::registry() {
        assert_ne!(
            atrest::rules::control_title(&rule.meta.control),
            rule.meta.control,
            "{} has no title",
            rule.meta.id
        );
    }
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

#[test]
fn characters_xml_forbids_and_bidi_overrides_in_data_keep_reports_well_formed_and_honest() {
    // A job input folder named by someone else: U+FFFE and U+FFFF (forbidden in XML 1.0) and a
    // right-to-left override (U+202E) that would show `docs/<RLO>txt.exe` as `docs/exe.txt`.
    let mut world: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("fixtures/demo/snapshot.json")).unwrap()).unwrap();
    let planted = "s3://acme-translate-input/in\u{fffe}\u{ffff}/docs/\u{202e}txt.exe/";
    world["jobs"][0]["input_data_config"]["s3_uri"] = Value::String(planted.into());
    let dir = tempdir();
    let snapshot = dir.join("planted.json");
    std::fs::write(&snapshot, serde_json::to_string(&world).unwrap()).unwrap();
    let run = |format: &str| {
        let o = atrest_in(root(), &["audit", snapshot.to_str().unwrap(), "--format", format, "--show-pass"]);
        assert!(o.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let xml = run("junit");
    roxmltree::Document::parse(&xml).expect("the JUnit report stays well-formed XML");
    assert!(!xml.contains('\u{fffe}') && !xml.contains('\u{ffff}'));
    assert!(xml.contains("acme-translate-input/in/docs/"), "the rest of the name is kept");
    // Human formats show the override as an escape instead of obeying it.
    let table = run("table");
    assert!(table.contains("\\u{202e}") && !table.contains('\u{202e}'), "the table obeys the override");
}

#[test]
fn planted_markup_and_controls_in_data_are_shown_never_rendered_or_obeyed() {
    // Names someone else chose: a job's S3 URI and a failed read's resource and message carry raw HTML, a
    // link, an image, a table row and terminal escapes.
    let mut world: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("fixtures/demo/snapshot.json")).unwrap()).unwrap();
    let planted = "s3://acme-translate-input/<img src=x onerror=alert(1)>/[click](https://evil.example)/\u{1b}[2J/";
    world["jobs"][0]["input_data_config"]["s3_uri"] = Value::String(planted.into());
    world["gaps"][0]["resource"] = Value::String("![tracker](https://evil.example/p.png)\u{1b}]0;owned\u{7}".into());
    world["gaps"][0]["message"] = Value::String("denied\n| forged | row | here | now |\n<b>bold</b>".into());
    let dir = tempdir();
    let snapshot = dir.join("planted.json");
    std::fs::write(&snapshot, serde_json::to_string(&world).unwrap()).unwrap();
    let run = |format: &str| {
        let o = atrest_in(root(), &["audit", snapshot.to_str().unwrap(), "--format", format, "--show-pass"]);
        assert!(o.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&o.stderr));
        (String::from_utf8(o.stdout).unwrap(), String::from_utf8(o.stderr).unwrap())
    };
    let (md, _) = run("markdown");
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let mut rows = 0;
    for event in Parser::new_ext(&md, Options::ENABLE_TABLES) {
        match event {
            // The one tag the writer itself puts in a cell: a line break.
            Event::Html(h) | Event::InlineHtml(h) if &*h == "<br>" => {}
            Event::Html(h) | Event::InlineHtml(h) => panic!("raw HTML from data: {h}"),
            Event::Start(Tag::Link { dest_url, .. }) => panic!("a link from data: {dest_url}"),
            Event::Start(Tag::Image { dest_url, .. }) => panic!("an image from data: {dest_url}"),
            Event::Start(Tag::TableRow) => rows += 1,
            _ => {}
        }
    }
    let json = atrest_in(root(), &["audit", snapshot.to_str().unwrap(), "--format", "json", "--show-pass"]);
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    // One row per result shown, control and error, and none forged by a message.
    let shown = report["results"].as_array().unwrap().len();
    let expected =
        1 + shown + report["controls"].as_array().unwrap().len() + report["errors"].as_array().unwrap().len();
    assert_eq!(rows, expected, "{md}");
    assert!(md.contains("\\u{1b}"), "the escape is shown: {md}");
    for format in ["markdown", "table", "csv"] {
        let (out, err) = run(format);
        for (what, text) in [("stdout", &out), ("stderr", &err)] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}'),
                "{format} {what} holds a raw control character"
            );
        }
    }
}

#[test]
fn a_snapshot_with_names_aws_never_writes_is_refused_naming_them() {
    let demo: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("fixtures/demo/snapshot.json")).unwrap()).unwrap();
    let dir = tempdir();
    for (field, value, says) in [
        ("accounts", serde_json::json!(["111122223333<img src=x>"]), "the account id"),
        ("regions", serde_json::json!(["us-east-1\n| forged |"]), "the region"),
    ] {
        let mut world = demo.clone();
        world[field] = value;
        let path = dir.join(format!("{field}.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&world).unwrap()).unwrap();
        let o = atrest_in(root(), &["audit", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{field}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("{}:", path.display())) && err.contains(says), "{field}: {err}");
        assert!(!err.contains('\n') || err.trim_end().lines().count() == 1, "{field}: one line: {err}");
    }
    let mut world = demo.clone();
    world["gaps"][0]["service"] = Value::String("s3\u{1b}[2J".into());
    let path = dir.join("service.json");
    std::fs::write(&path, serde_json::to_string_pretty(&world).unwrap()).unwrap();
    let o = atrest_in(root(), &["audit", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("the service name") && !err.contains('\u{1b}'), "{err}");

    // A map that names one key twice (serde would keep the last) is refused like a duplicate field.
    let mut world = demo.clone();
    world["roles"][0]["tags"] = serde_json::json!({"team": "l10n"});
    let text = serde_json::to_string(&world)
        .unwrap()
        .replace(r#""tags":{"team":"l10n"}"#, r#""tags":{"team":"l10n","team":"sec"}"#);
    let path = dir.join("duplicate.json");
    std::fs::write(&path, text).unwrap();
    let o = atrest_in(root(), &["audit", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("duplicate key \"team\""), "{err}");
}
