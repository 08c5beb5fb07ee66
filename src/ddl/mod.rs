//! Turns the ordered model into TOC entries with pg_dump's exact SQL text: each family's
//! `entries` in `ddl/<family>.rs`, chosen by the family in the kind's row. Pure.

pub mod acl;
mod constraint;
mod default_acl;

mod extension;
mod foreign;
mod function;
mod index;
pub mod keywords;
mod language;
mod large_object;
mod namespace;
mod operator;
mod policy;
mod publication;
pub mod quote;
mod sequence;
mod statistics;
mod table;
mod text_search;
mod trigger_rule;
mod types;

use self::{foreign::*, function::*, language::*, operator::*, sequence::*, table::*, types::*};
use crate::model::*;
use crate::toc::{CopySource, Pass, TableCopy, TocEntry};
use quote::{dollar_quote, quote_literal, Quoting};
pub use table::copy_source;

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
    /// `--quote-all-identifiers`
    pub quoting: quote::Quoting,
    /// The pg_dump major whose text is written.
    pub dialect: crate::dialect::Dialect,
}

struct Ctx<'a> {
    cat: &'a Catalog,
    opts: DdlOptions,
    out: &'a mut Vec<TocEntry>,
}

impl Ctx<'_> {
    /// An object's schema-qualified name.
    fn qname(&self, o: &Obj) -> String {
        self.opts
            .quoting
            .qualified(o.namespace.as_deref().unwrap_or(""), &o.name)
    }

    /// An identifier, quoted as the dump asks.
    fn ident(&self, name: &str) -> String {
        self.opts.quoting.ident(name)
    }

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
                format!("{kind} {}.{name}", self.ident(ns))
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
        self.seclabel_of(kind, name, o.cat, o.namespace.as_deref(), owner);
    }

    /// [`Ctx::seclabel`] for the catalog object `cat` in schema `namespace`.
    fn seclabel_of(
        &mut self,
        kind: &str,
        name: &str,
        cat: CatalogId,
        namespace: Option<&str>,
        owner: &str,
    ) {
        if !self.opts.schema {
            return;
        }
        let Some(labels) = self.cat.seclabels.get(&(cat.tableoid, cat.oid)) else {
            return;
        };
        let target = match namespace {
            Some(ns) => format!("{kind} {}.{name}", self.ident(ns)),
            None => format!("{kind} {name}"),
        };
        let mut sql = String::new();
        for l in labels.iter().filter(|l| l.subid == 0) {
            sql.push_str(&self.label_stmt(l, &target));
        }
        self.push_seclabel(sql, format!("{kind} {name}"), namespace, owner, kind);
    }

    /// A relation's labels and its columns' in one entry (pg_dump's `dumpTableSecLabel`).
    fn table_seclabel(&mut self, kind: &str, o: &Obj, t: &TableDetail) {
        if !self.opts.schema {
            return;
        }
        let Some(labels) = self.cat.seclabels.get(&(o.cat.tableoid, o.cat.oid)) else {
            return;
        };
        let qn = self.qname(o);
        let mut sql = String::new();
        for l in labels {
            let target = if l.subid == 0 {
                format!("{kind} {qn}")
            } else {
                match t.columns.iter().find(|c| i32::from(c.num) == l.subid) {
                    Some(c) => format!("COLUMN {qn}.{}", self.ident(&c.name)),
                    None => continue,
                }
            };
            sql.push_str(&self.label_stmt(l, &target));
        }
        let tag = format!("{kind} {}", self.ident(&o.name));
        self.push_seclabel(sql, tag, o.namespace.as_deref(), &t.owner, kind);
    }

    fn label_stmt(&self, l: &SecLabel, target: &str) -> String {
        format!(
            "SECURITY LABEL FOR {} ON {target} IS {};\n",
            self.ident(&l.provider),
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
        let target = acl::AclTarget {
            name,
            subname,
            nspname: ns,
            objtype,
            maintain: self.cat.server_num >= 170000,
        };
        let sql = acl::build_acl_commands(self.opts.quoting, target, &acls, &base, owner);
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
        match o.kind().info().family {
            Family::Namespace => namespace::entries(&mut cx, o),
            Family::Extension => extension::entries(&mut cx, o),
            Family::Types => types::entries(&mut cx, o),
            Family::Function => function::entries(&mut cx, o),
            Family::Table => table::entries(&mut cx, o),
            Family::Sequence => sequence::entries(&mut cx, o),
            Family::Index => index::entries(&mut cx, o),
            Family::Constraint => constraint::entries(&mut cx, o),
            Family::TriggerRule => trigger_rule::entries(&mut cx, o),
            Family::Policy => policy::entries(&mut cx, o),
            Family::DefaultAcl => default_acl::entries(&mut cx, o),
            Family::Statistics => statistics::entries(&mut cx, o),
            Family::Publication => publication::entries(&mut cx, o),
            Family::TextSearch => text_search::entries(&mut cx, o),
            Family::Operator => operator::entries(&mut cx, o),
            Family::Foreign => foreign::entries(&mut cx, o),
            Family::LargeObject => large_object::entries(&mut cx, o),
            Family::Language => language::entries(&mut cx, o),
            Family::Unprinted => {}
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

#[cfg(test)]
mod tests {
    #[test]
    fn constraint_index_options_go_before_deferrable() {
        assert_eq!(
            super::constraint::with_index_options(
                "PRIMARY KEY (id) INCLUDE (v) DEFERRABLE INITIALLY DEFERRED",
                "fillfactor='80'",
                true
            ),
            "PRIMARY KEY (id) INCLUDE (v) WITH (fillfactor='80') DEFERRABLE INITIALLY DEFERRED"
        );
        assert_eq!(
            super::constraint::with_index_options(
                "UNIQUE NULLS NOT DISTINCT (a)",
                "fillfactor='70'",
                false
            ),
            "UNIQUE NULLS NOT DISTINCT (a) WITH (fillfactor='70')"
        );
    }
}
