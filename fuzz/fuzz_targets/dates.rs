//! Fuzz target: every date parser (`--since`, config expiry days, policy Date conditions) never panics,
//! and a parsed `--since` is a real instant.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = atrest::vocab::time::parse_date(text);
    let _ = atrest::vocab::time::parse_day(text);
    if let Ok(s) = atrest::vocab::time::parse_since(text) {
        assert!(s > -62_167_219_200, "--since {text:?} parsed to {s} s, before year 0");
    }
});
