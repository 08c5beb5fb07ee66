//! The catalog's queries on the wire, in the readers' planned order: each sent ahead while the
//! previous one's rows are read, a read out of the plan refused, and the second (helper)
//! connection for the slowest query of a big catalog.

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

/// When a planned catalog query goes to the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Send {
    /// As soon as the query before it is being read.
    Ahead,
    /// Likewise, with the `oid[]` the query before it was given as `$1`.
    AheadWithSameOids,
    /// Only when its reader asks for it: other statements run before it (the table locks), or
    /// its parameter is known only then.
    WhenRead,
}

/// One catalog query in the order the readers read them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Planned {
    pub(crate) sql: &'static str,
    pub(crate) send: Send,
}

/// A query sent while the one before it is read.
pub(crate) const fn ahead(sql: &'static str) -> Planned {
    Planned {
        sql,
        send: Send::Ahead,
    }
}

/// A query sent while the one before it is read, with that one's `oid[]`.
pub(crate) const fn ahead_with_same_oids(sql: &'static str) -> Planned {
    Planned {
        sql,
        send: Send::AheadWithSameOids,
    }
}

/// A query sent only when its reader asks for it.
pub(crate) const fn when_read(sql: &'static str) -> Planned {
    Planned {
        sql,
        send: Send::WhenRead,
    }
}

/// Catalog queries in a planned order, each sent ahead by the pipeline itself: while the rows of
/// one query are turned into the model, the server already runs the next (unnamed statement,
/// one message batch), so the catalog costs the server's time rather than the server's plus the
/// client's. The plan is the readers' own list of their queries ([`super::READERS`]); a reader
/// asking for a query out of that order is an error, so the order cannot drift. Only queries
/// whose rows are read to the end before any other statement runs may be sent ahead: a
/// statement outside the plan asks [`Pipeline::idle`] first.
pub(super) struct Pipeline<'c> {
    pub(super) client: &'c Client,
    /// Every query of this dump's catalog, in the order they are read.
    plan: Vec<Planned>,
    /// The next one to be read.
    next: usize,
    /// The `oid[]` of the query last read, for one that is sent with the same.
    last_oids: Option<Vec<u32>>,
    ahead: Option<(&'static str, PendingRows<'c>)>,
    /// The query a [`Helper`] runs (the leader's text for it, and its answer to come).
    pub(super) delegated: Option<(&'static str, PendingRows<'static>)>,
    /// The helper's connection, open while its answers are read.
    pub(super) helper: Option<std::sync::Arc<Client>>,
}

impl<'c> Pipeline<'c> {
    pub(super) fn new(client: &'c Client) -> Self {
        Pipeline {
            client,
            plan: Vec::new(),
            next: 0,
            last_oids: None,
            ahead: None,
            delegated: None,
            helper: None,
        }
    }

    /// Sets the queries to come, in their order.
    pub(super) fn set_plan(&mut self, plan: Vec<Planned>) {
        self.plan = plan;
        self.next = 0;
    }

    /// The rows of `sql`, the next query of the plan: the one sent ahead, the helper's, or a
    /// new request (with `oids` as `$1`). The query after it is then sent ahead when its plan
    /// says so.
    pub(super) async fn stream(
        &mut self,
        what: &str,
        sql: &'static str,
        oids: Option<&[u32]>,
    ) -> Result<Rows> {
        match self.plan.get(self.next) {
            Some(p) if p.sql == sql => self.next += 1,
            planned => {
                return Err(Error::new(
                    ErrorKind::Catalog,
                    format!(
                    "internal error: catalog query for {what} read out of its planned order ({})",
                    if planned.is_some() {
                        "another query was planned next"
                    } else {
                        "no query was planned next"
                    }
                ),
                ))
            }
        }
        self.last_oids = oids.map(<[u32]>::to_vec);
        let rows = self.answer(what, sql).await?;
        self.send_next_ahead().await;
        Ok(rows)
    }

    /// Whether the plan was read to its end (a planned query never read is a reader that
    /// skipped its query: an error, never a silently missing kind).
    pub(super) fn finish(&self) -> Result<()> {
        match self.plan.get(self.next) {
            None => Ok(()),
            Some(_) => Err(Error::new(
                ErrorKind::Catalog,
                format!(
                    "internal error: {} planned catalog queries were never read",
                    self.plan.len() - self.next
                ),
            )),
        }
    }

    /// Ready for a statement outside the plan: no answer is queued on the connection.
    pub(super) fn idle(&self, what: &str) -> Result<()> {
        match &self.ahead {
            None => Ok(()),
            Some(_) => Err(Error::new(
                ErrorKind::Catalog,
                format!("internal error: {what} would run while a catalog query is sent ahead"),
            )),
        }
    }

    async fn answer(&mut self, what: &str, sql: &'static str) -> Result<Rows> {
        if let Some((_, mut pending)) = self.delegated.take_if(|(d, _)| *d == sql) {
            pending.as_mut().await;
            // A helper whose query failed leaves it to this connection (a real error then
            // shows here, with the leader's wording).
            if let Some(Ok(rows)) = pending.as_mut().take_output() {
                return Ok(Box::pin(rows));
            }
        }
        let answer = match self.ahead.take() {
            Some((ahead_sql, mut pending)) if ahead_sql == sql => {
                pending.as_mut().await;
                pending.as_mut().take_output()
            }
            // Only the next planned query is ever sent ahead.
            Some(_) => None,
            None => Some(self.request(sql).await),
        };
        match answer {
            Some(Ok(rows)) => Ok(Box::pin(rows)),
            Some(Err(e)) => {
                Err(Error::from_pg(e, ErrorKind::Server).context(format!("reading {what}")))
            }
            None => Err(Error::new(
                ErrorKind::Catalog,
                format!("internal error: reading {what}: its answer was lost"),
            )),
        }
    }

    /// Sends `sql` with the last `oid[]` (if any) as `$1`, typed, as one unnamed statement.
    fn request(
        &self,
        sql: &'static str,
    ) -> impl std::future::Future<
        Output = std::result::Result<tokio_postgres::RowStream, tokio_postgres::Error>,
    > + 'c {
        let params: Vec<(Vec<u32>, tokio_postgres::types::Type)> = self
            .last_oids
            .clone()
            .map(|o| vec![(o, tokio_postgres::types::Type::OID_ARRAY)])
            .unwrap_or_default();
        self.client.query_typed_raw(sql, params)
    }

    /// Sends the next planned query now if its plan says so and no helper runs it.
    async fn send_next_ahead(&mut self) {
        let Some(next) = self.plan.get(self.next).copied() else {
            return;
        };
        if next.send == Send::WhenRead
            || self.ahead.is_some()
            || self.delegated.as_ref().is_some_and(|(d, _)| *d == next.sql)
        {
            return;
        }
        if next.send == Send::Ahead {
            self.last_oids = None;
        }
        let request: std::pin::Pin<Box<dyn std::future::Future<Output = _> + 'c>> =
            Box::pin(self.request(next.sql));
        let mut pending = Box::pin(futures_util::future::maybe_done(request));
        // The first poll writes the request; its answer queues behind the current query's rows.
        let _ = futures_util::poll!(pending.as_mut());
        self.ahead = Some((next.sql, pending));
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
