//! Table locks in the copy workers, and the leader's connection as their fallback.
//!
//! The leader locks every dumped table at the start (as pg_dump does). A worker's COPY takes the
//! same lock again in its own transaction, and a lock request waits behind any request queued
//! before it: when another session asks for an ACCESS EXCLUSIVE lock in between (a migration's
//! `ALTER TABLE`, a `DROP TABLE`), that request waits for the leader, the worker waits for that
//! request, and the leader waits for the worker through the client, a deadlock the server cannot
//! see. So a worker locks with `NOWAIT` first; when that is refused, the table goes to the leader,
//! whose lock is already granted, and the dump neither hangs nor fails.

use super::{CopyJob, Task, WorkerConn};
use crate::error::{Error, ErrorKind, Result};
use crate::pg::session;
use bytes::Bytes;

/// SQLSTATE of a lock `NOWAIT` could not take (`lock_not_available`).
const LOCK_NOT_AVAILABLE: &str = "55P03";

/// `LOCK TABLE ONLY a, ONLY b IN ACCESS SHARE MODE NOWAIT`: `ONLY`, since a COPY reads only its
/// own table (locking a parent would lock its inheritance children too).
pub fn lock_sql(tables: &[&str]) -> String {
    let list: Vec<String> = tables.iter().map(|t| format!("ONLY {t}")).collect();
    format!("LOCK TABLE {} IN ACCESS SHARE MODE NOWAIT", list.join(", "))
}

/// Tries to lock `tables` without waiting: `false` when the server refused.
async fn try_lock(conn: &WorkerConn, tables: &[&str]) -> Result<bool> {
    match conn.client.batch_execute(&lock_sql(tables)).await {
        Ok(()) => Ok(true),
        Err(e) => {
            let e = Error::from_pg(e, ErrorKind::Server).context("locking tables");
            if e.sqlstate() == Some(LOCK_NOT_AVAILABLE) {
                Ok(false)
            } else {
                Err(e)
            }
        }
    }
}

/// A refused lock aborted the worker's transaction: begin again on the same snapshot (what was
/// copied in the old one is done; the locks it held are no longer needed).
async fn restart(conn: &WorkerConn, snapshot: &str) -> Result<()> {
    conn.client
        .batch_execute("ROLLBACK")
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("restarting transaction"))?;
    session::begin_worker(&conn.client, snapshot).await
}

/// Whether each of `jobs` may be copied here: one statement for all of them, and only when it is
/// refused, one per table to find which.
async fn lockable(conn: &WorkerConn, snapshot: &str, jobs: &[&CopyJob]) -> Result<Vec<bool>> {
    let tables: Vec<&str> = jobs.iter().filter_map(|j| j.lock.as_deref()).collect();
    if tables.is_empty() || try_lock(conn, &tables).await? {
        return Ok(vec![true; jobs.len()]);
    }
    restart(conn, snapshot).await?;
    if tables.len() == 1 {
        return Ok(jobs.iter().map(|j| j.lock.is_none()).collect());
    }
    let mut ok = Vec::with_capacity(jobs.len());
    for job in jobs {
        let got = match job.lock.as_deref() {
            Some(table) => try_lock(conn, &[table]).await?,
            None => true,
        };
        if !got {
            restart(conn, snapshot).await?;
        }
        ok.push(got);
    }
    Ok(ok)
}

/// Locks the task's tables without waiting; jobs whose lock was refused go to the leader. Returns
/// what is left to copy here (`None`: nothing), or the task with the error that stopped it.
pub(super) async fn take_locks(
    conn: &WorkerConn,
    snapshot: &str,
    task: Task,
) -> std::result::Result<Option<Task>, (Task, Error)> {
    let jobs: Vec<&CopyJob> = match &task {
        Task::Range(_, claim) => vec![&claim.job],
        Task::Tables(batch) => batch.iter().map(|(job, _)| job).collect(),
    };
    let ok = match lockable(conn, snapshot, &jobs).await {
        Ok(ok) => ok,
        Err(e) => return Err((task, e)),
    };
    if ok.iter().all(|&b| b) {
        return Ok(Some(task));
    }
    match task {
        Task::Range(_, claim) => {
            claim.feed.0.hand_to_leader(claim.job);
            Ok(None)
        }
        Task::Tables(batch) => {
            let mut rest = Vec::with_capacity(batch.len());
            for ((job, feed), here) in batch.into_iter().zip(ok) {
                if here {
                    rest.push((job, feed));
                } else {
                    feed.0.hand_to_leader(job);
                }
            }
            Ok((!rest.is_empty()).then_some(Task::Tables(rest)))
        }
    }
}

/// The leader's connection, copying the jobs workers could not lock: it has held every table's
/// lock since the dump began, so its COPY never waits.
pub struct Leader<'a> {
    /// The leader's client, inside the dump's transaction.
    pub client: &'a tokio_postgres::Client,
    /// The dump's client encoding when not UTF8 (the leader speaks UTF8 otherwise).
    pub encoding: Option<&'a str>,
    /// `-v`: say which tables the leader copied.
    pub verbose: bool,
}

impl Leader<'_> {
    /// Copies `job` into `out`, with the same bytes a worker would have produced.
    pub async fn copy(
        &self,
        job: &CopyJob,
        out: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        if self.verbose {
            eprintln!(
                "pgsnap: {}: another session holds or waits for a conflicting lock; copying it on the leader's connection",
                job.name
            );
        }
        let client = self.client;
        let err = |e| Error::from_pg(e, ErrorKind::Server).context(format!("COPY {}", job.name));
        // As on the workers: ranges read the heap in order, text comes in the dump's encoding.
        let mut setup = String::from("SET max_parallel_workers_per_gather = 0");
        if let Some(enc) = self.encoding {
            setup.push_str(&format!("; SET client_encoding = '{enc}'"));
        }
        client.batch_execute(&setup).await.map_err(err)?;
        let push = |b: Bytes| out(&b);
        let copied = match &job.inserts {
            Some(spec) => {
                super::inserts::dump_table(client, spec, &job.name, self.encoding, push).await
            }
            None => super::copy_table(client, &job.sql, &job.name, push).await,
        };
        if self.encoding.is_some() {
            client
                .batch_execute("SET client_encoding = 'UTF8'")
                .await
                .map_err(err)?;
        }
        copied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_only_the_tables_named_without_waiting() {
        assert_eq!(
            lock_sql(&["public.a", "\"S\".\"b c\""]),
            "LOCK TABLE ONLY public.a, ONLY \"S\".\"b c\" IN ACCESS SHARE MODE NOWAIT"
        );
    }
}
