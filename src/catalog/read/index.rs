//! Indexes, the constraints they implement, and extended statistics. Read on the leader's connection, in the order `catalog::load` walks.

use crate::catalog::loader::*;
use crate::catalog::*;

/// Indexes and the constraints they implement.
pub(crate) async fn indexes(ld: &mut Loader<'_>) -> Result<()> {
    // Indexes and the constraints they implement.
    let mut index_parent: Vec<(DumpId, u32)> = Vec::new();
    let mut rows = ld.pipe.stream("indexes", queries::INDEXES, None).await?;
    while let Some(r) = next_row(&mut rows, "indexes").await? {
        let Some(tid) = ld.cat.find(PG_CLASS, oid(&r, "indrelid")?) else {
            continue;
        };
        let (tns, tdump) = (
            ld.cat.objects[tid].namespace.clone(),
            ld.cat.objects[tid].dump,
        );
        let indreloptions = text_array(&r, "indreloptions")?;
        let statcols = i32_array(&r, "indstatcols")?;
        let statvals = i32_array(&r, "indstatvals")?;
        let detail = IndexDetail {
            table: tid,
            // Constraint indexes are written from the constraint's definition; skipping their
            // pg_get_indexdef halves this query's cost on schemas with many tables.
            def: opt_text(&r, "indexdef")?.unwrap_or_default(),
            clustered: boolean(&r, "indisclustered")?,
            replident: boolean(&r, "indisreplident")?,
            tablespace: text(&r, "tablespace")?,
            reloptions: indreloptions,
            stat_targets: statcols.into_iter().zip(statvals).collect(),
            nkeys: i32_(&r, "indnkeyatts")?,
            parent_oid: oid(&r, "parentidx")?,
            ..Default::default()
        };
        let index_id = ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: tns.clone(),
            name: text(&r, "indexname")?.into(),
            dump: tdump,
            detail: Detail::Index(Box::new(detail)),
            ..Obj::of(Kind::Index)
        });
        if let Some(contype) = opt_ch(&r, "contype")? {
            let cdetail = ConstraintDetail {
                table: Some(tid),
                contype,
                def: opt_text(&r, "condef")?.unwrap_or_default(),
                index: Some(index_id),
                deferrable: opt_boolean(&r, "condeferrable")?.unwrap_or(false),
                deferred: opt_boolean(&r, "condeferred")?.unwrap_or(false),
                is_local: true,
                validated: true,
                separate: true,
                comment: None,
                domain: None,
                confrelid: 0,
            };
            let cid = ld.cat.add(Obj {
                cat: CatalogId {
                    tableoid: opt_oid(&r, "contableoid")?.unwrap_or(PG_CONSTRAINT),
                    oid: opt_oid(&r, "conoid")?.unwrap_or(0),
                },
                namespace: tns,
                name: opt_text(&r, "conname")?.unwrap_or_default().into(),
                dump: tdump,
                detail: Detail::Constraint(Box::new(cdetail)),
                ..Obj::of(Kind::Constraint)
            });
            if let Detail::Index(ix) = &mut ld.cat.objects[index_id].detail {
                ix.constraint = Some(cid);
            }
        }
        let parent = oid(&r, "parentidx")?;
        if parent != 0 {
            index_parent.push((index_id, parent));
        }
    }
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

/// Extended statistics.
pub(crate) async fn statistics(ld: &mut Loader<'_>) -> Result<()> {
    // Extended statistics.
    let mut rows = ld
        .pipe
        .stream("extended statistics", queries::STATS_EXT, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "extended statistics").await? {
        // pg_dump 15 decides by the statistics object's schema, not by its table.
        let nsp = oid(&r, "stxnamespace")?;
        let dump = ns_contains(&ld.namespaces, nsp) && !ld.filters_tables;
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: Some(ns_name(&ld.namespaces, oid(&r, "stxnamespace")?)?),
            name: text(&r, "stxname")?.into(),
            dump,
            detail: Detail::StatsExt(Box::new(StatsExtDetail {
                owner: text(&r, "owner")?,
                def: text(&r, "def")?,
                stattarget: i32_(&r, "stxstattarget")?,
                comment: None,
            })),
            ..Obj::of(Kind::StatsExt)
        });
    }

    Ok(())
}
