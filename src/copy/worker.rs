//! The copy workers: threads with their own connections on the leader's snapshot, taking tables largest first from one queue.

use super::*;

/// COPY jobs a worker runs in one transaction before it re-imports the snapshot.
pub(super) const TABLES_PER_TRANSACTION: usize = 1000;

pub(super) enum Work {
    Whole(CopyJob, Feed),
    Split(SplitWork),
}

/// What a worker does next: one range of a split table, one big table, or a batch of small ones.
pub(super) enum Task {
    Range(Arc<SplitTable>, Claim),
    Tables(Vec<(CopyJob, Feed)>),
}

impl Task {
    /// Reports `e` on the task's first spool (the writer stops there); dropping the others
    /// fails them as "copy worker stopped".
    pub(super) fn fail(self, e: Error) {
        match self {
            Task::Range(_, claim) => claim.feed.0.finish(Err(e)),
            Task::Tables(batch) => {
                if let Some((_, feed)) = batch.first() {
                    feed.0.finish(Err(e));
                }
            }
        }
    }
}

impl Task {
    /// Gives every job of the task to the leader's connection.
    pub(super) fn hand_to_leader(self) {
        match self {
            Task::Range(_, claim) => claim.feed.0.hand_to_leader(claim.job),
            Task::Tables(batch) => {
                for (job, feed) in batch {
                    feed.0.hand_to_leader(job);
                }
            }
        }
    }
}

pub(super) fn next_task(queue: &Mutex<Vec<Work>>) -> Option<Task> {
    let mut q = queue.lock().ok()?;
    loop {
        match q.pop()? {
            Work::Split(split) => {
                let table = Arc::clone(&split.0);
                let Some(claim) = table.claim() else {
                    continue;
                };
                if !claim.last {
                    // Back on top: the next idle worker takes the following range.
                    q.push(Work::Split(split));
                }
                return Some(Task::Range(table, claim));
            }
            Work::Whole(job, feed) => {
                let mut batch = vec![(job, feed)];
                // Small ones (the queue ends with them, largest first) go in pipelined batches.
                if batch[0].0.relpages <= SMALL_TABLE_PAGES && batch[0].0.inserts.is_none() {
                    while batch.len() < SMALL_BATCH {
                        match q.pop() {
                            Some(Work::Whole(j, f)) if j.inserts.is_none() => batch.push((j, f)),
                            Some(other) => {
                                q.push(other);
                                break;
                            }
                            None => break,
                        }
                    }
                }
                return Some(Task::Tables(batch));
            }
        }
    }
}

/// How a worker connection is opened and set up.
#[derive(Debug, Clone)]
pub struct WorkerSetup {
    /// Where to connect, the snapshot, the session settings.
    pub join: session::Joining,
    /// The dump's client encoding when not UTF8: COPY text comes in it.
    pub encoding: Option<String>,
    /// Set once the dump no longer waits for the workers (it failed): they stop at the next
    /// task, and say nothing of connections they could not open.
    pub stop: Arc<std::sync::atomic::AtomicBool>,
}

impl WorkerSetup {
    pub(super) fn stopped(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }
}

/// Sets [`WorkerSetup::stop`] when dropped: the writer's side holds it for as long as it waits
/// on the workers.
pub struct StopWorkers(pub Arc<std::sync::atomic::AtomicBool>);

impl Drop for StopWorkers {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// Starts `workers` threads, each with its own connection on the setup's snapshot, copying `tables`
/// largest first; tables of at least twice `chunking.first_pages` are copied in ctid ranges by
/// every worker at once. Returns the spools keyed by TOC entry.
pub fn start_workers(
    setup: &WorkerSetup,
    mut tables: Vec<TableJob>,
    workers: usize,
    memory_cap: usize,
    chunking: Chunking,
) -> Spools {
    // Largest table first; ties by entry so the schedule is deterministic.
    tables.sort_by(|a, b| b.relpages.cmp(&a.relpages).then(a.entry.cmp(&b.entry)));
    let budget = Arc::new(AtomicUsize::new(memory_cap));
    // A chunk of about this much text can wait in memory for each worker plus the writer.
    let target_bytes = (memory_cap / (workers + 1)).clamp(1 << 20, 32 << 20) as u64;
    let first_pages = chunking.first_pages.max(1);
    let mut spools: Spools = BTreeMap::new();
    let mut queue = Vec::new();
    for job in tables {
        let list = TableSpools::new();
        spools.insert(job.entry, Arc::clone(&list));
        if workers >= 2
            && job.relpages >= 2 * first_pages
            && !job.columns.is_empty()
            && job.inserts.is_none()
        {
            queue.push(Work::Split(SplitWork(Arc::new(SplitTable {
                job,
                adaptive: chunking.adaptive,
                target_bytes,
                budget: Arc::clone(&budget),
                spools: list,
                state: Mutex::new(SplitState {
                    next_page: 0,
                    pages: first_pages,
                    chunk: 0,
                    exhausted: false,
                }),
            }))));
        } else {
            let spool = Spool::new(Arc::clone(&budget));
            list.push(Arc::clone(&spool), true);
            queue.push(Work::Whole(
                CopyJob {
                    lock: job.lock.then(|| job.qualified.clone()),
                    sql: job.sql,
                    relpages: job.relpages,
                    name: job.name,
                    inserts: job.inserts,
                },
                Feed(spool),
            ));
        }
    }
    // Workers pop from the end: largest first.
    queue.reverse();
    let queue = Arc::new(Mutex::new(queue));
    if workers == 0 {
        // No connection to spare on the server: the leader copies everything.
        hand_rest_to_leader(&queue);
        return spools;
    }
    let unconnected = Arc::new(AtomicUsize::new(workers));
    for _ in 0..workers {
        let (queue_here, unconnected_here) = (Arc::clone(&queue), Arc::clone(&unconnected));
        let setup_here = setup.clone();
        // Each worker gets its own OS thread and single-threaded runtime: the COPY stream and
        // its connection task then never hand messages across threads (one wake-up per row).
        let spawned = std::thread::Builder::new()
            .name("pgsnap-copy".into())
            .spawn(move || {
                let (queue, unconnected, setup) = (queue_here, unconnected_here, setup_here);
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        worker_missing(&queue, &unconnected, &e.to_string(), &setup);
                        return;
                    }
                };
                rt.block_on(async {
                    let conn = match worker_connect(&setup).await {
                        Ok(c) => c,
                        Err(e) => {
                            worker_missing(&queue, &unconnected, &e.to_string(), &setup);
                            return;
                        }
                    };
                    unconnected.fetch_sub(1, Ordering::AcqRel);
                    run_worker(&conn, &setup, &queue).await;
                });
            });
        if let Err(e) = spawned {
            worker_missing(&queue, &unconnected, &e.to_string(), setup);
        }
    }
    spools
}

/// A worker that never started: the others go on without it (the server may refuse further
/// connections, as with a connection limit); when it was the last one to try, nobody will take
/// the queue, so the leader copies what is left.
pub(super) fn worker_missing(
    queue: &Mutex<Vec<Work>>,
    unconnected: &AtomicUsize,
    why: &str,
    setup: &WorkerSetup,
) {
    let last = unconnected.fetch_sub(1, Ordering::AcqRel) == 1;
    if setup.stopped() {
        return;
    }
    if last {
        eprintln!(
            "pgsnap: warning: no copy worker could connect ({why}); the tables are copied on the leader's connection"
        );
        hand_rest_to_leader(queue);
    } else {
        eprintln!(
            "pgsnap: warning: a copy worker could not connect ({why}); going on with the others"
        );
    }
}

/// Hands every job left in the queue to the leader.
pub(super) fn hand_rest_to_leader(queue: &Mutex<Vec<Work>>) {
    while let Some(task) = next_task(queue) {
        task.hand_to_leader();
    }
}

/// A connected worker's loop: takes tasks until the queue is empty or a copy fails.
pub(super) async fn run_worker(conn: &WorkerConn, setup: &WorkerSetup, queue: &Mutex<Vec<Work>>) {
    let mut copied = 0usize;
    while let Some(task) = next_task(queue) {
        if setup.stopped() {
            break;
        }
        if copied >= TABLES_PER_TRANSACTION {
            // Each COPY locks its table in this worker's transaction; start a new one on the
            // same snapshot now and then so that thousands of tables do not fill the server's
            // lock table (the leader keeps every table locked for the whole dump).
            copied = 0;
            let renewed = async {
                let client = &conn.client;
                client.batch_execute("COMMIT").await.map_err(Error::from)?;
                session::begin_worker(client, &setup.join.snapshot).await
            }
            .await;
            if let Err(e) = renewed {
                task.fail(e);
                break;
            }
        }
        let task = match lock::take_locks(conn, &setup.join.snapshot, task).await {
            Ok(Some(task)) => task,
            Ok(None) => continue,
            Err((task, e)) => {
                task.fail(e);
                break;
            }
        };
        let ok = match task {
            Task::Range(table, claim) => {
                copied += 1;
                let started = std::time::Instant::now();
                let (res, bytes) =
                    copy_one(conn, &claim.job, &claim.feed.0, setup.encoding.as_deref()).await;
                if res.is_ok() && !claim.last {
                    table.observe(claim.pages, bytes, started.elapsed().as_secs_f64());
                }
                let ok = res.is_ok();
                claim.feed.0.finish(res);
                ok
            }
            Task::Tables(batch) if batch.len() == 1 => {
                copied += 1;
                let Some((job, feed)) = batch.into_iter().next() else {
                    break;
                };
                let (res, _) = copy_one(conn, &job, &feed.0, setup.encoding.as_deref()).await;
                let ok = res.is_ok();
                feed.0.finish(res);
                ok
            }
            Task::Tables(batch) => {
                copied += batch.len();
                copy_small_batch(conn, batch).await.is_ok()
            }
        };
        if !ok {
            break;
        }
    }
}

/// Copies one job into its spool; returns the result and the bytes copied. `encoding`: the
/// dump's client encoding when not UTF8 (the worker's COPY output is already in it).
pub(super) async fn copy_one(
    conn: &WorkerConn,
    job: &CopyJob,
    spool: &Spool,
    encoding: Option<&str>,
) -> (Result<()>, u64) {
    if let (Some(socket), None) = (&conn.socket, &job.inserts) {
        let mut outcome = None;
        let run = copy_direct(socket, &[(job, spool)], &mut |_, res, bytes| {
            outcome = Some((res, bytes));
        })
        .await;
        return match (run, outcome) {
            (Err(e), _) => (Err(e.context(format!("COPY {}", job.name))), 0),
            (Ok(()), Some(done)) => done,
            (Ok(()), None) => (
                Err(Error::new(
                    ErrorKind::Server,
                    "internal: COPY answer missing",
                )),
                0,
            ),
        };
    }
    let mut bytes = 0u64;
    let push = |b: Bytes| {
        bytes += b.len() as u64;
        spool
            .push(b)
            .map_err(|e| Error::from(e).context(format!("spooling {}", job.name)))
    };
    let res = match &job.inserts {
        Some(spec) => {
            super::inserts::dump_table(&conn.client, spec, &job.name, encoding, push).await
        }
        None => copy_table(&conn.client, &job.sql, &job.name, push).await,
    };
    (res, bytes)
}

/// A worker's connection: the client for everything, and its socket when COPY can be read
/// straight off it (no TLS).
pub(super) struct WorkerConn {
    pub(super) client: tokio_postgres::Client,
    pub(super) socket: Option<SharedSocket>,
}

pub(super) async fn worker_connect(setup: &WorkerSetup) -> Result<WorkerConn> {
    let s = &setup.join.settings;
    let (client, socket) = match shared_socket::connect(s).await {
        Some((client, socket)) => (client, Some(socket)),
        None => (connect::connect_once(s).await?, None),
    };
    session::prepare(&client, &setup.join.session_sql).await?;
    // COPY text comes in the dump's encoding, converted by the server as pg_dump's would be.
    if let Some(enc) = &setup.encoding {
        client
            .batch_execute(&format!("SET client_encoding = '{enc}'"))
            .await
            .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("setting client_encoding"))?;
    }
    // Chunked COPY (SELECT ...) must read the heap in order, never through parallel workers.
    // Set outside the transaction: a refused lock rolls that back (see `lock`).
    client
        .batch_execute("SET max_parallel_workers_per_gather = 0")
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("setting up worker"))?;
    session::begin_worker(&client, &setup.join.snapshot).await?;
    Ok(WorkerConn { client, socket })
}
