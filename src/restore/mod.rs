//! `pgsnap restore`: loads a plain SQL dump (pgsnap's or pg_dump's, plain or gzip/lz4/zstd)
//! without psql. Pre-data runs in order on one connection; table data is loaded with
//! `COPY ... FROM STDIN` on several connections at once; indexes and primary/unique
//! constraints are built in parallel; everything else (foreign keys, triggers, ACLs,
//! materialized view refreshes) runs in file order once the parallel work before it is done.

mod input;
mod pool;
mod reader;
pub mod script;
pub mod skip;
mod statements;
pub mod swap;

pub use input::open_input;
use input::*;
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

async fn load(
    plan: &RestorePlan,
    settings: ConnSettings,
    loaded: &LoadedTables,
    created: &mut Option<swap::Created>,
) -> Result<RestoreReport> {
    let read_bytes: Arc<std::sync::atomic::AtomicU64> = Arc::default();
    let input = open_counted(plan.file.as_deref(), Arc::clone(&read_bytes))?;
    let file_size = plan
        .file
        .as_deref()
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .unwrap_or(0);
    let mut progress = crate::progress::Progress::new(plan.progress, file_size, 0);
    let mut reported = 0u64;
    progress.phase("restore");
    // Workers report each table they finish loading; the reader passes it on to progress.
    let (loaded_tx, loaded_rx) = std::sync::mpsc::channel::<Loaded>();
    if plan.clean_database && plan.in_place && !plan.create {
        clean_database(&settings, plan.force).await?;
    }
    let (leader, settings) = connect::connect_leader(settings, plan.prompt).await?;
    let (mut leader, mut leader_socket) = with_socket(leader, &settings).await;
    leader.batch_execute(ASYNC_COMMIT).await?;
    // One connection runs everything in file order, as psql does: a failure then leaves
    // exactly what psql leaves. Several connections load data and build indexes in parallel.
    let jobs = if plan.single_transaction || plan.jobs <= 1 || plan.on_error_continue {
        0
    } else {
        plan.jobs
    };
    let mut pool = Pool::new(settings.clone(), jobs).await?;
    if let Some(role) = &plan.role {
        leader.batch_execute(&set_role(role)).await?;
        pool.apply_setting(&set_role(role)).await?;
    }
    if plan.single_transaction {
        leader.batch_execute("BEGIN").await?;
    }
    let (items_tx, mut items_rx) = mpsc::channel::<Result<Next>>(4);
    let gate = Arc::new(BudgetGate::new(SPOOL_BUDGET));
    // Splitting a table's rows over several COPY statements loads them in parallel (the rows'
    // physical order changes, their set does not); one transaction means one connection.
    let split = plan.part_bytes.filter(|_| jobs > 1).map(|b| b.max(1));
    let reader_gate = Arc::clone(&gate);
    // The script is read on its own thread: COPY data goes into spools that workers drain
    // while the reader moves on, so loading several tables overlaps with reading the file.
    let reader = std::thread::spawn(move || read_script(input, items_tx, reader_gate, split));

    let _close_gate = CloseOnDrop(Arc::clone(&gate));
    let mut loading: Option<Arc<TableLoad>> = None;
    let mut report = RestoreReport::default();
    // Index and constraint builds seen since the last other statement: they run in parallel,
    // biggest table first, so the longest build does not start last.
    let mut wave: Vec<WaveJob> = Vec::new();
    let mut in_parallel_wave = false;
    let mut wave_settings = WaveSettings::default();
    let mut restricted = Restricted::default();
    let mut batch = StatementBatch::default();
    let mut script_txn = ScriptTransaction::default();
    let mut table_bytes: std::collections::HashMap<String, u64> = Default::default();
    while let Some(next) = items_rx.recv().await {
        if pool.failed() {
            pool.barrier().await?;
        }
        let Next {
            item,
            spool,
            part,
            rows_after,
        } = next?;
        if part == 0 {
            // Any item but a further part of the same table means that table's data is all read.
            if let Some(load) = loading.take() {
                load.release();
            }
        }
        let now = read_bytes.load(std::sync::atomic::Ordering::Relaxed);
        progress.bytes(now.saturating_sub(reported));
        reported = now;
        if !matches!(item, Item::Statement { .. }) {
            batch.run(&leader).await?;
            start_wave(&mut pool, &mut wave).await?;
        }
        match item {
            Item::Meta { cmd, arg, line } => match cmd.as_str() {
                "restrict" | "unrestrict" => restricted
                    .command(&cmd, &arg)
                    .map_err(|e| e.context(format!("line {line}")))?,
                _ if restricted.on() => {
                    return Err(Error::usage(
                        "backslash commands are restricted; only \\unrestrict is allowed",
                    )
                    .context(format!("line {line}")))
                }
                "connect" | "c" if !plan.create => return Err(needs_create(line)),
                "connect" | "c" => {
                    pool.barrier().await?;
                    let mut db = arg
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_matches('"')
                        .to_string();
                    if let Some(c) = created.as_ref().filter(|c| c.target == db) {
                        db = c.staging.clone();
                    }
                    let mut s = settings.clone();
                    s.dbname = db;
                    let (c, s) = connect::connect_leader(s, PasswordPrompt::Never)
                        .await
                        .map_err(|e| at_line(line, e))?;
                    let (c, socket) = with_socket(c, &s).await;
                    c.batch_execute(ASYNC_COMMIT).await?;
                    flush_commits(&leader).await?;
                    leader = c;
                    leader_socket = socket;
                    pool = Pool::new(s, jobs).await?;
                    if let Some(role) = &plan.role {
                        leader.batch_execute(&set_role(role)).await?;
                        pool.apply_setting(&set_role(role)).await?;
                    }
                }
                other => {
                    return Err(Error::usage(format!(
                        "meta-command \\{other} is not allowed in a restore"
                    ))
                    .context(format!("line {line}")))
                }
            },
            Item::LongStatement {
                head,
                mut text,
                len,
                line,
                ..
            } => {
                report.statements += 1;
                note_loaded(&loaded_rx, &mut progress, &mut table_bytes);
                pool.barrier().await?;
                in_parallel_wave = false;
                if !plan.create && creates_database(&head) {
                    return Err(needs_create(line));
                }
                if let Err(e) =
                    run_long_statement(&leader, leader_socket.as_ref(), &mut text, len).await
                {
                    failed_statement(plan, &mut report, line, e)?;
                }
            }
            Item::Copy { sql, .. } => {
                let spool = spool
                    .ok_or_else(|| Error::new(ErrorKind::Io, "internal: COPY without data"))?;
                let table = sql
                    .trim_start_matches("COPY ")
                    .split(' ')
                    .next()
                    .unwrap_or("")
                    .to_string();
                if part == 0 {
                    report.tables += 1;
                    progress.table_start(&table);
                }
                if jobs == 0 {
                    let started = std::time::Instant::now();
                    match copy_in(&leader, &sql, &spool, &gate).await {
                        Ok(bytes) => {
                            note_table(loaded, &table);
                            progress.table_loaded(&table, bytes, started.elapsed().as_secs_f64());
                        }
                        Err(e) => {
                            let row = e.server_context().and_then(copy_context_row).unwrap_or(0);
                            failed_statement(plan, &mut report, rows_after + row, e)?;
                            // The rest of its data is read and left, as psql does.
                            while spool.next_chunk().await?.is_some() {
                                gate.freed();
                            }
                        }
                    }
                } else {
                    let load = match (&loading, part) {
                        (Some(load), p) if p > 0 => Arc::clone(load),
                        _ => {
                            let load = TableLoad::new(table, loaded_tx.clone(), loaded);
                            loading = Some(Arc::clone(&load));
                            load
                        }
                    };
                    pool.spawn_copy(sql, rows_after, spool, Arc::clone(&gate), load)
                        .await?;
                }
            }
            Item::Statement { sql, line, toc } => {
                if !plan.create && creates_database(&sql) {
                    return Err(needs_create(line));
                }
                if plan.skips.skips(toc.as_deref(), &sql) {
                    report.skipped += 1;
                    continue;
                }
                if plan.create && plan.clean_database && swap::drops_database(&sql) {
                    // --clean-database replaces the database itself: the old one stays until
                    // the new one is swapped in (or is dropped with --in-place).
                    continue;
                }
                let sql = match created.as_ref() {
                    Some(c) if c.written.is_some() => {
                        swap::rename_database(&sql, c.written.as_deref().unwrap_or(""), &c.staging)
                    }
                    _ => sql,
                };
                if plan.create && plan.clean_database && creates_database(&sql) {
                    if let Some(c) = swap::create_database(plan, &settings, &sql).await? {
                        c.admin
                            .execute(&swap::rename_database(
                                &sql,
                                c.written.as_deref().unwrap_or(""),
                                &c.staging,
                            ))
                            .await
                            .map_err(|e| at_line(line, e))?;
                        *created = Some(c);
                        report.statements += 1;
                        continue;
                    }
                }
                report.statements += 1;
                note_loaded(&loaded_rx, &mut progress, &mut table_bytes);
                let data_side = matches!(toc.as_deref(), Some("SEQUENCE SET"));
                // The session user of --use-set-session-authorization dumps is the leader's:
                // it runs everything owned by someone, while index and constraint builds
                // (owned by their table whoever runs them) go on in the workers.
                if jobs > 0 && in_parallel_wave && sets_session_user(&sql) {
                    leader
                        .batch_execute(&sql)
                        .await
                        .map_err(|e| at_line(line, Error::from(e)))?;
                    continue;
                }
                if jobs > 0 && parallel_post_data(&toc) && is_session_setting(&sql) {
                    // A setting inside an index or constraint entry (its tablespace) holds for
                    // the builds after it in the file: each carries the settings it was
                    // written under, since the wave runs them on any connection, in any order.
                    batch.run(&leader).await?;
                    leader
                        .batch_execute(&sql)
                        .await
                        .map_err(|e| at_line(line, Error::from(e)))?;
                    wave_settings.set(&sql);
                    continue;
                }
                if jobs > 0 && parallel_post_data(&toc) {
                    if !in_parallel_wave {
                        batch.run(&leader).await?;
                        pool.barrier().await?;
                        note_loaded(&loaded_rx, &mut progress, &mut table_bytes);
                        in_parallel_wave = true;
                    }
                    let bytes = post_data_table(&sql)
                        .and_then(|t| table_bytes.get(t))
                        .copied()
                        .unwrap_or(0);
                    let sql = wave_settings.ahead_of(sql);
                    wave.push(WaveJob { bytes, sql, line });
                    continue;
                }
                start_wave(&mut pool, &mut wave).await?;
                if !data_side {
                    pool.barrier().await?;
                    in_parallel_wave = false;
                }
                script_txn.see(&sql);
                if !plan.single_transaction
                    && !plan.on_error_continue
                    && script_txn.outside()
                    && batchable(&toc, &sql)
                {
                    batch.push(sql, line);
                    if batch.full() {
                        batch.run(&leader).await?;
                    }
                    continue;
                }
                batch.run(&leader).await?;
                if let Err(e) = leader.batch_execute(&sql).await {
                    failed_statement(plan, &mut report, line, Error::from(e))?;
                }
                if jobs > 0 && is_session_setting(&sql) {
                    pool.apply_setting(&sql).await?;
                }
            }
        }
    }
    if let Some(load) = loading.take() {
        load.release();
    }
    batch.run(&leader).await?;
    start_wave(&mut pool, &mut wave).await?;
    pool.barrier().await?;
    note_loaded(&loaded_rx, &mut progress, &mut table_bytes);
    let _ = reader.join();
    progress.finish(read_bytes.load(std::sync::atomic::Ordering::Relaxed));
    if plan.single_transaction {
        leader
            .batch_execute("SET LOCAL synchronous_commit TO on; COMMIT")
            .await?;
    } else {
        flush_commits(&leader).await?;
    }
    Ok(report)
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
