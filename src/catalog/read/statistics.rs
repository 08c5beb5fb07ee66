//! Relations' planner statistics (pg_dump 18's `--statistics`). Read last on the leader's
//! connection: which relations have them follows from what is dumped, and a refreshed
//! materialized view's statistics follow its refresh into the post-data section.

use crate::catalog::loader::*;
use crate::catalog::*;
use std::collections::BTreeMap;

/// The pg_stats values pg_dump 18 writes, in its order, with the SQL type of each argument.
const VALUES: [(&str, &str); 13] = [
    ("null_frac", "real"),
    ("avg_width", "integer"),
    ("n_distinct", "real"),
    ("most_common_vals", "text"),
    ("most_common_freqs", "real[]"),
    ("histogram_bounds", "text"),
    ("correlation", "real"),
    ("most_common_elems", "text"),
    ("most_common_elem_freqs", "real[]"),
    ("elem_count_histogram", "real[]"),
    ("range_length_histogram", "text"),
    ("range_empty_frac", "real"),
    ("range_bounds_histogram", "text"),
];

/// A relation whose statistics are dumped: its kind's section and how its columns are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Target {
    relation: DumpId,
    post_data: bool,
    index: bool,
}

/// The relations pg_dump 18 dumps statistics for (its getRelationStatistics): dumped tables,
/// partitioned tables, foreign tables and materialized views, and their indexes. A
/// materialized view refreshed in the dump has its statistics after the refresh.
fn targets(cat: &Catalog) -> Vec<Target> {
    cat.objects
        .iter()
        .enumerate()
        .filter(|(_, o)| o.dump && !o.acl_only)
        .filter_map(|(id, o)| match &o.detail {
            Detail::Table(t) if matches!(t.relkind, 'r' | 'p' | 'f') => Some(Target {
                relation: id,
                post_data: false,
                index: false,
            }),
            Detail::Table(t) if t.relkind == 'm' => Some(Target {
                relation: id,
                post_data: t.data.is_some(),
                index: false,
            }),
            Detail::Index(_) => Some(Target {
                relation: id,
                post_data: true,
                index: true,
            }),
            _ => None,
        })
        .collect()
}

/// The walk's step for [`relation_statistics`].
pub(in crate::catalog) const READ_RELATION_STATISTICS: Reader = Reader {
    queries: |ld| match ld.plan.switches.statistics {
        true => vec![
            when_read(relation_stats_sql(ld.cat.server_num)),
            ahead_with_same_oids(attribute_stats_sql(ld.cat.server_num)),
        ],
        false => vec![],
    },
    read: |ld| Box::pin(relation_statistics(ld)),
};

/// Statistics objects for the dumped relations, when `--statistics` asks for them.
pub(crate) async fn relation_statistics(ld: &mut Loader<'_>) -> Result<()> {
    if !ld.plan.switches.statistics {
        return Ok(());
    }
    ld.cat.with_statistics = true;
    let targets = targets(&ld.cat);
    let oids: Vec<u32> = targets
        .iter()
        .map(|t| ld.cat.objects[t.relation].cat.oid)
        .collect();
    let server_num = ld.cat.server_num;
    let mut sizes: BTreeMap<u32, RelStatsDetail> = BTreeMap::new();
    ld.read_rows(
        "relation statistics",
        relation_stats_sql(server_num),
        Some(&oids),
        |_, r| {
            sizes.insert(
                oid(r, "oid")?,
                RelStatsDetail {
                    version: server_num,
                    relpages: i32_(r, "relpages")?,
                    reltuples: text(r, "reltuples")?,
                    relallvisible: i32_(r, "relallvisible")?,
                    relallfrozen: opt_i32(r, "relallfrozen")?,
                    ..Default::default()
                },
            );
            Ok(())
        },
    )
    .await?;
    let mut columns: BTreeMap<u32, Vec<(String, i16, AttributeStats)>> = BTreeMap::new();
    ld.read_rows(
        "column statistics",
        attribute_stats_sql(server_num),
        Some(&oids),
        |_, r| {
            let mut values = Vec::new();
            for (name, sql_type) in VALUES {
                if let Some(v) = opt_text(r, name)? {
                    values.push((name, sql_type, v));
                }
            }
            columns.entry(oid(r, "oid")?).or_default().push((
                text(r, "attname")?,
                i16_(r, "attnum")?,
                AttributeStats {
                    inherited: boolean(r, "inherited")?,
                    values,
                    ..Default::default()
                },
            ));
            Ok(())
        },
    )
    .await?;
    for t in targets {
        let rel_oid = ld.cat.objects[t.relation].cat.oid;
        let Some(mut detail) = sizes.remove(&rel_oid) else {
            continue;
        };
        detail.relation = t.relation;
        detail.attributes = columns
            .remove(&rel_oid)
            .unwrap_or_default()
            .into_iter()
            .map(|(name, number, mut a)| {
                a.column = if t.index {
                    StatsColumn::Number(number)
                } else {
                    StatsColumn::Name(name)
                };
                a
            })
            .collect();
        let (namespace, name) = {
            let o = &ld.cat.objects[t.relation];
            (o.namespace.clone(), o.name.clone())
        };
        let kind = if t.post_data {
            Kind::RelStatsPostData
        } else {
            Kind::RelStats
        };
        let id = ld.cat.add(Obj {
            namespace,
            name,
            dump: true,
            detail: Detail::RelStats(Box::new(detail)),
            ..Obj::of(kind)
        });
        ld.cat.objects[id].add_dep(t.relation);
        // A refreshed materialized view's statistics are restored after the refresh.
        if let Some(refresh) = ld.cat.table(t.relation).and_then(|r| r.data) {
            if t.post_data && !t.index {
                ld.cat.objects[id].add_dep(refresh);
            }
        }
    }
    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// The size figures of the relations whose statistics are dumped (pg_dump 18's
/// `--statistics`): 18 added `relallfrozen`. $1: the relations' oids.
pub(crate) fn relation_stats_sql(server_num: u32) -> &'static str {
    match server_num {
        // Before 14 a relation never vacuumed or analyzed had reltuples 0, not -1: pg_dump 18
        // writes what 14 would have.
        ..140000 => {
            "SELECT c.oid, c.relpages, \
 CASE WHEN c.relpages = 0 AND c.reltuples = 0 THEN '-1' ELSE c.reltuples::text END AS reltuples, \
 c.relallvisible, NULL::int4 AS relallfrozen \
 FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::pg_catalog.oid[]) ORDER BY c.oid"
        }
        140000..180000 => {
            "SELECT c.oid, c.relpages, c.reltuples::text, c.relallvisible, \
 NULL::int4 AS relallfrozen \
 FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::pg_catalog.oid[]) ORDER BY c.oid"
        }
        _ => {
            "SELECT c.oid, c.relpages, c.reltuples::text, c.relallvisible, c.relallfrozen \
 FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::pg_catalog.oid[]) ORDER BY c.oid"
        }
    }
}

/// The pg_stats rows of those relations, by relation, column name and inherited, every value
/// as text (in the session's extra_float_digits): 17 added the range columns. $1: the oids.
pub(crate) fn attribute_stats_sql(server_num: u32) -> &'static str {
    macro_rules! attribute_stats {
        ($ranges:literal) => {
            concat!(
                "SELECT c.oid, s.attname::text, a.attnum, s.inherited, s.null_frac::text, \
 s.avg_width::text, s.n_distinct::text, s.most_common_vals::text, s.most_common_freqs::text, \
 s.histogram_bounds::text, s.correlation::text, s.most_common_elems::text, \
 s.most_common_elem_freqs::text, s.elem_count_histogram::text, ",
                $ranges,
                " FROM pg_catalog.pg_class c \
 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
 JOIN pg_catalog.pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname \
 JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = s.attname \
 WHERE c.oid = ANY($1::pg_catalog.oid[]) ORDER BY c.oid, s.attname, s.inherited"
            )
        };
    }
    if server_num >= 170000 {
        attribute_stats!(
            "s.range_length_histogram::text, s.range_empty_frac::text, s.range_bounds_histogram::text"
        )
    } else {
        attribute_stats!(
            "NULL::text AS range_length_histogram, NULL::text AS range_empty_frac, \
 NULL::text AS range_bounds_histogram"
        )
    }
}
