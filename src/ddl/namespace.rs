//! Schemas (pg_dump's dumpNamespace).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    if matches!(o.kind(), Kind::Namespace) {
        namespace(cx, o);
    }
}

pub(super) fn namespace(cx: &mut Ctx, o: &Obj) {
    let Detail::Namespace(detail) = &o.detail else {
        return;
    };
    let NamespaceDetail {
        owner,
        acl,
        comment,
        create,
        dump_definition,
        acl_only,
    } = &**detail;
    let q = cx.ident(&o.name);
    if *dump_definition {
        let defn = if *create {
            format!("CREATE SCHEMA {q};\n")
        } else {
            "-- *not* creating schema, since initdb creates it\n".to_string()
        };
        let drop = if *create {
            format!("DROP SCHEMA {q};\n")
        } else {
            "-- *not* dropping schema, since initdb creates it\n".to_string()
        };
        let mut e = TocEntry::new("SCHEMA", o.name.clone(), defn)
            .owner(owner)
            .drop(drop);
        e.owner_stmt = Some(format!("ALTER SCHEMA {q} OWNER TO {};", cx.ident(owner)));
        cx.push_def(e);
    }
    // The public schema's stock comment is not dumped.
    // pg_dump compares the quoted name, so --quote-all-identifiers keeps the comment.
    let comment =
        if !*create && q == "public" && comment.as_deref() == Some("standard public schema") {
            &None
        } else {
            comment
        };
    if !*acl_only {
        cx.comment(comment, "SCHEMA", &q, o, owner);
        cx.seclabel("SCHEMA", &q, o, owner);
    }
    cx.acl(acl, "SCHEMA", &q, None, None, owner, format!("SCHEMA {q}"));
}
