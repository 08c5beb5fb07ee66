//! Temp files and directories on their way to a final name: the ones this process would leave
//! if a signal ended it (removed on SIGINT/SIGTERM), and the ones earlier runs left when they
//! were killed outright (found by the process id in their names and removed by the next run).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

static PENDING: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

fn pending() -> std::sync::MutexGuard<'static, BTreeSet<PathBuf>> {
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Remembers a temp path to remove if the process is interrupted.
pub fn register(path: &Path) {
    pending().insert(path.to_path_buf());
}

/// Forgets a temp path (renamed into place, or removed).
pub fn unregister(path: &Path) {
    pending().remove(path);
}

/// Removes every registered temp path (on SIGINT/SIGTERM, before exiting).
pub fn remove_all() {
    for p in std::mem::take(&mut *pending()) {
        let removed = match std::fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(&p),
            Ok(_) => std::fs::remove_file(&p),
            Err(_) => Ok(()),
        };
        if let Err(e) = removed {
            eprintln!("pgsnap: warning: could not remove \"{}\": {e}", p.display());
        }
    }
}

/// The name prefix of this process's temp paths for the final name `name`: hidden, and
/// carrying the process id so that a later run can tell a dead run's leftovers.
pub fn temp_prefix(name: &str) -> String {
    format!(".{name}.pgsnap-{}.", std::process::id())
}

/// The process id in a temp name made by [`temp_prefix`] for `name`.
fn owner_pid(file_name: &str, name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix(&format!(".{name}.pgsnap-"))?;
    rest.split('.').next()?.parse().ok()
}

/// Whether a process with this id is running (Linux's /proc).
fn alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Removes the temp paths for `name` in `dir` that runs no longer alive left behind, saying so
/// for each.
pub fn remove_stale(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut stale: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            owner_pid(&e.file_name().to_string_lossy(), name)
                .is_some_and(|pid| pid != std::process::id() && !alive(pid))
        })
        .map(|e| e.path())
        .collect();
    stale.sort();
    for p in stale {
        let removed = match std::fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(&p),
            _ => std::fs::remove_file(&p),
        };
        match removed {
            Ok(()) => eprintln!(
                "pgsnap: removed \"{}\", left by an earlier run that did not finish",
                p.display()
            ),
            Err(e) => eprintln!(
                "pgsnap: warning: could not remove \"{}\" (left by an earlier run): {e}",
                p.display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_carry_the_process_id() {
        let prefix = temp_prefix("out.sql");
        let name = format!("{prefix}Ab12.tmp");
        assert_eq!(owner_pid(&name, "out.sql"), Some(std::process::id()));
        assert_eq!(owner_pid(".other.sql.pgsnap-12.x.tmp", "out.sql"), None);
        assert_eq!(owner_pid(".out.sql.Ab12.tmp", "out.sql"), None);
    }

    #[test]
    fn stale_paths_of_dead_runs_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // No process has an id this large (above the kernel's pid_max).
        let dead = dir.path().join(".out.sql.pgsnap-4194305.abc.tmp");
        let mine = dir.path().join(format!("{}x.tmp", temp_prefix("out.sql")));
        let other = dir.path().join("out.sql");
        for p in [&dead, &mine, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        remove_stale(dir.path(), "out.sql");
        assert!(!dead.exists());
        assert!(mine.exists() && other.exists());
    }
}
