//! Sequences and their values (dumpSequence, dumpSequenceData).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    if matches!(o.kind(), Kind::SequenceSet) {
        sequence_set(cx, o);
    }
}

pub(super) fn sequence(cx: &mut Ctx, o: &Obj, t: &TableDetail) {
    let Some(p) = &t.seq else { return };
    let qn = cx.qname(o);
    let (def_min, def_max) = match p.type_name.as_str() {
        "smallint" => (i16::MIN as i64, i16::MAX as i64),
        "integer" => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    };
    let (def_min, def_max) = if p.increment > 0 {
        (1, def_max)
    } else {
        (def_min, -1)
    };
    let mut body = String::new();
    body.push_str(&format!(
        "    START WITH {}\n    INCREMENT BY {}\n",
        p.start, p.increment
    ));
    if p.min == def_min {
        body.push_str("    NO MINVALUE\n");
    } else {
        body.push_str(&format!("    MINVALUE {}\n", p.min));
    }
    if p.max == def_max {
        body.push_str("    NO MAXVALUE\n");
    } else {
        body.push_str(&format!("    MAXVALUE {}\n", p.max));
    }
    body.push_str(&format!("    CACHE {}", p.cache));
    if p.cycle {
        body.push_str("\n    CYCLE");
    }
    let owning = t
        .owning_table
        .map(|(tid, col)| (&cx.cat.objects[tid], tid, col));
    let mut e = if t.is_identity_sequence {
        let Some((tab, tid, col)) = owning else {
            return;
        };
        let cname = cx
            .cat
            .table(tid)
            .and_then(|tt| tt.columns.iter().find(|c| c.num == col))
            .map(|c| (c.name.clone(), c.identity));
        let Some((cname, identity)) = cname else {
            return;
        };
        let kind = if identity == Some('a') {
            "ALWAYS"
        } else {
            "BY DEFAULT"
        };
        let mut s = format!("ALTER TABLE {} ALTER COLUMN {} ADD GENERATED {kind} AS IDENTITY (\n    SEQUENCE NAME {qn}\n", cx.qname(tab), cx.ident(&cname));
        if p.type_name != "bigint" {
            // Identity sequences take the column's type; AS is not repeated.
        }
        s.push_str(&body);
        s.push_str("\n);\n");
        let mut e = TocEntry::new("SEQUENCE", o.name.clone(), s);
        e.owner_stmt = None;
        e
    } else {
        let unlogged = if t.persistence == 'u' {
            "UNLOGGED "
        } else {
            ""
        };
        let mut s = format!("CREATE {unlogged}SEQUENCE {qn}\n");
        if p.type_name != "bigint" {
            s.push_str(&format!("    AS {}\n", p.type_name));
        }
        s.push_str(&body);
        s.push_str(";\n");
        let mut e = TocEntry::new("SEQUENCE", o.name.clone(), s);
        e.owner_stmt = Some(format!(
            "ALTER {} {qn} OWNER TO {};",
            cx.opts.dialect.relation_owner_type("SEQUENCE"),
            cx.ident(&t.owner)
        ));
        e
    };
    e.namespace = o.namespace.as_deref().map(str::to_string);
    e.owner = Some(t.owner.clone());
    // An identity sequence goes with its column.
    if !t.is_identity_sequence {
        e.drop = format!("DROP SEQUENCE {qn};\n");
    }
    cx.push_def(e);
    if let (Some((tab, tid, col)), false) = (owning, t.is_identity_sequence) {
        if tab.dump {
            if let Some(c) = cx
                .cat
                .table(tid)
                .and_then(|tt| tt.columns.iter().find(|c| c.num == col))
            {
                let s = format!(
                    "ALTER SEQUENCE {qn} OWNED BY {}.{};\n",
                    cx.qname(tab),
                    cx.ident(&c.name)
                );
                cx.push_def(
                    TocEntry::new("SEQUENCE OWNED BY", o.name.clone(), s)
                        .ns(o.namespace.as_deref())
                        .owner(&t.owner),
                );
            }
        }
    }
    let q = cx.ident(&o.name);
    cx.comment(&t.comment, "SEQUENCE", &q, o, &t.owner);
    cx.table_seclabel("SEQUENCE", o, t);
    cx.acl(
        &t.acl,
        "SEQUENCE",
        &q,
        None,
        o.namespace.as_deref(),
        &t.owner,
        format!("SEQUENCE {q}"),
    );
}

pub(super) fn sequence_set(cx: &mut Ctx, o: &Obj) {
    let Detail::TableData { table } = &o.detail else {
        return;
    };
    let tab = &cx.cat.objects[*table];
    let Some(t) = cx.cat.table(*table) else {
        return;
    };
    let Some(p) = &t.seq else { return };
    let s = format!(
        "SELECT pg_catalog.setval({}, {}, {});\n",
        cx.lit(&cx.qname(tab)),
        p.last_value,
        if p.is_called { "true" } else { "false" }
    );
    cx.out.push(
        TocEntry::new("SEQUENCE SET", o.name.clone(), s)
            .ns(o.namespace.as_deref())
            .owner(&t.owner),
    );
}
