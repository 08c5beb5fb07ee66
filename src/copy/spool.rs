//! A table's data on its way from a worker to the writer: memory up to a shared budget, then a temp file; and the list of chunks of a table split into ranges.

use super::*;

#[derive(Default)]
pub(super) struct SpoolState {
    pub(super) mem: VecDeque<Bytes>,
    pub(super) mem_bytes: usize,
    pub(super) file: Option<std::fs::File>,
    pub(super) file_written: u64,
    pub(super) file_read: u64,
    pub(super) done: Option<Result<()>>,
    /// A job the worker could not lock, for the leader to copy (see [`lock`]).
    pub(super) leader: Option<CopyJob>,
}

/// One table's data on its way from a worker to the writer.
pub struct Spool {
    pub(super) state: Mutex<SpoolState>,
    pub(super) ready: Notify,
    pub(super) budget: Arc<AtomicUsize>,
}

pub(super) fn reserve(budget: &AtomicUsize, n: usize) -> bool {
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

    pub(super) fn lock(&self) -> MutexGuard<'_, SpoolState> {
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
pub(super) struct Feed(pub(super) Arc<Spool>);

impl Drop for Feed {
    fn drop(&mut self) {
        self.0
            .finish(Err(Error::new(ErrorKind::Server, "copy worker stopped")));
    }
}

/// A table's chunks in copy order, as the writer drains them. A split table's list grows while
/// workers claim its ranges; `complete` says no more will come.
pub struct TableSpools {
    pub(super) state: Mutex<TableChunks>,
    pub(super) ready: Notify,
}

#[derive(Default)]
pub(super) struct TableChunks {
    pub(super) chunks: Vec<Arc<Spool>>,
    pub(super) complete: bool,
}

impl TableSpools {
    pub(super) fn new() -> Arc<Self> {
        Arc::new(TableSpools {
            state: Mutex::new(TableChunks::default()),
            ready: Notify::new(),
        })
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, TableChunks> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn push(&self, spool: Arc<Spool>, last: bool) {
        let mut st = self.lock();
        st.chunks.push(spool);
        st.complete |= last;
        drop(st);
        self.ready.notify_one();
    }

    /// Ends the list with a failed chunk (its remaining ranges will never be copied).
    pub(super) fn fail(&self, why: &str) {
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
    pub(super) async fn chunk(&self, i: usize) -> Option<Arc<Spool>> {
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
