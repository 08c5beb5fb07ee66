//! Test harness: a throwaway PostgreSQL cluster from the installed server binaries (unix socket
//! in a temp dir, run as `postgres` when we are root), one fresh database per test, and helpers
//! to run pgsnap, pg_dump and psql against it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// A running cluster.
pub struct Cluster {
    /// Directory holding the unix socket.
    pub socket_dir: PathBuf,
    /// Port (names the socket file).
    pub port: u16,
    /// Server binaries (also pg_dump and psql, the oracle).
    pub bindir: PathBuf,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static TLS_CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static COUNTER: AtomicUsize = AtomicUsize::new(0);

const INSTALL_HINT: &str = "PostgreSQL server binaries (initdb, pg_ctl) were not found under \
/usr/lib/postgresql/*/bin. Install them with `apt-get update && apt-get install -y postgresql` \
(or set PGSNAP_PG_BINDIR to a directory holding initdb, pg_ctl, pg_dump and psql).";

fn find_bindir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("PGSNAP_PG_BINDIR") {
        let p = PathBuf::from(dir);
        return p.join("initdb").exists().then_some(p);
    }
    // pgsnap dumps PostgreSQL 15; prefer it, then any other installed major.
    let preferred = PathBuf::from("/usr/lib/postgresql/15/bin");
    if preferred.join("initdb").exists() {
        return Some(preferred);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a server binary, as `postgres` when we are root (initdb refuses root).
fn run_as_server_user(bin: &Path, args: &[&str], root: bool) -> Result<Output, String> {
    let mut cmd = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not run {}: {e}", bin.display()))
}

fn start() -> Result<Cluster, String> {
    start_with(false)
}

/// Makes a CA and a server certificate for `localhost` (DNS name only) in `dir`.
fn make_certs(dir: &Path) -> Result<(), String> {
    let run = |args: &[&str]| -> Result<(), String> {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .map_err(|e| format!("openssl: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=pgsnap test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ])?;
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ])?;
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n").map_err(|e| e.to_string())?;
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ])?;
    Ok(())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(54329)
}

/// A second cluster listening on 127.0.0.1 with TLS and scram-sha-256 (and the unix socket,
/// trusted, for setup).
pub fn tls_cluster() -> &'static Cluster {
    match TLS_CLUSTER.get_or_init(|| start_with(true)) {
        Ok(c) => c,
        Err(e) => panic!("cannot start a PostgreSQL TLS test cluster: {e}"),
    }
}

fn start_with(tls: bool) -> Result<Cluster, String> {
    let bindir = find_bindir().ok_or_else(|| INSTALL_HINT.to_string())?;
    let root = is_root();
    let base = tempfile::Builder::new()
        .prefix("pgsnap-test-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    if root {
        let st = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&base)
            .status()
            .map_err(|e| e.to_string())?;
        if !st.success() {
            return Err("could not chown the test cluster directory to postgres".into());
        }
    }
    let data = base.join("data");
    let data_s = data.to_string_lossy().to_string();
    let out = run_as_server_user(
        &bindir.join("initdb"),
        &[
            "-D",
            &data_s,
            "-U",
            "postgres",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "-A",
            "trust",
            "--no-sync",
        ],
        root,
    )?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // Password authentication for one role, so that wrong-password handling can be tested.
    let hba = if tls {
        "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n"
    } else {
        "local all pgsnap_pw scram-sha-256\nlocal all all trust\n"
    };
    std::fs::write(data.join("pg_hba.conf"), hba).map_err(|e| e.to_string())?;
    let (port, listen) = if tls {
        make_certs(&base)?;
        if root {
            let _ = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&base)
                .status();
        }
        let _ = Command::new("chmod")
            .arg("600")
            .arg(base.join("server.key"))
            .status();
        (free_port(), format!(
            "-c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file={b}/server.crt -c ssl_key_file={b}/server.key",
            b = base.display()
        ))
    } else {
        (5432u16, "-c listen_addresses=''".to_string())
    };
    let opts = format!(
        "-k {} -p {port} {listen} -c fsync=off -c max_connections=60 -c shared_buffers=128MB -c max_locks_per_transaction=256",
        base.display()
    );
    let log = base.join("log").to_string_lossy().to_string();
    let out = run_as_server_user(
        &bindir.join("pg_ctl"),
        &["-D", &data_s, "-o", &opts, "-l", &log, "-w", "start"],
        root,
    )?;
    if !out.status.success() {
        let log_text = std::fs::read_to_string(&log).unwrap_or_default();
        return Err(format!(
            "pg_ctl start failed: {}\n{log_text}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // Stop the cluster when this test process ends, even if it panics.
    let pg_ctl = bindir.join("pg_ctl");
    let stop = if root {
        format!(
            "runuser -u postgres -- {} -D {data_s} -m immediate stop",
            pg_ctl.display()
        )
    } else {
        format!("{} -D {data_s} -m immediate stop", pg_ctl.display())
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {base}",
        pid = std::process::id(),
        base = base.display()
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let cluster = Cluster {
        socket_dir: base,
        port,
        bindir,
    };
    // Roles are cluster-wide: create the fixtures' roles once, before tests run in parallel.
    cluster.psql(
        "postgres",
        &["-c", "CREATE ROLE pgsnap_pw LOGIN PASSWORD 'right-password'; CREATE ROLE pgsnap_app; CREATE ROLE pgsnap_ro; CREATE ROLE netbox LOGIN"],
    )?;
    if tls {
        cluster.psql(
            "postgres",
            &[
                "-c",
                "CREATE ROLE tlsuser LOGIN SUPERUSER PASSWORD 'p@ss:word'",
            ],
        )?;
    }
    Ok(cluster)
}

/// The shared cluster of this test process; panics with install instructions if none.
pub fn cluster() -> &'static Cluster {
    match CLUSTER.get_or_init(start) {
        Ok(c) => c,
        Err(e) => panic!("cannot start a PostgreSQL test cluster: {e}"),
    }
}

impl Cluster {
    /// Environment for client programs.
    pub fn env(&self, cmd: &mut Command) {
        cmd.env("PGHOST", &self.socket_dir)
            .env("PGPORT", self.port.to_string())
            .env("PGUSER", "postgres")
            .env_remove("PGDATABASE")
            .env_remove("PGPASSWORD")
            .env_remove("PGSERVICE")
            .env_remove("PGOPTIONS");
    }

    /// Runs psql with ON_ERROR_STOP; returns stdout or the error output.
    pub fn psql(&self, db: &str, args: &[&str]) -> Result<String, String> {
        let mut cmd = Command::new(self.bindir.join("psql"));
        self.env(&mut cmd);
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db])
            .args(args);
        let out = cmd.output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "psql {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Creates a new empty database (from template0) with a unique name.
    pub fn fresh_db(&self, prefix: &str) -> String {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("{prefix}_{}_{n}", std::process::id());
        self.psql(
            "postgres",
            &[
                "-c",
                &format!("CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"),
            ],
        )
        .expect("create database");
        name
    }

    /// Loads a SQL file into a database.
    pub fn load(&self, db: &str, file: &Path) {
        if let Err(e) = self.psql(db, &["-f", &file.to_string_lossy()]) {
            panic!("loading {} failed: {e}", file.display());
        }
    }

    /// Runs real pg_dump.
    pub fn pg_dump(&self, db: &str, args: &[&str]) -> Vec<u8> {
        let mut cmd = Command::new(self.bindir.join("pg_dump"));
        self.env(&mut cmd);
        cmd.args(args).arg(db);
        let out = cmd.output().expect("run pg_dump");
        assert!(
            out.status.success(),
            "pg_dump {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Runs pgsnap with the cluster's environment.
    pub fn pgsnap(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgsnap"));
        self.env(&mut cmd);
        cmd.args(args).stdin(Stdio::null());
        cmd.output().expect("run pgsnap")
    }

    /// `pgsnap dump ARGS DB`, asserting success; returns stdout.
    pub fn pgsnap_dump(&self, db: &str, args: &[&str]) -> Vec<u8> {
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
    pub fn data_fingerprint(&self, db: &str) -> String {
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
    let (e, a) = (normalize(expected), normalize(actual));
    if e == a {
        return;
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
    panic!(
        "{what}: output differs from pg_dump at line {}\n--- pg_dump ---\n{}\n--- pgsnap ---\n{}\n",
        first + 1,
        show(&el),
        show(&al)
    );
}

/// The fixtures directory.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// `../shared/pgcorpus`, if present.
pub fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/pgcorpus");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIP: ../shared/pgcorpus is missing; corpus tests need it beside the checkout");
        None
    }
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
