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
