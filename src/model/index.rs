//! Indexes, constraints, extended statistics and relations' planner statistics.

use super::*;

/// Details of a StatsExt object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct StatsExtDetail {
    /// Owner role.
    pub owner: String,
    /// `pg_get_statisticsobjdef`
    pub def: String,
    /// stxstattarget (-1: default)
    pub stattarget: i32,
    /// Comment.
    pub comment: Option<String>,
}

/// Index details.
#[derive(Debug, Clone, Default)]
pub struct IndexDetail {
    /// Table.
    pub table: DumpId,
    /// `pg_get_indexdef`
    pub def: String,
    /// Constraint it implements, if any.
    pub constraint: Option<DumpId>,
    /// indisclustered
    pub clustered: bool,
    /// indisreplident
    pub replident: bool,
    /// Tablespace.
    pub tablespace: String,
    /// reloptions, `name=value` each
    pub reloptions: Vec<String>,
    /// Column statistics targets: (column number in index, target).
    pub stat_targets: Vec<(i32, i32)>,
    /// Number of key columns, to print statistics.
    pub nkeys: i32,
    /// Parent index oid, for partitions.
    pub parent_oid: u32,
    /// Comment.
    pub comment: Option<String>,
}

/// Constraint details.
#[derive(Debug, Clone, Default)]
pub struct ConstraintDetail {
    /// Table, when a table constraint.
    pub table: Option<DumpId>,
    /// Domain type, when a domain constraint.
    pub domain: Option<DumpId>,
    /// contype
    pub contype: char,
    /// `pg_get_constraintdef`
    pub def: String,
    /// Referenced table OID, for foreign keys.
    pub confrelid: u32,
    /// The backing index, for p/u/x.
    pub index: Option<DumpId>,
    /// condeferrable
    pub deferrable: bool,
    /// condeferred
    pub deferred: bool,
    /// conislocal
    pub is_local: bool,
    /// convalidated
    pub validated: bool,
    /// Dumped on its own rather than inside CREATE TABLE / CREATE DOMAIN.
    pub separate: bool,
    /// Comment.
    pub comment: Option<String>,
}

/// A relation's planner statistics, as pg_dump 18's `--statistics` writes them
/// (`pg_restore_relation_stats` and one `pg_restore_attribute_stats` per pg_stats row).
#[derive(Debug, Clone, Default)]
pub struct RelStatsDetail {
    /// The relation (table, partitioned table, materialized view, foreign table or index).
    pub relation: DumpId,
    /// The server's `server_version_num`, written as the statistics' version.
    pub version: u32,
    /// `relpages`
    pub relpages: i32,
    /// `reltuples`, as the server prints it.
    pub reltuples: String,
    /// `relallvisible`
    pub relallvisible: i32,
    /// `relallfrozen` (18).
    pub relallfrozen: Option<i32>,
    /// pg_stats rows, by attribute name and inherited.
    pub attributes: Vec<AttributeStats>,
}

/// One pg_stats row.
#[derive(Debug, Clone, Default)]
pub struct AttributeStats {
    /// The column's name; for an index its position instead (`attnum`).
    pub column: StatsColumn,
    /// `inherited`
    pub inherited: bool,
    /// The values pg_stats has, in pg_dump's order: argument name, SQL type, value text.
    pub values: Vec<(&'static str, &'static str, String)>,
}

/// How an attribute's statistics name their column.
#[derive(Debug, Clone)]
pub enum StatsColumn {
    /// A table's column, by name.
    Name(String),
    /// An index's column, by position.
    Number(i16),
}

impl Default for StatsColumn {
    fn default() -> Self {
        StatsColumn::Number(0)
    }
}
