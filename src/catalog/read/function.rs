//! Functions, procedures, aggregates, casts and transforms. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`functions`].
pub(in crate::catalog) const READ_FUNCTIONS: Reader = Reader {
    queries: |ld| vec![ahead(AGGREGATES), ahead(funcs_sql(ld.cat.server_num))],
    read: |ld| Box::pin(functions(ld)),
};

/// Functions, procedures and aggregates.
pub(crate) async fn functions(ld: &mut Loader<'_>) -> Result<()> {
    // Functions and aggregates.
    let mut aggs: BTreeMap<u32, AggDetail> = BTreeMap::new();
    ld.read_rows("aggregates", AGGREGATES, None, |_, r| {
        let dash = |s: String| if s == "-" { String::new() } else { s };
        aggs.insert(
            oid(r, "oid")?,
            AggDetail {
                transfn: dash(text(r, "transfn")?),
                finalfn: dash(text(r, "finalfn")?),
                combinefn: dash(text(r, "combinefn")?),
                serialfn: dash(text(r, "serialfn")?),
                deserialfn: dash(text(r, "deserialfn")?),
                mtransfn: dash(text(r, "mtransfn")?),
                minvtransfn: dash(text(r, "minvtransfn")?),
                mfinalfn: dash(text(r, "mfinalfn")?),
                finalextra: boolean(r, "aggfinalextra")?,
                mfinalextra: boolean(r, "aggmfinalextra")?,
                finalmodify: ch(r, "aggfinalmodify")?,
                mfinalmodify: ch(r, "aggmfinalmodify")?,
                sortop: text(r, "sortop")?,
                kind: ch(r, "aggkind")?,
                transtype: text(r, "transtype")?,
                transspace: i32_(r, "aggtransspace")?,
                mtranstype: opt_text(r, "mtranstype")?.unwrap_or_default(),
                mtransspace: i32_(r, "aggmtransspace")?,
                initval: opt_text(r, "agginitval")?,
                minitval: opt_text(r, "aggminitval")?,
                parallel: ch(r, "proparallel")?,
            },
        );
        Ok(())
    })
    .await?;
    ld.read_rows("functions", funcs_sql(ld.cat.server_num), None, |ld, r| {
        let o = oid(r, "oid")?;
        let nsp = oid(r, "pronamespace")?;
        let prokind = ch(r, "prokind")?;
        let lanname = text(r, "lanname")?;
        let detail = FuncDetail {
            owner: text(r, "owner")?,
            argtypes: oid_array(r, "argtypes")?,
            argtype_names: text_array(r, "argtypenames")?,
            arguments: text(r, "funcargs")?,
            identity_arguments: text(r, "funciargs")?,
            result: opt_text(r, "funcresult")?.unwrap_or_default(),
            prokind,
            lang_is_c_or_internal: lanname == "c" || lanname == "internal",
            language: lanname,
            src: opt_text(r, "prosrc")?.unwrap_or_default(),
            bin: opt_text(r, "probin")?,
            sqlbody: opt_text(r, "prosqlbody")?,
            volatile: ch(r, "provolatile")?,
            strict: boolean(r, "proisstrict")?,
            secdef: boolean(r, "prosecdef")?,
            leakproof: boolean(r, "proleakproof")?,
            parallel: ch(r, "proparallel")?,
            cost: text(r, "procost")?,
            rows: text(r, "prorows")?,
            retset: boolean(r, "proretset")?,
            support: opt_text(r, "prosupport")?,
            config: text_array(r, "proconfig")?,
            agg: aggs.remove(&o),
            acl: acl_from(r, "proacl")?,
            comment: None,
        };
        let dump = ld.dumps_in_schema(PG_PROC, o, nsp);
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(r, "proname")?.into(),
            dump,
            detail: Detail::Func(Box::new(detail)),
            ..Obj::of(if prokind == 'a' {
                Kind::Agg
            } else {
                Kind::Func
            })
        });
        Ok(())
    })
    .await?;

    Ok(())
}

/// The walk's step for [`casts`].
pub(in crate::catalog) const READ_CASTS: Reader = Reader {
    queries: |_| vec![ahead(CASTS)],
    read: |ld| Box::pin(casts(ld)),
};

/// Casts.
pub(crate) async fn casts(ld: &mut Loader<'_>) -> Result<()> {
    // Casts.
    ld.read_rows("casts", CASTS, None, |ld, r| {
        let o = oid(r, "oid")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: None,
            name: format!("{} {}", text(r, "srcname")?, text(r, "tgtname")?).into(),
            dump: ld.dumps_global(PG_CAST, o),
            detail: Detail::Cast(Box::new(CastDetail {
                types: format!("{} AS {}", text(r, "source")?, text(r, "target")?),
                method: ch(r, "castmethod")?,
                function: opt_text(r, "func")?,
                context: ch(r, "castcontext")?,
                comment: None,
            })),
            ..Obj::of(Kind::Cast)
        });
        Ok(())
    })
    .await?;

    Ok(())
}

/// The walk's step for [`transforms`].
pub(in crate::catalog) const READ_TRANSFORMS: Reader = Reader {
    queries: |_| vec![ahead(TRANSFORMS)],
    read: |ld| Box::pin(transforms(ld)),
};

/// Transforms.
pub(crate) async fn transforms(ld: &mut Loader<'_>) -> Result<()> {
    // Transforms.
    ld.read_rows("transforms", TRANSFORMS, None, |ld, r| {
        let o = oid(r, "oid")?;
        let function = |side: &str| -> Result<Option<FunctionRef>> {
            Ok(
                match (
                    opt_text(r, &format!("{side}nsp"))?,
                    opt_text(r, &format!("{side}name"))?,
                ) {
                    (Some(schema), Some(name)) => Some(FunctionRef {
                        schema,
                        name,
                        args: opt_text(r, &format!("{side}args"))?.unwrap_or_default(),
                    }),
                    _ => None,
                },
            )
        };
        let language = text(r, "lanname")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: None,
            name: format!("{} {language}", text(r, "typname")?).into(),
            dump: ld.dumps_global(PG_TRANSFORM, o),
            detail: Detail::Transform(Box::new(TransformDetail {
                type_name: text(r, "trftype")?,
                language,
                from_sql: function("from")?,
                to_sql: function("to")?,
                comment: None,
            })),
            ..Obj::of(Kind::Transform)
        });
        Ok(())
    })
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// Functions, procedures and aggregates outside the system schemas, in heap order: pg_dump
/// numbers them as its unordered scan returns them, which decides where it starts breaking a
/// dependency loop it cannot repair.
pub(crate) fn funcs_sql(server_num: u32) -> &'static str {
    macro_rules! funcs {
        ($sqlbody:literal) => {
            concat!(
                "SELECT p.tableoid, p.oid, p.proname, p.pronamespace, pg_catalog.pg_get_userbyid(p.proowner) AS owner, \
 p.prokind::text, p.proargtypes::oid[] AS argtypes, \
 ARRAY(SELECT pg_catalog.format_type(p.proargtypes[i], NULL) FROM pg_catalog.generate_series(0, p.pronargs - 1) i) AS argtypenames, \
 pg_catalog.pg_get_function_arguments(p.oid) AS funcargs, \
 pg_catalog.pg_get_function_identity_arguments(p.oid) AS funciargs, \
 pg_catalog.pg_get_function_result(p.oid) AS funcresult, \
 l.lanname, p.prosrc, p.probin, ",
                $sqlbody,
                " p.provolatile::text, p.proisstrict, p.prosecdef, p.proleakproof, p.proparallel::text, \
 p.procost::text, p.prorows::text, p.proretset, \
 CASE WHEN p.prosupport <> 0 THEN p.prosupport::pg_catalog.regproc::text END AS prosupport, \
 p.proconfig, \
 p.proacl::text, pg_catalog.acldefault('f', p.proowner)::text AS acldefault, ip.initprivs::text \
 FROM pg_catalog.pg_proc p \
 JOIN pg_catalog.pg_language l ON l.oid = p.prolang \
 LEFT JOIN pg_catalog.pg_init_privs ip ON (ip.objoid = p.oid AND ip.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND ip.objsubid = 0) \
 WHERE p.pronamespace <> 'information_schema'::pg_catalog.regnamespace \
 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass \
   AND d.objid = p.oid AND d.deptype = 'i') \
 AND (p.pronamespace <> 'pg_catalog'::pg_catalog.regnamespace \
   OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass \
     AND d.objid = p.oid AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e') \
   OR p.proacl IS DISTINCT FROM ip.initprivs) \
 ORDER BY p.ctid"
            )
        };
    }
    // 14 added SQL-standard bodies.
    if server_num >= 140000 {
        funcs!("CASE WHEN p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_function_sqlbody(p.oid) END AS prosqlbody,")
    } else {
        funcs!("NULL::text AS prosqlbody,")
    }
}

/// Aggregate definitions.
pub(crate) const AGGREGATES: &str = "SELECT a.aggfnoid::pg_catalog.oid AS oid, a.aggkind::text, \
 a.aggtransfn::pg_catalog.regproc::text AS transfn, a.aggfinalfn::pg_catalog.regproc::text AS finalfn, \
 a.aggcombinefn::pg_catalog.regproc::text AS combinefn, a.aggserialfn::pg_catalog.regproc::text AS serialfn, \
 a.aggdeserialfn::pg_catalog.regproc::text AS deserialfn, a.aggmtransfn::pg_catalog.regproc::text AS mtransfn, \
 a.aggminvtransfn::pg_catalog.regproc::text AS minvtransfn, a.aggmfinalfn::pg_catalog.regproc::text AS mfinalfn, \
 a.aggfinalextra, a.aggmfinalextra, a.aggfinalmodify::text, a.aggmfinalmodify::text, \
 a.aggsortop::pg_catalog.regoperator::text AS sortop, \
 pg_catalog.format_type(a.aggtranstype, NULL) AS transtype, a.aggtransspace, \
 pg_catalog.format_type(a.aggmtranstype, NULL) AS mtranstype, a.aggmtransspace, \
 a.agginitval, a.aggminitval, p.proparallel::text \
 FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid \
 WHERE p.pronamespace <> 'pg_catalog'::pg_catalog.regnamespace \
 AND p.pronamespace <> 'information_schema'::pg_catalog.regnamespace";

/// User casts (not the built-in ones, not those created internally with a range type).
pub(crate) const CASTS: &str = "SELECT c.tableoid, c.oid, st.typname AS srcname, tt.typname AS tgtname, \
 pg_catalog.format_type(c.castsource, NULL) AS source, pg_catalog.format_type(c.casttarget, NULL) AS target, \
 c.castmethod::text, c.castcontext::text, \
 CASE WHEN c.castfunc <> 0 THEN pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.proname) || '(' || \
   pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.format_type(p.proargtypes[i], NULL) \
   FROM pg_catalog.generate_series(0, p.pronargs - 1) i), ', ') || ')' END AS func \
 FROM pg_catalog.pg_cast c JOIN pg_catalog.pg_type st ON st.oid = c.castsource JOIN pg_catalog.pg_type tt ON tt.oid = c.casttarget \
 LEFT JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace \
 WHERE c.oid >= 16384 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass \
   AND d.objid = c.oid AND d.deptype = 'i') \
 ORDER BY c.castsource, c.casttarget";

/// Transforms, with their functions' signatures as pg_dump's format_function_signature.
pub(crate) const TRANSFORMS: &str = "SELECT t.tableoid, t.oid, ty.typname, l.lanname, pg_catalog.format_type(t.trftype, NULL) AS trftype, \
 fn.nspname AS fromnsp, f.proname AS fromname, \
 pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.format_type(f.proargtypes[i], NULL) \
   FROM pg_catalog.generate_series(0, f.pronargs - 1) i), ', ') AS fromargs, \
 tn.nspname AS tonsp, tp.proname AS toname, \
 pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.format_type(tp.proargtypes[i], NULL) \
   FROM pg_catalog.generate_series(0, tp.pronargs - 1) i), ', ') AS toargs \
 FROM pg_catalog.pg_transform t JOIN pg_catalog.pg_type ty ON ty.oid = t.trftype \
 JOIN pg_catalog.pg_language l ON l.oid = t.trflang \
 LEFT JOIN pg_catalog.pg_proc f ON f.oid = t.trffromsql LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace \
 LEFT JOIN pg_catalog.pg_proc tp ON tp.oid = t.trftosql LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tp.pronamespace \
 ORDER BY t.oid";
