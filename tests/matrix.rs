//! The option matrix, in the manner of pg_dump's own `t/002_pg_dump.pl`: one database with an
//! object of every kind (`fixtures/schemas/03-matrix.sql`), a run per option, and for each
//! object's statement whether the run must or must not hold it. Every run is also compared
//! byte for byte with real pg_dump, and pgsnap's output with `-j 4` must equal its `-j 1`.

mod common;

use common::*;

const KEY: &str = "--restrict-key=MATRIX";

/// Which of the matrix's tables a run selects.
#[derive(Clone, Copy)]
enum Tables {
    All,
    Only(&'static [&'static str]),
    AllBut(&'static [&'static str]),
}

impl Tables {
    fn has(self, table: &str) -> bool {
        match self {
            Tables::All => true,
            Tables::Only(t) => t.contains(&table),
            Tables::AllBut(t) => !t.contains(&table),
        }
    }
}

/// One run and what it is expected to dump.
#[derive(Clone)]
struct Run {
    name: &'static str,
    /// pgsnap's arguments.
    args: Vec<String>,
    /// Pre-data definitions.
    defs: bool,
    /// Post-data definitions.
    post: bool,
    /// Table data.
    data: bool,
    /// The schema `matrix` itself (CREATE SCHEMA, its comment).
    schema: bool,
    /// Objects in `matrix` that are not tables (types, functions, ...).
    objects: bool,
    /// Database-wide objects (casts, extensions, event triggers, publications, ...).
    everything: bool,
    tables: Tables,
    /// Tables whose data is left out.
    no_data: &'static [&'static str],
    comments: bool,
    acls: bool,
    owners: bool,
    blobs: bool,
    publications: bool,
    subscriptions: bool,
    inserts: bool,
    clean: bool,
    if_exists: bool,
    create: bool,
    session_auth: bool,
    quote_all: bool,
    via_root: bool,
    row_security: bool,
    toast_compression: bool,
    table_am: bool,
    dollar_quoting: bool,
    unlogged_data: bool,
    foreign_data: bool,
    disable_triggers: bool,
}

fn run(name: &'static str, args: &[&str]) -> Run {
    Run {
        name,
        args: args.iter().map(|s| s.to_string()).collect(),
        defs: true,
        post: true,
        data: true,
        schema: true,
        objects: true,
        everything: true,
        tables: Tables::All,
        no_data: &[],
        comments: true,
        acls: true,
        owners: true,
        blobs: true,
        publications: true,
        subscriptions: true,
        inserts: false,
        clean: false,
        if_exists: false,
        create: false,
        session_auth: false,
        quote_all: false,
        via_root: false,
        row_security: false,
        toast_compression: true,
        table_am: true,
        dollar_quoting: true,
        unlogged_data: true,
        foreign_data: false,
        disable_triggers: false,
    }
}

fn data_only(mut r: Run) -> Run {
    r.defs = false;
    r.post = false;
    r
}

fn schema_only(mut r: Run) -> Run {
    r.data = false;
    r.blobs = false;
    r
}

/// Runs that narrow the dump to some tables, schemas or extensions drop the database-wide
/// objects and the large objects.
fn narrowed(mut r: Run) -> Run {
    r.everything = false;
    r.blobs = false;
    r.publications = false;
    r.subscriptions = false;
    r
}

/// The runs, for a server of `major` (dumped as its own pg_dump does).
fn runs(filter_dir: &std::path::Path, major: u32) -> Vec<Run> {
    let filter = |name: &str, text: &str| {
        let p = filter_dir.join(name);
        std::fs::write(&p, text).unwrap();
        format!("--filter={}", p.display())
    };
    let parts: &'static [&'static str] = &["m_parted", "m_part_low", "m_part_high"];
    vec![
        run("default", &[]),
        Run {
            clean: true,
            ..run("clean", &["-c"])
        },
        Run {
            clean: true,
            if_exists: true,
            ..run("clean_if_exists", &["-c", "--if-exists"])
        },
        Run {
            create: true,
            ..run("create", &["-C"])
        },
        Run {
            inserts: true,
            ..run("inserts", &["--inserts"])
        },
        Run {
            inserts: true,
            ..run("column_inserts", &["--column-inserts", "--rows-per-insert=2"])
        },
        Run {
            inserts: true,
            ..run("on_conflict", &["--inserts", "--on-conflict-do-nothing"])
        },
        schema_only(run("schema_only", &["-s"])),
        Run {
            blobs: true,
            ..data_only(run("data_only", &["-a"]))
        },
        Run {
            disable_triggers: true,
            blobs: true,
            ..data_only(run("disable_triggers", &["-a", "--disable-triggers"]))
        },
        // A large object's own entry is pre-data up to pg_dump 16, data from 17 (in groups);
        // its contents are data.
        Run {
            post: false,
            blobs: major < 17,
            ..schema_only(run("section_pre", &["--section=pre-data"]))
        },
        Run {
            blobs: major >= 17,
            ..data_only(run("section_data", &["--section=data"]))
        },
        Run {
            defs: false,
            ..schema_only(run("section_post", &["--section=post-data"]))
        },
        Run {
            via_root: true,
            ..run("load_via_root", &["--load-via-partition-root"])
        },
        Run {
            row_security: true,
            ..run("row_security", &["--enable-row-security"])
        },
        Run {
            blobs: false,
            ..run("no_blobs", &["-B"])
        },
        Run {
            publications: false,
            ..run("no_publications", &["--no-publications"])
        },
        Run {
            subscriptions: false,
            ..run("no_subscriptions", &["--no-subscriptions"])
        },
        run("no_security_labels", &["--no-security-labels"]),
        run("no_tablespaces", &["--no-tablespaces"]),
        Run {
            table_am: false,
            ..run("no_table_am", &["--no-table-access-method"])
        },
        Run {
            toast_compression: false,
            ..run("no_toast_compression", &["--no-toast-compression"])
        },
        Run {
            unlogged_data: false,
            ..run("no_unlogged_data", &["--no-unlogged-table-data"])
        },
        Run {
            quote_all: true,
            ..run("quote_all", &["--quote-all-identifiers"])
        },
        Run {
            dollar_quoting: false,
            ..run("no_dollar_quoting", &["--disable-dollar-quoting"])
        },
        Run {
            session_auth: true,
            ..run("session_auth", &["--use-set-session-authorization"])
        },
        Run {
            foreign_data: true,
            ..run("foreign_data", &["--include-foreign-data=m_server"])
        },
        run("serializable", &["--serializable-deferrable"]),
        run("lock_wait_timeout", &["--lock-wait-timeout=10s"]),
        run("role", &["--role=postgres"]),
        run("encoding", &["-E", "UTF8"]),
        run("extra_float_digits", &["--extra-float-digits=0"]),
        Run {
            owners: false,
            ..run("no_owner", &["-O"])
        },
        Run {
            acls: false,
            ..run("no_privileges", &["-x"])
        },
        Run {
            comments: false,
            ..run("no_comments", &["--no-comments"])
        },
        Run {
            no_data: &["m_table"],
            ..run("exclude_table_data", &["--exclude-table-data=matrix.m_table"])
        },
        Run {
            no_data: parts,
            ..run(
                "exclude_table_data_and_children",
                &["--exclude-table-data-and-children=matrix.m_parted"],
            )
        },
        Run {
            schema: false,
            objects: false,
            tables: Tables::Only(&["m_table"]),
            ..narrowed(run("table", &["-t", "matrix.m_table"]))
        },
        Run {
            schema: false,
            objects: false,
            tables: Tables::Only(parts),
            ..narrowed(run("table_and_children", &["--table-and-children=matrix.m_parted"]))
        },
        Run {
            tables: Tables::AllBut(&["m_table"]),
            ..run("exclude_table", &["-T", "matrix.m_table"])
        },
        Run {
            tables: Tables::AllBut(parts),
            ..run(
                "exclude_table_and_children",
                &["--exclude-table-and-children=matrix.m_parted"],
            )
        },
        narrowed(run("schema", &["-n", "matrix"])),
        Run {
            schema: false,
            objects: false,
            tables: Tables::Only(&["m_elsewhere"]),
            ..narrowed(run("other_schema", &["-n", "matrix_other"]))
        },
        Run {
            schema: false,
            objects: false,
            tables: Tables::Only(&["m_elsewhere"]),
            ..run("exclude_schema", &["-N", "matrix"])
        },
        Run {
            schema: false,
            objects: false,
            tables: Tables::Only(&["m_elsewhere"]),
            ..narrowed(run(
                "filter",
                &[&filter("schema.txt", "# only the other schema\ninclude schema matrix_other\nexclude table matrix_other.nothing\n")],
            ))
        },
        narrowed(run("extension", &["-e", "hstore"])),
    ]
    .into_iter()
    // A switch is taken where the server's own pg_dump has it; older servers refuse it as
    // their pg_dump does, and take it with a newer pg_dump's text (tests/dump.rs).
    .filter(|r| major >= switch_major(r.name))
    .collect()
}

/// The pg_dump major that added the switch a run is about.
fn switch_major(run: &str) -> u32 {
    match run {
        "no_table_am" => 15,
        "table_and_children" | "exclude_table_and_children" | "exclude_table_data_and_children" => {
            16
        }
        "filter" => 17,
        _ => 0,
    }
}

/// A statement and the runs that must hold it (all others must not).
struct Check {
    needle: &'static str,
    expect: fn(&Run) -> bool,
    /// The needle names objects as pg_dump does without --quote-all-identifiers (which then
    /// quotes them, so the needle must not appear).
    idents: bool,
}

fn checks(major: u32) -> Vec<Check> {
    let checks = vec![
        Check {
            needle: "\nCREATE SCHEMA matrix;\n",
            expect: |r| r.defs && r.schema && !r.quote_all,
            idents: true,
        },
        Check {
            needle: "COMMENT ON SCHEMA matrix IS 'm_schema_comment';",
            expect: |r| r.defs && r.schema && r.comments && !r.quote_all,
            idents: true,
        },
        Check {
            needle: "GRANT USAGE ON SCHEMA matrix TO matrix_reader;",
            expect: |r| r.defs && r.schema && r.acls && !r.quote_all,
            idents: true,
        },
        Check {
            needle: "CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA matrix_other;",
            expect: |r| r.defs && (r.everything || r.name == "extension") && !r.quote_all,
            idents: true,
        },
        Check {
            needle: "CREATE TYPE matrix.m_enum AS ENUM (",
            expect: |r| r.defs && r.objects && !r.quote_all,
            idents: true,
        },
        Check {
            needle: "CREATE DOMAIN matrix.m_domain AS integer\n\tCONSTRAINT m_domain_check CHECK ((VALUE > 0));",
            expect: |r| r.defs && r.objects && !r.quote_all,
            idents: true,
        },
        Check {
            needle: "CREATE FUNCTION matrix.m_function(a integer) RETURNS integer",
            expect: |r| r.defs && r.objects && !r.quote_all,
            idents: true,
        },
        Check {
            needle: "    AS $$ BEGIN RETURN a + 1; END $$;",
            expect: |r| r.defs && r.objects && r.dollar_quoting,
            idents: false,
        },
        Check {
            needle: "    AS ' BEGIN RETURN a + 1; END ';",
            expect: |r| r.defs && r.objects && !r.dollar_quoting,
            idents: false,
        },
        Check {
            needle: "GRANT ALL ON FUNCTION matrix.m_function(a integer) TO matrix_reader;",
            expect: |r| r.defs && r.objects && r.acls && !r.quote_all,
            idents: true,
        },
        Check {
            needle: "REVOKE ALL ON PROCEDURE matrix.m_procedure() FROM PUBLIC;",
            expect: |r| r.defs && r.objects && r.acls && !r.quote_all,
            idents: true,
        },
        Check {
            needle: "CREATE CAST (matrix.m_enum AS text) WITH FUNCTION matrix.m_enum_text(matrix.m_enum);",
            expect: |r| r.defs && r.everything && !r.quote_all,
            idents: true,
        },
        Check {
            needle: "CREATE TABLE matrix.m_table (",
            expect: |r| r.defs && r.tables.has("m_table"),
            idents: true,
        },
        Check {
            needle: "CREATE TABLE \"matrix\".\"m_table\" (",
            expect: |r| r.defs && r.tables.has("m_table") && r.quote_all,
            idents: false,
        },
        Check {
            needle: "ALTER TABLE matrix.m_table OWNER TO matrix_owner;",
            expect: |r| r.defs && r.tables.has("m_table") && r.owners && !r.session_auth,
            idents: true,
        },
        Check {
            needle: "SET SESSION AUTHORIZATION 'matrix_owner';",
            expect: |r| r.session_auth,
            idents: true,
        },
        Check {
            needle: "COMMENT ON COLUMN matrix.m_table.label IS 'm_column_comment';",
            expect: |r| r.defs && r.tables.has("m_table") && r.comments,
            idents: true,
        },
        Check {
            needle: "GRANT UPDATE(label) ON TABLE matrix.m_table TO matrix_reader;",
            expect: |r| r.defs && r.tables.has("m_table") && r.acls,
            idents: true,
        },
        Check {
            needle: "ALTER TABLE ONLY matrix.m_table ALTER COLUMN body SET COMPRESSION pglz;",
            expect: |r| r.defs && r.tables.has("m_table") && r.toast_compression,
            idents: true,
        },
        Check {
            needle: "SET default_table_access_method = heap;",
            expect: |r| r.defs && r.table_am,
            idents: true,
        },
        Check {
            needle: "COPY matrix.m_table (id, label, level, body, price) FROM stdin;",
            expect: |r| {
                r.data && r.tables.has("m_table") && !r.no_data.contains(&"m_table") && !r.inserts
            },
            idents: true,
        },
        Check {
            needle: "INSERT INTO matrix.m_table ",
            expect: |r| {
                r.data && r.tables.has("m_table") && !r.no_data.contains(&"m_table") && r.inserts
            },
            idents: true,
        },
        Check {
            needle: "ON CONFLICT DO NOTHING;",
            expect: |r| r.data && r.name == "on_conflict",
            idents: false,
        },
        Check {
            needle: "ALTER TABLE matrix.m_table DISABLE TRIGGER ALL;",
            expect: |r| r.disable_triggers,
            idents: true,
        },
        Check {
            needle: "COPY matrix.m_part_low (k, v) FROM stdin;",
            expect: |r| {
                r.data && r.tables.has("m_part_low") && !r.no_data.contains(&"m_part_low") && !r.inserts && !r.via_root
            },
            idents: true,
        },
        Check {
            needle: "-- load via partition root matrix.m_parted",
            expect: |r| r.data && r.via_root,
            idents: true,
        },
        Check {
            needle: "ALTER TABLE ONLY matrix.m_parted ATTACH PARTITION matrix.m_part_low FOR VALUES FROM (0) TO (100);",
            expect: |r| r.defs && r.tables.has("m_part_low"),
            idents: true,
        },
        Check {
            needle: "COPY matrix.m_unlogged (u) FROM stdin;",
            expect: |r| r.data && r.tables.has("m_unlogged") && r.unlogged_data && !r.inserts,
            idents: true,
        },
        Check {
            needle: "COPY matrix_other.m_elsewhere (e) FROM stdin;",
            expect: |r| r.data && r.tables.has("m_elsewhere") && !r.inserts && r.name != "schema",
            idents: true,
        },
        Check {
            needle: "COPY matrix.m_foreign (f) FROM stdin;",
            expect: |r| r.data && r.foreign_data,
            idents: true,
        },
        Check {
            needle: "ALTER TABLE ONLY matrix.m_child\n    ADD CONSTRAINT m_child_parent_id_fkey",
            expect: |r| r.post && r.tables.has("m_child"),
            idents: true,
        },
        Check {
            needle: "CREATE INDEX m_index ON matrix.m_child USING btree (note);",
            expect: |r| r.post && r.tables.has("m_child"),
            idents: true,
        },
        Check {
            needle: "CREATE TRIGGER m_trigger BEFORE INSERT ON matrix.m_child",
            expect: |r| r.post && r.tables.has("m_child"),
            idents: true,
        },
        Check {
            needle: "CREATE POLICY m_policy ON matrix.m_child",
            expect: |r| r.post && r.tables.has("m_child"),
            idents: true,
        },
        Check {
            needle: "CREATE STATISTICS matrix.m_statistics",
            expect: |r| r.post && r.objects,
            idents: true,
        },
        Check {
            needle: "CREATE EVENT TRIGGER m_event_trigger ON ddl_command_end",
            expect: |r| r.post && r.everything,
            idents: true,
        },
        Check {
            needle: "CREATE PUBLICATION m_publication",
            expect: |r| r.post && r.publications,
            idents: true,
        },
        Check {
            needle: "CREATE SUBSCRIPTION m_subscription",
            expect: |r| r.post && r.subscriptions,
            idents: true,
        },
        Check {
            needle: "SELECT pg_catalog.lo_create('5150');",
            expect: |r| r.blobs,
            idents: false,
        },
        Check {
            needle: "DROP TABLE matrix.m_table;",
            expect: |r| r.clean && !r.if_exists,
            idents: true,
        },
        Check {
            needle: "DROP TABLE IF EXISTS matrix.m_table;",
            expect: |r| r.clean && r.if_exists,
            idents: true,
        },
        Check {
            needle: "CREATE DATABASE ",
            expect: |r| r.create,
            idents: false,
        },
        Check {
            needle: "SET row_security = on;",
            expect: |r| r.row_security,
            idents: false,
        },
    ];
    // Column compression came with 14 (the fixture sets it there only).
    checks
        .into_iter()
        .filter(|c| major >= 14 || !c.needle.contains("SET COMPRESSION"))
        .collect()
}

#[test]
fn option_matrix_must_and_must_not_and_matches_pg_dump() {
    let c = cluster();
    let _ = c.psql(
        "postgres",
        &[
            "-c",
            "DO $$BEGIN \
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'matrix_owner') THEN CREATE ROLE matrix_owner; END IF; \
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'matrix_reader') THEN CREATE ROLE matrix_reader; END IF; \
             END$$",
        ],
    );
    let db = c.fresh_db("matrix");
    c.load(&db, &fixtures().join("schemas/03-matrix.sql"));
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for r in runs(dir.path(), c.major()) {
        let mut ours: Vec<&str> = vec![KEY];
        ours.extend(r.args.iter().map(String::as_str));
        let expected = c.pg_dump(&db, &ours);
        let mut one = ours.clone();
        one.extend(["-j", "1"]);
        let serial = c.pgsnap_dump(&db, &one);
        // Every mismatch of every run is reported, not only the first.
        if let Some(diff) = dump_difference(&expected, &serial, &format!("run {} (-j 1)", r.name)) {
            failures.push(diff);
        }
        let mut four = ours.clone();
        four.extend(["-j", "4"]);
        if serial != c.pgsnap_dump(&db, &four) {
            failures.push(format!("run {}: -j 4 differs from -j 1", r.name));
        }
        let text = String::from_utf8_lossy(&serial);
        for check in checks(c.major()) {
            let want = (check.expect)(&r) && !(r.quote_all && check.idents);
            if text.contains(check.needle) != want {
                failures.push(format!(
                    "run {}: {:?} must {}appear",
                    r.name,
                    check.needle,
                    if want { "" } else { "not " }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
