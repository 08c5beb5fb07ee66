//! Types and collations. Read on the leader's connection, in the order `catalog::load` walks.

use crate::catalog::loader::*;
use crate::catalog::*;

/// Collations (needed before types and columns, which name them).
pub(crate) async fn collations(ld: &mut Loader<'_>) -> Result<()> {
    // Collations (needed before types and columns, which name them).
    let mut rows = ld
        .pipe
        .stream("collations", queries::collations(ld.cat.server_num), None)
        .await?;
    while let Some(r) = next_row(&mut rows, "collations").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "collnamespace")?;
        let name = text(&r, "collname")?;
        let schema = ns_name(&ld.namespaces, nsp)?;
        ld.collation_names
            .insert(o, ld.quoting.qualified(&schema, &name));
        let dump = ns_contains(&ld.namespaces, nsp)
            && !ld.filters_tables
            && !ld.ext_members.contains_key(&(PG_COLLATION, o));
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(std::sync::Arc::from(schema.as_ref())),
            name: name.into(),
            dump,
            detail: Detail::Collation(Box::new(CollationDetail {
                owner: text(&r, "owner")?,
                provider: ch(&r, "collprovider")?,
                deterministic: boolean(&r, "collisdeterministic")?,
                collate: opt_text(&r, "collcollate")?,
                ctype: opt_text(&r, "collctype")?,
                locale: opt_text(&r, "colllocale")?,
                icu_rules: opt_text(&r, "collicurules")?,
                comment: None,
            })),
            ..Obj::of(Kind::Collation)
        });
    }

    Ok(())
}

/// Types: enum labels, ranges, base types, composite attributes, then the types.
pub(crate) async fn types(ld: &mut Loader<'_>) -> Result<()> {
    // Types.
    let mut enum_labels: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut rows = ld
        .pipe
        .stream("enum labels", queries::ENUM_LABELS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "enum labels").await? {
        enum_labels
            .entry(oid(&r, "enumtypid")?)
            .or_default()
            .push(text(&r, "enumlabel")?);
    }
    let mut ranges: BTreeMap<u32, RangeTypeDef> = BTreeMap::new();
    let mut rows = ld
        .pipe
        .stream("range types", queries::ranges(ld.cat.server_num), None)
        .await?;
    while let Some(r) = next_row(&mut rows, "range types").await? {
        let opclass = if opt_boolean(&r, "opcdefault")? == Some(false) {
            Some((text(&r, "opcnsp")?, text(&r, "opcname")?))
        } else {
            None
        };
        let def = RangeTypeDef {
            subtype: text(&r, "rngsubtype")?,
            multirange: opt_text(&r, "rngmultitype")?,
            opclass,
            collation: coll_name(&ld.collation_names, oid(&r, "collation")?),
            canonical: text(&r, "rngcanonical")?,
            subtype_diff: text(&r, "rngsubdiff")?,
        };
        ranges.insert(oid(&r, "rngtypid")?, def);
    }
    let mut base_types: BTreeMap<u32, BaseTypeDef> = BTreeMap::new();
    let mut rows = ld
        .pipe
        .stream("base types", queries::base_types(ld.cat.server_num), None)
        .await?;
    while let Some(r) = next_row(&mut rows, "base types").await? {
        base_types.insert(oid(&r, "oid")?, base_type_def(&r)?);
    }
    let mut rows = ld
        .pipe
        .stream("composite types", queries::COMPOSITE_ATTRS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "composite types").await? {
        if boolean(&r, "attisdropped")? {
            continue;
        }
        ld.composite.entry(oid(&r, "typeoid")?).or_default().push((
            text(&r, "attname")?,
            text(&r, "atttypdefn")?,
            coll_name(&ld.collation_names, oid(&r, "attcollation")?),
        ));
    }
    let mut rows = ld.pipe.stream("types", queries::TYPES, None).await?;
    while let Some(r) = next_row(&mut rows, "types").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "typnamespace")?;
        let typtype = ch(&r, "typtype")?;
        let relkind = opt_ch(&r, "relkind")?;
        let isarray = boolean(&r, "isarray")?;
        let typrelid = oid(&r, "typrelid")?;
        let mut dump = ns_contains(&ld.namespaces, nsp)
            && !ld.filters_tables
            && !ld.ext_members.contains_key(&(PG_TYPE, o));
        if (typrelid != 0 && relkind != Some('c')) || isarray || typtype == 'm' {
            dump = false;
        }
        let detail = TypeDetail {
            owner: text(&r, "owner")?,
            typtype,
            typinput: oid(&r, "typinput")?,
            relkind,
            enum_labels: enum_labels.remove(&o).unwrap_or_default(),
            domain_base: opt_text(&r, "domain_base")?.unwrap_or_default(),
            domain_not_null: boolean(&r, "typnotnull")?,
            domain_default: opt_text(&r, "domain_default")?,
            domain_collation: coll_name(&ld.collation_names, oid(&r, "domain_collation")?),
            composite_attrs: ld.composite.remove(&o).unwrap_or_default(),
            range: ranges.remove(&o).map(Box::new),
            base: base_types.remove(&o).map(Box::new),
            acl: acl_from(&r, "typacl")?,
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
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(&r, "typname")?.into(),
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
    }

    Ok(())
}
