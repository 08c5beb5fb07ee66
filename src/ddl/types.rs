//! Types: base, enum, range, composite, domain, shell types, and collations (dumpType, dumpCollation).

use super::*;

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
                .range_options
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
                t.base_options.join(",\n    ")
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
