//! Turns the ordered model into TOC entries with pg_dump's exact SQL text. Pure.

pub mod acl;
pub mod keywords;
pub mod quote;

use crate::model::*;
use crate::toc::{Pass, TableCopy, TocEntry};
use quote::{dollar_quote, qualified, quote_ident, quote_literal};

/// Output switches that change the text.
#[derive(Debug, Clone, Copy, Default)]
pub struct DdlOptions {
    /// `--inserts` and friends.
    pub inserts: Option<crate::inserts::InsertOptions>,
    /// `--no-toast-compression`
    pub no_toast_compression: bool,
    /// `-x`
    pub no_privileges: bool,
    /// `--no-comments`
    pub no_comments: bool,
    /// Definitions are printed (not `-a`).
    pub schema: bool,
    /// `--disable-dollar-quoting`
    pub disable_dollar_quoting: bool,
    /// `--load-via-partition-root`
    pub load_via_partition_root: bool,
}

struct Ctx<'a> {
    cat: &'a Catalog,
    opts: DdlOptions,
    out: &'a mut Vec<TocEntry>,
}

fn qname(o: &Obj) -> String {
    qualified(o.namespace.as_deref().unwrap_or(""), &o.name)
}

impl Ctx<'_> {
    fn lit(&self, s: &str) -> String {
        quote_literal(s, self.cat.std_strings)
    }

    /// `COMMENT ON <target> IS '...'` entry (pg_dump's `dumpComment`).
    fn comment(&mut self, comment: &Option<String>, kind: &str, name: &str, o: &Obj, owner: &str) {
        if self.opts.no_comments || !self.opts.schema {
            return;
        }
        let Some(text) = comment else { return };
        let target = match &o.namespace {
            Some(ns) if !matches!(kind, "SCHEMA" | "EXTENSION") => {
                format!("{kind} {}.{name}", quote_ident(ns))
            }
            _ => format!("{kind} {name}"),
        };
        let defn = format!("COMMENT ON {target} IS {};\n", self.lit(text));
        let ns = if matches!(kind, "SCHEMA" | "EXTENSION") {
            None
        } else {
            o.namespace.as_deref()
        };
        let mut e = TocEntry::new("COMMENT", format!("{kind} {name}"), defn)
            .ns(ns)
            .owner(owner);
        // Comments go in their parent's pass; event triggers are restored after the ACLs.
        if kind == "EVENT TRIGGER" {
            e.pass = Pass::PostAcl;
        }
        self.out.push(e);
    }

    /// `SECURITY LABEL FOR ... ON <target>` entry for an object's own labels (pg_dump's
    /// `dumpSecLabel`): `kind` and `name` as for its comment.
    fn seclabel(&mut self, kind: &str, name: &str, o: &Obj, owner: &str) {
        if !self.opts.schema {
            return;
        }
        let Some(labels) = self.cat.seclabels.get(&(o.cat.tableoid, o.cat.oid)) else {
            return;
        };
        let target = match &o.namespace {
            Some(ns) => format!("{kind} {}.{name}", quote_ident(ns)),
            None => format!("{kind} {name}"),
        };
        let mut sql = String::new();
        for l in labels.iter().filter(|l| l.subid == 0) {
            sql.push_str(&self.label_stmt(l, &target));
        }
        self.push_seclabel(
            sql,
            format!("{kind} {name}"),
            o.namespace.as_deref(),
            owner,
            kind,
        );
    }

    /// A relation's labels and its columns' in one entry (pg_dump's `dumpTableSecLabel`).
    fn table_seclabel(&mut self, kind: &str, o: &Obj, t: &TableDetail) {
        if !self.opts.schema {
            return;
        }
        let Some(labels) = self.cat.seclabels.get(&(o.cat.tableoid, o.cat.oid)) else {
            return;
        };
        let qn = qname(o);
        let mut sql = String::new();
        for l in labels {
            let target = if l.subid == 0 {
                format!("{kind} {qn}")
            } else {
                match t.columns.iter().find(|c| i32::from(c.num) == l.subid) {
                    Some(c) => format!("COLUMN {qn}.{}", quote_ident(&c.name)),
                    None => continue,
                }
            };
            sql.push_str(&self.label_stmt(l, &target));
        }
        let tag = format!("{kind} {}", quote_ident(&o.name));
        self.push_seclabel(sql, tag, o.namespace.as_deref(), &t.owner, kind);
    }

    fn label_stmt(&self, l: &SecLabel, target: &str) -> String {
        format!(
            "SECURITY LABEL FOR {} ON {target} IS {};\n",
            quote_ident(&l.provider),
            self.lit(&l.label)
        )
    }

    fn push_seclabel(
        &mut self,
        sql: String,
        tag: String,
        ns: Option<&str>,
        owner: &str,
        kind: &str,
    ) {
        if sql.is_empty() {
            return;
        }
        let mut e = TocEntry::new("SECURITY LABEL", tag, sql)
            .ns(ns)
            .owner(owner);
        // Like its comment, an event trigger's label comes after the ACLs.
        if kind == "EVENT TRIGGER" {
            e.pass = Pass::PostAcl;
        }
        self.out.push(e);
    }

    /// Column/constraint comments whose target text is already complete.
    fn comment_raw(
        &mut self,
        text: &Option<String>,
        target: String,
        tag: String,
        ns: Option<&str>,
        owner: &str,
    ) {
        if self.opts.no_comments || !self.opts.schema {
            return;
        }
        let Some(text) = text else { return };
        let defn = format!("COMMENT ON {target} IS {};\n", self.lit(text));
        self.out
            .push(TocEntry::new("COMMENT", tag, defn).ns(ns).owner(owner));
    }

    /// ACL entry (pg_dump's `dumpACL`).
    #[allow(clippy::too_many_arguments)]
    fn acl(
        &mut self,
        acl: &Acl,
        objtype: &str,
        name: &str,
        subname: Option<&str>,
        ns: Option<&str>,
        owner: &str,
        tag: String,
    ) {
        if self.opts.no_privileges || !self.opts.schema {
            return;
        }
        let (acls, base) = match &acl.initprivs {
            Some(init) if !init.is_empty() => (
                acl.acl.clone().unwrap_or_else(|| acl.acldefault.clone()),
                init.clone(),
            ),
            _ => match &acl.acl {
                Some(a) => (a.clone(), acl.acldefault.clone()),
                None => return,
            },
        };
        let sql = acl::build_acl_commands(name, subname, ns, objtype, &acls, &base, owner);
        if sql.is_empty() {
            return;
        }
        let mut e = TocEntry::new("ACL", tag, sql).ns(ns).owner(owner);
        e.pass = Pass::Acl;
        self.out.push(e);
    }

    fn push_def(&mut self, e: TocEntry) {
        if self.opts.schema {
            self.out.push(e);
        }
    }
}

/// Builds the TOC entries for the objects in `order` (pg_dump's `dumpDumpableObject` loop).
/// The dump itself streams them with [`object_entries`]; this collects them all (tests, `-s`
/// text rendering).
pub fn entries(cat: &Catalog, order: &[DumpId], opts: DdlOptions) -> Vec<TocEntry> {
    let mut out = Vec::new();
    for &id in order {
        object_entries(cat, id, opts, &mut out);
    }
    out
}

/// Appends the TOC entries of one object (pg_dump's `dumpDumpableObject`); nothing when the
/// object is not dumped.
pub fn object_entries(cat: &Catalog, id: DumpId, opts: DdlOptions, out: &mut Vec<TocEntry>) {
    let mut cx = Ctx { cat, opts, out };
    {
        let o = &cat.objects[id];
        if !o.dump {
            return;
        }
        if o.acl_only {
            return acl_only_entries(&mut cx, o);
        }
        match o.kind() {
            Kind::Namespace => namespace(&mut cx, o),
            Kind::Extension => extension(&mut cx, o),
            Kind::Type => type_entries(&mut cx, o),
            Kind::Func | Kind::Agg => function(&mut cx, o),
            Kind::Collation => collation(&mut cx, o),
            Kind::Table => table(&mut cx, id, o),
            Kind::TableAttach => table_attach(&mut cx, o),
            Kind::AttrDef => attrdef(&mut cx, o),
            Kind::Index => index(&mut cx, o),
            Kind::IndexAttach => index_attach(&mut cx, o),
            Kind::Constraint | Kind::FkConstraint => constraint(&mut cx, o),
            Kind::Trigger => trigger(&mut cx, o),
            Kind::Policy => policy(&mut cx, o),
            Kind::DefaultAcl => default_acl(&mut cx, o),
            Kind::StatsExt => stats_ext(&mut cx, o),
            Kind::Publication => publication(&mut cx, o),
            Kind::EventTrigger => event_trigger(&mut cx, o),
            Kind::TsDict | Kind::TsConfig => text_search(&mut cx, o),
            Kind::Cast => cast(&mut cx, o),
            Kind::Operator => operator(&mut cx, o),
            Kind::AccessMethod => access_method(&mut cx, o),
            Kind::ForeignDataWrapper | Kind::ForeignServer => foreign(&mut cx, o),
            Kind::Blob => blob(&mut cx, o),
            Kind::Transform => transform(&mut cx, o),
            Kind::ShellType => shell_type(&mut cx, o),
            Kind::Language => language(&mut cx, o),
            Kind::Subscription => subscription(&mut cx, o),
            Kind::Conversion | Kind::TsParser | Kind::TsTemplate => simple(&mut cx, o),
            Kind::BlobData => cx.out.push(TocEntry::new("BLOBS", "BLOBS", "")),
            Kind::OpFamily | Kind::OpClass => opclass(&mut cx, o),
            Kind::PublicationRel | Kind::PublicationSchema => publication_member(&mut cx, o),
            Kind::TableData => table_data(&mut cx, o),
            Kind::SequenceSet => sequence_set(&mut cx, o),
            Kind::RefreshMatview => refresh_matview(&mut cx, o),
            Kind::Rule => rule(&mut cx, o),
            Kind::DummyType | Kind::PreDataBoundary | Kind::PostDataBoundary => {}
        }
    }
}

/// The privileges of an object whose definition is not dumped (an extension member, a
/// changed system catalog object), as its own dumpXxx would print them.
fn acl_only_entries(cx: &mut Ctx, o: &Obj) {
    match &o.detail {
        Detail::Table(t) => table_acls(cx, o, t),
        Detail::Func(f) => function_acl(cx, o, f),
        Detail::Type(t) => type_acl(cx, o, t),
        Detail::Language(d) => language_acl(cx, o, d),
        Detail::Foreign(d) => foreign_acl(cx, o, d),
        _ => {}
    }
}

fn namespace(cx: &mut Ctx, o: &Obj) {
    let Detail::Namespace(detail) = &o.detail else {
        return;
    };
    let NamespaceDetail {
        owner,
        acl,
        comment,
        create,
        dump_definition,
    } = &**detail;
    let q = quote_ident(&o.name);
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
        e.owner_stmt = Some(format!("ALTER SCHEMA {q} OWNER TO {};", quote_ident(owner)));
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
    cx.comment(comment, "SCHEMA", &q, o, owner);
    cx.seclabel("SCHEMA", &q, o, owner);
    cx.acl(acl, "SCHEMA", &q, None, None, owner, format!("SCHEMA {q}"));
}

fn extension(cx: &mut Ctx, o: &Obj) {
    let Detail::Extension(detail) = &o.detail else {
        return;
    };
    let ExtensionDetail {
        schema, comment, ..
    } = &**detail;
    let q = quote_ident(&o.name);
    let defn = format!(
        "CREATE EXTENSION IF NOT EXISTS {q} WITH SCHEMA {};\n",
        quote_ident(schema)
    );
    cx.push_def(
        TocEntry::new("EXTENSION", o.name.clone(), defn).drop(format!("DROP EXTENSION {q};\n")),
    );
    cx.comment(comment, "EXTENSION", &q, o, "");
}

fn type_entries(cx: &mut Ctx, o: &Obj) {
    let Detail::Type(t) = &o.detail else { return };
    let qn = qname(o);
    let q = quote_ident(&o.name);
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
                        s.push_str(&format!(
                            "\n\tCONSTRAINT {} {}",
                            quote_ident(&co.name),
                            c.def
                        ));
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
                s.push_str(&format!("{} {ty}", quote_ident(name)));
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
        quote_ident(&t.owner)
    ));
    cx.push_def(e);
    cx.comment(&t.comment, desc, &q, o, &t.owner);
    cx.seclabel(desc, &q, o, &t.owner);
    for (col, text) in &t.column_comments {
        cx.comment_raw(
            &Some(text.clone()),
            format!("COLUMN {qn}.{}", quote_ident(col)),
            format!("COLUMN {}.{}", q, quote_ident(col)),
            o.namespace.as_deref(),
            &t.owner,
        );
    }
    if desc == "DOMAIN" {
        for &cid in &t.domain_constraints {
            let co = &cx.cat.objects[cid];
            if let Detail::Constraint(c) = &co.detail {
                if !c.separate {
                    let cq = quote_ident(&co.name);
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

fn function(cx: &mut Ctx, o: &Obj) {
    let Detail::Func(f) = &o.detail else { return };
    let q = quote_ident(&o.name);
    let ns = o.namespace.as_deref().unwrap_or("");
    let qns = quote_ident(ns);
    // An aggregate over no arguments is tagged `name(*)` (pg_dump's format_aggregate_signature).
    let tag = if f.agg.is_some() && f.argtype_names.is_empty() {
        format!("{}(*)", o.name)
    } else {
        format!("{}({})", o.name, f.argtype_names.join(", "))
    };
    let (desc, defn, sig) = if let Some(agg) = &f.agg {
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
            "CREATE AGGREGATE {qns}.{q}({args}) (\n    SFUNC = {},\n    STYPE = {}",
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
        ("AGGREGATE", s, format!("{q}({iargs})"))
    } else {
        let keyword = if f.prokind == 'p' {
            "PROCEDURE"
        } else {
            "FUNCTION"
        };
        let mut s = format!("CREATE {keyword} {qns}.{q}({})", f.arguments);
        if f.prokind != 'p' {
            s.push_str(&format!(" RETURNS {}", f.result));
        }
        s.push_str(&format!("\n    LANGUAGE {}", quote_ident(&f.language)));
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
                s.push_str(&format!("\n    SET {} TO ", quote_ident(name)));
                if guc_list_quote(name) {
                    let parts: Vec<String> =
                        split_guc_list(value).iter().map(|p| cx.lit(p)).collect();
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
        (keyword, s, format!("{q}({})", f.identity_arguments))
    };
    let mut e = TocEntry::new(desc, tag, defn)
        .ns(o.namespace.as_deref())
        .owner(&f.owner)
        .drop(format!("DROP {desc} {qns}.{sig};\n"));
    e.owner_stmt = Some(format!(
        "ALTER {desc} {qns}.{sig} OWNER TO {};",
        quote_ident(&f.owner)
    ));
    cx.push_def(e);
    cx.comment(&f.comment, desc, &sig, o, &f.owner);
    cx.seclabel(desc, &sig, o, &f.owner);
    function_acl(cx, o, f);
}

/// A function's, procedure's or aggregate's privileges (an aggregate's are a FUNCTION's, and
/// one over no arguments is `name(*)`, as format_aggregate_signature).
fn function_acl(cx: &mut Ctx, o: &Obj, f: &FuncDetail) {
    let q = quote_ident(&o.name);
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

/// A type's or domain's privileges (both GRANT ... ON TYPE).
fn type_acl(cx: &mut Ctx, o: &Obj, t: &TypeDetail) {
    let q = quote_ident(&o.name);
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

fn modify_word(c: char) -> &'static str {
    match c {
        's' => "SHAREABLE",
        'w' => "READ_WRITE",
        _ => "READ_ONLY",
    }
}

fn op_name(op: &str) -> String {
    // regoperator prints schema-qualified names as OPERATOR(schema.op) when needed.
    op.to_string()
}

fn guc_list_quote(name: &str) -> bool {
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

fn split_guc_list(value: &str) -> Vec<String> {
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

fn collation(cx: &mut Ctx, o: &Obj) {
    let Detail::Collation(detail) = &o.detail else {
        return;
    };
    let CollationDetail {
        owner,
        provider,
        deterministic,
        collate,
        ctype,
        icu_locale,
        comment,
    } = &**detail;
    let qn = qname(o);
    let mut s = format!("CREATE COLLATION {qn} (");
    s.push_str(match provider {
        'i' => "provider = icu",
        'c' => "provider = libc",
        _ => "provider = default",
    });
    if !deterministic {
        s.push_str(", deterministic = false");
    }
    if *provider == 'i' {
        if let Some(l) = icu_locale {
            s.push_str(&format!(", locale = {}", cx.lit(l)));
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
        quote_ident(owner)
    ));
    cx.push_def(e);
    cx.comment(comment, "COLLATION", &quote_ident(&o.name), o, owner);
}

fn print_column(t: &TableDetail, c: &Column) -> bool {
    !c.dropped && (c.is_local || t.is_partition)
}

fn table(cx: &mut Ctx, id: DumpId, o: &Obj) {
    let Detail::Table(t) = &o.detail else { return };
    let cat = cx.cat;
    let qn = qname(o);
    let q = quote_ident(&o.name);
    match t.relkind {
        'S' => return sequence(cx, o, t),
        'c' => return,
        _ => {}
    }
    let mut s = String::new();
    let desc = match t.relkind {
        'v' => {
            s.push_str(&format!(
                "CREATE VIEW {qn}{};\n",
                view_clauses(t, t.dummy_view)
            ));
            "VIEW"
        }
        'm' => {
            s.push_str(&format!("CREATE MATERIALIZED VIEW {qn}"));
            if t.reloptions().is_some() || t.toast_reloptions().is_some() {
                s.push_str(&format!("\nWITH ({})", with_options(t)));
            }
            s.push_str(&format!(" AS\n{}\n  WITH NO DATA;\n", view_body(t)));
            "MATERIALIZED VIEW"
        }
        _ => {
            let unlogged = if t.persistence == 'u' {
                "UNLOGGED "
            } else {
                ""
            };
            let kind = if t.relkind == 'f' {
                "FOREIGN TABLE"
            } else {
                "TABLE"
            };
            s.push_str(&format!("CREATE {unlogged}{kind} {qn}"));
            if let Some(of) = t.of_type() {
                s.push_str(&format!(" OF {of}"));
            }
            let mut n = 0;
            for c in &t.columns {
                if !print_column(t, c) {
                    continue;
                }
                let def = c.default.and_then(|d| match &cat.objects[d].detail {
                    Detail::AttrDef {
                        expr,
                        separate: false,
                        ..
                    } if cat.objects[d].dump => Some(&**expr),
                    _ => None,
                });
                // A parent's default the child lacks is cancelled explicitly (pg_dump's
                // manufactured DEFAULT NULL in flagInhAttrs).
                let def = def.or_else(|| {
                    (c.default.is_none() && parent_has_default(cat, t, &c.name)).then_some("NULL")
                });
                // A NOT NULL inherited from a parent is not repeated (pg_dump's inhNotNull).
                let notnull =
                    c.not_null && (!inherited_not_null(cat, t, &c.name) || t.is_partition);
                if t.of_type().is_some() && def.is_none() && !notnull {
                    continue;
                }
                s.push_str(if n == 0 { " (" } else { "," });
                s.push_str("\n    ");
                n += 1;
                s.push_str(&quote_ident(&c.name));
                // A typed table's columns take their type from it.
                if t.of_type().is_none() {
                    s.push(' ');
                    s.push_str(&c.type_name);
                }
                if let Some(d) = def {
                    if c.generated == Some('s') {
                        s.push_str(&format!(" GENERATED ALWAYS AS ({d}) STORED"));
                    } else {
                        s.push_str(&format!(" DEFAULT {d}"));
                    }
                }
                if notnull {
                    s.push_str(" NOT NULL");
                }
                if let Some(coll) = c.collation() {
                    s.push_str(&format!(" COLLATE {coll}"));
                }
            }
            for &cid in &t.checks {
                let co = &cat.objects[cid];
                let Detail::Constraint(c) = &co.detail else {
                    continue;
                };
                if c.separate || (!c.is_local && !t.is_partition) {
                    continue;
                }
                s.push_str(if n == 0 { " (\n    " } else { ",\n    " });
                s.push_str(&format!("CONSTRAINT {} {}", quote_ident(&co.name), c.def));
                n += 1;
            }
            if n > 0 {
                s.push_str("\n)");
            } else if t.of_type().is_none() {
                s.push_str(" (\n)");
            }
            if !t.parents.is_empty() && !t.is_partition {
                let ps: Vec<String> = t.parents.iter().map(|p| qname(&cat.objects[*p])).collect();
                s.push_str(&format!("\nINHERITS ({})", ps.join(", ")));
            }
            if t.relkind == 'p' {
                if let Some(k) = t.partkeydef() {
                    s.push_str(&format!("\nPARTITION BY {k}"));
                }
            }
            if let Some((server, _)) = t.foreign() {
                s.push_str(&format!("\nSERVER {}", quote_ident(server)));
            }
            if t.reloptions().is_some() || t.toast_reloptions().is_some() {
                s.push_str(&format!("\nWITH ({})", with_options(t)));
            }
            if let Some((_, options)) = t.foreign().filter(|(_, o)| !o.is_empty()) {
                s.push_str(&format!("\nOPTIONS (\n    {options}\n)"));
            }
            s.push_str(";\n");
            kind
        }
    };
    let foreign = if t.relkind == 'f' { "FOREIGN " } else { "" };
    for c in &t.columns {
        if c.dropped {
            continue;
        }
        let qc = quote_ident(&c.name);
        if !print_column(t, c) && c.not_null && !inherited_not_null(cat, t, &c.name) {
            s.push_str(&format!(
                "ALTER {foreign}TABLE ONLY {qn} ALTER COLUMN {qc} SET NOT NULL;\n"
            ));
        }
        if c.stat_target >= 0 {
            s.push_str(&format!(
                "ALTER {foreign}TABLE ONLY {qn} ALTER COLUMN {qc} SET STATISTICS {};\n",
                c.stat_target
            ));
        }
        if c.storage != c.type_storage {
            let storage = match c.storage {
                'p' => Some("PLAIN"),
                'e' => Some("EXTERNAL"),
                'x' => Some("EXTENDED"),
                'm' => Some("MAIN"),
                _ => None,
            };
            if let Some(st) = storage {
                s.push_str(&format!(
                    "ALTER {foreign}TABLE ONLY {qn} ALTER COLUMN {qc} SET STORAGE {st};\n"
                ));
            }
        }
        match c.compression.filter(|_| !cx.opts.no_toast_compression) {
            Some('p') => s.push_str(&format!(
                "ALTER {foreign}TABLE ONLY {qn} ALTER COLUMN {qc} SET COMPRESSION pglz;\n"
            )),
            Some('l') => s.push_str(&format!(
                "ALTER {foreign}TABLE ONLY {qn} ALTER COLUMN {qc} SET COMPRESSION lz4;\n"
            )),
            _ => {}
        }
        if let Some(opts) = c.options() {
            s.push_str(&format!(
                "ALTER {foreign}TABLE ONLY {qn} ALTER COLUMN {qc} SET ({opts});\n"
            ));
        }
        if let Some(opts) = c.fdw_options() {
            s.push_str(&format!(
                "ALTER FOREIGN TABLE {qn} ALTER COLUMN {qc} OPTIONS (\n    {opts}\n);\n"
            ));
        }
    }
    match if matches!(t.relkind, 'r' | 'p') {
        t.replident
    } else {
        'd'
    } {
        'n' => s.push_str(&format!(
            "\nALTER TABLE ONLY {qn} REPLICA IDENTITY NOTHING;\n"
        )),
        'f' => s.push_str(&format!("\nALTER TABLE ONLY {qn} REPLICA IDENTITY FULL;\n")),
        _ => {}
    }
    if t.force_row_security {
        s.push_str(&format!(
            "\nALTER TABLE ONLY {qn} FORCE ROW LEVEL SECURITY;\n"
        ));
    }
    let mut e = TocEntry::new(desc, o.name.clone(), s)
        .ns(o.namespace.as_deref())
        .owner(&t.owner)
        .drop(format!("DROP {desc} {qn};\n"));
    // Views and foreign tables have no storage, so pg_dump names no tablespace for them.
    if !matches!(t.relkind, 'v' | 'f') {
        e.tablespace = Some(t.tablespace.clone());
    }
    if matches!(t.relkind, 'r' | 'm') {
        e.tableam = t.am.clone();
    }
    e.owner_stmt = Some(format!(
        "ALTER {foreign}TABLE {qn} OWNER TO {};",
        quote_ident(&t.owner)
    ));
    cx.push_def(e);
    cx.comment(&t.comment, desc, &q, o, &t.owner);
    for c in &t.columns {
        if c.dropped {
            continue;
        }
        let qc = quote_ident(&c.name);
        cx.comment_raw(
            &c.comment().cloned(),
            format!("COLUMN {qn}.{qc}"),
            format!("COLUMN {q}.{qc}"),
            o.namespace.as_deref(),
            &t.owner,
        );
    }
    cx.table_seclabel(desc, o, t);
    // Comments on the CHECK constraints written inside CREATE TABLE.
    for &cid in &t.checks {
        let co = &cat.objects[cid];
        let Detail::Constraint(c) = &co.detail else {
            continue;
        };
        if c.separate || !c.is_local || !co.dump {
            continue;
        }
        let cq = quote_ident(&co.name);
        cx.comment_raw(
            &c.comment,
            format!("CONSTRAINT {cq} ON {qn}"),
            format!("CONSTRAINT {cq} ON {q}"),
            o.namespace.as_deref(),
            &t.owner,
        );
    }
    table_acls(cx, o, t);
    let _ = id;
}

/// A table's privileges, then its columns' (each column's GRANT is on the TABLE).
fn table_acls(cx: &mut Ctx, o: &Obj, t: &TableDetail) {
    let q = quote_ident(&o.name);
    let objtype = if t.relkind == 'S' {
        "SEQUENCE"
    } else {
        "TABLE"
    };
    cx.acl(
        &t.acl,
        objtype,
        &q,
        None,
        o.namespace.as_deref(),
        &t.owner,
        format!("{objtype} {q}"),
    );
    for c in &t.columns {
        if let (Some(acl), false) = (c.acl(), c.dropped) {
            let qc = quote_ident(&c.name);
            cx.acl(
                acl,
                "TABLE",
                &q,
                Some(&qc),
                o.namespace.as_deref(),
                &t.owner,
                format!("COLUMN {q}.{qc}"),
            );
        }
    }
}

/// Whether a parent gives `column` a (non-generated) default: its own, or the DEFAULT NULL
/// it gets itself from a parent of its own.
fn parent_has_default(cat: &Catalog, t: &TableDetail, column: &str) -> bool {
    t.parents.iter().any(|p| {
        let Some(pt) = cat.table(*p) else {
            return false;
        };
        pt.columns
            .iter()
            .find(|c| c.name == column && !c.dropped)
            .is_some_and(|c| match c.default {
                Some(_) => c.generated.is_none(),
                None => parent_has_default(cat, pt, column),
            })
    })
}

fn inherited_not_null(cat: &Catalog, t: &TableDetail, column: &str) -> bool {
    t.parents.iter().any(|p| {
        cat.table(*p)
            .and_then(|pt| pt.columns.iter().find(|c| c.name == column && !c.dropped))
            .is_some_and(|c| c.not_null)
    })
}

fn with_options(t: &TableDetail) -> String {
    let mut parts = Vec::new();
    if let Some(r) = t.reloptions() {
        parts.push(r.clone());
    }
    if let Some(r) = t.toast_reloptions() {
        parts.push(r.clone());
    }
    parts.join(", ")
}

/// What follows a view's name in CREATE [OR REPLACE] VIEW: options, the query (or, for a
/// placeholder, typed NULLs) and the check option the real query carries.
fn view_clauses(t: &TableDetail, placeholder: bool) -> String {
    let mut s = String::new();
    if let Some(r) = t.reloptions() {
        s.push_str(&format!(" WITH ({r})"));
    }
    if placeholder {
        s.push_str(&format!(" AS\n{}", dummy_view_body(t)));
    } else {
        s.push_str(&format!(" AS\n{}", view_body(t)));
        if let Some(co) = t.check_option() {
            s.push_str(&format!("\n  WITH {co} CHECK OPTION"));
        }
    }
    s
}

/// A view's placeholder query: its columns as typed NULLs (pg_dump's createDummyViewAsClause).
fn dummy_view_body(t: &TableDetail) -> String {
    let mut s = String::from("SELECT");
    for (i, c) in t.columns.iter().filter(|c| !c.dropped).enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("\n    NULL::{}", c.type_name));
        if let Some(coll) = c.extra.as_ref().and_then(|x| x.collation.as_ref()) {
            s.push_str(&format!(" COLLATE {coll}"));
        }
        s.push_str(&format!(" AS {}", quote_ident(&c.name)));
    }
    s
}

fn view_body(t: &TableDetail) -> String {
    let def = t.viewdef().cloned().unwrap_or_default();
    def.trim_end_matches(';').to_string()
}

fn sequence(cx: &mut Ctx, o: &Obj, t: &TableDetail) {
    let Some(p) = &t.seq else { return };
    let qn = qname(o);
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
        let mut s = format!("ALTER TABLE {} ALTER COLUMN {} ADD GENERATED {kind} AS IDENTITY (\n    SEQUENCE NAME {qn}\n", qname(tab), quote_ident(&cname));
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
            "ALTER TABLE {qn} OWNER TO {};",
            quote_ident(&t.owner)
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
                    qname(tab),
                    quote_ident(&c.name)
                );
                cx.push_def(
                    TocEntry::new("SEQUENCE OWNED BY", o.name.clone(), s)
                        .ns(o.namespace.as_deref())
                        .owner(&t.owner),
                );
            }
        }
    }
    let q = quote_ident(&o.name);
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

fn table_attach(cx: &mut Ctx, o: &Obj) {
    let Detail::TableAttach { partition, parent } = &o.detail else {
        return;
    };
    let (po, pa) = (&cx.cat.objects[*partition], &cx.cat.objects[*parent]);
    let Some(t) = cx.cat.table(*partition) else {
        return;
    };
    let s = format!(
        "ALTER TABLE ONLY {} ATTACH PARTITION {} {};\n",
        qname(pa),
        qname(po),
        t.partbound().cloned().unwrap_or_default()
    );
    let e = TocEntry::new("TABLE ATTACH", o.name.clone(), s)
        .ns(o.namespace.as_deref())
        .owner(&t.owner);
    cx.push_def(e);
}

fn table_owner(cx: &Ctx, tid: DumpId) -> String {
    cx.cat
        .table(tid)
        .map(|t| t.owner.clone())
        .unwrap_or_default()
}

fn attrdef(cx: &mut Ctx, o: &Obj) {
    let Detail::AttrDef {
        table,
        adnum,
        expr,
        separate,
    } = &o.detail
    else {
        return;
    };
    if !separate {
        return;
    }
    let Some(t) = cx.cat.table(*table) else {
        return;
    };
    let Some(c) = t.columns.iter().find(|c| c.num == *adnum) else {
        return;
    };
    let tab = &cx.cat.objects[*table];
    let s = format!(
        "ALTER TABLE ONLY {} ALTER COLUMN {} SET DEFAULT {expr};\n",
        qname(tab),
        quote_ident(&c.name)
    );
    let drop = format!(
        "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT;\n",
        qname(tab),
        quote_ident(&c.name)
    );
    let e = TocEntry::new("DEFAULT", format!("{} {}", tab.name, c.name), s)
        .ns(o.namespace.as_deref())
        .owner(&t.owner)
        .drop(drop);
    cx.push_def(e);
}

fn index(cx: &mut Ctx, o: &Obj) {
    let Detail::Index(ix) = &o.detail else { return };
    let tab = &cx.cat.objects[ix.table];
    let owner = table_owner(cx, ix.table);
    let q = quote_ident(&o.name);
    // A constraint's index is created by its constraint; only a comment on it is dumped here.
    if ix.constraint.is_some() {
        cx.comment(&ix.comment, "INDEX", &q, o, &owner);
        return;
    }
    let mut s = format!("{};\n", ix.def);
    if ix.clustered {
        s.push_str(&format!("\nALTER TABLE {} CLUSTER ON {q};\n", qname(tab)));
    }
    for (col, target) in &ix.stat_targets {
        s.push_str(&format!(
            "ALTER INDEX {} ALTER COLUMN {col} SET STATISTICS {target};\n",
            qname(o)
        ));
    }
    if ix.replident {
        s.push_str(&format!(
            "\nALTER TABLE ONLY {} REPLICA IDENTITY USING INDEX {q};\n",
            qname(tab)
        ));
    }
    let mut e = TocEntry::new("INDEX", o.name.clone(), s)
        .ns(o.namespace.as_deref())
        .owner(&owner);
    // A partition's index goes with its table or its parent index; the server refuses to
    // drop it alone (pg_dump's dumpIndex).
    if ix.parent_oid == 0 {
        e.drop = format!("DROP INDEX {};\n", qname(o));
    }
    e.tablespace = Some(ix.tablespace.clone());
    cx.push_def(e);
    cx.comment(&ix.comment, "INDEX", &q, o, &owner);
}

fn index_attach(cx: &mut Ctx, o: &Obj) {
    let Detail::IndexAttach {
        index,
        parent_index,
    } = &o.detail
    else {
        return;
    };
    let (child, parent) = (&cx.cat.objects[*index], &cx.cat.objects[*parent_index]);
    let owner = match &child.detail {
        Detail::Index(ix) => table_owner(cx, ix.table),
        _ => String::new(),
    };
    let s = format!(
        "ALTER INDEX {} ATTACH PARTITION {};\n",
        qname(parent),
        qname(child)
    );
    cx.push_def(
        TocEntry::new("INDEX ATTACH", o.name.clone(), s)
            .ns(o.namespace.as_deref())
            .owner(&owner),
    );
}

fn constraint(cx: &mut Ctx, o: &Obj) {
    let Detail::Constraint(c) = &o.detail else {
        return;
    };
    let q = quote_ident(&o.name);
    if let Some(dom) = c.domain {
        if !c.separate {
            return;
        }
        let d = &cx.cat.objects[dom];
        let owner = match &d.detail {
            Detail::Type(t) => t.owner.clone(),
            _ => String::new(),
        };
        let s = format!(
            "ALTER DOMAIN {}\n    ADD CONSTRAINT {q} {};\n",
            qname(d),
            c.def
        );
        cx.push_def(
            TocEntry::new("CHECK CONSTRAINT", format!("{} {}", d.name, o.name), s)
                .ns(o.namespace.as_deref())
                .owner(&owner)
                .drop(format!("ALTER DOMAIN {} DROP CONSTRAINT {q};\n", qname(d))),
        );
        cx.comment_raw(
            &c.comment,
            format!("CONSTRAINT {q} ON DOMAIN {}", qname(d)),
            format!("CONSTRAINT {q} ON DOMAIN {}", quote_ident(&d.name)),
            o.namespace.as_deref(),
            &owner,
        );
        return;
    }
    let Some(tid) = c.table else { return };
    let tab = &cx.cat.objects[tid];
    let owner = table_owner(cx, tid);
    let relkind = cx.cat.table(tid).map(|t| t.relkind).unwrap_or('r');
    let tag = format!("{} {}", tab.name, o.name);
    // The statement that adds it and the one that drops it alter the table the same way.
    let (desc, s, tablespace, alter) = match c.contype {
        'p' | 'u' | 'x' => {
            let index = c.index.and_then(|i| match &cx.cat.objects[i].detail {
                Detail::Index(ix) => Some(ix),
                _ => None,
            });
            // The server's short form leaves out the index's storage parameters, which
            // pg_dump writes after the columns (an exclusion constraint's form has them).
            let def = match index.and_then(|ix| ix.reloptions.as_deref()) {
                Some(opts) if c.contype != 'x' => with_index_options(&c.def, opts, c.deferrable),
                _ => c.def.clone(),
            };
            let mut s = format!(
                "ALTER TABLE ONLY {}\n    ADD CONSTRAINT {q} {def};\n",
                qname(tab),
            );
            let mut ts = None;
            if let Some(ix) = index {
                if ix.clustered {
                    s.push_str(&format!(
                        "\nALTER TABLE {} CLUSTER ON {};\n",
                        qname(tab),
                        quote_ident(&cx.cat.objects[c.index.unwrap_or(0)].name)
                    ));
                }
                ts = Some(ix.tablespace.clone());
            }
            (
                "CONSTRAINT",
                s,
                ts,
                format!("ALTER TABLE ONLY {}", qname(tab)),
            )
        }
        'f' => {
            let only = if relkind == 'p' { "" } else { "ONLY " };
            let alter = format!("ALTER TABLE {only}{}", qname(tab));
            (
                "FK CONSTRAINT",
                format!("{alter}\n    ADD CONSTRAINT {q} {};\n", c.def),
                None,
                alter,
            )
        }
        'c' => {
            if !c.separate || !c.is_local {
                return;
            }
            let alter = format!("ALTER TABLE {}", qname(tab));
            (
                "CHECK CONSTRAINT",
                format!("{alter}\n    ADD CONSTRAINT {q} {};\n", c.def),
                None,
                alter,
            )
        }
        _ => return,
    };
    let mut e = TocEntry::new(desc, tag, s)
        .ns(o.namespace.as_deref())
        .owner(&owner)
        .drop(format!("{alter} DROP CONSTRAINT {q};\n"));
    e.tablespace = tablespace;
    cx.push_def(e);
    cx.comment_raw(
        &c.comment,
        format!("CONSTRAINT {q} ON {}", qname(tab)),
        format!("CONSTRAINT {q} ON {}", quote_ident(&tab.name)),
        o.namespace.as_deref(),
        &owner,
    );
}

fn trigger(cx: &mut Ctx, o: &Obj) {
    let Detail::Trigger(detail) = &o.detail else {
        return;
    };
    let TriggerDetail {
        table,
        def,
        enabled,
        partition_clone,
        comment,
    } = &**detail;
    let tab = &cx.cat.objects[*table];
    let q = quote_ident(&o.name);
    // A partition's clone is created by its parent's trigger; only its state is set here.
    let mut s = if *partition_clone {
        String::new()
    } else {
        format!("{def};\n")
    };
    if *enabled != 't' && *enabled != 'O' {
        let what = enable_word(*enabled);
        s.push_str(&format!(
            "\nALTER TABLE {} {what} TRIGGER {q};\n",
            qname(tab)
        ));
    }
    // A partition's clone goes with its parent's trigger.
    let drop = if *partition_clone {
        String::new()
    } else {
        format!("DROP TRIGGER {q} ON {};\n", qname(tab))
    };
    push_table_child(cx, "TRIGGER", o, *table, s, drop, comment);
}

/// The ALTER ... keyword for a trigger's or rule's `enabled` state ('D'/'f' disabled,
/// 'A' always, 'R' replica, else plain enable).
fn enable_word(state: char) -> &'static str {
    match state {
        'D' | 'f' => "DISABLE",
        'A' => "ENABLE ALWAYS",
        'R' => "ENABLE REPLICA",
        _ => "ENABLE",
    }
}

/// An entry owned by a table (trigger, rule, policy), tagged "table name", and its comment
/// `COMMENT ON <KIND> name ON table`.
fn push_table_child(
    cx: &mut Ctx,
    desc: &'static str,
    o: &Obj,
    table: DumpId,
    sql: String,
    drop: String,
    comment: &Option<String>,
) {
    let tab = &cx.cat.objects[table];
    let owner = table_owner(cx, table);
    let q = quote_ident(&o.name);
    let (target, tag) = (
        format!("{desc} {q} ON {}", qname(tab)),
        format!("{desc} {q} ON {}", quote_ident(&tab.name)),
    );
    cx.push_def(
        TocEntry::new(desc, format!("{} {}", tab.name, o.name), sql)
            .ns(o.namespace.as_deref())
            .owner(&owner)
            .drop(drop),
    );
    cx.comment_raw(comment, target, tag, o.namespace.as_deref(), &owner);
}

fn cast(cx: &mut Ctx, o: &Obj) {
    let Detail::Cast(detail) = &o.detail else {
        return;
    };
    let CastDetail {
        types,
        body,
        comment,
    } = &**detail;
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
fn without_args(proc: &str) -> &str {
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

fn operator(cx: &mut Ctx, o: &Obj) {
    let Detail::Operator(d) = &o.detail else {
        return;
    };
    let Some(function) = &d.function else { return };
    let nsp = quote_ident(o.namespace.as_deref().unwrap_or(""));
    let mut details = format!("    FUNCTION = {}", without_args(function));
    let mut oprid = format!("{} (", o.name);
    match &d.left {
        Some(l) => {
            details.push_str(&format!(",\n    LEFTARG = {l}"));
            oprid.push_str(l);
        }
        None => oprid.push_str("NONE"),
    }
    match &d.right {
        Some(r) => {
            details.push_str(&format!(",\n    RIGHTARG = {r}"));
            oprid.push_str(&format!(", {r})"));
        }
        None => oprid.push_str(", NONE)"),
    }
    for (label, other) in [("COMMUTATOR", &d.commutator), ("NEGATOR", &d.negator)] {
        if let Some((ns, name)) = other {
            details.push_str(&format!(
                ",\n    {label} = OPERATOR({}.{name})",
                quote_ident(ns)
            ));
        }
    }
    if d.merges {
        details.push_str(",\n    MERGES");
    }
    if d.hashes {
        details.push_str(",\n    HASHES");
    }
    for (label, f) in [("RESTRICT", &d.restrict), ("JOIN", &d.join)] {
        if let Some(f) = f {
            details.push_str(&format!(",\n    {label} = {}", without_args(f)));
        }
    }
    let defn = format!("CREATE OPERATOR {nsp}.{} (\n{details}\n);\n", o.name);
    let mut e = TocEntry::new("OPERATOR", o.name.clone(), defn)
        .ns(o.namespace.as_deref())
        .owner(&d.owner)
        .drop(format!("DROP OPERATOR {nsp}.{oprid};\n"));
    e.owner_stmt = Some(format!(
        "ALTER OPERATOR {nsp}.{oprid} OWNER TO {};",
        quote_ident(&d.owner)
    ));
    cx.push_def(e);
    cx.comment(&d.comment, "OPERATOR", &oprid, o, &d.owner);
}

fn language(cx: &mut Ctx, o: &Obj) {
    let Detail::Language(d) = &o.detail else {
        return;
    };
    let q = quote_ident(&o.name);
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
                .map(|id| qname(&cx.cat.objects[id])),
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
        quote_ident(&d.owner)
    ));
    cx.push_def(e);
    cx.comment(&d.comment, "LANGUAGE", &q, o, &d.owner);
    cx.seclabel("LANGUAGE", &q, o, &d.owner);
    language_acl(cx, o, d);
}

/// A procedural language's privileges.
fn language_acl(cx: &mut Ctx, o: &Obj, d: &LanguageDetail) {
    let q = quote_ident(&o.name);
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

fn subscription(cx: &mut Ctx, o: &Obj) {
    let Detail::Subscription(d) = &o.detail else {
        return;
    };
    let q = quote_ident(&o.name);
    let publications: Vec<String> = d.publications.iter().map(|p| quote_ident(p)).collect();
    let mut s = format!(
        "CREATE SUBSCRIPTION {q} CONNECTION {} PUBLICATION {} WITH (connect = false, slot_name = {}",
        cx.lit(&d.conninfo),
        publications.join(", "),
        d.slot.as_deref().map(|n| cx.lit(n)).unwrap_or_else(|| "NONE".into())
    );
    if d.binary {
        s.push_str(", binary = true");
    }
    if d.streaming {
        s.push_str(", streaming = on");
    }
    if d.two_phase {
        s.push_str(", two_phase = on");
    }
    if d.disable_on_error {
        s.push_str(", disable_on_error = true");
    }
    if d.synchronous_commit != "off" {
        s.push_str(&format!(
            ", synchronous_commit = {}",
            quote_ident(&d.synchronous_commit)
        ));
    }
    s.push_str(");\n");
    let mut e = TocEntry::new("SUBSCRIPTION", o.name.clone(), s)
        .owner(&d.owner)
        .drop(format!("DROP SUBSCRIPTION {q};\n"));
    e.owner_stmt = Some(format!(
        "ALTER SUBSCRIPTION {q} OWNER TO {};",
        quote_ident(&d.owner)
    ));
    cx.push_def(e);
    cx.comment(&d.comment, "SUBSCRIPTION", &q, o, &d.owner);
    cx.seclabel("SUBSCRIPTION", &q, o, &d.owner);
}

fn simple(cx: &mut Ctx, o: &Obj) {
    let Detail::Simple(d) = &o.detail else {
        return;
    };
    let desc = match o.kind() {
        Kind::Conversion => "CONVERSION",
        Kind::TsParser => "TEXT SEARCH PARSER",
        _ => "TEXT SEARCH TEMPLATE",
    };
    let qn = qname(o);
    let defn = format!("CREATE {}{desc} {qn}{}", d.prefix, d.body);
    let mut e = TocEntry::new(desc, o.name.clone(), defn)
        .ns(o.namespace.as_deref())
        .drop(format!("DROP {desc} {qn};\n"));
    if let Some(owner) = &d.owner {
        e = e.owner(owner);
        e.owner_stmt = Some(format!(
            "ALTER {desc} {qn} OWNER TO {};",
            quote_ident(owner)
        ));
    }
    cx.push_def(e);
    let owner = d.owner.clone().unwrap_or_default();
    cx.comment(&d.comment, desc, &quote_ident(&o.name), o, &owner);
}

fn shell_type(cx: &mut Ctx, o: &Obj) {
    let Detail::Shell { base } = &o.detail else {
        return;
    };
    let owner = match &cx.cat.objects[*base].detail {
        Detail::Type(t) => t.owner.clone(),
        _ => String::new(),
    };
    let defn = format!("CREATE TYPE {};\n", qname(o));
    cx.push_def(
        TocEntry::new("SHELL TYPE", o.name.clone(), defn)
            .ns(o.namespace.as_deref())
            .owner(&owner),
    );
}

fn transform(cx: &mut Ctx, o: &Obj) {
    let Detail::Transform(d) = &o.detail else {
        return;
    };
    let args = format!("FOR {} LANGUAGE {}", d.type_name, quote_ident(&d.language));
    let signature = |f: &FunctionRef| {
        format!(
            "{}.{}({})",
            quote_ident(&f.schema),
            quote_ident(&f.name),
            f.args
        )
    };
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

fn blob(cx: &mut Ctx, o: &Obj) {
    let Detail::Blob(d) = &o.detail else {
        return;
    };
    let defn = format!("SELECT pg_catalog.lo_create('{}');\n", o.name);
    let mut e = TocEntry::new("BLOB", o.name.clone(), defn)
        .owner(&d.owner)
        .drop(format!("SELECT pg_catalog.lo_unlink('{}');\n", o.name));
    e.owner_stmt = Some(format!(
        "ALTER LARGE OBJECT {} OWNER TO {};",
        o.name,
        quote_ident(&d.owner)
    ));
    // pg_dump treats a large object's entry, comment and ACL as data: they print with -a
    // too, so they are built here whatever the schema switch says.
    let schema = cx.opts.schema;
    cx.opts.schema = true;
    cx.push_def(e);
    cx.comment(&d.comment, "LARGE OBJECT", &o.name, o, &d.owner);
    cx.seclabel("LARGE OBJECT", &o.name, o, &d.owner);
    cx.acl(
        &d.acl,
        "LARGE OBJECT",
        &o.name,
        None,
        None,
        &d.owner,
        format!("LARGE OBJECT {}", o.name),
    );
    cx.opts.schema = schema;
}

/// ` OPTIONS (...)` as pg_dump prints it, or nothing.
fn options_clause(options: &str) -> String {
    if options.is_empty() {
        String::new()
    } else {
        format!(" OPTIONS (\n    {options}\n)")
    }
}

/// A foreign-data wrapper's or server's privileges.
fn foreign_acl(cx: &mut Ctx, o: &Obj, d: &ForeignDetail) {
    let acl_type = if o.kind() == Kind::ForeignDataWrapper {
        "FOREIGN DATA WRAPPER"
    } else {
        "FOREIGN SERVER"
    };
    let q = quote_ident(&o.name);
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

fn foreign(cx: &mut Ctx, o: &Obj) {
    let Detail::Foreign(d) = &o.detail else {
        return;
    };
    let q = quote_ident(&o.name);
    let desc = if o.kind() == Kind::ForeignDataWrapper {
        "FOREIGN DATA WRAPPER"
    } else {
        "SERVER"
    };
    let wrapper = d
        .wrapper
        .as_deref()
        .map(|w| format!(" FOREIGN DATA WRAPPER {}", quote_ident(w)))
        .unwrap_or_default();
    let defn = format!(
        "CREATE {desc} {q}{}{wrapper}{};\n",
        d.clauses,
        options_clause(&d.options)
    );
    let mut e = TocEntry::new(desc, o.name.clone(), defn)
        .owner(&d.owner)
        .drop(format!("DROP {desc} {q};\n"));
    e.owner_stmt = Some(format!(
        "ALTER {desc} {q} OWNER TO {};",
        quote_ident(&d.owner)
    ));
    cx.push_def(e);
    cx.comment(&d.comment, desc, &q, o, &d.owner);
    foreign_acl(cx, o, d);
    for (user, options) in &d.mappings {
        let defn = format!(
            "CREATE USER MAPPING FOR {} SERVER {q}{};\n",
            quote_ident(user),
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
                quote_ident(user)
            )),
        );
    }
}

fn access_method(cx: &mut Ctx, o: &Obj) {
    let Detail::AccessMethod(d) = &o.detail else {
        return;
    };
    let kind = match d.amtype {
        'i' => "INDEX",
        't' => "TABLE",
        _ => return,
    };
    let q = quote_ident(&o.name);
    let defn = format!(
        "CREATE ACCESS METHOD {q} TYPE {kind} HANDLER {};\n",
        d.handler
    );
    cx.push_def(
        TocEntry::new("ACCESS METHOD", o.name.clone(), defn)
            .drop(format!("DROP ACCESS METHOD {q};\n")),
    );
    cx.comment(&d.comment, "ACCESS METHOD", &q, o, "");
}

/// The members of an operator class or family, as its CREATE or ALTER ... ADD lists them.
fn am_members(d: &OpClassDetail, class: bool) -> Vec<String> {
    let mut items = Vec::new();
    for op in &d.ops {
        let mut item = format!("OPERATOR {} {}", op.strategy, op.operator);
        if let Some((ns, fam)) = &op.sort_family {
            item.push_str(&format!(
                " FOR ORDER BY {}.{}",
                quote_ident(ns),
                quote_ident(fam)
            ));
        }
        items.push(item);
    }
    for p in &d.procs {
        let (l, r) = &p.types;
        // A class prints the types only when both are known (pg_dump's check on empty text).
        let types = if !class || (!l.is_empty() && !r.is_empty()) {
            format!(" ({l}, {r})")
        } else {
            String::new()
        };
        items.push(format!("FUNCTION {}{types} {}", p.number, p.function));
    }
    items
}

fn opclass(cx: &mut Ctx, o: &Obj) {
    let Detail::OpClass(d) = &o.detail else {
        return;
    };
    let qn = qname(o);
    let using = format!("USING {}", quote_ident(&d.am));
    let members = am_members(d, o.kind() == Kind::OpClass);
    let (desc, defn) = if o.kind() == Kind::OpClass {
        let mut s = format!("CREATE OPERATOR CLASS {qn}\n    ");
        if d.default {
            s.push_str("DEFAULT ");
        }
        s.push_str(&format!("FOR TYPE {} {using}", d.for_type));
        if let Some((ns, fam)) = &d.family {
            s.push_str(&format!(" FAMILY {}.{}", quote_ident(ns), quote_ident(fam)));
        }
        s.push_str(" AS\n    ");
        let mut items: Vec<String> = d.storage.iter().map(|t| format!("STORAGE {t}")).collect();
        items.extend(members);
        if items.is_empty() {
            // Nothing after AS would not parse; pg_dump adds a no-op STORAGE clause.
            items.push(format!("STORAGE {}", d.for_type));
        }
        s.push_str(&items.join(" ,\n    "));
        s.push_str(";\n");
        ("OPERATOR CLASS", s)
    } else {
        let mut s = format!("CREATE OPERATOR FAMILY {qn} {using};\n");
        if !members.is_empty() {
            s.push_str(&format!(
                "ALTER OPERATOR FAMILY {qn} {using} ADD\n    {};\n",
                members.join(" ,\n    ")
            ));
        }
        ("OPERATOR FAMILY", s)
    };
    let mut e = TocEntry::new(desc, o.name.clone(), defn)
        .ns(o.namespace.as_deref())
        .owner(&d.owner)
        .drop(format!("DROP {desc} {qn} {using};\n"));
    e.owner_stmt = Some(format!(
        "ALTER {desc} {qn} {using} OWNER TO {};",
        quote_ident(&d.owner)
    ));
    cx.push_def(e);
    let target = format!("{} {using}", quote_ident(&o.name));
    cx.comment(&d.comment, desc, &target, o, &d.owner);
}

fn text_search(cx: &mut Ctx, o: &Obj) {
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
    let qn = qname(o);
    let mut s = format!("CREATE {desc} {qn} (\n    {head} );\n");
    for (token, dicts) in mappings {
        s.push_str(&format!(
            "\nALTER {desc} {qn}\n    ADD MAPPING FOR {} WITH {dicts};\n",
            quote_ident(token)
        ));
    }
    let mut e = TocEntry::new(desc, o.name.clone(), s)
        .ns(o.namespace.as_deref())
        .owner(owner)
        .drop(format!("DROP {desc} {qn};\n"));
    e.owner_stmt = Some(format!(
        "ALTER {desc} {qn} OWNER TO {};",
        quote_ident(owner)
    ));
    cx.push_def(e);
    cx.comment(comment, desc, &quote_ident(&o.name), o, owner);
}

fn event_trigger(cx: &mut Ctx, o: &Obj) {
    let Detail::EventTrigger(detail) = &o.detail else {
        return;
    };
    let EventTriggerDetail {
        owner,
        event,
        tags,
        function,
        enabled,
        comment,
    } = &**detail;
    let q = quote_ident(&o.name);
    let mut s = format!("CREATE EVENT TRIGGER {q} ON {}", quote_ident(event));
    if !tags.is_empty() {
        s.push_str(&format!("\n         WHEN TAG IN ({tags})"));
    }
    s.push_str(&format!("\n   EXECUTE FUNCTION {function}();\n"));
    if *enabled != 'O' {
        let what = enable_word(*enabled);
        s.push_str(&format!("\nALTER EVENT TRIGGER {q} {what};\n"));
    }
    let mut e = TocEntry::new("EVENT TRIGGER", o.name.clone(), s)
        .owner(owner)
        .drop(format!("DROP EVENT TRIGGER {q};\n"));
    e.owner_stmt = Some(format!(
        "ALTER EVENT TRIGGER {q} OWNER TO {};",
        quote_ident(owner)
    ));
    e.pass = Pass::PostAcl;
    cx.push_def(e);
    cx.comment(comment, "EVENT TRIGGER", &q, o, owner);
    cx.seclabel("EVENT TRIGGER", &q, o, owner);
}

fn publication(cx: &mut Ctx, o: &Obj) {
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
    let q = quote_ident(&o.name);
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
        quote_ident(owner)
    ));
    cx.push_def(e);
    cx.comment(comment, "PUBLICATION", &q, o, owner);
    cx.seclabel("PUBLICATION", &q, o, owner);
}

fn publication_member(cx: &mut Ctx, o: &Obj) {
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
    let qp = quote_ident(&p.name);
    let e = if o.kind() == Kind::PublicationSchema {
        TocEntry::new(
            "PUBLICATION TABLES IN SCHEMA",
            format!("{} {}", p.name, m.name),
            format!(
                "ALTER PUBLICATION {qp} ADD TABLES IN SCHEMA {};\n",
                quote_ident(&m.name)
            ),
        )
        .ns(Some(&m.name))
        .owner(&owner)
    } else {
        let mut s = format!("ALTER PUBLICATION {qp} ADD TABLE ONLY {}", qname(m));
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

fn stats_ext(cx: &mut Ctx, o: &Obj) {
    let Detail::StatsExt(detail) = &o.detail else {
        return;
    };
    let StatsExtDetail {
        owner,
        def,
        stattarget,
        comment,
    } = &**detail;
    let qn = qname(o);
    let mut s = format!("{def};\n");
    if *stattarget >= 0 {
        s.push_str(&format!(
            "ALTER STATISTICS {qn} SET STATISTICS {stattarget};\n"
        ));
    }
    let mut e = TocEntry::new("STATISTICS", o.name.clone(), s)
        .ns(o.namespace.as_deref())
        .owner(owner)
        .drop(format!("DROP STATISTICS {qn};\n"));
    e.owner_stmt = Some(format!(
        "ALTER STATISTICS {qn} OWNER TO {};",
        quote_ident(owner)
    ));
    cx.push_def(e);
    cx.comment(comment, "STATISTICS", &quote_ident(&o.name), o, owner);
}

fn default_acl(cx: &mut Ctx, o: &Obj) {
    let Detail::DefaultAcl(detail) = &o.detail else {
        return;
    };
    let DefaultAclDetail { role, objtype, acl } = &**detail;
    if cx.opts.no_privileges || !cx.opts.schema {
        return;
    }
    let kind = match objtype {
        'r' => "TABLES",
        'S' => "SEQUENCES",
        'f' => "FUNCTIONS",
        'T' => "TYPES",
        'n' => "SCHEMAS",
        _ => return,
    };
    let acls = acl.acl.clone().unwrap_or_default();
    let sql =
        acl::build_default_acl_commands(kind, o.namespace.as_deref(), &acls, &acl.acldefault, role);
    if sql.is_empty() {
        return;
    }
    let mut e = TocEntry::new("DEFAULT ACL", format!("DEFAULT PRIVILEGES FOR {kind}"), sql)
        .ns(o.namespace.as_deref())
        .owner(role);
    e.pass = Pass::Acl;
    cx.out.push(e);
}

fn rule(cx: &mut Ctx, o: &Obj) {
    let Detail::Rule(detail) = &o.detail else {
        return;
    };
    let RuleDetail {
        table,
        separate: true,
        def,
        enabled,
        comment,
        ..
    } = &**detail
    else {
        return;
    };
    let tab = &cx.cat.objects[*table];
    let q = quote_ident(&o.name);
    let (mut s, drop) = match (def, cx.cat.table(*table)) {
        (Some(def), _) => (
            format!("{def}\n"),
            format!("DROP RULE {q} ON {};\n", qname(tab)),
        ),
        // A view's own ON SELECT rule, split off by the sort: it replaces the placeholder, and
        // "dropping" it puts the placeholder back (pg_dump's dumpRule).
        (None, Some(t)) if t.relkind == 'v' => (
            format!(
                "CREATE OR REPLACE VIEW {}{};\n",
                qname(tab),
                view_clauses(t, false)
            ),
            format!(
                "CREATE OR REPLACE VIEW {} AS\n{};\n",
                qname(tab),
                dummy_view_body(t)
            ),
        ),
        _ => return,
    };
    if *enabled != 'O' {
        let what = enable_word(*enabled);
        s.push_str(&format!("ALTER TABLE {} {what} RULE {q};\n", qname(tab)));
    }
    push_table_child(cx, "RULE", o, *table, s, drop, comment);
}

fn policy(cx: &mut Ctx, o: &Obj) {
    let Detail::Policy(p) = &o.detail else { return };
    let tab = &cx.cat.objects[p.table];
    let owner = table_owner(cx, p.table);
    let Some(name) = &p.name else {
        // Row security enabled on the table; pg_dump writes no newline after this one.
        let e = TocEntry::new(
            "ROW SECURITY",
            tab.name.clone(),
            format!("ALTER TABLE {} ENABLE ROW LEVEL SECURITY;", qname(tab)),
        )
        .ns(o.namespace.as_deref())
        .owner(&owner);
        cx.push_def(e);
        return;
    };
    let q = quote_ident(name);
    let cmd = match p.cmd {
        'r' => " FOR SELECT",
        'a' => " FOR INSERT",
        'w' => " FOR UPDATE",
        'd' => " FOR DELETE",
        _ => "",
    };
    let mut s = format!(
        "CREATE POLICY {q} ON {}{}{cmd}",
        qname(tab),
        if p.permissive { "" } else { " AS RESTRICTIVE" }
    );
    if let Some(r) = &p.roles {
        s.push_str(&format!(" TO {r}"));
    }
    if let Some(qual) = &p.qual {
        s.push_str(&format!(" USING ({qual})"));
    }
    if let Some(wc) = &p.with_check {
        s.push_str(&format!(" WITH CHECK ({wc})"));
    }
    s.push_str(";\n");
    let drop = format!("DROP POLICY {q} ON {};\n", qname(tab));
    push_table_child(cx, "POLICY", o, p.table, s, drop, &p.comment);
}

/// The COPY column list pg_dump writes: every column that is neither dropped nor generated.
pub fn copy_column_list(t: &TableDetail) -> String {
    let cols: Vec<String> = t
        .columns
        .iter()
        .filter(|c| !c.dropped && c.generated.is_none())
        .map(|c| quote_ident(&c.name))
        .collect();
    if cols.is_empty() {
        String::new()
    } else {
        format!("({})", cols.join(", "))
    }
}

/// The root of a partition's tree (pg_dump's getRootTableInfo).
fn partition_root(cat: &Catalog, mut table: DumpId) -> DumpId {
    while let Some(parent) = cat
        .table(table)
        .filter(|t| t.is_partition)
        .and_then(|t| t.parents.first().copied())
    {
        table = parent;
    }
    table
}

fn table_data(cx: &mut Ctx, o: &Obj) {
    let Detail::TableData { table } = &o.detail else {
        return;
    };
    let tab = &cx.cat.objects[*table];
    let Some(t) = cx.cat.table(*table) else {
        return;
    };
    let cols = copy_column_list(t);
    let qn = qname(tab);
    // A foreign table cannot be COPYed itself, nor rows filtered (an extension configuration
    // table's): their rows come through a query.
    let filter = t.data_filter().map(String::as_str).unwrap_or("");
    let copy_out_sql = if t.relkind == 'r' && filter.is_empty() {
        format!("COPY {qn} {cols} TO stdout;")
    } else if cols.is_empty() {
        format!("COPY (SELECT * FROM {qn} {filter}) TO stdout;")
    } else {
        format!(
            "COPY (SELECT {} FROM {qn} {filter}) TO stdout;",
            cols.trim_start_matches('(').trim_end_matches(')')
        )
    };
    let mut e = TocEntry::new("TABLE DATA", o.name.clone(), "")
        .ns(o.namespace.as_deref())
        .owner(&t.owner);
    // With --load-via-partition-root a partition's rows go in through its root table.
    let via_root = (cx.opts.load_via_partition_root && t.is_partition)
        .then(|| qname(&cx.cat.objects[partition_root(cx.cat, *table)]));
    let copy_into = via_root.clone().unwrap_or_else(|| qn.clone());
    let inserts = cx.opts.inserts.map(|opts| {
        let mut spec =
            crate::inserts::InsertSpec::new(&qn, &copy_into, t, opts, cx.cat.std_strings);
        if !filter.is_empty() {
            spec.select.push(' ');
            spec.select.push_str(filter);
        }
        std::sync::Arc::new(spec)
    });
    e.data = Some(TableCopy {
        table: *table,
        copy_stmt: if inserts.is_some() {
            String::new()
        } else {
            format!("COPY {copy_into} {cols} FROM stdin;\n")
        },
        via_root,
        inserts,
        copy_out_sql,
        relpages: t.relpages,
        qualified_name: qn.clone(),
        // Ranged copies of a filtered table would lose its filter, and only a plain table has
        // a heap to cut into ctid ranges (a foreign table may still report pages): those are
        // never split.
        columns: if filter.is_empty() && t.relkind == 'r' {
            cols.trim_start_matches('(')
                .trim_end_matches(')')
                .to_string()
        } else {
            String::new()
        },
    });
    cx.out.push(e);
}

fn sequence_set(cx: &mut Ctx, o: &Obj) {
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
        cx.lit(&qname(tab)),
        p.last_value,
        if p.is_called { "true" } else { "false" }
    );
    cx.out.push(
        TocEntry::new("SEQUENCE SET", o.name.clone(), s)
            .ns(o.namespace.as_deref())
            .owner(&t.owner),
    );
}

fn refresh_matview(cx: &mut Ctx, o: &Obj) {
    let Detail::TableData { table } = &o.detail else {
        return;
    };
    let tab = &cx.cat.objects[*table];
    let owner = table_owner(cx, *table);
    let mut e = TocEntry::new(
        "MATERIALIZED VIEW DATA",
        o.name.clone(),
        format!("REFRESH MATERIALIZED VIEW {};\n", qname(tab)),
    )
    .ns(o.namespace.as_deref())
    .owner(&owner);
    e.pass = Pass::PostAcl;
    cx.out.push(e);
}

/// A PRIMARY KEY or UNIQUE definition (`pg_get_constraintdef`'s short form) with its index's
/// storage parameters where pg_dump writes them: after the columns and INCLUDE list, before
/// DEFERRABLE.
fn with_index_options(def: &str, options: &str, deferrable: bool) -> String {
    let split = if deferrable {
        def.rfind(" DEFERRABLE").unwrap_or(def.len())
    } else {
        def.len()
    };
    format!("{} WITH ({options}){}", &def[..split], &def[split..])
}

#[cfg(test)]
mod tests {
    #[test]
    fn constraint_index_options_go_before_deferrable() {
        assert_eq!(
            super::with_index_options(
                "PRIMARY KEY (id) INCLUDE (v) DEFERRABLE INITIALLY DEFERRED",
                "fillfactor='80'",
                true
            ),
            "PRIMARY KEY (id) INCLUDE (v) WITH (fillfactor='80') DEFERRABLE INITIALLY DEFERRED"
        );
        assert_eq!(
            super::with_index_options("UNIQUE NULLS NOT DISTINCT (a)", "fillfactor='70'", false),
            "UNIQUE NULLS NOT DISTINCT (a) WITH (fillfactor='70')"
        );
    }
}
