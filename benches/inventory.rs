//! `cargo bench --bench inventory`: reading generated S3 Inventory reports of 1 and 10 million rows (gzip CSV
//! with every documented column, and Parquet), on 1 and 2 threads, with the peak memory of each read.
//!
//! The reports are written once under target/bench-inventory/ by the same writer the tests use (the
//! shapes of AWS's pages), 8 files each, as S3 splits a large report. Each measurement runs in a child
//! process of this benchmark so that its peak RSS (VmHWM) is the read's alone. A plain read of the same
//! gzip CSV (flate2 + csv, counting rows, no prefix matching) is measured beside it as the ceiling.
//! `ATREST_BENCH_ROWS=1000000` limits the run to the small report. Then two hostile reports, each measured
//! the same way: a gzip CSV whose one line is 1 GiB of `x` (a few MB compressed), and one whose million
//! rows each carry a different EncryptionStatus; the reader's peak RSS must stay bounded (docs/files.md).
#![allow(clippy::unwrap_used)]

#[path = "../tests/support/inventory.rs"]
mod inventory;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use atrest::s3inventory::{self, Limits, Manifest, PrefixSet};
use inventory::Obj;

const FILES: usize = 8;
const JOBS: usize = 1000;
const ACCOUNT: &str = "123456789012";

fn job_folder(j: usize) -> String {
    format!("out/{ACCOUNT}-TranslateText-{j:032x}/")
}

/// Half the rows in the input folder, half in 1,000 job folders; one in 10,000 unencrypted.
fn row(i: usize) -> Obj {
    let status = match i % 10_000 {
        0 => "NOT-SSE",
        n if n % 2 == 0 => "SSE-S3",
        _ => "SSE-KMS",
    };
    let key = if i.is_multiple_of(2) {
        format!("docs/part-{}/document number {i}.txt", i % 97)
    } else {
        format!("{}fr.document-{i}.txt", job_folder(i % JOBS))
    };
    Obj { key, status, delete_marker: false }
}

fn prefixes() -> PrefixSet {
    let mut p: Vec<String> = (0..JOBS).map(job_folder).collect();
    p.push("docs/".into());
    PrefixSet::new(p)
}

/// Writes (or reuses) a report of `rows` rows; returns its manifest's path.
fn report(dir: &Path, format: &str, rows: usize) -> PathBuf {
    let folder = dir.join(format!("{format}-{rows}"));
    let manifest_path = folder.join("manifest.json");
    if manifest_path.exists() {
        return manifest_path;
    }
    std::fs::create_dir_all(&folder).unwrap();
    let started = Instant::now();
    let per_file = rows / FILES;
    let mut listed = Vec::new();
    for f in 0..FILES {
        let (schema, ext) =
            if format == "CSV" { (inventory::CSV_SCHEMA, "csv.gz") } else { (inventory::PARQUET_SCHEMA, "parquet") };
        let key = format!("data/{f}.{ext}");
        let path = folder.join(&key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let file = std::fs::File::create(&path).unwrap();
        let objects = (f * per_file..(f + 1) * per_file).map(row);
        if format == "CSV" {
            inventory::write_csv_gz(file, "bench-bucket", schema, objects);
        } else {
            inventory::write_parquet(file, "bench-bucket", schema, objects, 250_000);
        }
        let bytes = std::fs::read(&path).unwrap();
        listed.push((key, bytes.len() as u64, inventory::md5_hex(&bytes)));
    }
    let schema = if format == "CSV" { inventory::CSV_SCHEMA } else { inventory::PARQUET_SCHEMA };
    let text = inventory::manifest("bench-bucket", "bench-reports", 1_764_547_200_000, format, schema, &listed);
    std::fs::write(&manifest_path, text).unwrap();
    eprintln!("wrote {format} report of {rows} rows in {:.1} s", started.elapsed().as_secs_f64());
    manifest_path
}

/// In the child: one read, then rows, seconds and peak RSS on stdout.
fn child(mode: &str, manifest_path: &Path) {
    let text = std::fs::read(manifest_path).unwrap();
    let manifest = Manifest::parse(&text).unwrap();
    let files = s3inventory::local_files(manifest_path, &manifest);
    let started = Instant::now();
    let rows: u64 = if mode == "plain" {
        use rayon::prelude::*;
        files
            .par_iter()
            .map(|p| {
                let gz = flate2::read::MultiGzDecoder::new(std::fs::File::open(p.as_ref().unwrap()).unwrap());
                let mut csv = csv::ReaderBuilder::new().has_headers(false).from_reader(gz);
                let mut record = csv::ByteRecord::new();
                let mut n = 0;
                while csv.read_byte_record(&mut record).unwrap() {
                    n += 1;
                }
                n
            })
            .sum()
    } else {
        let set = prefixes();
        let reading = s3inventory::read(&manifest, &files, &set, Limits { examples: 5, kms_sample: 100 });
        if mode == "hostile" {
            // Refusing the file is the expected outcome; what is measured is what it cost.
            eprintln!("{:?}", reading.failed);
        } else {
            assert!(reading.failed.is_empty(), "{:?}", reading.failed);
        }
        reading.tallies.iter().map(|t| t.rows).sum()
    };
    let seconds = started.elapsed().as_secs_f64();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap_or("VmHWM: 0 kB").to_owned();
    let kb: u64 = hwm.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
    println!("{rows} {seconds} {kb}");
}

fn measure(mode: &str, manifest: &Path, threads: usize) -> (u64, f64, f64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .env("ATREST_BENCH_CHILD", mode)
        .env("ATREST_BENCH_MANIFEST", manifest)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let rows: u64 = parts.next().unwrap().parse().unwrap();
    let seconds: f64 = parts.next().unwrap().parse().unwrap();
    let kb: f64 = parts.next().unwrap().parse().unwrap();
    (rows, seconds, kb / 1024.0)
}

/// A report of one gzip CSV file, written by `write`, with its manifest.
fn hostile(dir: &Path, name: &str, write: impl FnOnce(std::fs::File)) -> PathBuf {
    let folder = dir.join(name);
    let manifest_path = folder.join("manifest.json");
    if manifest_path.exists() {
        return manifest_path;
    }
    std::fs::create_dir_all(folder.join("data")).unwrap();
    let path = folder.join("data/0.csv.gz");
    write(std::fs::File::create(&path).unwrap());
    let bytes = std::fs::read(&path).unwrap();
    let listed = vec![("data/0.csv.gz".to_owned(), bytes.len() as u64, inventory::md5_hex(&bytes))];
    let text =
        inventory::manifest("bench-bucket", "bench-reports", 1_764_547_200_000, "CSV", inventory::CSV_SCHEMA, &listed);
    std::fs::write(&manifest_path, text).unwrap();
    manifest_path
}

fn hostile_reports(dir: &Path) {
    let long_line = hostile(dir, "hostile-long-line", |file| {
        use std::io::Write;
        let mut w = flate2::write::GzEncoder::new(std::io::BufWriter::new(file), flate2::Compression::fast());
        w.write_all(b"\"bench-bucket\",\"").unwrap();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..1024 {
            w.write_all(&chunk).unwrap();
        }
        w.write_all(b"\"\n").unwrap();
        w.finish().unwrap();
    });
    let distinct = hostile(dir, "hostile-distinct-status", |file| {
        let objects = (0..1_000_000).map(|i| Obj {
            status: Box::leak(format!("STATUS-{i:07}-{}", "v".repeat(200)).into_boxed_str()),
            ..row(i)
        });
        inventory::write_csv_gz(file, "bench-bucket", inventory::CSV_SCHEMA, objects);
    });
    println!("\n{:<28} {:>9} {:>10}", "hostile report", "seconds", "peak MiB");
    for (name, manifest) in [("one 1 GiB line", long_line), ("1 M distinct statuses", distinct)] {
        let (_, seconds, mib) = measure("hostile", &manifest, 2);
        println!("{name:<28} {seconds:>9.2} {mib:>10.1}");
    }
}

fn main() {
    if let Ok(mode) = std::env::var("ATREST_BENCH_CHILD") {
        child(&mode, Path::new(&std::env::var("ATREST_BENCH_MANIFEST").unwrap()));
        return;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-inventory");
    let sizes: Vec<usize> = match std::env::var("ATREST_BENCH_ROWS") {
        Ok(n) => vec![n.parse().unwrap()],
        Err(_) => vec![1_000_000, 10_000_000],
    };
    println!(
        "{:<8} {:>10} {:<6} {:>7} {:>9} {:>16} {:>10}",
        "format", "rows", "mode", "threads", "seconds", "rows/s per core", "peak MiB"
    );
    for &rows in &sizes {
        for format in ["CSV", "Parquet"] {
            let manifest = report(&dir, format, rows);
            let modes: &[&str] = if format == "CSV" { &["atrest", "plain"] } else { &["atrest"] };
            for mode in modes {
                for threads in [1, 2] {
                    // The best of three: the machine's other work only ever slows a run.
                    let runs: Vec<(u64, f64, f64)> = (0..3).map(|_| measure(mode, &manifest, threads)).collect();
                    let (n, seconds, mib) = runs.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
                    let peak = runs.iter().map(|r| r.2).fold(0.0, f64::max);
                    assert_eq!(n as usize, rows - rows % FILES, "every row counted once");
                    let per_core = n as f64 / seconds / threads as f64;
                    let _ = mib;
                    println!(
                        "{format:<8} {rows:>10} {mode:<6} {threads:>7} {seconds:>9.2} {per_core:>16.0} {peak:>10.1}"
                    );
                }
            }
        }
    }
    hostile_reports(&dir);
}
