//! Foreign-data wrappers and servers, with user mappings (dumpForeignDataWrapper, dumpForeignServer).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    if matches!(o.kind(), Kind::ForeignDataWrapper | Kind::ForeignServer) {
        foreign(cx, o);
    }
}

pub(super) fn foreign(cx: &mut Ctx, o: &Obj) {
    let Detail::Foreign(d) = &o.detail else {
        return;
    };
    let q = cx.ident(&o.name);
    let desc = if o.kind() == Kind::ForeignDataWrapper {
        "FOREIGN DATA WRAPPER"
    } else {
        "SERVER"
    };
    let wrapper = d
        .wrapper
        .as_deref()
        .map(|w| format!(" FOREIGN DATA WRAPPER {}", cx.ident(w)))
        .unwrap_or_default();
    let defn = format!(
        "CREATE {desc} {q}{}{wrapper}{};\n",
        d.clauses,
        options_clause(&d.options)
    );
    let mut e = TocEntry::new(desc, o.name.clone(), defn)
        .owner(&d.owner)
        .drop(format!("DROP {desc} {q};\n"));
    e.owner_stmt = Some(format!("ALTER {desc} {q} OWNER TO {};", cx.ident(&d.owner)));
    cx.push_def(e);
    cx.comment(&d.comment, desc, &q, o, &d.owner);
    foreign_acl(cx, o, d);
    for (user, options) in &d.mappings {
        let defn = format!(
            "CREATE USER MAPPING FOR {} SERVER {q}{};\n",
            cx.ident(user),
            options_clause(options)
        );
        cx.push_def(
            TocEntry::new(
                "USER MAPPING",
                format!("USER MAPPING {user} SERVER {}", o.name),
                defn,
            )
            .owner(&d.owner)
            .drop(format!(
                "DROP USER MAPPING FOR {} SERVER {q};\n",
                cx.ident(user)
            )),
        );
    }
}

/// A foreign-data wrapper's or server's privileges.
pub(super) fn foreign_acl(cx: &mut Ctx, o: &Obj, d: &ForeignDetail) {
    let acl_type = if o.kind() == Kind::ForeignDataWrapper {
        "FOREIGN DATA WRAPPER"
    } else {
        "FOREIGN SERVER"
    };
    let q = cx.ident(&o.name);
    cx.acl(
        &d.acl,
        acl_type,
        &q,
        None,
        None,
        &d.owner,
        format!("{acl_type} {q}"),
    );
}

/// ` OPTIONS (...)` as pg_dump prints it, or nothing.
pub(super) fn options_clause(options: &str) -> String {
    if options.is_empty() {
        String::new()
    } else {
        format!(" OPTIONS (\n    {options}\n)")
    }
}
