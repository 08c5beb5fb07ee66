//! Connection settings resolved the libpq way: `key=value` strings and `postgresql://` URIs,
//! `-h/-p/-U`, `pg_service.conf`, `PG*` variables, `.pgpass` and libpq's defaults, into one
//! settings struct. Pure: the environment and file reads are passed in as functions.

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the user gave on the command line about the connection.
#[derive(Debug, Clone, Default)]
pub struct ConnOptions {
    /// `-h/--host`
    pub host: Option<String>,
    /// `-p/--port`
    pub port: Option<String>,
    /// `-U/--username`
    pub user: Option<String>,
    /// `-d/--dbname` or the positional DBNAME: a name, `key=value` conninfo or URI.
    pub dbname: Option<String>,
    /// A database name that wins over any inside a conninfo `dbname` (pg_dumpall's `-l` and
    /// its connection to each database it dumps).
    pub database: Option<String>,
}

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// Plain first, TLS if the server insists.
    Allow,
    /// TLS if the server offers it (libpq's default).
    Prefer,
    /// TLS, certificate not verified (unless a root certificate file exists).
    Require,
    /// TLS, certificate chain verified.
    VerifyCa,
    /// TLS, chain and host name verified.
    VerifyFull,
}

impl SslMode {
    /// The setting as libpq spells it.
    pub fn keyword(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// libpq's `channel_binding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelBinding {
    /// Never.
    Disable,
    /// When TLS and SCRAM allow it.
    Prefer,
    /// Fail unless SCRAM-SHA-256-PLUS is used.
    Require,
}

/// One host to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSpec {
    /// Host name, IP address or unix-socket directory (starts with `/`).
    pub host: String,
    /// `hostaddr`, when given.
    pub hostaddr: Option<String>,
    /// Port.
    pub port: u16,
    /// Password for this host (given, or found in the password file).
    pub password: Option<String>,
}

impl HostSpec {
    /// Whether this is a unix-socket connection.
    pub fn is_socket(&self) -> bool {
        self.hostaddr.is_none() && (self.host.starts_with('/') || self.host.starts_with('@'))
    }

    /// libpq's description of where it connects, for messages.
    pub fn describe(&self) -> String {
        if self.is_socket() {
            format!("server on socket \"{}/.s.PGSQL.{}\"", self.host, self.port)
        } else if let Some(addr) = &self.hostaddr {
            format!("server at \"{}\" ({addr}), port {}", self.host, self.port)
        } else {
            format!("server at \"{}\", port {}", self.host, self.port)
        }
    }
}

/// Fully resolved settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnSettings {
    /// Hosts in the order to try them.
    pub hosts: Vec<HostSpec>,
    /// Role name.
    pub user: String,
    /// Database name.
    pub dbname: String,
    /// `application_name`.
    pub application_name: String,
    /// Server `options`.
    pub options: Option<String>,
    /// Connect timeout in seconds (per host).
    pub connect_timeout: Option<u64>,
    /// TLS mode.
    pub sslmode: SslMode,
    /// Root certificate file, or `system`.
    pub sslrootcert: Option<String>,
    /// Client certificate file.
    pub sslcert: Option<String>,
    /// Client key file.
    pub sslkey: Option<String>,
    /// Channel binding.
    pub channel_binding: ChannelBinding,
    /// `target_session_attrs`: `any` or `read-write` (or `read-only`).
    pub target_session_attrs: String,
    /// Warnings to print (password-file permissions, ...).
    pub warnings: Vec<String>,
    /// `client_encoding` (`PGCLIENTENCODING`): the dump's encoding when `-E` is not given, as
    /// libpq's would be; `auto` resolved from the locale.
    pub client_encoding: Option<String>,
}

impl ConnSettings {
    /// The first host's description, for messages.
    pub fn describe(&self) -> String {
        self.hosts
            .first()
            .map(HostSpec::describe)
            .unwrap_or_default()
    }

    /// The settings as a conninfo string with the password redacted (for `-v`).
    pub fn redacted(&self) -> String {
        let hosts: Vec<&str> = self.hosts.iter().map(|h| h.host.as_str()).collect();
        let ports: Vec<String> = self.hosts.iter().map(|h| h.port.to_string()).collect();
        let pw = if self.hosts.iter().any(|h| h.password.is_some()) {
            " password=********"
        } else {
            ""
        };
        format!(
            "host={} port={} user={} dbname={}{pw} sslmode={}",
            hosts.join(","),
            ports.join(","),
            self.user,
            self.dbname,
            self.sslmode.keyword()
        )
    }
}

/// Reads a file: its contents and permission bits, `None` when absent or unreadable.
pub type FileLookup<'a> = &'a dyn Fn(&Path) -> Option<(String, u32)>;
/// Looks up an environment variable.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Everything resolution reads from outside.
pub struct Sources<'a> {
    /// Environment.
    pub env: EnvLookup<'a>,
    /// File reader.
    pub file: FileLookup<'a>,
    /// The OS user name (libpq's default user).
    pub os_user: &'a str,
    /// Home directory, for `~/.pgpass` and `~/.pg_service.conf`.
    pub home: Option<PathBuf>,
}

/// libpq's compiled-in socket directory on Debian builds.
pub const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";
/// Debian's `SYSCONFDIR` for libpq (where the system `pg_service.conf` lives).
pub const DEFAULT_SYSCONFDIR: &str = "/etc/postgresql-common";

/// Every keyword libpq 15 knows; anything else is an error, as in libpq.
const KNOWN: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "sslmode",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "gssencmode",
    "krbsrvname",
    "gsslib",
    "service",
    "target_session_attrs",
    "channel_binding",
    "replication",
    "load_balance_hosts",
    "sslnegotiation",
];

/// Environment variables and the keyword each one sets (lowest priority before defaults).
const ENV_KEYS: &[(&str, &str)] = &[
    ("PGHOST", "host"),
    ("PGHOSTADDR", "hostaddr"),
    ("PGPORT", "port"),
    ("PGDATABASE", "dbname"),
    ("PGUSER", "user"),
    ("PGPASSWORD", "password"),
    ("PGPASSFILE", "passfile"),
    ("PGOPTIONS", "options"),
    ("PGAPPNAME", "application_name"),
    ("PGSSLMODE", "sslmode"),
    ("PGSSLROOTCERT", "sslrootcert"),
    ("PGSSLCERT", "sslcert"),
    ("PGSSLKEY", "sslkey"),
    ("PGSSLCRL", "sslcrl"),
    ("PGREQUIREPEER", "requirepeer"),
    ("PGGSSENCMODE", "gssencmode"),
    ("PGCONNECT_TIMEOUT", "connect_timeout"),
    ("PGCHANNELBINDING", "channel_binding"),
    ("PGTARGETSESSIONATTRS", "target_session_attrs"),
    ("PGCLIENTENCODING", "client_encoding"),
];

fn check_keyword(k: &str) -> Result<()> {
    if KNOWN.contains(&k) {
        Ok(())
    } else {
        Err(Error::usage(format!("invalid connection option \"{k}\"")))
    }
}

fn parse_port(p: &str) -> Result<u16> {
    p.trim()
        .parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| Error::usage(format!("invalid port number: \"{p}\"")))
}

/// Refuses options pgsnap cannot honour, rather than silently ignoring them.
fn refuse_unsupported(params: &BTreeMap<String, String>) -> Result<()> {
    let get = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());
    if let Some(v) = get("gssencmode") {
        if v == "require" {
            return Err(Error::usage(
                "gssencmode=require is not supported: pgsnap has no GSSAPI support",
            ));
        }
        if !matches!(v, "disable" | "prefer") {
            return Err(Error::usage(format!("invalid gssencmode value: \"{v}\"")));
        }
    }
    for k in [
        "requirepeer",
        "krbsrvname",
        "gsslib",
        "sslcrl",
        "sslcrldir",
        "sslpassword",
        "replication",
    ] {
        if get(k).is_some() {
            return Err(Error::usage(format!(
                "connection option \"{k}\" is not supported by pgsnap"
            )));
        }
    }
    if get("sslcompression") == Some("1") {
        return Err(Error::usage("sslcompression=1 is not supported"));
    }
    Ok(())
}

/// Resolves the settings. Order, highest first: keys of a conninfo string or URI given as the
/// database name (they win over `-h/-p/-U`, as in pg_dump, which applies the expanded dbname
/// last), then `-h/-p/-U`, then the service file entry, then `PG*` variables, then defaults
/// (unix socket in `/var/run/postgresql`, port 5432, the OS user, dbname = user).
pub fn resolve(opts: &ConnOptions, src: &Sources<'_>) -> Result<ConnSettings> {
    let params = gather_params(opts, src)?;
    refuse_unsupported(&params)?;
    let get = |k: &str| params.get(k).cloned().filter(|v| !v.is_empty());

    // Hosts and ports.
    let host_list: Vec<String> = match get("host") {
        Some(h) => h.split(',').map(|s| s.trim().to_string()).collect(),
        None => vec![String::new()],
    };
    let addr_list: Vec<String> = get("hostaddr")
        .map(|h| h.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    let n = host_list.len().max(addr_list.len());
    if !addr_list.is_empty() && get("host").is_some() && addr_list.len() != host_list.len() {
        return Err(Error::usage(format!(
            "could not match {} host names to {} hostaddr values",
            host_list.len(),
            addr_list.len()
        )));
    }
    let port_list: Vec<String> = get("port")
        .map(|p| p.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    if port_list.len() > 1 && port_list.len() != n {
        return Err(Error::usage(format!(
            "could not match {} port numbers to {} hosts",
            port_list.len(),
            n
        )));
    }
    let user = get("user").unwrap_or_else(|| src.os_user.to_string());
    let dbname = get("dbname").unwrap_or_else(|| user.clone());
    let password = params.get("password").cloned();
    let mut warnings = Vec::new();

    // Password file, read only when no password was given.
    let passfile_text = if password.is_none() {
        read_passfile(get("passfile"), src, &mut warnings)
    } else {
        None
    };

    let mut hosts = Vec::with_capacity(n);
    for i in 0..n {
        let hostaddr = addr_list.get(i).cloned().filter(|a| !a.is_empty());
        let mut host = host_list.get(i).cloned().unwrap_or_default();
        if host.is_empty() {
            host = hostaddr
                .clone()
                .unwrap_or_else(|| DEFAULT_SOCKET_DIR.to_string());
        }
        let port = match port_list.get(if port_list.len() == 1 { 0 } else { i }) {
            Some(p) if !p.is_empty() => parse_port(p)?,
            _ => 5432,
        };
        let pw = password.clone().or_else(|| {
            let text = passfile_text.as_ref()?;
            // libpq looks up the default socket directory as "localhost".
            let key = if host == DEFAULT_SOCKET_DIR {
                "localhost"
            } else {
                host.as_str()
            };
            pgpass_lookup(text, key, port, &dbname, &user)
        });
        hosts.push(HostSpec {
            host,
            hostaddr,
            port,
            password: pw,
        });
    }

    let modes = SessionModes::from_params(&get)?;
    let home_file = |name: &str| src.home.as_ref().map(|h| h.join(".postgresql").join(name));
    let existing = |p: Option<PathBuf>| {
        p.filter(|p| (src.file)(p).is_some())
            .map(|p| p.to_string_lossy().into_owned())
    };
    Ok(ConnSettings {
        hosts,
        user,
        dbname,
        application_name: get("application_name")
            .or_else(|| get("fallback_application_name"))
            .unwrap_or_else(|| "pgsnap".into()),
        options: get("options"),
        connect_timeout: modes.connect_timeout,
        sslmode: modes.sslmode,
        sslrootcert: get("sslrootcert").or_else(|| existing(home_file("root.crt"))),
        sslcert: get("sslcert").or_else(|| existing(home_file("postgresql.crt"))),
        sslkey: get("sslkey").or_else(|| existing(home_file("postgresql.key"))),
        channel_binding: modes.channel_binding,
        target_session_attrs: modes.target_session_attrs,
        warnings,
        client_encoding: match get("client_encoding") {
            Some(e) if e.eq_ignore_ascii_case("auto") => Some(locale_encoding(src)?),
            other => other,
        },
    })
}

/// The connection keywords from the command line, the conninfo string or URI given as the
/// database name, the service file and the `PG*` variables, highest first (see [`resolve`]).
fn gather_params(opts: &ConnOptions, src: &Sources<'_>) -> Result<BTreeMap<String, String>> {
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    if let Some(h) = &opts.host {
        params.insert("host".into(), h.clone());
    }
    if let Some(p) = &opts.port {
        params.insert("port".into(), p.clone());
    }
    if let Some(u) = &opts.user {
        params.insert("user".into(), u.clone());
    }
    match &opts.dbname {
        Some(d) if looks_like_conninfo(d) => {
            let pairs = if d.starts_with("postgres") && d.contains("://") {
                parse_uri(d)?
            } else {
                parse_keyword_value(d)?
            };
            for (k, v) in pairs {
                check_keyword(&k)?;
                params.insert(k, v);
            }
        }
        Some(d) => {
            params.insert("dbname".into(), d.clone());
        }
        None => {}
    }
    if let Some(d) = &opts.database {
        params.insert("dbname".into(), d.clone());
    }
    let env = |k: &str| (src.env)(k).filter(|v| !v.is_empty());

    // Service file: fills only what is still missing.
    if let Some(service) = params.get("service").cloned().or_else(|| env("PGSERVICE")) {
        let user_file = env("PGSERVICEFILE")
            .map(PathBuf::from)
            .or_else(|| src.home.as_ref().map(|h| h.join(".pg_service.conf")));
        let sys_file =
            PathBuf::from(env("PGSYSCONFDIR").unwrap_or_else(|| DEFAULT_SYSCONFDIR.into()))
                .join("pg_service.conf");
        let mut entry = None;
        for file in user_file.iter().chain(std::iter::once(&sys_file)) {
            if let Some((text, _)) = (src.file)(file) {
                if let Some(e) = service_entry(&text, &service)? {
                    entry = Some(e);
                    break;
                }
            }
        }
        let entry = entry.ok_or_else(|| {
            Error::usage(format!("definition of service \"{service}\" not found"))
        })?;
        for (k, v) in entry {
            check_keyword(&k)?;
            params.entry(k).or_insert(v);
        }
    }
    for (var, key) in ENV_KEYS {
        if !params.contains_key(*key) {
            if let Some(v) = env(var) {
                params.insert((*key).to_string(), v);
            }
        }
    }
    Ok(params)
}

/// The password file's text: `passfile`'s, or `~/.pgpass`; ignored with a warning when
/// others can read it, as libpq does.
fn read_passfile(
    passfile: Option<String>,
    src: &Sources<'_>,
    warnings: &mut Vec<String>,
) -> Option<String> {
    let path = passfile
        .map(PathBuf::from)
        .or_else(|| src.home.as_ref().map(|h| h.join(".pgpass")));
    match path.and_then(|p| (src.file)(&p).map(|f| (p, f))) {
        Some((p, (text, mode))) => {
            if mode & 0o077 != 0 {
                warnings.push(format!(
                    "password file \"{}\" has group or world access; permissions should be u=rw (0600) or less",
                    p.display()
                ));
                None
            } else {
                Some(text)
            }
        }
        None => None,
    }
}

/// The TLS, channel-binding, session-kind and timeout settings, checked as libpq checks them.
struct SessionModes {
    sslmode: SslMode,
    channel_binding: ChannelBinding,
    target_session_attrs: String,
    connect_timeout: Option<u64>,
}

impl SessionModes {
    fn from_params(get: &dyn Fn(&str) -> Option<String>) -> Result<SessionModes> {
        let sslmode = match get("sslmode").as_deref().unwrap_or("prefer") {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => return Err(Error::usage(format!("invalid sslmode value: \"{other}\""))),
        };
        let channel_binding = match get("channel_binding").as_deref().unwrap_or("prefer") {
            "disable" => ChannelBinding::Disable,
            "prefer" => ChannelBinding::Prefer,
            "require" => ChannelBinding::Require,
            other => {
                return Err(Error::usage(format!(
                    "invalid channel_binding value: \"{other}\""
                )))
            }
        };
        let target_session_attrs = get("target_session_attrs").unwrap_or_else(|| "any".into());
        if !matches!(
            target_session_attrs.as_str(),
            "any" | "read-write" | "read-only"
        ) {
            return Err(Error::usage(format!(
                "target_session_attrs \"{target_session_attrs}\" is not supported (use any, read-write or read-only)"
            )));
        }
        let connect_timeout = match get("connect_timeout") {
            Some(t) => {
                let v: i64 = t.trim().parse().map_err(|_| {
                    Error::usage(format!(
                        "invalid integer value \"{t}\" for connection option \"connect_timeout\""
                    ))
                })?;
                // libpq: zero or negative waits forever; one second is raised to two.
                (v > 0).then_some(v.max(2) as u64)
            }
            None => None,
        };
        Ok(SessionModes {
            sslmode,
            channel_binding,
            target_session_attrs,
            connect_timeout,
        })
    }
}

/// libpq's `client_encoding=auto`: the locale's character set (UTF-8 locales, or the C and
/// POSIX locales' SQL_ASCII); any other is refused, naming -E.
fn locale_encoding(src: &Sources) -> Result<String> {
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| (src.env)(k).filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "C".into());
    let lower = locale.to_ascii_lowercase();
    if lower.contains("utf-8") || lower.contains("utf8") {
        Ok("UTF8".into())
    } else if lower == "c" || lower == "posix" {
        Ok("SQL_ASCII".into())
    } else {
        Err(Error::usage(format!(
            "client_encoding=auto: cannot tell the encoding of locale \"{locale}\"; give -E"
        )))
    }
}

/// Resolution against the real process environment and file system.
pub fn resolve_from_process(opts: &ConnOptions) -> Result<ConnSettings> {
    let env = |k: &str| std::env::var(k).ok();
    let file = |p: &Path| -> Option<(String, u32)> {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(p).ok()?;
        if !meta.is_file() {
            return None;
        }
        let text = std::fs::read_to_string(p).ok()?;
        Some((text, meta.permissions().mode()))
    };
    let os_user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "postgres".to_string());
    let home = std::env::var_os("HOME").map(PathBuf::from);
    resolve(
        opts,
        &Sources {
            env: &env,
            file: &file,
            os_user: &os_user,
            home,
        },
    )
}

mod parse;
use parse::looks_like_conninfo;
pub use parse::{parse_keyword_value, parse_uri, pgpass_lookup, service_entry};

#[cfg(test)]
mod tests;
