//! The one error type of pgsnap: what failed (kind), in which phase and on which object (context).

use std::fmt;

/// What went wrong, coarse enough to pick an exit code and a message prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command line is inconsistent or names something that does not exist.
    Usage,
    /// Connecting or authenticating failed.
    Connect,
    /// A query or COPY failed on the server.
    Server,
    /// The database holds something pgsnap cannot dump faithfully.
    Unsupported,
    /// The catalog returned something unexpected.
    Catalog,
    /// Reading or writing a local file failed.
    Io,
    /// The output pipe was closed by the reader (for example `| head`).
    BrokenPipe,
    /// A snapshot or an archive does not match its manifest (a file missing, altered or corrupt).
    Verify,
    /// SIGINT or SIGTERM stopped the run.
    Interrupted,
}

impl ErrorKind {
    /// The process exit status for an error of this kind: 1 as pg_dump for usage and anything
    /// unlisted, 2 as psql when the connection failed, 3 as psql with ON_ERROR_STOP when the
    /// server refused a statement, 4 for a local file, 5 for a verification failure.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Connect => 2,
            ErrorKind::Server => 3,
            ErrorKind::Io => 4,
            ErrorKind::Verify => 5,
            ErrorKind::Usage
            | ErrorKind::Unsupported
            | ErrorKind::Catalog
            | ErrorKind::BrokenPipe
            | ErrorKind::Interrupted => 1,
        }
    }
}

/// An error with the phase and object it happened in.
#[derive(Debug)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    message: String,
    context: Vec<String>,
    /// The server's SQLSTATE, when the server reported the error.
    sqlstate: Option<String>,
    /// The server's CONTEXT (`COPY t, line 5: "..."`), when it sent one.
    server_context: Option<String>,
    /// The lower-level error this one wraps (an I/O or a driver error).
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// Result alias used across pgsnap.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A new error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                context: Vec::new(),
                sqlstate: None,
                server_context: None,
                source: None,
            }),
        }
    }

    /// Keeps `source` as the cause of this error (see [`std::error::Error::source`]).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// A usage error (bad flags, patterns matching nothing under --strict-names, ...).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }

    /// An unexpected catalog value.
    pub fn catalog(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Catalog, message)
    }

    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The server's SQLSTATE (`55P03` for a lock not available...), when the server said one.
    pub fn sqlstate(&self) -> Option<&str> {
        self.inner.sqlstate.as_deref()
    }

    /// Records the server's SQLSTATE.
    pub fn with_sqlstate(mut self, code: impl Into<String>) -> Self {
        self.inner.sqlstate = Some(code.into());
        self
    }

    /// The server's CONTEXT line, when it sent one.
    pub fn server_context(&self) -> Option<&str> {
        self.inner.server_context.as_deref()
    }

    /// Records the server's CONTEXT.
    pub fn with_server_context(mut self, context: impl Into<String>) -> Self {
        self.inner.server_context = Some(context.into());
        self
    }

    /// Says the server's CONTEXT in the message too (as psql prints it after the error).
    pub fn show_server_context(mut self) -> Self {
        if let Some(c) = self.inner.server_context.take() {
            self.inner.message.push_str(&format!(" (context: {c})"));
        }
        self
    }

    /// Whether a context already says where the error happened (a script line: "line 12").
    pub fn has_line(&self) -> bool {
        self.inner.context.iter().any(|c| c.starts_with("line "))
    }

    /// Names the script file where a context says only the line ("line 35" -> "dump.sql:35"),
    /// as psql names the place of an error.
    pub fn in_file(mut self, file: &str) -> Self {
        for c in &mut self.inner.context {
            if let Some(n) = c.strip_prefix("line ") {
                *c = format!("{file}:{n}");
            }
        }
        self
    }

    /// Adds the phase or object this error happened in ("reading tables", "COPY public.foo").
    pub fn context(mut self, what: impl Into<String>) -> Self {
        self.inner.context.push(what.into());
        self
    }

    /// Wraps a tokio-postgres error, keeping the server's message and detail.
    pub fn from_pg(err: tokio_postgres::Error, kind: ErrorKind) -> Self {
        let sqlstate = err.code().map(|c| c.code().to_string());
        let server_context = err
            .as_db_error()
            .and_then(|d| d.where_())
            .map(str::to_string);
        let message = match err.as_db_error() {
            Some(db) => server_message(db.message(), db.detail(), db.hint()),
            // The connection ended before this request (its backend terminated while idle):
            // libpq's words, whatever moment it was noticed in.
            None if err.is_closed() => "server closed the connection unexpectedly".to_string(),
            None => {
                let mut m = err.to_string();
                let mut src = std::error::Error::source(&err);
                while let Some(s) = src {
                    let s_text = s.to_string();
                    if !m.contains(&s_text) {
                        m.push_str(": ");
                        m.push_str(&s_text);
                    }
                    src = s.source();
                }
                m
            }
        };
        let mut e = Self::new(kind, message);
        e.inner.server_context = server_context;
        e.inner.source = Some(Box::new(err));
        match sqlstate {
            Some(code) => e.with_sqlstate(code),
            None => e,
        }
    }
}

/// How an I/O error reads in a message: the system's words for the common causes, without
/// Rust's "(os error N)".
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => return "No such file or directory".into(),
        K::PermissionDenied => return "Permission denied".into(),
        K::IsADirectory => return "Is a directory".into(),
        K::StorageFull => return "No space left on device".into(),
        _ => {}
    }
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// How pgsnap words an error the server sent: its message, then its detail and hint.
pub fn server_message(message: &str, detail: Option<&str>, hint: Option<&str>) -> String {
    let mut m = message.to_string();
    if let Some(detail) = detail {
        m.push_str(&format!(" (detail: {detail})"));
    }
    if let Some(hint) = hint {
        m.push_str(&format!(" (hint: {hint})"));
    }
    m
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.inner.context.iter().rev() {
            write!(f, "{c}: ")?;
        }
        write!(f, "{}", self.inner.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            Error::new(ErrorKind::BrokenPipe, "output closed by reader").with_source(err)
        } else {
            Error::new(ErrorKind::Io, err.to_string()).with_source(err)
        }
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(err: tokio_postgres::Error) -> Self {
        Error::from_pg(err, ErrorKind::Server)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_distinct_where_a_script_branches() {
        let codes = [
            ErrorKind::Usage,
            ErrorKind::Connect,
            ErrorKind::Server,
            ErrorKind::Io,
            ErrorKind::Verify,
        ]
        .map(ErrorKind::exit_code);
        assert_eq!(codes, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn an_io_error_stays_the_source() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let e = Error::from(io).context("writing \"out.sql\"");
        let source = std::error::Error::source(&e).map(|s| s.to_string());
        assert_eq!(source.as_deref(), Some("denied"));
        assert_eq!(e.kind().exit_code(), 4);
    }
}
