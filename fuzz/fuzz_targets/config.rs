//! Fuzz target: the config file parser (`atrest.toml`) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = atrest::config::Config::parse("atrest.toml", text);
});
