//! `pgsnap restore`: loads a plain SQL dump (pgsnap's or pg_dump's, plain or gzip/lz4/zstd)
//! without psql. Pre-data runs in order on one connection; table data is loaded with
//! `COPY ... FROM STDIN` on several connections at once; indexes and primary/unique
//! constraints are built in parallel; everything else (foreign keys, triggers, ACLs,
//! materialized view refreshes) runs in file order once the parallel work before it is done.

pub mod script;
pub mod skip;
pub mod swap;

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

/// Counts the bytes read from the file (before decompression), for progress.
struct Counting<R> {
    inner: R,
    read: Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens the input, detecting gzip, lz4 and zstd by their magic bytes.
pub fn open_input(file: Option<&std::path::Path>) -> Result<Box<dyn BufRead + Send>> {
    open_counted(file, Arc::default())
}

fn open_counted(
    file: Option<&std::path::Path>,
    read: Arc<std::sync::atomic::AtomicU64>,
) -> Result<Box<dyn BufRead + Send>> {
    let name = match file {
        Some(p) => format!("input file \"{}\"", p.display()),
        None => "standard input".to_string(),
    };
    let raw: Box<dyn Read + Send> = match file {
        Some(p) => {
            let open_err = |e: std::io::Error| {
                Error::new(
                    ErrorKind::Io,
                    format!("could not open {name}: {}", io_reason(&e)),
                )
            };
            if p.is_dir() {
                return Err(open_err(std::io::ErrorKind::IsADirectory.into()));
            }
            Box::new(std::fs::File::open(p).map_err(open_err)?)
        }
        None => Box::new(std::io::stdin()),
    };
    let mut r = BufReader::with_capacity(1 << 20, Counting { inner: raw, read });
    let magic = r
        .fill_buf()
        .map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("could not read {name}: {}", io_reason(&e)),
            )
        })?
        .get(..4)
        .map(|m| m.to_vec())
        .unwrap_or_default();
    let reader: Box<dyn BufRead + Send> = if magic.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::read::MultiGzDecoder::new(r),
        ))
    } else if magic == [0x28, 0xb5, 0x2f, 0xfd] {
        Box::new(BufReader::with_capacity(
            1 << 20,
            zstd::stream::read::Decoder::with_buffer(r)
                .map_err(|e| Error::new(ErrorKind::Io, format!("zstd: {e}")))?,
        ))
    } else if magic == [0x04, 0x22, 0x4d, 0x18] {
        Box::new(BufReader::with_capacity(
            1 << 20,
            lz4_flex::frame::FrameDecoder::new(r),
        ))
    } else {
        Box::new(r)
    };
    // Read errors (a truncated compressed file) name the input.
    Ok(Box::new(BufReader::with_capacity(
        64 << 10,
        NamedErrors {
            inner: reader,
            name,
        },
    )))
}

/// Adds the input's name to its read errors.
struct NamedErrors {
    inner: Box<dyn BufRead + Send>,
    name: String,
}

impl Read for NamedErrors {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner
            .read(buf)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {}", self.name, io_reason(&e))))
    }
}

/// How an I/O error reads in a message: the system's words, without Rust's "(os error N)".
fn io_reason(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::IsADirectory {
        return "Is a directory".into();
    }
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Kinds of statements that may run in parallel with each other after the data is loaded.
fn parallel_post_data(toc: &Option<String>) -> bool {
    matches!(toc.as_deref(), Some("INDEX" | "CONSTRAINT"))
}

fn sets_session_user(sql: &str) -> bool {
    sql.trim_start()
        .to_ascii_lowercase()
        .starts_with("set session authorization")
}

fn is_session_setting(sql: &str) -> bool {
    let l = sql.trim_start().to_ascii_lowercase();
    (l.starts_with("set ") && !l.starts_with("set session authorization"))
        || l.starts_with("select pg_catalog.set_config(")
}

struct Pool {
    clients: Vec<Arc<Client>>,
    free: Arc<Mutex<mpsc::Receiver<usize>>>,
    give_back: mpsc::Sender<usize>,
    tasks: JoinSet<Result<()>>,
    settings: ConnSettings,
    session: Vec<String>,
    size: usize,
    /// Set at the first failure: no further job starts, and those running are cancelled, so
    /// that no more is committed after an error than the work already done.
    failed: Arc<std::sync::atomic::AtomicBool>,
    /// That first failure (the cancelled jobs' errors are only its echo).
    first_error: Arc<std::sync::Mutex<Option<Error>>>,
}

impl Pool {
    async fn new(settings: ConnSettings, size: usize) -> Result<Pool> {
        let (tx, rx) = mpsc::channel(size.max(1));
        Ok(Pool {
            clients: Vec::new(),
            free: Arc::new(Mutex::new(rx)),
            give_back: tx,
            tasks: JoinSet::new(),
            settings,
            session: Vec::new(),
            size,
            failed: Default::default(),
            first_error: Default::default(),
        })
    }

    /// Whether a job has failed (the next [`Pool::barrier`] reports it).
    fn failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// Opens worker connections on first use, replaying the session settings seen so far.
    async fn ensure(&mut self) -> Result<()> {
        while self.clients.len() < self.size {
            let c = connect::connect_once(&self.settings).await?;
            c.batch_execute(ASYNC_COMMIT).await.map_err(Error::from)?;
            for s in &self.session {
                c.batch_execute(s).await.map_err(Error::from)?;
            }
            let idx = self.clients.len();
            self.clients.push(Arc::new(c));
            self.give_back
                .send(idx)
                .await
                .map_err(|_| Error::new(ErrorKind::Io, "worker pool closed"))?;
        }
        Ok(())
    }

    /// Waits for all parallel work; the first failure wins.
    async fn barrier(&mut self) -> Result<()> {
        let mut first: Option<Error> = None;
        while let Some(r) = self.tasks.join_next().await {
            let r =
                r.map_err(|e| Error::new(ErrorKind::Io, format!("restore worker failed: {e}")))?;
            if let (Err(e), None) = (r, &first) {
                first = Some(e);
            }
        }
        let failure = self
            .first_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        match failure.or(first) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    async fn apply_setting(&mut self, sql: &str) -> Result<()> {
        self.session.push(sql.to_string());
        for c in &self.clients {
            c.batch_execute(sql).await.map_err(Error::from)?;
        }
        Ok(())
    }

    /// Runs `job` on the next free worker connection; errors carry the script line.
    async fn spawn<F, Fut>(&mut self, line: Option<usize>, job: F) -> Result<()>
    where
        F: FnOnce(Arc<Client>) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<()>> + Send,
    {
        self.ensure().await?;
        let (free, back, clients) = (
            Arc::clone(&self.free),
            self.give_back.clone(),
            self.clients.clone(),
        );
        let (failed, first_error) = (Arc::clone(&self.failed), Arc::clone(&self.first_error));
        self.tasks.spawn(async move {
            let idx = free
                .lock()
                .await
                .recv()
                .await
                .ok_or_else(|| Error::new(ErrorKind::Io, "worker pool closed"))?;
            if failed.load(Ordering::Acquire) {
                let _ = back.send(idx).await;
                return Ok(());
            }
            let r = job(Arc::clone(&clients[idx])).await;
            if let Err(e) = r {
                if !failed.swap(true, Ordering::AcqRel) {
                    // Stop what the other connections are doing: a COPY cancelled commits
                    // nothing, and no job starts after this one.
                    for (i, c) in clients.iter().enumerate() {
                        if i != idx {
                            let _ = c.cancel_token().cancel_query(tokio_postgres::NoTls).await;
                        }
                    }
                    let e = match line {
                        Some(line) => copy_at(line, e),
                        None => e,
                    };
                    *first_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                }
            }
            let _ = back.send(idx).await;
            Ok(())
        });
        Ok(())
    }

    async fn spawn_sql(&mut self, sql: String, line: usize) -> Result<()> {
        self.spawn(Some(line), move |c| async move {
            c.batch_execute(&sql).await.map_err(Error::from)
        })
        .await
    }

    /// Runs a batch of statements on the next free worker; its errors name their own lines.
    async fn spawn_batch(&mut self, mut batch: StatementBatch) -> Result<()> {
        self.spawn(None, move |c| async move { batch.run(&c).await })
            .await
    }

    async fn spawn_copy(
        &mut self,
        sql: String,
        line: usize,
        spool: Arc<Spool>,
        gate: Arc<BudgetGate>,
        load: Arc<TableLoad>,
    ) -> Result<()> {
        load.part_started();
        self.spawn(Some(line), move |c| async move {
            let bytes = copy_in(&c, &sql, &spool, &gate).await?;
            load.part_loaded(bytes);
            Ok(())
        })
        .await
    }
}

/// A table whose data finished loading: name, bytes, seconds.
type Loaded = (String, u64, f64);

/// Passes on the tables the workers finished loading: to progress, and their sizes, by which
/// index builds are ordered.
fn note_loaded(
    loaded: &std::sync::mpsc::Receiver<Loaded>,
    progress: &mut crate::progress::Progress,
    table_bytes: &mut std::collections::HashMap<String, u64>,
) {
    while let Ok((table, bytes, secs)) = loaded.try_recv() {
        progress.table_loaded(&table, bytes, secs);
        table_bytes.insert(table, bytes);
    }
}

async fn copy_in(client: &Client, sql: &str, spool: &Spool, gate: &BudgetGate) -> Result<u64> {
    let sink = client.copy_in::<_, Bytes>(sql).await?;
    futures_util::pin_mut!(sink);
    let mut bytes = 0u64;
    while let Some(chunk) = spool.next_chunk().await? {
        gate.freed();
        bytes += chunk.len() as u64;
        sink.send(chunk).await?;
    }
    sink.finish().await?;
    Ok(bytes)
}

/// Memory the spools of table data may hold between the script reader and the workers.
const SPOOL_BUDGET: usize = 12 << 20;
/// Size of the chunks the reader hands to a spool.
const BATCH_BYTES: usize = 256 << 10;
/// With several connections, a table's rows go out in COPY statements of about this size,
/// small enough that the reader keeps every worker fed within the spool budget.
pub const PART_BYTES: usize = 4 << 20;

/// The spools' shared memory budget, with a way for the script reader to wait for room: when
/// loading is the slow side, spilling the file's data to temp files would only cost more work.
struct BudgetGate {
    bytes: Arc<AtomicUsize>,
    closed: std::sync::atomic::AtomicBool,
    lock: std::sync::Mutex<()>,
    room: std::sync::Condvar,
}

impl BudgetGate {
    fn new(bytes: usize) -> Self {
        BudgetGate {
            bytes: Arc::new(AtomicUsize::new(bytes)),
            closed: Default::default(),
            lock: std::sync::Mutex::new(()),
            room: std::sync::Condvar::new(),
        }
    }

    /// Blocks until `n` bytes (at most the whole budget) are free, or the restore has stopped.
    fn wait_for(&self, n: usize) {
        let n = n.min(SPOOL_BUDGET);
        let mut guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        while self.bytes.load(Ordering::Acquire) < n && !self.closed.load(Ordering::Acquire) {
            guard = self.room.wait(guard).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// A worker took data out of a spool.
    fn freed(&self) {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        self.room.notify_all();
    }

    /// The restore is over (or failed): the reader must not wait any more.
    fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.freed();
    }
}

/// Closes the gate however `run` ends, so a reader waiting for room never outlives a failure.
struct CloseOnDrop(Arc<BudgetGate>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// What the script reader hands to the loader: an item, the spool its COPY data flows into,
/// and which part of the table's data this COPY is (0 for the first or only one).
struct Next {
    item: Item,
    spool: Option<Arc<Spool>>,
    part: usize,
    /// For COPY data: the line before this part's first row (row N is at line `rows_after + N`).
    rows_after: usize,
}

/// pg_dump's text-format COPY has exactly one row per line, so its data can be split at any
/// line; other formats (CSV with quoted newlines) are loaded as they are.
fn splittable(copy_sql: &str) -> bool {
    copy_sql.trim_end().ends_with(" FROM stdin;")
}

/// Reads the script, sending each item and filling COPY data into spools as it goes.
fn read_script(
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
struct TableLoad {
    table: String,
    started: std::time::Instant,
    /// Parts still loading, plus one while the reader may still add parts.
    pending: AtomicUsize,
    bytes: std::sync::atomic::AtomicU64,
    done: std::sync::mpsc::Sender<Loaded>,
    /// Every table loaded completely, for the summary of a failed restore.
    loaded: LoadedTables,
}

/// The tables whose data is in, in the order they finished.
type LoadedTables = Arc<std::sync::Mutex<Vec<String>>>;

fn note_table(loaded: &LoadedTables, table: &str) {
    loaded
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(table.to_string());
}

impl TableLoad {
    fn new(
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

    fn part_started(&self) {
        self.pending.fetch_add(1, Ordering::AcqRel);
    }

    fn part_loaded(&self, bytes: u64) {
        self.bytes.fetch_add(bytes, Ordering::AcqRel);
        self.release();
    }

    fn release(&self) {
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

fn creates_database(sql: &str) -> bool {
    let mut words = sql.split_whitespace();
    matches!(
        (words.next(), words.next()),
        (Some(a), Some(b)) if a.eq_ignore_ascii_case("CREATE") && b.eq_ignore_ascii_case("DATABASE")
    )
}

fn needs_create(line: usize) -> Error {
    Error::usage(
        "the dump creates its own database and connects to it (made with pg_dump -C); \
         restore it with --create, or use a dump made without -C",
    )
    .context(format!("line {line}"))
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

/// Consecutive statements sent to the server in one round trip. The server runs such a
/// multi-statement query as one implicit transaction; when it fails, nothing of it is kept and
/// the statements are run again one by one, so that exactly those before the failing one are
/// committed and the error names its line, as with psql. (Statements that may not run in a
/// transaction block simply take that slower path.)
#[derive(Default)]
struct StatementBatch {
    text: String,
    lines: Vec<(usize, std::ops::Range<usize>)>,
}

impl StatementBatch {
    const MAX_STATEMENTS: usize = 200;
    const MAX_BYTES: usize = 1 << 20;

    fn push(&mut self, sql: String, line: usize) {
        let start = self.text.len();
        self.text.push_str(&sql);
        self.lines.push((line, start..self.text.len()));
        self.text.push('\n');
    }

    fn full(&self) -> bool {
        self.lines.len() >= Self::MAX_STATEMENTS || self.text.len() >= Self::MAX_BYTES
    }

    async fn run(&mut self, client: &Client) -> Result<()> {
        let result = match self.lines.as_slice() {
            [] => Ok(()),
            [(line, _)] => client
                .batch_execute(&self.text)
                .await
                .map_err(|e| at_line(*line, Error::from(e))),
            many => match client.batch_execute(&self.text).await {
                Ok(()) => Ok(()),
                Err(_) => {
                    let mut one_by_one = Ok(());
                    for (line, range) in many {
                        if let Err(e) = client.batch_execute(&self.text[range.clone()]).await {
                            one_by_one = Err(at_line(*line, Error::from(e)));
                            break;
                        }
                    }
                    one_by_one
                }
            },
        };
        self.text.clear();
        self.lines.clear();
        result
    }
}

/// Whether the script has opened a transaction of its own (`BEGIN` ... `COMMIT`), inside which
/// statements must run exactly as written.
#[derive(Default)]
struct ScriptTransaction {
    open: bool,
}

/// Statements that open a transaction block, and those that close one.
const TXN_OPEN: [&str; 2] = ["BEGIN", "START"];
const TXN_CLOSE: [&str; 4] = ["COMMIT", "END", "ROLLBACK", "ABORT"];

impl ScriptTransaction {
    fn see(&mut self, sql: &str) {
        let word = first_word(sql);
        if TXN_OPEN.contains(&word.as_str()) {
            self.open = true;
        } else if TXN_CLOSE.contains(&word.as_str()) {
            self.open = false;
        }
    }

    fn outside(&self) -> bool {
        !self.open
    }
}

/// A statement's first word, upper-cased (its command, for transaction control checks).
fn first_word(sql: &str) -> String {
    sql.trim_start()
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_uppercase()
}

/// Statements of pg_dump's entries that can share a round trip: not session settings (they
/// are replayed on every connection), not transaction control, not the database's own entries.
fn batchable(toc: &Option<String>, sql: &str) -> bool {
    let Some(toc) = toc.as_deref() else {
        return false;
    };
    let word = first_word(sql);
    !is_session_setting(sql)
        && !TXN_OPEN.contains(&word.as_str())
        && !TXN_CLOSE.contains(&word.as_str())
        && !matches!(toc, "DATABASE" | "DATABASE PROPERTIES" | "BLOBS")
}

/// psql's restricted mode (`\\restrict KEY` ... `\\unrestrict KEY`, which dumps wrap
/// themselves in so that no other meta-command in them runs), with psql's checks.
#[derive(Default)]
struct Restricted {
    key: Option<String>,
}

impl Restricted {
    fn on(&self) -> bool {
        self.key.is_some()
    }

    /// Applies `\\restrict` or `\\unrestrict` with its argument; psql's message on error.
    fn command(&mut self, cmd: &str, arg: &str) -> std::result::Result<(), String> {
        let key = arg.split_whitespace().next().unwrap_or("");
        if key.is_empty() {
            return Err(format!("\\{cmd}: missing required argument"));
        }
        match (cmd, &self.key) {
            ("restrict", Some(_)) => {
                Err("backslash commands are restricted; only \\unrestrict is allowed".into())
            }
            ("restrict", None) => {
                self.key = Some(key.to_string());
                Ok(())
            }
            (_, None) => Err("\\unrestrict: not currently in restricted mode".into()),
            (_, Some(k)) if k != key => Err("\\unrestrict: wrong key".into()),
            _ => {
                self.key = None;
                Ok(())
            }
        }
    }
}

/// The session settings index and constraint entries set while their builds run in parallel
/// (pg_dump's `SET default_tablespace`), the latest of each variable.
#[derive(Default)]
struct WaveSettings {
    by_name: std::collections::BTreeMap<String, String>,
}

impl WaveSettings {
    fn set(&mut self, sql: &str) {
        self.by_name.insert(setting_name(sql), sql.to_string());
    }

    /// `sql` preceded by the settings in force where it stands in the file.
    fn ahead_of(&self, sql: String) -> String {
        if self.by_name.is_empty() {
            return sql;
        }
        let mut out: String = self.by_name.values().map(|s| format!("{s}\n")).collect();
        out.push_str(&sql);
        out
    }
}

/// The variable a `SET` or `set_config` statement sets.
fn setting_name(sql: &str) -> String {
    let l = sql.trim_start().to_ascii_lowercase();
    if let Some(rest) = l.strip_prefix("select pg_catalog.set_config(") {
        return rest
            .trim_start()
            .trim_start_matches('\'')
            .split('\'')
            .next()
            .unwrap_or("")
            .to_string();
    }
    l.split_whitespace().nth(1).unwrap_or("").to_string()
}

/// An index or constraint build waiting for its wave to start.
struct WaveJob {
    /// Data bytes loaded into its table (0 when unknown).
    bytes: u64,
    sql: String,
    line: usize,
}

/// Tables with less data than this have their index builds batched.
const SMALL_TABLE_BYTES: u64 = 1 << 20;
/// Index builds of small tables per batch.
const WAVE_BATCH: usize = 50;

/// Starts a wave's builds, biggest table first (file order among equals).
async fn start_wave(pool: &mut Pool, wave: &mut Vec<WaveJob>) -> Result<()> {
    // A stable sort keeps the file's order among tables of the same size.
    wave.sort_by_key(|job| std::cmp::Reverse(job.bytes));
    // Builds on small tables take less than their round trip: they go in batches.
    let mut batch = StatementBatch::default();
    for job in wave.drain(..) {
        if job.bytes >= SMALL_TABLE_BYTES {
            pool.spawn_sql(job.sql, job.line).await?;
            continue;
        }
        batch.push(job.sql, job.line);
        if batch.lines.len() >= WAVE_BATCH {
            pool.spawn_batch(std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.lines.is_empty() {
        pool.spawn_batch(batch).await?;
    }
    Ok(())
}

/// The table an `ALTER TABLE [ONLY] t ADD CONSTRAINT` or `CREATE [UNIQUE] INDEX i ON [ONLY] t`
/// statement works on, spelled as in the dump's `COPY` statements.
fn post_data_table(sql: &str) -> Option<&str> {
    let sql = sql.trim_start();
    if let Some(rest) = sql.strip_prefix("ALTER TABLE ") {
        let rest = rest.strip_prefix("ONLY ").unwrap_or(rest);
        return rest.split_whitespace().next();
    }
    let rest = &sql[sql.find(" ON ")? + 4..];
    let rest = rest.strip_prefix("ONLY ").unwrap_or(rest);
    rest.split_whitespace().next()
}

/// The leader's connection again with its socket at hand (no TLS), so that a statement too long
/// to hold in memory can be streamed to the server; as it was otherwise.
async fn with_socket(
    client: Client,
    settings: &ConnSettings,
) -> (Client, Option<crate::pg::shared_socket::SharedSocket>) {
    use crate::pg::shared_socket;
    let shareable = settings
        .hosts
        .first()
        .is_some_and(|h| shared_socket::shareable(settings, h));
    if !shareable {
        return (client, None);
    }
    match shared_socket::connect(settings).await {
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

/// Drops and re-creates the target database (the seed's `drop database` / `create database`).
async fn clean_database(settings: &ConnSettings, force: bool) -> Result<()> {
    let target = settings.dbname.clone();
    let mut admin = settings.clone();
    admin.dbname = if target == "postgres" {
        "template1".into()
    } else {
        "postgres".into()
    };
    let (client, _) = connect::connect_leader(admin, PasswordPrompt::Never).await?;
    let current: String = client
        .query_one("SELECT pg_catalog.current_database()", &[])
        .await?
        .get(0);
    if current == target {
        return Err(Error::usage(format!("refusing to drop database \"{target}\": it is the database this session is connected to")));
    }
    // Sessions that just disconnected (a previous run's workers) linger for a moment.
    let mut others: i64 = 0;
    for attempt in 0..10 {
        others = client
            .query_one("SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid()", &[&target])
            .await?
            .get(0);
        if others == 0 || force || attempt == 9 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    if others > 0 {
        if !force {
            return Err(Error::usage(format!(
                "database \"{target}\" has {others} other session(s); refusing to drop it (use --force to terminate them)"
            )));
        }
        client
            .execute("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid()", &[&target])
            .await?;
    }
    let q = crate::ddl::quote::quote_ident(&target);
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {q}"))
        .await?;
    client
        .batch_execute(&format!("CREATE DATABASE {q}"))
        .await?;
    Ok(())
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
                    .map_err(|m| Error::usage(m).context(format!("line {line}")))?,
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
        let mut r = Restricted::default();
        assert_eq!(
            r.command("restrict", ""),
            Err("\\restrict: missing required argument".into())
        );
        assert_eq!(
            r.command("unrestrict", "abc"),
            Err("\\unrestrict: not currently in restricted mode".into())
        );
        assert_eq!(r.command("restrict", "abc"), Ok(()));
        assert!(r.on());
        assert_eq!(
            r.command("unrestrict", "abd"),
            Err("\\unrestrict: wrong key".into())
        );
        assert_eq!(r.command("unrestrict", "abc"), Ok(()));
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
