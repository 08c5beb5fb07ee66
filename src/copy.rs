//! Parallel COPY: workers on the leader's exported snapshot copy tables largest first into
//! bounded spools (memory up to a shared cap, then temp files), handed to the ordered writer.

use crate::error::{Error, ErrorKind, Result};
use crate::pg::conninfo::ConnSettings;
use crate::pg::{connect, session};
use bytes::Bytes;
use futures_util::{pin_mut, StreamExt};
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

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

/// A finished table's data: in memory, in a temp file, or both (memory first).
#[derive(Debug, Default)]
pub struct Spool {
    mem: Vec<u8>,
    file: Option<std::fs::File>,
    held: usize,
    budget: Option<Arc<AtomicUsize>>,
    rows: u64,
}

impl Spool {
    /// A spool drawing on a shared in-memory byte budget.
    pub fn new(budget: Arc<AtomicUsize>) -> Self {
        Spool {
            budget: Some(budget),
            ..Default::default()
        }
    }

    /// Appends one chunk; spills to a temp file once the shared budget is used up.
    pub fn push(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.rows += 1;
        if let Some(f) = &mut self.file {
            return f.write_all(chunk);
        }
        if let Some(b) = self.budget.as_ref().map(Arc::clone) {
            if !reserve(&b, chunk.len()) {
                // Out of the shared memory budget: move what we hold to a temp file.
                let mut f = tempfile::tempfile()?;
                f.write_all(&self.mem)?;
                f.write_all(chunk)?;
                b.fetch_add(self.held, Ordering::AcqRel);
                self.held = 0;
                self.mem = Vec::new();
                self.file = Some(f);
                return Ok(());
            }
        }
        self.held += chunk.len();
        self.mem.extend_from_slice(chunk);
        Ok(())
    }

    /// Rows (CopyData messages) received.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Writes the spooled bytes to `out` in order and releases the memory budget.
    pub fn drain(mut self, out: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        if !self.mem.is_empty() {
            out(&self.mem)?;
        }
        if let Some(b) = &self.budget {
            b.fetch_add(self.held, Ordering::AcqRel);
        }
        self.held = 0;
        self.mem = Vec::new();
        if let Some(mut f) = self.file.take() {
            f.seek(SeekFrom::Start(0))?;
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = f.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                out(&buf[..n])?;
            }
        }
        Ok(())
    }
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

/// Streams one table's COPY output through `sink`, batching the per-row messages.
pub async fn copy_table(
    client: &tokio_postgres::Client,
    sql: &str,
    name: &str,
    mut sink: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let stream = client
        .copy_out(sql)
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context(format!("COPY {name}")))?;
    pin_mut!(stream);
    let mut batch: Vec<u8> = Vec::with_capacity(256 << 10);
    while let Some(chunk) = stream.next().await {
        let chunk: Bytes = chunk
            .map_err(|e| Error::from_pg(e, ErrorKind::Server).context(format!("COPY {name}")))?;
        batch.extend_from_slice(&chunk);
        if batch.len() >= 256 << 10 {
            sink(&batch)?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        sink(&batch)?;
    }
    Ok(())
}

/// Receivers the writer waits on, one per TABLE DATA entry.
pub type SpoolReceivers = BTreeMap<usize, oneshot::Receiver<Result<Spool>>>;

/// Starts `workers` connections on `snapshot` and copies `jobs` largest first.
pub fn start_workers(
    settings: &ConnSettings,
    snapshot: &str,
    mut jobs: Vec<CopyJob>,
    workers: usize,
    memory_cap: usize,
) -> SpoolReceivers {
    // Largest first; ties by entry position so the schedule is deterministic.
    jobs.sort_by(|a, b| b.relpages.cmp(&a.relpages).then(a.entry.cmp(&b.entry)));
    let mut receivers = BTreeMap::new();
    let mut queue = Vec::new();
    for job in jobs {
        let (tx, rx) = oneshot::channel();
        receivers.insert(job.entry, rx);
        queue.push((job, tx));
    }
    queue.reverse();
    let queue = Arc::new(Mutex::new(queue));
    let budget = Arc::new(AtomicUsize::new(memory_cap));
    for _ in 0..workers {
        let queue = Arc::clone(&queue);
        let budget = Arc::clone(&budget);
        let settings = settings.clone();
        let snapshot = snapshot.to_string();
        // Each worker gets its own OS thread and single-threaded runtime: the COPY stream and
        // its connection task then never hand messages across threads (one wake-up per row).
        let spawned = std::thread::Builder::new()
            .name("pgsnap-copy".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let next = queue.lock().ok().and_then(|mut q| q.pop());
                        if let Some((_, tx)) = next {
                            let _ = tx.send(Err(Error::new(
                                ErrorKind::Io,
                                format!("could not start worker: {e}"),
                            )));
                        }
                        return;
                    }
                };
                rt.block_on(async move {
                    let client = match worker_connect(&settings, &snapshot).await {
                        Ok(c) => c,
                        Err(e) => {
                            // Fail the first job we would have taken so the writer reports it.
                            let next = queue.lock().ok().and_then(|mut q| q.pop());
                            if let Some((_, tx)) = next {
                                let _ = tx.send(Err(e));
                            }
                            return;
                        }
                    };
                    loop {
                        let next = match queue.lock() {
                            Ok(mut q) => q.pop(),
                            Err(_) => None,
                        };
                        let Some((job, tx)) = next else { break };
                        let mut spool = Spool::new(Arc::clone(&budget));
                        let res = copy_table(&client, &job.sql, &job.name, |b| {
                            spool.push(b).map_err(|e| {
                                Error::from(e).context(format!("spooling {}", job.name))
                            })
                        })
                        .await;
                        let failed = res.is_err();
                        let _ = tx.send(res.map(|_| spool));
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
    receivers
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

    fn drained(s: Spool) -> Vec<u8> {
        let mut out = Vec::new();
        s.drain(&mut |b| {
            out.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn spool_keeps_order_across_spill() {
        let budget = Arc::new(AtomicUsize::new(10));
        let mut s = Spool::new(Arc::clone(&budget));
        s.push(b"12345").unwrap();
        s.push(b"67890ab").unwrap();
        s.push(b"cd").unwrap();
        assert!(s.file.is_some());
        assert_eq!(s.rows(), 3);
        assert_eq!(drained(s), b"1234567890abcd");
        assert_eq!(budget.load(Ordering::Relaxed), 10);
    }

    #[test]
    fn spool_in_memory_returns_budget() {
        let budget = Arc::new(AtomicUsize::new(100));
        let mut s = Spool::new(Arc::clone(&budget));
        s.push(b"abc").unwrap();
        assert_eq!(budget.load(Ordering::Relaxed), 97);
        assert_eq!(drained(s), b"abc");
        assert_eq!(budget.load(Ordering::Relaxed), 100);
    }
}
