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
    Reader {
        queries: |_| vec![ahead(queries::EXTENSION_MEMBERS)],
        read: |ld| Box::pin(read::extension::members(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::NAMESPACES)],
        read: |ld| Box::pin(read::namespace::namespaces(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::EXTENSIONS)],
        read: |ld| Box::pin(read::extension::extensions(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::TABLES)],
        read: |ld| Box::pin(read::table::tables(ld)),
    },
    Reader {
        // After the table locks.
        queries: |_| vec![when_read(queries::SEQUENCES)],
        read: |ld| Box::pin(read::sequence::sequences(ld)),
    },
    Reader {
        queries: |ld| {
            vec![
                ahead(queries::AGGREGATES),
                ahead(queries::funcs(ld.cat.server_num)),
            ]
        },
        read: |ld| Box::pin(read::function::functions(ld)),
    },
    Reader {
        queries: |ld| vec![ahead(queries::collations(ld.cat.server_num))],
        read: |ld| Box::pin(read::types::collations(ld)),
    },
    Reader {
        queries: |ld| {
            let v = ld.cat.server_num;
            vec![
                ahead(queries::ENUM_LABELS),
                ahead(queries::ranges(v)),
                ahead(queries::base_types(v)),
                ahead(queries::COMPOSITE_ATTRS),
                ahead(queries::TYPES),
            ]
        },
        read: |ld| Box::pin(read::types::types(ld)),
    },
    Reader {
        // Given the relations read.
        queries: |ld| {
            vec![
                when_read(queries::columns(ld.cat.server_num)),
                ahead_with_same_oids(queries::ATTRDEFS),
            ]
        },
        read: |ld| Box::pin(read::table::columns(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::CHECKS)],
        read: |ld| Box::pin(read::constraint::checks(ld)),
    },
    Reader {
        queries: |ld| match ld.catalog_acls {
            true => vec![ahead(queries::CATALOG_ACLS)],
            false => vec![],
        },
        read: |ld| Box::pin(read::acl::catalog_acls(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::INHERITS)],
        read: |ld| Box::pin(read::table::inheritance(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::INDEXES)],
        read: |ld| Box::pin(read::index::indexes(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::FOREIGN_KEYS)],
        read: |ld| Box::pin(read::constraint::foreign_keys(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::TRIGGERS), ahead(queries::RULES)],
        read: |ld| Box::pin(read::trigger_rule::triggers_and_rules(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::POLICIES)],
        read: |ld| Box::pin(read::policy::policies(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::CASTS)],
        read: |ld| Box::pin(read::function::casts(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::OPERATORS)],
        read: |ld| Box::pin(read::operator::operators(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::ACCESS_METHODS)],
        read: |ld| Box::pin(read::operator::access_methods(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::OPFAMILIES), ahead(queries::OPCLASSES)],
        read: |ld| Box::pin(read::operator::families_and_classes(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::AM_OPS), ahead(queries::AM_PROCS)],
        read: |ld| Box::pin(read::operator::class_members(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::FDWS), ahead(queries::FOREIGN_SERVERS)],
        read: |ld| Box::pin(read::foreign::foreign_data(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::TRANSFORMS)],
        read: |ld| Box::pin(read::function::transforms(ld)),
    },
    Reader {
        queries: |_| {
            vec![
                ahead(queries::LANGUAGES),
                ahead(queries::CONVERSIONS),
                ahead(queries::TS_PARSERS_AND_TEMPLATES),
            ]
        },
        read: |ld| Box::pin(read::language::languages(ld)),
    },
    Reader {
        queries: |ld| vec![ahead(ld.subscriptions_query)],
        read: |ld| Box::pin(read::publication::subscriptions(ld)),
    },
    Reader {
        queries: |_| {
            vec![
                ahead(queries::TS_DICTS),
                ahead(queries::TS_CONFIG_MAPS),
                ahead(queries::TS_CONFIGS),
            ]
        },
        read: |ld| Box::pin(read::text_search::text_search(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::EVENT_TRIGGERS)],
        read: |ld| Box::pin(read::trigger_rule::event_triggers(ld)),
    },
    Reader {
        queries: |ld| {
            let v = ld.cat.server_num;
            vec![
                ahead(queries::PUBLICATIONS),
                ahead(queries::publication_rels(v)),
                ahead(queries::publication_schemas(v)),
            ]
        },
        read: |ld| Box::pin(read::publication::publications(ld)),
    },
    Reader {
        queries: |_| vec![ahead(queries::STATS_EXT)],
        read: |ld| Box::pin(read::index::statistics(ld)),
    },
    Reader {
        queries: |ld| {
            let mut q = vec![ahead(queries::DEFAULT_ACLS)];
            q.extend(ld.large_objects_query().map(ahead));
            q
        },
        read: |ld| Box::pin(read::acl::default_acls_and_large_objects(ld)),
    },
    Reader {
        queries: |ld| {
            let mut q = Vec::new();
            if !ld.plan.switches.no_security_labels {
                q.push(ahead(queries::SECLABELS));
            }
            if !ld.plan.no_comments {
                q.push(ahead(queries::COMMENTS));
            }
            q
        },
        read: |ld| Box::pin(read::comment::labels_and_comments(ld)),
    },
    Reader {
        queries: |_| {
            vec![
                ahead(queries::DEPENDS),
                ahead(queries::FAMILY_MEMBER_DEPENDS),
            ]
        },
        read: |ld| Box::pin(read::deps::dependencies(ld)),
    },
    Reader {
        // Its statements depend on what was read (extensions' configuration tables, row
        // filters): none is planned.
        queries: |_| vec![],
        read: |ld| Box::pin(read::table::data_objects(ld)),
    },
    Reader {
        queries: |ld| match ld.plan.switches.statistics {
            true => vec![
                when_read(queries::relation_stats(ld.cat.server_num)),
                ahead_with_same_oids(queries::attribute_stats(ld.cat.server_num)),
            ],
            false => vec![],
        },
        read: |ld| Box::pin(read::statistics::relation_statistics(ld)),
    },
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
