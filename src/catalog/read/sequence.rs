//! Sequences. Read on the leader's connection, in the order `catalog::load` walks.

use crate::catalog::loader::*;
use crate::catalog::*;

/// Sequence parameters.
pub(crate) async fn sequences(ld: &mut Loader<'_>) -> Result<()> {
    // Sequence parameters.
    let mut rows = ld
        .pipe
        .stream("sequences", queries::SEQUENCES, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "sequences").await? {
        if let Some(id) = ld.cat.find(PG_CLASS, oid(&r, "seqrelid")?) {
            let p = SequenceParams {
                type_name: text(&r, "seqtype")?,
                start: i64_(&r, "seqstart")?,
                increment: i64_(&r, "seqincrement")?,
                max: i64_(&r, "seqmax")?,
                min: i64_(&r, "seqmin")?,
                cache: i64_(&r, "seqcache")?,
                cycle: boolean(&r, "seqcycle")?,
                ..Default::default()
            };
            if let Detail::Table(t) = &mut ld.cat.objects[id].detail {
                t.seq = Some(Box::new(p));
            }
        }
    }

    Ok(())
}
