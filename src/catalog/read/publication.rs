//! Publications and subscriptions. Read on the leader's connection, in the order `catalog::load` walks.

use crate::catalog::loader::*;
use crate::catalog::*;

/// Subscriptions (dumped with connect = false, as pg_dump does).
pub(crate) async fn subscriptions(ld: &mut Loader<'_>) -> Result<()> {
    // Subscriptions (dumped with connect = false, as pg_dump does).
    let mut rows = ld
        .pipe
        .stream("subscriptions", ld.subscriptions_query, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "subscriptions").await? {
        if !ld.superuser {
            if i32_(&r, "n")? > 0 && !ld.plan.switches.no_subscriptions {
                eprintln!(
                    "pgsnap: warning: subscriptions not dumped because current user is not a superuser"
                );
            }
            continue;
        }
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: None,
            name: text(&r, "subname")?.into(),
            dump: ld.include_everything && !ld.plan.switches.no_subscriptions,
            detail: Detail::Subscription(Box::new(SubscriptionDetail {
                owner: text(&r, "owner")?,
                conninfo: text(&r, "subconninfo")?,
                slot: opt_text(&r, "subslotname")?,
                publications: text_array(&r, "subpublications")?,
                binary: boolean(&r, "subbinary")?,
                streaming: ch(&r, "substream")?,
                two_phase: text(&r, "subtwophasestate")? != "d",
                disable_on_error: boolean(&r, "subdisableonerr")?,
                password_required: boolean(&r, "subpasswordrequired")?,
                run_as_owner: boolean(&r, "subrunasowner")?,
                failover: boolean(&r, "subfailover")?,
                origin: text(&r, "suborigin")?,
                synchronous_commit: text(&r, "subsynccommit")?,
                comment: None,
            })),
            ..Obj::of(Kind::Subscription)
        });
    }

    Ok(())
}

/// Publications, their tables and schemas.
pub(crate) async fn publications(ld: &mut Loader<'_>) -> Result<()> {
    // Publications, their tables and schemas.
    let mut rows = ld
        .pipe
        .stream("publications", queries::PUBLICATIONS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "publications").await? {
        let mut ops = Vec::new();
        for (col, word) in [
            ("pubinsert", "insert"),
            ("pubupdate", "update"),
            ("pubdelete", "delete"),
            ("pubtruncate", "truncate"),
        ] {
            if boolean(&r, col)? {
                ops.push(word);
            }
        }
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: None,
            name: text(&r, "pubname")?.into(),
            dump: ld.include_everything && !ld.plan.switches.no_publications,
            detail: Detail::Publication(Box::new(PublicationDetail {
                owner: text(&r, "owner")?,
                all_tables: boolean(&r, "puballtables")?,
                publish: ops.join(", "),
                via_root: boolean(&r, "pubviaroot")?,
                comment: None,
            })),
            ..Obj::of(Kind::Publication)
        });
    }
    let mut rows = ld
        .pipe
        .stream(
            "publication tables",
            queries::publication_rels(ld.cat.server_num),
            None,
        )
        .await?;
    while let Some(r) = next_row(&mut rows, "publication tables").await? {
        let (Some(p), Some(t)) = (
            ld.cat.find(PG_PUBLICATION, oid(&r, "prpubid")?),
            ld.cat.find(PG_CLASS, oid(&r, "prrelid")?),
        ) else {
            continue;
        };
        let table_dumped =
            ld.cat.objects[t].dump || ld.cat.dialect.publication_members_follow_publication();
        let (ns, name, dump) = (
            ld.cat.objects[t].namespace.clone(),
            ld.cat.objects[t].name.clone(),
            table_dumped && ld.cat.objects[p].dump,
        );
        let id = ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: ns,
            name,
            dump,
            detail: Detail::PublicationMember(Box::new(PublicationMemberDetail {
                publication: p,
                member: t,
                columns: opt_text(&r, "prattrs")?,
                filter: opt_text(&r, "prrelqual")?,
            })),
            ..Obj::of(Kind::PublicationRel)
        });
        ld.cat.objects[id].add_dep(p);
        ld.cat.objects[id].add_dep(t);
    }
    let mut rows = ld
        .pipe
        .stream(
            "publication schemas",
            queries::publication_schemas(ld.cat.server_num),
            None,
        )
        .await?;
    while let Some(r) = next_row(&mut rows, "publication schemas").await? {
        let (Some(p), Some(n)) = (
            ld.cat.find(PG_PUBLICATION, oid(&r, "pnpubid")?),
            ld.cat.find(PG_NAMESPACE, oid(&r, "pnnspid")?),
        ) else {
            continue;
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
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
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
    }

    Ok(())
}
