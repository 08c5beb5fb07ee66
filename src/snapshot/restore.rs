//! `pgsnap snapshot restore`: a snapshot back onto a server and a disk in one command. The
//! manifest is checked first (nothing is touched when a file is missing or altered), then the
//! roles and tablespaces that are missing are created (existing ones are left as they are and
//! listed), the database is replaced as `restore --clean-database` replaces it, and the media
//! directory is restored with the safe extraction.

use super::{verify, SnapshotManifest, GLOBALS_FILE, MANIFEST};
use crate::error::{Error, ErrorKind, Result};
use crate::pg::connect::{self, PasswordPrompt};
use crate::pg::conninfo::{self, ConnOptions};
use crate::progress::{Progress, ProgressMode};
use crate::restore::script::{Item, ScriptReader};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A validated `pgsnap snapshot restore`.
#[derive(Debug, Clone)]
pub struct SnapshotRestorePlan {
    /// The snapshot directory.
    pub dir: PathBuf,
    /// Connection options; `dbname` is the database to replace.
    pub conn: ConnOptions,
    /// Password prompting.
    pub prompt: PasswordPrompt,
    /// Parallel connections for the database.
    pub jobs: usize,
    /// End other sessions of the database at the swap instead of refusing.
    pub force: bool,
    /// Where the media directory goes (the archive's own name here when `None`).
    pub media_into: Option<PathBuf>,
    /// Progress reporting.
    pub progress: ProgressMode,
}

/// What a snapshot restore did.
#[derive(Debug, Default)]
pub struct SnapshotRestoreReport {
    /// Roles and tablespaces created.
    pub created: Vec<String>,
    /// Roles and tablespaces that existed already, left as they were.
    pub existing: Vec<String>,
    /// Statements and tables of the database loaded.
    pub database: crate::restore::RestoreReport,
    /// The media directory restored, and how many files.
    pub media: Option<(PathBuf, usize)>,
}

/// The object a globals statement is about: its kind ("ROLE" or "TABLESPACE") and name, and
/// whether the statement creates it.
fn subject(sql: &str) -> Option<(&'static str, String, bool)> {
    const FORMS: [(&str, &str, bool); 9] = [
        ("CREATE ROLE ", "ROLE", true),
        ("ALTER ROLE ", "ROLE", false),
        ("COMMENT ON ROLE ", "ROLE", false),
        ("CREATE TABLESPACE ", "TABLESPACE", true),
        ("ALTER TABLESPACE ", "TABLESPACE", false),
        ("COMMENT ON TABLESPACE ", "TABLESPACE", false),
        ("GRANT ALL ON TABLESPACE ", "TABLESPACE", false),
        ("GRANT CREATE ON TABLESPACE ", "TABLESPACE", false),
        ("REVOKE ALL ON TABLESPACE ", "TABLESPACE", false),
    ];
    let sql = sql.trim_start();
    FORMS.iter().find_map(|(prefix, kind, creates)| {
        sql.strip_prefix(prefix)
            .and_then(leading_ident)
            .map(|name| (*kind, name, *creates))
    })
}

/// An identifier at the start of `s`, as written (`"Ops Admin"` or `app_owner`), unquoted.
fn leading_ident(s: &str) -> Option<String> {
    if let Some(rest) = s.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    name.push('"');
                    continue;
                }
                return Some(name);
            }
            name.push(c);
        }
        return None;
    }
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(s.len());
    (end > 0).then(|| s[..end].to_string())
}

/// Creates the roles and tablespaces of `globals.sql` that the server lacks; those it has are
/// left as they are (their ALTER, COMMENT and GRANT ON TABLESPACE statements too).
async fn apply_globals(
    client: &tokio_postgres::Client,
    file: &Path,
    report: &mut SnapshotRestoreReport,
) -> Result<()> {
    let mut exists: BTreeSet<(&'static str, String)> = BTreeSet::new();
    for r in client
        .query(
            "SELECT 'ROLE' AS kind, rolname::text AS name FROM pg_catalog.pg_roles \
             UNION ALL SELECT 'TABLESPACE', spcname::text FROM pg_catalog.pg_tablespace",
            &[],
        )
        .await?
    {
        let kind: String = r.get(0);
        let kind = if kind == "ROLE" { "ROLE" } else { "TABLESPACE" };
        exists.insert((kind, r.get(1)));
    }
    let input = std::io::BufReader::new(std::fs::File::open(file)?);
    let mut reader = ScriptReader::new(input);
    let mut kept: BTreeSet<(&'static str, String)> = BTreeSet::new();
    while let Some(item) = reader.next_item().map_err(|e| e.in_file(GLOBALS_FILE))? {
        let Item::Statement { sql, line, .. } = item else {
            continue;
        };
        if let Some((kind, name, creates)) = subject(&sql) {
            let key = (kind, name);
            if creates && exists.contains(&key) {
                report
                    .existing
                    .push(format!("{} {}", kind.to_lowercase(), key.1));
                kept.insert(key);
                continue;
            }
            if kept.contains(&key) {
                continue;
            }
            if creates {
                report
                    .created
                    .push(format!("{} {}", kind.to_lowercase(), key.1));
            }
        }
        client
            .batch_execute(&sql)
            .await
            .map_err(|e| Error::from(e).context(format!("{GLOBALS_FILE}:{line}")))?;
    }
    Ok(())
}

/// Restores the snapshot in `plan.dir`.
pub async fn run(plan: &SnapshotRestorePlan) -> Result<SnapshotRestoreReport> {
    let progress = Progress::new(plan.progress, 0, 0);
    progress.phase("verify");
    // Everything is checked before anything is touched.
    let problems = verify(&plan.dir)?;
    if !problems.is_empty() {
        return Err(Error::new(
            ErrorKind::Verify,
            format!(
                "snapshot \"{}\" does not match its manifest, nothing was restored: {}",
                plan.dir.display(),
                problems.join("; ")
            ),
        ));
    }
    let text = std::fs::read_to_string(plan.dir.join(MANIFEST))?;
    let manifest: SnapshotManifest =
        serde_json::from_str(&text).map_err(|e| Error::usage(format!("{MANIFEST}: {e}")))?;
    let mut report = SnapshotRestoreReport::default();
    if let Some(globals) = &manifest.globals {
        progress.phase("globals");
        let mut settings = conninfo::resolve_from_process(&plan.conn)?;
        // Roles and tablespaces belong to the cluster: created from the maintenance database.
        settings.dbname = "postgres".into();
        let (client, _) = connect::connect_leader(settings, plan.prompt).await?;
        apply_globals(&client, &plan.dir.join(&globals.path), &mut report).await?;
    }
    let restore = crate::restore::RestorePlan {
        conn: plan.conn.clone(),
        prompt: plan.prompt,
        file: Some(plan.dir.join(&manifest.database_dump.path)),
        jobs: plan.jobs.max(1),
        clean_database: true,
        in_place: false,
        keep_old: None,
        force: plan.force,
        create: false,
        part_bytes: Some(crate::restore::PART_BYTES),
        single_transaction: false,
        progress: plan.progress,
        progress_part: true,
        skips: Default::default(),
        role: None,
        on_error_continue: false,
    };
    progress.phase("database");
    report.database = crate::restore::run(&restore).await?;
    if let Some(media) = &manifest.media {
        progress.phase("media");
        let opts = crate::media::restore::RestoreOptions {
            into: plan.media_into.clone(),
            no_verify: false,
            max_size: None,
            same_owner: crate::media::owner::can_chown(),
        };
        let r = crate::media::restore::restore(&plan.dir.join(&media.path), &opts)?;
        report.media = Some((r.target, r.files));
    }
    let names = |v: &[String]| {
        let quoted: Vec<String> = v.iter().map(|n| Progress::json(n)).collect();
        format!("[{}]", quoted.join(","))
    };
    progress.finish_with(&[
        ("created", names(&report.created)),
        ("existing", names(&report.existing)),
        ("statements", report.database.statements.to_string()),
        ("tables", report.database.tables.to_string()),
        (
            "media_files",
            report.media.as_ref().map_or(0, |m| m.1).to_string(),
        ),
    ]);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globals_statements_name_their_role_or_tablespace() {
        assert_eq!(
            subject("CREATE ROLE \"Ops \"\"X\"\"\";"),
            Some(("ROLE", "Ops \"X\"".to_string(), true))
        );
        assert_eq!(
            subject("ALTER ROLE app WITH LOGIN;"),
            Some(("ROLE", "app".to_string(), false))
        );
        assert_eq!(
            subject("GRANT ALL ON TABLESPACE ts1 TO alice;"),
            Some(("TABLESPACE", "ts1".to_string(), false))
        );
        assert_eq!(subject("GRANT app TO bob;"), None);
        assert_eq!(subject("SET client_encoding = 'UTF8';"), None);
    }
}
