//! Schemas. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`namespaces`].
pub(in crate::catalog) const READ_NAMESPACES: Reader = Reader {
    queries: |_| vec![ahead(NAMESPACES)],
    read: |ld| Box::pin(namespaces(ld)),
};

/// Schemas, and whether each is dumped and whether its contents are (pg_dump's selectDumpableNamespace).
pub(crate) async fn namespaces(ld: &mut Loader<'_>) -> Result<()> {
    // Schemas.
    ld.read_rows("schemas", NAMESPACES, None, |ld, r| {
        let o = oid(r, "oid")?;
        let name = text(r, "nspname")?;
        let system = name == "pg_catalog"
            || name == "information_schema"
            || name.starts_with("pg_toast")
            || name.starts_with("pg_temp_")
            || ld.is_extension_member(PG_NAMESPACE, o);
        let mut dump = !system;
        // -t wins over -n: with tables named, no schema is dumped (pg_dump's
        // selectDumpableNamespace).
        if ld.filters_tables {
            dump = false;
        } else if let Some(inc) = &ld.sel.include_schemas {
            dump = dump && inc.contains(&o);
        }
        if ld.sel.exclude_schemas.contains(&o) {
            dump = false;
        }
        let dump_contains = dump || (ld.filters_tables && !system);
        let owner = text(r, "owner")?;
        // public is special (created by initdb) unless the user selected schemas with -n.
        let is_public = name == "public" && ld.sel.include_schemas.is_none();
        let owner_oid = oid(r, "nspowner")?;
        let mut acl = acl_from(r, "nspacl")?;
        let acl_only = is_public && ld.cat.dialect.public_schema_acl_only();
        if is_public && !acl_only {
            // pg_dump assumes the v15 default ACL for public and ignores pg_init_privs.
            acl.initprivs = Some(format!(
                "{{{}=UC/{},=U/{}}}",
                acl_role(&owner),
                acl_role(&owner),
                acl_role(&owner)
            ));
        }
        let def_dump = dump && !(is_public && owner_oid == PG_DATABASE_OWNER) && !acl_only;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: None,
            name: name.clone().into(),
            dump,
            detail: Detail::Namespace(Box::new(NamespaceDetail {
                owner,
                acl,
                comment: None,
                create: !is_public,
                dump_definition: def_dump,
                acl_only,
            })),
            ..Obj::of(Kind::Namespace)
        });
        ld.namespaces.insert(
            o,
            Ns {
                name: name.into(),
                dump_contains: dump_contains && (dump || ld.filters_tables),
            },
        );
        Ok(())
    })
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// Schemas, with ACL inputs.
pub(crate) const NAMESPACES: &str = "SELECT n.tableoid, n.oid, n.nspname, pg_catalog.pg_get_userbyid(n.nspowner) AS owner, \
 n.nspowner, n.nspacl::text, pg_catalog.acldefault('n', n.nspowner)::text AS acldefault, ip.initprivs::text \
 FROM pg_catalog.pg_namespace n \
 LEFT JOIN pg_catalog.pg_init_privs ip ON (ip.objoid = n.oid AND ip.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND ip.objsubid = 0) \
 ORDER BY n.oid";
