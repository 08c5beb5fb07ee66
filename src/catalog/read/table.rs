//! Tables and other relations: the relations, their columns and defaults, inheritance and partitions, and the data objects. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`tables`].
pub(in crate::catalog) const READ_TABLES: Reader = Reader {
    queries: |_| vec![ahead(TABLES)],
    read: |ld| Box::pin(tables(ld)),
};

/// Relations, locked right away to keep concurrent DDL out; owned sequences follow their table.
pub(crate) async fn tables(ld: &mut Loader<'_>) -> Result<()> {
    // Relations, locked right away to keep concurrent DDL out.
    let mut owned_seq: Vec<(DumpId, u32, i16, bool)> = Vec::new();
    ld.read_rows("tables", TABLES, None, |ld, row| {
        let r = &row;
        let o = oid(r, "oid")?;
        let nsp = oid(r, "relnamespace")?;
        let relkind = ch(r, "relkind")?;
        let mut dump = ns_contains(&ld.namespaces, nsp)
            && !ld.is_extension_member(PG_CLASS, o)
            && relkind != 'c';
        if let Some(inc) = &ld.sel.include_tables {
            dump = dump && inc.contains(&o);
        }
        if ld.sel.exclude_tables.contains(&o) {
            dump = false;
        }
        let reloptions = text_array(r, "reloptions")?;
        let check_option = reloptions.iter().find_map(|o| match o.as_str() {
            "check_option=local" => Some("LOCAL".to_string()),
            "check_option=cascaded" => Some("CASCADED".to_string()),
            _ => None,
        });
        let reloptions: Vec<String> = reloptions
            .into_iter()
            .filter(|o| !o.starts_with("check_option="))
            .collect();
        let toast = text_array(r, "toast_reloptions")?;
        let extra = TableExtra {
            reloptions,
            toast_reloptions: toast,
            check_option,
            partbound: opt_text(r, "partbound")?,
            partkeydef: opt_text(r, "partkeydef")?,
            viewdef: opt_text(r, "viewdef")?,
            of_type: opt_text(r, "oftype")?,
            foreign: match opt_text(r, "ftserver")? {
                Some(server) => Some((server, opt_text(r, "ftoptions")?.unwrap_or_default())),
                None => None,
            },
            data_filter: None,
            row_filter: None,
        };
        let detail = TableDetail {
            relkind,
            persistence: ch(r, "relpersistence")?,
            owner: text(r, "owner")?,
            extra: (!extra.is_empty()).then(|| Box::new(extra)),
            am: opt_text(r, "amname")?,
            tablespace: text(r, "tablespace")?,
            is_partition: boolean(r, "relispartition")?,
            replident: ch(r, "relreplident")?,
            row_security: boolean(r, "relrowsecurity")?,
            force_row_security: boolean(r, "relforcerowsecurity")?,
            relpages: i64_(r, "relpages")?,
            populated: boolean(r, "relispopulated")?,
            acl: Box::new(acl_from(r, "relacl")?),
            ext_member: ld.is_extension_member(PG_CLASS, o),
            ..Default::default()
        };
        let id = ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(r, "relname")?.into(),
            dump,
            detail: Detail::Table(Box::new(detail)),
            ..Obj::of(Kind::Table)
        });
        ld.table_ids.push(id);
        if let Some(owner) = opt_oid(r, "owning_tab")? {
            let col = i16::try_from(i32_(r, "owning_col")?)
                .map_err(|_| Error::catalog("column number out of range"))?;
            owned_seq.push((
                id,
                owner,
                col,
                opt_boolean(r, "is_identity")?.unwrap_or(false),
            ));
        }
        Ok(())
    })
    .await?;
    // Sequences follow their owning table's dump decision (getOwnedSeqs).
    for (seq, owner_oid, col, identity) in owned_seq {
        if let Some(owner) = ld.cat.find(PG_CLASS, owner_oid) {
            let owner_dump = ld.cat.objects[owner].dump;
            if let Detail::Table(t) = &mut ld.cat.objects[seq].detail {
                t.owning_table = Some((owner, col));
                t.is_identity_sequence = identity;
            }
            if identity {
                // Identity sequences go exactly with their table.
                ld.cat.objects[seq].dump = owner_dump;
            } else if owner_dump {
                ld.cat.objects[seq].dump = true;
            }
        }
    }
    ld.pipe.idle("locking tables")?;
    if let Some(t) = &ld.plan.switches.lock_wait_timeout {
        // pg_dump's --lock-wait-timeout: give up instead of queueing behind a long lock.
        let sql = format!(
            "SET lock_timeout = {}",
            crate::ddl::quote::quote_literal(t, true)
        );
        ld.client.batch_execute(&sql).await.map_err(|e| {
            Error::from_pg(e, ErrorKind::Server).context("setting lock wait timeout")
        })?;
    }
    let helper = match ld.helper.take() {
        Some(setup) if ld.table_ids.len() >= HELPER_MIN_RELATIONS => Some(Helper::connect(setup)),
        _ => None,
    };
    lock_tables(ld.client, &ld.cat, &ld.table_ids).await?;
    // The true size (a file stat per table) only matters for splitting table data into chunks;
    // a schema-only dump makes do with relpages.
    if ld.plan.data {
        measure_tables(ld.client, &mut ld.cat, &ld.table_ids).await?;
    }
    if let Some(h) = helper {
        let sent = h
            .send(
                super::index::INDEXES,
                super::index::INDEXES_PRECOMPUTED,
                &mut ld.pipe,
            )
            .await;
        if ld.plan.verbose {
            match sent {
                Ok(()) => eprintln!("pgsnap: reading index definitions on a second connection"),
                Err(e) => eprintln!(
                    "pgsnap: no second connection for the catalog ({e}): reading it on one"
                ),
            }
        }
    }
    if ld.plan.switches.lock_wait_timeout.is_some() {
        ld.client
            .batch_execute("SET lock_timeout = 0")
            .await
            .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("resetting lock timeout"))?;
    }

    Ok(())
}

/// The walk's step for [`columns`].
pub(in crate::catalog) const READ_COLUMNS: Reader = Reader {
    // Given the relations read.
    queries: |ld| {
        vec![
            when_read(columns_sql(ld.cat.server_num)),
            ahead_with_same_oids(ATTRDEFS),
        ]
    },
    read: |ld| Box::pin(columns(ld)),
};

/// Columns of every user relation and their defaults.
pub(crate) async fn columns(ld: &mut Loader<'_>) -> Result<()> {
    // Columns of every user relation (needed for COPY lists and ordering decisions).
    // Not of sequences: their columns are fixed and never dumped (as pg_dump's getTableAttrs).
    let rel_oids: Vec<u32> = ld
        .table_ids
        .iter()
        .filter(|id| ld.cat.table(**id).map(|t| t.relkind) != Some('S'))
        .map(|id| ld.cat.objects[*id].cat.oid)
        .collect();
    ld.read_rows(
        "columns",
        columns_sql(ld.cat.server_num),
        Some(&rel_oids),
        |ld, r| {
            let Some(id) = ld.cat.find(PG_CLASS, oid(r, "attrelid")?) else {
                return Ok(());
            };
            let initprivs = opt_text(r, "initprivs")?;
            let attacl = opt_text(r, "attacl")?;
            let attname = text(r, "attname")?;
            // Only a name other than the one the server would choose is kept (pg_dump 18's
            // determineNotNullFlags).
            let not_null_name = opt_text(r, "notnull_name")?
                .filter(|n| *n != format!("{}_{attname}_not_null", ld.cat.objects[id].name));
            let extra = ColumnExtra {
                not_null_name,
                collation: coll_name(&ld.collation_names, oid(r, "attcollation")?),
                options: opt_text(r, "attoptions")?.filter(|s| !s.is_empty()),
                fdw_options: opt_text(r, "attfdwoptions")?.filter(|s| !s.is_empty()),
                comment: None,
                acl: (attacl.is_some() || initprivs.is_some()).then(|| Acl {
                    acl: attacl,
                    acldefault: "{}".into(),
                    initprivs,
                }),
            };
            let rare = extra.collation.is_some()
                || extra.options.is_some()
                || extra.fdw_options.is_some()
                || extra.acl.is_some()
                || extra.not_null_name.is_some();
            let col = Column {
                num: i16_(r, "attnum")?,
                name: attname,
                type_name: opt_text(r, "atttypname")?.unwrap_or_default(),
                not_null: boolean(r, "attnotnull")?,
                not_null_local: boolean(r, "notnull_islocal")?,
                not_null_no_inherit: boolean(r, "notnull_noinherit")?,
                dropped: boolean(r, "attisdropped")?,
                is_local: boolean(r, "attislocal")?,
                stat_target: i32_(r, "attstattarget")?,
                storage: ch(r, "attstorage")?,
                type_storage: opt_ch(r, "typstorage")?.unwrap_or(' '),
                identity: opt_ch(r, "attidentity")?,
                generated: opt_ch(r, "attgenerated")?,
                compression: opt_ch(r, "attcompression")?,
                default: None,
                extra: rare.then(|| Box::new(extra)),
            };
            if let Detail::Table(t) = &mut ld.cat.objects[id].detail {
                t.columns.push(col);
            }
            Ok(())
        },
    )
    .await?;
    for id in &ld.table_ids {
        if let Detail::Table(t) = &mut ld.cat.objects[*id].detail {
            t.columns.shrink_to_fit();
        }
    }

    // Column defaults: non-separate ones must come before their table (pg_dump's trick, undone
    // by the loop repair when a default refers to something created after the table).
    ld.read_rows("column defaults", ATTRDEFS, Some(&rel_oids), |ld, r| {
        let Some(tid) = ld.cat.find(PG_CLASS, oid(r, "adrelid")?) else {
            return Ok(());
        };
        let adnum = i16_(r, "adnum")?;
        let (relkind, print_col, tdump, tns, tname) = {
            let o = &ld.cat.objects[tid];
            let t = ld
                .cat
                .table(tid)
                .ok_or_else(|| Error::catalog("default on a non-table"))?;
            let col = t.columns.iter().find(|c| c.num == adnum);
            let printed = col
                .map(|c| (c.is_local || t.is_partition) && !c.dropped)
                .unwrap_or(false);
            (
                t.relkind,
                printed,
                o.dump,
                o.namespace.clone(),
                o.name.clone(),
            )
        };
        let separate = relkind == 'v' || !print_col;
        let id = ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: tns,
            name: tname,
            dump: tdump,
            detail: Detail::AttrDef {
                table: tid,
                adnum,
                expr: text(r, "adsrc")?.into(),
                separate,
            },
            ..Obj::of(Kind::AttrDef)
        });
        if !separate {
            ld.cat.objects[tid].add_dep(id);
        }
        if let Detail::Table(t) = &mut ld.cat.objects[tid].detail {
            if let Some(c) = t.columns.iter_mut().find(|c| c.num == adnum) {
                c.default = Some(id);
            }
        }
        Ok(())
    })
    .await?;

    Ok(())
}

/// The walk's step for [`inheritance`].
pub(in crate::catalog) const READ_INHERITANCE: Reader = Reader {
    queries: |_| vec![ahead(INHERITS)],
    read: |ld| Box::pin(inheritance(ld)),
};

/// Inheritance, generated columns inherited as such, and partition attachments.
pub(crate) async fn inheritance(ld: &mut Loader<'_>) -> Result<()> {
    // Inheritance.
    ld.read_rows("inheritance", INHERITS, None, |ld, r| {
        let (Some(child), Some(parent)) = (
            ld.cat.find(PG_CLASS, oid(r, "inhrelid")?),
            ld.cat.find(PG_CLASS, oid(r, "inhparent")?),
        ) else {
            return Ok(());
        };
        if let Detail::Table(t) = &mut ld.cat.objects[child].detail {
            t.parents.push(parent);
        }
        Ok(())
    })
    .await?;
    // A child's generated column with its parent's expression inherits it: no default of its
    // own is printed (pg_dump's flagInhAttrs, foundSameGenerated).
    let mut same_generated = Vec::new();
    for &tid in &ld.table_ids {
        let Some(t) = ld.cat.table(tid) else { continue };
        for c in &t.columns {
            let (Some('s'), Some(d)) = (c.generated, c.default) else {
                continue;
            };
            let Detail::AttrDef { expr, .. } = &ld.cat.objects[d].detail else {
                continue;
            };
            let parent_same = |p: &DumpId| {
                ld.cat.table(*p)
                    .and_then(|pt| pt.columns.iter().find(|pc| pc.name == c.name && !pc.dropped))
                    .is_some_and(|pc| {
                        pc.generated == Some('s')
                            && pc.default.is_some_and(|pd| {
                                matches!(&ld.cat.objects[pd].detail, Detail::AttrDef { expr: pe, .. } if pe == expr)
                            })
                    })
            };
            if t.parents.iter().any(parent_same) {
                same_generated.push(d);
            }
        }
    }
    for d in same_generated {
        ld.cat.objects[d].dump = false;
    }
    // Partitions are attached by a separate TABLE ATTACH entry.
    for &tid in &ld.table_ids {
        let Some(t) = ld.cat.table(tid) else { continue };
        if !t.is_partition {
            continue;
        }
        let Some(&parent) = t.parents.first() else {
            continue;
        };
        let (ns, name, dump) = {
            let o = &ld.cat.objects[tid];
            (o.namespace.clone(), o.name.clone(), o.dump)
        };
        let id = ld.cat.add(Obj {
            namespace: ns,
            name,
            dump,
            detail: Detail::TableAttach {
                partition: tid,
                parent,
            },
            ..Obj::of(Kind::TableAttach)
        });
        ld.cat.objects[id].add_dep(tid);
        ld.cat.objects[id].add_dep(parent);
    }

    Ok(())
}

/// The walk's step for [`data_objects`].
pub(in crate::catalog) const READ_DATA_OBJECTS: Reader = Reader {
    // Its statements depend on what was read (extensions' configuration tables, row
    // filters): none is planned.
    queries: |_| vec![],
    read: |ld| Box::pin(data_objects(ld)),
};

/// Data objects: table data, sequence values, matview refreshes, extension configuration tables.
pub(crate) async fn data_objects(ld: &mut Loader<'_>) -> Result<()> {
    // Data objects (with only --sequence-data, sequence values alone).
    if ld.plan.data || ld.plan.switches.sequence_data {
        let config_tables = config_tables(&ld.cat, &ld.ext_configs, ld.sel);
        for (&tid, filter) in &config_tables {
            if let (Some(filter), Detail::Table(t)) = (filter, &mut ld.cat.objects[tid].detail) {
                t.extra.get_or_insert_with(Box::default).data_filter = Some(filter.clone());
            }
        }
        ld.pipe.idle("checking row filters")?;
        row_filters(ld).await?;
        for &tid in &ld.table_ids {
            let o = &ld.cat.objects[tid];
            if !o.dump && !config_tables.contains_key(&tid) {
                continue;
            }
            let Some(t) = ld.cat.table(tid) else { continue };
            let kind = match t.relkind {
                'r' => Kind::TableData,
                // A foreign table's rows only when its server was named (--include-foreign-data).
                'f' if t
                    .foreign()
                    .is_some_and(|(server, _)| ld.sel.foreign_data_servers.contains(server)) =>
                {
                    Kind::TableData
                }
                'S' => Kind::SequenceSet,
                'm' => Kind::RefreshMatview,
                _ => continue,
            };
            if !ld.plan.data && kind != Kind::SequenceSet {
                continue;
            }
            // --exclude-table-data applies to every relation with data, sequences included.
            if ld.sel.exclude_data.contains(&o.cat.oid) {
                continue;
            }
            if ld.plan.switches.no_unlogged_table_data && t.persistence == 'u' {
                continue;
            }
            if kind == Kind::RefreshMatview && !t.populated {
                continue;
            }
            let (ns, name) = (o.namespace.clone(), o.name.clone());
            let id = ld.cat.add(Obj {
                namespace: ns,
                name,
                dump: true,
                detail: Detail::TableData { table: tid },
                ..Obj::of(kind)
            });
            ld.cat.objects[id].add_dep(tid);
            if let Detail::Table(t) = &mut ld.cat.objects[tid].detail {
                t.data = Some(id);
            }
        }
        add_matview_refresh_deps(&mut ld.cat);
        if !ld.plan.schema {
            add_table_data_fk_deps(&mut ld.cat);
        }
        // Configuration tables' data is loaded in foreign-key order: their constraints exist
        // already when it is (CREATE EXTENSION made them).
        if !config_tables.is_empty() {
            ld.pipe.idle("reading extension table keys")?;
            let mut rows =
                query_stream(ld.client, "extension table keys", EXTENSION_TABLE_FKS, &[]).await?;
            while let Some(r) = next_row(&mut rows, "extension table keys").await? {
                let data_of = |rel: u32| {
                    ld.cat
                        .find(PG_CLASS, rel)
                        .and_then(|t| ld.cat.table(t))
                        .and_then(|t| t.data)
                };
                if let (Some(from), Some(to)) = (
                    data_of(oid(&r, "conrelid")?),
                    data_of(oid(&r, "confrelid")?),
                ) {
                    ld.cat.objects[from].add_dep(to);
                }
            }
        }
    }

    Ok(())
}

/// `--table-data-where`: each filtered table's rows are those its conditions select. A
/// condition is tried on its table first, in the dump's snapshot, so a bad one fails naming
/// the table; a table other tables' foreign keys reference is refused without `--force` (the
/// rows that point into it could not be restored).
async fn row_filters(ld: &mut Loader<'_>) -> Result<()> {
    let filters: Vec<(u32, Vec<String>)> = ld
        .sel
        .row_filters
        .iter()
        .map(|(t, c)| (*t, c.clone()))
        .collect();
    for (table_oid, conditions) in filters {
        let Some(tid) = ld.cat.find(PG_CLASS, table_oid) else {
            continue;
        };
        let qn = ld.quoting.qualified(
            ld.cat.objects[tid].namespace.as_deref().unwrap_or(""),
            &ld.cat.objects[tid].name,
        );
        if !ld.plan.switches.force_row_filters {
            if let Some(referencing) = referencing_table(&ld.cat, table_oid) {
                return Err(Error::usage(format!(
                    "--table-data-where: table {qn} is referenced by a foreign key of {referencing}; \
                     its filtered rows would not restore (use --force to filter it anyway)"
                )));
            }
        }
        let condition = conditions
            .iter()
            .map(|c| format!("({c})"))
            .collect::<Vec<_>>()
            .join(" AND ");
        ld.client
            .batch_execute(&format!(
                "SELECT 1 FROM ONLY {qn} WHERE {condition} LIMIT 0"
            ))
            .await
            .map_err(|e| {
                Error::from_pg(e, ErrorKind::Usage)
                    .context(format!("--table-data-where for table {qn}"))
            })?;
        if let Detail::Table(t) = &mut ld.cat.objects[tid].detail {
            let extra = t.extra.get_or_insert_with(Box::default);
            extra.data_filter = Some(match extra.data_filter.take() {
                Some(config) => format!("{config} AND {condition}"),
                None => format!("WHERE {condition}"),
            });
            extra.row_filter = Some(condition);
        }
    }
    Ok(())
}

/// A table (qualified) whose foreign key references the table `oid`, if any.
fn referencing_table(cat: &Catalog, oid: u32) -> Option<String> {
    cat.objects.iter().find_map(|o| match &o.detail {
        Detail::Constraint(c) if c.contype == 'f' && c.confrelid == oid && o.dump => {
            let t = &cat.objects[c.table?];
            Some(format!(
                "{}.{}",
                t.namespace.as_deref().unwrap_or(""),
                t.name
            ))
        }
        _ => None,
    })
}

// The queries, as pg_dump reads the catalog of each server major.

/// Foreign keys from tables to extension member tables (config tables' data is ordered by
/// them, as pg_dump's processExtensionTables).
pub(crate) const EXTENSION_TABLE_FKS: &str =
    "SELECT c.conrelid, c.confrelid FROM pg_catalog.pg_constraint c \
 JOIN pg_catalog.pg_depend d ON (d.objid = c.confrelid) \
 WHERE c.contype = 'f' AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass \
 AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass ORDER BY 1, 2";

/// The true heap size of tables in pages, for splitting their data into ranges (`relpages` is
/// only as fresh as the last VACUUM or ANALYZE). `pg_relation_size` locks the table: run it only
/// once the leader holds the locks. $1: the tables' oids.
pub(crate) const TABLE_SIZES: &str = "SELECT c.oid, \
 pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::int8 AS pages \
 FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::pg_catalog.oid[]) AND c.relkind = 'r'";

/// Relations: tables, views, matviews, sequences, composite-type relations, partitioned tables.
/// No function here may lock a table: the locks are taken after this query, under
/// `--lock-wait-timeout` (see `TABLE_SIZES`).
pub(crate) const TABLES: &str = "SELECT c.tableoid, c.oid, c.relname, c.relnamespace, c.relkind::text, c.relpersistence::text, \
 pg_catalog.pg_get_userbyid(c.relowner) AS owner, c.relacl::text, \
 pg_catalog.acldefault(CASE WHEN c.relkind = 'S' THEN 's'::\"char\" ELSE 'r'::\"char\" END, c.relowner)::text AS acldefault, \
 ip.initprivs::text, \
 c.relpages::int8 AS relpages, c.relispartition, \
 CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partbound, \
 CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partkeydef, \
 c.reloptions, tc.reloptions AS toast_reloptions, \
 am.amname, COALESCE(ts.spcname, '') AS tablespace, c.relreplident::text, c.relrowsecurity, c.relforcerowsecurity, \
 c.relispopulated, CASE WHEN c.reloftype <> 0 THEN c.reloftype::pg_catalog.regtype::text END AS oftype, \
 d.refobjid AS owning_tab, d.refobjsubid AS owning_col, (d.deptype = 'i') AS is_identity, \
 CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END AS viewdef, \
 fs.srvname AS ftserver, \
 CASE WHEN c.relkind = 'f' THEN pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(option_name) || ' ' || \
   pg_catalog.quote_literal(option_value) FROM pg_catalog.pg_options_to_table(ft.ftoptions) ORDER BY option_name), E',\n    ') \
 END AS ftoptions \
 FROM pg_catalog.pg_class c \
 LEFT JOIN pg_catalog.pg_foreign_table ft ON (c.relkind = 'f' AND ft.ftrelid = c.oid) \
 LEFT JOIN pg_catalog.pg_foreign_server fs ON (fs.oid = ft.ftserver) \
 LEFT JOIN pg_catalog.pg_depend d ON (c.relkind = 'S' AND d.classid = c.tableoid AND d.objid = c.oid AND d.objsubid = 0 \
   AND d.refclassid = c.tableoid AND d.deptype IN ('a', 'i')) \
 LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid AND c.relkind <> 'p') \
 LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid) \
 LEFT JOIN pg_catalog.pg_tablespace ts ON (ts.oid = c.reltablespace) \
 LEFT JOIN pg_catalog.pg_init_privs ip ON (c.oid = ip.objoid AND ip.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND ip.objsubid = 0) \
 WHERE c.relkind IN ('r', 'S', 'v', 'c', 'm', 'f', 'p') \
 AND c.relnamespace <> 'pg_catalog'::pg_catalog.regnamespace \
 AND c.relnamespace <> 'information_schema'::pg_catalog.regnamespace \
 AND c.relnamespace <> 'pg_toast'::pg_catalog.regnamespace \
 ORDER BY c.oid";

macro_rules! columns_select {
    () => {
        columns_select!("a.attcompression::text,")
    };
    ($compression:literal) => {
        concat!(
        "SELECT a.attrelid, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS atttypname, \
 a.attnotnull, a.attisdropped, a.attislocal, COALESCE(a.attstattarget::int4, -1) AS attstattarget, a.attstorage::text, t.typstorage::text, \
 a.attidentity::text, a.attgenerated::text, \
 CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation ELSE 0 END AS attcollation, ",
 $compression,
 " pg_catalog.array_to_string(a.attoptions, ', ') AS attoptions, \
 a.attacl::text, ip.initprivs::text, \
 CASE WHEN a.attfdwoptions IS NOT NULL THEN \
   pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(option_name) || ' ' || pg_catalog.quote_literal(option_value) \
   FROM pg_catalog.pg_options_to_table(a.attfdwoptions) ORDER BY option_name), E',\n    ') END AS attfdwoptions")
    };
}

macro_rules! columns_from {
    () => {
        " FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS src(tbloid) \
 JOIN pg_catalog.pg_attribute a ON src.tbloid = a.attrelid \
 LEFT JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid) \
 LEFT JOIN pg_catalog.pg_init_privs ip ON (ip.objoid = a.attrelid AND ip.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND ip.objsubid = a.attnum)"
    };
}

/// Columns of the given tables, with their NOT NULL constraints as 18 stores them (a name,
/// NO INHERIT, local or inherited, validated); older servers give the column's own flags.
pub(crate) fn columns_sql(server_num: u32) -> &'static str {
    if server_num >= 180000 {
        concat!(
            columns_select!(),
            ", co.conname::text AS notnull_name, COALESCE(co.connoinherit, false) AS notnull_noinherit, \
 COALESCE(co.conislocal, a.attislocal) AS notnull_islocal",
            columns_from!(),
            " LEFT JOIN pg_catalog.pg_constraint co ON (a.attrelid = co.conrelid \
 AND co.contype = 'n' AND co.conkey = ARRAY[a.attnum])",
            " WHERE a.attnum > 0::pg_catalog.int2 ORDER BY a.attrelid, a.attnum"
        )
    } else if server_num >= 140000 {
        concat!(
            columns_select!(),
            ", NULL::text AS notnull_name, false AS notnull_noinherit, a.attislocal AS notnull_islocal",
            columns_from!(),
            " WHERE a.attnum > 0::pg_catalog.int2 ORDER BY a.attrelid, a.attnum"
        )
    } else {
        // 14 added column compression.
        concat!(
            columns_select!("''::text AS attcompression,"),
            ", NULL::text AS notnull_name, false AS notnull_noinherit, a.attislocal AS notnull_islocal",
            columns_from!(),
            " WHERE a.attnum > 0::pg_catalog.int2 ORDER BY a.attrelid, a.attnum"
        )
    }
}

/// Column defaults.
///
/// A default never refers to a column (the server refuses it), so its text needs no relation
/// to name columns by: given one, pg_get_expr opens the relation (a relation cache entry built
/// per table on a fresh backend), a large part of this query's time with many tables. Only
/// a generated column's expression names columns and is read with its relation.
pub(crate) const ATTRDEFS: &str = "SELECT a.tableoid, a.oid, a.adrelid, a.adnum, \
 pg_catalog.pg_get_expr(a.adbin, CASE WHEN at.attgenerated = '' THEN 0 ELSE a.adrelid END) AS adsrc \
 FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS src(tbloid) \
 JOIN pg_catalog.pg_attrdef a ON (src.tbloid = a.adrelid) \
 JOIN pg_catalog.pg_attribute at ON (at.attrelid = a.adrelid AND at.attnum = a.adnum) \
 ORDER BY a.adrelid, a.adnum";

/// Table inheritance.
pub(crate) const INHERITS: &str =
    "SELECT inhrelid, inhparent FROM pg_catalog.pg_inherits ORDER BY inhrelid, inhseqno";
