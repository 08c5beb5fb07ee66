//! Publications, their tables and schemas, and subscriptions (dumpPublication, dumpSubscription).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    match o.kind() {
        Kind::Publication => publication(cx, o),
        Kind::PublicationRel | Kind::PublicationSchema => publication_member(cx, o),
        Kind::Subscription => subscription(cx, o),
        _ => {}
    }
}

pub(super) fn publication(cx: &mut Ctx, o: &Obj) {
    let Detail::Publication(detail) = &o.detail else {
        return;
    };
    let PublicationDetail {
        owner,
        all_tables,
        publish,
        via_root,
        comment,
    } = &**detail;
    let q = cx.ident(&o.name);
    let mut s = format!("CREATE PUBLICATION {q}");
    if *all_tables {
        s.push_str(" FOR ALL TABLES");
    }
    s.push_str(&format!(" WITH (publish = '{publish}'"));
    if *via_root {
        s.push_str(", publish_via_partition_root = true");
    }
    s.push_str(");\n");
    let mut e = TocEntry::new("PUBLICATION", o.name.clone(), s)
        .owner(owner)
        .drop(format!("DROP PUBLICATION {q};\n"));
    e.owner_stmt = Some(format!(
        "ALTER PUBLICATION {q} OWNER TO {};",
        cx.ident(owner)
    ));
    cx.push_def(e);
    cx.comment(comment, "PUBLICATION", &q, o, owner);
    cx.seclabel("PUBLICATION", &q, o, owner);
}

pub(super) fn publication_member(cx: &mut Ctx, o: &Obj) {
    let Detail::PublicationMember(detail) = &o.detail else {
        return;
    };
    let PublicationMemberDetail {
        publication,
        member,
        columns,
        filter,
    } = &**detail;
    let p = &cx.cat.objects[*publication];
    let owner = match &p.detail {
        Detail::Publication(p) => p.owner.clone(),
        _ => String::new(),
    };
    let m = &cx.cat.objects[*member];
    let qp = cx.ident(&p.name);
    let e = if o.kind() == Kind::PublicationSchema {
        TocEntry::new(
            "PUBLICATION TABLES IN SCHEMA",
            format!("{} {}", p.name, m.name),
            format!(
                "ALTER PUBLICATION {qp} ADD TABLES IN SCHEMA {};\n",
                cx.ident(&m.name)
            ),
        )
        .ns(Some(&m.name))
        .owner(&owner)
    } else {
        let mut s = format!("ALTER PUBLICATION {qp} ADD TABLE ONLY {}", cx.qname(m));
        if let Some(c) = columns {
            s.push_str(&format!(" ({c})"));
        }
        if let Some(f) = filter {
            s.push_str(&format!(" WHERE ({f})"));
        }
        s.push_str(";\n");
        TocEntry::new("PUBLICATION TABLE", format!("{} {}", p.name, m.name), s)
            .ns(m.namespace.as_deref())
            .owner(&owner)
    };
    cx.push_def(e);
}

pub(super) fn subscription(cx: &mut Ctx, o: &Obj) {
    let Detail::Subscription(d) = &o.detail else {
        return;
    };
    let q = cx.ident(&o.name);
    let publications: Vec<String> = d.publications.iter().map(|p| cx.ident(p)).collect();
    let mut s = format!(
        "CREATE SUBSCRIPTION {q} CONNECTION {} PUBLICATION {} WITH (connect = false, slot_name = {}",
        cx.lit(&d.conninfo),
        publications.join(", "),
        d.slot.as_deref().map(|n| cx.lit(n)).unwrap_or_else(|| "NONE".into())
    );
    if d.binary {
        s.push_str(", binary = true");
    }
    let dialect = cx.opts.dialect;
    match d.streaming {
        't' => s.push_str(", streaming = on"),
        'p' => s.push_str(", streaming = parallel"),
        _ if dialect.subscription_streaming_off() => s.push_str(", streaming = off"),
        _ => {}
    }
    if d.two_phase {
        s.push_str(", two_phase = on");
    }
    if d.disable_on_error {
        s.push_str(", disable_on_error = true");
    }
    if dialect.major >= 16 && !d.password_required {
        s.push_str(", password_required = false");
    }
    if dialect.major >= 16 && d.run_as_owner {
        s.push_str(", run_as_owner = true");
    }
    if dialect.major >= 17 && d.failover {
        s.push_str(", failover = true");
    }
    if d.synchronous_commit != "off" {
        s.push_str(&format!(
            ", synchronous_commit = {}",
            cx.ident(&d.synchronous_commit)
        ));
    }
    if dialect.major >= 16 && !d.origin.eq_ignore_ascii_case("any") {
        s.push_str(&format!(", origin = {}", d.origin));
    }
    s.push_str(");\n");
    let mut e = TocEntry::new("SUBSCRIPTION", o.name.clone(), s)
        .owner(&d.owner)
        .drop(format!("DROP SUBSCRIPTION {q};\n"));
    e.owner_stmt = Some(format!(
        "ALTER SUBSCRIPTION {q} OWNER TO {};",
        cx.ident(&d.owner)
    ));
    cx.push_def(e);
    cx.comment(&d.comment, "SUBSCRIPTION", &q, o, &d.owner);
    cx.seclabel("SUBSCRIPTION", &q, o, &d.owner);
}
