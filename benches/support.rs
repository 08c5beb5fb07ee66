//! Shared benchmark helpers (the measuring itself lives in `pgsnap::bench::run`).
#![allow(dead_code)]

use std::process::Command;
use std::time::Duration;

/// Runs a command to completion, returning wall time and peak RSS (KiB).
pub fn measure(cmd: Command) -> (Duration, u64) {
    let m = pgsnap::bench::run::measure(cmd).expect("benchmark command");
    (m.wall, m.peak_rss_kib)
}

/// Median of a sample (sorts it).
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// A numeric setting from the environment, or its default.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
