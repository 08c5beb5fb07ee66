//! Reads the cluster's global objects with pg_dumpall's queries, into plain structs.

use super::{DumpallPlan, Scope};
use crate::error::{Error, ErrorKind, Result};
use tokio_postgres::{Client, Row};

/// A role as pg_dumpall's dumpRoles reads it.
#[derive(Debug, Clone, Default)]
pub struct Role {
    /// `rolname`
    pub name: String,
    /// `rolsuper`, `rolinherit`, `rolcreaterole`, `rolcreatedb`, `rolcanlogin`,
    /// `rolreplication`, `rolbypassrls`, in that order.
    pub flags: [bool; 7],
    /// `rolconnlimit`
    pub conn_limit: i32,
    /// `rolpassword` (none with `--no-role-passwords`)
    pub password: Option<String>,
    /// `rolvaliduntil` as the server prints it
    pub valid_until: Option<String>,
    /// Comment.
    pub comment: Option<String>,
    /// Security labels: (provider, label).
    pub labels: Vec<(String, String)>,
    /// `ALTER ROLE ... SET` settings (`name=value`), in catalog order.
    pub settings: Vec<String>,
}

/// A role membership (pg_auth_members).
#[derive(Debug, Clone)]
pub struct Membership {
    /// The role granted.
    pub role: String,
    /// The member.
    pub member: String,
    /// `admin_option`
    pub admin: bool,
    /// The grantor, when known.
    pub grantor: Option<String>,
    /// The grantor's OID (10 is the bootstrap superuser, who may always grant).
    pub grantor_oid: u32,
    /// `inherit_option` (16; `None` before).
    pub inherit: Option<bool>,
    /// `set_option` (16; true before).
    pub set: bool,
}

/// Privileges on a configuration parameter (pg_parameter_acl).
#[derive(Debug, Clone)]
pub struct ParameterAcl {
    /// Parameter name.
    pub name: String,
    /// `paracl`
    pub acl: String,
    /// `acldefault('p', 10)`
    pub acldefault: String,
    /// The bootstrap superuser, who owns parameters.
    pub owner: String,
}

/// A tablespace.
#[derive(Debug, Clone)]
pub struct Tablespace {
    /// `spcname`
    pub name: String,
    /// Owner.
    pub owner: String,
    /// `pg_tablespace_location`
    pub location: String,
    /// `spcoptions` as `a=b, c=d`
    pub options: Option<String>,
    /// `spcacl`
    pub acl: Option<String>,
    /// `acldefault('t', spcowner)`
    pub acldefault: String,
    /// Comment.
    pub comment: Option<String>,
    /// Security labels: (provider, label).
    pub labels: Vec<(String, String)>,
}

/// Everything `pgsnap dumpall` writes.
#[derive(Debug, Clone, Default)]
pub struct Globals {
    /// The server's `server_version_num`: 16 grants memberships with options and grantors.
    pub server_num: u32,
    /// `client_encoding` of the script (the server's encoding).
    pub encoding: String,
    /// `standard_conforming_strings`
    pub std_strings: bool,
    /// Roles by name (pg_* roles left out).
    pub roles: Vec<Role>,
    /// Role names for `--clean`'s drops, in pg_dumpall's order.
    pub role_drops: Vec<String>,
    /// Memberships, by role, member, admin option.
    pub memberships: Vec<Membership>,
    /// Parameter privileges, by name.
    pub parameter_acls: Vec<ParameterAcl>,
    /// Tablespaces (pg_* left out), by OID.
    pub tablespaces: Vec<Tablespace>,
    /// Tablespace names for `--clean`'s drops, by name.
    pub tablespace_drops: Vec<String>,
    /// The databases a full dump dumps, in pg_dumpall's order: template1, then by name.
    pub databases: Vec<String>,
    /// Database names for a full dump's `--clean` drops, by name.
    pub database_drops: Vec<String>,
}

fn failed(what: &'static str) -> impl Fn(tokio_postgres::Error) -> Error {
    move |e| Error::from_pg(e, ErrorKind::Server).context(format!("reading {what}"))
}

fn get<T: for<'a> tokio_postgres::types::FromSql<'a>>(row: &Row, col: &str) -> Result<T> {
    row.try_get(col)
        .map_err(|e| Error::catalog(format!("unexpected value in column \"{col}\": {e}")))
}

/// Security labels on a shared object.
async fn labels(client: &Client, catalog: &str, oid: u32) -> Result<Vec<(String, String)>> {
    let rows = client
        .query(
            "SELECT provider, label FROM pg_catalog.pg_shseclabel \
             WHERE classoid = $1::text::pg_catalog.regclass AND objoid = $2 ORDER BY provider",
            &[&catalog, &oid],
        )
        .await
        .map_err(failed("security labels"))?;
    rows.iter()
        .map(|r| Ok((get(r, "provider")?, get(r, "label")?)))
        .collect()
}

/// Reads what `plan` dumps.
pub async fn read(client: &Client, plan: &DumpallPlan) -> Result<Globals> {
    let info = client
        .query_one(
            "SELECT pg_catalog.pg_encoding_to_char(d.encoding)::text AS enc, \
             pg_catalog.current_setting('server_version_num')::int4 AS num, \
             pg_catalog.current_setting('standard_conforming_strings') AS ss \
             FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()",
            &[],
        )
        .await
        .map_err(failed("server settings"))?;
    let mut g = Globals {
        server_num: get::<i32>(&info, "num")?.unsigned_abs(),
        encoding: get(&info, "enc")?,
        std_strings: get::<String>(&info, "ss")? == "on",
        ..Globals::default()
    };
    let labels_too = !plan.text.no_security_labels;
    if plan.scope != Scope::Tablespaces {
        read_roles(client, plan, labels_too, &mut g).await?;
    }
    if plan.scope != Scope::Roles && !plan.text.no_tablespaces {
        read_tablespaces(client, labels_too, &mut g).await?;
        if plan.text.clean {
            g.tablespace_drops = client
                .query(
                    "SELECT spcname::text FROM pg_catalog.pg_tablespace \
                     WHERE spcname !~ '^pg_' ORDER BY 1",
                    &[],
                )
                .await
                .map_err(failed("tablespaces"))?
                .iter()
                .map(|r| get(r, "spcname"))
                .collect::<Result<_>>()?;
        }
    }
    if plan.scope == Scope::All {
        read_databases(client, plan, &mut g).await?;
    }
    Ok(g)
}

/// The databases of a full dump (pg_dumpall's dumpDatabases and dropDBs): those that take
/// connections and are not invalid, without template0 and, for the dumps, the excluded ones.
async fn read_databases(client: &Client, plan: &DumpallPlan, g: &mut Globals) -> Result<()> {
    let names: Vec<String> = client
        .query(
            "SELECT datname::text FROM pg_catalog.pg_database d \
             WHERE datallowconn AND datconnlimit != -2 ORDER BY datname",
            &[],
        )
        .await
        .map_err(failed("databases"))?
        .iter()
        .map(|r| get(r, "datname"))
        .collect::<Result<_>>()?;
    let mut excluded = std::collections::BTreeSet::new();
    for pattern in &plan.exclude_databases {
        let regex = crate::catalog::filter::database_pattern(pattern)?;
        for row in client
            .query(
                "SELECT datname::text FROM pg_catalog.pg_database n \
                 WHERE datname OPERATOR(pg_catalog.~) $1 COLLATE pg_catalog.default",
                &[&regex],
            )
            .await
            .map_err(failed("databases"))?
        {
            excluded.insert(get::<String>(&row, "datname")?);
        }
    }
    let kept = |n: &&String| n.as_str() != "template0" && !excluded.contains(*n);
    g.databases = names
        .iter()
        .filter(|n| n.as_str() == "template1")
        .chain(names.iter().filter(|n| n.as_str() != "template1"))
        .filter(kept)
        .cloned()
        .collect();
    if plan.text.clean {
        g.database_drops = names
            .into_iter()
            .filter(|n| !matches!(n.as_str(), "template0" | "template1" | "postgres"))
            .collect();
    }
    Ok(())
}

async fn read_roles(
    client: &Client,
    plan: &DumpallPlan,
    labels_too: bool,
    g: &mut Globals,
) -> Result<()> {
    // Without passwords, pg_roles serves (it needs no superuser).
    let (catalog, password) = if plan.text.no_role_passwords {
        ("pg_roles", "NULL::text")
    } else {
        ("pg_authid", "rolpassword")
    };
    let sql = format!(
        "SELECT oid, rolname::text, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, \
         rolconnlimit, {password} AS rolpassword, rolvaliduntil::text, rolreplication, rolbypassrls, \
         pg_catalog.shobj_description(oid, 'pg_authid') AS rolcomment \
         FROM pg_catalog.{catalog} WHERE rolname !~ '^pg_' ORDER BY 2"
    );
    for r in client.query(&sql, &[]).await.map_err(failed("roles"))? {
        let oid: u32 = get(&r, "oid")?;
        let name: String = get(&r, "rolname")?;
        let flag = |c: &str| get::<bool>(&r, c);
        let settings = client
            .query(
                "SELECT u.c FROM pg_catalog.pg_db_role_setting s, \
                 pg_catalog.unnest(s.setconfig) WITH ORDINALITY AS u(c, n) \
                 WHERE s.setdatabase = 0 AND s.setrole = $1 ORDER BY u.n",
                &[&oid],
            )
            .await
            .map_err(failed("role settings"))?
            .iter()
            .map(|s| get::<String>(s, "c"))
            .collect::<Result<Vec<_>>>()?;
        g.roles.push(Role {
            flags: [
                flag("rolsuper")?,
                flag("rolinherit")?,
                flag("rolcreaterole")?,
                flag("rolcreatedb")?,
                flag("rolcanlogin")?,
                flag("rolreplication")?,
                flag("rolbypassrls")?,
            ],
            conn_limit: get(&r, "rolconnlimit")?,
            password: get(&r, "rolpassword")?,
            valid_until: get(&r, "rolvaliduntil")?,
            comment: get(&r, "rolcomment")?,
            labels: if labels_too {
                labels(client, "pg_authid", oid).await?
            } else {
                Vec::new()
            },
            settings,
            name,
        });
    }
    if plan.text.clean {
        g.role_drops = client
            .query(
                &format!(
                    "SELECT rolname::text FROM pg_catalog.{catalog} WHERE rolname !~ '^pg_' ORDER BY 1"
                ),
                &[],
            )
            .await
            .map_err(failed("roles"))?
            .iter()
            .map(|r| get(r, "rolname"))
            .collect::<Result<_>>()?;
    }
    // 16 has grant options and orders by grantor (pg_dumpall's dumpRoleMembership).
    let (options, order) = if g.server_num >= 160000 {
        ("a.inherit_option, a.set_option", "1, 2, 4")
    } else {
        (
            "NULL::bool AS inherit_option, true AS set_option",
            "1, 2, 3",
        )
    };
    let sql = format!(
        "SELECT ur.rolname::text AS roleid, um.rolname::text AS member, a.admin_option, \
         ug.rolname::text AS grantor, a.grantor AS grantorid, {options} \
         FROM pg_catalog.pg_auth_members a \
         LEFT JOIN pg_catalog.{catalog} ur ON ur.oid = a.roleid \
         LEFT JOIN pg_catalog.{catalog} um ON um.oid = a.member \
         LEFT JOIN pg_catalog.{catalog} ug ON ug.oid = a.grantor \
         WHERE NOT (ur.rolname ~ '^pg_' AND um.rolname ~ '^pg_') ORDER BY {order}"
    );
    for r in client
        .query(&sql, &[])
        .await
        .map_err(failed("role memberships"))?
    {
        g.memberships.push(Membership {
            role: get(&r, "roleid")?,
            member: get(&r, "member")?,
            admin: get(&r, "admin_option")?,
            grantor: get(&r, "grantor")?,
            grantor_oid: get(&r, "grantorid")?,
            inherit: get(&r, "inherit_option")?,
            set: get(&r, "set_option")?,
        });
    }
    // Privileges on parameters came with 15.
    let parameter_acls = if g.server_num >= 150000 {
        client
            .query(
                "SELECT parname::text, pg_catalog.pg_get_userbyid(10)::text AS parowner, \
                 paracl::text, pg_catalog.acldefault('p', 10)::text AS acldefault \
                 FROM pg_catalog.pg_parameter_acl ORDER BY 1",
                &[],
            )
            .await
            .map_err(failed("parameter privileges"))?
    } else {
        Vec::new()
    };
    for r in parameter_acls {
        g.parameter_acls.push(ParameterAcl {
            name: get(&r, "parname")?,
            owner: get(&r, "parowner")?,
            acl: get::<Option<String>>(&r, "paracl")?.unwrap_or_default(),
            acldefault: get(&r, "acldefault")?,
        });
    }
    Ok(())
}

async fn read_tablespaces(client: &Client, labels_too: bool, g: &mut Globals) -> Result<()> {
    let rows = client
        .query(
            "SELECT oid, spcname::text, pg_catalog.pg_get_userbyid(spcowner)::text AS spcowner, \
             pg_catalog.pg_tablespace_location(oid) AS location, spcacl::text, \
             pg_catalog.acldefault('t', spcowner)::text AS acldefault, \
             pg_catalog.array_to_string(spcoptions, ', ') AS spcoptions, \
             pg_catalog.shobj_description(oid, 'pg_tablespace') AS spccomment \
             FROM pg_catalog.pg_tablespace WHERE spcname !~ '^pg_' ORDER BY 1",
            &[],
        )
        .await
        .map_err(failed("tablespaces"))?;
    for r in rows {
        let oid: u32 = get(&r, "oid")?;
        g.tablespaces.push(Tablespace {
            name: get(&r, "spcname")?,
            owner: get(&r, "spcowner")?,
            location: get(&r, "location")?,
            options: get::<Option<String>>(&r, "spcoptions")?.filter(|o| !o.is_empty()),
            acl: get(&r, "spcacl")?,
            acldefault: get(&r, "acldefault")?,
            comment: get(&r, "spccomment")?,
            labels: if labels_too {
                labels(client, "pg_tablespace", oid).await?
            } else {
                Vec::new()
            },
        });
    }
    Ok(())
}

/// What one database needs of the cluster's global objects (see [`super::database_globals`]).
pub struct DatabaseNeeds {
    /// Role names.
    pub roles: std::collections::BTreeSet<String>,
    /// Tablespace names.
    pub tablespaces: std::collections::BTreeSet<String>,
}

/// The roles and tablespaces the connected database needs.
pub async fn database_needs(client: &Client) -> Result<DatabaseNeeds> {
    let roles = client
        .query(
            "WITH RECURSIVE needed(oid) AS ( \
               SELECT d.refobjid FROM pg_catalog.pg_shdepend d \
               WHERE d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass \
               AND d.dbid = (SELECT oid FROM pg_catalog.pg_database \
                             WHERE datname = pg_catalog.current_database()) \
               UNION SELECT datdba FROM pg_catalog.pg_database \
               WHERE datname = pg_catalog.current_database() \
               UNION SELECT m.roleid FROM pg_catalog.pg_auth_members m \
               JOIN needed n ON m.member = n.oid) \
             SELECT r.rolname::text FROM pg_catalog.pg_roles r JOIN needed n ON n.oid = r.oid \
             WHERE r.rolname !~ '^pg_'",
            &[],
        )
        .await
        .map_err(failed("the roles the database needs"))?
        .iter()
        .map(|r| get(r, "rolname"))
        .collect::<Result<_>>()?;
    let tablespaces = client
        .query(
            "SELECT t.spcname::text FROM pg_catalog.pg_tablespace t \
             WHERE t.spcname !~ '^pg_' AND (t.oid IN (SELECT reltablespace FROM pg_catalog.pg_class) \
             OR t.oid = (SELECT dattablespace FROM pg_catalog.pg_database \
                         WHERE datname = pg_catalog.current_database()))",
            &[],
        )
        .await
        .map_err(failed("the tablespaces the database uses"))?
        .iter()
        .map(|r| get(r, "spcname"))
        .collect::<Result<_>>()?;
    Ok(DatabaseNeeds { roles, tablespaces })
}
