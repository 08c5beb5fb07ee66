//! One simple-protocol query whose text is streamed onto a lent socket from a reader, for a
//! statement too big to hold in memory (a restore's huge INSERT), and its answer read off the
//! socket without keeping what it returns.

use super::shared_socket::SharedSocket;
use crate::error::{Error, ErrorKind, Result};
use std::io::Read;

/// How much of the statement goes out per write.
const PIECE: usize = 256 << 10;

/// The server refuses longer messages (PostgreSQL's limit on a query's size).
const MAX_MESSAGE: u64 = (1 << 30) - 1;

/// Sends the `len` bytes `text` yields as one query and waits for its answer; the server's
/// first error (with its SQLSTATE and CONTEXT) is the result.
pub async fn run_streamed(socket: &SharedSocket, len: u64, text: &mut dyn Read) -> Result<()> {
    let message_len = 4 + len + 1;
    if message_len > MAX_MESSAGE {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!("a statement of {len} bytes is longer than the server accepts"),
        ));
    }
    let mut lent = socket.lend();
    let io = |e: std::io::Error| Error::new(ErrorKind::Server, format!("sending a statement: {e}"));
    let mut head = vec![b'Q'];
    head.extend_from_slice(&(message_len as u32).to_be_bytes());
    lent.write_all(&head).await.map_err(io)?;
    let mut buf = vec![0u8; PIECE];
    let mut left = len;
    while left > 0 {
        let want = (left as usize).min(PIECE);
        let n = text.read(&mut buf[..want]).map_err(Error::from)?;
        if n == 0 {
            return Err(Error::new(ErrorKind::Io, "statement text ended early"));
        }
        lent.write_all(&buf[..n]).await.map_err(io)?;
        left -= n as u64;
    }
    lent.write_all(&[0]).await.map_err(io)?;
    let mut failure: Option<Error> = None;
    let mut pending: Vec<u8> = Vec::new();
    let mut read_buf = vec![0u8; 64 << 10];
    loop {
        while let Some(len) = message_len_at(&pending) {
            if pending.len() < 1 + len {
                break;
            }
            match pending[0] {
                b'E' if failure.is_none() => failure = Some(error_of(&pending[5..1 + len])),
                b'Z' => {
                    lent.finished();
                    return failure.map_or(Ok(()), Err);
                }
                _ => {}
            }
            pending.drain(..1 + len);
        }
        let n = lent.read(&mut read_buf).await.map_err(io)?;
        if n == 0 {
            let closed = "server closed the connection unexpectedly";
            return Err(match failure {
                Some(e) => e.context(closed),
                None => Error::new(ErrorKind::Server, closed),
            });
        }
        pending.extend_from_slice(&read_buf[..n]);
    }
}

/// The length field of the message at the start of `buf`, once its header is there.
fn message_len_at(buf: &[u8]) -> Option<usize> {
    let header = buf.get(..5)?;
    Some(u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize)
}

/// An ErrorResponse body as pgsnap's error: message, detail, hint, SQLSTATE and CONTEXT.
fn error_of(body: &[u8]) -> Error {
    let (mut message, mut detail, mut hint, mut code, mut context) =
        (String::new(), None, None, None, None);
    for field in body.split(|&b| b == 0) {
        let Some((&tag, value)) = field.split_first() else {
            continue;
        };
        let value = String::from_utf8_lossy(value).into_owned();
        match tag {
            b'M' => message = value,
            b'D' => detail = Some(value),
            b'H' => hint = Some(value),
            b'C' => code = Some(value),
            b'W' => context = Some(value),
            _ => {}
        }
    }
    let mut e = Error::new(
        ErrorKind::Server,
        crate::error::server_message(&message, detail.as_deref(), hint.as_deref()),
    );
    if let Some(code) = code {
        e = e.with_sqlstate(code);
    }
    if let Some(context) = context {
        e = e.with_server_context(context);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_fields_are_kept() {
        let e = error_of(b"SERROR\0C42601\0Msyntax error\0Wline 3\0\0");
        assert_eq!(e.sqlstate(), Some("42601"));
        assert_eq!(e.server_context(), Some("line 3"));
        assert_eq!(e.to_string(), "syntax error");
    }
}
