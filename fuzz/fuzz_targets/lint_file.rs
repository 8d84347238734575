//! Fuzz target: a file handed to `atrest lint` (policy JSON, job request, CloudFormation JSON or YAML,
//! Terraform plan) is classified, parsed and linted, chain rules included, without panicking.
#![no_main]

use atrest::engine::EngineSettings;
use atrest::lint::{SourceFile, lint, lint_rules};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let rules = lint_rules(&atrest::config::Config::default());
    let settings = EngineSettings {
        ruleset: atrest::vocab::Ruleset::Strict,
        today: 20_000,
        ..EngineSettings::default()
    };
    // The same text as JSON and as YAML: the extension decides whether YAML is tried.
    let files = [
        SourceFile { path: "fuzz.json".into(), text: text.to_owned() },
        SourceFile { path: "fuzz.yaml".into(), text: text.to_owned() },
    ];
    let _ = lint(&files, &rules, &settings);
});
