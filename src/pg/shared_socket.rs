//! A worker connection's socket, shared between its tokio-postgres connection task and the
//! direct COPY reader: between requests the socket can be lent out, so COPY data is read in
//! large blocks straight off the socket instead of as one message (and one wake-up) per row.

use super::connect::build_config;
use super::conninfo::{ConnSettings, HostSpec, SslMode};
use super::pacer::Pacer;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpStream, UnixStream};
use tokio_postgres::config::SslMode as PgSslMode;

/// The socket itself.
enum Raw {
    Unix(UnixStream),
    Tcp(TcpStream),
}

struct State {
    raw: Raw,
    /// Lent to the direct reader: the connection task must not touch the socket.
    lent: bool,
    /// Abandoned mid-response by the direct reader: the byte stream is out of step, so the
    /// connection task gets an error instead of misreading it.
    broken: bool,
    /// The connection task's latest wakers: it may be asleep on the socket's readiness, which
    /// the borrower's polls take over, so it is woken when the loan ends.
    conn_wakers: Vec<Waker>,
    /// The direct reader's pace on this connection, kept from one loan to the next.
    pacer: Pacer,
}

/// The shared socket (clones share it).
#[derive(Clone)]
pub struct SharedSocket(Arc<Mutex<State>>);

fn abandoned() -> io::Error {
    io::Error::new(
        io::ErrorKind::BrokenPipe,
        "connection abandoned in the middle of a COPY",
    )
}

impl SharedSocket {
    fn new(raw: Raw) -> SharedSocket {
        SharedSocket(Arc::new(Mutex::new(State {
            raw,
            lent: false,
            broken: false,
            conn_wakers: Vec::new(),
            pacer: Pacer::default(),
        })))
    }

    /// A shared socket over one end of a socket pair (tests of the COPY reader).
    #[cfg(test)]
    pub(crate) fn from_unix(stream: UnixStream) -> SharedSocket {
        SharedSocket::new(Raw::Unix(stream))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a socket and flags that stay consistent across a panic elsewhere.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Lends the socket to the caller until the returned guard is dropped. Only call it when the
    /// tokio-postgres client has no request in flight (every future it returned has completed):
    /// then the server has nothing more to say and the connection task's buffers are empty.
    pub fn lend(&self) -> Lent {
        self.lock().lent = true;
        Lent {
            socket: self.clone(),
            clean: false,
        }
    }

    /// Notes the connection task's waker and parks the task while the socket is lent; `None`
    /// when it may go on.
    fn parked_poll<T>(&self, cx: &Context<'_>) -> Option<Poll<io::Result<T>>> {
        let mut st = self.lock();
        if !st.conn_wakers.iter().any(|w| w.will_wake(cx.waker())) {
            // Reads and writes may come from different wakers; the two latest are enough.
            if st.conn_wakers.len() == 2 {
                st.conn_wakers.remove(0);
            }
            st.conn_wakers.push(cx.waker().clone());
        }
        if st.broken {
            return Some(Poll::Ready(Err(abandoned())));
        }
        if st.lent {
            return Some(Poll::Pending);
        }
        None
    }
}

/// The socket on loan to the direct reader.
pub struct Lent {
    socket: SharedSocket,
    clean: bool,
}

impl Lent {
    /// Marks the exchange complete (the server waits for the next request), so the socket can
    /// go back to the connection task. Without it, dropping the loan breaks the connection.
    pub fn finished(&mut self) {
        self.clean = true;
    }

    /// How the reader last paced its reads on this connection.
    pub fn pacer(&self) -> Pacer {
        self.socket.lock().pacer
    }

    /// Keeps the reader's pace for the next loan.
    pub fn set_pacer(&mut self, pacer: Pacer) {
        self.socket.lock().pacer = pacer;
    }

    /// Reads what the socket has (at least one byte, 0 at end of stream).
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        std::future::poll_fn(|cx| {
            let mut rb = ReadBuf::new(buf);
            Pin::new(&mut self.socket.lock().raw)
                .poll_read(cx, &mut rb)
                .map_ok(|()| rb.filled().len())
        })
        .await
    }

    /// Writes all of `data`.
    pub async fn write_all(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let n = std::future::poll_fn(|cx| {
                Pin::new(&mut self.socket.lock().raw).poll_write(cx, data)
            })
            .await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            data = &data[n..];
        }
        Ok(())
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        let wakers = {
            let mut st = self.socket.lock();
            st.lent = false;
            st.broken |= !self.clean;
            st.conn_wakers.clone()
        };
        for w in wakers {
            w.wake();
        }
    }
}

impl AsyncRead for Raw {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Raw::Unix(s) => Pin::new(s).poll_read(cx, buf),
            Raw::Tcp(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Raw {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Raw::Unix(s) => Pin::new(s).poll_write(cx, data),
            Raw::Tcp(s) => Pin::new(s).poll_write(cx, data),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Raw::Unix(s) => Pin::new(s).poll_flush(cx),
            Raw::Tcp(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Raw::Unix(s) => Pin::new(s).poll_shutdown(cx),
            Raw::Tcp(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// The connection task's side: everything goes to the socket unless it is lent out.
impl AsyncRead for SharedSocket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(p) = self.parked_poll(cx) {
            return p;
        }
        Pin::new(&mut self.lock().raw).poll_read(cx, buf)
    }
}

impl AsyncWrite for SharedSocket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(p) = self.parked_poll(cx) {
            return p;
        }
        Pin::new(&mut self.lock().raw).poll_write(cx, data)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(p) = self.parked_poll(cx) {
            return p;
        }
        Pin::new(&mut self.lock().raw).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(p) = self.parked_poll(cx) {
            return p;
        }
        Pin::new(&mut self.lock().raw).poll_shutdown(cx)
    }
}

/// Whether a connection to `h` may get a shared socket: one without TLS. Unix sockets in a
/// directory never use TLS; over TCP, `sslmode=disable` and `allow` start without it, and
/// `prefer` does when the server declines TLS. TLS connections keep tokio-postgres' own
/// stream: decrypting is then the cost, and channel binding needs its handshake.
pub fn shareable(s: &ConnSettings, h: &HostSpec) -> bool {
    if h.is_socket() {
        h.host.starts_with('/')
    } else {
        matches!(
            s.sslmode,
            SslMode::Disable | SslMode::Allow | SslMode::Prefer
        )
    }
}

async fn open(h: &HostSpec) -> io::Result<Raw> {
    if h.is_socket() {
        let path = format!("{}/.s.PGSQL.{}", h.host, h.port);
        return UnixStream::connect(path).await.map(Raw::Unix);
    }
    let target = h.hostaddr.as_deref().unwrap_or(&h.host);
    let tcp = TcpStream::connect((target, h.port)).await?;
    tcp.set_nodelay(true)?;
    Ok(Raw::Tcp(tcp))
}

/// The SSLRequest packet: length 8, code 80877103.
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

/// Asks the server whether it wants TLS (`sslmode=prefer`): `false` when it declines, and the
/// startup can go on in the clear on the same socket.
async fn server_wants_tls<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) -> io::Result<bool> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(&SSL_REQUEST).await?;
    match stream.read_u8().await? {
        b'N' => Ok(false),
        b'S' => Ok(true),
        other => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "received invalid response to SSL negotiation: {}",
                other as char
            ),
        )),
    }
}

/// Connects to the settings' first host (workers: the host the leader reached) over a socket
/// of our own, so that it can be lent out for COPY; `None` when this connection needs TLS or
/// could not be made without it (the caller then connects the usual way, which also words
/// any error as libpq would); `None` too when [`shareable`] says the host's connection is not.
pub async fn connect(s: &ConnSettings) -> Option<(tokio_postgres::Client, SharedSocket)> {
    let h = s.hosts.first().filter(|h| shareable(s, h))?;
    let opening = async {
        let mut raw = open(h).await?;
        if let (Raw::Tcp(tcp), SslMode::Prefer) = (&mut raw, s.sslmode) {
            if server_wants_tls(tcp).await? {
                return Ok(None);
            }
        }
        Ok::<_, io::Error>(Some(raw))
    };
    let raw = match s.connect_timeout {
        Some(t) => tokio::time::timeout(Duration::from_secs(t), opening)
            .await
            .ok()?,
        None => opening.await,
    }
    .ok()??;
    let socket = SharedSocket::new(raw);
    let cfg = build_config(s, h, PgSslMode::Disable).ok()?;
    let (client, conn) = cfg
        .connect_raw(socket.clone(), tokio_postgres::NoTls)
        .await
        .ok()?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Some((client, socket))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// A stand-in for the connection task: reads what reaches it into a channel.
    fn connection_task(
        mut socket: SharedSocket,
    ) -> tokio::sync::mpsc::UnboundedReceiver<io::Result<Vec<u8>>> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut buf = [0u8; 64];
            loop {
                let got = socket.read(&mut buf).await.map(|n| buf[..n].to_vec());
                let stop = !matches!(&got, Ok(b) if !b.is_empty());
                if tx.send(got).is_err() || stop {
                    return;
                }
            }
        });
        rx
    }

    #[test]
    fn lent_socket_is_read_by_the_borrower_only_and_then_handed_back() {
        runtime().block_on(async {
            let (ours, mut server) = UnixStream::pair().unwrap();
            let socket = SharedSocket::new(Raw::Unix(ours));
            let mut conn = connection_task(socket.clone());
            server.write_all(b"before").await.unwrap();
            assert_eq!(conn.recv().await.unwrap().unwrap(), b"before");

            let mut lent = socket.lend();
            lent.write_all(b"query").await.unwrap();
            let mut got = [0u8; 5];
            server.read_exact(&mut got).await.unwrap();
            assert_eq!(&got, b"query");
            server.write_all(b"answer").await.unwrap();
            let mut buf = [0u8; 64];
            let n = lent.read(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"answer");
            // The connection task saw none of it.
            tokio::task::yield_now().await;
            assert!(conn.try_recv().is_err());
            lent.finished();
            drop(lent);

            server.write_all(b"after").await.unwrap();
            assert_eq!(conn.recv().await.unwrap().unwrap(), b"after");
        });
    }

    #[test]
    fn tls_negotiation_reads_the_servers_one_byte_answer() {
        runtime().block_on(async {
            for (answer, wants) in [(b'N', Some(false)), (b'S', Some(true)), (b'E', None)] {
                let (mut ours, mut server) = UnixStream::pair().unwrap();
                let fake = tokio::spawn(async move {
                    let mut req = [0u8; 8];
                    server.read_exact(&mut req).await.unwrap();
                    server.write_all(&[answer]).await.unwrap();
                    req
                });
                assert_eq!(server_wants_tls(&mut ours).await.ok(), wants);
                assert_eq!(fake.await.unwrap(), SSL_REQUEST);
            }
        });
    }

    #[test]
    fn a_loan_dropped_mid_answer_breaks_the_connection_instead_of_hanging_it() {
        runtime().block_on(async {
            let (ours, mut server) = UnixStream::pair().unwrap();
            let socket = SharedSocket::new(Raw::Unix(ours));
            let mut conn = connection_task(socket.clone());
            tokio::task::yield_now().await;
            let lent = socket.lend();
            server.write_all(b"half an answer").await.unwrap();
            drop(lent);
            let err = conn.recv().await.unwrap().unwrap_err();
            assert!(err.to_string().contains("abandoned"), "{err}");
        });
    }
}
