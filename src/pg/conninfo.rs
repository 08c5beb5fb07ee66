//! Connection settings resolved the libpq way from options, a conninfo string or URI,
//! the environment and defaults. Pure: the environment is passed in, nothing is read here.

use crate::error::{Error, Result};
use std::str::FromStr;

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
}

/// Fully resolved settings for one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnSettings {
    /// Hosts: names, addresses, or unix-socket directories (starting with `/`).
    pub hosts: Vec<String>,
    /// Ports, one per host or one for all.
    pub ports: Vec<u16>,
    /// Role name.
    pub user: String,
    /// Database name.
    pub dbname: String,
    /// Password, if known.
    pub password: Option<String>,
    /// `application_name`.
    pub application_name: String,
    /// Server `options` (from `PGOPTIONS` or conninfo).
    pub options: Option<String>,
    /// Connect timeout in seconds.
    pub connect_timeout: Option<u64>,
}

/// Looks up an environment variable; injected so resolution is testable.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// libpq's compiled-in socket directory on Debian builds.
pub const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";

fn looks_like_conninfo(s: &str) -> bool {
    s.starts_with("postgresql://") || s.starts_with("postgres://") || s.contains('=')
}

/// Resolves the settings: a conninfo/URI in `dbname` wins over `-h/-p/-U` (as in pg_dump,
/// where the expanded dbname is applied last), those win over `PG*` variables, and those
/// over libpq's defaults (unix socket, port 5432, the OS user, dbname = user).
pub fn resolve(opts: &ConnOptions, env: EnvLookup<'_>, os_user: &str) -> Result<ConnSettings> {
    let mut hosts: Vec<String> = Vec::new();
    let mut ports: Vec<u16> = Vec::new();
    let mut user: Option<String> = None;
    let mut dbname: Option<String> = None;
    let mut password: Option<String> = None;
    let mut application_name: Option<String> = None;
    let mut options: Option<String> = None;
    let mut connect_timeout: Option<u64> = None;

    if let Some(h) = &opts.host {
        hosts = h.split(',').map(str::to_string).collect();
    }
    if let Some(p) = &opts.port {
        ports = parse_ports(p)?;
    }
    if let Some(u) = &opts.user {
        user = Some(u.clone());
    }
    match &opts.dbname {
        Some(d) if looks_like_conninfo(d) => {
            let cfg = tokio_postgres::Config::from_str(d)
                .map_err(|e| Error::usage(format!("invalid connection string \"{d}\": {e}")))?;
            let conn_hosts: Vec<String> = cfg
                .get_hosts()
                .iter()
                .map(|h| match h {
                    tokio_postgres::config::Host::Tcp(s) => s.clone(),
                    tokio_postgres::config::Host::Unix(p) => p.to_string_lossy().into_owned(),
                })
                .collect();
            if !conn_hosts.is_empty() {
                hosts = conn_hosts;
            }
            if !cfg.get_ports().is_empty() {
                ports = cfg.get_ports().to_vec();
            }
            if let Some(u) = cfg.get_user() {
                user = Some(u.to_string());
            }
            if let Some(db) = cfg.get_dbname() {
                dbname = Some(db.to_string());
            }
            if let Some(pw) = cfg.get_password() {
                password = Some(String::from_utf8_lossy(pw).into_owned());
            }
            if let Some(app) = cfg.get_application_name() {
                application_name = Some(app.to_string());
            }
            if let Some(o) = cfg.get_options() {
                options = Some(o.to_string());
            }
            if let Some(t) = cfg.get_connect_timeout() {
                connect_timeout = Some(t.as_secs());
            }
        }
        Some(d) => dbname = Some(d.clone()),
        None => {}
    }

    if hosts.is_empty() {
        hosts = match env("PGHOST").filter(|s| !s.is_empty()) {
            Some(h) => h.split(',').map(str::to_string).collect(),
            None => vec![DEFAULT_SOCKET_DIR.to_string()],
        };
    }
    if ports.is_empty() {
        ports = match env("PGPORT").filter(|s| !s.is_empty()) {
            Some(p) => parse_ports(&p)?,
            None => vec![5432],
        };
    }
    let user = user
        .or_else(|| env("PGUSER").filter(|s| !s.is_empty()))
        .unwrap_or_else(|| os_user.to_string());
    let dbname = dbname
        .or_else(|| env("PGDATABASE").filter(|s| !s.is_empty()))
        .unwrap_or_else(|| user.clone());
    let password = password.or_else(|| env("PGPASSWORD"));
    let application_name = application_name
        .or_else(|| env("PGAPPNAME"))
        .unwrap_or_else(|| "pgsnap".to_string());
    let options = options.or_else(|| env("PGOPTIONS").filter(|s| !s.is_empty()));
    if connect_timeout.is_none() {
        if let Some(t) = env("PGCONNECT_TIMEOUT").filter(|s| !s.is_empty()) {
            connect_timeout =
                Some(t.trim().parse().map_err(|_| {
                    Error::usage(format!("invalid PGCONNECT_TIMEOUT value: \"{t}\""))
                })?);
        }
    }
    if ports.len() != 1 && ports.len() != hosts.len() {
        return Err(Error::usage(format!(
            "could not match {} port numbers to {} hosts",
            ports.len(),
            hosts.len()
        )));
    }
    Ok(ConnSettings {
        hosts,
        ports,
        user,
        dbname,
        password,
        application_name,
        options,
        connect_timeout,
    })
}

fn parse_ports(p: &str) -> Result<Vec<u16>> {
    p.split(',')
        .map(|s| {
            s.trim()
                .parse::<u16>()
                .map_err(|_| Error::usage(format!("invalid port number: \"{s}\"")))
        })
        .collect()
}

impl ConnSettings {
    /// A short description for error messages, as libpq names the server it tried.
    pub fn describe(&self) -> String {
        let host = self.hosts.first().map(String::as_str).unwrap_or("");
        let port = self.ports.first().copied().unwrap_or(5432);
        if host.starts_with('/') {
            format!("socket \"{host}/.s.PGSQL.{port}\"")
        } else {
            format!("server \"{host}\", port {port}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn defaults_follow_libpq() {
        let s = resolve(&ConnOptions::default(), &env_of(&[]), "alice").unwrap();
        assert_eq!(s.hosts, vec![DEFAULT_SOCKET_DIR]);
        assert_eq!(s.ports, vec![5432]);
        assert_eq!(s.user, "alice");
        assert_eq!(s.dbname, "alice");
        assert_eq!(s.application_name, "pgsnap");
    }

    #[test]
    fn options_beat_environment() {
        let env = env_of(&[("PGHOST", "envhost"), ("PGPORT", "6000"), ("PGUSER", "bob")]);
        let opts = ConnOptions {
            host: Some("cli".into()),
            port: None,
            user: Some("carol".into()),
            dbname: Some("nautobot".into()),
        };
        let s = resolve(&opts, &env, "alice").unwrap();
        assert_eq!(s.hosts, vec!["cli"]);
        assert_eq!(s.ports, vec![6000]);
        assert_eq!(s.user, "carol");
        assert_eq!(s.dbname, "nautobot");
    }

    #[test]
    fn conninfo_and_uri_win_over_options() {
        let opts = ConnOptions {
            host: Some("cli".into()),
            port: Some("1".into()),
            user: Some("carol".into()),
            dbname: Some("host=/tmp port=5999 dbname=x user=u password=pw".into()),
        };
        let s = resolve(&opts, &env_of(&[]), "alice").unwrap();
        assert_eq!(s.hosts, vec!["/tmp"]);
        assert_eq!(s.ports, vec![5999]);
        assert_eq!(s.user, "u");
        assert_eq!(s.dbname, "x");
        assert_eq!(s.password.as_deref(), Some("pw"));
        let opts = ConnOptions {
            dbname: Some("postgresql://u@h:5433/db?application_name=a".into()),
            ..Default::default()
        };
        let s = resolve(&opts, &env_of(&[]), "alice").unwrap();
        assert_eq!((s.hosts[0].as_str(), s.ports[0]), ("h", 5433));
        assert_eq!((s.user.as_str(), s.dbname.as_str()), ("u", "db"));
        assert_eq!(s.application_name, "a");
    }

    #[test]
    fn bad_port_is_an_error() {
        let opts = ConnOptions {
            port: Some("abc".into()),
            ..Default::default()
        };
        assert!(resolve(&opts, &env_of(&[]), "a").is_err());
    }
}
