//! Large objects (dumpLO): one entry each (pg_dump 16 and older) or one per group (17).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    match o.kind() {
        Kind::Blob => blob(cx, o),
        Kind::BlobData => blob_data(cx, o),
        _ => {}
    }
}

pub(super) fn blob(cx: &mut Ctx, o: &Obj) {
    let Detail::Blob(d) = &o.detail else {
        return;
    };
    let e = if cx.opts.dialect.groups_large_objects() {
        // The archiver writes one lo_create, ALTER and lo_unlink per large object from the
        // list; the texts here stand for them.
        let per_object = |f: &dyn Fn(u32) -> String| d.oids.iter().map(|&oid| f(oid)).collect();
        let mut e = TocEntry::new(
            "BLOB METADATA",
            o.name.clone(),
            per_object(&|oid| format!("SELECT pg_catalog.lo_create('{oid}');\n")),
        )
        .owner(&d.owner);
        e.drop = per_object(&|oid| format!("SELECT pg_catalog.lo_unlink('{oid}');\n"));
        e.owner_stmt = Some(per_object(&|oid| {
            format!(
                "ALTER LARGE OBJECT {oid} OWNER TO {};\n",
                cx.ident(&d.owner)
            )
        }));
        e.large_objects = d.oids.clone();
        e
    } else {
        let mut e = TocEntry::new(
            "BLOB",
            o.name.clone(),
            format!("SELECT pg_catalog.lo_create('{}');\n", o.name),
        )
        .owner(&d.owner)
        .drop(format!("SELECT pg_catalog.lo_unlink('{}');\n", o.name));
        e.owner_stmt = Some(format!(
            "ALTER LARGE OBJECT {} OWNER TO {};",
            o.name,
            cx.ident(&d.owner)
        ));
        e
    };
    // pg_dump treats a large object's entry, comment and ACL as data: they print with -a
    // too, so they are built here whatever the schema switch says.
    let schema = cx.opts.schema;
    cx.opts.schema = true;
    cx.push_def(e);
    for &oid in &d.oids {
        let name = oid.to_string();
        let comment = d
            .comments
            .iter()
            .find(|(c, _)| *c == oid)
            .map(|(_, text)| text.clone());
        cx.comment(&comment, "LARGE OBJECT", &name, o, &d.owner);
        let member = CatalogId {
            tableoid: o.cat.tableoid,
            oid,
        };
        cx.seclabel_of("LARGE OBJECT", &name, member, None, &d.owner);
        cx.acl(
            &d.acl,
            "LARGE OBJECT",
            &name,
            None,
            None,
            &d.owner,
            format!("LARGE OBJECT {name}"),
        );
    }
    cx.opts.schema = schema;
}

/// The contents of large objects: all of them (16 and older), or one group's (17).
pub(super) fn blob_data(cx: &mut Ctx, o: &Obj) {
    let mut e = TocEntry::new("BLOBS", o.name.clone(), "");
    if let Detail::LargeObjectData { metadata } = &o.detail {
        if let Detail::Blob(d) = &cx.cat.objects[*metadata].detail {
            e = e.owner(&d.owner);
            e.large_objects = d.oids.clone();
        }
    }
    cx.out.push(e);
}
