//! Reads the catalog in the leader's snapshot by walking the readers' steps (`READERS`, each
//! family's in `read/<family>.rs`), and builds the dump model with pg_dump's dependency edges
//! and dump decisions.

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
type ReadFn =
    for<'l, 'a> fn(
        &'l mut Loader<'a>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + 'l>>;

/// One step of the catalog walk: the queries a reader reads, in its order (chosen by the dump's
/// options and the server's major before anything is read), and the reader.
struct Reader {
    queries: fn(&Loader<'_>) -> Vec<Planned>,
    read: ReadFn,
}

/// The readers in the order pg_dump's getSchemaData reads the catalog: later ones rely on what
/// earlier ones found (schemas before everything, tables before their columns, types before
/// the columns that name them, indexes before the constraints they implement). Their queries,
/// concatenated, are the pipeline's plan: each is sent while the one before it is read.
const READERS: &[Reader] = &[
    read::extension::READ_MEMBERS,
    read::namespace::READ_NAMESPACES,
    read::extension::READ_EXTENSIONS,
    read::table::READ_TABLES,
    read::sequence::READ_SEQUENCES,
    read::function::READ_FUNCTIONS,
    read::types::READ_COLLATIONS,
    read::types::READ_TYPES,
    read::table::READ_COLUMNS,
    read::constraint::READ_CHECKS,
    read::acl::READ_CATALOG_ACLS,
    read::table::READ_INHERITANCE,
    read::index::READ_INDEXES,
    read::constraint::READ_FOREIGN_KEYS,
    read::trigger_rule::READ_TRIGGERS_AND_RULES,
    read::policy::READ_POLICIES,
    read::function::READ_CASTS,
    read::operator::READ_OPERATORS,
    read::operator::READ_ACCESS_METHODS,
    read::operator::READ_FAMILIES_AND_CLASSES,
    read::operator::READ_CLASS_MEMBERS,
    read::foreign::READ_FOREIGN_DATA,
    read::function::READ_TRANSFORMS,
    read::language::READ_LANGUAGES,
    read::publication::READ_SUBSCRIPTIONS,
    read::text_search::READ_TEXT_SEARCH,
    read::trigger_rule::READ_EVENT_TRIGGERS,
    read::publication::READ_PUBLICATIONS,
    read::index::READ_STATISTICS,
    read::acl::READ_DEFAULT_ACLS_AND_LARGE_OBJECTS,
    read::comment::READ_LABELS_AND_COMMENTS,
    read::deps::READ_DEPENDENCIES,
    read::table::READ_DATA_OBJECTS,
    read::statistics::READ_RELATION_STATISTICS,
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
    let queries: Vec<Planned> = READERS.iter().flat_map(|r| (r.queries)(&ld)).collect();
    ld.pipe.set_plan(queries);
    for reader in READERS {
        (reader.read)(&mut ld).await?;
    }
    ld.pipe.finish()?;
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
        // A group of large objects keeps each one's comment.
        Detail::Blob(d) => d.comments.push((objoid, desc)),
        detail => {
            if let Some(slot) = detail.comment_mut(subid) {
                *slot = Some(desc);
            }
        }
    }
}
