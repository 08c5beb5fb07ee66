//! `pgsnap media archive`: a gzip-compressed tar of a media directory, entries under the
//! directory's own name in sorted order, preceded by a MANIFEST with every entry's SHA-256.
//! Files are hashed first (on all cores), then streamed into the tar; a file whose size, mtime
//! or content changed in between fails the archive rather than producing one that lies.

use super::manifest::{EntryKind, Manifest, ManifestEntry};
use super::owner::{Names, Owner};
use super::walk::{walk, WalkEntry};
use crate::error::{Error, ErrorKind, Result};
use crate::output::pgz::ParallelGz;
use crate::output::sink::Sink;
use sha2::{Digest, Sha256};
use std::ffi::OsStr;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What an archive run did.
#[derive(Debug, Default)]
pub struct ArchiveReport {
    /// Regular files archived.
    pub files: usize,
    /// Directories archived.
    pub dirs: usize,
    /// Symlinks archived.
    pub symlinks: usize,
    /// Bytes of file content.
    pub bytes: u64,
    /// Entries left out and why.
    pub skipped: Vec<(PathBuf, String)>,
    /// Size of the archive file.
    pub archive_size: u64,
    /// SHA-256 of the archive file.
    pub archive_sha256: String,
}

/// SHA-256 (hex) and length of a file, read in 1 MiB blocks.
pub fn hash_file(path: &Path) -> Result<(String, u64)> {
    let mut f = std::fs::File::open(path).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read \"{}\": {e}", path.display()),
        )
    })?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n_total = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read \"{}\": {e}", path.display()),
            )
        })?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        n_total += n as u64;
    }
    Ok((hex::encode(h.finalize()), n_total))
}

/// Hashes every file, spreading the work over the available cores.
fn hash_all(entries: &[WalkEntry]) -> Result<Vec<Option<String>>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<String>>>> = entries
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(e) = entries.get(i) else { break };
                if e.kind == EntryKind::File {
                    let r = hash_file(&e.disk_path).map(|(h, _)| h);
                    if let Ok(mut slot) = results[i].lock() {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .map(|m| m.into_inner().unwrap_or(None).transpose())
        .collect()
}

/// Reads exactly `size` bytes (zero-padding if the file shrank), hashing what it read.
struct CheckedReader {
    file: std::fs::File,
    left: u64,
    hasher: Sha256,
    short: bool,
}

impl Read for CheckedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let want = (self.left.min(buf.len() as u64)) as usize;
        let n = if self.short {
            0
        } else {
            self.file.read(&mut buf[..want])?
        };
        if n == 0 {
            self.short = true;
            buf[..want].fill(0);
            self.left -= want as u64;
            return Ok(want);
        }
        self.hasher.update(&buf[..n]);
        self.left -= n as u64;
        Ok(n)
    }
}

fn header(kind: tar::EntryType, size: u64, mode: u32, mtime: u64, owner: &Owner) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_mtime(mtime);
    // Owners by id and by name, as tar records them (a name too long for the header is left
    // out; the id still says it).
    h.set_uid(u64::from(owner.uid));
    h.set_gid(u64::from(owner.gid));
    if let Some(user) = &owner.user {
        let _ = h.set_username(user);
    }
    if let Some(group) = &owner.group {
        let _ = h.set_groupname(group);
    }
    h
}

fn io_err(what: &str, e: io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{what}: {e}"))
}

/// Archives `dir` into `out` (written to a temp file and renamed into place on success).
pub fn archive(dir: &Path, out: &Path) -> Result<ArchiveReport> {
    let w = walk(dir)?;
    let hashes = hash_all(&w.entries)?;
    let manifest = Manifest {
        entries: w
            .entries
            .iter()
            .zip(&hashes)
            .map(|(e, h)| ManifestEntry {
                kind: e.kind,
                path: e.archive_path.clone(),
                size: e.size,
                mode: e.mode,
                mtime: e.mtime,
                sha256: h.clone().unwrap_or_default(),
                target: e.target.clone(),
            })
            .collect(),
    };
    let text = manifest.render();
    let newest = w.entries.iter().map(|e| e.mtime).max().unwrap_or(0);

    let sink = Sink::open(Some(out))?.with_sha256();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut builder = tar::Builder::new(ParallelGz::new(sink, threads, 6));
    let mut names = Names::default();
    let top_owner = w
        .entries
        .first()
        .map(|e| names.owner(e.uid, e.gid))
        .unwrap_or_default();
    let mut h = header(
        tar::EntryType::Regular,
        text.len() as u64,
        0o644,
        newest,
        &top_owner,
    );
    builder
        .append_data(&mut h, "MANIFEST", text.as_bytes())
        .map_err(|e| io_err("writing MANIFEST", e))?;

    let mut report = ArchiveReport {
        skipped: w.skipped,
        ..Default::default()
    };
    let files_total = w
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::File)
        .count();
    let progress = crate::progress::Progress::new(
        crate::progress::ProgressMode::Auto,
        manifest.total_size(),
        files_total,
    );
    let mut changed = Vec::new();
    for (e, m) in w.entries.iter().zip(&manifest.entries) {
        let path = Path::new(OsStr::from_bytes(&e.archive_path));
        match e.kind {
            EntryKind::Dir => {
                let owner = names.owner(e.uid, e.gid);
                let mut h = header(tar::EntryType::Directory, 0, e.mode, e.mtime, &owner);
                builder
                    .append_data(&mut h, path, io::empty())
                    .map_err(|err| {
                        io_err(&format!("archiving \"{}\"", e.disk_path.display()), err)
                    })?;
                report.dirs += 1;
            }
            EntryKind::Symlink => {
                let owner = names.owner(e.uid, e.gid);
                let mut h = header(tar::EntryType::Symlink, 0, 0o777, e.mtime, &owner);
                builder
                    .append_link(&mut h, path, OsStr::from_bytes(&e.target))
                    .map_err(|err| {
                        io_err(&format!("archiving \"{}\"", e.disk_path.display()), err)
                    })?;
                report.symlinks += 1;
            }
            EntryKind::File => {
                let file = std::fs::File::open(&e.disk_path).map_err(|err| {
                    io_err(&format!("cannot read \"{}\"", e.disk_path.display()), err)
                })?;
                let mut reader = CheckedReader {
                    file,
                    left: e.size,
                    hasher: Sha256::new(),
                    short: false,
                };
                let owner = names.owner(e.uid, e.gid);
                let mut h = header(tar::EntryType::Regular, e.size, e.mode, e.mtime, &owner);
                builder
                    .append_data(&mut h, path, &mut reader)
                    .map_err(|err| {
                        io_err(&format!("archiving \"{}\"", e.disk_path.display()), err)
                    })?;
                let after = std::fs::symlink_metadata(&e.disk_path).ok();
                let same_meta =
                    after.is_some_and(|a| a.len() == e.size && a.mtime().max(0) as u64 == e.mtime);
                let mut extra = [0u8; 1];
                let grew = reader.file.read(&mut extra).map(|n| n > 0).unwrap_or(true);
                let sha = hex::encode(reader.hasher.finalize());
                if reader.short || grew || !same_meta || sha != m.sha256 {
                    changed.push(e.disk_path.clone());
                }
                report.files += 1;
                report.bytes += e.size;
                progress.bytes(e.size);
            }
        }
    }
    if !changed.is_empty() {
        let list: Vec<String> = changed
            .iter()
            .take(10)
            .map(|p| p.display().to_string())
            .collect();
        return Err(Error::new(
            ErrorKind::Io,
            format!(
                "{} file(s) changed while being archived: {}; nothing was written, run again when the directory is quiet",
                changed.len(),
                list.join(", ")
            ),
        ));
    }
    let gz = builder
        .into_inner()
        .map_err(|e| io_err("finishing archive", e))?;
    let sink = gz.finish().map_err(|e| io_err("finishing archive", e))?;
    progress.finish(report.bytes);
    let summary = sink.finish()?;
    report.archive_size = summary.bytes;
    report.archive_sha256 = summary.sha256.unwrap_or_default();
    Ok(report)
}
