//! Extensions (dumpExtension).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    if matches!(o.kind(), Kind::Extension) {
        extension(cx, o);
    }
}

pub(super) fn extension(cx: &mut Ctx, o: &Obj) {
    let Detail::Extension(detail) = &o.detail else {
        return;
    };
    let ExtensionDetail {
        schema, comment, ..
    } = &**detail;
    let q = cx.ident(&o.name);
    let defn = format!(
        "CREATE EXTENSION IF NOT EXISTS {q} WITH SCHEMA {};\n",
        cx.ident(schema)
    );
    cx.push_def(
        TocEntry::new("EXTENSION", o.name.clone(), defn).drop(format!("DROP EXTENSION {q};\n")),
    );
    cx.comment(comment, "EXTENSION", &q, o, "");
}
