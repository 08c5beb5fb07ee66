//! The statements `pgsnap restore -O/--no-owner` and `-x/--no-privileges` leave out of a
//! script, as pg_restore's `-O` and `-x` leave out entries: ownership (`ALTER ... OWNER TO`,
//! `SET SESSION AUTHORIZATION`) and privileges (`GRANT`, `REVOKE`, default privileges).

/// What to leave out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Skips {
    /// `-O`: statements that set an object's owner or the session's user.
    pub no_owner: bool,
    /// `-x`: statements that grant or revoke privileges.
    pub no_privileges: bool,
}

impl Skips {
    /// Whether the statement `sql` of an entry of TOC type `toc` is left out.
    pub fn skips(&self, toc: Option<&str>, sql: &str) -> bool {
        (self.no_owner && sets_owner(sql)) || (self.no_privileges && sets_privileges(toc, sql))
    }
}

/// The statement's first `n` words, upper-cased.
fn first_words(sql: &str, n: usize) -> Vec<String> {
    sql.split_whitespace()
        .take(n)
        .map(|w| w.trim_end_matches(';').to_ascii_uppercase())
        .collect()
}

/// `ALTER <object> ... OWNER TO role;`, `SET SESSION AUTHORIZATION`, `RESET SESSION AUTHORIZATION`.
fn sets_owner(sql: &str) -> bool {
    let words = first_words(sql, 3);
    if words.len() >= 3
        && matches!(words[0].as_str(), "SET" | "RESET")
        && words[1] == "SESSION"
        && words[2] == "AUTHORIZATION"
    {
        return true;
    }
    if words.first().map(String::as_str) != Some("ALTER") {
        return false;
    }
    // The owner clause ends the statement: `... OWNER TO name;` (a quoted name may hold
    // spaces, so look for the clause before the last name).
    let body = sql.trim_end().trim_end_matches(';').trim_end();
    let Some(at) = body.rfind(" OWNER TO ") else {
        return false;
    };
    let role = &body[at + " OWNER TO ".len()..];
    is_one_name(role)
}

/// Whether `text` is one identifier, quoted or not.
fn is_one_name(text: &str) -> bool {
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        return !inner.is_empty() && inner.replace("\"\"", "").find('"').is_none();
    }
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// `GRANT`, `REVOKE`, `ALTER DEFAULT PRIVILEGES`, and anything of an ACL entry.
fn sets_privileges(toc: Option<&str>, sql: &str) -> bool {
    if matches!(toc, Some("ACL" | "DEFAULT ACL" | "ACL LANGUAGE")) {
        return true;
    }
    let words = first_words(sql, 3);
    match words.first().map(String::as_str) {
        Some("GRANT" | "REVOKE") => true,
        Some("ALTER") => words.get(1).map(String::as_str) == Some("DEFAULT"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_owner_leaves_out_ownership_only() {
        let s = Skips {
            no_owner: true,
            no_privileges: false,
        };
        for sql in [
            "ALTER TABLE public.t OWNER TO nautobot;",
            "ALTER FUNCTION public.f(integer) OWNER TO \"Weird Role\";",
            "ALTER SCHEMA audit OWNER TO pgsnap_app;",
            "SET SESSION AUTHORIZATION 'nautobot';",
            "RESET SESSION AUTHORIZATION;",
        ] {
            assert!(s.skips(Some("TABLE"), sql), "{sql}");
        }
        for sql in [
            "ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
            "CREATE TABLE public.t (owner_to text);",
            "GRANT SELECT ON TABLE public.t TO nautobot;",
            "COMMENT ON TABLE public.t IS 'x OWNER TO y';",
        ] {
            assert!(!s.skips(Some("TABLE"), sql), "{sql}");
        }
    }

    #[test]
    fn no_privileges_leaves_out_grants() {
        let s = Skips {
            no_owner: false,
            no_privileges: true,
        };
        assert!(s.skips(Some("ACL"), "GRANT SELECT ON TABLE public.t TO app;"));
        assert!(s.skips(None, "REVOKE ALL ON SCHEMA public FROM PUBLIC;"));
        assert!(s.skips(
            Some("DEFAULT ACL"),
            "ALTER DEFAULT PRIVILEGES FOR ROLE a GRANT SELECT ON TABLES TO b;"
        ));
        assert!(!s.skips(Some("TABLE"), "ALTER TABLE public.t OWNER TO app;"));
    }
}
