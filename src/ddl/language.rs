//! Procedural languages (dumpProcLang).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    if matches!(o.kind(), Kind::Language) {
        language(cx, o);
    }
}

pub(super) fn language(cx: &mut Ctx, o: &Obj) {
    let Detail::Language(d) = &o.detail else {
        return;
    };
    let q = cx.ident(&o.name);
    // Functions pgsnap knows as objects (not pg_catalog's) are named; pg_dump writes the full
    // command only when all of them are, else a bare one that the server completes.
    let named: Vec<Option<String>> = d
        .functions
        .iter()
        .map(|f| match f {
            None => Some(String::new()),
            // A function not dumped counts as not found (pg_dump's dumpProcLang).
            Some(found) => found
                .filter(|id| cx.cat.objects[*id].dump)
                .map(|id| cx.qname(&cx.cat.objects[id])),
        })
        .collect();
    let defn = match named.as_slice() {
        [Some(handler), Some(inline), Some(validator)] if !handler.is_empty() => {
            let mut s = format!(
                "CREATE {}PROCEDURAL LANGUAGE {q} HANDLER {handler}",
                if d.trusted { "TRUSTED " } else { "" }
            );
            if !inline.is_empty() {
                s.push_str(&format!(" INLINE {inline}"));
            }
            if !validator.is_empty() {
                s.push_str(&format!(" VALIDATOR {validator}"));
            }
            s.push_str(";\n");
            s
        }
        _ => format!("CREATE OR REPLACE PROCEDURAL LANGUAGE {q};\n"),
    };
    let mut e = TocEntry::new("PROCEDURAL LANGUAGE", o.name.clone(), defn)
        .owner(&d.owner)
        .drop(format!("DROP PROCEDURAL LANGUAGE {q};\n"));
    e.owner_stmt = Some(format!(
        "ALTER PROCEDURAL LANGUAGE {q} OWNER TO {};",
        cx.ident(&d.owner)
    ));
    cx.push_def(e);
    cx.comment(&d.comment, "LANGUAGE", &q, o, &d.owner);
    cx.seclabel("LANGUAGE", &q, o, &d.owner);
    language_acl(cx, o, d);
}

/// A procedural language's privileges.
pub(super) fn language_acl(cx: &mut Ctx, o: &Obj, d: &LanguageDetail) {
    let q = cx.ident(&o.name);
    cx.acl(
        &d.acl,
        "LANGUAGE",
        &q,
        None,
        None,
        &d.owner,
        format!("LANGUAGE {q}"),
    );
}
