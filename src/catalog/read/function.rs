//! Functions, procedures, aggregates, casts and transforms. Read on the leader's connection, in the order `catalog::load` walks.

use crate::catalog::loader::*;
use crate::catalog::*;

/// Functions, procedures and aggregates.
pub(crate) async fn functions(ld: &mut Loader<'_>) -> Result<()> {
    // Functions and aggregates.
    let mut aggs: BTreeMap<u32, AggDetail> = BTreeMap::new();
    let mut rows = ld
        .pipe
        .stream("aggregates", queries::AGGREGATES, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "aggregates").await? {
        let dash = |s: String| if s == "-" { String::new() } else { s };
        aggs.insert(
            oid(&r, "oid")?,
            AggDetail {
                transfn: dash(text(&r, "transfn")?),
                finalfn: dash(text(&r, "finalfn")?),
                combinefn: dash(text(&r, "combinefn")?),
                serialfn: dash(text(&r, "serialfn")?),
                deserialfn: dash(text(&r, "deserialfn")?),
                mtransfn: dash(text(&r, "mtransfn")?),
                minvtransfn: dash(text(&r, "minvtransfn")?),
                mfinalfn: dash(text(&r, "mfinalfn")?),
                finalextra: boolean(&r, "aggfinalextra")?,
                mfinalextra: boolean(&r, "aggmfinalextra")?,
                finalmodify: ch(&r, "aggfinalmodify")?,
                mfinalmodify: ch(&r, "aggmfinalmodify")?,
                sortop: text(&r, "sortop")?,
                kind: ch(&r, "aggkind")?,
                transtype: text(&r, "transtype")?,
                transspace: i32_(&r, "aggtransspace")?,
                mtranstype: opt_text(&r, "mtranstype")?.unwrap_or_default(),
                mtransspace: i32_(&r, "aggmtransspace")?,
                initval: opt_text(&r, "agginitval")?,
                minitval: opt_text(&r, "aggminitval")?,
                parallel: ch(&r, "proparallel")?,
            },
        );
    }
    let mut rows = ld
        .pipe
        .stream("functions", queries::funcs(ld.cat.server_num), None)
        .await?;
    while let Some(r) = next_row(&mut rows, "functions").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "pronamespace")?;
        let prokind = ch(&r, "prokind")?;
        let lanname = text(&r, "lanname")?;
        let detail = FuncDetail {
            owner: text(&r, "owner")?,
            argtypes: oid_array(&r, "argtypes")?,
            argtype_names: text_array(&r, "argtypenames")?,
            arguments: text(&r, "funcargs")?,
            identity_arguments: text(&r, "funciargs")?,
            result: opt_text(&r, "funcresult")?.unwrap_or_default(),
            prokind,
            lang_is_c_or_internal: lanname == "c" || lanname == "internal",
            language: lanname,
            src: opt_text(&r, "prosrc")?.unwrap_or_default(),
            bin: opt_text(&r, "probin")?,
            sqlbody: opt_text(&r, "prosqlbody")?,
            volatile: ch(&r, "provolatile")?,
            strict: boolean(&r, "proisstrict")?,
            secdef: boolean(&r, "prosecdef")?,
            leakproof: boolean(&r, "proleakproof")?,
            parallel: ch(&r, "proparallel")?,
            cost: text(&r, "procost")?,
            rows: text(&r, "prorows")?,
            retset: boolean(&r, "proretset")?,
            support: opt_text(&r, "prosupport")?,
            config: text_array(&r, "proconfig")?,
            agg: aggs.remove(&o),
            acl: acl_from(&r, "proacl")?,
            comment: None,
        };
        let dump = ns_contains(&ld.namespaces, nsp)
            && !ld.filters_tables
            && !ld.ext_members.contains_key(&(PG_PROC, o));
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(&r, "proname")?.into(),
            dump,
            detail: Detail::Func(Box::new(detail)),
            ..Obj::of(if prokind == 'a' {
                Kind::Agg
            } else {
                Kind::Func
            })
        });
    }

    Ok(())
}

/// Casts.
pub(crate) async fn casts(ld: &mut Loader<'_>) -> Result<()> {
    // Casts.
    let mut rows = ld.pipe.stream("casts", queries::CASTS, None).await?;
    while let Some(r) = next_row(&mut rows, "casts").await? {
        let o = oid(&r, "oid")?;
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: format!("{} {}", text(&r, "srcname")?, text(&r, "tgtname")?).into(),
            dump: ld.include_everything && !ld.ext_members.contains_key(&(PG_CAST, o)),
            detail: Detail::Cast(Box::new(CastDetail {
                types: format!("{} AS {}", text(&r, "source")?, text(&r, "target")?),
                method: ch(&r, "castmethod")?,
                function: opt_text(&r, "func")?,
                context: ch(&r, "castcontext")?,
                comment: None,
            })),
            ..Obj::of(Kind::Cast)
        });
    }

    Ok(())
}

/// Transforms.
pub(crate) async fn transforms(ld: &mut Loader<'_>) -> Result<()> {
    // Transforms.
    let mut rows = ld
        .pipe
        .stream("transforms", queries::TRANSFORMS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "transforms").await? {
        let o = oid(&r, "oid")?;
        let function = |side: &str| -> Result<Option<FunctionRef>> {
            Ok(
                match (
                    opt_text(&r, &format!("{side}nsp"))?,
                    opt_text(&r, &format!("{side}name"))?,
                ) {
                    (Some(schema), Some(name)) => Some(FunctionRef {
                        schema,
                        name,
                        args: opt_text(&r, &format!("{side}args"))?.unwrap_or_default(),
                    }),
                    _ => None,
                },
            )
        };
        let language = text(&r, "lanname")?;
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: format!("{} {language}", text(&r, "typname")?).into(),
            dump: ld.include_everything && !ld.ext_members.contains_key(&(PG_TRANSFORM, o)),
            detail: Detail::Transform(Box::new(TransformDetail {
                type_name: text(&r, "trftype")?,
                language,
                from_sql: function("from")?,
                to_sql: function("to")?,
                comment: None,
            })),
            ..Obj::of(Kind::Transform)
        });
    }

    Ok(())
}
