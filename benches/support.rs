//! Shared benchmark helpers: wall time and peak RSS of a child process, medians.
#![allow(dead_code)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// Runs a command to completion, returning wall time and the peak RSS (KiB) seen while it ran.
pub fn measure(mut cmd: Command) -> (Duration, u64) {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let mut peak = 0;
    loop {
        if let Some(k) = peak_rss_kib(pid) {
            peak = peak.max(k);
        }
        match child.try_wait().expect("wait") {
            Some(status) => {
                assert!(status.success(), "benchmark command failed: {cmd:?}");
                break;
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    (start.elapsed(), peak)
}

/// Median of a sample (sorts it).
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}
