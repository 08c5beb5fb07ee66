//! Parallel COPY: workers on the leader's exported snapshot copy tables largest first into
//! spools that the ordered writer drains in pg_dump's order. A spool holds data in memory up to
//! a shared budget and spills to a temp file beyond it; the writer streams the table it is
//! waiting for while it is still being copied, so memory stays bounded whatever the table size.

use crate::error::{Error, ErrorKind, Result};
use crate::pg::shared_socket::{self, SharedSocket};
use crate::pg::{connect, copy_out, session};
use bytes::{Bytes, BytesMut};
use futures_util::{pin_mut, StreamExt};
use std::collections::{BTreeMap, VecDeque};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

pub mod lock;

/// Size of the batches CopyData rows are gathered into before they are handed on.
const BATCH: usize = 256 << 10;

/// One table, or one chunk of a big table, to copy.
#[derive(Debug, Clone)]
pub struct CopyJob {
    /// `COPY ... TO stdout` to run.
    pub sql: String,
    /// Size estimate for largest-first scheduling.
    pub relpages: i64,
    /// Qualified name, for messages.
    pub name: String,
    /// INSERT statements instead of COPY text.
    pub inserts: Option<Arc<crate::inserts::InsertSpec>>,
    /// The table a worker locks (`NOWAIT`) before copying, qualified; `None` for the kinds the
    /// leader does not lock either (foreign tables).
    pub lock: Option<String>,
}

#[derive(Default)]
struct SpoolState {
    mem: VecDeque<Bytes>,
    mem_bytes: usize,
    file: Option<std::fs::File>,
    file_written: u64,
    file_read: u64,
    done: Option<Result<()>>,
    /// A job the worker could not lock, for the leader to copy (see [`lock`]).
    leader: Option<CopyJob>,
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

    /// Hands the job to the leader's connection: a worker could not take its table's lock.
    pub fn hand_to_leader(&self, job: CopyJob) {
        let mut st = self.lock();
        if st.done.is_none() {
            st.leader = Some(job);
            st.done = Some(Ok(()));
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

    /// Streams everything to `out` in order, waiting for the worker as needed. Returns the job
    /// when the worker handed it to the leader instead of copying it.
    pub async fn drain(&self, out: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<Option<CopyJob>> {
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
                finished = st.done.take().map(|r| r.map(|()| st.leader.take()));
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

/// Gathers COPY text into batches of about [`BATCH`] bytes. Grows as rows come: a tiny table
/// must not pin a full-size buffer while it waits in its spool (the memory budget counts bytes,
/// not capacity), so a short tail is handed on as a copy.
#[derive(Default)]
struct Batcher {
    buf: BytesMut,
}

impl Batcher {
    /// Adds `data`; returns a full batch when there is one.
    fn add(&mut self, data: &[u8]) -> Option<Bytes> {
        self.buf.extend_from_slice(data);
        if self.buf.len() < BATCH {
            return None;
        }
        let full = self.buf.split().freeze();
        self.buf.reserve(BATCH + (BATCH >> 2));
        Some(full)
    }

    /// What is left at the end of a table, if anything (the buffer stays for the next one).
    fn tail(&mut self) -> Option<Bytes> {
        if self.buf.is_empty() {
            None
        } else if self.buf.capacity() > 2 * self.buf.len() {
            let tail = Bytes::copy_from_slice(&self.buf);
            self.buf.clear();
            Some(tail)
        } else {
            Some(self.buf.split().freeze())
        }
    }
}

/// Hands a COPY stream's rows on in batches of about [`BATCH`] bytes.
async fn drain_copy(
    stream: tokio_postgres::CopyOutStream,
    name: &str,
    mut sink: impl FnMut(Bytes) -> Result<()>,
) -> Result<()> {
    pin_mut!(stream);
    let mut batch = Batcher::default();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| Error::from_pg(e, ErrorKind::Server).context(format!("COPY {name}")))?;
        if let Some(full) = batch.add(&chunk) {
            sink(full)?;
        }
    }
    if let Some(tail) = batch.tail() {
        sink(tail)?;
    }
    Ok(())
}

/// Fails every spool of `batch` not finished yet, naming the failure that stopped it, and
/// returns that failure for the worker.
fn abandon_batch(batch: &[(CopyJob, Feed)], msg: &str) -> Error {
    for (_, feed) in batch {
        feed.0.finish(Err(not_copied(msg)));
    }
    Error::new(ErrorKind::Server, msg)
}

/// A job of a batch that an earlier job's failure stopped.
fn not_copied(msg: &str) -> Error {
    Error::new(
        ErrorKind::Server,
        format!("not copied after an earlier failure: {msg}"),
    )
}

/// Copies several small tables with their requests pipelined: all statements are prepared in
/// one round trip, and each COPY's request goes out while the previous one's rows are still
/// arriving, so thousands of tiny tables cost server time, not round trips. Each job's result
/// goes to its own spool; the first failure stops the batch (later spools report the worker
/// stopped).
async fn copy_small_batch(conn: &WorkerConn, batch: Vec<(CopyJob, Feed)>) -> Result<()> {
    if let Some(socket) = &conn.socket {
        return copy_small_batch_direct(socket, batch).await;
    }
    let client = &conn.client;
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
            return Err(abandon_batch(&batch, &msg));
        }
    }
    Ok(())
}

/// [`copy_small_batch`] over the lent socket: every COPY query goes out in one write.
async fn copy_small_batch_direct(socket: &SharedSocket, batch: Vec<(CopyJob, Feed)>) -> Result<()> {
    let jobs: Vec<(&CopyJob, &Spool)> = batch.iter().map(|(j, f)| (j, f.0.as_ref())).collect();
    let mut first_failure: Option<String> = None;
    let run = copy_direct(socket, &jobs, &mut |i, res, _| {
        let spool = jobs[i].1;
        match (&first_failure, res) {
            // Later queries only say the transaction is aborted; name the real cause.
            (Some(msg), _) => spool.finish(Err(not_copied(msg))),
            (None, Err(e)) => {
                first_failure = Some(e.to_string());
                spool.finish(Err(e));
            }
            (None, Ok(())) => spool.finish(Ok(())),
        }
    })
    .await;
    let failure = match run {
        Err(e) => Some(e.to_string()),
        Ok(()) => first_failure,
    };
    match failure {
        Some(msg) => Err(abandon_batch(&batch, &msg)),
        None => Ok(()),
    }
}

/// Tables at most this big (in pages) are copied in pipelined batches.
const SMALL_TABLE_PAGES: i64 = 16;

/// Tables per pipelined batch.
const SMALL_BATCH: usize = 32;

/// COPY jobs a worker runs in one transaction before it re-imports the snapshot.
const TABLES_PER_TRANSACTION: usize = 1000;

/// A table's chunks in copy order, as the writer drains them. A split table's list grows while
/// workers claim its ranges; `complete` says no more will come.
pub struct TableSpools {
    state: Mutex<TableChunks>,
    ready: Notify,
}

#[derive(Default)]
struct TableChunks {
    chunks: Vec<Arc<Spool>>,
    complete: bool,
}

impl TableSpools {
    fn new() -> Arc<Self> {
        Arc::new(TableSpools {
            state: Mutex::new(TableChunks::default()),
            ready: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, TableChunks> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, spool: Arc<Spool>, last: bool) {
        let mut st = self.lock();
        st.chunks.push(spool);
        st.complete |= last;
        drop(st);
        self.ready.notify_one();
    }

    /// Ends the list with a failed chunk (its remaining ranges will never be copied).
    fn fail(&self, why: &str) {
        let mut st = self.lock();
        if st.complete {
            return;
        }
        let failed = Spool::new(Arc::new(AtomicUsize::new(0)));
        failed.finish(Err(Error::new(ErrorKind::Server, why.to_string())));
        st.chunks.push(failed);
        st.complete = true;
        drop(st);
        self.ready.notify_one();
    }

    /// Chunk `i`, waiting until a worker creates it; `None` once the table has fewer.
    async fn chunk(&self, i: usize) -> Option<Arc<Spool>> {
        loop {
            let notified = self.ready.notified();
            {
                let st = self.lock();
                if let Some(c) = st.chunks.get(i) {
                    return Some(Arc::clone(c));
                }
                if st.complete {
                    return None;
                }
            }
            notified.await;
        }
    }

    /// Streams every chunk in order, waiting for the workers as needed; a chunk a worker could
    /// not lock is copied by `leader` in its place.
    pub async fn drain(
        &self,
        out: &mut dyn FnMut(&[u8]) -> Result<()>,
        leader: &lock::Leader<'_>,
    ) -> Result<()> {
        let mut i = 0;
        while let Some(spool) = self.chunk(i).await {
            if let Some(job) = spool.drain(out).await? {
                leader.copy(&job, out).await?;
            }
            i += 1;
        }
        Ok(())
    }
}

/// Spools the writer drains, per TABLE DATA entry.
pub type Spools = BTreeMap<usize, Arc<TableSpools>>;

/// Heap pages of a split table's first chunk (8 MiB at 8 kB pages).
pub const CHUNK_PAGES: i64 = 1024;

/// Bounds for adapted chunk sizes, in heap pages.
const MIN_CHUNK_PAGES: i64 = 16;
const MAX_CHUNK_PAGES: i64 = 16384;

/// One table's data to copy.
#[derive(Debug, Clone)]
pub struct TableJob {
    /// The key the writer waits on (the TABLE DATA entry).
    pub entry: usize,
    /// `COPY ... TO stdout` of the whole table.
    pub sql: String,
    /// Qualified table name (for ranged `COPY (SELECT ...)`).
    pub qualified: String,
    /// Column list without parentheses; empty for zero-column tables (never split).
    pub columns: String,
    /// Heap size in pages, for largest-first scheduling and splitting.
    pub relpages: i64,
    /// Qualified name, for messages.
    pub name: String,
    /// INSERT statements instead of COPY text (never split, never batched).
    pub inserts: Option<Arc<crate::inserts::InsertSpec>>,
    /// Whether workers lock the table before copying it (the kinds the leader locks).
    pub lock: bool,
}

/// How big tables are split.
#[derive(Debug, Clone, Copy)]
pub struct Chunking {
    /// Pages of the first chunk; tables of at least twice this many are split.
    pub first_pages: i64,
    /// Whether later chunks are sized from what earlier ones produced.
    pub adaptive: bool,
}

/// `COPY` of one ctid page range; `to: None` is open-ended, so rows on pages the size estimate
/// did not count are still copied. Ranges read the heap in physical order, so consecutive ranges
/// give exactly the bytes of a plain `COPY table TO stdout` (TID range scans: PostgreSQL 14+).
/// `ONLY`, as in that COPY: a parent's rows without its inheritance children's.
pub fn range_sql(columns: &str, qualified: &str, from: i64, to: Option<i64>) -> String {
    let cond = match to {
        Some(to) => {
            format!("ctid >= '({from},0)'::pg_catalog.tid AND ctid < '({to},0)'::pg_catalog.tid")
        }
        None => format!("ctid >= '({from},0)'::pg_catalog.tid"),
    };
    format!("COPY (SELECT {columns} FROM ONLY {qualified} WHERE {cond}) TO stdout;")
}

/// The size of the next chunk: about `target_bytes` of COPY text at the rate seen so far (wide
/// or TOASTed rows give many bytes per heap page), reached by at most doubling per chunk and
/// halved when a chunk was slow, within fixed bounds. `target_bytes` is a ceiling, not a hint:
/// a chunk copied ahead of the writer waits in the spool, and a bigger one would spill to disk.
fn next_chunk_pages(current: i64, pages: i64, bytes: u64, seconds: f64, target_bytes: u64) -> i64 {
    if pages <= 0 {
        return current;
    }
    let per_page = (bytes as f64 / pages as f64).max(1.0);
    let ceiling = (target_bytes as f64 / per_page) as i64;
    let next = if seconds > 1.0 {
        current / 2
    } else {
        current.saturating_mul(2)
    };
    next.min(ceiling).clamp(MIN_CHUNK_PAGES, MAX_CHUNK_PAGES)
}

struct SplitState {
    next_page: i64,
    pages: i64,
    chunk: usize,
    exhausted: bool,
}

/// A big table handed out to workers one page range at a time.
struct SplitTable {
    job: TableJob,
    adaptive: bool,
    target_bytes: u64,
    budget: Arc<AtomicUsize>,
    spools: Arc<TableSpools>,
    state: Mutex<SplitState>,
}

/// One claimed range: the pages it covers (for the size rule) and whether it is the last.
struct Claim {
    job: CopyJob,
    feed: Feed,
    pages: i64,
    last: bool,
}

impl SplitTable {
    fn lock(&self) -> MutexGuard<'_, SplitState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The next range, registered in the writer's list in page order (under the same lock).
    fn claim(&self) -> Option<Claim> {
        let mut st = self.lock();
        if st.exhausted {
            return None;
        }
        let from = st.next_page;
        let last = from + st.pages >= self.job.relpages;
        let to = (!last).then_some(from + st.pages);
        st.next_page += st.pages;
        st.exhausted = last;
        let chunk = st.chunk;
        st.chunk += 1;
        let spool = Spool::new(Arc::clone(&self.budget));
        self.spools.push(Arc::clone(&spool), last);
        Some(Claim {
            job: CopyJob {
                sql: range_sql(&self.job.columns, &self.job.qualified, from, to),
                relpages: self.job.relpages,
                name: format!("{} (chunk {})", self.job.name, chunk + 1),
                inserts: None,
                lock: self.job.lock.then(|| self.job.qualified.clone()),
            },
            feed: Feed(spool),
            pages: to.map(|t| t - from).unwrap_or(0),
            last,
        })
    }

    fn done(&self) -> bool {
        self.lock().exhausted
    }

    /// Adapts the chunk size to what a finished range produced.
    fn observe(&self, pages: i64, bytes: u64, seconds: f64) {
        if !self.adaptive {
            return;
        }
        let mut st = self.lock();
        st.pages = next_chunk_pages(st.pages, pages, bytes, seconds, self.target_bytes);
    }
}

/// A split table's place in the queue; if it is dropped with ranges left (every worker gone),
/// the writer learns the table will not be complete.
struct SplitWork(Arc<SplitTable>);

impl Drop for SplitWork {
    fn drop(&mut self) {
        if !self.0.done() {
            self.0.spools.fail("copy worker stopped");
        }
    }
}

enum Work {
    Whole(CopyJob, Feed),
    Split(SplitWork),
}

/// What a worker does next: one range of a split table, one big table, or a batch of small ones.
enum Task {
    Range(Arc<SplitTable>, Claim),
    Tables(Vec<(CopyJob, Feed)>),
}

impl Task {
    /// Reports `e` on the task's first spool (the writer stops there); dropping the others
    /// fails them as "copy worker stopped".
    fn fail(self, e: Error) {
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
    fn hand_to_leader(self) {
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

fn next_task(queue: &Mutex<Vec<Work>>) -> Option<Task> {
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
    fn stopped(&self) -> bool {
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
fn worker_missing(
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
fn hand_rest_to_leader(queue: &Mutex<Vec<Work>>) {
    while let Some(task) = next_task(queue) {
        task.hand_to_leader();
    }
}

/// A connected worker's loop: takes tasks until the queue is empty or a copy fails.
async fn run_worker(conn: &WorkerConn, setup: &WorkerSetup, queue: &Mutex<Vec<Work>>) {
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
async fn copy_one(
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
            crate::inserts::dump_table(&conn.client, spec, &job.name, encoding, push).await
        }
        None => copy_table(&conn.client, &job.sql, &job.name, push).await,
    };
    (res, bytes)
}

/// A worker's connection: the client for everything, and its socket when COPY can be read
/// straight off it (no TLS).
struct WorkerConn {
    client: tokio_postgres::Client,
    socket: Option<SharedSocket>,
}

async fn worker_connect(setup: &WorkerSetup) -> Result<WorkerConn> {
    let s = &setup.join.settings;
    let shared = match s.hosts.first() {
        Some(h) if shared_socket::shareable(s, h) => shared_socket::connect(s).await,
        _ => None,
    };
    let (client, socket) = match shared {
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

/// Runs COPY `jobs` pipelined over the worker's lent socket, each job's text into its spool
/// in batches of about [`BATCH`] bytes; `ended` hears each job's result and byte count. An
/// error returned here (socket, spool) leaves the connection unusable.
async fn copy_direct(
    socket: &SharedSocket,
    jobs: &[(&CopyJob, &Spool)],
    ended: &mut dyn FnMut(usize, Result<()>, u64),
) -> Result<()> {
    let queries: Vec<&str> = jobs.iter().map(|(j, _)| j.sql.as_str()).collect();
    let push = |i: usize, b: Bytes| {
        let (job, spool) = jobs[i];
        spool
            .push(b)
            .map_err(|e| Error::from(e).context(format!("spooling {}", job.name)))
    };
    let mut batch = Batcher::default();
    let mut bytes = 0u64;
    let mut lent = socket.lend();
    copy_out::run(&mut lent, &queries, &mut |event| {
        match event {
            copy_out::Event::Data(i, data) => {
                bytes += data.len() as u64;
                if let Some(full) = batch.add(data) {
                    push(i, full)?;
                }
            }
            copy_out::Event::End(i, result) => {
                let job = jobs[i].0;
                if let Some(tail) = batch.tail() {
                    push(i, tail)?;
                }
                let result = result.map_err(|m| {
                    Error::new(ErrorKind::Server, m).context(format!("COPY {}", job.name))
                });
                ended(i, result, std::mem::take(&mut bytes));
            }
        }
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_the_heap_in_order() {
        assert_eq!(
            range_sql("a, b", "public.t", 0, Some(10)),
            "COPY (SELECT a, b FROM ONLY public.t WHERE ctid >= '(0,0)'::pg_catalog.tid AND ctid < '(10,0)'::pg_catalog.tid) TO stdout;"
        );
        assert_eq!(
            range_sql("a", "public.t", 20, None),
            "COPY (SELECT a FROM ONLY public.t WHERE ctid >= '(20,0)'::pg_catalog.tid) TO stdout;"
        );
    }

    #[test]
    fn chunk_size_follows_bytes_per_page_and_speed() {
        // 1,024 pages gave 64 MiB (64 KiB a page, TOASTed rows): aim at 8 MiB -> 128 pages.
        assert_eq!(next_chunk_pages(1024, 1024, 64 << 20, 0.5, 8 << 20), 128);
        // Narrow rows: 8 KiB a page -> 1,024 pages for 8 MiB.
        assert_eq!(next_chunk_pages(1024, 1024, 8 << 20, 0.5, 8 << 20), 1024);
        // Small chunks grow at most twofold per step, toward the ceiling...
        assert_eq!(next_chunk_pages(64, 64, 512 << 10, 0.01, 8 << 20), 128);
        // ...but never past it, however fast they went (they would spill while waiting).
        assert_eq!(next_chunk_pages(1024, 1024, 8 << 20, 0.001, 8 << 20), 1024);
        // A slow one at least halves, and the size stays within bounds.
        assert_eq!(next_chunk_pages(1024, 1024, 1 << 20, 3.0, 8 << 20), 512);
        assert_eq!(
            next_chunk_pages(16, 16, 1 << 30, 3.0, 8 << 20),
            MIN_CHUNK_PAGES
        );
        assert_eq!(
            next_chunk_pages(10000, 10000, 1, 0.01, 1 << 30),
            MAX_CHUNK_PAGES
        );
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
    fn with_no_worker_connected_the_leader_gets_every_job() {
        // A socket directory with no server: every worker fails to connect.
        let dir = tempfile::tempdir().unwrap();
        let opts = crate::pg::conninfo::ConnOptions {
            host: Some(dir.path().to_string_lossy().into_owned()),
            port: Some("1".into()),
            user: Some("nobody".into()),
            dbname: Some("nothing".into()),
        };
        let settings = crate::pg::conninfo::resolve_from_process(&opts).unwrap();
        let setup = WorkerSetup {
            join: session::Joining {
                settings,
                snapshot: "none".into(),
                session_sql: String::new(),
            },
            encoding: None,
            stop: Default::default(),
        };
        let job = |entry: usize, relpages: i64| TableJob {
            entry,
            sql: format!("COPY t{entry} TO stdout;"),
            qualified: format!("public.t{entry}"),
            columns: "a".into(),
            relpages,
            name: format!("public.t{entry}"),
            inserts: None,
            lock: true,
        };
        let chunking = Chunking {
            first_pages: 4,
            adaptive: false,
        };
        let spools = start_workers(
            &setup,
            vec![job(1, 1), job(2, 100), job(3, 1)],
            3,
            1 << 20,
            chunking,
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut handed = Vec::new();
        for (entry, list) in &spools {
            let mut i = 0;
            while let Some(spool) = rt.block_on(list.chunk(i)) {
                let job = rt.block_on(spool.drain(&mut |_| Ok(()))).unwrap();
                handed.push((*entry, job.map(|j| j.sql)));
                i += 1;
            }
        }
        // Table 2 is split into ranges; each range went to the leader, as the small tables.
        assert!(handed.iter().all(|(_, sql)| sql.is_some()), "{handed:?}");
        assert_eq!(handed.iter().filter(|(e, _)| *e == 2).count(), 25);
        assert_eq!(handed.iter().filter(|(e, _)| *e != 2).count(), 2);
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
