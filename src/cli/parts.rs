//! pg_dump 18's switches choosing the parts of a dump (data, schema, statistics, row security
//! policies, sequence values), the same for `pgsnap dump` and `pgsnap dumpall`.

use clap::Args;

/// pg_dump 18's and pg_dumpall 18's switches for what a dump holds.
#[derive(Debug, Args)]
pub struct PartsArgs {
    /// Do not dump data (pg_dump 18).
    #[arg(
        long = "no-data",
        help_heading = "Options controlling the output content"
    )]
    pub no_data: bool,
    /// Do not dump schema (pg_dump 18; dumpall: nor global objects).
    #[arg(
        long = "no-schema",
        help_heading = "Options controlling the output content"
    )]
    pub no_schema: bool,
    /// Do not dump row security policies (pg_dump 18).
    #[arg(
        long = "no-policies",
        help_heading = "Options controlling the output content"
    )]
    pub no_policies: bool,
    /// Include sequence data in the dump, even with -s or --no-data (pg_dump 18).
    #[arg(
        long = "sequence-data",
        help_heading = "Options controlling the output content"
    )]
    pub sequence_data: bool,
    /// Do not dump statistics (pg_dump 18; its default, as pgsnap's).
    #[arg(
        long = "no-statistics",
        help_heading = "Options controlling the output content"
    )]
    pub no_statistics: bool,
    /// Dump the relations' planner statistics (pg_dump 18).
    #[arg(
        long = "statistics",
        help_heading = "Options controlling the output content"
    )]
    pub statistics: bool,
    /// Dump only the statistics, not schema or data (pg_dump 18; dumpall: nor global objects).
    #[arg(
        long = "statistics-only",
        help_heading = "Options controlling the output content"
    )]
    pub statistics_only: bool,
}

impl PartsArgs {
    /// The switches given, each with pg_dump 18, the major that added them.
    pub fn newer_options(&self) -> impl Iterator<Item = (&'static str, u32)> {
        [
            ("--no-data", self.no_data),
            ("--no-schema", self.no_schema),
            ("--no-policies", self.no_policies),
            ("--sequence-data", self.sequence_data),
            ("--no-statistics", self.no_statistics),
            ("--statistics", self.statistics),
            ("--statistics-only", self.statistics_only),
        ]
        .into_iter()
        .filter(|(_, used)| *used)
        .map(|(name, _)| (name, 18))
    }

    /// Asks these parts of `req`, whose `-s`/`-a` are set already: `--no-data` narrows it to
    /// the schema and `--no-schema` to the data, as `-s` and `-a` do.
    pub fn ask(&self, req: &mut crate::plan::DumpRequest) {
        req.schema_only |= self.no_data;
        req.data_only |= self.no_schema;
        req.statistics_only = self.statistics_only;
        req.switches.no_policies = self.no_policies;
        req.switches.sequence_data = self.sequence_data;
        req.switches.statistics = self.statistics || self.statistics_only;
    }

    /// pg_dump 18's refusals of the statistics switches beside `-s`, `-a` or each other.
    pub fn check(&self, schema_only: bool, data_only: bool) -> crate::error::Result<()> {
        let only = if schema_only {
            "-s/--schema-only"
        } else {
            "-a/--data-only"
        };
        if self.statistics_only && (schema_only || data_only) {
            return Err(crate::error::Error::usage(format!(
                "options {only} and --statistics-only cannot be used together"
            )));
        }
        if self.statistics && (schema_only || data_only) {
            return Err(crate::error::Error::usage(format!(
                "options {only} and --statistics cannot be used together"
            )));
        }
        if self.statistics && self.no_statistics {
            return Err(crate::error::Error::usage(
                "options --statistics and --no-statistics cannot be used together",
            ));
        }
        Ok(())
    }
}
