//! `pgsnap snapshot`: the database dump and the media archive taken together into one
//! directory with a `manifest.json` (ids, versions, time, SHA-256 and size of both files),
//! and `pgsnap snapshot verify` to check it. The manifest names everything a later restore
//! needs: which file is which, its format, and the checksums to trust before loading.

use crate::dump;
use crate::error::{Error, ErrorKind, Result};
use crate::media;
use crate::plan::DumpPlan;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub mod restore;

/// Name of the manifest inside a snapshot directory.
pub const MANIFEST: &str = "manifest.json";
/// The dump's file name inside a snapshot directory.
pub const DB_FILE: &str = "database.sql";
/// The media archive's file name inside a snapshot directory.
pub const MEDIA_FILE: &str = "media.tar.gz";
/// The roles and tablespaces the database needs, in pg_dumpall's text.
pub const GLOBALS_FILE: &str = "globals.sql";

/// One file of a snapshot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SnapshotFile {
    /// File name inside the snapshot directory.
    pub path: String,
    /// Its format: "plain-sql" or "tar.gz+manifest".
    pub format: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SnapshotManifest {
    /// Always "pgsnap-snapshot".
    pub kind: String,
    /// Manifest format version.
    pub format_version: u32,
    /// The exported snapshot id the dump was taken in.
    pub snapshot_id: String,
    /// When the snapshot was taken (UTC, RFC 3339).
    pub created_at: String,
    /// pgsnap version.
    pub pgsnap_version: String,
    /// Source server version.
    pub server_version: String,
    /// Source database name.
    pub database: String,
    /// The dump.
    pub database_dump: SnapshotFile,
    /// The roles and tablespaces the database needs (`pgsnap dumpall`'s text for them).
    #[serde(default)]
    pub globals: Option<SnapshotFile>,
    /// The media archive, when one was taken.
    pub media: Option<SnapshotFile>,
    /// The media directory that was archived.
    pub media_source: Option<String>,
}

/// RFC 3339 UTC time for a UNIX timestamp (civil-from-days, proleptic Gregorian).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Takes a snapshot into `out` (created; must not exist). Written in a staging directory
/// beside it and renamed into place when both halves succeeded.
pub async fn take(
    plan: &DumpPlan,
    media_dir: Option<&Path>,
    out: &Path,
    dbname: &str,
) -> Result<SnapshotManifest> {
    if std::fs::symlink_metadata(out).is_ok() {
        return Err(Error::usage(format!(
            "\"{}\" already exists",
            out.display()
        )));
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "snapshot".into());
    // Like `mkdir -p`: the directories the snapshot goes into are made as needed.
    std::fs::create_dir_all(&parent).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot create \"{}\": {e}", parent.display()),
        )
    })?;
    crate::cleanup::remove_stale(&parent, &name);
    let staging = tempfile::Builder::new()
        .prefix(&format!("{}staging.", crate::cleanup::temp_prefix(&name)))
        .tempdir_in(&parent)
        .map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot create \"{}\": {e}", out.display()),
            )
        })?;
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    use crate::output::compress::Method;
    let (db_file, db_format) = match plan.compression.method {
        Method::None => (DB_FILE.to_string(), "plain-sql"),
        Method::Gzip => (format!("{DB_FILE}.gz"), "plain-sql+gzip"),
        Method::Lz4 => (format!("{DB_FILE}.lz4"), "plain-sql+lz4"),
        Method::Zstd => (format!("{DB_FILE}.zst"), "plain-sql+zstd"),
    };
    let progress = crate::progress::Progress::new(plan.progress, 0, 0);
    progress.phase("database");
    let mut dump_plan = plan.clone();
    dump_plan.output = Some(staging.path().join(&db_file));
    dump_plan.hash_output = true;
    dump_plan.progress_part = true;
    let report = dump::run(&dump_plan)
        .await
        .map_err(|e| e.context("dumping the database"))?;
    progress.phase("globals");
    let globals = write_globals(plan, &staging.path().join(GLOBALS_FILE))
        .await
        .map_err(|e| e.context("reading the roles and tablespaces the database needs"))?;
    let (media_file, media_source) = match media_dir {
        Some(dir) => {
            progress.phase("media");
            let r = media::archive::archive(dir, &staging.path().join(MEDIA_FILE))
                .map_err(|e| e.context("archiving media"))?;
            for (path, why) in &r.skipped {
                eprintln!("pgsnap: warning: skipped \"{}\": {why}", path.display());
            }
            (
                Some(SnapshotFile {
                    path: MEDIA_FILE.into(),
                    format: "tar.gz+manifest".into(),
                    size: r.archive_size,
                    sha256: r.archive_sha256,
                }),
                Some(dir.display().to_string()),
            )
        }
        None => (None, None),
    };
    let manifest = SnapshotManifest {
        kind: "pgsnap-snapshot".into(),
        format_version: 1,
        snapshot_id: report.snapshot.clone(),
        created_at: rfc3339(started),
        pgsnap_version: env!("CARGO_PKG_VERSION").into(),
        server_version: report.server_version.clone(),
        database: dbname.to_string(),
        database_dump: SnapshotFile {
            path: db_file,
            format: db_format.into(),
            size: report.bytes,
            sha256: report.sha256.clone().unwrap_or_default(),
        },
        globals: Some(globals),
        media: media_file,
        media_source,
    };
    let json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
    let mpath = staging.path().join(MANIFEST);
    std::fs::write(&mpath, format!("{json}\n"))?;
    std::fs::File::open(&mpath)?.sync_all()?;
    let staged = staging.keep();
    if let Err(e) = std::fs::rename(&staged, out) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(Error::new(
            ErrorKind::Io,
            format!("cannot create \"{}\": {e}", out.display()),
        ));
    }
    let stored = manifest.database_dump.size
        + manifest.globals.as_ref().map_or(0, |g| g.size)
        + manifest.media.as_ref().map_or(0, |m| m.size);
    progress.finish_with(&[
        (
            "snapshot",
            crate::progress::Progress::json(&manifest.snapshot_id),
        ),
        ("bytes", stored.to_string()),
        (
            "target",
            crate::progress::Progress::json(&out.display().to_string()),
        ),
    ]);
    Ok(manifest)
}

/// Writes `globals.sql` for the database the plan dumps; returns its manifest entry.
async fn write_globals(plan: &DumpPlan, path: &Path) -> Result<SnapshotFile> {
    let settings = crate::pg::conninfo::resolve_from_process(&plan.conn)?;
    let (client, _) = crate::pg::connect::connect_leader(settings, plan.prompt).await?;
    let key = match &plan.restrict_key {
        Some(k) => k.clone(),
        None => dump::random_restrict_key()?,
    };
    let text =
        crate::dumpall::database_globals(&client, plan.switches.no_role_passwords, &key).await?;
    std::fs::write(path, &text)?;
    std::fs::File::open(path)?.sync_all()?;
    let (sha256, size) = media::archive::hash_file(path)?;
    Ok(SnapshotFile {
        path: GLOBALS_FILE.into(),
        format: "plain-sql".into(),
        size,
        sha256,
    })
}

/// Checks a snapshot directory: sizes and checksums of both files, and the media archive's
/// own MANIFEST. Returns the problems found (empty when all is well).
pub fn verify(dir: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).map_err(|e| {
        Error::usage(format!(
            "cannot read \"{}\": {e}",
            dir.join(MANIFEST).display()
        ))
    })?;
    let m: SnapshotManifest = serde_json::from_str(&text)
        .map_err(|e| Error::usage(format!("{MANIFEST} is not a pgsnap snapshot manifest: {e}")))?;
    if m.kind != "pgsnap-snapshot" {
        return Err(Error::usage(format!(
            "{MANIFEST} is not a pgsnap snapshot manifest"
        )));
    }
    let mut problems = Vec::new();
    for f in std::iter::once(&m.database_dump)
        .chain(m.globals.iter())
        .chain(m.media.iter())
    {
        if f.path.contains('/') || f.path.starts_with('.') {
            problems.push(format!("{}: not a plain file name", f.path));
            continue;
        }
        match media::archive::hash_file(&dir.join(&f.path)) {
            Ok((sha, size)) => {
                if size != f.size {
                    problems.push(format!("{}: size {size}, manifest says {}", f.path, f.size));
                } else if sha != f.sha256 {
                    problems.push(format!("{}: SHA-256 differs from the manifest", f.path));
                }
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    if let Some(media_file) = &m.media {
        if problems.is_empty() {
            let r = media::restore::verify(&dir.join(&media_file.path))?;
            problems.extend(
                r.differences
                    .into_iter()
                    .map(|d| format!("{}: {d}", media_file.path)),
            );
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
    }
}
