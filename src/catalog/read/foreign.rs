//! Foreign-data wrappers, servers and user mappings. Read on the leader's connection, in the order `catalog::load` walks.

use crate::catalog::loader::*;
use crate::catalog::*;

/// Foreign-data wrappers and servers (a server carries its user mappings).
pub(crate) async fn foreign_data(ld: &mut Loader<'_>) -> Result<()> {
    // Foreign-data wrappers and servers (a server carries its user mappings).
    let mut rows = ld
        .pipe
        .stream("foreign-data wrappers", queries::FDWS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "foreign-data wrappers").await? {
        let o = oid(&r, "oid")?;
        let mut clauses = String::new();
        for (label, col) in [(" HANDLER ", "fdwhandler"), (" VALIDATOR ", "fdwvalidator")] {
            let f = text(&r, col)?;
            if f != "-" {
                clauses.push_str(label);
                clauses.push_str(&f);
            }
        }
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: text(&r, "fdwname")?.into(),
            dump: ld.include_everything && !ld.ext_members.contains_key(&(PG_FDW, o)),
            detail: Detail::Foreign(Box::new(ForeignDetail {
                owner: text(&r, "owner")?,
                clauses,
                wrapper: None,
                options: text(&r, "fdwoptions")?,
                mappings: Vec::new(),
                acl: Acl {
                    acl: opt_text(&r, "fdwacl")?,
                    acldefault: text(&r, "acldefault")?,
                    initprivs: None,
                },
                comment: None,
            })),
            ..Obj::of(Kind::ForeignDataWrapper)
        });
    }
    let mut rows = ld
        .pipe
        .stream("foreign servers", queries::FOREIGN_SERVERS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "foreign servers").await? {
        let o = oid(&r, "oid")?;
        let mut clauses = String::new();
        for (label, col) in [(" TYPE ", "srvtype"), (" VERSION ", "srvversion")] {
            if let Some(v) = opt_text(&r, col)?.filter(|v| !v.is_empty()) {
                clauses.push_str(label);
                clauses.push_str(&crate::ddl::quote::quote_literal(&v, ld.cat.std_strings));
            }
        }
        let users = text_array(&r, "mapping_users")?;
        let options = text_array(&r, "mapping_options")?;
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: text(&r, "srvname")?.into(),
            dump: ld.include_everything && !ld.ext_members.contains_key(&(PG_FOREIGN_SERVER, o)),
            detail: Detail::Foreign(Box::new(ForeignDetail {
                owner: text(&r, "owner")?,
                clauses,
                wrapper: Some(text(&r, "fdwname")?),
                options: text(&r, "srvoptions")?,
                mappings: users.into_iter().zip(options).collect(),
                acl: Acl {
                    acl: opt_text(&r, "srvacl")?,
                    acldefault: text(&r, "acldefault")?,
                    initprivs: None,
                },
                comment: None,
            })),
            ..Obj::of(Kind::ForeignServer)
        });
    }

    Ok(())
}
