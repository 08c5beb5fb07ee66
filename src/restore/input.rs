//! The script's input: a file or standard input, decompressed by its magic bytes, its read errors naming it.

use super::*;
use crate::error::io_reason;

/// Counts the bytes read from the file (before decompression), for progress.
pub(super) struct Counting<R> {
    pub(super) inner: R,
    pub(super) read: Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens the input, detecting gzip, lz4 and zstd by their magic bytes.
pub fn open_input(file: Option<&std::path::Path>) -> Result<Box<dyn BufRead + Send>> {
    open_counted(file, Arc::default())
}

pub(super) fn open_counted(
    file: Option<&std::path::Path>,
    read: Arc<std::sync::atomic::AtomicU64>,
) -> Result<Box<dyn BufRead + Send>> {
    let name = match file {
        Some(p) => format!("input file \"{}\"", p.display()),
        None => "standard input".to_string(),
    };
    let raw: Box<dyn Read + Send> = match file {
        Some(p) => {
            let open_err = |e: std::io::Error| {
                Error::new(
                    ErrorKind::Io,
                    format!("could not open {name}: {}", io_reason(&e)),
                )
            };
            if p.is_dir() {
                return Err(open_err(std::io::ErrorKind::IsADirectory.into()));
            }
            Box::new(std::fs::File::open(p).map_err(open_err)?)
        }
        None => Box::new(std::io::stdin()),
    };
    let mut r = BufReader::with_capacity(1 << 20, Counting { inner: raw, read });
    let magic = r
        .fill_buf()
        .map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("could not read {name}: {}", io_reason(&e)),
            )
        })?
        .get(..4)
        .map(|m| m.to_vec())
        .unwrap_or_default();
    let reader: Box<dyn BufRead + Send> = if magic.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::read::MultiGzDecoder::new(r),
        ))
    } else if magic == [0x28, 0xb5, 0x2f, 0xfd] {
        Box::new(BufReader::with_capacity(
            1 << 20,
            zstd::stream::read::Decoder::with_buffer(r)
                .map_err(|e| Error::new(ErrorKind::Io, format!("zstd: {e}")))?,
        ))
    } else if magic == [0x04, 0x22, 0x4d, 0x18] {
        Box::new(BufReader::with_capacity(
            1 << 20,
            lz4_flex::frame::FrameDecoder::new(r),
        ))
    } else {
        Box::new(r)
    };
    // Read errors (a truncated compressed file) name the input.
    Ok(Box::new(BufReader::with_capacity(
        64 << 10,
        NamedErrors {
            inner: reader,
            name,
        },
    )))
}

/// Adds the input's name to its read errors.
pub(super) struct NamedErrors {
    pub(super) inner: Box<dyn BufRead + Send>,
    pub(super) name: String,
}

impl Read for NamedErrors {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner
            .read(buf)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {}", self.name, io_reason(&e))))
    }
}
