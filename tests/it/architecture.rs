//! The module graph of src/ has no cycle, at any level: checked over the `crate::` and `super::` paths
//! every file names (test modules left out), so a type living in the wrong place fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::root;

/// Module path (`rules/world`) → source text without its test module.
fn modules() -> BTreeMap<Vec<String>, String> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<Vec<String>, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                walk(&path, &[prefix, &[name]].concat(), out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let module = match name.as_str() {
                    "mod" | "lib" | "main" => prefix.to_vec(),
                    _ => [prefix, &[name]].concat(),
                };
                let text = std::fs::read_to_string(&path).unwrap();
                let text = text.split("#[cfg(test)]").next().unwrap().to_owned();
                out.entry(module).or_default().push_str(&text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&root().join("src"), &[], &mut out);
    out
}

/// The paths a text names after `crate::` or `super::` (several `super::` and one level of `{…}` groups).
fn named_paths(module: &[String], text: &str) -> Vec<Vec<String>> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut out = Vec::new();
    for (i, _) in text.match_indices("::") {
        let before = &text[..i];
        let head: String = before.chars().rev().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let head: String = head.chars().rev().collect();
        let preceded = before[..before.len() - head.len()].chars().last();
        if preceded == Some(':') || !(head == "crate" || head == "super") {
            continue;
        }
        let mut base: Vec<String> =
            if head == "crate" { Vec::new() } else { module[..module.len().saturating_sub(1)].to_vec() };
        let mut rest = &text[i + 2..];
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        let mut path = base.clone();
        loop {
            let seg = ident(rest);
            if seg.is_empty() {
                break;
            }
            path.push(seg.clone());
            rest = &rest[seg.len()..];
            match rest.strip_prefix("::") {
                Some(r) => rest = r,
                None => break,
            }
        }
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let seg = ident(item.trim());
                if !seg.is_empty() {
                    out.push([path.clone(), vec![seg]].concat());
                }
            }
        }
        out.push(path);
    }
    out
}

#[test]
fn no_module_depends_on_a_sibling_that_depends_back() {
    let modules = modules();
    let known: BTreeSet<&Vec<String>> = modules.keys().collect();
    // Per parent: edges between its children.
    let mut graphs: BTreeMap<Vec<String>, BTreeSet<(String, String)>> = BTreeMap::new();
    for (module, text) in &modules {
        for path in named_paths(module, text) {
            // The longest prefix that is a module.
            let target = (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| known.contains(p));
            let Some(target) = target else { continue };
            let common = module.iter().zip(&target).take_while(|(a, b)| a == b).count();
            // An ancestor or a descendant is not a sibling.
            if common == module.len() || common == target.len() {
                continue;
            }
            graphs
                .entry(module[..common].to_vec())
                .or_default()
                .insert((module[common].clone(), target[common].clone()));
        }
    }
    assert!(graphs.get(&Vec::new()).is_some_and(|g| g.len() > 20), "the top-level graph was not read: {graphs:?}");
    for (parent, edges) in &graphs {
        // Kahn's algorithm: whatever cannot be ordered is on a cycle.
        let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
        let mut remaining = edges.clone();
        let mut left: BTreeSet<&String> = nodes.clone();
        // Peel off modules nothing left points at, then modules that point at nothing left: what stays
        // is on a cycle.
        loop {
            let free: Vec<&String> = left
                .iter()
                .copied()
                .filter(|n| !remaining.iter().any(|(_, b)| b == *n) || !remaining.iter().any(|(a, _)| a == *n))
                .collect();
            if free.is_empty() {
                break;
            }
            for n in free {
                left.remove(n);
                remaining.retain(|(a, b)| a != n && b != n);
            }
        }
        assert!(left.is_empty(), "module cycle among the children of crate::{}: {:?}", parent.join("::"), remaining);
    }
}

#[test]
fn the_vocabulary_depends_on_nothing_of_ours() {
    for (module, text) in modules() {
        if module.first().map(String::as_str) == Some("vocab") {
            let outside: Vec<Vec<String>> =
                named_paths(&module, &text).into_iter().filter(|p| p.first().is_some_and(|m| m != "vocab")).collect();
            assert!(outside.is_empty(), "crate::{} names {outside:?}", module.join("::"));
        }
    }
}

/// The non-test source of every module outside `vocab`, with its path.
fn sources_outside_vocab() -> Vec<(String, String)> {
    modules()
        .into_iter()
        .filter(|(m, _)| m.first().map(String::as_str) != Some("vocab"))
        .map(|(m, t)| (m.join("::"), t))
        .collect()
}

/// Where modules outside `vocab` spell out one of `forbidden`, as `crate::MODULE: TEXT`.
fn spelt_outside_vocab(forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (module, text) in sources_outside_vocab() {
        for f in forbidden {
            if text.contains(f) {
                found.push(format!("crate::{module}: {f}"));
            }
        }
    }
    found
}

#[test]
fn gaps_are_recorded_and_looked_up_by_typed_names() {
    // A gap's service and operation are vocab::Service and vocab::Operation: a string where one is
    // expected does not compile. What could still slip a name past the compiler is spelling one out.
    let forbidden = ["Operation::Other(", "Service::Other(", "operation.as_str() ==", "service.as_str() ==", ".gap(\""];
    let found = spelt_outside_vocab(&forbidden);
    assert!(found.is_empty(), "string-typed gap names: {found:?}");
    // The check reads what it should: the collectors do record gaps.
    assert!(
        sources_outside_vocab().iter().any(|(m, t)| m == "collect::s3" && t.contains("Operation::GetBucketPolicy"))
    );
}

#[test]
fn arns_are_split_only_in_the_vocabulary() {
    // vocab::aws::Arn (and arn_segments for IAM resource patterns) is the one reading of an ARN's parts;
    // a second one elsewhere is where two readings of one ARN start to differ.
    let forbidden = ["splitn(6, ':')", "splitn(5, ':')", "split(':').nth(", "strip_prefix(\"arn:", "rsplit(':')"];
    let found = spelt_outside_vocab(&forbidden);
    assert!(found.is_empty(), "ARNs split outside vocab::aws: {found:?}");
    // The check reads what it should: vocab does split them, and others use it.
    let vocab = std::fs::read_to_string(root().join("src/vocab/aws.rs")).unwrap();
    assert!(vocab.contains("splitn(5, ':')") && vocab.contains("pub struct Arn<'a>"));
    assert!(sources_outside_vocab().iter().any(|(m, t)| m == "policy::request" && t.contains("Arn::parse(")));
}
