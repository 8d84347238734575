//! The JSON report (`--format json`): the stable fields of cli.md, one compact line, streamed.

use std::io::{self, Write};

use super::Report;

/// Writes the report as compact JSON and a newline. Compact because reports of large accounts run to
/// hundreds of megabytes; `jq .` pretty-prints one.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer(&mut *out, report).map_err(json_io_error)?;
    out.write_all(b"\n")
}

pub struct Json;

impl super::Render for Json {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write(report, out)
    }
}

pub fn render(report: &Report) -> String {
    let mut buf = Vec::new();
    write(report, &mut buf).expect("writing to memory succeeds");
    String::from_utf8(buf).expect("JSON is UTF-8")
}

/// Keeps the kind of an I/O failure (a closed pipe stays `BrokenPipe`) when serde_json reports it.
pub(crate) fn json_io_error(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::new(kind, e),
        None => io::Error::other(e),
    }
}
