//! The statement lexer of the restore's script reader: quotes, comments, dollar quotes,
//! parentheses and psql's `BEGIN ... END` rule, carried from one piece of a line to the next.

use super::StatementBuf;

/// What the scan is inside of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum State {
    #[default]
    Normal,
    /// After `--`, up to the end of the line.
    LineComment,
    Quote {
        escapes: bool,
    },
    Ident,
    Dollar,
    Block(u32),
}

/// psql's heuristic for `BEGIN ... END` in SQL-standard function bodies.
#[derive(Default)]
pub(super) struct Words {
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

/// Where a statement's scan stands.
#[derive(Default)]
pub(super) struct Lexer {
    pub(super) state: State,
    dollar_tag: Vec<u8>,
    paren: i32,
    words: Words,
    /// The word being read (an identifier or keyword), fed to `words` when it ends.
    word: Vec<u8>,
}

impl Lexer {
    /// Scans `line` up to `limit` (bytes after it are only looked ahead at). Returns where the
    /// scan stopped and, when a statement ended there, the index just after its semicolon.
    /// `stmt` holds what came before the line, for look-behind at its start.
    pub(super) fn scan(
        &mut self,
        line: &[u8],
        limit: usize,
        stmt: &StatementBuf,
        std_strings: bool,
    ) -> (usize, Option<usize>) {
        let n = line.len();
        let before = |i: usize, k: usize| -> Option<u8> {
            if i >= k {
                Some(line[i - k])
            } else {
                stmt.byte_from_end(k - i)
            }
        };
        let mut i = 0;
        let mut end_at: Option<usize> = None;
        while i < limit {
            let c = line[i];
            match self.state {
                State::Normal => {
                    let is_word = c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
                    if is_word {
                        self.word.push(c);
                        i += 1;
                        continue;
                    }
                    if !self.word.is_empty() {
                        let w = String::from_utf8_lossy(&self.word).into_owned();
                        self.words.word(&w, self.paren);
                        self.word.clear();
                    }
                    match c {
                        b'-' if line.get(i + 1) == Some(&b'-') => {
                            self.state = State::LineComment;
                            i += 2;
                            continue;
                        }
                        b'/' if line.get(i + 1) == Some(&b'*') => {
                            self.state = State::Block(1);
                            i += 2;
                            continue;
                        }
                        b'\'' => {
                            let e = matches!(before(i, 1), Some(b'E' | b'e'))
                                && !before(i, 2)
                                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
                            self.state = State::Quote {
                                escapes: e || !std_strings,
                            };
                        }
                        b'"' => self.state = State::Ident,
                        b'$' => {
                            let prev_word = before(i, 1)
                                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
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
                                    self.dollar_tag = line[i..=j].to_vec();
                                    self.state = State::Dollar;
                                    i = j + 1;
                                    continue;
                                }
                            }
                        }
                        b'(' => self.paren += 1,
                        b')' => self.paren -= 1,
                        b';' if self.paren <= 0 && self.words.begin_depth == 0 => {
                            end_at = Some(i + 1);
                            break;
                        }
                        _ => {}
                    }
                    i += 1;
                }
                State::LineComment => {
                    if c == b'\n' {
                        self.state = State::Normal;
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
                        self.state = State::Normal;
                    }
                    i += 1;
                }
                State::Ident => {
                    if c == b'"' {
                        self.state = State::Normal;
                    }
                    i += 1;
                }
                State::Dollar => {
                    if c == b'$' && line[i..].starts_with(&self.dollar_tag) {
                        i += self.dollar_tag.len();
                        self.state = State::Normal;
                        continue;
                    }
                    i += 1;
                }
                State::Block(d) => {
                    if c == b'*' && line.get(i + 1) == Some(&b'/') {
                        self.state = if d == 1 {
                            State::Normal
                        } else {
                            State::Block(d - 1)
                        };
                        i += 2;
                        continue;
                    }
                    if c == b'/' && line.get(i + 1) == Some(&b'*') {
                        self.state = State::Block(d + 1);
                        i += 2;
                        continue;
                    }
                    i += 1;
                }
            }
        }
        (i, end_at)
    }

    /// At the end of a whole line: a word that ends there is a word.
    pub(super) fn end_of_line(&mut self) {
        if !self.word.is_empty() && self.state == State::Normal {
            let w = String::from_utf8_lossy(&self.word).into_owned();
            self.words.word(&w, self.paren);
            self.word.clear();
        }
    }
}
