//! Benchmark: `pgsnap media archive/restore` against `tar -czf` / `tar -xzf` on the same tree
//! (10,000 small files plus a few large ones), same run, rotated, medians; wall time and RSS.

#[path = "support.rs"]
mod support;

use std::io::Write;
use std::process::Command;
use support::{measure, median};

fn make_tree(root: &std::path::Path, large_mb: usize) {
    let media = root.join("media");
    let mut x: u64 = 0x2545F4914F6CDD1D;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for d in 0..100 {
        let dir = media.join(format!("images/{d:03}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in 0..100 {
            let len = 1000 + (next() % 20_000) as usize;
            // Half text-like (compressible), half noise (like already-compressed images).
            let data: Vec<u8> = if f % 2 == 0 {
                (0..len)
                    .map(|i| b"device-type front image metadata "[i % 33])
                    .collect()
            } else {
                (0..len).map(|_| next() as u8).collect()
            };
            std::fs::write(dir.join(format!("file{f:03}.bin")), data).unwrap();
        }
    }
    for i in 0..3 {
        let mut f = std::fs::File::create(media.join(format!("large{i}.bin"))).unwrap();
        let block: Vec<u8> = (0..1 << 20)
            .map(|j| if j % 2 == 0 { next() as u8 } else { b'a' })
            .collect();
        for _ in 0..large_mb {
            f.write_all(&block).unwrap();
        }
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rounds: usize = support::env_or("PGSNAP_BENCH_ROUNDS", 3);
    let large_mb: usize = support::env_or("PGSNAP_MEDIA_LARGE_MB", 100);
    let dir = tempfile::tempdir().unwrap();
    make_tree(dir.path(), large_mb);
    let bin = env!("CARGO_BIN_EXE_pgsnap");
    let names = [
        "tar -czf",
        "pgsnap media archive",
        "tar -xzf",
        "pgsnap media restore",
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); 4];
    let mut rss = [0u64; 4];
    for round in 0..rounds {
        for k in 0..2 {
            let i = (k + round) % 2;
            let out = dir.path().join(format!("a{i}.tar.gz"));
            let _ = std::fs::remove_file(&out);
            let mut cmd = if i == 0 {
                Command::new("tar")
            } else {
                Command::new(bin)
            };
            if i == 0 {
                cmd.current_dir(dir.path())
                    .arg("-czf")
                    .arg(&out)
                    .arg("media");
            } else {
                cmd.args(["media", "archive"])
                    .arg(dir.path().join("media"))
                    .arg("-o")
                    .arg(&out);
            }
            let (t, p) = measure(cmd);
            times[i].push(t.as_secs_f64());
            rss[i] = rss[i].max(p);
        }
        for k in 0..2 {
            let i = 2 + (k + round) % 2;
            let into = dir.path().join(format!("restore{i}"));
            let _ = std::fs::remove_dir_all(&into);
            std::fs::create_dir_all(&into).unwrap();
            let mut cmd = if i == 2 {
                Command::new("tar")
            } else {
                Command::new(bin)
            };
            if i == 2 {
                cmd.arg("-xzf")
                    .arg(dir.path().join("a0.tar.gz"))
                    .arg("-C")
                    .arg(&into);
            } else {
                cmd.args(["media", "restore"])
                    .arg(dir.path().join("a1.tar.gz"))
                    .arg("--into")
                    .arg(into.join("media"));
            }
            let (t, p) = measure(cmd);
            times[i].push(t.as_secs_f64());
            rss[i] = rss[i].max(p);
        }
    }
    let sizes: Vec<u64> = (0..2)
        .map(|i| {
            std::fs::metadata(dir.path().join(format!("a{i}.tar.gz")))
                .unwrap()
                .len()
        })
        .collect();
    println!("\npgsnap media benchmark: 10,000 small files + 3 x {large_mb} MB, {rounds} rounds, medians\n");
    println!("| command | wall (s) | ratio vs GNU tar | peak RSS (MiB) | archive (MB) |");
    println!("|---|---:|---:|---:|---:|");
    let med: Vec<f64> = times.iter_mut().map(|v| median(v)).collect();
    for (i, name) in names.iter().enumerate() {
        let base = if i < 2 { med[0] } else { med[2] };
        let size = if i < 2 {
            format!("{:.1}", sizes[i] as f64 / 1e6)
        } else {
            String::new()
        };
        println!(
            "| {name} | {:.2} | {:.2}x | {:.1} | {size} |",
            med[i],
            med[i] / base,
            rss[i] as f64 / 1024.0
        );
    }
}
