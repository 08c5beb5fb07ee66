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
        match kind {
            Kind::Blob if blobs_are_data => {
                cat.objects[id].add_dep(pre);
                cat.objects[post].deps.push(id);
            }
            Kind::TableData | Kind::SequenceSet | Kind::BlobData | Kind::RelStats => {
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
            | Kind::RelStatsPostData
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
