//! A streaming reader of psql scripts that splits statements as psql does (quotes, `E''`
//! strings, dollar quoting, nested comments, parentheses, `BEGIN ATOMIC ... END` bodies),
//! hands `COPY ... FROM stdin` data through line by line up to `\.`, recognises the few
//! meta-commands dumps contain, and remembers the TOC header (`-- Name: ...; Type: X`) of each
//! statement. Pure: any `BufRead` in, items out; it never holds a table's data in memory.

use crate::error::{Error, ErrorKind, Result};
use std::io::BufRead;

mod lexer;
use lexer::{Lexer, State};

/// What a statement is, from the dump's `-- Name: ...; Type: X; ...` header.
pub type TocType = Option<String>;

/// One unit of a script.
#[derive(Debug)]
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
    /// A statement too long to hold in memory (over [`STATEMENT_MEMORY`]): its text, in UTF8,
    /// waits in a temp file, to be streamed to the server.
    LongStatement {
        /// Its first bytes, for telling what it is.
        head: String,
        /// The whole text, read from the start.
        text: std::fs::File,
        /// The text's length in bytes.
        len: u64,
        /// Line where it starts.
        line: usize,
        /// TOC type of the entry it belongs to.
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

impl PartialEq for Item {
    /// Items compare by their text and place; a long statement's text is in a file, so it
    /// equals no other item.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Item::Statement { sql, line, toc },
                Item::Statement {
                    sql: s2,
                    line: l2,
                    toc: t2,
                },
            )
            | (
                Item::Copy { sql, line, toc },
                Item::Copy {
                    sql: s2,
                    line: l2,
                    toc: t2,
                },
            ) => sql == s2 && line == l2 && toc == t2,
            (
                Item::Meta { cmd, arg, line },
                Item::Meta {
                    cmd: c2,
                    arg: a2,
                    line: l2,
                },
            ) => cmd == c2 && arg == a2 && line == l2,
            _ => false,
        }
    }
}

/// What the first line of a statement turned out to be.
enum LineStart {
    /// A backslash command.
    Meta(Item),
    /// A comment or a blank line.
    Skip,
    /// The start of a statement.
    Statement,
}

/// The reader.
pub struct ScriptReader<R: BufRead> {
    r: R,
    line_no: usize,
    toc: TocType,
    std_strings: bool,
    encoding: ScriptEncoding,
    /// The unscanned end of the last piece of a long line.
    carry: Vec<u8>,
    /// Whether the last piece read ended inside a line.
    mid_line: bool,
}

fn script_err(line: usize, msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Usage, msg).context(format!("line {line}"))
}

/// The input could not be read at `line` (a device error, a corrupt compressed stream).
fn read_err(line: usize, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("read error: {e}"))
        .with_source(e)
        .context(format!("line {line}"))
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

fn toc_type_of(comment: &str) -> Option<String> {
    let rest = comment
        .strip_prefix("-- Name: ")
        .or_else(|| comment.strip_prefix("-- Data for Name: "))?;
    let t = rest.split("; Type: ").nth(1)?;
    Some(t.split("; Schema: ").next()?.to_string())
}

/// Bytes of one statement kept in memory; a longer one goes to a temp file as it is read, and
/// on to the server from there.
pub const STATEMENT_MEMORY: usize = 8 << 20;

/// The most bytes of a long line scanned at once.
const SCAN_PIECE: usize = 256 << 10;

/// Bytes left unscanned at the end of a piece of a long line, for the scanner's look-ahead (a
/// dollar-quote tag, `''`, `*/`).
const LOOKAHEAD: usize = 4096;

/// Bytes of a long statement kept to tell what it is.
const HEAD: usize = 4096;

/// A statement's bytes as they are read: in memory, or past [`STATEMENT_MEMORY`] in a temp
/// file (its text already in UTF8).
#[derive(Default)]
struct StatementBuf {
    mem: Vec<u8>,
    spill: Option<Spill>,
}

struct Spill {
    file: std::io::BufWriter<std::fs::File>,
    len: u64,
    head: String,
    /// The start of a UTF-8 sequence the next bytes complete.
    partial_char: Vec<u8>,
    /// The last two bytes as read, for the scanner's look-behind.
    last: Vec<u8>,
}

/// A complete statement.
enum Finished {
    Memory(Vec<u8>),
    Spilled {
        head: String,
        file: std::fs::File,
        len: u64,
    },
}

fn not_utf8(line: usize) -> Error {
    script_err(
        line,
        "the statement is not valid UTF-8 (pgsnap restore reads UTF8 and LATIN1 scripts; use psql for others)",
    )
}

impl Spill {
    fn new(line: usize) -> Result<Spill> {
        let file = tempfile::tempfile().map_err(|e| {
            script_err(
                line,
                format!("could not create a temp file for a long statement: {e}"),
            )
        })?;
        Ok(Spill {
            file: std::io::BufWriter::with_capacity(256 << 10, file),
            len: 0,
            head: String::new(),
            partial_char: Vec::new(),
            last: Vec::new(),
        })
    }

    /// Appends bytes of the script, turned into UTF8.
    fn write(&mut self, bytes: &[u8], enc: ScriptEncoding, line: usize) -> Result<()> {
        use std::io::Write;
        self.last
            .extend_from_slice(&bytes[bytes.len().saturating_sub(2)..]);
        let cut = self.last.len().saturating_sub(2);
        self.last.drain(..cut);
        let text: Vec<u8> = match enc {
            ScriptEncoding::Latin1 => bytes
                .iter()
                .map(|&b| b as char)
                .collect::<String>()
                .into_bytes(),
            ScriptEncoding::Utf8 => {
                let mut data = std::mem::take(&mut self.partial_char);
                data.extend_from_slice(bytes);
                match std::str::from_utf8(&data) {
                    Ok(_) => data,
                    Err(e) if e.error_len().is_none() => {
                        self.partial_char = data.split_off(e.valid_up_to());
                        data
                    }
                    Err(_) => return Err(not_utf8(line)),
                }
            }
        };
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(text.len());
            self.head.push_str(&String::from_utf8_lossy(&text[..take]));
        }
        self.file
            .write_all(&text)
            .map_err(|e| script_err(line, format!("could not spool a long statement: {e}")))?;
        self.len += text.len() as u64;
        Ok(())
    }
}

impl StatementBuf {
    fn is_blank(&self) -> bool {
        self.spill.is_none() && self.mem.iter().all(|b| b.is_ascii_whitespace())
    }

    /// The byte `k` places from the end (1: the last one), for look-behind; up to 2.
    fn byte_from_end(&self, k: usize) -> Option<u8> {
        let bytes = match &self.spill {
            Some(s) => &s.last,
            None => &self.mem,
        };
        bytes.len().checked_sub(k).map(|i| bytes[i])
    }

    fn push(&mut self, bytes: &[u8], enc: ScriptEncoding, line: usize) -> Result<()> {
        if let Some(s) = &mut self.spill {
            return s.write(bytes, enc, line);
        }
        self.mem.extend_from_slice(bytes);
        if self.mem.len() > STATEMENT_MEMORY {
            let mut s = Spill::new(line)?;
            let mem = std::mem::take(&mut self.mem);
            s.write(&mem, enc, line)?;
            self.spill = Some(s);
        }
        Ok(())
    }

    fn finish(self, line: usize) -> Result<Finished> {
        use std::io::Seek;
        let Some(s) = self.spill else {
            return Ok(Finished::Memory(self.mem));
        };
        if !s.partial_char.is_empty() {
            return Err(not_utf8(line));
        }
        let io =
            |e: std::io::Error| script_err(line, format!("could not spool a long statement: {e}"));
        let mut file = s.file.into_inner().map_err(|e| io(e.into_error()))?;
        file.rewind().map_err(io)?;
        Ok(Finished::Spilled {
            head: s.head,
            file,
            len: s.len,
        })
    }
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
            carry: Vec::new(),
            mid_line: false,
        }
    }

    /// The next piece of the script: the rest of the current line, or, of a long line, the next
    /// [`SCAN_PIECE`] bytes after what was carried over (plus [`LOOKAHEAD`] more, left for the
    /// next piece). Returns the bytes, whether the line goes on, and whether they start a line.
    fn read_fragment(&mut self) -> Result<Option<(Vec<u8>, bool, bool)>> {
        let starts_line = !self.mid_line;
        let mut buf = std::mem::take(&mut self.carry);
        let mut fresh = false;
        loop {
            let line = self.line_no + usize::from(starts_line);
            let avail = self.r.fill_buf().map_err(|e| read_err(line, e))?;
            if avail.is_empty() {
                break;
            }
            if starts_line && !fresh {
                self.line_no += 1;
            }
            fresh = true;
            let room = (SCAN_PIECE + LOOKAHEAD).saturating_sub(buf.len());
            let window = &avail[..avail.len().min(room)];
            if let Some(at) = memchr::memchr(b'\n', window) {
                buf.extend_from_slice(&window[..=at]);
                self.r.consume(at + 1);
                self.mid_line = false;
                return Ok(Some((buf, false, starts_line)));
            }
            let n = window.len();
            buf.extend_from_slice(window);
            self.r.consume(n);
            if buf.len() >= SCAN_PIECE + LOOKAHEAD {
                self.mid_line = true;
                return Ok(Some((buf, true, starts_line)));
            }
        }
        self.mid_line = false;
        Ok((!buf.is_empty()).then_some((buf, false, starts_line)))
    }

    /// After a statement's end on a long line: the rest of that line must be blank or a
    /// comment (dump scripts put one statement on a line).
    fn rest_of_line_is_blank(&mut self, rest: &[u8], mut partial: bool) -> Result<bool> {
        let blank = |b: &[u8]| b.iter().all(|c| c.is_ascii_whitespace());
        let text = String::from_utf8_lossy(rest);
        if text.trim_start().starts_with("--") {
            while partial {
                match self.read_fragment()? {
                    Some((_, more, _)) => partial = more,
                    None => break,
                }
            }
            return Ok(true);
        }
        if !blank(rest) {
            return Ok(false);
        }
        while partial {
            match self.read_fragment()? {
                Some((more_bytes, more, _)) => {
                    if !blank(&more_bytes) {
                        return Ok(false);
                    }
                    partial = more;
                }
                None => break,
            }
        }
        Ok(true)
    }

    /// The first line of what may be a statement: a meta-command (returned whole), a comment
    /// (a TOC comment sets the entry type) or blank (skipped), or the start of a statement.
    fn line_start(&mut self, line: &mut Vec<u8>, partial: &mut bool) -> Result<LineStart> {
        let first = line.iter().position(|b| !b.is_ascii_whitespace());
        if *partial && first.is_some_and(|f| line[f] == b'\\' || line[f..].starts_with(b"--")) {
            // A meta-command or comment line is read whole (they are short).
            while *partial {
                match self.read_fragment()? {
                    Some((more, p, _)) => {
                        line.extend_from_slice(&more);
                        *partial = p;
                    }
                    None => *partial = false,
                }
            }
        }
        let trimmed = match self.encoding {
            ScriptEncoding::Latin1 => line.iter().map(|&b| b as char).collect(),
            ScriptEncoding::Utf8 => String::from_utf8_lossy(line).into_owned(),
        };
        let t = trimmed.trim_start();
        if let Some(cmd) = t.strip_prefix('\\') {
            let cmd = cmd.trim_end();
            let (name, arg) = match cmd.split_once(char::is_whitespace) {
                Some((n, a)) => (n.to_string(), a.trim().to_string()),
                None => (cmd.to_string(), String::new()),
            };
            return Ok(LineStart::Meta(Item::Meta {
                cmd: name,
                arg,
                line: self.line_no,
            }));
        }
        if t.starts_with("--") {
            if let Some(tt) = toc_type_of(t.trim_end()) {
                self.toc = Some(tt);
            }
            return Ok(LineStart::Skip);
        }
        if t.is_empty() && !*partial {
            return Ok(LineStart::Skip);
        }
        Ok(LineStart::Statement)
    }

    /// The next item, or `None` at the end of the script.
    pub fn next_item(&mut self) -> Result<Option<Item>> {
        let mut stmt = StatementBuf::default();
        let mut start_line = 0;
        let mut lex = Lexer::default();
        loop {
            let Some((mut line, mut partial, starts_line)) = self.read_fragment()? else {
                if !stmt.is_blank() {
                    if !matches!(lex.state, State::Normal | State::LineComment) {
                        return Err(script_err(
                            start_line,
                            "unterminated quoted string or comment at end of script",
                        ));
                    }
                    // psql runs a final statement without a semicolon too.
                    return self.finish_statement(stmt, start_line).map(Some);
                }
                return Ok(None);
            };
            if lex.state == State::Normal && stmt.is_blank() && starts_line {
                match self.line_start(&mut line, &mut partial)? {
                    LineStart::Meta(item) => return Ok(Some(item)),
                    LineStart::Skip => continue,
                    LineStart::Statement => start_line = self.line_no,
                }
            }
            let n = line.len();
            // Bytes at the end of a piece of a long line are scanned with the next piece, so
            // that every look-ahead below sees whole tokens.
            let limit = if partial { n - LOOKAHEAD } else { n };
            let (i, end_at) = lex.scan(&line, limit, &stmt, self.std_strings);
            match end_at {
                Some(end) => {
                    stmt.push(&line[..end], self.encoding, start_line)?;
                    if !self.rest_of_line_is_blank(&line[end..], partial)? {
                        return Err(script_err(
                            self.line_no,
                            "more than one statement on a line is not supported in dump scripts",
                        ));
                    }
                    return self.finish_statement(stmt, start_line).map(Some);
                }
                None => {
                    if !partial {
                        lex.end_of_line();
                    }
                    let resume = i.min(n);
                    stmt.push(&line[..resume], self.encoding, start_line)?;
                    if partial {
                        self.carry = line[resume..].to_vec();
                    }
                }
            }
        }
    }

    /// The item a complete statement makes.
    fn finish_statement(&mut self, stmt: StatementBuf, start_line: usize) -> Result<Item> {
        let toc = self.toc.clone();
        let mem = match stmt.finish(start_line)? {
            Finished::Memory(bytes) => bytes,
            Finished::Spilled { head, file, len } => {
                return Ok(Item::LongStatement {
                    head,
                    text: file,
                    len,
                    line: start_line,
                    toc,
                })
            }
        };
        let sql = statement_text(&mem, start_line, &mut self.encoding)?;
        self.track_settings(&sql);
        let upper = sql.to_ascii_uppercase();
        if upper.starts_with("COPY ")
            && upper
                .trim_end_matches(';')
                .trim_end()
                .ends_with("FROM STDIN")
        {
            return Ok(Item::Copy {
                sql,
                line: start_line,
                toc,
            });
        }
        Ok(Item::Statement {
            sql,
            line: start_line,
            toc,
        })
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
        if !self.carry.is_empty() || self.mid_line {
            return Err(script_err(
                start,
                "COPY data must start on the line after its COPY statement",
            ));
        }
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
            let avail = self.r.fill_buf().map_err(|e| read_err(line, e))?;
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
mod tests;
