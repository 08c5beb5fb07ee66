//! Relations' planner statistics (pg_dump 18's dumpRelationStats): a STATISTICS DATA entry of
//! `pg_restore_relation_stats` and one `pg_restore_attribute_stats` per pg_stats row.

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    if matches!(o.kind(), Kind::RelStats | Kind::RelStatsPostData) {
        relation_stats(cx, o);
    }
}

/// `\t'name', 'value'::type` (pg_dump's appendNamedArgument).
fn argument(cx: &Ctx, name: &str, value: &str, sql_type: &str) -> String {
    format!("\t'{name}', {}::{sql_type}", cx.lit(value))
}

/// The relation's statistics entry.
pub(super) fn relation_stats(cx: &mut Ctx, o: &Obj) {
    let Detail::RelStats(d) = &o.detail else {
        return;
    };
    let schema = o.namespace.as_deref().unwrap_or("");
    let head = |args: &mut Vec<String>| {
        args.push(argument(cx, "version", &d.version.to_string(), "integer"));
        args.push(format!("\t'schemaname', {}", cx.lit(schema)));
        args.push(format!("\t'relname', {}", cx.lit(&o.name)));
    };
    let mut args = Vec::new();
    head(&mut args);
    args.push(argument(cx, "relpages", &d.relpages.to_string(), "integer"));
    args.push(argument(cx, "reltuples", &d.reltuples, "real"));
    args.push(argument(
        cx,
        "relallvisible",
        &d.relallvisible.to_string(),
        "integer",
    ));
    if let Some(frozen) = d.relallfrozen {
        args.push(argument(cx, "relallfrozen", &frozen.to_string(), "integer"));
    }
    let mut s = format!(
        "SELECT * FROM pg_catalog.pg_restore_relation_stats(\n{}\n);\n",
        args.join(",\n")
    );
    for a in &d.attributes {
        let mut args = Vec::new();
        head(&mut args);
        args.push(match &a.column {
            StatsColumn::Name(n) => format!("\t'attname', {}", cx.lit(n)),
            StatsColumn::Number(n) => argument(cx, "attnum", &n.to_string(), "smallint"),
        });
        args.push(argument(
            cx,
            "inherited",
            if a.inherited { "t" } else { "f" },
            "boolean",
        ));
        for (name, sql_type, value) in &a.values {
            args.push(argument(cx, name, value, sql_type));
        }
        s.push_str(&format!(
            "SELECT * FROM pg_catalog.pg_restore_attribute_stats(\n{}\n);\n",
            args.join(",\n")
        ));
    }
    let mut e = TocEntry::new("STATISTICS DATA", o.name.clone(), s).ns(o.namespace.as_deref());
    // Post-data statistics print in the last pass, with the refreshes (pg_dump 18).
    if o.kind() == Kind::RelStatsPostData {
        e.section = Some(crate::toc::Section::PostData);
        e.pass = crate::toc::Pass::PostAcl;
    } else {
        e.section = Some(crate::toc::Section::Data);
    }
    // Statistics print whatever -s or -a leave out (they are neither).
    cx.out.push(e);
}
