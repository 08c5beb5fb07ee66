//! Extensions and their members. Read on the leader's connection, in the order `catalog::load` walks.

use crate::catalog::loader::*;
use crate::catalog::*;

/// Extension membership: members are never dumped on their own (only their changed privileges).
pub(crate) async fn members(ld: &mut Loader<'_>) -> Result<()> {
    // Extension membership first: members are never dumped on their own (only their changed
    // privileges, see the end). (classid, objid) -> extension.
    let mut rows = ld
        .pipe
        .stream("extension members", queries::EXTENSION_MEMBERS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "extension members").await? {
        ld.ext_members.insert(
            (oid(&r, "classid")?, oid(&r, "objid")?),
            oid(&r, "refobjid")?,
        );
    }

    Ok(())
}

/// Extensions, and the configuration tables whose data they leave to the dump.
pub(crate) async fn extensions(ld: &mut Loader<'_>) -> Result<()> {
    // Extensions, and the configuration tables whose data they leave to the dump:
    // (extension, its tables with their data filters).
    let mut rows = ld
        .pipe
        .stream("extensions", queries::EXTENSIONS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "extensions").await? {
        let o = oid(&r, "oid")?;
        let (config, conditions) = (oid_array(&r, "extconfig")?, text_array(&r, "extcondition")?);
        if config.len() != conditions.len() {
            return Err(Error::catalog(format!(
                "mismatched number of configurations and conditions for extension \"{}\"",
                text(&r, "extname")?
            )));
        }
        let id = ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: text(&r, "extname")?.into(),
            // -e picks extensions by name, whatever -n/-t say (pg_dump's
            // selectDumpableExtension).
            dump: o >= FIRST_NORMAL_OID
                && match &ld.sel.include_extensions {
                    Some(picked) => picked.contains(&o),
                    None => ld.include_everything,
                }
                && !ld.sel.exclude_extensions.contains(&o),
            detail: Detail::Extension(Box::new(ExtensionDetail {
                schema: text(&r, "nspname")?,
                version: text(&r, "extversion")?,
                comment: None,
            })),
            ..Obj::of(Kind::Extension)
        });
        if !config.is_empty() {
            ld.ext_configs
                .push((id, config.into_iter().zip(conditions).collect()));
        }
    }

    Ok(())
}
