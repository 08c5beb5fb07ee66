//! The state the catalog readers share while the catalog is read: the model being built, the
//! query pipeline, the selection, and the lookups later readers need from earlier ones
//! (schemas, extension members, tables, collations, composite types); it streams each query's
//! rows into the reader's per-row step.

use super::*;

/// What the readers share.
pub(crate) struct Loader<'a> {
    pub(crate) client: &'a Client,
    pub(crate) plan: &'a DumpPlan,
    pub(crate) sel: &'a Selection,
    pub(crate) pipe: Pipeline<'a>,
    pub(crate) cat: Catalog,
    /// The second connection for the slowest query of a big catalog, until it is started.
    pub(crate) helper: Option<Joining>,
    /// Whether the dump runs as a superuser (only one may read subscriptions' connections).
    pub(crate) superuser: bool,
    /// The subscriptions query this user may run.
    pub(crate) subscriptions_query: &'static str,
    /// `-t` named tables: no schema is dumped as such.
    pub(crate) filters_tables: bool,
    /// Nothing narrows the dump (pg_dump's include_everything).
    pub(crate) include_everything: bool,
    /// (classid, objid) -> extension, for every extension member.
    pub(crate) ext_members: BTreeMap<(u32, u32), u32>,
    /// Schemas by OID.
    pub(crate) namespaces: BTreeMap<u32, Ns>,
    /// Extensions with their configuration tables and the tables' data filters.
    pub(crate) ext_configs: Vec<(DumpId, Vec<(u32, String)>)>,
    /// Every relation read, in catalog order.
    pub(crate) table_ids: Vec<DumpId>,
    /// Composite types' attributes, by type OID.
    pub(crate) composite: BTreeMap<u32, Vec<(String, String, Option<String>)>>,
    /// A composite type's relation -> the type.
    pub(crate) composite_rel_to_type: BTreeMap<u32, DumpId>,
    /// Whether pg_catalog's changed privileges are part of this dump.
    pub(crate) catalog_acls: bool,
    /// Collation names by OID.
    pub(crate) collation_names: BTreeMap<u32, String>,
    /// `--quote-all-identifiers`, for the text read with the catalog.
    pub(crate) quoting: Quoting,
}

impl<'a> Loader<'a> {
    /// Reads the server's settings and starts the pipeline.
    pub(crate) async fn new(
        client: &'a Client,
        plan: &'a DumpPlan,
        sel: &'a Selection,
        helper: Option<Joining>,
    ) -> Result<Loader<'a>> {
        let mut cat = Catalog::default();
        let info = query(
            client,
            "server settings",
            "SELECT pg_catalog.current_setting('server_version') AS v, \
             pg_catalog.current_setting('server_version_num')::int4 AS num, \
             pg_catalog.pg_encoding_to_char(d.encoding) AS enc, \
             pg_catalog.current_setting('standard_conforming_strings') AS ss, \
             (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = CURRENT_USER) AS superuser \
             FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()",
            &[],
        )
        .await?;
        let info = info
            .first()
            .ok_or_else(|| Error::catalog("current database not found in pg_database"))?;
        cat.server_version = text(info, "v")?;
        cat.server_num = u32::try_from(i32_(info, "num")?).unwrap_or(0);
        cat.dialect = match plan.as_pg_dump {
            Some(major) => crate::dialect::Dialect::asked(major, cat.server_num)?,
            None => {
                let d = crate::dialect::Dialect::for_server(cat.server_num);
                d.check_options(&plan.switches.newer_options, Some(cat.server_num / 10000))?;
                d
            }
        };
        cat.encoding = text(info, "enc")?;
        cat.std_strings = text(info, "ss")? == "on";
        // Only a superuser may read subscriptions' connection strings (pg_dump then skips them).
        let superuser = opt_boolean(info, "superuser")?.unwrap_or(false);
        let subscriptions_query = if superuser {
            read::publication::subscriptions_sql(cat.server_num)
        } else {
            read::publication::SUBSCRIPTION_COUNT
        };
        let quoting = Quoting {
            all: plan.switches.quote_all_identifiers,
            major: cat.dialect.major,
        };
        Ok(Loader {
            client,
            plan,
            sel,
            pipe: Pipeline::new(client),
            cat,
            helper,
            superuser,
            subscriptions_query,
            filters_tables: sel.include_tables.is_some(),
            // -e narrows the dump too (pg_dump's include_everything), though schemas and their
            // contents are still chosen by -n/-t alone.
            include_everything: sel.include_tables.is_none()
                && sel.include_schemas.is_none()
                && sel.include_extensions.is_none(),
            ext_members: BTreeMap::new(),
            namespaces: BTreeMap::new(),
            ext_configs: Vec::new(),
            table_ids: Vec::new(),
            composite: BTreeMap::new(),
            composite_rel_to_type: BTreeMap::new(),
            // pg_catalog's changed privileges come with every dump that names no tables or
            // schemas.
            catalog_acls: sel.include_tables.is_none()
                && sel.include_schemas.is_none()
                && !plan.no_privileges,
            collation_names: BTreeMap::new(),
            quoting,
        })
    }

    /// Reads the rows of `sql`, the next query of the plan, one at a time into `read`: the
    /// reader's synchronous per-row step into plain structs and the model.
    pub(crate) async fn read_rows(
        &mut self,
        what: &str,
        sql: &'static str,
        oids: Option<&[u32]>,
        mut read: impl FnMut(&mut Self, &tokio_postgres::Row) -> Result<()>,
    ) -> Result<()> {
        let mut rows = self.pipe.stream(what, sql, oids).await?;
        while let Some(r) = next_row(&mut rows, what).await? {
            read(self, &r)?;
        }
        Ok(())
    }

    /// The large objects query, when large objects are part of the dump: with data in a
    /// whole-database dump, or asked for with -b (pg_dump's outputBlobs); one BLOBS entry
    /// then carries all their contents. -s never includes them: they are data, even with -b.
    pub(crate) fn large_objects_query(&self) -> Option<&'static str> {
        let output_blobs = self.plan.data
            && (self.plan.switches.large_objects
                || (self.include_everything && !self.plan.switches.no_large_objects));
        match (output_blobs, self.cat.dialect.groups_large_objects()) {
            (false, _) => None,
            (true, true) => Some(read::acl::LARGE_OBJECTS_BY_OWNER),
            (true, false) => Some(read::acl::LARGE_OBJECTS),
        }
    }

    /// The decisions made once everything is read: ACL-only objects, what `-a` keeps, the
    /// section boundaries.
    pub(crate) fn finish(mut self) -> Result<Catalog> {
        if let Some(&id) = self.cat.misfits.first() {
            let o = &self.cat.objects[id];
            return Err(Error::new(
                ErrorKind::Catalog,
                format!(
                    "internal error: {:?} \"{}\" (OID {}) was read with details of another kind",
                    o.kind, o.name, o.cat.oid
                ),
            ));
        }
        mark_acl_only(
            &mut self.cat,
            &self.ext_members,
            self.catalog_acls,
            self.include_everything,
        );
        // Without -s/-a everything is dumped; -a keeps definitions in the graph but prints none.
        if !self.plan.schema {
            for o in &mut self.cat.objects {
                // pg_dump counts large objects' own entries as data.
                if !o.kind().info().data {
                    o.dump = false;
                }
            }
        }
        add_boundaries(&mut self.cat);
        Ok(self.cat)
    }

    /// Whether an extension owns the object (its script makes it; only its ACL may be dumped).
    pub(crate) fn is_extension_member(&self, class: u32, o: u32) -> bool {
        self.ext_members.contains_key(&(class, o))
    }

    /// pg_dump's selectDumpableObject for an object in a schema: dumped with its schema's
    /// contents, unless `-t` narrows the dump to tables or an extension owns it.
    pub(crate) fn dumps_in_schema(&self, class: u32, o: u32, nsp: u32) -> bool {
        ns_contains(&self.namespaces, nsp)
            && !self.filters_tables
            && !self.is_extension_member(class, o)
    }

    /// pg_dump's selectDumpableObject for an object outside schemas: dumped unless anything
    /// narrows the dump or an extension owns it.
    pub(crate) fn dumps_global(&self, class: u32, o: u32) -> bool {
        self.include_everything && !self.is_extension_member(class, o)
    }
}

/// A schema's name by OID.
pub(crate) fn ns_name(namespaces: &BTreeMap<u32, Ns>, o: u32) -> Result<std::sync::Arc<str>> {
    namespaces
        .get(&o)
        .map(|n| n.name.clone())
        .ok_or_else(|| Error::catalog(format!("schema with OID {o} does not exist")))
}

/// Whether a schema's contents are dumped.
pub(crate) fn ns_contains(namespaces: &BTreeMap<u32, Ns>, o: u32) -> bool {
    namespaces.get(&o).map(|n| n.dump_contains).unwrap_or(false)
}

/// A collation's name by OID (none for 0).
pub(crate) fn coll_name(names: &BTreeMap<u32, String>, o: u32) -> Option<String> {
    if o == 0 {
        None
    } else {
        names.get(&o).cloned()
    }
}
