//! Foreign-data wrappers, servers and user mappings. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`foreign_data`].
pub(in crate::catalog) const READ_FOREIGN_DATA: Reader = Reader {
    queries: |_| vec![ahead(FDWS), ahead(FOREIGN_SERVERS)],
    read: |ld| Box::pin(foreign_data(ld)),
};

/// Foreign-data wrappers and servers (a server carries its user mappings).
pub(crate) async fn foreign_data(ld: &mut Loader<'_>) -> Result<()> {
    // Foreign-data wrappers and servers (a server carries its user mappings).
    ld.read_rows("foreign-data wrappers", FDWS, None, |ld, r| {
        let o = oid(r, "oid")?;
        let mut clauses = String::new();
        for (label, col) in [(" HANDLER ", "fdwhandler"), (" VALIDATOR ", "fdwvalidator")] {
            let f = text(r, col)?;
            if f != "-" {
                clauses.push_str(label);
                clauses.push_str(&f);
            }
        }
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: None,
            name: text(r, "fdwname")?.into(),
            dump: ld.dumps_global(PG_FDW, o),
            detail: Detail::Foreign(Box::new(ForeignDetail {
                owner: text(r, "owner")?,
                clauses,
                wrapper: None,
                options: text(r, "fdwoptions")?,
                mappings: Vec::new(),
                acl: Acl {
                    acl: opt_text(r, "fdwacl")?,
                    acldefault: text(r, "acldefault")?,
                    initprivs: None,
                },
                comment: None,
            })),
            ..Obj::of(Kind::ForeignDataWrapper)
        });
        Ok(())
    })
    .await?;
    ld.read_rows("foreign servers", FOREIGN_SERVERS, None, |ld, r| {
        let o = oid(r, "oid")?;
        let mut clauses = String::new();
        for (label, col) in [(" TYPE ", "srvtype"), (" VERSION ", "srvversion")] {
            if let Some(v) = opt_text(r, col)?.filter(|v| !v.is_empty()) {
                clauses.push_str(label);
                clauses.push_str(&crate::ddl::quote::quote_literal(&v, ld.cat.std_strings));
            }
        }
        let users = text_array(r, "mapping_users")?;
        let options = text_array(r, "mapping_options")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: None,
            name: text(r, "srvname")?.into(),
            dump: ld.dumps_global(PG_FOREIGN_SERVER, o),
            detail: Detail::Foreign(Box::new(ForeignDetail {
                owner: text(r, "owner")?,
                clauses,
                wrapper: Some(text(r, "fdwname")?),
                options: text(r, "srvoptions")?,
                mappings: users.into_iter().zip(options).collect(),
                acl: Acl {
                    acl: opt_text(r, "srvacl")?,
                    acldefault: text(r, "acldefault")?,
                    initprivs: None,
                },
                comment: None,
            })),
            ..Obj::of(Kind::ForeignServer)
        });
        Ok(())
    })
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// Foreign-data wrappers, options already as pg_dump prints them.
pub(crate) const FDWS: &str = "SELECT w.tableoid, w.oid, w.fdwname, pg_catalog.pg_get_userbyid(w.fdwowner) AS owner, \
 w.fdwhandler::pg_catalog.regproc::text AS fdwhandler, w.fdwvalidator::pg_catalog.regproc::text AS fdwvalidator, \
 w.fdwacl::text, pg_catalog.acldefault('F', w.fdwowner)::text AS acldefault, \
 pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(option_name) || ' ' || pg_catalog.quote_literal(option_value) \
   FROM pg_catalog.pg_options_to_table(w.fdwoptions) ORDER BY option_name), E',\n    ') AS fdwoptions \
 FROM pg_catalog.pg_foreign_data_wrapper w ORDER BY w.oid";

/// Foreign servers with their wrapper's name and user mappings (pg_dump's dumpUserMappings
/// reads the public view, so options it may not see come out empty there too).
pub(crate) const FOREIGN_SERVERS: &str = "SELECT s.tableoid, s.oid, s.srvname, pg_catalog.pg_get_userbyid(s.srvowner) AS owner, \
 w.fdwname, s.srvtype, s.srvversion, s.srvacl::text, pg_catalog.acldefault('S', s.srvowner)::text AS acldefault, \
 pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(option_name) || ' ' || pg_catalog.quote_literal(option_value) \
   FROM pg_catalog.pg_options_to_table(s.srvoptions) ORDER BY option_name), E',\n    ') AS srvoptions, \
 ARRAY(SELECT um.usename::text FROM pg_catalog.pg_user_mappings um WHERE um.srvid = s.oid ORDER BY um.usename) AS mapping_users, \
 ARRAY(SELECT pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(option_name) || ' ' || pg_catalog.quote_literal(option_value) \
   FROM pg_catalog.pg_options_to_table(um.umoptions) ORDER BY option_name), E',\n    ') \
   FROM pg_catalog.pg_user_mappings um WHERE um.srvid = s.oid ORDER BY um.usename) AS mapping_options \
 FROM pg_catalog.pg_foreign_server s JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw ORDER BY s.oid";
