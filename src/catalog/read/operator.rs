//! Operators, access methods, operator families and classes. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`operators`].
pub(in crate::catalog) const READ_OPERATORS: Reader = Reader {
    queries: |_| vec![ahead(OPERATORS)],
    read: |ld| Box::pin(operators(ld)),
};

/// Operators (pg_dump's getOperators).
pub(crate) async fn operators(ld: &mut Loader<'_>) -> Result<()> {
    // Operators; shell operators (no function yet) are known but never dumped.
    ld.read_rows("operators", OPERATORS, None, |ld, r| {
        let o = oid(r, "oid")?;
        let nsp = oid(r, "oprnamespace")?;
        let regproc =
            |col: &str| -> Result<Option<String>> { Ok(opt_text(r, col)?.filter(|p| p != "-")) };
        let named = |nsp_col: &str, name_col: &str| -> Result<Option<(String, String)>> {
            Ok(opt_text(r, nsp_col)?.zip(opt_text(r, name_col)?))
        };
        let oprkind = ch(r, "oprkind")?;
        let function = regproc("oprcode")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(r, "oprname")?.into(),
            dump: function.is_some() && ld.dumps_in_schema(PG_OPERATOR, o, nsp),
            detail: Detail::Operator(Box::new(OperatorDetail {
                owner: text(r, "owner")?,
                oprkind,
                function,
                left: (oprkind != 'l').then(|| text(r, "oprleft")).transpose()?,
                right: (oprkind != 'r').then(|| text(r, "oprright")).transpose()?,
                commutator: named("comnsp", "comname")?,
                negator: named("negnsp", "negname")?,
                merges: boolean(r, "oprcanmerge")?,
                hashes: boolean(r, "oprcanhash")?,
                restrict: regproc("oprrest")?,
                join: regproc("oprjoin")?,
                comment: None,
            })),
            ..Obj::of(Kind::Operator)
        });
        Ok(())
    })
    .await?;
    Ok(())
}

/// The walk's step for [`access_methods`].
pub(in crate::catalog) const READ_ACCESS_METHODS: Reader = Reader {
    queries: |_| vec![ahead(ACCESS_METHODS)],
    read: |ld| Box::pin(access_methods(ld)),
};

/// Access methods: the built-in ones are known (for dependencies) but not dumped
/// (getAccessMethods).
pub(crate) async fn access_methods(ld: &mut Loader<'_>) -> Result<()> {
    ld.read_rows("access methods", ACCESS_METHODS, None, |ld, r| {
        let o = oid(r, "oid")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: None,
            name: text(r, "amname")?.into(),
            dump: ld.dumps_global(PG_AM, o) && o >= FIRST_NORMAL_OID,
            detail: Detail::AccessMethod(Box::new(AccessMethodDetail {
                amtype: ch(r, "amtype")?,
                handler: text(r, "amhandler")?,
                comment: None,
            })),
            ..Obj::of(Kind::AccessMethod)
        });
        Ok(())
    })
    .await?;
    Ok(())
}

/// The walk's step for [`families_and_classes`].
pub(in crate::catalog) const READ_FAMILIES_AND_CLASSES: Reader = Reader {
    queries: |_| vec![ahead(OPFAMILIES), ahead(OPCLASSES)],
    read: |ld| Box::pin(families_and_classes(ld)),
};

/// Operator families and classes (getOpfamilies, getOpclasses).
pub(crate) async fn families_and_classes(ld: &mut Loader<'_>) -> Result<()> {
    ld.read_rows("operator families", OPFAMILIES, None, |ld, r| {
        let o = oid(r, "oid")?;
        let nsp = oid(r, "opfnamespace")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(r, "opfname")?.into(),
            dump: ld.dumps_in_schema(PG_OPFAMILY, o, nsp),
            detail: Detail::OpClass(Box::new(OpClassDetail {
                owner: text(r, "owner")?,
                am: text(r, "amname")?,
                ..Default::default()
            })),
            ..Obj::of(Kind::OpFamily)
        });
        Ok(())
    })
    .await?;
    ld.read_rows("operator classes", OPCLASSES, None, |ld, r| {
        let o = oid(r, "oid")?;
        let nsp = oid(r, "opcnamespace")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(r, "opcname")?.into(),
            dump: ld.dumps_in_schema(PG_OPCLASS, o, nsp),
            detail: Detail::OpClass(Box::new(OpClassDetail {
                owner: text(r, "owner")?,
                am: text(r, "amname")?,
                for_type: text(r, "opcintype")?,
                storage: opt_text(r, "opckeytype")?.filter(|t| t != "-"),
                default: boolean(r, "opcdefault")?,
                family: opt_text(r, "familynsp")?.zip(opt_text(r, "familyname")?),
                ..Default::default()
            })),
            ..Obj::of(Kind::OpClass)
        });
        Ok(())
    })
    .await?;
    Ok(())
}

/// The walk's step for [`class_members`].
pub(in crate::catalog) const READ_CLASS_MEMBERS: Reader = Reader {
    queries: |_| vec![ahead(AM_OPS), ahead(AM_PROCS)],
    read: |ld| Box::pin(class_members(ld)),
};

/// The operators and support functions of each operator family and class.
pub(crate) async fn class_members(ld: &mut Loader<'_>) -> Result<()> {
    ld.read_rows("operator class members", AM_OPS, None, |ld, r| {
        let Some(id) = ld.cat.find(oid(r, "refclassid")?, oid(r, "refobjid")?) else {
            return Ok(());
        };
        let op = AmOp {
            strategy: i32_(r, "amopstrategy")?,
            operator: text(r, "amopopr")?,
            sort_family: opt_text(r, "sortfamilynsp")?.zip(opt_text(r, "sortfamily")?),
        };
        if let Detail::OpClass(d) = &mut ld.cat.objects[id].detail {
            d.ops.push(op);
        }
        Ok(())
    })
    .await?;
    ld.read_rows("operator class functions", AM_PROCS, None, |ld, r| {
        let Some(id) = ld.cat.find(oid(r, "refclassid")?, oid(r, "refobjid")?) else {
            return Ok(());
        };
        let proc = AmProc {
            number: i32_(r, "amprocnum")?,
            types: (text(r, "lefttype")?, text(r, "righttype")?),
            function: text(r, "amproc")?,
        };
        if let Detail::OpClass(d) = &mut ld.cat.objects[id].detail {
            d.procs.push(proc);
        }
        Ok(())
    })
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// Operators outside pg_catalog, with what dumpOpr prints (commutator and negator by name).
pub(crate) const OPERATORS: &str = "SELECT o.tableoid, o.oid, o.oprname, o.oprnamespace, pg_catalog.pg_get_userbyid(o.oprowner) AS owner, \
 o.oprkind::text, o.oprcode::pg_catalog.regprocedure::text AS oprcode, o.oprleft::pg_catalog.regtype::text AS oprleft, \
 o.oprright::pg_catalog.regtype::text AS oprright, cn.nspname AS comnsp, c.oprname AS comname, \
 nn.nspname AS negnsp, n.oprname AS negname, o.oprcanmerge, o.oprcanhash, \
 o.oprrest::pg_catalog.regprocedure::text AS oprrest, o.oprjoin::pg_catalog.regprocedure::text AS oprjoin \
 FROM pg_catalog.pg_operator o \
 LEFT JOIN pg_catalog.pg_operator c ON c.oid = o.oprcom LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace \
 LEFT JOIN pg_catalog.pg_operator n ON n.oid = o.oprnegate LEFT JOIN pg_catalog.pg_namespace nn ON nn.oid = n.oprnamespace \
 WHERE o.oprnamespace <> 'pg_catalog'::pg_catalog.regnamespace ORDER BY o.oid";

/// Access methods (pg_dump dumps the user-made ones).
pub(crate) const ACCESS_METHODS: &str = "SELECT a.tableoid, a.oid, a.amname, a.amtype::text, a.amhandler::pg_catalog.regproc::text AS amhandler \
 FROM pg_catalog.pg_am a ORDER BY a.oid";

/// Operator families outside pg_catalog.
pub(crate) const OPFAMILIES: &str = "SELECT f.tableoid, f.oid, f.opfname, f.opfnamespace, pg_catalog.pg_get_userbyid(f.opfowner) AS owner, \
 (SELECT amname FROM pg_catalog.pg_am WHERE oid = f.opfmethod) AS amname \
 FROM pg_catalog.pg_opfamily f WHERE f.opfnamespace <> 'pg_catalog'::pg_catalog.regnamespace ORDER BY f.oid";

/// Operator classes outside pg_catalog.
pub(crate) const OPCLASSES: &str = "SELECT c.tableoid, c.oid, c.opcname, c.opcnamespace, pg_catalog.pg_get_userbyid(c.opcowner) AS owner, \
 c.opcintype::pg_catalog.regtype::text AS opcintype, c.opckeytype::pg_catalog.regtype::text AS opckeytype, c.opcdefault, \
 f.opfname AS familyname, fn.nspname AS familynsp, (SELECT amname FROM pg_catalog.pg_am WHERE oid = c.opcmethod) AS amname \
 FROM pg_catalog.pg_opclass c LEFT JOIN pg_catalog.pg_opfamily f ON f.oid = c.opcfamily \
 LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace \
 WHERE c.opcnamespace <> 'pg_catalog'::pg_catalog.regnamespace ORDER BY c.oid";

/// Operators of user operator classes and families, each under the class or family its
/// pg_depend entry ties it to (dumpOpclass's and dumpOpfamily's member queries, for all at once).
pub(crate) const AM_OPS: &str = "SELECT d.refclassid, d.refobjid, ao.amopstrategy::int AS amopstrategy, \
 ao.amopopr::pg_catalog.regoperator::text AS amopopr, f.opfname AS sortfamily, n.nspname AS sortfamilynsp \
 FROM pg_catalog.pg_amop ao JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass AND d.objid = ao.oid \
 LEFT JOIN pg_catalog.pg_opfamily f ON f.oid = ao.amopsortfamily LEFT JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace \
 WHERE ao.amopfamily IN (SELECT oid FROM pg_catalog.pg_opfamily WHERE opfnamespace <> 'pg_catalog'::pg_catalog.regnamespace) \
 AND ((d.refclassid = 'pg_catalog.pg_opclass'::pg_catalog.regclass \
       AND ao.amopfamily = (SELECT opcfamily FROM pg_catalog.pg_opclass WHERE oid = d.refobjid)) \
   OR (d.refclassid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND ao.amopfamily = d.refobjid)) \
 ORDER BY d.refclassid, d.refobjid, ao.amopstrategy, ao.oid";

/// Support functions of user operator classes and families, likewise.
pub(crate) const AM_PROCS: &str = "SELECT d.refclassid, d.refobjid, ap.amprocnum::int AS amprocnum, \
 ap.amproc::pg_catalog.regprocedure::text AS amproc, ap.amproclefttype::pg_catalog.regtype::text AS lefttype, \
 ap.amprocrighttype::pg_catalog.regtype::text AS righttype \
 FROM pg_catalog.pg_amproc ap JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass AND d.objid = ap.oid \
 WHERE d.refclassid IN ('pg_catalog.pg_opclass'::pg_catalog.regclass, 'pg_catalog.pg_opfamily'::pg_catalog.regclass) \
 AND ap.amprocfamily IN (SELECT oid FROM pg_catalog.pg_opfamily WHERE opfnamespace <> 'pg_catalog'::pg_catalog.regnamespace) \
 ORDER BY d.refclassid, d.refobjid, ap.amprocnum, ap.oid";
