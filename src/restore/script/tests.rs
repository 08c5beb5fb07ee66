//! The script reader against psql's splitting rules, long lines and long statements.

use super::*;

fn items(text: &str) -> Vec<Item> {
    let mut r = ScriptReader::new(text.as_bytes());
    let mut out = Vec::new();
    while let Some(it) = r.next_item().unwrap() {
        if let Item::Copy { .. } = it {
            let mut data = Vec::new();
            r.copy_data(|b, _| {
                data.extend_from_slice(b);
                Ok(())
            })
            .unwrap();
            out.push(it);
            out.push(Item::Meta {
                cmd: "DATA".into(),
                arg: String::from_utf8(data).unwrap(),
                line: 0,
            });
            continue;
        }
        out.push(it);
    }
    out
}

fn sqls(text: &str) -> Vec<String> {
    items(text)
        .into_iter()
        .map(|i| match i {
            Item::Statement { sql, .. } | Item::Copy { sql, .. } => sql,
            Item::Meta { cmd, arg, .. } => format!("\\{cmd} {arg}"),
            Item::LongStatement { mut text, .. } => {
                let mut sql = String::new();
                std::io::Read::read_to_string(&mut text, &mut sql).unwrap();
                format!("LONG {sql}")
            }
        })
        .collect()
}

#[test]
fn long_lines_are_scanned_in_pieces_and_long_statements_spilled() {
    // A statement longer than the memory for one, on one line, with every construct the
    // scanner looks ahead or behind for crossing the pieces' boundaries.
    let filler = "x".repeat(SCAN_PIECE - 3);
    let long = format!(
        "INSERT INTO t VALUES ('{filler}', E'a\\';b', $tag$ ; $ta $tag$, 'it''s', /* ; */ 1) -- ; c\n"
    );
    let mut script = String::from("SELECT 1;\n");
    let big = "y".repeat(STATEMENT_MEMORY + 10);
    script.push_str(&long);
    script.push_str(&format!(
        ";\nINSERT INTO t VALUES ('{big}');\nSELECT 'é';\n"
    ));
    let got = sqls(&script);
    assert_eq!(
        got.len(),
        4,
        "{:?}",
        got.iter().map(|s| s.len()).collect::<Vec<_>>()
    );
    assert_eq!(got[0], "SELECT 1;");
    assert_eq!(got[1], format!("{}\n;", long.trim_end()));
    assert_eq!(got[2], format!("LONG INSERT INTO t VALUES ('{big}');"));
    assert_eq!(got[3], "SELECT 'é';");
    // Line numbers stay right after long lines.
    let it = items(&format!("{script}\\unrestrict K\n"));
    assert!(
        matches!(it.last(), Some(Item::Meta { line: 6, .. })),
        "{:?}",
        it.last()
    );
}

#[test]
fn splits_like_psql() {
    let s = "SET a = 1;\nSELECT 'x;y', \"q;\"\"\", E'\\';' ;\nCREATE FUNCTION f() RETURNS int AS $$ select 1; $$;\n\
             CREATE FUNCTION g() RETURNS int AS $_$ a $$ ; $_$ LANGUAGE sql;\n/* c; /* nested; */ */ SELECT 1;\n\
             CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO u VALUES (1); INSERT INTO v VALUES (2));\n";
    assert_eq!(
        sqls(s),
        vec![
            "SET a = 1;",
            "SELECT 'x;y', \"q;\"\"\", E'\\';' ;",
            "CREATE FUNCTION f() RETURNS int AS $$ select 1; $$;",
            "CREATE FUNCTION g() RETURNS int AS $_$ a $$ ; $_$ LANGUAGE sql;",
            "/* c; /* nested; */ */ SELECT 1;",
            "CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO u VALUES (1); INSERT INTO v VALUES (2));",
        ]
    );
}

#[test]
fn begin_atomic_bodies_stay_whole() {
    let s = "CREATE FUNCTION public.f(a integer) RETURNS bigint\n    LANGUAGE sql\n    BEGIN ATOMIC\n SELECT count(*) AS count\n    FROM t\n   WHERE (CASE WHEN a > 1 THEN true ELSE false END);\nEND;\nSELECT 2;\n";
    let v = sqls(s);
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(v[0].ends_with("END;"));
}

#[test]
fn copy_data_meta_commands_and_toc_headers() {
    let s = "--\n-- PostgreSQL database dump\n--\n\n\\restrict KEY\n\n--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: o\n--\n\n\
             COPY public.t (a) FROM stdin;\n1\n\\\\.\nx;y\n\\.\n\n\n--\n-- Name: t t_pkey; Type: CONSTRAINT; Schema: public; Owner: o\n--\n\n\
             ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (a);\n\n\\unrestrict KEY\n";
    let it = items(s);
    assert_eq!(
        it[0],
        Item::Meta {
            cmd: "restrict".into(),
            arg: "KEY".into(),
            line: 5
        }
    );
    assert!(matches!(&it[1], Item::Copy { toc: Some(t), line: 11, .. } if t == "TABLE DATA"));
    assert!(matches!(&it[2], Item::Meta { arg, .. } if arg == "1\n\\\\.\nx;y\n"));
    assert!(matches!(&it[3], Item::Statement { toc: Some(t), .. } if t == "CONSTRAINT"));
    assert!(matches!(&it[4], Item::Meta { cmd, .. } if cmd == "unrestrict"));
}

#[test]
fn truncated_copy_and_unknown_meta() {
    let mut r = ScriptReader::new("COPY t FROM stdin;\n1\n2\n".as_bytes());
    assert!(matches!(r.next_item().unwrap(), Some(Item::Copy { .. })));
    let err = r.copy_data(|_, _| Ok(())).unwrap_err().to_string();
    assert!(err.contains("line 1") && err.contains("truncated"), "{err}");
    let mut r = ScriptReader::new("SELECT 1;\n\\! ls\n".as_bytes());
    r.next_item().unwrap();
    assert!(matches!(r.next_item().unwrap(), Some(Item::Meta { cmd, line: 2, .. }) if cmd == "!"));
}

#[test]
fn latin1_scripts_are_read_as_utf8() {
    let script: &[u8] = b"SET client_encoding = 'LATIN1';\nCREATE TABLE caf\xe9 (a text);\nCOPY caf\xe9 (a) FROM stdin;\ncr\xe8me\n\\.\n";
    let mut r = ScriptReader::new(script);
    let mut sql = Vec::new();
    let mut data = Vec::new();
    while let Some(it) = r.next_item().unwrap() {
        match it {
            Item::Statement { sql: s, .. } => sql.push(s),
            Item::Copy { sql: s, .. } => {
                sql.push(s);
                r.copy_data(|b, _| {
                    data.extend_from_slice(b);
                    Ok(())
                })
                .unwrap();
            }
            _ => {}
        }
    }
    assert_eq!(
        sql,
        vec![
            "SET client_encoding = 'UTF8';",
            "CREATE TABLE caf\u{e9} (a text);",
            "COPY caf\u{e9} (a) FROM stdin;"
        ]
    );
    assert_eq!(data, "cr\u{e8}me\n".as_bytes());
    let mut r = ScriptReader::new(&b"SET client_encoding = 'EUC_JP';\n"[..]);
    assert!(r.next_item().is_err());
    let mut r = ScriptReader::new(&b"SELECT '\xe9';\n"[..]);
    assert!(r.next_item().is_err());
}
