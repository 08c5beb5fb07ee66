//! Opens connections the libpq way: every host in order, TLS per `sslmode`, a password from
//! the settings or `.pgpass` or the terminal, and libpq-style error messages naming the
//! server that was tried. The only place that spawns a tokio-postgres connection task.

use super::conninfo::{ChannelBinding, ConnSettings, HostSpec, SslMode};
use super::tls;
use crate::error::{Error, ErrorKind, Result};
use std::time::Duration;
use tokio_postgres::config::{
    ChannelBinding as PgChannelBinding, SslMode as PgSslMode, TargetSessionAttrs,
};
use tokio_postgres::{Client, Config};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How to behave when the server wants a password we do not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordPrompt {
    /// `-w`: never prompt.
    Never,
    /// Default: prompt on the terminal only if the server asks for one.
    IfNeeded,
    /// `-W`: prompt before connecting.
    Always,
}

pub(super) fn build_config(s: &ConnSettings, h: &HostSpec, ssl: PgSslMode) -> Result<Config> {
    let mut cfg = Config::new();
    if h.is_socket() {
        cfg.host_path(&h.host);
    } else {
        cfg.host(&h.host);
    }
    if let Some(addr) = &h.hostaddr {
        let ip = addr
            .parse()
            .map_err(|_| Error::usage(format!("could not parse network address \"{addr}\"")))?;
        cfg.hostaddr(ip);
    }
    cfg.port(h.port);
    cfg.user(&s.user);
    cfg.dbname(&s.dbname);
    cfg.application_name(&s.application_name);
    if let Some(pw) = &h.password {
        cfg.password(pw);
    }
    if let Some(o) = &s.options {
        cfg.options(o);
    }
    if let Some(t) = s.connect_timeout {
        cfg.connect_timeout(Duration::from_secs(t));
    }
    cfg.ssl_mode(ssl);
    cfg.channel_binding(match s.channel_binding {
        ChannelBinding::Disable => PgChannelBinding::Disable,
        ChannelBinding::Prefer => PgChannelBinding::Prefer,
        ChannelBinding::Require => PgChannelBinding::Require,
    });
    cfg.target_session_attrs(match s.target_session_attrs.as_str() {
        "read-write" => TargetSessionAttrs::ReadWrite,
        "read-only" => TargetSessionAttrs::ReadOnly,
        _ => TargetSessionAttrs::Any,
    });
    Ok(cfg)
}

/// libpq's wording for why a connection attempt failed.
pub(super) fn cause(err: &tokio_postgres::Error) -> String {
    if let Some(db) = err.as_db_error() {
        let mut m = format!("{}:  {}", db.severity(), db.message());
        if let Some(d) = db.detail() {
            m.push_str(&format!(" (DETAIL:  {d})"));
        }
        return m;
    }
    let mut text = err.to_string();
    let mut src = std::error::Error::source(err);
    while let Some(s) = src {
        text.push_str(": ");
        text.push_str(&s.to_string());
        src = s.source();
    }
    if text.contains("password missing") {
        return "fe_sendauth: no password supplied".into();
    }
    if text.contains("timeout") {
        return "timeout expired".into();
    }
    let text = err.to_string();
    let mut src = std::error::Error::source(err);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            let t = io.to_string();
            return match t.find(" (os error") {
                Some(i) => t[..i].to_string(),
                None => t,
            };
        }
        let t = s.to_string();
        src = s.source();
        if src.is_none() {
            return t;
        }
    }
    text.strip_prefix("error connecting to server: ")
        .unwrap_or(&text)
        .to_string()
}

/// Why one host could not be connected to, in libpq's words (the lines of the final error).
struct HostFailure(String);

async fn try_host(
    s: &ConnSettings,
    h: &HostSpec,
    ssl: PgSslMode,
) -> std::result::Result<Client, HostFailure> {
    let attempt = try_host_untimed(s, h, ssl);
    // libpq's connect_timeout bounds the whole attempt on a host (the server's answer to the
    // startup too, not only the socket's connect), and is at least 2 seconds.
    match s.connect_timeout.filter(|&t| t > 0) {
        Some(t) => tokio::time::timeout(Duration::from_secs(t.max(2)), attempt)
            .await
            .unwrap_or_else(|_| Err(HostFailure("timeout expired".into()))),
        None => attempt.await,
    }
}

async fn try_host_untimed(
    s: &ConnSettings,
    h: &HostSpec,
    ssl: PgSslMode,
) -> std::result::Result<Client, HostFailure> {
    let failed = |e: Error| HostFailure(e.to_string());
    let cfg = build_config(s, h, ssl).map_err(failed)?;
    let result = if h.is_socket() || ssl == PgSslMode::Disable {
        cfg.connect(tokio_postgres::NoTls).await.map(|(c, conn)| {
            tokio::spawn(async move {
                let _ = conn.await;
            });
            c
        })
    } else {
        let tls = tls::client_config(s).map_err(failed)?;
        cfg.connect(MakeRustlsConnect::new(tls))
            .await
            .map(|(c, conn)| {
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                c
            })
    };
    result.map_err(|e| HostFailure(cause(&e)))
}

/// libpq's message for a host that could not be connected to: a name that does not resolve is
/// said as such; a socket that could not be reached gets libpq's second line, the question it
/// asks about the server.
fn failure_message(h: &HostSpec, cause: &str) -> String {
    const LOOKUP: &str = "failed to lookup address information: ";
    if let Some(at) = cause.find(LOOKUP) {
        return format!(
            "could not translate host name \"{}\" to address: {}",
            h.host,
            &cause[at + LOOKUP.len()..]
        );
    }
    let mut m = format!("connection to {} failed: {cause}", h.describe());
    // The errors of connect() itself, after which libpq asks whether the server is there.
    const UNREACHED: [&str; 6] = [
        "Connection refused",
        "No such file or directory",
        "Permission denied",
        "Network is unreachable",
        "No route to host",
        "Cannot assign requested address",
    ];
    if UNREACHED.contains(&cause) {
        m.push_str(if h.is_socket() {
            "\n\tIs the server running locally and accepting connections on that socket?"
        } else {
            "\n\tIs the server running on that host and accepting TCP/IP connections?"
        });
    }
    m
}

/// Connects to the first host that accepts, trying them in order like libpq. Returns the
/// client and the index of the host that worked.
pub async fn connect_any(s: &ConnSettings) -> Result<(Client, usize)> {
    let mut failures = Vec::new();
    for (i, h) in s.hosts.iter().enumerate() {
        // TLS never applies to unix sockets (libpq ignores sslmode there).
        let attempts: &[PgSslMode] = match (h.is_socket(), s.sslmode) {
            (true, _) | (false, SslMode::Disable) => &[PgSslMode::Disable],
            (false, SslMode::Allow) => &[PgSslMode::Disable, PgSslMode::Require],
            (false, SslMode::Prefer) => &[PgSslMode::Prefer],
            (false, _) => &[PgSslMode::Require],
        };
        let mut last = String::new();
        for ssl in attempts {
            match try_host(s, h, *ssl).await {
                Ok(c) => return Ok((c, i)),
                Err(HostFailure(why)) => last = why,
            }
        }
        failures.push(failure_message(h, &last));
    }
    Err(Error::new(ErrorKind::Connect, failures.join("\n")))
}

/// Connects once (workers: the settings already name the host and password that worked).
pub async fn connect_once(s: &ConnSettings) -> Result<Client> {
    connect_any(s).await.map(|(c, _)| c)
}

fn is_missing_password(err: &Error) -> bool {
    err.to_string().contains("no password supplied")
}

fn terminal_available() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

/// Connects the leader, prompting for a password the way pg_dump does. Returns the client and
/// the settings narrowed to the host that worked (with the password), so workers connect to
/// the same server the same way.
pub async fn connect_leader(
    mut s: ConnSettings,
    prompt: PasswordPrompt,
) -> Result<(Client, ConnSettings)> {
    for w in &s.warnings {
        eprintln!("pgsnap: warning: {w}");
    }
    if prompt == PasswordPrompt::Always {
        let pw = read_password()?;
        for h in &mut s.hosts {
            h.password = Some(pw.clone());
        }
    }
    let (client, i) = match connect_any(&s).await {
        Ok(ok) => ok,
        Err(e)
            if is_missing_password(&e)
                && prompt == PasswordPrompt::IfNeeded
                && terminal_available() =>
        {
            let pw = read_password()?;
            for h in &mut s.hosts {
                h.password = Some(pw.clone());
            }
            connect_any(&s).await?
        }
        Err(e) => return Err(e),
    };
    s.hosts = vec![s.hosts[i].clone()];
    Ok((client, s))
}

fn read_password() -> Result<String> {
    rpassword::prompt_password("Password: ")
        .map_err(|e| Error::new(ErrorKind::Connect, format!("could not read password: {e}")))
}
