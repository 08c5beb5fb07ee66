//! Faults a dump must survive or fail cleanly under: concurrent DDL, held locks, connection
//! limits. Each finishes within seconds; none may hang.

mod common;

use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "--restrict-key=FAULT";

/// A fresh database holding one table `big` of `rows` rows of about 200 bytes each.
fn db_with_big_table(c: &Cluster, prefix: &str, rows: u32) -> String {
    let db = c.fresh_db(prefix);
    c.psql(
        &db,
        &[
            "-c",
            &format!(
                "CREATE TABLE big (id int, pad text); \
                 INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, {rows}) g"
            ),
        ],
    )
    .unwrap();
    db
}

/// Runs pgsnap in the background; the result once it exits, or a failure after `secs`.
fn pgsnap_within(c: &Cluster, args: &[&str], secs: u64) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgsnap"));
    c.env(&mut cmd);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start pgsnap");
    // Read the output on threads so that a big dump never blocks on a full pipe.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let reading_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).map(|_| v)
    });
    let reading_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).map(|_| v)
    });
    let until = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for pgsnap") {
            break status;
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pgsnap {args:?} still running after {secs} s: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: reading_out.join().expect("stdout thread").expect("stdout"),
        stderr: reading_err.join().expect("stderr thread").expect("stderr"),
    }
}

#[test]
fn concurrent_drop_neither_hangs_nor_fails_the_dump() {
    // The leader locks every table first; a DROP then queues behind it, and a worker asking for
    // the same table's lock would queue behind the DROP while the leader waits for the worker.
    let c = cluster();
    let db = c.fresh_db("drop_race");
    c.psql(
        &db,
        &[
            "-c",
            "CREATE TABLE big (id int, pad text); \
             INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 500000) g; \
             CREATE TABLE victim (id int PRIMARY KEY, name text); \
             INSERT INTO victim SELECT g, 'v' || g FROM generate_series(1, 100) g; \
             ANALYZE",
        ],
    )
    .expect("create tables");
    let expected = c.pg_dump(&db, &[KEY]);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgsnap"));
    c.env(&mut cmd);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.sql");
    // One worker: it copies `big` (largest first) while the DROP queues, then reaches `victim`.
    cmd.args(["dump", "-v", "-j", "1", KEY, "-f"])
        .arg(&file)
        .arg(&db)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut dump = cmd.spawn().expect("start pgsnap");
    let leader_locked = format!(
        "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.relation = 'victim'::regclass AND l.granted AND a.datname = '{db}' \
         AND a.pid <> pg_backend_pid() AND a.application_name = 'pgsnap')"
    );
    assert!(
        wait_until(c, &db, &leader_locked, 30),
        "the dump never locked victim"
    );
    let drop = Session::open(c, &db, "DROP TABLE victim;");
    let until = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = dump.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > until {
            let _ = dump.kill();
            panic!("the dump hangs behind the queued DROP");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut e) = dump.stderr.take() {
        std::io::Read::read_to_string(&mut e, &mut stderr).unwrap();
    }
    assert!(status.success(), "the dump failed: {stderr}");
    assert!(
        stderr.contains("public.victim: another session holds or waits for a conflicting lock"),
        "the worker should have handed victim to the leader: {stderr}"
    );
    assert_same_dump(
        &expected,
        &std::fs::read(&file).unwrap(),
        "dump under a concurrent DROP",
    );
    // The DROP went through once the dump ended.
    let err = drop.finish();
    assert!(err.is_empty(), "DROP failed: {err}");
    assert_eq!(
        c.psql(&db, &["-At", "-c", "SELECT to_regclass('victim') IS NULL"])
            .unwrap()
            .trim(),
        "t"
    );
}

#[test]
fn lock_wait_timeout_is_honoured() {
    let c = cluster();
    let db = c.fresh_db("lock_timeout");
    c.psql(
        &db,
        &[
            "-c",
            "CREATE TABLE actor (id int); INSERT INTO actor SELECT generate_series(1, 1000); \
             CREATE TABLE film (id int)",
        ],
    )
    .expect("create tables");
    let holder = Session::open(
        c,
        &db,
        "BEGIN; LOCK TABLE public.actor IN ACCESS EXCLUSIVE MODE;",
    );
    assert!(wait_until(
        c,
        &db,
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE relation = 'actor'::regclass AND mode = 'AccessExclusiveLock' AND granted)",
        10
    ));
    for args in [
        vec!["dump", "--lock-wait-timeout=1s", db.as_str()],
        vec!["dump", "--lock-wait-timeout=1000", "-j", "2", db.as_str()],
    ] {
        let started = Instant::now();
        let out = pgsnap_within(c, &args, 30);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains("canceling statement due to lock timeout"),
            "{args:?}: {stderr}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{args:?}: took {:?}",
            started.elapsed()
        );
    }
    drop(holder);
}

#[test]
fn jobs_are_capped_and_a_full_server_still_dumps() {
    let c = cluster();
    let db = fixture_db(c);
    let expected = c.pg_dump(&db, &[KEY]);
    let out = pgsnap_within(c, &["dump", "-v", "-j", "100000", KEY, &db], 60);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("-j 100000 capped at"), "{stderr}");
    assert_same_dump(&expected, &out.stdout, "-j 100000");
    // A database that takes one connection only (the leader's): no worker, no sequence reader;
    // the leader copies everything itself.
    let db = c.fresh_db("one_connection");
    c.psql(
        "postgres",
        &[
            "-c",
            "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgsnap_limited') \
             THEN CREATE ROLE pgsnap_limited LOGIN; END IF; END$$",
        ],
    )
    .unwrap();
    c.psql(
        &db,
        &[
            "-c",
            "CREATE TABLE a (id serial PRIMARY KEY, t text); \
             INSERT INTO a (t) SELECT 'row ' || g FROM generate_series(1, 5000) g; \
             CREATE TABLE b (x int); INSERT INTO b VALUES (1), (2); \
             ALTER TABLE a OWNER TO pgsnap_limited; ALTER TABLE b OWNER TO pgsnap_limited",
        ],
    )
    .unwrap();
    c.psql(
        "postgres",
        &["-c", &format!("ALTER DATABASE \"{db}\" CONNECTION LIMIT 1")],
    )
    .unwrap();
    let expected = c.pg_dump(&db, &[KEY, "-U", "pgsnap_limited"]);
    let out = pgsnap_within(
        c,
        &["dump", "-v", "-j", "4", KEY, "-U", "pgsnap_limited", &db],
        60,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("capped at 0"), "{stderr}");
    assert_same_dump(&expected, &out.stdout, "one connection only");
}

#[test]
fn output_file_dash_symlink_and_directory_behave_as_pg_dump() {
    let c = cluster();
    let db = c.fresh_db("file_opts");
    c.psql(
        &db,
        &[
            "-c",
            "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)",
        ],
    )
    .unwrap();
    let expected = c.pg_dump(&db, &[KEY]);
    let dir = tempfile::tempdir().unwrap();
    // -f - is standard output; no file named "-" appears.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgsnap"));
    c.env(&mut cmd);
    let out = cmd
        .current_dir(dir.path())
        .args(["dump", KEY, "-f", "-", &db])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_dump(&expected, &out.stdout, "-f -");
    assert!(!dir.path().join("-").exists(), "-f - wrote a file named -");
    // A symlink is written through: the link stays, its target gets the dump.
    std::fs::create_dir(dir.path().join("real")).unwrap();
    let link = dir.path().join("link.sql");
    std::os::unix::fs::symlink("real/out.sql", &link).unwrap();
    let out = c.pgsnap(&["dump", KEY, "-f", &link.to_string_lossy(), &db]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_same_dump(
        &expected,
        &std::fs::read(dir.path().join("real/out.sql")).unwrap(),
        "-f through a symlink",
    );
    let names = |d: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(dir.path()), ["link.sql", "real"]);
    assert_eq!(names(&dir.path().join("real")), ["out.sql"]);
    // A directory is refused before connecting (port 1 has no server).
    let started = Instant::now();
    let out = c.pgsnap(&[
        "dump",
        "-p",
        "1",
        "-h",
        "127.0.0.1",
        "-f",
        &dir.path().join("real").to_string_lossy(),
        &db,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("could not open output file") && stderr.contains("Is a directory"),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(names(&dir.path().join("real")), ["out.sql"]);
}

#[test]
fn a_terminated_backend_is_reported_with_the_servers_reason() {
    let c = cluster();
    let db = db_with_big_table(c, "terminated", 500000);
    let start = |jobs: &str, file: &std::path::Path| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgsnap"));
        c.env(&mut cmd);
        cmd.args(["dump", "-j", jobs, "--chunk-pages", "64", "-f"])
            .arg(file)
            .arg(&db)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        cmd.spawn().unwrap()
    };
    let finish = |mut dump: std::process::Child, what: &str| -> String {
        let until = Instant::now() + Duration::from_secs(30);
        while dump.try_wait().unwrap().is_none() {
            assert!(
                Instant::now() < until,
                "{what}: the dump hangs after its backend ended"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut err = String::new();
        std::io::Read::read_to_string(&mut dump.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(dump.wait().unwrap().code(), Some(3), "{what}: {err}");
        err
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.sql");
    // A backend waiting (here for a lock) is told why it ends, and so is pgsnap.
    let holder = Session::open(c, &db, "BEGIN; LOCK TABLE big IN ACCESS EXCLUSIVE MODE;");
    assert!(wait_until(
        c,
        &db,
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE relation = 'big'::regclass AND granted AND mode = 'AccessExclusiveLock')",
        10
    ));
    let dump = start("2", &file);
    let waiting = format!(
        "SELECT count(pg_terminate_backend(pid)) > 0 FROM pg_stat_activity \
         WHERE datname = '{db}' AND wait_event_type = 'Lock' AND application_name = 'pgsnap'"
    );
    assert!(
        wait_until(c, &db, &waiting, 30),
        "the dump never waited for its lock"
    );
    let err = finish(dump, "terminated while waiting");
    assert!(
        err.contains("terminating connection due to administrator command"),
        "{err}"
    );
    drop(holder);
    assert!(!file.exists());
    // Mid-COPY, the server says why when it can (not while it is in the middle of sending a
    // message: then, as libpq, pgsnap can only say the connection closed).
    for jobs in ["1", "2"] {
        let dump = start(jobs, &file);
        let copying = format!(
            "SELECT count(pg_terminate_backend(pid)) > 0 FROM pg_stat_activity \
             WHERE datname = '{db}' AND query LIKE 'COPY%' AND pid <> pg_backend_pid()"
        );
        assert!(wait_until(c, &db, &copying, 30), "no COPY to terminate");
        let err = finish(dump, jobs);
        assert!(
            err.contains("terminating connection due to administrator command")
                || err.contains("server closed the connection unexpectedly"),
            "-j {jobs}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(!file.exists());
    }
}

#[test]
fn a_killed_dumps_temp_file_is_removed_by_the_next_run() {
    let c = cluster();
    let db = db_with_big_table(c, "killed", 300000);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.sql");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgsnap"));
    c.env(&mut cmd);
    let mut dump = cmd
        .args(["dump", "-f"])
        .arg(&file)
        .arg(&db)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(30);
    let temp_exists = || {
        std::fs::read_dir(dir.path()).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".out.sql.pgsnap-")
        })
    };
    while !temp_exists() {
        assert!(Instant::now() < until, "no temp file appeared");
        std::thread::sleep(Duration::from_millis(1));
    }
    let st = Command::new("kill")
        .args(["-KILL", &dump.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let _ = dump.wait();
    assert!(
        temp_exists(),
        "SIGKILL leaves the temp file (nothing can remove it then)"
    );
    let out = pgsnap_within(c, &["dump", "-f", &file.to_string_lossy(), &db], 60);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("left by an earlier run that did not finish"),
        "{stderr}"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["out.sql"]);
}

#[test]
fn a_full_output_device_fails_cleanly_naming_the_file() {
    assert!(
        pgsnap::bench::cluster::is_root(),
        "this test mounts a 1 MiB tmpfs to fill: run it as root (as CI does)"
    );
    let c = cluster();
    let db = db_with_big_table(c, "full_disk", 20000);
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().join("small");
    std::fs::create_dir(&mount).unwrap();
    let st = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&mount)
        .status()
        .unwrap();
    assert!(st.success(), "could not mount a tmpfs");
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(mount.clone());
    let file = mount.join("out.sql");
    for jobs in ["1", "3"] {
        let out = pgsnap_within(
            c,
            &["dump", "-j", jobs, "-f", &file.to_string_lossy(), &db],
            60,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{stderr}");
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "one error line: {stderr}"
        );
        assert!(
            stderr.contains(&format!("\"{}\"", file.display()))
                && stderr.contains("No space left on device"),
            "{stderr}"
        );
        let left: Vec<_> = std::fs::read_dir(&mount).unwrap().collect();
        assert!(left.is_empty(), "files left on the full device");
    }
    // A device that is always full, written in place.
    let out = pgsnap_within(c, &["dump", "-f", "/dev/full", &db], 60);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("/dev/full") && stderr.contains("No space left on device"),
        "{stderr}"
    );
}

/// Sums of the TPC-B tables that agree in any consistent copy of a pgbench database.
fn tpcb_balances(c: &Cluster, db: &str) -> String {
    c.psql(
        db,
        &[
            "-At",
            "-c",
            "SELECT (SELECT sum(abalance) FROM pgbench_accounts) || ' ' || \
                    (SELECT sum(bbalance) FROM pgbench_branches) || ' ' || \
                    (SELECT sum(tbalance) FROM pgbench_tellers) || ' ' || \
                    (SELECT coalesce(sum(delta), 0) FROM pgbench_history)",
        ],
    )
    .unwrap()
    .trim()
    .to_string()
}

#[test]
fn dumps_under_write_load_are_consistent() {
    let c = cluster();
    let db = c.fresh_db("pgbench");
    let pgbench = |args: &[&str]| {
        let mut cmd = Command::new(c.client("pgbench"));
        c.env(&mut cmd);
        cmd.args(args).arg(&db);
        cmd
    };
    let out = pgbench(&["-i", "-q", "-s", "2"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut load = pgbench(&["-c", "4", "-j", "2", "-T", "60", "-n"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    assert!(wait_until(
        c,
        &db,
        "SELECT count(*) > 100 FROM pgbench_history",
        30
    ));
    let dir = tempfile::tempdir().unwrap();
    for run in 1..=3 {
        let file = dir.path().join(format!("run{run}.sql"));
        let out = pgsnap_within(
            c,
            &[
                "dump",
                "-j",
                "4",
                "--chunk-pages",
                "256",
                "-f",
                &file.to_string_lossy(),
                &db,
            ],
            120,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let target = c.fresh_db("pgbench_copy");
        let out = pgsnap_within(
            c,
            &["restore", "-j", "4", "-d", &target, &file.to_string_lossy()],
            120,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sums = tpcb_balances(c, &target);
        let parts: Vec<&str> = sums.split(' ').collect();
        assert_eq!(parts.len(), 4, "{sums}");
        assert!(
            parts.iter().all(|p| *p == parts[0]),
            "run {run}: the copy's balances disagree: {sums}"
        );
        assert_ne!(parts[3], "0", "run {run}: no transaction was copied");
    }
    let _ = load.kill();
    drop(Stop(load));
}

#[test]
fn sigint_and_sigterm_stop_a_dump_and_leave_nothing() {
    let c = cluster();
    let db = db_with_big_table(c, "signals", 400000);
    for signal in ["-INT", "-TERM"] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out.sql");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgsnap"));
        c.env(&mut cmd);
        let mut dump = cmd
            .args(["dump", "-j", "2", "-f"])
            .arg(&file)
            .arg(&db)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let copying = format!(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = '{db}' \
             AND query LIKE 'COPY%' AND state = 'active')"
        );
        assert!(wait_until(c, &db, &copying, 30), "{signal}: no COPY seen");
        let st = Command::new("kill")
            .args([signal, &dump.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
        let until = Instant::now() + Duration::from_secs(30);
        while dump.try_wait().unwrap().is_none() {
            assert!(Instant::now() < until, "{signal}: the dump did not stop");
            std::thread::sleep(Duration::from_millis(10));
        }
        let mut err = String::new();
        std::io::Read::read_to_string(&mut dump.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(dump.wait().unwrap().code(), Some(1), "{signal}: {err}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{signal}: files left behind");
        // Its sessions end with it.
        assert!(
            wait_until(
                c,
                &db,
                &format!(
                    "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = '{db}' \
                     AND application_name = 'pgsnap')"
                ),
                10
            ),
            "{signal}: pgsnap's sessions are still there"
        );
    }
}
