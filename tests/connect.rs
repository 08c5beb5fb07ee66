//! The libpq-compatible connection layer against a cluster with TLS and scram-sha-256 over TCP.

mod common;

use common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

/// Runs pgsnap with a clean environment: only what the test sets.
fn run(home: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgsnap"));
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("USER", "tester");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(args).stdin(std::process::Stdio::null());
    cmd.output().unwrap()
}

fn ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn fail(out: &Output, what: &str, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{what} should fail to connect: {err}"
    );
    assert!(
        err.contains(needle),
        "{what}: expected {needle:?} in: {err}"
    );
    assert!(!err.contains("p@ss:word"), "{what}: password leaked: {err}");
}

struct Env {
    c: &'static Cluster,
    db: String,
    home: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let c = tls_cluster();
        let db = c.fresh_db("tls");
        c.psql(&db, &["-c", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 1000) g; CREATE TABLE u (x int); INSERT INTO u VALUES (1);"]).unwrap();
        Env {
            c,
            db,
            home: tempfile::tempdir().unwrap(),
        }
    }
    fn port(&self) -> String {
        self.c.port.to_string()
    }
    fn ca(&self) -> String {
        self.c
            .socket_dir
            .join("ca.crt")
            .to_string_lossy()
            .into_owned()
    }
    fn conninfo(&self, extra: &str) -> String {
        format!(
            "host=localhost port={} dbname={} user=tlsuser {extra}",
            self.port(),
            self.db
        )
    }
}

#[test]
fn passwords_from_pgpass_env_service_and_uri() {
    let e = Env::new();
    let home = e.home.path();
    // .pgpass (0600).
    let pgpass = home.join(".pgpass");
    std::fs::write(
        &pgpass,
        format!("localhost:{}:*:tlsuser:p@ss\\:word\n", e.port()),
    )
    .unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    ok(
        &run(
            home,
            &[],
            &["dump", "-s", "-w", "-d", &e.conninfo("sslmode=require")],
        ),
        ".pgpass",
    );
    // A 0644 .pgpass is warned about and ignored.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(
        home,
        &[],
        &["dump", "-s", "-w", "-d", &e.conninfo("sslmode=require")],
    );
    fail(&out, "world-readable .pgpass", "no password supplied");
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("has group or world access; permissions should be u=rw (0600) or less"));
    std::fs::remove_file(&pgpass).unwrap();
    // PGPASSWORD.
    ok(
        &run(
            home,
            &[("PGPASSWORD", "p@ss:word")],
            &["dump", "-s", "-w", "-d", &e.conninfo("")],
        ),
        "PGPASSWORD",
    );
    // A service file.
    let svc = home.join("services.conf");
    std::fs::write(&svc, format!("[app]\nhost=localhost\nport={}\ndbname={}\nuser=tlsuser\npassword=p@ss:word\nsslmode=require\n", e.port(), e.db)).unwrap();
    ok(
        &run(
            home,
            &[("PGSERVICEFILE", svc.to_str().unwrap())],
            &["dump", "-s", "-w", "-d", "service=app"],
        ),
        "service file",
    );
    ok(
        &run(
            home,
            &[
                ("PGSERVICEFILE", svc.to_str().unwrap()),
                ("PGSERVICE", "app"),
            ],
            &["dump", "-s", "-w"],
        ),
        "PGSERVICE",
    );
    // A URI with a percent-encoded password.
    let uri = format!(
        "postgresql://tlsuser:p%40ss%3Aword@localhost:{}/{}?sslmode=require",
        e.port(),
        e.db
    );
    ok(&run(home, &[], &["dump", "-s", "-w", "-d", &uri]), "URI");
    // -w with no password anywhere fails fast with libpq's words.
    fail(
        &run(home, &[], &["dump", "-s", "-w", "-d", &e.conninfo("")]),
        "-w without password",
        "fe_sendauth: no password supplied",
    );
    // A wrong password names the server and the reason.
    let out = run(
        home,
        &[("PGPASSWORD", "wrong")],
        &["dump", "-s", "-w", "-d", &e.conninfo("")],
    );
    fail(
        &out,
        "wrong password",
        "password authentication failed for user \"tlsuser\"",
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!(
        "connection to server at \"localhost\", port {} failed",
        e.port()
    )));
}

#[test]
fn md5_passwords_are_answered_as_libpq_answers_them() {
    let e = Env::new();
    let conninfo = format!(
        "host=127.0.0.1 port={} dbname={} user=md5user sslmode=disable",
        e.port(),
        e.db
    );
    ok(
        &run(
            e.home.path(),
            &[("PGPASSWORD", "old-style")],
            &["dump", "-s", "-w", "-j", "2", "-d", &conninfo],
        ),
        "md5",
    );
    fail(
        &run(
            e.home.path(),
            &[("PGPASSWORD", "wrong")],
            &["dump", "-s", "-w", "-d", &conninfo],
        ),
        "md5, wrong password",
        "password authentication failed for user \"md5user\"",
    );
}

#[test]
fn tls_modes_and_channel_binding() {
    let e = Env::new();
    let home = e.home.path();
    let pw = [("PGPASSWORD", "p@ss:word")];
    ok(
        &run(
            home,
            &pw,
            &["dump", "-s", "-d", &e.conninfo("sslmode=require")],
        ),
        "require with a self-signed chain",
    );
    ok(
        &run(
            home,
            &pw,
            &[
                "dump",
                "-s",
                "-d",
                &e.conninfo(&format!("sslmode=verify-full sslrootcert={}", e.ca())),
            ],
        ),
        "verify-full",
    );
    let wrong_name = format!(
        "host=127.0.0.1 port={} dbname={} user=tlsuser sslmode=verify-full sslrootcert={}",
        e.port(),
        e.db,
        e.ca()
    );
    fail(
        &run(home, &pw, &["dump", "-s", "-d", &wrong_name]),
        "verify-full, wrong host name",
        "certificate",
    );
    let by_ip = format!(
        "host=127.0.0.1 port={} dbname={} user=tlsuser sslmode=verify-ca sslrootcert={}",
        e.port(),
        e.db,
        e.ca()
    );
    ok(
        &run(home, &pw, &["dump", "-s", "-d", &by_ip]),
        "verify-ca with the right root",
    );
    // verify-ca against an unrelated root fails.
    let other = home.join("other.crt");
    std::fs::copy(e.c.socket_dir.join("server.crt"), &other).unwrap();
    let bad_root = format!(
        "host=127.0.0.1 port={} dbname={} user=tlsuser sslmode=verify-ca sslrootcert={}",
        e.port(),
        e.db,
        other.display()
    );
    fail(
        &run(home, &pw, &["dump", "-s", "-d", &bad_root]),
        "verify-ca, wrong root",
        "certificate",
    );
    // Channel binding: SCRAM-SHA-256-PLUS over TLS works; required over plain TCP it must fail.
    ok(
        &run(
            home,
            &pw,
            &[
                "dump",
                "-s",
                "-d",
                &e.conninfo("sslmode=require channel_binding=require"),
            ],
        ),
        "channel binding over TLS",
    );
    fail(
        &run(
            home,
            &pw,
            &[
                "dump",
                "-s",
                "-d",
                &e.conninfo("sslmode=disable channel_binding=require"),
            ],
        ),
        "channel binding without TLS",
        "failed",
    );
    // Options pgsnap cannot honour are refused (exit 1), not ignored.
    let out = run(
        home,
        &pw,
        &["dump", "-s", "-d", &e.conninfo("gssencmode=require")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "gssencmode: {err}");
    assert!(err.contains("GSSAPI"), "gssencmode: {err}");
    // Several hosts are tried in order.
    let multi = format!(
        "host=/nonexistent,localhost port=1,{} dbname={} user=tlsuser sslmode=require",
        e.port(),
        e.db
    );
    ok(
        &run(home, &pw, &["dump", "-s", "-d", &multi]),
        "second host",
    );
}

#[test]
fn dump_over_tls_with_workers_matches_pg_dump() {
    let e = Env::new();
    let home = e.home.path();
    let pw = [("PGPASSWORD", "p@ss:word")];
    let out = run(
        home,
        &pw,
        &[
            "dump",
            "-j",
            "2",
            "--restrict-key=K",
            "-d",
            &e.conninfo(&format!("sslmode=verify-full sslrootcert={}", e.ca())),
        ],
    );
    ok(&out, "dump over TLS");
    let expected = e.c.pg_dump(&e.db, &["--restrict-key=K"]);
    assert_same_dump(&expected, &out.stdout, "dump over TLS");
}

#[test]
fn dump_over_plain_tcp_with_workers_matches_pg_dump() {
    // Workers on a non-TLS connection read COPY straight off their own socket; over TCP with a
    // SCRAM password, split into ctid chunks, and with pipelined small tables.
    let e = Env::new();
    e.c.psql(&e.db, &["-c", "ANALYZE"]).unwrap();
    let home = e.home.path();
    let pw = [("PGPASSWORD", "p@ss:word")];
    let expected = e.c.pg_dump(&e.db, &["--restrict-key=K"]);
    // allow: workers start in the clear; prefer: they ask, this server says yes, and they
    // connect over TLS instead.
    for (jobs, sslmode) in [
        ("2", "disable"),
        ("3", "disable"),
        ("2", "allow"),
        ("2", "prefer"),
    ] {
        let out = run(
            home,
            &pw,
            &[
                "dump",
                "-j",
                jobs,
                "--chunk-pages",
                "1",
                "--restrict-key=K",
                "-d",
                &e.conninfo(&format!("host=127.0.0.1 sslmode={sslmode}")),
            ],
        );
        let what = format!("dump over TCP, sslmode={sslmode}, -j {jobs}");
        ok(&out, &what);
        assert_same_dump(&expected, &out.stdout, &what);
    }
}

#[test]
fn self_signed_server_certificate_as_its_own_root_is_trusted_as_by_libpq() {
    // A private cluster: its certificate is replaced by one made as PostgreSQL's documentation
    // shows (`openssl req -new -x509`, a CA certificate), copied to the client as its root.
    let c = pgsnap::bench::cluster::start(true).expect("start a TLS cluster");
    let dir = &c.socket_dir;
    let out = Command::new("openssl")
        .args([
            "req",
            "-new",
            "-x509",
            "-days",
            "2",
            "-nodes",
            "-text",
            "-out",
            "self.crt",
            "-keyout",
            "self.key",
            "-subj",
            "/CN=localhost",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::set_permissions(dir.join("self.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    if pgsnap::bench::cluster::is_root() {
        let st = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(dir.join("self.key"))
            .arg(dir.join("self.crt"))
            .status()
            .unwrap();
        assert!(st.success());
    }
    // The server reads its certificate files again on reload.
    let keep = tempfile::tempdir().unwrap();
    let keep_ca = keep.path().join("ca.crt");
    std::fs::copy(dir.join("ca.crt"), &keep_ca).unwrap();
    std::fs::copy(dir.join("self.crt"), dir.join("server.crt")).unwrap();
    std::fs::copy(dir.join("self.key"), dir.join("server.key")).unwrap();
    c.psql("postgres", &["-c", "SELECT pg_reload_conf()"])
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let home = tempfile::tempdir().unwrap();
    let root = home.path().join("root.crt");
    std::fs::copy(dir.join("self.crt"), &root).unwrap();
    let other_root = home.path().join("other.crt");
    std::fs::copy(&keep_ca, &other_root).unwrap();
    let pw = [("PGPASSWORD", "p@ss:word")];
    let cases = [
        ("localhost", "verify-full", &root, true),
        ("localhost", "verify-ca", &root, true),
        ("127.0.0.1", "verify-ca", &root, true),
        ("127.0.0.1", "verify-full", &root, false),
        ("localhost", "verify-full", &other_root, false),
        ("localhost", "verify-ca", &other_root, false),
        ("localhost", "require", &root, true),
    ];
    for (host, mode, rootfile, accepted) in cases {
        let conninfo = format!(
            "host={host} port={} dbname=postgres user=tlsuser sslmode={mode} sslrootcert={}",
            c.port,
            rootfile.display()
        );
        let ours = run(home.path(), &pw, &["dump", "-s", "-d", &conninfo]);
        let mut psql = Command::new(c.client("psql"));
        psql.env_clear()
            .env("HOME", home.path())
            .env("PGPASSWORD", "p@ss:word")
            .args(["-X", "-At", "-d", &conninfo, "-c", "SELECT 1"]);
        let theirs = psql.output().unwrap();
        let what = format!("{host} {mode} {}", rootfile.display());
        assert_eq!(
            theirs.status.success(),
            accepted,
            "{what}: psql: {}",
            String::from_utf8_lossy(&theirs.stderr)
        );
        assert_eq!(
            ours.status.success(),
            accepted,
            "{what}: pgsnap: {}",
            String::from_utf8_lossy(&ours.stderr)
        );
    }
}

/// pgsnap's and psql's error output for the same connection string, each without its
/// program's prefix.
fn both_fail(c: &Cluster, conninfo: &str, env: &[(&str, &str)]) -> (String, String) {
    let home = tempfile::tempdir().unwrap();
    let ours = run(home.path(), env, &["dump", "-s", "-w", "-d", conninfo]);
    let mut psql = Command::new(c.client("psql"));
    psql.env_clear()
        .env("HOME", home.path())
        .env("PATH", "/usr/bin:/bin");
    for (k, v) in env {
        psql.env(k, v);
    }
    let theirs = psql
        .args(["-X", "-w", "-d", conninfo, "-c", "SELECT 1"])
        .output()
        .unwrap();
    // A connection that could not be made exits 2, as psql's.
    assert_eq!(
        ours.status.code(),
        Some(2),
        "pgsnap should fail for {conninfo}"
    );
    assert_eq!(
        theirs.status.code(),
        Some(2),
        "psql should fail for {conninfo}"
    );
    let strip = |out: &Output, prefix: &str| {
        String::from_utf8_lossy(&out.stderr)
            .trim_end()
            .strip_prefix(prefix)
            .unwrap_or_default()
            .to_string()
    };
    (
        strip(&ours, "pgsnap: error: "),
        strip(&theirs, "psql: error: "),
    )
}

#[test]
fn connection_failures_are_worded_as_libpqs() {
    let c = cluster();
    let db = c.fresh_db("messages");
    // A port that accepts connections but never answers, for the timeout.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let socket_dir = c.socket_dir.to_string_lossy().into_owned();
    let cases: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("host=/nonexistent-socket-dir dbname=x".into(), vec![]),
        ("host=127.0.0.1 port=1 dbname=x".into(), vec![]),
        ("host=no.such.host.invalid dbname=x".into(), vec![]),
        (
            format!("host=127.0.0.1 port={silent_port} dbname=x connect_timeout=1 sslmode=disable"),
            vec![],
        ),
        (
            format!(
                "host={socket_dir} port={} dbname={db} user=pgsnap_pw",
                c.port
            ),
            vec![("PGPASSWORD", "wrong")],
        ),
        (
            format!(
                "host={socket_dir} port={} dbname={db} user=pgsnap_pw",
                c.port
            ),
            vec![],
        ),
        (
            format!(
                "host={socket_dir} port={} dbname=no_such_db_here user=postgres",
                c.port
            ),
            vec![],
        ),
    ];
    for (conninfo, env) in &cases {
        let (ours, theirs) = both_fail(c, conninfo, env);
        assert_eq!(ours, theirs, "{conninfo}");
    }
    drop(silent);
}
