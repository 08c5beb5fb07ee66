//! Tables, views, materialized views, their columns, defaults, partitions, data entries and the copy workers' queries, and matview refreshes (dumpTableSchema,
//! dumpTableData).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    match o.kind() {
        Kind::Table => table(cx, o),
        Kind::TableAttach => table_attach(cx, o),
        Kind::AttrDef => attrdef(cx, o),
        Kind::TableData => table_data(cx, o),
        Kind::RefreshMatview => refresh_matview(cx, o),
        _ => {}
    }
}

pub(super) fn print_column(t: &TableDetail, c: &Column) -> bool {
    !c.dropped && (c.is_local || t.is_partition)
}

/// A table-like relation's definition, comments, labels and privileges (pg_dump's
/// `dumpTableSchema` with its comment, label and ACL entries).
pub(super) fn table(cx: &mut Ctx, o: &Obj) {
    let Detail::Table(t) = &o.detail else { return };
    let cat = cx.cat;
    let qn = cx.qname(o);
    let q = cx.ident(&o.name);
    match t.relkind {
        'S' => return sequence(cx, o, t),
        'c' => return,
        _ => {}
    }
    let mut s = String::new();
    let desc = match t.relkind {
        'v' => {
            s.push_str(&format!(
                "CREATE VIEW {qn}{};\n",
                view_clauses(cx.opts.quoting, t, t.dummy_view)
            ));
            "VIEW"
        }
        'm' => {
            s.push_str(&format!("CREATE MATERIALIZED VIEW {qn}"));
            if !t.reloptions().is_empty() || !t.toast_reloptions().is_empty() {
                s.push_str(&format!("\nWITH ({})", with_options(cx.opts.quoting, t)));
            }
            s.push_str(&format!(" AS\n{}\n  WITH NO DATA;\n", view_body(t)));
            "MATERIALIZED VIEW"
        }
        _ => {
            let unlogged = if t.persistence == 'u' {
                "UNLOGGED "
            } else {
                ""
            };
            let kind = if t.relkind == 'f' {
                "FOREIGN TABLE"
            } else {
                "TABLE"
            };
            s.push_str(&format!("CREATE {unlogged}{kind} {qn}"));
            if let Some(of) = t.of_type() {
                s.push_str(&format!(" OF {of}"));
            }
            let n = column_list(cx, t, &mut s);
            if n > 0 {
                s.push_str("\n)");
            } else if t.of_type().is_none() {
                s.push_str(" (\n)");
            }
            if !t.parents.is_empty() && !t.is_partition {
                let ps: Vec<String> = t
                    .parents
                    .iter()
                    .map(|p| cx.qname(&cat.objects[*p]))
                    .collect();
                s.push_str(&format!("\nINHERITS ({})", ps.join(", ")));
            }
            if t.relkind == 'p' {
                if let Some(k) = t.partkeydef() {
                    s.push_str(&format!("\nPARTITION BY {k}"));
                }
            }
            if let Some((server, _)) = t.foreign() {
                s.push_str(&format!("\nSERVER {}", cx.ident(server)));
            }
            if !t.reloptions().is_empty() || !t.toast_reloptions().is_empty() {
                s.push_str(&format!("\nWITH ({})", with_options(cx.opts.quoting, t)));
            }
            if let Some((_, options)) = t.foreign().filter(|(_, o)| !o.is_empty()) {
                s.push_str(&format!("\nOPTIONS (\n    {options}\n)"));
            }
            s.push_str(";\n");
            kind
        }
    };
    let foreign = if t.relkind == 'f' { "FOREIGN " } else { "" };
    column_alters(cx, t, &qn, foreign, &mut s);
    match if matches!(t.relkind, 'r' | 'p') {
        t.replident
    } else {
        'd'
    } {
        'n' => s.push_str(&format!(
            "\nALTER TABLE ONLY {qn} REPLICA IDENTITY NOTHING;\n"
        )),
        'f' => s.push_str(&format!("\nALTER TABLE ONLY {qn} REPLICA IDENTITY FULL;\n")),
        _ => {}
    }
    if t.force_row_security {
        s.push_str(&format!(
            "\nALTER TABLE ONLY {qn} FORCE ROW LEVEL SECURITY;\n"
        ));
    }
    let mut e = TocEntry::new(desc, o.name.clone(), s)
        .ns(o.namespace.as_deref())
        .owner(&t.owner)
        .drop(format!("DROP {desc} {qn};\n"));
    // Views and foreign tables have no storage, so pg_dump names no tablespace for them
    // (pg_dump 14 still names one for foreign tables).
    if t.relkind != 'v' && (t.relkind != 'f' || cx.opts.dialect.foreign_table_tablespace()) {
        e.tablespace = Some(t.tablespace.clone());
    }
    if matches!(t.relkind, 'r' | 'm') {
        e.tableam = t.am.clone();
    }
    e.owner_stmt = Some(format!(
        "ALTER {} {qn} OWNER TO {};",
        cx.opts.dialect.relation_owner_type(desc),
        cx.ident(&t.owner)
    ));
    cx.push_def(e);
    cx.comment(&t.comment, desc, &q, o, &t.owner);
    table_comments(cx, o, t, desc);
    table_acls(cx, o, t);
}

/// The columns and inline CHECK constraints of `CREATE TABLE` (pg_dump's column loop in
/// `dumpTableSchema`); returns how many were written.
fn column_list(cx: &Ctx, t: &TableDetail, s: &mut String) -> usize {
    let cat = cx.cat;
    let mut n = 0;
    for c in &t.columns {
        if !print_column(t, c) {
            continue;
        }
        let def = c.default.and_then(|d| match &cat.objects[d].detail {
            Detail::AttrDef {
                expr,
                separate: false,
                ..
            } if cat.objects[d].dump => Some(&**expr),
            _ => None,
        });
        // A parent's default the child lacks is cancelled explicitly (pg_dump's
        // manufactured DEFAULT NULL in flagInhAttrs).
        let def = def.or_else(|| {
            (c.default.is_none() && parent_has_default(cx, t, &c.name)).then_some("NULL")
        });
        let notnull = not_null_clause(cx, t, c);
        if t.of_type().is_some() && def.is_none() && notnull.is_none() {
            continue;
        }
        s.push_str(if n == 0 { " (" } else { "," });
        s.push_str("\n    ");
        n += 1;
        s.push_str(&cx.ident(&c.name));
        // A typed table's columns take their type from it.
        if t.of_type().is_none() {
            s.push(' ');
            s.push_str(&c.type_name);
        }
        if let Some(d) = def {
            match c.generated {
                Some('s') => s.push_str(&format!(" GENERATED ALWAYS AS ({d}) STORED")),
                // 18's virtual generated columns.
                Some(_) => s.push_str(&format!(" GENERATED ALWAYS AS ({d})")),
                None => s.push_str(&format!(" DEFAULT {d}")),
            }
        }
        if let Some(clause) = notnull {
            s.push_str(&clause);
        }
        if let Some(coll) = c.collation() {
            s.push_str(&format!(" COLLATE {coll}"));
        }
    }
    for &cid in &t.checks {
        let co = &cat.objects[cid];
        let Detail::Constraint(c) = &co.detail else {
            continue;
        };
        if c.separate || (!c.is_local && !t.is_partition) {
            continue;
        }
        s.push_str(if n == 0 { " (\n    " } else { ",\n    " });
        s.push_str(&format!("CONSTRAINT {} {}", cx.ident(&co.name), c.def));
        n += 1;
    }
    n
}

/// A column's NOT NULL in `CREATE TABLE`, if it is printed there. Up to pg_dump 17 a NOT NULL
/// a parent gives is not repeated (its inhNotNull); 18 prints the constraints a table has of
/// its own (and a partition's), with their names when not the default and NO INHERIT.
fn not_null_clause(cx: &Ctx, t: &TableDetail, c: &Column) -> Option<String> {
    if !c.not_null {
        return None;
    }
    if !cx.opts.dialect.named_not_null() || cx.cat.server_num < 180000 {
        let inherited = inherited_not_null(cx.cat, t, &c.name);
        return (!inherited || t.is_partition).then(|| " NOT NULL".to_string());
    }
    if !c.not_null_local && !t.is_partition {
        return None;
    }
    let mut clause = match c.not_null_name() {
        Some(name) => format!(" CONSTRAINT {} NOT NULL", cx.ident(name)),
        None => " NOT NULL".to_string(),
    };
    if c.not_null_no_inherit {
        clause.push_str(" NO INHERIT");
    }
    Some(clause)
}

/// Whether a column the column list leaves out still needs its own `SET NOT NULL`.
fn separate_not_null(cx: &Ctx, t: &TableDetail, c: &Column) -> bool {
    if print_column(t, c) || !c.not_null {
        return false;
    }
    if cx.opts.dialect.named_not_null() && cx.cat.server_num >= 180000 {
        c.not_null_local && !t.is_partition
    } else {
        !inherited_not_null(cx.cat, t, &c.name)
    }
}

/// The per-column `ALTER TABLE ... ALTER COLUMN` settings after `CREATE TABLE` (NOT NULL the
/// column list could not carry, statistics, storage, compression, options).
fn column_alters(cx: &Ctx, t: &TableDetail, qn: &str, foreign: &str, s: &mut String) {
    for c in &t.columns {
        if c.dropped {
            continue;
        }
        let qc = cx.ident(&c.name);
        if separate_not_null(cx, t, c) {
            s.push_str(&format!(
                "ALTER {foreign}TABLE ONLY {qn} ALTER COLUMN {qc} SET NOT NULL;\n"
            ));
        }
        if c.stat_target >= 0 {
            s.push_str(&format!(
                "ALTER {foreign}TABLE ONLY {qn} ALTER COLUMN {qc} SET STATISTICS {};\n",
                c.stat_target
            ));
        }
        if c.storage != c.type_storage {
            let storage = match c.storage {
                'p' => Some("PLAIN"),
                'e' => Some("EXTERNAL"),
                'x' => Some("EXTENDED"),
                'm' => Some("MAIN"),
                _ => None,
            };
            if let Some(st) = storage {
                s.push_str(&format!(
                    "ALTER {foreign}TABLE ONLY {qn} ALTER COLUMN {qc} SET STORAGE {st};\n"
                ));
            }
        }
        match c.compression.filter(|_| !cx.opts.no_toast_compression) {
            Some('p') => s.push_str(&format!(
                "ALTER {foreign}TABLE ONLY {qn} ALTER COLUMN {qc} SET COMPRESSION pglz;\n"
            )),
            Some('l') => s.push_str(&format!(
                "ALTER {foreign}TABLE ONLY {qn} ALTER COLUMN {qc} SET COMPRESSION lz4;\n"
            )),
            _ => {}
        }
        if let Some(opts) = c.options() {
            s.push_str(&format!(
                "ALTER {foreign}TABLE ONLY {qn} ALTER COLUMN {qc} SET ({opts});\n"
            ));
        }
        if let Some(opts) = c.fdw_options() {
            s.push_str(&format!(
                "ALTER FOREIGN TABLE {only}{qn} ALTER COLUMN {qc} OPTIONS (\n    {opts}\n);\n",
                only = cx.opts.dialect.foreign_column_options_only()
            ));
        }
    }
}

/// The comments on a relation's columns and inline CHECK constraints, and its security labels.
fn table_comments(cx: &mut Ctx, o: &Obj, t: &TableDetail, desc: &str) {
    let cat = cx.cat;
    let qn = cx.qname(o);
    let q = cx.ident(&o.name);
    for c in &t.columns {
        if c.dropped {
            continue;
        }
        let qc = cx.ident(&c.name);
        cx.comment_raw(
            &c.comment().cloned(),
            format!("COLUMN {qn}.{qc}"),
            format!("COLUMN {q}.{qc}"),
            o.namespace.as_deref(),
            &t.owner,
        );
    }
    cx.table_seclabel(desc, o, t);
    // Comments on the CHECK constraints written inside CREATE TABLE.
    for &cid in &t.checks {
        let co = &cat.objects[cid];
        let Detail::Constraint(c) = &co.detail else {
            continue;
        };
        if c.separate || !c.is_local || !co.dump {
            continue;
        }
        let cq = cx.ident(&co.name);
        cx.comment_raw(
            &c.comment,
            format!("CONSTRAINT {cq} ON {qn}"),
            format!("CONSTRAINT {cq} ON {q}"),
            o.namespace.as_deref(),
            &t.owner,
        );
    }
}

/// A table's privileges, then its columns' (each column's GRANT is on the TABLE).
pub(super) fn table_acls(cx: &mut Ctx, o: &Obj, t: &TableDetail) {
    let q = cx.ident(&o.name);
    let objtype = if t.relkind == 'S' {
        "SEQUENCE"
    } else {
        "TABLE"
    };
    cx.acl(
        &t.acl,
        objtype,
        &q,
        None,
        o.namespace.as_deref(),
        &t.owner,
        format!("{objtype} {q}"),
    );
    for c in &t.columns {
        if let (Some(acl), false) = (c.acl(), c.dropped) {
            let qc = cx.ident(&c.name);
            cx.acl(
                acl,
                "TABLE",
                &q,
                Some(&qc),
                o.namespace.as_deref(),
                &t.owner,
                format!("COLUMN {q}.{qc}"),
            );
        }
    }
}

/// Whether a parent gives `column` a (non-generated) default: its own, or the DEFAULT NULL
/// it gets itself from a parent of its own.
/// Whether a parent gives `column` a default the child must cancel with `DEFAULT NULL`
/// (pg_dump's flagInhAttrs). pg_dump 15 counts a parent's own default or one it inherits;
/// 16 and later count only a parent's own default that is not itself `NULL`.
pub(super) fn parent_has_default(cx: &Ctx, t: &TableDetail, column: &str) -> bool {
    let cat = cx.cat;
    let own_only = cx.opts.dialect.default_null_from_own_defaults_only();
    t.parents.iter().any(|p| {
        let Some(pt) = cat.table(*p) else {
            return false;
        };
        let Some(c) = pt.columns.iter().find(|c| c.name == column && !c.dropped) else {
            return false;
        };
        match c.default {
            Some(_) if c.generated.is_some() => false,
            Some(d) if own_only => !matches!(
                &cat.objects[d].detail,
                Detail::AttrDef { expr, .. } if &**expr == "NULL"
            ),
            Some(_) => true,
            None => !own_only && parent_has_default(cx, pt, column),
        }
    })
}

pub(super) fn inherited_not_null(cat: &Catalog, t: &TableDetail, column: &str) -> bool {
    t.parents.iter().any(|p| {
        cat.table(*p)
            .and_then(|pt| pt.columns.iter().find(|c| c.name == column && !c.dropped))
            .is_some_and(|c| c.not_null)
    })
}

/// A table's storage parameters and its TOAST table's, for `WITH (...)`.
pub(super) fn with_options(q: Quoting, t: &TableDetail) -> String {
    let mut parts = Vec::new();
    if !t.reloptions().is_empty() {
        parts.push(quote::format_reloptions(q, t.reloptions(), ""));
    }
    if !t.toast_reloptions().is_empty() {
        parts.push(quote::format_reloptions(q, t.toast_reloptions(), "toast."));
    }
    parts.join(", ")
}

/// What follows a view's name in CREATE [OR REPLACE] VIEW: options, the query (or, for a
/// placeholder, typed NULLs) and the check option the real query carries.
pub(super) fn view_clauses(q: Quoting, t: &TableDetail, placeholder: bool) -> String {
    let mut s = String::new();
    if !t.reloptions().is_empty() {
        s.push_str(&format!(
            " WITH ({})",
            quote::format_reloptions(q, t.reloptions(), "")
        ));
    }
    if placeholder {
        s.push_str(&format!(" AS\n{}", dummy_view_body(q, t)));
    } else {
        s.push_str(&format!(" AS\n{}", view_body(t)));
        if let Some(co) = t.check_option() {
            s.push_str(&format!("\n  WITH {co} CHECK OPTION"));
        }
    }
    s
}

/// A view's placeholder query: its columns as typed NULLs (pg_dump's createDummyViewAsClause).
pub(super) fn dummy_view_body(q: Quoting, t: &TableDetail) -> String {
    let mut s = String::from("SELECT");
    for (i, c) in t.columns.iter().filter(|c| !c.dropped).enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("\n    NULL::{}", c.type_name));
        if let Some(coll) = c.extra.as_ref().and_then(|x| x.collation.as_ref()) {
            s.push_str(&format!(" COLLATE {coll}"));
        }
        s.push_str(&format!(" AS {}", q.ident(&c.name)));
    }
    s
}

pub(super) fn view_body(t: &TableDetail) -> String {
    let def = t.viewdef().cloned().unwrap_or_default();
    def.trim_end_matches(';').to_string()
}

pub(super) fn table_attach(cx: &mut Ctx, o: &Obj) {
    let Detail::TableAttach { partition, parent } = &o.detail else {
        return;
    };
    let (po, pa) = (&cx.cat.objects[*partition], &cx.cat.objects[*parent]);
    let Some(t) = cx.cat.table(*partition) else {
        return;
    };
    let s = format!(
        "ALTER TABLE ONLY {} ATTACH PARTITION {} {};\n",
        cx.qname(pa),
        cx.qname(po),
        t.partbound().cloned().unwrap_or_default()
    );
    let e = TocEntry::new("TABLE ATTACH", o.name.clone(), s)
        .ns(o.namespace.as_deref())
        .owner(&t.owner);
    cx.push_def(e);
}

pub(super) fn table_owner(cx: &Ctx, tid: DumpId) -> String {
    cx.cat
        .table(tid)
        .map(|t| t.owner.clone())
        .unwrap_or_default()
}

pub(super) fn attrdef(cx: &mut Ctx, o: &Obj) {
    let Detail::AttrDef {
        table,
        adnum,
        expr,
        separate,
    } = &o.detail
    else {
        return;
    };
    if !separate {
        return;
    }
    let Some(t) = cx.cat.table(*table) else {
        return;
    };
    let Some(c) = t.columns.iter().find(|c| c.num == *adnum) else {
        return;
    };
    let tab = &cx.cat.objects[*table];
    let s = format!(
        "ALTER TABLE ONLY {} ALTER COLUMN {} SET DEFAULT {expr};\n",
        cx.qname(tab),
        cx.ident(&c.name)
    );
    let drop = format!(
        "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT;\n",
        cx.qname(tab),
        cx.ident(&c.name)
    );
    let e = TocEntry::new("DEFAULT", format!("{} {}", tab.name, c.name), s)
        .ns(o.namespace.as_deref())
        .owner(&t.owner)
        .drop(drop);
    cx.push_def(e);
}

/// The COPY column list pg_dump writes: every column that is neither dropped nor generated.
pub fn copy_column_list(q: Quoting, t: &TableDetail) -> String {
    let cols: Vec<String> = t
        .columns
        .iter()
        .filter(|c| !c.dropped && c.generated.is_none())
        .map(|c| q.ident(&c.name))
        .collect();
    if cols.is_empty() {
        String::new()
    } else {
        format!("({})", cols.join(", "))
    }
}

/// The root of a partition's tree (pg_dump's getRootTableInfo).
pub(super) fn partition_root(cat: &Catalog, mut table: DumpId) -> DumpId {
    while let Some(parent) = cat
        .table(table)
        .filter(|t| t.is_partition)
        .and_then(|t| t.parents.first().copied())
    {
        table = parent;
    }
    table
}

/// What a table data object copies: its table, the column list, the qualified name, the
/// rows' filter (an extension configuration table's), a `--table-data-where` condition that
/// allows ranged copies, and where the rows go in (`--load-via-partition-root`).
struct DataParts<'c> {
    table: DumpId,
    t: &'c TableDetail,
    cols: String,
    qn: String,
    filter: &'c str,
    row_filter: Option<String>,
    via_root: Option<String>,
}

impl<'c> DataParts<'c> {
    fn of(cat: &'c Catalog, opts: DdlOptions, o: &Obj) -> Option<DataParts<'c>> {
        let Detail::TableData { table } = &o.detail else {
            return None;
        };
        let qname = |o: &Obj| {
            opts.quoting
                .qualified(o.namespace.as_deref().unwrap_or(""), &o.name)
        };
        let t = cat.table(*table)?;
        // A foreign table cannot be COPYed itself, nor rows filtered (an extension
        // configuration table's): their rows come through a query.
        let filter = t.data_filter().map(String::as_str).unwrap_or("");
        Some(DataParts {
            table: *table,
            t,
            cols: copy_column_list(opts.quoting, t),
            qn: qname(&cat.objects[*table]),
            filter,
            // --table-data-where alone: this table's own rows (ONLY: its children are copied
            // on their own), which can be copied in ranges too.
            row_filter: t
                .extra
                .as_ref()
                .and_then(|x| x.row_filter.clone())
                .filter(|r| t.relkind == 'r' && filter == format!("WHERE {r}")),
            // With --load-via-partition-root a partition's rows go in through its root table.
            via_root: (opts.load_via_partition_root && t.is_partition)
                .then(|| qname(&cat.objects[partition_root(cat, *table)])),
        })
    }

    fn copy_into(&self) -> &str {
        self.via_root.as_deref().unwrap_or(&self.qn)
    }

    /// The column list without its parentheses.
    fn bare_cols(&self) -> &str {
        self.cols.trim_start_matches('(').trim_end_matches(')')
    }
}

/// The TABLE DATA entry: its head and the `COPY ... FROM stdin;` line its rows follow (the
/// rows come from the copy workers, scheduled from [`copy_source`]).
pub(super) fn table_data(cx: &mut Ctx, o: &Obj) {
    let Some(parts) = DataParts::of(cx.cat, cx.opts, o) else {
        return;
    };
    let mut e = TocEntry::new("TABLE DATA", o.name.clone(), "")
        .ns(o.namespace.as_deref())
        .owner(&parts.t.owner);
    let as_inserts = cx.opts.inserts.is_some();
    e.data = Some(TableCopy {
        table: parts.table,
        copy_stmt: if as_inserts {
            String::new()
        } else {
            format!("COPY {} {} FROM stdin;\n", parts.copy_into(), parts.cols)
        },
        as_inserts,
        via_root: parts.via_root,
    });
    cx.out.push(e);
}

/// What the copy workers send for a table data object that prints (pg_dump's
/// dumpTableData_copy / dumpTableData_insert queries): made once, when the copies are
/// scheduled.
pub fn copy_source(cat: &Catalog, id: DumpId, opts: DdlOptions) -> Option<CopySource> {
    let o = &cat.objects[id];
    if !o.dump || o.acl_only || o.kind() != Kind::TableData {
        return None;
    }
    let parts = DataParts::of(cat, opts, o)?;
    let (t, qn, filter) = (parts.t, &parts.qn, parts.filter);
    let copy_out_sql = if t.relkind == 'r' && filter.is_empty() {
        format!("COPY {qn} {} TO stdout;", parts.cols)
    } else if let Some(r) = &parts.row_filter {
        let list = if parts.cols.is_empty() {
            "*"
        } else {
            parts.bare_cols()
        };
        format!("COPY (SELECT {list} FROM ONLY {qn} WHERE {r}) TO stdout;")
    } else if parts.cols.is_empty() {
        format!("COPY (SELECT * FROM {qn} {filter}) TO stdout;")
    } else {
        format!(
            "COPY (SELECT {} FROM {qn} {filter}) TO stdout;",
            parts.bare_cols()
        )
    };
    let inserts = opts.inserts.map(|insert_opts| {
        let mut spec = crate::inserts::InsertSpec::new(
            qn,
            parts.copy_into(),
            t,
            insert_opts,
            cat.std_strings,
            opts.quoting,
        );
        if !filter.is_empty() {
            spec.select.push(' ');
            spec.select.push_str(filter);
        }
        std::sync::Arc::new(spec)
    });
    Some(CopySource {
        table: parts.table,
        copy_out_sql,
        relpages: t.relpages,
        // Ranged copies of an extension table would lose its filter, and only a plain table
        // has a heap to cut into ctid ranges (a foreign table may still report pages): those
        // are never split. A --table-data-where condition goes into every range.
        columns: if (filter.is_empty() || parts.row_filter.is_some()) && t.relkind == 'r' {
            parts.bare_cols().to_string()
        } else {
            String::new()
        },
        qualified_name: parts.qn.clone(),
        inserts,
        row_filter: parts.row_filter.clone(),
    })
}

pub(super) fn refresh_matview(cx: &mut Ctx, o: &Obj) {
    let Detail::TableData { table } = &o.detail else {
        return;
    };
    let tab = &cx.cat.objects[*table];
    let owner = table_owner(cx, *table);
    let mut e = TocEntry::new(
        "MATERIALIZED VIEW DATA",
        o.name.clone(),
        format!("REFRESH MATERIALIZED VIEW {};\n", cx.qname(tab)),
    )
    .ns(o.namespace.as_deref())
    .owner(&owner);
    e.pass = Pass::PostAcl;
    cx.out.push(e);
}

/// An entry owned by a table (trigger, rule, policy), tagged "table name", and its comment
/// `COMMENT ON <KIND> name ON table`.
pub(super) fn push_table_child(
    cx: &mut Ctx,
    desc: &'static str,
    o: &Obj,
    table: DumpId,
    sql: String,
    drop: String,
    comment: &Option<String>,
) {
    let tab = &cx.cat.objects[table];
    let owner = table_owner(cx, table);
    let q = cx.ident(&o.name);
    let (target, tag) = (
        format!("{desc} {q} ON {}", cx.qname(tab)),
        format!("{desc} {q} ON {}", cx.ident(&tab.name)),
    );
    cx.push_def(
        TocEntry::new(desc, format!("{} {}", tab.name, o.name), sql)
            .ns(o.namespace.as_deref())
            .owner(&owner)
            .drop(drop),
    );
    cx.comment_raw(comment, target, tag, o.namespace.as_deref(), &owner);
}
