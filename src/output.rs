//! Where produced files go: `--output` written atomically, or stdout. Every command delivers through here.

use std::io::Write;
use std::path::Path;

/// Writing `--output` (or stdout) failed.
#[derive(Debug, thiserror::Error)]
#[error("--output {path}: {source}")]
pub struct OutputError {
    pub path: String,
    pub source: std::io::Error,
}

/// Sends what `write` produces to `output` (atomically) or to stdout. A reader of stdout that went away
/// (`| head`) is not an error worth a message.
pub fn deliver(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    match output {
        Some(path) => {
            write_atomically(path, write).map_err(|source| OutputError { path: path.display().to_string(), source })
        }
        None => {
            let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            match write(&mut stdout).and_then(|()| stdout.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(OutputError { path: "stdout".into(), source: e })
                }
                _ => Ok(()),
            }
        }
    }
}

/// Writes a file so that readers see the old content or the new, never a part: a temporary file in
/// the same directory, synced, then renamed over the target.
pub fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name =
        path.file_name().ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = (|| {
        let mut f = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&tmp)?);
        write(&mut f)?;
        let f = f.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The output's folder must exist before minutes of work are spent on a file that cannot be written.
pub fn writable_folder(path: &Path) -> Result<(), OutputError> {
    let folder = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if folder.is_dir() {
        return Ok(());
    }
    Err(OutputError {
        path: path.display().to_string(),
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the folder {} does not exist; create it or choose another path", folder.display()),
        ),
    })
}
