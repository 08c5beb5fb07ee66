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

/// How many more connections the server would accept from this session's user to this
/// database now: the smallest of what is left of `max_connections` (less the reserved slots a
/// non-superuser cannot use), the role's and the database's connection limits.
pub async fn free_connections(client: &Client) -> Result<usize> {
    const SQL: &str = "SELECT LEAST( \
        (SELECT setting::int4 FROM pg_catalog.pg_settings WHERE name = 'max_connections') \
        - CASE WHEN r.rolsuper THEN 0 ELSE \
            COALESCE((SELECT setting::int4 FROM pg_catalog.pg_settings \
                      WHERE name = 'superuser_reserved_connections'), 0) \
            + COALESCE((SELECT setting::int4 FROM pg_catalog.pg_settings \
                        WHERE name = 'reserved_connections'), 0) END \
        - (SELECT count(*) FROM pg_catalog.pg_stat_activity \
           WHERE backend_type = 'client backend')::int4, \
        CASE WHEN r.rolconnlimit >= 0 AND NOT r.rolsuper THEN r.rolconnlimit \
            - (SELECT count(*) FROM pg_catalog.pg_stat_activity a \
               WHERE a.usesysid = r.oid AND a.backend_type = 'client backend')::int4 END, \
        CASE WHEN d.datconnlimit >= 0 AND NOT r.rolsuper THEN d.datconnlimit \
            - (SELECT count(*) FROM pg_catalog.pg_stat_activity a \
               WHERE a.datid = d.oid AND a.backend_type = 'client backend')::int4 END) \
        FROM pg_catalog.pg_roles r, pg_catalog.pg_database d \
        WHERE r.rolname = session_user AND d.datname = pg_catalog.current_database()";
    let row = client
        .query_one(SQL, &[])
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("counting free connections"))?;
    let free: Option<i32> = row
        .try_get(0)
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("counting free connections"))?;
    Ok(free.unwrap_or(0).max(0) as usize)
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
