//! `pgsnap dump`: connect, snapshot, read the catalog, order, generate DDL, copy data in
//! parallel and write one plain SQL file in pg_dump's order.

use crate::catalog;
use crate::copy::{self, TableJob};
use crate::ddl::DdlOptions;
use crate::error::{Error, ErrorKind, Result};
use crate::model::Kind;
use crate::output::encode::{ascii_sql, Encoder};
use crate::output::plain::{self, Header, PlainState, PrintOptions};
use crate::output::sink::Sink;
use crate::pg::{connect, conninfo, session};
use crate::plan::DumpPlan;
use crate::sort;
use crate::toc::archive::Archive;
use std::time::Instant;

/// What a finished dump reports.
#[derive(Debug, Default)]
pub struct DumpReport {
    /// Bytes written.
    pub bytes: u64,
    /// TOC entries written.
    pub entries: usize,
    /// Tables whose data was copied.
    pub tables: usize,
    /// SHA-256 of the output, when requested.
    pub sha256: Option<String>,
    /// Source server version.
    pub server_version: String,
    /// The exported snapshot the dump was taken in.
    pub snapshot: String,
}

/// The version line pgsnap writes where pg_dump writes its own.
pub fn dumped_by() -> String {
    format!("pgsnap version {}", env!("CARGO_PKG_VERSION"))
}

fn log(plan: &DumpPlan, start: Instant, msg: &str) {
    if plan.verbose {
        let rss = resident_mib()
            .map(|m| format!(", {m} MiB"))
            .unwrap_or_default();
        eprintln!("pgsnap: {msg} ({:.2}s{rss})", start.elapsed().as_secs_f64());
    }
}

/// The process's resident memory, where the platform tells it (Linux's /proc).
fn resident_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// The encoding the script is written in: `-E`'s, by its canonical name, or the database's
/// (pg_dump's default).
async fn output_encoding(
    client: &tokio_postgres::Client,
    requested: Option<&str>,
    database: &str,
) -> Result<String> {
    let Some(name) = requested else {
        return Ok(database.to_string());
    };
    let row = client
        .query_one(
            "SELECT pg_catalog.pg_encoding_to_char(pg_catalog.pg_char_to_encoding($1))::text",
            &[&name],
        )
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("checking -E"))?;
    let canonical: String = row
        .try_get(0)
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("checking -E"))?;
    let invalid = || Error::usage(format!("invalid client encoding \"{name}\" specified"));
    if canonical.is_empty() {
        return Err(invalid());
    }
    // The server must be able to convert to it (as libpq's PQsetClientEncoding finds out);
    // tried in a savepoint, so the leader keeps speaking UTF8.
    client
        .batch_execute(&format!(
            "SAVEPOINT pgsnap_encoding; SET LOCAL client_encoding = '{canonical}'; \
             ROLLBACK TO SAVEPOINT pgsnap_encoding; RELEASE SAVEPOINT pgsnap_encoding"
        ))
        .await
        .map_err(|_| invalid())?;
    Ok(canonical)
}

/// How many copy workers to start: `-j`, but no more than there are tables (unless one is big
/// enough to be split among them) nor than the server has connections free for.
async fn worker_count(
    client: &tokio_postgres::Client,
    plan: &DumpPlan,
    jobs: &[TableJob],
) -> Result<usize> {
    // More workers than tables only help when a table is big enough to be split.
    let splittable = jobs.iter().any(|j| j.relpages >= 2 * plan.chunk_pages);
    let useful = if splittable {
        plan.jobs
    } else {
        plan.jobs.min(jobs.len())
    };
    let free = session::free_connections(client).await?;
    let workers = useful.min(free);
    if plan.verbose && workers < plan.jobs {
        eprintln!(
            "pgsnap: -j {} capped at {workers} ({} tables to copy{}, {free} connections free on the server)",
            plan.jobs,
            jobs.len(),
            if splittable { ", some split into ranges" } else { "" },
        );
    }
    Ok(workers)
}

/// Reads the sequences' values on a connection of their own (reading a sequence locks it,
/// and the values are not transactional anyway); on the leader's when the server has no
/// connection to spare.
async fn sequence_values(
    client: &tokio_postgres::Client,
    settings: &conninfo::ConnSettings,
    session_sql: &str,
    plan: &DumpPlan,
    cat: &mut crate::model::Catalog,
) -> Result<()> {
    match connect::connect_once(settings).await {
        Ok(seq_client) => {
            session::prepare(&seq_client, session_sql).await?;
            if let Some(t) = &plan.switches.lock_wait_timeout {
                // Reading a sequence locks it: wait no longer than asked.
                let sql = format!(
                    "SET lock_timeout = {}",
                    crate::ddl::quote::quote_literal(t, true)
                );
                seq_client.batch_execute(&sql).await.map_err(|e| {
                    Error::from_pg(e, ErrorKind::Server).context("setting lock wait timeout")
                })?;
            }
            catalog::load_sequence_values(&seq_client, cat).await
        }
        Err(e) => {
            // No connection to spare (a connection limit): read them on the leader's.
            if plan.verbose {
                eprintln!(
                    "pgsnap: no connection for sequence values ({e}): reading them on the leader's"
                );
            }
            catalog::load_sequence_values(client, cat).await
        }
    }
}

/// The copy jobs of the dump's table data, in dump order, with the number of tables and the
/// estimated bytes (heap pages) for progress. Data a `--section` choice leaves out is not copied.
fn table_jobs(archive: &Archive<'_>, plan: &DumpPlan) -> (Vec<TableJob>, usize, u64) {
    let mut jobs: Vec<TableJob> = Vec::new();
    let (mut tables, mut estimate) = (0usize, 0u64);
    if !plan.sections.data {
        return (jobs, tables, estimate);
    }
    for (id, c) in archive.copy_sources() {
        tables += 1;
        estimate += c.relpages.max(0) as u64 * 8192;
        let o = archive.object(id);
        jobs.push(TableJob {
            entry: id,
            name: format!("{}.{}", o.namespace.as_deref().unwrap_or(""), o.name),
            // Workers may speak another client encoding: what they send is kept ASCII.
            sql: ascii_owned(c.copy_out_sql),
            qualified: ascii_owned(c.qualified_name),
            columns: ascii_owned(c.columns),
            relpages: c.relpages,
            inserts: c.inserts,
            // Workers lock what the leader locked (foreign tables are not).
            lock: matches!(archive.relkind(c.table), Some('r' | 'p')),
            row_filter: c.row_filter,
        });
    }
    (jobs, tables, estimate)
}

/// `s` with every non-ASCII character escaped as [`ascii_sql`] does, without a copy when
/// there is none.
fn ascii_owned(s: String) -> String {
    match ascii_sql(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(escaped) => escaped,
    }
}

/// The `\restrict` key: `--restrict-key`'s, or a random one as pg_dump makes.
fn restrict_key(plan: &DumpPlan) -> Result<String> {
    match &plan.restrict_key {
        Some(k) => Ok(k.clone()),
        None => random_restrict_key(),
    }
}

/// A random `\restrict` key, as pg_dump makes one.
pub fn random_restrict_key() -> Result<String> {
    let mut buf = [0u8; 64];
    getrandom::getrandom(&mut buf).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("could not generate restrict key: {e}"),
        )
    })?;
    Ok(plain::random_restrict_key(&buf))
}

/// Runs a dump as planned.
pub async fn run(plan: &DumpPlan) -> Result<DumpReport> {
    // Open the output first: a bad -f path fails before any work, and leaves nothing behind.
    let mut sink = Sink::open_with(plan.output.as_deref(), plan.compression, plan.hash_output)?;
    if plan.switches.no_sync {
        sink = sink.without_sync();
    }
    let written = write_into(plan, &mut sink).await?;
    let summary = sink.finish()?;
    let target = match &plan.output {
        Some(p) => format!("\"{}\"", p.display()),
        None => "standard output".to_string(),
    };
    written
        .progress
        .finish_dump(summary.stored_bytes, written.report.tables, &target);
    log(plan, written.start, "done");
    Ok(DumpReport {
        bytes: summary.stored_bytes,
        sha256: summary.sha256,
        ..written.report
    })
}

/// A dump written into an output that stays open (one database of `pgsnap dumpall`).
pub struct Written {
    /// What was dumped (bytes and hash are the output's, known once it is finished).
    pub report: DumpReport,
    /// The dump's progress reporter, for its closing event.
    pub progress: crate::progress::Progress,
    /// When the dump started.
    pub start: Instant,
}

/// Dumps as planned into `sink`, leaving it open (`plan.output` is not looked at).
pub async fn write_into(plan: &DumpPlan, sink: &mut Sink) -> Result<Written> {
    let start = Instant::now();
    let settings = conninfo::resolve_from_process(&plan.conn)?;
    if plan.verbose {
        eprintln!("pgsnap: connecting with {}", settings.redacted());
    }
    let (client, settings) = connect::connect_leader(settings, plan.prompt).await?;
    let server_num = check_server_version(&client).await?;
    let session_sql = session_sql(plan, server_num);
    session::apply_settings(&client, &session_sql).await?;
    let snapshot = session::begin_leader(
        &client,
        plan.switches.snapshot.as_deref(),
        plan.switches.serializable_deferrable,
    )
    .await?;
    let join = session::Joining {
        settings: settings.clone(),
        snapshot: snapshot.clone(),
        session_sql: session_sql.clone(),
    };
    let model = read_model(&client, plan, &join, start).await?;
    let cat = &model.cat;
    let dialect = cat.dialect;
    let quoting = crate::ddl::quote::Quoting {
        all: plan.switches.quote_all_identifiers,
        major: dialect.major,
    };
    let opts = ddl_options(plan, quoting, dialect);
    // -C: the database's own entries come first, each reconnecting as pg_dump does.
    let (db_entries, connect) = database_entries(plan, quoting, &model)?;
    let archive = Archive::new(
        cat,
        &model.order,
        opts,
        plan.sections,
        db_entries,
        plan.switches.clean,
    );
    let (jobs, tables, estimate) = table_jobs(&archive, plan);

    let key = restrict_key(plan)?;
    // -E wins, then client_encoding / PGCLIENTENCODING, then the database's (as with libpq).
    let requested = plan
        .encoding
        .as_deref()
        .or(settings.client_encoding.as_deref());
    let encoding = output_encoding(&client, requested, &cat.encoding).await?;
    let enc = Encoder::new(&client, &encoding);
    let header = Header {
        server_version: cat.server_version.clone(),
        dumped_by: dumped_by(),
        encoding: encoding.clone(),
        std_strings: cat.std_strings,
        restrict_key: key.clone(),
        row_security: plan.switches.enable_row_security,
        dialect,
    };

    let parallel = !jobs.is_empty();
    // Workers stop when this goes out of scope, on success or failure alike.
    let stop_workers = copy::StopWorkers(Default::default());
    let spools = if parallel {
        let workers = worker_count(&client, plan, &jobs).await?;
        let chunking = copy::Chunking {
            first_pages: plan.chunk_pages,
            adaptive: plan.adaptive_chunks,
        };
        let setup = copy::WorkerSetup {
            join,
            encoding: (encoding != "UTF8").then(|| encoding.clone()),
            stop: std::sync::Arc::clone(&stop_workers.0),
        };
        copy::start_workers(&setup, jobs, workers, plan.spool_memory, chunking)
    } else {
        Default::default()
    };
    log(plan, start, "writing");
    let mut progress = crate::progress::Progress::new(plan.progress, estimate, tables);
    if plan.progress_part {
        progress = progress.part_of_larger();
    }
    progress.phase("data");
    let mut out = Writer {
        client: &client,
        plan,
        encoding: &encoding,
        sink,
        enc,
        st: PlainState::default(),
        popts: print_options(plan, quoting),
        progress,
        spools,
    };
    out.text(&plain::header(&header)).await?;
    if plan.switches.clean {
        // Each DROP runs as the entry's owner under --use-set-session-authorization.
        let mut text = String::new();
        for e in archive.drops() {
            if let Some(sql) = plain::drop_statement(e, plan.switches.if_exists) {
                text.push_str(&out.st.become_owner(e, out.popts));
                text.push_str(&sql);
            }
        }
        out.text(&text).await?;
    }
    let mut entry_count = 0usize;
    for (object, e) in archive.entries() {
        entry_count += 1;
        let head = out.st.entry_head(&e, out.popts);
        out.text(&head).await?;
        if let (Some(connect), "DATABASE" | "DATABASE PROPERTIES") = (&connect, e.desc) {
            out.text(&plain::reconnect(&header, connect)).await?;
            out.st.reconnected();
            continue;
        }
        if e.desc == "BLOBS" {
            out.large_objects(cat, &e.large_objects).await?;
            continue;
        }
        let (Some(_), Some(id)) = (&e.data, object) else {
            continue;
        };
        out.table_data(&e, id).await?;
    }
    out.text(&plain::footer(&key)).await?;
    // The leader's transaction (and so the snapshot) stayed open until every worker finished.
    let _ = client.batch_execute("COMMIT").await;
    Ok(Written {
        report: DumpReport {
            entries: entry_count,
            tables,
            server_version: cat.server_version.clone(),
            snapshot,
            ..DumpReport::default()
        },
        progress: out.progress,
        start,
    })
}

/// The settings every connection of the dump applies after pg_dump's own: the switches', and
/// on 17 a transaction_timeout of none (the server's would end the dump's long transaction;
/// pg_dump 17 turns it off as it does the other timeouts).
fn session_sql(plan: &DumpPlan, server_num: u32) -> String {
    let mut sql = plan.switches.session_sql();
    if server_num >= 170000 {
        sql.push_str("SET transaction_timeout = 0;");
    }
    sql
}

/// The server's `server_version_num`; a server whose catalog pgsnap does not read is refused.
async fn check_server_version(client: &tokio_postgres::Client) -> Result<u32> {
    let version: i32 = client
        .query_one(
            "SELECT pg_catalog.current_setting('server_version_num')::int4",
            &[],
        )
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("reading server version"))?
        .get(0);
    if !(130000..190000).contains(&version) {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "server version {version} is not supported: pgsnap dumps PostgreSQL 13 to 18 servers"
            ),
        ));
    }
    Ok(version.unsigned_abs())
}

/// The model of what the dump holds, in pg_dump's order.
struct Model {
    cat: crate::model::Catalog,
    order: Vec<crate::model::DumpId>,
    /// The database's own properties, with -C.
    database: Option<crate::database::DatabaseInfo>,
}

/// Reads the catalog (and, with -C, the database's properties and the sequences' values) in
/// the leader's snapshot and orders it.
async fn read_model(
    client: &tokio_postgres::Client,
    plan: &DumpPlan,
    join: &session::Joining,
    start: Instant,
) -> Result<Model> {
    log(plan, start, "reading catalog");
    if plan.progress == crate::progress::ProgressMode::Json {
        eprintln!(
            "{{\"event\":\"phase\",\"phase\":\"catalog\",\"elapsed\":{:.3}}}",
            start.elapsed().as_secs_f64()
        );
    }
    let sel = catalog::resolve_selection(client, plan, &join.settings.dbname).await?;
    session::secure_search_path(client).await?;
    let mut cat = catalog::load(client, plan, &sel, Some(join.clone())).await?;
    // -C writes the database's own entries (even with -a: see below).
    let database = if plan.switches.create {
        Some(
            crate::database::load(client, cat.server_num, !plan.switches.no_security_labels)
                .await?,
        )
    } else {
        None
    };
    // Sequence values come over a connection of their own (see load_sequence_values), opened
    // only when there is a sequence to read.
    let any_sequence = cat.objects.iter().any(|o| o.kind() == Kind::SequenceSet);
    if (plan.data || plan.switches.sequence_data) && plan.sections.data && any_sequence {
        sequence_values(client, &join.settings, &join.session_sql, plan, &mut cat).await?;
    }
    log(
        plan,
        start,
        &format!("read {} catalog objects", cat.objects.len()),
    );
    let order = sort::order(&mut cat)?;
    // The catalog-id index served loading and sorting; writing needs only the objects, and
    // the memory it frees is what the copy spools use next.
    cat.by_catalog_id = Default::default();
    log(plan, start, "sorted");
    Ok(Model {
        cat,
        order,
        database,
    })
}

/// With -C, the database's own entries and the `\connect` line that follows them.
fn database_entries(
    plan: &DumpPlan,
    quoting: crate::ddl::quote::Quoting,
    model: &Model,
) -> Result<(Vec<crate::toc::TocEntry>, Option<String>)> {
    let Some(db) = &model.database else {
        return Ok((Vec::new(), None));
    };
    let entries = crate::database::entries(
        model.cat.dialect,
        quoting,
        db,
        model.cat.std_strings,
        plan.no_comments,
        plan.no_privileges,
        plan.switches.no_tablespaces,
    );
    Ok((
        entries,
        Some(crate::database::connect_line(quoting, &db.name)?),
    ))
}

/// The switches that change the DDL text.
fn ddl_options(
    plan: &DumpPlan,
    quoting: crate::ddl::quote::Quoting,
    dialect: crate::dialect::Dialect,
) -> DdlOptions {
    DdlOptions {
        dialect,
        inserts: plan.switches.insert_options(),
        no_toast_compression: plan.switches.no_toast_compression,
        no_privileges: plan.no_privileges,
        no_comments: plan.no_comments,
        schema: plan.schema,
        disable_dollar_quoting: plan.switches.disable_dollar_quoting,
        load_via_partition_root: plan.switches.load_via_partition_root,
        quoting,
    }
}

/// The switches that change how entries are printed around their text.
fn print_options(plan: &DumpPlan, quoting: crate::ddl::quote::Quoting) -> PrintOptions {
    PrintOptions {
        no_owner: plan.no_owner,
        no_tablespaces: plan.switches.no_tablespaces,
        no_table_access_method: plan.switches.no_table_access_method,
        // Only data-only dumps disable triggers (pg_dump ignores the switch otherwise).
        disable_triggers: plan.switches.disable_triggers && !plan.schema,
        set_session_authorization: plan.switches.use_set_session_authorization,
        quoting,
    }
}

/// The script being written: the output, its encoding, the printer's session state, progress
/// and the table data the workers are copying.
struct Writer<'a> {
    encoding: &'a str,
    client: &'a tokio_postgres::Client,
    plan: &'a DumpPlan,
    sink: &'a mut Sink,
    enc: Encoder<'a>,
    st: PlainState,
    popts: PrintOptions,
    progress: crate::progress::Progress,
    spools: copy::Spools,
}

impl Writer<'_> {
    /// Writes script text in the output encoding.
    async fn text(&mut self, text: &str) -> Result<()> {
        let bytes = self.enc.bytes(text).await?;
        self.sink.write_all(&bytes)
    }

    /// The contents of a BLOBS entry: its group's large objects (pg_dump 17), or every one.
    async fn large_objects(&mut self, cat: &crate::model::Catalog, group: &[u32]) -> Result<()> {
        let oids = if group.is_empty() {
            cat.objects
                .iter()
                .filter(|o| o.kind() == Kind::Blob)
                .map(|o| o.cat.oid)
                .collect()
        } else {
            group.to_vec()
        };
        let sink = &mut *self.sink;
        crate::large_objects::write(self.client, oids, cat.std_strings, &mut |b| {
            sink.write_all(b)
        })
        .await
    }

    /// One table's data: from the workers' spool, or copied here when there are no workers.
    async fn table_data(
        &mut self,
        e: &crate::toc::TocEntry,
        id: crate::model::DumpId,
    ) -> Result<()> {
        let table_name = format!("{}.{}", e.namespace.as_deref().unwrap_or(""), e.tag);
        self.progress.table_start(&table_name);
        let (mut t_bytes, mut t_rows) = (0u64, 0u64);
        // Counting rows reads every byte once more; only pay for it when someone is watching.
        let count_rows = self.progress.reports_rows();
        let (sink, progress) = (&mut *self.sink, &mut self.progress);
        let mut write = |b: &[u8]| -> Result<()> {
            t_bytes += b.len() as u64;
            if count_rows {
                // COPY text escapes newlines inside values, so each newline ends one row.
                t_rows += memchr::memchr_iter(b'\n', b).count() as u64;
            }
            progress.bytes(b.len() as u64);
            sink.write_all(b)
        };
        // Every table data entry that prints was scheduled (`table_jobs`).
        let chunks = self
            .spools
            .remove(&id)
            .ok_or_else(|| Error::new(ErrorKind::Io, "internal: no copy job for table data"))?;
        let leader = copy::lock::Leader {
            client: self.client,
            encoding: (self.encoding != "UTF8").then_some(self.encoding),
            verbose: self.plan.verbose,
        };
        chunks.drain(&mut write, &leader).await?;
        self.progress.table_end(&table_name, t_bytes, t_rows);
        let tail = self.st.data_tail(e, self.popts);
        self.text(&tail).await
    }
}
