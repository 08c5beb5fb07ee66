//! Dependencies between the objects read. Read on the leader's connection, in the order `catalog::load` walks.

use crate::catalog::loader::*;
use crate::catalog::*;

/// Dependencies from pg_depend (a composite type's relation stands for the type), then those of operator family members.
pub(crate) async fn dependencies(ld: &mut Loader<'_>) -> Result<()> {
    // Dependencies from pg_depend; a composite type's relation stands for the type.
    // Then those of operator family members, which count as their family's.
    for sql in [queries::DEPENDS, queries::FAMILY_MEMBER_DEPENDS] {
        let mut rows = ld.pipe.stream("dependencies", sql, None).await?;
        while let Some(r) = next_row(&mut rows, "dependencies").await? {
            let classid = oid(&r, "classid")?;
            let objid = oid(&r, "objid")?;
            let refclassid = oid(&r, "refclassid")?;
            let refobjid = oid(&r, "refobjid")?;
            let map = |c: u32, o: u32| -> Option<DumpId> {
                if c == PG_CLASS {
                    if let Some(t) = ld.composite_rel_to_type.get(&o) {
                        return Some(*t);
                    }
                }
                ld.cat.find(c, o)
            };
            let (Some(obj), Some(refobj)) = (map(classid, objid), map(refclassid, refobjid)) else {
                continue;
            };
            if obj != refobj {
                ld.cat.objects[obj].add_dep(refobj);
            }
        }
    }

    Ok(())
}
