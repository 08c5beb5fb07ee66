//! `pgsnap media verify` and `pgsnap media restore`: read an archive back, check every entry
//! against its MANIFEST, and extract safely: into a staging directory beside the target, with
//! every path, link and size checked, swapped in only when everything is good.

use super::manifest::{EntryKind, Manifest, ManifestEntry};
use super::walk::link_stays_inside;
use crate::error::{Error, ErrorKind, Result};
use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Longest path the archive may hold (Linux PATH_MAX less the terminating NUL).
const MAX_PATH: usize = 4095;
/// Longest file name component (NAME_MAX).
const MAX_NAME: usize = 255;
/// Size cap for archives without a MANIFEST, unless `--max-size` says otherwise.
pub const DEFAULT_CAP_WITHOUT_MANIFEST: u64 = 8 << 30;

/// An archive that cannot be restored as it is (unsafe, corrupt or not matching its MANIFEST).
fn refuse(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Verify, msg)
}

fn show(p: &[u8]) -> String {
    String::from_utf8_lossy(p).into_owned()
}

fn open_archive(file: &Path) -> Result<tar::Archive<MultiGzDecoder<io::BufReader<std::fs::File>>>> {
    let f = std::fs::File::open(file).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot open archive \"{}\": {e}", file.display()),
        )
    })?;
    Ok(tar::Archive::new(MultiGzDecoder::new(
        io::BufReader::with_capacity(1 << 20, f),
    )))
}

fn corrupt(e: io::Error) -> Error {
    refuse(format!("archive is truncated or corrupt: {e}"))
}

/// Normalises an archive path: strips a leading `./`, refuses absolute paths, `..`, empty or
/// over-long paths. Returns the components.
fn check_path(raw: &[u8]) -> Result<Vec<Vec<u8>>> {
    let mut p = raw;
    while let Some(rest) = p.strip_prefix(b"./") {
        p = rest;
    }
    if p.first() == Some(&b'/') {
        return Err(refuse(format!("absolute path in archive: {}", show(raw))));
    }
    if raw.len() > MAX_PATH {
        return Err(refuse(format!(
            "path longer than {MAX_PATH} bytes in archive: {}...",
            show(&raw[..64])
        )));
    }
    let mut parts = Vec::new();
    for c in p.split(|b| *b == b'/') {
        match c {
            b"" | b"." => continue,
            b".." => {
                return Err(refuse(format!(
                    "path with \"..\" in archive: {}",
                    show(raw)
                )))
            }
            _ if c.len() > MAX_NAME => {
                return Err(refuse(format!(
                    "file name longer than {MAX_NAME} bytes in archive: {}",
                    show(raw)
                )))
            }
            _ if c.contains(&0) => return Err(refuse("NUL byte in archive path")),
            _ => parts.push(c.to_vec()),
        }
    }
    if parts.is_empty() {
        return Err(refuse(format!("empty path in archive: {}", show(raw))));
    }
    Ok(parts)
}

/// Reads the MANIFEST if it is the first entry.
fn read_manifest<R: Read>(entry: &mut tar::Entry<R>) -> Result<Manifest> {
    if entry.size() > 256 << 20 {
        return Err(refuse("MANIFEST is implausibly large"));
    }
    let mut text = String::new();
    entry.read_to_string(&mut text).map_err(corrupt)?;
    Manifest::parse(&text)
}

/// The outcome of `verify`: differences found (empty means the archive is good).
#[derive(Debug, Default)]
pub struct VerifyReport {
    /// Entries checked.
    pub entries: usize,
    /// Human-readable differences.
    pub differences: Vec<String>,
}

fn describe_kind(t: tar::EntryType) -> Option<EntryKind> {
    match t {
        tar::EntryType::Regular | tar::EntryType::Continuous => Some(EntryKind::File),
        tar::EntryType::Directory => Some(EntryKind::Dir),
        tar::EntryType::Symlink => Some(EntryKind::Symlink),
        _ => None,
    }
}

fn strip_slash(p: &[u8]) -> Vec<u8> {
    let mut v = p.to_vec();
    while v.len() > 1 && v.last() == Some(&b'/') {
        v.pop();
    }
    v
}

/// Re-reads an archive and compares every entry with its MANIFEST.
pub fn verify(file: &Path) -> Result<VerifyReport> {
    let mut ar = open_archive(file)?;
    let mut entries = ar.entries().map_err(corrupt)?;
    let mut first = match entries.next() {
        Some(e) => e.map_err(corrupt)?,
        None => return Err(refuse("archive is empty")),
    };
    if first.path_bytes().as_ref() != b"MANIFEST" {
        return Err(refuse("archive has no MANIFEST"));
    }
    let manifest = read_manifest(&mut first)?;
    let mut expected: BTreeMap<Vec<u8>, ManifestEntry> = manifest
        .entries
        .iter()
        .map(|e| (e.path.clone(), e.clone()))
        .collect();
    let mut report = VerifyReport::default();
    for entry in entries {
        let mut entry = entry.map_err(corrupt)?;
        report.entries += 1;
        let path = strip_slash(&entry.path_bytes());
        let Some(want) = expected.remove(&path) else {
            report
                .differences
                .push(format!("{}: not in MANIFEST", show(&path)));
            continue;
        };
        let kind = describe_kind(entry.header().entry_type());
        if kind != Some(want.kind) {
            report
                .differences
                .push(format!("{}: type differs", show(&path)));
            continue;
        }
        let mode = entry.header().mode().map_err(corrupt)? & 0o777;
        if want.kind != EntryKind::Symlink && mode != want.mode {
            report.differences.push(format!(
                "{}: mode {:o}, MANIFEST says {:o}",
                show(&path),
                mode,
                want.mode
            ));
        }
        let mtime = entry.header().mtime().map_err(corrupt)?;
        if mtime != want.mtime {
            report.differences.push(format!(
                "{}: mtime {mtime}, MANIFEST says {}",
                show(&path),
                want.mtime
            ));
        }
        match want.kind {
            EntryKind::File => {
                let mut h = Sha256::new();
                let n = io::copy(&mut entry, &mut HashWriter(&mut h)).map_err(corrupt)?;
                let sha = hex::encode(h.finalize());
                if n != want.size {
                    report.differences.push(format!(
                        "{}: size {n}, MANIFEST says {}",
                        show(&path),
                        want.size
                    ));
                } else if sha != want.sha256 {
                    report
                        .differences
                        .push(format!("{}: SHA-256 differs from MANIFEST", show(&path)));
                }
            }
            EntryKind::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|t| t.to_vec())
                    .unwrap_or_default();
                if target != want.target {
                    report.differences.push(format!(
                        "{}: link target differs from MANIFEST",
                        show(&path)
                    ));
                }
            }
            EntryKind::Dir => {}
        }
    }
    for missing in expected.keys() {
        report.differences.push(format!(
            "{}: in MANIFEST but missing from the archive",
            show(missing)
        ));
    }
    Ok(report)
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.update(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// How to restore.
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// Directory to become the media directory (default: `./<archive top dir name>`).
    pub into: Option<PathBuf>,
    /// Accept archives without a MANIFEST (plain GNU tar), still applying every safety rule.
    pub no_verify: bool,
    /// Refuse archives whose files add up to more than this many bytes.
    pub max_size: Option<u64>,
    /// Give entries the archive's owners (tar's default as root; `--no-same-owner` not to).
    pub same_owner: bool,
}

/// What a restore did.
#[derive(Debug, Default)]
pub struct RestoreReport {
    /// Where the tree now is.
    pub target: PathBuf,
    /// Files restored.
    pub files: usize,
    /// Bytes restored.
    pub bytes: u64,
    /// Whether a MANIFEST was checked.
    pub verified: bool,
}

/// Where the tree goes (`--into`, or the archive's top directory's name here), the directory
/// it goes into (made as needed) and its name there; anything but a directory is refused.
fn target_of(top: &[Vec<u8>], opts: &RestoreOptions) -> Result<(PathBuf, PathBuf, String)> {
    let top_name = top.last().cloned().unwrap_or_default();
    let target = match &opts.into {
        Some(p) => p.clone(),
        None => PathBuf::from(OsStr::from_bytes(&top_name)),
    };
    let target_name = target
        .file_name()
        .ok_or_else(|| Error::usage(format!("cannot restore into \"{}\"", target.display())))?
        .to_os_string();
    // Only a directory is replaced (all or nothing); anything else stays as it is.
    if let Ok(m) = std::fs::symlink_metadata(&target) {
        if !m.is_dir() {
            return Err(Error::usage(format!(
                "\"{}\" exists and is not a directory; refusing to replace it",
                target.display()
            )));
        }
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot create \"{}\": {e}", parent.display()),
        )
    })?;
    let name = target_name.to_string_lossy().into_owned();
    Ok((target, parent, name))
}

/// Moves the staged tree to `target`: all or nothing. The renames run under the signal
/// removal's lock; the old tree, once aside, is a temp path of its own until it is gone.
fn swap_in(staged: PathBuf, target: &Path, parent: &Path, name: &str) -> Result<()> {
    let old = parent.join(crate::cleanup::aside_name(name));
    let swap = |leftovers: &mut crate::cleanup::Leftovers| -> Result<bool> {
        if std::fs::symlink_metadata(target).is_ok() {
            std::fs::rename(target, &old)?;
            if let Err(e) = std::fs::rename(&staged, target) {
                let _ = std::fs::rename(&old, target);
                return Err(e.into());
            }
            leftovers.register(&old);
            Ok(true)
        } else {
            std::fs::rename(&staged, target)?;
            Ok(false)
        }
    };
    let swapped = crate::cleanup::finish_registered(&staged, swap)
        .map_err(Error::from)
        .and_then(|r| r);
    match swapped {
        Ok(true) => {
            let removed = std::fs::remove_dir_all(&old);
            crate::cleanup::unregister(&old);
            removed.map_err(|e| {
                Error::from(e).context(format!("removing the replaced tree \"{}\"", old.display()))
            })?;
        }
        Ok(false) => {}
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e.context(format!(
                "moving the restored tree into \"{}\"",
                target.display()
            )));
        }
    }
    Ok(())
}

/// Restores an archive all or nothing.
pub fn restore(file: &Path, opts: &RestoreOptions) -> Result<RestoreReport> {
    let mut ar = open_archive(file)?;
    let mut entries = ar.entries().map_err(corrupt)?.peekable();
    // MANIFEST first, if any.
    let mut manifest = None;
    if let Some(Ok(e)) = entries.peek() {
        if e.path_bytes().as_ref() == b"MANIFEST" {
            let mut e = entries
                .next()
                .ok_or_else(|| refuse("archive is empty"))?
                .map_err(corrupt)?;
            manifest = Some(read_manifest(&mut e)?);
        }
    }
    if manifest.is_none() && !opts.no_verify {
        return Err(refuse(
            "archive has no MANIFEST; use --no-verify to restore a plain tarball",
        ));
    }
    // The top directory: the first entry, which must be a directory.
    let first = entries
        .next()
        .ok_or_else(|| refuse("archive holds no entries"))?
        .map_err(corrupt)?;
    if first.header().entry_type() != tar::EntryType::Directory {
        return Err(refuse(
            "archive has no top directory (its first entry is not a directory)",
        ));
    }
    let top = check_path(&first.path_bytes())?;
    if let Some(m) = &manifest {
        let want = m
            .entries
            .first()
            .map(|e| e.path.clone())
            .unwrap_or_default();
        if strip_slash(&top.join(&b'/')) != want {
            return Err(refuse(
                "archive's top directory does not match its MANIFEST",
            ));
        }
    }
    let (target, parent, name) = target_of(&top, opts)?;
    let cap = opts
        .max_size
        .or(manifest.as_ref().map(Manifest::total_size))
        .unwrap_or(DEFAULT_CAP_WITHOUT_MANIFEST);
    crate::cleanup::remove_stale(&parent, &name);
    let staging = crate::cleanup::create_registered(
        || {
            tempfile::Builder::new()
                .prefix(&format!("{}staging.", crate::cleanup::temp_prefix(&name)))
                .tempdir_in(&parent)
        },
        |dir| dir.path(),
    )
    .map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!(
                "cannot create staging directory in \"{}\": {e}",
                parent.display()
            ),
        )
    })?;
    if opts.same_owner {
        give_owner(first.header(), staging.path())?;
    }
    let first_mode = first.header().mode().map_err(corrupt)? & 0o777;
    let first_mtime = first.header().mtime().map_err(corrupt)?;
    drop(first);

    let mut ctx = Extract {
        same_owner: opts.same_owner,
        root: staging.path().to_path_buf(),
        top: top.clone(),
        seen: BTreeSet::new(),
        files: BTreeSet::new(),
        cap,
        used: 0,
        dir_times: vec![(staging.path().to_path_buf(), first_mode, first_mtime)],
        report: RestoreReport::default(),
        expected: manifest.as_ref().map(|m| {
            m.entries
                .iter()
                .skip(1)
                .map(|e| (e.path.clone(), e.clone()))
                .collect()
        }),
    };
    for entry in entries {
        let entry = entry.map_err(corrupt)?;
        ctx.extract(entry)?;
    }
    if let Some(rest) = &ctx.expected {
        if let Some(missing) = rest.keys().next() {
            return Err(refuse(format!(
                "{}: in MANIFEST but missing from the archive",
                show(missing)
            )));
        }
    }
    // Directory modes and times last, deepest first, so creating children did not disturb them.
    for (dir, mode, mtime) in ctx.dir_times.iter().rev() {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(*mode))?;
        if let Ok(f) = std::fs::File::open(dir) {
            let _ = f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(*mtime));
        }
    }
    swap_in(staging.keep(), &target, &parent, &name)?;
    ctx.report.target = target;
    ctx.report.verified = manifest.is_some();
    Ok(ctx.report)
}

/// Gives a restored entry the owner its header names (by name when this system knows it).
fn give_owner(header: &tar::Header, dest: &Path) -> Result<()> {
    let name = |b: Option<&[u8]>| {
        b.and_then(|b| std::str::from_utf8(b).ok())
            .map(str::to_string)
    };
    let user = name(header.username_bytes());
    let group = name(header.groupname_bytes());
    let uid = u32::try_from(header.uid().map_err(corrupt)?).unwrap_or(u32::MAX);
    let gid = u32::try_from(header.gid().map_err(corrupt)?).unwrap_or(u32::MAX);
    let (uid, gid) = super::owner::ids_here(user.as_deref(), uid, group.as_deref(), gid);
    super::owner::give(dest, uid, gid).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot set the owner of \"{}\": {e}", dest.display()),
        )
    })
}

struct Extract {
    same_owner: bool,
    root: PathBuf,
    top: Vec<Vec<u8>>,
    seen: BTreeSet<Vec<Vec<u8>>>,
    files: BTreeSet<Vec<Vec<u8>>>,
    cap: u64,
    used: u64,
    dir_times: Vec<(PathBuf, u32, u64)>,
    report: RestoreReport,
    expected: Option<BTreeMap<Vec<u8>, ManifestEntry>>,
}

impl Extract {
    fn disk(&self, rel: &[Vec<u8>]) -> PathBuf {
        let mut p = self.root.clone();
        for c in rel {
            p.push(OsStr::from_bytes(c));
        }
        p
    }

    /// Every parent of `rel` must be a real directory we created: never write through a link.
    fn check_parents(&self, rel: &[Vec<u8>], raw: &[u8]) -> Result<()> {
        let mut p = self.root.clone();
        for c in &rel[..rel.len() - 1] {
            p.push(OsStr::from_bytes(c));
            match std::fs::symlink_metadata(&p) {
                Ok(m) if m.file_type().is_dir() => {}
                Ok(_) => {
                    return Err(refuse(format!(
                        "entry would be written through a symlink or file: {}",
                        show(raw)
                    )))
                }
                Err(_) => {
                    return Err(refuse(format!(
                        "entry's directory is not in the archive: {}",
                        show(raw)
                    )))
                }
            }
        }
        Ok(())
    }

    fn extract<R: Read>(&mut self, mut entry: tar::Entry<R>) -> Result<()> {
        let raw = entry.path_bytes().to_vec();
        let parts = check_path(&raw)?;
        if parts.len() <= self.top.len() || parts[..self.top.len()] != self.top[..] {
            return Err(refuse(format!(
                "entry outside the archive's top directory: {}",
                show(&raw)
            )));
        }
        let rel = parts[self.top.len()..].to_vec();
        if !self.seen.insert(rel.clone()) {
            return Err(refuse(format!("duplicate path in archive: {}", show(&raw))));
        }
        self.check_parents(&rel, &raw)?;
        let dest = self.disk(&rel);
        let owned = dest.clone();
        let header = entry.header().clone();
        let mode = header.mode().map_err(corrupt)? & 0o777;
        let mtime = header.mtime().map_err(corrupt)?;
        let etype = header.entry_type();
        let want = match &mut self.expected {
            Some(map) => Some(
                map.remove(&strip_slash(&raw))
                    .or_else(|| map.remove(&parts.join(&b'/')))
                    .ok_or_else(|| refuse(format!("entry not in MANIFEST: {}", show(&raw))))?,
            ),
            None => None,
        };
        if let (Some(w), Some(k)) = (&want, describe_kind(etype)) {
            if w.kind != k {
                return Err(refuse(format!(
                    "{}: type differs from MANIFEST",
                    show(&raw)
                )));
            }
        }
        match etype {
            tar::EntryType::Directory => {
                std::fs::create_dir(&dest)?;
                std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o700))?;
                self.dir_times.push((dest, mode, mtime));
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                self.write_file(&mut entry, &dest, &raw, rel, want.as_ref())?;
            }
            tar::EntryType::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .ok_or_else(|| refuse(format!("symlink without target: {}", show(&raw))))?
                    .to_vec();
                let parts_ref: Vec<&[u8]> = rel.iter().map(|v| v.as_slice()).collect();
                if !link_stays_inside(&parts_ref, Path::new(OsStr::from_bytes(&target))) {
                    return Err(refuse(format!(
                        "symlink pointing outside the archive: {} -> {}",
                        show(&raw),
                        show(&target)
                    )));
                }
                if let Some(w) = &want {
                    if w.target != target {
                        return Err(refuse(format!(
                            "{}: link target does not match its MANIFEST",
                            show(&raw)
                        )));
                    }
                }
                std::os::unix::fs::symlink(OsStr::from_bytes(&target), &dest)?;
            }
            tar::EntryType::Link => self.hard_link(&entry, &dest, &raw, rel)?,
            other => {
                let what = match other {
                    tar::EntryType::Char => "character device",
                    tar::EntryType::Block => "block device",
                    tar::EntryType::Fifo => "fifo",
                    _ => "unsupported entry type",
                };
                return Err(refuse(format!("{what} in archive: {}", show(&raw))));
            }
        }
        if self.same_owner && etype != tar::EntryType::Link {
            give_owner(&header, &owned)?;
        }
        Ok(())
    }

    /// A regular file: written new (never through a link), within the size cap, checked
    /// against its MANIFEST entry.
    fn write_file<R: Read>(
        &mut self,
        entry: &mut tar::Entry<R>,
        dest: &Path,
        raw: &[u8],
        rel: Vec<Vec<u8>>,
        want: Option<&ManifestEntry>,
    ) -> Result<()> {
        let mode = entry.header().mode().map_err(corrupt)? & 0o777;
        let mtime = entry.header().mtime().map_err(corrupt)?;
        let size = entry.size();
        if self.used.saturating_add(size) > self.cap {
            return Err(refuse(format!(
                "archive holds more than {} bytes (at {}); refusing (possible decompression bomb; see --max-size)",
                self.cap,
                show(raw)
            )));
        }
        self.used += size;
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
            .open(dest)?;
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut n_total = 0u64;
        loop {
            let n = entry.read(&mut buf).map_err(corrupt)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            out.write_all(&buf[..n])?;
            n_total += n as u64;
        }
        if n_total != size {
            return Err(refuse(format!("archive is truncated in {}", show(raw))));
        }
        if let Some(w) = want {
            if w.size != size || hex::encode(h.finalize()) != w.sha256 {
                return Err(refuse(format!(
                    "{}: content does not match its MANIFEST checksum",
                    show(raw)
                )));
            }
        }
        // setuid/setgid/sticky never survive a restore.
        out.set_permissions(std::fs::Permissions::from_mode(mode))?;
        let _ = out.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(mtime));
        self.files.insert(rel);
        self.report.files += 1;
        self.report.bytes += size;
        Ok(())
    }

    /// A hard link: only to a file this archive restored, inside its top directory.
    fn hard_link<R: Read>(
        &mut self,
        entry: &tar::Entry<R>,
        dest: &Path,
        raw: &[u8],
        rel: Vec<Vec<u8>>,
    ) -> Result<()> {
        let target = entry
            .link_name_bytes()
            .ok_or_else(|| refuse(format!("hard link without target: {}", show(raw))))?
            .to_vec();
        let tparts = check_path(&target).map_err(|_| {
            refuse(format!(
                "hard link pointing outside the archive: {} -> {}",
                show(raw),
                show(&target)
            ))
        })?;
        if tparts.len() <= self.top.len() || tparts[..self.top.len()] != self.top[..] {
            return Err(refuse(format!(
                "hard link pointing outside the archive: {} -> {}",
                show(raw),
                show(&target)
            )));
        }
        let trel = tparts[self.top.len()..].to_vec();
        if !self.files.contains(&trel) {
            return Err(refuse(format!(
                "hard link to something that is not a restored file: {}",
                show(raw)
            )));
        }
        std::fs::hard_link(self.disk(&trel), dest)?;
        self.files.insert(rel);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_rules() {
        assert_eq!(
            check_path(b"./media/a/b").unwrap(),
            vec![b"media".to_vec(), b"a".to_vec(), b"b".to_vec()]
        );
        assert!(check_path(b"/etc/passwd").is_err());
        assert!(check_path(b"media/../../x").is_err());
        assert!(check_path(&[b'a'; 4097]).is_err());
        assert!(check_path(&[b'a'; 256]).is_err());
        assert!(check_path(b"").is_err());
    }
}
