//! What a dump will do, resolved from what the user typed, with every conflict rejected. Pure.

use crate::error::{Error, Result};
use crate::pg::connect::PasswordPrompt;
use crate::pg::conninfo::ConnOptions;
use std::path::PathBuf;

/// Object selection as pg_dump's `-t/-T/-n/-N/--exclude-table-data` patterns.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// `-t`
    pub include_tables: Vec<String>,
    /// `-T`
    pub exclude_tables: Vec<String>,
    /// `-n`
    pub include_schemas: Vec<String>,
    /// `-N`
    pub exclude_schemas: Vec<String>,
    /// `-e`
    pub include_extensions: Vec<String>,
    /// `--exclude-extension` (pg_dump 17)
    pub exclude_extensions: Vec<String>,
    /// `--exclude-table-data`
    pub exclude_table_data: Vec<String>,
    /// `--table-data-where=PATTERN:CONDITION`: only the rows of matching tables for which the
    /// condition holds.
    pub table_data_where: Vec<(String, String)>,
    /// `--table-and-children`
    pub include_tables_and_children: Vec<String>,
    /// `--exclude-table-and-children`
    pub exclude_tables_and_children: Vec<String>,
    /// `--exclude-table-data-and-children`
    pub exclude_table_data_and_children: Vec<String>,
    /// `--include-foreign-data`: foreign servers whose tables' data is dumped.
    pub include_foreign_data: Vec<String>,
    /// `--strict-names`
    pub strict_names: bool,
}

/// Default `--spool-memory`: enough to keep a few chunks ahead of the writer (chunks are sized to
/// fit it), small enough that a dump stays within 64 MiB at any `-j`.
pub const DEFAULT_SPOOL_MIB: usize = 16;

/// A fully resolved dump.
#[derive(Debug, Clone)]
pub struct DumpPlan {
    /// Connection options as typed.
    pub conn: ConnOptions,
    /// Password prompting.
    pub prompt: PasswordPrompt,
    /// Output file; `None` writes to stdout.
    pub output: Option<PathBuf>,
    /// Emit definitions.
    pub schema: bool,
    /// Emit data.
    pub data: bool,
    /// Selection.
    pub filters: Filters,
    /// Parallel COPY workers.
    pub jobs: usize,
    /// `-O`
    pub no_owner: bool,
    /// `-x`
    pub no_privileges: bool,
    /// `--no-comments`
    pub no_comments: bool,
    /// `\restrict` key; random when not given.
    pub restrict_key: Option<String>,
    /// `--as-pg-dump`: the pg_dump major whose text is written; the server's when `None`.
    pub as_pg_dump: Option<u32>,
    /// `-v`
    pub verbose: bool,
    /// Memory all spools together may hold before spilling to temp files (bytes).
    pub spool_memory: usize,
    /// Compute the SHA-256 of the output (for snapshot manifests).
    pub hash_output: bool,
    /// Heap pages of a big table's first chunk (and of every chunk when not adaptive).
    pub chunk_pages: i64,
    /// Output switches.
    pub switches: Switches,
    /// `--section`
    pub sections: crate::toc::Sections,
    /// Whether chunk sizes adapt to the bytes and time earlier chunks took (off when
    /// `--chunk-pages` fixes the size).
    pub adaptive_chunks: bool,
    /// Output compression.
    pub compression: crate::output::compress::Compression,
    /// Progress reporting.
    pub progress: crate::progress::ProgressMode,
    /// The dump is one database of a larger command: its progress ends with `database_done`.
    pub progress_part: bool,
    /// `-E/--encoding` as typed (checked by the server); the database's encoding when absent.
    pub encoding: Option<String>,
}

/// pg_dump's output switches that only leave things out or adjust session settings.
#[derive(Debug, Clone, Default)]
pub struct Switches {
    /// `--no-publications`
    pub no_publications: bool,
    /// `--no-subscriptions` (pgsnap never dumps subscriptions; this lets a database with some
    /// be dumped)
    pub no_subscriptions: bool,
    /// `--no-security-labels` (likewise for security labels)
    pub no_security_labels: bool,
    /// `--no-tablespaces`
    pub no_tablespaces: bool,
    /// `--no-table-access-method`
    pub no_table_access_method: bool,
    /// `--no-toast-compression`
    pub no_toast_compression: bool,
    /// `--no-unlogged-table-data`
    pub no_unlogged_table_data: bool,
    /// `--enable-row-security`
    pub enable_row_security: bool,
    /// `--lock-wait-timeout`
    pub lock_wait_timeout: Option<String>,
    /// `--extra-float-digits`
    pub extra_float_digits: Option<i32>,
    /// `--quote-all-identifiers`
    pub quote_all_identifiers: bool,
    /// `--disable-dollar-quoting`: function bodies as standard string literals.
    pub disable_dollar_quoting: bool,
    /// `--load-via-partition-root`: partitions' data is loaded through their root table.
    pub load_via_partition_root: bool,
    /// `-C/--create`
    pub create: bool,
    /// `-c/--clean`: DROP statements for every dumped object ahead of the definitions.
    pub clean: bool,
    /// `--if-exists`: those DROPs with IF EXISTS.
    pub if_exists: bool,
    /// `--use-set-session-authorization`
    pub use_set_session_authorization: bool,
    /// `--disable-triggers`
    pub disable_triggers: bool,
    /// `--inserts`
    pub inserts: bool,
    /// `--column-inserts`
    pub column_inserts: bool,
    /// `--rows-per-insert`
    pub rows_per_insert: Option<i64>,
    /// `--on-conflict-do-nothing`
    pub on_conflict_do_nothing: bool,
    /// `--role`
    pub role: Option<String>,
    /// `--snapshot`
    pub snapshot: Option<String>,
    /// `--serializable-deferrable`
    pub serializable_deferrable: bool,
    /// `--no-sync`: no fsync of the output file.
    pub no_sync: bool,
    /// `-B/--no-large-objects`: leave large objects out (so a database with some can be dumped).
    pub no_large_objects: bool,
    /// `-b/--large-objects`: include large objects even when -n/-t narrow the dump.
    pub large_objects: bool,
    /// `--no-role-passwords` (snapshot): the snapshot's globals.sql has no passwords.
    pub no_role_passwords: bool,
    /// `--force`: a `--table-data-where` filter may apply to a table that foreign keys
    /// reference.
    pub force_row_filters: bool,
    /// `--no-policies` (pg_dump 18): no row security policies nor their tables' ENABLE.
    pub no_policies: bool,
    /// `--sequence-data` (pg_dump 18): sequence values even when no other data is dumped.
    pub sequence_data: bool,
    /// `--statistics` or `--statistics-only` (pg_dump 18): relations' planner statistics.
    pub statistics: bool,
    /// `--sync-method` (pg_dump 17): `fsync` or `syncfs`; a single output file is synced the
    /// same way with either.
    pub sync_method: Option<String>,
    /// The switches given that came with a newer pg_dump, and its major: refused when the
    /// text written is an older pg_dump's, as that pg_dump refuses them (16's `*-and-children`
    /// switches, 17's `--filter`, `--exclude-extension` and `--sync-method`, 18's).
    pub newer_options: Vec<(&'static str, u32)>,
}

impl Switches {
    /// The INSERT form of table data, when any of its switches is given.
    pub fn insert_options(&self) -> Option<crate::inserts::InsertOptions> {
        (self.inserts || self.column_inserts || self.rows_per_insert.is_some()).then(|| {
            crate::inserts::InsertOptions {
                column_inserts: self.column_inserts,
                rows_per_insert: self.rows_per_insert.unwrap_or(1).clamp(1, i32::MAX as i64) as u32,
                on_conflict_do_nothing: self.on_conflict_do_nothing,
            }
        })
    }
}

impl Switches {
    /// Session settings that differ from the defaults every connection gets.
    pub fn session_sql(&self) -> String {
        let mut s = String::new();
        if let Some(r) = &self.role {
            s.push_str(&format!("SET ROLE {};", crate::ddl::quote::quote_ident(r)));
        }
        if self.enable_row_security {
            s.push_str("SET row_security = on;");
        }
        if let Some(d) = self.extra_float_digits {
            s.push_str(&format!("SET extra_float_digits TO {d};"));
        }
        if self.quote_all_identifiers {
            // The server's deparsers (index and view definitions, defaults) quote alike.
            s.push_str("SET quote_all_identifiers = true;");
        }
        s
    }
}

/// Inputs for [`DumpPlan::new`], mirroring the command line.
#[derive(Debug, Clone, Default)]
pub struct DumpRequest {
    /// Connection options.
    pub conn: ConnOptions,
    /// `-w`
    pub no_password: bool,
    /// `-W`
    pub password: bool,
    /// `-f`
    pub file: Option<PathBuf>,
    /// `-s`
    pub schema_only: bool,
    /// `-a`
    pub data_only: bool,
    /// `--statistics-only` (pg_dump 18): neither definitions nor data.
    pub statistics_only: bool,
    /// Filters.
    pub filters: Filters,
    /// `-j`
    pub jobs: Option<usize>,
    /// `-O`
    pub no_owner: bool,
    /// `-x`
    pub no_privileges: bool,
    /// `--no-comments`
    pub no_comments: bool,
    /// `--restrict-key`
    pub restrict_key: Option<String>,
    /// `--as-pg-dump`
    pub as_pg_dump: Option<u32>,
    /// `-v`
    pub verbose: bool,
    /// `--chunk-pages` (tuning and tests).
    pub chunk_pages: Option<i64>,
    /// `--spool-memory` in MiB.
    pub spool_memory_mib: Option<usize>,
    /// Output switches.
    pub switches: Switches,
    /// `--section` values.
    pub sections: Vec<String>,
    /// `-E/--encoding`
    pub encoding: Option<String>,
    /// `-Z/--compress`
    pub compress: Option<String>,
    /// `--progress`
    pub progress: Option<String>,
}

impl DumpPlan {
    /// Validates a request the way pg_dump does and resolves defaults.
    pub fn new(req: DumpRequest) -> Result<Self> {
        let sections = crate::toc::Sections::parse(&req.sections)?;
        if let Some(n) = req.switches.rows_per_insert {
            if !(1..=i32::MAX as i64).contains(&n) {
                return Err(Error::usage(
                    "--rows-per-insert must be in range 1..2147483647",
                ));
            }
        }
        if req.schema_only && req.data_only {
            return Err(Error::usage(
                "options -s/--schema-only and -a/--data-only cannot be used together",
            ));
        }
        if req.schema_only && !req.filters.include_foreign_data.is_empty() {
            return Err(Error::usage(
                "options -s/--schema-only and --include-foreign-data cannot be used together",
            ));
        }
        if req.data_only && req.switches.clean {
            return Err(Error::usage(
                "options -c/--clean and -a/--data-only cannot be used together",
            ));
        }
        if req.switches.if_exists && !req.switches.clean {
            return Err(Error::usage(
                "option --if-exists requires option -c/--clean",
            ));
        }
        if req.switches.on_conflict_do_nothing && req.switches.insert_options().is_none() {
            return Err(Error::usage(
                "option --on-conflict-do-nothing requires option --inserts, --rows-per-insert, or --column-inserts",
            ));
        }
        if let Some(d) = req.switches.extra_float_digits {
            if !(-15..=3).contains(&d) {
                return Err(Error::usage("--extra-float-digits must be in range -15..3"));
            }
        }
        if req.no_password && req.password {
            return Err(Error::usage(
                "options -w/--no-password and -W/--password cannot be used together",
            ));
        }
        // Default: one COPY connection per core (the server's COPY is the bottleneck and uses a
        // core per connection; more connections than cores measured slower), at most four.
        let jobs = req.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .clamp(1, 4)
        });
        if jobs == 0 {
            return Err(Error::usage("invalid number of parallel jobs"));
        }
        if let Some(key) = &req.restrict_key {
            if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(Error::usage(
                    "restrict key may only contain alphanumeric characters",
                ));
            }
        }
        if let Some(m) = &req.switches.sync_method {
            if !matches!(m.as_str(), "fsync" | "syncfs") {
                return Err(Error::usage(format!("unrecognized sync method: {m}")));
            }
        }
        if let Some(n) = req.as_pg_dump {
            if !(crate::dialect::OLDEST..=crate::dialect::NEWEST).contains(&n) {
                return Err(Error::usage(format!(
                    "--as-pg-dump={n}: pgsnap writes the text of pg_dump {} to {}",
                    crate::dialect::OLDEST,
                    crate::dialect::NEWEST
                )));
            }
            crate::dialect::Dialect { major: n }
                .check_options(&req.switches.newer_options, None)?;
        }
        if let Some(f) = &req.file {
            if f.as_os_str().is_empty() {
                return Err(Error::usage("output file name is empty"));
            }
        }
        // `-f -` is standard output, as with pg_dump.
        let file = req.file.filter(|f| f.as_os_str() != "-");
        // -Z wins; otherwise the -f name's ending (.gz, .lz4, .zst) decides, as pg_dump 16 does.
        let compression = match (&req.compress, &file) {
            (Some(spec), _) => crate::output::compress::Compression::parse(spec)?,
            (None, Some(f)) => crate::output::compress::Compression::from_file_name(f),
            (None, None) => Default::default(),
        };
        let prompt = if req.no_password {
            PasswordPrompt::Never
        } else if req.password {
            PasswordPrompt::Always
        } else {
            PasswordPrompt::IfNeeded
        };
        Ok(DumpPlan {
            conn: req.conn,
            prompt,
            output: file,
            schema: !req.data_only && !req.statistics_only,
            data: !req.schema_only && !req.statistics_only,
            filters: req.filters,
            jobs,
            no_owner: req.no_owner,
            no_privileges: req.no_privileges,
            no_comments: req.no_comments,
            restrict_key: req.restrict_key,
            as_pg_dump: req.as_pg_dump,
            verbose: req.verbose,
            spool_memory: req.spool_memory_mib.unwrap_or(DEFAULT_SPOOL_MIB) << 20,
            hash_output: false,
            chunk_pages: req.chunk_pages.unwrap_or(crate::copy::CHUNK_PAGES),
            adaptive_chunks: req.chunk_pages.is_none(),
            switches: req.switches.clone(),
            sections,
            compression,
            progress: match &req.progress {
                Some(p) => crate::progress::ProgressMode::parse(p)?,
                None => Default::default(),
            },
            progress_part: false,
            encoding: req.encoding,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_and_data_only_conflict() {
        let req = DumpRequest {
            schema_only: true,
            data_only: true,
            ..Default::default()
        };
        let err = DumpPlan::new(req).unwrap_err();
        assert!(err.to_string().contains("cannot be used together"));
    }

    #[test]
    fn clean_conflicts_as_pg_dump() {
        let mut req = DumpRequest {
            data_only: true,
            ..Default::default()
        };
        req.switches.clean = true;
        let err = DumpPlan::new(req).unwrap_err().to_string();
        assert!(err.contains("options -c/--clean and -a/--data-only cannot be used together"));
        let mut req = DumpRequest::default();
        req.switches.if_exists = true;
        let err = DumpPlan::new(req).unwrap_err().to_string();
        assert!(err.contains("option --if-exists requires option -c/--clean"));
    }

    #[test]
    fn defaults() {
        let plan = DumpPlan::new(DumpRequest::default()).unwrap();
        assert!(plan.schema && plan.data);
        assert!((1..=4).contains(&plan.jobs));
        assert_eq!(plan.prompt, PasswordPrompt::IfNeeded);
    }

    #[test]
    fn bad_restrict_key_and_jobs() {
        let req = DumpRequest {
            restrict_key: Some("a b".into()),
            ..Default::default()
        };
        assert!(DumpPlan::new(req).is_err());
        let req = DumpRequest {
            jobs: Some(0),
            ..Default::default()
        };
        assert!(DumpPlan::new(req).is_err());
    }
}
