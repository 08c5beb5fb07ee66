//! COPY TO STDOUT read straight off a lent socket: a sans-IO decoder of the server's answer to
//! simple-protocol `COPY ... TO stdout` queries (data bytes streamed as they come, however long
//! the row), and the loop that sends pipelined queries and feeds their answers to a handler.

use super::shared_socket::Lent;
use crate::error::{Error, ErrorKind, Result};

/// What the decoder found, in stream order.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Bytes of COPY text (a row may come in several pieces, a piece may hold several rows).
    Data(&'a [u8]),
    /// The current query completed.
    Complete,
    /// The current query failed; the server's message.
    Failed(String),
    /// The server is ready for the next query (ends every query's answer).
    Ready,
}

/// Decoder state: how much of a CopyData message's payload is still to come.
#[derive(Debug, Default)]
pub struct Decoder {
    data_left: usize,
}

fn protocol(why: String) -> Error {
    Error::new(ErrorKind::Server, format!("protocol error: {why}"))
}

/// The text of an ErrorResponse body, worded as every server error pgsnap reports.
fn error_text(body: &[u8]) -> String {
    let (mut message, mut detail, mut hint) = (String::new(), None, None);
    for field in body.split(|&b| b == 0) {
        let Some((&code, value)) = field.split_first() else {
            continue;
        };
        let value = String::from_utf8_lossy(value).into_owned();
        match code {
            b'M' => message = value,
            b'D' => detail = Some(value),
            b'H' => hint = Some(value),
            _ => {}
        }
    }
    crate::error::server_message(&message, detail.as_deref(), hint.as_deref())
}

impl Decoder {
    /// Decodes what it can of `input`, handing pieces to `out`; returns the bytes consumed.
    /// A message other than CopyData is consumed only whole: the caller keeps the rest and
    /// calls again with more input ([`Decoder::wants`] says how much a message needs).
    pub fn decode(
        &mut self,
        input: &[u8],
        out: &mut dyn FnMut(Piece<'_>) -> Result<()>,
    ) -> Result<usize> {
        let mut at = 0;
        loop {
            if self.data_left > 0 {
                let n = self.data_left.min(input.len() - at);
                if n == 0 {
                    return Ok(at);
                }
                out(Piece::Data(&input[at..at + n]))?;
                at += n;
                self.data_left -= n;
                continue;
            }
            let rest = &input[at..];
            let Some(len) = message_len(rest)? else {
                return Ok(at);
            };
            let tag = rest[0];
            if tag == b'd' {
                self.data_left = len - 4;
                at += 5;
                continue;
            }
            if rest.len() < 1 + len {
                return Ok(at);
            }
            let body = &rest[5..1 + len];
            match tag {
                // CopyOutResponse: the format must be text (pgsnap only asks for text).
                b'H' => {
                    if body.first() != Some(&0) {
                        return Err(protocol("COPY answer not in text format".into()));
                    }
                }
                // CopyDone; notices, parameter changes and notifications are not ours to show.
                b'c' | b'N' | b'S' | b'A' => {}
                b'C' => out(Piece::Complete)?,
                b'E' => out(Piece::Failed(error_text(body)))?,
                b'Z' => out(Piece::Ready)?,
                other => {
                    return Err(protocol(format!(
                        "unexpected message '{}' in a COPY answer",
                        other as char
                    )))
                }
            }
            at += 1 + len;
        }
    }

    /// Bytes the message at the start of `rest` needs in one buffer (at least a header).
    pub fn wants(&self, rest: &[u8]) -> usize {
        match message_len(rest) {
            Ok(Some(len)) if self.data_left == 0 && rest[0] != b'd' => 1 + len,
            _ => 5,
        }
    }
}

/// The length field of the message at the start of `rest`, once its header is there.
fn message_len(rest: &[u8]) -> Result<Option<usize>> {
    let Some(header) = rest.get(..5) else {
        return Ok(None);
    };
    let len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
    if len < 4 {
        return Err(protocol(format!("message length {len}")));
    }
    Ok(Some(len))
}

/// What the handler hears for each query, by its index in the list sent.
pub enum Event<'a> {
    /// COPY text of query `i`.
    Data(usize, &'a [u8]),
    /// Query `i` ended: completed, or failed with the server's message.
    End(usize, crate::error::Result<()>),
}

/// Size of the socket reads.
const READ_BLOCK: usize = 256 << 10;
/// Size of the first read of an answer.
const FIRST_READ: usize = 16 << 10;

/// How much of a COPY must have come before reads are spaced out (small tables never are).
const PACE_AFTER: usize = 64 << 10;

/// Sends `queries` in one write (the server answers them in order) and feeds their answers to
/// `on`. Returns once every query's answer has ended, the socket then ready for the next
/// request; an error from `on` or the socket leaves the loan unfinished (the connection is
/// then broken rather than out of step).
pub async fn run(
    lent: &mut Lent,
    queries: &[&str],
    on: &mut dyn FnMut(Event<'_>) -> Result<()>,
) -> Result<()> {
    let mut request = bytes::BytesMut::new();
    for q in queries {
        postgres_protocol::message::frontend::query(q, &mut request).map_err(Error::from)?;
    }
    // Written whole before any answer is read: callers send a few kilobytes at most (small
    // batches), far below a socket buffer, so the server never blocks on answers meanwhile.
    lent.write_all(&request).await.map_err(Error::from)?;
    let mut decoder = Decoder::default();
    let mut pacer = lent.pacer();
    // Small first: a batch of tiny tables answers in a few kilobytes; a big COPY grows it.
    let mut buf = vec![0u8; FIRST_READ];
    let (mut start, mut end) = (0usize, 0usize);
    let mut current = 0usize;
    let mut failure: Option<String> = None;
    // COPY text of the current query so far.
    let mut streamed = 0usize;
    while current < queries.len() {
        let n = lent.read(&mut buf[end..]).await.map_err(Error::from)?;
        if n == 0 {
            // A terminated backend says why (FATAL) just before it closes: keep its words.
            let closed = "server closed the connection unexpectedly";
            return Err(Error::new(
                ErrorKind::Server,
                match failure.take() {
                    Some(why) => format!("{why}; {closed}"),
                    None => closed.to_string(),
                },
            ));
        }
        end += n;
        if end == buf.len() && buf.len() < READ_BLOCK {
            buf.resize(READ_BLOCK, 0);
        }
        if streamed >= PACE_AFTER {
            if let Some(pause) = pacer.after_read(n, buf.len() - end) {
                // A blocking sleep is fine here: the worker's thread and runtime are its own,
                // and the connection task is parked while the socket is lent.
                std::thread::sleep(pause);
            }
        }
        let consumed = decoder.decode(&buf[start..end], &mut |piece| match piece {
            Piece::Data(d) => {
                streamed += d.len();
                on(Event::Data(current, d))
            }
            Piece::Complete => Ok(()),
            Piece::Failed(m) => {
                failure = Some(m);
                Ok(())
            }
            Piece::Ready => {
                let ended = failure.take().map_or(Ok(()), |m| {
                    Err(crate::error::Error::new(crate::error::ErrorKind::Server, m))
                });
                let i = current;
                current += 1;
                streamed = 0;
                on(Event::End(i, ended))
            }
        })?;
        start += consumed;
        if start == end {
            (start, end) = (0, 0);
        } else if buf.len() - start < decoder.wants(&buf[start..end]) || end == buf.len() {
            // Keep the unfinished message at the front, growing the buffer for a long one.
            buf.copy_within(start..end, 0);
            (start, end) = (0, end - start);
            let wants = decoder.wants(&buf[..end]);
            if wants > buf.len() {
                buf.resize(wants, 0);
            }
        }
    }
    lent.set_pacer(pacer);
    lent.finished();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![tag];
        m.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
        m.extend_from_slice(body);
        m
    }

    fn answer() -> Vec<u8> {
        let mut s = msg(b'H', &[0, 0, 1, 0, 0]);
        s.extend(msg(b'd', b"1\tone\n"));
        s.extend(msg(b'N', b"SNOTICE\0Mhello\0\0"));
        s.extend(msg(b'd', b"2\ttwo\n"));
        s.extend(msg(b'c', b""));
        s.extend(msg(b'C', b"COPY 2\0"));
        s.extend(msg(b'Z', b"T"));
        s.extend(msg(b'E', b"SERROR\0C42P01\0Mno such table\0Dgone\0\0"));
        s.extend(msg(b'Z', b"E"));
        s
    }

    /// Decodes `input` fed in pieces of `step` bytes, as the read loop does.
    fn decoded(input: &[u8], step: usize) -> (Vec<u8>, Vec<String>) {
        let mut d = Decoder::default();
        let (mut data, mut events) = (Vec::new(), Vec::new());
        let mut pending = Vec::new();
        for part in input.chunks(step) {
            pending.extend_from_slice(part);
            let n = d
                .decode(&pending, &mut |p| {
                    match p {
                        Piece::Data(b) => data.extend_from_slice(b),
                        other => events.push(format!("{other:?}")),
                    }
                    Ok(())
                })
                .unwrap();
            pending.drain(..n);
        }
        assert!(pending.is_empty());
        (data, events)
    }

    #[test]
    fn rows_and_ends_come_through_whatever_the_reads() {
        let input = answer();
        let whole = decoded(&input, input.len());
        assert_eq!(whole.0, b"1\tone\n2\ttwo\n");
        assert_eq!(
            whole.1,
            [
                "Complete",
                "Ready",
                "Failed(\"no such table (detail: gone)\")",
                "Ready"
            ]
        );
        for step in [1, 2, 3, 5, 7, 64] {
            assert_eq!(decoded(&input, step), whole, "reads of {step} bytes");
        }
    }

    #[test]
    fn a_long_message_asks_for_its_whole_length() {
        let d = Decoder::default();
        let e = msg(b'E', &[b'x'; 1000]);
        assert_eq!(d.wants(&e[..3]), 5);
        assert_eq!(d.wants(&e[..10]), 1005);
        // Data is streamed: its header is all it needs at once.
        assert_eq!(d.wants(&msg(b'd', &[b'x'; 1000])[..10]), 5);
    }

    #[test]
    fn pipelined_answers_are_read_off_the_socket_whatever_their_size() {
        use super::super::shared_socket::SharedSocket;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (ours, mut server) = tokio::net::UnixStream::pair().unwrap();
            let socket = SharedSocket::from_unix(ours);
            // A row longer than a read, a notice longer than the read buffer, many short rows,
            // then a failing second query.
            let long_row: Vec<u8> = (0..READ_BLOCK * 3).map(|i| b'a' + (i % 26) as u8).collect();
            let mut expected = long_row.clone();
            let mut answer = msg(b'H', &[0, 0, 0]);
            answer.extend(msg(b'd', &long_row));
            answer.extend(msg(b'N', &vec![b'M'; READ_BLOCK + 1000]));
            for i in 0..20_000 {
                let row = format!("{i}\trow\n");
                expected.extend_from_slice(row.as_bytes());
                answer.extend(msg(b'd', row.as_bytes()));
            }
            answer.extend(msg(b'c', b""));
            answer.extend(msg(b'C', b"COPY 20001\0"));
            answer.extend(msg(b'Z', b"T"));
            answer.extend(msg(b'E', b"SERROR\0Mcurrent transaction is aborted\0\0"));
            answer.extend(msg(b'Z', b"E"));
            let fake = tokio::spawn(async move {
                let mut request = [0u8; 64];
                let mut got = 0;
                while got < 2 * (6 + "COPY x TO stdout".len()) {
                    got += server.read(&mut request[got..]).await.unwrap();
                }
                // Odd-sized writes, so messages straddle the reads.
                for part in answer.chunks(7919) {
                    server.write_all(part).await.unwrap();
                }
                server
            });
            let mut lent = socket.lend();
            let (mut data, mut ends) = (Vec::new(), Vec::new());
            run(
                &mut lent,
                &["COPY x TO stdout", "COPY x TO stdout"],
                &mut |e| {
                    match e {
                        Event::Data(i, d) => {
                            assert_eq!(i, 0);
                            data.extend_from_slice(d);
                        }
                        Event::End(i, r) => ends.push((i, r.map_err(|e| e.to_string()))),
                    }
                    Ok(())
                },
            )
            .await
            .unwrap();
            drop(lent);
            assert!(data == expected, "COPY text differs");
            assert_eq!(
                ends,
                [
                    (0, Ok(())),
                    (1, Err("current transaction is aborted".to_string()))
                ]
            );
            let _server = fake.await.unwrap();
        });
    }

    #[test]
    fn binary_or_unknown_answers_are_refused() {
        let mut d = Decoder::default();
        let mut ignore = |_: Piece<'_>| Ok(());
        assert!(d.decode(&msg(b'H', &[1, 0, 0]), &mut ignore).is_err());
        assert!(d.decode(&msg(b'T', &[0, 0]), &mut ignore).is_err());
        assert!(d.decode(&[b'd', 0, 0, 0, 2], &mut ignore).is_err());
    }
}
