//! Default privileges (dumpDefaultACL).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    if matches!(o.kind(), Kind::DefaultAcl) {
        default_acl(cx, o);
    }
}

pub(super) fn default_acl(cx: &mut Ctx, o: &Obj) {
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
    let sql = acl::build_default_acl_commands(
        cx.opts.quoting,
        cx.opts.dialect,
        acl::AclTarget {
            name: "",
            subname: None,
            nspname: o.namespace.as_deref(),
            objtype: kind,
            maintain: cx.cat.server_num >= 170000,
        },
        &acls,
        &acl.acldefault,
        role,
    );
    if sql.is_empty() {
        return;
    }
    let mut e = TocEntry::new("DEFAULT ACL", format!("DEFAULT PRIVILEGES FOR {kind}"), sql)
        .ns(o.namespace.as_deref())
        .owner(role);
    e.pass = Pass::Acl;
    cx.out.push(e);
}
