//! A sorted, symlink-aware walk of a media directory: paths relative to the tree's parent
//! (so they start with the directory's own name), symlinks never followed, links that leave
//! the tree and special files set aside with the reason.

use super::manifest::EntryKind;
use crate::error::{Error, ErrorKind, Result};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

/// One entry found by the walk.
#[derive(Debug, Clone)]
pub struct WalkEntry {
    /// Kind.
    pub kind: EntryKind,
    /// Path in the archive: `top/sub/file`.
    pub archive_path: Vec<u8>,
    /// Path on disk.
    pub disk_path: PathBuf,
    /// Size (files).
    pub size: u64,
    /// Permission bits (without setuid/setgid/sticky).
    pub mode: u32,
    /// mtime, seconds.
    pub mtime: u64,
    /// Owner's user id.
    pub uid: u32,
    /// Owner's group id.
    pub gid: u32,
    /// Symlink target.
    pub target: Vec<u8>,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// Entries in archive order: each directory before its contents, names sorted bytewise.
    pub entries: Vec<WalkEntry>,
    /// Entries left out, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Whether a symlink at `link_rel` (relative to the tree root) pointing at `target` stays in
/// the tree, judged lexically (the target may not exist yet).
pub fn link_stays_inside(link_rel: &[&[u8]], target: &Path) -> bool {
    if target.is_absolute() {
        return false;
    }
    // Start from the link's directory.
    let mut depth: i64 = link_rel.len() as i64 - 1;
    for c in target.components() {
        match c {
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            _ => return false,
        }
    }
    true
}

/// Walks `root`.
pub fn walk(root: &Path) -> Result<Walk> {
    let meta = std::fs::metadata(root).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read media directory \"{}\": {e}", root.display()),
        )
    })?;
    if !meta.is_dir() {
        return Err(Error::usage(format!(
            "\"{}\" is not a directory",
            root.display()
        )));
    }
    let canonical = root.canonicalize()?;
    let top = canonical
        .file_name()
        .ok_or_else(|| Error::usage("cannot archive the root directory"))?
        .as_bytes()
        .to_vec();
    let mut w = Walk::default();
    w.entries.push(entry_for(
        EntryKind::Dir,
        top.clone(),
        root.to_path_buf(),
        &meta,
        Vec::new(),
    ));
    walk_dir(root, &top, &mut Vec::new(), &mut w)?;
    Ok(w)
}

fn entry_for(
    kind: EntryKind,
    archive_path: Vec<u8>,
    disk_path: PathBuf,
    meta: &std::fs::Metadata,
    target: Vec<u8>,
) -> WalkEntry {
    WalkEntry {
        kind,
        archive_path,
        disk_path,
        size: if kind == EntryKind::File {
            meta.len()
        } else {
            0
        },
        mode: if kind == EntryKind::Symlink {
            0o777
        } else {
            meta.permissions().mode() & 0o777
        },
        mtime: meta.mtime().max(0) as u64,
        uid: meta.uid(),
        gid: meta.gid(),
        target,
    }
}

fn walk_dir(dir: &Path, prefix: &[u8], rel: &mut Vec<Vec<u8>>, w: &mut Walk) -> Result<()> {
    let mut names: Vec<std::ffi::OsString> = std::fs::read_dir(dir)
        .map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read directory \"{}\": {e}", dir.display()),
            )
        })?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::io::Result<_>>()?;
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    for name in names {
        let path = dir.join(&name);
        let mut archive_path = prefix.to_vec();
        archive_path.push(b'/');
        archive_path.extend_from_slice(name.as_bytes());
        let meta = std::fs::symlink_metadata(&path).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read \"{}\": {e}", path.display()),
            )
        })?;
        let ft = meta.file_type();
        rel.push(name.as_bytes().to_vec());
        if ft.is_dir() {
            w.entries.push(entry_for(
                EntryKind::Dir,
                archive_path.clone(),
                path.clone(),
                &meta,
                Vec::new(),
            ));
            walk_dir(&path, &archive_path, rel, w)?;
        } else if ft.is_file() {
            w.entries.push(entry_for(
                EntryKind::File,
                archive_path,
                path,
                &meta,
                Vec::new(),
            ));
        } else if ft.is_symlink() {
            let target = std::fs::read_link(&path)?;
            let parts: Vec<&[u8]> = rel.iter().map(|v| v.as_slice()).collect();
            if link_stays_inside(&parts, &target) {
                w.entries.push(entry_for(
                    EntryKind::Symlink,
                    archive_path,
                    path,
                    &meta,
                    target.as_os_str().as_bytes().to_vec(),
                ));
            } else {
                w.skipped.push((
                    path,
                    format!(
                        "symlink points outside the directory ({})",
                        target.display()
                    ),
                ));
            }
        } else {
            let what = if meta.mode() & 0o170000 == 0o010000 {
                "fifo"
            } else if meta.mode() & 0o170000 == 0o140000 {
                "socket"
            } else {
                "device file"
            };
            w.skipped.push((path, format!("{what} is not archived")));
        }
        rel.pop();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_link_checks() {
        let at = |p: &[&[u8]], t: &str| link_stays_inside(p, Path::new(t));
        assert!(at(&[b"a", b"l"], "../b"));
        assert!(at(&[b"l"], "b/c"));
        assert!(!at(&[b"l"], "../x"));
        assert!(!at(&[b"a", b"l"], "../../x"));
        assert!(!at(&[b"l"], "/etc/passwd"));
        assert!(at(&[b"a", b"l"], "./../a/./x"));
    }
}
