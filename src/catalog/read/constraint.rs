//! Check constraints and foreign keys (index-backed constraints come with their indexes). Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`checks`].
pub(in crate::catalog) const READ_CHECKS: Reader = Reader {
    queries: |_| vec![ahead(CHECKS)],
    read: |ld| Box::pin(checks(ld)),
};

/// Check constraints of tables and domains.
pub(crate) async fn checks(ld: &mut Loader<'_>) -> Result<()> {
    // Check constraints of tables and domains.
    ld.read_rows("check constraints", CHECKS, None, |ld, r| {
        let conrelid = oid(r, "conrelid")?;
        let contypid = oid(r, "contypid")?;
        let validated = boolean(r, "convalidated")?;
        let is_local = boolean(r, "conislocal")?;
        let (owner_id, is_domain) = if conrelid != 0 {
            match ld.cat.find(PG_CLASS, conrelid) {
                Some(t) => (t, false),
                None => return Ok(()),
            }
        } else {
            match ld.cat.find(PG_TYPE, contypid) {
                Some(t) => (t, true),
                None => return Ok(()),
            }
        };
        let owner = &ld.cat.objects[owner_id];
        let separate = !validated;
        let detail = ConstraintDetail {
            table: (!is_domain).then_some(owner_id),
            domain: is_domain.then_some(owner_id),
            contype: 'c',
            def: text(r, "consrc")?,
            is_local,
            validated,
            separate,
            ..Default::default()
        };
        let id = ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: owner.namespace.clone(),
            name: text(r, "conname")?.into(),
            dump: owner.dump && (is_domain || is_local),
            detail: Detail::Constraint(Box::new(detail)),
            ..Obj::of(Kind::Constraint)
        });
        if !separate {
            ld.cat.objects[owner_id].add_dep(id);
        }
        match &mut ld.cat.objects[owner_id].detail {
            Detail::Table(t) => t.checks.push(id),
            Detail::Type(t) => t.domain_constraints.push(id),
            _ => {}
        }
        Ok(())
    })
    .await?;

    Ok(())
}

/// The walk's step for [`foreign_keys`].
pub(in crate::catalog) const READ_FOREIGN_KEYS: Reader = Reader {
    queries: |_| vec![ahead(FOREIGN_KEYS)],
    read: |ld| Box::pin(foreign_keys(ld)),
};

/// Foreign keys.
pub(crate) async fn foreign_keys(ld: &mut Loader<'_>) -> Result<()> {
    // Foreign keys.
    ld.read_rows("foreign keys", FOREIGN_KEYS, None, |ld, r| {
        let Some(tid) = ld.cat.find(PG_CLASS, oid(r, "conrelid")?) else {
            return Ok(());
        };
        let (tns, tdump) = (
            ld.cat.objects[tid].namespace.clone(),
            ld.cat.objects[tid].dump,
        );
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: tns,
            name: text(r, "conname")?.into(),
            dump: tdump,
            detail: Detail::Constraint(Box::new(ConstraintDetail {
                table: Some(tid),
                contype: 'f',
                def: text(r, "condef")?,
                confrelid: oid(r, "confrelid")?,
                is_local: true,
                validated: true,
                separate: true,
                ..Default::default()
            })),
            ..Obj::of(Kind::FkConstraint)
        });
        Ok(())
    })
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// Check constraints of tables and domains.
pub(crate) const CHECKS: &str = "SELECT c.tableoid, c.oid, c.conrelid, c.contypid, c.conname, \
 pg_catalog.pg_get_constraintdef(c.oid) AS consrc, c.conislocal, c.convalidated \
 FROM pg_catalog.pg_constraint c WHERE c.contype = 'c' ORDER BY c.conrelid, c.contypid, c.conname";

/// Foreign keys (not the clones on partitions).
pub(crate) const FOREIGN_KEYS: &str =
    "SELECT c.tableoid, c.oid, c.conrelid, c.conname, c.confrelid, \
 pg_catalog.pg_get_constraintdef(c.oid) AS condef \
 FROM pg_catalog.pg_constraint c WHERE c.contype = 'f' AND c.conparentid = 0 AND c.conrelid <> 0 \
 ORDER BY c.conrelid, c.conname";
