//! The leader's exported snapshot really gives workers one consistent view.

mod common;

use common::*;
use pgsnap::pg::{connect, conninfo, session};

#[test]
fn workers_see_the_leaders_snapshot_not_later_writes() {
    let c = common::cluster();
    let db = c.fresh_db("snap");
    c.psql(
        &db,
        &[
            "-c",
            "CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2);",
        ],
    )
    .unwrap();
    let opts = conninfo::ConnOptions {
        host: Some(c.socket_dir.to_string_lossy().into_owned()),
        port: Some(c.port.to_string()),
        user: Some("postgres".into()),
        dbname: Some(db.clone()),
        database: None,
    };
    let settings = conninfo::resolve(
        &opts,
        &conninfo::Sources {
            env: &|_| None,
            file: &|_| None,
            os_user: "postgres",
            home: None,
        },
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let leader = connect::connect_once(&settings).await.unwrap();
        session::apply_settings(&leader, "").await.unwrap();
        let snapshot = session::begin_leader(&leader, None, false).await.unwrap();
        // A write committed after the export must be invisible to workers on the snapshot.
        c.psql(&db, &["-c", "INSERT INTO t VALUES (3)"]).unwrap();
        let worker = connect::connect_once(&settings).await.unwrap();
        session::begin_worker(&worker, &snapshot).await.unwrap();
        let n: i64 = worker
            .query_one("SELECT count(*) FROM t", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 2, "worker saw a row committed after the snapshot");
        // --snapshot: a dump as of that snapshot, the same as pg_dump's with the same snapshot.
        let flag = format!("--snapshot={snapshot}");
        let args = ["--restrict-key=S", flag.as_str(), "-a"];
        let mine = c.pgsnap_dump(&db, &args);
        let theirs = c.pg_dump(&db, &args);
        assert_same_dump(&theirs, &mine, "--snapshot");
        let text = String::from_utf8_lossy(&mine).to_string();
        assert!(
            text.contains("COPY public.t (a) FROM stdin;\n1\n2\n\\.\n"),
            "{text}"
        );
        let fresh = connect::connect_once(&settings).await.unwrap();
        let n: i64 = fresh
            .query_one("SELECT count(*) FROM t", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 3);
    });
}

/// SHA-256 of every file under `dir`, by relative path.
/// The JSON progress events among a command's stderr lines.
fn json_events(stderr: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("a JSON event"))
        .collect()
}

/// The snapshot's own steps: its phases and the parts' and its own closing events (the dump's
/// and the restore's inner phases and table events left out).
fn outer_steps(events: &[serde_json::Value]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e["event"].as_str()? {
            "phase" => {
                let p = e["phase"].as_str()?;
                (!matches!(p, "catalog" | "data")).then(|| p.to_string())
            }
            "database_done" | "done" => e["event"].as_str().map(str::to_string),
            _ => None,
        })
        .collect()
}

fn tree_digest(dir: &std::path::Path) -> Vec<(String, String)> {
    use sha2::Digest;
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((
                    rel,
                    hex::encode(sha2::Sha256::digest(std::fs::read(&p).unwrap())),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn snapshot_restore_rebuilds_roles_database_and_media_on_a_fresh_server() {
    let c = common::cluster();
    for s in [
        "DO $$ BEGIN CREATE ROLE snapr_owner LOGIN PASSWORD 'pw'; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        "DO $$ BEGIN CREATE ROLE snapr_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        "DO $$ BEGIN CREATE ROLE snapr_writer; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    ] {
        c.psql("postgres", &["-c", s]).expect(s);
    }
    let db = c.fresh_db("snapr");
    for s in [
        format!("ALTER DATABASE {db} OWNER TO snapr_owner"),
        "CREATE TABLE items (id int PRIMARY KEY, name text)".to_string(),
        "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 5000) g".to_string(),
        "ALTER TABLE items OWNER TO snapr_owner".to_string(),
        "GRANT SELECT ON items TO snapr_reader".to_string(),
        "GRANT INSERT, UPDATE ON items TO snapr_writer".to_string(),
    ] {
        c.psql(&db, &["-c", &s]).expect(&s);
    }
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    std::fs::create_dir_all(media.join("uploads")).unwrap();
    std::fs::write(media.join("uploads/a.txt"), b"first file").unwrap();
    std::fs::write(media.join("b.bin"), vec![7u8; 100_000]).unwrap();
    let snap = dir.path().join("snap");
    let out = c.pgsnap(&[
        "snapshot",
        "--progress=json",
        "--media",
        &media.to_string_lossy(),
        "-o",
        &snap.to_string_lossy(),
        &db,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events = json_events(&out.stderr);
    assert_eq!(
        outer_steps(&events),
        ["database", "database_done", "globals", "media", "done"],
        "{events:?}"
    );
    let done = events.last().unwrap();
    assert!(done["snapshot"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(events
        .iter()
        .any(|e| e["event"] == "table_end" && e["table"] == "public.items" && e["rows"] == 5000));
    // A fresh server without these roles.
    let target = pgsnap::bench::cluster::start(false).expect("start a cluster");
    let media_into = dir.path().join("restored/media");
    let restore = |media_into: &std::path::Path| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pgsnap"));
        target.env(&mut cmd);
        cmd.args(["snapshot", "restore", "--progress=json"])
            .arg(&snap)
            .args(["-d", "restored", "--media-into"])
            .arg(media_into)
            .output()
            .unwrap()
    };
    let schema = |cl: &Cluster, d: &str| cl.pg_dump(d, &["-s", "--restrict-key=K"]);
    for round in ["into a fresh server", "again over the first restore"] {
        let out = restore(&media_into);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{round}: {err}");
        assert!(err.contains("snapshot restored"), "{round}: {err}");
        let events = json_events(&out.stderr);
        assert_eq!(
            outer_steps(&events),
            [
                "verify",
                "globals",
                "database",
                "restore",
                "database_done",
                "media",
                "done"
            ],
            "{round}: {events:?}"
        );
        let done = events.last().unwrap();
        assert_eq!(done["media_files"], 2, "{round}: {done}");
        assert!(done["tables"].as_u64().unwrap() >= 1, "{round}: {done}");
        assert_same_dump(&schema(c, &db), &schema(&target, "restored"), round);
        assert_eq!(
            c.data_fingerprint(&db),
            target.data_fingerprint("restored"),
            "{round}: data"
        );
        assert_eq!(
            tree_digest(&media),
            tree_digest(&media_into),
            "{round}: media"
        );
    }
    let err = String::from_utf8_lossy(&restore(&media_into).stderr).into_owned();
    assert!(err.contains("kept as they were role snapr_owner"), "{err}");
    // One changed byte in any file: refused before anything is touched.
    let before = target.data_fingerprint("restored");
    for file in ["database.sql", "globals.sql", "media.tar.gz"] {
        let copy = dir.path().join(format!("tampered-{file}"));
        std::fs::create_dir_all(&copy).unwrap();
        for f in std::fs::read_dir(&snap).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, copy.join(f.file_name().unwrap())).unwrap();
        }
        let mut bytes = std::fs::read(copy.join(file)).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x01;
        std::fs::write(copy.join(file), bytes).unwrap();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pgsnap"));
        target.env(&mut cmd);
        let out = cmd
            .args(["snapshot", "restore"])
            .arg(&copy)
            .args(["-d", "restored", "--media-into"])
            .arg(dir.path().join("elsewhere"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(5), "{file}: {err}");
        assert!(
            err.contains(file) && err.contains("nothing was restored"),
            "{file}: {err}"
        );
        assert!(
            !dir.path().join("elsewhere").exists(),
            "{file}: media touched"
        );
        assert_eq!(
            target.data_fingerprint("restored"),
            before,
            "{file}: database touched"
        );
    }
}
