//! `--filter=FILE`: pg_dump 17's filter file (`include|exclude OBJECT_TYPE PATTERN` lines)
//! read into the same pattern lists the `-t/-n/-e/...` switches fill, and pg_dumpall 17's
//! (`exclude database PATTERN` lines). Pure.

use crate::plan::Filters;

/// The object types a filter line may name (pg_dump's `FilterObjectType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ObjectType {
    Database,
    Extension,
    ForeignData,
    Function,
    Index,
    Schema,
    Table,
    TableAndChildren,
    TableData,
    TableDataAndChildren,
    Trigger,
}

impl ObjectType {
    fn from_keyword(word: &str) -> Option<ObjectType> {
        Some(match word.to_ascii_lowercase().as_str() {
            "database" => ObjectType::Database,
            "extension" => ObjectType::Extension,
            "foreign_data" => ObjectType::ForeignData,
            "function" => ObjectType::Function,
            "index" => ObjectType::Index,
            "schema" => ObjectType::Schema,
            "table" => ObjectType::Table,
            "table_and_children" => ObjectType::TableAndChildren,
            "table_data" => ObjectType::TableData,
            "table_data_and_children" => ObjectType::TableDataAndChildren,
            "trigger" => ObjectType::Trigger,
            _ => return None,
        })
    }

    /// The name pg_dump's messages use (`filter_object_type_name`).
    fn name(self) -> &'static str {
        match self {
            ObjectType::Database => "database",
            ObjectType::Extension => "extension",
            ObjectType::ForeignData => "foreign data",
            ObjectType::Function => "function",
            ObjectType::Index => "index",
            ObjectType::Schema => "schema",
            ObjectType::Table => "table",
            ObjectType::TableAndChildren => "table and children",
            ObjectType::TableData => "table data",
            ObjectType::TableDataAndChildren => "table data and children",
            ObjectType::Trigger => "trigger",
        }
    }
}

/// One line of a filter file, as read.
enum Line {
    /// `include|exclude OBJECT_TYPE PATTERN`, and the line the pattern ends on.
    Pattern {
        include: bool,
        kind: ObjectType,
        pattern: String,
        lineno: usize,
    },
    /// pgsnap's row filter: `include table_data_where PATTERN CONDITION`.
    RowFilter { pattern: String, condition: String },
}

/// Reads a filter file's lines as pg_dump's `filter_read_item` does; `row_filters` takes
/// pgsnap's `table_data_where` lines (pg_dump's), which pg_dumpall's reader does not know.
fn read_lines(text: &str, source: &str, row_filters: bool) -> crate::error::Result<Vec<Line>> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut read = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let lineno = i + 1;
        let fail = |msg: String| fail_at(source, lineno, msg);
        let mut s = lines[i].trim_start();
        i += 1;
        if s.is_empty() || s.starts_with('#') {
            continue;
        }
        let Some(command) = keyword(&mut s) else {
            return Err(fail(
                "no filter command found (expected \"include\" or \"exclude\")".into(),
            ));
        };
        let include = if command.eq_ignore_ascii_case("include") {
            true
        } else if command.eq_ignore_ascii_case("exclude") {
            false
        } else {
            return Err(fail(
                "invalid filter command (expected \"include\" or \"exclude\")".into(),
            ));
        };
        let Some(word) = keyword(&mut s) else {
            return Err(fail("missing filter object type".into()));
        };
        if row_filters && include && word.eq_ignore_ascii_case("table_data_where") {
            let (pattern, condition) = pattern_and_rest(s.trim());
            if pattern.is_empty() || condition.is_empty() {
                return Err(fail(
                    "table_data_where needs a table pattern and a condition".into(),
                ));
            }
            read.push(Line::RowFilter {
                pattern: pattern.to_string(),
                condition: condition.to_string(),
            });
            continue;
        }
        let Some(kind) = ObjectType::from_keyword(word) else {
            return Err(fail(format!("unsupported filter object type: \"{word}\"")));
        };
        // A quoted name may go on over the next lines; errors name the line it ends on.
        let (pattern, used) =
            read_pattern(s, &lines[i..]).map_err(|m| fail_at(source, i + m.0, m.1))?;
        i += used;
        read.push(Line::Pattern {
            include,
            kind,
            pattern,
            lineno: i,
        });
    }
    Ok(read)
}

/// Adds the patterns of a filter file's `text` to `filters`. `source` names it in messages as
/// pg_dump does: `file "NAME"`, or `standard input`.
pub fn apply(text: &str, source: &str, filters: &mut Filters) -> crate::error::Result<()> {
    for line in read_lines(text, source, true)? {
        let (include, kind, pattern, lineno) = match line {
            Line::RowFilter { pattern, condition } => {
                filters.table_data_where.push((pattern, condition));
                continue;
            }
            Line::Pattern {
                include,
                kind,
                pattern,
                lineno,
            } => (include, kind, pattern, lineno),
        };
        let not_allowed = |verb: &str| {
            fail_at(
                source,
                lineno,
                format!("{verb} filter for \"{}\" is not allowed", kind.name()),
            )
        };
        use ObjectType::*;
        let list = match (include, kind) {
            (true, Extension) => &mut filters.include_extensions,
            (true, ForeignData) => &mut filters.include_foreign_data,
            (true, Schema) => &mut filters.include_schemas,
            (true, Table) => &mut filters.include_tables,
            (true, TableAndChildren) => &mut filters.include_tables_and_children,
            (true, _) => return Err(not_allowed("include")),
            (false, Extension) => &mut filters.exclude_extensions,
            (false, Schema) => &mut filters.exclude_schemas,
            (false, Table) => &mut filters.exclude_tables,
            (false, TableAndChildren) => &mut filters.exclude_tables_and_children,
            (false, TableData) => &mut filters.exclude_table_data,
            (false, TableDataAndChildren) => &mut filters.exclude_table_data_and_children,
            (false, _) => return Err(not_allowed("exclude")),
        };
        list.push(pattern);
    }
    Ok(())
}

/// The database patterns of a pg_dumpall filter file (pg_dumpall 17's `read_dumpall_filters`):
/// only `exclude database PATTERN` lines; any other object is refused as pg_dumpall refuses it.
pub fn excluded_databases(text: &str, source: &str) -> crate::error::Result<Vec<String>> {
    let mut patterns = Vec::new();
    for line in read_lines(text, source, false)? {
        let Line::Pattern {
            include,
            kind,
            pattern,
            lineno,
        } = line
        else {
            continue;
        };
        if include {
            return Err(fail_at(
                source,
                lineno,
                format!("include filter for \"{}\" is not allowed", kind.name()),
            ));
        }
        if kind != ObjectType::Database {
            return Err(fail_at(source, lineno, "unsupported filter object".into()));
        }
        patterns.push(pattern);
    }
    Ok(patterns)
}

/// A pattern (a double-quoted part keeps its spaces) and the rest of the line after it.
fn pattern_and_rest(s: &str) -> (&str, &str) {
    let mut in_quotes = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            c if c.is_whitespace() && !in_quotes => return (&s[..i], s[i..].trim()),
            _ => {}
        }
    }
    (s, "")
}

fn fail_at(source: &str, lineno: usize, msg: String) -> crate::error::Error {
    crate::error::Error::usage(format!(
        "invalid format in filter read from {source} on line {lineno}: {msg}"
    ))
}

/// A keyword (letters, digits, `_`) after optional white space (pg_dump's
/// `filter_get_keyword`).
fn keyword<'a>(s: &mut &'a str) -> Option<&'a str> {
    let t = s.trim_start();
    let end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    *s = &t[end..];
    (end > 0).then(|| &t[..end])
}

/// The pattern that ends a filter line, as pg_dump's `read_pattern` rebuilds it: words joined
/// by single spaces, no spaces around `.`, `(`, `)`, `, ` after commas, quoted parts kept with
/// their quotes (`\n` and `\\` escapes), and a comment cut off. `more` are the lines after
/// this one, which a quoted part may run on into. Returns the pattern and how many of `more`
/// it used; an error is (lines used, message).
fn read_pattern(line: &str, more: &[&str]) -> Result<(String, usize), (usize, String)> {
    let mut chars: Vec<char> = line.chars().collect();
    let mut pos = 0;
    let mut used = 0;
    let mut out = String::new();
    let skip_ws = |chars: &[char], pos: &mut usize| -> bool {
        let start = *pos;
        while *pos < chars.len() && chars[*pos].is_whitespace() {
            *pos += 1;
        }
        *pos > start
    };
    skip_ws(&chars, &mut pos);
    if pos >= chars.len() {
        return Err((used, "missing object name pattern".into()));
    }
    let (mut skip_space, mut found_space) = (true, false);
    while pos < chars.len() && chars[pos] != '#' {
        while pos < chars.len() && !chars[pos].is_whitespace() && !"#,.()\"".contains(chars[pos]) {
            if !skip_space && found_space {
                out.push(' ');
                skip_space = true;
            }
            out.push(chars[pos]);
            pos += 1;
        }
        skip_space = false;
        if pos < chars.len() && chars[pos] == '"' {
            if found_space {
                out.push(' ');
            }
            out.push('"');
            pos += 1;
            loop {
                if pos >= chars.len() {
                    let Some(next) = more.get(used) else {
                        return Err((used, "unexpected end of file".into()));
                    };
                    used += 1;
                    chars = next.chars().collect();
                    pos = 0;
                    out.push('\n');
                    continue;
                }
                match chars[pos] {
                    '\r' | '\n' => pos += 1,
                    '"' => {
                        out.push('"');
                        pos += 1;
                        if chars.get(pos) == Some(&'"') {
                            out.push('"');
                            pos += 1;
                        } else {
                            break;
                        }
                    }
                    '\\' => {
                        match chars.get(pos + 1) {
                            Some('n') => out.push('\n'),
                            Some('\\') => out.push('\\'),
                            _ => {}
                        }
                        pos += 2;
                    }
                    c => {
                        out.push(c);
                        pos += 1;
                    }
                }
            }
        } else if pos < chars.len() && chars[pos] == ',' {
            out.push_str(", ");
            skip_space = true;
            pos += 1;
        } else if pos < chars.len() && ".()".contains(chars[pos]) {
            out.push(chars[pos]);
            pos += 1;
            skip_space = true;
        }
        found_space = skip_ws(&chars, &mut pos);
    }
    Ok((out, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The filters a text gives, or the error's message.
    fn parse(text: &str) -> std::result::Result<Filters, String> {
        let mut f = Filters::default();
        apply(text, "file \"f\"", &mut f)
            .map(|_| f)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn lines_fill_the_switches_lists() {
        let f = parse(
            "# comment\n\n include table dcim_*\nINCLUDE Table_And_Children measurement # note\n\
             exclude table_data audit.log\nexclude table_data_and_children m*\n\
             include schema public\nexclude schema audit\ninclude extension pg_trgm\n\
             exclude extension plpgsql\ninclude foreign_data files\nexclude table x\n\
             exclude table_and_children y\n",
        )
        .unwrap();
        assert_eq!(f.include_tables, vec!["dcim_*"]);
        assert_eq!(f.include_tables_and_children, vec!["measurement"]);
        assert_eq!(f.exclude_table_data, vec!["audit.log"]);
        assert_eq!(f.exclude_table_data_and_children, vec!["m*"]);
        assert_eq!(f.include_schemas, vec!["public"]);
        assert_eq!(f.exclude_schemas, vec!["audit"]);
        assert_eq!(f.include_extensions, vec!["pg_trgm"]);
        assert_eq!(f.exclude_extensions, vec!["plpgsql"]);
        assert_eq!(f.include_foreign_data, vec!["files"]);
        assert_eq!(f.exclude_tables, vec!["x"]);
        assert_eq!(f.exclude_tables_and_children, vec!["y"]);
    }

    #[test]
    fn patterns_are_rebuilt_as_pg_dump_reads_them() {
        let f = parse(
            "include table public.\"Weird \"\"Name\"\"\"\ninclude table \"a\\nb\"\n\
             include table \"multi\nline\"\ninclude table a b\ninclude table  a . b  \n",
        )
        .unwrap();
        assert_eq!(
            f.include_tables,
            vec![
                "public.\"Weird \"\"Name\"\"\"",
                "\"a\nb\"",
                "\"multi\nline\"",
                "a b",
                "a.b"
            ]
        );
    }

    #[test]
    fn errors_name_the_line_as_pg_dump() {
        let err = |t: &str| parse(t).unwrap_err();
        assert_eq!(
            err("\nfrobnicate table x\n"),
            "invalid format in filter read from file \"f\" on line 2: invalid filter command (expected \"include\" or \"exclude\")"
        );
        assert!(err("include\n").ends_with("line 1: missing filter object type"));
        assert!(err("include view v\n").ends_with("unsupported filter object type: \"view\""));
        assert!(err("include table\n").ends_with("line 1: missing object name pattern"));
        assert!(err("include table_data t\n")
            .ends_with("include filter for \"table data\" is not allowed"));
        assert!(err("exclude foreign_data s\n")
            .ends_with("exclude filter for \"foreign data\" is not allowed"));
        assert!(
            err("include function f\n").ends_with("include filter for \"function\" is not allowed")
        );
        assert!(err("include table \"open\n").ends_with("line 1: unexpected end of file"));
        assert!(
            err("--x\n").ends_with("no filter command found (expected \"include\" or \"exclude\")")
        );
    }

    #[test]
    fn pg_dumpall_files_exclude_databases_only() {
        let read = |t: &str| excluded_databases(t, "file \"f\"").map_err(|e| e.to_string());
        assert_eq!(
            read("# old ones\nexclude database test*\nEXCLUDE DATABASE \"Old DB\"\n").unwrap(),
            vec!["test*", "\"Old DB\""]
        );
        assert_eq!(
            read("\ninclude database x\n").unwrap_err(),
            "invalid format in filter read from file \"f\" on line 2: include filter for \"database\" is not allowed"
        );
        assert!(read("exclude database a\nexclude table t\n")
            .unwrap_err()
            .ends_with("line 2: unsupported filter object"));
        assert!(read("include table_data_where t a = 1\n")
            .unwrap_err()
            .ends_with("unsupported filter object type: \"table_data_where\""));
        assert!(read("exclude database\n")
            .unwrap_err()
            .ends_with("missing object name pattern"));
    }

    #[test]
    fn row_filters_take_the_rest_of_the_line_as_their_condition() {
        let f = parse("include table_data_where extras_objectchange time > now() - interval '30 days'\ninclude table_data_where \"My T\" a = 1\n").unwrap();
        assert_eq!(
            f.table_data_where,
            vec![
                (
                    "extras_objectchange".to_string(),
                    "time > now() - interval '30 days'".to_string()
                ),
                ("\"My T\"".to_string(), "a = 1".to_string()),
            ]
        );
        assert!(parse("include table_data_where t\n").is_err());
    }
}
