//! The leader's table locks, and the true table sizes read once they are held; sequence values read on a connection of their own.

use super::*;
use crate::ddl::quote::qualified;

/// Replaces the dumped tables' `relpages` with their true heap size (see
/// `read::table::TABLE_SIZES`); run once their locks are held, so that it never waits.
pub(super) async fn measure_tables(
    client: &Client,
    cat: &mut Catalog,
    table_ids: &[DumpId],
) -> Result<()> {
    let oids: Vec<u32> = table_ids
        .iter()
        .filter(|id| cat.objects[**id].dump)
        .filter(|id| cat.table(**id).map(|t| t.relkind) == Some('r'))
        .map(|id| cat.objects[*id].cat.oid)
        .collect();
    if oids.is_empty() {
        return Ok(());
    }
    let rows = client
        .query(read::table::TABLE_SIZES, &[&oids])
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("measuring tables"))?;
    for r in rows {
        let Some(id) = cat.find(PG_CLASS, oid(&r, "oid")?) else {
            continue;
        };
        let pages = i64_(&r, "pages")?;
        if let Detail::Table(t) = &mut cat.objects[id].detail {
            t.relpages = pages;
        }
    }
    Ok(())
}

pub(super) async fn lock_tables(
    client: &Client,
    cat: &Catalog,
    table_ids: &[DumpId],
) -> Result<()> {
    let names: Vec<String> = table_ids
        .iter()
        .filter(|id| cat.objects[**id].dump)
        .filter(|id| matches!(cat.table(**id).map(|t| t.relkind), Some('r' | 'p')))
        .map(|id| {
            let o = &cat.objects[*id];
            qualified(o.namespace.as_deref().unwrap_or(""), &o.name)
        })
        .collect();
    for chunk in names.chunks(1000) {
        let sql = format!("LOCK TABLE {} IN ACCESS SHARE MODE", chunk.join(", "));
        client
            .batch_execute(&sql)
            .await
            .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("locking tables"))?;
    }
    Ok(())
}

/// Reads the state of every dumped sequence. Run it on a connection in autocommit mode: reading
/// a sequence locks it, and sequence values are not transactional anyway (pg_dump too reads
/// whatever the value is when it asks), so each statement releases its locks and a database
/// with thousands of sequences does not exhaust the lock table.
///
/// One `pg_sequence_last_value` pass answers every sequence that has been called (27 us each);
/// only the others (NULL there: `last_value` is then whatever `setval(.., false)` or START
/// left) are read from the sequence itself, 100 per `UNION ALL` (planning grows faster than
/// linearly with more).
pub async fn load_sequence_values(client: &Client, cat: &mut Catalog) -> Result<()> {
    let seqs: Vec<DumpId> = cat
        .objects
        .iter()
        .filter(|o| o.kind() == Kind::SequenceSet)
        .filter_map(|o| match o.detail {
            Detail::TableData { table } => Some(table),
            _ => None,
        })
        .collect();
    let set = |cat: &mut Catalog, seq: u32, last: i64, called: bool| {
        if let Some(id) = cat.find(PG_CLASS, seq) {
            if let Detail::Table(t) = &mut cat.objects[id].detail {
                if let Some(p) = &mut t.seq {
                    p.last_value = last;
                    p.is_called = called;
                }
            }
        }
    };
    let oids: Vec<u32> = seqs.iter().map(|id| cat.objects[*id].cat.oid).collect();
    let mut uncalled: Vec<DumpId> = Vec::new();
    // 500 per statement: each statement's locks are released when it ends.
    for chunk in oids.chunks(500) {
        let mut rows = query_stream(
            client,
            "sequence values",
            "SELECT s.seq, pg_catalog.pg_sequence_last_value(s.seq) AS last_value \
             FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS s(seq)",
            &[&chunk],
        )
        .await?;
        while let Some(r) = next_row(&mut rows, "sequence values").await? {
            let seq = oid(&r, "seq")?;
            match opt_i64(&r, "last_value")? {
                Some(last) => set(cat, seq, last, true),
                None => uncalled.extend(cat.find(PG_CLASS, seq)),
            }
        }
    }
    for chunk in uncalled.chunks(100) {
        let parts: Vec<String> = chunk
            .iter()
            .map(|id| {
                let o = &cat.objects[*id];
                format!(
                    "SELECT {}::pg_catalog.oid AS seq, last_value, is_called FROM {}",
                    o.cat.oid,
                    qualified(o.namespace.as_deref().unwrap_or(""), &o.name)
                )
            })
            .collect();
        let sql = parts.join(" UNION ALL ");
        let mut rows = query_stream(client, "sequence values", &sql, &[]).await?;
        while let Some(r) = next_row(&mut rows, "sequence values").await? {
            let last = i64_(&r, "last_value")?;
            let called = boolean(&r, "is_called")?;
            set(cat, oid(&r, "seq")?, last, called);
        }
    }
    Ok(())
}
