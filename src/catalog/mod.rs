//! Reads the catalog in the leader's snapshot, one query per object kind, and builds the
//! dump model with pg_dump's dependency edges and dump decisions.

mod loader;
mod read;

use loader::Loader;
mod deps;
mod locks;
mod pipeline;
mod select;

use deps::*;
pub use locks::load_sequence_values;
use locks::*;
use pipeline::*;
use select::*;
pub use select::{resolve_selection, Selection};

pub mod filter;
pub mod queries;
pub mod rows;

use crate::ddl::quote::Quoting;
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
const PG_COLLATION: u32 = 3456;
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

/// A catalog reader: reads one family (or part of one) into the model.
type Reader =
    for<'l, 'a> fn(
        &'l mut Loader<'a>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + 'l>>;

/// The readers in the order pg_dump's getSchemaData reads the catalog: later ones rely on what
/// earlier ones found (schemas before everything, tables before their columns, types before
/// the columns that name them, indexes before the constraints they implement).
const READERS: &[Reader] = &[
    |ld| Box::pin(read::extension::members(ld)),
    |ld| Box::pin(read::namespace::namespaces(ld)),
    |ld| Box::pin(read::extension::extensions(ld)),
    |ld| Box::pin(read::table::tables(ld)),
    |ld| Box::pin(read::sequence::sequences(ld)),
    |ld| Box::pin(read::function::functions(ld)),
    |ld| Box::pin(read::types::collations(ld)),
    |ld| Box::pin(read::types::types(ld)),
    |ld| Box::pin(read::table::columns(ld)),
    |ld| Box::pin(read::constraint::checks(ld)),
    |ld| Box::pin(read::acl::catalog_acls(ld)),
    |ld| Box::pin(read::table::inheritance(ld)),
    |ld| Box::pin(read::index::indexes(ld)),
    |ld| Box::pin(read::constraint::foreign_keys(ld)),
    |ld| Box::pin(read::trigger_rule::triggers_and_rules(ld)),
    |ld| Box::pin(read::policy::policies(ld)),
    |ld| Box::pin(read::function::casts(ld)),
    |ld| Box::pin(read::operator::operators(ld)),
    |ld| Box::pin(read::operator::access_methods(ld)),
    |ld| Box::pin(read::operator::families_and_classes(ld)),
    |ld| Box::pin(read::operator::class_members(ld)),
    |ld| Box::pin(read::foreign::foreign_data(ld)),
    |ld| Box::pin(read::function::transforms(ld)),
    |ld| Box::pin(read::language::languages(ld)),
    |ld| Box::pin(read::publication::subscriptions(ld)),
    |ld| Box::pin(read::text_search::text_search(ld)),
    |ld| Box::pin(read::trigger_rule::event_triggers(ld)),
    |ld| Box::pin(read::publication::publications(ld)),
    |ld| Box::pin(read::index::statistics(ld)),
    |ld| Box::pin(read::acl::default_acls_and_large_objects(ld)),
    |ld| Box::pin(read::comment::labels_and_comments(ld)),
    |ld| Box::pin(read::deps::dependencies(ld)),
    |ld| Box::pin(read::table::data_objects(ld)),
    |ld| Box::pin(read::statistics::relation_statistics(ld)),
];

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
    for read in READERS {
        read(&mut ld).await?;
    }
    ld.finish()
}

/// A base type's definition from its row of the base types query.
fn base_type_def(r: &tokio_postgres::Row) -> Result<BaseTypeDef> {
    Ok(BaseTypeDef {
        typlen: i32_(r, "typlen")?,
        input: text(r, "typinput")?,
        output: text(r, "typoutput")?,
        receive: opt_text(r, "typreceive")?,
        send: opt_text(r, "typsend")?,
        typmod_in: opt_text(r, "typmodin")?,
        typmod_out: opt_text(r, "typmodout")?,
        analyze: opt_text(r, "typanalyze")?,
        collatable: boolean(r, "typcollatable")?,
        default_expr: opt_text(r, "typdefaultbin")?,
        default_value: opt_text(r, "typdefault")?,
        subscript: opt_text(r, "typsubscript")?,
        element: opt_text(r, "typelem")?,
        category: text(r, "typcategory")?,
        preferred: boolean(r, "typispreferred")?,
        delimiter: text(r, "typdelim")?,
        align: ch(r, "typalign")?,
        storage: ch(r, "typstorage")?,
        by_value: boolean(r, "typbyval")?,
    })
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
        Detail::Blob(d) => d.comments.push((objoid, desc)),
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
}
