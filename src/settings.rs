//! Settings resolved once for every command that reports: the flags, then the config file, then defaults.

use std::path::{Path, PathBuf};

use crate::config::{Config, ConfigError};
use crate::engine::{Baseline, EngineSettings};
use crate::vocab::time::today;
use crate::vocab::{FailOn, Format, Ruleset, Severity};

/// The output flags of `scan`, `audit` and `lint`, before the config file fills what they leave open.
#[derive(Debug, Clone, Default)]
pub struct OutputFlags {
    pub format: Option<Format>,
    pub output: Option<PathBuf>,
    pub ruleset: Option<Ruleset>,
    pub config: Option<PathBuf>,
    pub fail_on: Option<FailOn>,
    pub allow_unknown: bool,
    pub show_pass: bool,
    pub baseline: Option<PathBuf>,
    pub quiet: bool,
    pub verbose: bool,
}

/// The collection flags of `scan` and `collect`: the options as given, and the `--inventory` manifests
/// still to read.
#[derive(Debug, Clone)]
pub struct CollectionFlags {
    pub options: crate::collect::CollectOptions,
    pub manifests: Vec<String>,
}

impl CollectionFlags {
    /// The options of the collection, local inventory manifests read and checked: a bad one stops the run
    /// before any call.
    pub fn resolve(self) -> Result<crate::collect::CollectOptions, crate::collect::CollectError> {
        let inventory =
            self.manifests.iter().map(|m| crate::collect::InventorySource::load(m)).collect::<Result<Vec<_>, _>>()?;
        Ok(crate::collect::CollectOptions { inventory, ..self.options })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("--baseline {path}: {message}")]
    Baseline { path: String, message: String },
}

/// What a reporting command runs with; nothing below reads flags or the config file again.
#[derive(Debug, Clone)]
pub struct Settings {
    pub format: Format,
    pub output: Option<PathBuf>,
    pub ruleset: Ruleset,
    pub fail_on: FailOn,
    pub allow_unknown: bool,
    pub show_pass: bool,
    pub quiet: bool,
    pub verbose: bool,
    pub config: Config,
    /// The earlier report of `--baseline`, read and checked.
    pub baseline: Option<Baseline>,
    /// Today in days since the epoch: waivers that expired before it no longer apply.
    pub today: i64,
}

impl Settings {
    /// Reads the config file (`--config`, else `./atrest.toml` when present) and the baseline, and fills
    /// every setting: flags win over the config file, which wins over the defaults.
    pub fn resolve(flags: &OutputFlags) -> Result<Settings, SettingsError> {
        let config = match &flags.config {
            Some(path) => Config::load(path)?,
            None if Path::new("atrest.toml").exists() => Config::load(Path::new("atrest.toml"))?,
            None => Config::default(),
        };
        let baseline = load_baseline(flags.baseline.as_deref())?;
        Ok(Settings {
            format: flags.format.or(config.format).unwrap_or(Format::Table),
            output: flags.output.clone(),
            ruleset: flags.ruleset.or(config.ruleset).unwrap_or(Ruleset::Baseline),
            fail_on: flags.fail_on.or(config.fail_on).unwrap_or(FailOn::Severity(Severity::Low)),
            allow_unknown: flags.allow_unknown || config.allow_unknown.unwrap_or(false),
            show_pass: flags.show_pass || config.show_pass.unwrap_or(false),
            quiet: flags.quiet,
            verbose: flags.verbose,
            config,
            baseline,
            today: today(),
        })
    }

    /// What the engine needs of these settings.
    pub fn engine(&self) -> EngineSettings {
        EngineSettings {
            ruleset: self.ruleset,
            overrides: self.config.overrides.clone(),
            waivers: self.config.waivers.clone(),
            today: self.today,
            baseline: self.baseline.clone(),
        }
    }

    /// Whether `-v` detail goes to stderr.
    pub fn chatty(&self) -> bool {
        self.verbose && !self.quiet
    }
}

/// Reads `--baseline REPORT.json`, when given.
fn load_baseline(path: Option<&Path>) -> Result<Option<Baseline>, SettingsError> {
    let Some(path) = path else { return Ok(None) };
    let text = crate::input::read_to_string(path)
        .map_err(|e| SettingsError::Baseline { path: path.display().to_string(), message: e.to_string() })?;
    // Another tool's report, or one of a schema this version does not know, would read as a list of
    // failures that all "existed": every failure of the run would pass as existing.
    #[derive(serde::Deserialize)]
    struct Header {
        schema_version: Option<serde_json::Value>,
        tool: Option<Tool>,
    }
    #[derive(serde::Deserialize)]
    struct Tool {
        name: Option<String>,
    }
    let refuse = |message: String| SettingsError::Baseline { path: path.display().to_string(), message };
    if let Ok(header) = serde_json::from_str::<Header>(&text) {
        let tool = header.tool.and_then(|t| t.name);
        if tool.as_deref() != Some("atrest") {
            return Err(refuse(format!(
                "not an atrest JSON report (its tool.name is {}): pass a report written by `atrest … --format json`",
                tool.map_or("missing".to_owned(), |t| format!("\"{t}\""))
            )));
        }
        let want = crate::report::SCHEMA_VERSION;
        if header.schema_version.as_ref().and_then(serde_json::Value::as_u64) != Some(u64::from(want)) {
            return Err(refuse(format!(
                "its schema_version is {}, and this atrest reads schema_version {want}: write the baseline again \
                 with this version",
                header.schema_version.map_or("missing".to_owned(), |v| v.to_string())
            )));
        }
    }
    Baseline::parse(&text).map(Some).map_err(|e| SettingsError::Baseline {
        path: path.display().to_string(),
        message: format!("line {} column {}: not an atrest JSON report: {e}", e.line(), e.column()),
    })
}
