//! Output compression choices: pg_dump 16's `-Z/--compress=METHOD[:LEVEL]` syntax (and `-Z 0-9`
//! meaning gzip), or inferred from the output file name. Pure.

use crate::error::{Error, Result};
use std::path::Path;

/// A compression method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// No compression.
    #[default]
    None,
    /// gzip (independent members per block, compressed in parallel).
    Gzip,
    /// LZ4 frame.
    Lz4,
    /// zstd (multi-threaded).
    Zstd,
}

/// Method and level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Compression {
    /// Method.
    pub method: Method,
    /// Level; `None` is the method's default.
    pub level: Option<i32>,
}

impl Compression {
    /// Parses `-Z` / `--compress`: `0`-`9` (gzip levels, 0 = none), `none`, `gzip`, `lz4`,
    /// `zstd`, each optionally followed by `:LEVEL` or `:level=LEVEL`.
    pub fn parse(spec: &str) -> Result<Compression> {
        let bad = || Error::usage(format!("invalid compression specification: \"{spec}\""));
        if let Ok(n) = spec.parse::<i32>() {
            if !(0..=9).contains(&n) {
                return Err(Error::usage(format!(
                    "compression level must be in range 0..9: \"{spec}\""
                )));
            }
            return Ok(if n == 0 {
                Compression::default()
            } else {
                Compression {
                    method: Method::Gzip,
                    level: Some(n),
                }
            });
        }
        let (name, level) = match spec.split_once(':') {
            Some((n, l)) => {
                let l = l.strip_prefix("level=").unwrap_or(l);
                (n, Some(l.parse::<i32>().map_err(|_| bad())?))
            }
            None => (spec, None),
        };
        let method = match name {
            "none" => Method::None,
            "gzip" => Method::Gzip,
            "lz4" => Method::Lz4,
            "zstd" => Method::Zstd,
            _ => {
                return Err(Error::usage(format!(
                    "unrecognized compression algorithm: \"{name}\""
                )))
            }
        };
        match (method, level) {
            (Method::Gzip, Some(l)) if !(1..=9).contains(&l) => {
                Err(Error::usage("gzip compression level must be in range 1..9"))
            }
            (Method::Zstd, Some(l)) if !(-7..=22).contains(&l) => Err(Error::usage(
                "zstd compression level must be in range -7..22",
            )),
            (Method::Lz4, Some(l)) if !(0..=12).contains(&l) => {
                Err(Error::usage("lz4 compression level must be in range 0..12"))
            }
            (Method::None, Some(l)) if l != 0 => {
                Err(Error::usage("compression level must be 0 with \"none\""))
            }
            _ => Ok(Compression { method, level }),
        }
    }

    /// The method a file name's ending implies (`.gz`, `.lz4`, `.zst`).
    pub fn from_file_name(path: &Path) -> Compression {
        let method = match path.extension().and_then(|e| e.to_str()) {
            Some("gz") => Method::Gzip,
            Some("lz4") => Method::Lz4,
            Some("zst") => Method::Zstd,
            _ => Method::None,
        };
        Compression {
            method,
            level: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pg_dump_16_syntax() {
        let c = |s: &str| Compression::parse(s).unwrap();
        assert_eq!(c("0"), Compression::default());
        assert_eq!(
            c("6"),
            Compression {
                method: Method::Gzip,
                level: Some(6)
            }
        );
        assert_eq!(
            c("gzip"),
            Compression {
                method: Method::Gzip,
                level: None
            }
        );
        assert_eq!(
            c("gzip:9"),
            Compression {
                method: Method::Gzip,
                level: Some(9)
            }
        );
        assert_eq!(
            c("zstd:level=3"),
            Compression {
                method: Method::Zstd,
                level: Some(3)
            }
        );
        assert_eq!(
            c("lz4"),
            Compression {
                method: Method::Lz4,
                level: None
            }
        );
        assert_eq!(c("none"), Compression::default());
        for bad in ["10", "brotli", "gzip:0", "zstd:99", "gzip:x"] {
            assert!(Compression::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn inferred_from_file_name() {
        assert_eq!(
            Compression::from_file_name(Path::new("x.sql.gz")).method,
            Method::Gzip
        );
        assert_eq!(
            Compression::from_file_name(Path::new("x.sql.zst")).method,
            Method::Zstd
        );
        assert_eq!(
            Compression::from_file_name(Path::new("x.sql.lz4")).method,
            Method::Lz4
        );
        assert_eq!(
            Compression::from_file_name(Path::new("x.sql")).method,
            Method::None
        );
    }
}
