//! Row security policies. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`policies`].
pub(in crate::catalog) const READ_POLICIES: Reader = Reader {
    queries: |_| vec![ahead(POLICIES)],
    read: |ld| Box::pin(policies(ld)),
};

/// Row security: the enabled markers, then the policies.
pub(crate) async fn policies(ld: &mut Loader<'_>) -> Result<()> {
    // Row security: a nameless policy object marks "enabled" (pg_dump's getPolicies), then
    // the policies themselves.
    for &tid in &ld.table_ids {
        let Some(t) = ld.cat.table(tid) else { continue };
        if !t.row_security {
            continue;
        }
        let o = &ld.cat.objects[tid];
        let no_policies = ld.plan.switches.no_policies;
        let (ns, name, dump, oid) = (
            o.namespace.clone(),
            o.name.clone(),
            o.dump && !no_policies,
            o.cat.oid,
        );
        let id = ld.cat.add(Obj {
            cat: CatalogId { tableoid: 0, oid },
            namespace: ns,
            name,
            dump,
            detail: Detail::Policy(Box::new(PolicyDetail {
                table: tid,
                ..Default::default()
            })),
            ..Obj::of(Kind::Policy)
        });
        ld.cat.objects[id].add_dep(tid);
    }
    ld.read_rows("policies", POLICIES, None, |ld, r| {
        let Some(tid) = ld.cat.find(PG_CLASS, oid(r, "polrelid")?) else {
            return Ok(());
        };
        let (ns, dump) = (
            ld.cat.objects[tid].namespace.clone(),
            ld.cat.objects[tid].dump && !ld.plan.switches.no_policies,
        );
        let name = text(r, "polname")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: ns,
            name: name.clone().into(),
            dump,
            detail: Detail::Policy(Box::new(PolicyDetail {
                table: tid,
                name: Some(name),
                cmd: ch(r, "polcmd")?,
                permissive: boolean(r, "polpermissive")?,
                roles: opt_text(r, "polroles")?,
                qual: opt_text(r, "polqual")?,
                with_check: opt_text(r, "polwithcheck")?,
                comment: None,
            })),
            ..Obj::of(Kind::Policy)
        });
        Ok(())
    })
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// Row-level security policies.
pub(crate) const POLICIES: &str = "SELECT pol.tableoid, pol.oid, pol.polrelid, pol.polname, pol.polcmd::text, pol.polpermissive, \
 CASE WHEN pol.polroles = '{0}' THEN NULL ELSE pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(rolname) \
   FROM pg_catalog.pg_roles WHERE oid = ANY(pol.polroles)), ', ') END AS polroles, \
 pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) AS polqual, \
 pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) AS polwithcheck \
 FROM pg_catalog.pg_policy pol ORDER BY pol.oid";
