//! `pgsnap restore`: loads a plain SQL dump (pgsnap's or pg_dump's, plain or gzip/lz4/zstd)
//! without psql. Pre-data runs in order on one connection; table data is loaded with
//! `COPY ... FROM STDIN` on several connections at once; indexes and primary/unique
//! constraints are built in parallel; everything else (foreign keys, triggers, ACLs,
//! materialized view refreshes) runs in file order once the parallel work before it is done.

pub mod script;

use crate::copy::Spool;
use crate::error::{Error, ErrorKind, Result};
use crate::pg::connect::{self, PasswordPrompt};
use crate::pg::conninfo::{self, ConnOptions, ConnSettings};
use bytes::Bytes;
use futures_util::SinkExt;
use script::{Item, ScriptReader};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
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
    /// Drop and re-create the target database first.
    pub clean_database: bool,
    /// Allow dropping a database other sessions are connected to (they are terminated).
    pub force: bool,
    /// Run the whole script in one transaction (serially).
    pub single_transaction: bool,
    /// Progress reporting.
    pub progress: crate::progress::ProgressMode,
}

/// What a restore did.
#[derive(Debug, Default)]
pub struct RestoreReport {
    /// Statements executed.
    pub statements: usize,
    /// COPY blocks loaded.
    pub tables: usize,
}

fn at_line(line: usize, e: Error) -> Error {
    e.context(format!("line {line}"))
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
    let raw: Box<dyn Read + Send> = match file {
        Some(p) => Box::new(std::fs::File::open(p).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("could not open input file \"{}\": {e}", p.display()),
            )
        })?),
        None => Box::new(std::io::stdin()),
    };
    let mut r = BufReader::with_capacity(1 << 20, Counting { inner: raw, read });
    let magic = r
        .fill_buf()?
        .get(..4)
        .map(|m| m.to_vec())
        .unwrap_or_default();
    Ok(if magic.starts_with(&[0x1f, 0x8b]) {
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
    })
}

/// Kinds of statements that may run in parallel with each other after the data is loaded.
fn parallel_post_data(toc: &Option<String>) -> bool {
    matches!(toc.as_deref(), Some("INDEX" | "CONSTRAINT"))
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
        })
    }

    /// Opens worker connections on first use, replaying the session settings seen so far.
    async fn ensure(&mut self) -> Result<()> {
        while self.clients.len() < self.size {
            let c = connect::connect_once(&self.settings).await?;
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
        match first {
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
    async fn spawn<F, Fut>(&mut self, line: usize, job: F) -> Result<()>
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
        self.tasks.spawn(async move {
            let idx = free
                .lock()
                .await
                .recv()
                .await
                .ok_or_else(|| Error::new(ErrorKind::Io, "worker pool closed"))?;
            let r = job(Arc::clone(&clients[idx]))
                .await
                .map_err(|e| at_line(line, e));
            let _ = back.send(idx).await;
            r
        });
        Ok(())
    }

    async fn spawn_sql(&mut self, sql: String, line: usize) -> Result<()> {
        self.spawn(line, move |c| async move {
            c.batch_execute(&sql).await.map_err(Error::from)
        })
        .await
    }

    async fn spawn_copy(
        &mut self,
        sql: String,
        line: usize,
        spool: Arc<Spool>,
        table: String,
        loaded: std::sync::mpsc::Sender<Loaded>,
    ) -> Result<()> {
        self.spawn(line, move |c| async move {
            let started = std::time::Instant::now();
            let bytes = copy_in(&c, &sql, &spool).await?;
            let _ = loaded.send((table, bytes, started.elapsed().as_secs_f64()));
            Ok(())
        })
        .await
    }
}

/// A table whose data finished loading: name, bytes, seconds.
type Loaded = (String, u64, f64);

async fn copy_in(client: &Client, sql: &str, spool: &Spool) -> Result<u64> {
    let sink = client.copy_in::<_, Bytes>(sql).await?;
    futures_util::pin_mut!(sink);
    let mut bytes = 0u64;
    while let Some(chunk) = spool.next_chunk().await? {
        bytes += chunk.len() as u64;
        sink.send(chunk).await?;
    }
    sink.finish().await?;
    Ok(bytes)
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

/// Runs a restore.
pub async fn run(plan: &RestorePlan) -> Result<RestoreReport> {
    let settings = conninfo::resolve_from_process(&plan.conn)?;
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
    if plan.clean_database {
        clean_database(&settings, plan.force).await?;
    }
    let (leader, settings) = connect::connect_leader(settings, plan.prompt).await?;
    let mut leader = leader;
    let jobs = if plan.single_transaction {
        0
    } else {
        plan.jobs.max(1)
    };
    let mut pool = Pool::new(settings.clone(), jobs).await?;
    if plan.single_transaction {
        leader.batch_execute("BEGIN").await?;
    }
    let (items_tx, mut items_rx) = mpsc::channel::<Result<(Item, Option<Arc<Spool>>)>>(4);
    let budget = Arc::new(AtomicUsize::new(24 << 20));
    // The script is read on its own thread: COPY data goes into spools that workers drain
    // while the reader moves on, so loading several tables overlaps with reading the file.
    let reader = std::thread::spawn(move || {
        let mut r = ScriptReader::new(input);
        loop {
            let item = match r.next_item() {
                Ok(Some(i)) => i,
                Ok(None) => return,
                Err(e) => {
                    let _ = items_tx.blocking_send(Err(e));
                    return;
                }
            };
            if let Item::Copy { .. } = item {
                let spool = Spool::new(Arc::clone(&budget));
                if items_tx
                    .blocking_send(Ok((item, Some(Arc::clone(&spool)))))
                    .is_err()
                {
                    return;
                }
                let mut batch: Vec<u8> = Vec::with_capacity(256 << 10);
                let res = r.copy_data(|line| {
                    batch.extend_from_slice(line);
                    if batch.len() >= 256 << 10 {
                        spool.push(Bytes::from(std::mem::take(&mut batch)))?;
                    }
                    Ok(())
                });
                let res = res.and_then(|_| {
                    if !batch.is_empty() {
                        spool.push(Bytes::from(batch))?;
                    }
                    Ok(())
                });
                let failed = res.is_err();
                spool.finish(res);
                if failed {
                    return;
                }
            } else if items_tx.blocking_send(Ok((item, None))).is_err() {
                return;
            }
        }
    });

    let mut report = RestoreReport::default();
    let mut in_parallel_wave = false;
    while let Some(next) = items_rx.recv().await {
        let (item, spool) = next?;
        let now = read_bytes.load(std::sync::atomic::Ordering::Relaxed);
        progress.bytes(now.saturating_sub(reported));
        reported = now;
        match item {
            Item::Meta { cmd, arg, line } => match cmd.as_str() {
                "restrict" | "unrestrict" => {}
                "connect" | "c" => {
                    pool.barrier().await?;
                    let db = arg
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_matches('"')
                        .to_string();
                    let mut s = settings.clone();
                    s.dbname = db;
                    let (c, s) = connect::connect_leader(s, PasswordPrompt::Never)
                        .await
                        .map_err(|e| at_line(line, e))?;
                    leader = c;
                    pool = Pool::new(s, jobs).await?;
                }
                other => {
                    return Err(Error::usage(format!(
                        "line {line}: meta-command \\{other} is not allowed in a restore"
                    )))
                }
            },
            Item::Copy { sql, line, .. } => {
                let spool = spool
                    .ok_or_else(|| Error::new(ErrorKind::Io, "internal: COPY without data"))?;
                report.tables += 1;
                let table = sql
                    .trim_start_matches("COPY ")
                    .split(' ')
                    .next()
                    .unwrap_or("")
                    .to_string();
                progress.table_start(&table);
                if jobs == 0 {
                    let started = std::time::Instant::now();
                    let bytes = copy_in(&leader, &sql, &spool)
                        .await
                        .map_err(|e| at_line(line, e))?;
                    progress.table_loaded(&table, bytes, started.elapsed().as_secs_f64());
                } else {
                    pool.spawn_copy(sql, line, spool, table, loaded_tx.clone())
                        .await?;
                }
            }
            Item::Statement { sql, line, toc } => {
                report.statements += 1;
                while let Ok((t, b, secs)) = loaded_rx.try_recv() {
                    progress.table_loaded(&t, b, secs);
                }
                let data_side = matches!(toc.as_deref(), Some("SEQUENCE SET"));
                if jobs > 0 && parallel_post_data(&toc) {
                    if !in_parallel_wave {
                        pool.barrier().await?;
                        in_parallel_wave = true;
                    }
                    pool.spawn_sql(sql, line).await?;
                    continue;
                }
                if !data_side {
                    pool.barrier().await?;
                    in_parallel_wave = false;
                }
                leader
                    .batch_execute(&sql)
                    .await
                    .map_err(|e| at_line(line, Error::from(e)))?;
                if jobs > 0 && is_session_setting(&sql) {
                    pool.apply_setting(&sql).await?;
                }
            }
        }
    }
    pool.barrier().await?;
    while let Ok((t, b, secs)) = loaded_rx.try_recv() {
        progress.table_loaded(&t, b, secs);
    }
    let _ = reader.join();
    progress.finish(read_bytes.load(std::sync::atomic::Ordering::Relaxed));
    if plan.single_transaction {
        leader.batch_execute("COMMIT").await?;
    }
    Ok(report)
}
