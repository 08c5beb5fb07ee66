//! The script reader's thread: items handed to the loader, COPY data into spools within a memory budget, and the tables whose data is in.

use super::*;

/// A table whose data finished loading: name, bytes, seconds.
pub(super) type Loaded = (String, u64, f64);

/// Passes on the tables the workers finished loading: to progress, and their sizes, by which
/// index builds are ordered.
pub(super) fn note_loaded(
    loaded: &std::sync::mpsc::Receiver<Loaded>,
    progress: &mut crate::progress::Progress,
    table_bytes: &mut std::collections::HashMap<String, u64>,
) {
    while let Ok((table, bytes, secs)) = loaded.try_recv() {
        progress.table_loaded(&table, bytes, secs);
        table_bytes.insert(table, bytes);
    }
}

/// Memory the spools of table data may hold between the script reader and the workers.
pub(super) const SPOOL_BUDGET: usize = 12 << 20;

/// Size of the chunks the reader hands to a spool.
pub(super) const BATCH_BYTES: usize = 256 << 10;

/// With several connections, a table's rows go out in COPY statements of about this size,
/// small enough that the reader keeps every worker fed within the spool budget.
pub const PART_BYTES: usize = 4 << 20;

/// The spools' shared memory budget, with a way for the script reader to wait for room: when
/// loading is the slow side, spilling the file's data to temp files would only cost more work.
pub(super) struct BudgetGate {
    pub(super) bytes: Arc<AtomicUsize>,
    pub(super) closed: std::sync::atomic::AtomicBool,
    pub(super) lock: std::sync::Mutex<()>,
    pub(super) room: std::sync::Condvar,
}

impl BudgetGate {
    pub(super) fn new(bytes: usize) -> Self {
        BudgetGate {
            bytes: Arc::new(AtomicUsize::new(bytes)),
            closed: Default::default(),
            lock: std::sync::Mutex::new(()),
            room: std::sync::Condvar::new(),
        }
    }

    /// Blocks until `n` bytes (at most the whole budget) are free, or the restore has stopped.
    pub(super) fn wait_for(&self, n: usize) {
        let n = n.min(SPOOL_BUDGET);
        let mut guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        while self.bytes.load(Ordering::Acquire) < n && !self.closed.load(Ordering::Acquire) {
            guard = self.room.wait(guard).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// A worker took data out of a spool.
    pub(super) fn freed(&self) {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        self.room.notify_all();
    }

    /// The restore is over (or failed): the reader must not wait any more.
    pub(super) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.freed();
    }
}

/// Closes the gate however `run` ends, so a reader waiting for room never outlives a failure.
pub(super) struct CloseOnDrop(pub(super) Arc<BudgetGate>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// What the script reader hands to the loader: an item, the spool its COPY data flows into,
/// and which part of the table's data this COPY is (0 for the first or only one).
pub(super) struct Next {
    pub(super) item: Item,
    pub(super) spool: Option<Arc<Spool>>,
    pub(super) part: usize,
    /// For COPY data: the line before this part's first row (row N is at line `rows_after + N`).
    pub(super) rows_after: usize,
}

/// pg_dump's text-format COPY has exactly one row per line, so its data can be split at any
/// line; other formats (CSV with quoted newlines) are loaded as they are.
pub(super) fn splittable(copy_sql: &str) -> bool {
    copy_sql.trim_end().ends_with(" FROM stdin;")
}

/// Reads the script, sending each item and filling COPY data into spools as it goes.
pub(super) fn read_script(
    input: Box<dyn BufRead + Send>,
    items: mpsc::Sender<Result<Next>>,
    gate: Arc<BudgetGate>,
    split: Option<usize>,
) {
    let mut r = ScriptReader::new(input);
    loop {
        let item = match r.next_item() {
            Ok(Some(i)) => i,
            Ok(None) => return,
            Err(e) => {
                let _ = items.blocking_send(Err(e));
                return;
            }
        };
        let Item::Copy { sql, line, toc } = item else {
            if items
                .blocking_send(Ok(Next {
                    item,
                    spool: None,
                    part: 0,
                    rows_after: 0,
                }))
                .is_err()
            {
                return;
            }
            continue;
        };
        let split = split.filter(|_| splittable(&sql));
        let start_part = |part: usize, rows_before: usize| -> Result<Arc<Spool>> {
            let spool = Spool::new(Arc::clone(&gate.bytes));
            let next = Next {
                item: Item::Copy {
                    sql: sql.clone(),
                    line,
                    toc: toc.clone(),
                },
                spool: Some(Arc::clone(&spool)),
                part,
                rows_after: line + rows_before,
            };
            items
                .blocking_send(Ok(next))
                .map_err(|_| Error::new(ErrorKind::Io, "restore stopped"))?;
            Ok(spool)
        };
        let Ok(mut spool) = start_part(0, 0) else {
            return;
        };
        let (mut part, mut part_bytes, mut rows) = (0usize, 0usize, 0usize);
        let mut at_row_start = true;
        let mut batch: Vec<u8> = Vec::with_capacity(BATCH_BYTES);
        let res = r.copy_data(|row, row_end| {
            // A table's data is split into parts only between rows.
            if at_row_start && split.is_some_and(|max| part_bytes + batch.len() >= max) {
                if !batch.is_empty() {
                    gate.wait_for(batch.len());
                    spool.push(Bytes::from(std::mem::take(&mut batch)))?;
                }
                spool.finish(Ok(()));
                part += 1;
                part_bytes = 0;
                spool = start_part(part, rows)?;
            }
            rows += usize::from(row_end);
            at_row_start = row_end;
            batch.extend_from_slice(row);
            if batch.len() >= BATCH_BYTES {
                gate.wait_for(batch.len());
                part_bytes += batch.len();
                spool.push(Bytes::from(std::mem::take(&mut batch)))?;
            }
            Ok(())
        });
        let res = res.and_then(|_| {
            if !batch.is_empty() {
                gate.wait_for(batch.len());
                spool.push(Bytes::from(batch))?;
            }
            Ok(())
        });
        let failed = res.is_err();
        spool.finish(res);
        if failed {
            return;
        }
    }
}

/// One table's data loading, possibly in several parts at once; reports the table loaded when
/// the last part is in and the reader has moved past its data.
pub(super) struct TableLoad {
    pub(super) table: String,
    pub(super) started: std::time::Instant,
    /// Parts still loading, plus one while the reader may still add parts.
    pub(super) pending: AtomicUsize,
    pub(super) bytes: std::sync::atomic::AtomicU64,
    pub(super) done: std::sync::mpsc::Sender<Loaded>,
    /// Every table loaded completely, for the summary of a failed restore.
    pub(super) loaded: LoadedTables,
}

/// The tables whose data is in, in the order they finished.
pub(super) type LoadedTables = Arc<std::sync::Mutex<Vec<String>>>;

pub(super) fn note_table(loaded: &LoadedTables, table: &str) {
    loaded
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(table.to_string());
}

impl TableLoad {
    pub(super) fn new(
        table: String,
        done: std::sync::mpsc::Sender<Loaded>,
        loaded: &LoadedTables,
    ) -> Arc<Self> {
        Arc::new(TableLoad {
            table,
            started: std::time::Instant::now(),
            pending: AtomicUsize::new(1),
            bytes: Default::default(),
            done,
            loaded: Arc::clone(loaded),
        })
    }

    pub(super) fn part_started(&self) {
        self.pending.fetch_add(1, Ordering::AcqRel);
    }

    pub(super) fn part_loaded(&self, bytes: u64) {
        self.bytes.fetch_add(bytes, Ordering::AcqRel);
        self.release();
    }

    pub(super) fn release(&self) {
        if self.pending.fetch_sub(1, Ordering::AcqRel) == 1 {
            note_table(&self.loaded, &self.table);
            let _ = self.done.send((
                self.table.clone(),
                self.bytes.load(Ordering::Acquire),
                self.started.elapsed().as_secs_f64(),
            ));
        }
    }
}
