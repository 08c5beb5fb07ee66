//! The worker connections of a parallel restore: jobs on the next free one, the first failure cancelling the rest.

use super::*;

pub(super) struct Pool {
    pub(super) clients: Vec<Arc<Client>>,
    pub(super) free: Arc<Mutex<mpsc::Receiver<usize>>>,
    pub(super) give_back: mpsc::Sender<usize>,
    pub(super) tasks: JoinSet<Result<()>>,
    pub(super) settings: ConnSettings,
    pub(super) session: Vec<String>,
    pub(super) size: usize,
    /// Set at the first failure: no further job starts, and those running are cancelled, so
    /// that no more is committed after an error than the work already done.
    pub(super) failed: Arc<std::sync::atomic::AtomicBool>,
    /// That first failure (the cancelled jobs' errors are only its echo).
    pub(super) first_error: Arc<std::sync::Mutex<Option<Error>>>,
}

impl Pool {
    pub(super) async fn new(settings: ConnSettings, size: usize) -> Result<Pool> {
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
    pub(super) fn failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// Opens worker connections on first use, replaying the session settings seen so far.
    pub(super) async fn ensure(&mut self) -> Result<()> {
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
    pub(super) async fn barrier(&mut self) -> Result<()> {
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

    pub(super) async fn apply_setting(&mut self, sql: &str) -> Result<()> {
        self.session.push(sql.to_string());
        for c in &self.clients {
            c.batch_execute(sql).await.map_err(Error::from)?;
        }
        Ok(())
    }

    /// Runs `job` on the next free worker connection; errors carry the script line.
    pub(super) async fn spawn<F, Fut>(&mut self, line: Option<usize>, job: F) -> Result<()>
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

    pub(super) async fn spawn_sql(&mut self, sql: String, line: usize) -> Result<()> {
        self.spawn(Some(line), move |c| async move {
            c.batch_execute(&sql).await.map_err(Error::from)
        })
        .await
    }

    /// Runs a batch of statements on the next free worker; its errors name their own lines.
    pub(super) async fn spawn_batch(&mut self, mut batch: StatementBatch) -> Result<()> {
        self.spawn(None, move |c| async move { batch.run(&c).await })
            .await
    }

    pub(super) async fn spawn_copy(
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

pub(super) async fn copy_in(
    client: &Client,
    sql: &str,
    spool: &Spool,
    gate: &BudgetGate,
) -> Result<u64> {
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
