//! Differential and round-trip tests of `pgsnap dump` against real pg_dump on a real server.

mod common;

use common::*;
use std::path::Path;

const KEY: &str = "--restrict-key=FIXTURE";

fn compare_runs(cluster: &Cluster, db: &str, what: &str, runs: &[&[&str]]) {
    for flags in runs {
        let mut args: Vec<&str> = vec![KEY];
        args.extend_from_slice(flags);
        let expected = cluster.pg_dump(db, &args);
        let actual = cluster.pgsnap_dump(db, &args);
        assert_same_dump(&expected, &actual, &format!("{what} {flags:?}"));
    }
}

const STANDARD_RUNS: &[&[&str]] = &[
    &[],
    &["-s"],
    &["-a"],
    &["--exclude-table-data=extras_objectchange"],
];

#[test]
fn fixture_is_byte_identical_to_pg_dump() {
    let c = cluster();
    let db = fixture_db(c);
    compare_runs(c, &db, "fixture", STANDARD_RUNS);
    compare_runs(
        c,
        &db,
        "fixture",
        &[
            &["-O", "-x", "--no-comments"],
            &["-t", "dcim_*"],
            &["-t", "public.dcim_site", "-t", "audit.log", "-s"],
            &["-n", "audit"],
            &["-n", "public", "-T", "ipam*"],
            &["-T", "extras_objectchange", "-N", "audit"],
            &[
                "--exclude-table-data=dcim_*",
                "--exclude-table-data=audit.*",
            ],
            &["-t", "\"Weird \"\"Name\"\"\""],
            &["-c"],
            &["-c", "--if-exists", "-t", "dcim_*"],
            &["-c", "--section=post-data"],
            &["-c", "-n", "audit", "-O"],
            &["-c", "-C", "--if-exists"],
            // -t wins over -n: no schema of -n is dumped then.
            &["-n", "audit", "-t", "dcim_site"],
            &["-n", "public", "-t", "audit.log", "-N", "audit", "-s"],
            &["--use-set-session-authorization"],
            &["--use-set-session-authorization", "-c", "-C", "--inserts"],
            &["--use-set-session-authorization", "-O"],
            &["-C", "--quote-all-identifiers"],
        ],
    );
}

#[test]
fn object_kinds_are_byte_identical_to_pg_dump() {
    let c = cluster();
    let db = c.fresh_db("kinds");
    c.load(&db, &fixtures().join("schemas/02-object-kinds.sql"));
    compare_runs(c, &db, "object kinds", STANDARD_RUNS);
    compare_runs(
        c,
        &db,
        "object kinds",
        &[
            &["-n", "kinds"],
            &["-N", "kinds"],
            &["-O", "-x", "--no-comments"],
            &["--quote-all-identifiers"],
            // Large objects: -B leaves them out, -s even with -b too, -b adds them to -n.
            &["-B"],
            &["-s", "-b"],
            &["-n", "kinds", "-b"],
            &["--section=data"],
            &["--section=pre-data"],
            &["--no-subscriptions"],
            &["--disable-dollar-quoting"],
            &["-c", "--if-exists"],
            &["-c", "-s"],
            &["--use-set-session-authorization", "-c"],
        ],
    );
}

#[test]
fn regression_database_is_byte_identical_to_pg_dump() {
    // The PostgreSQL regression database holds nearly every object kind and corner case.
    let c = cluster();
    let Some(db) = regression_db(c) else { return };
    compare_runs(
        c,
        &db,
        "regression",
        &[
            &[],
            &["-s"],
            &["-a"],
            &["-x", "-O"],
            &["-s", "--disable-dollar-quoting"],
            &["--load-via-partition-root"],
            &["-a", "--load-via-partition-root", "--disable-triggers"],
            &["-c"],
            &["-c", "--if-exists"],
            &["--use-set-session-authorization"],
            &[
                "-a",
                "--use-set-session-authorization",
                "--disable-triggers",
            ],
        ],
    );
    assert_same_dump(
        &c.pg_dump(&db, &[KEY]),
        &c.pgsnap_dump(&db, &[KEY, "-j", "4"]),
        "regression -j 4",
    );
}

/// 400 tables with every kind of index the index query reads: primary key, unique and
/// exclusion constraints, INCLUDE columns, expression index with a statistics target, partial
/// index, a partitioned table's index and its partitions' attached indexes.
const MANY_INDEXED_TABLES: &str = "CREATE EXTENSION IF NOT EXISTS btree_gist;
    DO $$ BEGIN FOR i IN 1..400 LOOP
      EXECUTE format('CREATE TABLE wide_%s (id int PRIMARY KEY, code text UNIQUE, a int, b int, during int4range,
                        EXCLUDE USING gist (a WITH =, during WITH &&))', i);
      EXECUTE format('CREATE INDEX wide_%s_expr ON wide_%s ((lower(code)), b) INCLUDE (a) WHERE b > %s', i, i, i);
      EXECUTE format('ALTER INDEX wide_%s_expr ALTER COLUMN 1 SET STATISTICS %s', i, i);
    END LOOP; END $$;
    CREATE TABLE wide_parted (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
    CREATE TABLE wide_parted_1 PARTITION OF wide_parted FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE INDEX ON wide_parted (at);";

#[test]
fn big_catalog_read_on_two_connections_matches_pg_dump() {
    // From 1,000 relations the index definitions are read on a second connection in the same
    // snapshot while the leader reads the rest: the regression database plus 400 tables is
    // above that, with every index kind.
    let c = cluster();
    let Some(db) = regression_db(c) else { return };
    c.psql(&db, &["-c", MANY_INDEXED_TABLES]).unwrap();
    let out = c.pgsnap(&["dump", "-s", "--verbose", "-f", "/dev/null", &db]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("index definitions on a second connection"),
        "no second connection: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    compare_runs(
        c,
        &db,
        "regression + 400 tables",
        &[&[], &["-s"], &["-n", "public"]],
    );
    assert_same_dump(
        &c.pg_dump(&db, &[KEY]),
        &c.pgsnap_dump(&db, &[KEY, "-j", "3"]),
        "regression + 400 tables -j 3",
    );
}

#[test]
fn big_catalog_falls_back_to_one_connection_when_only_one_is_allowed() {
    // A role limited to one connection: the second one is refused, and the catalog is read on
    // the leader's alone, with the same result.
    let c = cluster();
    let db = c.fresh_db("onecon");
    c.psql(
        &db,
        &[
            "-c",
            &format!(
                "DO $$ BEGIN
                   IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgsnap_one') THEN
                     CREATE ROLE pgsnap_one LOGIN CONNECTION LIMIT 1;
                   END IF;
                 END $$;
                 CREATE EXTENSION btree_gist;
                 ALTER SCHEMA public OWNER TO pgsnap_one;
                 SET ROLE pgsnap_one;
                 {MANY_INDEXED_TABLES}
                 DO $$ BEGIN FOR i IN 1..700 LOOP
                   EXECUTE format('CREATE TABLE narrow_%s (id int PRIMARY KEY)', i);
                 END LOOP; END $$;"
            ),
        ],
    )
    .unwrap();
    let out = c.pgsnap(&[
        "dump",
        "-s",
        "--verbose",
        "-U",
        "pgsnap_one",
        "-f",
        "/dev/null",
        &db,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no second connection for the catalog"),
        "expected the one-connection fallback: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The server takes a moment to let go of pgsnap's session; pg_dump needs the one slot.
    assert!(wait_until(
        c,
        &db,
        "SELECT count(*) = 0 FROM pg_stat_activity WHERE usename = 'pgsnap_one'",
        10
    ));
    compare_runs(c, &db, "one connection", &[&["-s", "-U", "pgsnap_one"]]);
}

#[test]
fn leave_out_switches_match_pg_dump() {
    let c = cluster();
    let db = fixture_db(c);
    c.psql(
        &db,
        &[
            "-c",
            "DO $$ BEGIN CREATE ROLE dump_admin SUPERUSER; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        ],
    )
    .expect("role");
    // pg_dump 15 added --no-table-access-method.
    let no_am: &[&str] = if c.major() >= 15 {
        &["--no-tablespaces", "--no-table-access-method", "-s"]
    } else {
        &["--no-tablespaces", "-s"]
    };
    compare_runs(
        c,
        &db,
        "fixture",
        &[
            &[
                "--no-publications",
                "--no-subscriptions",
                "--no-security-labels",
            ],
            no_am,
            &["--no-toast-compression", "-s"],
            &["--no-unlogged-table-data"],
            &["--enable-row-security", "-a"],
            &["--lock-wait-timeout=5s", "--extra-float-digits=0"],
            &["-a", "--disable-triggers"],
            &["--inserts"],
            &[
                "--column-inserts",
                "--rows-per-insert=3",
                "--on-conflict-do-nothing",
            ],
            &["--inserts", "-a", "--disable-triggers"],
            &["--disable-triggers"],
            &["--role=dump_admin"],
            &["--serializable-deferrable", "-E", "UTF8", "-b"],
            &["--no-sync", "-B"],
            &["--quote-all-identifiers"],
            &["--quote-all-identifiers", "-s", "-O"],
            &["--section=pre-data"],
            &["--section=data"],
            &["--section=post-data"],
            &["--section=pre-data", "--section=post-data"],
            &["--section=data", "--section=post-data"],
            &["-s", "--section=data"],
            &["-a", "--section=pre-data"],
        ],
    );
    for (args, needle) in [
        (
            &["--on-conflict-do-nothing"][..],
            "option --on-conflict-do-nothing requires option --inserts, --rows-per-insert, or --column-inserts",
        ),
        (&["--rows-per-insert=0"][..], "--rows-per-insert must be in range 1..2147483647"),
        (&["-E", "NO_SUCH"][..], "invalid client encoding \"NO_SUCH\" specified"),
    ] {
        let mut full = vec!["dump"];
        full.extend_from_slice(args);
        full.push(&db);
        let out = c.pgsnap(&full);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains(needle), "{args:?}");
    }
    let out = c.pgsnap(&["dump", "--section=foo", &db]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unrecognized section name: \"foo\""));
    let out = c.pgsnap(&["dump", "--extra-float-digits=9", &db]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--extra-float-digits must be in range -15..3"));
}

#[test]
fn create_option_matches_pg_dump() {
    let c = cluster();
    let db = c.fresh_db("created");
    for sql in [
        format!("COMMENT ON DATABASE {db} IS 'it''s the app''s database'"),
        format!("ALTER DATABASE {db} CONNECTION LIMIT 7"),
        format!("ALTER DATABASE {db} SET work_mem = '8MB'"),
        format!("ALTER DATABASE {db} SET search_path = public, \"$user\""),
        "DO $$ BEGIN CREATE ROLE create_opt_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$".to_string(),
        format!("ALTER ROLE create_opt_reader IN DATABASE {db} SET work_mem = '2MB'"),
        format!("GRANT CONNECT ON DATABASE {db} TO create_opt_reader"),
        format!("REVOKE TEMPORARY ON DATABASE {db} FROM PUBLIC"),
        "CREATE TABLE t (a int PRIMARY KEY); INSERT INTO t VALUES (1)".to_string(),
    ] {
        c.psql(&db, &["-c", &sql]).expect("setup");
    }
    compare_runs(
        c,
        &db,
        "-C",
        &[
            &["-C"],
            &["-C", "-s"],
            &["-C", "-a"],
            &["-C", "-O", "-x", "--no-comments"],
            &["-C", "--section=post-data"],
        ],
    );
    // -c -C drops the database only; a template database is unmarked first.
    c.psql(
        &db,
        &["-c", &format!("ALTER DATABASE {db} IS_TEMPLATE true")],
    )
    .expect("mark template");
    compare_runs(
        c,
        &db,
        "-c -C",
        &[&["-c", "-C"], &["-c", "-C", "--if-exists"]],
    );
    c.psql(
        &db,
        &["-c", &format!("ALTER DATABASE {db} IS_TEMPLATE false")],
    )
    .expect("unmark template");
    let fixture = fixture_db(c);
    compare_runs(c, &fixture, "fixture -C", &[&["-C"]]);
}

#[test]
fn pagila_is_byte_identical_to_pg_dump() {
    let c = cluster();
    let Some(db) = pagila_db(c) else { return };
    compare_runs(c, &db, "pagila", STANDARD_RUNS);
    compare_runs(
        c,
        &db,
        "pagila",
        &[&["--exclude-table-data=payment*"], &["-c", "--if-exists"]],
    );
}

#[test]
fn netbox_is_byte_identical_to_pg_dump() {
    let c = cluster();
    let Some(db) = netbox_db(c) else { return };
    compare_runs(c, &db, "netbox", STANDARD_RUNS);
    compare_runs(c, &db, "netbox", &[&["-c"], &["-c", "--if-exists", "-s"]]);
    compare_equivalent(c, &db, &[], &["-j", "4"]);
    compare_equivalent(c, &db, &[], &["-j", "1"]);
}

#[test]
fn parallel_output_is_identical_to_serial() {
    let c = cluster();
    let db = fixture_db(c);
    let one = c.pgsnap_dump(&db, &[KEY, "-j", "1"]);
    for jobs in ["2", "4", "7"] {
        let many = c.pgsnap_dump(&db, &[KEY, "-j", jobs]);
        assert!(one == many, "-j {jobs} output differs from -j 1");
    }
    // Big tables split into ctid chunks across workers give the same bytes.
    for jobs in ["2", "3"] {
        let chunked = c.pgsnap_dump(&db, &[KEY, "-j", jobs, "--chunk-pages", "8"]);
        assert!(
            one == chunked,
            "-j {jobs} with 8-page chunks differs from -j 1"
        );
    }
    if let Some(p) = pagila_db(c) {
        let chunked = c.pgsnap_dump(&p, &[KEY, "-j", "2", "--chunk-pages", "4"]);
        assert_same_dump(&c.pg_dump(&p, &[KEY]), &chunked, "pagila chunked");
        let one = c.pgsnap_dump(&p, &[KEY, "-j", "1"]);
        let four = c.pgsnap_dump(&p, &[KEY, "-j", "4"]);
        assert!(one == four, "pagila: -j 4 output differs from -j 1");
    }
}

#[test]
fn split_parent_table_copies_only_its_own_rows() {
    // A big table with inheritance children is copied in ctid ranges like any other; its
    // data is its own rows (COPY parent TO stdout), never its children's as well.
    let c = cluster();
    let db = c.fresh_db("inherits");
    c.psql(
        &db,
        &[
            "-c",
            "CREATE TABLE parent (id int, v text);
             CREATE TABLE child (extra int) INHERITS (parent);
             CREATE TABLE grandchild () INHERITS (child);
             INSERT INTO parent SELECT g, repeat('p', 50) FROM generate_series(1, 3000) g;
             INSERT INTO child SELECT g, repeat('c', 50), g FROM generate_series(1, 3000) g;
             INSERT INTO grandchild SELECT g, repeat('g', 50), g FROM generate_series(1, 3000) g;",
            "-c",
            "VACUUM ANALYZE",
        ],
    )
    .unwrap();
    let expected = c.pg_dump(&db, &[KEY]);
    for jobs in ["1", "3"] {
        let split = c.pgsnap_dump(&db, &[KEY, "-j", jobs, "--chunk-pages", "4"]);
        assert_same_dump(
            &expected,
            &split,
            &format!("inheritance, -j {jobs}, 4-page chunks"),
        );
    }
}

#[test]
fn exclude_table_data_keeps_table_sequence_and_indexes() {
    let c = cluster();
    let db = fixture_db(c);
    let out =
        String::from_utf8(c.pgsnap_dump(&db, &[KEY, "--exclude-table-data=extras_objectchange"]))
            .unwrap();
    assert!(out.contains("CREATE TABLE public.extras_objectchange ("));
    assert!(out.contains("SEQUENCE NAME public.extras_objectchange_id_seq"));
    assert!(
        out.contains("SELECT pg_catalog.setval('public.extras_objectchange_id_seq', 50000, true);")
    );
    assert!(out.contains("CREATE INDEX extras_objectchange_time ON public.extras_objectchange USING btree (\"time\");"));
    assert!(out.contains("ADD CONSTRAINT extras_objectchange_pkey PRIMARY KEY (id);"));
    assert!(!out.contains("COPY public.extras_objectchange"));
    assert!(out.contains("COPY public.dcim_site "));
}

fn roundtrip(c: &Cluster, db: &str, extra: &[&str], what: &str) {
    roundtrip_into(c, db, &c.fresh_db("restored"), extra, what);
}

fn roundtrip_into(c: &Cluster, db: &str, target: &str, extra: &[&str], what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dump.sql");
    let file_s = file.to_string_lossy().to_string();
    let mut args = vec![KEY, "-f", &file_s];
    args.extend_from_slice(extra);
    c.pgsnap_dump(db, &args);
    c.load(target, Path::new(&file));
    let before = c.pg_dump(db, &["-s", KEY]);
    let after = c.pg_dump(target, &["-s", KEY]);
    assert_same_dump(&before, &after, &format!("{what}: schema after restore"));
    assert_eq!(
        c.data_fingerprint(db),
        c.data_fingerprint(target),
        "{what}: data after restore"
    );
}

#[test]
fn fixture_round_trips_through_psql() {
    let c = cluster();
    let db = fixture_db(c);
    roundtrip(c, &db, &["-j", "3"], "fixture");
    roundtrip(
        c,
        &db,
        &["--column-inserts", "--rows-per-insert=7", "-j", "2"],
        "fixture as INSERTs",
    );
    // Objects owned by several roles get their owners from SET SESSION AUTHORIZATION (the
    // schema's owner creates it, so it needs CREATE on the database, as with pg_dump).
    let target = c.fresh_db("restored");
    c.psql(
        &target,
        &[
            "-c",
            &format!("GRANT CREATE ON DATABASE {target} TO pgsnap_app"),
        ],
    )
    .expect("grant");
    roundtrip_into(
        c,
        &db,
        &target,
        &["--use-set-session-authorization"],
        "fixture with SET SESSION AUTHORIZATION",
    );
}

#[test]
fn corpus_round_trips_through_psql() {
    let c = cluster();
    if let Some(db) = pagila_db(c) {
        roundtrip(c, &db, &[], "pagila");
    }
    if let Some(db) = netbox_db(c) {
        roundtrip(c, &db, &["-j", "2"], "netbox");
    }
}

#[test]
fn clean_dumps_replay_over_existing_and_into_empty_databases() {
    let c = cluster();
    let dir = tempfile::tempdir().unwrap();
    // -c --if-exists loads into an empty database, through psql and pgsnap restore.
    let fixture = fixture_db(c);
    let file = dir.path().join("clean.sql");
    let file_s = file.to_string_lossy().to_string();
    c.pgsnap_dump(&fixture, &[KEY, "-c", "--if-exists", "-f", &file_s]);
    let empty = c.fresh_db("clean_empty");
    c.load(&empty, &file);
    assert_same_database(c, &fixture, &empty, "-c --if-exists into an empty database");
    let empty = c.fresh_db("clean_empty");
    let out = c.pgsnap(&["restore", "-d", &empty, "-j", "2", &file_s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_database(c, &fixture, &empty, "-c --if-exists by pgsnap restore");
    // The seed's refresh: a -c dump replayed over a database that already holds the
    // application, twice (psql, then pgsnap restore), leaves an exact copy.
    let Some(source) = netbox_db(c) else { return };
    let Some(target) = netbox_db(c) else { return };
    c.psql(&target, &["-c", "UPDATE public.dcim_site SET description = 'changed'; CREATE TABLE public.stray (a int)"])
        .expect("diverge");
    let file = dir.path().join("netbox.sql");
    let file_s = file.to_string_lossy().to_string();
    c.pgsnap_dump(&source, &[KEY, "-c", "-f", &file_s]);
    c.load(&target, &file);
    c.psql(&target, &["-c", "DROP TABLE public.stray"])
        .expect("drop stray");
    assert_same_database(c, &source, &target, "netbox -c replayed by psql");
    let out = c.pgsnap(&["restore", "-d", &target, "-j", "2", &file_s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_database(c, &source, &target, "netbox -c replayed by pgsnap restore");
}

#[test]
fn written_file_matches_stdout_and_leaves_no_temp_files() {
    let c = cluster();
    let db = fixture_db(c);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.sql");
    let file_s = file.to_string_lossy().to_string();
    let stdout = c.pgsnap_dump(&db, &[KEY]);
    c.pgsnap_dump(&db, &[KEY, "-f", &file_s, "-j", "2"]);
    assert!(std::fs::read(&file).unwrap() == stdout);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "stray files: {names:?}");
}

/// Exit codes by cause, as the README documents them.
const USAGE: i32 = 1;
const CONNECTION: i32 = 2;
const SERVER: i32 = 3;
const LOCAL_FILE: i32 = 4;
const VERIFICATION: i32 = 5;

fn assert_clean_failure(c: &Cluster, args: &[&str], file: &Path, needle: &str, code: i32) {
    let out = c.pgsnap(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: exit code; stderr: {stderr}"
    );
    // One error (libpq's second line, indented, belongs to it).
    assert_eq!(
        stderr
            .trim_end()
            .lines()
            .filter(|l| !l.starts_with('\t'))
            .count(),
        1,
        "{args:?}: want one error line, got: {stderr}"
    );
    assert!(
        stderr.contains(needle),
        "{args:?}: error should mention {needle:?}: {stderr}"
    );
    assert!(!file.exists(), "{args:?}: output file was left behind");
    if let Some(dir) = file.parent().filter(|d| d.exists()) {
        let left: Vec<_> = std::fs::read_dir(dir).unwrap().collect();
        assert!(left.is_empty(), "{args:?}: temp files left behind");
    }
}

#[test]
fn failures_give_one_clear_error_and_no_file() {
    let c = cluster();
    let db = fixture_db(c);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.sql");
    let f = file.to_string_lossy().to_string();
    assert_clean_failure(
        c,
        &["dump", "-f", &f, "no_such_database"],
        &file,
        "database \"no_such_database\" does not exist",
        CONNECTION,
    );
    assert_clean_failure(
        c,
        &[
            "dump",
            "-f",
            &f,
            "-w",
            "-d",
            &format!("dbname={db} user=pgsnap_pw password=wrong"),
        ],
        &file,
        "password authentication failed",
        CONNECTION,
    );
    assert_clean_failure(
        c,
        &["dump", "-f", &f, "-w", "-U", "pgsnap_pw", &db],
        &file,
        "password",
        CONNECTION,
    );
    assert_clean_failure(
        c,
        &["dump", "-f", &f, "-h", "127.0.0.1", "-p", "1", &db],
        &file,
        "127.0.0.1",
        CONNECTION,
    );
    let missing = dir.path().join("missing/out.sql");
    assert_clean_failure(
        c,
        &["dump", "-f", &missing.to_string_lossy(), &db],
        &missing,
        "could not open output file",
        LOCAL_FILE,
    );
    assert_clean_failure(
        c,
        &[
            "dump",
            "-f",
            &f,
            "--strict-names",
            "-t",
            "dcim_site",
            "-t",
            "nothing_matches_this",
            &db,
        ],
        &file,
        "nothing_matches_this",
        USAGE,
    );
    assert_clean_failure(
        c,
        &["dump", "-f", &f, "-t", "nothing_matches_this", &db],
        &file,
        "no matching tables were found",
        USAGE,
    );
}

#[test]
fn copy_failures_in_workers_name_the_table() {
    // Row-level security with row_security = off (as pg_dump sets it) makes a non-owner's COPY
    // fail in the worker: in a pipelined batch of small tables, in a chunk of a split table,
    // and on the leader's connection with -j 1.
    let c = cluster();
    let db = c.fresh_db("rls");
    c.psql(
        &db,
        &[
            "-c",
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgsnap_rls') THEN
                 CREATE ROLE pgsnap_rls LOGIN;
               END IF;
               FOR i IN 1..40 LOOP
                 EXECUTE format('CREATE TABLE small_%s (id int); INSERT INTO small_%s VALUES (%s)', i, i, i);
               END LOOP;
             END $$;
             CREATE TABLE big (id int, v text);
             INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g;
             GRANT SELECT ON ALL TABLES IN SCHEMA public TO pgsnap_rls;
             ANALYZE;",
        ],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.sql");
    let f = file.to_string_lossy().to_string();
    let args = |jobs: &'static str| {
        vec![
            "dump",
            "-f",
            &f,
            "-U",
            "pgsnap_rls",
            "-j",
            jobs,
            "--chunk-pages",
            "8",
            &db,
        ]
    };
    c.psql(
        &db,
        &["-c", "ALTER TABLE small_20 ENABLE ROW LEVEL SECURITY"],
    )
    .unwrap();
    for jobs in ["1", "2"] {
        assert_clean_failure(c, &args(jobs), &file, "small_20", SERVER);
        assert_clean_failure(c, &args(jobs), &file, "row-level security", SERVER);
    }
    c.psql(
        &db,
        &[
            "-c",
            "ALTER TABLE small_20 DISABLE ROW LEVEL SECURITY; ALTER TABLE big ENABLE ROW LEVEL SECURITY",
        ],
    )
    .unwrap();
    for jobs in ["1", "2", "3"] {
        assert_clean_failure(c, &args(jobs), &file, "big", SERVER);
        assert_clean_failure(c, &args(jobs), &file, "row-level security", SERVER);
    }
    c.psql(&db, &["-c", "ALTER TABLE big DISABLE ROW LEVEL SECURITY"])
        .unwrap();
    let out = c.pgsnap(&args("2"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn right_password_from_environment_and_conninfo_work() {
    let c = cluster();
    let db = fixture_db(c);
    // pg_read_all_data came with 14.
    let read_all = if c.major() >= 14 {
        "GRANT pg_read_all_data TO pgsnap_pw"
    } else {
        "ALTER ROLE pgsnap_pw SUPERUSER"
    };
    c.psql(&db, &["-c", read_all]).unwrap();
    let url = format!(
        "postgresql://pgsnap_pw:right-password@/{db}?host={}&port={}",
        c.socket_dir.display(),
        c.port
    );
    let out = c.pgsnap(&["dump", "-s", "-d", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pgsnap"));
    c.env(&mut cmd);
    let out = cmd
        .env("PGPASSWORD", "right-password")
        .args(["dump", "-s", "-w", "-U", "pgsnap_pw", &db])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn closed_stdout_ends_quietly_with_error_exit() {
    let c = cluster();
    let db = fixture_db(c);
    let mut cmd = std::process::Command::new("bash");
    c.env(&mut cmd);
    let script = format!(
        "set -o pipefail; {} dump {db} | head -c 100 >/dev/null",
        env!("CARGO_BIN_EXE_pgsnap")
    );
    let out = cmd.args(["-c", &script]).output().unwrap();
    assert_ne!(
        out.status.code(),
        Some(0),
        "a truncated dump must not report success"
    );
    assert!(
        out.stderr.is_empty(),
        "broken pipe must be quiet: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn extension_member_and_system_catalog_privileges_match_pg_dump() {
    // pg_dump keeps privileges changed on extension members (built-in extensions' too) and on
    // pg_catalog functions and types, as ACL-only entries.
    let c = cluster();
    let db = fixture_db(c);
    for sql in [
        "CREATE EXTENSION hstore",
        "CREATE EXTENSION postgres_fdw",
        "GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO pgsnap_ro",
        "GRANT USAGE ON TYPE public.hstore TO pgsnap_ro",
        "REVOKE ALL ON TYPE public.ghstore FROM PUBLIC",
        "GRANT EXECUTE ON FUNCTION public.similarity(text, text) TO pgsnap_ro",
        "REVOKE EXECUTE ON FUNCTION public.show_trgm(text) FROM PUBLIC",
        "REVOKE ALL ON LANGUAGE plpgsql FROM PUBLIC",
        "GRANT EXECUTE ON FUNCTION pg_catalog.plpgsql_call_handler() TO pgsnap_ro",
        "REVOKE EXECUTE ON FUNCTION pg_catalog.pg_sleep(double precision) FROM PUBLIC",
        "GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_file(text) TO pgsnap_ro",
        "GRANT EXECUTE ON FUNCTION pg_catalog.sum(integer) TO pgsnap_ro",
        "REVOKE USAGE ON TYPE pg_catalog.money FROM PUBLIC",
        "CREATE LANGUAGE reuses_handler HANDLER plpgsql_call_handler",
    ] {
        c.psql(&db, &["-c", sql]).expect(sql);
    }
    compare_runs(
        c,
        &db,
        "member privileges",
        &[
            &[],
            &["-s"],
            &["-n", "audit"],
            &["-t", "dcim_site"],
            &["-e", "hstore"],
            &["-x"],
            &["-O", "--no-comments"],
        ],
    );
    // The privileges come back through psql.
    let target = c.fresh_db("member_privileges");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dump.sql");
    c.pgsnap_dump(&db, &[KEY, "-f", &file.to_string_lossy()]);
    c.load(&target, &file);
    assert_same_dump(
        &c.pg_dump(&db, &["-s", KEY]),
        &c.pg_dump(&target, &["-s", KEY]),
        "member privileges after restore",
    );
}

#[test]
fn snapshot_takes_dump_and_media_together_and_verifies() {
    let c = cluster();
    let db = fixture_db(c);
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    std::fs::create_dir_all(media.join("images")).unwrap();
    std::fs::write(media.join("images/a.png"), b"png bytes").unwrap();
    let out = dir.path().join("snap");
    let o = c.pgsnap(&[
        "snapshot",
        "--media",
        &media.to_string_lossy(),
        KEY,
        "-j",
        "2",
        "-o",
        &out.to_string_lossy(),
        &db,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dump = std::fs::read(out.join("database.sql")).unwrap();
    assert_same_dump(&c.pg_dump(&db, &[KEY]), &dump, "snapshot database.sql");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let version = format!("\"server_version\": \"{}", c.major());
    assert!(manifest.contains("\"snapshot_id\"") && manifest.contains(&version));
    let ok = c.pgsnap(&["snapshot", "verify", &out.to_string_lossy()]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // Tampering with either file is caught.
    let mut bytes = std::fs::read(out.join("media.tar.gz")).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x40;
    std::fs::write(out.join("media.tar.gz"), bytes).unwrap();
    let bad = c.pgsnap(&["snapshot", "verify", &out.to_string_lossy()]);
    assert_eq!(bad.status.code(), Some(VERIFICATION));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("media.tar.gz"));
    // An existing output directory is never overwritten.
    let again = c.pgsnap(&["snapshot", KEY, "-o", &out.to_string_lossy(), &db]);
    assert_eq!(again.status.code(), Some(1));
    // Missing parent directories are made, as mkdir -p.
    let deep = dir.path().join("snaps/2026/nautobot");
    let o = c.pgsnap(&["snapshot", KEY, "-o", &deep.to_string_lossy(), &db]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(deep.join("manifest.json").is_file());
}

#[test]
fn compressed_output_decompresses_to_pg_dumps_bytes() {
    use std::io::Read;
    let c = cluster();
    let db = fixture_db(c);
    let expected = c.pg_dump(&db, &[KEY]);
    let dir = tempfile::tempdir().unwrap();
    for (args, name) in [
        (vec!["-Z", "zstd"], "a.sql"),
        (vec!["-Z", "gzip:6"], "b.sql"),
        (vec!["-Z", "5"], "c.sql"),
        (vec!["--compress=lz4"], "d.sql"),
        (vec![], "e.sql.gz"),
        (vec![], "f.sql.zst"),
        (vec![], "g.sql.lz4"),
    ] {
        let path = dir.path().join(name);
        let p = path.to_string_lossy().to_string();
        let mut all = vec![KEY, "-j", "2", "--chunk-pages", "16", "-f", &p];
        all.extend(args.iter().copied());
        c.pgsnap_dump(&db, &all);
        let stored = std::fs::read(&path).unwrap();
        let mut plain = Vec::new();
        let how = format!("{args:?} {name}");
        if how.contains("zst") {
            zstd::stream::read::Decoder::new(&stored[..])
                .unwrap()
                .read_to_end(&mut plain)
                .unwrap();
        } else if how.contains("lz4") {
            lz4_flex::frame::FrameDecoder::new(&stored[..])
                .read_to_end(&mut plain)
                .unwrap();
        } else {
            flate2::read::MultiGzDecoder::new(&stored[..])
                .read_to_end(&mut plain)
                .unwrap();
        }
        assert_same_dump(&expected, &plain, &how);
    }
    // zcat reads the parallel gzip output (concatenated members) too.
    let gz = dir.path().join("e.sql.gz");
    let out = std::process::Command::new("zcat")
        .arg(&gz)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_same_dump(&expected, &out.stdout, "zcat");
}

#[test]
fn progress_json_reports_every_table() {
    let c = cluster();
    let db = fixture_db(c);
    let out = c.pgsnap(&["dump", "--progress=json", "-j", "2", "-f", "/dev/null", &db]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let ends: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["event"] == "table_end")
        .collect();
    assert!(ends.len() >= 10);
    assert!(ends.iter().all(|e| e["tables_total"] == ends.len()));
    let change = ends
        .iter()
        .find(|e| e["table"] == "public.extras_objectchange")
        .unwrap();
    assert_eq!(change["rows"], 50000);
    let done = events.last().unwrap();
    assert_eq!(done["event"], "done");
    assert_eq!(done["tables"], ends.len());
    assert_eq!(done["target"], "\"/dev/null\"");
    assert!(done["megabytes_per_second"].as_f64().unwrap() > 0.0);
    let phases: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["event"] == "phase")
        .map(|e| &e["phase"])
        .collect();
    assert_eq!(phases, vec!["catalog", "data"]);
    // Not a terminal and not asked: nothing extra on stderr.
    let quiet = c.pgsnap(&["dump", "-f", "/dev/null", &db]);
    assert!(quiet.stderr.is_empty());
}

#[test]
fn hostile_names_never_run_psql_commands() {
    // Names holding a newline and a psql meta-command must stay inside their identifier,
    // comment line or string literal, with or without the \restrict guard.
    let c = cluster();
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("M");
    let evil = format!("x\n\\! touch {}\n", marker.display());
    assert!(evil.len() < 63, "name too long for the test: {evil:?}");
    let db = c.fresh_db("hostile");
    let setup = format!(
        "CREATE SCHEMA \"{evil}\"; CREATE TABLE \"{evil}\".\"{evil}\" (\"{evil}\" text); \
         INSERT INTO \"{evil}\".\"{evil}\" VALUES ('{evil}'); \
         COMMENT ON TABLE \"{evil}\".\"{evil}\" IS '{evil}'; \
         CREATE VIEW \"{evil}\".v AS SELECT \"{evil}\" FROM \"{evil}\".\"{evil}\";"
    );
    c.psql(&db, &["-c", &setup]).unwrap();
    let dump = c.pgsnap_dump(&db, &[KEY]);
    assert_same_dump(&c.pg_dump(&db, &[KEY]), &dump, "hostile names");
    let text = String::from_utf8(dump).unwrap();
    let unguarded: String = text
        .lines()
        .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
        .map(|l| format!("{l}\n"))
        .collect();
    for (what, script) in [("dump", &text), ("dump without \\restrict", &unguarded)] {
        let file = dir.path().join("hostile.sql");
        std::fs::write(&file, script).unwrap();
        let target = c.fresh_db("hostile_restored");
        c.load(&target, &file);
        assert!(!marker.exists(), "{what}: psql ran a command from a name");
        let target = c.fresh_db("hostile_restored");
        let out = c.pgsnap(&["restore", "-d", &target, &file.to_string_lossy()]);
        assert!(
            out.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !marker.exists(),
            "{what}: pgsnap restore ran a command from a name"
        );
    }
}

#[test]
fn extension_option_matches_pg_dump() {
    let c = cluster();
    let db = c.fresh_db("exts");
    c.psql(
        &db,
        &[
            "-c",
            "CREATE EXTENSION pg_trgm; CREATE EXTENSION hstore; CREATE SCHEMA s; \
             CREATE TABLE s.t (h hstore); CREATE TABLE public.u (x text)",
        ],
    )
    .unwrap();
    compare_runs(
        c,
        &db,
        "-e",
        &[
            &["-e", "pg_trgm"],
            &["-e", "pg*"],
            &["-e", "hstore", "-n", "s"],
            &["-s", "-e", "*"],
            &["-e", "PG_TRGM"],
        ],
    );
    for (args, needle) in [
        (&["-e", "nomatch"][..], "no matching extensions were found"),
        (
            &["--strict-names", "-e", "nomatch"][..],
            "for pattern \"nomatch\"",
        ),
        (&["-e", "a.b"][..], "too many dotted names"),
    ] {
        let mut all = vec!["dump"];
        all.extend_from_slice(args);
        all.push(&db);
        let out = c.pgsnap(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn load_via_partition_root_with_inserts_matches_pg_dump() {
    let c = cluster();
    let db = fixture_db(c);
    compare_runs(
        c,
        &db,
        "fixture",
        &[
            &["--load-via-partition-root", "--inserts"],
            &[
                "--load-via-partition-root",
                "--column-inserts",
                "--rows-per-insert=3",
                "-a",
            ],
        ],
    );
    if let Some(db) = pagila_db(c) {
        compare_equivalent(
            c,
            &db,
            &["--load-via-partition-root", "--inserts"],
            &["--load-via-partition-root", "--inserts", "-j", "2"],
        );
    }
}

#[test]
fn unrepairable_loop_is_broken_as_pg_dump_does() {
    // Two SQL-standard function bodies calling each other: pg_dump warns and breaks the loop.
    let c = cluster();
    if c.major() < 14 {
        skipped("a loop of SQL-standard function bodies on PostgreSQL 13, which has none");
        return;
    }
    let db = c.fresh_db("loop");
    for sql in [
        "CREATE FUNCTION f1() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END",
        "CREATE FUNCTION f2() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT f1(); END",
        "CREATE OR REPLACE FUNCTION f1() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT f2(); END",
    ] {
        c.psql(&db, &["-c", sql]).unwrap();
    }
    compare_runs(c, &db, "function loop", &[&["-s"]]);
    let out = c.pgsnap(&["dump", "-s", &db]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("could not resolve dependency loop") && err.contains("FUNCTION f2"),
        "{err}"
    );
}

#[test]
fn include_foreign_data_matches_pg_dump() {
    let c = cluster();
    let db = c.fresh_db("foreign_data");
    // file_fdw tables whose rows come from a program: two servers, one named at a time.
    c.psql(
        &db,
        &[
            "-c",
            "CREATE EXTENSION file_fdw; \
             CREATE SERVER files FOREIGN DATA WRAPPER file_fdw; \
             CREATE SERVER other FOREIGN DATA WRAPPER file_fdw; \
             CREATE FOREIGN TABLE ft_nums (n int, label text) SERVER files \
               OPTIONS (program 'printf \"1\\tone\\n2\\ttwo\\n\"'); \
             CREATE FOREIGN TABLE ft_other (x text) SERVER other OPTIONS (program 'echo hi'); \
             CREATE TABLE local_t (a int); INSERT INTO local_t VALUES (1)",
        ],
    )
    .expect("setup");
    compare_runs(
        c,
        &db,
        "foreign data",
        &[
            &[],
            &["--include-foreign-data=files"],
            &["--include-foreign-data=f*", "--include-foreign-data=other"],
            &["--include-foreign-data=files", "--inserts", "-a"],
            &["--include-foreign-data=other", "-c"],
        ],
    );
    let one = c.pgsnap_dump(&db, &[KEY, "--include-foreign-data=*", "-j", "1"]);
    let three = c.pgsnap_dump(&db, &[KEY, "--include-foreign-data=*", "-j", "3"]);
    assert!(one == three, "-j 3 differs from -j 1");
    // A foreign table with a page count (ANALYZE through some wrappers records one) has no
    // heap to cut into ctid ranges: it is copied whole, however big it looks.
    c.psql(
        &db,
        &[
            "-c",
            "UPDATE pg_class SET relpages = 5000 WHERE relname = 'ft_nums'",
        ],
    )
    .expect("relpages");
    let split = c.pgsnap_dump(
        &db,
        &[
            KEY,
            "--include-foreign-data=*",
            "-j",
            "3",
            "--chunk-pages",
            "4",
        ],
    );
    assert!(
        one == split,
        "a foreign table with pages was copied differently"
    );
    for (args, needle) in [
        (
            &["--include-foreign-data=nomatch"][..],
            "no matching foreign servers were found for pattern \"nomatch\"",
        ),
        (
            &["--include-foreign-data=a.b"][..],
            "improper qualified name (too many dotted names): a.b",
        ),
        (
            &["-s", "--include-foreign-data=files"][..],
            "options -s/--schema-only and --include-foreign-data cannot be used together",
        ),
    ] {
        let mut all = vec!["dump"];
        all.extend_from_slice(args);
        all.push(&db);
        let out = c.pgsnap(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

/// Runs pgsnap with `ours` and pg_dump with `theirs` and asserts the same bytes.
fn compare_equivalent(c: &Cluster, db: &str, theirs: &[&str], ours: &[&str]) {
    let mut t = vec![KEY];
    t.extend_from_slice(theirs);
    let mut o = vec![KEY];
    o.extend_from_slice(ours);
    assert_same_dump(
        &c.pg_dump(db, &t),
        &c.pgsnap_dump(db, &o),
        &format!("pgsnap {ours:?} against pg_dump {theirs:?}"),
    );
}

/// What the pg_dump that has a switch (from major `since`) writes with `args`, and the
/// `--as-pg-dump` pgsnap needs to write the same text: the server's own pg_dump when it has
/// the switch, else pg_dump `since`.
fn oracle_having(c: &Cluster, db: &str, since: u32, args: &[&str]) -> (Vec<u8>, Vec<String>) {
    let mut a = vec![KEY];
    a.extend_from_slice(args);
    if c.major() >= since {
        return (c.pg_dump(db, &a), Vec::new());
    }
    let mut cmd = std::process::Command::new(newer_pg_dump(since));
    c.env(&mut cmd);
    let out = cmd.args(&a).arg(db).output().unwrap();
    assert!(
        out.status.success(),
        "pg_dump {since} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.stdout, vec![format!("--as-pg-dump={since}")])
}

/// pgsnap with `args` against the pg_dump that has the switch they use (from major `since`).
/// Where the server's own pg_dump lacks it, pgsnap first refuses it as that pg_dump does, and
/// then writes pg_dump `since`'s text with `--as-pg-dump`.
fn compare_having(c: &Cluster, db: &str, since: u32, args: &[&str]) {
    if c.major() < since {
        let out = c.pgsnap(&[&["dump"][..], args, &[db]].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("unrecognized option '--")
                && err.contains(&format!("--as-pg-dump={since} or later takes it")),
            "{args:?}: {err}"
        );
    }
    let (theirs, as_arg) = oracle_having(c, db, since, args);
    let mut ours = vec![KEY];
    ours.extend(as_arg.iter().map(String::as_str));
    ours.extend_from_slice(args);
    assert_same_dump(
        &theirs,
        &c.pgsnap_dump(db, &ours),
        &format!("pgsnap {args:?} against pg_dump {since} or the server's"),
    );
}

#[test]
fn and_children_switches_match_pg_dump_16s() {
    let c = cluster();
    let db = fixture_db(c);
    compare_having(c, &db, 16, &["--table-and-children=measurement"]);
    compare_having(
        c,
        &db,
        16,
        &["--table-and-children=base_item", "-t", "dcim_site"],
    );
    compare_having(c, &db, 16, &["--exclude-table-and-children=measurement"]);
    compare_having(c, &db, 16, &["--exclude-table-data-and-children=measur*"]);
    let mut args = vec![
        "dump",
        "--strict-names",
        "--table-and-children=nomatch",
        &db,
    ];
    if c.major() < 16 {
        args.push("--as-pg-dump=16");
    }
    let out = c.pgsnap(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("no matching tables were found for pattern \"nomatch\""),
        "{err}"
    );
}

#[test]
fn filter_file_matches_pg_dump_17s() {
    let c = cluster();
    let db = fixture_db(c);
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    let mut filter = |text: &str| {
        n += 1;
        let path = dir.path().join(format!("filter{n}.txt"));
        std::fs::write(&path, text).unwrap();
        format!("--filter={}", path.display())
    };
    let f = filter(
        "# the devices, without their rows\ninclude table dcim_*\nexclude table_data dcim_device\n",
    );
    compare_having(c, &db, 17, &[&f]);
    let f = filter(
        "exclude schema audit\n\n  EXCLUDE table_and_children measurement # partitions too\n",
    );
    compare_having(c, &db, 17, &[&f]);
    let f = filter("include schema audit\ninclude table \"Weird \"\"Name\"\"\"\n");
    compare_having(c, &db, 17, &[&f, "-s"]);
    // Filter files add to the switches given beside them.
    let f = filter("exclude table_data_and_children measurement\n");
    compare_having(
        c,
        &db,
        17,
        &["--exclude-table-data=extras_objectchange", &f],
    );
    let as17: Vec<&str> = if c.major() < 17 {
        vec!["--as-pg-dump=17"]
    } else {
        Vec::new()
    };
    // --exclude-extension (pg_dump 17) leaves out CREATE EXTENSION, never its members.
    let f = filter("exclude extension pg_trgm\n");
    let out =
        String::from_utf8(c.pgsnap_dump(&db, &[&[KEY, "-s", &f][..], &as17].concat())).unwrap();
    assert!(!out.contains("CREATE EXTENSION IF NOT EXISTS pg_trgm"));
    assert!(!out.contains("FUNCTION public.similarity"));
    assert!(out.contains("gin_trgm_ops"));
    // Standard input.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pgsnap"));
    c.env(&mut cmd);
    let mut child = cmd
        .args(["dump", KEY, "--filter=-", &db])
        .args(&as17)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"include table dcim_site\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (theirs, _) = oracle_having(c, &db, 17, &["-t", "dcim_site"]);
    assert_same_dump(&theirs, &out.stdout, "--filter=-");
    // Bad lines: pg_dump's message with the file and line, exit 1, nothing dumped.
    let f = filter("include table dcim_site\ninclude table_data dcim_site\n");
    let out = c.pgsnap(&[&["dump", &f, &db][..], &as17].concat());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("on line 2: include filter for \"table data\" is not allowed"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let out = c.pgsnap(&[&["dump", "--filter=/nonexistent/filter", &db][..], &as17].concat());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("could not open filter file \"/nonexistent/filter\""));
}

#[test]
fn extension_configuration_tables_match_pg_dump() {
    // What pg_extension_config_dump() records, set by hand on an installed extension: member
    // tables (one filtered, one referencing another) and a sequence whose data the dump keeps.
    let c = cluster();
    let db = c.fresh_db("extension_config");
    c.psql(
        &db,
        &[
            "-c",
            "CREATE EXTENSION pg_trgm; \
             CREATE TABLE public.cfg (id int PRIMARY KEY, v text, g int GENERATED ALWAYS AS (id * 2) STORED); \
             INSERT INTO public.cfg SELECT i, repeat('x', 100) FROM generate_series(1, 5000) i; \
             CREATE TABLE public.a_child (id int REFERENCES public.cfg, w text); \
             INSERT INTO public.a_child VALUES (3, 'x'); \
             CREATE SEQUENCE public.cfg_seq; SELECT setval('public.cfg_seq', 42); \
             ALTER EXTENSION pg_trgm ADD TABLE public.cfg; \
             ALTER EXTENSION pg_trgm ADD TABLE public.a_child; \
             ALTER EXTENSION pg_trgm ADD SEQUENCE public.cfg_seq; \
             UPDATE pg_catalog.pg_extension SET \
               extconfig = ARRAY['public.cfg'::regclass::oid, 'public.a_child'::regclass::oid, 'public.cfg_seq'::regclass::oid], \
               extcondition = ARRAY['WHERE id > 1', '', ''] WHERE extname = 'pg_trgm'; \
             CREATE TABLE public.plain (a int); INSERT INTO public.plain VALUES (5); \
             ANALYZE",
        ],
    )
    .expect("setup");
    compare_runs(
        c,
        &db,
        "extension configuration tables",
        &[
            &[],
            &["-a"],
            &["-s"],
            &["-n", "public"],
            &["-t", "cfg"],
            &["-t", "plain"],
            &["-T", "cfg"],
            &["-e", "pg_trgm"],
            &["--inserts"],
            &["-N", "public"],
            &["--exclude-table-data=cfg"],
        ],
    );
    // The filter holds whatever the workers and chunking do.
    assert_same_dump(
        &c.pg_dump(&db, &[KEY]),
        &c.pgsnap_dump(&db, &[KEY, "-j", "3", "--chunk-pages", "4"]),
        "extension configuration tables -j 3",
    );
}

#[test]
fn security_labels_match_pg_dump_and_restore() {
    let c = cluster();
    let Some(provider) = label_provider(c) else {
        return;
    };
    let load = format!("LOAD '{}'", provider.display());
    let db = fixture_db(c);
    let labels = format!(
        "SECURITY LABEL FOR pgsnap_test ON TABLE public.dcim_site IS 'secret'; \
         SECURITY LABEL FOR second ON TABLE public.dcim_site IS 'two'; \
         SECURITY LABEL FOR pgsnap_test ON COLUMN public.dcim_site.name IS 'it''s a column'; \
         SECURITY LABEL FOR pgsnap_test ON SCHEMA audit IS 's'; \
         SECURITY LABEL FOR pgsnap_test ON SCHEMA public IS 'p'; \
         SECURITY LABEL FOR pgsnap_test ON FUNCTION public.device_count(uuid) IS 'f'; \
         SECURITY LABEL FOR pgsnap_test ON TYPE public.status_choice IS 't'; \
         SECURITY LABEL FOR pgsnap_test ON DOMAIN public.short_text IS 'd'; \
         SECURITY LABEL FOR pgsnap_test ON VIEW public.site_summary IS 'v'; \
         SECURITY LABEL FOR pgsnap_test ON MATERIALIZED VIEW public.device_names IS 'm'; \
         SECURITY LABEL FOR pgsnap_test ON SEQUENCE public.ticket_seq IS 'q'; \
         SECURITY LABEL FOR pgsnap_test ON AGGREGATE public.concat_agg(text) IS 'a'; \
         SECURITY LABEL FOR pgsnap_test ON PROCEDURE public.purge_changes(interval) IS 'p'; \
         SECURITY LABEL FOR pgsnap_test ON EVENT TRIGGER ddl_log IS 'e'; \
         SECURITY LABEL FOR pgsnap_test ON PUBLICATION pub_all IS 'pub'; \
         SECURITY LABEL FOR pgsnap_test ON TABLE audit.log IS 'log'; \
         SECURITY LABEL FOR pgsnap_test ON LANGUAGE plpgsql IS 'l'; \
         SECURITY LABEL FOR pgsnap_test ON FUNCTION public.similarity(text, text) IS 'member'; \
         SECURITY LABEL FOR pgsnap_test ON DATABASE {db} IS 'db'; \
         CREATE TABLE lt (a int CONSTRAINT lt_chk CHECK (a > 0), b int); \
         COMMENT ON CONSTRAINT lt_chk ON lt IS 'c'; \
         SECURITY LABEL FOR second ON COLUMN lt.b IS 'only a column'; \
         CREATE TYPE comp AS (x int, y text); COMMENT ON COLUMN comp.x IS 'cx'; \
         SECURITY LABEL FOR pgsnap_test ON TYPE comp IS 'ct'; \
         SELECT lo_create(9911); COMMENT ON LARGE OBJECT 9911 IS 'loc'; \
         SECURITY LABEL FOR pgsnap_test ON LARGE OBJECT 9911 IS 'lo'"
    );
    c.psql(&db, &["-c", &load, "-c", &labels]).expect("labels");
    compare_runs(
        c,
        &db,
        "security labels",
        &[
            &[],
            &["-s"],
            &["-a"],
            &["-C"],
            &["--no-security-labels"],
            &["-n", "audit"],
            &["-t", "dcim_site", "-x", "-O", "--no-comments"],
            &["-c", "--if-exists"],
            &["--use-set-session-authorization"],
        ],
    );
    // Restored by psql (the provider LOADed first) and by pgsnap restore (preloaded through
    // PGOPTIONS), the labels come back.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("labels.sql");
    let file_s = file.to_string_lossy().to_string();
    c.pgsnap_dump(&db, &[KEY, "-f", &file_s]);
    let by_psql = c.fresh_db("labels_psql");
    c.psql(&by_psql, &["-c", &load, "-f", &file_s])
        .expect("restore with psql");
    let by_pgsnap = c.fresh_db("labels_pgsnap");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pgsnap"));
    c.env(&mut cmd);
    let out = cmd
        .env(
            "PGOPTIONS",
            format!("-c session_preload_libraries={}", provider.display()),
        )
        .args(["restore", "-d", &by_pgsnap, "-j", "2", &file_s])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // pg_dump orders one object's labels as its unstable sort leaves them, so the labels are
    // compared as a set, the rest of the schema as text.
    let labels_of = |db: &str| {
        c.psql(
            db,
            &[
                "-At",
                "-c",
                // Extension members' labels stay behind (plpgsql's, pg_trgm's), as with
                // pg_dump: of extension members only privileges are dumped.
                "SELECT objtype, objname, provider, label FROM pg_catalog.pg_seclabels \
                 WHERE objtype <> 'language' AND label <> 'member' ORDER BY 1, 2, 3",
            ],
        )
        .expect("labels")
    };
    // pg_dump 14 dumps only the public schema's privileges, not its label.
    let expected: String = labels_of(&db)
        .lines()
        .filter(|l| c.major() >= 15 || !l.starts_with("schema|public|"))
        .map(|l| format!("{l}\n"))
        .collect();
    for target in [&by_psql, &by_pgsnap] {
        assert_same_dump(
            &c.pg_dump(&db, &["-s", "--no-security-labels", KEY]),
            &c.pg_dump(target, &["-s", "--no-security-labels", KEY]),
            &format!("schema restored into {target}"),
        );
        assert_eq!(expected, labels_of(target), "labels restored into {target}");
    }
}

#[test]
fn client_encodings_match_pg_dump() {
    // A LATIN1 database is dumped in LATIN1 (pg_dump's default), or in what -E names; so is a
    // UTF8 one. Data comes converted by the workers' server sessions, the schema text by the
    // server's convert_to; names with accents go through the workers' COPY as U& escapes.
    let c = cluster();
    let latin1 = format!("latin1_{}", std::process::id());
    c.psql(
        "postgres",
        &[
            "-c",
            &format!("CREATE DATABASE {latin1} TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'"),
        ],
    )
    .expect("create LATIN1 database");
    let setup = "SET client_encoding = 'UTF8'; \
        CREATE TABLE café (näme text, n int); \
        INSERT INTO café SELECT 'crème brûlée ' || g, g FROM generate_series(1, 20000) g; \
        COMMENT ON TABLE café IS 'très bien'; \
        CREATE TYPE états AS ENUM ('été', 'hiver'); \
        CREATE FUNCTION fé() RETURNS text LANGUAGE sql AS $$ SELECT 'où' $$; \
        CREATE TABLE plain (a text); INSERT INTO plain VALUES ('ascii')";
    c.psql(&latin1, &["-c", setup]).expect("LATIN1 setup");
    compare_runs(
        c,
        &latin1,
        "LATIN1",
        &[
            &[],
            &["-E", "UTF8"],
            &["-E", "utf8", "-s"],
            &["--inserts"],
            &["--column-inserts", "-E", "UTF8"],
            &["-c", "--if-exists"],
        ],
    );
    assert_same_dump(
        &c.pg_dump(&latin1, &[KEY]),
        &c.pgsnap_dump(&latin1, &[KEY, "-j", "4", "--chunk-pages", "8"]),
        "LATIN1 split over workers",
    );
    let out = c.pgsnap(&["dump", "-E", "WIN1252", &latin1]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("invalid client encoding \"WIN1252\" specified"));
    let utf8 = c.fresh_db("utf8_encodings");
    c.psql(
        &utf8,
        &[
            "-c",
            "CREATE TABLE \"日本\" (\"列\" text, e text); INSERT INTO \"日本\" VALUES ('東京', 'えん'); \
             COMMENT ON TABLE \"日本\" IS 'テーブル'",
        ],
    )
    .expect("UTF8 setup");
    compare_runs(
        c,
        &utf8,
        "UTF8 database",
        &[
            &["-E", "EUC_JP"],
            &["-E", "SJIS", "-c"],
            &["-E", "EUC_JP", "--inserts"],
        ],
    );
    // A character the encoding lacks fails the dump, with the server's message, as pg_dump.
    c.psql(&utf8, &["-c", "INSERT INTO \"日本\" VALUES ('€', 'euro')"])
        .expect("euro");
    let out = c.pgsnap(&["dump", "-E", "EUC_JP", &utf8]);
    assert_eq!(out.status.code(), Some(SERVER));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("has no equivalent in encoding \"EUC_JP\"")
    );
    // The LATIN1 dump restores through psql and through pgsnap restore (which turns LATIN1
    // text into UTF8 for its connections), as does the -E UTF8 one; an EUC_JP script is
    // refused by pgsnap restore with its line.
    let dir = tempfile::tempdir().unwrap();
    let (in_latin1, in_utf8) = (dir.path().join("latin1.sql"), dir.path().join("utf8.sql"));
    c.pgsnap_dump(&latin1, &[KEY, "-f", &in_latin1.to_string_lossy()]);
    c.pgsnap_dump(
        &latin1,
        &[KEY, "-E", "UTF8", "-f", &in_utf8.to_string_lossy()],
    );
    let loads: [(&std::path::Path, &str); 4] = [
        (&in_latin1, "psql"),
        (&in_latin1, "1"),
        (&in_latin1, "4"),
        (&in_utf8, "2"),
    ];
    for (n, (file, how)) in loads.into_iter().enumerate() {
        let target = format!("{latin1}_restored_{n}");
        c.psql(
            "postgres",
            &["-c", &format!("CREATE DATABASE {target} TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'")],
        )
        .expect("create target");
        if how == "psql" {
            c.load(&target, file);
        } else {
            let out = c.pgsnap(&["restore", "-d", &target, "-j", how, &file.to_string_lossy()]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_same_dump(
            &c.pg_dump(&latin1, &[KEY]),
            &c.pg_dump(&target, &[KEY]),
            &format!("LATIN1 database restored from {} by {how}", file.display()),
        );
    }
    c.psql(&utf8, &["-c", "DELETE FROM \"日本\" WHERE e = 'euro'"])
        .expect("no euro");
    let euc = dir.path().join("euc.sql");
    c.pgsnap_dump(&utf8, &[KEY, "-E", "EUC_JP", "-f", &euc.to_string_lossy()]);
    let refused = c.fresh_db("refused");
    let out = c.pgsnap(&["restore", "-d", &refused, &euc.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the script is written in encoding EUC_JP"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn constraint_index_properties_and_default_privileges_match_pg_dump() {
    let c = cluster();
    let db = c.fresh_db("conidx");
    // A tablespace for one constraint's index (its directory owned by the server's user).
    let ts_dir = c.socket_dir.join(format!("ts_{db}"));
    std::fs::create_dir_all(&ts_dir).unwrap();
    if pgsnap::bench::cluster::is_root() {
        let st = std::process::Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&ts_dir)
            .status()
            .unwrap();
        assert!(st.success());
    }
    let ts = format!("ts_{db}");
    c.psql(
        "postgres",
        &[
            "-c",
            &format!("CREATE TABLESPACE {ts} LOCATION '{}'", ts_dir.display()),
            "-c",
            "DO $$BEGIN \
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgsnap_dp1') THEN CREATE ROLE pgsnap_dp1; END IF; \
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgsnap_dp2') THEN CREATE ROLE pgsnap_dp2; END IF; \
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgsnap_dp3') THEN CREATE ROLE pgsnap_dp3; END IF; \
             END$$",
        ],
    )
    .unwrap();
    // NULLS NOT DISTINCT came with 15.
    let nulls = if c.major() >= 15 {
        "NULLS NOT DISTINCT "
    } else {
        ""
    };
    c.psql(
        &db,
        &[
            "-c",
            &format!(
                "CREATE TABLE ci (id int, a int, b int, c text, r int4range); \
                 INSERT INTO ci SELECT g, g, g, 'c' || g, int4range(g, g + 1) FROM generate_series(1, 100) g; \
                 ALTER TABLE ci ADD CONSTRAINT ci_pk PRIMARY KEY (id) INCLUDE (c) WITH (fillfactor = 80) USING INDEX TABLESPACE {ts}; \
                 ALTER TABLE ci ADD CONSTRAINT ci_u UNIQUE {nulls}(a, b) WITH (fillfactor = 70, deduplicate_items = off) DEFERRABLE INITIALLY DEFERRED; \
                 ALTER TABLE ci ADD CONSTRAINT ci_u2 UNIQUE (b) DEFERRABLE; \
                 ALTER TABLE ci ADD CONSTRAINT ci_u3 UNIQUE (c) USING INDEX TABLESPACE {ts}; \
                 ALTER TABLE ci ADD CONSTRAINT ci_x EXCLUDE USING gist (r WITH &&) WITH (fillfactor = 60); \
                 CREATE SCHEMA s1; CREATE SCHEMA s2; \
                 ALTER DEFAULT PRIVILEGES FOR ROLE pgsnap_dp2 IN SCHEMA s1 GRANT SELECT ON TABLES TO pgsnap_dp3; \
                 ALTER DEFAULT PRIVILEGES FOR ROLE pgsnap_dp1 GRANT USAGE ON SEQUENCES TO pgsnap_dp2; \
                 ALTER DEFAULT PRIVILEGES FOR ROLE pgsnap_dp1 IN SCHEMA s2 GRANT EXECUTE ON FUNCTIONS TO pgsnap_dp3; \
                 ALTER DEFAULT PRIVILEGES FOR ROLE pgsnap_dp2 REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC; \
                 ALTER DEFAULT PRIVILEGES FOR ROLE pgsnap_dp3 IN SCHEMA s1 GRANT ALL ON TYPES TO pgsnap_dp1; \
                 ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT SELECT ON TABLES TO pgsnap_dp1; \
                 ALTER DEFAULT PRIVILEGES FOR ROLE pgsnap_dp1 IN SCHEMA s1 GRANT SELECT, UPDATE ON TABLES TO pgsnap_dp2; \
                 ALTER DEFAULT PRIVILEGES FOR ROLE pgsnap_dp1 GRANT USAGE ON SCHEMAS TO pgsnap_dp2"
            ),
        ],
    )
    .unwrap();
    compare_runs(c, &db, "constraint indexes", &[&[], &["-s"], &["-c"]]);
    assert_same_dump(
        &c.pg_dump(&db, &[KEY]),
        &c.pgsnap_dump(&db, &[KEY, "-j", "4"]),
        "constraint indexes -j 4",
    );
    // Restored in parallel, each index lands in its tablespace and keeps its parameters.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.sql");
    std::fs::write(&file, c.pg_dump(&db, &[KEY])).unwrap();
    for jobs in ["1", "4"] {
        let target = c.fresh_db("conidx_restored");
        let out = c.pgsnap(&[
            "restore",
            "-j",
            jobs,
            "-d",
            &target,
            &file.to_string_lossy(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same_database(c, &db, &target, &format!("constraint indexes -j {jobs}"));
        let placed = c
            .psql(
                &target,
                &["-At", "-c", "SELECT string_agg(c.relname || ':' || coalesce(t.spcname, '-'), ',' ORDER BY c.relname) \
                   FROM pg_class c LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace WHERE c.relname LIKE 'ci_%'"],
            )
            .unwrap();
        assert_eq!(
            placed.trim(),
            format!("ci_pk:{ts},ci_u:-,ci_u2:-,ci_u3:{ts},ci_x:-"),
            "-j {jobs}: index tablespaces"
        );
    }
}

/// Runs `command` on a pseudo-terminal of 80 columns; returns what it drew, each screen line
/// (split at carriage returns and newlines) without its escape sequences.
fn on_80_column_terminal(c: &Cluster, command: &str) -> Vec<String> {
    let mut cmd = std::process::Command::new("script");
    c.env(&mut cmd);
    let out = cmd
        .args([
            "-qec",
            &format!("stty cols 80 rows 24; {command}"),
            "/dev/null",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script(1) from util-linux");
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut plain = String::new();
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '\u{1b}' {
            // CSI: ESC [ parameters final-byte.
            if chars.peek() == Some(&'[') {
                chars.next();
                for f in chars.by_ref() {
                    if ('@'..='~').contains(&f) {
                        break;
                    }
                }
            }
            continue;
        }
        plain.push(ch);
    }
    plain
        .split(['\r', '\n'])
        .map(str::to_string)
        .filter(|l| !l.trim().is_empty())
        .collect()
}

#[test]
fn progress_fits_the_terminal_and_ends_with_a_summary() {
    let c = cluster();
    let db = fixture_db(c);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.sql");
    let bin = env!("CARGO_BIN_EXE_pgsnap");
    let lines = on_80_column_terminal(c, &format!("{bin} dump -j 2 -f '{}' {db}", file.display()));
    // The bar's lines (the summary names a path of any length and may wrap, once).
    let bars: Vec<&String> = lines.iter().filter(|l| !l.starts_with("pgsnap:")).collect();
    assert!(!bars.is_empty(), "{lines:?}");
    for l in &bars {
        assert!(l.chars().count() <= 80, "wider than the terminal: {l:?}");
        assert!(!l.contains("ETA"), "an ETA on a dump of a second: {l:?}");
    }
    assert!(lines.iter().any(|l| l.contains("100%")), "{lines:?}");
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("pgsnap: dumped ")
            && last.contains(" tables, ")
            && last.contains(" MB in ")
            && last.contains("MB/s) to ")
            && last.contains(&file.display().to_string()),
        "{last:?}"
    );
    // A restore's bar counts the tables it loads (their total is not known ahead).
    let target = c.fresh_db("pty_restore");
    let lines = on_80_column_terminal(
        c,
        &format!("{bin} restore -d {target} '{}'", file.display()),
    );
    for l in lines.iter().filter(|l| !l.starts_with("pgsnap:")) {
        assert!(l.chars().count() <= 80, "wider than the terminal: {l:?}");
        assert!(!l.contains("tables 0/0"), "{l:?}");
    }
    assert!(lines.iter().any(|l| l.contains("100%")), "{lines:?}");
    assert!(
        lines.last().unwrap().starts_with("pgsnap: restored "),
        "{lines:?}"
    );
}

/// pg_dump `major`'s client programs, unpacked by scripts/ensure-pg-majors.sh; panics with how
/// to get them.
fn newer_pg_dump(major: u32) -> std::path::PathBuf {
    let dir = std::env::var_os("PGSNAP_PG_MAJORS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pg-majors"));
    let mut pg_dump = dir.join(format!("{major}/client/bin/pg_dump"));
    let system = std::path::PathBuf::from(format!("/usr/lib/postgresql/{major}/bin/pg_dump"));
    if !pg_dump.exists() && system.exists() {
        // The system's own major (15 on Debian 12) is not unpacked.
        pg_dump = system;
    }
    assert!(
        pg_dump.exists(),
        "{} is missing: run `bash scripts/ensure-pg-majors.sh` (scripts/test.sh does)",
        pg_dump.display()
    );
    pg_dump
}

#[test]
fn as_pg_dump_writes_what_newer_pg_dumps_write_for_this_server() {
    let c = cluster();
    let kinds = c.fresh_db("as_kinds");
    c.load(&kinds, &fixtures().join("schemas/02-object-kinds.sql"));
    let fixture = fixture_db(c);
    let mut dbs = vec![kinds, fixture];
    dbs.extend(pagila_db(c));
    dbs.extend(netbox_db(c));
    let server = c.major();
    for major in (server + 1)..=18 {
        let pg_dump = newer_pg_dump(major);
        let as_arg = format!("--as-pg-dump={major}");
        for db in &dbs {
            for flags in [&[][..], &["-s"], &["-c", "--if-exists"]] {
                let mut cmd = std::process::Command::new(&pg_dump);
                c.env(&mut cmd);
                let out = cmd.arg(KEY).args(flags).arg(db).output().unwrap();
                assert!(
                    out.status.success(),
                    "pg_dump {major}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let mut args = vec![KEY, as_arg.as_str()];
                args.extend_from_slice(flags);
                let ours = c.pgsnap_dump(db, &args);
                assert_same_dump(
                    &out.stdout,
                    &ours,
                    &format!("{db} {flags:?} as pg_dump {major}"),
                );
            }
        }
    }
    // A pg_dump older than the server refuses it; so does --as-pg-dump.
    if server > 15 {
        let db = &dbs[0];
        let out = c.pgsnap(&["dump", "--as-pg-dump=15", db]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("server version mismatch"), "{err}");
    }
    let out = c.pgsnap(&["dump", "--as-pg-dump=12", &dbs[0]]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn newer_pg_dump_options_follow_the_major_whose_text_is_written() {
    let c = cluster();
    // The fixture has row security and policies.
    let db = fixture_db(c);
    let server = c.major();
    for (flag, others, since) in [
        ("--no-policies", None, 18),
        ("--no-data", None, 18),
        ("--no-schema", None, 18),
        ("--sequence-data", Some("-s"), 18),
        ("--sequence-data", Some("--no-data"), 18),
        ("--no-statistics", None, 18),
        ("--sync-method=fsync", None, 17),
        ("--large-objects", None, 16),
        ("--no-large-objects", None, 16),
        ("--no-table-access-method", None, 15),
    ] {
        let args: Vec<&str> = [KEY, flag].into_iter().chain(others).collect();
        if server >= since {
            let expected = c.pg_dump(&db, &args);
            assert_same_dump(&expected, &c.pgsnap_dump(&db, &args), flag);
            continue;
        }
        // The server's own pg_dump has no such option: refused in its words, with the way out.
        let out = c.pgsnap(&["dump", flag, &db]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{flag}: {err}");
        let name = flag.split('=').next().unwrap_or(flag);
        assert!(
            err.contains(&format!("unrecognized option '{name}'"))
                && err.contains(&format!("--as-pg-dump={since}")),
            "{flag}: {err}"
        );
        // As the pg_dump that has it.
        let mut cmd = std::process::Command::new(newer_pg_dump(since));
        c.env(&mut cmd);
        let theirs = cmd.args(&args).arg(&db).output().unwrap();
        assert!(theirs.status.success(), "pg_dump {since} {flag}");
        let as_arg = format!("--as-pg-dump={since}");
        let ours = c.pgsnap_dump(&db, &[&args[..], &[as_arg.as_str()]].concat());
        assert_same_dump(&theirs.stdout, &ours, &format!("{flag} as pg_dump {since}"));
    }
    let out = c.pgsnap(&["dump", "--sync-method=sometimes", &db]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unrecognized sync method: sometimes"), "{err}");
}

/// The COPY rows of `table` in a dump, sorted.
fn copy_rows(dump: &[u8], table: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(dump);
    let start = format!("COPY {table} ");
    let mut rows: Vec<String> = text
        .lines()
        .skip_while(|l| !l.starts_with(&start))
        .skip(1)
        .take_while(|l| *l != "\\.")
        .map(str::to_string)
        .collect();
    rows.sort();
    rows
}

#[test]
fn row_filters_keep_exactly_the_rows_their_condition_selects() {
    let c = cluster();
    let db = c.fresh_db("row_filters");
    c.psql(
        &db,
        &[
            "-c",
            "CREATE TABLE big (id int PRIMARY KEY, note text); \
             INSERT INTO big SELECT g, repeat('x', g % 50) FROM generate_series(1, 60000) g; \
             CREATE TABLE parent (id int PRIMARY KEY); INSERT INTO parent VALUES (1), (2); \
             CREATE TABLE child (p int REFERENCES parent); INSERT INTO child VALUES (1); \
             ANALYZE",
        ],
    )
    .expect("set up");
    let expected = {
        let rows = c
            .psql(
                &db,
                &[
                    "-At",
                    "-c",
                    "COPY (SELECT * FROM big WHERE id % 7 = 0) TO STDOUT",
                ],
            )
            .unwrap();
        let mut rows: Vec<String> = rows.lines().map(str::to_string).collect();
        rows.sort();
        rows
    };
    assert_eq!(expected.len(), 60000 / 7);
    for extra in [
        &["-j", "1"][..],
        &["-j", "4"],
        // Small ranges: the big table is copied in many parts, each filtered.
        &["-j", "4", "--chunk-pages", "8"],
    ] {
        let mut args = vec![KEY, "--table-data-where=big:id % 7 = 0"];
        args.extend_from_slice(extra);
        let dump = c.pgsnap_dump(&db, &args);
        assert_eq!(copy_rows(&dump, "public.big"), expected, "{extra:?}");
        // The other tables are whole.
        assert_eq!(copy_rows(&dump, "public.parent").len(), 2, "{extra:?}");
    }
    // The same through a filter file line.
    let dir = tempfile::tempdir().unwrap();
    let filter = dir.path().join("f.txt");
    std::fs::write(&filter, "include table_data_where big id % 7 = 0\n").unwrap();
    let filter_arg = format!("--filter={}", filter.display());
    let mut args = vec![KEY, filter_arg.as_str()];
    if c.major() < 17 {
        args.push("--as-pg-dump=17");
    }
    let dump = c.pgsnap_dump(&db, &args);
    assert_eq!(copy_rows(&dump, "public.big"), expected);
    // A table that foreign keys reference: refused unless --force.
    let out = c.pgsnap(&["dump", "--table-data-where=parent:id = 2", &db]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("public.parent") && err.contains("public.child"),
        "{err}"
    );
    let dump = c.pgsnap_dump(&db, &[KEY, "--force", "--table-data-where=parent:id = 2"]);
    assert_eq!(copy_rows(&dump, "public.parent"), vec!["2".to_string()]);
    // A condition the server cannot run names the table and the server's reason.
    let out = c.pgsnap(&["dump", "--table-data-where=big:no_such_column > 1", &db]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("public.big") && err.contains("no_such_column"),
        "{err}"
    );
}

#[test]
fn snapshot_carries_the_roles_and_tablespaces_its_database_needs() {
    let c = cluster();
    for s in [
        "DO $$ BEGIN CREATE ROLE snapg_owner LOGIN PASSWORD 'pw'; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        "DO $$ BEGIN CREATE ROLE snapg_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        "DO $$ BEGIN CREATE ROLE snapg_writer; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        "DO $$ BEGIN CREATE ROLE snapg_group; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        "DO $$ BEGIN CREATE ROLE snapg_unrelated; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        "GRANT snapg_group TO snapg_reader",
    ] {
        c.psql("postgres", &["-c", s]).expect(s);
    }
    let db = c.fresh_db("snap_globals");
    for s in [
        format!("ALTER DATABASE {db} OWNER TO snapg_owner"),
        "CREATE TABLE t (x int)".to_string(),
        "ALTER TABLE t OWNER TO snapg_owner".to_string(),
        "GRANT SELECT ON t TO snapg_reader".to_string(),
        "GRANT INSERT ON t TO snapg_writer".to_string(),
    ] {
        c.psql(&db, &["-c", &s]).expect(&s);
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let o = c.pgsnap(&["snapshot", KEY, "-o", &out.to_string_lossy(), &db]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let globals = std::fs::read_to_string(out.join("globals.sql")).unwrap();
    for role in ["snapg_owner", "snapg_reader", "snapg_writer", "snapg_group"] {
        assert!(
            globals.contains(&format!("CREATE ROLE {role};")),
            "{role} missing:\n{globals}"
        );
    }
    assert!(
        globals.contains("GRANT snapg_group TO snapg_reader"),
        "{globals}"
    );
    // 13 encrypts passwords with md5 by default.
    assert!(
        globals.contains("PASSWORD 'SCRAM-SHA-256") || globals.contains("PASSWORD 'md5"),
        "{globals}"
    );
    assert!(!globals.contains("snapg_unrelated"), "{globals}");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"globals.sql\""), "{manifest}");
    // --no-role-passwords passes through.
    let out2 = dir.path().join("snap2");
    let o = c.pgsnap(&[
        "snapshot",
        "--no-role-passwords",
        KEY,
        "-o",
        &out2.to_string_lossy(),
        &db,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let globals2 = std::fs::read_to_string(out2.join("globals.sql")).unwrap();
    assert!(!globals2.contains("PASSWORD"), "{globals2}");
    // A changed byte is caught.
    let mut bytes = std::fs::read(out.join("globals.sql")).unwrap();
    bytes[10] ^= 0x20;
    std::fs::write(out.join("globals.sql"), bytes).unwrap();
    let bad = c.pgsnap(&["snapshot", "verify", &out.to_string_lossy()]);
    assert_eq!(bad.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("globals.sql"));
}

#[test]
fn statistics_match_pg_dump_18() {
    // pg_dump 18's --statistics and --statistics-only: on an 18 server against its own
    // pg_dump, on older ones against pg_dump 18 with --as-pg-dump=18. VACUUM ANALYZE first,
    // so that autovacuum has nothing left to change between the two dumps.
    let c = cluster();
    let db = fixture_db(c);
    c.psql(&db, &["-c", "VACUUM ANALYZE"]).expect("analyze");
    let mut dbs = vec![(db, "fixture")];
    if let Some(pagila) = pagila_db(c) {
        c.psql(&pagila, &["-c", "VACUUM ANALYZE"]).expect("analyze");
        dbs.push((pagila, "pagila"));
    }
    let as_18: &[&str] = if c.major() >= 18 {
        &[]
    } else {
        &["--as-pg-dump=18"]
    };
    for (db, what) in &dbs {
        for flags in [
            &["--statistics"][..],
            &["--statistics-only"],
            &["--statistics", "-c", "--if-exists"],
        ] {
            let args: Vec<&str> = [KEY].iter().chain(flags).copied().collect();
            let expected = if c.major() >= 18 {
                c.pg_dump(db, &args)
            } else {
                let mut cmd = std::process::Command::new(newer_pg_dump(18));
                c.env(&mut cmd);
                let out = cmd.args(&args).arg(db).output().unwrap();
                assert!(out.status.success(), "pg_dump 18 {flags:?}");
                out.stdout
            };
            for jobs in ["1", "4"] {
                let ours: Vec<&str> = args
                    .iter()
                    .chain(as_18)
                    .copied()
                    .chain(["-j", jobs])
                    .collect();
                assert_same_dump(
                    &expected,
                    &c.pgsnap_dump(db, &ours),
                    &format!("{what} {flags:?} -j {jobs}"),
                );
            }
        }
    }
    // pg_dump 18's own rules for the switches.
    for (args, message) in [
        (
            &["--statistics", "-s"][..],
            "options -s/--schema-only and --statistics cannot be used together",
        ),
        (
            &["--statistics-only", "-a"],
            "options -a/--data-only and --statistics-only cannot be used together",
        ),
        (
            &["--statistics", "--no-statistics"],
            "options --statistics and --no-statistics cannot be used together",
        ),
    ] {
        let db = dbs[0].0.as_str();
        let all: Vec<&str> = ["dump"].iter().chain(args).copied().chain([db]).collect();
        let out = c.pgsnap(&[&all[..], as_18].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
}
