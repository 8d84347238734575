//! S3 Inventory reports: the encryption status of every object under the wanted prefixes, read from a
//! manifest's CSV (gzip) or Parquet files as streams, files in parallel, without the AWS SDK (the collector
//! fetches the files; `--inventory PATH` reads them where they lie).

pub mod manifest;
mod read;
pub mod tally;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use manifest::{Format, Manifest, ManifestFile};
pub use tally::{Limits, PrefixSet, Status, Tally};

/// What an inventory says about the wanted prefixes.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// One per prefix of the `PrefixSet`, in its order; counts of the files that were read whole.
    pub tallies: Vec<Tally>,
    /// Files that could not be used, and why: their rows are in no tally.
    pub failed: Vec<(String, String)>,
}

/// Reads every file (a path, or why the file could not be fetched) in parallel and adds their tallies in
/// the manifest's order, so that the kept keys do not depend on which thread finished first.
pub fn read(manifest: &Manifest, files: &[Result<PathBuf, String>], prefixes: &PrefixSet, limits: Limits) -> Reading {
    let outcomes: Vec<Result<Vec<Tally>, String>> = manifest
        .files
        .par_iter()
        .zip(files.par_iter())
        .map(|(expected, path)| {
            let path = path.as_ref().map_err(Clone::clone)?;
            // A decoder that panics on a hostile file costs that file, not the run.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                read::read_file(path, expected, manifest.format, &manifest.columns, prefixes, limits)
            }))
            .unwrap_or_else(|_| Err("the file could not be decoded (the reader stopped on it)".into()))
        })
        .collect();
    let mut reading = Reading { tallies: vec![Tally::default(); prefixes.len()], failed: Vec::new() };
    for (expected, outcome) in manifest.files.iter().zip(outcomes) {
        match outcome {
            Ok(tallies) => {
                for (total, t) in reading.tallies.iter_mut().zip(tallies) {
                    total.merge(t, limits);
                }
            }
            Err(why) => reading.failed.push((expected.key.clone(), why)),
        }
    }
    reading
}

/// Where a local copy of the destination holds each file of a local manifest: the file's key under the
/// manifest's folder or any folder above it (a copy of the bucket, or of the destination prefix), else
/// the file's name beside the manifest or in a `data/` folder beside it. Only files inside the report's
/// configuration folder count (`destination-prefix/source-bucket/config-ID/`, which holds each report's
/// folder and `data/`: S3 User Guide, "Inventory location"), so a planted manifest cannot make atrest
/// open `/etc/passwd` or `/proc/self/environ`; a key that climbs (`..`) or is absolute is refused.
pub fn local_files(manifest_path: &Path, manifest: &Manifest) -> Vec<Result<PathBuf, String>> {
    let folder = manifest_path.parent().unwrap_or(Path::new("."));
    let home = folder.parent().unwrap_or(folder);
    let home_real = home.canonicalize().ok();
    let inside = |p: &Path| home_real.as_ref().is_some_and(|h| p.canonicalize().is_ok_and(|real| real.starts_with(h)));
    manifest
        .files
        .iter()
        .map(|f| {
            if Path::new(&f.key).components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
                return Err(format!(
                    "the manifest lists the file as {:?}, a path that leaves the report's folder: refused",
                    f.key
                ));
            }
            let name = Path::new(&f.key).file_name().map(Path::new).unwrap_or(Path::new(&f.key));
            let under = |base: &Path| {
                // A key is a path under the bucket: only its normal parts count.
                let rel: PathBuf =
                    Path::new(&f.key).components().filter(|c| matches!(c, std::path::Component::Normal(_))).collect();
                base.join(rel)
            };
            let candidates: Vec<PathBuf> = folder
                .ancestors()
                .map(under)
                .chain([folder.join(name), folder.join("data").join(name), folder.join("..").join("data").join(name)])
                .collect();
            candidates.iter().find(|p| p.is_file() && inside(p)).cloned().ok_or_else(|| {
                format!(
                    "not found in the report's folder {}: copy the destination's {} (for example with `aws s3 \
                     sync`) keeping its folders, or pass the s3:// URI of the manifest",
                    home.display(),
                    f.key
                )
            })
        })
        .collect()
}
