//! Sequences. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`sequences`].
pub(in crate::catalog) const READ_SEQUENCES: Reader = Reader {
    // After the table locks.
    queries: |_| vec![when_read(SEQUENCES)],
    read: |ld| Box::pin(sequences(ld)),
};

/// Sequence parameters.
pub(crate) async fn sequences(ld: &mut Loader<'_>) -> Result<()> {
    // Sequence parameters.
    ld.read_rows("sequences", SEQUENCES, None, |ld, r| {
        if let Some(id) = ld.cat.find(PG_CLASS, oid(r, "seqrelid")?) {
            let p = SequenceParams {
                type_name: text(r, "seqtype")?,
                start: i64_(r, "seqstart")?,
                increment: i64_(r, "seqincrement")?,
                max: i64_(r, "seqmax")?,
                min: i64_(r, "seqmin")?,
                cache: i64_(r, "seqcache")?,
                cycle: boolean(r, "seqcycle")?,
                ..Default::default()
            };
            if let Detail::Table(t) = &mut ld.cat.objects[id].detail {
                t.seq = Some(Box::new(p));
            }
        }
        Ok(())
    })
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// Sequence parameters.
pub(crate) const SEQUENCES: &str = "SELECT s.seqrelid, pg_catalog.format_type(s.seqtypid, NULL) AS seqtype, s.seqstart, s.seqincrement, \
 s.seqmax, s.seqmin, s.seqcache, s.seqcycle FROM pg_catalog.pg_sequence s";
