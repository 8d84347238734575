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

/// Reads a snapshot file.
pub fn load_snapshot(path: &Path) -> Result<Inventory, SnapshotError> {
    let text = crate::input::read_to_string(path)
        .map_err(|source| SnapshotError::Read { path: path.display().to_string(), source })?;
    parse_snapshot(&path.display().to_string(), &text)
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
    serde_json::from_str(text).map_err(|e| invalid(e, " (see docs/snapshot.md)"))
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
