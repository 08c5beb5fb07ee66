//! COPY text gathered into batches, and small tables copied in pipelined batches.

use super::*;

/// Size of the batches CopyData rows are gathered into before they are handed on.
pub(super) const BATCH: usize = 256 << 10;

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
pub(super) struct Batcher {
    pub(super) buf: BytesMut,
}

impl Batcher {
    /// Adds `data`; returns a full batch when there is one.
    pub(super) fn add(&mut self, data: &[u8]) -> Option<Bytes> {
        self.buf.extend_from_slice(data);
        if self.buf.len() < BATCH {
            return None;
        }
        let full = self.buf.split().freeze();
        self.buf.reserve(BATCH + (BATCH >> 2));
        Some(full)
    }

    /// What is left at the end of a table, if anything (the buffer stays for the next one).
    pub(super) fn tail(&mut self) -> Option<Bytes> {
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
pub(super) async fn drain_copy(
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
pub(super) fn abandon_batch(batch: &[(CopyJob, Feed)], msg: &str) -> Error {
    for (_, feed) in batch {
        feed.0.finish(Err(not_copied(msg)));
    }
    Error::new(ErrorKind::Server, msg)
}

/// A job of a batch that an earlier job's failure stopped.
pub(super) fn not_copied(msg: &str) -> Error {
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
pub(super) async fn copy_small_batch(conn: &WorkerConn, batch: Vec<(CopyJob, Feed)>) -> Result<()> {
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
pub(super) async fn copy_small_batch_direct(
    socket: &SharedSocket,
    batch: Vec<(CopyJob, Feed)>,
) -> Result<()> {
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
pub(super) const SMALL_TABLE_PAGES: i64 = 16;

/// Tables per pipelined batch.
pub(super) const SMALL_BATCH: usize = 32;

/// Runs COPY `jobs` pipelined over the worker's lent socket, each job's text into its spool
/// in batches of about [`BATCH`] bytes; `ended` hears each job's result and byte count. An
/// error returned here (socket, spool) leaves the connection unusable.
pub(super) async fn copy_direct(
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
                let result = result.map_err(|e| e.context(format!("COPY {}", job.name)));
                ended(i, result, std::mem::take(&mut bytes));
            }
        }
        Ok(())
    })
    .await
}
