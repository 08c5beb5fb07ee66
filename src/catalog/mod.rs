//! Reads the catalog in the leader's snapshot, one query per object kind, and builds the
//! dump model with pg_dump's dependency edges and dump decisions.

mod loader;
mod read;

use loader::Loader;

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
    let mut ld = Loader::new(client, plan, sel, helper).await?;
    read::extension::members(&mut ld).await?;
    read::namespace::namespaces(&mut ld).await?;
    read::extension::extensions(&mut ld).await?;
    read::table::tables(&mut ld).await?;
    read::sequence::sequences(&mut ld).await?;
    read::function::functions(&mut ld).await?;
    read::types::collations(&mut ld).await?;
    read::types::types(&mut ld).await?;
    read::table::columns(&mut ld).await?;
    read::constraint::checks(&mut ld).await?;
    read::acl::catalog_acls(&mut ld).await?;
    read::table::inheritance(&mut ld).await?;
    read::index::indexes(&mut ld).await?;
    read::constraint::foreign_keys(&mut ld).await?;
    read::trigger_rule::triggers_and_rules(&mut ld).await?;
    read::policy::policies(&mut ld).await?;
    read::function::casts(&mut ld).await?;
    read::operator::operators(&mut ld).await?;
    read::foreign::foreign_data(&mut ld).await?;
    read::function::transforms(&mut ld).await?;
    read::language::languages(&mut ld).await?;
    read::publication::subscriptions(&mut ld).await?;
    read::text_search::text_search(&mut ld).await?;
    read::trigger_rule::event_triggers(&mut ld).await?;
    read::publication::publications(&mut ld).await?;
    read::index::statistics(&mut ld).await?;
    read::acl::default_acls_and_large_objects(&mut ld).await?;
    read::comment::labels_and_comments(&mut ld).await?;
    read::deps::dependencies(&mut ld).await?;
    read::table::data_objects(&mut ld).await?;
    Ok(ld.finish())
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
