//! `pgsnap bench`: generates benchmark databases (pgbench-like, mixed-wide, many-tables) on a
//! throwaway local server, then times pgsnap (several `-j`, with and without compression)
//! against pg_dump `-Fp` and `-Fd -j` on the same data in the same run, rotating the order, and
//! checks that pgsnap's output is byte-identical to pg_dump's.

use super::bench_error;
use super::cluster::{self, Cluster};
use crate::error::{Error, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A dataset shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// pgbench's tables: one big narrow table.
    Pgbench,
    /// Wide rows (jsonb, text, numeric, bytea), a big change log, mid tables, small tables.
    Mixed,
    /// Thousands of small tables with indexes and foreign keys.
    ManyTables,
}

impl Scenario {
    /// Parses a scenario name.
    pub fn parse(s: &str) -> Result<Vec<Scenario>> {
        match s {
            "pgbench" => Ok(vec![Scenario::Pgbench]),
            "mixed" => Ok(vec![Scenario::Mixed]),
            "many-tables" => Ok(vec![Scenario::ManyTables]),
            "all" => Ok(vec![
                Scenario::Pgbench,
                Scenario::Mixed,
                Scenario::ManyTables,
            ]),
            _ => Err(bench_error(format!(
                "unknown scenario \"{s}\" (pgbench, mixed, many-tables, all)"
            ))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Scenario::Pgbench => "pgbench",
            Scenario::Mixed => "mixed",
            Scenario::ManyTables => "many-tables",
        }
    }
}

/// Benchmark settings.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Scenarios to run.
    pub scenarios: Vec<Scenario>,
    /// Approximate dump size in MB for the data scenarios.
    pub scale_mb: u64,
    /// Tables for the many-tables scenario.
    pub tables: u32,
    /// Rounds (medians are reported).
    pub rounds: usize,
    /// Untimed runs of every command before the timed rounds (caches, and the kernel done
    /// with the generated files, for every command alike).
    pub warmup: usize,
    /// pgsnap `-j` values to time.
    pub jobs: Vec<usize>,
    /// The server major to run on; the installed one (15 preferred) when `None`.
    pub server_major: Option<u32>,
}

/// One measured command.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Wall time.
    pub wall: Duration,
    /// Peak RSS in KiB.
    pub peak_rss_kib: u64,
    /// CPU seconds (user + system) of the process.
    pub cpu: f64,
}

fn proc_stat(pid: u32) -> Option<(u64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some((rss, ticks / 100.0))
}

/// Runs a command to completion, sampling its peak RSS and CPU from /proc.
pub fn measure(mut cmd: Command) -> Result<Measurement> {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| bench_error(format!("{cmd:?}: {e}")))?;
    let pid = child.id();
    let (mut peak, mut cpu) = (0, 0.0);
    loop {
        if let Some((r, c)) = proc_stat(pid) {
            peak = peak.max(r);
            cpu = c;
        }
        match child.try_wait().map_err(Error::from)? {
            Some(status) => {
                if !status.success() {
                    let mut err = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = std::io::Read::read_to_string(&mut e, &mut err);
                    }
                    return Err(bench_error(format!("{cmd:?} failed: {err}")));
                }
                break;
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    Ok(Measurement {
        wall: start.elapsed(),
        peak_rss_kib: peak,
        cpu,
    })
}

/// Compares two plain dumps ignoring the `-- Dumped by` line.
pub fn same_dump(a: &Path, b: &Path) -> bool {
    let (Ok(fa), Ok(fb)) = (std::fs::File::open(a), std::fs::File::open(b)) else {
        return false;
    };
    let mut la = BufReader::new(fa).split(b'\n');
    let mut lb = BufReader::new(fb).split(b'\n');
    loop {
        match (la.next(), lb.next()) {
            (None, None) => return true,
            (Some(Ok(x)), Some(Ok(y))) => {
                if x != y && !(x.starts_with(b"-- Dumped by ") && y.starts_with(b"-- Dumped by ")) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// SQL that builds a scenario's data.
pub fn generate_sql(s: Scenario, scale_mb: u64, tables: u32) -> Vec<String> {
    match s {
        Scenario::Pgbench => {
            // pgbench: 100,000 accounts per scale unit, ~10 MB of dump each.
            let accounts = scale_mb * 10_000;
            let branches = (accounts / 100_000).max(1);
            vec![format!(
                "CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88));
                 CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84));
                 CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84)) WITH (fillfactor = 100);
                 CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
                 INSERT INTO pgbench_branches SELECT g, 0, '' FROM generate_series(1, {branches}) g;
                 INSERT INTO pgbench_tellers SELECT g, 1 + (g - 1) / 10, 0, '' FROM generate_series(1, {branches} * 10) g;
                 INSERT INTO pgbench_accounts SELECT g, 1 + (g - 1) / 100000, 0, '' FROM generate_series(1, {accounts}) g;"
            )]
        }
        Scenario::Mixed => {
            let changelog = scale_mb * 1_000_000 * 6 / 10 / 260;
            let measure = scale_mb * 1_000_000 * 3 / 10 / 110;
            vec![
                format!(
                    "CREATE TABLE extras_objectchange (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, time timestamptz NOT NULL,
                       user_name varchar(150) NOT NULL, request_id uuid NOT NULL, action varchar(50) NOT NULL, changed_object_id uuid NOT NULL,
                       object_repr varchar(200) NOT NULL, object_data jsonb NOT NULL);
                     INSERT INTO extras_objectchange (time, user_name, request_id, action, changed_object_id, object_repr, object_data)
                       SELECT '2025-01-01'::timestamptz + i * interval '1 second', 'user' || (i % 50), md5(i::text)::uuid, 'update',
                              md5((i * 3)::text)::uuid, 'device ' || i || E' \\t \"quoted\"',
                              jsonb_build_object('name', 'dev' || i, 'serial', md5(i::text), 'position', i % 42, 'tags', jsonb_build_array('a', 'b'))
                       FROM generate_series(1, {changelog}) i;
                     CREATE TABLE measurement (id bigserial PRIMARY KEY, device_id integer NOT NULL, value numeric(14,4), at timestamptz, payload bytea, note text);
                     INSERT INTO measurement (device_id, value, at, payload, note)
                       SELECT i % 1000, i * 1.0001, '2025-01-01'::timestamptz + i * interval '1 minute', decode(md5(i::text), 'hex'),
                              CASE WHEN i % 10 = 0 THEN NULL ELSE 'n' || i END
                       FROM generate_series(1, {measure}) i;
                     CREATE INDEX measurement_device ON measurement (device_id);"
                ),
                "DO $$ BEGIN FOR t IN 1..200 LOOP
                   EXECUTE format('CREATE TABLE small_%s (id serial PRIMARY KEY, name text NOT NULL, created timestamptz DEFAULT now())', t);
                   EXECUTE format('INSERT INTO small_%s (name) SELECT ''row '' || g FROM generate_series(1, 50) g', t);
                 END LOOP; END $$;"
                    .to_string(),
            ]
        }
        Scenario::ManyTables => (0..tables.div_ceil(500))
            .map(|b| {
                let (from, to) = (b * 500 + 1, ((b + 1) * 500).min(tables));
                format!(
                    "DO $$ BEGIN FOR i IN {from}..{to} LOOP
                       EXECUTE format('CREATE TABLE t%s (id serial PRIMARY KEY, ref int REFERENCES t%s(id), name text, created timestamptz DEFAULT now()); CREATE INDEX ON t%s (name); INSERT INTO t%s (name) VALUES (''x'');', i, greatest(i - 1, 1), i, i);
                     END LOOP; END $$;"
                )
            })
            .collect(),
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// One command the benchmark times.
struct BenchCommand {
    label: String,
    program: PathBuf,
    args: Vec<String>,
    /// Where it writes (a file, or pg_dump's directory).
    output: PathBuf,
    /// Whether its output must equal pg_dump's (`-Fp`, or `-s`).
    compare: bool,
    /// The index of the pg_dump command it is measured against.
    baseline: usize,
}

/// What the rounds measured, per command.
#[derive(Default, Clone)]
struct Timings {
    wall: Vec<f64>,
    cpu: Vec<f64>,
    peak_rss_kib: u64,
}

/// Runs the benchmark; returns the report as Markdown.
pub fn run(opts: &BenchOptions) -> Result<String> {
    let c: Cluster = match opts.server_major {
        Some(major) => {
            let (server, client) = cluster::major_dirs(major)?;
            cluster::start_with(&server, &client, false)?
        }
        None => cluster::start(false)?,
    };
    let me = std::env::current_exe().map_err(Error::from)?;
    let work = tempfile::Builder::new()
        .prefix("pgsnap-bench-")
        .tempdir()
        .map_err(Error::from)?;
    // Medians, and the fastest round beside them: on a shared machine other tenants slow some
    // rounds down, and the fastest is the least disturbed measure of the same work.
    let mut report = String::from("| scenario | command | dump MB | wall s | MB/s | CPU s | peak RSS MiB | vs pg_dump | fastest s | fastest vs pg_dump | output |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for &s in &opts.scenarios {
        let db = c.fresh_db(s.name().replace('-', "_").as_str());
        eprintln!("pgsnap bench: generating {} ...", s.name());
        for sql in generate_sql(s, opts.scale_mb, opts.tables) {
            c.psql(&db, &["-c", &sql])?;
        }
        c.psql(&db, &["-c", "VACUUM ANALYZE"])?;
        // The generated data's dirty buffers are written now, not by the checkpointer during
        // the first timed rounds.
        c.psql(&db, &["-c", "CHECKPOINT"])?;
        // The server runs with fsync off: the checkpoint left the files to the kernel.
        let _ = Command::new("sync").status();
        let pg_dump = c.client("pg_dump");
        let pg_dump = pg_dump.exists().then_some(pg_dump);
        let runs = commands(s, opts, &me, pg_dump.as_deref(), &db, work.path());
        let timings = time_rounds(&c, s, opts, &runs)?;
        report_rows(&mut report, s, &runs, &timings, pg_dump.is_some())?;
    }
    Ok(report)
}

/// The commands timed for one scenario: pg_dump's (when its binary is there), pgsnap's at
/// each -j and compressed, and for many tables the schema-only pair.
fn commands(
    s: Scenario,
    opts: &BenchOptions,
    me: &Path,
    pg_dump: Option<&Path>,
    db: &str,
    dir: &Path,
) -> Vec<BenchCommand> {
    let out = |name: &str| dir.join(format!("{}-{name}", s.name()));
    let mut runs = Vec::new();
    let add = |runs: &mut Vec<BenchCommand>,
               label: String,
               program: &Path,
               args: &[&str],
               output: PathBuf,
               compare,
               baseline| {
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.push(output.display().to_string());
        args.push(db.to_string());
        runs.push(BenchCommand {
            label,
            program: program.to_path_buf(),
            args,
            output,
            compare,
            baseline,
        });
    };
    let have_pg_dump = pg_dump.is_some();
    if let Some(pg_dump) = pg_dump {
        let args = ["-Fp", "--restrict-key=BENCH", "-f"];
        add(
            &mut runs,
            "pg_dump -Fp".into(),
            pg_dump,
            &args,
            out("pg_dump.sql"),
            false,
            0,
        );
        let args = ["-Fd", "-j", "2", "-f"];
        add(
            &mut runs,
            "pg_dump -Fd -j 2".into(),
            pg_dump,
            &args,
            out("pg_dump-dir"),
            false,
            0,
        );
    }
    for &j in &opts.jobs {
        let j = j.to_string();
        let args = ["dump", "-j", &j, "--restrict-key=BENCH", "-f"];
        let f = out(&format!("pgsnap-j{j}.sql"));
        add(
            &mut runs,
            format!("pgsnap -j {j}"),
            me,
            &args,
            f,
            have_pg_dump,
            0,
        );
    }
    let zj = opts.jobs.iter().copied().max().unwrap_or(2).to_string();
    for method in ["zstd", "gzip"] {
        let args = ["dump", "-j", &zj, "-Z", method, "-f"];
        let f = out(&format!("pgsnap-{method}.sql"));
        add(
            &mut runs,
            format!("pgsnap -j {zj} -Z {method}"),
            me,
            &args,
            f,
            false,
            0,
        );
    }
    // Schema only (`-s`), compared with pg_dump -s: what structure.sql users run.
    if s == Scenario::ManyTables {
        let schema_base = if have_pg_dump { runs.len() } else { 0 };
        if let Some(pg_dump) = pg_dump {
            let args = ["-s", "--restrict-key=BENCH", "-f"];
            add(
                &mut runs,
                "pg_dump -s".into(),
                pg_dump,
                &args,
                out("pg_dump-s.sql"),
                false,
                schema_base,
            );
        }
        let args = ["dump", "-s", "--restrict-key=BENCH", "-f"];
        let f = out("pgsnap-s.sql");
        add(
            &mut runs,
            "pgsnap -s".into(),
            me,
            &args,
            f,
            have_pg_dump,
            schema_base,
        );
    }
    runs
}

/// Runs every command `opts.warmup` times untimed, then `opts.rounds` times timed, starting
/// each round at a different command so no command always follows the same one.
fn time_rounds(
    c: &Cluster,
    s: Scenario,
    opts: &BenchOptions,
    runs: &[BenchCommand],
) -> Result<Vec<Timings>> {
    let run_once = |i: usize| -> Result<Measurement> {
        let r = &runs[i];
        let _ = std::fs::remove_dir_all(&r.output);
        let _ = std::fs::remove_file(&r.output);
        let mut cmd = Command::new(&r.program);
        c.env(&mut cmd);
        cmd.args(&r.args);
        let m = measure(cmd)?;
        // What a command left for the kernel to write back (pg_dump does not fsync) is
        // written before the next one starts, so no command pays for another's output.
        let _ = Command::new("sync").status();
        Ok(m)
    };
    for _ in 0..opts.warmup {
        for i in 0..runs.len() {
            run_once(i)?;
        }
    }
    let mut timings = vec![Timings::default(); runs.len()];
    for round in 0..opts.rounds.max(1) {
        for k in 0..runs.len() {
            let i = (k + round) % runs.len();
            let m = run_once(i)?;
            eprintln!(
                "pgsnap bench: {} round {round}: {} {:.2}s",
                s.name(),
                runs[i].label,
                m.wall.as_secs_f64()
            );
            let t = &mut timings[i];
            t.wall.push(m.wall.as_secs_f64());
            t.cpu.push(m.cpu);
            t.peak_rss_kib = t.peak_rss_kib.max(m.peak_rss_kib);
        }
    }
    Ok(timings)
}

/// Bytes a command wrote: its file, or the files in its directory.
fn size_of(p: &Path) -> u64 {
    if p.is_dir() {
        std::fs::read_dir(p)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    } else {
        std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
    }
}

/// The report's rows for one scenario; an output that should equal pg_dump's and does not
/// fails the benchmark.
fn report_rows(
    report: &mut String,
    s: Scenario,
    runs: &[BenchCommand],
    timings: &[Timings],
    have_pg_dump: bool,
) -> Result<()> {
    let medians: Vec<f64> = timings
        .iter()
        .map(|t| median(&mut t.wall.clone()))
        .collect();
    let fastest: Vec<f64> = timings
        .iter()
        .map(|t| t.wall.iter().copied().fold(f64::INFINITY, f64::min))
        .collect();
    for (i, r) in runs.iter().enumerate() {
        let wall = medians[i];
        // The pg_dump run this one is measured and checked against (pg_dump -Fp, or -s).
        let base = r.baseline;
        let reference = have_pg_dump.then(|| runs[base].output.clone());
        let plain_mb = reference.as_deref().map(size_of).unwrap_or(0) as f64 / 1e6;
        let identical = match (&reference, r.compare) {
            (Some(reference), true) if same_dump(reference, &r.output) => "identical",
            (Some(_), true) => {
                return Err(bench_error(format!(
                    "{}: {} output differs from pg_dump's",
                    s.name(),
                    r.label
                )))
            }
            _ => "-",
        };
        let mb = size_of(&r.output) as f64 / 1e6;
        let ratio = |of: &[f64]| {
            if have_pg_dump {
                format!("{:.2}x", of[i] / of[base])
            } else {
                "-".into()
            }
        };
        report.push_str(&format!(
            "| {} | {} | {mb:.0} | {wall:.2} | {:.0} | {:.2} | {:.1} | {} | {:.2} | {} | {identical} |\n",
            s.name(),
            r.label,
            plain_mb.max(mb) / wall,
            median(&mut timings[i].cpu.clone()),
            timings[i].peak_rss_kib as f64 / 1024.0,
            ratio(&medians),
            fastest[i],
            ratio(&fastest),
        ));
    }
    Ok(())
}
