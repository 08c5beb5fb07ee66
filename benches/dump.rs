//! Benchmark: pgsnap against pg_dump -Fp on the same generated database, in the same run.
//!
//! `cargo bench` builds a throwaway cluster, generates a mixed database (a large change-log
//! table with jsonb, a numeric/bytea measurement table, many small tables; size set by
//! PGSNAP_BENCH_MB, default 650), then times `pg_dump -Fp -f`, `pgsnap dump -j 1 -f` and
//! `pgsnap dump -j 2 -f`, rotated, PGSNAP_BENCH_ROUNDS times (default 3), recording wall time
//! and peak RSS. Outputs must be identical apart from the `-- Dumped by` line, or it fails.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "support.rs"]
mod support;

use std::process::Command;
use support::{measure, median};

fn generate(c: &common::Cluster, db: &str, mb: u64) {
    use pgsnap::bench::run::{generate_sql, Scenario};
    for sql in generate_sql(Scenario::Mixed, mb, 0) {
        c.psql(db, &["-c", &sql]).expect("generate benchmark data");
    }
    c.psql(db, &["-c", "VACUUM ANALYZE"]).expect("vacuum");
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        // `cargo test` builds benches too; only `cargo bench` runs this.
        return;
    }
    let mb: u64 = support::env_or("PGSNAP_BENCH_MB", 650);
    let rounds: usize = support::env_or("PGSNAP_BENCH_ROUNDS", 3);
    let c = common::cluster();
    let db = c.fresh_db("bench");
    eprintln!("generating ~{mb} MB database {db} ...");
    generate(c, &db, mb);
    let dir = tempfile::tempdir().expect("tempdir");
    let names = ["pg_dump -Fp", "pgsnap -j 1", "pgsnap -j 2"];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut rss: Vec<u64> = vec![0; names.len()];
    let files: Vec<_> = (0..names.len())
        .map(|i| dir.path().join(format!("out{i}.sql")))
        .collect();
    for round in 0..rounds {
        for k in 0..names.len() {
            // Rotate the order each round so no command always runs first.
            let i = (k + round) % names.len();
            let f = files[i].to_string_lossy().to_string();
            let mut cmd = if i == 0 {
                Command::new(c.bindir.join("pg_dump"))
            } else {
                Command::new(env!("CARGO_BIN_EXE_pgsnap"))
            };
            c.env(&mut cmd);
            match i {
                0 => cmd.args(["-Fp", "--restrict-key=BENCH", "-f", &f, &db]),
                1 => cmd.args(["dump", "-j", "1", "--restrict-key=BENCH", "-f", &f, &db]),
                _ => cmd.args(["dump", "-j", "2", "--restrict-key=BENCH", "-f", &f, &db]),
            };
            let (t, peak) = measure(cmd);
            times[i].push(t.as_secs_f64());
            rss[i] = rss[i].max(peak);
            eprintln!(
                "round {round}: {:<12} {:>7.2}s {:>7} KiB",
                names[i],
                t.as_secs_f64(),
                peak
            );
        }
    }
    for f in &files[1..] {
        assert!(
            pgsnap::bench::run::same_dump(&files[0], f),
            "benchmark outputs differ from pg_dump: {}",
            f.display()
        );
    }
    let size = std::fs::metadata(&files[0]).map(|m| m.len()).unwrap_or(0);
    let base = median(&mut times[0].clone());
    println!(
        "\npgsnap benchmark: dump of {:.0} MB, {} rounds, medians (outputs identical to pg_dump)\n",
        size as f64 / 1e6,
        rounds
    );
    println!("| command | wall (s) | ratio vs pg_dump | peak RSS (MiB) |");
    println!("|---|---:|---:|---:|");
    for (i, name) in names.iter().enumerate() {
        let m = median(&mut times[i]);
        println!(
            "| {name} | {m:.2} | {:.2}x | {:.1} |",
            m / base,
            rss[i] as f64 / 1024.0
        );
    }
}
