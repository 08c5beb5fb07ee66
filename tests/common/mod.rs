//! Test harness: the shared throwaway cluster of this test process (see
//! `pgsnap::bench::cluster`), one fresh database per test, and helpers to run pgsnap, pg_dump
//! and psql against it.
#![allow(dead_code)]

use pgsnap::bench::cluster::start;
pub use pgsnap::bench::cluster::Cluster;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

static CLUSTER: OnceLock<pgsnap::error::Result<Cluster>> = OnceLock::new();
static TLS_CLUSTER: OnceLock<pgsnap::error::Result<Cluster>> = OnceLock::new();
static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A second cluster listening on 127.0.0.1 with TLS and scram-sha-256 (and the unix socket,
/// trusted, for setup).
pub fn tls_cluster() -> &'static Cluster {
    match TLS_CLUSTER.get_or_init(|| start(true)) {
        Ok(c) => c,
        Err(e) => panic!("cannot start a PostgreSQL TLS test cluster: {e}"),
    }
}

/// The shared cluster of this test process; panics with install instructions if none.
pub fn cluster() -> &'static Cluster {
    match CLUSTER.get_or_init(|| start(false)) {
        Ok(c) => c,
        Err(e) => panic!("cannot start a PostgreSQL test cluster: {e}"),
    }
}

/// Helpers that run this build of pgsnap.
pub trait ClusterExt {
    /// Runs pgsnap with the cluster's environment.
    fn pgsnap(&self, args: &[&str]) -> Output;
    /// `pgsnap dump ARGS DB`, asserting success; returns stdout.
    fn pgsnap_dump(&self, db: &str, args: &[&str]) -> Vec<u8>;
    /// Per-table data checksums and sequence states.
    fn data_fingerprint(&self, db: &str) -> String;
}

impl ClusterExt for Cluster {
    /// Runs pgsnap with the cluster's environment.
    fn pgsnap(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgsnap"));
        self.env(&mut cmd);
        cmd.args(args).stdin(Stdio::null());
        cmd.output().expect("run pgsnap")
    }

    /// `pgsnap dump ARGS DB`, asserting success; returns stdout.
    fn pgsnap_dump(&self, db: &str, args: &[&str]) -> Vec<u8> {
        let mut all = vec!["dump"];
        all.extend_from_slice(args);
        all.push(db);
        let out = self.pgsnap(&all);
        assert!(
            out.status.success(),
            "pgsnap {all:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Per-table data checksums and sequence states of a database, for round-trip comparison.
    fn data_fingerprint(&self, db: &str) -> String {
        let sql = "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                   WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' \
                   ORDER BY 1";
        // Names may hold newlines: separate records with NUL bytes.
        let tables = self
            .psql(db, &["-At", "-0", "-c", sql])
            .expect("list tables");
        let mut out = String::new();
        for q in tables.split('\0').filter(|t| !t.trim().is_empty()) {
            let sum = self
                .psql(db, &["-At", "-c", &format!("SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, E'\\n' ORDER BY x::text)), '') FROM {q} x")])
                .expect("checksum");
            out.push_str(&format!("{q} {sum}"));
        }
        let seqs = self
            .psql(db, &["-At", "-c", "SELECT schemaname || '.' || sequencename || ' ' || coalesce(last_value::text, 'null') FROM pg_sequences ORDER BY 1"])
            .expect("sequences");
        out.push_str(&seqs);
        out
    }
}

/// Replaces the one line that legitimately differs (`-- Dumped by ...`).
pub fn normalize(dump: &[u8]) -> String {
    let text = String::from_utf8_lossy(dump);
    text.lines()
        .map(|l| {
            if l.starts_with("-- Dumped by ") {
                "-- Dumped by <program>"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts two dumps are identical after normalisation, showing the first differing lines.
pub fn assert_same_dump(expected: &[u8], actual: &[u8], what: &str) {
    if let Some(diff) = dump_difference(expected, actual, what) {
        panic!("{diff}");
    }
}

/// Asserts `target` holds what `source` does: the same `pg_dump -s` and the same data.
pub fn assert_same_database(c: &Cluster, source: &str, target: &str, what: &str) {
    let key = "--restrict-key=SAME";
    assert_same_dump(
        &c.pg_dump(source, &["-s", key]),
        &c.pg_dump(target, &["-s", key]),
        &format!("{what}: schema"),
    );
    assert_eq!(
        c.data_fingerprint(source),
        c.data_fingerprint(target),
        "{what}: data"
    );
}

/// The fixtures directory.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Where skipped parts of tests are counted, one line each, for the summary line of
/// `scripts/test.sh`.
pub fn skip_log() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("skipped.txt")
}

/// Records that part of a test did not run, and why.
pub fn skipped(why: &str) {
    use std::io::Write;
    eprintln!("SKIP: {why}");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(skip_log())
    {
        // One write per line: tests run in parallel threads, and an appended line written in
        // pieces could interleave with another's.
        let _ = f.write_all(format!("{why}\n").as_bytes());
    }
}

/// `../shared/pgcorpus`, if present. In CI (`CI` set) the corpus is always there, so its
/// absence fails the test; elsewhere the part that needs it is counted as skipped.
pub fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/pgcorpus");
    if p.is_dir() {
        return Some(p);
    }
    let why = "../shared/pgcorpus is missing; corpus tests need it beside the checkout";
    if std::env::var_os("CI").is_some() {
        panic!("{why} (CI always has it)");
    }
    skipped(why);
    None
}

/// Where `actual` first differs from pg_dump's `expected` (after normalisation), with the
/// lines around it; `None` when identical.
pub fn dump_difference(expected: &[u8], actual: &[u8], what: &str) -> Option<String> {
    let (e, a) = (normalize(expected), normalize(actual));
    if e == a {
        return None;
    }
    let el: Vec<&str> = e.lines().collect();
    let al: Vec<&str> = a.lines().collect();
    let first = el
        .iter()
        .zip(&al)
        .position(|(x, y)| x != y)
        .unwrap_or(el.len().min(al.len()));
    let from = first.saturating_sub(3);
    let show = |v: &[&str]| v[from.min(v.len())..(first + 8).min(v.len())].join("\n");
    Some(format!(
        "{what}: output differs from pg_dump at line {}\n--- pg_dump ---\n{}\n--- pgsnap ---\n{}\n",
        first + 1,
        show(&el),
        show(&al)
    ))
}

/// A database loaded with the Nautobot-style fixture.
pub fn fixture_db(cluster: &Cluster) -> String {
    let db = cluster.fresh_db("fixture");
    cluster.load(&db, &fixtures().join("schemas/01-nautobot.sql"));
    db
}

/// A database loaded with pagila (None when the corpus is missing).
pub fn pagila_db(cluster: &Cluster) -> Option<String> {
    let corpus = corpus()?;
    let db = cluster.fresh_db("pagila");
    cluster.load(&db, &corpus.join("pagila/pagila-schema.sql"));
    cluster.load(&db, &corpus.join("pagila/pagila-data.sql"));
    cluster
        .psql(
            &db,
            &["-c", "REFRESH MATERIALIZED VIEW public.rental_by_category"],
        )
        .expect("refresh");
    Some(db)
}

/// A database loaded with the NetBox demo (None when the corpus is missing).
pub fn netbox_db(cluster: &Cluster) -> Option<String> {
    let corpus = corpus()?;
    let _ = cluster.psql("postgres", &["-c", "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='netbox') THEN CREATE ROLE netbox LOGIN; END IF; END$$"]);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let db = format!("netbox_{}_{n}", std::process::id());
    cluster
        .psql(
            "postgres",
            &[
                "-c",
                &format!(
                    "CREATE DATABASE \"{db}\" OWNER netbox TEMPLATE template0 ENCODING 'UTF8'"
                ),
            ],
        )
        .expect("create netbox db");
    cluster.load(&db, &corpus.join("netbox/netbox-demo-v4.2.sql"));
    Some(db)
}

/// A database loaded with the PostgreSQL 15 regression database (None when the corpus is missing):
/// on 16 to 18 from the copy that major's pg_dump wrote, with lz4 compression turned to pglz
/// where the server has no lz4. On 13 and 14, which it does not load into (it uses 15's
/// syntax), counted as skipped.
pub fn regression_db(cluster: &Cluster) -> Option<String> {
    let corpus = corpus()?;
    let file = match cluster.major() {
        15 => "regress/regression-pg15.sql.gz".to_string(),
        m @ 16..=18 => format!("regress/regression-pg15.by-pg_dump{m}.sql.gz"),
        m => {
            skipped(&format!(
                "the regression database is PostgreSQL 15's and does not load into {m}"
            ));
            return None;
        }
    };
    let lz4 = cluster
        .psql(
            "postgres",
            &["-At", "-c", "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"],
        )
        .expect("read toast compressions");
    let no_lz4 = if lz4.trim() == "t" {
        ""
    } else {
        " | sed 's/SET COMPRESSION lz4;/SET COMPRESSION pglz;/'"
    };
    let db = cluster.fresh_db("regression");
    let mut cmd = Command::new("sh");
    cluster.env(&mut cmd);
    let script = format!(
        "gzip -dc '{}'{no_lz4} | '{}' -X -q -v ON_ERROR_STOP=1 -d '{db}' >/dev/null",
        corpus.join(file).display(),
        cluster.client("psql").display()
    );
    let out = cmd
        .args(["-c", &script])
        .output()
        .expect("load regression database");
    assert!(
        out.status.success(),
        "loading the regression database failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(db)
}

/// The test security label provider (`fixtures/label_provider`), built once with the C
/// compiler against the server's headers; LOAD it by this absolute path. Panics with what to
/// install when the headers are missing; on 13, whose headers no package registry carries
/// (its client programs are 14's), the labels are counted as skipped and `None` returned.
pub fn label_provider(cluster: &Cluster) -> Option<PathBuf> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let major = cluster.major();
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let candidates = [
            // A relocated build (scripts/ensure-pg-majors.sh) carries its headers.
            cluster.clientdir.join("../include/server"),
            PathBuf::from(format!("/usr/include/postgresql/{major}/server")),
            manifest.join(format!(
                "target/pg-server-dev/usr/include/postgresql/{major}/server"
            )),
        ];
        let own_major = |d: &PathBuf| {
            std::fs::read_to_string(d.join("pg_config.h"))
                .is_ok_and(|h| h.contains(&format!("#define PG_MAJORVERSION \"{major}\"")))
        };
        let Some(include) = candidates
            .iter()
            .find(|d| d.join("postgres.h").is_file() && own_major(d))
        else {
            return Err(format!(
                "the PostgreSQL {major} server headers are needed to build the test label provider: \
                 run `bash scripts/ensure-postgres.sh` (it unpacks postgresql-server-dev-{major} under target/) \
                 or `apt-get install postgresql-server-dev-{major}`"
            ));
        };
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("pgsnap_labels_{major}.so"));
        let status = Command::new("cc")
            .args(["-shared", "-fPIC", "-O2", "-I"])
            .arg(include)
            .arg("-o")
            .arg(&out)
            .arg(manifest.join("fixtures/label_provider/pgsnap_labels.c"))
            .status()
            .map_err(|e| format!("cannot run cc: {e}"))?;
        if !status.success() {
            return Err("building the test label provider failed".into());
        }
        Ok(out)
    });
    match built {
        Ok(p) => Some(p.clone()),
        Err(_) if cluster.major() == 13 => {
            skipped(
                "security labels on PostgreSQL 13: no package registry here carries its server \
                 headers (its client programs are 14's), so the test label provider cannot be built",
            );
            None
        }
        Err(e) => panic!("{e}"),
    }
}

/// A psql session kept open in the background (to hold a lock or queue a request), fed
/// statements on its standard input; ended when dropped.
pub struct Session {
    child: std::process::Child,
}

impl Session {
    /// Starts psql on `db` and sends it `sql` (the session stays open for more).
    pub fn open(c: &Cluster, db: &str, sql: &str) -> Session {
        let mut cmd = Command::new(c.client("psql"));
        c.env(&mut cmd);
        cmd.args(["-X", "-q", "-d", db])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let child = cmd.spawn().expect("start psql");
        let mut s = Session { child };
        s.send(sql);
        s
    }

    /// Sends more statements.
    pub fn send(&mut self, sql: &str) {
        use std::io::Write;
        if let Some(stdin) = self.child.stdin.as_mut() {
            stdin
                .write_all(format!("{sql}\n").as_bytes())
                .expect("write to psql");
            stdin.flush().expect("flush psql");
        }
    }

    /// Closes the session's input and waits for it; returns what psql printed on stderr.
    pub fn finish(mut self) -> String {
        use std::io::Read;
        drop(self.child.stdin.take());
        let _ = self.child.wait();
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        err
    }

    /// Whether the psql process is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `query` (one boolean) on `db` until it is true, at most `secs` seconds.
pub fn wait_until(c: &Cluster, db: &str, query: &str, secs: u64) -> bool {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < until {
        if c.psql(db, &["-At", "-c", query])
            .is_ok_and(|s| s.trim() == "t")
        {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    false
}
