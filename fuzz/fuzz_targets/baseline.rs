//! Fuzz target: the `--baseline` reader (an earlier JSON report) never panics, and applying what it
//! accepts to results works.
#![no_main]

use atrest::engine::Baseline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(baseline) = Baseline::parse(text) else { return };
    let _ = baseline.apply(&mut []);
});
