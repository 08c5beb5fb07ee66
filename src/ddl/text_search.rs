//! Text search dictionaries and configurations (dumpTSDictionary, dumpTSConfig).

use super::*;

pub(super) fn text_search(cx: &mut Ctx, o: &Obj) {
    let Detail::TextSearch(detail) = &o.detail else {
        return;
    };
    let TextSearchDetail {
        owner,
        base,
        init_option,
        mappings,
        comment,
    } = &**detail;
    let (desc, base_word) = if o.kind() == Kind::TsDict {
        ("TEXT SEARCH DICTIONARY", "TEMPLATE")
    } else {
        ("TEXT SEARCH CONFIGURATION", "PARSER")
    };
    let mut head = format!(
        "{base_word} = {}",
        cx.opts.quoting.qualified(&base.0, &base.1)
    );
    if let Some(opt) = init_option {
        head.push_str(&format!(",\n    {opt}"));
    }
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
