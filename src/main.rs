//! The `pgsnap` binary: parse arguments, build the plan, run it, map errors to exit codes.

use clap::Parser;
use pgsnap::cli::{Cli, Command};
use pgsnap::error::ErrorKind;
use pgsnap::plan::DumpPlan;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
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
            match runtime.block_on(pgsnap::dump::run(&plan)) {
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
