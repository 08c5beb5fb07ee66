//! A streaming reader of psql scripts that splits statements as psql does (quotes, `E''`
//! strings, dollar quoting, nested comments, parentheses, `BEGIN ATOMIC ... END` bodies),
//! hands `COPY ... FROM stdin` data through line by line up to `\.`, recognises the few
//! meta-commands dumps contain, and remembers the TOC header (`-- Name: ...; Type: X`) of each
//! statement. Pure: any `BufRead` in, items out; it never holds a table's data in memory.

use crate::error::{Error, ErrorKind, Result};
use std::io::BufRead;

/// What a statement is, from the dump's `-- Name: ...; Type: X; ...` header.
pub type TocType = Option<String>;

/// One unit of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// An SQL statement (with its terminating semicolon).
    Statement {
        /// The text.
        sql: String,
        /// Line where it starts.
        line: usize,
        /// TOC type of the entry it belongs to.
        toc: TocType,
    },
    /// A `COPY ... FROM stdin` statement; its data follows and must be read with
    /// [`ScriptReader::copy_data`] before the next item.
    Copy {
        /// The COPY statement.
        sql: String,
        /// Line where it starts.
        line: usize,
        /// TOC type (`TABLE DATA`).
        toc: TocType,
    },
    /// A psql meta-command (`\connect`, `\restrict`, `\unrestrict`).
    Meta {
        /// Command name without the backslash.
        cmd: String,
        /// Its argument text.
        arg: String,
        /// Line number.
        line: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Normal,
    Quote { escapes: bool },
    Ident,
    Dollar,
    Block(u32),
}

/// The reader.
pub struct ScriptReader<R: BufRead> {
    r: R,
    line_no: usize,
    toc: TocType,
    std_strings: bool,
    encoding: ScriptEncoding,
    buf: Vec<u8>,
}

fn script_err(line: usize, msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Usage, msg).context(format!("line {line}"))
}

/// The script's encoding, from its `SET client_encoding`. Restore connections speak UTF8:
/// LATIN1 text (a LATIN1 database's default dump) is turned into UTF8 here, byte for code
/// point, as the server would; other encodings are refused rather than loaded changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScriptEncoding {
    Utf8,
    Latin1,
}

/// A statement's text in UTF8; a `SET client_encoding` switches `enc` and is rewritten to
/// keep the connections in UTF8.
fn statement_text(stmt: &[u8], line: usize, enc: &mut ScriptEncoding) -> Result<String> {
    let sql = match enc {
        ScriptEncoding::Latin1 => stmt.iter().map(|&b| b as char).collect::<String>(),
        ScriptEncoding::Utf8 => std::str::from_utf8(stmt)
            .map_err(|_| {
                script_err(
                    line,
                    "the statement is not valid UTF-8 (pgsnap restore reads UTF8 and LATIN1 scripts; use psql for others)",
                )
            })?
            .to_string(),
    };
    let sql = sql.trim().to_string();
    let lower = sql.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("set client_encoding") {
        let name: String = rest
            .trim_start_matches([' ', '=', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        *enc = match name.replace(['_', '-'], "").as_str() {
            "utf8" | "unicode" | "sqlascii" => ScriptEncoding::Utf8,
            "latin1" | "iso88591" => ScriptEncoding::Latin1,
            _ => {
                return Err(script_err(
                    line,
                    format!(
                        "the script is written in encoding {}: pgsnap restore reads UTF8 and LATIN1 scripts (use psql, or dump with -E UTF8)",
                        name.to_ascii_uppercase()
                    ),
                ))
            }
        };
        if *enc == ScriptEncoding::Latin1 {
            return Ok("SET client_encoding = 'UTF8';".to_string());
        }
    }
    Ok(sql)
}

/// psql's heuristic for `BEGIN ... END` in SQL-standard function bodies.
#[derive(Default)]
struct Words {
    initials: Vec<u8>,
    count: usize,
    begin_depth: u32,
}

impl Words {
    fn word(&mut self, w: &str, paren_depth: i32) {
        let lw = w.to_ascii_lowercase();
        if matches!(
            lw.as_str(),
            "create" | "function" | "procedure" | "or" | "replace"
        ) && self.count < 4
        {
            self.initials.push(lw.as_bytes()[0]);
        } else if self.count < 4 {
            self.initials.push(0);
        }
        self.count += 1;
        let i = &self.initials;
        let is_routine = i.first() == Some(&b'c')
            && (matches!(i.get(1), Some(b'f' | b'p'))
                || (i.get(1) == Some(&b'o')
                    && i.get(2) == Some(&b'r')
                    && matches!(i.get(3), Some(b'f' | b'p'))));
        if is_routine && paren_depth == 0 {
            match lw.as_str() {
                "begin" => self.begin_depth += 1,
                "case" if self.begin_depth >= 1 => self.begin_depth += 1,
                "end" if self.begin_depth > 0 => self.begin_depth -= 1,
                _ => {}
            }
        }
    }
}

fn toc_type_of(comment: &str) -> Option<String> {
    let rest = comment
        .strip_prefix("-- Name: ")
        .or_else(|| comment.strip_prefix("-- Data for Name: "))?;
    let t = rest.split("; Type: ").nth(1)?;
    Some(t.split("; Schema: ").next()?.to_string())
}

/// The most bytes of one row handed on at once: a long row goes on in pieces, so memory stays
/// bounded whatever a row holds.
const ROW_PIECE: usize = 256 << 10;

impl<R: BufRead> ScriptReader<R> {
    /// A reader over a script.
    pub fn new(r: R) -> Self {
        ScriptReader {
            r,
            line_no: 0,
            toc: None,
            std_strings: true,
            encoding: ScriptEncoding::Utf8,
            buf: Vec::new(),
        }
    }

    fn read_line(&mut self) -> Result<bool> {
        self.buf.clear();
        let n = self
            .r
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| script_err(self.line_no + 1, format!("read error: {e}")))?;
        if n > 0 {
            self.line_no += 1;
        }
        Ok(n > 0)
    }

    /// The next item, or `None` at the end of the script.
    pub fn next_item(&mut self) -> Result<Option<Item>> {
        let mut stmt: Vec<u8> = Vec::new();
        let mut start_line = 0;
        let mut state = State::Normal;
        let mut dollar_tag: Vec<u8> = Vec::new();
        let mut paren: i32 = 0;
        let mut words = Words::default();
        let mut word: Vec<u8> = Vec::new();
        loop {
            if !self.read_line()? {
                if stmt.iter().any(|b| !b.is_ascii_whitespace()) {
                    if state != State::Normal {
                        return Err(script_err(
                            start_line,
                            "unterminated quoted string or comment at end of script",
                        ));
                    }
                    // psql runs a final statement without a semicolon too.
                    let sql = statement_text(&stmt, start_line, &mut self.encoding)?;
                    return Ok(Some(Item::Statement {
                        sql,
                        line: start_line,
                        toc: self.toc.clone(),
                    }));
                }
                return Ok(None);
            }
            let line = std::mem::take(&mut self.buf);
            let empty_so_far = !stmt.iter().any(|b| !b.is_ascii_whitespace());
            if state == State::Normal && empty_so_far {
                let trimmed = match self.encoding {
                    ScriptEncoding::Latin1 => line.iter().map(|&b| b as char).collect(),
                    ScriptEncoding::Utf8 => String::from_utf8_lossy(&line).into_owned(),
                };
                let t = trimmed.trim_start();
                if let Some(cmd) = t.strip_prefix('\\') {
                    let cmd = cmd.trim_end();
                    let (name, arg) = match cmd.split_once(char::is_whitespace) {
                        Some((n, a)) => (n.to_string(), a.trim().to_string()),
                        None => (cmd.to_string(), String::new()),
                    };
                    self.buf = line;
                    return Ok(Some(Item::Meta {
                        cmd: name,
                        arg,
                        line: self.line_no,
                    }));
                }
                if t.starts_with("--") {
                    if let Some(tt) = toc_type_of(t.trim_end()) {
                        self.toc = Some(tt);
                    }
                    self.buf = line;
                    continue;
                }
                if t.is_empty() {
                    self.buf = line;
                    continue;
                }
                start_line = self.line_no;
            }
            let mut i = 0;
            let n = line.len();
            let mut end_at: Option<usize> = None;
            while i < n {
                let c = line[i];
                match state {
                    State::Normal => {
                        let is_word = c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
                        if is_word {
                            word.push(c);
                            i += 1;
                            continue;
                        }
                        if !word.is_empty() {
                            let w = String::from_utf8_lossy(&word).into_owned();
                            words.word(&w, paren);
                            word.clear();
                        }
                        match c {
                            b'-' if line.get(i + 1) == Some(&b'-') => {
                                i = n;
                                continue;
                            }
                            b'/' if line.get(i + 1) == Some(&b'*') => {
                                state = State::Block(1);
                                i += 2;
                                continue;
                            }
                            b'\'' => {
                                let e = i > 0
                                    && matches!(line[i - 1], b'E' | b'e')
                                    && (i < 2
                                        || !(line[i - 2].is_ascii_alphanumeric()
                                            || line[i - 2] == b'_'));
                                state = State::Quote {
                                    escapes: e || !self.std_strings,
                                };
                            }
                            b'"' => state = State::Ident,
                            b'$' => {
                                let prev_word = i > 0
                                    && (line[i - 1].is_ascii_alphanumeric() || line[i - 1] == b'_');
                                if !prev_word {
                                    let mut j = i + 1;
                                    while j < n
                                        && (line[j].is_ascii_alphanumeric()
                                            || line[j] == b'_'
                                            || line[j] >= 0x80)
                                    {
                                        j += 1;
                                    }
                                    if j < n
                                        && line[j] == b'$'
                                        && (j == i + 1 || !line[i + 1].is_ascii_digit())
                                    {
                                        dollar_tag = line[i..=j].to_vec();
                                        state = State::Dollar;
                                        i = j + 1;
                                        continue;
                                    }
                                }
                            }
                            b'(' => paren += 1,
                            b')' => paren -= 1,
                            b';' if paren <= 0 && words.begin_depth == 0 => {
                                end_at = Some(i + 1);
                                break;
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                    State::Quote { escapes } => {
                        if escapes && c == b'\\' {
                            i += 2;
                            continue;
                        }
                        if c == b'\'' {
                            if line.get(i + 1) == Some(&b'\'') {
                                i += 2;
                                continue;
                            }
                            state = State::Normal;
                        }
                        i += 1;
                    }
                    State::Ident => {
                        if c == b'"' {
                            state = State::Normal;
                        }
                        i += 1;
                    }
                    State::Dollar => {
                        if c == b'$' && line[i..].starts_with(&dollar_tag) {
                            i += dollar_tag.len();
                            state = State::Normal;
                            continue;
                        }
                        i += 1;
                    }
                    State::Block(d) => {
                        if c == b'*' && line.get(i + 1) == Some(&b'/') {
                            state = if d == 1 {
                                State::Normal
                            } else {
                                State::Block(d - 1)
                            };
                            i += 2;
                            continue;
                        }
                        if c == b'/' && line.get(i + 1) == Some(&b'*') {
                            state = State::Block(d + 1);
                            i += 2;
                            continue;
                        }
                        i += 1;
                    }
                }
            }
            match end_at {
                Some(end) => {
                    stmt.extend_from_slice(&line[..end]);
                    let rest = &line[end..];
                    if rest.iter().any(|b| !b.is_ascii_whitespace())
                        && !String::from_utf8_lossy(rest).trim().starts_with("--")
                    {
                        return Err(script_err(
                            self.line_no,
                            "more than one statement on a line is not supported in dump scripts",
                        ));
                    }
                    let sql = statement_text(&stmt, start_line, &mut self.encoding)?;
                    self.track_settings(&sql);
                    let toc = self.toc.clone();
                    let upper = sql.to_ascii_uppercase();
                    if upper.starts_with("COPY ")
                        && upper
                            .trim_end_matches(';')
                            .trim_end()
                            .ends_with("FROM STDIN")
                    {
                        return Ok(Some(Item::Copy {
                            sql,
                            line: start_line,
                            toc,
                        }));
                    }
                    return Ok(Some(Item::Statement {
                        sql,
                        line: start_line,
                        toc,
                    }));
                }
                None => {
                    if !word.is_empty() && state == State::Normal {
                        let w = String::from_utf8_lossy(&word).into_owned();
                        words.word(&w, paren);
                        word.clear();
                    }
                    stmt.extend_from_slice(&line);
                }
            }
        }
    }

    fn track_settings(&mut self, sql: &str) {
        let l = sql.to_ascii_lowercase();
        if l.starts_with("set standard_conforming_strings") {
            self.std_strings = !l.contains("off");
        }
    }

    /// Streams the data of the COPY just returned, line by line, up to (not including) `\.`.
    pub fn copy_data(&mut self, mut sink: impl FnMut(&[u8], bool) -> Result<()>) -> Result<()> {
        let start = self.line_no;
        let latin1 = self.encoding == ScriptEncoding::Latin1;
        let mut emit = |piece: &[u8], row_end: bool| -> Result<()> {
            if latin1 && !piece.is_ascii() {
                let utf8: String = piece.iter().map(|&b| b as char).collect();
                sink(utf8.as_bytes(), row_end)
            } else {
                sink(piece, row_end)
            }
        };
        // The first bytes of the current line, until they cannot be the `\.` end marker.
        let mut head: Vec<u8> = Vec::with_capacity(4);
        let mut in_row = false;
        loop {
            let line = self.line_no + 1;
            let avail = self
                .r
                .fill_buf()
                .map_err(|e| script_err(line, format!("read error: {e}")))?;
            if avail.is_empty() {
                if !in_row && head == b"\\." {
                    self.line_no += 1;
                    return Ok(());
                }
                return Err(script_err(
                    start,
                    "COPY data ends without \\. (truncated script)",
                ));
            }
            if in_row {
                let window = &avail[..avail.len().min(ROW_PIECE)];
                let (n, ends) = match memchr::memchr(b'\n', window) {
                    Some(at) => (at + 1, true),
                    None => (window.len(), false),
                };
                emit(&avail[..n], ends)?;
                self.r.consume(n);
                if ends {
                    self.line_no += 1;
                    in_row = false;
                }
                continue;
            }
            let mut used = 0;
            while used < avail.len() && head.len() < 4 {
                head.push(avail[used]);
                used += 1;
                if head.ends_with(b"\n") {
                    break;
                }
            }
            self.r.consume(used);
            if head.ends_with(b"\n") {
                self.line_no += 1;
                if head == b"\\.\n" || head == b"\\.\r\n" {
                    return Ok(());
                }
                emit(&head, true)?;
                head.clear();
                continue;
            }
            let may_be_marker = b"\\.\r\n".starts_with(&head) || b"\\.\n".starts_with(&head);
            if may_be_marker && head.len() < 4 {
                continue;
            }
            emit(&head, false)?;
            head.clear();
            in_row = true;
        }
    }

    /// Current line number.
    pub fn line(&self) -> usize {
        self.line_no
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> Vec<Item> {
        let mut r = ScriptReader::new(text.as_bytes());
        let mut out = Vec::new();
        while let Some(it) = r.next_item().unwrap() {
            if let Item::Copy { .. } = it {
                let mut data = Vec::new();
                r.copy_data(|b, _| {
                    data.extend_from_slice(b);
                    Ok(())
                })
                .unwrap();
                out.push(it);
                out.push(Item::Meta {
                    cmd: "DATA".into(),
                    arg: String::from_utf8(data).unwrap(),
                    line: 0,
                });
                continue;
            }
            out.push(it);
        }
        out
    }

    fn sqls(text: &str) -> Vec<String> {
        items(text)
            .into_iter()
            .map(|i| match i {
                Item::Statement { sql, .. } | Item::Copy { sql, .. } => sql,
                Item::Meta { cmd, arg, .. } => format!("\\{cmd} {arg}"),
            })
            .collect()
    }

    #[test]
    fn splits_like_psql() {
        let s = "SET a = 1;\nSELECT 'x;y', \"q;\"\"\", E'\\';' ;\nCREATE FUNCTION f() RETURNS int AS $$ select 1; $$;\n\
                 CREATE FUNCTION g() RETURNS int AS $_$ a $$ ; $_$ LANGUAGE sql;\n/* c; /* nested; */ */ SELECT 1;\n\
                 CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO u VALUES (1); INSERT INTO v VALUES (2));\n";
        assert_eq!(
            sqls(s),
            vec![
                "SET a = 1;",
                "SELECT 'x;y', \"q;\"\"\", E'\\';' ;",
                "CREATE FUNCTION f() RETURNS int AS $$ select 1; $$;",
                "CREATE FUNCTION g() RETURNS int AS $_$ a $$ ; $_$ LANGUAGE sql;",
                "/* c; /* nested; */ */ SELECT 1;",
                "CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO u VALUES (1); INSERT INTO v VALUES (2));",
            ]
        );
    }

    #[test]
    fn begin_atomic_bodies_stay_whole() {
        let s = "CREATE FUNCTION public.f(a integer) RETURNS bigint\n    LANGUAGE sql\n    BEGIN ATOMIC\n SELECT count(*) AS count\n    FROM t\n   WHERE (CASE WHEN a > 1 THEN true ELSE false END);\nEND;\nSELECT 2;\n";
        let v = sqls(s);
        assert_eq!(v.len(), 2, "{v:?}");
        assert!(v[0].ends_with("END;"));
    }

    #[test]
    fn copy_data_meta_commands_and_toc_headers() {
        let s = "--\n-- PostgreSQL database dump\n--\n\n\\restrict KEY\n\n--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: o\n--\n\n\
                 COPY public.t (a) FROM stdin;\n1\n\\\\.\nx;y\n\\.\n\n\n--\n-- Name: t t_pkey; Type: CONSTRAINT; Schema: public; Owner: o\n--\n\n\
                 ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (a);\n\n\\unrestrict KEY\n";
        let it = items(s);
        assert_eq!(
            it[0],
            Item::Meta {
                cmd: "restrict".into(),
                arg: "KEY".into(),
                line: 5
            }
        );
        assert!(matches!(&it[1], Item::Copy { toc: Some(t), line: 11, .. } if t == "TABLE DATA"));
        assert!(matches!(&it[2], Item::Meta { arg, .. } if arg == "1\n\\\\.\nx;y\n"));
        assert!(matches!(&it[3], Item::Statement { toc: Some(t), .. } if t == "CONSTRAINT"));
        assert!(matches!(&it[4], Item::Meta { cmd, .. } if cmd == "unrestrict"));
    }

    #[test]
    fn truncated_copy_and_unknown_meta() {
        let mut r = ScriptReader::new("COPY t FROM stdin;\n1\n2\n".as_bytes());
        assert!(matches!(r.next_item().unwrap(), Some(Item::Copy { .. })));
        let err = r.copy_data(|_, _| Ok(())).unwrap_err().to_string();
        assert!(err.contains("line 1") && err.contains("truncated"), "{err}");
        let mut r = ScriptReader::new("SELECT 1;\n\\! ls\n".as_bytes());
        r.next_item().unwrap();
        assert!(
            matches!(r.next_item().unwrap(), Some(Item::Meta { cmd, line: 2, .. }) if cmd == "!")
        );
    }

    #[test]
    fn latin1_scripts_are_read_as_utf8() {
        let script: &[u8] = b"SET client_encoding = 'LATIN1';\nCREATE TABLE caf\xe9 (a text);\nCOPY caf\xe9 (a) FROM stdin;\ncr\xe8me\n\\.\n";
        let mut r = ScriptReader::new(script);
        let mut sql = Vec::new();
        let mut data = Vec::new();
        while let Some(it) = r.next_item().unwrap() {
            match it {
                Item::Statement { sql: s, .. } => sql.push(s),
                Item::Copy { sql: s, .. } => {
                    sql.push(s);
                    r.copy_data(|b, _| {
                        data.extend_from_slice(b);
                        Ok(())
                    })
                    .unwrap();
                }
                _ => {}
            }
        }
        assert_eq!(
            sql,
            vec![
                "SET client_encoding = 'UTF8';",
                "CREATE TABLE caf\u{e9} (a text);",
                "COPY caf\u{e9} (a) FROM stdin;"
            ]
        );
        assert_eq!(data, "cr\u{e8}me\n".as_bytes());
        let mut r = ScriptReader::new(&b"SET client_encoding = 'EUC_JP';\n"[..]);
        assert!(r.next_item().is_err());
        let mut r = ScriptReader::new(&b"SELECT '\xe9';\n"[..]);
        assert!(r.next_item().is_err());
    }
}
