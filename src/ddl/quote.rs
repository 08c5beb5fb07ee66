//! Identifier and literal quoting exactly as pg_dump's `fmtId` and `appendStringLiteral` do.

use super::keywords::{is_quoted_keyword, QUOTED_KEYWORDS};

/// How pg_dump's `fmtId` quotes: `--quote-all-identifiers`, and the keyword list of the pg_dump
/// major whose text is written (its parser's, compiled into it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quoting {
    /// Quote every identifier, keyword or not.
    pub all: bool,
    /// The pg_dump major whose keywords are quoted (0: 15's).
    pub major: u32,
}

impl Quoting {
    /// An identifier as pg_dump's `fmtId` writes it under these settings.
    pub fn ident(self, name: &str) -> String {
        if self.all || !plain_word(name) || is_quoted_keyword(name, self.major) {
            always_quoted(name)
        } else {
            name.to_string()
        }
    }

    /// `schema.name`, each part quoted as [`Quoting::ident`] does.
    pub fn qualified(self, schema: &str, name: &str) -> String {
        format!("{}.{}", self.ident(schema), self.ident(name))
    }
}

/// Quotes an identifier the way pg_dump's `fmtId` does: bare when it is all lower-case
/// letters, digits and underscores (not starting with a digit) and not a reserved-ish keyword.
pub fn quote_ident(name: &str) -> String {
    if !needs_quotes(name) {
        return name.to_string();
    }
    always_quoted(name)
}

/// `name` in double quotes, inner ones doubled.
fn always_quoted(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// All lower-case letters, digits and underscores, not starting with a digit.
fn plain_word(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes
        .first()
        .is_some_and(|b| b.is_ascii_lowercase() || *b == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
}

fn needs_quotes(name: &str) -> bool {
    !plain_word(name) || QUOTED_KEYWORDS.binary_search(&name).is_ok()
}

/// `schema.name` with both parts quoted as needed (pg_dump's `fmtQualifiedId`).
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", quote_ident(schema), quote_ident(name))
}

/// A string literal as pg_dump writes it with `standard_conforming_strings = on`:
/// single quotes doubled; an `E''` literal when the text holds a backslash and
/// the server does not use standard strings.
pub fn quote_literal(value: &str, std_strings: bool) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    if !std_strings && value.contains('\\') {
        out.push('E');
    }
    out.push('\'');
    for c in value.chars() {
        if c == '\'' || (c == '\\' && !std_strings) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// pg_dump's `sanitize_line`: object names in `--` comment lines must not break the line.
pub fn sanitize_line(value: &str) -> String {
    value.replace(['\n', '\r'], " ")
}

/// Dollar-quotes a function body like pg_dump's `appendStringLiteralDQ`: the delimiter grows
/// from `$` by the suffixes `_XXXXXXX` (cycling) until, without its closing `$`, it no longer
/// occurs in the body.
pub fn dollar_quote(body: &str) -> String {
    const SUFFIXES: &[u8] = b"_XXXXXXX";
    let mut delim = String::from("$");
    let mut next = 0;
    while body.contains(&delim) {
        delim.push(SUFFIXES[next] as char);
        next = (next + 1) % SUFFIXES.len();
    }
    delim.push('$');
    format!("{delim}{body}{delim}")
}

/// Formats a reloptions array the way pg_dump's `appendReloptionsArray` does.
pub fn format_reloptions(q: Quoting, opts: &[String], prefix: &str) -> String {
    let mut out = Vec::new();
    for o in opts {
        let (name, value) = match o.split_once('=') {
            Some((n, v)) => (n, v),
            None => (o.as_str(), ""),
        };
        // A value that reads as a plain identifier goes bare, anything else as a literal.
        let quoted_value = if q.ident(value) == value {
            value.to_string()
        } else {
            quote_literal(value, true)
        };
        out.push(format!("{prefix}{}={quoted_value}", q.ident(name)));
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_sorted_for_binary_search() {
        let mut sorted = QUOTED_KEYWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, QUOTED_KEYWORDS);
    }

    #[test]
    fn fmt_id_cases() {
        let cases = [
            ("foo", "foo"),
            ("Foo", "\"Foo\""),
            ("select", "\"select\""),
            ("a\"b", "\"a\"\"b\""),
            ("_x1", "_x1"),
            ("1x", "\"1x\""),
            ("bıgınt", "\"bıgınt\""),
            ("", "\"\""),
            ("year", "year"),
            ("user", "\"user\""),
            ("zip code", "\"zip code\""),
        ];
        for (input, want) in cases {
            assert_eq!(quote_ident(input), want, "quote_ident({input:?})");
        }
    }

    #[test]
    fn literals_and_dollar_quotes() {
        assert_eq!(quote_literal("it's", true), "'it''s'");
        assert_eq!(quote_literal("a\\b", true), "'a\\b'");
        assert_eq!(quote_literal("a\\b", false), "E'a\\\\b'");
        assert_eq!(dollar_quote("select 1"), "$$select 1$$");
        assert_eq!(dollar_quote("select $1"), "$_$select $1$_$");
        assert_eq!(dollar_quote("$_$ $$"), "$_X$$_$ $$$_X$");
    }
}
