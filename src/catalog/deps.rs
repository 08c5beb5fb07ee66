//! Dependencies decided once everything is read: materialized view refresh order, table data ordered by foreign keys, the section boundaries.

use super::*;

/// A matview's refresh waits for the refreshes of the matviews it reads (pg_dump's
/// `buildMatViewRefreshDependencies`), following the table's dependencies through views.
pub(super) fn add_matview_refresh_deps(cat: &mut Catalog) {
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
pub(super) fn add_table_data_fk_deps(cat: &mut Catalog) {
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

/// pg_dump's `addBoundaryDependencies`: pre-data objects before the pre-data boundary, data
/// between the boundaries, post-data objects after the post-data boundary.
pub(super) fn add_boundaries(cat: &mut Catalog) {
    let pre = cat.add(Obj {
        name: "PRE-DATA BOUNDARY".into(),
        ..Obj::of(Kind::PreDataBoundary)
    });
    let post = cat.add(Obj {
        name: "POST-DATA BOUNDARY".into(),
        ..Obj::of(Kind::PostDataBoundary)
    });
    cat.pre_boundary = pre;
    cat.post_boundary = post;
    let blobs_are_data = cat.dialect.groups_large_objects();
    for id in 0..cat.objects.len() {
        let kind = cat.objects[id].kind();
        let place = match kind.info().place {
            // pg_dump 17 writes large objects' own entries as data.
            Place::PreData if kind == Kind::Blob && blobs_are_data => Place::Data,
            Place::PostDataIfSeparate => match &cat.objects[id].detail {
                Detail::Rule(r) if r.separate => Place::PostData,
                Detail::Constraint(c) if c.separate => Place::PostData,
                // Printed with its table: no boundary of its own.
                _ => continue,
            },
            place => place,
        };
        match place {
            Place::Data => {
                cat.objects[id].add_dep(pre);
                cat.objects[post].deps.push(id);
            }
            Place::PostData => cat.objects[id].add_dep(post),
            Place::Boundary if kind == Kind::PostDataBoundary => cat.objects[id].add_dep(pre),
            Place::Boundary => {}
            // Each id comes up once: push directly (add_dep's duplicate check is linear).
            Place::PreData => cat.objects[pre].deps.push(id),
            Place::PostDataIfSeparate => {}
        }
    }
}
