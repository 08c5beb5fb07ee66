//! Opens connections: the only place that spawns a tokio-postgres connection task.

use super::conninfo::ConnSettings;
use crate::error::{Error, ErrorKind, Result};
use std::time::Duration;
use tokio_postgres::{Client, Config, NoTls};

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

fn build_config(s: &ConnSettings) -> Config {
    let mut cfg = Config::new();
    for h in &s.hosts {
        if h.starts_with('/') {
            cfg.host_path(h);
        } else {
            cfg.host(h);
        }
    }
    for p in &s.ports {
        cfg.port(*p);
    }
    cfg.user(&s.user);
    cfg.dbname(&s.dbname);
    cfg.application_name(&s.application_name);
    if let Some(pw) = &s.password {
        cfg.password(pw);
    }
    if let Some(o) = &s.options {
        cfg.options(o);
    }
    if let Some(t) = s.connect_timeout {
        cfg.connect_timeout(Duration::from_secs(t.max(2)));
    }
    cfg
}

/// Connects once with the given settings, spawning the connection task.
pub async fn connect_once(s: &ConnSettings) -> Result<Client> {
    let cfg = build_config(s);
    match cfg.connect(NoTls).await {
        Ok((client, connection)) => {
            tokio::spawn(async move {
                // Errors surface through the client's next call; nothing to do here.
                let _ = connection.await;
            });
            Ok(client)
        }
        Err(e) => Err(Error::from_pg(e, ErrorKind::Connect)
            .context(format!("connection to {} failed", s.describe()))),
    }
}

fn is_missing_password(err: &Error) -> bool {
    let text = err.to_string();
    text.contains("password missing") || text.contains("no password supplied")
}

/// Connects the leader, prompting for a password the way pg_dump does. Returns the client and
/// the settings that worked (with the password), so workers can connect the same way.
pub async fn connect_leader(
    mut s: ConnSettings,
    prompt: PasswordPrompt,
) -> Result<(Client, ConnSettings)> {
    if prompt == PasswordPrompt::Always && s.password.is_none() {
        s.password = Some(read_password()?);
    }
    match connect_once(&s).await {
        Ok(c) => Ok((c, s)),
        Err(e) if is_missing_password(&e) && prompt == PasswordPrompt::IfNeeded => {
            s.password = Some(read_password()?);
            let c = connect_once(&s).await?;
            Ok((c, s))
        }
        Err(e) => Err(e),
    }
}

fn read_password() -> Result<String> {
    rpassword::prompt_password("Password: ")
        .map_err(|e| Error::new(ErrorKind::Connect, format!("could not read password: {e}")))
}
