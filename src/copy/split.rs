//! Big tables split into ctid page ranges, sized from what earlier ranges produced.

use super::*;

/// Heap pages of a split table's first chunk (8 MiB at 8 kB pages).
pub const CHUNK_PAGES: i64 = 1024;

/// Bounds for adapted chunk sizes, in heap pages.
pub(super) const MIN_CHUNK_PAGES: i64 = 16;

pub(super) const MAX_CHUNK_PAGES: i64 = 16384;

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
pub fn range_sql(
    columns: &str,
    qualified: &str,
    from: i64,
    to: Option<i64>,
    row_filter: Option<&str>,
) -> String {
    let mut cond = match to {
        Some(to) => {
            format!("ctid >= '({from},0)'::pg_catalog.tid AND ctid < '({to},0)'::pg_catalog.tid")
        }
        None => format!("ctid >= '({from},0)'::pg_catalog.tid"),
    };
    if let Some(f) = row_filter {
        cond.push_str(" AND ");
        cond.push_str(f);
    }
    format!("COPY (SELECT {columns} FROM ONLY {qualified} WHERE {cond}) TO stdout;")
}

/// The size of the next chunk: about `target_bytes` of COPY text at the rate seen so far (wide
/// or TOASTed rows give many bytes per heap page), reached by at most doubling per chunk and
/// halved when a chunk was slow, within fixed bounds. `target_bytes` is a ceiling, not a hint:
/// a chunk copied ahead of the writer waits in the spool, and a bigger one would spill to disk.
pub(super) fn next_chunk_pages(
    current: i64,
    pages: i64,
    bytes: u64,
    seconds: f64,
    target_bytes: u64,
) -> i64 {
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

pub(super) struct SplitState {
    pub(super) next_page: i64,
    pub(super) pages: i64,
    pub(super) chunk: usize,
    pub(super) exhausted: bool,
}

/// A big table handed out to workers one page range at a time.
pub(super) struct SplitTable {
    pub(super) job: TableJob,
    pub(super) adaptive: bool,
    pub(super) target_bytes: u64,
    pub(super) budget: Arc<AtomicUsize>,
    pub(super) spools: Arc<TableSpools>,
    pub(super) state: Mutex<SplitState>,
}

/// One claimed range: the pages it covers (for the size rule) and whether it is the last.
pub(super) struct Claim {
    pub(super) job: CopyJob,
    pub(super) feed: Feed,
    pub(super) pages: i64,
    pub(super) last: bool,
}

impl SplitTable {
    pub(super) fn lock(&self) -> MutexGuard<'_, SplitState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The next range, registered in the writer's list in page order (under the same lock).
    pub(super) fn claim(&self) -> Option<Claim> {
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
                sql: range_sql(
                    &self.job.columns,
                    &self.job.qualified,
                    from,
                    to,
                    self.job.row_filter.as_deref(),
                ),
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

    pub(super) fn done(&self) -> bool {
        self.lock().exhausted
    }

    /// Adapts the chunk size to what a finished range produced.
    pub(super) fn observe(&self, pages: i64, bytes: u64, seconds: f64) {
        if !self.adaptive {
            return;
        }
        let mut st = self.lock();
        st.pages = next_chunk_pages(st.pages, pages, bytes, seconds, self.target_bytes);
    }
}

/// A split table's place in the queue; if it is dropped with ranges left (every worker gone),
/// the writer learns the table will not be complete.
pub(super) struct SplitWork(pub(super) Arc<SplitTable>);

impl Drop for SplitWork {
    fn drop(&mut self) {
        if !self.0.done() {
            self.0.spools.fail("copy worker stopped");
        }
    }
}
