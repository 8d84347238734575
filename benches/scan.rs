//! Scan speed against moto: wall time and API calls of `atrest scan` on a world of 20 buckets, 10 keys,
//! 4 roles and 40 jobs with 2 objects per prefix. Run with `scripts/test`'s moto installed:
//! `ATREST_MOTO_SERVER=.venv/bin/moto_server cargo bench --bench scan` (`ATREST_BENCH_RUNS=N` repeats).
//!
//! moto answers a few hundred requests a second from one Python process, so the scan's floor is set by
//! the number of requests; the benchmark prints how many the world needs and how many were made.
#![allow(clippy::unwrap_used)]

#[path = "../tests/support/mod.rs"]
#[allow(dead_code)] // the fault and enforcement helpers serve the tests
mod support;

use support::bench_world::{BUCKETS, JOBS, KEYS, OBJECTS, ROLES, needed, print_calls, seed, timed_scans};
use support::moto::{ACCOUNT, Moto, Seed};
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
    let (times, report) =
        timed_scans(&moto.url, &translate.url, &["scan", "--format", "json", "-q", "--objects", "all"], runs);
    let calls = report["run"]["api_calls"].as_array().unwrap();
    let requests: u64 = calls.iter().map(|a| a["requests"].as_u64().unwrap()).sum();
    println!(
        "scan of {BUCKETS} buckets, {KEYS} keys, {ROLES} roles, {JOBS} jobs, {OBJECTS} objects per prefix on moto \
         ({runs} runs): best {:.2} s, median {:.2} s, worst {:.2} s",
        times[0],
        times[times.len() / 2],
        times[times.len() - 1]
    );
    println!("API requests: {requests} made, {} needed by the world; errors: {}", needed(), report["errors"]);
    print_calls(calls);
}
