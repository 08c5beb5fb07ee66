//! Row security policies (dumpPolicy).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    if matches!(o.kind(), Kind::Policy) {
        policy(cx, o);
    }
}

pub(super) fn policy(cx: &mut Ctx, o: &Obj) {
    let Detail::Policy(p) = &o.detail else { return };
    let tab = &cx.cat.objects[p.table];
    let owner = table_owner(cx, p.table);
    let Some(name) = &p.name else {
        // Row security enabled on the table; pg_dump writes no newline after this one.
        let e = TocEntry::new(
            "ROW SECURITY",
            tab.name.clone(),
            format!("ALTER TABLE {} ENABLE ROW LEVEL SECURITY;", cx.qname(tab)),
        )
        .ns(o.namespace.as_deref())
        .owner(&owner);
        cx.push_def(e);
        return;
    };
    let q = cx.ident(name);
    let cmd = match p.cmd {
        'r' => " FOR SELECT",
        'a' => " FOR INSERT",
        'w' => " FOR UPDATE",
        'd' => " FOR DELETE",
        _ => "",
    };
    let mut s = format!(
        "CREATE POLICY {q} ON {}{}{cmd}",
        cx.qname(tab),
        if p.permissive { "" } else { " AS RESTRICTIVE" }
    );
    if let Some(r) = &p.roles {
        s.push_str(&format!(" TO {r}"));
    }
    if let Some(qual) = &p.qual {
        s.push_str(&format!(" USING ({qual})"));
    }
    if let Some(wc) = &p.with_check {
        s.push_str(&format!(" WITH CHECK ({wc})"));
    }
    s.push_str(";\n");
    let drop = format!("DROP POLICY {q} ON {};\n", cx.qname(tab));
    push_table_child(cx, "POLICY", o, p.table, s, drop, &p.comment);
}
