//! `pgsnap dumpall` (the full form and `-g/-r/-t`) against real pg_dumpall on clusters of their
//! own (roles, tablespaces and databases are cluster-wide: the shared test cluster's other tests
//! would change them).

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Command;

const KEY: &str = "--restrict-key=CLUSTER";

/// A directory the server may use as a tablespace location (owned by it when we are root).
fn tablespace_dir(c: &Cluster, name: &str) -> PathBuf {
    let dir = c.socket_dir.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    if pgsnap::bench::cluster::is_root() {
        let st = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&dir)
            .status()
            .unwrap();
        assert!(st.success());
    }
    dir
}

fn pg_dumpall(c: &Cluster, args: &[&str]) -> Vec<u8> {
    let mut cmd = Command::new(c.client("pg_dumpall"));
    c.env(&mut cmd);
    let out = cmd.arg(KEY).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "pg_dumpall {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn pgsnap_dumpall(c: &Cluster, args: &[&str]) -> Vec<u8> {
    let mut all = vec!["dumpall", KEY];
    all.extend_from_slice(args);
    let out = c.pgsnap(&all);
    assert!(
        out.status.success(),
        "pgsnap dumpall {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Roles with every attribute, memberships with admin option and grantors, settings, comments,
/// security labels, parameter privileges, two tablespaces with options, privileges, comments
/// and labels.
fn populate(c: &Cluster) {
    populate_roles(c);
    let ts1 = tablespace_dir(c, "ts_one");
    let ts2 = tablespace_dir(c, "ts_two");
    for s in [
        format!(
            "CREATE TABLESPACE ts_one OWNER app_owner LOCATION '{}' WITH (random_page_cost = 2)",
            ts1.display()
        ),
        format!("CREATE TABLESPACE \"TS Two\" LOCATION '{}'", ts2.display()),
        "GRANT CREATE ON TABLESPACE ts_one TO auditor".to_string(),
        "COMMENT ON TABLESPACE \"TS Two\" IS 'slow disks'".to_string(),
    ] {
        c.psql("postgres", &["-c", &s]).expect(&s);
    }
    let Some(provider) = label_provider(c) else {
        return;
    };
    let load = format!("LOAD '{}'", provider.display());
    let labels = "SECURITY LABEL FOR pgsnap_test ON ROLE app_owner IS 'owner''s label'; \
                  SECURITY LABEL FOR second ON ROLE app_owner IS 'two'; \
                  SECURITY LABEL FOR pgsnap_test ON TABLESPACE ts_one IS 'fast'";
    c.psql("postgres", &["-c", &load, "-c", labels])
        .expect("security labels");
}

/// The session options that load the label provider, for psql loading a script with labels.
fn with_labels(target: &Cluster, psql: &mut Command) {
    if let Some(provider) = label_provider(target) {
        psql.env(
            "PGOPTIONS",
            format!("-c session_preload_libraries={}", provider.display()),
        );
    }
}

/// The roles of [`populate`].
fn populate_roles(c: &Cluster) {
    let sql = [
        "CREATE ROLE app_owner LOGIN PASSWORD 'right' CONNECTION LIMIT 5 VALID UNTIL '2031-02-03 04:05:06+00'",
        "CREATE ROLE app_ro NOLOGIN NOINHERIT CREATEDB",
        "CREATE ROLE \"Ops Admin\" SUPERUSER CREATEROLE REPLICATION BYPASSRLS",
        "CREATE ROLE auditor LOGIN",
        "GRANT app_ro TO app_owner WITH ADMIN OPTION",
        // A grantor needs the ADMIN option (16 checks it).
        "GRANT app_owner TO auditor WITH ADMIN OPTION",
        "GRANT app_owner TO \"Ops Admin\" GRANTED BY auditor",
        // (pg_read_all_data came with 14.)
        "GRANT pg_monitor TO auditor",
        "COMMENT ON ROLE app_owner IS 'the application''s owner'",
        "ALTER ROLE app_owner SET work_mem = '8MB'",
        "ALTER ROLE app_owner SET search_path = public, audit",
        "ALTER ROLE auditor SET statement_timeout = 1000",
    ];
    for s in sql {
        c.psql("postgres", &["-c", s]).expect(s);
    }
    if c.major() >= 15 {
        // Privileges on parameters came with 15.
        for s in [
            "GRANT SET ON PARAMETER work_mem TO app_owner",
            "GRANT SET, ALTER SYSTEM ON PARAMETER log_statement TO \"Ops Admin\" WITH GRANT OPTION",
        ] {
            c.psql("postgres", &["-c", s]).expect(s);
        }
    }
    if c.major() >= 16 {
        // 16's grant options.
        let s = "GRANT app_ro TO auditor WITH INHERIT FALSE, SET FALSE";
        c.psql("postgres", &["-c", s]).expect(s);
    }
}

/// Three databases beside template1 and postgres: one owned by a role, with settings (its own
/// and a role's in it), privileges, a comment, tables with data and a sequence; one whose name
/// needs a connection string to reconnect; one with a mixed-case name; and one that takes no
/// connections (left out, as by pg_dumpall).
fn populate_databases(c: &Cluster) {
    for s in [
        "CREATE DATABASE app OWNER app_owner",
        "CREATE DATABASE \"we ird's\" CONNECTION LIMIT 3",
        "CREATE DATABASE \"Reports\"",
        "CREATE DATABASE closed ALLOW_CONNECTIONS false",
        "ALTER DATABASE app SET work_mem = '5MB'",
        "ALTER ROLE auditor IN DATABASE app SET search_path = audit, public",
        "GRANT CONNECT, TEMPORARY ON DATABASE app TO auditor",
        "REVOKE TEMPORARY ON DATABASE \"Reports\" FROM PUBLIC",
        "COMMENT ON DATABASE app IS 'the application'",
        "COMMENT ON DATABASE postgres IS 'maintenance'",
    ] {
        c.psql("postgres", &["-c", s]).expect(s);
    }
    let app = "SET ROLE app_owner; \
               CREATE TABLE item (id serial PRIMARY KEY, name text NOT NULL, price numeric); \
               INSERT INTO item (name, price) SELECT 'item ' || g, g * 1.5 FROM generate_series(1, 5000) g; \
               CREATE TABLE note (item_id int REFERENCES item, body text); \
               INSERT INTO note SELECT g, repeat('x', g % 50) FROM generate_series(1, 2000) g; \
               GRANT SELECT ON item TO auditor; \
               CREATE VIEW cheap AS SELECT * FROM item WHERE price < 10";
    c.psql("app", &["-c", app]).expect("app's objects");
    let weird = "CREATE TABLE \"T\" (a int); INSERT INTO \"T\" SELECT generate_series(1, 100)";
    c.psql("we ird's", &["-c", weird])
        .expect("we ird's objects");
    let reports = "CREATE SCHEMA r; CREATE TABLE r.daily (day date, total bigint); \
                   INSERT INTO r.daily VALUES ('2026-01-01', 7)";
    c.psql("Reports", &["-c", reports])
        .expect("Reports' objects");
    c.psql("template1", &["-c", "CREATE TABLE t1_marker (a int)"])
        .expect("template1's objects");
}

#[test]
fn globals_roles_and_tablespaces_are_byte_identical_to_pg_dumpall() {
    let c = pgsnap::bench::cluster::start(false).expect("start a cluster");
    populate(&c);
    for flags in [
        &["-g"][..],
        &["-r"],
        &["-t"],
        &["-g", "-c"],
        &["-g", "-c", "--if-exists"],
        &["-g", "--no-role-passwords"],
        &["-g", "--no-comments", "-x"],
        &["-g", "--no-tablespaces"],
        &["-r", "-c", "--if-exists"],
        // Without superuser rights: pg_roles serves.
        &["-g", "--no-role-passwords", "-U", "auditor"],
    ] {
        assert_same_dump(
            &pg_dumpall(&c, flags),
            &pgsnap_dumpall(&c, flags),
            &format!("dumpall {flags:?}"),
        );
    }
    // Usage as pg_dumpall's.
    let out = c.pgsnap(&["dumpall", "-g", "-r"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("options -g/--globals-only and -r/--roles-only cannot be used together"),
        "{err}"
    );
    let out = c.pgsnap(&["dumpall", "-g", "--if-exists"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("option --if-exists requires option -c/--clean"),
        "{err}"
    );
    // -f writes the file (and nothing else).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("globals.sql");
    let out = c.pgsnap(&["dumpall", KEY, "-g", "-f", &file.to_string_lossy()]);
    assert!(out.status.success());
    assert!(std::fs::read(&file).unwrap() == pg_dumpall(&c, &["-g"]));
}

#[test]
fn full_cluster_dump_is_byte_identical_to_pg_dumpall() {
    let c = pgsnap::bench::cluster::start(false).expect("start a cluster");
    populate(&c);
    populate_databases(&c);
    for flags in [
        &[][..],
        &["-c"],
        &["-c", "--if-exists"],
        &["-s"],
        &["-a"],
        &["-O", "-x", "--no-comments"],
        &["--exclude-database=we*", "--exclude-database=REPORTS"],
        &["--exclude-database=\"Reports\""],
        &["--inserts", "--no-tablespaces"],
        &["--quote-all-identifiers"],
        &["-l", "template1", "--no-security-labels"],
    ] {
        let expected = pg_dumpall(&c, flags);
        for jobs in ["1", "4"] {
            let mut args = flags.to_vec();
            args.extend(["-j", jobs]);
            assert_same_dump(
                &expected,
                &pgsnap_dumpall(&c, &args),
                &format!("dumpall {flags:?} -j {jobs}"),
            );
        }
    }
    // -f: the file appears whole, once every database is dumped.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cluster.sql");
    let out = c.pgsnap(&["dumpall", KEY, "-f", &file.to_string_lossy()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_dump(
        &pg_dumpall(&c, &[]),
        &std::fs::read(&file).unwrap(),
        "dumpall -f",
    );
    // JSON progress: the globals, then each database with its own events, then the end.
    let out = c.pgsnap(&[
        "dumpall",
        KEY,
        "--progress=json",
        "-f",
        &file.to_string_lossy(),
    ]);
    assert!(out.status.success());
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON event per line"))
        .collect();
    let databases: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "database")
        .map(|e| e["database"].as_str().unwrap())
        .collect();
    assert_eq!(
        databases,
        ["template1", "Reports", "app", "postgres", "we ird's"]
    );
    let last = events.last().unwrap();
    assert_eq!(last["event"], "done");
    assert_eq!(last["databases"], 5);
    assert_eq!(last["bytes"], std::fs::metadata(&file).unwrap().len());
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "table_end" && e["table"] == "public.item" && e["rows"] == 5000),
        "{events:?}"
    );
    // A database that fails leaves no file and names the database.
    std::fs::remove_file(&file).unwrap();
    let out = c.pgsnap(&[
        "dumpall",
        KEY,
        "-f",
        &file.to_string_lossy(),
        "--lock-wait-timeout=1x",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("database \"template1\""),
        "{err}"
    );
    assert!(!file.exists(), "a failed dumpall left {}", file.display());
    let out = c.pgsnap(&["dumpall", "--exclude-database=a.b"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("improper qualified name (too many dotted names): a.b"),
        "{err}"
    );
    newer_pg_dumpall_switches_follow_the_servers_major(&c);
}

/// pg_dumpall 17's `--filter` and 18's data, schema, policy and statistics switches: the same
/// text as the server's own pg_dumpall where it has them, refused in its words where not.
fn newer_pg_dumpall_switches_follow_the_servers_major(c: &Cluster) {
    let dir = tempfile::tempdir().unwrap();
    let filter = dir.path().join("databases.txt");
    std::fs::write(
        &filter,
        "# not these\nexclude database we*\n\nEXCLUDE DATABASE REPORTS\n",
    )
    .unwrap();
    let filter = format!("--filter={}", filter.display());
    // Statistics as they stand, not as autovacuum may change them between the two dumps.
    for db in ["app", "postgres", "template1", "we ird's", "Reports"] {
        c.psql(db, &["-c", "VACUUM ANALYZE"]).expect("analyze");
    }
    for (flags, since) in [
        (&[filter.as_str()][..], 17),
        (&["--no-data"], 18),
        (&["--no-schema"], 18),
        (&["--no-policies", "-s"], 18),
        (&["--sequence-data", "-s"], 18),
        (&["--statistics"], 18),
        (&["--statistics-only", "-c"], 18),
        (&["--no-statistics"], 18),
    ] {
        if c.major() >= since {
            assert_same_dump(
                &pg_dumpall(c, flags),
                &pgsnap_dumpall(c, &[flags, &["-j", "2"]].concat()),
                &format!("dumpall {flags:?}"),
            );
            continue;
        }
        let out = c.pgsnap(&[&["dumpall"][..], flags].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        let name = flags[0].split('=').next().unwrap_or_default();
        assert_eq!(out.status.code(), Some(1), "{flags:?}: {err}");
        assert!(
            err.contains(&format!("unrecognized option '{name}'"))
                && err.contains(&format!("pg_dumpall {since} added it")),
            "{flags:?}: {err}"
        );
    }
    // A filter line pg_dumpall does not take: its message, nothing written.
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "exclude database old\nexclude table t\n").unwrap();
    let out = c.pgsnap(&["dumpall", &format!("--filter={}", bad.display())]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "invalid format in filter read from file \"{}\" on line 2: unsupported filter object",
            bad.display()
        )),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

/// Loads a pg_dumpall-style script into `target` with its psql, the label provider in the
/// session. The roles the new cluster has already (its superuser, the harness's own) fail to
/// be created, as with pg_dumpall's script, and the rest runs: exactly those errors occur.
fn load_with_psql(target: &Cluster, script: &[u8]) {
    let existing = target
        .psql(
            "postgres",
            &[
                "-At",
                "-c",
                "SELECT count(*) FROM pg_roles WHERE rolname !~ '^pg_'",
            ],
        )
        .unwrap();
    let existing: usize = existing.trim().parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("script.sql");
    std::fs::write(&file, script).unwrap();
    let mut psql = Command::new(target.client("psql"));
    target.env(&mut psql);
    with_labels(target, &mut psql);
    let out = psql
        .args(["-X", "-q", "-d", "postgres", "-f"])
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.lines().filter(|l| l.contains("ERROR")).count(),
        existing,
        "only the existing roles' CREATE ROLE fails: {err}"
    );
}

#[test]
fn full_cluster_dump_loads_into_a_fresh_cluster() {
    let source = pgsnap::bench::cluster::start(false).expect("start a cluster");
    populate(&source);
    populate_databases(&source);
    let script = pgsnap_dumpall(&source, &["-j", "2"]);
    let expected = pg_dumpall(&source, &[]);
    // The tablespaces' directories are the same paths on this machine: the source lets go of
    // them so that the target can create its tablespaces there.
    for s in ["DROP TABLESPACE ts_one", "DROP TABLESPACE \"TS Two\""] {
        source.psql("postgres", &["-c", s]).expect(s);
    }
    let target = pgsnap::bench::cluster::start(false).expect("start a second cluster");
    load_with_psql(&target, &script);
    assert_same_dump(
        &expected,
        &pg_dumpall(&target, &[]),
        "cluster restored from pgsnap dumpall",
    );
}

#[test]
fn roles_load_into_a_fresh_cluster_as_they_were() {
    let source = pgsnap::bench::cluster::start(false).expect("start a cluster");
    populate(&source);
    let roles = pgsnap_dumpall(&source, &["-r"]);
    let target = pgsnap::bench::cluster::start(false).expect("start a second cluster");
    load_with_psql(&target, &roles);
    assert_same_dump(
        &pg_dumpall(&source, &["-r"]),
        &pg_dumpall(&target, &["-r"]),
        "roles restored from pgsnap dumpall -r",
    );
}
