//! Indexes, their partition attachments and extended statistics (dumpIndex, dumpIndexAttach, dumpStatisticsExt).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    match o.kind() {
        Kind::Index => index(cx, o),
        Kind::IndexAttach => index_attach(cx, o),
        Kind::StatsExt => stats_ext(cx, o),
        _ => {}
    }
}

pub(super) fn index(cx: &mut Ctx, o: &Obj) {
    let Detail::Index(ix) = &o.detail else { return };
    let tab = &cx.cat.objects[ix.table];
    let owner = table_owner(cx, ix.table);
    let q = cx.ident(&o.name);
    // A constraint's index is created by its constraint; only a comment on it is dumped here.
    if ix.constraint.is_some() {
        cx.comment(&ix.comment, "INDEX", &q, o, &owner);
        return;
    }
    let mut s = format!("{};\n", ix.def);
    if ix.clustered {
        s.push_str(&format!(
            "\nALTER TABLE {} CLUSTER ON {q};\n",
            cx.qname(tab)
        ));
    }
    for (col, target) in &ix.stat_targets {
        s.push_str(&format!(
            "ALTER INDEX {} ALTER COLUMN {col} SET STATISTICS {target};\n",
            cx.qname(o)
        ));
    }
    if ix.replident {
        s.push_str(&format!(
            "\nALTER TABLE ONLY {} REPLICA IDENTITY USING INDEX {q};\n",
            cx.qname(tab)
        ));
    }
    let mut e = TocEntry::new("INDEX", o.name.clone(), s)
        .ns(o.namespace.as_deref())
        .owner(&owner);
    // A partition's index goes with its table or its parent index; the server refuses to
    // drop it alone (pg_dump's dumpIndex).
    if ix.parent_oid == 0 {
        e.drop = format!("DROP INDEX {};\n", cx.qname(o));
    }
    e.tablespace = Some(ix.tablespace.clone());
    cx.push_def(e);
    cx.comment(&ix.comment, "INDEX", &q, o, &owner);
}

pub(super) fn index_attach(cx: &mut Ctx, o: &Obj) {
    let Detail::IndexAttach {
        index,
        parent_index,
    } = &o.detail
    else {
        return;
    };
    let (child, parent) = (&cx.cat.objects[*index], &cx.cat.objects[*parent_index]);
    let owner = match &child.detail {
        Detail::Index(ix) => table_owner(cx, ix.table),
        _ => String::new(),
    };
    let s = format!(
        "ALTER INDEX {} ATTACH PARTITION {};\n",
        cx.qname(parent),
        cx.qname(child)
    );
    cx.push_def(
        TocEntry::new("INDEX ATTACH", o.name.clone(), s)
            .ns(o.namespace.as_deref())
            .owner(&owner),
    );
}

pub(super) fn stats_ext(cx: &mut Ctx, o: &Obj) {
    let Detail::StatsExt(detail) = &o.detail else {
        return;
    };
    let StatsExtDetail {
        owner,
        def,
        stattarget,
        comment,
    } = &**detail;
    let qn = cx.qname(o);
    let mut s = format!("{def};\n");
    if *stattarget >= 0 {
        s.push_str(&format!(
            "ALTER STATISTICS {qn} SET STATISTICS {stattarget};\n"
        ));
    }
    let mut e = TocEntry::new("STATISTICS", o.name.clone(), s)
        .ns(o.namespace.as_deref())
        .owner(owner)
        .drop(format!("DROP STATISTICS {qn};\n"));
    e.owner_stmt = Some(format!(
        "ALTER STATISTICS {qn} OWNER TO {};",
        cx.ident(owner)
    ));
    cx.push_def(e);
    cx.comment(comment, "STATISTICS", &cx.ident(&o.name), o, owner);
}
