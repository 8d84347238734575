//! Reading snapshots strictly: an unknown version or malformed content is an error with its position.

use std::path::Path;

use serde::Deserialize;

use super::{Inventory, SNAPSHOT_VERSION};

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid { path: String, line: usize, column: usize, message: String },
}

/// Reads a snapshot file as a stream: the text of a large snapshot is never held next to its inventory
/// (twice the memory). A snapshot that fails to load is read again as text, for the same error message
/// as `parse_snapshot` gives.
pub fn load_snapshot(path: &Path) -> Result<Inventory, SnapshotError> {
    let name = path.display().to_string();
    let read_error = |source| SnapshotError::Read { path: name.clone(), source };
    let mut first = std::io::BufReader::with_capacity(1 << 20, crate::input::open(path).map_err(read_error)?);
    let starts_with_brace = loop {
        let buf = std::io::BufRead::fill_buf(&mut first).map_err(read_error)?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(at) => break buf[at] == b'{',
            None if buf.is_empty() => break false,
            None => {
                let n = buf.len();
                std::io::BufRead::consume(&mut first, n);
            }
        }
    };
    // One pass; the version is checked after (a snapshot of another version that happens to parse is
    // still refused, below, with parse_snapshot's words).
    if starts_with_brace {
        match serde_json::from_reader::<_, Inventory>(first) {
            Ok(inventory) if inventory.snapshot_version == SNAPSHOT_VERSION && names_are_valid(&inventory).is_ok() => {
                return Ok(inventory);
            }
            _ => {}
        }
    }
    let text = crate::input::read_to_string(path).map_err(read_error)?;
    parse_snapshot(&name, &text)
}

#[derive(Deserialize)]
struct VersionProbe {
    snapshot_version: Option<serde_json::Value>,
}

/// Parses snapshot text; `path` names it in errors.
pub fn parse_snapshot(path: &str, text: &str) -> Result<Inventory, SnapshotError> {
    let invalid = |e: serde_json::Error, hint: &str| SnapshotError::Invalid {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: format!("{e}{hint}"),
    };
    // serde reads a struct from an array too (by position): a snapshot is an object, said before anything.
    let first = text.trim_start().chars().next();
    if first != Some('{') {
        let (line, column) = text
            .lines()
            .enumerate()
            .find_map(|(i, l)| l.find(|c: char| !c.is_whitespace()).map(|c| (i + 1, c + 1)))
            .unwrap_or((1, 1));
        let found = first.map_or("nothing".to_string(), |c| format!("`{}`", c.escape_debug()));
        return Err(SnapshotError::Invalid {
            path: path.to_owned(),
            line,
            column,
            message: format!("a snapshot is a JSON object written by `atrest collect`; this file starts with {found}"),
        });
    }
    // Check the version first, so an old or future snapshot says so instead of failing on a field.
    let probe: VersionProbe = serde_json::from_str(text)
        .map_err(|e| invalid(e, "; a snapshot is a JSON object written by `atrest collect`"))?;
    match probe.snapshot_version {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(SNAPSHOT_VERSION)) => {}
        Some(other) => {
            let (line, column) = locate(text, "\"snapshot_version\"");
            return Err(SnapshotError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message: format!(
                    "unknown snapshot_version {}: this atrest reads version {SNAPSHOT_VERSION}; collect the snapshot again with this version",
                    excerpt(&other.to_string(), 60)
                ),
            });
        }
        None => {
            return Err(SnapshotError::Invalid {
                path: path.to_owned(),
                line: 1,
                column: 1,
                message: format!(
                    "missing snapshot_version: is this a snapshot written by `atrest collect` (version {SNAPSHOT_VERSION})?"
                ),
            });
        }
    }
    let inventory: Inventory = serde_json::from_str(text).map_err(|e| invalid(e, " (see docs/snapshot.md)"))?;
    if let Err((what, value)) = names_are_valid(&inventory) {
        let (line, column) = locate(text, &serde_json::to_string(value).unwrap_or_default());
        return Err(SnapshotError::Invalid {
            path: path.to_owned(),
            line,
            column,
            message: format!(
                "{what} {} is not one AWS writes; a snapshot written by `atrest collect` holds only real ones",
                excerpt(&format!("{value:?}"), 60)
            ),
        });
    }
    Ok(inventory)
}

/// The names every report prints, as AWS forms them: a planted snapshot cannot put markup, control
/// characters or a forged table row where an account id, a region or a service name goes.
fn names_are_valid(inv: &Inventory) -> Result<(), (&'static str, &str)> {
    fn check<'a>(ok: bool, what: &'static str, value: &'a str) -> Result<(), (&'static str, &'a str)> {
        if ok { Ok(()) } else { Err((what, value)) }
    }
    let account = |a: &str| crate::vocab::aws::is_account_id(a);
    // us-east-1, us-gov-west-1, cn-northwest-1, ap-southeast-5, eu-central-2.
    let region = |r: &str| {
        let parts: Vec<&str> = r.split('-').collect();
        parts.len() >= 3
            && parts[0].len() == 2
            && parts[..parts.len() - 1].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
            && parts[parts.len() - 1].len() <= 2
            && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
    };
    for a in inv.accounts.iter().chain(inv.account_status.keys()) {
        check(account(a), "the account id", a)?;
    }
    for r in &inv.regions {
        check(region(r), "the region", r)?;
    }
    for (a, r) in inv
        .jobs
        .iter()
        .map(|j| (j.account.as_str(), j.region.as_str()))
        .chain(inv.keys.iter().map(|k| (k.account.as_str(), k.region.as_str())))
        .chain(inv.terminologies.iter().chain(&inv.parallel_data).map(|c| (c.account.as_str(), c.region.as_str())))
    {
        check(account(a), "the account id", a)?;
        check(region(r), "the region", r)?;
    }
    for b in &inv.buckets {
        if let Some(a) = &b.account {
            check(account(a), "the account id", a)?;
        }
        if let Some(r) = &b.region {
            check(region(r), "the region", r)?;
        }
    }
    for role in &inv.roles {
        check(account(&role.account), "the account id", &role.account)?;
    }
    for g in &inv.gaps {
        let (s, o) = (g.service.as_str(), g.operation.as_str());
        let service_ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        check(service_ok, "the service name", s)?;
        let operation_ok = !o.is_empty() && o.len() <= 128 && o.bytes().all(|b| b.is_ascii_alphanumeric());
        check(operation_ok, "the operation name", o)?;
    }
    Ok(())
}

/// At most `max` characters of `text`, marked when cut: an error message quotes input, never all of it.
fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}… ({} characters)", &text[..at], text.chars().count()),
        None => text.to_owned(),
    }
}

/// The 1-based line and column where `needle` first occurs, or 1:1.
fn locate(text: &str, needle: &str) -> (usize, usize) {
    match text.find(needle) {
        Some(at) => {
            let before = &text[..at];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, column)
        }
        None => (1, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_load_equals_a_parse_of_the_text_and_errors_alike() {
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/snapshot.json");
        let text = std::fs::read_to_string(&demo).unwrap();
        assert_eq!(load_snapshot(&demo).unwrap(), parse_snapshot(&demo.display().to_string(), &text).unwrap());
        let dir = tempfile::tempdir().unwrap();
        for bad in ["  [1, 2]", "{\"snapshot_version\": 2}", "{\"snapshot_version\": 1, \"jobz\": []}", ""] {
            let file = dir.path().join("s.json");
            std::fs::write(&file, bad).unwrap();
            let streamed = load_snapshot(&file).unwrap_err().to_string();
            let parsed = parse_snapshot(&file.display().to_string(), bad).unwrap_err().to_string();
            assert_eq!(streamed, parsed, "{bad:?}");
        }
    }

    #[test]
    fn minimal_snapshot_loads() {
        let inv = parse_snapshot("s.json", r#"{"snapshot_version": 1}"#).unwrap();
        assert!(inv.jobs.is_empty());
    }

    #[test]
    fn errors_name_line_and_column() {
        let cases = [
            ("not json", 1, 1, "a snapshot is a JSON object written by `atrest collect`; this file starts with `n`"),
            ("{\"snapshot_version\": 1,", 1, 23, "EOF"),
            ("{\n  \"snapshot_version\": 2\n}", 2, 3, "unknown snapshot_version 2"),
            ("{\"jobs\": []}", 1, 1, "missing snapshot_version"),
            ("{\n\"snapshot_version\": 1,\n\"jobz\": []}", 3, 6, "unknown field `jobz`"),
            ("{\"snapshot_version\": 1, \"jobs\": [{\"job_id\": \"j\"}]}", 1, 48, "missing field `account`"),
        ];
        for (text, line, column, needle) in cases {
            let SnapshotError::Invalid { line: l, column: c, message, .. } =
                parse_snapshot("s.json", text).unwrap_err()
            else {
                panic!()
            };
            assert_eq!((l, c), (line, column), "{text}: {message}");
            assert!(message.contains(needle), "{text}: {message}");
        }
    }
}
