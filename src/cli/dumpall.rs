//! `pgsnap dumpall`'s command line, spelled as pg_dumpall spells it.

use super::ConnArgs;
use clap::Args;
use std::path::PathBuf;

/// `pgsnap dumpall` options, spelled as pg_dumpall spells them.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct DumpallArgs {
    /// Output file name (default: stdout).
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILENAME",
        help_heading = "General options"
    )]
    pub file: Option<PathBuf>,
    /// Dump only global objects, no databases.
    #[arg(
        short = 'g',
        long = "globals-only",
        help_heading = "Options controlling the output content"
    )]
    pub globals_only: bool,
    /// Dump only roles, no databases or tablespaces.
    #[arg(
        short = 'r',
        long = "roles-only",
        help_heading = "Options controlling the output content"
    )]
    pub roles_only: bool,
    /// Dump only tablespaces, no databases or roles.
    #[arg(
        short = 't',
        long = "tablespaces-only",
        help_heading = "Options controlling the output content"
    )]
    pub tablespaces_only: bool,
    /// Clean (drop) objects before recreating them.
    #[arg(
        short = 'c',
        long = "clean",
        help_heading = "Options controlling the output content"
    )]
    pub clean: bool,
    /// Use IF EXISTS when dropping objects.
    #[arg(
        long = "if-exists",
        help_heading = "Options controlling the output content"
    )]
    pub if_exists: bool,
    /// Do not dump passwords for roles.
    #[arg(
        long = "no-role-passwords",
        help_heading = "Options controlling the output content"
    )]
    pub no_role_passwords: bool,
    /// Do not dump comments.
    #[arg(
        long = "no-comments",
        help_heading = "Options controlling the output content"
    )]
    pub no_comments: bool,
    /// Do not dump tablespace assignments.
    #[arg(
        long = "no-tablespaces",
        help_heading = "Options controlling the output content"
    )]
    pub no_tablespaces: bool,
    /// Do not dump security label assignments.
    #[arg(
        long = "no-security-labels",
        help_heading = "Options controlling the output content"
    )]
    pub no_security_labels: bool,
    /// Do not dump privileges (grant/revoke).
    #[arg(
        short = 'x',
        long = "no-privileges",
        help_heading = "Options controlling the output content"
    )]
    pub no_privileges: bool,
    /// Skip restoration of object ownership (for the databases' dumps: no effect on globals).
    #[arg(
        short = 'O',
        long = "no-owner",
        help_heading = "Options controlling the output content"
    )]
    pub no_owner: bool,
    /// Use this string as the psql \restrict key.
    #[arg(
        long = "restrict-key",
        value_name = "RESTRICT_KEY",
        help_heading = "Options controlling the output content"
    )]
    pub restrict_key: Option<String>,
    /// Dump only the data, not the schema (no global objects either).
    #[arg(
        short = 'a',
        long = "data-only",
        help_heading = "Options controlling the output content"
    )]
    pub data_only: bool,
    /// Dump only the schema, no data.
    #[arg(
        short = 's',
        long = "schema-only",
        help_heading = "Options controlling the output content"
    )]
    pub schema_only: bool,
    /// Exclude databases whose name matches PATTERN.
    #[arg(
        long = "exclude-database",
        value_name = "PATTERN",
        help_heading = "Options controlling the output content"
    )]
    pub exclude_database: Vec<String>,
    /// Dump data as INSERT commands, rather than COPY.
    #[arg(
        long = "inserts",
        help_heading = "Options controlling the output content"
    )]
    pub inserts: bool,
    /// Dump data as INSERT commands with column names.
    #[arg(
        long = "column-inserts",
        visible_alias = "attribute-inserts",
        help_heading = "Options controlling the output content"
    )]
    pub column_inserts: bool,
    /// Number of rows per INSERT; implies --inserts.
    #[arg(
        long = "rows-per-insert",
        value_name = "NROWS",
        help_heading = "Options controlling the output content"
    )]
    pub rows_per_insert: Option<i64>,
    /// Add ON CONFLICT DO NOTHING to INSERT commands.
    #[arg(
        long = "on-conflict-do-nothing",
        help_heading = "Options controlling the output content"
    )]
    pub on_conflict_do_nothing: bool,
    /// Disable triggers during data-only restore.
    #[arg(
        long = "disable-triggers",
        help_heading = "Options controlling the output content"
    )]
    pub disable_triggers: bool,
    /// Disable dollar quoting, use SQL standard quoting.
    #[arg(
        long = "disable-dollar-quoting",
        help_heading = "Options controlling the output content"
    )]
    pub disable_dollar_quoting: bool,
    /// Quote all identifiers, even if not key words.
    #[arg(
        long = "quote-all-identifiers",
        help_heading = "Options controlling the output content"
    )]
    pub quote_all_identifiers: bool,
    /// Use SET SESSION AUTHORIZATION commands instead of ALTER OWNER commands.
    #[arg(
        long = "use-set-session-authorization",
        help_heading = "Options controlling the output content"
    )]
    pub use_set_session_authorization: bool,
    /// Load partitions via the root table.
    #[arg(
        long = "load-via-partition-root",
        help_heading = "Options controlling the output content"
    )]
    pub load_via_partition_root: bool,
    /// Do not dump publications.
    #[arg(
        long = "no-publications",
        help_heading = "Options controlling the output content"
    )]
    pub no_publications: bool,
    /// Do not dump subscriptions.
    #[arg(
        long = "no-subscriptions",
        help_heading = "Options controlling the output content"
    )]
    pub no_subscriptions: bool,
    /// Do not dump table access methods.
    #[arg(
        long = "no-table-access-method",
        help_heading = "Options controlling the output content"
    )]
    pub no_table_access_method: bool,
    /// Do not dump TOAST compression methods.
    #[arg(
        long = "no-toast-compression",
        help_heading = "Options controlling the output content"
    )]
    pub no_toast_compression: bool,
    /// Do not dump unlogged table data.
    #[arg(
        long = "no-unlogged-table-data",
        help_heading = "Options controlling the output content"
    )]
    pub no_unlogged_table_data: bool,
    /// Exclude databases as the filter file says: `exclude database PATTERN` lines (pg_dumpall
    /// 17; "-" reads standard input).
    #[arg(
        long = "filter",
        value_name = "FILENAME",
        help_heading = "Options controlling the output content"
    )]
    pub filter: Vec<std::path::PathBuf>,
    /// pg_dumpall 18's switches for the parts of each database's dump.
    #[command(flatten)]
    pub parts: super::parts::PartsArgs,
    /// Override the default setting for extra_float_digits.
    #[arg(
        long = "extra-float-digits",
        value_name = "NUM",
        allow_negative_numbers = true,
        help_heading = "Options controlling the output content"
    )]
    pub extra_float_digits: Option<i32>,
    /// Fail after waiting TIMEOUT for a table lock.
    #[arg(
        long = "lock-wait-timeout",
        value_name = "TIMEOUT",
        help_heading = "General options"
    )]
    pub lock_wait_timeout: Option<String>,
    /// Do not wait for changes to be written safely to disk.
    #[arg(long = "no-sync", help_heading = "General options")]
    pub no_sync: bool,
    /// Parallel connections copying each database's table data.
    #[arg(
        short = 'j',
        long = "jobs",
        value_name = "NUM",
        help_heading = "General options"
    )]
    pub jobs: Option<usize>,
    /// Verbose mode.
    #[arg(short = 'v', long = "verbose", help_heading = "General options")]
    pub verbose: bool,
    /// Progress on stderr: auto (a bar on a terminal), bar, json (one event per line), none.
    #[arg(
        long = "progress",
        value_name = "MODE",
        help_heading = "General options"
    )]
    pub progress: Option<String>,
    /// Connection options (`-d` takes a connection string, as pg_dumpall's).
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Alternative default database.
    #[arg(
        short = 'l',
        long = "database",
        value_name = "DBNAME",
        help_heading = "Connection options"
    )]
    pub database: Option<String>,
}
