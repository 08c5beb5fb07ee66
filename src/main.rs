//! The `pgsnap` binary: parse arguments, build the plan, run it, map errors to exit codes.

use clap::Parser;
use pgsnap::cli::{Cli, Command};
use pgsnap::error::ErrorKind;
use pgsnap::plan::DumpPlan;
use std::process::ExitCode;

/// Runs the dump; SIGINT/SIGTERM cancel it so that the temp output file is removed on the way out.
async fn run_until_signal(plan: &DumpPlan) -> pgsnap::error::Result<pgsnap::dump::DumpReport> {
    use pgsnap::error::Error;
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("could not install signal handler: {e}"),
        )
    })?;
    tokio::select! {
        r = pgsnap::dump::run(plan) => r,
        _ = tokio::signal::ctrl_c() => Err(Error::new(ErrorKind::Io, "interrupted")),
        _ = term.recv() => Err(Error::new(ErrorKind::Io, "terminated")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Media(cmd) => match pgsnap::media::run(cmd) {
            Ok(code) => ExitCode::from(code),
            Err(e) => {
                eprintln!("pgsnap: error: {e}");
                ExitCode::from(1)
            }
        },
        Command::Dump(args) => {
            let plan = match args
                .to_request()
                .and_then(|r| DumpPlan::new(r).map_err(|e| e.to_string()))
            {
                Ok(p) => p,
                Err(msg) => {
                    eprintln!("pgsnap: error: {msg}");
                    return ExitCode::from(1);
                }
            };
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("pgsnap: error: could not start runtime: {e}");
                    return ExitCode::from(1);
                }
            };
            match runtime.block_on(run_until_signal(&plan)) {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) if e.kind() == ErrorKind::BrokenPipe => ExitCode::from(1),
                Err(e) => {
                    eprintln!("pgsnap: error: {e}");
                    ExitCode::from(1)
                }
            }
        }
    }
}
