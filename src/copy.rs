//! Parallel COPY: workers on the leader's exported snapshot copy tables largest first into
//! spools that the ordered writer drains in pg_dump's order. A spool holds data in memory up to
//! a shared budget and spills to a temp file beyond it; the writer streams the table it is
//! waiting for while it is still being copied, so memory stays bounded whatever the table size.

use crate::error::{Error, ErrorKind, Result};
use crate::pg::conninfo::ConnSettings;
use crate::pg::{connect, session};
use bytes::{Bytes, BytesMut};
use futures_util::{pin_mut, StreamExt};
use std::collections::{BTreeMap, VecDeque};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

/// Size of the batches CopyData rows are gathered into before they are handed on.
const BATCH: usize = 256 << 10;

/// One table, or one chunk of a big table, to copy.
#[derive(Debug, Clone)]
pub struct CopyJob {
    /// Position of its entry in the TOC (the key the writer waits on).
    pub entry: usize,
    /// Chunk number within the table (0 when not split).
    pub chunk: usize,
    /// `COPY ... TO stdout` to run.
    pub sql: String,
    /// Size estimate for largest-first scheduling.
    pub relpages: i64,
    /// Qualified name, for messages.
    pub name: String,
}

#[derive(Default)]
struct SpoolState {
    mem: VecDeque<Bytes>,
    mem_bytes: usize,
    file: Option<std::fs::File>,
    file_written: u64,
    file_read: u64,
    done: Option<Result<()>>,
}

/// One table's data on its way from a worker to the writer.
pub struct Spool {
    state: Mutex<SpoolState>,
    ready: Notify,
    budget: Arc<AtomicUsize>,
}

fn reserve(budget: &AtomicUsize, n: usize) -> bool {
    let mut cur = budget.load(Ordering::Acquire);
    loop {
        if cur < n {
            return false;
        }
        match budget.compare_exchange(cur, cur - n, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return true,
            Err(actual) => cur = actual,
        }
    }
}

impl Spool {
    /// A spool drawing on a shared in-memory byte budget.
    pub fn new(budget: Arc<AtomicUsize>) -> Arc<Self> {
        Arc::new(Spool {
            state: Mutex::new(SpoolState::default()),
            ready: Notify::new(),
            budget,
        })
    }

    fn lock(&self) -> MutexGuard<'_, SpoolState> {
        // A poisoned lock only means another thread panicked mid-update; the data is bytes
        // and offsets that stay consistent, so keep going.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends a chunk: to memory while the budget lasts, else (and from then on) to a file.
    pub fn push(&self, chunk: Bytes) -> std::io::Result<()> {
        let mut st = self.lock();
        if st.file.is_none() && reserve(&self.budget, chunk.len()) {
            st.mem_bytes += chunk.len();
            st.mem.push_back(chunk);
        } else {
            if st.file.is_none() {
                st.file = Some(tempfile::tempfile()?);
            }
            let at = st.file_written;
            if let Some(f) = &st.file {
                f.write_all_at(&chunk, at)?;
            }
            st.file_written += chunk.len() as u64;
        }
        drop(st);
        self.ready.notify_one();
        Ok(())
    }

    /// Marks the spool complete (or failed).
    pub fn finish(&self, result: Result<()>) {
        let mut st = self.lock();
        if st.done.is_none() {
            st.done = Some(result);
        }
        drop(st);
        self.ready.notify_one();
    }

    /// The next chunk in order, waiting for the producer as needed; `None` at the end.
    pub async fn next_chunk(&self) -> Result<Option<Bytes>> {
        loop {
            let notified = self.ready.notified();
            {
                let mut st = self.lock();
                if let Some(c) = st.mem.pop_front() {
                    st.mem_bytes -= c.len();
                    self.budget.fetch_add(c.len(), Ordering::AcqRel);
                    return Ok(Some(c));
                }
                if st.file_read < st.file_written {
                    let want = ((st.file_written - st.file_read) as usize).min(1 << 20);
                    let mut buf = vec![0u8; want];
                    if let Some(f) = &st.file {
                        let n = f.read_at(&mut buf, st.file_read)?;
                        if n == 0 {
                            return Err(Error::new(ErrorKind::Io, "spool file ended early"));
                        }
                        buf.truncate(n);
                        st.file_read += n as u64;
                        return Ok(Some(Bytes::from(buf)));
                    }
                }
                if let Some(result) = st.done.take() {
                    st.done = Some(Ok(()));
                    return result.map(|_| None);
                }
            }
            notified.await;
        }
    }

    /// Streams everything to `out` in order, waiting for the worker as needed.
    pub async fn drain(&self, out: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let mut buf = Vec::new();
        loop {
            let notified = self.ready.notified();
            let mut chunks = Vec::new();
            let mut file_part: Option<(std::fs::File, u64, u64)> = None;
            let finished;
            {
                let mut st = self.lock();
                while let Some(c) = st.mem.pop_front() {
                    st.mem_bytes -= c.len();
                    chunks.push(c);
                }
                if st.file_read < st.file_written {
                    if let Some(f) = &st.file {
                        file_part = Some((f.try_clone()?, st.file_read, st.file_written));
                    }
                    st.file_read = st.file_written;
                }
                finished = st.done.take();
            }
            for c in chunks {
                self.budget.fetch_add(c.len(), Ordering::AcqRel);
                out(&c)?;
            }
            if let Some((f, mut from, to)) = file_part {
                buf.resize(1 << 20, 0);
                while from < to {
                    let want = ((to - from) as usize).min(buf.len());
                    let n = f.read_at(&mut buf[..want], from)?;
                    if n == 0 {
                        return Err(Error::new(ErrorKind::Io, "spool file ended early"));
                    }
                    out(&buf[..n])?;
                    from += n as u64;
                }
            }
            if let Some(result) = finished {
                // Everything pushed before `finish` was taken above under the same lock.
                return result;
            }
            notified.await;
        }
    }
}

/// The worker's end of a spool: fails the spool if dropped before finishing (a worker that
/// died must not leave the writer waiting forever).
struct Feed(Arc<Spool>);

impl Drop for Feed {
    fn drop(&mut self) {
        self.0
            .finish(Err(Error::new(ErrorKind::Server, "copy worker stopped")));
    }
}

/// Streams one table's COPY output through `sink` in batches of about [`BATCH`] bytes.
pub async fn copy_table(
    client: &tokio_postgres::Client,
    sql: &str,
    name: &str,
    sink: impl FnMut(Bytes) -> Result<()>,
) -> Result<()> {
    let stream = client
        .copy_out(sql)
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context(format!("COPY {name}")))?;
    drain_copy(stream, name, sink).await
}

/// Hands a COPY stream's rows on in batches of about [`BATCH`] bytes.
async fn drain_copy(
    stream: tokio_postgres::CopyOutStream,
    name: &str,
    mut sink: impl FnMut(Bytes) -> Result<()>,
) -> Result<()> {
    pin_mut!(stream);
    // Grows as rows come: a tiny table must not pin a full-size buffer while it waits in its
    // spool (the memory budget counts bytes, not capacity).
    let mut batch = BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| Error::from_pg(e, ErrorKind::Server).context(format!("COPY {name}")))?;
        batch.extend_from_slice(&chunk);
        if batch.len() >= BATCH {
            sink(batch.split().freeze())?;
            batch.reserve(BATCH + (BATCH >> 2));
        }
    }
    if !batch.is_empty() {
        let tail = if batch.capacity() > 2 * batch.len() {
            Bytes::copy_from_slice(&batch)
        } else {
            batch.freeze()
        };
        sink(tail)?;
    }
    Ok(())
}

/// Copies several small tables with their requests pipelined: all statements are prepared in
/// one round trip, and each COPY's request goes out while the previous one's rows are still
/// arriving, so thousands of tiny tables cost server time, not round trips. Each job's result
/// goes to its own spool; the first failure stops the batch (later spools report the worker
/// stopped).
async fn copy_small_batch(
    client: &tokio_postgres::Client,
    batch: Vec<(CopyJob, Feed)>,
) -> Result<()> {
    let prepared =
        futures_util::future::join_all(batch.iter().map(|(job, _)| client.prepare(&job.sql))).await;
    let mut statements = Vec::with_capacity(batch.len());
    for (res, (job, _)) in prepared.into_iter().zip(&batch) {
        statements.push(res.map_err(|e| {
            Error::from_pg(e, ErrorKind::Server).context(format!("COPY {}", job.name))
        })?);
    }
    let mut pending = statements
        .iter()
        .map(|st| client.copy_out(st))
        .collect::<VecDeque<_>>();
    let mut next = pending
        .pop_front()
        .map(|f| Box::pin(futures_util::future::maybe_done(f)));
    for (job, feed) in &batch {
        let Some(mut current) = next.take() else {
            break;
        };
        current.as_mut().await;
        let stream = current
            .as_mut()
            .take_output()
            .ok_or_else(|| Error::new(ErrorKind::Server, "internal: COPY answer taken twice"))
            .and_then(|r| {
                r.map_err(|e| {
                    Error::from_pg(e, ErrorKind::Server).context(format!("COPY {}", job.name))
                })
            });
        // Polling the next request once sends it; its answer waits in order behind this one.
        next = pending
            .pop_front()
            .map(|f| Box::pin(futures_util::future::maybe_done(f)));
        if let Some(f) = next.as_mut() {
            let _ = futures_util::poll!(f.as_mut());
        }
        let spool = &feed.0;
        let res = match stream {
            Ok(stream) => {
                drain_copy(stream, &job.name, |b| {
                    spool
                        .push(b)
                        .map_err(|e| Error::from(e).context(format!("spooling {}", job.name)))
                })
                .await
            }
            Err(e) => Err(e),
        };
        let failed = res.as_ref().err().map(|e| e.to_string());
        spool.finish(res);
        if let Some(msg) = failed {
            for (_, feed) in &batch {
                feed.0.finish(Err(Error::new(
                    ErrorKind::Server,
                    format!("not copied after an earlier failure: {msg}"),
                )));
            }
            return Err(Error::new(ErrorKind::Server, msg));
        }
    }
    Ok(())
}

/// Tables at most this big (in pages) are copied in pipelined batches.
const SMALL_TABLE_PAGES: i64 = 16;

/// Tables per pipelined batch.
const SMALL_BATCH: usize = 32;

/// COPY jobs a worker runs in one transaction before it re-imports the snapshot.
const TABLES_PER_TRANSACTION: usize = 1000;

/// Spools the writer drains: per TABLE DATA entry, its chunks in order.
pub type Spools = BTreeMap<usize, Vec<Arc<Spool>>>;

/// Pages per chunk when a big table is split across workers (8 MiB of heap at 8 kB pages).
pub const CHUNK_PAGES: i64 = 1024;

/// Splits a table's COPY into ctid page ranges when it is big enough to be worth it (TID range
/// scans, PostgreSQL 14 and later). The chunks, emitted in order, give exactly the bytes of a
/// plain `COPY table TO stdout`: both read the heap in physical order.
#[allow(clippy::too_many_arguments)]
pub fn chunk_jobs(
    entry: usize,
    sql: &str,
    qualified: &str,
    columns: &str,
    relpages: i64,
    name: &str,
    workers: usize,
    chunk_pages: i64,
) -> Vec<CopyJob> {
    let chunk_pages = chunk_pages.max(1);
    let whole = || {
        vec![CopyJob {
            entry,
            chunk: 0,
            sql: sql.to_string(),
            relpages,
            name: name.to_string(),
        }]
    };
    if workers < 2 || relpages < 2 * chunk_pages || columns.is_empty() {
        return whole();
    }
    let n = (relpages + chunk_pages - 1) / chunk_pages;
    (0..n)
        .map(|i| {
            let from = i * chunk_pages;
            let cond = if i + 1 == n {
                // Open-ended: also covers pages the size estimate did not count.
                format!("ctid >= '({from},0)'::pg_catalog.tid")
            } else {
                format!(
                    "ctid >= '({from},0)'::pg_catalog.tid AND ctid < '({},0)'::pg_catalog.tid",
                    from + chunk_pages
                )
            };
            CopyJob {
                entry,
                chunk: i as usize,
                sql: format!("COPY (SELECT {columns} FROM {qualified} WHERE {cond}) TO stdout;"),
                relpages,
                name: format!("{name} (chunk {})", i + 1),
            }
        })
        .collect()
}

/// Starts `workers` threads, each with its own connection on `snapshot`, copying `jobs`
/// largest first. Returns the spools keyed by TOC entry.
pub fn start_workers(
    settings: &ConnSettings,
    snapshot: &str,
    mut jobs: Vec<CopyJob>,
    workers: usize,
    memory_cap: usize,
) -> Spools {
    // Largest table first, its chunks in order; ties by entry so the schedule is deterministic.
    jobs.sort_by(|a, b| {
        b.relpages
            .cmp(&a.relpages)
            .then(a.entry.cmp(&b.entry))
            .then(a.chunk.cmp(&b.chunk))
    });
    let budget = Arc::new(AtomicUsize::new(memory_cap));
    let mut spools: Spools = BTreeMap::new();
    let mut queue = Vec::new();
    for job in jobs {
        let spool = Spool::new(Arc::clone(&budget));
        let chunks = spools.entry(job.entry).or_default();
        if chunks.len() <= job.chunk {
            chunks.resize_with(job.chunk + 1, || Spool::new(Arc::new(AtomicUsize::new(0))));
        }
        chunks[job.chunk] = Arc::clone(&spool);
        queue.push((job, Feed(spool)));
    }
    queue.reverse();
    let queue = Arc::new(Mutex::new(queue));
    for _ in 0..workers {
        let queue = Arc::clone(&queue);
        let settings = settings.clone();
        let snapshot = snapshot.to_string();
        // Each worker gets its own OS thread and single-threaded runtime: the COPY stream and
        // its connection task then never hand messages across threads (one wake-up per row).
        let spawned = std::thread::Builder::new()
            .name("pgsnap-copy".into())
            .spawn(move || {
                let next = || queue.lock().ok().and_then(|mut q| q.pop());
                // A big job alone; small ones (the queue ends with them, largest first) in
                // pipelined batches.
                let next_batch = || {
                    let mut q = queue.lock().ok()?;
                    let first = q.pop()?;
                    let mut batch = vec![first];
                    if batch[0].0.relpages <= SMALL_TABLE_PAGES {
                        while batch.len() < SMALL_BATCH {
                            match q.pop() {
                                Some(j) => batch.push(j),
                                None => break,
                            }
                        }
                    }
                    Some(batch)
                };
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        if let Some((_, feed)) = next() {
                            feed.0.finish(Err(Error::new(
                                ErrorKind::Io,
                                format!("could not start worker: {e}"),
                            )));
                        }
                        return;
                    }
                };
                rt.block_on(async {
                    let client = match worker_connect(&settings, &snapshot).await {
                        Ok(c) => c,
                        Err(e) => {
                            if let Some((_, feed)) = next() {
                                feed.0.finish(Err(e));
                            }
                            return;
                        }
                    };
                    let mut copied = 0usize;
                    while let Some(batch) = next_batch() {
                        if copied >= TABLES_PER_TRANSACTION {
                            // Each COPY locks its table in this worker's transaction; start a
                            // new one on the same snapshot now and then so that thousands of
                            // tables do not fill the server's lock table (the leader keeps
                            // every table locked for the whole dump).
                            copied = 0;
                            let renewed = async {
                                client.batch_execute("COMMIT").await.map_err(Error::from)?;
                                session::begin_worker(&client, &snapshot).await
                            }
                            .await;
                            if let Err(e) = renewed {
                                if let Some((_, feed)) = batch.first() {
                                    feed.0.finish(Err(e));
                                }
                                break;
                            }
                        }
                        copied += batch.len();
                        let res = if batch.len() == 1 {
                            let Some((job, feed)) = batch.into_iter().next() else {
                                break;
                            };
                            let spool = &feed.0;
                            let res = copy_table(&client, &job.sql, &job.name, |b| {
                                spool.push(b).map_err(|e| {
                                    Error::from(e).context(format!("spooling {}", job.name))
                                })
                            })
                            .await;
                            let failed = res.as_ref().map(|_| ()).map_err(|e| e.to_string());
                            spool.finish(res);
                            failed
                        } else {
                            copy_small_batch(&client, batch)
                                .await
                                .map_err(|e| e.to_string())
                        };
                        if res.is_err() {
                            break;
                        }
                    }
                });
            });
        if let Err(e) = spawned {
            eprintln!("pgsnap: warning: could not start a copy worker: {e}");
        }
    }
    spools
}

async fn worker_connect(settings: &ConnSettings, snapshot: &str) -> Result<tokio_postgres::Client> {
    let client = connect::connect_once(settings).await?;
    session::apply_settings(&client).await?;
    session::secure_search_path(&client).await?;
    session::begin_worker(&client, snapshot).await?;
    // Chunked COPY (SELECT ...) must read the heap in order, never through parallel workers.
    client
        .batch_execute("SET max_parallel_workers_per_gather = 0")
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("setting up worker"))?;
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_tables_split_into_ordered_ctid_ranges() {
        let jobs = chunk_jobs(
            3,
            "COPY t TO stdout;",
            "public.t",
            "a, b",
            25,
            "public.t",
            2,
            10,
        );
        let sql: Vec<&str> = jobs.iter().map(|j| j.sql.as_str()).collect();
        assert_eq!(
            sql,
            vec![
                "COPY (SELECT a, b FROM public.t WHERE ctid >= '(0,0)'::pg_catalog.tid AND ctid < '(10,0)'::pg_catalog.tid) TO stdout;",
                "COPY (SELECT a, b FROM public.t WHERE ctid >= '(10,0)'::pg_catalog.tid AND ctid < '(20,0)'::pg_catalog.tid) TO stdout;",
                "COPY (SELECT a, b FROM public.t WHERE ctid >= '(20,0)'::pg_catalog.tid) TO stdout;",
            ]
        );
        assert_eq!(
            jobs.iter().map(|j| j.chunk).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        // Small tables, one worker, or no columns: one plain COPY.
        assert_eq!(chunk_jobs(0, "X", "t", "a", 15, "t", 2, 10).len(), 1);
        assert_eq!(chunk_jobs(0, "X", "t", "a", 1000, "t", 1, 10).len(), 1);
        assert_eq!(chunk_jobs(0, "X", "t", "", 1000, "t", 4, 10).len(), 1);
    }

    fn drained(s: &Spool) -> Vec<u8> {
        let mut out = Vec::new();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(s.drain(&mut |b| {
            out.extend_from_slice(b);
            Ok(())
        }))
        .unwrap();
        out
    }

    #[test]
    fn spool_keeps_order_across_spill() {
        let budget = Arc::new(AtomicUsize::new(10));
        let s = Spool::new(Arc::clone(&budget));
        s.push(Bytes::from_static(b"12345")).unwrap();
        s.push(Bytes::from_static(b"67890ab")).unwrap();
        s.push(Bytes::from_static(b"cd")).unwrap();
        s.finish(Ok(()));
        assert_eq!(drained(&s), b"1234567890abcd");
        assert_eq!(budget.load(Ordering::Relaxed), 10);
    }

    #[test]
    fn writer_streams_while_worker_copies() {
        let budget = Arc::new(AtomicUsize::new(1 << 20));
        let s = Spool::new(Arc::clone(&budget));
        let producer = Arc::clone(&s);
        let t = std::thread::spawn(move || {
            for i in 0..1000u32 {
                producer.push(Bytes::from(format!("{i}\n"))).unwrap();
            }
            producer.finish(Ok(()));
        });
        let out = drained(&s);
        t.join().unwrap();
        let want: String = (0..1000).map(|i| format!("{i}\n")).collect();
        assert_eq!(out, want.as_bytes());
        assert_eq!(budget.load(Ordering::Relaxed), 1 << 20);
    }

    #[test]
    fn dropped_feed_fails_the_spool() {
        let s = Spool::new(Arc::new(AtomicUsize::new(100)));
        drop(Feed(Arc::clone(&s)));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert!(rt.block_on(s.drain(&mut |_| Ok(()))).is_err());
    }
}
