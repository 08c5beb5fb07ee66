//! `pgsnap dumpall -g/-r/-t` against real pg_dumpall on clusters of their own (roles and
//! tablespaces are cluster-wide: the shared test cluster's other tests would change them).

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
/// parameter privileges, two tablespaces with options, privileges and comments.
fn populate(c: &Cluster) {
    let ts1 = tablespace_dir(c, "ts_one");
    let ts2 = tablespace_dir(c, "ts_two");
    let sql = [
        "CREATE ROLE app_owner LOGIN PASSWORD 'right' CONNECTION LIMIT 5 VALID UNTIL '2031-02-03 04:05:06+00'",
        "CREATE ROLE app_ro NOLOGIN NOINHERIT CREATEDB",
        "CREATE ROLE \"Ops Admin\" SUPERUSER CREATEROLE REPLICATION BYPASSRLS",
        "CREATE ROLE auditor LOGIN",
        "GRANT app_ro TO app_owner WITH ADMIN OPTION",
        // A grantor needs the ADMIN option (16 checks it).
        "GRANT app_owner TO auditor WITH ADMIN OPTION",
        "GRANT app_owner TO \"Ops Admin\" GRANTED BY auditor",
        "GRANT pg_read_all_data TO auditor",
        "COMMENT ON ROLE app_owner IS 'the application''s owner'",
        "ALTER ROLE app_owner SET work_mem = '8MB'",
        "ALTER ROLE app_owner SET search_path = public, audit",
        "ALTER ROLE auditor SET statement_timeout = 1000",
        "GRANT SET ON PARAMETER work_mem TO app_owner",
        "GRANT SET, ALTER SYSTEM ON PARAMETER log_statement TO \"Ops Admin\" WITH GRANT OPTION",
    ];
    for s in sql {
        c.psql("postgres", &["-c", s]).expect(s);
    }
    if c.major() >= 16 {
        // 16's grant options.
        let s = "GRANT app_ro TO auditor WITH INHERIT FALSE, SET FALSE";
        c.psql("postgres", &["-c", s]).expect(s);
    }
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
fn roles_load_into_a_fresh_cluster_as_they_were() {
    let source = pgsnap::bench::cluster::start(false).expect("start a cluster");
    populate(&source);
    let roles = pgsnap_dumpall(&source, &["-r"]);
    let target = pgsnap::bench::cluster::start(false).expect("start a second cluster");
    // The roles the new cluster has already (its superuser, the harness's own) fail to be
    // created, as with pg_dumpall's script, and the rest runs.
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
    let file = dir.path().join("roles.sql");
    std::fs::write(&file, &roles).unwrap();
    let mut psql = Command::new(target.client("psql"));
    target.env(&mut psql);
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
    assert_same_dump(
        &pg_dumpall(&source, &["-r"]),
        &pg_dumpall(&target, &["-r"]),
        "roles restored from pgsnap dumpall -r",
    );
}
