//! Reading what users hand atrest (snapshots, baselines, config, policies, files to lint): regular files
//! or stdin, under a size limit, so that `/dev/zero` or a FIFO without a writer cannot exhaust memory or
//! hang a run.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The default limit of one input, in MiB (`--max-input-mb` changes it).
pub const DEFAULT_LIMIT_MB: u64 = 1024;

static LIMIT_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_LIMIT_MB * 1024 * 1024);

/// Sets the limit of one input for the rest of the run.
pub fn set_limit_mb(mb: u64) {
    LIMIT_BYTES.store(mb.saturating_mul(1024 * 1024), Ordering::Relaxed);
}

fn limit() -> u64 {
    LIMIT_BYTES.load(Ordering::Relaxed)
}

fn too_large() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("larger than the input limit of {} MiB (raise it with --max-input-mb)", limit() / (1024 * 1024)),
    )
}

/// A regular file's bytes, refused when it is something else (a FIFO, a device, a folder) or larger than
/// the limit.
pub fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    check(path)?;
    read_capped(std::fs::File::open(path)?)
}

/// A regular file opened for streaming under the same rules as `read`: a reader that fails once it has
/// given more than the limit (a file that grows while it is read is caught too).
pub fn open(path: &Path) -> std::io::Result<impl Read> {
    check(path)?;
    Ok(Capped { inner: std::fs::File::open(path)?, left: limit() })
}

struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(too_large)?;
        Ok(n)
    }
}

/// A regular file no larger than the limit.
fn check(path: &Path) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a folder" } else { "not a regular file (a FIFO, socket or device)" };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{what}: give a file, or - to read standard input where the command takes it"),
        ));
    }
    if meta.len() > limit() {
        return Err(too_large());
    }
    Ok(())
}

/// A regular file's text (see `read`).
pub fn read_to_string(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read(path)?).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()),
        )
    })
}

/// Standard input, under the limit.
pub fn read_stdin() -> std::io::Result<Vec<u8>> {
    read_capped(std::io::stdin().lock())
}

/// Reads to the end, one byte past the limit at most: a file that grew since it was measured is caught.
fn read_capped(source: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    source.take(limit() + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit() {
        return Err(too_large());
    }
    Ok(bytes)
}
