//! Constraints: primary key, unique, exclusion, foreign key, check, domain (dumpConstraint).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    if matches!(o.kind(), Kind::Constraint | Kind::FkConstraint) {
        constraint(cx, o);
    }
}

pub(super) fn constraint(cx: &mut Ctx, o: &Obj) {
    let Detail::Constraint(c) = &o.detail else {
        return;
    };
    let q = cx.ident(&o.name);
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
            cx.qname(d),
            c.def
        );
        cx.push_def(
            TocEntry::new("CHECK CONSTRAINT", format!("{} {}", d.name, o.name), s)
                .ns(o.namespace.as_deref())
                .owner(&owner)
                .drop(format!(
                    "ALTER DOMAIN {} DROP CONSTRAINT {q};\n",
                    cx.qname(d)
                )),
        );
        cx.comment_raw(
            &c.comment,
            format!("CONSTRAINT {q} ON DOMAIN {}", cx.qname(d)),
            format!("CONSTRAINT {q} ON DOMAIN {}", cx.ident(&d.name)),
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
            let opts = index
                .filter(|ix| !ix.reloptions.is_empty())
                .map(|ix| quote::format_reloptions(cx.opts.quoting, &ix.reloptions, ""));
            let def = match opts {
                Some(opts) if c.contype != 'x' => with_index_options(&c.def, &opts, c.deferrable),
                _ => c.def.clone(),
            };
            let mut s = format!(
                "ALTER TABLE ONLY {}\n    ADD CONSTRAINT {q} {def};\n",
                cx.qname(tab),
            );
            let mut ts = None;
            if let Some(ix) = index {
                if ix.clustered {
                    s.push_str(&format!(
                        "\nALTER TABLE {} CLUSTER ON {};\n",
                        cx.qname(tab),
                        cx.ident(&cx.cat.objects[c.index.unwrap_or(0)].name)
                    ));
                }
                ts = Some(ix.tablespace.clone());
            }
            (
                "CONSTRAINT",
                s,
                ts,
                format!("ALTER TABLE ONLY {}", cx.qname(tab)),
            )
        }
        'f' => {
            let only = if relkind == 'p' { "" } else { "ONLY " };
            let alter = format!("ALTER TABLE {only}{}", cx.qname(tab));
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
            let alter = format!("ALTER TABLE {}", cx.qname(tab));
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
        format!("CONSTRAINT {q} ON {}", cx.qname(tab)),
        format!("CONSTRAINT {q} ON {}", cx.ident(&tab.name)),
        o.namespace.as_deref(),
        &owner,
    );
}

/// A PRIMARY KEY or UNIQUE definition (`pg_get_constraintdef`'s short form) with its index's
/// storage parameters where pg_dump writes them: after the columns and INCLUDE list, before
/// DEFERRABLE.
pub(super) fn with_index_options(def: &str, options: &str, deferrable: bool) -> String {
    let split = if deferrable {
        def.rfind(" DEFERRABLE").unwrap_or(def.len())
    } else {
        def.len()
    };
    format!("{} WITH ({options}){}", &def[..split], &def[split..])
}
