//! The psql-loadable plain format, byte for byte as pg_dump's archiver prints it
//! (`RestoreArchive` / `_printTocEntry`). Pure: entries in, text out.

use crate::ddl::quote::sanitize_line;
use crate::toc::TocEntry;

/// Header settings.
#[derive(Debug, Clone)]
pub struct Header {
    /// `server_version` of the source.
    pub server_version: String,
    /// Name and version of the dumping program.
    pub dumped_by: String,
    /// Database encoding (`client_encoding`).
    pub encoding: String,
    /// `standard_conforming_strings`.
    pub std_strings: bool,
    /// The `\restrict` key.
    pub restrict_key: String,
    /// `--enable-row-security`
    pub row_security: bool,
    /// The pg_dump major whose text is written.
    pub dialect: crate::dialect::Dialect,
}

/// The preamble up to the first entry.
pub fn header(h: &Header) -> String {
    format!(
        "--\n-- PostgreSQL database dump\n--\n\n\\restrict {key}\n\n\
-- Dumped from database version {sv}\n-- Dumped by {by}\n\n{settings}",
        key = h.restrict_key,
        sv = h.server_version,
        by = h.dumped_by,
        settings = session_settings(h),
    )
}

/// The session settings a script sets at its start and again after each `\connect`.
pub fn session_settings(h: &Header) -> String {
    format!(
        "SET statement_timeout = 0;\n\
SET lock_timeout = 0;\n\
SET idle_in_transaction_session_timeout = 0;\n\
{transaction_timeout}\
SET client_encoding = '{enc}';\n\
SET standard_conforming_strings = {ss};\n\
SELECT pg_catalog.set_config('search_path', '', false);\n\
SET check_function_bodies = false;\n\
SET xmloption = content;\n\
SET client_min_messages = warning;\n\
SET row_security = {rls};\n\n",
        transaction_timeout = if h.dialect.sets_transaction_timeout() {
            "SET transaction_timeout = 0;\n"
        } else {
            ""
        },
        enc = h.encoding,
        ss = if h.std_strings { "on" } else { "off" },
        rls = if h.row_security { "on" } else { "off" },
    )
}

/// pg_dump's reconnection after `-C`'s database entries: leave restricted mode, `\connect`,
/// re-enter it, and set the session up again.
pub fn reconnect(h: &Header, connect_line: &str) -> String {
    format!(
        "\\unrestrict {key}\n{connect_line}\\restrict {key}\n\n{settings}",
        key = h.restrict_key,
        settings = session_settings(h),
    )
}

/// The closing lines.
pub fn footer(restrict_key: &str) -> String {
    format!("--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict {restrict_key}\n\n")
}

/// The statement `-c/--clean` prints for an entry (pg_dump's drop loop in `RestoreArchive`),
/// with `--if-exists` spliced in as pg_dump splices it; `None` when the entry has none.
pub fn drop_statement(e: &TocEntry, if_exists: bool) -> Option<String> {
    let drop = e.drop.as_str();
    if drop.is_empty() {
        return None;
    }
    if e.desc == "BLOB METADATA" {
        // One statement per large object, then a blank line (pg_dump's IssueCommandPerBlob).
        let mut out: String = if if_exists {
            e.large_objects
                .iter()
                .map(|oid| format!("SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '{oid}';\n"))
                .collect()
        } else {
            drop.to_string()
        };
        out.push('\n');
        return Some(out);
    }
    // A comment (the public schema's) is printed as it is.
    if !if_exists || drop.starts_with("--") {
        return Some(drop.to_string());
    }
    if e.desc == "BLOB" {
        return Some(format!(
            "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '{}';\n",
            e.tag
        ));
    }
    let (mut out, rest) = match drop.strip_prefix("ALTER TABLE") {
        Some(rest) => ("ALTER TABLE IF EXISTS".to_string(), rest),
        None => (String::new(), drop),
    };
    // ALTER COLUMN ... DROP DEFAULT takes no IF EXISTS, and a view's placeholder is no DROP.
    if e.desc == "DEFAULT" || rest.starts_with("CREATE OR REPLACE VIEW") {
        out.push_str(rest);
        return Some(out);
    }
    let word = match e.desc {
        "CONSTRAINT" | "CHECK CONSTRAINT" | "FK CONSTRAINT" => "DROP CONSTRAINT".to_string(),
        desc => format!("DROP {desc}"),
    };
    match rest.find(&word) {
        Some(at) => {
            out.push_str(&rest[..at + word.len()]);
            out.push_str(" IF EXISTS");
            out.push_str(&rest[at + word.len()..]);
        }
        // pg_dump warns and prints the statement unchanged; every statement pgsnap makes has
        // the word, so this is only a safety net.
        None => out.push_str(rest),
    }
    Some(out)
}

/// Tracks the session state the archiver tracks between entries (tablespace, access method).
#[derive(Debug, Default)]
pub struct PlainState {
    tablespace: Option<String>,
    tableam: Option<String>,
    /// The session user the script has set (pg_dump's `currUser`): `None` when unknown,
    /// `Some("")` after `SET SESSION AUTHORIZATION DEFAULT`.
    user: Option<String>,
}

/// Options that change how entries print.
#[derive(Debug, Clone, Copy, Default)]
pub struct PrintOptions {
    /// `-O`
    pub no_owner: bool,
    /// `--no-tablespaces`
    pub no_tablespaces: bool,
    /// `--no-table-access-method`
    pub no_table_access_method: bool,
    /// `--disable-triggers` with `-a`: table data is loaded with the table's triggers off.
    pub disable_triggers: bool,
    /// `--use-set-session-authorization`: each entry runs as its owner instead of being
    /// followed by ALTER ... OWNER TO.
    pub set_session_authorization: bool,
    /// `--quote-all-identifiers`
    pub quoting: crate::ddl::quote::Quoting,
}

impl PlainState {
    /// `SET SESSION AUTHORIZATION` when the script's session user is not `user` yet ("" is
    /// the initial one: DEFAULT), as pg_dump's `_becomeUser`.
    fn become_user(&mut self, user: &str, out: &mut String) {
        if self.user.as_deref() == Some(user) {
            return;
        }
        if user.is_empty() {
            out.push_str("SET SESSION AUTHORIZATION DEFAULT;\n\n");
        } else {
            out.push_str(&format!(
                "SET SESSION AUTHORIZATION {};\n\n",
                crate::ddl::quote::quote_literal(user, true)
            ));
        }
        self.user = Some(user.to_string());
    }

    /// With `--use-set-session-authorization`, becomes the entry's owner (pg_dump's
    /// `_becomeOwner`); prints nothing otherwise.
    pub fn become_owner(&mut self, e: &TocEntry, opts: PrintOptions) -> String {
        let mut out = String::new();
        if opts.set_session_authorization && !opts.no_owner {
            self.become_user(e.owner.as_deref().unwrap_or(""), &mut out);
        }
        out
    }

    /// A `\connect` starts a new session: nothing set before holds (pg_dump's
    /// `_reconnectToDB`).
    pub fn reconnected(&mut self) {
        *self = PlainState::default();
    }

    /// What follows a table's data: the end of the COPY block, and with `--disable-triggers`
    /// the statement turning the triggers back on (as superuser).
    pub fn data_tail(&mut self, e: &TocEntry, opts: PrintOptions) -> String {
        // INSERT data ends with two blank lines instead of the COPY terminator.
        let mut out = match &e.data {
            Some(d) if d.as_inserts => "\n\n",
            _ => COPY_END,
        }
        .to_string();
        if opts.disable_triggers {
            self.become_user("", &mut out);
            out.push_str(&format!(
                "ALTER TABLE {} ENABLE TRIGGER ALL;\n\n",
                table_of(e, opts.quoting)
            ));
        }
        out
    }

    /// Everything printed for an entry before its data (for TABLE DATA) or its whole text.
    pub fn entry_head(&mut self, e: &TocEntry, opts: PrintOptions) -> String {
        let mut out = self.become_owner(e, opts);
        // An ACL entry's statements may change the session user themselves.
        if matches!(e.desc, "ACL" | "DEFAULT ACL") {
            self.user = None;
        }
        if let Some(ts) = e.tablespace.as_ref().filter(|_| !opts.no_tablespaces) {
            if self.tablespace.as_ref() != Some(ts) {
                if ts.is_empty() {
                    out.push_str("SET default_tablespace = '';\n\n");
                } else {
                    out.push_str(&format!(
                        "SET default_tablespace = {};\n\n",
                        opts.quoting.ident(ts)
                    ));
                }
                self.tablespace = Some(ts.clone());
            }
        }
        if let Some(am) = e.tableam.as_ref().filter(|_| !opts.no_table_access_method) {
            if self.tableam.as_ref() != Some(am) {
                out.push_str(&format!(
                    "SET default_table_access_method = {};\n\n",
                    opts.quoting.ident(am)
                ));
                self.tableam = Some(am.clone());
            }
        }
        let pfx = if e.is_data() {
            "Data for "
        } else if e.desc == "STATISTICS DATA" {
            "Statistics for "
        } else {
            ""
        };
        let schema = match &e.namespace {
            Some(ns) if !ns.is_empty() => sanitize_line(ns),
            _ => "-".to_string(),
        };
        let owner = match &e.owner {
            Some(o) if !opts.no_owner => sanitize_line(o),
            _ => "-".to_string(),
        };
        out.push_str(&format!(
            "--\n-- {pfx}Name: {}; Type: {}; Schema: {schema}; Owner: {owner}",
            sanitize_line(&e.tag),
            e.desc
        ));
        if let Some(ts) = e.tablespace.as_ref().filter(|_| !opts.no_tablespaces) {
            if !ts.is_empty() {
                out.push_str(&format!("; Tablespace: {}", sanitize_line(ts)));
            }
        }
        out.push_str("\n--\n\n");
        if let Some(copy) = &e.data {
            if let Some(root) = &copy.via_root {
                out.push_str(&format!("-- load via partition root {root}\n\n"));
            }
            if opts.disable_triggers {
                // pg_dump's _disableTriggersIfNecessary: as superuser, triggers off.
                self.become_user("", &mut out);
                out.push_str(&format!(
                    "ALTER TABLE {} DISABLE TRIGGER ALL;\n\n",
                    table_of(e, opts.quoting)
                ));
                // The data itself loads as the owner again.
                out.push_str(&self.become_owner(e, opts));
            }
            out.push_str(&copy.copy_stmt);
            return out;
        }
        // A group of large objects prints one command per object and a blank line after each
        // list (pg_dump's IssueCommandPerBlob); any other entry its statement and two.
        let per_object = e.desc == "BLOB METADATA";
        let gap = if per_object { "\n" } else { "\n\n" };
        if !e.defn.is_empty() {
            out.push_str(&e.defn);
            out.push_str(gap);
        }
        // With SET SESSION AUTHORIZATION the entry already ran as its owner; only a schema
        // that is not created (public) still needs ALTER OWNER (pg_dump's _printTocEntry).
        let by_session =
            opts.set_session_authorization && !(e.desc == "SCHEMA" && e.defn.starts_with("--"));
        if !opts.no_owner && !by_session && !e.drop.is_empty() {
            if let Some(stmt) = &e.owner_stmt {
                if e.owner.as_deref().is_some_and(|o| !o.is_empty()) {
                    out.push_str(stmt);
                    out.push_str(gap);
                }
            }
        }
        out
    }
}

/// What ends a COPY data block.
pub const COPY_END: &str = "\\.\n\n\n";

/// The qualified table name of a TABLE DATA entry (pg_dump's `fmtQualifiedId(namespace, tag)`).
fn table_of(e: &TocEntry, q: crate::ddl::quote::Quoting) -> String {
    q.qualified(e.namespace.as_deref().unwrap_or(""), &e.tag)
}

/// Entries in print order: the main pass, then ACLs, then the post-ACL pass.
pub fn print_order(entries: &[TocEntry]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..entries.len()).collect();
    idx.sort_by_key(|i| (entries[*i].pass, *i));
    idx
}

/// The whole text of a dump without table data (for tests and `-s`).
pub fn render_without_data(h: &Header, entries: &[TocEntry], opts: PrintOptions) -> String {
    let mut st = PlainState::default();
    let mut out = header(h);
    for i in print_order(entries) {
        let e = &entries[i];
        out.push_str(&st.entry_head(e, opts));
        if e.data.is_some() {
            out.push_str(&st.data_tail(e, opts));
        }
    }
    out.push_str(&footer(&h.restrict_key));
    out
}

/// pg_dump's restrict key: 63 random alphanumeric characters.
pub fn random_restrict_key(random: &[u8]) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    random
        .iter()
        .take(63)
        .map(|b| CHARS[*b as usize % CHARS.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::toc::{Pass, TableCopy};

    fn h() -> Header {
        Header {
            server_version: "15.0".into(),
            dumped_by: "pgsnap version 0.1.0".into(),
            encoding: "UTF8".into(),
            std_strings: true,
            restrict_key: "K".into(),
            row_security: false,
            dialect: crate::dialect::Dialect { major: 15 },
        }
    }

    #[test]
    fn entry_layout_matches_pg_dump() {
        let mut e = TocEntry::new("TABLE", "actor", "CREATE TABLE public.actor (\n);\n")
            .ns(Some("public"))
            .owner("postgres")
            .drop("DROP TABLE public.actor;\n".into());
        e.owner_stmt = Some("ALTER TABLE public.actor OWNER TO postgres;".into());
        e.tablespace = Some(String::new());
        e.tableam = Some("heap".into());
        let text = render_without_data(&h(), &[e], PrintOptions::default());
        assert!(text.contains(
            "SET default_tablespace = '';\n\nSET default_table_access_method = heap;\n\n--\n-- Name: actor; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE public.actor (\n);\n\n\nALTER TABLE public.actor OWNER TO postgres;\n\n"
        ), "{text}");
        assert!(
            text.ends_with("--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict K\n\n")
        );
    }

    #[test]
    fn data_entry_and_no_owner() {
        let mut e = TocEntry::new("TABLE DATA", "t", "")
            .ns(Some("public"))
            .owner("o");
        e.data = Some(TableCopy {
            table: 0,
            copy_stmt: "COPY public.t  FROM stdin;\n".into(),
            as_inserts: false,
            via_root: None,
        });
        let text = render_without_data(
            &h(),
            &[e],
            PrintOptions {
                no_owner: true,
                ..Default::default()
            },
        );
        assert!(text.contains("-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: -\n--\n\nCOPY public.t  FROM stdin;\n\\.\n\n\n"), "{text}");
    }

    #[test]
    fn acl_pass_prints_after_main() {
        let mut acl = TocEntry::new("ACL", "SCHEMA x", "GRANT ...;\n");
        acl.pass = Pass::Acl;
        let main = TocEntry::new("SCHEMA", "x", "CREATE SCHEMA x;\n");
        assert_eq!(print_order(&[acl, main]), vec![1, 0]);
    }

    #[test]
    fn names_with_newlines_are_sanitized() {
        let e = TocEntry::new("TABLE", "a\nb", "X;\n");
        let text = render_without_data(&h(), &[e], PrintOptions::default());
        assert!(text.contains("-- Name: a b; Type: TABLE"));
    }

    #[test]
    fn restrict_key_is_alphanumeric() {
        let k = random_restrict_key(&[255u8; 64]);
        assert_eq!(k.len(), 63);
        assert!(k.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn if_exists_is_spliced_as_pg_dump_does() {
        let drop = |desc: &'static str, sql: &str| {
            let e = TocEntry::new(desc, "777", "").drop(sql.to_string());
            drop_statement(&e, true).unwrap_or_default()
        };
        assert_eq!(
            drop("TABLE", "DROP TABLE public.t;\n"),
            "DROP TABLE IF EXISTS public.t;\n"
        );
        assert_eq!(
            drop(
                "FK CONSTRAINT",
                "ALTER TABLE ONLY public.t DROP CONSTRAINT t_fk;\n"
            ),
            "ALTER TABLE IF EXISTS ONLY public.t DROP CONSTRAINT IF EXISTS t_fk;\n"
        );
        assert_eq!(
            drop(
                "CHECK CONSTRAINT",
                "ALTER DOMAIN public.d DROP CONSTRAINT c;\n"
            ),
            "ALTER DOMAIN public.d DROP CONSTRAINT IF EXISTS c;\n"
        );
        assert_eq!(
            drop(
                "DEFAULT",
                "ALTER TABLE public.t ALTER COLUMN id DROP DEFAULT;\n"
            ),
            "ALTER TABLE IF EXISTS public.t ALTER COLUMN id DROP DEFAULT;\n"
        );
        assert_eq!(
            drop("USER MAPPING", "DROP USER MAPPING FOR public SERVER s;\n"),
            "DROP USER MAPPING IF EXISTS FOR public SERVER s;\n"
        );
        assert_eq!(
            drop("RULE", "CREATE OR REPLACE VIEW public.v AS\nSELECT;\n"),
            "CREATE OR REPLACE VIEW public.v AS\nSELECT;\n"
        );
        assert_eq!(
            drop(
                "SCHEMA",
                "-- *not* dropping schema, since initdb creates it\n"
            ),
            "-- *not* dropping schema, since initdb creates it\n"
        );
        assert_eq!(
            drop("BLOB", "SELECT pg_catalog.lo_unlink('777');\n"),
            "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '777';\n"
        );
        let plain = TocEntry::new("INDEX", "i", "").drop("DROP INDEX public.i;\n".into());
        assert_eq!(
            drop_statement(&plain, false).as_deref(),
            Some("DROP INDEX public.i;\n")
        );
        assert_eq!(
            drop_statement(&TocEntry::new("COMMENT", "x", ""), true),
            None
        );
    }
}
