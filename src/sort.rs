//! Dump order exactly as pg_dump_sort.c: type priority, then schema and name (with pg_dump's
//! tie-breaks), then a minimal-change topological sort over the dependencies, repairing the
//! known dependency loops. Pure.

use crate::error::{Error, ErrorKind, Result};
use crate::model::{Catalog, Detail, DumpId, Kind, Obj};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// pg_dump's `dbObjectTypePriority` for the kinds modelled here: 15's, with 17's large
/// objects moved between the sequence values and their contents (they are data there).
pub fn priority(kind: Kind, dialect: crate::dialect::Dialect) -> u32 {
    let base = |k: Kind| k.info().priority * 2;
    match kind {
        Kind::Blob if dialect.groups_large_objects() => base(Kind::SequenceSet) + 1,
        // pg_dump 18's statistics: a table's after all other data, the rest just before the
        // event triggers and materialized view refreshes (a refreshed view's own statistics
        // depend on its refresh).
        Kind::RelStats => base(Kind::BlobData) + 1,
        Kind::RelStatsPostData => base(Kind::EventTrigger) - 1,
        k => base(k),
    }
}

fn parent_table(o: &Obj) -> Option<DumpId> {
    match &o.detail {
        Detail::Trigger(t) => Some(t.table),
        Detail::Rule(r) => Some(r.table),
        Detail::Constraint(c) => c.table.or(c.domain),
        Detail::Policy(p) => Some(p.table),
        _ => None,
    }
}

/// pg_dump's `DOTypeNameCompare`.
fn compare(cat: &Catalog, a: DumpId, b: DumpId) -> Ordering {
    let (oa, ob) = (&cat.objects[a], &cat.objects[b]);
    let prio = |o: &Obj| match o.kind() {
        // With statistics dumped, pg_dump 18 sorts constraints after the indexes; the
        // dependency of each constraint's index on its constraint then pulls the constraints
        // in among the indexes, by name (as measured against pg_dump 18: INDEX a_idx,
        // CONSTRAINT t_pkey, INDEX zz, then the CHECK constraints).
        Kind::Constraint if cat.with_statistics => priority(Kind::Index, cat.dialect) + 1,
        k => priority(k, cat.dialect),
    };
    let by_prio = prio(oa).cmp(&prio(ob));
    if by_prio != Ordering::Equal {
        return by_prio;
    }
    // Objects without a schema sort after those with one.
    let by_ns = match (&oa.namespace, &ob.namespace) {
        (Some(x), Some(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    if by_ns != Ordering::Equal {
        return by_ns;
    }
    // pg_dump names a default ACL by its object type letter ('T' before 'f' before 'r'...),
    // and breaks ties by the role.
    if let (Detail::DefaultAcl(x), Detail::DefaultAcl(y)) = (&oa.detail, &ob.detail) {
        let c = (x.objtype as u32)
            .cmp(&(y.objtype as u32))
            .then_with(|| x.role.as_bytes().cmp(y.role.as_bytes()));
        if c != Ordering::Equal {
            return c;
        }
    }
    let by_name = oa.name.as_bytes().cmp(ob.name.as_bytes());
    if by_name != Ordering::Equal {
        return by_name;
    }
    match (&oa.detail, &ob.detail) {
        (Detail::Func(fa), Detail::Func(fb)) => {
            let n = fa.argtypes.len().cmp(&fb.argtypes.len());
            if n != Ordering::Equal {
                return n;
            }
            for (ta, tb) in fa.argtypes.iter().zip(&fb.argtypes) {
                let (Some(ia), Some(ib)) = (cat.find(1247, *ta), cat.find(1247, *tb)) else {
                    continue;
                };
                let (xa, xb) = (&cat.objects[ia], &cat.objects[ib]);
                if let (Some(na), Some(nb)) = (&xa.namespace, &xb.namespace) {
                    let c = na.as_bytes().cmp(nb.as_bytes());
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                let c = xa.name.as_bytes().cmp(xb.name.as_bytes());
                if c != Ordering::Equal {
                    return c;
                }
            }
        }
        // Prefix operators before infix ones (pg_dump compares oprkind descending).
        (Detail::Operator(x), Detail::Operator(y)) => {
            let c = y.oprkind.cmp(&x.oprkind);
            if c != Ordering::Equal {
                return c;
            }
        }
        (Detail::AttrDef { adnum: x, .. }, Detail::AttrDef { adnum: y, .. }) => {
            let c = x.cmp(y);
            if c != Ordering::Equal {
                return c;
            }
        }
        _ => {
            if let (Some(ta), Some(tb)) = (parent_table(oa), parent_table(ob)) {
                let (pa, pb) = (&cat.objects[ta], &cat.objects[tb]);
                let c = pa
                    .namespace
                    .as_deref()
                    .unwrap_or("")
                    .as_bytes()
                    .cmp(pb.namespace.as_deref().unwrap_or("").as_bytes())
                    .then_with(|| pa.name.as_bytes().cmp(pb.name.as_bytes()));
                if c != Ordering::Equal {
                    return c;
                }
            }
        }
    }
    oa.cat.oid.cmp(&ob.cat.oid).then(a.cmp(&b))
}

/// The presorted order: every object by type priority, schema, name and tie-breaks.
pub fn presort(cat: &Catalog) -> Vec<DumpId> {
    let mut ids: Vec<DumpId> = (0..cat.objects.len()).collect();
    ids.sort_by(|a, b| compare(cat, *a, *b));
    ids
}

/// pg_dump's `TopoSort`: walks backwards, each time emitting the last object in the current
/// order that nothing still unplaced must follow. Returns the order, or the stuck objects.
fn topo_sort(cat: &Catalog, objs: &[DumpId]) -> std::result::Result<Vec<DumpId>, Vec<DumpId>> {
    let n = cat.objects.len();
    let mut before = vec![0usize; n];
    let mut position = vec![usize::MAX; n];
    for (i, &id) in objs.iter().enumerate() {
        position[id] = i;
        for &d in &cat.objects[id].deps {
            before[d] += 1;
        }
    }
    let mut heap: BinaryHeap<usize> = objs
        .iter()
        .enumerate()
        .filter(|(_, id)| before[**id] == 0)
        .map(|(i, _)| i)
        .collect();
    let mut out = vec![0; objs.len()];
    let mut remaining = objs.len();
    while let Some(i) = heap.pop() {
        let id = objs[i];
        remaining -= 1;
        out[remaining] = id;
        for &d in &cat.objects[id].deps {
            before[d] -= 1;
            if before[d] == 0 {
                heap.push(position[d]);
            }
        }
    }
    if remaining == 0 {
        Ok(out)
    } else {
        Err((0..n).filter(|id| before[*id] != 0).collect())
    }
}

fn find_loop(
    cat: &Catalog,
    obj: DumpId,
    start: DumpId,
    processed: &[bool],
    search_failed: &mut [Option<DumpId>],
    workspace: &mut Vec<DumpId>,
) -> bool {
    if processed[obj] || search_failed[obj] == Some(start) || workspace.contains(&obj) {
        return false;
    }
    workspace.push(obj);
    if cat.objects[obj].deps.contains(&start) {
        return true;
    }
    for &next in &cat.objects[obj].deps {
        if find_loop(cat, next, start, processed, search_failed, workspace) {
            return true;
        }
    }
    workspace.pop();
    search_failed[obj] = Some(start);
    false
}

fn is_check_of(cat: &Catalog, con: DumpId, owner: DumpId, want_domain: bool) -> bool {
    let o = &cat.objects[con];
    match (&o.detail, o.kind()) {
        (Detail::Constraint(c), Kind::Constraint) if c.contype == 'c' => {
            if want_domain {
                c.domain == Some(owner)
            } else {
                c.table == Some(owner)
            }
        }
        _ => false,
    }
}

fn is_attrdef_of(cat: &Catalog, def: DumpId, table: DumpId) -> bool {
    matches!(cat.objects[def].detail, Detail::AttrDef { table: t, .. } if t == table)
}

fn is_view_rule(cat: &Catalog, rule: DumpId, view: DumpId) -> bool {
    matches!(&cat.objects[rule].detail, Detail::Rule(r) if r.table == view && r.ev_type == '1' && r.is_instead)
        && matches!(cat.table(view).map(|t| t.relkind), Some('v' | 'm'))
}

fn set_separate(cat: &mut Catalog, id: DumpId) {
    match &mut cat.objects[id].detail {
        Detail::Constraint(c) => c.separate = true,
        Detail::AttrDef { separate, .. } => *separate = true,
        _ => {}
    }
}

/// A named description of an object for loop reports (pg_dump's `describeDumpableObject`).
pub fn describe(cat: &Catalog, id: DumpId) -> String {
    let o = &cat.objects[id];
    let what = o.kind().info().name;
    format!("{what} {}  (ID {} OID {})", o.name, id + 1, o.cat.oid)
}

/// A type and one of its I/O functions: the functions come first, the input function before
/// the other I/O functions (pg_dump's `repairTypeFuncLoop`).
fn repair_type_func_loop(cat: &mut Catalog, ty: DumpId, func: DumpId) {
    cat.objects[func].remove_dep(ty);
    // The function depends on the shell type instead, which is printed if the function is.
    if let Detail::Type(t) = &cat.objects[ty].detail {
        if let Some(shell) = t.shell {
            cat.objects[func].add_dep(shell);
            if cat.objects[func].dump {
                cat.objects[shell].dump = true;
            }
        }
    }
    let typinput = match &cat.objects[ty].detail {
        Detail::Type(t) => t.typinput,
        _ => return,
    };
    if cat.objects[func].cat.oid == typinput {
        return;
    }
    if let Some(input) = cat.find(1255, typinput) {
        cat.objects[func].add_dep(input);
        cat.objects[input].remove_dep(ty);
    }
}

/// Repairs one loop the way pg_dump's `repairDependencyLoop` does.
fn repair_loop(cat: &mut Catalog, lp: &[DumpId]) -> Result<()> {
    let kind = |cat: &Catalog, i: DumpId| cat.objects[i].kind();
    if lp.len() == 2 {
        let (a, b) = (lp[0], lp[1]);
        for (ty, func) in [(a, b), (b, a)] {
            if kind(cat, ty) == Kind::Type && kind(cat, func) == Kind::Func {
                repair_type_func_loop(cat, ty, func);
                return Ok(());
            }
        }
        for (x, y) in [(a, b), (b, a)] {
            if kind(cat, x) == Kind::Table && kind(cat, y) == Kind::Rule && is_view_rule(cat, y, x)
            {
                cat.objects[y].remove_dep(x);
                return Ok(());
            }
        }
        for (x, y) in [(a, b), (b, a)] {
            if kind(cat, x) == Kind::Table && is_check_of(cat, y, x, false) {
                cat.objects[y].remove_dep(x);
                return Ok(());
            }
        }
        for (x, y) in [(a, b), (b, a)] {
            if kind(cat, x) == Kind::Table && is_attrdef_of(cat, y, x) {
                cat.objects[y].remove_dep(x);
                return Ok(());
            }
        }
        for (x, y) in [(a, b), (b, a)] {
            if kind(cat, x) == Kind::Type && is_check_of(cat, y, x, true) {
                cat.objects[y].remove_dep(x);
                return Ok(());
            }
        }
    }
    if lp.len() > 2 {
        // A view whose query needs something dumped later (a primary key, for GROUP BY):
        // the view is created with a placeholder body and its ON SELECT rule replaces it
        // after the post-data boundary (pg_dump's repairViewRuleMultiLoop).
        for &v in lp {
            if kind(cat, v) != Kind::Table || cat.table(v).map(|t| t.relkind) != Some('v') {
                continue;
            }
            if let Some(&r) = lp
                .iter()
                .find(|r| kind(cat, **r) == Kind::Rule && is_view_rule(cat, **r, v))
            {
                cat.objects[v].remove_dep(r);
                if let Detail::Table(t) = &mut cat.objects[v].detail {
                    t.dummy_view = true;
                }
                if let Detail::Rule(rule) = &mut cat.objects[r].detail {
                    rule.separate = true;
                }
                cat.objects[r].dump = cat.objects[v].dump;
                cat.objects[r].add_dep(v);
                let post = cat.post_boundary;
                cat.objects[r].add_dep(post);
                return Ok(());
            }
        }
        for &t in lp {
            if kind(cat, t) != Kind::Table {
                continue;
            }
            if let Some(&c) = lp.iter().find(|c| is_check_of(cat, **c, t, false)) {
                cat.objects[t].remove_dep(c);
                set_separate(cat, c);
                cat.objects[c].add_dep(t);
                let post = cat.post_boundary;
                cat.objects[c].add_dep(post);
                return Ok(());
            }
        }
        for &t in lp {
            if kind(cat, t) != Kind::Table {
                continue;
            }
            if let Some(&d) = lp.iter().find(|d| is_attrdef_of(cat, **d, t)) {
                cat.objects[t].remove_dep(d);
                set_separate(cat, d);
                cat.objects[d].add_dep(t);
                return Ok(());
            }
        }
        for &t in lp {
            if kind(cat, t) != Kind::Type {
                continue;
            }
            if let Some(&c) = lp.iter().find(|c| is_check_of(cat, **c, t, true)) {
                cat.objects[t].remove_dep(c);
                set_separate(cat, c);
                cat.objects[c].add_dep(t);
                let post = cat.post_boundary;
                cat.objects[c].add_dep(post);
                return Ok(());
            }
        }
    }
    if lp.iter().all(|i| kind(cat, *i) == Kind::TableData) {
        // Circular foreign keys in a data-only dump: warn like pg_dump and break the loop.
        if lp.len() == 1 {
            eprintln!("pgsnap: warning: there are circular foreign-key constraints on this table:");
        } else {
            eprintln!(
                "pgsnap: warning: there are circular foreign-key constraints among these tables:"
            );
        }
        for i in lp {
            eprintln!("pgsnap: detail: {}", cat.objects[*i].name);
        }
        eprintln!("pgsnap: hint: You might not be able to restore the dump without using --disable-triggers or temporarily dropping the constraints.");
        eprintln!("pgsnap: hint: Consider using a full dump instead of a --data-only dump to avoid this problem.");
        let (a, b) = (lp[0], if lp.len() > 1 { lp[1] } else { lp[0] });
        cat.objects[a].remove_dep(b);
        return Ok(());
    }
    if lp.len() == 1 && kind(cat, lp[0]) == Kind::Table {
        cat.objects[lp[0]].remove_dep(lp[0]);
        return Ok(());
    }
    // No principled repair: warn and break the loop arbitrarily, as pg_dump does.
    eprintln!("pgsnap: warning: could not resolve dependency loop among these items:");
    for id in lp {
        eprintln!("pgsnap: detail: {}", describe(cat, *id));
    }
    let (a, b) = (lp[0], if lp.len() > 1 { lp[1] } else { lp[0] });
    cat.objects[a].remove_dep(b);
    Ok(())
}

/// Orders every object for dumping; repairs known loops in `cat` as a side effect.
pub fn order(cat: &mut Catalog) -> Result<Vec<DumpId>> {
    let objs = presort(cat);
    loop {
        match topo_sort(cat, &objs) {
            Ok(order) => return Ok(order),
            Err(stuck) => {
                let n = cat.objects.len();
                let mut processed = vec![false; n];
                let mut search_failed: Vec<Option<DumpId>> = vec![None; n];
                let mut fixed = false;
                for &obj in &stuck {
                    let mut ws = Vec::new();
                    if find_loop(cat, obj, obj, &processed, &mut search_failed, &mut ws) {
                        repair_loop(cat, &ws)?;
                        fixed = true;
                        for id in ws {
                            processed[id] = true;
                        }
                    } else {
                        processed[obj] = true;
                    }
                }
                if !fixed {
                    return Err(Error::new(
                        ErrorKind::Catalog,
                        "could not identify dependency loop",
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CatalogId, ConstraintDetail};

    fn obj(kind: Kind, name: &str, oid: u32) -> Obj {
        Obj {
            cat: CatalogId { tableoid: 1, oid },
            namespace: Some("public".into()),
            name: name.into(),
            dump: true,
            ..Obj::of(kind)
        }
    }

    #[test]
    fn presort_uses_priority_then_name() {
        let mut cat = Catalog::default();
        let t = cat.add(obj(Kind::Table, "b", 10));
        let f = cat.add(obj(Kind::Func, "z", 11));
        let t2 = cat.add(obj(Kind::Table, "a", 12));
        assert_eq!(presort(&cat), vec![f, t2, t]);
    }

    #[test]
    fn topo_sort_moves_only_what_it_must() {
        let mut cat = Catalog::default();
        let a = cat.add(obj(Kind::Table, "a", 1));
        let b = cat.add(obj(Kind::Table, "b", 2));
        let c = cat.add(obj(Kind::Table, "c", 3));
        // a depends on c: c must move before a, b stays where it is relative to a.
        cat.objects[a].add_dep(c);
        let order = order(&mut cat).unwrap();
        assert_eq!(order, vec![c, a, b]);
    }

    #[test]
    fn table_check_loop_is_repaired_in_place() {
        let mut cat = Catalog::default();
        let t = cat.add(Obj {
            detail: Detail::Table(Box::default()),
            ..obj(Kind::Table, "t", 1)
        });
        let c = cat.add(Obj {
            detail: Detail::Constraint(Box::new(ConstraintDetail {
                table: Some(t),
                contype: 'c',
                ..Default::default()
            })),
            ..obj(Kind::Constraint, "t_check", 2)
        });
        cat.objects[t].add_dep(c);
        cat.objects[c].add_dep(t);
        let order = order(&mut cat).unwrap();
        assert_eq!(order, vec![c, t]);
        assert!(cat.objects[c].deps.is_empty());
    }

    #[test]
    fn unknown_loop_is_broken_arbitrarily_like_pg_dump() {
        let mut cat = Catalog::default();
        let a = cat.add(obj(Kind::Func, "f", 1));
        let b = cat.add(obj(Kind::Func, "g", 2));
        cat.objects[a].add_dep(b);
        cat.objects[b].add_dep(a);
        let order = order(&mut cat).unwrap();
        assert_eq!(order.len(), 2);
        // Exactly one of the two dependencies was dropped.
        let left = cat.objects[a].deps.len() + cat.objects[b].deps.len();
        assert_eq!(left, 1);
    }
}
