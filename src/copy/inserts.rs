//! Table data as INSERT statements: the rows read through a cursor, a thousand at a time, in
//! the dump's snapshot, and turned into text by `crate::inserts` (pure).

use crate::error::{Error, ErrorKind, Result};
use crate::inserts::{InsertSpec, RowFormatter, ValueKind};
use bytes::Bytes;
use tokio_postgres::{Client, SimpleQueryMessage};

/// Reads a table through a cursor and hands its INSERT statements on in batches.
pub async fn dump_table(
    client: &Client,
    spec: &InsertSpec,
    name: &str,
    encoding: Option<&str>,
    mut sink: impl FnMut(Bytes) -> Result<()>,
) -> Result<()> {
    let err = |e| Error::from_pg(e, ErrorKind::Server).context(format!("reading {name}"));
    // Rows are read as UTF8 text (the worker's COPY encoding is set back afterwards) and the
    // statements made from them converted like the schema text.
    if encoding.is_some() {
        client
            .batch_execute("SET client_encoding = 'UTF8'")
            .await
            .map_err(err)?;
    }
    let to_bytes = |text: String| async move {
        match encoding {
            Some(enc) if !text.is_ascii() => crate::output::encode::convert(client, &text, enc)
                .await
                .map(Bytes::from),
            _ => Ok(Bytes::from(text)),
        }
    };
    let statement = client.prepare(&spec.select).await.map_err(err)?;
    let kinds: Vec<ValueKind> = statement
        .columns()
        .iter()
        .map(|c| ValueKind::of(c.type_()))
        .collect();
    client
        .batch_execute(&format!(
            "DECLARE pgsnap_insert_rows NO SCROLL CURSOR FOR {}",
            spec.select
        ))
        .await
        .map_err(err)?;
    let mut fmt = RowFormatter::new(spec);
    loop {
        let messages = client
            .simple_query("FETCH 1000 FROM pgsnap_insert_rows")
            .await
            .map_err(err)?;
        let mut out = String::new();
        let mut rows = 0;
        for m in &messages {
            if let SimpleQueryMessage::Row(r) = m {
                rows += 1;
                let values: Vec<Option<&str>> = (0..r.len()).map(|i| r.get(i)).collect();
                fmt.push_row(&mut out, &values, &kinds);
            }
        }
        if rows == 0 {
            break;
        }
        sink(to_bytes(out).await?)?;
    }
    let mut tail = String::new();
    fmt.finish(&mut tail);
    if !tail.is_empty() {
        sink(to_bytes(tail).await?)?;
    }
    client
        .batch_execute("CLOSE pgsnap_insert_rows")
        .await
        .map_err(err)?;
    if let Some(enc) = encoding {
        client
            .batch_execute(&format!("SET client_encoding = '{enc}'"))
            .await
            .map_err(err)?;
    }
    Ok(())
}
