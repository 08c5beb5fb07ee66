//! GRANT/REVOKE text from aclitem arrays, as pg_dump's `buildACLCommands`/`parseAclItem`. Pure.

use super::quote::Quoting;

/// Splits a PostgreSQL text-array literal (`{a,"b c"}`) into its elements.
pub fn parse_array(s: &str) -> Vec<String> {
    let inner = s.trim();
    let inner = inner.strip_prefix('{').unwrap_or(inner);
    let inner = inner.strip_suffix('}').unwrap_or(inner);
    let mut out = Vec::new();
    if inner.is_empty() {
        return out;
    }
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\\' if in_quotes => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ',' if !in_quotes => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Reads a role name from the start of an aclitem part, undoing its double quotes.
fn dequote_role(s: &str) -> (String, &str) {
    let mut out = String::new();
    let bytes: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut consumed = 0;
    while i < bytes.len() && bytes[i] != '=' && bytes[i] != '/' {
        if bytes[i] == '"' {
            i += 1;
            consumed += 1;
            while i < bytes.len() {
                if bytes[i] == '"' {
                    if i + 1 < bytes.len() && bytes[i + 1] == '"' {
                        out.push('"');
                        i += 2;
                        consumed += 2;
                        continue;
                    }
                    i += 1;
                    consumed += 1;
                    break;
                }
                out.push(bytes[i]);
                consumed += bytes[i].len_utf8();
                i += 1;
            }
        } else {
            out.push(bytes[i]);
            consumed += bytes[i].len_utf8();
            i += 1;
        }
    }
    (out, &s[consumed..])
}

struct Parsed {
    grantee: String,
    grantor: String,
    privs: String,
    privs_wgo: String,
}

fn parse_item(
    item: &str,
    objtype: &str,
    subname: Option<&str>,
    maintain: bool,
    split_wgo: bool,
) -> Option<Parsed> {
    let (grantee, rest) = dequote_role(item);
    let rest = rest.strip_prefix('=')?;
    let (codes, grantor) = match rest.split_once('/') {
        Some((c, g)) => (c, dequote_role(g).0),
        None => (rest, String::new()),
    };
    let mut privs: Vec<String> = Vec::new();
    let mut wgo: Vec<String> = Vec::new();
    let mut all_with_go = true;
    let mut all_without_go = true;
    let mut convert = |code: char, word: &str| {
        let text = match subname {
            Some(s) => format!("{word}({s})"),
            None => word.to_string(),
        };
        match codes.find(code) {
            Some(pos) => {
                if split_wgo && codes[pos + 1..].starts_with('*') {
                    wgo.push(text);
                    all_without_go = false;
                } else {
                    privs.push(text);
                    all_with_go = false;
                }
            }
            None => {
                all_with_go = false;
                all_without_go = false;
            }
        }
    };
    match objtype {
        "TABLE" | "SEQUENCE" | "FOREIGN TABLE" | "TABLES" | "SEQUENCES" => {
            convert('r', "SELECT");
            if objtype == "SEQUENCE" || objtype == "SEQUENCES" {
                convert('U', "USAGE");
            } else {
                convert('a', "INSERT");
                convert('x', "REFERENCES");
                if subname.is_none() {
                    convert('d', "DELETE");
                    convert('t', "TRIGGER");
                    convert('D', "TRUNCATE");
                    if maintain {
                        convert('m', "MAINTAIN");
                    }
                }
            }
            convert('w', "UPDATE");
        }
        "FUNCTION" | "PROCEDURE" | "FUNCTIONS" | "PROCEDURES" => convert('X', "EXECUTE"),
        "SCHEMA" | "SCHEMAS" => {
            convert('C', "CREATE");
            convert('U', "USAGE");
        }
        "LARGE OBJECT" => {
            convert('r', "SELECT");
            convert('w', "UPDATE");
        }
        "TABLESPACE" => convert('C', "CREATE"),
        "PARAMETER" => {
            convert('s', "SET");
            convert('A', "ALTER SYSTEM");
        }
        "DATABASE" => {
            convert('C', "CREATE");
            convert('c', "CONNECT");
            convert('T', "TEMPORARY");
        }
        _ => convert('U', "USAGE"),
    }
    let all = |s: Option<&str>| match s {
        Some(s) => format!("ALL({s})"),
        None => "ALL".to_string(),
    };
    let (privs, privs_wgo) = if all_with_go {
        (String::new(), all(subname))
    } else if all_without_go {
        (all(subname), String::new())
    } else {
        (privs.join(","), wgo.join(","))
    };
    Some(Parsed {
        grantee,
        grantor,
        privs,
        privs_wgo,
    })
}

/// The object a GRANT/REVOKE script is about: `name` already quoted (empty for default
/// privileges), a column's name, the schema (quoted here), and the kind (`TABLE`, ...).
#[derive(Debug, Clone, Copy)]
pub struct AclTarget<'a> {
    /// The object's name, quoted.
    pub name: &'a str,
    /// A column's name, for column privileges.
    pub subname: Option<&'a str>,
    /// The object's schema.
    pub nspname: Option<&'a str>,
    /// The object kind as GRANT spells it.
    pub objtype: &'a str,
    /// Whether the server has relations' MAINTAIN privilege (17 and later), which pg_dump then
    /// counts among a table's privileges.
    pub maintain: bool,
}

/// The GRANT/REVOKE script taking an object from `base` to `acls` (pg_dump's
/// `buildACLCommands`).
pub fn build_acl_commands(
    q: Quoting,
    target: AclTarget,
    acls: &str,
    base: &str,
    owner: &str,
) -> String {
    build_acl_commands_with_prefix(q, target, acls, base, owner, "", true)
}

/// `ALTER DEFAULT PRIVILEGES FOR ROLE r [IN SCHEMA s] GRANT/REVOKE ... ON TABLES ...` (pg_dump's
/// `buildDefaultACLCommands`): the base is always the type's default. `of` names the kind
/// (`TABLES`, ...) and, in `nspname`, the schema of `IN SCHEMA`.
pub fn build_default_acl_commands(
    q: Quoting,
    dialect: crate::dialect::Dialect,
    of: AclTarget,
    acls: &str,
    base: &str,
    owner: &str,
) -> String {
    let mut prefix = format!("ALTER DEFAULT PRIVILEGES FOR ROLE {} ", q.ident(owner));
    if let Some(ns) = of.nspname {
        prefix.push_str(&format!("IN SCHEMA {} ", q.ident(ns)));
    }
    let target = AclTarget {
        name: "",
        nspname: None,
        ..of
    };
    let space = dialect.default_acl_double_space();
    build_acl_commands_with_prefix(q, target, acls, base, owner, &prefix, space)
}

/// `name_space`: the space after the object's name is written even when the name is empty
/// (see [`crate::dialect::Dialect::default_acl_double_space`]).
fn build_acl_commands_with_prefix(
    q: Quoting,
    target: AclTarget,
    acls: &str,
    base: &str,
    owner: &str,
    prefix: &str,
    name_space: bool,
) -> String {
    let AclTarget {
        name,
        subname,
        nspname,
        objtype,
        maintain,
    } = target;
    if acls.is_empty() && base.is_empty() {
        return String::new();
    }
    let items = parse_array(acls);
    let base_items = parse_array(base);
    let grants: Vec<&String> = items.iter().filter(|i| !base_items.contains(i)).collect();
    let revokes: Vec<&String> = base_items.iter().filter(|i| !items.contains(i)).collect();
    let target = {
        let mut t = format!("ON {objtype} ");
        if let Some(ns) = nspname.filter(|n| !n.is_empty()) {
            t.push_str(&q.ident(ns));
            t.push('.');
        }
        t.push_str(name);
        if !name.is_empty() || name_space {
            t.push(' ');
        }
        t
    };
    let who = |g: &str| {
        if g.is_empty() {
            "PUBLIC".to_string()
        } else {
            q.ident(g)
        }
    };
    let mut first = String::new();
    let mut second = String::new();
    for r in revokes {
        if let Some(p) = parse_item(r, objtype, subname, maintain, false) {
            if !p.privs.is_empty() {
                first.push_str(&format!(
                    "{prefix}REVOKE {} {target}FROM {};\n",
                    p.privs,
                    who(&p.grantee)
                ));
            }
        }
    }
    for g in grants {
        let Some(mut p) = parse_item(g, objtype, subname, maintain, true) else {
            continue;
        };
        if p.privs.is_empty() && p.privs_wgo.is_empty() {
            continue;
        }
        if p.grantor.is_empty() {
            p.grantor = owner.to_string();
        }
        let out = if p.grantee == owner && p.grantor == owner {
            &mut first
        } else {
            &mut second
        };
        let as_other = !p.grantor.is_empty() && p.grantor != owner;
        if as_other {
            out.push_str(&format!(
                "SET SESSION AUTHORIZATION {};\n",
                q.ident(&p.grantor)
            ));
        }
        if !p.privs.is_empty() {
            out.push_str(&format!(
                "{prefix}GRANT {} {target}TO {};\n",
                p.privs,
                who(&p.grantee)
            ));
        }
        if !p.privs_wgo.is_empty() {
            out.push_str(&format!(
                "{prefix}GRANT {} {target}TO {} WITH GRANT OPTION;\n",
                p.privs_wgo,
                who(&p.grantee)
            ));
        }
        if as_other {
            out.push_str("RESET SESSION AUTHORIZATION;\n");
        }
    }
    first + &second
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_schema_acl_like_pagila() {
        let sql = build_acl_commands(
            Quoting::default(),
            AclTarget {
                name: "public",
                subname: None,
                nspname: None,
                objtype: "SCHEMA",
                maintain: false,
            },
            "{postgres=UC/postgres,=UC/postgres}",
            "{postgres=UC/postgres,=U/postgres}",
            "postgres",
        );
        assert_eq!(
            sql,
            "REVOKE USAGE ON SCHEMA public FROM PUBLIC;\nGRANT ALL ON SCHEMA public TO PUBLIC;\n"
        );
    }

    #[test]
    fn table_grants_and_grant_option() {
        let sql = build_acl_commands(
            Quoting::default(),
            AclTarget {
                name: "t",
                subname: None,
                nspname: Some("public"),
                objtype: "TABLE",
                maintain: false,
            },
            "{o=arwdDxt/o,\"r 1\"=r*w/o}",
            "{o=arwdDxt/o}",
            "o",
        );
        assert_eq!(
            sql,
            "GRANT UPDATE ON TABLE public.t TO \"r 1\";\nGRANT SELECT ON TABLE public.t TO \"r 1\" WITH GRANT OPTION;\n"
        );
    }

    #[test]
    fn column_grants() {
        let sql = build_acl_commands(
            Quoting::default(),
            AclTarget {
                name: "t",
                subname: Some("c"),
                nspname: Some("public"),
                objtype: "TABLE",
                maintain: false,
            },
            "{r=r/o}",
            "{}",
            "o",
        );
        assert_eq!(sql, "GRANT SELECT(c) ON TABLE public.t TO r;\n");
    }

    #[test]
    fn default_privileges_keep_pg_dumps_double_space() {
        let sql = build_default_acl_commands(
            Quoting::default(),
            crate::dialect::Dialect { major: 15 },
            AclTarget {
                name: "",
                subname: None,
                nspname: Some("audit"),
                objtype: "TABLES",
                maintain: false,
            },
            "{r=r/o}",
            "{}",
            "o",
        );
        assert_eq!(
            sql,
            "ALTER DEFAULT PRIVILEGES FOR ROLE o IN SCHEMA audit GRANT SELECT ON TABLES  TO r;\n"
        );
    }

    #[test]
    fn array_parsing() {
        assert_eq!(
            parse_array("{a,\"b c\",\"x\\\"y\"}"),
            vec!["a", "b c", "x\"y"]
        );
        assert!(parse_array("{}").is_empty());
    }
}
