//! `pgsnap restore`: loads a plain SQL dump (pgsnap's or pg_dump's, plain or gzip/lz4/zstd)
//! without psql. Pre-data runs in order on one connection; table data is loaded with
//! `COPY ... FROM STDIN` on several connections at once; indexes and primary/unique
//! constraints are built in parallel; everything else (foreign keys, triggers, ACLs,
//! materialized view refreshes) runs in file order once the parallel work before it is done.

mod input;
mod load;
mod pool;
mod reader;
pub mod script;
pub mod skip;
mod statements;
pub mod swap;

pub use input::open_input;
use input::*;
use load::load;
use pool::*;
pub use reader::PART_BYTES;
use reader::*;
use statements::*;

use crate::copy::Spool;
use crate::error::{Error, ErrorKind, Result};
use crate::pg::connect::{self, PasswordPrompt};
use crate::pg::conninfo::{self, ConnOptions, ConnSettings};
use bytes::Bytes;
use futures_util::SinkExt;
use script::{Item, ScriptReader};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinSet;
use tokio_postgres::Client;

/// What to restore and how.
#[derive(Debug, Clone)]
pub struct RestorePlan {
    /// Connection options (`-d` names the target database).
    pub conn: ConnOptions,
    /// Password prompting.
    pub prompt: PasswordPrompt,
    /// The dump; `None` reads stdin.
    pub file: Option<PathBuf>,
    /// Parallel connections.
    pub jobs: usize,
    /// Replace the target database (see [`swap`]).
    pub clean_database: bool,
    /// With `clean_database`: drop the old database before loading instead of swapping after.
    pub in_place: bool,
    /// With `clean_database`: keep the old database under this name.
    pub keep_old: Option<String>,
    /// Allow dropping a database other sessions are connected to (they are terminated).
    pub force: bool,
    /// Honour the dump's own `CREATE DATABASE` and `\connect` (a `pg_dump -C` script).
    pub create: bool,
    /// Bytes of a table's data per COPY statement when loading in parallel; `None` loads each
    /// table with one COPY, keeping the rows' physical order.
    pub part_bytes: Option<usize>,
    /// Run the whole script in one transaction (serially).
    pub single_transaction: bool,
    /// Progress reporting.
    pub progress: crate::progress::ProgressMode,
    /// The restore is one part of a larger command: its progress ends with `database_done`.
    pub progress_part: bool,
    /// `-O` and `-x`: statements left out.
    pub skips: skip::Skips,
    /// `--role`: `SET ROLE` on every connection before anything else.
    pub role: Option<String>,
    /// `--on-error=continue`: report each failed statement as psql does and go on (serially,
    /// as psql without `ON_ERROR_STOP`).
    pub on_error_continue: bool,
}

/// What a restore did.
#[derive(Debug, Default)]
pub struct RestoreReport {
    /// Statements executed.
    pub statements: usize,
    /// COPY blocks loaded.
    pub tables: usize,
    /// Statements (and COPY blocks) that failed, with `--on-error=continue`.
    pub failed: usize,
    /// Statements `-O`/`-x` left out.
    pub skipped: usize,
}

/// What names the script in messages: its path, or `<stdin>` as psql says.
fn script_label(plan: &RestorePlan) -> String {
    plan.file
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "<stdin>".into())
}

/// With `--on-error=continue`, a statement's failure is reported as psql reports it and the
/// restore goes on; otherwise it ends the restore.
fn failed_statement(
    plan: &RestorePlan,
    report: &mut RestoreReport,
    line: usize,
    e: Error,
) -> Result<()> {
    if !plan.on_error_continue || e.sqlstate().is_none() {
        return Err(at_line(line, e));
    }
    report.failed += 1;
    eprintln!(
        "pgsnap:{}:{line}: ERROR:  {}",
        script_label(plan),
        e.show_server_context()
    );
    Ok(())
}

/// The `SET ROLE` of `--role`.
fn set_role(role: &str) -> String {
    format!("SET ROLE {}", crate::ddl::quote::quote_ident(role))
}

fn at_line(line: usize, e: Error) -> Error {
    if e.has_line() {
        // The script reader placed it already (a truncated COPY, say).
        return e;
    }
    e.show_server_context().context(format!("line {line}"))
}

/// An error of a COPY whose rows start after line `base`: named by the line of the row the
/// server reports in its CONTEXT (`COPY t, line 5: ...`), not by the COPY statement's.
fn copy_at(base: usize, e: Error) -> Error {
    let row = e.server_context().and_then(copy_context_row);
    at_line(base + row.unwrap_or(0), e)
}

/// The row number of a COPY error's CONTEXT (`COPY t, line 5, column b: "x"` -> 5).
fn copy_context_row(context: &str) -> Option<usize> {
    let rest = context.strip_prefix("COPY ")?;
    let at = rest.find(", line ")? + ", line ".len();
    let digits: String = rest[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Restore sessions commit without waiting for each commit's WAL flush: a script commits
/// every statement, and waiting on the disk for each is most of the time spent on small
/// objects. A crash mid-restore means restoring again anyway; [`flush_commits`] makes the
/// finished restore durable.
const ASYNC_COMMIT: &str = "SET synchronous_commit TO off";

/// Waits until every commit so far (of any session) is flushed to disk: a transaction with an
/// id, committed synchronously, flushes the WAL up to its own commit record, after all others.
async fn flush_commits(client: &Client) -> Result<()> {
    client
        .batch_execute(
            "BEGIN; SET LOCAL synchronous_commit TO on; SELECT pg_catalog.txid_current(); COMMIT",
        )
        .await?;
    Ok(())
}

/// The leader's connection again with its socket at hand (no TLS), so that a statement too long
/// to hold in memory can be streamed to the server; as it was otherwise.
async fn with_socket(
    client: Client,
    settings: &ConnSettings,
) -> (Client, Option<crate::pg::shared_socket::SharedSocket>) {
    match crate::pg::shared_socket::connect(settings).await {
        Some((c, socket)) => (c, Some(socket)),
        None => (client, None),
    }
}

/// Runs a statement held in a temp file: streamed from it when the leader's socket is at hand;
/// over TLS it is read into memory first (the driver sends whole strings).
async fn run_long_statement(
    leader: &Client,
    socket: Option<&crate::pg::shared_socket::SharedSocket>,
    text: &mut std::fs::File,
    len: u64,
) -> Result<()> {
    if let Some(socket) = socket {
        return crate::pg::simple_query::run_streamed(socket, len, text).await;
    }
    let mut sql = String::new();
    text.read_to_string(&mut sql)?;
    leader.batch_execute(&sql).await.map_err(Error::from)
}

/// `--clean-database --in-place`: drops the target database first, then creates it empty
/// (the seed's `drop database` / `create database`).
async fn clean_database(settings: &ConnSettings, force: bool) -> Result<()> {
    let target = settings.dbname.clone();
    let admin = swap::Admin::connect(settings, &target).await?;
    admin.make_idle(&target, force, true).await?;
    admin.drop_database(&target).await?;
    admin.create(&target).await
}

/// Runs a restore. On failure, says which tables had been loaded completely before it stopped
/// (everything before the failing statement is committed, as with `psql -v ON_ERROR_STOP=1`).
pub async fn run(plan: &RestorePlan) -> Result<RestoreReport> {
    let loaded = LoadedTables::default();
    let settings = conninfo::resolve_from_process(&plan.conn)?;
    if plan.clean_database
        && !plan.create
        && !plan.force
        && matches!(
            settings.dbname.as_str(),
            "postgres" | "template0" | "template1"
        )
    {
        return Err(Error::usage(format!(
            "refusing to replace the database \"{}\", which the server and its tools rely on (add --force if that is really meant)",
            settings.dbname
        )));
    }
    let result = if plan.clean_database && !plan.in_place && !plan.create {
        replace(plan, settings, &loaded).await
    } else {
        let mut created = None;
        let result = load(plan, settings, &loaded, &mut created).await;
        finish_created(plan, created, result).await
    };
    if result.is_err() && !plan.single_transaction {
        let tables = loaded.lock().unwrap_or_else(|p| p.into_inner());
        if !tables.is_empty() {
            eprintln!(
                "pgsnap: the restore stopped at its first error; the data of {} table(s) had been loaded: {}",
                tables.len(),
                tables.join(", ")
            );
        }
    }
    result.map_err(|e| e.in_file(&script_label(plan)))
}

/// `--clean-database` (see [`swap`]): load into a staging database, then swap it in.
async fn replace(
    plan: &RestorePlan,
    settings: ConnSettings,
    loaded: &LoadedTables,
) -> Result<RestoreReport> {
    let target = settings.dbname.clone();
    let admin = swap::Admin::connect(&settings, &target).await?;
    if let Some(keep) = &plan.keep_old {
        if admin.exists(keep).await? {
            return Err(Error::usage(format!(
                "--keep-old: database \"{keep}\" already exists"
            )));
        }
    }
    // Refuse a database in use before any work (with --force, its sessions end at the swap).
    admin.make_idle(&target, plan.force, false).await?;
    let staging = swap::staging_name(&target);
    // A staging database of a run that was killed midway is of no use.
    admin.drop_database(&staging).await?;
    admin.create(&staging).await?;
    let mut into = settings;
    into.dbname = staging.clone();
    let mut created = None;
    let result = load(plan, into, loaded, &mut created).await;
    let created = created.or(Some(swap::Created {
        admin,
        target,
        staging,
        written: None,
    }));
    finish_created(plan, created, result).await
}

/// Swaps a staging database in after a successful load, or drops it after a failed one.
async fn finish_created(
    plan: &RestorePlan,
    created: Option<swap::Created>,
    result: Result<RestoreReport>,
) -> Result<RestoreReport> {
    let Some(c) = created else {
        return result;
    };
    let swapped = match &result {
        Ok(_) => {
            c.admin
                .swap(&c.target, &c.staging, plan.keep_old.as_deref(), plan.force)
                .await
        }
        Err(_) => Ok(()),
    };
    if result.is_err() || swapped.is_err() {
        // The old database was not touched; the half-loaded copy goes.
        let _ = c.admin.make_idle(&c.staging, true, true).await;
        if let Err(e) = c.admin.drop_database(&c.staging).await {
            eprintln!("pgsnap: warning: {e}");
        }
    }
    swapped?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restricted_mode_checks_keys_as_psql() {
        let said = |r: Result<()>| r.map_err(|e| e.to_string());
        let mut r = Restricted::default();
        assert_eq!(
            said(r.command("restrict", "")),
            Err("\\restrict: missing required argument".into())
        );
        assert_eq!(
            said(r.command("unrestrict", "abc")),
            Err("\\unrestrict: not currently in restricted mode".into())
        );
        assert_eq!(said(r.command("restrict", "abc")), Ok(()));
        assert!(r.on());
        assert_eq!(
            said(r.command("unrestrict", "abd")),
            Err("\\unrestrict: wrong key".into())
        );
        assert_eq!(said(r.command("unrestrict", "abc")), Ok(()));
        assert!(!r.on());
    }

    #[test]
    fn wave_jobs_carry_the_settings_written_before_them() {
        let mut w = WaveSettings::default();
        assert_eq!(w.ahead_of("CREATE INDEX a".into()), "CREATE INDEX a");
        w.set("SET default_tablespace = ts1;");
        w.set("SELECT pg_catalog.set_config('search_path', '', false);");
        w.set("SET default_tablespace = '';");
        assert_eq!(
            w.ahead_of("CREATE INDEX b".into()),
            "SET default_tablespace = '';\nSELECT pg_catalog.set_config('search_path', '', false);\nCREATE INDEX b"
        );
        assert_eq!(copy_context_row("COPY t, line 5, column b: \"x\""), Some(5));
        assert_eq!(copy_context_row("SQL function f"), None);
    }

    #[test]
    fn post_data_statements_name_their_table() {
        assert_eq!(
            post_data_table(
                "ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (id);"
            ),
            Some("public.t")
        );
        assert_eq!(
            post_data_table("CREATE UNIQUE INDEX i ON ONLY public.p USING btree (a);"),
            Some("public.p")
        );
        assert_eq!(
            post_data_table("CREATE INDEX i ON public.t USING btree (a);"),
            Some("public.t")
        );
        assert!(splittable("COPY public.t (a, b) FROM stdin;"));
        assert!(!splittable("COPY t FROM stdin WITH (FORMAT csv);"));
    }
}
