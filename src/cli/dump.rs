//! `pgsnap dump`'s command line, spelled as pg_dump spells it, and the request it makes.

use super::ConnArgs;
use crate::plan::{DumpRequest, Filters};
use clap::Args;
use std::path::PathBuf;

/// `pgsnap dump` options, spelled as pg_dump spells them.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct DumpArgs {
    /// Output file name (default: stdout).
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILENAME",
        help_heading = "General options"
    )]
    pub file: Option<PathBuf>,
    /// Output file format: p (plain text, the only one pgsnap writes).
    #[arg(
        short = 'F',
        long = "format",
        value_name = "p|plain",
        help_heading = "General options"
    )]
    pub format: Option<String>,
    /// Dump only the schema, no data.
    #[arg(
        short = 's',
        long = "schema-only",
        help_heading = "Options controlling the output content"
    )]
    pub schema_only: bool,
    /// Dump only the data, not the schema.
    #[arg(
        short = 'a',
        long = "data-only",
        help_heading = "Options controlling the output content"
    )]
    pub data_only: bool,
    /// pg_dump 18's switches for the parts of the dump.
    #[command(flatten)]
    pub parts: super::parts::PartsArgs,
    /// Do NOT dump data for the specified table(s).
    #[arg(
        long = "exclude-table-data",
        value_name = "PATTERN",
        help_heading = "Options controlling the output content"
    )]
    pub exclude_table_data: Vec<String>,
    /// Dump only the rows of the matching table(s) for which the SQL condition holds.
    #[arg(
        long = "table-data-where",
        value_name = "PATTERN:CONDITION",
        help_heading = "Options controlling the output content"
    )]
    pub table_data_where: Vec<String>,
    /// With --table-data-where: filter a table that other tables' foreign keys reference.
    #[arg(
        long = "force",
        help_heading = "Options controlling the output content"
    )]
    pub force: bool,
    /// Dump only the specified table(s).
    #[arg(
        short = 't',
        long = "table",
        value_name = "PATTERN",
        help_heading = "Options controlling the output content"
    )]
    pub table: Vec<String>,
    /// Do NOT dump the specified table(s).
    #[arg(
        short = 'T',
        long = "exclude-table",
        value_name = "PATTERN",
        help_heading = "Options controlling the output content"
    )]
    pub exclude_table: Vec<String>,
    /// Dump only the specified schema(s).
    #[arg(
        short = 'n',
        long = "schema",
        value_name = "PATTERN",
        help_heading = "Options controlling the output content"
    )]
    pub schema: Vec<String>,
    /// Dump only the specified extension(s).
    #[arg(
        short = 'e',
        long = "extension",
        value_name = "PATTERN",
        help_heading = "Options controlling the output content"
    )]
    pub extension: Vec<String>,
    /// Do NOT dump the specified extension(s).
    #[arg(
        long = "exclude-extension",
        value_name = "PATTERN",
        help_heading = "Options controlling the output content"
    )]
    pub exclude_extension: Vec<String>,
    /// Include or exclude objects as the filter file says ("-" reads standard input).
    #[arg(
        long = "filter",
        value_name = "FILENAME",
        help_heading = "Options controlling the output content"
    )]
    pub filter: Vec<std::path::PathBuf>,
    /// Do NOT dump the specified schema(s).
    #[arg(
        short = 'N',
        long = "exclude-schema",
        value_name = "PATTERN",
        help_heading = "Options controlling the output content"
    )]
    pub exclude_schema: Vec<String>,
    /// Require table and/or schema include patterns to match at least one entity each.
    #[arg(
        long = "strict-names",
        help_heading = "Options controlling the output content"
    )]
    pub strict_names: bool,
    /// Use this many parallel connections to copy table data.
    #[arg(
        short = 'j',
        long = "jobs",
        value_name = "NUM",
        help_heading = "General options"
    )]
    pub jobs: Option<usize>,
    /// Skip restoration of object ownership.
    #[arg(
        short = 'O',
        long = "no-owner",
        help_heading = "Options controlling the output content"
    )]
    pub no_owner: bool,
    /// Do not dump privileges (grant/revoke).
    #[arg(
        short = 'x',
        long = "no-privileges",
        visible_alias = "no-acl",
        help_heading = "Options controlling the output content"
    )]
    pub no_privileges: bool,
    /// Do not dump comments.
    #[arg(
        long = "no-comments",
        help_heading = "Options controlling the output content"
    )]
    pub no_comments: bool,
    /// Use this string as the psql \restrict key.
    #[arg(
        long = "restrict-key",
        value_name = "RESTRICT_KEY",
        help_heading = "Options controlling the output content"
    )]
    pub restrict_key: Option<String>,
    /// Write what pg_dump N (14 to 18, not older than the server) writes.
    #[arg(
        long = "as-pg-dump",
        value_name = "N",
        help_heading = "Options controlling the output content"
    )]
    pub as_pg_dump: Option<u32>,
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
    /// Compress the output: 0-9 (gzip level), or gzip, lz4, zstd, none, with an optional :LEVEL.
    #[arg(
        short = 'Z',
        long = "compress",
        value_name = "METHOD[:LEVEL]",
        help_heading = "General options"
    )]
    pub compress: Option<String>,
    /// Heap pages per chunk when a big table is split across workers (default 1024).
    #[arg(
        long = "chunk-pages",
        value_name = "PAGES",
        hide = true,
        help_heading = "General options"
    )]
    pub chunk_pages: Option<i64>,
    /// Memory for table data copied ahead of the writer, in MiB (default 16); beyond it, data
    /// waits in temp files.
    #[arg(
        long = "spool-memory",
        value_name = "MIB",
        help_heading = "General options"
    )]
    pub spool_memory: Option<usize>,
    /// Dump named section (pre-data, data, or post-data).
    #[arg(
        long = "section",
        value_name = "SECTION",
        help_heading = "Options controlling the output content"
    )]
    pub section: Vec<String>,
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
    /// Do not dump security label assignments.
    #[arg(
        long = "no-security-labels",
        help_heading = "Options controlling the output content"
    )]
    pub no_security_labels: bool,
    /// Do not dump tablespace assignments.
    #[arg(
        long = "no-tablespaces",
        help_heading = "Options controlling the output content"
    )]
    pub no_tablespaces: bool,
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
    /// Enable row security (dump only content the user has access to).
    #[arg(
        long = "enable-row-security",
        help_heading = "Options controlling the output content"
    )]
    pub enable_row_security: bool,
    /// Fail after waiting TIMEOUT for a table lock.
    #[arg(
        long = "lock-wait-timeout",
        value_name = "TIMEOUT",
        help_heading = "General options"
    )]
    pub lock_wait_timeout: Option<String>,
    /// Dump the data in encoding ENCODING (any client encoding the server converts to).
    #[arg(
        short = 'E',
        long = "encoding",
        value_name = "ENCODING",
        help_heading = "Options controlling the output content"
    )]
    pub encoding: Option<String>,
    /// Wait until the dump is finished to start (SERIALIZABLE, READ ONLY, DEFERRABLE).
    #[arg(
        long = "serializable-deferrable",
        help_heading = "Options controlling the output content"
    )]
    pub serializable_deferrable: bool,
    /// Do not wait for changes to be written safely to disk.
    #[arg(long = "no-sync", help_heading = "General options")]
    pub no_sync: bool,
    /// Method for syncing files to disk: fsync or syncfs (pg_dump 17).
    #[arg(
        long = "sync-method",
        value_name = "METHOD",
        help_heading = "General options"
    )]
    pub sync_method: Option<String>,
    /// Include large objects in the dump.
    #[arg(
        short = 'b',
        long = "blobs",
        help_heading = "Options controlling the output content"
    )]
    pub blobs: bool,
    /// Same as --blobs (pg_dump 16).
    #[arg(
        long = "large-objects",
        help_heading = "Options controlling the output content"
    )]
    pub large_objects: bool,
    /// Exclude large objects from the dump.
    #[arg(
        short = 'B',
        long = "no-blobs",
        help_heading = "Options controlling the output content"
    )]
    pub no_blobs: bool,
    /// Same as --no-blobs (pg_dump 16).
    #[arg(
        long = "no-large-objects",
        help_heading = "Options controlling the output content"
    )]
    pub no_large_objects: bool,
    /// Do SET ROLE before dump.
    #[arg(
        long = "role",
        value_name = "ROLENAME",
        help_heading = "Connection options"
    )]
    pub role: Option<String>,
    /// Use given snapshot for the dump.
    #[arg(
        long = "snapshot",
        value_name = "SNAPSHOT",
        help_heading = "Options controlling the output content"
    )]
    pub snapshot: Option<String>,
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
        allow_negative_numbers = true,
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
    /// Dump only the specified table(s), including child and partition tables.
    #[arg(
        long = "table-and-children",
        value_name = "PATTERN",
        help_heading = "Options controlling the output content"
    )]
    pub table_and_children: Vec<String>,
    /// Do NOT dump the specified table(s), including child and partition tables.
    #[arg(
        long = "exclude-table-and-children",
        value_name = "PATTERN",
        help_heading = "Options controlling the output content"
    )]
    pub exclude_table_and_children: Vec<String>,
    /// Do NOT dump data for the specified table(s), including child and partition tables.
    #[arg(
        long = "exclude-table-data-and-children",
        value_name = "PATTERN",
        help_heading = "Options controlling the output content"
    )]
    pub exclude_table_data_and_children: Vec<String>,
    /// Include data of foreign tables on foreign servers matching PATTERN.
    #[arg(
        long = "include-foreign-data",
        value_name = "PATTERN",
        help_heading = "Options controlling the output content"
    )]
    pub include_foreign_data: Vec<String>,
    /// Include commands to create the database in the dump.
    #[arg(
        short = 'C',
        long = "create",
        help_heading = "Options controlling the output content"
    )]
    pub create: bool,
    /// Clean (drop) database objects before recreating.
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
    /// Use SET SESSION AUTHORIZATION commands instead of ALTER OWNER commands to set ownership.
    #[arg(
        long = "use-set-session-authorization",
        help_heading = "Options controlling the output content"
    )]
    pub use_set_session_authorization: bool,
    /// Quote all identifiers, even if not key words.
    #[arg(
        long = "quote-all-identifiers",
        help_heading = "Options controlling the output content"
    )]
    pub quote_all_identifiers: bool,
    /// Load partitions via the root table.
    #[arg(
        long = "load-via-partition-root",
        help_heading = "Options controlling the output content"
    )]
    pub load_via_partition_root: bool,
    /// Disable dollar quoting, use SQL standard quoting.
    #[arg(
        long = "disable-dollar-quoting",
        help_heading = "Options controlling the output content"
    )]
    pub disable_dollar_quoting: bool,
    /// Override default setting for extra_float_digits.
    #[arg(
        long = "extra-float-digits",
        value_name = "NUM",
        allow_negative_numbers = true,
        help_heading = "Options controlling the output content"
    )]
    pub extra_float_digits: Option<i32>,
    /// Connection options.
    #[command(flatten, next_help_heading = "Connection options")]
    pub conn: ConnArgs,
    /// Database to dump (same as -d).
    #[arg(value_name = "DBNAME")]
    pub dbname: Option<String>,
}

impl DumpArgs {
    /// The request these flags make; `plan` validates it.
    pub fn to_request(&self) -> crate::error::Result<DumpRequest> {
        if let Some(f) = &self.format {
            match f.as_str() {
                "p" | "plain" => {}
                "c" | "custom" | "d" | "directory" | "t" | "tar" => {
                    return Err(crate::error::Error::usage(format!(
                        "output format \"{f}\" is not supported: pgsnap writes plain-text dumps only (-F p), which psql and pgsnap restore load"
                    )))
                }
                other => {
                    return Err(crate::error::Error::usage(format!(
                        "invalid output format \"{other}\" specified"
                    )))
                }
            }
        }
        if self.dbname.is_some() && self.conn.dbname.is_some() {
            return Err(crate::error::Error::usage(format!(
                "too many command-line arguments (first is \"{}\")",
                self.dbname.as_deref().unwrap_or("")
            )));
        }
        self.parts.check(self.schema_only, self.data_only)?;
        let mut req = self.request()?;
        for path in &self.filter {
            let (text, source) = read_filter_file(path)?;
            crate::filter_file::apply(&text, &source, &mut req.filters)?;
        }
        Ok(req)
    }

    fn request(&self) -> crate::error::Result<DumpRequest> {
        let mut req = DumpRequest {
            conn: self.conn.options(self.dbname.as_ref()),
            no_password: self.conn.no_password,
            password: self.conn.password,
            file: self.file.clone(),
            schema_only: self.schema_only,
            data_only: self.data_only,
            filters: Filters {
                include_tables: self.table.clone(),
                exclude_tables: self.exclude_table.clone(),
                include_schemas: self.schema.clone(),
                exclude_schemas: self.exclude_schema.clone(),
                include_extensions: self.extension.clone(),
                exclude_extensions: self.exclude_extension.clone(),
                exclude_table_data: self.exclude_table_data.clone(),
                table_data_where: self
                    .table_data_where
                    .iter()
                    .map(|w| parse_table_data_where(w))
                    .collect::<crate::error::Result<_>>()?,
                include_foreign_data: self.include_foreign_data.clone(),
                include_tables_and_children: self.table_and_children.clone(),
                exclude_tables_and_children: self.exclude_table_and_children.clone(),
                exclude_table_data_and_children: self.exclude_table_data_and_children.clone(),
                strict_names: self.strict_names,
            },
            jobs: self.jobs,
            no_owner: self.no_owner,
            no_privileges: self.no_privileges,
            no_comments: self.no_comments,
            restrict_key: self.restrict_key.clone(),
            as_pg_dump: self.as_pg_dump,
            verbose: self.verbose,
            chunk_pages: self.chunk_pages,
            spool_memory_mib: self.spool_memory,
            sections: self.section.clone(),
            switches: crate::plan::Switches {
                no_publications: self.no_publications,
                no_subscriptions: self.no_subscriptions,
                no_security_labels: self.no_security_labels,
                no_tablespaces: self.no_tablespaces,
                no_table_access_method: self.no_table_access_method,
                no_toast_compression: self.no_toast_compression,
                no_unlogged_table_data: self.no_unlogged_table_data,
                enable_row_security: self.enable_row_security,
                lock_wait_timeout: self.lock_wait_timeout.clone(),
                extra_float_digits: self.extra_float_digits,
                quote_all_identifiers: self.quote_all_identifiers,
                disable_dollar_quoting: self.disable_dollar_quoting,
                load_via_partition_root: self.load_via_partition_root,
                create: self.create,
                clean: self.clean,
                if_exists: self.if_exists,
                use_set_session_authorization: self.use_set_session_authorization,
                disable_triggers: self.disable_triggers,
                inserts: self.inserts,
                column_inserts: self.column_inserts,
                rows_per_insert: self.rows_per_insert,
                on_conflict_do_nothing: self.on_conflict_do_nothing,
                role: self.role.clone(),
                snapshot: self.snapshot.clone(),
                serializable_deferrable: self.serializable_deferrable,
                no_sync: self.no_sync,
                force_row_filters: self.force,
                no_role_passwords: false,
                sync_method: self.sync_method.clone(),
                newer_options: self.newer_options(),
                no_large_objects: self.no_blobs || self.no_large_objects,
                large_objects: self.blobs || self.large_objects,
                // pg_dump 18's parts: `PartsArgs::ask` below.
                ..crate::plan::Switches::default()
            },
            encoding: self.encoding.clone(),
            compress: self.compress.clone(),
            progress: self.progress.clone(),
            ..DumpRequest::default()
        };
        self.parts.ask(&mut req);
        Ok(req)
    }

    /// The switches given that only a newer pg_dump than some has, each with the major that
    /// added it: refused when the text written is an older pg_dump's, as that one refuses them.
    fn newer_options(&self) -> Vec<(&'static str, u32)> {
        let given = |patterns: &Vec<String>| !patterns.is_empty();
        let older = [
            ("--sync-method", 17, self.sync_method.is_some()),
            ("--filter", 17, !self.filter.is_empty()),
            ("--exclude-extension", 17, given(&self.exclude_extension)),
            ("--table-and-children", 16, given(&self.table_and_children)),
            (
                "--exclude-table-and-children",
                16,
                given(&self.exclude_table_and_children),
            ),
            (
                "--exclude-table-data-and-children",
                16,
                given(&self.exclude_table_data_and_children),
            ),
            ("--large-objects", 16, self.large_objects),
            ("--no-large-objects", 16, self.no_large_objects),
            ("--no-table-access-method", 15, self.no_table_access_method),
        ]
        .into_iter()
        .filter(|(_, _, used)| *used)
        .map(|(name, major, _)| (name, major));
        self.parts.newer_options().chain(older).collect()
    }
}

/// `PATTERN:CONDITION` of `--table-data-where` (the pattern is everything before the first
/// colon).
pub fn parse_table_data_where(arg: &str) -> crate::error::Result<(String, String)> {
    match arg.split_once(':') {
        Some((p, c)) if !p.trim().is_empty() && !c.trim().is_empty() => {
            Ok((p.trim().to_string(), c.trim().to_string()))
        }
        _ => Err(crate::error::Error::usage(format!(
            "--table-data-where={arg}: expected PATTERN:CONDITION, as in \
             extras_objectchange:time > now() - interval '30 days'"
        ))),
    }
}

/// A filter file's text and its name in messages (`file "NAME"`, or `standard input` for
/// "-"), as pg_dump and pg_dumpall read it.
pub fn read_filter_file(path: &std::path::Path) -> crate::error::Result<(String, String)> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|e| {
            crate::error::Error::usage(format!("could not read from filter file \"-\": {e}"))
        })?;
        return Ok((text, "standard input".to_string()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        crate::error::Error::usage(format!(
            "could not open filter file \"{}\": {e}",
            path.display()
        ))
    })?;
    Ok((text, format!("file \"{}\"", path.display())))
}
