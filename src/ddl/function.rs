//! Functions, procedures and aggregates, casts and transforms (dumpFunc, dumpAgg, dumpCast, dumpTransform).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    match o.kind() {
        Kind::Func | Kind::Agg => function(cx, o),
        Kind::Cast => cast(cx, o),
        Kind::Transform => transform(cx, o),
        _ => {}
    }
}

pub(super) fn function(cx: &mut Ctx, o: &Obj) {
    let Detail::Func(f) = &o.detail else { return };
    let q = cx.ident(&o.name);
    let ns = o.namespace.as_deref().unwrap_or("");
    let qns = cx.ident(ns);
    // An aggregate over no arguments is tagged `name(*)` (pg_dump's format_aggregate_signature).
    let tag = if f.agg.is_some() && f.argtype_names.is_empty() {
        format!("{}(*)", o.name)
    } else {
        format!("{}({})", o.name, f.argtype_names.join(", "))
    };
    let (desc, defn, sig) = match &f.agg {
        Some(agg) => aggregate_definition(cx, &format!("{qns}.{q}"), f, agg),
        None => function_definition(cx, &format!("{qns}.{q}"), f),
    };
    let sig = format!("{q}({sig})");
    let mut e = TocEntry::new(desc, tag, defn)
        .ns(o.namespace.as_deref())
        .owner(&f.owner)
        .drop(format!("DROP {desc} {qns}.{sig};\n"));
    e.owner_stmt = Some(format!(
        "ALTER {desc} {qns}.{sig} OWNER TO {};",
        cx.ident(&f.owner)
    ));
    cx.push_def(e);
    cx.comment(&f.comment, desc, &sig, o, &f.owner);
    cx.seclabel(desc, &sig, o, &f.owner);
    function_acl(cx, o, f);
}

/// `CREATE AGGREGATE` (pg_dump's `dumpAgg`): the keyword, the statement and the identity
/// arguments that name it.
fn aggregate_definition(
    cx: &Ctx,
    qualified: &str,
    f: &FuncDetail,
    agg: &AggDetail,
) -> (&'static str, String, String) {
    let args = if f.arguments.is_empty() {
        "*".to_string()
    } else {
        f.arguments.clone()
    };
    let iargs = if f.identity_arguments.is_empty() {
        "*".to_string()
    } else {
        f.identity_arguments.clone()
    };
    let mut s = format!(
        "CREATE AGGREGATE {qualified}({args}) (\n    SFUNC = {},\n    STYPE = {}",
        agg.transfn, agg.transtype
    );
    // The final functions' default modify mode depends on the aggregate's kind (as in
    // DefineAggregate): read-only for normal aggregates, read-write for ordered-set ones.
    let default_modify = if agg.kind == 'n' { 'r' } else { 'w' };
    if agg.transspace != 0 {
        s.push_str(&format!(",\n    SSPACE = {}", agg.transspace));
    }
    if let Some(iv) = &agg.initval {
        s.push_str(&format!(",\n    INITCOND = {}", cx.lit(iv)));
    }
    if !agg.finalfn.is_empty() {
        s.push_str(&format!(",\n    FINALFUNC = {}", agg.finalfn));
        if agg.finalextra {
            s.push_str(",\n    FINALFUNC_EXTRA");
        }
        if agg.finalmodify != default_modify {
            s.push_str(&format!(
                ",\n    FINALFUNC_MODIFY = {}",
                modify_word(agg.finalmodify)
            ));
        }
    }
    if !agg.combinefn.is_empty() {
        s.push_str(&format!(",\n    COMBINEFUNC = {}", agg.combinefn));
    }
    if !agg.serialfn.is_empty() {
        s.push_str(&format!(",\n    SERIALFUNC = {}", agg.serialfn));
    }
    if !agg.deserialfn.is_empty() {
        s.push_str(&format!(",\n    DESERIALFUNC = {}", agg.deserialfn));
    }
    if !agg.mtransfn.is_empty() {
        s.push_str(&format!(
            ",\n    MSFUNC = {},\n    MINVFUNC = {},\n    MSTYPE = {}",
            agg.mtransfn, agg.minvtransfn, agg.mtranstype
        ));
        if agg.mtransspace != 0 {
            s.push_str(&format!(",\n    MSSPACE = {}", agg.mtransspace));
        }
        if !agg.mfinalfn.is_empty() {
            s.push_str(&format!(",\n    MFINALFUNC = {}", agg.mfinalfn));
            if agg.mfinalextra {
                s.push_str(",\n    MFINALFUNC_EXTRA");
            }
            if agg.mfinalmodify != default_modify {
                s.push_str(&format!(
                    ",\n    MFINALFUNC_MODIFY = {}",
                    modify_word(agg.mfinalmodify)
                ));
            }
        }
        if let Some(iv) = &agg.minitval {
            s.push_str(&format!(",\n    MINITCOND = {}", cx.lit(iv)));
        }
    }
    if agg.sortop != "0" && !agg.sortop.is_empty() {
        let op = agg.sortop.split('(').next().unwrap_or("").to_string();
        s.push_str(&format!(",\n    SORTOP = {}", op_name(&op)));
    }
    if agg.kind == 'h' {
        s.push_str(",\n    HYPOTHETICAL");
    }
    match agg.parallel {
        's' => s.push_str(",\n    PARALLEL = safe"),
        'r' => s.push_str(",\n    PARALLEL = restricted"),
        _ => {}
    }
    s.push_str("\n);\n");
    ("AGGREGATE", s, iargs)
}

/// `CREATE FUNCTION` or `CREATE PROCEDURE` (pg_dump's `dumpFunc`): the keyword, the statement
/// and the identity arguments that name it.
fn function_definition(
    cx: &Ctx,
    qualified: &str,
    f: &FuncDetail,
) -> (&'static str, String, String) {
    let keyword = if f.prokind == 'p' {
        "PROCEDURE"
    } else {
        "FUNCTION"
    };
    let mut s = format!("CREATE {keyword} {qualified}({})", f.arguments);
    if f.prokind != 'p' {
        s.push_str(&format!(" RETURNS {}", f.result));
    }
    s.push_str(&format!("\n    LANGUAGE {}", cx.ident(&f.language)));
    if f.prokind == 'w' {
        s.push_str(" WINDOW");
    }
    match f.volatile {
        'i' => s.push_str(" IMMUTABLE"),
        's' => s.push_str(" STABLE"),
        _ => {}
    }
    if f.strict {
        s.push_str(" STRICT");
    }
    if f.secdef {
        s.push_str(" SECURITY DEFINER");
    }
    if f.leakproof {
        s.push_str(" LEAKPROOF");
    }
    if f.cost != "0" {
        let default = if f.lang_is_c_or_internal { "1" } else { "100" };
        if f.cost != default {
            s.push_str(&format!(" COST {}", f.cost));
        }
    }
    if f.retset && f.rows != "0" && f.rows != "1000" {
        s.push_str(&format!(" ROWS {}", f.rows));
    }
    if let Some(sup) = &f.support {
        s.push_str(&format!(" SUPPORT {sup}"));
    }
    match f.parallel {
        's' => s.push_str(" PARALLEL SAFE"),
        'r' => s.push_str(" PARALLEL RESTRICTED"),
        _ => {}
    }
    for item in &f.config {
        if let Some((name, value)) = item.split_once('=') {
            s.push_str(&format!("\n    SET {} TO ", cx.ident(name)));
            if guc_list_quote(name) {
                let parts: Vec<String> = split_guc_list(value).iter().map(|p| cx.lit(p)).collect();
                s.push_str(&parts.join(", "));
            } else {
                s.push_str(&cx.lit(value));
            }
        }
    }
    let as_part = if let Some(body) = &f.sqlbody {
        body.clone()
    } else if let Some(bin) = f.bin.as_ref().filter(|b| !b.is_empty() && *b != "-") {
        // With an object file, the symbol is dollar-quoted only when it needs quoting
        // (pg_dump's dumpFunc).
        let mut s = format!("AS {}", cx.lit(bin));
        if !f.src.is_empty() {
            let plain = cx.opts.disable_dollar_quoting || !f.src.contains(['\'', '\\']);
            s.push_str(", ");
            s.push_str(&if plain {
                cx.lit(&f.src)
            } else {
                dollar_quote(&f.src)
            });
        }
        s
    } else if cx.opts.disable_dollar_quoting {
        format!("AS {}", cx.lit(&f.src))
    } else {
        format!("AS {}", dollar_quote(&f.src))
    };
    s.push_str(&format!("\n    {as_part};\n"));
    (keyword, s, f.identity_arguments.clone())
}

/// A function's, procedure's or aggregate's privileges (an aggregate's are a FUNCTION's, and
/// one over no arguments is `name(*)`, as format_aggregate_signature).
pub(super) fn function_acl(cx: &mut Ctx, o: &Obj, f: &FuncDetail) {
    let q = cx.ident(&o.name);
    let (acl_type, args) = match f.prokind {
        'p' => ("PROCEDURE", f.identity_arguments.as_str()),
        'a' if f.identity_arguments.is_empty() => ("FUNCTION", "*"),
        _ => ("FUNCTION", f.identity_arguments.as_str()),
    };
    let sig = format!("{q}({args})");
    let tag = format!("{acl_type} {sig}");
    cx.acl(
        &f.acl,
        acl_type,
        &sig,
        None,
        o.namespace.as_deref(),
        &f.owner,
        tag,
    );
}

pub(super) fn modify_word(c: char) -> &'static str {
    match c {
        's' => "SHAREABLE",
        'w' => "READ_WRITE",
        _ => "READ_ONLY",
    }
}

pub(super) fn guc_list_quote(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "local_preload_libraries"
            | "search_path"
            | "session_preload_libraries"
            | "shared_preload_libraries"
            | "temp_tablespaces"
            | "unix_socket_directories"
    )
}

pub(super) fn split_guc_list(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                out.push(cur.trim().to_string());
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    out
}

pub(super) fn cast(cx: &mut Ctx, o: &Obj) {
    let Detail::Cast(detail) = &o.detail else {
        return;
    };
    let CastDetail {
        types,
        method,
        function,
        context,
        comment,
    } = &**detail;
    let mut body = match method {
        'b' => "WITHOUT FUNCTION".to_string(),
        'i' => "WITH INOUT".to_string(),
        _ => format!("WITH FUNCTION {}", function.as_deref().unwrap_or_default()),
    };
    match context {
        'a' => body.push_str(" AS ASSIGNMENT"),
        'i' => body.push_str(" AS IMPLICIT"),
        _ => {}
    }
    let label = format!("CAST ({types})");
    cx.push_def(
        TocEntry::new(
            "CAST",
            label.clone(),
            format!("CREATE CAST ({types}) {body};\n"),
        )
        .drop(format!("DROP CAST ({types});\n")),
    );
    if let (Some(text), false, true) = (comment, cx.opts.no_comments, cx.opts.schema) {
        let defn = format!("COMMENT ON {label} IS {};\n", cx.lit(text));
        cx.out.push(TocEntry::new("COMMENT", label, defn).owner(""));
    }
}

/// A `regprocedure` text without its argument list (pg_dump's `convertRegProcReference`).
pub(super) fn without_args(proc: &str) -> &str {
    let mut in_quote = false;
    for (i, c) in proc.char_indices() {
        match c {
            '(' if !in_quote => return &proc[..i],
            '"' => in_quote = !in_quote,
            _ => {}
        }
    }
    proc
}

pub(super) fn transform(cx: &mut Ctx, o: &Obj) {
    let Detail::Transform(d) = &o.detail else {
        return;
    };
    let args = format!("FOR {} LANGUAGE {}", d.type_name, cx.ident(&d.language));
    let signature =
        |f: &FunctionRef| format!("{}.{}({})", cx.ident(&f.schema), cx.ident(&f.name), f.args);
    let mut parts = Vec::new();
    if let Some(f) = &d.from_sql {
        parts.push(format!("FROM SQL WITH FUNCTION {}", signature(f)));
    }
    if let Some(f) = &d.to_sql {
        parts.push(format!("TO SQL WITH FUNCTION {}", signature(f)));
    }
    let defn = format!("CREATE TRANSFORM {args} ({});\n", parts.join(", "));
    cx.push_def(
        TocEntry::new("TRANSFORM", format!("TRANSFORM {args}"), defn)
            .drop(format!("DROP TRANSFORM {args};\n")),
    );
    cx.comment(&d.comment, "TRANSFORM", &args, o, "");
}
