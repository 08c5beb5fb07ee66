//! The MANIFEST of a media archive: one line per entry with type, SHA-256, size, mode, mtime
//! and the path (bytes escaped so that any file name, newlines and non-UTF-8 included, fits on
//! one line). Pure: text in, text out.

use crate::error::{Error, Result};

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// Regular file.
    File,
    /// Directory.
    Dir,
    /// Symbolic link.
    Symlink,
}

/// One MANIFEST line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// Kind.
    pub kind: EntryKind,
    /// Path inside the archive, relative to the archive root (starts with the top directory).
    pub path: Vec<u8>,
    /// Size in bytes (files).
    pub size: u64,
    /// Permission bits.
    pub mode: u32,
    /// Modification time, seconds since the epoch.
    pub mtime: u64,
    /// SHA-256 of the content, lower-case hex (files).
    pub sha256: String,
    /// Link target (symlinks).
    pub target: Vec<u8>,
}

/// The whole MANIFEST.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Entries in archive order.
    pub entries: Vec<ManifestEntry>,
}

/// First line of every MANIFEST.
pub const HEADER: &str = "# pgsnap media manifest v1";

/// Escapes bytes so that the result is printable ASCII without tabs or newlines.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if (0x21..0x7f).contains(&b) && b != b'\\' || b == b' ' {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Reverses [`escape`].
pub fn unescape(s: &str) -> Result<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            let hex = s
                .get(i + 2..i + 4)
                .filter(|_| bytes.get(i + 1) == Some(&b'x'))
                .ok_or_else(|| Error::usage(format!("bad escape in MANIFEST path: {s}")))?;
            let v = u8::from_str_radix(hex, 16)
                .map_err(|_| Error::usage(format!("bad escape in MANIFEST path: {s}")))?;
            out.push(v);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

impl Manifest {
    /// Total bytes of all files.
    pub fn total_size(&self) -> u64 {
        self.entries.iter().map(|e| e.size).sum()
    }

    /// Renders the MANIFEST text.
    pub fn render(&self) -> String {
        let mut out = format!("{HEADER}\n# type\tsha256\tsize\tmode\tmtime\tpath\ttarget\n");
        for e in &self.entries {
            let (t, sha) = match e.kind {
                EntryKind::File => ("F", e.sha256.as_str()),
                EntryKind::Dir => ("D", "-"),
                EntryKind::Symlink => ("L", "-"),
            };
            out.push_str(&format!(
                "{t}\t{sha}\t{}\t{:04o}\t{}\t{}\t{}\n",
                e.size,
                e.mode,
                e.mtime,
                escape(&e.path),
                escape(&e.target)
            ));
        }
        out.push_str(&format!(
            "# total {} bytes in {} entries\n",
            self.total_size(),
            self.entries.len()
        ));
        out
    }

    /// Parses MANIFEST text.
    pub fn parse(text: &str) -> Result<Manifest> {
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Err(Error::usage("MANIFEST has an unknown format"));
        }
        let mut entries = Vec::new();
        for line in lines {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 7 {
                return Err(Error::usage(format!("malformed MANIFEST line: {line}")));
            }
            let bad = || Error::usage(format!("malformed MANIFEST line: {line}"));
            let kind = match f[0] {
                "F" => EntryKind::File,
                "D" => EntryKind::Dir,
                "L" => EntryKind::Symlink,
                _ => return Err(bad()),
            };
            entries.push(ManifestEntry {
                kind,
                sha256: if f[1] == "-" {
                    String::new()
                } else {
                    f[1].to_string()
                },
                size: f[2].parse().map_err(|_| bad())?,
                mode: u32::from_str_radix(f[3], 8).map_err(|_| bad())?,
                mtime: f[4].parse().map_err(|_| bad())?,
                path: unescape(f[5])?,
                target: unescape(f[6])?,
            });
        }
        Ok(Manifest { entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips_any_bytes() {
        let raw: Vec<u8> = b"a b\tc\nd\\e\xff\xc3\xa9/\x00".to_vec();
        let esc = escape(&raw);
        assert!(!esc.contains('\n') && !esc.contains('\t'));
        assert_eq!(unescape(&esc).unwrap(), raw);
    }

    #[test]
    fn manifest_round_trips() {
        let m = Manifest {
            entries: vec![
                ManifestEntry {
                    kind: EntryKind::Dir,
                    path: b"media".to_vec(),
                    size: 0,
                    mode: 0o755,
                    mtime: 1,
                    sha256: String::new(),
                    target: vec![],
                },
                ManifestEntry {
                    kind: EntryKind::File,
                    path: b"media/a\nb".to_vec(),
                    size: 3,
                    mode: 0o600,
                    mtime: 2,
                    sha256: "ab".repeat(32),
                    target: vec![],
                },
                ManifestEntry {
                    kind: EntryKind::Symlink,
                    path: b"media/l".to_vec(),
                    size: 0,
                    mode: 0o777,
                    mtime: 3,
                    sha256: String::new(),
                    target: b"a\nb".to_vec(),
                },
            ],
        };
        let text = m.render();
        assert!(text.contains("# total 3 bytes in 3 entries"));
        assert_eq!(Manifest::parse(&text).unwrap(), m);
    }

    #[test]
    fn rejects_garbage() {
        assert!(Manifest::parse("hello").is_err());
        assert!(Manifest::parse(&format!("{HEADER}\nX\t-\t0\t0\t0\ta\t\n")).is_err());
    }
}
