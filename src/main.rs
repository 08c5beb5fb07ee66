//! The `pgsnap` binary: parse arguments, build the plan, run it, map errors to exit codes.

use pgsnap::cli::{Cli, Command};
use pgsnap::error::ErrorKind;
use pgsnap::plan::DumpPlan;
use std::process::ExitCode;

/// SIGINT and SIGTERM, caught from the moment this returns (before any temp path exists).
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> pgsnap::error::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        let catch = |kind| {
            signal(kind).map_err(|e| {
                pgsnap::error::Error::new(
                    ErrorKind::Io,
                    format!("could not install signal handler: {e}"),
                )
            })
        };
        Ok(Signals {
            interrupt: catch(SignalKind::interrupt())?,
            terminate: catch(SignalKind::terminate())?,
        })
    }

    /// Waits for either signal and names it as the error message says it.
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "interrupted",
            _ = self.terminate.recv() => "terminated",
        }
    }
}

/// Runs the dump; SIGINT/SIGTERM cancel it so that the temp output file is removed on the way out.
async fn run_until_signal(plan: &DumpPlan) -> pgsnap::error::Result<pgsnap::dump::DumpReport> {
    let mut signals = Signals::install()?;
    tokio::select! {
        r = pgsnap::dump::run(plan) => r,
        why = signals.next() => Err(pgsnap::error::Error::new(ErrorKind::Interrupted, why)),
    }
}

/// Runs `work` on its own thread while this one waits for SIGINT/SIGTERM: on a signal the
/// temp files and directories in progress are removed before exiting (as a dump's are). The
/// handlers are in place before `work` starts, so no signal finds a temp path unguarded.
fn until_signal(work: impl FnOnce() -> ExitCode + Send + 'static) -> ExitCode {
    let Some(rt) = runtime() else {
        return ExitCode::from(1);
    };
    let mut signals = match rt.block_on(async { Signals::install() }) {
        Ok(s) => s,
        Err(e) => return fail_with(e),
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("pgsnap-work".into())
        .spawn(move || {
            let _ = tx.send(work());
        });
    if let Err(e) = spawned {
        return fail(format!("could not start: {e}"));
    }
    rt.block_on(async {
        let stopped = tokio::select! {
            done = rx => return done.unwrap_or(ExitCode::from(1)),
            why = signals.next() => why,
        };
        pgsnap::cleanup::remove_all();
        fail(stopped)
    })
}

/// Prints one error line and gives the failure exit code (1, pg_dump's).
fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("pgsnap: error: {msg}");
    ExitCode::from(1)
}

/// Prints one error line and gives the exit code of its kind (see [`ErrorKind::exit_code`]).
fn fail_with(e: pgsnap::error::Error) -> ExitCode {
    eprintln!("pgsnap: error: {e}");
    ExitCode::from(e.kind().exit_code())
}

/// The validated dump plan for `dump` and `snapshot` flags.
fn dump_plan(args: &pgsnap::cli::DumpArgs) -> pgsnap::error::Result<DumpPlan> {
    args.to_request().and_then(DumpPlan::new)
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("pgsnap: error: could not start runtime: {e}");
            None
        }
    }
}

fn snapshot(args: pgsnap::cli::SnapshotArgs) -> ExitCode {
    use pgsnap::cli::SnapshotAction;
    if let Some(SnapshotAction::Restore {
        dir,
        conn,
        media_into,
        jobs,
        force,
        progress,
    }) = args.action
    {
        return snapshot_restore(dir, conn, media_into, jobs, force, &progress);
    }
    if let Some(SnapshotAction::Verify { dir }) = args.action {
        return match pgsnap::snapshot::verify(&dir) {
            Ok(problems) if problems.is_empty() => {
                eprintln!("pgsnap: snapshot \"{}\" is intact", dir.display());
                ExitCode::SUCCESS
            }
            Ok(problems) => {
                for p in &problems {
                    println!("{p}");
                }
                eprintln!(
                    "pgsnap: error: snapshot \"{}\" has {} problem(s)",
                    dir.display(),
                    problems.len()
                );
                ExitCode::from(ErrorKind::Verify.exit_code())
            }
            Err(e) => fail_with(e),
        };
    }
    let Some(out) = args.output.clone() else {
        return fail("snapshot needs -o OUT (the directory to create)");
    };
    if args.dump.file.is_some() {
        return fail("snapshot writes its own files; use -o OUT instead of -f");
    }
    let plan = match dump_plan(&args.dump) {
        Ok(mut p) => {
            p.switches.no_role_passwords = args.no_role_passwords;
            p
        }
        Err(e) => return fail_with(e),
    };
    let Some(rt) = runtime() else {
        return ExitCode::from(1);
    };
    let dbname = pgsnap::pg::conninfo::resolve_from_process(&plan.conn)
        .map(|s| s.dbname)
        .unwrap_or_default();
    match rt.block_on(pgsnap::snapshot::take(
        &plan,
        args.media.as_deref(),
        &out,
        &dbname,
    )) {
        Ok(m) => {
            eprintln!(
                "pgsnap: snapshot {} of \"{}\" written to \"{}\" (dump {} bytes{})",
                m.snapshot_id,
                m.database,
                out.display(),
                m.database_dump.size,
                m.media
                    .as_ref()
                    .map(|f| format!(", media {} bytes", f.size))
                    .unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail_with(e),
    }
}

/// `pgsnap snapshot restore`.
fn snapshot_restore(
    dir: std::path::PathBuf,
    conn: pgsnap::cli::ConnArgs,
    media_into: Option<std::path::PathBuf>,
    jobs: usize,
    force: bool,
    progress: &str,
) -> ExitCode {
    use pgsnap::pg::connect::PasswordPrompt;
    if conn.dbname.is_none() {
        return fail("snapshot restore needs -d DBNAME, the database to replace");
    }
    let progress = match pgsnap::progress::ProgressMode::parse(progress) {
        Ok(p) => p,
        Err(e) => return fail_with(e),
    };
    let plan = pgsnap::snapshot::restore::SnapshotRestorePlan {
        dir,
        prompt: if conn.no_password {
            PasswordPrompt::Never
        } else if conn.password {
            PasswordPrompt::Always
        } else {
            PasswordPrompt::IfNeeded
        },
        conn: conn.options(None),
        jobs,
        force,
        media_into,
        progress,
    };
    let Some(rt) = runtime() else {
        return ExitCode::from(1);
    };
    match rt.block_on(pgsnap::snapshot::restore::run(&plan)) {
        Ok(r) => {
            let listed = |v: &[String]| {
                if v.is_empty() {
                    "none".to_string()
                } else {
                    v.join(", ")
                }
            };
            let media = r
                .media
                .map(|(p, n)| format!("; media: {n} files into \"{}\"", p.display()))
                .unwrap_or_default();
            eprintln!(
                "pgsnap: snapshot restored: created {}; kept as they were {}; database: {} statements and {} tables{media}",
                listed(&r.created),
                listed(&r.existing),
                r.database.statements,
                r.database.tables,
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail_with(e),
    }
}

fn restore(args: pgsnap::cli::RestoreArgs) -> ExitCode {
    use pgsnap::pg::connect::PasswordPrompt;
    let on_error_continue = match on_error(&args) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let plan = pgsnap::restore::RestorePlan {
        conn: args.conn.options(None),
        prompt: if args.conn.no_password {
            PasswordPrompt::Never
        } else if args.conn.password {
            PasswordPrompt::Always
        } else {
            PasswordPrompt::IfNeeded
        },
        file: args
            .file_option
            .as_ref()
            .or(args.file.as_ref())
            .filter(|f| f.as_str() != "-")
            .map(std::path::PathBuf::from),
        jobs: args.jobs.max(1),
        clean_database: args.clean_database,
        in_place: args.in_place,
        keep_old: args.keep_old,
        force: args.force,
        create: args.create,
        part_bytes: if args.keep_row_order {
            None
        } else {
            Some(args.part_bytes.unwrap_or(pgsnap::restore::PART_BYTES))
        },
        single_transaction: args.single_transaction,
        progress: match pgsnap::progress::ProgressMode::parse(&args.progress) {
            Ok(p) => p,
            Err(e) => return fail(e),
        },
        progress_part: false,
        skips: pgsnap::restore::skip::Skips {
            no_owner: args.no_owner,
            no_privileges: args.no_privileges,
        },
        role: args.role.clone(),
        on_error_continue,
    };
    let Some(rt) = runtime() else {
        return ExitCode::from(1);
    };
    match rt.block_on(pgsnap::restore::run(&plan)) {
        Ok(r) => {
            let skipped = if r.skipped > 0 {
                format!(" ({} left out by -O/-x)", r.skipped)
            } else {
                String::new()
            };
            if r.failed > 0 {
                eprintln!(
                    "pgsnap: restored {} statements and {} tables{skipped}; {} failed",
                    r.statements - r.failed.min(r.statements),
                    r.tables,
                    r.failed
                );
                return ExitCode::from(ErrorKind::Server.exit_code());
            }
            eprintln!(
                "pgsnap: restored {} statements and {} tables{skipped}",
                r.statements, r.tables
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail_with(e),
    }
}

/// `--on-error` and psql's `-v ON_ERROR_STOP=...`: whether to continue after a failure.
fn on_error(args: &pgsnap::cli::RestoreArgs) -> pgsnap::error::Result<bool> {
    let mut continue_on_error = args.on_error.as_deref() == Some("continue");
    for v in &args.variables {
        match v.split_once('=') {
            Some((name, value)) if name.eq_ignore_ascii_case("ON_ERROR_STOP") => {
                continue_on_error =
                    matches!(value.to_ascii_lowercase().as_str(), "0" | "off" | "false");
            }
            _ => {
                return Err(pgsnap::error::Error::usage(format!(
                    "-v {v}: pgsnap restore knows only ON_ERROR_STOP=1|0 among psql's variables"
                )))
            }
        }
    }
    Ok(continue_on_error)
}

fn bench(args: pgsnap::cli::BenchArgs) -> ExitCode {
    use pgsnap::bench::run::{self, BenchOptions, Scenario};
    let scenarios = match Scenario::parse(&args.scenario) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let opts = BenchOptions {
        scenarios,
        scale_mb: args.scale,
        tables: args.tables,
        rounds: args.rounds,
        warmup: args.warmup,
        jobs: args.jobs,
        server_major: args.server_major,
    };
    match run::run(&opts) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => fail_with(e),
    }
}

/// The command line with pg_dump's and psql's habits on every subcommand: `-?`/`--help`,
/// `-V`/`--version`.
fn command_line() -> clap::Command {
    use clap::{Arg, ArgAction, CommandFactory};
    fn with_habits(cmd: clap::Command, top: bool) -> clap::Command {
        let heading = matches!(cmd.get_name(), "dump" | "snapshot").then_some("General options");
        let cmd = cmd
            .version(env!("CARGO_PKG_VERSION"))
            .display_name("pgsnap")
            .disable_help_flag(true)
            .disable_version_flag(true)
            .arg(
                Arg::new("version")
                    .short('V')
                    .long("version")
                    .action(ArgAction::Version)
                    .help("Output version information, then exit")
                    .help_heading(heading),
            )
            .arg(
                Arg::new("help")
                    .short('?')
                    .long("help")
                    .action(ArgAction::Help)
                    .help("Show this help, then exit")
                    .help_heading(heading),
            );
        let cmd = if top {
            cmd.disable_help_subcommand(true)
        } else {
            cmd
        };
        // A snapshot writes its own files: the dump's -f and -F do not apply there.
        let cmd = if cmd.get_name() == "snapshot" {
            cmd.mut_arg("file", |a| a.hide(true))
                .mut_arg("format", |a| a.hide(true))
        } else {
            cmd
        };
        cmd.mut_subcommands(|sub| with_habits(sub, false))
    }
    with_habits(Cli::command(), true)
}

/// A command line pgsnap cannot use: pg_dump's wording, its hint and its exit code (1); help
/// and version requests print and succeed.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind as Kind};
    match e.kind() {
        Kind::DisplayHelp | Kind::DisplayVersion => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let sub = std::env::args().skip(1).find(|a| {
        matches!(
            a.as_str(),
            "dump" | "restore" | "media" | "snapshot" | "bench"
        )
    });
    let message = match (e.kind(), e.get(ContextKind::InvalidArg)) {
        (Kind::UnknownArgument, Some(ContextValue::String(arg))) if arg.starts_with("--") => {
            format!("unrecognized option '{arg}'")
        }
        (Kind::UnknownArgument, Some(ContextValue::String(arg))) if arg.starts_with('-') => {
            format!("invalid option -- '{}'", arg.trim_start_matches('-'))
        }
        _ => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("").trim();
            first.strip_prefix("error: ").unwrap_or(first).to_string()
        }
    };
    eprintln!("pgsnap: error: {message}");
    let what = sub
        .map(|s| format!("pgsnap {s}"))
        .unwrap_or_else(|| "pgsnap".into());
    eprintln!("pgsnap: hint: Try \"{what} --help\" for more information.");
    ExitCode::from(1)
}

fn main() -> ExitCode {
    use clap::FromArgMatches;
    let cli = match command_line()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    match cli.command {
        Command::Snapshot(args) => snapshot(*args),
        Command::Restore(args) => restore(*args),
        Command::Bench(args) => bench(args),
        Command::Dumpall(args) => {
            let plan = match pgsnap::dumpall::DumpallPlan::new(&args) {
                Ok(p) => p,
                Err(e) => return fail_with(e),
            };
            let Some(rt) = runtime() else {
                return ExitCode::from(1);
            };
            // On a signal the run is dropped, and its output's temp file with it.
            let run = async {
                let mut signals = Signals::install()?;
                tokio::select! {
                    r = pgsnap::dumpall::run(&plan) => r,
                    why = signals.next() => Err(pgsnap::error::Error::new(ErrorKind::Interrupted, why)),
                }
            };
            match rt.block_on(run) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == ErrorKind::BrokenPipe => ExitCode::from(1),
                Err(e) => fail_with(e),
            }
        }
        Command::Media(cmd) => until_signal(move || match pgsnap::media::run(cmd) {
            Ok(code) => ExitCode::from(code),
            Err(e) => fail_with(e),
        }),
        Command::Dump(args) => {
            let plan = match dump_plan(&args) {
                Ok(p) => p,
                Err(e) => return fail_with(e),
            };
            let Some(rt) = runtime() else {
                return ExitCode::from(1);
            };
            match rt.block_on(run_until_signal(&plan)) {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) if e.kind() == ErrorKind::BrokenPipe => ExitCode::from(1),
                Err(e) => fail_with(e),
            }
        }
    }
}
