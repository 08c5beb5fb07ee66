//! Benchmarking: throwaway clusters, generated databases and the `pgsnap bench` runner.

pub mod cluster;
pub mod run;

/// A benchmark that could not run: a missing server binary, a failed command, a bad option.
pub(crate) fn bench_error(msg: impl Into<String>) -> crate::error::Error {
    crate::error::Error::new(crate::error::ErrorKind::Io, msg)
}
