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
    let mut rows = ld
        .pipe
        .stream(
            "relation statistics",
            queries::relation_stats(server_num),
            Some(&oids),
        )
        .await?;
    while let Some(r) = next_row(&mut rows, "relation statistics").await? {
        sizes.insert(
            oid(&r, "oid")?,
            RelStatsDetail {
                version: server_num,
                relpages: i32_(&r, "relpages")?,
                reltuples: text(&r, "reltuples")?,
                relallvisible: i32_(&r, "relallvisible")?,
                relallfrozen: opt_i32(&r, "relallfrozen")?,
                ..Default::default()
            },
        );
    }
    let mut rows = ld
        .pipe
        .stream(
            "column statistics",
            queries::attribute_stats(server_num),
            Some(&oids),
        )
        .await?;
    let mut columns: BTreeMap<u32, Vec<(String, i16, AttributeStats)>> = BTreeMap::new();
    while let Some(r) = next_row(&mut rows, "column statistics").await? {
        let mut values = Vec::new();
        for (name, sql_type) in VALUES {
            if let Some(v) = opt_text(&r, name)? {
                values.push((name, sql_type, v));
            }
        }
        columns.entry(oid(&r, "oid")?).or_default().push((
            text(&r, "attname")?,
            i16_(&r, "attnum")?,
            AttributeStats {
                inherited: boolean(&r, "inherited")?,
                values,
                ..Default::default()
            },
        ));
    }
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
