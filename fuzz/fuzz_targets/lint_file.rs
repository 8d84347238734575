//! Fuzz target: a file handed to `atrest lint` (policy JSON, job request, CloudFormation JSON or YAML,
//! Terraform plan) is classified, parsed and linted, chain rules included, without panicking.
#![no_main]

use atrest::commands::lint::{lint_files, lint_rules};
use atrest::engine::EngineSettings;
use atrest::lint::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let rules = lint_rules(&atrest::config::Config::default());
    let settings = EngineSettings {
        ruleset: atrest::vocab::Ruleset::Strict,
        overrides: Default::default(),
        waivers: Vec::new(),
        today: 20_000,
    };
    // The same text as JSON and as YAML: the extension decides whether YAML is tried.
    let files = [
        SourceFile { path: "fuzz.json".into(), text: text.to_owned() },
        SourceFile { path: "fuzz.yaml".into(), text: text.to_owned() },
    ];
    let _ = lint_files(&files, &rules, &settings);
});
