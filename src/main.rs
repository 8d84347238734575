//! The `atrest` binary: parse the command line, run the command, turn its outcome into an exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use atrest::cli::{Cli, Command, RulesAction};
use atrest::collect::Progress;
use atrest::commands::{self, CommandError, CommandOutput};
use atrest::settings::Settings;
use atrest::vocab::text::printable;
use clap::Parser;

// The audit of a large account makes millions of small allocations across threads; mimalloc handles
// that pattern markedly faster than glibc's allocator (measured with `cargo bench --bench audit`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn run(cli: Cli) -> Result<CommandOutput, CommandError> {
    atrest::input::set_limit_mb(cli.max_input_mb);
    match cli.command {
        Command::Scan(args) => {
            let settings = Settings::resolve(&args.output.into_flags())?;
            let progress = Progress::new(settings.quiet, settings.verbose);
            let options = args.collection.into_flags(progress).resolve().map_err(commands::scan::ScanError::from)?;
            Ok(commands::scan::scan(options, &settings)?)
        }
        Command::Collect(args) => {
            let progress = Progress::new(args.quiet, args.verbose);
            let options = args.collection.into_flags(progress).resolve().map_err(commands::scan::ScanError::from)?;
            Ok(commands::scan::collect_to(options, &args.output, args.quiet)?)
        }
        Command::Audit(args) => {
            let (snapshots, flags) = args.into_parts();
            Ok(commands::audit::run(&snapshots, &Settings::resolve(&flags)?)?)
        }
        Command::Lint(args) => {
            let (paths, if_any, flags) = args.into_parts();
            Ok(commands::lint::run(&paths, &Settings::resolve(&flags)?, if_any)?)
        }
        Command::Rules(args) => match args.action {
            None => Ok(commands::rules::list()),
            Some(RulesAction::Explain { id }) => commands::rules::explain(&id),
        },
        Command::Simulate(args) => {
            let stdout = commands::simulate::run(&args.into_options())?;
            Ok(CommandOutput { stdout, exit_code: 0 })
        }
        Command::Completions { shell } => Ok(CommandOutput { stdout: atrest::cli::completions(shell), exit_code: 0 }),
        Command::Man => Ok(CommandOutput { stdout: atrest::cli::man_page(), exit_code: 0 }),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(out) => {
            let mut stdout = io::stdout().lock();
            match stdout.write_all(out.stdout.as_bytes()).and_then(|()| stdout.flush()) {
                // A reader that went away (`| head`) is not an error worth a message.
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    eprintln!("atrest: error: writing the output: {}", printable(&e.to_string()));
                    ExitCode::from(2)
                }
                _ => ExitCode::from(out.exit_code),
            }
        }
        Err(e) => {
            // Errors name files and resources that come from outside: shown, not obeyed by the terminal.
            eprintln!("atrest: error: {}", printable(&e.to_string()));
            ExitCode::from(2)
        }
    }
}
