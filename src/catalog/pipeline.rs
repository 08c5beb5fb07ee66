//! The catalog's queries on the wire: one sent ahead while the previous one's rows are read, and the second (helper) connection for the slowest query of a big catalog.

use super::*;

pub(super) async fn query(
    client: &Client,
    what: &str,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<tokio_postgres::Row>> {
    client
        .query(sql, params)
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context(format!("reading {what}")))
}

/// Runs a catalog query whose rows are consumed one at a time (big results are never held whole).
pub(super) async fn query_stream(
    client: &Client,
    what: &str,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Rows> {
    client
        .query_raw(sql, params.iter().copied())
        .await
        .map(Box::pin)
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context(format!("reading {what}")))
}

pub(super) type PendingRows<'c> = std::pin::Pin<
    Box<
        futures_util::future::MaybeDone<
            std::pin::Pin<
                Box<
                    dyn std::future::Future<
                            Output = std::result::Result<
                                tokio_postgres::RowStream,
                                tokio_postgres::Error,
                            >,
                        > + 'c,
                >,
            >,
        >,
    >,
>;

/// Catalog queries with one sent ahead: while the rows of one query are turned into the model,
/// the server already runs the next (unnamed statement, one message batch), so the catalog costs
/// the server's time rather than the server's plus the client's. Only queries whose rows are
/// read to the end before any other statement runs may be sent ahead.
pub(super) struct Pipeline<'c> {
    pub(super) client: &'c Client,
    pub(super) ahead: Option<(&'static str, PendingRows<'c>)>,
    /// The query a [`Helper`] runs (the leader's text for it, and its answer to come).
    pub(super) delegated: Option<(&'static str, PendingRows<'static>)>,
    /// The helper's connection, open while its answers are read.
    pub(super) helper: Option<std::sync::Arc<Client>>,
}

impl<'c> Pipeline<'c> {
    pub(super) fn new(client: &'c Client) -> Self {
        Pipeline {
            client,
            ahead: None,
            delegated: None,
            helper: None,
        }
    }

    /// Sends `sql` now (with an `oid[]` as $1 when given); [`Pipeline::stream`] picks it up.
    pub(super) async fn send_ahead(&mut self, sql: &'static str, oids: Option<Vec<u32>>) {
        if self.ahead.is_some() || self.delegated.as_ref().is_some_and(|(d, _)| *d == sql) {
            return;
        }
        let params: Vec<(Vec<u32>, tokio_postgres::types::Type)> = oids
            .map(|o| vec![(o, tokio_postgres::types::Type::OID_ARRAY)])
            .unwrap_or_default();
        let request: std::pin::Pin<Box<dyn std::future::Future<Output = _> + 'c>> =
            Box::pin(self.client.query_typed_raw(sql, params));
        let mut pending = Box::pin(futures_util::future::maybe_done(request));
        // The first poll writes the request; its answer queues behind the current query's rows.
        let _ = futures_util::poll!(pending.as_mut());
        self.ahead = Some((sql, pending));
    }

    /// The rows of `sql`: the one sent ahead if it is that query, else a new request.
    pub(super) async fn stream(
        &mut self,
        what: &str,
        sql: &'static str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Rows> {
        if let Some((_, mut pending)) = self.delegated.take_if(|(d, _)| *d == sql) {
            pending.as_mut().await;
            // A helper whose query failed leaves it to this connection (a real error then
            // shows here, with the leader's wording).
            if let Some(Ok(rows)) = pending.as_mut().take_output() {
                return Ok(Box::pin(rows));
            }
        }
        if let Some((ahead_sql, mut pending)) = self.ahead.take() {
            pending.as_mut().await;
            let answer = pending.as_mut().take_output();
            // Every query is sent ahead of the one read next: another one here is a wasted
            // round of server work (the reading order and the send_ahead calls disagree).
            debug_assert_eq!(ahead_sql, sql, "catalog query sent ahead but not read next");
            if ahead_sql == sql {
                return match answer {
                    Some(Ok(rows)) => Ok(Box::pin(rows)),
                    Some(Err(e)) => {
                        Err(Error::from_pg(e, ErrorKind::Server).context(format!("reading {what}")))
                    }
                    None => Err(Error::new(
                        ErrorKind::Server,
                        format!("internal: reading {what}: answer taken twice"),
                    )),
                };
            }
            // A query sent ahead and then not wanted: its rows are dropped unread.
        }
        query_stream(self.client, what, sql, params).await
    }
}

/// The rows of one catalog query, streamed off the leader's or a [`Helper`]'s connection.
pub(super) type Rows = std::pin::Pin<Box<tokio_postgres::RowStream>>;

pub(super) async fn next_row(rows: &mut Rows, what: &str) -> Result<Option<tokio_postgres::Row>> {
    use futures_util::TryStreamExt;
    rows.try_next()
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context(format!("reading {what}")))
}

/// Relations from which a helper connection pays off: at 10,000 tables the index query
/// (20,000 pg_get_indexdef/pg_get_constraintdef calls on a cold backend cache) takes 0.36 s
/// of the leader's 1.4 s. Below this a connection costs more than it saves.
pub(super) const HELPER_MIN_RELATIONS: usize = 1000;

/// A second connection in the leader's snapshot that computes the slowest catalog query, the
/// index definitions, while the leader reads the others (the dependency query, next in cost,
/// is an index scan whose rows are computed as they are read, and a sorted copy of it took
/// longer on a cold backend than it saved). It is sent in a form whose rows are all computed
/// before the first is sent, so the finished rows wait on the server (behind the socket's
/// back-pressure) until the leader reads them: no client memory, same rows. It is sent only
/// once the leader holds its table locks, as pg_get_indexdef and friends read the live
/// catalog, which the locks keep still.
pub(super) struct Helper {
    pub(super) connecting: tokio::task::JoinHandle<Result<Client>>,
}

impl Helper {
    /// Starts connecting (while the leader takes its locks).
    pub(super) fn connect(join: Joining) -> Helper {
        Helper {
            connecting: tokio::spawn(async move {
                let client = crate::pg::connect::connect_once(&join.settings).await?;
                session::prepare(&client, &join.session_sql).await?;
                // One sort of a few MB per query: kept in memory on the server.
                client
                    .batch_execute("SET work_mem = '64MB'")
                    .await
                    .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("helper set-up"))?;
                session::begin_worker(&client, &join.snapshot).await?;
                Ok(client)
            }),
        }
    }

    /// Once the leader holds its locks: sends `helper_sql`, whose rows [`Pipeline::stream`]
    /// returns when the leader asks for `leader_sql`. A helper that could not connect (why is
    /// returned) leaves the query to the leader.
    pub(super) async fn send(
        self,
        leader_sql: &'static str,
        helper_sql: &'static str,
        pipe: &mut Pipeline<'_>,
    ) -> Result<()> {
        let client = self
            .connecting
            .await
            .map_err(|e| Error::new(ErrorKind::Connect, e.to_string()))??;
        let client = std::sync::Arc::new(client);
        let c = std::sync::Arc::clone(&client);
        let request: std::pin::Pin<Box<dyn std::future::Future<Output = _>>> =
            Box::pin(async move {
                c.query_typed_raw(helper_sql, Vec::<(u32, tokio_postgres::types::Type)>::new())
                    .await
            });
        let mut pending = Box::pin(futures_util::future::maybe_done(request));
        // The first poll writes the request.
        let _ = futures_util::poll!(pending.as_mut());
        pipe.delegated = Some((leader_sql, pending));
        pipe.helper = Some(client);
        Ok(())
    }
}
