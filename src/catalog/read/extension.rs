//! Extensions and their members. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`members`].
pub(in crate::catalog) const READ_MEMBERS: Reader = Reader {
    queries: |_| vec![ahead(EXTENSION_MEMBERS)],
    read: |ld| Box::pin(members(ld)),
};

/// Extension membership: members are never dumped on their own (only their changed privileges).
pub(crate) async fn members(ld: &mut Loader<'_>) -> Result<()> {
    // Extension membership first: members are never dumped on their own (only their changed
    // privileges, see the end). (classid, objid) -> extension.
    ld.read_rows("extension members", EXTENSION_MEMBERS, None, |ld, r| {
        ld.ext_members
            .insert((oid(r, "classid")?, oid(r, "objid")?), oid(r, "refobjid")?);
        Ok(())
    })
    .await?;

    Ok(())
}

/// The walk's step for [`extensions`].
pub(in crate::catalog) const READ_EXTENSIONS: Reader = Reader {
    queries: |_| vec![ahead(EXTENSIONS)],
    read: |ld| Box::pin(extensions(ld)),
};

/// Extensions, and the configuration tables whose data they leave to the dump.
pub(crate) async fn extensions(ld: &mut Loader<'_>) -> Result<()> {
    // Extensions, and the configuration tables whose data they leave to the dump:
    // (extension, its tables with their data filters).
    ld.read_rows("extensions", EXTENSIONS, None, |ld, r| {
        let o = oid(r, "oid")?;
        let (config, conditions) = (oid_array(r, "extconfig")?, text_array(r, "extcondition")?);
        if config.len() != conditions.len() {
            return Err(Error::catalog(format!(
                "mismatched number of configurations and conditions for extension \"{}\"",
                text(r, "extname")?
            )));
        }
        let id = ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: None,
            name: text(r, "extname")?.into(),
            // -e picks extensions by name, whatever -n/-t say (pg_dump's
            // selectDumpableExtension).
            dump: o >= FIRST_NORMAL_OID
                && match &ld.sel.include_extensions {
                    Some(picked) => picked.contains(&o),
                    None => ld.include_everything,
                }
                && !ld.sel.exclude_extensions.contains(&o),
            detail: Detail::Extension(Box::new(ExtensionDetail {
                schema: text(r, "nspname")?,
                version: text(r, "extversion")?,
                comment: None,
            })),
            ..Obj::of(Kind::Extension)
        });
        if !config.is_empty() {
            ld.ext_configs
                .push((id, config.into_iter().zip(conditions).collect()));
        }
        Ok(())
    })
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// Extensions.
pub(crate) const EXTENSIONS: &str = "SELECT x.tableoid, x.oid, x.extname, n.nspname, x.extversion, \
 x.extconfig::pg_catalog.oid[] AS extconfig, x.extcondition::text[] AS extcondition \
 FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace ORDER BY x.oid";

/// Objects that belong to an extension.
pub(crate) const EXTENSION_MEMBERS: &str =
    "SELECT classid, objid, refobjid FROM pg_catalog.pg_depend \
 WHERE refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND deptype = 'e' ORDER BY 1, 2";
