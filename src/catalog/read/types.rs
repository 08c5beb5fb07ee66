//! Types and collations. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`collations`].
pub(in crate::catalog) const READ_COLLATIONS: Reader = Reader {
    queries: |ld| vec![ahead(collations_sql(ld.cat.server_num))],
    read: |ld| Box::pin(collations(ld)),
};

/// Collations (needed before types and columns, which name them).
pub(crate) async fn collations(ld: &mut Loader<'_>) -> Result<()> {
    // Collations (needed before types and columns, which name them).
    ld.read_rows(
        "collations",
        collations_sql(ld.cat.server_num),
        None,
        |ld, r| {
            let o = oid(r, "oid")?;
            let nsp = oid(r, "collnamespace")?;
            let name = text(r, "collname")?;
            let schema = ns_name(&ld.namespaces, nsp)?;
            ld.collation_names
                .insert(o, ld.quoting.qualified(&schema, &name));
            let dump = ld.dumps_in_schema(PG_COLLATION, o, nsp);
            ld.cat.add(Obj {
                cat: catalog_id(r)?,
                namespace: Some(std::sync::Arc::from(schema.as_ref())),
                name: name.into(),
                dump,
                detail: Detail::Collation(Box::new(CollationDetail {
                    owner: text(r, "owner")?,
                    provider: ch(r, "collprovider")?,
                    deterministic: boolean(r, "collisdeterministic")?,
                    collate: opt_text(r, "collcollate")?,
                    ctype: opt_text(r, "collctype")?,
                    locale: opt_text(r, "colllocale")?,
                    icu_rules: opt_text(r, "collicurules")?,
                    comment: None,
                })),
                ..Obj::of(Kind::Collation)
            });
            Ok(())
        },
    )
    .await?;

    Ok(())
}

/// The walk's step for [`types`].
pub(in crate::catalog) const READ_TYPES: Reader = Reader {
    queries: |ld| {
        let v = ld.cat.server_num;
        vec![
            ahead(ENUM_LABELS),
            ahead(ranges_sql(v)),
            ahead(base_types_sql(v)),
            ahead(COMPOSITE_ATTRS),
            ahead(TYPES),
        ]
    },
    read: |ld| Box::pin(types(ld)),
};

/// Types: enum labels, ranges, base types, composite attributes, then the types.
pub(crate) async fn types(ld: &mut Loader<'_>) -> Result<()> {
    // Types.
    let mut enum_labels: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    ld.read_rows("enum labels", ENUM_LABELS, None, |_, r| {
        enum_labels
            .entry(oid(r, "enumtypid")?)
            .or_default()
            .push(text(r, "enumlabel")?);
        Ok(())
    })
    .await?;
    let mut ranges: BTreeMap<u32, RangeTypeDef> = BTreeMap::new();
    ld.read_rows(
        "range types",
        ranges_sql(ld.cat.server_num),
        None,
        |ld, r| {
            let opclass = if opt_boolean(r, "opcdefault")? == Some(false) {
                Some((text(r, "opcnsp")?, text(r, "opcname")?))
            } else {
                None
            };
            let def = RangeTypeDef {
                subtype: text(r, "rngsubtype")?,
                multirange: opt_text(r, "rngmultitype")?,
                opclass,
                collation: coll_name(&ld.collation_names, oid(r, "collation")?),
                canonical: text(r, "rngcanonical")?,
                subtype_diff: text(r, "rngsubdiff")?,
            };
            ranges.insert(oid(r, "rngtypid")?, def);
            Ok(())
        },
    )
    .await?;
    let mut base_types: BTreeMap<u32, BaseTypeDef> = BTreeMap::new();
    ld.read_rows(
        "base types",
        base_types_sql(ld.cat.server_num),
        None,
        |_, r| {
            base_types.insert(oid(r, "oid")?, base_type_def(r)?);
            Ok(())
        },
    )
    .await?;
    ld.read_rows("composite types", COMPOSITE_ATTRS, None, |ld, r| {
        if boolean(r, "attisdropped")? {
            return Ok(());
        }
        ld.composite.entry(oid(r, "typeoid")?).or_default().push((
            text(r, "attname")?,
            text(r, "atttypdefn")?,
            coll_name(&ld.collation_names, oid(r, "attcollation")?),
        ));
        Ok(())
    })
    .await?;
    ld.read_rows("types", TYPES, None, |ld, r| {
        let o = oid(r, "oid")?;
        let nsp = oid(r, "typnamespace")?;
        let typtype = ch(r, "typtype")?;
        let relkind = opt_ch(r, "relkind")?;
        let isarray = boolean(r, "isarray")?;
        let typrelid = oid(r, "typrelid")?;
        let mut dump = ld.dumps_in_schema(PG_TYPE, o, nsp);
        if (typrelid != 0 && relkind != Some('c')) || isarray || typtype == 'm' {
            dump = false;
        }
        let detail = TypeDetail {
            owner: text(r, "owner")?,
            typtype,
            typinput: oid(r, "typinput")?,
            relkind,
            enum_labels: enum_labels.remove(&o).unwrap_or_default(),
            domain_base: opt_text(r, "domain_base")?.unwrap_or_default(),
            domain_not_null: boolean(r, "typnotnull")?,
            domain_default: opt_text(r, "domain_default")?,
            domain_collation: coll_name(&ld.collation_names, oid(r, "domain_collation")?),
            composite_attrs: ld.composite.remove(&o).unwrap_or_default(),
            range: ranges.remove(&o).map(Box::new),
            base: base_types.remove(&o).map(Box::new),
            acl: acl_from(r, "typacl")?,
            ..Default::default()
        };
        // Row types of tables and auto-generated array/multirange types are DO_DUMMY_TYPE:
        // never printed, only links in the dependency graph, so they carry no details (there
        // are two per table).
        let dummy = (typrelid != 0 && relkind != Some('c')) || isarray || typtype == 'm';
        let detail = if dummy {
            Detail::None
        } else {
            Detail::Type(Box::new(detail))
        };
        let id = ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(r, "typname")?.into(),
            dump,
            detail,
            ..Obj::of(if dummy { Kind::DummyType } else { Kind::Type })
        });
        if relkind == Some('c') {
            ld.composite_rel_to_type.insert(typrelid, id);
        }
        // Base and range types get a shell, not printed unless an I/O (or canonical)
        // function needs it (pg_dump's getTypes; the shell has no catalog identity).
        if dump && matches!(typtype, 'b' | 'r') {
            let (namespace, name) = (
                ld.cat.objects[id].namespace.clone(),
                ld.cat.objects[id].name.clone(),
            );
            let shell = ld.cat.add(Obj {
                namespace,
                name,
                dump: false,
                detail: Detail::Shell { base: id },
                ..Obj::of(Kind::ShellType)
            });
            if let Detail::Type(t) = &mut ld.cat.objects[id].detail {
                t.shell = Some(shell);
            }
        }
        Ok(())
    })
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// All types (system ones too: they are dependency passthroughs, never dumped).
pub(crate) const TYPES: &str = "SELECT t.tableoid, t.oid, t.typname, t.typnamespace, pg_catalog.pg_get_userbyid(t.typowner) AS owner, \
 t.typtype::text, t.typinput::pg_catalog.oid AS typinput, t.typrelid, c.relkind::text AS relkind, t.typelem, t.typlen::int4, \
 (t.typname[0] = '_' AND t.typelem <> 0 AND te.typarray = t.oid) AS isarray, \
 t.typacl::text, pg_catalog.acldefault('T', t.typowner)::text AS acldefault, ip.initprivs::text, \
 CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END AS domain_base, \
 t.typnotnull, \
 CASE WHEN t.typtype = 'd' THEN pg_catalog.pg_get_expr(t.typdefaultbin, 'pg_catalog.pg_type'::pg_catalog.regclass) END AS domain_default, \
 CASE WHEN t.typtype = 'd' AND t.typcollation <> u.typcollation THEN t.typcollation ELSE 0 END AS domain_collation \
 FROM pg_catalog.pg_type t \
 LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid \
 LEFT JOIN pg_catalog.pg_type u ON (t.typbasetype = u.oid) \
 LEFT JOIN pg_catalog.pg_type te ON (te.oid = t.typelem) \
 LEFT JOIN pg_catalog.pg_init_privs ip ON (ip.objoid = t.oid AND ip.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass AND ip.objsubid = 0) \
 ORDER BY t.oid";

/// Base types' definitions, as dumpBaseType reads them (functions as `regproc` text); 14 added
/// subscripting functions.
pub(crate) fn base_types_sql(server_num: u32) -> &'static str {
    macro_rules! base_types {
        ($subscript:literal) => {
            concat!(
                "SELECT t.oid, t.typlen::int4, t.typinput::pg_catalog.regproc::text AS typinput, \
 t.typoutput::pg_catalog.regproc::text AS typoutput, \
 CASE WHEN t.typreceive <> 0 THEN t.typreceive::pg_catalog.regproc::text END AS typreceive, \
 CASE WHEN t.typsend <> 0 THEN t.typsend::pg_catalog.regproc::text END AS typsend, \
 CASE WHEN t.typmodin <> 0 THEN t.typmodin::pg_catalog.regproc::text END AS typmodin, \
 CASE WHEN t.typmodout <> 0 THEN t.typmodout::pg_catalog.regproc::text END AS typmodout, \
 CASE WHEN t.typanalyze <> 0 THEN t.typanalyze::pg_catalog.regproc::text END AS typanalyze, \
 ",
                $subscript,
                " t.typcategory::text, t.typispreferred, t.typdelim::text, t.typbyval, t.typalign::text, t.typstorage::text, \
 (t.typcollation <> 0) AS typcollatable, pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS typdefaultbin, t.typdefault, \
 CASE WHEN t.typelem <> 0 THEN pg_catalog.format_type(t.typelem, NULL) END AS typelem \
 FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_type te ON te.oid = t.typelem \
 WHERE t.typtype = 'b' AND t.oid >= 16384 AND (te.oid IS NULL OR te.typarray <> t.oid) ORDER BY t.oid"
            )
        };
    }
    if server_num >= 140000 {
        base_types!(
            "CASE WHEN t.typsubscript <> 0 THEN t.typsubscript::pg_catalog.regproc::text END AS typsubscript,"
        )
    } else {
        base_types!("NULL::text AS typsubscript,")
    }
}

/// Range types; 14 added their multirange types.
pub(crate) fn ranges_sql(server_num: u32) -> &'static str {
    macro_rules! ranges {
        ($multirange:literal) => {
            concat!(
                "SELECT r.rngtypid, pg_catalog.format_type(r.rngsubtype, NULL) AS rngsubtype, ",
                $multirange,
                " opc.opcname, \
 (SELECT nspname FROM pg_catalog.pg_namespace nsp WHERE nsp.oid = opc.opcnamespace) AS opcnsp, opc.opcdefault, \
 CASE WHEN r.rngcollation = st.typcollation THEN 0 ELSE r.rngcollation END AS collation, \
 r.rngcanonical::pg_catalog.regproc::text AS rngcanonical, r.rngsubdiff::pg_catalog.regproc::text AS rngsubdiff \
 FROM pg_catalog.pg_range r LEFT JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype \
 LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = r.rngsubopc ORDER BY r.rngtypid"
            )
        };
    }
    if server_num >= 140000 {
        ranges!("pg_catalog.format_type(r.rngmultitypid, NULL) AS rngmultitype,")
    } else {
        ranges!("NULL::text AS rngmultitype,")
    }
}

/// Enum labels.
pub(crate) const ENUM_LABELS: &str =
    "SELECT enumtypid, enumlabel FROM pg_catalog.pg_enum ORDER BY enumtypid, enumsortorder";

/// Attributes of stand-alone composite types.
pub(crate) const COMPOSITE_ATTRS: &str = "SELECT ct.oid AS typeoid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS atttypdefn, \
 CASE WHEN a.attcollation <> at.typcollation THEN a.attcollation ELSE 0 END AS attcollation, a.attisdropped \
 FROM pg_catalog.pg_type ct \
 JOIN pg_catalog.pg_class c ON c.oid = ct.typrelid AND c.relkind = 'c' \
 JOIN pg_catalog.pg_attribute a ON a.attrelid = ct.typrelid \
 LEFT JOIN pg_catalog.pg_type at ON at.oid = a.atttypid \
 WHERE a.attnum > 0 ORDER BY ct.oid, a.attnum";

/// Collations: 15 added `colliculocale` (an ICU collation's locale was in `collcollate` and
/// `collctype` before), 16 `collicurules`, 17 renamed `colliculocale` to `colllocale` (for its
/// builtin provider too).
pub(crate) fn collations_sql(server_num: u32) -> &'static str {
    macro_rules! collations {
        ($cols:literal) => {
            collations!("c.collcollate, c.collctype, ", $cols)
        };
        ($locales:literal, $cols:literal) => {
            concat!(
                "SELECT c.tableoid, c.oid, c.collname, c.collnamespace, pg_catalog.pg_get_userbyid(c.collowner) AS owner, \
 c.collprovider::text, c.collisdeterministic, ",
                $locales,
                $cols,
                " FROM pg_catalog.pg_collation c ORDER BY c.oid"
            )
        };
    }
    match server_num {
        ..150000 => collations!(
            "CASE WHEN c.collprovider <> 'i' THEN c.collcollate END AS collcollate, \
 CASE WHEN c.collprovider <> 'i' THEN c.collctype END AS collctype, ",
            "CASE WHEN c.collprovider = 'i' THEN c.collcollate END AS colllocale, NULL::text AS collicurules"
        ),
        150000..160000 => collations!("c.colliculocale AS colllocale, NULL::text AS collicurules"),
        160000..170000 => collations!("c.colliculocale AS colllocale, c.collicurules"),
        _ => collations!("c.colllocale, c.collicurules"),
    }
}
