//! Large objects' contents in a plain dump: pg_dump's BLOBS entry (each object opened, written
//! with one `lowrite` per 16 KiB, closed; all in one transaction), read in the dump's snapshot.

use crate::error::{Error, ErrorKind, Result};
use tokio_postgres::Client;

/// Bytes per `lowrite` statement: pg_dump reads and writes large objects in pieces of its
/// `LOBBUFSIZE`, so the same pieces give the same text.
const PIECE: usize = 16384;
/// Bytes fetched per round trip (a multiple of [`PIECE`], so pieces never straddle fetches).
const FETCH: i32 = 64 * PIECE as i32;
/// `INV_WRITE`, the mode pg_dump's script opens objects with.
const INV_WRITE: i32 = 0x20000;

/// `SELECT pg_catalog.lowrite(0, '\x...');` for one piece (appendByteaLiteral's hex form).
fn lowrite(piece: &[u8], std_strings: bool) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(piece.len() * 2 + 40);
    s.push_str("SELECT pg_catalog.lowrite(0, '");
    if !std_strings {
        s.push('\\');
    }
    s.push_str("\\x");
    for b in piece {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 0xf) as usize] as char);
    }
    s.push_str("');\n");
    s
}

/// Writes the BLOBS entry's body: the large objects the catalog read (in the same snapshot),
/// in OID order.
pub async fn write(
    client: &Client,
    mut oids: Vec<u32>,
    std_strings: bool,
    out: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let failed = |what: String| {
        move |e: tokio_postgres::Error| Error::from_pg(e, ErrorKind::Server).context(what)
    };
    oids.sort_unstable();
    let read = client
        .prepare("SELECT pg_catalog.lo_get($1, $2, $3)")
        .await
        .map_err(failed("reading large objects".into()))?;
    out(b"BEGIN;\n\n")?;
    for oid in oids {
        out(format!("SELECT pg_catalog.lo_open('{oid}', {INV_WRITE});\n").as_bytes())?;
        let mut offset: i64 = 0;
        loop {
            let row = client
                .query_one(&read, &[&oid, &offset, &FETCH])
                .await
                .map_err(failed(format!("reading large object {oid}")))?;
            let data: Vec<u8> = row
                .try_get(0)
                .map_err(failed(format!("reading large object {oid}")))?;
            for piece in data.chunks(PIECE) {
                out(lowrite(piece, std_strings).as_bytes())?;
            }
            if data.len() < FETCH as usize {
                break;
            }
            offset += data.len() as i64;
        }
        out(b"SELECT pg_catalog.lo_close(0);\n\n")?;
    }
    out(b"COMMIT;\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_hex_bytea_literals() {
        assert_eq!(
            lowrite(&[0xde, 0xad, 0xbe, 0xef], true),
            "SELECT pg_catalog.lowrite(0, '\\xdeadbeef');\n"
        );
        assert_eq!(
            lowrite(&[0x0a], false),
            "SELECT pg_catalog.lowrite(0, '\\\\x0a');\n"
        );
    }
}
