//! Scan speed against moto: wall time and API calls of `atrest scan` on a world of 20 buckets, 10 keys,
//! 4 roles and 40 jobs with 2 objects per prefix. Run with `scripts/test`'s moto installed:
//! `ATREST_MOTO_SERVER=.venv/bin/moto_server cargo bench --bench scan` (`ATREST_BENCH_RUNS=N` repeats).
//!
//! moto answers a few hundred requests a second from one Python process, so the scan's floor is set by
//! the number of requests; the benchmark prints how many the world needs and how many were made.

#[path = "../tests/support/mod.rs"]
#[allow(dead_code)] // the fault and enforcement helpers serve the tests
mod support;

use std::time::Instant;

use serde_json::Value;
use support::bench_world::{BUCKETS, JOBS, KEYS, OBJECTS, ROLES, needed, print_calls, seed};
use support::moto::{ACCOUNT, Moto, Seed, atrest_command};
use support::translate::TranslateEndpoint;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let runs: usize = std::env::var("ATREST_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let moto = Moto::start();
    let translate = TranslateEndpoint::start(100);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let s = Seed::new(&moto, "testing", "testing").await;
        seed(&s, &translate, ACCOUNT, "bench").await;
    });
    let home = std::env::temp_dir().join(format!("atrest-bench-scan-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut times = Vec::new();
    let mut last: Option<Value> = None;
    for _ in 0..runs {
        let start = Instant::now();
        let out =
            atrest_command(&moto.url, &translate.url, &home, &["scan", "--format", "json", "-q", "--objects", "all"])
                .output()
                .unwrap();
        times.push(start.elapsed().as_secs_f64());
        assert!(out.status.code().is_some_and(|c| c < 2), "scan failed: {}", String::from_utf8_lossy(&out.stderr));
        last = Some(serde_json::from_slice(&out.stdout).unwrap());
    }
    let report = last.unwrap();
    let calls = report["run"]["api_calls"].as_array().unwrap();
    let requests: u64 = calls.iter().map(|a| a["requests"].as_u64().unwrap()).sum();
    times.sort_by(f64::total_cmp);
    println!(
        "scan of {BUCKETS} buckets, {KEYS} keys, {ROLES} roles, {JOBS} jobs, {OBJECTS} objects per prefix on moto \
         ({runs} runs): best {:.2} s, median {:.2} s, worst {:.2} s",
        times[0],
        times[times.len() / 2],
        times[times.len() - 1]
    );
    println!("API requests: {requests} made, {} needed by the world; errors: {}", needed(), report["errors"]);
    print_calls(calls);
    let _ = std::fs::remove_dir_all(&home);
}
