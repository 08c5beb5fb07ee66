//! The dump's client encoding: every connection reads the catalog in UTF8, and text that is
//! not plain ASCII is converted by the server (`convert_to`, the conversion pg_dump's own
//! connection would get) into the encoding the script declares. Table data comes already
//! converted from workers whose `client_encoding` is that encoding; the SQL they send is kept
//! ASCII with `U&` escapes ([`ascii_sql`]).

use crate::error::{Error, ErrorKind, Result};
use std::borrow::Cow;
use tokio_postgres::Client;

/// Converts text into the dump's encoding.
pub struct Encoder<'a> {
    /// The connection that converts, and the target encoding; `None` for UTF8 (no conversion).
    convert: Option<(&'a Client, String)>,
}

impl<'a> Encoder<'a> {
    /// An encoder into `encoding` (pg_encoding_to_char's name), converting through `client`.
    pub fn new(client: &'a Client, encoding: &str) -> Self {
        Encoder {
            convert: (encoding != "UTF8").then(|| (client, encoding.to_string())),
        }
    }

    /// The bytes of `text` in the dump's encoding (ASCII is the same in every encoding).
    pub async fn bytes<'t>(&self, text: &'t str) -> Result<Cow<'t, [u8]>> {
        match &self.convert {
            Some((client, encoding)) if !text.is_ascii() => {
                convert(client, text, encoding).await.map(Cow::Owned)
            }
            _ => Ok(Cow::Borrowed(text.as_bytes())),
        }
    }
}

/// `text` converted by the server into `encoding`; the server's error when a character has
/// no equivalent there (as pg_dump would get it).
pub async fn convert(client: &Client, text: &str, encoding: &str) -> Result<Vec<u8>> {
    let row = client
        .query_one("SELECT pg_catalog.convert_to($1, $2)", &[&text, &encoding])
        .await
        .map_err(|e| {
            Error::from_pg(e, ErrorKind::Server)
                .context(format!("converting the dump to encoding {encoding}"))
        })?;
    row.try_get::<_, Vec<u8>>(0).map_err(|e| {
        Error::from_pg(e, ErrorKind::Server)
            .context(format!("converting the dump to encoding {encoding}"))
    })
}

/// `sql` with every quoted identifier or string literal that holds non-ASCII characters
/// rewritten with Unicode escapes (`U&"caf\00e9"`), so that it means the same whatever the
/// connection's client encoding. ASCII text is returned as it is.
pub fn ascii_sql(sql: &str) -> Cow<'_, str> {
    if sql.is_ascii() {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c != '"' && c != '\'' {
            out.push(c);
            continue;
        }
        // The whole quoted token, doubled quotes included.
        let mut end = sql.len();
        while let Some((i, d)) = chars.next() {
            if d == c {
                if chars.peek().map(|(_, n)| *n) == Some(c) {
                    chars.next();
                    continue;
                }
                end = i + 1;
                break;
            }
        }
        let token = &sql[start..end];
        if token.is_ascii() {
            out.push_str(token);
            continue;
        }
        out.push_str("U&");
        for ch in token.chars() {
            match ch {
                '\\' => out.push_str("\\\\"),
                ch if ch.is_ascii() => out.push(ch),
                ch if (ch as u32) <= 0xFFFF => out.push_str(&format!("\\{:04x}", ch as u32)),
                ch => out.push_str(&format!("\\+{:06x}", ch as u32)),
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_quoted_tokens_get_unicode_escapes() {
        assert_eq!(
            ascii_sql("COPY public.t (a) TO stdout;"),
            "COPY public.t (a) TO stdout;"
        );
        assert_eq!(
            ascii_sql("COPY public.\"café\" (\"näme\", b) TO stdout;"),
            "COPY public.U&\"caf\\00e9\" (U&\"n\\00e4me\", b) TO stdout;"
        );
        assert_eq!(
            ascii_sql("SELECT \"a\"\"é\\\" FROM t WHERE x = 'it''s 日本'"),
            "SELECT U&\"a\"\"\\00e9\\\\\" FROM t WHERE x = U&'it''s \\65e5\\672c'"
        );
        assert_eq!(ascii_sql("SELECT '😀'"), "SELECT U&'\\+01f600'");
        assert!(ascii_sql("SELECT \"é\"").is_ascii());
    }
}
