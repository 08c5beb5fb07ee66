//! Large objects (dumpLO).

use super::*;

pub(super) fn blob(cx: &mut Ctx, o: &Obj) {
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
        cx.ident(&d.owner)
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
