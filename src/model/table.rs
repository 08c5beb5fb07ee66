//! Tables and other relations: their columns, options, and the sequences among them.

use super::*;

/// A table column as `getTableAttrs` reads it.
#[derive(Debug, Clone, Default)]
pub struct Column {
    /// `attnum`
    pub num: i16,
    /// `attname`
    pub name: String,
    /// `format_type(atttypid, atttypmod)`
    pub type_name: String,
    /// `attnotnull`
    pub not_null: bool,
    /// Its NOT NULL constraint is the table's own (18's `conislocal`; `attislocal` before).
    pub not_null_local: bool,
    /// Its NOT NULL constraint is `NO INHERIT` (18).
    pub not_null_no_inherit: bool,
    /// `attisdropped`
    pub dropped: bool,
    /// `attislocal`
    pub is_local: bool,
    /// `attstattarget` (-1: default)
    pub stat_target: i32,
    /// `attstorage`
    pub storage: char,
    /// the type's `typstorage`
    pub type_storage: char,
    /// `attidentity` ('a', 'd' or none)
    pub identity: Option<char>,
    /// `attgenerated` ('s' or none)
    pub generated: Option<char>,
    /// `attcompression` when set
    pub compression: Option<char>,
    /// Dump id of its default, if any.
    pub default: Option<DumpId>,
    /// Collation, options, comment and ACL, which most columns lack (boxed: there can be
    /// hundreds of thousands of columns).
    pub extra: Option<Box<ColumnExtra>>,
}

/// Rarely set column properties.
#[derive(Debug, Clone, Default)]
pub struct ColumnExtra {
    /// Non-default collation, qualified and quoted.
    pub collation: Option<String>,
    /// `attoptions` as `a=b, c=d`
    pub options: Option<String>,
    /// A foreign table column's options, formatted as pg_dump prints them.
    pub fdw_options: Option<String>,
    /// Comment on the column.
    pub comment: Option<String>,
    /// Column ACL.
    pub acl: Option<Acl>,
    /// The name of its NOT NULL constraint when not the default `table_column_not_null` (18).
    pub not_null_name: Option<String>,
}

impl Column {
    /// The name of its NOT NULL constraint, when not the default one (18).
    pub fn not_null_name(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.not_null_name.as_ref())
    }

    /// Non-default collation, qualified and quoted.
    pub fn collation(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.collation.as_ref())
    }

    /// `attoptions` as `a=b, c=d`.
    pub fn options(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.options.as_ref())
    }

    /// A foreign table column's options (see [`ColumnExtra`]).
    pub fn fdw_options(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.fdw_options.as_ref())
    }

    /// Comment on the column.
    pub fn comment(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.comment.as_ref())
    }

    /// Column ACL.
    pub fn acl(&self) -> Option<&Acl> {
        self.extra.as_ref().and_then(|x| x.acl.as_ref())
    }

    /// The rare properties, created on first use.
    pub fn extra_mut(&mut self) -> &mut ColumnExtra {
        self.extra.get_or_insert_with(Box::default)
    }
}

/// Table details.
#[derive(Debug, Clone, Default)]
pub struct TableDetail {
    /// relkind
    pub relkind: char,
    /// relpersistence
    pub persistence: char,
    /// Owner role.
    pub owner: String,
    /// Columns (including dropped ones), by attnum.
    pub columns: Vec<Column>,
    /// Check constraints (dump ids), by name.
    pub checks: Vec<DumpId>,
    /// Table access method name.
    pub am: Option<String>,
    /// Tablespace name ('' when default).
    pub tablespace: String,
    /// Is a partition.
    pub is_partition: bool,
    /// Inheritance parents (dump ids), in inhseqno order.
    pub parents: Vec<DumpId>,
    /// relreplident
    pub replident: char,
    /// relrowsecurity
    pub row_security: bool,
    /// relforcerowsecurity
    pub force_row_security: bool,
    /// Estimated size in pages, to schedule largest first.
    pub relpages: i64,
    /// Sequence: the owning table and column, for OWNED BY / identity.
    pub owning_table: Option<(DumpId, i16)>,
    /// Sequence used for an identity column.
    pub is_identity_sequence: bool,
    /// Sequence parameters.
    pub seq: Option<Box<SequenceParams>>,
    /// Table data object, if data is dumped.
    pub data: Option<DumpId>,
    /// `relispopulated` for matviews.
    pub populated: bool,
    /// Comment on the relation.
    pub comment: Option<String>,
    /// ACL.
    pub acl: Box<Acl>,
    /// Whether the table is an extension member (kept for dependency purposes only).
    pub ext_member: bool,
    /// A view printed with a placeholder body (NULL columns), its real query following as a
    /// separate `CREATE OR REPLACE VIEW` after what the query depends on (pg_dump's
    /// `dummy_view`).
    pub dummy_view: bool,
    /// Options and definitions most tables do not have (boxed: there can be many tables).
    pub extra: Option<Box<TableExtra>>,
}

/// Rarely set table texts, apart so that a plain table stays small.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableExtra {
    /// reloptions, `name=value` each (a view's check_option left out)
    pub reloptions: Vec<String>,
    /// The TOAST table's reloptions
    pub toast_reloptions: Vec<String>,
    /// View check option (local/cascaded).
    pub check_option: Option<String>,
    /// Partition bound expression.
    pub partbound: Option<String>,
    /// Partition key definition.
    pub partkeydef: Option<String>,
    /// View definition.
    pub viewdef: Option<String>,
    /// Has an `OF type` clause (typed table): qualified type name.
    pub of_type: Option<String>,
    /// Foreign table: its server and its options (formatted as pg_dump prints them).
    pub foreign: Option<(String, String)>,
    /// An extension configuration table's data filter (`WHERE ...`, from extcondition).
    pub data_filter: Option<String>,
    /// `--table-data-where`'s condition for this table (also in `data_filter`), which ranged
    /// copies add to their own.
    pub row_filter: Option<String>,
}

impl TableExtra {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == TableExtra::default()
    }
}

impl TableDetail {
    /// `reloptions` (see [`TableExtra`]).
    pub fn reloptions(&self) -> &[String] {
        self.extra.as_ref().map_or(&[], |x| &x.reloptions)
    }

    /// `toast_reloptions` (see [`TableExtra`]).
    pub fn toast_reloptions(&self) -> &[String] {
        self.extra.as_ref().map_or(&[], |x| &x.toast_reloptions)
    }

    /// `check_option` (see [`TableExtra`]).
    pub fn check_option(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.check_option.as_ref())
    }

    /// `partbound` (see [`TableExtra`]).
    pub fn partbound(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.partbound.as_ref())
    }

    /// `partkeydef` (see [`TableExtra`]).
    pub fn partkeydef(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.partkeydef.as_ref())
    }

    /// `viewdef` (see [`TableExtra`]).
    pub fn viewdef(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.viewdef.as_ref())
    }

    /// `of_type` (see [`TableExtra`]).
    pub fn of_type(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.of_type.as_ref())
    }

    /// An extension configuration table's data filter (see [`TableExtra`]).
    pub fn data_filter(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.data_filter.as_ref())
    }

    /// Foreign table's server and options (see [`TableExtra`]).
    pub fn foreign(&self) -> Option<&(String, String)> {
        self.extra.as_ref().and_then(|x| x.foreign.as_ref())
    }
}

/// Sequence parameters and state.
#[derive(Debug, Clone, Default)]
pub struct SequenceParams {
    /// seqtypid formatted
    pub type_name: String,
    /// seqstart
    pub start: i64,
    /// seqincrement
    pub increment: i64,
    /// seqmax
    pub max: i64,
    /// seqmin
    pub min: i64,
    /// seqcache
    pub cache: i64,
    /// seqcycle
    pub cycle: bool,
    /// last_value from the snapshot
    pub last_value: i64,
    /// is_called
    pub is_called: bool,
}
