//! The rule catalogue: cases from rules/*.toml, consistency with controls.md and the reference pages,
//! and the generated docs/rules pages.

use std::collections::BTreeSet;

use atrest::engine::{self, EngineSettings};
use atrest::inventory::load_snapshot;
use atrest::lint::SourceFile;
use atrest::rules::{World, registry};

use crate::root;

/// The results of one rule case: audit rules run on a snapshot, lint rules on a file.
fn case_results(rule: &atrest::rules::Rule, case: &atrest::rules::RuleCase) -> Vec<atrest::vocab::ResultRow> {
    let settings = EngineSettings { ruleset: case.ruleset, ..Default::default() };
    match (&case.snapshot, &case.file) {
        (Some(snapshot), None) => {
            let inventory = load_snapshot(&root().join(snapshot)).unwrap();
            engine::audit(&World::new(&inventory), &settings).results
        }
        (None, Some(file)) => {
            let text = std::fs::read_to_string(root().join(file)).unwrap();
            let files = [SourceFile { path: file.clone(), text }];
            let rules = atrest::lint::lint_rules(&Default::default());
            let outcome = atrest::lint::lint(&files, &rules, &settings);
            assert!(outcome.gaps.is_empty(), "{}: {file} was not linted: {:?}", rule.meta.id, outcome.gaps);
            outcome.results
        }
        _ => panic!("{}: a case names a snapshot or a file, not both", rule.meta.id),
    }
}

#[test]
fn every_rule_case_passes() {
    let mut checked = 0;
    for rule in registry() {
        assert!(!rule.meta.cases.is_empty(), "{} has no test cases in its TOML", rule.meta.id);
        for case in &rule.meta.cases {
            let results = case_results(rule, case);
            let mine: Vec<_> = results.iter().filter(|r| r.rule_id == rule.meta.id).collect();
            for e in &case.expect {
                let found: Vec<_> = mine
                    .iter()
                    .filter(|r| r.resource.id == e.resource && (e.principal.is_none() || r.principal == e.principal))
                    .filter(|r| match (e.line, &r.location) {
                        (Some(line), Some(l)) => l.line == line && e.column.is_none_or(|c| c == l.column),
                        (Some(_), None) => false,
                        (None, _) => true,
                    })
                    .collect();
                assert_eq!(
                    found.len(),
                    1,
                    "{}: expected one result for {} ({:?}) at {:?}:{:?}, found {}: {:#?}",
                    rule.meta.id,
                    e.resource,
                    e.principal,
                    e.line,
                    e.column,
                    found.len(),
                    mine.iter().map(|r| (&r.resource.id, r.status, &r.location, &r.message)).collect::<Vec<_>>()
                );
                assert_eq!(
                    found[0].status, e.status,
                    "{} on {} ({:?}): {}",
                    rule.meta.id, e.resource, e.principal, found[0].message
                );
                if let Some(words) = &e.message_contains {
                    assert!(found[0].message.contains(words.as_str()), "{}: {}", rule.meta.id, found[0].message);
                }
                checked += 1;
            }
            // A case lists every result of its rule on its snapshot or file: an extra row, right or wrong,
            // fails the case.
            assert_eq!(
                mine.len(),
                case.expect.len(),
                "{}: results not in its case {:#?}",
                rule.meta.id,
                mine.iter()
                    .map(|r| (&r.resource.id, &r.principal, r.status, &r.location, &r.message))
                    .collect::<Vec<_>>()
            );
        }
    }
    assert!(checked >= 80, "only {checked} expectations");
}

#[test]
fn rule_files_and_code_name_the_same_rules() {
    let files: BTreeSet<String> = std::fs::read_dir(root().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".toml").to_string())
        .collect();
    let code: BTreeSet<String> = registry().iter().map(|r| format!("{}-{}", r.meta.id, r.meta.slug)).collect();
    assert_eq!(files, code, "rules/*.toml and the registry in src/rules/mod.rs differ");
}

/// The rules table of controls.md: (id, slug, severity, control-of-rule from the controls table).
fn controls_md_rules() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(root().join("docs/controls.md")).expect("docs/controls.md");
    text.lines()
        .filter(|l| l.starts_with("| AR"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].to_string(), cells[2].to_string(), cells[3].to_string())
        })
        .collect()
}

#[test]
fn ids_slugs_and_severities_match_controls_md() {
    let spec = controls_md_rules();
    assert!(spec.len() >= 30, "controls.md lists {} rules", spec.len());
    let code: Vec<_> = registry()
        .iter()
        .map(|r| (r.meta.id.clone(), r.meta.slug.clone(), r.meta.severity.as_str().to_string()))
        .collect();
    assert_eq!(code, spec);
}

#[test]
fn controls_match_controls_md() {
    let text = std::fs::read_to_string(root().join("docs/controls.md")).unwrap();
    for rule in registry() {
        let row = text
            .lines()
            .find(|l| l.starts_with(&format!("| {} |", rule.meta.control)))
            .unwrap_or_else(|| panic!("no control {} in controls.md", rule.meta.control));
        let id = &rule.meta.id;
        let n: u32 = id[2..].parse().unwrap();
        // Ranges are written AR801–AR807.
        let row = row.replace("–AR", "–");
        let listed = row.contains(id.as_str())
            || row.split("AR").skip(1).any(|s| {
                s.starts_with(|c: char| c.is_ascii_digit()) && s.contains('–') && {
                    let (a, b) = s.split_once('–').unwrap();
                    let a: u32 = a.trim().parse().unwrap_or(0);
                    let b: u32 = b
                        .trim_start_matches("AR")
                        .split(|c: char| !c.is_ascii_digit())
                        .next()
                        .unwrap()
                        .parse()
                        .unwrap_or(0);
                    (a..=b).contains(&n)
                }
            });
        assert!(listed, "controls.md does not list {id} under {}", rule.meta.control);
    }
}

/// Reference pages escape markdown punctuation (`SSE\-S3`) and emphasise terms (`*customer managed
/// key*`); quotes are compared as plain text.
fn unescape(s: &str) -> String {
    s.replace(['\\', '*'], "")
}

#[test]
fn every_source_quote_is_on_its_page() {
    for rule in registry() {
        let s = &rule.meta.source;
        let page = std::fs::read_to_string(root().join("docs").join(&s.page))
            .unwrap_or_else(|e| panic!("{}: source page {}: {e}", rule.meta.id, s.page));
        let page = unescape(&page);
        assert!(page.contains(&unescape(&s.quote)), "{}: quote not found in {}: {}", rule.meta.id, s.page, s.quote);
        assert!(page.contains(&s.section), "{}: section \"{}\" not found in {}", rule.meta.id, s.section, s.page);
    }
}

#[test]
fn docs_rules_pages_are_fresh() {
    let dir = root().join("docs/rules");
    let update = std::env::var_os("ATREST_UPDATE_DOCS").is_some();
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut stale = Vec::new();
    for rule in registry() {
        let path = dir.join(format!("{}.md", rule.meta.id));
        let want = atrest::commands::rules::markdown(rule);
        if update {
            std::fs::write(&path, &want).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    let pages: BTreeSet<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let expected: BTreeSet<String> = registry().iter().map(|r| format!("{}.md", r.meta.id)).collect();
    assert_eq!(pages, expected, "docs/rules has pages for rules that do not exist");
    assert!(stale.is_empty(), "stale docs (run `ATREST_UPDATE_DOCS=1 cargo test --test it docs_rules`): {stale:?}");
}

#[test]
fn every_relative_link_in_the_readme_and_docs_resolves_inside_the_repository() {
    fn markdown_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                markdown_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    let mut files = vec![root().join("README.md")];
    markdown_files(&root().join("docs"), &mut files);
    let repo = root().canonicalize().unwrap();
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = rest[..end].split_whitespace().next().unwrap_or("");
            if target.is_empty() || target.starts_with('#') || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let path = target.split('#').next().unwrap();
            let resolved = file.parent().unwrap().join(path);
            checked += 1;
            match resolved.canonicalize() {
                Ok(p) if p.starts_with(&repo) => {}
                _ => broken.push(format!("{}: {target}", file.strip_prefix(root()).unwrap().display())),
            }
        }
    }
    assert!(checked > 40, "only {checked} relative links were found");
    assert!(broken.is_empty(), "links that do not resolve inside the repository: {broken:#?}");
}
