//! Benchmark: `pgsnap restore -j 2` against `psql -f` loading the same plain dump (generated
//! mixed database, PGSNAP_BENCH_MB, default 620), same run, rotated, medians; wall and RSS.

#[path = "support.rs"]
mod support;

use pgsnap::bench::cluster;
use pgsnap::bench::run::{generate_sql, Scenario};
use std::process::Command;
use support::{measure, median};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let mb: u64 = support::env_or("PGSNAP_BENCH_MB", 620);
    let rounds: usize = support::env_or("PGSNAP_BENCH_ROUNDS", 3);
    let c = cluster::start(false).expect("cluster");
    let src = c.fresh_db("restore_src");
    for sql in generate_sql(Scenario::Mixed, mb, 0) {
        c.psql(&src, &["-c", &sql]).expect("generate");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dump.sql");
    let mut dump = Command::new(c.bindir.join("pg_dump"));
    c.env(&mut dump);
    assert!(dump
        .args(["-f", &file.to_string_lossy(), &src])
        .status()
        .unwrap()
        .success());
    let size = std::fs::metadata(&file).unwrap().len();
    let schema_of = |db: &str| {
        let mut cmd = Command::new(c.bindir.join("pg_dump"));
        c.env(&mut cmd);
        cmd.args(["-s", "--restrict-key=B", db])
            .output()
            .unwrap()
            .stdout
    };
    let names = ["psql -f", "pgsnap restore -j 2"];
    let mut times = [Vec::new(), Vec::new()];
    let mut rss = [0u64; 2];
    for round in 0..rounds {
        for k in 0..2 {
            let i = (k + round) % 2;
            let target = c.fresh_db("restore_dst");
            let mut cmd = if i == 0 {
                let mut p = Command::new(c.bindir.join("psql"));
                p.args([
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-d",
                    &target,
                    "-f",
                    &file.to_string_lossy(),
                ]);
                p
            } else {
                let mut p = Command::new(env!("CARGO_BIN_EXE_pgsnap"));
                p.args([
                    "restore",
                    "-j",
                    "2",
                    "--progress=none",
                    "-d",
                    &target,
                    &file.to_string_lossy(),
                ]);
                p
            };
            c.env(&mut cmd);
            let (t, peak) = measure(cmd);
            assert!(
                schema_of(&src) == schema_of(&target),
                "{} restored a different schema",
                names[i]
            );
            times[i].push(t.as_secs_f64());
            rss[i] = rss[i].max(peak);
            eprintln!(
                "round {round}: {:<20} {:>7.2}s {:>7} KiB",
                names[i],
                t.as_secs_f64(),
                peak
            );
        }
    }
    let base = median(&mut times[0].clone());
    println!(
        "\npgsnap restore benchmark: {:.0} MB plain dump, {rounds} rounds, medians\n",
        size as f64 / 1e6
    );
    println!("| command | wall (s) | ratio vs psql | peak RSS (MiB) |\n|---|---:|---:|---:|");
    for (i, name) in names.iter().enumerate() {
        let m = median(&mut times[i]);
        println!(
            "| {name} | {m:.2} | {:.2}x | {:.1} |",
            m / base,
            rss[i] as f64 / 1024.0
        );
    }
}
