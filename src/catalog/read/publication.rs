//! Publications and subscriptions. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`subscriptions`].
pub(in crate::catalog) const READ_SUBSCRIPTIONS: Reader = Reader {
    queries: |ld| vec![ahead(ld.subscriptions_query)],
    read: |ld| Box::pin(subscriptions(ld)),
};

/// Subscriptions (dumped with connect = false, as pg_dump does).
pub(crate) async fn subscriptions(ld: &mut Loader<'_>) -> Result<()> {
    // Subscriptions (dumped with connect = false, as pg_dump does).
    ld.read_rows("subscriptions", ld.subscriptions_query, None, |ld, r| {
        if !ld.superuser {
            if i32_(r, "n")? > 0 && !ld.plan.switches.no_subscriptions {
                eprintln!(
                    "pgsnap: warning: subscriptions not dumped because current user is not a superuser"
                );
            }
            return Ok(());
        }
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: None,
            name: text(r, "subname")?.into(),
            dump: ld.include_everything && !ld.plan.switches.no_subscriptions,
            detail: Detail::Subscription(Box::new(SubscriptionDetail {
                owner: text(r, "owner")?,
                conninfo: text(r, "subconninfo")?,
                slot: opt_text(r, "subslotname")?,
                publications: text_array(r, "subpublications")?,
                binary: boolean(r, "subbinary")?,
                streaming: ch(r, "substream")?,
                two_phase: text(r, "subtwophasestate")? != "d",
                disable_on_error: boolean(r, "subdisableonerr")?,
                password_required: boolean(r, "subpasswordrequired")?,
                run_as_owner: boolean(r, "subrunasowner")?,
                failover: boolean(r, "subfailover")?,
                origin: text(r, "suborigin")?,
                synchronous_commit: text(r, "subsynccommit")?,
                comment: None,
            })),
            ..Obj::of(Kind::Subscription)
        });
        Ok(())
    })
    .await?;

    Ok(())
}

/// The walk's step for [`publications`].
pub(in crate::catalog) const READ_PUBLICATIONS: Reader = Reader {
    queries: |ld| {
        let v = ld.cat.server_num;
        vec![
            ahead(PUBLICATIONS),
            ahead(publication_rels_sql(v)),
            ahead(publication_schemas_sql(v)),
        ]
    },
    read: |ld| Box::pin(publications(ld)),
};

/// Publications, their tables and schemas.
pub(crate) async fn publications(ld: &mut Loader<'_>) -> Result<()> {
    // Publications, their tables and schemas.
    ld.read_rows("publications", PUBLICATIONS, None, |ld, r| {
        let mut ops = Vec::new();
        for (col, word) in [
            ("pubinsert", "insert"),
            ("pubupdate", "update"),
            ("pubdelete", "delete"),
            ("pubtruncate", "truncate"),
        ] {
            if boolean(r, col)? {
                ops.push(word);
            }
        }
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: None,
            name: text(r, "pubname")?.into(),
            dump: ld.include_everything && !ld.plan.switches.no_publications,
            detail: Detail::Publication(Box::new(PublicationDetail {
                owner: text(r, "owner")?,
                all_tables: boolean(r, "puballtables")?,
                publish: ops.join(", "),
                via_root: boolean(r, "pubviaroot")?,
                comment: None,
            })),
            ..Obj::of(Kind::Publication)
        });
        Ok(())
    })
    .await?;
    ld.read_rows(
        "publication tables",
        publication_rels_sql(ld.cat.server_num),
        None,
        |ld, r| {
            let (Some(p), Some(t)) = (
                ld.cat.find(PG_PUBLICATION, oid(r, "prpubid")?),
                ld.cat.find(PG_CLASS, oid(r, "prrelid")?),
            ) else {
                return Ok(());
            };
            let table_dumped =
                ld.cat.objects[t].dump || ld.cat.dialect.publication_members_follow_publication();
            let (ns, name, dump) = (
                ld.cat.objects[t].namespace.clone(),
                ld.cat.objects[t].name.clone(),
                table_dumped && ld.cat.objects[p].dump,
            );
            let id = ld.cat.add(Obj {
                cat: catalog_id(r)?,
                namespace: ns,
                name,
                dump,
                detail: Detail::PublicationMember(Box::new(PublicationMemberDetail {
                    publication: p,
                    member: t,
                    columns: opt_text(r, "prattrs")?,
                    filter: opt_text(r, "prrelqual")?,
                })),
                ..Obj::of(Kind::PublicationRel)
            });
            ld.cat.objects[id].add_dep(p);
            ld.cat.objects[id].add_dep(t);
            Ok(())
        },
    )
    .await?;
    ld.read_rows(
        "publication schemas",
        publication_schemas_sql(ld.cat.server_num),
        None,
        |ld, r| {
            let (Some(p), Some(n)) = (
                ld.cat.find(PG_PUBLICATION, oid(r, "pnpubid")?),
                ld.cat.find(PG_NAMESPACE, oid(r, "pnnspid")?),
            ) else {
                return Ok(());
            };
            // pg_dump 18 keeps a dumped publication's schemas (and tables) even when they are left
            // out themselves; older ones only those that are dumped.
            let schema_dumped =
                ld.cat.objects[n].dump || ld.cat.dialect.publication_members_follow_publication();
            let (name, dump) = (
                ld.cat.objects[n].name.clone(),
                schema_dumped && ld.cat.objects[p].dump,
            );
            let id = ld.cat.add(Obj {
                cat: catalog_id(r)?,
                namespace: None,
                name,
                dump,
                detail: Detail::PublicationMember(Box::new(PublicationMemberDetail {
                    publication: p,
                    member: n,
                    columns: None,
                    filter: None,
                })),
                ..Obj::of(Kind::PublicationSchema)
            });
            ld.cat.objects[id].add_dep(p);
            ld.cat.objects[id].add_dep(n);
            Ok(())
        },
    )
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// Subscriptions of the current database (reading their connection strings takes a superuser,
/// as for pg_dump), with the columns the server's major has: 16 made `substream` a char and
/// added `suborigin`, `subpasswordrequired` and `subrunasowner`; 17 added `subfailover`; 15
/// added `subtwophasestate` and `subdisableonerr` (off before); 14 `subbinary` and `substream`
/// (off before). Older
/// servers' subscriptions read as pg_dump 16 reads them (they ran as their owner).
pub(crate) fn subscriptions_sql(server_num: u32) -> &'static str {
    macro_rules! subscriptions {
        ($cols:literal) => {
            concat!(
                "SELECT s.tableoid, s.oid, s.subname, pg_catalog.pg_get_userbyid(s.subowner) AS owner, \
 s.subconninfo, s.subslotname::text, s.subsynccommit, s.subpublications, ",
                $cols,
                " FROM pg_catalog.pg_subscription s \
 WHERE s.subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) \
 ORDER BY s.oid"
            )
        };
    }
    match server_num {
        ..140000 => subscriptions!(
            "false AS subbinary, 'd' AS subtwophasestate, false AS subdisableonerr, \
 'f' AS substream, 'any' AS suborigin, \
 true AS subpasswordrequired, true AS subrunasowner, false AS subfailover"
        ),
        140000..150000 => subscriptions!(
            "s.subbinary, 'd' AS subtwophasestate, false AS subdisableonerr, \
 CASE WHEN s.substream THEN 't' ELSE 'f' END AS substream, 'any' AS suborigin, \
 true AS subpasswordrequired, true AS subrunasowner, false AS subfailover"
        ),
        150000..160000 => subscriptions!(
            "s.subbinary, s.subtwophasestate::text, s.subdisableonerr, \
 CASE WHEN s.substream THEN 't' ELSE 'f' END AS substream, 'any' AS suborigin, \
 true AS subpasswordrequired, true AS subrunasowner, false AS subfailover"
        ),
        160000..170000 => subscriptions!(
            "s.subbinary, s.subtwophasestate::text, s.subdisableonerr, \
 s.substream::text, s.suborigin, s.subpasswordrequired, s.subrunasowner, false AS subfailover"
        ),
        _ => subscriptions!(
            "s.subbinary, s.subtwophasestate::text, s.subdisableonerr, \
 s.substream::text, s.suborigin, s.subpasswordrequired, s.subrunasowner, s.subfailover"
        ),
    }
}

/// How many subscriptions the current database has (for a user who may not read them).
pub(crate) const SUBSCRIPTION_COUNT: &str = "SELECT count(*)::int4 AS n FROM pg_catalog.pg_subscription \
 WHERE subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())";

/// Publications.
pub(crate) const PUBLICATIONS: &str =
    "SELECT p.tableoid, p.oid, p.pubname, pg_catalog.pg_get_userbyid(p.pubowner) AS owner, \
 p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot \
 FROM pg_catalog.pg_publication p ORDER BY p.oid";

/// Tables in publications, with column lists and row filters (15 added both).
pub(crate) fn publication_rels_sql(server_num: u32) -> &'static str {
    if server_num >= 150000 {
        "SELECT pr.tableoid, pr.oid, pr.prpubid, pr.prrelid, \
 pg_catalog.pg_get_expr(pr.prqual, pr.prrelid) AS prrelqual, \
 (CASE WHEN pr.prattrs IS NOT NULL THEN (SELECT pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(attname) \
   FROM pg_catalog.pg_attribute WHERE attrelid = pr.prrelid AND attnum = ANY(pr.prattrs) ORDER BY attnum), ', ')) END) AS prattrs \
 FROM pg_catalog.pg_publication_rel pr ORDER BY pr.oid"
    } else {
        "SELECT pr.tableoid, pr.oid, pr.prpubid, pr.prrelid, NULL::text AS prrelqual, NULL::text AS prattrs \
 FROM pg_catalog.pg_publication_rel pr ORDER BY pr.oid"
    }
}

/// Schemas in publications (15 added them: none before).
pub(crate) fn publication_schemas_sql(server_num: u32) -> &'static str {
    if server_num >= 150000 {
        "SELECT pn.tableoid, pn.oid, pn.pnpubid, pn.pnnspid FROM pg_catalog.pg_publication_namespace pn ORDER BY pn.oid"
    } else {
        "SELECT 0::pg_catalog.oid AS tableoid, 0::pg_catalog.oid AS oid, 0::pg_catalog.oid AS pnpubid, \
 0::pg_catalog.oid AS pnnspid WHERE false"
    }
}
