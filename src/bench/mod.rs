//! Benchmarking: throwaway clusters, generated databases and the `pgsnap bench` runner.

pub mod cluster;
pub mod run;
