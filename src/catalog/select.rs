//! What the dump selects: -t/-n/-e patterns resolved on the server, extension configuration tables, and objects dumped for their privileges only.

use super::*;

/// Table/schema OID sets the patterns resolved to.
#[derive(Debug, Default)]
pub struct Selection {
    pub(super) include_tables: Option<BTreeSet<u32>>,
    pub(super) exclude_tables: BTreeSet<u32>,
    pub(super) include_schemas: Option<BTreeSet<u32>>,
    pub(super) exclude_schemas: BTreeSet<u32>,
    pub(super) exclude_data: BTreeSet<u32>,
    pub(super) include_extensions: Option<BTreeSet<u32>>,
    pub(super) exclude_extensions: BTreeSet<u32>,
    /// Foreign servers whose tables' data is dumped (names are unique in a database).
    pub(super) foreign_data_servers: BTreeSet<String>,
    /// Row filters by table: the conditions of every `--table-data-where` that matches it.
    pub(super) row_filters: BTreeMap<u32, Vec<String>>,
}

/// Table patterns as given, and those of the `*-and-children` switches (pg_dump 16), whose
/// matches bring their inheritance and partition children, recursively.
pub(super) struct TablePatterns<'a> {
    pub(super) plain: &'a [String],
    pub(super) with_children: &'a [String],
}

impl TablePatterns<'_> {
    pub(super) fn is_empty(&self) -> bool {
        self.plain.is_empty() && self.with_children.is_empty()
    }
}

pub(super) async fn expand_table_patterns(
    client: &Client,
    patterns: TablePatterns<'_>,
    dbname: &str,
    strict: bool,
    what: &str,
) -> Result<BTreeSet<u32>> {
    let mut out = BTreeSet::new();
    let all = patterns
        .plain
        .iter()
        .map(|p| (p, false))
        .chain(patterns.with_children.iter().map(|p| (p, true)));
    for (p, children) in all {
        let np = filter::parse_pattern(p, 2, dbname)?;
        let mut sql = String::from(
            "SELECT c.oid FROM pg_catalog.pg_class c \
             LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind OPERATOR(pg_catalog.=) ANY (array['r', 'S', 'v', 'm', 'f', 'p']) \
             AND c.relname OPERATOR(pg_catalog.~) $1 COLLATE pg_catalog.default",
        );
        match &np.schema_regex {
            Some(_) => {
                sql.push_str(" AND n.nspname OPERATOR(pg_catalog.~) $2 COLLATE pg_catalog.default")
            }
            None => sql.push_str(" AND pg_catalog.pg_table_is_visible(c.oid)"),
        }
        if children {
            // The matches, then whatever inherits from them (pg_dump's partition_tree).
            sql = format!(
                "WITH RECURSIVE partition_tree (relid) AS ({sql} \
                 UNION SELECT i.inhrelid FROM partition_tree p \
                 JOIN pg_catalog.pg_inherits i ON p.relid OPERATOR(pg_catalog.=) i.inhparent) \
                 SELECT relid AS oid FROM partition_tree"
            );
        }
        let rows = match &np.schema_regex {
            Some(s) => query(client, what, &sql, &[&np.name_regex, s]).await?,
            None => query(client, what, &sql, &[&np.name_regex]).await?,
        };
        if rows.is_empty() && strict {
            return Err(Error::usage(format!(
                "no matching tables were found for pattern \"{p}\""
            )));
        }
        for r in &rows {
            out.insert(oid(r, "oid")?);
        }
    }
    Ok(out)
}

pub(super) async fn expand_schema_patterns(
    client: &Client,
    patterns: &[String],
    dbname: &str,
    strict: bool,
) -> Result<BTreeSet<u32>> {
    let mut out = BTreeSet::new();
    for p in patterns {
        let np = filter::parse_pattern(p, 1, dbname)?;
        let rows = query(
            client,
            "schema patterns",
            "SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.~) $1 COLLATE pg_catalog.default",
            &[&np.name_regex],
        )
        .await?;
        if rows.is_empty() && strict {
            return Err(Error::usage(format!(
                "no matching schemas were found for pattern \"{p}\""
            )));
        }
        for r in &rows {
            out.insert(oid(r, "oid")?);
        }
    }
    Ok(out)
}

/// Extension names matching `-e` patterns (unqualified names only, as pg_dump).
pub(super) async fn expand_extension_patterns(
    client: &Client,
    patterns: &[String],
    strict: bool,
) -> Result<BTreeSet<u32>> {
    let mut out = BTreeSet::new();
    for p in patterns {
        if outside_quotes_has_dot(p) {
            return Err(Error::usage(format!(
                "improper qualified name (too many dotted names): {p}"
            )));
        }
        let np = filter::parse_pattern(p, 1, "")?;
        let rows = query(
            client,
            "extension patterns",
            "SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.~) $1 COLLATE pg_catalog.default",
            &[&np.name_regex],
        )
        .await?;
        if rows.is_empty() && strict {
            return Err(Error::usage(format!(
                "no matching extensions were found for pattern \"{p}\""
            )));
        }
        for r in &rows {
            out.insert(oid(r, "oid")?);
        }
    }
    Ok(out)
}

/// Whether a pattern has a dot outside double quotes (a qualified name).
pub(super) fn outside_quotes_has_dot(pattern: &str) -> bool {
    let mut in_quotes = false;
    pattern.chars().any(|c| {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        c == '.' && !in_quotes
    })
}

/// Resolves the plan's patterns on the server (before `search_path` is emptied, so that an
/// unqualified `-t name` sees the tables the user sees, as with pg_dump).
pub async fn resolve_selection(
    client: &Client,
    plan: &DumpPlan,
    dbname: &str,
) -> Result<Selection> {
    let f = &plan.filters;
    let mut sel = Selection::default();
    if !f.include_schemas.is_empty() {
        let s = expand_schema_patterns(client, &f.include_schemas, dbname, f.strict_names).await?;
        if s.is_empty() {
            return Err(Error::usage("no matching schemas were found"));
        }
        sel.include_schemas = Some(s);
    }
    sel.exclude_schemas = expand_schema_patterns(client, &f.exclude_schemas, dbname, false).await?;
    if !f.include_extensions.is_empty() {
        let e = expand_extension_patterns(client, &f.include_extensions, f.strict_names).await?;
        if e.is_empty() {
            return Err(Error::usage("no matching extensions were found"));
        }
        sel.include_extensions = Some(e);
    }
    sel.exclude_extensions =
        expand_extension_patterns(client, &f.exclude_extensions, false).await?;
    let include = TablePatterns {
        plain: &f.include_tables,
        with_children: &f.include_tables_and_children,
    };
    if !include.is_empty() {
        let t = expand_table_patterns(client, include, dbname, f.strict_names, "table patterns")
            .await?;
        if t.is_empty() {
            return Err(Error::usage("no matching tables were found"));
        }
        sel.include_tables = Some(t);
    }
    let exclude = TablePatterns {
        plain: &f.exclude_tables,
        with_children: &f.exclude_tables_and_children,
    };
    sel.exclude_tables =
        expand_table_patterns(client, exclude, dbname, false, "table patterns").await?;
    let exclude_data = TablePatterns {
        plain: &f.exclude_table_data,
        with_children: &f.exclude_table_data_and_children,
    };
    sel.exclude_data =
        expand_table_patterns(client, exclude_data, dbname, false, "table patterns").await?;
    for (pattern, condition) in &f.table_data_where {
        let tables = TablePatterns {
            plain: std::slice::from_ref(pattern),
            with_children: &[],
        };
        let matched =
            expand_table_patterns(client, tables, dbname, f.strict_names, "table patterns").await?;
        for t in matched {
            sel.row_filters
                .entry(t)
                .or_default()
                .push(condition.clone());
        }
    }
    for p in &f.include_foreign_data {
        // Server names have no schema: any dot is refused, as pg_dump does.
        if outside_quotes_has_dot(p) {
            return Err(Error::usage(format!(
                "improper qualified name (too many dotted names): {p}"
            )));
        }
        let np = filter::parse_pattern(p, 1, dbname)?;
        let rows = query(
            client,
            "foreign server patterns",
            "SELECT s.srvname FROM pg_catalog.pg_foreign_server s WHERE s.srvname OPERATOR(pg_catalog.~) $1 COLLATE pg_catalog.default",
            &[&np.name_regex],
        )
        .await?;
        if rows.is_empty() {
            return Err(Error::usage(format!(
                "no matching foreign servers were found for pattern \"{p}\""
            )));
        }
        for r in &rows {
            sel.foreign_data_servers.insert(text(r, "srvname")?);
        }
    }
    Ok(sel)
}

/// Objects of which pg_dump dumps only the privileges (when they differ from the initial
/// ones): members of an extension that is dumped or built in (pg_dump's
/// checkExtensionMembership), and, in a whole-database dump with privileges, pg_catalog
/// functions and types. Done last, so nothing else treats them as dumped definitions.
pub(super) fn mark_acl_only(
    cat: &mut Catalog,
    ext_members: &BTreeMap<(u32, u32), u32>,
    catalog_acls: bool,
    include_everything: bool,
) {
    let acl_extensions: BTreeSet<u32> = cat
        .objects
        .iter()
        .filter(|o| o.kind() == Kind::Extension && o.dump)
        .map(|o| o.cat.oid)
        .collect();
    for o in &mut cat.objects {
        let kind = o.kind();
        if o.dump
            || !matches!(
                kind,
                Kind::Func
                    | Kind::Agg
                    | Kind::Type
                    | Kind::Table
                    | Kind::Language
                    | Kind::ForeignDataWrapper
                    | Kind::ForeignServer
            )
        {
            continue;
        }
        let wanted = match ext_members.get(&(o.cat.tableoid, o.cat.oid)) {
            Some(ext) => *ext < FIRST_NORMAL_OID || acl_extensions.contains(ext),
            // A procedural language from initdb lives in no schema (selectDumpableProcLang).
            None if kind == Kind::Language => include_everything && o.cat.oid < FIRST_NORMAL_OID,
            None => {
                catalog_acls
                    && matches!(kind, Kind::Func | Kind::Agg | Kind::Type)
                    && o.namespace.as_deref() == Some("pg_catalog")
            }
        };
        // An object whose privileges were never set has no ACL to dump, and pg_dump then counts
        // it as not dumped at all (its ACL component is cleared), which a language's handler
        // check sees.
        let has_acl = match &o.detail {
            Detail::Table(t) => {
                t.acl.acl.is_some()
                    || t.columns
                        .iter()
                        .any(|c| c.acl().is_some_and(|a| a.acl.is_some()))
            }
            Detail::Func(f) => f.acl.acl.is_some(),
            Detail::Type(t) => t.acl.acl.is_some(),
            Detail::Language(l) => l.acl.acl.is_some(),
            Detail::Foreign(f) => f.acl.acl.is_some(),
            _ => false,
        };
        if wanted && has_acl {
            o.dump = true;
            o.acl_only = true;
        }
    }
}

/// Extension configuration tables whose data the dump carries, with their data filters
/// (pg_dump's processExtensionTables): those of dumped extensions, and of others when the
/// table or its schema was named; never an excluded table or schema.
pub(super) fn config_tables(
    cat: &Catalog,
    ext_configs: &[(DumpId, Vec<(u32, String)>)],
    sel: &Selection,
) -> BTreeMap<DumpId, Option<String>> {
    let mut out = BTreeMap::new();
    if ext_configs.is_empty() {
        return out;
    }
    let schemas: BTreeMap<&str, &Obj> = cat
        .objects
        .iter()
        .filter(|o| o.kind() == Kind::Namespace)
        .map(|o| (&*o.name, o))
        .collect();
    for (ext, tables) in ext_configs {
        let ext_oid = cat.objects[*ext].cat.oid;
        if sel
            .include_extensions
            .as_ref()
            .is_some_and(|picked| !picked.contains(&ext_oid))
            || sel.exclude_extensions.contains(&ext_oid)
        {
            continue;
        }
        for (table_oid, condition) in tables {
            let Some(tid) = cat.find(PG_CLASS, *table_oid) else {
                continue;
            };
            let t = &cat.objects[tid];
            let schema = t
                .namespace
                .as_deref()
                .and_then(|ns| schemas.get(ns).copied());
            let mut wanted = cat.objects[*ext].dump
                || sel
                    .include_tables
                    .as_ref()
                    .is_some_and(|inc| inc.contains(table_oid))
                || schema.is_some_and(|s| s.dump);
            if sel.exclude_tables.contains(table_oid)
                || schema.is_some_and(|s| sel.exclude_schemas.contains(&s.cat.oid))
            {
                wanted = false;
            }
            if wanted {
                out.insert(tid, (!condition.is_empty()).then(|| condition.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(
        cat: &mut Catalog,
        kind: Kind,
        oid: u32,
        namespace: &str,
        acl: Option<&str>,
    ) -> DumpId {
        let acl = Acl {
            acl: acl.map(str::to_string),
            ..Default::default()
        };
        let (tableoid, detail) = match kind {
            Kind::Func => (
                PG_PROC,
                Detail::Func(Box::new(FuncDetail {
                    acl,
                    ..Default::default()
                })),
            ),
            _ => (
                PG_CLASS,
                Detail::Table(Box::new(TableDetail {
                    relkind: 'r',
                    acl: Box::new(acl),
                    ..Default::default()
                })),
            ),
        };
        cat.add(Obj {
            cat: CatalogId { tableoid, oid },
            namespace: Some(namespace.into()),
            name: format!("o{oid}").into(),
            detail,
            ..Obj::of(kind)
        })
    }

    #[test]
    fn only_privileges_of_members_and_changed_catalog_functions_are_dumped() {
        let mut cat = Catalog::default();
        let dumped_ext = cat.add(Obj {
            cat: CatalogId {
                tableoid: 3079,
                oid: 30000,
            },
            dump: true,
            ..Obj::of(Kind::Extension)
        });
        let skipped_ext_oid = 30001;
        let member_with_acl = object(&mut cat, Kind::Table, 30010, "public", Some("{a=r/b}"));
        let member_without_acl = object(&mut cat, Kind::Table, 30011, "public", None);
        let member_of_skipped = object(&mut cat, Kind::Table, 30012, "public", Some("{a=r/b}"));
        let catalog_func = object(&mut cat, Kind::Func, 1000, "pg_catalog", Some("{=X/b}"));
        let plain_func = object(&mut cat, Kind::Func, 30020, "public", Some("{=X/b}"));
        let ext_oid = cat.objects[dumped_ext].cat.oid;
        let members: BTreeMap<(u32, u32), u32> = [
            ((PG_CLASS, 30010), ext_oid),
            ((PG_CLASS, 30011), ext_oid),
            ((PG_CLASS, 30012), skipped_ext_oid),
        ]
        .into_iter()
        .collect();
        let mut with_catalog_acls = cat.clone();
        mark_acl_only(&mut with_catalog_acls, &members, true, true);
        let acl_only = |c: &Catalog, id: DumpId| c.objects[id].dump && c.objects[id].acl_only;
        assert!(acl_only(&with_catalog_acls, member_with_acl));
        assert!(!acl_only(&with_catalog_acls, member_without_acl));
        assert!(!acl_only(&with_catalog_acls, member_of_skipped));
        assert!(acl_only(&with_catalog_acls, catalog_func));
        assert!(!acl_only(&with_catalog_acls, plain_func));
        // A dump that names tables or schemas leaves pg_catalog's privileges out.
        mark_acl_only(&mut cat, &members, false, false);
        assert!(!acl_only(&cat, catalog_func));
        assert!(acl_only(&cat, member_with_acl));
    }
}
