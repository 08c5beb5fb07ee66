//! `pgsnap dumpall`: a whole cluster in pg_dumpall's plain text: the global objects (roles,
//! their settings and memberships, privileges on configuration parameters, tablespaces), then
//! every database dumped by the dump engine as pg_dump --create writes it; or only the globals
//! (`-g`, `-r`, `-t`). Reading is in `read`, the text in `text` (pure).

mod read;
mod text;

pub use read::Globals;
pub use text::render;

use crate::ddl::quote::Quoting;
use crate::error::{Error, ErrorKind, Result};
use crate::output::sink::Sink;
use crate::pg::connect::{self, PasswordPrompt};
use crate::pg::conninfo::{self, ConnOptions};
use crate::plan::{DumpPlan, DumpRequest, Switches};
use crate::progress::{Progress, ProgressMode};

/// What `pgsnap dumpall` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `-g`: roles, memberships, parameter privileges and tablespaces.
    Globals,
    /// `-r`: roles, memberships and parameter privileges.
    Roles,
    /// `-t`: tablespaces.
    Tablespaces,
    /// No scope option: the globals, then every database.
    All,
}

/// A validated `pgsnap dumpall` run.
#[derive(Debug, Clone)]
pub struct DumpallPlan {
    /// Connection options (the database to connect to: `-l`, else postgres, else template1).
    pub conn: ConnOptions,
    /// Password prompting.
    pub prompt: PasswordPrompt,
    /// `-f`; standard output when `None`.
    pub output: Option<std::path::PathBuf>,
    /// What to dump.
    pub scope: Scope,
    /// Switches that change the text.
    pub text: TextOptions,
    /// `--exclude-database` patterns.
    pub exclude_databases: Vec<String>,
    /// What every database's dump is asked (its connection and `--create`/`--clean` are set
    /// per database).
    pub database_dump: DumpRequest,
    /// Progress reporting.
    pub progress: ProgressMode,
    /// `--no-sync`
    pub no_sync: bool,
    /// The switches given that only a newer pg_dumpall than some has, with the major that
    /// added each: refused on an older server, whose text is its own pg_dumpall's.
    pub newer_options: Vec<(&'static str, u32)>,
}

/// The switches that change pg_dumpall's text.
#[derive(Debug, Clone, Default)]
pub struct TextOptions {
    /// `--no-role-passwords`: roles read from `pg_roles`, no PASSWORD clauses (no superuser
    /// needed).
    pub no_role_passwords: bool,
    /// `--no-comments`
    pub no_comments: bool,
    /// `--no-tablespaces`
    pub no_tablespaces: bool,
    /// `-x/--no-privileges`
    pub no_privileges: bool,
    /// `--no-security-labels`
    pub no_security_labels: bool,
    /// `-c/--clean`
    pub clean: bool,
    /// `--if-exists`
    pub if_exists: bool,
    /// The `\restrict` key.
    pub restrict_key: String,
    /// `-a`, `--no-schema` or `--statistics-only`: no global objects.
    pub data_only: bool,
    /// Identifier quoting (`--quote-all-identifiers`, the server's keywords).
    pub quoting: Quoting,
}

impl DumpallPlan {
    /// Checks the command line as pg_dumpall does.
    pub fn new(a: &crate::cli::DumpallArgs) -> Result<DumpallPlan> {
        let exclusive = [
            (
                a.globals_only && a.roles_only,
                "-g/--globals-only",
                "-r/--roles-only",
            ),
            (
                a.globals_only && a.tablespaces_only,
                "-g/--globals-only",
                "-t/--tablespaces-only",
            ),
            (
                a.roles_only && a.tablespaces_only,
                "-r/--roles-only",
                "-t/--tablespaces-only",
            ),
        ];
        if let Some((_, x, y)) = exclusive.iter().find(|(both, _, _)| *both) {
            return Err(Error::usage(format!(
                "options {x} and {y} cannot be used together"
            )));
        }
        if a.if_exists && !a.clean {
            return Err(Error::usage(
                "option --if-exists requires option -c/--clean",
            ));
        }
        let scope = if a.roles_only {
            Scope::Roles
        } else if a.tablespaces_only {
            Scope::Tablespaces
        } else if a.globals_only {
            Scope::Globals
        } else {
            Scope::All
        };
        if let Some(key) = &a.restrict_key {
            if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(Error::usage(
                    "restrict key may only contain alphanumeric characters",
                ));
            }
        }
        let restrict_key = match &a.restrict_key {
            Some(k) => k.clone(),
            None => crate::dump::random_restrict_key()?,
        };
        a.parts.check(a.schema_only, a.data_only)?;
        let mut exclude_databases = a.exclude_database.clone();
        for path in &a.filter {
            let (text, source) = crate::cli::read_filter_file(path)?;
            exclude_databases.extend(crate::filter_file::excluded_databases(&text, &source)?);
        }
        for p in &exclude_databases {
            crate::catalog::filter::database_pattern(p)?;
        }
        let mut conn = a.conn.options(None);
        // pg_dumpall's maintenance database: -l, else postgres, winning over a -d conninfo's.
        conn.database = Some(a.database.clone().unwrap_or_else(|| "postgres".into()));
        let database_dump = database_dump(a, &restrict_key)?;
        Ok(DumpallPlan {
            conn,
            prompt: if a.conn.no_password {
                PasswordPrompt::Never
            } else if a.conn.password {
                PasswordPrompt::Always
            } else {
                PasswordPrompt::IfNeeded
            },
            output: a.file.clone().filter(|f| f.as_os_str() != "-"),
            scope,
            text: TextOptions {
                no_role_passwords: a.no_role_passwords,
                no_comments: a.no_comments,
                no_tablespaces: a.no_tablespaces,
                no_privileges: a.no_privileges,
                no_security_labels: a.no_security_labels,
                clean: a.clean,
                if_exists: a.if_exists,
                restrict_key,
                // pg_dumpall 18 writes no global objects with these either.
                data_only: a.data_only || a.parts.no_schema || a.parts.statistics_only,
                quoting: Quoting {
                    all: a.quote_all_identifiers,
                    ..Quoting::default()
                },
            },
            exclude_databases,
            database_dump,
            progress: match &a.progress {
                Some(p) => ProgressMode::parse(p)?,
                None => ProgressMode::default(),
            },
            no_sync: a.no_sync,
            newer_options: newer_options(a),
        })
    }

    /// The dump of one database of a full dump: `--create`, and for template1 and postgres
    /// (which a restore finds already there) `--clean --create` with `--clean`, else neither.
    pub fn database_plan(&self, name: &str) -> Result<DumpPlan> {
        let mut req = self.database_dump.clone();
        req.conn.database = Some(name.to_string());
        let existing = matches!(name, "template1" | "postgres");
        req.switches.create = !existing || self.text.clean;
        // pg_dumpall keeps --if-exists to its own drops.
        req.switches.clean = existing && self.text.clean;
        let mut plan = DumpPlan::new(req)?;
        plan.progress = self.progress;
        plan.progress_part = true;
        Ok(plan)
    }
}

/// The switches given that only a newer pg_dumpall than some has, each with the major that
/// added it.
fn newer_options(a: &crate::cli::DumpallArgs) -> Vec<(&'static str, u32)> {
    let filter = (!a.filter.is_empty()).then_some(("--filter", 17));
    a.parts.newer_options().chain(filter).collect()
}

/// Refuses a switch the server's own pg_dumpall (14's for a 13 server) does not have, in its
/// words.
fn check_newer_options(options: &[(&'static str, u32)], server_num: u32) -> Result<()> {
    let major = crate::dialect::Dialect::for_server(server_num).major;
    match options.iter().find(|(_, since)| *since > major) {
        Some((name, since)) => Err(Error::usage(format!(
            "unrecognized option '{name}': pg_dumpall {major} has no such option (the \
             PostgreSQL {} server's cluster is written as pg_dumpall {major} writes it; \
             pg_dumpall {since} added it)",
            server_num / 10000
        ))),
        None => Ok(()),
    }
}

/// What pg_dumpall hands each pg_dump: its dump options and connection, the same restrict key.
fn database_dump(a: &crate::cli::DumpallArgs, restrict_key: &str) -> Result<DumpRequest> {
    let mut req = DumpRequest {
        conn: a.conn.options(None),
        no_password: a.conn.no_password,
        password: a.conn.password,
        schema_only: a.schema_only,
        data_only: a.data_only,
        jobs: a.jobs,
        no_owner: a.no_owner,
        no_privileges: a.no_privileges,
        no_comments: a.no_comments,
        restrict_key: Some(restrict_key.to_string()),
        verbose: a.verbose,
        switches: Switches {
            no_publications: a.no_publications,
            no_subscriptions: a.no_subscriptions,
            no_security_labels: a.no_security_labels,
            no_tablespaces: a.no_tablespaces,
            no_table_access_method: a.no_table_access_method,
            no_toast_compression: a.no_toast_compression,
            no_unlogged_table_data: a.no_unlogged_table_data,
            lock_wait_timeout: a.lock_wait_timeout.clone(),
            extra_float_digits: a.extra_float_digits,
            quote_all_identifiers: a.quote_all_identifiers,
            disable_dollar_quoting: a.disable_dollar_quoting,
            load_via_partition_root: a.load_via_partition_root,
            use_set_session_authorization: a.use_set_session_authorization,
            disable_triggers: a.disable_triggers,
            inserts: a.inserts,
            column_inserts: a.column_inserts,
            rows_per_insert: a.rows_per_insert,
            on_conflict_do_nothing: a.on_conflict_do_nothing,
            no_sync: a.no_sync,
            ..Switches::default()
        },
        ..DumpRequest::default()
    };
    a.parts.ask(&mut req);
    // Checked once here, as pg_dumpall's pg_dump would check it for the first database.
    DumpPlan::new(req.clone())?;
    Ok(req)
}

/// The roles and tablespaces one database needs, in pg_dumpall's text (for a snapshot's
/// `globals.sql`): the roles that own its objects or hold privileges or default privileges in
/// it (pg_shdepend), its owner, the roles those are members of (their GRANTs need them), the
/// memberships among them, and the tablespaces its relations and itself use. Without
/// superuser rights, or with `no_role_passwords`, no passwords.
pub async fn database_globals(
    client: &tokio_postgres::Client,
    no_role_passwords: bool,
    restrict_key: &str,
) -> Result<String> {
    let superuser: bool = client
        .query_one(
            "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = CURRENT_USER",
            &[],
        )
        .await?
        .get(0);
    let plan = DumpallPlan {
        conn: ConnOptions::default(),
        prompt: PasswordPrompt::Never,
        output: None,
        scope: Scope::Globals,
        text: TextOptions {
            no_role_passwords: no_role_passwords || !superuser,
            restrict_key: restrict_key.to_string(),
            ..TextOptions::default()
        },
        exclude_databases: Vec::new(),
        database_dump: DumpRequest::default(),
        progress: ProgressMode::None,
        no_sync: false,
        newer_options: Vec::new(),
    };
    let mut g = read::read(client, &plan).await?;
    let needed = read::database_needs(client).await?;
    g.roles.retain(|r| needed.roles.contains(&r.name));
    g.memberships
        .retain(|m| needed.roles.contains(&m.role) && needed.roles.contains(&m.member));
    g.parameter_acls.clear();
    g.tablespaces
        .retain(|t| needed.tablespaces.contains(&t.name));
    Ok(render(Scope::Globals, &plan.text, &g))
}

/// Runs `pgsnap dumpall`: one output, written under a temporary name and put in place when
/// every database has been dumped.
pub async fn run(plan: &DumpallPlan) -> Result<()> {
    let mut sink = Sink::open_with(plan.output.as_deref(), Default::default(), false)?;
    if plan.no_sync {
        sink = sink.without_sync();
    }
    let settings = conninfo::resolve_from_process(&plan.conn)?;
    let (client, _) = connect::connect_leader(settings, plan.prompt).await?;
    let version: i32 = client
        .query_one(
            "SELECT pg_catalog.current_setting('server_version_num')::int4",
            &[],
        )
        .await?
        .get(0);
    if !(130000..190000).contains(&version) {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "server version {version} is not supported: pgsnap dumpall serves PostgreSQL 13 \
                 to 18 servers"
            ),
        ));
    }
    check_newer_options(&plan.newer_options, version.unsigned_abs())?;
    let progress = Progress::new(plan.progress, 0, 0);
    progress.phase("globals");
    let mut text = plan.text.clone();
    text.quoting.major = version.unsigned_abs() / 10000;
    if text.quoting.all {
        client
            .batch_execute("SET quote_all_identifiers = true")
            .await?;
    }
    let globals = read::read(&client, plan).await?;
    sink.write_all(text::globals(plan.scope, &text, &globals).as_bytes())?;
    if plan.scope == Scope::All {
        dump_databases(plan, &globals.databases, &mut sink, &progress).await?;
    }
    sink.write_all(text::CLUSTER_DUMP_COMPLETE.as_bytes())?;
    let summary = sink.finish()?;
    progress.finish_dumpall(summary.stored_bytes, globals.databases.len());
    Ok(())
}

/// Every database in turn, each by the dump engine with its own snapshot and workers.
async fn dump_databases(
    plan: &DumpallPlan,
    names: &[String],
    sink: &mut Sink,
    progress: &Progress,
) -> Result<()> {
    if !names.is_empty() {
        sink.write_all(text::DATABASES.as_bytes())?;
    }
    for (i, name) in names.iter().enumerate() {
        progress.database(name, i + 1, names.len());
        if plan.database_dump.verbose {
            eprintln!("pgsnap: dumping database \"{name}\"");
        }
        let db_plan = plan.database_plan(name)?;
        let connect = !db_plan.switches.create;
        sink.write_all(text::database_head(name, connect).as_bytes())?;
        let before = sink.bytes();
        let written = crate::dump::write_into(&db_plan, sink)
            .await
            .map_err(|e| e.context(format!("dumping database \"{name}\"")))?;
        written.progress.finish_dump(
            sink.bytes() - before,
            written.report.tables,
            &format!("database \"{name}\""),
        );
    }
    Ok(())
}
