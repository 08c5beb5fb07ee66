//! Text search dictionaries and configurations (dumpTSDictionary, dumpTSConfig).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    match o.kind() {
        Kind::TsDict | Kind::TsConfig => text_search(cx, o),
        Kind::Conversion | Kind::TsParser | Kind::TsTemplate => simple(cx, o),
        _ => {}
    }
}

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

pub(super) fn simple(cx: &mut Ctx, o: &Obj) {
    let Detail::Simple(d) = &o.detail else {
        return;
    };
    let desc = match o.kind() {
        Kind::Conversion => "CONVERSION",
        Kind::TsParser => "TEXT SEARCH PARSER",
        _ => "TEXT SEARCH TEMPLATE",
    };
    let qn = cx.qname(o);
    let defn = match &d.def {
        SimpleDef::Conversion {
            default,
            from_encoding,
            to_encoding,
            function,
        } => format!(
            "CREATE {}{desc} {qn} FOR {} TO {} FROM {function};\n",
            if *default { "DEFAULT " } else { "" },
            cx.lit(from_encoding),
            cx.lit(to_encoding)
        ),
        SimpleDef::Parser {
            start,
            gettoken,
            end,
            headline,
            lextypes,
        } => {
            let mut lines = vec![
                format!("    START = {start}"),
                format!("    GETTOKEN = {gettoken}"),
                format!("    END = {end}"),
            ];
            if let Some(h) = headline {
                lines.push(format!("    HEADLINE = {h}"));
            }
            lines.push(format!("    LEXTYPES = {lextypes}"));
            format!("CREATE {desc} {qn} (\n{} );\n", lines.join(",\n"))
        }
        SimpleDef::Template { init, lexize } => {
            let mut lines = Vec::new();
            if let Some(i) = init {
                lines.push(format!("    INIT = {i}"));
            }
            lines.push(format!("    LEXIZE = {lexize}"));
            format!("CREATE {desc} {qn} (\n{} );\n", lines.join(",\n"))
        }
    };
    let mut e = TocEntry::new(desc, o.name.clone(), defn)
        .ns(o.namespace.as_deref())
        .drop(format!("DROP {desc} {qn};\n"));
    if let Some(owner) = &d.owner {
        e = e.owner(owner);
        e.owner_stmt = Some(format!("ALTER {desc} {qn} OWNER TO {};", cx.ident(owner)));
    }
    cx.push_def(e);
    let owner = d.owner.clone().unwrap_or_default();
    cx.comment(&d.comment, desc, &cx.ident(&o.name), o, &owner);
}
