//! Where the dump goes: stdout, or a temp file beside `-f FILE` that is fsynced and renamed
//! over FILE only when the dump succeeded (a failed dump never leaves FILE behind); optionally
//! through a compressor (gzip and zstd on several threads) and with a SHA-256 of the bytes
//! written.

use super::compress::{Compression, Method};
use super::pgz::ParallelGz;
use crate::error::{io_reason, Error, ErrorKind, Result};
use sha2::{Digest, Sha256};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

const BUFFER: usize = 1 << 20;

/// Bytes written between background flushes of the temp file.
const FLUSH_EVERY: u64 = 64 << 20;

/// Pushes the temp file to disk in the background while the dump runs, so that the fsync
/// before the rename has only the tail left: a dump keeps the CPUs busy, and without this the
/// disk would idle until the end and then hold the exit up for the whole file.
struct Flusher {
    wake: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
    since: u64,
}

impl Flusher {
    fn start(file: &std::fs::File) -> Option<Flusher> {
        let file = file.try_clone().ok()?;
        let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("pgsnap-flush".into())
            .spawn(move || {
                while woken.recv().is_ok() {
                    file.sync_data()?;
                }
                Ok(())
            })
            .ok()?;
        Some(Flusher {
            wake: Some(wake),
            thread: Some(thread),
            since: 0,
        })
    }

    fn wrote(&mut self, n: usize) {
        self.since += n as u64;
        if self.since >= FLUSH_EVERY {
            self.since = 0;
            if let Some(w) = &self.wake {
                // A flush still running covers this request too.
                let _ = w.try_send(());
            }
        }
    }

    /// Waits for the flush in progress; reports a failed one.
    fn finish(&mut self) -> std::io::Result<()> {
        self.wake = None;
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(std::io::Error::other("background flush failed")),
            None => Ok(()),
        }
    }
}

/// The bytes that reach the file or stdout (after compression), counted and hashed.
struct Raw {
    out: RawOut,
    hasher: Option<Sha256>,
    bytes: u64,
    flusher: Option<Flusher>,
}

enum RawOut {
    Stdout(BufWriter<std::io::Stdout>),
    File(BufWriter<std::fs::File>),
}

/// Writes at least this big go out from the caller's buffer (table data comes in 256 KiB
/// spool chunks): copying them into the write buffer first would cost a copy of every byte of
/// the dump for nothing.
const DIRECT_WRITE: usize = 64 << 10;

/// Writes `buf` through `w`, big ones straight to its inner writer.
fn write_through<W: Write>(w: &mut BufWriter<W>, buf: &[u8]) -> std::io::Result<usize> {
    if buf.len() >= DIRECT_WRITE {
        // What is buffered goes first, keeping the order.
        w.flush()?;
        w.get_mut().write(buf)
    } else {
        w.write(buf)
    }
}

impl Write for Raw {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = match &mut self.out {
            RawOut::Stdout(w) => write_through(w, buf)?,
            RawOut::File(w) => write_through(w, buf)?,
        };
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        if let Some(f) = &mut self.flusher {
            f.wrote(n);
        }
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.out {
            RawOut::Stdout(w) => w.flush(),
            RawOut::File(w) => w.flush(),
        }
    }
}

enum Stage {
    Plain(Raw),
    Gzip(ParallelGz<Raw>),
    Zstd(zstd::stream::write::Encoder<'static, Raw>),
    Lz4(lz4_flex::frame::FrameEncoder<Raw>),
}

/// An open output.
pub struct Sink {
    stage: Stage,
    file: Option<(tempfile::TempPath, PathBuf)>,
    /// The file named by the user, for messages (also a device written in place).
    named: Option<PathBuf>,
    bytes: u64,
    sync: bool,
}

/// What [`Sink::finish`] reports.
#[derive(Debug, Clone, Default)]
pub struct SinkSummary {
    /// Bytes given to the sink (before compression).
    pub bytes: u64,
    /// Bytes written to the file or stdout (after compression).
    pub stored_bytes: u64,
    /// SHA-256 of the stored bytes, when hashing was enabled.
    pub sha256: Option<String>,
}

fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

impl Sink {
    /// Opens stdout, or a temp file in FILE's directory, uncompressed.
    pub fn open(path: Option<&Path>) -> Result<Sink> {
        Self::open_with(path, Compression::default(), false)
    }

    /// Opens the output with a compression method, optionally hashing what is stored.
    pub fn open_with(path: Option<&Path>, compression: Compression, hash: bool) -> Result<Sink> {
        // A device or pipe (`-f /dev/null`, `-f /dev/stdout`, a fifo) is written in place: only
        // regular files get the temp-file-and-rename treatment.
        let special = path
            .and_then(|p| std::fs::metadata(p).ok())
            .is_some_and(|m| !m.is_file() && !m.is_dir());
        let mut flusher = None;
        let (out, file) = match path {
            None => (
                RawOut::Stdout(BufWriter::with_capacity(BUFFER, std::io::stdout())),
                None,
            ),
            Some(p) if special => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .map_err(|e| open_error(p, &e))?;
                (RawOut::File(BufWriter::with_capacity(BUFFER, f)), None)
            }
            Some(p) => {
                // Through a symlink, as pg_dump writes: the temp file goes beside the link's
                // target and replaces the target, leaving the link in place.
                let p = &through_links(p);
                if p.is_dir() {
                    let e = std::io::Error::from(std::io::ErrorKind::IsADirectory);
                    return Err(open_error(p, &e));
                }
                let dir = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "dump".into());
                crate::cleanup::remove_stale(&dir, &name);
                let tmp = crate::cleanup::create_registered(
                    || {
                        tempfile::Builder::new()
                            .prefix(&crate::cleanup::temp_prefix(&name))
                            .suffix(".tmp")
                            .tempfile_in(&dir)
                    },
                    |f| f.path(),
                )
                .map_err(|e| open_error(p, &e))?;
                let (f, temp) = tmp.into_parts();
                flusher = Flusher::start(&f);
                (
                    RawOut::File(BufWriter::with_capacity(BUFFER, f)),
                    Some((temp, p.to_path_buf())),
                )
            }
        };
        let raw = Raw {
            out,
            hasher: hash.then(Sha256::new),
            bytes: 0,
            flusher,
        };
        let stage = match compression.method {
            Method::None => Stage::Plain(raw),
            // Default levels favour speed: the dump must not wait on the compressor.
            Method::Gzip => Stage::Gzip(ParallelGz::new(
                raw,
                threads(),
                compression.level.unwrap_or(1) as u32,
            )),
            Method::Zstd => {
                let level = compression.level.unwrap_or(1);
                let mut enc = zstd::stream::write::Encoder::new(raw, level)
                    .map_err(|e| Error::new(ErrorKind::Io, format!("could not start zstd: {e}")))?;
                // Extra threads only pay off for the slower levels.
                if level > 3 && threads() > 1 {
                    enc.multithread(threads() as u32).map_err(|e| {
                        Error::new(ErrorKind::Io, format!("could not start zstd workers: {e}"))
                    })?;
                }
                Stage::Zstd(enc)
            }
            Method::Lz4 => Stage::Lz4(lz4_flex::frame::FrameEncoder::new(raw)),
        };
        Ok(Sink {
            stage,
            file,
            named: path.map(Path::to_path_buf),
            bytes: 0,
            sync: true,
        })
    }

    /// Also computes the SHA-256 of what is stored (uncompressed sinks opened with [`Sink::open`]).
    pub fn with_sha256(mut self) -> Self {
        if let Stage::Plain(raw) = &mut self.stage {
            raw.hasher = Some(Sha256::new());
        }
        self
    }

    /// `--no-sync`: the file is renamed into place without waiting for the disk (as pg_dump's
    /// flag: faster, but a crash can leave the dump incomplete).
    pub fn without_sync(mut self) -> Self {
        self.sync = false;
        let raw = match &mut self.stage {
            Stage::Plain(r) => r,
            Stage::Gzip(w) => w.get_mut(),
            Stage::Zstd(w) => w.get_mut(),
            Stage::Lz4(w) => w.get_mut(),
        };
        raw.flusher = None;
        self
    }

    /// Writes bytes.
    pub fn write_all(&mut self, buf: &[u8]) -> Result<()> {
        self.bytes += buf.len() as u64;
        let r = match &mut self.stage {
            Stage::Plain(w) => w.write_all(buf),
            Stage::Gzip(w) => w.write_all(buf),
            Stage::Zstd(w) => w.write_all(buf),
            Stage::Lz4(w) => w.write_all(buf),
        };
        r.map_err(|e| self.write_error(e))
    }

    /// Bytes written so far (before compression).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    fn write_error(&self, e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Error::from(e);
        }
        match &self.named {
            None => Error::new(
                ErrorKind::Io,
                format!("could not write to output: {}", io_reason(&e)),
            ),
            Some(path) => Error::new(
                ErrorKind::Io,
                format!(
                    "could not write to output file \"{}\": {}",
                    path.display(),
                    io_reason(&e)
                ),
            ),
        }
    }

    /// Finishes compression and flushes; for a file also fsyncs and renames it into place.
    pub fn finish(self) -> Result<SinkSummary> {
        let bytes = self.bytes;
        let target = match &self.named {
            Some(path) => format!("output file \"{}\"", path.display()),
            None => "output".to_string(),
        };
        let io = |e: std::io::Error| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                Error::from(e)
            } else {
                Error::new(
                    ErrorKind::Io,
                    format!("could not write to {target}: {}", io_reason(&e)),
                )
            }
        };
        let mut raw = match self.stage {
            Stage::Plain(r) => r,
            Stage::Gzip(w) => w.finish().map_err(io)?,
            Stage::Zstd(w) => w.finish().map_err(io)?,
            Stage::Lz4(w) => w
                .finish()
                .map_err(|e| io(std::io::Error::other(e.to_string())))?,
        };
        raw.flush().map_err(io)?;
        if let Some(f) = &mut raw.flusher {
            f.finish().map_err(io)?;
        }
        let summary = SinkSummary {
            bytes,
            stored_bytes: raw.bytes,
            sha256: raw.hasher.map(|h| hex::encode(h.finalize())),
        };
        if let (RawOut::File(writer), None) = (&mut raw.out, &self.file) {
            writer.flush().map_err(io)?;
        }
        if let (RawOut::File(writer), Some((temp, path))) = (raw.out, self.file) {
            let file = writer.into_inner().map_err(|e| {
                Error::new(
                    ErrorKind::Io,
                    format!(
                        "could not write to output file \"{}\": {}",
                        path.display(),
                        e.error()
                    ),
                )
            })?;
            if self.sync {
                file.sync_all().map_err(io)?;
            }
            set_mode(&file);
            drop(file);
            let temp_path = temp.to_path_buf();
            let rename_error = |e: &dyn std::fmt::Display| {
                Error::new(
                    ErrorKind::Io,
                    format!(
                        "could not rename output file into \"{}\": {e}",
                        path.display(),
                    ),
                )
            };
            crate::cleanup::finish_registered(&temp_path, |_| temp.persist(&path))
                .map_err(|e| rename_error(&e))?
                .map_err(|e| rename_error(&e.error))?;
            if let Some(dir) = path
                .parent()
                .filter(|d| self.sync && !d.as_os_str().is_empty())
            {
                if let Ok(d) = std::fs::File::open(dir) {
                    let _ = d.sync_all();
                }
            }
        }
        Ok(summary)
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File) {
    use std::os::unix::fs::PermissionsExt;
    // Temp files are created 0600; a finished dump gets the usual 0644 like pg_dump's output.
    let _ = file.set_permissions(std::fs::Permissions::from_mode(0o644));
}

#[cfg(not(unix))]
fn set_mode(_file: &std::fs::File) {}

/// Where `p` leads when it is a symlink (or a chain of them), whether or not the last target
/// exists yet; `p` itself otherwise.
fn through_links(p: &Path) -> PathBuf {
    let mut at = p.to_path_buf();
    // As the kernel's limit on nested links: a loop ends here and fails to open later.
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&at) else {
            return at;
        };
        at = match at.parent() {
            Some(dir) if target.is_relative() => dir.join(target),
            _ => target,
        };
    }
    at
}

fn open_error(p: &Path, e: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::Io,
        format!(
            "could not open output file \"{}\": {}",
            p.display(),
            io_reason(e)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn file_appears_only_after_finish() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.sql");
        let mut s = Sink::open(Some(&path)).unwrap();
        s.write_all(b"hello\n").unwrap();
        assert!(!path.exists());
        s.finish().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn dropped_sink_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.sql");
        let mut s = Sink::open(Some(&path)).unwrap();
        s.write_all(b"partial").unwrap();
        drop(s);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn missing_directory_is_a_clear_error() {
        let err = Sink::open(Some(Path::new("/nonexistent-dir-pgsnap/x.sql")))
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("could not open output file"),
            "{err}"
        );
    }

    #[test]
    fn devices_are_written_in_place() {
        let mut s = Sink::open(Some(Path::new("/dev/null"))).unwrap();
        s.write_all(b"discarded").unwrap();
        s.finish().unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null must stay a device");
    }

    #[test]
    fn every_method_decodes_back() {
        let data: Vec<u8> = (0..3_000_000u32)
            .flat_map(|i| format!("{i}\t{}\n", i % 97).into_bytes())
            .collect();
        for method in [Method::None, Method::Gzip, Method::Zstd, Method::Lz4] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("out");
            let mut s = Sink::open_with(
                Some(&path),
                Compression {
                    method,
                    level: None,
                },
                true,
            )
            .unwrap();
            for chunk in data.chunks(100_000) {
                s.write_all(chunk).unwrap();
            }
            let summary = s.finish().unwrap();
            let stored = std::fs::read(&path).unwrap();
            assert_eq!(summary.stored_bytes, stored.len() as u64);
            assert_eq!(
                summary.sha256.unwrap(),
                hex::encode(Sha256::digest(&stored))
            );
            let mut back = Vec::new();
            match method {
                Method::None => back = stored,
                Method::Gzip => {
                    flate2::read::MultiGzDecoder::new(&stored[..])
                        .read_to_end(&mut back)
                        .unwrap();
                }
                Method::Zstd => {
                    zstd::stream::read::Decoder::new(&stored[..])
                        .unwrap()
                        .read_to_end(&mut back)
                        .unwrap();
                }
                Method::Lz4 => {
                    lz4_flex::frame::FrameDecoder::new(&stored[..])
                        .read_to_end(&mut back)
                        .unwrap();
                }
            }
            assert!(back == data, "{method:?} did not round-trip");
        }
    }
}
