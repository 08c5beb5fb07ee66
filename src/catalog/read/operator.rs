//! Operators, access methods, operator families and classes. Read on the leader's connection, in the order `catalog::load` walks.

use crate::catalog::loader::*;
use crate::catalog::*;

/// Operators (pg_dump's getOperators).
pub(crate) async fn operators(ld: &mut Loader<'_>) -> Result<()> {
    // Operators; shell operators (no function yet) are known but never dumped.
    let mut rows = ld
        .pipe
        .stream("operators", queries::OPERATORS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "operators").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "oprnamespace")?;
        let regproc =
            |col: &str| -> Result<Option<String>> { Ok(opt_text(&r, col)?.filter(|p| p != "-")) };
        let named = |nsp_col: &str, name_col: &str| -> Result<Option<(String, String)>> {
            Ok(opt_text(&r, nsp_col)?.zip(opt_text(&r, name_col)?))
        };
        let oprkind = ch(&r, "oprkind")?;
        let function = regproc("oprcode")?;
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(&r, "oprname")?.into(),
            dump: function.is_some()
                && ns_contains(&ld.namespaces, nsp)
                && !ld.filters_tables
                && !ld.ext_members.contains_key(&(PG_OPERATOR, o)),
            detail: Detail::Operator(Box::new(OperatorDetail {
                owner: text(&r, "owner")?,
                oprkind,
                function,
                left: (oprkind != 'l').then(|| text(&r, "oprleft")).transpose()?,
                right: (oprkind != 'r').then(|| text(&r, "oprright")).transpose()?,
                commutator: named("comnsp", "comname")?,
                negator: named("negnsp", "negname")?,
                merges: boolean(&r, "oprcanmerge")?,
                hashes: boolean(&r, "oprcanhash")?,
                restrict: regproc("oprrest")?,
                join: regproc("oprjoin")?,
                comment: None,
            })),
            ..Obj::of(Kind::Operator)
        });
    }
    Ok(())
}

/// Access methods: the built-in ones are known (for dependencies) but not dumped
/// (getAccessMethods).
pub(crate) async fn access_methods(ld: &mut Loader<'_>) -> Result<()> {
    let mut rows = ld
        .pipe
        .stream("access methods", queries::ACCESS_METHODS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "access methods").await? {
        let o = oid(&r, "oid")?;
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: text(&r, "amname")?.into(),
            dump: ld.include_everything
                && o >= FIRST_NORMAL_OID
                && !ld.ext_members.contains_key(&(PG_AM, o)),
            detail: Detail::AccessMethod(Box::new(AccessMethodDetail {
                amtype: ch(&r, "amtype")?,
                handler: text(&r, "amhandler")?,
                comment: None,
            })),
            ..Obj::of(Kind::AccessMethod)
        });
    }
    Ok(())
}

/// Operator families and classes (getOpfamilies, getOpclasses).
pub(crate) async fn families_and_classes(ld: &mut Loader<'_>) -> Result<()> {
    let mut rows = ld
        .pipe
        .stream("operator families", queries::OPFAMILIES, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "operator families").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "opfnamespace")?;
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(&r, "opfname")?.into(),
            dump: ns_contains(&ld.namespaces, nsp)
                && !ld.filters_tables
                && !ld.ext_members.contains_key(&(PG_OPFAMILY, o)),
            detail: Detail::OpClass(Box::new(OpClassDetail {
                owner: text(&r, "owner")?,
                am: text(&r, "amname")?,
                ..Default::default()
            })),
            ..Obj::of(Kind::OpFamily)
        });
    }
    let mut rows = ld
        .pipe
        .stream("operator classes", queries::OPCLASSES, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "operator classes").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "opcnamespace")?;
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(&r, "opcname")?.into(),
            dump: ns_contains(&ld.namespaces, nsp)
                && !ld.filters_tables
                && !ld.ext_members.contains_key(&(PG_OPCLASS, o)),
            detail: Detail::OpClass(Box::new(OpClassDetail {
                owner: text(&r, "owner")?,
                am: text(&r, "amname")?,
                for_type: text(&r, "opcintype")?,
                storage: opt_text(&r, "opckeytype")?.filter(|t| t != "-"),
                default: boolean(&r, "opcdefault")?,
                family: opt_text(&r, "familynsp")?.zip(opt_text(&r, "familyname")?),
                ..Default::default()
            })),
            ..Obj::of(Kind::OpClass)
        });
    }
    Ok(())
}

/// The operators and support functions of each operator family and class.
pub(crate) async fn class_members(ld: &mut Loader<'_>) -> Result<()> {
    let mut rows = ld
        .pipe
        .stream("operator class members", queries::AM_OPS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "operator class members").await? {
        let Some(id) = ld.cat.find(oid(&r, "refclassid")?, oid(&r, "refobjid")?) else {
            continue;
        };
        let op = AmOp {
            strategy: i32_(&r, "amopstrategy")?,
            operator: text(&r, "amopopr")?,
            sort_family: opt_text(&r, "sortfamilynsp")?.zip(opt_text(&r, "sortfamily")?),
        };
        if let Detail::OpClass(d) = &mut ld.cat.objects[id].detail {
            d.ops.push(op);
        }
    }
    let mut rows = ld
        .pipe
        .stream("operator class functions", queries::AM_PROCS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "operator class functions").await? {
        let Some(id) = ld.cat.find(oid(&r, "refclassid")?, oid(&r, "refobjid")?) else {
            continue;
        };
        let proc = AmProc {
            number: i32_(&r, "amprocnum")?,
            types: (text(&r, "lefttype")?, text(&r, "righttype")?),
            function: text(&r, "amproc")?,
        };
        if let Detail::OpClass(d) = &mut ld.cat.objects[id].detail {
            d.procs.push(proc);
        }
    }

    Ok(())
}
