//! Check constraints and foreign keys (index-backed constraints come with their indexes). Read on the leader's connection, in the order `catalog::load` walks.

use crate::catalog::loader::*;
use crate::catalog::*;

/// Check constraints of tables and domains.
pub(crate) async fn checks(ld: &mut Loader<'_>) -> Result<()> {
    // Check constraints of tables and domains.
    let mut rows = ld
        .pipe
        .stream("check constraints", queries::CHECKS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "check constraints").await? {
        let conrelid = oid(&r, "conrelid")?;
        let contypid = oid(&r, "contypid")?;
        let validated = boolean(&r, "convalidated")?;
        let is_local = boolean(&r, "conislocal")?;
        let (owner_id, is_domain) = if conrelid != 0 {
            match ld.cat.find(PG_CLASS, conrelid) {
                Some(t) => (t, false),
                None => continue,
            }
        } else {
            match ld.cat.find(PG_TYPE, contypid) {
                Some(t) => (t, true),
                None => continue,
            }
        };
        let owner = &ld.cat.objects[owner_id];
        let separate = !validated;
        let detail = ConstraintDetail {
            table: (!is_domain).then_some(owner_id),
            domain: is_domain.then_some(owner_id),
            contype: 'c',
            def: text(&r, "consrc")?,
            is_local,
            validated,
            separate,
            ..Default::default()
        };
        let id = ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: owner.namespace.clone(),
            name: text(&r, "conname")?.into(),
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
    }

    Ok(())
}

/// Foreign keys.
pub(crate) async fn foreign_keys(ld: &mut Loader<'_>) -> Result<()> {
    // Foreign keys.
    let mut rows = ld
        .pipe
        .stream("foreign keys", queries::FOREIGN_KEYS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "foreign keys").await? {
        let Some(tid) = ld.cat.find(PG_CLASS, oid(&r, "conrelid")?) else {
            continue;
        };
        let (tns, tdump) = (
            ld.cat.objects[tid].namespace.clone(),
            ld.cat.objects[tid].dump,
        );
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: tns,
            name: text(&r, "conname")?.into(),
            dump: tdump,
            detail: Detail::Constraint(Box::new(ConstraintDetail {
                table: Some(tid),
                contype: 'f',
                def: text(&r, "condef")?,
                confrelid: oid(&r, "confrelid")?,
                is_local: true,
                validated: true,
                separate: true,
                ..Default::default()
            })),
            ..Obj::of(Kind::FkConstraint)
        });
    }

    Ok(())
}
