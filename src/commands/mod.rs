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
    use std::os::fd::AsRawFd;
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    columns_of(stdout.as_raw_fd())
}

/// The columns a terminal reports, whatever its rows say: a pseudo-terminal in CI reports 0 rows, and
/// console's size (rows and columns, or nothing) would then give no width at all.
fn columns_of(fd: std::os::fd::RawFd) -> Option<u16> {
    // SAFETY: TIOCGWINSZ writes one winsize into the struct it is given, which lives for the call.
    let winsize = unsafe {
        let mut winsize: libc::winsize = std::mem::zeroed();
        if libc::ioctl(fd, libc::TIOCGWINSZ, &mut winsize) != 0 {
            return None;
        }
        winsize
    };
    (winsize.ws_col > 0).then_some(winsize.ws_col)
}

/// What a run was, for its report: the command, the settings it ran with, when, and (audit, scan) the
/// accounts and regions its inventory covers. Called when the results are decided: `finished_at` is now.
pub fn run_info(
    command: &'static str,
    settings: &Settings,
    started_at: String,
    inventory: Option<&crate::inventory::Inventory>,
) -> report::RunInfo {
    report::RunInfo {
        command: command.into(),
        ruleset: settings.ruleset.as_str().into(),
        started_at,
        finished_at: crate::vocab::time::now_rfc3339(),
        accounts: inventory.map(|i| i.accounts.clone()).unwrap_or_default(),
        account_status: inventory.map(|i| i.account_status.clone()).unwrap_or_default(),
        regions: inventory.map(|i| i.regions.clone()).unwrap_or_default(),
        snapshots: Vec::new(),
        fail_on: settings.fail_on,
        allow_unknown: settings.allow_unknown,
        objects: None,
        api_calls: None,
        organization: inventory.and_then(|i| i.org_reading()),
    }
}

/// Audits an inventory: the rules on its indexed world, with `-v` timings.
pub fn audit_inventory(inventory: &crate::inventory::Inventory, settings: &Settings) -> crate::vocab::Outcome {
    let clock = std::time::Instant::now();
    let trace = |what: &str| {
        if settings.chatty() {
            eprintln!("atrest:   {what} in {:.3} s", clock.elapsed().as_secs_f64());
        }
    };
    let world = crate::rules::World::new(inventory);
    trace("world indexed");
    let outcome = crate::engine::audit(&world, &settings.engine());
    trace("rules run, results sorted");
    if settings.chatty() {
        for (id, n, d) in &outcome.timings {
            eprintln!("atrest: {id}: {n} results in {:.3} s", d.as_secs_f64());
        }
    }
    outcome
}

/// The run's warnings on stderr, shown, not obeyed by the terminal (they quote names from outside).
pub fn warn(notices: &[crate::vocab::Notice]) {
    for n in notices {
        eprintln!("atrest: warning: {}", crate::vocab::text::printable(&n.0));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A pseudo-terminal whose size is `rows` × `cols`; its two ends are closed when dropped.
    struct Pty(std::os::fd::RawFd, std::os::fd::RawFd);

    impl Pty {
        fn new(rows: u16, cols: u16) -> Pty {
            let (mut main, mut sub) = (0, 0);
            let size = libc::winsize { ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 };
            // SAFETY: openpty writes the two descriptors it opens; the winsize is read during the call.
            let rc = unsafe { libc::openpty(&mut main, &mut sub, std::ptr::null_mut(), std::ptr::null(), &size) };
            assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
            Pty(main, sub)
        }
    }

    impl Drop for Pty {
        fn drop(&mut self) {
            // SAFETY: both descriptors were opened by openpty and are closed once.
            unsafe {
                libc::close(self.0);
                libc::close(self.1);
            }
        }
    }

    #[test]
    fn a_terminal_reporting_zero_rows_still_gives_its_columns() {
        assert_eq!(columns_of(Pty::new(0, 97).1), Some(97));
        assert_eq!(columns_of(Pty::new(40, 132).1), Some(132));
        // A terminal that reports no columns gives no width: the fixed one applies.
        assert_eq!(columns_of(Pty::new(0, 0).1), None);
        // Not a terminal at all.
        let file = std::fs::File::open("Cargo.toml").unwrap();
        assert_eq!(columns_of(std::os::fd::AsRawFd::as_raw_fd(&file)), None);
    }
}
