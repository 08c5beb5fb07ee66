//! Where the dump goes: stdout, or a temp file beside `-f FILE` that is fsynced and renamed
//! over FILE only when the dump succeeded (a failed dump never leaves FILE behind).

use crate::error::{Error, ErrorKind, Result};
use sha2::{Digest, Sha256};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

const BUFFER: usize = 1 << 20;

enum Target {
    Stdout(BufWriter<std::io::Stdout>),
    File {
        writer: BufWriter<std::fs::File>,
        temp: tempfile::TempPath,
        path: PathBuf,
    },
}

/// An open output.
pub struct Sink {
    target: Target,
    bytes: u64,
    hasher: Option<Sha256>,
}

/// What [`Sink::finish`] reports.
#[derive(Debug, Clone, Default)]
pub struct SinkSummary {
    /// Bytes written.
    pub bytes: u64,
    /// SHA-256 of everything written, when hashing was enabled.
    pub sha256: Option<String>,
}

impl Sink {
    /// Opens stdout, or a temp file in FILE's directory.
    pub fn open(path: Option<&Path>) -> Result<Sink> {
        let target = match path {
            None => Target::Stdout(BufWriter::with_capacity(BUFFER, std::io::stdout())),
            Some(p) => {
                let dir = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "dump".into());
                let tmp = tempfile::Builder::new()
                    .prefix(&format!(".{name}."))
                    .suffix(".tmp")
                    .tempfile_in(&dir)
                    .map_err(|e| {
                        Error::new(
                            ErrorKind::Io,
                            format!(
                                "could not open output file \"{}\": {}",
                                p.display(),
                                io_reason(&e)
                            ),
                        )
                    })?;
                let (file, temp) = tmp.into_parts();
                Target::File {
                    writer: BufWriter::with_capacity(BUFFER, file),
                    temp,
                    path: p.to_path_buf(),
                }
            }
        };
        Ok(Sink {
            target,
            bytes: 0,
            hasher: None,
        })
    }

    /// Also computes the SHA-256 of everything written from now on.
    pub fn with_sha256(mut self) -> Self {
        self.hasher = Some(Sha256::new());
        self
    }

    /// Writes bytes.
    pub fn write_all(&mut self, buf: &[u8]) -> Result<()> {
        self.bytes += buf.len() as u64;
        if let Some(h) = &mut self.hasher {
            h.update(buf);
        }
        let r = match &mut self.target {
            Target::Stdout(w) => w.write_all(buf),
            Target::File { writer, .. } => writer.write_all(buf),
        };
        r.map_err(|e| self.write_error(e))
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    fn write_error(&self, e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Error::from(e);
        }
        match &self.target {
            Target::Stdout(_) => {
                Error::new(ErrorKind::Io, format!("could not write to output: {e}"))
            }
            Target::File { path, .. } => Error::new(
                ErrorKind::Io,
                format!("could not write to output file \"{}\": {e}", path.display()),
            ),
        }
    }

    /// Flushes; for a file also fsyncs and renames it into place.
    pub fn finish(self) -> Result<SinkSummary> {
        let summary = SinkSummary {
            bytes: self.bytes,
            sha256: self.hasher.map(|h| hex::encode(h.finalize())),
        };
        match self.target {
            Target::Stdout(mut w) => w.flush().map_err(Error::from)?,
            Target::File { writer, temp, path } => {
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
                file.sync_all()?;
                set_mode(&file);
                drop(file);
                temp.persist(&path).map_err(|e| {
                    Error::new(
                        ErrorKind::Io,
                        format!(
                            "could not rename output file into \"{}\": {}",
                            path.display(),
                            e.error
                        ),
                    )
                })?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    if let Ok(d) = std::fs::File::open(dir) {
                        let _ = d.sync_all();
                    }
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

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".to_string(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
