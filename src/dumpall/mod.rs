//! `pgsnap dumpall`: the cluster's global objects (roles, their settings and memberships,
//! privileges on configuration parameters, tablespaces) in pg_dumpall's plain text: `-g`, `-r`
//! and `-t`. Reading is in `read`, the text in `text` (pure).

mod read;
mod text;

pub use read::Globals;
pub use text::render;

use crate::error::{Error, ErrorKind, Result};
use crate::output::sink::Sink;
use crate::pg::connect::{self, PasswordPrompt};
use crate::pg::conninfo::{self, ConnOptions};

/// What `pgsnap dumpall` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `-g`: roles, memberships, parameter privileges and tablespaces.
    Globals,
    /// `-r`: roles, memberships and parameter privileges.
    Roles,
    /// `-t`: tablespaces.
    Tablespaces,
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
            return Err(Error::usage(
                "pgsnap dumpall writes the global objects so far: give -g, -r or -t \
                 (and dump each database with pgsnap dump -C)",
            ));
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
        Ok(DumpallPlan {
            conn: a.conn.options(a.database.as_ref()),
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
            },
        })
    }
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

/// Runs `pgsnap dumpall`.
pub async fn run(plan: &DumpallPlan) -> Result<()> {
    let mut sink = Sink::open_with(plan.output.as_deref(), Default::default(), false)?;
    let mut settings = conninfo::resolve_from_process(&plan.conn)?;
    if plan.conn.dbname.is_none() {
        // pg_dumpall's maintenance database.
        settings.dbname = "postgres".into();
    }
    let (client, _) = connect::connect_leader(settings, plan.prompt).await?;
    let version: i32 = client
        .query_one(
            "SELECT pg_catalog.current_setting('server_version_num')::int4",
            &[],
        )
        .await?
        .get(0);
    if !(150000..190000).contains(&version) {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "server version {version} is not supported: pgsnap dumpall serves PostgreSQL 15 \
                 to 18 servers"
            ),
        ));
    }
    let globals = read::read(&client, plan).await?;
    sink.write_all(render(plan.scope, &plan.text, &globals).as_bytes())?;
    sink.finish()?;
    Ok(())
}
