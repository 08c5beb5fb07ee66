//! Comments and security labels. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`labels_and_comments`].
pub(in crate::catalog) const READ_LABELS_AND_COMMENTS: Reader = Reader {
    queries: |ld| {
        let mut q = Vec::new();
        if !ld.plan.switches.no_security_labels {
            q.push(ahead(SECLABELS));
        }
        if !ld.plan.no_comments {
            q.push(ahead(COMMENTS));
        }
        q
    },
    read: |ld| Box::pin(labels_and_comments(ld)),
};

/// Security labels and comments.
pub(crate) async fn labels_and_comments(ld: &mut Loader<'_>) -> Result<()> {
    // Security labels.
    if !ld.plan.switches.no_security_labels {
        ld.read_rows("security labels", SECLABELS, None, |ld, r| {
            ld.cat
                .seclabels
                .entry((oid(r, "classoid")?, oid(r, "objoid")?))
                .or_default()
                .push(SecLabel {
                    subid: i32_(r, "objsubid")?,
                    provider: text(r, "provider")?,
                    label: text(r, "label")?,
                });
            Ok(())
        })
        .await?;
    }

    // Comments.
    if !ld.plan.no_comments {
        ld.read_rows("comments", COMMENTS, None, |ld, r| {
            let classoid = oid(r, "classoid")?;
            let objoid = oid(r, "objoid")?;
            let subid = i32_(r, "objsubid")?;
            let desc = text(r, "description")?;
            // A composite type's column comments sit on its relation; they print with the type.
            if let (PG_CLASS, true, Some(&ty)) =
                (classoid, subid > 0, ld.composite_rel_to_type.get(&objoid))
            {
                let column = ld
                    .cat
                    .find(PG_CLASS, objoid)
                    .and_then(|rel| ld.cat.table(rel))
                    .and_then(|t| t.columns.iter().find(|c| i32::from(c.num) == subid))
                    .map(|c| c.name.to_string());
                if let (Some(column), Detail::Type(t)) = (column, &mut ld.cat.objects[ty].detail) {
                    t.column_comments.push((column, desc));
                }
                return Ok(());
            }
            attach_comment(&mut ld.cat, classoid, objoid, subid, desc);
            Ok(())
        })
        .await?;
    }

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// Every comment.
pub(crate) const COMMENTS: &str =
    "SELECT classoid, objoid, objsubid, description FROM pg_catalog.pg_description \
 ORDER BY classoid, objoid, objsubid";

/// Security labels (pg_dump's collectSecLabels; a label's providers in name order).
pub(crate) const SECLABELS: &str = "SELECT label, provider, classoid, objoid, objsubid \
 FROM pg_catalog.pg_seclabel ORDER BY classoid, objoid, objsubid, provider";
