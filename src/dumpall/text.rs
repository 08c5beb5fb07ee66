//! pg_dumpall's text for the global objects: its sections, their headers and blank lines, as
//! pg_dumpall 15 writes them. Pure.

use super::read::{Globals, Role};
use super::{Scope, TextOptions};
use crate::ddl::acl::{build_acl_commands, AclTarget};
use crate::ddl::quote::{quote_literal, sanitize_line, Quoting};
use crate::dialect::Dialect;

/// The whole script for `-g`, `-r` or `-t`.
pub fn render(scope: Scope, opts: &TextOptions, g: &Globals) -> String {
    let mut out = globals(scope, opts, g);
    out.push_str(CLUSTER_DUMP_COMPLETE);
    out
}

/// The script's last lines.
pub const CLUSTER_DUMP_COMPLETE: &str = "--\n-- PostgreSQL database cluster dump complete\n--\n\n";

/// The heading of the databases' part of a full dump (when there is any database).
pub const DATABASES: &str = "--\n-- Databases\n--\n\n";

/// What precedes one database's dump: its heading, and for `template1` and `postgres` without
/// `--clean` (dumped without `--create`, so with no `\connect` of their own) the `\connect`.
pub fn database_head(name: &str, connect: bool) -> String {
    let mut out = format!("--\n-- Database \"{}\" dump\n--\n\n", sanitize_line(name));
    if connect {
        out.push_str(&format!("\\connect {name}\n\n"));
    }
    out
}

/// The script up to the databases: the settings, `--clean`'s drops, roles, memberships,
/// parameter privileges and tablespaces as `scope` asks (none of them with `-a`), then the end
/// of the restricted part.
pub fn globals(scope: Scope, opts: &TextOptions, g: &Globals) -> String {
    let q = opts.quoting;
    let mut out = format!(
        "--\n-- PostgreSQL database cluster dump\n--\n\n\\restrict {}\n\n\
         SET default_transaction_read_only = off;\n\n\
         SET client_encoding = '{}';\nSET standard_conforming_strings = {};\n",
        opts.restrict_key,
        g.encoding,
        if g.std_strings { "on" } else { "off" }
    );
    if !g.std_strings {
        out.push_str("SET escape_string_warning = off;\n");
    }
    out.push('\n');
    if !opts.data_only {
        definitions(&mut out, scope, opts, g, q);
    }
    out.push_str(&format!("\\unrestrict {}\n\n", opts.restrict_key));
    out
}

/// The drops and definitions of the global objects.
fn definitions(out: &mut String, scope: Scope, opts: &TextOptions, g: &Globals, q: Quoting) {
    let tablespaces = scope != Scope::Roles && !opts.no_tablespaces;
    let roles = scope != Scope::Tablespaces;
    if opts.clean {
        let if_exists = if opts.if_exists { "IF EXISTS " } else { "" };
        if scope == Scope::All {
            // pg_dumpall's dropDBs: every connectable database but the two dumped with
            // --clean --create (excluded databases too).
            drops(
                out,
                "databases (except postgres and template1)",
                "DATABASE",
                if_exists,
                g.database_drops.iter().map(String::as_str),
                q,
            );
        }
        if tablespaces {
            drops(
                out,
                "tablespaces",
                "TABLESPACE",
                if_exists,
                g.tablespace_drops.iter().map(String::as_str),
                q,
            );
        }
        if roles {
            drops(
                out,
                "roles",
                "ROLE",
                if_exists,
                g.role_drops.iter().map(String::as_str),
                q,
            );
        }
    }
    if roles {
        role_section(out, opts, g, q);
        memberships(out, g, q);
        // Privileges on parameters came with 15 (pg_dumpall's dumpRoleGUCPrivs).
        if g.server_num >= 150000 {
            parameter_privileges(out, opts, g, q);
        }
    }
    if tablespaces {
        tablespace_section(out, opts, g, q);
    }
}

/// `--clean`'s DROPs of one kind (pg_dumpall's dropRoles, dropTablespaces).
fn drops<'a>(
    out: &mut String,
    what: &str,
    kind: &str,
    if_exists: &str,
    names: impl Iterator<Item = &'a str>,
    q: Quoting,
) {
    let mut names = names.peekable();
    if names.peek().is_some() {
        out.push_str(&format!("--\n-- Drop {what}\n--\n\n"));
    }
    for n in names {
        out.push_str(&format!("DROP {kind} {if_exists}{};\n", q.ident(n)));
    }
    out.push_str("\n\n");
}

fn labels(
    out: &mut String,
    kind: &str,
    name: &str,
    labels: &[(String, String)],
    q: Quoting,
    std: bool,
) {
    for (provider, label) in labels {
        out.push_str(&format!(
            "SECURITY LABEL FOR {} ON {kind} {name} IS {};\n",
            q.ident(provider),
            quote_literal(label, std)
        ));
    }
}

/// One role's CREATE and ALTER (pg_dumpall's dumpRoles).
fn role(out: &mut String, opts: &TextOptions, r: &Role, q: Quoting, std: bool) {
    let name = q.ident(&r.name);
    out.push_str(&format!("CREATE ROLE {name};\nALTER ROLE {name} WITH"));
    const WORDS: [&str; 7] = [
        "SUPERUSER",
        "INHERIT",
        "CREATEROLE",
        "CREATEDB",
        "LOGIN",
        "REPLICATION",
        "BYPASSRLS",
    ];
    for (on, word) in r.flags.iter().zip(WORDS) {
        out.push_str(if *on { " " } else { " NO" });
        out.push_str(word);
    }
    if r.conn_limit != -1 {
        out.push_str(&format!(" CONNECTION LIMIT {}", r.conn_limit));
    }
    if let Some(p) = r.password.as_ref().filter(|_| !opts.no_role_passwords) {
        out.push_str(&format!(" PASSWORD {}", quote_literal(p, std)));
    }
    if let Some(v) = &r.valid_until {
        out.push_str(&format!(" VALID UNTIL '{v}'"));
    }
    out.push_str(";\n");
    if let Some(c) = r.comment.as_ref().filter(|_| !opts.no_comments) {
        out.push_str(&format!(
            "COMMENT ON ROLE {name} IS {};\n",
            quote_literal(c, std)
        ));
    }
    labels(out, "ROLE", &name, &r.labels, q, std);
}

/// Roles, then their settings (after all roles: a setting may name another role).
fn role_section(out: &mut String, opts: &TextOptions, g: &Globals, q: Quoting) {
    let std = g.std_strings;
    out.push_str("--\n-- Roles\n--\n\n");
    for r in &g.roles {
        role(out, opts, r, q, std);
    }
    // pg_dumpall 14 heads each role's settings, and each setting, on its own.
    let old_headings = Dialect::for_server(g.server_num).user_config_per_setting();
    if !g.roles.is_empty() && !old_headings {
        out.push_str("\n--\n-- User Configurations\n--\n");
    }
    for r in &g.roles {
        for (i, s) in r.settings.iter().enumerate() {
            if old_headings {
                if i == 0 {
                    out.push_str("--\n-- User Configurations\n--\n\n");
                }
                out.push_str(&format!("--\n-- User Config \"{}\"\n--\n\n", r.name));
            } else if i == 0 {
                out.push_str(&format!("\n--\n-- User Config \"{}\"\n--\n\n", r.name));
            }
            out.push_str(&format!(
                "ALTER ROLE {} {};\n",
                q.ident(&r.name),
                crate::database::set_clause(q, s, std)
            ));
        }
    }
    out.push_str("\n\n");
}

/// Role memberships (pg_dumpall's dumpRoleMembership). From 16 a grant names its grantor, who
/// must hold the ADMIN option by then: each role's grants are written in passes, those of the
/// bootstrap superuser and of members already given ADMIN OPTION first.
fn memberships(out: &mut String, g: &Globals, q: Quoting) {
    if !g.memberships.is_empty() {
        out.push_str("--\n-- Role memberships\n--\n\n");
    }
    let with_grantors = g.server_num >= 160000;
    let mut start = 0;
    while start < g.memberships.len() {
        let role = &g.memberships[start].role;
        let end = start
            + g.memberships[start..]
                .iter()
                .take_while(|m| &m.role == role)
                .count();
        let grants = &g.memberships[start..end];
        let mut done = vec![false; grants.len()];
        let mut admins: std::collections::BTreeSet<&str> = Default::default();
        loop {
            let mut progressed = false;
            for (i, m) in grants.iter().enumerate() {
                let allowed = !with_grantors
                    || m.grantor_oid == BOOTSTRAP_SUPERUSER
                    || m.grantor.as_deref().is_some_and(|gr| admins.contains(gr));
                if done[i] || !allowed {
                    continue;
                }
                done[i] = true;
                progressed = true;
                if m.admin {
                    admins.insert(&m.member);
                }
                out.push_str(&grant(m, q));
            }
            // A grant whose grantor never gets ADMIN OPTION is written last rather than lost.
            if !progressed {
                for (i, m) in grants.iter().enumerate() {
                    if !done[i] {
                        done[i] = true;
                        out.push_str(&grant(m, q));
                    }
                }
            }
            if done.iter().all(|d| *d) {
                break;
            }
        }
        start = end;
    }
    out.push_str("\n\n");
}

/// The bootstrap superuser's OID.
const BOOTSTRAP_SUPERUSER: u32 = 10;

/// One membership's GRANT.
fn grant(m: &super::read::Membership, q: Quoting) -> String {
    let mut s = format!("GRANT {} TO {}", q.ident(&m.role), q.ident(&m.member));
    let mut options = Vec::new();
    if m.admin {
        options.push("ADMIN OPTION".to_string());
    }
    if let Some(inherit) = m.inherit {
        options.push(format!(
            "INHERIT {}",
            if inherit { "TRUE" } else { "FALSE" }
        ));
    }
    if !m.set {
        options.push("SET FALSE".to_string());
    }
    if !options.is_empty() {
        s.push_str(&format!(" WITH {}", options.join(", ")));
    }
    if let Some(grantor) = &m.grantor {
        s.push_str(&format!(" GRANTED BY {}", q.ident(grantor)));
    }
    s.push_str(";\n");
    s
}

/// Privileges on configuration parameters (pg_dumpall's dumpRoleGUCPrivs).
fn parameter_privileges(out: &mut String, opts: &TextOptions, g: &Globals, q: Quoting) {
    // -x leaves out the whole section, blank lines too.
    if opts.no_privileges {
        return;
    }
    if !g.parameter_acls.is_empty() {
        out.push_str("--\n-- Role privileges on configuration parameters\n--\n\n");
        for p in &g.parameter_acls {
            let name = q.ident(&p.name.to_lowercase());
            let target = AclTarget {
                name: &name,
                subname: None,
                nspname: None,
                objtype: "PARAMETER",
                maintain: false,
            };
            out.push_str(&build_acl_commands(
                q,
                target,
                &p.acl,
                &p.acldefault,
                &p.owner,
            ));
        }
    }
    out.push_str("\n\n");
}

/// Tablespaces (pg_dumpall's dumpTablespaces).
fn tablespace_section(out: &mut String, opts: &TextOptions, g: &Globals, q: Quoting) {
    let std = g.std_strings;
    if !g.tablespaces.is_empty() {
        out.push_str("--\n-- Tablespaces\n--\n\n");
    }
    for t in &g.tablespaces {
        let name = q.ident(&t.name);
        out.push_str(&format!(
            "CREATE TABLESPACE {name} OWNER {} LOCATION {};\n",
            q.ident(&t.owner),
            quote_literal(&t.location, std)
        ));
        if let Some(o) = &t.options {
            out.push_str(&format!("ALTER TABLESPACE {name} SET ({o});\n"));
        }
        if !opts.no_privileges {
            let target = AclTarget {
                name: &name,
                subname: None,
                nspname: None,
                objtype: "TABLESPACE",
                maintain: false,
            };
            let acl = t.acl.clone().unwrap_or_default();
            if t.acl.is_some() {
                out.push_str(&build_acl_commands(
                    q,
                    target,
                    &acl,
                    &t.acldefault,
                    &t.owner,
                ));
            }
        }
        if let Some(c) = t.comment.as_ref().filter(|_| !opts.no_comments) {
            out.push_str(&format!(
                "COMMENT ON TABLESPACE {name} IS {};\n",
                quote_literal(c, std)
            ));
        }
        labels(out, "TABLESPACE", &name, &t.labels, q, std);
    }
    out.push_str("\n\n");
}
