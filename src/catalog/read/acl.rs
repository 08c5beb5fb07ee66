//! Privileges read on their own: changed system catalog ACLs, default privileges; and large objects. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`catalog_acls`].
pub(in crate::catalog) const READ_CATALOG_ACLS: Reader = Reader {
    queries: |ld| match ld.catalog_acls {
        true => vec![ahead(CATALOG_ACLS)],
        false => vec![],
    },
    read: |ld| Box::pin(catalog_acls(ld)),
};

/// System catalog relations with privileges changed since initdb (ACL-only in a whole-database dump).
pub(crate) async fn catalog_acls(ld: &mut Loader<'_>) -> Result<()> {
    // System catalog relations with privileges changed since initdb: only their ACLs are
    // dumped, and only in a whole-database dump (pg_dump's ACL-only pg_catalog).
    if ld.catalog_acls {
        ld.read_rows("system catalog privileges", CATALOG_ACLS, None, |ld, r| {
            let acls = opt_text_array(r, "colacls")?;
            let inits = opt_text_array(r, "colinit")?;
            let columns = text_array(r, "colnames")?
                .into_iter()
                .zip(acls.into_iter().zip(inits))
                .map(|(name, (acl, initprivs))| {
                    let mut c = Column {
                        name,
                        ..Default::default()
                    };
                    c.extra_mut().acl = Some(Acl {
                        acl,
                        acldefault: "{}".into(),
                        initprivs,
                    });
                    c
                })
                .collect();
            ld.cat.add(Obj {
                cat: CatalogId {
                    tableoid: PG_CLASS,
                    oid: oid(r, "oid")?,
                },
                namespace: Some(ns_name(&ld.namespaces, oid(r, "relnamespace")?)?),
                name: text(r, "relname")?.into(),
                dump: true,
                detail: Detail::Table(Box::new(TableDetail {
                    relkind: ch(r, "relkind")?,
                    owner: text(r, "owner")?,
                    columns,
                    acl: Box::new(Acl {
                        acl: opt_text(r, "relacl")?,
                        acldefault: text(r, "acldefault")?,
                        initprivs: opt_text(r, "initprivs")?,
                    }),
                    ..Default::default()
                })),
                acl_only: true,
                ..Obj::of(Kind::Table)
            });
            Ok(())
        })
        .await?;
    }

    Ok(())
}

/// The walk's step for [`default_acls_and_large_objects`].
pub(in crate::catalog) const READ_DEFAULT_ACLS_AND_LARGE_OBJECTS: Reader = Reader {
    queries: |ld| {
        let mut q = vec![ahead(DEFAULT_ACLS)];
        q.extend(ld.large_objects_query().map(ahead));
        q
    },
    read: |ld| Box::pin(default_acls_and_large_objects(ld)),
};

/// Default privileges, then large objects (pg_dump's outputBlobs).
pub(crate) async fn default_acls_and_large_objects(ld: &mut Loader<'_>) -> Result<()> {
    // Default privileges: in a dumped schema, or global ones in a whole-database dump.
    ld.read_rows("default privileges", DEFAULT_ACLS, None, |ld, r| {
        let nsp = oid(r, "defaclnamespace")?;
        let (namespace, dump) = if nsp == 0 {
            (None, ld.include_everything)
        } else {
            (
                Some(ns_name(&ld.namespaces, nsp)?),
                ns_contains(&ld.namespaces, nsp) && !ld.filters_tables,
            )
        };
        let role = text(r, "defaclrole")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace,
            name: role.clone().into(),
            dump,
            detail: Detail::DefaultAcl(Box::new(DefaultAclDetail {
                role,
                objtype: ch(r, "defaclobjtype")?,
                acl: Acl {
                    acl: opt_text(r, "defaclacl")?,
                    acldefault: text(r, "acldefault")?,
                    initprivs: None,
                },
            })),
            ..Obj::of(Kind::DefaultAcl)
        });
        Ok(())
    })
    .await?;

    if let Some(blobs_query) = ld.large_objects_query() {
        let mut blobs = Vec::new();
        ld.read_rows("large objects", blobs_query, None, |_, r| {
            blobs.push(LargeObjectRow {
                oid: oid(r, "oid")?,
                owner: text(r, "owner")?,
                acl: Acl {
                    acl: opt_text(r, "lomacl")?,
                    acldefault: text(r, "acldefault")?,
                    initprivs: None,
                },
            });
            Ok(())
        })
        .await?;
        add_large_objects(ld, blobs);
    }

    Ok(())
}

/// One row of the large objects query.
struct LargeObjectRow {
    oid: u32,
    owner: String,
    acl: Acl,
}

/// The large objects' entries and the entries of their contents: one of each per large object
/// and one for all contents (pg_dump 16 and older), or one of each per group of up to 1,000
/// with the same owner and privileges (17 and later).
fn add_large_objects(ld: &mut Loader<'_>, rows: Vec<LargeObjectRow>) {
    let grouped = ld.cat.dialect.groups_large_objects();
    let mut groups: Vec<Vec<LargeObjectRow>> = Vec::new();
    for row in rows {
        let joins = grouped
            && groups.last().is_some_and(|g| {
                g.len() < crate::dialect::LARGE_OBJECTS_PER_ENTRY
                    && g[0].owner == row.owner
                    && g[0].acl.acl == row.acl.acl
            });
        match groups.last_mut() {
            Some(g) if joins => g.push(row),
            _ => groups.push(vec![row]),
        }
    }
    let any = !groups.is_empty();
    for group in groups {
        let oids: Vec<u32> = group.iter().map(|r| r.oid).collect();
        let name = match (oids.first(), oids.last()) {
            (Some(first), Some(last)) if oids.len() > 1 => format!("{first}..{last}"),
            (Some(first), _) => first.to_string(),
            _ => continue,
        };
        let Some(first) = group.into_iter().next() else {
            continue;
        };
        let id = ld.cat.add(Obj {
            // Comments and labels name large objects by pg_largeobject, as pg_dump does.
            cat: CatalogId {
                tableoid: PG_LARGEOBJECT,
                oid: oids[0],
            },
            namespace: None,
            name: name.clone().into(),
            dump: true,
            detail: Detail::Blob(Box::new(BlobDetail {
                owner: first.owner,
                acl: first.acl,
                oids: oids.clone(),
                comments: Vec::new(),
            })),
            ..Obj::of(Kind::Blob)
        });
        // Every member's comment finds its group.
        for &member in &oids[1..] {
            ld.cat.by_catalog_id.insert(
                CatalogId {
                    tableoid: PG_LARGEOBJECT,
                    oid: member,
                },
                id,
            );
        }
        if grouped && ld.plan.data {
            let data = ld.cat.add(Obj {
                name: name.into(),
                dump: true,
                detail: Detail::LargeObjectData { metadata: id },
                ..Obj::of(Kind::BlobData)
            });
            ld.cat.objects[data].add_dep(id);
        }
    }
    if any && !grouped && ld.plan.data {
        ld.cat.add(Obj {
            name: "BLOBS".into(),
            dump: true,
            ..Obj::of(Kind::BlobData)
        });
    }
}

// The queries, as pg_dump reads the catalog of each server major.

/// pg_catalog relations whose privileges, or whose columns' privileges, differ from those
/// initdb gave them: pg_dump dumps only those ACLs of the system catalog.
pub(crate) const CATALOG_ACLS: &str = "SELECT c.oid, c.relname, c.relnamespace, c.relkind::text, pg_catalog.pg_get_userbyid(c.relowner) AS owner, \
 c.relacl::text, pg_catalog.acldefault(CASE WHEN c.relkind = 'S' THEN 's'::\"char\" ELSE 'r'::\"char\" END, c.relowner)::text AS acldefault, \
 ip.initprivs::text, cols.colnames, cols.colacls, cols.colinit \
 FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_init_privs ip \
   ON ip.objoid = c.oid AND ip.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND ip.objsubid = 0 \
 LEFT JOIN LATERAL (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) AS colnames, \
     pg_catalog.array_agg(a.attacl::text ORDER BY a.attnum) AS colacls, \
     pg_catalog.array_agg(pa.initprivs::text ORDER BY a.attnum) AS colinit \
   FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_init_privs pa \
     ON pa.objoid = a.attrelid AND pa.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND pa.objsubid = a.attnum \
   WHERE a.attrelid = c.oid AND NOT a.attisdropped AND a.attacl IS DISTINCT FROM pa.initprivs) cols ON true \
 WHERE c.relnamespace = 'pg_catalog'::pg_catalog.regnamespace AND c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p') \
 AND (c.relacl IS DISTINCT FROM ip.initprivs OR cols.colnames IS NOT NULL) \
 ORDER BY c.oid";

/// Large objects' owners and privileges (their contents are read while writing).
pub(crate) const LARGE_OBJECTS: &str =
    "SELECT l.oid, pg_catalog.pg_get_userbyid(l.lomowner) AS owner, \
 l.lomacl::text, pg_catalog.acldefault('L', l.lomowner)::text AS acldefault \
 FROM pg_catalog.pg_largeobject_metadata l ORDER BY l.oid";

/// Large objects in pg_dump 17's order, which makes its groups: by owner, then privileges.
pub(crate) const LARGE_OBJECTS_BY_OWNER: &str =
    "SELECT l.oid, pg_catalog.pg_get_userbyid(l.lomowner) AS owner, \
 l.lomacl::text, pg_catalog.acldefault('L', l.lomowner)::text AS acldefault \
 FROM pg_catalog.pg_largeobject_metadata l ORDER BY l.lomowner, l.lomacl::pg_catalog.text, l.oid";

/// Default privileges.
pub(crate) const DEFAULT_ACLS: &str = "SELECT d.tableoid, d.oid, pg_catalog.pg_get_userbyid(d.defaclrole) AS defaclrole, \
 d.defaclnamespace, d.defaclobjtype::text, d.defaclacl::text, \
 CASE WHEN d.defaclnamespace = 0 THEN pg_catalog.acldefault(CASE WHEN d.defaclobjtype = 'S' THEN 's'::\"char\" \
   ELSE d.defaclobjtype END, d.defaclrole)::text ELSE '{}' END AS acldefault \
 FROM pg_catalog.pg_default_acl d ORDER BY d.oid";
