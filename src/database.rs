//! `-C/--create`: the database's own entries (CREATE DATABASE, its comment, properties and
//! ACL) and the `\connect` that follows, as pg_dump's `dumpDatabase` writes them.

use crate::ddl::acl::{build_acl_commands, AclTarget};
use crate::ddl::quote::{quote_literal, Quoting};
use crate::error::{Error, ErrorKind, Result};
use crate::toc::{Pass, TocEntry};
use tokio_postgres::Client;

/// What `-C` needs to know about the dumped database.
#[derive(Debug, Clone, Default)]
pub struct DatabaseInfo {
    /// `datname`
    pub name: String,
    /// Owner role.
    pub owner: String,
    /// Encoding name.
    pub encoding: String,
    /// `datcollate`
    pub collate: String,
    /// `datctype`
    pub ctype: String,
    /// `datlocprovider` ('c' libc, 'i' ICU, 17's 'b' builtin)
    pub provider: char,
    /// The ICU or builtin provider's locale (`daticulocale`, 17's `datlocale`).
    pub locale: Option<String>,
    /// `daticurules` (16).
    pub icu_rules: Option<String>,
    /// `datconnlimit`
    pub conn_limit: i32,
    /// `datistemplate`
    pub is_template: bool,
    /// `datallowconn`
    pub allow_conn: bool,
    /// Default tablespace name.
    pub tablespace: String,
    /// `datacl` and the owner's default.
    pub acl: Option<String>,
    /// `acldefault('d', datdba)`
    pub acldefault: String,
    /// Comment.
    pub comment: Option<String>,
    /// `ALTER DATABASE ... SET` settings, `name=value`, in catalog order.
    pub settings: Vec<String>,
    /// `ALTER ROLE ... IN DATABASE ... SET` settings: role and `name=value`.
    pub role_settings: Vec<(String, String)>,
    /// Security labels: (provider, label).
    pub seclabels: Vec<(String, String)>,
}

/// The locale columns of pg_database as the server's major names them: 16 added
/// `daticurules`, 17 renamed `daticulocale` to `datlocale`.
fn locale_columns(server_num: u32) -> &'static str {
    match server_num {
        ..150000 => "'c' AS datlocprovider, NULL::text AS datlocale, NULL::text AS daticurules",
        150000..160000 => {
            "d.datlocprovider::text, d.daticulocale AS datlocale, NULL::text AS daticurules"
        }
        160000..170000 => "d.datlocprovider::text, d.daticulocale AS datlocale, d.daticurules",
        _ => "d.datlocprovider::text, d.datlocale, d.daticurules",
    }
}

/// Reads the connected database's properties (and its security labels, unless
/// `--no-security-labels`).
pub async fn load(client: &Client, server_num: u32, seclabels: bool) -> Result<DatabaseInfo> {
    let err = |e| Error::from_pg(e, ErrorKind::Server).context("reading the database's properties");
    let r = client
        .query_one(
            &format!("SELECT d.datname::text, pg_catalog.pg_get_userbyid(d.datdba)::text AS owner, \
             pg_catalog.pg_encoding_to_char(d.encoding)::text AS encoding, d.datcollate::text, \
             d.datctype::text, {}, d.datconnlimit, \
             d.datistemplate, d.datallowconn, t.spcname::text, d.datacl::text, \
             pg_catalog.acldefault('d', d.datdba)::text AS acldefault, \
             pg_catalog.shobj_description(d.oid, 'pg_database') AS comment, \
             ARRAY(SELECT u.c FROM pg_catalog.pg_db_role_setting s, \
                   pg_catalog.unnest(s.setconfig) WITH ORDINALITY AS u(c, n) \
                   WHERE s.setrole = 0 AND s.setdatabase = d.oid ORDER BY u.n) AS settings \
             FROM pg_catalog.pg_database d JOIN pg_catalog.pg_tablespace t ON t.oid = d.dattablespace \
             WHERE d.datname = pg_catalog.current_database()", locale_columns(server_num)),
            &[],
        )
        .await
        .map_err(err)?;
    let get = |c: &str| -> Result<String> { r.try_get::<_, String>(c).map_err(err) };
    let provider: String = get("datlocprovider")?;
    let role_settings = client
        .query(
            "SELECT r.rolname::text, u.c FROM pg_catalog.pg_db_role_setting s \
             JOIN pg_catalog.pg_roles r ON r.oid = s.setrole, \
             pg_catalog.unnest(s.setconfig) WITH ORDINALITY AS u(c, n) \
             WHERE s.setdatabase = (SELECT oid FROM pg_catalog.pg_database \
                                    WHERE datname = pg_catalog.current_database()) \
             ORDER BY r.rolname, u.n",
            &[],
        )
        .await
        .map_err(err)?
        .iter()
        .map(|row| Ok((row.try_get(0).map_err(err)?, row.try_get(1).map_err(err)?)))
        .collect::<Result<Vec<(String, String)>>>()?;
    let seclabels = if seclabels {
        client
            .query(
                "SELECT l.provider, l.label FROM pg_catalog.pg_shseclabel l \
                 WHERE l.classoid = 'pg_catalog.pg_database'::pg_catalog.regclass \
                 AND l.objoid = (SELECT oid FROM pg_catalog.pg_database \
                                 WHERE datname = pg_catalog.current_database()) \
                 ORDER BY l.provider",
                &[],
            )
            .await
            .map_err(err)?
            .iter()
            .map(|row| Ok((row.try_get(0).map_err(err)?, row.try_get(1).map_err(err)?)))
            .collect::<Result<Vec<(String, String)>>>()?
    } else {
        Vec::new()
    };
    Ok(DatabaseInfo {
        seclabels,
        name: get("datname")?,
        owner: get("owner")?,
        encoding: get("encoding")?,
        collate: get("datcollate")?,
        ctype: get("datctype")?,
        provider: provider.chars().next().unwrap_or('c'),
        locale: r.try_get("datlocale").map_err(err)?,
        icu_rules: r.try_get("daticurules").map_err(err)?,
        conn_limit: r.try_get("datconnlimit").map_err(err)?,
        is_template: r.try_get("datistemplate").map_err(err)?,
        allow_conn: r.try_get("datallowconn").map_err(err)?,
        tablespace: get("spcname")?,
        acl: r.try_get("datacl").map_err(err)?,
        acldefault: get("acldefault")?,
        comment: r.try_get("comment").map_err(err)?,
        settings: r.try_get("settings").map_err(err)?,
        role_settings,
    })
}

/// Settings whose value is a list of quoted items (pg_dump's `variable_is_guc_list_quote`).
const LIST_QUOTE_SETTINGS: &[&str] = &[
    "local_preload_libraries",
    "search_path",
    "session_preload_libraries",
    "shared_preload_libraries",
    "temp_tablespaces",
    "unix_socket_directories",
];

/// Splits a list setting as the server wrote it (`a, "b c"`) into its items.
fn split_list(value: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut chars = value.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut item = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        item.push('"');
                    } else {
                        break;
                    }
                } else {
                    item.push(c);
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c.is_whitespace() {
                    break;
                }
                item.push(c);
                chars.next();
            }
        }
        items.push(item);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some(',') {
            break;
        }
    }
    items
}

/// `SET name TO value` the way pg_dump's `makeAlterConfigCommand` writes it.
pub fn set_clause(q: Quoting, config: &str, std_strings: bool) -> String {
    let (name, value) = config.split_once('=').unwrap_or((config, ""));
    let value = if LIST_QUOTE_SETTINGS.contains(&name.to_ascii_lowercase().as_str()) {
        split_list(value)
            .iter()
            .map(|v| quote_literal(v, std_strings))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        quote_literal(value, std_strings)
    };
    format!("SET {} TO {value}", q.ident(name))
}

/// Whether `\connect name` needs nothing but the name (pg_dump's simple case).
fn simple_name(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// The `\connect` line pg_dump prints after the database's entries (its
/// `appendPsqlMetaConnect`): the quoted name, or for a name with other characters a
/// connection string under `\encoding SQL_ASCII`, so psql reads its bytes as they are.
pub fn connect_line(quoting: Quoting, name: &str) -> Result<String> {
    if name.contains(['\n', '\r']) {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!("database name contains a newline or carriage return: \"{name}\""),
        ));
    }
    if simple_name(name) {
        return Ok(format!("\\connect {}\n", quoting.ident(name)));
    }
    let mut conninfo = String::from("dbname='");
    for c in name.chars() {
        if c == '\'' || c == '\\' {
            conninfo.push('\\');
        }
        conninfo.push(c);
    }
    conninfo.push('\'');
    Ok(format!(
        "\\encoding SQL_ASCII\n\\connect -reuse-previous=on {}\n",
        quoting.ident(&conninfo)
    ))
}

/// The database's TOC entries, in pg_dump's order: DATABASE, its COMMENT, DATABASE PROPERTIES
/// (only when there are some), and its ACL (printed with the other ACLs).
pub fn entries(
    dialect: crate::dialect::Dialect,
    quoting: Quoting,
    db: &DatabaseInfo,
    std_strings: bool,
    no_comments: bool,
    no_privileges: bool,
    no_tablespaces: bool,
) -> Vec<TocEntry> {
    let q = quoting.ident(&db.name);
    let lit = |s: &str| quote_literal(s, std_strings);
    let mut create = format!(
        "CREATE DATABASE {q} WITH TEMPLATE = template0 ENCODING = {}",
        lit(&db.encoding)
    );
    if dialect.database_locale_provider() {
        create.push_str(match db.provider {
            'i' => " LOCALE_PROVIDER = icu",
            'b' => " LOCALE_PROVIDER = builtin",
            _ => " LOCALE_PROVIDER = libc",
        });
    }
    if !db.collate.is_empty() && db.collate == db.ctype {
        create.push_str(&format!(" LOCALE = {}", lit(&db.collate)));
    } else {
        if !db.collate.is_empty() {
            create.push_str(&format!(" LC_COLLATE = {}", lit(&db.collate)));
        }
        if !db.ctype.is_empty() {
            create.push_str(&format!(" LC_CTYPE = {}", lit(&db.ctype)));
        }
    }
    if let Some(locale) = &db.locale {
        let keyword = if db.provider == 'b' {
            "BUILTIN_LOCALE"
        } else {
            "ICU_LOCALE"
        };
        create.push_str(&format!(" {keyword} = {}", lit(locale)));
    }
    if let Some(rules) = &db.icu_rules {
        create.push_str(&format!(" ICU_RULES = {}", lit(rules)));
    }
    if !no_tablespaces && !db.tablespace.is_empty() && db.tablespace != "pg_default" {
        create.push_str(&format!(" TABLESPACE = {}", quoting.ident(&db.tablespace)));
    }
    create.push_str(";\n");
    let mut out = Vec::new();
    let mut e = TocEntry::new("DATABASE", db.name.clone(), create)
        .owner(&db.owner)
        .drop(format!("DROP DATABASE {q};\n"));
    e.owner_stmt = Some(format!(
        "ALTER DATABASE {q} OWNER TO {};",
        quoting.ident(&db.owner)
    ));
    out.push(e);
    if let (Some(c), false) = (&db.comment, no_comments) {
        out.push(
            TocEntry::new(
                "COMMENT",
                format!("DATABASE {q}"),
                format!("COMMENT ON DATABASE {q} IS {};\n", lit(c)),
            )
            .owner(&db.owner),
        );
    }
    if !db.seclabels.is_empty() {
        let sql: String = db
            .seclabels
            .iter()
            .map(|(provider, label)| {
                format!(
                    "SECURITY LABEL FOR {} ON DATABASE {q} IS {};\n",
                    quoting.ident(provider),
                    lit(label)
                )
            })
            .collect();
        out.push(TocEntry::new("SECURITY LABEL", format!("DATABASE {q}"), sql).owner(&db.owner));
    }
    let mut props = String::new();
    if db.conn_limit != -1 {
        props.push_str(&format!(
            "ALTER DATABASE {q} CONNECTION LIMIT = {};\n",
            db.conn_limit
        ));
    }
    if db.is_template {
        props.push_str(&format!("ALTER DATABASE {q} IS_TEMPLATE = true;\n"));
    }
    if !db.allow_conn {
        props.push_str(&format!("ALTER DATABASE {q} ALLOW_CONNECTIONS = false;\n"));
    }
    for s in &db.settings {
        props.push_str(&format!(
            "ALTER DATABASE {q} {};\n",
            set_clause(quoting, s, std_strings)
        ));
    }
    for (role, s) in &db.role_settings {
        props.push_str(&format!(
            "ALTER ROLE {} IN DATABASE {q} {};\n",
            quoting.ident(role),
            set_clause(quoting, s, std_strings)
        ));
    }
    // The server refuses to drop a template database: -c unmarks it first (pg_dump's
    // direct catalog update, as ALTER DATABASE has no IF EXISTS).
    let drop = if db.is_template {
        format!(
            "UPDATE pg_catalog.pg_database SET datistemplate = false WHERE datname = {};\n",
            lit(&db.name)
        )
    } else {
        String::new()
    };
    if !props.is_empty() {
        out.push(
            TocEntry::new("DATABASE PROPERTIES", db.name.clone(), props)
                .owner(&db.owner)
                .drop(drop),
        );
    }
    if let (Some(acl), false) = (&db.acl, no_privileges) {
        let target = AclTarget {
            name: &q,
            subname: None,
            nspname: None,
            objtype: "DATABASE",
            maintain: false,
        };
        let sql = build_acl_commands(quoting, target, acl, &db.acldefault, &db.owner);
        if !sql.is_empty() {
            let mut e = TocEntry::new("ACL", format!("DATABASE {q}"), sql).owner(&db.owner);
            e.pass = Pass::Acl;
            out.push(e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_written_as_pg_dump_does() {
        assert_eq!(
            set_clause(Quoting::default(), "work_mem=8MB", true),
            "SET work_mem TO '8MB'"
        );
        assert_eq!(
            set_clause(Quoting::default(), "search_path=public, pg_catalog", true),
            "SET search_path TO 'public', 'pg_catalog'"
        );
        assert_eq!(
            set_clause(Quoting::default(), "search_path=\"$user\", \"a b\"", true),
            "SET search_path TO '$user', 'a b'"
        );
    }

    #[test]
    fn connect_lines_as_pg_dump_writes_them() {
        let q = Quoting::default();
        assert_eq!(connect_line(q, "nautobot").unwrap(), "\\connect nautobot\n");
        assert_eq!(connect_line(q, "NetBox").unwrap(), "\\connect \"NetBox\"\n");
        assert_eq!(
            connect_line(q, "we ird").unwrap(),
            "\\encoding SQL_ASCII\n\\connect -reuse-previous=on \"dbname='we ird'\"\n"
        );
        assert_eq!(
            connect_line(q, "it's \"x\"\\").unwrap(),
            "\\encoding SQL_ASCII\n\\connect -reuse-previous=on \"dbname='it\\'s \"\"x\"\"\\\\'\"\n"
        );
        assert!(connect_line(q, "two\nlines").is_err());
    }
}
