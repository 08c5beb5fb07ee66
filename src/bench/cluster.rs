//! A throwaway PostgreSQL cluster from the installed server binaries: `initdb` in a temp
//! dir, run as `postgres` when we are root, listening on a unix socket in that dir (and on
//! 127.0.0.1 with TLS when asked). Used by `pgsnap bench` and by the test suite.

use super::bench_error;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A running cluster.
pub struct Cluster {
    /// Directory holding the unix socket.
    pub socket_dir: PathBuf,
    /// Port (names the socket file).
    pub port: u16,
    /// Server binaries (initdb, pg_ctl, postgres).
    pub bindir: PathBuf,
    /// Client programs (pg_dump and psql, the oracle; pgbench): the server's directory, or
    /// `PGSNAP_PG_CLIENT_BINDIR` when the server comes from a package without them.
    pub clientdir: PathBuf,
    /// The server's `server_version_num`.
    pub version_num: u32,
}

/// What to tell a user whose machine lacks the server binaries.
pub const INSTALL_HINT: &str = "PostgreSQL server binaries (initdb, pg_ctl) were not found under \
/usr/lib/postgresql/*/bin. Install them with `apt-get update && apt-get install -y postgresql` \
(or set PGSNAP_PG_BINDIR to a directory holding initdb, pg_ctl, pg_dump and psql).";

/// The PostgreSQL server binaries to use (PGSNAP_PG_BINDIR, else 15, else the newest).
pub fn find_bindir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("PGSNAP_PG_BINDIR") {
        let p = PathBuf::from(dir);
        return p.join("initdb").exists().then_some(p);
    }
    // Debian 12's PostgreSQL is 15; prefer it, then any other installed major.
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

/// Whether this process runs as root.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The client programs' directory for servers from `bindir` (see [`Cluster::clientdir`]).
pub fn find_clientdir(bindir: &Path) -> PathBuf {
    match std::env::var_os("PGSNAP_PG_CLIENT_BINDIR") {
        Some(d) => PathBuf::from(d),
        None => bindir.to_path_buf(),
    }
}

/// The shared libraries a relocated server build carries beside its binaries (`../lib`), which
/// its programs need on `LD_LIBRARY_PATH`; none for a system install.
fn server_libdir(bindir: &Path) -> Option<PathBuf> {
    let lib = bindir.parent()?.join("lib");
    let relocated = !bindir.starts_with("/usr/");
    (relocated && lib.is_dir()).then_some(lib)
}

/// Runs a server binary, as `postgres` when we are root (initdb refuses root).
fn run_as_server_user(bin: &Path, args: &[&str], root: bool) -> Result<Output> {
    let mut cmd = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    if let Some(lib) = bin.parent().and_then(server_libdir) {
        cmd.env("LD_LIBRARY_PATH", lib);
    }
    cmd.args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| bench_error(format!("could not run {}: {e}", bin.display())))
}

/// Makes a CA and a server certificate for `localhost` (DNS name only) in `dir`.
fn make_certs(dir: &Path) -> Result<()> {
    let run = |args: &[&str]| -> Result<()> {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .map_err(|e| bench_error(format!("openssl: {e}")))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(bench_error(format!(
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            )))
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
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n").map_err(Error::from)?;
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

/// Starts a throwaway cluster: `initdb` in a temp dir, a unix socket there, and (with `tls`)
/// TCP on 127.0.0.1 with a CA-signed certificate for `localhost` and scram-sha-256. The cluster
/// is stopped and removed when this process exits.
pub fn start(tls: bool) -> Result<Cluster> {
    let bindir = find_bindir().ok_or_else(|| bench_error(INSTALL_HINT))?;
    let clientdir = find_clientdir(&bindir);
    start_with(&bindir, &clientdir, tls)
}

/// The server and client directories of PostgreSQL `major`: the system's
/// (/usr/lib/postgresql/N/bin), else those scripts/ensure-pg-majors.sh unpacks.
pub fn major_dirs(major: u32) -> Result<(PathBuf, PathBuf)> {
    let system = PathBuf::from(format!("/usr/lib/postgresql/{major}/bin"));
    if system.join("initdb").exists() {
        return Ok((system.clone(), system));
    }
    let unpacked = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/pg-majors");
    let unpacked = std::env::var_os("PGSNAP_PG_MAJORS_DIR")
        .map(PathBuf::from)
        .unwrap_or(unpacked)
        .join(major.to_string());
    let (server, client) = (unpacked.join("server/bin"), unpacked.join("client/bin"));
    if server.join("initdb").exists() && client.join("pg_dump").exists() {
        return Ok((server, client));
    }
    Err(bench_error(format!(
        "PostgreSQL {major} was not found under /usr/lib/postgresql/{major}/bin or {}: \
         run `PGSNAP_PG_MAJORS={major} bash scripts/ensure-pg-majors.sh`",
        unpacked.display()
    )))
}

/// Starts a throwaway cluster from the server binaries in `bindir`, with the client programs
/// of `clientdir` (see [`start`]).
pub fn start_with(bindir: &Path, clientdir: &Path, tls: bool) -> Result<Cluster> {
    let bindir = bindir.to_path_buf();
    let root = is_root();
    let base = tempfile::Builder::new()
        .prefix("pgsnap-test-")
        .tempdir()
        .map_err(Error::from)?
        .keep();
    if root {
        let st = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&base)
            .status()
            .map_err(Error::from)?;
        if !st.success() {
            return Err(bench_error(
                "could not chown the test cluster directory to postgres",
            ));
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
        return Err(bench_error(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    // Password authentication for one role, so that wrong-password handling can be tested;
    // over TCP, MD5 for one role (13's default, still taken up to 18) and SCRAM for the others.
    let hba = if tls {
        "local all all trust\nhost all md5user 127.0.0.1/32 md5\nhostssl all all 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n"
    } else {
        "local all pgsnap_pw scram-sha-256\nlocal all all trust\n"
    };
    std::fs::write(data.join("pg_hba.conf"), hba).map_err(Error::from)?;
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
        return Err(bench_error(format!(
            "pg_ctl start failed: {}\n{log_text}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    // Stop the cluster when this test process ends, even if it panics.
    let pg_ctl = bindir.join("pg_ctl");
    let libs = server_libdir(&bindir)
        .map(|l| format!("LD_LIBRARY_PATH={} ", l.display()))
        .unwrap_or_default();
    let stop = if root {
        format!(
            "runuser -u postgres -- env {libs}{} -D {data_s} -m immediate stop",
            pg_ctl.display()
        )
    } else {
        format!(
            "env {libs}{} -D {data_s} -m immediate stop",
            pg_ctl.display()
        )
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
        .map_err(Error::from)?;
    let mut cluster = Cluster {
        socket_dir: base,
        port,
        bindir,
        clientdir: clientdir.to_path_buf(),
        version_num: 0,
    };
    cluster.version_num = cluster
        .psql("postgres", &["-At", "-c", "SHOW server_version_num"])?
        .trim()
        .parse()
        .map_err(|e| bench_error(format!("reading the test server's version: {e}")))?;
    // Roles are cluster-wide: create the fixtures' roles once, before tests run in parallel.
    cluster.psql(
        "postgres",
        // SCRAM, as pg_hba asks for it (13 encrypts with md5 by default).
        &["-c", "SET password_encryption = 'scram-sha-256'; CREATE ROLE pgsnap_pw LOGIN PASSWORD 'right-password'; CREATE ROLE pgsnap_app; CREATE ROLE pgsnap_ro; CREATE ROLE netbox LOGIN"],
    )?;
    if tls {
        cluster.psql(
            "postgres",
            &[
                "-c",
                "SET password_encryption = 'scram-sha-256'; \
                 CREATE ROLE tlsuser LOGIN SUPERUSER PASSWORD 'p@ss:word'; \
                 SET password_encryption = 'md5'; \
                 CREATE ROLE md5user LOGIN SUPERUSER PASSWORD 'old-style'",
            ],
        )?;
    }
    Ok(cluster)
}

impl Cluster {
    /// A client program (psql, pg_dump, pgbench) of this cluster's major.
    pub fn client(&self, name: &str) -> PathBuf {
        self.clientdir.join(name)
    }

    /// The server's major (17 for 17.11).
    pub fn major(&self) -> u32 {
        self.version_num / 10000
    }

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
    pub fn psql(&self, db: &str, args: &[&str]) -> Result<String> {
        let mut cmd = Command::new(self.client("psql"));
        self.env(&mut cmd);
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db])
            .args(args);
        let out = cmd.output().map_err(Error::from)?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(bench_error(format!(
                "psql {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )))
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
        let mut cmd = Command::new(self.client("pg_dump"));
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
}
