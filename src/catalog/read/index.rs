//! Indexes, the constraints they implement, and extended statistics. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`indexes`].
pub(in crate::catalog) const READ_INDEXES: Reader = Reader {
    queries: |_| vec![ahead(INDEXES)],
    read: |ld| Box::pin(indexes(ld)),
};

/// Indexes and the constraints they implement.
pub(crate) async fn indexes(ld: &mut Loader<'_>) -> Result<()> {
    // Indexes and the constraints they implement.
    let mut index_parent: Vec<(DumpId, u32)> = Vec::new();
    ld.read_rows("indexes", INDEXES, None, |ld, r| {
        let Some(tid) = ld.cat.find(PG_CLASS, oid(r, "indrelid")?) else {
            return Ok(());
        };
        let (tns, tdump) = (
            ld.cat.objects[tid].namespace.clone(),
            ld.cat.objects[tid].dump,
        );
        let indreloptions = text_array(r, "indreloptions")?;
        let statcols = i32_array(r, "indstatcols")?;
        let statvals = i32_array(r, "indstatvals")?;
        let detail = IndexDetail {
            table: tid,
            // Constraint indexes are written from the constraint's definition; skipping their
            // pg_get_indexdef halves this query's cost on schemas with many tables.
            def: opt_text(r, "indexdef")?.unwrap_or_default(),
            clustered: boolean(r, "indisclustered")?,
            replident: boolean(r, "indisreplident")?,
            tablespace: text(r, "tablespace")?,
            reloptions: indreloptions,
            stat_targets: statcols.into_iter().zip(statvals).collect(),
            nkeys: i32_(r, "indnkeyatts")?,
            parent_oid: oid(r, "parentidx")?,
            ..Default::default()
        };
        let index_id = ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: tns.clone(),
            name: text(r, "indexname")?.into(),
            dump: tdump,
            detail: Detail::Index(Box::new(detail)),
            ..Obj::of(Kind::Index)
        });
        if let Some(contype) = opt_ch(r, "contype")? {
            let cdetail = ConstraintDetail {
                table: Some(tid),
                contype,
                def: opt_text(r, "condef")?.unwrap_or_default(),
                index: Some(index_id),
                deferrable: opt_boolean(r, "condeferrable")?.unwrap_or(false),
                deferred: opt_boolean(r, "condeferred")?.unwrap_or(false),
                is_local: true,
                validated: true,
                separate: true,
                comment: None,
                domain: None,
                confrelid: 0,
            };
            let cid = ld.cat.add(Obj {
                cat: CatalogId {
                    tableoid: opt_oid(r, "contableoid")?.unwrap_or(PG_CONSTRAINT),
                    oid: opt_oid(r, "conoid")?.unwrap_or(0),
                },
                namespace: tns,
                name: opt_text(r, "conname")?.unwrap_or_default().into(),
                dump: tdump,
                detail: Detail::Constraint(Box::new(cdetail)),
                ..Obj::of(Kind::Constraint)
            });
            if let Detail::Index(ix) = &mut ld.cat.objects[index_id].detail {
                ix.constraint = Some(cid);
            }
        }
        let parent = oid(r, "parentidx")?;
        if parent != 0 {
            index_parent.push((index_id, parent));
        }
        Ok(())
    })
    .await?;
    for (child, parent_oid) in index_parent {
        let Some(parent) = ld.cat.find(PG_CLASS, parent_oid) else {
            continue;
        };
        let (ns, name, dump) = {
            let o = &ld.cat.objects[child];
            (o.namespace.clone(), o.name.clone(), o.dump)
        };
        let child_table = match &ld.cat.objects[child].detail {
            Detail::Index(ix) => ix.table,
            _ => continue,
        };
        let parent_table = match &ld.cat.objects[parent].detail {
            Detail::Index(ix) => ix.table,
            _ => continue,
        };
        let id = ld.cat.add(Obj {
            namespace: ns,
            name,
            dump: dump && ld.cat.objects[parent].dump,
            detail: Detail::IndexAttach {
                index: child,
                parent_index: parent,
            },
            ..Obj::of(Kind::IndexAttach)
        });
        for d in [parent, child, child_table, parent_table] {
            ld.cat.objects[id].add_dep(d);
        }
    }

    Ok(())
}

/// The walk's step for [`statistics`].
pub(in crate::catalog) const READ_STATISTICS: Reader = Reader {
    queries: |_| vec![ahead(STATS_EXT)],
    read: |ld| Box::pin(statistics(ld)),
};

/// Extended statistics.
pub(crate) async fn statistics(ld: &mut Loader<'_>) -> Result<()> {
    // Extended statistics.
    ld.read_rows("extended statistics", STATS_EXT, None, |ld, r| {
        // pg_dump 15 decides by the statistics object's schema, not by its table.
        let nsp = oid(r, "stxnamespace")?;
        let dump = ns_contains(&ld.namespaces, nsp) && !ld.filters_tables;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: Some(ns_name(&ld.namespaces, oid(r, "stxnamespace")?)?),
            name: text(r, "stxname")?.into(),
            dump,
            detail: Detail::StatsExt(Box::new(StatsExtDetail {
                owner: text(r, "owner")?,
                def: text(r, "def")?,
                stattarget: i32_(r, "stxstattarget")?,
                comment: None,
            })),
            ..Obj::of(Kind::StatsExt)
        });
        Ok(())
    })
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

// The index query's SELECT, shared by both orderings below.
macro_rules! indexes_select {
    () => {
        "SELECT t.tableoid, t.oid, i.indrelid, t.relname AS indexname, \
 CASE WHEN c.oid IS NULL THEN pg_catalog.pg_get_indexdef(i.indexrelid) END AS indexdef, i.indnkeyatts::int4, i.indnatts::int4, \
 i.indisclustered, i.indisreplident, c.contype::text, c.conname, c.condeferrable, c.condeferred, \
 c.tableoid AS contableoid, c.oid AS conoid, \
 CASE WHEN c.oid IS NOT NULL THEN pg_catalog.pg_get_constraintdef(c.oid, false) END AS condef, \
 COALESCE(ts.spcname, '') AS tablespace, t.reloptions AS indreloptions, \
 st.cols AS indstatcols, st.vals AS indstatvals, \
 COALESCE(inh.inhparent, 0) AS parentidx \
 FROM pg_catalog.pg_index i \
 JOIN pg_catalog.pg_class t ON (t.oid = i.indexrelid) \
 JOIN pg_catalog.pg_class t2 ON (t2.oid = i.indrelid) \
 LEFT JOIN pg_catalog.pg_constraint c ON (i.indrelid = c.conrelid AND i.indexrelid = c.conindid AND c.contype IN ('p', 'u', 'x')) \
 LEFT JOIN pg_catalog.pg_inherits inh ON (inh.inhrelid = i.indexrelid) \
 LEFT JOIN pg_catalog.pg_tablespace ts ON (ts.oid = t.reltablespace) \
 LEFT JOIN (SELECT a.attrelid, pg_catalog.array_agg(a.attnum::int4 ORDER BY a.attnum) AS cols, \
              pg_catalog.array_agg(a.attstattarget::int4 ORDER BY a.attnum) AS vals \
            FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_index xi ON xi.indexrelid = a.attrelid AND xi.indexprs IS NOT NULL \
            WHERE a.attstattarget >= 0 GROUP BY a.attrelid) st ON st.attrelid = i.indexrelid \
 WHERE (i.indisvalid OR t2.relkind = 'p') AND i.indisready \
 AND t2.relnamespace <> 'pg_catalog'::pg_catalog.regnamespace \
 AND t2.relnamespace <> 'pg_toast'::pg_catalog.regnamespace \
 AND t2.relnamespace <> 'information_schema'::pg_catalog.regnamespace"
    };
}

/// Indexes, with the constraints they implement. Statistics targets are looked up only for
/// expression indexes: only an expression column of an index can carry one.
pub(crate) const INDEXES: &str = concat!(indexes_select!(), " ORDER BY i.indrelid, indexname");

/// [`INDEXES`] for a helper connection: every definition is computed before the first row is
/// sent (the sort above the materialized rows needs them all), so the server does that work
/// while the leader reads other queries, and the rows then wait on the server, not in memory.
pub(crate) const INDEXES_PRECOMPUTED: &str = concat!(
    "WITH r AS MATERIALIZED (",
    indexes_select!(),
    ") SELECT * FROM r ORDER BY indrelid, indexname"
);

/// Extended statistics.
pub(crate) const STATS_EXT: &str = "SELECT s.tableoid, s.oid, s.stxname, s.stxnamespace, pg_catalog.pg_get_userbyid(s.stxowner) AS owner, \
 s.stxrelid, COALESCE(s.stxstattarget::int4, -1) AS stxstattarget, pg_catalog.pg_get_statisticsobjdef(s.oid) AS def \
 FROM pg_catalog.pg_statistic_ext s ORDER BY s.oid";
