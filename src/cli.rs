//! The command line as typed (clap); no defaults resolved here, see `plan`.

use crate::pg::conninfo::ConnOptions;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

mod dump;
mod dumpall;
mod parts;
mod restore;
pub use dump::{parse_table_data_where, read_filter_file, DumpArgs};
pub use dumpall::DumpallArgs;
pub use parts::PartsArgs;
pub use restore::RestoreArgs;

/// pgsnap: pg_dump-identical dumps without PostgreSQL client tools.
#[derive(Debug, Parser)]
#[command(name = "pgsnap", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Dump a database as a plain SQL script, like pg_dump -Fp.
    Dump(Box<DumpArgs>),
    /// Dump the cluster's roles and tablespaces, like pg_dumpall -g/-r/-t.
    Dumpall(Box<DumpallArgs>),
    /// Archive, verify or restore an application's media directory.
    #[command(subcommand)]
    Media(MediaCommand),
    /// Take the database dump and the media archive together, with a manifest.json.
    Snapshot(Box<SnapshotArgs>),
    /// Load a plain SQL dump (plain, gzip, lz4 or zstd) without psql, in parallel.
    Restore(Box<RestoreArgs>),
    /// Benchmark pgsnap against pg_dump on generated databases on a throwaway local server.
    Bench(BenchArgs),
}

/// `pgsnap bench`
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Dataset shapes: pgbench, mixed, many-tables or all.
    #[arg(long = "scenario", default_value = "all")]
    pub scenario: String,
    /// Approximate size of the data scenarios' dumps, in MB.
    #[arg(long = "scale", default_value_t = 500)]
    pub scale: u64,
    /// Tables in the many-tables scenario.
    #[arg(long = "tables", default_value_t = 10000)]
    pub tables: u32,
    /// Rounds per command (medians are reported).
    #[arg(long = "rounds", default_value_t = 3)]
    pub rounds: usize,
    /// Untimed runs of every command before the timed rounds.
    #[arg(long = "warmup", default_value_t = 1)]
    pub warmup: usize,
    /// pgsnap -j values to time, comma-separated.
    #[arg(
        short = 'j',
        long = "jobs",
        default_value = "1,2,4",
        value_delimiter = ','
    )]
    pub jobs: Vec<usize>,
    /// Server major to benchmark on (13 to 18): the system's, or one unpacked by
    /// scripts/ensure-pg-majors.sh under target/pg-majors.
    #[arg(long = "server-major")]
    pub server_major: Option<u32>,
}

/// `pgsnap snapshot [--media DIR] [dump options] DBNAME -o OUT/` or `pgsnap snapshot verify OUT/`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, disable_help_flag = true)]
pub struct SnapshotArgs {
    /// `verify OUT/`
    #[command(subcommand)]
    pub action: Option<SnapshotAction>,
    /// The media directory to archive with the dump.
    #[arg(long = "media", value_name = "DIR")]
    pub media: Option<PathBuf>,
    /// No role passwords in the snapshot's globals.sql.
    #[arg(long = "no-role-passwords")]
    pub no_role_passwords: bool,
    /// The snapshot directory to create.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Dump options, as for `pgsnap dump`.
    #[command(flatten)]
    pub dump: DumpArgs,
}

/// Snapshot subcommands.
#[derive(Debug, Subcommand)]
pub enum SnapshotAction {
    /// Check a snapshot directory against its manifest.json.
    Verify {
        /// The snapshot directory.
        dir: PathBuf,
    },
    /// Restore a snapshot: its roles and tablespaces, its database (replaced) and its media.
    Restore {
        /// The snapshot directory.
        dir: PathBuf,
        /// Connection options; -d names the database to replace.
        #[command(flatten)]
        conn: ConnArgs,
        /// Where the media directory goes (the archive's own name here by default).
        #[arg(long = "media-into", value_name = "DIR")]
        media_into: Option<PathBuf>,
        /// Parallel connections for the database.
        #[arg(short = 'j', long = "jobs", default_value_t = 4)]
        jobs: usize,
        /// End other sessions of the database at the swap instead of refusing.
        #[arg(long = "force")]
        force: bool,
        /// Progress on stderr: auto (a bar on a terminal), bar, json (one event per line), none.
        #[arg(long = "progress", value_name = "MODE", default_value = "auto")]
        progress: String,
    },
}

/// `pgsnap media ...`
#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Write DIR as a .tar.gz with a SHA-256 MANIFEST (entries under DIR's own name).
    Archive {
        /// The media directory.
        dir: PathBuf,
        /// The archive to write.
        #[arg(short = 'o', long = "output", value_name = "FILE.tar.gz")]
        output: PathBuf,
    },
    /// Check every entry of an archive against its MANIFEST.
    Verify {
        /// The archive.
        file: PathBuf,
    },
    /// Restore an archive all or nothing, refusing anything unsafe.
    Restore {
        /// The archive.
        file: PathBuf,
        /// Directory that becomes the media directory (default: ./NAME, NAME = the archive's top directory).
        #[arg(long = "into", value_name = "DIR")]
        into: Option<PathBuf>,
        /// Restore a plain tarball without MANIFEST (every other safety rule still applies).
        #[arg(long = "no-verify")]
        no_verify: bool,
        /// Refuse archives whose files add up to more bytes (default: the MANIFEST's total; 8 GiB without one).
        #[arg(long = "max-size", value_name = "BYTES")]
        max_size: Option<u64>,
        /// Do not give entries the archive's owners (as root they are given by default, as
        /// tar does; other users always own what they restore).
        #[arg(long = "no-same-owner")]
        no_same_owner: bool,
    },
}

/// Connection options shared by every command that talks to a server, as pg_dump spells them.
#[derive(Debug, Clone, Args)]
pub struct ConnArgs {
    /// Database server host or socket directory.
    #[arg(short = 'h', long = "host", value_name = "HOSTNAME")]
    pub host: Option<String>,
    /// Database server port number.
    #[arg(short = 'p', long = "port", value_name = "PORT")]
    pub port: Option<String>,
    /// Connect as specified database user.
    #[arg(short = 'U', long = "username", value_name = "NAME")]
    pub username: Option<String>,
    /// Database: a name, a key=value connection string or a postgresql:// URI.
    #[arg(id = "dbname_opt", short = 'd', long = "dbname", value_name = "DBNAME")]
    pub dbname: Option<String>,
    /// Never prompt for password.
    #[arg(short = 'w', long = "no-password")]
    pub no_password: bool,
    /// Force password prompt.
    #[arg(short = 'W', long = "password")]
    pub password: bool,
}

impl ConnArgs {
    /// The connection options, with a positional database name when `-d` was not given.
    pub fn options(&self, positional: Option<&String>) -> ConnOptions {
        ConnOptions {
            host: self.host.clone(),
            port: self.port.clone(),
            user: self.username.clone(),
            dbname: self.dbname.clone().or_else(|| positional.cloned()),
            database: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> DumpArgs {
        let mut v = vec!["pgsnap", "dump"];
        v.extend_from_slice(args);
        match Cli::try_parse_from(v).unwrap().command {
            Command::Dump(d) => *d,
            other => panic!("not a dump command: {other:?}"),
        }
    }

    #[test]
    fn pg_dump_spellings() {
        let d = parse(&[
            "-s",
            "--exclude-table-data=extras_objectchange",
            "-h",
            "localhost",
            "-U",
            "netbox",
            "-W",
            "netbox",
        ]);
        assert!(d.schema_only && d.conn.password);
        assert_eq!(d.exclude_table_data, vec!["extras_objectchange"]);
        let r = d.to_request().unwrap();
        assert_eq!(r.conn.dbname.as_deref(), Some("netbox"));
        assert_eq!(r.conn.host.as_deref(), Some("localhost"));
    }

    #[test]
    fn repeated_patterns_and_jobs() {
        let d = parse(&[
            "-t", "a", "-t", "b*", "-T", "c", "-n", "s", "-N", "x", "-j", "4", "-d", "db",
        ]);
        assert_eq!(d.table, vec!["a", "b*"]);
        assert_eq!(d.jobs, Some(4));
        assert_eq!(d.to_request().unwrap().conn.dbname.as_deref(), Some("db"));
    }

    #[test]
    fn dbname_twice_is_refused() {
        let d = parse(&["-d", "a", "b"]);
        assert!(d.to_request().is_err());
    }
}
