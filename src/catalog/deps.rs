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
                _ => Place::PostDataIfSeparate,
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
            // The pre-data boundary, and a rule or constraint printed with its table (no
            // boundary of its own).
            Place::Boundary | Place::PostDataIfSeparate => {}
            // Each id comes up once: push directly (add_dep's duplicate check is linear).
            Place::PreData => cat.objects[pre].deps.push(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relation(cat: &mut Catalog, oid: u32, relkind: char) -> DumpId {
        cat.add(Obj {
            cat: CatalogId {
                tableoid: PG_CLASS,
                oid,
            },
            name: format!("r{oid}").into(),
            dump: true,
            detail: Detail::Table(Box::new(TableDetail {
                relkind,
                ..Default::default()
            })),
            ..Obj::of(Kind::Table)
        })
    }

    fn data_of(cat: &mut Catalog, table: DumpId, kind: Kind) -> DumpId {
        let id = cat.add(Obj {
            dump: true,
            detail: Detail::TableData { table },
            ..Obj::of(kind)
        });
        cat.objects[id].add_dep(table);
        if let Detail::Table(t) = &mut cat.objects[table].detail {
            t.data = Some(id);
        }
        id
    }

    fn rule(cat: &mut Catalog, table: DumpId, separate: bool) -> DumpId {
        cat.add(Obj {
            detail: Detail::Rule(Box::new(RuleDetail {
                table,
                separate,
                ..Default::default()
            })),
            ..Obj::of(Kind::Rule)
        })
    }

    #[test]
    fn boundaries_split_the_sections_as_pg_dump_does() {
        let mut cat = Catalog::default();
        let table = relation(&mut cat, 20000, 'r');
        let data = data_of(&mut cat, table, Kind::TableData);
        let index = cat.add(Obj::of(Kind::Index));
        let view_rule = rule(&mut cat, table, false);
        let separate_rule = rule(&mut cat, table, true);
        add_boundaries(&mut cat);
        let (pre, post) = (cat.pre_boundary, cat.post_boundary);
        assert!(cat.objects[pre].deps.contains(&table));
        assert!(cat.objects[data].deps.contains(&pre));
        assert!(cat.objects[post].deps.contains(&data));
        assert!(cat.objects[post].deps.contains(&pre));
        assert!(cat.objects[index].deps.contains(&post));
        assert!(cat.objects[separate_rule].deps.contains(&post));
        // A rule printed inside its view's definition has no boundary of its own.
        assert!(!cat.objects[view_rule].deps.contains(&post));
        assert!(!cat.objects[pre].deps.contains(&view_rule));
    }

    #[test]
    fn large_objects_are_data_where_the_dialect_groups_them() {
        for (major, data) in [(15, false), (17, true)] {
            let mut cat = Catalog {
                dialect: crate::dialect::Dialect::for_server(major * 10000),
                ..Default::default()
            };
            let blob = cat.add(Obj::of(Kind::Blob));
            add_boundaries(&mut cat);
            let (pre, post) = (cat.pre_boundary, cat.post_boundary);
            assert_eq!(cat.objects[blob].deps.contains(&pre), data, "{major}");
            assert_eq!(cat.objects[post].deps.contains(&blob), data, "{major}");
            assert_eq!(cat.objects[pre].deps.contains(&blob), !data, "{major}");
        }
    }

    #[test]
    fn a_matview_refresh_waits_for_the_matviews_it_reads_through_views() {
        // m1 reads v, which reads m2: m1's refresh comes after m2's.
        let mut cat = Catalog::default();
        let m2 = relation(&mut cat, 20001, 'm');
        let v = relation(&mut cat, 20002, 'v');
        let m1 = relation(&mut cat, 20003, 'm');
        let v_rule = rule(&mut cat, v, false);
        cat.objects[v_rule].add_dep(m2);
        cat.objects[v].add_dep(v_rule);
        let m1_rule = rule(&mut cat, m1, false);
        cat.objects[m1_rule].add_dep(v);
        cat.objects[m1].add_dep(m1_rule);
        let refresh2 = data_of(&mut cat, m2, Kind::RefreshMatview);
        let refresh1 = data_of(&mut cat, m1, Kind::RefreshMatview);
        add_matview_refresh_deps(&mut cat);
        assert!(cat.objects[refresh1].deps.contains(&refresh2));
        assert!(!cat.objects[refresh2].deps.contains(&refresh1));
    }

    #[test]
    fn table_data_follows_the_data_it_references() {
        let mut cat = Catalog::default();
        let parent = relation(&mut cat, 20010, 'r');
        let child = relation(&mut cat, 20011, 'r');
        let parent_data = data_of(&mut cat, parent, Kind::TableData);
        let child_data = data_of(&mut cat, child, Kind::TableData);
        cat.add(Obj {
            detail: Detail::Constraint(Box::new(ConstraintDetail {
                table: Some(child),
                contype: 'f',
                confrelid: 20010,
                ..Default::default()
            })),
            ..Obj::of(Kind::FkConstraint)
        });
        add_table_data_fk_deps(&mut cat);
        assert!(cat.objects[child_data].deps.contains(&parent_data));
        assert!(!cat.objects[parent_data].deps.contains(&child_data));
    }
}
