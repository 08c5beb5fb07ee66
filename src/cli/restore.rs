//! `pgsnap restore`'s command line, with psql's and pg_restore's spellings.

use super::ConnArgs;
use clap::Args;

/// `pgsnap restore [OPTIONS] FILE|-`
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct RestoreArgs {
    /// The dump to load; standard input when none (or -) is given.
    #[arg(value_name = "FILE")]
    pub file: Option<String>,
    /// The dump to load (psql's -f); standard input when neither this nor FILE is given.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILENAME",
        conflicts_with = "file"
    )]
    pub file_option: Option<String>,
    /// Connection options (`-d` names the target database).
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Connections loading data and building indexes in parallel.
    #[arg(short = 'j', long = "jobs", value_name = "NUM", default_value_t = 2)]
    pub jobs: usize,
    /// Replace the target database: the dump is loaded into a new database under a temporary
    /// name, which takes the target's name only once everything loaded (the old one is then
    /// dropped); a failed restore leaves the old database as it was. Needs room for both.
    #[arg(long = "clean-database")]
    pub clean_database: bool,
    /// With --clean-database: drop the old database first and load into an empty one of the
    /// same name (for a server without room for two copies). If the restore then fails, the
    /// old data is gone.
    #[arg(long = "in-place", requires = "clean_database")]
    pub in_place: bool,
    /// With --clean-database: keep the old database under this name instead of dropping it.
    #[arg(
        long = "keep-old",
        value_name = "NAME",
        requires = "clean_database",
        conflicts_with = "in_place"
    )]
    pub keep_old: Option<String>,
    /// With --clean-database: terminate other sessions on the target database, and allow
    /// replacing postgres, template0 or template1.
    #[arg(long = "force")]
    pub force: bool,
    /// Let a dump made with -C create its database and connect to it (CREATE DATABASE and
    /// \connect); without this such a dump is refused.
    #[arg(short = 'C', long = "create")]
    pub create: bool,
    /// Load each table's rows with one COPY, in the file's order (slower: a big table loads on
    /// one connection). By default big tables load over several connections at once, which
    /// keeps the same rows but not their physical order.
    #[arg(long = "keep-row-order")]
    pub keep_row_order: bool,
    /// Bytes of a table's data per COPY statement when loading in parallel (tests use it to
    /// split small tables).
    #[arg(long = "part-bytes", value_name = "BYTES", hide = true)]
    pub part_bytes: Option<usize>,
    /// Run the whole script in one transaction (serially); nothing is committed on error.
    #[arg(short = '1', long = "single-transaction")]
    pub single_transaction: bool,
    /// Leave out the statements that set objects' owners (ALTER ... OWNER TO, SET SESSION
    /// AUTHORIZATION): everything is owned by the user restoring.
    #[arg(short = 'O', long = "no-owner")]
    pub no_owner: bool,
    /// Leave out the statements that grant or revoke privileges (GRANT, REVOKE, ALTER DEFAULT
    /// PRIVILEGES).
    #[arg(short = 'x', long = "no-privileges", visible_alias = "no-acl")]
    pub no_privileges: bool,
    /// Run SET ROLE ROLENAME on every connection before restoring.
    #[arg(long = "role", value_name = "ROLENAME")]
    pub role: Option<String>,
    /// On a failed statement: stop (psql's ON_ERROR_STOP=1, the default), or continue
    /// (psql's own default: report it, go on serially, exit non-zero at the end).
    #[arg(long = "on-error", value_name = "stop|continue", value_parser = ["stop", "continue"])]
    pub on_error: Option<String>,
    /// psql's -v NAME=VALUE: only ON_ERROR_STOP=1|0 (as --on-error=stop|continue).
    #[arg(short = 'v', long = "set", value_name = "NAME=VALUE")]
    pub variables: Vec<String>,
    /// Progress on stderr: auto (a bar on a terminal), bar, json (one event per line), none.
    #[arg(long = "progress", value_name = "MODE", default_value = "auto")]
    pub progress: String,
    /// Stop at the first error (pg_restore's -e; the default, as --on-error=stop).
    #[arg(short = 'e', long = "exit-on-error", conflicts_with = "on_error")]
    pub exit_on_error: bool,
}
