//! Dependencies between the objects read. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`dependencies`].
pub(in crate::catalog) const READ_DEPENDENCIES: Reader = Reader {
    queries: |_| vec![ahead(DEPENDS), ahead(FAMILY_MEMBER_DEPENDS)],
    read: |ld| Box::pin(dependencies(ld)),
};

/// Dependencies from pg_depend (a composite type's relation stands for the type), then those of operator family members.
pub(crate) async fn dependencies(ld: &mut Loader<'_>) -> Result<()> {
    // Dependencies from pg_depend; a composite type's relation stands for the type.
    // Then those of operator family members, which count as their family's.
    for sql in [DEPENDS, FAMILY_MEMBER_DEPENDS] {
        ld.read_rows("dependencies", sql, None, |ld, r| {
            let classid = oid(r, "classid")?;
            let objid = oid(r, "objid")?;
            let refclassid = oid(r, "refclassid")?;
            let refobjid = oid(r, "refobjid")?;
            let map = |c: u32, o: u32| -> Option<DumpId> {
                if c == PG_CLASS {
                    if let Some(t) = ld.composite_rel_to_type.get(&o) {
                        return Some(*t);
                    }
                }
                ld.cat.find(c, o)
            };
            let (Some(obj), Some(refobj)) = (map(classid, objid), map(refclassid, refobjid)) else {
                return Ok(());
            };
            if obj != refobj {
                ld.cat.objects[obj].add_dep(refobj);
            }
            Ok(())
        })
        .await?;
    }

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// Dependencies pg_dump uses for ordering (read in index order: no sort of a big pg_depend).
pub(crate) const DEPENDS: &str =
    "SELECT classid, objid, refclassid, refobjid, deptype::text FROM pg_catalog.pg_depend \
 WHERE deptype != 'p' AND deptype != 'e' ORDER BY 1, 2";

/// Dependencies of operator family members, which count as their family's (pg_dump's
/// getDependencies). Members below the first unpinned OID have no pg_depend rows.
pub(crate) const FAMILY_MEMBER_DEPENDS: &str =
    "SELECT 'pg_catalog.pg_opfamily'::pg_catalog.regclass::pg_catalog.oid AS classid, o.amopfamily AS objid, d.refclassid, d.refobjid, d.deptype::text \
 FROM pg_catalog.pg_amop o JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass AND d.objid = o.oid \
 WHERE o.oid >= 10000 AND d.deptype NOT IN ('p', 'e', 'i') \
 AND NOT (d.refclassid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND o.amopfamily = d.refobjid) \
 UNION ALL SELECT 'pg_catalog.pg_opfamily'::pg_catalog.regclass::pg_catalog.oid, p.amprocfamily, d.refclassid, d.refobjid, d.deptype::text \
 FROM pg_catalog.pg_amproc p JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass AND d.objid = p.oid \
 WHERE p.oid >= 10000 AND d.deptype NOT IN ('p', 'e', 'i') \
 AND NOT (d.refclassid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND p.amprocfamily = d.refobjid) \
 ORDER BY 1, 2";
