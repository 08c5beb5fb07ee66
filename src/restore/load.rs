//! The restore's main loop: takes the script's items in file order and runs each where it
//! belongs (the leader, a batch, the parallel COPY pool or a wave of index builds).

use super::*;

/// Loads the script into the database `settings` names: reads it on its own thread and runs
/// its items as they come.
pub(super) async fn load(
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
    if plan.progress_part {
        progress = progress.part_of_larger();
    }
    progress.phase("restore");
    if plan.clean_database && plan.in_place && !plan.create {
        clean_database(&settings, plan.force).await?;
    }
    let (leader, settings) = connect::connect_leader(settings, plan.prompt).await?;
    let (leader, leader_socket) = with_socket(leader, &settings).await;
    leader.batch_execute(ASYNC_COMMIT).await?;
    // One connection runs everything in file order, as psql does: a failure then leaves
    // exactly what psql leaves. Several connections load data and build indexes in parallel.
    let jobs = if plan.single_transaction || plan.jobs <= 1 || plan.on_error_continue {
        0
    } else {
        plan.jobs
    };
    let pool = Pool::new(settings.clone(), jobs).await?;
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
    // Workers report each table they finish loading; the reader passes it on to progress.
    let (loaded_tx, loaded_rx) = std::sync::mpsc::channel::<Loaded>();
    let mut session = Session {
        plan,
        settings,
        loaded,
        created,
        jobs,
        leader,
        leader_socket,
        pool,
        gate,
        loaded_tx,
        loaded_rx,
        progress,
        loading: None,
        report: RestoreReport::default(),
        wave: Vec::new(),
        in_parallel_wave: false,
        wave_settings: WaveSettings::default(),
        restricted: Restricted::default(),
        batch: StatementBatch::default(),
        script_txn: ScriptTransaction::default(),
        table_bytes: Default::default(),
    };
    session.set_role().await?;
    if plan.single_transaction {
        session.leader.batch_execute("BEGIN").await?;
    }
    let mut reported = 0u64;
    while let Some(next) = items_rx.recv().await {
        if session.pool.failed() {
            session.pool.barrier().await?;
        }
        let next = next?;
        let now = read_bytes.load(std::sync::atomic::Ordering::Relaxed);
        session.progress.bytes(now.saturating_sub(reported));
        reported = now;
        session.item(next).await?;
    }
    session.finish().await?;
    let _ = reader.join();
    session
        .progress
        .finish(read_bytes.load(std::sync::atomic::Ordering::Relaxed));
    if plan.single_transaction {
        session
            .leader
            .batch_execute("SET LOCAL synchronous_commit TO on; COMMIT")
            .await?;
    } else {
        flush_commits(&session.leader).await?;
    }
    Ok(session.report)
}

/// The restore's connections and what it has seen of the script so far.
struct Session<'a> {
    plan: &'a RestorePlan,
    settings: ConnSettings,
    /// Tables whose data is in (for the summary of a failed parallel restore).
    loaded: &'a LoadedTables,
    /// The staging database of `--create --clean-database`, once made.
    created: &'a mut Option<swap::Created>,
    /// Parallel connections; 0 runs everything on the leader.
    jobs: usize,
    leader: Client,
    leader_socket: Option<crate::pg::shared_socket::SharedSocket>,
    pool: Pool,
    gate: Arc<BudgetGate>,
    loaded_tx: std::sync::mpsc::Sender<Loaded>,
    loaded_rx: std::sync::mpsc::Receiver<Loaded>,
    progress: crate::progress::Progress,
    /// The table whose data parts are being read, shared by the parts' loads.
    loading: Option<Arc<TableLoad>>,
    report: RestoreReport,
    /// Index and constraint builds seen since the last other statement: they run in parallel,
    /// biggest table first, so the longest build does not start last.
    wave: Vec<WaveJob>,
    in_parallel_wave: bool,
    wave_settings: WaveSettings,
    restricted: Restricted,
    batch: StatementBatch,
    script_txn: ScriptTransaction,
    /// Bytes of data loaded per table, to order the index builds.
    table_bytes: std::collections::HashMap<String, u64>,
}

impl Session<'_> {
    /// `--role`: `SET ROLE` on the leader and every worker.
    async fn set_role(&mut self) -> Result<()> {
        if let Some(role) = &self.plan.role {
            self.leader.batch_execute(&set_role(role)).await?;
            self.pool.apply_setting(&set_role(role)).await?;
        }
        Ok(())
    }

    /// Runs one item of the script.
    async fn item(&mut self, next: Next) -> Result<()> {
        let Next {
            item,
            spool,
            part,
            rows_after,
        } = next;
        if part == 0 {
            // Any item but a further part of the same table means that table's data is all read.
            if let Some(load) = self.loading.take() {
                load.release();
            }
        }
        if !matches!(item, Item::Statement { .. }) {
            self.batch.run(&self.leader).await?;
            start_wave(&mut self.pool, &mut self.wave).await?;
        }
        match item {
            Item::Meta { cmd, arg, line } => self.meta(&cmd, &arg, line).await,
            Item::LongStatement {
                head,
                mut text,
                len,
                line,
                ..
            } => {
                self.report.statements += 1;
                self.note_loaded();
                self.pool.barrier().await?;
                self.in_parallel_wave = false;
                if !self.plan.create && creates_database(&head) {
                    return Err(needs_create(line));
                }
                let ran =
                    run_long_statement(&self.leader, self.leader_socket.as_ref(), &mut text, len)
                        .await;
                if let Err(e) = ran {
                    failed_statement(self.plan, &mut self.report, line, e)?;
                }
                Ok(())
            }
            Item::Copy { sql, .. } => {
                let spool = spool
                    .ok_or_else(|| Error::new(ErrorKind::Io, "internal: COPY without data"))?;
                self.copy(sql, spool, part, rows_after).await
            }
            Item::Statement { sql, line, toc } => self.statement(sql, line, toc).await,
        }
    }

    fn note_loaded(&mut self) {
        note_loaded(&self.loaded_rx, &mut self.progress, &mut self.table_bytes);
    }

    /// A backslash command: `\restrict`/`\unrestrict`, and `\connect` of a `-C` dump.
    async fn meta(&mut self, cmd: &str, arg: &str, line: usize) -> Result<()> {
        match cmd {
            "restrict" | "unrestrict" => self
                .restricted
                .command(cmd, arg)
                .map_err(|e| e.context(format!("line {line}"))),
            _ if self.restricted.on() => Err(Error::usage(
                "backslash commands are restricted; only \\unrestrict is allowed",
            )
            .context(format!("line {line}"))),
            "connect" | "c" if !self.plan.create => Err(needs_create(line)),
            "connect" | "c" => self.reconnect(arg, line).await,
            other => Err(Error::usage(format!(
                "meta-command \\{other} is not allowed in a restore"
            ))
            .context(format!("line {line}"))),
        }
    }

    /// `\connect DB`: the leader and the workers move to the database the script names (the
    /// staging copy under `--clean-database`).
    async fn reconnect(&mut self, arg: &str, line: usize) -> Result<()> {
        self.pool.barrier().await?;
        let mut db = arg
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches('"')
            .to_string();
        if let Some(c) = self.created.as_ref().filter(|c| c.target == db) {
            db = c.staging.clone();
        }
        let mut s = self.settings.clone();
        s.dbname = db;
        let (c, s) = connect::connect_leader(s, PasswordPrompt::Never)
            .await
            .map_err(|e| at_line(line, e))?;
        let (c, socket) = with_socket(c, &s).await;
        c.batch_execute(ASYNC_COMMIT).await?;
        flush_commits(&self.leader).await?;
        self.leader = c;
        self.leader_socket = socket;
        self.pool = Pool::new(s, self.jobs).await?;
        self.set_role().await
    }

    /// A table's data (or one part of it): loaded here with one connection, else handed to
    /// the pool.
    async fn copy(
        &mut self,
        sql: String,
        spool: Arc<Spool>,
        part: usize,
        rows_after: usize,
    ) -> Result<()> {
        let table = sql
            .trim_start_matches("COPY ")
            .split(' ')
            .next()
            .unwrap_or("")
            .to_string();
        if part == 0 {
            self.report.tables += 1;
            self.progress.table_start(&table);
        }
        if self.jobs > 0 {
            let load = match (&self.loading, part) {
                (Some(load), p) if p > 0 => Arc::clone(load),
                _ => {
                    let load = TableLoad::new(table, self.loaded_tx.clone(), self.loaded);
                    self.loading = Some(Arc::clone(&load));
                    load
                }
            };
            return self
                .pool
                .spawn_copy(sql, rows_after, spool, Arc::clone(&self.gate), load)
                .await;
        }
        let started = std::time::Instant::now();
        match copy_in(&self.leader, &sql, &spool, &self.gate).await {
            Ok(bytes) => {
                note_table(self.loaded, &table);
                self.progress
                    .table_loaded(&table, bytes, started.elapsed().as_secs_f64());
            }
            Err(e) => {
                let row = e.server_context().and_then(copy_context_row).unwrap_or(0);
                failed_statement(self.plan, &mut self.report, rows_after + row, e)?;
                // The rest of its data is read and left, as psql does.
                while spool.next_chunk().await?.is_some() {
                    self.gate.freed();
                }
            }
        }
        Ok(())
    }

    /// A statement of the script: skipped (-O/-x), rewritten for the staging database, joined
    /// to a wave of index builds, batched, or run on the leader.
    async fn statement(&mut self, sql: String, line: usize, toc: Option<String>) -> Result<()> {
        let plan = self.plan;
        if !plan.create && creates_database(&sql) {
            return Err(needs_create(line));
        }
        if plan.skips.skips(toc.as_deref(), &sql) {
            self.report.skipped += 1;
            return Ok(());
        }
        if plan.create && plan.clean_database && swap::drops_database(&sql) {
            // --clean-database replaces the database itself: the old one stays until the new
            // one is swapped in (or is dropped with --in-place).
            return Ok(());
        }
        let sql = match self.created.as_ref() {
            Some(c) if c.written.is_some() => {
                swap::rename_database(&sql, c.written.as_deref().unwrap_or(""), &c.staging)
            }
            _ => sql,
        };
        if plan.create && plan.clean_database && creates_database(&sql) {
            if let Some(c) = swap::create_database(plan, &self.settings, &sql).await? {
                c.admin
                    .execute(&swap::rename_database(
                        &sql,
                        c.written.as_deref().unwrap_or(""),
                        &c.staging,
                    ))
                    .await
                    .map_err(|e| at_line(line, e))?;
                *self.created = Some(c);
                self.report.statements += 1;
                return Ok(());
            }
        }
        self.report.statements += 1;
        self.note_loaded();
        if self.jobs > 0 && self.parallel_part(&sql, line, &toc).await? {
            return Ok(());
        }
        start_wave(&mut self.pool, &mut self.wave).await?;
        if !matches!(toc.as_deref(), Some("SEQUENCE SET")) {
            self.pool.barrier().await?;
            self.in_parallel_wave = false;
        }
        self.script_txn.see(&sql);
        if !plan.single_transaction
            && !plan.on_error_continue
            && self.script_txn.outside()
            && batchable(&toc, &sql)
        {
            self.batch.push(sql, line);
            if self.batch.full() {
                self.batch.run(&self.leader).await?;
            }
            return Ok(());
        }
        self.batch.run(&self.leader).await?;
        if let Err(e) = self.leader.batch_execute(&sql).await {
            failed_statement(plan, &mut self.report, line, Error::from(e))?;
        }
        if self.jobs > 0 && is_session_setting(&sql) {
            self.pool.apply_setting(&sql).await?;
        }
        Ok(())
    }

    /// With workers: takes a statement that belongs to the parallel post-data wave (a build,
    /// a setting it is written under, the session user running it); says whether it did.
    async fn parallel_part(
        &mut self,
        sql: &str,
        line: usize,
        toc: &Option<String>,
    ) -> Result<bool> {
        // The session user of --use-set-session-authorization dumps is the leader's: it runs
        // everything owned by someone, while index and constraint builds (owned by their table
        // whoever runs them) go on in the workers.
        if self.in_parallel_wave && sets_session_user(sql) {
            self.leader
                .batch_execute(sql)
                .await
                .map_err(|e| at_line(line, Error::from(e)))?;
            return Ok(true);
        }
        if !parallel_post_data(toc) {
            return Ok(false);
        }
        if is_session_setting(sql) {
            // A setting inside an index or constraint entry (its tablespace) holds for the
            // builds after it in the file: each carries the settings it was written under,
            // since the wave runs them on any connection, in any order.
            self.batch.run(&self.leader).await?;
            self.leader
                .batch_execute(sql)
                .await
                .map_err(|e| at_line(line, Error::from(e)))?;
            self.wave_settings.set(sql);
            return Ok(true);
        }
        if !self.in_parallel_wave {
            self.batch.run(&self.leader).await?;
            self.pool.barrier().await?;
            self.note_loaded();
            self.in_parallel_wave = true;
        }
        let bytes = post_data_table(sql)
            .and_then(|t| self.table_bytes.get(t))
            .copied()
            .unwrap_or(0);
        let sql = self.wave_settings.ahead_of(sql.to_string());
        self.wave.push(WaveJob { bytes, sql, line });
        Ok(true)
    }

    /// After the last item: the last table's data, batch and wave, and every worker done.
    async fn finish(&mut self) -> Result<()> {
        if let Some(load) = self.loading.take() {
            load.release();
        }
        self.batch.run(&self.leader).await?;
        start_wave(&mut self.pool, &mut self.wave).await?;
        self.pool.barrier().await?;
        self.note_loaded();
        Ok(())
    }
}
