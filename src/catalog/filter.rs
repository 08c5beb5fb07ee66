//! pg_dump's name patterns (`-t`, `-n`, `--exclude-table-data`, ...) turned into the anchored
//! regular expressions pg_dump sends to the server (`patternToSQLRegex`). Pure.

use crate::error::{Error, Result};

/// A pattern split into its optional schema part and its name part, each an anchored regex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePattern {
    /// The pattern as the user typed it (for messages).
    pub original: String,
    /// Regex for the schema name, when the pattern had a `schema.` part.
    pub schema_regex: Option<String>,
    /// Regex for the object name.
    pub name_regex: String,
}

/// Converts one pattern with `parts` allowed dot-separated parts (1 for schema patterns,
/// 2 for table patterns; a leading database part is accepted and checked against `dbname`).
pub fn parse_pattern(pattern: &str, max_parts: usize, dbname: &str) -> Result<NamePattern> {
    let mut parts = split_pattern(pattern);
    let anchored = |p: &str| format!("^({p})$");
    if parts.len() > max_parts + 1 {
        return Err(Error::usage(format!(
            "improper qualified name (too many dotted names): {pattern}"
        )));
    }
    if parts.len() == max_parts + 1 {
        // A leading database part must name the current database (pg_dump refuses others).
        let db_regex = parts.remove(0);
        let plain: String = db_regex.replace('\\', "");
        if plain != dbname {
            return Err(Error::usage(format!(
                "cross-database references are not implemented: {pattern}"
            )));
        }
    }
    let name_regex = anchored(&parts[parts.len() - 1]);
    let schema_regex = if parts.len() == 2 {
        Some(anchored(&parts[0]))
    } else {
        None
    };
    Ok(NamePattern {
        original: pattern.to_string(),
        schema_regex,
        name_regex,
    })
}

/// A database name pattern (pg_dumpall's `--exclude-database`) as its anchored regex; a
/// dotted pattern is refused as pg_dumpall refuses it.
pub fn database_pattern(pattern: &str) -> Result<String> {
    match split_pattern(pattern).as_slice() {
        [name] => Ok(format!("^({name})$")),
        _ => Err(Error::usage(format!(
            "improper qualified name (too many dotted names): {pattern}"
        ))),
    }
}

/// The pattern's dot-separated parts, each turned into a regex (`*` to `.*`, `?` to `.`,
/// unquoted letters folded to lower case, quoted text literal).
fn split_pattern(pattern: &str) -> Vec<String> {
    let mut parts: Vec<String> = vec![String::new()];
    let mut in_quotes = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if in_quotes && chars.peek() == Some(&'"') {
                chars.next();
                push_literal(parts_last(&mut parts), '"');
            } else {
                in_quotes = !in_quotes;
            }
        } else if !in_quotes && c.is_ascii_uppercase() {
            parts_last(&mut parts).push(c.to_ascii_lowercase());
        } else if !in_quotes && c == '*' {
            parts_last(&mut parts).push_str(".*");
        } else if !in_quotes && c == '?' {
            parts_last(&mut parts).push('.');
        } else if !in_quotes && c == '.' {
            parts.push(String::new());
        } else {
            push_literal(parts_last(&mut parts), c);
        }
    }
    parts
}

fn parts_last(parts: &mut [String]) -> &mut String {
    let n = parts.len() - 1;
    &mut parts[n]
}

fn push_literal(out: &mut String, c: char) {
    if "|*+?()[]{}.^$\\".contains(c) {
        out.push('\\');
    }
    out.push(c);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquoted_parts_fold_case_and_translate_wildcards() {
        let p = parse_pattern("Public.Act*", 2, "db").unwrap();
        assert_eq!(p.schema_regex.as_deref(), Some("^(public)$"));
        assert_eq!(p.name_regex, "^(act.*)$");
        let p = parse_pattern("t?", 2, "db").unwrap();
        assert_eq!(p.schema_regex, None);
        assert_eq!(p.name_regex, "^(t.)$");
    }

    #[test]
    fn quoted_parts_are_literal() {
        let p = parse_pattern("\"My.Table*\"", 2, "db").unwrap();
        assert_eq!(p.name_regex, "^(My\\.Table\\*)$");
        let p = parse_pattern("\"a\"\"b\"", 2, "db").unwrap();
        assert_eq!(p.name_regex, "^(a\"b)$");
    }

    #[test]
    fn database_patterns_take_one_part() {
        assert_eq!(database_pattern("App*").unwrap(), "^(app.*)$");
        assert_eq!(database_pattern("\"We ird\"").unwrap(), "^(We ird)$");
        let err = database_pattern("a.b").unwrap_err().to_string();
        assert!(err.contains("improper qualified name (too many dotted names): a.b"));
    }

    #[test]
    fn database_part_must_match() {
        assert!(parse_pattern("db.public.t", 2, "db").is_ok());
        assert!(parse_pattern("other.public.t", 2, "db").is_err());
        assert!(parse_pattern("a.b.c.d", 2, "db").is_err());
        assert!(parse_pattern("a.b", 1, "a").is_ok());
    }
}
