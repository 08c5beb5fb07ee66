//! Session setup as pg_dump's `setup_connection`, and the exported snapshot shared with workers.

use super::conninfo::ConnSettings;
use crate::error::{Error, ErrorKind, Result};
use tokio_postgres::Client;

/// How a further connection (copy worker, catalog helper, sequence reader) joins the leader.
#[derive(Debug, Clone)]
pub struct Joining {
    /// Where and how the leader connected (host narrowed, password resolved).
    pub settings: ConnSettings,
    /// The leader's exported snapshot.
    pub snapshot: String,
    /// Session settings beyond the defaults (see `Switches::session_sql`).
    pub session_sql: String,
}

/// pg_dump's session settings, applied on the leader and on every worker.
pub const SESSION_SETTINGS: &str = "SET DATESTYLE = ISO; \
SET INTERVALSTYLE = POSTGRES; \
SET extra_float_digits TO 3; \
SET synchronize_seqscans TO off; \
SET statement_timeout = 0; \
SET lock_timeout = 0; \
SET idle_in_transaction_session_timeout = 0; \
SET row_security = off";

/// Empties `search_path` so that every name the server prints back is schema-qualified.
pub const SECURE_SEARCH_PATH: &str = "SELECT pg_catalog.set_config('search_path', '', false)";

/// Applies the session settings, then `extra` (the settings a dump's switches add, such as
/// `SET ROLE`; may be empty).
pub async fn apply_settings(client: &Client, extra: &str) -> Result<()> {
    client
        .batch_execute(&format!("{SESSION_SETTINGS}; {extra}"))
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("setting up session"))
}

/// Makes a further connection speak as the leader does: the same session settings and an
/// empty search path.
pub async fn prepare(client: &Client, session_sql: &str) -> Result<()> {
    apply_settings(client, session_sql).await?;
    secure_search_path(client).await
}

/// Empties the search path.
pub async fn secure_search_path(client: &Client) -> Result<()> {
    client
        .batch_execute(SECURE_SEARCH_PATH)
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("setting search_path"))
}

/// Opens the leader's transaction and exports its snapshot for the workers.
pub async fn begin_leader(
    client: &Client,
    given: Option<&str>,
    serializable_deferrable: bool,
) -> Result<String> {
    if let Some(name) = given {
        // --snapshot: dump as of a snapshot another session exported (and keeps open).
        begin_worker(client, name).await?;
        return Ok(name.to_string());
    }
    // --serializable-deferrable waits for a snapshot no serializable transaction can upset;
    // the workers then import it in REPEATABLE READ, as pg_dump's do.
    let begin = if serializable_deferrable {
        "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE"
    } else {
        "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
    };
    client
        .batch_execute(begin)
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("starting transaction"))?;
    let row = client
        .query_one("SELECT pg_catalog.pg_export_snapshot()", &[])
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("exporting snapshot"))?;
    row.try_get(0)
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("exporting snapshot"))
}

/// Opens a worker's transaction on the leader's snapshot.
pub async fn begin_worker(client: &Client, snapshot: &str) -> Result<()> {
    let sql = format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT '{}'",
        snapshot.replace('\'', "''")
    );
    client
        .batch_execute(&sql)
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("importing snapshot"))
}
