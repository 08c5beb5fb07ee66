//! Reads the catalog in the leader's snapshot, one query per object kind, and builds the
//! dump model with pg_dump's dependency edges and dump decisions.

pub mod filter;
pub mod queries;
pub mod rows;

use crate::ddl::quote::qualified;
use crate::error::{Error, ErrorKind, Result};
use crate::model::*;
use crate::pg::session::{self, Joining};
use crate::plan::DumpPlan;
use rows::*;
use std::collections::{BTreeMap, BTreeSet};
use tokio_postgres::Client;

const PG_CLASS: u32 = 1259;
const PG_TYPE: u32 = 1247;
const PG_PROC: u32 = 1255;
const PG_NAMESPACE: u32 = 2615;
const PG_CONSTRAINT: u32 = 2606;
const PG_TRIGGER: u32 = 2620;
const PG_COLLATION: u32 = 3456;
const PG_EXTENSION: u32 = 3079;
const PG_PUBLICATION: u32 = 6104;
const PG_EVENT_TRIGGER: u32 = 3466;
const PG_TS_DICT: u32 = 3600;
const PG_CAST: u32 = 2605;
const PG_OPERATOR: u32 = 2617;
const PG_AM: u32 = 2601;
const PG_OPFAMILY: u32 = 2753;
const PG_OPCLASS: u32 = 2616;
const PG_FDW: u32 = 2328;
const PG_LARGEOBJECT: u32 = 2613;
const PG_TRANSFORM: u32 = 3576;
const PG_LANGUAGE: u32 = 2612;
const PG_CONVERSION: u32 = 2607;
const PG_TS_PARSER: u32 = 3601;
const PG_FOREIGN_SERVER: u32 = 1417;
const PG_TS_CONFIG: u32 = 3602;
const PG_DATABASE_OWNER: u32 = 6171;
const FIRST_NORMAL_OID: u32 = 16384;

async fn query(
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
async fn query_stream(
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

type PendingRows<'c> = std::pin::Pin<
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
struct Pipeline<'c> {
    client: &'c Client,
    ahead: Option<(&'static str, PendingRows<'c>)>,
    /// The query a [`Helper`] runs (the leader's text for it, and its answer to come).
    delegated: Option<(&'static str, PendingRows<'static>)>,
    /// The helper's connection, open while its answers are read.
    helper: Option<std::sync::Arc<Client>>,
}

impl<'c> Pipeline<'c> {
    fn new(client: &'c Client) -> Self {
        Pipeline {
            client,
            ahead: None,
            delegated: None,
            helper: None,
        }
    }

    /// Sends `sql` now (with an `oid[]` as $1 when given); [`Pipeline::stream`] picks it up.
    async fn send_ahead(&mut self, sql: &'static str, oids: Option<Vec<u32>>) {
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
    async fn stream(
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
type Rows = std::pin::Pin<Box<tokio_postgres::RowStream>>;

async fn next_row(rows: &mut Rows, what: &str) -> Result<Option<tokio_postgres::Row>> {
    use futures_util::TryStreamExt;
    rows.try_next()
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context(format!("reading {what}")))
}

/// Relations from which a helper connection pays off: at 10,000 tables the index query
/// (20,000 pg_get_indexdef/pg_get_constraintdef calls on a cold backend cache) takes 0.36 s
/// of the leader's 1.4 s. Below this a connection costs more than it saves.
const HELPER_MIN_RELATIONS: usize = 1000;

/// A second connection in the leader's snapshot that computes the slowest catalog query, the
/// index definitions, while the leader reads the others (the dependency query, next in cost,
/// is an index scan whose rows are computed as they are read, and a sorted copy of it took
/// longer on a cold backend than it saved). It is sent in a form whose rows are all computed
/// before the first is sent, so the finished rows wait on the server (behind the socket's
/// back-pressure) until the leader reads them: no client memory, same rows. It is sent only
/// once the leader holds its table locks, as pg_get_indexdef and friends read the live
/// catalog, which the locks keep still.
struct Helper {
    connecting: tokio::task::JoinHandle<Result<Client>>,
}

impl Helper {
    /// Starts connecting (while the leader takes its locks).
    fn connect(join: Joining) -> Helper {
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
    async fn send(
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

/// Table/schema OID sets the patterns resolved to.
#[derive(Debug, Default)]
pub struct Selection {
    include_tables: Option<BTreeSet<u32>>,
    exclude_tables: BTreeSet<u32>,
    include_schemas: Option<BTreeSet<u32>>,
    exclude_schemas: BTreeSet<u32>,
    exclude_data: BTreeSet<u32>,
    include_extensions: Option<BTreeSet<u32>>,
    exclude_extensions: BTreeSet<u32>,
    /// Foreign servers whose tables' data is dumped (names are unique in a database).
    foreign_data_servers: BTreeSet<String>,
}

/// Table patterns as given, and those of the `*-and-children` switches (pg_dump 16), whose
/// matches bring their inheritance and partition children, recursively.
struct TablePatterns<'a> {
    plain: &'a [String],
    with_children: &'a [String],
}

impl TablePatterns<'_> {
    fn is_empty(&self) -> bool {
        self.plain.is_empty() && self.with_children.is_empty()
    }
}

async fn expand_table_patterns(
    client: &Client,
    patterns: TablePatterns<'_>,
    dbname: &str,
    strict: bool,
    what: &str,
) -> Result<BTreeSet<u32>> {
    let mut out = BTreeSet::new();
    let all = patterns
        .plain
        .iter()
        .map(|p| (p, false))
        .chain(patterns.with_children.iter().map(|p| (p, true)));
    for (p, children) in all {
        let np = filter::parse_pattern(p, 2, dbname)?;
        let mut sql = String::from(
            "SELECT c.oid FROM pg_catalog.pg_class c \
             LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind OPERATOR(pg_catalog.=) ANY (array['r', 'S', 'v', 'm', 'f', 'p']) \
             AND c.relname OPERATOR(pg_catalog.~) $1 COLLATE pg_catalog.default",
        );
        match &np.schema_regex {
            Some(_) => {
                sql.push_str(" AND n.nspname OPERATOR(pg_catalog.~) $2 COLLATE pg_catalog.default")
            }
            None => sql.push_str(" AND pg_catalog.pg_table_is_visible(c.oid)"),
        }
        if children {
            // The matches, then whatever inherits from them (pg_dump's partition_tree).
            sql = format!(
                "WITH RECURSIVE partition_tree (relid) AS ({sql} \
                 UNION SELECT i.inhrelid FROM partition_tree p \
                 JOIN pg_catalog.pg_inherits i ON p.relid OPERATOR(pg_catalog.=) i.inhparent) \
                 SELECT relid AS oid FROM partition_tree"
            );
        }
        let rows = match &np.schema_regex {
            Some(s) => query(client, what, &sql, &[&np.name_regex, s]).await?,
            None => query(client, what, &sql, &[&np.name_regex]).await?,
        };
        if rows.is_empty() && strict {
            return Err(Error::usage(format!(
                "no matching tables were found for pattern \"{p}\""
            )));
        }
        for r in &rows {
            out.insert(oid(r, "oid")?);
        }
    }
    Ok(out)
}

async fn expand_schema_patterns(
    client: &Client,
    patterns: &[String],
    dbname: &str,
    strict: bool,
) -> Result<BTreeSet<u32>> {
    let mut out = BTreeSet::new();
    for p in patterns {
        let np = filter::parse_pattern(p, 1, dbname)?;
        let rows = query(
            client,
            "schema patterns",
            "SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.~) $1 COLLATE pg_catalog.default",
            &[&np.name_regex],
        )
        .await?;
        if rows.is_empty() && strict {
            return Err(Error::usage(format!(
                "no matching schemas were found for pattern \"{p}\""
            )));
        }
        for r in &rows {
            out.insert(oid(r, "oid")?);
        }
    }
    Ok(out)
}

/// Extension names matching `-e` patterns (unqualified names only, as pg_dump).
async fn expand_extension_patterns(
    client: &Client,
    patterns: &[String],
    strict: bool,
) -> Result<BTreeSet<u32>> {
    let mut out = BTreeSet::new();
    for p in patterns {
        if outside_quotes_has_dot(p) {
            return Err(Error::usage(format!(
                "improper qualified name (too many dotted names): {p}"
            )));
        }
        let np = filter::parse_pattern(p, 1, "")?;
        let rows = query(
            client,
            "extension patterns",
            "SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.~) $1 COLLATE pg_catalog.default",
            &[&np.name_regex],
        )
        .await?;
        if rows.is_empty() && strict {
            return Err(Error::usage(format!(
                "no matching extensions were found for pattern \"{p}\""
            )));
        }
        for r in &rows {
            out.insert(oid(r, "oid")?);
        }
    }
    Ok(out)
}

/// Whether a pattern has a dot outside double quotes (a qualified name).
fn outside_quotes_has_dot(pattern: &str) -> bool {
    let mut in_quotes = false;
    pattern.chars().any(|c| {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        c == '.' && !in_quotes
    })
}

/// Resolves the plan's patterns on the server (before `search_path` is emptied, so that an
/// unqualified `-t name` sees the tables the user sees, as with pg_dump).
pub async fn resolve_selection(
    client: &Client,
    plan: &DumpPlan,
    dbname: &str,
) -> Result<Selection> {
    let f = &plan.filters;
    let mut sel = Selection::default();
    if !f.include_schemas.is_empty() {
        let s = expand_schema_patterns(client, &f.include_schemas, dbname, f.strict_names).await?;
        if s.is_empty() {
            return Err(Error::usage("no matching schemas were found"));
        }
        sel.include_schemas = Some(s);
    }
    sel.exclude_schemas = expand_schema_patterns(client, &f.exclude_schemas, dbname, false).await?;
    if !f.include_extensions.is_empty() {
        let e = expand_extension_patterns(client, &f.include_extensions, f.strict_names).await?;
        if e.is_empty() {
            return Err(Error::usage("no matching extensions were found"));
        }
        sel.include_extensions = Some(e);
    }
    sel.exclude_extensions =
        expand_extension_patterns(client, &f.exclude_extensions, false).await?;
    let include = TablePatterns {
        plain: &f.include_tables,
        with_children: &f.include_tables_and_children,
    };
    if !include.is_empty() {
        let t = expand_table_patterns(client, include, dbname, f.strict_names, "table patterns")
            .await?;
        if t.is_empty() {
            return Err(Error::usage("no matching tables were found"));
        }
        sel.include_tables = Some(t);
    }
    let exclude = TablePatterns {
        plain: &f.exclude_tables,
        with_children: &f.exclude_tables_and_children,
    };
    sel.exclude_tables =
        expand_table_patterns(client, exclude, dbname, false, "table patterns").await?;
    let exclude_data = TablePatterns {
        plain: &f.exclude_table_data,
        with_children: &f.exclude_table_data_and_children,
    };
    sel.exclude_data =
        expand_table_patterns(client, exclude_data, dbname, false, "table patterns").await?;
    for p in &f.include_foreign_data {
        // Server names have no schema: any dot is refused, as pg_dump does.
        if outside_quotes_has_dot(p) {
            return Err(Error::usage(format!(
                "improper qualified name (too many dotted names): {p}"
            )));
        }
        let np = filter::parse_pattern(p, 1, dbname)?;
        let rows = query(
            client,
            "foreign server patterns",
            "SELECT s.srvname FROM pg_catalog.pg_foreign_server s WHERE s.srvname OPERATOR(pg_catalog.~) $1 COLLATE pg_catalog.default",
            &[&np.name_regex],
        )
        .await?;
        if rows.is_empty() {
            return Err(Error::usage(format!(
                "no matching foreign servers were found for pattern \"{p}\""
            )));
        }
        for r in &rows {
            sel.foreign_data_servers.insert(text(r, "srvname")?);
        }
    }
    Ok(sel)
}

struct Ns {
    name: std::sync::Arc<str>,
    dump_contains: bool,
}

fn acl_from(row: &tokio_postgres::Row, acl_col: &str) -> Result<Acl> {
    Ok(Acl {
        acl: opt_text(row, acl_col)?,
        acldefault: text(row, "acldefault")?,
        initprivs: opt_text(row, "initprivs")?,
    })
}

/// Formats a reloptions array the way pg_dump's `appendReloptionsArray` does.
pub fn format_reloptions(opts: &[String], prefix: &str) -> String {
    let mut out = Vec::new();
    for o in opts {
        let (name, value) = match o.split_once('=') {
            Some((n, v)) => (n, v),
            None => (o.as_str(), ""),
        };
        // A value that reads as a plain identifier goes bare, anything else as a literal.
        let quoted_value = if crate::ddl::quote::quote_ident(value) == value {
            value.to_string()
        } else {
            crate::ddl::quote::quote_literal(value, true)
        };
        out.push(format!(
            "{prefix}{}={quoted_value}",
            crate::ddl::quote::quote_ident(name)
        ));
    }
    out.join(", ")
}

/// Objects of which pg_dump dumps only the privileges (when they differ from the initial
/// ones): members of an extension that is dumped or built in (pg_dump's
/// checkExtensionMembership), and, in a whole-database dump with privileges, pg_catalog
/// functions and types. Done last, so nothing else treats them as dumped definitions.
fn mark_acl_only(
    cat: &mut Catalog,
    ext_members: &BTreeMap<(u32, u32), u32>,
    catalog_acls: bool,
    include_everything: bool,
) {
    let acl_extensions: BTreeSet<u32> = cat
        .objects
        .iter()
        .filter(|o| o.kind() == Kind::Extension && o.dump)
        .map(|o| o.cat.oid)
        .collect();
    for o in &mut cat.objects {
        let kind = o.kind();
        if o.dump
            || !matches!(
                kind,
                Kind::Func
                    | Kind::Agg
                    | Kind::Type
                    | Kind::Table
                    | Kind::Language
                    | Kind::ForeignDataWrapper
                    | Kind::ForeignServer
            )
        {
            continue;
        }
        let wanted = match ext_members.get(&(o.cat.tableoid, o.cat.oid)) {
            Some(ext) => *ext < FIRST_NORMAL_OID || acl_extensions.contains(ext),
            // A procedural language from initdb lives in no schema (selectDumpableProcLang).
            None if kind == Kind::Language => include_everything && o.cat.oid < FIRST_NORMAL_OID,
            None => {
                catalog_acls
                    && matches!(kind, Kind::Func | Kind::Agg | Kind::Type)
                    && o.namespace.as_deref() == Some("pg_catalog")
            }
        };
        // An object whose privileges were never set has no ACL to dump, and pg_dump then counts
        // it as not dumped at all (its ACL component is cleared), which a language's handler
        // check sees.
        let has_acl = match &o.detail {
            Detail::Table(t) => {
                t.acl.acl.is_some()
                    || t.columns
                        .iter()
                        .any(|c| c.acl().is_some_and(|a| a.acl.is_some()))
            }
            Detail::Func(f) => f.acl.acl.is_some(),
            Detail::Type(t) => t.acl.acl.is_some(),
            Detail::Language(l) => l.acl.acl.is_some(),
            Detail::Foreign(f) => f.acl.acl.is_some(),
            _ => false,
        };
        if wanted && has_acl {
            o.dump = true;
            o.acl_only = true;
        }
    }
}

/// Extension configuration tables whose data the dump carries, with their data filters
/// (pg_dump's processExtensionTables): those of dumped extensions, and of others when the
/// table or its schema was named; never an excluded table or schema.
fn config_tables(
    cat: &Catalog,
    ext_configs: &[(DumpId, Vec<(u32, String)>)],
    sel: &Selection,
) -> BTreeMap<DumpId, Option<String>> {
    let mut out = BTreeMap::new();
    if ext_configs.is_empty() {
        return out;
    }
    let schemas: BTreeMap<&str, &Obj> = cat
        .objects
        .iter()
        .filter(|o| o.kind() == Kind::Namespace)
        .map(|o| (&*o.name, o))
        .collect();
    for (ext, tables) in ext_configs {
        let ext_oid = cat.objects[*ext].cat.oid;
        if sel
            .include_extensions
            .as_ref()
            .is_some_and(|picked| !picked.contains(&ext_oid))
            || sel.exclude_extensions.contains(&ext_oid)
        {
            continue;
        }
        for (table_oid, condition) in tables {
            let Some(tid) = cat.find(PG_CLASS, *table_oid) else {
                continue;
            };
            let t = &cat.objects[tid];
            let schema = t
                .namespace
                .as_deref()
                .and_then(|ns| schemas.get(ns).copied());
            let mut wanted = cat.objects[*ext].dump
                || sel
                    .include_tables
                    .as_ref()
                    .is_some_and(|inc| inc.contains(table_oid))
                || schema.is_some_and(|s| s.dump);
            if sel.exclude_tables.contains(table_oid)
                || schema.is_some_and(|s| sel.exclude_schemas.contains(&s.cat.oid))
            {
                wanted = false;
            }
            if wanted {
                out.insert(tid, (!condition.is_empty()).then(|| condition.clone()));
            }
        }
    }
    out
}

/// Reads the whole catalog and builds the model. `sel` comes from [`resolve_selection`].
///
/// With `helper`, a big catalog has its slowest queries read on a second connection in the same
/// snapshot (see [`Helper`]).
pub async fn load(
    client: &Client,
    plan: &DumpPlan,
    sel: &Selection,
    helper: Option<Joining>,
) -> Result<Catalog> {
    let mut cat = Catalog::default();
    let mut pipe = Pipeline::new(client);
    let info = query(
        client,
        "server settings",
        "SELECT pg_catalog.current_setting('server_version') AS v, \
         pg_catalog.pg_encoding_to_char(d.encoding) AS enc, \
         pg_catalog.current_setting('standard_conforming_strings') AS ss, \
         (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = CURRENT_USER) AS superuser \
         FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()",
        &[],
    )
    .await?;
    let info = info
        .first()
        .ok_or_else(|| Error::catalog("current database not found in pg_database"))?;
    cat.server_version = text(info, "v")?;
    cat.encoding = text(info, "enc")?;
    cat.std_strings = text(info, "ss")? == "on";
    // Only a superuser may read subscriptions' connection strings (pg_dump then skips them).
    let superuser = opt_boolean(info, "superuser")?.unwrap_or(false);
    let subscriptions_query = if superuser {
        queries::SUBSCRIPTIONS
    } else {
        queries::SUBSCRIPTION_COUNT
    };

    let filters_tables = sel.include_tables.is_some();
    // -e narrows the dump too (pg_dump's include_everything), though schemas and their
    // contents are still chosen by -n/-t alone.
    let include_everything = sel.include_tables.is_none()
        && sel.include_schemas.is_none()
        && sel.include_extensions.is_none();

    // Extension membership first: members are never dumped on their own (only their changed
    // privileges, see the end). (classid, objid) -> extension.
    let mut ext_members: BTreeMap<(u32, u32), u32> = BTreeMap::new();
    let mut rows = pipe
        .stream("extension members", queries::EXTENSION_MEMBERS, &[])
        .await?;
    pipe.send_ahead(queries::NAMESPACES, None).await;
    while let Some(r) = next_row(&mut rows, "extension members").await? {
        ext_members.insert(
            (oid(&r, "classid")?, oid(&r, "objid")?),
            oid(&r, "refobjid")?,
        );
    }

    // Schemas.
    let mut namespaces: BTreeMap<u32, Ns> = BTreeMap::new();
    let mut rows = pipe.stream("schemas", queries::NAMESPACES, &[]).await?;
    pipe.send_ahead(queries::EXTENSIONS, None).await;
    while let Some(r) = next_row(&mut rows, "schemas").await? {
        let o = oid(&r, "oid")?;
        let name = text(&r, "nspname")?;
        let system = name == "pg_catalog"
            || name == "information_schema"
            || name.starts_with("pg_toast")
            || name.starts_with("pg_temp_")
            || ext_members.contains_key(&(PG_NAMESPACE, o));
        let mut dump = !system;
        // -t wins over -n: with tables named, no schema is dumped (pg_dump's
        // selectDumpableNamespace).
        if filters_tables {
            dump = false;
        } else if let Some(inc) = &sel.include_schemas {
            dump = dump && inc.contains(&o);
        }
        if sel.exclude_schemas.contains(&o) {
            dump = false;
        }
        let dump_contains = dump || (filters_tables && !system);
        let owner = text(&r, "owner")?;
        // public is special (created by initdb) unless the user selected schemas with -n.
        let is_public = name == "public" && sel.include_schemas.is_none();
        let owner_oid = oid(&r, "nspowner")?;
        let mut acl = acl_from(&r, "nspacl")?;
        if is_public {
            // pg_dump assumes the v15 default ACL for public and ignores pg_init_privs.
            acl.initprivs = Some(format!(
                "{{{}=UC/{},=U/{}}}",
                acl_role(&owner),
                acl_role(&owner),
                acl_role(&owner)
            ));
        }
        let def_dump = dump && !(is_public && owner_oid == PG_DATABASE_OWNER);
        cat.add(Obj {
            kind: Some(Kind::Namespace),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: name.clone().into(),
            dump,
            detail: Detail::Namespace(Box::new(NamespaceDetail {
                owner,
                acl,
                comment: None,
                create: !is_public,
                dump_definition: def_dump,
            })),
            ..Default::default()
        });
        namespaces.insert(
            o,
            Ns {
                name: name.into(),
                dump_contains: dump_contains && (dump || filters_tables),
            },
        );
    }
    let ns_name = |o: u32| -> Result<std::sync::Arc<str>> {
        namespaces
            .get(&o)
            .map(|n| n.name.clone())
            .ok_or_else(|| Error::catalog(format!("schema with OID {o} does not exist")))
    };
    let ns_contains = |o: u32| namespaces.get(&o).map(|n| n.dump_contains).unwrap_or(false);

    // Extensions, and the configuration tables whose data they leave to the dump:
    // (extension, its tables with their data filters).
    let mut ext_configs: Vec<(DumpId, Vec<(u32, String)>)> = Vec::new();
    let mut rows = pipe.stream("extensions", queries::EXTENSIONS, &[]).await?;
    while let Some(r) = next_row(&mut rows, "extensions").await? {
        let o = oid(&r, "oid")?;
        let (config, conditions) = (oid_array(&r, "extconfig")?, text_array(&r, "extcondition")?);
        if config.len() != conditions.len() {
            return Err(Error::catalog(format!(
                "mismatched number of configurations and conditions for extension \"{}\"",
                text(&r, "extname")?
            )));
        }
        let id = cat.add(Obj {
            kind: Some(Kind::Extension),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: text(&r, "extname")?.into(),
            // -e picks extensions by name, whatever -n/-t say (pg_dump's
            // selectDumpableExtension).
            dump: o >= FIRST_NORMAL_OID
                && match &sel.include_extensions {
                    Some(picked) => picked.contains(&o),
                    None => include_everything,
                }
                && !sel.exclude_extensions.contains(&o),
            detail: Detail::Extension(Box::new(ExtensionDetail {
                schema: text(&r, "nspname")?,
                version: text(&r, "extversion")?,
                comment: None,
            })),
            ..Default::default()
        });
        if !config.is_empty() {
            ext_configs.push((id, config.into_iter().zip(conditions).collect()));
        }
    }

    // Relations, locked right away to keep concurrent DDL out.
    let mut table_rows = pipe.stream("tables", queries::TABLES, &[]).await?;
    let mut table_ids: Vec<DumpId> = Vec::new();
    let mut owned_seq: Vec<(DumpId, u32, i16, bool)> = Vec::new();
    while let Some(row) = next_row(&mut table_rows, "tables").await? {
        let r = &row;
        let o = oid(r, "oid")?;
        let nsp = oid(r, "relnamespace")?;
        let relkind = ch(r, "relkind")?;
        let mut dump =
            ns_contains(nsp) && !ext_members.contains_key(&(PG_CLASS, o)) && relkind != 'c';
        if let Some(inc) = &sel.include_tables {
            dump = dump && inc.contains(&o);
        }
        if sel.exclude_tables.contains(&o) {
            dump = false;
        }
        let reloptions = text_array(r, "reloptions")?;
        let check_option = reloptions.iter().find_map(|o| match o.as_str() {
            "check_option=local" => Some("LOCAL".to_string()),
            "check_option=cascaded" => Some("CASCADED".to_string()),
            _ => None,
        });
        let reloptions: Vec<String> = reloptions
            .into_iter()
            .filter(|o| !o.starts_with("check_option="))
            .collect();
        let toast = text_array(r, "toast_reloptions")?;
        let extra = TableExtra {
            reloptions: (!reloptions.is_empty()).then(|| format_reloptions(&reloptions, "")),
            toast_reloptions: (!toast.is_empty()).then(|| format_reloptions(&toast, "toast.")),
            check_option,
            partbound: opt_text(r, "partbound")?,
            partkeydef: opt_text(r, "partkeydef")?,
            viewdef: opt_text(r, "viewdef")?,
            of_type: opt_text(r, "oftype")?,
            foreign: match opt_text(r, "ftserver")? {
                Some(server) => Some((server, opt_text(r, "ftoptions")?.unwrap_or_default())),
                None => None,
            },
            data_filter: None,
        };
        let detail = TableDetail {
            relkind,
            persistence: ch(r, "relpersistence")?,
            owner: text(r, "owner")?,
            extra: (!extra.is_empty()).then(|| Box::new(extra)),
            am: opt_text(r, "amname")?,
            tablespace: text(r, "tablespace")?,
            is_partition: boolean(r, "relispartition")?,
            replident: ch(r, "relreplident")?,
            row_security: boolean(r, "relrowsecurity")?,
            force_row_security: boolean(r, "relforcerowsecurity")?,
            relpages: i64_(r, "relpages")?,
            populated: boolean(r, "relispopulated")?,
            acl: Box::new(acl_from(r, "relacl")?),
            ext_member: ext_members.contains_key(&(PG_CLASS, o)),
            ..Default::default()
        };
        let id = cat.add(Obj {
            kind: Some(Kind::Table),
            cat: CatalogId {
                tableoid: oid(r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(nsp)?),
            name: text(r, "relname")?.into(),
            dump,
            detail: Detail::Table(Box::new(detail)),
            ..Default::default()
        });
        table_ids.push(id);
        if let Some(owner) = opt_oid(r, "owning_tab")? {
            let col = i16::try_from(i32_(r, "owning_col")?)
                .map_err(|_| Error::catalog("column number out of range"))?;
            owned_seq.push((
                id,
                owner,
                col,
                opt_boolean(r, "is_identity")?.unwrap_or(false),
            ));
        }
    }
    // Sequences follow their owning table's dump decision (getOwnedSeqs).
    for (seq, owner_oid, col, identity) in owned_seq {
        if let Some(owner) = cat.find(PG_CLASS, owner_oid) {
            let owner_dump = cat.objects[owner].dump;
            if let Detail::Table(t) = &mut cat.objects[seq].detail {
                t.owning_table = Some((owner, col));
                t.is_identity_sequence = identity;
            }
            if identity {
                // Identity sequences go exactly with their table.
                cat.objects[seq].dump = owner_dump;
            } else if owner_dump {
                cat.objects[seq].dump = true;
            }
        }
    }
    if let Some(t) = &plan.switches.lock_wait_timeout {
        // pg_dump's --lock-wait-timeout: give up instead of queueing behind a long lock.
        let sql = format!(
            "SET lock_timeout = {}",
            crate::ddl::quote::quote_literal(t, true)
        );
        client.batch_execute(&sql).await.map_err(|e| {
            Error::from_pg(e, ErrorKind::Server).context("setting lock wait timeout")
        })?;
    }
    let helper = match helper {
        Some(setup) if table_ids.len() >= HELPER_MIN_RELATIONS => Some(Helper::connect(setup)),
        _ => None,
    };
    lock_tables(client, &cat, &table_ids).await?;
    // The true size (a file stat per table) only matters for splitting table data into chunks;
    // a schema-only dump makes do with relpages.
    if plan.data {
        measure_tables(client, &mut cat, &table_ids).await?;
    }
    if let Some(h) = helper {
        let sent = h
            .send(queries::INDEXES, queries::INDEXES_PRECOMPUTED, &mut pipe)
            .await;
        if plan.verbose {
            match sent {
                Ok(()) => eprintln!("pgsnap: reading index definitions on a second connection"),
                Err(e) => eprintln!(
                    "pgsnap: no second connection for the catalog ({e}): reading it on one"
                ),
            }
        }
    }
    if plan.switches.lock_wait_timeout.is_some() {
        client
            .batch_execute("SET lock_timeout = 0")
            .await
            .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("resetting lock timeout"))?;
    }

    // Sequence parameters.
    let mut rows = pipe.stream("sequences", queries::SEQUENCES, &[]).await?;
    pipe.send_ahead(queries::AGGREGATES, None).await;
    while let Some(r) = next_row(&mut rows, "sequences").await? {
        if let Some(id) = cat.find(PG_CLASS, oid(&r, "seqrelid")?) {
            let p = SequenceParams {
                type_name: text(&r, "seqtype")?,
                start: i64_(&r, "seqstart")?,
                increment: i64_(&r, "seqincrement")?,
                max: i64_(&r, "seqmax")?,
                min: i64_(&r, "seqmin")?,
                cache: i64_(&r, "seqcache")?,
                cycle: boolean(&r, "seqcycle")?,
                ..Default::default()
            };
            if let Detail::Table(t) = &mut cat.objects[id].detail {
                t.seq = Some(Box::new(p));
            }
        }
    }

    // Functions and aggregates.
    let mut aggs: BTreeMap<u32, AggDetail> = BTreeMap::new();
    let mut rows = pipe.stream("aggregates", queries::AGGREGATES, &[]).await?;
    pipe.send_ahead(queries::FUNCS, None).await;
    while let Some(r) = next_row(&mut rows, "aggregates").await? {
        let dash = |s: String| if s == "-" { String::new() } else { s };
        aggs.insert(
            oid(&r, "oid")?,
            AggDetail {
                transfn: dash(text(&r, "transfn")?),
                finalfn: dash(text(&r, "finalfn")?),
                combinefn: dash(text(&r, "combinefn")?),
                serialfn: dash(text(&r, "serialfn")?),
                deserialfn: dash(text(&r, "deserialfn")?),
                mtransfn: dash(text(&r, "mtransfn")?),
                minvtransfn: dash(text(&r, "minvtransfn")?),
                mfinalfn: dash(text(&r, "mfinalfn")?),
                finalextra: boolean(&r, "aggfinalextra")?,
                mfinalextra: boolean(&r, "aggmfinalextra")?,
                finalmodify: ch(&r, "aggfinalmodify")?,
                mfinalmodify: ch(&r, "aggmfinalmodify")?,
                sortop: text(&r, "sortop")?,
                kind: ch(&r, "aggkind")?,
                transtype: text(&r, "transtype")?,
                transspace: i32_(&r, "aggtransspace")?,
                mtranstype: opt_text(&r, "mtranstype")?.unwrap_or_default(),
                mtransspace: i32_(&r, "aggmtransspace")?,
                initval: opt_text(&r, "agginitval")?,
                minitval: opt_text(&r, "aggminitval")?,
                parallel: ch(&r, "proparallel")?,
            },
        );
    }
    let mut rows = pipe.stream("functions", queries::FUNCS, &[]).await?;
    pipe.send_ahead(queries::COLLATIONS, None).await;
    while let Some(r) = next_row(&mut rows, "functions").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "pronamespace")?;
        let prokind = ch(&r, "prokind")?;
        let lanname = text(&r, "lanname")?;
        let detail = FuncDetail {
            owner: text(&r, "owner")?,
            argtypes: oid_array(&r, "argtypes")?,
            argtype_names: text_array(&r, "argtypenames")?,
            arguments: text(&r, "funcargs")?,
            identity_arguments: text(&r, "funciargs")?,
            result: opt_text(&r, "funcresult")?.unwrap_or_default(),
            prokind,
            lang_is_c_or_internal: lanname == "c" || lanname == "internal",
            language: lanname,
            src: opt_text(&r, "prosrc")?.unwrap_or_default(),
            bin: opt_text(&r, "probin")?,
            sqlbody: opt_text(&r, "prosqlbody")?,
            volatile: ch(&r, "provolatile")?,
            strict: boolean(&r, "proisstrict")?,
            secdef: boolean(&r, "prosecdef")?,
            leakproof: boolean(&r, "proleakproof")?,
            parallel: ch(&r, "proparallel")?,
            cost: text(&r, "procost")?,
            rows: text(&r, "prorows")?,
            retset: boolean(&r, "proretset")?,
            support: opt_text(&r, "prosupport")?,
            config: text_array(&r, "proconfig")?,
            agg: aggs.remove(&o),
            acl: acl_from(&r, "proacl")?,
            comment: None,
        };
        let dump = ns_contains(nsp) && !filters_tables && !ext_members.contains_key(&(PG_PROC, o));
        cat.add(Obj {
            kind: Some(if prokind == 'a' {
                Kind::Agg
            } else {
                Kind::Func
            }),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(nsp)?),
            name: text(&r, "proname")?.into(),
            dump,
            detail: Detail::Func(Box::new(detail)),
            ..Default::default()
        });
    }

    // Collations (needed before types and columns, which name them).
    let mut collation_names: BTreeMap<u32, String> = BTreeMap::new();
    let mut rows = pipe.stream("collations", queries::COLLATIONS, &[]).await?;
    pipe.send_ahead(queries::ENUM_LABELS, None).await;
    while let Some(r) = next_row(&mut rows, "collations").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "collnamespace")?;
        let name = text(&r, "collname")?;
        let schema = ns_name(nsp)?;
        collation_names.insert(o, qualified(&schema, &name));
        let dump =
            ns_contains(nsp) && !filters_tables && !ext_members.contains_key(&(PG_COLLATION, o));
        cat.add(Obj {
            kind: Some(Kind::Collation),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(std::sync::Arc::from(schema.as_ref())),
            name: name.into(),
            dump,
            detail: Detail::Collation(Box::new(CollationDetail {
                owner: text(&r, "owner")?,
                provider: ch(&r, "collprovider")?,
                deterministic: boolean(&r, "collisdeterministic")?,
                collate: opt_text(&r, "collcollate")?,
                ctype: opt_text(&r, "collctype")?,
                icu_locale: opt_text(&r, "colliculocale")?,
                comment: None,
            })),
            ..Default::default()
        });
    }
    let coll_name = |o: u32| -> Option<String> {
        if o == 0 {
            None
        } else {
            collation_names.get(&o).cloned()
        }
    };

    // Types.
    let mut enum_labels: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut rows = pipe
        .stream("enum labels", queries::ENUM_LABELS, &[])
        .await?;
    pipe.send_ahead(queries::RANGES, None).await;
    while let Some(r) = next_row(&mut rows, "enum labels").await? {
        enum_labels
            .entry(oid(&r, "enumtypid")?)
            .or_default()
            .push(text(&r, "enumlabel")?);
    }
    let mut ranges: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut rows = pipe.stream("range types", queries::RANGES, &[]).await?;
    pipe.send_ahead(queries::BASE_TYPES, None).await;
    while let Some(r) = next_row(&mut rows, "range types").await? {
        let mut opts = vec![format!("subtype = {}", text(&r, "rngsubtype")?)];
        if let Some(m) = opt_text(&r, "rngmultitype")? {
            opts.push(format!("multirange_type_name = {m}"));
        }
        if opt_boolean(&r, "opcdefault")? == Some(false) {
            opts.push(format!(
                "subtype_opclass = {}.{}",
                crate::ddl::quote::quote_ident(&text(&r, "opcnsp")?),
                crate::ddl::quote::quote_ident(&text(&r, "opcname")?)
            ));
        }
        if let Some(c) = coll_name(oid(&r, "collation")?) {
            opts.push(format!("collation = {c}"));
        }
        for (col, word) in [
            ("rngcanonical", "canonical"),
            ("rngsubdiff", "subtype_diff"),
        ] {
            let f = text(&r, col)?;
            if f != "-" {
                opts.push(format!("{word} = {f}"));
            }
        }
        ranges.insert(oid(&r, "rngtypid")?, opts);
    }
    let mut base_types: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut rows = pipe.stream("base types", queries::BASE_TYPES, &[]).await?;
    pipe.send_ahead(queries::COMPOSITE_ATTRS, None).await;
    while let Some(r) = next_row(&mut rows, "base types").await? {
        base_types.insert(oid(&r, "oid")?, base_type_options(&r, cat.std_strings)?);
    }
    let mut composite: BTreeMap<u32, Vec<(String, String, Option<String>)>> = BTreeMap::new();
    let mut rows = pipe
        .stream("composite types", queries::COMPOSITE_ATTRS, &[])
        .await?;
    pipe.send_ahead(queries::TYPES, None).await;
    while let Some(r) = next_row(&mut rows, "composite types").await? {
        if boolean(&r, "attisdropped")? {
            continue;
        }
        composite.entry(oid(&r, "typeoid")?).or_default().push((
            text(&r, "attname")?,
            text(&r, "atttypdefn")?,
            coll_name(oid(&r, "attcollation")?),
        ));
    }
    let mut composite_rel_to_type: BTreeMap<u32, DumpId> = BTreeMap::new();
    let mut rows = pipe.stream("types", queries::TYPES, &[]).await?;
    while let Some(r) = next_row(&mut rows, "types").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "typnamespace")?;
        let typtype = ch(&r, "typtype")?;
        let relkind = opt_ch(&r, "relkind")?;
        let isarray = boolean(&r, "isarray")?;
        let typrelid = oid(&r, "typrelid")?;
        let mut dump =
            ns_contains(nsp) && !filters_tables && !ext_members.contains_key(&(PG_TYPE, o));
        if (typrelid != 0 && relkind != Some('c')) || isarray || typtype == 'm' {
            dump = false;
        }
        let detail = TypeDetail {
            owner: text(&r, "owner")?,
            typtype,
            typinput: oid(&r, "typinput")?,
            relkind,
            enum_labels: enum_labels.remove(&o).unwrap_or_default(),
            domain_base: opt_text(&r, "domain_base")?.unwrap_or_default(),
            domain_not_null: boolean(&r, "typnotnull")?,
            domain_default: opt_text(&r, "domain_default")?,
            domain_collation: coll_name(oid(&r, "domain_collation")?),
            composite_attrs: composite.remove(&o).unwrap_or_default(),
            range_options: ranges.remove(&o).unwrap_or_default(),
            base_options: base_types.remove(&o).unwrap_or_default(),
            acl: acl_from(&r, "typacl")?,
            ..Default::default()
        };
        // Row types of tables and auto-generated array/multirange types are DO_DUMMY_TYPE:
        // never printed, only links in the dependency graph, so they carry no details (there
        // are two per table).
        let dummy = (typrelid != 0 && relkind != Some('c')) || isarray || typtype == 'm';
        let detail = if dummy {
            Detail::None
        } else {
            Detail::Type(Box::new(detail))
        };
        let id = cat.add(Obj {
            kind: Some(if dummy { Kind::DummyType } else { Kind::Type }),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(nsp)?),
            name: text(&r, "typname")?.into(),
            dump,
            detail,
            ..Default::default()
        });
        if relkind == Some('c') {
            composite_rel_to_type.insert(typrelid, id);
        }
        // Base and range types get a shell, not printed unless an I/O (or canonical)
        // function needs it (pg_dump's getTypes; the shell has no catalog identity).
        if dump && matches!(typtype, 'b' | 'r') {
            let (namespace, name) = (
                cat.objects[id].namespace.clone(),
                cat.objects[id].name.clone(),
            );
            let shell = cat.add(Obj {
                kind: Some(Kind::ShellType),
                namespace,
                name,
                dump: false,
                detail: Detail::Shell { base: id },
                ..Default::default()
            });
            if let Detail::Type(t) = &mut cat.objects[id].detail {
                t.shell = Some(shell);
            }
        }
    }

    // Columns of every user relation (needed for COPY lists and ordering decisions).
    // Not of sequences: their columns are fixed and never dumped (as pg_dump's getTableAttrs).
    let rel_oids: Vec<u32> = table_ids
        .iter()
        .filter(|id| cat.table(**id).map(|t| t.relkind) != Some('S'))
        .map(|id| cat.objects[*id].cat.oid)
        .collect();
    let mut rows = pipe
        .stream("columns", queries::COLUMNS, &[&rel_oids])
        .await?;
    pipe.send_ahead(queries::ATTRDEFS, Some(rel_oids.clone()))
        .await;
    while let Some(r) = next_row(&mut rows, "columns").await? {
        let Some(id) = cat.find(PG_CLASS, oid(&r, "attrelid")?) else {
            continue;
        };
        let initprivs = opt_text(&r, "initprivs")?;
        let attacl = opt_text(&r, "attacl")?;
        let extra = ColumnExtra {
            collation: coll_name(oid(&r, "attcollation")?),
            options: opt_text(&r, "attoptions")?.filter(|s| !s.is_empty()),
            fdw_options: opt_text(&r, "attfdwoptions")?.filter(|s| !s.is_empty()),
            comment: None,
            acl: (attacl.is_some() || initprivs.is_some()).then(|| Acl {
                acl: attacl,
                acldefault: "{}".into(),
                initprivs,
            }),
        };
        let rare = extra.collation.is_some()
            || extra.options.is_some()
            || extra.fdw_options.is_some()
            || extra.acl.is_some();
        let col = Column {
            num: i16_(&r, "attnum")?,
            name: text(&r, "attname")?,
            type_name: opt_text(&r, "atttypname")?.unwrap_or_default(),
            not_null: boolean(&r, "attnotnull")?,
            dropped: boolean(&r, "attisdropped")?,
            is_local: boolean(&r, "attislocal")?,
            stat_target: i32_(&r, "attstattarget")?,
            storage: ch(&r, "attstorage")?,
            type_storage: opt_ch(&r, "typstorage")?.unwrap_or(' '),
            identity: opt_ch(&r, "attidentity")?,
            generated: opt_ch(&r, "attgenerated")?,
            compression: opt_ch(&r, "attcompression")?,
            default: None,
            extra: rare.then(|| Box::new(extra)),
        };
        if let Detail::Table(t) = &mut cat.objects[id].detail {
            t.columns.push(col);
        }
    }
    for id in &table_ids {
        if let Detail::Table(t) = &mut cat.objects[*id].detail {
            t.columns.shrink_to_fit();
        }
    }

    // Column defaults: non-separate ones must come before their table (pg_dump's trick, undone
    // by the loop repair when a default refers to something created after the table).
    let mut rows = pipe
        .stream("column defaults", queries::ATTRDEFS, &[&rel_oids])
        .await?;
    pipe.send_ahead(queries::CHECKS, None).await;
    while let Some(r) = next_row(&mut rows, "column defaults").await? {
        let Some(tid) = cat.find(PG_CLASS, oid(&r, "adrelid")?) else {
            continue;
        };
        let adnum = i16_(&r, "adnum")?;
        let (relkind, print_col, tdump, tns, tname) = {
            let o = &cat.objects[tid];
            let t = cat
                .table(tid)
                .ok_or_else(|| Error::catalog("default on a non-table"))?;
            let col = t.columns.iter().find(|c| c.num == adnum);
            let printed = col
                .map(|c| (c.is_local || t.is_partition) && !c.dropped)
                .unwrap_or(false);
            (
                t.relkind,
                printed,
                o.dump,
                o.namespace.clone(),
                o.name.clone(),
            )
        };
        let separate = relkind == 'v' || !print_col;
        let id = cat.add(Obj {
            kind: Some(Kind::AttrDef),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: tns,
            name: tname,
            dump: tdump,
            detail: Detail::AttrDef {
                table: tid,
                adnum,
                expr: text(&r, "adsrc")?.into(),
                separate,
            },
            ..Default::default()
        });
        if !separate {
            cat.objects[tid].add_dep(id);
        }
        if let Detail::Table(t) = &mut cat.objects[tid].detail {
            if let Some(c) = t.columns.iter_mut().find(|c| c.num == adnum) {
                c.default = Some(id);
            }
        }
    }

    // Check constraints of tables and domains.
    let mut rows = pipe
        .stream("check constraints", queries::CHECKS, &[])
        .await?;
    // pg_catalog's changed privileges come with every dump that names no tables or schemas.
    let catalog_acls =
        sel.include_tables.is_none() && sel.include_schemas.is_none() && !plan.no_privileges;
    pipe.send_ahead(
        if catalog_acls {
            queries::CATALOG_ACLS
        } else {
            queries::INHERITS
        },
        None,
    )
    .await;
    while let Some(r) = next_row(&mut rows, "check constraints").await? {
        let conrelid = oid(&r, "conrelid")?;
        let contypid = oid(&r, "contypid")?;
        let validated = boolean(&r, "convalidated")?;
        let is_local = boolean(&r, "conislocal")?;
        let (owner_id, is_domain) = if conrelid != 0 {
            match cat.find(PG_CLASS, conrelid) {
                Some(t) => (t, false),
                None => continue,
            }
        } else {
            match cat.find(PG_TYPE, contypid) {
                Some(t) => (t, true),
                None => continue,
            }
        };
        let owner = &cat.objects[owner_id];
        let separate = !validated;
        let detail = ConstraintDetail {
            table: (!is_domain).then_some(owner_id),
            domain: is_domain.then_some(owner_id),
            contype: 'c',
            def: text(&r, "consrc")?,
            is_local,
            validated,
            separate,
            ..Default::default()
        };
        let id = cat.add(Obj {
            kind: Some(Kind::Constraint),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: owner.namespace.clone(),
            name: text(&r, "conname")?.into(),
            dump: owner.dump && (is_domain || is_local),
            detail: Detail::Constraint(Box::new(detail)),
            ..Default::default()
        });
        if !separate {
            cat.objects[owner_id].add_dep(id);
        }
        match &mut cat.objects[owner_id].detail {
            Detail::Table(t) => t.checks.push(id),
            Detail::Type(t) => t.domain_constraints.push(id),
            _ => {}
        }
    }

    // System catalog relations with privileges changed since initdb: only their ACLs are
    // dumped, and only in a whole-database dump (pg_dump's ACL-only pg_catalog).
    if catalog_acls {
        let mut rows = pipe
            .stream("system catalog privileges", queries::CATALOG_ACLS, &[])
            .await?;
        pipe.send_ahead(queries::INHERITS, None).await;
        while let Some(r) = next_row(&mut rows, "system catalog privileges").await? {
            let acls = opt_text_array(&r, "colacls")?;
            let inits = opt_text_array(&r, "colinit")?;
            let columns = text_array(&r, "colnames")?
                .into_iter()
                .zip(acls.into_iter().zip(inits))
                .map(|(name, (acl, initprivs))| {
                    let mut c = Column {
                        name,
                        ..Default::default()
                    };
                    c.extra_mut().acl = Some(Acl {
                        acl,
                        acldefault: "{}".into(),
                        initprivs,
                    });
                    c
                })
                .collect();
            cat.add(Obj {
                kind: Some(Kind::Table),
                cat: CatalogId {
                    tableoid: PG_CLASS,
                    oid: oid(&r, "oid")?,
                },
                namespace: Some(ns_name(oid(&r, "relnamespace")?)?),
                name: text(&r, "relname")?.into(),
                dump: true,
                detail: Detail::Table(Box::new(TableDetail {
                    relkind: ch(&r, "relkind")?,
                    owner: text(&r, "owner")?,
                    columns,
                    acl: Box::new(Acl {
                        acl: opt_text(&r, "relacl")?,
                        acldefault: text(&r, "acldefault")?,
                        initprivs: opt_text(&r, "initprivs")?,
                    }),
                    ..Default::default()
                })),
                acl_only: true,
                ..Default::default()
            });
        }
    }

    // Inheritance.
    let mut rows = pipe.stream("inheritance", queries::INHERITS, &[]).await?;
    pipe.send_ahead(queries::INDEXES, None).await;
    while let Some(r) = next_row(&mut rows, "inheritance").await? {
        let (Some(child), Some(parent)) = (
            cat.find(PG_CLASS, oid(&r, "inhrelid")?),
            cat.find(PG_CLASS, oid(&r, "inhparent")?),
        ) else {
            continue;
        };
        if let Detail::Table(t) = &mut cat.objects[child].detail {
            t.parents.push(parent);
        }
    }
    // A child's generated column with its parent's expression inherits it: no default of its
    // own is printed (pg_dump's flagInhAttrs, foundSameGenerated).
    let mut same_generated = Vec::new();
    for &tid in &table_ids {
        let Some(t) = cat.table(tid) else { continue };
        for c in &t.columns {
            let (Some('s'), Some(d)) = (c.generated, c.default) else {
                continue;
            };
            let Detail::AttrDef { expr, .. } = &cat.objects[d].detail else {
                continue;
            };
            let parent_same = |p: &DumpId| {
                cat.table(*p)
                    .and_then(|pt| pt.columns.iter().find(|pc| pc.name == c.name && !pc.dropped))
                    .is_some_and(|pc| {
                        pc.generated == Some('s')
                            && pc.default.is_some_and(|pd| {
                                matches!(&cat.objects[pd].detail, Detail::AttrDef { expr: pe, .. } if pe == expr)
                            })
                    })
            };
            if t.parents.iter().any(parent_same) {
                same_generated.push(d);
            }
        }
    }
    for d in same_generated {
        cat.objects[d].dump = false;
    }
    // Partitions are attached by a separate TABLE ATTACH entry.
    for &tid in &table_ids {
        let Some(t) = cat.table(tid) else { continue };
        if !t.is_partition {
            continue;
        }
        let Some(&parent) = t.parents.first() else {
            continue;
        };
        let (ns, name, dump) = {
            let o = &cat.objects[tid];
            (o.namespace.clone(), o.name.clone(), o.dump)
        };
        let id = cat.add(Obj {
            kind: Some(Kind::TableAttach),
            namespace: ns,
            name,
            dump,
            detail: Detail::TableAttach {
                partition: tid,
                parent,
            },
            ..Default::default()
        });
        cat.objects[id].add_dep(tid);
        cat.objects[id].add_dep(parent);
    }

    // Indexes and the constraints they implement.
    let mut index_parent: Vec<(DumpId, u32)> = Vec::new();
    let mut rows = pipe.stream("indexes", queries::INDEXES, &[]).await?;
    pipe.send_ahead(queries::FOREIGN_KEYS, None).await;
    while let Some(r) = next_row(&mut rows, "indexes").await? {
        let Some(tid) = cat.find(PG_CLASS, oid(&r, "indrelid")?) else {
            continue;
        };
        let (tns, tdump) = (cat.objects[tid].namespace.clone(), cat.objects[tid].dump);
        let indreloptions = text_array(&r, "indreloptions")?;
        let statcols = i32_array(&r, "indstatcols")?;
        let statvals = i32_array(&r, "indstatvals")?;
        let detail = IndexDetail {
            table: tid,
            // Constraint indexes are written from the constraint's definition; skipping their
            // pg_get_indexdef halves this query's cost on schemas with many tables.
            def: opt_text(&r, "indexdef")?.unwrap_or_default(),
            clustered: boolean(&r, "indisclustered")?,
            replident: boolean(&r, "indisreplident")?,
            tablespace: text(&r, "tablespace")?,
            reloptions: (!indreloptions.is_empty()).then(|| format_reloptions(&indreloptions, "")),
            stat_targets: statcols.into_iter().zip(statvals).collect(),
            nkeys: i32_(&r, "indnkeyatts")?,
            parent_oid: oid(&r, "parentidx")?,
            ..Default::default()
        };
        let index_id = cat.add(Obj {
            kind: Some(Kind::Index),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: tns.clone(),
            name: text(&r, "indexname")?.into(),
            dump: tdump,
            detail: Detail::Index(Box::new(detail)),
            ..Default::default()
        });
        if let Some(contype) = opt_ch(&r, "contype")? {
            let cdetail = ConstraintDetail {
                table: Some(tid),
                contype,
                def: opt_text(&r, "condef")?.unwrap_or_default(),
                index: Some(index_id),
                deferrable: opt_boolean(&r, "condeferrable")?.unwrap_or(false),
                deferred: opt_boolean(&r, "condeferred")?.unwrap_or(false),
                is_local: true,
                validated: true,
                separate: true,
                comment: None,
                domain: None,
                confrelid: 0,
            };
            let cid = cat.add(Obj {
                kind: Some(Kind::Constraint),
                cat: CatalogId {
                    tableoid: opt_oid(&r, "contableoid")?.unwrap_or(PG_CONSTRAINT),
                    oid: opt_oid(&r, "conoid")?.unwrap_or(0),
                },
                namespace: tns,
                name: opt_text(&r, "conname")?.unwrap_or_default().into(),
                dump: tdump,
                detail: Detail::Constraint(Box::new(cdetail)),
                ..Default::default()
            });
            if let Detail::Index(ix) = &mut cat.objects[index_id].detail {
                ix.constraint = Some(cid);
            }
        }
        let parent = oid(&r, "parentidx")?;
        if parent != 0 {
            index_parent.push((index_id, parent));
        }
    }
    for (child, parent_oid) in index_parent {
        let Some(parent) = cat.find(PG_CLASS, parent_oid) else {
            continue;
        };
        let (ns, name, dump) = {
            let o = &cat.objects[child];
            (o.namespace.clone(), o.name.clone(), o.dump)
        };
        let child_table = match &cat.objects[child].detail {
            Detail::Index(ix) => ix.table,
            _ => continue,
        };
        let parent_table = match &cat.objects[parent].detail {
            Detail::Index(ix) => ix.table,
            _ => continue,
        };
        let id = cat.add(Obj {
            kind: Some(Kind::IndexAttach),
            namespace: ns,
            name,
            dump: dump && cat.objects[parent].dump,
            detail: Detail::IndexAttach {
                index: child,
                parent_index: parent,
            },
            ..Default::default()
        });
        for d in [parent, child, child_table, parent_table] {
            cat.objects[id].add_dep(d);
        }
    }

    // Foreign keys.
    let mut rows = pipe
        .stream("foreign keys", queries::FOREIGN_KEYS, &[])
        .await?;
    pipe.send_ahead(queries::TRIGGERS, None).await;
    while let Some(r) = next_row(&mut rows, "foreign keys").await? {
        let Some(tid) = cat.find(PG_CLASS, oid(&r, "conrelid")?) else {
            continue;
        };
        let (tns, tdump) = (cat.objects[tid].namespace.clone(), cat.objects[tid].dump);
        cat.add(Obj {
            kind: Some(Kind::FkConstraint),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: tns,
            name: text(&r, "conname")?.into(),
            dump: tdump,
            detail: Detail::Constraint(Box::new(ConstraintDetail {
                table: Some(tid),
                contype: 'f',
                def: text(&r, "condef")?,
                confrelid: oid(&r, "confrelid")?,
                is_local: true,
                validated: true,
                separate: true,
                ..Default::default()
            })),
            ..Default::default()
        });
    }

    // Triggers.
    let mut rows = pipe.stream("triggers", queries::TRIGGERS, &[]).await?;
    pipe.send_ahead(queries::RULES, None).await;
    while let Some(r) = next_row(&mut rows, "triggers").await? {
        let Some(tid) = cat.find(PG_CLASS, oid(&r, "tgrelid")?) else {
            continue;
        };
        let (tns, tdump) = (cat.objects[tid].namespace.clone(), cat.objects[tid].dump);
        cat.add(Obj {
            kind: Some(Kind::Trigger),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: tns,
            name: text(&r, "tgname")?.into(),
            dump: tdump,
            detail: Detail::Trigger(Box::new(TriggerDetail {
                table: tid,
                def: text(&r, "tgdef")?,
                enabled: ch(&r, "tgenabled")?,
                partition_clone: boolean(&r, "tgispartition")?,
                comment: None,
            })),
            ..Default::default()
        });
    }

    // Rules: a view's ON SELECT rule is folded into CREATE VIEW and orders it.
    let mut rows = pipe.stream("rules", queries::RULES, &[]).await?;
    pipe.send_ahead(queries::POLICIES, None).await;
    while let Some(r) = next_row(&mut rows, "rules").await? {
        let Some(tid) = cat.find(PG_CLASS, oid(&r, "ev_class")?) else {
            continue;
        };
        let ev_type = ch(&r, "ev_type")?;
        let is_instead = boolean(&r, "is_instead")?;
        let relkind = cat.table(tid).map(|t| t.relkind).unwrap_or('r');
        let on_select_view = matches!(relkind, 'v' | 'm') && ev_type == '1' && is_instead;
        let (tns, tdump) = (cat.objects[tid].namespace.clone(), cat.objects[tid].dump);
        let id = cat.add(Obj {
            kind: Some(Kind::Rule),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: tns,
            name: text(&r, "rulename")?.into(),
            dump: tdump && !on_select_view,
            detail: Detail::Rule(Box::new(RuleDetail {
                table: tid,
                ev_type,
                is_instead,
                separate: !on_select_view,
                def: opt_text(&r, "ruledef")?,
                enabled: ch(&r, "ev_enabled")?,
                comment: None,
            })),
            ..Default::default()
        });
        if on_select_view {
            cat.objects[tid].add_dep(id);
        } else {
            cat.objects[id].add_dep(tid);
        }
    }

    // Row security: a nameless policy object marks "enabled" (pg_dump's getPolicies), then
    // the policies themselves.
    for &tid in &table_ids {
        let Some(t) = cat.table(tid) else { continue };
        if !t.row_security {
            continue;
        }
        let o = &cat.objects[tid];
        let (ns, name, dump, oid) = (o.namespace.clone(), o.name.clone(), o.dump, o.cat.oid);
        let id = cat.add(Obj {
            kind: Some(Kind::Policy),
            cat: CatalogId { tableoid: 0, oid },
            namespace: ns,
            name,
            dump,
            detail: Detail::Policy(Box::new(PolicyDetail {
                table: tid,
                ..Default::default()
            })),
            ..Default::default()
        });
        cat.objects[id].add_dep(tid);
    }
    let mut rows = pipe.stream("policies", queries::POLICIES, &[]).await?;
    pipe.send_ahead(queries::CASTS, None).await;
    while let Some(r) = next_row(&mut rows, "policies").await? {
        let Some(tid) = cat.find(PG_CLASS, oid(&r, "polrelid")?) else {
            continue;
        };
        let (ns, dump) = (cat.objects[tid].namespace.clone(), cat.objects[tid].dump);
        let name = text(&r, "polname")?;
        cat.add(Obj {
            kind: Some(Kind::Policy),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: ns,
            name: name.clone().into(),
            dump,
            detail: Detail::Policy(Box::new(PolicyDetail {
                table: tid,
                name: Some(name),
                cmd: ch(&r, "polcmd")?,
                permissive: boolean(&r, "polpermissive")?,
                roles: opt_text(&r, "polroles")?,
                qual: opt_text(&r, "polqual")?,
                with_check: opt_text(&r, "polwithcheck")?,
                comment: None,
            })),
            ..Default::default()
        });
    }

    // Casts.
    let mut rows = pipe.stream("casts", queries::CASTS, &[]).await?;
    pipe.send_ahead(queries::OPERATORS, None).await;
    while let Some(r) = next_row(&mut rows, "casts").await? {
        let o = oid(&r, "oid")?;
        let mut body = match ch(&r, "castmethod")? {
            'b' => "WITHOUT FUNCTION".to_string(),
            'i' => "WITH INOUT".to_string(),
            _ => format!(
                "WITH FUNCTION {}",
                opt_text(&r, "func")?.unwrap_or_default()
            ),
        };
        match ch(&r, "castcontext")? {
            'a' => body.push_str(" AS ASSIGNMENT"),
            'i' => body.push_str(" AS IMPLICIT"),
            _ => {}
        }
        cat.add(Obj {
            kind: Some(Kind::Cast),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: format!("{} {}", text(&r, "srcname")?, text(&r, "tgtname")?).into(),
            dump: include_everything && !ext_members.contains_key(&(PG_CAST, o)),
            detail: Detail::Cast(Box::new(CastDetail {
                types: format!("{} AS {}", text(&r, "source")?, text(&r, "target")?),
                body,
                comment: None,
            })),
            ..Default::default()
        });
    }

    // Operators; shell operators (no function yet) are known but never dumped.
    let mut rows = pipe.stream("operators", queries::OPERATORS, &[]).await?;
    pipe.send_ahead(queries::ACCESS_METHODS, None).await;
    while let Some(r) = next_row(&mut rows, "operators").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "oprnamespace")?;
        let regproc =
            |col: &str| -> Result<Option<String>> { Ok(opt_text(&r, col)?.filter(|p| p != "-")) };
        let named = |nsp_col: &str, name_col: &str| -> Result<Option<(String, String)>> {
            Ok(opt_text(&r, nsp_col)?.zip(opt_text(&r, name_col)?))
        };
        let oprkind = ch(&r, "oprkind")?;
        let function = regproc("oprcode")?;
        cat.add(Obj {
            kind: Some(Kind::Operator),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(nsp)?),
            name: text(&r, "oprname")?.into(),
            dump: function.is_some()
                && ns_contains(nsp)
                && !filters_tables
                && !ext_members.contains_key(&(PG_OPERATOR, o)),
            detail: Detail::Operator(Box::new(OperatorDetail {
                owner: text(&r, "owner")?,
                oprkind,
                function,
                left: (oprkind != 'l').then(|| text(&r, "oprleft")).transpose()?,
                right: (oprkind != 'r').then(|| text(&r, "oprright")).transpose()?,
                commutator: named("comnsp", "comname")?,
                negator: named("negnsp", "negname")?,
                merges: boolean(&r, "oprcanmerge")?,
                hashes: boolean(&r, "oprcanhash")?,
                restrict: regproc("oprrest")?,
                join: regproc("oprjoin")?,
                comment: None,
            })),
            ..Default::default()
        });
    }

    // Access methods: the built-in ones are known (for dependencies) but not dumped.
    let mut rows = pipe
        .stream("access methods", queries::ACCESS_METHODS, &[])
        .await?;
    pipe.send_ahead(queries::OPFAMILIES, None).await;
    while let Some(r) = next_row(&mut rows, "access methods").await? {
        let o = oid(&r, "oid")?;
        cat.add(Obj {
            kind: Some(Kind::AccessMethod),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: text(&r, "amname")?.into(),
            dump: include_everything
                && o >= FIRST_NORMAL_OID
                && !ext_members.contains_key(&(PG_AM, o)),
            detail: Detail::AccessMethod(Box::new(AccessMethodDetail {
                amtype: ch(&r, "amtype")?,
                handler: text(&r, "amhandler")?,
                comment: None,
            })),
            ..Default::default()
        });
    }

    // Operator families and classes, then the members tied to each.
    let mut rows = pipe
        .stream("operator families", queries::OPFAMILIES, &[])
        .await?;
    pipe.send_ahead(queries::OPCLASSES, None).await;
    while let Some(r) = next_row(&mut rows, "operator families").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "opfnamespace")?;
        cat.add(Obj {
            kind: Some(Kind::OpFamily),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(nsp)?),
            name: text(&r, "opfname")?.into(),
            dump: ns_contains(nsp)
                && !filters_tables
                && !ext_members.contains_key(&(PG_OPFAMILY, o)),
            detail: Detail::OpClass(Box::new(OpClassDetail {
                owner: text(&r, "owner")?,
                am: text(&r, "amname")?,
                ..Default::default()
            })),
            ..Default::default()
        });
    }
    let mut rows = pipe
        .stream("operator classes", queries::OPCLASSES, &[])
        .await?;
    pipe.send_ahead(queries::AM_OPS, None).await;
    while let Some(r) = next_row(&mut rows, "operator classes").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "opcnamespace")?;
        cat.add(Obj {
            kind: Some(Kind::OpClass),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(nsp)?),
            name: text(&r, "opcname")?.into(),
            dump: ns_contains(nsp)
                && !filters_tables
                && !ext_members.contains_key(&(PG_OPCLASS, o)),
            detail: Detail::OpClass(Box::new(OpClassDetail {
                owner: text(&r, "owner")?,
                am: text(&r, "amname")?,
                for_type: text(&r, "opcintype")?,
                storage: opt_text(&r, "opckeytype")?.filter(|t| t != "-"),
                default: boolean(&r, "opcdefault")?,
                family: opt_text(&r, "familynsp")?.zip(opt_text(&r, "familyname")?),
                ..Default::default()
            })),
            ..Default::default()
        });
    }
    let mut rows = pipe
        .stream("operator class members", queries::AM_OPS, &[])
        .await?;
    pipe.send_ahead(queries::AM_PROCS, None).await;
    while let Some(r) = next_row(&mut rows, "operator class members").await? {
        let Some(id) = cat.find(oid(&r, "refclassid")?, oid(&r, "refobjid")?) else {
            continue;
        };
        let op = AmOp {
            strategy: i32_(&r, "amopstrategy")?,
            operator: text(&r, "amopopr")?,
            sort_family: opt_text(&r, "sortfamilynsp")?.zip(opt_text(&r, "sortfamily")?),
        };
        if let Detail::OpClass(d) = &mut cat.objects[id].detail {
            d.ops.push(op);
        }
    }
    let mut rows = pipe
        .stream("operator class functions", queries::AM_PROCS, &[])
        .await?;
    pipe.send_ahead(queries::FDWS, None).await;
    while let Some(r) = next_row(&mut rows, "operator class functions").await? {
        let Some(id) = cat.find(oid(&r, "refclassid")?, oid(&r, "refobjid")?) else {
            continue;
        };
        let proc = AmProc {
            number: i32_(&r, "amprocnum")?,
            types: (text(&r, "lefttype")?, text(&r, "righttype")?),
            function: text(&r, "amproc")?,
        };
        if let Detail::OpClass(d) = &mut cat.objects[id].detail {
            d.procs.push(proc);
        }
    }

    // Foreign-data wrappers and servers (a server carries its user mappings).
    let mut rows = pipe
        .stream("foreign-data wrappers", queries::FDWS, &[])
        .await?;
    pipe.send_ahead(queries::FOREIGN_SERVERS, None).await;
    while let Some(r) = next_row(&mut rows, "foreign-data wrappers").await? {
        let o = oid(&r, "oid")?;
        let mut clauses = String::new();
        for (label, col) in [(" HANDLER ", "fdwhandler"), (" VALIDATOR ", "fdwvalidator")] {
            let f = text(&r, col)?;
            if f != "-" {
                clauses.push_str(label);
                clauses.push_str(&f);
            }
        }
        cat.add(Obj {
            kind: Some(Kind::ForeignDataWrapper),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: text(&r, "fdwname")?.into(),
            dump: include_everything && !ext_members.contains_key(&(PG_FDW, o)),
            detail: Detail::Foreign(Box::new(ForeignDetail {
                owner: text(&r, "owner")?,
                clauses,
                wrapper: None,
                options: text(&r, "fdwoptions")?,
                mappings: Vec::new(),
                acl: Acl {
                    acl: opt_text(&r, "fdwacl")?,
                    acldefault: text(&r, "acldefault")?,
                    initprivs: None,
                },
                comment: None,
            })),
            ..Default::default()
        });
    }
    let mut rows = pipe
        .stream("foreign servers", queries::FOREIGN_SERVERS, &[])
        .await?;
    pipe.send_ahead(queries::TRANSFORMS, None).await;
    while let Some(r) = next_row(&mut rows, "foreign servers").await? {
        let o = oid(&r, "oid")?;
        let mut clauses = String::new();
        for (label, col) in [(" TYPE ", "srvtype"), (" VERSION ", "srvversion")] {
            if let Some(v) = opt_text(&r, col)?.filter(|v| !v.is_empty()) {
                clauses.push_str(label);
                clauses.push_str(&crate::ddl::quote::quote_literal(&v, cat.std_strings));
            }
        }
        let users = text_array(&r, "mapping_users")?;
        let options = text_array(&r, "mapping_options")?;
        cat.add(Obj {
            kind: Some(Kind::ForeignServer),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: text(&r, "srvname")?.into(),
            dump: include_everything && !ext_members.contains_key(&(PG_FOREIGN_SERVER, o)),
            detail: Detail::Foreign(Box::new(ForeignDetail {
                owner: text(&r, "owner")?,
                clauses,
                wrapper: Some(text(&r, "fdwname")?),
                options: text(&r, "srvoptions")?,
                mappings: users.into_iter().zip(options).collect(),
                acl: Acl {
                    acl: opt_text(&r, "srvacl")?,
                    acldefault: text(&r, "acldefault")?,
                    initprivs: None,
                },
                comment: None,
            })),
            ..Default::default()
        });
    }

    // Transforms.
    let mut rows = pipe.stream("transforms", queries::TRANSFORMS, &[]).await?;
    pipe.send_ahead(queries::LANGUAGES, None).await;
    while let Some(r) = next_row(&mut rows, "transforms").await? {
        let o = oid(&r, "oid")?;
        let function = |side: &str| -> Result<Option<FunctionRef>> {
            Ok(
                match (
                    opt_text(&r, &format!("{side}nsp"))?,
                    opt_text(&r, &format!("{side}name"))?,
                ) {
                    (Some(schema), Some(name)) => Some(FunctionRef {
                        schema,
                        name,
                        args: opt_text(&r, &format!("{side}args"))?.unwrap_or_default(),
                    }),
                    _ => None,
                },
            )
        };
        let language = text(&r, "lanname")?;
        cat.add(Obj {
            kind: Some(Kind::Transform),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: format!("{} {language}", text(&r, "typname")?).into(),
            dump: include_everything && !ext_members.contains_key(&(PG_TRANSFORM, o)),
            detail: Detail::Transform(Box::new(TransformDetail {
                type_name: text(&r, "trftype")?,
                language,
                from_sql: function("from")?,
                to_sql: function("to")?,
                comment: None,
            })),
            ..Default::default()
        });
    }

    // Procedural languages, conversions, text search parsers and templates.
    let mut rows = pipe.stream("languages", queries::LANGUAGES, &[]).await?;
    pipe.send_ahead(queries::CONVERSIONS, None).await;
    while let Some(r) = next_row(&mut rows, "languages").await? {
        let o = oid(&r, "oid")?;
        cat.add(Obj {
            kind: Some(Kind::Language),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: text(&r, "lanname")?.into(),
            // Languages from initdb get only their privileges dumped (see mark_acl_only).
            dump: include_everything
                && o >= FIRST_NORMAL_OID
                && !ext_members.contains_key(&(PG_LANGUAGE, o)),
            detail: Detail::Language(Box::new(LanguageDetail {
                owner: text(&r, "owner")?,
                trusted: boolean(&r, "lanpltrusted")?,
                functions: [
                    oid(&r, "lanplcallfoid")?,
                    oid(&r, "laninline")?,
                    oid(&r, "lanvalidator")?,
                ]
                .map(|f| (f != 0).then(|| cat.find(PG_PROC, f))),
                acl: Acl {
                    acl: opt_text(&r, "lanacl")?,
                    acldefault: text(&r, "acldefault")?,
                    initprivs: None,
                },
                comment: None,
            })),
            ..Default::default()
        });
    }
    let mut rows = pipe
        .stream("conversions", queries::CONVERSIONS, &[])
        .await?;
    pipe.send_ahead(queries::TS_PARSERS_AND_TEMPLATES, None)
        .await;
    while let Some(r) = next_row(&mut rows, "conversions").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "connamespace")?;
        let lit = |s: String| crate::ddl::quote::quote_literal(&s, cat.std_strings);
        let body = format!(
            " FOR {} TO {} FROM {};\n",
            lit(text(&r, "forenc")?),
            lit(text(&r, "toenc")?),
            text(&r, "conproc")?
        );
        cat.add(Obj {
            kind: Some(Kind::Conversion),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(nsp)?),
            name: text(&r, "conname")?.into(),
            dump: ns_contains(nsp)
                && !filters_tables
                && !ext_members.contains_key(&(PG_CONVERSION, o)),
            detail: Detail::Simple(Box::new(SimpleDetail {
                owner: Some(text(&r, "owner")?),
                prefix: if boolean(&r, "condefault")? {
                    "DEFAULT ".into()
                } else {
                    String::new()
                },
                body,
                comment: None,
            })),
            ..Default::default()
        });
    }
    let mut rows = pipe
        .stream(
            "text search parsers and templates",
            queries::TS_PARSERS_AND_TEMPLATES,
            &[],
        )
        .await?;
    pipe.send_ahead(subscriptions_query, None).await;
    while let Some(r) = next_row(&mut rows, "text search parsers and templates").await? {
        let o = oid(&r, "oid")?;
        let tableoid = oid(&r, "tableoid")?;
        let nsp = oid(&r, "nsp")?;
        cat.add(Obj {
            kind: Some(if tableoid == PG_TS_PARSER {
                Kind::TsParser
            } else {
                Kind::TsTemplate
            }),
            cat: CatalogId { tableoid, oid: o },
            namespace: Some(ns_name(nsp)?),
            name: text(&r, "name")?.into(),
            dump: ns_contains(nsp) && !filters_tables && !ext_members.contains_key(&(tableoid, o)),
            detail: Detail::Simple(Box::new(SimpleDetail {
                owner: None,
                prefix: String::new(),
                body: format!(" (\n{} );\n", text(&r, "body")?),
                comment: None,
            })),
            ..Default::default()
        });
    }

    // Subscriptions (dumped with connect = false, as pg_dump does).
    let mut rows = pipe
        .stream("subscriptions", subscriptions_query, &[])
        .await?;
    pipe.send_ahead(queries::TS_DICTS, None).await;
    while let Some(r) = next_row(&mut rows, "subscriptions").await? {
        if !superuser {
            if i32_(&r, "n")? > 0 && !plan.switches.no_subscriptions {
                eprintln!(
                    "pgsnap: warning: subscriptions not dumped because current user is not a superuser"
                );
            }
            continue;
        }
        cat.add(Obj {
            kind: Some(Kind::Subscription),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: None,
            name: text(&r, "subname")?.into(),
            dump: include_everything && !plan.switches.no_subscriptions,
            detail: Detail::Subscription(Box::new(SubscriptionDetail {
                owner: text(&r, "owner")?,
                conninfo: text(&r, "subconninfo")?,
                slot: opt_text(&r, "subslotname")?,
                publications: text_array(&r, "subpublications")?,
                binary: boolean(&r, "subbinary")?,
                streaming: boolean(&r, "substream")?,
                two_phase: text(&r, "subtwophasestate")? != "d",
                disable_on_error: boolean(&r, "subdisableonerr")?,
                synchronous_commit: text(&r, "subsynccommit")?,
                comment: None,
            })),
            ..Default::default()
        });
    }

    // Text search dictionaries and configurations.
    let mut rows = pipe
        .stream("text search dictionaries", queries::TS_DICTS, &[])
        .await?;
    pipe.send_ahead(queries::TS_CONFIG_MAPS, None).await;
    while let Some(r) = next_row(&mut rows, "text search dictionaries").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "dictnamespace")?;
        let mut head = format!(
            "TEMPLATE = {}",
            qualified(&text(&r, "tmplnsp")?, &text(&r, "tmplname")?)
        );
        if let Some(opt) = opt_text(&r, "dictinitoption")? {
            head.push_str(&format!(",\n    {opt}"));
        }
        cat.add(Obj {
            kind: Some(Kind::TsDict),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(nsp)?),
            name: text(&r, "dictname")?.into(),
            dump: ns_contains(nsp)
                && !filters_tables
                && !ext_members.contains_key(&(PG_TS_DICT, o)),
            detail: Detail::TextSearch(Box::new(TextSearchDetail {
                owner: text(&r, "owner")?,
                head,
                mappings: Vec::new(),
                comment: None,
            })),
            ..Default::default()
        });
    }
    let mut maps: BTreeMap<u32, Vec<(String, String)>> = BTreeMap::new();
    let mut rows = pipe
        .stream("text search mappings", queries::TS_CONFIG_MAPS, &[])
        .await?;
    while let Some(r) = next_row(&mut rows, "text search mappings").await? {
        let list = maps.entry(oid(&r, "mapcfg")?).or_default();
        let token = text(&r, "tokenname")?;
        let dict = text(&r, "dictname")?;
        match list.last_mut() {
            Some((t, d)) if *t == token => {
                d.push_str(", ");
                d.push_str(&dict);
            }
            _ => list.push((token, dict)),
        }
    }
    let mut rows = pipe
        .stream("text search configurations", queries::TS_CONFIGS, &[])
        .await?;
    while let Some(r) = next_row(&mut rows, "text search configurations").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "cfgnamespace")?;
        let head = format!(
            "PARSER = {}",
            qualified(&text(&r, "prsnsp")?, &text(&r, "prsname")?)
        );
        cat.add(Obj {
            kind: Some(Kind::TsConfig),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(nsp)?),
            name: text(&r, "cfgname")?.into(),
            dump: ns_contains(nsp)
                && !filters_tables
                && !ext_members.contains_key(&(PG_TS_CONFIG, o)),
            detail: Detail::TextSearch(Box::new(TextSearchDetail {
                owner: text(&r, "owner")?,
                head,
                mappings: maps.remove(&o).unwrap_or_default(),
                comment: None,
            })),
            ..Default::default()
        });
    }

    // Event triggers.
    let mut rows = pipe
        .stream("event triggers", queries::EVENT_TRIGGERS, &[])
        .await?;
    pipe.send_ahead(queries::PUBLICATIONS, None).await;
    while let Some(r) = next_row(&mut rows, "event triggers").await? {
        let o = oid(&r, "oid")?;
        cat.add(Obj {
            kind: Some(Kind::EventTrigger),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: text(&r, "evtname")?.into(),
            dump: include_everything && !ext_members.contains_key(&(PG_EVENT_TRIGGER, o)),
            detail: Detail::EventTrigger(Box::new(EventTriggerDetail {
                owner: text(&r, "owner")?,
                event: text(&r, "evtevent")?,
                tags: opt_text(&r, "evttags")?.unwrap_or_default(),
                function: text(&r, "evtfname")?,
                enabled: ch(&r, "evtenabled")?,
                comment: None,
            })),
            ..Default::default()
        });
    }

    // Publications, their tables and schemas.
    let mut rows = pipe
        .stream("publications", queries::PUBLICATIONS, &[])
        .await?;
    pipe.send_ahead(queries::PUBLICATION_RELS, None).await;
    while let Some(r) = next_row(&mut rows, "publications").await? {
        let mut ops = Vec::new();
        for (col, word) in [
            ("pubinsert", "insert"),
            ("pubupdate", "update"),
            ("pubdelete", "delete"),
            ("pubtruncate", "truncate"),
        ] {
            if boolean(&r, col)? {
                ops.push(word);
            }
        }
        cat.add(Obj {
            kind: Some(Kind::Publication),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: None,
            name: text(&r, "pubname")?.into(),
            dump: include_everything && !plan.switches.no_publications,
            detail: Detail::Publication(Box::new(PublicationDetail {
                owner: text(&r, "owner")?,
                all_tables: boolean(&r, "puballtables")?,
                publish: ops.join(", "),
                via_root: boolean(&r, "pubviaroot")?,
                comment: None,
            })),
            ..Default::default()
        });
    }
    let mut rows = pipe
        .stream("publication tables", queries::PUBLICATION_RELS, &[])
        .await?;
    while let Some(r) = next_row(&mut rows, "publication tables").await? {
        let (Some(p), Some(t)) = (
            cat.find(PG_PUBLICATION, oid(&r, "prpubid")?),
            cat.find(PG_CLASS, oid(&r, "prrelid")?),
        ) else {
            continue;
        };
        let (ns, name, dump) = (
            cat.objects[t].namespace.clone(),
            cat.objects[t].name.clone(),
            cat.objects[t].dump && cat.objects[p].dump,
        );
        let id = cat.add(Obj {
            kind: Some(Kind::PublicationRel),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: ns,
            name,
            dump,
            detail: Detail::PublicationMember(Box::new(PublicationMemberDetail {
                publication: p,
                member: t,
                columns: opt_text(&r, "prattrs")?,
                filter: opt_text(&r, "prrelqual")?,
            })),
            ..Default::default()
        });
        cat.objects[id].add_dep(p);
        cat.objects[id].add_dep(t);
    }
    let mut rows = pipe
        .stream("publication schemas", queries::PUBLICATION_SCHEMAS, &[])
        .await?;
    while let Some(r) = next_row(&mut rows, "publication schemas").await? {
        let (Some(p), Some(n)) = (
            cat.find(PG_PUBLICATION, oid(&r, "pnpubid")?),
            cat.find(PG_NAMESPACE, oid(&r, "pnnspid")?),
        ) else {
            continue;
        };
        let (name, dump) = (
            cat.objects[n].name.clone(),
            cat.objects[n].dump && cat.objects[p].dump,
        );
        let id = cat.add(Obj {
            kind: Some(Kind::PublicationSchema),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: None,
            name,
            dump,
            detail: Detail::PublicationMember(Box::new(PublicationMemberDetail {
                publication: p,
                member: n,
                columns: None,
                filter: None,
            })),
            ..Default::default()
        });
        cat.objects[id].add_dep(p);
        cat.objects[id].add_dep(n);
    }

    // Extended statistics.
    let mut rows = pipe
        .stream("extended statistics", queries::STATS_EXT, &[])
        .await?;
    pipe.send_ahead(queries::DEFAULT_ACLS, None).await;
    while let Some(r) = next_row(&mut rows, "extended statistics").await? {
        // pg_dump 15 decides by the statistics object's schema, not by its table.
        let nsp = oid(&r, "stxnamespace")?;
        let dump = ns_contains(nsp) && !filters_tables;
        cat.add(Obj {
            kind: Some(Kind::StatsExt),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: Some(ns_name(oid(&r, "stxnamespace")?)?),
            name: text(&r, "stxname")?.into(),
            dump,
            detail: Detail::StatsExt(Box::new(StatsExtDetail {
                owner: text(&r, "owner")?,
                def: text(&r, "def")?,
                stattarget: i32_(&r, "stxstattarget")?,
                comment: None,
            })),
            ..Default::default()
        });
    }

    // Default privileges: in a dumped schema, or global ones in a whole-database dump.
    let mut rows = pipe
        .stream("default privileges", queries::DEFAULT_ACLS, &[])
        .await?;
    // The query read after security labels, and the one after large objects.
    let after_labels = if plan.no_comments {
        queries::DEPENDS
    } else {
        queries::COMMENTS
    };
    let after_blobs = if plan.switches.no_security_labels {
        after_labels
    } else {
        queries::SECLABELS
    };
    // Large objects: part of a whole-database dump with data, or asked for with -b
    // (pg_dump's outputBlobs); one BLOBS entry then carries all their contents.
    // -s never includes them: they are data, even with -b.
    let output_blobs = plan.data
        && (plan.switches.large_objects || (include_everything && !plan.switches.no_large_objects));
    let after_acls = if output_blobs {
        queries::LARGE_OBJECTS
    } else {
        after_blobs
    };
    pipe.send_ahead(after_acls, None).await;
    while let Some(r) = next_row(&mut rows, "default privileges").await? {
        let nsp = oid(&r, "defaclnamespace")?;
        let (namespace, dump) = if nsp == 0 {
            (None, include_everything)
        } else {
            (Some(ns_name(nsp)?), ns_contains(nsp) && !filters_tables)
        };
        let role = text(&r, "defaclrole")?;
        cat.add(Obj {
            kind: Some(Kind::DefaultAcl),
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace,
            name: role.clone().into(),
            dump,
            detail: Detail::DefaultAcl(Box::new(DefaultAclDetail {
                role,
                objtype: ch(&r, "defaclobjtype")?,
                acl: Acl {
                    acl: opt_text(&r, "defaclacl")?,
                    acldefault: text(&r, "acldefault")?,
                    initprivs: None,
                },
            })),
            ..Default::default()
        });
    }

    if output_blobs {
        let mut rows = pipe
            .stream("large objects", queries::LARGE_OBJECTS, &[])
            .await?;
        pipe.send_ahead(after_blobs, None).await;
        let mut any = false;
        while let Some(r) = next_row(&mut rows, "large objects").await? {
            let r = &r;
            any = true;
            cat.add(Obj {
                kind: Some(Kind::Blob),
                // Comments and labels name large objects by pg_largeobject, as pg_dump does.
                cat: CatalogId {
                    tableoid: PG_LARGEOBJECT,
                    oid: oid(r, "oid")?,
                },
                namespace: None,
                name: oid(r, "oid")?.to_string().into(),
                dump: true,
                detail: Detail::Blob(Box::new(BlobDetail {
                    owner: text(r, "owner")?,
                    acl: Acl {
                        acl: opt_text(r, "lomacl")?,
                        acldefault: text(r, "acldefault")?,
                        initprivs: None,
                    },
                    comment: None,
                })),
                ..Default::default()
            });
        }
        if any && plan.data {
            cat.add(Obj {
                kind: Some(Kind::BlobData),
                name: "BLOBS".into(),
                dump: true,
                ..Default::default()
            });
        }
    }

    // Security labels.
    if !plan.switches.no_security_labels {
        let mut rows = pipe
            .stream("security labels", queries::SECLABELS, &[])
            .await?;
        pipe.send_ahead(after_labels, None).await;
        while let Some(r) = next_row(&mut rows, "security labels").await? {
            cat.seclabels
                .entry((oid(&r, "classoid")?, oid(&r, "objoid")?))
                .or_default()
                .push(SecLabel {
                    subid: i32_(&r, "objsubid")?,
                    provider: text(&r, "provider")?,
                    label: text(&r, "label")?,
                });
        }
    }

    // Comments.
    if !plan.no_comments {
        let mut rows = pipe.stream("comments", queries::COMMENTS, &[]).await?;
        pipe.send_ahead(queries::DEPENDS, None).await;
        while let Some(r) = next_row(&mut rows, "comments").await? {
            let classoid = oid(&r, "classoid")?;
            let objoid = oid(&r, "objoid")?;
            let subid = i32_(&r, "objsubid")?;
            let desc = text(&r, "description")?;
            // A composite type's column comments sit on its relation; they print with the type.
            if let (PG_CLASS, true, Some(&ty)) =
                (classoid, subid > 0, composite_rel_to_type.get(&objoid))
            {
                let column = cat
                    .find(PG_CLASS, objoid)
                    .and_then(|rel| cat.table(rel))
                    .and_then(|t| t.columns.iter().find(|c| i32::from(c.num) == subid))
                    .map(|c| c.name.to_string());
                if let (Some(column), Detail::Type(t)) = (column, &mut cat.objects[ty].detail) {
                    t.column_comments.push((column, desc));
                }
                continue;
            }
            attach_comment(&mut cat, classoid, objoid, subid, desc);
        }
    }

    // Dependencies from pg_depend; a composite type's relation stands for the type.
    // Then those of operator family members, which count as their family's.
    for (sql, next) in [
        (queries::DEPENDS, Some(queries::FAMILY_MEMBER_DEPENDS)),
        (queries::FAMILY_MEMBER_DEPENDS, None),
    ] {
        let mut rows = pipe.stream("dependencies", sql, &[]).await?;
        if let Some(next) = next {
            pipe.send_ahead(next, None).await;
        }
        while let Some(r) = next_row(&mut rows, "dependencies").await? {
            let classid = oid(&r, "classid")?;
            let objid = oid(&r, "objid")?;
            let refclassid = oid(&r, "refclassid")?;
            let refobjid = oid(&r, "refobjid")?;
            let map = |c: u32, o: u32| -> Option<DumpId> {
                if c == PG_CLASS {
                    if let Some(t) = composite_rel_to_type.get(&o) {
                        return Some(*t);
                    }
                }
                cat.find(c, o)
            };
            let (Some(obj), Some(refobj)) = (map(classid, objid), map(refclassid, refobjid)) else {
                continue;
            };
            if obj != refobj {
                cat.objects[obj].add_dep(refobj);
            }
        }
    }

    // Data objects.
    if plan.data {
        let config_tables = config_tables(&cat, &ext_configs, sel);
        for (&tid, filter) in &config_tables {
            if let (Some(filter), Detail::Table(t)) = (filter, &mut cat.objects[tid].detail) {
                t.extra.get_or_insert_with(Box::default).data_filter = Some(filter.clone());
            }
        }
        for &tid in &table_ids {
            let o = &cat.objects[tid];
            if !o.dump && !config_tables.contains_key(&tid) {
                continue;
            }
            let Some(t) = cat.table(tid) else { continue };
            let kind = match t.relkind {
                'r' => Kind::TableData,
                // A foreign table's rows only when its server was named (--include-foreign-data).
                'f' if t
                    .foreign()
                    .is_some_and(|(server, _)| sel.foreign_data_servers.contains(server)) =>
                {
                    Kind::TableData
                }
                'S' => Kind::SequenceSet,
                'm' => Kind::RefreshMatview,
                _ => continue,
            };
            // --exclude-table-data applies to every relation with data, sequences included.
            if sel.exclude_data.contains(&o.cat.oid) {
                continue;
            }
            if plan.switches.no_unlogged_table_data && t.persistence == 'u' {
                continue;
            }
            if kind == Kind::RefreshMatview && !t.populated {
                continue;
            }
            let (ns, name) = (o.namespace.clone(), o.name.clone());
            let id = cat.add(Obj {
                kind: Some(kind),
                namespace: ns,
                name,
                dump: true,
                detail: Detail::TableData { table: tid },
                ..Default::default()
            });
            cat.objects[id].add_dep(tid);
            if let Detail::Table(t) = &mut cat.objects[tid].detail {
                t.data = Some(id);
            }
        }
        add_matview_refresh_deps(&mut cat);
        if !plan.schema {
            add_table_data_fk_deps(&mut cat);
        }
        // Configuration tables' data is loaded in foreign-key order: their constraints exist
        // already when it is (CREATE EXTENSION made them).
        if !config_tables.is_empty() {
            let mut rows = pipe
                .stream("extension table keys", queries::EXTENSION_TABLE_FKS, &[])
                .await?;
            while let Some(r) = next_row(&mut rows, "extension table keys").await? {
                let data_of = |rel: u32| {
                    cat.find(PG_CLASS, rel)
                        .and_then(|t| cat.table(t))
                        .and_then(|t| t.data)
                };
                if let (Some(from), Some(to)) = (
                    data_of(oid(&r, "conrelid")?),
                    data_of(oid(&r, "confrelid")?),
                ) {
                    cat.objects[from].add_dep(to);
                }
            }
        }
    }

    mark_acl_only(&mut cat, &ext_members, catalog_acls, include_everything);

    // Without -s/-a everything is dumped; -a keeps definitions in the graph but prints none.
    if !plan.schema {
        for o in &mut cat.objects {
            // pg_dump counts large objects' own entries as data.
            if !matches!(
                o.kind(),
                Kind::TableData | Kind::SequenceSet | Kind::BlobData | Kind::Blob
            ) {
                o.dump = false;
            }
        }
    }

    add_boundaries(&mut cat);
    Ok(cat)
}

/// The body lines of `CREATE TYPE name (...)` for a base type, in dumpBaseType's order.
fn base_type_options(r: &tokio_postgres::Row, std_strings: bool) -> Result<Vec<String>> {
    let lit = |s: &str| crate::ddl::quote::quote_literal(s, std_strings);
    let typlen = i32_(r, "typlen")?;
    let mut o = vec![if typlen == -1 {
        "INTERNALLENGTH = variable".to_string()
    } else {
        format!("INTERNALLENGTH = {typlen}")
    }];
    o.push(format!("INPUT = {}", text(r, "typinput")?));
    o.push(format!("OUTPUT = {}", text(r, "typoutput")?));
    for (col, word) in [
        ("typreceive", "RECEIVE"),
        ("typsend", "SEND"),
        ("typmodin", "TYPMOD_IN"),
        ("typmodout", "TYPMOD_OUT"),
        ("typanalyze", "ANALYZE"),
    ] {
        if let Some(f) = opt_text(r, col)? {
            o.push(format!("{word} = {f}"));
        }
    }
    if boolean(r, "typcollatable")? {
        o.push("COLLATABLE = true".into());
    }
    if let Some(expr) = opt_text(r, "typdefaultbin")? {
        o.push(format!("DEFAULT = {expr}"));
    } else if let Some(value) = opt_text(r, "typdefault")? {
        o.push(format!("DEFAULT = {}", lit(&value)));
    }
    if let Some(f) = opt_text(r, "typsubscript")? {
        o.push(format!("SUBSCRIPT = {f}"));
    }
    if let Some(elem) = opt_text(r, "typelem")? {
        o.push(format!("ELEMENT = {elem}"));
    }
    let category = text(r, "typcategory")?;
    if category != "U" {
        o.push(format!("CATEGORY = {}", lit(&category)));
    }
    if boolean(r, "typispreferred")? {
        o.push("PREFERRED = true".into());
    }
    let delim = text(r, "typdelim")?;
    if delim != "," {
        o.push(format!("DELIMITER = {}", lit(&delim)));
    }
    match ch(r, "typalign")? {
        'c' => o.push("ALIGNMENT = char".into()),
        's' => o.push("ALIGNMENT = int2".into()),
        'i' => o.push("ALIGNMENT = int4".into()),
        'd' => o.push("ALIGNMENT = double".into()),
        _ => {}
    }
    match ch(r, "typstorage")? {
        'p' => o.push("STORAGE = plain".into()),
        'e' => o.push("STORAGE = external".into()),
        'x' => o.push("STORAGE = extended".into()),
        'm' => o.push("STORAGE = main".into()),
        _ => {}
    }
    if boolean(r, "typbyval")? {
        o.push("PASSEDBYVALUE".into());
    }
    Ok(o)
}

/// A role name as it appears inside an aclitem (double-quoted when needed).
pub fn acl_role(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.is_empty() {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

fn attach_comment(cat: &mut Catalog, classoid: u32, objoid: u32, subid: i32, desc: String) {
    let Some(id) = cat.find(classoid, objoid) else {
        return;
    };
    match &mut cat.objects[id].detail {
        Detail::Namespace(d) => d.comment = Some(desc),
        Detail::Extension(d) => d.comment = Some(desc),
        Detail::Collation(d) => d.comment = Some(desc),
        Detail::Operator(d) => d.comment = Some(desc),
        Detail::AccessMethod(d) => d.comment = Some(desc),
        Detail::Foreign(d) => d.comment = Some(desc),
        Detail::Blob(d) => d.comment = Some(desc),
        Detail::Transform(d) => d.comment = Some(desc),
        Detail::Language(d) => d.comment = Some(desc),
        Detail::Subscription(d) => d.comment = Some(desc),
        Detail::Simple(d) => d.comment = Some(desc),
        Detail::OpClass(d) => d.comment = Some(desc),
        Detail::Trigger(d) => d.comment = Some(desc),
        Detail::Type(t) => t.comment = Some(desc),
        Detail::Func(f) => f.comment = Some(desc),
        Detail::Constraint(c) => c.comment = Some(desc),
        Detail::Index(ix) => ix.comment = Some(desc),
        Detail::Policy(p) => p.comment = Some(desc),
        Detail::Rule(d) => d.comment = Some(desc),
        Detail::StatsExt(d) => d.comment = Some(desc),
        Detail::Publication(d) => d.comment = Some(desc),
        Detail::EventTrigger(d) => d.comment = Some(desc),
        Detail::TextSearch(d) => d.comment = Some(desc),
        Detail::Cast(d) => d.comment = Some(desc),
        Detail::Table(t) => {
            if subid == 0 {
                t.comment = Some(desc);
            } else if let Some(c) = t.columns.iter_mut().find(|c| i32::from(c.num) == subid) {
                c.extra_mut().comment = Some(desc);
            }
        }
        _ => {}
    }
    let _ = (PG_TRIGGER, PG_EXTENSION);
}

/// A matview's refresh waits for the refreshes of the matviews it reads (pg_dump's
/// `buildMatViewRefreshDependencies`), following the table's dependencies through views.
fn add_matview_refresh_deps(cat: &mut Catalog) {
    let refreshes: Vec<(DumpId, DumpId)> = cat
        .objects
        .iter()
        .enumerate()
        .filter(|(_, o)| o.kind() == Kind::RefreshMatview)
        .filter_map(|(id, o)| match o.detail {
            Detail::TableData { table } => Some((id, table)),
            _ => None,
        })
        .collect();
    for (refresh, table) in refreshes {
        // Walk the matview's rule dependencies looking for other matviews.
        let mut stack = vec![table];
        let mut seen = BTreeSet::new();
        while let Some(cur) = stack.pop() {
            if !seen.insert(cur) {
                continue;
            }
            for &d in &cat.objects[cur].deps.clone() {
                let o = &cat.objects[d];
                match o.kind() {
                    Kind::Rule => stack.push(d),
                    Kind::Table => {
                        if let Some(t) = cat.table(d) {
                            if t.relkind == 'm' && d != table {
                                if let Some(data) = t.data {
                                    cat.objects[refresh].add_dep(data);
                                }
                            } else if t.relkind == 'v' {
                                stack.push(d);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// In a data-only dump, a table's data waits for the data of the tables it references
/// (pg_dump's `getTableDataFKConstraints`); loops are reported while sorting.
fn add_table_data_fk_deps(cat: &mut Catalog) {
    let fks: Vec<(DumpId, u32)> = cat
        .objects
        .iter()
        .filter(|o| o.kind() == Kind::FkConstraint)
        .filter_map(|o| match &o.detail {
            Detail::Constraint(c) => c.table.map(|t| (t, c.confrelid)),
            _ => None,
        })
        .collect();
    for (table, confrelid) in fks {
        let Some(data) = cat.table(table).and_then(|t| t.data) else {
            continue;
        };
        let Some(fdata) = cat
            .find(PG_CLASS, confrelid)
            .and_then(|f| cat.table(f))
            .and_then(|t| t.data)
        else {
            continue;
        };
        cat.objects[data].add_dep(fdata);
    }
}

/// Replaces the dumped tables' `relpages` with their true heap size (see
/// `queries::TABLE_SIZES`); run once their locks are held, so that it never waits.
async fn measure_tables(client: &Client, cat: &mut Catalog, table_ids: &[DumpId]) -> Result<()> {
    let oids: Vec<u32> = table_ids
        .iter()
        .filter(|id| cat.objects[**id].dump)
        .filter(|id| cat.table(**id).map(|t| t.relkind) == Some('r'))
        .map(|id| cat.objects[*id].cat.oid)
        .collect();
    if oids.is_empty() {
        return Ok(());
    }
    let rows = client
        .query(queries::TABLE_SIZES, &[&oids])
        .await
        .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("measuring tables"))?;
    for r in rows {
        let Some(id) = cat.find(PG_CLASS, oid(&r, "oid")?) else {
            continue;
        };
        let pages = i64_(&r, "pages")?;
        if let Detail::Table(t) = &mut cat.objects[id].detail {
            t.relpages = pages;
        }
    }
    Ok(())
}

async fn lock_tables(client: &Client, cat: &Catalog, table_ids: &[DumpId]) -> Result<()> {
    let names: Vec<String> = table_ids
        .iter()
        .filter(|id| cat.objects[**id].dump)
        .filter(|id| matches!(cat.table(**id).map(|t| t.relkind), Some('r' | 'p')))
        .map(|id| {
            let o = &cat.objects[*id];
            qualified(o.namespace.as_deref().unwrap_or(""), &o.name)
        })
        .collect();
    for chunk in names.chunks(1000) {
        let sql = format!("LOCK TABLE {} IN ACCESS SHARE MODE", chunk.join(", "));
        client
            .batch_execute(&sql)
            .await
            .map_err(|e| Error::from_pg(e, ErrorKind::Server).context("locking tables"))?;
    }
    Ok(())
}

/// Reads the state of every dumped sequence. Run it on a connection in autocommit mode: reading
/// a sequence locks it, and sequence values are not transactional anyway (pg_dump too reads
/// whatever the value is when it asks), so each statement releases its locks and a database
/// with thousands of sequences does not exhaust the lock table.
///
/// One `pg_sequence_last_value` pass answers every sequence that has been called (27 us each);
/// only the others (NULL there: `last_value` is then whatever `setval(.., false)` or START
/// left) are read from the sequence itself, 100 per `UNION ALL` (planning grows faster than
/// linearly with more).
pub async fn load_sequence_values(client: &Client, cat: &mut Catalog) -> Result<()> {
    let seqs: Vec<DumpId> = cat
        .objects
        .iter()
        .filter(|o| o.kind() == Kind::SequenceSet)
        .filter_map(|o| match o.detail {
            Detail::TableData { table } => Some(table),
            _ => None,
        })
        .collect();
    let set = |cat: &mut Catalog, seq: u32, last: i64, called: bool| {
        if let Some(id) = cat.find(PG_CLASS, seq) {
            if let Detail::Table(t) = &mut cat.objects[id].detail {
                if let Some(p) = &mut t.seq {
                    p.last_value = last;
                    p.is_called = called;
                }
            }
        }
    };
    let oids: Vec<u32> = seqs.iter().map(|id| cat.objects[*id].cat.oid).collect();
    let mut uncalled: Vec<DumpId> = Vec::new();
    // 500 per statement: each statement's locks are released when it ends.
    for chunk in oids.chunks(500) {
        let mut rows = query_stream(
            client,
            "sequence values",
            "SELECT s.seq, pg_catalog.pg_sequence_last_value(s.seq) AS last_value \
             FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS s(seq)",
            &[&chunk],
        )
        .await?;
        while let Some(r) = next_row(&mut rows, "sequence values").await? {
            let seq = oid(&r, "seq")?;
            match opt_i64(&r, "last_value")? {
                Some(last) => set(cat, seq, last, true),
                None => uncalled.extend(cat.find(PG_CLASS, seq)),
            }
        }
    }
    for chunk in uncalled.chunks(100) {
        let parts: Vec<String> = chunk
            .iter()
            .map(|id| {
                let o = &cat.objects[*id];
                format!(
                    "SELECT {}::pg_catalog.oid AS seq, last_value, is_called FROM {}",
                    o.cat.oid,
                    qualified(o.namespace.as_deref().unwrap_or(""), &o.name)
                )
            })
            .collect();
        let sql = parts.join(" UNION ALL ");
        let mut rows = query_stream(client, "sequence values", &sql, &[]).await?;
        while let Some(r) = next_row(&mut rows, "sequence values").await? {
            let last = i64_(&r, "last_value")?;
            let called = boolean(&r, "is_called")?;
            set(cat, oid(&r, "seq")?, last, called);
        }
    }
    Ok(())
}

/// pg_dump's `addBoundaryDependencies`: pre-data objects before the pre-data boundary, data
/// between the boundaries, post-data objects after the post-data boundary.
fn add_boundaries(cat: &mut Catalog) {
    let pre = cat.add(Obj {
        kind: Some(Kind::PreDataBoundary),
        name: "PRE-DATA BOUNDARY".into(),
        ..Default::default()
    });
    let post = cat.add(Obj {
        kind: Some(Kind::PostDataBoundary),
        name: "POST-DATA BOUNDARY".into(),
        ..Default::default()
    });
    cat.pre_boundary = pre;
    cat.post_boundary = post;
    for id in 0..cat.objects.len() {
        let kind = cat.objects[id].kind();
        match kind {
            Kind::TableData | Kind::SequenceSet | Kind::BlobData => {
                cat.objects[id].add_dep(pre);
                cat.objects[post].deps.push(id);
            }
            Kind::Index
            | Kind::IndexAttach
            | Kind::RefreshMatview
            | Kind::Trigger
            | Kind::Policy
            | Kind::StatsExt
            | Kind::Publication
            | Kind::PublicationRel
            | Kind::PublicationSchema
            | Kind::Subscription
            | Kind::EventTrigger
            | Kind::DefaultAcl => {
                cat.objects[id].add_dep(post);
            }
            Kind::Rule => {
                if matches!(&cat.objects[id].detail, Detail::Rule(r) if r.separate) {
                    cat.objects[id].add_dep(post);
                }
            }
            Kind::Constraint | Kind::FkConstraint => {
                if matches!(&cat.objects[id].detail, Detail::Constraint(c) if c.separate) {
                    cat.objects[id].add_dep(post);
                }
            }
            Kind::PreDataBoundary => {}
            Kind::PostDataBoundary => cat.objects[id].add_dep(pre),
            // Each id comes up once: push directly (add_dep's duplicate check is linear).
            _ => cat.objects[pre].deps.push(id),
        }
    }
}
