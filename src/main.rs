//! The `atrest` binary: parse the command line, run the command, turn its outcome into an exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use atrest::cli::{Cli, Command};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Simulate(args) => atrest::simulate::run(&args.into_options()).and_then(|out| {
            let mut stdout = io::stdout().lock();
            stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(atrest::simulate::SimulateError::Output)
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that went away (`| head`) is not an error worth a message.
        Err(atrest::simulate::SimulateError::Output(e))
            if e.kind() == io::ErrorKind::BrokenPipe =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("atrest: error: {e}");
            ExitCode::from(2)
        }
    }
}
