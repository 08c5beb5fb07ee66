//! `pgsnap restore` against real dumps: the restored database equals the source.

mod common;

use common::*;
use std::path::Path;

const KEY: &str = "--restrict-key=R";

fn restore(c: &Cluster, file: &Path, db: &str, extra: &[&str]) -> std::process::Output {
    let f = file.to_string_lossy().to_string();
    let mut args = vec!["restore", "-d", db];
    args.extend_from_slice(extra);
    args.push(&f);
    c.pgsnap(&args)
}

fn round_trip(c: &Cluster, source: &str, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let by_pg_dump = dir.path().join("pg_dump.sql");
    std::fs::write(&by_pg_dump, c.pg_dump(source, &[KEY])).unwrap();
    let by_pgsnap = dir.path().join("pgsnap.sql.zst");
    c.pgsnap_dump(
        source,
        &[KEY, "-j", "2", "-f", &by_pgsnap.to_string_lossy()],
    );
    for (file, jobs) in [
        (&by_pg_dump, "1"),
        (&by_pg_dump, "4"),
        (&by_pgsnap, "1"),
        (&by_pgsnap, "4"),
    ] {
        let target = c.fresh_db("restored");
        let out = restore(c, file, &target, &["-j", jobs]);
        assert!(
            out.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same_database(
            c,
            source,
            &target,
            &format!("{what} from {} -j {jobs}", file.display()),
        );
    }
}

#[test]
fn progress_json_reports_every_loaded_table() {
    let c = cluster();
    let db = fixture_db(c);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fixture.sql");
    let dump = c.pg_dump(&db, &[KEY]);
    let copies = String::from_utf8_lossy(&dump)
        .lines()
        .filter(|l| l.starts_with("-- Data for Name: ") && l.contains("; Type: TABLE DATA;"))
        .count();
    std::fs::write(&file, &dump).unwrap();
    for jobs in ["1", "2"] {
        let target = c.fresh_db("progress");
        let out = restore(c, &file, &target, &["-j", jobs, "--progress=json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let events = String::from_utf8_lossy(&out.stderr).to_string();
        let ends = events
            .lines()
            .filter(|l| l.contains("\"event\":\"table_end\""))
            .count();
        assert_eq!(
            ends, copies,
            "-j {jobs}: one table_end per COPY block:\n{events}"
        );
        assert!(events.contains(&format!("\"tables_done\":{copies}")));
    }
}

#[test]
fn create_dump_recreates_the_database() {
    let c = cluster();
    let db = fixture_db(c);
    for sql in [
        format!("COMMENT ON DATABASE {db} IS 'fixture'"),
        format!("ALTER DATABASE {db} SET work_mem = '8MB'"),
        format!("ALTER DATABASE {db} CONNECTION LIMIT 9"),
    ] {
        c.psql(&db, &["-c", &sql]).expect("setup");
    }
    let before = c.pg_dump(&db, &["-C", KEY]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("created.sql");
    c.pgsnap_dump(&db, &["-C", "-f", &file.to_string_lossy()]);
    c.psql("postgres", &["-c", &format!("DROP DATABASE {db}")])
        .expect("drop");
    // Without --create such a script is refused before it changes anything.
    let out = restore(c, &file, "postgres", &["-j", "2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--create") && err.contains("created.sql:"),
        "{err}"
    );
    assert!(
        c.psql(
            "postgres",
            &[
                "-Atc",
                &format!("SELECT count(*) FROM pg_database WHERE datname = '{db}'")
            ]
        )
        .expect("count")
        .trim()
            == "0"
    );
    // With --create the script creates the database and \connects to it, as with psql.
    // --keep-row-order: the data reads back in the same order, so the whole dump is identical.
    let out = restore(
        c,
        &file,
        "postgres",
        &["-j", "2", "--create", "--keep-row-order"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_dump(&before, &c.pg_dump(&db, &["-C", KEY]), "-C round trip");
}

#[test]
fn fixture_restores_identically() {
    let c = cluster();
    let db = fixture_db(c);
    round_trip(c, &db, "fixture");
    // Owners set by SET SESSION AUTHORIZATION (on the connection that runs the definitions,
    // while workers build indexes), with -c --if-exists into an empty database.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessauth.sql");
    c.pgsnap_dump(
        &db,
        &[
            KEY,
            "--use-set-session-authorization",
            "-c",
            "--if-exists",
            "-f",
            &file.to_string_lossy(),
        ],
    );
    for jobs in ["1", "4"] {
        let target = c.fresh_db("sessauth");
        // The schema's owner creates it: it needs CREATE on the database, as with psql.
        c.psql(
            &target,
            &[
                "-c",
                &format!("GRANT CREATE ON DATABASE {target} TO pgsnap_app"),
            ],
        )
        .expect("grant");
        let out = restore(c, &file, &target, &["-j", jobs]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same_database(
            c,
            &db,
            &target,
            &format!("--use-set-session-authorization -j {jobs}"),
        );
    }
}

#[test]
fn tables_split_over_connections_restore_identically() {
    // Tiny parts force every table with data into many COPY statements loaded at once.
    let c = cluster();
    let mut sources = vec![fixture_db(c)];
    sources.extend(pagila_db(c));
    for db in sources {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dump.sql");
        std::fs::write(&file, c.pg_dump(&db, &[KEY])).unwrap();
        let target = c.fresh_db("split");
        let out = restore(
            c,
            &file,
            &target,
            &["-j", "3", "--part-bytes", "2000", "--progress=json"],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{db}: {err}");
        // Each table still reports its start and end once.
        let starts = err.matches("\"table_start\"").count();
        let ends = err.matches("\"table_end\"").count();
        assert!(
            starts > 0 && starts == ends,
            "{db}: {starts} starts, {ends} ends"
        );
        assert_same_database(c, &db, &target, &format!("{db} split in parts"));
    }
}

#[test]
fn corpus_restores_identically() {
    let c = cluster();
    if let Some(db) = pagila_db(c) {
        round_trip(c, &db, "pagila");
    }
    if let Some(db) = netbox_db(c) {
        round_trip(c, &db, "netbox");
    }
}

#[test]
fn seed_flow_with_clean_database() {
    let c = cluster();
    let db = fixture_db(c);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nautobot.sql");
    let target = c.fresh_db("nautobot");
    c.psql(&target, &["-c", "CREATE TABLE stale (x int)"])
        .unwrap();
    // The seed's dump / drop / create / load, with no PostgreSQL client program on PATH.
    let no_clients = dir.path().join("empty-bin");
    std::fs::create_dir(&no_clients).unwrap();
    let without_clients = |args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pgsnap"));
        c.env(&mut cmd);
        cmd.env("PATH", &no_clients).args(args);
        cmd.output().expect("run pgsnap")
    };
    let file_arg = file.to_string_lossy().to_string();
    let out = without_clients(&["dump", KEY, "-f", &file_arg, &db]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = without_clients(&["restore", "--clean-database", "-d", &target, &file_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_database(c, &db, &target, "clean-database restore");
    // A database with other sessions is not dropped without --force.
    let mut busy = std::process::Command::new(c.client("psql"));
    c.env(&mut busy);
    let mut child = busy
        .args(["-X", "-d", &target, "-c", "SELECT pg_sleep(30)"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let out = restore(c, &file, &target, &["--clean-database"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("other session"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = restore(c, &file, &target, &["--clean-database", "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn bad_scripts_stop_with_the_line_number() {
    let c = cluster();
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // A statement the server refuses exits 3 (psql's ON_ERROR_STOP code); a script pgsnap
        // cannot run, 1.
        ("CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);\nSELECT nonsense_function();\nCREATE TABLE b (x int);\n", "bad.sql:3:", "nonsense_function", 3),
        ("CREATE TABLE a (x int);\nCOPY a (x) FROM stdin;\n1\n2\n", "bad.sql:2:", "truncated", 1),
        ("CREATE TABLE a (x int);\n\\! ls\nCREATE TABLE b (x int);\n", "bad.sql:2:", "not allowed", 1),
    ];
    for (script, line, needle, code) in cases {
        let file = dir.path().join("bad.sql");
        std::fs::write(&file, script).unwrap();
        for extra in [&[][..], &["--single-transaction"][..]] {
            let target = c.fresh_db("bad");
            let out = restore(c, &file, &target, extra);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(code), "{script:?} {extra:?}: {err}");
            assert!(
                err.contains(line) && err.contains(needle),
                "{script:?}: {err}"
            );
            let tables = c
                .psql(
                    &target,
                    &[
                        "-At",
                        "-c",
                        "SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b')",
                    ],
                )
                .unwrap();
            if extra.is_empty() {
                assert_eq!(
                    tables.trim(),
                    "1",
                    "without a transaction, what ran before the error stays"
                );
            } else {
                assert_eq!(
                    tables.trim(),
                    "0",
                    "--single-transaction must commit nothing"
                );
            }
        }
    }
}

/// A pg_dump-style entry: its header comment (which gives the statement its TOC type) and SQL.
fn entry(kind: &str, sql: &str) -> String {
    format!("--\n-- Name: x; Type: {kind}; Schema: public; Owner: -\n--\n\n{sql}\n\n")
}

#[test]
fn statements_sharing_a_round_trip_behave_as_one_by_one() {
    let c = cluster();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("entries.sql");
    // A new enum value cannot be used in the transaction that adds it, and CREATE INDEX
    // CONCURRENTLY cannot run in one at all: batched, both must still work.
    let good = [
        entry("TABLE", "CREATE TABLE public.a (x int);"),
        entry("TYPE", "CREATE TYPE public.e AS ENUM ('x');"),
        entry("TYPE", "ALTER TYPE public.e ADD VALUE 'y';"),
        entry("TABLE", "CREATE TABLE public.b (v public.e DEFAULT 'y');"),
        entry(
            "INDEX",
            "CREATE INDEX CONCURRENTLY a_x ON public.a USING btree (x);",
        ),
        entry("INDEX", "CREATE INDEX b_v ON public.b USING btree (v);"),
    ]
    .concat();
    std::fs::write(&file, &good).unwrap();
    let target = c.fresh_db("entries");
    let out = restore(c, &file, &target, &["-j", "2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made = c
        .psql(&target, &["-At", "-c", "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('a', 'b', 'a_x', 'b_v')"])
        .unwrap();
    assert_eq!(made.trim(), "a,a_x,b,b_v");
    // An error in the middle: what came before is committed, nothing after runs, and the
    // error names the failing statement's line.
    let bad = [
        entry("TABLE", "CREATE TABLE public.a (x int);"),
        entry("TABLE", "CREATE TABLE public.b (x no_such_type);"),
        entry("TABLE", "CREATE TABLE public.c (x int);"),
    ]
    .concat();
    std::fs::write(&file, &bad).unwrap();
    let target = c.fresh_db("entries_bad");
    let out = restore(c, &file, &target, &["-j", "2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("entries.sql:11:") && err.contains("no_such_type"),
        "{err}"
    );
    let made = c
        .psql(&target, &["-At", "-c", "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('a', 'b', 'c')"])
        .unwrap();
    assert_eq!(made.trim(), "a");
}

#[test]
fn regression_database_dump_restores_identically() {
    // pg_dump's and pgsnap's plain dumps of the PostgreSQL regression database exercise every
    // corner of the script splitter (rules, policies, operators, dollar quoting, odd names,
    // COPY data, large objects) and of parallel loading.
    let c = cluster();
    let Some(db) = regression_db(c) else { return };
    let dir = tempfile::tempdir().unwrap();
    let by_pg_dump = dir.path().join("regression.sql");
    std::fs::write(&by_pg_dump, c.pg_dump(&db, &[KEY])).unwrap();
    let by_pgsnap = dir.path().join("regression-pgsnap.sql");
    c.pgsnap_dump(&db, &[KEY, "-j", "2", "-f", &by_pgsnap.to_string_lossy()]);
    for (file, jobs) in [
        (&by_pg_dump, "1"),
        (&by_pg_dump, "4"),
        (&by_pgsnap, "1"),
        (&by_pgsnap, "4"),
    ] {
        let target = c.fresh_db("reg_restored");
        let out = restore(c, file, &target, &["-j", jobs]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let what = format!("regression from {} -j {jobs}", file.display());
        assert_same_dump(
            &c.pg_dump(&db, &["-s", KEY]),
            &c.pg_dump(&target, &["-s", KEY]),
            &format!("{what}: schema"),
        );
        if jobs == "1" {
            // One connection keeps the rows' order: the data dumps (large objects included)
            // match byte for byte.
            assert!(
                c.pg_dump(&db, &["-a", KEY]) == c.pg_dump(&target, &["-a", KEY]),
                "{what}: data"
            );
        } else {
            assert_eq!(
                c.data_fingerprint(&db),
                c.data_fingerprint(&target),
                "{what}: data"
            );
        }
    }
}

#[test]
fn compressed_files_and_stdin_restore_identically() {
    // gzip, lz4 and zstd are recognised by their magic bytes, whatever the file is called;
    // `-` reads the script from stdin.
    let c = cluster();
    let db = fixture_db(c);
    let dir = tempfile::tempdir().unwrap();
    for (method, name) in [("gzip", "a.sql.gz"), ("lz4", "b.lz4"), ("zstd", "c.dump")] {
        let file = dir.path().join(name);
        c.pgsnap_dump(&db, &[KEY, "-Z", method, "-f", &file.to_string_lossy()]);
        let target = c.fresh_db("compressed");
        let out = restore(c, &file, &target, &["-j", "2"]);
        assert!(
            out.status.success(),
            "{method}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same_database(c, &db, &target, &format!("restore of a {method} dump"));
    }
    let plain = c.pg_dump(&db, &[KEY]);
    let target = c.fresh_db("from_stdin");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pgsnap"));
    c.env(&mut cmd);
    let mut child = cmd
        .args(["restore", "-d", &target, "-"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&plain).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "stdin: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_database(c, &db, &target, "restore from stdin");
}

/// What a database holds, to compare two restores that stopped at an error: every relation's
/// name and every table's row count and checksum.
fn contents(c: &Cluster, db: &str) -> String {
    let relations = c
        .psql(
            db,
            &[
                "-At",
                "-c",
                "SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname) FROM pg_class \
                 WHERE relnamespace = 'public'::regnamespace",
            ],
        )
        .unwrap();
    format!("{relations}\n{}", c.data_fingerprint(db))
}

#[test]
fn a_failed_restore_commits_what_psql_commits() {
    let c = cluster();
    let source = c.fresh_db("partial_src");
    let mut setup = String::new();
    for t in ["a1", "a2", "a3", "bad", "z1", "z2", "z3"] {
        setup.push_str(&format!(
            "CREATE TABLE {t} (id int PRIMARY KEY, v text); \
             INSERT INTO {t} SELECT g, 'row ' || g FROM generate_series(1, 3000) g; \
             CREATE INDEX {t}_v ON {t} (v);"
        ));
    }
    c.psql(&source, &["-c", &setup]).unwrap();
    let dump = String::from_utf8(c.pg_dump(&source, &[KEY])).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A row of `bad` loses its second column; the file line of that row is what errors name.
    let copy_at = dump.find("COPY public.bad (id, v) FROM stdin;\n").unwrap();
    let row = "1500\trow 1500\n";
    let row_at = copy_at + dump[copy_at..].find(row).unwrap();
    let row_line = dump[..row_at].matches('\n').count() + 1;
    let broken_copy = format!("{}1500\n{}", &dump[..row_at], &dump[row_at + row.len()..]);
    // An index on a column that does not exist, among the others.
    let broken_index = dump.replacen(
        "ON public.bad USING btree (v)",
        "ON public.bad USING btree (nope)",
        1,
    );
    assert_ne!(broken_index, dump);
    for (what, script, needle) in [
        ("copy row", &broken_copy, format!("broken.sql:{row_line}:")),
        (
            "index",
            &broken_index,
            "column \"nope\" does not exist".to_string(),
        ),
    ] {
        let file = dir.path().join("broken.sql");
        std::fs::write(&file, script).unwrap();
        let by_psql = c.fresh_db("partial_psql");
        assert!(c.psql(&by_psql, &["-f", &file.to_string_lossy()]).is_err());
        for extra in [&["-j", "1"][..], &["-j", "1", "--keep-row-order"][..]] {
            let target = c.fresh_db("partial");
            let out = restore(c, &file, &target, extra);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(3), "{what} {extra:?}: {err}");
            assert!(err.contains(&needle), "{what} {extra:?}: {err}");
            assert_eq!(
                contents(c, &by_psql),
                contents(c, &target),
                "{what} {extra:?}: pgsnap restore committed other than psql"
            );
        }
        // In parallel, work in flight is cancelled, and the summary names every table whose
        // data is in.
        let target = c.fresh_db("partial_par");
        let out = restore(c, &file, &target, &["-j", "4"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{what} -j 4: {err}");
        assert!(err.contains(&needle), "{what} -j 4: {err}");
        let filled = c
            .psql(
                &target,
                &[
                    "-At",
                    "-c",
                    "SELECT c.relname FROM pg_class c WHERE relnamespace = 'public'::regnamespace \
                     AND relkind = 'r' AND (xpath('/row/n/text()', \
                     query_to_xml(format('SELECT count(*) AS n FROM %I', c.relname), false, true, '')))[1]::text::int > 0 \
                     ORDER BY 1",
                ],
            )
            .unwrap();
        for table in filled.lines() {
            assert!(
                err.contains(&format!("public.{table}")),
                "{what} -j 4: {table} is loaded but the summary does not say so: {err}"
            );
        }
        if what == "copy row" {
            assert!(
                !filled.lines().any(|t| t == "bad"),
                "{what}: bad was loaded"
            );
        }
    }
}

fn databases_like(c: &Cluster, pattern: &str) -> String {
    c.psql(
        "postgres",
        &[
            "-At",
            "-c",
            &format!("SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname LIKE '{pattern}'"),
        ],
    )
    .unwrap()
    .trim()
    .to_string()
}

#[test]
fn clean_database_replaces_only_after_a_complete_load() {
    let c = cluster();
    let source = fixture_db(c);
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.sql");
    std::fs::write(&good, c.pg_dump(&source, &[KEY])).unwrap();
    let text = String::from_utf8(c.pg_dump(&source, &[KEY])).unwrap();
    let bad = dir.path().join("bad.sql");
    // A statement near the end fails: everything before it would have loaded.
    let cut = text.rfind("CREATE INDEX").unwrap();
    std::fs::write(
        &bad,
        format!(
            "{}SELECT no_such_function();\n{}",
            &text[..cut],
            &text[cut..]
        ),
    )
    .unwrap();
    let target = c.fresh_db("replace");
    c.psql(
        &target,
        &[
            "-c",
            "CREATE TABLE precious (x int); INSERT INTO precious VALUES (42)",
        ],
    )
    .unwrap();
    let before = contents(c, &target);
    for jobs in ["1", "4"] {
        let out = restore(c, &bad, &target, &["--clean-database", "-j", jobs]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains("no_such_function"), "{err}");
        assert_eq!(
            contents(c, &target),
            before,
            "a failed restore changed the old database"
        );
        assert_eq!(
            databases_like(c, &format!("{target}_pgsnap%")),
            "",
            "staging left behind"
        );
    }
    // Success: the new copy takes the name, the old one is dropped or kept as asked.
    let out = restore(
        c,
        &good,
        &target,
        &["--clean-database", "--keep-old", &format!("{target}_prev")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_database(c, &source, &target, "--clean-database");
    assert_eq!(contents(c, &format!("{target}_prev")), before, "--keep-old");
    let out = restore(c, &good, &target, &["--clean-database"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_database(c, &source, &target, "--clean-database again");
    assert_eq!(databases_like(c, &format!("{target}_pgsnap%")), "");
    // --in-place drops first (today's way, for servers without room for two copies).
    let out = restore(c, &good, &target, &["--clean-database", "--in-place"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_database(c, &source, &target, "--in-place");
}

#[test]
fn create_dump_with_clean_database_replaces_the_database_it_names() {
    let c = cluster();
    let db = c.fresh_db("create_clean");
    c.psql(
        &db,
        &[
            "-c",
            &format!("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'one'), (2, 'two'); \
             COMMENT ON DATABASE \"{db}\" IS 'kept'"),
        ],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("create.sql");
    std::fs::write(&dump, c.pg_dump(&db, &[KEY, "-C"])).unwrap();
    let clean_dump = dir.path().join("clean_create.sql");
    std::fs::write(
        &clean_dump,
        c.pg_dump(&db, &[KEY, "-C", "-c", "--if-exists"]),
    )
    .unwrap();
    let expected = contents(c, &db);
    for (file, via) in [
        (&dump, db.as_str()),
        (&dump, "postgres"),
        (&clean_dump, db.as_str()),
    ] {
        c.psql(
            &db,
            &[
                "-c",
                "CREATE TABLE IF NOT EXISTS stale (x int); DELETE FROM t WHERE id = 2",
            ],
        )
        .unwrap();
        let out = restore(c, file, via, &["--create", "--clean-database"]);
        assert!(
            out.status.success(),
            "-d {via}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(contents(c, &db), expected, "-d {via}: not replaced");
        assert_eq!(databases_like(c, &format!("{db}_pgsnap%")), "");
        let comment = c
            .psql(&db, &["-At", "-c", "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"])
            .unwrap();
        assert_eq!(
            comment.trim(),
            "kept",
            "-d {via}: the database's own properties"
        );
    }
}

#[test]
fn broken_inputs_give_one_message_naming_the_place() {
    let c = cluster();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let truncated = write(
        "trunc.sql",
        b"CREATE TABLE a (x int);\nCOPY a (x) FROM stdin;\n1\n2\n",
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, "SELECT 1;\n".repeat(20000).as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let truncated_gz = write("trunc.sql.gz", &gz[..gz.len() / 2]);
    let a_dir = dir.path().join("a_dir");
    std::fs::create_dir(&a_dir).unwrap();
    // A script that is not whole exits 1 (as psql for its own errors); a file that cannot be
    // read, 4.
    let cases: Vec<(&std::path::Path, Vec<&str>, i32)> = vec![
        (
            &truncated,
            vec!["trunc.sql:2: COPY data ends without \\. (truncated script)"],
            1,
        ),
        (
            &truncated_gz,
            vec!["read error: input file", "trunc.sql.gz"],
            4,
        ),
        (
            &a_dir,
            vec!["could not open input file", "a_dir", "Is a directory"],
            4,
        ),
    ];
    for (file, needles, code) in cases {
        let target = c.fresh_db("broken");
        let out = restore(c, file, &target, &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{}: {err}", file.display());
        assert_eq!(err.trim_end().lines().count(), 1, "one message: {err}");
        assert!(!err.contains("trunc.sql:2: trunc.sql:2"), "{err}");
        for n in needles {
            assert!(err.contains(n), "{}: want {n:?} in {err}", file.display());
        }
    }
    // psql's restricted mode: each misuse is refused, with psql's words, as psql refuses it.
    for (script, message) in [
        (
            "\\restrict\nSELECT 1;\n",
            "restrict.sql:1: \\restrict: missing required argument",
        ),
        (
            "\\unrestrict abc\nSELECT 1;\n",
            "restrict.sql:1: \\unrestrict: not currently in restricted mode",
        ),
        (
            "\\restrict abc\nSELECT 1;\n\\unrestrict abd\n",
            "restrict.sql:3: \\unrestrict: wrong key",
        ),
        (
            "\\restrict abc\n\\connect postgres\n",
            "restrict.sql:2: backslash commands are restricted; only \\unrestrict is allowed",
        ),
    ] {
        let file = write("restrict.sql", script.as_bytes());
        let target = c.fresh_db("restrict");
        assert!(
            c.psql(&target, &["-f", &file.to_string_lossy()]).is_err(),
            "psql accepts {script:?}"
        );
        let out = restore(c, &file, &target, &["--create"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{script:?}: {err}");
        assert!(err.contains(message), "{script:?}: {err}");
    }
}

/// Runs pgsnap and samples its peak resident memory (VmHWM) until it exits.
fn peak_rss_kib(c: &Cluster, args: &[&str]) -> (std::process::ExitStatus, u64, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pgsnap"));
    c.env(&mut cmd);
    let mut child = cmd
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kib) = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
            {
                peak = peak.max(kib);
            }
        }
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    (status, peak, err)
}

#[test]
fn restore_memory_stays_bounded_whatever_a_row_holds() {
    let c = cluster();
    let source = c.fresh_db("wide_row");
    c.psql(
        &source,
        &[
            "-c",
            "CREATE TABLE wide (id int, v text); ALTER TABLE wide ALTER v SET STORAGE EXTERNAL; \
             INSERT INTO wide SELECT 1, string_agg(md5(g::text), '') FROM generate_series(1, 2000000) g; \
             INSERT INTO wide VALUES (2, 'small')",
        ],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wide.sql");
    std::fs::write(&file, c.pg_dump(&source, &[KEY])).unwrap();
    assert!(std::fs::metadata(&file).unwrap().len() > 60 << 20);
    // The same row as one 64 MB INSERT statement (on one line).
    let inserts = dir.path().join("wide_inserts.sql");
    std::fs::write(&inserts, c.pg_dump(&source, &[KEY, "--inserts"])).unwrap();
    for (file, jobs) in [(&file, "1"), (&file, "4"), (&inserts, "1"), (&inserts, "4")] {
        let target = c.fresh_db("wide_restored");
        let (status, peak_kib, err) = peak_rss_kib(
            c,
            &[
                "restore",
                "-j",
                jobs,
                "-d",
                &target,
                &file.to_string_lossy(),
            ],
        );
        assert!(status.success(), "{err}");
        assert!(
            peak_kib < 64 * 1024,
            "{} -j {jobs}: peak RSS {peak_kib} KiB for a 64 MB row (cap 64 MiB)",
            file.display()
        );
        assert_same_database(
            c,
            &source,
            &target,
            &format!("wide row {} -j {jobs}", file.display()),
        );
    }
}

#[test]
fn psql_and_pg_restore_habits_work() {
    let c = cluster();
    let source = c.fresh_db("habits_src");
    c.psql(
        "postgres",
        &[
            "-c",
            "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgsnap_gone') \
             THEN CREATE ROLE pgsnap_gone; END IF; END$$",
        ],
    )
    .unwrap();
    c.psql(
        &source,
        &[
            "-c",
            "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 500) g; \
             CREATE TABLE u (x int); INSERT INTO u VALUES (1), (2); \
             ALTER TABLE t OWNER TO pgsnap_gone; GRANT SELECT ON u TO pgsnap_gone",
        ],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.sql");
    std::fs::write(&file, c.pg_dump(&source, &[KEY])).unwrap();
    let f = file.to_string_lossy().to_string();
    // Standard input when no file is named, and psql's -f FILE; -1 commits all or nothing.
    for how in ["stdin", "-f", "-1"] {
        let target = c.fresh_db("habits");
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pgsnap"));
        c.env(&mut cmd);
        cmd.args(["restore", "-d", &target]);
        match how {
            "stdin" => {
                cmd.stdin(std::fs::File::open(&file).unwrap());
            }
            "-f" => {
                cmd.args(["-f", &f]);
            }
            _ => {
                cmd.args(["-1", &f]);
            }
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{how}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same_database(c, &source, &target, how);
    }
    // The dump's owner role is missing on the new server.
    let gone = dir.path().join("gone.sql");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&gone, text.replace("pgsnap_gone", "pgsnap_missing_role")).unwrap();
    let g = gone.to_string_lossy().to_string();
    // Stopping at the first error, named by file and line as psql names it.
    let target = c.fresh_db("habits_stop");
    let out = restore(c, &gone, &target, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let owner_line = text
        .lines()
        .position(|l| l.contains("OWNER TO pgsnap_gone"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(
            "{g}:{owner_line}: role \"pgsnap_missing_role\" does not exist"
        )),
        "{err}"
    );
    // --on-error=continue (psql's default): every error reported as psql does, the rest loaded,
    // a count at the end and a failing exit.
    let target = c.fresh_db("habits_continue");
    let out = restore(c, &gone, &target, &["--on-error=continue"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!(
            "pgsnap:{g}:{owner_line}: ERROR:  role \"pgsnap_missing_role\" does not exist"
        )),
        "{err}"
    );
    assert!(err.contains("2 failed"), "{err}");
    let by_psql = c.fresh_db("habits_psql");
    let mut psql = std::process::Command::new(c.client("psql"));
    c.env(&mut psql);
    let psql_out = psql
        .args(["-X", "-q", "-d", &by_psql, "-f", &g])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&psql_out.stderr)
            .matches("ERROR:")
            .count(),
        2,
        "psql's errors"
    );
    assert_eq!(
        contents(c, &by_psql),
        contents(c, &target),
        "continue loads what psql loads"
    );
    // -O and -x leave ownership and privileges out: the dump loads without its roles.
    for extra in [
        &["-O", "-x"][..],
        &["--no-owner", "--no-privileges", "-v", "ON_ERROR_STOP=1"],
    ] {
        let target = c.fresh_db("habits_ox");
        let out = restore(c, &gone, &target, extra);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{extra:?}: {err}");
        assert!(err.contains("left out by -O/-x"), "{err}");
        assert_eq!(
            c.data_fingerprint(&source),
            c.data_fingerprint(&target),
            "{extra:?}"
        );
    }
    // --role: everything is created as that role.
    c.psql(
        "postgres",
        &[
            "-c",
            "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgsnap_restorer') \
             THEN CREATE ROLE pgsnap_restorer; END IF; END$$",
        ],
    )
    .unwrap();
    let target = c.fresh_db("habits_role");
    c.psql(
        &target,
        &["-c", "GRANT CREATE ON SCHEMA public TO pgsnap_restorer"],
    )
    .unwrap();
    let out = restore(c, &gone, &target, &["-O", "-x", "--role=pgsnap_restorer"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let owners = c
        .psql(&target, &["-At", "-c", "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'"])
        .unwrap();
    assert_eq!(owners.trim(), "pgsnap_restorer");
    // The maintenance databases are not replaced without --force.
    for db in ["postgres", "template1"] {
        let out = restore(c, &file, db, &["--clean-database"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("refusing to replace the database"), "{err}");
    }
}

/// The line number and server message of the first `FILE:LINE: ...` in psql's or pgsnap's
/// error output (psql prefixes `ERROR:`, pgsnap does not).
fn first_error(stderr: &str, file: &str) -> Option<(String, String)> {
    let needle = format!("{file}:");
    stderr.lines().find_map(|line| {
        line.match_indices(&needle).find_map(|(at, _)| {
            let rest = &line[at + needle.len()..];
            let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let message = rest[number.len()..].strip_prefix(':')?.trim();
            let message = message.strip_prefix("ERROR:").unwrap_or(message).trim();
            (!number.is_empty()).then(|| (number, message.to_string()))
        })
    })
}

#[test]
fn every_dialect_loads_or_fails_where_psql_does() {
    // The fixture as each pg_dump from the server's major (14 for 13) to 18 writes it, loaded
    // by this server's psql and by pgsnap restore: a newer pg_dump's text may hold what this
    // server refuses (17's `SET transaction_timeout` before 17), and pgsnap must stop on the
    // same line with the same error, leaving what psql leaves.
    let c = cluster();
    let source = fixture_db(c);
    let dir = tempfile::tempdir().unwrap();
    for major in c.major().max(14)..=18 {
        let name = format!("as{major}.sql");
        let file = dir.path().join(&name);
        let as_arg = format!("--as-pg-dump={major}");
        c.pgsnap_dump(&source, &[KEY, &as_arg, "-f", &file.to_string_lossy()]);
        let by_psql = c.fresh_db("dialect_psql");
        let psql = c.psql(&by_psql, &["-f", &file.to_string_lossy()]);
        let by_pgsnap = c.fresh_db("dialect_pgsnap");
        let out = restore(c, &file, &by_pgsnap, &["-j", "2"]);
        let err = String::from_utf8_lossy(&out.stderr);
        match psql {
            Ok(_) => {
                assert!(out.status.success(), "pg_dump {major}'s text: {err}");
                assert_same_database(c, &source, &by_pgsnap, &format!("pg_dump {major}'s text"));
            }
            Err(psql_err) => {
                let psql_err = psql_err.to_string();
                assert_eq!(out.status.code(), Some(3), "pg_dump {major}'s text: {err}");
                let expected = first_error(&psql_err, &name);
                assert!(expected.is_some(), "psql: {psql_err}");
                assert_eq!(
                    first_error(&err, &name),
                    expected,
                    "pg_dump {major}'s text: pgsnap {err}\npsql {psql_err}"
                );
                assert_eq!(
                    contents(c, &by_psql),
                    contents(c, &by_pgsnap),
                    "pg_dump {major}'s text: pgsnap restore left other than psql"
                );
            }
        }
        if major >= 17 && c.major() < 17 {
            assert!(
                !out.status.success(),
                "17's SET transaction_timeout loaded into {}",
                c.major()
            );
        }
    }
}
