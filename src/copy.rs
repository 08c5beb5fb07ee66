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

/// One table to copy.
#[derive(Debug, Clone)]
pub struct CopyJob {
    /// Position of its entry in the TOC (the key the writer waits on).
    pub entry: usize,
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
    mut sink: impl FnMut(Bytes) -> Result<()>,
) -> Result<()> {
    let stream = client
        .copy_out(sql)
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context(format!("COPY {name}")))?;
    pin_mut!(stream);
    let mut batch = BytesMut::with_capacity(BATCH * 2);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| Error::from_pg(e, ErrorKind::Server).context(format!("COPY {name}")))?;
        batch.extend_from_slice(&chunk);
        if batch.len() >= BATCH {
            sink(batch.split().freeze())?;
            batch.reserve(BATCH * 2);
        }
    }
    if !batch.is_empty() {
        sink(batch.freeze())?;
    }
    Ok(())
}

/// Spools the writer drains, one per TABLE DATA entry.
pub type Spools = BTreeMap<usize, Arc<Spool>>;

/// Starts `workers` threads, each with its own connection on `snapshot`, copying `jobs`
/// largest first. Returns the spools keyed by TOC entry.
pub fn start_workers(
    settings: &ConnSettings,
    snapshot: &str,
    mut jobs: Vec<CopyJob>,
    workers: usize,
    memory_cap: usize,
) -> Spools {
    // Largest first; ties by entry position so the schedule is deterministic.
    jobs.sort_by(|a, b| b.relpages.cmp(&a.relpages).then(a.entry.cmp(&b.entry)));
    let budget = Arc::new(AtomicUsize::new(memory_cap));
    let mut spools = BTreeMap::new();
    let mut queue = Vec::new();
    for job in jobs {
        let spool = Spool::new(Arc::clone(&budget));
        spools.insert(job.entry, Arc::clone(&spool));
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
                    while let Some((job, feed)) = next() {
                        let spool = &feed.0;
                        let res = copy_table(&client, &job.sql, &job.name, |b| {
                            spool.push(b).map_err(|e| {
                                Error::from(e).context(format!("spooling {}", job.name))
                            })
                        })
                        .await;
                        let failed = res.is_err();
                        spool.finish(res);
                        if failed {
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
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

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
