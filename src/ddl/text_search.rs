//! Text search dictionaries and configurations (dumpTSDictionary, dumpTSConfig).

use super::*;

pub(super) fn text_search(cx: &mut Ctx, o: &Obj) {
    let Detail::TextSearch(detail) = &o.detail else {
        return;
    };
    let TextSearchDetail {
        owner,
        head,
        mappings,
        comment,
    } = &**detail;
    let desc = if o.kind() == Kind::TsDict {
        "TEXT SEARCH DICTIONARY"
    } else {
        "TEXT SEARCH CONFIGURATION"
    };
    let qn = cx.qname(o);
    let mut s = format!("CREATE {desc} {qn} (\n    {head} );\n");
    for (token, dicts) in mappings {
        s.push_str(&format!(
            "\nALTER {desc} {qn}\n    ADD MAPPING FOR {} WITH {dicts};\n",
            cx.ident(token)
        ));
    }
    let mut e = TocEntry::new(desc, o.name.clone(), s)
        .ns(o.namespace.as_deref())
        .owner(owner)
        .drop(format!("DROP {desc} {qn};\n"));
    e.owner_stmt = Some(format!("ALTER {desc} {qn} OWNER TO {};", cx.ident(owner)));
    cx.push_def(e);
    cx.comment(comment, desc, &cx.ident(&o.name), o, owner);
}
