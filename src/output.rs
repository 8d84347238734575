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

/// Sends what `write` produces to `output`, or to stdout when there is none or it is `-`. A reader of
/// stdout that went away (`| head`) is not an error worth a message.
pub fn deliver(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    match output.filter(|p| p.as_os_str() != "-") {
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

/// Writes a file so that readers see the old content or the new, never a part.
///
/// A regular file is replaced: a temporary file with a random name, created exclusively in the same
/// folder (so no link planted there is followed), written, synced, given the old file's mode, then renamed
/// over it; on any error it is removed. A symbolic link is followed: the file it points at is replaced and
/// the link stays. Anything else that exists (`/dev/null`, `/dev/stdout`, a FIFO) is written through, never
/// replaced.
pub fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let target = resolve_links(path)?;
    match std::fs::metadata(&target) {
        Ok(m) if m.is_dir() => {
            return Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a folder: name a file"));
        }
        Ok(m) if !m.is_file() => {
            let file = std::fs::OpenOptions::new().write(true).open(&target)?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            write(&mut out)?;
            return out.flush();
        }
        _ => {}
    }
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name =
        target.file_name().ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"))?;
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // A new report gets the mode any new file gets (0666 less the umask), not tempfile's private 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir)?;
    {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    tmp.as_file().sync_all()?;
    if let Ok(old) = std::fs::metadata(&target) {
        tmp.as_file().set_permissions(old.permissions())?;
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// The file a path names once its symbolic links are followed; a dangling link names the file it would
/// point at.
fn resolve_links(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let next = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if next.is_relative() => dir.join(next),
                    _ => next,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
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
