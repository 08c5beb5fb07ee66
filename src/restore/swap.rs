//! `--clean-database`: a restore that replaces a database without destroying it first. The
//! dump is loaded into a new database under a temporary (staging) name; only when everything
//! loaded are the names swapped, in one transaction, and the old database dropped (or kept
//! with `--keep-old`). A failed restore drops the staging database and leaves the old one as
//! it was. `--in-place` keeps the old way (drop, create, load) for servers without room for two
//! copies.

use crate::ddl::quote::quote_ident;
use crate::error::{Error, ErrorKind, Result};
use crate::pg::connect::{self, PasswordPrompt};
use crate::pg::conninfo::ConnSettings;
use tokio_postgres::Client;

/// The longest database name the server keeps (NAMEDATALEN - 1 bytes).
const MAX_NAME: usize = 63;

/// The staging name for `target`: stable, so that a run killed midway leaves a name the next
/// run finds and drops.
pub fn staging_name(target: &str) -> String {
    with_suffix(target, "_pgsnap_new")
}

/// The name the old database takes while the new one is swapped in.
pub fn retired_name(target: &str) -> String {
    with_suffix(target, "_pgsnap_old")
}

fn with_suffix(target: &str, suffix: &str) -> String {
    let mut base = target.to_string();
    while base.len() + suffix.len() > MAX_NAME {
        base.pop();
    }
    format!("{base}{suffix}")
}

/// A database being restored under a staging name, to take `target`'s name at the end.
pub struct Created {
    /// The maintenance connection that renames and drops.
    pub admin: Admin,
    /// The database's name once swapped in.
    pub target: String,
    /// Its name while it loads.
    pub staging: String,
    /// For a `pg_dump -C` script: the name as its statements write it (they are pointed at
    /// the staging database).
    pub written: Option<String>,
}

/// A `pg_dump -C` script's `CREATE DATABASE` under `--clean-database`. Without `--in-place`
/// the database is created under its staging name (returned; the caller runs the statement
/// renamed). With `--in-place` the old database is dropped here first and `None` returned: the
/// statement then runs as written.
pub async fn create_database(
    plan: &super::RestorePlan,
    settings: &ConnSettings,
    sql: &str,
) -> Result<Option<Created>> {
    let Some((written, target)) = created_name(sql) else {
        return Ok(None);
    };
    let admin = Admin::connect(settings, &target).await?;
    if plan.in_place {
        admin.make_idle(&target, plan.force, true).await?;
        admin.drop_database(&target).await?;
        return Ok(None);
    }
    let staging = staging_name(&target);
    admin.drop_database(&staging).await?;
    Ok(Some(Created {
        admin,
        target,
        staging,
        written: Some(written),
    }))
}

/// Whether a statement is a `DROP DATABASE` (a `-c -C` script's first).
pub fn drops_database(sql: &str) -> bool {
    let mut words = sql.split_whitespace();
    matches!(
        (words.next(), words.next()),
        (Some(a), Some(b)) if a.eq_ignore_ascii_case("DROP") && b.eq_ignore_ascii_case("DATABASE")
    )
}

/// A connection to a maintenance database for creating, renaming and dropping others.
pub struct Admin {
    client: Client,
}

impl Admin {
    /// Connects to `postgres` (or `template1` when the target is `postgres`).
    pub async fn connect(settings: &ConnSettings, target: &str) -> Result<Admin> {
        let mut admin = settings.clone();
        admin.dbname = if target == "postgres" {
            "template1".into()
        } else {
            "postgres".into()
        };
        let (client, _) = connect::connect_leader(admin, PasswordPrompt::Never).await?;
        let current: String = client
            .query_one("SELECT pg_catalog.current_database()", &[])
            .await?
            .get(0);
        if current == target {
            return Err(Error::usage(format!(
                "refusing to replace database \"{target}\": it is the database this session is connected to"
            )));
        }
        Ok(Admin { client })
    }

    /// Whether a database of that name exists.
    pub async fn exists(&self, name: &str) -> Result<bool> {
        Ok(self
            .client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1)",
                &[&name],
            )
            .await?
            .get(0))
    }

    /// Sessions on `name` other than this one; waits a moment for ones just closing (a
    /// previous run's or this restore's own connections linger briefly).
    async fn sessions(&self, name: &str) -> Result<i64> {
        let mut others = 0;
        for attempt in 0..25 {
            others = self
                .client
                .query_one(
                    "SELECT count(*) FROM pg_catalog.pg_stat_activity \
                     WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid()",
                    &[&name],
                )
                .await?
                .get(0);
            if others == 0 || attempt == 24 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        Ok(others)
    }

    /// Refuses while other sessions use `name`, unless `force`, which terminates them.
    pub async fn make_idle(&self, name: &str, force: bool, terminate: bool) -> Result<()> {
        let others = self.sessions(name).await?;
        if others == 0 {
            return Ok(());
        }
        if !force {
            return Err(Error::usage(format!(
                "database \"{name}\" has {others} other session(s); refusing to replace it (use --force to terminate them)"
            )));
        }
        if terminate {
            self.client
                .execute(
                    "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity \
                     WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid()",
                    &[&name],
                )
                .await?;
            if self.sessions(name).await? > 0 {
                return Err(Error::new(
                    ErrorKind::Server,
                    format!("database \"{name}\" still has sessions after terminating them"),
                ));
            }
        }
        Ok(())
    }

    /// Drops `name` if it exists (no session may be left on it).
    pub async fn drop_database(&self, name: &str) -> Result<()> {
        self.client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {}", quote_ident(name)))
            .await
            .map_err(|e| Error::from(e).context(format!("dropping database \"{name}\"")))
    }

    /// Creates an empty database (the server's default template, as `CREATE DATABASE name`).
    pub async fn create(&self, name: &str) -> Result<()> {
        self.client
            .batch_execute(&format!("CREATE DATABASE {}", quote_ident(name)))
            .await
            .map_err(|e| Error::from(e).context(format!("creating database \"{name}\"")))
    }

    /// Runs a statement (the dump's own `CREATE DATABASE`, renamed).
    pub async fn execute(&self, sql: &str) -> Result<()> {
        self.client.batch_execute(sql).await.map_err(Error::from)
    }

    /// Gives `staging` the name `target`; the old `target`, if any, becomes `keep_old` (or is
    /// dropped). Both renames commit together.
    pub async fn swap(
        &self,
        target: &str,
        staging: &str,
        keep_old: Option<&str>,
        force: bool,
    ) -> Result<()> {
        // This restore's own connections to the staging database are closing.
        self.make_idle(staging, true, true).await?;
        let had_old = self.exists(target).await?;
        let retired = keep_old
            .map(str::to_string)
            .unwrap_or_else(|| retired_name(target));
        let mut sql = String::from("BEGIN; ");
        if had_old {
            self.make_idle(target, force, true).await?;
            if keep_old.is_none() {
                self.drop_database(&retired).await?;
            }
            sql.push_str(&format!(
                "ALTER DATABASE {} RENAME TO {}; ",
                quote_ident(target),
                quote_ident(&retired)
            ));
        }
        sql.push_str(&format!(
            "ALTER DATABASE {} RENAME TO {}; COMMIT",
            quote_ident(staging),
            quote_ident(target)
        ));
        self.client.batch_execute(&sql).await.map_err(|e| {
            Error::from(e).context(format!("swapping the restored database into \"{target}\""))
        })?;
        if had_old && keep_old.is_none() {
            self.drop_database(&retired).await?;
        }
        Ok(())
    }
}

/// The name a `CREATE DATABASE` statement creates, as written (quoted or not) and as the
/// server stores it.
pub fn created_name(sql: &str) -> Option<(String, String)> {
    let rest = sql.trim_start();
    let rest = rest
        .get(..16)
        .filter(|p| p.eq_ignore_ascii_case("CREATE DATABASE "))
        .map(|_| rest[16..].trim_start())?;
    if let Some(quoted) = rest.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = quoted.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().map(|&(_, n)| n) == Some('"') {
                    chars.next();
                    name.push('"');
                    continue;
                }
                return Some((format!("\"{}", &quoted[..=i]), name));
            }
            name.push(c);
        }
        None
    } else {
        let token: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != ';')
            .collect();
        (!token.is_empty()).then(|| (token.clone(), token.to_lowercase()))
    }
}

/// `sql` with every `DATABASE <written>` naming the dump's database pointed at `staging`.
pub fn rename_database(sql: &str, written: &str, staging: &str) -> String {
    let needle = format!("DATABASE {written}");
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find(&needle) {
        let after = &rest[at + needle.len()..];
        let ends = after
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '$'));
        out.push_str(&rest[..at]);
        if ends {
            out.push_str("DATABASE ");
            out.push_str(&quote_ident(staging));
        } else {
            out.push_str(&needle);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_names_fit_the_server_limit() {
        assert_eq!(staging_name("nautobot"), "nautobot_pgsnap_new");
        assert_eq!(retired_name("nautobot"), "nautobot_pgsnap_old");
        let long = "x".repeat(63);
        assert_eq!(staging_name(&long).len(), 63);
        let wide = "é".repeat(40);
        assert!(staging_name(&wide).len() <= 63);
    }

    #[test]
    fn create_database_names_are_read_as_written() {
        assert_eq!(
            created_name("CREATE DATABASE nautobot WITH TEMPLATE = template0;"),
            Some(("nautobot".into(), "nautobot".into()))
        );
        assert_eq!(
            created_name("CREATE DATABASE \"we\"\"ird db\" WITH TEMPLATE = template0;"),
            Some(("\"we\"\"ird db\"".into(), "we\"ird db".into()))
        );
        assert_eq!(created_name("CREATE TABLE t (x int);"), None);
    }

    #[test]
    fn statements_on_the_database_point_at_staging() {
        assert_eq!(
            rename_database(
                "ALTER DATABASE nautobot OWNER TO app;",
                "nautobot",
                "nautobot_pgsnap_new"
            ),
            "ALTER DATABASE nautobot_pgsnap_new OWNER TO app;"
        );
        assert_eq!(
            rename_database("COMMENT ON DATABASE nautobot2 IS 'x';", "nautobot", "s"),
            "COMMENT ON DATABASE nautobot2 IS 'x';"
        );
    }
}
