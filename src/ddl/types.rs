//! Types: base, enum, range, composite, domain, shell types, and collations (dumpType, dumpCollation).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    match o.kind() {
        Kind::Type => type_entries(cx, o),
        Kind::ShellType => shell_type(cx, o),
        Kind::Collation => collation(cx, o),
        _ => {}
    }
}

pub(super) fn type_entries(cx: &mut Ctx, o: &Obj) {
    let Detail::Type(t) = &o.detail else { return };
    let qn = cx.qname(o);
    let q = cx.ident(&o.name);
    let (desc, defn) = match t.typtype {
        'e' => {
            let mut s = format!("CREATE TYPE {qn} AS ENUM (");
            for (i, l) in t.enum_labels.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push_str("\n    ");
                s.push_str(&cx.lit(l));
            }
            s.push_str("\n);\n");
            ("TYPE", s)
        }
        'd' => {
            let mut s = format!("CREATE DOMAIN {qn} AS {}", t.domain_base);
            if let Some(c) = &t.domain_collation {
                s.push_str(&format!(" COLLATE {c}"));
            }
            if t.domain_not_null {
                s.push_str(" NOT NULL");
            }
            if let Some(d) = &t.domain_default {
                s.push_str(&format!(" DEFAULT {d}"));
            }
            for &cid in &t.domain_constraints {
                let co = &cx.cat.objects[cid];
                if let Detail::Constraint(c) = &co.detail {
                    if !c.separate {
                        s.push_str(&format!("\n\tCONSTRAINT {} {}", cx.ident(&co.name), c.def));
                    }
                }
            }
            s.push_str(";\n");
            ("DOMAIN", s)
        }
        'r' => {
            let body: Vec<String> = t
                .range
                .as_deref()
                .map(|r| range_body(cx, r))
                .unwrap_or_default()
                .iter()
                .map(|o| format!("\n    {o}"))
                .collect();
            (
                "TYPE",
                format!("CREATE TYPE {qn} AS RANGE ({}\n);\n", body.join(",")),
            )
        }
        // A user-made pseudo-type is a shell never completed (pg_dump's dumpUndefinedType).
        'p' => ("TYPE", format!("CREATE TYPE {qn};\n")),
        'b' => (
            "TYPE",
            format!(
                "CREATE TYPE {qn} (\n    {}\n);\n",
                t.base
                    .as_deref()
                    .map(|b| base_body(cx, b))
                    .unwrap_or_default()
                    .join(",\n    ")
            ),
        ),
        'c' => {
            let mut s = format!("CREATE TYPE {qn} AS (");
            for (i, (name, ty, coll)) in t.composite_attrs.iter().enumerate() {
                s.push_str(if i == 0 { "\n\t" } else { ",\n\t" });
                s.push_str(&format!("{} {ty}", cx.ident(name)));
                if let Some(c) = coll {
                    s.push_str(&format!(" COLLATE {c}"));
                }
            }
            s.push_str("\n);\n");
            ("TYPE", s)
        }
        _ => return,
    };
    // A base type's I/O functions depend on it: its DROP cascades to them (pg_dump's dumpBaseType).
    let cascade = if t.typtype == 'b' { " CASCADE" } else { "" };
    let mut e = TocEntry::new(desc, o.name.clone(), defn)
        .ns(o.namespace.as_deref())
        .owner(&t.owner)
        .drop(format!("DROP {desc} {qn}{cascade};\n"));
    e.owner_stmt = Some(format!(
        "ALTER {desc} {qn} OWNER TO {};",
        cx.ident(&t.owner)
    ));
    cx.push_def(e);
    cx.comment(&t.comment, desc, &q, o, &t.owner);
    cx.seclabel(desc, &q, o, &t.owner);
    for (col, text) in &t.column_comments {
        cx.comment_raw(
            &Some(text.clone()),
            format!("COLUMN {qn}.{}", cx.ident(col)),
            format!("COLUMN {}.{}", q, cx.ident(col)),
            o.namespace.as_deref(),
            &t.owner,
        );
    }
    if desc == "DOMAIN" {
        for &cid in &t.domain_constraints {
            let co = &cx.cat.objects[cid];
            if let Detail::Constraint(c) = &co.detail {
                if !c.separate {
                    let cq = cx.ident(&co.name);
                    cx.comment_raw(
                        &c.comment,
                        format!("CONSTRAINT {cq} ON DOMAIN {qn}"),
                        format!("CONSTRAINT {cq} ON DOMAIN {q}"),
                        o.namespace.as_deref(),
                        &t.owner,
                    );
                }
            }
        }
    }
    type_acl(cx, o, t);
}

/// A type's or domain's privileges (both GRANT ... ON TYPE).
pub(super) fn type_acl(cx: &mut Ctx, o: &Obj, t: &TypeDetail) {
    let q = cx.ident(&o.name);
    let tag = format!("TYPE {q}");
    cx.acl(
        &t.acl,
        "TYPE",
        &q,
        None,
        o.namespace.as_deref(),
        &t.owner,
        tag,
    );
}

pub(super) fn shell_type(cx: &mut Ctx, o: &Obj) {
    let Detail::Shell { base } = &o.detail else {
        return;
    };
    let owner = match &cx.cat.objects[*base].detail {
        Detail::Type(t) => t.owner.clone(),
        _ => String::new(),
    };
    let defn = format!("CREATE TYPE {};\n", cx.qname(o));
    cx.push_def(
        TocEntry::new("SHELL TYPE", o.name.clone(), defn)
            .ns(o.namespace.as_deref())
            .owner(&owner),
    );
}

pub(super) fn collation(cx: &mut Ctx, o: &Obj) {
    let Detail::Collation(detail) = &o.detail else {
        return;
    };
    let CollationDetail {
        owner,
        provider,
        deterministic,
        collate,
        ctype,
        locale,
        icu_rules,
        comment,
    } = &**detail;
    let qn = cx.qname(o);
    let mut s = format!("CREATE COLLATION {qn} (");
    s.push_str(match provider {
        'i' => "provider = icu",
        'c' => "provider = libc",
        'b' => "provider = builtin",
        _ => "provider = default",
    });
    if !deterministic {
        s.push_str(", deterministic = false");
    }
    if matches!(provider, 'i' | 'b') {
        if let Some(l) = locale {
            s.push_str(&format!(", locale = {}", cx.lit(l)));
        }
        if let Some(r) = icu_rules {
            s.push_str(&format!(", rules = {}", cx.lit(r)));
        }
    } else if *provider == 'c' {
        let (c, t) = (
            collate.clone().unwrap_or_default(),
            ctype.clone().unwrap_or_default(),
        );
        if c == t {
            s.push_str(&format!(", locale = {}", cx.lit(&c)));
        } else {
            s.push_str(&format!(
                ", lc_collate = {}, lc_ctype = {}",
                cx.lit(&c),
                cx.lit(&t)
            ));
        }
    }
    s.push_str(");\n");
    let mut e = TocEntry::new("COLLATION", o.name.clone(), s)
        .ns(o.namespace.as_deref())
        .owner(owner)
        .drop(format!("DROP COLLATION {qn};\n"));
    e.owner_stmt = Some(format!(
        "ALTER COLLATION {qn} OWNER TO {};",
        cx.ident(owner)
    ));
    cx.push_def(e);
    cx.comment(comment, "COLLATION", &cx.ident(&o.name), o, owner);
}

/// The body lines of `CREATE TYPE name AS RANGE (...)`, in dumpRangeType's order.
fn range_body(cx: &Ctx, r: &RangeTypeDef) -> Vec<String> {
    let mut o = vec![format!("subtype = {}", r.subtype)];
    if let Some(m) = &r.multirange {
        o.push(format!("multirange_type_name = {m}"));
    }
    if let Some((nsp, name)) = &r.opclass {
        o.push(format!(
            "subtype_opclass = {}.{}",
            cx.ident(nsp),
            cx.ident(name)
        ));
    }
    if let Some(c) = &r.collation {
        o.push(format!("collation = {c}"));
    }
    for (f, word) in [
        (&r.canonical, "canonical"),
        (&r.subtype_diff, "subtype_diff"),
    ] {
        if f != "-" {
            o.push(format!("{word} = {f}"));
        }
    }
    o
}

/// The body lines of `CREATE TYPE name (...)` for a base type, in dumpBaseType's order.
fn base_body(cx: &Ctx, b: &BaseTypeDef) -> Vec<String> {
    let mut o = vec![if b.typlen == -1 {
        "INTERNALLENGTH = variable".to_string()
    } else {
        format!("INTERNALLENGTH = {}", b.typlen)
    }];
    o.push(format!("INPUT = {}", b.input));
    o.push(format!("OUTPUT = {}", b.output));
    for (f, word) in [
        (&b.receive, "RECEIVE"),
        (&b.send, "SEND"),
        (&b.typmod_in, "TYPMOD_IN"),
        (&b.typmod_out, "TYPMOD_OUT"),
        (&b.analyze, "ANALYZE"),
    ] {
        if let Some(f) = f {
            o.push(format!("{word} = {f}"));
        }
    }
    if b.collatable {
        o.push("COLLATABLE = true".into());
    }
    if let Some(expr) = &b.default_expr {
        o.push(format!("DEFAULT = {expr}"));
    } else if let Some(value) = &b.default_value {
        o.push(format!("DEFAULT = {}", cx.lit(value)));
    }
    if let Some(f) = &b.subscript {
        o.push(format!("SUBSCRIPT = {f}"));
    }
    if let Some(elem) = &b.element {
        o.push(format!("ELEMENT = {elem}"));
    }
    if b.category != "U" {
        o.push(format!("CATEGORY = {}", cx.lit(&b.category)));
    }
    if b.preferred {
        o.push("PREFERRED = true".into());
    }
    if b.delimiter != "," {
        o.push(format!("DELIMITER = {}", cx.lit(&b.delimiter)));
    }
    match b.align {
        'c' => o.push("ALIGNMENT = char".into()),
        's' => o.push("ALIGNMENT = int2".into()),
        'i' => o.push("ALIGNMENT = int4".into()),
        'd' => o.push("ALIGNMENT = double".into()),
        _ => {}
    }
    match b.storage {
        'p' => o.push("STORAGE = plain".into()),
        'e' => o.push("STORAGE = external".into()),
        'x' => o.push("STORAGE = extended".into()),
        'm' => o.push("STORAGE = main".into()),
        _ => {}
    }
    if b.by_value {
        o.push("PASSEDBYVALUE".into());
    }
    o
}
