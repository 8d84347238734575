//! The commands: each turns resolved settings into output text and an exit code.

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
    #[error("{0}")]
    Usage(String),
}
