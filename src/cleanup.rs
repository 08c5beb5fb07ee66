//! Temp files and directories on their way to a final name: the ones this process would leave
//! if a signal ended it (removed on SIGINT/SIGTERM), and the ones earlier runs left when they
//! were killed outright (found by the process id in their names and removed by the next run).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temp paths in progress, and whether a signal has started removing them. One lock
/// guards both, so a path is never created unseen by the removal nor after it, and a final
/// rename is never cut in half by it.
struct Pending {
    paths: BTreeSet<PathBuf>,
    stopping: bool,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending {
    paths: BTreeSet::new(),
    stopping: false,
});

fn pending() -> std::sync::MutexGuard<'static, Pending> {
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

fn interrupted() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::Interrupted, "interrupted")
}

/// Creates a temp path with `make` and remembers it for removal on a signal, both under the
/// lock the signal's removal takes: a signal cannot fall between the two.
pub fn create_registered<T>(
    make: impl FnOnce() -> std::io::Result<T>,
    path_of: impl FnOnce(&T) -> &Path,
) -> std::io::Result<T> {
    let mut p = pending();
    if p.stopping {
        return Err(interrupted());
    }
    let made = make()?;
    p.paths.insert(path_of(&made).to_path_buf());
    Ok(made)
}

/// The temp paths a final rename leaves behind, registered while the lock is held (see
/// [`finish_registered`]).
pub struct Leftovers<'a>(&'a mut BTreeSet<PathBuf>);

impl Leftovers<'_> {
    /// Remembers a temp path the rename left (such as the old tree moved aside).
    pub fn register(&mut self, path: &Path) {
        self.0.insert(path.to_path_buf());
    }
}

/// Runs the final renames of a temp path (`finish`) under the removal's lock, so a signal
/// either comes before them (the temp path is removed, the old state stays) or after them.
/// `finish` registers in its [`Leftovers`] the temp paths it leaves for removal (it must not
/// call [`register`], which takes the same lock); `temp` is forgotten either way.
pub fn finish_registered<T>(
    temp: &Path,
    finish: impl FnOnce(&mut Leftovers) -> T,
) -> std::io::Result<T> {
    let mut p = pending();
    if p.stopping {
        return Err(interrupted());
    }
    let done = finish(&mut Leftovers(&mut p.paths));
    p.paths.remove(temp);
    Ok(done)
}

/// Remembers a temp path to remove if the process is interrupted (one made before any signal
/// handling matters, or renamed under [`finish_registered`]).
pub fn register(path: &Path) {
    pending().paths.insert(path.to_path_buf());
}

/// Forgets a temp path (renamed into place, or removed).
pub fn unregister(path: &Path) {
    pending().paths.remove(path);
}

/// Removes a file or a whole directory; a directory that another thread is still writing
/// into is tried again, since its last entries may appear while it is being emptied.
fn remove_path(p: &Path) -> std::io::Result<()> {
    let mut tries = 0;
    loop {
        let removed = match std::fs::symlink_metadata(p) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(p),
            Ok(_) => std::fs::remove_file(p),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        };
        match removed {
            Err(e) if tries < 20 && e.kind() != std::io::ErrorKind::PermissionDenied => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

/// Removes every registered temp path (on SIGINT/SIGTERM, before exiting); from then on no
/// new temp path is made and no final rename done.
pub fn remove_all() {
    let mut p = pending();
    p.stopping = true;
    for path in std::mem::take(&mut p.paths) {
        if let Err(e) = remove_path(&path) {
            eprintln!(
                "pgsnap: warning: could not remove \"{}\": {e}",
                path.display()
            );
        }
    }
}

/// The name prefix of this process's temp paths for the final name `name`: hidden, and
/// carrying the process id so that a later run can tell a dead run's leftovers.
pub fn temp_prefix(name: &str) -> String {
    format!(".{name}.pgsnap-{}.", std::process::id())
}

/// The last part of the name an existing tree gets while its replacement moves in.
const ASIDE: &str = ".old";

/// The temp name for the existing `name` while its replacement moves in.
pub fn aside_name(name: &str) -> String {
    format!("{}old", temp_prefix(name))
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
    let final_path = dir.join(name);
    for p in stale {
        // A run killed between moving the old tree aside and moving the new one in left the
        // only copy under the aside name: it goes back, never away.
        let aside = p
            .file_name()
            .is_some_and(|f| f.to_string_lossy().ends_with(ASIDE));
        if aside && std::fs::symlink_metadata(&final_path).is_err() {
            match std::fs::rename(&p, &final_path) {
                Ok(()) => eprintln!(
                    "pgsnap: moved \"{}\" back to \"{}\": an earlier run was stopped while replacing it",
                    p.display(),
                    final_path.display()
                ),
                Err(e) => eprintln!(
                    "pgsnap: warning: could not move \"{}\" back to \"{}\": {e}",
                    p.display(),
                    final_path.display()
                ),
            }
            continue;
        }
        match remove_path(&p) {
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

    #[test]
    fn a_dead_runs_aside_tree_goes_back_when_the_final_name_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let aside = dir.path().join(".media.pgsnap-4194305.old");
        std::fs::create_dir(&aside).unwrap();
        std::fs::write(aside.join("f"), b"keep").unwrap();
        remove_stale(dir.path(), "media");
        assert!(!aside.exists());
        assert_eq!(std::fs::read(dir.path().join("media/f")).unwrap(), b"keep");
        // With the final name present (the swap was done), the aside copy is stale and goes.
        std::fs::create_dir(&aside).unwrap();
        remove_stale(dir.path(), "media");
        assert!(!aside.exists());
        assert!(dir.path().join("media/f").exists());
    }

    #[test]
    fn a_final_rename_registers_what_it_leaves_without_taking_the_lock_twice() {
        let dir = tempfile::tempdir().unwrap();
        let temp = dir.path().join(".x.pgsnap-1.tmp");
        let aside = dir.path().join(".x.pgsnap-1.old");
        register(&temp);
        let done = finish_registered(&temp, |left| {
            left.register(&aside);
            7
        })
        .unwrap();
        assert_eq!(done, 7);
        assert!(pending().paths.contains(&aside));
        assert!(!pending().paths.contains(&temp));
        unregister(&aside);
    }
}
