//! `--inserts`, `--column-inserts`, `--rows-per-insert`, `--on-conflict-do-nothing`: table data
//! as INSERT statements, formatted as pg_dump's `dumpTableData_insert` does. The formatting is
//! pure (no I/O here); `copy::inserts` reads the rows through a cursor and hands them to it.

use crate::model::TableDetail;
use tokio_postgres::types::Type;

/// The INSERT switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsertOptions {
    /// `--column-inserts`: name the columns.
    pub column_inserts: bool,
    /// `--rows-per-insert`: rows per statement.
    pub rows_per_insert: u32,
    /// `--on-conflict-do-nothing`
    pub on_conflict_do_nothing: bool,
}

/// What a worker needs to dump one table as INSERTs.
#[derive(Debug, Clone)]
pub struct InsertSpec {
    /// The qualified table name.
    pub table: String,
    /// `SELECT ... FROM ONLY table`, one output column per printed value.
    pub select: String,
    /// `INSERT INTO t [(cols)] VALUES`
    pub prefix: String,
    /// Per selected column: a generated column, printed as `DEFAULT`.
    pub generated: Vec<bool>,
    /// The switches.
    pub opts: InsertOptions,
    /// `standard_conforming_strings` (string literal form).
    pub std_strings: bool,
}

impl InsertSpec {
    /// The spec for a table's data, read from `qualified` and inserted into `target` (its
    /// partition root with `--load-via-partition-root`, else the table itself).
    pub fn new(
        qualified: &str,
        target: &str,
        t: &TableDetail,
        opts: InsertOptions,
        std_strings: bool,
        quoting: crate::ddl::quote::Quoting,
    ) -> Self {
        let q = |name: &str| quoting.ident(name);
        let mut select = Vec::new();
        let mut generated = Vec::new();
        let mut names = Vec::new();
        for c in t.columns.iter().filter(|c| !c.dropped) {
            let is_generated = c.generated.is_some();
            if is_generated && opts.column_inserts {
                continue;
            }
            select.push(if is_generated {
                "NULL".to_string()
            } else {
                q(&c.name)
            });
            generated.push(is_generated);
            names.push(q(&c.name));
        }
        // GENERATED ALWAYS identity columns take their dumped values only when told to.
        let overriding = if t
            .columns
            .iter()
            .any(|c| !c.dropped && c.identity == Some('a'))
        {
            "OVERRIDING SYSTEM VALUE "
        } else {
            ""
        };
        let prefix = if opts.column_inserts && !names.is_empty() {
            format!(
                "INSERT INTO {target} ({}) {overriding}VALUES",
                names.join(", ")
            )
        } else {
            format!("INSERT INTO {target} {overriding}VALUES")
        };
        InsertSpec {
            table: qualified.to_string(),
            select: format!("SELECT {} FROM ONLY {qualified}", select.join(", ")),
            prefix,
            generated,
            opts,
            std_strings,
        }
    }
}

/// How pg_dump prints a value of a result column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Integers, floats, numeric: bare when they look like a number.
    Number,
    /// `bit`, `varbit`: `B'...'`.
    Bit,
    /// `true` / `false`.
    Bool,
    /// Everything else: a string literal.
    Literal,
}

impl ValueKind {
    /// The kind of a result column (domains arrive as their base type).
    pub fn of(t: &Type) -> ValueKind {
        match *t {
            Type::INT2
            | Type::INT4
            | Type::INT8
            | Type::OID
            | Type::FLOAT4
            | Type::FLOAT8
            | Type::NUMERIC => ValueKind::Number,
            Type::BIT | Type::VARBIT => ValueKind::Bit,
            Type::BOOL => ValueKind::Bool,
            _ => ValueKind::Literal,
        }
    }
}

/// Formats rows into statements, carrying multi-row statements across batches.
#[derive(Debug)]
pub struct RowFormatter<'a> {
    spec: &'a InsertSpec,
    in_statement: u32,
}

impl<'a> RowFormatter<'a> {
    /// A formatter for one table.
    pub fn new(spec: &'a InsertSpec) -> Self {
        RowFormatter {
            spec,
            in_statement: 0,
        }
    }

    fn terminator(&self) -> &'static str {
        if self.spec.opts.on_conflict_do_nothing {
            " ON CONFLICT DO NOTHING;\n"
        } else {
            ";\n"
        }
    }

    /// Appends one row (NULL as `None`).
    pub fn push_row(&mut self, out: &mut String, values: &[Option<&str>], kinds: &[ValueKind]) {
        if values.is_empty() {
            // A table without columns: pg_dump writes DEFAULT VALUES, one row a statement.
            out.push_str(&format!(
                "INSERT INTO {} DEFAULT VALUES;\n",
                self.spec.table
            ));
            return;
        }
        let rows = self.spec.opts.rows_per_insert.max(1);
        if self.in_statement == 0 {
            out.push_str(&self.spec.prefix);
        }
        if rows == 1 {
            out.push_str(" (");
        } else if self.in_statement == 0 {
            out.push_str("\n\t(");
        } else {
            out.push_str(",\n\t(");
        }
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            if self.spec.generated.get(i).copied().unwrap_or(false) {
                out.push_str("DEFAULT");
                continue;
            }
            let Some(v) = v else {
                out.push_str("NULL");
                continue;
            };
            match kinds.get(i).copied().unwrap_or(ValueKind::Literal) {
                ValueKind::Number => {
                    if v.chars().all(|c| "0123456789 +-eE.".contains(c)) {
                        out.push_str(v);
                    } else {
                        out.push('\'');
                        out.push_str(v);
                        out.push('\'');
                    }
                }
                ValueKind::Bit => {
                    out.push_str("B'");
                    out.push_str(v);
                    out.push('\'');
                }
                ValueKind::Bool => out.push_str(if *v == "t" { "true" } else { "false" }),
                ValueKind::Literal => {
                    out.push_str(&crate::ddl::quote::quote_literal(v, self.spec.std_strings))
                }
            }
        }
        out.push(')');
        self.in_statement += 1;
        if self.in_statement >= rows {
            out.push_str(self.terminator());
            self.in_statement = 0;
        }
    }

    /// Ends a statement that did not reach its row count.
    pub fn finish(&mut self, out: &mut String) {
        if self.in_statement > 0 {
            out.push_str(self.terminator());
            self.in_statement = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(column_inserts: bool, rows: u32, nothing: bool) -> InsertSpec {
        InsertSpec {
            table: "public.t".into(),
            select: String::new(),
            prefix: if column_inserts {
                "INSERT INTO public.t (a, b, c) VALUES".into()
            } else {
                "INSERT INTO public.t VALUES".into()
            },
            generated: vec![false, false, false],
            opts: InsertOptions {
                column_inserts,
                rows_per_insert: rows,
                on_conflict_do_nothing: nothing,
            },
            std_strings: true,
        }
    }

    const KINDS: [ValueKind; 3] = [ValueKind::Number, ValueKind::Literal, ValueKind::Bool];

    #[test]
    fn one_row_per_statement() {
        let s = spec(false, 1, false);
        let mut f = RowFormatter::new(&s);
        let mut out = String::new();
        f.push_row(&mut out, &[Some("1"), Some("it's"), Some("t")], &KINDS);
        f.push_row(&mut out, &[Some("NaN"), None, Some("f")], &KINDS);
        f.finish(&mut out);
        assert_eq!(
            out,
            "INSERT INTO public.t VALUES (1, 'it''s', true);\nINSERT INTO public.t VALUES ('NaN', NULL, false);\n"
        );
    }

    #[test]
    fn several_rows_per_statement() {
        let s = spec(true, 2, true);
        let mut f = RowFormatter::new(&s);
        let mut out = String::new();
        for i in ["1", "2", "3"] {
            f.push_row(&mut out, &[Some(i), Some("x"), None], &KINDS);
        }
        f.finish(&mut out);
        assert_eq!(
            out,
            "INSERT INTO public.t (a, b, c) VALUES\n\t(1, 'x', NULL),\n\t(2, 'x', NULL) ON CONFLICT DO NOTHING;\n\
             INSERT INTO public.t (a, b, c) VALUES\n\t(3, 'x', NULL) ON CONFLICT DO NOTHING;\n"
        );
    }
}
