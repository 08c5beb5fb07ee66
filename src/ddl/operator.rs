//! Operators, access methods, operator classes and families (dumpOpr, dumpAccessMethod, dumpOpclass, dumpOpfamily).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    match o.kind() {
        Kind::Operator => operator(cx, o),
        Kind::AccessMethod => access_method(cx, o),
        Kind::OpFamily | Kind::OpClass => opclass(cx, o),
        _ => {}
    }
}

pub(super) fn operator(cx: &mut Ctx, o: &Obj) {
    let Detail::Operator(d) = &o.detail else {
        return;
    };
    let Some(function) = &d.function else { return };
    let nsp = cx.ident(o.namespace.as_deref().unwrap_or(""));
    let mut details = format!("    FUNCTION = {}", without_args(function));
    let mut oprid = format!("{} (", o.name);
    match &d.left {
        Some(l) => {
            details.push_str(&format!(",\n    LEFTARG = {l}"));
            oprid.push_str(l);
        }
        None => oprid.push_str("NONE"),
    }
    match &d.right {
        Some(r) => {
            details.push_str(&format!(",\n    RIGHTARG = {r}"));
            oprid.push_str(&format!(", {r})"));
        }
        None => oprid.push_str(", NONE)"),
    }
    for (label, other) in [("COMMUTATOR", &d.commutator), ("NEGATOR", &d.negator)] {
        if let Some((ns, name)) = other {
            details.push_str(&format!(
                ",\n    {label} = OPERATOR({}.{name})",
                cx.ident(ns)
            ));
        }
    }
    if d.merges {
        details.push_str(",\n    MERGES");
    }
    if d.hashes {
        details.push_str(",\n    HASHES");
    }
    for (label, f) in [("RESTRICT", &d.restrict), ("JOIN", &d.join)] {
        if let Some(f) = f {
            details.push_str(&format!(",\n    {label} = {}", without_args(f)));
        }
    }
    let defn = format!("CREATE OPERATOR {nsp}.{} (\n{details}\n);\n", o.name);
    let mut e = TocEntry::new("OPERATOR", o.name.clone(), defn)
        .ns(o.namespace.as_deref())
        .owner(&d.owner)
        .drop(format!("DROP OPERATOR {nsp}.{oprid};\n"));
    e.owner_stmt = Some(format!(
        "ALTER OPERATOR {nsp}.{oprid} OWNER TO {};",
        cx.ident(&d.owner)
    ));
    cx.push_def(e);
    cx.comment(&d.comment, "OPERATOR", &oprid, o, &d.owner);
}

pub(super) fn op_name(op: &str) -> String {
    // regoperator prints schema-qualified names as OPERATOR(schema.op) when needed.
    op.to_string()
}

pub(super) fn access_method(cx: &mut Ctx, o: &Obj) {
    let Detail::AccessMethod(d) = &o.detail else {
        return;
    };
    let kind = match d.amtype {
        'i' => "INDEX",
        't' => "TABLE",
        _ => return,
    };
    let q = cx.ident(&o.name);
    let defn = format!(
        "CREATE ACCESS METHOD {q} TYPE {kind} HANDLER {};\n",
        d.handler
    );
    cx.push_def(
        TocEntry::new("ACCESS METHOD", o.name.clone(), defn)
            .drop(format!("DROP ACCESS METHOD {q};\n")),
    );
    cx.comment(&d.comment, "ACCESS METHOD", &q, o, "");
}

/// The members of an operator class or family, as its CREATE or ALTER ... ADD lists them.
pub(super) fn am_members(q: Quoting, d: &OpClassDetail, class: bool) -> Vec<String> {
    let mut items = Vec::new();
    for op in &d.ops {
        let mut item = format!("OPERATOR {} {}", op.strategy, op.operator);
        if let Some((ns, fam)) = &op.sort_family {
            item.push_str(&format!(" FOR ORDER BY {}.{}", q.ident(ns), q.ident(fam)));
        }
        items.push(item);
    }
    for p in &d.procs {
        let (l, r) = &p.types;
        // A class prints the types only when both are known (pg_dump's check on empty text).
        let types = if !class || (!l.is_empty() && !r.is_empty()) {
            format!(" ({l}, {r})")
        } else {
            String::new()
        };
        items.push(format!("FUNCTION {}{types} {}", p.number, p.function));
    }
    items
}

pub(super) fn opclass(cx: &mut Ctx, o: &Obj) {
    let Detail::OpClass(d) = &o.detail else {
        return;
    };
    let qn = cx.qname(o);
    let using = format!("USING {}", cx.ident(&d.am));
    let members = am_members(cx.opts.quoting, d, o.kind() == Kind::OpClass);
    let (desc, defn) = if o.kind() == Kind::OpClass {
        let mut s = format!("CREATE OPERATOR CLASS {qn}\n    ");
        if d.default {
            s.push_str("DEFAULT ");
        }
        s.push_str(&format!("FOR TYPE {} {using}", d.for_type));
        if let Some((ns, fam)) = &d.family {
            s.push_str(&format!(" FAMILY {}.{}", cx.ident(ns), cx.ident(fam)));
        }
        s.push_str(" AS\n    ");
        let mut items: Vec<String> = d.storage.iter().map(|t| format!("STORAGE {t}")).collect();
        items.extend(members);
        if items.is_empty() {
            // Nothing after AS would not parse; pg_dump adds a no-op STORAGE clause.
            items.push(format!("STORAGE {}", d.for_type));
        }
        s.push_str(&items.join(" ,\n    "));
        s.push_str(";\n");
        ("OPERATOR CLASS", s)
    } else {
        let mut s = format!("CREATE OPERATOR FAMILY {qn} {using};\n");
        if !members.is_empty() {
            s.push_str(&format!(
                "ALTER OPERATOR FAMILY {qn} {using} ADD\n    {};\n",
                members.join(" ,\n    ")
            ));
        }
        ("OPERATOR FAMILY", s)
    };
    let mut e = TocEntry::new(desc, o.name.clone(), defn)
        .ns(o.namespace.as_deref())
        .owner(&d.owner)
        .drop(format!("DROP {desc} {qn} {using};\n"));
    e.owner_stmt = Some(format!(
        "ALTER {desc} {qn} {using} OWNER TO {};",
        cx.ident(&d.owner)
    ));
    cx.push_def(e);
    let target = format!("{} {using}", cx.ident(&o.name));
    cx.comment(&d.comment, desc, &target, o, &d.owner);
}
