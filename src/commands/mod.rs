//! The commands: each turns resolved settings into output text and an exit code.

use std::io::IsTerminal;

use crate::output::{self, OutputError};
use crate::report::{self, RenderOptions, Report, View};
use crate::settings::{Settings, SettingsError};

pub mod audit;
pub mod lint;
pub mod rules;
pub mod scan;
pub mod simulate;

/// What a command produced for stdout, and the exit code it asks for.
pub struct CommandOutput {
    pub stdout: String,
    pub exit_code: u8,
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Simulate(#[from] simulate::SimulateError),
    #[error(transparent)]
    Audit(#[from] audit::AuditError),
    #[error(transparent)]
    Lint(#[from] lint::LintError),
    #[error(transparent)]
    Scan(#[from] scan::ScanError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("{0}")]
    Usage(String),
}

/// The columns tables may fill: `COLUMNS` when set, else the width of the terminal on stdout; `None`
/// when stdout is no terminal (a file or a pipe keeps the fixed width, so its output is stable).
pub fn terminal_width() -> Option<u16> {
    if let Some(cols) = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<u16>().ok()).filter(|&c| c >= 20) {
        return Some(cols);
    }
    std::io::stdout().is_terminal().then(|| console::Term::stdout().size_checked().map(|(_, cols)| cols)).flatten()
}

/// Renders the report in the chosen format to `--output` or stdout; `scan`, `audit` and `lint` report
/// through here.
pub fn write_report(report: &Report, settings: &Settings, view: View) -> Result<(), OutputError> {
    let options = RenderOptions {
        show_pass: settings.show_pass,
        colour: settings.output.is_none() && std::io::stdout().is_terminal(),
        docs_url: settings.config.docs_url.clone(),
        view,
        width: terminal_width(),
    };
    let renderer = report::renderer(settings.format, &options);
    output::deliver(settings.output.as_deref(), |out| renderer.render(report, out))
}
